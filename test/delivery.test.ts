/**
 * Delivery, seed 000 steps 11–18: a task's time_after_ai follows its latest measurement on
 * every write path, an engagement's actual_hours follows its work on every path, the hours
 * view by hand, the registry of what was built and where it runs (with record visibility),
 * deploying and retiring, linking assets to tasks, and training (invite, attendance,
 * completion, the pre-session brief). Each write verb: a viewer is refused, the audit log
 * records it, bad input is a field error or a 404 and writes nothing.
 */
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/api/app.ts';
import { LOCAL_OPERATOR, type Actor } from '../src/core/context.ts';
import { distinctSoftware } from '../src/core/delivery/training.ts';
import type { AppError } from '../src/core/errors.ts';
import { userActor } from '../src/core/identity/actor.ts';
import { createUser } from '../src/core/identity/users.ts';
import { invoke, operationByName } from '../src/core/registry.ts';
import {
  archiveRecord,
  createRecord,
  createRecords,
  deleteRecord,
  getRecord,
  insertRecord,
  restoreRecord,
  updateRecord,
  type Row,
} from '../src/core/resource.ts';
import { resource } from '../src/core/resources.ts';
import { FAST_IDENTITY, signIn, type SignedIn } from './auth.ts';
import { counts, dbSuite } from './db.ts';
import { refusal } from './refusal.ts';

const uniq = () => randomUUID().slice(0, 8);
/** Wednesday 18 November 2026, 09:00 UTC. */
const NOW = new Date('2026-11-18T09:00:00Z');
const fieldsOf = (e: AppError) => (e.details.fields ?? []).map((f) => f.field);

type Reply = { status: number; body: any };

describe('distinct software', () => {
  it('splits on commas, slashes, semicolons and "and", keeps the first spelling, sorts', () => {
    expect(distinctSoftware(['Excel, Buildsoft', 'Outlook / excel', null, 'Xero and MYOB; Excel'])).toEqual(['Buildsoft', 'Excel', 'MYOB', 'Outlook', 'Xero']);
  });
});

