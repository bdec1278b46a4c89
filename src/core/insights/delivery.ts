/**
 * Delivery and capacity insight (issue 10): the team's capacity, its utilisation per week and per
 * member, engagements' logged hours against their estimates, and support tickets.
 *
 * Definitions (records the caller may see, archived ones left out; capacity has no visibility rule):
 * - capacity: the capacity rows, ordered by lower(team_member); totals Σ total and Σ allocated hours per week.
 * - utilisation, per week of the period (Monday first, `days` of it inside the period):
 *   logged_hours = Σ work_completed.hours with work_date in the period and that week, of rows whose
 *   user_id is a capacity row's user_id; capacity_hours = Σ total_hours_per_week × days ÷ 7;
 *   utilisation = logged ÷ (Σ total × days ÷ 7) × 100, from the exact capacity (not the rounded
 *   one), null when it is 0. Exact: hours are held in hundredths as bigint, rounded half up once.
 * - by_member: the same per capacity row over the whole period (days = period.days); a row
 *   without a user logs nothing.
 * - engagements: live at some point of the period (start_date, else the day of created_at, on or
 *   before `to`; end_date null or on or after `from`) with an estimate or work logged; logged_hours =
 *   Σ work_completed.hours of the engagement with work_date up to today (all time); variance_hours =
 *   logged − estimated; variance = (logged − estimated) ÷ estimated × 100 (null without an estimate
 *   or when it is 0). Largest variance first (nulls last), then name, id; at most 200.
 * - tickets: opened = request_date's day in the period, resolved = resolved_at's day in the period,
 *   per week and per priority (every one of TICKET_PRIORITIES); open_now = status open or
 *   in_progress now, whatever the period; hours to resolve = resolved_at − request_date of the
 *   tickets resolved in the period (a ticket opened before the period counts), mean and median.
 */
import { sql, type SQL } from 'drizzle-orm';
import { localDate, queryRows, type Ctx } from '../context.ts';
import { divRound, fromUnits, toUnits } from '../assessment/roi.ts';
import { visibilityScope, type VisibilityScope } from '../platform/visibility.ts';
import { uuidArray } from '../sql-arrays.ts';
import { TICKET_PRIORITIES } from '../../db/schema/delivery.ts';
import { dayIn, dayOf, instantIn, resolvePeriod, weeksOf, seen, type InsightTable } from './common.ts';
import type { DeliveryInput, DeliveryInsight, Period } from './types.ts';

/** At most this many engagements are listed; `engagements_truncated` says when there were more. */
export const DELIVERY_ENGAGEMENT_LIMIT = 200;

/** Ticket statuses that count as open now. */
const OPEN_TICKET_STATUSES = ['open', 'in_progress'] as const;

type Capacity = DeliveryInsight['capacity'];
type Tickets = DeliveryInsight['tickets'];

const cents = (s: string | null | undefined) => toUnits(s ?? '0', 2);
const hours = (c: bigint) => fromUnits(c, 2);
/** The Monday of a date expression, as a date (isodow: Monday 1 … Sunday 7). */
const mondayOf = (d: SQL) => sql`((${d}) - (extract(isodow from (${d}))::int - 1))`;

export async function deliveryInsight(ctx: Ctx, input: DeliveryInput): Promise<DeliveryInsight> {
  const period = resolvePeriod(ctx, input);
  const scope = await visibilityScope(ctx);
  const capacity = await readCapacity(ctx, scope);
  const [logged, engagements, tickets] = await Promise.all([
    readLogged(ctx, scope, period, capacity),
    readEngagements(ctx, scope, period),
    readTickets(ctx, scope, period),
  ]);
  const { utilisation, by_member } = utilisationOf(period, capacity, logged);
  return { period, capacity, utilisation, by_member, ...engagements, tickets };
}

// ---------------------------------------------------------------------------
// Capacity and utilisation

async function readCapacity(ctx: Ctx, scope: VisibilityScope): Promise<Capacity> {
  const members = await queryRows<Capacity['members'][number]>(ctx, sql`
    select c.id as capacity_id, c.team_member, c.user_id,
      c.total_hours_per_week::text as total_hours_per_week, c.allocated_hours_per_week::text as allocated_hours_per_week
    from capacity c
    where c.archived_at is null and ${seen('capacity', scope, 'c')}
    order by lower(c.team_member), c.team_member, c.id`);
  const sum = (pick: (m: Capacity['members'][number]) => string) => hours(members.reduce((s, m) => s + cents(pick(m)), 0n));
  return { members, total_hours_per_week: sum((m) => m.total_hours_per_week), allocated_hours_per_week: sum((m) => m.allocated_hours_per_week) };
}

