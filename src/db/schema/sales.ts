/** Sales: companies (+004 accounts), contacts (+003 prospects), leads, interactions, deals. */
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
import { SERVICE_CATEGORIES, SERVICE_TIERS, services } from './catalog.ts';
import {
  between,
  constraints,
  currency,
  day,
  editable,
  money,
  nonNegative,
  notBefore,
  pk,
  positive,
  tstz,
} from './columns.ts';
import { events } from './marketing.ts';
import { industries, users, ownerRef } from './platform.ts';


export const COMPANY_SOURCES = [
  'referral',
  'cold_walk_in',
  'cold_call',
  'cold_email',
  'linkedin',
  'inbound',
  'networking_event',
  'website',
  'event',
  'other',
] as const;
export const COMPANY_TIERS = ['strategic', 'growth', 'standard'] as const;

/**
 * One table for 000/002/003 companies and 004 accounts. `status` is a key of the
 * `company` pipeline in pipeline_stages (validated in core, not by an enum).
 */
export const companies = pgTable(
  'companies',
  {
    id: pk(),
    name: text().notNull(),
    legal_name: text(),
    status: text().notNull().default('lead'),
    industry: text().default('construction'),
    industry_id: uuid().references(() => industries.id, { onDelete: 'set null' }),
    size: text(),
    employee_count: integer(),
    location: text(),
    website: text(),
    /** Lower-case host of the website, used to match leads to an existing company. */
    domain: text(),
    source: text({ enum: COMPANY_SOURCES }),
    lost_reason: text(),
    tier: text({ enum: COMPANY_TIERS }),
    health_score: integer(),
    health_factors: jsonb(),
    health_calculated_at: tstz(),
    annual_revenue: money(),
    founded_year: integer(),
    description: text(),
    address: text(),
    city: text(),
    country: text(),
    primary_contact_id: uuid().references((): AnyPgColumn => contacts.id, { onDelete: 'set null' }),
    currency: currency(),
    total_revenue: money(),
    monthly_recurring: money(),
    contract_start_date: day(),
    contract_end_date: day(),
    notes: text(),
    owner_id: ownerRef(),
    ...editable(),
    /** When the record was erased (core/privacy/erasure.ts): its personal data is gone and it stays only so totals add up. */
    erased_at: tstz(),
  },
  (t) => [
    index('companies_name_idx').on(sql`lower(${t.name})`),
    index('companies_domain_idx').on(t.domain),
    index('companies_status_idx').on(t.status),
    index('companies_country_idx').on(t.country),
    index('companies_contract_end_idx').on(t.contract_end_date),
    index('companies_industry_idx').on(t.industry_id),
    index('companies_owner_idx').on(t.owner_id),
    index('companies_created_idx').on(t.created_at, t.id),
    ...constraints('companies', t, {
      health_score: between(0, 100),
      employee_count: nonNegative,
      annual_revenue: nonNegative,
      total_revenue: nonNegative,
      monthly_recurring: nonNegative,
      founded_year: between(1800, 2200),
      contract_end_date: notBefore(t.contract_start_date),
    }),
  ],
);

export const ADDRESS_TYPES = ['hq', 'billing', 'office', 'site'] as const;
export const company_addresses = pgTable(
  'company_addresses',
  {
    id: pk(),
    company_id: uuid()
      .notNull()
      .references(() => companies.id, { onDelete: 'cascade' }),
    type: text({ enum: ADDRESS_TYPES }).notNull().default('office'),
    street: text(),
    city: text(),
    state: text(),
    country: text(),
    postal_code: text(),
    is_primary: boolean().notNull().default(false),
    ...editable(),
  },
  (t) => [
    index('company_addresses_company_idx').on(t.company_id),
    ...constraints('company_addresses', t),
  ],
);

