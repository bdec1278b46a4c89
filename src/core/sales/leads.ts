/**
 * Leads (seeds 001 and 004): the lead score with its history, BANT qualification, and
 * conversion into a company, a contact and optionally a deal.
 *
 * The score is derived data: `leads.score` is read-only to clients and is recomputed inside
 * the transaction of every write of a lead (the `afterWrite` hook of the `leads` resource, so
 * the generic create/update/archive/restore, reassign and every verb are covered) and of every
 * write of one of its qualifications. A `lead_scores` history row is written only when the
 * score or its factors changed, so the history reads as a list of real changes.
 */
import { and, asc, desc, eq, isNull, sql, type SQL } from 'drizzle-orm';
import { COMPANY_SOURCES, companies, contacts, lead_qualifications, lead_scores, leads } from '../../db/schema/sales.ts';
import { withTx, type Ctx } from '../context.ts';
import { AppError, invalid, notFound } from '../errors.ts';
import { actingUserId } from '../identity/roles.ts';
import { writeAudit } from '../platform/audit.ts';
import { assertTransition, stagesOf } from '../platform/pipeline.ts';
import { visibilityScope, visibleCondition } from '../platform/visibility.ts';
import { applyUpdate, fetchRow, insertRecord, validateCreate, type Row } from '../resource.ts';
import { domainOf, resource } from '../resources.ts';

type LeadRow = typeof leads.$inferSelect;
type QualificationRow = typeof lead_qualifications.$inferSelect;

const leadsRes = () => resource('leads');
const qualificationsRes = () => resource('lead_qualifications');
const companiesRes = () => resource('companies');
const contactsRes = () => resource('contacts');
const dealsRes = () => resource('deals');

// ---------------------------------------------------------------------------
// The score (seed 001)

/**
 * Seed 001's lead score. The seed fixes the base and the flat bonuses; it names
 * `calculateIndustryScore` (up to 15) and `calculateSizeScore` (up to 10) without their
 * tables, so those are ours and documented at INDUSTRY_POINTS and SIZE_BANDS.
 *
 *   40 base
 *   +15 a company name is given (not blank)
 *   +10 a phone number is given (not blank)
 *   +20 the email is at a business domain: a well-formed address whose domain is not a
 *       free-mail, ISP or disposable provider (FREE_MAIL_DOMAINS, FREE_MAIL_PATTERN)
 *   +10 the message is over 50 characters (counted in Unicode code points after trimming,
 *       so padding with spaces earns nothing)
 *   +5  a service tier is chosen
 *   +0…15 industry (INDUSTRY_POINTS)
 *   +0…10 company size (SIZE_BANDS)
 *   capped at 100.
 *
 * BANT (seed 004) does not change the number: the seeds define the score by 001's rule and
 * record 004's budget/authority/need/timeline with each score (DOMAIN: "BANT factors (004)
 * recorded with each score"), so they are factors of every history row, from the lead's
 * latest qualification.
 */
export const LEAD_SCORE_POINTS = {
  base: 40,
  company: 15,
  phone: 10,
  business_email: 20,
  message: 10,
  tier: 5,
  industry: 15,
  company_size: 10,
  cap: 100,
} as const;

/** A message earns its points when it is longer than this many characters. */
export const MESSAGE_MIN_CHARS = 50;

/**
 * Domains whose addresses belong to people, not businesses: the big free-mail providers,
 * the ISPs whose mailboxes our markets (AU, NZ, TT, US, UK, EU) hand out with a connection,
 * and disposable-address services. Checked on the lower-cased domain after the last `@`.
 */
export const FREE_MAIL_DOMAINS: readonly string[] = [
  // free-mail providers
  'gmail.com', 'googlemail.com', 'yahoo.com', 'ymail.com', 'rocketmail.com', 'hotmail.com', 'outlook.com',
  'live.com', 'msn.com', 'passport.com', 'aol.com', 'icloud.com', 'me.com', 'mac.com', 'protonmail.com',
  'protonmail.ch', 'proton.me', 'pm.me', 'tutanota.com', 'tuta.io', 'gmx.com', 'gmx.net', 'mail.com',
  'email.com', 'zoho.com', 'zohomail.com', 'yandex.com', 'yandex.ru', 'mail.ru', 'inbox.ru', 'qq.com',
  '163.com', '126.com', 'fastmail.com', 'fastmail.fm', 'hey.com', 'hushmail.com', 'web.de', 't-online.de',
  'orange.fr', 'free.fr', 'laposte.net',
  // ISP mailboxes
  'bigpond.com', 'bigpond.net.au', 'optusnet.com.au', 'tpg.com.au', 'iinet.net.au', 'internode.on.net',
  'westnet.com.au', 'dodo.com.au', 'xtra.co.nz', 'tstt.net.tt', 'btinternet.com', 'sky.com',
  'virginmedia.com', 'comcast.net', 'att.net', 'verizon.net', 'sbcglobal.net',
  // disposable addresses
  'mailinator.com', 'guerrillamail.com', '10minutemail.com', 'temp-mail.org', 'yopmail.com',
  'sharklasers.com', 'trashmail.com',
];
const FREE_MAIL = new Set(FREE_MAIL_DOMAINS);

