/**
 * Seed 000's Sales steps 1–4 as verbs: log a prospect, log an interaction, the follow-ups
 * that are due, schedule and complete a meeting, mark a company lost. Every status move
 * goes through the pipeline rules (applyUpdate), so illegal moves are refused with the
 * allowed next statuses and every move lands in status_history.
 */
import { and, eq, isNull, sql } from 'drizzle-orm';
import { companies, contacts, interactions } from '../../db/schema/sales.ts';
import { localDate, withTx, type Ctx } from '../context.ts';
import { addDays, daysBetween } from '../dates.ts';
import { AppError, invalid, nestedFields, notFound } from '../errors.ts';
import { applyUpdate, fetchRow, getRecord, insertRecord, validateCreate, validateUpdate, type Row } from '../resource.ts';
import { visibilityScope, visibleCondition } from '../platform/visibility.ts';
import { domainOf, resource } from '../resources.ts';

const companiesRes = () => resource('companies');
const contactsRes = () => resource('contacts');
const interactionsRes = () => resource('interactions');

async function findSimilarCompany(ctx: Ctx, name: string, website: unknown): Promise<(Row & { visible: boolean }) | undefined> {
  const domain = domainOf(website);
  const visible = visibleCondition(companiesRes(), await visibilityScope(ctx));
  const rows = await ctx.db
    .select({ id: companies.id, name: companies.name, status: companies.status, domain: companies.domain, visible: visible ?? sql<boolean>`true` })
    .from(companies)
    .where(
      and(
        isNull(companies.archived_at),
        domain
          ? sql`(lower(${companies.name}) = lower(${name}) or ${companies.domain} = ${domain})`
          : sql`lower(${companies.name}) = lower(${name})`,
      ),
    )
    .orderBy(sql`5 desc`)
    .limit(1);
  return rows[0] as (Row & { visible: boolean }) | undefined;
}

export type LogProspectInput = {
  company: Record<string, unknown>;
  contact?: Record<string, unknown> | undefined;
  /** The first conversation, logged as sales.log_interaction logs one. */
  interaction?: Record<string, unknown> | undefined;
  allow_duplicate?: boolean | undefined;
};

/** Steps 1–2: a new company at `lead`, with an optional first contact and first conversation, in one transaction. */
export async function logProspect(ctx: Ctx, input: LogProspectInput) {
  const companyValues = nestedFields('company', () => validateCreate(companiesRes(), input.company));
  if (companyValues.status !== undefined && companyValues.status !== 'lead') {
    throw invalid([{ field: 'company.status', message: 'a new prospect starts at lead; move it with the workflow verbs' }]);
  }
  const contactValues = input.contact
    ? nestedFields('contact', () => validateCreate(contactsRes(), { ...input.contact }))
    : undefined;
  if (contactValues && contactValues.company_id !== undefined) {
    throw invalid([{ field: 'contact.company_id', message: 'is set to the new company' }]);
  }
  return withTx(ctx, async (tx) => {
    if (!input.allow_duplicate) {
      const existing = await findSimilarCompany(tx, String(companyValues.name), companyValues.website);
      if (existing && !existing.visible) {
        // Another owner's company: say it exists (no duplicate is made) without showing it.
        throw new AppError('CONFLICT', 'A company with this name or website already exists and belongs to another user; ask them or an administrator, or send allow_duplicate: true.', {
          details: { fields: [{ field: 'company.name', message: 'matches an existing company' }] },
        });
      }
      if (existing) {
        throw new AppError('CONFLICT', `A company like this already exists (${String(existing.id)}, ${String(existing.status)}): log an interaction with it, or send allow_duplicate: true.`, {
          details: { existing_id: existing.id, existing: { id: existing.id, name: existing.name, status: existing.status }, fields: [{ field: 'company.name', message: 'matches an existing company' }] },
        });
      }
    }
    const company = await insertRecord(tx, companiesRes(), { ...companyValues, status: 'lead' }, 'sales.log_prospect');
    const contact = contactValues
      ? await insertRecord(tx, contactsRes(), { ...contactValues, company_id: company.id }, 'sales.log_prospect')
      : null;
    if (!input.interaction) return { company, contact };
    const first = await logInteraction(tx, { company_id: String(company.id), ...(contact ? { contact_id: String(contact.id) } : {}), interaction: input.interaction });
    // The conversation moved the company on (lead → contacted): answer it as it now stands.
    return { company: await getRecord(tx, companiesRes(), String(company.id)), contact, interaction: first.interaction, company_status_change: first.company_status_change };
  });
}

