/**
 * Browser journey of an anonymous website visitor (seed 001): the AI-readiness quiz at phone
 * width, one group at a time, then the contact details and the result; the lead it made,
 * with its UTM attribution, seen through the API; the contact form with its errors beside the
 * fields; the embeddable form framed by another site, which no other page allows.
 *
 * The page's clock is Playwright's: a visitor's reading time is a jump of the page's clock
 * (the forms send how long they were on screen), never a sleep in the test.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { scoreReadiness } from '../src/core/assessment/readiness.ts';
import { shot as saveShot, startBrowserRig, type BrowserRig } from './browser.ts';
import { dbSuite } from './db.ts';
import { stopServer } from './servers.ts';

const ANSWERS = [4, 3, 2, 4, 5, 3, 4, 2, 3, 4];
const EXPECTED = scoreReadiness(Object.fromEntries(ANSWERS.map((v, i) => [`q${i + 1}`, v])));

dbSuite('browser: public lead capture', ({ database, backend }) => {
  let rig: BrowserRig;
  const shot = (page: Page, name: string) => saveShot(page, name, backend);
  const tag = Math.random().toString(36).slice(2, 8);

  beforeAll(async () => {
    rig = await startBrowserRig(database());
  }, 120_000);
  afterAll(async () => {
    await rig?.close();
  });

  /** A fresh visitor: no session, the page's clock under the test's control, every API call it makes recorded. */
  async function visitor(viewport: { width: number; height: number }) {
    const context = await rig.browser.newContext({ viewport });
    await context.clock.install();
    const page = await context.newPage();
    const calls: string[] = [];
    page.on('request', (r) => {
      const u = new URL(r.url());
      if (u.pathname.startsWith('/api/')) calls.push(`${r.method()} ${u.pathname}`);
    });
    return { context, page, calls };
  }

  it('takes the quiz as a visitor at phone width and becomes a scored lead with its UTM fields', async () => {
    const { context, page, calls } = await visitor({ width: 390, height: 844 });
    const email = `visitor-${tag}@harbour-builders.example`;
    await page.goto(`${rig.base}/quiz?utm_source=newsletter&utm_medium=email&utm_campaign=may-quiz-${tag}`);

    // Four groups of questions, one at a time; Next without answering says so beside the question.
    await page.getByRole('heading', { name: 'Technology', level: 1 }).waitFor();
    await page.getByRole('button', { name: 'Next' }).click();
    const firstQuestion = page.locator('fieldset.public-scale').first();
    await expect.poll(() => firstQuestion.locator('small.error').textContent()).toBe('Please choose an answer from 1 to 5');
    expect(await firstQuestion.getAttribute('aria-invalid')).toBe('true');

    let q = 0;
    for (const group of ['Technology', 'Process', 'Team', 'Strategy']) {
      await page.getByRole('heading', { name: group, level: 1 }).waitFor();
      const questions = page.locator('fieldset.public-scale');
      const n = await questions.count();
      for (let i = 0; i < n; i++) await questions.nth(i).getByRole('radio').nth(ANSWERS[q++]! - 1).check();
      await page.getByRole('button', { name: 'Next' }).click();
    }
    expect(q).toBe(10);

    await page.getByRole('heading', { name: 'Where should we send your results?' }).waitFor();
    // The honeypot is out of sight, out of the tab order and never autofilled.
    const trap = page.locator('input[name="website"]');
    expect(await trap.getAttribute('tabindex')).toBe('-1');
    expect(await trap.getAttribute('autocomplete')).toBe('off');
    expect((await trap.boundingBox())!.x).toBeLessThan(0);

    await page.getByLabel('Your name').fill('Dana Visitor');
    await page.getByLabel('Work email').fill(email);
    await page.getByLabel('Company').fill('Harbour Builders');
    // The visitor took a minute over the quiz.
    await context.clock.fastForward(60_000);
    await page.getByRole('button', { name: 'See my score' }).click();

    await page.getByRole('heading', { name: 'Your AI-readiness result' }).waitFor();
    await expect.poll(() => page.locator('.public-score .value').textContent()).toBe(String(EXPECTED.score));
    expect(await page.locator('.public-result ol li').allTextContents()).toEqual(EXPECTED.recommendations);
    await shot(page, 'quiz-result');
    // A visitor's page never asks for the staff app's session or schema.
    expect(calls.filter((c) => /\/api\/v1\/(schema|auth\/me)/.test(c))).toEqual([]);
    expect(calls).toContain('POST /api/v1/public/readiness');

    // The sales team sees the lead, scored on arrival, with the quiz's UTM fields and its assessment.
    const leads = await rig.api('GET', `/api/v1/leads?email=${encodeURIComponent(email)}`);
    expect(leads.items).toHaveLength(1);
    const lead = leads.items[0];
    expect(lead).toMatchObject({ first_name: 'Dana', last_name: 'Visitor', company_name: 'Harbour Builders', source: 'website', utm_source: 'newsletter', utm_medium: 'email', utm_campaign: `may-quiz-${tag}`, score: 75 });
    const assessments = await rig.api('GET', `/api/v1/readiness_assessments?lead_id=${lead.id}`);
    expect(assessments.items.map((a: { score: number; status: string }) => [a.status, a.score])).toEqual([['completed', EXPECTED.score]]);
    // The page's own events and the server's quiz_completed share the visit's session.
    const completed = await rig.api('GET', `/api/v1/analytics_events?event=quiz_completed&limit=200`);
    const mine = completed.items.find((e: { properties: { lead_id?: string } }) => e.properties.lead_id === lead.id);
    expect(mine).toMatchObject({ ip_address: '127.0.0.0', properties: { utm_campaign: `may-quiz-${tag}` } });
    await expect
      .poll(async () => (await rig.api('GET', `/api/v1/analytics_events?session_id=${mine.session_id}&limit=200`)).items.map((e: { event: string }) => e.event).sort())
      .toEqual(['page_view', 'quiz_completed', 'quiz_started']);
    await context.close();
  });

  it('sends the contact form, with errors beside the fields first', async () => {
    const { context, page } = await visitor({ width: 1280, height: 860 });
    const email = `contact-${tag}@quarry-joinery.example`;
    await page.goto(`${rig.base}/contact?utm_source=google&utm_medium=cpc&utm_campaign=contact-${tag}`);
    await page.getByRole('heading', { name: 'Talk to us about AI for your business' }).waitFor();

    await page.getByRole('button', { name: 'Send' }).click();
    const name = page.getByLabel('Your name');
    await expect.poll(() => name.getAttribute('aria-invalid')).toBe('true');
    const describedBy = (await name.getAttribute('aria-describedby'))!;
    expect(await page.locator(`[id="${describedBy}"]`).textContent()).toBe('Please enter your name');

    await name.fill('Quinn <b>Joiner</b>');
    // The error goes once the field is changed.
    expect(await name.getAttribute('aria-invalid')).toBeNull();
    await page.getByLabel('Work email').fill(email);
    await page.getByLabel('How can we help?').fill('We quote kitchens by hand and it takes two days per job. Can AI help?');
    await context.clock.fastForward(20_000);
    await shot(page, 'contact');
    await page.getByRole('button', { name: 'Send' }).click();
    await page.getByRole('status').filter({ hasText: 'Thank you' }).waitFor();

    const leads = await rig.api('GET', `/api/v1/leads?email=${encodeURIComponent(email)}`);
    expect(leads.items).toHaveLength(1);
    expect(leads.items[0]).toMatchObject({ first_name: 'Quinn', last_name: '<b>Joiner</b>', source: 'website', utm_campaign: `contact-${tag}`, message: 'We quote kitchens by hand and it takes two days per job. Can AI help?' });
    await context.close();
  });

  it('lets another site frame /embed/contact, and no other page', async () => {
    const embed = await fetch(`${rig.base}/embed/contact`);
    expect(embed.status).toBe(200);
    expect(embed.headers.get('content-security-policy')).toMatch(/frame-ancestors \*/);
    for (const path of ['/contact', '/quiz', '/roi-calculator', '/', '/leads']) {
      const r = await fetch(`${rig.base}${path}`);
      expect(r.headers.get('content-security-policy'), path).toMatch(/frame-ancestors 'none'/);
    }

    // The consultancy's website (another origin) frames the form, and a visitor sends it from there.
    const site = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(`<!doctype html><title>Consultancy</title><h1>Our services</h1><iframe title="Contact form" src="${rig.base}/embed/contact?utm_source=own-site&utm_campaign=embed-${tag}" width="600" height="700"></iframe>`);
    });
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
    try {
      const { context, page } = await visitor({ width: 1280, height: 900 });
      await page.goto(`http://localhost:${(site.address() as AddressInfo).port}/`);
      const frame = page.frameLocator('iframe[title="Contact form"]');
      await frame.getByRole('heading', { name: 'Get in touch' }).waitFor();
      // No staff chrome in the frame.
      expect(await frame.locator('header, nav').count()).toBe(0);
      const email = `embed-${tag}@harbour-builders.example`;
      await frame.getByLabel('Your name').fill('Embed Visitor');
      await frame.getByLabel('Work email').fill(email);
      await context.clock.fastForward(15_000);
      await frame.getByRole('button', { name: 'Send' }).click();
      await frame.getByRole('status').filter({ hasText: 'Thank you' }).waitFor();
      const leads = await rig.api('GET', `/api/v1/leads?email=${encodeURIComponent(email)}`);
      expect(leads.items).toHaveLength(1);
      expect(leads.items[0]).toMatchObject({ source: 'website', utm_source: 'own-site', utm_campaign: `embed-${tag}` });
      await context.close();
    } finally {
      await stopServer(site);
    }
  });
});
