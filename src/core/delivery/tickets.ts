/**
 * Support tickets (seeds 000 + 002): the status flow, the resolution stamps, and the
 * resolve / close / reopen verbs. The rules live in `prepareTicket`, the support_tickets
 * resource's `prepare`, so the generic create and PATCH obey them as the verbs do.
 *
 *   open ──▶ in_progress | waiting | resolved | closed
 *   in_progress ──▶ waiting | resolved | open
 *   waiting ──▶ in_progress | resolved
 *   resolved ──▶ closed | open (reopen) | in_progress
 *   closed: final. A closed ticket's figures (hours, time to resolve) stay settled for the
 *   monthly report; a problem that comes back after closing is a new ticket. A ticket that
 *   needs more work after it was resolved is reopened before it is closed.
 *
 * - Moving to `resolved` needs a `resolution` and stamps `resolved_at` (now unless given; never
 *   before `request_date`). While resolved, neither may be cleared. A resolved_at ahead of the
 *   server clock is accepted: clients' clocks and time zones differ, and the database only
 *   guarantees the order against request_date.
 * - Leaving `resolved` for `open` or `in_progress` clears `resolved_at`, and `resolution` unless
 *   the same write gives one (the audit log keeps the old one; reopen also copies it to notes).
 * - `open → closed` drops a ticket without resolving it (duplicate, spam): resolved_at stays empty.
 * - An open, in-progress or waiting ticket has no `resolved_at`.
 * - A new ticket may start in any status (imports). One created `resolved` gets resolved_at now
 *   unless given; its resolution may be missing (older records often have none).
 * - A refused move is a 409 with a field error on `status` naming the allowed moves.
 */
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { TICKET_CATEGORIES, TICKET_PRIORITIES, TICKET_STATUSES } from '../../db/schema/delivery.ts';
import { localDate, withTx, type Ctx } from '../context.ts';
import { AppError, invalid, notFound, type FieldError } from '../errors.ts';
import { divRound, fromUnits } from '../assessment/roi.ts';
import { visibilityScope, visibleCondition } from '../platform/visibility.ts';
import { emitRecordEvent } from '../platform/webhooks.ts';
import { applyUpdate, fetchRow, type Row } from '../resource.ts';
import { resource } from '../resources.ts';

export type TicketStatus = (typeof TICKET_STATUSES)[number];

// Function declarations and values read only when called: resources.ts imports this module
// for prepareTicket, so it may run before this module has finished loading.

/** Where a ticket may go from each status. */
export const TICKET_MOVES: Record<TicketStatus, readonly TicketStatus[]> = {
  open: ['in_progress', 'waiting', 'resolved', 'closed'],
  in_progress: ['waiting', 'resolved', 'open'],
  waiting: ['in_progress', 'resolved'],
  resolved: ['closed', 'open', 'in_progress'],
  closed: [],
};

/** Statuses in which a ticket is still being worked (the same set the health score counts). */
export const OPEN_TICKET_STATUSES: readonly TicketStatus[] = ['open', 'in_progress', 'waiting'];

/**
 * Refuses a status move the table does not allow, naming the allowed ones (shared by tickets
 * and invoices). Staying put is no move for a generic update (`sameIsNoop`); a verb asking for it is refused.
 */
export function assertMove(what: string, moves: Record<string, readonly string[]>, from: string, to: string, sameIsNoop = false): void {
  if (from === to && sameIsNoop) return;
  const allowed = moves[from] ?? [];
  if (allowed.includes(to)) return;
  const list = allowed.length ? allowed.join(', ') : 'none (it is final)';
  throw new AppError('CONFLICT', `status: ${what} cannot move from ${from} to ${to}; allowed next: ${list}`, {
    details: { fields: [{ field: 'status', message: `cannot move from ${from} to ${to}; allowed next: ${list}` }], from, to, allowed: [...allowed] },
  });
}

const given = (values: Row, key: string) => key in values && values[key] !== undefined;
const asDate = (v: unknown): Date | null => (v === null || v === undefined ? null : v instanceof Date ? v : new Date(String(v)));
const blank = (v: unknown) => v === null || v === undefined || (typeof v === 'string' && v.trim() === '');

