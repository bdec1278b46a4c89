/**
 * CSV import of companies, contacts, leads, interactions and AI usage (issue 8), from files
 * of our own and the exports of HubSpot and Pipedrive.
 *
 * - `import.preview` is the dry run: every row is mapped, checked against the target's create
 *   schema and matched to existing records by natural key, and nothing is written.
 * - `import.start` keeps the file in a job (import_jobs) and remembers the mapping for the
 *   caller and these headers; the worker (src/worker/import-drain.ts) then writes the rows in
 *   chunks, each chunk and the job's cursor in one transaction, as the person who started it.
 *
 * Natural keys: a company is its website's domain, else its name (case-insensitive); a
 * contact or lead is its email (case-insensitive), else its name (with the company). A row
 * that matches a record (already stored, or earlier in the file) fills that record's blank
 * fields only (or is skipped), so importing a file twice, or redoing a chunk after a crash,
 * creates nothing twice.
 */
import { and, desc, eq, sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { import_jobs, import_mappings, IMPORT_FORMATS, IMPORT_TARGETS, type ImportFormat, type ImportRowError, type ImportTarget } from '../../db/schema/imports.ts';
import { withTx, type Ctx } from '../context.ts';
import { AppError, invalid, notFound, type FieldError } from '../errors.ts';
import { isUuid } from '../fields.ts';
import { actingUserId, roleAtLeast } from '../identity/roles.ts';
import { recordUsage } from '../measurement/usage.ts';
import { readRow } from '../measurement/usage-rows.ts';
import type { Operation } from '../registry.ts';
import { applyUpdate, insertRecord, readRows, validateCreate, validateUpdate, type Resource, type Row } from '../resource.ts';
import { domainOf, resource } from '../resources.ts';
import { writeAudit } from './audit.ts';
import { assertStatus } from './pipeline.ts';
import { visibilityScope, visibleCondition } from './visibility.ts';
import {
  autoField,
  cellValue,
  detectFormat,
  fieldOf,
  headerSignature,
  importFields,
  parseImportCsv,
  presetField,
  type ParsedCsv,
} from './import-formats.ts';
import { RELATION_FIELDS } from './import-relations.ts';

/** Row errors a preview lists and a job keeps; the totals count them all. */
export const MAX_LISTED_ROW_ERRORS = 200;
/** The CSV text a job keeps: the default bulk body limit (an API body larger than the configured limit never gets here). */
export const MAX_CSV_CHARS = 32 * 1024 * 1024;
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

export const DUPLICATE_POLICIES = ['skip', 'fill_blanks'] as const;
export type DuplicatePolicy = (typeof DUPLICATE_POLICIES)[number];

export const ImportOptions = z.strictObject({
  on_duplicate: z.enum(DUPLICATE_POLICIES).default('fill_blanks').describe('a row matching an existing record: fill its blank fields (default) or skip it'),
  create_companies: z.boolean().default(true).describe("contacts: create the row's company when none matches its domain or name (default true)"),
});
export type ImportOptions = z.output<typeof ImportOptions>;

const MappingInput = z
  .custom<Record<string, unknown>>((v) => typeof v === 'object' && v !== null && !Array.isArray(v), { message: 'must be an object of CSV column → field (or null to ignore the column)' })
  .meta({ type: 'object', description: 'CSV column → field name, or null to ignore the column; columns left out are mapped as remembered, by preset or by name' });

export const ImportInput = z.strictObject({
  target: z.enum(IMPORT_TARGETS).describe('what the rows are'),
  csv: z.string().min(1, 'is empty').max(MAX_CSV_CHARS, 'is too large; split the file').describe('the CSV text: a header row, then one record per row'),
  format: z.enum(IMPORT_FORMATS).optional().describe('whose export this is (detected from the headers when left out)'),
  mapping: MappingInput.optional(),
  options: ImportOptions.optional(),
  file_name: z.string().max(255).optional().describe('the file the CSV came from, to show with the job'),
});
export type ImportInput = z.input<typeof ImportInput>;

type Parsed = z.output<typeof ImportInput>;

export type MappingSource = 'request' | 'remembered' | 'preset' | 'name';
export type MappedColumn = { column: string; field: string | null; source: MappingSource | null };
export type ResolvedMapping = {
  format: ImportFormat;
  detected_format: ImportFormat;
  header_signature: string;
  columns: MappedColumn[];
  /** Where most of it came from: the request if it named any column, else a remembered mapping, else the preset, else names. */
  source: MappingSource;
  unmapped: string[];
};

// ---------------------------------------------------------------------------
// Mapping

const userKey = (ctx: Ctx) => actingUserId(ctx.actor);
const sameUser = (col: SQL | typeof import_mappings.user_id, user: string | null) => (user === null ? sql`${col} is null` : sql`${col} = ${user}::uuid`);

async function rememberedMapping(ctx: Ctx, target: ImportTarget, signature: string): Promise<Record<string, string | null> | undefined> {
  const [row] = await ctx.db
    .select({ mapping: import_mappings.mapping })
    .from(import_mappings)
    .where(and(sameUser(import_mappings.user_id, userKey(ctx)), eq(import_mappings.target, target), eq(import_mappings.header_signature, signature)));
  return row?.mapping;
}

/**
 * Each column's field: the request's, else the remembered mapping's for these headers, else
 * the format's preset, else the field its name matches. Several columns may feed one field
 * (HubSpot's "Website URL" and "Company Domain Name"): the first that is not empty wins.
 */
export async function resolveMapping(ctx: Ctx, target: ImportTarget, headers: string[], format: ImportFormat | undefined, requested: Record<string, unknown> | undefined): Promise<ResolvedMapping> {
  const fields = new Set(importFields(target));
  const request = new Map<string, string | null>();
  if (requested) {
    const errors: FieldError[] = [];
    const byNormal = new Map(headers.map((h) => [h.trim().toLowerCase(), h]));
    for (const [column, field] of Object.entries(requested)) {
      const header = byNormal.get(column.trim().toLowerCase());
      if (FORBIDDEN_KEYS.has(column) || !header) {
        errors.push({ field: `mapping.${column.slice(0, 100)}`, message: 'is not a column of the CSV' });
      } else if (field !== null && (typeof field !== 'string' || !fields.has(field))) {
        errors.push({ field: `mapping.${column.slice(0, 100)}`, message: `must be null or a field of ${target}: ${[...fields].join(', ')}` });
      } else request.set(header, field as string | null);
    }
    if (errors.length) throw invalid(errors);
  }
  const detected = detectFormat(headers);
  const used = format ?? detected;
  const signature = headerSignature(headers);
  const remembered = await rememberedMapping(ctx, target, signature);
  const columns = headers.map((column): MappedColumn => {
    if (request.has(column)) return { column, field: request.get(column)!, source: 'request' };
    if (remembered && column in remembered && Object.prototype.hasOwnProperty.call(remembered, column)) {
      const f = remembered[column];
      // A field the target no longer has is forgotten rather than trusted.
      if (f === null || (typeof f === 'string' && fields.has(f))) return { column, field: f ?? null, source: 'remembered' };
    }
    const preset = presetField(used, target, column);
    if (preset && fields.has(preset)) return { column, field: preset, source: 'preset' };
    const auto = autoField(target, column, fields);
    if (auto) return { column, field: auto, source: 'name' };
    return { column, field: null, source: null };
  });
  const source: MappingSource = request.size ? 'request' : remembered ? 'remembered' : columns.some((c) => c.source === 'preset') ? 'preset' : 'name';
  return { format: used, detected_format: detected, header_signature: signature, columns, source, unmapped: columns.filter((c) => c.field === null).map((c) => c.column) };
}

const mappingObject = (columns: MappedColumn[]): Record<string, string | null> => Object.fromEntries(columns.map((c) => [c.column, c.field]));

async function rememberMapping(ctx: Ctx, target: ImportTarget, signature: string, mapping: Record<string, string | null>): Promise<void> {
  await ctx.db
    .insert(import_mappings)
    .values({ user_id: userKey(ctx), target, header_signature: signature, mapping, updated_at: ctx.now() })
    .onConflictDoUpdate({ target: [import_mappings.user_id, import_mappings.target, import_mappings.header_signature], set: { mapping, updated_at: ctx.now() } });
}

// ---------------------------------------------------------------------------
// Rows

/** One CSV row read through the mapping: the target's values, its relation keys, and what could not be read. */
export type MappedRow = {
  /** 1-based data row. */
  row: number;
  values: Row;
  relation: { company_name?: string; company_domain?: string; contact_email?: string };
  errors: ImportRowError[];
};

function columnOf(mapping: MappedColumn[], field: string): string | null {
  return mapping.find((c) => c.field === field)?.column ?? null;
}

export function mapRow(target: ImportTarget, mapping: MappedColumn[], cells: string[], index: number, overlong: number | undefined): MappedRow {
  const out: MappedRow = { row: index + 1, values: {}, relation: {}, errors: [] };
  if (overlong !== undefined) out.errors.push({ row: out.row, field: 'row', column: null, message: `has ${overlong} cells; the header has ${cells.length}` });
  const relationFields = RELATION_FIELDS[target];
  mapping.forEach((m, i) => {
    if (!m.field) return;
    const raw = cells[i] ?? '';
    if (raw.trim() === '') return;
    if (relationFields.includes(m.field)) {
      const rel = out.relation as Record<string, string>;
      if (rel[m.field] === undefined) rel[m.field] = raw.trim();
      return;
    }
    if (out.values[m.field] !== undefined) return;
    out.values[m.field] = cellValue(fieldOf(target, m.field), raw);
  });
  // HubSpot and many others give first and last names only.
  if (target === 'contacts' && out.values.name === undefined) {
    const full = [out.values.first_name, out.values.last_name].filter((s): s is string => typeof s === 'string' && s.trim() !== '').map((s) => s.trim()).join(' ');
    if (full) out.values.name = full;
  }
  return out;
}

function rowErrors(mapping: MappedColumn[], row: number, e: unknown): ImportRowError[] {
  if (e instanceof AppError) {
    const fields = e.details.fields?.length ? e.details.fields : [{ field: 'row', message: e.message }];
    return fields.map((f) => {
      const field = f.field.replace(/^body$/, 'row');
      const message = field === 'name' && f.message === 'is required' && !columnOf(mapping, 'name') ? 'is required (map a name column, or first and last name)' : f.message;
      return { row, field, column: columnOf(mapping, field), message };
    });
  }
  throw e;
}

// ---------------------------------------------------------------------------
// Natural keys

const lower = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? v.trim().toLowerCase() : null);
const jsonList = (values: string[]) => sql`(select jsonb_array_elements_text(${JSON.stringify(values)}::jsonb))`;

