/**
 * The funnel insight: conversion between the stages of the company (default), deal or lead
 * pipeline, and the time records spend in each, from status_history.
 *
 * Definitions (period = calendar days in ctx.timeZone, both included):
 * - Stages: the pipeline's pipeline_stages (not archived) by position. on_path: not is_lost and
 *   position ≤ the position of the pipeline's last is_won stage (every non-lost stage when the
 *   pipeline has no won stage); so `paused`, `no_go`, `churned` and `lost` are off the path.
 * - Records: status_history rows (entity_type = the pipeline) of an entity that is not archived,
 *   visible to the caller and in the segment. Segment: companies by companies.source,
 *   lower(industry) and owner_id; deals by their company's source and industry and deals.owner_id;
 *   leads by leads.source (a company source that is no lead source matches no lead),
 *   lower(leads.industry) and leads.assigned_to. A company filtered on must be visible too, so
 *   a filter cannot reveal what a hidden company is.
 * - entered: distinct entities with a row for the stage entered in the period.
 * - advanced (on-path stages but the last): of those, the entities with a row for an on-path
 *   stage of higher position entered after their first in-period entry into this stage (any
 *   time up to now). conversion = advanced ÷ entered × 100.
 * - stays: rows for the stage entered in the period that have an exited_at; avg_days and
 *   median_days of (exited_at − entered_at) in days, exact numerics rounded half up to 2 places
 *   (the median is the mean of the two middle values for an even count, as percentile_cont).
 * - current: entities (not archived, visible, in the segment) whose status/stage is the stage
 *   now, whatever the period.
 * - records: distinct entities with any row entered in the period.
 * - overall_conversion: of the entities entered into the first on-path stage in the period, the
 *   share that entered the last on-path stage after their first in-period entry into the first.
 */
import { sql, type SQL } from 'drizzle-orm';
import { queryRows, type Ctx } from '../context.ts';
import { parseInput } from '../errors.ts';
import { stagesOf, type Stage } from '../platform/pipeline.ts';
import { visibilityScope, type VisibilityScope } from '../platform/visibility.ts';
import { addDays } from '../dates.ts';
import { percent, resolvePeriod, seen, type InsightTable } from './common.ts';
import { FunnelInput, type FunnelInsight, type FunnelStage } from './types.ts';

type Pipeline = FunnelInsight['pipeline'];
export type SegmentInput = { source?: string | undefined; industry?: string | undefined; owner_id?: string | undefined };

/** How each pipeline's records are stored: table, status column and owner column. */
const ENTITY: Record<Pipeline, { table: string; resource: string; status: string; owner: string }> = {
  company: { table: 'companies', resource: 'companies', status: 'status', owner: 'owner_id' },
  deal: { table: 'deals', resource: 'deals', status: 'stage', owner: 'owner_id' },
  lead: { table: 'leads', resource: 'leads', status: 'status', owner: 'assigned_to' },
};

/**
 * The segment on a company (source, industry) reached through `companyId` (an SQL expression):
 * the company must exist, be visible and match. `true` when neither is asked for.
 */
export function companySegment(companyId: SQL, segment: SegmentInput, scope: VisibilityScope): SQL {
  if (segment.source === undefined && segment.industry === undefined) return sql`true`;
  const source = segment.source !== undefined ? sql`sc.source = ${segment.source}` : sql`true`;
  const industry = segment.industry !== undefined ? sql`lower(sc.industry) = lower(${segment.industry})` : sql`true`;
  return sql`exists (select 1 from companies sc where sc.id = ${companyId} and ${source} and ${industry} and ${seen('companies', scope, 'sc')})`;
}

/** The segment's condition on the pipeline's entity, referred to as `e`. */
function entitySegment(pipeline: Pipeline, segment: SegmentInput, scope: VisibilityScope): SQL {
  const parts: SQL[] = [];
  const owner = sql.raw(`e.${ENTITY[pipeline].owner}`);
  if (segment.owner_id !== undefined) parts.push(sql`${owner} = ${segment.owner_id}::uuid`);
  if (pipeline === 'company') {
    if (segment.source !== undefined) parts.push(sql`e.source = ${segment.source}`);
    if (segment.industry !== undefined) parts.push(sql`lower(e.industry) = lower(${segment.industry})`);
  } else if (pipeline === 'deal') {
    parts.push(companySegment(sql`e.company_id`, segment, scope));
  } else {
    if (segment.source !== undefined) parts.push(sql`e.source = ${segment.source}`);
    if (segment.industry !== undefined) parts.push(sql`lower(e.industry) = lower(${segment.industry})`);
  }
  return parts.length ? sql.join(parts, sql` and `) : sql`true`;
}

/** Which stages lie on the main path: not lost, and not after the last won stage. */
function onPathKeys(stages: Stage[]): Set<string> {
  const won = stages.filter((s) => s.is_won).map((s) => s.position);
  const last = won.length ? Math.max(...won) : Number.POSITIVE_INFINITY;
  return new Set(stages.filter((s) => !s.is_lost && s.position <= last).map((s) => s.key));
}

const textList = (keys: readonly string[]): SQL => sql.join(keys.map((k) => sql`${k}`), sql`, `);

/** One stage's figures over the period; `records` (the same on every row) counts distinct records. */
type StageRow = { status: string; entered: number; advanced: number; reached_last: number; stays: number; avg_days: string | null; median_days: string | null; records: number };

