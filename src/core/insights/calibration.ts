/**
 * Feedback into assessment (seed 000 step 24): what each go decision estimated beside what
 * delivery showed, so the next go/no-go scorecard can be scaled.
 *
 * Definitions:
 * - decisions: go_no_go_decisions with decision 'go' whose day (decision_date, else the day of
 *   created_at in ctx.timeZone) is in the period, visible to the caller, not archived; newest
 *   first; at most 200 (`truncated`). summary.go_decisions counts them all.
 * - engagement: of the engagements (not archived, visible) whose proposal_id is a proposal with
 *   go_no_go_id = the decision, the earliest created.
 * - actual_hours_per_week = Σ work_completed.hours of the engagement (not archived) ÷ weeks, weeks =
 *   (days from start (start_date, else the day of created_at) to min(end_date, today) + 1) ÷ 7.
 *   Null under one week: a few days say nothing about a weekly rate (and an engagement that has
 *   not started has no weeks at all).
 * - actual_hours_saved_per_month: the mean, over the complete calendar months from the month of
 *   go_live_date (else start_date, else created_at) to the month before the current one, of the
 *   hours saved in each month exactly as the monthly report computes them (reports/monthly/
 *   savings.ts); null when there is no such month.
 * - invoiced_value: Σ amount of the engagement's invoices not draft or cancelled (not archived,
 *   visible) in the decision's currency.
 * - ratios = actual ÷ estimated, when both exist and the estimate is above 0. Each ratio is
 *   worked out from the exact actual (not the rounded one shown beside it), with bigint
 *   arithmetic, rounded half up once to 2 places.
 * - summary (over the decisions listed): per ratio, how many decisions have it, and the mean and
 *   median of the ratios as shown (2 places; a median of an even count is the mean of the two
 *   middle ones), rounded half up.
 * - advice: one sentence per ratio whose median rests on at least 2 decisions.
 */
import { sql } from 'drizzle-orm';
import { localDate, queryRows, type Ctx } from '../context.ts';
import { daysBetween } from '../dates.ts';
import { visibilityScope } from '../platform/visibility.ts';
import { byEngagement, readSources } from '../reports/monthly/db.ts';
import { divRound, fromUnits, toUnits } from '../reports/monthly/exact.ts';
import { computeSavings, readTasks, taskSources, type TaskRow } from '../reports/monthly/savings.ts';
import { addMonths, monthsBetween } from '../reports/rules.ts';
import { dayOf, resolvePeriod, seen, type InsightTable } from './common.ts';
import type { CalibrationInput, CalibrationInsight, CalibrationLine } from './types.ts';

export const CALIBRATION_LIMIT = 200;

type DecisionRow = {
  id: string;
  decision_date: string | null;
  company_id: string;
  company_name: string | null;
  estimated_hours_per_week: string | null;
  estimated_roi_hours_per_month: string | null;
  estimated_value: string | null;
  currency: string;
  engagement_id: string | null;
  engagement_name: string | null;
  start_day: string | null;
  end_date: string | null;
  saving_from: string | null;
  worked: string | null;
  invoiced: string | null;
};

const hundredths = (s: string) => toUnits(s, 2);
const show = (v: bigint) => fromUnits(v, 2);

