/**
 * Account health score (seed 004), 0–100, from five factors. The seed leaves the formula to
 * us; this is it (formula `health-v1`):
 *
 * | factor | max | points |
 * |---|---|---|
 * | activity recency: whole days (in the instance's time zone) since the company's latest interaction up to now | 30 | ≤ 7 days 30 · ≤ 14 25 · ≤ 30 18 · ≤ 60 10 · ≤ 90 5 · older or none 0 |
 * | open support tickets (open, in_progress, waiting) | 20 | 20 − 5 per open ticket − 5 more per high or critical one, at least 0 |
 * | overdue invoices (status `sent`, no paid_date, due_date before today) | 20 | 20 − 10 per overdue invoice, at least 0; 0 if any is more than 60 days overdue |
 * | engagement status (the best of the company's engagements) | 20 | supporting or training 20 · onboarding 15 · completed 10 · paused 5 · cancelled 0 · another status: won 10, lost 0, else 15 · no engagement: not applicable |
 * | AI usage trend: ai_usage tokens this month to date (T) vs the same days of last month (L) | 10 | L = 0: T > 0 → 10, T = 0 → 0 with a live engagement (onboarding, training, supporting), else not applicable · T ≥ 1.10 L → 10 · T ≥ 0.90 L → 8 · T ≥ 0.50 L → 4 · less → 0 |
 *
 * score = round_half_up(100 × earned ÷ possible), where possible is the sum of the maxima of
 * the applicable factors (100 with all five; 70 for a prospect with no engagement and no usage).
 * Bands for reports: healthy 70–100, watch 40–69, at risk 0–39.
 *
 * The score, its factors and when it was computed are stored on the company (readOnly to
 * clients) and recomputed inside the transaction of every write to the company's
 * interactions, support tickets, invoices and engagements (afterWrite hooks), by the
 * recompute verbs, and read live by `sales.company_health`. Health is derived data: writing
 * it does not bump the company's version or updated_at (clients' If-Match stays valid); an
 * audit row is written whenever the score changes. The facts are counted over all of the
 * company's records, whoever may see them: the score is a property of the company, shown
 * only to those who may see the company, and it reveals counts, never the records.
 * ai_usage has no write hook (it is append-only and ingested in bulk): usage and the
 * passing of days reach the stored score on the next write or recompute.
 */
import { eq, sql } from 'drizzle-orm';
import { companies } from '../../db/schema/sales.ts';
import { localDate, withTx, type Ctx } from '../context.ts';
import { daysBetween } from '../dates.ts';
import { writeAudit } from '../platform/audit.ts';
import { getRecord, type Row } from '../resource.ts';
import { resource } from '../resources.ts';

export const HEALTH_FORMULA = 'health-v1';
export const HEALTH_WEIGHTS = { activity: 30, support_tickets: 20, overdue_invoices: 20, engagement: 20, ai_usage_trend: 10 } as const;

/** [most days, points]: the first band the days fall in. */
export const ACTIVITY_BANDS: ReadonlyArray<readonly [number, number]> = [
  [7, 30],
  [14, 25],
  [30, 18],
  [60, 10],
  [90, 5],
];
export const ENGAGEMENT_POINTS: Readonly<Record<string, number>> = {
  supporting: 20,
  training: 20,
  onboarding: 15,
  completed: 10,
  paused: 5,
  cancelled: 0,
};
const LIVE_ENGAGEMENT = new Set(['onboarding', 'training', 'supporting']);
const OPEN_TICKET_STATUSES = ['open', 'in_progress', 'waiting'];

export type HealthFacts = {
  /** Calendar date (YYYY-MM-DD, the instance's time zone) of today and of the latest interaction. */
  today: string;
  last_interaction_date: string | null;
  last_interaction_at: string | null;
  open_tickets: number;
  high_priority_open_tickets: number;
  overdue_invoices: number;
  oldest_overdue_due_date: string | null;
  engagements: Array<{ status: string; is_won: boolean | null; is_lost: boolean | null }>;
  tokens_this_period: number;
  tokens_last_period: number;
};

const iso = (y: number, m: number, d: number) => new Date(Date.UTC(y, m - 1, d)).toISOString().slice(0, 10);

