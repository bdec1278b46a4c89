/**
 * Duplicates: likely duplicate companies and contacts, and merging them.
 *
 * Finding compares what people type differently for the same thing: a company's website
 * domain (www. and the scheme dropped) or its name without case, punctuation and legal
 * suffixes ("Acme Pty. Ltd." is "acme"); a contact's email without case, or their name at
 * the same company. Only records the caller can see and that are not archived.
 *
 * Merging moves every reference to the duplicates onto the survivor, in one transaction:
 * each foreign key in the schema that points at the table (found from the Drizzle tables,
 * so a new table is covered without a change here), and the references that carry no
 * foreign key (notes, status history, campaign targets). The audit log is history and
 * keeps naming the records as they were. Where a unique key would collide (the same user on
 * both companies' teams), the duplicate's row is left with the duplicate, which is archived,
 * not deleted, so nothing is lost; derived rows whose figures add up (the usage rollup) are
 * added into the survivor's row instead. The survivor's blank fields take the first
 * non-blank value of the duplicates, in the order given.
 */
import { and, eq, getTableColumns, inArray, is, isNull, sql, type SQL } from 'drizzle-orm';
import { getTableConfig, PgTable } from 'drizzle-orm/pg-core';
import { z } from 'zod';
import { mapDbError } from '../../db/errors.ts';
import * as schema from '../../db/schema/index.ts';
import { localDate, withTx, type Ctx } from '../context.ts';
import { AppError, invalid, notFound } from '../errors.ts';
import { isUuid } from '../fields.ts';
import { lockEngagements } from '../measurement/usage-rollup.ts';
import type { Operation } from '../registry.ts';
import { actingUserId } from '../identity/roles.ts';
import { archiveRecord, getRecord, singular, type Resource, type Row } from '../resource.ts';
import { domainOf, resource } from '../resources.ts';
import { recomputeCompanyHealth } from '../sales/health.ts';
import { uuidArray } from '../sql-arrays.ts';
import { diff, writeAudit } from './audit.ts';
import { assertParentsVisible, visibilityScope, visibleCondition } from './visibility.ts';

export const DUPLICATE_TABLES = ['companies', 'contacts'] as const;
export type DuplicateTable = (typeof DUPLICATE_TABLES)[number];
export const MAX_MERGE = 20;
/** Records shown per group: a merge takes at most MAX_MERGE duplicates and one survivor. */
const GROUP_RECORDS = MAX_MERGE + 1;

// ---------------------------------------------------------------------------
// Normalising

/** Words that say what kind of company it is, not which: dropped from the end of a name. */
const LEGAL_SUFFIXES = new Set(['pty', 'ltd', 'limited', 'proprietary', 'inc', 'incorporated', 'llc', 'llp', 'plc', 'corp', 'corporation', 'co', 'gmbh']);

