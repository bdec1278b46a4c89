/**
 * Client AI usage (000 ai_usage) and its monthly rollup, and this system's LLM calls (003
 * llm_usage_logs): idempotent batch ingestion (JSON and CSV, core and HTTP), the rollup kept
 * equal to the raw rows (also under concurrent overlapping batches), every bad row refused
 * with nothing written, limits, permissions, visibility, audit, the rollup repair, and LLM
 * costs computed exactly from the price in force.
 */
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/api/app.ts';
import { LOCAL_OPERATOR, withTx, type Actor, type Ctx } from '../src/core/context.ts';
import type { AppError } from '../src/core/errors.ts';
import { userActor } from '../src/core/identity/actor.ts';
import { createUser } from '../src/core/identity/users.ts';
import { fromUnits, toUnits } from '../src/core/assessment/roi.ts';
import { llmCost, llmCostSummary, logLlmCall } from '../src/core/measurement/llm.ts';
import { readRow, UsageRowInput, usageKey } from '../src/core/measurement/usage-rows.ts';
import { usageSummary } from '../src/core/measurement/usage-summary.ts';
import { moveContactUsageToUnattributed } from '../src/core/measurement/usage-rollup.ts';
import { ingestUsage, rebuildUsageRollup, recordUsage } from '../src/core/measurement/usage.ts';
import { updateSettings } from '../src/core/platform/settings.ts';
import { invoke, operationByName } from '../src/core/registry.ts';
import { deleteRecord, insertRecord, type Row } from '../src/core/resource.ts';
import { resource } from '../src/core/resources.ts';
import type { Db } from '../src/db/client.ts';
import { FAST_IDENTITY, signIn } from './auth.ts';
import { counts, dbSuite } from './db.ts';
import { createCompany, createContact, firstStage } from './factories.ts';
import { refusal } from './refusal.ts';

const uniq = () => randomUUID().slice(0, 8);
/** Wednesday 18 November 2026, 09:00 UTC. */
const NOW = new Date('2026-11-18T09:00:00Z');
const fieldsOf = (e: AppError) => (e.details.fields ?? []).map((f) => f.field);
const TABLES = ['ai_usage', 'ai_usage_monthly', 'audit_log'];

describe('usage keys', () => {
  it('derive the same key from the same content, and another from any change', () => {
    const row = { engagement_id: randomUUID(), contact_id: null, usage_date: '2026-03-01', model: 'gpt', source: 'chat', tokens_used: 10 };
    expect(usageKey(row)).toBe(usageKey({ ...row }));
    expect(usageKey(row)).toMatch(/^auto:[0-9a-f]{64}$/);
    for (const change of [{ tokens_used: 11 }, { model: null }, { source: 'api' }, { usage_date: '2026-03-02' }, { contact_id: randomUUID() }]) {
      expect(usageKey({ ...row, ...change })).not.toBe(usageKey(row));
    }
  });
});

describe('usage row checks', () => {
  it('accept exactly what the row schema accepts (the fast path agrees with it)', () => {
    const e = randomUUID();
    const base = { engagement_id: e, usage_date: '2026-03-01', tokens_used: 5 };
    const cases: Record<string, unknown>[] = [
      base,
      { ...base, engagement_id: e.toUpperCase() },
      { ...base, engagement_id: '00000000-0000-0000-0000-000000000001' }, // no UUID version: refused
      { ...base, engagement_id: '6ba7b810-9dad-01d1-80b4-00c04fd430c8' },
      { ...base, company_id: null },
      { ...base, company_id: randomUUID(), contact_id: null },
      { ...base, contact_id: undefined },
      { ...base, contact_id: 'nope' },
      { ...base, usage_date: '2024-02-29' },
      { ...base, usage_date: '2023-02-29' },
      { ...base, usage_date: '1899-12-31' },
      { ...base, usage_date: '2200-12-31' },
      { ...base, usage_date: '2026-3-1' },
      { ...base, usage_date: '2026-03-01T00:00:00Z' },
      { ...base, tokens_used: 0 },
      { ...base, tokens_used: Number.MAX_SAFE_INTEGER },
      { ...base, tokens_used: Number.MAX_SAFE_INTEGER + 1 },
      { ...base, tokens_used: -0 },
      { ...base, tokens_used: Number.NaN },
      { ...base, tokens_used: '5' },
      { ...base, model: '', source: null, notes: '' },
      { ...base, source: 'x'.repeat(1000) },
      { ...base, source: 'x'.repeat(1001) },
      { ...base, idempotency_key: 'k'.repeat(1001) },
      { ...base, notes: 'nul \u0000 here' },
      { ...base, model: 42 },
      { ...base, idempotency_key: 'auto:x' },
      { ...base, idempotency_key: 'Auto:x' },
      { ...base, extra: undefined },
      { ...base, __proto__: { polluted: true } },
      JSON.parse(`{"engagement_id":"${e}","usage_date":"2026-03-01","tokens_used":1,"__proto__":{"x":1}}`),
    ];
    for (const row of cases) {
      const errors: { field: string; message: string }[] = [];
      const read = readRow(row, 'items[0]', undefined, errors);
      const schema = UsageRowInput.safeParse(row);
      expect(read !== undefined, JSON.stringify(row)).toBe(schema.success);
      expect(errors.length > 0).toBe(!schema.success);
      if (read && schema.success) {
        expect(read).toMatchObject({ ...schema.data, engagement_id: schema.data.engagement_id.toLowerCase(), company_id: schema.data.company_id ?? null, contact_id: schema.data.contact_id ?? null, idempotency_key: schema.data.idempotency_key ?? usageKey(read) });
      }
    }
  });
});

