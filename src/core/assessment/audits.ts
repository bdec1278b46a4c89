/**
 * Seed 000 steps 5–6 as verbs: start the audit (the company moves meeting_complete →
 * auditing), import the owner's org chart as contacts, track each person's audit or
 * pre-training survey as sent and completed, show who is still outstanding against the
 * org chart, derive the audit's counters, team size, digital maturity and tools summary
 * from the responses, and build the baseline (contact_tasks) from completed responses.
 *
 * survey_responses holds one row per contact, survey type and question (its unique key):
 * rows are created when the link is sent, answered when the survey is completed. A
 * person's tasks are answered as the questions `Task N: name`, `Task N: description`,
 * `Task N: software used`, `Task N: frequency` and `Task N: time before AI (minutes)`,
 * so every answer stays a plain question/answer row a person can read.
 */
import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import { audits, survey_responses, SURVEY_TYPES } from '../../db/schema/assessment.ts';
import { contact_tasks, TASK_FREQUENCIES } from '../../db/schema/delivery.ts';
import { contacts } from '../../db/schema/sales.ts';
import { localDate, withTx, type Ctx } from '../context.ts';
import { AppError, invalid, notFound, type FieldError } from '../errors.ts';
import { diff, sameValue, writeAudit } from '../platform/audit.ts';
import { applyUpdate, fetchRow, getRecord, insertRecord, validateCreate, type Row } from '../resource.ts';
import { resource } from '../resources.ts';

const companiesRes = () => resource('companies');
const contactsRes = () => resource('contacts');
const auditsRes = () => resource('audits');
const responsesRes = () => resource('survey_responses');
const tasksRes = () => resource('contact_tasks');

export type SurveyType = (typeof SURVEY_TYPES)[number];
export type TaskFrequency = (typeof TASK_FREQUENCIES)[number];
export type Answer = { question: string; answer: string | null };

/** Seed 000 step 5: what the audit survey asks everyone on the org chart (the default questions when the link is sent). */
export const AUDIT_SURVEY_QUESTIONS = [
  'What is your name?',
  'What is your job role?',
  'What tasks do you complete?',
  'What software does each task use?',
  'Have you used AI for any tasks?',
  'Which AI have you used?',
  'Are you interested in learning about AI?',
] as const;

/** Seed 000 step 15: the more detailed pre-training survey. */
export const PRE_TRAINING_SURVEY_QUESTIONS = [
  'What are the specifics of your main tasks?',
  'What software do you use to complete them?',
  'What is your experience with AI?',
  'When are you available for training sessions?',
] as const;

export const DEFAULT_QUESTIONS: Record<SurveyType, readonly string[]> = {
  audit: AUDIT_SURVEY_QUESTIONS,
  pre_training: PRE_TRAINING_SURVEY_QUESTIONS,
};

/** The suffix of each task question (`Task 2: frequency`). */
export const TASK_FIELDS = {
  task_name: 'name',
  task_description: 'description',
  software_used: 'software used',
  frequency: 'frequency',
  time_before_ai: 'time before AI (minutes)',
} as const;
export type TaskField = keyof typeof TASK_FIELDS;

export const taskQuestion = (n: number, field: TaskField) => `Task ${n}: ${TASK_FIELDS[field]}`;

// ---------------------------------------------------------------------------
// Reading answers (pure)

const TASK_QUESTION = /^\s*task\s+(\d{1,3})\s*[:\-–]\s*(.+?)\s*$/i;

function taskFieldOf(suffix: string): TaskField | undefined {
  const s = suffix.toLowerCase();
  if (/^(task\s+)?name$|^task$/.test(s)) return 'task_name';
  if (/^(description|details?)$/.test(s)) return 'task_description';
  if (/^software/.test(s)) return 'software_used';
  if (/^(frequency|how often)/.test(s)) return 'frequency';
  if (/^(time before ai|time|minutes|how long)/.test(s)) return 'time_before_ai';
  return undefined;
}

/** `Task 2: frequency` → { n: 2, field: 'frequency' }; undefined for any other question. */
export function parseTaskQuestion(question: string): { n: number; field: TaskField } | undefined {
  const m = TASK_QUESTION.exec(question);
  if (!m) return undefined;
  const field = taskFieldOf(m[2]!);
  return field ? { n: Number(m[1]), field } : undefined;
}

const FREQUENCY_ALIASES: Record<string, TaskFrequency> = {
  adhoc: 'ad_hoc',
  as_needed: 'ad_hoc',
  every_day: 'daily',
  each_day: 'daily',
  every_week: 'weekly',
  each_week: 'weekly',
  every_month: 'monthly',
  each_month: 'monthly',
  each_project: 'per_project',
  every_project: 'per_project',
  per_job: 'per_project',
};

/** `Daily`, `per project`, `ad-hoc`, `as needed` → the task frequency; undefined when it is none of them. */
export function parseFrequency(raw: string): TaskFrequency | undefined {
  const k = raw.trim().toLowerCase().replace(/[\s-]+/g, '_');
  if ((TASK_FREQUENCIES as readonly string[]).includes(k)) return k as TaskFrequency;
  return FREQUENCY_ALIASES[k];
}

/** At most a year of minutes: anything longer is a typing mistake, not a task. */
export const MAX_TASK_MINUTES = 525_600;

/** `90`, `90 min`, `1.5 hours`, `2h` → whole minutes (hours × 60, rounded); undefined when not a duration. */
export function parseMinutes(raw: string): number | undefined {
  const m = /^\s*(\d{1,7}(?:\.\d{1,4})?)\s*(m|mins?|minutes?|h|hrs?|hours?)?\s*$/i.exec(raw);
  if (!m) return undefined;
  const value = Number(m[1]);
  const minutes = Math.round(m[2] && /^h/i.test(m[2]) ? value * 60 : value);
  return minutes <= MAX_TASK_MINUTES ? minutes : undefined;
}

export type SurveyTask = {
  n: number;
  task_name: string;
  task_description?: string;
  software_used?: string;
  frequency?: TaskFrequency;
  time_before_ai?: number;
};

/**
 * The tasks a response names (`Task N: …` answers), in task-number order; a task whose
 * name is blank is no task. Bad frequencies and durations are reported per question.
 */
