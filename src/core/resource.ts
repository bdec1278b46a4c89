/**
 * defineResource(): the one generic CRUD layer. For any table it gives get, list (typed
 * filters, allow-listed sort, keyset cursor, search), create and bulk create, partial
 * update with optimistic concurrency, archive/restore and hard delete, with validation
 * derived from the schema, status rules from pipeline_stages, and an audit row per change.
 */
import { and, eq, getTableColumns, getTableName, isNotNull, isNull, sql, type SQL } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import { z } from 'zod';
import { mapDbError } from '../db/errors.ts';
import type { Pipeline } from '../db/schema/platform.ts';
import { accessChanged, withTx, type Ctx } from './context.ts';
import { AppError, invalid, notFound, type FieldError } from './errors.ts';
import { filterValue, isUuid, objectInput, tableFields, writeSchema, type Field } from './fields.ts';
import { diff, writeAudit } from './platform/audit.ts';
import { assertStatus, assertTransition, recordStatusChange, type StatusEntity } from './platform/pipeline.ts';
import { actingUserId } from './identity/roles.ts';
import { singular } from './words.ts';
import {
  assertParentsVisible,
  visibilityScope,
  recordsVisible,
  type VisibilityRule,
  type Visible,
} from './platform/visibility.ts';

export type Row = Record<string, unknown>;
export type Module = 'platform' | 'sales' | 'assessment' | 'delivery' | 'measurement';

/**
 * editable: full CRUD; append: create, get, list (logs, usage, history);
 * readonly: get and list only (written by the system).
 */
export type ResourceMode = 'editable' | 'append' | 'readonly';

export type ResourceConfig = {
  name: string;
  table: PgTable;
  module: Module;
  summary: string;
  mode?: ResourceMode;
  /** Columns searched by `q` (case-insensitive substring). */
  search?: string[];
  defaultSort?: string;
  /** Never returned and never written through the generic layer (hashes, secrets). */
  hidden?: string[];
  /** Returned but never written by clients: computed or owned by a business verb. */
  readOnly?: string[];
  /** Written on create only. */
  immutable?: string[];
  /** Required on create even though the column is nullable. */
  required?: string[];
  pipeline?: { field: string; pipeline: Pipeline; entity: StatusEntity };
  /** False when records are created only by a verb of their own (users: with a password and a role), not by the generic create. */
  create?: false;
  /** Hard delete is offered unless this is false. */
  hardDelete?: boolean;
  /** Who may read and who may write (default: any signed-in role reads, editors write). */
  access?: { read?: 'read' | 'admin'; write?: 'write' | 'admin' };
  /** Fills derived columns before a write; `existing` is the current row on update. */
  prepare?: (values: Row, existing: Row | undefined, ctx: Ctx) => Row;
  /** Fills columns that need the database (document numbers) just before an insert. */
  beforeInsert?: (ctx: Ctx, values: Row) => Promise<Row>;
  /**
   * Runs inside the transaction after a record is created (before = undefined), changed,
   * archived or restored through any path of this layer: keeps derived data (a lead's score
   * and its history, a company's health) in step with every change. Not run by bulk create.
   */
  afterWrite?: (ctx: Ctx, row: Row, before: Row | undefined) => Promise<void>;
  /** Runs inside the transaction after a bulk create, with the ids written (bulk create runs no afterWrite). */
  afterBulkCreate?: (ctx: Ctx, ids: string[]) => Promise<void>;
  /** Runs (inside the transaction, on the locked row) before a record is archived or deleted; throws to refuse. */
  beforeRemove?: (ctx: Ctx, row: Row, how: 'archive' | 'delete') => Promise<void>;
  /** Who owns the records and which records they are seen through (src/core/platform/visibility.ts). */
  visibility?: VisibilityRule;
};

export type Resource = Required<Pick<ResourceConfig, 'mode' | 'hidden' | 'readOnly' | 'immutable' | 'search'>> &
  ResourceConfig & {
    fields: Field[];
    fieldByName: Map<string, Field>;
    output: Field[];
    writable: Field[];
    createSchema: z.ZodType<Row>;
    updateSchema: z.ZodType<Row>;
    idColumn: PgColumn;
    hasArchive: boolean;
    hasVersion: boolean;
    sortable: string[];
    filterable: string[];
    selection: Record<string, PgColumn>;
    /** `select "a", "b" … from "table"` for the output columns, rendered once. */
    selectFrom: SQL;
    /** Output fields whose raw driver value needs converting (timestamps, big integers). */
    converted: Field[];
    tableName: string;
    /** Resolved from visibility.via by resources.ts once every resource exists. */
    parents?: Array<{ column: string; parent: Visible }>;
  };

