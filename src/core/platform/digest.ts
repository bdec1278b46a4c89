/**
 * The daily digest: for one user, the follow-ups due today or overdue on records they own or
 * are assigned, meetings and training sessions in the next two days, and the support tickets
 * waiting on them. The worker mails it once a day (src/worker/digest-drain.ts); the web app
 * can show the same list.
 */
import { and, asc, desc, eq, gte, inArray, isNull, lt, or, sql } from 'drizzle-orm';
import { engagements, support_tickets, TICKET_PRIORITIES, training_sessions } from '../../db/schema/delivery.ts';
import { users } from '../../db/schema/platform.ts';
import { companies, interactions, leads } from '../../db/schema/sales.ts';
import { localDate, type Ctx } from '../context.ts';
import { actingUserId, requireRole } from '../identity/roles.ts';
import { loadUser } from '../identity/user-record.ts';
import { followUpsDue } from '../sales/workflow.ts';
import type { DigestData } from './email-templates.ts';

/** How far ahead meetings and training sessions are listed. */
export const DIGEST_AHEAD_MS = 2 * 24 * 60 * 60 * 1000;
/** At most this many lines per section; the rest is in the web app. */
const SECTION_LIMIT = 50;

export type Digest = Omit<DigestData, 'kind' | 'recipient_name'> & { user_id: string; total: number };

