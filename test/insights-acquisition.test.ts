/**
 * insights.acquisition: leads per day and week by source, per utm_campaign with the spend of
 * the campaign of that name and the cost per lead, score bands, conversion to customer, quiz
 * and audit survey completion — every figure worked out by hand from data placed in years of
 * their own (2019: the main set, 2021: nothing at all).
 */
import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/api/app.ts';
import { acquisitionInsight, acquisitionTables } from '../src/core/insights/acquisition.ts';
import { expectStatus, FAST_IDENTITY, sendAs, type SignedIn, signInCast } from './auth.ts';
import { dbSuite } from './db.ts';

type App = ReturnType<typeof createApp>;

dbSuite('insights.acquisition', ({ database, ctx }) => {
  let app: App;
  let admin: SignedIn;
  let alice: SignedIn;
  let bob: SignedIn;
  let vic: SignedIn;
  const tag = () => randomBytes(4).toString('hex');
  const q = <T = Record<string, any>>(text: string, params: unknown[] = []) => database().query<T>(text, params);
  const create = (who: SignedIn, table: string, data: Record<string, unknown>) => expectStatus(sendAs(who, 'POST', `/api/v1/${table}`, data), 201);
  const insight = (who: SignedIn, params: Record<string, string>) => sendAs(who, 'GET', `/api/v1/insights/acquisition?${new URLSearchParams(params)}`);
  const read = (who: SignedIn, params: Record<string, string>) => expectStatus(insight(who, params));
  const setVisibility = (mode: string) => expectStatus(sendAs(admin, 'PATCH', '/api/v1/settings', { record_visibility: mode }));

  /** A lead made through the API, then placed in the past with its score set (both read-only through the API). */
  async function lead(who: SignedIn, at: string, score: number, extra: Record<string, unknown> = {}): Promise<string> {
    const row = await create(who, 'leads', { email: `lead.${tag()}@example.com`, company_name: `Lead Co ${tag()}`, ...extra });
    await q('update leads set created_at = $2, score = $3 where id = $1', [row.id, at, score]);
    return row.id as string;
  }
  /** Marks a lead converted into a company in `status` (as sales.convert_lead would leave it, with the company moved on since). */
  async function convertBySql(leadId: string, status: string): Promise<string> {
    const company = await create(admin, 'companies', { name: `Converted Co ${tag()}` });
    await q('update companies set status = $2 where id = $1', [company.id, status]);
    await q("update leads set status = 'converted', converted_at = now(), converted_to_account_id = $2 where id = $1", [leadId, company.id]);
    return company.id as string;
  }

  beforeAll(async () => {
    app = createApp({ database: database(), identity: FAST_IDENTITY, webDir: null, timeZone: 'UTC' });
    ({ admin, alice, bob, vic } = await signInCast(app, database()));
  });

  // 2019: the period is Wednesday 2019-03-06 to Sunday 2019-03-24 (19 days). Its weeks start on
  // Monday 2019-03-04 (before the period), 2019-03-11 (empty) and 2019-03-18.
  describe('2019 (the main set)', () => {
    const period = { from: '2019-03-06', to: '2019-03-24' };
    const ids: Record<string, string> = {};

    beforeAll(async () => {
      // In the period (UTC):            created                source     utm              score  owner  converted → company status
      ids.L1 = await lead(alice, '2019-03-06T10:00:00Z', 89, { source: 'website', utm_campaign: 'Spring-Promo' }); // alice, convert verb → onboarding (won)
      ids.L2 = await lead(alice, '2019-03-07T09:00:00Z', 90, { source: 'website', utm_campaign: 'spring-promo' }); // alice, → contacted (not won)
      ids.L3 = await lead(bob, '2019-03-10T23:30:00Z', 0, { source: 'referral', utm_campaign: 'SPRING-PROMO' }); // bob, not converted
      ids.L4 = await lead(alice, '2019-03-18T00:00:00Z', 100, { source: 'website' }); // alice, no utm, not converted
      ids.L5 = await lead(admin, '2019-03-24T23:59:59Z', 45, { source: 'event', utm_campaign: 'Autumn' }); // admin, → supporting (won)
      // Outside: a second before and exactly after the period, and an archived lead inside it.
      ids.L6 = await lead(admin, '2019-03-05T23:59:59Z', 10, { source: 'website', utm_campaign: 'Spring-Promo' });
      ids.L7 = await lead(admin, '2019-03-25T00:00:00Z', 10, { source: 'website' });
      ids.L8 = await lead(admin, '2019-03-12T12:00:00Z', 10, { source: 'website' });
      await q('update leads set archived_at = now() where id = $1', [ids.L8]);

      // L1 through the verbs (qualify, then convert: the company is created and owned by alice), then won.
      await expectStatus(sendAs(alice, 'POST', `/api/v1/leads/${ids.L1}/qualify`, { status: 'qualified' }));
      const converted = await expectStatus(sendAs(alice, 'POST', `/api/v1/leads/${ids.L1}/convert`, {}));
      await q("update companies set status = 'onboarding' where id = $1", [converted.company.id]);
      await q('update leads set score = 89 where id = $1', [ids.L1]); // the verbs re-scored it
      await convertBySql(ids.L2!, 'contacted');
      await convertBySql(ids.L5!, 'supporting');

      // Campaigns: A "Spring-Promo" (alice, the oldest of that name), B "spring-promo" (bob, newer),
      // D "Autumn" (archived, older) and C "AUTUMN" (live, newer).
      const a = await create(alice, 'campaigns', { name: 'Spring-Promo', type: 'email' });
      const b = await create(bob, 'campaigns', { name: 'spring-promo', type: 'email' });
      const d = await create(admin, 'campaigns', { name: 'Autumn', type: 'event' });
      const c = await create(admin, 'campaigns', { name: 'AUTUMN', type: 'event' });
      await q("update campaigns set created_at = '2019-01-01T00:00:00Z' where id = $1", [a.id]);
      await q("update campaigns set created_at = '2019-01-02T00:00:00Z', archived_at = now() where id = $1", [d.id]);
      Object.assign(ids, { A: a.id, B: b.id, C: c.id, D: d.id });
      const metric = (who: SignedIn, campaign: string, periodDay: string, spend: string, currency = 'AUD') =>
        create(who, 'campaign_metrics', { campaign_id: campaign, period: periodDay, spend, currency });
      await metric(alice, a.id, '2019-03-01', '100.00'); // before the period: left out
      await metric(alice, a.id, '2019-03-06', '200.00');
      await metric(alice, a.id, '2019-03-20', '100.02');
      await metric(alice, a.id, '2019-03-15', '10.00', 'USD');
      await metric(alice, a.id, '2019-03-25', '50.00'); // after the period: left out
      await metric(bob, b.id, '2019-03-10', '999.00'); // B is not the oldest "spring-promo" (only bob sees it as his)
      await metric(admin, d.id, '2019-03-10', '77.00'); // D is archived

      // Readiness quiz rows (no API create: the public quiz makes them). Q1 hangs on alice's L1; the others on nothing.
      const quiz = (at: string, status: string, leadId: string | null = null) =>
        q(`insert into readiness_assessments (lead_id, status, completed_at, created_at) values ($1, $2, $3, $4)`, [leadId, status, status === 'completed' ? at : null, at]);
      await quiz('2019-03-05T20:00:00Z', 'abandoned'); // Q6: the day before (UTC)
      await quiz('2019-03-06T12:00:00Z', 'completed', ids.L1); // Q1
      await quiz('2019-03-12T12:00:00Z', 'abandoned'); // Q2
      await quiz('2019-03-20T12:00:00Z', 'started'); // Q3
      await quiz('2019-03-21T12:00:00Z', 'completed'); // Q4
      await quiz('2019-03-25T00:00:00Z', 'completed'); // Q5: the day after

      // Audit survey rows, one per contact and question. C1's company and contact are alice's.
      const survey = async (who: SignedIn, rows: Array<{ type?: string; sent: boolean; sentDate: string | null; completed: boolean; archived?: boolean }>) => {
        const company = await create(who, 'companies', { name: `Survey Co ${tag()}` });
        const contact = await create(who, 'contacts', { name: `Survey Person ${tag()}`, company_id: company.id });
        let n = 0;
        for (const r of rows) {
          await q(
            `insert into survey_responses (contact_id, company_id, survey_type, survey_sent, survey_sent_date, survey_completed, question, archived_at)
             values ($1, $2, $3, $4, $5, $6, $7, $8)`,
            [contact.id, company.id, r.type ?? 'audit', r.sent, r.sentDate, r.completed, `Question ${++n}`, r.archived ? new Date().toISOString() : null],
          );
        }
      };
      await survey(alice, [{ sent: true, sentDate: '2019-03-07', completed: true }, { sent: true, sentDate: '2019-03-07', completed: true }]); // C1: sent, completed
      await survey(admin, [{ sent: true, sentDate: '2019-03-10', completed: false }, { sent: true, sentDate: '2019-03-10', completed: false }]); // C2: sent
      await survey(admin, [{ sent: true, sentDate: '2019-03-26', completed: true }]); // C3: sent after the period
      await survey(admin, [{ type: 'pre_training', sent: true, sentDate: '2019-03-08', completed: true }]); // C4: not an audit survey
      await survey(admin, [{ sent: false, sentDate: null, completed: false }]); // C5: never sent
      await survey(admin, [{ sent: true, sentDate: '2019-03-09', completed: true, archived: true }]); // C6: archived
      await survey(admin, [{ sent: true, sentDate: '2019-03-24', completed: true }]); // C7: sent, completed
    });

    it('counts the leads per week (Monday first, the empty week with 0), by source, campaign, score band and conversion', async () => {
      const r = await read(admin, period);
      expect(r.period).toEqual({ from: '2019-03-06', to: '2019-03-24', days: 19 });
      expect(r.interval).toBe('week');
      // L6 (a second early), L7 (the first instant after) and L8 (archived) are out: L1–L5.
      expect(r.total).toBe(5);
      expect(r.series).toEqual([
        { start: '2019-03-04', leads: 3, by_source: { website: 2, referral: 1 } }, // L1, L2, L3 (23:30 UTC on Sunday the 10th)
        { start: '2019-03-11', leads: 0, by_source: {} },
        { start: '2019-03-18', leads: 2, by_source: { website: 1, event: 1 } }, // L4, L5
      ]);
      expect(r.by_source).toEqual([
        { source: 'website', leads: 3, converted: 2, conversion: '66.67' }, // L1, L2 of L1, L2, L4: 2 ÷ 3 = 66.666…
        { source: 'event', leads: 1, converted: 1, conversion: '100.00' }, // event before referral: 1 lead each, by name
        { source: 'referral', leads: 1, converted: 0, conversion: '0.00' },
      ]);
      expect(r.by_campaign).toEqual([
        // Spring-Promo, spring-promo, SPRING-PROMO are one campaign (byte order: 'SPRING-PROMO' first).
        // Campaign A (oldest of the name): AUD 200.00 + 100.02 = 300.02 (03-01 and 03-25 are outside), USD 10.00.
        // Per lead: 300.02 ÷ 3 = 100.00666… → 100.01; 10.00 ÷ 3 = 3.333… → 3.33.
        {
          utm_campaign: 'SPRING-PROMO',
          campaign_id: ids.A,
          leads: 3,
          converted: 2,
          spend: [{ currency: 'AUD', amount: '300.02' }, { currency: 'USD', amount: '10.00' }],
          cost_per_lead: [{ currency: 'AUD', amount: '100.01' }, { currency: 'USD', amount: '3.33' }],
        },
        // "Autumn" matches the live AUTUMN (C), not the archived Autumn (D, with spend): no metrics, no spend.
        { utm_campaign: 'Autumn', campaign_id: ids.C, leads: 1, converted: 1, spend: [], cost_per_lead: [] },
        { utm_campaign: null, campaign_id: null, leads: 1, converted: 0, spend: [], cost_per_lead: [] },
      ]);
      // Scores 89 (80–89), 90 and 100 (90–100), 0 (0–9), 45 (40–49); mean (89 + 90 + 0 + 100 + 45) ÷ 5 = 324 ÷ 5 = 64.80.
      expect(r.scores).toEqual({
        bands: [
          { from: 0, to: 9, leads: 1 },
          { from: 10, to: 19, leads: 0 },
          { from: 20, to: 29, leads: 0 },
          { from: 30, to: 39, leads: 0 },
          { from: 40, to: 49, leads: 1 },
          { from: 50, to: 59, leads: 0 },
          { from: 60, to: 69, leads: 0 },
          { from: 70, to: 79, leads: 0 },
          { from: 80, to: 89, leads: 1 },
          { from: 90, to: 100, leads: 2 },
        ],
        average: '64.80',
      });
      // Converted: L1, L2, L5 (3 ÷ 5 = 60 %); customers: L1 (onboarding) and L5 (supporting), not L2 (contacted): 2 ÷ 5 = 40 %.
      expect(r.conversion).toEqual({ leads: 5, converted: 3, customers: 2, lead_to_converted: '60.00', lead_to_customer: '40.00' });
      // Quiz Q1–Q4 (Q6 the day before, Q5 the day after): completed Q1, Q4; abandoned Q2; in progress Q3; 2 ÷ 4 = 50 %.
      expect(r.quiz).toEqual({ started: 4, completed: 2, abandoned: 1, in_progress: 1, completion: '50.00' });
      // Surveys C1, C2, C7 sent in the period (C1 counts once for its two questions); completed C1, C7: 2 ÷ 3 = 66.666…
      expect(r.surveys).toEqual({ sent: 3, completed: 2, completion: '66.67' });
    });

    it('gives every day with interval=day, empty days with 0', async () => {
      const r = await read(admin, { ...period, interval: 'day' });
      expect(r.interval).toBe('day');
      expect(r.series).toHaveLength(19); // 2019-03-06 … 2019-03-24
      expect(r.series[0]).toEqual({ start: '2019-03-06', leads: 1, by_source: { website: 1 } });
      expect(r.series[1]).toEqual({ start: '2019-03-07', leads: 1, by_source: { website: 1 } });
      expect(r.series[2]).toEqual({ start: '2019-03-08', leads: 0, by_source: {} });
      const nonEmpty = r.series.filter((b: { leads: number }) => b.leads > 0).map((b: { start: string; leads: number }) => [b.start, b.leads]);
      expect(nonEmpty).toEqual([
        ['2019-03-06', 1],
        ['2019-03-07', 1],
        ['2019-03-10', 1],
        ['2019-03-18', 1],
        ['2019-03-24', 1],
      ]);
      expect(r.series.at(-1)).toEqual({ start: '2019-03-24', leads: 1, by_source: { event: 1 } });
      expect(r.total).toBe(5);
    });

    it('filters by source, utm_campaign (any case) and owner; the quiz and surveys ignore those filters', async () => {
      const web = await read(admin, { ...period, source: 'website' });
      // L1, L2, L4: weeks 2, 0, 1; converted L1, L2; customers L1; scores 89, 90, 100 → mean 279 ÷ 3 = 93.00.
      expect(web.series.map((b: { leads: number }) => b.leads)).toEqual([2, 0, 1]);
      expect(web.by_source).toEqual([{ source: 'website', leads: 3, converted: 2, conversion: '66.67' }]);
      expect(web.conversion).toEqual({ leads: 3, converted: 2, customers: 1, lead_to_converted: '66.67', lead_to_customer: '33.33' });
      expect(web.scores.average).toBe('93.00');
      expect(web.quiz.started).toBe(4);
      expect(web.surveys.sent).toBe(3);

      const spring = await read(admin, { ...period, utm_campaign: 'sPrInG-pRoMo' });
      expect(spring.total).toBe(3); // L1, L2, L3
      expect(spring.by_campaign).toHaveLength(1);
      expect(spring.by_campaign[0]).toMatchObject({ campaign_id: ids.A, leads: 3, cost_per_lead: [{ currency: 'AUD', amount: '100.01' }, { currency: 'USD', amount: '3.33' }] });

      const bobs = await read(admin, { ...period, owner_id: bob.user.id });
      expect(bobs.total).toBe(1); // L3
      expect(bobs.by_source).toEqual([{ source: 'referral', leads: 1, converted: 0, conversion: '0.00' }]);
      // The campaign's spend does not shrink with the leads: 300.02 ÷ 1 lead.
      expect(bobs.by_campaign).toEqual([
        { utm_campaign: 'SPRING-PROMO', campaign_id: ids.A, leads: 1, converted: 0, spend: [{ currency: 'AUD', amount: '300.02' }, { currency: 'USD', amount: '10.00' }], cost_per_lead: [{ currency: 'AUD', amount: '300.02' }, { currency: 'USD', amount: '10.00' }] },
      ]);
      expect(bobs.quiz).toEqual({ started: 4, completed: 2, abandoned: 1, in_progress: 1, completion: '50.00' });
      expect(bobs.surveys).toEqual({ sent: 3, completed: 2, completion: '66.67' });
    });

    it('counts only what the caller may see when record visibility is own', async () => {
      const everyone = await read(vic, period);
      expect(everyone.total).toBe(5); // a viewer reads insights, and sees all under 'all'
      await setVisibility('own');
      try {
        const a = await read(alice, period);
        // alice: L1, L2, L4 (assigned to her); L1 converted into her company, won.
        expect(a.total).toBe(3);
        expect(a.series.map((b: { leads: number }) => b.leads)).toEqual([2, 0, 1]);
        expect(a.conversion).toEqual({ leads: 3, converted: 2, customers: 1, lead_to_converted: '66.67', lead_to_customer: '33.33' });
        // Her campaign A: 300.02 ÷ 2 = 150.01; 10.00 ÷ 2 = 5.00.
        expect(a.by_campaign).toEqual([
          { utm_campaign: 'Spring-Promo', campaign_id: ids.A, leads: 2, converted: 2, spend: [{ currency: 'AUD', amount: '300.02' }, { currency: 'USD', amount: '10.00' }], cost_per_lead: [{ currency: 'AUD', amount: '150.01' }, { currency: 'USD', amount: '5.00' }] },
          { utm_campaign: null, campaign_id: null, leads: 1, converted: 0, spend: [], cost_per_lead: [] },
        ]);
        // The quiz she sees is Q1 (through her lead L1); the survey C1 (her company and contact).
        expect(a.quiz).toEqual({ started: 1, completed: 1, abandoned: 0, in_progress: 0, completion: '100.00' });
        expect(a.surveys).toEqual({ sent: 1, completed: 1, completion: '100.00' });

        // bob sees L3 only, and of the campaigns named spring-promo only his own B: 999.00 ÷ 1.
        const b = await read(bob, period);
        expect(b.total).toBe(1);
        expect(b.by_campaign).toEqual([
          { utm_campaign: 'SPRING-PROMO', campaign_id: ids.B, leads: 1, converted: 0, spend: [{ currency: 'AUD', amount: '999.00' }], cost_per_lead: [{ currency: 'AUD', amount: '999.00' }] },
        ]);
        expect(b.quiz).toEqual({ started: 0, completed: 0, abandoned: 0, in_progress: 0, completion: null });
        expect(b.surveys).toEqual({ sent: 0, completed: 0, completion: null });

        // The viewer owns nothing.
        const v = await read(vic, period);
        expect(v.total).toBe(0);
        expect(v.series.map((s: { leads: number }) => s.leads)).toEqual([0, 0, 0]);
        expect(v.conversion.lead_to_converted).toBeNull();
        expect(v.quiz.started).toBe(0);

        // The administrator still sees everything.
        expect((await read(admin, period)).total).toBe(5);
      } finally {
        await setVisibility('all');
      }
    });

    it('turns timestamps into days in the instance time zone', async () => {
      // Brisbane is UTC+10 all year: L6 (2019-03-05 23:59:59Z) falls on the 6th and counts; L3 moves
      // to Monday the 11th; L5 (23:59:59Z on the 24th) falls on the 25th and is out. Leads L6, L1, L2 | L3 | L4.
      const r = await acquisitionInsight(ctx({ timeZone: 'Australia/Brisbane' }), period);
      expect(r.total).toBe(5);
      expect(r.series.map((b) => [b.start, b.leads])).toEqual([
        ['2019-03-04', 3],
        ['2019-03-11', 1],
        ['2019-03-18', 1],
      ]);
      // Quiz: Q6 (20:00Z on the 5th = 06:00 on the 6th) now counts, Q5 still does not: 5 started,
      // completed Q1, Q4; abandoned Q6, Q2; in progress Q3; 2 ÷ 5 = 40 %.
      expect(r.quiz).toEqual({ started: 5, completed: 2, abandoned: 2, in_progress: 1, completion: '40.00' });
    });

    it('prints as tables: a column per source, money per currency in one cell', async () => {
      const tables = acquisitionTables(await read(admin, period));
      expect(tables.map((t) => t.name)).toEqual(['series', 'sources', 'campaigns', 'scores', 'conversion', 'quiz', 'surveys']);
      expect(tables[0]!.rows).toEqual([
        { start: '2019-03-04', leads: 3, website: 2, event: 0, referral: 1 },
        { start: '2019-03-11', leads: 0, website: 0, event: 0, referral: 0 },
        { start: '2019-03-18', leads: 2, website: 1, event: 1, referral: 0 },
      ]);
      expect(tables[2]!.rows[0]).toEqual({ utm_campaign: 'SPRING-PROMO', campaign_id: ids.A, leads: 3, converted: 2, spend: 'AUD 300.02; USD 10.00', cost_per_lead: 'AUD 100.01; USD 3.33' });
      expect(tables[2]!.rows[2]).toMatchObject({ utm_campaign: null, spend: '', cost_per_lead: '' });
      expect(tables[3]!.rows).toHaveLength(11);
      expect(tables[3]!.rows[8]).toEqual({ band: '80-89', from: 80, to: 89, leads: 1, average: null });
      expect(tables[3]!.rows[10]).toEqual({ band: 'all', from: 0, to: 100, leads: 5, average: '64.80' });
      expect(tables[4]!.rows).toEqual([{ leads: 5, converted: 3, customers: 2, lead_to_converted: '60.00', lead_to_customer: '40.00' }]);
      expect(tables[5]!.rows).toEqual([{ started: 4, completed: 2, abandoned: 1, in_progress: 1, completion: '50.00' }]);
      expect(tables[6]!.rows).toEqual([{ sent: 3, completed: 2, completion: '66.67' }]);
    });
  });

  it('answers zeros, empty weeks and null rates for a period with nothing in it (2021)', async () => {
    // 2021-02-01 is a Monday; 14 days = two full weeks.
    const r = await read(admin, { from: '2021-02-01', to: '2021-02-14' });
    expect(r.period).toEqual({ from: '2021-02-01', to: '2021-02-14', days: 14 });
    expect(r.series).toEqual([
      { start: '2021-02-01', leads: 0, by_source: {} },
      { start: '2021-02-08', leads: 0, by_source: {} },
    ]);
    expect(r.total).toBe(0);
    expect(r.by_source).toEqual([]);
    expect(r.by_campaign).toEqual([]);
    expect(r.scores.bands.map((b: { leads: number }) => b.leads)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(r.scores.average).toBeNull();
    expect(r.conversion).toEqual({ leads: 0, converted: 0, customers: 0, lead_to_converted: null, lead_to_customer: null });
    expect(r.quiz).toEqual({ started: 0, completed: 0, abandoned: 0, in_progress: 0, completion: null });
    expect(r.surveys).toEqual({ sent: 0, completed: 0, completion: null });
  });

  it('counts a UTM tag against the campaign whose name reads the same, whatever its case and punctuation (2020)', async () => {
    const campaign = await create(admin, 'campaigns', { name: 'AI for Builders', type: 'email' });
    await create(admin, 'campaign_metrics', { campaign_id: campaign.id, period: '2020-05-04', spend: '90.00', currency: 'AUD' });
    await lead(admin, '2020-05-04T10:00:00Z', 50, { utm_campaign: 'ai-for-builders' });
    await lead(admin, '2020-05-05T10:00:00Z', 50, { utm_campaign: 'AI_for_Builders' });
    await lead(admin, '2020-05-06T10:00:00Z', 50, { utm_campaign: 'ai-for-builders-2' }); // another campaign: no match
    const r = await read(admin, { from: '2020-05-04', to: '2020-05-10' });
    // 'ai-for-builders' and 'AI_for_Builders' are one key (aiforbuilders): 2 leads, AUD 90.00 ÷ 2 = 45.00 each.
    expect(r.by_campaign).toEqual([
      { utm_campaign: 'AI_for_Builders', campaign_id: campaign.id, leads: 2, converted: 0, spend: [{ currency: 'AUD', amount: '90.00' }], cost_per_lead: [{ currency: 'AUD', amount: '45.00' }] },
      { utm_campaign: 'ai-for-builders-2', campaign_id: null, leads: 1, converted: 0, spend: [], cost_per_lead: [] },
    ]);
    expect((await read(admin, { from: '2020-05-04', to: '2020-05-10', utm_campaign: 'AI for builders' })).total).toBe(2);
  });

  it('refuses a bad date, to before from and an unknown interval, naming the field', async () => {
    const fields = async (params: Record<string, string>) => {
      const r = await insight(vic, params);
      expect(r.status, JSON.stringify(r.body)).toBe(400);
      return r.body.errors.map((e: { field: string }) => e.field);
    };
    expect(await fields({ from: '2019-02-30', to: '2019-03-10' })).toContain('from');
    expect(await fields({ from: '2019-03-10', to: '2019-03-01' })).toContain('to');
    expect(await fields({ from: '2019-03-01', to: '2019-03-10', interval: 'month' })).toContain('interval');
    expect(await fields({ from: '2019-03-01', to: '2019-03-10', owner_id: 'nobody' })).toContain('owner_id');
  });
});
