/**
 * Every table the API, CLI and (later) MCP expose through the generic layer, with what
 * is special about each: hidden secrets, computed columns, pipelines, numbering.
 * Tables written only by the system are `readonly` until the verb that owns them exists.
 */
import * as t from '../db/schema/index.ts';
import { sql } from 'drizzle-orm';
import { queryRows, type Ctx } from './context.ts';
import { assertSurveyAllowed } from './privacy/consent.ts';
import { uuidArray } from './sql-arrays.ts';
import { prepareInvoice } from './delivery/invoices.ts';
import { moveContactUsageToUnattributed } from './measurement/usage-rollup.ts';
import { nextDocumentNumber } from './delivery/numbering.ts';
import { announceTicket, prepareTicket } from './delivery/tickets.ts';
import { emitRecordEvent } from './platform/webhooks.ts';
import { actualHoursHooks, timeAfterAiHooks } from './delivery/derived-columns.ts';
import { assertNotLastAdmin, type UserRow } from './identity/user-record.ts';
import { surveyResponseRemoved, surveyResponseWritten } from './assessment/audits.ts';
import { prepareProposal } from './assessment/proposals.ts';
import { prepareReadinessRecord } from './assessment/readiness.ts';
import { prepareOutreachDraft } from './assistant/draft-rules.ts';
import { defineResource, type Resource, type ResourceConfig, type Row } from './resource.ts';
import { checkDealWrite, lineItemAfterWrite, lineItemBeforeDelete, lineItemBeforeInsert } from './sales/deals.ts';
import { campaignContentAfterWrite, campaignTargetBeforeInsert, removeCampaignTargetsOf } from './sales/campaigns.ts';
import { attendeeAfterWrite, attendeeBeforeInsert } from './sales/events.ts';
import { refreshHealthAfterWrite, refreshHealthBeforeDelete } from './sales/health.ts';
import { guardLeadConversion, rescoreAfterLeadWrite, rescoreAfterQualificationWrite, stampQualification } from './sales/leads.ts';

/** `https://www.Smith.com.au/about` → `smith.com.au`. */
export function domainOf(website: unknown): string | null {
  if (typeof website !== 'string' || website.trim() === '') return null;
  const raw = website.trim();
  try {
    const u = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `https://${raw}`);
    return u.hostname.toLowerCase().replace(/^www\./, '') || null;
  } catch {
    return null;
  }
}

const yearOf = (v: unknown, ctx: Ctx) => {
  const d = v instanceof Date ? v : typeof v === 'string' ? new Date(v) : ctx.now();
  return Number.isNaN(d.getTime()) ? ctx.now().getUTCFullYear() : d.getUTCFullYear();
};

