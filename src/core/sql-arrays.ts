/**
 * Many values as one query parameter: a PostgreSQL array literal, so a list of any length is
 * one bind value (and one plan) rather than a placeholder per item. Only for values that need
 * no quoting in a literal (uuids, dates, numbers); NULL is written as NULL.
 */
import { sql, type SQL } from 'drizzle-orm';

export const arrayLiteral = (values: readonly (string | null)[]): string => `{${values.map((v) => v ?? 'NULL').join(',')}}`;

/** Ids as one `uuid[]` parameter: `where id = any(${uuidArray(ids)})`. */
export const uuidArray = (ids: readonly string[]): SQL => sql`${arrayLiteral(ids)}::uuid[]`;
