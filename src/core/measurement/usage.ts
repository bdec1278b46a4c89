/**
 * Client AI usage (seed 000 ai_usage): idempotent ingestion, in batches or one row at a time,
 * that keeps the monthly rollup (ai_usage_monthly) in step in the same transaction.
 *
 * Invariant: for every (engagement, contact, month), ai_usage_monthly holds the sum of
 * tokens_used and the count of the ai_usage rows of that month. Only rows actually inserted
 * are added to it, so sending a batch twice changes nothing. Every path that adds usage
 * (usage.record, usage.ingest, imports) goes through storeRows, which leaves out the person
 * of anyone who withdrew consent to usage tracking.
 */
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { withTx, type Ctx } from '../context.ts';
import { AppError, invalid, parseInput, type FieldError } from '../errors.ts';
import { writeAudit } from '../platform/audit.ts';
import { visibilityScope, visibleCondition, type VisibilityScope } from '../platform/visibility.ts';
import { readRows, type Row } from '../resource.ts';
import { resource } from '../resources.ts';
import { contactsWithdrawn } from '../privacy/consent.ts';
import { lockEngagements } from './usage-rollup.ts';
import { arrayLiteral, uuidArray } from '../sql-arrays.ts';
import { fieldAt, MAX_LISTED_ERRORS, MAX_USAGE_ROWS, parseUsageCsv, readRow, tooMany, type UsageRow } from './usage-rows.ts';

export { MAX_USAGE_ROWS } from './usage-rows.ts';
export { rebuildUsageRollup, RebuildRollupInput, type RebuildResult } from './usage-rollup.ts';

/** Rows per statement: one round trip inserts them and updates the rollup. */
const CHUNK = 5_000;

export const IngestUsageInput = z.strictObject({
  engagement_id: z.uuid({ message: 'must be a UUID' }).optional().describe('the engagement of every row that names none'),
  items: z.array(z.unknown()).optional().describe(`usage rows as JSON objects (at most ${MAX_USAGE_ROWS})`),
  csv: z.string().max(64 * 1024 * 1024, 'is too large; split the batch').optional().describe('usage rows as CSV text: a header row of column names, then one row per line'),
});
export type IngestUsageInput = z.input<typeof IngestUsageInput>;

export type IngestResult = { received: number; inserted: number; duplicates: number };

/** The raw rows of a batch, each with the name errors give it: `items[3]` or `line 5`. */
function batchRows(input: z.output<typeof IngestUsageInput>): { raws: unknown[]; where: (i: number) => string } {
  const given = [input.items !== undefined, input.csv !== undefined].filter(Boolean).length;
  if (given !== 1) {
    throw invalid([{ field: given ? 'csv' : 'items', message: given ? 'give either items or csv, not both' : 'give the rows as items (JSON) or as csv' }]);
  }
  if (input.items !== undefined) {
    if (input.items.length > MAX_USAGE_ROWS) throw tooMany(input.items.length);
    if (input.items.length === 0) throw invalid([{ field: 'items', message: 'holds no rows' }]);
    return { raws: input.items, where: (i) => `items[${i}]` };
  }
  const { rows, lines } = parseUsageCsv(input.csv!);
  if (rows.length === 0) throw invalid([{ field: 'csv', message: 'holds no rows under its header' }]);
  return { raws: rows, where: (i) => `line ${lines[i]}` };
}

/** Every row validated (shape, then references), or a VALIDATION naming each bad field (at most 100 listed). */
async function checkRows(ctx: Ctx, raws: unknown[], where: (i: number) => string, defaultEngagement?: string): Promise<UsageRow[]> {
  const errors: { i: number; e: FieldError }[] = [];
  const rows: UsageRow[] = [];
  const index: number[] = [];
  raws.forEach((raw, i) => {
    const own: FieldError[] = [];
    const row = readRow(raw, where(i), defaultEngagement, own);
    for (const e of own) errors.push({ i, e });
    if (row) {
      rows.push(row);
      index.push(i);
    }
  });

  const scope = await visibilityScope(ctx);
  const engagementIds = [...new Set(rows.map((r) => r.engagement_id))];
  if (defaultEngagement) engagementIds.push(defaultEngagement.toLowerCase());
  const companyOf = await visibleEngagements(ctx, scope, engagementIds);
  const contactIds = [...new Set(rows.flatMap((r) => (r.contact_id ? [r.contact_id] : [])))];
  const contacts = await visibleContacts(ctx, scope, contactIds);
  const top: FieldError[] = [];
  if (defaultEngagement && !companyOf.has(defaultEngagement.toLowerCase())) {
    top.push({ field: 'engagement_id', message: 'does not name an engagement that you can see' });
  }
  rows.forEach((r, k) => {
    const i = index[k]!;
    const company = companyOf.get(r.engagement_id);
    if (company === undefined) {
      errors.push({ i, e: { field: fieldAt(r.at, 'engagement_id'), message: 'does not name an engagement that you can see' } });
      return;
    }
    if (r.company_id !== null && r.company_id !== company) {
      errors.push({ i, e: { field: fieldAt(r.at, 'company_id'), message: `must be the engagement's company (${company}); it may be left out` } });
    }
    r.company_id = company;
    if (r.contact_id !== null) {
      const c = contacts.get(r.contact_id);
      if (c === undefined) errors.push({ i, e: { field: fieldAt(r.at, 'contact_id'), message: 'does not name a contact that you can see' } });
      else if (c !== company) errors.push({ i, e: { field: fieldAt(r.at, 'contact_id'), message: "must be a contact of the engagement's company" } });
    }
  });
  const all = [...top, ...errors.sort((a, b) => a.i - b.i).map((x) => x.e)];
  if (all.length) {
    throw new AppError('VALIDATION', `${all.length} field error${all.length === 1 ? '' : 's'} in the batch; nothing was written`, {
      details: { fields: all.slice(0, MAX_LISTED_ERRORS), error_count: all.length },
    });
  }
  return rows;
}