/** The support_tickets resource's `prepare`: the status flow and resolution stamps on every write path. */
export function prepareTicket(values: Row, existing: Row | undefined, ctx: Ctx): Row {
  const from = existing ? (existing.status as TicketStatus) : undefined;
  const to = ((values.status as TicketStatus | undefined) ?? from ?? 'open') as TicketStatus;
  if (from && given(values, 'status')) assertMove('a ticket', TICKET_MOVES, from, to, true);
  const out: Row = { ...values };
  const errors: FieldError[] = [];
  const now = ctx.now();
  const requestDate = asDate(given(values, 'request_date') ? values.request_date : existing?.request_date) ?? now;
  // One reading of the clock for both defaults, so a ticket created resolved never looks resolved before it was requested.
  if (!existing && !given(values, 'request_date')) out.request_date = now;
  const enteringResolved = to === 'resolved' && from !== 'resolved';

  if (to === 'resolved' || to === 'closed') {
    let resolvedAt = asDate(given(values, 'resolved_at') ? values.resolved_at : existing?.resolved_at);
    if (enteringResolved) resolvedAt = asDate(values.resolved_at) ?? now;
    if (to === 'resolved' && resolvedAt === null && given(values, 'resolved_at')) {
      errors.push({ field: 'resolved_at', message: 'cannot be cleared while the ticket is resolved' });
    }
    if (resolvedAt !== null) {
      if (resolvedAt.getTime() < requestDate.getTime()) {
        errors.push({ field: given(values, 'resolved_at') ? 'resolved_at' : 'request_date', message: `resolved_at must not be before request_date (${requestDate.toISOString()})` });
      }
      if (enteringResolved || given(values, 'resolved_at')) out.resolved_at = resolvedAt;
    }
    const resolution = given(values, 'resolution') ? values.resolution : existing?.resolution;
    // Required on a move into resolved and whenever a write touches it; an import may leave it out.
    if (to === 'resolved' && blank(resolution) && (given(values, 'resolution') || (existing && enteringResolved))) {
      errors.push({ field: 'resolution', message: 'is required to resolve a ticket: say what was done' });
    }
  } else {
    if (given(values, 'resolved_at') && values.resolved_at !== null) {
      errors.push({ field: 'resolved_at', message: `is stamped when the ticket is resolved; a ${to} ticket has none` });
    }
    if (from === 'resolved') {
      out.resolved_at = null;
      if (!given(values, 'resolution')) out.resolution = null;
    }
  }
  if (errors.length) throw invalid(errors);
  return out;
}

// ---------------------------------------------------------------------------
// Verbs

const ticketsRes = () => resource('support_tickets');
const id = z.uuid({ message: 'must be a UUID' });
const version = z.int().min(1).optional().describe('refuse (412) if the ticket changed since this version');
const hoursInput = z
  .union([z.string(), z.number()])
  .transform((v, c) => {
    const s = typeof v === 'number' ? (Number.isFinite(v) ? String(v) : 'NaN') : v.trim();
    if (!/^\d{1,6}(\.\d{1,2})?$/.test(s)) {
      c.addIssue({ code: 'custom', message: 'must be a non-negative number of hours with at most 6 digits before the point and 2 after' });
      return z.NEVER;
    }
    return s;
  });
const instant = z.iso
  .datetime({ offset: true, message: 'must be an ISO 8601 date-time with a time zone, e.g. 2026-03-01T09:30:00Z' })
  .transform((s) => new Date(s));

export const ResolveTicketInput = z.strictObject({
  id,
  resolution: z.string().trim().min(1, 'is required: say what was done').max(20_000),
  hours_spent: hoursInput.optional().describe('total hours spent on the ticket'),
  resolved_at: instant.optional().describe('default now; not before request_date'),
  expected_version: version,
});
export const CloseTicketInput = z.strictObject({ id, expected_version: version });
export const ReopenTicketInput = z.strictObject({
  id,
  reason: z.string().trim().min(1, 'must not be empty').max(5_000).optional().describe('why it was reopened; added to the notes'),
  expected_version: version,
});

/** The support_tickets resource's afterWrite: webhook subscribers hear of a new ticket and of one resolved, on every write path. */
export async function announceTicket(ctx: Ctx, row: Row, before: Row | undefined): Promise<void> {
  if (!before) await emitRecordEvent(ctx, 'ticket.created', row);
  if (row.status === 'resolved' && before?.status !== 'resolved') await emitRecordEvent(ctx, 'ticket.resolved', row);
}

async function lockTicket(ctx: Ctx, ticketId: string): Promise<Row> {
  const t = await fetchRow(ctx, ticketsRes(), ticketId, true);
  if (!t || t.archived_at !== null) throw notFound('support ticket', ticketId);
  return t;
}