/** The big providers under any country suffix: yahoo.co.uk, hotmail.fr, outlook.com.au, gmx.de. */
export const FREE_MAIL_PATTERN = /^(gmail|googlemail|yahoo|ymail|hotmail|outlook|live|aol|gmx|yandex|protonmail|zoho)\.(com?\.|net\.|org\.)?[a-z]{2,3}$/;

/**
 * Industry points (up to 15), matched on the lower-cased industry text by keyword, first
 * group wins: the consultancy's clients are builders and trades (seed 000), so they are the
 * core fit; industries with the same site/office paperwork are adjacent; any other industry
 * named is a general fit; none given earns nothing.
 */
export const INDUSTRY_POINTS = [
  {
    group: 'core',
    points: 15,
    keywords: ['construct', 'build', 'civil', 'contractor', 'carpent', 'joinery', 'plumb', 'concret', 'brick', 'roofing', 'scaffold', 'excavat', 'demolition', 'landscap'],
  },
  {
    group: 'adjacent',
    points: 10,
    keywords: ['engineer', 'manufactur', 'fabricat', 'architect', 'property', 'real estate', 'surveying', 'logistic', 'transport', 'mining', 'energy', 'utilit'],
  },
] as const;
export const OTHER_INDUSTRY_POINTS = 5;

/**
 * Company size points (up to 10) by headcount band: SMEs of 51–200 staff are the best fit for
 * an audit-train-support engagement priced per team (seed 000), smaller firms buy less, and
 * the largest buy slowly through procurement.
 *
 * `company_size` is free text: a range (`11-50`, `1,001–5,000`) counts by its lower bound,
 * `N+` means more than N (`50+` is 51), a number may carry `k` (`2k` is 2000), and the words
 * micro/solo (1–10), small (11–50), medium/mid (51–200), large (201–1000) and
 * enterprise/corporate (over 1000) name their band. Anything else is unknown and earns 0.
 */
export const SIZE_BANDS = [
  { band: '1-10', min: 1, max: 10, points: 3 },
  { band: '11-50', min: 11, max: 50, points: 7 },
  { band: '51-200', min: 51, max: 200, points: 10 },
  { band: '201-1000', min: 201, max: 1000, points: 6 },
  { band: '1001+', min: 1001, max: Number.POSITIVE_INFINITY, points: 3 },
] as const;

const SIZE_WORDS: Array<[RegExp, number]> = [
  [/\b(micro|solo|sole trader|freelan)/, 1],
  [/\bsmall\b/, 11],
  [/\b(medium|mid)/, 51],
  [/\blarge\b/, 201],
  [/\b(enterprise|corporate)/, 1001],
];

export type ScoreComponent = { points: number; max: number; basis: string };
export type BantFactor<T extends Record<string, unknown>> = ({ met: boolean } & T) | null;

/** What `lead_scores.factors` holds: seed 001's components and seed 004's BANT. */
export type LeadScoreFactors = {
  rule: 'seed-001';
  base: number;
  components: {
    company: ScoreComponent;
    phone: ScoreComponent;
    business_email: ScoreComponent & { domain: string | null };
    message: ScoreComponent;
    tier: ScoreComponent;
    industry: ScoreComponent;
    company_size: ScoreComponent;
  };
  subtotal: number;
  cap: number;
  /** The latest qualification the BANT factors come from (null: never qualified). */
  qualification_id: string | null;
  budget: BantFactor<{ has_budget: boolean | null; budget_amount: string | null; currency: string | null }>;
  authority: BantFactor<{ decision_maker: boolean | null }>;
  need: BantFactor<{ need_identified: boolean | null }>;
  timeline: BantFactor<{ timeline: string | null }>;
  /** How many of budget, authority, need and timeline are met (null: never qualified). */
  bant_met: number | null;
};

export type ScoreInput = Pick<LeadRow, 'company_name' | 'phone' | 'email' | 'message' | 'tier' | 'industry' | 'company_size'>;
export type BantInput = Pick<QualificationRow, 'id' | 'has_budget' | 'budget_amount' | 'currency' | 'decision_maker' | 'need_identified' | 'timeline'>;

const blank = (v: unknown) => typeof v !== 'string' || v.trim() === '';