type Logged = { user_id: string; week: string; hours: string };

/** Hours the team's members logged in the period, per member and week (the user/date index answers it). */
async function readLogged(ctx: Ctx, scope: VisibilityScope, p: Period, capacity: Capacity): Promise<Logged[]> {
  const users = capacity.members.map((m) => m.user_id).filter((u): u is string => u !== null);
  if (!users.length) return [];
  return queryRows<Logged>(ctx, sql`
    select w.user_id, ${mondayOf(sql`w.work_date`)}::text as week, sum(w.hours)::text as hours
    from work_completed w
    where w.user_id = any(${uuidArray(users)}) and ${dayIn('w.work_date', p)}
      and w.archived_at is null and ${seen('work_completed', scope, 'w')}
    group by 1, 2`);
}

/** logged ÷ (total per week × days ÷ 7) × 100 in hundredths of a percent: logged × 70000 ÷ (total × days), all in hundredths of hours. */
function utilisationRate(loggedCents: bigint, totalCents: bigint, days: number): string | null {
  const divisor = totalCents * BigInt(days);
  return divisor === 0n ? null : fromUnits(divRound(loggedCents * 70000n, divisor), 2);
}

function utilisationOf(p: Period, capacity: Capacity, logged: Logged[]) {
  const total = cents(capacity.total_hours_per_week);
  const team = new Set(capacity.members.map((m) => m.user_id));
  const byWeek = new Map<string, bigint>();
  const byUser = new Map<string, bigint>();
  for (const l of logged) {
    if (!team.has(l.user_id)) continue;
    byWeek.set(l.week, (byWeek.get(l.week) ?? 0n) + cents(l.hours));
    byUser.set(l.user_id, (byUser.get(l.user_id) ?? 0n) + cents(l.hours));
  }
  const utilisation = weeksOf(p).map(({ week, days }) => {
    const mine = byWeek.get(week) ?? 0n;
    return { week, days, logged_hours: hours(mine), capacity_hours: hours(divRound(total * BigInt(days), 7n)), utilisation: utilisationRate(mine, total, days) };
  });
  const by_member = capacity.members.map((m) => {
    const mine = m.user_id === null ? 0n : (byUser.get(m.user_id) ?? 0n);
    const perWeek = cents(m.total_hours_per_week);
    return {
      capacity_id: m.capacity_id,
      team_member: m.team_member,
      user_id: m.user_id,
      logged_hours: hours(mine),
      capacity_hours: hours(divRound(perWeek * BigInt(p.days), 7n)),
      utilisation: utilisationRate(mine, perWeek, p.days),
    };
  });
  return { utilisation, by_member };
}

// ---------------------------------------------------------------------------
// Engagements: estimate against logged hours

type EngagementLine = DeliveryInsight['engagements'][number];

async function readEngagements(ctx: Ctx, scope: VisibilityScope, p: Period): Promise<Pick<DeliveryInsight, 'engagements' | 'engagements_truncated'>> {
  const today = localDate(ctx);
  const found = await queryRows<EngagementLine>(ctx, sql`
    select x.engagement_id, x.name, x.company_id, x.company_name, x.status, x.estimated_hours::text as estimated_hours,
      x.logged::text as logged_hours,
      (x.logged - x.estimated_hours)::text as variance_hours,
      case when x.estimated_hours > 0 then round((x.logged - x.estimated_hours) * 100 / x.estimated_hours, 2)::text end as variance
    from (
      select e.id as engagement_id, e.name, e.company_id, case when ${seen('companies', scope, 'c')} then c.name end as company_name,
        e.status, e.estimated_hours, round(coalesce(w.hours, 0), 2) as logged, w.n
      from engagements e
      left join companies c on c.id = e.company_id
      left join lateral (
        select sum(wc.hours) as hours, count(*) as n from work_completed wc
        where wc.engagement_id = e.id and wc.work_date <= ${today}::date and wc.archived_at is null
      ) w on true
      where e.archived_at is null and ${seen('engagements', scope, 'e')}
        and coalesce(e.start_date, ${dayOf(ctx, 'e.created_at')}) <= ${p.to}::date
        and (e.end_date is null or e.end_date >= ${p.from}::date)
    ) x
    where x.estimated_hours is not null or x.n > 0
    order by case when x.estimated_hours > 0 then (x.logged - x.estimated_hours) / x.estimated_hours end desc nulls last,
      x.name nulls last, x.engagement_id
    limit ${DELIVERY_ENGAGEMENT_LIMIT + 1}`);
  const truncated = found.length > DELIVERY_ENGAGEMENT_LIMIT;
  return { engagements: found.slice(0, DELIVERY_ENGAGEMENT_LIMIT), engagements_truncated: truncated };
}

