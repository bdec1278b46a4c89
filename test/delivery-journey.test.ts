/**
 * Issue 5's "done when": seed 000's journey from an engagement in onboarding to a month-3
 * report that shows the trend, through the HTTP API and the CLI. Steps 11–24: workspace
 * and licences, the MCP and Skill built and deployed, the tasks they support, training with
 * its brief and attendance, measurements month by month, support, usage, invoices, and the
 * monthly report for August, September and October 2026 with the portfolio beside it.
 *
 * The CLI runs as a real process against this test's server, as a client on another
 * machine would (THROUGHLINE_URL and an API key).
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import type http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createApp } from '../src/api/app.ts';
import { FAST_IDENTITY, signIn, type SignedIn } from './auth.ts';
import { dbSuite } from './db.ts';
import { serveApp, stopServer } from './servers.ts';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '..');

type App = ReturnType<typeof createApp>;
type Json = Record<string, any>;

dbSuite('journey: onboarding to the month-3 report', ({ database }) => {
  let app: App;
  let admin: SignedIn;
  let editor: SignedIn;
  let server: http.Server;
  let baseUrl: string;
  let tmp: string;

  const request = async (who: SignedIn, method: string, url: string, body?: unknown) => {
    const init: RequestInit = { method, headers: { authorization: `Bearer ${who.key}`, 'content-type': 'application/json' } };
    if (body !== undefined) init.body = JSON.stringify(body);
    return app.request(url, init);
  };
  const call = async (method: string, url: string, body?: unknown, status?: number, who: SignedIn = editor): Promise<Json> => {
    const r = await request(who, method, url, body);
    const text = await r.text();
    expect(r.status, `${method} ${url}: ${text}`).toBe(status ?? (method === 'POST' ? 201 : 200));
    return text ? (JSON.parse(text) as Json) : {};
  };
  const cli = async (...args: string[]) => {
    const { stdout, stderr } = await run(process.execPath, [path.join(ROOT, 'bin/throughline.js'), ...args], {
      cwd: tmp,
      env: { ...process.env, THROUGHLINE_URL: baseUrl, THROUGHLINE_API_KEY: editor.key, THROUGHLINE_DATA_DIR: path.join(tmp, 'data'), NODE_NO_WARNINGS: '1' },
      maxBuffer: 16 * 1024 * 1024,
      encoding: 'buffer',
    });
    return { stdout: stdout as Buffer, stderr: (stderr as Buffer).toString('utf8') };
  };

  beforeAll(async () => {
    app = createApp({ database: database(), identity: FAST_IDENTITY });
    admin = await signIn(app, database(), 'admin');
    editor = await signIn(app, database(), 'editor');
    ({ server, base: baseUrl } = await serveApp(app));
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'throughline-journey-'));
  });
  afterAll(async () => {
    await stopServer(server);
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('runs steps 11–24 and reports three months with their trend in JSON, HTML, CSV and PDF', async () => {
    // USD seats and tools are added into the engagement's AUD at the administrator's rates.
    await call('PATCH', '/api/v1/settings', { exchange_rates: { USD: '1', AUD: '0.5' } }, 200, admin);

    const company = await call('POST', '/api/v1/companies', { name: `Journey Builders ${Date.now()}` });
    const dana = await call('POST', '/api/v1/contacts', { company_id: company.id, name: 'Dana Owner', email: 'dana@journey.example', role_title: 'Director' });
    const sam = await call('POST', '/api/v1/contacts', { company_id: company.id, name: 'Sam Estimator', email: 'sam@journey.example', role_title: 'Estimator' });
    const engagement = await call('POST', '/api/v1/engagements', {
      company_id: company.id,
      name: 'AI Foundations',
      status: 'onboarding',
      currency: 'AUD',
      start_date: '2026-08-01',
      setup_fee: '4000.00',
      monthly_fee: '1000.00',
      hourly_rate_value: '90.00',
      estimated_hours: '40.00',
    });
    const E = engagement.id as string;

    // Step 11: the Claude workspace and a licence per person.
    await call('PATCH', `/api/v1/engagements/${E}`, { claude_workspace_id: 'ws-journey', claude_plan_type: 'team', claude_plan_setup: true, num_licenses: 2 }, 200);
    for (const person of [dana, sam]) {
      await call('POST', '/api/v1/ai_licenses', { engagement_id: E, contact_id: person.id, email: person.email, assigned_at: '2026-08-03T00:00:00.000Z', monthly_cost: '30.00', currency: 'USD' });
    }

    // Steps 12–13: an MCP server and a Skill, built, deployed to the workspace, hours logged.
    const mcp = await call('POST', '/api/v1/ai_assets', { kind: 'mcp', name: 'Procore MCP', engagement_id: E, built_date: '2026-08-06' });
    const skill = await call('POST', '/api/v1/ai_assets', { kind: 'skill', name: 'Take-off Skill', engagement_id: E, built_date: '2026-08-07' });
    for (const asset of [mcp, skill]) await call('POST', `/api/v1/ai_assets/${asset.id}/deploy`, {}, 201);
    await call('POST', '/api/v1/work_completed', { engagement_id: E, category: 'mcp_build', hours: '12.00', work_date: '2026-08-06', performed_by: 'Priya' });
    await call('POST', '/api/v1/work_completed', { engagement_id: E, category: 'skill_creation', hours: '5.50', work_date: '2026-08-07', performed_by: 'Priya' });
    expect((await call('GET', `/api/v1/engagements/${E}`)).actual_hours).toBe('17.50');

    // Step 14: what Sam does, linked to what supports it.
    const task = await call('POST', '/api/v1/contact_tasks', { contact_id: sam.id, engagement_id: E, company_id: company.id, task_name: 'Quantity take-offs', frequency: 'daily', time_before_ai: 30, software_used: 'Excel', key_challenges: 'Re-keying drawings' });
    await call('POST', `/api/v1/contact_tasks/${task.id}/assets`, { asset_id: skill.id });
    const built = await call('GET', `/api/v1/delivery/built?engagement_id=${E}`);
    const builtText = JSON.stringify(built);
    expect(builtText).toContain('ws-journey');
    expect(builtText).toContain('Quantity take-offs');

    // Steps 15–17: training, with a brief drawn from what each person does.
    await call('PATCH', `/api/v1/engagements/${E}`, { status: 'training' }, 200);
    const session = await call('POST', '/api/v1/training_sessions', { engagement_id: E, session_number: 1, title: 'Claude basics', scheduled_date: '2026-08-12T23:00:00.000Z', location: 'Site office', delivered_by: 'Jordan' });
    await call('POST', `/api/v1/training_sessions/${session.id}/invite`, { contact_ids: [dana.id, sam.id] }, 200);
    const brief = JSON.stringify(await call('GET', `/api/v1/training_sessions/${session.id}/brief`));
    expect(brief).toContain('Quantity take-offs');
    expect(brief).toContain('Excel');
    await call('POST', `/api/v1/training_sessions/${session.id}/attendance`, { attendance: [{ contact_id: dana.id, attended: false }, { contact_id: sam.id, attended: true, progress: 'Built a prompt library' }] }, 200);
    await call('POST', `/api/v1/training_sessions/${session.id}/complete`, { completed_date: '2026-08-13T01:00:00.000Z' }, 200);

    // Step 18: time after AI, measured each month.
    for (const [measured_on, minutes] of [['2026-08-20', 20], ['2026-09-15', 15], ['2026-10-10', 10]] as const) {
      await call('POST', `/api/v1/contact_tasks/${task.id}/measurements`, { measured_on, time_after_ai: minutes });
    }
    expect((await call('GET', `/api/v1/contact_tasks/${task.id}`)).time_saved_minutes).toBe(20);

    // Steps 19–21 through the CLI: supporting, then October's usage from a CSV file.
    await cli('engagements', 'update', E, '--set', 'status=supporting');
    expect((await call('GET', `/api/v1/engagements/${E}`)).status).toBe('supporting');
    const usage = (month: string, days: number[]) => days.map((d) => ({ contact_id: sam.id, usage_date: `${month}-${String(d).padStart(2, '0')}`, tokens_used: 1000 * d, model: 'claude-sonnet-4-5' }));
    const aug = await call('POST', '/api/v1/ai_usage/ingest', { engagement_id: E, items: usage('2026-08', [10, 11]) });
    expect(aug).toMatchObject({ received: 2, inserted: 2, duplicates: 0 });
    expect(await call('POST', '/api/v1/ai_usage/ingest', { engagement_id: E, items: usage('2026-08', [10, 11]) })).toMatchObject({ inserted: 0, duplicates: 2 });
    await call('POST', '/api/v1/ai_usage/ingest', { engagement_id: E, items: usage('2026-09', [1, 2, 3]) });
    const csvFile = path.join(tmp, 'october.csv');
    fs.writeFileSync(csvFile, `contact_id,usage_date,tokens_used,model\n${sam.id},2026-10-05,5000,claude-sonnet-4-5\n${dana.id},2026-10-06,2500,claude-haiku-4-5\n`);
    const ingested = JSON.parse((await cli('usage', 'ingest', '--engagement-id', E, '--csv', `@${csvFile}`)).stdout.toString('utf8')) as Json;
    expect(ingested).toMatchObject({ received: 2, inserted: 2 });

    // Support: a ticket numbered TKT-YYYY-NNN, resolved.
    const ticket = await call('POST', '/api/v1/support_tickets', { company_id: company.id, engagement_id: E, contact_id: sam.id, subject: 'MCP returns 401', category: 'mcp_issue', request_date: '2026-10-07T00:00:00.000Z' });
    expect(ticket.ticket_number).toMatch(/^TKT-2026-\d{3}$/);
    await call('POST', `/api/v1/support_tickets/${ticket.id}/resolve`, { resolution: 'Token refreshed', hours_spent: '1.50', resolved_at: '2026-10-07T06:00:00.000Z' }, 200);

    // Invoices: the setup fee and one monthly fee a month, sent and paid.
    for (const [type, amount, issue] of [['setup', '4000.00', '2026-08-01'], ['monthly', '1000.00', '2026-08-01'], ['monthly', '1000.00', '2026-09-01'], ['monthly', '1000.00', '2026-10-01']] as const) {
      const inv = await call('POST', '/api/v1/invoices', { company_id: company.id, engagement_id: E, invoice_type: type, amount, currency: 'AUD', issue_date: issue });
      expect(inv.invoice_number).toMatch(/^INV-2026-\d{3}$/);
      await call('POST', `/api/v1/invoices/${inv.id}/send`, { issue_date: issue }, 200);
      await call('POST', `/api/v1/invoices/${inv.id}/pay`, { paid_date: issue }, 200);
    }

    // Steps 22–23: the month-3 report and its trend. Sam's daily task: 30 min before AI, then
    // 20, 15 and 10 min; weekdays: August 21, September 22, October 22.
    //   August    10 min × 21 = 210 min = 3.50 h; September 15 × 22 = 330 min = 5.50 h; October 20 × 22 = 440 min = 7.33 h.
    // Value at 90.00/h: 315.00, 495.00, 660.00. Cost: fees (setup 4000 + 1000 in August, 1000 after)
    // + two seats at 30.00 USD = 60.00 USD = 120.00 AUD at USD 1 / AUD 0.5: 5120.00, 1120.00, 1120.00.
    const report = await call('GET', `/api/v1/reports/monthly?engagement=${E}&month=2026-10`);
    expect(report.trend.map((p: Json) => [p.month, p.hours_saved, p.value, p.cost])).toEqual([
      ['2026-08', '3.50', '315.00', '5120.00'],
      ['2026-09', '5.50', '495.00', '1120.00'],
      ['2026-10', '7.33', '660.00', '1120.00'],
    ]);
    expect(report.usage.total_tokens).toBe(7500);
    expect(report.support).toMatchObject({ opened: 1, resolved: 1, hours_spent: '1.50', median_hours_to_resolve: '6.00' });
    expect(report.roi).toMatchObject({ value: '660.00', cumulative_value: '1470.00', cumulative_cost: '7360.00' });
    expect(report.rules.occurrences.daily).toMatch(/weekday/i);

    const pdf = await request(editor, 'GET', `/api/v1/reports/monthly?engagement=${E}&month=2026-10&format=pdf`);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    expect(Buffer.from(await pdf.arrayBuffer()).subarray(0, 5).toString()).toBe('%PDF-');
    const html = await (await request(editor, 'GET', `/api/v1/reports/monthly?engagement=${E}&month=2026-10&format=html`)).text();
    expect(html).toContain('<svg');
    expect(html).toContain('Quantity take-offs');
    const csv = parse(await (await request(editor, 'GET', `/api/v1/reports/monthly?engagement=${E}&month=2026-10&format=csv`)).text(), { columns: true }) as Json[];
    expect(csv.some((r) => r.section === 'trend' && r.item === '2026-09' && r.value === '5.50')).toBe(true);

    // Step 24: the portfolio, and the same report through the CLI as a file.
    const portfolio = await call('GET', '/api/v1/reports/portfolio?month=2026-10');
    expect(portfolio.engagements.find((l: Json) => l.engagement_id === E)).toMatchObject({ hours_saved: '7.33', trend: 'up' });
    const out = path.join(tmp, 'october.pdf');
    const written = await cli('report', 'monthly', '--engagement', E, '--month', '2026-10', '--format', 'pdf', '--out', out);
    expect(written.stderr).toContain(out);
    expect(fs.readFileSync(out).subarray(0, 5).toString()).toBe('%PDF-');
    const portfolioCsv = (await cli('report', 'portfolio', '--month', '2026-10', '--format', 'csv')).stdout.toString('utf8');
    expect(portfolioCsv).toContain('Journey Builders');
  }, 120_000);
});
