/**
 * Acquisition insight (seed 001): where leads come from and what becomes of them.
 *
 * Definitions (period = calendar days in ctx.timeZone, both included):
 * - The leads counted: not archived, visible to the caller, created_at in the period; narrowed
 *   by `source` (leads.source), `utm_campaign` (the same campaign key, below) and
 *   `owner_id` (assigned_to).
 * - series: every day (interval 'day') or every week (interval 'week', the default; a week
 *   starts on Monday and `start` is that Monday, even before the period's first day), empty
 *   ones with 0; by_source holds only the sources with leads in the bucket. A lead falls on the
 *   day of its created_at in ctx.timeZone.
 * - by_source: per leads.source, leads, converted (converted_at set) and conversion =
 *   converted ÷ leads × 100; most leads first, then source name.
 * - by_campaign: per campaign key (utm_campaign in lower case with all but letters and digits
 *   dropped; null: leads without one), shown with its first
 *   spelling in byte order (min() collate "C", the same on every database's collation); at
 *   most CAMPAIGN_LIMIT, most leads first, then the key in byte order (null last).
 *   campaign_id is the oldest visible, non-archived campaign whose name has the same key; spend
 *   = Σ campaign_metrics.spend per currency of that campaign's non-archived metric rows whose
 *   `period` (a day) lies in the period; cost_per_lead = spend ÷ leads per currency, exact,
 *   rounded half up to 2 places.
 * - scores: ten bands 0–9 … 80–89 and 90–100 (all present), average = mean score, 2 places.
 * - conversion: leads, converted, customers = converted leads whose converted_to_account_id
 *   company (not archived) is now in a won stage of the company pipeline; the two rates.
 * - quiz: readiness_assessments created in the period that the caller may see (their own
 *   visibility rule: through their company, lead or contact): started = all of them, whatever
 *   their status now; completed, abandoned, and in_progress (status 'started'); completion =
 *   completed ÷ started × 100 (readiness_assessments cannot be archived).
 * - surveys: audit survey_responses rows (not archived, visible) with survey_sent and
 *   survey_sent_date in the period, counted per distinct contact (one audit survey per
 *   contact): sent, completed (any of its rows survey_completed, as the audit's counters count
 *   it), completion = completed ÷ sent × 100.
 * quiz and surveys are not leads: the source, utm_campaign and owner filters do not apply.
 */
import { sql, type SQL } from 'drizzle-orm';
import { queryRows, type Ctx } from '../context.ts';
import { fromUnits, toUnits } from '../assessment/roi.ts';
import { visibilityScope, type VisibilityScope } from '../platform/visibility.ts';
import { uuidArray } from '../sql-arrays.ts';
import { dayIn, dayOf, daysOf, instantIn, percent, resolvePeriod, weekOf, weeksOf, seen, type InsightTable } from './common.ts';
import type { AcquisitionInput, AcquisitionInsight, Money, Period } from './types.ts';

/** At most this many utm_campaign rows (the ones with the most leads). */
export const CAMPAIGN_LIMIT = 50;

type Result = AcquisitionInsight;

/**
 * What makes a utm_campaign and a campaign's name the same campaign: lower case with every
 * run of other than letters and digits dropped, so the tag "ai-for-builders" is the campaign
 * "AI for Builders" (UTM tags are slugs; campaign names are written for people).
 */
const campaignKey = (text: SQL): SQL => sql`nullif(regexp_replace(lower(${text}), '[^a-z0-9]+', '', 'g'), '')`;

/** The leads counted, as `l`: a range on created_at first, so leads_created_idx (or leads_source_created_idx) applies. */
function leadsWhere(ctx: Ctx, p: Period, input: AcquisitionInput, scope: VisibilityScope): SQL {
  const parts: SQL[] = [instantIn(ctx, 'l.created_at', p), sql`l.archived_at is null`, seen('leads', scope, 'l')];
  if (input.source !== undefined) parts.push(sql`l.source = ${input.source}`);
  if (input.utm_campaign !== undefined) parts.push(sql`${campaignKey(sql`l.utm_campaign`)} = ${campaignKey(sql`${input.utm_campaign}::text`)}`);
  if (input.owner_id !== undefined) parts.push(sql`l.assigned_to = ${input.owner_id}::uuid`);
  return sql.join(parts, sql` and `);
}

/** Exact mean of integers, rounded half up to 2 places (non-negative inputs). */
function mean2(sum: bigint, count: bigint): string | null {
  if (count === 0n) return null;
  return fromUnits((sum * 200n + count) / (2n * count), 2);
}

/** amount ÷ n, rounded half up to 2 places, exact (amount non-negative). */
function dividedBy(amount: string, n: number): string {
  const units = toUnits(amount, 2);
  return fromUnits((units * 2n + BigInt(n)) / (2n * BigInt(n)), 2);
}

// ---------------------------------------------------------------------------
// Leads by day and source: the series, by_source and the totals come from one scan.

