/**
 * Public lead capture (seed 001): the AI-readiness quiz, the ROI calculator and the contact
 * form for anonymous website visitors, and the analytics events their pages send.
 *
 * - Every operation here is public (no session); it acts as the PUBLIC_FORM actor, a system
 *   actor whose audit rows say "public form", and writes a submission with everything it
 *   causes (lead, score, assessment, calculation, interaction, analytics event) in ONE
 *   transaction.
 * - A visitor is matched to an existing lead by email, case-insensitively (archived leads
 *   left out), so a repeat visitor is not duplicated: what they send only fills fields that
 *   are still blank, so a salesperson's corrections and the first touch's UTM attribution
 *   are kept. Concurrent posts for one email are serialised by a transaction-scoped
 *   advisory lock on the lower-cased address.
 * - The lead is scored on arrival by the leads resource's afterWrite hook (sales/leads), and
 *   re-scored explicitly when a repeat post changes nothing, so its score row always exists.
 * - A completed quiz queues the `assessment_results` email to the visitor in the same
 *   transaction (platform/email.ts; the worker sends it).
 * - Abuse (public-limits.ts): a per-address limit (429 with Retry-After); a post with the
 *   honeypot filled or sent faster than MIN_FILL_MS gets the same answer a person would,
 *   computed from its input, and nothing is stored, queued or counted as an event; inputs
 *   ignore unknown fields but type and bound every known one (a few KB at most).
 * - A visitor who ticks the marketing checkbox (`consent_marketing: true`) is recorded as
 *   agreeing to marketing email, method `form`, with the form and the exact wording shown
 *   (MARKETING_CONSENT_WORDING) as evidence, in the same transaction; unticked records nothing.
 * - The visitor's address is kept only anonymised (IPv4 /24, IPv6 /48) and the user agent
 *   truncated, on the lead, the analytics event and the audit row alike.
 */
import { and, desc, eq, isNull, sql } from 'drizzle-orm';
import { z } from 'zod';
import { CURRENCIES } from '../../db/schema/columns.ts';
import { analytics_events } from '../../db/schema/comms.ts';
import { users } from '../../db/schema/platform.ts';
import { leads } from '../../db/schema/sales.ts';
import { withTx, type Actor, type Ctx } from '../context.ts';
import { applyUpdate, insertRecord, type Row } from '../resource.ts';
import { resource } from '../resources.ts';
import { CompleteAnswersSchema, completeReadiness, readinessQuestionnaire, scoreReadiness, startReadiness, type ReadinessResult } from '../assessment/readiness.ts';
import { calculateRoi, previewCalculation, type RoiResult } from '../assessment/roi.ts';
import { enqueueEmail, formatAddress } from '../platform/email.ts';
import { readSettings } from '../platform/settings.ts';
import type { Operation } from '../registry.ts';
import { recordConsent } from '../privacy/consent.ts';
import { rescoreLead } from './leads.ts';
import { MARKETING_CONSENT_WORDING } from './public-wording.ts';
import { anonymiseIp, HONEYPOT_FIELD, looksLikeBot, MIN_FILL_MS, takePublicLimit, truncateUserAgent } from './public-limits.ts';

/** Who writes what a website visitor sends: the system, named so in the audit log. */
export const PUBLIC_FORM: Actor = { type: 'system', id: null, label: 'public form', role: 'admin' };

// ---------------------------------------------------------------------------
// Inputs: z.object (unknown fields are dropped), every string bounded.

const text = (max: number) => z.string({ message: 'must be text' }).trim().max(max, `must be at most ${max} characters`);
const optionalText = (max: number) => text(max).optional();
const email = z.string({ message: 'must be text' }).trim().max(320, 'must be at most 320 characters').pipe(z.email({ message: 'must be an email address' }));

const Visitor = {
  name: text(200).min(1, 'is required').describe('the visitor’s full name'),
  email: email.describe('where the visitor can be reached; a lead with this email (any case) is updated, not duplicated'),
  company: optionalText(200).describe('company name'),
  phone: optionalText(40)
    .refine((v) => v === undefined || /^[+0-9()\-.\s/]*$/.test(v), 'must be a phone number: digits, spaces and + ( ) - . /')
    .describe('phone number'),
};

