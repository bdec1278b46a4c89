/**
 * Insights (issue 10): the inputs and the typed results of every dashboard query. One zod schema
 * per result is the contract: the API documents it in OpenAPI (so the typed client gets it), the
 * web app and the tests take its TypeScript type, and the CLI and MCP print it.
 *
 * Conventions shared by every insight:
 * - A period is two calendar days, `from` and `to`, both included, in the instance's time zone
 *   (timestamps are turned into days there). Default: the 90 days ending today. At most 1,100
 *   days (about three years).
 * - Counts are numbers. Every other figure (hours, days, rates, ratios) is an exact decimal
 *   string rounded half up to 2 places, computed in SQL on numerics; a rate is a percentage
 *   ("62.50" means 62.5 %), and is null when its divisor is 0.
 * - Money is `{ currency, amount }` with amount an exact decimal string; amounts in different
 *   currencies are never added together.
 * - Only records the caller may see count (record visibility), and archived records are left out
 *   unless an insight says otherwise.
 */
import { z } from 'zod';
import { COMPANY_SOURCES, LEAD_SOURCES } from '../../db/schema/sales.ts';

export const MAX_PERIOD_DAYS = 1100;
export const DEFAULT_PERIOD_DAYS = 90;

const isDay = (s: string) => /^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s);
export const Day = z.string().refine(isDay, 'must be a date as YYYY-MM-DD');
const uuid = z.uuid({ message: 'must be a UUID' });

/** The period every insight takes; resolved with `resolvePeriod` (common.ts). */
export const PeriodFields = {
  from: Day.optional().describe('first day, YYYY-MM-DD (default: 89 days before `to`)'),
  to: Day.optional().describe('last day, YYYY-MM-DD, included (default: today)'),
};
export const Period = z.object({ from: z.string(), to: z.string(), days: z.number().int() });
export type Period = z.infer<typeof Period>;

export const Money = z.object({ currency: z.string(), amount: z.string() });
export type Money = z.infer<typeof Money>;
const decimal = z.string().describe('exact decimal, 2 places');
const rate = z.string().nullable().describe('percentage, 2 places; null when the divisor is 0');

/** The segment pickers: which companies (and the records under them) count. */
export const SegmentFields = {
  source: z.enum(COMPANY_SOURCES).optional().describe("only companies with this source (a deal's company)"),
  industry: z.string().max(200).optional().describe("only companies in this industry (companies.industry, case-insensitive)"),
  owner_id: uuid.optional().describe('only records this user owns'),
};
export const Segment = z.object({ source: z.string().nullable(), industry: z.string().nullable(), owner_id: z.string().nullable() });

// ---------------------------------------------------------------------------
// Funnel

export const FUNNEL_PIPELINES = ['company', 'deal', 'lead'] as const;
export const FunnelInput = z.strictObject({
  pipeline: z.enum(FUNNEL_PIPELINES).optional().describe('company (default), deal or lead'),
  ...PeriodFields,
  ...SegmentFields,
});
export type FunnelInput = z.input<typeof FunnelInput>;

export const FunnelStage = z.object({
  key: z.string(),
  label: z.string(),
  position: z.number().int(),
  is_won: z.boolean(),
  is_lost: z.boolean(),
  /** On the main path: not lost, and not after the last won stage (paused is off the path). */
  on_path: z.boolean(),
  /** Distinct records that entered the stage in the period (a record entering twice counts once). */
  entered: z.number().int(),
  /** Of those, how many entered a later stage on the path afterwards; null off the path and for the last stage. */
  advanced: z.number().int().nullable(),
  /** advanced ÷ entered × 100. */
  conversion: rate,
  /** Stays in the stage that began in the period and have ended (a record moving through twice has two). */
  stays: z.number().int(),
  /** Mean and median length of those stays, in days. */
  avg_days: z.string().nullable(),
  median_days: z.string().nullable(),
  /** Records in this stage now, whatever the period. */
  current: z.number().int(),
});
export type FunnelStage = z.infer<typeof FunnelStage>;