type DaySource = { day: string; source: string; leads: number; converted: number };

async function leadsByDayAndSource(ctx: Ctx, where: SQL): Promise<DaySource[]> {
  return queryRows<DaySource>(ctx, sql`
    select (${dayOf(ctx, 'l.created_at')})::text as day, l.source,
      count(*)::int as leads, count(l.converted_at)::int as converted
    from leads l where ${where}
    group by 1, 2`);
}

function series(p: Period, interval: 'day' | 'week', rows: DaySource[]): Result['series'] {
  const starts = interval === 'day' ? daysOf(p) : weeksOf(p).map((w) => w.week);
  const buckets = new Map(starts.map((start) => [start, { start, leads: 0, by_source: {} as Record<string, number> }]));
  for (const r of rows) {
    const b = buckets.get(interval === 'day' ? r.day : weekOf(r.day))!;
    b.leads += r.leads;
    b.by_source[r.source] = (b.by_source[r.source] ?? 0) + r.leads;
  }
  return [...buckets.values()];
}

function bySource(rows: DaySource[]): Result['by_source'] {
  const map = new Map<string, { leads: number; converted: number }>();
  for (const r of rows) {
    const s = map.get(r.source) ?? { leads: 0, converted: 0 };
    s.leads += r.leads;
    s.converted += r.converted;
    map.set(r.source, s);
  }
  return [...map.entries()]
    .map(([source, s]) => ({ source, leads: s.leads, converted: s.converted, conversion: percent(s.converted, s.leads) }))
    .sort((a, b) => b.leads - a.leads || (a.source < b.source ? -1 : a.source > b.source ? 1 : 0));
}

// ---------------------------------------------------------------------------
// Campaigns

type CampaignRow = { utm_campaign: string | null; campaign_id: string | null; leads: number; converted: number };

async function byCampaign(ctx: Ctx, p: Period, where: SQL, scope: VisibilityScope): Promise<Result['by_campaign']> {
  const groups = await queryRows<CampaignRow>(ctx, sql`
    with g as (
      select ${campaignKey(sql`l.utm_campaign`)} as key, min(l.utm_campaign collate "C") as utm_campaign,
        count(*)::int as leads, count(l.converted_at)::int as converted
      from leads l where ${where}
      group by ${campaignKey(sql`l.utm_campaign`)}
      order by count(*) desc, ${campaignKey(sql`l.utm_campaign`)} collate "C" nulls last
      limit ${CAMPAIGN_LIMIT}
    )
    select g.utm_campaign, c.id as campaign_id, g.leads, g.converted
    from g
    left join lateral (
      select c.id from campaigns c
      where g.key is not null and ${campaignKey(sql`c.name`)} = g.key and c.archived_at is null and ${seen('campaigns', scope, 'c')}
      order by c.created_at, c.id limit 1
    ) c on true
    order by g.leads desc, g.key collate "C" nulls last`);
  const ids = [...new Set(groups.flatMap((g) => (g.campaign_id ? [g.campaign_id] : [])))];
  const spend = ids.length
    ? await queryRows<{ campaign_id: string; currency: string; amount: string }>(ctx, sql`
        select cm.campaign_id, cm.currency, sum(cm.spend)::text as amount
        from campaign_metrics cm
        where cm.campaign_id = any(${uuidArray(ids)}) and ${dayIn('cm.period', p)}
          and cm.archived_at is null and cm.spend is not null
        group by cm.campaign_id, cm.currency
        order by cm.currency`)
    : [];
  return groups.map((g) => {
    const money: Money[] = spend.filter((s) => s.campaign_id === g.campaign_id).map((s) => ({ currency: s.currency, amount: s.amount }));
    return {
      ...g,
      spend: money,
      cost_per_lead: money.map((m) => ({ currency: m.currency, amount: dividedBy(m.amount, g.leads) })),
    };
  });
}

// ---------------------------------------------------------------------------
// Scores and customers: one scan grouped by score band.

type BandRow = { band: number; leads: number; score_sum: string; customers: number };

async function scoreBands(ctx: Ctx, where: SQL): Promise<BandRow[]> {
  return queryRows<BandRow>(ctx, sql`
    with won as (
      select c.id from companies c join pipeline_stages ps on ps.pipeline = 'company' and ps.key = c.status and ps.is_won
      where c.archived_at is null)
    select least(l.score / 10, 9)::int as band, count(*)::int as leads, sum(l.score)::text as score_sum,
      (count(*) filter (where l.converted_at is not null and won.id is not null))::int as customers
    from leads l left join won on won.id = l.converted_to_account_id
    where ${where}
    group by 1`);
}

function scores(rows: BandRow[]): Result['scores'] {
  const bands = Array.from({ length: 10 }, (_, i) => ({ from: i * 10, to: i === 9 ? 100 : i * 10 + 9, leads: rows.find((r) => r.band === i)?.leads ?? 0 }));
  const sum = rows.reduce((s, r) => s + BigInt(r.score_sum), 0n);
  const count = rows.reduce((s, r) => s + BigInt(r.leads), 0n);
  return { bands, average: mean2(sum, count) };
}