const opts = (operation: string, v: number | undefined) => ({ operation, ...(v !== undefined ? { expectedVersion: v } : {}) });

/** Hours from request to resolution, to 0.01 h (half up); null while unresolved. */
export function hoursToResolve(ticket: Row): string | null {
  const from = asDate(ticket.request_date);
  const to = asDate(ticket.resolved_at);
  if (!from || !to) return null;
  return hoursFromMs(BigInt(to.getTime() - from.getTime()));
}

const MS_PER_HOUR = 3_600_000n;

/** Milliseconds (summed over `count` tickets) → mean hours as a decimal string, to 0.01 h, half away from zero. */
export function hoursFromMs(ms: bigint, count = 1n): string {
  return fromUnits(divRound(ms * 100n, MS_PER_HOUR * count), 2);
}

/** open, in_progress or waiting → resolved, with what was done (and the hours, if given). */
export async function resolveTicket(ctx: Ctx, input: z.infer<typeof ResolveTicketInput>) {
  return withTx(ctx, async (tx) => {
    const t = await lockTicket(tx, input.id);
    assertMove('a ticket', TICKET_MOVES, String(t.status), 'resolved');
    const changes: Row = { status: 'resolved', resolution: input.resolution };
    if (input.hours_spent !== undefined) changes.hours_spent = input.hours_spent;
    if (input.resolved_at !== undefined) changes.resolved_at = input.resolved_at;
    const ticket = await applyUpdate(tx, ticketsRes(), input.id, changes, opts('support.resolve_ticket', input.expected_version));
    return { ticket, hours_to_resolve: hoursToResolve(ticket) };
  });
}

/** resolved (or open, to drop it unresolved) → closed; closed is final. */
export async function closeTicket(ctx: Ctx, input: z.infer<typeof CloseTicketInput>) {
  return withTx(ctx, async (tx) => {
    const t = await lockTicket(tx, input.id);
    assertMove('a ticket', TICKET_MOVES, String(t.status), 'closed');
    const ticket = await applyUpdate(tx, ticketsRes(), input.id, { status: 'closed' }, opts('support.close_ticket', input.expected_version));
    return { ticket };
  });
}

/** resolved → open: resolved_at and resolution are cleared; the reason and the old resolution go to the notes. */
export async function reopenTicket(ctx: Ctx, input: z.infer<typeof ReopenTicketInput>) {
  return withTx(ctx, async (tx) => {
    const t = await lockTicket(tx, input.id);
    // Only a resolved ticket is reopened: one still being worked has nothing to reopen, a closed one is final.
    if (t.status !== 'resolved') {
      const why = t.status === 'closed' ? 'is closed, which is final; open a new ticket' : `is ${String(t.status)}: only a resolved ticket is reopened`;
      throw new AppError('CONFLICT', `status: ${why}`, {
        details: { fields: [{ field: 'status', message: why }], from: t.status, to: 'open', allowed: [...TICKET_MOVES[t.status as TicketStatus]] },
      });
    }
    const line = [`Reopened ${localDate(tx)}`, input.reason ? `: ${input.reason}` : '', t.resolution ? ` (previous resolution: ${String(t.resolution)})` : ''].join('');
    const notes = blank(t.notes) ? line : `${String(t.notes)}\n${line}`;
    const ticket = await applyUpdate(tx, ticketsRes(), input.id, { status: 'open', notes }, opts('support.reopen_ticket', input.expected_version));
    return { ticket };
  });
}

// ---------------------------------------------------------------------------
// Metrics

const isoDate = z.iso.date({ message: 'must be a real calendar date as YYYY-MM-DD' });

export const TicketMetricsInput = z.strictObject({
  engagement_id: id.optional().describe("only this engagement's tickets"),
  company_id: id.optional().describe("only this company's tickets"),
  from: isoDate.optional().describe('first day counted (in the instance time zone); default: no lower bound'),
  to: isoDate.optional().describe('last day counted, inclusive; default: no upper bound'),
});

export const TICKET_METRICS_RULE =
  'opened: tickets whose request_date falls in [from, to] (calendar days in the instance time zone); by_status, by_category and by_priority count those. resolved: tickets whose resolved_at falls in the range (a reopened ticket has none); hours_spent is theirs (as in the monthly report), and hours to resolve = resolved_at − request_date over them, mean and median to 0.01 h (half up). open_now: tickets open, in_progress or waiting today, whatever the range. Only tickets you can see, never archived ones.';

