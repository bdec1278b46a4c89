/** Marketing side of Sales: campaigns (004), events and who attended, prospect research and outreach drafts (003). */
import { sql } from 'drizzle-orm';
import { index, integer, jsonb, numeric, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import {
  between,
  constraints,
  createdAt,
  currency,
  day,
  editable,
  money,
  nonNegative,
  pk,
  positive,
  tstz,
} from './columns.ts';
import { users, ownerRef } from './platform.ts';
import { companies, contacts } from './sales.ts';


export const CAMPAIGN_TYPES = ['email', 'linkedin', 'event', 'webinar', 'content'] as const;
export type CampaignType = (typeof CAMPAIGN_TYPES)[number];
export const CAMPAIGN_STATUSES = ['draft', 'scheduled', 'active', 'paused', 'completed'] as const;
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number];

/** Seed 004 campaigns; budget is exact money with a currency. */
export const campaigns = pgTable(
  'campaigns',
  {
    id: pk(),
    name: text().notNull(),
    type: text({ enum: CAMPAIGN_TYPES }).notNull(),
    status: text({ enum: CAMPAIGN_STATUSES }).notNull().default('draft'),
    target_audience: text(),
    start_date: day(),
    end_date: day(),
    budget: money(),
    currency: currency(),
    description: text(),
    owner_id: ownerRef(),
    ...editable(),
  },
  (t) => [
    index('campaigns_name_idx').on(sql`lower(${t.name})`),
    index('campaigns_status_idx').on(t.status, t.start_date),
    index('campaigns_owner_idx').on(t.owner_id),
    index('campaigns_created_idx').on(t.created_at, t.id),
    ...constraints('campaigns', t, {
      budget: nonNegative,
      end_date: (c) => sql`${c} is null or ${t.start_date} is null or ${c} >= ${t.start_date}`,
    }),
  ],
);

/** 004's target_type `account` is `company` here (004 accounts are companies). */
export const CAMPAIGN_TARGET_TYPES = ['lead', 'contact', 'company'] as const;
export type CampaignTargetType = (typeof CAMPAIGN_TARGET_TYPES)[number];
export const CAMPAIGN_TARGET_STATUSES = ['pending', 'sent', 'opened', 'clicked', 'converted'] as const;
export type CampaignTargetStatus = (typeof CAMPAIGN_TARGET_STATUSES)[number];

/**
 * Seed 004 campaign_targets: who a campaign reaches. Polymorphic (`target_type` + `target_id`),
 * so `target_id` has no foreign key; core checks it and removes targets with their record.
 */
export const campaign_targets = pgTable(
  'campaign_targets',
  {
    id: pk(),
    campaign_id: uuid()
      .notNull()
      .references(() => campaigns.id, { onDelete: 'cascade' }),
    target_type: text({ enum: CAMPAIGN_TARGET_TYPES }).notNull(),
    target_id: uuid().notNull(),
    status: text({ enum: CAMPAIGN_TARGET_STATUSES }).notNull().default('pending'),
    ...editable(),
  },
  (t) => [
    uniqueIndex('campaign_targets_target_key').on(t.campaign_id, t.target_type, t.target_id),
    index('campaign_targets_entity_idx').on(t.target_type, t.target_id),
    index('campaign_targets_status_idx').on(t.campaign_id, t.status),
    ...constraints('campaign_targets', t),
  ],
);

export const CAMPAIGN_CONTENT_TYPES = ['email', 'landing_page', 'asset'] as const;
export type CampaignContentType = (typeof CAMPAIGN_CONTENT_TYPES)[number];

/**
 * Seed 004 campaign_content. 004's `version` is the row's `version` from editable():
 * every saved edit of a piece is its next version (earlier text is in audit_log).
 */
