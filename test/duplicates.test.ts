/**
 * Duplicates: finding likely duplicate companies (same domain, same name without case,
 * punctuation and legal suffixes) and contacts (same email, same name at the same company),
 * and merging them: every reference moved to the survivor in one transaction, unique-key
 * collisions reported, blanks filled, duplicates archived with a note, one audit row for the
 * merge. Refusals (itself, unseen records, a stale version, a viewer) change nothing.
 */
import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/api/app.ts';
import { normaliseCompanyName } from '../src/core/platform/duplicates.ts';
import { FAST_IDENTITY, type SignedIn, signInCast } from './auth.ts';
import { dbSuite } from './db.ts';

type App = ReturnType<typeof createApp>;
type Reply = { status: number; body: any };

describe('normaliseCompanyName', () => {
  it('drops case, punctuation and legal suffixes', () => {
    expect(normaliseCompanyName('Acme Pty. Ltd.')).toBe('acme');
    expect(normaliseCompanyName('ACME')).toBe('acme');
    expect(normaliseCompanyName('Acme, Inc.')).toBe('acme');
    expect(normaliseCompanyName('Acme Widgets LLC')).toBe('acme widgets');
    expect(normaliseCompanyName('Ltd')).toBe('ltd');
    expect(normaliseCompanyName('Coastal Co')).toBe('coastal');
  });
});

