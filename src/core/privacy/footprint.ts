/**
 * The footprint of a person: every table that holds rows about a contact or a lead, and the
 * condition that selects those rows. The access request (access-export.ts) reads it; a later
 * erasure is meant to walk the same map, so what "everything about a person" means is decided
 * here, once, as data.
 *
 * Who the person is: a contact is one identity with the leads converted into it
 * (leads.converted_contact_id); a lead is itself plus the contact it became and that contact's
 * other leads. Their email addresses (lower-cased) reach the rows that carry an address and no
 * link: readiness quizzes, ROI calculations, licences and the email queue. Two leads with the
 * same address are not merged into one person: only an explicit conversion links records,
 * so one person's request never pulls in a stranger who typed the same address into a form
 * as a different lead record (their quiz and queue rows by that address are included).
 *
 * A company is its own row, its addresses, team, preferences, metrics and contracts, its
 * notes, status history and campaign targets, plus the footprint of each of its contacts and
 * of the leads linked to it (leads.company_id or converted_to_account_id).
 *
 * Included, beyond the person's own row: contact_preferences, consents, interactions, notes (on the
 * contact, the lead, and on the person's interactions and support tickets), survey_responses,
 * readiness_assessments, roi_calculations, lead_scores, lead_qualifications, deals (by lead),
 * deal_stakeholders, ai_licenses, contact_tasks and their task_measurements,
 * training_attendance, support_tickets, campaign_targets, event_attendees, prospect_research,
 * outreach_drafts, ai_usage, ai_usage_monthly, email_queue (by recipient address),
 * status_history (of the leads, the company and the person's campaign targets),
 * analytics_events and audit_log (below).
 *
 * analytics_events: the public forms record `lead_id` in an event's properties, and a tracked
 * event may carry an `email` property; those events are the person's, and so is every event
 * of the same browser session, which that submission ties to them.
 *
 * audit_log: every row whose (table_name, record_id) is one of the rows above, and the record
 * of earlier access exports of this subject (table `access_exports`, record_id the subject).
 * Audit rows about other records that merely mention the person in `before`/`after` (a
 * company whose primary contact changed) and MCP tool-call rows whose arguments name them are
 * not searched: finding those needs a text search, which belongs to erasure's verification.
 *
 * Deliberately not included (see EXCLUDED): llm_usage_logs (metrics of this system's own model
 * calls: tokens, cost, latency, keyed by record id only), task_ai_assets (links a task to an
 * asset; the task itself is exported), work_completed (our staff's hours: performed_by names a
 * consultant, not the client's person), deals' competitors and products, companies' own
 * engagements, invoices and proposals (business records of the company, not of a person), and
 * identity tables (users, sessions, api_keys: Throughline's own users, not contacts or leads).
 */
import { and, eq, inArray, or, sql, type SQL } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import * as t from '../../db/schema/index.ts';

export const SUBJECT_KINDS = ['contact', 'lead', 'company'] as const;
export type SubjectKind = (typeof SUBJECT_KINDS)[number];
export type Subject = { kind: SubjectKind; id: string };

/** The records that are the subject, resolved once (resolveIdentity in access-export.ts); emails lower-cased and trimmed. */
export type Identity = { companyIds: string[]; contactIds: string[]; leadIds: string[]; emails: string[] };

export type FootprintEntry = {
  /** The table's name, as in /api/v1/{table}. */
  table: string;
  source: PgTable;
  /** The rows of `source` about the person; `false` when the identity gives nothing to match. */
  rows: (who: Identity) => SQL;
};

/** Tables that mention people but are left out on purpose, with why; a test holds the schema's references to this list. */
export const EXCLUDED: Record<string, string> = {
  llm_usage_logs: "metrics of this system's own language-model calls (tokens, cost, latency), keyed by a record id, no personal data",
  task_ai_assets: 'links a task to an AI asset; the task itself is in the footprint',
  work_completed: "our consultants' hours; performed_by names staff, not the client's people",
  users: "Throughline's own users (staff), not contacts or leads",
};

const NONE = sql`false`;

/** `column in (values)`, or nothing at all for an empty list (Postgres refuses `in ()`). */
const among = (column: PgColumn, values: string[]): SQL => (values.length ? inArray(column, values) : NONE);

const anyOf = (...parts: SQL[]): SQL => {
  const real = parts.filter((p) => p !== NONE);
  return real.length === 0 ? NONE : real.length === 1 ? real[0]! : or(...real)!;
};

/** A text column that holds an address, compared case-insensitively with the person's addresses. */
const emailIn = (column: PgColumn | SQL, emails: string[]): SQL =>
  emails.length ? sql`lower(trim(${column})) in (${sql.join(emails.map((e) => sql`${e}`), sql`, `)})` : NONE;

