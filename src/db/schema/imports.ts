/**
 * CSV imports (issue 8): a durable job per import, worked in chunks by the worker
 * (src/worker/import-drain.ts), and the column mapping each person last used for a given
 * set of headers. The CSV itself is kept in the job (capped by the bulk body limit), so a
 * job survives a restart with nothing outside the database.
 */
import { sql } from 'drizzle-orm';
import { index, integer, jsonb, pgTable, text, unique, uuid } from 'drizzle-orm/pg-core';
import { constraints, createdAt, nonNegative, pk, tstz } from './columns.ts';
import { USER_ROLES, users } from './platform.ts';

export const IMPORT_TARGETS = ['companies', 'contacts', 'leads', 'interactions', 'ai_usage'] as const;
export type ImportTarget = (typeof IMPORT_TARGETS)[number];
export const IMPORT_FORMATS = ['generic', 'hubspot', 'pipedrive'] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];
export const IMPORT_STATUSES = ['pending', 'running', 'completed', 'failed', 'cancelled'] as const;
export type ImportStatus = (typeof IMPORT_STATUSES)[number];

/** One row's problem: `row` counts data rows from 1 (the header is not a row), `column` is the CSV's. */
export type ImportRowError = { row: number; field: string; column: string | null; message: string };

/**
 * One import. `processed_rows` is the resume cursor: the chunk that advances it also wrote
 * its records, in the same transaction, so a crash redoes exactly the unfinished chunk.
 */
export const import_jobs = pgTable(
  'import_jobs',
  {
    id: pk(),
    /** Null for the local operator (a CLI without users). */
    created_by: uuid().references(() => users.id, { onDelete: 'set null' }),
    /** The role the job was started with: the worker acts with the lower of it and the user's role then. */
    created_role: text({ enum: USER_ROLES }).notNull(),
    target: text({ enum: IMPORT_TARGETS }).notNull(),
    source_format: text({ enum: IMPORT_FORMATS }).notNull().default('generic'),
    file_name: text(),
    /** CSV column → field (null: the column is ignored). */
    mapping: jsonb().$type<Record<string, string | null>>().notNull(),
    options: jsonb().$type<Record<string, unknown>>().notNull().default({}),
    header_signature: text().notNull(),
    csv: text().notNull(),
    status: text({ enum: IMPORT_STATUSES }).notNull().default('pending'),
    total_rows: integer().notNull().default(0),
    processed_rows: integer().notNull().default(0),
    created_count: integer().notNull().default(0),
    updated_count: integer().notNull().default(0),
    skipped_count: integer().notNull().default(0),
    error_count: integer().notNull().default(0),
    /** The first errors (capped); error_count has them all. */
    errors: jsonb().$type<ImportRowError[]>().notNull().default([]),
    /** Why the whole job failed (not a row's error). */
    failure: text(),
    /** Rounds that ended in a fault; the job fails after a few in a row. */
    faults: integer().notNull().default(0),
    lease_until: tstz(),
    started_at: tstz(),
    finished_at: tstz(),
    created_at: createdAt(),
    updated_at: tstz().notNull().defaultNow(),
  },
  (t) => [
    index('import_jobs_status_lease_idx').on(t.status, t.lease_until),
    index('import_jobs_created_by_idx').on(t.created_by, t.created_at),
    ...constraints('import_jobs', t, {
      total_rows: nonNegative,
      processed_rows: (c) => sql`${c} >= 0 and ${c} <= ${t.total_rows}`,
      created_count: nonNegative,
      updated_count: nonNegative,
      skipped_count: nonNegative,
      error_count: nonNegative,
      faults: nonNegative,
      mapping: (c) => sql`jsonb_typeof(${c}) = 'object'`,
      errors: (c) => sql`jsonb_typeof(${c}) = 'array'`,
    }),
  ],
);

/**
 * The remembered mapping: per person (null: the local operator), target and header
 * signature (a hash of the normalised, sorted header names), the mapping last used.
 */
export const import_mappings = pgTable(
  'import_mappings',
  {
    id: pk(),
    user_id: uuid().references(() => users.id, { onDelete: 'cascade' }),
    target: text({ enum: IMPORT_TARGETS }).notNull(),
    header_signature: text().notNull(),
    mapping: jsonb().$type<Record<string, string | null>>().notNull(),
    updated_at: tstz().notNull().defaultNow(),
  },
  (t) => [
    unique('import_mappings_user_target_signature_key').on(t.user_id, t.target, t.header_signature).nullsNotDistinct(),
    ...constraints('import_mappings', t, { mapping: (c) => sql`jsonb_typeof(${c}) = 'object'` }),
  ],
);
