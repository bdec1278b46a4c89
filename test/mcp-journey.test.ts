/**
 * Issue 6's "done when": an MCP client operates every workflow of seed 000 end to end, on
 * both transports. The SDK's own Client takes a new prospect through the sales steps, the
 * audit, go/no-go, the proposal and its acceptance, then delivery (workspace, licences, an
 * MCP server and a Skill built and deployed, tasks, training, measurements, support, usage,
 * invoices) to the month-3 ROI report, its trend and the portfolio: seed 000 steps 1–24
 * with MCP tools only, once over streamable HTTP (/mcp with an editor's API key) and once
 * over stdio (`throughline mcp --user …` as a child process that opens the database itself).
 *
 * The figures are the ones test/delivery-journey.test.ts reaches through the HTTP API.
 * Administrative setup an editor's agent may not do (the exchange rates, a capacity row) is
 * done outside MCP: with an administrator's API key over HTTP, or with the CLI on the
 * database the stdio server uses; everything else is MCP tool calls.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import type http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createApp } from '../src/api/app.ts';
import { openDatabase } from '../src/db/client.ts';
import { FAST_IDENTITY, signIn, type SignedIn } from './auth.ts';
import { dbSuite } from './db.ts';
import { serveApp, stopServer } from './servers.ts';

type App = ReturnType<typeof createApp>;
type Json = Record<string, any>;
type Query = <T = Json>(text: string, params?: unknown[]) => Promise<T[]>;

const ROOT = path.resolve(import.meta.dirname, '..');
const BIN = path.join(ROOT, 'bin/throughline.js');
const JOURNEY_TIMEOUT = 300_000;
/** Generous per call: the machine is shared, and a report renders a PDF. */
const CALL_TIMEOUT = { timeout: 120_000 };

/** The 26 tools an editor's agent is offered (src/mcp/tools.ts). */
const TOOLS = [
  'log_prospect', 'log_interaction', 'follow_ups_due', 'schedule_meeting', 'start_audit', 'survey_outstanding', 'record_go_no_go',
  'create_proposal', 'accept_proposal', 'schedule_training', 'log_attendance', 'record_task_time', 'log_work', 'log_support_ticket',
  'record_usage', 'monthly_report', 'aggregate', 'roi_trend', 'describe_schema', 'search', 'get', 'list', 'create', 'update', 'lookup', 'act',
];

/** The operations the journey's writes are audited under (their data changes carry the operation's name)… */
const OPERATIONS = [
  'sales.log_prospect', 'sales.log_interaction', 'sales.schedule_meeting', 'sales.complete_meeting',
  'assessment.start_audit', 'assessment.import_org_chart', 'assessment.record_surveys_sent', 'assessment.record_surveys_completed',
  'assessment.build_baseline', 'assessment.decide', 'assessment.create_proposal', 'assessment.accept_proposal',
  'delivery.deploy_asset', 'delivery.link_asset_to_task', 'delivery.schedule_session', 'delivery.invite_to_session',
  'delivery.record_attendance', 'delivery.complete_session', 'delivery.record_measurement', 'support.resolve_ticket',
  'usage.ingest', 'billing.send_invoice', 'billing.pay_invoice',
];
/** …and the generic creates and updates (log_work and log_support_ticket among them), audited by action and table. */
const RECORD_WRITES = [
  'create companies', 'create contacts', 'create interactions', 'update companies', 'create audits', 'create contact_tasks',
  'create go_no_go_decisions', 'create proposals', 'create engagements', 'update engagements', 'create ai_licenses', 'create ai_assets',
  'create work_completed', 'update contact_tasks', 'create training_sessions', 'create task_measurements',
  'create support_tickets', 'update support_tickets', 'create invoices', 'update invoices', 'create ai_usage',
  'status_change companies', 'status_change engagements',
];

const isoDay = (d: Date) => d.toISOString().slice(0, 10);
const daysFromNow = (n: number) => new Date(Date.now() + n * 86_400_000);

/** An MCP client as the agent: every tool call counted, results read as structured content. */
class Agent {
  calls = 0;
  /** Calls answered with an error, and dry runs: their tool_call rows say so. */
  errors = 0;
  dryRuns = 0;
  /** Calls per tool. */
  readonly byTool = new Map<string, number>();
  constructor(readonly client: Client) {}

  async raw(name: string, args: Json = {}): Promise<CallToolResult> {
    this.calls++;
    this.byTool.set(name, (this.byTool.get(name) ?? 0) + 1);
    return (await this.client.callTool({ name, arguments: args }, undefined, CALL_TIMEOUT)) as CallToolResult;
  }

