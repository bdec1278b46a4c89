/**
 * Seed 001's AI-readiness assessment: ten questions answered 1–5 in four categories,
 * weighted technology 30 %, process 25 %, team 25 %, strategy 20 %, scaled to 0–100 and
 * banded into the service tiers L1–L5. Started → completed or abandoned, nothing else.
 *
 * The scoring rule, exactly (integer arithmetic, no floating point anywhere):
 *
 * 1. A category's score is its mean answer mapped linearly from 1..5 onto 0..100:
 *      category = (mean − 1) / 4 × 100 = 100 × (sum − n) / (4 × n)
 *    for the n questions of the category (so all 1s → 0, all 3s → 50, all 5s → 100).
 * 2. The overall score is the weighted sum of the EXACT category scores:
 *      score = 0.30 × technology + 0.25 × process + 0.25 × team + 0.20 × strategy,
 *    which for the question split below (3 + 3 + 2 + 2) is
 *      score = (60 × (Σtech − 3) + 50 × (Σprocess − 3) + 75 × (Σteam − 2) + 60 × (Σstrategy − 2)) / 24.
 * 3. Rounding happens once, at the end: half up to a whole number (62.5 → 63, 62.4583 → 62).
 *    The category scores stored beside it are each rounded the same way for display only;
 *    the weighted sum of those rounded figures may differ from `score` by a point.
 * 4. Tier from the rounded score: L1 0–30, L2 31–50, L3 51–70, L4 71–85, L5 86–100.
 *
 * Strengths, weaknesses and recommendations (on the exact category scores):
 * - a category scoring 60 or more (mean answer ≥ 3.4) is a strength;
 * - a category scoring under 40 (mean answer < 2.6) is a weakness;
 * - recommendations: first the tier's starting point; then, for every category under 60,
 *   lowest score first (ties: the heavier weight first, then technology, process, team,
 *   strategy), that category's next step; when all four are 60 or more, one "scale up" step.
 */
import { z } from 'zod';
import { SERVICE_TIERS } from '../../db/schema/catalog.ts';
import { withTx, type Ctx } from '../context.ts';
import { AppError, invalid, notFound, parseInput, type FieldError } from '../errors.ts';
import { applyUpdate, fetchRow, getRecord, insertRecord, type Row } from '../resource.ts';
import { resource } from '../resources.ts';

export const READINESS_CATEGORIES = ['technology', 'process', 'team', 'strategy'] as const;
export type ReadinessCategory = (typeof READINESS_CATEGORIES)[number];
export type ServiceTier = (typeof SERVICE_TIERS)[number];

/** Weights in percent; they sum to 100. */
export const READINESS_WEIGHTS: Record<ReadinessCategory, number> = { technology: 30, process: 25, team: 25, strategy: 20 };

/** A category at or above this exact score is a strength. */
export const STRENGTH_AT = 60;
/** A category below this exact score is a weakness. */
export const WEAKNESS_BELOW = 40;

/** Upper bound (inclusive) of each tier's score band, lowest first. */
export const TIER_BANDS: ReadonlyArray<{ tier: ServiceTier; max: number }> = [
  { tier: 'L1_ESSENTIALS', max: 30 },
  { tier: 'L2_ADVANCED', max: 50 },
  { tier: 'L3_CONSULTING', max: 70 },
  { tier: 'L4_PLATFORMS', max: 85 },
  { tier: 'L5_STRATEGIC', max: 100 },
];

export const READINESS_QUESTION_IDS = ['q1', 'q2', 'q3', 'q4', 'q5', 'q6', 'q7', 'q8', 'q9', 'q10'] as const;
export type ReadinessQuestionId = (typeof READINESS_QUESTION_IDS)[number];

export type ReadinessQuestion = {
  id: ReadinessQuestionId;
  category: ReadinessCategory;
  question: string;
  /** What 1 and 5 mean; 2–4 lie between. */
  scale: { 1: string; 5: string };
};

