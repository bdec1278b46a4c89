/**
 * A report as one tidy long table (`section,item,metric,value,unit`) that a spreadsheet
 * can filter and pivot. Conventions:
 * - `section` alone holds the finest rows (a task, a ticket, a person); `<section>_total`
 *   holds the section's totals, so a pivot over one section never double counts.
 * - `value` is the exact decimal string as computed; a missing figure is an empty cell
 *   (never "null"), and the notes say why it is missing.
 * - Rules and notes are rows too (metric `rule` / `note`), so the file carries its own
 *   explanation.
 * Formula injection: every cell that holds text (items, names, subjects, sentences) and
 * starts with =, +, -, @, tab or CR gets a leading apostrophe. Figures are written as
 * numbers and left alone (-12.50 is a value, not a formula), but only after checking they
 * really are plain decimals; anything else is treated as text.
 */
import { stringify } from 'csv-stringify/sync';
import { OPTIONAL_RULES } from './monthly-view.ts';
import { portfolioLineLabel } from './portfolio-view.ts';
import type { MonthlyReport, PortfolioReport } from './types.ts';
import { neutraliseFormula } from '../words.ts';

export const CSV_COLUMNS = ['section', 'item', 'metric', 'value', 'unit'] as const;

type Row = [section: string, item: string, metric: string, value: string, unit: string];

const PLAIN_NUMBER = /^-?\d+(\.\d+)?$/;


/** Collects rows for one `section,item` pair: figures via `num`, words via `text`. */
function rows(out: Row[], section: string, item: string) {
  const it = neutraliseFormula(item);
  const api = {
    num(metric: string, value: string | number | null, unit: string) {
      const v = value === null ? '' : String(value);
      out.push([section, it, metric, v === '' || PLAIN_NUMBER.test(v) ? v : neutraliseFormula(v), unit]);
      return api;
    },
    text(metric: string, value: string | null, unit = '') {
      out.push([section, it, metric, value === null ? '' : neutraliseFormula(value), unit]);
      return api;
    },
  };
  return api;
}

function toCsv(out: Row[]): string {
  // The BOM lets Excel read names with accents as UTF-8; CRLF is what RFC 4180 asks for.
  return stringify(out, { header: true, columns: [...CSV_COLUMNS], bom: true, record_delimiter: 'windows' });
}

export function renderCsv(report: MonthlyReport | PortfolioReport): string {
  return toCsv(report.kind === 'monthly_report' ? monthlyRows(report) : portfolioRows(report));
}

