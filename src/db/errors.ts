/**
 * Maps PostgreSQL errors to AppError once, for every surface. Constraint names follow
 * the schema's conventions (`<table>_<column>_check`, `<table>_<column>_<ref>_fk`,
 * `<table>_<what>_key`), which is how a refusal names the field that caused it.
 */
import { AppError } from '../core/errors.ts';

type PgErrorLike = { code?: string; constraint?: string; column?: string; table?: string; detail?: string };

function pgError(e: unknown): PgErrorLike | undefined {
  let cur: unknown = e;
  for (let i = 0; i < 4 && cur; i++) {
    const c = cur as PgErrorLike & { cause?: unknown };
    if (typeof c.code === 'string' && /^[0-9A-Z]{5}$/.test(c.code)) return c;
    cur = c.cause;
  }
  return undefined;
}

function fieldFromConstraint(constraint: string | undefined, table: string | undefined, suffix: RegExp) {
  if (!constraint) return undefined;
  let rest = constraint.replace(suffix, '');
  if (table && rest.startsWith(`${table}_`)) rest = rest.slice(table.length + 1);
  return rest || undefined;
}

/**
 * The columns of the key a PostgreSQL detail names: `Key (company_id)=(…)`, `Key (lower(email))=(…)`
 * or `Key (event_id, contact_id)=(…)`.
 */
function keyColumns(detail: string | undefined): string[] {
  const m = detail?.match(/^Key \(((?:(?:lower\()?[a-z0-9_]+\)?)(?:, (?:lower\()?[a-z0-9_]+\)?)*)\)=/);
  return m ? m[1]!.split(', ').map((c) => c.replace(/^lower\(|\)$/g, '')) : [];
}

/** Returns an AppError for database errors a client can cause; anything else is rethrown as is. */
export function mapDbError(e: unknown, table?: string): unknown {
  if (e instanceof AppError) return e;
  const pe = pgError(e);
  if (!pe?.code) return e;
  const t = pe.table ?? table;
  switch (pe.code) {
    case '23505': {
      // Of a key over several columns, the last is the one chosen within the others (a contact within an event).
      const columns = keyColumns(pe.detail);
      const field = columns.at(-1) ?? fieldFromConstraint(pe.constraint, t, /_key$/) ?? 'id';
      const what = columns.length > 1 ? `${columns.slice(0, -1).join(', ')} and ${field}` : field;
      return new AppError('CONFLICT', `A record with this ${what} already exists`, {
        details: { fields: [{ field, message: 'already exists' }] },
        cause: e,
      });
    }
    case '23503': {
      if (pe.detail?.includes('is still referenced')) {
        return new AppError('CONFLICT', 'This record is still referenced by other records; archive it instead', {
          cause: e,
        });
      }
      const field = keyColumns(pe.detail)[0] ?? 'id';
      return new AppError('VALIDATION', `${field}: refers to a record that does not exist`, {
        details: { fields: [{ field, message: 'refers to a record that does not exist' }] },
        cause: e,
      });
    }
    case '23514': {
      const field = fieldFromConstraint(pe.constraint, t, /_check$/) ?? 'record';
      return new AppError('VALIDATION', `${field}: value is out of the allowed range`, {
        details: { fields: [{ field, message: 'value is out of the allowed range' }] },
        cause: e,
      });
    }
    case '23502': {
      const field = pe.column ?? 'record';
      return new AppError('VALIDATION', `${field}: is required`, {
        details: { fields: [{ field, message: 'is required' }] },
        cause: e,
      });
    }
    case '22P02':
    case '22003':
    case '22007':
    case '22008':
    case '22001':
      return new AppError('VALIDATION', 'A value has the wrong type or is out of range', { cause: e });
    case '40001':
    case '40P01':
      return new AppError('CONFLICT', 'The record was changed concurrently; try again', { cause: e });
    default:
      return e;
  }
}

/**
 * An error's message fit to keep or log: a failed query's message from drizzle lists the
 * statement's parameters, which are the data (names, addresses), so it is replaced by the
 * database's own message (which names constraints and columns, not values).
 */
export function messageWithoutData(e: unknown): string {
  const q = e as { query?: unknown; params?: unknown; cause?: unknown };
  if (typeof q?.query === 'string' && Array.isArray(q.params)) return q.cause instanceof Error ? q.cause.message : 'a database query failed';
  return e instanceof Error ? e.message : String(e);
}
