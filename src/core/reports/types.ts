/**
 * The monthly report (seed 000 step 22) and the portfolio view (step 24) as data: the
 * JSON the API returns, and what the HTML, CSV and PDF renderers draw from. Money and
 * hours are exact decimal strings (money 2 places, hours 2 places, percentages 1 place);
 * token counts are numbers. `month` is `YYYY-MM`; days are `YYYY-MM-DD`.
 */

export type Money = string;
export type Decimal = string;

export type ReportEngagement = {
  id: string;
  name: string | null;
  company_id: string;
  company_name: string;
  status: string;
  package: string | null;
  currency: string;
  start_date: string | null;
  go_live_date: string | null;
  end_date: string | null;
};

/** How each figure was worked out, stated in the report itself so a reader can check it. */
export type ReportRules = {
  hourly_rate: Money | null;
  hourly_rate_source: 'input' | 'engagement' | 'setting' | 'none';
  /** One sentence per task frequency: daily, weekly, monthly, per_project, ad_hoc. */
  occurrences: Record<'daily' | 'weekly' | 'monthly' | 'per_project' | 'ad_hoc', string>;
  time_after_ai: string;
  value: string;
  cost: string;
  roi: string;
  payback: string;
  usage: string;
  /** How the support, training and work figures are counted. */
  support?: string;
  training?: string;
  work?: string;
  /** Month boundaries (calendar dates; timestamps by UTC months) and the trend window. */
  periods?: string;
};

export type UsagePerson = { contact_id: string | null; name: string; tokens: number; records: number };

export type UsageSection = {
  total_tokens: number;
  records: number;
  /** Highest first; contact_id null is usage attributed to no one. */
  people: UsagePerson[];
};

export type TaskSaving = {
  task_id: string;
  task_name: string;
  contact_id: string;
  contact_name: string;
  frequency: string | null;
  adoption_status: string;
  /** How often the task happened this month, and where that number came from. */
  occurrences: Decimal;
  occurrence_source: 'measured' | 'stated' | 'frequency' | 'none';
  minutes_before: number | null;
  /** The latest measurement on or before the month's last day; null when there is none yet. */
  minutes_after: number | null;
  measured_on: string | null;
  minutes_saved_each: number | null;
  hours_saved: Decimal;
  value: Money | null;
};

export type PersonSaving = { contact_id: string; name: string; tasks: number; hours_saved: Decimal; value: Money | null };

export type TimeSavedSection = {
  hours_saved: Decimal;
  value: Money | null;
  people: PersonSaving[];
  tasks: TaskSaving[];
};

export type TicketLine = {
  id: string;
  ticket_number: string;
  subject: string | null;
  category: string;
  priority: string;
  status: string;
  request_date: string;
  resolved_at: string | null;
  hours_to_resolve: Decimal | null;
  hours_spent: Decimal | null;
};

export type SupportSection = {
  opened: number;
  resolved: number;
  open_at_month_end: number;
  /** hours_spent of tickets resolved in the month. */
  hours_spent: Decimal;
  median_hours_to_resolve: Decimal | null;
  by_category: { category: string; opened: number }[];
  /** Tickets opened or resolved in the month, oldest first. */
  tickets: TicketLine[];
};

export type TrainingSessionLine = {
  id: string;
  session_number: number | null;
  title: string | null;
  scheduled_date: string | null;
  status: string;
  invited: number;
  attended: number;
};

export type TrainingSection = {
  sessions_planned: number;
  sessions_completed_to_date: number;
  /** Sessions scheduled or completed in the month. */
  sessions: TrainingSessionLine[];
  /** Attended ÷ invited for the month's completed sessions, percent; null when none. */
  attendance_rate: Decimal | null;
  people: { contact_id: string; name: string; invited: number; attended: number }[];
};

export type WorkSection = {
  hours: Decimal;
  by_category: { category: string; hours: Decimal }[];
  estimated_hours: Decimal | null;
  actual_hours_to_date: Decimal;
};

export type CostLine = { source: 'fees' | 'licences' | 'tools'; label: string; currency: string; amount: Money; converted: Money | null };

export type RoiSection = {
  currency: string;
  value: Money | null;
  cost: { fees: Money; licences: Money; tools: Money; total: Money; lines: CostLine[] };
  /** Costs in a currency with no exchange rate: shown, not added. */
  unconverted: CostLine[];
  net: Money | null;
  /** (value − cost) ÷ cost × 100; null when there is no cost or no value. */
  roi_percent: Decimal | null;
  cumulative_value: Money | null;
  cumulative_cost: Money;
  /** Cumulative cost ÷ this month's value: months of savings at this month's rate to cover everything paid so far. */
  payback_months: Decimal | null;
  /** The first month whose cumulative value reached the cumulative cost, if any. */
  paid_back_month: string | null;
};

export type TrendPoint = {
  month: string;
  tokens: number;
  hours_saved: Decimal;
  value: Money | null;
  cost: Money;
  roi_percent: Decimal | null;
  tickets_opened: number;
  tickets_resolved: number;
  attendance_rate: Decimal | null;
};

export type MonthlyReport = {
  kind: 'monthly_report';
  engagement: ReportEngagement;
  month: string;
  period: { from: string; to: string };
  generated_at: string;
  rules: ReportRules;
  usage: UsageSection;
  time_saved: TimeSavedSection;
  support: SupportSection;
  training: TrainingSection;
  work: WorkSection;
  roi: RoiSection;
  /** Up to six months ending with this one, oldest first, none before the engagement started. */
  trend: TrendPoint[];
  notes: string[];
};

export type PortfolioLine = {
  engagement_id: string;
  engagement_name: string | null;
  company_id: string;
  company_name: string;
  status: string;
  currency: string;
  tokens: number;
  hours_saved: Decimal;
  value: Money | null;
  cost: Money;
  roi_percent: Decimal | null;
  tickets_open: number;
  /** hours_saved against the month before: up, down, flat, or new (nothing the month before). */
  trend: 'up' | 'down' | 'flat' | 'new';
};

export type PortfolioReport = {
  kind: 'portfolio_report';
  month: string;
  generated_at: string;
  engagements: PortfolioLine[];
  totals: { currency: string; engagements: number; hours_saved: Decimal; value: Money | null; cost: Money; roi_percent: Decimal | null }[];
  notes: string[];
};

export type ReportFormat = 'json' | 'html' | 'csv' | 'pdf';

/** A rendered report: what the API sends as the body and the CLI writes to a file. */
export type Download = { kind: 'download'; content_type: string; filename: string; body: Uint8Array | string };

/** Whether an operation answered with a file rather than data (every surface sends it as a file). */
export const isDownload = (v: unknown): v is Download => typeof v === 'object' && v !== null && (v as { kind?: unknown }).kind === 'download';