/** This month to date and the same days of last month (cut at last month's end). */
export function usagePeriods(today: string) {
  const y = Number(today.slice(0, 4));
  const m = Number(today.slice(5, 7));
  const d = Number(today.slice(8, 10));
  const lastStart = iso(y, m - 1, 1);
  const lastLength = Number(iso(y, m, 0).slice(8, 10));
  return {
    this_period: { from: iso(y, m, 1), to: today },
    last_period: { from: lastStart, to: iso(y, m - 1, Math.min(d, lastLength)) },
  };
}

function engagementPoints(e: HealthFacts['engagements'][number]): number {
  const known = ENGAGEMENT_POINTS[e.status];
  if (known !== undefined) return known;
  if (e.is_won) return 10;
  if (e.is_lost) return 0;
  return 15;
}

function trendPoints(t: number, l: number): number {
  if (l === 0) return t > 0 ? 10 : 0;
  // Integer comparisons: T ≥ 1.10 L ⇔ 100 T ≥ 110 L.
  if (100 * t >= 110 * l) return 10;
  if (100 * t >= 90 * l) return 8;
  if (100 * t >= 50 * l) return 4;
  return 0;
}

/** The score and every factor's points, from the facts (pure: the formula above). */
export function scoreHealth(f: HealthFacts) {
  const days = f.last_interaction_date === null ? null : daysBetween(f.last_interaction_date, f.today);
  const activityPoints = days === null ? 0 : (ACTIVITY_BANDS.find(([most]) => days <= most)?.[1] ?? 0);

  const ticketPoints = Math.max(0, HEALTH_WEIGHTS.support_tickets - 5 * f.open_tickets - 5 * f.high_priority_open_tickets);

  const oldestDays = f.oldest_overdue_due_date === null ? null : daysBetween(f.oldest_overdue_due_date, f.today);
  const invoicePoints = oldestDays !== null && oldestDays > 60 ? 0 : Math.max(0, HEALTH_WEIGHTS.overdue_invoices - 10 * f.overdue_invoices);

  const engagementApplicable = f.engagements.length > 0;
  const best = f.engagements.reduce<{ status: string; points: number } | null>((acc, e) => {
    const p = engagementPoints(e);
    return acc === null || p > acc.points ? { status: e.status, points: p } : acc;
  }, null);
  const live = f.engagements.some((e) => LIVE_ENGAGEMENT.has(e.status));

  const T = f.tokens_this_period;
  const L = f.tokens_last_period;
  const usageApplicable = !(T === 0 && L === 0 && !live);
  const usagePoints = usageApplicable ? trendPoints(T, L) : 0;
  const periods = usagePeriods(f.today);

  const factors = {
    activity: {
      points: activityPoints,
      max: HEALTH_WEIGHTS.activity,
      applicable: true,
      last_interaction_at: f.last_interaction_at,
      days_since_last_interaction: days,
    },
    support_tickets: {
      points: ticketPoints,
      max: HEALTH_WEIGHTS.support_tickets,
      applicable: true,
      open: f.open_tickets,
      high_priority_open: f.high_priority_open_tickets,
    },
    overdue_invoices: {
      points: invoicePoints,
      max: HEALTH_WEIGHTS.overdue_invoices,
      applicable: true,
      overdue: f.overdue_invoices,
      oldest_days_overdue: oldestDays,
    },
    engagement: {
      points: best?.points ?? 0,
      max: HEALTH_WEIGHTS.engagement,
      applicable: engagementApplicable,
      status: best?.status ?? null,
      statuses: f.engagements.map((e) => e.status),
    },
    ai_usage_trend: {
      points: usagePoints,
      max: HEALTH_WEIGHTS.ai_usage_trend,
      applicable: usageApplicable,
      this_period: { ...periods.this_period, tokens: T },
      last_period: { ...periods.last_period, tokens: L },
    },
  };
  let earned = 0;
  let possible = 0;
  for (const factor of Object.values(factors)) {
    if (!factor.applicable) continue;
    earned += factor.points;
    possible += factor.max;
  }
  // Half up in integers: floor((200 e + p) / 2p) = round(100 e / p).
  const score = Math.floor((200 * earned + possible) / (2 * possible));
  return { score, earned, possible, formula: HEALTH_FORMULA, today: f.today, factors };
}

export type HealthResult = ReturnType<typeof scoreHealth>;