  /** A call that must succeed: its structured content. */
  async call(name: string, args: Json = {}): Promise<Json> {
    const r = await this.raw(name, args);
    if (args.dry_run === true) this.dryRuns++;
    expect(r.isError ?? false, `${name} ${JSON.stringify(args).slice(0, 400)}: ${JSON.stringify(r.content).slice(0, 2000)}`).toBe(false);
    expect(r.structuredContent, `${name} answers with structured content`).toBeDefined();
    return r.structuredContent as Json;
  }

  /** A call that must be refused: the error it answers with. */
  async refused(name: string, args: Json = {}): Promise<{ code: string; message: string; fields?: { field: string; message: string }[] }> {
    const r = await this.raw(name, args);
    this.errors++;
    expect(r.isError, `${name} should have been refused: ${JSON.stringify(r.content).slice(0, 1000)}`).toBe(true);
    return (r.structuredContent as Json).error;
  }
}

/**
 * Seed 000 steps 1–24, with MCP tools only. `web` is the base of the web links the server
 * gives; `tag` makes the company's name unique in a database two journeys share.
 */
async function journey(agent: Agent, opts: { web: string; tag: string }): Promise<void> {
  const { web, tag } = opts;
  const link = (table: string, id: string) => `${web}/${table}/${id}`;

  // The agent finds out what it may do: every tool, and the fields of a table.
  const { tools } = await agent.client.listTools();
  expect(tools.map((t) => t.name).sort()).toEqual([...TOOLS].sort());
  const companiesSchema = await agent.call('describe_schema', { table: 'companies' });
  expect(companiesSchema.fields.find((f: Json) => f.name === 'status')).toBeDefined();
  expect(companiesSchema.fields.find((f: Json) => f.name === 'source').values).toContain('cold_walk_in');

  // Step 1: the prospect, and the director met on the walk-in.
  const name = `Smith Building Group ${tag}`;
  const domain = `smith-${tag}.example`;
  const prospect = await agent.call('log_prospect', {
    company: { name, website: `https://${domain}`, employee_count: 12, location: 'Bondi Junction', source: 'cold_walk_in' },
    contact: { name: 'Dana Owner', email: `dana@${domain}`, role_title: 'Director' },
  });
  const C = prospect.company.id as string;
  const dana = prospect.contact.id as string;
  expect(prospect.company).toMatchObject({ name, status: 'lead', web_url: link('companies', C) });
  expect(prospect.company.web_url.endsWith(`/companies/${C}`)).toBe(true);
  expect(prospect.contact).toMatchObject({ name: 'Dana Owner', company_id: C, web_url: link('contacts', dana) });
  const found = await agent.call('search', { q: name, tables: ['companies'] });
  expect(found.results).toEqual([expect.objectContaining({ table: 'companies', id: C, name, web_url: link('companies', C) })]);

  // Step 2: first contact, with a follow-up in a few days: the company is contacted.
  const followUp = isoDay(daysFromNow(3));
  const first = await agent.call('log_interaction', {
    company_id: C,
    contact_id: dana,
    interaction: { type: 'cold_walk_in', summary: 'Walked in, met Dana; estimating is slow', outcome: 'interested', next_step: 'Call back about a meeting', follow_up_date: followUp },
  });
  expect(first.interaction).toMatchObject({ company_id: C, follow_up_date: followUp, web_url: link('interactions', first.interaction.id) });
  expect((await agent.call('get', { table: 'companies', id: C })).status).toBe('contacted');

  // Step 3: who needs a follow-up; the call back is logged as a new interaction.
  const window = { from: isoDay(daysFromNow(-3)), to: isoDay(daysFromNow(10)) };
  const due = await agent.call('follow_ups_due', window);
  expect(due.items.filter((i: Json) => i.company.id === C)).toEqual([
    expect.objectContaining({ interaction_id: first.interaction.id, follow_up_date: followUp, overdue: false, company: expect.objectContaining({ id: C, status: 'contacted' }) }),
  ]);
  await agent.call('log_interaction', { company_id: C, contact_id: dana, interaction: { type: 'follow_up_call', summary: 'Agreed to meet', outcome: 'meeting_booked' } });
  const answered = await agent.call('follow_ups_due', window);
  expect(answered.items.filter((i: Json) => i.company.id === C)).toEqual([]);

  // Step 4: the first meeting, scheduled and then completed.
  const meeting = await agent.call('schedule_meeting', {
    company_id: C,
    contact_id: dana,
    meeting: { scheduled_at: daysFromNow(5).toISOString(), meeting_type: 'discovery', subject: 'First meeting' },
  });
  expect((await agent.call('get', { table: 'companies', id: C })).status).toBe('meeting_scheduled');
  const meetingId = meeting.meeting.id as string;
  expect(meeting.meeting).toMatchObject({ company_id: C, meeting_status: 'scheduled', web_url: link('interactions', meetingId) });
  await agent.call('act', {
    action: 'sales.complete_meeting',
    input: { id: meetingId, result: { summary: 'Estimating takes days; excited about take-offs', outcome: 'interested', next_step: 'Propose an audit' } },
  });
  expect((await agent.call('get', { table: 'companies', id: C })).status).toBe('meeting_complete');

  // Step 5: the audit, the org chart (a bulk change: refused without confirm, tried as a dry run, then confirmed).
  const audit = await agent.call('start_audit', { id: C, org_chart_received: true });
  const A = audit.audit.id as string;
  expect(audit.audit.web_url).toBe(link('audits', A));
  expect((await agent.call('get', { table: 'companies', id: C })).status).toBe('auditing');
  const orgChart = {
    id: C,
    people: [
      { name: 'Dana Owner', role_title: 'Director', email: `dana@${domain}` },
      { name: 'Sam Estimator', role_title: 'Estimator', email: `sam@${domain}` },
      { name: 'Lee Foreman', role_title: 'Site Supervisor' },
    ],
  };
  const importOp = await agent.call('describe_schema', { action: 'assessment.import_org_chart' });
  expect(importOp).toMatchObject({ action: 'assessment.import_org_chart', writes: true, confirm_required: true });
  const unconfirmed = await agent.refused('act', { action: 'assessment.import_org_chart', input: orgChart });
  expect(unconfirmed.code).toBe('PRECONDITION_FAILED');
  expect(unconfirmed.fields).toEqual([expect.objectContaining({ field: 'confirm' })]);
  const contactsOf = async () =>
    ((await agent.call('list', { table: 'contacts', filters: [{ field: 'company_id', op: 'eq', value: C }], sort: 'name' })).items as Json[]).map(
      (c) => [c.name, c.has_email] as const,
    );
  expect(await contactsOf()).toEqual([['Dana Owner', true]]);
  const dry = await agent.call('act', { action: 'assessment.import_org_chart', input: orgChart, dry_run: true });
  expect(dry).toMatchObject({ dry_run: true, nothing_changed: true });
  expect(dry.would_change.filter((c: Json) => c.table === 'contacts' && c.action === 'create')).toHaveLength(2);
  expect(await contactsOf()).toEqual([['Dana Owner', true]]);
  await agent.call('act', { action: 'assessment.import_org_chart', input: orgChart, confirm: true });
  expect(await contactsOf()).toEqual([
    ['Dana Owner', true],
    ['Lee Foreman', false],
    ['Sam Estimator', true],
  ]);
  const people = (await agent.call('list', { table: 'contacts', filters: [{ field: 'company_id', op: 'eq', value: C }], sort: 'name' })).items as Json[];
  const sam = people.find((p) => p.name === 'Sam Estimator')!.id as string;
  for (const p of people) expect(p.web_url).toBe(link('contacts', p.id));
  await agent.call('act', { action: 'assessment.record_surveys_sent', input: { id: A, survey_type: 'audit', contact_ids: [dana, sam] } });
  const outstanding = await agent.call('survey_outstanding', { id: A, survey_type: 'audit' });
  expect(outstanding.counts).toMatchObject({ org_chart: 3, completed: 0, awaiting: 2, not_sent: 0, no_email: 1, outstanding: 3 });
  expect(outstanding.no_email.map((p: Json) => p.name)).toEqual(['Lee Foreman']);
  expect(outstanding.awaiting.map((p: Json) => p.name).sort()).toEqual(['Dana Owner', 'Sam Estimator']);

  // Step 6: Sam's answers, and the baseline of tasks they give.
  await agent.call('act', {
    action: 'assessment.record_surveys_completed',
    input: { id: A, survey_type: 'audit', responses: [{ contact_id: sam, tasks: [{ task_name: 'Quantity take-offs', software_used: 'Excel', frequency: 'daily', time_before_ai: 30 }] }] },
  });
  const answeredSurveys = await agent.call('survey_outstanding', { id: A, survey_type: 'audit' });
  expect(answeredSurveys.counts).toMatchObject({ completed: 1, awaiting: 1, outstanding: 2 });
  expect(answeredSurveys.completed.map((p: Json) => p.name)).toEqual(['Sam Estimator']);
  await agent.call('act', { action: 'assessment.build_baseline', input: { id: A } });
  const baseline = (await agent.call('list', { table: 'contact_tasks', filters: [{ field: 'contact_id', op: 'eq', value: sam }] })).items as Json[];
  expect(baseline.map((t) => [t.task_name, t.frequency, t.time_before_ai])).toEqual([['Quantity take-offs', 'daily', 30]]);
  const T = baseline[0]!.id as string;

  // Step 7: go, weighed against free capacity.
  const decision = await agent.call('record_go_no_go', {
    id: C,
    decision: 'go',
    decision_rationale: 'Owner engaged, budget confirmed, an MCP server and a Skill worth building',
    recommended_package: 'AI Foundations',
    decision_maker_engagement: 'high',
    budget_confirmed: true,
    novel_mcps: 1,
    novel_skills: 1,
    estimated_value: '7000.00',
    currency: 'AUD',
  });
  const D = decision.decision.id as string;
  expect(decision.decision).toMatchObject({ decision: 'go', estimated_hours_per_week: '2.55', capacity_sufficient: true, web_url: link('go_no_go_decisions', D) });
  expect(decision.capacity).toMatchObject({ estimated_hours_per_week: '2.55', sufficient: true });
  expect((await agent.call('get', { table: 'companies', id: C })).status).toBe('go');

  // Steps 8–10: the proposal, sent; a question about it; accepted: an engagement in onboarding.
  const proposal = await agent.call('create_proposal', { go_no_go_id: D });
  const P = proposal.proposal.id as string;
  expect(proposal.proposal).toMatchObject({ status: 'sent', web_url: link('proposals', P) });
  expect((await agent.call('get', { table: 'companies', id: C })).status).toBe('proposal_sent');
  await agent.call('log_interaction', { company_id: C, contact_id: dana, interaction: { type: 'email', summary: 'Asked how the monthly fee works', outcome: 'next_step_agreed' } });
  const accepted = await agent.call('accept_proposal', {
    id: P,
    engagement: { name: 'AI Foundations', start_date: '2026-08-01', setup_fee: '4000.00', monthly_fee: '1000.00', hourly_rate_value: '90.00', estimated_hours: '40.00' },
  });
  const E = accepted.engagement.id as string;
  expect(accepted.engagement).toMatchObject({ company_id: C, proposal_id: P, status: 'onboarding', currency: 'AUD', web_url: link('engagements', E) });
  expect((await agent.call('get', { table: 'companies', id: C })).status).toBe('onboarding');

  // Step 11: the Claude workspace, and a licence per person.
  const before = await agent.call('get', { table: 'engagements', id: E });
  const workspace = `ws-${tag}`;
  await agent.call('update', { table: 'engagements', id: E, expected_version: before.version, data: { claude_workspace_id: workspace, claude_plan_type: 'team', claude_plan_setup: true, num_licenses: 2 } });
  for (const [person, email] of [[dana, `dana@${domain}`], [sam, `sam@${domain}`]] as const) {
    const licence = await agent.call('create', { table: 'ai_licenses', data: { engagement_id: E, contact_id: person, email, assigned_at: '2026-08-03T00:00:00.000Z', monthly_cost: '30.00', currency: 'USD' } });
    expect(licence.web_url).toBe(link('ai_licenses', licence.id));
  }

  // Steps 12–13: an MCP server and a Skill, built and deployed to the workspace, the hours logged.
  const mcp = await agent.call('create', { table: 'ai_assets', data: { kind: 'mcp', name: 'Procore MCP', engagement_id: E, built_date: '2026-08-06' } });
  const skill = await agent.call('create', { table: 'ai_assets', data: { kind: 'skill', name: 'Take-off Skill', engagement_id: E, built_date: '2026-08-07' } });
  // Deployed to the engagement's workspace (the default account).
  for (const asset of [mcp, skill]) await agent.call('act', { action: 'delivery.deploy_asset', input: { id: asset.id, deployed_at: '2026-08-08T00:00:00.000Z' } });
  await agent.call('log_work', { engagement_id: E, category: 'mcp_build', hours: '12.00', work_date: '2026-08-06', performed_by: 'Priya' });
  await agent.call('log_work', { engagement_id: E, category: 'skill_creation', hours: '5.50', work_date: '2026-08-07', performed_by: 'Priya' });
  expect((await agent.call('get', { table: 'engagements', id: E })).actual_hours).toBe('17.50');

  // Step 14: Sam's task from the audit, made part of the engagement and linked to the Skill.
  const task = await agent.call('get', { table: 'contact_tasks', id: T });
  expect(task).toMatchObject({ company_id: C, engagement_id: null, ai_adoption_status: 'not_started', time_before_ai: 30 });
  await agent.call('update', {
    table: 'contact_tasks',
    id: T,
    expected_version: task.version,
    data: { engagement_id: E, included_in_training: true, key_challenges: 'Re-keying drawings', issues_before_ai: 'Measurements re-typed from PDFs' },
  });
  await agent.call('act', { action: 'delivery.link_asset_to_task', input: { task_id: T, asset_id: skill.id } });
  // What was built, where it is deployed and which tasks it supports.
  const built = await agent.call('lookup', { action: 'delivery.built', input: { engagement_id: E } });
  expect(built.summary).toMatchObject({ built: 2, mcps: 1, skills: 1, deployed: 2, active_deployments: 2 });
  const builtAsset = (id: string) => built.items.find((a: Json) => a.id === id);
  for (const asset of [mcp, skill]) {
    expect(builtAsset(asset.id)).toMatchObject({ status: 'deployed', deployments: [expect.objectContaining({ account_ref: workspace, status: 'active', company_id: C })] });
  }
  expect(builtAsset(mcp.id).tasks).toEqual([]);
  expect(builtAsset(skill.id).tasks).toEqual([expect.objectContaining({ task_id: T, task_name: 'Quantity take-offs', contact_name: 'Sam Estimator' })]);

  // Step 15: the pre-training survey, sent and answered.
  await agent.call('act', { action: 'assessment.record_surveys_sent', input: { id: A, survey_type: 'pre_training', contact_ids: [dana, sam] } });
  await agent.call('act', {
    action: 'assessment.record_surveys_completed',
    input: { id: A, survey_type: 'pre_training', responses: [{ contact_id: sam, answers: [{ question: 'When can you attend training?', answer: 'Tuesday evenings' }] }] },
  });
  const preTraining = await agent.call('survey_outstanding', { id: A, survey_type: 'pre_training' });
  expect(preTraining.completed.map((p: Json) => p.name)).toEqual(['Sam Estimator']);
  expect(preTraining.awaiting.map((p: Json) => p.name)).toEqual(['Dana Owner']);

  // Steps 16–17: training, with a brief drawn from what each person does, attendance and completion.
  await agent.call('update', { table: 'engagements', id: E, data: { status: 'training' } });
  const scheduled = await agent.call('schedule_training', {
    session: { engagement_id: E, session_number: 1, title: 'Claude basics', scheduled_date: '2026-08-12T23:00:00.000Z', location: 'Site office', delivered_by: 'Jordan' },
    contact_ids: [dana, sam],
  });
  const S = scheduled.session.id as string;
  expect(scheduled.session.web_url).toBe(link('training_sessions', S));
  expect(scheduled.attendance.map((a: Json) => a.web_url)).toEqual(scheduled.attendance.map((a: Json) => link('training_attendance', a.id)));
  // Before the session, each attendee's survey answers, tasks and software.
  const brief = await agent.call('lookup', { action: 'delivery.training_brief', input: { id: S } });
  const briefOf = (contact: string) => brief.attendees.find((a: Json) => a.contact_id === contact);
  expect(briefOf(sam)).toMatchObject({
    name: 'Sam Estimator',
    software: ['Excel'],
    tasks: [expect.objectContaining({ id: T, task_name: 'Quantity take-offs', software_used: 'Excel', key_challenges: 'Re-keying drawings', assets: [expect.objectContaining({ kind: 'skill', name: 'Take-off Skill' })] })],
  });
  expect(briefOf(sam).survey).toContainEqual(expect.objectContaining({ survey_type: 'pre_training', answer: 'Tuesday evenings' }));
  expect(briefOf(dana)).toMatchObject({ name: 'Dana Owner', tasks: [] });
  await agent.call('log_attendance', { id: S, attendance: [{ contact_id: dana, attended: false }, { contact_id: sam, attended: true, progress: 'Built a prompt library', struggles: 'Reading drawings' }] });
  await agent.call('act', { action: 'delivery.complete_session', input: { id: S, completed_date: '2026-08-13T01:00:00.000Z' } });

  // Step 18: time after AI, measured each month.
  for (const [measured_on, minutes] of [['2026-08-20', 20], ['2026-09-15', 15], ['2026-10-10', 10]] as const) {
    const recorded = await agent.call('record_task_time', { task_id: T, measured_on, time_after_ai: minutes });
    expect(recorded.task.web_url).toBe(link('contact_tasks', T));
  }
  const measured = await agent.call('get', { table: 'contact_tasks', id: T });
  expect(measured).toMatchObject({ time_after_ai: 10, time_saved_minutes: 20, ai_adoption_status: 'in_progress' });
  await agent.call('update', { table: 'contact_tasks', id: T, expected_version: measured.version, data: { ai_adoption_status: 'adopted', issues_after_ai: 'Checks the Skill against odd drawings' } });

  // Step 19: training done, support begins.
  await agent.call('update', { table: 'engagements', id: E, data: { status: 'supporting' } });
  expect((await agent.call('get', { table: 'engagements', id: E })).status).toBe('supporting');
  // The history tells the story so far.
  const statuses = async (entity_type: string, id: string) =>
    ((await agent.call('lookup', { action: 'status_history.timeline', input: { entity_type, id } })).entries as Json[]).map((e) => e.status);
  expect(await statuses('company', C)).toEqual(['lead', 'contacted', 'meeting_scheduled', 'meeting_complete', 'auditing', 'go', 'proposal_sent', 'onboarding']);
  expect(await statuses('engagement', E)).toEqual(['onboarding', 'training', 'supporting']);

  // Step 20: a monthly check-in, and a support ticket numbered TKT-YYYY-NNN, resolved.
  await agent.call('log_interaction', { company_id: C, contact_id: sam, interaction: { type: 'call', summary: 'October check-in: take-offs in half the time', outcome: 'next_step_agreed', interaction_date: '2026-10-03T00:00:00.000Z' } });
  const ticket = await agent.call('log_support_ticket', { company_id: C, engagement_id: E, contact_id: sam, subject: 'MCP returns 401', category: 'mcp_issue', request_date: '2026-10-07T00:00:00.000Z' });
  expect(ticket.ticket_number).toMatch(/^TKT-2026-\d{3}$/);
  expect(ticket.web_url).toBe(link('support_tickets', ticket.id));
  await agent.call('act', { action: 'support.resolve_ticket', input: { id: ticket.id, resolution: 'Token refreshed', hours_spent: '1.50', resolved_at: '2026-10-07T06:00:00.000Z' } });

  // Step 21: usage, a batch the agent confirms; the same rows twice are duplicates; October as CSV.
  const usage = (month: string, days: number[]) => days.map((d) => ({ contact_id: sam, usage_date: `${month}-${String(d).padStart(2, '0')}`, tokens_used: 1000 * d, model: 'claude-sonnet-4-5' }));
  expect((await agent.refused('record_usage', { engagement_id: E, items: usage('2026-08', [10, 11]) })).code).toBe('PRECONDITION_FAILED');
  expect(await agent.call('record_usage', { engagement_id: E, items: usage('2026-08', [10, 11]), confirm: true })).toMatchObject({ received: 2, inserted: 2, duplicates: 0 });
  expect(await agent.call('record_usage', { engagement_id: E, items: usage('2026-08', [10, 11]), confirm: true })).toMatchObject({ inserted: 0, duplicates: 2 });
  await agent.call('record_usage', { engagement_id: E, items: usage('2026-09', [1, 2, 3]), confirm: true });
  const october = `contact_id,usage_date,tokens_used,model\n${sam},2026-10-05,5000,claude-sonnet-4-5\n${dana},2026-10-06,2500,claude-haiku-4-5\n`;
  expect(await agent.call('record_usage', { engagement_id: E, csv: october, confirm: true })).toMatchObject({ received: 2, inserted: 2 });

  // Invoices: the setup fee and one monthly fee a month, sent and paid.
  for (const [type, amount, issue] of [['setup', '4000.00', '2026-08-01'], ['monthly', '1000.00', '2026-08-01'], ['monthly', '1000.00', '2026-09-01'], ['monthly', '1000.00', '2026-10-01']] as const) {
    const invoice = await agent.call('create', { table: 'invoices', data: { company_id: C, engagement_id: E, invoice_type: type, amount, currency: 'AUD', issue_date: issue } });
    expect(invoice.invoice_number).toMatch(/^INV-2026-\d{3}$/);
    await agent.call('act', { action: 'billing.send_invoice', input: { id: invoice.id, issue_date: issue } });
    await agent.call('act', { action: 'billing.pay_invoice', input: { id: invoice.id, paid_date: issue } });
  }

  // Step 22: the month-3 report. Sam's daily task: 30 min before AI, then 20, 15 and 10 min;
  // weekdays: August 21, September 22, October 22 (test/delivery-journey.test.ts has the sums).
  const report = await agent.call('monthly_report', { engagement: E, month: '2026-10' });
  const trend = [
    ['2026-08', '3.50', '315.00', '5120.00'],
    ['2026-09', '5.50', '495.00', '1120.00'],
    ['2026-10', '7.33', '660.00', '1120.00'],
  ];
  expect(report.trend.map((p: Json) => [p.month, p.hours_saved, p.value, p.cost])).toEqual(trend);
  expect(report.usage.total_tokens).toBe(7500);
  expect(report.support).toMatchObject({ opened: 1, resolved: 1, hours_spent: '1.50', median_hours_to_resolve: '6.00' });
  expect(report.roi).toMatchObject({ value: '660.00', cumulative_value: '1470.00', cumulative_cost: '7360.00' });
  expect(report.rules.occurrences.daily).toMatch(/weekday/i);

  const pdf = await agent.raw('monthly_report', { engagement: E, month: '2026-10', format: 'pdf' });
  expect(pdf.isError ?? false).toBe(false);
  const pdfResource = pdf.content.find((c) => c.type === 'resource');
  expect(pdfResource && pdfResource.type === 'resource' && pdfResource.resource.mimeType).toBe('application/pdf');
  const blob = pdfResource && pdfResource.type === 'resource' && 'blob' in pdfResource.resource ? pdfResource.resource.blob : '';
  expect(Buffer.from(blob, 'base64').subarray(0, 5).toString()).toBe('%PDF-');
  expect((pdf.structuredContent as Json).file).toMatchObject({ content_type: 'application/pdf', bytes: Buffer.from(blob, 'base64').byteLength });
  const csv = await agent.raw('monthly_report', { engagement: E, month: '2026-10', format: 'csv' });
  const csvResource = csv.content.find((c) => c.type === 'resource');
  const csvText = csvResource && csvResource.type === 'resource' && 'text' in csvResource.resource ? csvResource.resource.text : '';
  expect(csvResource && csvResource.type === 'resource' && csvResource.resource.mimeType).toMatch(/^text\/csv/);
  // The file starts with a byte-order mark, for spreadsheets.
  const rows = parse(csvText, { columns: true, bom: true }) as Json[];
  expect(rows.some((r) => r.section === 'trend' && r.item === '2026-09' && r.value === '5.50')).toBe(true);

  // Step 23: the trend on its own, with the change from the first month to the last.
  const roiTrend = await agent.call('roi_trend', { engagement: E, month: '2026-10' });
  expect(roiTrend.trend.map((p: Json) => [p.month, p.hours_saved, p.value, p.cost])).toEqual(trend);
  expect(roiTrend.change).toMatchObject({ from: '2026-08', to: '2026-10', hours_saved: ['3.50', '7.33'], value: ['315.00', '660.00'] });
  expect(roiTrend.currency).toBe('AUD');

  // Step 24: the portfolio that feeds back into the next go/no-go.
  const portfolio = await agent.call('lookup', { action: 'report.portfolio', input: { month: '2026-10' } });
  expect(portfolio.engagements.find((l: Json) => l.engagement_id === E)).toMatchObject({ hours_saved: '7.33', trend: 'up' });
}