describe('LLM cost', () => {
  it('is exact and rounds once, half up, to 6 decimals', () => {
    // 1001 × 2.5 + 250 × 10 = 2502.5 + 2500 = 5002.5 micro-units per million → 0.0050025 → 0.005003
    expect(llmCost(1001, 250, { input_price_per_mtok: '2.500000', output_price_per_mtok: '10.000000' })).toBe('0.005003');
    // 1 × 0.000001 per million: 1e-12 → 0
    expect(llmCost(1, 0, { input_price_per_mtok: '0.000001', output_price_per_mtok: '0' })).toBe('0.000000');
    // 3 × 0.1 + 0 = 0.3 per million tokens of prompt: 3 × 0.1 / 1e6 = 0.0000003 → 0.000000; 5 × 0.1 → 0.0000005 → 0.000001
    expect(llmCost(3, 0, { input_price_per_mtok: '0.100000', output_price_per_mtok: '0' })).toBe('0.000000');
    expect(llmCost(5, 0, { input_price_per_mtok: '0.100000', output_price_per_mtok: '0' })).toBe('0.000001');
    // A million prompt tokens cost exactly the price.
    expect(llmCost(1_000_000, 1_000_000, { input_price_per_mtok: '3.000000', output_price_per_mtok: '15.000000' })).toBe('18.000000');
  });
});

