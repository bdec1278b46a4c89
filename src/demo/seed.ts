/**
 * The demo world: PromptAI, a Sydney AI consultancy selling to construction companies
 * (seed 000), with the website leads of seed 001, the automation catalog of seed 002,
 * the events and LLM logs of seed 003 and the deals and campaigns of seed 004.
 *
 * Everything is written through core (createRecord, applyUpdate, the sales verbs), so
 * audit rows and status history are real. Deterministic: a seeded PRNG (mulberry32),
 * no Math.random, and every date relative to ctx.now(), so follow-ups are due this week
 * and overdue whatever the day. Each step runs on a copy of the context whose clock is
 * set to when the step happened, so status history has realistic durations.
 */
import { sql } from 'drizzle-orm';
import { approveDraft } from '../core/assistant/drafts.ts';
import { localDate, withTx, type Ctx } from '../core/context.ts';
import type { Argon2Params } from '../core/identity/options.ts';
import { createUser } from '../core/identity/users.ts';
import { userActor } from '../core/identity/actor.ts';
import { convertLead } from '../core/sales/leads.ts';
import { decideGoNoGo } from '../core/assessment/decisions.ts';
import { acceptProposal, createProposal, rejectProposal } from '../core/assessment/proposals.ts';
import { completeReadiness, startReadiness } from '../core/assessment/readiness.ts';
import { calculateRoi } from '../core/assessment/roi.ts';
import { ingestUsage, MAX_USAGE_ROWS } from '../core/measurement/usage.ts';
import { updateSettings } from '../core/platform/settings.ts';
import { recomputeAllHealth } from '../core/sales/health.ts';
import { applyUpdate, createRecord, createRecords, insertRecord, reassignRecord, updateRecord, validateCreate, type Row } from '../core/resource.ts';
import { resource } from '../core/resources.ts';
import {
  completeMeeting,
  logInteraction,
  logProspect,
  markCompanyLost,
  scheduleMeeting,
  weekOf,
} from '../core/sales/workflow.ts';
import { recordConsent, withdrawConsent } from '../core/privacy/consent.ts';
import { MARKETING_CONSENT_WORDING } from '../core/sales/public-wording.ts';
import { DEMO_CREDENTIALS } from './credentials.ts';

// ---------------------------------------------------------------------------
// Determinism: PRNG and clock

/** mulberry32: a tiny seeded PRNG returning floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const DAY_MS = 86_400_000;
const money = (n: number) => n.toFixed(2);

type Rng = {
  next: () => number;
  int: (min: number, max: number) => number;
  pick: <T>(items: readonly T[]) => T;
  chance: (p: number) => boolean;
};

function makeRng(seed: number): Rng {
  const next = mulberry32(seed);
  return {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    pick: (items) => items[Math.floor(next() * items.length)]!,
    chance: (p) => next() < p,
  };
}

/** The seeding context: the real ctx, a PRNG and helpers for time relative to ctx.now(). */
type World = {
  ctx: Ctx;
  rng: Rng;
  base: Date;
  /** An instant `offset` days from now (negative = past). */
  dt: (offset: number) => Date;
  /** The local calendar date `offset` days from now. */
  ds: (offset: number) => string;
  /** A context whose clock reads `offset` days from now. */
  cx: (offset: number) => Ctx;
  /** The same, acting as one of the demo users (the records it creates are theirs). */
  cxAs: (userId: string, offset: number) => Ctx;
  today: string;
  weekEnd: string;
  users: { admin: string; editor: string; viewer: string };
  industries: Map<string, string>;
  services: Map<string, Row>;
  companies: Map<string, CoInfo>;
  /** Contacts created so far (decides who has no email). */
  gi: number;
  /** ai_usage rows, written in bulk at the end. */
  usage: Record<string, unknown>[];
  /** Numbered documents (tickets, invoices), created at the end in date order so their numbers follow the calendar. */
  numbered: { at: number; run: () => Promise<unknown> }[];
};

const r = (name: string) => resource(name);

/**
 * Creates a record as a user would, except that the demo names each record's owner (which a
 * client would change with <resource>.reassign): those fields skip the client-side check.
 */
async function add(c: Ctx, table: string, input: Record<string, unknown>): Promise<Row> {
  const res = r(table);
  const rule = res.visibility;
  const ownerFields = [...(rule?.owners ?? []), ...(rule?.creator ? [rule.creator] : [])];
  const owners = Object.fromEntries(ownerFields.filter((f) => f in input).map((f) => [f, input[f]]));
  if (Object.keys(owners).length === 0) return createRecord(c, res, input);
  const rest = Object.fromEntries(Object.entries(input).filter(([k]) => !ownerFields.includes(k)));
  return insertRecord(c, res, { ...validateCreate(res, rest), ...owners });
}

async function addMany(c: Ctx, table: string, rows: Record<string, unknown>[]): Promise<string[]> {
  if (rows.length === 0) return [];
  const out: string[] = [];
  for (let i = 0; i < rows.length; i += 5000) {
    const { ids } = await createRecords(c, r(table), rows.slice(i, i + 5000));
    out.push(...ids);
  }
  return out;
}

async function update(c: Ctx, table: string, id: string, changes: Record<string, unknown>): Promise<Row> {
  return updateRecord(c, r(table), id, changes);
}

const id = (row: Row) => row.id as string;
const slugOf = (name: string) => name.toLowerCase().replace(/&/g, 'and').replace(/[^a-z0-9]+/g, '');
const isWeekday = (isoDate: string) => {
  const dow = new Date(`${isoDate}T00:00:00Z`).getUTCDay();
  return dow !== 0 && dow !== 6;
};
const monthStart = (isoDate: string) => `${isoDate.slice(0, 8)}01`;
const minDate = (a: string, b: string) => (a < b ? a : b);

// ---------------------------------------------------------------------------
// Reference data

const USERS = [
  { name: 'Sam Whitaker', email: 'sam@promptai.com.au', role: 'admin' },
  { name: 'Priya Raman', email: 'priya@promptai.com.au', role: 'editor' },
  { name: 'Tom Fletcher', email: 'tom@promptai.com.au', role: 'viewer' },
] as const;

const INDUSTRIES = [
  ['Construction', 'Builders, civil contractors and trades'],
  ['Engineering', 'Structural, civil and building services engineering'],
  ['Architecture & Design', 'Architects, drafting and interior design practices'],
  ['Property Development', 'Residential and commercial developers'],
  ['Facilities Management', 'Maintenance, cleaning and building operations'],
  ['Manufacturing', 'Precast, fabrication and building products'],
  ['Logistics & Plant Hire', 'Transport, equipment and plant hire'],
  ['Professional Services', 'Accounting, legal and consulting firms'],
] as const;

type ServiceSpec = {
  name: string;
  service_category: string;
  description: string;
  tier?: string;
  pricing_model: string;
  currency: string;
  setup: [number, number] | null;
  monthly: [number, number] | null;
  weeks: number;
  use_cases: string[];
  keywords: string[];
};

const SERVICES: ServiceSpec[] = [
  // Seed 000 packages (AUD)
  { name: 'AI Readiness Audit', service_category: 'consulting', description: 'Staff survey, org chart review and task-level audit with a go/no-go recommendation.', tier: 'L1_ESSENTIALS', pricing_model: 'fixed', currency: 'AUD', setup: [2500, 4500], monthly: null, weeks: 3, use_cases: ['Find where estimators and supervisors lose time'], keywords: ['audit', 'survey', 'readiness'] },
  { name: 'AI Foundations', service_category: 'training', description: 'Claude Team workspace, licences, two Skills files and a four-session training programme.', tier: 'L2_ADVANCED', pricing_model: 'fixed', currency: 'AUD', setup: [12000, 18500], monthly: [1500, 2500], weeks: 8, use_cases: ['Site diaries', 'Tender writing', 'RFI drafting'], keywords: ['training', 'claude', 'skills'] },
  { name: 'AI Accelerator', service_category: 'consulting', description: 'Foundations plus custom MCP servers into Procore, Xero and the estimating stack, with monthly ROI reporting.', tier: 'L3_CONSULTING', pricing_model: 'fixed', currency: 'AUD', setup: [28000, 45000], monthly: [3500, 6000], weeks: 12, use_cases: ['Quantity take-offs', 'Variation claims', 'Subcontractor compliance'], keywords: ['mcp', 'integration', 'procore', 'xero'] },
  { name: 'AI Enterprise Partner', service_category: 'platform', description: 'Multi-team rollout, governance, dedicated support and quarterly strategy reviews.', tier: 'L5_STRATEGIC', pricing_model: 'custom', currency: 'AUD', setup: [60000, 120000], monthly: [8000, 15000], weeks: 24, use_cases: ['Group-wide AI operating model'], keywords: ['enterprise', 'governance'] },
  { name: 'Monthly Support & Reporting', service_category: 'consulting', description: 'Ad-hoc support, Skill updates and the monthly hours-saved report.', tier: 'L2_ADVANCED', pricing_model: 'monthly', currency: 'AUD', setup: null, monthly: [900, 2500], weeks: 52, use_cases: ['Monthly ROI report'], keywords: ['support', 'reporting'] },
  // Seed 002 automation services (TTD / USD)
  { name: 'AI Chatbot', service_category: 'automation', description: 'Website and WhatsApp chatbot answering customer enquiries and booking site visits.', pricing_model: 'monthly', currency: 'TTD', setup: [8000, 15000], monthly: [1500, 3000], weeks: 4, use_cases: ['Enquiry handling', 'Booking'], keywords: ['chatbot', 'whatsapp'] },
  { name: 'Lead Generation Automation', service_category: 'automation', description: 'Scraping, enrichment and sequenced outreach into the CRM.', pricing_model: 'monthly', currency: 'TTD', setup: [6000, 12000], monthly: [2000, 4000], weeks: 4, use_cases: ['Outbound prospecting'], keywords: ['leads', 'outreach'] },
  { name: 'Workflow Automation', service_category: 'automation', description: 'n8n workflows connecting forms, email, accounting and project tools.', pricing_model: 'fixed', currency: 'USD', setup: [2500, 6000], monthly: [300, 800], weeks: 3, use_cases: ['Invoice capture', 'Timesheet approvals'], keywords: ['n8n', 'zapier', 'workflow'] },
  { name: 'CRM Integration', service_category: 'integration', description: 'Two-way sync between the CRM, accounting and email.', pricing_model: 'fixed', currency: 'USD', setup: [1500, 4000], monthly: [150, 400], weeks: 2, use_cases: ['HubSpot–Xero sync'], keywords: ['crm', 'integration'] },
];

const INDUSTRY_SERVICES: [string, string, string][] = [
  ['Construction', 'AI Readiness Audit', 'Every engagement starts here; estimators and site teams respond well to the survey.'],
  ['Construction', 'AI Foundations', 'Best fit for builders with 15–60 staff.'],
  ['Construction', 'AI Accelerator', 'For firms on Procore or Aconex with a dedicated estimating team.'],
  ['Engineering', 'AI Accelerator', 'Calculation write-ups and RFI responses.'],
  ['Property Development', 'AI Chatbot', 'Buyer enquiries and display-suite bookings.'],
  ['Facilities Management', 'Workflow Automation', 'Work-order intake and invoicing.'],
  ['Professional Services', 'CRM Integration', 'Practice management to accounting sync.'],
];

const FIRST_NAMES = ['Liam', 'Olivia', 'Noah', 'Charlotte', 'Jack', 'Amelia', 'William', 'Isla', 'Thomas', 'Mia', 'James', 'Grace', 'Lachlan', 'Chloe', 'Ethan', 'Zoe', 'Hamish', 'Ruby', 'Mitchell', 'Sienna', 'Daniel', 'Harper', 'Connor', 'Ava', 'Rhys', 'Matilda', 'Nathan', 'Georgia', 'Tariq', 'Mei'];
const LAST_NAMES = ['Nguyen', 'Smith', 'Kelly', 'Papadopoulos', 'Brown', 'Wilson', 'Taylor', 'Anderson', 'Rossi', 'Walker', 'Harris', "O'Brien", 'Martin', 'Chen', 'Thompson', 'Murphy', 'Khoury', 'Singh', 'Campbell', 'Stewart', 'Nakamura', 'Fraser', 'Kovac', 'Doyle', 'Patel', 'Morrison', 'Hughes', 'Bianchi', 'Tran', 'McLeod'];

const ROLES = ['Director', 'Project Manager', 'Senior Estimator', 'Site Supervisor', 'Office Manager', 'Contracts Administrator'] as const;
type Role = (typeof ROLES)[number];

const ROLE_INFO: Record<Role, { department: string; description: string; relationship: string }> = {
  Director: { department: 'Management', description: 'Owns the business; signs off spend and tenders.', relationship: 'decision_maker' },
  'Project Manager': { department: 'Projects', description: 'Runs two to four live jobs; client reporting and RFIs.', relationship: 'champion' },
  'Senior Estimator': { department: 'Estimating', description: 'Take-offs, pricing and tender submissions.', relationship: 'technical' },
  'Site Supervisor': { department: 'Site', description: 'Daily site diary, toolbox talks, subcontractor coordination.', relationship: 'employee' },
  'Office Manager': { department: 'Administration', description: 'Accounts, payroll, compliance paperwork.', relationship: 'billing' },
  'Contracts Administrator': { department: 'Commercial', description: 'Progress claims, variations and subcontracts.', relationship: 'employee' },
};

type TaskSpec = { name: string; description: string; software: string; frequency: string; before: number; occurrences?: string; challenge: string };

