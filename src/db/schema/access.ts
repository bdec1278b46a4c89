/** Access: sign-in sessions (001 Session), API keys, second factors and sign-in throttling. Secrets are stored only as hashes or encrypted. */
import { sql } from 'drizzle-orm';
import { bigint, index, integer, pgTable, text, uniqueIndex, uuid, varchar } from 'drizzle-orm/pg-core';
import { constraints, createdAt, editable, nonNegative, pk, tstz } from './columns.ts';
import { USER_ROLES, users } from './platform.ts';

/** Seed 001 Session; its sessionToken is kept only as `token_hash`, never the raw token. */
export const sessions = pgTable(
  'sessions',
  {
    id: pk(),
    user_id: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    token_hash: text().notNull(),
    expires: tstz().notNull(),
    created_at: createdAt(),
    last_seen_at: tstz(),
    ip_address: text(),
    user_agent: text(),
    revoked_at: tstz(),
  },
  (t) => [
    uniqueIndex('sessions_token_hash_key').on(t.token_hash),
    index('sessions_user_idx').on(t.user_id),
    index('sessions_expires_idx').on(t.expires),
    ...constraints('sessions', t),
  ],
);

/** API keys (no seed): `prefix` identifies a key to people, `key_hash` authenticates it; `role` caps what it may do. */
export const api_keys = pgTable(
  'api_keys',
  {
    id: pk(),
    user_id: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    name: text().notNull(),
    prefix: text().notNull(),
    key_hash: text().notNull(),
    role: text({ enum: USER_ROLES }).notNull().default('viewer'),
    expires_at: tstz(),
    last_used_at: tstz(),
    revoked_at: tstz(),
    created_by: uuid().references(() => users.id, { onDelete: 'set null' }),
    ...editable(),
  },
  (t) => [
    uniqueIndex('api_keys_key_hash_key').on(t.key_hash),
    index('api_keys_prefix_idx').on(t.prefix),
    index('api_keys_user_idx').on(t.user_id),
    ...constraints('api_keys', t),
  ],
);

/**
 * A user's TOTP second factor (no seed). Kept out of `users` so the generic users resource
 * can never return or write it. `enabled_at` stays null until the first valid code confirms
 * the enrolment; `last_used_step` refuses a code replayed within its window; recovery codes
 * are kept only as SHA-256 hashes and each is removed when used.
 */
export const user_totp = pgTable(
  'user_totp',
  {
    id: pk(),
    user_id: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** AES-256-GCM under the instance's secret key (src/core/identity/secret-box.ts). */
    secret_encrypted: text().notNull(),
    enabled_at: tstz(),
    /** The 30-second time step of the last accepted code. */
    last_used_step: integer(),
    recovery_code_hashes: text().array().notNull().default(sql`'{}'::text[]`),
    created_at: createdAt(),
    updated_at: tstz().notNull().defaultNow(),
  },
  (t) => [uniqueIndex('user_totp_user_id_key').on(t.user_id), ...constraints('user_totp', t)],
);

/**
 * Consecutive failed sign-ins per account and source address (no seed). `account_key` is the
 * SHA-256 of the lower-cased email as typed, so unknown addresses are throttled exactly like
 * real ones and no typed text is stored. A success deletes the row; `blocked_at` is set at the
 * hard limit and only an administrator clears it.
 */
export const login_attempts = pgTable(
  'login_attempts',
  {
    id: pk(),
    account_key: text().notNull(),
    source: text().notNull(),
    failures: integer().notNull().default(0),
    last_failed_at: tstz(),
    blocked_at: tstz(),
    created_at: createdAt(),
    updated_at: tstz().notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('login_attempts_account_source_key').on(t.account_key, t.source),
    index('login_attempts_last_failed_idx').on(t.last_failed_at),
    ...constraints('login_attempts', t, { failures: nonNegative }),
  ],
);

/**
 * Request counters shared by every server process of a PostgreSQL database (no seed), in the
 * layout rate-limiter-flexible's PostgreSQL store reads and writes: `key` is the limit and a
 * keyed hash of what is counted (never an address or a credential), `expire` the end of the
 * window in epoch milliseconds. Rows are disposable: the store deletes them an hour after they expire.
 * The embedded database admits one process, which counts in its memory instead.
 */
export const rate_limits = pgTable('rate_limits', {
  key: varchar({ length: 255 }).primaryKey(),
  points: integer().notNull().default(0),
  expire: bigint({ mode: 'number' }),
});
