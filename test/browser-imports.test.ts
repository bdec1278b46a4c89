/**
 * Bringing data in and cleaning it up, in Chromium: a HubSpot-style contacts CSV chosen with
 * the file input, previewed (a column mapped by hand, a bad email shown as its row's error),
 * imported through the background worker with the progress followed until done, and the
 * contacts and their companies checked through the API; then two spellings of one company
 * found on the duplicates page and merged, the contact moving to the one kept.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { importDrain } from '../src/worker/import-drain.ts';
import { startWorker, type Worker, type WorkerLog } from '../src/worker/worker.ts';
import { FAST_IDENTITY } from './auth.ts';
import { shot as saveShot, signedInPage, startBrowserRig, type BrowserRig } from './browser.ts';
import { dbSuite } from './db.ts';

const CSV = [
  '"First Name","Last Name","Email","Company Name","Website URL"',
  '"Ada","Importcheck","ada@importcheck-alpha.example","Importcheck Alpha","https://www.importcheck-alpha.example"',
  '"Ben","Importcheck","ben@importcheck-alpha.example","Importcheck Alpha","importcheck-alpha.example"',
  '"Cleo","Importcheck","not-an-email","Importcheck Beta","importcheck-beta.example"',
  '"Dev","Importcheck","dev@importcheck-beta.example","Importcheck Beta","https://importcheck-beta.example/about"',
].join('\r\n');

dbSuite('browser: imports and duplicates', ({ database, backend }) => {
  let rig: BrowserRig;
  let page: Page;
  let dialogs: string[];
  let worker: Worker;
  const workerErrors: string[] = [];
  const shot = (name: string) => saveShot(page, name, backend);

  beforeAll(async () => {
    rig = await startBrowserRig(database());
    // The server's background worker, as `throughline serve` runs it: small chunks, so the job moves in steps.
    const log: WorkerLog = { info: () => {}, error: (m) => void workerErrors.push(m) };
    worker = startWorker({ database: database(), drains: [importDrain({ log, everyMs: 250, chunkSize: 2 })], log, identity: FAST_IDENTITY, tickMs: 250, delayMs: 0 });
    ({ page, dialogs } = await signedInPage(rig));
  }, 120_000);
  afterAll(async () => {
    await worker?.stop();
    await rig?.close();
  });

  it('previews a HubSpot-style contacts file, imports it and follows the job until done', async () => {
    await page.goto(`${rig.base}/tables`);
    await page.getByRole('link', { name: 'Import a CSV file' }).click();
    await page.getByRole('heading', { name: 'Import a CSV file' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/imports');

    await page.getByLabel('What the rows are').selectOption('contacts');
    await page.getByLabel('CSV file').setInputFiles({ name: 'hubspot-contacts.csv', mimeType: 'text/csv', buffer: Buffer.from(CSV, 'utf8') });
    await page.getByRole('button', { name: 'Preview' }).click();
    await page.getByRole('heading', { name: 'Preview of hubspot-contacts.csv' }).waitFor();

    // Mapped by name; "Website URL" is not a name the generic format knows: map it by hand, and the preview runs again with it.
    const fieldFor = (column: string) => page.getByLabel(`Field for ${column}`, { exact: true });
    expect(await fieldFor('First Name').inputValue()).toBe('first_name');
    expect(await fieldFor('Email').inputValue()).toBe('email');
    expect(await fieldFor('Company Name').inputValue()).toBe('company_name');
    await fieldFor('Website URL').selectOption('company_domain');
    await expect.poll(() => page.locator('.imp-preview').textContent()).toContain('columns mapped by your choices');
    expect(await fieldFor('Website URL').inputValue()).toBe('company_domain');

    const kpi = (label: string) => page.locator('.imp-preview .kpi', { has: page.getByText(label, { exact: true }) }).locator('.value');
    await expect.poll(() => kpi('Would create').textContent()).toBe('3');
    expect(await kpi('Rows').textContent()).toBe('4');
    expect(await kpi('Rows with errors').textContent()).toBe('1');
    const errorRows = page.getByRole('table', { name: 'Row errors in the preview' }).locator('tbody tr');
    await expect.poll(() => errorRows.count()).toBe(1);
    expect((await errorRows.first().locator('td').allTextContents()).map((s) => s.trim())).toEqual(['3', 'Email', 'Email', 'must be an email address']);
    expect(await page.locator('.imp-preview').textContent()).toMatch(/2 companies the contacts name would be created/);
    // A dry run: nothing written yet.
    expect((await rig.api('GET', '/api/v1/contacts?q=Importcheck', undefined, 200)).items).toHaveLength(0);
    await shot('imports-preview');

    await page.getByRole('button', { name: 'Import 4 rows' }).click();
    await page.getByRole('heading', { name: /^Import(ing|\s+finished)/ }).waitFor();
    expect(await page.getByLabel(/^Progress:/).evaluate((p) => p.tagName)).toBe('PROGRESS');
    await page.getByRole('heading', { name: /^Import finished/ }).waitFor({ timeout: 60_000 });
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'Done:' }).textContent()).toMatch(/3 created, 0 updated, 0 skipped, 1 row with errors left out/);
    expect(await page.getByLabel(/^Progress:/).getAttribute('value')).toBe('100');
    const jobErrors = page.getByRole('table', { name: 'Rows not imported' }).locator('tbody tr');
    expect((await jobErrors.first().locator('td').allTextContents()).map((s) => s.trim())).toEqual(['3', 'Email', 'Email', 'must be an email address']);
    // Your imports lists it, completed.
    const mine = page.getByRole('table', { name: 'Your imports' }).getByRole('row', { name: /hubspot-contacts\.csv/ });
    await expect.poll(() => mine.textContent()).toMatch(/completed/);
    await shot('imports-done');

    // Through the API: three contacts, each linked to its company, the two companies created once each.
    const contacts = (await rig.api('GET', '/api/v1/contacts?q=Importcheck&sort=name', undefined, 200)).items;
    expect(contacts.map((c: any) => c.name)).toEqual(['Ada Importcheck', 'Ben Importcheck', 'Dev Importcheck']);
    const alpha = (await rig.api('GET', '/api/v1/companies?q=Importcheck%20Alpha', undefined, 200)).items;
    const beta = (await rig.api('GET', '/api/v1/companies?q=Importcheck%20Beta', undefined, 200)).items;
    expect(alpha).toHaveLength(1);
    expect(beta).toHaveLength(1);
    expect(contacts.map((c: any) => c.company_id)).toEqual([alpha[0].id, alpha[0].id, beta[0].id]);
    expect(contacts[0].email).toBe('ada@importcheck-alpha.example');
    const jobs = (await rig.api('GET', '/api/v1/imports', undefined, 200)).items;
    expect(jobs[0]).toMatchObject({ status: 'completed', file_name: 'hubspot-contacts.csv', created_count: 3, error_count: 1, total_rows: 4 });
    expect(workerErrors).toEqual([]);
  }, 120_000);

  it('finds two spellings of one company and merges them, the contact moving to the one kept', async () => {
    const kept = await rig.api('POST', '/api/v1/companies', { name: 'Dupcheck Pty Ltd', website: 'https://dupcheck.example' });
    const other = await rig.api('POST', '/api/v1/companies', { name: 'DUPCHECK', location: 'Adelaide' });
    const contact = await rig.api('POST', '/api/v1/contacts', { name: 'Dana Dupcheck', email: 'dana@dupcheck.example', company_id: other.id });

    await page.goto(`${rig.base}/tables`);
    await page.getByRole('link', { name: 'Duplicates', exact: true }).click();
    await page.getByRole('heading', { name: 'Duplicates', exact: true }).waitFor();
    expect(await page.getByRole('tab', { name: 'Companies' }).getAttribute('aria-selected')).toBe('true');
    const group = page.locator('.dup-group', { has: page.getByRole('link', { name: 'DUPCHECK', exact: true }) });
    await group.waitFor();
    expect(await group.locator('.dup-reasons').textContent()).toMatch(/Same name\s*dupcheck/);
    expect(await group.getByRole('link', { name: 'Dupcheck Pty Ltd' }).getAttribute('href')).toBe(`/companies/${kept.id}`);
    expect(await group.getByRole('link', { name: 'DUPCHECK', exact: true }).getAttribute('href')).toBe(`/companies/${other.id}`);
    // The oldest is suggested to stay; the other is chosen to merge.
    expect(await group.getByLabel('Keep Dupcheck Pty Ltd', { exact: true }).isChecked()).toBe(true);
    expect(await group.getByLabel('Merge DUPCHECK', { exact: true }).isChecked()).toBe(true);
    expect(await group.getByLabel('Merge Dupcheck Pty Ltd', { exact: true }).isDisabled()).toBe(true);
    await shot('duplicates');

    await group.getByRole('button', { name: 'Merge 1 company into Dupcheck Pty Ltd' }).click();
    const dialog = page.getByRole('dialog', { name: 'Merge into Dupcheck Pty Ltd?' });
    await dialog.waitFor();
    expect(await dialog.textContent()).toMatch(/DUPCHECK/);
    await dialog.getByRole('button', { name: 'Merge', exact: true }).click();
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'Merged' }).first().textContent()).toMatch(/Merged 1 company into Dupcheck Pty Ltd.*contacts 1/);
    // Reloaded: the group is gone.
    await expect.poll(() => page.locator('.dup-group', { has: page.getByRole('link', { name: 'DUPCHECK', exact: true }) }).count()).toBe(0);

    expect((await rig.api('GET', `/api/v1/companies/${other.id}`, undefined, 200)).archived_at).not.toBeNull();
    const survivor = await rig.api('GET', `/api/v1/companies/${kept.id}`, undefined, 200);
    expect(survivor.archived_at).toBeNull();
    expect(survivor.location).toBe('Adelaide');
    expect((await rig.api('GET', `/api/v1/contacts/${contact.id}`, undefined, 200)).company_id).toBe(kept.id);

    // The contacts tab answers too (none of these are duplicates).
    await page.getByRole('tab', { name: 'Contacts' }).click();
    await expect.poll(() => page.getByRole('tab', { name: 'Contacts' }).getAttribute('aria-selected')).toBe('true');
    await page.getByRole('tabpanel').locator('.empty, .dup-group').first().waitFor();
    expect(dialogs).toEqual([]);
  }, 120_000);

  it('works at a phone width', async () => {
    const phone = await rig.browser.newPage({ viewport: { width: 390, height: 844 } });
    try {
      await phone.context().addCookies(await page.context().cookies());
      for (const path of ['/imports', '/duplicates']) {
        await phone.goto(`${rig.base}${path}`);
        await phone.getByRole('heading', { level: 1 }).waitFor();
        const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        expect(overflow, path).toBeLessThanOrEqual(0);
      }
    } finally {
      await phone.close();
    }
  }, 60_000);
});