export const FunnelInsight = z.object({
  pipeline: z.enum(FUNNEL_PIPELINES),
  period: Period,
  segment: Segment,
  /** Distinct records with any stage entered in the period. */
  records: z.number().int(),
  stages: z.array(FunnelStage),
  /** From the first stage on the path to the last: reached last ÷ entered first × 100. */
  overall_conversion: rate,
});
export type FunnelInsight = z.infer<typeof FunnelInsight>;

// ---------------------------------------------------------------------------
// Acquisition (seed 001)

export const ACQUISITION_INTERVALS = ['day', 'week'] as const;
export const AcquisitionInput = z.strictObject({
  ...PeriodFields,
  interval: z.enum(ACQUISITION_INTERVALS).optional().describe('day or week (default; weeks start on Monday)'),
  source: z.enum(LEAD_SOURCES).optional().describe('only leads from this source'),
  utm_campaign: z.string().max(200).optional().describe('only leads with this utm_campaign (case-insensitive)'),
  owner_id: uuid.optional().describe('only leads assigned to this user'),
});
export type AcquisitionInput = z.input<typeof AcquisitionInput>;

export const AcquisitionInsight = z.object({
  period: Period,
  interval: z.enum(ACQUISITION_INTERVALS),
  /** Every day or week of the period, empty ones included (count 0); `start` is its first day. */
  series: z.array(z.object({ start: z.string(), leads: z.number().int(), by_source: z.record(z.string(), z.number().int()) })),
  total: z.number().int(),
  /** Per source: leads created in the period, how many were converted, and the rate. Most leads first. */
  by_source: z.array(z.object({ source: z.string(), leads: z.number().int(), converted: z.number().int(), conversion: rate })),
  /**
   * Per utm_campaign (null: none). Spend is what campaign_metrics record in the period for the
   * campaign named the same (case-insensitive); cost_per_lead = spend ÷ leads, per currency.
   */
  by_campaign: z.array(
    z.object({
      utm_campaign: z.string().nullable(),
      campaign_id: z.string().nullable(),
      leads: z.number().int(),
      converted: z.number().int(),
      spend: z.array(Money),
      cost_per_lead: z.array(Money),
    }),
  ),
  /** Lead scores in ten bands (0–9 … 90–100) of the leads created in the period, with the mean. */
  scores: z.object({ bands: z.array(z.object({ from: z.number().int(), to: z.number().int(), leads: z.number().int() })), average: z.string().nullable() }),
  /**
   * Of the leads created in the period: converted (converted_at set), and of those, customers
   * (the company they became has reached a won stage of the company pipeline).
   */
  conversion: z.object({ leads: z.number().int(), converted: z.number().int(), customers: z.number().int(), lead_to_converted: rate, lead_to_customer: rate }),
  /** Readiness quiz (001 Assessment) started in the period, by status, and completed ÷ started. */
  quiz: z.object({ started: z.number().int(), completed: z.number().int(), abandoned: z.number().int(), in_progress: z.number().int(), completion: rate }),
  /** Audit surveys (000 step 5) sent in the period: per contact and survey, completed ÷ sent. */
  surveys: z.object({ sent: z.number().int(), completed: z.number().int(), completion: rate }),
});
export type AcquisitionInsight = z.infer<typeof AcquisitionInsight>;

// ---------------------------------------------------------------------------
// Sales

export const SalesInput = z.strictObject({ ...PeriodFields, ...SegmentFields });
export type SalesInput = z.input<typeof SalesInput>;