/** The domain of an address (lower case), or null when it is not a well-formed address. */
export function emailDomain(email: unknown): string | null {
  if (typeof email !== 'string') return null;
  const at = email.trim().lastIndexOf('@');
  if (at < 1) return null;
  const domain = email.trim().slice(at + 1).toLowerCase();
  return /^[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(domain) ? domain : null;
}

export function isFreeMailDomain(domain: string): boolean {
  return FREE_MAIL.has(domain) || FREE_MAIL_PATTERN.test(domain);
}

/** The email's domain when it is a business domain (what a company's website can be matched on), else null. */
export function businessEmailDomain(email: unknown): string | null {
  const d = emailDomain(email);
  return d && !isFreeMailDomain(d) ? d : null;
}

export function industryPoints(industry: string | null | undefined): ScoreComponent {
  const max = LEAD_SCORE_POINTS.industry;
  if (blank(industry)) return { points: 0, max, basis: 'missing' };
  const text = industry!.toLowerCase();
  for (const g of INDUSTRY_POINTS) {
    if (g.keywords.some((k) => text.includes(k))) return { points: g.points, max, basis: g.group };
  }
  return { points: OTHER_INDUSTRY_POINTS, max, basis: 'other' };
}

/** The headcount a `company_size` text stands for (see SIZE_BANDS), or null when unknown. */
export function headcountOf(size: string | null | undefined): number | null {
  if (blank(size)) return null;
  const text = size!.toLowerCase().trim();
  const m = /(\d[\d,]*(?:\.\d+)?)\s*(k\b)?\s*(\+)?/.exec(text);
  if (m) {
    let n = Number(m[1]!.replace(/,/g, ''));
    if (m[2]) n *= 1000;
    n = Math.floor(n);
    if (m[3]) n += 1;
    return n >= 1 ? n : null;
  }
  for (const [re, n] of SIZE_WORDS) if (re.test(text)) return n;
  return null;
}

export function sizePoints(size: string | null | undefined): ScoreComponent {
  const max = LEAD_SCORE_POINTS.company_size;
  if (blank(size)) return { points: 0, max, basis: 'missing' };
  const n = headcountOf(size);
  const band = n === null ? undefined : SIZE_BANDS.find((b) => n >= b.min && n <= b.max);
  return band ? { points: band.points, max, basis: band.band } : { points: 0, max, basis: 'unknown' };
}

function bantFactors(q: BantInput | undefined): Pick<LeadScoreFactors, 'qualification_id' | 'budget' | 'authority' | 'need' | 'timeline' | 'bant_met'> {
  if (!q) return { qualification_id: null, budget: null, authority: null, need: null, timeline: null, bant_met: null };
  const budget = { met: q.has_budget === true, has_budget: q.has_budget, budget_amount: q.budget_amount, currency: q.budget_amount === null ? null : q.currency };
  const authority = { met: q.decision_maker === true, decision_maker: q.decision_maker };
  const need = { met: q.need_identified === true, need_identified: q.need_identified };
  const timeline = { met: !blank(q.timeline), timeline: q.timeline };
  return {
    qualification_id: q.id,
    budget,
    authority,
    need,
    timeline,
    bant_met: [budget, authority, need, timeline].filter((f) => f.met).length,
  };
}

/** Seed 001's score of a lead, with every point explained, and 004's BANT from its latest qualification. */
export function scoreLead(lead: ScoreInput, qualification?: BantInput): { score: number; factors: LeadScoreFactors } {
  const P = LEAD_SCORE_POINTS;
  const flat = (given: boolean, max: number): ScoreComponent => ({ points: given ? max : 0, max, basis: given ? 'given' : 'missing' });
  const domain = emailDomain(lead.email);
  const emailBasis = blank(lead.email) ? 'missing' : !domain ? 'invalid' : isFreeMailDomain(domain) ? 'free_mail' : 'business';
  const messageChars = blank(lead.message) ? 0 : [...lead.message!.trim()].length;
  const components: LeadScoreFactors['components'] = {
    company: flat(!blank(lead.company_name), P.company),
    phone: flat(!blank(lead.phone), P.phone),
    business_email: { points: emailBasis === 'business' ? P.business_email : 0, max: P.business_email, basis: emailBasis, domain },
    message: {
      points: messageChars > MESSAGE_MIN_CHARS ? P.message : 0,
      max: P.message,
      basis: messageChars === 0 ? 'missing' : messageChars > MESSAGE_MIN_CHARS ? `over_${MESSAGE_MIN_CHARS}` : `${MESSAGE_MIN_CHARS}_or_fewer`,
    },
    tier: { points: lead.tier ? P.tier : 0, max: P.tier, basis: lead.tier ?? 'missing' },
    industry: industryPoints(lead.industry),
    company_size: sizePoints(lead.company_size),
  };
  const subtotal = P.base + Object.values(components).reduce((sum, c) => sum + c.points, 0);
  const score = Math.min(P.cap, subtotal);
  return { score, factors: { rule: 'seed-001', base: P.base, components, subtotal, cap: P.cap, ...bantFactors(qualification) } };
}

/** What each factor of the score means, for the explain verb. */
const RULES: Record<keyof LeadScoreFactors['components'], string> = {
  company: `+${LEAD_SCORE_POINTS.company} when a company name is given`,
  phone: `+${LEAD_SCORE_POINTS.phone} when a phone number is given`,
  business_email: `+${LEAD_SCORE_POINTS.business_email} when the email is at a business domain (not a free-mail, ISP or disposable provider)`,
  message: `+${LEAD_SCORE_POINTS.message} when the message is over ${MESSAGE_MIN_CHARS} characters`,
  tier: `+${LEAD_SCORE_POINTS.tier} when a service tier is chosen`,
  industry: `up to +${LEAD_SCORE_POINTS.industry}: ${INDUSTRY_POINTS.map((g) => `${g.points} ${g.group} (${g.keywords.slice(0, 4).join(', ')}…)`).join(', ')}, ${OTHER_INDUSTRY_POINTS} any other industry named, 0 none`,
  company_size: `up to +${LEAD_SCORE_POINTS.company_size}: ${SIZE_BANDS.map((b) => `${b.band} staff ${b.points}`).join(', ')}, 0 unknown`,
};

/** JSON with object keys sorted at every level: jsonb reorders keys, so factors are compared in this form. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v && typeof v === 'object' && !(v instanceof Date)) {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v ?? null);
}

/** The qualification BANT is read from: the latest by qualified_at (then recorded), archived ones left out. */
async function latestQualification(ctx: Ctx, leadId: string): Promise<QualificationRow | undefined> {
  const [q] = await ctx.db
    .select()
    .from(lead_qualifications)
    .where(and(eq(lead_qualifications.lead_id, leadId), isNull(lead_qualifications.archived_at)))
    .orderBy(sql`${lead_qualifications.qualified_at} desc nulls last`, desc(lead_qualifications.created_at), desc(lead_qualifications.id))
    .limit(1);
  return q;
}

async function latestScore(ctx: Ctx, leadId: string) {
  const [s] = await ctx.db
    .select()
    .from(lead_scores)
    .where(eq(lead_scores.lead_id, leadId))
    .orderBy(desc(lead_scores.calculated_at))
    .limit(1);
  return s;
}

export type RescoreResult = { lead_id: string; score: number; factors: LeadScoreFactors; calculated_at: Date; changed: boolean };

/**
 * Recomputes a lead's score (system work, whoever triggered it: no visibility check) on the
 * locked lead row. Writes a history row, with its audit row, only when the score or the
 * factors differ from the latest one, and keeps `leads.score` equal to the latest. A history
 * row's time is strictly after the previous one's, so "latest" is never a tie, even when
 * several changes share one clock reading.
 */
export async function rescoreLead(ctx: Ctx, leadId: string): Promise<RescoreResult> {
  return withTx(ctx, async (tx) => {
    const [lead] = await tx.db.select().from(leads).where(eq(leads.id, leadId)).for('update');
    if (!lead) throw notFound('lead', leadId);
    const { score, factors } = scoreLead(lead, await latestQualification(tx, leadId));
    const last = await latestScore(tx, leadId);
    let calculatedAt = last?.calculated_at ?? tx.now();
    let changed = false;
    if (!last || last.score !== score || canonicalJson(last.factors) !== canonicalJson(factors)) {
      const now = tx.now();
      calculatedAt = last && last.calculated_at.getTime() >= now.getTime() ? new Date(last.calculated_at.getTime() + 1) : now;
      const [row] = await tx.db
        .insert(lead_scores)
        .values({ lead_id: leadId, score, factors, calculated_at: calculatedAt })
        .returning({ id: lead_scores.id });
      await writeAudit(tx, {
        action: 'create',
        table: 'lead_scores',
        recordId: row!.id,
        operation: 'sales.score_lead',
        after: { lead_id: leadId, score, previous_score: last?.score ?? null, bant_met: factors.bant_met },
      });
      changed = true;
    }
    if (lead.score !== score) await tx.db.update(leads).set({ score }).where(eq(leads.id, leadId));
    return { lead_id: leadId, score, factors, calculated_at: calculatedAt, changed };
  });
}

/**
 * The `afterWrite` hook of the leads resource: every create, update, status move, archive,
 * restore or reassign re-scores the lead in the same transaction; the row the write returns
 * is given the new score, so the response (and its ETag) show what is stored.
 */
export async function rescoreAfterLeadWrite(ctx: Ctx, row: Row): Promise<void> {
  const r = await rescoreLead(ctx, row.id as string);
  row.score = r.score;
}

/** The `afterWrite` hook of lead_qualifications: a new, changed or archived qualification changes the BANT factors. */
export async function rescoreAfterQualificationWrite(ctx: Ctx, row: Row, before: Row | undefined): Promise<void> {
  await rescoreLead(ctx, row.lead_id as string);
  if (before && before.lead_id !== row.lead_id && typeof before.lead_id === 'string') await rescoreLead(ctx, before.lead_id);
}

/**
 * The `beforeInsert` hook of lead_qualifications: who qualified the lead and when default to
 * the caller and now. (A hook of its own also keeps qualifications out of bulk create, which
 * would skip re-scoring.)
 */
export async function stampQualification(ctx: Ctx, values: Row): Promise<Row> {
  return {
    ...values,
    qualified_by: values.qualified_by === undefined ? actingUserId(ctx.actor) : values.qualified_by,
    qualified_at: values.qualified_at === undefined ? ctx.now() : values.qualified_at,
  };
}

/**
 * The `prepare` hook of leads: `converted` is reached only through convertLead, which links
 * the company, contact and deal in the same write; a plain status change to it is refused.
 */
export function guardLeadConversion(values: Row): Row {
  if (values.status === 'converted' && !(values.converted_at instanceof Date)) {
    throw invalid([
      {
        field: 'status',
        message: 'a lead becomes converted through sales.convert_lead (POST /api/v1/leads/{id}/convert), which creates or links its company, contact and deal',
      },
    ]);
  }
  return values;
}

export type ExplainScoreInput = { id: string };

/** The factors of a lead's current score, each with its points, its maximum and the rule that gave them. */
export async function explainLeadScore(ctx: Ctx, input: ExplainScoreInput) {
  const lead = (await fetchRow(ctx, leadsRes(), input.id)) as LeadRow | undefined;
  if (!lead) throw notFound('lead', input.id);
  const live = scoreLead(lead, await latestQualification(ctx, lead.id));
  const last = await latestScore(ctx, lead.id);
  const recorded = !!last && last.score === lead.score && canonicalJson(last.factors) === canonicalJson(live.factors);
  const factors = live.factors;
  const breakdown = [
    { factor: 'base', points: factors.base, max: factors.base, basis: 'every lead', rule: `${factors.base} for every lead` },
    ...(Object.keys(factors.components) as (keyof LeadScoreFactors['components'])[]).map((k) => ({
      factor: k,
      ...factors.components[k],
      rule: RULES[k],
    })),
  ];
  return {
    lead_id: lead.id,
    score: live.score,
    stored_score: lead.score,
    /** False when the stored score predates the current rule (a record written outside this layer); the next change of the lead records it. */
    recorded,
    calculated_at: recorded ? last!.calculated_at : null,
    subtotal: factors.subtotal,
    cap: factors.cap,
    capped: factors.subtotal > factors.cap,
    breakdown,
    bant: {
      qualification_id: factors.qualification_id,
      met: factors.bant_met,
      budget: factors.budget,
      authority: factors.authority,
      need: factors.need,
      timeline: factors.timeline,
    },
    factors,
  };
}

// ---------------------------------------------------------------------------
// Shared helpers

/** Validates a nested payload and reports its field errors under a prefix (`deal.stage`). */
async function nested<T>(prefix: string, fn: () => T | Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof AppError && e.code === 'VALIDATION' && e.details.fields) {
      throw invalid(e.details.fields.map((f) => ({ field: `${prefix}.${f.field}`, message: f.message })));
    }
    throw e;
  }
}