export function tasksFromAnswers(answers: Answer[]): { tasks: SurveyTask[]; errors: { question: string; message: string }[] } {
  const byN = new Map<number, Partial<Record<TaskField, string>>>();
  const errors: { question: string; message: string }[] = [];
  for (const a of answers) {
    const q = parseTaskQuestion(a.question);
    const text = a.answer?.trim();
    if (!q || !text) continue;
    const t = byN.get(q.n) ?? {};
    t[q.field] = text;
    byN.set(q.n, t);
    if (q.field === 'frequency' && !parseFrequency(text)) {
      errors.push({ question: a.question, message: `must be one of: ${TASK_FREQUENCIES.join(', ')}` });
    }
    if (q.field === 'time_before_ai' && parseMinutes(text) === undefined) {
      errors.push({ question: a.question, message: `must be a duration in minutes (e.g. 90, 90 min or 1.5 hours), at most ${MAX_TASK_MINUTES}` });
    }
  }
  const tasks: SurveyTask[] = [];
  for (const n of [...byN.keys()].sort((x, y) => x - y)) {
    const t = byN.get(n)!;
    if (!t.task_name) continue;
    tasks.push({
      n,
      task_name: t.task_name,
      ...(t.task_description ? { task_description: t.task_description } : {}),
      ...(t.software_used ? { software_used: t.software_used } : {}),
      ...(t.frequency && parseFrequency(t.frequency) ? { frequency: parseFrequency(t.frequency)! } : {}),
      ...(t.time_before_ai && parseMinutes(t.time_before_ai) !== undefined ? { time_before_ai: parseMinutes(t.time_before_ai)! } : {}),
    });
  }
  return { tasks, errors };
}

const NONE_WORDS = new Set(['', '-', 'none', 'no', 'nil', 'nothing', 'n/a', 'na', 'not applicable', 'paper', 'pen and paper', 'pen & paper', 'manual', 'manually', 'no software']);

const isSoftwareQuestion = (q: string) => (/software/i.test(q) || /\btools?\b/i.test(q)) && !/\bai\b/i.test(q);
const isAiUseQuestion = (q: string) => /\bai\b/i.test(q) && /\b(used?|using)\b/i.test(q);
const AFFIRMATIVE = /^(yes|yeah|yep|y|sometimes|occasionally|regularly|often|daily|weekly|a little|a bit|some)\b/i;

/** The distinct tools a respondent names in answers to software questions (first spelling kept). */
export function toolsNamed(answers: Answer[]): string[] {
  const seen = new Map<string, string>();
  for (const a of answers) {
    if (!a.answer || !isSoftwareQuestion(a.question)) continue;
    // "pen and paper" is one (non-)tool: keep it whole before splitting on "and".
    const text = a.answer.replace(/pen\s*(and|&)\s*paper/gi, 'pen and paper');
    for (const part of text.split(/[,;/\n+]|&|\band\b(?! paper)/i)) {
      const name = part.trim().replace(/[.!]+$/, '').trim();
      const key = name.toLowerCase();
      if (NONE_WORDS.has(key) || key === 'pen') continue;
      if (!seen.has(key)) seen.set(key, name);
    }
  }
  return [...seen.values()];
}

/** Whether a respondent says they have used AI: "yes…" to a have-you-used-AI question, or an AI named in answer to which/what AI. */
export function usedAi(answers: Answer[]): boolean {
  for (const a of answers) {
    const text = a.answer?.trim() ?? '';
    if (!text || !isAiUseQuestion(a.question)) continue;
    if (AFFIRMATIVE.test(text)) return true;
    if (/^\s*(which|what)\b/i.test(a.question) && !NONE_WORDS.has(text.toLowerCase().replace(/[.!]+$/, '')) && !/^(no|none|never|not)\b/i.test(text)) {
      return true;
    }
  }
  return false;
}

export type RespondentProfile = { tools: string[]; used_ai: boolean; tool_points: number; ai_point: number; points: number };

/**
 * One respondent's digital-maturity points, 0–3: tool points 0 when they name no software
 * (blank, none, paper, manual), 1 for one or two distinct tools, 2 for three or more; plus
 * 1 AI point when they say they have used AI for a task.
 */
export function respondentProfile(answers: Answer[]): RespondentProfile {
  const tools = toolsNamed(answers);
  const tool_points = tools.length === 0 ? 0 : tools.length <= 2 ? 1 : 2;
  const ai_point = usedAi(answers) ? 1 : 0;
  return { tools, used_ai: ai_point === 1, tool_points, ai_point, points: tool_points + ai_point };
}

export const MATURITY_BANDS = { medium_from: '1.50', high_from: '2.25' } as const;

/**
 * The audit's digital_maturity: the mean of its respondents' points (0–3, see
 * respondentProfile) banded low below 1.50, medium from 1.50 to below 2.25, high from 2.25.
 * Compared exactly in quarters (4 × total against 6 × n and 9 × n), never as a float.
 * Null without respondents: the audit keeps whatever it had.
 */
export function digitalMaturity(points: number[]): { level: 'low' | 'medium' | 'high'; mean: string; respondents: number } | null {
  const n = points.length;
  if (n === 0) return null;
  const total = points.reduce((s, p) => s + p, 0);
  const level = 4 * total < 6 * n ? 'low' : 4 * total < 9 * n ? 'medium' : 'high';
  const hundredths = Math.round((total * 100) / n);
  return { level, mean: `${Math.floor(hundredths / 100)}.${String(hundredths % 100).padStart(2, '0')}`, respondents: n };
}

/** `Excel (3), Procore (2), Xero (1) — from 4 survey responses`: tools by how many respondents name them. */
export function toolsSummary(profiles: RespondentProfile[]): string | null {
  const count = new Map<string, { name: string; n: number }>();
  for (const p of profiles) {
    for (const t of p.tools) {
      const k = t.toLowerCase();
      const c = count.get(k) ?? { name: t, n: 0 };
      c.n++;
      count.set(k, c);
    }
  }
  if (count.size === 0) return null;
  const sorted = [...count.values()].sort((a, b) => b.n - a.n || a.name.localeCompare(b.name));
  const shown = sorted.slice(0, 25).map((c) => `${c.name} (${c.n})`);
  const more = sorted.length > 25 ? `, and ${sorted.length - 25} more` : '';
  const of = profiles.length === 1 ? '1 survey response' : `${profiles.length} survey responses`;
  return `${shown.join(', ')}${more} — from ${of}`;
}

// ---------------------------------------------------------------------------
// The audit's derived values

type AuditRow = typeof audits.$inferSelect;

export type Derivation = {
  surveys_sent: number;
  surveys_completed: number;
  team_size: { value: number | null; rule: string; org_chart: number; respondents: number };
  digital_maturity: { level: 'low' | 'medium' | 'high' | null; mean: string | null; respondents: number; bands: typeof MATURITY_BANDS };
  respondents: Array<{ contact_id: string; tools: string[]; used_ai: boolean; points: number }>;
  current_tools_summary: string | null;
};

