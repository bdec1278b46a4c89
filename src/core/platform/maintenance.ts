/**
 * Housekeeping the server runs a minute after start and every six hours: what is kept only for a while
 * goes once it can no longer matter. Nothing here touches business records or the audit log.
 *
 * - Sign-in failure counters with no failure for 30 days (a block stays until an admin lifts it).
 * - Idempotency keys older than 24 hours (a retry comes within minutes, not days).
 *
 * Ended sessions are personal data with a retention period an admin sets: the `sessions`
 * retention policy removes them (core/privacy/retention.ts), not this.
 */
import { and, isNull, lt } from 'drizzle-orm';
import { login_attempts } from '../../db/schema/access.ts';
import { idempotency_keys } from '../../db/schema/platform.ts';
import { withTx, type Ctx } from '../context.ts';

export const KEEP_LOGIN_ATTEMPTS_MS = 30 * 86_400_000;
export const KEEP_IDEMPOTENCY_KEYS_MS = 86_400_000;

export type Pruned = { login_attempts: number; idempotency_keys: number };

export async function pruneExpired(ctx: Ctx): Promise<Pruned> {
  const now = ctx.now().getTime();
  const before = (ms: number) => new Date(now - ms);
  return withTx(ctx, async (tx) => {
    const attempts = await tx.db
      .delete(login_attempts)
      .where(and(isNull(login_attempts.blocked_at), lt(login_attempts.last_failed_at, before(KEEP_LOGIN_ATTEMPTS_MS))))
      .returning({ id: login_attempts.id });
    const keys = await tx.db
      .delete(idempotency_keys)
      .where(lt(idempotency_keys.created_at, before(KEEP_IDEMPOTENCY_KEYS_MS)))
      .returning({ id: idempotency_keys.id });
    return { login_attempts: attempts.length, idempotency_keys: keys.length };
  });
}
