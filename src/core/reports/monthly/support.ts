/** Support in a month: tickets opened, resolved and still open, with the time they took. */
import { sql, type SQL } from 'drizzle-orm';
import type { SupportSection, TicketLine } from '../types.ts';
import { endInstant, startInstant, type Month } from '../rules.ts';
import { msOf, num, str, type Raw } from './db.ts';
import { uuidArray } from '../../sql-arrays.ts';
import { hoursFromMs } from '../../delivery/tickets.ts';
import { cents, decimal2 } from './exact.ts';

export type TicketRow = {
  id: string;
  engagement_id: string;
  ticket_number: string;
  subject: string | null;
  category: string;
  priority: string;
  status: string;
  /** Epoch milliseconds. */
  requested: number;
  resolved: number | null;
  hours_spent: string | null;
};

/** Tickets that were open at some point of the months from..to, on (engagement_id, request_date). */
export function ticketSource(ids: readonly string[], from: Month, to: Month): SQL {
  return sql`select id, engagement_id, ticket_number, subject, category, priority, status, ${msOf('request_date')} as requested,
      ${msOf('resolved_at')} as resolved, hours_spent::text as hours_spent
    from support_tickets
    where engagement_id = any(${uuidArray(ids)}) and request_date < ${endInstant(to)}::timestamptz
      and (resolved_at is null or resolved_at >= ${startInstant(from)}::timestamptz) and archived_at is null`;
}

/** Oldest first. */
export function readTickets(rows: Raw[]): TicketRow[] {
  return rows
    .map((r) => ({
      id: String(r.id),
      engagement_id: String(r.engagement_id),
      ticket_number: String(r.ticket_number),
      subject: str(r.subject),
      category: String(r.category),
      priority: String(r.priority),
      status: String(r.status),
      requested: Number(r.requested),
      resolved: num(r.resolved),
      hours_spent: str(r.hours_spent),
    }))
    .sort((a, b) => a.requested - b.requested || (a.ticket_number < b.ticket_number ? -1 : a.ticket_number > b.ticket_number ? 1 : 0));
}

type Bounds = { from: number; to: number };
const bounds = (m: Month): Bounds => ({ from: Date.parse(startInstant(m)), to: Date.parse(endInstant(m)) });
const within = (ms: number | null, b: Bounds) => ms !== null && ms >= b.from && ms < b.to;

export function ticketCounts(tickets: readonly TicketRow[], month: Month): { opened: number; resolved: number; open_at_month_end: number } {
  const b = bounds(month);
  let opened = 0;
  let resolved = 0;
  let open = 0;
  for (const t of tickets) {
    if (within(t.requested, b)) opened++;
    if (within(t.resolved, b)) resolved++;
    if (t.requested < b.to && (t.resolved === null || t.resolved >= b.to)) open++;
  }
  return { opened, resolved, open_at_month_end: open };
}

export function supportSection(tickets: readonly TicketRow[], month: Month): SupportSection {
  const b = bounds(month);
  const counts = ticketCounts(tickets, month);
  const categories = new Map<string, number>();
  const durations: bigint[] = [];
  let spent = 0n;
  const lines: TicketLine[] = [];
  for (const t of tickets) {
    const opened = within(t.requested, b);
    const resolved = within(t.resolved, b);
    if (opened) categories.set(t.category, (categories.get(t.category) ?? 0) + 1);
    if (resolved) {
      durations.push(BigInt(t.resolved! - t.requested));
      if (t.hours_spent !== null) spent += cents(t.hours_spent);
    }
    if (!opened && !resolved) continue;
    lines.push({
      id: t.id,
      ticket_number: t.ticket_number,
      subject: t.subject,
      category: t.category,
      priority: t.priority,
      status: t.status,
      request_date: new Date(t.requested).toISOString(),
      resolved_at: t.resolved === null ? null : new Date(t.resolved).toISOString(),
      hours_to_resolve: t.resolved === null ? null : hoursFromMs(BigInt(t.resolved - t.requested)),
      hours_spent: t.hours_spent,
    });
  }
  durations.sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
  const n = durations.length;
  // The median of the exact durations, rounded once: the mean of the middle two when n is even.
  const median = n === 0 ? null : n % 2 ? hoursFromMs(durations[(n - 1) / 2]!) : hoursFromMs(durations[n / 2 - 1]! + durations[n / 2]!, 2n);
  return {
    opened: counts.opened,
    resolved: counts.resolved,
    open_at_month_end: counts.open_at_month_end,
    hours_spent: decimal2(spent),
    median_hours_to_resolve: median,
    by_category: [...categories.entries()]
      .sort(([ca, a], [cb, bb]) => bb - a || ca.localeCompare(cb))
      .map(([category, opened]) => ({ category, opened })),
    tickets: lines,
  };
}