const TASKS: Record<Role, TaskSpec[]> = {
  Director: [
    { name: 'Reviewing tender pricing', description: 'Final review of estimates before submission', software: 'Excel, Outlook', frequency: 'per_project', before: 120, occurrences: '4', challenge: 'Late nights before tender deadlines' },
  ],
  'Project Manager': [
    { name: 'Weekly client progress report', description: 'Photos, programme status and issues for the client', software: 'Procore, Word', frequency: 'weekly', before: 90, challenge: 'Pulling updates from three systems' },
    { name: 'RFI drafting and register updates', description: 'Writing RFIs to consultants and tracking responses', software: 'Aconex, Excel', frequency: 'weekly', before: 60, challenge: 'Chasing answers and keeping the register current' },
  ],
  'Senior Estimator': [
    { name: 'Quantity take-offs from drawings', description: 'Measuring quantities from PDF drawings', software: 'Cubit, Bluebeam', frequency: 'per_project', before: 240, occurrences: '6', challenge: 'Revisions mean re-measuring from scratch' },
    { name: 'Writing tender submissions', description: 'Methodology, programme narrative and exclusions', software: 'Word, Excel', frequency: 'per_project', before: 180, occurrences: '4', challenge: 'Copy-paste from old tenders' },
  ],
  'Site Supervisor': [
    { name: 'Daily site diary', description: 'Weather, labour, deliveries, delays and photos', software: 'Procore mobile', frequency: 'daily', before: 30, challenge: 'Written up at night from memory' },
    { name: 'SWMS and toolbox talk notes', description: 'Reviewing safe work method statements and recording toolbox talks', software: 'Paper forms, SafetyCulture', frequency: 'weekly', before: 45, challenge: 'Subbies send SWMS in every format' },
  ],
  'Office Manager': [
    { name: 'Supplier invoice entry', description: 'Keying supplier invoices into Xero and coding to jobs', software: 'Xero, Outlook', frequency: 'daily', before: 45, challenge: 'Matching invoices to purchase orders' },
    { name: 'Subcontractor compliance checks', description: 'Insurance certificates, licences and inductions', software: 'Excel, Outlook', frequency: 'weekly', before: 60, challenge: 'Expired certificates found too late' },
  ],
  'Contracts Administrator': [
    { name: 'Variation claims', description: 'Pricing and writing up variations for the client', software: 'Excel, Procore', frequency: 'weekly', before: 75, challenge: 'Back-up evidence scattered across emails' },
    { name: 'Monthly progress claims', description: 'Preparing the payment claim under SOPA', software: 'Excel, Xero', frequency: 'monthly', before: 240, challenge: 'Reconciling with subcontractor claims' },
  ],
};

const SURVEY_QUESTIONS = [
  'Which tasks take up most of your week?',
  'Which software do you use every day?',
  'Where do you lose the most time to admin or rework?',
  'How comfortable are you with AI tools like ChatGPT or Claude (1–5)?',
];

const PRE_TRAINING_QUESTIONS = ['What would you most like AI to take off your plate?', 'Have you used Claude before?'];

// ---------------------------------------------------------------------------
// Companies: who they are and how far each got

type FollowUp = 'overdue' | 'today' | 'week' | 'answered';
type DealTarget = 'discovery' | 'proposal' | 'negotiation' | 'closed_won' | 'closed_lost';
type Pkg = 'AI Foundations' | 'AI Accelerator';

type CoSpec = {
  name: string;
  status: string;
  suburb: string;
  employees: number;
  contacts: number;
  source: string;
  /** Days since the last status move (for meeting_scheduled: since the booking). */
  age: number;
  industry?: string;
  tier?: string;
  pkg?: Pkg;
  lostFrom?: 'contacted' | 'meeting_complete' | 'proposal_sent';
  lostReason?: string;
  /** The open follow-up left on the company at the end (see followUpsDue). */
  fu?: FollowUp;
  deal?: DealTarget;
  overdueInvoice?: boolean;
};

const COMPANIES: CoSpec[] = [
  { name: 'Harbour Civil Works', status: 'supporting', suburb: 'Pyrmont', employees: 48, contacts: 6, source: 'referral', age: 75, pkg: 'AI Accelerator', tier: 'strategic', overdueInvoice: true },
  { name: 'Parramatta Build Co', status: 'supporting', suburb: 'Parramatta', employees: 32, contacts: 5, source: 'networking_event', age: 55, pkg: 'AI Foundations', tier: 'growth', deal: 'closed_won' },
  { name: 'Ultimo Project Builders', status: 'supporting', suburb: 'Ultimo', employees: 22, contacts: 4, source: 'cold_walk_in', age: 40, pkg: 'AI Foundations', tier: 'growth' },
  { name: 'Northshore Joinery', status: 'training', suburb: 'Brookvale', employees: 18, contacts: 4, source: 'linkedin', age: 24, pkg: 'AI Foundations', tier: 'standard', deal: 'closed_won' },
  { name: 'Kogarah Waterproofing', status: 'training', suburb: 'Kogarah', employees: 14, contacts: 3, source: 'cold_call', age: 12, pkg: 'AI Foundations', tier: 'standard', overdueInvoice: true },
  { name: 'Blacktown Concrete Solutions', status: 'onboarding', suburb: 'Blacktown', employees: 40, contacts: 5, source: 'website', age: 6, pkg: 'AI Accelerator', tier: 'growth', deal: 'closed_won' },
  { name: 'Epping Architectural Steel', status: 'onboarding', suburb: 'Epping', industry: 'Manufacturing', employees: 27, contacts: 4, source: 'inbound', age: 3, pkg: 'AI Foundations' },
  { name: 'Coastal Formwork Group', status: 'paused', suburb: 'Wollongong', employees: 35, contacts: 5, source: 'referral', age: 18, pkg: 'AI Foundations' },
  { name: 'Westside Scaffolding', status: 'churned', suburb: 'Wetherill Park', employees: 26, contacts: 4, source: 'cold_call', age: 20, pkg: 'AI Foundations', lostReason: 'Owner sold the business; new management cancelled non-essential contracts' },
  { name: 'Ryde Renovations', status: 'proposal_sent', suburb: 'Ryde', employees: 30, contacts: 4, source: 'referral', age: 16, pkg: 'AI Accelerator', deal: 'negotiation', fu: 'overdue' },
  { name: 'Castle Hill Tiling', status: 'proposal_sent', suburb: 'Castle Hill', employees: 16, contacts: 3, source: 'event', age: 15, pkg: 'AI Foundations', deal: 'proposal', fu: 'week' },
  { name: 'Bondi Builders', status: 'go', suburb: 'Bondi Junction', employees: 20, contacts: 4, source: 'cold_walk_in', age: 20, pkg: 'AI Foundations', fu: 'answered' },
  { name: 'Liverpool Earthmoving', status: 'no_go', suburb: 'Liverpool', industry: 'Logistics & Plant Hire', employees: 55, contacts: 3, source: 'cold_email', age: 25 },
  { name: 'Alexandria Plant Hire', status: 'no_go', suburb: 'Alexandria', industry: 'Logistics & Plant Hire', employees: 12, contacts: 2, source: 'linkedin', age: 40 },
  { name: 'Penrith Plumbing & Drainage', status: 'auditing', suburb: 'Penrith', employees: 24, contacts: 5, source: 'referral', age: 14, fu: 'today' },
  { name: 'Hills District Homes', status: 'auditing', suburb: 'Baulkham Hills', employees: 38, contacts: 6, source: 'networking_event', age: 8 },
  { name: 'Granville Modular Homes', status: 'auditing', suburb: 'Granville', industry: 'Manufacturing', employees: 28, contacts: 4, source: 'website', age: 4 },
  { name: 'Sutherland Steel Fabrication', status: 'meeting_complete', suburb: 'Sutherland', industry: 'Manufacturing', employees: 21, contacts: 3, source: 'cold_call', age: 16, fu: 'overdue' },
  { name: 'Chatswood Commercial Fitouts', status: 'meeting_complete', suburb: 'Chatswood', employees: 33, contacts: 4, source: 'website', age: 14, pkg: 'AI Foundations', deal: 'discovery', fu: 'week' },
  { name: 'Manly Marine Construction', status: 'meeting_scheduled', suburb: 'Manly', employees: 19, contacts: 3, source: 'linkedin', age: 2 },
  { name: 'Strathfield Roofing', status: 'meeting_scheduled', suburb: 'Strathfield', employees: 11, contacts: 2, source: 'cold_walk_in', age: 5 },
  { name: 'Hornsby Electrical Contractors', status: 'contacted', suburb: 'Hornsby', employees: 17, contacts: 3, source: 'cold_call', age: 14, fu: 'overdue' },
  { name: 'Campbelltown Civil', status: 'contacted', suburb: 'Campbelltown', employees: 44, contacts: 4, source: 'cold_email', age: 15, fu: 'today' },
  { name: 'Marrickville Demolition', status: 'contacted', suburb: 'Marrickville', employees: 23, contacts: 3, source: 'cold_walk_in', age: 20, fu: 'answered' },
  { name: 'Zetland Property Group', status: 'contacted', suburb: 'Zetland', industry: 'Property Development', employees: 15, contacts: 2, source: 'linkedin', age: 9 },
  { name: 'Surry Hills Interiors', status: 'lead', suburb: 'Surry Hills', industry: 'Architecture & Design', employees: 9, contacts: 2, source: 'networking_event', age: 3 },
  { name: 'Cronulla Landscapes', status: 'lead', suburb: 'Cronulla', employees: 13, contacts: 2, source: 'cold_walk_in', age: 1 },
  { name: 'Botany Bay Precast', status: 'lead', suburb: 'Botany', industry: 'Manufacturing', employees: 62, contacts: 3, source: 'linkedin', age: 6 },
  { name: 'Inner West Carpentry', status: 'lost', suburb: 'Leichhardt', employees: 10, contacts: 2, source: 'cold_call', age: 30, lostFrom: 'contacted', lostReason: 'No response after four attempts' },
  { name: 'Mascot Glazing', status: 'lost', suburb: 'Mascot', employees: 29, contacts: 4, source: 'event', age: 22, pkg: 'AI Foundations', lostFrom: 'proposal_sent', lostReason: 'Chose a cheaper offshore provider', deal: 'closed_lost' },
  { name: 'Rozelle Heritage Restorations', status: 'lost', suburb: 'Rozelle', employees: 8, contacts: 2, source: 'referral', age: 45, lostFrom: 'meeting_complete', lostReason: 'Too small for a structured programme this year; revisit in 2027' },
];

const HAPPY = ['contacted', 'meeting_scheduled', 'meeting_complete', 'auditing', 'go', 'proposal_sent', 'onboarding', 'training', 'supporting'] as const;
const upTo = (s: string) => HAPPY.slice(0, HAPPY.indexOf(s as (typeof HAPPY)[number]) + 1) as string[];

function pathOf(s: CoSpec): string[] {
  switch (s.status) {
    case 'lead':
      return [];
    case 'no_go':
      return [...upTo('auditing'), 'no_go'];
    case 'paused':
      return [...upTo('training'), 'paused'];
    case 'churned':
      return [...upTo('supporting'), 'churned'];
    case 'lost':
      return [...upTo(s.lostFrom!), 'lost'];
    default:
      return upTo(s.status);
  }
}

/** Days spent before entering each status (from the previous step). */
const GAP: Record<string, [number, number]> = {
  contacted: [1, 3],
  meeting_scheduled: [2, 6],
  meeting_complete: [4, 9],
  auditing: [2, 5],
  go: [12, 20],
  no_go: [12, 20],
  proposal_sent: [3, 6],
  onboarding: [6, 14],
  training: [14, 21],
  supporting: [25, 40],
  paused: [15, 25],
  churned: [30, 60],
  lost: [5, 15],
};

type Contact = { id: string; name: string; first: string; last: string; role: Role; email: string | null; phone: string };
type Task = { id: string; contact: Contact; spec: TaskSpec; before: number };

type CoInfo = {
  spec: CoSpec;
  id: string;
  slug: string;
  contacts: Contact[];
  /** Offset (days from now) at which each status was entered; `prospect` is the first record. */
  times: Record<string, number>;
  tasks: Task[];
  auditId?: string;
  goNoGoId?: string;
  proposalId?: string;
  dealId?: string;
  engagement?: Row;
};

const pkgPrice = (pkg: Pkg, employees: number) =>
  pkg === 'AI Accelerator'
    ? { setup: 32000 + employees * 150, monthly: 4200 + Math.round(employees / 10) * 200 }
    : { setup: 12500 + employees * 120, monthly: 1600 + Math.round(employees / 10) * 150 };

function phoneOf(rng: Rng): string {
  return `04${rng.int(10, 99)} ${rng.int(100, 999)} ${rng.int(100, 999)}`;
}

async function makeContacts(w: World, s: CoSpec, slug: string): Promise<Omit<Contact, 'id'>[]> {
  const used = new Set<string>();
  const out: Omit<Contact, 'id'>[] = [];
  for (let k = 0; k < s.contacts; k++) {
    let first = w.rng.pick(FIRST_NAMES);
    let last = w.rng.pick(LAST_NAMES);
    while (used.has(`${first} ${last}`)) {
      first = w.rng.pick(FIRST_NAMES);
      last = w.rng.pick(LAST_NAMES);
    }
    used.add(`${first} ${last}`);
    const role = ROLES[k]!;
    // About one in five has no email at all (site staff mostly): 000's has_email.
    const noEmail = w.gi++ % 5 === 3;
    const email = noEmail ? null : `${first}.${last}`.toLowerCase().replace(/[^a-z.]/g, '') + `@${slug}.com.au`;
    out.push({ name: `${first} ${last}`, first, last, role, email, phone: phoneOf(w.rng) });
  }
  return out;
}

function contactInput(w: World, s: CoSpec, c: Omit<Contact, 'id'>, k: number): Record<string, unknown> {
  const info = ROLE_INFO[c.role];
  return {
    name: c.name,
    first_name: c.first,
    last_name: c.last,
    role_title: c.role,
    role_description: info.description,
    department: info.department,
    ...(c.email ? { email: c.email } : {}),
    phone: c.phone,
    location: `${s.suburb} NSW`,
    is_decision_maker: c.role === 'Director',
    is_primary: k === 0,
    relationship_type: info.relationship,
  };
}

