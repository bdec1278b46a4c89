/**
 * Erasure (the right to be forgotten): a contact, a lead or a company, and everything the
 * footprint (footprint.ts) finds about them, in one transaction.
 *
 * Reports must still add up afterwards, so the rows that reports count are kept and made
 * anonymous in place: the person's own row stays with its id, its company and its figures
 * (usage, hours saved, deal values, lead source and status) and loses every field that says who
 * they were; `erased_at` marks it, and the generic layer refuses to change or restore it. Rows
 * that are only about the person and that no report counts (notes, research, preferences,
 * consents, analytics events) are deleted. What each footprint table gets is decided below in
 * TREATMENT, one line per table, and a table missing from it fails at start-up.
 *
 * Then the text scrub: the person's identifiers (full names, email addresses, phone numbers,
 * profile and web addresses) may also be written inside other records: a colleague's meeting
 * notes, a webhook payload, a queued mail, an import's CSV, a stored idempotent response, an
 * audit row of another record. Every text and JSON column of every table is searched for them,
 * case-insensitively and as whole words, and each occurrence becomes `[erased]`; an address
 * column that held one of them is emptied, and an imported CSV loses the lines that carry them.
 * A first or last name alone is not searched for: it would take other people's names with it.
 * Our own users' tables (users, sessions, API keys, sign-in attempts, second factors) are left
 * alone: they describe staff, and a staff member who is also a contact must still sign in.
 *
 * The audit log is append-only; an erasure is its one exception (migration 0014): the audit rows
 * of the erased records lose their before/after, address and user agent, but keep who did what
 * and when. The erasure itself is audited (action `erase`) with the reason and how many rows of
 * each table were erased or scrubbed, never with the data.
 */
import { getTableColumns, getTableName, is, sql, type SQL } from 'drizzle-orm';
import { PgTable, type PgColumn } from 'drizzle-orm/pg-core';
import * as t from '../../db/schema/index.ts';
import { queryRows, withTx, type Ctx } from '../context.ts';
import { AppError } from '../errors.ts';
import { writeAudit } from '../platform/audit.ts';
import { resolveIdentity } from './access-export.ts';
import { ACCESS_EXPORT_AUDIT_TABLE, FOOTPRINT, matchesNothing, type Identity, type Subject, type SubjectKind } from './footprint.ts';

export const ERASED_PERSON = 'Erased person';
export const ERASED_COMPANY = 'Erased company';
/** What an identifier found inside other text becomes. */
export const ERASED_TEXT = '[erased]';

type Values = Record<string, unknown>;
type Treatment = { how: 'delete' } | { how: 'keep'; why: string } | { how: 'blank'; set: (now: Date) => Values };

const blank = (set: Values | ((now: Date) => Values)): Treatment => ({ how: 'blank', set: typeof set === 'function' ? set : () => set });
const keep = (why: string): Treatment => ({ how: 'keep', why });
const DELETE: Treatment = { how: 'delete' };

/** What happens to each footprint table's rows about the subject (the audit log is handled apart). */
export const TREATMENT: Record<string, Treatment> = {
  companies: blank((now) => ({ name: ERASED_COMPANY, legal_name: null, website: null, domain: null, description: null, address: null, location: null, notes: null, erased_at: now })),
  company_addresses: DELETE,
  company_team: keep('links our own staff to the company'),
  company_preferences: DELETE,
  company_metrics: keep('figures only; reports count them'),
  contracts: blank({ document_url: null }),
  contacts: blank((now) => ({
    name: ERASED_PERSON,
    first_name: null,
    last_name: null,
    role_title: null,
    role_description: null,
    email: null,
    phone: null,
    mobile: null,
    linkedin_url: null,
    location: null,
    notes: null,
    erased_at: now,
  })),
  leads: blank((now) => ({
    email: null,
    first_name: null,
    last_name: null,
    contact_title: null,
    phone: null,
    company_name: null,
    company_website: null,
    message: null,
    ip_address: null,
    user_agent: null,
    notes: null,
    erased_at: now,
  })),
  contact_preferences: DELETE,
  consents: DELETE,
  interactions: blank({ subject: null, summary: null, content: null, next_step: null, notes: null, meeting_url: null, attendees: null, metadata: null }),
  notes: DELETE,
  survey_responses: blank({ answer: null }),
  readiness_assessments: blank({ email: null }),
  roi_calculations: blank({ email: null }),
  lead_scores: keep('score factors are figures; the funnel and score bands count them'),
  lead_qualifications: blank({ timeline: null, pain_points: null }),
  deals: blank({ notes: null }),
  deal_stakeholders: keep('links the deal to the (now anonymous) contact'),
  ai_licenses: blank({ email: null }),
  contact_tasks: blank({ task_description: null, issues_before_ai: null, issues_after_ai: null, key_challenges: null, notes: null }),
  task_measurements: blank({ notes: null, measured_by: null }),
  training_attendance: blank({ session_notes: null, progress: null, struggles: null, follow_ups: null }),
  support_tickets: blank({ subject: null, description: null, resolution: null, notes: null }),
  campaign_targets: keep('no personal data; campaign performance counts them'),
  event_attendees: blank({ role: null, notes: null }),
  prospect_research: DELETE,
  outreach_drafts: blank({ subject: null, content: ERASED_TEXT }),
  ai_usage: blank({ notes: null }),
  ai_usage_monthly: keep('figures only; the monthly report counts them'),
  email_queue: blank({
    to: [],
    subject: ERASED_TEXT,
    data: {},
    error: null,
    // Mail not yet handed to the sender is never sent now.
    status: sql`case when ${t.email_queue.status} in ('pending', 'failed') then 'cancelled' else ${t.email_queue.status} end`,
  }),
  status_history: keep('stage changes only (a reason is scrubbed with the rest); the funnel counts them'),
  analytics_events: DELETE,
};