/** Tables whose changes alter who is signed in or what they may do: cached credentials are dropped on commit. */
const ACCESS_TABLES = new Set(['users', 'api_keys', 'sessions']);

const SYSTEM_FIELDS = new Set(['id', 'created_at', 'updated_at', 'version', 'archived_at', 'erased_at']);
const SEARCH_DEFAULT = /^(name|email|first_name|last_name|company_name|subject|title|ticket_number|invoice_number|key|label|tool_name|team_member|competitor_name|event|model|workflow_name)$/;

export function defineResource(config: ResourceConfig): Resource {
  const fields = tableFields(config.table);
  const fieldByName = new Map(fields.map((f) => [f.name, f]));
  const cols = getTableColumns(config.table) as Record<string, PgColumn>;
  const hidden = config.hidden ?? [];
  // Owners change only through <resource>.reassign; the creator never changes.
  const ownerColumns = [...(config.visibility?.owners ?? []), ...(config.visibility?.creator ? [config.visibility.creator] : [])];
  const readOnly = [...(config.readOnly ?? []), ...ownerColumns];
  for (const [column] of config.visibility?.via ?? []) {
    if (!fieldByName.has(column)) throw new Error(`resource ${config.name}: no column ${column}`);
  }
  const immutable = config.immutable ?? [];
  for (const n of [...hidden, ...readOnly, ...immutable, ...(config.required ?? []), ...(config.search ?? [])]) {
    if (!fieldByName.has(n)) throw new Error(`resource ${config.name}: no column ${n}`);
  }
  const mode: ResourceMode = config.mode ?? (fieldByName.has('version') ? 'editable' : 'append');
  const output = fields.filter((f) => !hidden.includes(f.name));
  const writable = fields.filter(
    (f) => !SYSTEM_FIELDS.has(f.name) && !f.generated && !hidden.includes(f.name) && !readOnly.includes(f.name),
  );
  const required = new Set(config.required ?? []);
  const createShape: Record<string, z.ZodType> = {};
  const updateShape: Record<string, z.ZodType> = {};
  for (const f of writable) {
    const s = writeSchema(f);
    const mustGive = required.has(f.name) || (!f.nullable && !f.hasDefault);
    createShape[f.name] = mustGive ? (required.has(f.name) ? f.value : s) : s.optional();
    if (!immutable.includes(f.name)) updateShape[f.name] = s.optional();
  }
  const scalar = output.filter((f) => f.kind !== 'json' && f.kind !== 'text_array');
  const idColumn = cols.id;
  if (!idColumn) throw new Error(`resource ${config.name}: every table needs an id column`);
  return {
    ...config,
    mode,
    hidden,
    readOnly,
    immutable,
    search: config.search ?? output.filter((f) => (f.kind === 'text' || f.kind === 'enum') && SEARCH_DEFAULT.test(f.name)).map((f) => f.name),
    fields,
    fieldByName,
    output,
    writable,
    createSchema: z.strictObject(createShape) as unknown as z.ZodType<Row>,
    updateSchema: z.strictObject(updateShape) as unknown as z.ZodType<Row>,
    idColumn,
    hasArchive: fieldByName.has('archived_at'),
    hasVersion: fieldByName.has('version'),
    sortable: scalar.map((f) => f.name),
    filterable: scalar.map((f) => f.name),
    selection: Object.fromEntries(output.map((f) => [f.name, f.column])),
    selectFrom: sql.raw(`select ${output.map((f) => `"${f.name}"`).join(', ')} from "${getTableName(config.table)}"`),
    converted: output.filter((f) => f.kind === 'timestamp' || f.kind === 'bigint'),
    tableName: getTableName(config.table),
  };
}

/**
 * Raw rows (from `execute`) in the types a Drizzle select returns: both drivers hand
 * timestamps over as PostgreSQL text and may give big integers as strings.
 */
export function readRows(res: Resource, rows: Row[]): Row[] {
  const conv = res.converted;
  if (conv.length === 0) return rows;
  for (const row of rows) {
    for (const f of conv) {
      const v = row[f.name];
      if (v === null || v === undefined) continue;
      if (f.kind === 'timestamp') row[f.name] = v instanceof Date ? v : new Date(String(v));
      else if (typeof v !== 'number') row[f.name] = Number(v);
    }
  }
  return rows;
}

// ---------------------------------------------------------------------------
// Validation

