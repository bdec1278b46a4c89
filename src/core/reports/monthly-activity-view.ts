/**
 * The activity sections of the monthly report: what people used, saved, asked for,
 * learned and what the consultancy delivered. Money here is only the value of time saved;
 * the money sections live in monthly-view.ts.
 */
import { PALETTE } from './charts.ts';
import { DASH, formatDecimal, formatHours, formatInt, formatMoney, formatPercent, humanize, orDash, toNumber } from './report-format.ts';
import { describe, num, table, type SectionView } from './report-view.ts';
import type { MonthlyReport } from './types.ts';

export function usage(r: MonthlyReport): SectionView {
  const u = r.usage;
  return {
    id: 'usage',
    title: 'AI usage',
    blocks: [
      { kind: 'figures', items: [{ label: 'Tokens', value: formatInt(u.total_tokens) }, { label: 'Usage records', value: formatInt(u.records) }] },
      {
        kind: 'charts',
        charts: [
          {
            kind: 'bars',
            id: 'chart-usage',
            title: 'Tokens per person',
            desc: describe('Tokens per person', u.people.map((p) => [p.name, formatInt(p.tokens)])),
            color: PALETTE.tokens,
            data: u.people.map((p) => ({ label: p.name, value: p.tokens, display: formatInt(p.tokens) })),
          },
        ],
        table: table('Tokens per person', ['Person', num('Tokens'), num('Records')], u.people.map((p) => [p.name, formatInt(p.tokens), formatInt(p.records)])),
      },
    ],
  };
}

export function timeSaved(r: MonthlyReport): SectionView {
  const t = r.time_saved;
  const cur = r.engagement.currency;
  return {
    id: 'time-saved',
    title: 'Time saved',
    blocks: [
      { kind: 'figures', items: [{ label: 'Hours saved', value: formatHours(t.hours_saved) }, { label: 'Value', value: formatMoney(t.value, cur) }] },
      {
        kind: 'charts',
        charts: [
          {
            kind: 'bars',
            id: 'chart-time-saved-people',
            title: 'Hours saved per person',
            desc: describe('Hours saved per person', t.people.map((p) => [p.name, formatHours(p.hours_saved)])),
            color: PALETTE.hours,
            data: t.people.map((p) => ({ label: p.name, value: toNumber(p.hours_saved), display: formatHours(p.hours_saved) })),
          },
        ],
        table: table('Time saved per person', ['Person', num('Tasks'), num('Hours saved'), num('Value')], t.people.map((p) => [p.name, formatInt(p.tasks), formatHours(p.hours_saved), formatMoney(p.value, cur)])),
      },
      {
        kind: 'charts',
        charts: [
          {
            kind: 'bars',
            id: 'chart-time-saved-tasks',
            title: 'Hours saved per task',
            desc: describe('Hours saved per task', t.tasks.map((k) => [`${k.contact_name} / ${k.task_name}`, formatHours(k.hours_saved)])),
            color: PALETTE.hours,
            data: t.tasks.map((k) => ({ label: `${k.contact_name} / ${k.task_name}`, value: toNumber(k.hours_saved), display: formatHours(k.hours_saved) })),
          },
        ],
        table: table(
          'Time saved per task',
          ['Person', 'Task', 'Frequency', 'Adoption', num('Occurrences'), 'Source', num('Minutes before'), num('Minutes after'), 'Measured on', num('Saved each (min)'), num('Hours saved'), num('Value')],
          t.tasks.map((k) => [
            k.contact_name,
            k.task_name,
            humanize(k.frequency),
            humanize(k.adoption_status),
            formatDecimal(k.occurrences),
            humanize(k.occurrence_source),
            formatInt(k.minutes_before),
            formatInt(k.minutes_after),
            orDash(k.measured_on),
            formatInt(k.minutes_saved_each),
            formatHours(k.hours_saved),
            formatMoney(k.value, cur),
          ]),
        ),
      },
    ],
  };
}

export function support(r: MonthlyReport): SectionView {
  const s = r.support;
  return {
    id: 'support',
    title: 'Support',
    blocks: [
      {
        kind: 'figures',
        items: [
          { label: 'Tickets opened', value: formatInt(s.opened) },
          { label: 'Tickets resolved', value: formatInt(s.resolved) },
          { label: 'Open at month end', value: formatInt(s.open_at_month_end) },
          { label: 'Hours spent (resolved tickets)', value: formatHours(s.hours_spent) },
          { label: 'Median time to resolve', value: formatHours(s.median_hours_to_resolve), ...(s.median_hours_to_resolve === null ? { hint: 'No ticket resolved this month' } : {}) },
        ],
      },
      { kind: 'table', table: table('Tickets opened by category', ['Category', num('Opened')], s.by_category.map((c) => [humanize(c.category), formatInt(c.opened)])) },
      {
        kind: 'table',
        table: table(
          'Tickets opened or resolved this month',
          ['Ticket', 'Subject', 'Category', 'Priority', 'Status', 'Opened', 'Resolved', num('Hours to resolve'), num('Hours spent')],
          s.tickets.map((k) => [k.ticket_number, orDash(k.subject), humanize(k.category), humanize(k.priority), humanize(k.status), k.request_date, orDash(k.resolved_at), formatHours(k.hours_to_resolve), formatHours(k.hours_spent)]),
        ),
      },
    ],
  };
}

export function training(r: MonthlyReport): SectionView {
  const t = r.training;
  return {
    id: 'training',
    title: 'Training',
    blocks: [
      {
        kind: 'figures',
        items: [
          { label: 'Sessions planned', value: formatInt(t.sessions_planned) },
          { label: 'Completed to date', value: formatInt(t.sessions_completed_to_date) },
          { label: 'Attendance rate', value: formatPercent(t.attendance_rate), ...(t.attendance_rate === null ? { hint: 'No session completed this month' } : {}) },
        ],
      },
      {
        kind: 'table',
        table: table(
          'Sessions this month',
          [num('No.'), 'Title', 'Date', 'Status', num('Invited'), num('Attended')],
          t.sessions.map((s) => [s.session_number === null ? DASH : String(s.session_number), orDash(s.title), orDash(s.scheduled_date), humanize(s.status), formatInt(s.invited), formatInt(s.attended)]),
        ),
      },
      { kind: 'table', table: table('Attendance per person', ['Person', num('Invited'), num('Attended')], t.people.map((p) => [p.name, formatInt(p.invited), formatInt(p.attended)])) },
    ],
  };
}

export function work(r: MonthlyReport): SectionView {
  const w = r.work;
  return {
    id: 'work',
    title: 'Work delivered',
    blocks: [
      {
        kind: 'figures',
        items: [
          { label: 'Hours this month', value: formatHours(w.hours) },
          { label: 'Hours to date', value: formatHours(w.actual_hours_to_date) },
          { label: 'Estimated hours', value: formatHours(w.estimated_hours), ...(w.estimated_hours === null ? { hint: 'No estimate recorded' } : {}) },
        ],
      },
      {
        kind: 'charts',
        charts: [
          {
            kind: 'bars',
            id: 'chart-work',
            title: 'Hours by category this month',
            desc: describe('Hours by category', w.by_category.map((c) => [humanize(c.category), formatHours(c.hours)])),
            color: PALETTE.cost,
            data: w.by_category.map((c) => ({ label: humanize(c.category), value: toNumber(c.hours), display: formatHours(c.hours) })),
          },
        ],
        table: table('Hours by category', ['Category', num('Hours')], w.by_category.map((c) => [humanize(c.category), formatHours(c.hours)])),
      },
    ],
  };
}
