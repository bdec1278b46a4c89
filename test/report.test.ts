/**
 * The monthly ROI report (seed 000 step 22), its trend (step 23) and the portfolio (step 24),
 * computed from records inserted directly: one month worked out by hand figure by figure, a
 * three-month trend with payback, the hourly-rate fallbacks and an unconverted currency, the
 * portfolio with totals per currency, and the refusals (unknown, invisible, bad or future month).
 */
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Ctx } from '../src/core/context.ts';
import { userActor } from '../src/core/identity/actor.ts';
import { createUser } from '../src/core/identity/users.ts';
import { updateSettings } from '../src/core/platform/settings.ts';
import { buildMonthlyReport } from '../src/core/reports/monthly.ts';
import { buildPortfolioReport } from '../src/core/reports/portfolio.ts';
import { FAST_IDENTITY } from './auth.ts';
import { dbSuite, type Suite } from './db.ts';
import { createCompany, createContact, insertDirect } from './factories.ts';
import { refusal } from './refusal.ts';

/** "Today" for every report here: October 2026 is over, November is the current month. */
const NOW = new Date('2026-11-15T12:00:00.000Z');

type Row = Record<string, unknown>;

/** Inserting records as they would have been made, each at its own time when it matters (created_at). */
function helpers(s: Suite) {
  const ctx = (): Ctx => s.ctx({ now: () => NOW });
  const at = (iso: string): Ctx => s.ctx({ now: () => new Date(iso) });
  const put = (name: string, payload: Row, when?: string) => insertDirect(when ? at(when) : ctx(), name, payload);
  const sql = (text: string, params: unknown[] = []) => s.database().query(text, params);

  async function engagement(name: string, values: Row = {}, when?: string): Promise<{ id: string; company_id: string; name: string }> {
    const company = await createCompany({ ctx: ctx() }, { name: `${name} ${randomUUID().slice(0, 4)}` });
    const e = await put('engagements', { company_id: company.id, name, ...values }, when);
    return { id: e.id as string, company_id: company.id as string, name: company.name as string };
  }
  async function person(companyId: string, name: string, first?: string, last?: string): Promise<string> {
    const c = await createContact({ ctx: ctx() }, { company_id: companyId, name, ...(first ? { first_name: first, last_name: last } : {}) });
    return c.id as string;
  }
  async function task(e: { id: string; company_id: string }, contactId: string, values: Row): Promise<string> {
    return (await put('contact_tasks', { engagement_id: e.id, company_id: e.company_id, contact_id: contactId, ...values })).id as string;
  }
  async function measure(taskId: string, measured_on: string, time_after_ai: number, extra: Row = {}) {
    await put('task_measurements', { task_id: taskId, measured_on, time_after_ai, ...extra });
  }
  /** `rows` ai_usage rows of `each` tokens in the month, and the rollup row the ingest verb would keep. */
  async function usage(e: { id: string; company_id: string }, contactId: string | null, month: string, rows: number, each: number) {
    await sql(
      `insert into ai_usage (engagement_id, company_id, contact_id, usage_date, tokens_used)
       select $1, $2, $3::uuid, $4::date + (g % 20), $5 from generate_series(1, $6::int) g`,
      [e.id, e.company_id, contactId, `${month}-01`, each, rows],
    );
    await sql(
      `insert into ai_usage_monthly (engagement_id, company_id, contact_id, month, tokens_used, records) values ($1, $2, $3::uuid, $4::date, $5, $6)`,
      [e.id, e.company_id, contactId, `${month}-01`, rows * each, rows],
    );
  }
  async function invoice(e: { id: string; company_id: string }, values: Row): Promise<Row> {
    return put('invoices', { company_id: e.company_id, engagement_id: e.id, currency: 'AUD', ...values });
  }
  /**
   * No default hourly rate. updateSettings cannot store null yet (the jsonb value reaches the
   * not-null column as SQL NULL), so the row is removed: a key never set reads as its default, null.
   */
  const noDefaultRate = () => sql(`delete from settings where key = 'default_hourly_rate'`);
  return { ctx, at, put, sql, engagement, person, task, measure, usage, invoice, noDefaultRate };
}