export async function calibrationInsight(ctx: Ctx, input: CalibrationInput): Promise<CalibrationInsight> {
  const period = resolvePeriod(ctx, input);
  const scope = await visibilityScope(ctx);
  const today = localDate(ctx);
  const decisionDay = sql`coalesce(d.decision_date, ${dayOf(ctx, 'd.created_at')})`;
  const goDecisions = sql`with d as (
      select d.*, ${decisionDay} as day from go_no_go_decisions d
      where d.decision = 'go' and d.archived_at is null
        and ${decisionDay} between ${period.from}::date and ${period.to}::date and ${seen('go_no_go_decisions', scope, 'd')})`;

  const [count] = await queryRows<{ n: number }>(ctx, sql`${goDecisions} select count(*)::int as n from d`);
  const rows = await queryRows<DecisionRow>(
    ctx,
    sql`${goDecisions}
      select d.id, d.decision_date::text as decision_date, d.company_id, c.name as company_name,
        d.estimated_hours_per_week::text as estimated_hours_per_week, d.estimated_roi_hours_per_month::text as estimated_roi_hours_per_month,
        d.estimated_value::text as estimated_value, d.currency,
        e.id as engagement_id, e.name as engagement_name, e.start_day::text as start_day, e.end_date::text as end_date,
        to_char(coalesce(e.go_live_date, e.start_day), 'YYYY-MM') as saving_from,
        w.hours::text as worked, i.amount::text as invoiced
      from d
      left join companies c on c.id = d.company_id and ${seen('companies', scope, 'c')}
      left join lateral (
        select e.id, e.name, e.end_date, e.go_live_date, coalesce(e.start_date, ${dayOf(ctx, 'e.created_at')}) as start_day
        from engagements e
        where e.proposal_id in (select p.id from proposals p where p.go_no_go_id = d.id)
          and e.archived_at is null and ${seen('engagements', scope, 'e')}
        order by e.created_at, e.id
        limit 1) e on true
      left join lateral (
        select coalesce(sum(w.hours), 0) as hours from work_completed w where w.engagement_id = e.id and w.archived_at is null) w on e.id is not null
      left join lateral (
        select coalesce(sum(i.amount), 0) as amount from invoices i
        where i.engagement_id = e.id and i.currency = d.currency and i.status not in ('draft', 'cancelled')
          and i.archived_at is null and ${seen('invoices', scope, 'i')}) i on e.id is not null
      order by d.day desc, d.created_at desc, d.id desc
      limit ${CALIBRATION_LIMIT}`,
  );

  const saved = await savedPerMonth(ctx, rows, today.slice(0, 7));
  const decisions = rows.map((r) => line(r, today, saved.get(r.id) ?? null));
  const summary = {
    go_decisions: count?.n ?? 0,
    with_engagement: decisions.filter((d) => d.engagement_id !== null).length,
    hours: ratioSummary(decisions.map((d) => d.hours_ratio)),
    saved: ratioSummary(decisions.map((d) => d.saved_ratio)),
    value: ratioSummary(decisions.map((d) => d.value_ratio)),
  };
  return { period, decisions, truncated: summary.go_decisions > decisions.length, summary, advice: advice(summary) };
}

// ---------------------------------------------------------------------------
// Hours saved since go-live

/** Σ saving (minute-hundredths) and the number of months, per decision with an engagement and at least one complete month. */
type Saved = { s: bigint; months: number };

async function savedPerMonth(ctx: Ctx, rows: DecisionRow[], currentMonth: string): Promise<Map<string, Saved>> {
  const lastMonth = addMonths(currentMonth, -1);
  const wanted = rows.filter((r): r is DecisionRow & { engagement_id: string; saving_from: string } => r.engagement_id !== null && r.saving_from !== null && r.saving_from <= lastMonth);
  const out = new Map<string, Saved>();
  if (!wanted.length) return out;
  const ids = [...new Set(wanted.map((r) => r.engagement_id))];
  const first = wanted.map((r) => r.saving_from).sort()[0]!;
  // One read for every engagement from the earliest month: each task's series still holds the
  // measurement in force when its own engagement's first month begins.
  const src = taskSources(ids, first, lastMonth, { names: false });
  const tasksOf = byEngagement<TaskRow>(readTasks(await readSources(ctx, { tasks: src.tasks, measurements: src.measurements })));
  for (const r of wanted) {
    const months = monthsBetween(r.saving_from, lastMonth);
    const { totals } = computeSavings(tasksOf.get(r.engagement_id) ?? [], months);
    out.set(r.id, { s: totals.reduce((a, b) => a + b, 0n), months: months.length });
  }
  return out;
}

// ---------------------------------------------------------------------------
// One decision

