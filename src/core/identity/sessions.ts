/**
 * Password sign-in and server-side sessions. A session token is 256 random bits, handed to
 * the client once and stored only as its SHA-256 digest; every sign-in makes a new session.
 * An unknown email and a wrong password get the same answer after the same work (a dummy
 * argon2 verification), and failures are throttled per account and source (login-throttle.ts).
 */
import { and, eq, isNull, lt, or } from 'drizzle-orm';
import { z } from 'zod';
import { sessions } from '../../db/schema/access.ts';
import { users } from '../../db/schema/platform.ts';
import { accessChanged, withTx, type Ctx } from '../context.ts';
import { AppError, parseInput } from '../errors.ts';
import { writeAudit, type AuditEntry } from '../platform/audit.ts';
import { anonymiseIp, truncateUserAgent } from '../sales/public-limits.ts';
import { userActor } from './actor.ts';
import { digestsEqual, randomToken, sha256 } from './crypto.ts';
import { accountKey, clearLoginFailures, loginRefusal, recordLoginFailure } from './login-throttle.ts';
import { identityOptions, type IdentityConfig } from './options.ts';
import { dummyHash, verifyPassword } from './passwords.ts';
import { hasTotp, verifySecondFactor } from './totp.ts';
import { findUserByEmail, isActive, publicUser, type PublicUser } from './user-record.ts';

export type SessionRow = typeof sessions.$inferSelect;
export type PublicSession = Omit<SessionRow, 'token_hash'>;

function publicSession(row: SessionRow): PublicSession {
  const { token_hash: _hidden, ...rest } = row;
  return rest;
}

/** `last_seen_at` is written at most this often, so busy clients do not write on every request. */
const SEEN_EVERY_MS = 60_000;

const BAD_CREDENTIALS = 'The email or password is not correct';
const BAD_SESSION = 'The session is not valid; sign in again';

export const LoginInput = z.strictObject({
  email: z.string().trim().min(1).max(320),
  password: z.string().min(1).max(1024),
  /** The client's address: failures are counted per account and this source. */
  ip: z.string().trim().min(1).max(100),
  user_agent: z.string().max(1000).optional(),
  /** A 6-digit authenticator code or a recovery code, for users with TOTP on. */
  totp: z.string().trim().max(64).optional(),
});
export type LoginInput = z.infer<typeof LoginInput>;

export type LoginResult = { token: string; session: PublicSession; user: PublicUser };

/**
 * Signs in with email and password (and a second factor when the user has one, or when
 * administrators must). Must not run inside a transaction: failed attempts are recorded
 * even though the call throws.
 */
export async function login(ctx: Ctx, input: LoginInput, config: IdentityConfig = {}): Promise<LoginResult> {
  if (ctx.inTx) throw new AppError('INTERNAL', 'login records failed attempts and must not run inside a transaction');
  const v = parseInput(LoginInput, input);
  const o = identityOptions(config);
  const here: Ctx = { ...ctx, meta: { ...ctx.meta, ip: v.ip, ...(v.user_agent !== undefined ? { userAgent: v.user_agent } : {}) } };
  const key = accountKey(v.email);
  const refused = async (error: AppError, reason: string, userId: string | null): Promise<never> => {
    const entry: AuditEntry = { action: 'refused', table: 'sessions', operation: 'identity.login', after: { reason, user_id: userId } };
    await writeAudit(here, entry);
    throw error;
  };

  const throttled = await loginRefusal(here, key, v.ip, o.lockout);
  if (throttled) return refused(throttled, String(throttled.details.reason), null);

  // The dummy hash is made before the lookup so the first unknown email costs no extra hashing.
  const dummy = await dummyHash(o.argon2);
  const user = await findUserByEmail(here, v.email);
  const stored = user?.password_hash ?? dummy;
  const matches = (await verifyPassword(stored, v.password)) && !!user?.password_hash;
  if (!user || !matches) {
    await recordLoginFailure(here, key, v.ip, o.lockout);
    return refused(new AppError('UNAUTHORIZED', BAD_CREDENTIALS), 'bad_credentials', user?.id ?? null);
  }
  // From here on the password is right, so saying why is safe.
  if (!isActive(user)) {
    return refused(new AppError('UNAUTHORIZED', 'This account is disabled; ask an administrator', { details: { reason: 'disabled' } }), 'disabled', user.id);
  }
  let second_factor: 'totp' | 'recovery_code' | null = null;
  if (await hasTotp(here, user.id)) {
    if (v.totp === undefined || v.totp === '') {
      return refused(
        new AppError('UNAUTHORIZED', 'Enter the code from your authenticator app (or a recovery code)', { details: { second_factor: 'totp' } }),
        'second_factor_required',
        user.id,
      );
    }
    second_factor = await verifySecondFactor({ ...here, actor: userActor(publicUser(user)) }, user.id, v.totp, o);
    if (!second_factor) {
      await recordLoginFailure(here, key, v.ip, o.lockout);
      return refused(
        new AppError('UNAUTHORIZED', 'The authentication code is not correct', { details: { second_factor: 'totp' } }),
        'bad_second_factor',
        user.id,
      );
    }
  } else if (user.role === 'admin' && o.requireAdminTotp) {
    return refused(
      new AppError(
        'FORBIDDEN',
        'Administrators must use two-factor authentication: enrol an authenticator app (TOTP) with your password, then sign in with its code',
        { details: { reason: 'totp_enrolment_required' } },
      ),
      'totp_enrolment_required',
      user.id,
    );
  }

  const token = randomToken();
  const now = here.now();
  const session = await withTx({ ...here, actor: userActor(publicUser(user)) }, async (tx) => {
    await clearLoginFailures(tx, key, v.ip);
    const [row] = await tx.db
      .insert(sessions)
      .values({
        user_id: user.id,
        token_hash: sha256(token),
        expires: new Date(now.getTime() + o.sessionTtlMs),
        created_at: now,
        last_seen_at: now,
        // Kept as the audit log keeps them: the address anonymised (a.b.c.0, an IPv6 /48), the browser truncated.
        ip_address: anonymiseIp(v.ip),
        user_agent: truncateUserAgent(v.user_agent),
      })
      .returning();
    const out = publicSession(row!);
    await writeAudit(tx, {
      action: 'create',
      table: 'sessions',
      recordId: out.id,
      operation: 'identity.login',
      after: { user_id: user.id, expires: out.expires, second_factor },
    });
    return out;
  });
  return { token, session, user: publicUser(user) };
}