dbSuite('monthly report', (s) => {
  const h = helpers(s);
  const report = (input: { engagement_id: string; month: string; hourly_rate?: string }, c: Ctx = h.ctx()) => buildMonthlyReport(c, input);

  describe('a worked month: October 2026', () => {
    // Harbour Build, in AUD, starts 2026-10-01 and values an hour saved at 85.00.
    let e: { id: string; company_id: string; name: string };
    let ava: string, ben: string, cleo: string;
    let t1: string, t2: string, t3: string, t5: string;
    let k1: Row, k2: Row;
    let s1: string, s3: string;
    let fee: Row;

    beforeAll(async () => {
      await updateSettings(h.ctx(), { exchange_rates: { AUD: '0.655' }, record_visibility: 'all' });
      await h.noDefaultRate();
      e = await h.engagement('Harbour Build', { currency: 'AUD', start_date: '2026-10-01', hourly_rate_value: '85.00', estimated_hours: '120.00' });
      ava = await h.person(e.company_id, 'Ava S.', 'Ava', 'Stone');
      ben = await h.person(e.company_id, 'Ben L.', 'Ben', 'Lee');
      cleo = await h.person(e.company_id, 'Cleo Park');

      // T1, daily, 30 min before AI. Measured 15 min on 09-15 and 10 min on 10-20 (an archived 5 min on
      // 10-25 does not count): October uses 10 min, saving 20 min on each of October's 22 weekdays.
      t1 = await h.task(e, ava, { task_name: 'Daily site diary', frequency: 'daily', time_before_ai: 30, ai_adoption_status: 'adopted' });
      await h.measure(t1, '2026-09-15', 15);
      await h.measure(t1, '2026-10-20', 10);
      await h.measure(t1, '2026-10-25', 5, { archived_at: new Date('2026-10-26T00:00:00Z') });
      // T2, weekly, 120 min before. 90 min on 09-01; in October 60 min (2 times) on 10-05 and 45 min
      // (3 times) on 10-19: October uses 45 min, saving 75 min × the 5 measured occurrences.
      t2 = await h.task(e, ava, { task_name: 'Weekly cost report', frequency: 'weekly', time_before_ai: 120, ai_adoption_status: 'adopted' });
      await h.measure(t2, '2026-09-01', 90);
      await h.measure(t2, '2026-10-05', 60, { occurrences: 2 });
      await h.measure(t2, '2026-10-19', 45, { occurrences: 3 });
      // T3, per project, 240 min before, 1.5 a month stated. 180 min on 08-10; the 60 min of 11-05 is after
      // October (and is the task's current time_after_ai): October uses 180, saving 60 min × 1.5.
      t3 = await h.task(e, ben, { task_name: 'Tender submission', frequency: 'per_project', occurrences_per_month: '1.50', time_before_ai: 240, time_after_ai: 60, ai_adoption_status: 'in_progress' });
      await h.measure(t3, '2026-08-10', 180);
      await h.measure(t3, '2026-11-05', 60);
      // T4 was abandoned: left out whatever it measured.
      const t4 = await h.task(e, ben, { task_name: 'Abandoned checklist', frequency: 'daily', time_before_ai: 60, ai_adoption_status: 'abandoned' });
      await h.measure(t4, '2026-10-01', 10);
      // T5, daily, never measured: it saves nothing yet (and a note says so).
      t5 = await h.task(e, ben, { task_name: 'Safety toolbox notes', frequency: 'daily', time_before_ai: 20 });

      // Usage in October: Ava 40 × 3,000 = 120,000; Ben 10 × 3,000 = 30,000; unattributed 2 × 2,500 = 5,000.
      await h.usage(e, ava, '2026-10', 40, 3000);
      await h.usage(e, ben, '2026-10', 10, 3000);
      await h.usage(e, null, '2026-10', 2, 2500);
      await h.usage(e, ava, '2026-09', 5, 1000); // before the start month: in no figure
      const other = await h.engagement('Someone Else');
      await h.usage(other, null, '2026-10', 3, 7777); // another engagement's usage

      // Support: K0 from September still open; K1 opened 10-03 09:00 and resolved 10-04 15:30 (30.5 h); K2 opened 10-28, open.
      await h.put('support_tickets', { company_id: e.company_id, engagement_id: e.id, request_date: '2026-09-28T00:00:00.000Z', category: 'bug', subject: 'Old bug' });
      k1 = await h.put('support_tickets', {
        company_id: e.company_id, engagement_id: e.id, request_date: '2026-10-03T09:00:00.000Z', resolved_at: '2026-10-04T15:30:00.000Z',
        status: 'resolved', resolution: 'Fixed the MCP config', hours_spent: '2.50', category: 'mcp_issue', priority: 'high', subject: 'MCP down',
      });
      k2 = await h.put('support_tickets', { company_id: e.company_id, engagement_id: e.id, request_date: '2026-10-28T10:00:00.000Z', category: 'question', priority: 'low', subject: 'How to share a skill' });

      // Training: S1 completed 10-14 with 3 invited, 2 attending; S2 planned in November; S3 cancelled (scheduled 10-21).
      s1 = (await h.put('training_sessions', { engagement_id: e.id, session_number: 1, title: 'Claude basics', scheduled_date: '2026-10-14T02:00:00.000Z', completed_date: '2026-10-14T04:00:00.000Z', status: 'completed' })).id as string;
      await h.put('training_attendance', { session_id: s1, contact_id: ava, attended: true });
      await h.put('training_attendance', { session_id: s1, contact_id: ben, attended: true });
      await h.put('training_attendance', { session_id: s1, contact_id: cleo, attended: false });
      await h.put('training_sessions', { engagement_id: e.id, session_number: 2, title: 'Skills', scheduled_date: '2026-11-10T02:00:00.000Z' });
      s3 = (await h.put('training_sessions', { engagement_id: e.id, session_number: 3, title: 'Deep dive', scheduled_date: '2026-10-21T02:00:00.000Z', status: 'cancelled' })).id as string;

      // Work: October mcp_build 4.00 + 2.50 and training 3.00 (9.50); September setup 5.00; November 1.00 (after).
      for (const [category, hours, work_date] of [['mcp_build', '4.00', '2026-10-02'], ['mcp_build', '2.50', '2026-10-09'], ['training', '3.00', '2026-10-14'], ['setup', '5.00', '2026-09-20'], ['other', '1.00', '2026-11-03']]) {
        await h.put('work_completed', { engagement_id: e.id, category, hours, work_date });
      }

      // Cost: the monthly fee 1,500.00 (paid); a tool_cost invoice and a draft are not counted.
      fee = await h.invoice(e, { invoice_type: 'monthly', amount: '1500.00', status: 'paid', issue_date: '2026-10-01', paid_date: '2026-10-10' });
      await h.invoice(e, { invoice_type: 'tool_cost', amount: '200.00', status: 'sent', issue_date: '2026-10-01' });
      await h.invoice(e, { invoice_type: 'monthly', amount: '300.00', status: 'draft', issue_date: '2026-10-15' });
      // Ava's licence 45.00 AUD a month since 08-05; a suspended one does not count.
      await h.put('ai_licenses', { engagement_id: e.id, contact_id: ava, plan_type: 'team', assigned_at: '2026-08-05T00:00:00.000Z', monthly_cost: '45.00', currency: 'AUD' });
      await h.put('ai_licenses', { engagement_id: e.id, contact_id: ben, license_status: 'suspended', monthly_cost: '99.00', currency: 'AUD' });
      // Zapier, 30.00 USD a month since 08-10: 30.00 × 1 (USD) ÷ 0.655 (AUD) = 45.8015… → 45.80 AUD.
      await h.put('engagement_tools', { engagement_id: e.id, tool_name: 'Zapier', monthly_cost: '30.00', currency: 'USD' }, '2026-08-10T00:00:00.000Z');
      await h.put('engagement_tools', { engagement_id: e.id, tool_name: 'Retired', status: 'inactive', monthly_cost: '10.00', currency: 'AUD' }, '2026-08-10T00:00:00.000Z');
      await h.put('engagement_tools', { engagement_id: e.id, tool_name: 'Archived', monthly_cost: '10.00', currency: 'AUD', archived_at: new Date('2026-09-01T00:00:00Z') }, '2026-08-10T00:00:00.000Z');
      await h.put('engagement_tools', { engagement_id: e.id, tool_name: 'Later', monthly_cost: '10.00', currency: 'AUD' }, '2026-11-02T00:00:00.000Z');
    });

    it('states the engagement, the period and the rules it used', async () => {
      const r = await report({ engagement_id: e.id, month: '2026-10' });
      expect(r.kind).toBe('monthly_report');
      expect(r.engagement).toEqual({
        id: e.id, name: 'Harbour Build', company_id: e.company_id, company_name: e.name, status: 'onboarding', package: null,
        currency: 'AUD', start_date: '2026-10-01', go_live_date: null, end_date: null,
      });
      expect(r.month).toBe('2026-10');
      expect(r.period).toEqual({ from: '2026-10-01', to: '2026-10-31' });
      expect(r.generated_at).toBe(NOW.toISOString());
      expect(r.rules.hourly_rate).toBe('85.00');
      expect(r.rules.hourly_rate_source).toBe('engagement');
      expect(r.rules.occurrences.daily).toContain('22 in 2026-10');
      expect(r.rules.occurrences.weekly).toContain('22 ÷ 5 = 4.4');
      expect(r.rules.value).toContain('85.00 AUD');
      expect(r.rules.periods).toContain('UTC');
      for (const k of ['time_after_ai', 'value', 'cost', 'roi', 'payback', 'usage', 'support', 'training', 'work', 'periods'] as const) {
        expect(r.rules[k]?.length).toBeGreaterThan(40);
      }
      expect(r.notes).toEqual(['1 task has no measurement on or before 2026-10-31 and counts no time saved yet.']);
    });

    it('takes tokens per person from the monthly rollup', async () => {
      const r = await report({ engagement_id: e.id, month: '2026-10' });
      expect(r.usage).toEqual({
        total_tokens: 155_000,
        records: 52,
        people: [
          { contact_id: ava, name: 'Ava Stone', tokens: 120_000, records: 40 },
          { contact_id: ben, name: 'Ben Lee', tokens: 30_000, records: 10 },
          { contact_id: null, name: 'Not attributed', tokens: 5_000, records: 2 },
        ],
      });
    });

    it('values the time saved per task from the measurements in force at the month end', async () => {
      const r = await report({ engagement_id: e.id, month: '2026-10' });
      // minute-hundredths S = minutes saved × occurrences × 100; hours = S ÷ 6000; value = S × 8500 ÷ 6000 cents.
      // T1: 20 × 22.00 → S 44,000 → 7.333 h → 7.33; 623.333 → 623.33
      // T2: 75 × 5.00  → S 37,500 → 6.25 h;          531.25
      // T3: 60 × 1.50  → S  9,000 → 1.50 h;          127.50
      // T5: no measurement → 0.00 h;                  0.00
      // Ava S 81,500 → 13.583 → 13.58 h; 1,154.583 → 1154.58. Ben S 9,000 → 1.50 h; 127.50.
      // Total S 90,500 → 15.083 → 15.08 h; value 1,282.083 → 1282.08 (the exact hours × 85, not 15.08 × 85 = 1281.80).
      expect(r.time_saved.hours_saved).toBe('15.08');
      expect(r.time_saved.value).toBe('1282.08');
      expect(r.time_saved.people).toEqual([
        { contact_id: ava, name: 'Ava Stone', tasks: 2, hours_saved: '13.58', value: '1154.58' },
        { contact_id: ben, name: 'Ben Lee', tasks: 2, hours_saved: '1.50', value: '127.50' },
      ]);
      const line = (task_id: string, task_name: string, contact_id: string, contact_name: string, rest: Row) => ({ task_id, task_name, contact_id, contact_name, ...rest });
      expect(r.time_saved.tasks).toEqual([
        line(t1, 'Daily site diary', ava, 'Ava Stone', { frequency: 'daily', adoption_status: 'adopted', occurrences: '22.00', occurrence_source: 'frequency', minutes_before: 30, minutes_after: 10, measured_on: '2026-10-20', minutes_saved_each: 20, hours_saved: '7.33', value: '623.33' }),
        line(t2, 'Weekly cost report', ava, 'Ava Stone', { frequency: 'weekly', adoption_status: 'adopted', occurrences: '5.00', occurrence_source: 'measured', minutes_before: 120, minutes_after: 45, measured_on: '2026-10-19', minutes_saved_each: 75, hours_saved: '6.25', value: '531.25' }),
        line(t3, 'Tender submission', ben, 'Ben Lee', { frequency: 'per_project', adoption_status: 'in_progress', occurrences: '1.50', occurrence_source: 'stated', minutes_before: 240, minutes_after: 180, measured_on: '2026-08-10', minutes_saved_each: 60, hours_saved: '1.50', value: '127.50' }),
        line(t5, 'Safety toolbox notes', ben, 'Ben Lee', { frequency: 'daily', adoption_status: 'not_started', occurrences: '22.00', occurrence_source: 'frequency', minutes_before: 20, minutes_after: null, measured_on: null, minutes_saved_each: null, hours_saved: '0.00', value: '0.00' }),
      ]);
    });

    it('counts support, training and work in the month', async () => {
      const r = await report({ engagement_id: e.id, month: '2026-10' });
      // Opened K1, K2; resolved K1 (30.5 h, 2.50 spent); open at 10-31: K0 (September) and K2.
      expect(r.support).toEqual({
        opened: 2,
        resolved: 1,
        open_at_month_end: 2,
        hours_spent: '2.50',
        median_hours_to_resolve: '30.50',
        by_category: [{ category: 'mcp_issue', opened: 1 }, { category: 'question', opened: 1 }],
        tickets: [
          { id: k1.id, ticket_number: k1.ticket_number, subject: 'MCP down', category: 'mcp_issue', priority: 'high', status: 'resolved', request_date: '2026-10-03T09:00:00.000Z', resolved_at: '2026-10-04T15:30:00.000Z', hours_to_resolve: '30.50', hours_spent: '2.50' },
          { id: k2.id, ticket_number: k2.ticket_number, subject: 'How to share a skill', category: 'question', priority: 'low', status: 'open', request_date: '2026-10-28T10:00:00.000Z', resolved_at: null, hours_to_resolve: null, hours_spent: null },
        ],
      });
      // Planned: S1 and S2 (S3 cancelled); completed by 10-31: S1; attendance 2 ÷ 3 = 66.67 % → 66.7.
      expect(r.training).toEqual({
        sessions_planned: 2,
        sessions_completed_to_date: 1,
        sessions: [
          { id: s1, session_number: 1, title: 'Claude basics', scheduled_date: '2026-10-14T02:00:00.000Z', status: 'completed', invited: 3, attended: 2 },
          { id: s3, session_number: 3, title: 'Deep dive', scheduled_date: '2026-10-21T02:00:00.000Z', status: 'cancelled', invited: 0, attended: 0 },
        ],
        attendance_rate: '66.7',
        people: [
          { contact_id: ava, name: 'Ava Stone', invited: 1, attended: 1 },
          { contact_id: ben, name: 'Ben Lee', invited: 1, attended: 1 },
          { contact_id: cleo, name: 'Cleo Park', invited: 1, attended: 0 },
        ],
      });
      // October 4.00 + 2.50 + 3.00 = 9.50; to date adds September's 5.00 = 14.50 (November's 1.00 is after).
      expect(r.work).toEqual({
        hours: '9.50',
        by_category: [{ category: 'mcp_build', hours: '6.50' }, { category: 'training', hours: '3.00' }],
        estimated_hours: '120.00',
        actual_hours_to_date: '14.50',
      });
    });

    it('sets the value against fees, licences and tools in the engagement currency', async () => {
      const r = await report({ engagement_id: e.id, month: '2026-10' });
      // Cost 1500.00 + 45.00 + 45.80 = 1590.80. Net 1282.08 − 1590.80 = −308.72.
      // ROI −308.72 ÷ 1590.80 × 100 = −19.407 → −19.4. Cumulative = October alone (the start month).
      // Payback 1590.80 ÷ 1282.08 = 1.2408 → 1.2 months; not yet paid back.
      expect(r.roi).toEqual({
        currency: 'AUD',
        value: '1282.08',
        cost: {
          fees: '1500.00',
          licences: '45.00',
          tools: '45.80',
          total: '1590.80',
          lines: [
            { source: 'fees', label: `Invoice ${String(fee.invoice_number)} (monthly)`, currency: 'AUD', amount: '1500.00', converted: '1500.00' },
            { source: 'licences', label: 'anthropic licence (team): Ava Stone', currency: 'AUD', amount: '45.00', converted: '45.00' },
            { source: 'tools', label: 'Zapier', currency: 'USD', amount: '30.00', converted: '45.80' },
          ],
        },
        unconverted: [],
        net: '-308.72',
        roi_percent: '-19.4',
        cumulative_value: '1282.08',
        cumulative_cost: '1590.80',
        payback_months: '1.2',
        paid_back_month: null,
      });
      expect(r.trend).toEqual([
        { month: '2026-10', tokens: 155_000, hours_saved: '15.08', value: '1282.08', cost: '1590.80', roi_percent: '-19.4', tickets_opened: 2, tickets_resolved: 1, attendance_rate: '66.7' },
      ]);
    });
  });

  describe('a three-month trend: August to October 2026', () => {
    let e: { id: string; company_id: string; name: string };

    beforeAll(async () => {
      // Trend Co, AUD, starts 08-01, 120.00 an hour. One daily task of 60 min, improving: 50 min from
      // 08-03, 30 from 09-01, 15 from 10-01. Weekdays: August 21, September 22, October 22.
      e = await h.engagement('Trend Co', { currency: 'AUD', start_date: '2026-08-01', hourly_rate_value: '120.00' });
      const tia = await h.person(e.company_id, 'Tia Moss', 'Tia', 'Moss');
      const t = await h.task(e, tia, { task_name: 'Daily quotes', frequency: 'daily', time_before_ai: 60, ai_adoption_status: 'adopted' });
      await h.measure(t, '2026-08-03', 50);
      await h.measure(t, '2026-09-01', 30);
      await h.measure(t, '2026-10-01', 15);
      await h.usage(e, tia, '2026-07', 3, 3333); // before the start month
      await h.usage(e, tia, '2026-08', 10, 1000);
      await h.usage(e, tia, '2026-09', 10, 2000);
      await h.usage(e, tia, '2026-10', 10, 4000);
      // Fees: setup 1,000 in August, 800 a month from August.
      await h.invoice(e, { invoice_type: 'setup', amount: '1000.00', status: 'paid', issue_date: '2026-08-01', paid_date: '2026-08-05' });
      for (const m of ['08', '09', '10']) await h.invoice(e, { invoice_type: 'monthly', amount: '800.00', status: 'sent', issue_date: `2026-${m}-01` });
      await h.put('support_tickets', { company_id: e.company_id, engagement_id: e.id, request_date: '2026-09-10T08:00:00.000Z', resolved_at: '2026-09-11T08:00:00.000Z', status: 'resolved', resolution: 'Answered' });
    });

    it('computes each month with the same rules and finds the month it paid back', async () => {
      const r = await report({ engagement_id: e.id, month: '2026-10' });
      // August:    10 min × 21 = 210 min = 3.50 h  → 420.00; cost 1,800; ROI (420 − 1800) ÷ 1800 = −76.67 % → −76.7
      // September: 30 min × 22 = 660 min = 11.00 h → 1320.00; cost 800; ROI 65.0
      // October:   45 min × 22 = 990 min = 16.50 h → 1980.00; cost 800; ROI 147.5
      // Cumulative value 420 / 1740 / 3720 against cost 1800 / 2600 / 3400: paid back in October.
      // Payback months 3400 ÷ 1980 = 1.717 → 1.7.
      expect(r.trend).toEqual([
        { month: '2026-08', tokens: 10_000, hours_saved: '3.50', value: '420.00', cost: '1800.00', roi_percent: '-76.7', tickets_opened: 0, tickets_resolved: 0, attendance_rate: null },
        { month: '2026-09', tokens: 20_000, hours_saved: '11.00', value: '1320.00', cost: '800.00', roi_percent: '65.0', tickets_opened: 1, tickets_resolved: 1, attendance_rate: null },
        { month: '2026-10', tokens: 40_000, hours_saved: '16.50', value: '1980.00', cost: '800.00', roi_percent: '147.5', tickets_opened: 0, tickets_resolved: 0, attendance_rate: null },
      ]);
      expect(r.roi).toMatchObject({ value: '1980.00', net: '1180.00', roi_percent: '147.5', cumulative_value: '3720.00', cumulative_cost: '3400.00', payback_months: '1.7', paid_back_month: '2026-10' });
      expect(r.time_saved.tasks[0]).toMatchObject({ minutes_after: 15, measured_on: '2026-10-01', minutes_saved_each: 45, occurrences: '22.00' });
    });

    it('stops the trend and the cumulative figures at the month reported', async () => {
      const r = await report({ engagement_id: e.id, month: '2026-09' });
      expect(r.trend.map((p) => p.month)).toEqual(['2026-08', '2026-09']);
      // Cumulative 420 + 1320 = 1740 against 2600: not paid back; payback 2600 ÷ 1320 = 1.97 → 2.0.
      expect(r.roi).toMatchObject({ value: '1320.00', cumulative_value: '1740.00', cumulative_cost: '2600.00', payback_months: '2.0', paid_back_month: null });
    });

    it('starts an engagement without a start date in the month it was created (UTC)', async () => {
      const late = await h.engagement('No Start Date', { currency: 'AUD' }, '2026-09-30T23:30:00.000Z');
      const r = await report({ engagement_id: late.id, month: '2026-10' });
      expect(r.trend.map((p) => p.month)).toEqual(['2026-09', '2026-10']);
      expect(r.rules.payback).toContain('(2026-09:');
      expect(r.roi).toMatchObject({ value: null, cost: { fees: '0.00', licences: '0.00', tools: '0.00', total: '0.00', lines: [] }, roi_percent: null, cumulative_cost: '0.00', paid_back_month: null });
    });

    it('shows at most six months', async () => {
      const old = await h.engagement('Old Co', { currency: 'AUD', start_date: '2025-01-15' });
      const r = await report({ engagement_id: old.id, month: '2026-10' });
      expect(r.trend.map((p) => p.month)).toEqual(['2026-05', '2026-06', '2026-07', '2026-08', '2026-09', '2026-10']);
    });
  });

  describe('hourly rate and currencies', () => {
    let e: { id: string; company_id: string; name: string };

    beforeAll(async () => {
      await updateSettings(h.ctx(), { exchange_rates: { AUD: '0.655' } });
      await h.noDefaultRate();
      // Rate Co, AUD, no hourly rate of its own. A daily task of 60 min measured at 30 from 10-01:
      // 30 × 22 = 660 min = 11.00 h. An ad hoc task states no occurrences: it counts none.
      e = await h.engagement('Rate Co', { currency: 'AUD', start_date: '2026-10-01' });
      const rob = await h.person(e.company_id, 'Rob Hart', 'Rob', 'Hart');
      const t = await h.task(e, rob, { task_name: 'Timesheets', frequency: 'daily', time_before_ai: 60 });
      await h.measure(t, '2026-10-01', 30);
      const adhoc = await h.task(e, rob, { task_name: 'Odd quotes', frequency: 'ad_hoc', time_before_ai: 30 });
      await h.measure(adhoc, '2026-10-01', 10);
      // A licence of 10.00 USD with no assigned date (every month): 10.00 ÷ 0.655 = 15.267… → 15.27 AUD.
      await h.put('ai_licenses', { engagement_id: e.id, contact_id: rob, monthly_cost: '10.00', currency: 'USD' });
      // A tool in TTD, which has no rate: listed apart, not added.
      await h.put('engagement_tools', { engagement_id: e.id, tool_name: 'Xero', monthly_cost: '100.00', currency: 'TTD' }, '2026-09-01T00:00:00.000Z');
    });

    it('uses the rate given for the report first', async () => {
      const r = await report({ engagement_id: e.id, month: '2026-10', hourly_rate: '50' });
      expect(r.rules).toMatchObject({ hourly_rate: '50.00', hourly_rate_source: 'input' });
      // 11.00 h × 50 = 550.00; ROI (550 − 15.27) ÷ 15.27 = 3501.83 % → 3501.8.
      expect(r.time_saved).toMatchObject({ hours_saved: '11.00', value: '550.00' });
      expect(r.time_saved.tasks.map((t) => [t.task_name, t.occurrences, t.occurrence_source, t.hours_saved])).toEqual([
        ['Timesheets', '22.00', 'frequency', '11.00'],
        ['Odd quotes', '0.00', 'none', '0.00'],
      ]);
      expect(r.roi).toMatchObject({ value: '550.00', net: '534.73', roi_percent: '3501.8' });
      expect(r.notes).toContain('1 per-project or ad hoc task states no occurrences_per_month and counts no occurrences.');
    });

    it("then the engagement's", async () => {
      await h.sql(`update engagements set hourly_rate_value = '70.00' where id = $1`, [e.id]);
      try {
        const r = await report({ engagement_id: e.id, month: '2026-10' });
        expect(r.rules).toMatchObject({ hourly_rate: '70.00', hourly_rate_source: 'engagement' });
        // 11.00 h × 70 = 770.00.
        expect(r.roi.value).toBe('770.00');
      } finally {
        await h.sql(`update engagements set hourly_rate_value = null where id = $1`, [e.id]);
      }
    });

    it("then the default_hourly_rate setting", async () => {
      await updateSettings(h.ctx(), { default_hourly_rate: '60.5' });
      try {
        const r = await report({ engagement_id: e.id, month: '2026-10' });
        // 11.00 h × 60.50 = 665.50.
        expect(r.rules).toMatchObject({ hourly_rate: '60.50', hourly_rate_source: 'setting' });
        expect(r.time_saved.value).toBe('665.50');
      } finally {
        await h.noDefaultRate();
      }
    });

    it('with no rate at all shows no value anywhere and says how to set one', async () => {
      const r = await report({ engagement_id: e.id, month: '2026-10' });
      expect(r.rules).toMatchObject({ hourly_rate: null, hourly_rate_source: 'none' });
      expect(r.rules.value).toContain('No hourly rate');
      expect(r.time_saved.value).toBeNull();
      expect(r.time_saved.people.map((p) => p.value)).toEqual([null]);
      expect(r.time_saved.tasks.map((t) => t.value)).toEqual([null, null]);
      expect(r.time_saved.hours_saved).toBe('11.00');
      expect(r.roi).toMatchObject({ value: null, net: null, roi_percent: null, cumulative_value: null, payback_months: null, paid_back_month: null, cumulative_cost: '15.27' });
      expect(r.trend[0]).toMatchObject({ value: null, roi_percent: null, cost: '15.27' });
      expect(r.notes.some((n) => n.startsWith('No hourly rate is set') && n.includes('default_hourly_rate'))).toBe(true);
    });

    it('lists a cost in a currency without an exchange rate apart and adds it to nothing', async () => {
      const r = await report({ engagement_id: e.id, month: '2026-10', hourly_rate: '50' });
      expect(r.roi.cost).toEqual({
        fees: '0.00',
        licences: '15.27',
        tools: '0.00',
        total: '15.27',
        lines: [{ source: 'licences', label: 'anthropic licence: Rob Hart', currency: 'USD', amount: '10.00', converted: '15.27' }],
      });
      expect(r.roi.unconverted).toEqual([{ source: 'tools', label: 'Xero', currency: 'TTD', amount: '100.00', converted: null }]);
      expect(r.notes).toContain('Costs in TTD are not converted into AUD and not added (this month\'s are listed apart): set exchange_rates for TTD in settings.');
    });

    it('marks the current month as not over', async () => {
      const r = await report({ engagement_id: e.id, month: '2026-11' });
      expect(r.notes[0]).toBe("2026-11 is not over: figures run to 2026-11-15, while occurrences taken from a task's frequency count the whole month.");
      expect(r.period).toEqual({ from: '2026-11-01', to: '2026-11-30' });
    });
  });

  describe('refusals', () => {
    let e: { id: string };
    beforeAll(async () => {
      e = await h.engagement('Refusal Co', { start_date: '2026-10-01' });
    });

    it('answers not found for an unknown engagement', async () => {
      for (const id of [randomUUID(), 'not-a-uuid']) {
        const err = await refusal(report({ engagement_id: id, month: '2026-10' }));
        expect(err.code).toBe('NOT_FOUND');
      }
    });

    it('names the month when it is malformed, before 2000 or in the future', async () => {
      for (const month of ['2026-13', '2026-1', '1999-12', 'October', '2026-10-01', '2026-12', '2027-01']) {
        const err = await refusal(report({ engagement_id: e.id, month }));
        expect(err.code, month).toBe('VALIDATION');
        expect(err.details.fields?.map((f) => f.field), month).toEqual(['month']);
      }
      const future = await refusal(report({ engagement_id: e.id, month: '2026-12' }));
      expect(future.details.fields?.[0]?.message).toContain('2026-11');
    });

    it('names a bad hourly rate or an unknown field', async () => {
      const rate = await refusal(report({ engagement_id: e.id, month: '2026-10', hourly_rate: '-5' }));
      expect(rate.details.fields?.map((f) => f.field)).toEqual(['hourly_rate']);
      const extra = await refusal(buildMonthlyReport(h.ctx(), { engagement_id: e.id, month: '2026-10', owner_id: 'x' } as never));
      expect(extra.details.fields?.map((f) => f.field)).toEqual(['owner_id']);
    });

    it('answers not found for an engagement the caller may not see', async () => {
      const admin = h.ctx();
      const user = await createUser(admin, { email: `editor-${randomUUID().slice(0, 8)}@example.com`, name: 'Ed Itor', role: 'editor' }, FAST_IDENTITY);
      const editor = s.ctx({ now: () => NOW, actor: userActor(user) });
      const mine = await h.put('engagements', { company_id: (await createCompany({ ctx: admin })).id, name: 'Mine', owner_id: user.id, start_date: '2026-10-01' });
      await updateSettings(admin, { record_visibility: 'own' });
      try {
        const err = await refusal(report({ engagement_id: e.id, month: '2026-10' }, editor));
        expect(err.code).toBe('NOT_FOUND');
        expect((await report({ engagement_id: mine.id as string, month: '2026-10' }, editor)).engagement.id).toBe(mine.id);
        expect((await buildPortfolioReport(editor, { month: '2026-10' })).engagements.map((l) => l.engagement_id)).toEqual([mine.id]);
      } finally {
        await updateSettings(admin, { record_visibility: 'all' });
      }
      expect((await report({ engagement_id: e.id, month: '2026-10' }, editor)).engagement.id).toBe(e.id);
    });
  });
});

