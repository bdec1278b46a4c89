/**
 * Factories for any resource, derived from its fields: `buildValid` gives the smallest
 * create payload the API accepts (required fields only), creating foreign-key parents on
 * demand from the Drizzle references, so no table needs a hand-written factory.
 * Values are unique per call where a unique index could otherwise collide.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { and, asc, eq, isNull, type SQL } from 'drizzle-orm';
import { getTableConfig, type PgTable } from 'drizzle-orm/pg-core';
import type { Ctx } from '../src/core/context.ts';
import type { Field } from '../src/core/fields.ts';
import { insertRecord, validateCreate, type Resource, type Row } from '../src/core/resource.ts';
import { resources } from '../src/core/resources.ts';
import { pipeline_stages, type Pipeline } from '../src/db/schema/platform.ts';

/** What `app.request` of a Hono app offers; enough to drive the API in process. */
export type ApiClient = {
  request(path: string, init?: RequestInit): Response | Promise<Response>;
};

export type FactoryRefs = {
  /** Core access: pipeline lookups and parents of resources the API cannot create. */
  ctx: Ctx;
  /** When given, parents are created through the HTTP API (as a client would). */
  app?: ApiClient;
  /** Ids to use for foreign keys, by referenced table name (`{ companies: id }`). */
  parents?: Record<string, string>;
  /** Merged over the built payload. */
  overrides?: Row;
};

export const tableName = (table: PgTable) => getTableConfig(table).name;

const byTable = new Map(resources.map((r) => [tableName(r.table), r]));

export function resourceOf(name: string): Resource {
  const r = resources.find((x) => x.name === name) ?? byTable.get(name);
  if (!r) throw new Error(`factories: unknown resource ${name}`);
  return r;
}

let seq = 0;
/** Unique within the run and across runs on a reused database. */
export const unique = () => `${++seq}${randomBytes(3).toString('hex')}`;

/** The table a column references, from the Drizzle foreign keys (undefined if none). */
export function referencedTable(res: Resource, field: Field): string | undefined {
  for (const fk of getTableConfig(res.table).foreignKeys) {
    const ref = fk.reference();
    if (ref.columns.length === 1 && ref.columns[0]!.name === field.column.name) {
      return getTableConfig(ref.foreignTable).name;
    }
  }
  return undefined;
}

const SYSTEM_FIELDS = new Set(['id', 'created_at', 'updated_at', 'version', 'archived_at']);

/**
 * Fields a create must carry: not null without a default, or named `required` by the resource.
 * With `system`, also the read-only ones a verb of the resource's own fills (a decision's company).
 */
export function requiredFields(res: Resource, opts: { system?: boolean } = {}): Field[] {
  const required = new Set(res.required ?? []);
  const pool = opts.system ? res.fields.filter((f) => !SYSTEM_FIELDS.has(f.name) && !f.generated && !res.hidden.includes(f.name)) : res.writable;
  return pool.filter((f) => required.has(f.name) || (!f.nullable && !f.hasDefault));
}

/** A json column whose check constraint demands an array (`jsonb_typeof(x) = 'array'`). */
function wantsJsonArray(res: Resource, field: Field): boolean {
  const cfg = getTableConfig(res.table);
  const check = cfg.checks.find((c) => c.name === `${cfg.name}_${field.column.name}_check`);
  if (!check) return false;
  return sqlText(check.value).includes("jsonb_typeof") && sqlText(check.value).includes("'array'");
}

/** The literal text of a drizzle `sql` template (nested fragments included, parameters left out). */
function sqlText(chunk: unknown): string {
  if (chunk && typeof chunk === 'object') {
    if ('queryChunks' in chunk) return (chunk as SQL).queryChunks.map(sqlText).join('');
    const v = (chunk as { value?: unknown }).value;
    if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v.join('');
  }
  return '';
}

const isEmail = (name: string) => name === 'email' || name.endsWith('_email');
const isUrl = (name: string) => name === 'url' || name === 'website' || name.endsWith('_url');

/** The first active stage of a pipeline; seeded stages win ties on position. */
export async function firstStage(ctx: Ctx, pipeline: Pipeline): Promise<string> {
  const [row] = await ctx.db
    .select({ key: pipeline_stages.key })
    .from(pipeline_stages)
    .where(and(eq(pipeline_stages.pipeline, pipeline), isNull(pipeline_stages.archived_at)))
    .orderBy(asc(pipeline_stages.position), asc(pipeline_stages.created_at))
    .limit(1);
  if (!row) throw new Error(`factories: pipeline ${pipeline} has no stages`);
  return row.key;
}