/** The ten questions: technology q1–q3, process q4–q6, team q7–q8, strategy q9–q10. */
export const READINESS_QUESTIONS: readonly ReadinessQuestion[] = [
  {
    id: 'q1',
    category: 'technology',
    question: 'How much of your day-to-day work (jobs, quotes, documents, accounts) runs in software rather than on paper or in loose spreadsheets?',
    scale: { 1: 'Mostly paper, email and ad-hoc spreadsheets', 5: 'Nearly everything lives in cloud software' },
  },
  {
    id: 'q2',
    category: 'technology',
    question: 'How well do your systems share data with each other?',
    scale: { 1: 'Everything is re-keyed by hand', 5: 'Systems are connected and data flows between them' },
  },
  {
    id: 'q3',
    category: 'technology',
    question: 'How much do your staff use AI tools (ChatGPT, Claude, Copilot) in their work today?',
    scale: { 1: 'Nobody uses them', 5: 'Most staff use approved AI tools every day' },
  },
  {
    id: 'q4',
    category: 'process',
    question: 'How well documented are your core processes (quoting, estimating, reporting, invoicing)?',
    scale: { 1: 'They live in people’s heads', 5: 'Written down, current and followed' },
  },
  {
    id: 'q5',
    category: 'process',
    question: 'How consistently do people do the same task the same way?',
    scale: { 1: 'Everyone has their own way', 5: 'One agreed way, with templates' },
  },
  {
    id: 'q6',
    category: 'process',
    question: 'Do you know how long your key tasks take and where time is lost?',
    scale: { 1: 'No idea', 5: 'We measure it and review it regularly' },
  },
  {
    id: 'q7',
    category: 'team',
    question: 'How comfortable is your team with learning new software?',
    scale: { 1: 'Strong resistance to change', 5: 'They pick up new tools quickly and ask for more' },
  },
  {
    id: 'q8',
    category: 'team',
    question: 'Is there someone with the time and authority to champion AI adoption?',
    scale: { 1: 'No one', 5: 'A named champion with time set aside and management backing' },
  },
  {
    id: 'q9',
    category: 'strategy',
    question: 'How clearly is AI tied to your business goals (growth, margin, capacity)?',
    scale: { 1: 'Not at all', 5: 'Specific goals with targets' },
  },
  {
    id: 'q10',
    category: 'strategy',
    question: 'Is budget set aside for AI and automation over the next 12 months?',
    scale: { 1: 'No budget', 5: 'A committed budget' },
  },
];

const CATEGORY_OF = new Map(READINESS_QUESTIONS.map((q) => [q.id as string, q.category]));

const STRENGTH_TEXT: Record<ReadinessCategory, string> = {
  technology: 'Technology: your work already runs in software that AI can connect to',
  process: 'Process: documented, repeatable processes that are ready to automate',
  team: 'Team: people open to new tools, with someone to champion the change',
  strategy: 'Strategy: AI is tied to business goals and has budget behind it',
};

const WEAKNESS_TEXT: Record<ReadinessCategory, string> = {
  technology: 'Technology: work still lives on paper or in disconnected tools, so there is little for AI to plug into',
  process: 'Process: processes are undocumented or inconsistent, so automating them would automate the variation',
  team: 'Team: low comfort with new software and no champion to carry adoption',
  strategy: 'Strategy: AI is not yet tied to business goals or budget',
};

const CATEGORY_STEP: Record<ReadinessCategory, string> = {
  technology: 'Move the core workflows into cloud software and connect the main systems before building on them',
  process: 'Document the three highest-volume processes and measure how long each task takes today (the baseline for ROI)',
  team: 'Name an AI champion with time set aside, and run hands-on training for the whole team',
  strategy: 'Agree two or three measurable goals for AI (hours saved, turnaround, margin) and set a 12-month budget',
};

const TIER_STEP: Record<ServiceTier, string> = {
  L1_ESSENTIALS: 'Start with L1 Essentials: AI foundations training and one or two quick wins on everyday admin',
  L2_ADVANCED: 'Start with L2 Advanced: automate the highest-volume manual tasks with the tools you already use',
  L3_CONSULTING: 'Start with L3 Consulting: workshops, team training and process optimisation, then targeted integrations',
  L4_PLATFORMS: 'Start with L4 Platforms: connect your core systems to AI through integrations built for your workflows',
  L5_STRATEGIC: 'Start with L5 Strategic: a strategic partnership (fractional CTO) to transform operations with AI',
};