function fieldErrors(res: Resource, error: z.ZodError, mode: 'create' | 'update'): FieldError[] {
  const out: FieldError[] = [];
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const f = res.fieldByName.get(key);
        const message = !f
          ? `is not a field of ${res.name}`
          : res.hidden.includes(key)
            ? `is not a field of ${res.name}`
            : mode === 'update' && res.immutable.includes(key)
              ? 'cannot be changed after creation'
              : res.visibility?.owners?.includes(key)
                ? `is set to whoever creates the record; change it with ${res.name}.reassign`
                : res.visibility?.creator === key
                  ? 'is set to whoever creates the record'
                  : 'is set by the system and cannot be written';
        out.push({ field: key, message });
      }
    } else {
      const field = issue.path.length ? issue.path.map(String).join('.') : 'body';
      const message =
        issue.code === 'invalid_type' && issue.input === undefined ? 'is required' : issue.message;
      out.push({ field, message });
    }
  }
  return out;
}

export function validateCreate(res: Resource, input: unknown): Row {
  if (!input || typeof input !== 'object' || Array.isArray(input)) {
    throw invalid([{ field: 'body', message: 'must be a JSON object' }]);
  }
  const r = res.createSchema.safeParse(input, { reportInput: true });
  if (!r.success) throw invalid(fieldErrors(res, r.error, 'create'));
  return r.data;
}

export function validateUpdate(res: Resource, input: unknown): Row {
  if (!input || typeof input !== 'object' || Array.isArray(input)) {
    throw invalid([{ field: 'body', message: 'must be a JSON object' }]);
  }
  const r = res.updateSchema.safeParse(input, { reportInput: true });
  if (!r.success) throw invalid(fieldErrors(res, r.error, 'update'));
  if (Object.keys(r.data).length === 0) throw invalid([{ field: 'body', message: 'names no field to change' }]);
  return r.data;
}

// ---------------------------------------------------------------------------
// Reading

function strip(res: Resource, row: Row): Row {
  if (res.hidden.length === 0) return row;
  const out = { ...row };
  for (const h of res.hidden) delete out[h];
  return out;
}

/** The row with this id if the caller may see it (record visibility), else undefined. */
export async function fetchRow(ctx: Ctx, res: Resource, id: string, lock = false): Promise<Row | undefined> {
  if (!isUuid(id)) return undefined;
  const visible = await recordsVisible(ctx, res);
  const q = ctx.db.select().from(res.table).where(visible ? and(eq(res.idColumn, id), visible) : eq(res.idColumn, id));
  const rows = (await (lock ? q.for('update') : q)) as Row[];
  return rows[0];
}

export async function getRecord(ctx: Ctx, res: Resource, id: string): Promise<Row> {
  const row = await fetchRow(ctx, res, id);
  if (!row) throw notFound(singular(res.name), id);
  return strip(res, row);
}

export const FILTER_OPS = ['eq', 'ne', 'lt', 'lte', 'gt', 'gte', 'in', 'like', 'is_null'] as const;
export type FilterOp = (typeof FILTER_OPS)[number];
export type Filter = { field: string; op: FilterOp; value: unknown };

export type ListInput = {
  filters?: Filter[];
  /** A column name, `-` in front for descending. */
  sort?: string;
  cursor?: string;
  limit?: number;
  q?: string;
  archived?: 'exclude' | 'include' | 'only';
};
export type ListResult = { items: Row[]; next_cursor: string | null };

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 200;

function buildFilter(res: Resource, f: Filter): SQL {
  const field = res.fieldByName.get(f.field);
  if (!field || !res.filterable.includes(f.field)) {
    throw invalid([{ field: f.field, message: `cannot be filtered; filterable fields: ${res.filterable.join(', ')}` }]);
  }
  if (!FILTER_OPS.includes(f.op)) {
    throw invalid([{ field: f.field, message: `unknown operator ${String(f.op)}; use one of: ${FILTER_OPS.join(', ')}` }]);
  }
  const col = field.column;
  const one = (raw: unknown) => {
    const r = filterValue(field, raw);
    if (!r.ok) throw invalid([{ field: f.field, message: r.message }]);
    return r.value;
  };
  switch (f.op) {
    case 'is_null': {
      const v = f.value === true || f.value === 'true' ? true : f.value === false || f.value === 'false' ? false : undefined;
      if (v === undefined) throw invalid([{ field: f.field, message: 'is_null takes true or false' }]);
      return v ? isNull(col) : isNotNull(col);
    }
    case 'in': {
      const list = Array.isArray(f.value) ? f.value : typeof f.value === 'string' ? f.value.split(',') : [f.value];
      if (list.length === 0 || list.length > 100) {
        throw invalid([{ field: f.field, message: 'in takes between 1 and 100 values' }]);
      }
      const values = list.map(one);
      return sql`${col} in (${sql.join(values.map((v) => sql`${v}`), sql`, `)})`;
    }
    case 'like': {
      if (field.kind !== 'text' && field.kind !== 'enum') {
        throw invalid([{ field: f.field, message: 'like applies to text fields only' }]);
      }
      if (typeof f.value !== 'string' || f.value.length > 200) {
        throw invalid([{ field: f.field, message: 'like takes a pattern of at most 200 characters' }]);
      }
      return sql`${col} ilike ${f.value}`;
    }
    default: {
      const v = one(f.value);
      const op = { eq: '=', ne: '<>', lt: '<', lte: '<=', gt: '>', gte: '>=' }[f.op];
      return sql`${col} ${sql.raw(op)} ${v}`;
    }
  }
}

