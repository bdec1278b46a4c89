/**
 * The monthly rollup of client AI usage (ai_usage_monthly): the lock every writer of an
 * engagement's usage takes, the repair that recomputes it from ai_usage, and what a
 * contact's deletion must do to keep it equal to the raw rows.
 */
import { sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { withTx, type Ctx } from '../context.ts';
import { AppError, parseInput } from '../errors.ts';
import { writeAudit } from '../platform/audit.ts';
import { uuidArray } from '../sql-arrays.ts';

/** First key of the two-key advisory locks taken per engagement ('usag'); the one-key space (migrations) never meets it. */
const LOCK_CLASS = 0x75736167;

/** Values that need no quoting (uuids, dates, integers) as one PostgreSQL array literal: a whole chunk travels as one parameter. */

/**
 * Serialises writers of the same engagements' usage, always in the same order: without it a
 * batch of several chunks could hold rollup rows while waiting on another batch's keys.
 */
export async function lockEngagements(ctx: Ctx, ids: string[]): Promise<void> {
  if (!ids.length) return;
  await ctx.db.execute(
    sql`select pg_advisory_xact_lock(${LOCK_CLASS}::int4, h) from (select distinct hashtext(e::text) as h from unnest(${uuidArray(ids)}) as e order by 1) as s`,
  );
}

export const RebuildRollupInput = z.strictObject({
  engagement_id: z.uuid({ message: 'must be a UUID' }).optional().describe('rebuild only this engagement (default: every engagement)'),
});

export type RebuildResult = {
  engagement_id: string | null;
  /** Rollup rows after the rebuild. */
  rows: number;
  /** (engagement, contact, month) groups that were wrong, missing or left over before it. */
  corrected: number;
  tokens_used: number;
  records: number;
};

const monthOf = sql`date_trunc('month', u.usage_date::timestamp)::date`;

/** Recomputes ai_usage_monthly from ai_usage, for one engagement or all: the repair after a manual fix. */
export async function rebuildUsageRollup(ctx: Ctx, input: unknown = {}): Promise<RebuildResult> {
  const { engagement_id } = parseInput(RebuildRollupInput, input ?? {});
  const id = engagement_id?.toLowerCase() ?? null;
  return withTx(ctx, async (tx) => {
    if (id) {
      const found = (await tx.db.execute(sql`select 1 from engagements where id = ${id}::uuid`)) as unknown as { rows: unknown[] };
      if (!found.rows.length) throw new AppError('NOT_FOUND', `engagement ${id} was not found`);
    }
    const onlyU: SQL = id ? sql`u.engagement_id = ${id}::uuid` : sql`true`;
    const onlyM: SQL = id ? sql`m.engagement_id = ${id}::uuid` : sql`true`;
    const ids = id
      ? [id]
      : ((await tx.db.execute(sql`select engagement_id as id from ai_usage union select engagement_id from ai_usage_monthly`)) as unknown as { rows: { id: string }[] }).rows.map((r) => r.id);
    await lockEngagements(tx, ids.sort());
    const fresh = sql`select u.engagement_id, u.company_id, u.contact_id, ${monthOf} as month, sum(u.tokens_used)::int8 as tokens_used, count(*)::int as records
      from ai_usage u where ${onlyU} group by u.engagement_id, u.company_id, u.contact_id, ${monthOf}`;
    const NONE = sql`'00000000-0000-0000-0000-000000000000'::uuid`;
    const diff = (await tx.db.execute(sql`with f as (${fresh}), m as (select * from ai_usage_monthly m where ${onlyM})
      select count(*)::int as n from m full join f
        on m.engagement_id = f.engagement_id and coalesce(m.contact_id, ${NONE}) = coalesce(f.contact_id, ${NONE}) and m.month = f.month
      where m.id is null or f.engagement_id is null or m.tokens_used <> f.tokens_used or m.records <> f.records or m.company_id <> f.company_id`)) as unknown as { rows: { n: number }[] };
    const before = await rollupTotals(tx, onlyM);
    await tx.db.execute(sql`delete from ai_usage_monthly m where ${onlyM}`);
    await tx.db.execute(sql`insert into ai_usage_monthly (engagement_id, company_id, contact_id, month, tokens_used, records, updated_at)
      select engagement_id, company_id, contact_id, month, tokens_used, records, ${tx.now().toISOString()}::timestamptz from (${fresh}) f
      order by 1, 3 nulls first, 4`);
    const after = await rollupTotals(tx, onlyM);
    const result: RebuildResult = { engagement_id: id, ...after, corrected: Number(diff.rows[0]!.n) };
    await writeAudit(tx, {
      action: 'update',
      table: 'ai_usage_monthly',
      operation: 'usage.rebuild_rollup',
      before: { engagement_id: id, ...before },
      after: result,
    });
    return result;
  });
}

async function rollupTotals(ctx: Ctx, where: SQL): Promise<{ rows: number; tokens_used: number; records: number }> {
  const r = (await ctx.db.execute(
    sql`select count(*)::int as rows, coalesce(sum(m.tokens_used), 0)::int8 as tokens_used, coalesce(sum(m.records), 0)::int8 as records from ai_usage_monthly m where ${where}`,
  )) as unknown as { rows: { rows: number; tokens_used: unknown; records: unknown }[] };
  const x = r.rows[0]!;
  return { rows: Number(x.rows), tokens_used: Number(x.tokens_used), records: Number(x.records) };
}

/**
 * Before a contact is deleted: ai_usage keeps its rows with contact_id set null while the
 * cascade deletes its rollup rows, so their totals move to the unattributed row of the same
 * engagement and month first. Meant for the contacts resource's beforeRemove (how = delete).
 */
export async function moveContactUsageToUnattributed(ctx: Ctx, contactId: string): Promise<void> {
  await withTx(ctx, async (tx) => {
    const r = (await tx.db.execute(sql`select distinct engagement_id as id from ai_usage_monthly where contact_id = ${contactId}::uuid`)) as unknown as { rows: { id: string }[] };
    if (!r.rows.length) return;
    await lockEngagements(tx, r.rows.map((x) => x.id).sort());
    await tx.db.execute(sql`insert into ai_usage_monthly as m (engagement_id, company_id, contact_id, month, tokens_used, records, updated_at)
      select engagement_id, company_id, null, month, tokens_used, records, ${tx.now().toISOString()}::timestamptz
      from ai_usage_monthly where contact_id = ${contactId}::uuid
      order by 1, 4
      on conflict on constraint ai_usage_monthly_engagement_contact_month_key do update
        set tokens_used = m.tokens_used + excluded.tokens_used, records = m.records + excluded.records, updated_at = excluded.updated_at`);
    await tx.db.execute(sql`delete from ai_usage_monthly where contact_id = ${contactId}::uuid`);
  });
}
