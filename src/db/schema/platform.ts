/** Platform: users, audit, pipeline configuration, status history, notes, industries. */
import { sql } from 'drizzle-orm';
import {
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { between, constraints, createdAt, editable, pk, tstz } from './columns.ts';

export const USER_ROLES = ['admin', 'editor', 'viewer'] as const;
export type UserRole = (typeof USER_ROLES)[number];

/** Seed 001 User. The password hash is never returned by any surface. */
export const users = pgTable(
  'users',
  {
    id: pk(),
    email: text().notNull(),
    name: text(),
    role: text({ enum: USER_ROLES }).notNull().default('viewer'),
    image: text(),
    password_hash: text(),
    email_verified: tstz(),
    disabled_at: tstz(),
    /** Whether the daily digest (follow-ups, meetings, trainings, tickets) is mailed to them. */
    digest_enabled: boolean().notNull().default(true),
    ...editable(),
  },
  (t) => [uniqueIndex('users_email_key').on(sql`lower(${t.email})`), ...constraints('users', t)],
);

/** A record's owner (`owner_id` / `assigned_to`): a user, cleared if the user is deleted. */
export const ownerRef = () => uuid().references(() => users.id, { onDelete: 'set null' });

export const ACTOR_TYPES = ['user', 'api_key', 'agent', 'system', 'local', 'anonymous'] as const;
export const AUDIT_ACTIONS = [
  'create',
  'update',
  'archive',
  'restore',
  'delete',
  'status_change',
  'refused',
  /** One call of an MCP tool, resource or prompt by an agent, whatever it did (src/mcp). */
  'tool_call',
  /** An access request answered: everything about a person exported (core/privacy); the audit row holds counts, never the data. */
  'export',
  /** A person or company erased (core/privacy/erasure.ts): who did it and how many rows, never what was erased. */
  'erase',
  /** Rows removed by a retention policy (core/privacy/retention.ts), with the policy and the count. */
  'purge',
] as const;

/** Append-only: who did what to which record, with before and after. No foreign keys on purpose: it outlives what it describes. */
export const audit_log = pgTable(
  'audit_log',
  {
    id: pk(),
    at: createdAt(),
    actor_type: text({ enum: ACTOR_TYPES }).notNull(),
    actor_id: uuid(),
    actor_label: text(),
    on_behalf_of: uuid(),
    action: text({ enum: AUDIT_ACTIONS }).notNull(),
    table_name: text().notNull(),
    record_id: uuid(),
    operation: text(),
    before: jsonb(),
    after: jsonb(),
    request_id: text(),
    ip_address: text(),
    user_agent: text(),
  },
  (t) => [
    index('audit_log_record_idx').on(t.table_name, t.record_id, t.at),
    index('audit_log_at_idx').on(t.at),
    index('audit_log_actor_idx').on(t.actor_id, t.at),
    ...constraints('audit_log', t),
  ],
);

export const PIPELINES = ['company', 'lead', 'deal', 'engagement', 'campaign', 'campaign_target'] as const;
export type Pipeline = (typeof PIPELINES)[number];

/** Seed 004's stage configuration, generalised: statuses and stages are data. */
export const pipeline_stages = pgTable(
  'pipeline_stages',
  {
    id: pk(),
    pipeline: text({ enum: PIPELINES }).notNull(),
    key: text().notNull(),
    label: text().notNull(),
    position: integer().notNull(),
    probability: integer(),
    is_won: boolean().notNull().default(false),
    is_lost: boolean().notNull().default(false),
    /** The statuses this one may move to; an empty list makes it terminal. */
    next_statuses: text().array().notNull().default(sql`'{}'::text[]`),
    description: text(),
    ...editable(),
  },
  (t) => [
    uniqueIndex('pipeline_stages_pipeline_key_key').on(t.pipeline, t.key),
    ...constraints('pipeline_stages', t, { probability: between(0, 100) }),
  ],
);

export const STATUS_ENTITIES = ['company', 'lead', 'deal', 'engagement', 'campaign', 'campaign_target'] as const;

/** Every status or stage change of a company, lead, deal, engagement, campaign or campaign target (004 deal_stages_history, generalised). */
export const status_history = pgTable(
  'status_history',
  {
    id: pk(),
    entity_type: text({ enum: STATUS_ENTITIES }).notNull(),
    entity_id: uuid().notNull(),
    status: text().notNull(),
    from_status: text(),
    entered_at: tstz().notNull().defaultNow(),
    exited_at: tstz(),
    /** Whole days spent in the status once it is exited (004 duration_days). */
    duration_days: integer(),
    changed_by: uuid(),
    reason: text(),
    created_at: createdAt(),
  },
  (t) => [
    index('status_history_entity_idx').on(t.entity_type, t.entity_id, t.entered_at),
    index('status_history_status_idx').on(t.entity_type, t.status, t.entered_at),
    ...constraints('status_history', t, { duration_days: (c) => sql`${c} >= 0` }),
  ],
);

/** Remembered responses for POST requests carrying an Idempotency-Key. */
export const idempotency_keys = pgTable(
  'idempotency_keys',
  {
    id: pk(),
    key: text().notNull(),
    actor: text().notNull(),
    method: text().notNull(),
    path: text().notNull(),
    request_hash: text().notNull(),
    status_code: integer().notNull(),
    response_body: jsonb(),
    created_at: createdAt(),
  },
  (t) => [
    uniqueIndex('idempotency_keys_actor_key_key').on(t.actor, t.key),
    index('idempotency_keys_created_idx').on(t.created_at),
  ],
);

export const NOTE_TYPES = [
  'company',
  'contact',
  'lead',
  'deal',
  'engagement',
  'interaction',
  'support_ticket',
  'invoice',
  'general',
] as const;

/** A note on any record (002 notes, 001 LeadNote): entity type plus id, optionally private. */
export const notes = pgTable(
  'notes',
  {
    id: pk(),
    note_type: text({ enum: NOTE_TYPES }).notNull().default('general'),
    related_id: uuid(),
    note_text: text().notNull(),
    created_by: uuid().references(() => users.id, { onDelete: 'set null' }),
    is_private: boolean().notNull().default(false),
    ...editable(),
  },
  (t) => [
    index('notes_related_idx').on(t.related_id, t.created_at),
    index('notes_type_idx').on(t.note_type),
    index('notes_created_idx').on(t.created_at),
    ...constraints('notes', t),
  ],
);

/** Seed 003 industries. */
export const industries = pgTable(
  'industries',
  {
    id: pk(),
    name: text().notNull(),
    description: text(),
    ...editable(),
  },
  (t) => [uniqueIndex('industries_name_key').on(sql`lower(${t.name})`)],
);

/**
 * Instance-wide settings an administrator changes at run time (record visibility, …): one
 * row per key, its value JSON checked by the settings verbs (src/core/platform/settings.ts).
 */
export const settings = pgTable('settings', {
  key: text().primaryKey(),
  value: jsonb().notNull(),
  updated_at: tstz().notNull().defaultNow(),
  updated_by: uuid().references(() => users.id, { onDelete: 'set null' }),
});

/**
 * A person's saved view of a list in the web app: the filters, sort, search and columns they
 * chose, under a name. Private to its owner; gone with them.
 */
export const saved_views = pgTable(
  'saved_views',
  {
    id: pk(),
    user_id: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    table_name: text().notNull(),
    name: text().notNull(),
    view: jsonb().notNull(),
    created_at: createdAt(),
    updated_at: tstz().notNull().defaultNow(),
  },
  (t) => [uniqueIndex('saved_views_user_table_name_key').on(t.user_id, t.table_name, sql`lower(${t.name})`)],
);
