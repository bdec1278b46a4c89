/**
 * The monthly ROI report as printed sections. Every figure of the data appears in a table
 * (charts only repeat them), and every rule and note is printed, so a client can redo the
 * arithmetic from the page alone. The money sections live here, the activity sections in
 * monthly-activity-view.ts.
 */
import { PALETTE } from './charts.ts';
import { support, timeSaved, training, usage, work } from './monthly-activity-view.ts';
import { DASH, formatDecimal, formatHours, formatInt, formatMoney, formatMonth, formatPercent, formatTimestamp, humanize, shortMonth, toNumber } from './report-format.ts';
import { describe, num, table, type Block, type ChartView, type Fact, type ReportView, type SectionView } from './report-view.ts';
import type { MonthlyReport, ReportRules } from './types.ts';

const RATE_SOURCE: Record<ReportRules['hourly_rate_source'], string> = {
  input: 'given for this report',
  engagement: 'from the engagement',
  setting: 'from the default setting',
  none: 'none set',
};

const FREQUENCIES = ['daily', 'weekly', 'monthly', 'per_project', 'ad_hoc'] as const;

/** Rules a report may carry beyond the required ones; printed whenever present. */
export const OPTIONAL_RULES = [
  ['support', 'Support'],
  ['training', 'Training'],
  ['work', 'Work'],
  ['periods', 'Periods'],
] as const satisfies readonly (readonly [keyof ReportRules, string])[];

export function hourlyRateText(r: MonthlyReport): string {
  const { hourly_rate, hourly_rate_source } = r.rules;
  return hourly_rate === null ? `None (${RATE_SOURCE[hourly_rate_source]})` : `${formatMoney(hourly_rate, r.engagement.currency)} per hour, ${RATE_SOURCE[hourly_rate_source]}`;
}

export function engagementLabel(r: MonthlyReport): string {
  return r.engagement.name ?? r.engagement.package ?? 'Engagement';
}

export function monthlyView(r: MonthlyReport): ReportView {
  const e = r.engagement;
  const title = `Monthly ROI report: ${e.company_name}, ${formatMonth(r.month)}`;
  return {
    title,
    heading: title,
    facts: [
      { label: 'Company', value: e.company_name },
      { label: 'Engagement', value: [engagementLabel(r), e.package && e.name ? e.package : null, humanize(e.status)].filter(Boolean).join(' · ') },
      { label: 'Month', value: formatMonth(r.month) },
      { label: 'Period', value: `${r.period.from} to ${r.period.to}` },
      { label: 'Currency', value: e.currency },
      { label: 'Hourly rate', value: hourlyRateText(r) },
      { label: 'Generated at', value: formatTimestamp(r.generated_at) },
    ],
    sections: [headline(r), valueVsCost(r), usage(r), timeSaved(r), support(r), training(r), work(r), trend(r), rules(r), notes(r.notes)],
  };
}

function headline(r: MonthlyReport): SectionView {
  const cur = r.roi.currency;
  const noRate = r.rules.hourly_rate === null;
  const items: Fact[] = [
    { label: 'Hours saved', value: formatHours(r.time_saved.hours_saved) },
    { label: 'Value', value: formatMoney(r.roi.value, cur), ...(r.roi.value === null ? { hint: noRate ? 'No hourly rate: see notes' : 'See notes' } : {}) },
    { label: 'Cost', value: formatMoney(r.roi.cost.total, cur), ...(r.roi.unconverted.length ? { hint: `${r.roi.unconverted.length} cost${r.roi.unconverted.length === 1 ? '' : 's'} with no exchange rate, not added` } : {}) },
    { label: 'ROI', value: formatPercent(r.roi.roi_percent), ...(r.roi.roi_percent === null ? { hint: 'Needs both a value and a cost' } : {}) },
    { label: 'Payback', value: r.roi.payback_months === null ? DASH : `${formatDecimal(r.roi.payback_months)} months`, hint: paidBack(r) },
  ];
  return { id: 'headline', title: 'Headline figures', blocks: [{ kind: 'figures', items }] };
}

function paidBack(r: MonthlyReport): string {
  if (r.roi.paid_back_month) return `Paid back in ${formatMonth(r.roi.paid_back_month)}`;
  return r.roi.cumulative_value === null ? 'Not computed without a value' : 'Not yet paid back';
}