/** A record known to the matcher: stored (id) or, in a dry run, to be created by an earlier row (id null). */
type Known = { id: string | null; values: Row };

/**
 * Records by natural key, loaded for a batch of rows in a few queries (only records the
 * importer can see, never archived ones) and kept up to date as rows are written or planned.
 */
class Matcher {
  private maps = new Map<string, Map<string, Known>>();
  /** How to undo what a row taught the matcher, should the row fail and its writes roll back. */
  private journal: (() => void)[] = [];
  constructor(private ctx: Ctx) {}

  mark(): number {
    return this.journal.length;
  }
  undo(mark: number): void {
    while (this.journal.length > mark) this.journal.pop()!();
  }
  /** Changes a known record's values, undoably. */
  update(k: Known, values: Row): void {
    const before = k.values;
    k.values = values;
    this.journal.push(() => {
      k.values = before;
    });
  }
  count(step: { companiesToCreate: number }): void {
    step.companiesToCreate++;
    this.journal.push(() => {
      step.companiesToCreate--;
    });
  }

  private map(kind: string): Map<string, Known> {
    let m = this.maps.get(kind);
    if (!m) this.maps.set(kind, (m = new Map()));
    return m;
  }
  get(kind: string, key: string | null): Known | undefined {
    return key === null ? undefined : this.maps.get(kind)?.get(key);
  }
  put(kind: string, key: string | null, known: Known): void {
    if (key === null) return;
    const m = this.map(kind);
    if (m.has(key)) return;
    m.set(key, known);
    this.journal.push(() => m.delete(key));
  }

