/**
 * Every screen on the demo world, as its demo editor signs in to it: the made-for-the-work
 * screens, the list of every table and a record of each. None may fail to load, show a
 * refusal, or throw in the page: this is the tour a new user takes after `npm start`.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { makeCtx } from '../src/core/context.ts';
import { DEMO_CREDENTIALS } from '../src/demo/credentials.ts';
import { seedDemo } from '../src/demo/seed.ts';
import { FAST_IDENTITY } from './auth.ts';
import { shot as saveShot, startBrowserRig, type BrowserRig } from './browser.ts';
import { dbSuite } from './db.ts';

dbSuite('browser: the demo world, screen by screen', ({ database, backend }) => {
  let rig: BrowserRig;
  let page: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    await seedDemo(makeCtx(database().db, { timeZone: 'UTC' }), { demoPasswords: true, ...(FAST_IDENTITY.argon2 ? { argon2: FAST_IDENTITY.argon2 } : {}) });
    rig = await startBrowserRig(database());
    page = await rig.browser.newPage({ viewport: { width: 1280, height: 860 } });
    page.on('pageerror', (e) => errors.push(`${page.url()}: ${String(e)}`));
    page.on('dialog', (d) => {
      errors.push(`${page.url()}: a dialog said ${d.message()}`);
      void d.dismiss();
    });
    const demo = DEMO_CREDENTIALS.find((c) => c.role === 'editor')!;
    await page.goto(`${rig.base}/`);
    await page.getByLabel('Email').fill(demo.email);
    await page.getByLabel('Password').fill(demo.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Follow-ups' }).waitFor();
  }, 180_000);
  afterAll(async () => {
    await rig?.close();
  });

  /** Opens a screen and waits for it to settle: a heading, nothing loading, no refusal. */
  const visit = async (path: string) => {
    await page.goto(`${rig.base}${path}`);
    await page.locator('main h1').first().waitFor();
    await expect.poll(() => page.locator('main .loading').count(), { timeout: 20_000, message: `${path} keeps loading` }).toBe(0);
    const alerts = (await page.locator('main [role="alert"]').allTextContents()).filter((t) => t.trim());
    expect(alerts, `${path} shows a refusal`).toEqual([]);
    expect(await page.locator('main h1').first().textContent(), path).not.toMatch(/not found/i);
  };

  it('opens the screens made for the work, with the demo data in them', async () => {
    const first = async (table: string, q = '') => (await rig.api('GET', `/api/v1/${table}?limit=1${q}`, undefined, 200)).items[0];
    const engagement = await first('engagements', '&status=supporting');
    const proposal = await first('proposals');
    const decision = await first('go_no_go_decisions');
    const audit = await first('audits');
    const company = await first('companies', '&status=supporting');
    const month = new Date().toISOString().slice(0, 7);
    for (const path of [
      '/',
      '/prospects/new',
      '/pipeline/companies',
      '/pipeline/deals',
      '/assessment',
      '/revenue',
      '/account',
      '/tables',
      `/companies/${company.id}`,
      `/audits/${audit.id}`,
      `/go_no_go_decisions/${decision.id}`,
      `/proposals/${proposal.id}`,
      `/engagements/${engagement.id}`,
      `/reports/monthly?engagement=${engagement.id}&month=${month}`,
    ]) {
      await visit(path);
    }
    await saveShot(page, 'demo-report', backend);
    // The board holds the demo's companies: its counts add up to the list's.
    await visit('/pipeline/companies');
    await saveShot(page, 'demo-board', backend);
    expect(errors).toEqual([]);
  }, 240_000);

  it('draws every insights dashboard from the demo data: charts with figures, the same as the API', async () => {
    for (const tab of ['funnel', 'acquisition', 'sales', 'delivery', 'money', 'calibration']) {
      await visit(`/insights?tab=${tab}`);
      const panel = page.locator(`#ins-panel-${tab}`);
      await panel.locator('svg').first().waitFor();
      // A chart with drawn marks (bars, columns or a line), not an empty frame.
      expect(await panel.locator('svg rect, svg path').count(), `${tab} draws marks`).toBeGreaterThan(0);
    }
    // The default period's funnel as drawn is the server's: the demo's companies entered stages.
    const funnel = await rig.api('GET', '/api/v1/insights/funnel', undefined, 200);
    expect(funnel.records).toBeGreaterThan(0);
    await visit('/insights');
    await expect.poll(() => page.getByRole('group', { name: 'Records', exact: true }).locator('.value').textContent()).toBe(funnel.records.toLocaleString('en'));
    await saveShot(page, 'demo-insights', backend);
    expect(errors).toEqual([]);
  }, 240_000);

  it('opens the list of every table and a record of each', async () => {
    const schema = await rig.api('GET', '/api/v1/schema', undefined, 200);
    expect(schema.tables.length).toBeGreaterThan(40);
    let records = 0;
    for (const t of schema.tables as Array<{ name: string; verbs: string[] }>) {
      await visit(`/${t.name}`);
      const row = (await rig.api('GET', `/api/v1/${t.name}?limit=1`, undefined, 200)).items[0];
      if (row && t.verbs.includes('get')) {
        await visit(`/${t.name}/${row.id}`);
        records++;
      }
    }
    expect(records).toBeGreaterThan(30);
    expect(errors).toEqual([]);
  }, 600_000);
});