/** A valid value of a field's kind that needs no other record (foreign keys are handled by the caller). */
export function plainValue(res: Resource, f: Field): unknown {
  switch (f.kind) {
    case 'uuid':
      return randomUUID();
    case 'text':
      if (isEmail(f.name)) return `t${unique()}@example.com`;
      if (isUrl(f.name)) return `https://example-${unique()}.com/`;
      return `${f.name} ${unique()}`;
    case 'enum':
      return f.enumValues![0];
    case 'integer':
    case 'bigint':
      return 1;
    case 'numeric':
      return f.scale ? `1.${'0'.repeat(f.scale)}` : '1';
    case 'boolean':
      return false;
    case 'timestamp':
      return '2026-03-01T09:00:00.000Z';
    case 'date':
      return '2026-03-01';
    case 'json':
      return wantsJsonArray(res, f) ? [] : {};
    case 'text_array':
      return [];
  }
}

async function valueFor(res: Resource, f: Field, refs: FactoryRefs, parents: Record<string, string>): Promise<unknown> {
  if (res.pipeline?.field === f.name) return firstStage(refs.ctx, res.pipeline.pipeline);
  if (f.kind === 'uuid') {
    const target = referencedTable(res, f);
    if (target) return parents[target] ?? (parents[target] = await createParent(target, refs, parents));
  }
  return plainValue(res, f);
}

/**
 * Columns the schema cannot tell the factory about: a polymorphic reference (a type and an id
 * with no foreign key) gets a real record; a number unique per parent gets one no verb has used.
 */
const SPECIAL: Record<string, (refs: FactoryRefs, parents: Record<string, string>) => Promise<Row>> = {
  campaign_targets: async (refs, parents) => ({ target_type: 'company', target_id: parents.companies ?? (parents.companies = await createParent('companies', refs, parents)) }),
  // A consent is a contact's or a lead's, never both.
  consents: async (refs, parents) => ({ contact_id: parents.contacts ?? (parents.contacts = await createParent('contacts', refs, parents)) }),
  // Creating the content (the parent) already wrote its version 1.
  campaign_content_versions: async () => ({ content_version: 1000 + ++seq }),
};

async function build(name: string, refs: FactoryRefs, parents: Record<string, string>): Promise<Row> {
  const res = resourceOf(name);
  const out: Row = {};
  for (const f of requiredFields(res, { system: !postable(res) })) out[f.name] = await valueFor(res, f, refs, parents);
  const special = SPECIAL[res.name];
  if (special) Object.assign(out, await special(refs, parents));
  // A pipeline status always starts at the pipeline's first key, even where the column has a default.
  if (res.pipeline && out[res.pipeline.field] === undefined) {
    out[res.pipeline.field] = await firstStage(refs.ctx, res.pipeline.pipeline);
  }
  return { ...out, ...refs.overrides };
}

/** The smallest valid create payload for any resource; parents are created as needed. */
export async function buildValid(name: string, refs: FactoryRefs): Promise<Row> {
  return build(name, refs, { ...refs.parents });
}

/** Whether the generic API creates this resource (not for system-written records or ones a verb of their own creates, like users). */
const postable = (res: Resource) => res.mode !== 'readonly' && res.create !== false;

async function createParent(table: string, refs: FactoryRefs, parents: Record<string, string>): Promise<string> {
  const res = resourceOf(table);
  const payload = await build(res.name, { ...refs, overrides: {} }, parents);
  const row = refs.app && postable(res) ? await postRecord(refs.app, res.name, payload) : await insertDirect(refs.ctx, res.name, payload);
  return row.id as string;
}

