/**
 * TOTP second factor (RFC 6238: SHA-1, 6 digits, 30 s, as every authenticator app expects)
 * with ten single-use recovery codes. Enrolment is two steps: begin returns the secret and an
 * otpauth:// URI for the QR code, and the first valid code confirms it. The secret is kept
 * encrypted; a code is accepted one step either side of now and never twice.
 *
 * Changing someone's second factor needs their password (or the local operator); only
 * disabling is open to an administrator for another user (a lost phone). These verbs check
 * passwords, so they must not run inside withTx.
 */
import { randomBytes } from 'node:crypto';
import { and, eq, isNotNull, lt, or, isNull, sql } from 'drizzle-orm';
import { Secret, TOTP } from 'otpauth';
import { z } from 'zod';
import { user_totp } from '../../db/schema/access.ts';
import { withTx, type Ctx } from '../context.ts';
import { AppError, invalid, parseInput } from '../errors.ts';
import { writeAudit } from '../platform/audit.ts';
import { digestsEqual, seal, sha256, unseal } from './crypto.ts';
import { confirmPassword } from './login-throttle.ts';
import { identityOptions, type IdentityConfig, type IdentityOptions } from './options.ts';
import { actingUserId, requireRole, roleAtLeast } from './roles.ts';
import { isActive, loadUser, type UserRow } from './user-record.ts';

export const RECOVERY_CODE_COUNT = 10;
/** 32 symbols, no i, l, o, u: 16 of them carry 80 bits, beyond offline guessing of a SHA-256 digest. */
const RECOVERY_ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
const TOTP_SHAPE = { algorithm: 'SHA1', digits: 6, period: 30 } as const;
/** Steps either side of now that are accepted: ±30 s of clock drift. */
const WINDOW = 1;

function secretKey(o: IdentityOptions): Buffer {
  if (!o.secretKey) {
    throw new AppError('INTERNAL', 'Two-factor authentication needs the instance secret key, and none is configured');
  }
  return o.secretKey;
}

const aad = (userId: string) => `user_totp:${userId}`;

function readSecret(o: IdentityOptions, row: typeof user_totp.$inferSelect): string {
  return unseal(secretKey(o), row.secret_encrypted, aad(row.user_id));
}

/** The time step a code belongs to, or null when it matches none within the window. */
export function matchTotpStep(base32: string, code: string, at: Date): number | null {
  if (!/^\d{6}$/.test(code)) return null;
  const totp = new TOTP({ ...TOTP_SHAPE, secret: Secret.fromBase32(base32) });
  const timestamp = at.getTime();
  const delta = totp.validate({ token: code, timestamp, window: WINDOW });
  return delta === null ? null : totp.counter({ timestamp }) + delta;
}

function newRecoveryCodes(): string[] {
  return Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    const chars = [...randomBytes(16)].map((b) => RECOVERY_ALPHABET[b & 31]).join('');
    return chars.match(/.{4}/g)!.join('-');
  });
}

const normaliseRecoveryCode = (code: string) => code.toLowerCase().replace(/[\s-]/g, '');
/** Salted with the user id, so equal codes of two users never share a digest. */
const recoveryDigest = (userId: string, code: string) => sha256(`recovery:${userId}:${normaliseRecoveryCode(code)}`);

/**
 * Who may change a user's second factor: the local operator; an administrator disabling
 * someone else's (`adminMayReset`); otherwise whoever gives the user's password.
 */
async function authorise(ctx: Ctx, user: UserRow, password: string | undefined, o: IdentityOptions, adminMayReset = false) {
  if (ctx.actor.type === 'local') return;
  if (adminMayReset && actingUserId(ctx.actor) !== user.id && roleAtLeast(ctx.actor.role, 'admin')) return;
  if (password === undefined) throw invalid([{ field: 'password', message: 'is required to change two-factor settings' }]);
  const ok = isActive(user) && (await confirmPassword(ctx, user, password, o));
  if (!ok) {
    throw new AppError('FORBIDDEN', 'The password is not correct', {
      details: { fields: [{ field: 'password', message: 'is not correct' }] },
    });
  }
}

async function totpRow(ctx: Ctx, userId: string, lock = false) {
  const q = ctx.db.select().from(user_totp).where(eq(user_totp.user_id, userId));
  const [row] = await (lock ? q.for('update') : q);
  return row;
}

export const TotpChangeInput = z.strictObject({ user_id: z.string(), password: z.string().max(1024).optional() });
export type TotpChangeInput = z.infer<typeof TotpChangeInput>;