const configs: ResourceConfig[] = [
  // Platform
  // Created by users.create and changed by the identity verbs (role, password, disable): the generic layer never writes role.
  {
    name: 'users',
    table: t.users,
    module: 'platform',
    summary: 'People who use Throughline',
    hidden: ['password_hash'],
    readOnly: ['role', 'email_verified', 'disabled_at'],
    create: false,
    access: { write: 'admin' },
    // Archiving or deleting the one active administrator would lock everyone out, as disabling would.
    beforeRemove: (ctx, row, how) => assertNotLastAdmin(ctx, row as UserRow, how === 'archive' ? 'Archiving this administrator' : 'Deleting this administrator'),
  },
  { name: 'sessions', table: t.sessions, module: 'platform', summary: 'Sign-in sessions', mode: 'readonly', hidden: ['token_hash'], access: { read: 'admin' } },
  { name: 'api_keys', table: t.api_keys, module: 'platform', summary: 'API keys (shown once at creation)', mode: 'readonly', hidden: ['key_hash'], access: { read: 'admin' } },
  { name: 'audit_log', table: t.audit_log, module: 'platform', summary: 'Append-only record of every change', mode: 'readonly', defaultSort: '-at', search: ['table_name', 'actor_label'], access: { read: 'admin' } },
  { name: 'notes', table: t.notes, module: 'platform', summary: 'Notes on any record', search: ['note_text'], visibility: { creator: 'created_by', via: [['related_id', 'companies'], ['related_id', 'contacts'], ['related_id', 'leads'], ['related_id', 'deals'], ['related_id', 'engagements'], ['related_id', 'proposals']], private: { flag: 'is_private', author: 'created_by' } } },
  { name: 'pipeline_stages', table: t.pipeline_stages, module: 'platform', summary: 'Statuses and stages of each pipeline, with allowed moves', defaultSort: 'position', immutable: ['pipeline', 'key'], access: { write: 'admin' } },
  { name: 'status_history', table: t.status_history, module: 'platform', summary: 'Every status change with time spent in each', mode: 'readonly', defaultSort: '-entered_at', visibility: { via: [['entity_id', 'companies'], ['entity_id', 'leads'], ['entity_id', 'deals'], ['entity_id', 'engagements'], ['entity_id', 'campaigns'], ['entity_id', 'campaign_targets']] } },
  { name: 'industries', table: t.industries, module: 'platform', summary: 'Industry classifications' },
  { name: 'feature_flags', table: t.feature_flags, module: 'platform', summary: 'Feature flags per environment', access: { write: 'admin' } },
  { name: 'integrations', table: t.integrations, module: 'platform', summary: 'Third-party service configuration', mode: 'readonly', hidden: ['api_key_encrypted', 'config'], access: { read: 'admin' } },
  { name: 'email_queue', table: t.email_queue, module: 'platform', summary: 'Outgoing email outbox', mode: 'readonly', search: ['subject'], access: { read: 'admin' } },
  { name: 'analytics_events', table: t.analytics_events, module: 'platform', summary: 'Analytics events', mode: 'append' },
  { name: 'webhook_subscriptions', table: t.webhook_subscriptions, module: 'platform', summary: 'Outbound webhook subscriptions', mode: 'readonly', hidden: ['secret_encrypted'], access: { read: 'admin' } },
  { name: 'webhook_deliveries', table: t.webhook_deliveries, module: 'platform', summary: 'Webhook delivery log', mode: 'readonly', access: { read: 'admin' } },

  // Sales
  {
    name: 'companies',
    visibility: { owners: ['owner_id'], team: true },
    table: t.companies,
    module: 'sales',
    summary: 'Companies and accounts in the pipeline',
    search: ['name', 'legal_name', 'website', 'location'],
    pipeline: { field: 'status', pipeline: 'company', entity: 'company' },
    readOnly: ['domain', 'health_score', 'health_factors', 'health_calculated_at'],
    prepare: (v) => ('website' in v ? { ...v, domain: domainOf(v.website) } : v),
    afterWrite: (ctx, row, before) => (before ? Promise.resolve() : emitRecordEvent(ctx, 'company.created', row)),
    // Campaign targets point at companies (and their contacts) without a foreign key.
    beforeRemove: async (ctx, row, how) => {
      if (how === 'delete') await removeCampaignTargetsOf(ctx, 'company', row.id as string);
    },
  },
  { name: 'company_addresses', table: t.company_addresses, module: 'sales', summary: 'Company addresses', visibility: { via: [['company_id', 'companies']] } },
  { name: 'company_team', table: t.company_team, module: 'sales', summary: 'Who on our team works each company', visibility: { via: [['company_id', 'companies']] } },
  { name: 'company_preferences', table: t.company_preferences, module: 'sales', summary: 'Company preferences', visibility: { via: [['company_id', 'companies']] } },
  { name: 'company_metrics', table: t.company_metrics, module: 'sales', summary: 'Monthly company metrics', defaultSort: '-period', visibility: { via: [['company_id', 'companies']] } },
  {
    name: 'contacts',
    visibility: { owners: ['owner_id'], via: [['company_id', 'companies']] },
    table: t.contacts,
    module: 'sales',
    summary: 'People at companies',
    search: ['name', 'email', 'role_title'],
    // Some site staff have no email at all (000): an email given means they have one; a new
    // contact without one has none unless has_email says otherwise (the address is unknown).
    prepare: (v, existing) => {
      const given = typeof v.email === 'string' && v.email !== '';
      if (given) return { ...v, has_email: true };
      if (!existing) return { ...v, has_email: v.has_email ?? false };
      return 'email' in v ? { ...v, has_email: v.has_email ?? false } : v;
    },
    // Deleting a contact sets ai_usage.contact_id null but deletes its rollup rows: their totals move to the unattributed row first.
    // Campaign targets point at contacts without a foreign key: they go with the contact.
    beforeRemove: async (ctx, row, how) => {
      if (how !== 'delete') return;
      await moveContactUsageToUnattributed(ctx, row.id as string);
      await removeCampaignTargetsOf(ctx, 'contact', row.id as string);
    },
  },
  { name: 'contact_preferences', table: t.contact_preferences, module: 'sales', summary: 'How each contact likes to be reached', visibility: { via: [['contact_id', 'contacts']] } },
  {
    name: 'leads',
    visibility: { owners: ['assigned_to'], via: [['company_id', 'companies'], ['converted_to_account_id', 'companies']] },
    table: t.leads,
    module: 'sales',
    summary: 'Unqualified inbound and outbound leads',
    search: ['email', 'first_name', 'last_name', 'company_name'],
    pipeline: { field: 'status', pipeline: 'lead', entity: 'lead' },
    readOnly: ['score', 'converted_at', 'converted_to_account_id', 'converted_contact_id', 'converted_deal_id'],
    // `converted` only through sales.convert_lead; the score (seed 001) and its history follow every write (sales/leads.ts).
    prepare: (v) => guardLeadConversion(v),
    afterWrite: async (ctx, row, before) => {
      await rescoreAfterLeadWrite(ctx, row);
      if (!before) await emitRecordEvent(ctx, 'lead.created', row);
    },
    beforeRemove: async (ctx, row, how) => {
      if (how === 'delete') await removeCampaignTargetsOf(ctx, 'lead', row.id as string);
    },
  },
  // Written only by consents.record and consents.withdraw (core/privacy/consent.ts), which keep one grant in force per person and purpose.
  { name: 'consents', table: t.consents, module: 'sales', summary: 'What each contact or lead agreed to (marketing email, surveys, usage tracking) and its withdrawal', mode: 'readonly', defaultSort: '-granted_at', visibility: { via: [['contact_id', 'contacts'], ['lead_id', 'leads']] } },
  { name: 'lead_scores', table: t.lead_scores, module: 'sales', summary: 'Lead score history with factors', mode: 'readonly', defaultSort: '-calculated_at', visibility: { via: [['lead_id', 'leads']] } },
  {
    name: 'lead_qualifications',
    table: t.lead_qualifications,
    module: 'sales',
    summary: 'BANT qualification of leads',
    visibility: { via: [['lead_id', 'leads']] },
    // A qualification's BANT is a factor of its lead's score: it stays with one lead, and every write re-scores it.
    immutable: ['lead_id'],
    beforeInsert: (ctx, v) => stampQualification(ctx, v),
    afterWrite: (ctx, row, before) => rescoreAfterQualificationWrite(ctx, row, before),
  },
  { name: 'interactions', table: t.interactions, module: 'sales', summary: 'Every touchpoint: calls, emails, meetings, follow-ups', search: ['subject', 'summary', 'next_step'], hidden: ['follow_up_answered'], defaultSort: '-interaction_date', visibility: { owners: ['assigned_to'], creator: 'created_by', via: [['company_id', 'companies'], ['contact_id', 'contacts'], ['lead_id', 'leads'], ['deal_id', 'deals']] }, afterWrite: (ctx, row, before) => refreshHealthAfterWrite(ctx, 'interactions', row, before), beforeRemove: (ctx, row, how) => refreshHealthBeforeDelete(ctx, 'interactions', row, how) },
  { name: 'deals', table: t.deals, module: 'sales', summary: 'Opportunities by stage', pipeline: { field: 'stage', pipeline: 'deal', entity: 'deal' }, visibility: { owners: ['owner_id'], via: [['company_id', 'companies'], ['lead_id', 'leads']] }, afterWrite: (ctx, row, before) => checkDealWrite(ctx, row, before) },
  { name: 'deal_stakeholders', table: t.deal_stakeholders, module: 'sales', summary: 'Who matters on each deal (role, influence)', immutable: ['deal_id'], visibility: { via: [['deal_id', 'deals']] } },
  { name: 'deal_competitors', table: t.deal_competitors, module: 'sales', summary: 'Competitors on each deal (active, won_against, lost_to)', immutable: ['deal_id'], visibility: { via: [['deal_id', 'deals']] } },
  // Line items keep their deal's value (Σ total_value) and currency in step: created one by one (beforeInsert), never in bulk.
  { name: 'deal_products', table: t.deal_products, module: 'sales', summary: "Deal line items (quantity × unit price, exact); the deal's value is their sum", immutable: ['deal_id'], visibility: { via: [['deal_id', 'deals']] }, beforeInsert: (ctx, v) => lineItemBeforeInsert(ctx, v), afterWrite: (ctx, row, before) => lineItemAfterWrite(ctx, row, before), beforeRemove: (ctx, row, how) => lineItemBeforeDelete(ctx, row, how) },
  { name: 'campaigns', table: t.campaigns, module: 'sales', summary: 'Marketing campaigns', pipeline: { field: 'status', pipeline: 'campaign', entity: 'campaign' }, visibility: { owners: ['owner_id'] } },
  // A target names a lead, contact or company the caller can see (checked on create; which record it names never changes); many at once through campaigns.add_targets.
  { name: 'campaign_targets', table: t.campaign_targets, module: 'sales', summary: 'Who each campaign targets', pipeline: { field: 'status', pipeline: 'campaign_target', entity: 'campaign_target' }, immutable: ['campaign_id', 'target_type', 'target_id'], visibility: { via: [['campaign_id', 'campaigns']] }, beforeInsert: (ctx, v) => campaignTargetBeforeInsert(ctx, v) },
  // Every saved text (subject, body, asset_url) is kept in campaign_content_versions, written in the same transaction.
  { name: 'campaign_content', table: t.campaign_content, module: 'sales', summary: 'Campaign content', immutable: ['campaign_id'], visibility: { via: [['campaign_id', 'campaigns']] }, afterWrite: (ctx, row, before) => campaignContentAfterWrite(ctx, row, before) },
  { name: 'campaign_content_versions', table: t.campaign_content_versions, module: 'sales', summary: 'Every saved version of campaign content', mode: 'readonly', defaultSort: '-created_at', visibility: { via: [['campaign_id', 'campaigns']] } },
  { name: 'campaign_metrics', table: t.campaign_metrics, module: 'sales', summary: 'Campaign metrics by period', visibility: { via: [['campaign_id', 'campaigns']] } },
  { name: 'events', table: t.events, module: 'sales', summary: 'Events and conferences', defaultSort: '-event_date', visibility: { owners: ['owner_id'] } },
  // company_id is the contact's company, filled in when not given (sales/events.ts); created one by one, never in bulk.
  { name: 'event_attendees', table: t.event_attendees, module: 'sales', summary: 'Who from which company came to each event', immutable: ['event_id', 'contact_id'], visibility: { via: [['event_id', 'events'], ['company_id', 'companies']] }, beforeInsert: (ctx, v) => attendeeBeforeInsert(ctx, v), afterWrite: (ctx, row, before) => attendeeAfterWrite(ctx, row, before) },
  { name: 'prospect_research', table: t.prospect_research, module: 'sales', summary: 'Research on prospects', readOnly: ['model', 'llm_usage_log_id'], visibility: { via: [['company_id', 'companies'], ['contact_id', 'contacts']] } },
  { name: 'outreach_drafts', table: t.outreach_drafts, module: 'sales', summary: 'Outreach drafts: a person approves each before it is sent', readOnly: ['status', 'approved_by', 'approved_at', 'sent_at'], prepare: (v, existing) => prepareOutreachDraft(v, existing), visibility: { via: [['contact_id', 'contacts'], ['campaign_id', 'campaigns'], ['event_id', 'events']] } },

  // Assessment
  { name: 'audits', table: t.audits, module: 'assessment', summary: 'Company audits from the staff survey', visibility: { via: [['company_id', 'companies']] } },
  {
    name: 'survey_responses',
    table: t.survey_responses,
    module: 'assessment',
    summary: 'Audit and pre-training survey answers',
    visibility: { via: [['company_id', 'companies'], ['contact_id', 'contacts'], ['audit_id', 'audits']] },
    // Whatever path changes a response, its audit's sent/completed counters and derived values follow.
    afterWrite: (ctx, row, before) => surveyResponseWritten(ctx, row, before),
    beforeRemove: (ctx, row, how) => surveyResponseRemoved(ctx, row, how),
    // A bulk create runs no afterWrite: answers of a contact who withdrew survey consent are refused here too.
    afterBulkCreate: async (ctx, ids) => {
      const rows = await queryRows<{ id: string; contact_id: string | null }>(ctx, sql`select id::text, contact_id::text from survey_responses where id = any(${uuidArray(ids)})`);
      const contactOf = new Map(rows.map((r) => [r.id, r.contact_id]));
      await assertSurveyAllowed(ctx, ids.map((id) => contactOf.get(id)), (i) => `items[${i}].contact_id`);
    },
  },
  // Made only by assessment.decide, which computes the hours and capacity and moves the company; the scorecard's wording stays editable.
  { name: 'go_no_go_decisions', table: t.go_no_go_decisions, module: 'assessment', summary: 'Go/no-go scorecards', create: false, readOnly: ['audit_id', 'company_id', 'decision', 'novel_mcps', 'novel_skills', 'employee_count', 'estimated_hours_per_week', 'capacity_available_hours', 'capacity_sufficient', 'decided_by'], visibility: { via: [['company_id', 'companies'], ['audit_id', 'audits']] } },
  { name: 'capacity', table: t.capacity, module: 'assessment', summary: 'Our team capacity in hours per week' },
  // Status moves obey PROPOSAL_MOVES on every path (assessment/proposals.ts); accepting through assessment.accept_proposal also creates the engagement.
  // Made from a go decision and moved (sent, changes requested, accepted, rejected, expired) only by the assessment.*_proposal verbs.
  { name: 'proposals', table: t.proposals, module: 'assessment', summary: 'Proposals sent after a go decision', create: false, readOnly: ['company_id', 'go_no_go_id', 'status', 'sent_date', 'modifications_requested', 'accepted_date', 'rejected_date'], visibility: { owners: ['owner_id'], via: [['company_id', 'companies'], ['deal_id', 'deals']] }, prepare: (v, existing) => prepareProposal(v, existing) },
  // Started, answered, completed and abandoned by the assessment.*_readiness verbs; a completed one written here (an import) gets its score from the same rule.
  { name: 'readiness_assessments', table: t.readiness_assessments, module: 'assessment', summary: 'AI-readiness assessments', mode: 'append', create: false, prepare: (v, existing) => prepareReadinessRecord(v, existing), visibility: { via: [['company_id', 'companies'], ['lead_id', 'leads'], ['contact_id', 'contacts']] } },
  // Made only by assessment.calculate_roi and assessment.estimate_project, which compute the results they store.
  { name: 'roi_calculations', table: t.roi_calculations, module: 'assessment', summary: 'ROI calculations and project estimates', mode: 'append', create: false, visibility: { via: [['company_id', 'companies'], ['lead_id', 'leads']] } },

  // Delivery
  { name: 'services', table: t.services, module: 'delivery', summary: 'The services catalog' },
  { name: 'industry_services', table: t.industry_services, module: 'delivery', summary: 'Which services fit which industry' },
  { name: 'engagements', table: t.engagements, module: 'delivery', summary: 'Client engagements (contracts in delivery)', pipeline: { field: 'status', pipeline: 'engagement', entity: 'engagement' }, readOnly: ['actual_hours'], visibility: { owners: ['owner_id', 'assigned_to'], via: [['company_id', 'companies']] }, afterWrite: (ctx, row, before) => refreshHealthAfterWrite(ctx, 'engagements', row, before), beforeRemove: (ctx, row, how) => refreshHealthBeforeDelete(ctx, 'engagements', row, how) },
  { name: 'engagement_services', table: t.engagement_services, module: 'delivery', summary: 'Services in each engagement', visibility: { via: [['engagement_id', 'engagements']] } },
  { name: 'engagement_milestones', table: t.engagement_milestones, module: 'delivery', summary: 'Milestones and KPIs', visibility: { via: [['engagement_id', 'engagements']] } },
  { name: 'contracts', table: t.contracts, module: 'delivery', summary: 'MSAs, SOWs and NDAs', visibility: { via: [['company_id', 'companies'], ['engagement_id', 'engagements']] } },
  { name: 'ai_licenses', table: t.ai_licenses, module: 'delivery', summary: 'AI licences assigned to client staff', visibility: { via: [['engagement_id', 'engagements'], ['contact_id', 'contacts']] } },
  { name: 'ai_assets', table: t.ai_assets, module: 'delivery', summary: 'MCP servers and Skills files built', visibility: { via: [['engagement_id', 'engagements']] } },
  { name: 'ai_asset_deployments', table: t.ai_asset_deployments, module: 'delivery', summary: 'Where each asset is deployed', visibility: { via: [['company_id', 'companies'], ['engagement_id', 'engagements'], ['asset_id', 'ai_assets']] } },
  { name: 'contact_tasks', table: t.contact_tasks, module: 'delivery', summary: 'What each person does, before and after AI', search: ['task_name'], readOnly: ['time_after_ai'], visibility: { via: [['company_id', 'companies'], ['contact_id', 'contacts'], ['engagement_id', 'engagements']] } },
  { name: 'task_measurements', table: t.task_measurements, module: 'delivery', summary: 'Time-after-AI measurements over time', defaultSort: '-measured_on', visibility: { via: [['task_id', 'contact_tasks']] }, ...timeAfterAiHooks },
  { name: 'task_ai_assets', table: t.task_ai_assets, module: 'delivery', summary: 'Which assets support which tasks', visibility: { via: [['task_id', 'contact_tasks']] } },
  { name: 'work_completed', table: t.work_completed, module: 'delivery', summary: 'Hours logged per engagement', defaultSort: '-work_date', visibility: { via: [['engagement_id', 'engagements']] }, ...actualHoursHooks },
  { name: 'training_sessions', table: t.training_sessions, module: 'delivery', summary: 'Training sessions', visibility: { via: [['engagement_id', 'engagements']] } },
  { name: 'training_attendance', table: t.training_attendance, module: 'delivery', summary: 'Per-person attendance and notes', visibility: { via: [['session_id', 'training_sessions'], ['contact_id', 'contacts']] } },
  // Status moves obey TICKET_MOVES on every path (delivery/tickets.ts); closed is final.
  {
    name: 'support_tickets',
    visibility: { owners: ['assigned_to'], via: [['company_id', 'companies'], ['engagement_id', 'engagements'], ['contact_id', 'contacts']] },
    table: t.support_tickets,
    module: 'delivery',
    summary: 'Client support requests',
    readOnly: ['ticket_number'],
    prepare: prepareTicket,
    beforeInsert: async (ctx, v) => ({ ...v, ticket_number: await nextDocumentNumber(ctx, 'ticket', yearOf(v.request_date, ctx)) }),
    afterWrite: async (ctx, row, before) => {
      await refreshHealthAfterWrite(ctx, 'support_tickets', row, before);
      await announceTicket(ctx, row, before);
    },
    beforeRemove: (ctx, row, how) => refreshHealthBeforeDelete(ctx, 'support_tickets', row, how),
  },
  { name: 'engagement_tools', table: t.engagement_tools, module: 'delivery', summary: 'Tool stack per engagement with costs', visibility: { via: [['engagement_id', 'engagements']] } },
  // Status moves obey INVOICE_MOVES on every path (delivery/invoices.ts); what was billed is fixed once sent.
  {
    name: 'invoices',
    visibility: { via: [['company_id', 'companies'], ['engagement_id', 'engagements']] },
    table: t.invoices,
    module: 'delivery',
    summary: 'Invoices (overdue is derived from the due date)',
    readOnly: ['invoice_number'],
    hardDelete: false,
    prepare: prepareInvoice,
    beforeInsert: async (ctx, v) => ({ ...v, invoice_number: await nextDocumentNumber(ctx, 'invoice', yearOf(v.issue_date, ctx)) }),
    afterWrite: (ctx, row, before) => refreshHealthAfterWrite(ctx, 'invoices', row, before),
  },

  // Measurement
  { name: 'ai_usage', table: t.ai_usage, module: 'measurement', summary: "Client staff's AI token usage per day (written by usage.record and usage.ingest, which keep the monthly rollup)", mode: 'append', create: false, defaultSort: '-usage_date', visibility: { via: [['company_id', 'companies'], ['engagement_id', 'engagements'], ['contact_id', 'contacts']] } },
  { name: 'ai_usage_monthly', table: t.ai_usage_monthly, module: 'measurement', summary: 'Monthly usage rollup', mode: 'readonly', defaultSort: '-month', visibility: { via: [['company_id', 'companies'], ['engagement_id', 'engagements'], ['contact_id', 'contacts']] } },
  // Written by llm.log_call, which computes the cost from llm_model_prices and checks total_tokens and the entity.
  { name: 'llm_usage_logs', table: t.llm_usage_logs, module: 'measurement', summary: "Throughline's own LLM calls and their cost", mode: 'append', create: false },
  { name: 'llm_model_prices', table: t.llm_model_prices, module: 'measurement', summary: 'LLM prices per million tokens' },
];

export const resources: Resource[] = configs.map(defineResource);
export const resourceByName = new Map(resources.map((r) => [r.name, r]));

// A record is visible through the records it belongs to: resolve each rule's parents once.
for (const r of resources) {
  const via = r.visibility?.via;
  if (!via) continue;
  r.parents = via.map(([column, parent]) => {
    const p = resourceByName.get(parent);
    if (!p?.visibility) throw new Error(`resource ${r.name}: visibility via ${parent}, which has no visibility rule`);
    return { column, parent: p };
  });
}

export function resource(name: string): Resource {
  const r = resourceByName.get(name);
  if (!r) throw new Error(`unknown resource ${name}`);
  return r;
}

export type { Row };