  private async select(res: Resource, where: SQL): Promise<Row[]> {
    const visible = visibleCondition(res, await visibilityScope(this.ctx));
    const archived = res.hasArchive ? sql` and archived_at is null` : sql``;
    const q = sql`${res.selectFrom} where (${where})${archived}${visible ? sql` and ${visible}` : sql``} order by created_at, id`;
    return readRows(res, ((await this.ctx.db.execute(q)) as unknown as { rows: Row[] }).rows);
  }

  async loadCompanies(domains: string[], names: string[]): Promise<void> {
    const ds = [...new Set(domains)].filter((d) => !this.map('company_domain').has(d));
    const ns = [...new Set(names)].filter((n) => !this.map('company_name').has(n));
    if (!ds.length && !ns.length) return;
    const rows = await this.select(resource('companies'), sql`domain in ${jsonList(ds)} or lower(name) in ${jsonList(ns)}`);
    for (const r of rows) this.addCompany({ id: r.id as string, values: r });
  }
  addCompany(k: Known): void {
    this.put('company_domain', lower(k.values.domain ?? domainOf(k.values.website)), k);
    this.put('company_name', lower(k.values.name), k);
  }
  /**
   * A company by its domain; else by its name, among companies whose domain does not say
   * they are another company.
   */
  company(domain: string | null, name: string | null): Known | undefined {
    const byDomain = this.get('company_domain', domain);
    if (byDomain) return byDomain;
    const byName = this.get('company_name', name);
    if (!byName) return undefined;
    const theirs = lower(byName.values.domain ?? domainOf(byName.values.website));
    return domain && theirs && theirs !== domain ? undefined : byName;
  }

  async loadPeople(target: 'contacts' | 'leads', emails: string[]): Promise<void> {
    const es = [...new Set(emails)].filter((e) => !this.map(`${target}_email`).has(e));
    if (!es.length) return;
    for (const r of await this.select(resource(target), sql`lower(email) in ${jsonList(es)}`)) this.addPerson(target, { id: r.id as string, values: r });
  }
  async loadNames(target: 'contacts' | 'leads', names: string[]): Promise<void> {
    const ns = [...new Set(names)].filter((n) => !this.map(`${target}_names_loaded`).has(n));
    if (!ns.length) return;
    for (const n of ns) this.map(`${target}_names_loaded`).set(n, { id: null, values: {} });
    const where = target === 'contacts' ? sql`lower(name) in ${jsonList(ns)}` : sql`lower(trim(coalesce(first_name, '') || ' ' || coalesce(last_name, ''))) in ${jsonList(ns)}`;
    for (const r of await this.select(resource(target), where)) this.addPerson(target, { id: r.id as string, values: r });
  }
  addPerson(target: 'contacts' | 'leads', k: Known): void {
    this.put(`${target}_email`, lower(k.values.email), k);
    this.put(`${target}_name`, personNameKey(target, k.values), k);
  }
  person(target: 'contacts' | 'leads', values: Row): Known | undefined {
    const email = lower(values.email);
    // A row with an email is that person; one without is matched by name (and company).
    return email ? this.get(`${target}_email`, email) : this.get(`${target}_name`, personNameKey(target, values));
  }

