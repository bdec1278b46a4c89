/** Raw SQL helpers shared by the team and demand queries (not part of the public surface). */
import { sql } from 'drizzle-orm';
import type { Ctx } from '../../context.ts';
import { visibilityScope, visibleCondition } from '../../platform/visibility.ts';
import { resource } from '../../resources.ts';

export type Raw = Record<string, unknown>;
export const rowsOf = async (ctx: Ctx, q: ReturnType<typeof sql>) => ((await ctx.db.execute(q)) as unknown as { rows: Raw[] }).rows;
export const str = (v: unknown) => (v === null || v === undefined ? null : String(v));

/** Whether `alias` (a row of `res`) is visible to the caller, as a boolean column. */
export async function visibleColumn(ctx: Ctx, resourceName: string, alias: string) {
  const cond = visibleCondition(resource(resourceName), await visibilityScope(ctx), alias);
  return cond ?? sql`true`;
}