export function monthlyRows(r: MonthlyReport): Row[] {
  const out: Row[] = [];
  const e = r.engagement;
  const cur = r.roi.currency;
  rows(out, 'report', 'engagement')
    .text('company', e.company_name)
    .text('engagement', e.name)
    .text('package', e.package)
    .text('status', e.status)
    .text('currency', e.currency)
    .text('start_date', e.start_date, 'date')
    .text('go_live_date', e.go_live_date, 'date')
    .text('end_date', e.end_date, 'date')
    .text('month', r.month, 'month')
    .text('period_from', r.period.from, 'date')
    .text('period_to', r.period.to, 'date')
    .text('generated_at', r.generated_at, 'timestamp');

  const roi = r.roi;
  rows(out, 'roi', r.month)
    .num('value', roi.value, cur)
    .num('cost', roi.cost.total, cur)
    .num('fees', roi.cost.fees, cur)
    .num('licences', roi.cost.licences, cur)
    .num('tools', roi.cost.tools, cur)
    .num('net', roi.net, cur)
    .num('roi_percent', roi.roi_percent, 'percent')
    .num('cumulative_value', roi.cumulative_value, cur)
    .num('cumulative_cost', roi.cumulative_cost, cur)
    .num('payback_months', roi.payback_months, 'months')
    .text('paid_back_month', roi.paid_back_month, 'month');
  for (const l of roi.cost.lines) rows(out, 'cost', l.label).text('source', l.source).num('amount', l.amount, l.currency).num('converted', l.converted, cur);
  for (const l of roi.unconverted) rows(out, 'cost_unconverted', l.label).text('source', l.source).num('amount', l.amount, l.currency);

  rows(out, 'usage_total', 'total').num('tokens', r.usage.total_tokens, 'tokens').num('records', r.usage.records, 'count');
  for (const p of r.usage.people) rows(out, 'usage', p.name).num('tokens', p.tokens, 'tokens').num('records', p.records, 'count');

  const t = r.time_saved;
  rows(out, 'time_saved_total', 'total').num('hours_saved', t.hours_saved, 'hours').num('value', t.value, cur);
  for (const p of t.people) rows(out, 'time_saved_person', p.name).num('tasks', p.tasks, 'count').num('hours_saved', p.hours_saved, 'hours').num('value', p.value, cur);
  for (const k of t.tasks) {
    rows(out, 'time_saved', `${k.contact_name} / ${k.task_name}`)
      .text('person', k.contact_name)
      .text('task', k.task_name)
      .text('frequency', k.frequency)
      .text('adoption_status', k.adoption_status)
      .num('occurrences', k.occurrences, 'count')
      .text('occurrence_source', k.occurrence_source)
      .num('minutes_before', k.minutes_before, 'minutes')
      .num('minutes_after', k.minutes_after, 'minutes')
      .text('measured_on', k.measured_on, 'date')
      .num('minutes_saved_each', k.minutes_saved_each, 'minutes')
      .num('hours_saved', k.hours_saved, 'hours')
      .num('value', k.value, cur);
  }

  const s = r.support;
  rows(out, 'support_total', 'total')
    .num('opened', s.opened, 'count')
    .num('resolved', s.resolved, 'count')
    .num('open_at_month_end', s.open_at_month_end, 'count')
    .num('hours_spent', s.hours_spent, 'hours')
    .num('median_hours_to_resolve', s.median_hours_to_resolve, 'hours');
  for (const c of s.by_category) rows(out, 'support_category', c.category).num('opened', c.opened, 'count');
  for (const k of s.tickets) {
    rows(out, 'support', k.ticket_number)
      .text('subject', k.subject)
      .text('category', k.category)
      .text('priority', k.priority)
      .text('status', k.status)
      .text('request_date', k.request_date, 'date')
      .text('resolved_at', k.resolved_at, 'date')
      .num('hours_to_resolve', k.hours_to_resolve, 'hours')
      .num('hours_spent', k.hours_spent, 'hours');
  }

  const tr = r.training;
  rows(out, 'training_total', 'total')
    .num('sessions_planned', tr.sessions_planned, 'count')
    .num('sessions_completed_to_date', tr.sessions_completed_to_date, 'count')
    .num('attendance_rate', tr.attendance_rate, 'percent');
  for (const k of tr.sessions) {
    rows(out, 'training', k.title ?? `Session ${k.session_number ?? k.id}`)
      .num('session_number', k.session_number, 'count')
      .text('scheduled_date', k.scheduled_date, 'date')
      .text('status', k.status)
      .num('invited', k.invited, 'count')
      .num('attended', k.attended, 'count');
  }
  for (const p of tr.people) rows(out, 'training_person', p.name).num('invited', p.invited, 'count').num('attended', p.attended, 'count');

  const w = r.work;
  rows(out, 'work_total', 'total').num('hours', w.hours, 'hours').num('estimated_hours', w.estimated_hours, 'hours').num('actual_hours_to_date', w.actual_hours_to_date, 'hours');
  for (const c of w.by_category) rows(out, 'work', c.category).num('hours', c.hours, 'hours');

  for (const p of r.trend) {
    rows(out, 'trend', p.month)
      .num('tokens', p.tokens, 'tokens')
      .num('hours_saved', p.hours_saved, 'hours')
      .num('value', p.value, cur)
      .num('cost', p.cost, cur)
      .num('roi_percent', p.roi_percent, 'percent')
      .num('tickets_opened', p.tickets_opened, 'count')
      .num('tickets_resolved', p.tickets_resolved, 'count')
      .num('attendance_rate', p.attendance_rate, 'percent');
  }

  const rules = r.rules;
  rows(out, 'rules', 'hourly_rate').num('hourly_rate', rules.hourly_rate, cur).text('hourly_rate_source', rules.hourly_rate_source);
  for (const [freq, sentence] of Object.entries(rules.occurrences)) rows(out, 'rules', `occurrences_${freq}`).text('rule', sentence);
  for (const key of ['time_after_ai', 'value', 'cost', 'roi', 'payback', 'usage'] as const) rows(out, 'rules', key).text('rule', rules[key]);
  for (const [key] of OPTIONAL_RULES) {
    const sentence = rules[key];
    if (sentence) rows(out, 'rules', key).text('rule', sentence);
  }
  noteRows(out, r.notes);
  return out;
}

function noteRows(out: Row[], notes: string[]) {
  notes.forEach((n, i) => rows(out, 'notes', String(i + 1)).text('note', n));
}

export function portfolioRows(p: PortfolioReport): Row[] {
  const out: Row[] = [];
  rows(out, 'report', 'portfolio').text('month', p.month, 'month').text('generated_at', p.generated_at, 'timestamp');
  for (const t of p.totals) {
    rows(out, 'portfolio_total', t.currency)
      .num('engagements', t.engagements, 'count')
      .num('hours_saved', t.hours_saved, 'hours')
      .num('value', t.value, t.currency)
      .num('cost', t.cost, t.currency)
      .num('roi_percent', t.roi_percent, 'percent');
  }
  for (const l of p.engagements) {
    rows(out, 'portfolio', portfolioLineLabel(l))
      .text('engagement_id', l.engagement_id)
      .text('company', l.company_name)
      .text('engagement', l.engagement_name)
      .text('status', l.status)
      .text('currency', l.currency)
      .num('tokens', l.tokens, 'tokens')
      .num('hours_saved', l.hours_saved, 'hours')
      .num('value', l.value, l.currency)
      .num('cost', l.cost, l.currency)
      .num('roi_percent', l.roi_percent, 'percent')
      .num('tickets_open', l.tickets_open, 'count')
      .text('trend', l.trend);
  }
  noteRows(out, p.notes);
  return out;
}
