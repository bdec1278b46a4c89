/**
 * TRUST.md's bad inputs on the surfaces that exist today (the HTTP API, as an administrator
 * with an API key; authentication itself is test/auth-http.test.ts): each is refused with a 4xx that names the field, never a 500, and nothing is written
 * anywhere (every table is counted before and after).
 */
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/api/app.ts';
import type { Row } from '../src/core/resource.ts';
import { signIn } from './auth.ts';
import { dbSuite } from './db.ts';
import { buildValid, createCompany, createValid, type ApiClient, type FactoryRefs } from './factories.ts';

type Reply = { status: number; headers: Headers; text: string; body: any };

const LEAKS = ['select ', 'insert ', 'update ', 'at async', '.ts:', 'node_modules', 'violates', 'constraint "'];

dbSuite('TRUST: bad input', ({ database, ctx }) => {
  let app: ApiClient;
  let tables: string[] = [];
  const internalErrors: unknown[] = [];
  const errorBodies: { what: string; sent: string; text: string }[] = [];

  beforeAll(async () => {
    app = await signIn(createApp({ database: database(), log: (_msg, err) => internalErrors.push(err) }), database());
    const rows = await database().query<{ tablename: string }>(
      `select tablename from pg_tables where schemaname = 'public' order by tablename`,
    );
    tables = rows.map((r) => r.tablename);
  });
  const refs = (): FactoryRefs => ({ ctx: ctx(), app });

  /** A JSON body is sent as is when it is a string (malformed JSON, raw numbers, `__proto__`). */
  async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> {
    const init: RequestInit = { method, headers: { ...headers } };
    if (body !== undefined) {
      init.body = typeof body === 'string' ? body : JSON.stringify(body);
      const h = init.headers as Record<string, string>;
      if (!Object.keys(h).some((k) => k.toLowerCase() === 'content-type')) h['content-type'] = 'application/json';
    }
    const r = await app.request(path, init);
    const text = await r.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    if (r.status >= 400) {
      const sent = `${decodeURIComponent(path)}\n${typeof init.body === 'string' ? init.body : ''}`;
      errorBodies.push({ what: `${method} ${path.slice(0, 120)}`, sent: sent.toLowerCase(), text });
    }
    return { status: r.status, headers: r.headers, text, body: parsed };
  }

  function expectProblem(r: Reply, status: number, field?: string) {
    expect(r.status, r.text.slice(0, 500)).toBe(status);
    expect(r.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(r.body).toMatchObject({ status, code: expect.any(String), detail: expect.any(String), request_id: expect.any(String) });
    if (field !== undefined) {
      expect((r.body.errors ?? []).map((e: { field: string }) => e.field), r.text.slice(0, 500)).toContain(field);
    }
  }

  async function dbRow(table: string, id: unknown): Promise<string | undefined> {
    const [row] = await database().query(`select * from "${table}" where id = $1`, [id]);
    return row ? JSON.stringify(row) : undefined;
  }

  /** Sends a request that must be refused; asserts the problem, the field, and that no table changed. */
  async function refused(
    method: string,
    path: string,
    body: unknown,
    status: number,
    field?: string,
    headers: Record<string, string> = {},
  ): Promise<Reply> {
    const before = await countAll();
    const r = await call(method, path, body, headers);
    expectProblem(r, status, field);
    expect(await countAll()).toEqual(before);
    return r;
  }

  /** Row counts of every table in one query (the same as `counts` over all tables, faster). */
  async function countAll(): Promise<Record<string, number>> {
    const sql = tables.map((t) => `select '${t}' as t, count(*)::int as n from "${t}"`).join(' union all ');
    const rows = await database().query<{ t: string; n: number }>(sql);
    return Object.fromEntries(rows.map((r) => [r.t, r.n]));
  }

  async function tableExists(name: string) {
    const [r] = await database().query<{ t: string | null }>(`select to_regclass($1)::text as t`, [name]);
    return r!.t !== null;
  }

  describe('injection in sorting and filtering', () => {
    beforeAll(async () => {
      await database().query('create table if not exists x (id int)');
      await createCompany(refs());
      await createCompany(refs());
    });

    for (const sort of ['name;drop table x', '-name;drop table x--', 'name desc; drop table x', '(select 1)', 'name,id', 'password_hash']) {
      it(`sort=${sort} is 400 and runs nothing`, async () => {
        await refused('GET', `/api/v1/companies?sort=${encodeURIComponent(sort)}`, undefined, 400, 'sort');
        expect(await tableExists('x')).toBe(true);
        expect(await tableExists('companies')).toBe(true);
      });
    }

    it('an operator outside the allow-list (name[foo]=1) is 400 naming the field', async () => {
      await refused('GET', '/api/v1/companies?name[foo]=1', undefined, 400, 'name');
    });

    it('a filter on an unknown field is 400 naming it', async () => {
      await refused('GET', '/api/v1/companies?no_such_field=1', undefined, 400, 'no_such_field');
    });

    it('a filter on a hidden column (users.password_hash) is 400, so it cannot be probed', async () => {
      await refused('GET', '/api/v1/users?password_hash=x', undefined, 400, 'password_hash');
      await refused('GET', `/api/v1/users?${encodeURIComponent('password_hash[like]')}=%25`, undefined, 400, 'password_hash');
      await refused('GET', '/api/v1/users?sort=password_hash', undefined, 400, 'sort');
    });

    it('a filter key carrying SQL is 400 and runs nothing', async () => {
      for (const key of ['name;drop table x', 'name) or (1=1', 'name[eq];drop', 'NAME']) {
        await refused('GET', `/api/v1/companies?${encodeURIComponent(key)}=1`, undefined, 400, key);
      }
      expect(await tableExists('x')).toBe(true);
    });

    it('filter values are bound as parameters', async () => {
      const r = await call('GET', `/api/v1/companies?name=${encodeURIComponent("x' or '1'='1")}`);
      expect(r.status).toBe(200);
      expect(r.body.items).toEqual([]);
      const like = await call('GET', `/api/v1/companies?${encodeURIComponent('name[like]')}=${encodeURIComponent("%'; drop table x; --")}`);
      expect(like.status).toBe(200);
      expect(like.body.items).toEqual([]);
      expect(await tableExists('x')).toBe(true);
    });

    it('a cursor from another sort order is 400 naming the cursor', async () => {
      const first = await call('GET', '/api/v1/companies?sort=name&limit=1');
      expect(first.status).toBe(200);
      const cursor = first.body.next_cursor as string;
      expect(cursor).toEqual(expect.any(String));
      await refused('GET', `/api/v1/companies?sort=-created_at&cursor=${encodeURIComponent(cursor)}`, undefined, 400, 'cursor');
      await refused('GET', `/api/v1/companies?cursor=${encodeURIComponent(cursor)}`, undefined, 400, 'cursor');
      await refused('GET', '/api/v1/companies?sort=name&cursor=not-a-cursor', undefined, 400, 'cursor');
    });

    it('a forged cursor carrying SQL or a wrong-typed value is bound or refused, never run', async () => {
      const forge = (c: unknown) => Buffer.from(JSON.stringify(c)).toString('base64url');
      const sqlIn = await call('GET', `/api/v1/companies?sort=name&cursor=${forge({ s: 'name', v: "z'); drop table x; --", id: randomUUID() })}`);
      expect(sqlIn.status).toBe(200);
      expect(await tableExists('x')).toBe(true);
      const badDate = await call('GET', `/api/v1/companies?cursor=${forge({ s: '-created_at', v: 'not a date', id: randomUUID() })}`);
      expect(badDate.status).toBeGreaterThanOrEqual(400);
      expect(badDate.status).toBeLessThan(500);
    });
  });

  describe('unbounded requests', () => {
    beforeAll(async () => {
      const items = Array.from({ length: 205 }, (_, i) => ({ note_text: `note ${i}` }));
      const r = await call('POST', '/api/v1/notes/bulk', { items });
      expect(r.status, r.text.slice(0, 300)).toBe(201);
    });

    it('limit=100000 is clamped to 200', async () => {
      const r = await call('GET', '/api/v1/notes?limit=100000');
      expect(r.status).toBe(200);
      expect(r.body.items).toHaveLength(200);
      expect(r.body.next_cursor).toEqual(expect.any(String));
    });

    it('limit=1000000 is clamped to 200', async () => {
      const r = await call('GET', '/api/v1/notes?limit=1000000');
      expect(r.status, r.text.slice(0, 300)).toBe(200);
      expect(r.body.items).toHaveLength(200);
      expect(r.body.next_cursor).toEqual(expect.any(String));
    });

    it('a 2 MB body is 413 from the body limit and writes nothing', async () => {
      await refused('POST', '/api/v1/companies', { name: 'x'.repeat(2_000_000) }, 413);
    });
  });

  describe('invalid values are 4xx naming the field, never 500, nothing written', () => {
    it('an unknown enum value', async () => {
      await refused('POST', '/api/v1/companies', { name: 'Acme', source: 'carrier_pigeon' }, 400, 'source');
    });

    it('an unknown pipeline status', async () => {
      await refused('POST', '/api/v1/companies', { name: 'Acme', status: 'banana' }, 400, 'status');
    });

    it('negative money (deals.value) on create and on PATCH', async () => {
      const payload = await buildValid('deals', refs());
      await refused('POST', '/api/v1/deals', { ...payload, value: '-5.00' }, 400, 'value');
      await refused('POST', '/api/v1/deals', { ...payload, value: -5 }, 400, 'value');
      const deal = await createValid('deals', refs());
      const before = await dbRow('deals', deal.id);
      await refused('PATCH', `/api/v1/deals/${String(deal.id)}`, { value: '-1.00' }, 400, 'value');
      expect(await dbRow('deals', deal.id)).toBe(before);
    });

    it("'NaN', 'Infinity' and 1e308 as money", async () => {
      const payload = await buildValid('deals', refs());
      await refused('POST', '/api/v1/deals', { ...payload, value: 'NaN' }, 400, 'value');
      await refused('POST', '/api/v1/deals', { ...payload, value: 'Infinity' }, 400, 'value');
      await refused('POST', '/api/v1/deals', JSON.stringify({ ...payload, value: 1e308 }), 400, 'value');
    });

    it("1e308 and 'NaN' for an integer", async () => {
      await refused('POST', '/api/v1/companies', '{"name":"Acme","employee_count":1e308}', 400, 'employee_count');
      await refused('POST', '/api/v1/companies', { name: 'Acme', employee_count: 'NaN' }, 400, 'employee_count');
      await refused('POST', '/api/v1/companies', { name: 'Acme', employee_count: 1.5 }, 400, 'employee_count');
    });

    it('1e308 for a bigint (ai_usage.tokens_used)', async () => {
      const payload = await buildValid('ai_usage', refs());
      await refused('POST', '/api/v1/ai_usage', JSON.stringify({ ...payload, tokens_used: 1e308 }), 400, 'tokens_used');
    });

    it('2026-02-31 as a date and as a date-time', async () => {
      await refused('POST', '/api/v1/companies', { name: 'Acme', contract_start_date: '2026-02-31' }, 400, 'contract_start_date');
      const event = await buildValid('events', refs());
      await refused('POST', '/api/v1/events', { ...event, event_date: '2026-02-31T10:00:00Z' }, 400, 'event_date');
    });

    it('a 200 KB name is a field error', async () => {
      await refused('POST', '/api/v1/companies', { name: 'x'.repeat(200_000) }, 400, 'name');
    });

    it('a __proto__ key at the top level', async () => {
      await refused('POST', '/api/v1/companies', '{"name":"Acme","__proto__":{"polluted":true}}', 400, '__proto__');
      expect(({} as Row).polluted).toBeUndefined();
    });

    it('a __proto__ key nested in a jsonb field (events.target_industries)', async () => {
      const event = await buildValid('events', refs());
      const raw = JSON.stringify(event).replace(/}$/, ',"target_industries":{"a":{"__proto__":{"polluted":true}}}}');
      await refused('POST', '/api/v1/events', raw, 400, 'target_industries');
      const top = JSON.stringify(event).replace(/}$/, ',"target_industries":{"__proto__":{"polluted":true}}}');
      await refused('POST', '/api/v1/events', top, 400, 'target_industries');
      expect(({} as Row).polluted).toBeUndefined();
    });

    it('a constructor.prototype key nested in a jsonb field', async () => {
      const event = await buildValid('events', refs());
      await refused('POST', '/api/v1/events', { ...event, target_industries: { constructor: { prototype: { polluted: true } } } }, 400, 'target_industries');
    });

    it('a reference to a record that does not exist', async () => {
      await refused('POST', '/api/v1/deals', { name: 'Deal', company_id: randomUUID() }, 400, 'company_id');
    });

    it('a duplicate of a unique value is 409 naming the field', async () => {
      const name = `Industry ${randomUUID()}`;
      expect((await call('POST', '/api/v1/industries', { name })).status).toBe(201);
      await refused('POST', '/api/v1/industries', { name: name.toUpperCase() }, 409, 'name');
    });
  });

  describe('mass assignment on PATCH', () => {
    let company: Row;
    beforeAll(async () => {
      company = await createCompany(refs());
    });

    for (const [field, value] of [
      ['id', randomUUID()],
      ['created_at', '2001-01-01T00:00:00.000Z'],
      ['archived_at', '2001-01-01T00:00:00.000Z'],
      ['version', 99],
      ['updated_at', '2001-01-01T00:00:00.000Z'],
      ['domain', 'evil.example'],
      ['health_score', 100],
    ] as const) {
      it(`${field} is a field error and the row is unchanged`, async () => {
        const before = await dbRow('companies', company.id);
        await refused('PATCH', `/api/v1/companies/${String(company.id)}`, { name: 'Renamed', [field]: value }, 400, field);
        expect(await dbRow('companies', company.id)).toBe(before);
      });
    }
  });

  describe('malformed requests', () => {
    let company: Row;
    beforeAll(async () => {
      company = await createCompany(refs());
    });

    it('a malformed JSON body is 400', async () => {
      await refused('POST', '/api/v1/companies', '{"name": "Acme",', 400, 'body');
      await refused('POST', '/api/v1/companies', '', 400, 'body');
      const before = await dbRow('companies', company.id);
      await refused('PATCH', `/api/v1/companies/${String(company.id)}`, '{"name": ', 400, 'body');
      expect(await dbRow('companies', company.id)).toBe(before);
    });

    it('a body that is not an object is 400', async () => {
      await refused('POST', '/api/v1/companies', '[{"name":"Acme"}]', 400, 'body');
      await refused('POST', '/api/v1/companies', 'null', 400, 'body');
      await refused('POST', '/api/v1/companies', '"Acme"', 400, 'body');
    });

    it('a wrong content type is 400', async () => {
      await refused('POST', '/api/v1/companies', '{"name":"Acme"}', 400, 'body', { 'content-type': 'text/plain' });
      await refused('POST', '/api/v1/companies', 'name=Acme', 400, 'body', { 'content-type': 'application/x-www-form-urlencoded' });
      const before = await dbRow('companies', company.id);
      await refused('PATCH', `/api/v1/companies/${String(company.id)}`, '{"name":"B"}', 400, 'body', { 'content-type': 'text/plain' });
      expect(await dbRow('companies', company.id)).toBe(before);
    });

    it('an If-Match that is not one of our ETags is 400', async () => {
      await refused('PATCH', `/api/v1/companies/${String(company.id)}`, { name: 'B' }, 400, 'If-Match', { 'if-match': '"abc"' });
    });

    it('a non-UUID id in the path is 404 (not 400, not 500) on every verb, and writes nothing', async () => {
      const attempts: [string, string, unknown][] = [
        ['GET', '', undefined],
        ['PATCH', '', { name: 'B' }],
        ['DELETE', '', undefined],
        ['POST', '/archive', undefined],
        ['POST', '/restore', undefined],
      ];
      const seen: string[] = [];
      for (const id of ['not-a-uuid', "1' or '1'='1", 'bulk']) {
        for (const [method, suffix, body] of attempts) {
          const before = await countAll();
          const r = await call(method, `/api/v1/companies/${encodeURIComponent(id)}${suffix}`, body);
          expect(r.status, `${method} …/${id}${suffix}`).toBeLessThan(500);
          expect(r.headers.get('content-type')).toMatch(/^application\/problem\+json/);
          expect(await countAll()).toEqual(before);
          seen.push(`${method} /api/v1/companies/${id}${suffix} → ${r.status}`);
        }
      }
      expect(seen.filter((s) => !s.endsWith('→ 404')), 'requests that did not answer 404').toEqual([]);
    });

    it('an unknown UUID in the path is 404', async () => {
      await refused('GET', `/api/v1/companies/${randomUUID()}`, undefined, 404);
      await refused('PATCH', `/api/v1/companies/${randomUUID()}`, { name: 'B' }, 404);
    });
  });

  describe('retries', () => {
    it('a refused POST with an Idempotency-Key leaves no key behind, so the corrected retry creates one record', async () => {
      const key = `trust-${randomUUID()}`;
      await refused('POST', '/api/v1/companies', { name: 'Acme', source: 'carrier_pigeon' }, 400, 'source', { 'idempotency-key': key });
      const ok = await call('POST', '/api/v1/companies', { name: 'Acme' }, { 'idempotency-key': key });
      expect(ok.status, ok.text).toBe(201);
      const again = await call('POST', '/api/v1/companies', { name: 'Acme' }, { 'idempotency-key': key });
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      expect(again.body.id).toBe(ok.body.id);
      await refused('POST', '/api/v1/contacts', { name: 'Acme' }, 409, 'Idempotency-Key', { 'idempotency-key': key });
    });

    it('an Idempotency-Key that is too long or not visible ASCII is 400', async () => {
      await refused('POST', '/api/v1/companies', { name: 'Acme' }, 400, 'Idempotency-Key', { 'idempotency-key': 'k'.repeat(201) });
    });
  });

  describe('pipeline rules', () => {
    it('an illegal company status move by PATCH is 409 listing the allowed next statuses; the row is unchanged', async () => {
      const company = await createCompany(refs());
      expect(company.status).toBe('lead');
      const before = await dbRow('companies', company.id);
      const r = await refused('PATCH', `/api/v1/companies/${String(company.id)}`, { status: 'go' }, 409, 'status');
      expect(r.body.code).toBe('CONFLICT');
      expect(r.body.allowed).toEqual(['contacted', 'meeting_scheduled', 'lost']);
      expect(await dbRow('companies', company.id)).toBe(before);
      const ok = await call('PATCH', `/api/v1/companies/${String(company.id)}`, { status: 'contacted' });
      expect(ok.status).toBe(200);
      expect(ok.body.status).toBe('contacted');
    });
  });

  describe('what errors reveal', () => {
    it('no error body contains SQL text or a stack trace', () => {
      expect(errorBodies.length).toBeGreaterThan(40);
      for (const { what, sent, text } of errorBodies) {
        const lower = text.toLowerCase();
        // Echoing the client's own input back (`cannot sort by (select 1)`) reveals nothing.
        for (const leak of LEAKS.filter((l) => !sent.includes(l))) {
          expect(lower.includes(leak), `${what} leaks "${leak}": ${text.slice(0, 300)}`).toBe(false);
        }
      }
    });

    it('no request failed with an internal error', () => {
      expect(internalErrors).toEqual([]);
    });
  });
});
