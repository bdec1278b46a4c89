/**
 * Browser journeys of the privacy pages (issue 11): an administrator answers a data-protection
 * request from a contact's privacy page (the rows per table are the API summary's, a consent is
 * recorded and withdrawn and shows up as evidence, the archive link is a zip, the erasure waits
 * for the label to be typed back and ends with a receipt and the erased state, checked in the
 * database); the company and lead pages link to theirs; an editor sees and records consent only,
 * a viewer only reads it, and neither gets the summary, the export or the erasure; /privacy lists
 * the retention policies with the API's counts and "Run now" purges what is due. At phone width
 * nothing scrolls sideways; no page throws. Screenshots: privacy-contact, privacy-erased,
 * privacy-editor, privacy-retention, privacy-phone.
 */
import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { sendAs, signIn, type SignedIn } from './auth.ts';
import { pageErrors, shot as saveShot, startBrowserRig, type BrowserRig } from './browser.ts';
import { dbSuite } from './db.ts';

type Json = Record<string, any>;
const XSS = '<img src=x onerror="window.__pwned=1">';
const LINK = 'Privacy: consent, access request, erasure';

dbSuite('browser: privacy pages', ({ database, backend }) => {
  let rig: BrowserRig;
  let admin: SignedIn;
  let viewer: SignedIn;
  const errors: string[] = [];
  const shot = (page: Page, name: string) => saveShot(page, name, backend);
  const sql = async (text: string, params: unknown[] = []) => (await database().query(text, params)) as Json[];
  const client = () => ({ request: (p: string, i?: RequestInit) => fetch(`${rig.base}${p}`, i) });
  /** The API as `who` (their API key), over HTTP. */
  const withKey = (who: SignedIn) => ({ request: (p: string, i?: RequestInit) => fetch(`${rig.base}${p}`, { ...i, headers: { ...(i?.headers as Record<string, string>), authorization: `Bearer ${who.key}` } }) });

  beforeAll(async () => {
    rig = await startBrowserRig(database());
    admin = await signIn(client(), database(), 'admin');
    viewer = await signIn(client(), database(), 'viewer');
  }, 120_000);
  afterAll(async () => {
    await rig?.close();
  });

  /** A page signed in as `who` through the sign-in form, its errors collected for the end of the suite. */
  async function pageAs(who: SignedIn, viewport = { width: 1280, height: 900 }): Promise<{ page: Page; dialogs: string[] }> {
    const page = await rig.browser.newPage({ viewport, acceptDownloads: true });
    const mine = pageErrors(page);
    page.on('close', () => errors.push(...mine));
    const dialogs: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await page.goto(`${rig.base}/`);
    await page.getByLabel('Email').fill(who.user.email);
    await page.getByLabel('Password').fill(who.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    return { page, dialogs };
  }

  /** A company with one contact, a note and an interaction about them: a footprint in several tables. */
  async function arrangePerson(name: string, email: string): Promise<{ company: Json; contact: Json }> {
    const company = await rig.api('POST', '/api/v1/companies', { name: `${name} Holdings` });
    const contact = await rig.api('POST', '/api/v1/contacts', { company_id: company.id, name, email, role_title: 'Director' });
    await rig.api('POST', '/api/v1/notes', { note_type: 'contact', related_id: contact.id, note_text: `Spoke with ${name} about the audit` });
    return { company, contact };
  }

  /** The rows of a table as [data-* key, cells…], read from the page. */
  const keyedRows = (page: Page, table: string, key: string) =>
    page
      .getByRole('table', { name: table, exact: true })
      .locator(`tbody tr[data-${key}]`)
      .evaluateAll((rows, k) => rows.map((r) => [r.getAttribute(`data-${k}`) ?? '', ...[...r.querySelectorAll('td')].map((c) => (c.textContent ?? '').trim())]), key);
  const evidence = (page: Page) =>
    page
      .getByRole('table', { name: 'Evidence', exact: true })
      .locator('tbody tr')
      .evaluateAll((rows) => rows.map((r) => [...r.querySelectorAll('td')].map((c) => (c.textContent ?? '').trim())));
  const purposeRow = (page: Page, purpose: string) => page.getByRole('table', { name: 'Consent per purpose' }).locator(`tr[data-purpose="${purpose}"]`);

  it('lets an administrator answer a request: footprint, consent, archive, erasure with a receipt, and the evidence', async () => {
    const { contact } = await arrangePerson('Pat Privacy', 'pat@privacy.example');
    const { page, dialogs } = await pageAs(admin);
    await page.goto(`${rig.base}/contacts/${contact.id}/privacy`);
    await page.getByRole('heading', { name: 'Pat Privacy', level: 1 }).waitFor();
    expect(await page.getByRole('link', { name: 'Back to the contact' }).getAttribute('href')).toBe(`/contacts/${contact.id}`);
    const headings = await page.locator('main h2').allTextContents();
    expect(headings.slice(0, 5)).toEqual(['Consent', 'Where their data is', 'Access request', 'Erasure', 'Evidence']);

    // Where their data is: the tables holding something, with the counts of the API's summary, and its total.
    const summary = (await sendAs(withKey(admin), 'GET', `/api/v1/contacts/${contact.id}/privacy`)).body as Json;
    expect(summary.tables.contacts).toBe(1);
    expect(summary.tables.notes).toBe(1);
    const held = Object.entries(summary.tables as Record<string, number>).filter(([, n]) => n > 0);
    expect((await keyedRows(page, 'Rows per table', 'table')).sort()).toEqual(held.map(([t, n]) => [t, String(n)]).sort());
    expect(await page.getByRole('table', { name: 'Rows per table' }).locator('tfoot td').textContent()).toBe(String(summary.total_rows));
    // The empty tables are folded away, named.
    const empties = Object.values(summary.tables as Record<string, number>).filter((n) => n === 0).length;
    await page.getByText(`${empties} tables hold nothing about them`).waitFor();
    expect(await purposeRow(page, 'marketing_email').textContent()).toContain('Not given');
    await shot(page, 'privacy-contact');

    // A grant dated in the future is refused beside the date; then recorded for today, with its evidence shown as text.
    const future = new Date(Date.now() + 3 * 86_400_000).toISOString().slice(0, 10);
    const grant = page.locator('form', { has: page.getByRole('heading', { name: 'Record a grant' }) });
    await grant.getByLabel('Purpose', { exact: true }).selectOption('marketing_email');
    await grant.getByLabel('How they agreed').selectOption('email');
    await grant.getByLabel('Evidence').fill(`Replied "yes please" to the newsletter offer ${XSS}`);
    await grant.getByLabel('When they agreed').fill(future);
    await grant.getByRole('button', { name: 'Record consent' }).click();
    await grant.locator('.field.invalid', { hasText: 'When they agreed must not be in the future' }).waitFor();
    expect(await sql(`select count(*)::int as n from consents where contact_id = $1`, [contact.id])).toEqual([{ n: 0 }]);
    await grant.getByLabel('When they agreed').fill('');
    await grant.getByRole('button', { name: 'Record consent' }).click();
    await page.getByText('Marketing email: consent recorded.').waitFor();
    await expect.poll(() => purposeRow(page, 'marketing_email').textContent()).toContain('In force');
    expect(await purposeRow(page, 'marketing_email').textContent()).toContain(`Replied "yes please" to the newsletter offer ${XSS}`);
    expect(await purposeRow(page, 'marketing_email').textContent()).toContain('Email');
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    const adminLabel = `${admin.user.name} <${admin.user.email}>`;
    await expect.poll(async () => (await evidence(page))[0]?.slice(1)).toEqual(['Consent recorded', adminLabel, 'Marketing email · Email']);
    const [granted] = await sql(`select purpose, method, withdrawn_at from consents where contact_id = $1`, [contact.id]);
    expect(granted).toMatchObject({ purpose: 'marketing_email', method: 'email', withdrawn_at: null });

    // Withdrawn: the state and the evidence say so, and so does the database.
    const withdraw = page.locator('form', { has: page.getByRole('heading', { name: 'Withdraw' }) });
    await withdraw.getByLabel('Purpose to withdraw').selectOption('marketing_email');
    await withdraw.getByLabel('How they withdrew').selectOption('phone');
    await withdraw.getByLabel('Note').fill('Called to say stop');
    await withdraw.getByRole('button', { name: 'Withdraw consent' }).click();
    await page.getByText('Marketing email: withdrawn.').waitFor();
    await expect.poll(() => purposeRow(page, 'marketing_email').textContent()).toContain('Withdrawn');
    expect(await purposeRow(page, 'marketing_email').textContent()).toContain('Phone');
    await expect.poll(async () => (await evidence(page))[0]?.slice(1)).toEqual(['Consent withdrawn', adminLabel, 'Marketing email · Phone · Called to say stop']);
    const [ended] = await sql(`select withdrawn_at, withdrawal_method from consents where contact_id = $1`, [contact.id]);
    expect(ended!.withdrawn_at).not.toBeNull();
    expect(ended!.withdrawal_method).toBe('phone');
    // The history, folded, lists the grant with its withdrawal.
    await page.getByText('Consent history (1 grant)').click();
    expect(await page.getByRole('list', { name: 'Consent history' }).textContent()).toContain('withdrawn');

    // The archive: the link's target is a zip; following it downloads one and the evidence names the file.
    const archive = page.getByRole('link', { name: 'Download the archive (zip)' });
    const href = (await archive.getAttribute('href'))!;
    expect(href).toBe(`/api/v1/contacts/${contact.id}/access_export`);
    const fetched = await page.evaluate(async (url) => {
      const r = await fetch(url, { credentials: 'same-origin' });
      const bytes = new Uint8Array(await r.arrayBuffer());
      return { status: r.status, type: r.headers.get('content-type'), magic: String.fromCharCode(bytes[0]!, bytes[1]!), size: bytes.length };
    }, href);
    expect(fetched).toMatchObject({ status: 200, type: expect.stringContaining('application/zip'), magic: 'PK' });
    expect(fetched.size).toBeGreaterThan(100);
    const [download] = await Promise.all([page.waitForEvent('download'), archive.click()]);
    const file = download.suggestedFilename();
    expect(file).toMatch(/\.zip$/);
    await expect.poll(async () => (await evidence(page))[0]?.slice(1, 3)).toEqual(['Access export', adminLabel]);
    // The line names the file and the rows the archive holds, as the export's audit row counts them.
    const [exported] = await sql(`select after from audit_log where action = 'export' and record_id = $1 order by at desc, id desc limit 1`, [contact.id]);
    const archived = Object.values(exported!.after.rows as Record<string, number>).reduce((x, y) => x + y, 0);
    expect(archived).toBeGreaterThanOrEqual(summary.total_rows + 1);
    expect((await evidence(page))[0]![3]).toBe(`${file} · ${archived} rows`);
    expect(await sql(`select count(*)::int as n from audit_log where action = 'export' and record_id = $1`, [contact.id])).toEqual([{ n: 2 }]);

    // Erasure: the button sleeps until the label is typed back exactly; a reason too long is refused beside the field.
    const erase = page.getByRole('button', { name: 'Erase Pat Privacy' });
    expect(await erase.isDisabled()).toBe(true);
    await page.getByLabel('Reason').fill('x'.repeat(501));
    await page.getByLabel('Type “Pat Privacy” to confirm').fill('pat privacy');
    expect(await erase.isDisabled()).toBe(true);
    await page.getByLabel('Type “Pat Privacy” to confirm').fill('Pat Privacy');
    expect(await erase.isDisabled()).toBe(false);
    await erase.click();
    await page.locator('.field.invalid', { hasText: 'Reason must be at most 500 characters' }).waitFor();
    expect(await sql(`select erased_at from contacts where id = $1`, [contact.id])).toEqual([{ erased_at: null }]);
    await page.getByLabel('Reason').fill('Erasure request by email of 3 May');
    await erase.click();
    await page.getByRole('table', { name: 'Erasure receipt' }).waitFor();
    await page.getByRole('heading', { name: /Erased person/, level: 1 }).waitFor();
    expect(await page.getByRole('heading', { level: 1 }).locator('.badge').textContent()).toMatch(/^Erased on /);

    // The receipt is the erasure's own answer, as audited; the database says the contact is erased.
    const [audit] = await sql(`select after from audit_log where action = 'erase' and record_id = $1`, [contact.id]);
    const after = audit!.after as { rows: Record<string, number>; scrubbed: Record<string, number>; reason: string };
    expect(after.reason).toBe('Erasure request by email of 3 May');
    const receipt = await keyedRows(page, 'Erasure receipt', 'table');
    const tables = [...new Set([...Object.keys(after.rows), ...Object.keys(after.scrubbed)])].filter((t) => (after.rows[t] ?? 0) > 0 || (after.scrubbed[t] ?? 0) > 0);
    expect(receipt.map((r) => r[0]).sort()).toEqual(tables.sort());
    for (const [t, erased, scrubbed] of receipt) {
      expect(erased).toBe(String(after.rows[t!] ?? 0));
      expect(scrubbed).toBe(String(after.scrubbed[t!] ?? 0));
    }
    expect(after.rows.contacts).toBe(1);
    const [row] = await sql(`select name, email, erased_at from contacts where id = $1`, [contact.id]);
    expect(row!.erased_at).not.toBeNull();
    expect(row!.name).not.toContain('Pat');
    expect(row!.email).toBeNull();
    // No erase controls once erased, nor consent forms; the evidence leads with the erasure and its reason.
    expect(await page.getByRole('button', { name: /^Erase / }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Record consent' }).count()).toBe(0);
    await expect.poll(async () => (await evidence(page))[0]?.slice(1, 3)).toEqual(['Erasure', adminLabel]);
    expect((await evidence(page))[0]![3]).toMatch(/^“Erasure request by email of 3 May” · \d+ rows$/);
    await shot(page, 'privacy-erased');
    // Reloaded, the page still shows the erased state and no erase form.
    await page.reload();
    await page.getByRole('heading', { name: /Erased person/, level: 1 }).waitFor();
    expect(await page.getByRole('heading', { level: 1 }).locator('.badge').textContent()).toMatch(/^Erased on /);
    await page.getByText(/was erased on/).waitFor();
    await page.getByText('The person is erased: their consents were deleted').waitFor();
    expect(await page.getByRole('table', { name: 'Consent per purpose' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: /^Erase / }).count()).toBe(0);

    // An id nobody holds: the server's refusal, not a page.
    await page.goto(`${rig.base}/contacts/${randomUUID()}/privacy`);
    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('heading', { name: 'Consent', exact: true }).count()).toBe(0);
    expect(dialogs).toEqual([]);
    await page.close();
  }, 180_000);

  it('links the company, contact and lead pages to their privacy pages', async () => {
    const { company, contact } = await arrangePerson('Cora Linkwell', 'cora@linkwell.example');
    const lead = await rig.api('POST', '/api/v1/leads', { first_name: 'Lou', last_name: 'Leadbetter', email: 'lou@leads.example', company_name: 'Lead Co' });
    const { page } = await pageAs(admin);
    await page.goto(`${rig.base}/companies/${company.id}`);
    await page.getByRole('link', { name: LINK }).click();
    await expect.poll(() => new URL(page.url()).pathname).toBe(`/companies/${company.id}/privacy`);
    await page.getByRole('heading', { name: 'Cora Linkwell Holdings', level: 1 }).waitFor();
    await page.getByRole('heading', { name: 'Where their data is' }).waitFor();
    // A company has no consent of its own; its footprint covers its people.
    expect(await page.getByRole('heading', { name: 'Consent', exact: true }).count()).toBe(0);
    const summary = (await sendAs(withKey(admin), 'GET', `/api/v1/companies/${company.id}/privacy`)).body as Json;
    expect(summary.tables.contacts).toBe(1);
    expect(await page.getByRole('table', { name: 'Rows per table' }).locator('tfoot td').textContent()).toBe(String(summary.total_rows));
    // The direct archive link stays on the company page for an administrator.
    await page.goto(`${rig.base}/companies/${company.id}`);
    expect(await page.getByRole('link', { name: 'download everything we hold' }).getAttribute('href')).toBe(`/api/v1/companies/${company.id}/access_export`);

    await page.goto(`${rig.base}/contacts/${contact.id}`);
    await page.getByRole('link', { name: LINK }).click();
    await expect.poll(() => new URL(page.url()).pathname).toBe(`/contacts/${contact.id}/privacy`);
    await page.getByRole('heading', { name: 'Cora Linkwell', level: 1 }).waitFor();

    await page.goto(`${rig.base}/leads/${lead.id}`);
    await page.getByRole('link', { name: LINK }).click();
    await expect.poll(() => new URL(page.url()).pathname).toBe(`/leads/${lead.id}/privacy`);
    await page.getByRole('heading', { name: 'Lou Leadbetter', level: 1 }).waitFor();
    await page.getByRole('heading', { name: 'Consent', exact: true }).waitFor();
    expect(await purposeRow(page, 'survey').textContent()).toContain('allowed unless withdrawn');
    // A lead's consent is recorded on the lead.
    const grant = page.locator('form', { has: page.getByRole('heading', { name: 'Record a grant' }) });
    await grant.getByLabel('Purpose', { exact: true }).selectOption('survey');
    await grant.getByRole('button', { name: 'Record consent' }).click();
    await expect.poll(() => purposeRow(page, 'survey').textContent()).toContain('In force');
    expect(await sql(`select lead_id, purpose, method from consents where lead_id = $1`, [lead.id])).toEqual([{ lead_id: lead.id, purpose: 'survey', method: 'form' }]);
    await page.close();
  }, 180_000);

  it('shows an editor the consent section only, where they record consent, and a viewer only reads it', async () => {
    const { company, contact } = await arrangePerson('Eddie Consent', 'eddie@consent.example');
    const { page } = await pageAs(rig.editor);
    await page.goto(`${rig.base}/contacts/${contact.id}`);
    await page.getByRole('link', { name: LINK }).click();
    await page.getByRole('heading', { name: 'Eddie Consent', level: 1 }).waitFor();
    await page.getByRole('heading', { name: 'Consent', exact: true }).waitFor();
    await page.getByText('are for administrators').waitFor();
    expect(await page.locator('main h2').allTextContents()).toEqual(['Consent']);
    expect(await page.getByRole('link', { name: /archive/ }).count()).toBe(0);
    expect(await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Privacy' }).count()).toBe(0);
    const grant = page.locator('form', { has: page.getByRole('heading', { name: 'Record a grant' }) });
    await grant.getByLabel('Purpose', { exact: true }).selectOption('marketing_email');
    await grant.getByLabel('How they agreed').selectOption('in_person');
    await grant.getByLabel('Evidence').fill('Signed the sheet at the workshop');
    await grant.getByRole('button', { name: 'Record consent' }).click();
    await expect.poll(() => purposeRow(page, 'marketing_email').textContent()).toContain('In force');
    expect(await sql(`select method, evidence, withdrawn_at from consents where contact_id = $1`, [contact.id])).toEqual([{ method: 'in_person', evidence: 'Signed the sheet at the workshop', withdrawn_at: null }]);
    await shot(page, 'privacy-editor');
    // The company page offers an editor no privacy page (all it would hold is for administrators); the API refuses them.
    await page.goto(`${rig.base}/companies/${company.id}`);
    await page.getByRole('heading', { name: 'Eddie Consent Holdings', level: 1 }).waitFor();
    expect(await page.getByRole('link', { name: LINK }).count()).toBe(0);
    for (const path of [`/api/v1/contacts/${contact.id}/privacy`, `/api/v1/contacts/${contact.id}/access_export`, '/api/v1/privacy/retention']) {
      expect((await sendAs(withKey(rig.editor), 'GET', path)).status).toBe(403);
    }
    expect((await sendAs(withKey(rig.editor), 'POST', `/api/v1/contacts/${contact.id}/erase`, { reason: 'asked to' })).status).toBe(403);

    // Another user's record, when editors see only their own: the page is the server's refusal, with no consent form.
    const theirs = (await sendAs(withKey(admin), 'POST', '/api/v1/contacts', { name: 'Olive Otheruser', email: 'olive@other.example', owner_id: admin.user.id })).body as Json;
    expect((await sendAs(withKey(admin), 'PATCH', '/api/v1/settings', { record_visibility: 'own' })).status).toBe(200);
    try {
      await page.goto(`${rig.base}/contacts/${theirs.id}/privacy`);
      await page.getByRole('alert').waitFor();
      expect(await page.getByRole('heading', { name: 'Olive Otheruser' }).count()).toBe(0);
      expect(await page.getByRole('button', { name: 'Record consent' }).count()).toBe(0);
      expect((await sendAs(withKey(rig.editor), 'POST', '/api/v1/consents', { contact_id: theirs.id, purpose: 'marketing_email', method: 'form' })).status).toBe(400);
    } finally {
      expect((await sendAs(withKey(admin), 'PATCH', '/api/v1/settings', { record_visibility: 'all' })).status).toBe(200);
    }
    expect(await sql(`select count(*)::int as n from consents where contact_id = $1`, [theirs.id])).toEqual([{ n: 0 }]);
    await page.close();

    // A viewer reads the same consent, with no form to change it.
    const { page: vpage } = await pageAs(viewer);
    await vpage.goto(`${rig.base}/contacts/${contact.id}/privacy`);
    await vpage.getByRole('heading', { name: 'Consent', exact: true }).waitFor();
    await expect.poll(() => purposeRow(vpage, 'marketing_email').textContent()).toContain('In force');
    expect(await purposeRow(vpage, 'marketing_email').textContent()).toContain('Signed the sheet at the workshop');
    expect(await vpage.getByRole('button', { name: 'Record consent' }).count()).toBe(0);
    expect(await vpage.getByRole('button', { name: 'Withdraw consent' }).count()).toBe(0);
    await vpage.getByText('are for administrators').waitFor();
    expect(await vpage.locator('main h2').allTextContents()).toEqual(['Consent']);
    expect((await sendAs(withKey(viewer), 'POST', '/api/v1/consents/withdraw', { contact_id: contact.id, purpose: 'marketing_email', method: 'email' })).status).toBe(403);
    // /privacy is for administrators: a viewer is told so, and nothing is listed.
    await vpage.goto(`${rig.base}/privacy`);
    await vpage.getByText('The retention policies are for administrators.').waitFor();
    expect(await vpage.getByRole('button', { name: 'Run now' }).count()).toBe(0);
    await vpage.close();
  }, 180_000);

  it('lists the retention policies with the API counts, and Run now purges what is due', async () => {
    // Three analytics events from long ago are due; sessions are kept forever.
    for (let i = 0; i < 3; i++) await sql(`insert into analytics_events (event, properties, session_id, created_at) values ('page_view', '{}', $1, $2)`, [`old-${i}`, `2001-01-0${i + 1}T10:00:00Z`]);
    expect((await sendAs(withKey(admin), 'PATCH', '/api/v1/settings', { retention: { sessions_days: null } })).status).toBe(200);
    const { page, dialogs } = await pageAs(admin);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Privacy' }).click();
    await page.getByRole('heading', { name: 'Privacy: retention', level: 1 }).waitFor();
    await page.getByRole('list', { name: 'Retention policies' }).waitFor();
    const preview = (await sendAs(withKey(admin), 'GET', '/api/v1/privacy/retention')).body as Json;
    const due = () => page.locator('li[data-policy]').evaluateAll((els) => els.map((e) => [e.getAttribute('data-policy'), e.querySelector('.pv-due')?.textContent ?? '']));
    expect(await due()).toEqual(preview.policies.map((p: Json) => [p.policy, String(p.due)]));
    const events = preview.policies.find((p: Json) => p.policy === 'analytics_events');
    expect(events.due).toBeGreaterThanOrEqual(3);
    const card = page.locator('li[data-policy="analytics_events"]');
    expect(await card.textContent()).toContain('395 days');
    expect(await card.textContent()).toContain(events.description);
    expect(await card.getByRole('list').locator('code').allTextContents()).toEqual(events.ids.slice(0, 5));
    expect(await page.locator('li[data-policy="sessions"]').textContent()).toContain('Kept forever');
    await shot(page, 'privacy-retention');

    // Run now asks first; cancelled, nothing changes.
    await page.getByRole('button', { name: 'Run now' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
    expect(await sql(`select count(*)::int as n from analytics_events where created_at < '2002-01-01'`)).toEqual([{ n: 3 }]);
    await page.getByRole('button', { name: 'Run now' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Run the policies' }).click();
    await page.getByRole('table', { name: 'Retention run' }).waitFor();
    const run = await keyedRows(page, 'Retention run', 'policy');
    expect(run.find((r) => r[0] === 'analytics_events')).toEqual(['analytics_events', String(events.due), '0']);
    expect(run.find((r) => r[0] === 'sessions')?.[2]).toBe('kept forever');
    await expect.poll(async () => (await due()).find((d) => d[0] === 'analytics_events')?.[1]).toBe('0');
    const afterRun = (await sendAs(withKey(admin), 'GET', '/api/v1/privacy/retention')).body as Json;
    expect(afterRun.policies.find((p: Json) => p.policy === 'analytics_events').due).toBe(0);
    expect(await sql(`select count(*)::int as n from analytics_events where created_at < '2002-01-01'`)).toEqual([{ n: 0 }]);
    expect(dialogs).toEqual([]);
    await page.close();
  }, 180_000);

  it('fits a phone: no sideways scroll on the privacy page or the retention page', async () => {
    const { contact } = await arrangePerson('Phoebe Narrowscreen-Withaverylongname', 'phoebe.narrowscreen.withaverylongaddress@privacy-phone.example');
    const { page } = await pageAs(admin, { width: 390, height: 844 });
    await page.goto(`${rig.base}/contacts/${contact.id}/privacy`);
    await page.getByRole('heading', { name: 'Evidence' }).waitFor();
    await page.getByRole('table', { name: 'Rows per table' }).waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await shot(page, 'privacy-phone');
    await page.goto(`${rig.base}/privacy`);
    await page.getByRole('list', { name: 'Retention policies' }).waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.close();
    // Every page of the suite closed without an uncaught error.
    expect(errors).toEqual([]);
  }, 180_000);
});
