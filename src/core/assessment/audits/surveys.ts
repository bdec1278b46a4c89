/** Seed 000 steps 5 and 15: surveys sent and completed. */
import { localDate, withTx, type Ctx } from '../../context.ts';
import type { FieldError } from '../../errors.ts';
import { sameValue } from '../../platform/audit.ts';
import { applyUpdate, insertRecord, type Row } from '../../resource.ts';
import { surveyRefusals } from '../../privacy/consent.ts';
import { refreshAudit } from './derivation.ts';
import { DEFAULT_QUESTIONS, parseTaskQuestion, taskQuestion, tasksFromAnswers, type Answer, type SurveyType, type TaskFrequency } from './rules.ts';
import {
  assertNotFuture,
  auditForWrite,
  companyContacts,
  minDate,
  otherAudit,
  pendingRefresh,
  responseRows,
  responsesRes,
  throwIfAny,
  type ResponseRow,
} from './shared.ts';

/** Runs a verb that writes many survey rows, refreshing each audit it touched once at the end (see pendingRefresh). */
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
      // Nobody who withdrew survey consent is sent a survey (core/privacy/consent.ts).
      errors.push(...(await surveyRefusals(tx, input.contact_ids, (i) => `contact_ids[${i}]`)));
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
      // No answers are recorded for someone who withdrew survey consent (core/privacy/consent.ts).
      errors.push(...(await surveyRefusals(tx, ids, (i) => `responses[${i}].contact_id`)));
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