/** Ids of `table` rows matching `where`, as a subquery (so the map never needs a round trip per table). */
const idsOf = (table: PgTable, id: PgColumn, where: SQL): SQL => (where === NONE ? NONE : sql`select ${id} from ${table} where ${where}`);
const inSub = (column: PgColumn, sub: SQL): SQL => (sub === NONE ? NONE : sql`${column} in (${sub})`);

const interactionsOf = (w: Identity) => anyOf(among(t.interactions.contact_id, w.contactIds), among(t.interactions.lead_id, w.leadIds));
const ticketsOf = (w: Identity) => among(t.support_tickets.contact_id, w.contactIds);
const tasksOf = (w: Identity) => among(t.contact_tasks.contact_id, w.contactIds);
const targetsOf = (w: Identity) =>
  anyOf(
    w.contactIds.length ? and(eq(t.campaign_targets.target_type, 'contact'), among(t.campaign_targets.target_id, w.contactIds))! : NONE,
    w.leadIds.length ? and(eq(t.campaign_targets.target_type, 'lead'), among(t.campaign_targets.target_id, w.leadIds))! : NONE,
    w.companyIds.length ? and(eq(t.campaign_targets.target_type, 'company'), among(t.campaign_targets.target_id, w.companyIds))! : NONE,
  );
const typed = (kindColumn: PgColumn, kind: string, idColumn: PgColumn, ids: string[] | SQL): SQL => {
  const match = Array.isArray(ids) ? among(idColumn, ids) : inSub(idColumn, ids);
  return match === NONE ? NONE : and(eq(kindColumn, kind), match)!;
};

/**
 * Analytics events that name the person (a lead id or an address in their properties), then
 * every event of the browser sessions those events belong to.
 */
const identifiedEvents = (w: Identity): SQL =>
  anyOf(
    w.leadIds.length ? sql`(${t.analytics_events.properties} ->> 'lead_id') in (${sql.join(w.leadIds.map((id) => sql`${id}`), sql`, `)})` : NONE,
    emailIn(sql`${t.analytics_events.properties} ->> 'email'`, w.emails),
  );
const eventsOf = (w: Identity): SQL => {
  const named = identifiedEvents(w);
  if (named === NONE) return NONE;
  // The inner query's own alias keeps its columns apart from the outer analytics_events.
  return sql`(${named} or ${t.analytics_events.session_id} in (select e.session_id from analytics_events e where e.session_id is not null and ((e.properties ->> 'lead_id') in (${
    w.leadIds.length ? sql.join(w.leadIds.map((id) => sql`${id}`), sql`, `) : sql`null`
  }) or lower(trim(e.properties ->> 'email')) in (${w.emails.length ? sql.join(w.emails.map((e) => sql`${e}`), sql`, `) : sql`null`}))))`;
};

/** Queued mail (email_queue) to one of these lower-cased addresses, written bare or as `"Name" <address>`: the footprint's, and a withdrawal's cancelling (consent.ts). */
export const queuedTo = (emails: string[]): SQL =>
  emails.length
    ? sql`exists (select 1 from jsonb_array_elements_text(${t.email_queue.to}) as r(addr) where coalesce(substring(lower(r.addr) from '<([^<>]*)>\\s*$'), lower(trim(r.addr))) in (${sql.join(
        emails.map((e) => sql`${e}`),
        sql`, `,
      )}))`
    : NONE;
const mailTo = (w: Identity): SQL => queuedTo(w.emails);