/**
 * The rules, stated once:
 * - surveys_sent / surveys_completed: distinct contacts with an unarchived `audit` survey
 *   row of this audit marked sent (or completed) / completed.
 * - team_size: the people on the org chart (the company's unarchived, active contacts); with
 *   no org chart yet, the number of respondents; with neither, left as it is.
 * - digital_maturity: see digitalMaturity(); current_tools_summary: see toolsSummary().
 */
async function deriveAudit(ctx: Ctx, audit: AuditRow, excludeResponseId?: string): Promise<Derivation> {
  const exclude = excludeResponseId ? sql`and id <> ${excludeResponseId}::uuid` : sql``;
  const counters = (await ctx.db.execute(sql`
    select count(distinct contact_id) filter (where survey_sent or survey_completed)::int as sent,
           count(distinct contact_id) filter (where survey_completed)::int as completed
    from survey_responses
    where audit_id = ${audit.id}::uuid and survey_type = 'audit' and archived_at is null ${exclude}`)) as unknown as { rows: { sent: number; completed: number }[] };
  const chart = (await ctx.db.execute(sql`
    select count(*)::int as n from contacts
    where company_id = ${audit.company_id}::uuid and archived_at is null and is_active`)) as unknown as { rows: { n: number }[] };
  const answers = (await ctx.db.execute(sql`
    select contact_id, question, answer from survey_responses
    where audit_id = ${audit.id}::uuid and survey_type = 'audit' and archived_at is null and survey_completed ${exclude}
    order by contact_id, question`)) as unknown as { rows: { contact_id: string; question: string; answer: string | null }[] };
  const byContact = new Map<string, Answer[]>();
  for (const r of answers.rows) {
    const list = byContact.get(r.contact_id) ?? [];
    list.push({ question: r.question, answer: r.answer });
    byContact.set(r.contact_id, list);
  }
  const respondents = [...byContact.entries()].map(([contact_id, a]) => ({ contact_id, profile: respondentProfile(a) }));
  const maturity = digitalMaturity(respondents.map((r) => r.profile.points));
  const orgChart = chart.rows[0]?.n ?? 0;
  const completed = counters.rows[0]?.completed ?? 0;
  const teamSize = orgChart > 0 ? orgChart : respondents.length > 0 ? respondents.length : null;
  return {
    surveys_sent: counters.rows[0]?.sent ?? 0,
    surveys_completed: completed,
    team_size: {
      value: teamSize,
      rule: orgChart > 0 ? 'people on the org chart' : respondents.length > 0 ? 'respondents (no org chart yet)' : 'unchanged (no org chart and no respondents)',
      org_chart: orgChart,
      respondents: respondents.length,
    },
    digital_maturity: { level: maturity?.level ?? null, mean: maturity?.mean ?? null, respondents: respondents.length, bands: MATURITY_BANDS },
    respondents: respondents.map((r) => ({ contact_id: r.contact_id, tools: r.profile.tools, used_ai: r.profile.used_ai, points: r.profile.points })),
    current_tools_summary: toolsSummary(respondents.map((r) => r.profile)),
  };
}

export type Refreshed = { audit: Row; derivation: Derivation };

/**
 * Brings the audit's counters and derived values in line with its responses and org chart
 * (plus any `extra` changes), writing only what differs, with an audit-log row. Written
 * directly rather than through applyUpdate: it also runs from survey_responses' afterWrite,
 * for callers who may see a response but not its audit.
 */
export async function refreshAudit(ctx: Ctx, auditId: string, operation: string, opts: { extra?: Row; excludeResponseId?: string } = {}): Promise<Refreshed | undefined> {
  const [audit] = await ctx.db.select().from(audits).where(eq(audits.id, auditId)).for('update');
  if (!audit) return undefined;
  const d = await deriveAudit(ctx, audit, opts.excludeResponseId);
  const next: Row = {
    surveys_sent: d.surveys_sent,
    surveys_completed: d.surveys_completed,
    ...(d.team_size.value !== null ? { team_size: d.team_size.value } : {}),
    ...(d.digital_maturity.level ? { digital_maturity: d.digital_maturity.level } : {}),
    ...(d.current_tools_summary ? { current_tools_summary: d.current_tools_summary } : {}),
    ...opts.extra,
  };
  const changes = Object.fromEntries(Object.entries(next).filter(([k, v]) => !sameValue((audit as Row)[k], v)));
  if (Object.keys(changes).length === 0) return { audit: audit as Row, derivation: d };
  const [row] = (await ctx.db
    .update(audits)
    .set({ ...changes, updated_at: ctx.now(), version: sql`${audits.version} + 1` } as never)
    .where(eq(audits.id, auditId))
    .returning()) as Row[];
  const delta = diff(audit as Row, row!);
  await writeAudit(ctx, { action: 'update', table: 'audits', recordId: auditId, before: delta.before, after: delta.after, operation });
  return { audit: row!, derivation: d };
}

/**
 * Verbs that write many survey rows collect the audits to refresh here and refresh each
 * once at the end, instead of once per row from the afterWrite hook.
 */
const pendingRefresh = new WeakMap<Ctx, Set<string>>();

async function refreshingOnce<T>(tx: Ctx, operation: string, fn: () => Promise<T>): Promise<T> {
  if (pendingRefresh.has(tx)) return fn();
  const pending = new Set<string>();
  pendingRefresh.set(tx, pending);
  let result: T;
  try {
    result = await fn();
  } finally {
    pendingRefresh.delete(tx);
  }
  for (const id of pending) await refreshAudit(tx, id, operation);
  return result;
}

const auditIdsOf = (...rows: (Row | undefined)[]) =>
  [...new Set(rows.filter((r): r is Row => !!r && r.survey_type === 'audit' && typeof r.audit_id === 'string').map((r) => r.audit_id as string))];

/** survey_responses' afterWrite: whatever path changed a response, its audit's counters follow. */
export async function surveyResponseWritten(ctx: Ctx, row: Row, before: Row | undefined): Promise<void> {
  const ids = auditIdsOf(row, before);
  const pending = pendingRefresh.get(ctx);
  for (const id of ids) {
    if (pending) pending.add(id);
    else await refreshAudit(ctx, id, 'survey_responses.counters');
  }
}

/** survey_responses' beforeRemove: a hard delete runs no afterWrite, so count without the row now. */
export async function surveyResponseRemoved(ctx: Ctx, row: Row, how: 'archive' | 'delete'): Promise<void> {
  if (how !== 'delete') return; // archiving runs afterWrite
  for (const id of auditIdsOf(row)) await refreshAudit(ctx, id, 'survey_responses.counters', { excludeResponseId: row.id as string });
}

// ---------------------------------------------------------------------------
// Shared checks

const conflict = (message: string, details: Record<string, unknown> = {}) => new AppError('CONFLICT', message, { details });

