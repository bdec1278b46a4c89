/**
 * The pure rules of the audit (seed 000 steps 5–6): the survey questions, how a person's
 * tasks are read from their answers, and how the audit's digital maturity and tools
 * summary are derived from the responses. No database here.
 *
 * survey_responses holds one row per contact, survey type and question (its unique key):
 * rows are created when the link is sent, answered when the survey is completed. A
 * person's tasks are answered as the questions `Task N: name`, `Task N: description`,
 * `Task N: software used`, `Task N: frequency` and `Task N: time before AI (minutes)`,
 * so every answer stays a plain question/answer row a person can read.
 */
import { SURVEY_TYPES } from '../../../db/schema/assessment.ts';
import { TASK_FREQUENCIES } from '../../../db/schema/delivery.ts';

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