export const TEAM_ROLES = ['owner', 'secondary', 'support'] as const;
/** 004 account_team: membership grants visibility of the company's records. */
export const company_team = pgTable(
  'company_team',
  {
    id: pk(),
    company_id: uuid()
      .notNull()
      .references(() => companies.id, { onDelete: 'cascade' }),
    user_id: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    role: text({ enum: TEAM_ROLES }).notNull().default('secondary'),
    assigned_at: tstz().notNull().defaultNow(),
    ...editable(),
  },
  (t) => [
    uniqueIndex('company_team_member_key').on(t.company_id, t.user_id),
    index('company_team_user_idx').on(t.user_id),
    ...constraints('company_team', t),
  ],
);

export const company_preferences = pgTable(
  'company_preferences',
  {
    id: pk(),
    company_id: uuid()
      .notNull()
      .references(() => companies.id, { onDelete: 'cascade' }),
    preferred_skills: text().array(),
    preferred_visa_types: text().array(),
    currency: currency(),
    rate_range_min: money(),
    rate_range_max: money(),
    work_mode_preference: text(),
    interview_process_notes: text(),
    ...editable(),
  },
  (t) => [
    uniqueIndex('company_preferences_company_key').on(t.company_id),
    ...constraints('company_preferences', t, {
      rate_range_min: nonNegative,
      rate_range_max: (c) => sql`${c} >= 0 and (${t.rate_range_min} is null or ${c} >= ${t.rate_range_min})`,
    }),
  ],
);

/** 004 account_metrics, one row per company and month (`period` is the first day of the month). */
export const company_metrics = pgTable(
  'company_metrics',
  {
    id: pk(),
    company_id: uuid()
      .notNull()
      .references(() => companies.id, { onDelete: 'cascade' }),
    period: day().notNull(),
    total_placements: integer(),
    active_placements: integer(),
    currency: currency(),
    total_revenue: money(),
    avg_ttf_days: numeric({ precision: 8, scale: 2 }),
    submission_to_interview_rate: numeric({ precision: 5, scale: 2 }),
    interview_to_offer_rate: numeric({ precision: 5, scale: 2 }),
    ...editable(),
  },
  (t) => [
    uniqueIndex('company_metrics_period_key').on(t.company_id, t.period),
    ...constraints('company_metrics', t, {
      total_placements: nonNegative,
      active_placements: nonNegative,
      total_revenue: nonNegative,
      avg_ttf_days: nonNegative,
      submission_to_interview_rate: between(0, 100),
      interview_to_offer_rate: between(0, 100),
    }),
  ],
);

export const CONTACT_STATUSES = ['active', 'inactive'] as const;
export const PROSPECT_STATUSES = [
  'new',
  'researched',
  'contacted',
  'engaged',
  'nurturing',
  'unresponsive',
  'not_interested',
] as const;
export const RELATIONSHIP_TYPES = ['employee', 'decision_maker', 'champion', 'billing', 'technical', 'other'] as const;

/** People at companies: 000 contacts, 004 contacts and account_contacts, 003 prospects. */
export const contacts = pgTable(
  'contacts',
  {
    id: pk(),
    company_id: uuid().references(() => companies.id, { onDelete: 'cascade' }),
    name: text().notNull(),
    first_name: text(),
    last_name: text(),
    role_title: text(),
    role_description: text(),
    department: text(),
    email: text(),
    has_email: boolean().notNull().default(true),
    phone: text(),
    mobile: text(),
    linkedin_url: text(),
    location: text(),
    is_decision_maker: boolean().notNull().default(false),
    is_primary: boolean().notNull().default(false),
    relationship_type: text({ enum: RELATIONSHIP_TYPES }),
    status: text({ enum: CONTACT_STATUSES }).notNull().default('active'),
    prospect_status: text({ enum: PROSPECT_STATUSES }),
    is_active: boolean().notNull().default(true),
    last_contacted_at: tstz(),
    notes: text(),
    owner_id: ownerRef(),
    ...editable(),
    /** When the record was erased (core/privacy/erasure.ts): its personal data is gone and it stays only so totals add up. */
    erased_at: tstz(),
  },
  (t) => [
    index('contacts_company_idx').on(t.company_id),
    index('contacts_email_idx').on(sql`lower(${t.email})`),
    index('contacts_name_idx').on(sql`lower(${t.name})`),
    index('contacts_owner_idx').on(t.owner_id),
    index('contacts_created_idx').on(t.created_at, t.id),
    ...constraints('contacts', t),
  ],
);