const Attribution = {
  utm_source: optionalText(200),
  utm_medium: optionalText(200),
  utm_campaign: optionalText(200),
  utm_term: optionalText(200),
  utm_content: optionalText(200),
  referrer: optionalText(2000).describe('the page that sent the visitor here'),
  landing_page: optionalText(2000).describe('the page the visitor first opened'),
  session_id: z.string({ message: 'must be text' }).regex(/^[A-Za-z0-9_-]{1,100}$/, 'must be 1–100 letters, digits, - or _').optional().describe('the browser session, to tie events together'),
};

export { MARKETING_CONSENT_WORDING };

const ConsentChoice = {
  consent_marketing: z
    .boolean({ message: 'must be true or false' })
    .optional()
    .describe(`true when the visitor ticked the checkbox "${MARKETING_CONSENT_WORDING}" (unticked by default): records their agreement to marketing email`),
};

const BotChecks = {
  [HONEYPOT_FIELD]: z.string({ message: 'must be text' }).max(2000, 'must be at most 2000 characters').optional().describe('leave empty (a field people never see)'),
  elapsed_ms: z
    .int({ message: 'must be a whole number of milliseconds' })
    .min(0, 'must not be negative')
    .max(2_592_000_000, 'must be at most 30 days')
    .describe(`milliseconds between showing the form and sending it (a person needs at least ${MIN_FILL_MS})`),
};

export const PublicReadinessInput = z.object({ answers: CompleteAnswersSchema, ...Visitor, ...ConsentChoice, ...Attribution, ...BotChecks });
export type PublicReadinessInput = z.output<typeof PublicReadinessInput>;

export const PublicContactInput = z.object({
  ...Visitor,
  message: optionalText(4000).describe('what the visitor would like to talk about'),
  ...ConsentChoice,
  ...Attribution,
  ...BotChecks,
});
export type PublicContactInput = z.output<typeof PublicContactInput>;

/** An amount or a percentage as the calculator takes it (a decimal string or a number); the calculator checks the digits. */
const decimal = z.union([z.string({ message: 'must be a decimal' }).max(20, 'must be at most 20 characters'), z.number({ message: 'must be a decimal' })]);

export const PublicRoiInput = z.object({
  currency: z.enum(CURRENCIES, { message: `must be one of: ${CURRENCIES.join(', ')}` }).optional(),
  teams: z
    .array(
      z.object({
        name: optionalText(200),
        employees: z.int({ message: 'must be a whole number' }),
        average_salary: decimal,
        inefficiency_percent: decimal,
      }),
    )
    .min(1, 'needs at least one team')
    .max(20, 'at most 20 teams'),
  recovery_percent: decimal.optional(),
  setup_cost: decimal,
  monthly_cost: decimal.optional(),
  hours_per_week: decimal.optional(),
  name: optionalText(200),
  email: email.optional().describe('to receive the figures and be contacted: the visitor becomes a lead'),
  company: Visitor.company,
  phone: Visitor.phone,
  ...ConsentChoice,
  ...Attribution,
  ...BotChecks,
});
export type PublicRoiInput = z.output<typeof PublicRoiInput>;

export const PUBLIC_EVENTS = ['page_view', 'quiz_started', 'quiz_completed', 'roi_calculated', 'form_viewed', 'form_submitted'] as const;
export type PublicEvent = (typeof PUBLIC_EVENTS)[number];

const PropertyValue = z.union([z.string().max(200, 'must be at most 200 characters'), z.number().finite(), z.boolean(), z.null()]);

export const PublicEventInput = z.object({
  event: z.enum(PUBLIC_EVENTS, { message: `must be one of: ${PUBLIC_EVENTS.join(', ')}` }),
  session_id: Attribution.session_id,
  url: optionalText(2000),
  referrer: optionalText(2000),
  properties: z
    .record(z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,39}$/, 'property names are 1–40 letters, digits or _, starting with a letter'), PropertyValue)
    .refine((p) => Object.keys(p).length <= 20, 'at most 20 properties')
    .optional(),
});
export type PublicEventInput = z.output<typeof PublicEventInput>;

// ---------------------------------------------------------------------------
// Shared steps

