/**
 * Column and constraint helpers shared by every schema module.
 *
 * Conventions (see docs/decisions/0001-schema-conventions.md):
 * - column names are the seeds' snake_case names; the TypeScript key is the column name;
 * - every table a person edits has created_at, updated_at, version and archived_at (`editable()`);
 * - money is numeric(14,2) with a currency code, never a float;
 * - enumerations are `as const` arrays; a text column declared with `{ enum }` gets a
 *   check constraint named `<table>_<column>_check` from `constraints()`, so a database
 *   refusal can be mapped back to the field that caused it.
 */
import { sql, type SQL } from 'drizzle-orm';
import {
  check,
  date,
  integer,
  numeric,
  text,
  timestamp,
  uuid,
  type PgColumn,
} from 'drizzle-orm/pg-core';

export const pk = () => uuid().primaryKey().defaultRandom();

/** A point in time, stored as timestamptz(3) in UTC: millisecond precision matches JS dates, so keyset cursors round-trip exactly. */
export const tstz = () => timestamp({ withTimezone: true, mode: 'date', precision: 3 });

/** A calendar date (no time of day), exchanged as `YYYY-MM-DD`. */
export const day = () => date({ mode: 'string' });

export const createdAt = () => tstz().notNull().defaultNow();

/** Columns carried by every table a person edits. */
export const editable = () => ({
  created_at: createdAt(),
  updated_at: tstz().notNull().defaultNow(),
  version: integer().notNull().default(1),
  archived_at: tstz(),
});

export const CURRENCIES = ['AUD', 'TTD', 'USD'] as const;
export type Currency = (typeof CURRENCIES)[number];

/** Exact money: up to 12 digits before the point, 2 after. */
export const money = () => numeric({ precision: 14, scale: 2 });
export const currency = () => text({ enum: CURRENCIES }).notNull().default('AUD');

/** Hours with two decimals (work logged, capacity). */
export const hours = () => numeric({ precision: 8, scale: 2 });

const literal = (v: string | number) =>
  typeof v === 'number' ? String(v) : `'${v.replace(/'/g, "''")}'`;

/** Predicates for `constraints()`; each receives the column and returns the condition. */
export const between =
  (min: number, max: number) =>
  (c: PgColumn): SQL =>
    sql`${c} >= ${sql.raw(literal(min))} and ${c} <= ${sql.raw(literal(max))}`;
export const nonNegative = (c: PgColumn): SQL => sql`${c} >= 0`;
/** An end that is unknown, or whose start is unknown, or that falls on or after the start. */
export const notBefore =
  (start: PgColumn) =>
  (c: PgColumn): SQL =>
    sql`${c} is null or ${start} is null or ${c} >= ${start}`;
export const positive = (c: PgColumn): SQL => sql`${c} > 0`;

type Predicate = (c: PgColumn) => SQL;

/**
 * Check constraints for a table: one per column, named `<table>_<column>_check`.
 * Text columns declared with `{ enum }` are constrained to their values automatically;
 * `extra` adds range predicates (combined with the enum rule when both apply).
 */
export function constraints(
  table: string,
  columns: Record<string, unknown>,
  extra: Record<string, Predicate> = {},
) {
  const out = [];
  for (const [key, col] of Object.entries(columns)) {
    // Inside a table's extra-config callback drizzle hands over ExtraConfigColumn
    // objects, which keep the enum values only in their builder config.
    const c = col as PgColumn & { config?: { enumValues?: readonly string[] } };
    const values = c.enumValues ?? c.config?.enumValues;
    const parts: SQL[] = [];
    if (Array.isArray(values) && values.length > 0 && c.columnType === 'PgText') {
      parts.push(sql`${c} in (${sql.raw(values.map(literal).join(', '))})`);
    }
    const p = extra[key];
    if (p) parts.push(p(c));
    if (parts.length > 0) out.push(check(`${table}_${key}_check`, sql.join(parts, sql` and `)));
  }
  for (const key of Object.keys(extra)) {
    if (!(key in columns)) throw new Error(`constraints(${table}): no column ${key}`);
  }
  return out;
}
