/** The Actor (src/core/context.ts) a verb runs as, from an authenticated user or API key. */
import type { Actor } from '../context.ts';
import type { PublicApiKey } from './api-keys.ts';
import { lowerRole } from './roles.ts';
import type { PublicUser } from './user-record.ts';

export function userActor(user: Pick<PublicUser, 'id' | 'email' | 'name' | 'role'>): Actor {
  return { type: 'user', id: user.id, label: user.name ? `${user.name} <${user.email}>` : user.email, role: user.role };
}

/** A key acts for its owner with the lower of its own role and the owner's current role. */
export function apiKeyActor(user: Pick<PublicUser, 'id' | 'email' | 'role'>, key: Pick<PublicApiKey, 'id' | 'name' | 'prefix' | 'role'>): Actor {
  return {
    type: 'api_key',
    id: key.id,
    label: `API key "${key.name}" (tl_${key.prefix}) of ${user.email}`,
    role: lowerRole(key.role, user.role),
    onBehalfOf: user.id,
  };
}
