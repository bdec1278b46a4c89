/** Audits and surveys (seed 000 steps 5–6) as registry operations. */
import { z } from 'zod';
import { SURVEY_TYPES } from '../../db/schema/assessment.ts';
import { TASK_FREQUENCIES } from '../../db/schema/delivery.ts';
import { objectInput } from '../fields.ts';
import type { Operation } from '../registry.ts';
import {
  AUDIT_SURVEY_QUESTIONS,
  auditOutstanding,
  buildBaseline,
  createTasksFromResponse,
  importOrgChart,
  MAX_ORG_CHART,
  MAX_TASK_MINUTES,
  PRE_TRAINING_SURVEY_QUESTIONS,
  recordSurveysCompleted,
  recordSurveysSent,
  startAudit,
} from './audits.ts';

const id = z.uuid({ message: 'must be a UUID' });
const isoDate = z.iso.date({ message: 'must be a real calendar date as YYYY-MM-DD' });
const surveyType = z
  .enum(SURVEY_TYPES)
  .optional()
  .describe('`audit` (step 5, the default) or `pre_training` (step 15)');

const TASK_RULE =
  'Tasks are answered as the questions `Task N: name`, `Task N: description`, `Task N: software used`, `Task N: frequency` (daily, weekly, monthly, per_project, ad_hoc) and `Task N: time before AI (minutes)`.';

const DERIVATION_RULE =
  'Derived values: surveys_sent / surveys_completed = distinct people with an audit survey of this audit sent / completed. ' +
  'team_size = the people on the org chart (the company\'s unarchived, active contacts); with no org chart yet, the number of respondents. ' +
  'digital_maturity: each respondent scores 0–3 — tool points 0 when they name no software (blank, none, paper, manual), 1 for one or two distinct tools, 2 for three or more (from answers to questions about software or tools, `Task N: software used` included), ' +
  'plus 1 when they say they have used AI (a yes to a have-you-used-AI question, or an AI named for which AI they use); the mean over respondents is low below 1.50, medium from 1.50 to below 2.25, high from 2.25. ' +
  'current_tools_summary lists the tools by how many respondents name them.';

const taskSchema = z.strictObject({
  task_name: z.string().trim().min(1, 'is required').max(200),
  task_description: z.string().max(4000).optional(),
  software_used: z.string().max(1000).optional().describe('e.g. "Excel, Buildsoft, email"'),
  frequency: z.enum(TASK_FREQUENCIES).optional(),
  time_before_ai: z.int({ message: 'must be a whole number of minutes' }).min(0, 'must not be negative').max(MAX_TASK_MINUTES, `is at most ${MAX_TASK_MINUTES} minutes`).optional().describe('minutes the task takes today'),
});