/** Engagement id → its company, for the engagements of `ids` the caller may see. */
async function visibleEngagements(ctx: Ctx, scope: VisibilityScope, ids: string[]): Promise<Map<string, string>> {
  if (!ids.length) return new Map();
  const visible = visibleCondition(resource('engagements'), scope, 'e');
  const r = (await ctx.db.execute(
    sql`select e.id, e.company_id from engagements e where e.id = any(${uuidArray(ids)})${visible ? sql` and ${visible}` : sql``}`,
  )) as unknown as { rows: { id: string; company_id: string }[] };
  return new Map(r.rows.map((x) => [x.id, x.company_id]));
}

/** Contact id → its company (or null), for the contacts of `ids` the caller may see. */
async function visibleContacts(ctx: Ctx, scope: VisibilityScope, ids: string[]): Promise<Map<string, string | null>> {
  if (!ids.length) return new Map();
  const visible = visibleCondition(resource('contacts'), scope, 'c');
  const r = (await ctx.db.execute(
    sql`select c.id, c.company_id from contacts c where c.id = any(${uuidArray(ids)})${visible ? sql` and ${visible}` : sql``}`,
  )) as unknown as { rows: { id: string; company_id: string | null }[] };
  return new Map(r.rows.map((x) => [x.id, x.company_id]));
}

