/** Assessment: audits, survey responses, go/no-go decisions, capacity, proposals (000), readiness assessments and ROI calculations (001). */
import { sql } from 'drizzle-orm';
import { boolean, index, integer, jsonb, numeric, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { SERVICE_TIERS } from './catalog.ts';
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
  pk,
  tstz,
} from './columns.ts';
import { users } from './platform.ts';
import { LEVELS, companies, contacts, deals, leads } from './sales.ts';

/** Seed 000 audits: the company-level assessment built from the audit survey and the org chart. */
export const audits = pgTable(
  'audits',
  {
    id: pk(),
    company_id: uuid()
      .notNull()
      .references(() => companies.id, { onDelete: 'cascade' }),
    audit_date: day(),
    org_chart_received: boolean().notNull().default(false),
    team_size: integer(),
    surveys_sent: integer().notNull().default(0),
    surveys_completed: integer().notNull().default(0),
    digital_maturity: text({ enum: LEVELS }),
    current_tools_summary: text(),
    notes: text(),
    ...editable(),
  },
  (t) => [
    index('audits_company_idx').on(t.company_id, t.audit_date),
    index('audits_created_idx').on(t.created_at, t.id),
    ...constraints('audits', t, {
      team_size: nonNegative,
      surveys_sent: nonNegative,
      surveys_completed: nonNegative,
    }),
  ],
);

export const SURVEY_TYPES = ['audit', 'pre_training'] as const;

/**
 * Seed 000 survey_responses, both survey types: one row per contact, survey type and
 * question (rows are created when the link is sent; `answer` stays null until completed).
 * Step 5 tracking joins contacts against these rows; `audit_id` links audit surveys to their audit.
 */
export const survey_responses = pgTable(
  'survey_responses',
  {
    id: pk(),
    contact_id: uuid()
      .notNull()
      .references(() => contacts.id, { onDelete: 'cascade' }),
    company_id: uuid()
      .notNull()
      .references(() => companies.id, { onDelete: 'cascade' }),
    audit_id: uuid().references(() => audits.id, { onDelete: 'set null' }),
    survey_type: text({ enum: SURVEY_TYPES }).notNull(),
    survey_sent: boolean().notNull().default(false),
    survey_sent_date: day(),
    survey_completed: boolean().notNull().default(false),
    survey_completed_date: day(),
    question: text().notNull(),
    answer: text(),
    ...editable(),
  },
  (t) => [
    uniqueIndex('survey_responses_contact_question_key').on(t.contact_id, t.survey_type, t.question),
    index('survey_responses_company_idx').on(t.company_id, t.survey_type),
    index('survey_responses_audit_idx').on(t.audit_id),
    index('survey_responses_created_idx').on(t.created_at, t.id),
    index('survey_responses_sent_idx').on(t.survey_type, t.survey_sent_date).where(sql`${t.survey_sent}`),
    ...constraints('survey_responses', t),
  ],
);

export const GO_NO_GO_DECISIONS = ['go', 'no_go', 'conditional'] as const;
export const CHAMPION_STRENGTHS = ['strong', 'moderate', 'weak', 'none'] as const;
export const TIMELINE_ALIGNMENTS = ['aligned', 'tight', 'unrealistic'] as const;

/**
 * Seed 000 go_no_go_decisions. `estimated_roi` keeps the written estimate, `estimated_roi_hours_per_month`
 * the number; novel_mcps/novel_skills/employee_count are the inputs of `estimated_hours_per_week`, and
 * capacity_available_hours/capacity_sufficient record the capacity comparison made at decision time.
 */
export const go_no_go_decisions = pgTable(
  'go_no_go_decisions',
  {
    id: pk(),
    audit_id: uuid().references(() => audits.id, { onDelete: 'set null' }),
    company_id: uuid()
      .notNull()
      .references(() => companies.id, { onDelete: 'cascade' }),
    decision: text({ enum: GO_NO_GO_DECISIONS }).notNull(),
    decision_date: day(),
    decision_maker_engagement: text({ enum: LEVELS }),
    budget_confirmed: boolean(),
    team_readiness: text({ enum: LEVELS }),
    champion_strength: text({ enum: CHAMPION_STRENGTHS }),
    technical_feasibility: text({ enum: LEVELS }),
    timeline_alignment: text({ enum: TIMELINE_ALIGNMENTS }),
    estimated_roi: text(),
    estimated_roi_hours_per_month: hours(),
    risk_factors: text(),
    decision_rationale: text(),
    recommended_package: text(),
    novel_mcps: integer(),
    novel_skills: integer(),
    employee_count: integer(),
    estimated_hours_per_week: hours(),
    capacity_available_hours: hours(),
    capacity_sufficient: boolean(),
    estimated_value: money(),
    currency: currency(),
    decided_by: uuid().references(() => users.id, { onDelete: 'set null' }),
    ...editable(),
  },
  (t) => [
    index('go_no_go_decisions_company_idx').on(t.company_id, t.decision_date),
    index('go_no_go_decisions_audit_idx').on(t.audit_id),
    index('go_no_go_decisions_decision_idx').on(t.decision),
    index('go_no_go_decisions_decided_by_idx').on(t.decided_by),
    index('go_no_go_decisions_created_idx').on(t.created_at, t.id),
    ...constraints('go_no_go_decisions', t, {
      estimated_roi_hours_per_month: nonNegative,
      novel_mcps: nonNegative,
      novel_skills: nonNegative,
      employee_count: nonNegative,
      estimated_hours_per_week: nonNegative,
      capacity_available_hours: nonNegative,
      estimated_value: nonNegative,
    }),
  ],
);

/**
 * Seed 000 capacity: internal bandwidth per team member. `available_hours_per_week` is
 * generated as total − allocated, so it cannot drift; its check refuses over-allocation.
 */