export const CONTACT_METHODS = ['email', 'phone', 'linkedin', 'sms', 'in_person'] as const;
export const contact_preferences = pgTable(
  'contact_preferences',
  {
    id: pk(),
    contact_id: uuid()
      .notNull()
      .references(() => contacts.id, { onDelete: 'cascade' }),
    preferred_contact_method: text({ enum: CONTACT_METHODS }),
    best_time_to_call: text(),
    timezone: text(),
    communication_frequency: text(),
    ...editable(),
  },
  (t) => [
    uniqueIndex('contact_preferences_contact_key').on(t.contact_id),
    ...constraints('contact_preferences', t),
  ],
);

export const LEAD_SOURCES = [
  'website',
  'referral',
  'social',
  'event',
  'direct',
  'inbound',
  'outbound',
  'marketing',
  'linkedin',
  'other',
] as const;

/**
 * 001 Lead, 004 leads and 002 inbound contacts. `status` is a key of the `lead` pipeline.
 * 004's contact_email/contact_phone/contact_name are `email`/`phone`/first and last name here.
 */
export const leads = pgTable(
  'leads',
  {
    id: pk(),
    email: text(),
    first_name: text(),
    last_name: text(),
    contact_title: text(),
    phone: text(),
    company_name: text(),
    company_website: text(),
    industry: text(),
    company_size: text(),
    tier: text({ enum: SERVICE_TIERS }),
    message: text(),
    source: text({ enum: LEAD_SOURCES }).notNull().default('website'),
    score: integer().notNull().default(0),
    status: text().notNull().default('new'),
    budget: text(),
    timeframe: text(),
    utm_source: text(),
    utm_medium: text(),
    utm_campaign: text(),
    ip_address: text(),
    user_agent: text(),
    notes: text(),
    company_id: uuid().references(() => companies.id, { onDelete: 'set null' }),
    assigned_to: ownerRef(),
    converted_at: tstz(),
    converted_to_account_id: uuid().references(() => companies.id, { onDelete: 'set null' }),
    converted_contact_id: uuid().references(() => contacts.id, { onDelete: 'set null' }),
    converted_deal_id: uuid().references((): AnyPgColumn => deals.id, { onDelete: 'set null' }),
    lost_reason: text(),
    ...editable(),
    /** When the record was erased (core/privacy/erasure.ts): its personal data is gone and it stays only so totals add up. */
    erased_at: tstz(),
  },
  (t) => [
    index('leads_email_idx').on(sql`lower(${t.email})`),
    index('leads_status_idx').on(t.status),
    index('leads_tier_status_idx').on(t.tier, t.status),
    index('leads_source_created_idx').on(t.source, t.created_at),
    index('leads_created_idx').on(t.created_at, t.id),
    index('leads_assigned_idx').on(t.assigned_to),
    ...constraints('leads', t, { score: between(0, 100) }),
  ],
);

/** Score history (004 lead_scores); factors hold the 001 components and 004's BANT. */
export const lead_scores = pgTable(
  'lead_scores',
  {
    id: pk(),
    lead_id: uuid()
      .notNull()
      .references(() => leads.id, { onDelete: 'cascade' }),
    score: integer().notNull(),
    factors: jsonb().notNull().default({}),
    calculated_at: tstz().notNull().defaultNow(),
  },
  (t) => [
    index('lead_scores_lead_idx').on(t.lead_id, t.calculated_at),
    ...constraints('lead_scores', t, { score: between(0, 100) }),
  ],
);

