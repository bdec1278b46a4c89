/**
 * Delivery: engagements (000 + 002 projects), their services, milestones, contracts,
 * AI licenses, the registry of built MCP servers and Skills with their deployments,
 * contact tasks and their measurements, work completed, training, support tickets,
 * the engagement's tool stack, invoices and gap-free document numbering.
 */
import { sql } from 'drizzle-orm';
import {
  boolean,
  index,
  integer,
  jsonb,
  numeric,
  pgTable,
  text,
  uniqueIndex,
  uuid,
  type AnyPgColumn,
} from 'drizzle-orm/pg-core';
import { proposals, survey_responses } from './assessment.ts';
import { services } from './catalog.ts';
import {
  between,
  constraints,
  createdAt,
  currency,
  day,
  editable,
  hours,
  money,
  nonNegative,
  notBefore,
  pk,
  positive,
  tstz,
} from './columns.ts';
import { ownerRef } from './platform.ts';
import { companies, contacts } from './sales.ts';



export const ENGAGEMENT_PRIORITIES = ['low', 'medium', 'high', 'urgent'] as const;

/**
 * 000 engagements merged with 002 projects (project_name is `name`). `status` is a key
 * of the `engagement` pipeline in pipeline_stages (validated in core, not by an enum);
 * it starts at `onboarding` (000 step 10). One `currency` covers every amount on the
 * row: value, setup_fee, monthly_fee, tool_costs and hourly_rate_value (the value of
 * one hour saved, for ROI). 000's milestone_dates/milestone_kpis are rows of
 * engagement_milestones.
 */
export const engagements = pgTable(
  'engagements',
  {
    id: pk(),
    company_id: uuid()
      .notNull()
      .references(() => companies.id, { onDelete: 'restrict' }),
    proposal_id: uuid().references((): AnyPgColumn => proposals.id, { onDelete: 'set null' }),
    name: text(),
    project_type: text(),
    description: text(),
    status: text().notNull().default('onboarding'),
    package: text(),
    value: money(),
    currency: currency(),
    staff_count: integer(),
    training_hours_per_staff: hours(),
    mcps_to_build: integer(),
    skills_to_build: integer(),
    reporting_terms: text(),
    support_terms: text(),
    start_date: day(),
    end_date: day(),
    go_live_date: day(),
    claude_workspace_id: text(),
    claude_plan_type: text(),
    claude_plan_setup: boolean().notNull().default(false),
    num_licenses: integer(),
    setup_fee: money(),
    monthly_fee: money(),
    tool_costs: money(),
    demo_url: text(),
    production_url: text(),
    priority: text({ enum: ENGAGEMENT_PRIORITIES }).notNull().default('medium'),
    estimated_hours: hours(),
    actual_hours: hours(),
    hourly_rate_value: money(),
    assigned_to: ownerRef(),
    owner_id: ownerRef(),
    notes: text(),
    ...editable(),
  },
  (t) => [
    index('engagements_company_idx').on(t.company_id),
    index('engagements_proposal_idx').on(t.proposal_id),
    index('engagements_status_idx').on(t.status),
    index('engagements_go_live_idx').on(t.go_live_date),
    index('engagements_end_date_idx').on(t.end_date),
    index('engagements_assigned_idx').on(t.assigned_to),
    index('engagements_owner_idx').on(t.owner_id),
    index('engagements_created_idx').on(t.created_at, t.id),
    ...constraints('engagements', t, {
      value: nonNegative,
      staff_count: nonNegative,
      training_hours_per_staff: nonNegative,
      mcps_to_build: nonNegative,
      skills_to_build: nonNegative,
      end_date: notBefore(t.start_date),
      num_licenses: nonNegative,
      setup_fee: nonNegative,
      monthly_fee: nonNegative,
      tool_costs: nonNegative,
      estimated_hours: nonNegative,
      actual_hours: nonNegative,
      hourly_rate_value: nonNegative,
    }),
  ],
);

