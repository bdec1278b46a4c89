/**
 * The sales insight: deals won and lost in the period, the sales cycle, the weighted pipeline
 * by expected close month, why deals and companies were lost, and the same per owner.
 *
 * Definitions (period = calendar days in ctx.timeZone, both included; every deal counted is
 * visible to the caller, not archived and in the segment: its company's source and
 * lower(industry) — that company visible too — and deals.owner_id):
 * - closed: deals whose stage now is a won or lost stage of the `deal` pipeline and whose close
 *   day — actual_close_date, else the day (ctx.timeZone) of their latest status_history entry
 *   into that stage — is in the period. won_value: Σ value of the won ones per currency (a deal
 *   without a value adds 0). win_rate = won ÷ (won + lost) × 100.
 * - cycle: the won closed deals; days from the day of created_at (ctx.timeZone) to the close
 *   day; mean and median (mean of the two middle values for an even count), 2 places.
 * - weighted_pipeline: open deals (stage neither won nor lost), whatever the period, per
 *   to_char(expected_close_date, 'YYYY-MM') (no date: month null, listed last) and currency:
 *   deals, Σ value, Σ value × the stage's probability ÷ 100 rounded half up to 2 places.
 *   Ordered by month then currency.
 * - lost_reasons: the deals lost in the period (as closed) by btrim(loss_reason), and the
 *   distinct companies (not archived, visible, in the segment: their own source, industry and
 *   owner_id) with a status_history entry into the company status `lost` in the period by
 *   btrim(companies.lost_reason); an empty reason is null. Case-sensitive on the trimmed text;
 *   total = deals + companies; most first, then reason (code-point order, null last); at most 50.
 * - by_owner: per deals.owner_id of the closed deals (name from users; no owner: null), won,
 *   lost and win rate; most won first, then most lost, then name and id.
 */
import { sql, type SQL } from 'drizzle-orm';
import { queryRows, type Ctx } from '../context.ts';
import { parseInput } from '../errors.ts';
import { fromUnits, toUnits } from '../assessment/roi.ts';
import { visibilityScope, type VisibilityScope } from '../platform/visibility.ts';
import { dayIn, dayOf, instantIn, percent, resolvePeriod, seen, type InsightTable } from './common.ts';
import { companySegment, type SegmentInput } from './funnel.ts';
import { SalesInput, type Period, type SalesInsight } from './types.ts';

export const LOST_REASONS_LIMIT = 50;

type ClosedGroup = { owner_id: string | null; name: string | null; is_won: boolean; currency: string; deals: number; value: string };
type Cycle = { deals: number; avg_days: string | null; median_days: string | null };
type PipelineRow = SalesInsight['weighted_pipeline'][number];
type ReasonRow = SalesInsight['lost_reasons'][number];

/** The deals that count, as `d`: visible, not archived, in the segment. */
function dealOk(segment: SegmentInput, scope: VisibilityScope): SQL {
  const owner = segment.owner_id !== undefined ? sql`d.owner_id = ${segment.owner_id}::uuid` : sql`true`;
  return sql`d.archived_at is null and ${seen('deals', scope, 'd')} and ${owner} and ${companySegment(sql`d.company_id`, segment, scope)}`;
}

/**
 * The day a closed deal (as `d`) closed: actual_close_date, else the day (ctx.timeZone) it
 * last entered the stage it is in now. COALESCE evaluates the look-up only when the date is missing.
 */
export function dealCloseDay(ctx: Ctx): SQL {
  return sql`coalesce(d.actual_close_date, ${dealEnteredStage(ctx)})`;
}

const dealEnteredStage = (ctx: Ctx): SQL =>
  dayOf(ctx, sql`(select max(sh.entered_at) from status_history sh where sh.entity_type = 'deal' and sh.entity_id = d.id and sh.status = d.stage)`);

