/**
 * Helpers the audit verbs share: the resources they write through, the audits waiting for
 * one refresh, and the checks every write makes. Internal to this folder: the barrel
 * (`../audits.ts`) does not re-export it.
 */
import { and, eq, inArray, isNull } from 'drizzle-orm';
import { survey_responses } from '../../../db/schema/assessment.ts';
import { contacts } from '../../../db/schema/sales.ts';
import { localDate, type Ctx } from '../../context.ts';
import { AppError, invalid, notFound, type FieldError } from '../../errors.ts';
import { fetchRow, type Row } from '../../resource.ts';
import { resource } from '../../resources.ts';
import type { SurveyType } from './rules.ts';

export const companiesRes = () => resource('companies');
export const contactsRes = () => resource('contacts');
export const auditsRes = () => resource('audits');
export const responsesRes = () => resource('survey_responses');
export const tasksRes = () => resource('contact_tasks');

/**
 * Verbs that write many survey rows collect the audits to refresh here and refresh each
 * once at the end, instead of once per row from the afterWrite hook.
 */
export const pendingRefresh = new WeakMap<Ctx, Set<string>>();

// ---------------------------------------------------------------------------
// Shared checks

export const conflict = (message: string, details: Record<string, unknown> = {}) => new AppError('CONFLICT', message, { details });

export async function auditForWrite(ctx: Ctx, id: string): Promise<Row> {
  const audit = await fetchRow(ctx, auditsRes(), id, true);
  if (!audit) throw notFound('audit', id);
  if (audit.archived_at) throw conflict(`audit ${id} is archived; restore it first`, { fields: [{ field: 'id', message: 'names an archived audit' }] });
  return audit;
}

export function assertNotFuture(ctx: Ctx, field: string, date: string | undefined, errors: FieldError[]) {
  if (date && date > localDate(ctx)) errors.push({ field, message: `is in the future (today is ${localDate(ctx)})` });
}

export function throwIfAny(errors: FieldError[], what: string) {
  if (errors.length) throw invalid(errors.slice(0, 100), `${errors.length} field error${errors.length === 1 ? '' : 's'} in the ${what}; nothing was written: ${errors.slice(0, 5).map((f) => `${f.field}: ${f.message}`).join('; ')}`);
}

/** The contacts of this company named by the ids; anything else is the same error, so nothing leaks. */
export async function companyContacts(ctx: Ctx, companyId: string, ids: string[], field: (i: number) => string, errors: FieldError[]): Promise<Map<string, Row>> {
  const rows = ids.length
    ? ((await ctx.db.select().from(contacts).where(and(inArray(contacts.id, ids), eq(contacts.company_id, companyId)))) as Row[])
    : [];
  const byId = new Map(rows.map((r) => [r.id as string, r]));
  ids.forEach((id, i) => {
    const c = byId.get(id);
    if (!c) errors.push({ field: field(i), message: "is not a contact of this audit's company" });
    else if (c.archived_at) errors.push({ field: field(i), message: 'names an archived contact; restore it first' });
  });
  return byId;
}

export type ResponseRow = typeof survey_responses.$inferSelect;

export async function responseRows(ctx: Ctx, contactIds: string[], type: SurveyType): Promise<Map<string, ResponseRow[]>> {
  const out = new Map<string, ResponseRow[]>();
  if (contactIds.length === 0) return out;
  const rows = await ctx.db
    .select()
    .from(survey_responses)
    .where(and(inArray(survey_responses.contact_id, contactIds), eq(survey_responses.survey_type, type), isNull(survey_responses.archived_at)))
    .orderBy(survey_responses.created_at, survey_responses.id);
  for (const r of rows) {
    const list = out.get(r.contact_id) ?? [];
    list.push(r);
    out.set(r.contact_id, list);
  }
  return out;
}

/**
 * The unique key (contact, survey type, question) allows one survey of a type per person:
 * an audit survey row already tied to another audit cannot be reused by this one.
 */
export function otherAudit(rows: ResponseRow[], type: SurveyType, auditId: string): string | undefined {
  if (type !== 'audit') return undefined;
  return rows.find((r) => r.audit_id && r.audit_id !== auditId)?.audit_id ?? undefined;
}

export const minDate = (dates: (string | null | undefined)[]) => dates.filter((d): d is string => !!d).sort()[0];
