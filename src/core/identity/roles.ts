/** Role order and the checks every identity verb shares. */
import type { UserRole } from '../../db/schema/platform.ts';
import type { Actor, Ctx } from '../context.ts';
import { AppError } from '../errors.ts';

const RANK: Record<UserRole, number> = { viewer: 0, editor: 1, admin: 2 };

export const roleAtLeast = (role: UserRole, min: UserRole) => RANK[role] >= RANK[min];

/** The less powerful of two roles. */
export const lowerRole = (a: UserRole, b: UserRole): UserRole => (RANK[a] <= RANK[b] ? a : b);

export function requireRole(ctx: Ctx, min: UserRole, what: string): void {
  if (!roleAtLeast(ctx.actor.role, min)) {
    throw new AppError('FORBIDDEN', `${what} needs the ${min} role; you are ${article(ctx.actor.role)} ${ctx.actor.role}`, {
      details: { required_role: min },
    });
  }
}

const article = (role: UserRole) => (role === 'admin' || role === 'editor' ? 'an' : 'a');

/** The user an actor speaks for: the user itself, or the user behind a key or an agent. */
export function actingUserId(actor: Actor): string | null {
  if (actor.type === 'user') return actor.id;
  if (actor.type === 'api_key' || actor.type === 'agent') return actor.onBehalfOf ?? null;
  return null;
}