/** POSTs a create and returns the record; throws with the problem body on anything but 201. */
export async function postRecord(app: ApiClient, name: string, payload: Row): Promise<Row> {
  const r = await app.request(`/api/v1/${name}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(payload),
  });
  const body = (await r.json()) as Row;
  if (r.status !== 201) throw new Error(`factories: POST /api/v1/${name} gave ${r.status}: ${JSON.stringify(body)}`);
  return body;
}

/**
 * Inserts through the core (bypassing the resource's mode), for records only the system
 * writes (sessions, webhook deliveries) or a verb of their own creates (users): the payload is validated, hidden not-null
 * columns (hashes, secrets) get a random value.
 */
export async function insertDirect(ctx: Ctx, name: string, payload: Row): Promise<Row> {
  const res = resourceOf(name);
  // What a client may write is validated as a client's would be; the read-only rest is what the verb would fill.
  const writable = new Set(res.writable.map((f) => f.name));
  const given = Object.fromEntries(Object.entries(payload).filter(([k]) => writable.has(k)));
  const filled = Object.fromEntries(Object.entries(payload).filter(([k]) => !writable.has(k)));
  const values = { ...validateCreate(res, given), ...filled };
  for (const f of res.fields) {
    if (res.hidden.includes(f.name) && !f.nullable && !f.hasDefault) values[f.name] = randomBytes(16).toString('hex');
  }
  return insertRecord(ctx, res, values);
}

/** Builds and creates a record of any resource: through the API when refs.app is given, else through the core. */
export async function createValid(name: string, refs: FactoryRefs): Promise<Row> {
  const res = resourceOf(name);
  const payload = await buildValid(name, refs);
  return refs.app && postable(res) ? postRecord(refs.app, res.name, payload) : insertDirect(refs.ctx, res.name, payload);
}

export const buildCompany = (refs: FactoryRefs) => buildValid('companies', refs);

export function createCompany(refs: FactoryRefs, overrides: Row = {}): Promise<Row> {
  return createValid('companies', { ...refs, overrides: { ...refs.overrides, ...overrides } });
}

/** A contact at a company (a new one unless refs.parents.companies or overrides.company_id names one). */
export async function createContact(refs: FactoryRefs, overrides: Row = {}): Promise<Row> {
  const company_id = overrides.company_id ?? refs.parents?.companies ?? (await createCompany(refs)).id;
  return createValid('contacts', { ...refs, overrides: { company_id, ...overrides } });
}

/** An interaction with a contact at a company (both created unless given). */
export async function createInteraction(refs: FactoryRefs, overrides: Row = {}): Promise<Row> {
  const company_id = (overrides.company_id as string | undefined) ?? refs.parents?.companies ?? ((await createCompany(refs)).id as string);
  const contact_id =
    overrides.contact_id ?? refs.parents?.contacts ?? (await createContact({ ...refs, parents: { ...refs.parents, companies: company_id } })).id;
  return createValid('interactions', {
    ...refs,
    overrides: { company_id, contact_id, interaction_date: '2026-03-01T09:00:00.000Z', ...overrides },
  });
}

/**
 * A valid change for a PATCH: a writable field that is neither immutable nor a pipeline
 * status, preferring optional text, then any text, then a boolean, then a foreign key.
 */
export async function pickChange(res: Resource, refs: FactoryRefs): Promise<{ field: string; value: unknown } | undefined> {
  const candidates = res.writable.filter((f) => !res.immutable.includes(f.name) && res.pipeline?.field !== f.name);
  const pick =
    candidates.find((f) => f.kind === 'text' && f.nullable) ??
    candidates.find((f) => f.kind === 'text') ??
    candidates.find((f) => f.kind === 'boolean') ??
    candidates.find((f) => f.kind === 'uuid' && referencedTable(res, f));
  if (!pick) {
    // Nothing else may change (a campaign target is its status): move it to the first stage's first next status.
    if (!res.pipeline) return undefined;
    const [first] = await refs.ctx.db
      .select({ next: pipeline_stages.next_statuses })
      .from(pipeline_stages)
      .where(and(eq(pipeline_stages.pipeline, res.pipeline.pipeline), isNull(pipeline_stages.archived_at)))
      .orderBy(asc(pipeline_stages.position))
      .limit(1);
    return first?.next[0] ? { field: res.pipeline.field, value: first.next[0] } : undefined;
  }
  if (pick.kind === 'boolean') return { field: pick.name, value: true };
  if (pick.kind === 'uuid') return { field: pick.name, value: await createParent(referencedTable(res, pick)!, refs, {}) };
  return { field: pick.name, value: plainValue(res, pick) };
}

/** A value of the wrong JSON type for a field (undefined for json, which takes any JSON). */
export function wrongType(f: Field): unknown {
  switch (f.kind) {
    case 'text':
    case 'enum':
      return 12345;
    case 'uuid':
      return 'not-a-uuid';
    case 'integer':
    case 'bigint':
    case 'numeric':
      return 'abc';
    case 'boolean':
      return 'yes';
    case 'timestamp':
    case 'date':
      return 'not a date';
    case 'text_array':
      return 'x';
    case 'json':
      return undefined;
  }
}
