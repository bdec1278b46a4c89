/**
 * What the caller may see and do, described from the same registry and schemas every surface
 * is generated from: each table with its fields (kind, allowed values, what it points at, what
 * a client may write) and each operation the caller's role may run, with its input schema and
 * HTTP binding. The web app builds its lists, forms and action dialogs from it.
 */
import { getTableConfig, type PgTable } from 'drizzle-orm/pg-core';
import { z } from 'zod';
import type { UserRole } from '../db/schema/platform.ts';
import { roleAtLeast } from './identity/roles.ts';
import { jsonSchemaOf, type JsonSchema } from './json-schema.ts';
import type { Operation, Scope } from './registry.ts';
import type { Resource } from './resource.ts';
import { resources } from './resources.ts';

const ROLE: Record<Scope, UserRole> = { read: 'viewer', write: 'editor', admin: 'admin' };

export const FieldDescription = z.object({
  name: z.string(),
  kind: z.string(),
  values: z.array(z.string()).optional(),
  nullable: z.literal(true).optional(),
  /** Returned but never written by a client (computed, owned by a verb, or the system's); absent when false, as are the next two. */
  read_only: z.literal(true).optional(),
  immutable: z.literal(true).optional(),
  /** Must be given on create. */
  required: z.literal(true).optional(),
  /** The table whose record this column holds the id of. */
  references: z.string().optional(),
  precision: z.number().optional(),
  scale: z.number().optional(),
});

export const TableDescription = z.object({
  name: z.string(),
  summary: z.string(),
  module: z.string(),
  mode: z.enum(['editable', 'append', 'readonly']),
  fields: z.array(FieldDescription),
  searched: z.array(z.string()),
  sortable: z.array(z.string()),
  default_sort: z.string(),
  archivable: z.boolean(),
  pipeline: z.object({ field: z.string(), pipeline: z.string() }).optional(),
  /** The generic verbs the caller may run on this table (list, get, create, update, archive, restore, delete, reassign). */
  verbs: z.array(z.string()),
  /** The table's own operations the caller may run (send a proposal, resolve a ticket…): tagged with the table, or with a path under it. */
  actions: z.array(z.string()),
});

export const OperationDescription = z.object({
  name: z.string(),
  summary: z.string(),
  description: z.string().optional(),
  tag: z.string(),
  scope: z.enum(['read', 'write', 'admin']),
  destructive: z.boolean(),
  kind: z.string(),
  method: z.enum(['get', 'post', 'patch', 'delete']),
  path: z.string(),
  table: z.string().optional(),
  download: z.array(z.string()).optional(),
  /** The answer holds a secret shown this once (a signing secret, a key): a client must show it, not drop it. */
  reveals_secret: z.literal(true).optional(),
  input: z.record(z.string(), z.unknown()),
});

export const SchemaDescription = z.object({
  role: z.enum(['viewer', 'editor', 'admin']),
  tables: z.array(TableDescription),
  /** The operations beyond each table's generic verbs (whose inputs follow from the table's fields). */
  operations: z.array(OperationDescription),
});
export type SchemaDescription = z.infer<typeof SchemaDescription>;

const GENERIC = new Set(['list', 'get', 'create', 'bulk_create', 'update', 'archive', 'restore', 'delete', 'reassign']);
const verbOf = (op: Operation, res: Resource) => (op.name.startsWith(`${res.name}.`) ? op.name.slice(res.name.length + 1) : '');

/** Which table each foreign-key column points at (by the database's own foreign keys, else by the visibility rule's parent). */
function references(res: Resource): Map<string, string> {
  const byTable = new Map(resources.map((r) => [r.tableName, r.name]));
  const out = new Map<string, string>();
  for (const fk of getTableConfig(res.table as PgTable).foreignKeys) {
    const ref = fk.reference();
    const [column] = ref.columns;
    const target = byTable.get(getTableConfig(ref.foreignTable).name);
    if (column && target && ref.columns.length === 1) out.set(column.name, target);
  }
  const via = new Map<string, string[]>();
  for (const [column, parent] of res.visibility?.via ?? []) via.set(column, [...(via.get(column) ?? []), parent]);
  // A column that may point at several tables (a note's related_id) points at none in particular.
  for (const [column, parents] of via) if (!out.has(column) && parents.length === 1) out.set(column, parents[0]!);
  return out;
}