/** Starts (or restarts) enrolment: a new secret, shown once, and its otpauth:// URI. */
export async function beginTotpEnrolment(
  ctx: Ctx,
  input: TotpChangeInput,
  config: IdentityConfig = {},
): Promise<{ secret: string; uri: string }> {
  const v = parseInput(TotpChangeInput, input);
  const o = identityOptions(config);
  const key = secretKey(o);
  const user = await loadUser(ctx, v.user_id);
  await authorise(ctx, user, v.password, o);
  const secret = new Secret({ size: 20 });
  await withTx(ctx, async (tx) => {
    const existing = await totpRow(tx, user.id, true);
    if (existing?.enabled_at) {
      throw new AppError('CONFLICT', 'Two-factor authentication is already on; disable it before enrolling again', {
        details: { reason: 'totp_enabled' },
      });
    }
    const now = tx.now();
    const values = {
      secret_encrypted: seal(key, secret.base32, aad(user.id)),
      enabled_at: null,
      last_used_step: null,
      recovery_code_hashes: [],
      updated_at: now,
    };
    const [row] = await tx.db
      .insert(user_totp)
      .values({ user_id: user.id, ...values, created_at: now })
      .onConflictDoUpdate({ target: user_totp.user_id, set: values })
      .returning({ id: user_totp.id });
    await writeAudit(tx, {
      action: existing ? 'update' : 'create',
      table: 'user_totp',
      recordId: row!.id,
      operation: 'identity.totp_enrolment_started',
      after: { user_id: user.id, enabled: false },
    });
  });
  const uri = new TOTP({ ...TOTP_SHAPE, issuer: o.totpIssuer, label: user.email, secret }).toString();
  return { secret: secret.base32, uri };
}

export const ConfirmTotpInput = TotpChangeInput.extend({ code: z.string().trim().max(16) });
export type ConfirmTotpInput = z.infer<typeof ConfirmTotpInput>;

/** The first valid code turns TOTP on; the ten recovery codes are returned this once. */
export async function confirmTotpEnrolment(
  ctx: Ctx,
  input: ConfirmTotpInput,
  config: IdentityConfig = {},
): Promise<{ recovery_codes: string[] }> {
  const v = parseInput(ConfirmTotpInput, input);
  const o = identityOptions(config);
  const user = await loadUser(ctx, v.user_id);
  await authorise(ctx, user, v.password, o);
  return withTx(ctx, async (tx) => {
    const row = await totpRow(tx, user.id, true);
    if (!row || row.enabled_at) {
      throw new AppError('CONFLICT', 'No two-factor enrolment is waiting for confirmation; begin one first', {
        details: { reason: row ? 'totp_enabled' : 'no_enrolment' },
      });
    }
    const now = tx.now();
    const step = matchTotpStep(readSecret(o, row), v.code, now);
    if (step === null) throw invalid([{ field: 'code', message: 'is not the current code of the authenticator app' }]);
    const recovery_codes = newRecoveryCodes();
    await tx.db
      .update(user_totp)
      .set({
        enabled_at: now,
        last_used_step: step,
        recovery_code_hashes: recovery_codes.map((c) => recoveryDigest(user.id, c)),
        updated_at: now,
      })
      .where(eq(user_totp.id, row.id));
    await writeAudit(tx, {
      action: 'update',
      table: 'user_totp',
      recordId: row.id,
      operation: 'identity.totp_enabled',
      before: { enabled_at: null },
      after: { enabled_at: now, recovery_codes: recovery_codes.length },
    });
    return { recovery_codes };
  });
}

/** True when the user has confirmed TOTP. */
export async function hasTotp(ctx: Ctx, userId: string): Promise<boolean> {
  const row = await totpRow(ctx, userId);
  return !!row?.enabled_at;
}

/**
 * Checks a second factor at sign-in: a 6-digit code (not one already used) or a recovery
 * code, which is spent. Returns which kind matched, or null.
 */
