/**
 * Hand-made reports for the renderer tests: an architecture practice in its fifth month,
 * with figures that add up (hours × rate = value, lines sum to totals) so a test can
 * check a printed figure against the arithmetic. Each call returns a fresh object that a
 * test may mutate.
 */
import type { MonthlyReport, PortfolioReport, TaskSaving } from '../src/core/reports/types.ts';

const ALICE = 'c0000000-0000-4000-8000-00000000000a';
const BRUNO = 'c0000000-0000-4000-8000-00000000000b';
const CHLOE = 'c0000000-0000-4000-8000-00000000000c';

function task(t: Partial<TaskSaving> & Pick<TaskSaving, 'task_id' | 'task_name' | 'contact_id' | 'contact_name' | 'hours_saved'>): TaskSaving {
  return {
    frequency: 'weekly',
    adoption_status: 'adopted',
    occurrences: '0.00',
    occurrence_source: 'frequency',
    minutes_before: null,
    minutes_after: null,
    measured_on: null,
    minutes_saved_each: null,
    value: null,
    ...t,
  };
}

export function monthlyReport(): MonthlyReport {
  return {
    kind: 'monthly_report',
    engagement: {
      id: 'e0000000-0000-4000-8000-000000000001',
      name: 'AI drafting assistant',
      company_id: 'f0000000-0000-4000-8000-000000000001',
      company_name: 'Harbour & Finch Architects',
      status: 'active',
      package: 'Implementation + retainer',
      currency: 'EUR',
      start_date: '2026-06-02',
      go_live_date: '2026-07-01',
      end_date: null,
    },
    month: '2026-10',
    period: { from: '2026-10-01', to: '2026-10-31' },
    generated_at: '2026-11-02T08:15:00.000Z',
    rules: {
      hourly_rate: '85.00',
      hourly_rate_source: 'engagement',
      occurrences: {
        daily: 'Daily tasks happen once per working day (Monday to Friday) in the month, unless a measured or stated count exists.',
        weekly: 'Weekly tasks happen once per week that starts in the month, unless a measured or stated count exists.',
        monthly: 'Monthly tasks happen once in the month.',
        per_project: 'Per-project tasks happen as many times as the client stated projects for the month.',
        ad_hoc: 'Ad-hoc tasks count only what was measured or stated; otherwise they count zero.',
      },
      time_after_ai: "Time after AI is the latest measurement on or before the month's last day; a task with no measurement yet saves nothing.",
      value: 'Value = hours saved × hourly rate (85.00 EUR, from the engagement).',
      cost: 'Cost = fees + licences + tools for the month, converted to EUR at the month-end rate; costs with no rate are listed but not added.',
      roi: 'ROI % = (value − cost) ÷ cost × 100, rounded to one decimal place.',
      payback: "Payback = cumulative cost ÷ this month's value, in months.",
      usage: "Tokens are input plus output tokens recorded for the engagement's people and API keys in the month.",
      support: 'Tickets count when opened or resolved in the month; hours spent count for tickets resolved in the month; the median uses resolved tickets only.',
      training: 'Attendance rate = attended ÷ invited over the sessions completed in the month.',
      work: 'Work hours are the time entries dated in the month, by category; the estimate is the engagement’s.',
      periods: 'A month runs from its first to its last calendar day in UTC; the trend shows up to six months ending with this one.',
    },
    usage: {
      total_tokens: 1_284_500,
      records: 840,
      people: [
        { contact_id: ALICE, name: 'Alice Ng', tokens: 612_000, records: 410 },
        { contact_id: BRUNO, name: 'Bruno Costa', tokens: 398_500, records: 260 },
        { contact_id: CHLOE, name: 'Chloé Martin', tokens: 201_000, records: 140 },
        { contact_id: null, name: 'Not attributed (API key)', tokens: 73_000, records: 30 },
      ],
    },
    time_saved: {
      hours_saved: '28.50',
      value: '2422.50',
      people: [
        { contact_id: ALICE, name: 'Alice Ng', tasks: 2, hours_saved: '19.50', value: '1657.50' },
        { contact_id: BRUNO, name: 'Bruno Costa', tasks: 1, hours_saved: '6.00', value: '510.00' },
        { contact_id: CHLOE, name: 'Chloé Martin', tasks: 2, hours_saved: '3.00', value: '255.00' },
      ],
      tasks: [
        task({ task_id: 't1', task_name: 'Drawing takeoffs', contact_id: ALICE, contact_name: 'Alice Ng', occurrences: '5.00', occurrence_source: 'measured', minutes_before: 240, minutes_after: 90, measured_on: '2026-10-20', minutes_saved_each: 150, hours_saved: '12.50', value: '1062.50' }),
        task({ task_id: 't2', task_name: 'Meeting minutes', contact_id: ALICE, contact_name: 'Alice Ng', frequency: 'ad_hoc', occurrences: '12.00', occurrence_source: 'stated', minutes_before: 45, minutes_after: 10, measured_on: '2026-09-15', minutes_saved_each: 35, hours_saved: '7.00', value: '595.00' }),
        task({ task_id: 't3', task_name: 'Planning application summaries', contact_id: BRUNO, contact_name: 'Bruno Costa', frequency: 'per_project', occurrences: '3.00', occurrence_source: 'stated', minutes_before: 180, minutes_after: 60, measured_on: '2026-10-06', minutes_saved_each: 120, hours_saved: '6.00', value: '510.00' }),
        task({ task_id: 't4', task_name: 'Specification drafting', contact_id: CHLOE, contact_name: 'Chloé Martin', frequency: 'monthly', occurrences: '1.00', minutes_before: 300, minutes_after: 120, measured_on: '2026-08-28', minutes_saved_each: 180, hours_saved: '3.00', value: '255.00' }),
        task({ task_id: 't5', task_name: 'Client email triage', contact_id: CHLOE, contact_name: 'Chloé Martin', frequency: 'daily', adoption_status: 'piloting', occurrences: '22.00', minutes_before: 20, hours_saved: '0.00', value: '0.00' }),
      ],
    },
    support: {
      opened: 4,
      resolved: 3,
      open_at_month_end: 2,
      hours_spent: '5.50',
      median_hours_to_resolve: '18.25',
      by_category: [
        { category: 'bug', opened: 2 },
        { category: 'how_to', opened: 1 },
        { category: 'change_request', opened: 1 },
      ],
      tickets: [
        { id: 'k7', ticket_number: 'TL-0107', subject: 'Takeoff export drops the last sheet', category: 'bug', priority: 'high', status: 'resolved', request_date: '2026-09-29', resolved_at: '2026-10-01', hours_to_resolve: '41.00', hours_spent: '2.00' },
        { id: 'k8', ticket_number: 'TL-0108', subject: 'How do I add a new drawing template?', category: 'how_to', priority: 'low', status: 'resolved', request_date: '2026-10-05', resolved_at: '2026-10-05', hours_to_resolve: '6.50', hours_spent: '1.50' },
        { id: 'k9', ticket_number: 'TL-0109', subject: 'Minutes assistant mixes up speaker names', category: 'bug', priority: 'medium', status: 'resolved', request_date: '2026-10-12', resolved_at: '2026-10-13', hours_to_resolve: '18.25', hours_spent: '2.00' },
        { id: 'k10', ticket_number: 'TL-0110', subject: 'Add planning portal links to summaries', category: 'change_request', priority: 'medium', status: 'in_progress', request_date: '2026-10-19', resolved_at: null, hours_to_resolve: null, hours_spent: '1.25' },
        { id: 'k11', ticket_number: 'TL-0111', subject: null, category: 'bug', priority: 'low', status: 'open', request_date: '2026-10-28', resolved_at: null, hours_to_resolve: null, hours_spent: null },
      ],
    },
    training: {
      sessions_planned: 6,
      sessions_completed_to_date: 4,
      sessions: [
        { id: 's4', session_number: 4, title: 'Prompting for specifications', scheduled_date: '2026-10-08', status: 'completed', invited: 8, attended: 7 },
        { id: 's5', session_number: 5, title: 'Reviewing AI drafts safely', scheduled_date: '2026-10-22', status: 'scheduled', invited: 8, attended: 0 },
      ],
      attendance_rate: '87.5',
      people: [
        { contact_id: ALICE, name: 'Alice Ng', invited: 1, attended: 1 },
        { contact_id: BRUNO, name: 'Bruno Costa', invited: 1, attended: 1 },
        { contact_id: CHLOE, name: 'Chloé Martin', invited: 1, attended: 0 },
        { contact_id: 'c4', name: 'Dev Patel', invited: 1, attended: 1 },
        { contact_id: 'c5', name: 'Emma Rossi', invited: 1, attended: 1 },
        { contact_id: 'c6', name: 'Farid Haddad', invited: 1, attended: 1 },
        { contact_id: 'c7', name: 'Grace Kim', invited: 1, attended: 1 },
        { contact_id: 'c8', name: 'Hugo Lenoir', invited: 1, attended: 1 },
      ],
    },
    work: {
      hours: '26.50',
      by_category: [
        { category: 'development', hours: '14.00' },
        { category: 'training', hours: '6.00' },
        { category: 'support', hours: '3.50' },
        { category: 'project_management', hours: '3.00' },
      ],
      estimated_hours: '120.00',
      actual_hours_to_date: '96.75',
    },
    roi: {
      currency: 'EUR',
      value: '2422.50',
      cost: {
        fees: '1500.00',
        licences: '342.00',
        tools: '46.00',
        total: '1888.00',
        lines: [
          { source: 'fees', label: 'Monthly retainer', currency: 'EUR', amount: '1500.00', converted: '1500.00' },
          { source: 'licences', label: 'ChatGPT Team (9 seats)', currency: 'USD', amount: '270.00', converted: '248.40' },
          { source: 'licences', label: 'Microsoft 365 Copilot (3 seats)', currency: 'EUR', amount: '93.60', converted: '93.60' },
          { source: 'tools', label: 'Vector database', currency: 'EUR', amount: '46.00', converted: '46.00' },
        ],
      },
      unconverted: [{ source: 'tools', label: 'Zapier Professional', currency: 'GBP', amount: '39.00', converted: null }],
      net: '534.50',
      roi_percent: '28.3',
      cumulative_value: '6417.50',
      cumulative_cost: '9052.00',
      payback_months: '3.7',
      paid_back_month: null,
    },
    trend: [
      { month: '2026-06', tokens: 12_000, hours_saved: '0.00', value: '0.00', cost: '1500.00', roi_percent: '-100.0', tickets_opened: 0, tickets_resolved: 0, attendance_rate: null },
      { month: '2026-07', tokens: 402_000, hours_saved: '8.25', value: '701.25', cost: '1888.00', roi_percent: '-62.9', tickets_opened: 3, tickets_resolved: 2, attendance_rate: '87.5' },
      { month: '2026-08', tokens: 780_300, hours_saved: '14.75', value: '1253.75', cost: '1888.00', roi_percent: '-33.6', tickets_opened: 5, tickets_resolved: 5, attendance_rate: '75.0' },
      { month: '2026-09', tokens: 1_105_000, hours_saved: '24.00', value: '2040.00', cost: '1888.00', roi_percent: '8.1', tickets_opened: 3, tickets_resolved: 2, attendance_rate: null },
      { month: '2026-10', tokens: 1_284_500, hours_saved: '28.50', value: '2422.50', cost: '1888.00', roi_percent: '28.3', tickets_opened: 4, tickets_resolved: 3, attendance_rate: '87.5' },
    ],
    notes: [
      'Zapier Professional (39.00 GBP) has no GBP→EUR rate for October 2026, so it is listed but not added to the cost.',
      'Client email triage has no measurement after AI yet, so it saves nothing this month.',
    ],
  };
}

