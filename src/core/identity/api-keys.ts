/**
 * API keys: `tl_<prefix>_<secret>`, shown once. The prefix (40 random bits, hex) finds the
 * key and tells people which one it is; the whole key is stored only as a SHA-256 digest,
 * compared in constant time. A key acts for the user who made it, never above their role.
 */
import { randomBytes } from 'node:crypto';
import { and, desc, eq, gt, isNull, lte, or, sql } from 'drizzle-orm';
import { z } from 'zod';
import { api_keys } from '../../db/schema/access.ts';
import { USER_ROLES } from '../../db/schema/platform.ts';
import { accessChanged, withTx, type Ctx } from '../context.ts';
import { AppError, invalid, notFound, parseInput } from '../errors.ts';
import { writeAudit } from '../platform/audit.ts';
import { insertRecord, readRows, type Row } from '../resource.ts';
import { resource } from '../resources.ts';
import { isUuid } from '../fields.ts';
import { digestsEqual, randomToken, sha256 } from './crypto.ts';
import { actingUserId, lowerRole, roleAtLeast } from './roles.ts';
import { isActive, loadUser, publicUser, type PublicUser, type UserRow } from './user-record.ts';

export type ApiKeyRow = typeof api_keys.$inferSelect;
export type PublicApiKey = Omit<ApiKeyRow, 'key_hash'>;

function publicApiKey(row: ApiKeyRow): PublicApiKey {
  const { key_hash: _hidden, ...rest } = row;
  return rest;
}

const KEY_FORMAT = /^tl_([0-9a-f]{10})_([A-Za-z0-9_-]{43})$/;
const BAD_KEY = 'The API key is not valid';
/** `last_used_at` is written at most this often. */
const USED_EVERY_MS = 60_000;

export const CreateApiKeyInput = z.strictObject({
  name: z.string().trim().min(1).max(100),
  role: z.enum(USER_ROLES).optional(),
  expires_at: z.coerce.date().optional(),
});
export type CreateApiKeyInput = z.input<typeof CreateApiKeyInput>;

/** Makes a key for the signed-in user; the plain key is in the result and nowhere else, ever. */
export async function createApiKey(ctx: Ctx, input: CreateApiKeyInput): Promise<{ key: string; api_key: PublicApiKey }> {
  if (ctx.actor.type !== 'user' || !ctx.actor.id) {
    throw new AppError('FORBIDDEN', 'API keys are created by a signed-in user, for themselves');
  }
  const v = parseInput(CreateApiKeyInput, input);
  const owner = await loadUser(ctx, ctx.actor.id);
  if (!isActive(owner)) throw new AppError('FORBIDDEN', 'This account is disabled');
  const ceiling = lowerRole(owner.role, ctx.actor.role);
  const role = v.role ?? ceiling;
  if (!roleAtLeast(ceiling, role)) {
    throw new AppError('FORBIDDEN', `An API key cannot have a role above your own (${ceiling})`, {
      details: { fields: [{ field: 'role', message: `must be at most ${ceiling}` }] },
    });
  }
  if (v.expires_at && v.expires_at.getTime() <= ctx.now().getTime()) {
    throw invalid([{ field: 'expires_at', message: 'must be in the future' }]);
  }
  const prefix = randomBytes(5).toString('hex');
  const key = `tl_${prefix}_${randomToken()}`;
  const row = await insertRecord(
    ctx,
    resource('api_keys'),
    {
      user_id: owner.id,
      name: v.name,
      prefix,
      key_hash: sha256(key),
      role,
      expires_at: v.expires_at ?? null,
      created_by: owner.id,
    },
    'identity.create_api_key',
  );
  return { key, api_key: row as PublicApiKey };
}

export const ListOwnApiKeysInput = z.strictObject({
  include_revoked: z.stringbool().optional().describe('also list revoked and expired keys'),
});

/** The caller's own keys (never the secret), newest first: what a user needs to find and revoke one. */
export async function listOwnApiKeys(ctx: Ctx, input: z.infer<typeof ListOwnApiKeysInput> = {}): Promise<{ items: PublicApiKey[] }> {
  const me = actingUserId(ctx.actor);
  if (!me) return { items: [] };
  const now = ctx.now();
  const rows = await ctx.db
    .select()
    .from(api_keys)
    .where(
      input.include_revoked
        ? eq(api_keys.user_id, me)
        : and(eq(api_keys.user_id, me), isNull(api_keys.revoked_at), isNull(api_keys.archived_at), or(isNull(api_keys.expires_at), gt(api_keys.expires_at, now))),
    )
    .orderBy(desc(api_keys.created_at), desc(api_keys.id))
    .limit(500);
  return { items: rows.map(publicApiKey) };
}