export const SalesInsight = z.object({
  period: Period,
  segment: Segment,
  /**
   * Deals closed in the period: in a won or lost stage now, closed on a day in the period
   * (actual_close_date, else the day they entered that stage). win_rate = won ÷ (won + lost).
   */
  closed: z.object({ won: z.number().int(), lost: z.number().int(), win_rate: rate, won_value: z.array(Money) }),
  /** Won deals closed in the period: days from created to closed, mean and median. */
  cycle: z.object({ deals: z.number().int(), avg_days: z.string().nullable(), median_days: z.string().nullable() }),
  /** Open deals by the month they are expected to close (null: no date), per currency, with Σ value × probability ÷ 100. */
  weighted_pipeline: z.array(z.object({ month: z.string().nullable(), currency: z.string(), deals: z.number().int(), value: z.string(), weighted: z.string() })),
  /** Why deals (loss_reason) and companies (lost_reason) were lost in the period, most frequent first; null: no reason given. */
  lost_reasons: z.array(z.object({ reason: z.string().nullable(), deals: z.number().int(), companies: z.number().int(), total: z.number().int() })),
  /** Per owner of the closed deals. */
  by_owner: z.array(z.object({ owner_id: z.string().nullable(), name: z.string().nullable(), won: z.number().int(), lost: z.number().int(), win_rate: rate })),
});
export type SalesInsight = z.infer<typeof SalesInsight>;

// ---------------------------------------------------------------------------
// Delivery and capacity

export const DeliveryInput = z.strictObject({ ...PeriodFields });
export type DeliveryInput = z.input<typeof DeliveryInput>;

export const DeliveryInsight = z.object({
  period: Period,
  /** The team's capacity as it stands (capacity keeps no history): hours per week per member. */
  capacity: z.object({
    members: z.array(z.object({ capacity_id: z.string(), team_member: z.string(), user_id: z.string().nullable(), total_hours_per_week: decimal, allocated_hours_per_week: decimal })),
    total_hours_per_week: decimal,
    allocated_hours_per_week: decimal,
  }),
  /**
   * Per week (Monday first; partial weeks at the ends count their days only): hours logged in
   * work_completed by members of the team (user_id in capacity), the team's capacity for those
   * days (total per week × days ÷ 7) and utilisation = logged ÷ capacity × 100.
   */
  utilisation: z.array(z.object({ week: z.string(), days: z.number().int(), logged_hours: decimal, capacity_hours: decimal, utilisation: rate })),
  /** The same over the whole period, per member. */
  by_member: z.array(z.object({ capacity_id: z.string(), team_member: z.string(), user_id: z.string().nullable(), logged_hours: decimal, capacity_hours: decimal, utilisation: rate })),
  /**
   * Engagements with an estimate or logged work, live at some point in the period: estimated_hours
   * beside the hours logged in work_completed (all time, to date), variance = logged − estimated and
   * its share of the estimate. At most 200, the largest share over the estimate first.
   */
  engagements: z.array(
    z.object({
      engagement_id: z.string(),
      name: z.string().nullable(),
      company_id: z.string(),
      company_name: z.string().nullable(),
      status: z.string(),
      estimated_hours: z.string().nullable(),
      logged_hours: decimal,
      variance_hours: z.string().nullable(),
      variance: rate,
    }),
  ),
  engagements_truncated: z.boolean(),
  /** Support tickets: opened (request_date) and resolved (resolved_at) per week, and hours to resolve. */
  tickets: z.object({
    series: z.array(z.object({ week: z.string(), opened: z.number().int(), resolved: z.number().int() })),
    opened: z.number().int(),
    resolved: z.number().int(),
    /** Open now (open or in progress), whatever the period. */
    open_now: z.number().int(),
    /** Of the tickets resolved in the period: hours from request to resolution. */
    avg_hours_to_resolve: z.string().nullable(),
    median_hours_to_resolve: z.string().nullable(),
    by_priority: z.array(z.object({ priority: z.string(), opened: z.number().int(), resolved: z.number().int(), median_hours_to_resolve: z.string().nullable() })),
  }),
});
export type DeliveryInsight = z.infer<typeof DeliveryInsight>;

// ---------------------------------------------------------------------------
// Money and proof

export const MoneyInput = z.strictObject({ ...PeriodFields });
export type MoneyInput = z.input<typeof MoneyInput>;

