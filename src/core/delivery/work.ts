/**
 * Work completed (seed 000 steps 12–13): hours logged against an engagement by category
 * and person, and the engagement's hours against its estimate.
 *
 * Rules:
 * - `engagements.actual_hours` is Σ hours of the engagement's non-archived work_completed
 *   rows (0.00 when there are none), kept in step on every path: create, bulk create, a
 *   change of hours, a move to another engagement (both engagements), archive, restore and
 *   delete. It is written directly (the work row's own audit row says what changed);
 *   updated_at moves, the engagement's version does not (clients cannot write the column);
 * - the hours view is exact decimal arithmetic: remaining = estimated − actual (negative
 *   when over budget), percent_used = actual ÷ estimated × 100 rounded half up to two places
 *   (null without a positive estimate).
 */
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { divRound, fromUnits, toUnits } from '../assessment/roi.ts';
import type { Ctx } from '../context.ts';
import { getRecord, type Row } from '../resource.ts';
import { resource } from '../resources.ts';

const uuidList = (ids: string[]) => `{${ids.join(',')}}`;

/** Sets actual_hours of each engagement to the sum of its live work rows, in one statement; `without` leaves one row out (a delete). */
async function syncActualHours(ctx: Ctx, engagementIds: string[], without?: string): Promise<void> {
  const ids = [...new Set(engagementIds.filter((id) => typeof id === 'string'))];
  if (!ids.length) return;
  const skip = without ? sql`and w.id <> ${without}::uuid` : sql``;
  // Lock first, sum after: under read committed the update's own snapshot would miss work
  // another transaction committed while this one waited for the row (a lost addition).
  // `no key update` does not conflict with the key-share locks that inserting work takes.
  await ctx.db.execute(sql`select id from engagements where id = any(${uuidList(ids)}::uuid[]) order by id for no key update`);
  await ctx.db.execute(sql`
    update engagements e set actual_hours = total.hours, updated_at = ${ctx.now().toISOString()}::timestamptz
    from (
      select e2.id,
        (select coalesce(sum(w.hours), 0) from work_completed w
          where w.engagement_id = e2.id and w.archived_at is null ${skip}) as hours
      from engagements e2 where e2.id = any(${uuidList(ids)}::uuid[])
    ) total
    where e.id = total.id and e.actual_hours is distinct from total.hours`);
}

/** afterWrite of work_completed: created, changed, archived or restored. */
export async function workWritten(ctx: Ctx, row: Row, before: Row | undefined): Promise<void> {
  const unchanged =
    before !== undefined &&
    before.engagement_id === row.engagement_id &&
    before.hours === row.hours &&
    (before.archived_at === null) === (row.archived_at === null);
  if (unchanged) return;
  await syncActualHours(ctx, [row.engagement_id as string, ...(before ? [before.engagement_id as string] : [])]);
}

/** beforeRemove of work_completed: an archive is followed by afterWrite; a delete is not, so it is handled here. */
export async function workRemoved(ctx: Ctx, row: Row, how: 'archive' | 'delete'): Promise<void> {
  if (how === 'delete') await syncActualHours(ctx, [row.engagement_id as string], row.id as string);
}

/** afterBulkCreate of work_completed: every engagement the batch touched, at once. */
export async function workCreated(ctx: Ctx, ids: string[]): Promise<void> {
  if (!ids.length) return;
  const r = (await ctx.db.execute(
    sql`select distinct engagement_id from work_completed where id = any(${uuidList(ids)}::uuid[])`,
  )) as unknown as { rows: { engagement_id: string }[] };
  await syncActualHours(ctx, r.rows.map((x) => x.engagement_id));
}

// ---------------------------------------------------------------------------
// The hours view

export const EngagementHoursInput = z.strictObject({ engagement_id: z.string().max(200).describe('the engagement') });
export type EngagementHoursInput = z.infer<typeof EngagementHoursInput>;

const hoursUnits = (s: string) => toUnits(s, 2);
const hoursText = (u: bigint) => fromUnits(u, 2);

/** Hours against the estimate, by category and by person; every figure an exact decimal string. */
export async function engagementHours(ctx: Ctx, input: EngagementHoursInput) {
  const engagement = await getRecord(ctx, resource('engagements'), input.engagement_id);
  const live = sql`w.engagement_id = ${input.engagement_id}::uuid and w.archived_at is null`;
  const byCategory = (await ctx.db.execute(sql`
    select w.category, sum(w.hours)::numeric(12,2)::text as hours, count(*)::int as entries
    from work_completed w where ${live}
    group by w.category order by sum(w.hours) desc, w.category`)) as unknown as { rows: { category: string; hours: string; entries: number }[] };
  // A person is the user who logged the work, else the name typed in performed_by (trimmed, case-insensitive).
  const byPerson = (await ctx.db.execute(sql`
    select w.user_id, case when w.user_id is null then min(trim(w.performed_by)) end as performed_by, min(u.name) as user_name,
           sum(w.hours)::numeric(12,2)::text as hours, count(*)::int as entries
    from work_completed w left join users u on u.id = w.user_id
    where ${live}
    group by w.user_id, case when w.user_id is null then lower(nullif(trim(w.performed_by), '')) end
    order by sum(w.hours) desc, min(coalesce(u.name, w.performed_by)) nulls last`)) as unknown as {
    rows: { user_id: string | null; performed_by: string | null; user_name: string | null; hours: string; entries: number }[];
  };

  const actual = byCategory.rows.reduce((s, r) => s + hoursUnits(r.hours), 0n);
  const estimate = engagement.estimated_hours === null ? null : hoursUnits(String(engagement.estimated_hours));
  const remaining = estimate === null ? null : estimate - actual;
  const percent = estimate === null || estimate === 0n ? null : hoursText(divRound(actual * 10_000n, estimate));
  return {
    engagement_id: engagement.id,
    engagement_name: engagement.name,
    estimated_hours: estimate === null ? null : hoursText(estimate),
    actual_hours: hoursText(actual),
    remaining_hours: remaining === null ? null : hoursText(remaining),
    percent_used: percent,
    over_budget: remaining === null ? false : remaining < 0n,
    summary:
      estimate === null
        ? `${hoursText(actual)} h logged; no estimate`
        : remaining! < 0n
          ? `${hoursText(actual)} of ${hoursText(estimate)} h: ${hoursText(-remaining!)} h over budget`
          : `${hoursText(actual)} of ${hoursText(estimate)} h: ${hoursText(remaining!)} h left`,
    by_category: byCategory.rows,
    by_person: byPerson.rows.map((r) => ({
      user_id: r.user_id,
      name: r.user_id ? (r.user_name ?? null) : r.performed_by || null,
      hours: r.hours,
      entries: r.entries,
    })),
    rule: 'actual = Σ hours of live work rows; remaining = estimated − actual; percent_used = actual ÷ estimated × 100, rounded half up to 2 places',
  };
}
