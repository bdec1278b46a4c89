/**
 * Record visibility over HTTP: the `record_visibility` setting (own, team, all), owners set
 * from the caller and changed only by reassign, company team membership, and object-level
 * access: another owner's record id on get, update, archive, reassign, verbs and history is
 * "not found" and changes nothing; lists, searches and follow-ups leave it out; a write
 * cannot point at it.
 */
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/api/app.ts';
import { disableUser } from '../src/core/identity/users.ts';
import { FAST_IDENTITY, type SignedIn, signIn, signInCast } from './auth.ts';
import { dbSuite } from './db.ts';

type Reply = { status: number; body: any };
type App = ReturnType<typeof createApp>;

async function send(app: App, who: SignedIn, method: string, path: string, body?: unknown): Promise<Reply> {
  const headers: Record<string, string> = { authorization: `Bearer ${who.key}` };
  const init: RequestInit = { method, headers };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    headers['content-type'] = 'application/json';
  }
  const r = await app.request(path, init);
  const text = await r.text();
  return { status: r.status, body: text ? JSON.parse(text) : undefined };
}

dbSuite('record visibility', ({ database }) => {
  let app: App;
  let admin: SignedIn;
  let alice: SignedIn;
  let bob: SignedIn;
  let vic: SignedIn;
  // Alice's and Bob's worlds: a company each, with what hangs off it.
  type World = Record<'company' | 'contact' | 'interaction' | 'deal' | 'engagement' | 'milestone' | 'note' | 'lead', string>;
  const a = {} as World;
  const b = {} as World;
  const as = (who: SignedIn, method: string, path: string, body?: unknown) => send(app, who, method, path, body);
  const ok = async (r: Promise<Reply>, status = 200) => {
    const reply = await r;
    expect(reply.status, JSON.stringify(reply.body)).toBe(status);
    return reply.body;
  };
  const setMode = (mode: string) => ok(as(admin, 'PATCH', '/api/v1/settings', { record_visibility: mode }));
  const dbRow = async (table: string, id: string) =>
    JSON.stringify(await database().query(`select * from "${table}" where id = $1`, [id]));
  const ids = (body: { items: { id: string }[] }) => body.items.map((r) => r.id);

  async function world(who: SignedIn, into: World, name: string) {
    const prospect = await ok(
      as(who, 'POST', '/api/v1/sales/prospects', { company: { name, website: `https://${name.toLowerCase().replace(/\W+/g, '')}.example` }, contact: { name: `${name} Boss`, email: `boss@${name.toLowerCase().replace(/\W+/g, '')}.example` } }),
      201,
    );
    into.company = prospect.company.id;
    into.contact = prospect.contact.id;
    const logged = await ok(
      as(who, 'POST', '/api/v1/sales/interactions', {
        company_id: into.company,
        contact_id: into.contact,
        interaction: { type: 'call', summary: `Called ${name}`, follow_up_date: '2020-01-06' },
      }),
      201,
    );
    into.interaction = logged.interaction.id;
    into.deal = (await ok(as(who, 'POST', '/api/v1/deals', { name: `${name} deal`, company_id: into.company }), 201)).id;
    into.engagement = (await ok(as(who, 'POST', '/api/v1/engagements', { name: `${name} engagement`, company_id: into.company }), 201)).id;
    into.milestone = (await ok(as(who, 'POST', '/api/v1/engagement_milestones', { engagement_id: into.engagement, name: 'Kick-off' }), 201)).id;
    into.note = (await ok(as(who, 'POST', '/api/v1/notes', { note_type: 'company', related_id: into.company, note_text: `About ${name}` }), 201)).id;
    into.lead = (await ok(as(who, 'POST', '/api/v1/leads', { email: `lead@${name.toLowerCase().replace(/\W+/g, '')}.example`, company_name: name }), 201)).id;
  }

  beforeAll(async () => {
    app = createApp({ database: database(), identity: FAST_IDENTITY });
    ({ admin, alice, bob, vic } = await signInCast(app, database()));
    await world(alice, a, `Alice Works ${randomUUID().slice(0, 6)}`);
    await world(bob, b, `Bob Builders ${randomUUID().slice(0, 6)}`);
  });

  describe('ownership', () => {
    it('a new record belongs to whoever creates it, through any key of theirs', async () => {
      expect((await ok(as(alice, 'GET', `/api/v1/companies/${a.company}`))).owner_id).toBe(alice.user.id);
      expect((await ok(as(alice, 'GET', `/api/v1/contacts/${a.contact}`))).owner_id).toBe(alice.user.id);
      const i = await ok(as(alice, 'GET', `/api/v1/interactions/${a.interaction}`));
      expect([i.assigned_to, i.created_by]).toEqual([alice.user.id, alice.user.id]);
      expect((await ok(as(alice, 'GET', `/api/v1/leads/${a.lead}`))).assigned_to).toBe(alice.user.id);
      expect((await ok(as(alice, 'GET', `/api/v1/notes/${a.note}`))).created_by).toBe(alice.user.id);
    });

    for (const [path, field] of [
      ['/api/v1/companies', 'owner_id'],
      ['/api/v1/leads', 'assigned_to'],
      ['/api/v1/interactions', 'created_by'],
      ['/api/v1/engagements', 'assigned_to'],
    ] as const) {
      it(`${field} cannot be written on ${path}: a field error, nothing written`, async () => {
        const table = path.split('/').pop()!;
        const [before] = await database().query<{ n: number }>(`select count(*)::int as n from "${table}"`);
        const r = await as(alice, 'POST', path, { name: 'x', type: 'call', company_id: a.company, [field]: bob.user.id });
        expect(r.status).toBe(400);
        expect(r.body.errors.map((e: { field: string }) => e.field)).toContain(field);
        const [after] = await database().query<{ n: number }>(`select count(*)::int as n from "${table}"`);
        expect(after!.n).toBe(before!.n);
        const id = { companies: a.company, leads: a.lead, interactions: a.interaction, engagements: a.engagement }[table]!;
        const row = await dbRow(table, id);
        const patched = await as(alice, 'PATCH', `${path}/${id}`, { [field]: bob.user.id });
        expect(patched.status).toBe(400);
        expect(await dbRow(table, id)).toBe(row);
      });
    }
  });

  describe('all (the default)', () => {
    it('editors and viewers see every record', async () => {
      expect((await ok(as(vic, 'GET', '/api/v1/settings'))).record_visibility).toBe('all');
      await ok(as(alice, 'GET', `/api/v1/companies/${b.company}`));
      await ok(as(vic, 'GET', `/api/v1/deals/${a.deal}`));
      const list = await ok(as(vic, 'GET', '/api/v1/companies?limit=200'));
      expect(ids(list)).toEqual(expect.arrayContaining([a.company, b.company]));
    });
  });

  describe('own', () => {
    beforeAll(async () => {
      await setMode('own');
    });

    it('takes effect on the next request', async () => {
      expect((await as(alice, 'GET', `/api/v1/companies/${b.company}`)).status).toBe(404);
    });

    it('lists and searches show only your records and what belongs to them', async () => {
      for (const [table, mine, theirs] of [
        ['companies', a.company, b.company],
        ['contacts', a.contact, b.contact],
        ['interactions', a.interaction, b.interaction],
        ['deals', a.deal, b.deal],
        ['engagements', a.engagement, b.engagement],
        ['engagement_milestones', a.milestone, b.milestone],
        ['notes', a.note, b.note],
        ['leads', a.lead, b.lead],
      ] as const) {
        const list = ids(await ok(as(alice, 'GET', `/api/v1/${table}?limit=200`)));
        expect(list, table).toContain(mine);
        expect(list, table).not.toContain(theirs);
      }
      const search = await ok(as(alice, 'GET', `/api/v1/companies?q=${encodeURIComponent('Bob Builders')}`));
      expect(search.items).toEqual([]);
      const history = await ok(as(alice, 'GET', `/api/v1/status_history?entity_id=${b.company}`));
      expect(history.items).toEqual([]);
      expect((await ok(as(alice, 'GET', `/api/v1/status_history?entity_id=${a.company}`))).items.length).toBeGreaterThan(0);
    });

    it('follow-ups leave out what you cannot see', async () => {
      const due = await ok(as(alice, 'GET', '/api/v1/sales/follow-ups?from=2020-01-01&to=2020-01-31'));
      const companies = due.items.map((i: { company: { id: string } }) => i.company.id);
      expect(companies).toContain(a.company);
      expect(companies).not.toContain(b.company);
    });

    it("another owner's record is not found on get, update, archive, restore, reassign and the verbs, and nothing changes", async () => {
      const before = await Promise.all([dbRow('companies', b.company), dbRow('contacts', b.contact), dbRow('interactions', b.interaction), dbRow('engagement_milestones', b.milestone)]);
      const tries: Array<[string, string, unknown?]> = [
        ['GET', `/api/v1/companies/${b.company}`],
        ['PATCH', `/api/v1/companies/${b.company}`, { name: 'Taken over' }],
        ['POST', `/api/v1/companies/${b.company}/archive`],
        ['POST', `/api/v1/companies/${b.company}/restore`],
        ['POST', `/api/v1/companies/${b.company}/reassign`, { user_id: alice.user.id }],
        ['GET', `/api/v1/contacts/${b.contact}`],
        ['PATCH', `/api/v1/contacts/${b.contact}`, { name: 'Renamed' }],
        ['GET', `/api/v1/interactions/${b.interaction}`],
        ['GET', `/api/v1/engagement_milestones/${b.milestone}`],
        ['PATCH', `/api/v1/engagement_milestones/${b.milestone}`, { name: 'Renamed' }],
        ['GET', `/api/v1/status_history/company/${b.company}`],
        ['POST', '/api/v1/sales/interactions', { company_id: b.company, interaction: { type: 'call', summary: 'Sneaky' } }],
        ['POST', `/api/v1/sales/companies/${b.company}/lost`, { lost_reason: 'Not ours' }],
      ];
      for (const [method, path, body] of tries) {
        const r = await as(alice, method, path, body);
        expect(r.status, `${method} ${path}`).toBe(404);
        expect(JSON.stringify(r.body), `${method} ${path}`).not.toContain('Bob Builders');
      }
      expect(await Promise.all([dbRow('companies', b.company), dbRow('contacts', b.contact), dbRow('interactions', b.interaction), dbRow('engagement_milestones', b.milestone)])).toEqual(before);
    });

    it('a write cannot point at a record you cannot see: a field error, nothing written', async () => {
      const [before] = await database().query<{ n: number }>('select count(*)::int as n from contacts');
      const one = await as(alice, 'POST', '/api/v1/contacts', { name: 'Mole', company_id: b.company });
      expect(one.status).toBe(400);
      expect(one.body.errors).toEqual([{ field: 'company_id', message: expect.stringContaining('companies') }]);
      const bulk = await as(alice, 'POST', '/api/v1/contacts/bulk', { items: [{ name: 'Fine', company_id: a.company }, { name: 'Mole', company_id: b.company }] });
      expect(bulk.status).toBe(400);
      const moved = await as(alice, 'PATCH', `/api/v1/contacts/${a.contact}`, { company_id: b.company });
      expect(moved.status).toBe(400);
      const note = await as(alice, 'POST', '/api/v1/notes', { note_type: 'company', related_id: b.company, note_text: 'psst' });
      expect(note.status).toBe(400);
      const [after] = await database().query<{ n: number }>('select count(*)::int as n from contacts');
      expect(after!.n).toBe(before!.n);
      expect(JSON.parse(await dbRow('contacts', a.contact))[0].company_id).toBe(a.company);
    });

    it("a prospect matching another owner's company is refused without showing it", async () => {
      const bob_ = await ok(as(bob, 'GET', `/api/v1/companies/${b.company}`));
      const r = await as(alice, 'POST', '/api/v1/sales/prospects', { company: { name: bob_.name } });
      expect(r.status).toBe(409);
      expect(JSON.stringify(r.body)).not.toContain(b.company);
      expect(r.body.existing_id).toBeUndefined();
    });

    it('a viewer who owns nothing sees nothing; an administrator sees everything', async () => {
      expect((await ok(as(vic, 'GET', '/api/v1/companies'))).items).toEqual([]);
      expect((await as(vic, 'GET', `/api/v1/companies/${a.company}`)).status).toBe(404);
      const all = ids(await ok(as(admin, 'GET', '/api/v1/companies?limit=200')));
      expect(all).toEqual(expect.arrayContaining([a.company, b.company]));
    });

    it('reassigning gives the record (and what hangs off it) to the new owner', async () => {
      const spare = await ok(as(alice, 'POST', '/api/v1/companies', { name: `Spare ${randomUUID().slice(0, 6)}` }), 201);
      const contact = await ok(as(alice, 'POST', '/api/v1/contacts', { name: 'Spare Person', company_id: spare.id }), 201);
      const moved = await ok(as(alice, 'POST', `/api/v1/companies/${spare.id}/reassign`, { user_id: bob.user.id }));
      expect(moved.owner_id).toBe(bob.user.id);
      expect((await as(alice, 'GET', `/api/v1/companies/${spare.id}`)).status).toBe(404);
      await ok(as(bob, 'GET', `/api/v1/companies/${spare.id}`));
      // The contact is still Alice's own record, and Bob sees it through his company.
      await ok(as(alice, 'GET', `/api/v1/contacts/${contact.id}`));
      await ok(as(bob, 'GET', `/api/v1/contacts/${contact.id}`));
      const audit = await database().query<{ operation: string; after: Record<string, unknown> }>(
        "select operation, after from audit_log where record_id = $1 and operation = 'companies.reassign'",
        [spare.id],
      );
      expect(audit).toEqual([{ operation: 'companies.reassign', after: { owner_id: bob.user.id } }]);
    });

    it('reassign needs an active user, a known owner field and the editor role', async () => {
      const row = await dbRow('companies', a.company);
      const gone = await signIn(app, database(), 'editor');
      await disableUser({ db: database().db, actor: { type: 'system', id: null, label: 'test', role: 'admin' }, now: () => new Date(), timeZone: 'UTC' }, { user_id: gone.user.id });
      const disabled = await as(alice, 'POST', `/api/v1/companies/${a.company}/reassign`, { user_id: gone.user.id });
      expect([disabled.status, disabled.body.errors[0].field]).toEqual([400, 'user_id']);
      const nobody = await as(alice, 'POST', `/api/v1/companies/${a.company}/reassign`, { user_id: randomUUID() });
      expect([nobody.status, nobody.body.errors[0].field]).toEqual([400, 'user_id']);
      const field = await as(alice, 'POST', `/api/v1/companies/${a.company}/reassign`, { user_id: bob.user.id, field: 'name' });
      expect(field.status).toBe(400);
      expect((await as(vic, 'POST', `/api/v1/companies/${a.company}/reassign`, { user_id: vic.user.id })).status).toBe(403);
      expect(await dbRow('companies', a.company)).toBe(row);
    });
  });

  describe('team', () => {
    beforeAll(async () => {
      await setMode('team');
    });

    it("a company's team members see it and what belongs to it; others still do not", async () => {
      expect((await as(alice, 'GET', `/api/v1/companies/${b.company}`)).status).toBe(404);
      await ok(as(admin, 'POST', '/api/v1/company_team', { company_id: b.company, user_id: alice.user.id, role: 'secondary' }), 201);
      for (const [table, id] of [
        ['companies', b.company],
        ['contacts', b.contact],
        ['deals', b.deal],
        ['engagements', b.engagement],
        ['engagement_milestones', b.milestone],
        ['interactions', b.interaction],
        ['notes', b.note],
      ] as const) {
        await ok(as(alice, 'GET', `/api/v1/${table}/${id}`));
      }
      expect(ids(await ok(as(alice, 'GET', '/api/v1/companies?limit=200')))).toEqual(expect.arrayContaining([a.company, b.company]));
      // Bob's lead is not tied to the company, so it stays his.
      expect((await as(alice, 'GET', `/api/v1/leads/${b.lead}`)).status).toBe(404);
      expect((await as(vic, 'GET', `/api/v1/companies/${b.company}`)).status).toBe(404);
    });
  });

  describe('settings', () => {
    it('only an administrator changes them; a bad value names the field; every change is audited', async () => {
      const [before] = await database().query('select * from settings');
      expect((await as(alice, 'PATCH', '/api/v1/settings', { record_visibility: 'all' })).status).toBe(403);
      const bad = await as(admin, 'PATCH', '/api/v1/settings', { record_visibility: 'everyone' });
      expect([bad.status, bad.body.errors[0].field]).toEqual([400, 'record_visibility']);
      const unknown = await as(admin, 'PATCH', '/api/v1/settings', { colour: 'blue' });
      expect(unknown.status).toBe(400);
      const [after] = await database().query('select * from settings');
      expect(after).toEqual(before);
      await setMode('all');
      expect((await ok(as(alice, 'GET', '/api/v1/settings'))).record_visibility).toBe('all');
      const audit = await database().query<{ after: Record<string, unknown> }>(
        "select after from audit_log where operation = 'settings.update' and action = 'update' order by at",
      );
      expect(audit.map((r) => r.after)).toEqual([{ record_visibility: 'own' }, { record_visibility: 'team' }, { record_visibility: 'all' }]);
    });
  });
});
