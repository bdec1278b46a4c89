/**
 * Helpers the lead modules share: the row types, the resource handles, the lead's latest
 * qualification and score, locking a lead for a verb, and nested validation errors.
 * Internal to `sales/leads`: the barrel (`../leads.ts`) does not re-export this file.
 */
import { and, desc, eq, isNull, sql } from 'drizzle-orm';
import { lead_qualifications, lead_scores, leads } from '../../../db/schema/sales.ts';
import type { Ctx } from '../../context.ts';
import { AppError, invalid, notFound } from '../../errors.ts';
import { fetchRow } from '../../resource.ts';
import { resource } from '../../resources.ts';

export type LeadRow = typeof leads.$inferSelect;
export type QualificationRow = typeof lead_qualifications.$inferSelect;

export const leadsRes = () => resource('leads');
export const qualificationsRes = () => resource('lead_qualifications');
export const companiesRes = () => resource('companies');
export const contactsRes = () => resource('contacts');
export const dealsRes = () => resource('deals');

export const blank = (v: unknown) => typeof v !== 'string' || v.trim() === '';

/** The qualification BANT is read from: the latest by qualified_at (then recorded), archived ones left out. */
export async function latestQualification(ctx: Ctx, leadId: string): Promise<QualificationRow | undefined> {
  const [q] = await ctx.db
    .select()
    .from(lead_qualifications)
    .where(and(eq(lead_qualifications.lead_id, leadId), isNull(lead_qualifications.archived_at)))
    .orderBy(sql`${lead_qualifications.qualified_at} desc nulls last`, desc(lead_qualifications.created_at), desc(lead_qualifications.id))
    .limit(1);
  return q;
}

export async function latestScore(ctx: Ctx, leadId: string) {
  const [s] = await ctx.db
    .select()
    .from(lead_scores)
    .where(eq(lead_scores.lead_id, leadId))
    .orderBy(desc(lead_scores.calculated_at))
    .limit(1);
  return s;
}

/** Validates a nested payload and reports its field errors under a prefix (`deal.stage`). */
export async function nested<T>(prefix: string, fn: () => T | Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof AppError && e.code === 'VALIDATION' && e.details.fields) {
      throw invalid(e.details.fields.map((f) => ({ field: `${prefix}.${f.field}`, message: f.message })));
    }
    throw e;
  }
}

/** The lead, locked, if the caller may see it; refuses an archived one and a stale expected version. */
export async function lockLead(ctx: Ctx, id: string, expectedVersion: number | undefined): Promise<LeadRow> {
  const lead = (await fetchRow(ctx, leadsRes(), id, true)) as LeadRow | undefined;
  if (!lead) throw notFound('lead', id);
  if (expectedVersion !== undefined && lead.version !== expectedVersion) {
    throw new AppError('PRECONDITION_FAILED', `lead ${id} has changed since version ${expectedVersion}; it is now at version ${lead.version}`, {
      details: { current_version: lead.version },
    });
  }
  if (lead.archived_at) {
    throw new AppError('CONFLICT', `lead ${id} is archived; restore it first`, { details: { fields: [{ field: 'archived_at', message: 'is set' }] } });
  }
  return lead;
}
