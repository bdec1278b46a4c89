/** Reading users for identity verbs; what leaves the core never carries the password hash. */
import { and, eq, isNull, sql } from 'drizzle-orm';
import { users } from '../../db/schema/platform.ts';
import type { Ctx } from '../context.ts';
import { notFound } from '../errors.ts';
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