export type LogInteractionInput = {
  company_id: string;
  contact_id?: string | undefined;
  contact?: Record<string, unknown> | undefined;
  interaction: Record<string, unknown>;
};

async function findOrCreateContact(ctx: Ctx, companyId: string, values: Row): Promise<{ contact: Row; created: boolean }> {
  const email = typeof values.email === 'string' && values.email ? values.email : undefined;
  const match = email
    ? sql`lower(${contacts.email}) = lower(${email})`
    : sql`lower(${contacts.name}) = lower(${String(values.name)})`;
  const [existing] = await ctx.db
    .select()
    .from(contacts)
    .where(and(eq(contacts.company_id, companyId), isNull(contacts.archived_at), match))
    .limit(1);
  if (existing) return { contact: existing as Row, created: false };
  const contact = await insertRecord(ctx, contactsRes(), { ...values, company_id: companyId }, 'sales.log_interaction');
  return { contact, created: true };
}

/**
 * Step 2–3: log a touchpoint. Names a known contact or creates the one spoken to; moves a
 * `lead` company to `contacted`; records outcome, next step and the follow-up date.
 */
export async function logInteraction(ctx: Ctx, input: LogInteractionInput) {
  if (input.contact_id && input.contact) {
    throw invalid([{ field: 'contact', message: 'give either contact_id or contact, not both' }]);
  }
  const values = nestedFields('interaction', () => validateCreate(interactionsRes(), input.interaction));
  for (const f of ['company_id', 'contact_id'] as const) {
    if (values[f] !== undefined) throw invalid([{ field: `interaction.${f}`, message: `is given at the top level as ${f}` }]);
  }
  const contactValues = input.contact ? nestedFields('contact', () => validateCreate(contactsRes(), input.contact)) : undefined;
  return withTx(ctx, async (tx) => {
    const company = await getRecord(tx, companiesRes(), input.company_id);
    let contact: Row | null = null;
    let contactCreated = false;
    if (input.contact_id) {
      contact = await getRecord(tx, contactsRes(), input.contact_id);
      if (contact.company_id !== company.id) {
        throw invalid([{ field: 'contact_id', message: 'belongs to another company' }]);
      }
    } else if (contactValues) {
      const r = await findOrCreateContact(tx, company.id as string, contactValues);
      contact = r.contact;
      contactCreated = r.created;
    }
    const interaction = await insertRecord(
      tx,
      interactionsRes(),
      { ...values, company_id: company.id, contact_id: contact?.id ?? null },
      'sales.log_interaction',
    );
    // A conversation logged after the fact never moves the last contact back in time.
    if (contact) await touchLastContacted(tx, contact.id as string, interaction.interaction_date as Date);
    let statusChange: { from: string; to: string } | null = null;
    if (company.status === 'lead') {
      await applyUpdate(tx, companiesRes(), company.id as string, { status: 'contacted' }, { operation: 'sales.log_interaction' });
      statusChange = { from: 'lead', to: 'contacted' };
    }
    return { interaction, contact, contact_created: contactCreated, company_status_change: statusChange };
  });
}

export type FollowUpsInput = {
  from?: string | undefined;
  to?: string | undefined;
  include_overdue?: boolean | undefined;
  owner_id?: string | undefined;
  limit?: number | undefined;
};

/** Monday to Sunday of the week that contains `today`. */
export function weekOf(today: string): { from: string; to: string } {
  const dow = (new Date(`${today}T00:00:00Z`).getUTCDay() + 6) % 7;
  const from = addDays(today, -dow);
  return { from, to: addDays(from, 6) };
}

/**
 * Step 3: interactions whose follow_up_date falls in the window (this week by default,
 * overdue ones included) and that no later interaction with the same company (or lead,
 * or contact, for interactions without a company) has answered. Companies that left the
 * pipeline (a lost stage) are skipped.
 */