type CursorState = { s: string; v: unknown; id: string };

const encodeCursor = (c: CursorState) => Buffer.from(JSON.stringify(c)).toString('base64url');

function decodeCursor(raw: string, sortKey: string): CursorState {
  try {
    const c = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as CursorState;
    if (c && typeof c === 'object' && c.s === sortKey && isUuid(c.id)) {
      return c;
    }
  } catch {
    /* fall through */
  }
  throw invalid([{ field: 'cursor', message: 'is not a cursor from this list and sort order' }]);
}

function cursorValue(field: Field, v: unknown): unknown {
  if (v instanceof Date) return v.toISOString();
  return v;
}

export function clampLimit(limit: unknown): number {
  const n = typeof limit === 'string' ? Number(limit) : typeof limit === 'number' ? limit : DEFAULT_LIMIT;
  if (!Number.isFinite(n)) return DEFAULT_LIMIT;
  return Math.min(MAX_LIMIT, Math.max(1, Math.trunc(n)));
}

export async function listRecords(ctx: Ctx, res: Resource, input: ListInput = {}): Promise<ListResult> {
  const where: SQL[] = [];
  const visible = await recordsVisible(ctx, res);
  if (visible) where.push(visible);
  for (const f of input.filters ?? []) where.push(buildFilter(res, f));
  if (res.hasArchive) {
    const archived = res.fieldByName.get('archived_at')!.column;
    const mode = input.archived ?? 'exclude';
    if (mode === 'exclude') where.push(isNull(archived));
    else if (mode === 'only') where.push(isNotNull(archived));
  }
  if (input.q !== undefined && input.q !== '') {
    if (input.q.length > 200) throw invalid([{ field: 'q', message: 'must be at most 200 characters' }]);
    if (res.search.length === 0) throw invalid([{ field: 'q', message: `${res.name} has no searchable fields` }]);
    const pattern = `%${input.q.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
    where.push(sql`(${sql.join(res.search.map((n) => sql`${res.fieldByName.get(n)!.column} ilike ${pattern}`), sql` or `)})`);
  }

  const sortSpec = input.sort ?? res.defaultSort ?? (res.fieldByName.has('created_at') ? '-created_at' : 'id');
  const desc = sortSpec.startsWith('-');
  const sortName = desc ? sortSpec.slice(1) : sortSpec;
  const sortField = res.fieldByName.get(sortName);
  if (!sortField || !res.sortable.includes(sortName)) {
    throw invalid([{ field: 'sort', message: `cannot sort by ${sortName}; sortable fields: ${res.sortable.join(', ')}` }]);
  }
  const col = sortField.column;
  const id = res.idColumn;
  const dir = sql.raw(desc ? 'desc' : 'asc');
  const cmp = sql.raw(desc ? '<' : '>');
  const castType = sql.raw(col.getSQLType());

  if (input.cursor) {
    const c = decodeCursor(input.cursor, sortSpec);
    if (sortName === 'id') {
      where.push(sql`${id} ${cmp} ${c.id}`);
    } else if (!sortField.nullable) {
      // A row comparison lets PostgreSQL walk the (column, id) index directly.
      where.push(sql`(${col}, ${id}) ${cmp} (${c.v}::${castType}, ${c.id}::uuid)`);
    } else if (c.v === null) {
      where.push(sql`(${col} is null and ${id} ${cmp} ${c.id})`);
    } else {
      where.push(
        sql`(${col} ${cmp} ${c.v}::${castType} or ${col} is null or (${col} = ${c.v}::${castType} and ${id} ${cmp} ${c.id}))`,
      );
    }
  }

  const limit = clampLimit(input.limit);
  // `nulls last` only where nulls can occur: on a NOT NULL column it would stop PostgreSQL
  // from walking the (column, id) index and make every page a full sort.
  const order =
    sortName === 'id'
      ? [sql`${id} ${dir}`]
      : [sortField.nullable ? sql`${col} ${dir} nulls last` : sql`${col} ${dir}`, sql`${id} ${dir}`];
  // The list is the hottest read: a pre-rendered column list and one raw execute skip the
  // query builder's per-request work; readRows gives the rows the same types as a select.
  const query = sql`${res.selectFrom}${where.length ? sql` where ${sql.join(where, sql` and `)}` : sql``} order by ${sql.join(order, sql`, `)} limit ${limit + 1}`;
  const rows = readRows(res, ((await ctx.db.execute(query)) as unknown as { rows: Row[] }).rows);

  let next_cursor: string | null = null;
  if (rows.length > limit) {
    rows.pop();
    const last = rows[rows.length - 1]!;
    next_cursor = encodeCursor({ s: sortSpec, v: cursorValue(sortField, last[sortName]), id: last.id as string });
  }
  return { items: rows, next_cursor };
}

// ---------------------------------------------------------------------------
// Writing

function requireMode(res: Resource, allowed: ResourceMode[], what: string) {
  if (!allowed.includes(res.mode)) {
    throw new AppError('FORBIDDEN', `${res.name} records cannot be ${what}`);
  }
}

async function dbCall<T>(res: Resource, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw mapDbError(e, res.name);
  }
}

/** Creates one record from already validated values (business verbs call this too). */
export async function insertRecord(ctx: Ctx, res: Resource, values: Row, operation?: string): Promise<Row> {
  return withTx(ctx, async (tx) => {
    const prepared = stampOwners(tx, res, res.prepare ? res.prepare(values, undefined, tx) : values);
    if (res.visibility) await assertParentsVisible(tx, res, prepared, await visibilityScope(tx));
    if (res.pipeline) {
      const status = prepared[res.pipeline.field];
      if (typeof status === 'string') await assertStatus(tx, res.pipeline.pipeline, status, res.pipeline.field);
    }
    const now = tx.now();
    const toInsert: Row = res.beforeInsert ? await res.beforeInsert(tx, { ...prepared }) : { ...prepared };
    // Timestamps that default to "now" take the context's clock, not the database's.
    for (const f of res.fields) {
      if (f.kind === 'timestamp' && f.hasDefault && toInsert[f.name] === undefined) toInsert[f.name] = now;
    }
    if (res.fieldByName.has('created_at')) toInsert.created_at = now;
    if (res.fieldByName.has('updated_at')) toInsert.updated_at = now;
    const [row] = (await dbCall(res, () => tx.db.insert(res.table).values(toInsert as never).returning())) as Row[];
    const out = strip(res, row!);
    if (res.pipeline) {
      await recordStatusChange(tx, res.pipeline.entity, out.id as string, null, out[res.pipeline.field] as string);
    }
    await writeAudit(tx, { action: 'create', table: res.name, recordId: out.id as string, after: out, ...(operation ? { operation } : {}) });
    if (ACCESS_TABLES.has(res.name)) accessChanged(tx);
    if (res.afterWrite) await res.afterWrite(tx, out, undefined);
    return out;
  });
}

/** A new record belongs to whoever creates it (its first owner column and its creator column), unless a verb said otherwise. */
function stampOwners(ctx: Ctx, res: Resource, values: Row): Row {
  const rule = res.visibility;
  if (!rule) return values;
  const me = actingUserId(ctx.actor);
  const out = { ...values };
  const first = rule.owners?.[0];
  if (first && out[first] === undefined) out[first] = me;
  if (rule.creator && out[rule.creator] === undefined) out[rule.creator] = me;
  return out;
}

export async function createRecord(ctx: Ctx, res: Resource, input: unknown, operation?: string): Promise<Row> {
  requireMode(res, ['editable', 'append'], 'created');
  return insertRecord(ctx, res, validateCreate(res, input), operation);
}

/** The input of a verb that takes one record of a table whole (validated by the verb, as the table's create would). */
/** A nested record's fields, checked by the table's own create schema; `x-table` names the table, so a client (the web app's forms) can offer its fields. */
export const recordFields = (table: string) =>
  objectInput(`Fields of a ${table} record, as its create takes them (describe the ${table} table to see them)`, { 'x-table': table });

export const MAX_BULK = 10_000;

/**
 * Bulk create: all rows validated first (errors name the row index and field), then
 * inserted with one `insert … select from unnest(…)` per chunk, which runs close to
 * COPY speed; one audit row per chunk lists the ids created.
 */
export async function createRecords(ctx: Ctx, res: Resource, inputs: unknown[]): Promise<{ ids: string[] }> {
  requireMode(res, ['editable', 'append'], 'created');
  if (res.pipeline || res.beforeInsert) {
    throw new AppError('FORBIDDEN', `${res.name} cannot be created in bulk; create them one by one`);
  }
  if (!Array.isArray(inputs) || inputs.length === 0) throw invalid([{ field: 'items', message: 'must be a non-empty array' }]);
  if (inputs.length > MAX_BULK) {
    throw new AppError('LIMIT_EXCEEDED', `at most ${MAX_BULK} records per bulk request; split the batch`);
  }
  const errors: FieldError[] = [];
  const rows: Row[] = [];
  inputs.forEach((input, i) => {
    try {
      const v = validateCreate(res, input);
      rows.push(res.prepare ? res.prepare(v, undefined, ctx) : v);
    } catch (e) {
      if (e instanceof AppError && e.details.fields) {
        for (const f of e.details.fields) errors.push({ field: `items[${i}].${f.field}`, message: f.message });
      } else throw e;
    }
  });
  if (errors.length) throw invalid(errors.slice(0, 100), `${errors.length} field errors in the batch; nothing was written`);

  if (res.visibility) {
    for (let i = 0; i < rows.length; i++) rows[i] = stampOwners(ctx, res, rows[i]!);
  }
  const stamped = res.visibility ? res.fields.filter((f) => !res.writable.includes(f) && rows.some((r) => r[f.name] !== undefined && r[f.name] !== null)) : [];
  const columns = [...res.writable, ...stamped].filter((f) => rows.some((r) => r[f.name] !== undefined));
  return withTx(ctx, async (tx) => {
    if (res.visibility) {
      const scope = await visibilityScope(tx);
      if (scope) {
        const refs: Row = {};
        for (const { column } of res.parents ?? []) refs[column] = rows.map((r) => r[column]).filter((v) => v !== undefined && v !== null);
        await assertParentsVisible(tx, res, refs, scope);
      }
    }
    const now = tx.now();
    const ids: string[] = [];
    const CHUNK = 5_000;
    for (let start = 0; start < rows.length; start += CHUNK) {
      const chunk = rows.slice(start, start + CHUNK);
      const names = columns.map((f) => f.name);
      const arrays = columns.map((f) => sql`${pgArray(f, chunk.map((r) => r[f.name]))}::${sql.raw(arrayType(f))}`);
      const insertCols = names.map((n) => sql`${sql.identifier(n)}`);
      const selectCols = names.map((n, i) => {
        const f = columns[i]!;
        const u = sql`u.${sql.identifier(`c${i}`)}`;
        const value =
          f.kind === 'text_array' ? sql`case when ${u} is null then null else array(select jsonb_array_elements_text(${u})) end` : u;
        // A value a row leaves out takes the column default (a nullable column's explicit null does too).
        return f.hasDefault ? sql`coalesce(${value}, ${sql.raw(defaultSql(f))})` : value;
      });
      const stampCols: SQL[] = [];
      const stampVals: SQL[] = [];
      for (const n of ['created_at', 'updated_at']) {
        if (res.fieldByName.has(n)) {
          stampCols.push(sql`${sql.identifier(n)}`);
          stampVals.push(sql`${now.toISOString()}::timestamptz`);
        }
      }
      const aliases = sql.join(names.map((_, i) => sql.identifier(`c${i}`)), sql`, `);
      // Rows that give no field at all still need one row each: the id column carries them.
      const query = names.length
        ? sql`insert into ${res.table} (${sql.join([...insertCols, ...stampCols], sql`, `)})
            select ${sql.join([...selectCols, ...stampVals], sql`, `)}
            from unnest(${sql.join(arrays, sql`, `)}) as u(${aliases})
            returning id`
        : sql`insert into ${res.table} (${sql.join([sql`id`, ...stampCols], sql`, `)})
            select ${sql.join([sql`gen_random_uuid()`, ...stampVals], sql`, `)}
            from generate_series(1, ${chunk.length}::int)
            returning id`;
      const result = (await dbCall(res, () => tx.db.execute(query))) as unknown as { rows: { id: string }[] };
      const chunkIds = result.rows.map((r) => r.id);
      ids.push(...chunkIds);
      await writeAudit(tx, {
        action: 'create',
        table: res.name,
        operation: 'bulk_create',
        after: { count: chunkIds.length, ids: chunkIds },
      });
    }
    if (res.afterBulkCreate) await res.afterBulkCreate(tx, ids);
    return { ids };
  });
}

function defaultSql(f: Field): string {
  const d = (f.column as { default?: unknown }).default;
  if (d === undefined) {
    const fn = (f.column as { defaultFn?: unknown }).defaultFn;
    if (fn === undefined && f.column.columnType === 'PgUUID') return 'gen_random_uuid()';
    return 'null';
  }
  if (typeof d === 'object' && d !== null && 'queryChunks' in d) {
    // sql`…` defaults such as '{}'::text[]: their chunks are plain strings.
    return (d as { queryChunks: { value?: string[] }[] }).queryChunks.map((c) => c.value?.join('') ?? '').join('');
  }
  if (typeof d === 'string') return `'${d.replace(/'/g, "''")}'`;
  if (typeof d === 'boolean' || typeof d === 'number') return String(d);
  return `'${JSON.stringify(d).replace(/'/g, "''")}'::jsonb`;
}

