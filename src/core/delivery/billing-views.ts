/**
 * Seed 002's "useful views" as reads: active clients, monthly recurring revenue, overdue
 * invoices and the project timeline (the pipeline value is sales' weighted pipeline).
 *
 * Every row passes record visibility: a company, engagement, invoice or milestone the caller
 * cannot see is left out, and a company's name is shown only where the company itself is
 * visible (an engagement assigned to you may belong to a company you cannot see).
 * Money is exact (numeric sums, added as BigInt cents) and grouped by currency: amounts in
 * different currencies are never added together.
 */
import { sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { localDate, type Ctx } from '../context.ts';
import { daysBetween } from '../dates.ts';
import { notFound } from '../errors.ts';
import { fromUnits, toUnits } from '../assessment/roi.ts';
import { assertStatus } from '../platform/pipeline.ts';
import { visibilityScope, visibleCondition, type VisibilityScope } from '../platform/visibility.ts';
import { fetchRow } from '../resource.ts';
import { resource } from '../resources.ts';
import { uuidArray } from '../sql-arrays.ts';

/** Engagement statuses that make a company an active client and whose monthly fee counts as recurring revenue. */
export const LIVE_ENGAGEMENT_STATUSES = ['onboarding', 'training', 'supporting'] as const;

/** At most this many engagements in one timeline; `truncated` says when there were more. */
export const TIMELINE_LIMIT = 500;

type Money = { currency: string; amount: string };
type Rows<T> = { rows: T[] };

const rows = async <T>(ctx: Ctx, q: SQL) => ((await ctx.db.execute(q)) as unknown as Rows<T>).rows;
const live = sql.join(LIVE_ENGAGEMENT_STATUSES.map((s) => sql`${s}`), sql`, `);
/** The visibility condition of a resource's rows under an alias, `true` when unrestricted. */
function seen(name: string, scope: VisibilityScope, alias: string): SQL {
  return visibleCondition(resource(name), scope, alias) ?? sql`true`;
}

/** Adds exact amounts per currency; the result is sorted by currency. */
function sumByCurrency(items: Array<{ currency: string; amount: string | null; count?: number }>) {
  const map = new Map<string, { units: bigint; count: number }>();
  for (const i of items) {
    const cur = map.get(i.currency) ?? { units: 0n, count: 0 };
    cur.units += toUnits(i.amount ?? '0.00', 2);
    cur.count += i.count ?? 1;
    map.set(i.currency, cur);
  }
  return [...map.keys()].sort().map((currency) => ({ currency, amount: fromUnits(map.get(currency)!.units, 2), count: map.get(currency)!.count }));
}

// ---------------------------------------------------------------------------
// Active clients

/** Companies with a live engagement: counts, monthly fees, open and overdue invoice totals, last invoice date. */
export async function activeClients(ctx: Ctx) {
  const scope = await visibilityScope(ctx);
  const today = localDate(ctx);
  const liveEngagement = sql`e.archived_at is null and e.status in (${live}) and ${seen('engagements', scope, 'e')}`;
  const clients = await rows<{ id: string; name: string; status: string }>(ctx, sql`
    select c.id, c.name, c.status from companies c
    where c.archived_at is null and ${seen('companies', scope, 'c')}
      and exists (select 1 from engagements e where e.company_id = c.id and ${liveEngagement})
    order by lower(c.name), c.id`);
  const ids = uuidArray(clients.map((c) => c.id));
  const fees = await rows<{ company_id: string; currency: string; amount: string; n: number }>(ctx, sql`
    select e.company_id, e.currency, coalesce(sum(e.monthly_fee), 0)::text as amount, count(*)::int as n
    from engagements e where e.company_id = any(${ids}) and ${liveEngagement}
    group by e.company_id, e.currency`);
  const invoices = await rows<{ company_id: string; currency: string; open: string; open_n: number; overdue: string; overdue_n: number; last_issued: string | null }>(ctx, sql`
    select i.company_id, i.currency,
      coalesce(sum(i.amount) filter (where i.status = 'sent'), 0)::text as open,
      (count(*) filter (where i.status = 'sent'))::int as open_n,
      coalesce(sum(i.amount) filter (where i.status = 'sent' and i.due_date < ${today}::date), 0)::text as overdue,
      (count(*) filter (where i.status = 'sent' and i.due_date < ${today}::date))::int as overdue_n,
      (max(i.issue_date) filter (where i.status in ('sent', 'paid')))::text as last_issued
    from invoices i where i.company_id = any(${ids}) and i.archived_at is null and ${seen('invoices', scope, 'i')}
    group by i.company_id, i.currency`);
  const money = <T extends { company_id: string; currency: string }>(list: T[], companyId: string, amount: (r: T) => string, count: (r: T) => number) =>
    sumByCurrency(list.filter((r) => r.company_id === companyId && count(r) > 0).map((r) => ({ currency: r.currency, amount: amount(r), count: count(r) })));
  const items = clients.map((c) => {
    const mine = invoices.filter((r) => r.company_id === c.id && r.last_issued !== null).map((r) => r.last_issued!);
    return {
      company_id: c.id,
      company_name: c.name,
      company_status: c.status,
      live_engagements: fees.filter((f) => f.company_id === c.id).reduce((n, f) => n + f.n, 0),
      monthly_fees: money(fees, c.id, (r) => r.amount, (r) => r.n).map(({ currency, amount, count }) => ({ currency, amount, engagements: count })),
      open_invoices: money(invoices, c.id, (r) => r.open, (r) => r.open_n),
      overdue_invoices: money(invoices, c.id, (r) => r.overdue, (r) => r.overdue_n),
      last_invoice_date: mine.length ? mine.sort().at(-1)! : null,
    };
  });
  const totals = (pick: (i: (typeof items)[number]) => Array<Money & { count?: number; engagements?: number }>) =>
    sumByCurrency(items.flatMap((i) => pick(i).map((m) => ({ currency: m.currency, amount: m.amount, count: m.count ?? m.engagements ?? 0 }))));
  return {
    rule: `An active client has an engagement in ${LIVE_ENGAGEMENT_STATUSES.join(', ')}. monthly_fees: Σ monthly_fee of those engagements; open_invoices: sent, unpaid invoices; overdue_invoices: those of them due before today (${today}); last_invoice_date: the latest issue_date of a sent or paid invoice. Amounts per currency, never added across currencies.`,
    today,
    clients: items.length,
    totals: {
      monthly_fees: totals((i) => i.monthly_fees).map(({ currency, amount, count }) => ({ currency, amount, engagements: count })),
      open_invoices: totals((i) => i.open_invoices),
      overdue_invoices: totals((i) => i.overdue_invoices),
    },
    items,
  };
}

// ---------------------------------------------------------------------------
// Monthly recurring revenue

/** Σ monthly_fee of live engagements per currency, with the engagements behind each sum. */
export async function monthlyRecurringRevenue(ctx: Ctx) {
  const scope = await visibilityScope(ctx);
  const list = await rows<{ id: string; name: string | null; status: string; currency: string; monthly_fee: string | null; company_id: string; company_name: string | null }>(ctx, sql`
    select e.id, e.name, e.status, e.currency, e.monthly_fee::text as monthly_fee, e.company_id, c.name as company_name
    from engagements e
    left join companies c on c.id = e.company_id and ${seen('companies', scope, 'c')}
    where e.archived_at is null and e.status in (${live}) and ${seen('engagements', scope, 'e')}
    order by e.currency, e.monthly_fee desc nulls last, e.name, e.id`);
  const currencies = [...new Set(list.map((e) => e.currency))].sort().map((currency) => {
    const mine = list.filter((e) => e.currency === currency);
    const total = mine.reduce((s, e) => s + toUnits(e.monthly_fee ?? '0.00', 2), 0n);
    return {
      currency,
      mrr: fromUnits(total, 2),
      annualised: fromUnits(total * 12n, 2),
      engagements: mine.length,
      engagements_without_fee: mine.filter((e) => e.monthly_fee === null).length,
      items: mine,
    };
  });
  return {
    rule: `MRR = Σ monthly_fee of engagements in ${LIVE_ENGAGEMENT_STATUSES.join(', ')} that you can see, per currency; annualised = 12 × MRR. Currencies are never added together.`,
    currencies,
  };
}

// ---------------------------------------------------------------------------
// Overdue invoices

/** Sent invoices past their due date, oldest first, with the days overdue. */
export async function overdueInvoices(ctx: Ctx) {
  const scope = await visibilityScope(ctx);
  const today = localDate(ctx);
  const items = await rows<{ id: string; invoice_number: string; company_id: string; company_name: string | null; engagement_id: string | null; invoice_type: string; amount: string; currency: string; issue_date: string | null; due_date: string; days_overdue: number }>(ctx, sql`
    select i.id, i.invoice_number, i.company_id, c.name as company_name, i.engagement_id, i.invoice_type,
      i.amount::text as amount, i.currency, i.issue_date::text as issue_date, i.due_date::text as due_date,
      (${today}::date - i.due_date)::int as days_overdue
    from invoices i
    left join companies c on c.id = i.company_id and ${seen('companies', scope, 'c')}
    where i.archived_at is null and i.status = 'sent' and i.due_date < ${today}::date and ${seen('invoices', scope, 'i')}
    order by i.due_date, i.invoice_number`);
  return {
    rule: `Overdue: status sent and due_date before today (${today}, in the instance time zone); never a stored status. Oldest due date first.`,
    today,
    totals: sumByCurrency(items.map((i) => ({ currency: i.currency, amount: i.amount }))),
    items,
  };
}

// ---------------------------------------------------------------------------
// Project timeline

export const ProjectTimelineInput = z.strictObject({
  company_id: z.uuid({ message: 'must be a UUID' }).optional().describe("only this company's engagements"),
  status: z.string().max(64).optional().describe('only engagements in this status (a key of the engagement pipeline)'),
});

/** Engagements with their dates and milestones in order: a Gantt-style list. */
export async function projectTimeline(ctx: Ctx, input: z.infer<typeof ProjectTimelineInput>) {
  if (input.status !== undefined) await assertStatus(ctx, 'engagement', input.status);
  if (input.company_id && !(await fetchRow(ctx, resource('companies'), input.company_id))) throw notFound('company', input.company_id);
  const scope = await visibilityScope(ctx);
  const found = await rows<{ id: string; name: string | null; status: string; priority: string; company_id: string; company_name: string | null; start_date: string | null; go_live_date: string | null; end_date: string | null }>(ctx, sql`
    select e.id, e.name, e.status, e.priority, e.company_id, c.name as company_name,
      e.start_date::text as start_date, e.go_live_date::text as go_live_date, e.end_date::text as end_date
    from engagements e
    left join companies c on c.id = e.company_id and ${seen('companies', scope, 'c')}
    where e.archived_at is null and ${seen('engagements', scope, 'e')}
      and ${input.company_id ? sql`e.company_id = ${input.company_id}::uuid` : sql`true`}
      and ${input.status !== undefined ? sql`e.status = ${input.status}` : sql`true`}
    order by e.start_date nulls last, e.end_date nulls last, e.name, e.id
    limit ${TIMELINE_LIMIT + 1}`);
  const truncated = found.length > TIMELINE_LIMIT;
  const engagements = found.slice(0, TIMELINE_LIMIT);
  const milestones = engagements.length
    ? await rows<{ id: string; engagement_id: string; name: string; position: number; status: string; due_date: string | null; completed_date: string | null; kpi: string | null; kpi_target: string | null; kpi_actual: string | null }>(ctx, sql`
        select m.id, m.engagement_id, m.name, m.position, m.status, m.due_date::text as due_date, m.completed_date::text as completed_date,
          m.kpi, m.kpi_target, m.kpi_actual
        from engagement_milestones m
        where m.engagement_id = any(${uuidArray(engagements.map((e) => e.id))}) and m.archived_at is null
          and ${seen('engagement_milestones', scope, 'm')}
        order by m.engagement_id, m.position, m.due_date nulls last, m.created_at, m.id`)
    : [];
  const days = (a: string | null, b: string | null) => (a && b ? daysBetween(a, b) : null);
  return {
    filters: { company_id: input.company_id ?? null, status: input.status ?? null },
    truncated,
    items: engagements.map((e) => ({
      ...e,
      duration_days: days(e.start_date, e.end_date),
      milestones: milestones.filter((m) => m.engagement_id === e.id).map(({ engagement_id: _e, ...m }) => m),
    })),
  };
}