/** The lead, locked, if the caller may see it; refuses an archived one and a stale expected version. */
async function lockLead(ctx: Ctx, id: string, expectedVersion: number | undefined): Promise<LeadRow> {
  const lead = (await fetchRow(ctx, leadsRes(), id, true)) as LeadRow | undefined;
  if (!lead) throw notFound('lead', id);
  if (expectedVersion !== undefined && lead.version !== expectedVersion) {
    throw new AppError('PRECONDITION_FAILED', `lead ${id} has changed since version ${expectedVersion}; it is now at version ${lead.version}`, {
      details: { current_version: lead.version },
    });
  }
  if (lead.archived_at) {
    throw new AppError('CONFLICT', `lead ${id} is archived; restore it first`, { details: { fields: [{ field: 'archived_at', message: 'is set' }] } });
  }
  return lead;
}

// ---------------------------------------------------------------------------
// Qualification (seed 004 BANT)

export const QUALIFY_OUTCOMES = ['qualifying', 'qualified', 'disqualified'] as const;
export type QualifyOutcome = (typeof QUALIFY_OUTCOMES)[number];

export type QualifyLeadInput = {
  id: string;
  has_budget?: boolean | null | undefined;
  budget_amount?: string | number | null | undefined;
  currency?: string | undefined;
  decision_maker?: boolean | null | undefined;
  need_identified?: boolean | null | undefined;
  timeline?: string | null | undefined;
  pain_points?: string | null | undefined;
  status?: QualifyOutcome | undefined;
  reason?: string | undefined;
  expected_version?: number | undefined;
};

