/**
 * Insights (issue 10): the delivery and money insights, every figure worked out by hand. Each
 * test keeps to a period of its own (2021 utilisation and engagements, 2022 tickets, 2019 revenue,
 * 2010–2011 overdue), and every engagement made here is ended inside its test's year so that it
 * is live nowhere else. Capacity keeps no history, so the team is set up once for the file.
 */
import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/api/app.ts';
import { deliveryInsight, deliveryTables } from '../src/core/insights/delivery.ts';
import { moneyInsight, moneyTables } from '../src/core/insights/money.ts';
import { DeliveryInsight, MoneyInsight } from '../src/core/insights/types.ts';
import { buildPortfolioReport } from '../src/core/reports/portfolio.ts';
import { expectStatus, FAST_IDENTITY, sendAs, type SignedIn, signInCast } from './auth.ts';
import { dbSuite } from './db.ts';

type App = ReturnType<typeof createApp>;
type Row = Record<string, any>;

dbSuite('insights: delivery and money', ({ database, ctx }) => {
  let app: App;
  let admin: SignedIn;
  let alice: SignedIn;
  let bob: SignedIn;
  let vic: SignedIn;
  const cap: Record<'alice' | 'bob' | 'contractor', string> = { alice: '', bob: '', contractor: '' };
  const tag = () => randomBytes(4).toString('hex');
  const T = tag();

  const create = (who: SignedIn, table: string, data: Row) => expectStatus(sendAs(who, 'POST', `/api/v1/${table}`, data), 201);
  const q = <R = Row>(text: string, params: unknown[] = []) => database().query<R>(text, params);
  const insight = (who: SignedIn, name: string, params: Record<string, string>) => sendAs(who, 'GET', `/api/v1/insights/${name}?${new URLSearchParams(params)}`);
  const delivery = async (who: SignedIn, params: Record<string, string>): Promise<DeliveryInsight> => {
    const r = await expectStatus(insight(who, 'delivery', params));
    // Exactly the contract: parsing strips unknown keys, so equality means none were there.
    expect(DeliveryInsight.parse(r)).toEqual(r);
    return r;
  };
  const money = async (who: SignedIn, params: Record<string, string>): Promise<MoneyInsight> => {
    const r = await expectStatus(insight(who, 'money', params));
    expect(MoneyInsight.parse(r)).toEqual(r);
    return r;
  };
  const setVisibility = (mode: string) => expectStatus(sendAs(admin, 'PATCH', '/api/v1/settings', { record_visibility: mode }));
  const company = (who: SignedIn, name: string) => create(who, 'companies', { name: `${name} ${T}` });
  const engagement = (who: SignedIn, data: Row) => create(who, 'engagements', data);
  /** Ends an engagement inside its test's year (status and end_date by SQL), so it is live in no other test. */
  const end = (id: string, status: string, endDate: string | null) => q('update engagements set status = $2, end_date = $3 where id = $1', [id, status, endDate]);
  const work = (who: SignedIn, engagementId: string, userId: string, hours: string, day: string) =>
    create(who, 'work_completed', { engagement_id: engagementId, category: 'other', hours, work_date: day, user_id: userId });
  const archive = (table: string, id: string) => q(`update "${table}" set archived_at = now() where id = $1`, [id]);

  beforeAll(async () => {
    app = createApp({ database: database(), identity: FAST_IDENTITY, webDir: null, timeZone: 'UTC' });
    ({ admin, alice, bob, vic } = await signInCast(app, database()));
    // The team: 40 + 20 + 10 = 70 h a week total, 30 + 5 + 0 = 35 allocated. Vic's row is archived: not on the team.
    cap.alice = (await create(admin, 'capacity', { team_member: `Alice ${T}`, user_id: alice.user.id, total_hours_per_week: '40.00', allocated_hours_per_week: '30.00' })).id;
    cap.bob = (await create(admin, 'capacity', { team_member: `bob ${T}`, user_id: bob.user.id, total_hours_per_week: '20.00', allocated_hours_per_week: '5.00' })).id;
    cap.contractor = (await create(admin, 'capacity', { team_member: `Contractor ${T}`, total_hours_per_week: '10.00' })).id;
    const gone = await create(admin, 'capacity', { team_member: `Zed ${T}`, user_id: vic.user.id, total_hours_per_week: '100.00' });
    await archive('capacity', gone.id);
  });

  describe('delivery', () => {
    it('utilisation per week and member, and engagements against their estimates (2021)', async () => {
      const c1 = await company(alice, 'Alice Co');
      const c2 = await company(bob, 'Bob Co');
      // Live in the period 2021-03-03 … 2021-03-24:
      const e1 = await engagement(alice, { company_id: c1.id, name: `Eng A ${T}`, start_date: '2021-01-01', estimated_hours: '12.00' });
      const e2 = await engagement(bob, { company_id: c2.id, name: `Eng B ${T}`, start_date: '2021-03-20', estimated_hours: '3.00' });
      const e3 = await engagement(alice, { company_id: c1.id, name: `Eng C ${T}`, start_date: '2021-03-24' });
      const e4 = await engagement(alice, { company_id: c1.id, name: `Eng D ${T}`, start_date: '2021-02-01', estimated_hours: '0.00' });
      // Not listed: ended the day before, starts the day after, neither estimate nor work, archived.
      const e5 = await engagement(alice, { company_id: c1.id, name: `Eng E ${T}`, start_date: '2021-01-01', end_date: '2021-03-02', estimated_hours: '5.00' });
      const e6 = await engagement(alice, { company_id: c1.id, name: `Eng F ${T}`, start_date: '2021-03-25', estimated_hours: '5.00' });
      const e7 = await engagement(alice, { company_id: c1.id, name: `Eng G ${T}`, start_date: '2021-03-01' });
      const e8 = await engagement(alice, { company_id: c1.id, name: `Eng H ${T}`, start_date: '2021-03-01', estimated_hours: '5.00' });
      await archive('engagements', e8.id);
      for (const e of [e1, e2, e3, e4, e6, e7, e8]) await end(e.id, 'completed', '2021-12-31');
      await end(e5.id, 'completed', '2021-03-02');

      await work(alice, e1.id, alice.user.id, '4.00', '2021-03-03'); // week 03-01, first day of the period
      await work(alice, e1.id, alice.user.id, '2.00', '2021-03-02'); // before the period: the engagement's total only
      await work(alice, e1.id, bob.user.id, '3.50', '2021-03-10'); // week 03-08
      await work(alice, e1.id, alice.user.id, '1.25', '2021-03-24'); // week 03-22, last day of the period
      await work(alice, e1.id, alice.user.id, '5.00', '2021-03-25'); // after the period: the engagement's total only
      await work(admin, e1.id, admin.user.id, '8.00', '2021-03-09'); // not on the team
      await work(admin, e1.id, vic.user.id, '6.00', '2021-03-10'); // capacity row archived: not on the team
      const archived = await work(alice, e1.id, alice.user.id, '100.00', '2021-03-04');
      await archive('work_completed', archived.id);
      await work(bob, e2.id, bob.user.id, '2.00', '2021-03-22'); // week 03-22
      await work(alice, e3.id, alice.user.id, '1.00', '2021-03-05'); // week 03-01
      await work(alice, e3.id, alice.user.id, '10.00', '2099-01-01'); // after today: not logged yet

      const p = { from: '2021-03-03', to: '2021-03-24' };
      const r = await delivery(admin, p);
      expect(r.period).toEqual({ from: '2021-03-03', to: '2021-03-24', days: 22 });
      expect(r.capacity).toEqual({
        members: [
          { capacity_id: cap.alice, team_member: `Alice ${T}`, user_id: alice.user.id, total_hours_per_week: '40.00', allocated_hours_per_week: '30.00' },
          { capacity_id: cap.bob, team_member: `bob ${T}`, user_id: bob.user.id, total_hours_per_week: '20.00', allocated_hours_per_week: '5.00' },
          { capacity_id: cap.contractor, team_member: `Contractor ${T}`, user_id: null, total_hours_per_week: '10.00', allocated_hours_per_week: '0.00' },
        ],
        total_hours_per_week: '70.00',
        allocated_hours_per_week: '35.00',
      });
      // 2021-03-01 is a Monday. Team capacity 70 h/week × days ÷ 7.
      expect(r.utilisation).toEqual([
        { week: '2021-03-01', days: 5, logged_hours: '5.00', capacity_hours: '50.00', utilisation: '10.00' }, // 4 + 1; 70 × 5 ÷ 7 = 50; 5 ÷ 50
        { week: '2021-03-08', days: 7, logged_hours: '3.50', capacity_hours: '70.00', utilisation: '5.00' }, // bob 3.5 (admin, vic not on the team)
        { week: '2021-03-15', days: 7, logged_hours: '0.00', capacity_hours: '70.00', utilisation: '0.00' }, // empty week
        { week: '2021-03-22', days: 3, logged_hours: '3.25', capacity_hours: '30.00', utilisation: '10.83' }, // 1.25 + 2; 70 × 3 ÷ 7 = 30; 3.25 ÷ 30 = 10.833…
      ]);
      expect(r.by_member).toEqual([
        // 4 + 1 + 1.25 = 6.25 of 40 × 22 ÷ 7 = 125.714…; 6.25 × 700 ÷ 880 = 4.9715…
        { capacity_id: cap.alice, team_member: `Alice ${T}`, user_id: alice.user.id, logged_hours: '6.25', capacity_hours: '125.71', utilisation: '4.97' },
        // 3.5 + 2 = 5.5 of 20 × 22 ÷ 7 = 62.857…; 5.5 × 700 ÷ 440 = 8.75
        { capacity_id: cap.bob, team_member: `bob ${T}`, user_id: bob.user.id, logged_hours: '5.50', capacity_hours: '62.86', utilisation: '8.75' },
        // 10 × 22 ÷ 7 = 31.428…
        { capacity_id: cap.contractor, team_member: `Contractor ${T}`, user_id: null, logged_hours: '0.00', capacity_hours: '31.43', utilisation: '0.00' },
      ]);
      const line = (e: Row, estimated: string | null, logged: string, varianceHours: string | null, variance: string | null, companyName: string | null) => ({
        engagement_id: e.id,
        name: e.name,
        company_id: e.company_id,
        company_name: companyName,
        status: 'completed',
        estimated_hours: estimated,
        logged_hours: logged,
        variance_hours: varianceHours,
        variance,
      });
      expect(r.engagements).toEqual([
        // 4 + 2 + 3.5 + 1.25 + 5 + 8 + 6 = 29.75 (all time; the archived 100 left out); 17.75 ÷ 12 = 147.916…
        line(e1, '12.00', '29.75', '17.75', '147.92', c1.name),
        // 2 − 3 = −1; −1 ÷ 3 = −33.333…
        line(e2, '3.00', '2.00', '-1.00', '-33.33', c2.name),
        // no estimate: no variance; the 2099 hours are not logged yet
        line(e3, null, '1.00', null, null, c1.name),
        // an estimate of 0: no share
        line(e4, '0.00', '0.00', '0.00', null, c1.name),
      ]);
      expect(r.engagements_truncated).toBe(false);

      // Alice may see only her own records: bob's engagement (and his 2 h on it) drops out; his 3.5 h on hers stay.
      await setVisibility('own');
      try {
        const mine = await delivery(alice, p);
        expect(mine.capacity).toEqual(r.capacity);
        expect(mine.utilisation.map((w) => [w.week, w.logged_hours, w.utilisation])).toEqual([
          ['2021-03-01', '5.00', '10.00'],
          ['2021-03-08', '3.50', '5.00'],
          ['2021-03-15', '0.00', '0.00'],
          ['2021-03-22', '1.25', '4.17'], // 1.25 ÷ 30 = 4.166…
        ]);
        // bob: 3.5 × 700 ÷ 440 = 5.568…
        expect(mine.by_member.map((m) => [m.logged_hours, m.utilisation])).toEqual([['6.25', '4.97'], ['3.50', '5.57'], ['0.00', '0.00']]);
        expect(mine.engagements.map((e) => e.engagement_id)).toEqual([e1.id, e3.id, e4.id]);
      } finally {
        await setVisibility('all');
      }

      // An empty period: every week present with nothing logged.
      const empty = await delivery(vic, { from: '2021-06-07', to: '2021-06-13' });
      expect(empty.utilisation).toEqual([{ week: '2021-06-07', days: 7, logged_hours: '0.00', capacity_hours: '70.00', utilisation: '0.00' }]);
      // Live in June: all but e5 (ended 03-02), e7 (nothing to compare) and e8 (archived); e6 has logged nothing of its 5: −100.
      expect(empty.engagements.map((e) => [e.engagement_id, e.variance])).toEqual([[e1.id, '147.92'], [e2.id, '-33.33'], [e6.id, '-100.00'], [e3.id, null], [e4.id, null]]);

      expect(deliveryTables(r).map((t) => t.name)).toEqual(['utilisation', 'members', 'engagements', 'tickets', 'ticket_summary', 'priorities']);
      expect(deliveryTables(r)[1]!.rows[0]).toEqual({ ...r.capacity.members[0], logged_hours: '6.25', capacity_hours: '125.71', utilisation: '4.97' });
    });

    it('support tickets: opened and resolved per week, open now, hours to resolve (2022)', async () => {
      const c1 = await company(alice, 'Alice Support');
      const c2 = await company(bob, 'Bob Support');
      const ticket = async (who: SignedIn, companyId: string, priority: string, status: string, requested: string, resolved: string | null) => {
        const t = await create(who, 'support_tickets', { company_id: companyId, subject: `Help ${tag()}`, priority });
        await q('update support_tickets set request_date = $2, resolved_at = $3, status = $4, resolution = $5 where id = $1', [t.id, requested, resolved, status, resolved ? 'Fixed' : null]);
        return t;
      };
      // 2022-05-30 is a Monday; the period 2022-06-01 (Wed) … 2022-06-21 (Tue).
      await ticket(alice, c1.id, 'high', 'resolved', '2022-05-30T10:00:00Z', '2022-06-02T10:00:00Z'); // T1: opened before, resolved in: 72 h
      await ticket(alice, c1.id, 'high', 'closed', '2022-06-01T00:00:00Z', '2022-06-01T06:30:00Z'); // T2: 6.5 h
      await ticket(alice, c1.id, 'medium', 'resolved', '2022-06-07T09:00:00Z', '2022-06-08T12:15:00Z'); // T3: 27.25 h
      await ticket(alice, c1.id, 'low', 'open', '2022-06-21T23:59:59Z', null); // T4: last second of the period, open
      await ticket(alice, c1.id, 'critical', 'resolved', '2022-06-10T08:00:00Z', '2022-06-22T08:00:00Z'); // T5: resolved after the period
      await ticket(alice, c1.id, 'medium', 'resolved', '2022-06-20T00:00:00Z', '2022-06-21T01:00:00Z'); // T6: 25 h
      const t7 = await ticket(alice, c1.id, 'medium', 'open', '2022-06-08T00:00:00Z', null); // archived
      await archive('support_tickets', t7.id);
      await ticket(bob, c2.id, 'medium', 'resolved', '2022-06-09T10:00:00Z', '2022-06-09T11:00:00Z'); // T8 (bob's): 1 h
      await ticket(bob, c2.id, 'medium', 'in_progress', '2021-12-01T10:00:00Z', null); // T9 (bob's): open since before
      await ticket(alice, c1.id, 'low', 'waiting', '2022-07-01T10:00:00Z', null); // T10: waiting is not open, and after the period

      const p = { from: '2022-06-01', to: '2022-06-21' };
      const r = await delivery(admin, p);
      expect(r.tickets).toEqual({
        series: [
          { week: '2022-05-30', opened: 1, resolved: 2 }, // T2; T1, T2
          { week: '2022-06-06', opened: 3, resolved: 2 }, // T3, T5, T8; T3, T8
          { week: '2022-06-13', opened: 0, resolved: 0 },
          { week: '2022-06-20', opened: 2, resolved: 1 }, // T4, T6; T6
        ],
        opened: 6,
        resolved: 5,
        open_now: 2, // T4, T9
        avg_hours_to_resolve: '26.35', // (72 + 6.5 + 27.25 + 25 + 1) ÷ 5 = 131.75 ÷ 5
        median_hours_to_resolve: '25.00', // 1, 6.5, 25, 27.25, 72
        by_priority: [
          { priority: 'low', opened: 1, resolved: 0, median_hours_to_resolve: null },
          { priority: 'medium', opened: 3, resolved: 3, median_hours_to_resolve: '25.00' }, // 1, 25, 27.25
          { priority: 'high', opened: 1, resolved: 2, median_hours_to_resolve: '39.25' }, // (6.5 + 72) ÷ 2
          { priority: 'critical', opened: 1, resolved: 0, median_hours_to_resolve: null },
        ],
      });

      await setVisibility('own');
      try {
        const mine = (await delivery(alice, p)).tickets;
        expect(mine.series.map((s) => [s.opened, s.resolved])).toEqual([[1, 2], [2, 1], [0, 0], [2, 1]]);
        expect([mine.opened, mine.resolved, mine.open_now]).toEqual([5, 4, 1]);
        expect(mine.avg_hours_to_resolve).toBe('32.69'); // 130.75 ÷ 4 = 32.6875
        expect(mine.median_hours_to_resolve).toBe('26.13'); // (25 + 27.25) ÷ 2 = 26.125, half up
        expect(mine.by_priority[1]).toEqual({ priority: 'medium', opened: 2, resolved: 2, median_hours_to_resolve: '26.13' });
      } finally {
        await setVisibility('all');
      }

      // In Sydney (UTC+10) T4 was requested on 2022-06-22 and T2 on 2022-06-01 10:00: the days move.
      const sydney = await deliveryInsight(ctx({ timeZone: 'Australia/Sydney' }), p);
      expect(sydney.tickets.series.map((s) => [s.week, s.opened, s.resolved])).toEqual([
        ['2022-05-30', 1, 2],
        ['2022-06-06', 3, 2],
        ['2022-06-13', 0, 0],
        ['2022-06-20', 1, 1], // T6 (10:00 on the 20th); T4 falls on the 22nd, T6 resolved 11:00 on the 21st
      ]);

      const tables = deliveryTables(r);
      expect(tables.find((t) => t.name === 'ticket_summary')!.rows).toEqual([
        expect.objectContaining({ opened: 6, resolved: 5, open_now: 2, avg_hours_to_resolve: '26.35', median_hours_to_resolve: '25.00' }),
      ]);
      expect(tables.find((t) => t.name === 'tickets')!.rows).toEqual(r.tickets.series);
    });

    it('lists at most 200 engagements, largest share over the estimate first (2023)', async () => {
      const c = await company(admin, 'Many');
      // 201 engagements with estimates 1.00 … 201.00 and 1 hour logged each (work by SQL): variance (1 − k) ÷ k.
      await q(
        `insert into engagements (company_id, name, status, start_date, end_date, estimated_hours)
         select $1, 'Many ' || lpad(k::text, 3, '0') || ' ' || $2, 'completed', '2023-05-01', '2023-05-31', k from generate_series(1, 201) k`,
        [c.id, T],
      );
      await q(`insert into work_completed (engagement_id, category, hours, work_date) select id, 'other', 1, '2023-05-02' from engagements where name like 'Many %' || $1`, [T]);
      const r = await delivery(admin, { from: '2023-05-01', to: '2023-05-31' });
      expect(r.engagements_truncated).toBe(true);
      expect(r.engagements).toHaveLength(200);
      // k = 1: 0 ÷ 1 = 0.00; k = 2: −1 ÷ 2 = −50.00; k = 3: −66.666…; the last kept is k = 200: −199 ÷ 200 = −99.50.
      expect(r.engagements.slice(0, 3).map((e) => [e.estimated_hours, e.logged_hours, e.variance_hours, e.variance])).toEqual([
        ['1.00', '1.00', '0.00', '0.00'],
        ['2.00', '1.00', '-1.00', '-50.00'],
        ['3.00', '1.00', '-2.00', '-66.67'],
      ]);
      expect(r.engagements.at(-1)!.variance).toBe('-99.50');
    });

    it('refuses a bad date and a period ending before it starts, naming the field; a viewer may read', async () => {
      const bad = await insight(vic, 'delivery', { from: '2021-02-30', to: '2021-03-01' });
      expect(bad.status, JSON.stringify(bad.body)).toBe(400);
      expect(bad.body.errors.map((e: Row) => e.field)).toContain('from');
      const backwards = await insight(vic, 'delivery', { from: '2021-03-02', to: '2021-03-01' });
      expect(backwards.status, JSON.stringify(backwards.body)).toBe(400);
      expect(backwards.body.errors.map((e: Row) => e.field)).toContain('to');
      const badMoney = await insight(vic, 'money', { to: 'tomorrow' });
      expect(badMoney.status).toBe(400);
      expect(badMoney.body.errors.map((e: Row) => e.field)).toContain('to');
      const one = await delivery(vic, { from: '2021-03-01', to: '2021-03-01' });
      expect(one.utilisation).toEqual([{ week: '2021-03-01', days: 1, logged_hours: '0.00', capacity_hours: '10.00', utilisation: '0.00' }]); // 70 ÷ 7
      expect((await money(vic, { from: '2015-05-01', to: '2015-05-01' })).months).toEqual(['2015-05']);
    });
  });

  describe('money', () => {
    it('revenue per month and currency, usage, and the portfolio of the last month (2019)', async () => {
      const c1 = await company(alice, 'Alice Money');
      const c2 = await company(bob, 'Bob Money');
      // Period 2019-01-15 … 2019-03-10: months 2019-01, 2019-02, 2019-03.
      const m1 = await engagement(alice, { company_id: c1.id, name: `M1 ${T}`, currency: 'AUD', monthly_fee: '1000.00', start_date: '2018-12-01' });
      await end(m1.id, 'completed', '2019-02-20'); // live Jan, Feb
      const m2 = await engagement(alice, { company_id: c1.id, name: `M2 ${T}`, currency: 'USD', monthly_fee: '500.00', start_date: '2019-02-10', hourly_rate_value: '80.00' });
      await end(m2.id, 'completed', '2019-12-31'); // live Feb, Mar
      const m3 = await engagement(alice, { company_id: c1.id, name: `M3 ${T}`, currency: 'AUD', monthly_fee: '250.50', start_date: '2019-03-01' });
      await end(m3.id, 'cancelled', null); // ended the day it was cancelled: 2019-03-05 (status_history)
      await q(`insert into status_history (entity_type, entity_id, status, from_status, entered_at) values ('engagement', $1, 'cancelled', 'onboarding', '2019-03-05T09:00:00Z')`, [m3.id]);
      const m4 = await engagement(alice, { company_id: c1.id, name: `M4 ${T}`, currency: 'AUD', start_date: '2019-01-01' }); // no fee
      await end(m4.id, 'completed', '2019-12-31');
      const m5 = await engagement(alice, { company_id: c1.id, name: `M5 ${T}`, currency: 'AUD', monthly_fee: '700.00', start_date: '2019-01-01' });
      await end(m5.id, 'completed', '2019-12-31');
      await archive('engagements', m5.id);
      const m6 = await engagement(bob, { company_id: c2.id, name: `M6 ${T}`, currency: 'TTD', monthly_fee: '300.00', start_date: '2019-01-01' });
      await end(m6.id, 'completed', '2019-01-31'); // live Jan
      const m7 = await engagement(alice, { company_id: c1.id, name: `M7 ${T}`, currency: 'AUD', monthly_fee: '200.00', start_date: '2019-01-31' });
      await end(m7.id, 'completed', '2019-01-31'); // live Jan (one day)

      const invoice = async (who: SignedIn, e: Row, amount: string, status: string, issue: string, paid: string | null = null) => {
        const i = await create(who, 'invoices', { company_id: e.company_id, engagement_id: e.id, invoice_type: 'monthly', amount, currency: e.currency });
        await q('update invoices set status = $2, issue_date = $3, paid_date = $4, due_date = null where id = $1', [i.id, status, issue, paid]);
        return i;
      };
      await invoice(alice, m1, '1000.00', 'paid', '2019-01-20', '2019-02-05'); // invoiced Jan, paid Feb
      await invoice(alice, m1, '400.00', 'sent', '2019-01-10'); // issued before the period
      await invoice(alice, m2, '500.00', 'paid', '2019-02-10', '2019-03-12'); // invoiced Feb; paid after the period
      await invoice(alice, m3, '250.50', 'draft', '2019-03-01');
      await invoice(alice, m3, '99.99', 'cancelled', '2019-03-02');
      await invoice(alice, m2, '120.25', 'sent', '2019-03-05'); // invoiced Mar; the portfolio's cost of M2 in March
      await invoice(bob, m6, '75.00', 'sent', '2019-01-16');
      const gone = await invoice(alice, m1, '10.00', 'sent', '2019-02-01');
      await archive('invoices', gone.id);

      const usage = (e: Row, month: string, tokens: number, records: number) =>
        q('insert into ai_usage_monthly (engagement_id, company_id, month, tokens_used, records) values ($1, $2, $3, $4, $5)', [e.id, e.company_id, month, tokens, records]);
      await usage(m1, '2019-01-01', 1000, 3);
      await usage(m2, '2019-01-01', 500, 1);
      await usage(m6, '2019-03-01', 2500, 2);
      await usage(m1, '2018-12-01', 999, 9); // before the period
      await usage(m1, '2019-04-01', 999, 9); // after it

      // M2 saves 30 min, 10 times a month (measured 2019-03-03): 5 h × 80 = 400 in March.
      const [contact] = await q<{ id: string }>('insert into contacts (company_id, name) values ($1, $2) returning id', [c1.id, `Pat ${T}`]);
      const [task] = await q<{ id: string }>(
        `insert into contact_tasks (contact_id, engagement_id, company_id, task_name, frequency, occurrences_per_month, time_before_ai, ai_adoption_status)
         values ($1, $2, $3, 'Reconcile', 'ad_hoc', 10, 60, 'adopted') returning id`,
        [contact!.id, m2.id, c1.id],
      );
      await q(`insert into task_measurements (task_id, measured_on, time_after_ai) values ($1, '2019-03-03', 30)`, [task!.id]);

      const p = { from: '2019-01-15', to: '2019-03-10' };
      const r = await money(admin, p);
      expect(r.period).toEqual({ from: '2019-01-15', to: '2019-03-10', days: 55 }); // 17 + 28 + 10
      expect(r.months).toEqual(['2019-01', '2019-02', '2019-03']);
      const rev = (month: string, currency: string, monthly_recurring: string, live_engagements: number, invoiced: string, paid: string) => ({ month, currency, monthly_recurring, live_engagements, invoiced, paid });
      expect(r.revenue).toEqual([
        rev('2019-01', 'AUD', '1200.00', 2, '1000.00', '0.00'), // M1 1000 + M7 200 (M4 has no fee, M5 archived); the 400 was issued before the period
        rev('2019-01', 'TTD', '300.00', 1, '75.00', '0.00'),
        rev('2019-01', 'USD', '0.00', 0, '0.00', '0.00'),
        rev('2019-02', 'AUD', '1000.00', 1, '0.00', '1000.00'), // M1 until the 20th; paid on the 5th; the archived 10 left out
        rev('2019-02', 'TTD', '0.00', 0, '0.00', '0.00'),
        rev('2019-02', 'USD', '500.00', 1, '500.00', '0.00'),
        rev('2019-03', 'AUD', '250.50', 1, '0.00', '0.00'), // M3 until cancelled on the 5th; draft and cancelled invoices do not count
        rev('2019-03', 'TTD', '0.00', 0, '0.00', '0.00'),
        rev('2019-03', 'USD', '500.00', 1, '120.25', '0.00'), // paid on 03-12, after the period
      ]);
      expect(r.usage).toEqual([
        { month: '2019-01', tokens_used: 1500, records: 4 },
        { month: '2019-02', tokens_used: 0, records: 0 },
        { month: '2019-03', tokens_used: 2500, records: 2 },
      ]);
      // Nothing sent has a due date: nothing is overdue.
      expect(r.overdue).toEqual({ invoices: 0, by_currency: [], by_age: [] });
      // March: M2, M3 (cancelled on the 5th) and M4 are live; M1 ended in February, M6 in January.
      expect(r.portfolio.month).toBe('2019-03');
      expect(r.portfolio.engagements).toEqual([
        { engagement_id: m2.id, name: `M2 ${T}`, company_name: c1.name, currency: 'USD', hours_saved: '5.00', value: '400.00', cost: '120.25', roi: '232.64' }, // 279.75 ÷ 120.25 = 2.326403…
        { engagement_id: m3.id, name: `M3 ${T}`, company_name: c1.name, currency: 'AUD', hours_saved: '0.00', value: null, cost: '0.00', roi: null }, // no hourly rate
        { engagement_id: m4.id, name: `M4 ${T}`, company_name: c1.name, currency: 'AUD', hours_saved: '0.00', value: null, cost: '0.00', roi: null },
      ]);
      expect(r.portfolio.totals).toEqual([
        { currency: 'AUD', engagements: 2, hours_saved: '0.00', value: '0.00', cost: '0.00', roi: null },
        { currency: 'USD', engagements: 1, hours_saved: '5.00', value: '400.00', cost: '120.25', roi: '232.64' },
      ]);
      const report = await buildPortfolioReport(ctx(), { month: '2019-03' });
      expect(report.engagements.map((l) => [l.engagement_id, l.roi_percent])).toEqual([[m2.id, '232.6'], [m3.id, null], [m4.id, null]]);

      // Alice does not see bob's company: TTD (M6, its invoice and usage) is gone.
      await setVisibility('own');
      try {
        const mine = await money(alice, p);
        expect(mine.revenue.map((x) => `${x.month} ${x.currency} ${x.monthly_recurring} ${x.invoiced}`)).toEqual([
          '2019-01 AUD 1200.00 1000.00',
          '2019-01 USD 0.00 0.00',
          '2019-02 AUD 1000.00 0.00',
          '2019-02 USD 500.00 500.00',
          '2019-03 AUD 250.50 0.00',
          '2019-03 USD 500.00 120.25',
        ]);
        expect(mine.usage.map((u) => u.tokens_used)).toEqual([1500, 0, 0]);
      } finally {
        await setVisibility('all');
      }

      const tables = moneyTables(r);
      expect(tables.map((t) => t.name)).toEqual(['revenue', 'overdue', 'portfolio', 'portfolio_totals', 'usage']);
      expect(tables[0]!.rows).toEqual(r.revenue);
      expect(tables[2]!.rows[0]).toEqual({ month: '2019-03', ...r.portfolio.engagements[0] });
    });

    it('overdue invoices by currency and age band, today; a portfolio month past today is the current one (2010–2011)', async () => {
      const c = await company(alice, 'Alice Overdue');
      const due = async (currency: string, amount: string, status: string, dueDate: string) => {
        const i = await create(alice, 'invoices', { company_id: c.id, invoice_type: 'one_time', amount, currency });
        await q(`update invoices set status = $2, issue_date = '2010-09-01', due_date = $3, paid_date = $4 where id = $1`, [i.id, status, dueDate, status === 'paid' ? '2010-12-20' : null]);
      };
      // Today is 2011-01-15.
      await due('AUD', '100.00', 'sent', '2011-01-14'); // 1 day past due
      await due('AUD', '200.00', 'sent', '2010-12-16'); // 30 days
      await due('AUD', '300.00', 'sent', '2010-12-15'); // 31 days
      await due('USD', '400.00', 'sent', '2010-10-17'); // 14 + 30 + 31 + 15 = 90 days
      await due('USD', '50.50', 'sent', '2010-10-16'); // 91 days
      await due('AUD', '999.00', 'sent', '2011-01-15'); // due today: not yet overdue
      await due('AUD', '999.00', 'paid', '2010-12-01'); // paid
      await due('TTD', '999.00', 'sent', '2011-02-01'); // not due yet

      const now = () => new Date('2011-01-15T12:00:00Z');
      const r = await moneyInsight(ctx({ now }), { from: '2010-12-01', to: '2011-03-31' });
      expect(MoneyInsight.parse(r)).toEqual(r);
      expect(r.overdue).toEqual({
        invoices: 5,
        by_currency: [
          { currency: 'AUD', amount: '600.00', count: 3 },
          { currency: 'USD', amount: '450.50', count: 2 },
        ],
        by_age: [
          { band: '1-30', currency: 'AUD', amount: '300.00', count: 2 },
          { band: '31-60', currency: 'AUD', amount: '300.00', count: 1 },
          { band: '61-90', currency: 'USD', amount: '400.00', count: 1 },
          { band: '90+', currency: 'USD', amount: '50.50', count: 1 },
        ],
      });
      // Nothing live or issued in these months; the one paid on 2010-12-20 (issued before the period) makes AUD seen.
      expect(r.months).toEqual(['2010-12', '2011-01', '2011-02', '2011-03']);
      const zero = { currency: 'AUD', monthly_recurring: '0.00', live_engagements: 0, invoiced: '0.00', paid: '0.00' };
      expect(r.revenue).toEqual([{ month: '2010-12', ...zero, paid: '999.00' }, { month: '2011-01', ...zero }, { month: '2011-02', ...zero }, { month: '2011-03', ...zero }]);
      expect(r.usage.map((u) => [u.month, u.tokens_used, u.records])).toEqual([['2010-12', 0, 0], ['2011-01', 0, 0], ['2011-02', 0, 0], ['2011-03', 0, 0]]);
      expect(r.portfolio).toEqual({ month: '2011-01', engagements: [], totals: [] });
      expect(moneyTables(r)[1]!.rows).toEqual([
        { band: 'all', currency: 'AUD', count: 3, amount: '600.00' },
        { band: 'all', currency: 'USD', count: 2, amount: '450.50' },
        { band: '1-30', currency: 'AUD', count: 2, amount: '300.00' },
        { band: '31-60', currency: 'AUD', count: 1, amount: '300.00' },
        { band: '61-90', currency: 'USD', count: 1, amount: '400.00' },
        { band: '90+', currency: 'USD', count: 1, amount: '50.50' },
      ]);
    });
  });
});
