/**
 * Deals (seed 004): stage moves with history, won and lost, line items with exact money and
 * the deal value rule, the weighted pipeline with record visibility; and the account health
 * score (formula health-v1) with worked examples computed by hand, its write hooks and the
 * recompute verbs. Verbs are exercised through the core and over HTTP.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createApp } from '../src/api/app.ts';
import { withTx, type Ctx } from '../src/core/context.ts';
import type { AppError } from '../src/core/errors.ts';
import { archiveRecord, createRecord, deleteRecord, getRecord, updateRecord, type Row } from '../src/core/resource.ts';
import { resource } from '../src/core/resources.ts';
import {
  addLineItems,
  dealOverview,
  dealTimeline,
  lineTotal,
  loseDeal,
  moveDeal,
  sumMoney,
  weighted,
  weightedPipeline,
  winDeal,
} from '../src/core/sales/deals.ts';
import { companyHealth, recomputeAllHealth, recomputeHealth, scoreHealth, usagePeriods, type HealthFacts } from '../src/core/sales/health.ts';
import { FAST_IDENTITY, signIn, type SignedIn } from './auth.ts';
import { counts, dbSuite } from './db.ts';
import { refusal } from './refusal.ts';

const uniq = () => randomUUID().slice(0, 8);

const fieldsOf = (e: AppError) => e.details.fields?.map((f) => f.field);

// ---------------------------------------------------------------------------
// Pure arithmetic

describe('exact money', () => {
  it('multiplies quantity by unit price to the cent, half up, as numeric(14,2) does', () => {
    expect(lineTotal('12', '850.00')).toBe('10200.00'); // 12 × 850.00
    expect(lineTotal('1.25', '0.10')).toBe('0.13'); // 0.125 → 0.13 (half up)
    expect(lineTotal('2.5', '199.99')).toBe('499.98'); // 499.975 → 499.98
    expect(lineTotal('0.5', '0.01')).toBe('0.01'); // 0.005 → 0.01
    expect(lineTotal('3', '0.1')).toBe('0.30'); // a float gives 0.30000000000000004
  });
  it('adds and weights without floats', () => {
    expect(sumMoney(['0.10', '0.20'])).toBe('0.30');
    expect(sumMoney(['4500.00', '10200.00', '499.98'])).toBe('15199.98');
    expect(weighted('10000.00', 20)).toBe('2000.00'); // 10000 × 20 / 100
    expect(weighted('333.33', 75)).toBe('249.9975'); // 333.33 × 0.75, exact to 4 decimals
    expect(weighted('333.33', 50)).toBe('166.665');
    expect(weighted('0.01', 1)).toBe('0.0001');
  });
});

// ---------------------------------------------------------------------------
// Health formula, pure

/** Friday 20 March 2026, noon UTC: this month to date is 1–20 March, last month's same days 1–20 February. */
const NOW = new Date('2026-03-20T12:00:00Z');
const TODAY = '2026-03-20';

const facts = (over: Partial<HealthFacts>): HealthFacts => ({
  today: TODAY,
  last_interaction_date: null,
  last_interaction_at: null,
  open_tickets: 0,
  high_priority_open_tickets: 0,
  overdue_invoices: 0,
  oldest_overdue_due_date: null,
  engagements: [],
  tokens_this_period: 0,
  tokens_last_period: 0,
  ...over,
});
const eng = (status: string) => ({ status, is_won: status === 'completed', is_lost: status === 'cancelled' });

describe('health formula (pure)', () => {
  it('compares this month to date with the same days of last month', () => {
    expect(usagePeriods('2026-03-20')).toEqual({
      this_period: { from: '2026-03-01', to: '2026-03-20' },
      last_period: { from: '2026-02-01', to: '2026-02-20' },
    });
    // 31 March: February 2026 has 28 days, so last month's period is all of it.
    expect(usagePeriods('2026-03-31').last_period).toEqual({ from: '2026-02-01', to: '2026-02-28' });
    // January compares with December of the year before.
    expect(usagePeriods('2026-01-15').last_period).toEqual({ from: '2025-12-01', to: '2025-12-15' });
  });

  it('activity recency bands at their edges', () => {
    const pts = (date: string | null) => scoreHealth(facts({ last_interaction_date: date })).factors.activity.points;
    expect(pts('2026-03-13')).toBe(30); // 7 days
    expect(pts('2026-03-12')).toBe(25); // 8 days
    expect(pts('2026-03-06')).toBe(25); // 14 days
    expect(pts('2026-03-05')).toBe(18); // 15 days
    expect(pts('2026-02-18')).toBe(18); // 30 days
    expect(pts('2026-02-17')).toBe(10); // 31 days
    expect(pts('2026-01-19')).toBe(10); // 60 days
    expect(pts('2025-12-20')).toBe(5); // 90 days
    expect(pts('2025-12-19')).toBe(0); // 91 days
    expect(pts(null)).toBe(0);
  });

  it('tickets, overdue invoices and the usage trend at their edges', () => {
    const s = (over: Partial<HealthFacts>) => scoreHealth(facts(over)).factors;
    expect(s({ open_tickets: 1 }).support_tickets.points).toBe(15); // 20 − 5
    expect(s({ open_tickets: 1, high_priority_open_tickets: 1 }).support_tickets.points).toBe(10); // 20 − 5 − 5
    expect(s({ open_tickets: 3, high_priority_open_tickets: 2 }).support_tickets.points).toBe(0); // 20 − 15 − 10 < 0
    expect(s({ overdue_invoices: 1, oldest_overdue_due_date: '2026-01-19' }).overdue_invoices.points).toBe(10); // 60 days: 20 − 10
    expect(s({ overdue_invoices: 1, oldest_overdue_due_date: '2026-01-18' }).overdue_invoices.points).toBe(0); // 61 days
    expect(s({ overdue_invoices: 2, oldest_overdue_due_date: '2026-03-01' }).overdue_invoices.points).toBe(0); // 20 − 20
    const trend = (t: number, l: number, statuses: string[] = ['supporting']) =>
      s({ tokens_this_period: t, tokens_last_period: l, engagements: statuses.map(eng) }).ai_usage_trend;
    expect(trend(1100, 1000).points).toBe(10); // +10 %
    expect(trend(1099, 1000).points).toBe(8); // just under +10 %
    expect(trend(900, 1000).points).toBe(8); // −10 %
    expect(trend(899, 1000).points).toBe(4);
    expect(trend(500, 1000).points).toBe(4); // −50 %
    expect(trend(499, 1000).points).toBe(0);
    expect(trend(5, 0).points).toBe(10); // usage started
    expect(trend(0, 0)).toMatchObject({ points: 0, applicable: true }); // live engagement, nobody uses AI
    expect(trend(0, 0, ['completed'])).toMatchObject({ points: 0, applicable: false });
    expect(trend(0, 0, [])).toMatchObject({ applicable: false });
  });

  it('rounds the score half up in integers', () => {
    // Archived engagement with usage: possible = 30 + 20 + 20 + 10 = 80; 18 earned → 100 × 18 / 80 = 22.5 → 23.
    const h = scoreHealth(facts({ last_interaction_date: '2026-03-01', open_tickets: 4, overdue_invoices: 2, oldest_overdue_due_date: '2026-02-20', tokens_this_period: 300, tokens_last_period: 1000 }));
    expect([h.earned, h.possible, h.score]).toEqual([18, 80, 23]);
    // 58 of 70 = 82.857… → 83; 40 of 70 = 57.14… → 57.
    expect(scoreHealth(facts({ last_interaction_date: '2026-03-01' })).score).toBe(83);
    expect(scoreHealth(facts({})).score).toBe(57);
  });

  it('takes the best engagement and scores unknown statuses by their flags', () => {
    const e = (list: HealthFacts['engagements']) => scoreHealth(facts({ engagements: list })).factors.engagement;
    expect(e([eng('cancelled'), eng('training')])).toMatchObject({ points: 20, status: 'training' });
    expect(e([{ status: 'renewing', is_won: false, is_lost: false }])).toMatchObject({ points: 15 });
    expect(e([{ status: 'handed_over', is_won: true, is_lost: false }])).toMatchObject({ points: 10 });
    expect(e([])).toMatchObject({ applicable: false, points: 0 });
  });
});

