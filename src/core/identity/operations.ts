/**
 * Identity as registry operations: sign-in and sign-out, who am I, managing users, API keys,
 * the second factor and sign-in blocks. The verbs decide who may do what to whom (your own
 * password or key versus someone else's); the scope here is the least role that may try.
 * Verbs that check a password are `transactional: false`: their failures are counted
 * outside any transaction.
 */
import { z } from 'zod';
import type { Ctx } from '../context.ts';
import type { Operation } from '../registry.ts';
import { createApiKey, CreateApiKeyInput, listOwnApiKeys, ListOwnApiKeysInput, revokeApiKey, RevokeApiKeyInput } from './api-keys.ts';
import { liftLoginBlock, LiftLoginBlockInput } from './login-throttle.ts';
import { login, LoginInput, logout } from './sessions.ts';
import {
  beginTotpEnrolment,
  ConfirmTotpInput,
  confirmTotpEnrolment,
  disableTotp,
  regenerateRecoveryCodes,
  TotpChangeInput,
  totpStatus,
} from './totp.ts';
import { actingUserId } from './roles.ts';
import { loadUser, publicUser, type PublicUser } from './user-record.ts';
import {
  changeRole,
  ChangeRoleInput,
  createUser,
  CreateUserInput,
  disableUser,
  enableUser,
  setPassword,
  SetPasswordInput,
  UserIdInput,
} from './users.ts';

const TAG = 'identity';

/** The caller as the core sees them: the actor, the user behind it (if any) and the credential used. */
export async function whoAmI(ctx: Ctx): Promise<{
  actor: { type: string; id: string | null; label: string; role: string; on_behalf_of: string | null };
  user: PublicUser | null;
  credential: { kind: 'session' | 'api_key'; id: string } | null;
}> {
  const userId = actingUserId(ctx.actor);
  const user = userId ? publicUser(await loadUser(ctx, userId)) : null;
  const a = ctx.actor;
  return {
    actor: { type: a.type, id: a.id, label: a.label, role: a.role, on_behalf_of: a.onBehalfOf ?? null },
    user,
    credential: ctx.credential ? { kind: ctx.credential.kind, id: ctx.credential.id } : null,
  };
}

const described = {
  userId: z.string().max(200).describe('the user'),
  password: z.string().max(1024).optional().describe("the user's password (needed unless an administrator turns off someone else's second factor)"),
};

/**
 * The TOTP changes share one shape: the user in the path, their password (or an admin),
 * no transaction (failed passwords are counted), and a verb taking the identity settings.
 */
function totpChange<I extends TotpChangeInput>(
  name: string,
  summary: string,
  description: string,
  segment: string,
  verb: (ctx: Ctx, input: I, config: Ctx['identity']) => Promise<unknown>,
  schema: z.ZodObject = TotpChangeInput,
): Operation {
  return {
    name: `users.totp_${name}`,
    summary,
    description,
    tag: 'users',
    scope: 'read',
    transactional: false,
    destructive: false,
    kind: 'action',
    input: schema.extend({ user_id: described.userId, password: described.password }),
    http: { method: 'post', path: `/api/v1/users/{user_id}/totp/${segment}` },
    run: (ctx, input: I) => verb(ctx, input, ctx.identity),
  };
}

