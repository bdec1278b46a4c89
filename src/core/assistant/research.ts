/**
 * Prospect research (seed 003): what the CRM knows of a contact and their company, read by
 * the model into a summary, insights and the catalog services that fit, stored as a
 * prospect_research row with the model and the logged call it came from.
 */
import { z } from 'zod';
import type { Ctx } from '../context.ts';
import { AppError } from '../errors.ts';
import { requireRole } from '../identity/roles.ts';
import { insertRecord, type Row } from '../resource.ts';
import { resource } from '../resources.ts';
import { activeServices, servicesForIndustry, type FittingService } from './catalog-fit.ts';
import { companyData, contactData, loadSubject, openDeals, recentInteractions, recentNotes } from './gather.ts';
import { callModel, modelSettings } from './llm-provider.ts';
import { Instructions, parseResearch, RESEARCH_SYSTEM, RESEARCH_TASK, userMessage, type ResearchAnswer } from './prompts.ts';

export const ResearchInput = z.strictObject({
  contact_id: z.string().max(200),
  instructions: Instructions.optional(),
});
export type ResearchInput = z.infer<typeof ResearchInput>;

/** What a verb that called the model adds to its record: the logged call, its cost, and what the person should know. */
export type CallFacts = { llm_usage_log_id: string; cost: string; currency: string; warnings: string[] };

/**
 * The model is called outside any transaction, so that no lock waits on it: every surface runs
 * these operations (transactional: false) outside one, and one found inside is refused before
 * anything is read.
 */
export function assertOutsideTransaction(ctx: Ctx, operation: string): void {
  if (!ctx.inTx) return;
  throw new AppError('CONFLICT', `${operation} calls a language model and cannot run inside a database transaction: send it without an Idempotency-Key`, {
    details: { fields: [{ field: 'Idempotency-Key', message: `is not supported by ${operation}` }] },
  });
}

/** Keeps the recommendations that name a service offered (by id, or by its exact name), once each, as {service_id, name, reason}. */
export function keepOffered(recommended: ResearchAnswer['recommended'], offered: FittingService[]): { kept: Array<{ service_id: string; name: string; reason: string | null }>; dropped: number } {
  const byId = new Map(offered.map((s) => [s.service_id.toLowerCase(), s]));
  const byName = new Map(offered.map((s) => [s.name, s]));
  const kept: Array<{ service_id: string; name: string; reason: string | null }> = [];
  let dropped = 0;
  for (const r of recommended) {
    const s = (r.service_id ? byId.get(r.service_id.toLowerCase()) : undefined) ?? (r.name ? byName.get(r.name) : undefined) ?? (r.service_id ? byName.get(r.service_id) : undefined);
    if (!s) {
      dropped++;
      continue;
    }
    if (!kept.some((k) => k.service_id === s.service_id)) kept.push({ service_id: s.service_id, name: s.name, reason: r.reason });
  }
  return { kept, dropped };
}

export async function researchContact(ctx: Ctx, input: ResearchInput): Promise<Row & CallFacts> {
  requireRole(ctx, 'editor', 'Researching a contact');
  assertOutsideTransaction(ctx, 'assistant.research');
  modelSettings(ctx);
  const subject = await loadSubject(ctx, input.contact_id);
  const fitting = subject.industry ? await servicesForIndustry(ctx, subject.industry.id) : [];
  const offered = fitting.length ? fitting : await activeServices(ctx);
  const data = {
    contact: contactData(subject),
    company: companyData(subject),
    interactions: await recentInteractions(ctx, subject),
    notes: await recentNotes(ctx, subject),
    open_deals: await openDeals(ctx, subject),
    services_basis: fitting.length ? `services linked to the industry ${subject.industry!.name}` : 'no service is linked to this company’s industry: every active service',
    services: offered.map((s) => ({ service_id: s.service_id, name: s.name, category: s.service_category, tier: s.tier ?? undefined, description: s.description ?? undefined, fit_notes: s.fit_notes ?? undefined })),
  };
  const contactId = String(subject.contact.id);
  const answer = await callModel(ctx, {
    workflow: 'prospect_research',
    node: 'research_contact',
    system: RESEARCH_SYSTEM,
    user: userMessage(RESEARCH_TASK, data, input.instructions || undefined),
    entity: { type: 'contacts', id: contactId },
    parse: parseResearch,
  });
  const { kept, dropped } = keepOffered(answer.value.recommended, offered);
  const warnings = [...answer.warnings];
  if (dropped > 0) warnings.push(`The model recommended ${dropped} service${dropped === 1 ? '' : 's'} not among those offered to it from the catalog; ${dropped === 1 ? 'it was' : 'they were'} left out.`);
  const row = await insertRecord(
    ctx,
    resource('prospect_research'),
    {
      contact_id: contactId,
      company_id: subject.company ? String(subject.company.id) : null,
      research_summary: answer.value.summary,
      key_insights: answer.value.key_insights,
      recommended_solutions: kept,
      confidence_score: answer.value.confidence === null ? null : answer.value.confidence.toFixed(2),
      model: answer.model,
      llm_usage_log_id: answer.logId,
    },
    'assistant.research',
  );
  return { ...row, llm_usage_log_id: answer.logId, cost: answer.cost, currency: answer.currency, warnings };
}