const INTERACTION_BY_SOURCE: Record<string, string> = {
  cold_walk_in: 'cold_walk_in',
  cold_call: 'cold_call',
  cold_email: 'cold_email',
  linkedin: 'linkedin_message',
  referral: 'warm_intro',
  networking_event: 'warm_intro',
  event: 'warm_intro',
  website: 'email',
  inbound: 'email',
};

const OCCURRENCES: Record<string, number> = { daily: 21, weekly: 4.33, monthly: 1 };
const occurrencesOf = (spec: TaskSpec) => OCCURRENCES[spec.frequency] ?? Number(spec.occurrences ?? '2');

function answerFor(rng: Rng, role: Role, question: string): string {
  const tasks = TASKS[role];
  if (question === SURVEY_QUESTIONS[0]) return tasks.map((x) => x.name).join('; ');
  if (question === SURVEY_QUESTIONS[1]) return tasks.map((x) => x.software).join(', ');
  if (question === SURVEY_QUESTIONS[2]) return tasks[0]!.challenge;
  return String(rng.int(1, 4));
}

/** 000 steps 5–6: the audit, its survey (some completed, some only sent, some never sent) and the tasks found. */
async function runAudit(w: World, info: CoInfo, t: number, current: boolean, more: boolean) {
  const s = info.spec;
  const dm = info.contacts[0]!;
  const withEmail = info.contacts.filter((c) => c.email);
  const audit = await add(w.cx(t), 'audits', {
    company_id: info.id,
    audit_date: w.ds(t),
    org_chart_received: true,
    team_size: s.employees,
    digital_maturity: s.employees > 35 ? 'medium' : w.rng.pick(['low', 'medium'] as const),
    current_tools_summary: 'Procore for projects, Xero for accounts, Cubit for estimating, Excel everywhere; AI limited to personal ChatGPT accounts.',
    notes: `Org chart from ${dm.first}; ${info.contacts.length - withEmail.length} of ${info.contacts.length} key staff have no company email.`,
  });
  info.auditId = id(audit);
  await logInteraction(w.cx(t + 0.1), {
    company_id: info.id,
    contact_id: dm.id,
    interaction: {
      type: 'email',
      direction: 'outbound',
      interaction_date: w.dt(t + 0.1),
      subject: 'Audit survey link and org chart request',
      summary: `Sent the audit survey to ${withEmail.length} staff with email; asked ${dm.first} for the org chart.`,
      outcome: 'next_step_agreed',
      next_step: 'Chase survey completions',
      ...(more ? { follow_up_date: w.ds(t + 7) } : {}),
    },
  });
  const rows: Record<string, unknown>[] = [];
  let sent = 0;
  let completed = 0;
  let lastDone = t + 0.2;
  const done: { contact: Contact; at: number }[] = [];
  info.contacts.forEach((ct, k) => {
    if (!ct.email) return; // no email: cannot be sent the link (000 step 5 tracks them)
    const mode = current
      ? (['completed', 'sent', 'unsent'] as const)[k % 3]!
      : k === info.contacts.length - 1 && k % 2 === 1
        ? 'sent'
        : 'completed';
    const at = Math.min(t + 1 + k, -0.2);
    if (mode !== 'unsent') sent++;
    if (mode === 'completed') {
      completed++;
      lastDone = Math.max(lastDone, at);
      done.push({ contact: ct, at });
    }
    for (const q of SURVEY_QUESTIONS) {
      rows.push({
        contact_id: ct.id,
        company_id: info.id,
        audit_id: info.auditId,
        survey_type: 'audit',
        survey_sent: mode !== 'unsent',
        survey_sent_date: mode !== 'unsent' ? w.ds(t + 0.1) : null,
        survey_completed: mode === 'completed',
        survey_completed_date: mode === 'completed' ? w.ds(at) : null,
        question: q,
        answer: mode === 'completed' ? answerFor(w.rng, ct.role, q) : null,
      });
    }
  });
  await addMany(w.cx(t + 0.1), 'survey_responses', rows);
  await update(w.cx(lastDone), 'audits', info.auditId, { surveys_sent: sent, surveys_completed: completed });
  for (const { contact, at } of done) {
    const specs = TASKS[contact.role].slice(0, w.rng.chance(0.6) ? 2 : 1);
    for (const spec of specs) {
      const before = Math.max(10, spec.before + w.rng.int(-2, 2) * 5);
      const row = await add(w.cx(at), 'contact_tasks', {
        contact_id: contact.id,
        company_id: info.id,
        task_name: spec.name,
        task_description: spec.description,
        software_used: spec.software,
        frequency: spec.frequency,
        ...(spec.occurrences ? { occurrences_per_month: spec.occurrences } : {}),
        time_before_ai: before,
        issues_before_ai: spec.challenge,
        key_challenges: spec.challenge,
      });
      info.tasks.push({ id: id(row), contact, spec, before });
    }
  }
}

/** 000 step 7: the go/no-go scorecard, compared with our capacity. */
async function decide(w: World, info: CoInfo, t: number, decision: 'go' | 'no_go') {
  const s = info.spec;
  const pkg = s.pkg ?? 'AI Foundations';
  const mcps = pkg === 'AI Accelerator' ? 3 : 1;
  const skills = pkg === 'AI Accelerator' ? 4 : s.employees > 25 ? 3 : 2;
  const hoursPerMonth = info.tasks.reduce((sum, x) => sum + (x.before * occurrencesOf(x.spec) * 0.5) / 60, 0);
  const price = pkgPrice(pkg, s.employees);
  const go = decision === 'go';
  // Decided by Sam through the verb: it works out the hours a week with the instance's
  // coefficients, weighs them against the team's capacity and moves the company.
  const { decision: row } = await decideGoNoGo(w.cxAs(w.users.admin, t), {
    id: info.id,
    ...(info.auditId ? { audit_id: info.auditId } : {}),
    decision,
    decision_date: w.ds(t),
    decision_maker_engagement: go ? 'high' : 'low',
    budget_confirmed: go,
    team_readiness: go ? 'medium' : 'low',
    champion_strength: go ? 'strong' : 'weak',
    technical_feasibility: go ? 'high' : 'medium',
    timeline_alignment: go ? 'aligned' : 'unrealistic',
    estimated_roi: `About ${Math.round(hoursPerMonth)} hours a month across ${info.tasks.length} surveyed tasks`,
    estimated_roi_hours_per_month: money(hoursPerMonth),
    risk_factors: go ? 'Site staff without email need shared licences; Procore API access needs the client admin.' : 'Most work happens in the field without devices; owner not engaged in the audit.',
    decision_rationale: go
      ? `Strong champion and clear estimating and admin load; ${pkg} fits ${s.employees} staff.`
      : 'Too little desk work to automate for the fee; revisit if they add an estimating team.',
    recommended_package: pkg,
    novel_mcps: mcps,
    novel_skills: skills,
    employee_count: s.employees,
    estimated_value: money(price.setup + 12 * price.monthly),
    currency: 'AUD',
  });
  info.goNoGoId = id(row);
  await logInteraction(w.cx(t + 0.1), {
    company_id: info.id,
    contact_id: info.contacts[0]!.id,
    interaction: {
      type: 'call',
      direction: 'outbound',
      interaction_date: w.dt(t + 0.1),
      subject: go ? 'Audit results: we recommend going ahead' : 'Audit results: not the right time',
      summary: go
        ? `Walked ${info.contacts[0]!.first} through the audit findings; ${pkg} recommended.`
        : 'Explained the audit findings and why a programme would not pay back yet.',
      outcome: go ? 'proposal_requested' : 'declined',
      sentiment: go ? 'positive' : 'neutral',
      next_step: go ? 'Send the proposal' : 'Check in again in six months',
    },
  });
}

async function createDeal(w: World, info: CoInfo, t: number) {
  const s = info.spec;
  const pkg = s.pkg ?? 'AI Foundations';
  const price = pkgPrice(pkg, s.employees);
  const c = w.cx(t);
  const deal = await add(c, 'deals', {
    company_id: info.id,
    name: `${s.name} — ${pkg}`,
    deal_type: 'new_business',
    value: money(price.setup + 12 * price.monthly),
    currency: 'AUD',
    probability: 20,
    expected_close_date: w.ds(t + 45),
    owner_id: w.users.admin,
    notes: `Came out of the discovery meeting with ${info.contacts[0]!.name}.`,
  });
  info.dealId = id(deal);
  const roles = ['decision_maker', 'champion', 'user'] as const;
  const levels = ['high', 'medium', 'low'] as const;
  for (let k = 0; k < Math.min(3, info.contacts.length); k++) {
    await add(c, 'deal_stakeholders', { deal_id: info.dealId, contact_id: info.contacts[k]!.id, role: roles[k], influence_level: levels[k] });
  }
  const competitors = [
    { competitor_name: 'Local IT managed-services provider', strengths: 'Already does their IT support', weaknesses: 'No construction workflow knowledge', our_differentiators: 'Task-level audit and measured hours saved' },
    { competitor_name: 'Big Four digital practice', strengths: 'Brand', weaknesses: 'Priced for enterprises; no hands-on training', our_differentiators: 'Fixed price, on-site training for site staff' },
    { competitor_name: 'DIY with ChatGPT', strengths: 'Cheap', weaknesses: 'No integration with Procore or Xero; no governance', our_differentiators: 'Custom MCPs and Skills on their own data' },
  ];
  for (const comp of competitors.slice(0, 1 + (s.employees % 2))) {
    await add(c, 'deal_competitors', { deal_id: info.dealId, ...comp });
  }
  await add(c, 'deal_products', {
    deal_id: info.dealId,
    service_id: id(w.services.get(pkg)!),
    product_type: pkg === 'AI Accelerator' ? 'consulting' : 'training',
    description: `${pkg} setup and training`,
    quantity: '1',
    unit_price: money(price.setup),
    currency: 'AUD',
  });
  await add(c, 'deal_products', {
    deal_id: info.dealId,
    service_id: id(w.services.get('Monthly Support & Reporting')!),
    product_type: 'consulting',
    description: 'Monthly support and hours-saved reporting',
    quantity: '12',
    unit_price: money(price.monthly),
    currency: 'AUD',
  });
}

async function moveDeal(w: World, info: CoInfo, t: number, stage: string, extra: Record<string, unknown> = {}) {
  if (!info.dealId) return;
  const probability = { discovery: 20, proposal: 50, negotiation: 75, closed_won: 100, closed_lost: 0 }[stage];
  await update(w.cx(t), 'deals', info.dealId, { stage, probability, ...extra });
}

const DEAL_ORDER: DealTarget[] = ['discovery', 'proposal', 'negotiation', 'closed_won'];
const dealReaches = (s: CoSpec, stage: DealTarget) =>
  s.deal !== undefined && s.deal !== 'closed_lost' && DEAL_ORDER.indexOf(s.deal) >= DEAL_ORDER.indexOf(stage);

