/**
 * The monthly report's rules: the month arithmetic every figure shares, and the same rules
 * written out in plain sentences (MonthlyReport.rules) so a reader can check the figures.
 * A month is `YYYY-MM`; its days run from `YYYY-MM-01` to its last calendar day. Timestamps
 * are placed in months by UTC boundaries, so a report reads the same in every time zone.
 */
import { localDate, type Ctx } from '../context.ts';
import { invalid } from '../errors.ts';
import type { ReportRules } from './types.ts';

export type Month = string;

const MONTH_RE = /^(\d{4})-(0[1-9]|1[0-2])$/;
export const FIRST_MONTH = '2000-01';
/** The trend shows this many months at most, ending with the report's month. */
export const TREND_MONTHS = 6;

/** The report month from input: `YYYY-MM`, from 2000-01, and not after the current month (ctx.now in ctx.timeZone). */
export function parseReportMonth(ctx: Ctx, raw: unknown, field = 'month'): Month {
  if (typeof raw !== 'string' || !MONTH_RE.test(raw) || raw < FIRST_MONTH) {
    throw invalid([{ field, message: `must be a month written YYYY-MM, from ${FIRST_MONTH}` }]);
  }
  const current = currentMonth(ctx);
  if (raw > current) throw invalid([{ field, message: `is after the current month (${current}): a report covers a month that has begun` }]);
  return raw;
}

export const currentMonth = (ctx: Ctx): Month => localDate(ctx).slice(0, 7);

const parts = (m: Month): [number, number] => [Number(m.slice(0, 4)), Number(m.slice(5, 7))];
const fmt = (y: number, mo: number): Month => `${String(y).padStart(4, '0')}-${String(mo).padStart(2, '0')}`;

export function addMonths(m: Month, n: number): Month {
  const [y, mo] = parts(m);
  const i = y * 12 + (mo - 1) + n;
  return fmt(Math.floor(i / 12), (i % 12) + 1);
}

export const daysIn = (m: Month): number => {
  const [y, mo] = parts(m);
  return new Date(Date.UTC(y, mo, 0)).getUTCDate();
};

export const monthStart = (m: Month): string => `${m}-01`;
export const monthEnd = (m: Month): string => `${m}-${String(daysIn(m)).padStart(2, '0')}`;
/** The first instant of the month in UTC, as an ISO timestamp. */
export const startInstant = (m: Month): string => `${m}-01T00:00:00.000Z`;
/** The first instant after the month (UTC): timestamps in the month are before it. */
export const endInstant = (m: Month): string => startInstant(addMonths(m, 1));

export const monthOfDay = (day: string): Month => day.slice(0, 7);
/** The UTC month of an instant given in epoch milliseconds. */
export const monthOfMs = (ms: number): Month => new Date(ms).toISOString().slice(0, 7);

/** Every month from `from` through `to`, oldest first (empty when from is after to). */
export function monthsBetween(from: Month, to: Month): Month[] {
  const out: Month[] = [];
  for (let m = from; m <= to; m = addMonths(m, 1)) out.push(m);
  return out;
}

const weekdayCache = new Map<Month, number>();
/** Monday to Friday in the month: the occurrences of a daily task with nothing stated or measured. */
export function weekdaysIn(m: Month): number {
  const hit = weekdayCache.get(m);
  if (hit !== undefined) return hit;
  const [y, mo] = parts(m);
  let n = 0;
  for (let d = 1; d <= daysIn(m); d++) {
    const wd = new Date(Date.UTC(y, mo - 1, d)).getUTCDay();
    if (wd !== 0 && wd !== 6) n++;
  }
  weekdayCache.set(m, n);
  return n;
}

/**
 * The months a report spans: cumulative figures from the engagement's start month (never after
 * the report month, so an engagement reported before it starts still has its month) and the
 * trend, up to six months ending with the report month.
 */
export function reportMonths(startMonth: Month, month: Month): { cumulative: Month[]; trend: Month[] } {
  const from = startMonth < month ? startMonth : month;
  const cumulative = monthsBetween(from, month);
  return { cumulative, trend: cumulative.slice(-TREND_MONTHS) };
}

// ---------------------------------------------------------------------------
// The rules as sentences

export type RateSource = ReportRules['hourly_rate_source'];

export type RuleFacts = {
  month: Month;
  startMonth: Month;
  currency: string;
  hourlyRate: string | null;
  rateSource: RateSource;
};

const RATE_FROM: Record<RateSource, string> = {
  input: 'the hourly rate given for this report',
  engagement: "the engagement's hourly_rate_value",
  setting: 'the default_hourly_rate setting (the engagement sets none)',
  none: 'nowhere',
};

