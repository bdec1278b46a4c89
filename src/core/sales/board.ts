/**
 * The pipeline boards (issue 7): companies by status (seed 000) and deals by stage (seed 004)
 * as columns, in one call. Columns are the pipeline's stages (pipeline_stages, in order, with
 * the moves each allows); each carries the number of records in it that the caller may see
 * (not archived, same record visibility as the lists) and, for deals, the sum of their value
 * per currency, exact (PostgreSQL numeric sums, sent as decimal strings; never floats).
 *
 * The cards themselves come from the list route filtered by the column's key
 * (`GET /api/v1/companies?status=<key>`), so this stays one cheap aggregate whatever the
 * number of records. With `q`, the counts are those of the same search the list runs.
 */
import { z } from 'zod';
import { sql, type SQL } from 'drizzle-orm';
import type { Ctx } from '../context.ts';
import { invalid } from '../errors.ts';
import type { Operation } from '../registry.ts';
import type { Resource } from '../resource.ts';
import { stagesOf } from '../platform/pipeline.ts';
import { visibilityScope, visibleCondition } from '../platform/visibility.ts';
import { resource } from '../resources.ts';

/** The pipelines that have a board, with the table and column they group. */
export const BOARDS = {
  company: { table: 'companies', field: 'status' },
  deal: { table: 'deals', field: 'stage' },
} as const;
export type BoardPipeline = keyof typeof BOARDS;
const BOARD_PIPELINES = Object.keys(BOARDS) as [BoardPipeline, ...BoardPipeline[]];

export type BoardValue = {
  currency: string;
  /** Σ value of the column's records in this currency, a decimal string (exact). */
  value: string;
  /** Records in this currency (those without a value included). */
  count: number;
};

export type BoardColumn = {
  key: string;
  label: string;
  position: number;
  probability: number | null;
  is_won: boolean;
  is_lost: boolean;
  /** The keys a record in this column may move to; empty: it is final. */
  next_statuses: string[];
  description: string | null;
  /** Records in this column the caller may see, not archived. */
  count: number;
  /** Deals only: Σ value per currency, currencies never added together. */
  values?: BoardValue[];
  /**
   * A status no longer in the pipeline (its stage was archived) that records still hold:
   * shown so they are not lost from sight; they move on like any other.
   */
  retired?: true;
};

export type Board = {
  pipeline: BoardPipeline;
  /** The table whose records are the cards, and the column the board groups them by. */
  table: string;
  field: string;
  q: string | null;
  total: number;
  columns: BoardColumn[];
};

export type BoardInput = { pipeline: BoardPipeline; q?: string | undefined };

