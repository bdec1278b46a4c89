/**
 * Events (seed 003): attendees whose company is their contact's, one row per contact and
 * event, attendance grouped by company with what the event led to, and checking people in
 * (attended, and an interaction at the event for the contact and their company).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/api/app.ts';
import { expectStatus, FAST_IDENTITY, type Reply, sendAs, type SignedIn, signInCast } from './auth.ts';
import { counts, dbSuite } from './db.ts';

type App = ReturnType<typeof createApp>;

dbSuite('events', ({ database }) => {
  let app: App;
  let admin: SignedIn;
  let alice: SignedIn;
  let bob: SignedIn;
  let vic: SignedIn;
  const tag = () => randomBytes(4).toString('hex');

  const send = sendAs;
  const ok = expectStatus;
  const refused = async (p: Promise<Reply>, status: number, field?: string) => {
    const r = await p;
    expect(r.status, JSON.stringify(r.body)).toBe(status);
    if (field) expect(r.body.errors.map((e: { field: string }) => e.field), JSON.stringify(r.body)).toContain(field);
    return r.body;
  };
  const create = (who: SignedIn, table: string, data: Record<string, unknown>) => ok(send(who, 'POST', `/api/v1/${table}`, data), 201);
  const q = <T = Record<string, any>>(text: string, params: unknown[] = []) => database().query<T>(text, params);
  const newEvent = (who: SignedIn, extra: Record<string, unknown> = {}) =>
    create(who, 'events', { name: `Expo ${tag()}`, event_type: 'conference', event_date: '2026-03-10T09:00:00.000Z', location: 'ICC Sydney', status: 'open', ...extra });
  const newCompany = (who: SignedIn, name: string, extra: Record<string, unknown> = {}) => create(who, 'companies', { name: `${name} ${tag()}`, ...extra });
  const newContact = (who: SignedIn, companyId: string | null, name: string, extra: Record<string, unknown> = {}) =>
    create(who, 'contacts', { name: `${name} ${tag()}`, ...(companyId ? { company_id: companyId } : {}), ...extra });
  const attend = (who: SignedIn, eventId: string, contactId: string, extra: Record<string, unknown> = {}) => create(who, 'event_attendees', { event_id: eventId, contact_id: contactId, ...extra });
  const checkIn = (who: SignedIn, eventId: string, contactId: string, body?: Record<string, unknown>) => send(who, 'POST', `/api/v1/events/${eventId}/attendees/${contactId}/attended`, body);
  const attendance = (who: SignedIn, eventId: string) => ok(send(who, 'GET', `/api/v1/events/${eventId}/attendance`));

  beforeAll(async () => {
    app = createApp({ database: database(), identity: FAST_IDENTITY, webDir: null, timeZone: 'UTC' });
    ({ admin, alice, bob, vic } = await signInCast(app, database()));
  });

  describe('attendees', () => {
    it("fills the company from the contact's, and refuses another company for a contact who has one", async () => {
      const event = await newEvent(alice);
      const acme = await newCompany(alice, 'Acme');
      const other = await newCompany(alice, 'Other');
      const dana = await newContact(alice, acme.id, 'Dana');
      const a = await attend(alice, event.id, dana.id);
      expect(a).toMatchObject({ event_id: event.id, contact_id: dana.id, company_id: acme.id, status: 'registered' });

      const eli = await newContact(alice, acme.id, 'Eli');
      const before = await counts(database(), ['event_attendees', 'audit_log']);
      const wrong = await refused(send(alice, 'POST', '/api/v1/event_attendees', { event_id: event.id, contact_id: eli.id, company_id: other.id }), 400, 'company_id');
      expect(wrong.errors[0].message).toMatch(/must be the contact's company/);
      await refused(send(alice, 'POST', '/api/v1/event_attendees', { event_id: event.id, contact_id: randomUUID() }), 400, 'contact_id');
      expect(await counts(database(), ['event_attendees', 'audit_log'])).toEqual(before);
      // Given and the same: fine. Changed later to another company: refused.
      const e = await attend(alice, event.id, eli.id, { company_id: acme.id });
      await refused(send(alice, 'PATCH', `/api/v1/event_attendees/${e.id}`, { company_id: other.id }), 400, 'company_id');
      expect((await q('select company_id from event_attendees where id = $1', [e.id]))[0]!.company_id).toBe(acme.id);

      // A contact with no company may come with one.
      const freelancer = await newContact(alice, null, 'Freelancer');
      expect((await attend(alice, event.id, freelancer.id, { company_id: other.id })).company_id).toBe(other.id);
      const loner = await newContact(alice, null, 'Loner');
      expect((await attend(alice, event.id, loner.id)).company_id).toBeNull();
      // Which event and which contact an attendee is never changes.
      await refused(send(alice, 'PATCH', `/api/v1/event_attendees/${e.id}`, { contact_id: dana.id }), 400, 'contact_id');
    });

    it('refuses the same contact twice at one event (409, naming the contact), and writes nothing', async () => {
      const event = await newEvent(alice);
      const acme = await newCompany(alice, 'Twice');
      const dana = await newContact(alice, acme.id, 'Dana');
      const first = await attend(alice, event.id, dana.id);
      const before = await counts(database(), ['event_attendees', 'audit_log']);
      const again = await refused(send(alice, 'POST', '/api/v1/event_attendees', { event_id: event.id, contact_id: dana.id, status: 'invited' }), 409, 'contact_id');
      expect(again.code).toBe('CONFLICT');
      expect(again.detail).toContain('is already an attendee of this event');
      expect(again.detail).toContain(first.id);
      expect(await counts(database(), ['event_attendees', 'audit_log'])).toEqual(before);
      // The unique index stands behind the check: a direct duplicate insert is refused by the database.
      await expect(q('insert into event_attendees (event_id, contact_id) values ($1, $2)', [event.id, dana.id])).rejects.toThrow(/event_attendees_contact_key/);
      // Another event takes them.
      await attend(alice, (await newEvent(alice)).id, dana.id);
    });
  });

  describe('attendance', () => {
    it('groups attendees by company with counts, totals by status, and counts the interactions and drafts of the event', async () => {
      const event = await newEvent(alice);
      const acme = await newCompany(alice, 'Aardvark Acme');
      const bolt = await newCompany(alice, 'Bolt Builders');
      const [amy, abe] = [await newContact(alice, acme.id, 'Amy', { role_title: 'Director' }), await newContact(alice, acme.id, 'Abe')];
      const bea = await newContact(alice, bolt.id, 'Bea', { role_title: 'Estimator' });
      const solo = await newContact(alice, null, 'Solo');
      await attend(alice, event.id, amy.id, { status: 'attended', role: 'speaker' });
      await attend(alice, event.id, abe.id, { status: 'registered' });
      await attend(alice, event.id, bea.id, { status: 'no_show' });
      await attend(alice, event.id, solo.id, { status: 'invited' });
      await create(alice, 'outreach_drafts', { contact_id: bea.id, event_id: event.id, draft_type: 'email', content: 'Sorry we missed you' });
      await create(alice, 'interactions', { type: 'meeting', company_id: acme.id, contact_id: amy.id, event_id: event.id, summary: 'Chatted at the stand' });
      const archived = await create(alice, 'event_attendees', { event_id: event.id, contact_id: (await newContact(alice, bolt.id, 'Gone')).id });
      await ok(send(alice, 'POST', `/api/v1/event_attendees/${archived.id}/archive`));

      const a = await attendance(alice, event.id);
      expect(a.event.id).toBe(event.id);
      expect(a.totals).toEqual({ attendees: 4, companies: 3, by_status: { invited: 1, registered: 1, attended: 1, no_show: 1, cancelled: 0 } });
      expect(a.companies.map((g: any) => [g.company_id, g.company_name])).toEqual([
        [acme.id, acme.name],
        [bolt.id, bolt.name],
        [null, null],
      ]);
      expect(a.companies[0].attendees.map((p: any) => [p.contact_id, p.name, p.title, p.status, p.role])).toEqual([
        [abe.id, abe.name, null, 'registered', null],
        [amy.id, amy.name, 'Director', 'attended', 'speaker'],
      ]);
      expect(a.companies[0].counts).toEqual({ invited: 0, registered: 1, attended: 1, no_show: 0, cancelled: 0 });
      expect(a.companies[1].attendees.map((p: any) => [p.name, p.title, p.status])).toEqual([[bea.name, 'Estimator', 'no_show']]);
      expect(a.companies[2].counts.invited).toBe(1);
      expect(a.interactions.total).toBe(1);
      expect(a.interactions.latest.map((i: any) => i.summary)).toEqual(['Chatted at the stand']);
      expect(a.outreach_drafts).toEqual({ total: 1, by_status: { draft: 1, approved: 0, sent: 0, discarded: 0 } });
      await refused(send(alice, 'GET', `/api/v1/events/${randomUUID()}/attendance`), 404);
    });
  });

  describe('check-in', () => {
    it('marks a registered contact attended and logs an interaction at the event for the contact and company', async () => {
      const event = await newEvent(alice, { name: `Breakfast ${tag()}` });
      const acme = await newCompany(alice, 'Checkin Co');
      const dana = await newContact(alice, acme.id, 'Dana');
      const reg = await attend(alice, event.id, dana.id);
      const r = await ok(checkIn(alice, event.id, dana.id, { notes: 'Wants a demo of the site diary' }));
      expect(r).toMatchObject({ added: false, already_attended: false });
      expect(r.attendee).toMatchObject({ id: reg.id, status: 'attended', notes: 'Wants a demo of the site diary', company_id: acme.id });
      expect(r.interaction).toMatchObject({ type: 'event', event_id: event.id, contact_id: dana.id, company_id: acme.id, subject: `Attended ${event.name}`, summary: 'Wants a demo of the site diary' });
      // Logged as sales.log_interaction logs one: the lead company is now contacted, the contact was just contacted.
      expect((await q('select status from companies where id = $1', [acme.id]))[0]!.status).toBe('contacted');
      expect((await q('select last_contacted_at is not null as t from contacts where id = $1', [dana.id]))[0]!.t).toBe(true);

      const a = await attendance(alice, event.id);
      expect(a.totals.by_status.attended).toBe(1);
      expect(a.interactions.total).toBe(1);
      expect(a.interactions.latest[0].id).toBe(r.interaction.id);

      // Again: nothing changes, nothing more is logged.
      const before = await counts(database(), ['interactions', 'event_attendees', 'audit_log']);
      expect(await ok(checkIn(alice, event.id, dana.id))).toMatchObject({ already_attended: true, interaction: null });
      expect(await counts(database(), ['interactions', 'event_attendees', 'audit_log'])).toEqual(before);
    });

    it('adds a contact who came unregistered, with their company', async () => {
      const event = await newEvent(alice);
      const acme = await newCompany(alice, 'Walk-in Co', { status: 'lead' });
      const walkIn = await newContact(alice, acme.id, 'Walk In');
      const r = await ok(checkIn(alice, event.id, walkIn.id, { role: 'guest' }));
      expect(r.added).toBe(true);
      expect(r.attendee).toMatchObject({ event_id: event.id, contact_id: walkIn.id, company_id: acme.id, status: 'attended', role: 'guest' });
      const rows = await q<{ type: string; event_id: string }>('select type, event_id from interactions where contact_id = $1', [walkIn.id]);
      expect(rows).toEqual([{ type: 'event', event_id: event.id }]);
      // A contact without a company gets an interaction with no company.
      const solo = await newContact(alice, null, 'Solo');
      const s = await ok(checkIn(alice, event.id, solo.id));
      expect(s.interaction).toMatchObject({ contact_id: solo.id, company_id: null, event_id: event.id });
    });

    it('refuses a cancelled event, a viewer, and records the caller cannot see; nothing is written', async () => {
      const cancelled = await newEvent(alice, { status: 'cancelled' });
      const acme = await newCompany(alice, 'Refused Co');
      const dana = await newContact(alice, acme.id, 'Dana');
      const before = await counts(database(), ['interactions', 'event_attendees', 'audit_log']);
      await refused(checkIn(alice, cancelled.id, dana.id), 409, 'event_id');
      const open = await newEvent(alice);
      const mid = await counts(database(), ['interactions', 'event_attendees']);
      expect((await refused(checkIn(vic, open.id, dana.id), 403)).code).toBe('FORBIDDEN');
      // The refusal itself is audited, and nothing else is written.
      const [refusal] = await q<{ n: number }>(`select count(*)::int as n from audit_log where action = 'refused' and operation = 'events.check_in' and after->>'path' like '%' || $1 || '%'`, [open.id]);
      expect(refusal!.n).toBeGreaterThanOrEqual(1);
      await refused(checkIn(alice, open.id, randomUUID()), 404);
      await refused(checkIn(alice, 'not-an-id', dana.id), 404);
      expect(await counts(database(), ['interactions', 'event_attendees'])).toEqual(mid);
      expect(mid.interactions).toBe(before.interactions);

      await ok(send(admin, 'PATCH', '/api/v1/settings', { record_visibility: 'own' }));
      try {
        const bobsEvent = await newEvent(bob);
        const bobsContact = await newContact(bob, null, 'Bobs');
        const snapshot = await counts(database(), ['interactions', 'event_attendees']);
        // Alice cannot see Bob's event, nor put Bob's contact on hers.
        await refused(checkIn(alice, bobsEvent.id, dana.id), 404);
        await refused(send(alice, 'GET', `/api/v1/events/${bobsEvent.id}/attendance`), 404);
        await refused(checkIn(alice, open.id, bobsContact.id), 404);
        await refused(send(alice, 'POST', '/api/v1/event_attendees', { event_id: open.id, contact_id: bobsContact.id }), 400, 'contact_id');
        expect(await counts(database(), ['interactions', 'event_attendees'])).toEqual(snapshot);
      } finally {
        await ok(send(admin, 'PATCH', '/api/v1/settings', { record_visibility: 'all' }));
      }
    });
  });
});
