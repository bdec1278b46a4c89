/** Communication and platform plumbing: feature flags, integrations, email queue, analytics events, outbound webhooks. */
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
import { between, constraints, createdAt, editable, nonNegative, pk, tstz } from './columns.ts';
import { users } from './platform.ts';

/** Seed 001 FeatureFlag; enabledDev/Staging/Prod become enabled_dev/_staging/_prod. */
export const feature_flags = pgTable(
  'feature_flags',
  {
    id: pk(),
    key: text().notNull(),
    name: text().notNull(),
    description: text(),
    enabled: boolean().notNull().default(false),
    enabled_dev: boolean().notNull().default(true),
    enabled_staging: boolean().notNull().default(false),
    enabled_prod: boolean().notNull().default(false),
    rollout_percentage: integer().notNull().default(0),
    user_groups: jsonb().$type<string[]>(),
    ...editable(),
  },
  (t) => [
    uniqueIndex('feature_flags_key_key').on(t.key),
    ...constraints('feature_flags', t, { rollout_percentage: between(0, 100) }),
  ],
);

/**
 * Seed 001 Integration: system-wide third-party connections (n8n, slack, resend, …).
 * The seed's apiKey is stored only encrypted as `api_key_encrypted`; `config` is to be
 * encrypted too. 002's per-project integrations are `engagement_tools`, not this table.
 */
export const integrations = pgTable(
  'integrations',
  {
    id: pk(),
    name: text().notNull(),
    enabled: boolean().notNull().default(true),
    config: jsonb().notNull().default({}),
    webhook_url: text(),
    api_key_encrypted: text(),
    last_sync: tstz(),
    ...editable(),
  },
  (t) => [uniqueIndex('integrations_name_key').on(t.name), ...constraints('integrations', t)],
);

export const EMAIL_TEMPLATES = [
  'welcome',
  'assessment_results',
  'roi_report',
  'follow_up',
  'meeting_reminder',
  'outreach',
  /** A campaign's marketing email (campaigns.send_email); sent only to people whose marketing consent is in force. */
  'campaign',
] as const;
export type EmailTemplate = (typeof EMAIL_TEMPLATES)[number];
/** `cancelled`: never to be sent (its recipient withdrew their consent before it went). */
export const EMAIL_STATUSES = ['pending', 'sending', 'sent', 'failed', 'dead', 'cancelled'] as const;
export type EmailStatus = (typeof EMAIL_STATUSES)[number];

/**
 * Seed 001 EmailQueue, worked by a sender: 001's statuses plus `sending` (claimed) and
 * `dead` (retries exhausted); `failed` is retried at `next_attempt_at`.
 */
export const email_queue = pgTable(
  'email_queue',
  {
    id: pk(),
    to: jsonb().$type<string[]>().notNull(),
    subject: text().notNull(),
    template: text({ enum: EMAIL_TEMPLATES }).notNull(),
    data: jsonb().notNull().default({}),
    status: text({ enum: EMAIL_STATUSES }).notNull().default('pending'),
    attempts: integer().notNull().default(0),
    error: text(),
    idempotency_key: text(),
    /** Set on marketing mail: the consent every recipient must have in force when it is sent. */
    purpose: text({ enum: ['marketing_email'] }),
    next_attempt_at: tstz().defaultNow(),
    sent_at: tstz(),
    created_at: createdAt(),
    updated_at: tstz().notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('email_queue_idempotency_key_key').on(t.idempotency_key),
    index('email_queue_status_next_idx').on(t.status, t.next_attempt_at),
    index('email_queue_created_idx').on(t.created_at),
    ...constraints('email_queue', t, {
      to: (c) => sql`jsonb_typeof(${c}) = 'array'`,
      attempts: nonNegative,
    }),
  ],
);

/**
 * Seed 001 AnalyticsEvent. Append-only; `user_id` has no foreign key on purpose, so the
 * history outlives the user. `ip_address` is stored anonymised.
 */
export const analytics_events = pgTable(
  'analytics_events',
  {
    id: pk(),
    event: text().notNull(),
    properties: jsonb(),
    user_id: uuid(),
    session_id: text(),
    url: text(),
    referrer: text(),
    user_agent: text(),
    ip_address: text(),
    created_at: createdAt(),
  },
  (t) => [
    index('analytics_events_event_idx').on(t.event),
    index('analytics_events_user_idx').on(t.user_id),
    index('analytics_events_session_idx').on(t.session_id),
    index('analytics_events_created_idx').on(t.created_at),
    index('analytics_events_event_created_idx').on(t.event, t.created_at),
    ...constraints('analytics_events', t),
  ],
);

/** Outbound webhooks (no seed table; generalises 001's Integration.webhookUrl and n8n hook): who is told about which event types. */
export const webhook_subscriptions = pgTable(
  'webhook_subscriptions',
  {
    id: pk(),
    url: text().notNull(),
    event_types: text().array().notNull().default(sql`'{}'::text[]`),
    secret_encrypted: text().notNull(),
    description: text(),
    enabled: boolean().notNull().default(true),
    disabled_reason: text(),
    failure_count: integer().notNull().default(0),
    created_by: uuid().references(() => users.id, { onDelete: 'set null' }),
    ...editable(),
  },
  (t) => [
    index('webhook_subscriptions_event_types_idx').using('gin', t.event_types),
    index('webhook_subscriptions_enabled_idx').on(t.enabled),
    ...constraints('webhook_subscriptions', t, { failure_count: nonNegative }),
  ],
);

export const WEBHOOK_DELIVERY_STATUSES = ['pending', 'delivering', 'succeeded', 'failed', 'dead'] as const;
export type WebhookDeliveryStatus = (typeof WEBHOOK_DELIVERY_STATUSES)[number];

/** One event sent to one subscription, with its retries; `event_id` lets receivers de-duplicate. */
export const webhook_deliveries = pgTable(
  'webhook_deliveries',
  {
    id: pk(),
    subscription_id: uuid()
      .notNull()
      .references(() => webhook_subscriptions.id, { onDelete: 'cascade' }),
    event_type: text().notNull(),
    event_id: uuid().notNull(),
    payload: jsonb().notNull(),
    status: text({ enum: WEBHOOK_DELIVERY_STATUSES }).notNull().default('pending'),
    attempts: integer().notNull().default(0),
    next_attempt_at: tstz().defaultNow(),
    last_status_code: integer(),
    last_error: text(),
    delivered_at: tstz(),
    created_at: createdAt(),
    updated_at: tstz().notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('webhook_deliveries_event_key').on(t.subscription_id, t.event_id),
    index('webhook_deliveries_status_next_idx').on(t.status, t.next_attempt_at),
    index('webhook_deliveries_subscription_idx').on(t.subscription_id, t.created_at),
    ...constraints('webhook_deliveries', t, {
      attempts: nonNegative,
      last_status_code: between(100, 599),
    }),
  ],
);