for (const entry of FOOTPRINT) {
  if (entry.table !== 'audit_log' && !TREATMENT[entry.table]) throw new Error(`erasure: footprint table ${entry.table} has no treatment`);
}

// ---------------------------------------------------------------------------
// The text scrub

/** Staff identity tables: never scrubbed (a staff member who is also a contact must still sign in). */
const NOT_SCRUBBED = new Set(['users', 'sessions', 'api_keys', 'login_attempts', 'user_totp']);
/** Columns that hold codes, keys, hashes or ciphertext, never free text. */
const CODE_COLUMN = /(^(status|stage|from_status|table_name|key|prefix)$|_hash$|_encrypted$|^header_signature$)/;
/** Text kept as lines of a file: a line that names the person goes whole (their other columns with it). */
const LINE_WISE = new Set(['import_jobs.csv']);

type TextColumn = { name: string; json: boolean; nullable: boolean };
export type ScrubTable = { table: string; columns: TextColumn[] };

/** Every table's free-text and JSON columns, from the schema (enumerations, codes and identity tables left out). */
export const SCRUB_TABLES: readonly ScrubTable[] = (Object.values(t) as unknown[])
  .filter((v): v is PgTable => is(v, PgTable))
  .map((table) => ({
    table: getTableName(table),
    columns: Object.values(getTableColumns(table) as Record<string, PgColumn>)
      .filter((c) => (c.dataType === 'string' && c.columnType === 'PgText' && !c.enumValues?.length) || c.dataType === 'json')
      .filter((c) => !CODE_COLUMN.test(c.name))
      .map((c) => ({ name: c.name, json: c.dataType === 'json', nullable: !c.notNull })),
  }))
  .filter((s) => s.columns.length > 0 && !NOT_SCRUBBED.has(s.table));

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The person's identifiers, as they are searched for elsewhere; too-short or one-word names are left out. */
export function identifiers(raw: { names: string[]; companyNames: string[]; emails: string[]; phones: string[]; urls: string[] }): string[] {
  const out = new Set<string>();
  const tidy = (s: string) => s.trim().replace(/\s+/g, ' ');
  for (const n of raw.names.map(tidy)) if (n.includes(' ') && n.length >= 5) out.add(n);
  for (const n of raw.companyNames.map(tidy)) if (n.length >= 4) out.add(n);
  for (const e of raw.emails.map(tidy)) if (e.length >= 3) out.add(e);
  for (const p of raw.phones.map(tidy)) {
    const digits = p.replace(/\D/g, '');
    if (digits.length < 6) continue;
    out.add(p);
    if (digits !== p) out.add(digits);
  }
  for (const u of raw.urls.map(tidy)) {
    const bare = u.replace(/^https?:\/\//i, '').replace(/^www\./i, '').replace(/\/+$/, '');
    if (bare.length >= 4 && bare.includes('.')) out.add(bare);
  }
  // Longer first, so a name is replaced whole before a shorter identifier inside it.
  return [...out].sort((a, b) => b.length - a.length);
}

/** One case-insensitive regular expression (PostgreSQL's) matching any identifier as a whole word. */
export function identifierPattern(ids: string[]): string | null {
  if (!ids.length) return null;
  const alts = ids.map((id) => escapeRegex(id).replace(/ /g, '\\s+'));
  return `(?<![[:alnum:]_])(?:${alts.join('|')})(?![[:alnum:]_])`;
}

/** Replaces the identifiers in a piece of text (the erasure's own reason, before it is audited). */
export function scrubText(text: string, ids: string[]): string {
  if (!ids.length) return text;
  const re = new RegExp(`(?<![\\p{L}\\p{N}_])(?:${ids.map((id) => escapeRegex(id).replace(/ /g, '\\s+')).join('|')})(?![\\p{L}\\p{N}_])`, 'giu');
  return text.replace(re, ERASED_TEXT);
}

/**
 * Whether any of a table's columns holds an identifier, with one regular expression per row:
 * the columns joined by a control character, which no identifier holds and which is no word
 * character, so a match never spans two columns (a third less time than one test per column).
 */
function rowMatches(columns: TextColumn[], pattern: string): SQL {
  const texts = columns.map((c) => (c.json ? sql`${sql.identifier(c.name)}::text` : sql.identifier(c.name)));
  const joined = texts.length === 1 ? texts[0]! : sql`concat_ws(chr(1), ${sql.join(texts, sql`, `)})`;
  return sql`${joined} ~* ${pattern}`;
}

function scrubAssignment(table: string, c: TextColumn, pattern: string): { set: SQL; match: SQL } {
  const col = sql.identifier(c.name);
  if (c.json) {
    const match = sql`${col}::text ~* ${pattern}`;
    return { match, set: sql`${col} = case when ${match} then regexp_replace(${col}::text, ${pattern}, ${ERASED_TEXT}, 'gi')::jsonb else ${col} end` };
  }
  const match = sql`${col} ~* ${pattern}`;
  if (LINE_WISE.has(`${table}.${c.name}`)) {
    const line = `^[^\\n]*${pattern}[^\\n]*(\\n|$)`;
    return { match, set: sql`${col} = case when ${match} then regexp_replace(${col}, ${line}, '', 'gin') else ${col} end` };
  }
  // An address column that holds one of the person's addresses is emptied rather than left as "[erased]".
  if (c.name === 'email' && c.nullable) return { match, set: sql`${col} = case when ${match} then null else ${col} end` };
  return { match, set: sql`${col} = case when ${match} then regexp_replace(${col}, ${pattern}, ${ERASED_TEXT}, 'gi') else ${col} end` };
}

/** Scrubs the identifiers from every text and JSON column; answers rows changed per table (tables with none left out). */
async function scrubEverywhere(tx: Ctx, pattern: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const s of SCRUB_TABLES) {
    const parts = s.columns.map((c) => scrubAssignment(s.table, c, pattern));
    const [row] = await queryRows<{ n: number }>(
      tx,
      sql`with changed as (update ${sql.identifier(s.table)} set ${sql.join(parts.map((p) => p.set), sql`, `)} where ${rowMatches(s.columns, pattern)} returning 1) select count(*)::int as n from changed`,
    );
    const n = Number(row?.n ?? 0);
    if (n) out[s.table] = n;
  }
  return out;
}