/**
 * The audit trail of one agent's journey: one tool_call row per call (by tool, with its
 * outcome), and every change the journey made, as the agent acting for the user.
 */
async function expectAudited(query: Query, agent: Agent, user: { id: string; email: string }) {
  const [n] = await query<{ n: number }>(`select count(*)::int as n from audit_log where action = 'tool_call' and on_behalf_of = $1`, [user.id]);
  expect(n!.n).toBe(agent.calls);
  const byTool = await query<{ tool: string; n: number }>(
    `select after->>'tool' as tool, count(*)::int as n from audit_log where action = 'tool_call' and on_behalf_of = $1 group by 1`,
    [user.id],
  );
  expect(Object.fromEntries(byTool.map((r) => [r.tool, r.n]))).toEqual(Object.fromEntries(agent.byTool));
  const outcomes = await query<{ outcome: string; n: number }>(
    `select after->>'outcome' as outcome, count(*)::int as n from audit_log where action = 'tool_call' and on_behalf_of = $1 group by 1`,
    [user.id],
  );
  expect(Object.fromEntries(outcomes.map((r) => [r.outcome, r.n]))).toEqual({ ok: agent.calls - agent.dryRuns - agent.errors, dry_run: agent.dryRuns, error: agent.errors });

  // Everything done for the user was done by the agent, and says so.
  const actors = await query<{ actor_type: string; actor_label: string }>('select distinct actor_type, actor_label from audit_log where on_behalf_of = $1', [user.id]);
  expect(actors).toHaveLength(1);
  expect(actors[0]!.actor_type).toBe('agent');
  expect(actors[0]!.actor_label.startsWith(`MCP agent for ${user.email} (`)).toBe(true);

  const changes = await query<{ operation: string | null; change: string }>(
    `select distinct operation, action || ' ' || table_name as change from audit_log where on_behalf_of = $1 and action <> 'tool_call'`,
    [user.id],
  );
  const operations = new Set(changes.map((r) => r.operation));
  for (const op of OPERATIONS) expect(operations.has(op), `${op} audited`).toBe(true);
  const records = new Set(changes.map((r) => r.change));
  for (const change of RECORD_WRITES) expect(records.has(change), `${change} audited`).toBe(true);
  // Each change shares its request id with the tool call that made it.
  const [orphans] = await query<{ n: number }>(
    `select count(*)::int as n from audit_log c where c.on_behalf_of = $1 and c.action <> 'tool_call'
       and not exists (select 1 from audit_log t where t.action = 'tool_call' and t.request_id = c.request_id and t.on_behalf_of = $1)`,
    [user.id],
  );
  expect(orphans!.n).toBe(0);
}