const tableCache = new Map<string, Omit<z.infer<typeof TableDescription>, 'verbs' | 'actions'>>();

function tableShape(res: Resource) {
  let t = tableCache.get(res.name);
  if (!t) {
    const refs = references(res);
    const createShape = (jsonSchemaOf(res.createSchema).required ?? []) as string[];
    t = {
      name: res.name,
      summary: res.summary,
      module: res.module,
      mode: res.mode,
      fields: res.output.map((f) => ({
        name: f.name,
        kind: f.kind,
        ...(f.enumValues ? { values: [...f.enumValues] } : {}),
        ...(f.nullable ? { nullable: true as const } : {}),
        ...(res.writable.includes(f) ? {} : { read_only: true as const }),
        ...(res.immutable.includes(f.name) ? { immutable: true as const } : {}),
        ...(createShape.includes(f.name) ? { required: true as const } : {}),
        ...(refs.has(f.name) ? { references: refs.get(f.name)! } : {}),
        ...(f.kind === 'numeric' ? { precision: f.precision, scale: f.scale } : {}),
      })),
      searched: res.search,
      sortable: res.sortable,
      default_sort: res.defaultSort ?? (res.fieldByName.has('updated_at') ? '-updated_at' : '-created_at'),
      archivable: res.hasArchive,
      ...(res.pipeline ? { pipeline: { field: res.pipeline.field, pipeline: res.pipeline.pipeline } } : {}),
    };
    tableCache.set(res.name, t);
  }
  return t;
}

const descriptionCache = new Map<string, SchemaDescription>();

/** The description for a role (and for an agent, only what agents are offered): the same for everyone alike, so it is built once. */
export function describeFor(role: UserRole, all: Operation[], offered?: (op: Operation) => boolean): SchemaDescription {
  const key = `${role}:${offered ? 'agent' : 'person'}`;
  let d = descriptionCache.get(key);
  if (d) return d;
  const mayRun = all.filter((op) => !op.public && roleAtLeast(role, ROLE[op.scope]) && (!offered || offered(op)));
  const tables = resources
    .filter((res) => mayRun.some((op) => op.name === `${res.name}.list`))
    .map((res) => {
      // A table's operations: its generic verbs, those tagged with it, and those whose path is under it (/api/v1/proposals/{id}/send).
      const under = `/api/v1/${res.name}/`;
      const mine = mayRun.filter((op) => op.resource === res || op.tag === res.name || op.http.path.startsWith(under));
      return {
        ...tableShape(res),
        verbs: mine.map((op) => verbOf(op, res)).filter((v) => GENERIC.has(v)),
        actions: mine.filter((op) => !GENERIC.has(verbOf(op, res))).map((op) => op.name),
      };
    });
  d = {
    role,
    tables,
    operations: mayRun.filter((op) => !(op.resource && GENERIC.has(verbOf(op, op.resource)))).map((op) => ({
      name: op.name,
      summary: op.summary,
      ...(op.description ? { description: op.description } : {}),
      tag: op.tag,
      scope: op.scope,
      destructive: op.destructive,
      kind: op.kind,
      method: op.http.method,
      path: op.http.path,
      ...(op.resource ? { table: op.resource.name } : {}),
      ...(op.download ? { download: [...op.download.formats] } : {}),
      ...(op.revealsSecret ? { reveals_secret: true as const } : {}),
      input: jsonSchemaOf(op.input) as JsonSchema,
    })),
  };
  descriptionCache.set(key, d);
  return d;
}

/** `GET /api/v1/schema`; registered by the registry, which hands it every operation and what agents are offered. */
export function schemaOperation(all: () => Operation[], offeredToAgents: (op: Operation) => boolean): Operation {
  return {
    name: 'schema.describe',
    summary: 'Describe the tables and operations you may use',
    description:
      'Every table you may read, with its fields (kind, allowed values, the table a column points at, whether a client may write it, whether create needs it), its verbs and its own operations; and every operation your role may run with its input schema and HTTP binding. The web app builds its lists and forms from it.',
    tag: 'schema',
    scope: 'read',
    destructive: false,
    kind: 'action',
    input: z.strictObject({}),
    output: SchemaDescription,
    http: { method: 'get', path: '/api/v1/schema' },
    run: async (ctx) => describeFor(ctx.actor.role, all(), ctx.actor.type === 'agent' ? offeredToAgents : undefined),
  };
}
