/**
 * Money and proof insight (issue 10): recurring revenue, invoicing and payments per month and
 * currency, overdue invoices by age, the portfolio's return in the period's last month, and the
 * client's AI use per month.
 *
 * Definitions (records the caller may see, archived ones left out; money per currency, never added across):
 * - months: the calendar months the period touches.
 * - revenue, per month and currency: monthly_recurring = Σ monthly_fee of the engagements live in
 *   the (whole) month by the portfolio's rule (listLiveEngagements in reports/monthly/engagement.ts:
 *   started — start_date, else created_at's UTC day — on or before the month's last day, and not a
 *   completed or cancelled engagement that ended — end_date, else the day it entered that status,
 *   else its last change — before the month's first day), the same SQL condition applied to every
 *   month at once; live_engagements = how many of them have a monthly_fee (only those count);
 *   invoiced = Σ amount of invoices with issue_date in the month and the period, status not draft or
 *   cancelled; paid = Σ amount of invoices paid (status paid) with paid_date in the month and the
 *   period. Every month appears for every currency seen in any of the three, with "0.00".
 * - overdue: billing-views' overdueInvoices (status sent, due_date before today), whatever the
 *   period; by currency and by days past due in bands 1-30, 31-60, 61-90, 90+ (bands with invoices only).
 * - portfolio: buildPortfolioReport for the period's last month (the current month when that is
 *   later); roi = (value − cost) ÷ cost × 100 worked out here to 2 places from the report's value
 *   and cost (the report's own roi_percent has 1 place); a total's roi is null where the report
 *   leaves it out (an engagement without a value, or no cost); a total without any value is "0.00".
 * - usage: Σ tokens_used and Σ records of ai_usage_monthly per month of the period, 0 when none.
 */
import { sql } from 'drizzle-orm';
import { queryRows, type Ctx } from '../context.ts';
import { divRound, fromUnits, toUnits } from '../assessment/roi.ts';
import { overdueInvoices } from '../delivery/billing-views.ts';
import { visibilityScope, type VisibilityScope } from '../platform/visibility.ts';
import { buildPortfolioReport } from '../reports/portfolio.ts';
import { ENGAGEMENT_ENDED, ENGAGEMENT_STARTED } from '../reports/monthly/engagement.ts';
import { currentMonth, FIRST_MONTH, monthEnd, monthStart } from '../reports/rules.ts';
import { arrayLiteral } from '../sql-arrays.ts';
import { dayIn, monthsOf, resolvePeriod, seen, type InsightTable } from './common.ts';
import type { MoneyInput, MoneyInsight, Period } from './types.ts';

type Revenue = MoneyInsight['revenue'][number];
type Overdue = MoneyInsight['overdue'];
type Portfolio = MoneyInsight['portfolio'];
type Band = Overdue['by_age'][number]['band'];

const BANDS: { band: Band; upTo: number }[] = [
  { band: '1-30', upTo: 30 },
  { band: '31-60', upTo: 60 },
  { band: '61-90', upTo: 90 },
  { band: '90+', upTo: Infinity },
];

const cents = (s: string | null | undefined) => toUnits(s ?? '0', 2);
const money = (c: bigint) => fromUnits(c, 2);

export async function moneyInsight(ctx: Ctx, input: MoneyInput): Promise<MoneyInsight> {
  const period = resolvePeriod(ctx, input);
  const months = monthsOf(period);
  const scope = await visibilityScope(ctx);
  const [revenue, overdue, portfolio, usage] = await Promise.all([
    readRevenue(ctx, scope, period, months),
    readOverdue(ctx),
    readPortfolio(ctx, months.at(-1)!),
    readUsage(ctx, scope, months),
  ]);
  return { period, months, revenue, overdue, portfolio, usage };
}

// ---------------------------------------------------------------------------
// Revenue per month and currency

type Figure = { kind: 'recurring' | 'invoiced' | 'paid'; month: string; currency: string; amount: string; n: number };

async function readRevenue(ctx: Ctx, scope: VisibilityScope, p: Period, months: string[]): Promise<Revenue[]> {
  const starts = sql`${arrayLiteral(months.map(monthStart))}::date[]`;
  const last = monthEnd(months.at(-1)!);
  const rows = await queryRows<Figure>(ctx, sql`
    with m as (
      select to_char(s, 'YYYY-MM') as month, s as first_day, (s + interval '1 month' - interval '1 day')::date as last_day
      from unnest(${starts}) as s
    ),
    live as (
      select e.currency, e.monthly_fee, ${ENGAGEMENT_STARTED} as started, ${ENGAGEMENT_ENDED} as ended
      from engagements e
      left join pipeline_stages ps on ps.pipeline = 'engagement' and ps.key = e.status
      where e.archived_at is null and e.monthly_fee is not null and ${seen('engagements', scope, 'e')}
        and ${ENGAGEMENT_STARTED} <= ${last}::date
    )
    select 'recurring' as kind, m.month, l.currency, sum(l.monthly_fee)::text as amount, count(*)::int as n
    from m join live l on l.started <= m.last_day and (l.ended is null or l.ended >= m.first_day)
    group by m.month, l.currency
    union all
    select 'invoiced', to_char(i.issue_date, 'YYYY-MM'), i.currency, sum(i.amount)::text, count(*)::int
    from invoices i
    where ${dayIn('i.issue_date', p)} and i.status not in ('draft', 'cancelled') and i.archived_at is null and ${seen('invoices', scope, 'i')}
    group by 2, 3
    union all
    select 'paid', to_char(i.paid_date, 'YYYY-MM'), i.currency, sum(i.amount)::text, count(*)::int
    from invoices i
    where ${dayIn('i.paid_date', p)} and i.status = 'paid' and i.archived_at is null and ${seen('invoices', scope, 'i')}
    group by 2, 3`);
  const currencies = [...new Set(rows.map((r) => r.currency))].sort();
  const find = (kind: Figure['kind'], month: string, currency: string) => rows.find((r) => r.kind === kind && r.month === month && r.currency === currency);
  return months.flatMap((month) =>
    currencies.map((currency) => {
      const recurring = find('recurring', month, currency);
      return {
        month,
        currency,
        monthly_recurring: money(cents(recurring?.amount)),
        live_engagements: recurring?.n ?? 0,
        invoiced: money(cents(find('invoiced', month, currency)?.amount)),
        paid: money(cents(find('paid', month, currency)?.amount)),
      };
    }),
  );
}