/** The context a submission is written with: the public-form actor, the address anonymised. */
function asPublicForm(ctx: Ctx): Ctx {
  const ip = anonymiseIp(ctx.meta?.ip);
  const userAgent = truncateUserAgent(ctx.meta?.userAgent);
  return {
    ...ctx,
    actor: PUBLIC_FORM,
    meta: { ...(ctx.meta?.requestId ? { requestId: ctx.meta.requestId } : {}), ...(ip ? { ip } : {}), ...(userAgent ? { userAgent } : {}) },
  };
}

const blank = (v: unknown) => typeof v !== 'string' || v.trim() === '';
const orNull = (v: string | undefined) => (v === undefined || v === '' ? null : v);

function splitName(name: string | undefined): { first_name: string | null; last_name: string | null } {
  const parts = (name ?? '').trim().split(/\s+/).filter(Boolean);
  if (!parts.length) return { first_name: null, last_name: null };
  return { first_name: parts[0]!, last_name: parts.length > 1 ? parts.slice(1).join(' ') : null };
}

type VisitorFields = {
  name?: string | undefined;
  email: string;
  company?: string | undefined;
  phone?: string | undefined;
  message?: string | undefined;
  utm_source?: string | undefined;
  utm_medium?: string | undefined;
  utm_campaign?: string | undefined;
};

/** Keys of the advisory locks this module takes (the first of the two-int form). */
const LEAD_EMAIL_LOCK = 0x7c_0001;

/**
 * The visitor's lead: the newest unarchived lead with this email (any case), its blank fields
 * filled from the submission, or a new `website` lead. Either way it leaves with a score row.
 */
async function captureLead(tx: Ctx, v: VisitorFields, operation: string): Promise<{ lead: Row; created: boolean }> {
  await tx.db.execute(sql`select pg_advisory_xact_lock(${LEAD_EMAIL_LOCK}, hashtext(lower(${v.email})))`);
  const [existing] = await tx.db
    .select()
    .from(leads)
    .where(and(sql`lower(${leads.email}) = lower(${v.email})`, isNull(leads.archived_at)))
    .orderBy(desc(leads.created_at), desc(leads.id))
    .limit(1)
    .for('update');
  const name = splitName(v.name);
  const res = resource('leads');
  if (!existing) {
    const lead = await insertRecord(
      tx,
      res,
      {
        assigned_to: await publicLeadOwner(tx),
        email: v.email,
        ...name,
        company_name: orNull(v.company),
        phone: orNull(v.phone),
        message: orNull(v.message),
        source: 'website',
        utm_source: orNull(v.utm_source),
        utm_medium: orNull(v.utm_medium),
        utm_campaign: orNull(v.utm_campaign),
        ip_address: tx.meta?.ip ?? null,
        user_agent: tx.meta?.userAgent ?? null,
      },
      operation,
    );
    return { lead, created: true };
  }
  const changes: Row = {};
  if (blank(existing.first_name) && blank(existing.last_name) && name.first_name) Object.assign(changes, name);
  if (blank(existing.company_name) && !blank(v.company)) changes.company_name = v.company;
  if (blank(existing.phone) && !blank(v.phone)) changes.phone = v.phone;
  if (blank(existing.message) && !blank(v.message)) changes.message = v.message;
  // The first touch's attribution is kept whole; a lead that came without any takes this one.
  if (blank(existing.utm_source) && blank(existing.utm_medium) && blank(existing.utm_campaign)) {
    for (const k of ['utm_source', 'utm_medium', 'utm_campaign'] as const) if (!blank(v[k])) changes[k] = v[k];
  }
  if (Object.keys(changes).length) {
    return { lead: await applyUpdate(tx, res, existing.id, changes, { operation }), created: false };
  }
  const { score } = await rescoreLead(tx, existing.id);
  return { lead: { ...existing, score }, created: false };
}

/** Who new public leads go to (the `public_lead_owner` setting), while that person is still active; else nobody. */
async function publicLeadOwner(tx: Ctx): Promise<string | null> {
  const { public_lead_owner: id } = await readSettings(tx);
  if (!id) return null;
  const [owner] = await tx.db.select({ id: users.id }).from(users).where(and(eq(users.id, id), isNull(users.disabled_at)));
  return owner?.id ?? null;
}

type Attributed = {
  utm_source?: string | undefined;
  utm_medium?: string | undefined;
  utm_campaign?: string | undefined;
  utm_term?: string | undefined;
  utm_content?: string | undefined;
  referrer?: string | undefined;
  landing_page?: string | undefined;
  session_id?: string | undefined;
};