// ---------------------------------------------------------------------------
// Deals through the core and HTTP

type App = ReturnType<typeof createApp>;
type Reply = { status: number; body: any };

async function send(app: App, who: SignedIn, method: string, path: string, body?: unknown): Promise<Reply> {
  const headers: Record<string, string> = { authorization: `Bearer ${who.key}` };
  const init: RequestInit = { method, headers };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    headers['content-type'] = 'application/json';
  }
  const r = await app.request(path, init);
  const text = await r.text();
  return { status: r.status, body: text ? JSON.parse(text) : undefined };
}

dbSuite('deals', ({ database, ctx }) => {
  const company = (c: Ctx = ctx()) => createRecord(c, resource('companies'), { name: `Deal Co ${uniq()}` });
  const deal = async (c: Ctx, values: Row) => createRecord(c, resource('deals'), { name: `Deal ${uniq()}`, ...values });
  const dbRow = async (table: string, id: unknown) => JSON.stringify(await database().query(`select * from "${table}" where id = $1`, [id]));
  const auditOf = (id: unknown) =>
    database().query<{ action: string; operation: string | null; table_name: string }>(
      'select action, operation, table_name from audit_log where record_id = $1 order by at, id',
      [id],
    );

  it('moves a deal through its stages, taking each probability, with entered/exited/duration history and audit', async () => {
    let clock = new Date('2026-02-01T09:00:00Z');
    const c = ctx({ now: () => clock });
    const co = await company(c);
    const d = await deal(c, { company_id: co.id, value: '10000.00' });
    expect(d.stage).toBe('discovery');
    clock = new Date('2026-02-04T09:00:00Z');
    const toProposal = await moveDeal(c, { id: d.id as string, stage: 'proposal' });
    expect(toProposal).toMatchObject({ from: 'discovery', to: 'proposal', stage: { probability: 50 } });
    expect(toProposal.deal).toMatchObject({ stage: 'proposal', probability: 50 });
    clock = new Date('2026-02-14T21:00:00Z');
    const toNeg = await moveDeal(c, { id: d.id as string, stage: 'negotiation', expected_version: toProposal.deal.version as number });
    expect(toNeg.deal).toMatchObject({ stage: 'negotiation', probability: 75 });
    clock = new Date('2026-02-16T09:00:00Z');
    const t = await dealTimeline(c, { id: d.id as string });
    expect(t.current_stage).toBe('negotiation');
    // discovery 1 Feb 09:00 → 4 Feb 09:00 = 3 days; proposal 4 Feb 09:00 → 14 Feb 21:00 = 10.5 days (10 whole).
    expect(t.entries.map((e) => [e.stage, e.from_stage, e.entered_at, e.exited_at, e.duration_days])).toEqual([
      ['discovery', null, '2026-02-01T09:00:00.000Z', '2026-02-04T09:00:00.000Z', 3],
      ['proposal', 'discovery', '2026-02-04T09:00:00.000Z', '2026-02-14T21:00:00.000Z', 10],
      ['negotiation', 'proposal', '2026-02-14T21:00:00.000Z', null, 1],
    ]);
    expect(t.entries.map((e) => e.probability)).toEqual([20, 50, 75]);
    expect(t.time_in_stage.find((x) => x.stage === 'proposal')).toEqual({ stage: 'proposal', seconds: 10.5 * 86_400, days: 10.5 });
    const audit = await auditOf(d.id);
    expect(audit.map((a) => [a.action, a.operation])).toEqual([
      ['create', null],
      ['status_change', 'sales.move_deal'],
      ['status_change', 'sales.move_deal'],
    ]);
  });

  it('refuses every illegal move with a reason and changes nothing', async () => {
    const d = await deal(ctx(), { value: '500.00' });
    const id = d.id as string;
    const before = await dbRow('deals', id);
    const watched = ['status_history', 'audit_log'];
    const n = await counts(database(), watched);

    const skip = await refusal(moveDeal(ctx(), { id, stage: 'negotiation' }));
    expect(skip.code).toBe('CONFLICT');
    expect(skip.details.allowed).toEqual(['proposal', 'closed_lost']);
    expect((await refusal(moveDeal(ctx(), { id, stage: 'discovery' }))).code).toBe('CONFLICT'); // already there
    const unknown = await refusal(moveDeal(ctx(), { id, stage: 'signed' }));
    expect([unknown.code, fieldsOf(unknown)]).toEqual(['VALIDATION', ['stage']]);
    const noReason = await refusal(moveDeal(ctx(), { id, stage: 'closed_lost' }));
    expect([noReason.code, fieldsOf(noReason)]).toEqual(['VALIDATION', ['loss_reason']]);
    const blank = await refusal(moveDeal(ctx(), { id, stage: 'closed_lost', loss_reason: '   ' }));
    expect(fieldsOf(blank)).toEqual(['loss_reason']);
    const stray = await refusal(moveDeal(ctx(), { id, stage: 'proposal', loss_reason: 'n/a' }));
    expect(fieldsOf(stray)).toEqual(['loss_reason']);
    const future = await refusal(moveDeal(ctx(), { id, stage: 'closed_lost', loss_reason: 'Budget cut', actual_close_date: '2999-01-01' }));
    expect(fieldsOf(future)).toEqual(['actual_close_date']);
    const stale = await refusal(moveDeal(ctx(), { id, stage: 'proposal', expected_version: 7 }));
    expect(stale.code).toBe('PRECONDITION_FAILED');
    // The generic PATCH goes through the same rules.
    const patchLost = await refusal(updateRecord(ctx(), resource('deals'), id, { stage: 'closed_lost' }));
    expect([patchLost.code, fieldsOf(patchLost)]).toEqual(['VALIDATION', ['loss_reason']]);
    const archived = await deal(ctx(), {});
    await archiveRecord(ctx(), resource('deals'), archived.id as string);
    expect((await refusal(moveDeal(ctx(), { id: archived.id as string, stage: 'proposal' }))).code).toBe('CONFLICT');
    expect((await refusal(moveDeal(ctx(), { id: randomUUID(), stage: 'proposal' }))).code).toBe('NOT_FOUND');

    expect(await dbRow('deals', id)).toBe(before);
    const after = await counts(database(), watched);
    // Only the archive of the second deal wrote anything (one audit row; its create wrote one history and one audit row).
    expect(after).toEqual({ status_history: n.status_history! + 1, audit_log: n.audit_log! + 2 });
  });

  it('a generic PATCH to closed_won sets actual_close_date to today unless given', async () => {
    const c = ctx({ now: () => NOW });
    const won = async (changes: Row) => {
      const d = await deal(c, {});
      const id = d.id as string;
      await moveDeal(c, { id, stage: 'proposal' });
      await moveDeal(c, { id, stage: 'negotiation' });
      const r = await updateRecord(c, resource('deals'), id, { stage: 'closed_won', ...changes });
      expect(await getRecord(c, resource('deals'), id)).toEqual(r); // what the PATCH answered is what is stored
      return r;
    };
    const today = await won({});
    expect(today).toMatchObject({ stage: 'closed_won', actual_close_date: TODAY });
    expect((await auditOf(today.id)).map((a) => String(a.operation)).sort()).toEqual(['null', 'null', 'sales.deal_closed', 'sales.move_deal', 'sales.move_deal']);
    expect(await won({ actual_close_date: '2026-01-05' })).toMatchObject({ stage: 'closed_won', actual_close_date: '2026-01-05' });
  });

  it('wins a deal: actual_close_date today, active competitors won against, then it is final', async () => {
    const c = ctx({ now: () => NOW });
    const d = await deal(c, { value: '8000.00' });
    const id = d.id as string;
    const rival = await createRecord(c, resource('deal_competitors'), { deal_id: id, competitor_name: 'Big Four digital practice' });
    const gone = await createRecord(c, resource('deal_competitors'), { deal_id: id, competitor_name: 'DIY', status: 'lost_to' });
    const early = await refusal(winDeal(c, { id }));
    expect(early.code).toBe('CONFLICT'); // discovery → closed_won is not an allowed move
    expect(early.details.allowed).toEqual(['proposal', 'closed_lost']);
    await moveDeal(c, { id, stage: 'proposal' });
    await moveDeal(c, { id, stage: 'negotiation' });
    const won = await winDeal(c, { id });
    expect(won.deal).toMatchObject({ stage: 'closed_won', actual_close_date: TODAY, probability: 100, loss_reason: null });
    expect(won.competitors.map((x) => [x.id, x.status])).toEqual([[rival.id, 'won_against']]);
    expect((await getRecord(c, resource('deal_competitors'), gone.id as string)).status).toBe('lost_to');
    const again = await refusal(moveDeal(c, { id, stage: 'closed_lost', loss_reason: 'Changed their mind' }));
    expect(again.code).toBe('CONFLICT');
    expect(again.details.allowed).toEqual([]);
    expect((await auditOf(id)).filter((a) => a.operation === 'sales.win_deal').map((a) => a.action)).toEqual(['status_change']);
    const audit = await auditOf(rival.id);
    expect(audit.map((a) => `${a.action} ${String(a.operation)}`).sort()).toEqual(['create null', 'update sales.win_deal']);
  });

  it('loses a deal with its reason and the competitor it went to, all or nothing, and reopens it', async () => {
    const c = ctx({ now: () => NOW });
    const d = await deal(c, { value: '3000.00' });
    const id = d.id as string;
    const rival = await createRecord(c, resource('deal_competitors'), { deal_id: id, competitor_name: 'Local MSP' });
    const other = await deal(c, {});
    const elsewhere = await createRecord(c, resource('deal_competitors'), { deal_id: other.id, competitor_name: 'Someone else' });

    // A competitor of another deal fails the last step: the stage move before it is rolled back too.
    const before = await dbRow('deals', id);
    const n = await counts(database(), ['status_history', 'audit_log']);
    const bad = await refusal(loseDeal(c, { id, loss_reason: 'Price', lost_to_competitor_id: elsewhere.id as string }));
    expect(fieldsOf(bad)).toEqual(['lost_to_competitor_id']);
    expect(await dbRow('deals', id)).toBe(before);
    expect(await counts(database(), ['status_history', 'audit_log'])).toEqual(n);

    const lost = await loseDeal(c, { id, loss_reason: 'Chose a cheaper offshore provider', lost_to_competitor_id: rival.id as string, actual_close_date: '2026-03-18' });
    expect(lost.deal).toMatchObject({ stage: 'closed_lost', loss_reason: 'Chose a cheaper offshore provider', actual_close_date: '2026-03-18', probability: 0 });
    expect(lost.competitors.map((x) => x.status)).toEqual(['lost_to']);
    const t = await dealTimeline(c, { id });
    expect(t.entries.at(-1)).toMatchObject({ stage: 'closed_lost', reason: 'Chose a cheaper offshore provider', current: true });

    const reopened = await moveDeal(c, { id, stage: 'discovery' });
    expect(reopened.deal).toMatchObject({ stage: 'discovery', loss_reason: null, actual_close_date: null, probability: 20 });
    // Same instant (a fixed clock): compare as a set.
    expect((await auditOf(id)).map((a) => String(a.operation)).sort()).toEqual(['null', 'sales.lose_deal', 'sales.move_deal']);
  });

  it('prices line items from the catalog exactly and keeps the deal value equal to their sum', async () => {
    // A clock that moves a millisecond per reading: line items list in the order they were added.
    let tick = NOW.getTime();
    const c = ctx({ now: () => new Date(tick++) });
    const setup = await createRecord(c, resource('services'), { name: `AI Foundations ${uniq()}`, service_category: 'training', pricing_model: 'fixed', base_setup_fee_min: '4500.00', base_setup_fee_max: '6000.00' });
    const monthly = await createRecord(c, resource('services'), { name: `Monthly Support ${uniq()}`, pricing_model: 'monthly', base_monthly_fee_min: '850.00', base_monthly_fee_max: '1200.00' });
    const d = await deal(c, { value: '1.00' });
    const id = d.id as string;
    const r = await addLineItems(c, {
      id,
      items: [
        { service_id: setup.id as string },
        { service_id: monthly.id as string, quantity: '12' },
        { description: 'Extra site visits', quantity: '2.5', unit_price: '199.99' },
      ],
    });
    // 1 × 4500.00 (setup fee lower bound) + 12 × 850.00 (monthly fee lower bound) + 2.5 × 199.99 = 499.975 → 499.98
    // = 4500.00 + 10200.00 + 499.98 = 15199.98
    expect(r.line_items.map((i) => [i.product_type, i.description, i.quantity, i.unit_price, i.total_value, i.currency])).toEqual([
      ['training', setup.name, '1.00', '4500.00', '4500.00', 'AUD'],
      ['consulting', monthly.name, '12.00', '850.00', '10200.00', 'AUD'],
      ['consulting', 'Extra site visits', '2.50', '199.99', '499.98', 'AUD'],
    ]);
    for (const i of r.line_items) expect(i.total_value).toBe(lineTotal(i.quantity, i.unit_price)); // PostgreSQL agrees
    expect(r.value).toBe('15199.98');
    expect(r.deal.value).toBe('15199.98');
    expect((await auditOf(r.created[0])).map((a) => [a.action, a.operation])).toEqual([['create', 'sales.add_line_items']]);
    const valueAudit = await database().query<{ operation: string; before: any; after: any }>(
      `select operation, before, after from audit_log where record_id = $1 and action = 'update' order by at, id`,
      [id],
    );
    expect(valueAudit.map((a) => [a.operation, a.before.value, a.after.value])).toEqual([['sales.add_line_items', '1.00', '15199.98']]);

    // A hand-written value that differs is refused; the items rule it.
    const e = await refusal(updateRecord(c, resource('deals'), id, { value: '20000.00' }));
    expect(fieldsOf(e)).toEqual(['value']);
    expect(e.message).toContain('15199.98');
    const cur = await refusal(updateRecord(c, resource('deals'), id, { currency: 'USD' }));
    expect(fieldsOf(cur)).toEqual(['currency']);

    // Generic writes to a line item keep the value in step: 3 site visits = 599.97 → 4500 + 10200 + 599.97 = 15299.97.
    const visit = r.line_items[2]!;
    await updateRecord(c, resource('deal_products'), visit.id, { quantity: '3' });
    expect((await getRecord(c, resource('deals'), id)).value).toBe('15299.97');
    await archiveRecord(c, resource('deal_products'), visit.id);
    expect((await getRecord(c, resource('deals'), id)).value).toBe('14700.00');
    // A line item created through the generic API takes the deal's currency; another currency is refused.
    const extra = await createRecord(c, resource('deal_products'), { deal_id: id, unit_price: '0.30', quantity: '3' });
    expect(extra).toMatchObject({ currency: 'AUD', total_value: '0.90' });
    expect((await getRecord(c, resource('deals'), id)).value).toBe('14700.90');
    const usd = await refusal(createRecord(c, resource('deal_products'), { deal_id: id, unit_price: '1.00', currency: 'USD' }));
    expect(fieldsOf(usd)).toEqual(['currency']);

    // replace: the list given becomes the deal's line items.
    const replaced = await addLineItems(c, { id, replace: true, items: [{ service_id: setup.id as string, unit_price: '5000.00' }] });
    expect(replaced.line_items.map((i) => i.total_value)).toEqual(['5000.00']);
    expect(replaced.deal.value).toBe('5000.00');
    // Later changes through the generic layer are audited as the value they caused.
    expect((await auditOf(id)).filter((a) => a.operation === 'sales.deal_value')).toHaveLength(3); // quantity, archive, new item
  });

  it('a deleted line item leaves the deal worth the items that remain', async () => {
    const d = await deal(ctx(), {});
    const r = await addLineItems(ctx(), { id: d.id as string, items: [{ unit_price: '100.10' }, { unit_price: '0.05', quantity: '3' }] });
    expect(r.deal.value).toBe('100.25'); // 100.10 + 3 × 0.05
    await deleteRecord(ctx(), resource('deal_products'), r.created[0]!);
    expect((await getRecord(ctx(), resource('deals'), d.id as string)).value).toBe('0.15');
  });

  it('validates every line item first and writes nothing when one is wrong', async () => {
    const c = ctx({ now: () => NOW });
    const usd = await createRecord(c, resource('services'), { name: `US Retainer ${uniq()}`, currency: 'USD', base_setup_fee_min: '100.00' });
    const free = await createRecord(c, resource('services'), { name: `Unpriced ${uniq()}` });
    const d = await deal(c, { value: '42.00' });
    const n = await counts(database(), ['deal_products', 'audit_log']);
    const before = await dbRow('deals', d.id);
    const e = await refusal(
      addLineItems(c, {
        id: d.id as string,
        items: [
          { description: 'Fine', unit_price: '10.00' },
          { service_id: randomUUID() },
          { service_id: free.id as string },
          { service_id: usd.id as string },
          { description: 'No price' },
          { description: 'Zero', unit_price: '5.00', quantity: '0' },
          { description: 'Too precise', unit_price: '1.001' },
          { description: 'Wrong type', unit_price: '1.00', product_type: 'catering' },
        ],
      }),
    );
    expect(e.code).toBe('VALIDATION');
    expect(fieldsOf(e)).toEqual([
      'items[1].service_id',
      'items[2].unit_price',
      'items[3].unit_price',
      'items[4].unit_price',
      'items[5].quantity',
      'items[6].unit_price',
      'items[7].product_type',
    ]);
    expect(await counts(database(), ['deal_products', 'audit_log'])).toEqual(n);
    expect(await dbRow('deals', d.id)).toBe(before);
  });

  it('shows a deal with stakeholders by influence, competitors and line items', async () => {
    const co = await company();
    const d = await deal(ctx(), { company_id: co.id, value: '1000.00' });
    const boss = await createRecord(ctx(), resource('contacts'), { company_id: co.id, name: 'Pat Boss', role_title: 'Director' });
    const champ = await createRecord(ctx(), resource('contacts'), { company_id: co.id, name: 'Sam Champion' });
    await createRecord(ctx(), resource('deal_stakeholders'), { deal_id: d.id, contact_id: champ.id, role: 'champion', influence_level: 'medium' });
    await createRecord(ctx(), resource('deal_stakeholders'), { deal_id: d.id, contact_id: boss.id, role: 'decision_maker', influence_level: 'high' });
    await createRecord(ctx(), resource('deal_competitors'), { deal_id: d.id, competitor_name: 'DIY with ChatGPT', strengths: 'Cheap' });
    const o = await dealOverview(ctx(), { id: d.id as string });
    expect(o.stakeholders.map((s) => [s.contact_name, s.role, s.influence_level])).toEqual([
      ['Pat Boss', 'decision_maker', 'high'],
      ['Sam Champion', 'champion', 'medium'],
    ]);
    expect(o.competitors.map((x) => [x.competitor_name, x.status])).toEqual([['DIY with ChatGPT', 'active']]);
    expect(o.stage).toMatchObject({ key: 'discovery', probability: 20 });
    expect(o.weighted_value).toBe('200.00'); // 1000.00 × 20 %
    expect(o.next_stages).toEqual(['proposal', 'closed_lost']);
    // A stakeholder stays on its deal.
    const moveIt = await refusal(updateRecord(ctx(), resource('deal_stakeholders'), String(o.stakeholders[0]!.id), { deal_id: randomUUID() }));
    expect(fieldsOf(moveIt)).toEqual(['deal_id']);
  });

  it('weights the open pipeline by stage probability, exactly, per currency and stage', async () => {
    const c = ctx({ now: () => NOW });
    const co = await company(c);
    const mk = (values: Row) => deal(c, { company_id: co.id, ...values });
    await mk({ value: '10000.00' }); // discovery 20 %
    await mk({}); // discovery, no value: counted, adds nothing
    const p = await mk({ value: '333.33' });
    await moveDeal(c, { id: p.id as string, stage: 'proposal' }); // 50 %
    const n = await mk({ value: '12345.67' });
    await moveDeal(c, { id: n.id as string, stage: 'proposal' });
    await moveDeal(c, { id: n.id as string, stage: 'negotiation' }); // 75 %
    const w = await mk({ value: '99999.00' });
    await moveDeal(c, { id: w.id as string, stage: 'proposal' });
    await moveDeal(c, { id: w.id as string, stage: 'negotiation' });
    await winDeal(c, { id: w.id as string }); // won: not in the pipeline
    const l = await mk({ value: '5555.00' });
    await loseDeal(c, { id: l.id as string, loss_reason: 'No budget' }); // lost: not in it
    const a = await mk({ value: '7777.00' });
    await archiveRecord(c, resource('deals'), a.id as string); // archived: not in it
    const u = await mk({ value: '1000.00', currency: 'USD' });
    await moveDeal(c, { id: u.id as string, stage: 'proposal' });

    const r = await weightedPipeline(c, { company_id: co.id as string });
    expect(r.currencies.map((x) => x.currency)).toEqual(['AUD', 'USD']);
    const aud = r.currencies[0]!;
    // Σ value = 10000.00 + 333.33 + 12345.67 = 22679.00
    // weighted = 10000.00 × 0.20 + 333.33 × 0.50 + 12345.67 × 0.75 = 2000.00 + 166.665 + 9259.2525 = 11425.9175
    expect(aud).toMatchObject({ deals: 4, deals_without_value: 1, value: '22679.00', weighted_value: '11425.9175' });
    expect(aud.stages.map((s) => [s.stage, s.probability, s.deals, s.value, s.weighted_value])).toEqual([
      ['discovery', 20, 2, '10000.00', '2000.00'],
      ['proposal', 50, 1, '333.33', '166.665'],
      ['negotiation', 75, 1, '12345.67', '9259.2525'],
    ]);
    expect(r.currencies[1]).toMatchObject({ deals: 1, value: '1000.00', weighted_value: '500.00' }); // 1000.00 × 0.50
  });

  describe('over HTTP', () => {
    let app: App;
    let admin: SignedIn;
    let editor: SignedIn;
    let viewer: SignedIn;
    const call = (who: SignedIn, method: string, path: string, body?: unknown) => send(app, who, method, path, body);

    it('signs in', async () => {
      app = createApp({ database: database(), identity: FAST_IDENTITY });
      admin = await signIn(app, database(), 'admin');
      editor = await signIn(app, database(), 'editor');
      viewer = await signIn(app, database(), 'viewer');
    });

    it("honours If-Match on a stage move as on an update: a stale ETag is 412 and changes nothing; an action without a version refuses the header", async () => {
      const d = (await call(editor, 'POST', '/api/v1/deals', { name: `If-Match deal ${uniq()}`, value: '1000.00' })).body;
      const path = `/api/v1/deals/${String(d.id)}`;
      const post = (url: string, body: unknown, ifMatch: string) =>
        editor.request(url, { method: 'POST', headers: { 'content-type': 'application/json', 'if-match': ifMatch }, body: JSON.stringify(body) });
      const current = `"${String(d.version)}"`;
      const moved = await post(`${path}/stage`, { stage: 'proposal' }, current);
      expect(moved.status).toBe(200);
      const before = await dbRow('deals', d.id);
      const stale = await post(`${path}/stage`, { stage: 'negotiation' }, current);
      expect(stale.status).toBe(412);
      expect(await dbRow('deals', d.id)).toBe(before);
      const disagree = await post(`${path}/stage`, { stage: 'negotiation', expected_version: 1 }, `"${String(d.version + 1)}"`);
      expect(disagree.status).toBe(400);
      expect(((await disagree.json()) as { errors: { field: string }[] }).errors[0]!.field).toBe('If-Match');
      const lines = await counts(database(), ['deal_products']);
      const unversioned = await post(`${path}/line-items`, { items: [{ description: 'Workshop', unit_price: '10.00' }] }, `"${String(d.version + 1)}"`);
      expect(unversioned.status).toBe(400);
      expect(((await unversioned.json()) as { errors: { field: string; message: string }[] }).errors[0]).toMatchObject({ field: 'If-Match', message: expect.stringMatching(/^is not supported by /) });
      expect(await counts(database(), ['deal_products'])).toEqual(lines);
      expect(await dbRow('deals', d.id)).toBe(before);
    });

    it('moves, wins, loses and prices deals for an editor; a viewer reads but gets 403 on every write and nothing changes', async () => {
      const d = (await call(editor, 'POST', '/api/v1/deals', { name: `HTTP deal ${uniq()}`, value: '2000.00' })).body;
      const path = `/api/v1/deals/${String(d.id)}`;
      const before = await dbRow('deals', d.id);
      const n = await counts(database(), ['deal_products', 'status_history']);
      for (const [p, body] of [
        ['stage', { stage: 'proposal' }],
        ['won', {}],
        ['lost', { loss_reason: 'Price' }],
        ['line-items', { items: [{ description: 'x', unit_price: '1.00' }] }],
      ] as const) {
        const r = await call(viewer, 'POST', `${path}/${p}`, body);
        expect(r.status, p).toBe(403);
      }
      expect(await dbRow('deals', d.id)).toBe(before);
      expect(await counts(database(), ['deal_products', 'status_history'])).toEqual(n);
      const refused = await database().query<{ n: number }>(`select count(*)::int as n from audit_log where action = 'refused' and on_behalf_of = $1`, [viewer.user.id]);
      expect(refused[0]!.n).toBeGreaterThanOrEqual(4);

      const moved = await call(editor, 'POST', `${path}/stage`, { stage: 'proposal' });
      expect(moved.status).toBe(200);
      expect(moved.body.deal).toMatchObject({ stage: 'proposal', probability: 50 });
      const skip = await call(editor, 'POST', `${path}/stage`, { stage: 'closed_won' });
      expect(skip.status).toBe(409);
      const noReason = await call(editor, 'POST', `${path}/lost`, {});
      expect(noReason.status).toBe(400);
      const items = await call(editor, 'POST', `${path}/line-items`, { items: [{ description: 'Workshops', quantity: 3, unit_price: '1250.50' }] });
      expect(items.status).toBe(201);
      expect(items.body.deal.value).toBe('3751.50'); // 3 × 1250.50
      const badItems = await call(editor, 'POST', `${path}/line-items`, { items: [{ unit_price: 'lots' }] });
      expect(badItems.status).toBe(400);
      expect(badItems.body.errors.map((x: { field: string }) => x.field)).toContain('items[0].unit_price');
      expect((await call(editor, 'POST', `${path}/stage`, { stage: 'negotiation' })).status).toBe(200);
      const won = await call(editor, 'POST', `${path}/won`);
      expect(won.status).toBe(200);
      expect(won.body.deal.stage).toBe('closed_won');

      const timeline = await call(viewer, 'GET', `${path}/timeline`);
      expect(timeline.status).toBe(200);
      expect(timeline.body.entries.map((e: { stage: string }) => e.stage)).toEqual(['discovery', 'proposal', 'negotiation', 'closed_won']);
      const overview = await call(viewer, 'GET', `${path}/overview`);
      expect(overview.status).toBe(200);
      expect(overview.body.line_items_total).toBe('3751.50');
      const pipeline = await call(viewer, 'GET', '/api/v1/deals/pipeline');
      expect(pipeline.status).toBe(200);
      expect(pipeline.body.currencies).toEqual(expect.any(Array));

      const d2 = (await call(editor, 'POST', '/api/v1/deals', { name: `HTTP lost ${uniq()}` })).body;
      const lost = await call(editor, 'POST', `/api/v1/deals/${String(d2.id)}/lost`, { loss_reason: 'Went quiet' });
      expect(lost.status).toBe(200);
      expect(lost.body.deal).toMatchObject({ stage: 'closed_lost', loss_reason: 'Went quiet' });
      const audit = await auditOf(d2.id);
      expect(audit.map((a) => a.operation)).toEqual([null, 'sales.lose_deal']);
    });

    it('under own visibility the pipeline and deal verbs see only your deals', async () => {
      const alice = await signIn(app, database(), 'editor');
      const bob = await signIn(app, database(), 'editor');
      expect((await call(admin, 'PATCH', '/api/v1/settings', { record_visibility: 'own' })).status).toBe(200);
      try {
        const mine = async (who: SignedIn, value: string) => {
          const co = (await call(who, 'POST', '/api/v1/companies', { name: `Own Co ${uniq()}` })).body;
          const d = (await call(who, 'POST', '/api/v1/deals', { name: `Own deal ${uniq()}`, company_id: co.id, value })).body;
          return { company: co.id as string, deal: d.id as string };
        };
        const a = await mine(alice, '1000.00');
        const b = await mine(bob, '3000.00');
        const aView = (await call(alice, 'GET', `/api/v1/deals/pipeline?company_id=${a.company}`)).body;
        expect(aView.currencies[0]).toMatchObject({ deals: 1, value: '1000.00', weighted_value: '200.00' });
        const peek = (await call(alice, 'GET', `/api/v1/deals/pipeline?company_id=${b.company}`)).body;
        expect(peek.currencies).toEqual([]);
        const all = (await call(alice, 'GET', `/api/v1/deals/pipeline?owner_id=${bob.user.id}`)).body;
        expect(all.currencies).toEqual([]);
        // Bob's deal does not exist for Alice: every verb answers 404 and changes nothing.
        const before = await dbRow('deals', b.deal);
        for (const [m, p, body] of [
          ['POST', 'stage', { stage: 'proposal' }],
          ['POST', 'won', {}],
          ['POST', 'lost', { loss_reason: 'x' }],
          ['POST', 'line-items', { items: [{ unit_price: '1.00' }] }],
          ['GET', 'timeline', undefined],
          ['GET', 'overview', undefined],
        ] as const) {
          expect((await call(alice, m, `/api/v1/deals/${b.deal}/${p}`, body)).status, p).toBe(404);
        }
        expect(await dbRow('deals', b.deal)).toBe(before);
        expect((await call(alice, 'GET', `/api/v1/companies/${b.company}/health`)).status).toBe(404);
        expect((await call(alice, 'POST', `/api/v1/companies/${b.company}/health/recompute`)).status).toBe(404);
        expect((await call(admin, 'GET', `/api/v1/deals/pipeline?company_id=${b.company}`)).body.currencies[0]).toMatchObject({ value: '3000.00', weighted_value: '600.00' });
      } finally {
        await call(admin, 'PATCH', '/api/v1/settings', { record_visibility: 'all' });
      }
    });

    it('health: anyone reads it, editors recompute one company, only admins recompute all', async () => {
      const co = (await call(editor, 'POST', '/api/v1/companies', { name: `Health HTTP ${uniq()}` })).body;
      const read = await call(viewer, 'GET', `/api/v1/companies/${String(co.id)}/health`);
      expect(read.status).toBe(200);
      // Nothing recorded yet: no activity 0/30, tickets 20/20, invoices 20/20; 40/70 = 57.14 → 57.
      expect(read.body).toMatchObject({ score: 57, earned: 40, possible: 70, stored: { health_score: null } });
      const before = await dbRow('companies', co.id);
      expect((await call(viewer, 'POST', `/api/v1/companies/${String(co.id)}/health/recompute`)).status).toBe(403);
      expect(await dbRow('companies', co.id)).toBe(before);
      const one = await call(editor, 'POST', `/api/v1/companies/${String(co.id)}/health/recompute`);
      expect(one.status).toBe(200);
      expect(one.body).toMatchObject({ score: 57, previous_score: null });
      const stored = (await call(viewer, 'GET', `/api/v1/companies/${String(co.id)}`)).body;
      expect(stored).toMatchObject({ health_score: 57, version: co.version });
      expect(stored.health_factors).toMatchObject({ formula: 'health-v1', score: 57 });
      // Health is read-only to clients.
      const write = await call(editor, 'PATCH', `/api/v1/companies/${String(co.id)}`, { health_score: 99 });
      expect(write.status).toBe(400);

      const audits = await counts(database(), ['audit_log']);
      const denied = await call(editor, 'POST', '/api/v1/companies/health/recompute');
      expect(denied.status).toBe(403);
      expect((await counts(database(), ['audit_log'])).audit_log).toBe(audits.audit_log! + 1); // the refusal only
      const all = await call(admin, 'POST', '/api/v1/companies/health/recompute');
      expect(all.status).toBe(200);
      const live = await database().query<{ n: number }>('select count(*)::int as n from companies where archived_at is null');
      expect(all.body.companies).toBe(live[0]!.n);
      const unscored = await database().query<{ n: number }>('select count(*)::int as n from companies where archived_at is null and health_score is null');
      expect(unscored[0]!.n).toBe(0);
    });
  });
});

