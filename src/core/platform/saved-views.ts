/**
 * Saved views: a person's named choice of filters, sort, search and columns for a list in
 * the web app. Each person sees, changes and deletes only their own; saving under a name
 * they already used replaces that view. A view names only tables, fields and operators that
 * exist, so applying one later cannot fail on a typo.
 */
import { and, asc, eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import { saved_views } from '../../db/schema/platform.ts';
import { withTx, type Ctx } from '../context.ts';
import { invalid, notFound } from '../errors.ts';
import { isUuid } from '../fields.ts';
import { actingUserId } from '../identity/roles.ts';
import type { Operation } from '../registry.ts';
import { FILTER_OPS } from '../resource.ts';
import { resourceByName } from '../resources.ts';

const MAX_VIEWS_PER_TABLE = 50;

export const ViewSchema = z.strictObject({
  filters: z
    .array(z.strictObject({ field: z.string().max(64), op: z.enum(FILTER_OPS), value: z.string().max(1000) }))
    .max(20)
    .default([]),
  sort: z.string().max(70).optional(),
  q: z.string().max(200).optional(),
  columns: z.array(z.string().max(64)).max(60).optional(),
  archived: z.enum(['exclude', 'include', 'only']).optional(),
});

const SaveInput = z.strictObject({
  table: z.string().max(64).describe('the table the view lists, e.g. companies'),
  name: z.string().trim().min(1, 'must not be empty').max(80, 'must be at most 80 characters'),
  view: ViewSchema,
});
const MineInput = z.strictObject({ table: z.string().max(64).optional() });
const DeleteInput = z.strictObject({ id: z.string().max(200) });

export type SavedView = { id: string; table: string; name: string; view: z.infer<typeof ViewSchema>; updated_at: Date };

/** Whose views these are: the signed-in person (or the person behind the key); a caller who is nobody in particular (the local operator) has none. */
const userOf = (ctx: Ctx): string | null => actingUserId(ctx.actor);
const NOBODY = 'Saved views belong to a person: sign in as one, or use an API key of your own';

/** Refuses a view that names what the table does not have (checked against the same lists the list verb allows). */
function checkView(table: string, view: z.infer<typeof ViewSchema>): void {
  const res = resourceByName.get(table);
  if (!res) throw invalid([{ field: 'table', message: `${table} is not a table` }]);
  const errors: Array<{ field: string; message: string }> = [];
  view.filters.forEach((f, i) => {
    if (!res.filterable.includes(f.field)) errors.push({ field: `view.filters[${i}].field`, message: `${f.field} is not a field of ${table} that can be filtered` });
  });
  if (view.sort !== undefined && !res.sortable.includes(view.sort.replace(/^-/, ''))) errors.push({ field: 'view.sort', message: `${view.sort} is not a field of ${table} that can be sorted` });
  (view.columns ?? []).forEach((c, i) => {
    if (!res.output.some((f) => f.name === c)) errors.push({ field: `view.columns[${i}]`, message: `${c} is not a field of ${table}` });
  });
  if (errors.length) throw invalid(errors);
}

const shape = (r: typeof saved_views.$inferSelect): SavedView => ({ id: r.id, table: r.table_name, name: r.name, view: r.view as SavedView['view'], updated_at: r.updated_at });

export async function myViews(ctx: Ctx, input: z.infer<typeof MineInput>): Promise<{ items: SavedView[] }> {
  const user = userOf(ctx);
  if (!user) return { items: [] };
  const rows = await ctx.db
    .select()
    .from(saved_views)
    .where(and(eq(saved_views.user_id, user), input.table ? eq(saved_views.table_name, input.table) : undefined))
    .orderBy(asc(saved_views.table_name), asc(sql`lower(${saved_views.name})`));
  return { items: rows.map(shape) };
}

export async function saveView(ctx: Ctx, input: z.infer<typeof SaveInput>): Promise<SavedView> {
  const user = userOf(ctx);
  if (!user) throw invalid([{ field: 'name', message: NOBODY }], NOBODY);
  checkView(input.table, input.view);
  return withTx(ctx, async (tx) => {
    const now = tx.now();
    const mine = and(eq(saved_views.user_id, user), eq(saved_views.table_name, input.table));
    const [same] = await tx.db.select({ id: saved_views.id }).from(saved_views).where(and(mine, sql`lower(${saved_views.name}) = lower(${input.name})`));
    const [row] = same
      ? await tx.db.update(saved_views).set({ name: input.name, view: input.view, updated_at: now }).where(eq(saved_views.id, same.id)).returning()
      : await tx.db.insert(saved_views).values({ user_id: user, table_name: input.table, name: input.name, view: input.view, created_at: now, updated_at: now }).returning();
    const [{ n }] = (await tx.db
      .select({ n: sql<number>`count(*)::int` })
      .from(saved_views)
      .where(mine)) as [{ n: number }];
    if (n > MAX_VIEWS_PER_TABLE) throw invalid([{ field: 'name', message: `cannot be added: you keep at most ${MAX_VIEWS_PER_TABLE} views of ${input.table}; delete one first` }]);
    return shape(row!);
  });
}

export async function deleteView(ctx: Ctx, id: string): Promise<{ id: string; deleted: true }> {
  const user = userOf(ctx);
  if (!user || !isUuid(id)) throw notFound('saved view', id);
  const gone = await ctx.db.delete(saved_views).where(and(eq(saved_views.id, id), eq(saved_views.user_id, user))).returning({ id: saved_views.id });
  if (!gone.length) throw notFound('saved view', id);
  return { id, deleted: true };
}

export const savedViewOperations: Operation[] = [
  {
    name: 'saved_views.mine',
    summary: 'Your saved views',
    description: 'The views of lists you saved (filters, sort, search, columns), for one table or all. Nobody else sees them.',
    tag: 'saved_views',
    scope: 'read',
    destructive: false,
    kind: 'action',
    input: MineInput,
    http: { method: 'get', path: '/api/v1/saved-views' },
    run: (ctx, input) => myViews(ctx, input),
  },
  {
    name: 'saved_views.save',
    summary: 'Save a view of a list',
    description: 'Saves filters, sort, search and columns under a name; saving under a name you already used for that table replaces it.',
    tag: 'saved_views',
    scope: 'read',
    destructive: false,
    kind: 'action',
    input: SaveInput,
    http: { method: 'post', path: '/api/v1/saved-views', status: 201 },
    run: (ctx, input) => saveView(ctx, input),
  },
  {
    name: 'saved_views.delete',
    summary: 'Delete one of your saved views',
    tag: 'saved_views',
    scope: 'read',
    destructive: false,
    kind: 'action',
    input: DeleteInput,
    http: { method: 'delete', path: '/api/v1/saved-views/{id}' },
    run: (ctx, input) => deleteView(ctx, input.id),
  },
];