function line(r: DecisionRow, today: string, saved: Saved | null): CalibrationLine {
  const hasEngagement = r.engagement_id !== null;
  const estHours = positive(r.estimated_hours_per_week);
  const estSaved = positive(r.estimated_roi_hours_per_month);
  const estValue = positive(r.estimated_value);

  // Days the engagement has run, both ends included: to its end, or to today while it runs.
  const end = r.end_date !== null && r.end_date < today ? r.end_date : today;
  const days = hasEngagement && r.start_day !== null ? daysBetween(r.start_day, end) + 1 : 0;
  const worked = r.worked === null ? 0n : hundredths(r.worked);
  const weekly = hasEngagement && days >= 7;

  const invoiced = hasEngagement && r.invoiced !== null ? hundredths(r.invoiced) : null;
  const savedMonths = saved && saved.months > 0 ? saved : null;

  return {
    decision_id: r.id,
    decision_date: r.decision_date,
    company_id: r.company_id,
    company_name: r.company_name,
    engagement_id: r.engagement_id,
    engagement_name: r.engagement_name,
    estimated_hours_per_week: r.estimated_hours_per_week,
    // worked (hundredths) × 7 ÷ days = hundredths of an hour per week.
    actual_hours_per_week: weekly ? show(divRound(worked * 7n, BigInt(days))) : null,
    hours_ratio: weekly && estHours !== null ? show(divRound(worked * 700n, BigInt(days) * estHours)) : null,
    estimated_hours_saved_per_month: r.estimated_roi_hours_per_month,
    // s is in minute-hundredths: hours per month = s ÷ (6000 × months), in hundredths s ÷ (60 × months).
    actual_hours_saved_per_month: savedMonths ? show(divRound(savedMonths.s, 60n * BigInt(savedMonths.months))) : null,
    saved_ratio: savedMonths && estSaved !== null ? show(divRound(savedMonths.s * 100n, 60n * BigInt(savedMonths.months) * estSaved)) : null,
    estimated_value: r.estimated_value === null ? null : { currency: r.currency, amount: r.estimated_value },
    invoiced_value: invoiced === null ? null : { currency: r.currency, amount: show(invoiced) },
    value_ratio: invoiced !== null && estValue !== null ? show(divRound(invoiced * 100n, estValue)) : null,
  };
}

/** The estimate in hundredths when it is above zero (a ratio needs a divisor). */
function positive(v: string | null): bigint | null {
  if (v === null) return null;
  const u = hundredths(v);
  return u > 0n ? u : null;
}

// ---------------------------------------------------------------------------
// Summary and advice

type RatioSummary = CalibrationInsight['summary']['hours'];

function ratioSummary(ratios: (string | null)[]): RatioSummary {
  const v = ratios.filter((r): r is string => r !== null).map(hundredths).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const n = v.length;
  if (!n) return { decisions: 0, mean: null, median: null };
  const sum = v.reduce((a, b) => a + b, 0n);
  const median = n % 2 ? v[(n - 1) / 2]! : divRound(v[n / 2 - 1]! + v[n / 2]!, 2n);
  return { decisions: n, mean: show(divRound(sum, BigInt(n))), median: show(median) };
}

function advice(s: CalibrationInsight['summary']): string[] {
  const out: string[] = [];
  const say = (r: RatioSummary, what: string, then = 'scale the next estimate accordingly') => {
    if (r.median !== null && r.decisions >= 2) out.push(`${what.replace('{x}', `${r.median}×`)} (median of ${r.decisions} go decisions): ${then}.`);
  };
  say(s.hours, 'Delivery took {x} the estimated hours per week');
  say(s.saved, 'Clients saved {x} the estimated hours per month');
  // Invoices accrue over an engagement's life: a running one's ratio only grows, so it is a floor, not a verdict.
  say(s.value, 'Invoicing has reached {x} the estimated value so far', 'engagements still running will invoice more, so read it as a floor');
  return out;
}

// ---------------------------------------------------------------------------
// Tables

/** 'decisions' (one line per go decision), 'summary' (per ratio) and 'advice'. */
export function calibrationTables(r: CalibrationInsight): InsightTable[] {
  const decisions = r.decisions.map((d) => ({
    decision_id: d.decision_id,
    decision_date: d.decision_date,
    company_id: d.company_id,
    company_name: d.company_name,
    engagement_id: d.engagement_id,
    engagement_name: d.engagement_name,
    estimated_hours_per_week: d.estimated_hours_per_week,
    actual_hours_per_week: d.actual_hours_per_week,
    hours_ratio: d.hours_ratio,
    estimated_hours_saved_per_month: d.estimated_hours_saved_per_month,
    actual_hours_saved_per_month: d.actual_hours_saved_per_month,
    saved_ratio: d.saved_ratio,
    currency: d.estimated_value?.currency ?? d.invoiced_value?.currency ?? null,
    estimated_value: d.estimated_value?.amount ?? null,
    invoiced_value: d.invoiced_value?.amount ?? null,
    value_ratio: d.value_ratio,
  }));
  const summary = (['hours', 'saved', 'value'] as const).map((k) => ({
    ratio: k,
    go_decisions: r.summary.go_decisions,
    with_engagement: r.summary.with_engagement,
    decisions: r.summary[k].decisions,
    mean: r.summary[k].mean,
    median: r.summary[k].median,
  }));
  return [
    { name: 'decisions', rows: decisions },
    { name: 'summary', rows: summary },
    { name: 'advice', rows: r.advice.map((advice) => ({ advice })) },
  ];
}
