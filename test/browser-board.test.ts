/**
 * Browser journeys of the pipeline boards (/pipeline/companies and /pipeline/deals): the
 * columns with their counts, a card dragged to the next allowed status (stored by the
 * server), a drag the pipeline refuses (the server's reason shown, nothing changed), the
 * keyboard "Move to…" control (with the lost reason asked in a dialog), and the deals board
 * moving a deal with its values. Each journey searches for its own tag, so it sees only its
 * own records. Screenshots: board-companies, board-deals (and a phone-width board).
 */
import { randomUUID } from 'node:crypto';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { shot as saveShot, signedInPage, startBrowserRig, type BrowserRig } from './browser.ts';
import { dbSuite } from './db.ts';

const tag = () => `brd${randomUUID().slice(0, 6)}`;

dbSuite('pipeline board journeys', ({ database, backend }) => {
  let rig: BrowserRig;
  const shot = (page: Page, name: string) => saveShot(page, name, backend);
  const column = (page: Page, label: string) => page.getByRole('region', { name: label, exact: true });
  const card = (scope: Page | Locator, name: string) => scope.getByRole('article', { name, exact: true });
  const countOf = (page: Page, label: string) => column(page, label).locator('.board-count').textContent();
  /**
   * Drags a card onto a column with the mouse (HTML5 drag and drop). Both must be in view
   * first: dragTo scrolls the target into view after pressing the button, which would slide
   * another card under the pointer before the drag starts.
   */
  const dragCard = async (source: Locator, target: Locator) => {
    const [s, t] = [await source.boundingBox(), await target.boundingBox()];
    const width = source.page().viewportSize()!.width;
    expect(s && t && s.x >= 0 && t.x >= 0 && s.x + s.width <= width && t.x + t.width <= width, 'card and column in view').toBe(true);
    await source.dragTo(target);
  };
  /** Wide enough for the first five columns side by side. */
  const WIDE = { width: 1600, height: 900 };

  beforeAll(async () => {
    rig = await startBrowserRig(database());
  }, 120_000);
  afterAll(async () => {
    await rig?.close();
  });

  it('shows companies by status, moves them by drag and drop and by keyboard, and shows a refusal', async () => {
    const { api, base } = rig;
    const t = tag();
    const make = (name: string, status: string, extra: Record<string, unknown> = {}) => api('POST', '/api/v1/companies', { name: `${t} ${name}`, status, ...extra });
    const acme = await make('Acme Builders', 'lead', { location: 'Parramatta', employee_count: 40 });
    const bolt = await make('Bolt Electrical', 'lead');
    const crane = await make('Crane Hire', 'contacted');
    await make('Dune Surveys', 'auditing');
    const stored = async (id: string) => (await api('GET', `/api/v1/companies/${id}`)) as { status: string; version: number; lost_reason: string | null };

    const { page, dialogs } = await signedInPage(rig, WIDE);
    await page.goto(`${base}/pipeline/companies?q=${t}`);
    await page.getByRole('heading', { name: 'Pipeline: companies by status' }).waitFor();
    // Every status of the pipeline is a column, in order, with its count.
    await card(page, `${t} Acme Builders`).waitFor();
    const headings = await page.locator('.board-col h2').allTextContents();
    expect(headings.slice(0, 5)).toEqual(['Lead', 'Contacted', 'Meeting scheduled', 'Meeting complete', 'Auditing']);
    expect(headings).toContain('Lost');
    expect(await countOf(page, 'Lead')).toBe('2 companies');
    expect(await countOf(page, 'Contacted')).toBe('1 company');
    expect(await countOf(page, 'Auditing')).toBe('1 company');
    expect(await countOf(page, 'Go')).toBe('0 companies');
    await expect.poll(() => card(column(page, 'Lead'), `${t} Acme Builders`).textContent()).toContain('Parramatta · 40 staff');
    expect(await card(page, `${t} Acme Builders`).getByRole('link').getAttribute('href')).toBe(`/companies/${acme.id}`);
    await shot(page, 'board-companies');

    // Drag Acme to Contacted: the next status the pipeline allows from lead.
    await dragCard(card(page, `${t} Acme Builders`), column(page, 'Contacted'));
    await expect.poll(async () => (await stored(acme.id)).status).toBe('contacted');
    await card(column(page, 'Contacted'), `${t} Acme Builders`).waitFor();
    expect(await card(column(page, 'Lead'), `${t} Acme Builders`).count()).toBe(0);
    await expect.poll(() => countOf(page, 'Contacted')).toBe('2 companies');
    expect(await countOf(page, 'Lead')).toBe('1 company');
    expect(await page.getByRole('status').filter({ hasText: 'Moved' }).textContent()).toContain(`Moved “${t} Acme Builders” to Contacted.`);

    // Drag Bolt from lead straight to Auditing, which the pipeline skips: the server refuses.
    const before = await stored(bolt.id);
    await dragCard(card(page, `${t} Bolt Electrical`), column(page, 'Auditing'));
    const alert = page.getByRole('alert').filter({ hasText: 'Could not move' });
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/Could not move “.+Bolt Electrical” to Auditing: status: cannot move from lead to auditing; allowed next: contacted, meeting_scheduled, lost/);
    expect(await stored(bolt.id)).toEqual(before);
    await card(column(page, 'Lead'), `${t} Bolt Electrical`).waitFor();
    expect(await card(column(page, 'Auditing'), `${t} Bolt Electrical`).count()).toBe(0);
    expect(await countOf(page, 'Lead')).toBe('1 company');
    expect(await countOf(page, 'Auditing')).toBe('1 company');
    await shot(page, 'board-companies-refused');

    // From the keyboard: Crane's "Move to…" button, the dialog's choice, Enter. Someone else
    // changed Crane since the board loaded: the first try is refused (If-Match), the card
    // takes the latest version, and the second goes through.
    const seen = await stored(crane.id);
    await api('PATCH', `/api/v1/companies/${crane.id}`, { location: 'Penrith' });
    await page.getByRole('button', { name: `Move ${t} Crane Hire to…` }).focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: `Move “${t} Crane Hire”` });
    await dialog.waitFor();
    await dialog.getByLabel('Move to').selectOption({ label: 'Meeting scheduled' });
    await dialog.getByRole('button', { name: 'Move to Meeting scheduled' }).focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => dialog.getByRole('alert').textContent()).toContain(`has changed since version ${seen.version}`);
    expect((await stored(crane.id)).status).toBe('contacted');
    await expect.poll(() => card(column(page, 'Contacted'), `${t} Crane Hire`).textContent()).toContain('Penrith');
    await dialog.getByRole('button', { name: 'Move to Meeting scheduled' }).focus();
    await page.keyboard.press('Enter');
    await expect.poll(async () => (await stored(crane.id)).status).toBe('meeting_scheduled');
    await dialog.waitFor({ state: 'hidden' });
    await card(column(page, 'Meeting scheduled'), `${t} Crane Hire`).waitFor();
    // Focus followed the card to its new column.
    await expect.poll(() => page.evaluate(() => document.activeElement?.closest('article')?.getAttribute('aria-label'))).toBe(`${t} Crane Hire`);
    expect(await countOf(page, 'Meeting scheduled')).toBe('1 company');

    // Lost goes through sales.mark_lost, with the reason asked for first.
    await page.getByRole('button', { name: `Move ${t} Bolt Electrical to…` }).click();
    await dialog.waitFor({ state: 'hidden' });
    const boltDialog = page.getByRole('dialog', { name: `Move “${t} Bolt Electrical”` });
    await boltDialog.getByLabel('Move to').selectOption({ label: 'Lost' });
    await boltDialog.getByRole('button', { name: 'Move to Lost' }).click();
    await expect.poll(() => boltDialog.getByRole('alert').textContent()).toContain('Say why the company was lost.');
    expect((await stored(bolt.id)).status).toBe('lead');
    await boltDialog.getByLabel('Why was it lost?').fill('Went with a cheaper supplier');
    await boltDialog.getByRole('button', { name: 'Move to Lost' }).click();
    await expect.poll(async () => (await stored(bolt.id)).lost_reason).toBe('Went with a cheaper supplier');
    expect((await stored(bolt.id)).status).toBe('lost');
    await card(column(page, 'Lost'), `${t} Bolt Electrical`).waitFor();
    await expect.poll(() => countOf(page, 'Lead')).toBe('0 companies');
    expect(dialogs).toEqual([]);

    // Phone width: the columns scroll sideways and the cards still read.
    await page.setViewportSize({ width: 390, height: 800 });
    await card(page, `${t} Acme Builders`).waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await shot(page, 'board-companies-phone');
    await page.close();
  }, 120_000);

  it('windows a long column: only the cards in view are in the DOM, and scrolling loads the rest', async () => {
    const { api, base } = rig;
    const t = tag();
    const N = 320;
    // (Pipeline tables have no bulk create: one POST each, 16 at a time.)
    for (let i = 0; i < N; i += 16) {
      await Promise.all(Array.from({ length: Math.min(16, N - i) }, (_, j) => api('POST', '/api/v1/companies', { name: `${t} Bulk ${String(i + j + 1).padStart(3, '0')}`, status: 'training' })));
    }
    const { page } = await signedInPage(rig, WIDE);
    await page.goto(`${base}/pipeline/companies?q=${t}`);
    const training = column(page, 'Training');
    await training.locator('.board-card').first().waitFor();
    expect(await countOf(page, 'Training')).toBe(`${N} companies`);
    const rendered = () => training.locator('.board-card').count();
    expect(await rendered()).toBeLessThan(30);
    // Scroll to the end: the next pages come from the list route as the column nears its end.
    const box = training.getByRole('group', { name: 'Training companies' });
    await expect
      .poll(async () => {
        await box.evaluate((el) => el.scrollTo(0, el.scrollHeight));
        return box.locator(`li[aria-posinset="${N}"] article`).count();
      })
      .toBe(1);
    expect(await rendered()).toBeLessThan(30);
    // The last card is the oldest (the column runs newest change first), and none came twice.
    const names = await training.locator('.board-card h3').allTextContents();
    expect(names.length).toBeGreaterThan(3);
    expect(new Set(names).size).toBe(names.length);
    const [oldest] = (await api('GET', `/api/v1/companies?q=${t}&status=training&sort=updated_at&limit=1`)).items;
    expect(await box.locator(`li[aria-posinset="${N}"] h3`).textContent()).toBe(oldest.name);
    await shot(page, 'board-companies-long-column');
    await page.close();
  }, 120_000);

  it('shows deals by stage with their values, and moves a deal to the next stage and to lost', async () => {
    const { api, base } = rig;
    const t = tag();
    const company = await api('POST', '/api/v1/companies', { name: `${t} Harbour Homes` });
    const deal = (name: string, value: string, stage = 'discovery') =>
      api('POST', '/api/v1/deals', { name: `${t} ${name}`, company_id: company.id, value, currency: 'AUD', stage, expected_close_date: '2099-06-30' });
    const fitout = await deal('Office fit-out automation', '1000.10');
    const quoting = await deal('Quoting assistant', '500.20');
    await deal('Site diary bot', '250.00', 'negotiation');
    const stored = async (id: string) => (await api('GET', `/api/v1/deals/${id}`)) as { stage: string; loss_reason: string | null };

    const { page } = await signedInPage(rig, WIDE);
    await page.goto(`${base}/pipeline/deals?q=${t}`);
    await page.getByRole('heading', { name: 'Pipeline: deals by stage' }).waitFor();
    await card(page, `${t} Office fit-out automation`).waitFor();
    expect(await page.locator('.board-col h2').allTextContents()).toEqual(['Discovery', 'Proposal', 'Negotiation', 'Closed won', 'Closed lost']);
    expect(await countOf(page, 'Discovery')).toBe('2 deals');
    expect(await column(page, 'Discovery').locator('.board-values').textContent()).toContain('1,500.30');
    expect(await column(page, 'Negotiation').locator('.board-values').textContent()).toContain('250.00');
    // The card: value, company and expected close.
    await expect.poll(() => card(page, `${t} Office fit-out automation`).textContent()).toContain(`${t} Harbour Homes`);
    const text = await card(page, `${t} Office fit-out automation`).textContent();
    expect(text).toContain('1,000.10');
    expect(text).toMatch(/Expected close .*2099/);
    expect(await card(page, `${t} Office fit-out automation`).getByRole('link').getAttribute('href')).toBe(`/deals/${fitout.id}`);
    await shot(page, 'board-deals');

    // Discovery → Proposal by drag and drop (sales.move_deal).
    await dragCard(card(page, `${t} Office fit-out automation`), column(page, 'Proposal'));
    await expect.poll(async () => (await stored(fitout.id)).stage).toBe('proposal');
    await card(column(page, 'Proposal'), `${t} Office fit-out automation`).waitFor();
    await expect.poll(() => column(page, 'Proposal').locator('.board-values').textContent()).toContain('1,000.10');
    await expect.poll(() => column(page, 'Discovery').locator('.board-values').textContent()).toContain('500.20');
    expect(await countOf(page, 'Discovery')).toBe('1 deal');

    // Dropped on Closed lost: the reason is asked for, then sales.lose_deal runs.
    await dragCard(card(page, `${t} Quoting assistant`), column(page, 'Closed lost'));
    const dialog = page.getByRole('dialog', { name: `Move “${t} Quoting assistant”` });
    await dialog.waitFor();
    expect(await dialog.getByLabel('Move to').inputValue()).toBe('closed_lost');
    await dialog.getByLabel('Why was it lost?').fill('Budget moved to next year');
    await dialog.getByRole('button', { name: 'Move to Closed lost' }).click();
    await expect.poll(async () => (await stored(quoting.id)).stage).toBe('closed_lost');
    expect((await stored(quoting.id)).loss_reason).toBe('Budget moved to next year');
    await card(column(page, 'Closed lost'), `${t} Quoting assistant`).waitFor();
    await expect.poll(() => countOf(page, 'Discovery')).toBe('0 deals');
    await shot(page, 'board-deals-moved');

    // The switch between the boards.
    await page.getByRole('navigation', { name: 'Boards' }).getByRole('link', { name: 'Companies' }).click();
    await page.getByRole('heading', { name: 'Pipeline: companies by status' }).waitFor();
    await page.close();
  }, 120_000);
});