dbSuite('delivery', ({ database, ctx }) => {
  const c = (actor?: Actor) => ctx({ now: () => NOW, ...(actor ? { actor } : {}) });
  const op = (name: string) => operationByName.get(name)!;
  const run = (name: string, input: unknown, actor?: Actor) => invoke(op(name), c(actor), input);
  const mk = (name: string, values: Row) => insertRecord(c(), resource(name), values);
  const get = (name: string, id: string) => getRecord(c(), resource(name), id);
  const auditOf = (operation: string) =>
    database().query<{ action: string; table_name: string; record_id: string }>(
      'select action, table_name, record_id from audit_log where operation = $1 order by at, id',
      [operation],
    );

  let viewer: Actor;
  let app: ReturnType<typeof createApp>;
  let admin: SignedIn;
  const send = async (who: SignedIn, method: string, path: string, body?: unknown): Promise<Reply> => {
    const headers: Record<string, string> = {};
    const init: RequestInit = { method, headers };
    if (body !== undefined) {
      init.body = JSON.stringify(body);
      headers['content-type'] = 'application/json';
    }
    const r = await who.request(path, init);
    const text = await r.text();
    return { status: r.status, body: text ? JSON.parse(text) : undefined };
  };

  beforeAll(async () => {
    viewer = userActor(await createUser(c(LOCAL_OPERATOR), { email: `viewer-${uniq()}@example.com`, name: 'Vic Viewer', role: 'viewer', password: `pass phrase ${uniq()} ${uniq()}` }, FAST_IDENTITY));
    app = createApp({ database: database(), identity: FAST_IDENTITY, timeZone: 'UTC' });
    admin = await signIn(app, database(), 'admin');
  });

  /** A company in delivery with an engagement (estimate 10 h, a Claude workspace), a contact and a task of 60 minutes. */
  async function world(over: { estimated_hours?: string | null; workspace?: string | null } = {}) {
    const company = await mk('companies', { name: `Smith Building ${uniq()}` });
    const engagement = await mk('engagements', {
      company_id: company.id,
      name: `Foundations ${uniq()}`,
      estimated_hours: over.estimated_hours === undefined ? '10.00' : over.estimated_hours,
      claude_workspace_id: over.workspace === undefined ? `wrk_${uniq()}` : over.workspace,
    });
    const contact = await mk('contacts', { company_id: company.id, name: `Sam Estimator ${uniq()}`, role_title: 'Senior Estimator' });
    const task = await mk('contact_tasks', {
      contact_id: contact.id,
      engagement_id: engagement.id,
      company_id: company.id,
      task_name: 'Prepare cost estimates',
      frequency: 'weekly',
      software_used: 'Excel, Buildsoft',
      time_before_ai: 60,
    });
    return { company, engagement, contact, task };
  }
  const taskNow = async (id: unknown) => {
    const t = await get('contact_tasks', id as string);
    return [t.time_after_ai, t.time_saved_minutes];
  };

  // -------------------------------------------------------------------------
  // Measurements

  describe('task measurements', () => {
    it('keeps time_after_ai at the latest measurement through every write path', async () => {
      const { task, contact, engagement, company } = await world();
      const other = await mk('contact_tasks', { contact_id: contact.id, engagement_id: engagement.id, company_id: company.id, task_name: 'Order materials', time_before_ai: 30 });
      const measure = (measured_on: string, time_after_ai: number, task_id = task.id) =>
        run('delivery.record_measurement', { task_id, measured_on, time_after_ai }).then((r) => r.measurement as Row);
      const tm = resource('task_measurements');

      expect(await taskNow(task.id)).toEqual([null, null]);
      const march = await measure('2026-03-01', 40);
      expect(await taskNow(task.id)).toEqual([40, 20]); // 60 − 40
      const april = await measure('2026-04-01', 30);
      expect(await taskNow(task.id)).toEqual([30, 30]);
      // An earlier-dated measurement is history, not the latest: nothing changes.
      const feb = await measure('2026-02-01', 50);
      expect(await taskNow(task.id)).toEqual([30, 30]);

      await updateRecord(c(), tm, april.id as string, { time_after_ai: 25 });
      expect(await taskNow(task.id)).toEqual([25, 35]);
      // Re-dating the February measurement to May makes it the latest.
      await updateRecord(c(), tm, feb.id as string, { measured_on: '2026-05-01' });
      expect(await taskNow(task.id)).toEqual([50, 10]);
      await archiveRecord(c(), tm, feb.id as string);
      expect(await taskNow(task.id)).toEqual([25, 35]);
      await restoreRecord(c(), tm, feb.id as string);
      expect(await taskNow(task.id)).toEqual([50, 10]);
      await deleteRecord(c(), tm, feb.id as string);
      expect(await taskNow(task.id)).toEqual([25, 35]);

      // Moving April's measurement to the other task changes both.
      await updateRecord(c(), tm, april.id as string, { task_id: other.id });
      expect(await taskNow(task.id)).toEqual([40, 20]);
      expect(await taskNow(other.id)).toEqual([25, 5]);
      await archiveRecord(c(), tm, march.id as string);
      expect(await taskNow(task.id)).toEqual([null, null]);

      // Bulk create: each task takes its own latest, whatever the order of the batch.
      await createRecords(c(), tm, [
        { task_id: task.id, measured_on: '2026-07-01', time_after_ai: 45 },
        { task_id: task.id, measured_on: '2026-08-01', time_after_ai: 35 },
        { task_id: other.id, measured_on: '2026-09-01', time_after_ai: 10 },
        { task_id: task.id, measured_on: '2026-06-01', time_after_ai: 55 },
      ]);
      expect(await taskNow(task.id)).toEqual([35, 25]);
      expect(await taskNow(other.id)).toEqual([10, 20]);

      // The generic create path follows the same rule.
      await createRecord(c(), tm, { task_id: task.id, measured_on: '2026-10-01', time_after_ai: 20 });
      expect(await taskNow(task.id)).toEqual([20, 40]);

      const history = await run('delivery.task_history', { task_id: task.id });
      expect(history.series.map((m: Row) => [m.measured_on, m.time_after_ai, m.minutes_saved])).toEqual([
        ['2026-06-01', 55, 5],
        ['2026-07-01', 45, 15],
        ['2026-08-01', 35, 25],
        ['2026-10-01', 20, 40],
      ]);
      expect(history.latest.time_after_ai).toBe(20);
    });

    it('starts adoption, refuses a second measurement of the same day, and audits', async () => {
      const { task } = await world();
      const r = await run('delivery.record_measurement', { task_id: task.id, measured_on: '2026-11-18', time_after_ai: 45, occurrences: 4, notes: 'With the estimating Skill' });
      expect(r.adoption_status_change).toEqual({ from: 'not_started', to: 'in_progress' });
      expect(r.task).toMatchObject({ ai_adoption_status: 'in_progress', time_after_ai: 45, time_saved_minutes: 15 });
      expect(r.measurement).toMatchObject({ occurrences: 4, measured_by: 'local operator' });

      const e = await refusal(run('delivery.record_measurement', { task_id: task.id, measured_on: '2026-11-18', time_after_ai: 40 }));
      expect(e.code).toBe('CONFLICT');
      expect(e.message).toContain(r.measurement.id as string);
      expect(e.message).toMatch(/change that one/);
      expect(await taskNow(task.id)).toEqual([45, 15]);

      const audit = await auditOf('delivery.record_measurement');
      expect(audit.filter((a) => a.record_id === r.measurement.id || a.record_id === task.id).map((a) => `${a.table_name}.${a.action}`).sort()).toEqual([
        'contact_tasks.update',
        'task_measurements.create',
      ]);
    });

    it('refuses bad measurements and writes nothing', async () => {
      const { task } = await world();
      const before = await counts(database(), ['task_measurements']);
      const neg = await refusal(run('delivery.record_measurement', { task_id: task.id, measured_on: '2026-03-01', time_after_ai: -5 }));
      expect([neg.code, fieldsOf(neg)]).toEqual(['VALIDATION', ['time_after_ai']]);
      const future = await refusal(run('delivery.record_measurement', { task_id: task.id, measured_on: '2026-11-19', time_after_ai: 5 }));
      expect(fieldsOf(future)).toEqual(['measured_on']);
      for (const bad of [1e308, Number.NaN, 2.5, '30']) {
        const e = await refusal(run('delivery.record_measurement', { task_id: task.id, measured_on: '2026-03-01', time_after_ai: bad }));
        expect([...new Set(fieldsOf(e))], String(bad)).toEqual(['time_after_ai']);
      }
      const extra = await refusal(run('delivery.record_measurement', { task_id: task.id, measured_on: '2026-03-01', time_after_ai: 5, version: 9, __proto__x: 1 }));
      expect(fieldsOf(extra)).toEqual(['version', '__proto__x']);
      const badDate = await refusal(run('delivery.record_measurement', { task_id: task.id, measured_on: '2026-02-31', time_after_ai: 5 }));
      expect(fieldsOf(badDate)).toEqual(['measured_on']);
      for (const id of [randomUUID(), 'not-an-id']) {
        expect((await refusal(run('delivery.record_measurement', { task_id: id, measured_on: '2026-03-01', time_after_ai: 5 }))).code).toBe('NOT_FOUND');
        expect((await refusal(run('delivery.task_history', { task_id: id }))).code).toBe('NOT_FOUND');
      }
      // The generic path is held by the database's check; time_after_ai is never typed on the task.
      const generic = await refusal(createRecord(c(), resource('task_measurements'), { task_id: task.id, measured_on: '2026-03-01', time_after_ai: -1 }));
      expect(fieldsOf(generic)).toEqual(['time_after_ai']);
      const typed = await refusal(updateRecord(c(), resource('contact_tasks'), task.id as string, { time_after_ai: 5 }));
      expect(fieldsOf(typed)).toEqual(['time_after_ai']);
      expect(await counts(database(), ['task_measurements'])).toEqual(before);
      expect(await taskNow(task.id)).toEqual([null, null]);

      const http = await send(admin, 'POST', `/api/v1/contact_tasks/${String(task.id)}/measurements`, { measured_on: '2026-03-01', time_after_ai: -5 });
      expect([http.status, http.body.errors.map((x: Row) => x.field)]).toEqual([400, ['time_after_ai']]);
      expect((await send(admin, 'POST', `/api/v1/contact_tasks/${randomUUID()}/measurements`, { measured_on: '2026-03-01', time_after_ai: 5 })).status).toBe(404);
      const ok = await send(admin, 'POST', `/api/v1/contact_tasks/${String(task.id)}/measurements`, { measured_on: '2026-03-01', time_after_ai: 12 });
      expect(ok.status).toBe(201);
      const hist = await send(admin, 'GET', `/api/v1/contact_tasks/${String(task.id)}/history`);
      expect([hist.status, hist.body.series.length, hist.body.series[0].minutes_saved]).toEqual([200, 1, 48]);
    });
  });

  // -------------------------------------------------------------------------
  // Work and hours

  describe('hours', () => {
    it('keeps actual_hours at the sum of live work through every path', async () => {
      const a = await world();
      const b = await world();
      const wc = resource('work_completed');
      const actual = async (e: { engagement: Row }) => (await get('engagements', e.engagement.id as string)).actual_hours;
      const work = (eng: Row, hours: string, category = 'mcp_build') => createRecord(c(), wc, { engagement_id: eng.id, category, hours, work_date: '2026-11-02' });

      expect(await actual(a)).toBeNull();
      const w1 = await work(a.engagement, '2.50');
      const w2 = await work(a.engagement, '1.25');
      expect(await actual(a)).toBe('3.75');
      await updateRecord(c(), wc, w1.id as string, { hours: '4.00' });
      expect(await actual(a)).toBe('5.25');
      await archiveRecord(c(), wc, w2.id as string);
      expect(await actual(a)).toBe('4.00');
      await restoreRecord(c(), wc, w2.id as string);
      expect(await actual(a)).toBe('5.25');
      await updateRecord(c(), wc, w1.id as string, { engagement_id: b.engagement.id });
      expect([await actual(a), await actual(b)]).toEqual(['1.25', '4.00']);
      await deleteRecord(c(), wc, w2.id as string);
      expect(await actual(a)).toBe('0.00');
      await createRecords(c(), wc, [
        { engagement_id: a.engagement.id, category: 'training', hours: '0.75', work_date: '2026-11-03' },
        { engagement_id: b.engagement.id, category: 'support', hours: '1.10', work_date: '2026-11-03' },
        { engagement_id: a.engagement.id, category: 'setup', hours: '2.00', work_date: '2026-11-04' },
      ]);
      expect([await actual(a), await actual(b)]).toEqual(['2.75', '5.10']);
      const refused = await refusal(updateRecord(c(), resource('engagements'), a.engagement.id as string, { actual_hours: '1.00' }));
      expect(fieldsOf(refused)).toEqual(['actual_hours']);
    });

    it('loses no hours and no measurement when writers run at once', async () => {
      const { engagement, task } = await world();
      // Separate transactions (one per call): on PostgreSQL they run concurrently on the pool.
      await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          createRecord(c(), resource('work_completed'), { engagement_id: engagement.id, category: 'other', hours: '1.25', work_date: '2026-11-02', description: `w${i}` }),
        ),
      );
      expect((await get('engagements', engagement.id as string)).actual_hours).toBe('15.00'); // 12 × 1.25
      await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          createRecord(c(), resource('task_measurements'), { task_id: task.id, measured_on: `2026-10-${String(i + 1).padStart(2, '0')}`, time_after_ai: 50 - i }),
        ),
      );
      expect(await taskNow(task.id)).toEqual([39, 21]); // 2026-10-12: 50 − 11
    });

    it('reports hours against the estimate by category and person (worked by hand)', async () => {
      const { engagement } = await world({ estimated_hours: '10.00' });
      const builder = await createUser(c(LOCAL_OPERATOR), { email: `b-${uniq()}@example.com`, name: 'Bea Builder', role: 'editor', password: `pass phrase ${uniq()} ${uniq()}` }, FAST_IDENTITY);
      const log = (category: string, hours: string, who: Row) => mk('work_completed', { engagement_id: engagement.id, category, hours, work_date: '2026-11-10', ...who });
      await log('mcp_build', '4.50', { user_id: builder.id });
      await log('skill_creation', '3.25', { performed_by: 'Sam' });
      await log('training', '1.00', { performed_by: ' sam ' });
      await log('meeting', '0.50', {});
      // 4.50 + 3.25 + 1.00 + 0.50 = 9.25 of 10.00: 0.75 left, 92.50 %.
      const h = await run('delivery.hours', { engagement_id: engagement.id });
      expect(h).toMatchObject({ estimated_hours: '10.00', actual_hours: '9.25', remaining_hours: '0.75', percent_used: '92.50', over_budget: false });
      expect(h.by_category).toEqual([
        { category: 'mcp_build', hours: '4.50', entries: 1 },
        { category: 'skill_creation', hours: '3.25', entries: 1 },
        { category: 'training', hours: '1.00', entries: 1 },
        { category: 'meeting', hours: '0.50', entries: 1 },
      ]);
      expect(h.by_person.map((p: Row) => [p.name, p.hours, p.entries])).toEqual([
        ['Bea Builder', '4.50', 1],
        ['Sam', '4.25', 2],
        [null, '0.50', 1],
      ]);
      // 2.00 more: 11.25 of 10.00 → 1.25 over, 112.50 %.
      await log('support', '2.00', { performed_by: 'Sam' });
      const over = await run('delivery.hours', { engagement_id: engagement.id });
      expect(over).toMatchObject({ actual_hours: '11.25', remaining_hours: '-1.25', percent_used: '112.50', over_budget: true });
      expect(over.summary).toBe('11.25 of 10.00 h: 1.25 h over budget');
      expect((await get('engagements', engagement.id as string)).actual_hours).toBe('11.25');

      const none = await world({ estimated_hours: null });
      expect(await run('delivery.hours', { engagement_id: none.engagement.id })).toMatchObject({ estimated_hours: null, actual_hours: '0.00', remaining_hours: null, percent_used: null, by_category: [], by_person: [] });
      // 1 ÷ 3 of an hour used: 0.01 ÷ 0.03 × 100 = 33.333… → 33.33.
      const third = await world({ estimated_hours: '0.03' });
      await mk('work_completed', { engagement_id: third.engagement.id, category: 'other', hours: '0.01', work_date: '2026-11-10' });
      expect((await run('delivery.hours', { engagement_id: third.engagement.id })).percent_used).toBe('33.33');

      expect((await send(admin, 'GET', `/api/v1/engagements/${String(engagement.id)}/hours`)).body.actual_hours).toBe('11.25');
      expect((await send(admin, 'GET', `/api/v1/engagements/${randomUUID()}/hours`)).status).toBe(404);
    });
  });

  // -------------------------------------------------------------------------
  // Built, deployed, and where

  describe('what was built and where it runs', () => {
    it('deploys, links, lists in one view, and retires', async () => {
      const w = await world({ workspace: 'wrk_smith' });
      const mcp = await mk('ai_assets', { kind: 'mcp', name: `Buildsoft MCP ${uniq()}`, engagement_id: w.engagement.id, asset_version: '1.0.0', built_date: '2026-11-05', repository_url: 'https://github.com/example/buildsoft-mcp' });
      const skill = await mk('ai_assets', { kind: 'skill', name: `Estimating Skill ${uniq()}`, engagement_id: w.engagement.id });

      const d = await run('delivery.deploy_asset', { id: mcp.id });
      expect(d.deployment).toMatchObject({ asset_id: mcp.id, account_ref: 'wrk_smith', engagement_id: w.engagement.id, company_id: w.company.id, status: 'active', deployed_at: NOW });
      expect(d.asset).toMatchObject({ status: 'deployed', deployed: true });
      const twice = await refusal(run('delivery.deploy_asset', { id: mcp.id }));
      expect([twice.code, fieldsOf(twice)]).toEqual(['CONFLICT', ['account_ref']]);
      // A second account of another client, given explicitly.
      const other = await world({ workspace: null });
      const d2 = await run('delivery.deploy_asset', { id: mcp.id, engagement_id: other.engagement.id, account_ref: 'wrk_other', deployed_at: '2026-11-10T08:00:00Z' });
      expect(d2.deployment).toMatchObject({ company_id: other.company.id, account_ref: 'wrk_other' });

      const link = await run('delivery.link_asset_to_task', { task_id: w.task.id, asset_id: mcp.id });
      expect(link.link).toMatchObject({ task_id: w.task.id, asset_id: mcp.id, archived_at: null });
      const again = await refusal(run('delivery.link_asset_to_task', { task_id: w.task.id, asset_id: mcp.id }));
      expect(again.code).toBe('CONFLICT');
      expect(again.message).toMatch(/already linked/);
      await run('delivery.link_asset_to_task', { task_id: w.task.id, asset_id: skill.id });
      await run('delivery.unlink_asset_from_task', { task_id: w.task.id, asset_id: skill.id });
      expect((await refusal(run('delivery.unlink_asset_from_task', { task_id: w.task.id, asset_id: skill.id }))).code).toBe('CONFLICT');
      const back = await run('delivery.link_asset_to_task', { task_id: w.task.id, asset_id: skill.id });
      expect(back.link.archived_at).toBeNull();
      await run('delivery.unlink_asset_from_task', { task_id: w.task.id, asset_id: skill.id });

      const view = await run('delivery.built', { company_id: w.company.id });
      expect(view.items.map((a: Row) => a.id)).toEqual([mcp.id, skill.id]);
      const [m, s] = view.items;
      expect(m).toMatchObject({ kind: 'mcp', status: 'deployed', asset_version: '1.0.0', built_date: '2026-11-05', engagement_name: w.engagement.name, company_name: w.company.name, repository_url: 'https://github.com/example/buildsoft-mcp' });
      expect(m.deployments.map((x: Row) => [x.account_ref, x.company_name, x.status, (x.deployed_at as Date).toISOString()])).toEqual([
        ['wrk_other', other.company.name, 'active', '2026-11-10T08:00:00.000Z'],
        ['wrk_smith', w.company.name, 'active', NOW.toISOString()],
      ]);
      expect(m.tasks).toEqual([{ task_id: w.task.id, task_name: 'Prepare cost estimates', ai_adoption_status: 'not_started', contact_id: w.contact.id, contact_name: w.contact.name }]);
      expect(s).toMatchObject({ kind: 'skill', status: 'in_development', deployments: [], tasks: [] });
      expect(view.summary).toEqual({ built: 2, mcps: 1, skills: 1, in_development: 1, deployed: 1, deprecated: 0, active_deployments: 2 });
      // Deployed to the other company counts for it too; filters narrow.
      expect((await run('delivery.built', { company_id: other.company.id })).items.map((a: Row) => a.id)).toEqual([mcp.id]);
      expect((await run('delivery.built', { engagement_id: w.engagement.id, kind: 'skill' })).items.map((a: Row) => a.id)).toEqual([skill.id]);
      expect((await run('delivery.built', { company_id: w.company.id, status: 'deprecated' })).items).toEqual([]);

      const retired = await run('delivery.retire_asset', { id: mcp.id, reason: 'Replaced by v2' });
      expect(retired.asset).toMatchObject({ status: 'deprecated', deployed: false, notes: 'Retired 2026-11-18: Replaced by v2' });
      expect(retired.removed_deployments.map((x: Row) => [x.status, x.removed_at])).toEqual([
        ['removed', NOW],
        ['removed', NOW],
      ]);
      expect((await refusal(run('delivery.retire_asset', { id: mcp.id }))).code).toBe('CONFLICT');
      expect((await refusal(run('delivery.deploy_asset', { id: mcp.id }))).code).toBe('CONFLICT');
      expect((await run('delivery.built', { company_id: w.company.id, status: 'deprecated' })).summary).toMatchObject({ built: 1, active_deployments: 0 });

      const audit = async (operation: string) => (await auditOf(operation)).map((a) => `${a.table_name}.${a.action}`);
      expect(await audit('delivery.deploy_asset')).toEqual(expect.arrayContaining(['ai_asset_deployments.create', 'ai_assets.update']));
      expect(await audit('delivery.retire_asset')).toEqual(expect.arrayContaining(['ai_asset_deployments.update', 'ai_assets.update']));
      expect(await audit('delivery.link_asset_to_task')).toEqual(expect.arrayContaining(['task_ai_assets.create', 'task_ai_assets.restore']));
      expect(await audit('delivery.unlink_asset_from_task')).toEqual(expect.arrayContaining(['task_ai_assets.archive']));
    });

    it('refuses bad deployments and links, writing nothing', async () => {
      const w = await world({ workspace: null });
      const asset = await mk('ai_assets', { kind: 'mcp', name: `Xero MCP ${uniq()}`, engagement_id: w.engagement.id });
      const stranger = await world();
      const before = await counts(database(), ['ai_asset_deployments', 'task_ai_assets']);
      const noAccount = await refusal(run('delivery.deploy_asset', { id: asset.id }));
      expect(fieldsOf(noAccount)).toEqual(['account_ref']);
      const mismatch = await refusal(run('delivery.deploy_asset', { id: asset.id, account_ref: 'x', company_id: stranger.company.id }));
      expect(fieldsOf(mismatch)).toEqual(['company_id']);
      const future = await refusal(run('delivery.deploy_asset', { id: asset.id, account_ref: 'x', deployed_at: '2026-11-19T00:00:00Z' }));
      expect(fieldsOf(future)).toEqual(['deployed_at']);
      const noEngagement = await refusal(run('delivery.deploy_asset', { id: asset.id, account_ref: 'x', engagement_id: randomUUID() }));
      expect(fieldsOf(noEngagement)).toEqual(['engagement_id']);
      const unknownAsset = await refusal(run('delivery.link_asset_to_task', { task_id: w.task.id, asset_id: randomUUID() }));
      expect(fieldsOf(unknownAsset)).toEqual(['asset_id']);
      for (const id of [randomUUID(), 'nope']) {
        expect((await refusal(run('delivery.deploy_asset', { id, account_ref: 'x' }))).code).toBe('NOT_FOUND');
        expect((await refusal(run('delivery.retire_asset', { id }))).code).toBe('NOT_FOUND');
        expect((await refusal(run('delivery.link_asset_to_task', { task_id: id, asset_id: asset.id }))).code).toBe('NOT_FOUND');
        expect((await refusal(run('delivery.unlink_asset_from_task', { task_id: w.task.id, asset_id: id }))).code).toBe('NOT_FOUND');
      }
      expect(fieldsOf(await refusal(run('delivery.built', { kind: 'agent' })))).toEqual(['kind']);
      expect(fieldsOf(await refusal(run('delivery.built', { company_id: 'x' })))).toEqual(['company_id']);
      expect(await counts(database(), ['ai_asset_deployments', 'task_ai_assets'])).toEqual(before);
      expect((await get('ai_assets', asset.id as string)).status).toBe('in_development');

      expect((await send(admin, 'POST', `/api/v1/ai_assets/${randomUUID()}/deploy`, { account_ref: 'x' })).status).toBe(404);
      const http = await send(admin, 'POST', `/api/v1/ai_assets/${String(asset.id)}/deploy`, { account_ref: 'wrk_http' });
      expect([http.status, http.body.deployment.account_ref]).toEqual([201, 'wrk_http']);
      expect((await send(admin, 'POST', `/api/v1/ai_assets/${String(asset.id)}/retire`, {})).status).toBe(200);
      expect((await send(admin, 'GET', '/api/v1/delivery/built?kind=mcp&status=deprecated')).body.items.map((a: Row) => a.id)).toContain(asset.id);
    });

    it('shows only the assets the caller may see, and hides the names of what they may not', async () => {
      const alice = await signIn(app, database(), 'editor');
      const bob = await signIn(app, database(), 'editor');
      const vic = await signIn(app, database(), 'viewer');
      const ok = async (r: Promise<Reply>, status = 200) => {
        const reply = await r;
        expect(reply.status, JSON.stringify(reply.body)).toBe(status);
        return reply.body;
      };
      const setup = async (who: SignedIn, name: string) => {
        const company = await ok(send(who, 'POST', '/api/v1/companies', { name }), 201);
        const engagement = await ok(send(who, 'POST', '/api/v1/engagements', { name: `${name} engagement`, company_id: company.id, claude_workspace_id: `wrk_${uniq()}` }), 201);
        const asset = await ok(send(who, 'POST', '/api/v1/ai_assets', { kind: 'mcp', name: `${name} MCP`, engagement_id: engagement.id }), 201);
        const contact = await ok(send(who, 'POST', '/api/v1/contacts', { name: `${name} Boss`, company_id: company.id }), 201);
        const task = await ok(send(who, 'POST', '/api/v1/contact_tasks', { contact_id: contact.id, company_id: company.id, engagement_id: engagement.id, task_name: 'Quotes' }), 201);
        return { company, engagement, asset, task };
      };
      const a = await setup(alice, `Alice Co ${uniq()}`);
      const b = await setup(bob, `Bob Co ${uniq()}`);
      // Alice's MCP also runs at Bob's client.
      await ok(send(admin, 'POST', `/api/v1/ai_assets/${String(a.asset.id)}/deploy`, { engagement_id: b.engagement.id, account_ref: 'wrk_bob' }), 201);

      await ok(send(admin, 'PATCH', '/api/v1/settings', { record_visibility: 'own' }));
      try {
        const seen = await ok(send(alice, 'GET', '/api/v1/delivery/built'));
        expect(seen.items.map((x: Row) => x.id)).toEqual([a.asset.id]);
        expect(seen.items[0].deployments).toEqual([
          expect.objectContaining({ account_ref: 'wrk_bob', company_id: b.company.id, company_name: null, engagement_name: null }),
        ]);
        expect((await ok(send(vic, 'GET', '/api/v1/delivery/built'))).items).toEqual([]);
        expect((await ok(send(admin, 'GET', `/api/v1/delivery/built?engagement_id=${String(b.engagement.id)}`))).items.map((x: Row) => x.id).sort()).toEqual([a.asset.id, b.asset.id].sort());

        // Bob's records do not exist for Alice: not found, and nothing changes.
        const before = JSON.stringify(await database().query('select * from ai_assets where id = $1', [b.asset.id]));
        expect((await send(alice, 'POST', `/api/v1/ai_assets/${String(b.asset.id)}/deploy`, { account_ref: 'x' })).status).toBe(404);
        expect((await send(alice, 'POST', `/api/v1/ai_assets/${String(b.asset.id)}/retire`, {})).status).toBe(404);
        expect((await send(alice, 'GET', `/api/v1/contact_tasks/${String(b.task.id)}/history`)).status).toBe(404);
        expect((await send(alice, 'GET', `/api/v1/engagements/${String(b.engagement.id)}/hours`)).status).toBe(404);
        const link = await send(alice, 'POST', `/api/v1/contact_tasks/${String(a.task.id)}/assets`, { asset_id: b.asset.id });
        expect([link.status, link.body.errors.map((x: Row) => x.field)]).toEqual([400, ['asset_id']]);
        expect(JSON.stringify(await database().query('select * from ai_assets where id = $1', [b.asset.id]))).toBe(before);
      } finally {
        await ok(send(admin, 'PATCH', '/api/v1/settings', { record_visibility: 'all' }));
      }
    });
  });

  // -------------------------------------------------------------------------
  // Training

  describe('training', () => {
    it('invites, records attendance, completes, and briefs the next session', async () => {
      const w = await world();
      const company = w.company.id;
      const ann = w.contact;
      const ben = await mk('contacts', { company_id: company, name: `Ben Site ${uniq()}`, role_title: 'Site Supervisor' });
      // Ann's survey: pre-training answers come first, an unanswered question is left out.
      await mk('survey_responses', { contact_id: ann.id, company_id: company, survey_type: 'audit', question: 'Which AI have you used?', answer: 'ChatGPT, a little' });
      await mk('survey_responses', { contact_id: ann.id, company_id: company, survey_type: 'pre_training', question: 'When can you attend?', answer: 'Tuesday mornings' });
      await mk('survey_responses', { contact_id: ann.id, company_id: company, survey_type: 'pre_training', question: 'Anything else?' });
      await updateRecord(c(), resource('contact_tasks'), w.task.id as string, { included_in_training: true, key_challenges: 'Spec documents are scanned PDFs' });
      await mk('contact_tasks', { contact_id: ann.id, company_id: company, task_name: 'Email suppliers', software_used: 'Outlook / excel', frequency: 'daily', time_before_ai: 20 });
      const elsewhere = await mk('engagements', { company_id: company, name: 'Earlier pilot' });
      await mk('contact_tasks', { contact_id: ann.id, company_id: company, engagement_id: elsewhere.id, task_name: 'Pilot task', software_used: 'Procore' });
      const mcp = await mk('ai_assets', { kind: 'mcp', name: 'Buildsoft MCP', engagement_id: w.engagement.id });
      await run('delivery.link_asset_to_task', { task_id: w.task.id, asset_id: mcp.id });

      const s1 = await mk('training_sessions', { engagement_id: w.engagement.id, session_number: 1, title: 'Claude Fundamentals', scheduled_date: new Date('2026-11-03T09:00:00Z'), location: 'On site', delivered_by: 'Jo' });
      const s2 = await mk('training_sessions', { engagement_id: w.engagement.id, session_number: 2, title: 'Estimating with Skills', scheduled_date: new Date('2026-11-24T09:00:00Z'), location: 'Virtual', delivered_by: 'Jo' });

      const inv = await run('delivery.invite_to_session', { id: s1.id, contact_ids: [ann.id, ben.id] });
      expect([inv.invited.sort(), inv.already_invited]).toEqual([[ann.id, ben.id].sort(), []]);
      expect(inv.attendance.map((r: Row) => r.attended)).toEqual([null, null]);

      // Completing with nobody's attendance recorded is refused, naming them.
      const early = await refusal(run('delivery.complete_session', { id: s1.id }));
      expect([early.code, fieldsOf(early)]).toEqual(['VALIDATION', ['attendance']]);
      expect(early.message).toContain(ann.name as string);
      expect(early.message).toContain(ben.name as string);
      const att = await run('delivery.record_attendance', {
        id: s1.id,
        attendance: [{ contact_id: ann.id, attended: true, progress: 'Wrote her first estimate prompt', struggles: 'Uploading scanned PDFs', follow_ups: 'Send the PDF guide' }],
      });
      expect(att.still_unrecorded).toBe(1);
      const still = await refusal(run('delivery.complete_session', { id: s1.id }));
      expect(still.message).not.toContain(ann.name as string);
      expect(still.message).toContain(ben.name as string);
      expect((await get('training_sessions', s1.id as string)).status).toBe('scheduled');
      await run('delivery.record_attendance', { id: s1.id, attendance: [{ contact_id: ben.id, attended: false, session_notes: 'On site all day' }] });
      const done = await run('delivery.complete_session', { id: s1.id, completed_date: '2026-11-03T11:00:00Z' });
      expect(done.session).toMatchObject({ status: 'completed', completed_date: new Date('2026-11-03T11:00:00Z') });
      expect((await refusal(run('delivery.complete_session', { id: s1.id }))).code).toBe('CONFLICT');
      expect((await refusal(run('delivery.invite_to_session', { id: s1.id, contact_ids: [ann.id] }))).code).toBe('CONFLICT');

      await run('delivery.invite_to_session', { id: s2.id, contact_ids: [ann.id] });
      const re = await run('delivery.invite_to_session', { id: s2.id, contact_ids: [ann.id, ben.id] });
      expect([re.invited, re.already_invited]).toEqual([[ben.id], [ann.id]]);
      const [row] = await database().query<{ n: number }>('select count(*)::int as n from training_attendance where session_id = $1', [s2.id]);
      expect(row!.n).toBe(2);

      const brief = await run('delivery.training_brief', { id: s2.id });
      expect(brief.session).toMatchObject({ id: s2.id, session_number: 2, title: 'Estimating with Skills', location: 'Virtual', delivered_by: 'Jo', status: 'scheduled' });
      const byName = Object.fromEntries(brief.attendees.map((p: Row) => [p.name, p]));
      const a = byName[ann.name as string];
      expect(a).toMatchObject({ contact_id: ann.id, role_title: 'Senior Estimator', attended: null });
      expect(a.survey.map((x: Row) => [x.survey_type, x.question, x.answer])).toEqual([
        ['pre_training', 'When can you attend?', 'Tuesday mornings'],
        ['audit', 'Which AI have you used?', 'ChatGPT, a little'],
      ]);
      expect(a.tasks.map((t: Row) => [t.task_name, t.frequency, t.time_before_ai, t.ai_adoption_status, t.key_challenges])).toEqual([
        ['Prepare cost estimates', 'weekly', 60, 'not_started', 'Spec documents are scanned PDFs'],
        ['Email suppliers', 'daily', 20, 'not_started', null],
      ]);
      expect(a.tasks[0].assets).toEqual([{ id: mcp.id, kind: 'mcp', name: 'Buildsoft MCP' }]);
      expect(a.software).toEqual(['Buildsoft', 'Excel', 'Outlook']);
      expect(a.earlier_sessions).toEqual({
        invited: 1,
        attended: 1,
        missed: 0,
        last_notes: { session_number: 1, title: 'Claude Fundamentals', progress: 'Wrote her first estimate prompt', struggles: 'Uploading scanned PDFs', follow_ups: 'Send the PDF guide', session_notes: null },
      });
      const b = byName[ben.name as string];
      expect(b).toMatchObject({ role_title: 'Site Supervisor', survey: [], tasks: [], software: [] });
      expect(b.earlier_sessions).toMatchObject({ invited: 1, attended: 0, missed: 1, last_notes: { session_notes: 'On site all day' } });
      // The first session has no earlier one.
      const first = await run('delivery.training_brief', { id: s1.id });
      expect(first.attendees.map((p: { earlier_sessions: { invited: number } }) => p.earlier_sessions.invited)).toEqual([0, 0]);
      const http = await send(admin, 'GET', `/api/v1/training_sessions/${String(s2.id)}/brief`);
      expect([http.status, http.body.attendees.length]).toEqual([200, 2]);

      const audit = async (operation: string) => (await auditOf(operation)).map((x) => `${x.table_name}.${x.action}`);
      expect((await audit('delivery.invite_to_session')).filter((x) => x === 'training_attendance.create')).toHaveLength(4);
      expect(await audit('delivery.record_attendance')).toEqual(expect.arrayContaining(['training_attendance.update']));
      expect(await audit('delivery.complete_session')).toContain('training_sessions.update');
    });

    it('refuses bad invitations and attendance, writing nothing', async () => {
      const w = await world();
      const stranger = await world();
      const session = await mk('training_sessions', { engagement_id: w.engagement.id, session_number: 1, title: 'Basics' });
      await run('delivery.invite_to_session', { id: session.id, contact_ids: [w.contact.id] });
      const before = JSON.stringify(await database().query('select * from training_attendance where session_id = $1', [session.id]));

      const wrong = await refusal(run('delivery.invite_to_session', { id: session.id, contact_ids: [w.contact.id, stranger.contact.id, randomUUID()] }));
      expect([wrong.code, fieldsOf(wrong)]).toEqual(['VALIDATION', ['contact_ids[1]', 'contact_ids[2]']]);
      expect(wrong.message).toMatch(/another company/);
      const notInvited = await refusal(run('delivery.record_attendance', { id: session.id, attendance: [{ contact_id: w.contact.id, attended: true }, { contact_id: stranger.contact.id, attended: true }] }));
      expect(fieldsOf(notInvited)).toEqual(['attendance[1].contact_id']);
      const noFlag = await refusal(run('delivery.record_attendance', { id: session.id, attendance: [{ contact_id: w.contact.id }] }));
      expect(fieldsOf(noFlag)).toEqual(['attendance.0.attended']);
      const future = await refusal(run('delivery.complete_session', { id: session.id, completed_date: '2026-12-01T00:00:00Z' }));
      expect(fieldsOf(future)).toEqual(['completed_date']);
      for (const id of [randomUUID(), 'nope']) {
        for (const [name, input] of [
          ['delivery.training_brief', { id }],
          ['delivery.invite_to_session', { id, contact_ids: [w.contact.id] }],
          ['delivery.record_attendance', { id, attendance: [{ contact_id: w.contact.id, attended: true }] }],
          ['delivery.complete_session', { id }],
        ] as const) {
          expect((await refusal(run(name, input))).code, name).toBe('NOT_FOUND');
        }
      }
      expect(JSON.stringify(await database().query('select * from training_attendance where session_id = $1', [session.id]))).toBe(before);
      expect((await get('training_sessions', session.id as string)).status).toBe('scheduled');

      expect((await send(admin, 'GET', `/api/v1/training_sessions/${randomUUID()}/brief`)).status).toBe(404);
      const http = await send(admin, 'POST', `/api/v1/training_sessions/${String(session.id)}/invite`, { contact_ids: [stranger.contact.id] });
      expect([http.status, http.body.errors.map((x: Row) => x.field)]).toEqual([400, ['contact_ids[0]']]);
    });
  });

  // -------------------------------------------------------------------------
  // Permissions

  it('refuses a viewer every write verb, before writing anything', async () => {
    const w = await world();
    const asset = await mk('ai_assets', { kind: 'skill', name: 'Quote Skill', engagement_id: w.engagement.id });
    const session = await mk('training_sessions', { engagement_id: w.engagement.id, session_number: 1 });
    await run('delivery.invite_to_session', { id: session.id, contact_ids: [w.contact.id] });
    await run('delivery.link_asset_to_task', { task_id: w.task.id, asset_id: asset.id });
    const tables = ['task_measurements', 'task_ai_assets', 'ai_asset_deployments', 'training_attendance', 'audit_log'];
    const before = await counts(database(), tables);
    const writes: Array<[string, Row]> = [
      ['delivery.record_measurement', { task_id: w.task.id, measured_on: '2026-11-01', time_after_ai: 10 }],
      ['delivery.link_asset_to_task', { task_id: w.task.id, asset_id: asset.id }],
      ['delivery.unlink_asset_from_task', { task_id: w.task.id, asset_id: asset.id }],
      ['delivery.deploy_asset', { id: asset.id, account_ref: 'x' }],
      ['delivery.retire_asset', { id: asset.id }],
      ['delivery.invite_to_session', { id: session.id, contact_ids: [w.contact.id] }],
      ['delivery.record_attendance', { id: session.id, attendance: [{ contact_id: w.contact.id, attended: true }] }],
      ['delivery.complete_session', { id: session.id }],
    ];
    for (const [name, input] of writes) {
      expect(op(name).scope, name).toBe('write');
      expect((await refusal(run(name, input, viewer))).code, name).toBe('FORBIDDEN');
    }
    expect(await counts(database(), tables)).toEqual(before);
    // Reading is a viewer's right.
    for (const [name, input] of [
      ['delivery.task_history', { task_id: w.task.id }],
      ['delivery.hours', { engagement_id: w.engagement.id }],
      ['delivery.built', { engagement_id: w.engagement.id }],
      ['delivery.training_brief', { id: session.id }],
    ] as const) {
      await expect(run(name, input, viewer), name).resolves.toBeDefined();
    }
    const vic = await signIn(app, database(), 'viewer');
    expect((await send(vic, 'POST', `/api/v1/ai_assets/${String(asset.id)}/deploy`, { account_ref: 'x' })).status).toBe(403);
  });
});