// ---------------------------------------------------------------------------
// Overdue invoices

async function readOverdue(ctx: Ctx): Promise<Overdue> {
  const { items } = await overdueInvoices(ctx);
  const add = <K extends string>(map: Map<K, { units: bigint; count: number }>, key: K, amount: string) => {
    const cur = map.get(key) ?? { units: 0n, count: 0 };
    cur.units += cents(amount);
    cur.count++;
    map.set(key, cur);
  };
  const byCurrency = new Map<string, { units: bigint; count: number }>();
  const byAge = new Map<string, { units: bigint; count: number }>();
  for (const i of items) {
    add(byCurrency, i.currency, i.amount);
    add(byAge, `${bandOf(i.days_overdue)}|${i.currency}`, i.amount);
  }
  const currencies = [...byCurrency.keys()].sort();
  return {
    invoices: items.length,
    by_currency: currencies.map((currency) => ({ currency, amount: money(byCurrency.get(currency)!.units), count: byCurrency.get(currency)!.count })),
    by_age: BANDS.flatMap(({ band }) =>
      currencies.flatMap((currency) => {
        const b = byAge.get(`${band}|${currency}`);
        return b ? [{ band, currency, amount: money(b.units), count: b.count }] : [];
      }),
    ),
  };
}

const bandOf = (days: number): Band => BANDS.find((b) => days <= b.upTo)!.band;

// ---------------------------------------------------------------------------
// Portfolio

/** (value − cost) ÷ cost × 100 to 2 places, from exact money strings; null without a value or a cost. */
function roi(value: string | null, cost: string | null): string | null {
  if (value === null || cost === null) return null;
  const c = cents(cost);
  return c <= 0n ? null : fromUnits(divRound((cents(value) - c) * 10000n, c), 2);
}

async function readPortfolio(ctx: Ctx, lastMonth: string): Promise<Portfolio> {
  const current = currentMonth(ctx);
  const month = lastMonth > current ? current : lastMonth;
  // The report covers months from FIRST_MONTH on: before that there is nothing to show.
  if (month < FIRST_MONTH) return { month, engagements: [], totals: [] };
  const report = await buildPortfolioReport(ctx, { month });
  return {
    month: report.month,
    engagements: report.engagements.map((l) => ({
      engagement_id: l.engagement_id,
      name: l.engagement_name,
      company_name: l.company_name,
      currency: l.currency,
      hours_saved: l.hours_saved,
      value: l.value,
      cost: l.cost,
      roi: roi(l.value, l.cost),
    })),
    totals: report.totals.map((t) => ({
      currency: t.currency,
      engagements: t.engagements,
      hours_saved: t.hours_saved,
      value: t.value ?? '0.00',
      cost: t.cost,
      roi: t.roi_percent === null ? null : roi(t.value, t.cost),
    })),
  };
}

// ---------------------------------------------------------------------------
// AI usage

async function readUsage(ctx: Ctx, scope: VisibilityScope, months: string[]): Promise<MoneyInsight['usage']> {
  const rows = await queryRows<{ month: string; tokens_used: string; records: string }>(ctx, sql`
    select to_char(m.month, 'YYYY-MM') as month, sum(m.tokens_used)::text as tokens_used, sum(m.records)::text as records
    from ai_usage_monthly m
    where m.month between ${monthStart(months[0]!)}::date and ${monthStart(months.at(-1)!)}::date
      and ${seen('ai_usage_monthly', scope, 'm')}
    group by 1`);
  const byMonth = new Map(rows.map((r) => [r.month, r]));
  return months.map((month) => ({ month, tokens_used: Number(byMonth.get(month)?.tokens_used ?? 0), records: Number(byMonth.get(month)?.records ?? 0) }));
}

// ---------------------------------------------------------------------------
// Tables

/** The result as plain tables for the CLI's table and CSV output. */
export function moneyTables(r: MoneyInsight): InsightTable[] {
  const o = r.overdue;
  return [
    { name: 'revenue', rows: r.revenue.map((x) => ({ ...x })) },
    {
      name: 'overdue',
      rows: [
        ...o.by_currency.map((c) => ({ band: 'all', currency: c.currency, count: c.count, amount: c.amount })),
        ...o.by_age.map((a) => ({ band: a.band, currency: a.currency, count: a.count, amount: a.amount })),
      ],
    },
    { name: 'portfolio', rows: r.portfolio.engagements.map((e) => ({ month: r.portfolio.month, ...e })) },
    { name: 'portfolio_totals', rows: r.portfolio.totals.map((t) => ({ month: r.portfolio.month, ...t })) },
    { name: 'usage', rows: r.usage.map((u) => ({ ...u })) },
  ];
}