/** BANT criteria met: budget (has_budget), authority (decision_maker), need (need_identified), timeline (given). */
export function bantMet(q: Pick<QualificationRow, 'has_budget' | 'decision_maker' | 'need_identified' | 'timeline'>): number {
  return [q.has_budget === true, q.decision_maker === true, q.need_identified === true, !blank(q.timeline)].filter(Boolean).length;
}

/**
 * Records a BANT qualification of a lead (who qualified it and when are the caller and now),
 * moves the lead through the lead pipeline and re-scores it, in one transaction.
 *
 * Where the lead goes: `status` when given (`disqualified` needs a `reason`, kept as
 * lost_reason). Otherwise `qualified` when all four criteria are met (budget, a decision
 * maker, a need, a timeline) and `qualifying` when not; a lead already `qualified` stays
 * there (a partial re-qualification does not demote it: disqualify it explicitly). Every move
 * goes through the pipeline rules, so a converted, lost or disqualified lead is refused with
 * its allowed moves, and nothing is written.
 */
export async function qualifyLead(ctx: Ctx, input: QualifyLeadInput) {
  const { id, status, reason, expected_version: expectedVersion, ...bant } = input;
  const values = validateCreate(qualificationsRes(), { ...Object.fromEntries(Object.entries(bant).filter(([, v]) => v !== undefined)), lead_id: id });
  const why = reason?.trim();
  if (status === 'disqualified' && !why) throw invalid([{ field: 'reason', message: 'is required to disqualify a lead (it is kept as lost_reason)' }]);
  if (why && status !== 'disqualified') throw invalid([{ field: 'reason', message: 'is given only with status disqualified' }]);
  return withTx(ctx, async (tx) => {
    const lead = await lockLead(tx, id, expectedVersion);
    const met = bantMet(values as QualificationRow);
    const target: QualifyOutcome = status ?? (met === 4 ? 'qualified' : 'qualifying');
    const keep = status === undefined && lead.status === 'qualified' && target === 'qualifying';
    const move = !keep && target !== lead.status;
    // Checked before anything is written, so a refused move leaves no qualification behind.
    if (move) await assertTransition(tx, 'lead', lead.status, target, 'status');
    const qualification = await insertRecord(tx, qualificationsRes(), values, 'sales.qualify_lead');
    const updated = move
      ? await applyUpdate(tx, leadsRes(), id, { status: target, ...(target === 'disqualified' ? { lost_reason: why } : {}) }, { operation: 'sales.qualify_lead' })
      : ((await fetchRow(tx, leadsRes(), id)) as Row);
    const scored = await latestScore(tx, id);
    return {
      lead: updated,
      qualification,
      bant_met: met,
      status_change: move ? { from: lead.status, to: target } : null,
      score: { score: updated.score as number, factors: scored?.factors ?? null, calculated_at: scored?.calculated_at ?? null },
    };
  });
}