/** One company from first sighting to its current status, every move through the verbs or the pipeline rules. */
async function buildCompany(w: World, s: CoSpec): Promise<CoInfo> {
  const { rng } = w;
  const path = pathOf(s);
  const gaps = path.map((st) => {
    const [a, b] = GAP[st]!;
    return rng.int(a, b);
  });
  let t = -(gaps.reduce((a, b) => a + b, 0) + s.age) - rng.int(0, 5) / 24;
  const slug = slugOf(s.name);
  const industry = s.industry ?? 'Construction';
  const people = await makeContacts(w, s, slug);
  // The prospect is logged by whoever will own the company, so it (and its first contact) are theirs.
  const prospect = await logProspect(w.cxAs(s.employees % 3 === 0 ? w.users.editor : w.users.admin, t), {
    company: {
      name: s.name,
      legal_name: `${s.name} Pty Ltd`,
      industry: industry.toLowerCase(),
      industry_id: w.industries.get(industry)!,
      size: `${s.employees} staff`,
      employee_count: s.employees,
      location: s.suburb,
      website: `https://www.${slug}.com.au`,
      source: s.source,
      ...(s.tier ? { tier: s.tier } : {}),
      annual_revenue: money(s.employees * 310_000),
      founded_year: 1985 + (s.employees * 7) % 35,
      description: `${industry} business in ${s.suburb}, ${s.employees} staff.`,
      address: `${rng.int(2, 180)} ${rng.pick(['Parramatta Rd', 'Victoria Rd', 'Pacific Hwy', 'Princes Hwy', 'Church St', 'George St'])}, ${s.suburb} NSW`,
      city: 'Sydney',
      country: 'Australia',
      currency: 'AUD',
    },
    contact: contactInput(w, s, people[0]!, 0),
  });
  const info: CoInfo = { spec: s, id: id(prospect.company), slug, contacts: [], times: { prospect: t, lead: t }, tasks: [] };
  info.contacts.push({ ...people[0]!, id: id(prospect.contact!) });
  for (let k = 1; k < people.length; k++) {
    const row = await add(w.cx(t), 'contacts', { company_id: info.id, ...contactInput(w, s, people[k]!, k) });
    info.contacts.push({ ...people[k]!, id: id(row) });
  }
  const dm = info.contacts[0]!;
  const pkg = s.pkg ?? 'AI Foundations';
  let meetingId: string | undefined;

  for (let i = 0; i < path.length; i++) {
    const st = path[i]!;
    t += gaps[i]!;
    info.times[st] = t;
    const c = w.cx(t);
    const more = i < path.length - 1;
    const next = path[i + 1];
    switch (st) {
      case 'contacted': {
        const inbound = s.source === 'website' || s.source === 'inbound';
        await logInteraction(c, {
          company_id: info.id,
          contact_id: dm.id,
          interaction: {
            type: INTERACTION_BY_SOURCE[s.source] ?? 'call',
            direction: inbound ? 'inbound' : 'outbound',
            interaction_date: w.dt(t),
            subject: inbound ? 'Enquiry from the website' : 'First contact',
            summary: inbound
              ? `${dm.first} asked how other builders use AI for tenders and site paperwork.`
              : `Spoke with ${dm.first} (${dm.role}); interested in cutting admin for estimators and site supervisors.`,
            outcome: next === 'lost' ? 'no_response' : 'interested',
            sentiment: next === 'lost' ? 'neutral' : 'positive',
            next_step: 'Book a discovery meeting',
            ...(more ? { follow_up_date: w.ds(t + 4) } : {}),
          },
        });
        if (next === 'lost') {
          for (const k of [1, 2]) {
            await logInteraction(w.cx(t + k * 2), {
              company_id: info.id,
              contact_id: dm.id,
              interaction: { type: k === 1 ? 'follow_up_email' : 'follow_up_call', direction: 'outbound', interaction_date: w.dt(t + k * 2), summary: 'No reply; left a message.', outcome: 'no_response' },
            });
          }
        }
        break;
      }
      case 'meeting_scheduled': {
        const scheduledAt = s.status === 'meeting_scheduled' ? w.dt(rng.int(1, 6) + 0.05) : w.dt(t + gaps[i + 1]!);
        const r = await scheduleMeeting(c, {
          company_id: info.id,
          contact_id: dm.id,
          meeting: {
            interaction_date: w.dt(t),
            scheduled_at: scheduledAt,
            meeting_type: 'discovery',
            duration_minutes: 45,
            subject: 'Discovery meeting',
            summary: `On-site discovery meeting with ${dm.name}.`,
            attendees: `${dm.name}; Sam Whitaker`,
            direction: 'outbound',
          },
        });
        meetingId = id(r.meeting);
        break;
      }
      case 'meeting_complete': {
        const lostNext = next === 'lost';
        await completeMeeting(c, {
          id: meetingId!,
          result: {
            summary: lostNext
              ? `${dm.first} liked the idea but the business is too small to commit this year.`
              : `Walked through how estimators and supervisors spend their week; ${dm.first} agreed to the staff audit.`,
            outcome: lostNext ? 'objection_raised' : 'next_step_agreed',
            sentiment: lostNext ? 'neutral' : 'positive',
            next_step: lostNext ? 'Revisit next year' : 'Send the audit survey and request the org chart',
            duration_minutes: 50,
            ...(more && !lostNext ? { follow_up_date: w.ds(t + 5) } : {}),
          },
        });
        if (s.deal) await createDeal(w, info, t + 0.2);
        break;
      }
      case 'auditing':
        await update(c, 'companies', info.id, { status: 'auditing' });
        await runAudit(w, info, t, s.status === 'auditing', more);
        break;
      case 'go':
      case 'no_go':
        await decide(w, info, t, st);
        break;
      case 'proposal_sent': {
        const price = pkgPrice(pkg, s.employees);
        // Made from the go decision and sent, through the verb (the company moves to proposal_sent).
        const { proposal } = await createProposal(w.cxAs(w.users.admin, t), {
          go_no_go_id: info.goNoGoId!,
          ...(info.dealId ? { deal_id: info.dealId } : {}),
          package: pkg,
          scope: `${pkg}: Claude Team workspace for ${info.contacts.filter((x) => x.email).length} staff, ${pkg === 'AI Accelerator' ? 'three MCP servers and four Skills' : 'one MCP server and two Skills'}, four training sessions, monthly hours-saved report.`,
          value: money(price.setup + 12 * price.monthly),
          currency: 'AUD',
          expires_date: w.ds(t + 30),
        });
        info.proposalId = id(proposal);
        if (dealReaches(s, 'proposal') || s.deal === 'closed_lost') await moveDeal(w, info, t + 0.1, 'proposal');
        await logInteraction(w.cx(t + 0.2), {
          company_id: info.id,
          contact_id: dm.id,
          interaction: {
            type: 'email',
            direction: 'outbound',
            interaction_date: w.dt(t + 0.2),
            subject: `Proposal: ${pkg}`,
            summary: `Sent the ${pkg} proposal (${money(price.setup)} setup + ${money(price.monthly)}/month).`,
            outcome: 'next_step_agreed',
            next_step: 'Walk through the proposal',
            ...(more ? { follow_up_date: w.ds(t + 5) } : {}),
          },
        });
        if (s.status === 'proposal_sent' && s.deal === 'negotiation') await moveDeal(w, info, t + 3, 'negotiation');
        break;
      }
      case 'onboarding': {
        // Accepting moves the company to onboarding and creates the engagement, in one transaction.
        info.engagement = await acceptInto(w, info, t);
        const price = pkgPrice(pkg, s.employees);
        await update(w.cx(t + 0.05), 'companies', info.id, {
          contract_start_date: w.ds(t),
          contract_end_date: w.ds(t + 365),
          monthly_recurring: money(price.monthly),
        });
        if (dealReaches(s, 'closed_won')) {
          await moveDeal(w, info, t - 1, 'negotiation');
          await moveDeal(w, info, t + 0.05, 'closed_won', { actual_close_date: w.ds(t) });
        }
        await logInteraction(w.cx(t + 0.1), {
          company_id: info.id,
          contact_id: dm.id,
          interaction: {
            type: 'call',
            direction: 'inbound',
            interaction_date: w.dt(t + 0.1),
            subject: 'Proposal accepted',
            summary: `${dm.first} signed the ${pkg} proposal; kickoff booked.`,
            outcome: 'next_step_agreed',
            sentiment: 'positive',
            next_step: 'Kickoff: workspace, licences and MCP access',
          },
        });
        await buildEngagement(w, info, info.engagement, t + 0.1);
        break;
      }
      case 'training':
      case 'supporting':
        await update(c, 'companies', info.id, { status: st });
        await update(c, 'engagements', id(info.engagement!), { status: st });
        break;
      case 'paused':
        await update(c, 'companies', info.id, { status: 'paused', notes: 'Paused: two large tenders due; restart after the Christmas shutdown.' });
        await update(c, 'engagements', id(info.engagement!), { status: 'paused' });
        break;
      case 'churned':
        await update(c, 'companies', info.id, { status: 'churned', lost_reason: s.lostReason ?? 'Cancelled' });
        await update(c, 'engagements', id(info.engagement!), { status: 'cancelled', end_date: w.ds(t) });
        break;
      case 'lost':
        if (s.lostFrom === 'proposal_sent') {
          await rejectProposal(w.cxAs(w.users.admin, t), { id: info.proposalId!, rejected_date: w.ds(t), ...(s.lostReason ? { reason: s.lostReason } : {}) });
          await moveDeal(w, info, t, 'closed_lost', { loss_reason: s.lostReason, actual_close_date: w.ds(t) });
        }
        await markCompanyLost(w.cx(t + 0.05), { id: info.id, lost_reason: s.lostReason ?? 'Lost' });
        break;
      default:
        throw new Error(`seedDemo: no step for ${st}`);
    }
  }
  if (s.fu) await leaveFollowUp(w, info, s.fu);
  if (info.engagement) await deliver(w, info);
  return info;
}

const FU_TEXT: Record<string, { subject: string; summary: string; next: string }> = {
  contacted: { subject: 'Follow-up call', summary: 'Asked for a 20-minute meeting to show tender and site-diary examples.', next: 'Call back to book the meeting' },
  meeting_complete: { subject: 'Recap and org chart request', summary: 'Sent the meeting recap and asked for the org chart.', next: 'Chase the org chart' },
  auditing: { subject: 'Survey completions', summary: 'Half the staff have completed the survey; asked the PM to nudge the rest.', next: 'Check survey completions' },
  go: { subject: 'Package and start dates', summary: 'Discussed package options and a February start.', next: 'Send the proposal' },
  proposal_sent: { subject: 'Proposal follow-up', summary: 'Asked whether the proposal has been reviewed by the directors.', next: 'Chase a decision on the proposal' },
};

/** The follow-up left open on a company: overdue, due today, due later this week, or answered by a later interaction. */
async function leaveFollowUp(w: World, info: CoInfo, fu: FollowUp) {
  const text = FU_TEXT[info.spec.status]!;
  const contact = info.contacts[Math.min(1, info.contacts.length - 1)]!;
  const log = (offset: number, followUp: string | null, outcome: string, summary = text.summary) =>
    logInteraction(w.cx(offset), {
      company_id: info.id,
      contact_id: contact.id,
      interaction: {
        type: 'follow_up_call',
        direction: 'outbound',
        interaction_date: w.dt(offset),
        subject: text.subject,
        summary,
        outcome,
        next_step: text.next,
        ...(followUp ? { follow_up_date: followUp } : {}),
      },
    });
  switch (fu) {
    case 'overdue':
      await log(-9.3, w.ds(-4), 'interested');
      break;
    case 'today':
      await log(-6.2, w.ds(0), 'interested');
      break;
    case 'week':
      await log(-3.2, minDate(w.ds(2), w.weekEnd), 'next_step_agreed');
      break;
    case 'answered':
      await log(-12.2, w.ds(-7), 'no_response', 'Left a voicemail.');
      await log(-2.2, w.ds(14), 'next_step_agreed');
      break;
  }
}

// ---------------------------------------------------------------------------
// Delivery (000 steps 10–24)

type AssetSpec = { kind: 'mcp' | 'skill'; name: string; description: string; tasks: RegExp };
const ASSETS: Record<Pkg, AssetSpec[]> = {
  'AI Foundations': [
    { kind: 'mcp', name: 'Procore MCP', description: 'Reads projects, RFIs, daily logs and photos from Procore.', tasks: /site diary|RFI|progress report|Variation/i },
    { kind: 'skill', name: 'Site Diary Writer', description: 'Turns voice notes and photos into the daily site diary.', tasks: /site diary|SWMS/i },
    { kind: 'skill', name: 'Tender Response Drafter', description: 'Drafts methodology and exclusions from past tenders.', tasks: /tender/i },
  ],
  'AI Accelerator': [
    { kind: 'mcp', name: 'Procore MCP', description: 'Reads projects, RFIs, daily logs and photos from Procore.', tasks: /site diary|RFI|progress report/i },
    { kind: 'mcp', name: 'Xero MCP', description: 'Reads bills, purchase orders and job codes from Xero.', tasks: /invoice|progress claims/i },
    { kind: 'mcp', name: 'Cubit Take-off MCP', description: 'Exports take-off quantities from Cubit projects.', tasks: /take-offs|tender pricing/i },
    { kind: 'skill', name: 'Site Diary Writer', description: 'Turns voice notes and photos into the daily site diary.', tasks: /site diary/i },
    { kind: 'skill', name: 'Tender Response Drafter', description: 'Drafts methodology and exclusions from past tenders.', tasks: /tender/i },
    { kind: 'skill', name: 'Variation Claim Builder', description: 'Assembles variation claims with evidence from email and Procore.', tasks: /Variation|progress claims/i },
    { kind: 'skill', name: 'SWMS Reviewer', description: 'Checks subcontractor SWMS against the site requirements.', tasks: /SWMS|compliance/i },
  ],
};

/** 000 steps 9–10: the client accepts; the engagement is made from the proposal, with the terms agreed. */
async function acceptInto(w: World, info: CoInfo, t: number): Promise<Row> {
  const s = info.spec;
  const pkg = s.pkg ?? 'AI Foundations';
  const price = pkgPrice(pkg, s.employees);
  const licensed = info.contacts.filter((c) => c.email).length;
  const assets = ASSETS[pkg];
  const { engagement } = await acceptProposal(w.cxAs(w.users.admin, t), {
    id: info.proposalId!,
    accepted_date: w.ds(t),
    engagement: {
      name: `${s.name} — ${pkg}`,
      project_type: 'AI enablement',
      description: `Claude workspace, custom MCPs and Skills, and training for ${s.name}.`,
      staff_count: licensed,
      training_hours_per_staff: '6.00',
      mcps_to_build: assets.filter((a) => a.kind === 'mcp').length,
      skills_to_build: assets.filter((a) => a.kind === 'skill').length,
      reporting_terms: 'Monthly hours-saved report by the 5th business day',
      support_terms: 'Email and Teams support, four-hour response in business hours',
      start_date: w.ds(t),
      end_date: w.ds(t + 365),
      go_live_date: w.ds(t + 21),
      claude_workspace_id: `ws-${info.slug}`,
      claude_plan_type: 'Team',
      claude_plan_setup: true,
      num_licenses: licensed,
      setup_fee: money(price.setup),
      monthly_fee: money(price.monthly),
      tool_costs: money(licensed * 45),
      priority: pkg === 'AI Accelerator' ? 'high' : 'medium',
      estimated_hours: pkg === 'AI Accelerator' ? '160.00' : '80.00',
      hourly_rate_value: '85.00',
    },
  });
  // Sam owns the account; Priya delivers it.
  return reassignRecord(w.cxAs(w.users.admin, t), r('engagements'), { id: id(engagement), user_id: w.users.editor, field: 'assigned_to' });
}

