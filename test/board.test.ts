/**
 * The pipeline boards over HTTP (sales.board, GET /api/v1/pipeline/{pipeline}/board): the
 * columns of pipeline_stages in order with their counts and, for deals, exact value sums per
 * currency; archived records left out; a bad pipeline refused with a field error; a viewer
 * may read it; and record visibility `own` counts only what the caller may see.
 *
 * Each test names its records with a tag of its own and asks for the board with `q=<tag>`, so
 * the tests do not see each other's records (and the search path is exercised too).
 */
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/api/app.ts';
import { callApi, FAST_IDENTITY, type SignedIn, signInCast } from './auth.ts';
import { dbSuite } from './db.ts';

type App = ReturnType<typeof createApp>;
type Column = { key: string; label: string; position: number; count: number; is_won: boolean; is_lost: boolean; next_statuses: string[]; values?: { currency: string; value: string; count: number }[] };
type Board = { pipeline: string; table: string; field: string; q: string | null; total: number; columns: Column[] };

const tag = () => `bd${randomUUID().slice(0, 8)}`;

dbSuite('pipeline boards', ({ database }) => {
  let app: App;
  let admin: SignedIn;
  let alice: SignedIn;
  let bob: SignedIn;
  let vic: SignedIn;

  const board = async (who: SignedIn, pipeline: string, q?: string) =>
    (await callApi(app, who, 'GET', `/api/v1/pipeline/${pipeline}/board${q ? `?q=${encodeURIComponent(q)}` : ''}`)) as unknown as Board;
  const counts = (b: Board) => Object.fromEntries(b.columns.filter((c) => c.count > 0).map((c) => [c.key, c.count]));
  const company = (who: SignedIn, name: string, status?: string) =>
    callApi(app, who, 'POST', '/api/v1/companies', { name, ...(status ? { status } : {}) });

  beforeAll(async () => {
    app = createApp({ database: database(), identity: FAST_IDENTITY });
    ({ admin, alice, bob, vic } = await signInCast(app, database()));
  });

  describe('companies by status', () => {
    it('gives every stage of the company pipeline in order, with the count of each', async () => {
      const t = tag();
      for (const [i, status] of ['lead', 'lead', 'lead', 'contacted', 'auditing', 'lost'].entries()) await company(alice, `${t} company ${i}`, status);
      const b = await board(alice, 'company', t);
      expect([b.pipeline, b.table, b.field, b.q, b.total]).toEqual(['company', 'companies', 'status', t, 6]);
      const stages = await database().query<{ key: string; label: string; next_statuses: string[] }>(
        "select key, label, next_statuses from pipeline_stages where pipeline = 'company' and archived_at is null order by position",
      );
      expect(b.columns.map((c) => [c.key, c.label, c.next_statuses])).toEqual(stages.map((s) => [s.key, s.label, s.next_statuses]));
      expect(b.columns.map((c) => c.position)).toEqual([...b.columns.map((c) => c.position)].sort((x, y) => x - y));
      expect(counts(b)).toEqual({ lead: 3, contacted: 1, auditing: 1, lost: 1 });
      expect(b.columns.find((c) => c.key === 'lead')!.next_statuses).toEqual(['contacted', 'meeting_scheduled', 'lost']);
      expect(b.columns.every((c) => c.values === undefined)).toBe(true);

      // The count follows a move through the pipeline.
      const [first] = (await callApi(app, alice, 'GET', `/api/v1/companies?q=${t}&status=lead&limit=1`)).items;
      await callApi(app, alice, 'PATCH', `/api/v1/companies/${first.id}`, { status: 'contacted' });
      expect(counts(await board(alice, 'company', t))).toEqual({ lead: 2, contacted: 2, auditing: 1, lost: 1 });
    });

    it('leaves archived companies out', async () => {
      const t = tag();
      const a = await company(alice, `${t} stays`, 'contacted');
      const gone = await company(alice, `${t} archived`, 'contacted');
      await company(alice, `${t} other`, 'lead');
      expect(counts(await board(alice, 'company', t))).toEqual({ contacted: 2, lead: 1 });
      await callApi(app, alice, 'POST', `/api/v1/companies/${gone.id}/archive`, undefined, 200);
      const after = await board(alice, 'company', t);
      expect(counts(after)).toEqual({ contacted: 1, lead: 1 });
      expect(after.total).toBe(2);
      // …and the column's cards, from the list route, agree.
      const cards = await callApi(app, alice, 'GET', `/api/v1/companies?q=${t}&status=contacted`);
      expect(cards.items.map((c: { id: string }) => c.id)).toEqual([a.id]);
    });
  });

  describe('deals by stage', () => {
    it('sums value per currency exactly, never adding currencies together', async () => {
      const t = tag();
      const co = await company(alice, `${t} client`);
      const deal = (stage: string, value: string | null, currency = 'AUD') =>
        callApi(app, alice, 'POST', '/api/v1/deals', { name: `${t} deal ${stage} ${value}`, company_id: co.id, stage, value, currency });
      await deal('discovery', '0.10');
      await deal('discovery', '0.20'); // a float sum would be 0.30000000000000004
      await deal('discovery', null); // counted, adds nothing
      await deal('discovery', '1000.55', 'USD');
      await deal('proposal', '99999999999.99');
      await deal('proposal', '0.01');
      await deal('negotiation', '12500.00', 'TTD');
      const b = await board(alice, 'deal', t);
      expect([b.pipeline, b.table, b.field, b.total]).toEqual(['deal', 'deals', 'stage', 7]);
      expect(b.columns.map((c) => c.key)).toEqual(['discovery', 'proposal', 'negotiation', 'closed_won', 'closed_lost']);
      const col = (key: string) => b.columns.find((c) => c.key === key)!;
      expect(col('discovery').count).toBe(4);
      expect(col('discovery').values).toEqual([
        { currency: 'AUD', value: '0.30', count: 3 },
        { currency: 'USD', value: '1000.55', count: 1 },
      ]);
      expect(col('proposal').values).toEqual([{ currency: 'AUD', value: '100000000000.00', count: 2 }]);
      expect(col('negotiation').values).toEqual([{ currency: 'TTD', value: '12500.00', count: 1 }]);
      expect(col('closed_won')).toMatchObject({ count: 0, values: [], is_won: true, next_statuses: [] });
      expect(col('closed_lost')).toMatchObject({ count: 0, values: [], is_lost: true });
    });

    it('moves value with the deal and leaves archived deals out', async () => {
      const t = tag();
      const co = await company(alice, `${t} client`);
      const d1 = await callApi(app, alice, 'POST', '/api/v1/deals', { name: `${t} one`, company_id: co.id, value: '500.00' });
      const d2 = await callApi(app, alice, 'POST', '/api/v1/deals', { name: `${t} two`, company_id: co.id, value: '250.25' });
      await callApi(app, alice, 'POST', `/api/v1/deals/${d1.id}/stage`, { stage: 'proposal' }, 200);
      let b = await board(alice, 'deal', t);
      expect(b.columns.find((c) => c.key === 'discovery')!.values).toEqual([{ currency: 'AUD', value: '250.25', count: 1 }]);
      expect(b.columns.find((c) => c.key === 'proposal')!.values).toEqual([{ currency: 'AUD', value: '500.00', count: 1 }]);
      await callApi(app, alice, 'POST', `/api/v1/deals/${d2.id}/archive`, undefined, 200);
      b = await board(alice, 'deal', t);
      expect(b.columns.find((c) => c.key === 'discovery')).toMatchObject({ count: 0, values: [] });
      expect(b.total).toBe(1);
    });
  });

  it('refuses a pipeline that has no board, naming the field and the pipelines that do', async () => {
    for (const bad of ['lead', 'engagement', 'nonsense']) {
      const r = await app.request(`/api/v1/pipeline/${bad}/board`, { headers: { authorization: `Bearer ${alice.key}` } });
      const body = (await r.json()) as { code: string; detail: string; errors: { field: string; message: string }[] };
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(body.code).toBe('VALIDATION');
      expect(body.errors).toEqual([{ field: 'pipeline', message: expect.stringContaining('company, deal') }]);
    }
    const long = await app.request(`/api/v1/pipeline/company/board?q=${'x'.repeat(201)}`, { headers: { authorization: `Bearer ${alice.key}` } });
    expect(long.status).toBe(400);
    expect(((await long.json()) as { errors: { field: string }[] }).errors.map((e) => e.field)).toEqual(['q']);
    const extra = await app.request('/api/v1/pipeline/company/board?colour=blue', { headers: { authorization: `Bearer ${alice.key}` } });
    expect(extra.status).toBe(400);
  });

  it('needs a caller, and a viewer may read it', async () => {
    const t = tag();
    await company(alice, `${t} seen`, 'contacted');
    expect((await app.request('/api/v1/pipeline/company/board')).status).toBe(401);
    expect(counts(await board(vic, 'company', t))).toEqual({ contacted: 1 });
    expect((await board(vic, 'deal', t)).total).toBe(0);
  });

  it('under record_visibility own, counts only the records each editor may see', async () => {
    const t = tag();
    const mineA = await company(alice, `${t} alice 1`, 'lead');
    await company(alice, `${t} alice 2`, 'contacted');
    const mineB = await company(bob, `${t} bob 1`, 'lead');
    await callApi(app, alice, 'POST', '/api/v1/deals', { name: `${t} alice deal`, company_id: mineA.id, value: '100.00' });
    await callApi(app, bob, 'POST', '/api/v1/deals', { name: `${t} bob deal`, company_id: mineB.id, value: '7.00' });
    await callApi(app, admin, 'PATCH', '/api/v1/settings', { record_visibility: 'own' });
    try {
      expect(counts(await board(alice, 'company', t))).toEqual({ lead: 1, contacted: 1 });
      expect(counts(await board(bob, 'company', t))).toEqual({ lead: 1 });
      expect(counts(await board(admin, 'company', t))).toEqual({ lead: 2, contacted: 1 });
      expect((await board(vic, 'company', t)).total).toBe(0);
      const discovery = async (who: SignedIn) => (await board(who, 'deal', t)).columns.find((c) => c.key === 'discovery')!.values;
      expect(await discovery(alice)).toEqual([{ currency: 'AUD', value: '100.00', count: 1 }]);
      expect(await discovery(bob)).toEqual([{ currency: 'AUD', value: '7.00', count: 1 }]);
      expect(await discovery(admin)).toEqual([{ currency: 'AUD', value: '107.00', count: 2 }]);
    } finally {
      await callApi(app, admin, 'PATCH', '/api/v1/settings', { record_visibility: 'all' });
    }
    expect(counts(await board(bob, 'company', t))).toEqual({ lead: 2, contacted: 1 });
  });

  it('shows records left in a retired stage in a column of their own', async () => {
    const t = tag();
    const c = await company(alice, `${t} paused one`, 'lead');
    await database().query("update companies set status = 'retired_status' where id = $1", [c.id]);
    const b = await board(alice, 'company', t);
    const last = b.columns.at(-1)!;
    expect(last).toMatchObject({ key: 'retired_status', label: 'retired_status', count: 1, retired: true });
    expect(last.next_statuses).toContain('lead');
    expect(b.total).toBe(1);
  });
});