  async loadInteractions(dates: Date[]): Promise<void> {
    const ds = [...new Set(dates.map((d) => d.toISOString()))].filter((d) => !this.map('interaction_dates').has(d));
    if (!ds.length) return;
    for (const d of ds) this.map('interaction_dates').set(d, { id: null, values: {} });
    const rows = await this.select(resource('interactions'), sql`interaction_date in (select x::timestamptz from jsonb_array_elements_text(${JSON.stringify(ds)}::jsonb) x)`);
    for (const r of rows) this.put('interaction', interactionKey(r), { id: r.id as string, values: r });
  }
}

function personNameKey(target: 'contacts' | 'leads', v: Row): string | null {
  if (target === 'contacts') {
    const name = lower(v.name);
    return name ? `${name}|${String(v.company_id ?? '')}` : null;
  }
  const name = lower([v.first_name, v.last_name].filter((s) => typeof s === 'string').join(' '));
  return name ? `${name}|${lower(v.company_name) ?? ''}` : null;
}

function interactionKey(v: Row): string | null {
  const at = v.interaction_date instanceof Date ? v.interaction_date : typeof v.interaction_date === 'string' ? new Date(v.interaction_date) : null;
  if (!at || Number.isNaN(at.getTime())) return null;
  return [v.type, at.toISOString(), v.subject ?? '', v.company_id ?? '', v.contact_id ?? ''].join('|');
}

const isBlank = (v: unknown) => v === null || v === undefined || (typeof v === 'string' && v.trim() === '') || (Array.isArray(v) && v.length === 0);

/** The row's values for the fields the record leaves blank. */
function blanksFilled(res: Resource, existing: Row, values: Row): Row {
  const writable = new Set(res.writable.filter((f) => !res.immutable.includes(f.name)).map((f) => f.name));
  const out: Row = {};
  for (const [k, v] of Object.entries(values)) if (writable.has(k) && !isBlank(v) && isBlank(existing[k])) out[k] = v;
  return out;
}

// ---------------------------------------------------------------------------
// Planning and writing one row

export type Outcome = 'created' | 'updated' | 'skipped' | 'error';

type Step = {
  ctx: Ctx;
  target: ImportTarget;
  mapping: MappedColumn[];
  options: ImportOptions;
  matcher: Matcher;
  /** False for the dry run: decide and remember, write nothing. */
  write: boolean;
  /** Companies a dry run would create for contacts. */
  companiesToCreate: number;
};

/** Loads what a batch of rows may match, in a few queries. */
async function prepareBatch(step: Step, rows: MappedRow[]): Promise<void> {
  const m = step.matcher;
  const { target } = step;
  const domains: string[] = [];
  const names: string[] = [];
  const companyKeys = (domain: unknown, name: unknown) => {
    const d = typeof domain === 'string' ? domainOf(domain) : null;
    if (d) domains.push(d);
    const n = lower(name);
    if (n) names.push(n);
  };
  for (const r of rows) {
    if (target === 'companies') companyKeys(r.values.website, r.values.name);
    else if (target === 'leads') companyKeys(r.values.company_website, r.values.company_name);
    else companyKeys(r.relation.company_domain ?? r.relation.company_name, r.relation.company_name);
  }
  if (target !== 'ai_usage') await m.loadCompanies(domains, names);
  if (target === 'contacts' || target === 'leads') {
    await m.loadPeople(target, rows.map((r) => lower(r.values.email)).filter((e): e is string => e !== null));
    const noEmail = rows.filter((r) => !lower(r.values.email));
    const nameOf = (r: MappedRow) => (target === 'contacts' ? lower(r.values.name) : lower([r.values.first_name, r.values.last_name].filter((s) => typeof s === 'string').join(' ')));
    await m.loadNames(target, noEmail.map(nameOf).filter((n): n is string => n !== null));
  }
  if (target === 'interactions' || target === 'ai_usage') {
    await m.loadPeople('contacts', rows.map((r) => lower(r.relation.contact_email)).filter((e): e is string => e !== null));
  }
  if (target === 'interactions') {
    const dates = rows.map((r) => (typeof r.values.interaction_date === 'string' ? new Date(r.values.interaction_date) : null)).filter((d): d is Date => d !== null && !Number.isNaN(d.getTime()));
    await m.loadInteractions(dates);
  }
}

/** Creates a record (a dry run only checks it); either way later rows match it. */
async function create(step: Step, res: Resource, values: Row): Promise<Known> {
  if (!step.write) return { id: null, values: res.prepare ? res.prepare(values, undefined, step.ctx) : values };
  const row = await insertRecord(step.ctx, res, values, 'import.start');
  return { id: row.id as string, values: row };
}