function arrayType(f: Field): string {
  switch (f.kind) {
    case 'uuid':
      return 'uuid[]';
    case 'integer':
      return 'int4[]';
    case 'bigint':
      return 'int8[]';
    case 'numeric':
      return 'numeric[]';
    case 'boolean':
      return 'bool[]';
    case 'timestamp':
      return 'timestamptz[]';
    case 'date':
      return 'date[]';
    case 'json':
      return 'jsonb[]';
    case 'text_array':
      // unnest flattens nested arrays, so text arrays travel as JSON and are cast back per row.
      return 'jsonb[]';
    default:
      return 'text[]';
  }
}

/** One column's values as a PostgreSQL array literal, quoted the same way on PGlite and node-postgres. */
function pgArray(f: Field, values: unknown[]): string {
  const items = values.map((v) => {
    if (v === undefined || v === null) return 'NULL';
    let s: string;
    if (v instanceof Date) s = v.toISOString();
    else if (f.kind === 'json' || f.kind === 'text_array') s = JSON.stringify(v);
    else s = String(v);
    return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
  });
  return `{${items.join(',')}}`;
}

export type UpdateOptions = {
  expectedVersion?: number;
  operation?: string;
  /** Said in the audit row beside the change (why: a discard's reason), never written to the record. */
  auditNote?: Row;
};

