import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCtx, type Ctx } from '../src/core/context.ts';
import { followUpsDue } from '../src/core/sales/workflow.ts';
import { seedDemo } from '../src/demo/seed.ts';
import { backends, freshDatabase, type TestDatabase } from './db.ts';

/** Wednesday 18 November 2026, 09:00 UTC: the week runs Monday 16 to Sunday 22. */
const NOW = new Date('2026-11-18T09:00:00Z');

const COMPANY_STATUSES = ['lead', 'contacted', 'meeting_scheduled', 'meeting_complete', 'auditing', 'go', 'no_go', 'proposal_sent', 'onboarding', 'training', 'supporting', 'paused', 'churned', 'lost'];
const LEAD_STATUSES = ['new', 'contacted', 'qualifying', 'qualified', 'converted', 'disqualified', 'lost'];
const DEAL_STAGES = ['discovery', 'proposal', 'negotiation', 'closed_won', 'closed_lost'];

for (const backend of backends) describe(`demo world [${backend}]`, () => {
  let database: TestDatabase;
  let ctx: Ctx;
  let counts: Record<string, number>;

  beforeAll(async () => {
    database = await freshDatabase(backend);
    ctx = makeCtx(database.db, { now: () => NOW, timeZone: 'UTC' });
    counts = (await seedDemo(ctx)).counts;
  });
  afterAll(async () => {
    await database?.drop();
  });

  const values = async (sqlText: string) =>
    (await database.query<{ v: string }>(sqlText)).map((r) => r.v);

  it('reports counts for every table it fills', () => {
    expect(counts.companies).toBeGreaterThanOrEqual(28);
    expect(counts.ai_usage).toBeGreaterThan(100);
    for (const [table, n] of Object.entries(counts)) expect(n, table).toBeGreaterThan(0);
  });

  it('has a company in every pipeline status, a lead in every lead status and a deal in every stage', async () => {
    expect(new Set(await values('select distinct status as v from companies'))).toEqual(new Set(COMPANY_STATUSES));
    expect(new Set(await values('select distinct status as v from leads'))).toEqual(new Set(LEAD_STATUSES));
    expect(new Set(await values('select distinct stage as v from deals'))).toEqual(new Set(DEAL_STAGES));
  });

  it('keeps lost_reason on lost and churned companies', async () => {
    const rows = await database.query<{ status: string; lost_reason: string | null }>(
      "select status, lost_reason from companies where status in ('lost', 'churned')",
    );
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) expect(r.lost_reason).toBeTruthy();
  });

  it('has contacts without email', async () => {
    const [r] = await database.query<{ without: number; total: number }>(
      'select count(*) filter (where not has_email)::int as without, count(*)::int as total from contacts',
    );
    expect(r!.without).toBeGreaterThan(0);
    expect(r!.without).toBeLessThan(r!.total / 2);
  });

  it('leaves follow-ups due this week, some overdue and some not', async () => {
    const due = await followUpsDue(ctx);
    expect(due.items.length).toBeGreaterThanOrEqual(3);
    expect(due.items.some((i) => i.overdue)).toBe(true);
    expect(due.items.some((i) => !i.overdue)).toBe(true);
    for (const i of due.items) expect(i.follow_up_date <= due.window.to).toBe(true);
  });

  it('records status history for companies, leads and deals (and engagements)', async () => {
    const types = await values('select distinct entity_type as v from status_history');
    for (const t of ['company', 'lead', 'deal', 'engagement']) expect(types).toContain(t);
    // Every company's history ends in its current status.
    const mismatched = await database.query(
      `select c.name from companies c join status_history h
         on h.entity_type = 'company' and h.entity_id = c.id and h.exited_at is null
       where h.status <> c.status`,
    );
    expect(mismatched).toEqual([]);
  });

  it('shows time after AI falling month by month', async () => {
    const rows = await database.query<{ task_id: string; series: number[] }>(
      `select task_id, array_agg(time_after_ai order by measured_on) as series
       from task_measurements group by task_id having count(*) >= 3`,
    );
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) expect(r.series[r.series.length - 1]!).toBeLessThan(r.series[0]!);
  });

  it('has overdue invoices (sent and past due) and paid ones', async () => {
    const [r] = await database.query<{ overdue: number; paid: number }>(
      `select count(*) filter (where status = 'sent' and due_date < '2026-11-18')::int as overdue,
              count(*) filter (where status = 'paid')::int as paid from invoices`,
    );
    expect(r!.overdue).toBeGreaterThan(0);
    expect(r!.paid).toBeGreaterThan(0);
  });

  it('is deterministic: a second run on another database gives the same counts and names', async () => {
    const other = await freshDatabase(backend);
    try {
      const otherCtx = makeCtx(other.db, { now: () => NOW, timeZone: 'UTC' });
      const second = await seedDemo(otherCtx);
      expect(second.counts).toEqual(counts);
      const names = (d: TestDatabase) => d.query<{ name: string; status: string }>('select name, status from companies order by name');
      expect(await names(other)).toEqual(await names(database));
      const contacts = (d: TestDatabase) => d.query<{ name: string; email: string | null }>('select name, email from contacts order by name, email');
      expect(await contacts(other)).toEqual(await contacts(database));
    } finally {
      await other.drop();
    }
  });

  it('refuses to seed the same database twice', async () => {
    await expect(seedDemo(ctx)).rejects.toThrow(/already holds/);
  });
});