export const MoneyInsight = z.object({
  period: Period,
  /** The calendar months the period touches, oldest first. */
  months: z.array(z.string()),
  /**
   * Per month and currency: monthly_recurring = Σ monthly_fee of the engagements live in the month
   * (the portfolio's rule), invoiced = Σ amount of invoices issued in the month (not draft or
   * cancelled), paid = Σ amount of invoices paid in the month. Every month appears for every
   * currency seen, with "0.00".
   */
  revenue: z.array(z.object({ month: z.string(), currency: z.string(), monthly_recurring: decimal, live_engagements: z.number().int(), invoiced: decimal, paid: decimal })),
  /** Invoices sent and past due today, whatever the period: count and Σ per currency, and by age. */
  overdue: z.object({
    invoices: z.number().int(),
    by_currency: z.array(z.object({ currency: z.string(), amount: decimal, count: z.number().int() })),
    by_age: z.array(z.object({ band: z.enum(['1-30', '31-60', '61-90', '90+']), currency: z.string(), amount: decimal, count: z.number().int() })),
  }),
  /**
   * Return per engagement in the period's last month (the portfolio report's figures): hours
   * saved, their value, what the month cost, and ROI; totals per currency.
   */
  portfolio: z.object({
    month: z.string(),
    engagements: z.array(
      z.object({
        engagement_id: z.string(),
        name: z.string().nullable(),
        company_name: z.string().nullable(),
        currency: z.string(),
        hours_saved: decimal,
        value: z.string().nullable(),
        cost: z.string().nullable(),
        roi: rate,
      }),
    ),
    totals: z.array(z.object({ currency: z.string(), engagements: z.number().int(), hours_saved: decimal, value: decimal, cost: decimal, roi: rate })),
  }),
  /** The client's AI use per month (ai_usage, from the monthly rollup), every month of the period. */
  usage: z.array(z.object({ month: z.string(), tokens_used: z.number().int(), records: z.number().int() })),
});
export type MoneyInsight = z.infer<typeof MoneyInsight>;

// ---------------------------------------------------------------------------
// Feedback into assessment (000 step 24)

export const CalibrationInput = z.strictObject({ ...PeriodFields });
export type CalibrationInput = z.input<typeof CalibrationInput>;

export const CalibrationLine = z.object({
  decision_id: z.string(),
  decision_date: z.string().nullable(),
  company_id: z.string(),
  company_name: z.string().nullable(),
  /** The engagement that came of it (through its proposal), null when none yet. */
  engagement_id: z.string().nullable(),
  engagement_name: z.string().nullable(),
  /** Our delivery effort: estimated hours per week at decision time beside hours logged per week of the engagement so far. */
  estimated_hours_per_week: z.string().nullable(),
  actual_hours_per_week: z.string().nullable(),
  hours_ratio: z.string().nullable().describe('actual ÷ estimated, 2 places'),
  /** The client's gain: hours saved per month estimated beside the mean per month measured since go-live. */
  estimated_hours_saved_per_month: z.string().nullable(),
  actual_hours_saved_per_month: z.string().nullable(),
  saved_ratio: z.string().nullable(),
  /** What we expected to bill beside what was invoiced for the engagement (not draft or cancelled), in the decision's currency. */
  estimated_value: Money.nullable(),
  invoiced_value: Money.nullable(),
  value_ratio: z.string().nullable(),
});
export type CalibrationLine = z.infer<typeof CalibrationLine>;

const RatioSummary = z.object({ decisions: z.number().int(), mean: z.string().nullable(), median: z.string().nullable() });
export const CalibrationInsight = z.object({
  period: Period,
  /** Go decisions made in the period, newest first (at most 200). */
  decisions: z.array(CalibrationLine),
  truncated: z.boolean(),
  /** Over the decisions that have both figures: the ratios' mean and median. */
  summary: z.object({ go_decisions: z.number().int(), with_engagement: z.number().int(), hours: RatioSummary, saved: RatioSummary, value: RatioSummary }),
  /** Plain sentences for the next scorecard, from the medians (none when there is too little to go on). */
  advice: z.array(z.string()),
});
export type CalibrationInsight = z.infer<typeof CalibrationInsight>;

// ---------------------------------------------------------------------------
// The aggregate query (for the assistant, and everyone else)

