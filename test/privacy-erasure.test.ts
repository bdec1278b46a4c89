/**
 * Erasure (issue 11): a person who appears in every table of the footprint, and is mentioned
 * by name, address and phone in other people's records, a webhook payload, an import's CSV, a
 * stored idempotent response and the audit log, is erased over HTTP. Then every text and JSON
 * column of every table in the database (read from information_schema, not from the code's
 * own list) is searched for their name, email address and phone number: nothing is found.
 * The reports that counted them add up to the same totals; the second person is untouched;
 * the audit log says who erased whom and why, without the data. Refusals: editors, viewers,
 * agents without confirm, a missing reason, an unknown id, a second erasure, and changing or
 * restoring an erased record.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_OPERATOR } from '../src/core/context.ts';
import { identifierPattern, identifiers, scrubText, SCRUB_TABLES, TREATMENT } from '../src/core/privacy/erasure.ts';
import { FOOTPRINT } from '../src/core/privacy/footprint.ts';
import { expectStatus, sendAs, type SignedIn } from './auth.ts';
import { dbSuite } from './db.ts';
import { insertDirect } from './factories.ts';
import { populate, type FixtureEnv } from './privacy-fixture.ts';
import { runCli, serveAsRoles, type RolesServer } from './servers.ts';

type Json = Record<string, any>;

const tag = () => randomBytes(4).toString('hex');

describe('the erasure plan', () => {
  it('says what happens to every footprint table', () => {
    for (const e of FOOTPRINT) if (e.table !== 'audit_log') expect(TREATMENT[e.table], e.table).toBeDefined();
  });

  it('searches for whole names, addresses and phones, never a lone first name', () => {
    const ids = identifiers({ names: ['Pat', 'Pat  Smith'], companyNames: ['Acme'], emails: ['pat@x.example'], phones: ['+61 400 555 019', '12'], urls: ['https://www.linkedin.com/in/pat/'] });
    expect(ids).toContain('Pat Smith');
    expect(ids).not.toContain('Pat');
    expect(ids).toEqual(expect.arrayContaining(['Acme', 'pat@x.example', '+61 400 555 019', '61400555019', 'linkedin.com/in/pat']));
    expect(ids).not.toContain('12');
    expect(identifierPattern([])).toBeNull();
    expect(scrubText('Call PAT   smith (pat@x.example), not Patrick or pat@x.example.org', ids)).toBe('Call [erased] ([erased]), not Patrick or [erased].org');
  });

  it('scrubs every free-text and JSON column but leaves staff identity tables alone', () => {
    const tables = SCRUB_TABLES.map((s) => s.table);
    for (const t of ['notes', 'interactions', 'audit_log', 'email_queue', 'webhook_deliveries', 'import_jobs', 'idempotency_keys']) expect(tables).toContain(t);
    for (const t of ['users', 'sessions', 'api_keys']) expect(tables).not.toContain(t);
    const leads = SCRUB_TABLES.find((s) => s.table === 'leads')!.columns.map((c) => c.name);
    expect(leads).toContain('message');
    expect(leads).not.toContain('status');
  });
});

dbSuite('erasure', ({ database, ctx }) => {
  let rig: RolesServer;
  let base: string;
  let admin: SignedIn;
  let editor: SignedIn;
  let viewer: SignedIn;
  const q = <T = Json>(text: string, params: unknown[] = []) => database().query<T>(text, params);
  const sys = () => ctx({ actor: LOCAL_OPERATOR });
  const env = (): FixtureEnv => ({ q, sys, admin });

  const t1 = tag();
  const pat = { name: `Pat Everywhere ${t1}`, email: `pat.${t1}@everywhere.example`, phone: `+61 400 ${t1.slice(0, 3).replace(/\D/g, '7').padEnd(3, '7')} 019` };
  const t2 = tag();
  const quinn = { name: `Quinn Elsewhere ${t2}`, email: `quinn.${t2}@elsewhere.example` };

  /** Where, in every text and JSON column of the database, a needle appears (as `table.column`). */
  async function findEverywhere(needle: string): Promise<string[]> {
    const cols = await q<{ table_name: string; column_name: string }>(
      `select c.table_name, c.column_name from information_schema.columns c join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
        where c.table_schema = 'public' and t.table_type = 'BASE TABLE' and c.data_type in ('text', 'character varying', 'character', 'json', 'jsonb') order by 1, 2`,
    );
    expect(cols.length).toBeGreaterThan(200);
    const found: string[] = [];
    for (const c of cols) {
      const [row] = await q<{ n: number }>(`select count(*)::int as n from "${c.table_name}" where "${c.column_name}"::text ilike '%' || $1 || '%'`, [needle]);
      if (Number(row!.n) > 0) found.push(`${c.table_name}.${c.column_name}`);
    }
    return found;
  }

  const reports = async (who: SignedIn) => {
    const get = async (url: string) => {
      return (await expectStatus(sendAs(who, 'GET', url))) as Json;
    };
    const range = 'from=2025-01-01&to=2027-12-31';
    return {
      funnel: await get(`/api/v1/insights/funnel?pipeline=lead&${range}`),
      tokens: await get(`/api/v1/insights/aggregate?measure=ai_tokens&group_by=company&${range}`),
      leads: await get(`/api/v1/insights/aggregate?measure=leads&group_by=source&${range}`),
      interactions: await get(`/api/v1/insights/aggregate?measure=interactions&group_by=month&${range}`),
      tickets: await get(`/api/v1/insights/aggregate?measure=tickets_opened&group_by=month&${range}`),
      counts: await q<Json>(
        `select (select count(*) from contacts)::int contacts, (select count(*) from leads)::int leads, (select count(*) from ai_usage)::int usage,
                (select count(*) from interactions)::int interactions, (select count(*) from deals)::int deals, (select count(*) from contact_tasks)::int tasks,
                (select count(*) from audit_log where action <> 'erase')::int audit`,
      ),
    };
  };

  let P: Json;
  let Q: Json;
  let receipt: Json;
  let before: Json;
  let quinnBefore: Record<string, string[]>;

  beforeAll(async () => {
    rig = await serveAsRoles(database());
    ({ base, admin, editor, viewer } = rig);
    P = await populate(env(), pat, `sess-${tag()}`);
    Q = await populate(env(), quinn, `sess-${tag()}`);

    // Pat's phone on their own records, through the API so the audit log holds it too.
    await expectStatus(sendAs(admin, 'PATCH', `/api/v1/contacts/${P.contacts.id}`, { phone: pat.phone, linkedin_url: `https://www.linkedin.com/in/pat-${t1}` }));
    await q(`update leads set phone = $1 where id = $2`, [pat.phone, P.leads.id]);

    // Pat mentioned in other people's records, by name, address and phone.
    const mention = `Met ${pat.name} (${pat.email}, ${pat.phone}) at the expo`;
    await expectStatus(sendAs(admin, 'POST', '/api/v1/notes', { note_type: 'company', related_id: Q.companies.id, note_text: mention }), 201);
    await expectStatus(sendAs(admin, 'PATCH', `/api/v1/interactions/${Q.interactions.id}`, { summary: `Quinn asked about ${pat.name.toUpperCase()}` }), 200);
    const idem = await admin.request('/api/v1/notes', { method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': `k-${tag()}` }, body: JSON.stringify({ note_type: 'company', related_id: Q.companies.id, note_text: `Referral from ${pat.email}` }) });
    expect(idem.status).toBe(201);
    const [sub] = await q<{ id: string }>(`insert into webhook_subscriptions (url, secret_encrypted, events) values ('https://hooks.example/x', 'x', '["contacts.updated"]') returning id`).catch(async () =>
      q<{ id: string }>(`insert into webhook_subscriptions (url, secret_encrypted) values ('https://hooks.example/x', 'x') returning id`),
    );
    await q(`insert into webhook_deliveries (subscription_id, event_type, event_id, payload) values ($1, 'contacts.updated', $2, $3)`, [
      sub!.id,
      randomUUID(),
      JSON.stringify({ data: { name: pat.name, email: pat.email, phone: pat.phone }, other: { name: quinn.name } }),
    ]);
    const csv = `name,email,phone\r\n${pat.name},${pat.email},${pat.phone}\r\n${quinn.name},${quinn.email},\r\n`;
    await q(`insert into import_jobs (created_role, target, mapping, header_signature, csv) values ('admin', 'contacts', '{}', 'name|email|phone', $1)`, [csv]);
    await q(`insert into email_queue ("to", subject, template, data, purpose, status) values ($1, 'AI news', 'campaign', $2, 'marketing_email', 'pending')`, [
      JSON.stringify([pat.email]),
      JSON.stringify({ recipient_name: pat.name }),
    ]);

    before = await reports(admin);
    quinnBefore = { name: await findEverywhere(quinn.name), email: await findEverywhere(quinn.email) };
    expect((await findEverywhere(pat.email)).length).toBeGreaterThan(8);

    receipt = await expectStatus(sendAs(admin, 'POST', `/api/v1/contacts/${P.contacts.id}/erase`, { reason: `Erasure request from ${pat.name} by email` }));
  }, 120_000);

  afterAll(async () => {
    await rig.close();
  });

  it("leaves the person's name, email address and phone number nowhere in the database", async () => {
    for (const needle of [pat.name, pat.email, pat.phone, pat.phone.replace(/\D/g, ''), `pat-${t1}`]) {
      expect(await findEverywhere(needle), needle).toEqual([]);
    }
    // The separately stored first/last name of their lead went with it.
    expect(await findEverywhere(`Everywhere ${t1}`)).toEqual([]);
  }, 120_000);

  it('keeps the totals the reports add up', async () => {
    const after = await reports(admin);
    expect(after.counts).toEqual(before.counts);
    expect(after.funnel).toEqual(before.funnel);
    expect(after.tokens.totals).toEqual(before.tokens.totals);
    // Pat's company keeps its figures; its name held Pat's and now reads "[erased] Pty Ltd".
    const figures = (rows: Json[]) => rows.map((r) => ({ keys: r.keys, value: r.value, currency: r.currency }));
    expect(figures(after.tokens.rows)).toEqual(figures(before.tokens.rows));
    expect(after.leads).toEqual(before.leads);
    expect(after.interactions).toEqual(before.interactions);
    expect(after.tickets).toEqual(before.tickets);
  });

  it('answers a receipt, keeps anonymous rows, deletes rows only about the person, and leaves the other person whole', async () => {
    expect(receipt).toMatchObject({ subject: { kind: 'contact', id: P.contacts.id }, people: { contact_ids: [P.contacts.id], lead_ids: [P.leads.id] } });
    expect(receipt.rows).toMatchObject({ contacts: 1, leads: 1, notes: 1, consents: 1, prospect_research: 1, analytics_events: 2 });
    expect(receipt.scrubbed).toEqual(expect.objectContaining({ notes: 2, interactions: 1, webhook_deliveries: 1, import_jobs: 1, idempotency_keys: 1 }));
    const [c] = await q<Json>('select * from contacts where id = $1', [P.contacts.id]);
    expect(c).toMatchObject({ name: 'Erased person', email: null, phone: null, linkedin_url: null, company_id: P.companies.id });
    expect(c!.erased_at).not.toBeNull();
    expect((await q('select id from ai_usage where contact_id = $1', [P.contacts.id])).length).toBe(1);
    expect((await q('select id from notes where id = $1', [P.notes.id])).length).toBe(0);
    const [mail] = await q<Json>(`select status, "to" from email_queue where purpose = 'marketing_email' and subject = '[erased]'`);
    expect(mail).toMatchObject({ status: 'cancelled', to: [] });
    const [job] = await q<{ csv: string }>(`select csv from import_jobs where header_signature = 'name|email|phone'`);
    expect(job!.csv).toBe(`name,email,phone\r\n${quinn.name},${quinn.email},\r\n`);
    // Quinn is exactly where Quinn was.
    expect(await findEverywhere(quinn.name)).toEqual(quinnBefore.name);
    expect(await findEverywhere(quinn.email)).toEqual(quinnBefore.email);
    const [qc] = await q<Json>('select name, email, erased_at from contacts where id = $1', [Q.contacts.id]);
    expect(qc).toEqual({ name: quinn.name, email: quinn.email, erased_at: null });
  }, 60_000);

  it('audits who erased whom and why, without the data, and blanks the old audit rows without deleting them', async () => {
    const [row] = await q<Json>(`select * from audit_log where action = 'erase' and record_id = $1`, [P.contacts.id]);
    expect(row).toMatchObject({ table_name: 'contacts', operation: 'privacy.erase_contact' });
    expect([row!.actor_id, row!.on_behalf_of]).toContain(admin.user.id);
    expect(row!.after.reason).toBe('Erasure request from [erased] by email');
    expect(row!.after.rows.contacts).toBe(1);
    const trail = await q<Json>(`select before, after, ip_address from audit_log where table_name = 'contacts' and record_id = $1 and action <> 'erase'`, [P.contacts.id]);
    expect(trail.length).toBeGreaterThanOrEqual(2);
    for (const a of trail) expect(a).toEqual({ before: null, after: null, ip_address: null });
    const summary = await expectStatus(sendAs(admin, 'GET', `/api/v1/contacts/${P.contacts.id}/privacy`));
    expect(summary).toMatchObject({ label: 'Erased person', erased_at: expect.any(String) });
    expect(summary.history[0]).toMatchObject({ action: 'erase', operation: 'privacy.erase_contact', detail: expect.objectContaining({ reason: 'Erasure request from [erased] by email' }) });
    // Outside an erasure the log is still append-only.
    await expect(q(`update audit_log set after = null where id = (select id from audit_log limit 1)`)).rejects.toThrow(/append-only/);
  });

  it('refuses to change, restore or erase again an erased record (409)', async () => {
    const patch = await expectStatus(sendAs(admin, 'PATCH', `/api/v1/contacts/${P.contacts.id}`, { name: 'Back again' }), 409);
    expect(patch.detail).toMatch(/was erased on/);
    await expectStatus(sendAs(admin, 'POST', `/api/v1/contacts/${P.contacts.id}/archive`, {}), 200);
    await expectStatus(sendAs(admin, 'POST', `/api/v1/contacts/${P.contacts.id}/restore`, {}), 409);
    await expectStatus(sendAs(admin, 'POST', `/api/v1/contacts/${P.contacts.id}/erase`, { reason: 'twice' }), 409);
  });

  it('refuses editors, viewers, a missing reason and unknown ids', async () => {
    const lone = await insertDirect(sys(), 'leads', { email: `lone.${tag()}@example.com`, first_name: 'Lone', last_name: `Lead ${tag()}` });
    for (const who of [editor, viewer]) await expectStatus(sendAs(who, 'POST', `/api/v1/leads/${lone.id}/erase`, { reason: 'asked' }), 403);
    const missing = await expectStatus(sendAs(admin, 'POST', `/api/v1/leads/${lone.id}/erase`, {}), 400);
    expect(missing.errors).toEqual([expect.objectContaining({ field: 'reason' })]);
    await expectStatus(sendAs(admin, 'POST', `/api/v1/leads/${lone.id}/erase`, { reason: 'x'.repeat(501) }), 400);
    await expectStatus(sendAs(admin, 'POST', `/api/v1/leads/${randomUUID()}/erase`, { reason: 'asked' }), 404);
    await expectStatus(sendAs(admin, 'POST', '/api/v1/companies/not-an-id/erase', { reason: 'asked' }), 404);
    const [still] = await q<Json>('select erased_at from leads where id = $1', [lone.id]);
    expect(still!.erased_at).toBeNull();
  });

  it("over MCP needs confirm from an administrator's agent; the CLI erases a lead", async () => {
    const lone = await insertDirect(sys(), 'leads', { email: `mcp.${tag()}@example.com`, first_name: 'Mona', last_name: `Cee ${tag()}` });
    const adminAgent = await rig.agent(admin);
    const editorAgent = await rig.agent(editor);
    const call = async (client: Client, args: Json) => (await client.callTool({ name: 'act', arguments: args })) as CallToolResult;
    const args = { action: 'privacy.erase_lead', input: { id: lone.id, reason: 'asked by phone' } };
    const unconfirmed = await call(adminAgent, args);
    expect((unconfirmed.structuredContent as Json).error.code).toBe('PRECONDITION_FAILED');
    const refused = await call(editorAgent, { ...args, confirm: true });
    expect(refused.isError).toBe(true);
    expect((await q<Json>('select erased_at from leads where id = $1', [lone.id]))[0]!.erased_at).toBeNull();
    const done = await call(adminAgent, { ...args, confirm: true });
    expect(done.isError ?? false).toBe(false);
    expect((await q<Json>('select email, erased_at from leads where id = $1', [lone.id]))[0]).toMatchObject({ email: null, erased_at: expect.anything() });

    const other = await insertDirect(sys(), 'leads', { email: `cli.${tag()}@example.com`, first_name: 'Cli', last_name: `Ent ${tag()}` });
    const envs = Object.fromEntries(Object.entries(process.env).filter(([k, v]) => v !== undefined && k !== 'DATABASE_URL' && !k.startsWith('THROUGHLINE_'))) as Record<string, string>;
    const r = await runCli({ ...envs, NODE_NO_WARNINGS: '1', THROUGHLINE_URL: base, THROUGHLINE_API_KEY: admin.key }, ['privacy', 'erase-lead', String(other.id), '--reason', 'asked in person']);
    expect(r.code, r.stderr).toBe(0);
    expect((await q<Json>('select erased_at from leads where id = $1', [other.id]))[0]!.erased_at).not.toBeNull();
  }, 60_000);

  it('erasing a company erases its people too', async () => {
    const body = await expectStatus(sendAs(admin, 'POST', `/api/v1/companies/${Q.companies.id}/erase`, { reason: 'the company closed and asked' }));
    expect(body.people.contact_ids).toContain(Q.contacts.id);
    expect(body.people.lead_ids).toContain(Q.leads.id);
    const [co] = await q<Json>('select name, erased_at from companies where id = $1', [Q.companies.id]);
    expect(co!.name).toBe('Erased company');
    expect(co!.erased_at).not.toBeNull();
    for (const needle of [quinn.name, quinn.email]) expect(await findEverywhere(needle), needle).toEqual([]);
  }, 120_000);
});