// ---------------------------------------------------------------------------
// Conversion

export type ConvertLeadInput = {
  id: string;
  company_id?: string | undefined;
  match_company?: boolean | undefined;
  company?: Record<string, unknown> | undefined;
  contact?: Record<string, unknown> | undefined;
  deal?: Record<string, unknown> | undefined;
  deal_id?: string | undefined;
  expected_version?: number | undefined;
};

export type CompanyMatch = 'company_id' | 'lead_company' | 'domain' | 'name';

/** Lead sources that are company sources keep their name; the rest (social, direct, outbound, marketing) are `other`. */
function companySource(source: string): (typeof COMPANY_SOURCES)[number] {
  return (COMPANY_SOURCES as readonly string[]).includes(source) ? (source as (typeof COMPANY_SOURCES)[number]) : 'other';
}

const personName = (lead: LeadRow) => [lead.first_name, lead.last_name].filter((s) => !blank(s)).map((s) => s!.trim()).join(' ');

/**
 * An existing company the lead belongs to, among those the caller may see (a company hidden
 * by record visibility is never matched, so it is neither linked nor revealed): the company
 * the lead already points at, else one whose website domain is the lead's website domain or
 * business email domain, else one with the same name ignoring case. Archived companies are
 * not matched; the oldest wins a tie.
 */
async function findCompany(ctx: Ctx, lead: LeadRow, name: string | null, website: unknown): Promise<{ row: Row; by: CompanyMatch } | undefined> {
  const scope = await visibilityScope(ctx);
  const visible = visibleCondition(companiesRes(), scope);
  const usable = (extra: SQL) => and(isNull(companies.archived_at), extra, visible ?? undefined);
  if (lead.company_id) {
    const [row] = await ctx.db.select().from(companies).where(usable(eq(companies.id, lead.company_id))).limit(1);
    if (row) return { row: row as Row, by: 'lead_company' };
  }
  const domains = [...new Set([domainOf(website), domainOf(lead.company_website), businessEmailDomain(lead.email)].filter((d): d is string => !!d))];
  if (domains.length) {
    const [row] = await ctx.db
      .select()
      .from(companies)
      .where(usable(sql`${companies.domain} in (${sql.join(domains.map((d) => sql`${d}`), sql`, `)})`))
      .orderBy(asc(companies.created_at), asc(companies.id))
      .limit(1);
    if (row) return { row: row as Row, by: 'domain' };
  }
  if (name) {
    const [row] = await ctx.db
      .select()
      .from(companies)
      .where(usable(sql`lower(${companies.name}) = lower(${name})`))
      .orderBy(asc(companies.created_at), asc(companies.id))
      .limit(1);
    if (row) return { row: row as Row, by: 'name' };
  }
  return undefined;
}

