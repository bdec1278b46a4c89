/**
 * Raw-SQL helpers shared by the report's sources. Each source module owns the SELECT for its
 * rows and the reader that turns them into figures; `readSources` runs several SELECTs as one
 * statement, each folded into a JSON array: one round trip (what an embedded database charges
 * most for) and one snapshot, so every figure of a report comes from the same moment.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { Ctx } from '../../context.ts';

export type Raw = Record<string, unknown>;

export const rowsOf = async (ctx: Ctx, q: SQL): Promise<Raw[]> => ((await ctx.db.execute(q)) as unknown as { rows: Raw[] }).rows;

/**
 * The rows of every SELECT, by name. Values travel as JSON: a SELECT casts what JSON would
 * round (numeric, bigint, timestamps) to text itself.
 */
export async function readSources<K extends string>(ctx: Ctx, sources: Record<K, SQL>): Promise<Record<K, Raw[]>> {
  const keys = Object.keys(sources) as K[];
  if (!keys.length) return {} as Record<K, Raw[]>;
  const columns = keys.map((k) => sql`(select coalesce(json_agg(q), '[]'::json) from (${sources[k]}) q)::text as ${sql.identifier(k)}`);
  const [row] = await rowsOf(ctx, sql`select ${sql.join(columns, sql`, `)}`);
  return Object.fromEntries(keys.map((k) => [k, JSON.parse(String(row![k])) as Raw[]])) as Record<K, Raw[]>;
}


/** A timestamp column as epoch milliseconds in text (exact in JSON and with both drivers). */
export const msOf = (column: string): SQL => sql.raw(`(extract(epoch from ${column}) * 1000)::bigint::text`);

/**
 * The display name of the contact whose id is `idExpr`: first and last name when either is
 * recorded, else `name`. A scalar subquery, so each name is one primary-key lookup: a join
 * lets the planner hash the whole contacts table for a few dozen names.
 */
export const contactNameOf = (idExpr: string): SQL =>
  sql.raw(`(select coalesce(nullif(trim(concat_ws(' ', c.first_name, c.last_name)), ''), c.name) from contacts c where c.id = ${idExpr})`);

export const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
export const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
export const bool = (v: unknown): boolean => v === true || v === 't' || v === 'true';

/** Rows grouped by the engagement they belong to. */
export function byEngagement<T extends { engagement_id: string }>(rows: readonly T[]): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const r of rows) {
    const list = out.get(r.engagement_id);
    if (list) list.push(r);
    else out.set(r.engagement_id, [r]);
  }
  return out;
}
