/**
 * Outreach drafts (seed 003): written by the model (or by hand), approved by a person, then
 * sent. What is sent is always what a person approved: a draft is born `draft` whoever
 * writes it, only a person moves it to `approved`, editing an approved draft's text or
 * recipient returns it to `draft` (draft-rules.ts), and only an approved draft is sent.
 * Sending an email queues it in the same transaction as the status move, the outbound
 * interaction and the campaign target's move to `sent`.
 */
import { and, eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import { campaign_targets, DRAFT_TYPES, type DraftType } from '../../db/schema/marketing.ts';
import { queryRows, withTx, type Ctx } from '../context.ts';
import { AppError, invalid, notFound, type FieldError } from '../errors.ts';
import { actingUserId, requireRole } from '../identity/roles.ts';
import { enqueueEmail, formatAddress } from '../platform/email.ts';
import { marketingConsentSql } from '../privacy/consent.ts';
import { applyUpdate, fetchRow, insertRecord, updateRecord, type Row } from '../resource.ts';
import { resource } from '../resources.ts';
import { logInteraction, touchLastContacted } from '../sales/workflow.ts';
import { campaignData, companyData, contactData, eventData, latestResearch, linkedRecord, loadSubject, recentInteractions, recentNotes } from './gather.ts';
import { callModel, modelSettings } from './llm-provider.ts';
import { DRAFT_SYSTEM, draftTask, Instructions, parseDraft, userMessage } from './prompts.ts';
import { assertOutsideTransaction, type CallFacts } from './research.ts';

const id = z.string().max(200);
const drafts = () => resource('outreach_drafts');

export const DraftInput = z.strictObject({
  contact_id: id,
  draft_type: z.enum(DRAFT_TYPES, { message: `must be one of: ${DRAFT_TYPES.join(', ')}` }),
  event_id: id.optional().describe('an event to invite them to or follow up on'),
  campaign_id: id.optional().describe('the campaign this outreach belongs to (its target moves to sent when the draft is sent)'),
  instructions: Instructions.optional(),
});
export type DraftInput = z.infer<typeof DraftInput>;

/** Writes an outreach draft with the model: always stored as `draft`, for a person to approve. */
export async function draftOutreach(ctx: Ctx, input: DraftInput): Promise<Row & CallFacts> {
  requireRole(ctx, 'editor', 'Drafting outreach');
  assertOutsideTransaction(ctx, 'assistant.draft');
  modelSettings(ctx);
  const subject = await loadSubject(ctx, input.contact_id);
  const event = input.event_id !== undefined ? await linkedRecord(ctx, 'events', 'event_id', input.event_id) : null;
  const campaign = input.campaign_id !== undefined ? await linkedRecord(ctx, 'campaigns', 'campaign_id', input.campaign_id) : null;
  const contactId = String(subject.contact.id);
  const data = {
    draft_type: input.draft_type,
    contact: contactData(subject),
    company: companyData(subject),
    research: await latestResearch(ctx, contactId),
    recent_interactions: await recentInteractions(ctx, subject, 5),
    notes: await recentNotes(ctx, subject, 5),
    event: event ? eventData(event) : null,
    campaign: campaign ? await campaignData(ctx, campaign) : null,
    sender: ctx.actor.type === 'user' ? ctx.actor.label.replace(/\s*<[^>]*>$/, '') : null,
  };
  const type = input.draft_type as DraftType;
  const answer = await callModel(ctx, {
    workflow: 'outreach_draft',
    node: `write_${type}`,
    system: DRAFT_SYSTEM,
    user: userMessage(draftTask(type), data, input.instructions || undefined),
    entity: { type: 'contacts', id: contactId },
    parse: (text) => parseDraft(text, type),
  });
  // Only the text comes from the model: who it is for, what it is tied to and its status are ours.
  const row = await insertRecord(
    ctx,
    drafts(),
    {
      contact_id: contactId,
      event_id: event ? String(event.id) : null,
      campaign_id: campaign ? String(campaign.id) : null,
      draft_type: type,
      subject: answer.value.subject,
      content: answer.value.body,
    },
    'assistant.draft',
  );
  return { ...row, llm_usage_log_id: answer.logId, cost: answer.cost, currency: answer.currency, warnings: answer.warnings };
}

// ---------------------------------------------------------------------------
// Approve, send, discard

const statusConflict = (status: string, message: string, allowed: string[]) =>
  new AppError('CONFLICT', message, { details: { fields: [{ field: 'status', message: `is ${status}` }], allowed } });

async function lockDraft(tx: Ctx, draftId: string): Promise<Row> {
  const row = await fetchRow(tx, drafts(), draftId, true);
  if (!row) throw notFound('outreach draft', draftId);
  if (row.archived_at !== null && row.archived_at !== undefined) {
    throw new AppError('CONFLICT', `Outreach draft ${draftId} is archived: restore it first`, { details: { fields: [{ field: 'archived_at', message: 'is set: the draft is archived' }] } });
  }
  return row;
}

/** What an email of this draft needs that it lacks, as field errors. */
function emailProblems(draft: Row): FieldError[] {
  const out: FieldError[] = [];
  if (draft.draft_type !== 'email') return out;
  if (typeof draft.subject !== 'string' || !draft.subject.trim()) out.push({ field: 'subject', message: 'is required for an email draft: edit the draft to add one' });
  else if (/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(draft.subject) || draft.subject.trim().length > 200) {
    out.push({ field: 'subject', message: 'must be one line of at most 200 characters to be sent as an email subject' });
  }
  if (typeof draft.content === 'string' && draft.content.trim().length > 20_000) out.push({ field: 'content', message: 'must be at most 20,000 characters to be sent as an email' });
  return out;
}

export const DraftIdInput = z.strictObject({
  id,
  expected_version: z.int().min(1).optional().describe('refuse if the draft changed since you read this version'),
});
export type DraftIdInput = z.infer<typeof DraftIdInput>;

/** The update of a verb, refused (PRECONDITION_FAILED) when the caller read another version. */
const versioned = (input: DraftIdInput, operation: string) => ({ operation, ...(input.expected_version !== undefined ? { expectedVersion: input.expected_version } : {}) });

/** A person approves a draft as it is now: its text and recipient are what will be sent. */
export async function approveDraft(ctx: Ctx, input: DraftIdInput): Promise<Row> {
  if (ctx.actor.type === 'agent' || ctx.actor.type === 'system' || ctx.actor.type === 'anonymous') {
    throw new AppError('FORBIDDEN', `A person must approve an outreach draft: ${ctx.actor.label} (${ctx.actor.type}) may write or edit one, not approve it`, {
      details: { reason: 'person_required' },
    });
  }
  requireRole(ctx, 'editor', 'Approving an outreach draft');
  return withTx(ctx, async (tx) => {
    const draft = await lockDraft(tx, input.id);
    if (draft.status !== 'draft') {
      throw statusConflict(String(draft.status), `Only a draft can be approved; this one is ${String(draft.status)}`, []);
    }
    const problems = emailProblems(draft);
    if (problems.length) throw invalid(problems);
    return applyUpdate(tx, drafts(), input.id, { status: 'approved', approved_by: actingUserId(tx.actor), approved_at: tx.now() }, versioned(input, 'outreach_drafts.approve'));
  });
}

const INTERACTION_TYPE: Record<DraftType, string> = { email: 'email', linkedin: 'linkedin_message', call_script: 'call', other: 'other' };

export type SentDraft = { draft: Row; email: { id: string; queued: boolean } | null; interaction: Row; campaign_target: Row | null };

/**
 * Sends an approved draft: an email is queued to the contact (one, whatever the retries);
 * any other kind is recorded as sent by the person themselves. In one transaction: the
 * draft `sent`, an outbound interaction, and the campaign target (the contact's, else
 * their company's; added if missing) moved to `sent`.
 */
export async function sendDraft(ctx: Ctx, input: DraftIdInput): Promise<SentDraft> {
  requireRole(ctx, 'editor', 'Sending an outreach draft');
  return withTx(ctx, async (tx) => {
    const draft = await lockDraft(tx, input.id);
    if (draft.status !== 'approved') {
      const status = String(draft.status);
      const message =
        status === 'draft'
          ? 'This draft is not approved: a person must approve it (outreach_drafts.approve) before it is sent'
          : status === 'sent'
            ? 'This draft was already sent; it is not sent twice'
            : 'This draft was discarded and cannot be sent';
      throw statusConflict(status, message, status === 'draft' ? ['approved'] : []);
    }
    const contact = await fetchRow(tx, resource('contacts'), String(draft.contact_id));
    if (!contact) throw invalid([{ field: 'contact_id', message: 'does not name a contact you can see' }]);
    const type = draft.draft_type as DraftType;
    const problems = emailProblems(draft);
    if (type === 'email' && (typeof contact.email !== 'string' || !contact.email.trim())) {
      problems.push({ field: 'contact.email', message: `is empty: ${String(contact.name)} has no email address; add one to the contact, or send another kind of draft` });
    }
    if (problems.length) throw invalid(problems);
    let campaign: Row | null = null;
    if (typeof draft.campaign_id === 'string') {
      campaign = (await fetchRow(tx, resource('campaigns'), draft.campaign_id)) ?? null;
      if (!campaign) throw invalid([{ field: 'campaign_id', message: 'does not name a campaign you can see' }]);
    }

    let email: SentDraft['email'] = null;
    if (type === 'email') {
      email = await enqueueEmail(tx, {
        template: 'outreach',
        to: [formatAddress(String(contact.name), String(contact.email).trim())],
        subject: String(draft.subject).trim(),
        data: { draft_id: String(draft.id), subject: String(draft.subject).trim(), body: String(draft.content) },
        idempotencyKey: `outreach_draft:${String(draft.id)}`,
      });
    }
    const now = tx.now();
    const sent = await applyUpdate(tx, drafts(), String(draft.id), { status: 'sent', sent_at: now }, versioned(input, 'outreach_drafts.send'));

    const interactionValues = {
      type: INTERACTION_TYPE[type],
      direction: 'outbound',
      interaction_date: now,
      subject: typeof draft.subject === 'string' ? draft.subject : null,
      content: String(draft.content),
      summary: type === 'email' ? 'Outreach email sent from an approved draft' : `Outreach (${type.replace('_', ' ')}) sent by hand from an approved draft`,
      event_id: typeof draft.event_id === 'string' ? draft.event_id : null,
      metadata: { outreach_draft_id: String(draft.id), ...(email ? { email_queue_id: email.id } : {}) },
    };
    let interaction: Row;
    if (typeof contact.company_id === 'string' && (await fetchRow(tx, resource('companies'), contact.company_id))) {
      // The one way an outbound touch is logged: it also dates the contact's last contact and moves a lead company to contacted.
      interaction = (await logInteraction(tx, { company_id: contact.company_id, contact_id: String(contact.id), interaction: interactionValues })).interaction as Row;
    } else {
      interaction = await insertRecord(tx, resource('interactions'), { ...interactionValues, contact_id: String(contact.id), company_id: null }, 'outreach_drafts.send');
      await touchLastContacted(tx, String(contact.id), now);
    }

    let target: Row | null = null;
    if (campaign) target = await markTargetSent(tx, String(campaign.id), contact);
    return { draft: sent, email, interaction, campaign_target: target };
  });
}

/**
 * The campaign's target for the contact (else for their company) moves pending → sent through
 * the pipeline; none: one is added as sent, if the contact's marketing consent is in force (a
 * campaign targets only people who agreed; a one-to-one sales email is not marketing mail and
 * is sent either way).
 */
async function markTargetSent(tx: Ctx, campaignId: string, contact: Row): Promise<Row | null> {
  const find = async (type: 'contact' | 'company', targetId: string) => {
    const [row] = await tx.db
      .select({ id: campaign_targets.id, status: campaign_targets.status })
      .from(campaign_targets)
      .where(and(eq(campaign_targets.campaign_id, campaignId), eq(campaign_targets.target_type, type), eq(campaign_targets.target_id, targetId)));
    return row;
  };
  const targets = resource('campaign_targets');
  const existing = (await find('contact', String(contact.id))) ?? (typeof contact.company_id === 'string' ? await find('company', contact.company_id) : undefined);
  if (!existing) {
    const [agreed] = await queryRows<{ ok: boolean }>(tx, sql`select ${marketingConsentSql('contact', sql`${String(contact.id)}::uuid`)} as ok`);
    if (!agreed?.ok) return null;
    return insertRecord(tx, targets, { campaign_id: campaignId, target_type: 'contact', target_id: String(contact.id), status: 'sent' }, 'outreach_drafts.send');
  }
  // Already reached (sent, opened, clicked, converted): a second touch does not move it back.
  if (existing.status !== 'pending') return (await fetchRow(tx, targets, existing.id))!;
  return updateRecord(tx, targets, existing.id, { status: 'sent' }, { operation: 'outreach_drafts.send' });
}

export const DiscardInput = z.strictObject({
  id,
  reason: z.string().trim().min(1, 'must not be blank').max(1_000, 'must be at most 1,000 characters').optional().describe('why it will not be sent (kept in the audit log)'),
});
export type DiscardInput = z.infer<typeof DiscardInput>;

/** A draft or approved draft that will not be sent. Final: a discarded draft is not edited or sent. */
export async function discardDraft(ctx: Ctx, input: DiscardInput): Promise<Row> {
  requireRole(ctx, 'editor', 'Discarding an outreach draft');
  return withTx(ctx, async (tx) => {
    const draft = await lockDraft(tx, input.id);
    if (draft.status !== 'draft' && draft.status !== 'approved') {
      throw statusConflict(String(draft.status), `Only a draft or an approved draft can be discarded; this one is ${String(draft.status)}`, []);
    }
    return applyUpdate(tx, drafts(), String(draft.id), { status: 'discarded' }, { operation: 'outreach_drafts.discard', ...(input.reason ? { auditNote: { reason: input.reason } } : {}) });
  });
}
