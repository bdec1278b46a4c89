/** Access: sign-in sessions (001 Session) and API keys. Secrets are stored only as hashes. */
import { index, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { constraints, createdAt, editable, pk, tstz } from './columns.ts';
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