export function reportRules(f: RuleFacts): Required<ReportRules> {
  const wd = weekdaysIn(f.month);
  const weekly = `${wd} ÷ 5 = ${(wd / 5).toFixed(1)}`;
  const firstly = 'the sum of the occurrences counted by its measurements dated in the month, when any give one; else its stated occurrences_per_month; else';
  return {
    hourly_rate: f.hourlyRate,
    hourly_rate_source: f.rateSource,
    occurrences: {
      daily: `A daily task happens ${firstly} once every weekday (Monday to Friday): ${wd} in ${f.month}.`,
      weekly: `A weekly task happens ${firstly} the month's weekdays ÷ 5: ${weekly} in ${f.month}.`,
      monthly: `A monthly task happens ${firstly} once.`,
      per_project: `A per-project task happens ${firstly} not at all: state its occurrences_per_month to count it.`,
      ad_hoc: `An ad hoc task happens ${firstly} not at all: state its occurrences_per_month to count it.`,
    },
    time_after_ai:
      "A task's time after AI for a month is its latest measurement (task_measurements) dated on or before the month's last day, not the task's current time_after_ai; " +
      'a task with no measurement by then saves nothing that month. Minutes saved each time = time_before_ai − that time: negative when the task got slower (never clamped), ' +
      'nothing when time_before_ai is not recorded. Tasks marked abandoned, archived tasks and archived measurements are left out. Occurrences are kept exact to 0.01.',
    value:
      'Hours saved by a task = minutes saved each time × occurrences ÷ 60; a person\'s and the month\'s hours add the exact figures and are rounded half up to 0.01 h only at the end, ' +
      'so rounded task lines may differ from a total by 0.01. ' +
      (f.hourlyRate === null
        ? 'No hourly rate is set, so no value is shown.'
        : `Value = exact hours saved × ${f.hourlyRate} ${f.currency} an hour (from ${RATE_FROM[f.rateSource]}), rounded half up to the cent; every month of the trend and the cumulative figures uses this rate.`),
    cost:
      `The cost of a month, in ${f.currency}: fees = invoices of the engagement issued in the month (issue_date), sent or paid, of type setup, monthly or one_time ` +
      '(tool_cost invoices bill the tool stack, which is counted below, so they are not counted again); licences = the monthly_cost of active AI licences of the engagement ' +
      'assigned on or before the month\'s end or with no assigned date (no monthly_cost counts 0); tools = the monthly_cost of active tools of the engagement created on or before ' +
      `the month's end. Archived records are left out. A cost in another currency is converted with the exchange_rates setting (what one unit is worth in USD; USD is 1 unless set): ` +
      `amount × rate of its currency ÷ rate of ${f.currency}, rounded half up to the cent, line by line; a cost in a currency without a rate is listed apart and not added. Total = fees + licences + tools.`,
    roi: 'ROI % = (value − cost) ÷ cost × 100, rounded half up to 1 decimal; none when the month has no cost or no value. Net = value − cost.',
    payback:
      `Cumulative value and cost add the figures of every month from the engagement's start month (${f.startMonth}: its start_date, else the month it was created) through ${f.month}. ` +
      'Paid back in = the first of those months whose cumulative value reached its cumulative cost (once there is some cost). ' +
      "Payback months = cumulative cost ÷ this month's value, rounded half up to 1 decimal: the months of savings at this month's rate that cover everything paid so far; none when this month's value is not above zero.",
    usage:
      'Tokens per person come from the monthly usage rollup (ai_usage_monthly) for the month; usage attributed to no one is shown as "Not attributed". ' +
      'Records = the usage records rolled up. People are listed by tokens, highest first.',
    support:
      "Opened = the engagement's tickets requested in the month; resolved = resolved in the month (resolved_at); open at month end = requested on or before the month's end and not resolved by then. " +
      'Hours spent = hours_spent of the tickets resolved in the month. Hours to resolve = resolved_at − request_date in hours, to 0.01; the median is over the tickets resolved in the month ' +
      '(the mean of the middle two when their number is even). By category counts the tickets opened. Archived tickets are left out.',
    training:
      "Sessions planned = the engagement's sessions that are not cancelled; completed to date = sessions completed on or before the month's end (completed_date, else scheduled_date). " +
      "The month's sessions are those scheduled or completed in it. Invited = attendance rows; attended = rows marked attended. " +
      "Attendance rate = attended ÷ invited over the sessions completed in the month, percent rounded half up to 1 decimal; people are counted over the same sessions.",
    work:
      "Work = hours logged against the engagement (work_completed) with work_date in the month, by category; actual hours to date add every entry dated on or before the month's end. " +
      'Estimated hours are the engagement\'s estimate.',
    periods:
      'Months are calendar months. Dates (start_date, issue_date, work_date, measured_on) are compared as calendar dates; timestamps (request_date, resolved_at, scheduled_date, ' +
      'completed_date, created_at, assigned_at) are placed in months by UTC boundaries. ' +
      `The trend shows up to ${TREND_MONTHS} months ending with ${f.month}, none before the start month ${f.startMonth}, each computed with these same rules.`,
  };
}
