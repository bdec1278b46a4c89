/**
 * The access request ("what do you hold about me"): every row of the footprint (footprint.ts)
 * of a contact, a lead or a company, as one zip archive: manifest.json (who, when, by whom,
 * rows per table), data.json (every table's rows, whole, as stored, dates as ISO strings) and
 * one CSV per table that has rows (formula-like text neutralised, as records.export does).
 *
 * Only administrators run it (scope 'admin'), so it reads every row whatever the record
 * visibility setting: an answer to a data-protection request that hid rows would be wrong.
 * The reads run in one REPEATABLE READ transaction, so the archive is one snapshot even while
 * others write; called inside a transaction that is already open (an MCP agent's audited
 * call), it joins that one and its isolation level, as every verb does. The export itself is
 * audited (who exported whom, the file name and the row counts), never the data.
 */
import { asc, eq, getTableColumns, inArray, or } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import { strToU8, zipSync } from 'fflate';
import { companies, contacts, leads } from '../../db/schema/sales.ts';
import { localDate, withTx, type Ctx } from '../context.ts';
import { AppError } from '../errors.ts';
import { isUuid } from '../fields.ts';
import { writeAudit } from '../platform/audit.ts';
import { rowsToCsv } from '../platform/export.ts';
import { resource } from '../resources.ts';
import type { Download } from '../reports/types.ts';
import { ACCESS_EXPORT_AUDIT_TABLE, FOOTPRINT, matchesNothing, type Identity, type Subject } from './footprint.ts';

type Row = Record<string, unknown>;

export type Manifest = {
  subject: Subject & { label: string };
  generated_at: string;
  generated_by: string;
  /** What the archive holds and how it was chosen, for whoever answers the request. */
  contents: string;
  /** Rows per table of the footprint, every table listed (0 included), in archive order. */
  tables: Record<string, number>;
  identity: { company_ids: string[]; contact_ids: string[]; lead_ids: string[]; emails: string[] };
};

const CONTENTS =
  'data.json holds every row stored about the subject, table by table, whole and as stored (dates as ISO 8601 in UTC). Each table with rows is also a CSV file with the same rows; a text cell that a spreadsheet would run as a formula starts with an apostrophe. A contact includes the leads converted into it; a lead includes the contact it became; a company includes its people.';

const clean = (emails: unknown[]) => [...new Set(emails.filter((e): e is string => typeof e === 'string' && e.trim() !== '').map((e) => e.trim().toLowerCase()))];

const notFound = (s: Subject) => new AppError('NOT_FOUND', `There is no ${s.kind} ${s.id}`);

/** The records that are the subject (archived ones too): a missing subject is NOT_FOUND. */
export async function resolveIdentity(ctx: Ctx, subject: Subject): Promise<{ identity: Identity; label: string }> {
  if (!isUuid(subject.id)) throw notFound(subject);
  const db = ctx.db;
  const leadsInto = async (contactIds: string[]) =>
    contactIds.length ? db.select({ id: leads.id, email: leads.email }).from(leads).where(inArray(leads.converted_contact_id, contactIds)) : [];
  if (subject.kind === 'contact') {
    const [c] = await db.select({ id: contacts.id, name: contacts.name, email: contacts.email }).from(contacts).where(eq(contacts.id, subject.id));
    if (!c) throw notFound(subject);
    const ls = await leadsInto([c.id]);
    return { identity: { companyIds: [], contactIds: [c.id], leadIds: ls.map((l) => l.id), emails: clean([c.email, ...ls.map((l) => l.email)]) }, label: c.name };
  }
  if (subject.kind === 'lead') {
    const [l] = await db.select({ id: leads.id, email: leads.email, contact: leads.converted_contact_id, first: leads.first_name, last: leads.last_name, company: leads.company_name }).from(leads).where(eq(leads.id, subject.id));
    if (!l) throw notFound(subject);
    const cs = l.contact ? await db.select({ id: contacts.id, email: contacts.email }).from(contacts).where(eq(contacts.id, l.contact)) : [];
    const siblings = await leadsInto(cs.map((c) => c.id));
    const all = [{ id: l.id, email: l.email }, ...siblings.filter((s) => s.id !== l.id)];
    const label = [l.first, l.last].filter(Boolean).join(' ') || l.email || l.company || 'a lead';
    return { identity: { companyIds: [], contactIds: cs.map((c) => c.id), leadIds: all.map((x) => x.id), emails: clean([...cs.map((c) => c.email), ...all.map((x) => x.email)]) }, label };
  }
  const [co] = await db.select({ id: companies.id, name: companies.name }).from(companies).where(eq(companies.id, subject.id));
  if (!co) throw notFound(subject);
  const cs = await db.select({ id: contacts.id, email: contacts.email }).from(contacts).where(eq(contacts.company_id, co.id));
  const contactIds = cs.map((c) => c.id);
  const ls = await db
    .select({ id: leads.id, email: leads.email })
    .from(leads)
    .where(or(eq(leads.company_id, co.id), eq(leads.converted_to_account_id, co.id), ...(contactIds.length ? [inArray(leads.converted_contact_id, contactIds)] : [])));
  return { identity: { companyIds: [co.id], contactIds, leadIds: ls.map((l) => l.id), emails: clean([...cs.map((c) => c.email), ...ls.map((l) => l.email)]) }, label: co.name };
}

