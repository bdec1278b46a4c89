/**
 * Issue 4's "done when", through the HTTP API alone: a company taken from its first
 * meeting through the audit, the surveys, go/no-go and a proposal to an engagement in
 * onboarding, by an editor, with the history and audit trail to show for it. (The same
 * through the CLI: test/process.test.ts.)
 */
import { randomUUID } from 'node:crypto';
import { beforeAll, expect, it } from 'vitest';
import { createApp } from '../src/api/app.ts';
import { FAST_IDENTITY, signIn, type SignedIn } from './auth.ts';
import { dbSuite } from './db.ts';

type App = ReturnType<typeof createApp>;

dbSuite('lifecycle: first meeting to engagement', ({ database }) => {
  let app: App;
  let editor: SignedIn;

  const call = async (method: string, path: string, body?: unknown, status = 200) => {
    const init: RequestInit = { method, headers: { authorization: `Bearer ${editor.key}`, 'content-type': 'application/json' } };
    if (body !== undefined) init.body = JSON.stringify(body);
    const r = await app.request(path, init);
    const text = await r.text();
    expect(r.status, `${method} ${path}: ${text}`).toBe(status);
    return text ? JSON.parse(text) : undefined;
  };

  beforeAll(async () => {
    app = createApp({ database: database(), identity: FAST_IDENTITY });
    editor = await signIn(app, database(), 'editor');
    // Someone on the team with free hours, so the decision has capacity to weigh.
    const admin = await signIn(app, database(), 'admin');
    const r = await app.request('/api/v1/capacity', {
      method: 'POST',
      headers: { authorization: `Bearer ${admin.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ team_member: 'Lifecycle Tester', user_id: editor.user.id, total_hours_per_week: '40.00', allocated_hours_per_week: '10.00' }),
    });
    expect(r.status, await r.clone().text()).toBe(201);
  });

  it('takes a company from meeting_complete through audit, surveys, go/no-go and proposal to onboarding', async () => {
    const name = `Lifecycle Builders ${randomUUID().slice(0, 8)}`;
    const prospect = await call('POST', '/api/v1/sales/prospects', { company: { name, website: `https://${name.toLowerCase().replace(/\W+/g, '')}.example` }, contact: { name: 'Dana Owner', email: 'dana@lifecycle.example', role_title: 'Director' } }, 201);
    const companyId = prospect.company.id as string;
    const meeting = await call('POST', '/api/v1/sales/meetings', { company_id: companyId, contact_id: prospect.contact.id, meeting: { scheduled_at: '2030-03-02T00:00:00.000Z', meeting_type: 'discovery', subject: 'First meeting' } }, 201);
    await call('POST', `/api/v1/sales/meetings/${meeting.meeting?.id ?? meeting.interaction?.id ?? meeting.id}/complete`, { result: { summary: 'Wants the audit', outcome: 'interested' } });
    expect((await call('GET', `/api/v1/companies/${companyId}`)).status).toBe('meeting_complete');

    // Step 5: the audit, the org chart and the survey links.
    const audit = await call('POST', `/api/v1/companies/${companyId}/audit`, {}, 201);
    const auditId = (audit.audit?.id ?? audit.id) as string;
    expect((await call('GET', `/api/v1/companies/${companyId}`)).status).toBe('auditing');
    const chart = await call('POST', `/api/v1/companies/${companyId}/org-chart`, {
      people: [
        { name: 'Dana Owner', role_title: 'Director', email: 'dana@lifecycle.example' },
        { name: 'Sam Estimator', role_title: 'Estimator', email: 'sam@lifecycle.example' },
        { name: 'Lee Foreman', role_title: 'Site Supervisor' },
      ],
    });
    expect(JSON.stringify(chart)).toContain('created');
    const contacts = (await call('GET', `/api/v1/contacts?company_id=${companyId}&sort=name`)).items as { id: string; name: string; has_email: boolean }[];
    expect(contacts.map((c) => [c.name, c.has_email])).toEqual([
      ['Dana Owner', true],
      ['Lee Foreman', false],
      ['Sam Estimator', true],
    ]);
    const withEmail = contacts.filter((c) => c.has_email).map((c) => c.id);
    await call('POST', `/api/v1/audits/${auditId}/surveys/sent`, { survey_type: 'audit', contact_ids: withEmail });
    const outstanding = await call('GET', `/api/v1/audits/${auditId}/outstanding?survey_type=audit`);
    expect(JSON.stringify(outstanding)).toContain('Lee Foreman');

    // Step 6: the answers, and the baseline of tasks they give.
    const sam = contacts.find((c) => c.name === 'Sam Estimator')!.id;
    await call('POST', `/api/v1/audits/${auditId}/surveys/completed`, {
      survey_type: 'audit',
      responses: [{ contact_id: sam, tasks: [{ task_name: 'Quantity take-offs', software_used: 'Excel, Buildsoft', frequency: 'weekly', time_before_ai: 240 }] }],
    });
    await call('POST', `/api/v1/audits/${auditId}/baseline`);
    const tasks = (await call('GET', `/api/v1/contact_tasks?contact_id=${sam}`)).items as { task_name: string; time_before_ai: number }[];
    expect(tasks.map((t) => [t.task_name, t.time_before_ai])).toEqual([['Quantity take-offs', 240]]);

    // Step 7: go.
    const decision = await call('POST', `/api/v1/companies/${companyId}/decision`, {
      decision: 'go',
      decision_rationale: 'Owner engaged, budget confirmed, two MCP servers worth building',
      recommended_package: 'AI Accelerator',
      novel_mcps: 2,
      novel_skills: 3,
      estimated_value: '40000.00',
      currency: 'AUD',
      budget_confirmed: true,
    }, 201);
    const goId = (decision.decision?.id ?? decision.id) as string;
    expect((await call('GET', `/api/v1/companies/${companyId}`)).status).toBe('go');

    // Steps 8–10: the proposal, sent and accepted: an engagement in onboarding.
    const proposal = await call('POST', '/api/v1/proposals/from-decision', { go_no_go_id: goId }, 201);
    const proposalId = (proposal.proposal?.id ?? proposal.id) as string;
    expect((await call('GET', `/api/v1/companies/${companyId}`)).status).toBe('proposal_sent');
    const accepted = await call('POST', `/api/v1/proposals/${proposalId}/accept`, {});
    const engagementId = (accepted.engagement?.id) as string;
    expect(engagementId).toBeTruthy();
    const company = await call('GET', `/api/v1/companies/${companyId}`);
    expect(company.status).toBe('onboarding');
    const engagement = await call('GET', `/api/v1/engagements/${engagementId}`);
    expect(engagement).toMatchObject({ company_id: companyId, proposal_id: proposalId });
    expect((await call('GET', `/api/v1/proposals/${proposalId}`)).status).toBe('accepted');

    // The history tells the story, and every step is in the audit log under the editor's key.
    const history = await call('GET', `/api/v1/status_history/company/${companyId}`);
    expect(JSON.stringify(history.entries.map((e: { status: string }) => e.status))).toBe(
      JSON.stringify(['lead', 'meeting_scheduled', 'meeting_complete', 'auditing', 'go', 'proposal_sent', 'onboarding']),
    );
    const ops = (await database().query<{ operation: string }>(
      'select distinct operation from audit_log where on_behalf_of = $1 and operation is not null',
      [editor.user.id],
    )).map((r) => r.operation);
    for (const op of ['sales.log_prospect', 'assessment.start_audit', 'assessment.import_org_chart', 'assessment.decide', 'assessment.create_proposal', 'assessment.accept_proposal']) {
      expect(ops, op).toContain(op);
    }
  });
});