/** 002 project_services: which catalog services an engagement delivers. A service in use cannot be deleted (archive it). */
export const engagement_services = pgTable(
  'engagement_services',
  {
    id: pk(),
    engagement_id: uuid()
      .notNull()
      .references(() => engagements.id, { onDelete: 'cascade' }),
    service_id: uuid()
      .notNull()
      .references(() => services.id, { onDelete: 'restrict' }),
    ...editable(),
  },
  (t) => [
    uniqueIndex('engagement_services_pair_key').on(t.engagement_id, t.service_id),
    index('engagement_services_service_idx').on(t.service_id),
  ],
);

export const MILESTONE_STATUSES = ['planned', 'met', 'missed', 'cancelled'] as const;

/** 000 engagements.milestone_dates and milestone_kpis, one row per milestone with its KPI. */
export const engagement_milestones = pgTable(
  'engagement_milestones',
  {
    id: pk(),
    engagement_id: uuid()
      .notNull()
      .references(() => engagements.id, { onDelete: 'cascade' }),
    name: text().notNull(),
    due_date: day(),
    completed_date: day(),
    kpi: text(),
    kpi_target: text(),
    kpi_actual: text(),
    status: text({ enum: MILESTONE_STATUSES }).notNull().default('planned'),
    position: integer().notNull().default(0),
    ...editable(),
  },
  (t) => [
    index('engagement_milestones_engagement_idx').on(t.engagement_id, t.position),
    index('engagement_milestones_due_idx').on(t.due_date),
    ...constraints('engagement_milestones', t, { position: nonNegative }),
  ],
);

export const CONTRACT_TYPES = ['msa', 'sow', 'nda'] as const;
export const CONTRACT_STATUSES = ['draft', 'sent', 'signed', 'active', 'expired', 'terminated'] as const;

/** 004 account_contracts (account_id is company_id); a SOW may belong to an engagement. */
export const contracts = pgTable(
  'contracts',
  {
    id: pk(),
    company_id: uuid()
      .notNull()
      .references(() => companies.id, { onDelete: 'restrict' }),
    engagement_id: uuid().references(() => engagements.id, { onDelete: 'set null' }),
    contract_type: text({ enum: CONTRACT_TYPES }).notNull(),
    status: text({ enum: CONTRACT_STATUSES }).notNull().default('draft'),
    start_date: day(),
    end_date: day(),
    value: money(),
    currency: currency(),
    terms: jsonb(),
    document_url: text(),
    ...editable(),
  },
  (t) => [
    index('contracts_company_idx').on(t.company_id),
    index('contracts_engagement_idx').on(t.engagement_id),
    index('contracts_status_end_idx').on(t.status, t.end_date),
    ...constraints('contracts', t, { value: nonNegative, end_date: notBefore(t.start_date) }),
  ],
);

export const LICENSE_STATUSES = ['active', 'suspended', 'revoked'] as const;

/** 000 claude_licenses, generalised with a `provider` (lower-case, default `anthropic`). */
export const ai_licenses = pgTable(
  'ai_licenses',
  {
    id: pk(),
    engagement_id: uuid()
      .notNull()
      .references(() => engagements.id, { onDelete: 'cascade' }),
    contact_id: uuid().references(() => contacts.id, { onDelete: 'set null' }),
    provider: text().notNull().default('anthropic'),
    email: text(),
    license_status: text({ enum: LICENSE_STATUSES }).notNull().default('active'),
    plan_type: text(),
    assigned_at: tstz(),
    /** What the seat costs the client per month (part of the monthly report's cost), in `currency`. */
    monthly_cost: money(),
    currency: currency(),
    ...editable(),
  },
  (t) => [
    index('ai_licenses_engagement_idx').on(t.engagement_id, t.license_status),
    index('ai_licenses_contact_idx').on(t.contact_id),
    index('ai_licenses_email_idx').on(sql`lower(${t.email})`),
    ...constraints('ai_licenses', t, { monthly_cost: nonNegative }),
  ],
);

export const AI_ASSET_KINDS = ['mcp', 'skill'] as const;
export const AI_ASSET_STATUSES = ['in_development', 'deployed', 'deprecated'] as const;