export const RevokeApiKeyInput = z.strictObject({ id: z.string() });
export type RevokeApiKeyInput = z.infer<typeof RevokeApiKeyInput>;

/** The owner or an administrator revokes a key; it stops working at once. Others see no such key. */
export async function revokeApiKey(ctx: Ctx, input: RevokeApiKeyInput): Promise<PublicApiKey> {
  const { id } = parseInput(RevokeApiKeyInput, input);
  if (!isUuid(id)) throw notFound('API key', id);
  return withTx(ctx, async (tx) => {
    const [row] = await tx.db.select().from(api_keys).where(eq(api_keys.id, id)).for('update');
    if (!row || (row.user_id !== actingUserId(tx.actor) && !roleAtLeast(tx.actor.role, 'admin'))) throw notFound('API key', id);
    if (row.revoked_at) return publicApiKey(row);
    const now = tx.now();
    accessChanged(tx);
    const [updated] = await tx.db
      .update(api_keys)
      .set({ revoked_at: now, updated_at: now, version: row.version + 1 })
      .where(eq(api_keys.id, id))
      .returning();
    await writeAudit(tx, {
      action: 'update',
      table: 'api_keys',
      recordId: id,
      operation: 'identity.revoke_api_key',
      before: { revoked_at: null },
      after: { revoked_at: now },
    });
    return publicApiKey(updated!);
  });
}

type KeyMatch = { key: ApiKeyRow; user: UserRow };

async function lookupKey(ctx: Ctx, prefix: string, digest: string): Promise<KeyMatch | undefined> {
  // Every API request may run this: one narrow raw query (rows as JSON) instead of the
  // query builder's join, which cost twice as much per request on PGlite.
  const result = (await ctx.db.execute(
    sql`select to_jsonb(k) as k, to_jsonb(u) - 'password_hash' as u
          from api_keys k join users u on u.id = k.user_id
         where k.prefix = ${prefix}`,
  )) as unknown as { rows: { k: Row; u: Row }[] };
  const candidates = result.rows.map((r) => ({
    key: readRows(resource('api_keys'), [r.k])[0] as ApiKeyRow,
    user: readRows(resource('users'), [r.u])[0] as UserRow,
  }));
  return candidates.find((c) => digestsEqual(c.key.key_hash, digest));
}

/**
 * The key's owner and the key, or UNAUTHORIZED (malformed, unknown, revoked, expired, owner
 * disabled). A key found is kept in the process's AccessCache under its digest, which any
 * change to keys or users drops (revocation included, at once).
 */
export async function authenticateApiKey(ctx: Ctx, key: string): Promise<{ user: PublicUser; key: PublicApiKey }> {
  const m = typeof key === 'string' ? KEY_FORMAT.exec(key) : null;
  if (!m) throw new AppError('UNAUTHORIZED', BAD_KEY);
  const digest = sha256(key);
  const cacheKey = `api_key:${digest}`;
  const found = ctx.cache && !ctx.inTx ? await ctx.cache.get(cacheKey, () => lookupKey(ctx, m[1]!, digest)) : await lookupKey(ctx, m[1]!, digest);
  const now = ctx.now();
  if (
    !found ||
    found.key.revoked_at !== null ||
    found.key.archived_at !== null ||
    (found.key.expires_at !== null && found.key.expires_at <= now) ||
    !isActive(found.user)
  ) {
    throw new AppError('UNAUTHORIZED', BAD_KEY);
  }
  let row = found.key;
  if (!row.last_used_at || now.getTime() - row.last_used_at.getTime() >= USED_EVERY_MS) {
    const [updated] = await ctx.db
      .update(api_keys)
      .set({ last_used_at: now })
      .where(and(eq(api_keys.id, row.id), or(isNull(api_keys.last_used_at), lte(api_keys.last_used_at, new Date(now.getTime() - USED_EVERY_MS)))))
      .returning();
    row = updated ?? { ...row, last_used_at: now };
    ctx.cache?.update(cacheKey, { ...found, key: row });
  }
  return { user: publicUser(found.user), key: publicApiKey(row) };
}