/** The engagement's services, milestones, licences, assets and the rest of its delivery. */
async function buildEngagement(w: World, info: CoInfo, eng: Row, t: number): Promise<Row> {
  const s = info.spec;
  const pkg = s.pkg ?? 'AI Foundations';
  const price = pkgPrice(pkg, s.employees);
  const licensed = info.contacts.filter((c) => c.email).length;
  const assets = ASSETS[pkg];
  const c = w.cx(t);
  const engagementId = id(eng);
  for (const name of [pkg, 'Monthly Support & Reporting']) {
    await add(c, 'engagement_services', { engagement_id: engagementId, service_id: id(w.services.get(name)!) });
  }
  const milestones = [
    ['Workspace and licences live', 7, 'Licences active', `${licensed} of ${licensed}`],
    ['MCPs and Skills deployed', 21, 'Assets in production', `${assets.length}`],
    ['Training programme complete', 45, 'Staff attending 3 of 4 sessions', '80%'],
    ['Three-month ROI review', 90, 'Hours saved per month', '40'],
  ] as const;
  const stopped = s.status === 'paused' || s.status === 'churned';
  for (const [k, [name, due, kpi, target]] of milestones.entries()) {
    const dueOffset = t + due;
    const met = dueOffset < 0 && !(stopped && k >= 2);
    await add(c, 'engagement_milestones', {
      engagement_id: engagementId,
      name,
      due_date: w.ds(dueOffset),
      kpi,
      kpi_target: target,
      position: k,
      status: met ? 'met' : dueOffset < 0 ? 'missed' : 'planned',
      ...(met ? { completed_date: w.ds(dueOffset), kpi_actual: target } : {}),
    });
  }
  await add(c, 'contracts', {
    company_id: info.id,
    engagement_id: engagementId,
    contract_type: 'sow',
    status: 'active',
    start_date: w.ds(t),
    end_date: w.ds(t + 365),
    value: money(price.setup + 12 * price.monthly),
    currency: 'AUD',
    terms: { payment_terms_days: 14, notice_period_days: 30, minimum_term_months: 12 },
  });
  return eng;
}

const TOKENS_BY_ROLE: Record<Role, number> = {
  Director: 18_000,
  'Project Manager': 45_000,
  'Senior Estimator': 60_000,
  'Site Supervisor': 15_000,
  'Office Manager': 30_000,
  'Contracts Administrator': 35_000,
};

const TICKETS = [
  { subject: 'Procore MCP returns 401 after password change', category: 'mcp_issue', priority: 'high' },
  { subject: 'Site Diary Writer ignores the new weather field', category: 'skill_issue', priority: 'medium' },
  { subject: 'Add two new starters to the Claude workspace', category: 'claude_config', priority: 'low' },
  { subject: 'How do I share a project with the whole team?', category: 'question', priority: 'low' },
  { subject: 'Refresher session for the estimating team', category: 'training_request', priority: 'medium' },
];

const SESSIONS = ['Claude basics for site and office', 'Skills for estimating and tenders', 'Working with the Procore and Xero MCPs', 'Review: automate your own workflow'];


async function deliver(w: World, info: CoInfo) {
  const { rng } = w;
  const s = info.spec;
  const pkg = s.pkg ?? 'AI Foundations';
  const eng = info.engagement!;
  const engagementId = id(eng);
  const tOn = info.times.onboarding!;
  const tTr = info.times.training;
  const tSup = info.times.supporting;
  const tEnd = info.times.paused ?? info.times.churned ?? 0;
  const churned = s.status === 'churned';
  const paused = s.status === 'paused';
  const licensed = info.contacts.filter((c) => c.email);
  const workspace = `ws-${info.slug}`;
  const work: Record<string, unknown>[] = [];

  // Kickoff, then monthly reviews; the last review leaves a follow-up beyond this week.
  const checkIns = [tOn + 1];
  for (let m = tOn + 30; m < tEnd - 1; m += 30) checkIns.push(m);
  for (const at of checkIns.filter((x) => x < tEnd - 0.05)) {
    const kickoff = at === tOn + 1;
    await logInteraction(w.cx(at), {
      company_id: info.id,
      contact_id: info.contacts[Math.min(1, info.contacts.length - 1)]!.id,
      interaction: {
        type: 'meeting',
        meeting_type: kickoff ? 'onboarding' : 'review',
        meeting_status: 'completed',
        scheduled_at: w.dt(at),
        completed_at: w.dt(at),
        interaction_date: w.dt(at),
        duration_minutes: kickoff ? 90 : 45,
        subject: kickoff ? 'Kickoff' : 'Monthly review',
        summary: kickoff ? 'Workspace set up, licences assigned, MCP access requested from the Procore admin.' : 'Reviewed usage and hours saved; agreed the next Skill to build.',
        outcome: 'next_step_agreed',
        sentiment: 'positive',
        next_step: kickoff ? 'Build and deploy the first assets' : 'Next monthly review',
        follow_up_date: w.ds(Math.max(at + 30, 8)),
      },
    });
  }
  if (paused || churned) {
    await logInteraction(w.cx(tEnd + 0.1), {
      company_id: info.id,
      contact_id: info.contacts[0]!.id,
      interaction: {
        type: 'call',
        direction: 'inbound',
        interaction_date: w.dt(tEnd + 0.1),
        subject: paused ? 'Pausing the programme' : 'Cancellation',
        summary: paused ? 'Two large tenders due; asked to pause training and support until the new year.' : (s.lostReason ?? 'Cancelled.'),
        outcome: paused ? 'next_step_agreed' : 'declined',
        sentiment: paused ? 'neutral' : 'negative',
        ...(paused ? { next_step: 'Check whether they are ready to restart', follow_up_date: w.ds(21) } : {}),
      },
    });
  }

  // Licences
  const licenceAt = Math.min(tOn + 3, -0.1);
  for (const ct of licensed) {
    await add(w.cx(licenceAt), 'ai_licenses', {
      engagement_id: engagementId,
      contact_id: ct.id,
      provider: 'anthropic',
      email: ct.email,
      license_status: churned ? 'revoked' : paused ? 'suspended' : 'active',
      plan_type: ct.role === 'Director' ? 'Team Premium' : 'Team Standard',
      assigned_at: w.dt(licenceAt),
      monthly_cost: ct.role === 'Director' ? '45.00' : '30.00',
      currency: 'USD',
    });
  }
  work.push({ engagement_id: engagementId, category: 'setup', description: 'Workspace, SSO and licences', hours: '6.00', work_date: w.ds(licenceAt), performed_by: 'Sam Whitaker', user_id: w.users.admin });

  // Assets built during onboarding; deployed once training starts
  const assets: { id: string; spec: AssetSpec }[] = [];
  for (const [k, spec] of ASSETS[pkg].entries()) {
    const builtAt = tOn + 4 + k * 3;
    const built = builtAt < 0 && tTr !== undefined;
    const asset = await add(w.cx(Math.min(tOn + 2, -0.1)), 'ai_assets', {
      kind: spec.kind,
      name: `${spec.name} — ${s.name}`,
      description: spec.description,
      engagement_id: engagementId,
      ...(built ? { built_date: w.ds(builtAt) } : {}),
      deployed: built,
      status: built ? (churned ? 'deprecated' : 'deployed') : 'in_development',
      repository_url: `https://github.com/promptai/${info.slug}-${slugOf(spec.name)}`,
      asset_version: built ? '1.1.0' : '0.1.0',
      built_by: w.users.editor,
    });
    assets.push({ id: id(asset), spec });
    if (built) {
      await add(w.cx(builtAt), 'ai_asset_deployments', {
        asset_id: id(asset),
        engagement_id: engagementId,
        company_id: info.id,
        account_ref: workspace,
        deployed_at: w.dt(builtAt),
        status: churned ? 'removed' : 'active',
        ...(churned ? { removed_at: w.dt(tEnd) } : {}),
      });
    }
    work.push({
      engagement_id: engagementId,
      category: spec.kind === 'mcp' ? 'mcp_build' : 'skill_creation',
      description: `Built ${spec.name}`,
      hours: money(spec.kind === 'mcp' ? 10 + rng.int(0, 8) : 4 + rng.int(0, 4)),
      work_date: w.ds(Math.min(builtAt, -0.1)),
      performed_by: 'Priya Raman',
      user_id: w.users.editor,
      asset_id: id(asset),
    });
  }

  // Tasks: linked to the assets that support them; measured month by month once training starts
  const links: Record<string, unknown>[] = [];
  const measurements: Record<string, unknown>[] = [];
  for (const task of info.tasks) {
    for (const a of assets) if (a.spec.tasks.test(task.spec.name)) links.push({ task_id: task.id, asset_id: a.id });
    const points = tTr === undefined ? [] : [-85, -60, -35, -10].filter((o) => o > tTr + 3 && o < tEnd);
    const ratios = [0.7, 0.55, 0.45, 0.35];
    let latest: number | undefined;
    let latestAt = Math.min(tOn + 1, -0.1);
    points.forEach((o, j) => {
      latestAt = o;
      const idx = [-85, -60, -35, -10].indexOf(o);
      latest = Math.max(1, Math.round(task.before * (ratios[idx]! + rng.int(-3, 3) / 100)));
      measurements.push({
        task_id: task.id,
        measured_on: w.ds(o),
        time_after_ai: latest,
        occurrences: Math.round(occurrencesOf(task.spec)),
        measured_by: 'Priya Raman',
        ...(j === 0 ? { notes: 'First measurement after training' } : {}),
      });
    });
    await update(w.cx(latestAt + 0.1), 'contact_tasks', task.id, {
      engagement_id: engagementId,
      included_in_training: true,
      ...(latest !== undefined
        ? {
            ai_adoption_status: points.length >= 3 ? 'adopted' : 'in_progress',
            issues_after_ai: 'Occasional re-prompting when drawings are scanned at low resolution',
          }
        : {}),
    });
  }
  await addMany(w.cx(-0.1), 'task_ai_assets', links);
  await addMany(w.cx(-0.1), 'task_measurements', measurements);

  // Training: pre-training survey, four weekly sessions with attendance
  if (tTr !== undefined) {
    const pre: Record<string, unknown>[] = [];
    for (const ct of licensed) {
      for (const q of PRE_TRAINING_QUESTIONS) {
        pre.push({
          contact_id: ct.id,
          company_id: info.id,
          survey_type: 'pre_training',
          survey_sent: true,
          survey_sent_date: w.ds(tTr - 3),
          survey_completed: true,
          survey_completed_date: w.ds(tTr - 1),
          question: q,
          answer: q === PRE_TRAINING_QUESTIONS[0] ? TASKS[ct.role][0]!.name : rng.chance(0.4) ? 'Yes, a little' : 'No',
        });
      }
    }
    await addMany(w.cx(tTr - 1), 'survey_responses', pre);
    const attendance: Record<string, unknown>[] = [];
    for (let k = 0; k < SESSIONS.length; k++) {
      const at = tTr + 1 + k * 7;
      const happened = at < Math.min(0, tEnd);
      const status = happened ? 'completed' : at < 0 || paused || churned ? (churned ? 'cancelled' : 'rescheduled') : 'scheduled';
      const session = await add(w.cx(Math.min(tTr, -0.1)), 'training_sessions', {
        engagement_id: engagementId,
        session_number: k + 1,
        title: SESSIONS[k],
        scheduled_date: w.dt(at),
        ...(happened ? { completed_date: w.dt(at + 0.06) } : {}),
        status,
        delivered_by: 'Jordan Lee',
        location: `${s.name}, ${s.suburb} site office`,
        duration_minutes: 90,
      });
      if (happened) work.push({ engagement_id: engagementId, category: 'training', description: SESSIONS[k], hours: '2.50', work_date: w.ds(at), performed_by: 'Jordan Lee' });
      for (const ct of licensed) {
        const attended = happened ? rng.chance(0.85) : null;
        attendance.push({
          session_id: id(session),
          contact_id: ct.id,
          attended,
          ...(attended
            ? { progress: 'Built a first prompt library for their own tasks', ...(rng.chance(0.3) ? { struggles: 'Attaching drawings from Procore', follow_ups: 'One-on-one with Priya' } : {}) }
            : attended === false
              ? { session_notes: 'On site; sent the recording' }
              : {}),
        });
      }
    }
    await addMany(w.cx(Math.min(tTr, -0.1)), 'training_attendance', attendance);
  }

  // Support tickets once assets are live
  if (tTr !== undefined) {
    const n = tSup !== undefined ? 3 : 2;
    for (let k = 0; k < n; k++) {
      const spec = TICKETS[(k + s.employees) % TICKETS.length]!;
      const at = Math.min(tTr + 5 + k * 9, tEnd - 0.5);
      const recent = at > -6 && !churned;
      const status = recent ? (k % 2 === 0 ? 'open' : 'in_progress') : 'resolved';
      const contact = licensed[(k + 1) % licensed.length]!;
      const hoursSpent = 0.5 + rng.int(0, 4) * 0.5;
      w.numbered.push({ at, run: () => add(w.cx(at), 'support_tickets', {
        engagement_id: engagementId,
        company_id: info.id,
        contact_id: contact.id,
        request_date: w.dt(at),
        subject: spec.subject,
        description: `${contact.first} reported: ${spec.subject.toLowerCase()}.`,
        category: spec.category,
        priority: spec.priority,
        status,
        handled_by: 'Priya Raman',
        assigned_to: w.users.editor,
        ...(status === 'resolved'
          ? { resolution: 'Fixed and confirmed with the client', hours_spent: money(hoursSpent), resolved_at: w.dt(Math.min(at + 1.5, -0.05)) }
          : {}),
      }) });
      work.push({ engagement_id: engagementId, category: 'support', description: spec.subject, hours: money(hoursSpent), work_date: w.ds(at), performed_by: 'Priya Raman', user_id: w.users.editor });
    }
  }

  // Monthly reporting once in support
  if (tSup !== undefined) {
    for (let m = tSup + 5; m < Math.min(tEnd, 0); m += 30) {
      work.push({ engagement_id: engagementId, category: 'reporting', description: 'Monthly hours-saved report', hours: '2.00', work_date: w.ds(m), performed_by: 'Sam Whitaker', user_id: w.users.admin });
    }
  }
  await addMany(w.cx(-0.1), 'work_completed', work);

  // Tool stack
  const tools = [
    { tool_name: 'Claude Team', tool_category: 'ai_assistant', monthly_cost: '0.00', currency: 'USD', api_key_name: 'ANTHROPIC_ADMIN_KEY', notes: 'Seats are priced on each licence' },
    { tool_name: 'Procore', tool_category: 'project_management', monthly_cost: '0.00', currency: 'AUD', notes: 'Client-owned licence; API access via their admin' },
    ...(pkg === 'AI Accelerator' ? [{ tool_name: 'Xero', tool_category: 'accounting', monthly_cost: '0.00', currency: 'AUD', api_key_name: 'XERO_CLIENT_SECRET' }] : []),
    { tool_name: 'n8n Cloud', tool_category: 'automation', monthly_cost: '50.00', currency: 'USD', status: tTr === undefined ? 'testing' : 'active' },
  ];
  for (const tool of tools) {
    await add(w.cx(Math.min(tOn + 1, -0.1)), 'engagement_tools', { engagement_id: engagementId, status: churned ? 'inactive' : 'active', ...tool });
  }

  // Invoices: setup on acceptance, then monthly; older ones paid, recent ones sent, some overdue
  const price = pkgPrice(pkg, s.employees);
  const issues: { at: number; type: 'setup' | 'monthly'; amount: string }[] = [{ at: tOn, type: 'setup', amount: money(price.setup) }];
  for (let m = tOn + 30; m <= Math.min(tEnd, 0); m += 30) issues.push({ at: m, type: 'monthly', amount: money(price.monthly) });
  const overdueAt = s.overdueInvoice ? issues.filter((x) => x.at <= -16).map((x) => x.at).pop() : undefined;
  for (const inv of issues) {
    const unpaid = inv.at > -14 || inv.at === overdueAt;
    const paidAt = Math.min(inv.at + 6 + rng.int(0, 10), -0.5);
    w.numbered.push({
      at: inv.at,
      run: async () => {
        const row = await add(w.cx(inv.at), 'invoices', {
          company_id: info.id,
          engagement_id: engagementId,
          invoice_type: inv.type,
          amount: inv.amount,
          currency: 'AUD',
          status: 'sent',
          issue_date: w.ds(inv.at),
          due_date: w.ds(inv.at + 14),
          notes: inv.type === 'setup' ? `${pkg} setup` : `${pkg} monthly support and reporting`,
        });
        if (!unpaid) await update(w.cx(paidAt), 'invoices', id(row), { status: 'paid', paid_date: w.ds(paidAt), payment_method: 'EFT' });
      },
    });
  }

  // AI usage per licensed contact per working day, the last ~60 days, growing as adoption grows
  if (tTr !== undefined) {
    const from = Math.max(-60, Math.ceil(tTr - 5));
    const to = Math.min(-1, Math.floor(tEnd));
    for (const [k, ct] of licensed.entries()) {
      for (let d = from; d <= to; d++) {
        const date = w.ds(d);
        if (!isWeekday(date)) continue;
        const ramp = 0.6 + 0.8 * ((d - from) / Math.max(1, to - from));
        w.usage.push({
          engagement_id: engagementId,
          company_id: info.id,
          contact_id: ct.id,
          usage_date: date,
          tokens_used: Math.round(TOKENS_BY_ROLE[ct.role] * ramp * (0.6 + 0.8 * rng.next())),
          model: rng.chance(0.8) ? 'claude-sonnet-4-5' : 'claude-haiku-4-5',
          source: 'anthropic_admin_api',
          idempotency_key: `demo:${info.slug}:${k}:${date}`,
        });
      }
    }
  }
}

