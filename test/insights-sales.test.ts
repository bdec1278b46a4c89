/**
 * Insights: the funnel (company, deal and lead pipelines) and sales (closed deals, cycle,
 * weighted pipeline, lost reasons, owners). Records are made through the API, then their
 * status_history, created_at and close dates are moved into a year of the test's own with SQL,
 * so every figure below is worked out by hand. Years: 2019 empty, 2020 leads (and one deal
 * closed on 2020-12-31), 2021 sales, 2022 deal funnel, 2023 company funnel.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/api/app.ts';
import { funnelInsight, funnelTables } from '../src/core/insights/funnel.ts';
import { salesInsight, salesTables } from '../src/core/insights/sales.ts';
import { FunnelInsight, SalesInsight, type FunnelStage } from '../src/core/insights/types.ts';
import { expectStatus, FAST_IDENTITY, sendAs, type SignedIn, signIn } from './auth.ts';
import { dbSuite } from './db.ts';

type App = ReturnType<typeof createApp>;
/** An instant in UTC: "2022-01-05 12:00" or a day (midnight). */
const t = (s: string) => (s.length === 10 ? `${s}T00:00:00Z` : `${s.replace(' ', 'T')}:00Z`);

dbSuite('insights: funnel and sales', ({ database, ctx }) => {
  let app: App;
  let admin: SignedIn;
  let viewer: SignedIn;
  const q = <T = Record<string, any>>(text: string, params: unknown[] = []) => database().query<T>(text, params);
  const ok = <T = any>(who: SignedIn, method: string, path: string, body?: unknown, status?: number): Promise<T> =>
    expectStatus(sendAs(who, method, path, body), status ?? (method === 'POST' && !/\/(stage|won|lost)$/.test(path) ? 201 : 200));
  const query = (params: Record<string, string | undefined>) =>
    new URLSearchParams(Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined)).toString();
  const funnel = (who: SignedIn, params: Record<string, string | undefined>): Promise<FunnelInsight> => ok(who, 'GET', `/api/v1/insights/funnel?${query(params)}`);
  const sales = (who: SignedIn, params: Record<string, string | undefined>): Promise<SalesInsight> => ok(who, 'GET', `/api/v1/insights/sales?${query(params)}`);
  const setVisibility = (mode: string) => ok(admin, 'PATCH', '/api/v1/settings', { record_visibility: mode });

  // --- Backdating: every API move is followed by moving its history row to the instant given.

  const openRow = async (id: string) => (await q<{ id: string }>('select id from status_history where entity_id = $1 and exited_at is null', [id]))[0]?.id ?? null;
  /** After a move: the new (open) row entered at `when`, the one it closed exited then. */
  async function stamp(id: string, previous: string | null, when: string) {
    await q('update status_history set entered_at = $2 where entity_id = $1 and exited_at is null', [id, t(when)]);
    if (previous) {
      await q('update status_history set exited_at = $2, duration_days = floor(extract(epoch from ($2::timestamptz - entered_at)) / 86400) where id = $1', [previous, t(when)]);
    }
  }
  /** Creates a record through the API as of `when` (its created_at and first history row). */
  async function born(who: SignedIn, table: 'deals' | 'companies' | 'leads', body: Record<string, unknown>, when: string): Promise<string> {
    const row = await ok<{ id: string }>(who, 'POST', `/api/v1/${table}`, body, 201);
    await q(`update ${table} set created_at = $2 where id = $1`, [row.id, t(when)]);
    await stamp(row.id, null, when);
    return row.id;
  }
  async function moved(id: string, when: string, call: () => Promise<unknown>) {
    const previous = await openRow(id);
    await call();
    await stamp(id, previous, when);
  }
  const dealTo = (who: SignedIn, id: string, stage: string, when: string) => moved(id, when, () => ok(who, 'POST', `/api/v1/deals/${id}/stage`, { stage }));
  const dealPath = async (who: SignedIn, id: string, steps: Array<[string, string]>) => {
    for (const [stage, when] of steps) await dealTo(who, id, stage, when);
  };
  const win = (who: SignedIn, id: string, when: string, closeDay: string) => moved(id, when, () => ok(who, 'POST', `/api/v1/deals/${id}/won`, { actual_close_date: closeDay }));
  const lose = (who: SignedIn, id: string, when: string, closeDay: string, reason: string) =>
    moved(id, when, () => ok(who, 'POST', `/api/v1/deals/${id}/lost`, { loss_reason: reason, actual_close_date: closeDay }));
  const companyTo = (who: SignedIn, id: string, status: string, when: string) => moved(id, when, () => ok(who, 'PATCH', `/api/v1/companies/${id}`, { status }));
  const companyLost = (who: SignedIn, id: string, reason: string, when: string) => moved(id, when, () => ok(who, 'POST', `/api/v1/sales/companies/${id}/lost`, { lost_reason: reason }));
  const leadTo = (who: SignedIn, id: string, status: string, when: string) => moved(id, when, () => ok(who, 'PATCH', `/api/v1/leads/${id}`, { status }));

  /** The figures of one stage, in the order of FunnelStage's fields that matter here. */
  const figures = (s: FunnelStage) => [s.entered, s.advanced, s.conversion, s.stays, s.avg_days, s.median_days, s.current];
  const byKey = (r: FunnelInsight) => Object.fromEntries(r.stages.map((s) => [s.key, figures(s)]));

  beforeAll(async () => {
    app = createApp({ database: database(), identity: FAST_IDENTITY, webDir: null, timeZone: 'UTC' });
    admin = await signIn(app, database(), 'admin');
    viewer = await signIn(app, database(), 'viewer');
  });

  describe('funnel: deal pipeline (2022)', () => {
    let fay: SignedIn;
    let other: SignedIn;
    beforeAll(async () => {
      fay = await signIn(app, database(), 'editor');
      other = await signIn(app, database(), 'editor');
      const deal = (name: string, when: string) => born(fay, 'deals', { name: `Funnel ${name}` }, when);
      // F1 goes through proposal twice: discovery → proposal → discovery → proposal → negotiation → won.
      const f1 = await deal('F1', '2022-01-01');
      await dealPath(fay, f1, [['proposal', '2022-01-03'], ['discovery', '2022-01-05 12:00'], ['proposal', '2022-01-08'], ['negotiation', '2022-01-10']]);
      await win(fay, f1, '2022-01-20', '2022-01-20');
      const f2 = await deal('F2', '2022-02-01');
      await dealTo(fay, f2, 'proposal', '2022-02-02 06:00');
      await lose(fay, f2, '2022-02-10', '2022-02-10', 'Budget');
      await deal('F3', '2022-03-01'); // stays in discovery
      const f4 = await deal('F4', '2021-12-20'); // entered discovery before the period
      await dealPath(fay, f4, [['proposal', '2022-01-02'], ['negotiation', '2022-01-04']]);
      const f5 = await deal('F5', '2022-06-20'); // advances after the period ends
      await dealTo(fay, f5, 'proposal', '2022-07-05');
      // F6 reached proposal before the period and came back to discovery in it: not an advance.
      const f6 = await deal('F6', '2021-12-01');
      await dealPath(fay, f6, [['proposal', '2021-12-10'], ['discovery', '2022-04-01']]);
      // F7 is archived: it counts nowhere.
      const f7 = await deal('F7', '2022-01-02');
      await dealTo(fay, f7, 'proposal', '2022-01-03');
      await q('update deals set archived_at = now() where id = $1', [f7]);
    });

    it('counts entries, advances, stays and current records per stage, with a record through a stage twice', async () => {
      const r = await funnel(admin, { pipeline: 'deal', from: '2022-01-01', to: '2022-06-30', owner_id: fay.user.id });
      expect(r.pipeline).toBe('deal');
      expect(r.period).toEqual({ from: '2022-01-01', to: '2022-06-30', days: 181 });
      expect(r.segment).toEqual({ source: null, industry: null, owner_id: fay.user.id });
      expect(r.stages.map((s) => [s.key, s.position, s.is_won, s.is_lost, s.on_path])).toEqual([
        ['discovery', 1, false, false, true],
        ['proposal', 2, false, false, true],
        ['negotiation', 3, false, false, true],
        ['closed_won', 4, true, false, true],
        ['closed_lost', 5, false, true, false],
      ]);
      expect(byKey(r)).toEqual({
        // entered: F1 (Jan 1 and Jan 5), F2, F3, F5, F6 (Apr 1) = 5; F4's Dec 20 is before the period.
        // advanced: F1 (proposal Jan 3), F2 (Feb 2), F5 (Jul 5, after the period still counts) = 3;
        // F6's proposal (Dec 10) came before its entry in the period. 3 ÷ 5 = 60.00 %.
        // stays ended: F1 2 d and 2.5 d, F2 1.25 d, F5 15 d: mean 20.75 ÷ 4 = 5.1875 → 5.19; median (2 + 2.5) ÷ 2 = 2.25.
        // now: F3 and F6.
        discovery: [5, 3, '60.00', 4, '5.19', '2.25', 2],
        // entered: F1 (Jan 3, Jan 8), F2, F4 = 3; advanced: F1 and F4 (negotiation), not F2 (lost) = 2 → 66.67 %.
        // stays: F1 2.5 d and 2 d, F2 7.75 d, F4 2 d: 14.25 ÷ 4 = 3.5625 → 3.56; median of 2, 2, 2.5, 7.75 = 2.25. Now: F5.
        proposal: [3, 2, '66.67', 4, '3.56', '2.25', 1],
        // F1 (won Jan 20) and F4 (still there): 1 of 2; F1 stayed 10 days.
        negotiation: [2, 1, '50.00', 1, '10.00', '10.00', 1],
        // The last stage of the path: no advance. F1 is still in it.
        closed_won: [1, null, null, 0, null, null, 1],
        // Off the path: F2.
        closed_lost: [1, null, null, 0, null, null, 1],
      });
      expect(r.records).toBe(6); // F1–F6; F7 is archived
      expect(r.overall_conversion).toBe('20.00'); // of the 5 entering discovery, F1 reached closed_won: 1 ÷ 5
    });

    it('takes a record entering a stage the second time in the period from that entry', async () => {
      const r = await funnel(admin, { pipeline: 'deal', from: '2022-01-05', to: '2022-01-09', owner_id: fay.user.id });
      expect(byKey(r)).toEqual({
        // F1 back in discovery on Jan 5 12:00, on to proposal Jan 8: 1 of 1; that stay is 2.5 days.
        discovery: [1, 1, '100.00', 1, '2.50', '2.50', 2],
        // F1 in proposal Jan 8, negotiation Jan 10 (after the period): 1 of 1, 2 days.
        proposal: [1, 1, '100.00', 1, '2.00', '2.00', 1],
        negotiation: [0, 0, null, 0, null, null, 1],
        closed_won: [0, null, null, 0, null, null, 1],
        closed_lost: [0, null, null, 0, null, null, 1],
      });
      expect(r.records).toBe(1);
      expect(r.overall_conversion).toBe('100.00'); // F1 won on Jan 20
    });

    it('an empty period has zeros and null rates, and current is whatever the period', async () => {
      const r = await funnel(admin, { pipeline: 'deal', from: '2019-01-01', to: '2019-01-31', owner_id: fay.user.id });
      expect(byKey(r)).toEqual({
        discovery: [0, 0, null, 0, null, null, 2],
        proposal: [0, 0, null, 0, null, null, 1],
        negotiation: [0, 0, null, 0, null, null, 1],
        closed_won: [0, null, null, 0, null, null, 1],
        closed_lost: [0, null, null, 0, null, null, 1],
      });
      expect([r.records, r.overall_conversion]).toEqual([0, null]);
    });

    it('under own visibility counts only what the caller may see', async () => {
      await setVisibility('own');
      try {
        const mine = await funnel(fay, { pipeline: 'deal', from: '2022-01-01', to: '2022-06-30' });
        expect(mine.records).toBe(6);
        expect(byKey(mine).discovery).toEqual([5, 3, '60.00', 4, '5.19', '2.25', 2]);
        const theirs = await funnel(other, { pipeline: 'deal', from: '2022-01-01', to: '2022-06-30', owner_id: fay.user.id });
        expect(theirs.records).toBe(0);
        expect(theirs.stages.map((s) => s.entered + s.current)).toEqual([0, 0, 0, 0, 0]);
        expect(theirs.overall_conversion).toBeNull();
      } finally {
        await setVisibility('all');
      }
    });
  });

  describe('funnel: company pipeline (2023)', () => {
    let cora: SignedIn;
    beforeAll(async () => {
      cora = await signIn(app, database(), 'editor');
      const company = (name: string, source: string, industry: string, when: string) => born(cora, 'companies', { name: `Funnel ${name}`, source, industry }, when);
      // K1 goes the whole way to supporting.
      const k1 = await company('K1', 'referral', 'Retail', '2023-01-01');
      const k1Path: Array<[string, string]> = [
        ['contacted', '2023-01-02'],
        ['meeting_scheduled', '2023-01-04'],
        ['meeting_complete', '2023-01-06'],
        ['auditing', '2023-01-10'],
        ['go', '2023-01-20'],
        ['proposal_sent', '2023-01-25'],
        ['onboarding', '2023-02-01'],
        ['training', '2023-02-10'],
        ['supporting', '2023-03-01'],
      ];
      for (const [status, when] of k1Path) await companyTo(cora, k1, status, when);
      // K2 drops out.
      const k2 = await company('K2', 'cold_call', 'retail', '2023-01-05');
      await companyTo(cora, k2, 'contacted', '2023-01-06');
      await companyLost(cora, k2, 'No budget', '2023-01-15');
      // K3 goes back from meeting_scheduled to contacted, then books a meeting again.
      const k3 = await company('K3', 'referral', 'Mining', '2023-02-01');
      for (const [status, when] of [['contacted', '2023-02-03'], ['meeting_scheduled', '2023-02-05'], ['contacted', '2023-02-07'], ['meeting_scheduled', '2023-02-09']] as const) {
        await companyTo(cora, k3, status, when);
      }
    });

    it('is the default pipeline: paused, no_go, churned and lost are off the path, supporting ends it', async () => {
      const r = await funnel(admin, { from: '2023-01-01', to: '2023-03-31', owner_id: cora.user.id });
      expect(r.pipeline).toBe('company');
      expect(r.stages.filter((s) => !s.on_path).map((s) => s.key)).toEqual(['no_go', 'paused', 'churned', 'lost']);
      expect(byKey(r)).toEqual({
        // K1, K2, K3 all went on to contacted; stays 1, 1, 2 days: 4 ÷ 3 = 1.33, median 1.
        lead: [3, 3, '100.00', 3, '1.33', '1.00', 0],
        // K1 → meeting (yes), K2 → lost (no), K3 first in Feb 3 → meeting Feb 5 (yes): 2 of 3.
        // stays K1 2, K2 9, K3 2 and 2 days: 15 ÷ 4 = 3.75; median of 2, 2, 2, 9 = 2.
        contacted: [3, 2, '66.67', 4, '3.75', '2.00', 0],
        // K1 went on; K3 went back and booked again (same stage, not later): 1 of 2. Stays: K1 2, K3 2; K3 is there now.
        meeting_scheduled: [2, 1, '50.00', 2, '2.00', '2.00', 1],
        meeting_complete: [1, 1, '100.00', 1, '4.00', '4.00', 0], // Jan 6 → Jan 10
        auditing: [1, 1, '100.00', 1, '10.00', '10.00', 0], // Jan 10 → Jan 20
        go: [1, 1, '100.00', 1, '5.00', '5.00', 0], // Jan 20 → Jan 25
        no_go: [0, null, null, 0, null, null, 0],
        proposal_sent: [1, 1, '100.00', 1, '7.00', '7.00', 0], // Jan 25 → Feb 1
        onboarding: [1, 1, '100.00', 1, '9.00', '9.00', 0], // Feb 1 → Feb 10
        training: [1, 1, '100.00', 1, '19.00', '19.00', 0], // Feb 10 → Mar 1
        supporting: [1, null, null, 0, null, null, 1],
        paused: [0, null, null, 0, null, null, 0],
        churned: [0, null, null, 0, null, null, 0],
        lost: [1, null, null, 0, null, null, 1], // K2
      });
      expect(r.records).toBe(3);
      expect(r.overall_conversion).toBe('33.33'); // K1 of the 3 leads reached supporting: 1 ÷ 3
    });

    it('segments by the company source and industry (case-insensitive)', async () => {
      const k1Only = await funnel(admin, { from: '2023-01-01', to: '2023-03-31', owner_id: cora.user.id, source: 'referral', industry: 'RETAIL' });
      expect(k1Only.segment).toEqual({ source: 'referral', industry: 'RETAIL', owner_id: cora.user.id });
      expect(k1Only.records).toBe(1);
      expect(byKey(k1Only).lead).toEqual([1, 1, '100.00', 1, '1.00', '1.00', 0]);
      expect(byKey(k1Only).supporting).toEqual([1, null, null, 0, null, null, 1]);
      expect(k1Only.overall_conversion).toBe('100.00');
      const retail = await funnel(admin, { from: '2023-01-01', to: '2023-03-31', owner_id: cora.user.id, industry: 'retail' });
      expect(retail.records).toBe(2); // K1 and K2
      expect(byKey(retail).contacted).toEqual([2, 1, '50.00', 2, '5.50', '5.50', 0]); // stays 2 and 9 days
      expect(byKey(retail).lost).toEqual([1, null, null, 0, null, null, 1]);
      expect(retail.overall_conversion).toBe('50.00');
    });

    it('gives a stages table and a summary table', async () => {
      const r = await funnelInsight(ctx(), { from: '2023-01-01', to: '2023-03-31', owner_id: cora.user.id, source: 'referral', industry: 'retail' });
      expect(FunnelInsight.strict().parse(r)).toEqual(r); // exactly the contract's keys
      const [stages, summary] = funnelTables(r);
      expect(stages!.name).toBe('stages');
      expect(stages!.rows[0]).toEqual({ key: 'lead', label: 'Lead', entered: 1, advanced: 1, conversion: '100.00', stays: 1, avg_days: '1.00', median_days: '1.00', current: 0, on_path: true });
      expect(summary).toEqual({
        name: 'summary',
        rows: [{ pipeline: 'company', from: '2023-01-01', to: '2023-03-31', days: 90, source: 'referral', industry: 'retail', owner_id: cora.user.id, records: 1, overall_conversion: '100.00' }],
      });
    });
  });

  describe('funnel: lead pipeline (2020)', () => {
    let lena: SignedIn;
    beforeAll(async () => {
      lena = await signIn(app, database(), 'editor');
      const l1 = await born(lena, 'leads', { email: 'l1.funnel@example.com', company_name: 'L1 Co', source: 'website' }, '2020-06-01');
      await leadTo(lena, l1, 'contacted', '2020-06-03');
      await leadTo(lena, l1, 'qualifying', '2020-06-04');
      const l2 = await born(lena, 'leads', { email: 'l2.funnel@example.com', company_name: 'L2 Co', source: 'event' }, '2020-06-02');
      await leadTo(lena, l2, 'disqualified', '2020-06-05');
    });

    it('counts leads by their own source; a company source no lead can have matches none', async () => {
      const r = await funnel(admin, { pipeline: 'lead', from: '2020-06-01', to: '2020-06-30', owner_id: lena.user.id });
      expect(r.stages.filter((s) => s.on_path).map((s) => s.key)).toEqual(['new', 'contacted', 'qualifying', 'qualified', 'converted']);
      const k = byKey(r);
      expect(k.new).toEqual([2, 1, '50.00', 2, '2.50', '2.50', 0]); // L1 on to contacted; stays 2 and 3 days
      expect(k.contacted).toEqual([1, 1, '100.00', 1, '1.00', '1.00', 0]);
      expect(k.qualifying).toEqual([1, 0, '0.00', 0, null, null, 1]);
      expect(k.disqualified).toEqual([1, null, null, 0, null, null, 1]);
      expect([r.records, r.overall_conversion]).toEqual([2, '0.00']); // none converted: 0 ÷ 2
      const website = await funnel(admin, { pipeline: 'lead', from: '2020-06-01', to: '2020-06-30', owner_id: lena.user.id, source: 'website' });
      expect([website.records, byKey(website).new]).toEqual([1, [1, 1, '100.00', 1, '2.00', '2.00', 0]]);
      const none = await funnel(admin, { pipeline: 'lead', from: '2020-06-01', to: '2020-06-30', owner_id: lena.user.id, source: 'cold_call' });
      expect([none.records, none.overall_conversion, none.stages.reduce((n, s) => n + s.entered + s.current, 0)]).toEqual([0, null, 0]);
    });
  });

  describe('sales (2021)', () => {
    let sam: SignedIn;
    let olive: SignedIn;
    beforeAll(async () => {
      sam = await signIn(app, database(), 'editor');
      olive = await signIn(app, database(), 'editor');
      const acme = await ok<{ id: string }>(sam, 'POST', '/api/v1/companies', { name: 'Sales Acme', source: 'referral', industry: 'Logistics' }, 201);
      const deal = (who: SignedIn, name: string, when: string, extra: Record<string, unknown> = {}) => born(who, 'deals', { name: `Sales ${name}`, ...extra }, when);
      const toNegotiation = (id: string, a: string, b: string) => dealPath(sam, id, [['proposal', a], ['negotiation', b]]);

      // D1: won 2021-03-01, created 2021-01-04: 56 days.
      const d1 = await deal(sam, 'D1', '2021-01-04 10:00', { company_id: acme.id, value: '1000.00' });
      await toNegotiation(d1, '2021-01-10', '2021-02-01');
      await win(sam, d1, '2021-03-01 12:00', '2021-03-01');
      // D2: through proposal twice; won with no actual_close_date, so its close day is the day it entered closed_won:
      // 2021-03-31 20:00 UTC (2021-04-01 07:00 in Sydney). Created 2021-02-01 10:00 UTC: 58 days in UTC.
      const d2 = await deal(sam, 'D2', '2021-02-01 10:00', { company_id: acme.id, value: '2500.50' });
      await dealPath(sam, d2, [['proposal', '2021-02-05'], ['discovery', '2021-02-10'], ['proposal', '2021-02-20'], ['negotiation', '2021-03-01']]);
      await win(sam, d2, '2021-03-31 20:00', '2021-03-31');
      await q('update deals set actual_close_date = null where id = $1', [d2]);
      // D3: won 2021-04-20 in USD, created 2021-01-15: 95 days; no company.
      const d3 = await deal(sam, 'D3', '2021-01-15 10:00', { value: '300.00', currency: 'USD' });
      await toNegotiation(d3, '2021-02-01', '2021-03-01');
      await win(sam, d3, '2021-04-20', '2021-04-20');
      // D4, D5 (Olive's), D6: lost; the reasons "  Price  " and "Price" are one, a blank one is none.
      const d4 = await deal(sam, 'D4', '2021-02-10', { company_id: acme.id, value: '800.00' });
      await lose(sam, d4, '2021-05-05', '2021-05-05', '  Price  ');
      const d5 = await deal(olive, 'D5', '2021-03-01', { company_id: acme.id });
      await lose(olive, d5, '2021-05-06', '2021-05-06', 'Price');
      const d6 = await deal(sam, 'D6', '2021-03-01');
      await lose(sam, d6, '2021-06-01', '2021-06-01', 'Gone quiet');
      await q("update deals set loss_reason = '   ' where id = $1", [d6]);
      // D7 closed the day before the year; D8 is archived.
      const d7 = await deal(sam, 'D7', '2020-11-01');
      await toNegotiation(d7, '2020-11-10', '2020-12-01');
      await win(sam, d7, '2020-12-31', '2020-12-31');
      const d8 = await deal(sam, 'D8', '2021-01-05', { value: '5000.00' });
      await toNegotiation(d8, '2021-01-10', '2021-02-10');
      await win(sam, d8, '2021-03-20', '2021-03-20');
      await q('update deals set archived_at = now() where id = $1', [d8]);

      // Open deals (whatever the period): O1 proposal 50 %, O2 negotiation 75 %, O3 discovery without value or date, O4 discovery 20 % in USD.
      const o1 = await deal(sam, 'O1', '2021-06-01', { company_id: acme.id, value: '1000.00', expected_close_date: '2021-07-15' });
      await dealTo(sam, o1, 'proposal', '2021-06-02');
      const o2 = await deal(sam, 'O2', '2021-06-01', { value: '333.33', expected_close_date: '2021-07-31' });
      await toNegotiation(o2, '2021-06-02', '2021-06-03');
      await deal(sam, 'O3', '2021-06-01');
      await deal(sam, 'O4', '2021-06-01', { value: '99.99', currency: 'USD', expected_close_date: '2021-07-01' });

      // Companies lost: C1 (Sam's, referral, logistics) on 2021-04-10 "Price"; C2 (the admin's, cold_call) on 2021-08-01 "Timing".
      const c1 = await born(sam, 'companies', { name: 'Sales C1', source: 'referral', industry: 'logistics' }, '2021-04-01');
      await companyLost(sam, c1, 'Price', '2021-04-10');
      const c2 = await born(admin, 'companies', { name: 'Sales C2', source: 'cold_call' }, '2021-07-01');
      await companyLost(admin, c2, 'Timing', '2021-08-01');
    });

    it('the year: closed deals, win rate, won value per currency, cycle, lost reasons and owners', async () => {
      const r = await sales(admin, { from: '2021-01-01', to: '2021-12-31' });
      expect(r.period).toEqual({ from: '2021-01-01', to: '2021-12-31', days: 365 });
      expect(r.segment).toEqual({ source: null, industry: null, owner_id: null });
      // Won D1, D2, D3; lost D4, D5, D6 (D7 closed in 2020, D8 archived): 3 ÷ 6 = 50 %.
      // Won value: AUD 1000.00 + 2500.50 = 3500.50; USD 300.00.
      expect(r.closed).toEqual({ won: 3, lost: 3, win_rate: '50.00', won_value: [{ currency: 'AUD', amount: '3500.50' }, { currency: 'USD', amount: '300.00' }] });
      // 56, 58 and 95 days: 209 ÷ 3 = 69.666… → 69.67; median 58.
      expect(r.cycle).toEqual({ deals: 3, avg_days: '69.67', median_days: '58.00' });
      expect(r.lost_reasons).toEqual([
        { reason: 'Price', deals: 2, companies: 1, total: 3 }, // D4, D5 and C1
        { reason: 'Timing', deals: 0, companies: 1, total: 1 }, // C2
        { reason: null, deals: 1, companies: 0, total: 1 }, // D6's blank reason
      ]);
      expect(r.by_owner).toEqual([
        { owner_id: sam.user.id, name: sam.user.name, won: 3, lost: 2, win_rate: '60.00' },
        { owner_id: olive.user.id, name: olive.user.name, won: 0, lost: 1, win_rate: '0.00' },
      ]);
    });

    it("one owner's figures, with the weighted pipeline of their open deals rounded half up", async () => {
      const r = await sales(admin, { from: '2021-01-01', to: '2021-12-31', owner_id: sam.user.id });
      expect(r.closed).toEqual({ won: 3, lost: 2, win_rate: '60.00', won_value: [{ currency: 'AUD', amount: '3500.50' }, { currency: 'USD', amount: '300.00' }] });
      expect(r.lost_reasons).toEqual([
        { reason: 'Price', deals: 1, companies: 1, total: 2 }, // D4 and C1 (C2 is the admin's)
        { reason: null, deals: 1, companies: 0, total: 1 },
      ]);
      expect(r.by_owner).toEqual([{ owner_id: sam.user.id, name: sam.user.name, won: 3, lost: 2, win_rate: '60.00' }]);
      expect(r.weighted_pipeline).toEqual([
        // O1 + O2: 1000.00 + 333.33 = 1333.33; (1000.00 × 50 + 333.33 × 75) ÷ 100 = 749.9975 → 750.00.
        { month: '2021-07', currency: 'AUD', deals: 2, value: '1333.33', weighted: '750.00' },
        // O4: 99.99 × 20 ÷ 100 = 19.998 → 20.00.
        { month: '2021-07', currency: 'USD', deals: 1, value: '99.99', weighted: '20.00' },
        // O3: no date (listed last), no value.
        { month: null, currency: 'AUD', deals: 1, value: '0.00', weighted: '0.00' },
      ]);
    });

    it('segments by the source and industry of the deal company', async () => {
      const r = await sales(admin, { from: '2021-01-01', to: '2021-12-31', source: 'referral', industry: 'LOGISTICS' });
      // Acme's deals: won D1, D2; lost D4, D5.
      expect(r.closed).toEqual({ won: 2, lost: 2, win_rate: '50.00', won_value: [{ currency: 'AUD', amount: '3500.50' }] });
      expect(r.cycle).toEqual({ deals: 2, avg_days: '57.00', median_days: '57.00' }); // (56 + 58) ÷ 2
      expect(r.lost_reasons).toEqual([{ reason: 'Price', deals: 2, companies: 1, total: 3 }]); // C1 is referral and logistics; C2 is not
      expect(r.by_owner).toEqual([
        { owner_id: sam.user.id, name: sam.user.name, won: 2, lost: 1, win_rate: '66.67' },
        { owner_id: olive.user.id, name: olive.user.name, won: 0, lost: 1, win_rate: '0.00' },
      ]);
      expect(r.weighted_pipeline).toEqual([{ month: '2021-07', currency: 'AUD', deals: 1, value: '1000.00', weighted: '500.00' }]); // O1: 1000 × 50 %
    });

    it('closes a deal without actual_close_date on the day it entered its stage, in the time zone', async () => {
      const march = await sales(admin, { from: '2021-03-01', to: '2021-03-31' });
      // D1 (Mar 1) and D2 (entered closed_won Mar 31 20:00 UTC).
      expect(march.closed).toEqual({ won: 2, lost: 0, win_rate: '100.00', won_value: [{ currency: 'AUD', amount: '3500.50' }] });
      expect(march.cycle).toEqual({ deals: 2, avg_days: '57.00', median_days: '57.00' });
      expect(march.lost_reasons).toEqual([]);
      // In Sydney D2 closed on April 1 (07:00) and was created on February 1 (21:00): 59 days; D3: 95 days.
      const sydney = await salesInsight(ctx({ timeZone: 'Australia/Sydney' }), { from: '2021-04-01', to: '2021-04-30' });
      expect(sydney.closed).toEqual({ won: 2, lost: 0, win_rate: '100.00', won_value: [{ currency: 'AUD', amount: '2500.50' }, { currency: 'USD', amount: '300.00' }] });
      expect(sydney.cycle).toEqual({ deals: 2, avg_days: '77.00', median_days: '77.00' }); // (59 + 95) ÷ 2
      expect(sydney.lost_reasons).toEqual([{ reason: 'Price', deals: 0, companies: 1, total: 1 }]); // C1 on April 10
      const utcApril = await salesInsight(ctx(), { from: '2021-04-01', to: '2021-04-30' });
      expect(utcApril.closed).toEqual({ won: 1, lost: 0, win_rate: '100.00', won_value: [{ currency: 'USD', amount: '300.00' }] });
    });

    it('an empty period: zeros, null rates, no rows', async () => {
      const fresh = await signIn(app, database(), 'editor');
      const r = await sales(admin, { from: '2019-06-01', to: '2019-06-30', owner_id: fresh.user.id });
      expect(r).toEqual({
        period: { from: '2019-06-01', to: '2019-06-30', days: 30 },
        segment: { source: null, industry: null, owner_id: fresh.user.id },
        closed: { won: 0, lost: 0, win_rate: null, won_value: [] },
        cycle: { deals: 0, avg_days: null, median_days: null },
        weighted_pipeline: [],
        lost_reasons: [],
        by_owner: [],
      });
      const all = await sales(viewer, { from: '2019-06-01', to: '2019-06-30' });
      expect([all.closed, all.cycle, all.lost_reasons, all.by_owner]).toEqual([{ won: 0, lost: 0, win_rate: null, won_value: [] }, { deals: 0, avg_days: null, median_days: null }, [], []]);
    });

    it('under own visibility each editor counts only the deals and companies they may see', async () => {
      await setVisibility('own');
      try {
        // Sam sees his deals, Olive's D5 through his company Acme, and his C1, not the admin's C2.
        const his = await sales(sam, { from: '2021-01-01', to: '2021-12-31' });
        expect(his.closed).toMatchObject({ won: 3, lost: 3, win_rate: '50.00' });
        expect(his.lost_reasons).toEqual([
          { reason: 'Price', deals: 2, companies: 1, total: 3 },
          { reason: null, deals: 1, companies: 0, total: 1 },
        ]);
        // Olive sees her D5 only.
        const hers = await sales(olive, { from: '2021-01-01', to: '2021-12-31' });
        expect(hers.closed).toEqual({ won: 0, lost: 1, win_rate: '0.00', won_value: [] });
        expect(hers.cycle).toEqual({ deals: 0, avg_days: null, median_days: null });
        expect(hers.lost_reasons).toEqual([{ reason: 'Price', deals: 1, companies: 0, total: 1 }]);
        expect(hers.by_owner).toEqual([{ owner_id: olive.user.id, name: olive.user.name, won: 0, lost: 1, win_rate: '0.00' }]);
        expect(hers.weighted_pipeline).toEqual([]);
        // A filter on Acme's source cannot reach a company she cannot see.
        expect((await sales(olive, { from: '2021-01-01', to: '2021-12-31', source: 'referral' })).closed.lost).toBe(0);
      } finally {
        await setVisibility('all');
      }
    });

    it('gives closed, pipeline, lost_reasons and owners tables', async () => {
      const r = await salesInsight(ctx(), { from: '2021-01-01', to: '2021-12-31', owner_id: sam.user.id });
      expect(SalesInsight.strict().parse(r)).toEqual(r);
      const tables = salesTables(r);
      expect(tables.map((x) => x.name)).toEqual(['closed', 'pipeline', 'lost_reasons', 'owners']);
      expect(tables[0]!.rows).toEqual([
        { from: '2021-01-01', to: '2021-12-31', won: 3, lost: 2, win_rate: '60.00', won_value: '3500.50 AUD; 300.00 USD', cycle_deals: 3, cycle_avg_days: '69.67', cycle_median_days: '58.00' },
      ]);
      expect(tables[1]!.rows).toHaveLength(3);
      expect(tables[2]!.rows[0]).toEqual({ reason: 'Price', deals: 1, companies: 1, total: 2 });
      expect(tables[3]!.rows).toEqual([{ owner_id: sam.user.id, name: sam.user.name, won: 3, lost: 2, win_rate: '60.00' }]);
    });
  });

  describe('input', () => {
    it('refuses a bad date, a period ending before it starts and a bad owner, naming the field', async () => {
      for (const name of ['funnel', 'sales']) {
        const bad = await expectStatus(sendAs(viewer, 'GET', `/api/v1/insights/${name}?from=2021-02-30`), 400);
        expect(bad.errors.map((e: { field: string }) => e.field)).toContain('from');
        const backwards = await expectStatus(sendAs(viewer, 'GET', `/api/v1/insights/${name}?from=2021-03-02&to=2021-03-01`), 400);
        expect(backwards.errors.map((e: { field: string }) => e.field)).toContain('to');
        const owner = await expectStatus(sendAs(viewer, 'GET', `/api/v1/insights/${name}?owner_id=nobody`), 400);
        expect(owner.errors.map((e: { field: string }) => e.field)).toContain('owner_id');
      }
      const pipeline = await expectStatus(sendAs(viewer, 'GET', '/api/v1/insights/funnel?pipeline=engagement'), 400);
      expect(pipeline.errors.map((e: { field: string }) => e.field)).toContain('pipeline');
    });

    it('a viewer may read both, with the default period of 90 days', async () => {
      const f = await funnel(viewer, {});
      expect([f.pipeline, f.period.days]).toEqual(['company', 90]);
      const s = await sales(viewer, {});
      expect(s.period.days).toBe(90);
    });
  });
});
