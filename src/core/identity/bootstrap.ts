/**
 * What a server checks and sets up about sign-in when it starts: whether anyone can sign in
 * with a password that is not public, a first administrator when nobody can sign in at all,
 * and the local operator's API key that the CLI on the same machine uses.
 */
import { and, asc, eq, isNotNull, isNull, sql } from 'drizzle-orm';
import { api_keys } from '../../db/schema/access.ts';
import { users } from '../../db/schema/platform.ts';
import { accessChanged, SYSTEM, withTx, type Ctx } from '../context.ts';
import { AppError } from '../errors.ts';
import { writeAudit } from '../platform/audit.ts';
import { insertRecord } from '../resource.ts';
import { resource } from '../resources.ts';
import { userActor } from './actor.ts';
import { authenticateApiKey, createApiKey, revokeApiKey } from './api-keys.ts';
import { randomToken, sha256 } from './crypto.ts';
import { identityOptions, type IdentityConfig } from './options.ts';
import { hashPassword, verifyPassword } from './passwords.ts';
import { lowerRole } from './roles.ts';
import { findUserByEmail, publicUser } from './user-record.ts';

export const FIRST_ADMIN_EMAIL = 'admin@localhost';
export const OPERATOR_KEY_NAME = 'Local CLI (cli.key)';

/** Any constant works; it only has to be the same in every Throughline process (and differ from the migrations' lock). */
const FIRST_ADMIN_LOCK = 7_401_532_902;

const activeWithPassword = and(isNotNull(users.password_hash), isNull(users.disabled_at), isNull(users.archived_at));

/**
 * True when some active user can sign in with a password nobody else knows: any password
 * except a published demo one (`published`: the demo accounts and their documented passwords).
 */
export async function privateCredentialsExist(ctx: Ctx, published: readonly { email: string; password: string }[] = []): Promise<boolean> {
  const rows = await ctx.db.select({ email: users.email, hash: users.password_hash }).from(users).where(activeWithPassword);
  for (const r of rows) {
    const demo = published.find((p) => p.email.toLowerCase() === r.email.toLowerCase());
    if (!demo || !(await verifyPassword(r.hash!, demo.password))) return true;
  }
  return false;
}

/**
 * With no active user able to sign in, makes `admin@localhost` an administrator with a new
 * random password (creating the user if needed) and returns the password, this once.
 * Otherwise changes nothing and returns null.
 */
export async function ensureFirstAdmin(ctx: Ctx, config: IdentityConfig = {}): Promise<{ email: string; password: string } | null> {
  const [any] = await ctx.db.select({ id: users.id }).from(users).where(activeWithPassword).limit(1);
  if (any) return null;
  // 144 random bits: far beyond guessing, and short enough to type once.
  const password = randomToken(18);
  const password_hash = await hashPassword(password, identityOptions(config).argon2);
  const system: Ctx = { ...ctx, actor: SYSTEM };
  const made = await withTx(system, async (tx) => {
    // Servers of one PostgreSQL database may start at once: one makes the administrator, and the
    // others, waiting here, then see it and leave it (and the password it printed) alone.
    await tx.db.execute(sql`select pg_advisory_xact_lock(${FIRST_ADMIN_LOCK})`);
    const [someone] = await tx.db.select({ id: users.id }).from(users).where(activeWithPassword).limit(1);
    if (someone) return false;
    const existing = await findUserByEmail(tx, FIRST_ADMIN_EMAIL);
    if (!existing) {
      await insertRecord(tx, resource('users'), { email: FIRST_ADMIN_EMAIL, name: 'Administrator', role: 'admin', password_hash }, 'identity.first_admin');
      return true;
    }
    const now = tx.now();
    accessChanged(tx);
    await tx.db
      .update(users)
      .set({ password_hash, role: 'admin', disabled_at: null, updated_at: now, version: existing.version + 1 })
      .where(eq(users.id, existing.id));
    await writeAudit(tx, {
      action: 'update',
      table: 'users',
      recordId: existing.id,
      operation: 'identity.first_admin',
      before: { role: existing.role, disabled_at: existing.disabled_at, password: existing.password_hash === null ? 'none' : 'set' },
      after: { role: 'admin', disabled_at: null, password: 'changed' },
    });
    return true;
  });
  return made ? { email: FIRST_ADMIN_EMAIL, password } : null;
}

/**
 * The local operator's API key: `current` when it still works with the administrator role,
 * else a new administrator key of the first active administrator (the old one revoked).
 * Null when there is no active administrator to own one.
 */
export async function ensureOperatorKey(ctx: Ctx, current?: string): Promise<{ key: string; created: boolean } | null> {
  if (current) {
    try {
      const { user, key } = await authenticateApiKey(ctx, current);
      if (lowerRole(key.role, user.role) === 'admin') return { key: current, created: false };
    } catch (e) {
      if (!(e instanceof AppError && e.code === 'UNAUTHORIZED')) throw e;
    }
    const [old] = await ctx.db
      .select({ id: api_keys.id })
      .from(api_keys)
      .where(and(eq(api_keys.key_hash, sha256(current)), isNull(api_keys.revoked_at)));
    if (old) await revokeApiKey({ ...ctx, actor: SYSTEM }, { id: old.id });
  }
  const [admin] = await ctx.db
    .select()
    .from(users)
    .where(and(eq(users.role, 'admin'), isNull(users.disabled_at), isNull(users.archived_at)))
    .orderBy(asc(users.created_at), asc(users.id))
    .limit(1);
  if (!admin) return null;
  const { key } = await createApiKey({ ...ctx, actor: userActor(publicUser(admin)) }, { name: OPERATOR_KEY_NAME, role: 'admin' });
  return { key, created: true };
}