/** Text from the database clipped to what the email's data shape allows; empty becomes null. */
function clip(value: unknown, max: number): string | null {
  if (typeof value !== 'string') return null;
  const s = value.trim();
  if (!s) return null;
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

/** The digest's items for a user: yours, or anyone's for an administrator (and the worker). */
export async function digestFor(ctx: Ctx, userId: string): Promise<Digest> {
  if (actingUserId(ctx.actor) !== userId) requireRole(ctx, 'admin', "Reading another user's digest");
  const user = await loadUser(ctx, userId);
  const now = ctx.now();
  const until = new Date(now.getTime() + DIGEST_AHEAD_MS);
  const today = localDate(ctx, now);

  const due = await followUpsDue(ctx, { from: today, to: today, include_overdue: true, owner_id: userId, limit: SECTION_LIMIT });
  const follow_ups = due.items.map((f) => ({
    interaction_id: f.interaction_id,
    company_id: (f.company?.id as string | undefined) ?? null,
    company_name: clip(f.company?.name, 200),
    contact_name: clip(f.contact?.name, 200),
    follow_up_date: f.follow_up_date,
    days_overdue: f.days_overdue,
    next_step: clip(f.last_interaction.next_step, 300),
    summary: clip(f.last_interaction.summary, 300),
  }));

  const meetingRows = await ctx.db
    .select({
      id: interactions.id,
      scheduled_at: interactions.scheduled_at,
      subject: interactions.subject,
      meeting_type: interactions.meeting_type,
      company_id: companies.id,
      company_name: companies.name,
    })
    .from(interactions)
    .leftJoin(companies, eq(companies.id, interactions.company_id))
    .where(
      and(
        eq(interactions.type, 'meeting'),
        eq(interactions.meeting_status, 'scheduled'),
        isNull(interactions.archived_at),
        gte(interactions.scheduled_at, now),
        lt(interactions.scheduled_at, until),
        or(eq(interactions.assigned_to, userId), eq(companies.owner_id, userId)),
      ),
    )
    .orderBy(asc(interactions.scheduled_at), asc(interactions.id))
    .limit(SECTION_LIMIT);
  const meetings = meetingRows.map((m) => ({
    id: m.id,
    scheduled_at: m.scheduled_at!.toISOString(),
    subject: clip(m.subject, 200),
    meeting_type: m.meeting_type,
    company_id: m.company_id,
    company_name: clip(m.company_name, 200),
  }));

  // delivered_by is free text: the trainer's name or email, compared without case.
  const trainer = [user.name, user.email].map((s) => (s ?? '').trim().toLowerCase()).filter(Boolean);
  const trainingRows = await ctx.db
    .select({
      id: training_sessions.id,
      scheduled_date: training_sessions.scheduled_date,
      title: training_sessions.title,
      engagement_id: engagements.id,
      engagement_name: engagements.name,
      company_name: companies.name,
    })
    .from(training_sessions)
    .innerJoin(engagements, eq(engagements.id, training_sessions.engagement_id))
    .leftJoin(companies, eq(companies.id, engagements.company_id))
    .where(
      and(
        inArray(training_sessions.status, ['scheduled', 'rescheduled']),
        isNull(training_sessions.archived_at),
        isNull(engagements.archived_at),
        gte(training_sessions.scheduled_date, now),
        lt(training_sessions.scheduled_date, until),
        or(
          eq(engagements.owner_id, userId),
          eq(engagements.assigned_to, userId),
          trainer.length ? inArray(sql`lower(trim(${training_sessions.delivered_by}))`, trainer) : sql`false`,
        ),
      ),
    )
    .orderBy(asc(training_sessions.scheduled_date), asc(training_sessions.id))
    .limit(SECTION_LIMIT);
  const trainings = trainingRows.map((t) => ({
    id: t.id,
    scheduled_date: t.scheduled_date!.toISOString(),
    title: clip(t.title, 200),
    engagement_id: t.engagement_id,
    engagement_name: clip(t.engagement_name, 200),
    company_name: clip(t.company_name, 200),
  }));

  const priorityRank = sql`array_position(${sql.raw(`array[${[...TICKET_PRIORITIES].reverse().map((p) => `'${p}'`).join(',')}]`)}::text[], ${support_tickets.priority})`;
  const ticketRows = await ctx.db
    .select({
      id: support_tickets.id,
      ticket_number: support_tickets.ticket_number,
      subject: support_tickets.subject,
      priority: support_tickets.priority,
      status: support_tickets.status,
      company_name: companies.name,
    })
    .from(support_tickets)
    .leftJoin(companies, eq(companies.id, support_tickets.company_id))
    .where(
      and(
        eq(support_tickets.assigned_to, userId),
        inArray(support_tickets.status, ['open', 'in_progress', 'waiting']),
        isNull(support_tickets.archived_at),
      ),
    )
    .orderBy(asc(priorityRank), asc(support_tickets.request_date), asc(support_tickets.id))
    .limit(SECTION_LIMIT);
  const tickets = ticketRows.map((t) => ({
    id: t.id,
    ticket_number: t.ticket_number,
    subject: clip(t.subject, 200),
    priority: t.priority,
    status: t.status,
    company_name: clip(t.company_name, 200),
  }));

  // New leads given to them (the public forms' owner) and not yet contacted, newest first.
  const leadRows = await ctx.db
    .select({ id: leads.id, first_name: leads.first_name, last_name: leads.last_name, email: leads.email, company_name: leads.company_name, source: leads.source, score: leads.score, created_at: leads.created_at })
    .from(leads)
    .where(and(eq(leads.assigned_to, userId), eq(leads.status, 'new'), isNull(leads.archived_at)))
    .orderBy(desc(leads.created_at), asc(leads.id))
    .limit(SECTION_LIMIT);
  const new_leads = leadRows.map((l) => ({
    id: l.id,
    name: clip([l.first_name, l.last_name].filter(Boolean).join(' ') || l.email, 200),
    company_name: clip(l.company_name, 200),
    source: l.source,
    score: Math.max(0, Math.min(1000, l.score)),
    created_at: l.created_at.toISOString(),
  }));

  return {
    user_id: userId,
    date: today,
    follow_ups,
    meetings,
    trainings,
    tickets,
    new_leads,
    total: follow_ups.length + meetings.length + trainings.length + tickets.length + new_leads.length,
  };
}

/** Users who get a digest: active, with it turned on and an email address. */
export async function digestRecipients(ctx: Ctx): Promise<Array<{ id: string; email: string; name: string | null }>> {
  return ctx.db
    .select({ id: users.id, email: users.email, name: users.name })
    .from(users)
    .where(and(eq(users.digest_enabled, true), isNull(users.disabled_at), isNull(users.archived_at), sql`${users.email} <> ''`))
    .orderBy(asc(users.id));
}