export const AGGREGATE_MEASURES = [
  'hours_saved',
  'work_hours',
  'ai_tokens',
  'leads',
  'deals_won',
  'deals_lost',
  'won_value',
  'invoiced',
  'paid',
  'tickets_opened',
  'tickets_resolved',
  'interactions',
] as const;
export type AggregateMeasure = (typeof AGGREGATE_MEASURES)[number];
export const AGGREGATE_DIMENSIONS = ['month', 'quarter', 'week', 'company', 'contact', 'engagement', 'owner', 'source', 'category', 'currency'] as const;
export type AggregateDimension = (typeof AGGREGATE_DIMENSIONS)[number];
export const AGGREGATE_MAX_ROWS = 200;

export const AggregateInput = z.strictObject({
  measure: z.enum(AGGREGATE_MEASURES).describe('what to add up'),
  group_by: z
    .union([z.array(z.enum(AGGREGATE_DIMENSIONS)).max(2), z.string().max(100)])
    .optional()
    .describe(`up to two of ${AGGREGATE_DIMENSIONS.join(', ')}, as a list or comma-separated (default: none, one total)`),
  ...PeriodFields,
  company_id: uuid.optional().describe('only this company'),
  contact_id: uuid.optional().describe('only this contact (a person at a client)'),
  engagement_id: uuid.optional().describe('only this engagement'),
  owner_id: uuid.optional().describe('only records this user owns (or, for work hours, logged)'),
  limit: z.coerce.number().int().min(1).max(AGGREGATE_MAX_ROWS).optional().describe(`rows at most (default 50, at most ${AGGREGATE_MAX_ROWS})`),
});
export type AggregateInput = z.input<typeof AggregateInput>;

export const AggregateRow = z.object({
  /** One key per dimension grouped by: the month "2026-10", quarter "2026-Q4", week's Monday, or an id. */
  keys: z.record(z.string(), z.string().nullable()),
  /** Names for the ids among the keys (a company's, contact's, engagement's or user's name); null where you may not see it. */
  labels: z.record(z.string(), z.string().nullable()),
  value: z.string(),
  currency: z.string().nullable(),
});
export const AggregateResult = z.object({
  measure: z.enum(AGGREGATE_MEASURES),
  /** hours, tokens, count or money. */
  unit: z.enum(['hours', 'tokens', 'count', 'money']),
  /** What the measure counts, in a sentence. */
  definition: z.string(),
  period: Period,
  group_by: z.array(z.enum(AGGREGATE_DIMENSIONS)),
  filters: z.record(z.string(), z.string()),
  rows: z.array(AggregateRow),
  /** Over every row, also those past the limit; per currency for money. */
  totals: z.array(z.object({ value: z.string(), currency: z.string().nullable() })),
  /** More rows matched than the limit returned (the largest values are kept). */
  truncated: z.boolean(),
});
export type AggregateResult = z.infer<typeof AggregateResult>;

/** Which dimensions each measure can be grouped by. */
export const MEASURE_DIMENSIONS: Record<AggregateMeasure, readonly AggregateDimension[]> = {
  hours_saved: ['month', 'quarter', 'company', 'contact', 'engagement'],
  work_hours: ['month', 'quarter', 'week', 'company', 'engagement', 'owner', 'category'],
  ai_tokens: ['month', 'quarter', 'company', 'contact', 'engagement'],
  leads: ['month', 'quarter', 'week', 'source', 'owner'],
  deals_won: ['month', 'quarter', 'week', 'company', 'owner'],
  deals_lost: ['month', 'quarter', 'week', 'company', 'owner'],
  won_value: ['month', 'quarter', 'company', 'owner', 'currency'],
  invoiced: ['month', 'quarter', 'company', 'engagement', 'currency'],
  paid: ['month', 'quarter', 'company', 'engagement', 'currency'],
  tickets_opened: ['month', 'quarter', 'week', 'company', 'engagement', 'category'],
  tickets_resolved: ['month', 'quarter', 'week', 'company', 'engagement', 'category'],
  interactions: ['month', 'quarter', 'week', 'company', 'contact', 'owner', 'category'],
};