dbSuite('MCP journey: seed 000 from a new prospect to the month-3 report', ({ database, backend }) => {
  let app: App;
  let admin: SignedIn;
  let server: http.Server | undefined;
  let baseUrl: string;
  const clients: Client[] = [];
  const dirs: string[] = [];

  beforeAll(async () => {
    app = createApp({ database: database(), identity: FAST_IDENTITY });
    admin = await signIn(app, database(), 'admin');
    ({ server, base: baseUrl } = await serveApp(app));
  });
  afterAll(async () => {
    for (const c of clients) await c.close().catch(() => {});
    await stopServer(server);
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });

  it('takes a new prospect to the month-3 ROI report over streamable HTTP with an editor\'s API key, every call audited', async () => {
    const editor = await signIn(app, database(), 'editor');
    // Outside MCP, as an administrator: the exchange rates (settings.update is not offered to
    // agents) and the editor's capacity (capacity rows are an administrator's).
    const adminCall = async (method: string, url: string, body: unknown, status: number) => {
      const r = await app.request(url, { method, headers: { authorization: `Bearer ${admin.key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      expect(r.status, await r.clone().text()).toBe(status);
    };
    await adminCall('PATCH', '/api/v1/settings', { exchange_rates: { USD: '1', AUD: '0.5' } }, 200);
    await adminCall('POST', '/api/v1/capacity', { team_member: 'MCP Journey', user_id: editor.user.id, total_hours_per_week: '40.00', allocated_hours_per_week: '10.00' }, 201);

    const client = new Client({ name: 'mcp-journey-test', version: '1.0.0' });
    clients.push(client);
    await client.connect(new StreamableHTTPClientTransport(new URL(`${baseUrl}/mcp`), { requestInit: { headers: { authorization: `Bearer ${editor.key}` } } }));
    const agent = new Agent(client);
    await journey(agent, { web: baseUrl, tag: `http-${randomUUID().slice(0, 8)}` });
    await client.close();

    await expectAudited((text, params) => database().query(text, params), agent, editor.user);
  }, JOURNEY_TIMEOUT);

  it('takes a new prospect to the month-3 ROI report over stdio, from a child server that opens the database itself, every call audited', async () => {
    const tag = `stdio-${randomUUID().slice(0, 8)}`;
    const email = `agent-${tag}@example.com`;
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'throughline-mcp-journey-'));
    dirs.push(dataDir);
    // The child's configuration: this suite's PostgreSQL database, or a fresh embedded one.
    const inherited = Object.fromEntries(Object.entries(process.env).filter(([k, v]) => v !== undefined && k !== 'DATABASE_URL' && !k.startsWith('THROUGHLINE_'))) as Record<string, string>;
    const env: Record<string, string> = {
      ...inherited,
      THROUGHLINE_API_KEY: '',
      THROUGHLINE_URL: '',
      THROUGHLINE_LOG_LEVEL: 'error',
      NODE_NO_WARNINGS: '1',
      ...(backend === 'postgres'
        ? { DATABASE_URL: database().url!, THROUGHLINE_SECRET_KEY: randomBytes(32).toString('base64') }
        : { THROUGHLINE_DATA_DIR: dataDir, THROUGHLINE_SEED_DEMO: 'never' }),
    };
    const cli = (...args: string[]) => {
      const r = spawnSync(process.execPath, [BIN, ...args], { cwd: dataDir, env, encoding: 'utf8', timeout: 120_000 });
      expect(r.status, `throughline ${args.join(' ')}:\n${r.stdout}\n${r.stderr}`).toBe(0);
      return r.stdout;
    };
    // Outside MCP, with the CLI on the same database, as the operator: the user the agent acts
    // for, the exchange rates and the user's capacity.
    const user = JSON.parse(cli('user', 'create', '--email', email, '--name', 'Stdio Agent User', '--role', 'editor', '--json')).user as Json;
    cli('settings', 'update', '--data', JSON.stringify({ exchange_rates: { USD: '1', AUD: '0.5' } }));
    cli('capacity', 'create', '--data', JSON.stringify({ team_member: 'MCP Journey stdio', user_id: user.id, total_hours_per_week: '40.00', allocated_hours_per_week: '10.00' }));

    const transport = new StdioClientTransport({ command: process.execPath, args: [BIN, 'mcp', '--user', email], env, cwd: dataDir, stderr: 'pipe' });
    let stderr = '';
    transport.stderr?.on('data', (d) => (stderr += String(d)));
    const client = new Client({ name: 'mcp-journey-test', version: '1.0.0' });
    clients.push(client);
    const agent = new Agent(client);
    try {
      await client.connect(transport);
      // With no THROUGHLINE_URL the links point at the local server's default address.
      await journey(agent, { web: 'http://127.0.0.1:3000', tag });
    } catch (e) {
      if (stderr) console.error(`throughline mcp stderr:\n${stderr}`);
      throw e;
    }
    await client.close();

    if (backend === 'postgres') {
      await expectAudited((text, params) => database().query(text, params), agent, { id: user.id, email });
    } else {
      // The child has exited and released the data directory: read its audit trail.
      const own = await openDatabase({ dataDir });
      try {
        await expectAudited((text, params) => own.query(text, params), agent, { id: user.id, email });
      } finally {
        await own.close();
      }
    }
  }, JOURNEY_TIMEOUT);
});