export const campaign_content = pgTable(
  'campaign_content',
  {
    id: pk(),
    campaign_id: uuid()
      .notNull()
      .references(() => campaigns.id, { onDelete: 'cascade' }),
    content_type: text({ enum: CAMPAIGN_CONTENT_TYPES }).notNull(),
    subject: text(),
    body: text(),
    asset_url: text(),
    ...editable(),
  },
  (t) => [
    index('campaign_content_campaign_idx').on(t.campaign_id, t.content_type),
    ...constraints('campaign_content', t),
  ],
);

/**
 * Seed 004 campaign_metrics as a series: one row per campaign and `period` (the first day
 * of the period measured). `spend` is what the period cost and `revenue` the value attributed
 * to it; cost_per_conversion (spend ÷ conversions) and roi (percentage: (revenue − spend) ÷
 * spend × 100, may be negative) are computed by the database, never typed.
 */
export const campaign_metrics = pgTable(
  'campaign_metrics',
  {
    id: pk(),
    campaign_id: uuid()
      .notNull()
      .references(() => campaigns.id, { onDelete: 'cascade' }),
    period: day().notNull(),
    impressions: integer().notNull().default(0),
    clicks: integer().notNull().default(0),
    opens: integer().notNull().default(0),
    conversions: integer().notNull().default(0),
    spend: money(),
    revenue: money(),
    currency: currency(),
    cost_per_conversion: numeric({ precision: 14, scale: 2 }).generatedAlwaysAs(
      sql`case when conversions > 0 and spend is not null then round(spend / conversions, 2) end`,
    ),
    roi: numeric({ precision: 20, scale: 2 }).generatedAlwaysAs(sql`case when spend > 0 and revenue is not null then round((revenue - spend) * 100 / spend, 2) end`),
    ...editable(),
  },
  (t) => [
    uniqueIndex('campaign_metrics_period_key').on(t.campaign_id, t.period),
    ...constraints('campaign_metrics', t, {
      impressions: nonNegative,
      clicks: nonNegative,
      opens: nonNegative,
      conversions: nonNegative,
      spend: nonNegative,
      revenue: nonNegative,
    }),
  ],
);

/**
 * Every saved version of a piece of campaign content (004's `version`), written by core when
 * the content is created or its text changes; never edited.
 */
export const campaign_content_versions = pgTable(
  'campaign_content_versions',
  {
    id: pk(),
    content_id: uuid()
      .notNull()
      .references(() => campaign_content.id, { onDelete: 'cascade' }),
    campaign_id: uuid()
      .notNull()
      .references(() => campaigns.id, { onDelete: 'cascade' }),
    /** 1 for the text as created, then one more for each saved change of it. */
    content_version: integer().notNull(),
    subject: text(),
    body: text(),
    asset_url: text(),
    created_by: uuid().references(() => users.id, { onDelete: 'set null' }),
    created_at: createdAt(),
  },
  (t) => [
    uniqueIndex('campaign_content_versions_key').on(t.content_id, t.content_version),
    index('campaign_content_versions_campaign_idx').on(t.campaign_id),
    ...constraints('campaign_content_versions', t, { content_version: positive }),
  ],
);

export const EVENT_STATUSES = ['planned', 'open', 'completed', 'cancelled'] as const;
export type EventStatus = (typeof EVENT_STATUSES)[number];

/**
 * Seed 003 events (conferences, meetups, webinars), plus a `name` and an owner.
 * 003's free-text status becomes an enum. interactions.event_id points here.
 */
export const events = pgTable(
  'events',
  {
    id: pk(),
    name: text().notNull(),
    event_type: text().notNull(),
    event_date: tstz().notNull(),
    description: text(),
    location: text(),
    target_industries: jsonb().$type<string[]>(),
    target_roles: jsonb().$type<string[]>(),
    solutions_featured: jsonb().$type<string[]>(),
    status: text({ enum: EVENT_STATUSES }).notNull().default('planned'),
    owner_id: ownerRef(),
    ...editable(),
  },
  (t) => [
    index('events_date_idx').on(t.event_date),
    index('events_status_idx').on(t.status, t.event_date),
    index('events_owner_idx').on(t.owner_id),
    index('events_created_idx').on(t.created_at, t.id),
    ...constraints('events', t),
  ],
);