/** An erased record (core/privacy/erasure.ts) keeps only what reports count: it is never changed or brought back. */
function refuseErased(res: Resource, current: Row, verb: string): void {
  if (current.erased_at === null || current.erased_at === undefined) return;
  const when = current.erased_at instanceof Date ? current.erased_at.toISOString() : String(current.erased_at);
  throw new AppError('CONFLICT', `${singular(res.name)} ${String(current.id)} was erased on ${when} and cannot be ${verb}`);
}

/** Applies already validated changes (business verbs call this too). */
export async function applyUpdate(ctx: Ctx, res: Resource, id: string, changes: Row, opts: UpdateOptions = {}): Promise<Row> {
  return withTx(ctx, async (tx) => {
    const current = await fetchRow(tx, res, id, true);
    if (!current) throw notFound(singular(res.name), id);
    refuseErased(res, current, 'changed');
    if (opts.expectedVersion !== undefined && res.hasVersion && current.version !== opts.expectedVersion) {
      throw new AppError('PRECONDITION_FAILED', `${singular(res.name)} ${id} has changed since version ${opts.expectedVersion}; it is now at version ${String(current.version)}`, {
        details: { current_version: current.version },
      });
    }
    const prepared = res.prepare ? res.prepare(changes, current, tx) : changes;
    if (res.parents?.length) {
      const moved = Object.fromEntries(res.parents.filter((p) => p.column in prepared && prepared[p.column] !== current[p.column]).map((p) => [p.column, prepared[p.column]]));
      if (Object.keys(moved).length) await assertParentsVisible(tx, res, moved, await visibilityScope(tx));
    }
    let statusMove: { from: string; to: string } | undefined;
    if (res.pipeline) {
      const to = prepared[res.pipeline.field];
      const from = current[res.pipeline.field] as string;
      if (typeof to === 'string' && to !== from) {
        await assertTransition(tx, res.pipeline.pipeline, from, to, res.pipeline.field);
        statusMove = { from, to };
      }
    }
    const set: Row = { ...prepared };
    if (res.fieldByName.has('updated_at')) set.updated_at = tx.now();
    if (res.hasVersion) set.version = sql`${res.fieldByName.get('version')!.column} + 1`;
    const [row] = (await dbCall(res, () =>
      tx.db.update(res.table).set(set as never).where(eq(res.idColumn, id)).returning(),
    )) as Row[];
    const before = strip(res, current);
    const after = strip(res, row!);
    if (statusMove) {
      await recordStatusChange(tx, res.pipeline!.entity, id, statusMove.from, statusMove.to, (prepared.lost_reason ?? prepared.loss_reason ?? null) as string | null);
    }
    const d = diff(before, after);
    await writeAudit(tx, {
      action: statusMove ? 'status_change' : 'update',
      table: res.name,
      recordId: id,
      before: d.before,
      after: opts.auditNote ? { ...d.after, ...opts.auditNote } : d.after,
      ...(opts.operation ? { operation: opts.operation } : {}),
    });
    if (ACCESS_TABLES.has(res.name)) accessChanged(tx);
    if (res.afterWrite) await res.afterWrite(tx, after, before);
    return after;
  });
}