export const lead_qualifications = pgTable(
  'lead_qualifications',
  {
    id: pk(),
    lead_id: uuid()
      .notNull()
      .references(() => leads.id, { onDelete: 'cascade' }),
    has_budget: boolean(),
    budget_amount: money(),
    currency: currency(),
    decision_maker: boolean(),
    need_identified: boolean(),
    timeline: text(),
    pain_points: text(),
    qualified_by: uuid().references(() => users.id, { onDelete: 'set null' }),
    qualified_at: tstz(),
    ...editable(),
  },
  (t) => [
    index('lead_qualifications_lead_idx').on(t.lead_id),
    ...constraints('lead_qualifications', t, { budget_amount: nonNegative }),
  ],
);

export const INTERACTION_TYPES = [
  'cold_walk_in',
  'cold_call',
  'cold_email',
  'linkedin_message',
  'warm_intro',
  'meeting',
  'follow_up_call',
  'follow_up_email',
  'site_visit',
  'call',
  'email',
  'note',
  'task',
  'assessment_completed',
  'calculation_performed',
  'status_updated',
  'event',
  'other',
] as const;
export const INTERACTION_OUTCOMES = [
  'no_response',
  'interested',
  'meeting_booked',
  'objection_raised',
  'declined',
  'next_step_agreed',
  'proposal_requested',
] as const;
export const DIRECTIONS = ['inbound', 'outbound'] as const;
export const MEETING_TYPES = ['discovery', 'demo', 'onboarding', 'support', 'review', 'check_in'] as const;
export const MEETING_STATUSES = ['scheduled', 'completed', 'cancelled', 'no_show'] as const;
export const SENTIMENTS = ['positive', 'neutral', 'negative'] as const;

/**
 * The one activity log: 000/003 interactions, 001 LeadActivity, 002 meetings,
 * 004 lead_touchpoints and crm_activities. A meeting is an interaction with
 * `scheduled_at` and a `meeting_status`.
 */
export const interactions = pgTable(
  'interactions',
  {
    id: pk(),
    company_id: uuid().references(() => companies.id, { onDelete: 'cascade' }),
    contact_id: uuid().references(() => contacts.id, { onDelete: 'set null' }),
    lead_id: uuid().references(() => leads.id, { onDelete: 'cascade' }),
    deal_id: uuid().references((): AnyPgColumn => deals.id, { onDelete: 'set null' }),
    event_id: uuid().references((): AnyPgColumn => events.id, { onDelete: 'set null' }),
    type: text({ enum: INTERACTION_TYPES }).notNull(),
    direction: text({ enum: DIRECTIONS }),
    interaction_date: tstz().notNull().defaultNow(),
    subject: text(),
    summary: text(),
    content: text(),
    sentiment: text({ enum: SENTIMENTS }),
    outcome: text({ enum: INTERACTION_OUTCOMES }),
    next_step: text(),
    follow_up_date: day(),
    /**
     * Derived, never written by the application: whether a later interaction in the same thread
     * (company, else lead, else contact) has answered this one's follow-up. The triggers of
     * migration 0017 keep it true to the rows on every insert, update and delete, so the
     * follow-up inbox reads only the open ones from a small partial index.
     */
    follow_up_answered: boolean().notNull().default(false),
    notes: text(),
    meeting_type: text({ enum: MEETING_TYPES }),
    meeting_status: text({ enum: MEETING_STATUSES }),
    scheduled_at: tstz(),
    duration_minutes: integer(),
    meeting_url: text(),
    attendees: text(),
    completed_at: tstz(),
    metadata: jsonb(),
    assigned_to: ownerRef(),
    created_by: uuid().references(() => users.id, { onDelete: 'set null' }),
    ...editable(),
  },
  (t) => [
    index('interactions_company_date_idx').on(t.company_id, t.interaction_date),
    index('interactions_contact_idx').on(t.contact_id),
    index('interactions_lead_idx').on(t.lead_id, t.interaction_date),
    index('interactions_deal_idx').on(t.deal_id),
    index('interactions_event_idx').on(t.event_id),
    index('interactions_follow_up_open_idx')
      .on(t.follow_up_date)
      .where(sql`${t.follow_up_date} is not null and ${t.archived_at} is null and not ${t.follow_up_answered}`),
    index('interactions_scheduled_idx').on(t.scheduled_at),
    index('interactions_type_idx').on(t.type),
    index('interactions_date_idx').on(t.interaction_date),
    index('interactions_created_idx').on(t.created_at, t.id),
    ...constraints('interactions', t, { duration_minutes: nonNegative }),
  ],
);