// ---------------------------------------------------------------------------
// Leads (seed 001): every lead status, UTM fields, BANT, readiness and ROI

type LeadSpec = {
  first?: string;
  last?: string;
  title: string;
  company: string;
  industry: string;
  size: string;
  tier?: string;
  source: string;
  message: string;
  status: 'new' | 'contacted' | 'qualifying' | 'qualified' | 'converted' | 'disqualified' | 'lost';
  utm?: [string, string, string];
  age: number;
  freeEmail?: boolean;
  budget?: string;
  timeframe?: string;
  convertTo?: string;
  lostReason?: string;
  assess?: boolean;
  roi?: boolean;
  fu?: 'overdue' | 'week';
};

const LEADS: LeadSpec[] = [
  { first: 'Ella', last: 'Morrison', title: 'Director', company: 'Morrison Homes', industry: 'Construction', size: '11-50', tier: 'L1_ESSENTIALS', source: 'website', status: 'new', utm: ['google', 'cpc', 'ai-for-builders'], age: 1, message: 'We build 20 homes a year and drown in variations paperwork. Can AI help our estimators and site leads?', assess: true },
  { first: 'Ben', last: 'Kovac', title: 'Operations Manager', company: 'Kovac Kitchens & Joinery', industry: 'Construction', size: '11-50', source: 'linkedin', status: 'new', utm: ['linkedin', 'social', 'estimator-webinar'], age: 2, message: 'Saw the webinar.' },
  { first: 'Grace', last: 'Tran', title: 'General Manager', company: 'Tran Constructions', industry: 'Construction', size: '51-200', tier: 'L2_ADVANCED', source: 'website', status: 'contacted', utm: ['google', 'organic', 'site-diary-guide'], age: 9, message: 'Downloaded the site diary guide. Interested in a pilot for our three supervisors and the estimating team.', fu: 'overdue' },
  { first: 'Mick', last: 'Doyle', title: 'Owner', company: 'Doyle Bricklaying', industry: 'Construction', size: '1-10', source: 'referral', status: 'contacted', utm: ['referral', 'partner', 'mba-nsw'], age: 12, freeEmail: true, message: 'Mate recommended you.' },
  { first: 'Sophie', last: 'Hughes', title: 'Managing Director', company: 'Hughes Projects', industry: 'Construction', size: '11-50', tier: 'L2_ADVANCED', source: 'event', status: 'qualifying', utm: ['buildexpo', 'event', 'sydney-build-expo-2026'], age: 16, budget: '15k-30k', timeframe: 'next quarter', message: 'Met you at the Build Expo. We want tender writing and progress claims faster before the next financial year.', assess: true, fu: 'week' },
  { first: 'Raj', last: 'Patel', title: 'Principal Engineer', company: 'Patel Civil Engineering', industry: 'Engineering', size: '11-50', tier: 'L3_CONSULTING', source: 'website', status: 'qualifying', utm: ['google', 'cpc', 'engineering-ai'], age: 20, budget: '30k-60k', timeframe: '3-6 months', message: 'Calculation write-ups and RFI responses take our engineers hours a week. Looking for an integrated approach.', roi: true },
  { first: 'Hannah', last: 'Stewart', title: 'Director', company: 'Stewart & Co Builders', industry: 'Construction', size: '51-200', tier: 'L3_CONSULTING', source: 'website', status: 'qualified', utm: ['bing', 'cpc', 'ai-for-builders'], age: 14, budget: '30k-60k', timeframe: 'this quarter', message: 'Three estimators, eight supervisors, Procore and Xero. We want MCP integrations and training for the whole team.', assess: true, roi: true },
  { first: 'Luke', last: 'Fraser', title: 'Facilities Director', company: 'Fraser Facilities Services', industry: 'Facilities Management', size: '51-200', tier: 'L2_ADVANCED', source: 'marketing', status: 'qualified', utm: ['newsletter', 'email', 'spring-2026'], age: 11, budget: '10k-20k', timeframe: 'next quarter', message: 'Work-order intake and invoice matching are our biggest admin sinks across 40 sites.' },
  { title: 'Director', company: 'Blacktown Concrete Solutions', industry: 'Construction', size: '11-50', tier: 'L3_CONSULTING', source: 'website', status: 'converted', utm: ['google', 'cpc', 'ai-for-builders'], age: 0, budget: '30k-60k', timeframe: 'this quarter', message: 'Concrete pour scheduling, dockets and progress claims are all manual. We would like to talk about integrations.', convertTo: 'Blacktown Concrete Solutions', assess: true, roi: true },
  { title: 'Director', company: 'Epping Architectural Steel', industry: 'Manufacturing', size: '11-50', tier: 'L2_ADVANCED', source: 'inbound', status: 'converted', utm: ['linkedin', 'social', 'fabricator-case-study'], age: 0, budget: '15k-30k', timeframe: 'this quarter', message: 'Read the fabricator case study; shop drawing revisions and quoting are where we lose time.', convertTo: 'Epping Architectural Steel' },
  { first: 'Jake', last: 'Murphy', title: 'Student', company: 'UNSW Built Environment', industry: 'Professional Services', size: '1-10', source: 'website', status: 'disqualified', utm: ['google', 'organic', 'blog'], age: 25, freeEmail: true, message: 'Doing a thesis on AI in construction.', lostReason: 'Student research project, not a buyer' },
  { first: 'Chloe', last: 'Bianchi', title: 'Owner', company: 'Bianchi Renovations', industry: 'Construction', size: '1-10', tier: 'L1_ESSENTIALS', source: 'social', status: 'lost', utm: ['facebook', 'social', 'reno-ai'], age: 30, message: 'Small renovation business, want to see what AI could save us on quoting and client updates.', lostReason: 'Went quiet after the ROI calculation', roi: true },
];

const LEAD_PATH: Record<LeadSpec['status'], string[]> = {
  new: [],
  contacted: ['contacted'],
  qualifying: ['contacted', 'qualifying'],
  qualified: ['contacted', 'qualifying', 'qualified'],
  converted: ['contacted', 'qualifying', 'qualified', 'converted'],
  disqualified: ['contacted', 'disqualified'],
  lost: ['contacted', 'qualifying', 'lost'],
};


async function buildLeads(w: World) {
  const { rng } = w;
  for (const [n, l] of LEADS.entries()) {
    const target = l.convertTo ? w.companies.get(l.convertTo)! : undefined;
    const dm = target?.contacts[0];
    const first = dm?.first ?? l.first!;
    const last = dm?.last ?? l.last!;
    const domain = l.freeEmail ? 'gmail.com' : `${slugOf(l.company)}.com.au`;
    const email = dm?.email ?? `${first}.${last}`.toLowerCase().replace(/[^a-z.]/g, '') + `@${domain}`;
    const path = LEAD_PATH[l.status];
    // A converted lead came in before its company existed: its moves end just after the company was created.
    const start = target ? target.times.prospect! - 3 : -(l.age + path.length * 2 + 1);
    const times = path.map((_, k) => (target ? start + 0.5 + k * 0.75 : start + 1 + k * 2));
    if (target) times[times.length - 1] = target.times.prospect! + 0.01;
    const phone = n % 3 !== 1;
    const lead = await add(w.cx(start), 'leads', {
      email,
      first_name: first,
      last_name: last,
      contact_title: l.title,
      ...(phone ? { phone: phoneOf(rng) } : {}),
      company_name: l.company,
      ...(l.freeEmail ? {} : { company_website: `https://${slugOf(l.company)}.com.au` }),
      industry: l.industry,
      company_size: l.size,
      ...(l.tier ? { tier: l.tier } : {}),
      message: l.message,
      source: l.source,
      ...(l.budget ? { budget: l.budget } : {}),
      ...(l.timeframe ? { timeframe: l.timeframe } : {}),
      ...(l.utm ? { utm_source: l.utm[0], utm_medium: l.utm[1], utm_campaign: l.utm[2] } : {}),
      // Stored anonymised, as the public forms store it (the last octet dropped).
      ip_address: '203.0.113.0',
      user_agent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 Safari/605.1.15',
      assigned_to: n % 2 === 0 ? w.users.admin : w.users.editor,
    });
    const leadId = id(lead);
    // Creating the lead scored it (seed 001's rule, src/core/sales/leads.ts), with its history row.

    if (l.assess) {
      const answers = Array.from({ length: 10 }, () => rng.int(l.tier === 'L1_ESSENTIALS' ? 1 : 2, l.tier === 'L3_CONSULTING' ? 5 : 4));
      // Taken on the website: started and completed through the verbs, which score it (seed 001's rule).
      const started = await startReadiness(w.cx(start + 0.02), {
        lead_id: leadId,
        ...(target ? { company_id: target.id, contact_id: dm!.id } : {}),
        email,
      });
      await completeReadiness(w.cx(start + 0.02), { id: id(started), answers: Object.fromEntries(answers.map((a, q) => [`q${q + 1}`, a])) });
    }
    if (l.roi) {
      const employees = { '1-10': 6, '11-50': 28, '51-200': 75 }[l.size] ?? 20;
      const avgSalary = 95_000;
      const inefficiency = 12 + (n % 4) * 2;
      // The website's ROI calculator, through the verb that computes and stores it.
      await calculateRoi(w.cx(start + 0.03), {
        lead_id: leadId,
        ...(target ? { company_id: target.id } : {}),
        email,
        currency: 'AUD',
        teams: [{ employees, average_salary: money(avgSalary), inefficiency_percent: String(inefficiency) }],
        setup_cost: money(l.tier === 'L3_CONSULTING' ? 38_000 : 16_000),
        monthly_cost: money(l.tier === 'L3_CONSULTING' ? 4_800 : 2_000),
      });
    }
    for (const [k, status] of path.entries()) {
      const at = times[k]!;
      const last = k === path.length - 1;
      if (status === 'contacted' || status === 'qualifying') {
        await add(w.cx(at), 'interactions', {
          lead_id: leadId,
          type: status === 'contacted' ? 'email' : 'call',
          direction: 'outbound',
          interaction_date: w.dt(at),
          subject: status === 'contacted' ? 'Thanks for your enquiry' : 'Qualification call',
          summary: status === 'contacted' ? `Replied to ${first} with two case studies and a booking link.` : `BANT call with ${first}: budget ${l.budget ?? 'unknown'}, timeframe ${l.timeframe ?? 'unknown'}.`,
          outcome: 'interested',
          next_step: status === 'contacted' ? 'Book a qualification call' : 'Send the ROI summary',
          created_by: w.users.admin,
          ...(last && l.fu ? { follow_up_date: l.fu === 'overdue' ? w.ds(-1) : minDate(w.ds(1), w.weekEnd) } : {}),
        });
      }
      if (status === 'qualifying') {
        await add(w.cx(at + 0.05), 'lead_qualifications', {
          lead_id: leadId,
          has_budget: l.budget !== undefined,
          ...(l.budget ? { budget_amount: money(Number(l.budget.split('-')[1]!.replace('k', '')) * 1000), currency: 'AUD' } : {}),
          decision_maker: /Director|Owner|Principal|General Manager/.test(l.title),
          need_identified: true,
          timeline: l.timeframe ?? 'unknown',
          pain_points: l.message,
          qualified_by: w.users.admin,
          qualified_at: w.dt(at + 0.05),
        });
      }
      if (status === 'converted') {
        // The conversion verb links the company this lead became, its decision maker (matched by
        // email) and its deal, and records where the lead went.
        await convertLead(w.cx(at), { id: leadId, company_id: target!.id, ...(target!.dealId ? { deal_id: target!.dealId } : {}) });
      } else {
        await update(w.cx(at), 'leads', leadId, {
          status,
          ...((status === 'disqualified' || status === 'lost') && l.lostReason ? { lost_reason: l.lostReason } : {}),
        });
      }
    }
    if (l.status === 'qualified') {
      await add(w.cx(times[times.length - 1]! + 0.1), 'notes', { note_type: 'lead', related_id: leadId, note_text: `${first} wants a proposal before the end of the quarter; decision maker confirmed.`, created_by: w.users.admin });
    }
  }
}

