/**
 * Input schemas derived from Drizzle column metadata: one mapper for every table, so a
 * column's type, nullability, default and enumeration decide what a client may send.
 * JSON-friendly on purpose: money and other numerics travel as decimal strings,
 * timestamps as ISO 8601 with an offset, dates as `YYYY-MM-DD` (real calendar dates).
 */
import { getTableColumns, type Table } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import { z } from 'zod';

export type FieldKind =
  | 'uuid'
  | 'text'
  | 'enum'
  | 'integer'
  | 'bigint'
  | 'numeric'
  | 'boolean'
  | 'timestamp'
  | 'date'
  | 'json'
  | 'text_array';

export type Field = {
  name: string;
  kind: FieldKind;
  column: PgColumn;
  nullable: boolean;
  hasDefault: boolean;
  generated: boolean;
  enumValues?: readonly string[];
  /** For numerics: digits before and after the point. */
  precision?: number;
  scale?: number;
  /** The schema of one value (no null, no optional). */
  value: z.ZodType;
};

const LONG_TEXT = 100_000;
const SHORT_TEXT = 1_000;
const SHORT_NAMES = /(^|_)(name|title|email|phone|mobile|status|stage|type|key|code|currency|prefix|role|source|tier|country|city|state|domain|label|number)$/;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether a value can be a record id: anything else simply matches no record. */
export const isUuid = (v: unknown): v is string => typeof v === 'string' && UUID.test(v);

/**
 * A JSON object passed on whole to be validated by a table's schema (a nested record, a
 * record's fields). Not `z.record`: that drops a `__proto__` key while parsing, so the strict
 * schema after it would never see, and refuse, it.
 */
export const objectInput = (description: string, extra: Record<string, unknown> = {}) =>
  z
    .custom<Record<string, unknown>>((v) => typeof v === 'object' && v !== null && !Array.isArray(v), { message: 'must be an object' })
    .meta({ type: 'object', description, ...extra });

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** What is wrong with a JSON value from a client, if anything: nesting deeper than 20, or a prototype-polluting key. */
export function jsonProblem(v: unknown): string | undefined {
  const walk = (x: unknown, depth: number): string | undefined => {
    if (depth > 20) return 'is nested too deeply';
    if (Array.isArray(x)) {
      for (const i of x) {
        const r = walk(i, depth + 1);
        if (r) return r;
      }
    } else if (x && typeof x === 'object') {
      for (const [k, i] of Object.entries(x)) {
        if (FORBIDDEN_KEYS.has(k)) return `may not contain the key ${k}`;
        const r = walk(i, depth + 1);
        if (r) return r;
      }
    }
    return undefined;
  };
  return walk(v, 0);
}

/** JSON values for jsonb columns: finite numbers, bounded depth, no prototype-polluting keys. */
// The key check runs on the raw input: z.json() drops `__proto__` keys while parsing,
// which would silently change the data instead of refusing it.
const jsonValue: z.ZodType = z.unknown().superRefine((v, ctx) => {
  const problem = jsonProblem(v);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
}).pipe(z.json());

function decimal(precision: number, scale: number) {
  const intDigits = precision - scale;
  const re = new RegExp(`^-?\\d{1,${intDigits}}(\\.\\d{1,${scale}})?$`);
  return z
    .union([z.string(), z.number()])
    .transform((v, ctx) => {
      const s = typeof v === 'number' ? (Number.isFinite(v) ? String(v) : 'NaN') : v.trim();
      if (!re.test(s)) {
        ctx.addIssue({
          code: 'custom',
          message:
            scale > 0
              ? `must be a decimal number with at most ${intDigits} digits before the point and ${scale} after`
              : `must be a whole number with at most ${intDigits} digits`,
        });
        return z.NEVER;
      }
      return s;
    });
}

