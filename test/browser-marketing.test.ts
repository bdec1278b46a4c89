/**
 * Browser journeys of marketing (seed 004 campaigns, seed 003 events): a campaign's page with
 * its KPIs worked out by the server (checked by hand below), moving it along the campaign
 * pipeline and a refused move's message, adding targets by a segment and by a picked list,
 * moving a target, editing content into a second version and adding a metric period; an
 * event's page where an attendee is added (a second time refused), checked in, grouped under
 * their company with the interaction at the event listed; and what a viewer is offered.
 * Data is arranged through the HTTP API as an editor; what the page shows is checked against
 * what the server stored. Screenshots: campaign, campaign-targets, event, event-phone.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { signIn } from './auth.ts';
import { pageErrors, shot as saveShot, signedInPage, startBrowserRig, type BrowserRig } from './browser.ts';
import { dbSuite } from './db.ts';

type Json = Record<string, any>;

dbSuite('browser: campaigns and events', ({ database, backend }) => {
  let rig: BrowserRig;
  const shot = (page: Page, name: string) => saveShot(page, name, backend);
  const watch = pageErrors;
  const kpi = (page: Page, name: string) => page.getByRole('group', { name, exact: true });

  beforeAll(async () => {
    rig = await startBrowserRig(database());
  }, 120_000);
  afterAll(async () => {
    await rig?.close();
  });

  /** A campaign in draft with a budget, two metric periods, a content piece, leads and companies to target. */
  async function arrangeCampaign() {
    const campaign = await rig.api('POST', '/api/v1/campaigns', {
      name: 'Spring Estimators',
      type: 'email',
      budget: '4500.00',
      currency: 'AUD',
      start_date: '2026-03-01',
      end_date: '2026-05-31',
      target_audience: 'Estimators at civil builders',
      description: 'Three emails <script>alert(1)</script> about takeoffs',
    });
    expect(campaign.status).toBe('draft');
    // By hand: spend 1500 + 1500 = 3000, conversions 2 + 3 = 5, revenue 900 + 2550 = 3450:
    // cost per conversion 3000 ÷ 5 = 600.00, ROI (3450 − 3000) ÷ 3000 × 100 = 15.00, budget used 3000 ÷ 4500 = 66.67%.
    await rig.api('POST', '/api/v1/campaign_metrics', { campaign_id: campaign.id, period: '2026-03-01', impressions: 1200, opens: 420, clicks: 61, conversions: 2, spend: '1500.00', revenue: '900.00', currency: 'AUD' });
    await rig.api('POST', '/api/v1/campaign_metrics', { campaign_id: campaign.id, period: '2026-04-01', impressions: 1600, opens: 510, clicks: 83, conversions: 3, spend: '1500.00', revenue: '2550.00', currency: 'AUD' });
    const content = await rig.api('POST', '/api/v1/campaign_content', { campaign_id: campaign.id, content_type: 'email', subject: 'Takeoffs in minutes', body: 'First cut of the email.' });
    const leads: Json[] = [];
    for (const [first, co] of [['Ana', 'Alpha Civil'], ['Ben', 'Bravo Civil'], ['Cy', 'Charlie Civil']] as const) {
      leads.push(await rig.api('POST', '/api/v1/leads', { first_name: first, email: `${first.toLowerCase()}@${co.split(' ')[0]!.toLowerCase()}.example`, company_name: co, source: 'website', utm_campaign: 'spring-estimators' }));
    }
    // Leads are targeted only with marketing consent in force: these ticked the website's box.
    for (const lead of leads) await rig.api('POST', '/api/v1/consents', { lead_id: lead.id, purpose: 'marketing_email', method: 'form', evidence: 'Ticked the website checkbox' }, 200);
    await rig.api('POST', '/api/v1/leads', { first_name: 'Dee', email: 'dee@delta.example', company_name: 'Delta Civil', source: 'website', utm_campaign: 'autumn' });
    const harbour = await rig.api('POST', '/api/v1/companies', { name: 'Harbour Marketing Co' });
    await rig.api('POST', '/api/v1/companies', { name: 'Ridge Joinery' });
    return { campaign, content, leads, harbour };
  }

  it('shows a campaign with its KPIs, moves it, adds and moves targets, versions its content and adds a period', async () => {
    const { campaign, content, leads, harbour } = await arrangeCampaign();
    const { page, dialogs } = await signedInPage(rig);
    const errors = watch(page);
    await page.goto(`${rig.base}/campaigns/${campaign.id}`);
    await page.getByRole('heading', { name: 'Spring Estimators', level: 1 }).waitFor();

    // The description is text, never markup.
    expect(await page.locator('.details').textContent()).toContain('Three emails <script>alert(1)</script> about takeoffs');
    expect(await page.locator('.details').textContent()).toContain('Estimators at civil builders');

    // KPIs as the server works them out, checked by hand.
    await kpi(page, 'Cost per conversion').waitFor();
    expect(await kpi(page, 'Cost per conversion').textContent()).toContain('600.00');
    expect(await kpi(page, 'ROI').textContent()).toContain('15.00%');
    expect(await kpi(page, 'Spend').textContent()).toContain('3,000.00');
    expect(await kpi(page, 'Spend').textContent()).toContain('4,500.00');
    expect(await kpi(page, 'Spend').textContent()).toContain('66.67% used');
    expect(await kpi(page, 'Conversions').textContent()).toContain('5');
    expect(await kpi(page, 'Revenue').textContent()).toContain('3,450.00');
    expect(await kpi(page, 'Open rate').textContent()).toContain('33.21%');
    expect(await kpi(page, 'Click rate').textContent()).toContain('5.14%');
    expect(await kpi(page, 'Conversion rate').textContent()).toContain('3.47%');
    const metrics = page.getByRole('table', { name: 'Metrics by period' });
    expect(await metrics.locator('tbody tr').count()).toBe(2);
    expect(await metrics.locator('tbody tr').first().textContent()).toContain('750.00');
    expect(await metrics.locator('tbody tr').first().textContent()).toContain('-40.00%');
    expect(await metrics.locator('tbody tr').nth(1).textContent()).toContain('70.00%');
    expect(await page.locator('svg[role="img"]').count()).toBeGreaterThanOrEqual(2);

    // The offered moves are the pipeline's next statuses from draft.
    const stages = (await rig.api('GET', '/api/v1/pipeline_stages?pipeline=campaign&sort=position')).items as Json[];
    const label = (key: string) => stages.find((s) => s.key === key)!.label as string;
    const moves = page.getByRole('group', { name: 'Campaign status' });
    const offered = async () => (await moves.getByRole('button', { name: /^Move to / }).allTextContents()).sort();
    expect(await offered()).toEqual(stages.find((s) => s.key === 'draft')!.next_statuses.map((k: string) => `Move to ${label(k)}`).sort());
    await moves.getByRole('button', { name: 'Move to Active' }).click();
    await page.getByRole('status').filter({ hasText: 'The campaign is now active.' }).waitFor();
    expect((await rig.api('GET', `/api/v1/campaigns/${campaign.id}`)).status).toBe('active');
    await expect.poll(offered).toEqual(stages.find((s) => s.key === 'active')!.next_statuses.map((k: string) => `Move to ${label(k)}`).sort());
    // Back to draft is no next step: the server refuses, and its message says which moves it allows.
    await page.getByLabel('Move the campaign to').selectOption('draft');
    await moves.getByRole('button', { name: 'Move', exact: true }).click();
    const refusal = moves.getByRole('alert');
    await refusal.waitFor();
    expect(await refusal.textContent()).toMatch(/cannot move from active to draft; allowed next: paused, completed/);
    expect((await rig.api('GET', `/api/v1/campaigns/${campaign.id}`)).status).toBe('active');
    const history = page.locator('#mk-history ol.history li');
    await expect.poll(() => history.allTextContents()).toEqual([expect.stringMatching(/^Draft from/), expect.stringMatching(/^Active from .*\(now\)/)]);

    // Add targets by a segment: the leads of one UTM campaign.
    await page.getByRole('button', { name: 'Add targets' }).click();
    const add = page.getByRole('dialog', { name: 'Add targets' });
    await add.waitFor();
    expect(await add.getByLabel('Leads').isChecked()).toBe(true);
    await add.getByLabel('UTM campaign').fill('spring-estimators');
    await add.getByRole('button', { name: 'Add targets' }).click();
    await expect.poll(() => add.getByRole('status').textContent()).toBe('The segment matched 3. Added 3, already targeted 0, refused 0.');
    await add.getByRole('button', { name: 'Add targets' }).click();
    await expect.poll(() => add.getByRole('status').textContent()).toBe('The segment matched 3. Added 0, already targeted 3, refused 0.');
    // And a company picked by search.
    await add.getByLabel('A list I pick').check();
    await add.getByLabel('Kind').selectOption('company');
    await add.getByLabel('Find companies').fill('Harbour');
    await add.getByRole('button', { name: 'Search' }).click();
    await add.getByLabel('Harbour Marketing Co').check();
    await add.getByRole('button', { name: 'Add targets' }).click();
    await expect.poll(() => add.getByRole('status').textContent()).toBe('Added 1, already targeted 0, refused 0.');
    await add.getByRole('button', { name: 'Done' }).click();
    await add.waitFor({ state: 'hidden' });
    await expect.poll(() => page.getByLabel('Targets summary').textContent()).toMatch(/^4 targets: 3 leads, 0 contacts, 1 company\. 0 reached/);
    const stored = (await rig.api('GET', `/api/v1/campaign_targets?campaign_id=${campaign.id}&limit=50`)).items as Json[];
    expect(stored.map((t) => `${t.target_type}:${t.target_id}`).sort()).toEqual([...leads.map((l) => `lead:${l.id}`), `company:${harbour.id}`].sort());

    // Move one target pending → sent, among the moves its pipeline allows.
    const targets = page.getByRole('table', { name: 'Targets', exact: true });
    const alpha = targets.getByRole('row').filter({ has: page.getByRole('link', { name: 'Alpha Civil' }) });
    await alpha.waitFor();
    expect(await alpha.getByRole('link', { name: 'Alpha Civil' }).getAttribute('href')).toBe(`/leads/${leads[0]!.id}`);
    expect(await alpha.getByLabel('Move Alpha Civil to', { exact: true }).locator('option').allTextContents()).toEqual(['Move to…', 'Sent']);
    await alpha.getByLabel('Move Alpha Civil to', { exact: true }).selectOption('sent');
    await alpha.getByRole('button', { name: 'Move Alpha Civil' }).click();
    await expect.poll(() => alpha.locator('.badge').textContent()).toBe('Sent');
    await expect.poll(() => page.getByLabel('Targets summary').textContent()).toMatch(/1 reached \(25%\)/);
    const moved = stored.find((t) => t.target_id === leads[0]!.id)!;
    expect((await rig.api('GET', `/api/v1/campaign_targets/${moved.id}`)).status).toBe('sent');
    await shot(page, 'campaign-targets');

    // Edit a content piece's body: two versions, the old text kept, markup shown as text.
    const piece = page.getByRole('article', { name: 'Takeoffs in minutes' });
    await piece.getByRole('button', { name: 'Edit Takeoffs in minutes' }).click();
    const edit = page.getByRole('dialog', { name: 'Edit content' });
    await edit.getByLabel('Body').fill('Second cut, now with <b>bold</b> claims.');
    await edit.getByRole('button', { name: 'Save content' }).click();
    await page.getByRole('status').filter({ hasText: 'The content is saved as version 2.' }).waitFor();
    await piece.getByText('Versions', { exact: true }).click();
    const versions = piece.getByRole('list', { name: 'Versions' }).getByRole('listitem');
    await expect.poll(() => versions.count()).toBe(2);
    expect(await versions.nth(0).textContent()).toContain('Version 2');
    expect(await versions.nth(0).textContent()).toContain('Second cut, now with <b>bold</b> claims.');
    expect(await versions.nth(1).textContent()).toContain('Version 1');
    expect(await versions.nth(1).textContent()).toContain('First cut of the email.');
    expect(await piece.locator('b').count()).toBe(0);
    const stored2 = (await rig.api('GET', `/api/v1/campaign_content_versions?content_id=${content.id}&sort=content_version`)).items as Json[];
    expect(stored2.map((v) => [v.content_version, v.body])).toEqual([
      [1, 'First cut of the email.'],
      [2, 'Second cut, now with <b>bold</b> claims.'],
    ]);

    // Add a metric period: the KPIs follow. Spend 3500, conversions 10, revenue 5450:
    // cost per conversion 350.00, ROI (5450 − 3500) ÷ 3500 × 100 = 55.71.
    await page.getByRole('button', { name: 'Add period' }).click();
    const period = page.getByRole('dialog', { name: 'Add a metric period' });
    await period.getByLabel('Period').fill('2026-05-01');
    await period.getByLabel('Conversions').fill('5');
    await period.getByLabel('Spend').fill('500.00');
    await period.getByLabel('Revenue').fill('2000.00');
    expect(await period.getByLabel('Currency').inputValue()).toBe('AUD');
    await period.getByRole('button', { name: 'Add period' }).click();
    await period.waitFor({ state: 'hidden' });
    await expect.poll(() => kpi(page, 'Cost per conversion').textContent()).toContain('350.00');
    expect(await kpi(page, 'ROI').textContent()).toContain('55.71%');
    await expect.poll(() => metrics.locator('tbody tr').count()).toBe(3);
    expect(await metrics.locator('tbody tr').nth(2).textContent()).toContain('100.00'); // 500 ÷ 5
    expect(await metrics.locator('tbody tr').nth(2).textContent()).toContain('300.00%'); // (2000 − 500) ÷ 500 × 100
    const perf = await rig.api('GET', `/api/v1/campaigns/${campaign.id}/performance`);
    expect([perf.rates.cost_per_conversion, perf.rates.roi]).toEqual(['350.00', '55.71']);

    await shot(page, 'campaign');
    // Readable at phone width: nothing wider than the screen (wide tables scroll in their own box).
    await page.setViewportSize({ width: 390, height: 844 });
    await kpi(page, 'ROI').waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBeLessThanOrEqual(0);
    await shot(page, 'campaign-phone');
    expect(errors).toEqual([]);
    expect(dialogs).toEqual([]);
    await page.close();
  }, 180_000);

  it('adds an attendee to an event, refuses them twice, checks them in and lists the interaction at the event', async () => {
    const company = await rig.api('POST', '/api/v1/companies', { name: 'Harbour Civil Events' });
    const dana = await rig.api('POST', '/api/v1/contacts', { company_id: company.id, name: 'Dana Reyes', role_title: 'Senior Estimator', email: 'dana@harbour-events.example' });
    const sam = await rig.api('POST', '/api/v1/contacts', { company_id: company.id, name: 'Sam Okafor', role_title: 'Director' });
    const loner = await rig.api('POST', '/api/v1/contacts', { name: 'Lee Freelance' });
    const event = await rig.api('POST', '/api/v1/events', {
      name: 'Sydney Build Expo',
      event_type: 'conference',
      event_date: '2026-09-10T00:00:00.000Z',
      location: 'ICC Sydney',
      status: 'open',
      description: 'Stand 42 <img src=x onerror=alert(1)>',
      target_industries: ['Construction', 'Civil'],
      target_roles: ['Estimator'],
      solutions_featured: ['Takeoff MCP'],
    });
    await rig.api('POST', '/api/v1/event_attendees', { event_id: event.id, contact_id: sam.id, status: 'registered' });
    await rig.api('POST', '/api/v1/event_attendees', { event_id: event.id, contact_id: loner.id, status: 'invited' });

    const { page, dialogs } = await signedInPage(rig);
    const errors = watch(page);
    await page.goto(`${rig.base}/events/${event.id}`);
    await page.getByRole('heading', { name: 'Sydney Build Expo', level: 1 }).waitFor();
    expect(await page.getByRole('list', { name: 'Target industries' }).getByRole('listitem').allTextContents()).toEqual(['Construction', 'Civil']);
    expect(await page.getByRole('list', { name: 'Solutions featured' }).getByRole('listitem').allTextContents()).toEqual(['Takeoff MCP']);
    expect(await page.locator('.details').textContent()).toContain('Stand 42 <img src=x onerror=alert(1)>');
    expect(await page.locator('.details').textContent()).toContain('ICC Sydney');
    // Grouped by company, the attendee without one last.
    expect(await page.locator('.mk-company h3').allTextContents()).toEqual(['Harbour Civil Events', 'No company']);

    // Add Dana through the dialog.
    await page.getByRole('button', { name: 'Add attendee' }).click();
    const add = page.getByRole('dialog', { name: 'Add attendee' });
    await add.getByLabel('Find a contact').fill('Dana');
    await expect.poll(() => add.getByLabel('Contact', { exact: true }).locator('option', { hasText: 'Dana Reyes' }).count()).toBe(1);
    await add.getByLabel('Contact', { exact: true }).selectOption({ label: 'Dana Reyes' });
    await add.getByLabel('Role at the event').fill('guest');
    await add.getByRole('button', { name: 'Add attendee' }).click();
    await page.getByRole('status').filter({ hasText: 'Dana Reyes is added to the event.' }).waitFor();
    const harbour = page.getByRole('region', { name: 'Harbour Civil Events' });
    const danaRow = harbour.getByRole('row').filter({ has: page.getByRole('link', { name: 'Dana Reyes' }) });
    await danaRow.waitFor();
    expect(await danaRow.getByRole('link', { name: 'Dana Reyes' }).getAttribute('href')).toBe(`/contacts/${dana.id}`);
    expect(await danaRow.textContent()).toContain('Senior Estimator');
    expect(await danaRow.textContent()).toContain('guest');
    expect(await danaRow.locator('.badge').textContent()).toBe('Registered');

    // A second time: the server's 409 says why.
    await page.getByRole('button', { name: 'Add attendee' }).click();
    await add.getByLabel('Find a contact').fill('Dana');
    await expect.poll(() => add.getByLabel('Contact', { exact: true }).locator('option', { hasText: 'Dana Reyes' }).count()).toBe(1);
    await add.getByLabel('Contact', { exact: true }).selectOption({ label: 'Dana Reyes' });
    await add.getByRole('button', { name: 'Add attendee' }).click();
    const refusal = add.getByRole('alert').first();
    await refusal.waitFor();
    expect(await refusal.textContent()).toMatch(/Dana Reyes is already an attendee of this event \(registered/);
    await add.getByRole('button', { name: 'Cancel' }).click();
    const attendees = (await rig.api('GET', `/api/v1/event_attendees?event_id=${event.id}&contact_id=${dana.id}`)).items as Json[];
    expect(attendees).toHaveLength(1);

    // Check Dana in: attended, and the interaction at the event listed.
    await danaRow.getByRole('button', { name: 'Check in Dana Reyes' }).click();
    await page.getByRole('status').filter({ hasText: 'Dana Reyes is checked in' }).waitFor();
    await expect.poll(() => danaRow.locator('.badge').textContent()).toBe('Attended');
    expect(await danaRow.getByRole('button', { name: 'Dana Reyes is checked in' }).isDisabled()).toBe(true);
    expect(await danaRow.getByLabel('Status of Dana Reyes', { exact: true }).inputValue()).toBe('attended');
    const interactions = page.getByRole('list', { name: 'Interactions at the event' });
    const logged = interactions.getByRole('listitem').filter({ hasText: 'Attended Sydney Build Expo' });
    await logged.waitFor();
    expect(await logged.textContent()).toContain('Dana Reyes');
    expect(await logged.textContent()).toContain('Harbour Civil Events');
    const stored = (await rig.api('GET', `/api/v1/interactions?event_id=${event.id}`)).items as Json[];
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ contact_id: dana.id, company_id: company.id, subject: 'Attended Sydney Build Expo' });
    expect(await logged.getByRole('link', { name: 'Attended Sydney Build Expo' }).getAttribute('href')).toBe(`/interactions/${stored[0]!.id}`);
    expect((await rig.api('GET', `/api/v1/event_attendees/${attendees[0]!.id}`)).status).toBe('attended');
    expect(await page.getByRole('group', { name: 'Attended', exact: true }).textContent()).toContain('1');

    // Sam did not come: change the attendee's status.
    const samRow = harbour.getByRole('row').filter({ has: page.getByRole('link', { name: 'Sam Okafor' }) });
    await samRow.getByLabel('Status of Sam Okafor', { exact: true }).selectOption('no_show');
    await samRow.getByRole('button', { name: 'Change the status of Sam Okafor' }).click();
    await expect.poll(() => samRow.locator('.badge').textContent()).toBe('No show');
    expect(((await rig.api('GET', `/api/v1/event_attendees?event_id=${event.id}&contact_id=${sam.id}`)).items as Json[])[0]!.status).toBe('no_show');

    await shot(page, 'event');
    await page.setViewportSize({ width: 390, height: 844 });
    await danaRow.getByRole('button', { name: 'Dana Reyes is checked in' }).waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await shot(page, 'event-phone');
    expect(errors).toEqual([]);
    expect(dialogs).toEqual([]);
    await page.close();
  }, 180_000);

  it('offers a viewer no write buttons on either page', async () => {
    const campaign = await rig.api('POST', '/api/v1/campaigns', { name: 'Viewer Campaign', type: 'webinar', budget: '100.00', currency: 'AUD' });
    await rig.api('POST', '/api/v1/campaign_content', { campaign_id: campaign.id, content_type: 'email', subject: 'Read only piece', body: 'Nothing to change' });
    await rig.api('POST', '/api/v1/campaign_metrics', { campaign_id: campaign.id, period: '2026-03-01', conversions: 0, spend: '10.00', currency: 'AUD' });
    const company = await rig.api('POST', '/api/v1/companies', { name: 'Viewer Co' });
    const contact = await rig.api('POST', '/api/v1/contacts', { company_id: company.id, name: 'Val Viewer' });
    const event = await rig.api('POST', '/api/v1/events', { name: 'Viewer Meetup', event_type: 'meetup', event_date: '2026-10-01T08:00:00.000Z', status: 'open' });
    await rig.api('POST', '/api/v1/event_attendees', { event_id: event.id, contact_id: contact.id });
    await rig.api('POST', `/api/v1/campaigns/${campaign.id}/targets`, { targets: [{ target_type: 'company', target_id: company.id }] }, 200);

    const viewer = await signIn({ request: (p, i) => fetch(`${rig.base}${p}`, i) }, database(), 'viewer');
    const page = await rig.browser.newPage({ viewport: { width: 1280, height: 860 } });
    const errors = watch(page);
    const dialogs: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await page.goto(`${rig.base}/`);
    await page.getByLabel('Email').fill(viewer.user.email);
    await page.getByLabel('Password').fill(viewer.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();

    await page.goto(`${rig.base}/campaigns/${campaign.id}`);
    await page.getByRole('heading', { name: 'Viewer Campaign', level: 1 }).waitFor();
    await page.getByRole('article', { name: 'Read only piece' }).waitFor();
    await page.getByRole('table', { name: 'Targets', exact: true }).waitFor();
    // Nulls are explained: no conversions yet, so no cost per conversion.
    expect(await kpi(page, 'Cost per conversion').textContent()).toContain('no conversions yet');
    expect(await kpi(page, 'ROI').textContent()).toContain('no revenue recorded yet');
    const buttons = (await page.locator('main button').allTextContents()).filter((t) => !/Sign out|Search/.test(t));
    expect(buttons.filter((t) => /Edit|Move|Add|Check in|Change/.test(t))).toEqual([]);
    expect(await page.getByRole('group', { name: 'Campaign status' }).count()).toBe(0);

    await page.goto(`${rig.base}/events/${event.id}`);
    await page.getByRole('heading', { name: 'Viewer Meetup', level: 1 }).waitFor();
    await page.getByRole('link', { name: 'Val Viewer' }).waitFor();
    const eventButtons = await page.locator('main button').allTextContents();
    expect(eventButtons.filter((t) => /Edit|Add|Check in|Change/.test(t))).toEqual([]);
    expect(errors).toEqual([]);
    expect(dialogs).toEqual([]);
    await page.close();
  }, 120_000);
});