export async function updateRecord(ctx: Ctx, res: Resource, id: string, input: unknown, opts: UpdateOptions = {}): Promise<Row> {
  requireMode(res, ['editable'], 'changed');
  return applyUpdate(ctx, res, id, validateUpdate(res, input), opts);
}

async function setArchived(ctx: Ctx, res: Resource, id: string, archived: boolean, opts: UpdateOptions): Promise<Row> {
  requireMode(res, ['editable'], archived ? 'archived' : 'restored');
  if (!res.hasArchive) throw new AppError('FORBIDDEN', `${res.name} records cannot be archived`);
  return withTx(ctx, async (tx) => {
    const current = await fetchRow(tx, res, id, true);
    if (!current) throw notFound(singular(res.name), id);
    if (opts.expectedVersion !== undefined && current.version !== opts.expectedVersion) {
      throw new AppError('PRECONDITION_FAILED', `${singular(res.name)} ${id} has changed since version ${opts.expectedVersion}`, {
        details: { current_version: current.version },
      });
    }
    if (archived === (current.archived_at !== null)) return strip(res, current);
    if (!archived) refuseErased(res, current, 'restored');
    if (archived && res.beforeRemove) await res.beforeRemove(tx, current, 'archive');
    const [row] = (await tx.db
      .update(res.table)
      .set({
        archived_at: archived ? tx.now() : null,
        updated_at: tx.now(),
        version: sql`${res.fieldByName.get('version')!.column} + 1`,
      } as never)
      .where(eq(res.idColumn, id))
      .returning()) as Row[];
    await writeAudit(tx, {
      action: archived ? 'archive' : 'restore',
      table: res.name,
      recordId: id,
      before: { archived_at: current.archived_at },
      after: { archived_at: row!.archived_at },
    });
    if (ACCESS_TABLES.has(res.name)) accessChanged(tx);
    if (res.afterWrite) await res.afterWrite(tx, strip(res, row!), strip(res, current));
    return strip(res, row!);
  });
}

