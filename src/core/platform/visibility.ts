/**
 * Record visibility: which business records an editor or a viewer may see, by the
 * `record_visibility` setting (DOMAIN: owner_id / assigned_to, company team membership).
 *
 * - `all`: everyone sees every record (the default for a small consultancy).
 * - `team`: the records you own or are assigned, and everything of a company whose team
 *   (company_team) you are on.
 * - `own`: only the records you own or are assigned.
 *
 * Whatever the mode, a record that belongs to another record (a contact's company, a
 * milestone's engagement) is visible to whoever can see that record. Administrators see
 * everything. A record you cannot see does not exist for you: get, update, archive and every
 * verb answer "not found", lists and searches leave it out, and a write cannot point at it.
 *
 * Apart from the mode, a record marked private (a note with is_private) is its author's alone:
 * nobody else but an administrator sees it, whatever the setting (`recordsVisible`).
 */
import { sql, type SQL } from 'drizzle-orm';
import type { Ctx } from '../context.ts';
import { actingUserId, roleAtLeast } from '../identity/roles.ts';
import { invalid } from '../errors.ts';
import { readSettings, type RecordVisibility } from './settings.ts';
import { uuidArray } from '../sql-arrays.ts';

/** How a resource's records are owned and reached (see ResourceConfig.visibility). */
export type VisibilityRule = {
  /** Columns naming the user a record belongs to: the first is set to the creator, all are changed only by `<resource>.reassign`. */
  owners?: string[];
  /** Set to the user who created the record, never changed; also makes it theirs. */
  creator?: string;
  /** Companies: the members of the company's team see it in `team` mode. */
  team?: boolean;
  /** Visible to whoever sees the record this column points at (`[column, parent resource]`). */
  via?: Array<[column: string, parent: string]>;
  /** A row whose `flag` is true is seen only by the user in `author` (and administrators), in every mode. */
  private?: { flag: string; author: string };
};

/** What the rule needs of a resource (kept structural so this module does not import resource.ts). */
export type Visible = {
  name: string;
  tableName: string;
  visibility?: VisibilityRule;
  /** Parents resolved from `via` once every resource is defined (resources.ts). */
  parents?: Array<{ column: string; parent: Visible }>;
};

/** Whose records a request may see: null when it may see every record. */
export type VisibilityScope = { mode: Exclude<RecordVisibility, 'all'>; userId: string | null } | null;

export async function visibilityScope(ctx: Ctx): Promise<VisibilityScope> {
  if (roleAtLeast(ctx.actor.role, 'admin')) return null;
  const { record_visibility: mode } = await readSettings(ctx);
  if (mode === 'all') return null;
  return { mode, userId: actingUserId(ctx.actor) };
}

const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;

/**
 * A SQL condition true for the rows of `res` (referred to as `ref`, a quoted table name or
 * alias) the scope may see; null when the resource is not restricted at all.
 */
export function visibleCondition(res: Visible, scope: VisibilityScope, ref: string = ident(res.tableName), depth = 0): SQL | null {
  const rule = res.visibility;
  if (!scope || !rule) return null;
  if (depth > 6) throw new Error(`visibility of ${res.name} nests too deep`);
  const uid = scope.userId;
  if (uid === null) return sql`false`;
  const parts: SQL[] = [];
  for (const col of [...(rule.owners ?? []), ...(rule.creator ? [rule.creator] : [])]) {
    parts.push(sql`${sql.raw(`${ref}.${ident(col)}`)} = ${uid}::uuid`);
  }
  if (rule.team && scope.mode === 'team') {
    parts.push(sql`exists (select 1 from company_team ct where ct.company_id = ${sql.raw(`${ref}.id`)} and ct.user_id = ${uid}::uuid)`);
  }
  for (const { column, parent } of res.parents ?? []) {
    const alias = `v${depth + 1}`;
    const inner = visibleCondition(parent, scope, alias, depth + 1);
    if (!inner) continue;
    parts.push(
      sql`exists (select 1 from ${sql.raw(ident(parent.tableName))} ${sql.raw(alias)} where ${sql.raw(`${alias}.id = ${ref}.${ident(column)}`)} and ${inner})`,
    );
  }
  return parts.length ? sql`(${sql.join(parts, sql` or `)})` : sql`false`;
}

/** Private rows (VisibilityRule.private) the actor did not write: left out for everyone but administrators. */
export function privateCondition(res: Visible, ctx: Ctx, ref: string = ident(res.tableName)): SQL | null {
  const rule = res.visibility?.private;
  if (!rule || roleAtLeast(ctx.actor.role, 'admin')) return null;
  const flag = sql.raw(`${ref}.${ident(rule.flag)}`);
  const uid = actingUserId(ctx.actor);
  return uid ? sql`(not ${flag} or ${sql.raw(`${ref}.${ident(rule.author)}`)} = ${uid}::uuid)` : sql`not ${flag}`;
}

/** Every condition on the rows of `res` the actor may see: the visibility mode's and privacy's; null when none applies. */
export async function recordsVisible(ctx: Ctx, res: Visible, ref?: string): Promise<SQL | null> {
  if (!res.visibility) return null;
  const parts = [visibleCondition(res, await visibilityScope(ctx), ref), privateCondition(res, ctx, ref)].filter((c): c is SQL => c !== null);
  return parts.length ? sql.join(parts, sql` and `) : null;
}

/**
 * Refuses a write whose reference columns point at records the scope cannot see (a contact
 * for another owner's company): the field names the problem, as for any other bad value.
 */
export async function assertParentsVisible(ctx: Ctx, res: Visible, values: Record<string, unknown>, scope: VisibilityScope): Promise<void> {
  if (!scope || !res.parents?.length) return;
  const errors: { field: string; message: string }[] = [];
  const byColumn = new Map<string, Visible[]>();
  for (const { column, parent } of res.parents) byColumn.set(column, [...(byColumn.get(column) ?? []), parent]);
  for (const [column, parents] of byColumn) {
    const v = values[column];
    if (v === undefined || v === null) continue;
    const ids = [...new Set((Array.isArray(v) ? v : [v]).filter((x): x is string => typeof x === 'string'))];
    if (!ids.length) continue;
    // A polymorphic column (notes.related_id) is fine when any of its parent tables has the record visible.
    const seen = new Set<string>();
    for (const parent of parents) {
      const cond = visibleCondition(parent, scope, ident(parent.tableName));
      const rows = (await ctx.db.execute(
        sql`select id from ${sql.raw(ident(parent.tableName))} where id = any(${uuidArray(ids)})${cond ? sql` and ${cond}` : sql``}`,
      )) as unknown as { rows: { id: string }[] };
      for (const r of rows.rows) seen.add(r.id);
    }
    const missing = ids.filter((id) => !seen.has(id));
    if (missing.length) {
      const what = parents.length === 1 ? parents[0]!.name : parents.map((p) => p.name).join(' or ');
      errors.push({ field: column, message: `does not name a record of ${what} that you can see` });
    }
  }
  if (errors.length) throw invalid(errors);
}
