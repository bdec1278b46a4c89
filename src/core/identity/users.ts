/**
 * Users: create, set a password, disable and enable, change role. Administrators manage
 * users; nobody hands out a role above their own, and the last active administrator can be
 * neither demoted nor disabled. Every change is audited without the password or its hash.
 */
import { and, eq, isNull, sql } from 'drizzle-orm';
import { z } from 'zod';
import { sessions } from '../../db/schema/access.ts';
import { USER_ROLES, users, type UserRole } from '../../db/schema/platform.ts';
import { accessChanged, withTx, type Ctx } from '../context.ts';
import { AppError, invalid, parseInput } from '../errors.ts';
import { writeAudit } from '../platform/audit.ts';
import { insertRecord } from '../resource.ts';
import { resource } from '../resources.ts';
import { confirmPassword } from './login-throttle.ts';
import { identityOptions, type IdentityConfig } from './options.ts';
import { checkPasswordPolicy, hashPassword } from './passwords.ts';
import { actingUserId, requireRole, roleAtLeast } from './roles.ts';
import { assertNotLastAdmin, loadUser, publicUser, type PublicUser } from './user-record.ts';

const usersResource = () => resource('users');

function assertPolicy(password: string, person: { email: string; name: string | null }) {
  const problems = checkPasswordPolicy(password, person);
  if (problems.length) throw invalid(problems.map((message) => ({ field: 'password', message })));
}

function assertRoleWithin(ctx: Ctx, role: UserRole, what: string) {
  if (!roleAtLeast(ctx.actor.role, role)) {
    throw new AppError('FORBIDDEN', `${what} cannot have a role above your own (${ctx.actor.role})`, {
      details: { fields: [{ field: 'role', message: `must be at most ${ctx.actor.role}` }] },
    });
  }
}

/** Ends every live session of a user; returns how many were ended. */
export async function revokeUserSessions(ctx: Ctx, userId: string): Promise<number> {
  accessChanged(ctx);
  const rows = await ctx.db
    .update(sessions)
    .set({ revoked_at: ctx.now() })
    .where(and(eq(sessions.user_id, userId), isNull(sessions.revoked_at)))
    .returning({ id: sessions.id });
  return rows.length;
}

export const CreateUserInput = z.strictObject({
  email: z.email().max(320),
  name: z.string().trim().min(1).max(200),
  role: z.enum(USER_ROLES),
  password: z.string().max(1024).optional(),
});
export type CreateUserInput = z.infer<typeof CreateUserInput>;

export async function createUser(ctx: Ctx, input: CreateUserInput, config: IdentityConfig = {}): Promise<PublicUser> {
  requireRole(ctx, 'admin', 'Creating a user');
  const v = parseInput(CreateUserInput, input);
  assertRoleWithin(ctx, v.role, 'A new user');
  const email = v.email.trim();
  let password_hash: string | null = null;
  if (v.password !== undefined) {
    assertPolicy(v.password, { email, name: v.name });
    password_hash = await hashPassword(v.password, identityOptions(config).argon2);
  }
  const row = await insertRecord(ctx, usersResource(), { email, name: v.name, role: v.role, password_hash }, 'identity.create_user');
  return row as PublicUser;
}

export const SetPasswordInput = z.strictObject({
  user_id: z.string(),
  password: z.string().max(1024),
  current_password: z.string().max(1024).optional(),
});
export type SetPasswordInput = z.infer<typeof SetPasswordInput>;

/**
 * Your own password needs the current one; an administrator may set anyone else's. Every
 * session of the user ends, here included: the caller signs in again with the new password.
 * Must not run inside a transaction (a wrong current password is counted).
 */