/** The same search the list route runs for `q` (case-insensitive substring over the resource's searchable fields). */
function searchCondition(res: Resource, q: string): SQL {
  if (res.search.length === 0) throw invalid([{ field: 'q', message: `${res.name} has no searchable fields` }]);
  const pattern = `%${q.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
  return sql`(${sql.join(res.search.map((n) => sql`${res.fieldByName.get(n)!.column} ilike ${pattern}`), sql` or `)})`;
}

type Agg = { key: string; currency: string | null; count: number; total: string | null };

export async function pipelineBoard(ctx: Ctx, input: BoardInput): Promise<Board> {
  const board = BOARDS[input.pipeline];
  const res = resource(board.table);
  const group = res.fieldByName.get(board.field)!.column;
  const q = input.q?.trim() || undefined;
  const where: SQL[] = [sql`${res.fieldByName.get('archived_at')!.column} is null`];
  const visible = visibleCondition(res, await visibilityScope(ctx));
  if (visible) where.push(visible);
  if (q) where.push(searchCondition(res, q));
  const deals = input.pipeline === 'deal';
  const value = res.fieldByName.get('value')?.column;
  const currency = res.fieldByName.get('currency')?.column;
  const query = deals
    ? sql`select ${group} as key, ${currency} as currency, count(*)::int as count, coalesce(sum(${value}), 0)::text as total
          from ${sql.raw(`"${res.tableName}"`)} where ${sql.join(where, sql` and `)} group by 1, 2`
    : sql`select ${group} as key, null as currency, count(*)::int as count, null as total
          from ${sql.raw(`"${res.tableName}"`)} where ${sql.join(where, sql` and `)} group by 1`;
  const [stages, result] = await Promise.all([stagesOf(ctx, input.pipeline), ctx.db.execute(query)]);
  const rows = (result as unknown as { rows: Agg[] }).rows.map((r) => ({ ...r, count: Number(r.count) }));

  const column = (s: { key: string; label: string; position: number; probability: number | null; is_won: boolean; is_lost: boolean; next_statuses: string[]; description: string | null }): BoardColumn => {
    const mine = rows.filter((r) => r.key === s.key);
    const out: BoardColumn = {
      key: s.key,
      label: s.label,
      position: s.position,
      probability: s.probability,
      is_won: s.is_won,
      is_lost: s.is_lost,
      next_statuses: s.next_statuses,
      description: s.description,
      count: mine.reduce((n, r) => n + r.count, 0),
    };
    if (deals) {
      out.values = mine
        .map((r) => ({ currency: String(r.currency), value: r.total ?? '0', count: r.count }))
        .sort((a, b) => a.currency.localeCompare(b.currency));
    }
    return out;
  };
  const columns = stages.map(column);
  // Records left in a status whose stage an administrator archived still show, after the others.
  const known = new Set(stages.map((s) => s.key));
  const stray = [...new Set(rows.map((r) => r.key).filter((k) => !known.has(k)))].sort();
  if (stray.length) {
    const labels = (await ctx.db.execute(
      sql`select key, label, is_won, is_lost from pipeline_stages where pipeline = ${input.pipeline} and key in (${sql.join(stray.map((k) => sql`${k}`), sql`, `)})`,
    )) as unknown as { rows: { key: string; label: string; is_won: boolean; is_lost: boolean }[] };
    const last = columns.reduce((m, c) => Math.max(m, c.position), 0);
    stray.forEach((key, i) => {
      const old = labels.rows.find((l) => l.key === key);
      columns.push({
        ...column({ key, label: old?.label ?? key, position: last + i + 1, probability: null, is_won: old?.is_won ?? false, is_lost: old?.is_lost ?? false, next_statuses: [], description: 'No longer a stage of this pipeline' }),
        // Where it may go is every current stage (the pipeline has no rule for it any more).
        next_statuses: stages.map((s) => s.key),
        retired: true,
      });
    });
  }
  return {
    pipeline: input.pipeline,
    table: board.table,
    field: board.field,
    q: q ?? null,
    total: columns.reduce((n, c) => n + c.count, 0),
    columns,
  };
}

export const boardOperation: Operation<BoardInput, Board> = {
  name: 'sales.board',
  weight: 'report',
  summary: 'A pipeline board: columns with counts and values',
  description:
    'The board of the `company` pipeline (companies by status, seed 000) or the `deal` pipeline (deals by stage, seed 004): every stage of pipeline_stages in order (key, label, probability, won or lost, the statuses it may move to), with the number of records in it that you can see (archived ones left out) and, for deals, Σ value per currency as exact decimal strings. `q` counts only the records the list route\'s `q` finds. The cards come from the list route filtered by the column (`GET /api/v1/companies?status=<key>`, `GET /api/v1/deals?stage=<key>`); moves go through PATCH /api/v1/companies/{id}, sales.mark_lost, sales.move_deal, sales.win_deal and sales.lose_deal.',
  tag: 'sales workflow',
  scope: 'read',
  destructive: false,
  kind: 'action',
  input: z.strictObject({
    pipeline: z
      .enum(BOARD_PIPELINES, { message: `must be one of: ${BOARD_PIPELINES.join(', ')} (companies by status, deals by stage)` })
      .describe('company (companies by status) or deal (deals by stage)'),
    q: z.string().max(200, 'must be at most 200 characters').optional().describe('count only the records this search finds (as the list route\'s q)'),
  }),
  http: { method: 'get', path: '/api/v1/pipeline/{pipeline}/board' },
  run: (ctx, input) => pipelineBoard(ctx, input),
};