const timestamp = z
  .union([z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time with a time zone, e.g. 2026-03-01T09:30:00Z' }), z.date()])
  .transform((v) => (v instanceof Date ? v : new Date(v)))
  .refine((d) => !Number.isNaN(d.getTime()) && d.getUTCFullYear() >= 1900 && d.getUTCFullYear() <= 2200, {
    message: 'must be a real date-time between 1900 and 2200',
  });

const date = z.iso.date({ message: 'must be a real calendar date as YYYY-MM-DD' }).refine(
  (s) => {
    const y = Number(s.slice(0, 4));
    return y >= 1900 && y <= 2200;
  },
  { message: 'must be between 1900 and 2200' },
);

function textSchema(name: string) {
  const max = name === 'email' || name.endsWith('_email') ? 320 : name.endsWith('_url') || name === 'website' ? 2048 : SHORT_NAMES.test(name) ? SHORT_TEXT : LONG_TEXT;
  let s = z.string().max(max, `must be at most ${max} characters`);
  if (name === 'email' || name.endsWith('_email')) s = s.trim().pipe(z.email({ message: 'must be an email address' })) as never;
  return s;
}

function describe(col: PgColumn): Omit<Field, 'name'> | undefined {
  const c = col as PgColumn & {
    enumValues?: string[];
    precision?: number;
    scale?: number;
    baseColumn?: PgColumn;
    generated?: unknown;
  };
  const base = {
    column: col,
    nullable: !col.notNull,
    hasDefault: col.hasDefault,
    generated: Boolean(c.generated) || (col as { generatedIdentity?: unknown }).generatedIdentity !== undefined,
  };
  switch (col.columnType) {
    case 'PgUUID':
      return { ...base, kind: 'uuid', value: z.uuid({ message: 'must be a UUID' }) };
    case 'PgText':
      if (c.enumValues?.length) {
        return {
          ...base,
          kind: 'enum',
          enumValues: c.enumValues,
          value: z.enum(c.enumValues as [string, ...string[]], {
            message: `must be one of: ${c.enumValues.join(', ')}`,
          }),
        };
      }
      return { ...base, kind: 'text', value: textSchema(col.name) };
    case 'PgInteger':
      return {
        ...base,
        kind: 'integer',
        value: z.int({ message: 'must be a whole number' }).min(-2147483648).max(2147483647, 'is too large'),
      };
    case 'PgBigInt53':
      return { ...base, kind: 'bigint', value: z.int({ message: 'must be a whole number' }) };
    case 'PgNumeric': {
      const precision = c.precision ?? 20;
      const scale = c.scale ?? 0;
      return { ...base, kind: 'numeric', precision, scale, value: decimal(precision, scale) };
    }
    case 'PgBoolean':
      return { ...base, kind: 'boolean', value: z.boolean({ message: 'must be true or false' }) };
    case 'PgTimestamp':
      return { ...base, kind: 'timestamp', value: timestamp };
    case 'PgDateString':
      return { ...base, kind: 'date', value: date };
    case 'PgJsonb':
    case 'PgJson':
      return { ...base, kind: 'json', value: jsonValue };
    case 'PgArray':
      return {
        ...base,
        kind: 'text_array',
        value: z.array(z.string().max(SHORT_TEXT)).max(1000, 'may hold at most 1000 items'),
      };
    default:
      return undefined;
  }
}

const cache = new WeakMap<Table, Field[]>();

export function tableFields(table: Table): Field[] {
  let fields = cache.get(table);
  if (!fields) {
    fields = [];
    for (const [name, col] of Object.entries(getTableColumns(table))) {
      const d = describe(col as PgColumn);
      if (!d) throw new Error(`fields: unsupported column type ${(col as PgColumn).columnType} for ${name}`);
      fields.push({ name, ...d });
    }
    cache.set(table, fields);
  }
  return fields;
}

/** The schema of a field in a write payload: null allowed where the column is nullable. */
export function writeSchema(f: Field): z.ZodType {
  return f.nullable ? f.value.nullable() : f.value;
}

/** Parses a filter value that may arrive as a string (query parameters) into the field's type. */
export function filterValue(f: Field, raw: unknown): { ok: true; value: unknown } | { ok: false; message: string } {
  let v = raw;
  if (typeof raw === 'string') {
    if (f.kind === 'integer' || f.kind === 'bigint') v = /^-?\d+$/.test(raw) ? Number(raw) : raw;
    else if (f.kind === 'boolean') v = raw === 'true' ? true : raw === 'false' ? false : raw;
  }
  if (f.kind === 'json' || f.kind === 'text_array') return { ok: false, message: 'cannot be filtered' };
  const r = f.value.safeParse(v);
  if (!r.success) return { ok: false, message: r.error.issues[0]?.message ?? 'is not valid' };
  return { ok: true, value: r.data };
}
