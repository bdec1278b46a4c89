import { describe, expect, it } from 'vitest';
import { createApp } from '../src/api/app.ts';
import {
  AUDIT_SURVEY_QUESTIONS,
  auditOutstanding,
  buildBaseline,
  createTasksFromResponse,
  digitalMaturity,
  importOrgChart,
  parseFrequency,
  parseMinutes,
  recordSurveysCompleted,
  recordSurveysSent,
  respondentProfile,
  startAudit,
  tasksFromAnswers,
  toolsNamed,
  toolsSummary,
  usedAi,
  type Answer,
} from '../src/core/assessment/audits.ts';
import type { Ctx } from '../src/core/context.ts';
import type { AppError } from '../src/core/errors.ts';
import { statusTimeline } from '../src/core/platform/history.ts';
import { archiveRecord, deleteRecord, getRecord, insertRecord, updateRecord, type Row } from '../src/core/resource.ts';
import { resource } from '../src/core/resources.ts';
import { FAST_IDENTITY, signIn } from './auth.ts';
import { counts, dbSuite, type TestDatabase } from './db.ts';
import { refusal } from './refusal.ts';

const uniq = () => Math.random().toString(36).slice(2, 8);
/** Wednesday 18 November 2026, 09:00 UTC: "today" is 2026-11-18. */
const NOW = new Date('2026-11-18T09:00:00Z');
const TABLES = ['audits', 'contacts', 'survey_responses', 'contact_tasks', 'status_history', 'audit_log'];


const fieldsOf = (e: AppError) => e.details.fields?.map((f) => f.field);

// ---------------------------------------------------------------------------
// The documented rules, worked by hand

describe('reading survey answers', () => {
  it('reads frequencies and durations as people write them', () => {
    expect(['Daily', 'weekly', 'per project', 'Per-Project', 'ad hoc', 'as needed', 'monthly'].map(parseFrequency)).toEqual([
      'daily', 'weekly', 'per_project', 'per_project', 'ad_hoc', 'ad_hoc', 'monthly',
    ]);
    expect(parseFrequency('fortnightly')).toBeUndefined();
    // 1.5 h × 60 = 90; 2 h = 120; 0.25 h = 15; "45 min" = 45
    expect(['90', '90 min', '1.5 hours', '2h', '0.25 hr', '45 minutes'].map(parseMinutes)).toEqual([90, 90, 90, 120, 15, 45]);
    expect(parseMinutes('about an hour')).toBeUndefined();
    expect(parseMinutes('-5')).toBeUndefined();
    expect(parseMinutes('525601')).toBeUndefined(); // more than a year of minutes
  });

  it('reads tasks from Task N answers, in number order, skipping nameless ones', () => {
    const answers: Answer[] = [
      { question: 'Task 2: name', answer: 'Site diary' },
      { question: 'Task 2: frequency', answer: 'Daily' },
      { question: 'Task 2: time before AI (minutes)', answer: '0.5 hours' },
      { question: 'Task 1: name', answer: 'Prepare cost estimates' },
      { question: 'Task 1: software used', answer: 'Excel, Buildsoft' },
      { question: 'Task 1: frequency', answer: 'per project' },
      { question: 'Task 1: time before AI (minutes)', answer: '240' },
      { question: 'Task 3: software used', answer: 'Word' },
      { question: 'What is your name?', answer: 'Jo' },
    ];
    expect(tasksFromAnswers(answers)).toEqual({
      tasks: [
        { n: 1, task_name: 'Prepare cost estimates', software_used: 'Excel, Buildsoft', frequency: 'per_project', time_before_ai: 240 },
        { n: 2, task_name: 'Site diary', frequency: 'daily', time_before_ai: 30 },
      ],
      errors: [],
    });
    const bad = tasksFromAnswers([
      { question: 'Task 1: name', answer: 'X' },
      { question: 'Task 1: frequency', answer: 'fortnightly' },
      { question: 'Task 1: time before AI (minutes)', answer: 'ages' },
    ]);
    expect(bad.errors.map((e) => e.question)).toEqual(['Task 1: frequency', 'Task 1: time before AI (minutes)']);
  });

  it('counts the distinct tools a person names and whether they have used AI', () => {
    expect(
      toolsNamed([
        { question: 'What software does each task use?', answer: 'Excel, Outlook and Procore; excel' },
        { question: 'Task 1: software used', answer: 'Excel / Buildsoft' },
        { question: 'Which AI have you used?', answer: 'ChatGPT' }, // an AI question, not a software one
      ]),
    ).toEqual(['Excel', 'Outlook', 'Procore', 'Buildsoft']);
    expect(toolsNamed([{ question: 'What software does each task use?', answer: 'None, pen and paper' }])).toEqual([]);
    expect(usedAi([{ question: 'Have you used AI for any tasks?', answer: 'Yes, for emails' }])).toBe(true);
    expect(usedAi([{ question: 'Have you used AI for any tasks?', answer: 'No' }])).toBe(false);
    expect(usedAi([{ question: 'Which AI have you used?', answer: 'Claude' }])).toBe(true);
    expect(usedAi([{ question: 'Which AI have you used?', answer: 'None' }])).toBe(false);
    expect(usedAi([{ question: 'Are you interested in learning about AI?', answer: 'Yes' }])).toBe(false);
  });

  it('scores a respondent 0–3: tools 0 / 1 (one or two) / 2 (three or more), plus 1 for AI use', () => {
    const sw = (answer: string) => ({ question: 'What software does each task use?', answer });
    const ai = (answer: string) => ({ question: 'Have you used AI for any tasks?', answer });
    expect(respondentProfile([sw('Excel, Outlook, Procore'), ai('Yes')]).points).toBe(3); // 2 + 1
    expect(respondentProfile([sw('Excel'), ai('No')]).points).toBe(1); // 1 + 0
    expect(respondentProfile([sw('Excel, Xero'), ai('Yes')]).points).toBe(2); // two tools still 1, + 1
    expect(respondentProfile([sw('none'), ai('no')]).points).toBe(0);
  });

  it('bands the mean of the points: low < 1.50 ≤ medium < 2.25 ≤ high', () => {
    // 3 + 1 + 0 + 3 = 7 over 4 respondents = 1.75 → medium
    expect(digitalMaturity([3, 1, 0, 3])).toEqual({ level: 'medium', mean: '1.75', respondents: 4 });
    // 1 + 2 = 3 over 2 = 1.50 exactly → medium (the band starts at 1.50)
    expect(digitalMaturity([1, 2])).toEqual({ level: 'medium', mean: '1.50', respondents: 2 });
    // 10 over 7 = 1.43 → low; 11 over 7 = 1.57 → medium
    expect(digitalMaturity([1, 1, 1, 2, 2, 2, 1])?.level).toBe('low');
    expect(digitalMaturity([1, 1, 1, 2, 2, 2, 2])?.level).toBe('medium');
    // 20 over 9 = 2.22 → medium; 2 + 2 + 2 + 3 = 9 over 4 = 2.25 exactly → high
    expect(digitalMaturity([2, 2, 2, 2, 2, 2, 2, 3, 3])).toEqual({ level: 'medium', mean: '2.22', respondents: 9 });
    expect(digitalMaturity([2, 2, 2, 3])).toEqual({ level: 'high', mean: '2.25', respondents: 4 });
    expect(digitalMaturity([0])).toEqual({ level: 'low', mean: '0.00', respondents: 1 });
    expect(digitalMaturity([3])).toEqual({ level: 'high', mean: '3.00', respondents: 1 });
    expect(digitalMaturity([])).toBeNull();
  });

  it('summarises tools by how many respondents name them', () => {
    const p = (tools: string) => respondentProfile([{ question: 'What software does each task use?', answer: tools }]);
    expect(toolsSummary([p('Excel, Procore'), p('excel'), p('Xero, Excel, Procore')])).toBe('Excel (3), Procore (2), Xero (1) — from 3 survey responses');
    expect(toolsSummary([p('none')])).toBeNull();
  });
});