/**
 * 000 mcps and skills_files in one registry, told apart by `kind`. `engagement_id` is
 * the client it was built for; where it runs is ai_asset_deployments (000 deployed_to_accounts).
 * The release label is `asset_version`, because `version` is editable()'s lock counter.
 */
export const ai_assets = pgTable(
  'ai_assets',
  {
    id: pk(),
    kind: text({ enum: AI_ASSET_KINDS }).notNull(),
    name: text().notNull(),
    description: text(),
    engagement_id: uuid().references(() => engagements.id, { onDelete: 'set null' }),
    built_date: day(),
    deployed: boolean().notNull().default(false),
    status: text({ enum: AI_ASSET_STATUSES }).notNull().default('in_development'),
    repository_url: text(),
    /** The asset's release (e.g. `1.2.0`); `version` is editable()'s optimistic-lock counter. */
    asset_version: text(),
    built_by: ownerRef(),
    notes: text(),
    ...editable(),
  },
  (t) => [
    index('ai_assets_kind_status_idx').on(t.kind, t.status),
    index('ai_assets_engagement_idx').on(t.engagement_id),
    index('ai_assets_name_idx').on(sql`lower(${t.name})`),
    index('ai_assets_built_by_idx').on(t.built_by),
    ...constraints('ai_assets', t),
  ],
);

export const DEPLOYMENT_STATUSES = ['active', 'removed'] as const;

/** 000 mcps/skills_files.deployed_to_accounts as rows: one per asset per account or workspace, with when it was added and removed. */
export const ai_asset_deployments = pgTable(
  'ai_asset_deployments',
  {
    id: pk(),
    asset_id: uuid()
      .notNull()
      .references(() => ai_assets.id, { onDelete: 'cascade' }),
    engagement_id: uuid().references(() => engagements.id, { onDelete: 'set null' }),
    company_id: uuid().references(() => companies.id, { onDelete: 'set null' }),
    /** The workspace or account id the asset is deployed to (e.g. engagements.claude_workspace_id). */
    account_ref: text(),
    deployed_at: tstz().notNull().defaultNow(),
    removed_at: tstz(),
    status: text({ enum: DEPLOYMENT_STATUSES }).notNull().default('active'),
    ...editable(),
  },
  (t) => [
    index('ai_asset_deployments_asset_idx').on(t.asset_id, t.status),
    index('ai_asset_deployments_engagement_idx').on(t.engagement_id),
    index('ai_asset_deployments_company_idx').on(t.company_id),
    ...constraints('ai_asset_deployments', t, { removed_at: notBefore(t.deployed_at) }),
  ],
);

export const TASK_FREQUENCIES = ['daily', 'weekly', 'monthly', 'per_project', 'ad_hoc'] as const;
export const ADOPTION_STATUSES = ['not_started', 'in_progress', 'adopted', 'abandoned'] as const;

/**
 * 000 contact_tasks: what a person does and how long it takes before and after AI, in
 * minutes. `time_saved_minutes` is generated (before − after), never written.
 * `time_after_ai` is the latest value; the month-by-month series is task_measurements.
 * `occurrences_per_month` states the occurrence rule for per_project and ad_hoc tasks
 * (core supplies the default for daily, weekly and monthly). 000's linked_skills and
 * linked_mcp_connections are rows of task_ai_assets, not text.
 */