/**
 * The audit that is still open for a company: unarchived, and no (unarchived) go or no_go
 * decision made on it yet (a `conditional` decision leaves it open).
 */
export async function openAudit(ctx: Ctx, companyId: string): Promise<Row | undefined> {
  const r = (await ctx.db.execute(sql`
    select a.id, a.audit_date::text as audit_date from audits a
    where a.company_id = ${companyId}::uuid and a.archived_at is null
      and not exists (select 1 from go_no_go_decisions g where g.audit_id = a.id and g.archived_at is null and g.decision in ('go', 'no_go'))
    order by a.created_at desc, a.id desc limit 1`)) as unknown as { rows: Row[] };
  return r.rows[0];
}

async function orgChartSize(ctx: Ctx, companyId: string): Promise<number> {
  const r = (await ctx.db.execute(sql`
    select count(*)::int as n from contacts where company_id = ${companyId}::uuid and archived_at is null and is_active`)) as unknown as { rows: { n: number }[] };
  return r.rows[0]?.n ?? 0;
}

async function auditForWrite(ctx: Ctx, id: string): Promise<Row> {
  const audit = await fetchRow(ctx, auditsRes(), id, true);
  if (!audit) throw notFound('audit', id);
  if (audit.archived_at) throw conflict(`audit ${id} is archived; restore it first`, { fields: [{ field: 'id', message: 'names an archived audit' }] });
  return audit;
}

function assertNotFuture(ctx: Ctx, field: string, date: string | undefined, errors: FieldError[]) {
  if (date && date > localDate(ctx)) errors.push({ field, message: `is in the future (today is ${localDate(ctx)})` });
}

function throwIfAny(errors: FieldError[], what: string) {
  if (errors.length) throw invalid(errors.slice(0, 100), `${errors.length} field error${errors.length === 1 ? '' : 's'} in the ${what}; nothing was written: ${errors.slice(0, 5).map((f) => `${f.field}: ${f.message}`).join('; ')}`);
}

/** The contacts of this company named by the ids; anything else is the same error, so nothing leaks. */
async function companyContacts(ctx: Ctx, companyId: string, ids: string[], field: (i: number) => string, errors: FieldError[]): Promise<Map<string, Row>> {
  const rows = ids.length
    ? ((await ctx.db.select().from(contacts).where(and(inArray(contacts.id, ids), eq(contacts.company_id, companyId)))) as Row[])
    : [];
  const byId = new Map(rows.map((r) => [r.id as string, r]));
  ids.forEach((id, i) => {
    const c = byId.get(id);
    if (!c) errors.push({ field: field(i), message: "is not a contact of this audit's company" });
    else if (c.archived_at) errors.push({ field: field(i), message: 'names an archived contact; restore it first' });
  });
  return byId;
}

type ResponseRow = typeof survey_responses.$inferSelect;

async function responseRows(ctx: Ctx, contactIds: string[], type: SurveyType): Promise<Map<string, ResponseRow[]>> {
  const out = new Map<string, ResponseRow[]>();
  if (contactIds.length === 0) return out;
  const rows = await ctx.db
    .select()
    .from(survey_responses)
    .where(and(inArray(survey_responses.contact_id, contactIds), eq(survey_responses.survey_type, type), isNull(survey_responses.archived_at)))
    .orderBy(survey_responses.created_at, survey_responses.id);
  for (const r of rows) {
    const list = out.get(r.contact_id) ?? [];
    list.push(r);
    out.set(r.contact_id, list);
  }
  return out;
}

/**
 * The unique key (contact, survey type, question) allows one survey of a type per person:
 * an audit survey row already tied to another audit cannot be reused by this one.
 */
function otherAudit(rows: ResponseRow[], type: SurveyType, auditId: string): string | undefined {
  if (type !== 'audit') return undefined;
  return rows.find((r) => r.audit_id && r.audit_id !== auditId)?.audit_id ?? undefined;
}

const minDate = (dates: (string | null | undefined)[]) => dates.filter((d): d is string => !!d).sort()[0];

// ---------------------------------------------------------------------------
// Step 5: start the audit

export type StartAuditInput = { id: string; audit_date?: string | undefined; org_chart_received?: boolean | undefined; notes?: string | undefined };

const START = 'assessment.start_audit';

/**
 * Creates the company's audit and moves the company meeting_complete → auditing, in one
 * transaction. Refuses a company that is not at meeting_complete or that has an open audit.
 */
export async function startAudit(ctx: Ctx, input: StartAuditInput) {
  const errors: FieldError[] = [];
  assertNotFuture(ctx, 'audit_date', input.audit_date, errors);
  throwIfAny(errors, 'audit');
  return withTx(ctx, async (tx) => {
    // Locked first, so two starts for one company cannot both pass the checks.
    const company = await fetchRow(tx, companiesRes(), input.id, true);
    if (!company || company.archived_at) throw notFound('company', input.id);
    if (company.status !== 'meeting_complete') {
      throw conflict(`status: ${String(company.name)} is at ${String(company.status)}; an audit starts once the first meeting is complete (meeting_complete)`, {
        fields: [{ field: 'status', message: `is ${String(company.status)}, not meeting_complete` }],
        company_status: company.status,
        required: 'meeting_complete',
      });
    }
    const open = await openAudit(tx, company.id as string);
    if (open) {
      throw conflict(`${String(company.name)} already has an open audit (${String(open.id)}, started ${String(open.audit_date ?? 'undated')}); decide go or no-go on it, or archive it, first`, {
        open_audit_id: open.id,
      });
    }
    const chart = await orgChartSize(tx, company.id as string);
    const audit = await insertRecord(tx, auditsRes(), {
      company_id: company.id,
      audit_date: input.audit_date ?? localDate(tx),
      org_chart_received: input.org_chart_received ?? false,
      // team_size follows the rule of refreshAudit from the start: the org chart, if there is one yet.
      ...(chart > 0 ? { team_size: chart } : {}),
      ...(input.notes !== undefined ? { notes: input.notes } : {}),
    }, START);
    await applyUpdate(tx, companiesRes(), company.id as string, { status: 'auditing' }, { operation: START });
    return { audit, company_status_change: { from: 'meeting_complete', to: 'auditing' } };
  });
}

// ---------------------------------------------------------------------------
// Step 5: the org chart

export type ImportOrgChartInput = { id: string; people: Record<string, unknown>[] };
export const MAX_ORG_CHART = 2000;

const IMPORT = 'assessment.import_org_chart';
const lower = (v: unknown) => (typeof v === 'string' ? v.trim().toLowerCase() : '');

type Planned = { index: number; values: Row; match?: Row };