const SCALE_STEP =
  'Every category is a strength: scale up by automating the highest-volume tasks across teams and measure hours saved monthly';

export type ReadinessResult = {
  score: number;
  tier: ServiceTier;
  category_scores: Record<ReadinessCategory, number>;
  strengths: string[];
  weaknesses: string[];
  recommendations: string[];
};

export type ReadinessAnswers = Partial<Record<ReadinessQuestionId, number>>;

/** a / b rounded half up, for a ≥ 0 and b > 0 (integers). */
const roundHalfUp = (a: number, b: number) => Math.floor((2 * a + b) / (2 * b));

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
const lcm = (a: number, b: number) => (a / gcd(a, b)) * b;

export function tierFor(score: number): ServiceTier {
  if (!Number.isInteger(score) || score < 0 || score > 100) throw new RangeError(`a readiness score is a whole number from 0 to 100, not ${score}`);
  return TIER_BANDS.find((b) => score <= b.max)!.tier;
}

/** Answers that name unknown questions or hold anything but a whole number 1–5, as field errors. */
function answerErrors(answers: Record<string, unknown>, prefix: string): FieldError[] {
  const errors: FieldError[] = [];
  for (const [k, v] of Object.entries(answers)) {
    if (!CATEGORY_OF.has(k)) errors.push({ field: `${prefix}.${k}`, message: `is not a question of the readiness assessment (${READINESS_QUESTION_IDS.join(', ')})` });
    else if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 5) errors.push({ field: `${prefix}.${k}`, message: 'must be a whole number from 1 to 5' });
  }
  return errors;
}

/** Refuses a set of answers unless it answers all ten questions, each with 1–5. */
export function assertCompleteAnswers(answers: Record<string, unknown>, prefix = 'answers'): Record<ReadinessQuestionId, number> {
  const errors = answerErrors(answers, prefix);
  for (const id of READINESS_QUESTION_IDS) {
    if (answers[id] === undefined) errors.push({ field: `${prefix}.${id}`, message: 'is required to complete the assessment (every question needs an answer from 1 to 5)' });
  }
  if (errors.length) throw invalid(errors);
  return answers as Record<ReadinessQuestionId, number>;
}

/** Scores a complete set of answers by the rule in this file's header. Pure. */
export function scoreReadiness(input: Record<string, unknown>): ReadinessResult {
  const answers = assertCompleteAnswers(input);
  const sum: Record<ReadinessCategory, number> = { technology: 0, process: 0, team: 0, strategy: 0 };
  const n: Record<ReadinessCategory, number> = { technology: 0, process: 0, team: 0, strategy: 0 };
  for (const q of READINESS_QUESTIONS) {
    sum[q.category] += answers[q.id];
    n[q.category] += 1;
  }
  // score = Σ w_c/100 × 100 (S_c − n_c)/(4 n_c) = Σ w_c (S_c − n_c)/(4 n_c): one common denominator keeps it exact.
  const denominator = READINESS_CATEGORIES.reduce((d, c) => lcm(d, 4 * n[c]), 1);
  const numerator = READINESS_CATEGORIES.reduce((acc, c) => acc + READINESS_WEIGHTS[c] * (sum[c] - n[c]) * (denominator / (4 * n[c])), 0);
  const score = roundHalfUp(numerator, denominator);
  const category_scores = Object.fromEntries(
    READINESS_CATEGORIES.map((c) => [c, roundHalfUp(100 * (sum[c] - n[c]), 4 * n[c])]),
  ) as Record<ReadinessCategory, number>;
  // Thresholds compared on the exact category score 100 (S − n) / (4 n), cross-multiplied.
  const atLeast = (c: ReadinessCategory, t: number) => 100 * (sum[c] - n[c]) >= t * 4 * n[c];
  const strengths = READINESS_CATEGORIES.filter((c) => atLeast(c, STRENGTH_AT));
  const weaknesses = READINESS_CATEGORIES.filter((c) => !atLeast(c, WEAKNESS_BELOW));
  const exact = (c: ReadinessCategory) => (sum[c] - n[c]) / n[c];
  const below = READINESS_CATEGORIES.filter((c) => !atLeast(c, STRENGTH_AT)).sort(
    (a, b) => exact(a) - exact(b) || READINESS_WEIGHTS[b] - READINESS_WEIGHTS[a] || READINESS_CATEGORIES.indexOf(a) - READINESS_CATEGORIES.indexOf(b),
  );
  const tier = tierFor(score);
  return {
    score,
    tier,
    category_scores,
    strengths: strengths.map((c) => STRENGTH_TEXT[c]),
    weaknesses: weaknesses.map((c) => WEAKNESS_TEXT[c]),
    recommendations: [TIER_STEP[tier], ...(below.length ? below.map((c) => CATEGORY_STEP[c]) : [SCALE_STEP])],
  };
}