export const identityOperations: Operation[] = [
  {
    name: 'auth.login',
    summary: 'Sign in with email and password',
    description:
      'Starts a session: sets the `throughline_session` cookie (HttpOnly, SameSite=Lax) and returns the token once for clients that are not browsers (send it as `Authorization: Bearer <token>`). Users with a second factor add `totp` (an authenticator code or a recovery code). Failures are slowed down per account and address, and blocked after 100 in a row until an administrator lifts the block.',
    tag: TAG,
    scope: 'read',
    public: true,
    transactional: false,
    destructive: false,
    kind: 'action',
    input: LoginInput.pick({ email: true, password: true, totp: true }),
    http: { method: 'post', path: '/api/v1/auth/login', session: 'start' },
    run: (ctx, input: Pick<LoginInput, 'email' | 'password' | 'totp'>) =>
      login(
        ctx,
        { ...input, ip: ctx.meta?.ip || 'unknown', ...(ctx.meta?.userAgent ? { user_agent: ctx.meta.userAgent } : {}) },
        ctx.identity,
      ),
  },
  {
    name: 'auth.logout',
    summary: 'Sign out',
    description: 'Ends the session this request was made with and clears the cookie; the token stops working at once. (An API key is revoked with api_keys.revoke instead.)',
    tag: TAG,
    scope: 'read',
    destructive: false,
    kind: 'action',
    input: z.strictObject({}),
    http: { method: 'post', path: '/api/v1/auth/logout', session: 'end' },
    run: async (ctx) => (ctx.credential?.kind === 'session' ? logout(ctx, ctx.credential.token) : { revoked: false }),
  },
  {
    name: 'auth.me',
    summary: 'Who am I',
    description: 'The signed-in user (or the user behind the API key), the role the request acts with, and the credential used.',
    tag: TAG,
    scope: 'read',
    destructive: false,
    kind: 'action',
    input: z.strictObject({}),
    http: { method: 'get', path: '/api/v1/auth/me' },
    run: (ctx) => whoAmI(ctx),
  },
  {
    name: 'auth.lift_login_block',
    summary: 'Lift a sign-in block',
    description: 'Administrators clear the failed sign-in count (and any block) of an account, for one source address or all of them.',
    tag: TAG,
    scope: 'admin',
    destructive: false,
    kind: 'action',
    input: LiftLoginBlockInput,
    http: { method: 'post', path: '/api/v1/auth/lift-login-block' },
    run: (ctx, input: LiftLoginBlockInput) => liftLoginBlock(ctx, input),
  },
  {
    name: 'users.create',
    summary: 'Create a user',
    description: 'Administrators add a user with a role (never above their own) and, optionally, a password that meets the policy (8 to 256 characters, not a common one, not your email or name).',
    tag: 'users',
    scope: 'admin',
    destructive: false,
    kind: 'action',
    input: CreateUserInput,
    http: { method: 'post', path: '/api/v1/users', status: 201 },
    run: (ctx, input: CreateUserInput) => createUser(ctx, input, ctx.identity),
  },
  {
    name: 'users.set_password',
    summary: "Set a user's password",
    description: "Your own password needs `current_password`; administrators may set anyone else's. Every session of the user ends (sign in again).",
    tag: 'users',
    scope: 'read',
    transactional: false,
    destructive: false,
    kind: 'action',
    input: SetPasswordInput.extend({ user_id: described.userId }),
    http: { method: 'post', path: '/api/v1/users/{user_id}/password' },
    run: (ctx, input: SetPasswordInput) => setPassword(ctx, input, ctx.identity),
  },
  {
    name: 'users.disable',
    summary: 'Disable a user',
    description: 'Ends their sessions and stops their API keys until they are enabled again. The last active administrator cannot be disabled.',
    tag: 'users',
    scope: 'admin',
    destructive: false,
    kind: 'action',
    input: UserIdInput,
    http: { method: 'post', path: '/api/v1/users/{user_id}/disable' },
    run: (ctx, input: UserIdInput) => disableUser(ctx, input),
  },
  {
    name: 'users.enable',
    summary: 'Enable a disabled user',
    tag: 'users',
    scope: 'admin',
    destructive: false,
    kind: 'action',
    input: UserIdInput,
    http: { method: 'post', path: '/api/v1/users/{user_id}/enable' },
    run: (ctx, input: UserIdInput) => enableUser(ctx, input),
  },
  {
    name: 'users.change_role',
    summary: "Change a user's role",
    description: 'Administrators only; takes effect on the next request. The last active administrator cannot be demoted.',
    tag: 'users',
    scope: 'admin',
    destructive: false,
    kind: 'action',
    input: ChangeRoleInput,
    http: { method: 'post', path: '/api/v1/users/{user_id}/role' },
    run: (ctx, input: ChangeRoleInput) => changeRole(ctx, input),
  },
  {
    name: 'users.totp_status',
    summary: 'Two-factor status of a user',
    description: 'Whether TOTP is on, pending confirmation, and how many recovery codes are left: the user or an administrator.',
    tag: 'users',
    scope: 'read',
    destructive: false,
    kind: 'action',
    input: UserIdInput,
    http: { method: 'get', path: '/api/v1/users/{user_id}/totp' },
    run: (ctx, input: UserIdInput) => totpStatus(ctx, input),
  },
  totpChange('enrol', 'Begin two-factor enrolment', "Returns a new TOTP secret and its otpauth:// URI (for the QR code), shown once; confirm with the first code. Needs the user's password.", 'enrol', beginTotpEnrolment),
  totpChange('confirm', 'Confirm two-factor enrolment', 'The first valid code turns TOTP on; the ten recovery codes are returned this once.', 'confirm', confirmTotpEnrolment, ConfirmTotpInput),
  totpChange('disable', 'Turn off two-factor authentication', 'The user with their password, or an administrator for someone else (a lost phone).', 'disable', disableTotp),
  totpChange('recovery_codes', 'Replace the recovery codes', "Ten new recovery codes, returned this once; the old ones stop working. Needs the user's password.", 'recovery-codes', regenerateRecoveryCodes),
  {
    name: 'api_keys.create',
    revealsSecret: true,
    summary: 'Create an API key for yourself',
    description:
      'Signed-in users make keys for themselves, with a role no higher than their own and an optional expiry. The key is in this response and nowhere else, ever: only its digest is stored. Send it as `Authorization: Bearer <key>`.',
    tag: 'api_keys',
    scope: 'read',
    destructive: false,
    kind: 'action',
    input: CreateApiKeyInput,
    http: { method: 'post', path: '/api/v1/api_keys', status: 201 },
    run: (ctx, input: CreateApiKeyInput) => createApiKey(ctx, input),
  },
  {
    name: 'api_keys.mine',
    summary: 'List your own API keys',
    description: 'The keys of the signed-in user (or of the user behind the key in use), newest first, without their secrets: name, prefix, role, expiry, last use. Live keys only unless `include_revoked=true`.',
    tag: 'api_keys',
    scope: 'read',
    destructive: false,
    kind: 'action',
    input: ListOwnApiKeysInput,
    http: { method: 'get', path: '/api/v1/auth/api-keys' },
    run: (ctx, input: z.infer<typeof ListOwnApiKeysInput>) => listOwnApiKeys(ctx, input),
  },
  {
    name: 'api_keys.revoke',
    summary: 'Revoke an API key',
    description: 'The owner or an administrator; the key stops working at once.',
    tag: 'api_keys',
    scope: 'read',
    destructive: false,
    kind: 'action',
    input: RevokeApiKeyInput.extend({ id: z.string().max(200) }),
    http: { method: 'post', path: '/api/v1/api_keys/{id}/revoke' },
    run: (ctx, input: RevokeApiKeyInput) => revokeApiKey(ctx, input),
  },
];
