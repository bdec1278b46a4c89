/**
 * The monthly ROI report of one engagement (seed 000 step 22) with its month-over-month trend
 * (step 23), as data. Two statements: the engagement (with the caller's visibility), then every
 * source for all the months the report needs in one statement (each part on an index that starts
 * with engagement_id), bucketed by month here. The rules are in rules.ts and are repeated in the
 * report itself.
 */
import { z } from 'zod';
import { localDate, type Ctx } from '../context.ts';
import { notFound, parseInput } from '../errors.ts';
import { readSettings, type Settings } from '../platform/settings.ts';
import { converter, costSources, rateOf, readCosts } from './monthly/costs.ts';
import { readSources } from './monthly/db.ts';
import { loadEngagement, type EngagementRow } from './monthly/engagement.ts';
import { hoursOf, money, ratio1 } from './monthly/exact.ts';
import { chooseRate, cumulative, monthFigures, type MonthFigure, type RateChoice } from './monthly/figures.ts';
import { computeSavings, readTasks, taskSources, timeSavedSection, type TaskRow } from './monthly/savings.ts';
import { readTickets, supportSection, ticketCounts, ticketSource } from './monthly/support.ts';
import { attendanceRate, readSessions, sessionSource, trainingSection } from './monthly/training.ts';
import { readUsage, tokensIn, usageSection, usageSource } from './monthly/usage.ts';
import { readWork, workSource } from './monthly/work.ts';
import { currentMonth, monthEnd, monthStart, parseReportMonth, reportMonths, reportRules, type Month } from './rules.ts';
import type { MonthlyReport, TrendPoint } from './types.ts';

const MONEY_RE = /^\d{1,10}(\.\d{1,2})?$/;

export const MonthlyReportInput = z.strictObject({
  engagement_id: z.string().describe('The engagement the report is about'),
  month: z.string().describe('The month reported, YYYY-MM: from 2000-01 up to the current month'),
  hourly_rate: z
    .string()
    .regex(MONEY_RE, 'must be an amount such as 85 or 85.50')
    .optional()
    .describe("The value of one hour saved, in the engagement's currency; default: the engagement's hourly_rate_value, else the default_hourly_rate setting"),
});
export type MonthlyReportInput = z.infer<typeof MonthlyReportInput>;

export async function buildMonthlyReport(ctx: Ctx, input: MonthlyReportInput): Promise<MonthlyReport> {
  const parsed = parseInput(MonthlyReportInput, input);
  const month = parseReportMonth(ctx, parsed.month);
  const [engagement, settings] = await Promise.all([loadEngagement(ctx, parsed.engagement_id), readSettings(ctx)]);
  if (!engagement) throw notFound('engagement', parsed.engagement_id);

  const months = reportMonths(engagement.start_month, month);
  const from = months.cumulative[0]!;
  const trendFrom = months.trend[0]!;
  const ids = [engagement.id];
  const task = taskSources(ids, from, month);
  const cost = costSources(ids, from, month);
  const rows = await readSources(ctx, {
    tasks: task.tasks,
    measurements: task.measurements,
    usage: usageSource(ids, trendFrom, month),
    tickets: ticketSource(ids, trendFrom, month),
    sessions: sessionSource(ids),
    fees: cost.fees,
    licences: cost.licences,
    tools: cost.tools,
    work: workSource(engagement.id, month),
  });
  const tasks = readTasks(rows);
  const usage = readUsage(rows.usage);
  const tickets = readTickets(rows.tickets);
  const sessions = readSessions(rows.sessions);
  const costs = readCosts(rows);

  const rate = chooseRate(parsed.hourly_rate, engagement.hourly_rate_value, settings.default_hourly_rate);
  const convert = converter(settings.exchange_rates, engagement.currency);
  const savings = computeSavings(tasks, months.cumulative);
  const figures = monthFigures(months.cumulative, savings.totals, costs, convert, rate.cents);
  const current = figures[figures.length - 1]!;
  const cum = cumulative(figures);

  const trend: TrendPoint[] = figures.slice(-months.trend.length).map((f) => {
    const t = ticketCounts(tickets, f.month);
    return {
      month: f.month,
      tokens: tokensIn(usage, f.month),
      hours_saved: hoursOf(f.s),
      value: f.value === null ? null : money(f.value),
      cost: money(f.cost.total),
      roi_percent: f.roi_percent,
      tickets_opened: t.opened,
      tickets_resolved: t.resolved,
      attendance_rate: attendanceRate(sessions, f.month),
    };
  });

  const { hourly_rate_value: _r, estimated_hours: _e, start_month: _s, ...reported } = engagement;
  return {
    kind: 'monthly_report',
    engagement: reported,
    month,
    period: { from: monthStart(month), to: monthEnd(month) },
    generated_at: ctx.now().toISOString(),
    rules: reportRules({ month, startMonth: engagement.start_month, currency: engagement.currency, hourlyRate: rate.rate, rateSource: rate.source }),
    usage: usageSection(usage, month),
    time_saved: timeSavedSection(tasks, savings.last, current.s, rate.cents),
    support: supportSection(tickets, month),
    training: trainingSection(sessions, month),
    work: readWork(rows.work, engagement.estimated_hours),
    roi: {
      currency: engagement.currency,
      value: current.value === null ? null : money(current.value),
      cost: {
        fees: money(current.cost.fees),
        licences: money(current.cost.licences),
        tools: money(current.cost.tools),
        total: money(current.cost.total),
        lines: current.cost.lines,
      },
      unconverted: current.cost.unconverted,
      net: current.value === null ? null : money(current.value - current.cost.total),
      roi_percent: current.roi_percent,
      cumulative_value: cum.value === null ? null : money(cum.value),
      cumulative_cost: money(cum.cost),
      payback_months: ratio1(cum.cost, current.value),
      paid_back_month: cum.paid_back_month,
    },
    trend,
    notes: reportNotes(ctx, { month, rates: settings.exchange_rates, engagement, rate, figures, tasks, last: savings.last }),
  };
}