function valueVsCost(r: MonthlyReport): SectionView {
  const { roi } = r;
  const cur = roi.currency;
  const blocks: Block[] = [
    {
      kind: 'figures',
      items: [
        { label: 'Value', value: formatMoney(roi.value, cur) },
        { label: 'Cost', value: formatMoney(roi.cost.total, cur) },
        { label: 'Net', value: formatMoney(roi.net, cur) },
        { label: 'ROI', value: formatPercent(roi.roi_percent) },
        { label: 'Cumulative value', value: formatMoney(roi.cumulative_value, cur) },
        { label: 'Cumulative cost', value: formatMoney(roi.cumulative_cost, cur) },
        { label: 'Payback', value: roi.payback_months === null ? DASH : `${formatDecimal(roi.payback_months)} months` },
        { label: 'Paid back in', value: roi.paid_back_month ? formatMonth(roi.paid_back_month) : DASH },
      ],
    },
    {
      kind: 'charts',
      charts: [
        {
          kind: 'bars',
          id: 'chart-value-cost',
          title: `Value and cost, ${formatMonth(r.month)} (${cur})`,
          desc: describe('Value and cost', [['value', formatMoney(roi.value, cur)], ['cost', formatMoney(roi.cost.total, cur)]]),
          color: PALETTE.value,
          data: [
            { label: 'Value', value: toNumber(roi.value), display: formatMoney(roi.value, cur) },
            { label: 'Cost', value: toNumber(roi.cost.total), display: formatMoney(roi.cost.total, cur), color: PALETTE.cost },
          ],
        },
      ],
      table: table(`Cost by source (${cur})`, ['Source', num('Amount')], [
        ['Fees', formatMoney(roi.cost.fees, cur)],
        ['Licences', formatMoney(roi.cost.licences, cur)],
        ['Tools', formatMoney(roi.cost.tools, cur)],
        ['Total', formatMoney(roi.cost.total, cur)],
      ]),
    },
    {
      kind: 'table',
      table: table(
        'Cost lines',
        ['Source', 'Item', num('Amount'), num(`In ${cur}`)],
        roi.cost.lines.map((l) => [humanize(l.source), l.label, formatMoney(l.amount, l.currency), formatMoney(l.converted, cur)]),
      ),
    },
  ];
  if (roi.unconverted.length > 0) {
    blocks.push({
      kind: 'table',
      table: table(
        'Costs with no exchange rate (shown, not added)',
        ['Source', 'Item', num('Amount')],
        roi.unconverted.map((l) => [humanize(l.source), l.label, formatMoney(l.amount, l.currency)]),
      ),
    });
  }
  return { id: 'value-vs-cost', title: 'Value and cost', blocks };
}


function trend(r: MonthlyReport): SectionView {
  const cur = r.roi.currency;
  const months = r.trend.map((p) => shortMonth(p.month));
  const hours = r.trend.map((p) => toNumber(p.hours_saved));
  const values = r.trend.map((p) => toNumber(p.value));
  const pairs = (f: (i: number) => string): [string, string][] => r.trend.map((p, i) => [shortMonth(p.month), f(i)]);
  // With no hourly rate there is no value line to draw; the table shows the dashes.
  const valueLine: ChartView[] = values.every((v) => v === null)
    ? []
    : [
        {
          kind: 'lines',
          id: 'chart-trend-value',
          title: `Value per month (${cur})`,
          desc: describe('Value per month', pairs((i) => formatMoney(r.trend[i]!.value, cur))),
          series: [{ name: 'Value', color: PALETTE.value, points: r.trend.map((p, i) => ({ x: months[i]!, y: values[i] ?? null, display: formatMoney(p.value, cur) })) }],
        },
      ];
  return {
    id: 'trend',
    title: 'Trend',
    blocks: [
      {
        kind: 'charts',
        charts: [
          {
            kind: 'lines',
            id: 'chart-trend-hours',
            title: 'Hours saved per month',
            desc: describe('Hours saved per month', pairs((i) => formatHours(r.trend[i]!.hours_saved))),
            series: [{ name: 'Hours saved', color: PALETTE.hours, points: r.trend.map((p, i) => ({ x: months[i]!, y: hours[i] ?? null, display: formatHours(p.hours_saved) })) }],
          },
          ...valueLine,
          {
            kind: 'columns',
            id: 'chart-trend-cost-value',
            title: `Cost and value per month (${cur})`,
            desc: describe('Cost and value per month', pairs((i) => `cost ${formatMoney(r.trend[i]!.cost, cur)}, value ${formatMoney(r.trend[i]!.value, cur)}`)),
            categories: months,
            series: [
              { name: 'Cost', color: PALETTE.cost, values: r.trend.map((p) => toNumber(p.cost)), displays: r.trend.map((p) => formatMoney(p.cost, cur)) },
              { name: 'Value', color: PALETTE.value, values, displays: r.trend.map((p) => formatMoney(p.value, cur)) },
            ],
          },
        ],
        table: table(
          'Month by month',
          ['Month', num('Tokens'), num('Hours saved'), num('Value'), num('Cost'), num('ROI'), num('Tickets opened'), num('Tickets resolved'), num('Attendance')],
          r.trend.map((p) => [shortMonth(p.month), formatInt(p.tokens), formatHours(p.hours_saved), formatMoney(p.value, cur), formatMoney(p.cost, cur), formatPercent(p.roi_percent), formatInt(p.tickets_opened), formatInt(p.tickets_resolved), formatPercent(p.attendance_rate)]),
          'No earlier months.',
        ),
      },
    ],
  };
}

/** Rules in the order a reader needs them: rate, counting, measuring, then the money. */
export function ruleFacts(r: MonthlyReport): Fact[] {
  const rules = r.rules;
  return [
    { label: 'Hourly rate', value: hourlyRateText(r) },
    ...FREQUENCIES.map((f) => ({ label: `Occurrences, ${humanize(f)}`, value: rules.occurrences[f] })),
    { label: 'Time after AI', value: rules.time_after_ai },
    { label: 'Value', value: rules.value },
    { label: 'Cost', value: rules.cost },
    { label: 'ROI', value: rules.roi },
    { label: 'Payback', value: rules.payback },
    { label: 'Usage', value: rules.usage },
    ...OPTIONAL_RULES.flatMap(([key, label]) => (rules[key] ? [{ label, value: rules[key] }] : [])),
  ];
}

function rules(r: MonthlyReport): SectionView {
  return { id: 'rules', title: 'How the figures were worked out', blocks: [{ kind: 'facts', items: ruleFacts(r) }] };
}

export function notes(items: string[]): SectionView {
  return { id: 'notes', title: 'Notes', blocks: [{ kind: 'list', items, empty: 'No notes this month.' }] };
}