// ---------------------------------------------------------------------------
// Seed 003: events, prospect research, outreach drafts, LLM prices and usage

const LLM_PRICES = [
  { provider: 'anthropic', model: 'claude-sonnet-4-5', input: 3, output: 15 },
  { provider: 'anthropic', model: 'claude-haiku-4-5', input: 1, output: 5 },
  { provider: 'anthropic', model: 'claude-opus-4-1', input: 15, output: 75 },
  { provider: 'openai', model: 'gpt-4o-mini', input: 0.15, output: 0.6 },
];

async function buildSalesAssistant(w: World) {
  const { rng } = w;
  for (const p of LLM_PRICES) {
    await add(w.cx(-200), 'llm_model_prices', {
      provider: p.provider,
      model: p.model,
      input_price_per_mtok: p.input.toFixed(6),
      output_price_per_mtok: p.output.toFixed(6),
      currency: 'USD',
      effective_from: w.ds(-200),
    });
  }
  // services.suggest and the assistant's research offer the services linked to a company's industry: link some to the
  // industries of the companies researched below that have none yet.
  const FIT: [string, string, string][] = [
    ['Architecture & Design', 'AI Readiness Audit', 'Drafting and documentation teams respond well to the task-level audit.'],
    ['Architecture & Design', 'AI Foundations', 'Specification writing, client reports and RFI responses.'],
    ['Manufacturing', 'AI Readiness Audit', 'Finds the quoting and shop-drawing hours first.'],
    ['Manufacturing', 'AI Accelerator', 'Quoting from drawings and ERP integrations for precast and fabrication shops.'],
  ];
  for (const industry of new Set(FIT.map(([i]) => i))) {
    const industryId = w.industries.get(industry)!;
    const linked = (await w.ctx.db.execute(sql`select 1 from industry_services where industry_id = ${industryId}::uuid limit 1`)) as unknown as { rows: unknown[] };
    if (linked.rows.length > 0) continue;
    for (const [, service, fit] of FIT.filter(([i]) => i === industry)) {
      await add(w.cx(-200), 'industry_services', { industry_id: industryId, service_id: id(w.services.get(service)!), fit_notes: fit });
    }
  }
  const llmCall = async (offset: number, workflow: string, node: string, entity?: { type: string; id: string }, fail = false) => {
    const p = LLM_PRICES[workflow === 'lead_scoring' ? 1 : rng.chance(0.85) ? 0 : 3]!;
    const prompt = rng.int(1_500, 9_000);
    const completion = fail ? 0 : rng.int(300, 1_800);
    const cost = (prompt * p.input + completion * p.output) / 1_000_000;
    return add(w.cx(offset), 'llm_usage_logs', {
      workflow_name: workflow,
      node_name: node,
      model: p.model,
      provider: p.provider,
      prompt_tokens: prompt,
      completion_tokens: completion,
      total_tokens: prompt + completion,
      latency_ms: rng.int(900, 14_000),
      cost: cost.toFixed(6),
      currency: 'USD',
      status: fail ? 'error' : 'success',
      ...(fail ? { error: 'overloaded_error: retry after 30s' } : {}),
      ...(entity ? { entity_type: entity.type, entity_id: entity.id } : {}),
    });
  };

  const expo = await add(w.cx(-70), 'events', {
    name: 'Sydney Build Expo 2026',
    event_type: 'conference',
    event_date: w.dt(-40),
    description: 'Two-day construction trade show; PromptAI ran a stand and a 20-minute talk on AI for estimators.',
    location: 'ICC Sydney, Darling Harbour',
    target_industries: ['Construction', 'Engineering'],
    target_roles: ['Director', 'Senior Estimator', 'Project Manager'],
    solutions_featured: ['AI Foundations', 'AI Accelerator'],
    status: 'completed',
    owner_id: w.users.admin,
  });
  const breakfast = await add(w.cx(-10), 'events', {
    name: 'AI for Builders Breakfast — Parramatta',
    event_type: 'breakfast_briefing',
    event_date: w.dt(20),
    description: 'Invite-only breakfast for directors of Western Sydney builders: live demo of the Site Diary Writer and Procore MCP.',
    location: 'Parramatta Leagues Club',
    target_industries: ['Construction'],
    target_roles: ['Director', 'Project Manager'],
    solutions_featured: ['AI Foundations'],
    status: 'open',
    owner_id: w.users.editor,
  });

  // Research and drafts for the companies still at the top of the funnel
  const targets = ['Surry Hills Interiors', 'Cronulla Landscapes', 'Botany Bay Precast', 'Zetland Property Group'].map((n) => w.companies.get(n)!);
  const statuses = ['draft', 'approved', 'sent', 'draft'] as const;
  for (const [k, co] of targets.entries()) {
    const contact = co.contacts[0]!;
    const at = -6 + k;
    const log = await llmCall(at, 'prospect_research', 'research_contact', { type: 'contacts', id: contact.id });
    // The model and the logged call are read-only to clients (only assistant.research writes them), so they go in directly.
    const research = r('prospect_research');
    await insertRecord(w.cx(at + 0.01), research, {
      ...validateCreate(research, {
        contact_id: contact.id,
        company_id: co.id,
        research_summary: `${co.spec.name}: ${co.spec.employees} staff in ${co.spec.suburb}; ${contact.name} (${contact.role}) signs off tenders. Hiring an estimator, which suggests pressure on tender turnaround.`,
        key_insights: ['Estimator role advertised', 'Runs Procore and Xero', 'Won a council fit-out tender'],
        recommended_solutions: (['AI Readiness Audit', 'AI Foundations'] as const).map((name) => ({
          service_id: id(w.services.get(name)!),
          name,
          reason: name === 'AI Readiness Audit' ? 'Shows where the tender team loses hours before anything is built' : 'Gives the estimators Claude and two Skills for tender writing',
        })),
        confidence_score: (60 + k * 7.5).toFixed(2),
      }),
      model: 'claude-sonnet-4-5',
      llm_usage_log_id: id(log),
    });
    await llmCall(at + 0.02, 'outreach_draft', k === 3 ? 'write_linkedin' : 'write_email', { type: 'contacts', id: contact.id });
    const status = statuses[k]!;
    // Every draft is born a draft; a person approves it, and only an approved draft is sent.
    const draft = await add(w.cx(at + 0.03), 'outreach_drafts', {
      contact_id: contact.id,
      ...(k === 1 || k === 2 ? { event_id: id(breakfast) } : {}),
      draft_type: k === 3 ? 'linkedin' : 'email',
      subject: k === 3 ? null : `${contact.first}, breakfast on AI for builders?`,
      content: `Hi ${contact.first}, we help Sydney builders give estimators and supervisors back 5–10 hours a week with Claude. Would you join us for breakfast in Parramatta on the ${w.ds(20)}?`,
    });
    if (status === 'draft') continue;
    await approveDraft(w.cxAs(w.users.admin, at + 0.5), { id: id(draft) });
    if (status !== 'sent') continue;
    // Sent weeks ago: the email left the outbox long since, so the demo records the send (status, and the outbound
    // interaction) without queueing a message to the contact again.
    await applyUpdate(w.cx(at + 0.6), r('outreach_drafts'), id(draft), { status: 'sent', sent_at: w.dt(at + 0.6) }, { operation: 'outreach_drafts.send' });
    await add(w.cxAs(w.users.admin, at + 0.6), 'interactions', {
      company_id: co.id,
      contact_id: contact.id,
      event_id: id(breakfast),
      type: 'email',
      direction: 'outbound',
      interaction_date: w.dt(at + 0.6),
      subject: draft.subject,
      content: draft.content,
      summary: 'Outreach email sent from an approved draft',
      metadata: { outreach_draft_id: id(draft) },
    });
  }
  // Other LLM calls of the last month
  for (let k = 0; k < 16; k++) {
    const at = -30 + k * 1.8;
    const wf = (['meeting_summary', 'lead_scoring', 'proposal_draft', 'meeting_summary'] as const)[k % 4]!;
    await llmCall(at, wf, wf === 'lead_scoring' ? 'classify' : wf === 'proposal_draft' ? 'draft_scope' : 'summarise', undefined, k === 7);
  }
  return { expoId: id(expo), breakfastId: id(breakfast) };
}

// ---------------------------------------------------------------------------
// Consent: who agreed to marketing email, surveys and usage tracking

/**
 * The campaign's people agreed to marketing email before it went out: the contacts in
 * person or by email, the website leads through the form's checkbox, the others by replying.
 * Two contacts of a client agreed at its kick-off, and one of them later withdrew by email, so
 * the consent history has a withdrawal to show.
 */
async function recordDemoConsents(w: World, contactIds: string[], leadRows: { id: string; source: string }[]) {
  for (const [k, contactId] of contactIds.entries()) {
    await recordConsent(w.cx(-47 + k * 0.1), {
      contact_id: contactId,
      purpose: 'marketing_email',
      method: k % 2 === 0 ? 'in_person' : 'email',
      evidence: k % 2 === 0 ? 'Asked to receive the AI for Builders emails when we met on site' : 'Replied "yes please" to our email asking whether to send the AI for Builders series',
    });
  }
  for (const [k, lead] of leadRows.entries()) {
    const website = lead.source === 'website';
    await recordConsent(w.cx(-46.5 + k * 0.05), {
      lead_id: lead.id,
      purpose: 'marketing_email',
      method: website ? 'form' : 'email',
      evidence: website ? `Ticked on the website contact form: "${MARKETING_CONSENT_WORDING}"` : 'Replied to our first email asking to hear about AI for builders',
    });
  }
  const harbour = w.companies.get('Harbour Civil Works')!.contacts;
  for (const [k, person] of harbour.slice(0, 2).entries()) {
    await recordConsent(w.cx(-40 + k * 0.01), {
      contact_id: person.id,
      purpose: 'marketing_email',
      method: 'in_person',
      evidence: 'Asked to join the mailing list at the engagement kick-off',
    });
  }
  await recordConsent(w.cx(-40), {
    contact_id: harbour[0]!.id,
    purpose: 'usage_tracking',
    method: 'in_person',
    evidence: 'Agreed at the kick-off that their AI usage is reported by person in the monthly report',
  });
  await withdrawConsent(w.cx(-12), {
    contact_id: harbour[1]!.id,
    purpose: 'marketing_email',
    method: 'email',
    note: 'Asked by email to stop the newsletter: too much in the inbox during tender season',
  });
}

// ---------------------------------------------------------------------------
// Seed 004: a campaign, account addresses, team, preferences, metrics, notes