// ---------------------------------------------------------------------------

type World = { company: Row; audit: Row; people: Record<string, string> };

const ORG_CHART = [
  { name: 'Jo Smith', role: 'Director', email: 'jo@smith.example', is_decision_maker: true },
  { name: 'Priya Nair', role_title: 'Senior Estimator', email: 'priya@smith.example', department: 'Estimating' },
  { name: 'Sam Lee', role_title: 'Project Manager', email: 'sam@smith.example' },
  { name: 'Bill Carter', role_title: 'Site Supervisor', email: '' },
  { name: 'Ana Ruiz', role_title: 'Office Manager', email: 'ana@smith.example' },
];

async function companyAt(c: Ctx, status: string, name = `Smith Building ${uniq()}`): Promise<Row> {
  return insertRecord(c, resource('companies'), { name, status });
}

async function auditLog(database: TestDatabase, recordId: string) {
  return database.query<{ action: string; table_name: string; operation: string | null }>(
    'select action, table_name, operation from audit_log where record_id = $1 order by at, id',
    [recordId],
  );
}

dbSuite('audits and surveys', ({ database, ctx }) => {
  const c = () => ctx({ now: () => NOW });

  async function world(): Promise<World> {
    const company = await companyAt(c(), 'meeting_complete');
    const { audit } = await startAudit(c(), { id: company.id as string });
    const chart = await importOrgChart(c(), { id: company.id as string, people: ORG_CHART });
    const people = Object.fromEntries(chart.people.map((p) => [p.name.split(' ')[0]!, p.id]));
    return { company, audit: await getRecord(c(), resource('audits'), audit.id as string), people };
  }

  async function withFailingTrigger<T>(table: string, column: string, value: string, fn: () => Promise<T>): Promise<T> {
    const name = `test_fail_${table}`;
    await database().query(`create or replace function ${name}() returns trigger language plpgsql as $$
      begin if new.${column} = '${value}' then raise exception 'injected failure'; end if; return new; end $$`);
    await database().query(`create trigger ${name} before insert or update on ${table} for each row execute function ${name}()`);
    try {
      return await fn();
    } finally {
      await database().query(`drop trigger ${name} on ${table}`);
      await database().query(`drop function ${name}()`);
    }
  }

  describe('starting the audit', () => {
    it('creates the audit and moves the company meeting_complete → auditing, with history and audit rows', async () => {
      const company = await companyAt(c(), 'meeting_complete');
      const r = await startAudit(c(), { id: company.id as string, notes: 'Owner keen' });
      expect(r.audit).toMatchObject({ company_id: company.id, audit_date: '2026-11-18', org_chart_received: false, surveys_sent: 0, surveys_completed: 0, notes: 'Owner keen' });
      expect(r.company_status_change).toEqual({ from: 'meeting_complete', to: 'auditing' });
      expect((await getRecord(c(), resource('companies'), company.id as string)).status).toBe('auditing');
      const history = await statusTimeline(c(), { entity_type: 'company', id: company.id as string });
      expect(history.entries.map((e) => e.status)).toEqual(['meeting_complete', 'auditing']);
      expect(await auditLog(database(), r.audit.id as string)).toEqual([{ action: 'create', table_name: 'audits', operation: 'assessment.start_audit' }]);
      expect(await auditLog(database(), company.id as string)).toContainEqual({ action: 'status_change', table_name: 'companies', operation: 'assessment.start_audit' });
    });

    it('takes team_size from an org chart received before the audit', async () => {
      const company = await companyAt(c(), 'meeting_complete');
      await importOrgChart(c(), { id: company.id as string, people: ORG_CHART.slice(0, 3) });
      const r = await startAudit(c(), { id: company.id as string, audit_date: '2026-11-16', org_chart_received: true });
      expect(r.audit).toMatchObject({ team_size: 3, audit_date: '2026-11-16', org_chart_received: true });
    });

    it('refuses every other status and an open audit, with a reason, writing nothing', async () => {
      for (const status of ['lead', 'contacted', 'meeting_scheduled', 'auditing', 'go', 'no_go', 'proposal_sent', 'lost']) {
        const company = await companyAt(c(), status);
        const before = await counts(database(), TABLES);
        const e = await refusal(startAudit(c(), { id: company.id as string }));
        expect(e.code).toBe('CONFLICT');
        expect(e.message).toContain(`is at ${status}`);
        expect(e.details.required).toBe('meeting_complete');
        expect(await counts(database(), TABLES)).toEqual(before);
      }
      const company = await companyAt(c(), 'meeting_complete');
      const open = await insertRecord(c(), resource('audits'), { company_id: company.id, audit_date: '2026-11-01' });
      const before = await counts(database(), TABLES);
      const e = await refusal(startAudit(c(), { id: company.id as string }));
      expect(e.code).toBe('CONFLICT');
      expect(e.details.open_audit_id).toBe(open.id);
      expect(await counts(database(), TABLES)).toEqual(before);
      expect((await getRecord(c(), resource('companies'), company.id as string)).status).toBe('meeting_complete');
      // A conditional decision leaves the audit open; a go or no_go closes it and a new one may start.
      await insertRecord(c(), resource('go_no_go_decisions'), { company_id: company.id, audit_id: open.id, decision: 'conditional' });
      expect((await refusal(startAudit(c(), { id: company.id as string }))).details.open_audit_id).toBe(open.id);
      await insertRecord(c(), resource('go_no_go_decisions'), { company_id: company.id, audit_id: open.id, decision: 'no_go' });
      expect((await startAudit(c(), { id: company.id as string })).audit.company_id).toBe(company.id);

      expect((await refusal(startAudit(c(), { id: '00000000-0000-4000-8000-000000000000' }))).code).toBe('NOT_FOUND');
      expect((await refusal(startAudit(c(), { id: (await companyAt(c(), 'meeting_complete')).id as string, audit_date: '2026-12-01' }))).details.fields).toEqual([
        { field: 'audit_date', message: 'is in the future (today is 2026-11-18)' },
      ]);
    });

    it('is all-or-nothing: when the status move is refused, no audit remains', async () => {
      const company = await companyAt(c(), 'meeting_complete');
      const before = await counts(database(), TABLES);
      // The pipeline (data) no longer allows meeting_complete → auditing: the move fails after the audit row was inserted.
      await database().query(`update pipeline_stages set next_statuses = array['meeting_scheduled','lost'] where pipeline = 'company' and key = 'meeting_complete'`);
      try {
        const e = await refusal(startAudit(c(), { id: company.id as string }));
        expect(e.code).toBe('CONFLICT');
        expect(e.details.allowed).toEqual(['meeting_scheduled', 'lost']);
      } finally {
        await database().query(`update pipeline_stages set next_statuses = array['auditing','meeting_scheduled','lost'] where pipeline = 'company' and key = 'meeting_complete'`);
      }
      expect(await counts(database(), TABLES)).toEqual(before);
    });
  });

  describe('the org chart', () => {
    it('creates contacts (has_email false without an email), marks the audit, and re-imports as updates', async () => {
      const company = await companyAt(c(), 'meeting_complete');
      const { audit } = await startAudit(c(), { id: company.id as string });
      const r = await importOrgChart(c(), { id: company.id as string, people: ORG_CHART });
      expect([r.created, r.updated, r.unchanged]).toEqual([5, 0, 0]);
      expect(r.ids.created).toHaveLength(5);
      expect(r.audit).toMatchObject({ id: audit.id, org_chart_received: true, team_size: 5 });
      const bill = await getRecord(c(), resource('contacts'), r.people[3]!.id);
      expect(bill).toMatchObject({ name: 'Bill Carter', role_title: 'Site Supervisor', email: null, has_email: false, company_id: company.id });
      const jo = await getRecord(c(), resource('contacts'), r.people[0]!.id);
      expect(jo).toMatchObject({ role_title: 'Director', email: 'jo@smith.example', has_email: true, is_decision_maker: true });
      expect((await auditLog(database(), jo.id as string))).toEqual([{ action: 'create', table_name: 'contacts', operation: 'assessment.import_org_chart' }]);

      const again = await importOrgChart(c(), {
        id: company.id as string,
        people: [
          { name: 'JO SMITH', role: 'Managing Director', email: 'JO@smith.example' }, // by email (any case): role changes, the stored spelling stays
          { name: 'priya nair', role_title: 'Senior Estimator', email: 'priya@smith.example', department: 'Estimating' }, // unchanged
          { name: 'Bill Carter', role_title: 'Site Supervisor', email: 'bill@smith.example' }, // by name: gets an email
          { name: 'Sam Lee', role_title: 'Project Manager' }, // blank email keeps the known one: unchanged
          { name: 'Tina Wu', role_title: 'Accounts', email: 'tina@smith.example' }, // new
        ],
      });
      expect([again.created, again.updated, again.unchanged]).toEqual([1, 2, 2]);
      expect(again.ids.updated).toEqual([r.people[0]!.id, r.people[3]!.id]);
      expect(again.ids.unchanged).toEqual([r.people[1]!.id, r.people[2]!.id]);
      expect(again.audit).toMatchObject({ team_size: 6 });
      expect(await getRecord(c(), resource('contacts'), jo.id as string)).toMatchObject({ name: 'Jo Smith', role_title: 'Managing Director', email: 'jo@smith.example' });
      expect(await getRecord(c(), resource('contacts'), bill.id as string)).toMatchObject({ email: 'bill@smith.example', has_email: true });
      expect(await getRecord(c(), resource('contacts'), r.people[2]!.id)).toMatchObject({ email: 'sam@smith.example' });
      const [n] = await database().query<{ n: number }>('select count(*)::int as n from contacts where company_id = $1', [company.id]);
      expect(n!.n).toBe(6);
      expect((await auditLog(database(), bill.id as string)).map((a) => `${a.action} ${a.operation}`).sort()).toEqual([
        'create assessment.import_org_chart',
        'update assessment.import_org_chart',
      ]);
    });

    it('names each bad row and field and writes nothing', async () => {
      const company = await companyAt(c(), 'auditing');
      const before = await counts(database(), TABLES);
      const e = await refusal(
        importOrgChart(c(), {
          id: company.id as string,
          people: [
            { name: 'A', email: 'a@x.example' },
            { name: 'B', role: 'X', role_title: 'Y' },
            { name: 'C' },
            { name: 'D', email: 'not-an-email' },
            { email: 'e@x.example' },
            { name: 'F', email: 'A@x.example' },
            { name: 'c' },
            { name: 'G', owner_id: '00000000-0000-4000-8000-000000000000', company_id: company.id },
          ],
        }),
      );
      expect(e.code).toBe('VALIDATION');
      expect(fieldsOf(e)).toEqual([
        'people[1].role',
        'people[3].email',
        'people[4].name',
        'people[7].company_id',
        'people[7].owner_id',
        'people[5].email',
        'people[6].name',
      ]);
      expect(await counts(database(), TABLES)).toEqual(before);
    });

    it('refuses a person who matches two contacts by name, or two people who are one contact', async () => {
      const company = await companyAt(c(), 'auditing');
      await insertRecord(c(), resource('contacts'), { company_id: company.id, name: 'Chris Doe', email: 'chris1@x.example' });
      await insertRecord(c(), resource('contacts'), { company_id: company.id, name: 'Chris Doe', email: 'chris2@x.example' });
      await insertRecord(c(), resource('contacts'), { company_id: company.id, name: 'Lee Park', email: 'lee@x.example' });
      const before = await counts(database(), TABLES);
      const e = await refusal(importOrgChart(c(), { id: company.id as string, people: [{ name: 'New Person' }, { name: 'chris doe' }] }));
      expect(e.details.fields).toEqual([{ field: 'people[1].name', message: 'matches 2 contacts of this company; give their email' }]);
      const e2 = await refusal(importOrgChart(c(), { id: company.id as string, people: [{ name: 'Lee Park' }, { name: 'L. Park', email: 'LEE@x.example' }] }));
      expect(fieldsOf(e2)).toEqual(['people[1]']);
      expect(await counts(database(), TABLES)).toEqual(before);
    });

    it('is all-or-nothing when a write fails midway', async () => {
      const company = await companyAt(c(), 'meeting_complete');
      await startAudit(c(), { id: company.id as string });
      const before = await counts(database(), TABLES);
      await withFailingTrigger('contacts', 'name', 'Boom', async () => {
        await expect(importOrgChart(c(), { id: company.id as string, people: [...ORG_CHART, { name: 'Boom' }] })).rejects.toThrow();
      });
      expect(await counts(database(), TABLES)).toEqual(before);
    });
  });

  describe('surveys sent and completed', () => {
    it('records links sent, keeps surveys_sent right, and is harmless to repeat', async () => {
      const w = await world();
      const r = await recordSurveysSent(c(), { id: w.audit.id as string, sent_date: '2026-11-17', contact_ids: [w.people.Jo!, w.people.Priya!, w.people.Sam!] });
      expect([r.sent, r.already_sent]).toEqual([3, 0]);
      expect(r.audit).toMatchObject({ surveys_sent: 3, surveys_completed: 0, team_size: 5 });
      const rows = await database().query<{ question: string; survey_sent: boolean; survey_sent_date: string; audit_id: string }>(
        'select question, survey_sent, survey_sent_date::text, audit_id from survey_responses where contact_id = $1 order by question',
        [w.people.Priya],
      );
      expect(rows.map((x) => x.question)).toEqual([...AUDIT_SURVEY_QUESTIONS].sort());
      expect(rows.every((x) => x.survey_sent && x.survey_sent_date === '2026-11-17' && x.audit_id === w.audit.id)).toBe(true);
      const log = await database().query<{ n: number }>(
        "select count(*)::int as n from audit_log where table_name = 'survey_responses' and operation = 'assessment.record_surveys_sent'",
      );
      expect(log[0]!.n).toBeGreaterThanOrEqual(3 * AUDIT_SURVEY_QUESTIONS.length);
      const auditRows = await auditLog(database(), w.audit.id as string);
      expect(auditRows).toContainEqual({ action: 'update', table_name: 'audits', operation: 'assessment.record_surveys_sent' });
      // The 21 rows re-count the audit once, at the end, not once per row.
      expect(auditRows.filter((a) => a.operation === 'assessment.record_surveys_sent' || a.operation === 'survey_responses.counters')).toHaveLength(1);

      const before = await counts(database(), TABLES);
      const again = await recordSurveysSent(c(), { id: w.audit.id as string, contact_ids: [w.people.Jo!, w.people.Ana!] });
      expect(again.contacts.map((x) => [x.status, x.sent_date])).toEqual([
        ['already_sent', '2026-11-17'],
        ['sent', '2026-11-18'],
      ]);
      expect(again.audit).toMatchObject({ surveys_sent: 4 });
      const after = await counts(database(), ['survey_responses']);
      expect(after.survey_responses).toBe(before.survey_responses! + AUDIT_SURVEY_QUESTIONS.length); // only Ana's rows are new
    });

    it('refuses contacts of another company, repeats, archived audits and future dates, writing nothing', async () => {
      const w = await world();
      const stranger = await insertRecord(c(), resource('contacts'), { company_id: (await companyAt(c(), 'lead')).id, name: 'Stranger' });
      const before = await counts(database(), TABLES);
      const e = await refusal(recordSurveysSent(c(), { id: w.audit.id as string, contact_ids: [w.people.Jo!, stranger.id as string, w.people.Jo!] }));
      expect(e.details.fields).toEqual([{ field: 'contact_ids[2]', message: 'repeats contact_ids[0]' }]);
      const e2 = await refusal(recordSurveysSent(c(), { id: w.audit.id as string, contact_ids: [w.people.Jo!, stranger.id as string] }));
      expect(e2.details.fields).toEqual([{ field: 'contact_ids[1]', message: "is not a contact of this audit's company" }]);
      const e3 = await refusal(recordSurveysSent(c(), { id: w.audit.id as string, sent_date: '2026-11-19', contact_ids: [w.people.Jo!] }));
      expect(fieldsOf(e3)).toEqual(['sent_date']);
      expect(await counts(database(), TABLES)).toEqual(before);
      await archiveRecord(c(), resource('audits'), w.audit.id as string);
      const e4 = await refusal(recordSurveysSent(c(), { id: w.audit.id as string, contact_ids: [w.people.Jo!] }));
      expect(e4.code).toBe('CONFLICT');
    });

    it('records completed surveys with answers and tasks, and derives the audit from them', async () => {
      const w = await world();
      await recordSurveysSent(c(), { id: w.audit.id as string, sent_date: '2026-11-10', contact_ids: [w.people.Jo!, w.people.Priya!, w.people.Sam!, w.people.Ana!] });
      const sw = 'What software does each task use?';
      const ai = 'Have you used AI for any tasks?';
      const r = await recordSurveysCompleted(c(), {
        id: w.audit.id as string,
        responses: [
          {
            contact_id: w.people.Priya!,
            completed_date: '2026-11-12',
            answers: [
              { question: sw, answer: 'Excel, Buildsoft, Outlook' },
              { question: ai, answer: 'Yes, ChatGPT for emails' },
            ],
            tasks: [
              { task_name: 'Prepare cost estimates', software_used: 'Excel, Buildsoft', frequency: 'per_project', time_before_ai: 240 },
              { task_name: 'Supplier quotes', frequency: 'weekly', time_before_ai: 90 },
            ],
          },
          {
            contact_id: w.people.Sam!,
            answers: [
              { question: sw, answer: 'Excel' },
              { question: ai, answer: 'No' },
              { question: 'Task 1: name', answer: 'Progress report' },
              { question: 'Task 1: frequency', answer: 'Weekly' },
              { question: 'Task 1: time before AI (minutes)', answer: '1.5 hours' },
            ],
          },
          // Bill has no email and was never sent the link: a paper survey still counts (sent and completed).
          { contact_id: w.people.Bill!, completed_date: '2026-11-15', answers: [{ question: sw, answer: 'None' }, { question: ai, answer: 'No' }] },
        ],
      });
      expect([r.completed, r.updated]).toEqual([3, 0]);
      expect(r.contacts.map((x) => [x.name, x.completed_date, x.tasks])).toEqual([
        ['Priya Nair', '2026-11-12', 2],
        ['Sam Lee', '2026-11-18', 1],
        ['Bill Carter', '2026-11-15', 0],
      ]);
      // Points: Priya 3 tools → 2, AI yes → 1 = 3; Sam 1 tool → 1, no AI = 1; Bill none = 0.
      // Mean (3 + 1 + 0) / 3 = 1.33 < 1.50 → low. Sent: Jo, Priya, Sam, Ana + Bill (by paper) = 5; completed 3.
      expect(r.audit).toMatchObject({ surveys_sent: 5, surveys_completed: 3, team_size: 5, digital_maturity: 'low' });
      expect(r.audit.current_tools_summary).toBe('Excel (2), Buildsoft (1), Outlook (1) — from 3 survey responses');
      const priya = await database().query<{ question: string; answer: string | null; survey_completed: boolean; survey_completed_date: string; survey_sent_date: string }>(
        'select question, answer, survey_completed, survey_completed_date::text, survey_sent_date::text from survey_responses where contact_id = $1 order by question',
        [w.people.Priya],
      );
      expect(priya.every((x) => x.survey_completed && x.survey_completed_date === '2026-11-12' && x.survey_sent_date === '2026-11-10')).toBe(true);
      expect(priya.find((x) => x.question === 'Task 1: time before AI (minutes)')?.answer).toBe('240');
      expect(priya.find((x) => x.question === 'What is your name?')?.answer).toBeNull(); // sent, not answered
      const bill = await database().query<{ survey_sent: boolean; survey_sent_date: string }>(
        'select survey_sent, survey_sent_date::text from survey_responses where contact_id = $1',
        [w.people.Bill],
      );
      expect(bill.every((x) => x.survey_sent && x.survey_sent_date === '2026-11-15')).toBe(true);
      expect(await auditLog(database(), w.audit.id as string)).toContainEqual({ action: 'update', table_name: 'audits', operation: 'assessment.record_surveys_completed' });

      // Jo completes too: 3 tools + AI = 3 → (3 + 1 + 0 + 3) / 4 = 1.75 → medium.
      const r2 = await recordSurveysCompleted(c(), {
        id: w.audit.id as string,
        responses: [{ contact_id: w.people.Jo!, answers: [{ question: sw, answer: 'Xero, Excel, Procore' }, { question: 'Which AI have you used?', answer: 'Claude' }] }],
      });
      expect(r2.audit).toMatchObject({ surveys_completed: 4, digital_maturity: 'medium' });

      // Sam resubmits with no tasks: answers replaced, the stale task answers cleared, counted once.
      const r3 = await recordSurveysCompleted(c(), { id: w.audit.id as string, responses: [{ contact_id: w.people.Sam!, answers: [{ question: sw, answer: 'Excel, Procore, Teams' }] }] });
      expect([r3.completed, r3.updated]).toEqual([0, 1]);
      // Sam now 3 tools → 2, his earlier AI answer (No) stands → 0 → (3 + 2 + 0 + 3) / 4 = 2.00 → medium
      expect(r3.audit).toMatchObject({ surveys_completed: 4, digital_maturity: 'medium' });
      const sam = await database().query<{ answer: string | null }>("select answer from survey_responses where contact_id = $1 and question like 'Task 1:%'", [w.people.Sam]);
      expect(sam.map((x) => x.answer)).toEqual([null, null, null]);
    });

    it('refuses bad answers, per response and field, writing nothing', async () => {
      const w = await world();
      await recordSurveysSent(c(), { id: w.audit.id as string, sent_date: '2026-11-16', contact_ids: [w.people.Jo!, w.people.Priya!] });
      const before = await counts(database(), TABLES);
      const e = await refusal(
        recordSurveysCompleted(c(), {
          id: w.audit.id as string,
          responses: [
            { contact_id: w.people.Jo!, answers: [{ question: 'Task 1: name', answer: 'X' }, { question: 'Task 1: frequency', answer: 'fortnightly' }] },
            { contact_id: w.people.Priya!, answers: [] },
            { contact_id: w.people.Jo!, answers: [{ question: 'Q', answer: 'A' }, { question: 'q ', answer: 'B' }], completed_date: '2026-12-01' },
          ],
        }),
      );
      expect(fieldsOf(e)).toEqual([
        'responses[0].answers[1].answer',
        'responses[1].answers',
        'responses[2].contact_id',
        'responses[2].completed_date',
        'responses[2].answers[1].question',
      ]);
      const e2 = await refusal(recordSurveysCompleted(c(), { id: w.audit.id as string, responses: [{ contact_id: w.people.Jo!, completed_date: '2026-11-15', answers: [{ question: 'Q', answer: 'A' }] }] }));
      expect(e2.details.fields).toEqual([{ field: 'responses[0].completed_date', message: 'is before the survey was sent (2026-11-16)' }]);
      expect(await counts(database(), TABLES)).toEqual(before);
    });

    it('is all-or-nothing when a write fails midway', async () => {
      const w = await world();
      await recordSurveysSent(c(), { id: w.audit.id as string, contact_ids: [w.people.Jo!, w.people.Priya!] });
      const before = await counts(database(), TABLES);
      const auditBefore = await getRecord(c(), resource('audits'), w.audit.id as string);
      await withFailingTrigger('survey_responses', 'answer', 'Boom', async () => {
        await expect(
          recordSurveysCompleted(c(), {
            id: w.audit.id as string,
            responses: [
              { contact_id: w.people.Jo!, answers: [{ question: 'What is your name?', answer: 'Jo' }] },
              { contact_id: w.people.Priya!, answers: [{ question: 'What is your name?', answer: 'Boom' }] },
            ],
          }),
        ).rejects.toThrow();
      });
      expect(await counts(database(), TABLES)).toEqual(before);
      expect(await getRecord(c(), resource('audits'), w.audit.id as string)).toEqual(auditBefore);
      const [answered] = await database().query<{ n: number }>('select count(*)::int as n from survey_responses where contact_id = $1 and answer is not null', [w.people.Jo]);
      expect(answered!.n).toBe(0);
    });

    it('tracks the pre-training survey apart from the audit counters', async () => {
      const w = await world();
      const sent = await recordSurveysSent(c(), { id: w.audit.id as string, survey_type: 'pre_training', contact_ids: [w.people.Jo!, w.people.Sam!] });
      expect(sent.audit).toMatchObject({ surveys_sent: 0 });
      const done = await recordSurveysCompleted(c(), {
        id: w.audit.id as string,
        survey_type: 'pre_training',
        responses: [{ contact_id: w.people.Sam!, answers: [{ question: 'When are you available for training sessions?', answer: 'Tuesday mornings' }] }],
      });
      expect(done.audit).toMatchObject({ surveys_sent: 0, surveys_completed: 0 });
      const o = await auditOutstanding(c(), { id: w.audit.id as string, survey_type: 'pre_training' });
      expect(o.counts).toEqual({ org_chart: 5, completed: 1, awaiting: 1, not_sent: 2, no_email: 1, outstanding: 4 });
      const audit = await auditOutstanding(c(), { id: w.audit.id as string });
      expect(audit.counts).toMatchObject({ completed: 0, awaiting: 0 });
    });
  });

  describe('outstanding', () => {
    it('groups the org chart: no email, never sent, awaiting, completed', async () => {
      const w = await world();
      await recordSurveysSent(c(), { id: w.audit.id as string, sent_date: '2026-11-16', contact_ids: [w.people.Jo!, w.people.Priya!] });
      await recordSurveysCompleted(c(), { id: w.audit.id as string, responses: [{ contact_id: w.people.Priya!, completed_date: '2026-11-17', answers: [{ question: 'What is your job role?', answer: 'Estimator' }] }] });
      // Someone archived is no longer on the org chart.
      const gone = await insertRecord(c(), resource('contacts'), { company_id: w.company.id, name: 'Left Already', email: 'left@smith.example' });
      await archiveRecord(c(), resource('contacts'), gone.id as string);
      const o = await auditOutstanding(c(), { id: w.audit.id as string });
      expect(o.counts).toEqual({ org_chart: 5, completed: 1, awaiting: 1, not_sent: 2, no_email: 1, outstanding: 4 });
      expect(o.no_email.map((p) => p.name)).toEqual(['Bill Carter']);
      expect(o.not_sent.map((p) => p.name)).toEqual(['Ana Ruiz', 'Sam Lee']);
      expect(o.awaiting).toEqual([expect.objectContaining({ name: 'Jo Smith', email: 'jo@smith.example', sent_date: '2026-11-16' })]);
      expect(o.completed).toEqual([expect.objectContaining({ name: 'Priya Nair', completed_date: '2026-11-17' })]);
      expect((await refusal(auditOutstanding(c(), { id: '00000000-0000-4000-8000-000000000000' }))).code).toBe('NOT_FOUND');
    });
  });

  describe('the baseline', () => {
    async function completedWorld() {
      const w = await world();
      await recordSurveysSent(c(), { id: w.audit.id as string, sent_date: '2026-11-16', contact_ids: [w.people.Priya!, w.people.Sam!, w.people.Jo!] });
      await recordSurveysCompleted(c(), {
        id: w.audit.id as string,
        responses: [
          {
            contact_id: w.people.Priya!,
            answers: [{ question: 'What software does each task use?', answer: 'Excel, Buildsoft' }],
            tasks: [
              { task_name: 'Prepare cost estimates', task_description: 'From drawings to a priced estimate', software_used: 'Excel, Buildsoft', frequency: 'per_project', time_before_ai: 240 },
              { task_name: 'Supplier quotes', software_used: 'Email', frequency: 'weekly', time_before_ai: 90 },
            ],
          },
          { contact_id: w.people.Sam!, tasks: [{ task_name: 'Progress report', frequency: 'weekly', time_before_ai: 60 }] },
        ],
      });
      const [row] = await database().query<{ id: string }>("select id from survey_responses where contact_id = $1 and question = 'Task 1: name'", [w.people.Priya]);
      return { ...w, priyaRow: row!.id };
    }

    it('creates contact_tasks from a completed response, once', async () => {
      const w = await completedWorld();
      const r = await createTasksFromResponse(c(), { id: w.priyaRow });
      expect([r.created, r.existing]).toEqual([2, 0]);
      const tasks = await database().query<Row>(
        'select task_name, task_description, software_used, frequency, time_before_ai, contact_id, company_id, survey_response_id, ai_adoption_status from contact_tasks where contact_id = $1 order by task_name',
        [w.people.Priya],
      );
      expect(tasks).toEqual([
        { task_name: 'Prepare cost estimates', task_description: 'From drawings to a priced estimate', software_used: 'Excel, Buildsoft', frequency: 'per_project', time_before_ai: 240, contact_id: w.people.Priya, company_id: w.company.id, survey_response_id: w.priyaRow, ai_adoption_status: 'not_started' },
        { task_name: 'Supplier quotes', task_description: null, software_used: 'Email', frequency: 'weekly', time_before_ai: 90, contact_id: w.people.Priya, company_id: w.company.id, survey_response_id: expect.any(String), ai_adoption_status: 'not_started' },
      ]);
      expect(await auditLog(database(), r.tasks[0]!.id)).toEqual([{ action: 'create', table_name: 'contact_tasks', operation: 'assessment.create_tasks_from_survey' }]);

      // Again, from any row of the same survey: nothing new. Nor after a task is archived.
      await archiveRecord(c(), resource('contact_tasks'), r.tasks[1]!.id);
      const before = await counts(database(), TABLES);
      const [other] = await database().query<{ id: string }>("select id from survey_responses where contact_id = $1 and question = 'What is your name?'", [w.people.Priya]);
      const again = await createTasksFromResponse(c(), { id: other!.id });
      expect([again.created, again.existing]).toEqual([0, 2]);
      expect(await counts(database(), TABLES)).toEqual(before);
    });

    it('links a task of the same name made by hand instead of duplicating it', async () => {
      const w = await completedWorld();
      const manual = await insertRecord(c(), resource('contact_tasks'), { contact_id: w.people.Priya, company_id: w.company.id, task_name: 'prepare cost estimates' });
      const r = await createTasksFromResponse(c(), { id: w.priyaRow });
      expect(r.tasks.map((t) => [t.task_name, t.status])).toEqual([
        ['prepare cost estimates', 'existing'],
        ['Supplier quotes', 'created'],
      ]);
      expect((await getRecord(c(), resource('contact_tasks'), manual.id as string)).survey_response_id).toBe(w.priyaRow);
    });

    it('refuses a survey that is not completed and a response it cannot see', async () => {
      const w = await completedWorld();
      const [row] = await database().query<{ id: string }>('select id from survey_responses where contact_id = $1 limit 1', [w.people.Jo]);
      const before = await counts(database(), TABLES);
      const e = await refusal(createTasksFromResponse(c(), { id: row!.id }));
      expect(e.code).toBe('CONFLICT');
      expect((await refusal(createTasksFromResponse(c(), { id: '00000000-0000-4000-8000-000000000000' }))).code).toBe('NOT_FOUND');
      expect(await counts(database(), TABLES)).toEqual(before);
    });

    it('builds the whole baseline of an audit with the working shown, idempotently', async () => {
      const w = await completedWorld();
      const r = await buildBaseline(c(), { id: w.audit.id as string });
      expect([r.tasks_created, r.tasks_existing]).toEqual([3, 0]);
      expect(r.respondents.map((p) => [p.name, p.created])).toEqual([
        ['Priya Nair', 2],
        ['Sam Lee', 1],
      ]);
      // Priya: Excel, Buildsoft (questions) + Email (Task 2) = 3 tools → 2; no AI answer → 2.
      // Sam: no software named → 0. Mean (2 + 0) / 2 = 1.00 → low.
      expect(r.derivation.digital_maturity).toMatchObject({ level: 'low', mean: '1.00', respondents: 2 });
      expect(r.derivation.team_size).toMatchObject({ value: 5, org_chart: 5, respondents: 2 });
      expect(r.audit).toMatchObject({ surveys_sent: 3, surveys_completed: 2, team_size: 5, digital_maturity: 'low' });
      const again = await buildBaseline(c(), { id: w.audit.id as string });
      expect([again.tasks_created, again.tasks_existing]).toEqual([0, 3]);
    });
  });

  describe('generic writes keep the counters right', () => {
    it('an update, archive or delete of a response through the generic layer re-counts its audit', async () => {
      const w = await world();
      await recordSurveysSent(c(), { id: w.audit.id as string, contact_ids: [w.people.Jo!], questions: ['Only question?'] });
      const [row] = await database().query<{ id: string }>('select id from survey_responses where contact_id = $1', [w.people.Jo]);
      await updateRecord(c(), resource('survey_responses'), row!.id, { survey_completed: true, survey_completed_date: '2026-11-18', answer: 'Yes' });
      expect(await getRecord(c(), resource('audits'), w.audit.id as string)).toMatchObject({ surveys_sent: 1, surveys_completed: 1 });
      expect(await auditLog(database(), w.audit.id as string)).toContainEqual({ action: 'update', table_name: 'audits', operation: 'survey_responses.counters' });
      await archiveRecord(c(), resource('survey_responses'), row!.id);
      expect(await getRecord(c(), resource('audits'), w.audit.id as string)).toMatchObject({ surveys_sent: 0, surveys_completed: 0 });
      const created = await insertRecord(c(), resource('survey_responses'), { contact_id: w.people.Sam, company_id: w.company.id, audit_id: w.audit.id, survey_type: 'audit', question: 'Q', survey_sent: true });
      expect(await getRecord(c(), resource('audits'), w.audit.id as string)).toMatchObject({ surveys_sent: 1 });
      await deleteRecord(c(), resource('survey_responses'), created.id as string);
      expect(await getRecord(c(), resource('audits'), w.audit.id as string)).toMatchObject({ surveys_sent: 0 });
    });
  });

  describe('through HTTP', () => {
    const json = (body: unknown): RequestInit => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

    it('runs steps 5–6 as an editor', async () => {
      const app = await signIn(createApp({ database: database(), identity: FAST_IDENTITY, timeZone: 'UTC' }), database(), 'editor');
      const company = await companyAt(c(), 'meeting_complete');
      const s = await app.request(`/api/v1/companies/${company.id}/audit`, json({ audit_date: '2025-01-06' }));
      expect(s.status).toBe(201);
      const { audit } = (await s.json()) as { audit: { id: string } };
      const again = await app.request(`/api/v1/companies/${company.id}/audit`, json({}));
      expect(again.status, await again.clone().text()).toBe(409);

      const o = await app.request(`/api/v1/companies/${company.id}/org-chart`, json({ people: ORG_CHART }));
      expect(o.status).toBe(200);
      const chart = (await o.json()) as { created: number; people: { id: string; name: string }[] };
      expect(chart.created).toBe(5);
      const bad = await app.request(`/api/v1/companies/${company.id}/org-chart`, json({ people: [{ name: 'X' }, { name: 'Y', email: 'nope' }] }));
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as { errors?: unknown; fields?: { field: string }[] })).toMatchObject({ code: 'VALIDATION' });

      const ids = chart.people.map((p) => p.id);
      const sent = await app.request(`/api/v1/audits/${audit.id}/surveys/sent`, json({ contact_ids: ids.slice(0, 3), sent_date: '2025-01-07' }));
      expect(sent.status).toBe(200);
      const done = await app.request(
        `/api/v1/audits/${audit.id}/surveys/completed`,
        json({ responses: [{ contact_id: ids[1], completed_date: '2025-01-08', tasks: [{ task_name: 'Estimates', frequency: 'weekly', time_before_ai: 120 }] }] }),
      );
      expect(done.status).toBe(200);
      expect(((await done.json()) as { audit: Row }).audit).toMatchObject({ surveys_sent: 3, surveys_completed: 1 });
      const badTask = await app.request(`/api/v1/audits/${audit.id}/surveys/completed`, json({ responses: [{ contact_id: ids[1], tasks: [{ task_name: 'X', frequency: 'hourly' }] }] }));
      expect(badTask.status).toBe(400);

      const out = await app.request(`/api/v1/audits/${audit.id}/outstanding`);
      expect(out.status).toBe(200);
      expect(((await out.json()) as { counts: Row }).counts).toEqual({ org_chart: 5, completed: 1, awaiting: 2, not_sent: 1, no_email: 1, outstanding: 4 });
      const pre = await app.request(`/api/v1/audits/${audit.id}/outstanding?survey_type=pre_training`);
      expect(((await pre.json()) as { counts: Row }).counts).toMatchObject({ completed: 0, not_sent: 4 });

      const [row] = await database().query<{ id: string }>('select id from survey_responses where contact_id = $1 limit 1', [ids[1]]);
      const t = await app.request(`/api/v1/survey_responses/${row!.id}/tasks`, { method: 'POST' });
      expect(t.status).toBe(200);
      expect(((await t.json()) as { created: number }).created).toBe(1);
      const b = await app.request(`/api/v1/audits/${audit.id}/baseline`, { method: 'POST' });
      expect(b.status).toBe(200);
      expect(((await b.json()) as { tasks_existing: number }).tasks_existing).toBe(1);
      // The generic audit routes are still there.
      expect((await app.request(`/api/v1/audits/${audit.id}`)).status).toBe(200);
      const [actor] = await database().query<{ actor_type: string; actor_id: string; on_behalf_of: string | null }>(
        "select actor_type, actor_id, on_behalf_of from audit_log where operation = 'assessment.start_audit' and record_id = $1",
        [audit.id],
      );
      expect([actor!.actor_id, actor!.on_behalf_of]).toContain(app.user.id);
    });

    it('refuses every write verb to a viewer (403) and changes nothing; the viewer may read who is outstanding', async () => {
      const w = await world();
      await recordSurveysSent(c(), { id: w.audit.id as string, contact_ids: [w.people.Jo!] });
      await recordSurveysCompleted(c(), { id: w.audit.id as string, responses: [{ contact_id: w.people.Jo!, tasks: [{ task_name: 'Sign off' }] }] });
      const [row] = await database().query<{ id: string }>('select id from survey_responses where contact_id = $1 limit 1', [w.people.Jo]);
      const fresh = await companyAt(c(), 'meeting_complete');
      const viewer = await signIn(createApp({ database: database(), identity: FAST_IDENTITY, timeZone: 'UTC' }), database(), 'viewer');
      const before = await counts(database(), TABLES);
      const attempts: [string, unknown][] = [
        [`/api/v1/companies/${fresh.id}/audit`, {}],
        [`/api/v1/companies/${w.company.id}/org-chart`, { people: [{ name: 'Sneaky' }] }],
        [`/api/v1/audits/${w.audit.id}/surveys/sent`, { contact_ids: [w.people.Sam] }],
        [`/api/v1/audits/${w.audit.id}/surveys/completed`, { responses: [{ contact_id: w.people.Sam, answers: [{ question: 'Q', answer: 'A' }] }] }],
        [`/api/v1/survey_responses/${row!.id}/tasks`, {}],
        [`/api/v1/audits/${w.audit.id}/baseline`, {}],
      ];
      for (const [path, body] of attempts) {
        const r = await viewer.request(path, json(body));
        expect(r.status, path).toBe(403);
      }
      const after = await counts(database(), TABLES);
      // The viewer's own refusals are audited (audit_log grows), nothing else changes.
      expect({ ...after, audit_log: 0 }).toEqual({ ...before, audit_log: 0 });
      expect((await getRecord(c(), resource('companies'), fresh.id as string)).status).toBe('meeting_complete');
      const o = await viewer.request(`/api/v1/audits/${w.audit.id}/outstanding`);
      expect(o.status).toBe(200);
    });

    it("under own-record visibility, another editor's audit does not exist for you: 404 on every verb, nothing written", async () => {
      const w = await world();
      await recordSurveysSent(c(), { id: w.audit.id as string, contact_ids: [w.people.Jo!] });
      await recordSurveysCompleted(c(), { id: w.audit.id as string, responses: [{ contact_id: w.people.Jo!, tasks: [{ task_name: 'Sign off' }] }] });
      const [row] = await database().query<{ id: string }>('select id from survey_responses where contact_id = $1 limit 1', [w.people.Jo]);
      const fresh = await companyAt(c(), 'meeting_complete');
      const app = createApp({ database: database(), identity: FAST_IDENTITY, timeZone: 'UTC' });
      const admin = await signIn(app, database(), 'admin');
      const bob = await signIn(app, database(), 'editor');
      const mode = (m: string) => admin.request('/api/v1/settings', { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ record_visibility: m }) });
      expect((await mode('own')).status).toBe(200);
      try {
        const before = await counts(database(), TABLES);
        const auditBefore = JSON.stringify(await database().query('select * from audits where id = $1', [w.audit.id]));
        const attempts: [string, unknown][] = [
          [`/api/v1/companies/${fresh.id}/audit`, {}],
          [`/api/v1/companies/${w.company.id}/org-chart`, { people: [{ name: 'Sneaky' }] }],
          [`/api/v1/audits/${w.audit.id}/surveys/sent`, { contact_ids: [w.people.Sam] }],
          [`/api/v1/audits/${w.audit.id}/surveys/completed`, { responses: [{ contact_id: w.people.Sam, answers: [{ question: 'Q', answer: 'A' }] }] }],
          [`/api/v1/survey_responses/${row!.id}/tasks`, {}],
          [`/api/v1/audits/${w.audit.id}/baseline`, {}],
        ];
        for (const [path, body] of attempts) expect((await bob.request(path, json(body))).status, path).toBe(404);
        expect((await bob.request(`/api/v1/audits/${w.audit.id}/outstanding`)).status).toBe(404);
        const after = await counts(database(), TABLES);
        expect({ ...after, audit_log: 0 }).toEqual({ ...before, audit_log: 0 });
        expect(JSON.stringify(await database().query('select * from audits where id = $1', [w.audit.id]))).toBe(auditBefore);
        expect((await getRecord(c(), resource('companies'), fresh.id as string)).status).toBe('meeting_complete');
      } finally {
        expect((await mode('all')).status).toBe(200);
      }
    });
  });
});