/**
 * Imports the owner's org chart as the company's contacts in one transaction. Each person
 * is matched within the company by email (case-insensitive), else by name
 * (case-insensitive); a match is updated with the fields given (a blank email never erases
 * a known one; a name or email differing only in case is kept as stored), anything else is created. A person without an email gets has_email false.
 * Any field error (`people[3].email`) refuses the whole list.
 */
export async function importOrgChart(ctx: Ctx, input: ImportOrgChartInput) {
  if (input.people.length === 0) throw invalid([{ field: 'people', message: 'must list at least one person' }]);
  if (input.people.length > MAX_ORG_CHART) throw new AppError('LIMIT_EXCEEDED', `at most ${MAX_ORG_CHART} people per org chart; split the list`);
  const errors: FieldError[] = [];
  const planned: Planned[] = [];
  input.people.forEach((raw, i) => {
    const p: Row = { ...raw };
    const at = `people[${i}]`;
    for (const alias of ['role', 'title'] as const) {
      if (alias in p) {
        if ('role_title' in p) errors.push({ field: `${at}.${alias}`, message: 'give role_title or role, not both' });
        else p.role_title = p[alias];
        delete p[alias];
      }
    }
    if ('company_id' in p) {
      errors.push({ field: `${at}.company_id`, message: 'is this company; leave it out' });
      delete p.company_id;
    }
    if (p.email === null || (typeof p.email === 'string' && p.email.trim() === '')) delete p.email;
    try {
      planned.push({ index: i, values: validateCreate(contactsRes(), p) });
    } catch (e) {
      if (!(e instanceof AppError) || !e.details.fields) throw e;
      for (const f of e.details.fields) errors.push({ field: `${at}.${f.field === 'body' ? 'person' : f.field}`, message: f.message });
    }
  });
  // The same person twice in one list is a mistake in the list, not two people.
  const seenEmail = new Map<string, number>();
  const seenName = new Map<string, number>();
  for (const p of planned) {
    const email = lower(p.values.email);
    const name = lower(p.values.name);
    if (email) {
      const first = seenEmail.get(email);
      if (first !== undefined) errors.push({ field: `people[${p.index}].email`, message: `is also people[${first}].email` });
      else seenEmail.set(email, p.index);
    }
    const first = seenName.get(name);
    if (first !== undefined && !email) {
      errors.push({ field: `people[${p.index}].name`, message: `is also people[${first}].name; give an email to tell them apart` });
    }
    if (first === undefined) seenName.set(name, p.index);
  }
  throwIfAny(errors, 'org chart');

  return withTx(ctx, async (tx) => {
    const company = await fetchRow(tx, companiesRes(), input.id, true);
    if (!company || company.archived_at) throw notFound('company', input.id);
    const existing = (await tx.db
      .select()
      .from(contacts)
      .where(and(eq(contacts.company_id, company.id as string), isNull(contacts.archived_at)))) as Row[];
    const byEmail = new Map<string, Row>();
    const byName = new Map<string, Row[]>();
    for (const c of existing) {
      if (lower(c.email)) byEmail.set(lower(c.email), c);
      byName.set(lower(c.name), [...(byName.get(lower(c.name)) ?? []), c]);
    }
    const claimed = new Map<string, number>();
    for (const p of planned) {
      let match = lower(p.values.email) ? byEmail.get(lower(p.values.email)) : undefined;
      if (!match) {
        const named = byName.get(lower(p.values.name)) ?? [];
        if (named.length > 1) {
          errors.push({ field: `people[${p.index}].name`, message: `matches ${named.length} contacts of this company; give their email` });
          continue;
        }
        match = named[0];
      }
      if (!match) continue;
      const other = claimed.get(match.id as string);
      if (other !== undefined) {
        errors.push({ field: `people[${p.index}]`, message: `is the same contact as people[${other}] (${String(match.name)})` });
        continue;
      }
      claimed.set(match.id as string, p.index);
      p.match = match;
    }
    throwIfAny(errors, 'org chart');

    const people: { index: number; id: string; name: string; action: 'created' | 'updated' | 'unchanged' }[] = [];
    for (const p of planned) {
      if (!p.match) {
        const created = await insertRecord(tx, contactsRes(), { ...p.values, has_email: p.values.has_email ?? Boolean(p.values.email), company_id: company.id }, IMPORT);
        people.push({ index: p.index, id: created.id as string, name: created.name as string, action: 'created' });
        continue;
      }
      const current = p.match;
      const changes: Row = {};
      for (const [k, v] of Object.entries(p.values)) {
        // Matching ignores case, so a name or email that differs only in case is the same one: the stored spelling stays.
        if ((k === 'email' || k === 'name') && lower(v) === lower(current[k])) continue;
        if (!sameValue(current[k], v)) changes[k] = v;
      }
      // The org chart says this person has no email, and we know of none either.
      if (!p.values.email && !lower(current.email) && p.values.has_email === undefined && current.has_email !== false) changes.has_email = false;
      if (Object.keys(changes).length === 0) {
        people.push({ index: p.index, id: current.id as string, name: current.name as string, action: 'unchanged' });
        continue;
      }
      const updated = await applyUpdate(tx, contactsRes(), current.id as string, changes, { operation: IMPORT });
      people.push({ index: p.index, id: updated.id as string, name: updated.name as string, action: 'updated' });
    }
    const open = await openAudit(tx, company.id as string);
    const refreshed = open ? await refreshAudit(tx, open.id as string, IMPORT, { extra: { org_chart_received: true } }) : undefined;
    const ids = (a: string) => people.filter((p) => p.action === a).map((p) => p.id);
    return {
      company_id: company.id as string,
      created: ids('created').length,
      updated: ids('updated').length,
      unchanged: ids('unchanged').length,
      ids: { created: ids('created'), updated: ids('updated'), unchanged: ids('unchanged') },
      people,
      audit: refreshed?.audit ?? null,
    };
  });
}

// ---------------------------------------------------------------------------
// Step 5 and 15: surveys sent and completed

export type SurveysSentInput = {
  id: string;
  survey_type?: SurveyType | undefined;
  sent_date?: string | undefined;
  contact_ids: string[];
  questions?: string[] | undefined;
};

const SENT = 'assessment.record_surveys_sent';

/**
 * Records that the survey link went to these people: one row per person and question
 * (the survey's default questions unless `questions` are given), marked sent. Sending
 * again is harmless: a person already sent keeps the first sent date. The audit's
 * counters follow.
 */