// ---------------------------------------------------------------------------
// Support tickets

type Counted = { kind: 'opened' | 'resolved'; week: string; priority: string; n: number };
type Resolve = { priority: string | null; avg: string | null; median: string | null };

async function readTickets(ctx: Ctx, scope: VisibilityScope, p: Period): Promise<Tickets> {
  const visible = seen('support_tickets', scope, 't');
  const requested = dayOf(ctx, 't.request_date');
  const resolvedDay = dayOf(ctx, 't.resolved_at');
  const open = sql.join(OPEN_TICKET_STATUSES.map((s) => sql`${s}`), sql`, `);
  const hoursOf = (seconds: SQL) => sql`round((${seconds}) / 3600, 2)::text`;
  const [counted, resolve, [now]] = await Promise.all([
    queryRows<Counted>(ctx, sql`
      select 'opened' as kind, ${mondayOf(requested)}::text as week, t.priority, count(*)::int as n
      from support_tickets t
      where ${instantIn(ctx, 't.request_date', p)} and t.archived_at is null and ${visible}
      group by 2, 3
      union all
      select 'resolved', ${mondayOf(resolvedDay)}::text, t.priority, count(*)::int
      from support_tickets t
      where ${instantIn(ctx, 't.resolved_at', p)} and t.archived_at is null and ${visible}
      group by 2, 3`),
    // The median of intervals is exact (microseconds); percentile_cont on hours would go through double precision.
    queryRows<Resolve>(ctx, sql`
      select t.priority,
        ${hoursOf(sql`avg(extract(epoch from t.resolved_at - t.request_date)::numeric)`)} as avg,
        ${hoursOf(sql`extract(epoch from percentile_cont(0.5) within group (order by t.resolved_at - t.request_date))::numeric`)} as median
      from support_tickets t
      where ${instantIn(ctx, 't.resolved_at', p)} and t.archived_at is null and ${visible}
      group by grouping sets ((), (t.priority))`),
    queryRows<{ n: number }>(ctx, sql`
      select count(*)::int as n from support_tickets t
      where t.status in (${open}) and t.archived_at is null and ${visible}`),
  ]);
  const count = (kind: Counted['kind'], match: (c: Counted) => boolean) => counted.filter((c) => c.kind === kind && match(c)).reduce((s, c) => s + c.n, 0);
  const overall = resolve.find((r) => r.priority === null);
  return {
    series: weeksOf(p).map(({ week }) => ({ week, opened: count('opened', (c) => c.week === week), resolved: count('resolved', (c) => c.week === week) })),
    opened: count('opened', () => true),
    resolved: count('resolved', () => true),
    open_now: now?.n ?? 0,
    avg_hours_to_resolve: overall?.avg ?? null,
    median_hours_to_resolve: overall?.median ?? null,
    by_priority: TICKET_PRIORITIES.map((priority) => ({
      priority,
      opened: count('opened', (c) => c.priority === priority),
      resolved: count('resolved', (c) => c.priority === priority),
      median_hours_to_resolve: resolve.find((r) => r.priority === priority)?.median ?? null,
    })),
  };
}

// ---------------------------------------------------------------------------
// Tables

/** The result as plain tables for the CLI's table and CSV output. */
export function deliveryTables(r: DeliveryInsight): InsightTable[] {
  const t = r.tickets;
  return [
    { name: 'utilisation', rows: r.utilisation.map((w) => ({ ...w })) },
    {
      name: 'members',
      rows: r.capacity.members.map((m, i) => {
        const u = r.by_member[i]!;
        return { ...m, logged_hours: u.logged_hours, capacity_hours: u.capacity_hours, utilisation: u.utilisation };
      }),
    },
    { name: 'engagements', rows: r.engagements.map((e) => ({ ...e })) },
    { name: 'tickets', rows: t.series.map((s) => ({ ...s })) },
    {
      name: 'ticket_summary',
      rows: [
        {
          from: r.period.from,
          to: r.period.to,
          opened: t.opened,
          resolved: t.resolved,
          open_now: t.open_now,
          avg_hours_to_resolve: t.avg_hours_to_resolve,
          median_hours_to_resolve: t.median_hours_to_resolve,
          capacity_hours_per_week: r.capacity.total_hours_per_week,
          allocated_hours_per_week: r.capacity.allocated_hours_per_week,
          engagements_truncated: r.engagements_truncated,
        },
      ],
    },
    { name: 'priorities', rows: t.by_priority.map((b) => ({ ...b })) },
  ];
}