/** The questionnaire with its rule, for forms and for agents. */
export function readinessQuestionnaire() {
  return {
    questions: READINESS_QUESTIONS,
    categories: READINESS_CATEGORIES.map((c) => ({
      category: c,
      weight_percent: READINESS_WEIGHTS[c],
      questions: READINESS_QUESTIONS.filter((q) => q.category === c).map((q) => q.id),
    })),
    tiers: TIER_BANDS.map((b, i) => ({ tier: b.tier, min: i === 0 ? 0 : TIER_BANDS[i - 1]!.max + 1, max: b.max })),
    rules: {
      category_score: '(mean answer − 1) / 4 × 100, exact',
      score: 'weighted sum of the exact category scores, rounded half up to a whole number',
      strength: `category score ≥ ${STRENGTH_AT}`,
      weakness: `category score < ${WEAKNESS_BELOW}`,
    },
  };
}

// ---------------------------------------------------------------------------
// Records

const DERIVED = ['score', 'tier', 'category_scores', 'strengths', 'weaknesses', 'recommendations'] as const;

/**
 * The generic create's guard (resources.ts `prepare`), so an assessment written through
 * POST /readiness_assessments (an import of past results) obeys the same rule as the verbs:
 * a completed one must answer all ten questions and gets its score, tier, category scores,
 * strengths, weaknesses and recommendations computed here (values sent for them are replaced);
 * a started or abandoned one may not carry any of them. Changes made by the verbs pass through.
 */
export function prepareReadinessRecord(values: Row, existing?: Row): Row {
  if (existing) return values;
  const status = (values.status as string | undefined) ?? 'started';
  if (status !== 'completed') {
    const errors: FieldError[] = [];
    for (const f of DERIVED) {
      if (values[f] !== undefined && values[f] !== null) errors.push({ field: f, message: 'is computed when the assessment is completed' });
    }
    if (values.completed_at !== undefined && values.completed_at !== null) errors.push({ field: 'completed_at', message: 'is set when the assessment is completed' });
    if (errors.length) throw invalid(errors);
    return values;
  }
  const answers = values.answers;
  if (!answers || typeof answers !== 'object' || Array.isArray(answers)) {
    throw invalid([{ field: 'answers', message: 'must answer all ten questions to store a completed assessment' }]);
  }
  const result = scoreReadiness(answers as Record<string, unknown>);
  if (!(values.completed_at instanceof Date)) throw invalid([{ field: 'completed_at', message: 'is required for a completed assessment' }]);
  return { ...values, ...result };
}

const assessmentsRes = () => resource('readiness_assessments');

const answerValue = z.int({ message: 'must be a whole number from 1 to 5' }).min(1, 'must be a whole number from 1 to 5').max(5, 'must be a whole number from 1 to 5');

/** Any subset of the ten questions, each answered 1–5; other keys are refused by name. */
export const AnswersSchema = z
  .strictObject(Object.fromEntries(READINESS_QUESTION_IDS.map((id) => [id, answerValue.optional()])) as Record<ReadinessQuestionId, z.ZodOptional<typeof answerValue>>)
  .describe('answers by question id (q1–q10), each a whole number from 1 to 5');

