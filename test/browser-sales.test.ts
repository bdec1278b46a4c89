/**
 * Browser journeys of the daily sales work (seed 000 steps 1–4, issue 7): sign in, log a
 * prospect with its first conversation and see its follow-up in the inbox; a refused
 * prospect shows why beside the field; the inbox's overdue and today sections, "Log & set
 * next" taking an item off the list, booking and completing a meeting; and logging an
 * interaction with any company. Each step checks what the page shows and what the server
 * stored. Screenshots: inbox, log-prospect, inbox-phone.
 */
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { shot as saveShot, signedInPage, startBrowserRig, type BrowserRig } from './browser.ts';
import { dbSuite } from './db.ts';

/** `YYYY-MM-DD` plus whole days. */
function addDays(day: string, days: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** Today in the browser's time zone (what the dialogs' defaults count from). */
const browserToday = (page: Page) =>
  page.evaluate(() => {
    const d = new Date();
    return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
  });

dbSuite('browser: daily sales work', ({ database, backend }) => {
  let rig: BrowserRig;
  /** A screenshot from the top of the page (the sticky top bar where it belongs), nothing focused. */
  const shot = (page: Page, name: string) => saveShot(page, name, backend);
  /** Today as the server counts follow-ups. */
  const serverToday = async (): Promise<string> => (await rig.api('GET', '/api/v1/sales/follow-ups')).today as string;
  const prospect = async (name: string) => (await rig.api('POST', '/api/v1/sales/prospects', { company: { name, location: 'Penrith', source: 'cold_call' } })).company as { id: string; name: string };
  const followUp = (companyId: string, follow_up_date: string, extra: Record<string, unknown> = {}) =>
    rig.api('POST', '/api/v1/sales/interactions', { company_id: companyId, interaction: { type: 'cold_call', summary: 'First call', follow_up_date, ...extra } });
  const interactionsOf = async (companyId: string) => (await rig.api('GET', `/api/v1/interactions?company_id=${companyId}&sort=-interaction_date`)).items as Record<string, any>[];
  const section = (page: Page, title: RegExp) => page.getByRole('region', { name: title });
  const itemOf = (where: Locator, company: string) => where.getByRole('listitem').filter({ has: where.page().getByRole('link', { name: company, exact: true }) });

  beforeAll(async () => {
    rig = await startBrowserRig(database());
  }, 120_000);
  afterAll(async () => {
    await rig?.close();
  });

  it('signs in, logs a prospect and its first conversation, and sees the follow-up appear in Today', async () => {
    const today = await serverToday();
    const { page, dialogs } = await signedInPage(rig);
    await page.getByRole('heading', { name: 'Follow-ups' }).waitFor();
    await page.getByRole('button', { name: 'Log a prospect' }).click();
    await page.getByRole('heading', { name: 'Log a prospect' }).waitFor();
    expect(page.url()).toBe(`${rig.base}/prospects/new`);

    await page.getByLabel('Company name').fill('Harbour Civil Pty Ltd');
    await page.getByLabel('Location').fill('Parramatta');
    await page.getByLabel('Website').fill('harbourcivil.example.com');
    await page.getByLabel('Employees').fill('18');
    expect(await page.getByLabel('How we found them').inputValue()).toBe('cold_walk_in');
    await page.getByLabel('Contact name').fill('Dana Reyes');
    await page.getByLabel('Role', { exact: true }).fill('Senior Estimator');
    await page.getByLabel('Contact email').fill('dana@harbourcivil.example.com');
    await page.getByLabel('Signs off on purchases').check();
    expect(await page.getByLabel('How you spoke').inputValue()).toBe('cold_walk_in');
    await page.getByLabel('What was said').fill('Walked in; Dana wants AI help with takeoffs');
    await page.getByLabel('Outcome').selectOption('interested');
    await page.getByLabel('Next step', { exact: true }).fill('Send the case study');
    await page.getByLabel('Follow up on', { exact: true }).fill(today);
    await shot(page, 'log-prospect');
    await page.getByRole('button', { name: 'Save prospect' }).click();

    await page.getByRole('heading', { name: 'Harbour Civil Pty Ltd' }).waitFor();
    const id = page.url().split('/companies/')[1]!;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const company = await rig.api('GET', `/api/v1/companies/${id}`);
    expect(company).toMatchObject({ name: 'Harbour Civil Pty Ltd', location: 'Parramatta', employee_count: 18, source: 'cold_walk_in', status: 'contacted' });
    const contacts = (await rig.api('GET', `/api/v1/contacts?company_id=${id}`)).items;
    expect(contacts).toHaveLength(1);
    expect(contacts[0]).toMatchObject({ name: 'Dana Reyes', role_title: 'Senior Estimator', email: 'dana@harbourcivil.example.com', is_decision_maker: true });
    const [first] = await interactionsOf(id);
    expect(first).toMatchObject({ type: 'cold_walk_in', outcome: 'interested', next_step: 'Send the case study', follow_up_date: today, contact_id: contacts[0].id });

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Inbox' }).click();
    const todays = section(page, /^Today/);
    const item = itemOf(todays, 'Harbour Civil Pty Ltd');
    await item.waitFor();
    expect(await item.textContent()).toContain('Dana Reyes');
    expect(await item.textContent()).toContain('Due today');
    expect(await item.textContent()).toContain('Send the case study');
    expect(dialogs).toEqual([]);
    await page.close();
  }, 120_000);

  it('refuses a prospect without a name, or one already in the pipeline, and says so beside the field', async () => {
    const before = (await rig.api('GET', '/api/v1/companies?location=Nowhere%20Creek')).items.length;
    const { page } = await signedInPage(rig);
    await page.goto(`${rig.base}/prospects/new`);
    await page.getByRole('heading', { name: 'Log a prospect' }).waitFor();
    await page.getByLabel('Location').fill('Nowhere Creek');
    await page.getByRole('button', { name: 'Save prospect' }).click();

    const name = page.getByLabel('Company name');
    await expect.poll(() => name.getAttribute('aria-invalid')).toBe('true');
    const describedBy = await name.getAttribute('aria-describedby');
    expect(describedBy).toBeTruthy();
    const message = page.locator(`[id="${describedBy}"]`);
    expect(await message.textContent()).toMatch(/^Company name .*required/i);
    // Beside the field: in the same field row as the input.
    expect(await page.locator('.field.invalid').filter({ has: name }).textContent()).toMatch(/required/i);
    await page.getByRole('alert').first().waitFor();
    expect(page.url()).toBe(`${rig.base}/prospects/new`);
    expect((await rig.api('GET', '/api/v1/companies?location=Nowhere%20Creek')).items.length).toBe(before);

    // A name already in the pipeline: the existing company is named and linked, and only a
    // deliberate "log it anyway" makes a second one.
    const existing = await prospect('Twin Peaks Joinery');
    await page.getByLabel('Company name').fill('twin peaks joinery');
    await page.getByRole('button', { name: 'Save prospect' }).click();
    const link = page.getByRole('link', { name: 'Twin Peaks Joinery' });
    await link.waitFor();
    expect(await link.getAttribute('href')).toBe(`/companies/${existing.id}`);
    expect(await page.locator('.field.invalid').filter({ has: page.getByLabel('Company name') }).textContent()).toMatch(/matches an existing company/);
    expect((await rig.api('GET', '/api/v1/companies?location=Nowhere%20Creek')).items.length).toBe(before);
    await page.getByLabel('It is a different company: log it anyway').check();
    await page.getByRole('button', { name: 'Save prospect' }).click();
    await page.getByRole('heading', { name: 'twin peaks joinery' }).waitFor();
    const twins = (await rig.api('GET', '/api/v1/companies?location=Nowhere%20Creek')).items;
    expect(twins).toHaveLength(before + 1);
    expect(twins[0]).toMatchObject({ name: 'twin peaks joinery', status: 'contacted' });
    expect(page.url()).toBe(`${rig.base}/companies/${twins[0].id}`);
    await page.close();
  }, 120_000);

  it('shows overdue and today; "Log & set next" takes an item off the list; a meeting is booked and completed', async () => {
    const today = await serverToday();
    const late = await prospect('Overdue Builders');
    await followUp(late.id, addDays(today, -3), { next_step: 'Ring about the quote' });
    const due = await prospect('Today Constructions');
    await followUp(due.id, today, { subject: 'Chase the estimator' });
    const meet = await prospect('Meeting Mates');
    await followUp(meet.id, today, { next_step: 'Book a discovery meeting' });

    const { page, dialogs } = await signedInPage(rig);
    const overdue = section(page, /^Overdue/);
    const todays = section(page, /^Today/);
    await itemOf(overdue, 'Overdue Builders').waitFor();
    expect(await itemOf(overdue, 'Overdue Builders').textContent()).toContain('3 days overdue');
    expect(await itemOf(overdue, 'Overdue Builders').textContent()).toContain('Ring about the quote');
    expect(await itemOf(todays, 'Today Constructions').textContent()).toContain('Chase the estimator');
    expect(await itemOf(todays, 'Today Constructions').textContent()).toContain(`Owner: ${rig.editor.user.name}`);
    expect(await todays.getByRole('heading').textContent()).toMatch(/Today\s*[1-9]/);
    await shot(page, 'inbox');

    // Log & set next: one dialog with today's date and a follow-up a week out, prefilled.
    await itemOf(todays, 'Today Constructions').getByRole('button', { name: 'Log & set next' }).click();
    const dialog = page.getByRole('dialog', { name: 'Log an interaction with Today Constructions' });
    await dialog.waitFor();
    const local = await browserToday(page);
    expect(await dialog.getByLabel('Date', { exact: true }).inputValue()).toBe(local);
    expect(await dialog.getByLabel('Next follow-up', { exact: true }).inputValue()).toBe(addDays(local, 7));
    expect(await dialog.getByLabel('Type').inputValue()).toBe('follow_up_call');
    await dialog.getByLabel('Summary').fill('Spoke to the estimator; wants numbers first');
    await dialog.getByLabel('Outcome').selectOption('next_step_agreed');
    await dialog.getByRole('button', { name: '+2 weeks' }).click();
    expect(await dialog.getByLabel('Next follow-up', { exact: true }).inputValue()).toBe(addDays(local, 14));
    await dialog.getByRole('button', { name: '+1 week' }).click();
    await dialog.getByRole('button', { name: 'Log it' }).click();
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'Logged the follow up call' }).count()).toBe(1);
    await expect.poll(() => page.getByRole('link', { name: 'Today Constructions', exact: true }).count()).toBe(0);
    const logged = await interactionsOf(due.id);
    expect(logged).toHaveLength(2);
    expect(logged[0]).toMatchObject({ type: 'follow_up_call', summary: 'Spoke to the estimator; wants numbers first', outcome: 'next_step_agreed', follow_up_date: addDays(local, 7) });
    const open = (await rig.api('GET', '/api/v1/sales/follow-ups')).items as Array<{ company: { id: string } | null }>;
    expect(open.some((i) => i.company?.id === due.id)).toBe(false);

    // Schedule meeting: booked, off the follow-ups, in the meetings booked; the company moves on.
    await itemOf(todays, 'Meeting Mates').getByRole('button', { name: 'Schedule meeting' }).click();
    const booking = page.getByRole('dialog', { name: 'Schedule a meeting with Meeting Mates' });
    await booking.waitFor();
    await booking.getByLabel('Subject').fill('Discovery at their office');
    await booking.getByRole('button', { name: 'Schedule it' }).click();
    await booking.waitFor({ state: 'detached' });
    const meetings = section(page, /^Meetings booked/);
    await itemOf(meetings, 'Meeting Mates').waitFor();
    expect(await itemOf(meetings, 'Meeting Mates').textContent()).toContain('Discovery at their office');
    await expect.poll(() => itemOf(todays, 'Meeting Mates').count()).toBe(0);
    const [meeting] = (await rig.api('GET', `/api/v1/interactions?company_id=${meet.id}&type=meeting`)).items;
    expect(meeting).toMatchObject({ meeting_status: 'scheduled', meeting_type: 'discovery', duration_minutes: 60, subject: 'Discovery at their office' });
    expect(new Date(meeting.scheduled_at).getTime()).toBeGreaterThan(Date.now());
    expect((await rig.api('GET', `/api/v1/companies/${meet.id}`)).status).toBe('meeting_scheduled');

    // Complete meeting: what was discussed and the next follow-up.
    await itemOf(meetings, 'Meeting Mates').getByRole('button', { name: 'Complete meeting' }).click();
    const outcome = page.getByRole('dialog', { name: 'How did the meeting with Meeting Mates go?' });
    await outcome.waitFor();
    await outcome.getByLabel('What was discussed').fill('Walked through their estimating workflow');
    await outcome.getByLabel('Outcome').selectOption('interested');
    await outcome.getByRole('button', { name: 'Complete the meeting' }).click();
    await outcome.waitFor({ state: 'detached' });
    await expect.poll(() => itemOf(meetings, 'Meeting Mates').count()).toBe(0);
    const done = await rig.api('GET', `/api/v1/interactions/${meeting.id}`);
    expect(done).toMatchObject({ meeting_status: 'completed', summary: 'Walked through their estimating workflow', outcome: 'interested', follow_up_date: addDays(local, 7) });
    expect((await rig.api('GET', `/api/v1/companies/${meet.id}`)).status).toBe('meeting_complete');

    // The overdue one is still there; at phone width the inbox reads without sideways scrolling.
    expect(await itemOf(overdue, 'Overdue Builders').count()).toBe(1);
    await page.setViewportSize({ width: 390, height: 800 });
    await itemOf(overdue, 'Overdue Builders').getByRole('button', { name: 'Log & set next' }).waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await shot(page, 'inbox-phone');
    // The dialog fits a phone too, and Cancel leaves everything as it was.
    await itemOf(overdue, 'Overdue Builders').getByRole('button', { name: 'Log & set next' }).click();
    const small = page.getByRole('dialog', { name: 'Log an interaction with Overdue Builders' });
    await small.getByRole('button', { name: '+2 days' }).waitFor();
    expect(await small.evaluate((d) => d.getBoundingClientRect().width)).toBeLessThanOrEqual(390);
    await saveShot(page, 'log-interaction-phone', backend);
    await small.getByRole('button', { name: 'Cancel' }).click();
    await small.waitFor({ state: 'detached' });
    expect(await interactionsOf(late.id)).toHaveLength(1);
    expect(await itemOf(overdue, 'Overdue Builders').count()).toBe(1);
    expect(dialogs).toEqual([]);
    await page.close();
  }, 120_000);

  it('logs an interaction with any company from the inbox, with someone new, and its follow-up appears', async () => {
    const today = await serverToday();
    const company = await prospect('Picker Plumbing');
    const { page } = await signedInPage(rig);
    await page.getByRole('heading', { name: 'Follow-ups' }).waitFor();
    await page.getByRole('button', { name: 'Log an interaction' }).click();
    const dialog = page.getByRole('dialog', { name: 'Log an interaction' });
    await dialog.waitFor();
    await dialog.getByLabel('Find a company').fill('Picker');
    const picker = dialog.getByRole('combobox', { name: /^Company/ });
    await expect.poll(() => picker.locator('option', { hasText: 'Picker Plumbing' }).count()).toBe(1);
    await picker.selectOption({ label: 'Picker Plumbing' });
    await dialog.getByLabel('Type').selectOption('cold_call');
    await dialog.getByLabel('Spoke with').selectOption({ label: 'Someone new…' });
    await dialog.getByLabel('Their name').fill('Sam Lee');
    await dialog.getByLabel('Their role').fill('Office manager');
    await dialog.getByLabel('Subject').fill('Intro call');
    await dialog.getByLabel('Next follow-up', { exact: true }).fill(today);
    await dialog.getByRole('button', { name: 'Log it' }).click();
    await dialog.waitFor({ state: 'detached' });

    const item = itemOf(section(page, /^Today/), 'Picker Plumbing');
    await item.waitFor();
    expect(await item.textContent()).toContain('Sam Lee');
    expect(await item.textContent()).toContain('Intro call');
    const [logged] = await interactionsOf(company.id);
    expect(logged).toMatchObject({ type: 'cold_call', subject: 'Intro call', follow_up_date: today });
    const contact = await rig.api('GET', `/api/v1/contacts/${logged!.contact_id}`);
    expect(contact).toMatchObject({ name: 'Sam Lee', role_title: 'Office manager', company_id: company.id });
    expect((await rig.api('GET', `/api/v1/companies/${company.id}`)).status).toBe('contacted');
    await page.close();
  }, 120_000);
});