/** Lower case, accents and punctuation gone, words single-spaced: "  O'Brien-Smith, Jo " → "obrien smith jo". */
function plainWords(text: string): string[] {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/['’.]/g, '')
    .replace(/&/g, ' and ')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim()
    .split(' ')
    .filter(Boolean);
}

/** "Acme Pty. Ltd." → "acme"; a name that is nothing but a suffix ("Ltd") stays as it is. */
export function normaliseCompanyName(name: unknown): string | null {
  if (typeof name !== 'string') return null;
  const words = plainWords(name);
  while (words.length > 1 && LEGAL_SUFFIXES.has(words[words.length - 1]!)) words.pop();
  return words.length ? words.join(' ') : null;
}

export function normalisePersonName(name: unknown): string | null {
  if (typeof name !== 'string') return null;
  const words = plainWords(name);
  return words.length ? words.join(' ') : null;
}

export function normaliseEmail(email: unknown): string | null {
  if (typeof email !== 'string') return null;
  const e = email.trim().toLowerCase();
  return e.includes('@') ? e : null;
}

// ---------------------------------------------------------------------------
// Finding

export type DuplicateReason = 'domain' | 'name' | 'email' | 'name_at_company';

export type DuplicateGroup = {
  /** Why these records look like one: each rule that put them together, with the value they share. */
  reasons: { reason: DuplicateReason; value: string }[];
  /** Records in the group (all of them, even when `records` shows fewer). */
  count: number;
  /** Oldest first, at most 21 (a survivor and the 20 duplicates one merge takes). */
  records: Row[];
  /** The oldest record: the usual survivor, since others may already link to it. */
  suggested_survivor_id: string;
};

export const FindInput = z.strictObject({
  table: z.enum(DUPLICATE_TABLES).describe('companies or contacts'),
  limit: z.coerce.number().int().min(1).max(200).optional().describe('groups to return, largest first (default 50, at most 200)'),
});

const RULES: Record<DuplicateTable, { columns: string[]; keys: (row: Row) => Array<[DuplicateReason, string | null]> }> = {
  companies: {
    columns: ['id', 'name', 'website', 'domain', 'status', 'created_at', 'version'],
    keys: (r) => [
      ['domain', (typeof r.domain === 'string' && r.domain ? r.domain.toLowerCase() : null) ?? domainOf(r.website)],
      ['name', normaliseCompanyName(r.name)],
    ],
  },
  contacts: {
    columns: ['id', 'name', 'email', 'company_id', 'created_at', 'version'],
    keys: (r) => {
      const name = normalisePersonName(r.name);
      return [
        ['email', normaliseEmail(r.email)],
        // The name alone is too common to mean the same person; at the same company it does.
        ['name_at_company', name && typeof r.company_id === 'string' ? `${r.company_id}:${name}` : null],
      ];
    },
  },
};

export async function findDuplicates(ctx: Ctx, input: z.infer<typeof FindInput>) {
  const res = resource(input.table);
  const rule = RULES[input.table];
  const limit = input.limit ?? 50;
  const cols = getTableColumns(res.table);
  const selection = Object.fromEntries(rule.columns.map((c) => [c, cols[c]!]));
  const visible = visibleCondition(res, await visibilityScope(ctx));
  const archived = isNull(res.fieldByName.get('archived_at')!.column);
  const rows = (await ctx.db
    .select(selection)
    .from(res.table)
    .where(visible ? and(archived, visible) : archived)
    .orderBy(res.fieldByName.get('created_at')!.column, res.idColumn)) as Row[];

  // Rows arrive oldest first, so every group's records are too.
  const byKey = new Map<string, { reason: DuplicateReason; value: string; rows: Row[] }>();
  for (const row of rows) {
    for (const [reason, value] of rule.keys(row)) {
      if (!value) continue;
      const k = `${reason}\u0000${value}`;
      const g = byKey.get(k);
      if (g) g.rows.push(row);
      else byKey.set(k, { reason, value, rows: [row] });
    }
  }
  // The same records found by two rules (same domain and same name) are one group with two reasons.
  const groups = new Map<string, DuplicateGroup>();
  for (const g of byKey.values()) {
    if (g.rows.length < 2) continue;
    const members = g.rows.map((r) => r.id as string).join(',');
    const value = g.reason === 'name_at_company' ? g.value.slice(g.value.indexOf(':') + 1) : g.value;
    const existing = groups.get(members);
    if (existing) existing.reasons.push({ reason: g.reason, value });
    else groups.set(members, { reasons: [{ reason: g.reason, value }], count: g.rows.length, records: g.rows.slice(0, GROUP_RECORDS), suggested_survivor_id: g.rows[0]!.id as string });
  }
  const all = [...groups.values()].sort((a, b) => b.count - a.count || a.reasons[0]!.value.localeCompare(b.reasons[0]!.value));
  const shown = all.slice(0, limit);
  return {
    table: input.table,
    records_scanned: rows.length,
    total_groups: all.length,
    returned: shown.length,
    truncated: all.length > shown.length,
    groups: shown,
  };
}

// ---------------------------------------------------------------------------
// What points at a record

type UniqueKey = { name: string; /** the key's columns besides the reference */ others: string[]; nullsNotDistinct: boolean };

type Reference = {
  table: string;
  column: string;
  /** For a polymorphic reference: the column that names the kind of record, and the kind. */
  kind?: { column: string; value: string };
  uniques: UniqueKey[];
  hasVersion: boolean;
  hasUpdatedAt: boolean;
};

/** References without a foreign key that belong to the record (the audit log and LLM call logs are history and stay). */
const POLYMORPHIC: Record<DuplicateTable, Array<{ table: string; column: string; kind?: { column: string; value: string } }>> = {
  companies: [
    { table: 'notes', column: 'related_id' },
    { table: 'status_history', column: 'entity_id', kind: { column: 'entity_type', value: 'company' } },
    { table: 'campaign_targets', column: 'target_id', kind: { column: 'target_type', value: 'company' } },
  ],
  contacts: [
    { table: 'notes', column: 'related_id' },
    { table: 'campaign_targets', column: 'target_id', kind: { column: 'target_type', value: 'contact' } },
  ],
};

/** Derived rows whose figures add up: on a collision the duplicate's figures are added to the survivor's row. */
const ADDITIVE: Record<string, string[]> = { ai_usage_monthly: ['tokens_used', 'records'] };
/** Tables whose writers serialise on the engagement (usage-rollup.ts). */
const USAGE_TABLES = new Set(['ai_usage', 'ai_usage_monthly']);

const allTables = (): PgTable[] => (Object.values(schema) as unknown[]).filter((v): v is PgTable => is(v, PgTable));

function uniqueKeys(table: PgTable, column: string): UniqueKey[] {
  const cfg = getTableConfig(table);
  const keys: UniqueKey[] = [];
  const add = (name: string, columns: string[], nullsNotDistinct: boolean) => {
    if (columns.includes(column)) keys.push({ name, others: columns.filter((c) => c !== column), nullsNotDistinct });
  };
  for (const c of cfg.columns) if (c.isUnique) add(c.uniqueName ?? `${cfg.name}_${c.name}_unique`, [c.name], c.uniqueType === 'not distinct');
  for (const u of cfg.uniqueConstraints) add(u.getName() ?? `${cfg.name}_unique`, u.columns.map((c) => c.name), u.nullsNotDistinct);
  for (const pk of cfg.primaryKeys) add(pk.getName(), pk.columns.map((c) => c.name), false);
  for (const i of cfg.indexes) {
    if (!i.config.unique) continue;
    const names = i.config.columns.map((c) => (c as { name?: unknown }).name);
    if (!names.includes(column)) continue;
    if (names.some((n) => typeof n !== 'string')) {
      // An expression beside the reference: which rows collide cannot be worked out from columns.
      throw new Error(`duplicates: unique index ${i.config.name ?? '?'} on ${cfg.name} mixes ${column} with an expression; teach duplicates.ts to merge it`);
    }
    // A partial index is treated as whole: at worst a row that could have moved stays with the duplicate.
    add(i.config.name ?? `${cfg.name}_${column}_unique`, names as string[], false);
  }
  return keys;
}

const referenceCache = new Map<DuplicateTable, Reference[]>();

/** Every column that refers to a record of this table: foreign keys found in the schema, then the polymorphic ones. */
export function referencesTo(target: DuplicateTable): Reference[] {
  const cached = referenceCache.get(target);
  if (cached) return cached;
  const tables = allTables();
  const targetTable = resource(target).table;
  const refs: Reference[] = [];
  const describe = (table: PgTable, column: string, kind?: { column: string; value: string }): Reference => {
    const cols = getTableColumns(table);
    return { table: getTableConfig(table).name, column, ...(kind ? { kind } : {}), uniques: uniqueKeys(table, column), hasVersion: 'version' in cols, hasUpdatedAt: 'updated_at' in cols };
  };
  for (const table of tables) {
    for (const fk of getTableConfig(table).foreignKeys) {
      const ref = fk.reference();
      if (ref.foreignTable !== targetTable) continue;
      if (ref.columns.length !== 1) throw new Error(`duplicates: ${getTableConfig(table).name} refers to ${target} with a composite key; teach duplicates.ts to merge it`);
      refs.push(describe(table, ref.columns[0]!.name));
    }
  }
  for (const p of POLYMORPHIC[target]) {
    const table = tables.find((t) => getTableConfig(t).name === p.table);
    if (!table) throw new Error(`duplicates: no table ${p.table}`);
    refs.push(describe(table, p.column, p.kind));
  }
  referenceCache.set(target, refs);
  return refs;
}

// ---------------------------------------------------------------------------
// Merging

export const MergeInput = z.strictObject({
  table: z.enum(DUPLICATE_TABLES).describe('companies or contacts'),
  survivor_id: z.string().max(200).describe('the record that stays'),
  duplicate_ids: z.array(z.string().max(200)).min(1).max(MAX_MERGE).describe(`the records merged into it and archived (1 to ${MAX_MERGE}); blanks of the survivor are filled from them in this order`),
  expected_versions: z
    .record(z.string().max(200), z.int().min(1))
    .optional()
    .describe('record id → the version you read; the merge is refused (412) if any has changed since'),
});
export type MergeInput = z.infer<typeof MergeInput>;

type Kept = { table: string; column: string; unique: string; rows: number; outcome: 'kept_with_duplicate' | 'added_to_survivor' };

const ident = (n: string) => sql.identifier(n);

function isBlank(v: unknown): boolean {
  return v === null || v === undefined || (typeof v === 'string' && v.trim() === '') || (Array.isArray(v) && v.length === 0);
}

/** Engagements whose usage rows point at these records: their writers are held off while the rows move. */
async function lockUsage(ctx: Ctx, refs: Reference[], ids: string[]): Promise<void> {
  const usage = refs.filter((r) => USAGE_TABLES.has(r.table));
  if (!usage.length) return;
  const parts = usage.map((r) => sql`select engagement_id from ${ident(r.table)} where ${ident(r.column)} = any(${uuidArray(ids)})`);
  const found = (await ctx.db.execute(sql`select distinct engagement_id as id from (${sql.join(parts, sql` union `)}) as u`)) as unknown as { rows: { id: string }[] };
  await lockEngagements(ctx, found.rows.map((r) => r.id).sort());
}

/** Moves one duplicate's references in one table column; what a unique key would refuse stays (or is added in). */
async function moveReference(ctx: Ctx, ref: Reference, from: string, to: string): Promise<{ moved: number; kept: Kept[] }> {
  const kindOf = (alias: string) => (ref.kind ? sql` and ${sql.raw(alias)}.${ident(ref.kind.column)} = ${ref.kind.value}` : sql``);
  const collides = (u: UniqueKey, other: string) =>
    sql`exists (select 1 from ${ident(ref.table)} s where s.${ident(ref.column)} = ${to}::uuid${kindOf('s')}${sql.join(
      u.others.map((o) => (u.nullsNotDistinct ? sql` and s.${ident(o)} is not distinct from ${sql.raw(other)}.${ident(o)}` : sql` and s.${ident(o)} = ${sql.raw(other)}.${ident(o)}`)),
      sql``,
    )})`;
  const set: SQL[] = [sql`${ident(ref.column)} = ${to}::uuid`];
  if (ref.hasVersion) set.push(sql`"version" = r."version" + 1`);
  if (ref.hasUpdatedAt) set.push(sql`"updated_at" = ${ctx.now().toISOString()}::timestamptz`);
  const free = ref.uniques.map((u) => sql` and not ${collides(u, 'r')}`);
  const moved = (await ctx.db.execute(sql`with m as (
      update ${ident(ref.table)} as r set ${sql.join(set, sql`, `)}
      where r.${ident(ref.column)} = ${from}::uuid${kindOf('r')}${sql.join(free, sql``)}
      returning 1)
    select count(*)::int as n from m`)) as unknown as { rows: { n: number }[] };
  const kept: Kept[] = [];
  for (const u of ref.uniques) {
    const additive = ADDITIVE[ref.table];
    if (additive) {
      const sums = additive.map((c) => sql`${ident(c)} = t.${ident(c)} + d.${ident(c)}`);
      if (ref.hasUpdatedAt) sums.push(sql`"updated_at" = ${ctx.now().toISOString()}::timestamptz`);
      const added = (await ctx.db.execute(sql`with a as (
          update ${ident(ref.table)} as t set ${sql.join(sums, sql`, `)}
          from ${ident(ref.table)} as d
          where d.${ident(ref.column)} = ${from}::uuid and t.${ident(ref.column)} = ${to}::uuid${sql.join(
            u.others.map((o) => (u.nullsNotDistinct ? sql` and t.${ident(o)} is not distinct from d.${ident(o)}` : sql` and t.${ident(o)} = d.${ident(o)}`)),
            sql``,
          )}
          returning d.id)
        delete from ${ident(ref.table)} where id in (select id from a) returning 1`)) as unknown as { rows: unknown[] };
      if (added.rows.length) kept.push({ table: ref.table, column: ref.column, unique: u.name, rows: added.rows.length, outcome: 'added_to_survivor' });
      continue;
    }
    const left = (await ctx.db.execute(
      sql`select count(*)::int as n from ${ident(ref.table)} r where r.${ident(ref.column)} = ${from}::uuid${kindOf('r')} and ${collides(u, 'r')}`,
    )) as unknown as { rows: { n: number }[] };
    const n = Number(left.rows[0]!.n);
    if (n) kept.push({ table: ref.table, column: ref.column, unique: u.name, rows: n, outcome: 'kept_with_duplicate' });
  }
  return { moved: Number(moved.rows[0]!.n), kept };
}

/** The duplicate's current status ends at the merge, so the survivor's history has one open status: its own. */
async function closeOpenStatus(ctx: Ctx, entity: string, ids: string[]): Promise<void> {
  const now = ctx.now().toISOString();
  await ctx.db.execute(sql`update status_history set exited_at = ${now}::timestamptz,
      duration_days = greatest(0, floor(extract(epoch from (${now}::timestamptz - entered_at)) / 86400))::int
    where entity_type = ${entity} and entity_id = any(${uuidArray(ids)}) and exited_at is null`);
}

export async function mergeDuplicates(ctx: Ctx, input: MergeInput) {
  const res: Resource = resource(input.table);
  const one = singular(res.name);
  const survivorId = input.survivor_id.toLowerCase();
  const dupIds = input.duplicate_ids.map((d) => d.toLowerCase());
  if (dupIds.includes(survivorId)) throw invalid([{ field: 'duplicate_ids', message: `names the survivor ${survivorId}: a record cannot be merged into itself` }]);
  if (new Set(dupIds).size !== dupIds.length) throw invalid([{ field: 'duplicate_ids', message: 'names the same record twice' }]);
  const all = [survivorId, ...dupIds];
  const expected = new Map(Object.entries(input.expected_versions ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  for (const k of expected.keys()) {
    if (!all.includes(k)) throw invalid([{ field: `expected_versions.${k}`, message: 'names no record of this merge' }]);
  }
  // Anything that is not an id of ours is simply not found, as a record of another table is.
  const notOurs = all.find((id) => !isUuid(id));
  if (notOurs) throw notFound(one, notOurs);
  const refs = referencesTo(input.table);

  return withTx(ctx, async (tx) => {
    // Usage writers first, then the records (always this order, as usage writers take theirs).
    await lockUsage(tx, refs, all);
    const scope = await visibilityScope(tx);
    const visible = visibleCondition(res, scope);
    const inIds = inArray(res.idColumn, all);
    // FOR UPDATE also holds off new rows pointing at them until the merge commits.
    const locked = (await tx.db
      .select()
      .from(res.table)
      .where(visible ? and(inIds, visible) : inIds)
      .orderBy(res.idColumn)
      .for('update')) as Row[];
    const byId = new Map(locked.map((r) => [r.id as string, r]));
    const missing = all.find((id) => !byId.has(id));
    if (missing) throw notFound(one, missing);
    const archived = all.filter((id) => byId.get(id)!.archived_at !== null);
    if (archived.length) {
      throw invalid(archived.map((id) => ({ field: id === survivorId ? 'survivor_id' : 'duplicate_ids', message: `${one} ${id} is archived; restore it first` })));
    }
    const stale = [...expected].filter(([id, v]) => byId.get(id)!.version !== v);
    if (stale.length) {
      const current = Object.fromEntries(stale.map(([id]) => [id, byId.get(id)!.version]));
      throw new AppError('PRECONDITION_FAILED', `${stale.map(([id, v]) => `${one} ${id} has changed since version ${v}`).join('; ')}; read the records again`, {
        details: { current_versions: current },
      });
    }
    const survivor = byId.get(survivorId)!;

    // Archived first, while the caller still sees them: moving team rows can take a company out of their view.
    for (const dup of dupIds) await archiveRecord(tx, res, dup);
    if (res.pipeline) await closeOpenStatus(tx, res.pipeline.entity, dupIds);
    const moved: Record<string, number> = {};
    const conflicts: Kept[] = [];
    for (const dup of dupIds) {
      for (const ref of refs) {
        try {
          const r = await moveReference(tx, ref, dup, survivorId);
          if (r.moved) moved[ref.table] = (moved[ref.table] ?? 0) + r.moved;
          conflicts.push(...r.kept);
        } catch (e) {
          throw mapDbError(e, ref.table);
        }
      }
    }

    // Blanks of the survivor: the first duplicate, in the order given, that has the field wins.
    const fills: Row = {};
    const pipelineField = res.pipeline?.field;
    for (const f of res.writable) {
      if (f.name === pipelineField || !isBlank(survivor[f.name])) continue;
      for (const dup of dupIds) {
        const v = byId.get(dup)![f.name];
        if (!isBlank(v)) {
          fills[f.name] = v;
          break;
        }
      }
    }
    const prepared = Object.keys(fills).length && res.prepare ? res.prepare(fills, survivor, tx) : fills;
    if (Object.keys(prepared).length) await assertParentsVisible(tx, res, prepared, scope);
    const [updated] = (await tx.db
      .update(res.table)
      .set({ ...prepared, updated_at: tx.now(), version: sql`${res.fieldByName.get('version')!.column} + 1` } as never)
      .where(eq(res.idColumn, survivorId))
      .returning()
      .catch((e: unknown) => {
        throw mapDbError(e, res.name);
      })) as Row[];
    const strip = (r: Row) => Object.fromEntries(Object.entries(r).filter(([k]) => !res.hidden.includes(k)));
    const d = diff(strip(survivor), strip(updated!));
    await writeAudit(tx, {
      action: 'update',
      table: res.name,
      recordId: survivorId,
      operation: 'duplicates.merge',
      before: { ...d.before, version: survivor.version },
      after: { ...d.after, version: updated!.version, merged_ids: dupIds, moved, conflicts },
    });

    // Each duplicate says where it went (written after the move, so the note stays with it).
    const day = localDate(tx);
    for (const dup of dupIds) {
      const now = tx.now();
      const [note] = await tx.db
        .insert(schema.notes)
        .values({
          note_type: one as (typeof schema.NOTE_TYPES)[number],
          related_id: dup,
          note_text: `Merged into ${String(survivor.name)} (${survivorId}) on ${day} by duplicates.merge; what pointed at this ${one} now points there.`,
          created_by: actingUserId(tx.actor),
          created_at: now,
          updated_at: now,
        })
        .returning();
      await writeAudit(tx, { action: 'create', table: 'notes', recordId: note!.id, operation: 'duplicates.merge', after: note as unknown as Row });
    }
    if (input.table === 'companies') await recomputeCompanyHealth(tx, survivorId, 'duplicates.merge');

    return {
      table: input.table,
      survivor: await getRecord(tx, res, survivorId),
      merged_ids: dupIds,
      archived_ids: dupIds,
      filled: Object.keys(fills),
      moved,
      /** Rows a unique key kept from moving: left with the archived duplicate, or added into the survivor's row. */
      conflicts,
    };
  });
}

export const duplicateOperations: Operation[] = [
  {
    name: 'duplicates.find',
    weight: 'report',
    summary: 'Find likely duplicate companies or contacts',
    description:
      'Groups of records that look like one: companies with the same website domain (www. and the scheme ignored) or the same name (case, punctuation and legal suffixes such as Pty Ltd, Ltd, Inc, LLC ignored); contacts with the same email (case ignored) or the same name at the same company. Each group says why. Only records you can see that are not archived; the largest groups first, `limit` of them (default 50).',
    tag: 'duplicates',
    scope: 'write',
    destructive: false,
    kind: 'action',
    input: FindInput,
    http: { method: 'get', path: '/api/v1/duplicates/{table}' },
    run: (ctx, input: z.infer<typeof FindInput>) => findDuplicates(ctx, input),
  },
  {
    name: 'duplicates.merge',
    summary: 'Merge duplicate companies or contacts into one',
    description: `In one transaction: every record that points at a duplicate (contacts, deals, interactions, engagements, notes, status history and every other table with a reference) is moved to the survivor; the survivor's blank fields are filled from the duplicates, first non-blank in the order given; the duplicates are archived with a note saying where they went. Where a unique key would collide (the same person on both companies' teams), the duplicate's row stays with the archived duplicate, and the answer says so under \`conflicts\`. The audit log keeps its history as it was. At most ${MAX_MERGE} duplicates; send \`expected_versions\` to refuse the merge if any record changed since you read it.`,
    tag: 'duplicates',
    scope: 'write',
    destructive: true,
    kind: 'action',
    input: MergeInput,
    http: { method: 'post', path: '/api/v1/duplicates/{table}/merge' },
    run: (ctx, input: MergeInput) => mergeDuplicates(ctx, input),
  },
];