async function buildAccounts(w: World, events: { expoId: string; breakfastId: string }) {
  const co = (n: string) => w.companies.get(n)!;
  // Prepared as a draft, scheduled, then started: its status history shows each step.
  const campaign = await add(w.cx(-50), 'campaigns', {
    // Named as its UTM tag reads (ai-for-builders), so the leads it brought are counted against its spend.
    name: 'AI for Builders',
    type: 'email',
    status: 'draft',
    target_audience: 'Directors and estimators at Sydney builders with 10–60 staff',
    start_date: w.ds(-45),
    end_date: w.ds(30),
    budget: '4500.00',
    currency: 'AUD',
    description: 'Three-email sequence with the site diary guide and an invitation to the Parramatta breakfast.',
    owner_id: w.users.admin,
  });
  const campaignId = id(campaign);
  await update(w.cx(-48), 'campaigns', campaignId, { status: 'scheduled' });
  await update(w.cx(-45), 'campaigns', campaignId, { status: 'active' });
  const tstatus = ['sent', 'opened', 'clicked', 'pending', 'converted'] as const;
  const targets: Record<string, unknown>[] = [];
  const early = ['Surry Hills Interiors', 'Cronulla Landscapes', 'Botany Bay Precast', 'Hornsby Electrical Contractors', 'Campbelltown Civil', 'Zetland Property Group'];
  early.forEach((n, k) => {
    targets.push({ campaign_id: campaignId, target_type: 'company', target_id: co(n).id, status: tstatus[k % 4] });
    targets.push({ campaign_id: campaignId, target_type: 'contact', target_id: co(n).contacts[0]!.id, status: tstatus[(k + 1) % 4] });
  });
  const leadRows = (await w.ctx.db.execute(sql`select id, source from leads where status in ('new', 'contacted') order by company_name`)) as unknown as { rows: { id: string; source: string }[] };
  for (const [k, row] of leadRows.rows.entries()) targets.push({ campaign_id: campaignId, target_type: 'lead', target_id: row.id, status: k === 0 ? 'converted' : 'opened' });
  // Only people who agreed to marketing email are targeted (core/privacy/consent.ts): each agreed before the campaign went out.
  await recordDemoConsents(w, early.map((n) => co(n).contacts[0]!.id), leadRows.rows);
  for (const target of targets) await add(w.cx(-44), 'campaign_targets', target);
  await add(w.cx(-48), 'campaign_content', { campaign_id: campaignId, content_type: 'email', subject: 'How Sydney builders are getting Friday afternoons back', body: 'Site diaries in five minutes, tenders in half the time: what three builders learned in their first 90 days with Claude.' });
  await add(w.cx(-48), 'campaign_content', { campaign_id: campaignId, content_type: 'landing_page', subject: 'AI for Builders', asset_url: 'https://promptai.com.au/builders' });
  await add(w.cx(-48), 'campaign_content', { campaign_id: campaignId, content_type: 'asset', subject: 'The site diary guide (PDF)', asset_url: 'https://promptai.com.au/guides/site-diary.pdf' });
  const periods = [...new Set([w.ds(-45), w.ds(-15), w.ds(0)].map(monthStart))];
  const metricRows = periods.map((period, k) => ({
    campaign_id: campaignId,
    period,
    impressions: 1200 + k * 400,
    opens: 420 + k * 90,
    clicks: 61 + k * 22,
    conversions: 2 + k,
    spend: money(1500),
    currency: 'AUD',
    revenue: money(900 + k * 1650),
  }));
  await addMany(w.cx(-0.2), 'campaign_metrics', metricRows);

  // Who came to the seed 003 events: the expo (past: some came, some did not, two were met at
  // the stand and logged as events.check_in logs them) and the breakfast (coming up: invited, registered).
  const expoGuests: [string, number, 'attended' | 'no_show', string | null][] = [
    ['Harbour Civil Works', 0, 'attended', 'Stopped at the stand after the talk; wants the estimating Skills shown to their tender team.'],
    ['Harbour Civil Works', 1, 'attended', null],
    ['Parramatta Build Co', 0, 'attended', 'Came to the talk with two supervisors; asked about the site diary writer for subcontractors.'],
    ['Parramatta Build Co', 1, 'no_show', null],
    ['Ultimo Project Builders', 0, 'attended', null],
    ['Coastal Formwork Group', 0, 'no_show', null],
  ];
  for (const [n, k, status, met] of expoGuests) {
    const info = co(n);
    const contact = info.contacts[k]!;
    const attendee = await add(w.cx(-55), 'event_attendees', { event_id: events.expoId, contact_id: contact.id, status: 'registered' });
    await update(w.cx(-40), 'event_attendees', id(attendee), { status, ...(met ? { notes: met } : {}) });
    if (met) {
      await logInteraction(w.cxAs(w.users.admin, -40), {
        company_id: info.id,
        contact_id: contact.id,
        interaction: { type: 'event', event_id: events.expoId, subject: 'Attended Sydney Build Expo 2026', summary: met },
      });
    }
  }
  const breakfastGuests: [string, 'invited' | 'registered'][] = [
    ['Cronulla Landscapes', 'registered'],
    ['Botany Bay Precast', 'invited'],
    ['Zetland Property Group', 'registered'],
    ['Parramatta Build Co', 'registered'],
    ['Harbour Civil Works', 'invited'],
  ];
  for (const [k, [n, status]] of breakfastGuests.entries()) {
    // In the last day: the newest of these companies came in yesterday.
    await add(w.cx(-0.5 + k * 0.05), 'event_attendees', { event_id: events.breakfastId, contact_id: co(n).contacts[0]!.id, status });
  }

  // Addresses, team, preferences and monthly metrics for the main accounts
  const accounts = ['Harbour Civil Works', 'Parramatta Build Co', 'Blacktown Concrete Solutions'];
  for (const [k, n] of accounts.entries()) {
    const info = co(n);
    const at = info.times.onboarding ?? -30;
    await add(w.cx(at), 'company_addresses', { company_id: info.id, type: 'hq', street: `${12 + k * 31} ${['Harris St', 'Church St', 'Flushcombe Rd'][k]}`, city: info.spec.suburb, state: 'NSW', country: 'Australia', postal_code: ['2009', '2150', '2148'][k], is_primary: true });
    await add(w.cx(at), 'company_addresses', { company_id: info.id, type: k === 1 ? 'billing' : 'site', street: k === 1 ? 'PO Box 412' : `Lot ${4 + k} ${['Barangaroo Ave', '', 'Old Windsor Rd'][k]}`, city: k === 1 ? 'Parramatta' : ['Barangaroo', '', 'Marsden Park'][k], state: 'NSW', country: 'Australia', postal_code: ['2000', '2124', '2765'][k], is_primary: false });
    await add(w.cx(at), 'company_team', { company_id: info.id, user_id: w.users.admin, role: 'owner', assigned_at: w.dt(at) });
    await add(w.cx(at), 'company_team', { company_id: info.id, user_id: w.users.editor, role: 'secondary', assigned_at: w.dt(at) });
    if (k === 0) await add(w.cx(at), 'company_team', { company_id: info.id, user_id: w.users.viewer, role: 'support', assigned_at: w.dt(at) });
  }
  const prefMethods = ['phone', 'email', 'in_person', 'sms'] as const;
  let p = 0;
  for (const n of ['Harbour Civil Works', 'Parramatta Build Co', 'Ultimo Project Builders', 'Northshore Joinery', 'Blacktown Concrete Solutions', 'Ryde Renovations']) {
    for (const ct of co(n).contacts.slice(0, 2)) {
      await add(w.cx(-20), 'contact_preferences', {
        contact_id: ct.id,
        preferred_contact_method: ct.email ? prefMethods[p % 4] : 'phone',
        best_time_to_call: ct.role === 'Site Supervisor' ? 'Before 7am or after 3pm' : 'Mornings before 10',
        timezone: 'Australia/Sydney',
        communication_frequency: p % 2 === 0 ? 'weekly' : 'fortnightly',
      });
      p++;
    }
  }
  for (const n of ['Harbour Civil Works', 'Parramatta Build Co']) {
    const info = co(n);
    const monthly = Number(pkgPrice(info.spec.pkg ?? 'AI Foundations', info.spec.employees).monthly);
    const months = [...new Set([-75, -45, -15].map((o) => monthStart(w.ds(o))))];
    await addMany(w.cx(-1), 'company_metrics', months.map((period) => ({ company_id: info.id, period, currency: 'AUD', total_revenue: money(monthly) })));
  }

  // Notes on some companies
  const notes: [string, string, boolean][] = [
    ['Harbour Civil Works', 'Procore admin is Liam in IT; API keys rotate every 90 days, so the MCP needs re-auth each quarter.', false],
    ['Coastal Formwork Group', 'Paused over two big tenders; director keen to restart after the Christmas shutdown.', false],
    ['Westside Scaffolding', 'New owners cancelled all consultants. Good relationship with the old estimator, now at Ryde Renovations.', true],
    ['Ryde Renovations', 'Negotiating on the monthly fee; they want the first three months at half price.', false],
    ['Bondi Builders', 'Director prefers walk-in visits on Tuesday mornings.', false],
    ['Liverpool Earthmoving', 'No-go for now: revisit if they set up an estimating office.', false],
  ];
  for (const [n, text, priv] of notes) {
    await add(w.cx(-3), 'notes', { note_type: 'company', related_id: co(n).id, note_text: text, is_private: priv, created_by: priv ? w.users.admin : w.users.editor });
  }
}

// ---------------------------------------------------------------------------
// The world

/** Every table the demo writes, counted at the end. */
export const DEMO_TABLES = [
  'users', 'industries', 'services', 'industry_services', 'capacity',
  'companies', 'company_addresses', 'company_team', 'company_metrics', 'contacts', 'contact_preferences',
  'interactions', 'notes', 'leads', 'lead_scores', 'lead_qualifications', 'consents',
  'deals', 'deal_stakeholders', 'deal_competitors', 'deal_products',
  'campaigns', 'campaign_targets', 'campaign_content', 'campaign_content_versions', 'campaign_metrics',
  'events', 'event_attendees', 'prospect_research', 'outreach_drafts',
  'audits', 'survey_responses', 'go_no_go_decisions', 'proposals', 'readiness_assessments', 'roi_calculations',
  'engagements', 'engagement_services', 'engagement_milestones', 'contracts',
  'ai_licenses', 'ai_assets', 'ai_asset_deployments', 'contact_tasks', 'task_measurements', 'task_ai_assets',
  'work_completed', 'training_sessions', 'training_attendance', 'support_tickets', 'engagement_tools', 'invoices',
  'ai_usage', 'llm_usage_logs', 'llm_model_prices',
  'status_history', 'audit_log',
] as const;

/**
 * Loads the demo world into an empty database, in one transaction. Refuses a database that
 * already holds it. Returns the row count of every table it wrote.
 */
export type SeedOptions = {
  /** Give the demo users their published passwords (src/demo/credentials.ts): the embedded default only. */
  demoPasswords?: boolean;
  argon2?: Argon2Params;
};

export async function seedDemo(ctx: Ctx, opts: SeedOptions = {}): Promise<{ counts: Record<string, number> }> {
  return withTx(ctx, async (tx) => {
    const existing = (await tx.db.execute(sql`select 1 from companies where lower(name) = lower(${COMPANIES[0]!.name}) limit 1`)) as unknown as { rows: unknown[] };
    if (existing.rows.length > 0) throw new Error('seedDemo: this database already holds the demo world');

    const base = tx.now();
    const dt = (offset: number) => new Date(base.getTime() + Math.round(offset * DAY_MS));
    const today = localDate(tx, base);
    const w: World = {
      ctx: tx,
      rng: makeRng(20_260_601),
      base,
      dt,
      ds: (offset) => localDate(tx, dt(offset)),
      cx: (offset) => ({ ...tx, now: () => dt(offset) }),
      cxAs: (userId, offset) => {
        const u = USERS[[w.users.admin, w.users.editor, w.users.viewer].indexOf(userId)]!;
        return { ...tx, now: () => dt(offset), actor: userActor({ id: userId, email: u.email, name: u.name ?? null, role: u.role }) };
      },
      today,
      weekEnd: weekOf(today).to,
      users: { admin: '', editor: '', viewer: '' },
      industries: new Map(),
      services: new Map(),
      companies: new Map(),
      gi: 0,
      usage: [],
      numbered: [],
    };

    // Platform: users, industries, catalog, capacity
    const userIds: string[] = [];
    for (const u of USERS) {
      const password = opts.demoPasswords ? DEMO_CREDENTIALS.find((d) => d.email === u.email)?.password : undefined;
      const user = await createUser(w.cx(-400), { ...u, ...(password ? { password } : {}) }, opts.argon2 ? { argon2: opts.argon2 } : {});
      userIds.push(user.id);
    }
    w.users = { admin: userIds[0]!, editor: userIds[1]!, viewer: userIds[2]! };
    // Reports add USD seat and tool costs into each engagement's AUD at these (demo) rates.
    await updateSettings(w.cxAs(w.users.admin, -400), { exchange_rates: { USD: '1', AUD: '0.66', TTD: '0.147' } });
    for (const [name, description] of INDUSTRIES) w.industries.set(name, id(await add(w.cx(-400), 'industries', { name, description })));
    for (const s of SERVICES) {
      const row = await add(w.cx(-380), 'services', {
        name: s.name,
        service_category: s.service_category,
        description: s.description,
        ...(s.tier ? { tier: s.tier } : {}),
        pricing_model: s.pricing_model,
        currency: s.currency,
        ...(s.setup ? { base_setup_fee_min: money(s.setup[0]), base_setup_fee_max: money(s.setup[1]) } : {}),
        ...(s.monthly ? { base_monthly_fee_min: money(s.monthly[0]), base_monthly_fee_max: money(s.monthly[1]) } : {}),
        typical_duration_weeks: s.weeks,
        use_cases: s.use_cases,
        keywords: s.keywords,
      });
      w.services.set(s.name, row);
    }
    for (const [industry, service, fit] of INDUSTRY_SERVICES) {
      await add(w.cx(-380), 'industry_services', { industry_id: w.industries.get(industry)!, service_id: id(w.services.get(service)!), fit_notes: fit });
    }
    const team = [
      { team_member: 'Sam Whitaker', role: 'Principal Consultant', user_id: w.users.admin, total: 40, allocated: 28, notes: 'Sales, audits and reporting' },
      { team_member: 'Priya Raman', role: 'AI Engineer', user_id: w.users.editor, total: 38, allocated: 22, notes: 'MCP servers, Skills and support' },
      { team_member: 'Jordan Lee', role: 'Trainer (contractor)', user_id: null, total: 20, allocated: 8, notes: 'Training sessions, Tuesdays to Thursdays' },
    ];
    for (const m of team) {
      await add(w.cx(-30), 'capacity', { team_member: m.team_member, role: m.role, user_id: m.user_id, total_hours_per_week: money(m.total), allocated_hours_per_week: money(m.allocated), notes: m.notes });
    }

    // Sales, assessment and delivery, company by company
    for (const s of COMPANIES) w.companies.set(s.name, await buildCompany(w, s));
    await buildLeads(w);
    const assistant = await buildSalesAssistant(w);
    await buildAccounts(w, assistant);
    for (const doc of [...w.numbered].sort((a, b) => a.at - b.at)) await doc.run();
    // Usage arrives as a client's exports do: batches through the ingest verb, which keeps the monthly rollup.
    for (let i = 0; i < w.usage.length; i += MAX_USAGE_ROWS) await ingestUsage(w.cx(0), { items: w.usage.slice(i, i + MAX_USAGE_ROWS) });
    // Usage arrives in bulk (no hooks): every company's health is worked out once it is all in.
    await recomputeAllHealth(w.cx(0));

    const counts: Record<string, number> = {};
    for (const table of DEMO_TABLES) {
      const res = (await tx.db.execute(sql`select count(*)::int as n from ${sql.identifier(table)}`)) as unknown as { rows: { n: number }[] };
      counts[table] = Number(res.rows[0]!.n);
    }
    return { counts };
  });
}
