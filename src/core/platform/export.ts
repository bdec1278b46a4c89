/**
 * Export: any table's list, with the list route's own filters, sort, search and archived
 * mode, as one CSV or JSON file. It is the list verb run to the end: the same parsing and
 * validation of the query, the same record visibility, the same authorization as
 * `<table>.list`, paged with the keyset cursor up to MAX_EXPORT_ROWS.
 *
 * CSV follows the report's conventions (RFC 4180 quoting, CRLF, a BOM for Excel) and the
 * table's output columns in order (hidden columns never appear); every cell that holds text
 * goes through neutraliseFormula, so a spreadsheet never runs it. Figures are left alone
 * (-12.50 is a value), but only after checking they really are plain numbers.
 */
import { stringify } from 'csv-stringify/sync';
import { z } from 'zod';
import { localDate, type Ctx } from '../context.ts';
import { AppError, parseInput } from '../errors.ts';
import type { Field } from '../fields.ts';
import type { Operation } from '../registry.ts';
import { FILTER_OPS, listRecords, MAX_LIMIT, type ListInput, type Resource, type Row } from '../resource.ts';
import type { Download } from '../reports/types.ts';
import { neutraliseFormula } from '../words.ts';
import { listInputFromQuery } from '../list-query.ts';

export const MAX_EXPORT_ROWS = 100_000;
export const EXPORT_FORMATS = ['csv', 'json'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** The operation's own query keys; the rest is the list's query, read as the list route reads it (src/core/list-query.ts). */
const OWN_PARAMS = new Set(['table', 'format']);
/** An export reads every page itself. */
const PAGING_REFUSED = {
  cursor: 'does not apply to an export, which reads every page; narrow it with filters instead',
  limit: 'does not apply to an export, which reads every page; narrow it with filters instead',
};

/** The list input a flat query (`status[in]=a,b&sort=-name&q=x`) stands for; unknown keys are field errors. */
export const exportListInput = (query: Record<string, unknown>): ListInput =>
  listInputFromQuery(Object.entries(query), { ignore: OWN_PARAMS, refuse: PAGING_REFUSED }) as ListInput;

/** Every row the list would page through, or a refusal once there are more than `cap`. */
export async function collectRows(ctx: Ctx, res: Resource, input: ListInput, cap = MAX_EXPORT_ROWS): Promise<Row[]> {
  const rows: Row[] = [];
  // Keyset pages: a row whose sort key does not change during the export is read exactly once.
  let cursor: string | undefined;
  for (;;) {
    const page = await listRecords(ctx, res, { ...input, limit: MAX_LIMIT, ...(cursor ? { cursor } : {}) });
    for (const r of page.items) rows.push(r);
    if (rows.length > cap || (rows.length === cap && page.next_cursor)) {
      throw new AppError('LIMIT_EXCEEDED', `The export of ${res.name} would hold more than ${cap.toLocaleString('en')} rows; narrow it with filters (field=value, field[op]=value) or a search (q)`, {
        details: { max_rows: cap },
      });
    }
    if (!page.next_cursor) return rows;
    cursor = page.next_cursor;
  }
}

const PLAIN_NUMBER = /^-?\d+(\.\d+)?$/;

/** One CSV cell: text that a spreadsheet would run as a formula gets its leading apostrophe. */
function csvCell(f: Field, v: unknown): string {
  if (v === null || v === undefined) return '';
  if (v instanceof Date) return v.toISOString();
  switch (f.kind) {
    case 'integer':
    case 'bigint':
    case 'boolean':
      return String(v);
    case 'numeric': {
      const s = String(v);
      return PLAIN_NUMBER.test(s) ? s : neutraliseFormula(s);
    }
    case 'json':
    case 'text_array':
      return neutraliseFormula(JSON.stringify(v));
    default:
      return neutraliseFormula(typeof v === 'string' ? v : String(v));
  }
}

export function rowsToCsv(res: Resource, rows: Row[]): string {
  const columns = res.output;
  const header = columns.map((f) => f.name);
  const records = rows.map((r) => columns.map((f) => csvCell(f, r[f.name])));
  // The BOM lets Excel read accented names as UTF-8; CRLF is what RFC 4180 asks for.
  return stringify([header, ...records], { bom: true, record_delimiter: 'windows' });
}

/** The rows as JSON: the output columns in order, hidden ones never (the list never selects them). */
export function rowsToJson(res: Resource, rows: Row[]): string {
  return JSON.stringify(rows.map((r) => Object.fromEntries(res.output.map((f) => [f.name, r[f.name] ?? null]))));
}

export const ExportInput = z
  .object({
    table: z.string().max(64).describe('the table to export, as in /api/v1/{table}'),
    format: z.enum(EXPORT_FORMATS).optional().describe('csv (default) or json (an array of rows)'),
    sort: z.string().max(70).optional().describe('sort=field or sort=-field, as for the list'),
    q: z.string().max(200).optional().describe('search, as for the list'),
    archived: z.enum(['exclude', 'include', 'only']).optional().describe('archived records: exclude (default), include or only'),
  })
  .catchall(z.string().max(2000).describe('a filter: field=value or field[op]=value'));
export type ExportInput = z.infer<typeof ExportInput>;

export async function exportRecords(ctx: Ctx, input: ExportInput): Promise<Download> {
  // Loaded when run: the registry lists this operation, so a static import would be circular.
  const { authorize, ListInputSchema, operationByName } = await import('../registry.ts');
  const listOp = operationByName.get(`${input.table}.list`);
  const res = listOp?.kind === 'list' ? listOp.resource : undefined;
  if (!listOp || !res) throw new AppError('NOT_FOUND', `There is no table ${input.table} to export; GET /api/v1/schema lists them`);
  // Whoever may not list the table may not export it (an admin-only table needs an admin).
  authorize(listOp, ctx);
  const listInput = parseInput(ListInputSchema, exportListInput(input)) as ListInput;
  const rows = await collectRows(ctx, res, listInput);
  const format: ExportFormat = input.format ?? 'csv';
  const filename = `${res.name}-${localDate(ctx)}.${format}`;
  return format === 'csv'
    ? { kind: 'download', content_type: 'text/csv; charset=utf-8', filename, body: rowsToCsv(res, rows) }
    : { kind: 'download', content_type: 'application/json; charset=utf-8', filename, body: rowsToJson(res, rows) };
}

export const exportOperations: Operation[] = [
  {
    name: 'records.export',
    weight: 'report',
    summary: 'Export a list as CSV or JSON',
    description: `Every record of a table that its list would show you, with the list's own query: filters \`field=value\` or \`field[op]=value\` (ops: ${FILTER_OPS.join(', ')}), \`sort\`, \`q\` and \`archived\`. Answers a file: CSV (the table's columns in order; text a spreadsheet would run as a formula starts with an apostrophe) or JSON (an array of rows). At most ${MAX_EXPORT_ROWS.toLocaleString('en')} rows; narrow a larger export with filters. Needs the same role as the table's list.`,
    tag: 'export',
    scope: 'read',
    destructive: false,
    kind: 'action',
    input: ExportInput,
    download: { formats: EXPORT_FORMATS },
    http: { method: 'get', path: '/api/v1/export/{table}' },
    run: (ctx, input: ExportInput) => exportRecords(ctx, input),
  },
];
