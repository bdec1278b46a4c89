/**
 * Brute-force protection for everything that checks a password. Failures are counted per
 * account AND source address: each failure past the free ones doubles the wait before the
 * next try from that source, and at the hard limit the pair is blocked until an administrator
 * lifts it. An attacker elsewhere therefore slows and blocks only their own address, never
 * the real user's. Unknown emails are counted exactly like real ones (the key is a digest of
 * the email as typed), so throttling reveals nothing about which accounts exist.
 *
 * Counts are written outside any transaction the caller might roll back: verbs that check
 * passwords must not be called inside withTx.
 */
import { and, eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import { login_attempts } from '../../db/schema/access.ts';
import { withTx, type Ctx } from '../context.ts';
import { AppError, parseInput } from '../errors.ts';
import { writeAudit } from '../platform/audit.ts';
import { sha256 } from './crypto.ts';
import type { IdentityOptions, LockoutRule } from './options.ts';
import { dummyHash, verifyPassword } from './passwords.ts';
import { requireRole } from './roles.ts';
import type { UserRow } from './user-record.ts';

export const accountKey = (email: string) => sha256(`login:${email.trim().toLowerCase()}`);

/** How long to wait after this many consecutive failures. */
export function delayAfter(failures: number, rule: LockoutRule): number {
  if (failures < rule.freeFailures) return 0;
  return Math.min(rule.maxDelayMs, rule.baseDelayMs * 2 ** Math.min(failures - rule.freeFailures, 40));
}

/** The refusal for this account and source right now, or null when a try is allowed. */
export async function loginRefusal(ctx: Ctx, key: string, source: string, rule: LockoutRule): Promise<AppError | null> {
  const [row] = await ctx.db
    .select()
    .from(login_attempts)
    .where(and(eq(login_attempts.account_key, key), eq(login_attempts.source, source)));
  if (!row) return null;
  if (row.blocked_at || row.failures >= rule.blockAfter) {
    return new AppError(
      'LIMIT_EXCEEDED',
      'Sign-in from this address is blocked after too many failed attempts; an administrator can lift the block',
      { details: { reason: 'login_blocked', retry_after: null } },
    );
  }
  const wait = row.last_failed_at ? row.last_failed_at.getTime() + delayAfter(row.failures, rule) - ctx.now().getTime() : 0;
  if (wait > 0) {
    const seconds = Math.ceil(wait / 1000);
    return new AppError('LIMIT_EXCEEDED', `Too many failed sign-in attempts; try again in ${seconds} s`, {
      details: { reason: 'login_throttled', retry_after: seconds },
    });
  }
  return null;
}

/** Counts one more consecutive failure (atomically) and sets the block at the limit. */
export async function recordLoginFailure(ctx: Ctx, key: string, source: string, rule: LockoutRule): Promise<number> {
  const now = ctx.now();
  const [row] = await ctx.db
    .insert(login_attempts)
    .values({
      account_key: key,
      source,
      failures: 1,
      last_failed_at: now,
      blocked_at: rule.blockAfter <= 1 ? now : null,
      created_at: now,
      updated_at: now,
    })
    .onConflictDoUpdate({
      target: [login_attempts.account_key, login_attempts.source],
      set: {
        failures: sql`${login_attempts.failures} + 1`,
        last_failed_at: now,
        updated_at: now,
        blocked_at: sql`case when ${login_attempts.failures} + 1 >= ${rule.blockAfter} then coalesce(${login_attempts.blocked_at}, ${now.toISOString()}::timestamptz) else ${login_attempts.blocked_at} end`,
      },
    })
    .returning({ failures: login_attempts.failures });
  return row!.failures;
}

/** A success ends the run of failures for this account and source. */
export async function clearLoginFailures(ctx: Ctx, key: string, source: string): Promise<void> {
  await ctx.db.delete(login_attempts).where(and(eq(login_attempts.account_key, key), eq(login_attempts.source, source)));
}

/**
 * Re-checks a signed-in user's password before a sensitive change, throttled like a sign-in
 * from the request's address. Throws LIMIT_EXCEEDED while throttled; false on a mismatch.
 */
export async function confirmPassword(ctx: Ctx, user: UserRow, password: string, o: IdentityOptions): Promise<boolean> {
  const key = accountKey(user.email);
  const source = ctx.meta?.ip ?? ctx.actor.type;
  const refusal = await loginRefusal(ctx, key, source, o.lockout);
  if (refusal) throw refusal;
  const stored = user.password_hash ?? (await dummyHash(o.argon2));
  const ok = (await verifyPassword(stored, password)) && user.password_hash !== null;
  if (ok) await clearLoginFailures(ctx, key, source);
  else await recordLoginFailure(ctx, key, source, o.lockout);
  return ok;
}

export const LiftLoginBlockInput = z.strictObject({
  email: z.string().trim().min(1).max(320),
  /** One source address; every source when left out. */
  source: z.string().trim().min(1).max(100).optional(),
});
export type LiftLoginBlockInput = z.infer<typeof LiftLoginBlockInput>;

/** An administrator clears the failure count (and any block) of an account, for one source or all. */
export async function liftLoginBlock(ctx: Ctx, input: LiftLoginBlockInput): Promise<{ cleared: number }> {
  requireRole(ctx, 'admin', 'Lifting a sign-in block');
  const { email, source } = parseInput(LiftLoginBlockInput, input);
  const key = accountKey(email);
  return withTx(ctx, async (tx) => {
    const rows = await tx.db
      .delete(login_attempts)
      .where(source === undefined ? eq(login_attempts.account_key, key) : and(eq(login_attempts.account_key, key), eq(login_attempts.source, source)))
      .returning();
    for (const r of rows) {
      await writeAudit(tx, {
        action: 'delete',
        table: 'login_attempts',
        recordId: r.id,
        operation: 'identity.lift_login_block',
        before: { email: email.trim().toLowerCase(), source: r.source, failures: r.failures, blocked_at: r.blocked_at },
      });
    }
    return { cleared: rows.length };
  });
}