/** The record matched: fill its blanks (or skip it, as the options say). */
async function fillBlanks(step: Step, res: Resource, known: Known, values: Row, errorsOut: ImportRowError[], row: number): Promise<Outcome> {
  if (step.options.on_duplicate === 'skip') return 'skipped';
  const changes = blanksFilled(res, known.values, values);
  if (!Object.keys(changes).length) return 'skipped';
  try {
    const valid = validateUpdate(res, changes);
    if (!step.write || known.id === null) {
      step.matcher.update(known, { ...known.values, ...valid });
      return 'updated';
    }
    step.matcher.update(known, await applyUpdate(step.ctx, res, known.id, valid, { operation: 'import.start' }));
    return 'updated';
  } catch (e) {
    errorsOut.push(...rowErrors(step.mapping, row, e));
    return 'error';
  }
}

async function checkPipeline(step: Step, res: Resource, values: Row): Promise<void> {
  if (step.write || !res.pipeline) return;
  const status = values[res.pipeline.field];
  if (typeof status === 'string') await assertStatus(step.ctx, res.pipeline.pipeline, status, res.pipeline.field);
}

/** The company a contact row names, matched or (when allowed) created; undefined when it names none. */
async function companyFor(step: Step, r: MappedRow): Promise<Known | 'missing' | undefined> {
  const name = r.relation.company_name ?? null;
  // A "company" column often holds the website instead of the name.
  const domain = r.relation.company_domain ? domainOf(r.relation.company_domain) : name && /^[^\s/]+\.[a-z]{2,}$/i.test(name) ? domainOf(name) : null;
  if (!domain && !name) return undefined;
  const found = step.matcher.company(domain, lower(name));
  if (found) return found;
  if (step.target !== 'contacts' || !step.options.create_companies) return 'missing';
  const companies = resource('companies');
  const values = validateCreate(companies, { name: name ?? domain!, ...(r.relation.company_domain ? { website: r.relation.company_domain } : {}) });
  if (!step.write) step.matcher.count(step);
  const made = await create(step, companies, values);
  step.matcher.addCompany(made);
  return made;
}

const companyIdOf = (k: Known) => k.id ?? `pending:${String(k.values.name)}`;

/** Decides (and, unless a dry run, writes) one row; its errors go to `errorsOut`. A failed row leaves the matcher as it found it. */
export async function importRow(step: Step, r: MappedRow, errorsOut: ImportRowError[]): Promise<Outcome> {
  const mark = step.matcher.mark();
  try {
    const outcome = await decideRow(step, r, errorsOut);
    if (outcome === 'error') step.matcher.undo(mark);
    return outcome;
  } catch (e) {
    step.matcher.undo(mark);
    throw e;
  }
}

async function decideRow(step: Step, r: MappedRow, errorsOut: ImportRowError[]): Promise<Outcome> {
  if (r.errors.length) {
    errorsOut.push(...r.errors);
    return 'error';
  }
  const { target, matcher } = step;
  try {
    if (target === 'ai_usage') return await usageRow(step, r, errorsOut);
    const res = resource(target);
    const values: Row = { ...r.values };
    const relationErrors: ImportRowError[] = [];

    if (target === 'contacts' || target === 'interactions') {
      const company = await companyFor(step, r);
      if (company === 'missing') {
        relationErrors.push({ row: r.row, field: 'company_name', column: columnOf(step.mapping, r.relation.company_name ? 'company_name' : 'company_domain'), message: 'names no company you can see (by website domain or name)' });
      } else if (company && values.company_id === undefined) {
        values.company_id = companyIdOf(company);
      }
    }
    if (target === 'leads' && values.company_id === undefined) {
      const domain = typeof values.company_website === 'string' ? domainOf(values.company_website) : null;
      const company = matcher.company(domain, lower(values.company_name));
      if (company?.id) values.company_id = company.id;
    }
    if (target === 'interactions' && r.relation.contact_email) {
      const contact = matcher.get('contacts_email', lower(r.relation.contact_email));
      if (!contact?.id) {
        relationErrors.push({ row: r.row, field: 'contact_email', column: columnOf(step.mapping, 'contact_email'), message: 'names no contact you can see' });
      } else if (values.contact_id === undefined) {
        values.contact_id = contact.id;
        if (values.company_id === undefined && contact.values.company_id) values.company_id = contact.values.company_id;
      }
    }
    // A company a dry run would create has no id yet: check the rest of the row without it.
    const pendingCompany = typeof values.company_id === 'string' && values.company_id.startsWith('pending:') ? values.company_id : undefined;
    let valid: Row;
    try {
      valid = validateCreate(res, pendingCompany ? { ...values, company_id: undefined } : values);
      await checkPipeline(step, res, valid);
    } catch (e) {
      errorsOut.push(...relationErrors, ...rowErrors(step.mapping, r.row, e));
      return 'error';
    }
    if (relationErrors.length) {
      errorsOut.push(...relationErrors);
      return 'error';
    }
    if (pendingCompany) valid.company_id = pendingCompany;

    let existing: Known | undefined;
    if (target === 'companies') existing = matcher.company(domainOf(valid.website), lower(valid.name));
    else if (target === 'contacts' || target === 'leads') existing = matcher.person(target, valid);
    else existing = matcher.get('interaction', interactionKey(valid));
    if (existing) return await fillBlanks(step, res, existing, pendingCompany ? { ...valid, company_id: undefined } : valid, errorsOut, r.row);

    const made = await create(step, res, pendingCompany ? { ...valid, company_id: undefined } : valid);
    if (pendingCompany) made.values.company_id = pendingCompany;
    if (target === 'companies') matcher.addCompany(made);
    else if (target === 'contacts' || target === 'leads') matcher.addPerson(target, made);
    else matcher.put('interaction', interactionKey(made.values), made);
    return 'created';
  } catch (e) {
    errorsOut.push(...rowErrors(step.mapping, r.row, e));
    return 'error';
  }
}