export async function recordSurveysSent(ctx: Ctx, input: SurveysSentInput) {
  const type: SurveyType = input.survey_type ?? 'audit';
  const errors: FieldError[] = [];
  assertNotFuture(ctx, 'sent_date', input.sent_date, errors);
  const questions = (input.questions ?? DEFAULT_QUESTIONS[type]).map((q) => q.trim());
  const seenQ = new Map<string, number>();
  questions.forEach((q, i) => {
    if (!q) errors.push({ field: `questions[${i}]`, message: 'is blank' });
    const first = seenQ.get(q.toLowerCase());
    if (first !== undefined) errors.push({ field: `questions[${i}]`, message: `repeats questions[${first}]` });
    else seenQ.set(q.toLowerCase(), i);
  });
  const seen = new Map<string, number>();
  input.contact_ids.forEach((id, i) => {
    const first = seen.get(id);
    if (first !== undefined) errors.push({ field: `contact_ids[${i}]`, message: `repeats contact_ids[${first}]` });
    else seen.set(id, i);
  });
  throwIfAny(errors, 'request');
  return withTx(ctx, async (tx) => {
    const audit = await auditForWrite(tx, input.id);
    const people = await refreshingOnce(tx, SENT, async () => {
      const found = await companyContacts(tx, audit.company_id as string, input.contact_ids, (i) => `contact_ids[${i}]`, errors);
      const rowsOf = await responseRows(tx, input.contact_ids, type);
      input.contact_ids.forEach((id, i) => {
        const other = otherAudit(rowsOf.get(id) ?? [], type, audit.id as string);
        if (other) errors.push({ field: `contact_ids[${i}]`, message: `already has audit survey rows of audit ${other}; one audit survey per person is kept` });
      });
      throwIfAny(errors, 'request');
      const date = input.sent_date ?? localDate(tx);
      const out: { contact_id: string; name: string; status: 'sent' | 'already_sent'; sent_date: string }[] = [];
      for (const contactId of input.contact_ids) {
        const rows = rowsOf.get(contactId) ?? [];
        const already = rows.some((r) => r.survey_sent || r.survey_completed);
        const sentDate = minDate(rows.map((r) => r.survey_sent_date)) ?? date;
        const byQ = new Map(rows.map((r) => [r.question.trim().toLowerCase(), r]));
        for (const q of questions) {
          if (byQ.has(q.toLowerCase())) continue;
          await insertRecord(tx, responsesRes(), {
            contact_id: contactId,
            company_id: audit.company_id,
            audit_id: audit.id,
            survey_type: type,
            question: q,
            survey_sent: true,
            survey_sent_date: sentDate,
            ...(rows.some((r) => r.survey_completed) ? { survey_completed: true, survey_completed_date: minDate(rows.map((r) => r.survey_completed_date)) ?? null } : {}),
          }, SENT);
        }
        for (const r of rows) {
          const changes: Row = {};
          if (!r.survey_sent) changes.survey_sent = true;
          if (r.survey_sent_date !== sentDate) changes.survey_sent_date = sentDate;
          if (!r.audit_id) changes.audit_id = audit.id;
          if (Object.keys(changes).length) await applyUpdate(tx, responsesRes(), r.id, changes, { operation: SENT });
        }
        out.push({ contact_id: contactId, name: found.get(contactId)!.name as string, status: already ? 'already_sent' : 'sent', sent_date: sentDate });
      }
      return out;
    });
    const refreshed = await refreshAudit(tx, audit.id as string, SENT);
    return {
      audit: refreshed!.audit,
      survey_type: type,
      sent: people.filter((p) => p.status === 'sent').length,
      already_sent: people.filter((p) => p.status === 'already_sent').length,
      contacts: people,
    };
  });
}

export type TaskInput = {
  task_name: string;
  task_description?: string | undefined;
  software_used?: string | undefined;
  frequency?: TaskFrequency | undefined;
  time_before_ai?: number | undefined;
};

export type CompletedResponse = {
  contact_id: string;
  completed_date?: string | undefined;
  answers?: { question: string; answer: string | null }[] | undefined;
  tasks?: TaskInput[] | undefined;
};

export type SurveysCompletedInput = { id: string; survey_type?: SurveyType | undefined; responses: CompletedResponse[] };

const COMPLETED = 'assessment.record_surveys_completed';

/** A task given as fields becomes the `Task N: …` answers it is stored as. */
export function taskAnswers(tasks: TaskInput[]): Answer[] {
  return tasks.flatMap((t, i) => {
    const n = i + 1;
    const out: Answer[] = [{ question: taskQuestion(n, 'task_name'), answer: t.task_name }];
    if (t.task_description !== undefined) out.push({ question: taskQuestion(n, 'task_description'), answer: t.task_description });
    if (t.software_used !== undefined) out.push({ question: taskQuestion(n, 'software_used'), answer: t.software_used });
    if (t.frequency !== undefined) out.push({ question: taskQuestion(n, 'frequency'), answer: t.frequency });
    if (t.time_before_ai !== undefined) out.push({ question: taskQuestion(n, 'time_before_ai'), answer: String(t.time_before_ai) });
    return out;
  });
}

/**
 * Records completed surveys with their answers: each answer fills (or adds) the person's
 * row for that question; every row of their survey is marked completed (and sent, if the
 * link was never recorded as sent: it reached them). Tasks come as `tasks` or as
 * `Task N: …` answers. Completing again replaces the answers given and clears task answers
 * no longer given. The audit's counters and derived values follow.
 */
