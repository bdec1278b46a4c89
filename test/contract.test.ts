/**
 * HTTP contract tests generated over every resource in the registry: the same create,
 * read, list, page, update, concurrency, archive, field-error and idempotency rules hold
 * for all of them. One database per backend; records accumulate across resources.
 */
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/api/app.ts';
import { operations, type OperationKind } from '../src/core/registry.ts';
import type { Resource, Row } from '../src/core/resource.ts';
import { resources } from '../src/core/resources.ts';
import { signIn } from './auth.ts';
import { counts, dbSuite } from './db.ts';
import {
  buildValid,
  insertDirect,
  pickChange,
  plainValue,
  requiredFields,
  tableName,
  wrongType,
  type ApiClient,
  type FactoryRefs,
} from './factories.ts';

type Reply = { status: number; headers: Headers; body: any };

const pascal = (s: string) => s.replace(/(^|_)([a-z])/g, (_, __, c: string) => c.toUpperCase());
const NOT_ROUTED = [404, 405];

function kindsOf(res: Resource): Set<OperationKind> {
  return new Set(operations.filter((o) => o.resource === res).map((o) => o.kind));
}

dbSuite('API contract', ({ database, ctx }) => {
  /** Every request as an administrator with an API key (auth itself is test/auth-http.test.ts). */
  let app: ApiClient;
  const internalErrors: unknown[] = [];
  beforeAll(async () => {
    app = await signIn(createApp({ database: database(), log: (_msg, err) => internalErrors.push(err) }), database());
  });
  const refs = (): FactoryRefs => ({ ctx: ctx(), app });

  async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> {
    const init: RequestInit = { method, headers: { ...headers } };
    if (body !== undefined) {
      init.body = typeof body === 'string' ? body : JSON.stringify(body);
      (init.headers as Record<string, string>)['content-type'] = 'application/json';
    }
    const r = await app.request(path, init);
    const text = await r.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      /* keep the text */
    }
    return { status: r.status, headers: r.headers, body: parsed };
  }

  async function dbRow(table: string, id: string): Promise<string | undefined> {
    const [row] = await database().query(`select * from "${table}" where id = $1`, [id]);
    return row ? JSON.stringify(row) : undefined;
  }

  function expectProblem(r: Reply, status: number, field?: string) {
    expect(r.status, JSON.stringify(r.body)).toBe(status);
    expect(r.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(r.body).toMatchObject({ status, code: expect.any(String), detail: expect.any(String) });
    if (field !== undefined) {
      expect((r.body.errors ?? []).map((e: { field: string }) => e.field), JSON.stringify(r.body)).toContain(field);
    }
  }

  it('/healthz answers', async () => {
    const r = await call('GET', '/healthz');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ status: 'ok', database: database().kind });
  });

  it('/api/openapi.json has a path for every operation and a schema for every resource', async () => {
    const r = await call('GET', '/api/openapi.json');
    expect(r.status).toBe(200);
    const doc = r.body as { paths: Record<string, Record<string, { operationId: string }>>; components: { schemas: Record<string, unknown> } };
    for (const op of operations) {
      expect(doc.paths[op.http.path]?.[op.http.method]?.operationId, `${op.name}: ${op.http.method} ${op.http.path}`).toBe(op.name);
    }
    for (const res of resources) {
      expect(doc.components.schemas[pascal(res.name)], res.name).toBeDefined();
      if (res.mode !== 'readonly') {
        expect(doc.components.schemas[`${pascal(res.name)}Create`], `${res.name} create`).toBeDefined();
      }
    }
  });

  for (const res of resources) {
    const table = tableName(res.table);
    const base = `/api/v1/${res.name}`;
    const kinds = kindsOf(res);
    const watched = [...new Set([table, 'audit_log', 'status_history', 'document_sequences', 'idempotency_keys'])];

    if (!kinds.has('create') && !kinds.has('update')) {
      describe(`${res.name} (read-only)`, () => {
        let seeded: Row;
        beforeAll(async () => {
          seeded = await insertDirect(ctx(), res.name, await buildValid(res.name, refs()));
        });

        it('GET list works and finds a system-written record', async () => {
          const all = await call('GET', base);
          expect(all.status).toBe(200);
          expect(all.body).toMatchObject({ items: expect.any(Array) });
          const r = await call('GET', `${base}?id[eq]=${String(seeded.id)}`);
          expect(r.status).toBe(200);
          expect(r.body.items.map((i: Row) => i.id)).toEqual([seeded.id]);
          for (const h of res.hidden) expect(r.body.items[0]).not.toHaveProperty(h);
        });

        it('GET one works', async () => {
          const r = await call('GET', `${base}/${String(seeded.id)}`);
          expect(r.status).toBe(200);
          expect(r.body.id).toBe(seeded.id);
          for (const h of res.hidden) expect(r.body).not.toHaveProperty(h);
        });

        it('POST, PATCH, DELETE, archive and restore are not routed and write nothing', async () => {
          const id = String(seeded.id);
          const before = await counts(database(), watched);
          const row = await dbRow(table, id);
          const attempts: [string, string, unknown][] = [
            ['POST', base, {}],
            ['POST', `${base}/bulk`, { items: [{}] }],
            ['PATCH', `${base}/${id}`, {}],
            ['DELETE', `${base}/${id}`, undefined],
            ['POST', `${base}/${id}/archive`, undefined],
            ['POST', `${base}/${id}/restore`, undefined],
          ];
          // A verb of its own may own the collection's POST (api_keys.create); the generic writes stay unrouted.
          const ownVerb = operations.some((o) => o.http.method === 'post' && o.http.path === base && o.kind === 'action');
          for (const [method, path, body] of attempts) {
            if (ownVerb && method === 'POST' && path === base) continue;
            const r = await call(method, path, body);
            expect(NOT_ROUTED, `${method} ${path}`).toContain(r.status);
          }
          expect(await counts(database(), watched)).toEqual(before);
          expect(await dbRow(table, id)).toBe(row);
        });
      });
      continue;
    }

    /** A new record as the API returns it: POSTed, or for records a verb of their own creates (users), written through the core. */
    async function make(): Promise<Row> {
      const payload = await buildValid(res.name, refs());
      if (kinds.has('create')) {
        const r = await call('POST', base, payload);
        expect(r.status, JSON.stringify(r.body)).toBe(201);
        return r.body as Row;
      }
      const row = await insertDirect(ctx(), res.name, payload);
      return (await call('GET', `${base}/${String(row.id)}`)).body as Row;
    }

    describe(res.name, () => {
      let created: Row;
      let etag: string | null;

      if (!kinds.has('create')) {
        it('is created by its own verb, not the generic create; GET returns it with an ETag', async () => {
          created = await make();
          const r = await call('GET', r0(created));
          expect(r.status).toBe(200);
          etag = r.headers.get('etag');
          expect(etag).toBe(`"${String(created.version)}"`);
          for (const h of res.hidden) expect(r.body).not.toHaveProperty(h);
          const bulk = await call('POST', `${base}/bulk`, { items: [{}] });
          expect(NOT_ROUTED).toContain(bulk.status);
        });
      } else it('POST creates it (201, Location, ETag) and audits it', async () => {
        const payload = await buildValid(res.name, refs());
        const r = await call('POST', base, payload);
        expect(r.status, JSON.stringify(r.body)).toBe(201);
        created = r.body as Row;
        expect(created.id).toEqual(expect.any(String));
        expect(r.headers.get('location')).toBe(`${base}/${String(created.id)}`);
        etag = r.headers.get('etag');
        if (res.hasVersion) {
          expect(created.version).toBe(1);
          expect(etag).toBe('"1"');
        } else {
          expect(etag).toBeNull();
        }
        for (const [k, v] of Object.entries(payload)) {
          if (typeof v === 'string' && res.fieldByName.get(k)?.kind !== 'timestamp') expect(created[k], k).toBe(v);
        }
        const audit = await database().query(`select action from audit_log where table_name = $1 and record_id = $2`, [res.name, created.id]);
        expect(audit.map((a) => a.action)).toEqual(['create']);
      });

      it('GET returns it with the same ETag', async () => {
        const r = await call('GET', r0(created));
        expect(r.status).toBe(200);
        expect(r.body).toEqual(created);
        expect(r.headers.get('etag')).toBe(etag);
      });

      it('the list finds it by id', async () => {
        const r = await call('GET', `${base}?id[eq]=${String(created.id)}`);
        expect(r.status).toBe(200);
        expect(r.body.items).toEqual([created]);
        expect(r.body.next_cursor).toBeNull();
      });

      if (res.search.length > 0) {
        it('q finds it by a searchable field', async () => {
          const field = res.search.find((n) => typeof created[n] === 'string' && (created[n] as string).length > 2);
          if (!field) return;
          const q = (created[field] as string).slice(1);
          const r = await call('GET', `${base}?q=${encodeURIComponent(q)}&limit=200`);
          expect(r.status).toBe(200);
          expect(r.body.items.map((i: Row) => i.id)).toContain(created.id);
        });
      }

      if (kinds.has('update')) {
        it('PATCH changes a field and bumps the version', async () => {
          const change = await pickChange(res, refs());
          expect(change, 'a writable field to change').toBeDefined();
          const r = await call('PATCH', r0(created), { [change!.field]: change!.value }, { 'if-match': etag! });
          expect(r.status, JSON.stringify(r.body)).toBe(200);
          expect(r.body[change!.field]).toEqual(change!.value);
          expect(r.body.version).toBe(2);
          expect(r.headers.get('etag')).toBe('"2"');
          created = r.body as Row;
          etag = r.headers.get('etag');
        });

        it('PATCH with a stale If-Match gets 412 and leaves the row unchanged', async () => {
          const change = await pickChange(res, refs());
          const before = await dbRow(table, String(created.id));
          const audits = await counts(database(), ['audit_log']);
          const r = await call('PATCH', r0(created), { [change!.field]: change!.value }, { 'if-match': '"1"' });
          expectProblem(r, 412);
          expect(r.body.code).toBe('PRECONDITION_FAILED');
          expect(await dbRow(table, String(created.id))).toBe(before);
          expect(await counts(database(), ['audit_log'])).toEqual(audits);
        });
      } else {
        it('PATCH, DELETE, archive and restore are not routed', async () => {
          const before = await dbRow(table, String(created.id));
          for (const [method, path] of [
            ['PATCH', r0(created)],
            ['DELETE', r0(created)],
            ['POST', `${r0(created)}/archive`],
            ['POST', `${r0(created)}/restore`],
          ] as const) {
            const r = await call(method, path, method === 'PATCH' ? { id: randomUUID() } : undefined);
            expect(NOT_ROUTED, `${method} ${path}`).toContain(r.status);
          }
          expect(await dbRow(table, String(created.id))).toBe(before);
        });
      }

      it('pagination with limit=1 walks every row exactly once', async () => {
        for (let i = 0; i < 2; i++) await make();
        const rows = await database().query<{ id: string }>(
          `select id from "${table}"${res.hasArchive ? ' where archived_at is null' : ''}`,
        );
        const expected = rows.map((r) => r.id).sort();
        const nullable = res.sortable.filter((s) => res.fieldByName.get(s)!.nullable);
        const sorts: (string | undefined)[] = [undefined, 'id', '-id'];
        if (nullable[0]) sorts.push(nullable[0], `-${nullable[0]}`);
        for (const sort of sorts) {
          const ids = await walk(base, sort, expected.length + 5);
          expect(ids.length, `sort ${sort ?? 'default'}: no row twice`).toBe(new Set(ids).size);
          expect([...ids].sort(), `sort ${sort ?? 'default'}`).toEqual(expected);
          if (expected.length <= 200) {
            const page = await call('GET', `${base}?limit=200${sort ? `&sort=${sort}` : ''}`);
            expect(page.body.items.map((i: Row) => i.id), `sort ${sort ?? 'default'}: same order as one page`).toEqual(ids);
          }
        }
      });

      it('every sortable column pages without skipping or repeating a row', async () => {
        const rows = await database().query<{ id: string }>(
          `select id from "${table}"${res.hasArchive ? ' where archived_at is null' : ''}`,
        );
        const expected = rows.map((r) => r.id).sort();
        // About four pages per walk: factory values tie a lot, so page edges fall inside ties.
        const limit = Math.max(2, Math.ceil(expected.length / 4));
        for (const col of res.sortable) {
          for (const sort of [col, `-${col}`]) {
            const ids = await walk(base, sort, expected.length + 5, limit);
            expect(ids.length, `sort ${sort}: no row twice`).toBe(new Set(ids).size);
            expect([...ids].sort(), `sort ${sort}: every row`).toEqual(expected);
          }
        }
      });

      if (kinds.has('bulk_create')) {
        it('bulk create stores what a single create stores, defaults included, in a mixed batch', async () => {
          // One row gives every defaulted optional field, the other leaves them out: the
          // left-out row must still get each column's default, as a single create does.
          const required = new Set(requiredFields(res).map((f) => f.name));
          const defaulted = res.writable.filter((f) => f.hasDefault && !required.has(f.name) && f.kind !== 'uuid');
          const rich = await buildValid(res.name, refs());
          for (const f of defaulted) {
            rich[f.name] = f.kind === 'text_array' ? ['x'] : f.kind === 'boolean' ? true : f.kind === 'json' ? { x: 1 } : plainValue(res, f);
          }
          const plain = await buildValid(res.name, refs());
          const one = await buildValid(res.name, refs());
          const single = await call('POST', base, one);
          expect(single.status, JSON.stringify(single.body)).toBe(201);
          const before = await counts(database(), [table]);
          const bulk = await call('POST', `${base}/bulk`, { items: [rich, plain] });
          expect(bulk.status, JSON.stringify(bulk.body)).toBe(201);
          expect(bulk.body.ids).toHaveLength(2);
          expect(await counts(database(), [table])).toEqual({ [table]: before[table]! + 2 });

          const [gotRich, gotPlain] = await Promise.all(bulk.body.ids.map((id: string) => call('GET', `${base}/${id}`)));
          for (const f of defaulted) expect(gotRich!.body[f.name], f.name).toEqual(rich[f.name]);
          // Defaults computed from the clock (now()) differ between two inserts; only their presence is compared.
          const clock = res.fields.filter((f) => f.kind === 'timestamp' && f.hasDefault).map((f) => f.name);
          const given = new Set([...Object.keys(one), 'id', 'created_at', 'updated_at', ...clock]);
          const defaults = (row: Row) => Object.fromEntries(Object.entries(row).filter(([k]) => !given.has(k)));
          expect(defaults(gotPlain!.body as Row)).toEqual(defaults(single.body as Row));
          for (const c of clock) expect(gotPlain!.body[c], c).not.toBeNull();
          for (const [k, v] of Object.entries(plain)) {
            if (typeof v === 'string' && res.fieldByName.get(k)?.kind !== 'timestamp') expect(gotPlain!.body[k], k).toBe(v);
          }
        });

        if (requiredFields(res).length === 0) {
          it('bulk create of rows that leave every field out creates them (as a single create of {} does)', async () => {
            const single = await call('POST', base, {});
            expect(single.status, JSON.stringify(single.body)).toBe(201);
            const bulk = await call('POST', `${base}/bulk`, { items: [{}, {}] });
            expect(bulk.status, JSON.stringify(bulk.body)).toBe(201);
            expect(bulk.body.ids).toHaveLength(2);
          });
        }
      }

      if (kinds.has('archive')) {
        it('archive hides it from the default list, archived=only shows it, restore brings it back', async () => {
          const id = String(created.id);
          const unchanged = await dbRow(table, id);
          expectProblem(await call('POST', `${base}/${id}/archive`, undefined, { 'if-match': '"1"' }), 412);
          expect(await dbRow(table, id), 'a stale archive changes nothing').toBe(unchanged);
          const a = await call('POST', `${base}/${id}/archive`, undefined, { 'if-match': etag! });
          expect(a.status, JSON.stringify(a.body)).toBe(200);
          expect(a.body.archived_at).not.toBeNull();
          expect(a.headers.get('etag')).toBe(`"${Number(created.version) + 1}"`);
          const hidden = await call('GET', `${base}?id[eq]=${id}`);
          expect(hidden.body.items).toEqual([]);
          const only = await call('GET', `${base}?id[eq]=${id}&archived=only`);
          expect(only.body.items.map((i: Row) => i.id)).toEqual([id]);
          const all = await call('GET', `${base}?archived=only&limit=200`);
          expect(all.body.items.every((i: Row) => i.archived_at !== null)).toBe(true);

          const r = await call('POST', `${base}/${id}/restore`, undefined, { 'if-match': a.headers.get('etag')! });
          expect(r.status, JSON.stringify(r.body)).toBe(200);
          expect(r.body.archived_at).toBeNull();
          const back = await call('GET', `${base}?id[eq]=${id}`);
          expect(back.body.items.map((i: Row) => i.id)).toEqual([id]);
          const [row] = await database().query(`select archived_at from "${table}" where id = $1`, [id]);
          expect(row!.archived_at).toBeNull();
          created = r.body as Row;
          etag = r.headers.get('etag');
        });
      }

      if (kinds.has('create')) describe('field errors are 400 problem+json naming the field, and nothing is written', () => {
        async function refused(mutate: (p: Row) => Row, field: string) {
          const payload = mutate(await buildValid(res.name, refs()));
          const before = await counts(database(), watched);
          const r = await call('POST', base, payload);
          expectProblem(r, 400, field);
          expect(await counts(database(), watched)).toEqual(before);
        }

        it('an unknown field', async () => {
          await refused((p) => ({ ...p, no_such_field: 'x' }), 'no_such_field');
        });

        it('a value of the wrong type', async () => {
          const candidates = [...requiredFields(res), ...res.writable].filter((f) => wrongType(f) !== undefined);
          const f = candidates[0];
          expect(f, 'a field that can get a wrong type').toBeDefined();
          await refused((p) => ({ ...p, [f!.name]: wrongType(f!) }), f!.name);
        });

        for (const [field, value] of [
          ['id', randomUUID()],
          ['version', 7],
          ['created_at', '2020-01-01T00:00:00.000Z'],
          ['archived_at', '2020-01-01T00:00:00.000Z'],
        ] as const) {
          it(`the system field ${field}`, async () => {
            await refused((p) => ({ ...p, [field]: value }), field);
          });
        }
      });

      if (kinds.has('create')) it('an Idempotency-Key replays the first response and refuses a different body', async () => {
        const key = `contract-${res.name}-${randomUUID()}`;
        const payload = await buildValid(res.name, refs());
        const before = await counts(database(), [table]);
        const first = await call('POST', base, payload, { 'idempotency-key': key });
        expect(first.status, JSON.stringify(first.body)).toBe(201);
        expect(first.headers.get('idempotent-replayed')).toBeNull();
        const second = await call('POST', base, payload, { 'idempotency-key': key });
        expect(second.status).toBe(201);
        expect(second.headers.get('idempotent-replayed')).toBe('true');
        expect(second.body).toEqual(first.body);
        expect(second.headers.get('location')).toBe(first.headers.get('location'));
        expect(second.headers.get('etag')).toBe(first.headers.get('etag'));
        expect(await counts(database(), [table])).toEqual({ [table]: before[table]! + 1 });

        const change = await pickChange(res, refs());
        const other = { ...(await buildValid(res.name, refs())), ...(change ? { [change.field]: change.value } : {}) };
        expect(other).not.toEqual(payload);
        const third = await call('POST', base, other, { 'idempotency-key': key });
        expectProblem(third, 409, 'Idempotency-Key');
        expect(await counts(database(), [table])).toEqual({ [table]: before[table]! + 1 });
      });

      if (kinds.has('delete')) {
        it('DELETE removes an unreferenced record', async () => {
          const made = await make();
          const d = await call('DELETE', r0(made));
          expect(d.status, JSON.stringify(d.body)).toBe(200);
          expect(d.body).toEqual({ id: made.id, deleted: true });
          expect(await dbRow(table, String(made.id))).toBeUndefined();
          expectProblem(await call('GET', r0(made)), 404);
        });
      } else if (kinds.has('update')) {
        it('DELETE is not routed (archive only)', async () => {
          const r = await call('DELETE', r0(created));
          expect(NOT_ROUTED).toContain(r.status);
          expect(await dbRow(table, String(created.id))).toBeDefined();
        });
      }
    });

    function r0(row: Row) {
      return `${base}/${String(row.id)}`;
    }
  }

  async function walk(base: string, sort: string | undefined, max: number, limit = 1): Promise<string[]> {
    const ids: string[] = [];
    let cursor: string | null = null;
    for (let i = 0; i <= max; i++) {
      const qs = new URLSearchParams({ limit: String(limit) });
      if (sort) qs.set('sort', sort);
      if (cursor) qs.set('cursor', cursor);
      const r = await call('GET', `${base}?${qs}`);
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      expect(r.body.items.length).toBeLessThanOrEqual(limit);
      ids.push(...r.body.items.map((x: Row) => x.id as string));
      cursor = r.body.next_cursor;
      if (!cursor) return ids;
    }
    throw new Error(`pagination of ${base} (sort ${sort ?? 'default'}) did not end after ${max} pages`);
  }

  it('no request failed with an internal error', () => {
    expect(internalErrors).toEqual([]);
  });
});
