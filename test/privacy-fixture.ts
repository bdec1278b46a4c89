/**
 * One person who appears in every table of the privacy footprint (src/core/privacy/footprint.ts),
 * and the rows an independent SQL query finds about them: shared by the access-export and the
 * erasure tests.
 */
import { buildValid, createValid, insertDirect } from './factories.ts';
import type { Ctx } from '../src/core/context.ts';
import type { SignedIn } from './auth.ts';

type Json = Record<string, any>;

export type FixtureEnv = {
  q: <T = Json>(text: string, params?: unknown[]) => Promise<T[]>;
  sys: () => Ctx;
  admin: SignedIn;
};

/** Text a spreadsheet would run as a formula, stored in the person's notes and message. */
export const FORMULA = '=HYPERLINK("http://evil.example","click")';

/** One person's rows in every table: contact, lead converted into them, and everything hanging off both. */
export async function populate(env: FixtureEnv, who: { name: string; email: string }, session: string): Promise<Json> {
  const { q, sys, admin } = env;
  const refs = { ctx: sys(), app: admin };
  const company = await createValid('companies', { ...refs, overrides: { name: `${who.name} Pty Ltd` } });
  const contact = await createValid('contacts', { ...refs, parents: { companies: company.id as string }, overrides: { company_id: company.id, name: who.name, email: who.email, notes: FORMULA } });
  const lead = await insertDirect(sys(), 'leads', { email: who.email.toUpperCase(), first_name: who.name.split(' ')[0], last_name: 'Lead', converted_contact_id: contact.id, company_id: company.id, message: FORMULA });
  const parents = { companies: company.id as string, contacts: contact.id as string, leads: lead.id as string };
  const make = (table: string, overrides: Json = {}) => createValid(table, { ...refs, parents, overrides });
  const direct = async (table: string, overrides: Json = {}) => insertDirect(sys(), table, await buildValid(table, { ...refs, parents, overrides }));
  const engagement = await make('engagements');
  const deal = await make('deals', { lead_id: lead.id });
  const task = await make('contact_tasks', { contact_id: contact.id, engagement_id: engagement.id });
  const training = await make('training_sessions', { engagement_id: engagement.id });
  const interaction = await make('interactions', { contact_id: contact.id, lead_id: lead.id, interaction_date: '2026-03-01T09:00:00.000Z' });
  const ticket = await make('support_tickets', { contact_id: contact.id, engagement_id: engagement.id });
  const campaign = await make('campaigns');
  const event = await make('events');
  // Targeting a person needs their marketing consent.
  const consent = await direct('consents', { contact_id: contact.id, lead_id: null, purpose: 'marketing_email', method: 'form', granted_at: new Date('2026-01-05T10:00:00Z'), evidence: 'Newsletter checkbox' });
  const target = await make('campaign_targets', { campaign_id: campaign.id, target_type: 'contact', target_id: contact.id });
  const rows: Json = {
    companies: company,
    contacts: contact,
    leads: lead,
    contact_preferences: await make('contact_preferences', { contact_id: contact.id }),
    consents: consent,
    interactions: interaction,
    notes: await make('notes', { note_type: 'contact', related_id: contact.id, note_text: `About ${who.name}` }),
    survey_responses: await make('survey_responses', { contact_id: contact.id }),
    readiness_assessments: await direct('readiness_assessments', { email: `  ${who.email.toUpperCase()} `, lead_id: null, contact_id: null }),
    roi_calculations: await direct('roi_calculations', { lead_id: lead.id }),
    lead_scores: await direct('lead_scores', { lead_id: lead.id }),
    lead_qualifications: await make('lead_qualifications', { lead_id: lead.id }),
    deals: deal,
    deal_stakeholders: await make('deal_stakeholders', { deal_id: deal.id, contact_id: contact.id }),
    ai_licenses: await make('ai_licenses', { engagement_id: engagement.id, contact_id: contact.id, email: who.email }),
    contact_tasks: task,
    task_measurements: await make('task_measurements', { task_id: task.id }),
    training_attendance: await make('training_attendance', { session_id: training.id, contact_id: contact.id }),
    support_tickets: ticket,
    campaign_targets: target,
    event_attendees: await make('event_attendees', { event_id: event.id, contact_id: contact.id }),
    prospect_research: await make('prospect_research', { contact_id: contact.id }),
    outreach_drafts: await make('outreach_drafts', { contact_id: contact.id }),
    ai_usage: await direct('ai_usage', { contact_id: contact.id, engagement_id: engagement.id, company_id: company.id }),
    ai_usage_monthly: await direct('ai_usage_monthly', { contact_id: contact.id, engagement_id: engagement.id, company_id: company.id }),
    email_queue: await direct('email_queue', { to: [`"${who.name}" <${who.email}>`], subject: `Hello ${who.name}`, template: 'follow_up' }),
    status_history: await direct('status_history', { entity_type: 'lead', entity_id: lead.id, status: 'new' }),
  };
  // Events of a public form (lead_id), and a page view of the same browser session.
  const [named] = await q<{ id: string }>(`insert into analytics_events (event, properties, session_id) values ('form_submitted', $1, $2) returning id`, [JSON.stringify({ lead_id: lead.id }), session]);
  await q(`insert into analytics_events (event, properties, session_id) values ('page_view', '{}', $1)`, [session]);
  rows.analytics_events = named;
  return { ...rows, extra: { engagement, deal, campaign, event, training } };
}