/** A record about to be deleted, left out of the facts (a delete has no after-hook: its beforeRemove recomputes without it). */
export type HealthExclusion = { table: HealthTable; id: string };
export type HealthTable = 'interactions' | 'support_tickets' | 'invoices' | 'engagements';

/** Everything the formula needs for one company, in one query. */
export async function healthFacts(ctx: Ctx, companyId: string, exclude?: HealthExclusion): Promise<HealthFacts & { stored_score: number | null; exists: boolean }> {
  const today = localDate(ctx);
  const none = '00000000-0000-0000-0000-000000000000';
  const skip = (table: HealthTable) => (exclude?.table === table ? exclude.id : none);
  const now = ctx.now();
  const { this_period: tp, last_period: lp } = usagePeriods(today);
  const open = sql.join(OPEN_TICKET_STATUSES.map((s) => sql`${s}`), sql`, `);
  const result = (await ctx.db.execute(sql`
    select
      (select health_score from companies where id = ${companyId}::uuid) as stored_score,
      exists (select 1 from companies where id = ${companyId}::uuid) as company_exists,
      (select (extract(epoch from max(i.interaction_date)) * 1000)::bigint::text from interactions i
        where i.company_id = ${companyId}::uuid and i.archived_at is null and i.id <> ${skip('interactions')}::uuid and i.interaction_date <= ${now.toISOString()}::timestamptz) as last_ms,
      (select count(*)::int from support_tickets t
        where t.company_id = ${companyId}::uuid and t.archived_at is null and t.id <> ${skip('support_tickets')}::uuid and t.status in (${open})) as open_tickets,
      (select count(*)::int from support_tickets t
        where t.company_id = ${companyId}::uuid and t.archived_at is null and t.id <> ${skip('support_tickets')}::uuid and t.status in (${open}) and t.priority in ('high', 'critical')) as high_open,
      (select count(*)::int from invoices v
        where v.company_id = ${companyId}::uuid and v.archived_at is null and v.id <> ${skip('invoices')}::uuid and v.status = 'sent' and v.paid_date is null and v.due_date < ${today}::date) as overdue,
      (select min(v.due_date)::text from invoices v
        where v.company_id = ${companyId}::uuid and v.archived_at is null and v.id <> ${skip('invoices')}::uuid and v.status = 'sent' and v.paid_date is null and v.due_date < ${today}::date) as oldest_due,
      (select coalesce(json_agg(json_build_object('status', e.status, 'is_won', ps.is_won, 'is_lost', ps.is_lost) order by e.created_at), '[]'::json)::text
        from engagements e left join pipeline_stages ps on ps.pipeline = 'engagement' and ps.key = e.status
        where e.company_id = ${companyId}::uuid and e.archived_at is null and e.id <> ${skip('engagements')}::uuid) as engagements,
      (select coalesce(sum(u.tokens_used), 0)::text from ai_usage u
        where u.company_id = ${companyId}::uuid and u.usage_date between ${tp.from}::date and ${tp.to}::date) as tokens_this,
      (select coalesce(sum(u.tokens_used), 0)::text from ai_usage u
        where u.company_id = ${companyId}::uuid and u.usage_date between ${lp.from}::date and ${lp.to}::date) as tokens_last`)) as unknown as {
    rows: Row[];
  };
  const r = result.rows[0]!;
  const last = r.last_ms === null ? null : new Date(Number(r.last_ms));
  return {
    exists: r.company_exists === true || r.company_exists === 't',
    stored_score: r.stored_score === null ? null : Number(r.stored_score),
    today,
    last_interaction_at: last ? last.toISOString() : null,
    last_interaction_date: last ? localDate(ctx, last) : null,
    open_tickets: Number(r.open_tickets),
    high_priority_open_tickets: Number(r.high_open),
    overdue_invoices: Number(r.overdue),
    oldest_overdue_due_date: (r.oldest_due as string | null) ?? null,
    engagements: JSON.parse(String(r.engagements)) as HealthFacts['engagements'],
    tokens_this_period: Number(r.tokens_this),
    tokens_last_period: Number(r.tokens_last),
  };
}

/**
 * Recomputes and stores one company's health (no visibility check: callers have checked
 * the company, or are hooks on a record already written to it). Returns the result.
 */