dbSuite('AI usage and LLM calls', ({ database, ctx, backend }) => {
  const c = (actor?: Actor): Ctx => ctx({ now: () => NOW, ...(actor ? { actor } : {}) });
  let editor: Actor;
  let viewer: Actor;

  beforeAll(async () => {
    const mk = async (role: 'editor' | 'viewer') =>
      userActor(await createUser(ctx({ actor: LOCAL_OPERATOR }), { email: `${role}-${uniq()}@example.com`, name: `${role} ${uniq()}`, role, password: `pass phrase ${uniq()} ${uniq()}` }, FAST_IDENTITY));
    editor = await mk('editor');
    viewer = await mk('viewer');
  });

  /** A company with an engagement and two contacts. */
  async function client(x: Ctx = c()) {
    const company = await createCompany({ ctx: x });
    const engagement = await insertRecord(x, resource('engagements'), { company_id: company.id, name: `Programme ${uniq()}`, status: await firstStage(x, 'engagement') });
    const ann = await createContact({ ctx: x, parents: { companies: company.id as string } });
    const bob = await createContact({ ctx: x, parents: { companies: company.id as string } });
    return { company: company.id as string, engagement: engagement.id as string, ann: ann.id as string, bob: bob.id as string };
  }

  const query = <T = Row>(text: string, params?: unknown[]) => database().query<T>(text, params);
  /** The rollup rows of some engagements, in a stable order and text form. */
  const rollup = (engagements: string[]) =>
    query(
      `select engagement_id, company_id, contact_id, month::text as month, tokens_used::text as tokens, records::text as records
       from ai_usage_monthly where engagement_id = any($1::uuid[]) order by engagement_id, contact_id nulls first, month`,
      [engagements],
    );
  /** What the rollup must be: the raw rows grouped. */
  const expected = (engagements: string[]) =>
    query(
      `select engagement_id, company_id, contact_id, date_trunc('month', usage_date::timestamp)::date::text as month, sum(tokens_used)::text as tokens, count(*)::text as records
       from ai_usage where engagement_id = any($1::uuid[]) group by 1, 2, 3, 4 order by engagement_id, contact_id nulls first, month`,
      [engagements],
    );
  /** Until another session of this database waits on a lock (PostgreSQL only). */
  async function waitingOnLock() {
    for (let i = 0; i < 1000; i++) {
      const [r] = await query<{ n: number }>(`select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`);
      if (r!.n > 0) return;
      await new Promise((res) => setTimeout(res, 5));
    }
    throw new Error('the second batch never waited');
  }
  const ingestAudits = async () => Number((await query<{ n: number }>(`select count(*)::int as n from audit_log where operation = 'usage.ingest'`))[0]!.n);

  it('ingests a batch through the core: the company comes from the engagement, the rollup follows, and a second send adds nothing', async () => {
    const k = await client();
    const items = [
      { engagement_id: k.engagement, contact_id: k.ann, usage_date: '2026-03-02', tokens_used: 1200, model: 'gpt-4o', source: 'chat' },
      { engagement_id: k.engagement, contact_id: k.ann, usage_date: '2026-03-20', tokens_used: 800, model: 'gpt-4o', source: 'chat' },
      { engagement_id: k.engagement, contact_id: k.bob, usage_date: '2026-03-05', tokens_used: 50 },
      { engagement_id: k.engagement, contact_id: null, usage_date: '2026-03-31', tokens_used: 7, notes: 'shared account' },
      { engagement_id: k.engagement, usage_date: '2026-04-01', tokens_used: 0 },
      { engagement_id: k.engagement, company_id: k.company, contact_id: k.bob, usage_date: '2026-04-15', tokens_used: 300, idempotency_key: `bob-${k.bob}-0415` },
    ];
    const audits = await ingestAudits();
    expect(await ingestUsage(c(editor), { items })).toEqual({ received: 6, inserted: 6, duplicates: 0 });
    const stored = await query<{ company_id: string; idempotency_key: string }>(`select company_id, idempotency_key from ai_usage where engagement_id = $1`, [k.engagement]);
    expect(stored.map((r) => r.company_id)).toEqual(Array(6).fill(k.company));
    expect(stored.filter((r) => r.idempotency_key.startsWith('auto:'))).toHaveLength(5);
    expect(await rollup([k.engagement])).toEqual([
      { engagement_id: k.engagement, company_id: k.company, contact_id: null, month: '2026-03-01', tokens: '7', records: '1' },
      { engagement_id: k.engagement, company_id: k.company, contact_id: null, month: '2026-04-01', tokens: '0', records: '1' },
      ...[
        { engagement_id: k.engagement, company_id: k.company, contact_id: k.ann, month: '2026-03-01', tokens: '2000', records: '2' },
        { engagement_id: k.engagement, company_id: k.company, contact_id: k.bob, month: '2026-03-01', tokens: '50', records: '1' },
        { engagement_id: k.engagement, company_id: k.company, contact_id: k.bob, month: '2026-04-01', tokens: '300', records: '1' },
      ].sort((a, b) => a.contact_id.localeCompare(b.contact_id) || a.month.localeCompare(b.month)),
    ]);
    const before = await rollup([k.engagement]);
    const rows = await counts(database(), ['ai_usage']);
    expect(await ingestUsage(c(editor), { items })).toEqual({ received: 6, inserted: 0, duplicates: 6 });
    expect(await counts(database(), ['ai_usage'])).toEqual(rows);
    expect(await rollup([k.engagement])).toEqual(before);

    // One audit entry per ingest, not one per row.
    expect(await ingestAudits()).toBe(audits + 2);
    const entries = await query<{ action: string; table_name: string; actor_id: string; record_id: string | null; after: { inserted: number } }>(
      `select action, table_name, actor_id, record_id, after from audit_log where operation = 'usage.ingest' and after->'engagement_ids' ? $1`,
      [k.engagement],
    );
    expect(entries.sort((a, b) => b.after.inserted - a.after.inserted)).toEqual(
      [6, 0].map((inserted) => ({
        action: 'create',
        table_name: 'ai_usage',
        actor_id: editor.id,
        record_id: null,
        after: { received: 6, inserted, duplicates: 6 - inserted, engagement_ids: [k.engagement] },
      })),
    );
  });

  it('treats identical rows without a key as one row, rows with their own keys as many, and takes the request engagement as default', async () => {
    const k = await client();
    const row = { contact_id: k.ann, usage_date: '2026-05-04', tokens_used: 10, model: 'claude' };
    expect(await ingestUsage(c(), { engagement_id: k.engagement, items: [row, row, { ...row }] })).toEqual({ received: 3, inserted: 1, duplicates: 2 });
    expect(await ingestUsage(c(), { engagement_id: k.engagement, items: [{ ...row, idempotency_key: 'a' + k.ann }, { ...row, idempotency_key: 'b' + k.ann }] })).toEqual({ received: 2, inserted: 2, duplicates: 0 });
    // A key already stored wins over different content: the row is skipped.
    expect(await ingestUsage(c(), { engagement_id: k.engagement, items: [{ ...row, tokens_used: 99, idempotency_key: 'a' + k.ann }] })).toEqual({ received: 1, inserted: 0, duplicates: 1 });
    expect(await rollup([k.engagement])).toEqual([{ engagement_id: k.engagement, company_id: k.company, contact_id: k.ann, month: '2026-05-01', tokens: '30', records: '3' }]);
    // Text survives the array parameters whatever it holds.
    const odd = ['a\\b"c{d},e', 'NULL', ' spaced ', 'ünï©ødé ✓', "=HYPERLINK('x')", '', '"'];
    await ingestUsage(c(), { engagement_id: k.engagement, items: odd.map((notes, i) => ({ usage_date: '2026-05-05', tokens_used: i, model: notes, notes, idempotency_key: `odd-${k.engagement}-${i}` })) });
    const back = await query<{ model: string | null; notes: string | null }>(`select model, notes from ai_usage where idempotency_key like $1 order by tokens_used`, [`odd-${k.engagement}-%`]);
    expect(back).toEqual(odd.map((v) => ({ model: v === '' ? null : v, notes: v === '' ? null : v })));
  });

  it('records one row idempotently, returning the row stored before on a repeat', async () => {
    const k = await client();
    const row = { engagement_id: k.engagement, contact_id: k.bob, usage_date: '2026-06-09', tokens_used: 4321, source: 'ide' };
    const first = await recordUsage(c(editor), row);
    expect(first.duplicate).toBe(false);
    expect(first.record).toMatchObject({ engagement_id: k.engagement, company_id: k.company, contact_id: k.bob, usage_date: '2026-06-09', tokens_used: 4321, source: 'ide', model: null });
    expect(first.record.created_at).toEqual(NOW);
    const again = await recordUsage(c(editor), { ...row });
    expect(again).toEqual({ duplicate: true, record: first.record });
    expect(await rollup([k.engagement])).toEqual([{ engagement_id: k.engagement, company_id: k.company, contact_id: k.bob, month: '2026-06-01', tokens: '4321', records: '1' }]);
    const e = await refusal(recordUsage(c(), { ...row, tokens_used: -1, extra: 1 }));
    expect([e.code, fieldsOf(e).sort()]).toEqual(['VALIDATION', ['extra', 'tokens_used']]);
  });

  it('keeps the rollup equal to the raw rows after mixed batches across engagements, contacts, none, and months', async () => {
    const a = await client();
    const b = await client();
    const batch = (n: number, seed: number) =>
      Array.from({ length: n }, (_, i) => {
        const k = (i + seed) % 2 ? a : b;
        const who = [k.ann, k.bob, null][(i * 7 + seed) % 3];
        return { engagement_id: k.engagement, contact_id: who, usage_date: `2026-${String(1 + ((i + seed) % 4)).padStart(2, '0')}-${String(1 + ((i * 3) % 28)).padStart(2, '0')}`, tokens_used: (i * 37 + seed) % 1000, idempotency_key: `mix-${a.engagement}-${i + seed}` };
      });
    await ingestUsage(c(), { items: batch(300, 0) });
    await ingestUsage(c(), { items: batch(300, 150) }); // half overlaps the first
    await ingestUsage(c(), { items: [...batch(50, 1000), ...batch(20, 0)] });
    const raw = await query<{ n: number }>(`select count(*)::int as n from ai_usage where engagement_id = any($1::uuid[])`, [[a.engagement, b.engagement]]);
    expect(raw[0]!.n).toBe(500);
    const want = await expected([a.engagement, b.engagement]);
    expect(want.some((r) => r.contact_id === null)).toBe(true);
    expect(await rollup([a.engagement, b.engagement])).toEqual(want);
  });

  it('gives no duplicates and a consistent rollup when overlapping batches of several chunks run at once', async () => {
    const k = await client();
    const rows = Array.from({ length: 9_000 }, (_, i) => ({
      contact_id: [k.ann, k.bob, null][i % 3],
      usage_date: `2026-${String(1 + (i % 12)).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')}`,
      tokens_used: i,
      idempotency_key: `par-${k.engagement}-${i}`,
    }));
    const [x, y] = await Promise.all([
      ingestUsage(c(), { engagement_id: k.engagement, items: rows.slice(0, 6_000) }),
      ingestUsage(c(), { engagement_id: k.engagement, items: rows.slice(3_000) }),
    ]);
    expect(x!.inserted + y!.inserted).toBe(9_000);
    expect(x!.duplicates + y!.duplicates).toBe(3_000);
    const [n] = await query<{ n: number; keys: number }>(`select count(*)::int as n, count(distinct idempotency_key)::int as keys from ai_usage where engagement_id = $1`, [k.engagement]);
    expect(n).toEqual({ n: 9_000, keys: 9_000 });
    expect(await rollup([k.engagement])).toEqual(await expected([k.engagement]));
    const [sum] = await query<{ t: string; r: string }>(`select sum(tokens_used)::text as t, sum(records)::text as r from ai_usage_monthly where engagement_id = $1`, [k.engagement]);
    expect(sum).toEqual({ t: String((8_999 * 9_000) / 2), r: '9000' });
  });

  it('does not deadlock when a transaction that already added usage adds more while another batch waits on it', async () => {
    // The shape of a batch of several chunks (or usage.record inside a larger transaction):
    // the first holds the February rollup row when the second batch, holding its own new
    // keys, waits for that row; the first then meets those keys. Engagement locks order them.
    const k = await client();
    const rows = (tag: string) => Array.from({ length: 50 }, (_, i) => ({ usage_date: '2026-02-10', tokens_used: i, idempotency_key: `dl-${k.engagement}-${tag}-${i}` }));
    let other: Promise<unknown> | undefined;
    await database().db.transaction(async (t) => {
      const tx: Ctx = { ...c(), db: t as unknown as Db, inTx: true, onCommit: [] };
      await ingestUsage(tx, { engagement_id: k.engagement, items: rows('a') });
      other = ingestUsage(c(), { engagement_id: k.engagement, items: rows('b') });
      other.catch(() => {});
      if (backend === 'postgres') await waitingOnLock();
      expect(await ingestUsage(tx, { engagement_id: k.engagement, items: rows('b') })).toEqual({ received: 50, inserted: 50, duplicates: 0 });
    });
    expect(await other).toEqual({ received: 50, inserted: 0, duplicates: 50 });
    expect(await rollup([k.engagement])).toEqual(await expected([k.engagement]));
  });

  it('refuses bad rows with a field error per row and writes nothing', async () => {
    const k = await client();
    const other = await client();
    const ok = { engagement_id: k.engagement, usage_date: '2026-03-01', tokens_used: 1 };
    const before = await counts(database(), TABLES);
    const e = await refusal(
      ingestUsage(c(), {
        items: [
          ok,
          { ...ok, tokens_used: -5 },
          { ...ok, usage_date: '2026-02-31' },
          { ...ok, tokens_used: 1.5 },
          { ...ok, foo: 'bar' },
          { ...ok, contact_id: other.ann },
          { ...ok, company_id: other.company },
          { ...ok, engagement_id: randomUUID() },
          { ...ok, tokens_used: '12' },
          { ...ok, usage_date: '1 March 2026', tokens_used: 1e308 },
          { ...ok, contact_id: randomUUID() },
          { ...ok, idempotency_key: 'auto:mine' },
          'not a row',
          { usage_date: '2026-03-01', tokens_used: 1 },
        ],
      }),
    );
    expect(e.code).toBe('VALIDATION');
    expect(fieldsOf(e)).toEqual([
      'items[1].tokens_used',
      'items[2].usage_date',
      'items[3].tokens_used',
      'items[4].foo',
      'items[5].contact_id',
      'items[6].company_id',
      'items[7].engagement_id',
      'items[8].tokens_used',
      'items[9].usage_date',
      'items[9].tokens_used',
      'items[10].contact_id',
      'items[11].idempotency_key',
      'items[12]',
      'items[13].engagement_id',
    ]);
    expect(e.message).toMatch(/nothing was written/);
    expect(e.details.fields!.find((f) => f.field === 'items[5].contact_id')!.message).toMatch(/engagement's company/);
    expect(e.details.fields!.find((f) => f.field === 'items[7].engagement_id')!.message).toMatch(/does not name an engagement/);
    expect(await counts(database(), TABLES)).toEqual(before);

    // Lines of a CSV are named by their line number (the header is line 1).
    const csv = `engagement_id,contact_id,usage_date,tokens_used,notes\n${k.engagement},,2026-03-01,5,fine\n\n${k.engagement},${other.bob},2026-03-02,1,"two\nlines"\n${k.engagement},,2026-13-01,x,\n`;
    const f = await refusal(ingestUsage(c(), { csv }));
    expect(fieldsOf(f)).toEqual(['line 5: contact_id', 'line 6: usage_date', 'line 6: tokens_used']);
    const g = await refusal(ingestUsage(c(), { csv: `engagement_id,usage_date,tokens_used,role\n${k.engagement},2026-03-01,1,admin\n` }));
    expect([g.code, fieldsOf(g)]).toEqual(['VALIDATION', ['line 1: role']]);
    // More than 100 errors: the first 100 are listed, the message counts them all.
    const many = await refusal(ingestUsage(c(), { items: Array.from({ length: 150 }, () => ({ ...ok, tokens_used: -1 })) }));
    expect([many.details.fields!.length, many.details.error_count, many.message]).toEqual([100, 150, '150 field errors in the batch; nothing was written']);
    // The request: neither or both of items and csv, an empty batch.
    expect(fieldsOf(await refusal(ingestUsage(c(), {})))).toEqual(['items']);
    expect(fieldsOf(await refusal(ingestUsage(c(), { items: [ok], csv: 'x' })))).toEqual(['csv']);
    expect(fieldsOf(await refusal(ingestUsage(c(), { items: [] })))).toEqual(['items']);
    expect(fieldsOf(await refusal(ingestUsage(c(), { csv: 'engagement_id,usage_date,tokens_used\n' })))).toEqual(['csv']);
    expect(fieldsOf(await refusal(ingestUsage(c(), { engagement_id: randomUUID(), items: [{ usage_date: '2026-03-01', tokens_used: 1 }] })))).toEqual(['engagement_id', 'items[0].engagement_id']);
    expect(await counts(database(), TABLES)).toEqual(before);
  });

  it('refuses more than 10,000 rows with LIMIT_EXCEEDED, and a malformed CSV with VALIDATION', async () => {
    const k = await client();
    const before = await counts(database(), TABLES);
    const row = { usage_date: '2026-03-01', tokens_used: 1 };
    const big = await refusal(ingestUsage(c(), { engagement_id: k.engagement, items: Array.from({ length: 10_001 }, (_, i) => ({ ...row, idempotency_key: `big-${i}` })) }));
    expect(big.code).toBe('LIMIT_EXCEEDED');
    expect(big.message).toMatch(/at most 10000.*split/);
    const bigCsv = `usage_date,tokens_used\n${'2026-03-01,1\n'.repeat(10_001)}`;
    expect((await refusal(ingestUsage(c(), { engagement_id: k.engagement, csv: bigCsv }))).code).toBe('LIMIT_EXCEEDED');
    for (const bad of [
      `engagement_id,usage_date,tokens_used\n${k.engagement},2026-03-01,"5\n`,
      `engagement_id,usage_date,tokens_used\n${k.engagement},2026-03-01,5,extra\n`,
      `engagement_id,usage_date,tokens_used\n"${k.engagement}"x,2026-03-01,5\n`,
      '',
    ]) {
      const e = await refusal(ingestUsage(c(), { csv: bad }));
      expect(e.code, bad).toBe('VALIDATION');
    }
    expect(await counts(database(), TABLES)).toEqual(before);
  });

  it('refuses an engagement or contact the caller cannot see, as if it did not exist', async () => {
    const admin = c();
    const theirs = await client(admin);
    const me = await createUser(admin, { email: `own-${uniq()}@example.com`, name: `Own ${uniq()}`, role: 'editor', password: `pass phrase ${uniq()} ${uniq()}` }, FAST_IDENTITY);
    const own = c(userActor(me));
    await updateSettings(admin, { record_visibility: 'own' });
    try {
      const mine = await client(own);
      const before = await counts(database(), TABLES);
      const e = await refusal(ingestUsage(own, { items: [{ engagement_id: theirs.engagement, usage_date: '2026-03-01', tokens_used: 1 }] }));
      expect(e.details.fields).toEqual([{ field: 'items[0].engagement_id', message: 'does not name an engagement that you can see' }]);
      const t = await refusal(ingestUsage(own, { engagement_id: theirs.engagement, items: [{ usage_date: '2026-03-01', tokens_used: 1 }] }));
      expect(fieldsOf(t)).toEqual(['engagement_id', 'items[0].engagement_id']);
      expect(await counts(database(), TABLES)).toEqual(before);
      expect(await ingestUsage(own, { engagement_id: mine.engagement, items: [{ contact_id: mine.ann, usage_date: '2026-03-01', tokens_used: 9 }] })).toMatchObject({ inserted: 1 });
      await ingestUsage(admin, { engagement_id: theirs.engagement, items: [{ usage_date: '2026-03-01', tokens_used: 5 }] });
      // The summary shows only what the caller may see; another's engagement is not found.
      const s = await usageSummary(own, { from: '2026-03', to: '2026-03' });
      expect(s.total).toEqual({ tokens_used: 9, records: 1 });
      expect(s.contacts.map((x) => x.contact_id)).toEqual([mine.ann]);
      expect((await refusal(usageSummary(own, { engagement_id: theirs.engagement }))).code).toBe('NOT_FOUND');
      // A key already used by a record the caller cannot see is a conflict, and shows nothing of that record.
      await recordUsage(admin, { engagement_id: theirs.engagement, usage_date: '2026-03-02', tokens_used: 3, idempotency_key: `shared-${theirs.engagement}` });
      const clash = await refusal(recordUsage(own, { engagement_id: mine.engagement, usage_date: '2026-03-02', tokens_used: 3, idempotency_key: `shared-${theirs.engagement}` }));
      expect([clash.code, fieldsOf(clash), JSON.stringify(clash.details).includes(theirs.engagement.slice(0, 8))]).toEqual(['CONFLICT', ['idempotency_key'], false]);
    } finally {
      await updateSettings(admin, { record_visibility: 'all' });
    }
  });

  it('summarises tokens per month and per contact from the rollup', async () => {
    const k = await client();
    await ingestUsage(c(), {
      engagement_id: k.engagement,
      items: [
        { contact_id: k.ann, usage_date: '2026-01-10', tokens_used: 100 },
        { contact_id: k.ann, usage_date: '2026-02-10', tokens_used: 200 },
        { contact_id: k.bob, usage_date: '2026-02-11', tokens_used: 50 },
        { usage_date: '2026-02-12', tokens_used: 5 },
        { contact_id: k.bob, usage_date: '2026-03-01', tokens_used: 1000 },
      ],
    });
    const s = await usageSummary(c(viewer), { engagement_id: k.engagement, from: '2026-02', to: '2026-03' });
    expect(s.total).toEqual({ tokens_used: 1255, records: 4 });
    expect(s.months.map((m) => [m.month, m.tokens_used, m.records, m.contacts.length])).toEqual([
      ['2026-02', 255, 3, 3],
      ['2026-03', 1000, 1, 1],
    ]);
    expect(s.months[0]!.contacts[0]).toMatchObject({ contact_id: null, name: null, tokens_used: 5 });
    expect(s.contacts.map((x) => [x.contact_id, x.tokens_used])).toEqual([
      [k.bob, 1050],
      [k.ann, 200],
      [null, 5],
    ]);
    expect(typeof s.contacts[0]!.name).toBe('string');
    expect(fieldsOf(await refusal(usageSummary(c(), { from: '2026-13' })))).toEqual(['from']);
    expect(fieldsOf(await refusal(usageSummary(c(), { from: '2026-03', to: '2026-02' })))).toEqual(['to']);
  });

  it('rebuilds a rollup that was tampered with, for one engagement or all, administrators only', async () => {
    const k = await client();
    const other = await client();
    const items = [
      { contact_id: k.ann, usage_date: '2026-07-01', tokens_used: 10 },
      { contact_id: k.bob, usage_date: '2026-07-02', tokens_used: 20 },
      { usage_date: '2026-08-03', tokens_used: 30 },
    ];
    await ingestUsage(c(), { engagement_id: k.engagement, items });
    await ingestUsage(c(), { engagement_id: other.engagement, items: [{ usage_date: '2026-07-01', tokens_used: 1 }] });
    const good = await rollup([k.engagement, other.engagement]);
    await query(`update ai_usage_monthly set tokens_used = 999 where engagement_id = $1 and contact_id = $2`, [k.engagement, k.ann]);
    await query(`delete from ai_usage_monthly where engagement_id = $1 and contact_id is null`, [k.engagement]);
    await query(`insert into ai_usage_monthly (engagement_id, company_id, contact_id, month, tokens_used, records) values ($1, $2, $3, '2026-01-01', 5, 1)`, [k.engagement, k.company, k.bob]);
    await query(`update ai_usage_monthly set records = 7 where engagement_id = $1`, [other.engagement]);

    expect((await refusal(invoke(operationByName.get('usage.rebuild_rollup')!, c(editor), { engagement_id: k.engagement }))).code).toBe('FORBIDDEN');
    expect((await refusal(rebuildUsageRollup(c(), { engagement_id: randomUUID() }))).code).toBe('NOT_FOUND');
    const r = await invoke(operationByName.get('usage.rebuild_rollup')!, c(), { engagement_id: k.engagement });
    expect(r).toEqual({ engagement_id: k.engagement, rows: 3, corrected: 3, tokens_used: 60, records: 3 });
    expect(await rollup([k.engagement])).toEqual(good.filter((x) => x.engagement_id === k.engagement));
    expect((await rollup([other.engagement]))[0]!.records).toBe('7'); // only the engagement asked for
    const all = (await rebuildUsageRollup(c(), {})) as { engagement_id: null; corrected: number };
    expect([all.engagement_id, all.corrected]).toEqual([null, 1]);
    expect(await rollup([k.engagement, other.engagement])).toEqual(good);
    const audit = await query<{ action: string; table_name: string; after: { corrected: number } }>(
      `select action, table_name, after from audit_log where operation = 'usage.rebuild_rollup' order by (after->>'corrected')::int desc`,
    );
    expect(audit.map((x) => [x.action, x.table_name, x.after.corrected])).toEqual([
      ['update', 'ai_usage_monthly', 3],
      ['update', 'ai_usage_monthly', 1],
    ]);
  });

  it('keeps the rollup equal to the raw rows when a contact is deleted, once its usage moves to the unattributed row', async () => {
    const k = await client();
    await ingestUsage(c(), {
      engagement_id: k.engagement,
      items: [
        { contact_id: k.ann, usage_date: '2026-07-01', tokens_used: 10 },
        { contact_id: k.ann, usage_date: '2026-08-01', tokens_used: 20 },
        { usage_date: '2026-07-09', tokens_used: 5 },
        { contact_id: k.bob, usage_date: '2026-07-01', tokens_used: 1 },
      ],
    });
    await withTx(c(), async (tx) => {
      await moveContactUsageToUnattributed(tx, k.ann);
      await deleteRecord(tx, resource('contacts'), k.ann);
    });
    expect(await rollup([k.engagement])).toEqual(await expected([k.engagement]));
    expect((await rollup([k.engagement])).map((r) => [r.contact_id, r.month, r.tokens])).toEqual([
      [null, '2026-07-01', '15'],
      [null, '2026-08-01', '20'],
      [k.bob, '2026-07-01', '1'],
    ]);
  });

  it('refuses viewers every write, and lets them read the summaries', async () => {
    const k = await client();
    const before = await counts(database(), [...TABLES.slice(0, 2), 'llm_usage_logs']);
    const row = { engagement_id: k.engagement, usage_date: '2026-03-01', tokens_used: 1 };
    for (const [name, input] of [
      ['usage.ingest', { items: [row] }],
      ['usage.record', row],
      ['usage.rebuild_rollup', {}],
      ['llm.log_call', { workflow_name: 'w', node_name: 'n', model: 'm', prompt_tokens: 1, completion_tokens: 1, latency_ms: 1, cost: '0.1' }],
    ] as const) {
      const e = await refusal(invoke(operationByName.get(name)!, c(viewer), input));
      expect(e.code, name).toBe('FORBIDDEN');
    }
    expect(await counts(database(), [...TABLES.slice(0, 2), 'llm_usage_logs'])).toEqual(before);
    await invoke(operationByName.get('usage.summary')!, c(viewer), { engagement_id: k.engagement });
    await invoke(operationByName.get('llm.cost_summary')!, c(viewer), {});
  });

  it('runs through HTTP: JSON and CSV batches, one record, the summary, and refusals with problem bodies', async () => {
    const app = createApp({ database: database(), timeZone: 'UTC', identity: FAST_IDENTITY });
    const ed = await signIn(app, database(), 'editor');
    const vw = await signIn(app, database(), 'viewer');
    const send = async (who: typeof ed, method: string, path: string, body?: unknown) => {
      const r = await who.request(path, body === undefined ? { method } : { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      return { status: r.status, body: (await r.json()) as any };
    };
    const k = await client();
    const items = [
      { contact_id: k.ann, usage_date: '2026-09-01', tokens_used: 11 },
      { contact_id: null, usage_date: '2026-09-02', tokens_used: 22 },
    ];
    const before = await counts(database(), TABLES.slice(0, 2));
    const denied = await send(vw, 'POST', '/api/v1/ai_usage/ingest', { engagement_id: k.engagement, items });
    expect([denied.status, denied.body.code]).toEqual([403, 'FORBIDDEN']);
    expect((await send(vw, 'POST', '/api/v1/ai_usage', { engagement_id: k.engagement, ...items[0] })).status).toBe(403);
    expect((await send(ed, 'POST', '/api/v1/ai_usage_monthly/rebuild', {})).status).toBe(403);
    expect(await counts(database(), TABLES.slice(0, 2))).toEqual(before);

    const first = await send(ed, 'POST', '/api/v1/ai_usage/ingest', { engagement_id: k.engagement, items });
    expect([first.status, first.body]).toEqual([201, { received: 2, inserted: 2, duplicates: 0 }]);
    expect((await send(ed, 'POST', '/api/v1/ai_usage/ingest', { engagement_id: k.engagement, items })).body).toEqual({ received: 2, inserted: 0, duplicates: 2 });

    const csv = `engagement_id,contact_id,usage_date,tokens_used,model,notes\n${k.engagement},${k.bob},2026-09-03,33,gpt-4o,"said ""hi"", twice"\n${k.engagement},,2026-10-01,44,,\n`;
    const viaCsv = await send(ed, 'POST', '/api/v1/ai_usage/ingest', { csv });
    expect([viaCsv.status, viaCsv.body]).toEqual([201, { received: 2, inserted: 2, duplicates: 0 }]);
    expect((await send(ed, 'POST', '/api/v1/ai_usage/ingest', { csv })).body).toEqual({ received: 2, inserted: 0, duplicates: 2 });
    const [note] = await query<{ notes: string }>(`select notes from ai_usage where engagement_id = $1 and contact_id = $2`, [k.engagement, k.bob]);
    expect(note!.notes).toBe('said "hi", twice');

    const one = await send(ed, 'POST', '/api/v1/ai_usage', { engagement_id: k.engagement, contact_id: k.ann, usage_date: '2026-10-02', tokens_used: 55 });
    expect([one.status, one.body.duplicate, one.body.record.tokens_used]).toEqual([201, false, 55]);
    const repeat = await send(ed, 'POST', '/api/v1/ai_usage', { engagement_id: k.engagement, contact_id: k.ann, usage_date: '2026-10-02', tokens_used: 55 });
    expect([repeat.body.duplicate, repeat.body.record.id]).toEqual([true, one.body.record.id]);

    const bad = await send(ed, 'POST', '/api/v1/ai_usage/ingest', { engagement_id: k.engagement, items: [{ usage_date: '2026-02-30', tokens_used: -1 }] });
    expect([bad.status, bad.body.code, bad.body.errors.map((x: { field: string }) => x.field)]).toEqual([400, 'VALIDATION', ['items[0].usage_date', 'items[0].tokens_used']]);
    const broken = await send(ed, 'POST', '/api/v1/ai_usage/ingest', { csv: 'engagement_id,usage_date,tokens_used\n"oops,2026-01-01,1\n' });
    expect([broken.status, broken.body.code]).toEqual([400, 'VALIDATION']);
    expect((await send(ed, 'POST', '/api/v1/ai_usage/bulk', { items })).status).toBe(404);

    const s = await send(vw, 'GET', `/api/v1/usage/summary?engagement_id=${k.engagement}&from=2026-09&to=2026-10`);
    expect(s.status).toBe(200);
    expect(s.body.total).toEqual({ tokens_used: 165, records: 5 });
    expect(s.body.months.map((m: { month: string; tokens_used: number }) => [m.month, m.tokens_used])).toEqual([
      ['2026-09', 66],
      ['2026-10', 99],
    ]);
    expect((await send(vw, 'GET', `/api/v1/usage/summary?engagement_id=${randomUUID()}`)).status).toBe(404);
    expect((await send(vw, 'GET', '/api/v1/usage/summary?from=2026-9')).status).toBe(400);
    expect(await rollup([k.engagement])).toEqual(await expected([k.engagement]));
  });

  describe('LLM calls', () => {
    const model = `model-${uniq()}`;
    const call = { workflow_name: 'lead-scoring', node_name: 'summarise', model, prompt_tokens: 1001, completion_tokens: 250, latency_ms: 840 };

    beforeAll(async () => {
      const price = (provider: string, m: string, effective_from: string, input: string, output: string) =>
        insertRecord(c(), resource('llm_model_prices'), { provider, model: m, effective_from, input_price_per_mtok: input, output_price_per_mtok: output });
      await price('acme', model, '2026-01-01', '3.000000', '15.000000');
      await price('acme', model, '2026-06-01', '2.500000', '10.000000');
      await price('acme', model, '2026-12-01', '1.000000', '1.000000'); // not yet in force on 18 November
      await price('acme', `${model}-dual`, '2026-01-01', '1.000000', '1.000000');
      await price('other', `${model}-dual`, '2026-01-01', '2.000000', '2.000000');
    });

    it('computes the cost exactly from the price in force on the day of the call', async () => {
      // 18 November: the 1 June price. 1001 × 2.5 + 250 × 10 = 5002.5 millionths of a dollar per million → 0.005003
      const logged = await logLlmCall(c(editor), call);
      expect(logged).toMatchObject({ cost: '0.005003', currency: 'USD', provider: 'acme', total_tokens: 1251, status: 'success' });
      expect(logged.created_at).toEqual(NOW);
      // 15 March: the 1 January price. 1001 × 3 + 250 × 15 = 3003 + 3750 = 6753 → 0.006753
      const march = await logLlmCall(ctx({ now: () => new Date('2026-03-15T12:00:00Z') }), call);
      expect(march.cost).toBe('0.006753');
      // 31 May 23:30 UTC is already 1 June in Auckland: the new price applies there.
      const auckland = await logLlmCall(ctx({ now: () => new Date('2026-05-31T23:30:00Z'), timeZone: 'Pacific/Auckland' }), call);
      expect(auckland.cost).toBe('0.005003');
      const utc = await logLlmCall(ctx({ now: () => new Date('2026-05-31T23:30:00Z') }), call);
      expect(utc.cost).toBe('0.006753');
      // A given cost is kept; the total defaults to the sum and may be given when it equals it.
      expect((await logLlmCall(c(), { ...call, total_tokens: 1251, cost: '0.12', status: 'error', error: 'timeout' })).cost).toBe('0.120000');
      // The same model from two providers needs the provider named.
      const dual = await refusal(logLlmCall(c(), { ...call, model: `${model}-dual` }));
      expect(fieldsOf(dual)).toEqual(['provider']);
      expect((await logLlmCall(c(), { ...call, model: `${model}-dual`, provider: 'other' })).cost).toBe('0.002502'); // 1251 × 2 = 2502
      const audit = await query<{ action: string; table_name: string; record_id: string; actor_id: string }>(
        `select action, table_name, record_id, actor_id from audit_log where operation = 'llm.log_call' and record_id = $1`,
        [logged.id],
      );
      expect(audit).toEqual([{ action: 'create', table_name: 'llm_usage_logs', record_id: logged.id, actor_id: editor.id }]);
    });

    it('refuses a total that is not the sum, a call with no price and no cost, and other bad values', async () => {
      const before = await counts(database(), ['llm_usage_logs']);
      const mismatch = await refusal(logLlmCall(c(), { ...call, total_tokens: 1250 }));
      expect([mismatch.code, fieldsOf(mismatch)]).toEqual(['VALIDATION', ['total_tokens']]);
      const unpriced = await refusal(logLlmCall(c(), { ...call, model: `unpriced-${uniq()}` }));
      expect([unpriced.code, fieldsOf(unpriced)]).toEqual(['VALIDATION', ['cost']]);
      expect(unpriced.details.fields![0]!.message).toMatch(/give the cost or add a price/);
      // Before any price was in force.
      expect(fieldsOf(await refusal(logLlmCall(ctx({ now: () => new Date('2025-12-31T12:00:00Z') }), call)))).toEqual(['cost']);
      expect(fieldsOf(await refusal(logLlmCall(c(), { ...call, provider: 'nobody' })))).toEqual(['cost']);
      const bad = await refusal(logLlmCall(c(), { ...call, prompt_tokens: -1, latency_ms: 1.5, cost: '1e3', currency: 'EUR', status: 'maybe', id: randomUUID() }));
      expect(fieldsOf(bad).sort()).toEqual(['cost', 'currency', 'id', 'latency_ms', 'prompt_tokens', 'status']);
      expect(fieldsOf(await refusal(logLlmCall(c(), { ...call, currency: 'AUD' })))).toEqual(['currency']);
      expect(fieldsOf(await refusal(logLlmCall(c(), { ...call, entity_id: randomUUID() })))).toEqual(['entity_type']);
      expect(fieldsOf(await refusal(logLlmCall(c(), { ...call, entity_type: 'leads', entity_id: randomUUID() })))).toEqual(['entity_id']);
      expect(fieldsOf(await refusal(logLlmCall(c(), { ...call, entity_type: 'nothing' })))).toEqual(['entity_type']);
      expect(await counts(database(), ['llm_usage_logs'])).toEqual(before);
    });

    it('sums cost and tokens per workflow and model over a range of days, exactly', async () => {
      const wf = `wf-${uniq()}`;
      const day = (iso: string) => ctx({ now: () => new Date(iso) });
      await logLlmCall(day('2026-10-01T10:00:00Z'), { ...call, workflow_name: wf, cost: '0.100001' });
      await logLlmCall(day('2026-10-02T10:00:00Z'), { ...call, workflow_name: wf, cost: '0.200002', status: 'error' });
      await logLlmCall(day('2026-10-03T10:00:00Z'), { ...call, workflow_name: wf, model: 'other-model', cost: '1.000000' });
      await logLlmCall(day('2026-10-05T10:00:00Z'), { ...call, workflow_name: wf, cost: '5.000000' }); // outside the range
      const s = await llmCostSummary(c(viewer), { from: '2026-10-01', to: '2026-10-04' });
      const mine = s.items.filter((i) => i.workflow_name === wf);
      expect(mine).toEqual([
        { workflow_name: wf, model: 'other-model', currency: 'USD', calls: 1, errors: 0, prompt_tokens: 1001, completion_tokens: 250, total_tokens: 1251, cost: '1.000000' },
        { workflow_name: wf, model, currency: 'USD', calls: 2, errors: 1, prompt_tokens: 2002, completion_tokens: 500, total_tokens: 2502, cost: '0.300003' },
      ]);
      const usd = s.totals.find((t) => t.currency === 'USD')!;
      expect(usd.cost).toBe(fromUnits(s.items.filter((i) => i.currency === 'USD').reduce((a, i) => a + toUnits(i.cost, 6), 0n), 6));
      expect(fieldsOf(await refusal(llmCostSummary(c(), { from: '2026-02-30' })))).toEqual(['from']);
      const app = createApp({ database: database(), timeZone: 'UTC', identity: FAST_IDENTITY });
      const vw = await signIn(app, database(), 'viewer');
      const r = await vw.request(`/api/v1/llm/summary?from=2026-10-01&to=2026-10-04`);
      expect(r.status).toBe(200);
      expect(((await r.json()) as { items: unknown[] }).items.filter((i) => (i as { workflow_name: string }).workflow_name === wf)).toEqual(mine);
      const ed = await signIn(app, database(), 'editor');
      const posted = await ed.request('/api/v1/llm_usage_logs/log', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(call) });
      expect(posted.status).toBe(201);
      expect(((await posted.json()) as { cost: string }).cost).toBe('0.005003');
    });
  });
});