/**
 * The closed deals of the period with their close day. The latest entry into the stage is
 * looked up (status_history_entity_idx) only when actual_close_date is missing: COALESCE
 * evaluates its second argument only when needed.
 */
function closedDeals(ctx: Ctx, period: Period, segment: SegmentInput, scope: VisibilityScope): SQL {
  const entry = dealEnteredStage(ctx);
  // The close-day test is spelled out as an OR so that a range on actual_close_date can use an index.
  return sql`
    select d.id, d.owner_id, d.value, d.currency, d.loss_reason, d.created_at, ps.is_won,
      ${dealCloseDay(ctx)} as close_day
    from deals d join pipeline_stages ps on ps.pipeline = 'deal' and ps.key = d.stage and (ps.is_won or ps.is_lost)
    where ${dealOk(segment, scope)}
      and (${dayIn('d.actual_close_date', period)} or (d.actual_close_date is null and ${entry} between ${period.from}::date and ${period.to}::date))`;
}

async function closedGroups(ctx: Ctx, closed: SQL): Promise<ClosedGroup[]> {
  return queryRows<ClosedGroup>(ctx, sql`
    select c.owner_id, u.name, c.is_won, c.currency, count(*)::int as deals, coalesce(sum(c.value), 0)::text as value
    from (${closed}) c left join users u on u.id = c.owner_id
    group by c.owner_id, u.name, c.is_won, c.currency`);
}

async function cycle(ctx: Ctx, closed: SQL): Promise<Cycle> {
  const [r] = await queryRows<Cycle>(ctx, sql`
    with w as (select (c.close_day - ${dayOf(ctx, 'c.created_at')})::numeric as days from (${closed}) c where c.is_won)
    select count(*)::int as deals, round(avg(days), 2)::text as avg_days,
      round((percentile_disc(0.5) within group (order by days) - percentile_disc(0.5) within group (order by -days)) / 2, 2)::text as median_days
    from w`);
  return r ?? { deals: 0, avg_days: null, median_days: null };
}

async function weightedByMonth(ctx: Ctx, segment: SegmentInput, scope: VisibilityScope): Promise<PipelineRow[]> {
  // Every open deal, also one left in a stage an administrator archived (as weightedPipeline).
  return queryRows<PipelineRow>(ctx, sql`
    select to_char(d.expected_close_date, 'YYYY-MM') as month, d.currency, count(*)::int as deals,
      round(coalesce(sum(d.value), 0), 2)::text as value,
      round(coalesce(sum(d.value * coalesce(ps.probability, 0)), 0) / 100, 2)::text as weighted
    from deals d join pipeline_stages ps on ps.pipeline = 'deal' and ps.key = d.stage and not ps.is_won and not ps.is_lost
    where ${dealOk(segment, scope)}
    group by 1, 2
    order by 1 nulls last, 2`);
}

async function lostReasons(ctx: Ctx, closed: SQL, period: Period, segment: SegmentInput, scope: VisibilityScope): Promise<ReasonRow[]> {
  const owner = segment.owner_id !== undefined ? sql`co.owner_id = ${segment.owner_id}::uuid` : sql`true`;
  const source = segment.source !== undefined ? sql`co.source = ${segment.source}` : sql`true`;
  const industry = segment.industry !== undefined ? sql`lower(co.industry) = lower(${segment.industry})` : sql`true`;
  return queryRows<ReasonRow>(ctx, sql`
    with dl as (
      select nullif(btrim(c.loss_reason), '') as reason, count(*)::int as n
      from (${closed}) c where not c.is_won group by 1),
    cl as (
      select nullif(btrim(co.lost_reason), '') as reason, count(distinct co.id)::int as n
      from status_history sh join companies co on co.id = sh.entity_id
      where sh.entity_type = 'company' and sh.status = 'lost' and ${instantIn(ctx, 'sh.entered_at', period)}
        and co.archived_at is null and ${seen('companies', scope, 'co')} and ${owner} and ${source} and ${industry}
      group by 1)
    select * from (
      select reason, sum(deals)::int as deals, sum(companies)::int as companies, sum(deals + companies)::int as total
      from (select reason, n as deals, 0 as companies from dl union all select reason, 0, n from cl) u
      group by reason) x
    order by x.total desc, x.reason collate "C" nulls last
    limit ${LOST_REASONS_LIMIT}`);
}