export async function recordSurveysCompleted(ctx: Ctx, input: SurveysCompletedInput) {
  const type: SurveyType = input.survey_type ?? 'audit';
  const errors: FieldError[] = [];
  const seen = new Map<string, number>();
  const plans = input.responses.map((r, i) => {
    const at = `responses[${i}]`;
    const first = seen.get(r.contact_id);
    if (first !== undefined) errors.push({ field: `${at}.contact_id`, message: `repeats responses[${first}].contact_id` });
    else seen.set(r.contact_id, i);
    assertNotFuture(ctx, `${at}.completed_date`, r.completed_date, errors);
    const given = (r.answers ?? []).map((a) => ({ question: a.question.trim(), answer: a.answer === null ? null : a.answer.trim() || null }));
    const qSeen = new Map<string, number>();
    given.forEach((a, k) => {
      if (!a.question) errors.push({ field: `${at}.answers[${k}].question`, message: 'is blank' });
      const f = qSeen.get(a.question.toLowerCase());
      if (f !== undefined) errors.push({ field: `${at}.answers[${k}].question`, message: `repeats answers[${f}].question` });
      else qSeen.set(a.question.toLowerCase(), k);
    });
    if (r.tasks?.length && given.some((a) => parseTaskQuestion(a.question))) {
      errors.push({ field: `${at}.tasks`, message: 'give tasks either as tasks or as "Task N: …" answers, not both' });
    }
    const { errors: bad } = tasksFromAnswers(given);
    for (const b of bad) {
      const k = given.findIndex((a) => a.question === b.question);
      errors.push({ field: `${at}.answers[${k}].answer`, message: b.message });
    }
    const answers = [...given, ...taskAnswers(r.tasks ?? [])];
    if (answers.length === 0) errors.push({ field: `${at}.answers`, message: 'give at least one answer or task' });
    return { contact_id: r.contact_id, completed_date: r.completed_date, answers, at };
  });
  throwIfAny(errors, 'responses');
  return withTx(ctx, async (tx) => {
    const audit = await auditForWrite(tx, input.id);
    const ids = plans.map((p) => p.contact_id);
    const people = await refreshingOnce(tx, COMPLETED, async () => {
      const found = await companyContacts(tx, audit.company_id as string, ids, (i) => `responses[${i}].contact_id`, errors);
      const rowsOf = await responseRows(tx, ids, type);
      const today = localDate(tx);
      plans.forEach((p, i) => {
        const rows = rowsOf.get(p.contact_id) ?? [];
        const other = otherAudit(rows, type, audit.id as string);
        if (other) errors.push({ field: `responses[${i}].contact_id`, message: `already has audit survey rows of audit ${other}; one audit survey per person is kept` });
        const sentDate = minDate(rows.map((r) => r.survey_sent_date));
        const done = p.completed_date ?? today;
        if (sentDate && done < sentDate) errors.push({ field: `responses[${i}].completed_date`, message: `is before the survey was sent (${sentDate})` });
      });
      throwIfAny(errors, 'responses');
      const out: { contact_id: string; name: string; status: 'completed' | 'updated'; completed_date: string; answers: number; tasks: number }[] = [];
      for (const p of plans) {
        const rows = rowsOf.get(p.contact_id) ?? [];
        const wasCompleted = rows.some((r) => r.survey_completed);
        const completedDate = p.completed_date ?? today;
        const sentDate = minDate(rows.map((r) => r.survey_sent_date)) ?? completedDate;
        const byQ = new Map(rows.map((r) => [r.question.trim().toLowerCase(), r]));
        const answered = new Set<string>();
        for (const a of p.answers) {
          const key = a.question.toLowerCase();
          answered.add(key);
          const row = byQ.get(key);
          const state = { survey_sent: true, survey_sent_date: sentDate, survey_completed: true, survey_completed_date: completedDate };
          if (!row) {
            await insertRecord(tx, responsesRes(), {
              contact_id: p.contact_id,
              company_id: audit.company_id,
              audit_id: audit.id,
              survey_type: type,
              question: a.question,
              answer: a.answer,
              ...state,
            }, COMPLETED);
            continue;
          }
          await updateResponse(tx, row, { ...state, answer: a.answer, ...(row.audit_id ? {} : { audit_id: audit.id }) });
        }
        for (const row of rows) {
          const key = row.question.trim().toLowerCase();
          if (answered.has(key)) continue;
          // A task no longer given is no longer this person's answer.
          const stale = parseTaskQuestion(row.question) ? { answer: null } : {};
          await updateResponse(tx, row, {
            survey_sent: true,
            survey_sent_date: sentDate,
            survey_completed: true,
            survey_completed_date: completedDate,
            ...stale,
            ...(row.audit_id ? {} : { audit_id: audit.id }),
          });
        }
        out.push({
          contact_id: p.contact_id,
          name: found.get(p.contact_id)!.name as string,
          status: wasCompleted ? 'updated' : 'completed',
          completed_date: completedDate,
          answers: p.answers.length,
          tasks: tasksFromAnswers(p.answers).tasks.length,
        });
      }
      return out;
    });
    const refreshed = await refreshAudit(tx, audit.id as string, COMPLETED);
    return {
      audit: refreshed!.audit,
      survey_type: type,
      completed: people.filter((p) => p.status === 'completed').length,
      updated: people.filter((p) => p.status === 'updated').length,
      contacts: people,
    };
  });
}

async function updateResponse(tx: Ctx, row: ResponseRow, wanted: Row) {
  const changes = Object.fromEntries(Object.entries(wanted).filter(([k, v]) => !sameValue((row as Row)[k], v)));
  if (Object.keys(changes).length) await applyUpdate(tx, responsesRes(), row.id, changes, { operation: COMPLETED });
}

// ---------------------------------------------------------------------------
// Step 5: who is outstanding

export type OutstandingInput = { id: string; survey_type?: SurveyType | undefined };

type Person = { contact_id: string; name: string; role_title: string | null; department: string | null; email: string | null; has_email: boolean };

/**
 * Against the org chart (the company's unarchived, active contacts), each person is in
 * exactly one group: completed; awaiting (sent, not completed); not_sent (has an email on
 * file, never sent the link); no_email (no email on file and never sent the link — they
 * need the link another way). Outstanding = no_email + not_sent + awaiting.
 */
export async function auditOutstanding(ctx: Ctx, input: OutstandingInput) {
  const type: SurveyType = input.survey_type ?? 'audit';
  const audit = await getRecord(ctx, auditsRes(), input.id);
  const scope = type === 'audit' ? sql`and sr.audit_id = ${audit.id as string}::uuid` : sql``;
  const r = (await ctx.db.execute(sql`
    select c.id as contact_id, c.name, c.role_title, c.department, c.email, c.has_email,
           coalesce(bool_or(sr.survey_sent or sr.survey_completed), false) as sent,
           coalesce(bool_or(sr.survey_completed), false) as completed,
           min(sr.survey_sent_date)::text as sent_date,
           max(sr.survey_completed_date)::text as completed_date
    from contacts c
    left join survey_responses sr on sr.contact_id = c.id and sr.survey_type = ${type} and sr.archived_at is null ${scope}
    where c.company_id = ${audit.company_id as string}::uuid and c.archived_at is null and c.is_active
    group by c.id
    order by lower(c.name), c.id`)) as unknown as {
    rows: (Person & { sent: boolean; completed: boolean; sent_date: string | null; completed_date: string | null })[];
  };
  const person = (x: (typeof r.rows)[number]): Person => ({
    contact_id: x.contact_id,
    name: x.name,
    role_title: x.role_title,
    department: x.department,
    email: x.email,
    has_email: x.has_email,
  });
  const noEmail = r.rows.filter((x) => !x.sent && !x.completed && !(x.email ?? '').trim());
  const notSent = r.rows.filter((x) => !x.sent && !x.completed && (x.email ?? '').trim());
  const awaiting = r.rows.filter((x) => x.sent && !x.completed);
  const completed = r.rows.filter((x) => x.completed);
  return {
    audit_id: audit.id as string,
    company_id: audit.company_id as string,
    survey_type: type,
    counts: {
      org_chart: r.rows.length,
      completed: completed.length,
      awaiting: awaiting.length,
      not_sent: notSent.length,
      no_email: noEmail.length,
      outstanding: noEmail.length + notSent.length + awaiting.length,
    },
    no_email: noEmail.map(person),
    not_sent: notSent.map(person),
    awaiting: awaiting.map((x) => ({ ...person(x), sent_date: x.sent_date })),
    completed: completed.map((x) => ({ ...person(x), completed_date: x.completed_date })),
  };
}

