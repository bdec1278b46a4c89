/**
 * The lead score (seed 001): a pure rule over the lead's fields, its point tables and the
 * free-mail list, with seed 004's BANT recorded as factors. No database access here.
 */
import { blank, type LeadRow, type QualificationRow } from './shared.ts';

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