/** Totals of the closed groups: counts, won value per currency, and per owner. */
function summarise(groups: ClosedGroup[]): Pick<SalesInsight, 'closed' | 'by_owner'> {
  let won = 0;
  let lost = 0;
  const value = new Map<string, bigint>();
  const owners = new Map<string | null, { owner_id: string | null; name: string | null; won: number; lost: number }>();
  for (const g of groups) {
    const o = owners.get(g.owner_id) ?? { owner_id: g.owner_id, name: g.name, won: 0, lost: 0 };
    if (g.is_won) {
      won += g.deals;
      o.won += g.deals;
      value.set(g.currency, (value.get(g.currency) ?? 0n) + toUnits(g.value, 2));
    } else {
      lost += g.deals;
      o.lost += g.deals;
    }
    owners.set(g.owner_id, o);
  }
  const byName = (a: string | null, b: string | null) => (a === b ? 0 : a === null ? 1 : b === null ? -1 : a < b ? -1 : 1);
  return {
    closed: {
      won,
      lost,
      win_rate: percent(won, won + lost),
      won_value: [...value.keys()].sort().map((currency) => ({ currency, amount: fromUnits(value.get(currency)!, 2) })),
    },
    by_owner: [...owners.values()]
      .sort((a, b) => b.won - a.won || b.lost - a.lost || byName(a.name, b.name) || byName(a.owner_id, b.owner_id))
      .map((o) => ({ ...o, win_rate: percent(o.won, o.won + o.lost) })),
  };
}

export async function salesInsight(ctx: Ctx, input: SalesInput): Promise<SalesInsight> {
  const q = parseInput(SalesInput, input);
  const period = resolvePeriod(ctx, q);
  const segment: SegmentInput = { source: q.source, industry: q.industry, owner_id: q.owner_id?.toLowerCase() };
  const scope = await visibilityScope(ctx);
  const closed = closedDeals(ctx, period, segment, scope);
  const [groups, cycleFigures, pipeline, reasons] = await Promise.all([
    closedGroups(ctx, closed),
    cycle(ctx, closed),
    weightedByMonth(ctx, segment, scope),
    lostReasons(ctx, closed, period, segment, scope),
  ]);
  return {
    period,
    segment: { source: q.source ?? null, industry: q.industry ?? null, owner_id: segment.owner_id ?? null },
    ...summarise(groups),
    cycle: cycleFigures,
    weighted_pipeline: pipeline,
    lost_reasons: reasons,
  };
}

/** The result as plain tables for the CLI's table and CSV output. */
export function salesTables(r: SalesInsight): InsightTable[] {
  const money = (list: { currency: string; amount: string }[]) => list.map((m) => `${m.amount} ${m.currency}`).join('; ');
  return [
    {
      name: 'closed',
      rows: [
        {
          from: r.period.from,
          to: r.period.to,
          won: r.closed.won,
          lost: r.closed.lost,
          win_rate: r.closed.win_rate,
          won_value: money(r.closed.won_value),
          cycle_deals: r.cycle.deals,
          cycle_avg_days: r.cycle.avg_days,
          cycle_median_days: r.cycle.median_days,
        },
      ],
    },
    { name: 'pipeline', rows: r.weighted_pipeline.map((p) => ({ ...p })) },
    { name: 'lost_reasons', rows: r.lost_reasons.map((l) => ({ ...l })) },
    { name: 'owners', rows: r.by_owner.map((o) => ({ ...o })) },
  ];
}