export const auditOperations: Operation[] = [
  {
    name: 'assessment.start_audit',
    summary: 'Start the audit of a company',
    description:
      'Step 5: creates the audit (audit_date defaults to today) and moves the company from `meeting_complete` to `auditing`, in one transaction. Refused (409) when the company is at any other status or already has an open audit (one not archived and not yet decided go or no_go; a conditional decision leaves it open).',
    tag: 'assessment',
    scope: 'write',
    destructive: false,
    kind: 'action',
    input: z.strictObject({
      id: id.describe('the company'),
      audit_date: isoDate.optional().describe('when the audit began, YYYY-MM-DD (default today)'),
      org_chart_received: z.boolean().optional().describe('whether the owner has provided the org chart'),
      notes: z.string().max(20_000).optional(),
    }),
    http: { method: 'post', path: '/api/v1/companies/{id}/audit', status: 201 },
    run: (ctx, input) => startAudit(ctx, input),
  },
  {
    name: 'assessment.import_org_chart',
    summary: "Import a company's org chart as contacts",
    description: `Step 5: each person (fields of a contact; \`role\` or \`title\` may stand for role_title) is matched within the company by email (case-insensitive), else by name (case-insensitive): a match is updated with the fields given (a blank email never erases a known one), anyone else is created, with has_email false when the email is blank. Importing again updates rather than duplicates. All or nothing: any field error (\`people[3].email\`) refuses the whole list. The open audit, if any, is marked org_chart_received and its team_size follows. At most ${MAX_ORG_CHART} people.`,
    tag: 'assessment',
    scope: 'write',
    destructive: false,
    bulk: true,
    kind: 'action',
    input: z.strictObject({
      id: id.describe('the company'),
      people: z
        .array(objectInput('one person'), { message: 'must be a list of people' })
        .min(1, 'must list at least one person')
        .max(MAX_ORG_CHART, `at most ${MAX_ORG_CHART} people; split the list`)
        .describe('{ name, role_title (or role), email?, department?, phone?, role_description?, is_decision_maker?, … }'),
    }),
    http: { method: 'post', path: '/api/v1/companies/{id}/org-chart' },
    run: (ctx, input) => importOrgChart(ctx, input),
  },
  {
    name: 'assessment.record_surveys_sent',
    summary: 'Record survey links sent',
    description: `Steps 5 and 15: the survey link went to these people of the audit's company. One survey_responses row per person and question, marked sent (default questions — audit: ${AUDIT_SURVEY_QUESTIONS.join(' / ')}; pre_training: ${PRE_TRAINING_SURVEY_QUESTIONS.join(' / ')}). Sending again is harmless: a person already sent keeps the first sent date. Keeps the audit's surveys_sent right. All or nothing.`,
    tag: 'assessment',
    scope: 'write',
    destructive: false,
    kind: 'action',
    input: z.strictObject({
      id: id.describe('the audit'),
      survey_type: surveyType,
      sent_date: isoDate.optional().describe('when the link was sent, YYYY-MM-DD (default today)'),
      contact_ids: z.array(id).min(1, 'must name at least one contact').max(MAX_ORG_CHART).describe('the people sent the link'),
      questions: z.array(z.string().max(2000)).min(1).max(200).optional().describe('the survey questions (default: the standard ones for the survey type)'),
    }),
    http: { method: 'post', path: '/api/v1/audits/{id}/surveys/sent' },
    run: (ctx, input) => recordSurveysSent(ctx, input),
  },
  {
    name: 'assessment.record_surveys_completed',
    summary: 'Record completed surveys with their answers',
    description: `Steps 5 and 15: each response fills (or adds) the person's row per question and marks their survey completed (and sent, if it never was recorded). ${TASK_RULE} They may be given as \`tasks\` instead. Completing again replaces the answers given. Keeps the audit's counters and derived values right. ${DERIVATION_RULE} All or nothing, with field errors per response (\`responses[1].tasks[0].frequency\`).`,
    tag: 'assessment',
    scope: 'write',
    destructive: false,
    kind: 'action',
    input: z.strictObject({
      id: id.describe('the audit'),
      survey_type: surveyType,
      responses: z
        .array(
          z.strictObject({
            contact_id: id,
            completed_date: isoDate.optional().describe('when they completed it, YYYY-MM-DD (default today)'),
            answers: z
              .array(z.strictObject({ question: z.string().max(2000), answer: z.string().max(20_000).nullable() }))
              .max(500)
              .optional(),
            tasks: z.array(taskSchema).max(100).optional().describe('their tasks, stored as `Task N: …` answers'),
          }),
        )
        .min(1, 'must hold at least one response')
        .max(MAX_ORG_CHART),
    }),
    http: { method: 'post', path: '/api/v1/audits/{id}/surveys/completed' },
    run: (ctx, input) => recordSurveysCompleted(ctx, input),
  },
  {
    name: 'assessment.audit_outstanding',
    summary: 'Who is outstanding on the survey',
    description:
      "Step 5: the org chart (the company's unarchived, active contacts) against the survey, each person in one group: no_email (no email on file, never sent), not_sent (has an email, never sent the link), awaiting (sent, not completed), completed; with counts and outstanding = no_email + not_sent + awaiting.",
    tag: 'assessment',
    scope: 'read',
    destructive: false,
    kind: 'action',
    input: z.strictObject({ id: id.describe('the audit'), survey_type: surveyType }),
    http: { method: 'get', path: '/api/v1/audits/{id}/outstanding' },
    run: (ctx, input) => auditOutstanding(ctx, input),
  },
  {
    name: 'assessment.create_tasks_from_survey',
    summary: "Create contact tasks from a person's completed survey",
    description: `Step 6: the baseline contact_tasks (task name, description, software used, frequency, time before AI in minutes) named by the completed survey this response row belongs to. ${TASK_RULE} Idempotent: a task already made from the survey, or one of the same name for the person, is not made again. Refused (409) when the survey is not completed.`,
    tag: 'assessment',
    scope: 'write',
    destructive: false,
    kind: 'action',
    input: z.strictObject({ id: id.describe('any survey_responses row of the completed survey') }),
    http: { method: 'post', path: '/api/v1/survey_responses/{id}/tasks' },
    run: (ctx, input) => createTasksFromResponse(ctx, input),
  },
  {
    name: 'assessment.build_baseline',
    summary: 'Build the baseline of an audit',
    description: `Step 6 for the whole audit: creates the contact_tasks of every completed audit survey (idempotent, as create_tasks_from_survey) and derives the audit's values again, showing the working. ${DERIVATION_RULE}`,
    tag: 'assessment',
    scope: 'write',
    destructive: false,
    kind: 'action',
    input: z.strictObject({ id: id.describe('the audit') }),
    http: { method: 'post', path: '/api/v1/audits/{id}/baseline' },
    run: (ctx, input) => buildBaseline(ctx, input),
  },
];