/** A usage row goes through usage.record's path: idempotent by its key, and the monthly rollup kept. */
async function usageRow(step: Step, r: MappedRow, errorsOut: ImportRowError[]): Promise<Outcome> {
  const values: Row = { ...r.values };
  if (r.relation.contact_email && values.contact_id === undefined) {
    const contact = step.matcher.get('contacts_email', lower(r.relation.contact_email));
    if (!contact?.id) {
      errorsOut.push({ row: r.row, field: 'contact_email', column: columnOf(step.mapping, 'contact_email'), message: 'names no contact you can see' });
      return 'error';
    }
    values.contact_id = contact.id;
  }
  if (!step.write) {
    const errs: FieldError[] = [];
    const row = readRow(values, '', undefined, errs);
    if (!row) {
      errorsOut.push(...errs.map((f) => ({ row: r.row, field: f.field, column: columnOf(step.mapping, f.field), message: f.message })));
      return 'error';
    }
    const key = `usage:${row.idempotency_key}`;
    if (step.matcher.get('usage', key)) return 'skipped';
    step.matcher.put('usage', key, { id: null, values: {} });
    const found = (await step.ctx.db.execute(sql`select 1 from ai_usage where idempotency_key = ${row.idempotency_key} limit 1`)) as unknown as { rows: unknown[] };
    return found.rows.length ? 'skipped' : 'created';
  }
  const { duplicate } = await recordUsage(step.ctx, values);
  return duplicate ? 'skipped' : 'created';
}

// ---------------------------------------------------------------------------
// Preview

export type PreviewResult = {
  target: ImportTarget;
  format: ImportFormat;
  detected_format: ImportFormat;
  mapping: MappedColumn[];
  mapping_source: MappingSource;
  unmapped_columns: string[];
  total_rows: number;
  would_create: number;
  would_update: number;
  would_skip: number;
  error_rows: number;
  /** Companies the contacts' rows would create. */
  companies_to_create: number;
  errors: ImportRowError[];
  errors_total: number;
};

function checkMappingUsable(target: ImportTarget, columns: MappedColumn[]): void {
  if (columns.every((c) => c.field === null)) {
    throw invalid([{ field: 'mapping', message: `maps no column to a field of ${target}; fields: ${importFields(target).join(', ')}` }]);
  }
}

async function parseAndMap(ctx: Ctx, input: Parsed): Promise<{ csv: ParsedCsv; mapping: ResolvedMapping }> {
  const csv = parseImportCsv(input.csv);
  const mapping = await resolveMapping(ctx, input.target, csv.headers, input.format, input.mapping);
  checkMappingUsable(input.target, mapping.columns);
  return { csv, mapping };
}

/** The dry run: what an import would do, row by row, without writing anything. */
export async function previewImport(ctx: Ctx, raw: Parsed): Promise<PreviewResult> {
  const { csv, mapping } = await parseAndMap(ctx, raw);
  const options = ImportOptions.parse(raw.options ?? {});
  const step: Step = { ctx, target: raw.target, mapping: mapping.columns, options, matcher: new Matcher(ctx), write: false, companiesToCreate: 0 };
  const counts = { created: 0, updated: 0, skipped: 0, error: 0 };
  const errors: ImportRowError[] = [];
  let errorsTotal = 0;
  const BATCH = 1000;
  for (let start = 0; start < csv.rows.length; start += BATCH) {
    const rows = csv.rows.slice(start, start + BATCH).map((cells, i) => mapRow(raw.target, mapping.columns, cells, start + i, csv.overlong.get(start + i)));
    await prepareBatch(step, rows);
    for (const r of rows) {
      const own: ImportRowError[] = [];
      counts[await importRow(step, r, own)]++;
      errorsTotal += own.length;
      for (const e of own) if (errors.length < MAX_LISTED_ROW_ERRORS) errors.push(e);
    }
  }
  return {
    target: raw.target,
    format: mapping.format,
    detected_format: mapping.detected_format,
    mapping: mapping.columns,
    mapping_source: mapping.source,
    unmapped_columns: mapping.unmapped,
    total_rows: csv.rows.length,
    would_create: counts.created,
    would_update: counts.updated,
    would_skip: counts.skipped,
    error_rows: counts.error,
    companies_to_create: step.companiesToCreate,
    errors,
    errors_total: errorsTotal,
  };
}

// ---------------------------------------------------------------------------
// Jobs

type JobRow = typeof import_jobs.$inferSelect;

export type ImportJob = Omit<JobRow, 'csv' | 'faults' | 'header_signature' | 'lease_until'> & {
  /** 0–100, from processed_rows of total_rows. */
  percent: number;
  /** More errors happened than the job lists (error_count counts them all). */
  errors_truncated: boolean;
  done: boolean;
};

