/**
 * Browser journeys in Debian's Chromium (found on the PATH; .ci/run installs it), driven by
 * playwright-core, against the built web app served with the API by one in-process server:
 * sign in, the companies list and its search, a company's page, and stored text that
 * carries HTML rendered as text. Screenshots of each screen go to test-artifacts/.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { shot as saveShot, startBrowserRig, type BrowserRig } from './browser.ts';
import { dbSuite } from './db.ts';

const XSS = '"><img src=x onerror="window.__xss=1"><script>window.__xss=2</script>';

dbSuite('browser journeys', ({ database, backend }) => {
  let rig: BrowserRig;
  const shot = (page: Page, name: string) => saveShot(page, name, backend);

  beforeAll(async () => {
    rig = await startBrowserRig(database());
  }, 120_000);
  afterAll(async () => {
    await rig?.close();
  });

  it('signs in, lists and searches companies, opens one, and renders stored HTML as text', async () => {
    const { api, base, editor, browser } = rig;
    const smith = await api('POST', '/api/v1/companies', { name: 'Smith Building Group', location: 'Bondi Junction', employee_count: 12, source: 'cold_walk_in' });
    const evil = await api('POST', '/api/v1/companies', { name: `Evil ${XSS}`, notes: `Note ${XSS}`, website: 'javascript:alert(1)' });

    const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
    const dialogs: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await page.goto(`${base}/`);
    await page.getByLabel('Email').fill(editor.user.email);
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/not correct|password/i);
    await shot(page, 'sign-in-refused');
    await page.getByLabel('Password').fill(editor.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    // Signed in, the day starts at the follow-up inbox; the main navigation leads to the companies.
    await page.getByRole('heading', { name: 'Follow-ups' }).waitFor();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Companies' }).click();
    await page.getByRole('heading', { name: 'Companies' }).waitFor();
    await page.getByRole('link', { name: 'Smith Building Group' }).waitFor();
    await shot(page, 'companies');

    await page.getByLabel('Search companies').fill('Smith');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await expect.poll(async () => page.getByRole('row').count()).toBe(2);
    await page.getByRole('link', { name: 'Smith Building Group' }).click();
    await page.getByRole('heading', { name: 'Smith Building Group' }).waitFor();
    expect(page.url()).toBe(`${base}/companies/${smith.id}`);
    await expect.poll(() => page.locator('.details').textContent()).toContain('Bondi Junction');
    await shot(page, 'company');

    // A link to a record opens the app on it; the stored HTML is text, and the javascript: website is no link.
    await page.goto(`${base}/companies/${evil.id}`);
    await page.getByRole('heading', { name: `Evil ${XSS}` }).waitFor();
    expect(await page.locator('.notes').textContent()).toBe(`Note ${XSS}`);
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.locator('a[href^="javascript:"]').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    expect(dialogs).toEqual([]);
    await shot(page, 'company-with-html-in-its-text');

    // Phone width: the list still reads.
    await page.setViewportSize({ width: 390, height: 800 });
    await page.goto(`${base}/companies`);
    await page.getByRole('link', { name: 'Smith Building Group' }).waitFor();
    await shot(page, 'companies-phone');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    await page.close();
  }, 120_000);
});