export async function followUpsDue(ctx: Ctx, input: FollowUpsInput = {}) {
  const today = localDate(ctx);
  const week = weekOf(today);
  const from = input.from ?? week.from;
  const to = input.to ?? week.to;
  if (to < from) throw invalid([{ field: 'to', message: 'must not be before from' }]);
  const includeOverdue = input.include_overdue ?? true;
  const limit = Math.min(Math.max(input.limit ?? 100, 1), 500);
  const lower = includeOverdue ? sql`true` : sql`i.follow_up_date >= ${from}::date`;
  const owner = input.owner_id ? sql`(co.owner_id = ${input.owner_id} or i.assigned_to = ${input.owner_id})` : sql`true`;
  const result = (await ctx.db.execute(sql`
    select i.id, i.type, i.subject, i.summary, i.outcome, i.next_step, i.follow_up_date::text as follow_up_date,
           i.interaction_date, i.lead_id, i.assigned_to,
           co.id as company_id, co.name as company_name, co.status as company_status, co.owner_id as company_owner_id,
           ct.id as contact_id, ct.name as contact_name, ct.email as contact_email, ct.phone as contact_phone
    from interactions i
    left join companies co on co.id = i.company_id
    left join contacts ct on ct.id = i.contact_id
    where i.follow_up_date is not null
      and i.follow_up_date <= ${to}::date
      and ${lower}
      and i.archived_at is null
      and ${owner}
      and ${visibleCondition(interactionsRes(), await visibilityScope(ctx), 'i') ?? sql`true`}
      and (co.id is null or (co.archived_at is null and not exists (
        select 1 from pipeline_stages ps
        where ps.pipeline = 'company' and ps.key = co.status and ps.is_lost)))
      -- Answered by a later interaction in its thread: a marker the database keeps (migration
      -- 0017), so only the open follow-ups are read, from their own partial index.
      and not i.follow_up_answered
    order by i.follow_up_date asc, co.name asc nulls last, i.id
    limit ${limit + 1}`)) as unknown as { rows: Row[] };
  const rows = result.rows;
  const truncated = rows.length > limit;
  const items = rows.slice(0, limit).map((r) => {
    const due = String(r.follow_up_date);
    const late = daysBetween(due, today);
    return {
      interaction_id: r.id as string,
      follow_up_date: due,
      overdue: late > 0,
      days_overdue: Math.max(0, late),
      company: r.company_id ? { id: r.company_id, name: r.company_name, status: r.company_status, owner_id: r.company_owner_id ?? null } : null,
      contact: r.contact_id
        ? { id: r.contact_id, name: r.contact_name, email: r.contact_email, phone: r.contact_phone }
        : null,
      lead_id: r.lead_id ?? null,
      last_interaction: {
        id: r.id,
        type: r.type,
        interaction_date: r.interaction_date instanceof Date ? r.interaction_date.toISOString() : r.interaction_date,
        subject: r.subject,
        assigned_to: r.assigned_to ?? null,
        summary: r.summary,
        outcome: r.outcome,
        next_step: r.next_step,
      },
    };
  });
  return {
    today,
    window: { from, to, include_overdue: includeOverdue },
    total: items.length,
    truncated,
    overdue: items.filter((i) => i.overdue).length,
    items,
  };
}

export type ScheduleMeetingInput = {
  company_id: string;
  contact_id?: string | undefined;
  meeting: Record<string, unknown>;
};