/** Every row of the footprint, table by table (every table present, empty or not). */
export async function collectFootprint(ctx: Ctx, identity: Identity): Promise<Array<{ table: string; rows: Row[] }>> {
  const out: Array<{ table: string; rows: Row[] }> = [];
  for (const entry of FOOTPRINT) {
    const where = entry.rows(identity);
    if (matchesNothing(where)) {
      out.push({ table: entry.table, rows: [] });
      continue;
    }
    const id = (getTableColumns(entry.source) as Record<string, PgColumn>).id!;
    const rows = (await ctx.db.select().from(entry.source).where(where).orderBy(asc(id))) as Row[];
    out.push({ table: entry.table, rows });
  }
  return out;
}

export type ExportPersonInput = Subject & { operation?: string };

/** The archive of everything stored about the subject, audited as an export. */
export async function exportPerson(ctx: Ctx, input: ExportPersonInput): Promise<Download> {
  const subject: Subject = { kind: input.kind, id: input.id };
  return withTx(ctx, async (tx) => {
    const { identity, label } = await resolveIdentity(tx, subject);
    const tables = await collectFootprint(tx, identity);
    const generatedAt = tx.now();
    const filename = `access-request-${subject.kind}-${subject.id}-${localDate(tx, generatedAt)}.zip`;
    const counts = Object.fromEntries(tables.map((x) => [x.table, x.rows.length]));
    const manifest: Manifest = {
      subject: { ...subject, label },
      generated_at: generatedAt.toISOString(),
      generated_by: tx.actor.label,
      contents: CONTENTS,
      tables: counts,
      identity: { company_ids: identity.companyIds, contact_ids: identity.contactIds, lead_ids: identity.leadIds, emails: identity.emails },
    };
    const files: Record<string, Uint8Array> = {
      'manifest.json': strToU8(JSON.stringify(manifest, null, 2)),
      // Dates go out through Date#toJSON: ISO 8601 in UTC.
      'data.json': strToU8(JSON.stringify(Object.fromEntries(tables.map((x) => [x.table, x.rows])), null, 2)),
    };
    for (const x of tables) if (x.rows.length) files[`${x.table}.csv`] = strToU8(rowsToCsv(resource(x.table), x.rows));
    // A fixed modification time keeps the archive a function of the data and the clock alone.
    const body = zipSync(files, { level: 6, mtime: generatedAt });
    await writeAudit(tx, {
      action: 'export',
      table: ACCESS_EXPORT_AUDIT_TABLE,
      recordId: subject.id,
      operation: input.operation ?? `privacy.export_${subject.kind}`,
      after: { subject_kind: subject.kind, subject_id: subject.id, filename, rows: counts },
    });
    return { kind: 'download', content_type: 'application/zip', filename, body };
  }, { isolationLevel: 'repeatable read' });
}