// ---------------------------------------------------------------------------
// Step 6: the baseline

const TASKS = 'assessment.create_tasks_from_survey';

type TaskResult = { n: number; task_name: string; id: string; status: 'created' | 'existing' };

/** Creates the contact_tasks a person's completed survey names; a task already made from it (or of the same name) is left alone. */
async function tasksForSurvey(tx: Ctx, contactId: string, type: SurveyType, operation: string): Promise<TaskResult[]> {
  const rows = (await responseRows(tx, [contactId], type)).get(contactId) ?? [];
  const { tasks, errors } = tasksFromAnswers(rows);
  if (errors.length) {
    throw invalid(errors.map((e) => ({ field: e.question, message: e.message })), `the survey's task answers cannot be read: ${errors.map((e) => `${e.question}: ${e.message}`).join('; ')}`);
  }
  if (tasks.length === 0) return [];
  const nameRow = new Map<number, ResponseRow>();
  for (const r of rows) {
    const q = parseTaskQuestion(r.question);
    if (q?.field === 'task_name' && r.answer?.trim()) nameRow.set(q.n, r);
  }
  const rowIds = [...nameRow.values()].map((r) => r.id);
  const names = tasks.map((t) => t.task_name.toLowerCase());
  // Archived tasks count too: a task the consultant removed is not made again.
  const existing = (await tx.db
    .select({ id: contact_tasks.id, task_name: contact_tasks.task_name, survey_response_id: contact_tasks.survey_response_id, archived_at: contact_tasks.archived_at })
    .from(contact_tasks)
    .where(
      and(
        eq(contact_tasks.contact_id, contactId),
        sql`(${inArray(contact_tasks.survey_response_id, rowIds)} or (${contact_tasks.archived_at} is null and lower(${contact_tasks.task_name}) in (${sql.join(names.map((n) => sql`${n}`), sql`, `)})))`,
      ),
    )) as { id: string; task_name: string; survey_response_id: string | null; archived_at: Date | null }[];
  const companyId = rows[0]!.company_id;
  const out: TaskResult[] = [];
  for (const t of tasks) {
    const source = nameRow.get(t.n)!;
    const linked = existing.find((e) => e.survey_response_id === source.id);
    const sameName = existing.find((e) => !e.archived_at && e.task_name.toLowerCase() === t.task_name.toLowerCase());
    const found = linked ?? sameName;
    if (found) {
      if (!linked && !found.survey_response_id) {
        await applyUpdate(tx, tasksRes(), found.id, { survey_response_id: source.id }, { operation });
        found.survey_response_id = source.id;
      }
      out.push({ n: t.n, task_name: found.task_name, id: found.id, status: 'existing' });
      continue;
    }
    const created = await insertRecord(tx, tasksRes(), {
      contact_id: contactId,
      company_id: companyId,
      survey_response_id: source.id,
      task_name: t.task_name,
      ...(t.task_description !== undefined ? { task_description: t.task_description } : {}),
      ...(t.software_used !== undefined ? { software_used: t.software_used } : {}),
      ...(t.frequency !== undefined ? { frequency: t.frequency } : {}),
      ...(t.time_before_ai !== undefined ? { time_before_ai: t.time_before_ai } : {}),
    }, operation);
    existing.push({ id: created.id as string, task_name: t.task_name, survey_response_id: source.id, archived_at: null });
    out.push({ n: t.n, task_name: t.task_name, id: created.id as string, status: 'created' });
  }
  return out;
}

/**
 * Step 6: the contact_tasks (task name, software used, frequency, time before AI in minutes)
 * a completed survey names in its `Task N: …` answers. Running it again creates nothing new.
 */
export async function createTasksFromResponse(ctx: Ctx, input: { id: string }) {
  return withTx(ctx, async (tx) => {
    const row = await fetchRow(tx, responsesRes(), input.id);
    if (!row || row.archived_at) throw notFound('survey response', input.id);
    if (!row.survey_completed) {
      throw conflict(`survey response ${input.id} is not completed; record the completed survey first`, {
        fields: [{ field: 'survey_completed', message: 'is false' }],
      });
    }
    const tasks = await tasksForSurvey(tx, row.contact_id as string, row.survey_type as SurveyType, TASKS);
    return {
      survey_response_id: row.id as string,
      contact_id: row.contact_id as string,
      survey_type: row.survey_type as SurveyType,
      created: tasks.filter((t) => t.status === 'created').length,
      existing: tasks.filter((t) => t.status === 'existing').length,
      tasks,
    };
  });
}

const BASELINE = 'assessment.build_baseline';

/**
 * Step 6 for the whole audit: the tasks of every completed audit survey (as
 * createTasksFromResponse, idempotent), then the audit's counters, team_size,
 * digital_maturity and current_tools_summary derived again, with the working shown.
 */
export async function buildBaseline(ctx: Ctx, input: { id: string }) {
  return withTx(ctx, async (tx) => {
    const audit = await auditForWrite(tx, input.id);
    const respondents = (await tx.db.execute(sql`
      select c.id, c.name from contacts c
      where exists (select 1 from survey_responses sr where sr.contact_id = c.id and sr.audit_id = ${audit.id as string}::uuid
                    and sr.survey_type = 'audit' and sr.survey_completed and sr.archived_at is null)
      order by lower(c.name), c.id`)) as unknown as { rows: { id: string; name: string }[] };
    const people: { contact_id: string; name: string; created: number; existing: number }[] = [];
    for (const p of respondents.rows) {
      const tasks = await tasksForSurvey(tx, p.id, 'audit', BASELINE);
      people.push({ contact_id: p.id, name: p.name, created: tasks.filter((t) => t.status === 'created').length, existing: tasks.filter((t) => t.status === 'existing').length });
    }
    const refreshed = (await refreshAudit(tx, audit.id as string, BASELINE))!;
    return {
      audit: refreshed.audit,
      derivation: refreshed.derivation,
      tasks_created: people.reduce((s, p) => s + p.created, 0),
      tasks_existing: people.reduce((s, p) => s + p.existing, 0),
      respondents: people,
    };
  });
}