export const ATTENDEE_STATUSES = ['invited', 'registered', 'attended', 'no_show', 'cancelled'] as const;
export type AttendeeStatus = (typeof ATTENDEE_STATUSES)[number];

/**
 * Who from which company came to an event (003 tracks events and the interactions at them;
 * this says who was there). The attendee is a contact (003's prospect); company_id is the
 * contact's company unless given.
 */
export const event_attendees = pgTable(
  'event_attendees',
  {
    id: pk(),
    event_id: uuid()
      .notNull()
      .references(() => events.id, { onDelete: 'cascade' }),
    contact_id: uuid()
      .notNull()
      .references(() => contacts.id, { onDelete: 'cascade' }),
    company_id: uuid().references(() => companies.id, { onDelete: 'cascade' }),
    status: text({ enum: ATTENDEE_STATUSES }).notNull().default('registered'),
    role: text(),
    notes: text(),
    ...editable(),
  },
  (t) => [
    uniqueIndex('event_attendees_contact_key').on(t.event_id, t.contact_id),
    index('event_attendees_event_idx').on(t.event_id, t.status),
    index('event_attendees_contact_idx').on(t.contact_id),
    index('event_attendees_company_idx').on(t.company_id),
    ...constraints('event_attendees', t),
  ],
);

/**
 * Seed 003 prospect_research: 003's prospect is a contact here (`contact_id`), with an
 * optional company. confidence_score is exact numeric 0–100 (003 had a double).
 * llm_usage_log_id has no foreign key: the log is measurement data kept apart.
 */
export const prospect_research = pgTable(
  'prospect_research',
  {
    id: pk(),
    contact_id: uuid()
      .notNull()
      .references(() => contacts.id, { onDelete: 'cascade' }),
    company_id: uuid().references(() => companies.id, { onDelete: 'set null' }),
    research_summary: text().notNull(),
    key_insights: jsonb(),
    recommended_solutions: jsonb(),
    confidence_score: numeric({ precision: 5, scale: 2 }),
    model: text(),
    llm_usage_log_id: uuid(),
    ...editable(),
  },
  (t) => [
    index('prospect_research_contact_idx').on(t.contact_id, t.created_at),
    index('prospect_research_company_idx').on(t.company_id),
    ...constraints('prospect_research', t, { confidence_score: between(0, 100) }),
  ],
);

export const DRAFT_TYPES = ['email', 'linkedin', 'call_script', 'other'] as const;
export type DraftType = (typeof DRAFT_TYPES)[number];
export const DRAFT_STATUSES = ['draft', 'approved', 'sent', 'discarded'] as const;
export type DraftStatus = (typeof DRAFT_STATUSES)[number];

/** Seed 003 outreach_drafts, for a contact (003 prospect), optionally tied to an event and/or a campaign; approval is recorded. */
export const outreach_drafts = pgTable(
  'outreach_drafts',
  {
    id: pk(),
    contact_id: uuid()
      .notNull()
      .references(() => contacts.id, { onDelete: 'cascade' }),
    event_id: uuid().references(() => events.id, { onDelete: 'set null' }),
    campaign_id: uuid().references(() => campaigns.id, { onDelete: 'set null' }),
    draft_type: text({ enum: DRAFT_TYPES }).notNull(),
    subject: text(),
    content: text().notNull(),
    status: text({ enum: DRAFT_STATUSES }).notNull().default('draft'),
    approved_by: uuid().references(() => users.id, { onDelete: 'set null' }),
    approved_at: tstz(),
    sent_at: tstz(),
    ...editable(),
  },
  (t) => [
    index('outreach_drafts_contact_idx').on(t.contact_id, t.created_at),
    index('outreach_drafts_event_idx').on(t.event_id),
    index('outreach_drafts_campaign_idx').on(t.campaign_id),
    index('outreach_drafts_status_idx').on(t.status),
    ...constraints('outreach_drafts', t),
  ],
);