const SPECIAL = /["\\]/;
/** Text values as a PostgreSQL array literal (quoted, so NULL and empty strings survive). */
const textArray = (v: (string | null)[]) =>
  `{${v.map((x) => (x === null ? 'NULL' : SPECIAL.test(x) ? `"${x.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"` : `"${x}"`)).join(',')}}`;

/** Inserts one chunk, skipping keys already stored, and adds what was inserted to the rollup; returns how many were inserted. */
async function insertChunk(ctx: Ctx, rows: UsageRow[], now: string): Promise<number> {
  const pick = <K extends keyof UsageRow>(k: K) => rows.map((r) => r[k]);
  const query = sql`with ins as (
      insert into ai_usage (engagement_id, company_id, contact_id, usage_date, tokens_used, model, source, idempotency_key, notes, created_at)
      select u.e, u.co, u.ct, u.d, u.t, u.m, u.s, u.k, u.n, ${now}::timestamptz
      from unnest(${arrayLiteral(pick('engagement_id'))}::uuid[], ${arrayLiteral(pick('company_id'))}::uuid[], ${arrayLiteral(pick('contact_id'))}::uuid[],
        ${arrayLiteral(pick('usage_date'))}::date[], ${arrayLiteral(pick('tokens_used').map(String))}::int8[], ${textArray(pick('model'))}::text[],
        ${textArray(pick('source'))}::text[], ${textArray(pick('idempotency_key'))}::text[], ${textArray(pick('notes'))}::text[]) as u(e, co, ct, d, t, m, s, k, n)
      on conflict (idempotency_key) do nothing
      returning engagement_id, company_id, contact_id, usage_date, tokens_used
    ), up as (
      insert into ai_usage_monthly as m (engagement_id, company_id, contact_id, month, tokens_used, records, updated_at)
      select engagement_id, company_id, contact_id, date_trunc('month', usage_date::timestamp)::date, sum(tokens_used), count(*), ${now}::timestamptz
      from ins
      group by engagement_id, company_id, contact_id, date_trunc('month', usage_date::timestamp)::date
      order by 1, 3 nulls first, 4
      on conflict on constraint ai_usage_monthly_engagement_contact_month_key do update
        set tokens_used = m.tokens_used + excluded.tokens_used, records = m.records + excluded.records, updated_at = excluded.updated_at
      returning 1
    )
    select (select count(*) from ins)::int as inserted, (select count(*) from up)::int as months`;
  const r = (await ctx.db.execute(query)) as unknown as { rows: { inserted: number }[] };
  return Number(r.rows[0]!.inserted);
}

/** The rows, deduplicated by key (the first wins) and sorted by it, so concurrent batches take row locks in one order. */
function uniqueByKey(rows: UsageRow[]): UsageRow[] {
  const byKey = new Map<string, UsageRow>();
  for (const r of rows) if (!byKey.has(r.idempotency_key)) byKey.set(r.idempotency_key, r);
  return [...byKey.values()].sort((a, b) => (a.idempotency_key < b.idempotency_key ? -1 : a.idempotency_key > b.idempotency_key ? 1 : 0));
}

/**
 * Usage of a person who withdrew consent to usage tracking is kept without them (contact_id
 * null), so their company's and engagement's totals still add up (core/privacy/consent.ts).
 * Answers how many rows lost their contact.
 */
async function detachWithdrawnContacts(tx: Ctx, rows: UsageRow[]): Promise<number> {
  const withdrawn = await contactsWithdrawn(tx, 'usage_tracking', rows.flatMap((r) => (r.contact_id ? [r.contact_id] : [])));
  if (!withdrawn.size) return 0;
  let detached = 0;
  for (const r of rows) {
    if (r.contact_id && withdrawn.has(r.contact_id.toLowerCase())) {
      r.contact_id = null;
      detached++;
    }
  }
  return detached;
}

async function storeRows(tx: Ctx, rows: UsageRow[], operation: string): Promise<IngestResult> {
  const detached = await detachWithdrawnContacts(tx, rows);
  const engagementIds = [...new Set(rows.map((r) => r.engagement_id))].sort();
  await lockEngagements(tx, engagementIds);
  const unique = uniqueByKey(rows);
  const now = tx.now().toISOString();
  let inserted = 0;
  for (let start = 0; start < unique.length; start += CHUNK) inserted += await insertChunk(tx, unique.slice(start, start + CHUNK), now);
  const result = { received: rows.length, inserted, duplicates: rows.length - inserted };
  await writeAudit(tx, { action: 'create', table: 'ai_usage', operation, after: { ...result, engagement_ids: engagementIds, ...(detached ? { without_contact_after_withdrawal: detached } : {}) } });
  return result;
}

/**
 * Adds a batch of usage rows (JSON items or CSV) in one transaction: all rows are checked
 * first and nothing is written if any is wrong. A row whose key is already stored, or repeats
 * within the batch, is skipped and counted as a duplicate.
 */
export async function ingestUsage(ctx: Ctx, input: unknown): Promise<IngestResult> {
  const parsed = parseInput(IngestUsageInput, input);
  const { raws, where } = batchRows(parsed);
  return withTx(ctx, async (tx) => storeRows(tx, await checkRows(tx, raws, where, parsed.engagement_id), 'usage.ingest'));
}

export type RecordUsageResult = { duplicate: boolean; record: Row };

/**
 * One usage row through the same path as a batch (so it is idempotent and keeps the rollup):
 * the stored row, or the row already stored under the same key with `duplicate: true`.
 */
export async function recordUsage(ctx: Ctx, row: unknown): Promise<RecordUsageResult> {
  return withTx(ctx, async (tx) => {
    const [checked] = await checkRows(tx, [row], () => '');
    const { inserted } = await storeRows(tx, [checked!], 'usage.record');
    const res = resource('ai_usage');
    const r = (await tx.db.execute(sql`${res.selectFrom} where idempotency_key = ${checked!.idempotency_key}`)) as unknown as { rows: Row[] };
    const stored = readRows(res, r.rows)[0]!;
    const visible = await rowVisible(tx, stored.id as string);
    if (!visible) {
      throw new AppError('CONFLICT', 'idempotency_key is already used by another usage record', {
        details: { fields: [{ field: 'idempotency_key', message: 'is already used by another usage record' }] },
      });
    }
    return { duplicate: inserted === 0, record: stored };
  });
}

async function rowVisible(ctx: Ctx, id: string): Promise<boolean> {
  const visible = visibleCondition(resource('ai_usage'), await visibilityScope(ctx), 'ai_usage');
  if (!visible) return true;
  const r = (await ctx.db.execute(sql`select 1 from ai_usage where id = ${id}::uuid and ${visible}`)) as unknown as { rows: unknown[] };
  return r.rows.length > 0;
}