/** The contact at the company with the lead's email (ignoring case), or without an email the same name; archived ones are not matched. */
async function findContact(ctx: Ctx, companyId: string, values: Row): Promise<Row | undefined> {
  const email = typeof values.email === 'string' && values.email !== '' ? values.email : undefined;
  const match = email ? sql`lower(${contacts.email}) = lower(${email})` : sql`lower(${contacts.name}) = lower(${String(values.name)})`;
  const [row] = await ctx.db
    .select()
    .from(contacts)
    .where(and(eq(contacts.company_id, companyId), isNull(contacts.archived_at), match))
    .orderBy(asc(contacts.created_at), asc(contacts.id))
    .limit(1);
  return row as Row | undefined;
}

const OP = 'sales.convert_lead';

/** An existing deal for the conversion: visible, not archived, of the company (or of none), from this lead (or from none). */
async function linkDeal(ctx: Ctx, dealId: string, companyId: string, leadId: string): Promise<Row> {
  const deal = await fetchRow(ctx, dealsRes(), dealId, true);
  if (!deal) throw invalid([{ field: 'deal_id', message: 'does not name a deal that you can see' }]);
  if (deal.archived_at) throw invalid([{ field: 'deal_id', message: 'names an archived deal; restore it first' }]);
  if (deal.company_id && deal.company_id !== companyId) throw invalid([{ field: 'deal_id', message: 'is a deal of another company' }]);
  if (deal.lead_id && deal.lead_id !== leadId) throw invalid([{ field: 'deal_id', message: 'came from another lead' }]);
  const changes = { ...(deal.company_id ? {} : { company_id: companyId }), ...(deal.lead_id ? {} : { lead_id: leadId }) };
  return Object.keys(changes).length ? applyUpdate(ctx, dealsRes(), dealId, changes, { operation: OP }) : deal;
}

/**
 * Converts a qualified lead, in one transaction: creates or links its company, creates or
 * links its contact, optionally creates a deal, and records on the lead where it went
 * (`converted_at`, `converted_to_account_id`, `converted_contact_id`, `converted_deal_id`,
 * and `company_id`) as it moves to `converted`. Only a `qualified` lead converts; any other is
 * refused with its allowed moves. Any failure (an invalid deal, a refused stage) undoes it all.
 *
 * - Company: `company_id` links that company (one the caller can see); otherwise a matching
 *   company is linked (see findCompany; `match_company: false` skips matching) and a new one
 *   is created from the lead only when none matches: name, website, industry, size and
 *   source from the lead, `company` fields over them, status `contacted` (a qualified lead
 *   has been spoken to), owned by the lead's assignee. A linked company is not changed.
 * - Contact: the person of the lead (first and last name, else the email's local part; email,
 *   phone, title; a decision maker when the latest qualification says so), `contact` fields
 *   over them; an existing contact of the company with the same email (else the same name)
 *   is linked instead. The contact of a newly created company is its primary contact.
 * - Deal (only when `deal` is given, `{}` for the defaults): at the company, from the lead,
 *   named after the company and the tier, its value and currency the qualified budget; or
 *   `deal_id` links an existing deal of that company (one the caller can see, from no other
 *   lead), which then records the lead it came from.
 */
