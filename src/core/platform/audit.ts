/**
 * The append-only audit trail: every change records who, what, before/after and when. The
 * caller's address is kept anonymised and the user agent truncated (issue 11, minimisation), as
 * the public forms keep them: enough to tell where a change came from, not to single out a device.
 */
import { audit_log } from '../../db/schema/platform.ts';
import type { Ctx } from '../context.ts';
import { anonymiseIp, truncateUserAgent } from '../sales/public-limits.ts';

export type AuditAction = (typeof audit_log.$inferInsert)['action'];

export type AuditEntry = {
  action: AuditAction;
  table: string;
  recordId?: string | null;
  operation?: string;
  before?: Record<string, unknown> | null;
  after?: Record<string, unknown> | null;
};

export async function writeAudit(ctx: Ctx, entry: AuditEntry): Promise<void> {
  await ctx.db.insert(audit_log).values({
    at: ctx.now(),
    actor_type: ctx.actor.type,
    actor_id: ctx.actor.id,
    actor_label: ctx.actor.label,
    on_behalf_of: ctx.actor.onBehalfOf ?? null,
    action: entry.action,
    table_name: entry.table,
    record_id: entry.recordId ?? null,
    operation: entry.operation ?? null,
    before: entry.before ?? null,
    after: entry.after ?? null,
    request_id: ctx.meta?.requestId ?? null,
    ip_address: anonymiseIp(ctx.meta?.ip),
    user_agent: truncateUserAgent(ctx.meta?.userAgent),
  });
}

/** The fields that differ between two versions of a row, as {before, after} halves. */
export function diff(before: Record<string, unknown>, after: Record<string, unknown>) {
  const b: Record<string, unknown> = {};
  const a: Record<string, unknown> = {};
  for (const k of Object.keys(after)) {
    if (k === 'updated_at' || k === 'version') continue;
    if (!sameValue(before[k], after[k])) {
      b[k] = before[k] ?? null;
      a[k] = after[k] ?? null;
    }
  }
  return { before: b, after: a };
}

export function sameValue(x: unknown, y: unknown): boolean {
  if (x instanceof Date || y instanceof Date) {
    return x instanceof Date && y instanceof Date && x.getTime() === y.getTime();
  }
  if (x !== null && y !== null && typeof x === 'object' && typeof y === 'object') {
    return JSON.stringify(x) === JSON.stringify(y);
  }
  return (x ?? null) === (y ?? null);
}