dbSuite('portfolio report', (s) => {
  const h = helpers(s);
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    await updateSettings(h.ctx(), { exchange_rates: { AUD: '0.655', TTD: '0.147' }, record_visibility: 'all' });
    await h.noDefaultRate();
    const daily = async (name: string, values: Row, before: number, measures: [string, number][]) => {
      const e = await h.engagement(name, values);
      ids[name] = e.id;
      const who = await h.person(e.company_id, `${name} Staff`);
      const t = await h.task(e, who, { task_name: 'Daily work', frequency: values.currency === 'TTD' ? 'weekly' : 'daily', time_before_ai: before });
      for (const [on, after] of measures) await h.measure(t, on, after);
      return e;
    };
    // Alpha (AUD, 100/h): September 20 min × 22 = 7.33 h, October 30 × 22 = 11.00 h (up) → 1100.00;
    // fee 500.00 → ROI 120.0; 7,000 tokens; one ticket from September still open.
    const alpha = await daily('Alpha', { currency: 'AUD', start_date: '2026-08-01', hourly_rate_value: '100.00' }, 60, [['2026-09-01', 40], ['2026-10-01', 30]]);
    await h.invoice(alpha, { invoice_type: 'monthly', amount: '500.00', status: 'sent', issue_date: '2026-10-01' });
    await h.usage(alpha, null, '2026-10', 7, 1000);
    await h.put('support_tickets', { company_id: alpha.company_id, engagement_id: alpha.id, request_date: '2026-09-20T00:00:00.000Z' });
    // Beta (TTD, 200/h, starts in October: new): weekly 120 → 60 min × 4.4 = 264 min = 4.40 h → 880.00 TTD.
    // Cost: licence 150.00 TTD + tool 20.00 USD = 20 × 1 ÷ 0.147 = 136.054… → 136.05 TTD; 286.05.
    // ROI (880 − 286.05) ÷ 286.05 = 207.64 % → 207.6.
    const beta = await daily('Beta', { currency: 'TTD', start_date: '2026-10-01', hourly_rate_value: '200.00' }, 120, [['2026-10-02', 60]]);
    await h.put('ai_licenses', { engagement_id: beta.id, monthly_cost: '150.00', currency: 'TTD', assigned_at: '2026-10-01T00:00:00.000Z' });
    await h.put('engagement_tools', { engagement_id: beta.id, tool_name: 'OpenAI', monthly_cost: '20.00', currency: 'USD' }, '2026-10-01T00:00:00.000Z');
    // Gamma (AUD, no rate): a monthly task, 90 → 30 since July: 1.00 h in September and October (flat), no value.
    const gamma = await h.engagement('Gamma', { currency: 'AUD', start_date: '2026-07-01' });
    ids.Gamma = gamma.id;
    const g = await h.task(gamma, await h.person(gamma.company_id, 'Gamma Staff'), { task_name: 'Month end', frequency: 'monthly', time_before_ai: 90 });
    await h.measure(g, '2026-07-15', 30);
    // Zeta (AUD, 100/h): 60 − 20 = 40 × 22 = 14.67 h in September, 30 × 22 = 11.00 h in October (down) → 1100.00; no cost.
    await daily('Zeta', { currency: 'AUD', start_date: '2026-08-01', hourly_rate_value: '100.00' }, 60, [['2026-09-01', 20], ['2026-10-01', 30]]);
    // Not live in October: Delta starts 11-15; Epsilon completed 09-30; Eta cancelled on 08-15 with no end date; Theta archived.
    ids.Delta = (await h.engagement('Delta', { start_date: '2026-11-15' })).id;
    ids.Epsilon = (await h.engagement('Epsilon', { start_date: '2026-01-01', end_date: '2026-09-30', status: 'completed' })).id;
    ids.Eta = (await h.engagement('Eta', { start_date: '2026-07-01', status: 'cancelled' }, '2026-08-15T00:00:00.000Z')).id;
    ids.Theta = (await h.engagement('Theta', { start_date: '2026-07-01' })).id;
    await h.sql(`update engagements set archived_at = now() where id = $1`, [ids.Theta]);
    // Live in October although completed since: Iota ended 10-15.
    ids.Iota = (await h.engagement('Iota', { start_date: '2026-07-01', end_date: '2026-10-15', status: 'completed' })).id;
  });

  it('has one line per engagement live in the month, with the monthly rules', async () => {
    const p = await buildPortfolioReport(h.ctx(), { month: '2026-10' });
    expect(p.kind).toBe('portfolio_report');
    expect(p.month).toBe('2026-10');
    expect(p.generated_at).toBe(NOW.toISOString());
    const byName = Object.fromEntries(p.engagements.map((l) => [l.engagement_name, l]));
    expect(Object.keys(byName).sort()).toEqual(['Alpha', 'Beta', 'Gamma', 'Iota', 'Zeta']);
    expect(p.engagements.map((l) => l.engagement_name)).toEqual(['Alpha', 'Beta', 'Gamma', 'Iota', 'Zeta']);
    expect(byName.Alpha).toMatchObject({ engagement_id: ids.Alpha, currency: 'AUD', status: 'onboarding', tokens: 7000, hours_saved: '11.00', value: '1100.00', cost: '500.00', roi_percent: '120.0', tickets_open: 1, trend: 'up' });
    expect(byName.Beta).toMatchObject({ currency: 'TTD', tokens: 0, hours_saved: '4.40', value: '880.00', cost: '286.05', roi_percent: '207.6', tickets_open: 0, trend: 'new' });
    expect(byName.Gamma).toMatchObject({ currency: 'AUD', hours_saved: '1.00', value: null, cost: '0.00', roi_percent: null, trend: 'flat' });
    expect(byName.Zeta).toMatchObject({ hours_saved: '11.00', value: '1100.00', cost: '0.00', roi_percent: null, trend: 'down' });
    expect(byName.Iota).toMatchObject({ status: 'completed', hours_saved: '0.00', value: null, trend: 'flat' });
  });

  it('totals each currency apart', async () => {
    const p = await buildPortfolioReport(h.ctx(), { month: '2026-10' });
    // AUD: Alpha 11.00 + Gamma 1.00 + Iota 0 + Zeta 11.00 = 23.00 h; value 1100 + 1100 (Gamma and Iota have no rate);
    // cost 500.00; ROI left out because some AUD engagements have no rate. TTD: Beta alone.
    expect(p.totals).toEqual([
      { currency: 'AUD', engagements: 4, hours_saved: '23.00', value: '2200.00', cost: '500.00', roi_percent: null },
      { currency: 'TTD', engagements: 1, hours_saved: '4.40', value: '880.00', cost: '286.05', roi_percent: '207.6' },
    ]);
    expect(p.notes.some((n) => n.startsWith('No hourly rate for Gamma, Iota'))).toBe(true);
  });

  it('leaves out engagements that had not started and includes them once they have', async () => {
    const september = await buildPortfolioReport(h.ctx(), { month: '2026-09' });
    expect(september.engagements.map((l) => l.engagement_name)).toEqual(['Alpha', 'Epsilon', 'Gamma', 'Iota', 'Zeta']);
    const november = await buildPortfolioReport(h.ctx(), { month: '2026-11' });
    expect(november.engagements.map((l) => l.engagement_name)).toEqual(['Alpha', 'Beta', 'Delta', 'Gamma', 'Zeta']);
  });

  it('refuses a bad or future month', async () => {
    for (const month of ['2026-12', '1999-01', 'x']) {
      const err = await refusal(buildPortfolioReport(h.ctx(), { month }));
      expect(err.details.fields?.map((f) => f.field)).toEqual(['month']);
    }
  });
});