export async function recomputeCompanyHealth(ctx: Ctx, companyId: string, trigger = 'sales.recompute_health', exclude?: HealthExclusion): Promise<HealthResult | null> {
  return withTx(ctx, async (tx) => {
    const facts = await healthFacts(tx, companyId, exclude);
    if (!facts.exists) return null;
    const health = scoreHealth(facts);
    const stored = { ...health.factors, score: health.score, earned: health.earned, possible: health.possible, formula: health.formula, today: health.today };
    await tx.db
      .update(companies)
      .set({ health_score: health.score, health_factors: stored, health_calculated_at: tx.now() })
      .where(eq(companies.id, companyId));
    if (facts.stored_score !== health.score) {
      await writeAudit(tx, {
        action: 'update',
        table: 'companies',
        recordId: companyId,
        operation: 'sales.recompute_health',
        before: { health_score: facts.stored_score },
        after: { health_score: health.score, trigger },
      });
    }
    return health;
  });
}

/**
 * afterWrite hook of interactions, support_tickets, invoices and engagements: the company
 * the record belongs to (and the one it left, if it moved) gets its health recomputed.
 */
export async function refreshHealthAfterWrite(ctx: Ctx, table: HealthTable, row: Row, before: Row | undefined): Promise<void> {
  const ids = new Set<string>();
  for (const r of [row, before]) if (r && typeof r.company_id === 'string') ids.add(r.company_id);
  for (const id of ids) await recomputeCompanyHealth(ctx, id, table);
}

/** beforeRemove hook of the same tables: a hard delete recomputes the company's health without the record. */
export async function refreshHealthBeforeDelete(ctx: Ctx, table: HealthTable, row: Row, how: 'archive' | 'delete'): Promise<void> {
  if (how !== 'delete' || typeof row.company_id !== 'string') return;
  await recomputeCompanyHealth(ctx, row.company_id, table, { table, id: String(row.id) });
}

/** The health computed now from the live records (read-only), beside what is stored. */
export async function companyHealth(ctx: Ctx, input: { id: string }) {
  const company = await getRecord(ctx, resource('companies'), input.id);
  const health = scoreHealth(await healthFacts(ctx, input.id));
  return {
    company_id: company.id as string,
    name: company.name as string,
    ...health,
    stored: {
      health_score: company.health_score ?? null,
      health_calculated_at: company.health_calculated_at ?? null,
    },
  };
}

/** Recomputes and stores one company's health (it must be one the caller can see). */
export async function recomputeHealth(ctx: Ctx, input: { id: string }) {
  return withTx(ctx, async (tx) => {
    const company = await getRecord(tx, resource('companies'), input.id);
    const health = (await recomputeCompanyHealth(tx, company.id as string))!;
    return { company_id: company.id as string, name: company.name as string, previous_score: company.health_score ?? null, ...health };
  });
}

/**
 * Administrators: recomputes every company not archived, in batches of 200 (one transaction
 * each, so a long run holds no lock for long). Picks up what no hook sees (ai_usage, the
 * passing of days).
 */
export async function recomputeAllHealth(ctx: Ctx, _input: Record<string, never> = {}) {
  let after = '00000000-0000-0000-0000-000000000000';
  let companiesDone = 0;
  let changed = 0;
  const distribution = { healthy: 0, watch: 0, at_risk: 0 };
  for (;;) {
    const batch = (await ctx.db.execute(sql`
      select id, health_score from companies where archived_at is null and id > ${after}::uuid order by id limit 200`)) as unknown as {
      rows: { id: string; health_score: number | null }[];
    };
    if (batch.rows.length === 0) break;
    await withTx(ctx, async (tx) => {
      for (const c of batch.rows) {
        const h = await recomputeCompanyHealth(tx, c.id);
        if (!h) continue;
        companiesDone++;
        if (c.health_score === null || Number(c.health_score) !== h.score) changed++;
        if (h.score >= 70) distribution.healthy++;
        else if (h.score >= 40) distribution.watch++;
        else distribution.at_risk++;
      }
    });
    after = batch.rows[batch.rows.length - 1]!.id;
  }
  return { formula: HEALTH_FORMULA, companies: companiesDone, changed, distribution, bands: { healthy: '70–100', watch: '40–69', at_risk: '0–39' } };
}
