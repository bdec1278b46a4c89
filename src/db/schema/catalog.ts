/** The one services catalog: 002 services, 003 solutions, 000/001 packages and tiers, 004 product types. */
import { sql } from 'drizzle-orm';
import { boolean, index, integer, jsonb, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { constraints, currency, editable, money, nonNegative, pk } from './columns.ts';
import { industries } from './platform.ts';

export const SERVICE_CATEGORIES = [
  'automation',
  'integration',
  'consulting',
  'training',
  'staffing',
  'platform',
  'other',
] as const;
export const PRICING_MODELS = ['fixed', 'monthly', 'per_user', 'hourly', 'usage', 'custom'] as const;
/** 001's service tiers, also used by leads and readiness assessments. */
export const SERVICE_TIERS = [
  'L1_ESSENTIALS',
  'L2_ADVANCED',
  'L3_CONSULTING',
  'L4_PLATFORMS',
  'L5_STRATEGIC',
] as const;

export const services = pgTable(
  'services',
  {
    id: pk(),
    name: text().notNull(),
    service_category: text({ enum: SERVICE_CATEGORIES }).notNull().default('consulting'),
    description: text(),
    tier: text({ enum: SERVICE_TIERS }),
    pricing_model: text({ enum: PRICING_MODELS }).notNull().default('fixed'),
    currency: currency(),
    base_setup_fee_min: money(),
    base_setup_fee_max: money(),
    base_monthly_fee_min: money(),
    base_monthly_fee_max: money(),
    typical_duration_weeks: integer(),
    use_cases: jsonb().$type<string[]>(),
    keywords: jsonb().$type<string[]>(),
    is_active: boolean().notNull().default(true),
    ...editable(),
  },
  (t) => [
    index('services_active_category_idx').on(t.is_active, t.service_category),
    index('services_name_idx').on(sql`lower(${t.name})`),
    ...constraints('services', t, {
      base_setup_fee_min: nonNegative,
      base_setup_fee_max: (c) => sql`${c} >= 0 and (${t.base_setup_fee_min} is null or ${c} >= ${t.base_setup_fee_min})`,
      base_monthly_fee_min: nonNegative,
      base_monthly_fee_max: (c) => sql`${c} >= 0 and (${t.base_monthly_fee_min} is null or ${c} >= ${t.base_monthly_fee_min})`,
      typical_duration_weeks: nonNegative,
    }),
  ],
);

/** 003 industry_solutions: which services fit which industry. */
export const industry_services = pgTable(
  'industry_services',
  {
    id: pk(),
    industry_id: uuid()
      .notNull()
      .references(() => industries.id, { onDelete: 'cascade' }),
    service_id: uuid()
      .notNull()
      .references(() => services.id, { onDelete: 'cascade' }),
    fit_notes: text(),
    ...editable(),
  },
  (t) => [
    uniqueIndex('industry_services_pair_key').on(t.industry_id, t.service_id),
    index('industry_services_service_idx').on(t.service_id),
  ],
);