export const DEAL_TYPES = ['new_business', 'expansion', 'renewal'] as const;

/** 004 deals. `stage` is a key of the `deal` pipeline; a proposal (000) may belong to one. */
export const deals = pgTable(
  'deals',
  {
    id: pk(),
    lead_id: uuid().references(() => leads.id, { onDelete: 'set null' }),
    company_id: uuid().references(() => companies.id, { onDelete: 'restrict' }),
    name: text().notNull(),
    stage: text().notNull().default('discovery'),
    deal_type: text({ enum: DEAL_TYPES }).notNull().default('new_business'),
    value: money(),
    currency: currency(),
    probability: integer(),
    expected_close_date: day(),
    actual_close_date: day(),
    loss_reason: text(),
    notes: text(),
    owner_id: ownerRef(),
    ...editable(),
  },
  (t) => [
    index('deals_company_idx').on(t.company_id),
    index('deals_stage_idx').on(t.stage, t.expected_close_date),
    index('deals_owner_idx').on(t.owner_id),
    index('deals_close_idx').on(t.actual_close_date),
    index('deals_created_idx').on(t.created_at, t.id),
    ...constraints('deals', t, { value: nonNegative, probability: between(0, 100) }),
  ],
);

export const STAKEHOLDER_ROLES = ['decision_maker', 'influencer', 'champion', 'blocker', 'user', 'other'] as const;
export const LEVELS = ['high', 'medium', 'low'] as const;
export const deal_stakeholders = pgTable(
  'deal_stakeholders',
  {
    id: pk(),
    deal_id: uuid()
      .notNull()
      .references(() => deals.id, { onDelete: 'cascade' }),
    contact_id: uuid()
      .notNull()
      .references(() => contacts.id, { onDelete: 'cascade' }),
    role: text({ enum: STAKEHOLDER_ROLES }).notNull(),
    influence_level: text({ enum: LEVELS }),
    ...editable(),
  },
  (t) => [
    uniqueIndex('deal_stakeholders_pair_key').on(t.deal_id, t.contact_id),
    index('deal_stakeholders_contact_idx').on(t.contact_id),
    ...constraints('deal_stakeholders', t),
  ],
);

export const COMPETITOR_STATUSES = ['active', 'won_against', 'lost_to'] as const;
export const deal_competitors = pgTable(
  'deal_competitors',
  {
    id: pk(),
    deal_id: uuid()
      .notNull()
      .references(() => deals.id, { onDelete: 'cascade' }),
    competitor_name: text().notNull(),
    strengths: text(),
    weaknesses: text(),
    our_differentiators: text(),
    status: text({ enum: COMPETITOR_STATUSES }).notNull().default('active'),
    ...editable(),
  },
  (t) => [index('deal_competitors_deal_idx').on(t.deal_id), ...constraints('deal_competitors', t)],
);

/** 004 deal_products: line items, ideally from the catalog; total_value is computed, exact. */
export const deal_products = pgTable(
  'deal_products',
  {
    id: pk(),
    deal_id: uuid()
      .notNull()
      .references(() => deals.id, { onDelete: 'cascade' }),
    service_id: uuid().references(() => services.id, { onDelete: 'restrict' }),
    product_type: text({ enum: SERVICE_CATEGORIES }).notNull().default('consulting'),
    description: text(),
    quantity: numeric({ precision: 12, scale: 2 }).notNull().default('1'),
    unit_price: money().notNull(),
    currency: currency(),
    total_value: money().generatedAlwaysAs(sql`quantity * unit_price`),
    ...editable(),
  },
  (t) => [
    index('deal_products_deal_idx').on(t.deal_id),
    index('deal_products_service_idx').on(t.service_id),
    ...constraints('deal_products', t, { quantity: positive, unit_price: nonNegative }),
  ],
);
