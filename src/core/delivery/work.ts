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
import { getRecord } from '../resource.ts';
import { resource } from '../resources.ts';

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