type NoteFacts = {
  month: Month;
  rates: Settings['exchange_rates'];
  engagement: EngagementRow;
  rate: RateChoice;
  figures: MonthFigure[];
  tasks: TaskRow[];
  last: ReturnType<typeof computeSavings>['last'];
};

/** What a reader should know to trust (or complete) the figures. */
function reportNotes(ctx: Ctx, f: NoteFacts): string[] {
  const notes: string[] = [];
  if (f.month === currentMonth(ctx)) {
    notes.push(`${f.month} is not over: figures run to ${localDate(ctx)}, while occurrences taken from a task's frequency count the whole month.`);
  }
  if (f.engagement.start_month > f.month) notes.push(`The engagement starts in ${f.engagement.start_month}, after ${f.month}.`);
  if (f.rate.source === 'none') {
    notes.push(
      "No hourly rate is set, so the hours saved are not valued: give hourly_rate for this report, set the engagement's hourly_rate_value, or set default_hourly_rate in settings.",
    );
  }
  const unconverted = new Set<string>();
  for (const m of f.figures) for (const l of m.cost.unconverted) unconverted.add(l.currency);
  if (unconverted.size) {
    const missing = [...unconverted, f.engagement.currency].filter((c, i, all) => all.indexOf(c) === i && rateOf(f.rates, c) === null);
    notes.push(
      `Costs in ${[...unconverted].sort().join(', ')} are not converted into ${f.engagement.currency} and not added (this month's are listed apart): ` +
        `set exchange_rates for ${missing.sort().join(' and ')} in settings.`,
    );
  }
  let unmeasured = 0;
  let uncounted = 0;
  for (const t of f.tasks) {
    const tm = f.last.get(t.id);
    if (!tm) continue;
    if (tm.minutes_after === null) unmeasured++;
    else if (tm.source === 'none') uncounted++;
  }
  if (unmeasured) notes.push(`${unmeasured} task${unmeasured === 1 ? ' has' : 's have'} no measurement on or before ${monthEnd(f.month)} and count${unmeasured === 1 ? 's' : ''} no time saved yet.`);
  if (uncounted) notes.push(`${uncounted} per-project or ad hoc task${uncounted === 1 ? ' states' : 's state'} no occurrences_per_month and count${uncounted === 1 ? 's' : ''} no occurrences.`);
  return notes;
}
