/**
 * Browser journey through Company 360 and the assessment screens (seed 000 steps 5–10): the
 * company's contacts, timeline and status history; a note; the audit started from the
 * company; survey links sent and surveys completed against the org chart; the baseline; the
 * go decision with its scorecard and capacity comparison; the proposal created, sent (a
 * refusal shown on the way) and accepted; and the engagement it became.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { callApi, signIn } from './auth.ts';
import { shot as saveShot, signedInPage, startBrowserRig, type BrowserRig } from './browser.ts';
import { dbSuite } from './db.ts';

dbSuite('browser: company 360 and assessment', ({ database, backend }) => {
  let rig: BrowserRig;
  const shot = (page: Page, name: string) => saveShot(page, name, backend);
  /** The HTTP API as the editor, expecting the given status (rig.api expects 201 for every POST). */
  const call = (method: string, url: string, body?: unknown, status?: number) => callApi({ request: (p, i) => fetch(`${rig.base}${p}`, i) }, rig.editor, method, url, body, status);

  beforeAll(async () => {
    rig = await startBrowserRig(database());
    // Capacity rows are an administrator's to write: someone on the team with 30 free hours a week.
    const http = { request: (p: string, i?: RequestInit) => fetch(`${rig.base}${p}`, i) };
    const admin = await signIn(http, database(), 'admin');
    await callApi(http, admin, 'POST', '/api/v1/capacity', { team_member: 'Browser Tester', user_id: rig.editor.user.id, total_hours_per_week: '40.00', allocated_hours_per_week: '10.00' });
  }, 120_000);
  afterAll(async () => {
    await rig?.close();
  });

  it('takes a company from its 360 view through audit, go decision and proposal to an engagement', async () => {
    const name = `Harbour Builders ${Math.random().toString(36).slice(2, 8)}`;
    // Arranged through the API: the prospect, two more people at the company, and the first meeting held.
    const prospect = await call('POST', '/api/v1/sales/prospects', { company: { name, location: 'Parramatta', notes: 'Met at the trade show' }, contact: { name: 'Dana Owner', email: 'dana@harbour.example', role_title: 'Director' } });
    const companyId = prospect.company.id as string;
    await rig.api('POST', '/api/v1/contacts', { company_id: companyId, name: 'Sam Estimator', email: 'sam@harbour.example', role_title: 'Estimator' });
    await rig.api('POST', '/api/v1/contacts', { company_id: companyId, name: 'Lee Foreman', role_title: 'Site Supervisor', has_email: false });
    const meeting = await call('POST', '/api/v1/sales/meetings', { company_id: companyId, contact_id: prospect.contact.id, meeting: { scheduled_at: '2030-03-02T00:00:00.000Z', meeting_type: 'discovery', subject: 'First meeting at the site office' } });
    await call('POST', `/api/v1/sales/meetings/${(meeting.meeting?.id ?? meeting.interaction?.id ?? meeting.id) as string}/complete`, { result: { summary: 'Keen on an audit', outcome: 'interested' } }, 200);
    expect((await rig.api('GET', `/api/v1/companies/${companyId}`)).status).toBe('meeting_complete');

    const { page, dialogs } = await signedInPage(rig);
    await page.goto(`${rig.base}/companies/${companyId}`);

    // Company 360: header, details, status history.
    await page.getByRole('heading', { name, level: 1 }).waitFor();
    await expect.poll(() => page.locator('.details').textContent()).toContain('Parramatta');
    expect(await page.locator('.notes').textContent()).toBe('Met at the trade show');
    const history = page.getByRole('region', { name: 'Status history' });
    await expect.poll(() => history.textContent()).toContain('Meeting scheduled');
    expect(await history.textContent()).toContain('Meeting complete');

    // Contacts.
    await page.getByRole('tab', { name: 'Contacts' }).click();
    for (const person of ['Dana Owner', 'Sam Estimator', 'Lee Foreman']) await page.getByRole('link', { name: person }).waitFor();
    expect(await page.getByRole('region', { name: 'Contacts' }).getByRole('row').count()).toBe(4);

    // Timeline: the meeting is there; a note added shows up, newest first.
    await page.getByRole('tab', { name: 'Timeline' }).click();
    await page.getByRole('link', { name: 'First meeting at the site office' }).waitFor();
    const noteText = 'Owner wants the estimators trained first';
    await page.getByLabel('Note text').fill(noteText);
    await page.getByRole('button', { name: 'Add note' }).click();
    const timeline = page.getByRole('list', { name: 'Interactions and notes, newest first' });
    await expect.poll(() => timeline.textContent()).toContain(noteText);
    await expect.poll(async () => (await rig.api('GET', `/api/v1/notes?note_type=company&related_id=${companyId}`)).items.map((n: { note_text: string }) => n.note_text)).toEqual([noteText]);
    await shot(page, 'company-360');

    // Start the audit from the company: the audit page opens.
    await page.getByRole('button', { name: 'Start audit' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Start audit' }).click();
    await page.getByRole('heading', { name: `Audit of ${name}` }).waitFor();
    const audits = (await rig.api('GET', `/api/v1/audits?company_id=${companyId}`)).items as { id: string }[];
    expect(audits).toHaveLength(1);
    expect(page.url()).toBe(`${rig.base}/audits/${audits[0]!.id}`);
    expect((await rig.api('GET', `/api/v1/companies/${companyId}`)).status).toBe('auditing');

    // Survey tracking against the org chart: sent to the two with email, then completed by Sam with a task.
    const progress = page.locator('.as-progress-text');
    const row = (person: string) => page.getByRole('row').filter({ has: page.getByRole('link', { name: person }) });
    await expect.poll(() => progress.textContent()).toBe('0 of 3 sent, 0 of 3 completed');
    await page.getByLabel('Select Dana Owner').check();
    await page.getByLabel('Select Sam Estimator').check();
    await page.getByRole('button', { name: 'Record surveys sent (2)' }).click();
    await expect.poll(() => progress.textContent()).toBe('2 of 3 sent, 0 of 3 completed');
    await expect.poll(() => row('Dana Owner').textContent()).toContain('Sent');
    await expect.poll(() => row('Sam Estimator').textContent()).toContain('Sent');

    // Sam completes the survey: an answer to a question sent and one task, entered in the browser.
    await page.getByRole('button', { name: 'Record the completed survey of Sam Estimator' }).click();
    const answers = page.getByRole('dialog');
    // The questions sent are asked again, one field each.
    await answers.getByLabel('What is your job role?').fill('Estimator');
    await answers.getByLabel('Task name 1').fill('Quantity take-offs');
    await answers.getByLabel('Software used 1').fill('Excel, Buildsoft');
    await answers.getByLabel('Frequency 1').selectOption('weekly');
    await answers.getByLabel('Minutes before AI 1').fill('240');
    await answers.getByRole('button', { name: 'Record completed survey' }).click();
    await page.getByText("Sam Estimator's survey is recorded as completed with 1 task.").waitFor();
    await expect.poll(() => progress.textContent()).toBe('2 of 3 sent, 1 of 3 completed');
    await page.getByLabel('Surveys completed: 1 of 3').waitFor();
    await expect.poll(() => row('Sam Estimator').textContent()).toContain('Completed');
    expect(await row('Dana Owner').textContent()).toContain('Sent');
    expect(await row('Lee Foreman').textContent()).toContain('no email');

    // The baseline makes Sam's task.
    await page.getByRole('button', { name: 'Build baseline' }).click();
    await page.getByText(/Baseline built from 1 respondent: 1 tasks created/).waitFor();
    const sam = ((await rig.api('GET', `/api/v1/contacts?company_id=${companyId}&name=Sam%20Estimator`)).items as { id: string }[])[0]!.id;
    const tasks = (await rig.api('GET', `/api/v1/contact_tasks?contact_id=${sam}`)).items as { task_name: string; time_before_ai: number }[];
    expect(tasks.map((t) => [t.task_name, t.time_before_ai])).toEqual([['Quantity take-offs', 240]]);
    const audit = await rig.api('GET', `/api/v1/audits/${audits[0]!.id}`);
    expect([audit.surveys_sent, audit.surveys_completed, audit.team_size]).toEqual([2, 1, 3]);
    await shot(page, 'audit');

    // The go decision, recorded from the audit page.
    await page.getByRole('button', { name: 'Record go/no-go decision' }).click();
    const decide = page.getByRole('dialog');
    await decide.getByLabel('Decision', { exact: true }).selectOption('go');
    await decide.getByLabel('Budget confirmed').check();
    await decide.getByLabel('Team readiness').selectOption('medium');
    await decide.getByLabel('Decision rationale').fill('Owner engaged and budget confirmed');
    await decide.getByLabel('Recommended package').fill('AI Accelerator');
    await decide.getByLabel('Novel MCPs').fill('2');
    await decide.getByLabel('Novel Skills').fill('3');
    await decide.getByLabel('Estimated value').fill('40000');
    await decide.getByLabel('Currency').selectOption('AUD');
    await decide.getByRole('button', { name: 'Record decision' }).click();

    // The scorecard and the capacity comparison: 2 × 1.50 + 3 × 0.75 + 3 × 0.10 = 5.55 h/week against 30 free.
    await page.getByRole('heading', { name: `Go/no-go: ${name}` }).waitFor();
    const decisions = (await rig.api('GET', `/api/v1/go_no_go_decisions?company_id=${companyId}`)).items as Record<string, unknown>[];
    expect(decisions).toHaveLength(1);
    const decision = decisions[0]!;
    expect(decision).toMatchObject({ decision: 'go', budget_confirmed: true, team_readiness: 'medium', estimated_hours_per_week: '5.55', capacity_available_hours: '30.00', capacity_sufficient: true });
    expect(page.url()).toBe(`${rig.base}/go_no_go_decisions/${decision.id as string}`);
    const scorecard = page.getByRole('region', { name: 'Scorecard' });
    await expect.poll(() => scorecard.getByRole('row', { name: /Budget confirmed/ }).textContent()).toContain('Yes');
    expect(await scorecard.getByRole('row', { name: /Team readiness/ }).textContent()).toContain('Medium');
    const capacity = page.getByRole('region', { name: 'Capacity comparison' });
    await capacity.getByText('Capacity sufficient').waitFor();
    expect(await capacity.textContent()).toContain('5.55 h/week');
    expect(await capacity.textContent()).toContain('30 h/week');
    await page.getByLabel('Needed 5.55 of 30 available hours').waitFor();
    await shot(page, 'decision');

    // The proposal, as a draft.
    await page.getByRole('button', { name: 'Create proposal' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Create proposal' }).click();
    await page.getByRole('heading', { name: 'Proposal: AI Accelerator' }).waitFor();
    const proposals = (await rig.api('GET', `/api/v1/proposals?company_id=${companyId}`)).items as { id: string; status: string; value: string }[];
    expect(proposals.map((p) => [p.status, p.value])).toEqual([['draft', '40000.00']]);
    const proposalId = proposals[0]!.id;
    const current = () => page.locator('[aria-current="step"]').textContent();
    await expect.poll(current).toContain('Draft');

    // Sent: the step moves and the company with it.
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Send', exact: true }).click();
    await expect.poll(current).toContain('Sent');
    expect((await rig.api('GET', `/api/v1/companies/${companyId}`)).status).toBe('proposal_sent');

    // A refusal shows the server's reason: a proposal within its validity cannot expire.
    await page.getByRole('button', { name: 'Expire', exact: true }).click();
    const expire = page.getByRole('dialog');
    await expire.getByRole('button', { name: 'Expire', exact: true }).click();
    await expect.poll(() => expire.getByRole('alert').textContent()).toMatch(/valid until/);
    await expire.getByRole('button', { name: 'Cancel' }).click();
    expect((await rig.api('GET', `/api/v1/proposals/${proposalId}`)).status).toBe('sent');

    // Accepted: the engagement is created and linked.
    await page.getByRole('button', { name: 'Accept', exact: true }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Accept', exact: true }).click();
    await expect.poll(current).toContain('Accepted');
    const engagements = (await rig.api('GET', `/api/v1/engagements?proposal_id=${proposalId}`)).items as { id: string; company_id: string; status: string }[];
    expect(engagements).toHaveLength(1);
    expect(engagements[0]).toMatchObject({ company_id: companyId });
    const link = page.locator(`a[href="/engagements/${engagements[0]!.id}"]`);
    await link.waitFor();
    expect((await rig.api('GET', `/api/v1/proposals/${proposalId}`)).status).toBe('accepted');
    expect((await rig.api('GET', `/api/v1/companies/${companyId}`)).status).toBe('onboarding');
    // The final state offers no more moves.
    expect(await page.getByRole('button', { name: 'Accept', exact: true }).count()).toBe(0);
    await shot(page, 'proposal');

    // The overview lists the accepted proposal; the 360 shows the engagement.
    await page.goto(`${rig.base}/assessment`);
    await page.getByRole('heading', { name: 'Assessment', level: 1 }).waitFor();
    await page.getByRole('region', { name: 'Accepted proposals' }).getByRole('link', { name }).waitFor();
    expect(await page.getByRole('region', { name: 'Audits in progress' }).getByRole('link', { name }).count()).toBe(0);
    await page.goto(`${rig.base}/companies/${companyId}?tab=delivery`);
    await page.getByRole('region', { name: 'Engagements' }).getByRole('link').first().waitFor();

    // Phone width: the 360 and the proposal fit without sideways scrolling.
    await page.setViewportSize({ width: 390, height: 800 });
    for (const path of [`/companies/${companyId}`, `/proposals/${proposalId}`, `/audits/${audits[0]!.id}`]) {
      await page.goto(`${rig.base}${path}`);
      await page.getByRole('heading', { level: 1 }).waitFor();
      expect(await page.evaluate(() => document.documentElement.scrollWidth), path).toBeLessThanOrEqual(390);
    }
    expect(dialogs).toEqual([]);
    await page.close();
  }, 120_000);

  it('shows stored HTML on Company 360 as text, and a javascript: website as no link', async () => {
    const XSS = '"><img src=x onerror="window.__xss=1"><script>window.__xss=2</script>';
    const evil = await rig.api('POST', '/api/v1/companies', { name: `Evil ${XSS}`, notes: `Note ${XSS}`, website: 'javascript:alert(1)', location: 'Nowhere' });
    await rig.api('POST', '/api/v1/contacts', { company_id: evil.id, name: `Eve ${XSS}`, phone: 'javascript:alert(2)' });
    await rig.api('POST', '/api/v1/notes', { note_type: 'company', related_id: evil.id, note_text: `Timeline ${XSS}` });
    const { page, dialogs } = await signedInPage(rig);
    await page.goto(`${rig.base}/companies/${evil.id as string}`);
    await page.getByRole('heading', { name: `Evil ${XSS}`, level: 1 }).waitFor();
    expect(await page.locator('.notes').textContent()).toBe(`Note ${XSS}`);
    await expect.poll(() => page.locator('.details').textContent()).toContain('Nowhere');
    expect(await page.locator('.details').textContent()).toContain('javascript:alert(1)');
    for (const tab of ['Contacts', 'Timeline']) {
      await page.getByRole('tab', { name: tab }).click();
      await page.getByText(tab === 'Contacts' ? `Eve ${XSS}` : `Timeline ${XSS}`).waitFor();
    }
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.locator('a[href^="javascript:"]').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    expect(dialogs).toEqual([]);
    await page.close();
  }, 120_000);
});