export async function funnelInsight(ctx: Ctx, input: FunnelInput): Promise<FunnelInsight> {
  const q = parseInput(FunnelInput, input);
  const pipeline: Pipeline = q.pipeline ?? 'company';
  const period = resolvePeriod(ctx, q);
  const segment: SegmentInput = { source: q.source, industry: q.industry, owner_id: q.owner_id?.toLowerCase() };
  const stages = await stagesOf(ctx, pipeline);
  const path = onPathKeys(stages);
  const pathStages = stages.filter((s) => path.has(s.key));
  const result: FunnelInsight = {
    pipeline,
    period,
    segment: { source: q.source ?? null, industry: q.industry ?? null, owner_id: segment.owner_id ?? null },
    records: 0,
    stages: [],
    overall_conversion: null,
  };
  if (!stages.length) return result;

  const scope = await visibilityScope(ctx);
  const ent = ENTITY[pipeline];
  const entityOk = sql`e.archived_at is null and ${seen(ent.resource, scope, 'e')} and ${entitySegment(pipeline, segment, scope)}`;
  const first = pathStages[0]?.key ?? null;
  const last = pathStages.length > 1 ? pathStages.at(-1)!.key : null;
  const pathList = pathStages.length ? textList(pathStages.map((s) => s.key)) : sql`null`;
  const start = sql`(${period.from}::date::timestamp at time zone ${ctx.timeZone})`;
  const end = sql`(${addDays(period.to, 1)}::date::timestamp at time zone ${ctx.timeZone})`;
  // One ordered pass over each record's history since the period began (a later move can only
  // be later than that), read as a range of status_history_entity_idx: per row, its rank among
  // the record's entries into that stage, the record's first row, and the highest path stage and
  // whether the last one come strictly after it. Everything else is a filter of that pass, so
  // there is no look-up per record and stage and no join of derived sets the planner misjudges.
  const [rows, current] = await Promise.all([
    queryRows<StageRow>(ctx, sql`
      with h as (
        select sh.status, sh.entered_at, sh.exited_at, st.position,
          row_number() over (partition by sh.entity_id, sh.status order by sh.entered_at) as nth,
          row_number() over (partition by sh.entity_id order by sh.entered_at) as seq,
          max(case when sh.status in (${pathList}) then st.position end) over later as later_max,
          coalesce(bool_or(sh.status = ${last}) over later, false) as later_last
        from status_history sh
          join ${sql.raw(ent.table)} e on e.id = sh.entity_id
          join pipeline_stages st on st.pipeline = ${pipeline} and st.key = sh.status and st.archived_at is null
        where sh.entity_type = ${pipeline} and sh.entered_at >= ${start} and ${entityOk}
        window later as (partition by sh.entity_id order by sh.entered_at range between current row and unbounded following exclude group)),
      p as (
        select *, case when exited_at is not null then (extract(epoch from exited_at) - extract(epoch from entered_at)) / 86400 end as days
        from h where entered_at < ${end})
      select status,
        (count(*) filter (where nth = 1))::int as entered,
        (count(*) filter (where nth = 1 and later_max > position))::int as advanced,
        (count(*) filter (where nth = 1 and later_last))::int as reached_last,
        count(days)::int as stays,
        round(avg(days), 2)::text as avg_days,
        round((percentile_disc(0.5) within group (order by days) - percentile_disc(0.5) within group (order by -days)) / 2, 2)::text as median_days,
        (sum(count(*) filter (where seq = 1)) over ())::int as records
      from p group by status`),
    queryRows<{ status: string; n: number }>(ctx, sql`
      select ${sql.raw(`e.${ent.status}`)} as status, count(*)::int as n from ${sql.raw(ent.table)} e
      where ${sql.raw(`e.${ent.status}`)} in (${textList(stages.map((s) => s.key))}) and ${entityOk}
      group by 1`),
  ]);

  const countOf = new Map(rows.map((c) => [c.status, c]));
  const currentOf = new Map(current.map((c) => [c.status, c.n]));
  result.records = rows[0]?.records ?? 0;
  result.stages = stages.map((s): FunnelStage => {
    const c = countOf.get(s.key);
    const entered = c?.entered ?? 0;
    const measured = path.has(s.key) && s.key !== pathStages.at(-1)?.key;
    const advanced = measured ? (c?.advanced ?? 0) : null;
    const st = c;
    return {
      key: s.key,
      label: s.label,
      position: s.position,
      is_won: s.is_won,
      is_lost: s.is_lost,
      on_path: path.has(s.key),
      entered,
      advanced,
      conversion: advanced === null ? null : percent(advanced, entered),
      stays: st?.stays ?? 0,
      avg_days: st?.avg_days ?? null,
      median_days: st?.median_days ?? null,
      current: currentOf.get(s.key) ?? 0,
    };
  });
  if (first && last) {
    const c = countOf.get(first);
    result.overall_conversion = percent(c?.reached_last ?? 0, c?.entered ?? 0);
  }
  return result;
}

/** The result as plain tables for the CLI's table and CSV output. */
export function funnelTables(r: FunnelInsight): InsightTable[] {
  return [
    {
      name: 'stages',
      rows: r.stages.map((s) => ({
        key: s.key,
        label: s.label,
        entered: s.entered,
        advanced: s.advanced,
        conversion: s.conversion,
        stays: s.stays,
        avg_days: s.avg_days,
        median_days: s.median_days,
        current: s.current,
        on_path: s.on_path,
      })),
    },
    {
      name: 'summary',
      rows: [
        {
          pipeline: r.pipeline,
          from: r.period.from,
          to: r.period.to,
          days: r.period.days,
          source: r.segment.source,
          industry: r.segment.industry,
          owner_id: r.segment.owner_id,
          records: r.records,
          overall_conversion: r.overall_conversion,
        },
      ],
    },
  ];
}