/** Step 4: book a meeting (an interaction with a schedule); the company moves to meeting_scheduled. */
export async function scheduleMeeting(ctx: Ctx, input: ScheduleMeetingInput) {
  const values = nestedFields('meeting', () => validateCreate(interactionsRes(), { type: 'meeting', ...input.meeting }));
  if (!(values.scheduled_at instanceof Date)) throw invalid([{ field: 'meeting.scheduled_at', message: 'is required' }]);
  if (values.type !== 'meeting') throw invalid([{ field: 'meeting.type', message: 'is meeting' }]);
  for (const f of ['company_id', 'contact_id', 'meeting_status'] as const) {
    if (values[f] !== undefined) throw invalid([{ field: `meeting.${f}`, message: 'is set by this verb' }]);
  }
  return withTx(ctx, async (tx) => {
    const company = await getRecord(tx, companiesRes(), input.company_id);
    if (input.contact_id) {
      const contact = await getRecord(tx, contactsRes(), input.contact_id);
      if (contact.company_id !== company.id) throw invalid([{ field: 'contact_id', message: 'belongs to another company' }]);
    }
    const meeting = await insertRecord(
      tx,
      interactionsRes(),
      { ...values, company_id: company.id, contact_id: input.contact_id ?? null, meeting_status: 'scheduled', outcome: values.outcome ?? 'meeting_booked' },
      'sales.schedule_meeting',
    );
    let statusChange: { from: string; to: string } | null = null;
    if (company.status !== 'meeting_scheduled' && isBeforeMeeting(company.status as string)) {
      await applyUpdate(tx, companiesRes(), company.id as string, { status: 'meeting_scheduled' }, { operation: 'sales.schedule_meeting' });
      statusChange = { from: company.status as string, to: 'meeting_scheduled' };
    }
    return { meeting, company_status_change: statusChange };
  });
}

/** Meetings later in the relationship (check-ins, reviews) do not move the pipeline back. */
const isBeforeMeeting = (status: string) => ['lead', 'contacted', 'meeting_complete', 'lost'].includes(status);

export type CompleteMeetingInput = { id: string; result: Record<string, unknown> };

/** Step 4: after the meeting, record what happened; a company at meeting_scheduled moves to meeting_complete. */
export async function completeMeeting(ctx: Ctx, input: CompleteMeetingInput) {
  const changes = nestedFields('result', () => validateUpdate(interactionsRes(), input.result));
  for (const f of ['company_id', 'contact_id', 'meeting_status', 'type', 'scheduled_at'] as const) {
    if (changes[f] !== undefined) throw invalid([{ field: `result.${f}`, message: 'cannot be changed when completing a meeting' }]);
  }
  return withTx(ctx, async (tx) => {
    const current = (await fetchRow(tx, interactionsRes(), input.id, true)) as typeof interactions.$inferSelect | undefined;
    if (!current || current.type !== 'meeting') throw notFound('meeting', input.id);
    if (current.meeting_status !== 'scheduled') {
      throw new AppError('CONFLICT', `meeting_status: this meeting is ${current.meeting_status ?? 'not scheduled'}; only a scheduled meeting can be completed`, {
        details: { fields: [{ field: 'meeting_status', message: `is ${current.meeting_status}` }], allowed: [] },
      });
    }
    const now = tx.now();
    const meeting = await applyUpdate(
      tx,
      interactionsRes(),
      input.id,
      { ...changes, meeting_status: 'completed', completed_at: now, interaction_date: now },
      { operation: 'sales.complete_meeting' },
    );
    let statusChange: { from: string; to: string } | null = null;
    if (current.company_id) {
      const company = await getRecord(tx, companiesRes(), current.company_id);
      if (company.status === 'meeting_scheduled') {
        await applyUpdate(tx, companiesRes(), current.company_id, { status: 'meeting_complete' }, { operation: 'sales.complete_meeting' });
        statusChange = { from: 'meeting_scheduled', to: 'meeting_complete' };
      }
    }
    return { meeting, company_status_change: statusChange };
  });
}

export type MarkLostInput = { id: string; lost_reason: string; expected_version?: number | undefined };

/** Step 3: they stopped responding or declined; the reason is kept on the company. */
export async function markCompanyLost(ctx: Ctx, input: MarkLostInput) {
  const reason = input.lost_reason.trim();
  if (!reason) throw invalid([{ field: 'lost_reason', message: 'is required' }]);
  return applyUpdate(
    ctx,
    companiesRes(),
    input.id,
    { status: 'lost', lost_reason: reason },
    { operation: 'sales.mark_lost', ...(input.expected_version !== undefined ? { expectedVersion: input.expected_version } : {}) },
  );
}

/** Records that a contact was reached at `at`, unless a later contact is already recorded. */
export async function touchLastContacted(ctx: Ctx, contactId: string, at: Date): Promise<void> {
  await ctx.db
    .update(contacts)
    .set({ last_contacted_at: sql`greatest(${contacts.last_contacted_at}, ${at.toISOString()}::timestamptz)` })
    .where(eq(contacts.id, contactId));
}