export async function verifySecondFactor(
  ctx: Ctx,
  userId: string,
  code: string,
  config: IdentityConfig = {},
): Promise<'totp' | 'recovery_code' | null> {
  const o = identityOptions(config);
  const row = await totpRow(ctx, userId);
  if (!row?.enabled_at) return null;
  const compact = code.replace(/\s/g, '');
  if (/^\d{6}$/.test(compact)) {
    const step = matchTotpStep(readSecret(o, row), compact, ctx.now());
    if (step === null) return null;
    // The conditional update makes a replayed code (same or earlier step) fail even under concurrency.
    const used = await ctx.db
      .update(user_totp)
      .set({ last_used_step: step, updated_at: ctx.now() })
      .where(and(eq(user_totp.id, row.id), or(isNull(user_totp.last_used_step), lt(user_totp.last_used_step, step))))
      .returning({ id: user_totp.id });
    return used.length ? 'totp' : null;
  }
  const normalised = normaliseRecoveryCode(compact);
  if (!/^[0-9a-z]{16}$/.test(normalised)) return null;
  const digest = recoveryDigest(userId, normalised);
  let match = false;
  for (const h of row.recovery_code_hashes) match = digestsEqual(h, digest) || match;
  if (!match) return null;
  return withTx(ctx, async (tx) => {
    const [spent] = await tx.db
      .update(user_totp)
      .set({
        recovery_code_hashes: sql`array_remove(${user_totp.recovery_code_hashes}, ${digest})`,
        updated_at: tx.now(),
      })
      .where(and(eq(user_totp.id, row.id), isNotNull(user_totp.enabled_at), sql`${digest} = any(${user_totp.recovery_code_hashes})`))
      .returning({ left: user_totp.recovery_code_hashes });
    if (!spent) return null;
    await writeAudit(tx, {
      action: 'update',
      table: 'user_totp',
      recordId: row.id,
      operation: 'identity.recovery_code_used',
      after: { recovery_codes_left: spent.left.length },
    });
    return 'recovery_code' as const;
  });
}

/** Replaces the recovery codes (the old ones stop working); returned this once. */
export async function regenerateRecoveryCodes(
  ctx: Ctx,
  input: TotpChangeInput,
  config: IdentityConfig = {},
): Promise<{ recovery_codes: string[] }> {
  const v = parseInput(TotpChangeInput, input);
  const o = identityOptions(config);
  const user = await loadUser(ctx, v.user_id);
  await authorise(ctx, user, v.password, o);
  return withTx(ctx, async (tx) => {
    const row = await totpRow(tx, user.id, true);
    if (!row?.enabled_at) throw new AppError('CONFLICT', 'Two-factor authentication is not on for this user', { details: { reason: 'totp_disabled' } });
    const recovery_codes = newRecoveryCodes();
    await tx.db
      .update(user_totp)
      .set({ recovery_code_hashes: recovery_codes.map((c) => recoveryDigest(user.id, c)), updated_at: tx.now() })
      .where(eq(user_totp.id, row.id));
    await writeAudit(tx, {
      action: 'update',
      table: 'user_totp',
      recordId: row.id,
      operation: 'identity.recovery_codes_regenerated',
      before: { recovery_codes: row.recovery_code_hashes.length },
      after: { recovery_codes: recovery_codes.length },
    });
    return { recovery_codes };
  });
}

/** Turns TOTP off: the user with their password, or an administrator for someone else. */
export async function disableTotp(ctx: Ctx, input: TotpChangeInput, config: IdentityConfig = {}): Promise<{ disabled: boolean }> {
  const v = parseInput(TotpChangeInput, input);
  const o = identityOptions(config);
  const user = await loadUser(ctx, v.user_id);
  await authorise(ctx, user, v.password, o, true);
  return withTx(ctx, async (tx) => {
    const [row] = await tx.db.delete(user_totp).where(eq(user_totp.user_id, user.id)).returning();
    if (!row) return { disabled: false };
    await writeAudit(tx, {
      action: 'delete',
      table: 'user_totp',
      recordId: row.id,
      operation: 'identity.totp_disabled',
      before: { user_id: user.id, enabled_at: row.enabled_at, recovery_codes: row.recovery_code_hashes.length },
    });
    return { disabled: true };
  });
}

/** Whether a user has TOTP on and how many recovery codes remain: the user or an administrator. */
export async function totpStatus(ctx: Ctx, input: { user_id: string }): Promise<{ enabled: boolean; pending: boolean; recovery_codes_left: number }> {
  const { user_id } = parseInput(z.strictObject({ user_id: z.string() }), input);
  if (actingUserId(ctx.actor) !== user_id) requireRole(ctx, 'admin', "Reading another user's two-factor status");
  const user = await loadUser(ctx, user_id);
  const row = await totpRow(ctx, user.id);
  return {
    enabled: !!row?.enabled_at,
    pending: !!row && !row.enabled_at,
    recovery_codes_left: row?.enabled_at ? row.recovery_code_hashes.length : 0,
  };
}
