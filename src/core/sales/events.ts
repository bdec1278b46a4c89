/**
 * Events (seed 003): who from which company came, checking people in, and an event's
 * attendance with the interactions and outreach drafts tied to it.
 *
 * An attendee is a contact; `company_id` says which company they came from. It is filled from
 * the contact's company when not given, and when given it must be that company: the point of
 * the column is to count attendance by account, and a company typed by hand that disagrees
 * with the contact would count them for the wrong one. Only a contact with no company may be
 * given one (the company they came with). The row keeps the company they came from even if
 * the contact later moves.
 */
import { and, eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import { ATTENDEE_STATUSES, DRAFT_STATUSES, event_attendees } from '../../db/schema/marketing.ts';
import { contacts } from '../../db/schema/sales.ts';
import { queryRows, withTx, type Ctx } from '../context.ts';
import { AppError, invalid, notFound } from '../errors.ts';
import { isUuid } from '../fields.ts';
import { visibilityScope, visibleCondition } from '../platform/visibility.ts';
import { applyUpdate, fetchRow, getRecord, insertRecord, listRecords, restoreRecord, type Row } from '../resource.ts';
import { resource } from '../resources.ts';
import { logInteraction, touchLastContacted } from './workflow.ts';


/** The type of the interaction a check-in logs (event_id says which event). */
export const CHECK_IN_INTERACTION_TYPE = 'event';

function wrongCompany(contact: Row): AppError {
  return invalid([
    {
      field: 'company_id',
      message: `must be the contact's company (${String(contact.company_id)}): leave it out and it is filled in`,
    },
  ]);
}

/**
 * Before an attendee is created: the contact is one the caller can see and not archived, the
 * company is the contact's (filled in when not given), and the contact is not already an
 * attendee of the event (the unique index would refuse it less clearly).
 */
export async function attendeeBeforeInsert(ctx: Ctx, values: Row): Promise<Row> {
  const contact = await fetchRow(ctx, resource('contacts'), values.contact_id as string);
  if (!contact) throw invalid([{ field: 'contact_id', message: 'does not name a contact that you can see' }]);
  if (contact.archived_at !== null) throw invalid([{ field: 'contact_id', message: 'names an archived contact; restore it first' }]);
  const out = { ...values };
  if (out.company_id === undefined || out.company_id === null) out.company_id = contact.company_id ?? null;
  else if (contact.company_id !== null && out.company_id !== contact.company_id) throw wrongCompany(contact);
  const [existing] = await queryRows<{ id: string; status: string }>(
    ctx,
    sql`select id, status from event_attendees where event_id = ${values.event_id as string}::uuid and contact_id = ${values.contact_id as string}::uuid`,
  );
  if (existing) {
    throw new AppError('CONFLICT', `contact_id: ${String(contact.name)} is already an attendee of this event (${existing.status}, event attendee ${existing.id}); change that attendee instead`, {
      details: { fields: [{ field: 'contact_id', message: `is already an attendee of this event (${existing.id})` }] },
    });
  }
  return out;
}

/** A changed company must still be the contact's. */
export async function attendeeAfterWrite(ctx: Ctx, row: Row, before: Row | undefined): Promise<void> {
  if (!before || row.company_id === before.company_id || row.company_id === null) return;
  const [contact] = await ctx.db.select().from(contacts).where(eq(contacts.id, row.contact_id as string));
  if (contact && contact.company_id !== null && contact.company_id !== row.company_id) throw wrongCompany(contact as Row);
}

// ---------------------------------------------------------------------------
// events.attendance

export const AttendanceInput = z.strictObject({ event_id: z.string().max(200) });

const countsBy = (rows: { status: string }[]) => {
  const out: Record<string, number> = Object.fromEntries(ATTENDEE_STATUSES.map((s) => [s, 0]));
  for (const r of rows) out[r.status] = (out[r.status] ?? 0) + 1;
  return out;
};

type AttendeeRow = { id: string; contact_id: string; company_id: string | null; company_name: string | null; name: string; title: string | null; status: string; role: string | null };

/** Who came from which company, counts by status, and what the event led to (interactions, drafts). */
export async function eventAttendance(ctx: Ctx, input: z.infer<typeof AttendanceInput>) {
  const event = await getRecord(ctx, resource('events'), input.event_id);
  const id = event.id as string;
  const rows = await queryRows<AttendeeRow>(
    ctx,
    sql`select a.id, a.contact_id, a.company_id, co.name as company_name, c.name, c.role_title as title, a.status, a.role
        from event_attendees a join contacts c on c.id = a.contact_id left join companies co on co.id = a.company_id
        where a.event_id = ${id}::uuid and a.archived_at is null
        order by co.name nulls last, a.company_id, c.name, a.id`,
  );
  const groups = new Map<string | null, { company_id: string | null; company_name: string | null; attendees: Omit<AttendeeRow, 'company_id' | 'company_name'>[] }>();
  for (const r of rows) {
    const g = groups.get(r.company_id) ?? { company_id: r.company_id, company_name: r.company_name, attendees: [] };
    g.attendees.push({ id: r.id, contact_id: r.contact_id, name: r.name, title: r.title, status: r.status, role: r.role });
    groups.set(r.company_id, g);
  }

  const interactionsRes = resource('interactions');
  const visible = visibleCondition(interactionsRes, await visibilityScope(ctx));
  const [counted] = await queryRows<{ n: number }>(
    ctx,
    sql`select count(*)::int as n from interactions where event_id = ${id}::uuid and archived_at is null${visible ? sql` and ${visible}` : sql``}`,
  );
  const latest = await listRecords(ctx, interactionsRes, { filters: [{ field: 'event_id', op: 'eq', value: id }], sort: '-interaction_date', limit: 20 });
  const drafts = await queryRows<{ status: string; n: number }>(
    ctx,
    sql`select status, count(*)::int as n from outreach_drafts where event_id = ${id}::uuid and archived_at is null group by status`,
  );
  const draftsByStatus: Record<string, number> = Object.fromEntries(DRAFT_STATUSES.map((s) => [s, 0]));
  for (const d of drafts) draftsByStatus[d.status] = Number(d.n);

  return {
    event,
    totals: { attendees: rows.length, companies: groups.size, by_status: countsBy(rows) },
    companies: [...groups.values()].map((g) => ({ ...g, counts: countsBy(g.attendees) })),
    interactions: { total: Number(counted?.n ?? 0), latest: latest.items },
    outreach_drafts: { total: drafts.reduce((s, d) => s + Number(d.n), 0), by_status: draftsByStatus },
  };
}

// ---------------------------------------------------------------------------
// events.check_in

export const CheckInInput = z.strictObject({
  event_id: z.string().max(200),
  contact_id: z.string().max(200),
  role: z.string().max(200).optional().describe('their role at the event (speaker, guest…), when they are added'),
  notes: z.string().max(10_000).optional().describe('what to remember about them from the event (kept on the attendee and the interaction)'),
});
export type CheckInInput = z.infer<typeof CheckInInput>;

/**
 * Marks a contact as having attended: their attendee row becomes `attended` (or is added,
 * when they came unregistered), and an interaction at the event is logged for the contact and
 * their company, as sales.log_interaction logs one. Checking in someone already attended
 * changes nothing and logs nothing.
 */
export async function checkIn(ctx: Ctx, input: CheckInInput) {
  if (!isUuid(input.event_id)) throw notFound('event', input.event_id);
  if (!isUuid(input.contact_id)) throw notFound('contact', input.contact_id);
  return withTx(ctx, async (tx) => {
    const event = await fetchRow(tx, resource('events'), input.event_id, true);
    if (!event || event.archived_at !== null) throw notFound('event', input.event_id);
    if (event.status === 'cancelled') {
      throw new AppError('CONFLICT', 'event_id: the event is cancelled; nobody can be checked in', {
        details: { fields: [{ field: 'event_id', message: 'names a cancelled event' }] },
      });
    }
    const contact = await fetchRow(tx, resource('contacts'), input.contact_id);
    if (!contact) throw notFound('contact', input.contact_id);
    const attendeesRes = resource('event_attendees');
    const [existing] = await tx.db
      .select()
      .from(event_attendees)
      .where(and(eq(event_attendees.event_id, event.id as string), eq(event_attendees.contact_id, contact.id as string)))
      .for('update');
    if (existing && existing.status === 'attended' && existing.archived_at === null) {
      return { attendee: existing as Row, added: false, already_attended: true, interaction: null };
    }
    let attendee: Row;
    if (!existing) {
      attendee = await insertRecord(
        tx,
        attendeesRes,
        { event_id: event.id, contact_id: contact.id, status: 'attended', ...(input.role !== undefined ? { role: input.role } : {}), ...(input.notes !== undefined ? { notes: input.notes } : {}) },
        'events.check_in',
      );
    } else {
      // An archived attendee who turns up after all is theirs again.
      if (existing.archived_at !== null) await restoreRecord(tx, attendeesRes, existing.id);
      attendee = await applyUpdate(tx, attendeesRes, existing.id, { status: 'attended', ...(input.notes !== undefined ? { notes: input.notes } : {}) }, { operation: 'events.check_in' });
    }
    const interaction = {
      type: CHECK_IN_INTERACTION_TYPE,
      event_id: event.id,
      subject: `Attended ${String(event.name)}`,
      summary: input.notes ?? `Checked in at ${String(event.name)}${event.location ? `, ${String(event.location)}` : ''}.`,
    };
    let logged: Row;
    if (contact.company_id) {
      logged = (await logInteraction(tx, { company_id: contact.company_id as string, contact_id: contact.id as string, interaction })).interaction;
    } else {
      logged = await insertRecord(tx, resource('interactions'), { ...interaction, contact_id: contact.id }, 'events.check_in');
      await touchLastContacted(tx, contact.id as string, logged.interaction_date as Date);
    }
    return { attendee, added: !existing, already_attended: false, interaction: logged };
  });
}