/** The rows about the contact (and the leads converted into it), found by plain SQL independently of the footprint. */
export async function expectedFor(env: FixtureEnv, contactId: string): Promise<Record<string, string[]>> {
  const { q } = env;
  const [c] = await q<{ email: string }>('select email from contacts where id = $1', [contactId]);
  const leads = (await q<{ id: string; email: string | null }>('select id, email from leads where converted_contact_id = $1', [contactId]));
  const L = leads.map((l) => l.id);
  const E = [...new Set([c!.email, ...leads.map((l) => l.email)].filter(Boolean).map((e) => e!.trim().toLowerCase()))];
  const one = async (sqlText: string, params: unknown[]) => (await q<{ id: string }>(sqlText, params)).map((r) => r.id).sort();
  const out: Record<string, string[]> = {
    companies: [], company_addresses: [], company_team: [], company_preferences: [], company_metrics: [], contracts: [],
    contacts: [contactId],
    leads: [...L].sort(),
    contact_preferences: await one('select id from contact_preferences where contact_id = $1', [contactId]),
    consents: await one('select id from consents where contact_id = $1 or lead_id = any($2::uuid[])', [contactId, L]),
    interactions: await one('select id from interactions where contact_id = $1 or lead_id = any($2::uuid[])', [contactId, L]),
    notes: await one(
      `select id from notes where (note_type = 'contact' and related_id = $1) or (note_type = 'lead' and related_id = any($2::uuid[]))
         or (note_type = 'interaction' and related_id in (select id from interactions where contact_id = $1 or lead_id = any($2::uuid[])))
         or (note_type = 'support_ticket' and related_id in (select id from support_tickets where contact_id = $1))`,
      [contactId, L],
    ),
    survey_responses: await one('select id from survey_responses where contact_id = $1', [contactId]),
    readiness_assessments: await one('select id from readiness_assessments where contact_id = $1 or lead_id = any($2::uuid[]) or lower(trim(email)) = any($3::text[])', [contactId, L, E]),
    roi_calculations: await one('select id from roi_calculations where lead_id = any($1::uuid[]) or lower(trim(email)) = any($2::text[])', [L, E]),
    lead_scores: await one('select id from lead_scores where lead_id = any($1::uuid[])', [L]),
    lead_qualifications: await one('select id from lead_qualifications where lead_id = any($1::uuid[])', [L]),
    deals: await one('select id from deals where lead_id = any($1::uuid[])', [L]),
    deal_stakeholders: await one('select id from deal_stakeholders where contact_id = $1', [contactId]),
    ai_licenses: await one('select id from ai_licenses where contact_id = $1 or lower(trim(email)) = any($2::text[])', [contactId, E]),
    contact_tasks: await one('select id from contact_tasks where contact_id = $1', [contactId]),
    task_measurements: await one('select id from task_measurements where task_id in (select id from contact_tasks where contact_id = $1)', [contactId]),
    training_attendance: await one('select id from training_attendance where contact_id = $1', [contactId]),
    support_tickets: await one('select id from support_tickets where contact_id = $1', [contactId]),
    campaign_targets: await one(`select id from campaign_targets where (target_type = 'contact' and target_id = $1) or (target_type = 'lead' and target_id = any($2::uuid[]))`, [contactId, L]),
    event_attendees: await one('select id from event_attendees where contact_id = $1', [contactId]),
    prospect_research: await one('select id from prospect_research where contact_id = $1', [contactId]),
    outreach_drafts: await one('select id from outreach_drafts where contact_id = $1', [contactId]),
    ai_usage: await one('select id from ai_usage where contact_id = $1', [contactId]),
    ai_usage_monthly: await one('select id from ai_usage_monthly where contact_id = $1', [contactId]),
    email_queue: await one(`select id from email_queue q where exists (select 1 from jsonb_array_elements_text(q."to") a where lower(a) = any($1::text[]) or lower(a) like any(select '%<' || e || '>' from unnest($1::text[]) e))`, [E]),
    status_history: await one(
      `select id from status_history where (entity_type = 'lead' and entity_id = any($1::uuid[]))
         or (entity_type = 'campaign_target' and entity_id in (select id from campaign_targets where (target_type = 'contact' and target_id = $2) or (target_type = 'lead' and target_id = any($1::uuid[]))))`,
      [L, contactId],
    ),
    analytics_events: await one(
      `select id from analytics_events where properties->>'lead_id' = any($1::text[]) or session_id in (select session_id from analytics_events where properties->>'lead_id' = any($1::text[]))`,
      [L],
    ),
  };
  const recordIds = Object.entries(out).filter(([t]) => t !== 'analytics_events').flatMap(([t, list]) => list.map((id) => `${t}:${id}`));
  const audit = await q<{ id: string; table_name: string; record_id: string | null }>('select id, table_name, record_id from audit_log');
  const people = new Set([contactId, ...L]);
  out.audit_log = audit
    .filter((a) => a.record_id && (recordIds.includes(`${a.table_name}:${a.record_id}`) || (a.table_name === 'access_exports' && people.has(a.record_id))))
    .map((a) => a.id)
    .sort();
  return out;
}