/** One analytics event (001 AnalyticsEvent), with the address anonymised; append-only telemetry, not audited. */
async function recordEvent(
  ctx: Ctx,
  e: { event: PublicEvent; properties: Record<string, unknown>; session_id?: string | undefined; url?: string | undefined; referrer?: string | undefined },
): Promise<string> {
  const [row] = await ctx.db
    .insert(analytics_events)
    .values({
      event: e.event,
      properties: e.properties,
      user_id: null,
      session_id: orNull(e.session_id),
      url: orNull(e.url),
      referrer: orNull(e.referrer),
      user_agent: truncateUserAgent(ctx.meta?.userAgent),
      ip_address: anonymiseIp(ctx.meta?.ip),
      created_at: ctx.now(),
    })
    .returning({ id: analytics_events.id });
  return row!.id;
}

/** The attribution a submission's event carries. */
const attribution = (a: Attributed) =>
  Object.fromEntries(
    (['utm_source', 'utm_medium', 'utm_campaign', 'utm_term', 'utm_content', 'landing_page'] as const).filter((k) => !blank(a[k])).map((k) => [k, a[k]]),
  );

const eventFor = (a: Attributed, event: PublicEvent, properties: Record<string, unknown>) => ({
  event,
  properties: { ...properties, ...attribution(a) },
  session_id: a.session_id,
  url: a.landing_page,
  referrer: a.referrer,
});

/** The ticked marketing checkbox, recorded for the visitor's lead (once: a grant already in force is kept). */
async function recordMarketingChoice(tx: Ctx, leadId: string, choice: boolean | undefined, form: string, operation: string): Promise<void> {
  if (choice !== true) return;
  await recordConsent(
    tx,
    { lead_id: leadId, purpose: 'marketing_email', method: 'form', evidence: `Ticked on the website ${form} (${operation}): "${MARKETING_CONSENT_WORDING}"` },
    operation,
  );
}

// ---------------------------------------------------------------------------
// The quiz

const tierLabel = (tier: string) => {
  const [level, ...words] = tier.split('_');
  return `${level} ${words.map((w) => w.charAt(0) + w.slice(1).toLowerCase()).join(' ')}`;
};

export type PublicReadinessResult = {
  score: number;
  band: ReadinessResult['tier'];
  band_label: string;
  summary: string;
  category_scores: ReadinessResult['category_scores'];
  strengths: string[];
  weaknesses: string[];
  recommendations: string[];
};

/** What the visitor sees: the scorer's result, the tier as the band. */
function present(r: ReadinessResult): PublicReadinessResult {
  const label = tierLabel(r.tier);
  return {
    score: r.score,
    band: r.tier,
    band_label: label,
    summary: `You scored ${r.score} out of 100 for AI readiness, which puts you in ${label}.${r.strengths.length ? ` You are strong on ${r.strengths.length} of 4 areas.` : ''}`,
    category_scores: r.category_scores,
    strengths: r.strengths,
    weaknesses: r.weaknesses,
    recommendations: r.recommendations,
  };
}

/** The questionnaire a visitor answers. Every weight and band is public (it is the documented rule), so nothing is held back. */
export const publicQuestions = () => readinessQuestionnaire();

/**
 * A visitor's completed quiz: scores it, captures the lead (created or updated), stores the
 * completed assessment linked to it, records `quiz_completed`, and answers the result.
 */
export async function submitReadiness(ctx: Ctx, input: PublicReadinessInput): Promise<PublicReadinessResult> {
  await takePublicLimit(ctx, 'submit');
  if (looksLikeBot(input)) return present(scoreReadiness(input.answers));
  return withTx(asPublicForm(ctx), async (tx) => {
    const { lead, created } = await captureLead(tx, input, 'public.readiness');
    await recordMarketingChoice(tx, lead.id as string, input.consent_marketing, 'AI-readiness quiz', 'public.readiness');
    const started = await startReadiness(tx, { lead_id: lead.id as string, email: input.email, answers: input.answers });
    const { assessment, result } = await completeReadiness(tx, { id: started.id as string });
    await recordEvent(tx, eventFor(input, 'quiz_completed', { lead_id: lead.id, new_lead: created, readiness_assessment_id: assessment.id, score: result.score, tier: result.tier }));
    // The results by email, queued in this transaction: the worker's email drain sends it.
    const { first_name } = splitName(input.name);
    await enqueueEmail(tx, {
      to: [formatAddress(input.name, input.email)],
      template: 'assessment_results',
      data: {
        ...(first_name ? { recipient_name: first_name } : {}),
        ...(blank(input.company) ? {} : { company_name: input.company }),
        score: result.score,
        band: result.tier,
        strengths: result.strengths,
        weaknesses: result.weaknesses,
      },
      idempotencyKey: `assessment_results:${assessment.id as string}`,
    });
    return present(result);
  });
}

