/**
 * Browser journeys of the sales assistant (seed 003) against a fake model at the network
 * edge (test/fake-llm.ts): on a contact's page, research (the busy state, a timeout's
 * message, then the summary, the recommended service and the cost), draft an email, approve
 * it, edit it (back to draft), approve again and send it (one email queued to the contact,
 * an interaction in the timeline, the campaign target sent); the Assistant page's queues
 * and cost report; the company's suggested services; record text and model text that try to
 * be markup shown as text; a viewer sees no write buttons. Screenshots: contact-assistant,
 * contact-assistant-phone, assistant, assistant-phone.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { signIn, type SignedIn } from './auth.ts';
import { shot as saveShot, signedInPage, startBrowserRig, type BrowserRig } from './browser.ts';
import { dbSuite } from './db.ts';
import { startFakeLlm, type FakeLlm } from './fake-llm.ts';

const MODEL = 'fake-gpt-browser';
const XSS = '<img src=x onerror=alert(1)>';

dbSuite('browser: the sales assistant', ({ database, backend }) => {
  let rig: BrowserRig;
  let fake: FakeLlm;
  let admin: SignedIn;
  let viewer: SignedIn;
  let company: Record<string, any>;
  let contact: Record<string, any>;
  let service: Record<string, any>;
  let campaign: Record<string, any>;
  const shot = (page: Page, name: string) => saveShot(page, name, backend);
  const reply = (value: unknown, prompt: number, completion: number) => ({ reply: JSON.stringify(value), usage: { prompt, completion } });
  const asAdmin = async (url: string) => {
    const r = await fetch(`${rig.base}${url}`, { headers: { authorization: `Bearer ${admin.key}` } });
    expect(r.status, url).toBe(200);
    return (await r.json()) as Record<string, any>;
  };
  /** Signs a person in through the sign-in form. */
  const pageFor = async (who: SignedIn) => {
    const page = await rig.browser.newPage({ viewport: { width: 1280, height: 860 } });
    const dialogs: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await page.goto(`${rig.base}/`);
    await page.getByLabel('Email').fill(who.user.email);
    await page.getByLabel('Password').fill(who.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    return { page, dialogs };
  };
  const pageErrors = (page: Page) => {
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    return errors;
  };

  beforeAll(async () => {
    fake = await startFakeLlm();
    rig = await startBrowserRig(database(), {
      runtime: { environment: 'development', allowPrivateTargets: true, llm: { provider: 'openai', baseUrl: `${fake.url}/v1`, apiKey: 'test-key', model: MODEL, timeoutMs: 5000, maxTokens: 800 } },
    });
    const http = { request: (p: string, i?: RequestInit) => fetch(`${rig.base}${p}`, i) };
    admin = await signIn(http, database(), 'admin');
    viewer = await signIn(http, database(), 'viewer');
    const industry = await rig.api('POST', '/api/v1/industries', { name: 'Residential construction' });
    service = await rig.api('POST', '/api/v1/services', { name: 'AI Readiness Audit', service_category: 'consulting', description: 'Task-level audit' });
    await rig.api('POST', '/api/v1/industry_services', { industry_id: industry.id, service_id: service.id, fit_notes: 'Every engagement starts here' });
    await rig.api('POST', '/api/v1/llm_model_prices', { provider: 'openai', model: MODEL, input_price_per_mtok: '3.000000', output_price_per_mtok: '15.000000', currency: 'USD', effective_from: '2020-01-01' });
    company = await rig.api('POST', '/api/v1/companies', { name: 'Kovac Builders', industry_id: industry.id, description: 'Residential builder in Parramatta' });
    contact = await rig.api('POST', '/api/v1/contacts', { name: 'Dana Kovac', email: 'dana@kovac.example', phone: '+61 2 5550 1234', role_title: 'Director', company_id: company.id });
    campaign = await rig.api('POST', '/api/v1/campaigns', { name: 'Spring builders', type: 'email' });
    // She agreed to marketing email, so sending her the campaign's draft makes her one of its targets.
    await rig.api('POST', '/api/v1/consents', { contact_id: contact.id, purpose: 'marketing_email', method: 'in_person', evidence: 'Ticked the box at the builders breakfast' }, 200);
  }, 120_000);
  afterAll(async () => {
    await rig?.close();
    await fake?.close();
  });

  it('researches a contact, drafts an email, approves, edits, approves again and sends it', async () => {
    fake.reset();
    const { page, dialogs } = await signedInPage(rig);
    const errors = pageErrors(page);
    await page.goto(`${rig.base}/contacts/${contact.id}`);
    await page.getByRole('heading', { level: 1, name: 'Dana Kovac' }).waitFor();
    // Who they are and how to reach them: the company linked, mail and phone links.
    expect(await page.getByRole('link', { name: 'Kovac Builders' }).first().getAttribute('href')).toBe(`/companies/${company.id}`);
    expect(await page.getByRole('link', { name: 'dana@kovac.example' }).getAttribute('href')).toBe('mailto:dana@kovac.example');
    expect(await page.getByRole('link', { name: '+61 2 5550 1234' }).getAttribute('href')).toBe('tel:+61255501234');
    const panel = page.getByRole('region', { name: 'Sales assistant' });
    await panel.getByText(`Model ${MODEL}`).waitFor();

    // A model that never answers: the busy state, the page still usable, then the server's words.
    fake.script({ hang: true });
    await panel.getByLabel('Research instructions (optional)').fill('Focus on estimating.');
    await panel.getByRole('button', { name: 'Research', exact: true }).click();
    await panel.getByRole('button', { name: 'Researching…' }).waitFor();
    await panel.getByRole('status').filter({ hasText: 'Researching Dana Kovac' }).waitFor();
    expect(await panel.getByRole('button', { name: 'Draft outreach' }).isEnabled()).toBe(true);
    const refusal = panel.getByRole('alert').filter({ hasText: 'did not answer within 5000 ms' });
    await refusal.waitFor({ timeout: 30_000 });
    expect(await panel.getByRole('button', { name: 'Research', exact: true }).isEnabled()).toBe(true);
    expect((await rig.api('GET', `/api/v1/prospect_research?contact_id=${contact.id}`)).items).toHaveLength(0);

    // Research that works: summary, insights, the recommended service linked, confidence, model and cost.
    fake.reset();
    fake.script(
      reply(
        {
          summary: 'Dana runs a 25-person residential builder.\nEstimators lose a day a week to take-offs.',
          key_insights: ['Take-offs are the bottleneck'],
          recommended_solutions: [{ service_id: service.id, reason: 'Find the hours first' }],
          confidence: 82,
        },
        1000,
        500,
      ),
    );
    await panel.getByRole('button', { name: 'Research', exact: true }).click();
    const latest = panel.getByRole('article', { name: 'Latest research' });
    await latest.waitFor();
    expect(await refusal.count()).toBe(0);
    expect(await latest.innerText()).toContain('Dana runs a 25-person residential builder.\nEstimators lose a day a week to take-offs.');
    expect(await latest.textContent()).toContain('Take-offs are the bottleneck');
    expect(await latest.getByRole('link', { name: 'AI Readiness Audit' }).getAttribute('href')).toBe(`/services/${service.id}`);
    expect(await latest.textContent()).toContain('Find the hours first');
    expect(await latest.textContent()).toContain('82 / 100');
    expect(await latest.textContent()).toContain(`Model: ${MODEL}`);
    expect(await latest.textContent()).toContain('Cost: $0.0105');
    expect(fake.requests).toHaveLength(1);
    expect(String(fake.requests[0]!.body.messages[1].content)).toContain('Focus on estimating.');

    // Draft an email for the campaign: the new draft waits for approval, with no way to send it yet.
    await panel.getByRole('button', { name: 'Draft outreach' }).click();
    const draftDialog = page.getByRole('dialog', { name: 'Draft outreach to Dana Kovac' });
    await draftDialog.waitFor();
    expect(await draftDialog.getByLabel('Kind').inputValue()).toBe('email');
    const picker = draftDialog.getByRole('combobox', { name: /^Campaign/ });
    await expect.poll(() => picker.locator('option', { hasText: 'Spring builders' }).count()).toBe(1);
    await picker.selectOption({ label: 'Spring builders' });
    await draftDialog.getByLabel('Instructions (optional)').fill('Short and friendly.');
    fake.script(reply({ subject: 'Take-offs in half the time', body: 'Hi Dana,\n\nEstimators losing a day a week?\n\nBest,\nAlex' }, 2000, 400));
    await draftDialog.getByRole('button', { name: 'Write the draft' }).click();
    await draftDialog.waitFor({ state: 'detached' });
    const draft = panel.getByRole('listitem', { name: 'Email: Take-offs in half the time' });
    await draft.waitFor();
    expect(await draft.getByText('Draft', { exact: true }).count()).toBe(1);
    expect(await draft.locator('.as-body').innerText()).toBe('Hi Dana,\n\nEstimators losing a day a week?\n\nBest,\nAlex');
    expect(await draft.getByRole('button', { name: /^Send/ }).count()).toBe(0);
    expect(await draft.getByRole('link', { name: 'Spring builders' }).getAttribute('href')).toBe(`/campaigns/${campaign.id}`);
    const [stored] = (await rig.api('GET', `/api/v1/outreach_drafts?contact_id=${contact.id}`)).items;
    expect(stored).toMatchObject({ status: 'draft', draft_type: 'email', campaign_id: campaign.id, subject: 'Take-offs in half the time' });
    await shot(page, 'contact-assistant');

    // Approve: now it can be sent.
    await draft.getByRole('button', { name: 'Approve Take-offs in half the time' }).click();
    await draft.getByText('Approved', { exact: true }).waitFor();
    await draft.getByRole('button', { name: 'Send Take-offs in half the time' }).waitFor();
    expect((await rig.api('GET', `/api/v1/outreach_drafts/${stored.id}`)).status).toBe('approved');

    // Editing an approved draft warns, and returns it to draft.
    await draft.getByRole('button', { name: 'Edit Take-offs in half the time' }).click();
    const edit = page.getByRole('dialog', { name: 'Edit the draft' });
    await edit.getByText('Saving a change returns it to draft').waitFor();
    await edit.getByLabel('Subject').fill('Take-offs in half the time, Dana');
    await edit.getByRole('button', { name: 'Save changes' }).click();
    await edit.waitFor({ state: 'detached' });
    const edited = panel.getByRole('listitem', { name: 'Email: Take-offs in half the time, Dana' });
    await edited.getByText('Draft', { exact: true }).waitFor();
    expect(await edited.getByRole('button', { name: /^Send/ }).count()).toBe(0);
    expect((await rig.api('GET', `/api/v1/outreach_drafts/${stored.id}`)).status).toBe('draft');
    await edited.getByRole('button', { name: 'Approve Take-offs in half the time, Dana' }).click();

    // Send, after a confirmation that says to whom.
    await edited.getByRole('button', { name: 'Send Take-offs in half the time, Dana' }).click();
    const confirm = page.getByRole('dialog', { name: 'Send this email?' });
    await confirm.waitFor();
    expect(await confirm.textContent()).toContain('dana@kovac.example');
    await confirm.getByRole('button', { name: 'Send email' }).click();
    await confirm.waitFor({ state: 'detached' });
    await edited.getByText('Sent', { exact: true }).waitFor();
    expect(await edited.getByRole('button').count()).toBe(0);

    // The timeline shows the outbound email; the campaign lists them as sent.
    const timeline = page.getByRole('list', { name: 'Interactions and notes, newest first' });
    await timeline.getByRole('link', { name: 'Take-offs in half the time, Dana' }).waitFor();
    await page.getByRole('list', { name: 'Campaigns targeting them' }).getByText('Sent', { exact: true }).waitFor();

    // What the server stored: the draft sent, one email queued to the contact, the interaction, the target.
    const sent = await rig.api('GET', `/api/v1/outreach_drafts/${stored.id}`);
    expect(sent).toMatchObject({ status: 'sent', subject: 'Take-offs in half the time, Dana' });
    const queued = (await asAdmin('/api/v1/email_queue?limit=100')).items.filter((e: any) => JSON.stringify(e.to).includes('dana@kovac.example'));
    expect(queued).toHaveLength(1);
    expect(queued[0]).toMatchObject({ subject: 'Take-offs in half the time, Dana', template: 'outreach' });
    const interactions = (await rig.api('GET', `/api/v1/interactions?contact_id=${contact.id}`)).items;
    expect(interactions).toHaveLength(1);
    expect(interactions[0]).toMatchObject({ type: 'email', direction: 'outbound', subject: 'Take-offs in half the time, Dana', company_id: company.id });
    const targets = (await rig.api('GET', `/api/v1/campaign_targets?campaign_id=${campaign.id}`)).items;
    expect(targets).toMatchObject([{ target_type: 'contact', target_id: contact.id, status: 'sent' }]);

    // At phone width the page reads without sideways scrolling.
    await page.setViewportSize({ width: 390, height: 800 });
    await panel.getByRole('button', { name: 'Draft outreach' }).waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await shot(page, 'contact-assistant-phone');
    expect(dialogs).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  it('lists drafts waiting and approved on the Assistant page, and what the calls cost this month', async () => {
    fake.reset();
    // A LinkedIn draft waiting for approval, written through the API.
    fake.script(reply({ subject: null, body: 'Hi Dana, loved the site diary talk.' }, 100, 50));
    const waiting = await rig.api('POST', `/api/v1/contacts/${contact.id}/drafts`, { draft_type: 'linkedin' });
    const [month] = (await rig.api('GET', '/api/v1/llm/summary?by=month')).items.map((i: any) => i.month as string);

    const { page, dialogs } = await signedInPage(rig);
    const errors = pageErrors(page);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Assistant' }).click();
    await page.getByRole('heading', { level: 1, name: 'Assistant' }).waitFor();
    const status = page.getByRole('region', { name: 'Status' });
    await status.getByText(MODEL).waitFor();
    expect(await status.textContent()).toContain('127.0.0.1');

    const queue = page.getByRole('list', { name: 'Waiting for approval' });
    const item = queue.getByRole('listitem', { name: 'LinkedIn message draft' });
    await item.waitFor();
    expect(await item.getByRole('link', { name: 'Dana Kovac' }).getAttribute('href')).toBe(`/contacts/${contact.id}`);
    expect(await item.getByRole('link', { name: 'Kovac Builders' }).getAttribute('href')).toBe(`/companies/${company.id}`);
    expect(await item.textContent()).toContain('Hi Dana, loved the site diary talk.');
    expect(await page.getByRole('region', { name: 'Approved, not sent yet' }).getByText('No approved draft is waiting to be sent.').count()).toBe(1);

    // The cost report: this month's calls (a timeout, a research, an email and a LinkedIn draft), per workflow and model.
    const report = page.getByRole('region', { name: 'What the assistant costs' });
    const monthName = await page.evaluate((ym) => new Intl.DateTimeFormat(undefined, { month: 'short', year: 'numeric' }).format(new Date(Number(ym.slice(0, 4)), Number(ym.slice(5, 7)) - 1, 1)), month!);
    const chart = report.getByRole('figure');
    await chart.getByRole('img', { name: /Cost by month/ }).waitFor();
    // 0.0105 (research) + 0.012 (email) + 0.00105 (LinkedIn) + 0 (the timeout).
    expect(await chart.getByRole('row', { name: new RegExp(monthName) }).textContent()).toContain('$0.02355');
    const table = report.getByRole('table', { name: 'Calls, tokens and cost by workflow and model' });
    const research = table.getByRole('row', { name: /Prospect research/ });
    expect(await research.innerText()).toMatch(new RegExp(`Prospect research\\s+${MODEL}\\s+2\\s+1\\s+1,000\\s+500\\s+1,500\\s+\\$0\\.0105`));
    const drafts = table.getByRole('row', { name: /Outreach draft/ });
    expect(await drafts.innerText()).toMatch(new RegExp(`Outreach draft\\s+${MODEL}\\s+2\\s+0\\s+2,100\\s+450\\s+2,550\\s+\\$0\\.01305`));
    expect(await table.getByRole('row', { name: /Total/ }).innerText()).toMatch(/Total\s+4\s+1\s+3,100\s+950\s+4,050\s+\$0\.02355/);
    await shot(page, 'assistant');

    // A range that ends before it starts is refused beside the field; an old range has no calls.
    await report.getByLabel('From').fill('2020-02-01');
    await report.getByLabel('To').fill('2020-01-01');
    await report.getByText('To must not be before from').waitFor();
    await report.getByLabel('To').fill('2020-03-01');
    await report.getByText('No calls to a model in this range.').waitFor();
    await report.getByRole('button', { name: 'Last 12 months' }).click();
    await table.waitFor();

    // Approve from the queue: it moves to "Approved, not sent yet".
    await item.getByRole('button', { name: 'Approve LinkedIn message draft' }).click();
    await page.getByRole('list', { name: 'Approved, not sent yet' }).getByRole('listitem', { name: 'LinkedIn message draft' }).waitFor();
    expect((await rig.api('GET', `/api/v1/outreach_drafts/${waiting.id}`)).status).toBe('approved');
    await expect.poll(() => queue.getByRole('listitem', { name: 'LinkedIn message draft' }).count()).toBe(0);

    // A LinkedIn draft is marked sent by the person: the confirmation says so.
    await page.getByRole('list', { name: 'Approved, not sent yet' }).getByRole('link', { name: 'Open to send' }).click();
    await page.getByRole('heading', { level: 1, name: 'Dana Kovac' }).waitFor();
    const linkedin = page.getByRole('listitem', { name: 'LinkedIn message: LinkedIn message draft' });
    await linkedin.getByRole('button', { name: /^Send/ }).click();
    const confirm = page.getByRole('dialog', { name: 'Mark this draft sent?' });
    expect(await confirm.textContent()).toContain('marks it sent; you send it yourself');
    await confirm.getByRole('button', { name: 'Cancel' }).click();

    await page.goto(`${rig.base}/assistant`);
    await page.getByRole('table', { name: 'Calls, tokens and cost by workflow and model' }).waitFor();
    await page.setViewportSize({ width: 390, height: 800 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await shot(page, 'assistant-phone');
    expect(dialogs).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  it('shows the suggested services on the company page', async () => {
    const { page } = await signedInPage(rig);
    await page.goto(`${rig.base}/companies/${company.id}`);
    const section = page.getByRole('region', { name: 'Suggested services' });
    await section.getByRole('link', { name: 'AI Readiness Audit' }).waitFor();
    expect(await section.getByRole('link', { name: 'AI Readiness Audit' }).getAttribute('href')).toBe(`/services/${service.id}`);
    expect(await section.textContent()).toContain('Every engagement starts here');
    const bare = await rig.api('POST', '/api/v1/companies', { name: 'No Industry Co' });
    await page.goto(`${rig.base}/companies/${bare.id}`);
    await page.getByRole('region', { name: 'Suggested services' }).getByText('This company has no industry').waitFor();
    await page.close();
  }, 120_000);

  it('shows a note and a model answer that try to be markup as text', async () => {
    fake.reset();
    await rig.api('POST', '/api/v1/notes', { note_type: 'contact', related_id: contact.id, note_text: `Met at the expo ${XSS}` });
    fake.script(
      reply(
        {
          summary: `The notes say: ${XSS}`,
          key_insights: [`Insight ${XSS}`],
          recommended_solutions: [{ service_id: service.id, reason: `Because ${XSS}` }],
          confidence: 40,
        },
        10,
        5,
      ),
    );
    const { page, dialogs } = await signedInPage(rig);
    const errors = pageErrors(page);
    await page.goto(`${rig.base}/contacts/${contact.id}`);
    const panel = page.getByRole('region', { name: 'Sales assistant' });
    await panel.getByRole('button', { name: 'Research', exact: true }).click();
    const latest = panel.getByRole('article', { name: 'Latest research' });
    await latest.getByText(`The notes say: ${XSS}`).waitFor();
    expect(await latest.textContent()).toContain(`Insight ${XSS}`);
    expect(await latest.textContent()).toContain(`Because ${XSS}`);
    // The earlier research is kept, collapsed.
    expect(await panel.getByText('Earlier research (1)').count()).toBe(1);
    await page.getByRole('list', { name: 'Interactions and notes, newest first' }).getByText(`Met at the expo ${XSS}`).waitFor();
    // The record text reached the model as escaped data.
    expect(String(fake.requests[0]!.body.messages[1].content)).toContain('Met at the expo \\u003cimg src=x onerror=alert(1)\\u003e');
    expect(await page.locator('img').count()).toBe(0);
    expect(dialogs).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  it('shows a viewer the contact and the assistant without a single write button', async () => {
    const { page, dialogs } = await pageFor(viewer);
    const errors = pageErrors(page);
    await page.goto(`${rig.base}/contacts/${contact.id}`);
    await page.getByRole('heading', { level: 1, name: 'Dana Kovac' }).waitFor();
    const panel = page.getByRole('region', { name: 'Sales assistant' });
    await panel.getByRole('article', { name: 'Latest research' }).waitFor();
    await panel.getByRole('listitem', { name: 'LinkedIn message: LinkedIn message draft' }).waitFor();
    for (const name of ['Research', 'Draft outreach', 'Edit', 'Log interaction', 'Archive']) expect(await page.getByRole('button', { name, exact: true }).count(), name).toBe(0);
    expect(await panel.getByRole('button').count()).toBe(0);
    await page.goto(`${rig.base}/assistant`);
    await page.getByRole('list', { name: 'Approved, not sent yet' }).waitFor();
    expect(await page.getByRole('button', { name: /^Approve/ }).count()).toBe(0);
    expect(dialogs).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);
});