/** Every table but the audit log, in the order the archive lists them. */
const RECORDS: FootprintEntry[] = [
  { table: 'companies', source: t.companies, rows: (w) => among(t.companies.id, w.companyIds) },
  { table: 'company_addresses', source: t.company_addresses, rows: (w) => among(t.company_addresses.company_id, w.companyIds) },
  { table: 'company_team', source: t.company_team, rows: (w) => among(t.company_team.company_id, w.companyIds) },
  { table: 'company_preferences', source: t.company_preferences, rows: (w) => among(t.company_preferences.company_id, w.companyIds) },
  { table: 'company_metrics', source: t.company_metrics, rows: (w) => among(t.company_metrics.company_id, w.companyIds) },
  { table: 'contracts', source: t.contracts, rows: (w) => among(t.contracts.company_id, w.companyIds) },
  { table: 'contacts', source: t.contacts, rows: (w) => among(t.contacts.id, w.contactIds) },
  { table: 'leads', source: t.leads, rows: (w) => among(t.leads.id, w.leadIds) },
  { table: 'contact_preferences', source: t.contact_preferences, rows: (w) => among(t.contact_preferences.contact_id, w.contactIds) },
  { table: 'consents', source: t.consents, rows: (w) => anyOf(among(t.consents.contact_id, w.contactIds), among(t.consents.lead_id, w.leadIds)) },
  { table: 'interactions', source: t.interactions, rows: interactionsOf },
  {
    table: 'notes',
    source: t.notes,
    rows: (w) =>
      anyOf(
        typed(t.notes.note_type, 'company', t.notes.related_id, w.companyIds),
        typed(t.notes.note_type, 'contact', t.notes.related_id, w.contactIds),
        typed(t.notes.note_type, 'lead', t.notes.related_id, w.leadIds),
        typed(t.notes.note_type, 'interaction', t.notes.related_id, idsOf(t.interactions, t.interactions.id, interactionsOf(w))),
        typed(t.notes.note_type, 'support_ticket', t.notes.related_id, idsOf(t.support_tickets, t.support_tickets.id, ticketsOf(w))),
      ),
  },
  { table: 'survey_responses', source: t.survey_responses, rows: (w) => among(t.survey_responses.contact_id, w.contactIds) },
  {
    table: 'readiness_assessments',
    source: t.readiness_assessments,
    rows: (w) => anyOf(among(t.readiness_assessments.contact_id, w.contactIds), among(t.readiness_assessments.lead_id, w.leadIds), emailIn(t.readiness_assessments.email, w.emails)),
  },
  { table: 'roi_calculations', source: t.roi_calculations, rows: (w) => anyOf(among(t.roi_calculations.lead_id, w.leadIds), emailIn(t.roi_calculations.email, w.emails)) },
  { table: 'lead_scores', source: t.lead_scores, rows: (w) => among(t.lead_scores.lead_id, w.leadIds) },
  { table: 'lead_qualifications', source: t.lead_qualifications, rows: (w) => among(t.lead_qualifications.lead_id, w.leadIds) },
  { table: 'deals', source: t.deals, rows: (w) => among(t.deals.lead_id, w.leadIds) },
  { table: 'deal_stakeholders', source: t.deal_stakeholders, rows: (w) => among(t.deal_stakeholders.contact_id, w.contactIds) },
  { table: 'ai_licenses', source: t.ai_licenses, rows: (w) => anyOf(among(t.ai_licenses.contact_id, w.contactIds), emailIn(t.ai_licenses.email, w.emails)) },
  { table: 'contact_tasks', source: t.contact_tasks, rows: tasksOf },
  { table: 'task_measurements', source: t.task_measurements, rows: (w) => inSub(t.task_measurements.task_id, idsOf(t.contact_tasks, t.contact_tasks.id, tasksOf(w))) },
  { table: 'training_attendance', source: t.training_attendance, rows: (w) => among(t.training_attendance.contact_id, w.contactIds) },
  { table: 'support_tickets', source: t.support_tickets, rows: ticketsOf },
  { table: 'campaign_targets', source: t.campaign_targets, rows: targetsOf },
  { table: 'event_attendees', source: t.event_attendees, rows: (w) => among(t.event_attendees.contact_id, w.contactIds) },
  { table: 'prospect_research', source: t.prospect_research, rows: (w) => among(t.prospect_research.contact_id, w.contactIds) },
  { table: 'outreach_drafts', source: t.outreach_drafts, rows: (w) => among(t.outreach_drafts.contact_id, w.contactIds) },
  { table: 'ai_usage', source: t.ai_usage, rows: (w) => among(t.ai_usage.contact_id, w.contactIds) },
  { table: 'ai_usage_monthly', source: t.ai_usage_monthly, rows: (w) => among(t.ai_usage_monthly.contact_id, w.contactIds) },
  { table: 'email_queue', source: t.email_queue, rows: mailTo },
  {
    table: 'status_history',
    source: t.status_history,
    rows: (w) =>
      anyOf(
        typed(t.status_history.entity_type, 'company', t.status_history.entity_id, w.companyIds),
        typed(t.status_history.entity_type, 'lead', t.status_history.entity_id, w.leadIds),
        typed(t.status_history.entity_type, 'campaign_target', t.status_history.entity_id, idsOf(t.campaign_targets, t.campaign_targets.id, targetsOf(w))),
      ),
  },
  { table: 'analytics_events', source: t.analytics_events, rows: eventsOf },
];

/** The audit log's `table_name` for the record of an access export (no such table: the export is an act, not a row). */
export const ACCESS_EXPORT_AUDIT_TABLE = 'access_exports';

/** The audit rows of every record above, and of earlier exports of the same subject. */
const auditOf = (w: Identity): SQL =>
  anyOf(
    ...RECORDS.filter((e) => e.table !== 'analytics_events').map((e) => {
      const id = (e.source as unknown as { id: PgColumn }).id;
      return typed(t.audit_log.table_name, e.table, t.audit_log.record_id, idsOf(e.source, id, e.rows(w)));
    }),
    typed(t.audit_log.table_name, ACCESS_EXPORT_AUDIT_TABLE, t.audit_log.record_id, [...w.companyIds, ...w.contactIds, ...w.leadIds]),
  );

/** The whole map, in archive order. analytics_events has no audit rows (append-only telemetry is not audited). */
export const FOOTPRINT: readonly FootprintEntry[] = [...RECORDS, { table: 'audit_log', source: t.audit_log, rows: auditOf }];

/** Whether a condition can match nothing without asking the database. */
export const matchesNothing = (condition: SQL): boolean => condition === NONE;