// ---------------------------------------------------------------------------
// The ROI calculator

/** The calculator's own inputs out of a public post (nothing else reaches it). */
function roiInputs(input: PublicRoiInput) {
  const out: Record<string, unknown> = {
    teams: input.teams.map((t) => ({ ...(blank(t.name) ? {} : { name: t.name }), employees: t.employees, average_salary: t.average_salary, inefficiency_percent: t.inefficiency_percent })),
    setup_cost: input.setup_cost,
  };
  for (const k of ['currency', 'recovery_percent', 'monthly_cost', 'hours_per_week'] as const) if (input[k] !== undefined) out[k] = input[k];
  return out as Parameters<typeof calculateRoi>[1];
}

/**
 * Runs the ROI calculator for a visitor. With an email it also captures the lead, stores the
 * calculation for it and records `roi_calculated`; without one it stores nothing.
 */
export async function submitRoi(ctx: Ctx, input: PublicRoiInput): Promise<RoiResult> {
  const capturing = input.email !== undefined && input.email !== '';
  await takePublicLimit(ctx, capturing ? 'submit' : 'calculate');
  const preview = async () => {
    const r = await previewCalculation(ctx, { type: 'roi', ...roiInputs(input) });
    return (r as { results: RoiResult }).results;
  };
  if (!capturing || looksLikeBot(input)) return preview();
  return withTx(asPublicForm(ctx), async (tx) => {
    const { lead, created } = await captureLead(tx, { ...input, email: input.email! }, 'public.roi');
    await recordMarketingChoice(tx, lead.id as string, input.consent_marketing, 'ROI calculator', 'public.roi');
    const { calculation, results } = await calculateRoi(tx, { ...roiInputs(input), lead_id: lead.id as string, email: input.email! });
    await recordEvent(
      tx,
      eventFor(input, 'roi_calculated', { lead_id: lead.id, new_lead: created, roi_calculation_id: calculation.id, annual_savings: results.annual_savings, roi_percent: results.roi_percent, currency: results.currency }),
    );
    return results;
  });
}

// ---------------------------------------------------------------------------
// The contact form

export type PublicContactResult = { received: true; message: string };

const THANKS: PublicContactResult = { received: true, message: 'Thank you. We have your message and will be in touch within one business day.' };

/** The plain lead form: captures the lead, logs the message as an inbound interaction, records `form_submitted`. */
export async function submitContact(ctx: Ctx, input: PublicContactInput): Promise<PublicContactResult> {
  await takePublicLimit(ctx, 'submit');
  if (looksLikeBot(input)) return THANKS;
  return withTx(asPublicForm(ctx), async (tx) => {
    const { lead, created } = await captureLead(tx, input, 'public.contact');
    await recordMarketingChoice(tx, lead.id as string, input.consent_marketing, 'contact form', 'public.contact');
    const interaction = await insertRecord(
      tx,
      resource('interactions'),
      {
        type: 'other',
        direction: 'inbound',
        lead_id: lead.id,
        interaction_date: tx.now(),
        subject: 'Website contact form',
        summary: blank(input.message) ? 'Contact details sent through the website form' : input.message!.slice(0, 200),
        content: orNull(input.message),
        metadata: { source: 'public.contact', ...attribution(input) },
      },
      'public.contact',
    );
    await recordEvent(tx, eventFor(input, 'form_submitted', { form: 'contact', lead_id: lead.id, new_lead: created, interaction_id: interaction.id }));
    return THANKS;
  });
}

// ---------------------------------------------------------------------------
// Events from the public pages