const TERMINAL = new Set(['completed', 'failed', 'cancelled']);

export function jobView(row: JobRow): ImportJob {
  const { csv: _csv, faults: _faults, header_signature: _sig, lease_until: _lease, ...rest } = row;
  return {
    ...rest,
    percent: row.total_rows ? Math.floor((row.processed_rows * 100) / row.total_rows) : 100,
    errors_truncated: row.error_count > row.errors.length,
    done: TERMINAL.has(row.status),
  };
}

/** Starts an import: the file is checked as a whole (not row by row) and kept in a job the worker runs. */
export async function startImport(ctx: Ctx, raw: Parsed): Promise<ImportJob> {
  const { csv, mapping } = await parseAndMap(ctx, raw);
  const options = ImportOptions.parse(raw.options ?? {});
  return withTx(ctx, async (tx) => {
    const map = mappingObject(mapping.columns);
    await rememberMapping(tx, raw.target, mapping.header_signature, map);
    const now = tx.now();
    const [job] = await tx.db
      .insert(import_jobs)
      .values({
        created_by: userKey(tx),
        created_role: tx.actor.role,
        target: raw.target,
        source_format: mapping.format,
        file_name: raw.file_name ?? null,
        mapping: map,
        options,
        header_signature: mapping.header_signature,
        csv: raw.csv,
        total_rows: csv.rows.length,
        created_at: now,
        updated_at: now,
      })
      .returning();
    await writeAudit(tx, {
      action: 'create',
      table: 'import_jobs',
      recordId: job!.id,
      operation: 'import.start',
      after: { target: raw.target, source_format: mapping.format, file_name: raw.file_name ?? null, total_rows: csv.rows.length, mapping: map, options },
    });
    return jobView(job!);
  });
}

/** The job if the caller started it or is an administrator; anyone else is told it does not exist. */
async function ownJob(ctx: Ctx, id: string, lock = false): Promise<JobRow> {
  if (!isUuid(id)) throw notFound('import', id);
  const q = ctx.db.select().from(import_jobs).where(eq(import_jobs.id, id));
  const [row] = await (lock ? q.for('update') : q);
  if (!row) throw notFound('import', id);
  const me = userKey(ctx);
  if (!roleAtLeast(ctx.actor.role, 'admin') && (me === null || row.created_by !== me)) throw notFound('import', id);
  return row;
}

export const importStatus = async (ctx: Ctx, id: string): Promise<ImportJob> => jobView(await ownJob(ctx, id));

/** Stops a job that has not finished; rows already imported stay. */
export async function cancelImport(ctx: Ctx, id: string): Promise<ImportJob> {
  return withTx(ctx, async (tx) => {
    const row = await ownJob(tx, id, true);
    if (row.status === 'cancelled') return jobView(row);
    if (TERMINAL.has(row.status)) throw new AppError('CONFLICT', `import ${id} has already ${row.status === 'completed' ? 'completed' : 'failed'}; there is nothing to cancel`);
    const now = tx.now();
    const [done] = await tx.db.update(import_jobs).set({ status: 'cancelled', lease_until: null, finished_at: now, updated_at: now }).where(eq(import_jobs.id, id)).returning();
    await writeAudit(tx, { action: 'update', table: 'import_jobs', recordId: id, operation: 'import.cancel', before: { status: row.status }, after: { status: 'cancelled', processed_rows: row.processed_rows } });
    return jobView(done!);
  });
}

export async function myImports(ctx: Ctx): Promise<{ items: ImportJob[] }> {
  const me = userKey(ctx);
  const rows = await ctx.db
    .select()
    .from(import_jobs)
    .where(me === null ? sql`${import_jobs.created_by} is null` : eq(import_jobs.created_by, me))
    .orderBy(desc(import_jobs.created_at), desc(import_jobs.id))
    .limit(100);
  return { items: rows.map(jobView) };
}

// ---------------------------------------------------------------------------
// Running a job (the worker's part)

class RowFailed extends Error {}

export type ChunkResult = { created: number; updated: number; skipped: number; errorRows: number; errors: ImportRowError[] };

/** The rows of a job, mapped as the job says; parsed again on every round, since only the text is kept. */
export function jobRows(job: Pick<JobRow, 'csv' | 'target' | 'mapping'>): { rows: string[][]; overlong: Map<number, number>; mapping: MappedColumn[] } {
  const csv = parseImportCsv(job.csv);
  const own = (column: string) => (Object.prototype.hasOwnProperty.call(job.mapping, column) ? job.mapping[column] : null);
  const mapping = csv.headers.map((column): MappedColumn => ({ column, field: typeof own(column) === 'string' ? own(column)! : null, source: 'request' }));
  return { rows: csv.rows, overlong: csv.overlong, mapping };
}

/**
 * Writes rows [start, end) of a job in the caller's transaction, each row in a savepoint of
 * its own, so one bad row (even one the database refuses) leaves the rest of the chunk.
 * `beforeRow` lets a test stop the chunk midway, as a crash would.
 */
