/**
 * Housekeeping the server runs a minute after start and every six hours: what is kept only for a while
 * goes once it can no longer matter. Nothing here touches business records or the audit log.
 *
 * - Sign-in failure counters with no failure for 30 days (a block stays until an admin lifts it).
 * - Sessions that expired or were ended more than 30 days ago.
 * - Idempotency keys older than 24 hours (a retry comes within minutes, not days).
 */
import { and, isNotNull, isNull, lt, or } from 'drizzle-orm';
import { login_attempts, sessions } from '../../db/schema/access.ts';
import { idempotency_keys } from '../../db/schema/platform.ts';
import { accessChanged, withTx, type Ctx } from '../context.ts';

export const KEEP_LOGIN_ATTEMPTS_MS = 30 * 86_400_000;
export const KEEP_ENDED_SESSIONS_MS = 30 * 86_400_000;
export const KEEP_IDEMPOTENCY_KEYS_MS = 86_400_000;

export type Pruned = { login_attempts: number; sessions: number; idempotency_keys: number };

export async function pruneExpired(ctx: Ctx): Promise<Pruned> {
  const now = ctx.now().getTime();
  const before = (ms: number) => new Date(now - ms);
  return withTx(ctx, async (tx) => {
    const attempts = await tx.db
      .delete(login_attempts)
      .where(and(isNull(login_attempts.blocked_at), lt(login_attempts.last_failed_at, before(KEEP_LOGIN_ATTEMPTS_MS))))
      .returning({ id: login_attempts.id });
    const ended = await tx.db
      .delete(sessions)
      .where(
        or(
          lt(sessions.expires, before(KEEP_ENDED_SESSIONS_MS)),
          and(isNotNull(sessions.revoked_at), lt(sessions.revoked_at, before(KEEP_ENDED_SESSIONS_MS))),
        ),
      )
      .returning({ id: sessions.id });
    if (ended.length) accessChanged(tx);
    const keys = await tx.db
      .delete(idempotency_keys)
      .where(lt(idempotency_keys.created_at, before(KEEP_IDEMPOTENCY_KEYS_MS)))
      .returning({ id: idempotency_keys.id });
    return { login_attempts: attempts.length, sessions: ended.length, idempotency_keys: keys.length };
  });
}
