/**
 * A parent's column derived from its child rows (a task's time after AI from its latest
 * measurement, an engagement's actual hours from its work log), kept in step on every path
 * the generic layer writes a child: create, change (including a move to another parent:
 * both are updated), archive, restore, delete and bulk create.
 *
 * The column is written directly, in one statement per set of parents: the child's own
 * audit row says what changed; updated_at moves, the parent's version does not (no client
 * can write the column, so no client edit can conflict with it).
 */
import { sql, type SQL } from 'drizzle-orm';
import type { Ctx } from '../context.ts';
import type { ResourceConfig, Row } from '../resource.ts';
import { uuidArray } from '../sql-arrays.ts';

export type DerivedColumn = {
  parent: string;
  column: string;
  child: string;
  /** The child's column that names its parent. */
  parentKey: string;
  /** The child columns whose change can move the value (besides the parent key and archiving). */
  inputs: string[];
  /**
   * The value for parent `p` over its live child rows `c`: a scalar subquery that must
   * include `and c.archived_at is null ${skip}` (skip leaves out a row being deleted).
   */
  value: (skip: SQL) => SQL;
};

type Hooks = Required<Pick<ResourceConfig, 'afterWrite' | 'beforeRemove' | 'afterBulkCreate'>>;

/** The child resource's hooks that keep `d.column` of its parents in step. */
export function derivedColumnHooks(d: DerivedColumn): Hooks {
  const sync = async (ctx: Ctx, parentIds: unknown[], without?: string) => {
    const ids = [...new Set(parentIds.filter((id): id is string => typeof id === 'string'))];
    if (!ids.length) return;
    const parent = sql.identifier(d.parent);
    const column = sql.identifier(d.column);
    // Lock first, read after: under read committed the update's own snapshot would miss a
    // child another transaction committed while this one waited for the row (a lost
    // addition). `no key update` does not conflict with the key-share locks inserting a child takes.
    await ctx.db.execute(sql`select id from ${parent} where id = any(${uuidArray(ids)}) order by id for no key update`);
    const skip = without ? sql`and c.id <> ${without}::uuid` : sql``;
    await ctx.db.execute(sql`
      update ${parent} t set ${column} = v.value, updated_at = ${ctx.now().toISOString()}::timestamptz
      from (select p.id, ${d.value(skip)} as value from ${parent} p where p.id = any(${uuidArray(ids)})) v
      where t.id = v.id and t.${column} is distinct from v.value`);
  };
  const watched = [d.parentKey, ...d.inputs];
  return {
    afterWrite: async (ctx, row: Row, before: Row | undefined) => {
      const unchanged =
        before !== undefined &&
        watched.every((k) => before[k] === row[k]) &&
        (before.archived_at === null) === (row.archived_at === null);
      if (!unchanged) await sync(ctx, [row[d.parentKey], before?.[d.parentKey]]);
    },
    // An archive is followed by afterWrite; a delete is not, so it is handled here, before the row goes.
    beforeRemove: async (ctx, row, how) => {
      if (how === 'delete') await sync(ctx, [row[d.parentKey]], row.id as string);
    },
    afterBulkCreate: async (ctx, ids) => {
      if (!ids.length) return;
      const r = (await ctx.db.execute(
        sql`select distinct ${sql.identifier(d.parentKey)} as parent from ${sql.identifier(d.child)} where id = any(${uuidArray(ids)})`,
      )) as unknown as { rows: { parent: string }[] };
      await sync(ctx, r.rows.map((x) => x.parent));
    },
  };
}