export const contact_tasks = pgTable(
  'contact_tasks',
  {
    id: pk(),
    contact_id: uuid()
      .notNull()
      .references(() => contacts.id, { onDelete: 'cascade' }),
    engagement_id: uuid().references(() => engagements.id, { onDelete: 'set null' }),
    company_id: uuid().references(() => companies.id, { onDelete: 'set null' }),
    survey_response_id: uuid().references((): AnyPgColumn => survey_responses.id, {
      onDelete: 'set null',
    }),
    task_name: text().notNull(),
    task_description: text(),
    software_used: text(),
    frequency: text({ enum: TASK_FREQUENCIES }),
    occurrences_per_month: numeric({ precision: 8, scale: 2 }),
    time_before_ai: integer(),
    time_after_ai: integer(),
    time_saved_minutes: integer().generatedAlwaysAs(sql`time_before_ai - time_after_ai`),
    issues_before_ai: text(),
    issues_after_ai: text(),
    key_challenges: text(),
    ai_adoption_status: text({ enum: ADOPTION_STATUSES }).notNull().default('not_started'),
    included_in_training: boolean().notNull().default(false),
    notes: text(),
    ...editable(),
  },
  (t) => [
    index('contact_tasks_contact_idx').on(t.contact_id),
    index('contact_tasks_engagement_idx').on(t.engagement_id, t.ai_adoption_status),
    index('contact_tasks_company_idx').on(t.company_id),
    index('contact_tasks_survey_response_idx').on(t.survey_response_id),
    ...constraints('contact_tasks', t, {
      occurrences_per_month: nonNegative,
      time_before_ai: nonNegative,
      time_after_ai: nonNegative,
    }),
  ],
);

/**
 * The time series behind 000 step 23: one measurement of a task's time_after_ai (minutes)
 * per date, with the occurrences counted in that period when known. The unique key on
 * (task_id, measured_on) is also the lookup index.
 */
export const task_measurements = pgTable(
  'task_measurements',
  {
    id: pk(),
    task_id: uuid()
      .notNull()
      .references(() => contact_tasks.id, { onDelete: 'cascade' }),
    measured_on: day().notNull(),
    time_after_ai: integer().notNull(),
    occurrences: integer(),
    notes: text(),
    measured_by: text(),
    ...editable(),
  },
  (t) => [
    uniqueIndex('task_measurements_task_day_key').on(t.task_id, t.measured_on),
    index('task_measurements_measured_on_idx').on(t.measured_on),
    ...constraints('task_measurements', t, { time_after_ai: nonNegative, occurrences: nonNegative }),
  ],
);

/** 000 contact_tasks.linked_skills and linked_mcp_connections as links to the ai_assets registry. */
export const task_ai_assets = pgTable(
  'task_ai_assets',
  {
    id: pk(),
    task_id: uuid()
      .notNull()
      .references(() => contact_tasks.id, { onDelete: 'cascade' }),
    asset_id: uuid()
      .notNull()
      .references(() => ai_assets.id, { onDelete: 'cascade' }),
    ...editable(),
  },
  (t) => [
    uniqueIndex('task_ai_assets_pair_key').on(t.task_id, t.asset_id),
    index('task_ai_assets_asset_idx').on(t.asset_id),
  ],
);

export const WORK_CATEGORIES = [
  'mcp_build',
  'skill_creation',
  'training',
  'support',
  'setup',
  'reporting',
  'meeting',
  'other',
] as const;

/** 000 steps 12–13 (named there, missing from its tables): hours logged against an engagement by category and person. */
export const work_completed = pgTable(
  'work_completed',
  {
    id: pk(),
    engagement_id: uuid()
      .notNull()
      .references(() => engagements.id, { onDelete: 'cascade' }),
    category: text({ enum: WORK_CATEGORIES }).notNull(),
    description: text(),
    hours: hours().notNull(),
    work_date: day().notNull(),
    performed_by: text(),
    user_id: ownerRef(),
    asset_id: uuid().references(() => ai_assets.id, { onDelete: 'set null' }),
    ...editable(),
  },
  (t) => [
    index('work_completed_engagement_date_idx').on(t.engagement_id, t.work_date),
    index('work_completed_user_date_idx').on(t.user_id, t.work_date),
    index('work_completed_asset_idx').on(t.asset_id),
    index('work_completed_date_idx').on(t.work_date),
    ...constraints('work_completed', t, { hours: nonNegative }),
  ],
);

export const TRAINING_STATUSES = ['scheduled', 'completed', 'cancelled', 'rescheduled'] as const;

