/**
 * Retention policies (issue 11): rows on both sides of every policy's cutoff, a preview at a
 * fixed `now`, a run at the same `now`, and the run must remove exactly what the preview listed
 * (ids per policy, in order) and nothing else: the rows kept are unchanged, field for field,
 * erased leads keep their rows (erased_at set) so report counts do not move, and each policy
 * that removed something wrote one audit row (action purge) with ids and counts, never personal
 * data. Then the setting (validation per field, merging, null keeps forever), the cap per run,
 * the surfaces (administrators only over HTTP, agents must confirm over MCP, the CLI's verbs)
 * and the worker's drain.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { LOCAL_OPERATOR, type Ctx } from '../src/core/context.ts';
import { funnelInsight } from '../src/core/insights/funnel.ts';
import { RETENTION_DEFAULTS, updateSettings } from '../src/core/platform/settings.ts';
import { applyRetention, CLEARED_EMAIL_SUBJECT, ERASURES_PER_RUN, previewRetention, RETENTION_POLICY_KEYS, type RetentionPolicyKey } from '../src/core/privacy/retention.ts';
import { createWorker, type WorkerLog } from '../src/worker/worker.ts';
import { retentionDrain, RETENTION_INTERVAL_MS } from '../src/worker/retention-drain.ts';
import { expectStatus, sendAs, type SignedIn } from './auth.ts';
import { counts, dbSuite } from './db.ts';
import { createValid } from './factories.ts';
import { runCli, serveAsRoles, type RolesServer } from './servers.ts';

type Json = Record<string, any>;
const DAY = 86_400_000;
const MESSAGE = 'must be a whole number of days from 1 to 36500, or null to keep forever';

dbSuite('retention policies', ({ database, ctx }) => {
  let rig: RolesServer;
  let base: string;
  let admin: SignedIn;
  let editor: SignedIn;
  let viewer: SignedIn;
  /** The instant every preview and run of the main scenario is made at; the HTTP surfaces run a moment later, which no row is that close to. */
  const NOW = new Date();
  const at = (now: Date = NOW): Ctx => ctx({ actor: LOCAL_OPERATOR, now: () => now });
  const ago = (days: number, minutes = 0) => new Date(NOW.getTime() - days * DAY - minutes * 60_000).toISOString();
  const q = <T = Json>(text: string, params: unknown[] = []) => database().query<T>(text, params);
  const id = async (text: string, params: unknown[] = []) => (await q<{ id: string }>(`${text} returning id::text as id`, params))[0]!.id;
  const tag = randomBytes(3).toString('hex');

  beforeAll(async () => {
    rig = await serveAsRoles(database());
    ({ base, admin, editor, viewer } = rig);
  });

  afterAll(async () => {
    await rig.close();
  });

  // -------------------------------------------------------------------------
  // Rows on both sides of each cutoff

  const event = (days: number, minutes = 0) => id(`insert into analytics_events (event, ip_address, user_agent, created_at) values ('page_view', '203.0.113.0', 'test', $1)`, [ago(days, minutes)]);
  const email = (status: string, opts: { sent?: number; updated: number; cleared?: boolean }) =>
    id(
      `insert into email_queue ("to", subject, template, data, status, sent_at, next_attempt_at, created_at, updated_at) values ($1::jsonb, $2, 'welcome', $3::jsonb, $4, $5, null, $6, $6)`,
      [
        JSON.stringify([`mail.${randomBytes(3).toString('hex')}@recipient.example`]),
        opts.cleared ? CLEARED_EMAIL_SUBJECT : `Welcome aboard, Robin ${tag}`,
        JSON.stringify(opts.cleared ? {} : { recipient_name: `Robin ${tag}`, audience: 'client', company_name: 'Robin Pty' }),
        status,
        opts.sent === undefined ? null : ago(opts.sent),
        ago(Math.max(opts.updated, opts.sent ?? 0)),
      ],
    );
  const delivery = (subscription: string, status: string, opts: { delivered?: number; updated: number }) =>
    id(
      `insert into webhook_deliveries (subscription_id, event_type, event_id, payload, status, delivered_at, next_attempt_at, created_at, updated_at) values ($1, 'lead.created', $2, '{"data":{"email":"x@payload.example"}}'::jsonb, $3, $4, null, $5, $5)`,
      [subscription, randomUUID(), status, opts.delivered === undefined ? null : ago(opts.delivered), ago(Math.max(opts.updated, opts.delivered ?? 0))],
    );
  const session = (userId: string, expires: number, revoked?: number) =>
    id(`insert into sessions (user_id, token_hash, expires, created_at, revoked_at, ip_address) values ($1, $2, $3, $4, $5, '203.0.113.0')`, [
      userId,
      randomBytes(32).toString('hex'),
      ago(expires),
      ago(Math.max(expires, revoked ?? 0) + 1),
      revoked === undefined ? null : ago(revoked),
    ]);
  const lead = (name: string, opts: { updated: number; status?: string; archived?: number; contact?: string }) =>
    id(
      `insert into leads (email, first_name, last_name, status, source, created_at, updated_at, archived_at, converted_contact_id, converted_at) values ($1, $2, 'Lead', $3, 'website', $4, $4, $5, $6, $7)`,
      [
        `${name.toLowerCase()}.${tag}@lead.example`,
        `${name}${tag}`,
        opts.status ?? 'new',
        ago(opts.updated),
        opts.archived === undefined ? null : ago(opts.archived),
        opts.contact ?? null,
        opts.contact ? ago(opts.updated) : null,
      ],
    );
  const interaction = (leadId: string, days: number) =>
    id(`insert into interactions (lead_id, type, interaction_date, created_at, updated_at) values ($1, 'cold_email', $2, $2, $2)`, [leadId, ago(days)]);
  const contact = (name: string, archived?: number) =>
    id(`insert into contacts (name, email, archived_at, created_at, updated_at) values ($1, $2, $3, $4, $4)`, [
      `${name} ${tag}`,
      `${name.toLowerCase()}.${tag}@contact.example`,
      archived === undefined ? null : ago(archived),
      ago((archived ?? 0) + 10),
    ]);
  const company = (name: string, archived?: number) =>
    id(`insert into companies (name, archived_at, created_at, updated_at) values ($1, $2, $3, $3)`, [`${name} ${tag} Pty`, archived === undefined ? null : ago(archived), ago((archived ?? 0) + 10)]);
  const note = (archived?: number, minutes = 0) =>
    id(`insert into notes (note_text, archived_at, created_at, updated_at) values ('a note', $1, $2, $2)`, [archived === undefined ? null : ago(archived, minutes), ago((archived ?? 0) + 10)]);

  type Seeded = { due: Record<RetentionPolicyKey, string[]>; kept: Record<string, string[]> };

  /** For every policy, rows just past its default period (due) and just inside it or of another kind (kept). */
  async function seed(): Promise<Seeded> {
    const d = RETENTION_DEFAULTS;
    const subscription = await id(`insert into webhook_subscriptions (url, event_types, secret_encrypted) values ('https://hooks.example/x', '{lead.created}', 'not-a-secret')`);
    const converted = await contact('Converted');
    const due: Seeded['due'] = {
      analytics_events: [await event(d.analytics_events_days + 1), await event(d.analytics_events_days + 2)],
      email_bodies: [
        await email('sent', { sent: d.email_bodies_days + 1, updated: d.email_bodies_days + 1 }),
        await email('dead', { updated: d.email_bodies_days + 2 }),
        await email('cancelled', { updated: d.email_bodies_days + 3 }),
      ],
      webhook_deliveries: [await delivery(subscription, 'succeeded', { delivered: d.webhook_deliveries_days + 1, updated: d.webhook_deliveries_days + 1 }), await delivery(subscription, 'dead', { updated: d.webhook_deliveries_days + 2 })],
      sessions: [await session(admin.user.id, d.sessions_days + 1), await session(admin.user.id, -5, d.sessions_days + 2)],
      unconverted_leads: [],
      archived_records: [],
    };
    const stale = await lead('Stale', { updated: d.unconverted_leads_days + 1 });
    const lost = await lead('Lost', { updated: d.unconverted_leads_days + 3, status: 'lost' });
    const oldTalk = await lead('Oldtalk', { updated: d.unconverted_leads_days + 5 });
    await interaction(oldTalk, d.unconverted_leads_days + 2);
    due.unconverted_leads = [stale, lost, oldTalk];
    due.archived_records = [await contact('Archivedcontact', d.archived_records_days + 1), await lead('Archivedlead', { updated: 5, archived: d.archived_records_days + 2 }), await company('Archivedco', d.archived_records_days + 3), await note(d.archived_records_days + 4)];

    const talking = await lead('Talking', { updated: d.unconverted_leads_days + 10 });
    await interaction(talking, 100);
    const kept = {
      analytics_events: [await event(d.analytics_events_days - 1)],
      email_queue: [
        await email('sent', { sent: d.email_bodies_days - 1, updated: d.email_bodies_days - 1 }),
        await email('pending', { updated: d.email_bodies_days + 30 }),
        await email('failed', { updated: d.email_bodies_days + 30 }),
        await email('sent', { sent: d.email_bodies_days + 30, updated: d.email_bodies_days + 30, cleared: true }),
      ],
      webhook_deliveries: [
        await delivery(subscription, 'succeeded', { delivered: d.webhook_deliveries_days - 1, updated: d.webhook_deliveries_days - 1 }),
        await delivery(subscription, 'failed', { updated: d.webhook_deliveries_days + 30 }),
        await delivery(subscription, 'pending', { updated: d.webhook_deliveries_days + 30 }),
      ],
      sessions: [await session(admin.user.id, d.sessions_days - 1), await session(admin.user.id, -5), await session(admin.user.id, -5, d.sessions_days - 1)],
      leads: [
        await lead('Young', { updated: d.unconverted_leads_days - 1 }),
        talking,
        await lead('Won', { updated: d.unconverted_leads_days + 10, status: 'converted', contact: converted }),
        // Archived: the archived_records policy's, and archived too recently for it.
        await lead('Shelved', { updated: d.unconverted_leads_days + 10, archived: d.archived_records_days - 1 }),
      ],
      contacts: [converted, await contact('Recentlyarchived', d.archived_records_days - 1), await contact('Active')],
      companies: [await company('Recentlyarchivedco', d.archived_records_days - 1), await company('Activeco')],
      notes: [await note(d.archived_records_days - 1), await note()],
    };
    return { due, kept };
  }

  /** Every row of the kept ids, whole, to compare before and after. */
  async function snapshot(kept: Record<string, string[]>): Promise<Record<string, Json[]>> {
    const out: Record<string, Json[]> = {};
    for (const [table, ids] of Object.entries(kept)) out[table] = await q(`select * from ${table} where id = any($1::uuid[]) order by id`, [ids]);
    return out;
  }

  const leadFunnel = async () => (await funnelInsight(at(), { pipeline: 'lead' })).stages.map((s) => ({ key: s.key, current: s.current, entered: s.entered }));
  const OTHER_TABLES = ['companies', 'contacts', 'leads', 'deals', 'interactions', 'status_history', 'users', 'api_keys', 'webhook_subscriptions', 'pipeline_stages'];

  it('removes exactly what the preview listed, keeps everything else unchanged, erases leads in place and audits each policy', async () => {
    const { due, kept } = await seed();
    const archivedDeal = await createValid('deals', { ctx: at() });
    await q(`update deals set archived_at = $1 where id = $2`, [ago(400), archivedDeal.id]);

    const preview = await previewRetention(at());
    expect(preview.policies.map((p) => p.policy)).toEqual([...RETENTION_POLICY_KEYS]);
    for (const p of preview.policies) {
      expect(p.days, p.policy).toBe(RETENTION_DEFAULTS[`${p.policy}_days` as keyof typeof RETENTION_DEFAULTS]);
      expect(p.cutoff, p.policy).toBe(new Date(NOW.getTime() - p.days! * DAY).toISOString());
      expect(new Set(p.ids), p.policy).toEqual(new Set(due[p.policy]));
      expect(p.due, p.policy).toBe(due[p.policy].length);
      expect(p.next_run, p.policy).toBe(p.due);
      expect(p.truncated, p.policy).toBe(false);
      expect(p.description.length, p.policy).toBeGreaterThan(40);
    }
    expect(preview.policies.find((p) => p.policy === 'archived_records')!.tables).toEqual({ contacts: 1, leads: 1, companies: 1, notes: 1 });
    // Oldest first (the later of the last change and the newest interaction): the run takes them in this order.
    expect(preview.policies.find((p) => p.policy === 'unconverted_leads')!.ids).toEqual([due.unconverted_leads[1], due.unconverted_leads[2], due.unconverted_leads[0]]);

    const before = await snapshot({ ...kept, deals: [String(archivedDeal.id)] });
    const otherCounts = await counts(database(), OTHER_TABLES);
    const funnel = await leadFunnel();
    const purgesBefore = (await q<{ n: number }>(`select count(*)::int as n from audit_log where action = 'purge'`))[0]!.n;

    const run = await applyRetention(at());
    for (const p of preview.policies) {
      const r = run.policies.find((x) => x.policy === p.policy)!;
      expect(r.ids, p.policy).toEqual(p.ids.slice(0, p.next_run));
      expect(r.purged, p.policy).toBe(p.due);
      expect(r.remaining, p.policy).toBe(0);
      expect(r.cutoff, p.policy).toBe(p.cutoff);
    }
    expect(run.purged).toBe(Object.values(due).flat().length);

    // Deleted, cleared, erased: exactly the listed rows.
    expect(await q(`select id from analytics_events where id = any($1::uuid[])`, [due.analytics_events])).toEqual([]);
    expect(await q(`select id from webhook_deliveries where id = any($1::uuid[])`, [due.webhook_deliveries])).toEqual([]);
    expect(await q(`select id from sessions where id = any($1::uuid[])`, [due.sessions])).toEqual([]);
    expect(await q(`select id from notes where id = $1`, [due.archived_records[3]])).toEqual([]);
    const mails = await q(`select subject, data, status, "to" from email_queue where id = any($1::uuid[])`, [due.email_bodies]);
    expect(mails).toHaveLength(3);
    for (const m of mails) {
      expect(m).toMatchObject({ subject: CLEARED_EMAIL_SUBJECT, data: {} });
      expect(m.to).toHaveLength(1);
    }
    expect(new Set(mails.map((m) => m.status))).toEqual(new Set(['sent', 'dead', 'cancelled']));
    const erasedLeads = await q(`select id::text as id, email, first_name, status, erased_at from leads where id = any($1::uuid[]) order by id`, [[...due.unconverted_leads, due.archived_records[1]]]);
    expect(erasedLeads).toHaveLength(4);
    for (const l of erasedLeads) expect(l).toMatchObject({ email: null, first_name: null, erased_at: expect.any(Date) });
    expect(new Set(erasedLeads.map((l) => l.status))).toEqual(new Set(['new', 'lost']));
    const [c] = await q(`select name, email, erased_at from contacts where id = $1`, [due.archived_records[0]]);
    expect(c).toMatchObject({ name: 'Erased person', email: null, erased_at: expect.any(Date) });
    const [co] = await q(`select name, erased_at from companies where id = $1`, [due.archived_records[2]]);
    expect(co).toMatchObject({ name: 'Erased company', erased_at: expect.any(Date) });

    // Nothing else changed: the kept rows field for field, the other tables' counts, the lead funnel.
    expect(await snapshot({ ...kept, deals: [String(archivedDeal.id)] })).toEqual(before);
    expect(await counts(database(), OTHER_TABLES)).toEqual(otherCounts);
    expect(await leadFunnel()).toEqual(funnel);

    // One purge row per table a policy removed from, with ids and counts and nothing about anyone.
    const audit = await q<{ table_name: string; after: Json; operation: string; record_id: string | null }>(
      `select table_name, after, operation, record_id from audit_log where action = 'purge' order by at, table_name`,
    );
    expect(audit).toHaveLength(purgesBefore + 9);
    const byPolicy = (policy: string, table: string) => audit.find((a) => a.after.policy === policy && a.table_name === table)!;
    const expected: Array<[RetentionPolicyKey, string, string[]]> = [
      ['analytics_events', 'analytics_events', due.analytics_events],
      ['email_bodies', 'email_queue', due.email_bodies],
      ['webhook_deliveries', 'webhook_deliveries', due.webhook_deliveries],
      ['sessions', 'sessions', due.sessions],
      ['unconverted_leads', 'leads', due.unconverted_leads],
      ['archived_records', 'contacts', [due.archived_records[0]!]],
      ['archived_records', 'leads', [due.archived_records[1]!]],
      ['archived_records', 'companies', [due.archived_records[2]!]],
      ['archived_records', 'notes', [due.archived_records[3]!]],
    ];
    for (const [policy, table, ids] of expected) {
      const row = byPolicy(policy, table);
      expect(row, `${policy} ${table}`).toBeDefined();
      expect(row.operation).toBe('privacy.retention_run');
      expect(row.record_id).toBeNull();
      expect(row.after).toMatchObject({ policy, days: RETENTION_DEFAULTS[`${policy}_days`], count: ids.length });
      expect(new Set(row.after.ids)).toEqual(new Set(ids));
    }
    const text = JSON.stringify(audit.map((a) => a.after));
    expect(text).not.toContain('@');
    expect(text).not.toContain(tag);
    // The erasures audited themselves too.
    const erasures = await q<{ n: number }>(`select count(*)::int as n from audit_log where action = 'erase' and record_id = any($1::uuid[])`, [[...due.unconverted_leads, ...due.archived_records.slice(0, 3)]]);
    expect(erasures[0]!.n).toBe(6);

    // Nothing is due any more; a second run removes nothing and audits nothing.
    const after = await previewRetention(at());
    expect(after.policies.map((p) => p.due)).toEqual(RETENTION_POLICY_KEYS.map(() => 0));
    const again = await applyRetention(at());
    expect(again.purged).toBe(0);
    expect((await q<{ n: number }>(`select count(*)::int as n from audit_log where action = 'purge'`))[0]!.n).toBe(purgesBefore + 9);
  });

  it('takes at most one batch per run, oldest first, and lists at most 1,000 ids', async () => {
    // Archived notes: the archived_records policy, capped with its erasures.
    await q(
      `insert into notes (note_text, archived_at, created_at, updated_at)
       select 'capped note', $1::timestamptz - make_interval(mins => g), $1::timestamptz - interval '40 days', $1::timestamptz - interval '40 days' from generate_series(1, ${ERASURES_PER_RUN + 5}) g`,
      [ago(RETENTION_DEFAULTS.archived_records_days + 1)],
    );
    await q(`insert into analytics_events (event, created_at) select 'bulk', $1::timestamptz - make_interval(secs => g) from generate_series(1, 1005) g`, [ago(RETENTION_DEFAULTS.analytics_events_days + 1)]);
    const preview = await previewRetention(at());
    const notes = preview.policies.find((p) => p.policy === 'archived_records')!;
    expect(notes).toMatchObject({ due: ERASURES_PER_RUN + 5, per_run: ERASURES_PER_RUN, next_run: ERASURES_PER_RUN, truncated: false });
    const events = preview.policies.find((p) => p.policy === 'analytics_events')!;
    expect(events).toMatchObject({ due: 1005, next_run: 1005, truncated: true });
    expect(events.ids).toHaveLength(1000);

    const run = await applyRetention(at());
    const r = run.policies.find((p) => p.policy === 'archived_records')!;
    expect(r).toMatchObject({ purged: ERASURES_PER_RUN, remaining: 5 });
    expect(r.ids).toEqual(notes.ids.slice(0, ERASURES_PER_RUN));
    const left = await q<{ id: string }>(`select id::text as id from notes where note_text = 'capped note' order by archived_at`);
    expect(new Set(left.map((x) => x.id))).toEqual(new Set(notes.ids.slice(ERASURES_PER_RUN)));
    // More than 1,000 removed: counted, not listed, in the answer and in the audit row.
    const e = run.policies.find((p) => p.policy === 'analytics_events')!;
    expect(e.purged).toBe(1005);
    expect(e.ids).toBeUndefined();
    const [purge] = await q<{ after: Json }>(`select after from audit_log where action = 'purge' and table_name = 'analytics_events' and (after->>'count')::int = 1005`);
    expect(purge!.after.ids).toBeUndefined();

    const next = await applyRetention(at());
    expect(next.policies.find((p) => p.policy === 'archived_records')).toMatchObject({ purged: 5, remaining: 0, ids: notes.ids.slice(ERASURES_PER_RUN) });
  });

  it('counts a listed record that an earlier erasure of the same run already erased (a contact takes the leads converted into it)', async () => {
    const person = await contact('Archivedperson', RETENTION_DEFAULTS.archived_records_days + 5);
    const theirLead = await lead('Archivedperson', { updated: 40, status: 'converted', contact: person, archived: RETENTION_DEFAULTS.archived_records_days + 3 });
    const preview = (await previewRetention(at())).policies.find((p) => p.policy === 'archived_records')!;
    expect(preview.ids).toEqual([person, theirLead]);
    const run = (await applyRetention(at())).policies.find((p) => p.policy === 'archived_records')!;
    expect(run).toMatchObject({ purged: 2, ids: [person, theirLead], tables: { contacts: 1, leads: 1 } });
    const rows = await q<{ erased: boolean }>(`select erased_at is not null as erased from leads where id = $1 union all select erased_at is not null from contacts where id = $2`, [theirLead, person]);
    expect(rows).toEqual([{ erased: true }, { erased: true }]);
    // One erasure did both: the lead was not erased a second time.
    const erasures = await q<{ table_name: string }>(`select table_name from audit_log where action = 'erase' and record_id = any($1::uuid[])`, [[person, theirLead]]);
    expect(erasures).toEqual([{ table_name: 'contacts' }]);
  });

  it('goes on past a subject whose erasure fails, which stays due and is logged by id', async () => {
    const stuck = await lead('Stuck', { updated: RETENTION_DEFAULTS.unconverted_leads_days + 9 });
    const fine = await lead('Fine', { updated: RETENTION_DEFAULTS.unconverted_leads_days + 8 });
    // A fault in the database for one row (as a lock timeout or a bad row would be), not a stub of our code.
    await q(`create or replace function retention_test_fault() returns trigger language plpgsql as $$ begin if old.id = '${stuck}'::uuid then raise exception 'simulated fault'; end if; return new; end $$`);
    await q(`create trigger retention_test_fault before update on leads for each row execute function retention_test_fault()`);
    try {
      const lines: string[] = [];
      const drain = retentionDrain({ firstAfterMs: 0, log: { info: (m) => lines.push(m), error: (m, e) => lines.push(`${m}: ${String(e)}`) } });
      expect(await drain.run(at())).toBe(1);
      const erased = await q<{ id: string; erased: boolean }>(`select id::text as id, erased_at is not null as erased from leads where id = any($1::uuid[]) order by erased`, [[stuck, fine]]);
      expect(erased).toEqual([{ id: stuck, erased: false }, { id: fine, erased: true }]);
      expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^Retention: unconverted_leads could not erase leads ${stuck} \\(it will be tried again\\): .*simulated fault`)));
      expect(lines).toContainEqual(expect.stringMatching(/^Retention: unconverted_leads erased 1 leads .*; 1 still due\)$/));
      expect(lines.join('\n')).not.toMatch(/@|Stuck|Fine|params:/);
      const [audit] = await q<{ after: Json }>(`select after from audit_log where action = 'purge' and table_name = 'leads' and after->'ids' ? $1`, [fine]);
      expect(audit!.after).toMatchObject({ policy: 'unconverted_leads', count: 1, ids: [fine] });
    } finally {
      await q(`drop trigger retention_test_fault on leads`);
      await q(`drop function retention_test_fault()`);
    }
    const retried = await applyRetention(at());
    expect(retried.policies.find((p) => p.policy === 'unconverted_leads')).toMatchObject({ purged: 1, ids: [stuck], failed: [] });
  });

  it('validates the retention setting per field, merges a partial change, and null keeps forever', async () => {
    const stored = async () => (await q<{ value: unknown }>(`select value from settings where key = 'retention'`))[0]?.value ?? null;
    const was = await stored();
    for (const bad of [0, -1, 1.5, '30', 36501, 1e308, true, {}, [30]]) {
      const body = await expectStatus(sendAs(admin, 'PATCH', '/api/v1/settings', { retention: { sessions_days: bad } }), 400);
      expect(body.errors, JSON.stringify(bad)).toContainEqual({ field: 'retention.sessions_days', message: MESSAGE });
    }
    const unknown = await expectStatus(sendAs(admin, 'PATCH', '/api/v1/settings', { retention: { forever_days: 3 } }), 400);
    expect(unknown.errors).toContainEqual({ field: 'retention.forever_days', message: 'is not a known field' });
    const notObject = await expectStatus(sendAs(admin, 'PATCH', '/api/v1/settings', { retention: 'forever' }), 400);
    expect(notObject.errors.map((e: Json) => e.field)).toEqual(['retention']);
    for (const who of [editor, viewer]) await expectStatus(sendAs(who, 'PATCH', '/api/v1/settings', { retention: { sessions_days: 7 } }), 403);
    expect(await stored()).toEqual(was);

    const first = await expectStatus(sendAs(admin, 'PATCH', '/api/v1/settings', { retention: { sessions_days: 7 } }));
    expect(first.retention).toEqual({ ...RETENTION_DEFAULTS, sessions_days: 7 });
    const second = await expectStatus(sendAs(admin, 'PATCH', '/api/v1/settings', { retention: { analytics_events_days: null } }));
    expect(second.retention).toEqual({ ...RETENTION_DEFAULTS, sessions_days: 7, analytics_events_days: null });
    expect((await expectStatus(sendAs(viewer, 'GET', '/api/v1/settings'))).retention).toEqual(second.retention);
    const [audit] = await q<{ before: Json; after: Json }>(`select before, after from audit_log where table_name = 'settings' and operation = 'settings.update' order by at desc limit 1`);
    expect(audit!.after.retention).toEqual(second.retention);

    // Null: nothing of that kind is ever due, however old.
    const ancient = await event(5000);
    const preview = await previewRetention(at());
    expect(preview.policies.find((p) => p.policy === 'analytics_events')).toMatchObject({ days: null, cutoff: null, due: 0, ids: [] });
    const run = await applyRetention(at());
    expect(run.policies.find((p) => p.policy === 'analytics_events')).toMatchObject({ purged: 0 });
    expect(await q(`select id from analytics_events where id = $1`, [ancient])).toHaveLength(1);

    // A shorter period takes effect at once: a session ended 8 days ago is due under 7 days.
    const ended = await session(admin.user.id, 8);
    expect((await previewRetention(at())).policies.find((p) => p.policy === 'sessions')!.ids).toEqual([ended]);

    await updateSettings(at(), { retention: { ...RETENTION_DEFAULTS } });
    await q(`delete from analytics_events where id = $1`, [ancient]);
    await q(`delete from sessions where id = $1`, [ended]);
  });

  it('is for administrators only over HTTP; a refused run removes nothing', async () => {
    const due = await event(RETENTION_DEFAULTS.analytics_events_days + 1);
    for (const who of [editor, viewer]) {
      await expectStatus(sendAs(who, 'GET', '/api/v1/privacy/retention'), 403);
      await expectStatus(sendAs(who, 'POST', '/api/v1/privacy/retention/run'), 403);
    }
    await expectStatus(sendAs(admin, 'POST', '/api/v1/privacy/retention/run', { everything: true }), 400);
    expect(await q(`select id from analytics_events where id = $1`, [due])).toHaveLength(1);

    const preview = await expectStatus(sendAs(admin, 'GET', '/api/v1/privacy/retention'));
    expect(preview.policies.find((p: Json) => p.policy === 'analytics_events').ids).toEqual([due]);
    const run = await expectStatus(sendAs(admin, 'POST', '/api/v1/privacy/retention/run'));
    expect(run.policies.find((p: Json) => p.policy === 'analytics_events')).toMatchObject({ purged: 1, ids: [due] });
    expect(await q(`select id from analytics_events where id = $1`, [due])).toHaveLength(0);
  });

  it("over MCP: an administrator's agent must confirm the run; an editor's is refused", async () => {
    const adminAgent = await rig.agent(admin);
    const editorAgent = await rig.agent(editor);
    const call = async (client: Client, args: Json) => (await client.callTool({ name: 'act', arguments: args })) as CallToolResult;
    const due = await event(RETENTION_DEFAULTS.analytics_events_days + 1);

    const unconfirmed = await call(adminAgent, { action: 'privacy.retention_run', input: {} });
    expect(unconfirmed.isError).toBe(true);
    expect((unconfirmed.structuredContent as Json).error.code).toBe('PRECONDITION_FAILED');
    expect(await q(`select id from analytics_events where id = $1`, [due])).toHaveLength(1);

    const refused = await call(editorAgent, { action: 'privacy.retention_run', input: {}, confirm: true });
    expect(refused.isError).toBe(true);
    expect(['FORBIDDEN', 'NOT_FOUND']).toContain((refused.structuredContent as Json).error.code);
    expect(await q(`select id from analytics_events where id = $1`, [due])).toHaveLength(1);

    const confirmed = await call(adminAgent, { action: 'privacy.retention_run', input: {}, confirm: true });
    expect(confirmed.isError ?? false).toBe(false);
    expect(await q(`select id from analytics_events where id = $1`, [due])).toHaveLength(0);
    const [audit] = await q<{ actor_type: string }>(`select actor_type from audit_log where action = 'purge' and after->'ids' ? $1`, [due]);
    expect(audit!.actor_type).toBe('agent');
  });

  it('is on the CLI as `throughline privacy retention-preview` and `retention-run`', async () => {
    const env = Object.fromEntries(Object.entries(process.env).filter(([k, v]) => v !== undefined && k !== 'DATABASE_URL' && !k.startsWith('THROUGHLINE_'))) as Record<string, string>;
    const cli = (args: string[]) => runCli({ ...env, NODE_NO_WARNINGS: '1', THROUGHLINE_URL: base, THROUGHLINE_API_KEY: admin.key }, args);
    const help = await cli(['privacy', '--help']);
    expect(help.stdout).toContain('retention-preview');
    expect(help.stdout).toContain('retention-run');
    const r = await cli(['privacy', 'retention-preview']);
    expect(r.code, r.stderr).toBe(0);
    for (const key of RETENTION_POLICY_KEYS) expect(r.stdout).toContain(key);
  }, 60_000);

  it('runs in the worker: shortly after start, again at once while it removed something, then every 6 hours; logs counts, not people', async () => {
    const lines: string[] = [];
    const log: WorkerLog = { info: (m) => lines.push(m), error: (m, e) => lines.push(`${m} ${String(e)}`) };
    const later = retentionDrain({ log });
    expect(later.name).toBe('retention');
    expect(await later.run(at())).toBe(0); // the first run waits a minute after start

    const dueEvent = await event(RETENTION_DEFAULTS.analytics_events_days + 1);
    const dueLead = await lead('Drained', { updated: RETENTION_DEFAULTS.unconverted_leads_days + 1 });
    const drain = retentionDrain({ log, firstAfterMs: 0 });
    const worker = createWorker({ database: database(), drains: [drain], log, timeZone: 'UTC' });
    expect(await worker.runOnce()).toEqual({ retention: 2 });
    expect(await q(`select id from analytics_events where id = $1`, [dueEvent])).toHaveLength(0);
    expect((await q<{ erased_at: Date | null }>(`select erased_at from leads where id = $1`, [dueLead]))[0]!.erased_at).not.toBeNull();
    expect(lines.filter((l) => l.startsWith('Retention:'))).toEqual([
      expect.stringMatching(/^Retention: analytics_events deleted 1 analytics_events \(older than 395 days, cutoff .*; 0 still due\)$/),
      expect.stringMatching(/^Retention: unconverted_leads erased 1 leads /),
    ]);
    expect(lines.join('\n')).not.toMatch(/@|Drained/);
    // Found nothing: waits for the next period.
    expect(await worker.runOnce()).toEqual({ retention: 0 });
    const next = await event(RETENTION_DEFAULTS.analytics_events_days + 1);
    expect(await drain.run(at(new Date(Date.now() + 60_000)))).toBe(0);
    expect(await q(`select id from analytics_events where id = $1`, [next])).toHaveLength(1);
    expect(await drain.run(at(new Date(Date.now() + RETENTION_INTERVAL_MS + 60_000)))).toBe(1);
    expect(await q(`select id from analytics_events where id = $1`, [next])).toHaveLength(0);
  });
});