dbSuite('duplicates', ({ database }) => {
  let app: App;
  let admin: SignedIn;
  let alice: SignedIn;
  let bob: SignedIn;
  let vic: SignedIn;
  const tag = () => randomBytes(4).toString('hex').replace(/\d/g, (d) => 'ghijklmnop'[Number(d)]!);

  const send = async (who: SignedIn, method: string, path: string, body?: unknown): Promise<Reply> => {
    const init: RequestInit = { method };
    if (body !== undefined) init.body = JSON.stringify(body);
    if (body !== undefined) init.headers = { 'content-type': 'application/json' };
    const r = await who.request(path, init);
    const text = await r.text();
    return { status: r.status, body: text ? JSON.parse(text) : undefined };
  };
  const ok = async (p: Promise<Reply>, status?: number) => {
    const r = await p;
    if (status === undefined) expect(r.status, JSON.stringify(r.body)).toBeLessThan(300);
    else expect(r.status, JSON.stringify(r.body)).toBe(status);
    return r.body;
  };
  const create = (who: SignedIn, table: string, data: Record<string, unknown>) => ok(send(who, 'POST', `/api/v1/${table}`, data), 201);
  const q = <T = Record<string, any>>(text: string, params: unknown[] = []) => database().query<T>(text, params);
  const rowOf = async (table: string, id: string) => JSON.stringify(await q(`select * from "${table}" where id = $1`, [id]));
  const merge = (who: SignedIn, table: string, body: unknown) => send(who, 'POST', `/api/v1/duplicates/${table}/merge`, body);
  const find = (who: SignedIn, table: string) => send(who, 'GET', `/api/v1/duplicates/${table}?limit=200`);
  const groupWith = (groups: any[], id: string): any[] => groups.filter((g) => g.records.some((r: { id: string }) => r.id === id));

  beforeAll(async () => {
    app = createApp({ database: database(), identity: FAST_IDENTITY, webDir: null, timeZone: 'UTC' });
    ({ admin, alice, bob, vic } = await signInCast(app, database()));
  });

  it('finds companies by normalised name and by website domain, with the reason, leaving out archived ones', async () => {
    const t = tag();
    const a = await create(alice, 'companies', { name: `Acme ${t} Pty Ltd`, website: `https://acme${t}.com.au` });
    const b = await create(alice, 'companies', { name: `ACME ${t}` });
    const c = await create(alice, 'companies', { name: `Southern Widgets ${t}`, website: `www.acme${t}.com.au/about` });
    const archived = await create(alice, 'companies', { name: `acme ${t}, inc.` });
    await ok(send(alice, 'POST', `/api/v1/companies/${archived.id}/archive`));
    const other = await create(alice, 'companies', { name: `Acme Holdings ${t}` });

    const body = await ok(find(alice, 'companies'));
    expect(body.table).toBe('companies');
    expect(body.records_scanned).toBeGreaterThanOrEqual(4);
    expect(body.total_groups).toBeGreaterThanOrEqual(2);
    const groups = groupWith(body.groups, a.id);
    const byName = groups.find((g: any) => g.reasons.some((r: any) => r.reason === 'name'));
    const byDomain = groups.find((g: any) => g.reasons.some((r: any) => r.reason === 'domain'));
    expect(byName.reasons).toEqual([{ reason: 'name', value: `acme ${t}` }]);
    expect(byName.records.map((r: any) => r.id)).toEqual([a.id, b.id]);
    expect(byName.count).toBe(2);
    expect(byName.suggested_survivor_id).toBe(a.id);
    expect(byDomain.reasons).toEqual([{ reason: 'domain', value: `acme${t}.com.au` }]);
    expect(byDomain.records.map((r: any) => r.id)).toEqual([a.id, c.id]);
    expect(groupWith(body.groups, archived.id)).toEqual([]);
    expect(groupWith(body.groups, other.id)).toEqual([]);

    // The same two records found by both rules are one group with both reasons.
    const d = await create(alice, 'companies', { name: `Bolt ${t} Limited`, website: `bolt${t}.example` });
    const e = await create(alice, 'companies', { name: `bolt ${t}`, website: `https://www.bolt${t}.example/` });
    const both = groupWith((await ok(find(alice, 'companies'))).groups, d.id);
    expect(both).toHaveLength(1);
    expect(both[0].records.map((r: any) => r.id)).toEqual([d.id, e.id]);
    expect(both[0].reasons).toEqual(expect.arrayContaining([{ reason: 'domain', value: `bolt${t}.example` }, { reason: 'name', value: `bolt ${t}` }]));
  });

  it('finds contacts by email (any case) and by name at the same company, not by name alone', async () => {
    const t = tag();
    const co = await create(alice, 'companies', { name: `Contact Co ${t}` });
    const elsewhere = await create(alice, 'companies', { name: `Elsewhere ${t}` });
    const x = await create(alice, 'contacts', { name: `Jo Bloggs ${t}`, email: `jo.${t}@example.com`, company_id: co.id });
    const y = await create(alice, 'contacts', { name: `Someone Else ${t}`, email: ` JO.${t}@Example.COM`, company_id: elsewhere.id });
    const z = await create(alice, 'contacts', { name: `jo  bloggs ${t}.`, company_id: co.id });
    const w = await create(alice, 'contacts', { name: `Jo Bloggs ${t}`, company_id: elsewhere.id });
    const groups = (await ok(find(alice, 'contacts'))).groups;
    const email = groupWith(groups, y.id);
    expect(email).toHaveLength(1);
    expect(email[0].reasons).toEqual([{ reason: 'email', value: `jo.${t}@example.com` }]);
    expect(email[0].records.map((r: any) => r.id)).toEqual([x.id, y.id]);
    const named = groupWith(groups, z.id);
    expect(named).toHaveLength(1);
    expect(named[0].reasons).toEqual([{ reason: 'name_at_company', value: `jo bloggs ${t}` }]);
    expect(named[0].records.map((r: any) => r.id)).toEqual([x.id, z.id]);
    expect(groupWith(groups, w.id)).toEqual([]);
  });

  it('merges a company: every relation moves, blanks are filled, the duplicate is archived with a note, and the merge is audited', async () => {
    const t = tag();
    const survivor = await create(alice, 'companies', { name: `Acme ${t}`, description: 'the one we keep' });
    const dup = await create(alice, 'companies', { name: `ACME ${t} Pty Ltd`, website: `https://www.acme${t}.com.au`, location: 'Perth', description: 'a second description' });
    const contact = await create(alice, 'contacts', { name: `Dana ${t}`, email: `dana.${t}@example.com`, company_id: dup.id });
    const deal = await create(alice, 'deals', { name: `Deal ${t}`, company_id: dup.id });
    const interaction = await create(alice, 'interactions', { type: 'email', company_id: dup.id, contact_id: contact.id, summary: 'hello' });
    const note = await create(alice, 'notes', { note_type: 'company', related_id: dup.id, note_text: `About ${t}` });
    const engagement = await create(alice, 'engagements', { name: `Engagement ${t}`, company_id: dup.id });
    const lead = await create(alice, 'leads', { email: `lead.${t}@example.com`, company_name: `Acme ${t}`, company_id: dup.id });
    // The same person on both teams collides on (company_id, user_id); another member does not.
    await create(admin, 'company_team', { company_id: survivor.id, user_id: bob.user.id });
    const clash = await create(admin, 'company_team', { company_id: dup.id, user_id: bob.user.id, role: 'support' });
    const member = await create(admin, 'company_team', { company_id: dup.id, user_id: alice.user.id });
    const historyOfDup = (await q<{ n: number }>(`select count(*)::int as n from status_history where entity_type = 'company' and entity_id = $1`, [dup.id]))[0]!.n;
    expect(historyOfDup).toBeGreaterThanOrEqual(1);

    const answer = await ok(merge(alice, 'companies', { survivor_id: survivor.id, duplicate_ids: [dup.id], expected_versions: { [survivor.id]: survivor.version, [dup.id]: dup.version } }), 200);
    expect(answer.merged_ids).toEqual([dup.id]);
    expect(answer.moved).toMatchObject({ contacts: 1, deals: 1, interactions: 1, notes: 1, engagements: 1, leads: 1, company_team: 1, status_history: historyOfDup });
    expect(answer.conflicts).toEqual([{ table: 'company_team', column: 'company_id', unique: 'company_team_member_key', rows: 1, outcome: 'kept_with_duplicate' }]);
    expect(answer.filled).toEqual(expect.arrayContaining(['website', 'location']));
    expect(answer.filled).not.toContain('description');

    // The survivor: blanks filled from the duplicate (the domain follows the website), its own values kept.
    expect(answer.survivor).toMatchObject({ id: survivor.id, name: `Acme ${t}`, website: `https://www.acme${t}.com.au`, domain: `acme${t}.com.au`, location: 'Perth', description: 'the one we keep', version: survivor.version + 1 });
    // Every relation now points at the survivor.
    const companyOf = async (table: string, id: string, column = 'company_id') => (await q(`select ${column} as v from "${table}" where id = $1`, [id]))[0]!.v;
    expect(await companyOf('contacts', contact.id)).toBe(survivor.id);
    expect(await companyOf('deals', deal.id)).toBe(survivor.id);
    expect(await companyOf('interactions', interaction.id)).toBe(survivor.id);
    expect(await companyOf('engagements', engagement.id)).toBe(survivor.id);
    expect(await companyOf('leads', lead.id)).toBe(survivor.id);
    expect(await companyOf('notes', note.id, 'related_id')).toBe(survivor.id);
    expect(await companyOf('company_team', member.id)).toBe(survivor.id);
    // The colliding membership stays with the archived duplicate; the survivor's own is untouched.
    expect(await companyOf('company_team', clash.id)).toBe(dup.id);
    const team = await q<{ user_id: string }>(`select user_id from company_team where company_id = $1 order by user_id`, [survivor.id]);
    expect(team.map((r) => r.user_id).sort()).toEqual([alice.user.id, bob.user.id].sort());
    const history = await q<{ entity_id: string; exited_at: unknown }>(`select entity_id, exited_at from status_history where entity_type = 'company' and entity_id in ($1, $2)`, [survivor.id, dup.id]);
    expect(history.filter((h) => h.entity_id === dup.id)).toEqual([]);
    // One open status: the survivor's own; the duplicate's ended at the merge.
    expect(history.filter((h) => h.exited_at === null)).toHaveLength(1);
    // A moved record carries a new version.
    expect((await q(`select version from deals where id = $1`, [deal.id]))[0]!.version).toBe(deal.version + 1);

    // The duplicate: archived, not deleted, with a note saying where it went.
    const [gone] = await q(`select archived_at from companies where id = $1`, [dup.id]);
    expect(gone!.archived_at).not.toBeNull();
    const notes = await q<{ note_text: string }>(`select note_text from notes where related_id = $1`, [dup.id]);
    expect(notes).toHaveLength(1);
    expect(notes[0]!.note_text).toContain(`Merged into Acme ${t} (${survivor.id})`);

    // One audit row for the merge on the survivor, and an archive row for the duplicate.
    const audits = await q<{ action: string; before: any; after: any }>(`select action, before, after from audit_log where record_id = $1 and operation = 'duplicates.merge'`, [survivor.id]);
    expect(audits).toHaveLength(1);
    expect(audits[0]!.action).toBe('update');
    expect(audits[0]!.after.merged_ids).toEqual([dup.id]);
    expect(audits[0]!.after.moved).toEqual(answer.moved);
    expect(audits[0]!.after.website).toBe(`https://www.acme${t}.com.au`);
    expect(audits[0]!.before.website).toBeNull();
    const archivedRows = await q(`select action from audit_log where table_name = 'companies' and record_id = $1 and action = 'archive'`, [dup.id]);
    expect(archivedRows).toHaveLength(1);
    // History stays as it was: the duplicate's own audit rows still name it.
    const dupAudit = (await q<{ n: number }>(`select count(*)::int as n from audit_log where record_id = $1 and action = 'create'`, [dup.id]))[0]!.n;
    expect(dupAudit).toBe(1);
    // Once merged, the pair is no longer offered as duplicates.
    expect(groupWith((await ok(find(alice, 'companies'))).groups, survivor.id)).toEqual([]);
  });

  it('merges contacts: interactions and deal roles move, a role the survivor already has stays, blanks fill in order', async () => {
    const t = tag();
    const co = await create(alice, 'companies', { name: `People Co ${t}` });
    const survivor = await create(alice, 'contacts', { name: `Sam ${t}`, email: `sam.${t}@example.com`, company_id: co.id });
    const first = await create(alice, 'contacts', { name: `Sam ${t}`, company_id: co.id, phone: '+61 400 000 001' });
    const second = await create(alice, 'contacts', { name: `Sam ${t}`, company_id: co.id, phone: '+61 400 000 002', role_title: 'CFO' });
    const deal = await create(alice, 'deals', { name: `Deal ${t}`, company_id: co.id });
    await create(alice, 'deal_stakeholders', { deal_id: deal.id, contact_id: survivor.id, role: 'decision_maker' });
    await create(alice, 'deal_stakeholders', { deal_id: deal.id, contact_id: first.id, role: 'champion' });
    const interaction = await create(alice, 'interactions', { type: 'call', company_id: co.id, contact_id: second.id });
    const answer = await ok(merge(alice, 'contacts', { survivor_id: survivor.id, duplicate_ids: [first.id, second.id] }), 200);
    expect(answer.moved).toMatchObject({ interactions: 1 });
    expect(answer.conflicts).toEqual([{ table: 'deal_stakeholders', column: 'contact_id', unique: 'deal_stakeholders_pair_key', rows: 1, outcome: 'kept_with_duplicate' }]);
    expect(answer.survivor).toMatchObject({ phone: '+61 400 000 001', role_title: 'CFO', email: `sam.${t}@example.com` });
    expect((await q(`select contact_id from interactions where id = $1`, [interaction.id]))[0]!.contact_id).toBe(survivor.id);
    const archived = await q(`select id from contacts where id in ($1, $2) and archived_at is not null`, [first.id, second.id]);
    expect(archived).toHaveLength(2);
  });

  it("merges contacts' AI usage: raw rows move and the monthly rollup adds up to them", async () => {
    const t = tag();
    const co = await create(alice, 'companies', { name: `Usage Co ${t}` });
    const engagement = await create(alice, 'engagements', { name: `Usage ${t}`, company_id: co.id });
    const survivor = await create(alice, 'contacts', { name: `Uma ${t}`, company_id: co.id });
    const dup = await create(alice, 'contacts', { name: `Uma ${t}`, company_id: co.id });
    const items = [
      { contact_id: survivor.id, usage_date: '2026-09-01', tokens_used: 100 },
      { contact_id: dup.id, usage_date: '2026-09-02', tokens_used: 20 },
      { contact_id: dup.id, usage_date: '2026-10-02', tokens_used: 3 },
    ];
    await ok(send(alice, 'POST', '/api/v1/ai_usage/ingest', { engagement_id: engagement.id, items }), 201);
    const answer = await ok(merge(alice, 'contacts', { survivor_id: survivor.id, duplicate_ids: [dup.id] }), 200);
    expect(answer.moved).toMatchObject({ ai_usage: 2, ai_usage_monthly: 1 });
    expect(answer.conflicts).toEqual([{ table: 'ai_usage_monthly', column: 'contact_id', unique: 'ai_usage_monthly_engagement_contact_month_key', rows: 1, outcome: 'added_to_survivor' }]);
    const rollup = await q<{ contact_id: string; month: string; tokens_used: number; records: number }>(
      `select contact_id, month::text as month, tokens_used::int as tokens_used, records from ai_usage_monthly where engagement_id = $1 order by month`,
      [engagement.id],
    );
    expect(rollup).toEqual([
      { contact_id: survivor.id, month: '2026-09-01', tokens_used: 120, records: 2 },
      { contact_id: survivor.id, month: '2026-10-01', tokens_used: 3, records: 1 },
    ]);
    // Recomputing the rollup from the raw rows finds nothing to correct.
    const rebuilt = await ok(send(admin, 'POST', '/api/v1/ai_usage_monthly/rebuild', { engagement_id: engagement.id }), 200);
    expect(rebuilt.corrected).toBe(0);
  });

  describe('refusals change nothing', () => {
    it('refuses merging a record into itself (400)', async () => {
      const c = await create(alice, 'companies', { name: `Self ${tag()}` });
      const before = await rowOf('companies', c.id);
      const r = await merge(alice, 'companies', { survivor_id: c.id, duplicate_ids: [c.id] });
      expect(r.status).toBe(400);
      expect(r.body.errors[0].field).toBe('duplicate_ids');
      expect(await rowOf('companies', c.id)).toBe(before);
    });

    it('refuses more than 20 duplicates, and ids of another table (404)', async () => {
      const c = await create(alice, 'companies', { name: `Many ${tag()}` });
      const ids = Array.from({ length: 21 }, () => crypto.randomUUID());
      const many = await merge(alice, 'companies', { survivor_id: c.id, duplicate_ids: ids });
      expect(many.status).toBe(400);
      expect(many.body.errors[0].field).toBe('duplicate_ids');
      const contact = await create(alice, 'contacts', { name: `Not a company ${tag()}`, company_id: c.id });
      const before = [await rowOf('companies', c.id), await rowOf('contacts', contact.id)];
      const other = await merge(alice, 'companies', { survivor_id: c.id, duplicate_ids: [contact.id] });
      expect(other.status).toBe(404);
      expect([await rowOf('companies', c.id), await rowOf('contacts', contact.id)]).toEqual(before);
    });

    it('answers 404 for a record the caller cannot see, and nothing changes', async () => {
      const t = tag();
      const mine = await create(alice, 'companies', { name: `Mine ${t}` });
      const theirs = await create(bob, 'companies', { name: `MINE ${t}` });
      const theirContact = await create(bob, 'contacts', { name: `Their contact ${t}`, company_id: theirs.id });
      await ok(send(admin, 'PATCH', '/api/v1/settings', { record_visibility: 'own' }));
      try {
        const before = [await rowOf('companies', mine.id), await rowOf('companies', theirs.id), await rowOf('contacts', theirContact.id)];
        const auditsBefore = (await q(`select count(*)::int as n from audit_log where operation = 'duplicates.merge'`))[0]!.n;
        const r = await merge(alice, 'companies', { survivor_id: mine.id, duplicate_ids: [theirs.id] });
        expect(r.status).toBe(404);
        expect(r.body.detail ?? r.body.message ?? '').toContain(theirs.id);
        const reverse = await merge(alice, 'companies', { survivor_id: theirs.id, duplicate_ids: [mine.id] });
        expect(reverse.status).toBe(404);
        expect([await rowOf('companies', mine.id), await rowOf('companies', theirs.id), await rowOf('contacts', theirContact.id)]).toEqual(before);
        expect((await q(`select count(*)::int as n from audit_log where operation = 'duplicates.merge'`))[0]!.n).toBe(auditsBefore);
        // Nor does finding show it.
        expect(groupWith((await ok(find(alice, 'companies'))).groups, theirs.id)).toEqual([]);
      } finally {
        await ok(send(admin, 'PATCH', '/api/v1/settings', { record_visibility: 'all' }));
      }
    });

    it('refuses a stale version with 412, and nothing changes', async () => {
      const t = tag();
      const survivor = await create(alice, 'companies', { name: `Stale ${t}` });
      const dup = await create(alice, 'companies', { name: `STALE ${t} Ltd`, website: `stale${t}.example` });
      const contact = await create(alice, 'contacts', { name: `Stale contact ${t}`, company_id: dup.id });
      // Someone changes the duplicate after it was read.
      await ok(send(bob, 'PATCH', `/api/v1/companies/${dup.id}`, { location: 'Hobart' }));
      const before = [await rowOf('companies', survivor.id), await rowOf('companies', dup.id), await rowOf('contacts', contact.id)];
      const r = await merge(alice, 'companies', { survivor_id: survivor.id, duplicate_ids: [dup.id], expected_versions: { [survivor.id]: survivor.version, [dup.id]: dup.version } });
      expect(r.status).toBe(412);
      expect(r.body.code).toBe('PRECONDITION_FAILED');
      expect([await rowOf('companies', survivor.id), await rowOf('companies', dup.id), await rowOf('contacts', contact.id)]).toEqual(before);
    });

    it('refuses a viewer (403), for finding and for merging', async () => {
      const t = tag();
      const a = await create(alice, 'companies', { name: `Viewer ${t}` });
      const b = await create(alice, 'companies', { name: `VIEWER ${t}` });
      const before = [await rowOf('companies', a.id), await rowOf('companies', b.id)];
      expect((await merge(vic, 'companies', { survivor_id: a.id, duplicate_ids: [b.id] })).status).toBe(403);
      expect((await find(vic, 'companies')).status).toBe(403);
      expect([await rowOf('companies', a.id), await rowOf('companies', b.id)]).toEqual(before);
    });
  });
});