// ---------------------------------------------------------------------------
// Health through the database: worked examples and hooks

dbSuite('account health', ({ database, ctx }) => {
  // A clock that starts at NOW and moves a second per reading, so audit rows keep their order (still 20 March).
  let tick = NOW.getTime();
  const clock = () => new Date((tick += 1000));
  const c = () => ctx({ now: clock });
  const make = (table: string, values: Row) => createRecord(c(), resource(table), values);
  const newCompany = async () => (await make('companies', { name: `Health Co ${uniq()}` })).id as string;
  const stored = async (id: string) => {
    const [row] = await database().query<{ health_score: number | null; health_factors: any; version: number }>(
      'select health_score, health_factors, version from companies where id = $1',
      [id],
    );
    return row!;
  };
  const interaction = (company_id: string, at: string) => make('interactions', { company_id, type: 'call', interaction_date: at });
  const ticket = (company_id: string, status: string, priority = 'medium') => make('support_tickets', { company_id, status, priority, subject: 'Help' });
  const invoice = (company_id: string, status: string, due_date: string, extra: Row = {}) =>
    make('invoices', { company_id, invoice_type: 'monthly', amount: '1200.00', status, issue_date: '2026-01-01', due_date, ...extra });
  const engagement = (company_id: string, status: string) => make('engagements', { company_id, status, name: `Programme ${status}` });
  const usage = (company_id: string, engagement_id: unknown, usage_date: string, tokens_used: number) =>
    make('ai_usage', { company_id, engagement_id, usage_date, tokens_used });

  it('A, a thriving client: 30 + 20 + 20 + 20 + 10 = 100 of 100 → 100', async () => {
    const id = await newCompany();
    await interaction(id, '2026-03-17T09:00:00Z'); // 3 days ago → 30
    await ticket(id, 'resolved', 'high'); // resolved: not open → 20
    await invoice(id, 'sent', '2026-03-25'); // not yet due
    await invoice(id, 'paid', '2026-02-01', { paid_date: '2026-02-03' }); // paid → 20
    const e = await engagement(id, 'supporting'); // → 20
    await usage(id, e.id, '2026-03-05', 700);
    await usage(id, e.id, '2026-03-18', 500); // this period: 1200
    await usage(id, e.id, '2026-02-10', 1000); // last period (1–20 Feb): 1000
    await usage(id, e.id, '2026-02-25', 5000); // after 20 Feb: outside the comparison
    // 1200 ≥ 1.10 × 1000 → 10
    const h = await recomputeHealth(c(), { id });
    expect(h.factors.ai_usage_trend).toMatchObject({ points: 10, this_period: { tokens: 1200 }, last_period: { tokens: 1000 } });
    expect([h.score, h.earned, h.possible]).toEqual([100, 100, 100]);
    expect((await stored(id)).health_score).toBe(100);
  });

  it('B, a prospect: 18 + 20 + 20 of 70 (no engagement, no usage) = 82.86 → 83', async () => {
    const id = await newCompany();
    await interaction(id, '2026-03-01T10:00:00Z'); // 19 days → 18
    const s = await stored(id); // the interaction's hook computed it
    expect(s.health_score).toBe(83);
    expect(s.health_factors).toMatchObject({
      earned: 58,
      possible: 70,
      activity: { points: 18, days_since_last_interaction: 19 },
      engagement: { applicable: false },
      ai_usage_trend: { applicable: false },
    });
  });

  it('C, a troubled account: 10 + 5 + 10 + 5 + 0 = 30 of 100 → 30', async () => {
    const id = await newCompany();
    await interaction(id, '2026-02-03T08:00:00Z'); // 45 days → 10
    await ticket(id, 'open'); // −5
    await ticket(id, 'in_progress', 'critical'); // −5 −5
    await ticket(id, 'resolved', 'high'); // ignored → 20 − 15 = 5
    await invoice(id, 'sent', '2026-03-10'); // 10 days overdue → 20 − 10 = 10
    await invoice(id, 'paid', '2026-02-10', { paid_date: '2026-02-12' });
    await invoice(id, 'draft', '2026-02-10'); // a draft is not overdue
    const e = await engagement(id, 'paused'); // → 5
    await usage(id, e.id, '2026-03-02', 300);
    await usage(id, e.id, '2026-02-02', 1000); // 300 < 0.50 × 1000 → 0
    const h = await recomputeHealth(c(), { id });
    expect(h.factors).toMatchObject({
      activity: { points: 10, days_since_last_interaction: 45 },
      support_tickets: { points: 5, open: 2, high_priority_open: 1 },
      overdue_invoices: { points: 10, overdue: 1, oldest_days_overdue: 10 },
      engagement: { points: 5, status: 'paused' },
      ai_usage_trend: { points: 0 },
    });
    expect([h.score, h.earned, h.possible]).toEqual([30, 30, 100]);
  });

  it('D, edges: 25 + 0 + 0 + 15 + 8 = 48 of 100 → 48', async () => {
    const id = await newCompany();
    await interaction(id, '2026-03-12T23:00:00Z'); // 8 days → 25
    for (let i = 0; i < 4; i++) await ticket(id, 'waiting', 'low'); // 20 − 4 × 5 = 0
    await invoice(id, 'sent', '2026-01-18'); // 61 days overdue → 0 though it is the only one
    const e = await engagement(id, 'onboarding'); // → 15
    await usage(id, e.id, '2026-03-03', 900);
    await usage(id, e.id, '2026-02-03', 1000); // 900 = 0.90 × 1000 → 8
    const h = await recomputeHealth(c(), { id });
    expect([h.factors.activity.points, h.factors.support_tickets.points, h.factors.overdue_invoices.points, h.factors.engagement.points, h.factors.ai_usage_trend.points]).toEqual([25, 0, 0, 15, 8]);
    expect(h.score).toBe(48);
  });

  it('E, a live engagement nobody uses: 0 + 20 + 20 + 20 + 0 = 60 of 100 → 60', async () => {
    const id = await newCompany();
    await engagement(id, 'training');
    const h = await recomputeHealth(c(), { id });
    expect(h.factors.ai_usage_trend).toMatchObject({ applicable: true, points: 0 });
    expect([h.score, h.earned, h.possible]).toEqual([60, 60, 100]);
  });

  it('F, rounding half up: 18 + 0 + 0 + 0 of 80 (engagement archived, usage still counts) = 22.5 → 23', async () => {
    const id = await newCompany();
    await interaction(id, '2026-03-01T10:00:00Z'); // 19 days → 18
    for (let i = 0; i < 4; i++) await ticket(id, 'open', 'low'); // 20 − 20 = 0
    await invoice(id, 'sent', '2026-03-01'); // 19 days overdue
    await invoice(id, 'sent', '2026-02-20'); // 28 days overdue: two → 20 − 20 = 0
    const e = await engagement(id, 'supporting');
    await usage(id, e.id, '2026-03-02', 300);
    await usage(id, e.id, '2026-02-02', 1000); // 300 < 0.50 × 1000 → 0
    await archiveRecord(c(), resource('engagements'), e.id as string); // no engagement: not applicable; usage is
    const h = await recomputeHealth(c(), { id });
    // possible = 30 + 20 + 20 + 10 = 80; 100 × 18 / 80 = 22.5 → 23
    expect([h.score, h.earned, h.possible]).toEqual([23, 18, 80]);
    expect(h.factors.engagement.applicable).toBe(false);
    expect(h.factors.overdue_invoices).toMatchObject({ overdue: 2, oldest_days_overdue: 28 });
  });

  it('G, a completed engagement and no usage: 0 + 0 + 0 + 10 of 90 = 11.1 → 11', async () => {
    const id = await newCompany();
    for (let i = 0; i < 2; i++) await ticket(id, 'open', 'high'); // 20 − 10 − 10 = 0
    await invoice(id, 'sent', '2026-01-01'); // 78 days overdue → 0
    await engagement(id, 'completed'); // → 10; not live, so no usage is not applicable
    const h = await recomputeHealth(c(), { id });
    expect([h.score, h.earned, h.possible]).toEqual([11, 10, 90]);
  });

  it('follows every write to interactions, tickets, invoices and engagements, without bumping the company version', async () => {
    const id = await newCompany();
    const v0 = (await stored(id)).version;
    expect((await stored(id)).health_score).toBeNull();
    const i = await interaction(id, '2026-03-19T09:00:00Z'); // 30 + 20 + 20 of 70 → 100
    expect((await stored(id)).health_score).toBe(100);
    const t = await ticket(id, 'open', 'critical'); // tickets 20 − 10 = 10 → 60/70 = 85.71 → 86
    expect((await stored(id)).health_score).toBe(86);
    await updateRecord(c(), resource('support_tickets'), t.id as string, { status: 'resolved', resolution: 'Fixed', resolved_at: '2026-03-20T18:00:00Z' });
    expect((await stored(id)).health_score).toBe(100);
    const inv = await invoice(id, 'sent', '2026-03-01'); // 1 overdue → 10: 60/70 → 86
    expect((await stored(id)).health_score).toBe(86);
    await updateRecord(c(), resource('invoices'), inv.id as string, { status: 'paid', paid_date: '2026-03-20' });
    expect((await stored(id)).health_score).toBe(100);
    const e = await engagement(id, 'paused'); // 30 + 20 + 20 + 5 of 90; no usage with no live engagement: n/a → 75/90 = 83.3 → 83
    expect((await stored(id)).health_score).toBe(83);
    await updateRecord(c(), resource('engagements'), e.id as string, { status: 'supporting' }); // live: usage applies, 0 of 10 → 90/100 = 90
    expect((await stored(id)).health_score).toBe(90);
    // Moving the interaction to another company recomputes both.
    const other = await newCompany();
    await updateRecord(c(), resource('interactions'), i.id as string, { company_id: other });
    expect((await stored(id)).health_score).toBe(60); // 0 + 20 + 20 + 20 + 0
    expect((await stored(other)).health_score).toBe(100);
    await archiveRecord(c(), resource('interactions'), i.id as string);
    expect((await stored(other)).health_score).toBe(57); // 0 + 20 + 20 of 70
    expect((await stored(id)).version).toBe(v0);
    const audit = await database().query<{ before: any; after: any }>(
      `select before, after from audit_log where record_id = $1 and operation = 'sales.recompute_health' order by at, id`,
      [id],
    );
    expect(audit.map((a) => [a.before.health_score, a.after.health_score, a.after.trigger])).toEqual([
      [null, 100, 'interactions'],
      [100, 86, 'support_tickets'],
      [86, 100, 'support_tickets'],
      [100, 86, 'invoices'],
      [86, 100, 'invoices'],
      [100, 83, 'engagements'],
      [83, 90, 'engagements'],
      [90, 60, 'interactions'],
    ]);
  });

  it('a hard-deleted ticket no longer counts', async () => {
    const id = await newCompany();
    await interaction(id, '2026-03-19T09:00:00Z');
    const t = await ticket(id, 'open', 'high'); // 30 + 10 + 20 of 70 = 85.7 → 86
    expect((await stored(id)).health_score).toBe(86);
    await deleteRecord(c(), resource('support_tickets'), t.id as string);
    expect((await stored(id)).health_score).toBe(100);
  });

  it('a write that rolls back leaves the health as it was', async () => {
    const id = await newCompany();
    await interaction(id, '2026-03-19T09:00:00Z');
    const before = await stored(id);
    const e = await refusal(
      withTx(c(), async (tx) => {
        await createRecord(tx, resource('support_tickets'), { company_id: id, status: 'open', priority: 'critical' });
        // A later step of the same transaction fails: the ticket and the health it changed go together.
        await createRecord(tx, resource('support_tickets'), { company_id: id, status: 'bogus' });
      }),
    );
    expect(fieldsOf(e)).toEqual(['status']);
    expect(await stored(id)).toEqual(before);
  });

  it('reads health live without storing it, and recomputes all companies', async () => {
    const id = await newCompany();
    await engagement(id, 'supporting');
    const before = await stored(id);
    const live = await companyHealth(c(), { id });
    expect(live).toMatchObject({ score: 60, stored: { health_score: before.health_score } });
    expect(await stored(id)).toEqual(before);
    const eng = await database().query<{ id: string }>('select id from engagements where company_id = $1', [id]);
    await usage(id, eng[0]!.id, '2026-03-10', 50); // ai_usage has no hook: the stored score is stale until recomputed
    expect((await stored(id)).health_score).toBe(60);
    const all = await recomputeAllHealth(c());
    expect(all.companies).toBeGreaterThan(0);
    expect((await stored(id)).health_score).toBe(70); // usage started: +10 → 70/100
  });
});