/** Records one analytics event a public page sends (page views, quiz started…), the address anonymised. */
export async function recordPublicEvent(ctx: Ctx, input: PublicEventInput): Promise<{ recorded: true }> {
  await takePublicLimit(ctx, 'event');
  await recordEvent(ctx, {
    event: input.event,
    properties: input.properties ?? {},
    session_id: input.session_id,
    url: input.url,
    referrer: input.referrer,
  });
  return { recorded: true };
}

// ---------------------------------------------------------------------------
// Operations

const TAG = 'public';
const ABUSE = `At most 10 submissions per 10 minutes per address (429 with Retry-After). A post with \`${HONEYPOT_FIELD}\` filled in, or with \`elapsed_ms\` under ${MIN_FILL_MS}, gets a normal answer and is dropped. Unknown fields are ignored.`;

export const publicCaptureOperations: Operation[] = [
  {
    name: 'public.questions',
    summary: 'The AI-readiness quiz for website visitors',
    description: 'The ten questions (q1–q10, answered 1–5) with their categories, weights and tier bands. Needs no sign-in.',
    tag: TAG,
    scope: 'read',
    public: true,
    destructive: false,
    kind: 'action',
    input: z.object({}),
    http: { method: 'get', path: '/api/v1/public/readiness/questions' },
    run: async () => publicQuestions(),
  },
  {
    name: 'public.readiness',
    summary: 'Submit the AI-readiness quiz as a website visitor',
    description: `Scores the answers, creates or updates the visitor's lead (matched by email, any case; source website, UTM attribution, scored on arrival), stores the completed assessment for it and records a \`quiz_completed\` event. With \`consent_marketing: true\` (the ticked checkbox) the lead's agreement to marketing email is recorded, method form, with the wording shown. Answers the score, band, summary and recommendations. Needs no sign-in. ${ABUSE}`,
    tag: TAG,
    scope: 'read',
    public: true,
    destructive: false,
    kind: 'action',
    input: PublicReadinessInput,
    http: { method: 'post', path: '/api/v1/public/readiness' },
    run: (ctx, input: PublicReadinessInput) => submitReadiness(ctx, input),
  },
  {
    name: 'public.roi',
    summary: 'Run the ROI calculator as a website visitor',
    description: `The ROI calculator (as assessment.preview_calculation with type roi); answers the figures. With an \`email\`, the visitor also becomes a lead (as public.readiness), the calculation is stored for it and a \`roi_calculated\` event recorded (and, with \`consent_marketing: true\`, their agreement to marketing email). Needs no sign-in. ${ABUSE} Without an email, 60 calculations per 10 minutes.`,
    tag: TAG,
    scope: 'read',
    public: true,
    destructive: false,
    kind: 'action',
    input: PublicRoiInput,
    http: { method: 'post', path: '/api/v1/public/roi' },
    run: (ctx, input: PublicRoiInput) => submitRoi(ctx, input),
  },
  {
    name: 'public.contact',
    summary: 'Send the website contact form',
    description: `Creates or updates the visitor's lead (matched by email, any case; source website, UTM attribution, scored on arrival), logs the message as an inbound interaction and records a \`form_submitted\` event. With \`consent_marketing: true\` (the ticked checkbox) the lead's agreement to marketing email is recorded, method form, with the wording shown. Needs no sign-in. ${ABUSE}`,
    tag: TAG,
    scope: 'read',
    public: true,
    destructive: false,
    kind: 'action',
    input: PublicContactInput,
    http: { method: 'post', path: '/api/v1/public/leads', status: 201 },
    run: (ctx, input: PublicContactInput) => submitContact(ctx, input),
  },
  {
    name: 'public.event',
    summary: 'Record an analytics event from a public page',
    description: `One of ${PUBLIC_EVENTS.join(', ')}, with a session id, the page, the referrer and up to 20 small properties. The address is kept anonymised (IPv4 /24, IPv6 /48), the user agent truncated. At most 120 events per minute per address. Needs no sign-in.`,
    tag: TAG,
    scope: 'read',
    public: true,
    destructive: false,
    kind: 'action',
    input: PublicEventInput,
    http: { method: 'post', path: '/api/v1/public/events', status: 201 },
    run: (ctx, input: PublicEventInput) => recordPublicEvent(ctx, input),
  },
];