// ---------------------------------------------------------------------------
// Quiz and surveys: not leads, so the lead filters do not apply to them.

async function quiz(ctx: Ctx, p: Period, scope: VisibilityScope): Promise<Result['quiz']> {
  const [r] = await queryRows<{ started: number; completed: number; abandoned: number; in_progress: number }>(ctx, sql`
    select count(*)::int as started,
      (count(*) filter (where ra.status = 'completed'))::int as completed,
      (count(*) filter (where ra.status = 'abandoned'))::int as abandoned,
      (count(*) filter (where ra.status = 'started'))::int as in_progress
    from readiness_assessments ra
    where ${instantIn(ctx, 'ra.created_at', p)} and ${seen('readiness_assessments', scope, 'ra')}`);
  const q = r ?? { started: 0, completed: 0, abandoned: 0, in_progress: 0 };
  return { ...q, completion: percent(q.completed, q.started) };
}

async function surveys(ctx: Ctx, p: Period, scope: VisibilityScope): Promise<Result['surveys']> {
  const [r] = await queryRows<{ sent: number; completed: number }>(ctx, sql`
    select count(distinct sr.contact_id)::int as sent,
      (count(distinct sr.contact_id) filter (where sr.survey_completed))::int as completed
    from survey_responses sr
    where sr.survey_type = 'audit' and sr.survey_sent and ${dayIn('sr.survey_sent_date', p)}
      and sr.archived_at is null and ${seen('survey_responses', scope, 'sr')}`);
  const s = r ?? { sent: 0, completed: 0 };
  return { ...s, completion: percent(s.completed, s.sent) };
}

// ---------------------------------------------------------------------------

export async function acquisitionInsight(ctx: Ctx, input: AcquisitionInput): Promise<AcquisitionInsight> {
  const period = resolvePeriod(ctx, input);
  const interval = input.interval ?? 'week';
  const scope = await visibilityScope(ctx);
  const where = leadsWhere(ctx, period, input, scope);
  const [days, campaigns, bands, quizFigures, surveyFigures] = await Promise.all([
    leadsByDayAndSource(ctx, where),
    byCampaign(ctx, period, where, scope),
    scoreBands(ctx, where),
    quiz(ctx, period, scope),
    surveys(ctx, period, scope),
  ]);
  const total = days.reduce((n, r) => n + r.leads, 0);
  const converted = days.reduce((n, r) => n + r.converted, 0);
  const customers = bands.reduce((n, r) => n + r.customers, 0);
  return {
    period,
    interval,
    series: series(period, interval, days),
    total,
    by_source: bySource(days),
    by_campaign: campaigns,
    scores: scores(bands),
    conversion: { leads: total, converted, customers, lead_to_converted: percent(converted, total), lead_to_customer: percent(customers, total) },
    quiz: quizFigures,
    surveys: surveyFigures,
  };
}

/** Money per currency as one cell: "AUD 100.00; USD 5.00" ('' when none), so a campaign stays one row. */
const moneyCell = (list: Money[]) => list.map((m) => `${m.currency} ${m.amount}`).join('; ');

/**
 * The result as plain tables for the CLI's table and CSV output: series (start, leads and one
 * column per source seen), sources, campaigns (spend and cost per lead flattened per currency
 * into one cell), scores (the bands, then an `all` row with the average), and one row each of
 * conversion, quiz and surveys.
 */
export function acquisitionTables(r: AcquisitionInsight): InsightTable[] {
  const sources = r.by_source.map((s) => s.source);
  return [
    { name: 'series', rows: r.series.map((b) => ({ start: b.start, leads: b.leads, ...Object.fromEntries(sources.map((s) => [s, b.by_source[s] ?? 0])) })) },
    { name: 'sources', rows: r.by_source.map((s) => ({ ...s })) },
    {
      name: 'campaigns',
      rows: r.by_campaign.map((c) => ({ utm_campaign: c.utm_campaign, campaign_id: c.campaign_id, leads: c.leads, converted: c.converted, spend: moneyCell(c.spend), cost_per_lead: moneyCell(c.cost_per_lead) })),
    },
    {
      name: 'scores',
      rows: [
        ...r.scores.bands.map((b) => ({ band: `${b.from}-${b.to}`, from: b.from, to: b.to, leads: b.leads, average: null })),
        { band: 'all', from: 0, to: 100, leads: r.scores.bands.reduce((n, b) => n + b.leads, 0), average: r.scores.average },
      ],
    },
    { name: 'conversion', rows: [{ ...r.conversion }] },
    { name: 'quiz', rows: [{ ...r.quiz }] },
    { name: 'surveys', rows: [{ ...r.surveys }] },
  ];
}