/** All ten questions answered. */
export const CompleteAnswersSchema = z
  .strictObject(Object.fromEntries(READINESS_QUESTION_IDS.map((id) => [id, answerValue])) as Record<ReadinessQuestionId, typeof answerValue>)
  .describe('an answer from 1 to 5 for each of q1–q10');

const uuid = z.uuid({ message: 'must be a UUID' });
const email = z.string().trim().max(320, 'must be at most 320 characters').pipe(z.email({ message: 'must be an email address' }));

export const StartReadinessInput = z.strictObject({
  lead_id: uuid.optional().describe('the lead who takes the assessment'),
  company_id: uuid.optional().describe('the company assessed (defaults to the contact’s company)'),
  contact_id: uuid.optional().describe('the person answering'),
  email: email.optional().describe('where the results go (defaults to the lead’s or the contact’s email)'),
  answers: AnswersSchema.optional(),
});
export type StartReadinessInput = z.input<typeof StartReadinessInput>;

export const AnswerReadinessInput = z.strictObject({ id: uuid, answers: AnswersSchema });
export type AnswerReadinessInput = z.input<typeof AnswerReadinessInput>;

export const CompleteReadinessInput = z.strictObject({
  id: uuid,
  answers: AnswersSchema.optional().describe('last answers, merged over those already given'),
  email: email.optional().describe('where the results go, if not known yet'),
});
export type CompleteReadinessInput = z.input<typeof CompleteReadinessInput>;

export const AbandonReadinessInput = z.strictObject({ id: uuid });

const OPEN = 'started';

/** A finished assessment refuses further changes, saying why and what to do instead. */
function refuseUnlessStarted(row: Row, doing: 'answer' | 'complete' | 'abandon'): void {
  if (row.status === OPEN) return;
  const when = row.completed_at instanceof Date ? ` on ${row.completed_at.toISOString().slice(0, 10)}` : '';
  const why =
    row.status === 'completed'
      ? `it was already completed${when} with score ${String(row.score)} (${String(row.tier)})`
      : 'it was abandoned';
  const done = { answer: 'answered', complete: 'completed', abandon: 'abandoned' }[doing];
  throw new AppError('CONFLICT', `Cannot ${doing} readiness assessment ${String(row.id)}: ${why}. Only a started assessment can be ${done}; start a new assessment to assess again.`, {
    details: { fields: [{ field: 'status', message: `is ${String(row.status)}` }], assessment_status: row.status, allowed: [] },
  });
}

async function lockedAssessment(ctx: Ctx, id: string): Promise<Row> {
  const row = await fetchRow(ctx, assessmentsRes(), id, true);
  if (!row) throw notFound('readiness assessment', id);
  return row;
}

/**
 * Starts an assessment for a lead, a company and/or a contact (any of them, or none for an
 * anonymous website visitor). The contact must belong to the company; the company defaults to
 * the contact's, then to the lead's; the email defaults to the lead's, then the contact's.
 */
export async function startReadiness(ctx: Ctx, raw: StartReadinessInput) {
  const input = parseInput(StartReadinessInput, raw);
  return withTx(ctx, async (tx) => {
    const lead = input.lead_id ? await getRecord(tx, resource('leads'), input.lead_id) : null;
    const contact = input.contact_id ? await getRecord(tx, resource('contacts'), input.contact_id) : null;
    let companyId = input.company_id ?? null;
    if (contact) {
      if (companyId && contact.company_id !== companyId) throw invalid([{ field: 'contact_id', message: 'belongs to another company' }]);
      companyId = contact.company_id as string;
    }
    if (companyId && !contact) await getRecord(tx, resource('companies'), companyId);
    if (!companyId && lead) {
      // The lead's company (or the account it converted to), when the caller can see it.
      const leadCompany = (lead.company_id ?? lead.converted_to_account_id ?? null) as string | null;
      if (leadCompany && (await fetchRow(tx, resource('companies'), leadCompany))) companyId = leadCompany;
    }
    const emailAddress = input.email ?? (lead?.email as string | null | undefined) ?? (contact?.email as string | null | undefined) ?? null;
    return insertRecord(
      tx,
      assessmentsRes(),
      {
        lead_id: lead?.id ?? null,
        company_id: companyId,
        contact_id: contact?.id ?? null,
        email: emailAddress,
        status: 'started',
        answers: input.answers ?? {},
      },
      'assessment.start_readiness',
    );
  });
}

