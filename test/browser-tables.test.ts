/**
 * The screens every table shares, in Chromium: a list with search, sort, filters, chosen
 * columns, a saved view and CSV export (a formula in a name neutralised); a record created
 * from the generated form with the server's field errors beside the fields, edited, archived
 * and restored; one of the table's own operations run from its generated form; and the
 * global search opened with Ctrl+K.
 */
import fs from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { shot as saveShot, signedInPage, startBrowserRig, type BrowserRig } from './browser.ts';
import { dbSuite } from './db.ts';

dbSuite('browser: lists, forms and search', ({ database, backend }) => {
  let rig: BrowserRig;
  let page: Page;
  let dialogs: string[];
  const shot = (name: string) => saveShot(page, name, backend);
  const rows = () => page.locator('tbody tr');
  const firstCells = async () => (await page.locator('tbody tr td:first-child').allTextContents()).map((s) => s.trim());

  beforeAll(async () => {
    rig = await startBrowserRig(database());
    await rig.api('POST', '/api/v1/companies', { name: 'Tablecheck Gamma', location: 'Perth', status: 'lead' });
    await rig.api('POST', '/api/v1/companies', { name: 'Tablecheck Alpha', location: 'Sydney', status: 'lead' });
    const beta = await rig.api('POST', '/api/v1/companies', { name: 'Tablecheck Beta', location: 'Hobart', status: 'lead' });
    await rig.api('PATCH', `/api/v1/companies/${beta.id}`, { status: 'contacted' }, 200);
    await rig.api('POST', '/api/v1/companies', { name: '=HYPERLINK("http://evil.example","Tablecheck Formula")', status: 'lead' });
    ({ page, dialogs } = await signedInPage(rig));
  }, 120_000);
  afterAll(async () => {
    await rig?.close();
  });

  it('searches, sorts, filters, chooses columns, saves a view and exports what it shows', async () => {
    await page.goto(`${rig.base}/companies?q=Tablecheck`);
    await expect.poll(() => rows().count()).toBe(4);

    await page.getByRole('button', { name: /^Name/ }).click();
    await expect.poll(() => page.locator('th[aria-sort="ascending"]').textContent()).toMatch(/Name/);
    await expect.poll(firstCells).toEqual(['=HYPERLINK("http://evil.example","Tablecheck Formula")', 'Tablecheck Alpha', 'Tablecheck Beta', 'Tablecheck Gamma']);
    await page.getByRole('button', { name: /^Name/ }).click();
    await expect.poll(firstCells).toEqual(['Tablecheck Gamma', 'Tablecheck Beta', 'Tablecheck Alpha', '=HYPERLINK("http://evil.example","Tablecheck Formula")']);

    // A filter: status is lead.
    await page.getByText('Add a filter').click();
    await page.getByLabel('Filter field').selectOption('status');
    await page.getByLabel('Filter value').selectOption('lead');
    await page.getByRole('button', { name: 'Add filter' }).click();
    await expect.poll(() => rows().count()).toBe(3);
    expect(new URL(page.url()).searchParams.get('status')).toBe('lead');
    expect(await page.getByRole('list', { name: 'Filters' }).textContent()).toMatch(/Status is lead/);

    // Columns: take Status away and add Location.
    await page.getByText('Columns', { exact: true }).click();
    await expect.poll(() => page.getByRole('columnheader', { name: /^Status/ }).count()).toBe(1);
    await page.getByRole('checkbox', { name: 'Status', exact: true }).uncheck();
    await page.getByRole('checkbox', { name: 'Location', exact: true }).check();
    await expect.poll(() => page.getByRole('columnheader', { name: /^Status/ }).count()).toBe(0);
    await expect.poll(() => page.getByRole('columnheader', { name: /^Location/ }).count()).toBe(1);
    await page.getByText('Columns', { exact: true }).click();
    await shot('list-filtered');

    // Save the view, leave, and come back to it by name.
    await page.getByRole('button', { name: 'Save view…' }).click();
    await page.getByRole('dialog').getByLabel('Name', { exact: true }).fill('Tablecheck leads');
    await page.getByRole('button', { name: 'Save view', exact: true }).click();
    await expect.poll(() => page.getByLabel('View').locator('option:checked').textContent()).toBe('Tablecheck leads');
    const stored = await rig.api('GET', '/api/v1/saved-views?table=companies', undefined, 200);
    expect(stored.items).toHaveLength(1);
    expect(stored.items[0].view).toMatchObject({ q: 'Tablecheck', sort: '-name', filters: [{ field: 'status', op: 'eq', value: 'lead' }] });
    expect(stored.items[0].view.columns).toContain('location');
    expect(stored.items[0].view.columns).not.toContain('status');
    await page.goto(`${rig.base}/companies`);
    await page.getByLabel('View').selectOption({ label: 'Tablecheck leads' });
    await expect.poll(() => rows().count()).toBe(3);
    expect(new URL(page.url()).searchParams.get('q')).toBe('Tablecheck');

    // Export: the three rows shown, every column, and the formula made inert.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
    expect(download.suggestedFilename()).toMatch(/^companies-\d{4}-\d{2}-\d{2}\.csv$/);
    const csv = fs.readFileSync((await download.path())!, 'utf8').replace(/^\ufeff/, '');
    const lines = csv.trim().split('\r\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/^id,/);
    expect(lines[0]).toContain('location');
    expect(csv).toContain(`"'=HYPERLINK(""http://evil.example"",""Tablecheck Formula"")"`);
    expect(csv).not.toContain('Tablecheck Beta');
  }, 120_000);

  it('creates a record from the generated form, with the server refusal beside its field, then edits, archives and restores it', async () => {
    const company = (await rig.api('GET', '/api/v1/companies?q=Tablecheck%20Alpha', undefined, 200)).items[0];
    await page.goto(`${rig.base}/contacts/new?company_id=${company.id}`);
    await page.getByRole('heading', { name: 'New contact' }).waitFor();
    await expect.poll(() => page.getByLabel('Company', { exact: true }).locator('option:checked').textContent()).toBe('Tablecheck Alpha');
    await page.getByLabel('Email', { exact: true }).fill('not an email');
    await page.getByRole('button', { name: 'Create contact' }).click();
    // Both refusals come from the server, each beside its own field.
    await expect.poll(() => page.locator('.field.invalid').count()).toBeGreaterThanOrEqual(2);
    expect(await page.locator('.field.invalid', { has: page.getByLabel('Name', { exact: true }) }).textContent()).toMatch(/Name/);
    expect(await page.locator('.field.invalid', { has: page.getByLabel('Email', { exact: true }) }).textContent()).toMatch(/email address/);
    await shot('form-refused');
    expect((await rig.api('GET', `/api/v1/contacts?company_id=${company.id}`, undefined, 200)).items).toHaveLength(0);

    await page.getByLabel('Name', { exact: true }).fill('Dana Tablecheck');
    await page.getByLabel('Email', { exact: true }).fill('dana@example.com');
    await page.getByLabel('Role title').fill('Office manager');
    await page.getByRole('button', { name: 'Create contact' }).click();
    // A contact opens on its own page (the assistant's): its name, title and company in the head.
    await page.getByRole('heading', { name: 'Dana Tablecheck' }).waitFor();
    const [contact] = (await rig.api('GET', `/api/v1/contacts?company_id=${company.id}`, undefined, 200)).items;
    expect(contact).toMatchObject({ name: 'Dana Tablecheck', email: 'dana@example.com', role_title: 'Office manager' });
    expect(page.url()).toBe(`${rig.base}/contacts/${contact.id}`);
    await expect.poll(() => page.locator('.ct-head').textContent()).toContain('Office manager at Tablecheck Alpha');

    await page.getByRole('button', { name: 'Edit' }).click();
    await page.getByRole('dialog').getByLabel('Role title').fill('Operations manager');
    await page.getByRole('dialog').getByRole('button', { name: 'Save changes' }).click();
    await expect.poll(() => page.locator('.ct-head').textContent()).toContain('Operations manager at Tablecheck Alpha');
    expect((await rig.api('GET', `/api/v1/contacts/${contact.id}`, undefined, 200)).role_title).toBe('Operations manager');

    await page.locator('.ct-head').getByRole('button', { name: 'Archive' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Archive' }).click();
    await page.locator('.ct-head').getByRole('button', { name: 'Restore' }).waitFor();
    expect((await rig.api('GET', `/api/v1/contacts/${contact.id}`, undefined, 200)).archived_at).not.toBeNull();
    await shot('record-archived');
    await page.locator('.ct-head').getByRole('button', { name: 'Restore' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Restore' }).click();
    await page.locator('.ct-head').getByRole('button', { name: 'Archive' }).waitFor();
    expect((await rig.api('GET', `/api/v1/contacts/${contact.id}`, undefined, 200)).archived_at).toBeNull();
  }, 120_000);

  it("runs a table's own operation from its generated form and shows a refusal in the server's words", async () => {
    const deal = await rig.api('POST', '/api/v1/deals', { name: 'Tablecheck rollout', value: '12000.00', currency: 'AUD' });
    await page.goto(`${rig.base}/deals/${deal.id}`);
    await page.getByRole('heading', { name: 'Tablecheck rollout' }).waitFor();
    await page.getByRole('button', { name: 'Move a deal to another stage' }).click();
    const dialog = page.getByRole('dialog');
    // Lost needs a reason: the server says so, and nothing moves.
    await dialog.getByLabel('Stage', { exact: true }).selectOption('closed_lost');
    await dialog.getByRole('button', { name: 'Move deal' }).click();
    await expect.poll(() => dialog.locator('.field.invalid').first().textContent()).toMatch(/reason/i);
    expect((await rig.api('GET', `/api/v1/deals/${deal.id}`, undefined, 200)).stage).toBe(deal.stage);
    await dialog.getByLabel('Stage', { exact: true }).selectOption('proposal');
    await dialog.getByRole('button', { name: 'Move deal' }).click();
    await expect.poll(async () => (await rig.api('GET', `/api/v1/deals/${deal.id}`, undefined, 200)).stage).toBe('proposal');
    await expect.poll(() => page.locator('.details').textContent()).toMatch(/Proposal/);
  }, 120_000);

  it('finds a record from anywhere with Ctrl+K and opens it with the keyboard', async () => {
    await page.goto(`${rig.base}/tables`);
    await page.getByRole('heading', { name: 'All tables' }).waitFor();
    await page.keyboard.press('Control+k');
    const box = page.getByRole('combobox', { name: /Search companies/ });
    await box.waitFor();
    await box.fill('Tablecheck Gam');
    await page.getByRole('option', { name: /Tablecheck Gamma/ }).waitFor();
    await shot('search');
    await box.press('Enter');
    await page.getByRole('heading', { name: 'Tablecheck Gamma' }).waitFor();
    const gamma = (await rig.api('GET', '/api/v1/companies?q=Tablecheck%20Gamma', undefined, 200)).items[0];
    expect(page.url()).toBe(`${rig.base}/companies/${gamma.id}`);
    expect(dialogs).toEqual([]);
  }, 120_000);

  it('makes an API key for the assistant on the account page, shows it once, and revokes it', async () => {
    await page.getByRole('link', { name: /· editor/ }).click();
    await page.getByRole('heading', { name: 'Your account' }).waitFor();
    await page.getByRole('button', { name: 'Create an API key' }).click();
    await page.getByRole('dialog').getByLabel('Name').fill('Claude Desktop');
    await page.getByRole('dialog').getByRole('button', { name: 'Create key' }).click();
    const secret = (await page.locator('code.secret').first().textContent())!;
    expect(secret).toMatch(/^tl_[0-9a-f]{10}_[A-Za-z0-9_-]{43}$/);
    // The key works, as the editor.
    const me = await fetch(`${rig.base}/api/v1/auth/me`, { headers: { authorization: `Bearer ${secret}` } });
    expect(me.status).toBe(200);
    await page.getByRole('row', { name: /Claude Desktop/ }).waitFor();
    await shot('account');
    // The daily digest is each person's choice.
    await page.getByLabel(/Mail me each morning/).uncheck();
    await expect.poll(async () => (await rig.api('GET', '/api/v1/auth/me', undefined, 200)).user.digest_enabled).toBe(false);
    await page.getByLabel(/Mail me each morning/).check();
    await expect.poll(async () => (await rig.api('GET', '/api/v1/auth/me', undefined, 200)).user.digest_enabled).toBe(true);
    await page.getByRole('button', { name: 'Revoke Claude Desktop' }).click();
    await expect.poll(() => page.getByRole('row', { name: /Claude Desktop/ }).count()).toBe(0);
    expect((await fetch(`${rig.base}/api/v1/auth/me`, { headers: { authorization: `Bearer ${secret}` } })).status).toBe(401);
  }, 120_000);

  it("runs a table's operation on no one record, with a nested record offered as that table's fields", async () => {
    const company = await rig.api('POST', '/api/v1/companies', { name: 'Tablecheck Training Co' });
    const engagement = await rig.api('POST', '/api/v1/engagements', { company_id: company.id, name: 'Tablecheck rollout programme' });
    await page.goto(`${rig.base}/training_sessions`);
    await page.getByRole('heading', { name: 'Training sessions' }).waitFor();
    await page.getByRole('button', { name: /^Schedule a training session/ }).click();
    const dialog = page.getByRole('dialog');
    // session is a training_sessions record: its own fields, labelled, not a JSON box.
    await dialog.getByRole('group', { name: 'Session' }).waitFor();
    await dialog.getByLabel('Find an engagement').fill('Tablecheck rollout');
    await expect.poll(() => dialog.getByLabel(/^Engagement/).locator('option').count()).toBeGreaterThan(1);
    await dialog.getByLabel(/^Engagement/).selectOption(engagement.id);
    await dialog.getByLabel('Title').fill('Prompting for estimators');
    await dialog.getByLabel('Session number').fill('1');
    await dialog.getByRole('button', { name: 'Go' }).click();
    await expect.poll(async () => (await rig.api('GET', `/api/v1/training_sessions?engagement_id=${engagement.id}`, undefined, 200)).items.map((s: any) => s.title)).toEqual(['Prompting for estimators']);
    await expect.poll(() => page.getByRole('link', { name: /Prompting for estimators|#/ }).count()).toBeGreaterThan(0);
  }, 120_000);
});