/** The same month for a client with no hourly rate anywhere: every money-from-time figure is null. */
export function monthlyReportWithoutRate(): MonthlyReport {
  const r = monthlyReport();
  r.rules.hourly_rate = null;
  r.rules.hourly_rate_source = 'none';
  r.rules.value = 'No hourly rate is set, so hours saved are not turned into money.';
  r.time_saved.value = null;
  for (const p of r.time_saved.people) p.value = null;
  for (const t of r.time_saved.tasks) t.value = null;
  Object.assign(r.roi, { value: null, net: null, roi_percent: null, cumulative_value: null, payback_months: null, paid_back_month: null });
  for (const p of r.trend) Object.assign(p, { value: null, roi_percent: null });
  r.support.median_hours_to_resolve = null;
  r.training.attendance_rate = null;
  r.work.estimated_hours = null;
  r.notes.push('No hourly rate: set one on the engagement or in settings to see value, ROI and payback.');
  return r;
}

export function portfolioReport(): PortfolioReport {
  return {
    kind: 'portfolio_report',
    month: '2026-10',
    generated_at: '2026-11-02T08:20:00.000Z',
    engagements: [
      { engagement_id: 'e1', engagement_name: 'AI drafting assistant', company_id: 'f1', company_name: 'Harbour & Finch Architects', status: 'active', currency: 'EUR', tokens: 1_284_500, hours_saved: '28.50', value: '2422.50', cost: '1888.00', roi_percent: '28.3', tickets_open: 2, trend: 'up' },
      { engagement_id: 'e2', engagement_name: 'Dispatch copilot', company_id: 'f2', company_name: 'Northwind Logistics', status: 'active', currency: 'GBP', tokens: 2_310_000, hours_saved: '41.00', value: '2665.00', cost: '2100.00', roi_percent: '26.9', tickets_open: 1, trend: 'down' },
      { engagement_id: 'e3', engagement_name: null, company_id: 'f3', company_name: 'Kestrel Dental', status: 'onboarding', currency: 'EUR', tokens: 84_000, hours_saved: '4.00', value: null, cost: '950.00', roi_percent: null, tickets_open: 0, trend: 'new' },
    ],
    totals: [
      { currency: 'EUR', engagements: 2, hours_saved: '32.50', value: '2422.50', cost: '2838.00', roi_percent: '-14.6' },
      { currency: 'GBP', engagements: 1, hours_saved: '41.00', value: '2665.00', cost: '2100.00', roi_percent: '26.9' },
    ],
    notes: ['Kestrel Dental has no hourly rate: its hours count towards the EUR total, its value does not.'],
  };
}