export async function convertLead(ctx: Ctx, input: ConvertLeadInput) {
  if (input.deal_id && input.deal) {
    throw invalid([{ field: 'deal', message: 'give either deal_id (link that deal) or deal (fields for a new one), not both' }]);
  }
  if (input.company_id && input.company) {
    throw invalid([{ field: 'company', message: 'give either company_id (link that company) or company (fields for a new one), not both' }]);
  }
  for (const [part, fields] of [['contact', ['company_id']], ['deal', ['company_id', 'lead_id']]] as const) {
    const given = input[part];
    for (const f of fields) {
      if (given && f in given) throw invalid([{ field: `${part}.${f}`, message: 'is set by the conversion' }]);
    }
  }
  return withTx(ctx, async (tx) => {
    const lead = await lockLead(tx, input.id, input.expected_version);
    if (lead.status !== 'qualified') {
      const stage = (await stagesOf(tx, 'lead')).find((s) => s.key === lead.status);
      const allowed = stage?.next_statuses ?? [];
      const list = allowed.length ? allowed.join(', ') : 'none (it is final)';
      const message = `only a qualified lead can be converted; this lead is ${lead.status}; allowed next: ${list}`;
      throw new AppError('CONFLICT', `status: ${message}`, {
        details: { fields: [{ field: 'status', message }], from: lead.status, to: 'converted', allowed },
      });
    }
    const qualification = await latestQualification(tx, lead.id);
    const owner = lead.assigned_to ? { owner_id: lead.assigned_to } : {};

    // Every payload is validated before anything is written.
    const companyName = typeof input.company?.name === 'string' ? input.company.name : lead.company_name;
    const companyValues = blank(companyName)
      ? undefined
      : await nested('company', () =>
          validateCreate(companiesRes(), {
            name: companyName!.trim(),
            ...(lead.company_website ? { website: lead.company_website } : {}),
            ...(lead.industry ? { industry: lead.industry } : {}),
            ...(lead.company_size ? { size: lead.company_size } : {}),
            source: companySource(lead.source),
            status: 'contacted',
            ...input.company,
          }),
        );
    const name = personName(lead) || (lead.email ? lead.email.split('@')[0]! : '');
    const contactValues = await nested('contact', () =>
      validateCreate(contactsRes(), {
        ...(name ? { name } : {}),
        ...(lead.first_name ? { first_name: lead.first_name } : {}),
        ...(lead.last_name ? { last_name: lead.last_name } : {}),
        ...(lead.email ? { email: lead.email } : {}),
        ...(lead.phone ? { phone: lead.phone } : {}),
        ...(lead.contact_title ? { role_title: lead.contact_title } : {}),
        ...(qualification?.decision_maker ? { is_decision_maker: true } : {}),
        ...input.contact,
      }),
    );
    const dealValues = input.deal
      ? await nested('deal', () =>
          validateCreate(dealsRes(), {
            name: 'placeholder',
            ...(qualification?.budget_amount ? { value: qualification.budget_amount, currency: qualification.currency } : {}),
            ...input.deal,
          }),
        )
      : undefined;

    // Company: the one named, else a match the caller can see, else a new one.
    let company: Row;
    let matchedBy: CompanyMatch | null = null;
    if (input.company_id) {
      const row = await fetchRow(tx, companiesRes(), input.company_id);
      if (!row) throw invalid([{ field: 'company_id', message: 'does not name a company that you can see' }]);
      if (row.archived_at) throw invalid([{ field: 'company_id', message: 'names an archived company; restore it first' }]);
      company = row;
      matchedBy = 'company_id';
    } else {
      const match = input.match_company === false ? undefined : await findCompany(tx, lead, companyName ?? null, companyValues?.website);
      if (match) {
        company = match.row;
        matchedBy = match.by;
      } else if (companyValues) {
        company = await nested('company', () => insertRecord(tx, companiesRes(), { ...companyValues, ...owner }, OP));
      } else {
        throw invalid([{ field: 'company.name', message: 'is required: the lead has no company_name and matches no company; give company.name or company_id' }]);
      }
    }
    const companyCreated = matchedBy === null;
    const companyId = company.id as string;

    // Contact: the company's contact with the lead's email (or name), else a new one.
    const existingContact = await findContact(tx, companyId, contactValues);
    const contact =
      existingContact ??
      (await nested('contact', () =>
        insertRecord(tx, contactsRes(), { ...contactValues, company_id: companyId, ...(companyCreated ? { is_primary: true } : {}), ...owner }, OP),
      ));
    if (companyCreated) {
      company = await applyUpdate(tx, companiesRes(), companyId, { primary_contact_id: contact.id }, { operation: OP });
    }

    // Deal, when asked for: an existing one of the company linked, or a new one.
    const deal = input.deal_id
      ? await linkDeal(tx, input.deal_id, companyId, lead.id)
      : dealValues
      ? await nested('deal', () =>
          insertRecord(
            tx,
            dealsRes(),
            {
              ...dealValues,
              name: input.deal && 'name' in input.deal ? dealValues.name : `${String(company.name)} — ${lead.tier ?? 'new business'}`,
              company_id: companyId,
              lead_id: lead.id,
              ...owner,
            },
            OP,
          ),
        )
      : null;

    const converted = await applyUpdate(
      tx,
      leadsRes(),
      lead.id,
      {
        status: 'converted',
        company_id: companyId,
        converted_at: tx.now(),
        converted_to_account_id: companyId,
        converted_contact_id: contact.id,
        converted_deal_id: deal?.id ?? null,
      },
      { operation: OP },
    );
    return {
      lead: converted,
      company,
      company_created: companyCreated,
      company_matched_by: matchedBy,
      contact,
      contact_created: !existingContact,
      deal,
    };
  });
}
