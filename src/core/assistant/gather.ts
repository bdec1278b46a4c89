/**
 * What the assistant tells the model about a contact: only records the caller can see
 * (record visibility applies to every read here), only the fields that help, each text cut
 * to a length a prompt can carry. Private notes are left out unless the caller wrote them.
 */
import { and, desc, eq, inArray, isNull, notInArray, or, type SQL } from 'drizzle-orm';
import { campaign_content, prospect_research } from '../../db/schema/marketing.ts';
import { notes, pipeline_stages } from '../../db/schema/platform.ts';
import { deals, interactions } from '../../db/schema/sales.ts';
import type { Ctx } from '../context.ts';
import { invalid } from '../errors.ts';
import { actingUserId } from '../identity/roles.ts';
import { visibilityScope, visibleCondition } from '../platform/visibility.ts';
import { fetchRow, getRecord, type Row } from '../resource.ts';
import { resource } from '../resources.ts';
import { industryOf } from './catalog-fit.ts';

const TEXT = 1_500;

/** A text cut to `n` characters; blanks and non-text become undefined (left out of the JSON). */
export function text(v: unknown, n = TEXT): string | undefined {
  if (typeof v !== 'string' || v.trim() === '') return undefined;
  const t = v.trim();
  return t.length > n ? `${t.slice(0, n - 1)}…` : t;
}
const when = (v: unknown) => (v instanceof Date ? v.toISOString() : typeof v === 'string' ? v : undefined);

/** The rows of a table the caller may see (no condition when they see all). */
async function visible(ctx: Ctx, table: string): Promise<SQL | undefined> {
  return visibleCondition(resource(table), await visibilityScope(ctx)) ?? undefined;
}

export type Subject = { contact: Row; company: Row | null; industry: { id: string; name: string } | null };

/** The contact (NOT_FOUND unless the caller can see it), their company if visible, and its industry. */
export async function loadSubject(ctx: Ctx, contactId: string): Promise<Subject> {
  const contact = await getRecord(ctx, resource('contacts'), contactId);
  const company = typeof contact.company_id === 'string' ? ((await fetchRow(ctx, resource('companies'), contact.company_id)) ?? null) : null;
  const industry = company ? await industryOf(ctx, company.industry_id) : null;
  return { contact, company, industry };
}

export function contactData(s: Subject): Row {
  const c = s.contact;
  return {
    name: text(c.name, 200),
    role_title: text(c.role_title, 200),
    role_description: text(c.role_description, 500),
    department: text(c.department, 200),
    location: text(c.location, 200),
    is_decision_maker: c.is_decision_maker,
    relationship_type: c.relationship_type ?? undefined,
    prospect_status: c.prospect_status ?? undefined,
    last_contacted_at: when(c.last_contacted_at),
    notes: text(c.notes),
  };
}

export function companyData(s: Subject): Row | null {
  const co = s.company;
  if (!co) return null;
  return {
    name: text(co.name, 200),
    industry: s.industry?.name ?? text(co.industry, 200),
    size: text(co.size, 100),
    employee_count: co.employee_count ?? undefined,
    location: text(co.location, 200),
    city: text(co.city, 100),
    country: text(co.country, 100),
    website: text(co.website, 300),
    description: text(co.description),
    status: co.status,
    notes: text(co.notes),
  };
}

/** The last interactions with the contact or their company, newest first. */
export async function recentInteractions(ctx: Ctx, s: Subject, limit = 20): Promise<Row[]> {
  const who = s.company
    ? or(eq(interactions.contact_id, String(s.contact.id)), eq(interactions.company_id, String(s.company.id)))!
    : eq(interactions.contact_id, String(s.contact.id));
  const vis = await visible(ctx, 'interactions');
  const rows = await ctx.db
    .select()
    .from(interactions)
    .where(and(who, isNull(interactions.archived_at), vis))
    .orderBy(desc(interactions.interaction_date), desc(interactions.id))
    .limit(limit);
  return rows.map((r) => ({
    date: when(r.interaction_date),
    type: r.type,
    direction: r.direction ?? undefined,
    with_this_contact: r.contact_id === s.contact.id,
    subject: text(r.subject, 300),
    summary: text(r.summary),
    content: text(r.content),
    outcome: r.outcome ?? undefined,
    sentiment: r.sentiment ?? undefined,
    next_step: text(r.next_step, 500),
  }));
}

