/** The Actor (src/core/context.ts) a verb runs as, from an authenticated user or API key. */
import type { Actor } from '../context.ts';
import type { PublicApiKey } from './api-keys.ts';
import type { UserRole } from '../../db/schema/platform.ts';
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

/**
 * An AI agent (an MCP client) acting for a user: with an API key, as the key acts (the lower of
 * its role and its owner's); without one (a local stdio server), with the user's role, or
 * the lower role the configuration names. Audited as an agent on behalf of the user.
 */
export function agentActor(
  user: Pick<PublicUser, 'id' | 'email' | 'role'>,
  via: { key: Pick<PublicApiKey, 'id' | 'name' | 'prefix' | 'role'> } | { role?: UserRole | undefined },
): Actor {
  if ('key' in via) {
    const k = via.key;
    return { type: 'agent', id: k.id, label: `MCP agent for ${user.email} (API key "${k.name}", tl_${k.prefix})`, role: lowerRole(k.role, user.role), onBehalfOf: user.id };
  }
  return { type: 'agent', id: user.id, label: `MCP agent for ${user.email} (local)`, role: via.role ? lowerRole(via.role, user.role) : user.role, onBehalfOf: user.id };
}
