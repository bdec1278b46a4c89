/** Seed 000 step 6: the baseline, the contact_tasks named by completed surveys. */
import { and, eq, inArray, sql } from 'drizzle-orm';
import { contact_tasks } from '../../../db/schema/delivery.ts';
import { withTx, type Ctx } from '../../context.ts';
import { invalid, notFound } from '../../errors.ts';
import { applyUpdate, fetchRow, insertRecord } from '../../resource.ts';
import { refreshAudit } from './derivation.ts';
import { parseTaskQuestion, tasksFromAnswers, type SurveyType } from './rules.ts';
import { auditForWrite, conflict, responseRows, responsesRes, tasksRes, type ResponseRow } from './shared.ts';

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
