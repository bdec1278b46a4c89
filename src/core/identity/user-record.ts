/** Reading users for identity verbs; what leaves the core never carries the password hash. */
import { and, eq, isNull, sql } from 'drizzle-orm';
import { users } from '../../db/schema/platform.ts';
import type { Ctx } from '../context.ts';
import { AppError, notFound } from '../errors.ts';
import { isUuid } from '../fields.ts';

export type UserRow = typeof users.$inferSelect;
export type PublicUser = Omit<UserRow, 'password_hash'>;

export function publicUser(row: UserRow): PublicUser {
  const { password_hash: _hidden, ...rest } = row;
  return rest;
}

/** A user by id (NOT_FOUND otherwise); `lock` holds the row until the transaction ends. */
export async function loadUser(ctx: Ctx, id: string, lock = false): Promise<UserRow> {
  if (!isUuid(id)) throw notFound('user', id);
  const q = ctx.db.select().from(users).where(eq(users.id, id));
  const [row] = await (lock ? q.for('update') : q);
  if (!row) throw notFound('user', id);
  return row;
}

/** The live (not archived) user with this email, compared case-insensitively. */
export async function findUserByEmail(ctx: Ctx, email: string): Promise<UserRow | undefined> {
  const [row] = await ctx.db
    .select()
    .from(users)
    .where(and(sql`lower(${users.email}) = ${email.trim().toLowerCase()}`, isNull(users.archived_at)));
  return row;
}

/** Active: neither disabled nor archived. */
export const isActive = (u: Pick<UserRow, 'disabled_at' | 'archived_at'>) => u.disabled_at === null && u.archived_at === null;

/** Refuses when `user` is the only active administrator; locks the administrators' rows meanwhile. */
export async function assertNotLastAdmin(ctx: Ctx, user: UserRow, what: string) {
  if (user.role !== 'admin' || user.disabled_at !== null || user.archived_at !== null) return;
  // Locking every active admin row serialises concurrent demotions, so two admins cannot demote each other at once.
  const admins = await ctx.db
    .select({ id: users.id })
    .from(users)
    .where(and(eq(users.role, 'admin'), isNull(users.disabled_at), isNull(users.archived_at)))
    .for('update');
  if (admins.length <= 1) {
    throw new AppError('CONFLICT', `${what} would leave no active administrator; make someone else an administrator first`, {
      details: { reason: 'last_admin' },
    });
  }
}