// ---------------------------------------------------------------------------
// The erasure

export type ErasureReceipt = {
  subject: Subject;
  erased_at: string;
  erased_by: string;
  /** Rows of each footprint table deleted or made anonymous (tables with none left out). */
  rows: Record<string, number>;
  /** Rows of each table where the person's identifiers were found in text and replaced. */
  scrubbed: Record<string, number>;
  people: { contact_ids: string[]; lead_ids: string[]; company_ids: string[] };
};

const TABLE_OF: Record<SubjectKind, 'contacts' | 'leads' | 'companies'> = { contact: 'contacts', lead: 'leads', company: 'companies' };

const present = (v: unknown): v is string => typeof v === 'string' && v.trim() !== '';
const fullName = (first: unknown, last: unknown) => [first, last].filter(present).join(' ');

async function gatherIdentifiers(tx: Ctx, who: Identity): Promise<string[]> {
  const names: string[] = [];
  const companyNames: string[] = [];
  const emails: string[] = [...who.emails];
  const phones: string[] = [];
  const urls: string[] = [];
  const ids = (xs: string[]) => sql.join(xs.map((x) => sql`${x}::uuid`), sql`, `);
  if (who.contactIds.length) {
    const rows = await queryRows<Record<string, string | null>>(tx, sql`select name, first_name, last_name, email, phone, mobile, linkedin_url from contacts where id in (${ids(who.contactIds)})`);
    for (const r of rows) {
      names.push(r.name ?? '', fullName(r.first_name, r.last_name));
      emails.push(r.email ?? '');
      phones.push(r.phone ?? '', r.mobile ?? '');
      urls.push(r.linkedin_url ?? '');
    }
  }
  if (who.leadIds.length) {
    const rows = await queryRows<Record<string, string | null>>(tx, sql`select first_name, last_name, email, phone from leads where id in (${ids(who.leadIds)})`);
    for (const r of rows) {
      names.push(fullName(r.first_name, r.last_name));
      emails.push(r.email ?? '');
      phones.push(r.phone ?? '');
    }
  }
  if (who.companyIds.length) {
    const rows = await queryRows<Record<string, string | null>>(tx, sql`select name, legal_name, website, domain from companies where id in (${ids(who.companyIds)})`);
    for (const r of rows) {
      companyNames.push(r.name ?? '', r.legal_name ?? '');
      urls.push(r.website ?? '', r.domain ?? '');
    }
  }
  return identifiers({ names: names.filter(present), companyNames: companyNames.filter(present), emails: emails.filter(present), phones: phones.filter(present), urls: urls.filter(present) });
}