export async function setPassword(
  ctx: Ctx,
  input: SetPasswordInput,
  config: IdentityConfig = {},
): Promise<{ user: PublicUser; sessions_revoked: number }> {
  const v = parseInput(SetPasswordInput, input);
  const o = identityOptions(config);
  const target = await loadUser(ctx, v.user_id);
  const own = actingUserId(ctx.actor) === target.id;
  if (own) {
    if (v.current_password === undefined) {
      throw invalid([{ field: 'current_password', message: 'is required to change your own password' }]);
    }
    if (!(await confirmPassword(ctx, target, v.current_password, o))) {
      throw new AppError('FORBIDDEN', 'The current password is not correct', {
        details: { fields: [{ field: 'current_password', message: 'is not correct' }] },
      });
    }
  } else {
    requireRole(ctx, 'admin', "Changing another user's password");
  }
  assertPolicy(v.password, { email: target.email, name: target.name });
  const password_hash = await hashPassword(v.password, o.argon2);
  return withTx(ctx, async (tx) => {
    accessChanged(tx);
    const sessions_revoked = await revokeUserSessions(tx, target.id);
    const row = await updateUserRow(tx, target.id, { password_hash }, {
      operation: 'identity.set_password',
      before: { password: target.password_hash === null ? 'none' : 'set' },
      after: { password: 'changed', sessions_revoked },
    });
    return { user: publicUser(row), sessions_revoked };
  });
}

/** Writes columns of a user as a new version, with its audit row: what the verbs that change a user share. Call inside a transaction. */
export async function updateUserRow(
  tx: Ctx,
  userId: string,
  set: Partial<Pick<typeof users.$inferInsert, 'password_hash' | 'disabled_at' | 'role' | 'digest_enabled'>>,
  audit: { operation: string; before: Record<string, unknown>; after: Record<string, unknown> },
): Promise<typeof users.$inferSelect> {
  const [row] = await tx.db
    .update(users)
    .set({ ...set, updated_at: tx.now(), version: sql`${users.version} + 1` })
    .where(eq(users.id, userId))
    .returning();
  await writeAudit(tx, { action: 'update', table: 'users', recordId: userId, ...audit });
  return row!;
}

export const UserIdInput = z.strictObject({ user_id: z.string() });
export type UserIdInput = z.infer<typeof UserIdInput>;

/** Disabling ends the user's sessions; their API keys stay but stop working until re-enabled. */
export async function disableUser(ctx: Ctx, input: UserIdInput): Promise<{ user: PublicUser; sessions_revoked: number }> {
  requireRole(ctx, 'admin', 'Disabling a user');
  const { user_id } = parseInput(UserIdInput, input);
  return withTx(ctx, async (tx) => {
    const user = await loadUser(tx, user_id, true);
    if (user.disabled_at !== null) return { user: publicUser(user), sessions_revoked: 0 };
    await assertNotLastAdmin(tx, user, 'Disabling this administrator');
    const now = tx.now();
    accessChanged(tx);
    const sessions_revoked = await revokeUserSessions(tx, user.id);
    const row = await updateUserRow(tx, user.id, { disabled_at: now }, { operation: 'identity.disable_user', before: { disabled_at: null }, after: { disabled_at: now, sessions_revoked } });
    return { user: publicUser(row), sessions_revoked };
  });
}

export async function enableUser(ctx: Ctx, input: UserIdInput): Promise<PublicUser> {
  requireRole(ctx, 'admin', 'Enabling a user');
  const { user_id } = parseInput(UserIdInput, input);
  return withTx(ctx, async (tx) => {
    const user = await loadUser(tx, user_id, true);
    if (user.disabled_at === null) return publicUser(user);
    accessChanged(tx);
    return publicUser(await updateUserRow(tx, user.id, { disabled_at: null }, { operation: 'identity.enable_user', before: { disabled_at: user.disabled_at }, after: { disabled_at: null } }));
  });
}

export const ChangeRoleInput = z.strictObject({ user_id: z.string(), role: z.enum(USER_ROLES) });
export type ChangeRoleInput = z.infer<typeof ChangeRoleInput>;

/** Administrators only; a role change takes effect on the user's next request (sessions and keys read the current role). */
export async function changeRole(ctx: Ctx, input: ChangeRoleInput): Promise<PublicUser> {
  requireRole(ctx, 'admin', "Changing a user's role");
  const v = parseInput(ChangeRoleInput, input);
  return withTx(ctx, async (tx) => {
    const user = await loadUser(tx, v.user_id, true);
    if (user.role === v.role) return publicUser(user);
    if (v.role !== 'admin') await assertNotLastAdmin(tx, user, 'Demoting this administrator');
    accessChanged(tx);
    return publicUser(await updateUserRow(tx, user.id, { role: v.role }, { operation: 'identity.change_role', before: { role: user.role }, after: { role: v.role } }));
  });
}