const zeros = (keys: readonly string[]) => Object.fromEntries(keys.map((k) => [k, 0])) as Record<string, number>;

/** Support figures for a period, over the tickets the caller may see. */
export async function ticketMetrics(ctx: Ctx, input: z.infer<typeof TicketMetricsInput>) {
  if (input.from && input.to && input.to < input.from) throw invalid([{ field: 'to', message: `must not be before from (${input.from})` }]);
  // A company or engagement the caller cannot see does not exist for them.
  if (input.company_id && !(await fetchRow(ctx, resource('companies'), input.company_id))) throw notFound('company', input.company_id);
  if (input.engagement_id && !(await fetchRow(ctx, resource('engagements'), input.engagement_id))) throw notFound('engagement', input.engagement_id);
  const visible = visibleCondition(ticketsRes(), await visibilityScope(ctx), 't') ?? sql`true`;
  const base = sql`t.archived_at is null and ${visible}
    and ${input.company_id ? sql`t.company_id = ${input.company_id}::uuid` : sql`true`}
    and ${input.engagement_id ? sql`t.engagement_id = ${input.engagement_id}::uuid` : sql`true`}`;
  const tz = ctx.timeZone;
  const inRange = (col: string) =>
    sql`${input.from ? sql`${sql.raw(col)} >= ((${input.from}::date)::timestamp at time zone ${tz})` : sql`true`}
      and ${input.to ? sql`${sql.raw(col)} < ((${input.to}::date + 1)::timestamp at time zone ${tz})` : sql`true`}`;
  const ms = sql`(extract(epoch from (t.resolved_at - t.request_date)) * 1000)::bigint`;
  const rows = async <T>(q: ReturnType<typeof sql>) => ((await ctx.db.execute(q)) as unknown as { rows: T[] }).rows;

  const opened = await rows<{ status: string; category: string; priority: string; n: number }>(sql`
    select t.status, t.category, t.priority, count(*)::int as n
    from support_tickets t where ${base} and ${inRange('t.request_date')}
    group by t.status, t.category, t.priority`);
  const resolvedWhere = sql`${base} and t.resolved_at is not null and ${inRange('t.resolved_at')}`;
  const [res] = await rows<{ n: number; ms: string; hours: string }>(sql`
    select count(*)::int as n, coalesce(sum(${ms}), 0)::text as ms, coalesce(sum(t.hours_spent), 0)::text as hours
    from support_tickets t where ${resolvedWhere}`);
  const [now] = await rows<{ n: number }>(sql`
    select count(*)::int as n from support_tickets t
    where ${base} and t.status in (${sql.join(OPEN_TICKET_STATUSES.map((s) => sql`${s}`), sql`, `)})`);

  const n = res!.n;
  let median: string | null = null;
  if (n > 0) {
    const middle = await rows<{ ms: string }>(sql`
      select ${ms}::text as ms from support_tickets t where ${resolvedWhere}
      order by ${ms}, t.id limit 2 offset ${Math.floor((n - 1) / 2)}::int`);
    const a = BigInt(middle[0]!.ms);
    median = n % 2 === 1 ? hoursFromMs(a) : hoursFromMs(a + BigInt(middle[1]!.ms), 2n);
  }
  const byStatus = zeros(TICKET_STATUSES);
  const byCategory = zeros(TICKET_CATEGORIES);
  const byPriority = zeros(TICKET_PRIORITIES);
  let count = 0;
  for (const r of opened) {
    byStatus[r.status] = (byStatus[r.status] ?? 0) + r.n;
    byCategory[r.category] = (byCategory[r.category] ?? 0) + r.n;
    byPriority[r.priority] = (byPriority[r.priority] ?? 0) + r.n;
    count += r.n;
  }
  return {
    filters: { engagement_id: input.engagement_id ?? null, company_id: input.company_id ?? null, from: input.from ?? null, to: input.to ?? null, time_zone: tz },
    rule: TICKET_METRICS_RULE,
    opened: count,
    resolved: n,
    open_now: now!.n,
    by_status: byStatus,
    by_category: byCategory,
    by_priority: byPriority,
    hours_spent: res!.hours,
    mean_hours_to_resolve: n > 0 ? hoursFromMs(BigInt(res!.ms), BigInt(n)) : null,
    median_hours_to_resolve: median,
  };
}