export const archiveRecord = (ctx: Ctx, res: Resource, id: string, opts: UpdateOptions = {}) =>
  setArchived(ctx, res, id, true, opts);
export const restoreRecord = (ctx: Ctx, res: Resource, id: string, opts: UpdateOptions = {}) =>
  setArchived(ctx, res, id, false, opts);

export async function deleteRecord(ctx: Ctx, res: Resource, id: string): Promise<{ id: string; deleted: true }> {
  requireMode(res, ['editable'], 'deleted');
  if (res.hardDelete === false) throw new AppError('FORBIDDEN', `${res.name} records cannot be deleted; archive them instead`);
  return withTx(ctx, async (tx) => {
    const current = await fetchRow(tx, res, id, true);
    if (!current) throw notFound(singular(res.name), id);
    if (res.beforeRemove) await res.beforeRemove(tx, current, 'delete');
    await dbCall(res, () => tx.db.delete(res.table).where(eq(res.idColumn, id)));
    await writeAudit(tx, { action: 'delete', table: res.name, recordId: id, before: strip(res, current) });
    if (ACCESS_TABLES.has(res.name)) accessChanged(tx);
    return { id, deleted: true as const };
  });
}

export { singular };

export type ReassignInput = { id: string; user_id: string | null; field?: string | undefined; expected_version?: number | undefined };

/**
 * Gives a record to another user (or to nobody): the one way to change an owner column.
 * The new owner must be an active user; under own/team visibility the record may leave
 * the caller's view, which is the point.
 */
export async function reassignRecord(ctx: Ctx, res: Resource, input: ReassignInput): Promise<Row> {
  const owners = res.visibility?.owners ?? [];
  const field = input.field ?? owners[0];
  if (!field || !owners.includes(field)) {
    throw invalid([{ field: 'field', message: `must be one of: ${owners.join(', ')}` }]);
  }
  return withTx(ctx, async (tx) => {
    if (input.user_id !== null) {
      const found = (await tx.db.execute(
        sql`select disabled_at, archived_at from users where id = ${input.user_id}::uuid`,
      )) as unknown as { rows: { disabled_at: unknown; archived_at: unknown }[] };
      const u = found.rows[0];
      if (!u) throw invalid([{ field: 'user_id', message: 'names no user' }]);
      if (u.disabled_at !== null || u.archived_at !== null) throw invalid([{ field: 'user_id', message: 'names a disabled user' }]);
    }
    return applyUpdate(tx, res, input.id, { [field]: input.user_id }, {
      operation: `${res.name}.reassign`,
      ...(input.expected_version !== undefined ? { expectedVersion: input.expected_version } : {}),
    });
  });
}
