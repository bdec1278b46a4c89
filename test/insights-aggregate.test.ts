/**
 * Insights: calibration (000 step 24, go decisions against what delivery showed) and the aggregate
 * query (one measure over a period by up to two dimensions). Every figure is worked out by hand in
 * the comments. Each test keeps to a year of its own so the suites' data never meet: calibration
 * decisions in 2019 (and 2017 for the cap), hours saved in 2020 and 2022, work hours in 2018,
 * invoices in 2016, deals in 2015, leads in 2014, AI usage in 2013, interactions in 2012 and
 * tickets in 2011.
 */
import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/api/app.ts';
import { aggregateInsight, aggregateTables } from '../src/core/insights/aggregate.ts';
import { calibrationInsight, calibrationTables } from '../src/core/insights/calibration.ts';
import { expectStatus, FAST_IDENTITY, type Reply, sendAs, type SignedIn, signIn } from './auth.ts';
import { dbSuite } from './db.ts';

type App = ReturnType<typeof createApp>;

dbSuite('insights: calibration and aggregate', ({ database, ctx }) => {
  let app: App;
  let admin: SignedIn;
  let alice: SignedIn;
  let vic: SignedIn;
  const tag = () => randomBytes(4).toString('hex');
  const ok = expectStatus;
  const refused = async (p: Promise<Reply>, field: string) => {
    const r = await p;
    expect(r.status, JSON.stringify(r.body)).toBe(400);
    expect(r.body.errors.map((e: { field: string }) => e.field), JSON.stringify(r.body)).toContain(field);
    return r.body.errors.find((e: { field: string }) => e.field === field).message as string;
  };
  const get = (who: SignedIn, path: string, params: Record<string, string | number>) =>
    sendAs(who, 'GET', `${path}?${new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)])).toString()}`);
  const aggregate = (who: SignedIn, params: Record<string, string | number>) => get(who, '/api/v1/insights/aggregate', params);
  const setVisibility = (mode: string) => ok(sendAs(admin, 'PATCH', '/api/v1/settings', { record_visibility: mode }));

  /** Inserts a row with plain SQL (timestamps in the past, archived rows) and answers its id. */
  const insert = async (table: string, values: Record<string, unknown>): Promise<string> => {
    const cols = Object.keys(values);
    const [r] = await database().query<{ id: string }>(
      `insert into ${table} (${cols.join(', ')}) values (${cols.map((_, i) => `$${i + 1}`).join(', ')}) returning id`,
      Object.values(values),
    );
    return r!.id;
  };
  const company = (extra: Record<string, unknown> = {}) => insert('companies', { name: `Co ${tag()}`, ...extra });
  const engagement = (companyId: string, extra: Record<string, unknown> = {}) => insert('engagements', { company_id: companyId, name: `Engagement ${tag()}`, ...extra });
  const invoice = (companyId: string, extra: Record<string, unknown>) =>
    insert('invoices', { company_id: companyId, invoice_number: `INV-T-${tag()}`, invoice_type: 'one_time', ...extra });
  const task = (contactId: string, engagementId: string, extra: Record<string, unknown>) =>
    insert('contact_tasks', { contact_id: contactId, engagement_id: engagementId, task_name: `Task ${tag()}`, ai_adoption_status: 'adopted', ...extra });
  const measure = (taskId: string, on: string, after: number, occurrences: number | null = null) =>
    insert('task_measurements', { task_id: taskId, measured_on: on, time_after_ai: after, occurrences });

  beforeAll(async () => {
    app = createApp({ database: database(), identity: FAST_IDENTITY, webDir: null, timeZone: 'UTC' });
    admin = await signIn(app, database(), 'admin');
    alice = await signIn(app, database(), 'editor');
    vic = await signIn(app, database(), 'viewer');
  });

  // -------------------------------------------------------------------------
  describe('calibration', () => {
    // Today is 2021-07-15: the current month is 2021-07, so the last complete month is 2021-06.
    const at = () => ctx({ now: () => new Date('2021-07-15T12:00:00Z') });
    let g1: string;
    let g2: string;
    let g4: string;
    let e1: string;
    let e4: string;

    beforeAll(async () => {
      const c1 = await company({ owner_id: admin.user.id });
      const c2 = await company({ owner_id: admin.user.id });
      // G1: go on 2019-03-10, estimates 10 h/week of delivery, 20 h saved per month, 5000.00 AUD.
      g1 = await insert('go_no_go_decisions', {
        company_id: c1, decision: 'go', decision_date: '2019-03-10',
        estimated_hours_per_week: '10.00', estimated_roi_hours_per_month: '20.00', estimated_value: '5000.00', currency: 'AUD',
      });
      const p1 = await insert('proposals', { company_id: c1, go_no_go_id: g1, status: 'accepted' });
      // E1 ran 2021-01-04 to 2021-03-14: 69 days apart, 70 days counted = 10 weeks; live from 2021-03-01.
      e1 = await engagement(c1, { proposal_id: p1, start_date: '2021-01-04', end_date: '2021-03-14', go_live_date: '2021-03-01' });
      // Work: 30 + 50 + 45.50 = 125.50 h (the archived 100 h do not count).
      for (const [hours, day] of [['30.00', '2021-01-10'], ['50.00', '2021-02-10'], ['45.50', '2021-03-10']] as const) {
        await insert('work_completed', { engagement_id: e1, category: 'mcp_build', hours, work_date: day });
      }
      await insert('work_completed', { engagement_id: e1, category: 'other', hours: '100.00', work_date: '2021-02-11', archived_at: '2021-02-12T00:00:00Z' });
      // Tasks of E1, months 2021-03 … 2021-06:
      // T1 (ad hoc, 30 min before): 2021-03 nothing measured yet → 0; 2021-04 measured 20 times at 10 min → 20 × 20 = 400 min;
      //   2021-05 measured 30 times at 12 min → 18 × 30 = 540 min; 2021-06 nothing measured, nothing stated, ad hoc → 0.
      // T2 (monthly, 60 min before, 45 since 2021-02-15): once a month × 15 min in each of the 4 months = 60 min.
      // Σ = 400 + 540 + 60 = 1000 min = 16.6667 h over 4 months → 4.1667 h/month → "4.17"; ÷ 20 = 0.2083 → "0.21".
      const k1 = await insert('contacts', { company_id: c1, name: 'Kim' });
      const t1 = await task(k1, e1, { frequency: 'ad_hoc', time_before_ai: 30 });
      await measure(t1, '2021-04-10', 10, 20);
      await measure(t1, '2021-05-12', 12, 30);
      const t2 = await task(k1, e1, { frequency: 'monthly', time_before_ai: 60 });
      await measure(t2, '2021-02-15', 45);
      // Invoices of E1 in AUD, not draft or cancelled: 2000.00 (sent) + 1500.00 (paid) = 3500.00; 3500 ÷ 5000 = 0.70.
      await invoice(c1, { engagement_id: e1, amount: '2000.00', currency: 'AUD', status: 'sent', issue_date: '2021-02-01' });
      await invoice(c1, { engagement_id: e1, amount: '1500.00', currency: 'AUD', status: 'paid', issue_date: '2021-03-01', paid_date: '2021-03-20' });
      await invoice(c1, { engagement_id: e1, amount: '999.00', currency: 'AUD', status: 'draft' });
      await invoice(c1, { engagement_id: e1, amount: '700.00', currency: 'AUD', status: 'cancelled', issue_date: '2021-03-02' });
      await invoice(c1, { engagement_id: e1, amount: '800.00', currency: 'USD', status: 'sent', issue_date: '2021-03-03' });
      await invoice(c1, { engagement_id: e1, amount: '100.00', currency: 'AUD', status: 'sent', issue_date: '2021-03-04', archived_at: '2021-03-05T00:00:00Z' });

      // G2: go on 2019-05-20 with estimates but no proposal nor engagement yet.
      g2 = await insert('go_no_go_decisions', {
        company_id: c2, decision: 'go', decision_date: '2019-05-20', estimated_hours_per_week: '8.00', estimated_value: '900.00', currency: 'AUD',
      });
      // G4: go with no decision_date, created 2019-06-01: counts on that day. 5 h/week, 1000.00 USD, no saving estimate.
      g4 = await insert('go_no_go_decisions', {
        company_id: c2, decision: 'go', created_at: '2019-06-01T09:00:00Z', estimated_hours_per_week: '5.00', estimated_value: '1000.00', currency: 'USD',
      });
      const p4 = await insert('proposals', { company_id: c2, go_no_go_id: g4, status: 'accepted' });
      // E4 started 2021-06-01 and runs: to today 2021-07-15 is 44 days, 45 counted; 45 h × 7 ÷ 45 = 7.00 h/week; 7 ÷ 5 = 1.40.
      // Live from 2021-07-01: no complete month yet, so no hours saved per month.
      e4 = await engagement(c2, { proposal_id: p4, start_date: '2021-06-01', go_live_date: '2021-07-01', created_at: '2021-05-01T00:00:00Z' });
      await insert('work_completed', { engagement_id: e4, category: 'setup', hours: '45.00', work_date: '2021-06-02' });
      await invoice(c2, { engagement_id: e4, amount: '1200.00', currency: 'USD', status: 'paid', issue_date: '2021-06-05', paid_date: '2021-06-30' });
      // A second engagement from the same proposal, created later: the earliest one counts.
      const e4b = await engagement(c2, { proposal_id: p4, start_date: '2021-06-01', created_at: '2021-05-02T00:00:00Z' });
      await insert('work_completed', { engagement_id: e4b, category: 'setup', hours: '1000.00', work_date: '2021-06-03' });

      // Left out: a no-go decision, an archived go decision, and a go decision in 2018.
      await insert('go_no_go_decisions', { company_id: c1, decision: 'no_go', decision_date: '2019-04-01', estimated_hours_per_week: '1.00' });
      await insert('go_no_go_decisions', { company_id: c1, decision: 'go', decision_date: '2019-04-02', archived_at: '2019-04-03T00:00:00Z' });
      await insert('go_no_go_decisions', { company_id: c1, decision: 'go', decision_date: '2018-12-31' });
    });

    it('sets every go decision of the period beside what delivery showed, with the ratios by hand', async () => {
      const r = await calibrationInsight(at(), { from: '2019-01-01', to: '2019-12-31' });
      expect(r.period).toEqual({ from: '2019-01-01', to: '2019-12-31', days: 365 });
      expect(r.truncated).toBe(false);
      // Newest first: G4 (2019-06-01, by created_at), G2 (2019-05-20), G1 (2019-03-10); the no-go one is not there.
      expect(r.decisions.map((d) => d.decision_id)).toEqual([g4, g2, g1]);
      const [d4, d2, d1] = r.decisions;
      expect(d1).toMatchObject({
        decision_date: '2019-03-10',
        engagement_id: e1,
        estimated_hours_per_week: '10.00',
        actual_hours_per_week: '12.55', // 125.50 h ÷ 10 weeks
        hours_ratio: '1.26', // 12.55 ÷ 10 = 1.255 → 1.26 (half up)
        estimated_hours_saved_per_month: '20.00',
        actual_hours_saved_per_month: '4.17', // 1000 min ÷ 60 ÷ 4 months = 4.1667
        saved_ratio: '0.21', // 4.1667 ÷ 20 = 0.2083
        estimated_value: { currency: 'AUD', amount: '5000.00' },
        invoiced_value: { currency: 'AUD', amount: '3500.00' },
        value_ratio: '0.70',
      });
      // No engagement yet: every actual and ratio is null.
      expect(d2).toMatchObject({
        decision_date: '2019-05-20',
        engagement_id: null,
        engagement_name: null,
        estimated_hours_per_week: '8.00',
        actual_hours_per_week: null,
        hours_ratio: null,
        actual_hours_saved_per_month: null,
        saved_ratio: null,
        estimated_value: { currency: 'AUD', amount: '900.00' },
        invoiced_value: null,
        value_ratio: null,
      });
      expect(d4).toMatchObject({
        decision_date: null,
        engagement_id: e4,
        actual_hours_per_week: '7.00',
        hours_ratio: '1.40',
        estimated_hours_saved_per_month: null,
        actual_hours_saved_per_month: null, // live from 2021-07, the current month: nothing complete yet
        saved_ratio: null,
        estimated_value: { currency: 'USD', amount: '1000.00' },
        invoiced_value: { currency: 'USD', amount: '1200.00' },
        value_ratio: '1.20',
      });
      // hours: 1.26 and 1.40 → mean 1.33, median (1.26 + 1.40) ÷ 2 = 1.33; saved: 0.21 alone; value: 0.70 and 1.20 → 0.95.
      expect(r.summary).toEqual({
        go_decisions: 3,
        with_engagement: 2,
        hours: { decisions: 2, mean: '1.33', median: '1.33' },
        saved: { decisions: 1, mean: '0.21', median: '0.21' },
        value: { decisions: 2, mean: '0.95', median: '0.95' },
      });
      // A median from one decision gives no advice.
      expect(r.advice).toEqual([
        'Delivery took 1.33× the estimated hours per week (median of 2 go decisions): scale the next estimate accordingly.',
        'Invoicing has reached 0.95× the estimated value so far (median of 2 go decisions): engagements still running will invoice more, so read it as a floor.',
      ]);
      const tables = calibrationTables(r);
      expect(tables.map((t) => t.name)).toEqual(['decisions', 'summary', 'advice']);
      expect(tables[0]!.rows[2]).toMatchObject({ decision_id: g1, hours_ratio: '1.26', currency: 'AUD', estimated_value: '5000.00', invoiced_value: '3500.00' });
    });

    it('is empty for a period without go decisions', async () => {
      const r = await calibrationInsight(at(), { from: '2010-01-01', to: '2010-12-31' });
      expect(r).toMatchObject({ decisions: [], truncated: false, advice: [] });
      expect(r.summary).toEqual({ go_decisions: 0, with_engagement: 0, hours: { decisions: 0, mean: null, median: null }, saved: { decisions: 0, mean: null, median: null }, value: { decisions: 0, mean: null, median: null } });
    });

    it('lists at most 200 decisions but counts them all', async () => {
      const c = await company();
      await database().query(
        `insert into go_no_go_decisions (company_id, decision, decision_date) select $1, 'go', date '2017-01-01' + (i % 300) from generate_series(1, 201) i`,
        [c],
      );
      const r = await calibrationInsight(at(), { from: '2017-01-01', to: '2017-12-31' });
      expect([r.decisions.length, r.truncated, r.summary.go_decisions, r.summary.with_engagement]).toEqual([200, true, 201, 0]);
      // Newest first: day 201 of the series is 2017-07-21 (2017-01-01 + 201 days).
      expect(r.decisions[0]!.decision_date).toBe('2017-07-21');
    });

    it('shows a viewer only the decisions of companies they may see, over HTTP', async () => {
      const all = await ok(get(vic, '/api/v1/insights/calibration', { from: '2019-01-01', to: '2019-12-31' }));
      expect(all.summary.go_decisions).toBe(3);
      await setVisibility('own');
      try {
        // The companies are the admin's: in "own" mode the viewer sees none of their decisions.
        const own = await ok(get(vic, '/api/v1/insights/calibration', { from: '2019-01-01', to: '2019-12-31' }));
        expect([own.summary.go_decisions, own.decisions]).toEqual([0, []]);
      } finally {
        await setVisibility('all');
      }
      await refused(get(vic, '/api/v1/insights/calibration', { from: '2019-02-30' }), 'from');
      await refused(get(vic, '/api/v1/insights/calibration', { from: '2019-03-01', to: '2019-02-01' }), 'to');
    });
  });

  // -------------------------------------------------------------------------
  describe('aggregate: hours saved', () => {
    let ea: string;
    let ca: string;
    let cb: string;
    let ann: string;
    let bob: string;

    beforeAll(async () => {
      ca = await company();
      cb = await company();
      ea = await engagement(ca, { start_date: '2020-01-06' });
      const eb = await engagement(cb, { start_date: '2020-01-06' });
      ann = await insert('contacts', { company_id: ca, name: 'A. Smith', first_name: 'Ann', last_name: 'Smith' });
      bob = await insert('contacts', { company_id: ca, name: 'Bob Jones' });
      const cara = await insert('contacts', { company_id: cb, name: 'Cara Lee' });
      // March 2020 and April 2020 both have 22 weekdays.
      // Ann, daily, 20 min before, 5 after since 2020-02-20: March 22 × 15 = 330 min;
      //   April measured 10 times at 8 min on 2020-04-15 → 10 × 12 = 120 min.
      const a1 = await task(ann, ea, { frequency: 'daily', time_before_ai: 20 });
      await measure(a1, '2020-02-20', 5);
      await measure(a1, '2020-04-15', 8, 10);
      // Ann, weekly with 3.5 stated a month, 90 min before, 30 after since 2020-03-05: 3.5 × 60 = 210 min each month.
      const a2 = await task(ann, ea, { frequency: 'weekly', occurrences_per_month: '3.50', time_before_ai: 90 });
      await measure(a2, '2020-03-05', 30);
      // Bob, monthly, 45 min before: measured twice at 40 min on 2020-03-31 → 2 × 5 = 10 min; April once (monthly) → 5 min.
      const b1 = await task(bob, ea, { frequency: 'monthly', time_before_ai: 45 });
      await measure(b1, '2020-03-31', 40, 2);
      // Not counted: an abandoned task and an archived one.
      const b2 = await task(bob, ea, { frequency: 'daily', time_before_ai: 100, ai_adoption_status: 'abandoned' });
      await measure(b2, '2020-03-01', 0);
      const a3 = await task(ann, ea, { frequency: 'daily', time_before_ai: 100, archived_at: '2020-01-01T00:00:00Z' });
      await measure(a3, '2020-03-01', 0);
      // Cara at the other company: monthly, 30 min saved since 2020-01-10 → 30 min in each month.
      const c1 = await task(cara, eb, { frequency: 'monthly', time_before_ai: 30 });
      await measure(c1, '2020-01-10', 0);
    });

    it('matches the monthly report per contact and month (group_by "month,contact")', async () => {
      // Part months count whole: 2020-03-15 … 2020-04-10 touches March and April.
      const r = await ok(aggregate(admin, { measure: 'hours_saved', group_by: 'month,contact', engagement_id: ea, from: '2020-03-15', to: '2020-04-10' }));
      expect(r.group_by).toEqual(['month', 'contact']);
      expect(r.unit).toBe('hours');
      expect(r.definition).toContain('whole calendar months');
      expect(r.filters).toEqual({ engagement_id: ea });
      // Ann March 330 + 210 = 540 min = 9.00 h; Ann April 120 + 210 = 330 min = 5.50 h; Bob 10 min = 0.17 h, 5 min = 0.08 h.
      expect(r.rows).toEqual([
        { keys: { month: '2020-03', contact: ann }, labels: { contact: 'Ann Smith' }, value: '9.00', currency: null },
        { keys: { month: '2020-04', contact: ann }, labels: { contact: 'Ann Smith' }, value: '5.50', currency: null },
        { keys: { month: '2020-03', contact: bob }, labels: { contact: 'Bob Jones' }, value: '0.17', currency: null },
        { keys: { month: '2020-04', contact: bob }, labels: { contact: 'Bob Jones' }, value: '0.08', currency: null },
      ]);
      // 540 + 330 + 10 + 5 = 885 min = 14.75 h.
      expect(r.totals).toEqual([{ value: '14.75', currency: null }]);
      expect(r.truncated).toBe(false);

      for (const month of ['2020-03', '2020-04']) {
        const report = await ok(sendAs(admin, 'GET', `/api/v1/reports/monthly?engagement=${ea}&month=${month}`));
        const people = report.time_saved.people.map((p: { contact_id: string; name: string; hours_saved: string }) => [p.contact_id, p.name, p.hours_saved]);
        const ours = r.rows.filter((x: any) => x.keys.month === month).map((x: any) => [x.keys.contact, x.labels.contact, x.value]);
        expect(ours).toEqual(people);
      }

      // The same as a list.
      const listed = await aggregateInsight(ctx(), { measure: 'hours_saved', group_by: ['month', 'contact'], engagement_id: ea, from: '2020-03-15', to: '2020-04-10' });
      expect(listed.rows).toEqual(r.rows);
    });

    it('groups by quarter, and filters by contact and by company', async () => {
      // Q1 is March only: 540 + 10 = 550 min = 9.17 h; Q2 is April: 330 + 5 = 335 min = 5.58 h.
      const q = await aggregateInsight(ctx(), { measure: 'hours_saved', group_by: 'quarter', engagement_id: ea, from: '2020-03-01', to: '2020-04-30' });
      expect(q.rows.map((x) => [x.keys.quarter, x.value])).toEqual([['2020-Q1', '9.17'], ['2020-Q2', '5.58']]);
      expect(q.totals).toEqual([{ value: '14.75', currency: null }]);

      const b = await aggregateInsight(ctx(), { measure: 'hours_saved', group_by: 'month', contact_id: bob, from: '2020-03-01', to: '2020-04-30' });
      expect(b.rows.map((x) => [x.keys.month, x.value])).toEqual([['2020-03', '0.17'], ['2020-04', '0.08']]);

      // Cara's company: 30 + 30 min = 1.00 h.
      const c = await aggregateInsight(ctx(), { measure: 'hours_saved', group_by: 'company', company_id: cb, from: '2020-03-01', to: '2020-04-30' });
      expect(c.rows).toEqual([{ keys: { company: cb }, labels: { company: expect.any(String) }, value: '1.00', currency: null }]);
      // No grouping: one row with the engagement's total, 885 min = 14.75 h.
      const none = await aggregateInsight(ctx(), { measure: 'hours_saved', engagement_id: ea, from: '2020-03-01', to: '2020-04-30' });
      expect(none.rows).toEqual([{ keys: {}, labels: {}, value: '14.75', currency: null }]);

      // hours_saved cannot be filtered by owner.
      const msg = await refused(aggregate(admin, { measure: 'hours_saved', owner_id: admin.user.id }), 'owner_id');
      expect(msg).toContain('hours_saved cannot be filtered by owner_id');
    });

    it('keeps the row of a contact the viewer may not see, with a null label', async () => {
      // The viewer owns engagement EV; its company and contact are the admin's. EW is not the viewer's.
      const cv = await company({ owner_id: admin.user.id });
      const ev = await engagement(cv, { owner_id: vic.user.id });
      const ew = await engagement(cv, { owner_id: admin.user.id });
      const kv = await insert('contacts', { company_id: cv, name: 'Hidden Person', owner_id: admin.user.id });
      // 20 − 8 = 12 min once a month = 0.20 h in 2022-01; EW's task: 60 min = 1.00 h.
      const tv = await task(kv, ev, { frequency: 'monthly', time_before_ai: 20 });
      await measure(tv, '2022-01-05', 8);
      const tw = await task(kv, ew, { frequency: 'monthly', time_before_ai: 60 });
      await measure(tw, '2022-01-05', 0);
      const params = { measure: 'hours_saved', group_by: 'contact', company_id: cv, from: '2022-01-01', to: '2022-01-31' };
      const asAdmin = await ok(aggregate(admin, params));
      expect(asAdmin.rows).toEqual([{ keys: { contact: kv }, labels: { contact: 'Hidden Person' }, value: '1.20', currency: null }]);
      await setVisibility('own');
      try {
        // Only EV counts for the viewer; the hours belong to an engagement they see, so the row stays, unnamed.
        const asViewer = await ok(aggregate(vic, params));
        expect(asViewer.rows).toEqual([{ keys: { contact: kv }, labels: { contact: null }, value: '0.20', currency: null }]);
        expect(asViewer.totals).toEqual([{ value: '0.20', currency: null }]);
      } finally {
        await setVisibility('all');
      }
    });
  });

  // -------------------------------------------------------------------------
  describe('aggregate: the other measures', () => {
    it('adds work hours by owner and category, by month and by week', async () => {
      const c = await company();
      const e = await engagement(c);
      const w = (user: string | null, category: string, hours: string, day: string, extra: Record<string, unknown> = {}) =>
        insert('work_completed', { engagement_id: e, user_id: user, category, hours, work_date: day, ...extra });
      const a = admin.user.id;
      await w(a, 'mcp_build', '3.50', '2018-02-05'); // a Monday
      await w(a, 'mcp_build', '1.25', '2018-03-12'); // a Monday
      await w(a, 'training', '2.00', '2018-02-10'); // a Saturday: week of 2018-02-05
      await w(a, 'training', '1.50', '2018-03-31'); // a Saturday: week of 2018-03-26, the period's last day
      await w(alice.user.id, 'training', '4.00', '2018-02-20');
      await w(alice.user.id, 'meeting', '0.75', '2018-02-21', { archived_at: '2018-02-22T00:00:00Z' }); // archived
      await w(null, 'other', '1.00', '2018-03-01');
      await w(a, 'other', '9.00', '2018-01-31'); // the day before the period
      const period = { from: '2018-02-01', to: '2018-03-31' };

      const r = await ok(aggregate(admin, { measure: 'work_hours', group_by: 'owner,category', ...period }));
      // admin mcp_build 3.50 + 1.25 = 4.75; alice training 4.00; admin training 2.00 + 1.50 = 3.50; nobody's other 1.00.
      expect(r.rows).toEqual([
        { keys: { owner: a, category: 'mcp_build' }, labels: { owner: admin.user.name }, value: '4.75', currency: null },
        { keys: { owner: alice.user.id, category: 'training' }, labels: { owner: alice.user.name }, value: '4.00', currency: null },
        { keys: { owner: a, category: 'training' }, labels: { owner: admin.user.name }, value: '3.50', currency: null },
        { keys: { owner: null, category: 'other' }, labels: { owner: null }, value: '1.00', currency: null },
      ]);
      expect(r.totals).toEqual([{ value: '13.25', currency: null }]); // 4.75 + 4.00 + 3.50 + 1.00

      // The admin's by month: February 3.50 + 2.00 = 5.50, March 1.25 + 1.50 = 2.75.
      const m = await aggregateInsight(ctx(), { measure: 'work_hours', group_by: 'month', owner_id: a, ...period });
      expect(m.rows.map((x) => [x.keys.month, x.value])).toEqual([['2018-02', '5.50'], ['2018-03', '2.75']]);
      expect(m.totals).toEqual([{ value: '8.25', currency: null }]);
      // By week (Mondays): 2018-02-05 3.50 + 2.00 = 5.50; 2018-03-26 1.50; 2018-03-12 1.25.
      const wk = await aggregateInsight(ctx(), { measure: 'work_hours', group_by: 'week', owner_id: a, ...period });
      expect(wk.rows.map((x) => [x.keys.week, x.value])).toEqual([['2018-02-05', '5.50'], ['2018-03-26', '1.50'], ['2018-03-12', '1.25']]);

      // Work is not logged against a contact.
      const msg = await refused(aggregate(admin, { measure: 'work_hours', contact_id: a, ...period }), 'contact_id');
      expect(msg).toContain('work_hours cannot be filtered by contact_id');
      // An empty period: no rows, a zero total.
      const empty = await aggregateInsight(ctx(), { measure: 'work_hours', from: '2011-01-01', to: '2011-01-31' });
      expect([empty.rows, empty.totals]).toEqual([[], [{ value: '0.00', currency: null }]]);
    });

    it('adds money per currency, truncates at the limit and totals beyond it', async () => {
      const cm = await company({ name: `Money Co ${tag()}` });
      const cn = await company({ name: `Other Co ${tag()}` });
      await invoice(cm, { amount: '1000.00', currency: 'AUD', status: 'sent', issue_date: '2016-02-01' });
      await invoice(cm, { amount: '250.50', currency: 'AUD', status: 'paid', issue_date: '2016-02-15', paid_date: '2016-03-05' });
      await invoice(cm, { amount: '400.00', currency: 'USD', status: 'sent', issue_date: '2016-02-20' });
      await invoice(cm, { amount: '99.99', currency: 'USD', status: 'draft', issue_date: '2016-02-21' }); // draft
      await invoice(cm, { amount: '300.00', currency: 'AUD', status: 'cancelled', issue_date: '2016-02-22' }); // cancelled
      await invoice(cm, { amount: '50.00', currency: 'TTD', status: 'sent', issue_date: '2016-02-23', archived_at: '2016-02-24T00:00:00Z' }); // archived
      await invoice(cn, { amount: '600.00', currency: 'AUD', status: 'sent', issue_date: '2016-03-10' });
      const year = { from: '2016-01-01', to: '2016-12-31' };

      const r = await aggregateInsight(ctx(), { measure: 'invoiced', group_by: 'company', ...year });
      expect(r.unit).toBe('money');
      // Money Co AUD 1000.00 + 250.50 = 1250.50; Other Co AUD 600.00; Money Co USD 400.00.
      expect(r.rows.map((x) => [x.keys.company, x.value, x.currency])).toEqual([[cm, '1250.50', 'AUD'], [cn, '600.00', 'AUD'], [cm, '400.00', 'USD']]);
      expect(r.rows[0]!.labels.company).toMatch(/^Money Co/);
      // AUD 1250.50 + 600.00 = 1850.50; USD 400.00 — never added together.
      expect(r.totals).toEqual([{ value: '1850.50', currency: 'AUD' }, { value: '400.00', currency: 'USD' }]);

      const cur = await aggregateInsight(ctx(), { measure: 'invoiced', group_by: 'currency', ...year });
      expect(cur.rows).toEqual([
        { keys: { currency: 'AUD' }, labels: {}, value: '1850.50', currency: 'AUD' },
        { keys: { currency: 'USD' }, labels: {}, value: '400.00', currency: 'USD' },
      ]);

      // Limit 1 over HTTP: the largest group only, truncated, and the totals still over all three groups.
      const top = await ok(aggregate(admin, { measure: 'invoiced', group_by: 'company', limit: 1, ...year }));
      expect(top.rows.map((x: any) => [x.keys.company, x.value, x.currency])).toEqual([[cm, '1250.50', 'AUD']]);
      expect(top.truncated).toBe(true);
      expect(top.totals).toEqual([{ value: '1850.50', currency: 'AUD' }, { value: '400.00', currency: 'USD' }]);

      // Paid by paid_date: the one paid invoice, in March.
      const paid = await aggregateInsight(ctx(), { measure: 'paid', group_by: 'month', ...year });
      expect(paid.rows).toEqual([{ keys: { month: '2016-03' }, labels: {}, value: '250.50', currency: 'AUD' }]);

      // In "own" mode a viewer counts only the invoices of what they may see: Other Co is theirs.
      await database().query('update companies set owner_id = $1 where id = $2', [vic.user.id, cn]);
      await setVisibility('own');
      try {
        const mine = await ok(aggregate(vic, { measure: 'invoiced', group_by: 'company', ...year }));
        expect(mine.rows.map((x: any) => [x.keys.company, x.value, x.currency])).toEqual([[cn, '600.00', 'AUD']]);
        expect(mine.totals).toEqual([{ value: '600.00', currency: 'AUD' }]);
      } finally {
        await setVisibility('all');
      }

      const tables = aggregateTables(r);
      expect(tables[0]!.rows[0]).toEqual({ company: cm, company_name: r.rows[0]!.labels.company, value: '1250.50', currency: 'AUD', unit: 'money' });
      expect(tables[1]!.rows).toHaveLength(2);
    });

    it('counts won and lost deals by close day, a deal that moved twice on its last entry', async () => {
      const c = await company();
      const deal = (stage: string, extra: Record<string, unknown>) => insert('deals', { company_id: c, name: `Deal ${tag()}`, stage, owner_id: admin.user.id, ...extra });
      await deal('closed_won', { value: '1000.00', currency: 'AUD', actual_close_date: '2015-06-10' }); // Q2
      const d2 = await deal('closed_won', { value: '500.00', currency: 'USD' });
      // Won on 2015-05-01, back to negotiation, won again on 2015-07-20: the close day is the last entry (Q3).
      const h = (status: string, from: string | null, at: string) => insert('status_history', { entity_type: 'deal', entity_id: d2, status, from_status: from, entered_at: at });
      await h('closed_won', 'negotiation', '2015-05-01T10:00:00Z');
      await h('negotiation', 'closed_won', '2015-05-03T10:00:00Z');
      await h('closed_won', 'negotiation', '2015-07-20T10:00:00Z');
      await deal('closed_lost', { value: '300.00', currency: 'AUD', actual_close_date: '2015-08-01' });
      await deal('negotiation', { value: '9999.00', currency: 'AUD', actual_close_date: '2015-08-02' }); // open: not closed
      const year = { from: '2015-01-01', to: '2015-12-31' };

      const won = await aggregateInsight(ctx(), { measure: 'deals_won', group_by: 'quarter', ...year });
      expect(won.rows.map((x) => [x.keys.quarter, x.value])).toEqual([['2015-Q2', '1'], ['2015-Q3', '1']]);
      expect(won.totals).toEqual([{ value: '2', currency: null }]);
      const value = await aggregateInsight(ctx(), { measure: 'won_value', group_by: 'quarter', ...year });
      expect(value.rows.map((x) => [x.keys.quarter, x.value, x.currency])).toEqual([['2015-Q2', '1000.00', 'AUD'], ['2015-Q3', '500.00', 'USD']]);
      const lost = await aggregateInsight(ctx(), { measure: 'deals_lost', group_by: 'owner', ...year });
      expect(lost.rows).toEqual([{ keys: { owner: admin.user.id }, labels: { owner: admin.user.name }, value: '1', currency: null }]);
      // Only Q3 (July–September): the deal won twice counts once, on 2015-07-20.
      const q3 = await aggregateInsight(ctx(), { measure: 'deals_won', from: '2015-07-01', to: '2015-09-30' });
      expect(q3.totals).toEqual([{ value: '1', currency: null }]);
    });

    it('counts leads by source, tokens by whole month, interactions by type', async () => {
      for (const source of ['website', 'website', 'referral']) await insert('leads', { source, created_at: '2014-05-01T12:00:00Z' });
      await insert('leads', { source: 'website', created_at: '2014-06-01T00:00:00Z' }); // after the period
      const leads = await aggregateInsight(ctx(), { measure: 'leads', group_by: 'source', from: '2014-05-01', to: '2014-05-31' });
      expect(leads.rows.map((x) => [x.keys.source, x.value])).toEqual([['website', '2'], ['referral', '1']]);
      expect(leads.totals).toEqual([{ value: '3', currency: null }]);

      const c = await company();
      const e = await engagement(c);
      const k = await insert('contacts', { company_id: c, name: 'Token User' });
      await insert('ai_usage_monthly', { engagement_id: e, company_id: c, contact_id: k, month: '2013-01-01', tokens_used: 1000 });
      await insert('ai_usage_monthly', { engagement_id: e, company_id: c, contact_id: k, month: '2013-02-01', tokens_used: 500 });
      await insert('ai_usage_monthly', { engagement_id: e, company_id: c, contact_id: null, month: '2013-02-01', tokens_used: 200 });
      await insert('ai_usage_monthly', { engagement_id: e, company_id: c, contact_id: k, month: '2013-03-01', tokens_used: 7000 });
      // 2013-01-15 … 2013-02-10 touches January (1000) and February (500 + 200 = 700), whole.
      const tokens = await aggregateInsight(ctx(), { measure: 'ai_tokens', group_by: 'month', engagement_id: e, from: '2013-01-15', to: '2013-02-10' });
      expect(tokens.rows.map((x) => [x.keys.month, x.value])).toEqual([['2013-01', '1000'], ['2013-02', '700']]);
      expect(tokens.totals).toEqual([{ value: '1700', currency: null }]);

      const i = (type: string, by: string) => insert('interactions', { company_id: c, contact_id: k, type, created_by: by, interaction_date: '2012-09-10T08:00:00Z' });
      await i('call', admin.user.id);
      await i('call', admin.user.id);
      await i('email', alice.user.id);
      const byType = await aggregateInsight(ctx(), { measure: 'interactions', group_by: 'category', company_id: c, from: '2012-09-01', to: '2012-09-30' });
      expect(byType.rows.map((x) => [x.keys.category, x.value])).toEqual([['call', '2'], ['email', '1']]);
      const byOwner = await aggregateInsight(ctx(), { measure: 'interactions', group_by: 'owner', contact_id: k, owner_id: alice.user.id, from: '2012-09-01', to: '2012-09-30' });
      expect(byOwner.rows).toEqual([{ keys: { owner: alice.user.id }, labels: { owner: alice.user.name }, value: '1', currency: null }]);
    });

    it('counts tickets opened and resolved in the period by category', async () => {
      const c = await company();
      const t = (category: string, opened: string, resolved: string | null) =>
        insert('support_tickets', { ticket_number: `TKT-T-${tag()}`, company_id: c, category, request_date: opened, resolved_at: resolved, status: resolved ? 'resolved' : 'open' });
      await t('bug', '2011-06-01T09:00:00Z', null);
      await t('question', '2011-06-02T09:00:00Z', '2011-07-03T09:00:00Z'); // resolved after the period
      await t('bug', '2011-05-30T09:00:00Z', '2011-06-05T09:00:00Z'); // opened before it
      const june = { from: '2011-06-01', to: '2011-06-30', company_id: c };
      const opened = await aggregateInsight(ctx(), { measure: 'tickets_opened', group_by: 'category', ...june });
      // One each: ties are ordered by key.
      expect(opened.rows.map((x) => [x.keys.category, x.value])).toEqual([['bug', '1'], ['question', '1']]);
      const resolved = await aggregateInsight(ctx(), { measure: 'tickets_resolved', group_by: 'category', ...june });
      expect(resolved.rows.map((x) => [x.keys.category, x.value])).toEqual([['bug', '1']]);
    });

    it('refuses a dimension the measure cannot be grouped by, an unknown one, three, or one twice', async () => {
      let msg = await refused(aggregate(admin, { measure: 'leads', group_by: 'contact' }), 'group_by');
      expect(msg).toContain('leads can be grouped by month, quarter, week, source, owner');
      msg = await refused(aggregate(admin, { measure: 'work_hours', group_by: 'month,colour' }), 'group_by');
      expect(msg).toContain('work_hours can be grouped by');
      await refused(aggregate(admin, { measure: 'work_hours', group_by: 'month,owner,category' }), 'group_by');
      await refused(aggregate(admin, { measure: 'work_hours', group_by: 'month, month' }), 'group_by');
      await refused(aggregate(admin, { measure: 'leads', engagement_id: admin.user.id }), 'engagement_id');
      await refused(aggregate(admin, { measure: 'leads', from: '2014-13-01' }), 'from');
      await refused(aggregate(admin, { measure: 'leads', from: '2014-05-02', to: '2014-05-01' }), 'to');
      await refused(aggregate(admin, { measure: 'leads', limit: 201 }), 'limit');
      // A viewer may read it.
      const r = await ok(aggregate(vic, { measure: 'leads', group_by: 'source', from: '2014-05-01', to: '2014-05-31' }));
      expect(r.totals).toEqual([{ value: '3', currency: null }]);
    });
  });
});