async function findSession(ctx: Ctx, token: unknown) {
  if (typeof token !== 'string' || token.length < 20 || token.length > 200) return undefined;
  const digest = sha256(token);
  // Kept in the process's AccessCache under the digest; any change to sessions or users drops it.
  if (ctx.cache && !ctx.inTx) return ctx.cache.get(`session:${digest}`, () => lookupSession(ctx, digest));
  return lookupSession(ctx, digest);
}

async function lookupSession(ctx: Ctx, digest: string) {
  const [row] = await ctx.db
    .select({ session: sessions, user: users })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.user_id))
    .where(eq(sessions.token_hash, digest));
  // The lookup already matched the digest; the constant-time check keeps that true by construction.
  // The password hash is dropped here: nothing downstream needs it, and it is never cached.
  return row && digestsEqual(row.session.token_hash, digest) ? { session: row.session, user: { ...row.user, password_hash: null } } : undefined;
}

/** The signed-in user behind a session token, or UNAUTHORIZED (unknown, expired, ended, or user disabled). */
export async function authenticateSession(ctx: Ctx, token: string): Promise<{ user: PublicUser; session: PublicSession }> {
  const found = await findSession(ctx, token);
  const now = ctx.now();
  if (!found || found.session.revoked_at !== null || found.session.expires <= now || !isActive(found.user)) {
    throw new AppError('UNAUTHORIZED', BAD_SESSION);
  }
  let session = found.session;
  if (!session.last_seen_at || now.getTime() - session.last_seen_at.getTime() >= SEEN_EVERY_MS) {
    const [row] = await ctx.db
      .update(sessions)
      .set({ last_seen_at: now })
      .where(and(eq(sessions.id, session.id), or(isNull(sessions.last_seen_at), lt(sessions.last_seen_at, now))))
      .returning();
    session = row ?? { ...session, last_seen_at: now };
    ctx.cache?.update(`session:${sha256(token)}`, { ...found, session });
  }
  return { user: publicUser(found.user), session: publicSession(session) };
}

/** Ends the session of this token at once; an unknown or already ended token changes nothing. */
export async function logout(ctx: Ctx, token: string): Promise<{ revoked: boolean }> {
  const found = await findSession(ctx, token);
  if (!found || found.session.revoked_at !== null) return { revoked: false };
  return withTx({ ...ctx, actor: userActor(publicUser(found.user)) }, async (tx) => {
    const now = tx.now();
    accessChanged(tx);
    const rows = await tx.db
      .update(sessions)
      .set({ revoked_at: now })
      .where(and(eq(sessions.id, found.session.id), isNull(sessions.revoked_at)))
      .returning({ id: sessions.id });
    if (!rows.length) return { revoked: false };
    await writeAudit(tx, {
      action: 'update',
      table: 'sessions',
      recordId: found.session.id,
      operation: 'identity.logout',
      before: { revoked_at: null },
      after: { revoked_at: now },
    });
    return { revoked: true };
  });
}