export async function importChunk(
  tx: Ctx,
  job: Pick<JobRow, 'id' | 'target' | 'options'>,
  parsed: ReturnType<typeof jobRows>,
  start: number,
  end: number,
  beforeRow?: (index: number) => void,
): Promise<ChunkResult> {
  const target = job.target;
  const options = ImportOptions.parse(job.options ?? {});
  const step: Step = { ctx: tx, target, mapping: parsed.mapping, options, matcher: new Matcher(tx), write: true, companiesToCreate: 0 };
  const rows = parsed.rows.slice(start, end).map((cells, i) => mapRow(target, parsed.mapping, cells, start + i, parsed.overlong.get(start + i)));
  await prepareBatch(step, rows);
  const out: ChunkResult = { created: 0, updated: 0, skipped: 0, errorRows: 0, errors: [] };
  for (const r of rows) {
    beforeRow?.(r.row - 1);
    const own: ImportRowError[] = [];
    let outcome: Outcome = 'error';
    try {
      outcome = await tx.db.transaction(async (sp) => {
        const o = await importRow({ ...step, ctx: { ...tx, db: sp as unknown as Ctx['db'] } }, r, own);
        // Undo whatever the row wrote before it failed.
        if (o === 'error') throw new RowFailed();
        return o;
      });
    } catch (e) {
      if (!(e instanceof RowFailed)) throw e;
    }
    if (outcome === 'created') out.created++;
    else if (outcome === 'updated') out.updated++;
    else if (outcome === 'skipped') out.skipped++;
    else {
      out.errorRows++;
      out.errors.push(...own);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------
// Operations

const IdInput = z.strictObject({ id: z.string().max(200) });

const ROWS =
  'Give `target` (companies, contacts, leads, interactions or ai_usage) and `csv` (a header row, then one record per row). The format (generic, hubspot, pipedrive) is detected from the headers unless given. Each column maps to a field: by `mapping` (column → field, or null to ignore it), else by the mapping you last used for the same headers, else by the HubSpot or Pipedrive preset, else by its name. Relations are matched by natural key: a contact\'s company by its website domain (company_domain), else its name (company_name), and created when none matches; an interaction\'s contact by contact_email. A row matching a record already stored (companies by domain, else name; contacts and leads by email) or earlier in the file fills that record\'s blank fields only (options.on_duplicate `fill_blanks`, the default) or is skipped (`skip`). A cell our own export neutralised (an apostrophe before =, +, -, @, tab or CR) is imported as the original text; any other text is stored as given.';

export const importOperations: Operation[] = [
  {
    name: 'import.preview',
    summary: 'Dry-run a CSV import',
    description: `Checks every row as import.start would and writes nothing. ${ROWS} Answers the mapping used (each column's field and where it came from), unmapped columns, the rows that would be created, updated and skipped, the companies contacts would create, and per-row errors ({row (1-based data row), field, column, message}; at most ${MAX_LISTED_ROW_ERRORS} listed, errors_total counts them all).`,
    tag: 'imports',
    scope: 'write',
    destructive: false,
    kind: 'action',
    bulk: true,
    input: ImportInput,
    http: { method: 'post', path: '/api/v1/imports/preview' },
    run: (ctx, input) => previewImport(ctx, input as Parsed),
  },
  {
    name: 'import.start',
    summary: 'Import a CSV file',
    description: `Queues an import that the background worker runs in chunks of about 200 rows, each chunk in one transaction with the job's progress, as you (the audit log names you). ${ROWS} Remembers the mapping for these headers. A row with errors is skipped and its error kept on the job; the others go on. Answers the job; follow it with import.status.`,
    tag: 'imports',
    scope: 'write',
    destructive: false,
    kind: 'action',
    bulk: true,
    input: ImportInput,
    http: { method: 'post', path: '/api/v1/imports', status: 201 },
    run: (ctx, input) => startImport(ctx, input as Parsed),
  },
  {
    name: 'import.status',
    summary: 'Progress of an import',
    description: `The job: status (pending, running, completed, failed, cancelled), total_rows, processed_rows, percent, created_count, updated_count, skipped_count, error_count, the first ${MAX_LISTED_ROW_ERRORS} row errors, and failure (why the whole job failed). Only the person who started it and administrators see it.`,
    tag: 'imports',
    scope: 'write',
    destructive: false,
    kind: 'action',
    input: IdInput,
    http: { method: 'get', path: '/api/v1/imports/{id}' },
    run: (ctx, input) => importStatus(ctx, input.id),
  },
  {
    name: 'import.cancel',
    summary: 'Cancel an import',
    description: 'Stops a pending or running import after the chunk in progress; the rows already imported stay. Only the person who started it and administrators may cancel it.',
    tag: 'imports',
    scope: 'write',
    destructive: false,
    kind: 'action',
    input: IdInput,
    http: { method: 'post', path: '/api/v1/imports/{id}/cancel' },
    run: (ctx, input) => cancelImport(ctx, input.id),
  },
  {
    name: 'import.mine',
    summary: 'Your imports',
    description: 'The imports you started, newest first (at most 100), with their progress.',
    tag: 'imports',
    scope: 'write',
    destructive: false,
    kind: 'action',
    input: z.strictObject({}),
    http: { method: 'get', path: '/api/v1/imports' },
    run: (ctx) => myImports(ctx),
  },
];
