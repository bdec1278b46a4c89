/**
 * Statuses and stages are data (pipeline_stages): which keys exist, their order and
 * probability, and which moves are allowed. Every status change goes through here,
 * whether it comes from a business verb or a generic update, and lands in status_history.
 */
import { and, asc, eq, isNull } from 'drizzle-orm';
import { pipeline_stages, status_history, type Pipeline } from '../../db/schema/platform.ts';
import type { Ctx } from '../context.ts';
import { AppError } from '../errors.ts';
import { actingUserId } from '../identity/roles.ts';
import { emitStatusChange } from './webhooks.ts';

export type Stage = typeof pipeline_stages.$inferSelect;
export type StatusEntity = (typeof status_history.$inferInsert)['entity_type'];

export async function stagesOf(ctx: Ctx, pipeline: Pipeline): Promise<Stage[]> {
  return ctx.db
    .select()
    .from(pipeline_stages)
    .where(and(eq(pipeline_stages.pipeline, pipeline), isNull(pipeline_stages.archived_at)))
    .orderBy(asc(pipeline_stages.position));
}

/** Refuses a status that is not a key of the pipeline, listing the keys that are. */
export async function assertStatus(ctx: Ctx, pipeline: Pipeline, status: string, field = 'status'): Promise<Stage> {
  const stages = await stagesOf(ctx, pipeline);
  const stage = stages.find((s) => s.key === status);
  if (!stage) {
    const allowed = stages.map((s) => s.key);
    throw new AppError('VALIDATION', `${field}: "${status}" is not a ${pipeline} status; use one of: ${allowed.join(', ')}`, {
      details: { fields: [{ field, message: `must be one of: ${allowed.join(', ')}` }], allowed },
    });
  }
  return stage;
}

/** Refuses a move the pipeline does not allow; the error lists the allowed next statuses. */
export async function assertTransition(
  ctx: Ctx,
  pipeline: Pipeline,
  from: string,
  to: string,
  field = 'status',
): Promise<Stage> {
  const stages = await stagesOf(ctx, pipeline);
  const target = stages.find((s) => s.key === to);
  if (!target) return assertStatus(ctx, pipeline, to, field);
  const current = stages.find((s) => s.key === from);
  const allowed = current?.next_statuses ?? stages.map((s) => s.key);
  if (current && !allowed.includes(to)) {
    const list = allowed.length ? allowed.join(', ') : 'none (it is final)';
    throw new AppError('CONFLICT', `${field}: cannot move from ${from} to ${to}; allowed next: ${list}`, {
      details: {
        fields: [{ field, message: `cannot move from ${from} to ${to}; allowed next: ${list}` }],
        from,
        to,
        allowed,
      },
    });
  }
  return target;
}

/** Closes the open history row of the record and opens one for the new status. */
export async function recordStatusChange(
  ctx: Ctx,
  entity: StatusEntity,
  entityId: string,
  from: string | null,
  to: string,
  reason?: string | null,
): Promise<void> {
  const now = ctx.now();
  const open = await ctx.db
    .select({ id: status_history.id, entered_at: status_history.entered_at })
    .from(status_history)
    .where(
      and(
        eq(status_history.entity_type, entity),
        eq(status_history.entity_id, entityId),
        isNull(status_history.exited_at),
      ),
    );
  for (const row of open) {
    const days = Math.max(0, Math.floor((now.getTime() - row.entered_at.getTime()) / 86_400_000));
    await ctx.db
      .update(status_history)
      .set({ exited_at: now, duration_days: days })
      .where(eq(status_history.id, row.id));
  }
  await ctx.db.insert(status_history).values({
    entity_type: entity,
    entity_id: entityId,
    status: to,
    from_status: from,
    entered_at: now,
    // The person (a key or an agent acts for one), not the key.
    changed_by: actingUserId(ctx.actor),
    reason: reason ?? null,
  });
  // A move, not a record's first status: webhook subscribers hear of it in the same transaction.
  if (from !== null) await emitStatusChange(ctx, entity, entityId, from, to);
}
