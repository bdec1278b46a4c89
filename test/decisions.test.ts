/**
 * Go/no-go, capacity and proposals (seed 000 steps 7–10): worked examples computed by hand,
 * every illegal move refused, all-or-nothing under an injected failure, permissions and audit.
 *
 * Capacity is team-wide, so the examples whose totals depend on every record run inside a
 * transaction that archives what other tests created and is rolled back at the end.
 */
import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/api/app.ts';
import {
  capacitySummary,
  DECISION_COEFFICIENTS,
  effectiveCoefficients,
  estimateHours,
  readCoefficients,
  setCoefficients,
  CoefficientsInput,
} from '../src/core/assessment/capacity.ts';
import { decideGoNoGo, type DecideInput } from '../src/core/assessment/decisions.ts';
import {
  acceptProposal,
  createProposal,
  expireDueProposals,
  expireProposal,
  PROPOSAL_MOVES,
  proposalsPastExpiry,
  rejectProposal,
  requestProposalChanges,
  sendProposal,
} from '../src/core/assessment/proposals.ts';
import { LOCAL_OPERATOR, type Actor, type Ctx } from '../src/core/context.ts';
import type { AppError } from '../src/core/errors.ts';
import { userActor } from '../src/core/identity/actor.ts';
import { createUser } from '../src/core/identity/users.ts';
import { statusTimeline } from '../src/core/platform/history.ts';
import { updateSettings } from '../src/core/platform/settings.ts';
import { invoke, operationByName } from '../src/core/registry.ts';
import { applyUpdate, createRecord, getRecord, insertRecord, updateRecord, type Row } from '../src/core/resource.ts';
import { resource } from '../src/core/resources.ts';
import type { Db } from '../src/db/client.ts';
import { FAST_IDENTITY, signIn } from './auth.ts';
import { counts, dbSuite } from './db.ts';
import { refusal } from './refusal.ts';

const uniq = () => Math.random().toString(36).slice(2, 8);
/** Wednesday 18 November 2026, 09:00 UTC. */
const NOW = new Date('2026-11-18T09:00:00Z');
const TODAY = '2026-11-18';


const fieldsOf = (e: AppError) => (e.details.fields ?? []).map((f) => f.field);

describe('estimated hours per week', () => {
  it('applies the default coefficients and writes the sum out', () => {
    // 0.00 + 2 × 1.50 + 3 × 0.75 + 12 × 0.10 = 0 + 3.00 + 2.25 + 1.20 = 6.45
    const e = estimateHours({ novel_mcps: 2, novel_skills: 3, employee_count: 12 }, DECISION_COEFFICIENTS);
    expect(e.hours_per_week).toBe('6.45');
    expect(e.arithmetic).toBe('0.00 + 2 × 1.50 + 3 × 0.75 + 12 × 0.10 = 6.45');
    expect(e.terms).toEqual({ base: '0.00', mcps: '3.00', skills: '2.25', employees: '1.20' });
  });

  it('takes other coefficients and rounds once, half up, to two decimals', () => {
    // 2.00 + 2 × 2.50 + 3 × 0.75 + 12 × 0.10 = 2 + 5 + 2.25 + 1.20 = 10.45
    expect(estimateHours({ novel_mcps: 2, novel_skills: 3, employee_count: 12 }, { ...DECISION_COEFFICIENTS, base_hours_per_week: '2.00', hours_per_novel_mcp: '2.50' }).hours_per_week).toBe('10.45');
    const only = (hours_per_employee: string, employee_count: number) =>
      estimateHours({ novel_mcps: 0, novel_skills: 0, employee_count }, { ...DECISION_COEFFICIENTS, hours_per_employee }).hours_per_week;
    expect(only('0.005', 1)).toBe('0.01'); // exactly half a hundredth rounds up
    expect(only('0.0049', 1)).toBe('0.00');
    expect(only('0.3333', 3)).toBe('1.00'); // 0.9999
    expect(only('0.0001', 49)).toBe('0.00'); // 0.0049
    expect(only('0.0001', 50)).toBe('0.01'); // 0.0050
    expect(only('0.10', 0)).toBe('0.00');
  });

  it('refuses coefficients that are negative, too large or too precise', () => {
    const bad = (v: unknown) => CoefficientsInput.safeParse({ hours_per_employee: v }).success;
    expect(bad('-1')).toBe(false);
    expect(bad('1000.0001')).toBe(false);
    expect(bad('1001')).toBe(false);
    expect(bad('0.12345')).toBe(false);
    expect(bad('NaN')).toBe(false);
    expect(bad('1000')).toBe(true);
    expect(bad(0.5)).toBe(true);
    expect(CoefficientsInput.safeParse({ hours_per_week: '1' }).success).toBe(false);
  });
});

describe('proposal moves', () => {
  it('allow exactly the documented moves', () => {
    expect(PROPOSAL_MOVES).toEqual({
      draft: ['sent'],
      sent: ['under_review', 'accepted', 'rejected', 'expired'],
      under_review: ['sent', 'accepted', 'rejected', 'expired'],
      accepted: [],
      rejected: [],
      expired: [],
    });
  });
});