export const capacity = pgTable(
  'capacity',
  {
    id: pk(),
    team_member: text().notNull(),
    role: text(),
    user_id: uuid().references(() => users.id, { onDelete: 'set null' }),
    total_hours_per_week: hours().notNull().default('0'),
    allocated_hours_per_week: hours().notNull().default('0'),
    available_hours_per_week: hours()
      .notNull()
      .generatedAlwaysAs(sql`total_hours_per_week - allocated_hours_per_week`),
    notes: text(),
    ...editable(),
  },
  (t) => [
    uniqueIndex('capacity_user_key').on(t.user_id).where(sql`${t.archived_at} is null`),
    index('capacity_team_member_idx').on(sql`lower(${t.team_member})`),
    ...constraints('capacity', t, {
      total_hours_per_week: nonNegative,
      allocated_hours_per_week: nonNegative,
      available_hours_per_week: nonNegative,
    }),
  ],
);

export const PROPOSAL_STATUSES = ['draft', 'sent', 'under_review', 'accepted', 'rejected', 'expired'] as const;

/**
 * Seed 000 proposals; may belong to a deal (DOMAIN). The seed's issues_after_ai, linked_skills and
 * linked_mcp_connections rows describe "this task" and belong to contact_tasks, not here.
 */
export const proposals = pgTable(
  'proposals',
  {
    id: pk(),
    company_id: uuid()
      .notNull()
      .references(() => companies.id, { onDelete: 'restrict' }),
    go_no_go_id: uuid().references(() => go_no_go_decisions.id, { onDelete: 'set null' }),
    deal_id: uuid().references(() => deals.id, { onDelete: 'set null' }),
    package: text(),
    scope: text(),
    value: money(),
    currency: currency(),
    status: text({ enum: PROPOSAL_STATUSES }).notNull().default('draft'),
    sent_date: day(),
    modifications_requested: text(),
    accepted_date: day(),
    rejected_date: day(),
    expires_date: day(),
    notes: text(),
    owner_id: uuid().references(() => users.id, { onDelete: 'set null' }),
    ...editable(),
  },
  (t) => [
    index('proposals_company_idx').on(t.company_id),
    index('proposals_status_idx').on(t.status, t.expires_date),
    index('proposals_go_no_go_idx').on(t.go_no_go_id),
    index('proposals_deal_idx').on(t.deal_id),
    index('proposals_owner_idx').on(t.owner_id),
    index('proposals_created_idx').on(t.created_at, t.id),
    ...constraints('proposals', t, { value: nonNegative }),
  ],
);

export const ASSESSMENT_STATUSES = ['started', 'completed', 'abandoned'] as const;

/** Seed 001 Assessment (AI readiness): answers 1–5, weighted score 0–100, tier L1–L5; a completed one has completed_at. */
export const readiness_assessments = pgTable(
  'readiness_assessments',
  {
    id: pk(),
    lead_id: uuid().references(() => leads.id, { onDelete: 'set null' }),
    company_id: uuid().references(() => companies.id, { onDelete: 'set null' }),
    contact_id: uuid().references(() => contacts.id, { onDelete: 'set null' }),
    email: text(),
    status: text({ enum: ASSESSMENT_STATUSES }).notNull().default('started'),
    answers: jsonb().$type<Record<string, number>>().notNull().default({}),
    score: integer(),
    tier: text({ enum: SERVICE_TIERS }),
    category_scores: jsonb().$type<Record<string, number>>(),
    strengths: jsonb().$type<string[]>(),
    weaknesses: jsonb().$type<string[]>(),
    recommendations: jsonb().$type<string[]>(),
    completed_at: tstz(),
    created_at: createdAt(),
    updated_at: tstz().notNull().defaultNow(),
  },
  (t) => [
    index('readiness_assessments_email_idx').on(sql`lower(${t.email})`),
    index('readiness_assessments_status_idx').on(t.status),
    index('readiness_assessments_created_idx').on(t.created_at, t.id),
    index('readiness_assessments_lead_idx').on(t.lead_id),
    index('readiness_assessments_company_idx').on(t.company_id),
    index('readiness_assessments_contact_idx').on(t.contact_id),
    ...constraints('readiness_assessments', t, {
      score: between(0, 100),
      completed_at: (c) => sql`${t.status} <> 'completed' or ${c} is not null`,
    }),
  ],
);

export const CALCULATION_TYPES = ['roi', 'project_estimate'] as const;

/** Seed 001 Calculation (ROI calculator and project estimates); append-only. totalValue/roi/paybackMonths become exact decimals. */
export const roi_calculations = pgTable(
  'roi_calculations',
  {
    id: pk(),
    type: text({ enum: CALCULATION_TYPES }).notNull(),
    lead_id: uuid().references(() => leads.id, { onDelete: 'set null' }),
    company_id: uuid().references(() => companies.id, { onDelete: 'set null' }),
    email: text(),
    inputs: jsonb().$type<Record<string, unknown>>().notNull(),
    results: jsonb().$type<Record<string, unknown>>().notNull(),
    total_value: money(),
    currency: currency(),
    /** Return on investment in percent; may be negative. */
    roi: numeric({ precision: 10, scale: 2 }),
    payback_months: numeric({ precision: 8, scale: 2 }),
    created_at: createdAt(),
  },
  (t) => [
    index('roi_calculations_type_idx').on(t.type),
    index('roi_calculations_email_idx').on(sql`lower(${t.email})`),
    index('roi_calculations_created_idx').on(t.created_at, t.id),
    index('roi_calculations_lead_idx').on(t.lead_id),
    index('roi_calculations_company_idx').on(t.company_id),
    ...constraints('roi_calculations', t, { total_value: nonNegative, payback_months: nonNegative }),
  ],
);