const progress = (answers: Record<string, unknown>) => ({
  answered: READINESS_QUESTION_IDS.filter((id) => answers[id] !== undefined).length,
  unanswered: READINESS_QUESTION_IDS.filter((id) => answers[id] === undefined),
});

/** Records answers (merged over earlier ones; a later answer to a question replaces the earlier) on a started assessment. */
export async function answerReadiness(ctx: Ctx, raw: AnswerReadinessInput) {
  const input = parseInput(AnswerReadinessInput, raw);
  return withTx(ctx, async (tx) => {
    const row = await lockedAssessment(tx, input.id);
    refuseUnlessStarted(row, 'answer');
    const answers = { ...(row.answers as Record<string, number>), ...input.answers };
    const assessment = await applyUpdate(tx, assessmentsRes(), input.id, { answers }, { operation: 'assessment.answer_readiness' });
    return { assessment, ...progress(answers) };
  });
}

/**
 * Completes a started assessment: merges any last answers, requires all ten, and stores the
 * score, tier, category scores, strengths, weaknesses and recommendations with completed_at.
 * Linked to a lead, company or contact, it also logs an `assessment_completed` interaction
 * (001 LeadActivity), in the same transaction.
 */
export async function completeReadiness(ctx: Ctx, raw: CompleteReadinessInput) {
  const input = parseInput(CompleteReadinessInput, raw);
  return withTx(ctx, async (tx) => {
    const row = await lockedAssessment(tx, input.id);
    refuseUnlessStarted(row, 'complete');
    const answers = { ...(row.answers as Record<string, number>), ...input.answers };
    const result = scoreReadiness(answers);
    const changes: Row = { status: 'completed', answers, ...result, completed_at: tx.now() };
    if (input.email !== undefined) changes.email = input.email;
    const assessment = await applyUpdate(tx, assessmentsRes(), input.id, changes, { operation: 'assessment.complete_readiness' });
    let interaction: Row | null = null;
    if (assessment.lead_id || assessment.company_id || assessment.contact_id) {
      interaction = await insertRecord(
        tx,
        resource('interactions'),
        {
          type: 'assessment_completed',
          direction: 'inbound',
          lead_id: assessment.lead_id ?? null,
          company_id: assessment.company_id ?? null,
          contact_id: assessment.contact_id ?? null,
          interaction_date: tx.now(),
          subject: 'AI-readiness assessment completed',
          summary: `AI-readiness score ${result.score}/100, tier ${result.tier}`,
          metadata: { readiness_assessment_id: assessment.id, score: result.score, tier: result.tier, category_scores: result.category_scores },
        },
        'assessment.complete_readiness',
      );
    }
    return { assessment, result, interaction_id: (interaction?.id as string | undefined) ?? null };
  });
}

/** Marks a started assessment abandoned (no activity, will not be finished); it cannot be completed afterwards. */
export async function abandonReadiness(ctx: Ctx, raw: { id: string }) {
  const input = parseInput(AbandonReadinessInput, raw);
  return withTx(ctx, async (tx) => {
    const row = await lockedAssessment(tx, input.id);
    refuseUnlessStarted(row, 'abandon');
    return applyUpdate(tx, assessmentsRes(), input.id, { status: 'abandoned' }, { operation: 'assessment.abandon_readiness' });
  });
}

/** Scores answers without storing anything (a calculator for a form or an agent). */
export function previewReadiness(raw: { answers: Record<string, unknown> }) {
  const input = parseInput(z.strictObject({ answers: CompleteAnswersSchema }), raw);
  return scoreReadiness(input.answers);
}