/** 000 training_log, session half: one row per session of an engagement's programme. */
export const training_sessions = pgTable(
  'training_sessions',
  {
    id: pk(),
    engagement_id: uuid()
      .notNull()
      .references(() => engagements.id, { onDelete: 'cascade' }),
    session_number: integer(),
    title: text(),
    scheduled_date: tstz(),
    completed_date: tstz(),
    status: text({ enum: TRAINING_STATUSES }).notNull().default('scheduled'),
    delivered_by: text(),
    location: text(),
    duration_minutes: integer(),
    ...editable(),
  },
  (t) => [
    index('training_sessions_engagement_idx').on(t.engagement_id, t.session_number),
    index('training_sessions_scheduled_idx').on(t.scheduled_date),
    ...constraints('training_sessions', t, { session_number: positive, duration_minutes: nonNegative }),
  ],
);

/** 000 training_log, per-person half: attendance and notes (session_notes split into progress, struggles, follow_ups). */
export const training_attendance = pgTable(
  'training_attendance',
  {
    id: pk(),
    session_id: uuid()
      .notNull()
      .references(() => training_sessions.id, { onDelete: 'cascade' }),
    contact_id: uuid()
      .notNull()
      .references(() => contacts.id, { onDelete: 'cascade' }),
    /** null until the session has happened. */
    attended: boolean(),
    session_notes: text(),
    progress: text(),
    struggles: text(),
    follow_ups: text(),
    ...editable(),
  },
  (t) => [
    uniqueIndex('training_attendance_pair_key').on(t.session_id, t.contact_id),
    index('training_attendance_contact_idx').on(t.contact_id),
  ],
);

export const TICKET_CATEGORIES = [
  'mcp_issue',
  'skill_issue',
  'claude_config',
  'troubleshooting',
  'training_request',
  'ad_hoc_support',
  'bug',
  'feature_request',
  'question',
  'other',
] as const;
export const TICKET_PRIORITIES = ['low', 'medium', 'high', 'critical'] as const;
export const TICKET_STATUSES = ['open', 'in_progress', 'waiting', 'resolved', 'closed'] as const;

/**
 * 000 + 002 support_tickets, numbered `TKT-YYYY-NNN` from document_sequences. Categories
 * are the union of both seeds. 002's resolved_at is the stored fact; 000's resolved_date
 * is generated from it (its UTC calendar date) so the two cannot disagree.
 */
export const support_tickets = pgTable(
  'support_tickets',
  {
    id: pk(),
    ticket_number: text().notNull(),
    engagement_id: uuid().references(() => engagements.id, { onDelete: 'set null' }),
    company_id: uuid()
      .notNull()
      .references(() => companies.id, { onDelete: 'restrict' }),
    contact_id: uuid().references(() => contacts.id, { onDelete: 'set null' }),
    request_date: tstz().notNull().defaultNow(),
    subject: text(),
    description: text(),
    category: text({ enum: TICKET_CATEGORIES }).notNull().default('other'),
    priority: text({ enum: TICKET_PRIORITIES }).notNull().default('medium'),
    status: text({ enum: TICKET_STATUSES }).notNull().default('open'),
    resolution: text(),
    hours_spent: hours(),
    handled_by: text(),
    assigned_to: ownerRef(),
    resolved_at: tstz(),
    resolved_date: day().generatedAlwaysAs(sql`(resolved_at at time zone 'UTC')::date`),
    notes: text(),
    ...editable(),
  },
  (t) => [
    uniqueIndex('support_tickets_ticket_number_key').on(t.ticket_number),
    index('support_tickets_company_status_idx').on(t.company_id, t.status),
    index('support_tickets_engagement_idx').on(t.engagement_id, t.request_date),
    index('support_tickets_contact_idx').on(t.contact_id),
    index('support_tickets_status_priority_idx').on(t.status, t.priority),
    index('support_tickets_assigned_idx').on(t.assigned_to),
    index('support_tickets_request_date_idx').on(t.request_date),
    index('support_tickets_resolved_idx').on(t.resolved_at).where(sql`${t.resolved_at} is not null`),
    index('support_tickets_created_idx').on(t.created_at, t.id),
    ...constraints('support_tickets', t, {
      hours_spent: nonNegative,
      resolved_at: notBefore(t.request_date),
    }),
  ],
);

export const TOOL_STATUSES = ['active', 'inactive', 'testing'] as const;