/** Notes on the contact or their company, newest first; another person's private note is not the caller's to send out. */
export async function recentNotes(ctx: Ctx, s: Subject, limit = 20): Promise<Row[]> {
  const ids = [String(s.contact.id), ...(s.company ? [String(s.company.id)] : [])];
  const me = actingUserId(ctx.actor);
  const vis = await visible(ctx, 'notes');
  const rows = await ctx.db
    .select()
    .from(notes)
    .where(
      and(
        inArray(notes.related_id, ids),
        isNull(notes.archived_at),
        me ? or(eq(notes.is_private, false), eq(notes.created_by, me)) : eq(notes.is_private, false),
        vis,
      ),
    )
    .orderBy(desc(notes.created_at), desc(notes.id))
    .limit(limit);
  return rows.map((n) => ({
    date: when(n.created_at),
    about: n.related_id === s.contact.id ? 'contact' : 'company',
    type: n.note_type,
    text: text(n.note_text),
  }));
}

/** The company's open deals (not at a won or lost stage). */
export async function openDeals(ctx: Ctx, s: Subject, limit = 10): Promise<Row[]> {
  if (!s.company) return [];
  const closed = ctx.db
    .select({ key: pipeline_stages.key })
    .from(pipeline_stages)
    .where(and(eq(pipeline_stages.pipeline, 'deal'), or(eq(pipeline_stages.is_won, true), eq(pipeline_stages.is_lost, true))));
  const vis = await visible(ctx, 'deals');
  const rows = await ctx.db
    .select()
    .from(deals)
    .where(and(eq(deals.company_id, String(s.company.id)), isNull(deals.archived_at), notInArray(deals.stage, closed), vis))
    .orderBy(desc(deals.created_at))
    .limit(limit);
  return rows.map((d) => ({
    name: text(d.name, 200),
    stage: d.stage,
    value: d.value ?? undefined,
    currency: d.currency ?? undefined,
    expected_close_date: d.expected_close_date ?? undefined,
    notes: text(d.notes, 500),
  }));
}

/** The newest research on the contact the caller can see, if any. */
export async function latestResearch(ctx: Ctx, contactId: string): Promise<Row | null> {
  const vis = await visible(ctx, 'prospect_research');
  const [r] = await ctx.db
    .select()
    .from(prospect_research)
    .where(and(eq(prospect_research.contact_id, contactId), isNull(prospect_research.archived_at), vis))
    .orderBy(desc(prospect_research.created_at), desc(prospect_research.id))
    .limit(1);
  if (!r) return null;
  return {
    date: when(r.created_at),
    summary: text(r.research_summary, 3_000),
    key_insights: r.key_insights ?? undefined,
    recommended_solutions: r.recommended_solutions ?? undefined,
  };
}

/** A record the draft is tied to (an event, a campaign): one the caller can see, or a field error naming it. */
export async function linkedRecord(ctx: Ctx, table: 'events' | 'campaigns', field: string, id: string): Promise<Row> {
  const row = await fetchRow(ctx, resource(table), id);
  if (!row) throw invalid([{ field, message: `does not name a record of ${table} that you can see` }]);
  return row;
}

export function eventData(e: Row): Row {
  return {
    name: text(e.name, 300),
    event_type: text(e.event_type, 100),
    date: when(e.event_date),
    location: text(e.location, 300),
    description: text(e.description),
  };
}

export async function campaignData(ctx: Ctx, c: Row): Promise<Row> {
  const pieces = await ctx.db
    .select({ content_type: campaign_content.content_type, subject: campaign_content.subject, body: campaign_content.body })
    .from(campaign_content)
    .where(and(eq(campaign_content.campaign_id, String(c.id)), isNull(campaign_content.archived_at)))
    .orderBy(desc(campaign_content.updated_at))
    .limit(5);
  return {
    name: text(c.name, 300),
    type: c.type,
    target_audience: text(c.target_audience, 500),
    description: text(c.description),
    content: pieces.map((p) => ({ content_type: p.content_type, subject: text(p.subject, 300), body: text(p.body) })),
  };
}