/** The audit rows of the records about to be erased lose their data (not who did what, nor the record of access exports). */
async function blankAuditTrail(tx: Ctx, who: Identity): Promise<number> {
  const entry = FOOTPRINT.find((e) => e.table === 'audit_log')!;
  const where = entry.rows(who);
  if (matchesNothing(where)) return 0;
  const [row] = await queryRows<{ n: number }>(
    tx,
    sql`with changed as (update audit_log set before = null, after = null, ip_address = null, user_agent = null
      where ${where} and audit_log.table_name <> ${ACCESS_EXPORT_AUDIT_TABLE} and (before is not null or after is not null or ip_address is not null or user_agent is not null)
      returning 1) select count(*)::int as n from changed`,
  );
  return Number(row?.n ?? 0);
}

export type EraseOptions = { reason: string; operation: string };

/**
 * Erases the subject and everything about them, in one transaction (joining one already open).
 * An erased subject cannot be erased again (CONFLICT); a missing one is NOT_FOUND.
 */
export async function eraseSubject(ctx: Ctx, subject: Subject, opts: EraseOptions): Promise<ErasureReceipt> {
  return withTx(ctx, async (tx) => {
    const table = TABLE_OF[subject.kind];
    // Resolved first (NOT_FOUND for a missing subject), then the subject's row is locked.
    const { identity } = await resolveIdentity(tx, subject);
    const [own] = await queryRows<{ erased_at: Date | string | null }>(tx, sql`select erased_at from ${sql.identifier(table)} where id = ${subject.id}::uuid for update`);
    if (own?.erased_at) {
      const when = own.erased_at instanceof Date ? own.erased_at.toISOString() : String(own.erased_at);
      throw new AppError('CONFLICT', `This ${subject.kind} was already erased on ${when}`);
    }
    await tx.db.execute(sql`select set_config('throughline.erasure', 'on', true)`);
    const now = tx.now();
    const ids = await gatherIdentifiers(tx, identity);

    const rows: Record<string, number> = {};
    let consentIds: string[] = [];
    const audit = await blankAuditTrail(tx, identity);
    if (audit) rows.audit_log = audit;
    for (const entry of FOOTPRINT) {
      if (entry.table === 'audit_log') continue;
      const treatment = TREATMENT[entry.table]!;
      const where = entry.rows(identity);
      if (treatment.how === 'keep' || matchesNothing(where)) continue;
      const idCol = (getTableColumns(entry.source) as Record<string, PgColumn>).id!;
      const changed =
        treatment.how === 'delete'
          ? await tx.db.delete(entry.source).where(where).returning({ id: idCol })
          : await tx.db.update(entry.source).set(treatment.set(now) as never).where(where).returning({ id: idCol });
      if (changed.length) rows[entry.table] = changed.length;
      if (entry.table === 'consents') consentIds = changed.map((c) => c.id as string);
    }

    const pattern = identifierPattern(ids);
    const scrubbed = pattern ? await scrubEverywhere(tx, pattern) : {};
    const people = { contact_ids: identity.contactIds, lead_ids: identity.leadIds, company_ids: identity.companyIds };
    await writeAudit(tx, {
      action: 'erase',
      table,
      recordId: subject.id,
      operation: opts.operation,
      // The consents' ids keep their history (when agreed, when withdrawn, by whom) findable as evidence.
      after: { reason: scrubText(opts.reason, ids), rows, scrubbed, ...people, consent_ids: consentIds },
    });
    return { subject, erased_at: now.toISOString(), erased_by: tx.actor.label, rows, scrubbed, people };
  });
}