/**
 * 002 integrations, renamed: the tools an engagement runs on and what they cost.
 * `api_key_name` names where a key is kept; a key itself is never stored.
 */
export const engagement_tools = pgTable(
  'engagement_tools',
  {
    id: pk(),
    engagement_id: uuid()
      .notNull()
      .references(() => engagements.id, { onDelete: 'cascade' }),
    tool_name: text().notNull(),
    tool_category: text(),
    status: text({ enum: TOOL_STATUSES }).notNull().default('active'),
    api_key_name: text(),
    monthly_cost: money(),
    currency: currency(),
    notes: text(),
    ...editable(),
  },
  (t) => [
    index('engagement_tools_engagement_idx').on(t.engagement_id),
    index('engagement_tools_tool_name_idx').on(sql`lower(${t.tool_name})`),
    index('engagement_tools_status_idx').on(t.status),
    ...constraints('engagement_tools', t, { monthly_cost: nonNegative }),
  ],
);

export const INVOICE_TYPES = ['setup', 'monthly', 'one_time', 'tool_cost'] as const;
/** Stored statuses. 002's `overdue` is derived, never stored: status `sent` and due_date before today. */
export const INVOICE_STATUSES = ['draft', 'sent', 'paid', 'cancelled'] as const;

/**
 * 002 invoices (project_id is engagement_id), numbered `INV-YYYY-NNN` from
 * document_sequences. `overdue` is not a stored status: an invoice is overdue when its
 * status is `sent` and its due_date has passed (see invoices_open_due_idx).
 * A company with invoices cannot be deleted.
 */
export const invoices = pgTable(
  'invoices',
  {
    id: pk(),
    invoice_number: text().notNull(),
    company_id: uuid()
      .notNull()
      .references(() => companies.id, { onDelete: 'restrict' }),
    engagement_id: uuid().references(() => engagements.id, { onDelete: 'set null' }),
    invoice_type: text({ enum: INVOICE_TYPES }).notNull(),
    amount: money().notNull(),
    amount_usd: money(),
    currency: currency(),
    status: text({ enum: INVOICE_STATUSES }).notNull().default('draft'),
    issue_date: day(),
    due_date: day(),
    paid_date: day(),
    payment_method: text(),
    notes: text(),
    ...editable(),
  },
  (t) => [
    uniqueIndex('invoices_invoice_number_key').on(t.invoice_number),
    index('invoices_company_idx').on(t.company_id, t.issue_date),
    index('invoices_engagement_issue_idx').on(t.engagement_id, t.issue_date),
    index('invoices_status_idx').on(t.status),
    index('invoices_due_date_idx').on(t.due_date),
    index('invoices_issue_date_idx').on(t.issue_date),
    index('invoices_paid_date_idx').on(t.paid_date).where(sql`${t.status} = 'paid'`),
    index('invoices_open_due_idx')
      .on(t.due_date)
      .where(sql`${t.status} = 'sent' and ${t.archived_at} is null`),
    index('invoices_created_idx').on(t.created_at, t.id),
    ...constraints('invoices', t, {
      amount: nonNegative,
      amount_usd: nonNegative,
      due_date: notBefore(t.issue_date),
    }),
  ],
);

export const DOCUMENT_KINDS = ['ticket', 'invoice'] as const;

/**
 * Gap-free numbering of tickets (TKT-YYYY-NNN) and invoices (INV-YYYY-NNN). Core takes the
 * next number with `insert … on conflict (kind, year) do update set last_value =
 * last_value + 1 returning last_value` inside the transaction that inserts the document:
 * the row lock serialises concurrent writers and a rollback gives the number back.
 */
export const document_sequences = pgTable(
  'document_sequences',
  {
    id: pk(),
    kind: text({ enum: DOCUMENT_KINDS }).notNull(),
    year: integer().notNull(),
    last_value: integer().notNull().default(0),
    created_at: createdAt(),
    updated_at: tstz().notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('document_sequences_kind_year_key').on(t.kind, t.year),
    ...constraints('document_sequences', t, { year: between(2000, 2200), last_value: nonNegative }),
  ],
);
