/**
 * Browser journeys of delivery and its measured proof (seed 000 steps 11–23) and revenue
 * (seed 002's views): an engagement's dashboard with training, tasks, tickets and hours; a
 * support ticket logged through the UI; the monthly report opened from the dashboard, moved
 * through months with the picker, and downloaded as PDF and CSV; the revenue views. Data is
 * arranged through the HTTP API as an editor; what the page shows is checked against what
 * the API returns and what the server stored.
 */
import fs from 'node:fs';
import { parse } from 'csv-parse/sync';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { shot as saveShot, signedInPage, startBrowserRig, type BrowserRig } from './browser.ts';
import { dbSuite } from './db.ts';

type Json = Record<string, any>;

const NBSP = '\u00a0';

dbSuite('browser journeys: delivery, the monthly report and revenue', ({ database, backend }) => {
  let rig: BrowserRig;
  const shot = (page: Page, name: string) => saveShot(page, name, backend);

  /** The API as the editor, with the status the call answers with (verbs answer 200 or 201). */
  const call = async (method: string, url: string, body?: unknown, status?: number): Promise<Json> => {
    const init: RequestInit = { method, headers: { authorization: `Bearer ${rig.editor.key}`, 'content-type': 'application/json' } };
    if (body !== undefined) init.body = JSON.stringify(body);
    const r = await fetch(`${rig.base}${url}`, init);
    const text = await r.text();
    expect(r.status, `${method} ${url}: ${text}`).toBe(status ?? (method === 'POST' ? 201 : 200));
    return text ? (JSON.parse(text) as Json) : {};
  };

  beforeAll(async () => {
    rig = await startBrowserRig(database());
  }, 120_000);
  afterAll(async () => {
    await rig?.close();
  });

  /** Seed 000 steps 10–21 for one engagement, August to October 2026, all in USD. */
  async function arrange() {
    const company = await call('POST', '/api/v1/companies', { name: `Delivery Builders ${Date.now()}` });
    const dana = await call('POST', '/api/v1/contacts', { company_id: company.id, name: 'Dana Owner', email: 'dana@delivery.example' });
    const sam = await call('POST', '/api/v1/contacts', { company_id: company.id, name: 'Sam Estimator', email: 'sam@delivery.example' });
    const engagement = await call('POST', '/api/v1/engagements', {
      company_id: company.id,
      name: 'AI Foundations',
      status: 'onboarding',
      currency: 'USD',
      start_date: '2026-08-01',
      setup_fee: '4000.00',
      monthly_fee: '1000.00',
      hourly_rate_value: '90.00',
      estimated_hours: '40.00',
      mcps_to_build: 1,
      claude_workspace_id: 'ws-delivery',
    });
    const E = engagement.id as string;

    const mcp = await call('POST', '/api/v1/ai_assets', { kind: 'mcp', name: 'Procore MCP', engagement_id: E, built_date: '2026-08-06' });
    await call('POST', `/api/v1/ai_assets/${mcp.id}/deploy`, {});
    await call('POST', '/api/v1/work_completed', { engagement_id: E, category: 'mcp_build', hours: '12.00', work_date: '2026-08-06', performed_by: 'Priya' });
    await call('POST', '/api/v1/work_completed', { engagement_id: E, category: 'skill_creation', hours: '5.50', work_date: '2026-09-07', performed_by: 'Priya' });

    const task = await call('POST', '/api/v1/contact_tasks', { contact_id: sam.id, engagement_id: E, company_id: company.id, task_name: 'Quantity take-offs', frequency: 'daily', time_before_ai: 30, software_used: 'Excel' });
    await call('POST', `/api/v1/contact_tasks/${task.id}/assets`, { asset_id: mcp.id });

    await call('PATCH', `/api/v1/engagements/${E}`, { status: 'training' });
    const scheduled = await call('POST', '/api/v1/training_sessions/schedule', {
      session: { engagement_id: E, session_number: 1, title: 'Claude basics', scheduled_date: '2026-08-12T23:00:00.000Z', location: 'Site office' },
      contact_ids: [dana.id, sam.id],
    });
    const S = scheduled.session.id as string;
    await call('POST', `/api/v1/training_sessions/${S}/attendance`, { attendance: [{ contact_id: dana.id, attended: false }, { contact_id: sam.id, attended: true, progress: 'Built a prompt library' }] }, 200);
    await call('POST', `/api/v1/training_sessions/${S}/complete`, { completed_date: '2026-08-13T01:00:00.000Z' }, 200);

    for (const [measured_on, minutes] of [['2026-08-20', 20], ['2026-09-15', 15], ['2026-10-10', 10]] as const) {
      await call('POST', `/api/v1/contact_tasks/${task.id}/measurements`, { measured_on, time_after_ai: minutes });
    }
    await call('PATCH', `/api/v1/engagements/${E}`, { status: 'supporting' });
    const usage = (month: string, days: number[]) => days.map((d) => ({ contact_id: sam.id, usage_date: `${month}-${String(d).padStart(2, '0')}`, tokens_used: 1000 * d, model: 'claude-sonnet-4-5' }));
    await call('POST', '/api/v1/ai_usage/ingest', { engagement_id: E, items: [...usage('2026-09', [1, 2, 3]), ...usage('2026-10', [5])] });
    const ticket = await call('POST', '/api/v1/support_tickets', { company_id: company.id, engagement_id: E, contact_id: sam.id, subject: 'MCP returns 401', category: 'mcp_issue', request_date: '2026-10-07T00:00:00.000Z' });
    await call('POST', `/api/v1/support_tickets/${ticket.id}/resolve`, { resolution: 'Token refreshed', hours_spent: '1.50', resolved_at: '2026-10-07T06:00:00.000Z' }, 200);
    // Invoices: the setup fee and the monthly fees, paid, except October's, sent and overdue.
    let overdue: Json | undefined;
    for (const [type, amount, issue, paid] of [['setup', '4000.00', '2026-08-01', true], ['monthly', '1000.00', '2026-08-01', true], ['monthly', '1000.00', '2026-09-01', true], ['monthly', '1000.00', '2026-10-01', false]] as const) {
      const inv = await call('POST', '/api/v1/invoices', { company_id: company.id, engagement_id: E, invoice_type: type, amount, currency: 'USD', issue_date: issue });
      await call('POST', `/api/v1/invoices/${inv.id}/send`, { issue_date: issue }, 200);
      if (paid) await call('POST', `/api/v1/invoices/${inv.id}/pay`, { paid_date: issue }, 200);
      else overdue = inv;
    }
    // A deal in the pipeline, for the pipeline value.
    await call('POST', '/api/v1/deals', { company_id: company.id, name: 'Phase 2: estimating agent', value: '12000.00', currency: 'USD', deal_type: 'expansion' });
    return { company, engagement, E, task, ticket, overdue: overdue! };
  }

  it('shows an engagement, logs a ticket, opens, moves and downloads its monthly report, and shows revenue', async () => {
    const { base } = rig;
    const { company, E, overdue } = await arrange();
    const { page, dialogs } = await signedInPage(rig);

    // The dashboard: training, tasks, tickets and hours, as the API has them.
    await page.goto(`${base}/engagements/${E}`);
    await page.getByRole('heading', { name: 'AI Foundations', level: 1 }).waitFor();
    await page.getByRole('link', { name: company.name }).first().waitFor();
    const training = page.locator('#eng-training');
    await training.getByRole('link', { name: 'Claude basics' }).waitFor();
    await expect.poll(() => training.locator('.kpi', { hasText: 'Attendance' }).locator('.value').textContent()).toBe('50%');
    const tasks = page.locator('#eng-tasks');
    const taskRow = tasks.getByRole('row', { name: /Quantity take-offs/ });
    await taskRow.waitFor();
    await expect.poll(() => taskRow.getByRole('cell').nth(4).textContent()).toBe('10');
    await expect.poll(() => page.locator('#eng-tickets').getByRole('row', { name: /MCP returns 401/ }).textContent()).toMatch(/Resolved/);
    const hoursApi = await call('GET', `/api/v1/engagements/${E}/hours`);
    expect(hoursApi.actual_hours).toBe('17.50');
    await expect.poll(() => page.locator('#eng-hours .kpi', { hasText: 'Logged' }).locator('.value').textContent()).toBe('17.5 h');
    await page.locator('#eng-built').getByRole('link', { name: 'Procore MCP' }).waitFor();
    await expect.poll(() => page.locator('#eng-usage .kpi', { hasText: 'Tokens to date' }).locator('.value').textContent()).toBe((6000 + 5000).toLocaleString('en-US'));
    await shot(page, 'engagement');

    // Log a support ticket through the UI: it is stored against the engagement and its company.
    await page.getByRole('button', { name: 'Log a support ticket' }).click();
    const dialog = page.getByRole('dialog', { name: 'Log a support ticket' });
    await dialog.getByLabel('Subject').fill('Take-off Skill gives stale totals');
    await dialog.getByLabel('Category').selectOption('bug');
    await dialog.getByLabel('Priority').selectOption('high');
    await dialog.getByRole('button', { name: 'Log ticket' }).click();
    await expect.poll(() => page.getByRole('status').filter({ hasText: /logged/ }).textContent()).toMatch(/^Ticket TKT-\d{4}-\d{3} logged\.$/);
    await page.locator('#eng-tickets').getByRole('row', { name: /Take-off Skill gives stale totals/ }).waitFor();
    const stored = (await call('GET', `/api/v1/support_tickets?engagement_id=${E}&subject=${encodeURIComponent('Take-off Skill gives stale totals')}`)).items as Json[];
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ engagement_id: E, company_id: company.id, category: 'bug', priority: 'high', status: 'open' });
    await expect.poll(() => page.locator('#eng-tickets .kpi', { hasText: 'Open' }).locator('.value').textContent()).toBe('1');

    // The monthly report from the dashboard's link, then October with the picker.
    const now = new Date();
    const last = new Date(Date.UTC(now.getFullYear(), now.getMonth() - 1, 1));
    const lastMonth = `${last.getUTCFullYear()}-${String(last.getUTCMonth() + 1).padStart(2, '0')}`;
    await page.getByRole('link', { name: /^Last month's report/ }).click();
    await expect.poll(() => page.url()).toBe(`${base}/reports/monthly?engagement=${E}&month=${lastMonth}`);
    await page.getByRole('heading', { level: 1, name: new RegExp(`Monthly ROI report: ${company.name}`) }).waitFor();

    const october = await call('GET', `/api/v1/reports/monthly?engagement=${E}&month=2026-10`);
    const september = await call('GET', `/api/v1/reports/monthly?engagement=${E}&month=2026-09`);
    expect(october.time_saved.hours_saved).toBe('7.33');
    expect(september.time_saved.hours_saved).toBe('5.50');
    const month = page.getByLabel('Report month');
    await month.fill('2026-10');
    await expect.poll(() => page.url()).toBe(`${base}/reports/monthly?engagement=${E}&month=2026-10`);
    const headline = (label: string) => page.locator('#rep-headline .kpi').filter({ has: page.locator('.label').getByText(label, { exact: true }) }).locator('.value');
    await expect.poll(() => headline('Hours saved').textContent()).toBe(`${october.time_saved.hours_saved}${NBSP}h`);
    await expect.poll(() => headline('Value').textContent()).toBe(`${october.roi.value}${NBSP}USD`);
    expect(october.roi.roi_percent).not.toBeNull();
    await expect.poll(() => headline('ROI').textContent()).toBe(`${october.roi.roi_percent}%`);
    await expect.poll(() => page.locator('#rep-usage .kpi', { hasText: 'Tokens' }).first().locator('.value').textContent()).toBe('5,000');
    await page.getByRole('heading', { name: 'How the figures were worked out' }).waitFor();
    expect(await page.locator('#rep-rules').textContent()).toContain(october.rules.occurrences.daily);
    await page.getByRole('img', { name: /Tokens per person/ }).waitFor();
    await page.getByRole('img', { name: /Cost and value per month/ }).waitFor();
    await shot(page, 'report');

    // Previous month: the URL and the figures follow.
    await page.getByRole('button', { name: /^Previous month/ }).click();
    await expect.poll(() => page.url()).toBe(`${base}/reports/monthly?engagement=${E}&month=2026-09`);
    await expect.poll(() => month.inputValue()).toBe('2026-09');
    await expect.poll(() => headline('Hours saved').textContent()).toBe(`${september.time_saved.hours_saved}${NBSP}h`);
    await page.getByRole('heading', { level: 1, name: /September 2026/ }).waitFor();

    // The PDF and the CSV of September, as files.
    const [pdf] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download PDF' }).click()]);
    expect(pdf.suggestedFilename()).toMatch(/\.pdf$/);
    expect(pdf.suggestedFilename()).toContain('2026-09');
    const pdfBytes = fs.readFileSync((await pdf.path())!);
    expect(pdfBytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const [csv] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download CSV' }).click()]);
    expect(csv.suggestedFilename()).toMatch(/\.csv$/);
    const rows = parse(fs.readFileSync((await csv.path())!, 'utf8'), { columns: true, bom: true }) as Json[];
    expect(rows.some((r) => r.section === 'trend' && r.item === '2026-09' && r.value === '5.50')).toBe(true);

    // A month with nothing recorded says so.
    await month.fill('2026-06');
    await expect.poll(() => page.url()).toBe(`${base}/reports/monthly?engagement=${E}&month=2026-06`);
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'Nothing was recorded' }).count()).toBe(1);

    // Revenue: the active clients and the MRR the API returns.
    const active = await call('GET', '/api/v1/views/active-clients');
    const mrr = await call('GET', '/api/v1/views/mrr');
    const usd = (mrr.currencies as Json[]).find((c) => c.currency === 'USD')!;
    expect(usd.mrr).toBe('1000.00');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Revenue' }).click();
    await page.getByRole('heading', { name: 'Revenue', level: 1 }).waitFor();
    const clients = page.locator('#rev-clients');
    await expect.poll(() => clients.locator('.kpi', { hasText: 'Active clients' }).locator('.value').textContent()).toBe(String(active.clients));
    await clients.getByRole('link', { name: company.name }).waitFor();
    const money = await page.evaluate(([a, c]) => new Intl.NumberFormat(undefined, { style: 'currency', currency: c, maximumFractionDigits: 2 }).format(Number(a)), [usd.mrr as string, 'USD'] as const);
    await expect.poll(() => page.locator('#rev-mrr .kpi', { hasText: 'MRR (USD)' }).locator('.value').textContent()).toBe(money);
    await page.locator('#rev-mrr').getByRole('link', { name: 'AI Foundations' }).waitFor();
    await page.locator('#rev-overdue').getByRole('link', { name: overdue.invoice_number }).waitFor();
    const overdueApi = await call('GET', '/api/v1/views/overdue-invoices');
    expect(overdueApi.items.map((i: Json) => i.id)).toContain(overdue.id);
    await page.locator('#rev-pipeline').getByRole('heading', { name: 'Pipeline value' }).waitFor();
    await page.locator('#rev-timeline').getByRole('img', { name: /Engagements by date/ }).waitFor();
    await shot(page, 'revenue');

    // The row links to its record.
    await page.locator('#rev-mrr').getByRole('link', { name: 'AI Foundations' }).click();
    await expect.poll(() => page.url()).toBe(`${base}/engagements/${E}`);
    await page.getByRole('heading', { name: 'AI Foundations', level: 1 }).waitFor();

    // Phone width: the screens fit without sideways scrolling of the page.
    await page.setViewportSize({ width: 390, height: 844 });
    for (const [path, name] of [[`/engagements/${E}`, 'engagement-phone'], [`/reports/monthly?engagement=${E}&month=2026-10`, 'report-phone'], ['/revenue', 'revenue-phone']] as const) {
      await page.goto(`${base}${path}`);
      await page.getByRole('heading', { level: 1 }).first().waitFor();
      await page.locator('.loading').first().waitFor({ state: 'detached' }).catch(() => {});
      await expect.poll(() => page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      await shot(page, name);
    }
    expect(dialogs).toEqual([]);
    await page.close();
  }, 120_000);
});
