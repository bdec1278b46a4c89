/** Measurement: the client's AI usage (000 ai_usage) and its monthly rollup, this system's own LLM calls (003 llm_usage_logs) and their prices. */
import { sql } from 'drizzle-orm';
import {
  bigint,
  index,
  integer,
  numeric,
  pgTable,
  text,
  unique,
  uniqueIndex,
  uuid,
  type AnyPgColumn,
} from 'drizzle-orm/pg-core';
import {
  CURRENCIES,
  constraints,
  createdAt,
  day,
  editable,
  nonNegative,
  pk,
  tstz,
} from './columns.ts';
import { engagements } from './delivery.ts';
import { companies, contacts } from './sales.ts';

/** Exact per-call cost and per-million-token prices: 6 decimals, never a double. */
const llmCost = () => numeric({ precision: 12, scale: 6 });
const usd = () => text({ enum: CURRENCIES }).notNull().default('USD');

/**
 * Seed 000 ai_usage: the client's staff using AI (ROI evidence), kept apart from llm_usage_logs.
 * Append-only and narrow; a row with an `idempotency_key` already stored is not added again.
 */
export const ai_usage = pgTable(
  'ai_usage',
  {
    id: pk(),
    engagement_id: uuid()
      .notNull()
      .references((): AnyPgColumn => engagements.id, { onDelete: 'cascade' }),
    company_id: uuid()
      .notNull()
      .references(() => companies.id, { onDelete: 'cascade' }),
    contact_id: uuid().references(() => contacts.id, { onDelete: 'set null' }),
    usage_date: day().notNull(),
    tokens_used: bigint({ mode: 'number' }).notNull(),
    model: text(),
    source: text(),
    idempotency_key: text(),
    notes: text(),
    created_at: createdAt(),
  },
  (t) => [
    uniqueIndex('ai_usage_idempotency_key_key').on(t.idempotency_key),
    index('ai_usage_engagement_date_idx').on(t.engagement_id, t.usage_date, t.contact_id),
    index('ai_usage_company_date_idx').on(t.company_id, t.usage_date),
    index('ai_usage_contact_date_idx').on(t.contact_id, t.usage_date),
    ...constraints('ai_usage', t, { tokens_used: nonNegative }),
  ],
);

/**
 * Monthly rollup of ai_usage per engagement and contact (`month` is the first day of the month).
 * Stored with fillfactor 50 (migration 0006): every ingest updates about one row per row it
 * inserts, and free room on the page lets those updates stay on it without new index entries.
 * contact_id null is the usage attributed to no one; NULLS NOT DISTINCT keeps that row unique too.
 * Derived data: deleting a contact deletes its rollup rows (rebuilt from ai_usage), rather than
 * setting null and colliding with the unattributed row.
 */
export const ai_usage_monthly = pgTable(
  'ai_usage_monthly',
  {
    id: pk(),
    engagement_id: uuid()
      .notNull()
      .references((): AnyPgColumn => engagements.id, { onDelete: 'cascade' }),
    company_id: uuid()
      .notNull()
      .references(() => companies.id, { onDelete: 'cascade' }),
    contact_id: uuid().references(() => contacts.id, { onDelete: 'cascade' }),
    month: day().notNull(),
    tokens_used: bigint({ mode: 'number' }).notNull().default(0),
    records: integer().notNull().default(0),
    updated_at: tstz().notNull().defaultNow(),
  },
  (t) => [
    unique('ai_usage_monthly_engagement_contact_month_key')
      .on(t.engagement_id, t.contact_id, t.month)
      .nullsNotDistinct(),
    index('ai_usage_monthly_company_month_idx').on(t.company_id, t.month),
    index('ai_usage_monthly_contact_idx').on(t.contact_id),
    index('ai_usage_monthly_month_idx').on(t.month),
    ...constraints('ai_usage_monthly', t, {
      month: (c) => sql`extract(day from ${c}) = 1`,
      tokens_used: nonNegative,
      records: nonNegative,
    }),
  ],
);

export const LLM_CALL_STATUSES = ['success', 'error'] as const;

/**
 * Seed 003 llm_usage_logs: this system's own LLM calls (cost), kept apart from ai_usage.
 * The seed's `worfklow_name` typo is fixed as `workflow_name`; its double `cost` is numeric(12,6).
 */
export const llm_usage_logs = pgTable(
  'llm_usage_logs',
  {
    id: pk(),
    workflow_name: text().notNull(),
    node_name: text().notNull(),
    model: text().notNull(),
    provider: text(),
    prompt_tokens: integer().notNull(),
    completion_tokens: integer().notNull(),
    total_tokens: integer().notNull(),
    latency_ms: integer().notNull(),
    cost: llmCost().notNull(),
    currency: usd(),
    status: text({ enum: LLM_CALL_STATUSES }).notNull().default('success'),
    error: text(),
    /** The record the call was made for, if any (a table name such as `leads`, and its id). */
    entity_type: text(),
    entity_id: uuid(),
    created_at: createdAt(),
    updated_at: tstz().notNull().defaultNow(),
  },
  (t) => [
    index('llm_usage_logs_workflow_created_idx').on(t.workflow_name, t.created_at),
    index('llm_usage_logs_model_created_idx').on(t.model, t.created_at),
    index('llm_usage_logs_created_idx').on(t.created_at),
    index('llm_usage_logs_entity_idx')
      .on(t.entity_type, t.entity_id)
      .where(sql`${t.entity_id} is not null`),
    ...constraints('llm_usage_logs', t, {
      prompt_tokens: nonNegative,
      completion_tokens: nonNegative,
      total_tokens: nonNegative,
      latency_ms: nonNegative,
      cost: nonNegative,
      entity_id: (c) => sql`${c} is null or ${t.entity_type} is not null`,
    }),
  ],
);

/** Price list for llm_usage_logs.cost (no seed): per million tokens, the row in force from `effective_from`. */
export const llm_model_prices = pgTable(
  'llm_model_prices',
  {
    id: pk(),
    provider: text().notNull(),
    model: text().notNull(),
    input_price_per_mtok: llmCost().notNull(),
    output_price_per_mtok: llmCost().notNull(),
    currency: usd(),
    effective_from: day().notNull(),
    ...editable(),
  },
  (t) => [
    uniqueIndex('llm_model_prices_model_from_key').on(t.provider, t.model, t.effective_from),
    ...constraints('llm_model_prices', t, {
      input_price_per_mtok: nonNegative,
      output_price_per_mtok: nonNegative,
    }),
  ],
);
