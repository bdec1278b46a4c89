/**
 * Browser journeys of the insights dashboard (issue 10) at /insights: each tab shows the
 * figures GET /api/v1/insights/<name> answers for the same query (KPI cards and the tables
 * beside the charts), and for the funnel and sales tabs the figures worked out by hand below;
 * the date range and a segment picker change the URL and the figures; a bad range shows the
 * server's message beside the pickers; a viewer may open it; at phone width nothing but the
 * tables scrolls sideways. Data is arranged through the API as the editor and backdated with
 * SQL into periods of its own (2021 funnel, 2022 sales, 2023 acquisition and delivery, 2024
 * money), so the journeys do not see each other's records.
 * Screenshots: insights-funnel, insights-sales, insights-money, insights-phone.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { signIn, type SignedIn } from './auth.ts';
import { pageErrors, shot as saveShot, signedInPage, startBrowserRig, type BrowserRig } from './browser.ts';
import { dbSuite } from './db.ts';

type Json = Record<string, any>;

dbSuite('browser: insights dashboard', ({ database, backend }) => {
  let rig: BrowserRig;
  const shot = (page: Page, name: string) => saveShot(page, name, backend);
  const watch = pageErrors;
  /** The figure of a KPI card, as shown. */
  const kpi = (page: Page, name: string) => page.getByRole('group', { name, exact: true }).locator('.value').textContent();
  /** A table's body cells, row by row, as shown (the first cell of a chart's table is a row header). */
  const cells = (page: Page, name: string) =>
    page
      .getByRole('table', { name, exact: true })
      .locator('tbody tr')
      .evaluateAll((rows) => rows.map((r) => [...r.querySelectorAll('th, td')].map((c) => (c.textContent ?? '').trim())));
  const insight = (name: string, q: Record<string, string>) => rig.api('GET', `/api/v1/insights/${name}?${new URLSearchParams(q)}`);
  const pct = (v: string | null) => (v === null ? '—' : `${v}%`);
  /** Waits for the tab's figures for the current URL (the panel is busy while they load). */
  const settled = async (page: Page) => {
    await page.locator('[role="tabpanel"][aria-busy="false"]').waitFor();
  };
  const sql = (text: string, params: unknown[] = []) => database().query(text, params);

  beforeAll(async () => {
    rig = await startBrowserRig(database());
  }, 120_000);
  afterAll(async () => {
    await rig?.close();
  });

  /**
   * Four companies moving through the company pipeline in March 2021:
   *   A (cold_call): lead 03-01 → contacted 03-11 → meeting_scheduled 03-15 (open)
   *   B (cold_call): lead 03-05 → contacted 03-07 (open)
   *   C (cold_call): lead 03-10 (open)
   *   D (referral):  lead 03-02 → lost 03-05 (open)
   */
  async function arrangeFunnel() {
    const make = (name: string, source: string) => rig.api('POST', '/api/v1/companies', { name, source });
    const a = await make('Funnel Alpha', 'cold_call');
    const b = await make('Funnel Bravo', 'cold_call');
    const c = await make('Funnel Charlie', 'cold_call');
    const d = await make('Funnel Delta', 'referral');
    const stay = (id: string, status: string, from: string | null, entered: string, exited: string | null, days: number | null) =>
      sql(`insert into status_history (entity_type, entity_id, status, from_status, entered_at, exited_at, duration_days) values ('company', $1, $2, $3, $4, $5, $6)`, [id, status, from, `${entered}T10:00:00Z`, exited ? `${exited}T10:00:00Z` : null, days]);
    await stay(a.id, 'lead', null, '2021-03-01', '2021-03-11', 10);
    await stay(a.id, 'contacted', 'lead', '2021-03-11', '2021-03-15', 4);
    await stay(a.id, 'meeting_scheduled', 'contacted', '2021-03-15', null, null);
    await stay(b.id, 'lead', null, '2021-03-05', '2021-03-07', 2);
    await stay(b.id, 'contacted', 'lead', '2021-03-07', null, null);
    await stay(c.id, 'lead', null, '2021-03-10', null, null);
    await stay(d.id, 'lead', null, '2021-03-02', '2021-03-05', 3);
    await stay(d.id, 'lost', 'lead', '2021-03-05', null, null);
  }

  it('shows the funnel as the server counts it and by hand, and follows the range and source pickers', async () => {
    await arrangeFunnel();
    const { page, dialogs } = await signedInPage(rig);
    const errors = watch(page);
    await page.goto(`${rig.base}/insights?from=2021-03-01&to=2021-03-31`);
    await page.getByRole('heading', { name: 'Insights', level: 1 }).waitFor();
    expect(await page.getByRole('tab', { name: 'Funnel' }).getAttribute('aria-selected')).toBe('true');
    await settled(page);

    // By hand: records A, B, C, D = 4. Lead: entered 4, advanced to a later stage of the path A and B
    // (D went to lost, off the path) = 2, 2 ÷ 4 = 50.00 %; stays A 10, B 2, D 3 days: mean 15 ÷ 3 = 5.00,
    // median 3.00. Contacted: entered A, B = 2, advanced A = 1 → 50.00 %; one stay (A, 4 days).
    // Meeting scheduled: entered A, advanced 0 → 0.00 %, no stay. Lost: entered D, off the path.
    // Overall: reached supporting 0 of the 4 that entered lead = 0.00 %.
    const server = await insight('funnel', { from: '2021-03-01', to: '2021-03-31' });
    expect(await kpi(page, 'Records')).toBe('4');
    expect(server.records).toBe(4);
    expect(await kpi(page, 'Overall conversion')).toBe('0.00%');
    expect(server.overall_conversion).toBe('0.00');
    const rows = await cells(page, 'Funnel stages');
    const row = (label: string) => rows.find((r) => r[0]!.startsWith(label))!;
    // Stage, entered, advanced, conversion, stays, average days, median days, now.
    expect(row('Lead').slice(1, 7)).toEqual(['4', '2', '50.00%', '3', '5.00', '3.00']);
    expect(row('Contacted').slice(1, 7)).toEqual(['2', '1', '50.00%', '1', '4.00', '4.00']);
    expect(row('Meeting scheduled').slice(1, 7)).toEqual(['1', '0', '0.00%', '0', '—', '—']);
    expect(row('Lost').slice(1, 4)).toEqual(['1', '—', '—']);
    expect(row('Lost')[0]).toContain('off path');
    // Every row is the server's.
    expect(rows.map((r) => [r[1], r[2], r[3], r[4], r[5], r[6], r[7]])).toEqual(
      server.stages.map((s: Json) => [String(s.entered), s.advanced === null ? '—' : String(s.advanced), pct(s.conversion), String(s.stays), s.avg_days ?? '—', s.median_days ?? '—', String(s.current)]),
    );
    expect(await page.locator('svg[role="img"]').count()).toBeGreaterThanOrEqual(1);
    await shot(page, 'insights-funnel');

    // A later start: A (contacted, meeting), B (contacted) and C (lead) entered from 03-06 on = 3.
    await page.getByLabel('From', { exact: true }).fill('2021-03-06');
    await expect.poll(() => new URL(page.url()).searchParams.get('from')).toBe('2021-03-06');
    await settled(page);
    await expect.poll(() => kpi(page, 'Records')).toBe('3');
    expect((await insight('funnel', { from: '2021-03-06', to: '2021-03-31' })).records).toBe(3);

    // Referral companies only: D, which entered lead and went to lost: lead 1 entered, 0 advanced.
    await page.getByLabel('From', { exact: true }).fill('2021-03-01');
    await page.getByLabel('Source', { exact: true }).selectOption('referral');
    await expect.poll(() => new URL(page.url()).searchParams.get('source')).toBe('referral');
    expect(new URL(page.url()).searchParams.get('from')).toBe('2021-03-01');
    await settled(page);
    await expect.poll(() => kpi(page, 'Records')).toBe('1');
    expect((await cells(page, 'Funnel stages')).find((r) => r[0] === 'Lead')!.slice(1, 4)).toEqual(['1', '0', '0.00%']);
    const referral = await insight('funnel', { from: '2021-03-01', to: '2021-03-31', source: 'referral' });
    expect(referral.records).toBe(1);

    // The deal pipeline in the same period: nothing moved.
    await page.getByLabel('Pipeline', { exact: true }).selectOption('deal');
    await expect.poll(() => new URL(page.url()).searchParams.get('pipeline')).toBe('deal');
    await settled(page);
    await page.getByText('No record entered a stage in this period.').waitFor();
    expect(await kpi(page, 'Records')).toBe('0');
    expect(await kpi(page, 'Overall conversion')).toBe('—');

    expect(errors).toEqual([]);
    expect(dialogs).toEqual([]);
    await page.close();
  }, 180_000);

  let other: SignedIn;

  /**
   * Deals closed in May 2022 (E: the rig's editor, O: another editor), all in AUD but D7:
   *   D1 won 10,000 E, created 04-01, closed 05-11 (40 days)   D2 won 5,000 O, created 05-01, closed 05-21 (20 days)
   *   D3 lost "Budget" E, closed 05-15                        D4 lost "Budget" O, closed 05-20
   *   D5 lost, no reason, E, closed 05-25                      D8 lost E, closed 06-02 (after the period)
   *   D6 open, proposal (50 %), 8,000 AUD, close 2022-07 E     D7 open, negotiation (75 %), 2,000 USD, close 2022-07 O
   */
  async function arrangeSales() {
    other = await signIn({ request: (p, i) => fetch(`${rig.base}${p}`, i) }, database(), 'editor');
    const company = await rig.api('POST', '/api/v1/companies', { name: 'Sales Insight Co' });
    const E = rig.editor.user.id;
    const O = other.user.id;
    const deal = async (name: string, set: { stage: string; owner: string; value: string | null; currency?: string; created: string; closed?: string; expected?: string; reason?: string }) => {
      const d = await rig.api('POST', '/api/v1/deals', { name, company_id: company.id });
      await sql(`update deals set stage = $2, owner_id = $3, value = $4, currency = $5, created_at = $6, actual_close_date = $7, expected_close_date = $8, loss_reason = $9 where id = $1`, [
        d.id,
        set.stage,
        set.owner,
        set.value,
        set.currency ?? 'AUD',
        `${set.created}T09:00:00Z`,
        set.closed ?? null,
        set.expected ?? null,
        set.reason ?? null,
      ]);
    };
    await deal('D1', { stage: 'closed_won', owner: E, value: '10000.00', created: '2022-04-01', closed: '2022-05-11' });
    await deal('D2', { stage: 'closed_won', owner: O, value: '5000.00', created: '2022-05-01', closed: '2022-05-21' });
    await deal('D3', { stage: 'closed_lost', owner: E, value: '3000.00', created: '2022-04-01', closed: '2022-05-15', reason: 'Budget' });
    await deal('D4', { stage: 'closed_lost', owner: O, value: null, created: '2022-04-01', closed: '2022-05-20', reason: 'Budget' });
    await deal('D5', { stage: 'closed_lost', owner: E, value: null, created: '2022-04-01', closed: '2022-05-25' });
    await deal('D8', { stage: 'closed_lost', owner: E, value: null, created: '2022-04-01', closed: '2022-06-02', reason: 'Timing' });
    await deal('D6', { stage: 'proposal', owner: E, value: '8000.00', created: '2022-04-01', expected: '2022-07-15' });
    await deal('D7', { stage: 'negotiation', owner: O, value: '2000.00', currency: 'USD', created: '2022-04-01', expected: '2022-07-20' });
  }

  it('shows sales figures as the server counts them and by hand, follows the owner picker and shows a refused range', async () => {
    await arrangeSales();
    const { page, dialogs } = await signedInPage(rig);
    const errors = watch(page);
    const q = { from: '2022-05-01', to: '2022-05-31' };
    await page.goto(`${rig.base}/insights?tab=sales&from=${q.from}&to=${q.to}`);
    expect(await page.getByRole('tab', { name: 'Sales' }).getAttribute('aria-selected')).toBe('true');
    await settled(page);
    const server = await insight('sales', q);

    // By hand: won D1, D2 = 2; lost D3, D4, D5 = 3 (D8 closed in June); 2 ÷ 5 = 40.00 %; won value
    // 10,000 + 5,000 = 15,000.00 AUD; cycle 40 and 20 days: mean and median 30.00.
    expect(await kpi(page, 'Won')).toBe('2');
    expect(await kpi(page, 'Lost')).toBe('3');
    expect(await kpi(page, 'Win rate')).toBe('40.00%');
    expect(server.closed.win_rate).toBe('40.00');
    expect(await kpi(page, 'Won value')).toMatch(/15,000\.00/);
    expect(await kpi(page, 'Won value')).toContain('A$');
    expect(server.closed.won_value).toEqual([{ currency: 'AUD', amount: '15000.00' }]);
    expect(await kpi(page, 'Sales cycle')).toBe('30.00 days');
    expect(server.cycle).toEqual({ deals: 2, avg_days: '30.00', median_days: '30.00' });

    // Weighted pipeline, open deals whatever the period: 2022-07 AUD 8,000 × 50 % = 4,000.00; USD 2,000 × 75 % = 1,500.00.
    expect(await cells(page, 'Weighted pipeline by close month (AUD)')).toEqual([['2022-07', '1', 'A$8,000.00', 'A$4,000.00']]);
    expect(await cells(page, 'Weighted pipeline by close month (USD)')).toEqual([['2022-07', '1', '$2,000.00', '$1,500.00']]);
    expect(server.weighted_pipeline.map((p: Json) => [p.month, p.currency, p.deals, p.value, p.weighted])).toEqual([
      ['2022-07', 'AUD', 1, '8000.00', '4000.00'],
      ['2022-07', 'USD', 1, '2000.00', '1500.00'],
    ]);
    // Lost reasons: Budget 2 deals (D3, D4), none given 1 (D5).
    expect(await cells(page, 'Lost reasons')).toEqual([
      ['Budget', '2', '0', '2'],
      ['No reason given', '1', '0', '1'],
    ]);
    expect(server.lost_reasons.map((l: Json) => [l.reason, l.total])).toEqual([['Budget', 2], [null, 1]]);
    // Owners: E won 1 lost 2 → 33.33 %; O won 1 lost 1 → 50.00 %.
    const owners = await cells(page, 'Closed deals by owner');
    expect(owners).toEqual(server.by_owner.map((o: Json) => [o.name, String(o.won), String(o.lost), pct(o.win_rate)]));
    expect(owners.find((r) => r[0] === rig.editor.user.name)!.slice(1)).toEqual(['1', '2', '33.33%']);
    expect(owners.find((r) => r[0] === other.user.name)!.slice(1)).toEqual(['1', '1', '50.00%']);
    await shot(page, 'insights-sales');

    // Owner O only: won D2, lost D4: 50.00 %; cycle 20.00 days; the pipeline in USD only.
    await page.getByLabel('Owner', { exact: true }).selectOption(other.user.id);
    await expect.poll(() => new URL(page.url()).searchParams.get('owner_id')).toBe(other.user.id);
    await settled(page);
    await expect.poll(() => kpi(page, 'Win rate')).toBe('50.00%');
    expect(await kpi(page, 'Sales cycle')).toBe('20.00 days');
    expect(await page.getByRole('table', { name: 'Weighted pipeline by close month (AUD)' }).count()).toBe(0);
    expect((await insight('sales', { ...q, owner_id: other.user.id })).closed).toEqual({ won: 1, lost: 1, win_rate: '50.00', won_value: [{ currency: 'AUD', amount: '5000.00' }] });

    // Everyone again, from 05-16: won D2, lost D4 and D5 → 1 ÷ 3 = 33.33 %.
    await page.getByLabel('Owner', { exact: true }).selectOption('');
    await page.getByLabel('From', { exact: true }).fill('2022-05-16');
    await expect.poll(() => new URL(page.url()).searchParams.get('from')).toBe('2022-05-16');
    expect(new URL(page.url()).searchParams.get('owner_id')).toBeNull();
    await settled(page);
    await expect.poll(() => kpi(page, 'Win rate')).toBe('33.33%');
    expect((await insight('sales', { from: '2022-05-16', to: '2022-05-31' })).closed.win_rate).toBe('33.33');

    // `to` before `from`: the server's refusal beside the pickers, which stay usable.
    await page.getByLabel('To', { exact: true }).fill('2022-05-10');
    const alert = page.locator('.ins').getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toContain('must not be before from');
    await page.getByRole('button', { name: 'Last 30 days' }).click();
    await alert.waitFor({ state: 'detached' });
    await settled(page);
    const url = new URL(page.url()).searchParams;
    const last30 = await insight('sales', { from: url.get('from')!, to: url.get('to')! });
    expect(last30.period.days).toBe(30);
    expect(await kpi(page, 'Win rate')).toBe(pct(last30.closed.win_rate));
    expect(await page.getByRole('button', { name: 'Last 30 days' }).getAttribute('aria-pressed')).toBe('true');

    expect(errors).toEqual([]);
    expect(dialogs).toEqual([]);
    await page.close();
  }, 180_000);

  it('shows acquisition per week and by source as the server counts it', async () => {
    // Three leads in the two weeks from Monday 2023-02-06: website "winter" on 02-07 and 02-14, referral on 02-15.
    const lead = async (first: string, source: string, created: string, utm?: string) => {
      const l = await rig.api('POST', '/api/v1/leads', { first_name: first, email: `${first.toLowerCase()}@acq.example`, company_name: `${first} Ltd`, source, ...(utm ? { utm_campaign: utm } : {}) });
      await sql('update leads set created_at = $2 where id = $1', [l.id, `${created}T09:00:00Z`]);
    };
    await lead('Wanda', 'website', '2023-02-07', 'winter');
    await lead('Walt', 'website', '2023-02-14', 'winter');
    await lead('Rita', 'referral', '2023-02-15');
    const { page, dialogs } = await signedInPage(rig);
    const errors = watch(page);
    const q = { from: '2023-02-06', to: '2023-02-19' };
    await page.goto(`${rig.base}/insights?tab=acquisition&from=${q.from}&to=${q.to}`);
    await settled(page);
    const server = await insight('acquisition', q);
    expect(server.total).toBe(3);
    expect(await kpi(page, 'Leads')).toBe('3');
    expect(await kpi(page, 'Converted')).toBe(String(server.conversion.converted));
    expect(await kpi(page, 'Average score')).toBe(server.scores.average ?? '—');
    expect(await kpi(page, 'Quiz completion')).toBe(pct(server.quiz.completion));
    expect(await kpi(page, 'Survey completion')).toBe(pct(server.surveys.completion));
    // Weeks by source: 02-06 website 1; 02-13 website 1, referral 1.
    const sources = server.by_source.map((s: Json) => s.source as string);
    expect(await cells(page, 'Leads per week by source')).toEqual(server.series.map((p: Json) => [p.start, ...sources.map((s: string) => String(p.by_source[s] ?? 0))]));
    expect(server.series.map((p: Json) => [p.start, p.leads])).toEqual([
      ['2023-02-06', 1],
      ['2023-02-13', 2],
    ]);
    expect(await cells(page, 'Leads per score band')).toEqual(server.scores.bands.map((b: Json) => [`${b.from}–${b.to}`, String(b.leads)]));
    expect((await cells(page, 'Leads by UTM campaign')).map((r) => [r[0], r[1]])).toEqual(server.by_campaign.map((c: Json) => [c.utm_campaign ?? 'No campaign', String(c.leads)]));

    await page.getByLabel('Source', { exact: true }).selectOption('referral');
    await expect.poll(() => new URL(page.url()).searchParams.get('source')).toBe('referral');
    await settled(page);
    await expect.poll(() => kpi(page, 'Leads')).toBe('1');
    await page.getByLabel('Interval', { exact: true }).selectOption('day');
    await settled(page);
    const daily = await insight('acquisition', { ...q, source: 'referral', interval: 'day' });
    expect(daily.series).toHaveLength(14);
    expect((await cells(page, 'Leads per day by source')).map((r) => r[0])).toEqual(daily.series.map((p: Json) => p.start));

    // A period without leads says so.
    await page.getByLabel('From', { exact: true }).fill('2023-01-02');
    await page.getByLabel('To', { exact: true }).fill('2023-01-08');
    await settled(page);
    await page.getByText('No leads in this period.').waitFor();
    expect(errors).toEqual([]);
    expect(dialogs).toEqual([]);
    await page.close();
  }, 180_000);

  /**
   * June 2023, two whole weeks from Monday 06-05: the editor has 40 h a week (30 allocated) and logs
   * 10 h on 06-06 and 20 h on 06-13 on an engagement estimated at 100 h; one ticket asked for on
   * 06-06 09:00 and resolved 06-07 15:00 (30 hours).
   */
  async function arrangeDelivery() {
    await sql(`insert into capacity (team_member, user_id, total_hours_per_week, allocated_hours_per_week) values ('Insight Editor', $1, 40, 30)`, [rig.editor.user.id]);
    const company = await rig.api('POST', '/api/v1/companies', { name: 'Delivery Insight Co' });
    const engagement = await rig.api('POST', '/api/v1/engagements', { company_id: company.id, name: 'Estimator rollout', start_date: '2023-06-01', estimated_hours: '100' });
    for (const [day, hours] of [['2023-06-06', '10'], ['2023-06-13', '20']] as const) {
      await rig.api('POST', '/api/v1/work_completed', { engagement_id: engagement.id, category: 'training', hours, work_date: day, user_id: rig.editor.user.id });
    }
    const ticket = await rig.api('POST', '/api/v1/support_tickets', { company_id: company.id, engagement_id: engagement.id, subject: 'Login trouble', priority: 'high' });
    await sql(`update support_tickets set request_date = '2023-06-06T09:00:00Z', resolved_at = '2023-06-07T15:00:00Z', status = 'resolved' where id = $1`, [ticket.id]);
    // A go decision on 06-10 (10 h a week, 20 h saved a month, A$5,000 expected, no engagement yet) and a no-go on 06-11.
    const decide = (decision: string, day: string) =>
      sql(`insert into go_no_go_decisions (company_id, decision, decision_date, estimated_hours_per_week, estimated_roi_hours_per_month, estimated_value, currency) values ($1, $2, $3, 10, 20, 5000, 'AUD')`, [company.id, decision, day]);
    await decide('go', '2023-06-10');
    await decide('no_go', '2023-06-11');
  }

  it('shows delivery and calibration as the server counts them and by hand', async () => {
    await arrangeDelivery();
    const { page, dialogs } = await signedInPage(rig);
    const errors = watch(page);
    const q = { from: '2023-06-05', to: '2023-06-18' };
    await page.goto(`${rig.base}/insights?tab=delivery&from=${q.from}&to=${q.to}`);
    await settled(page);
    const d = await insight('delivery', q);
    // By hand: week 06-05 10 of 40 h = 25.00 %, week 06-12 20 of 40 h = 50.00 %; over the period 30 of 80 h = 37.50 %.
    expect(await cells(page, 'Utilisation per week')).toEqual([
      ['2023-06-05', '7', '10.00', '40.00', '25.00%'],
      ['2023-06-12', '7', '20.00', '40.00', '50.00%'],
    ]);
    expect(await cells(page, 'Members over the period')).toEqual([['Insight Editor', '40.00', '30.00', '30.00', '80.00', '37.50%']]);
    // The engagement: 30 logged against 100 estimated, −70.00 h, −70.00 %.
    expect((await cells(page, 'Engagements: estimated and logged hours')).map((r) => r.filter((_, i) => i !== 2))).toEqual([['Estimator rollout', 'Delivery Insight Co', '100.00', '30.00', '-70.00', '-70.00%']]);
    expect(await kpi(page, 'Time to resolve')).toBe('30.00 h');
    expect(d.tickets).toMatchObject({ opened: 1, resolved: 1, avg_hours_to_resolve: '30.00', median_hours_to_resolve: '30.00' });
    expect(await cells(page, 'Tickets opened and resolved per week')).toEqual(d.tickets.series.map((t: Json) => [t.week, String(t.opened), String(t.resolved)]));
    expect(await kpi(page, 'Team capacity')).toBe(`${d.capacity.total_hours_per_week} h/week`);
    expect(await kpi(page, 'Tickets opened')).toBe(String(d.tickets.opened));
    expect(await kpi(page, 'Tickets resolved')).toBe(String(d.tickets.resolved));
    expect(await kpi(page, 'Open now')).toBe(String(d.tickets.open_now));
    expect(await kpi(page, 'Time to resolve')).toBe(d.tickets.avg_hours_to_resolve === null ? '—' : `${d.tickets.avg_hours_to_resolve} h`);
    if (d.capacity.members.length === 0) await page.getByText('No capacity is recorded for the team.').waitFor();
    else expect(await cells(page, 'Utilisation per week')).toEqual(d.utilisation.map((u: Json) => [u.week, String(u.days), u.logged_hours, u.capacity_hours, pct(u.utilisation)]));

    await page.getByRole('tab', { name: 'Calibration' }).click();
    await expect.poll(() => new URL(page.url()).searchParams.get('tab')).toBe('calibration');
    expect(new URL(page.url()).searchParams.get('from')).toBe(q.from);
    await settled(page);
    const c = await insight('calibration', q);
    // By hand: the go decision only, with no engagement, so no actual figure and no ratio.
    expect(await kpi(page, 'Go decisions')).toBe('1');
    expect(await kpi(page, 'With an engagement')).toBe('0');
    expect(c.summary).toMatchObject({ go_decisions: 1, with_engagement: 0 });
    expect(await kpi(page, 'Delivery hours ratio')).toBe('—');
    const decisions = await cells(page, 'Go decisions: estimated against actual');
    expect(decisions.map((r) => r.slice(1))).toEqual([['Delivery Insight Co', 'None yet', '10.00', '—', '—', '20.00', '—', '—', 'A$5,000.00', c.decisions[0].invoiced_value ? `A$${Number(c.decisions[0].invoiced_value.amount).toLocaleString('en-US', { minimumFractionDigits: 2 })}` : '—', '—']]);
    await page.getByText(c.advice.length ? c.advice[0] : 'Too little to go on yet.').waitFor();
    expect(errors).toEqual([]);
    expect(dialogs).toEqual([]);
    await page.close();
  }, 120_000);

  /** An engagement at A$500 a month and two AUD invoices of early 2024: 1,200 issued 01-15 and paid 02-10; 800 issued 02-05, sent, due 03-06 (overdue now). */
  async function arrangeMoney() {
    const company = await rig.api('POST', '/api/v1/companies', { name: 'Money Insight Co' });
    const invoice = async (n: string, amount: string, set: { status: string; issue: string; due: string; paid?: string }) => {
      const i = await rig.api('POST', '/api/v1/invoices', { company_id: company.id, invoice_type: 'one_time', amount, currency: 'AUD', notes: n });
      await sql('update invoices set status = $2, issue_date = $3, due_date = $4, paid_date = $5 where id = $1', [i.id, set.status, set.issue, set.due, set.paid ?? null]);
    };
    // Live since 2023-12-01 at A$500 a month.
    await rig.api('POST', '/api/v1/engagements', { company_id: company.id, name: 'Retainer', start_date: '2023-12-01', monthly_fee: '500.00', currency: 'AUD' });
    await invoice('INS-1', '1200.00', { status: 'paid', issue: '2024-01-15', due: '2024-02-14', paid: '2024-02-10' });
    await invoice('INS-2', '800.00', { status: 'sent', issue: '2024-02-05', due: '2024-03-06' });
  }

  it('shows money per month and currency, overdue by age, and works for a viewer and at phone width', async () => {
    await arrangeMoney();
    const { page, dialogs } = await signedInPage(rig);
    const errors = watch(page);
    const q = { from: '2024-01-01', to: '2024-03-31' };
    await page.goto(`${rig.base}/insights?tab=money&from=${q.from}&to=${q.to}`);
    await settled(page);
    const m = await insight('money', q);
    // By hand (AUD): invoiced January 1,200.00, February 800.00; paid February 1,200.00.
    const aud = m.revenue.filter((r: Json) => r.currency === 'AUD');
    expect(aud.map((r: Json) => [r.month, r.invoiced, r.paid])).toEqual([
      ['2024-01', '1200.00', '0.00'],
      ['2024-02', '800.00', '1200.00'],
      ['2024-03', '0.00', '0.00'],
    ]);
    expect(await cells(page, 'Invoiced and paid per month (AUD)')).toEqual([
      ['2024-01', 'A$1,200.00', 'A$0.00'],
      ['2024-02', 'A$800.00', 'A$1,200.00'],
      ['2024-03', 'A$0.00', 'A$0.00'],
    ]);
    // Recurring: the retainer's A$500.00 in each of the three months.
    expect(aud.map((r: Json) => [r.monthly_recurring, r.live_engagements])).toEqual([['500.00', 1], ['500.00', 1], ['500.00', 1]]);
    expect(await cells(page, 'Monthly recurring revenue (AUD)')).toEqual([
      ['2024-01', 'A$500.00'],
      ['2024-02', 'A$500.00'],
      ['2024-03', 'A$500.00'],
    ]);
    expect(await kpi(page, 'Monthly recurring (AUD)')).toBe('A$500.00');
    if (m.portfolio.engagements.length) {
      expect((await cells(page, 'Portfolio return per engagement')).map((r) => [r[0], r[2], r[5]])).toEqual(m.portfolio.engagements.map((e: Json) => [e.name ?? 'Engagement', e.hours_saved, pct(e.roi)]));
    } else await page.getByText(`No engagement to measure in ${m.portfolio.month}.`).waitFor();
    expect(await kpi(page, 'Overdue invoices')).toBe(String(m.overdue.invoices));
    const overdueAud = m.overdue.by_currency.find((o: Json) => o.currency === 'AUD');
    expect(overdueAud).toMatchObject({ amount: '800.00', count: 1 });
    expect(await kpi(page, 'Overdue (AUD)')).toBe('A$800.00');
    expect((await cells(page, 'Overdue by days past due')).map((r) => r[0])).toEqual(m.overdue.by_age.map((a: Json) => `${a.band} days (${a.currency})`));
    await shot(page, 'insights-money');
    expect(errors).toEqual([]);
    expect(dialogs).toEqual([]);
    await page.close();

    // A viewer reads the same figures.
    const viewer = await signIn({ request: (p, i) => fetch(`${rig.base}${p}`, i) }, database(), 'viewer');
    const vpage = await rig.browser.newPage({ viewport: { width: 1280, height: 860 } });
    const verrors = watch(vpage);
    await vpage.goto(`${rig.base}/`);
    await vpage.getByLabel('Email').fill(viewer.user.email);
    await vpage.getByLabel('Password').fill(viewer.password);
    await vpage.getByRole('button', { name: 'Sign in' }).click();
    await vpage.getByRole('button', { name: 'Sign out' }).waitFor();
    await vpage.goto(`${rig.base}/insights?tab=sales&from=2022-05-01&to=2022-05-31`);
    await settled(vpage);
    expect(await kpi(vpage, 'Win rate')).toBe('40.00%');
    expect(verrors).toEqual([]);
    await vpage.close();

    // At phone width the pickers wrap and only tables and charts scroll sideways.
    const { page: phone } = await signedInPage(rig, { width: 390, height: 844 });
    const perrors = watch(phone);
    await phone.goto(`${rig.base}/insights?from=2021-03-01&to=2021-03-31`);
    await settled(phone);
    expect(await kpi(phone, 'Records')).toBe('4');
    expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await shot(phone, 'insights-phone');
    expect(perrors).toEqual([]);
    await phone.close();
  }, 180_000);
});