dbSuite('go/no-go, capacity and proposals', ({ database, ctx }) => {
  const c = (actor?: Actor) => ctx({ now: () => NOW, ...(actor ? { actor } : {}) });
  let users: { u1: Actor; u2: Actor; editor: Actor; viewer: Actor };

  beforeAll(async () => {
    const mk = async (role: 'editor' | 'viewer') =>
      userActor(await createUser(ctx({ actor: LOCAL_OPERATOR }), { email: `${role}-${uniq()}@example.com`, name: `${role} ${uniq()}`, role, password: `pass phrase ${uniq()} ${uniq()}` }, FAST_IDENTITY));
    users = { u1: await mk('editor'), u2: await mk('editor'), editor: await mk('editor'), viewer: await mk('viewer') };
  });

  class Rollback extends Error {}
  /** Runs fn in a transaction that first archives every capacity, deal, engagement, decision and proposal, and is rolled back. */
  async function isolated(fn: (tx: Ctx) => Promise<void>) {
    try {
      await database().db.transaction(async (t) => {
        const tx: Ctx = { ...c(), db: t as unknown as Db, inTx: true, onCommit: [] };
        for (const table of ['capacity', 'deals', 'engagements', 'go_no_go_decisions', 'proposals']) {
          await tx.db.execute(sql`update ${sql.identifier(table)} set archived_at = now() where archived_at is null`);
        }
        await fn(tx);
        throw new Rollback();
      });
    } catch (e) {
      if (!(e instanceof Rollback)) throw e;
    }
  }

  /** A database trigger that fails the matching writes: a fault injected midway through a verb. */
  async function failing<T>(table: string, when: string, fn: () => Promise<T>): Promise<T> {
    const name = `inject_${uniq()}`;
    await database().query(`create function ${name}() returns trigger language plpgsql as $$ begin raise exception 'injected failure'; end $$`);
    await database().query(`create trigger ${name} before insert or update on ${table} for each row when (${when}) execute function ${name}()`);
    try {
      return await fn();
    } finally {
      await database().query(`drop trigger ${name} on ${table}`);
      await database().query(`drop function ${name}()`);
    }
  }

  /** The promise fails with the injected database error (wrapped by the driver). */
  async function injected(p: Promise<unknown>) {
    const e = (await p.then(() => undefined, (err: unknown) => err)) as Error | undefined;
    expect(e).toBeInstanceOf(Error);
    expect(`${e!.message} ${String(e!.cause ?? '')}`).toMatch(/injected failure/);
  }

  const company = async (x: Ctx, status: string, name = `Co ${uniq()}`) => insertRecord(x, resource('companies'), { name, status });

  /** A company moved lead → meeting_scheduled → meeting_complete → auditing through the pipeline, with an audit. */
  async function auditing(x: Ctx, teamSize: number | null = 12, name = `Builders ${uniq()}`) {
    const co = await company(x, 'lead', name);
    for (const status of ['meeting_scheduled', 'meeting_complete', 'auditing']) {
      await applyUpdate(x, resource('companies'), co.id as string, { status });
    }
    const audit = await insertRecord(x, resource('audits'), { company_id: co.id, audit_date: '2026-11-02', org_chart_received: true, team_size: teamSize });
    return { company: co, audit };
  }

  const decideInput = (companyId: string, over: Partial<DecideInput> = {}): DecideInput => ({
    id: companyId,
    decision: 'go',
    decision_maker_engagement: 'high',
    budget_confirmed: true,
    team_readiness: 'medium',
    champion_strength: 'strong',
    technical_feasibility: 'high',
    timeline_alignment: 'aligned',
    estimated_roi: 'About 40 hours a month across estimating and admin',
    estimated_roi_hours_per_month: '40.00',
    risk_factors: 'Site staff without email',
    decision_rationale: 'Strong champion, clear estimating load',
    recommended_package: 'AI Foundations',
    novel_mcps: 2,
    novel_skills: 3,
    estimated_value: '34940.00',
    currency: 'AUD',
    ...over,
  });

  /** A company at go with its go decision (and, unless `propose` is false, a sent proposal). */
  async function atGo(x: Ctx = c(), over: Partial<DecideInput> = {}) {
    const { company: co, audit } = await auditing(x);
    const r = await decideGoNoGo(x, decideInput(co.id as string, over));
    return { company: co, audit, decision: r.decision };
  }
  async function sent(x: Ctx = c(), over: Partial<DecideInput> = {}) {
    const g = await atGo(x, over);
    const p = await createProposal(x, { go_no_go_id: g.decision.id as string });
    return { ...g, proposal: p.proposal };
  }

  const statusOf = async (table: string, id: string) => (await getRecord(c(), resource(table), id)).status;
  const auditOps = async (recordId: string) =>
    database().query<{ action: string; table_name: string; operation: string | null }>(
      'select action, table_name, operation from audit_log where record_id = $1 order by at, id',
      [recordId],
    );

  // -------------------------------------------------------------------------
  // Capacity

  it('computes the capacity view and "can we take this on?" (worked example)', async () => {
    await isolated(async (x) => {
      const cap = (team_member: string, total: string, allocated: string, user_id: string | null) =>
        insertRecord(x, resource('capacity'), { team_member, total_hours_per_week: total, allocated_hours_per_week: allocated, user_id });
      // Alex (user u1) 40 h, 10 recorded; Bea (no user) 30 h, 5 recorded; Cam (user u2) 20 h, 8 recorded.
      const alex = await cap('Alex', '40.00', '10.00', users.u1.id);
      const bea = await cap('Bea', '30.00', '5.00', null);
      const cam = await cap('Cam', '20.00', '8.00', users.u2.id);

      // E1: active, Alex's, from a proposal of a go decision estimated at 12.50 h/week.
      const client = await company(x, 'onboarding');
      const d1 = await insertRecord(x, resource('go_no_go_decisions'), { company_id: client.id, decision: 'go', estimated_hours_per_week: '12.50' });
      const p1 = await insertRecord(x, resource('proposals'), { company_id: client.id, go_no_go_id: d1.id, status: 'sent' });
      const eng = (values: Row) => insertRecord(x, resource('engagements'), { company_id: client.id, ...values });
      const e1 = await eng({ name: 'E1', proposal_id: p1.id, status: 'onboarding', assigned_to: users.u1.id });
      // E2: active, nobody's: 70 h over 2026-01-01..2026-03-12 (70 days) → 70 × 7 ÷ 70 = 7.00 h/week.
      const e2 = await eng({ name: 'E2', status: 'training', estimated_hours: '70.00', start_date: '2026-01-01', end_date: '2026-03-12' });
      // E3 paused and E4 completed hold no hours; E5 is Cam's but has no estimate.
      const d3 = await insertRecord(x, resource('go_no_go_decisions'), { company_id: client.id, decision: 'go', estimated_hours_per_week: '9.00' });
      const p3 = await insertRecord(x, resource('proposals'), { company_id: client.id, go_no_go_id: d3.id, status: 'sent' });
      await eng({ name: 'E3', proposal_id: p3.id, status: 'paused', assigned_to: users.u2.id });
      await eng({ name: 'E4', status: 'completed', estimated_hours: '100.00', start_date: '2026-01-01', end_date: '2026-02-01', assigned_to: users.u1.id });
      const e5 = await eng({ name: 'E5', status: 'supporting', assigned_to: users.u2.id });

      // Open go decisions: Y at go (6.45), Z at proposal_sent (4.20), and the later of two go
      // decisions of W (2.00; its older 50.00 does not count). Not open: a no_go, a conditional,
      // and d1/d3, whose company is onboarding and whose proposals became engagements.
      const decision = (values: Row) => insertRecord(x, resource('go_no_go_decisions'), values);
      const y = await company(x, 'go');
      const gY = await decision({ company_id: y.id, decision: 'go', decision_date: '2026-11-01', estimated_hours_per_week: '6.45' });
      const z = await company(x, 'proposal_sent');
      const gZ = await decision({ company_id: z.id, decision: 'go', decision_date: '2026-11-02', estimated_hours_per_week: '4.20' });
      await decision({ company_id: (await company(x, 'no_go')).id, decision: 'no_go', estimated_hours_per_week: '3.00' });
      await decision({ company_id: (await company(x, 'auditing')).id, decision: 'conditional', estimated_hours_per_week: '3.00' });
      const w = await company(x, 'go');
      await decision({ company_id: w.id, decision: 'go', decision_date: '2026-10-01', estimated_hours_per_week: '50.00' });
      await decision({ company_id: w.id, decision: 'no_go', decision_date: '2026-10-15' });
      const gW = await decision({ company_id: w.id, decision: 'go', decision_date: '2026-11-03', estimated_hours_per_week: '2.00' });

      // Deals: D1 negotiation (75 %) 50,000 → 37,500 ÷ 1000 × 0.12 = 4.50; D2 discovery with its own
      // 10 % of 20,000 → 2,000 → 0.24; D3 is Y's (counted through Y's go decision) → 0; D4 closed_won
      // and D6 closed_lost are not open; D5 has no value → 0.00.
      const deal = (values: Row) => insertRecord(x, resource('deals'), { name: `Deal ${uniq()}`, ...values });
      const d1Deal = await deal({ stage: 'negotiation', value: '50000.00' });
      const d2Deal = await deal({ stage: 'discovery', value: '20000.00', probability: 10 });
      const d3Deal = await deal({ stage: 'proposal', value: '30000.00', company_id: y.id });
      await deal({ stage: 'closed_won', value: '90000.00', actual_close_date: '2026-11-01' });
      await deal({ stage: 'closed_lost', value: '90000.00', loss_reason: 'price' });
      const d5Deal = await deal({ stage: 'discovery' });

      const s = await capacitySummary(x, { novel_mcps: 2, novel_skills: 3, employee_count: 12 });
      // Alex: engagements 12.50 → 40 − 12.50 = 27.50; Bea: recorded 5 → 25.00; Cam: E5 has no
      // estimate, so recorded 8 → 12.00. Σ = 64.50; less E2's unassigned 7.00 = 57.50.
      expect(s.team.members.map((m) => [m.id, m.allocation_source, m.allocated_hours_per_week, m.available_hours_per_week])).toEqual([
        [alex.id, 'engagements', '12.50', '27.50'],
        [bea.id, 'recorded', '5.00', '25.00'],
        [cam.id, 'recorded', '8.00', '12.00'],
      ]);
      expect(s.team).toMatchObject({
        total_hours_per_week: '90.00',
        allocated_hours_per_week: '25.50',
        unassigned_engagement_hours_per_week: '7.00',
        available_hours_per_week: '57.50',
      });
      const loads = Object.fromEntries(s.team.active_engagements.items.map((e) => [e.name, [e.hours_per_week, e.source, e.member_id]]));
      expect(loads).toEqual({ E1: ['12.50', 'go_decision', alex.id], E2: ['7.00', 'estimated_hours', null], E5: [null, null, cam.id] });
      expect(s.team.active_engagements).toMatchObject({ hours_per_week: '19.50', without_estimate: 1, not_visible: { count: 0 } });
      expect(s.team.active_engagements.items.find((e) => e.id === e2.id)!.basis).toBe('70.00 h × 7 ÷ 70 days (2026-01-01 to 2026-03-12) = 7.00');
      expect(s.team.active_engagements.items.find((e) => e.id === e1.id)!.basis).toBe(`estimated_hours_per_week 12.50 of go decision ${String(d1.id)}`);

      // Open go decisions 6.45 + 4.20 + 2.00 = 12.65 → 57.50 − 12.65 = 44.85 free.
      expect(s.demand.open_go_decisions.items.map((d) => [d.id, d.hours_per_week])).toEqual([
        [gY.id, '6.45'],
        [gZ.id, '4.20'],
        [gW.id, '2.00'],
      ]);
      expect(s.demand.open_go_decisions.hours_per_week).toBe('12.65');
      // Deals 4.50 + 0.24 + 0 + 0.00 = 4.74 → 44.85 − 4.74 = 40.11.
      const deals = Object.fromEntries(s.demand.weighted_deals.items.map((d) => [d.id, [d.probability, d.weighted_value, d.hours_per_week, d.counted_via_go_decision]]));
      expect(deals).toEqual({
        [d1Deal.id as string]: [75, '37500.00', '4.50', false],
        [d2Deal.id as string]: [10, '2000.00', '0.24', false],
        [d3Deal.id as string]: [50, '15000.00', '0.00', true],
        [d5Deal.id as string]: [20, '0.00', '0.00', false],
      });
      expect(s.demand.weighted_deals.items.find((d) => d.id === d1Deal.id)!.arithmetic).toBe('50000.00 × 75% = 37500.00; 37500.00 ÷ 1000 × 0.12 = 4.50');
      expect(s.demand.weighted_deals.hours_per_week).toBe('4.74');
      expect(s.demand.total_hours_per_week).toBe('17.39');
      expect(s.free_hours_per_week).toEqual({
        after_go_decisions: '44.85',
        after_pipeline: '40.11',
        arithmetic: '57.50 available − 12.65 open go decisions = 44.85; − 4.74 weighted deals = 40.11',
      });
      // 6.45 h fits: 44.85 − 6.45 = 38.40 and 40.11 − 6.45 = 33.66 left.
      expect(s.can_take_on).toMatchObject({ hours_per_week: '6.45', fits_committed: true, fits_with_pipeline: true, left_after_go_decisions: '38.40', left_after_pipeline: '33.66' });
      expect(s.can_take_on!.estimate!.arithmetic).toBe('0.00 + 2 × 1.50 + 3 × 0.75 + 12 × 0.10 = 6.45');
      // The band edges: 40.11 fits both, 40.12 only the committed work, 44.85 just fits committed, 44.86 neither.
      const fit = async (h: string) => {
        const r = (await capacitySummary(x, { hours_per_week: h })).can_take_on!;
        return [r.fits_committed, r.fits_with_pipeline];
      };
      expect(await fit('40.11')).toEqual([true, true]);
      expect(await fit('40.12')).toEqual([true, false]);
      expect(await fit('44.85')).toEqual([true, false]);
      expect(await fit('44.86')).toEqual([false, false]);
      expect((await capacitySummary(x, { hours_per_week: '45.00' })).can_take_on!.left_after_pipeline).toBe('-4.89');

      // Over-allocation through engagements shows as negative available hours.
      await applyUpdate(x, resource('capacity'), cam.id as string, { total_hours_per_week: '5.00', allocated_hours_per_week: '0.00' });
      await applyUpdate(x, resource('engagements'), e5.id as string, { estimated_hours: '60.00', start_date: '2026-11-01', end_date: '2026-12-01' });
      // E5: 60 × 7 ÷ 30 = 14.00 → Cam 5 − 14 = −9.00.
      const over = (await capacitySummary(x)).team.members.find((m) => m.id === cam.id)!;
      expect(over).toMatchObject({ allocation_source: 'engagements', allocated_hours_per_week: '14.00', available_hours_per_week: '-9.00', over_allocated: true });

      // Under record visibility `own`, a viewer sees the same totals but not whose they are.
      await updateSettings(x, { record_visibility: 'own' });
      const seen = await capacitySummary({ ...x, actor: users.viewer });
      expect(seen.demand.open_go_decisions.items).toEqual([]);
      expect(seen.demand.open_go_decisions.not_visible).toEqual({ count: 3, hours_per_week: '12.65' });
      expect(seen.demand.open_go_decisions.hours_per_week).toBe('12.65');
      expect(seen.demand.weighted_deals.items).toEqual([]);
      expect(seen.demand.weighted_deals.not_visible).toEqual({ count: 4, hours_per_week: '4.74' });
      expect(seen.team.active_engagements.items).toEqual([]);
      expect(seen.team.active_engagements.not_visible.count).toBe(3);
    });
  });

  it('refuses incomplete candidate counts in the capacity view', async () => {
    const e = await refusal(capacitySummary(c(), { novel_mcps: 2 }));
    expect(e.code).toBe('VALIDATION');
    expect(fieldsOf(e)).toEqual(['novel_skills', 'employee_count']);
    const both = await refusal(capacitySummary(c(), { novel_mcps: 1, novel_skills: 1, employee_count: 1, hours_per_week: '3' }));
    expect(fieldsOf(both)).toEqual(['hours_per_week']);
  });

  // -------------------------------------------------------------------------
  // Go/no-go

  it('records a go decision with the hours and capacity check, and moves the company to go (worked example)', async () => {
    await isolated(async (x) => {
      // One member: 20 h, 4 allocated → 16.00 available; another company's open go decision needs 5.00 → 11.00 free.
      await insertRecord(x, resource('capacity'), { team_member: 'Solo', total_hours_per_week: '20.00', allocated_hours_per_week: '4.00' });
      const other = await company(x, 'go');
      await insertRecord(x, resource('go_no_go_decisions'), { company_id: other.id, decision: 'go', estimated_hours_per_week: '5.00' });
      // A weighted deal (discovery 20 % of 25,000 = 5,000 → 0.60 h) is shown but does not decide `sufficient`.
      await insertRecord(x, resource('deals'), { name: 'Maybe', stage: 'discovery', value: '25000.00' });

      const { company: co, audit } = await auditing(x, 12);
      const r = await decideGoNoGo(x, decideInput(co.id as string));
      // 0.00 + 2 × 1.50 + 3 × 0.75 + 12 × 0.10 = 6.45 (12 employees from the audit's team_size) ≤ 11.00.
      expect(r.decision).toMatchObject({
        company_id: co.id,
        audit_id: audit.id,
        decision: 'go',
        decision_date: TODAY,
        decision_maker_engagement: 'high',
        budget_confirmed: true,
        champion_strength: 'strong',
        timeline_alignment: 'aligned',
        recommended_package: 'AI Foundations',
        novel_mcps: 2,
        novel_skills: 3,
        employee_count: 12,
        estimated_hours_per_week: '6.45',
        capacity_available_hours: '11.00',
        capacity_sufficient: true,
        estimated_value: '34940.00',
        estimated_roi_hours_per_month: '40.00',
        decided_by: null,
      });
      expect(r.estimate.arithmetic).toBe('0.00 + 2 × 1.50 + 3 × 0.75 + 12 × 0.10 = 6.45');
      expect(r.capacity).toEqual({
        team_available_hours_per_week: '16.00',
        open_go_decision_hours_per_week: '5.00',
        weighted_deal_hours_per_week: '0.60',
        capacity_available_hours: '11.00',
        estimated_hours_per_week: '6.45',
        sufficient: true,
        fits_with_pipeline: true,
        arithmetic: '16.00 team available − 5.00 other open go decisions = 11.00; needed 6.45 ≤ 11.00',
      });
      expect(r.company_status_change).toEqual({ from: 'auditing', to: 'go' });
      expect((await getRecord(x, resource('companies'), co.id as string)).status).toBe('go');
      const history = await statusTimeline(x, { entity_type: 'company', id: co.id as string });
      expect(history.entries.map((e) => e.status)).toEqual(['lead', 'meeting_scheduled', 'meeting_complete', 'auditing', 'go']);
      const audits = await x.db.execute(sql`select action, table_name, operation from audit_log where record_id in (${r.decision.id as string}::uuid, ${co.id as string}::uuid) and operation = 'assessment.decide' order by table_name`);
      expect((audits as unknown as { rows: Row[] }).rows).toEqual([
        { action: 'status_change', table_name: 'companies', operation: 'assessment.decide' },
        { action: 'create', table_name: 'go_no_go_decisions', operation: 'assessment.decide' },
      ]);

      // Now that decision is open too: 16.00 − 5.00 − 6.45 = 4.55 free; 5 MCPs, 6 Skills, 20 staff
      // need 7.50 + 4.50 + 2.00 = 14.00 > 4.55: recorded as go, but insufficient.
      const second = await auditing(x, 20);
      const r2 = await decideGoNoGo(x, decideInput(second.company.id as string, { novel_mcps: 5, novel_skills: 6 }));
      expect(r2.decision).toMatchObject({ estimated_hours_per_week: '14.00', capacity_available_hours: '4.55', capacity_sufficient: false });
      expect(r2.capacity.arithmetic).toBe('16.00 team available − 11.45 other open go decisions = 4.55; needed 14.00 > 4.55');

      // Over-committed: 16.00 − 25.45 = −9.45, recorded as 0.00; even 0 MCPs, 0 Skills, 0 staff fit 0.00
      // (the edge), one MCP (1.50) does not.
      const third = await auditing(x, 0);
      const r3 = await decideGoNoGo(x, decideInput(third.company.id as string, { decision: 'conditional', novel_mcps: 0, novel_skills: 0 }));
      expect(r3.decision).toMatchObject({ estimated_hours_per_week: '0.00', capacity_available_hours: '0.00', capacity_sufficient: true });
      expect(r3.capacity.arithmetic).toBe('16.00 team available − 25.45 other open go decisions = -9.45 (recorded as 0.00); needed 0.00 ≤ 0.00');
      const r4 = await decideGoNoGo(x, decideInput(third.company.id as string, { novel_mcps: 1, novel_skills: 0 }));
      expect(r4.decision).toMatchObject({ estimated_hours_per_week: '1.50', capacity_available_hours: '0.00', capacity_sufficient: false });
    });
  });

  it('records no-go with the rationale as lost reason, and conditional without moving the company', async () => {
    const a = await auditing(c());
    const noGo = await decideGoNoGo(c(), decideInput(a.company.id as string, { decision: 'no_go', decision_rationale: 'Too little desk work', recommended_package: undefined }));
    expect(noGo.company_status_change).toEqual({ from: 'auditing', to: 'no_go' });
    const co = await getRecord(c(), resource('companies'), a.company.id as string);
    expect(co).toMatchObject({ status: 'no_go', lost_reason: 'No-go: Too little desk work' });
    const h = await statusTimeline(c(), { entity_type: 'company', id: a.company.id as string });
    expect(h.entries.at(-1)).toMatchObject({ status: 'no_go', reason: 'No-go: Too little desk work' });

    const b = await auditing(c());
    const cond = await decideGoNoGo(c(), decideInput(b.company.id as string, { decision: 'conditional' }));
    expect(cond.company_status_change).toBeNull();
    expect(cond.decision.decision).toBe('conditional');
    expect(await statusOf('companies', b.company.id as string)).toBe('auditing');
    // The go that follows is recorded against the same audit; then no second decision at go.
    const go = await decideGoNoGo(c(), decideInput(b.company.id as string));
    expect(go.decision.audit_id).toBe(b.audit.id);
    const again = await refusal(decideGoNoGo(c(), decideInput(b.company.id as string, { decision: 'no_go' })));
    expect(again.code).toBe('CONFLICT');
    expect(again.details.allowed).toEqual(['proposal_sent', 'no_go', 'lost']);
  });

  it('refuses a decision outside auditing, without an audit, or with bad input, writing nothing', async () => {
    const tables = ['go_no_go_decisions', 'audit_log', 'status_history'];
    const early = await company(c(), 'lead');
    await applyUpdate(c(), resource('companies'), early.id as string, { status: 'meeting_scheduled' });
    await applyUpdate(c(), resource('companies'), early.id as string, { status: 'meeting_complete' });
    await insertRecord(c(), resource('audits'), { company_id: early.id, team_size: 5 });
    let before = await counts(database(), tables);
    const e1 = await refusal(decideGoNoGo(c(), decideInput(early.id as string)));
    expect(e1.code).toBe('CONFLICT');
    expect(e1.details.allowed).toEqual(['auditing', 'meeting_scheduled', 'lost']);
    expect(e1.message).toContain('is meeting_complete');

    const noAudit = await company(c(), 'auditing');
    before = await counts(database(), tables);
    const e2 = await refusal(decideGoNoGo(c(), decideInput(noAudit.id as string)));
    expect(e2.code).toBe('PRECONDITION_FAILED');
    expect(await counts(database(), tables)).toEqual(before);

    const a = await auditing(c(), null);
    const b = await auditing(c());
    before = await counts(database(), tables);
    const e3 = await refusal(decideGoNoGo(c(), decideInput(a.company.id as string, { audit_id: b.audit.id as string })));
    expect(fieldsOf(e3)).toEqual(['audit_id']);
    const e4 = await refusal(decideGoNoGo(c(), decideInput(a.company.id as string)));
    expect(fieldsOf(e4)).toEqual(['employee_count']); // the audit has no team_size
    const e5 = await refusal(decideGoNoGo(c(), decideInput(b.company.id as string, { recommended_package: undefined })));
    expect(fieldsOf(e5)).toEqual(['recommended_package']);
    const missing = await refusal(decideGoNoGo(c(), decideInput(randomId())));
    expect(missing.code).toBe('NOT_FOUND');

    // Through the operation's schema: each bad field named.
    const op = operationByName.get('assessment.decide')!;
    const bad = await refusal(
      invoke(op, c(), {
        ...decideInput(b.company.id as string),
        decision: 'maybe',
        novel_mcps: -1,
        novel_skills: 1.5,
        decision_rationale: '   ',
        champion_strength: 'huge',
        estimated_value: '-5',
        coefficients: { hours_per_employee: '-1' },
        owner: 'me',
      }),
    );
    expect(bad.code).toBe('VALIDATION');
    expect(fieldsOf(bad).sort()).toEqual(
      ['champion_strength', 'coefficients.hours_per_employee', 'decision', 'decision_rationale', 'estimated_value', 'novel_mcps', 'novel_skills', 'owner'].sort(),
    );
    expect(await counts(database(), tables)).toEqual(before);
    expect(await statusOf('companies', b.company.id as string)).toBe('auditing');
  });

  it('records nothing when the company move fails midway (all or nothing)', async () => {
    const a = await auditing(c(), 12, `Injected ${uniq()}`);
    const tables = ['go_no_go_decisions', 'audit_log', 'status_history'];
    const before = await counts(database(), tables);
    await failing('companies', `new.status = 'go' and new.name like 'Injected%'`, async () => {
      await injected(decideGoNoGo(c(), decideInput(a.company.id as string)));
    });
    expect(await counts(database(), tables)).toEqual(before);
    expect(await statusOf('companies', a.company.id as string)).toBe('auditing');
    const ok = await decideGoNoGo(c(), decideInput(a.company.id as string));
    expect(ok.company_status_change).toEqual({ from: 'auditing', to: 'go' });
  });

  it('takes the coefficients from the instance settings, overridden per decision; only admins change them', async () => {
    await isolated(async (x) => {
      const set = await setCoefficients(x, { coefficients: { hours_per_employee: '0.2', base_hours_per_week: 1 } });
      expect(set.coefficients).toEqual({ ...DECISION_COEFFICIENTS, hours_per_employee: '0.20', base_hours_per_week: '1.00' });
      expect((await readCoefficients(x)).source).toMatchObject({ hours_per_employee: 'settings', base_hours_per_week: 'settings', hours_per_novel_mcp: 'default' });
      const [row] = (await x.db.execute(sql`select operation, before, after from audit_log where table_name = 'settings' order by at desc, id desc limit 1`) as unknown as { rows: Row[] }).rows;
      expect(row).toEqual({
        operation: 'assessment.set_coefficients',
        before: { base_hours_per_week: '0.00', hours_per_employee: '0.10' },
        after: { base_hours_per_week: '1.00', hours_per_employee: '0.20' },
      });
      // 1.00 + 2 × 1.50 + 3 × 0.75 + 12 × 0.20 = 1 + 3 + 2.25 + 2.40 = 8.65
      const a = await auditing(x);
      const r = await decideGoNoGo(x, decideInput(a.company.id as string, { decision: 'conditional' }));
      expect(r.decision.estimated_hours_per_week).toBe('8.65');
      expect(r.estimate.coefficients_source.hours_per_employee).toBe('settings');
      // This decision only: employees cost nothing → 1 + 3 + 2.25 + 0 = 6.25.
      const r2 = await decideGoNoGo(x, decideInput(a.company.id as string, { decision: 'conditional', coefficients: { hours_per_employee: '0' } }));
      expect(r2.decision.estimated_hours_per_week).toBe('6.25');
      expect(r2.estimate.coefficients_source.hours_per_employee).toBe('input');
      const reset = await setCoefficients(x, { coefficients: {}, reset: true });
      expect(reset.coefficients).toEqual(DECISION_COEFFICIENTS);
      expect((await effectiveCoefficients(x)).source.hours_per_employee).toBe('default');
      const none = await refusal(setCoefficients(x, { coefficients: {} }));
      expect(fieldsOf(none)).toEqual(['coefficients']);
      // The registry refuses an editor before anything is read.
      const denied = await refusal(invoke(operationByName.get('assessment.set_coefficients')!, { ...x, actor: users.editor }, { coefficients: { hours_per_employee: '9' } }));
      expect(denied.code).toBe('FORBIDDEN');
      expect((await effectiveCoefficients(x)).coefficients.hours_per_employee).toBe('0.10');
    });
  });

  it('does not let a caller decide on a company they cannot see', async () => {
    await isolated(async (x) => {
      const a = await auditing(x);
      await updateSettings(x, { record_visibility: 'own' });
      const n = async () => ((await x.db.execute(sql`select count(*)::int as n from go_no_go_decisions`)) as unknown as { rows: { n: number }[] }).rows[0]!.n;
      const before = await n();
      const e = await refusal(decideGoNoGo({ ...x, actor: users.editor }, decideInput(a.company.id as string)));
      expect(e.code).toBe('NOT_FOUND');
      expect(await n()).toBe(before);
      expect((await getRecord(x, resource('companies'), a.company.id as string)).status).toBe('auditing');
    });
  });

  // -------------------------------------------------------------------------
  // Proposals

  it('makes a proposal from a go decision, copying package, scope and value; the company moves to proposal_sent', async () => {
    const g = await atGo();
    const r = await createProposal(c(), { go_no_go_id: g.decision.id as string });
    expect(r.proposal).toMatchObject({
      company_id: g.company.id,
      go_no_go_id: g.decision.id,
      package: 'AI Foundations',
      scope: 'AI Foundations: 2 MCP servers, 3 Skills files, training and support for 12 employees.',
      value: '34940.00',
      currency: 'AUD',
      status: 'sent',
      sent_date: TODAY,
      expires_date: '2026-12-18', // 30 days after 18 November
    });
    expect(r.company_status_change).toEqual({ from: 'go', to: 'proposal_sent' });
    expect(await statusOf('companies', g.company.id as string)).toBe('proposal_sent');
    expect(await auditOps(r.proposal.id as string)).toEqual([{ action: 'create', table_name: 'proposals', operation: 'assessment.create_proposal' }]);
    expect(await auditOps(g.company.id as string)).toContainEqual({ action: 'status_change', table_name: 'companies', operation: 'assessment.create_proposal' });

    // Not twice, not from a no-go, not without a value.
    const a = await auditing(c());
    const noGo = await decideGoNoGo(c(), decideInput(a.company.id as string, { decision: 'no_go' }));
    const noValue = await atGo(c(), { estimated_value: undefined });
    const before = await counts(database(), ['proposals', 'audit_log']);
    const twice = await refusal(createProposal(c(), { go_no_go_id: g.decision.id as string }));
    expect(twice.code).toBe('CONFLICT');
    const fromNoGo = await refusal(createProposal(c(), { go_no_go_id: noGo.decision.id as string }));
    expect(fromNoGo.code).toBe('CONFLICT');
    expect(fieldsOf(fromNoGo)).toEqual(['go_no_go_id']);
    const e = await refusal(createProposal(c(), { go_no_go_id: noValue.decision.id as string }));
    expect(fieldsOf(e)).toEqual(['value']);
    const unknown = await refusal(createProposal(c(), { go_no_go_id: randomId() }));
    expect(fieldsOf(unknown)).toEqual(['go_no_go_id']);
    const past = await refusal(createProposal(c(), { go_no_go_id: noValue.decision.id as string, value: '100', expires_date: '2026-11-17' }));
    expect(fieldsOf(past)).toEqual(['expires_date']);
    expect(await counts(database(), ['proposals', 'audit_log'])).toEqual(before);
    expect(await statusOf('companies', noValue.company.id as string)).toBe('go');
  });

  it('keeps a draft, refuses a second open proposal, and sends it later', async () => {
    const g = await atGo();
    const d = await createProposal(c(), { go_no_go_id: g.decision.id as string, send: false, value: '40000.00', scope: 'Custom scope' });
    expect(d.proposal).toMatchObject({ status: 'draft', sent_date: null, expires_date: null, value: '40000.00', scope: 'Custom scope' });
    expect(d.company_status_change).toBeNull();
    const second = await refusal(createProposal(c(), { go_no_go_id: g.decision.id as string, send: false }));
    expect(second.code).toBe('CONFLICT');
    expect(second.details.existing_id).toBe(d.proposal.id);
    const s = await sendProposal(c(), { id: d.proposal.id as string });
    expect(s.proposal).toMatchObject({ status: 'sent', sent_date: TODAY, expires_date: '2026-12-18' });
    expect(s.company_status_change).toEqual({ from: 'go', to: 'proposal_sent' });
    expect((await auditOps(d.proposal.id as string)).map((a) => a.operation).sort()).toEqual(['assessment.create_proposal', 'assessment.send_proposal']);
  });

  it('records requested changes and sends the revision', async () => {
    const { proposal } = await sent();
    const r = await requestProposalChanges(c(), { id: proposal.id as string, modifications_requested: 'Drop one MCP, add two training sessions' });
    expect(r.proposal).toMatchObject({ status: 'under_review', modifications_requested: 'Drop one MCP, add two training sessions' });
    expect(await statusOf('companies', proposal.company_id as string)).toBe('proposal_sent');
    const later = new Date('2026-11-25T09:00:00Z');
    const s = await sendProposal(ctx({ now: () => later }), { id: proposal.id as string, value: '31000.00', scope: 'One MCP, two Skills, six sessions' });
    // The expiry (18 December) is still ahead, so it is kept; the sent date moves to the 25th.
    expect(s.proposal).toMatchObject({ status: 'sent', value: '31000.00', sent_date: '2026-11-25', expires_date: '2026-12-18' });
    expect(s.company_status_change).toBeNull();
    expect((await auditOps(proposal.id as string)).map((a) => a.operation).sort()).toEqual([
      'assessment.create_proposal',
      'assessment.request_proposal_changes',
      'assessment.send_proposal',
    ]);
    const blank = await refusal(invoke(operationByName.get('assessment.request_proposal_changes')!, c(), { id: proposal.id, modifications_requested: ' ' }));
    expect(fieldsOf(blank)).toEqual(['modifications_requested']);
  });

  it('accepts a proposal: the company moves to onboarding and the engagement is created from it', async () => {
    const { proposal, company: co, decision } = await sent();
    const r = await acceptProposal(c(), { id: proposal.id as string, engagement: { start_date: '2026-12-01', end_date: '2027-11-30', training_hours_per_staff: '6.00' } });
    expect(r.proposal).toMatchObject({ status: 'accepted', accepted_date: TODAY });
    expect(r.company_status_change).toEqual({ from: 'proposal_sent', to: 'onboarding' });
    expect(r.engagement).toMatchObject({
      name: `${String(co.name)} — AI Foundations`,
      company_id: co.id,
      proposal_id: proposal.id,
      package: 'AI Foundations',
      value: '34940.00',
      currency: 'AUD',
      status: 'onboarding',
      description: 'AI Foundations: 2 MCP servers, 3 Skills files, training and support for 12 employees.',
      staff_count: decision.employee_count,
      mcps_to_build: 2,
      skills_to_build: 3,
      start_date: '2026-12-01',
      end_date: '2027-11-30',
      training_hours_per_staff: '6.00',
    });
    expect(await statusOf('companies', co.id as string)).toBe('onboarding');
    const eh = await statusTimeline(c(), { entity_type: 'engagement', id: r.engagement.id as string });
    expect(eh.entries.map((e) => e.status)).toEqual(['onboarding']);
    const ops = await database().query<{ table_name: string; action: string }>(
      `select table_name, action from audit_log where operation = 'assessment.accept_proposal' and record_id in ($1, $2, $3) order by table_name`,
      [proposal.id, co.id, r.engagement.id],
    );
    expect(ops).toEqual([
      { table_name: 'companies', action: 'status_change' },
      { table_name: 'engagements', action: 'create' },
      { table_name: 'proposals', action: 'update' },
    ]);
    // The engagement now counts in capacity, and the go decision is no longer open demand.
    const s = await capacitySummary(c());
    expect(s.demand.open_go_decisions.items.some((d) => d.id === decision.id)).toBe(false);
    expect(s.team.active_engagements.items.find((e) => e.id === r.engagement.id)).toMatchObject({ hours_per_week: '6.45', source: 'go_decision' });
  });

  it('refuses engagement fields that come from the proposal, and bad ones, writing nothing', async () => {
    const { proposal } = await sent();
    const before = await counts(database(), ['engagements', 'audit_log', 'status_history']);
    const e = await refusal(acceptProposal(c(), { id: proposal.id as string, engagement: { value: '1.00', status: 'training' } }));
    expect(fieldsOf(e)).toEqual(['engagement.status', 'engagement.value']);
    const e2 = await refusal(acceptProposal(c(), { id: proposal.id as string, engagement: { start_date: '2026-02-31', priority: 'urgent-ish' } }));
    expect(fieldsOf(e2).sort()).toEqual(['engagement.priority', 'engagement.start_date']);
    // An end before the start is refused by the database's check, after the proposal and company moved: all undone.
    const e3 = await refusal(acceptProposal(c(), { id: proposal.id as string, engagement: { start_date: '2026-12-01', end_date: '2026-11-01' } }));
    expect(e3.code).toBe('VALIDATION');
    expect(fieldsOf(e3)).toEqual(['end_date']);
    expect(await counts(database(), ['engagements', 'audit_log', 'status_history'])).toEqual(before);
    expect(await statusOf('proposals', proposal.id as string)).toBe('sent');
    expect(await statusOf('companies', proposal.company_id as string)).toBe('proposal_sent');
  });

  it('accepts all or nothing: a failing engagement insert leaves proposal, company and engagements unchanged', async () => {
    const { proposal, company: co } = await sent();
    const proposalBefore = await getRecord(c(), resource('proposals'), proposal.id as string);
    const companyBefore = await getRecord(c(), resource('companies'), co.id as string);
    const tables = ['engagements', 'audit_log', 'status_history', 'proposals'];
    const before = await counts(database(), tables);
    await failing('engagements', `new.name like 'Injected%'`, async () => {
      await injected(acceptProposal(c(), { id: proposal.id as string, engagement: { name: 'Injected failure' } }));
    });
    expect(await counts(database(), tables)).toEqual(before);
    expect(await getRecord(c(), resource('proposals'), proposal.id as string)).toEqual(proposalBefore);
    expect(await getRecord(c(), resource('companies'), co.id as string)).toEqual(companyBefore);
    expect(await database().query('select id from engagements where proposal_id = $1', [proposal.id])).toEqual([]);
    expect(await database().query(`select id from audit_log where operation = 'assessment.accept_proposal' and record_id = $1`, [proposal.id])).toEqual([]);
    // Without the fault it goes through.
    const ok = await acceptProposal(c(), { id: proposal.id as string, engagement: { name: 'Injected-free kickoff' } });
    expect(ok.engagement.name).toBe('Injected-free kickoff');
  });

  it('refuses every illegal proposal move, through the verbs and the generic update, changing nothing', async () => {
    const draft = (await createProposal(c(), { go_no_go_id: (await atGo()).decision.id as string, send: false })).proposal;
    const open = (await sent()).proposal;
    const review = (await sent()).proposal;
    await requestProposalChanges(c(), { id: review.id as string, modifications_requested: 'Cheaper' });
    const accepted = (await sent()).proposal;
    await acceptProposal(c(), { id: accepted.id as string });
    const rejected = (await sent()).proposal;
    await rejectProposal(c(), { id: rejected.id as string });
    const expired = (await sent()).proposal;
    await expireProposal(ctx({ now: () => new Date('2027-01-01T09:00:00Z') }), { id: expired.id as string });

    const id = (p: Row) => p.id as string;
    const verbs: Record<string, (p: Row) => Promise<unknown>> = {
      sent: (p) => sendProposal(c(), { id: id(p) }),
      under_review: (p) => requestProposalChanges(c(), { id: id(p), modifications_requested: 'x' }),
      accepted: (p) => acceptProposal(c(), { id: id(p), allow_expired: true }),
      rejected: (p) => rejectProposal(c(), { id: id(p) }),
      expired: (p) => expireProposal(ctx({ now: () => new Date('2027-06-01T09:00:00Z') }), { id: id(p) }),
    };
    const cases: [Row, string[]][] = [
      [draft, ['under_review', 'accepted', 'rejected', 'expired']],
      [open, ['sent']],
      [review, ['under_review']],
      [accepted, ['sent', 'under_review', 'accepted', 'rejected', 'expired']],
      [rejected, ['sent', 'under_review', 'accepted', 'rejected', 'expired']],
      [expired, ['sent', 'under_review', 'accepted', 'rejected', 'expired']],
    ];
    const tables = ['proposals', 'engagements', 'audit_log', 'status_history'];
    const before = await counts(database(), tables);
    for (const [p, refused] of cases) {
      const row = await getRecord(c(), resource('proposals'), id(p));
      const status = String(row.status);
      for (const to of refused) {
        const e = await refusal(verbs[to]!(p));
        expect(e.code, `${status} → ${to}`).toBe('CONFLICT');
        expect(e.details.allowed, `${status} → ${to}`).toEqual([...PROPOSAL_MOVES[status as keyof typeof PROPOSAL_MOVES]]);
      }
      // The generic PATCH moves nothing: status belongs to the verbs.
      for (const to of ['draft', 'sent', 'under_review', 'accepted', 'rejected', 'expired'].filter((s) => s !== status)) {
        const e = await refusal(updateRecord(c(), resource('proposals'), id(p), { status: to }));
        expect(e.code, `PATCH ${status} → ${to}`).toBe('VALIDATION');
        expect(fieldsOf(e)).toEqual(['status']);
      }
      expect(await getRecord(c(), resource('proposals'), id(p))).toEqual(row);
    }
    expect(await counts(database(), tables)).toEqual(before);
    // A proposal is born draft or sent.
    const born = await refusal(createRecord(c(), resource('proposals'), { company_id: open.company_id, status: 'accepted' }));
    expect(born.code).toBe('VALIDATION');
    expect(fieldsOf(born)).toContain('status');
  });

  it('refuses to accept an expired proposal unless asked', async () => {
    const { proposal } = await sent();
    const late = ctx({ now: () => new Date('2026-12-19T09:00:00Z') }); // the day after 18 December
    const e = await refusal(acceptProposal(late, { id: proposal.id as string }));
    expect(e.code).toBe('PRECONDITION_FAILED');
    expect(await statusOf('proposals', proposal.id as string)).toBe('sent');
    // On the expiry day itself it is still valid.
    const onTheDay = await acceptProposal(ctx({ now: () => new Date('2026-12-18T09:00:00Z') }), { id: proposal.id as string });
    expect(onTheDay.proposal.status).toBe('accepted');
    const { proposal: p2 } = await sent();
    const r = await acceptProposal(late, { id: p2.id as string, allow_expired: true });
    expect(r.proposal).toMatchObject({ status: 'accepted', accepted_date: '2026-12-19' });
  });

  it('rejects a proposal: back to go for a new proposal, or lost with a reason', async () => {
    const g = await sent();
    const r = await rejectProposal(c(), { id: g.proposal.id as string, reason: 'Price too high' });
    expect(r.proposal).toMatchObject({ status: 'rejected', rejected_date: TODAY, notes: 'Rejected: Price too high' });
    expect(r.company_status_change).toEqual({ from: 'proposal_sent', to: 'go' });
    // A new proposal from the same decision is allowed once the first is closed.
    const again = await createProposal(c(), { go_no_go_id: g.decision.id as string, value: '29000.00' });
    expect(again.company_status_change).toEqual({ from: 'go', to: 'proposal_sent' });
    const lost = await rejectProposal(c(), { id: again.proposal.id as string, lost_reason: 'Chose another consultancy' });
    expect(lost.company_status_change).toEqual({ from: 'proposal_sent', to: 'lost' });
    expect(await getRecord(c(), resource('companies'), g.company.id as string)).toMatchObject({ status: 'lost', lost_reason: 'Chose another consultancy' });
    expect((await auditOps(again.proposal.id as string)).map((a) => a.operation).sort()).toEqual(['assessment.create_proposal', 'assessment.reject_proposal']);
  });

  it('keeps the company at proposal_sent while another proposal is open', async () => {
    const g = await sent();
    // A second decision-less proposal for the same company (e.g. an alternative package), sent by hand.
    const alt = await insertRecord(c(), resource('proposals'), { company_id: g.company.id, status: 'sent', package: 'AI Accelerator', value: '90000.00', expires_date: '2026-12-18' });
    const r = await rejectProposal(c(), { id: g.proposal.id as string });
    expect(r.company_status_change).toBeNull();
    expect(await statusOf('companies', g.company.id as string)).toBe('proposal_sent');
    const r2 = await acceptProposal(c(), { id: alt.id as string });
    expect(r2.engagement).toMatchObject({ package: 'AI Accelerator', value: '90000.00', staff_count: null });
  });

  it('expires a proposal only once its date has passed, and sweeps the ones past expiry', async () => {
    const g = await sent();
    const early = await refusal(expireProposal(ctx({ now: () => new Date('2026-12-18T09:00:00Z') }), { id: g.proposal.id as string }));
    expect(early.code).toBe('PRECONDITION_FAILED');
    expect(await statusOf('proposals', g.proposal.id as string)).toBe('sent');
    const r = await expireProposal(ctx({ now: () => new Date('2026-12-19T09:00:00Z') }), { id: g.proposal.id as string, reason: 'No answer' });
    expect(r.proposal).toMatchObject({ status: 'expired', notes: 'Expired: No answer' });
    expect(r.company_status_change).toEqual({ from: 'proposal_sent', to: 'go' });

    await isolated(async (x) => {
      const a = await sent(x);
      const b = await sent(x);
      await requestProposalChanges(x, { id: b.proposal.id as string, modifications_requested: 'Later start' });
      const later = await sent(x);
      await applyUpdate(x, resource('proposals'), later.proposal.id as string, { expires_date: '2027-01-31' });
      const jan = { ...x, now: () => new Date('2027-01-05T09:00:00Z') };
      const due = await proposalsPastExpiry(jan);
      expect(due.today).toBe('2027-01-05');
      expect(due.items.map((p) => p.id).sort()).toEqual([a.proposal.id, b.proposal.id].sort());
      const swept = await expireDueProposals(jan);
      expect(swept.expired).toBe(2);
      const byId = (p: unknown[], q: unknown[]) => String(p[0]).localeCompare(String(q[0]));
      expect(swept.items.map((i) => [i.proposal.id, i.proposal.status, i.company_status_change?.to]).sort(byId)).toEqual(
        [
          [a.proposal.id, 'expired', 'go'],
          [b.proposal.id, 'expired', 'go'],
        ].sort(byId),
      );
      expect((await getRecord(x, resource('proposals'), later.proposal.id as string)).status).toBe('sent');
      expect((await proposalsPastExpiry(jan)).total).toBe(0);
      const ops = (await x.db.execute(sql`select count(*)::int as n from audit_log where operation = 'assessment.expire_due_proposals'`)) as unknown as { rows: { n: number }[] };
      expect(ops.rows[0]!.n).toBe(4); // two proposals and two companies
    });
  });

  // -------------------------------------------------------------------------
  // HTTP

  it('runs steps 7–10 through the HTTP API, and viewers may read but not write', async () => {
    const app = createApp({ database: database(), timeZone: 'UTC', identity: FAST_IDENTITY });
    const editor = await signIn(app, database(), 'editor');
    const viewer = await signIn(app, database(), 'viewer');
    const send = (who: typeof editor, method: string, path: string, body?: unknown) =>
      who.request(path, body === undefined ? { method } : { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const { company: co } = await auditing(c());
    const decision = { ...decideInput(co.id as string) } as Record<string, unknown>;
    delete decision.id;

    const tables = ['go_no_go_decisions', 'proposals', 'engagements', 'status_history', 'settings'];
    const before = await counts(database(), tables);
    const audited = async () =>
      database().query<{ action: string; n: number }>(`select action, count(*)::int as n from audit_log where operation like 'assessment.%' group by action order by action`);
    const auditBefore = await audited();
    for (const [method, path, body] of [
      ['POST', `/api/v1/companies/${co.id}/decision`, decision],
      ['POST', '/api/v1/proposals/from-decision', { go_no_go_id: randomId() }],
      ['POST', `/api/v1/proposals/${randomId()}/accept`, {}],
      ['POST', `/api/v1/proposals/${randomId()}/reject`, {}],
      ['POST', `/api/v1/proposals/${randomId()}/request-changes`, { modifications_requested: 'x' }],
      ['POST', `/api/v1/proposals/${randomId()}/send`, {}],
      ['POST', `/api/v1/proposals/${randomId()}/expire`, {}],
      ['POST', '/api/v1/proposals/expire-due', {}],
      ['POST', '/api/v1/assessment/coefficients', { coefficients: { hours_per_employee: '1' } }],
    ] as const) {
      const r = await send(viewer, method, path, body);
      expect(r.status, path).toBe(403);
    }
    const denied = await send(editor, 'POST', '/api/v1/assessment/coefficients', { coefficients: { hours_per_employee: '1' } });
    expect(denied.status).toBe(403);
    expect(await counts(database(), tables)).toEqual(before);
    // Each refusal is recorded as such (10 of them: nine for the viewer, one for the editor), and nothing else.
    const refusedBefore = auditBefore.find((a) => a.action === 'refused')?.n ?? 0;
    expect(await audited()).toEqual(
      [...auditBefore.filter((a) => a.action !== 'refused'), { action: 'refused', n: refusedBefore + 10 }].sort((a, b) => a.action.localeCompare(b.action)),
    );
    expect(await statusOf('companies', co.id as string)).toBe('auditing');

    const d = await send(editor, 'POST', `/api/v1/companies/${co.id}/decision`, decision);
    expect(d.status).toBe(201);
    const dBody = (await d.json()) as { decision: { id: string; estimated_hours_per_week: string; decided_by: string }; company_status_change: unknown };
    expect(dBody.decision.estimated_hours_per_week).toBe('6.45');
    expect(dBody.decision.decided_by).toBe(editor.user.id);
    expect(dBody.company_status_change).toEqual({ from: 'auditing', to: 'go' });
    const again = await send(editor, 'POST', `/api/v1/companies/${co.id}/decision`, decision);
    expect(again.status).toBe(409);
    expect(((await again.json()) as { allowed: string[] }).allowed).toEqual(['proposal_sent', 'no_go', 'lost']);
    const badBody = await send(editor, 'POST', `/api/v1/companies/${co.id}/decision`, { ...decision, novel_mcps: 'two' });
    expect(badBody.status).toBe(400);

    const cap = await send(viewer, 'GET', '/api/v1/capacity/summary?novel_mcps=2&novel_skills=3&employee_count=12');
    expect(cap.status).toBe(200);
    const capBody = (await cap.json()) as { can_take_on: { hours_per_week: string }; demand: { open_go_decisions: { items: { id: string }[] } } };
    expect(capBody.can_take_on.hours_per_week).toBe('6.45');
    expect(capBody.demand.open_go_decisions.items.some((x) => x.id === dBody.decision.id)).toBe(true);
    expect((await send(viewer, 'GET', '/api/v1/capacity/summary?novel_mcps=x')).status).toBe(400);
    expect((await send(viewer, 'GET', '/api/v1/assessment/coefficients')).status).toBe(200);
    expect((await send(viewer, 'GET', '/api/v1/proposals/past-expiry')).status).toBe(200);
    // The generic routes beside them still answer.
    const capRow = await insertRecord(c(), resource('capacity'), { team_member: `Http ${uniq()}`, total_hours_per_week: '10.00' });
    expect((await send(viewer, 'GET', `/api/v1/capacity/${capRow.id}`)).status).toBe(200);

    const p = await send(editor, 'POST', '/api/v1/proposals/from-decision', { go_no_go_id: dBody.decision.id });
    expect(p.status).toBe(201);
    const { proposal } = (await p.json()) as { proposal: { id: string; status: string } };
    expect(proposal.status).toBe('sent');
    expect((await send(editor, 'GET', `/api/v1/proposals/${proposal.id}`)).status).toBe(200);
    const rc = await send(editor, 'POST', `/api/v1/proposals/${proposal.id}/request-changes`, { modifications_requested: 'Two more sessions' });
    expect(rc.status).toBe(200);
    const rs = await send(editor, 'POST', `/api/v1/proposals/${proposal.id}/send`, { scope: 'With two more sessions' });
    expect(rs.status).toBe(200);
    const illegal = await send(editor, 'PATCH', `/api/v1/proposals/${proposal.id}`, { status: 'draft' });
    expect(illegal.status).toBe(400);
    const acc = await send(editor, 'POST', `/api/v1/proposals/${proposal.id}/accept`, { engagement: { start_date: '2027-01-11' } });
    expect(acc.status).toBe(200);
    const accBody = (await acc.json()) as { engagement: { id: string; status: string; proposal_id: string } };
    expect(accBody.engagement).toMatchObject({ status: 'onboarding', proposal_id: proposal.id });
    expect(await statusOf('companies', co.id as string)).toBe('onboarding');
    const twice = await send(editor, 'POST', `/api/v1/proposals/${proposal.id}/reject`, {});
    expect(twice.status).toBe(409);
    const actors = await database().query<{ actor_type: string; operation: string }>(
      `select distinct actor_type, operation from audit_log where record_id = $1 order by operation`,
      [proposal.id],
    );
    expect(actors).toEqual([
      { actor_type: 'api_key', operation: 'assessment.accept_proposal' },
      { actor_type: 'api_key', operation: 'assessment.create_proposal' },
      { actor_type: 'api_key', operation: 'assessment.request_proposal_changes' },
      { actor_type: 'api_key', operation: 'assessment.send_proposal' },
    ]);
  });
});

function randomId() {
  return crypto.randomUUID();
}
