/**
 * TRUST.md's failure classes on the MCP surface: what test/mcp-safety.test.ts (roles,
 * visibility of reads, dry runs, confirmation, stored text as data, caps, rate limits, audit,
 * the endpoint's 401/403/405) and test/mcp-journey.test.ts (the whole workflow) do not try.
 * Over streamable HTTP with the SDK's client, and with raw JSON-RPC posted to /mcp where a
 * client library would not send it: mass assignment through create and update, invalid values,
 * protocol abuse (bodies that are not JSON, batches, bodies over the limit, arguments that are
 * not an object), another user's record ids through the generic tools, a refusal after a
 * write in the same operation, two agents writing the same version at once; and, once, the
 * stdio server against a data directory a running server holds, and the stdio bridge with a
 * bad key. Every refusal is checked in the database: the row as it was, nothing written.
 */
import { spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import type http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/api/app.ts';
import { callApi, FAST_IDENTITY, signIn, type SignedIn } from './auth.ts';
import { counts, dbSuite } from './db.ts';
import { BIN, connectMcp, exited, serveApp, startServe, stopServer } from './servers.ts';

type App = ReturnType<typeof createApp>;
type Json = Record<string, any>;
type AuditRow = { id: string; action: string; table_name: string; record_id: string | null; operation: string | null; after: Json | null };


/** Tables a refused call must leave as they were. */
const TABLES = ['companies', 'contacts', 'engagements', 'events', 'invoices', 'proposals', 'go_no_go_decisions', 'training_sessions', 'training_attendance', 'status_history', 'notes', 'document_sequences'];

/** A well-formed API key that no server issued. */
const BAD_KEY = 'tl_0000000000_' + 'a'.repeat(43);

const uniq = () => randomBytes(4).toString('hex');

async function callTool(client: Client, name: string, args: Json = {}): Promise<CallToolResult> {
  return (await client.callTool({ name, arguments: args }, undefined, { timeout: 120_000 })) as CallToolResult;
}

/** A successful tool result: its structured content. */
async function ok(client: Client, name: string, args: Json = {}): Promise<Json> {
  const r = await callTool(client, name, args);
  expect(r.isError, `${name}: ${JSON.stringify(r.structuredContent ?? r.content).slice(0, 2000)}`).toBeFalsy();
  return r.structuredContent as Json;
}

/** A tool error: isError, a readable text, structuredContent.error {code, message, fields?}, no stack. */
function toolError(r: CallToolResult | Json, what: string): Json {
  expect(r.isError, `${what} should fail: ${JSON.stringify(r.structuredContent).slice(0, 2000)}`).toBe(true);
  const error = (r.structuredContent as Json).error as Json;
  expect(typeof error.code).toBe('string');
  expect(typeof error.message).toBe('string');
  const text = (r.content as Array<{ type: string; text?: string }>).find((c) => c.type === 'text');
  expect(text?.text?.startsWith(`${error.code}: `)).toBe(true);
  expect(JSON.stringify(r).slice(0, 100_000)).not.toMatch(/\bat [\w.<>]+ \(|node_modules|\.ts:\d+/);
  return error;
}

async function fails(client: Client, name: string, args: Json = {}): Promise<Json> {
  return toolError(await callTool(client, name, args), name);
}

const fieldsOf = (error: Json) => ((error.fields ?? []) as Array<{ field: string; message: string }>).map((f) => f.field);

dbSuite('MCP trust', ({ database }) => {
  let app: App;
  let server: http.Server;
  let base: string;
  let admin: SignedIn;
  let editor: SignedIn;
  let bob: SignedIn;
  let editorAgent: Client;
  let bobAgent: Client;
  const clients: Client[] = [];
  const servers: http.Server[] = [];
  /** Whatever the app logged as an unexpected (internal) error. */
  const internal: unknown[] = [];

  const api = (who: SignedIn, method: string, url: string, body?: unknown, status?: number) => callApi(app, who, method, url, body, status);
  const connect = async (who: SignedIn, at = base) => {
    const client = await connectMcp(at, who.key);
    clients.push(client);
    return client;
  };
  /** The row as the database holds it, every column. */
  const dbRow = async (table: string, id: string): Promise<string | undefined> => {
    const [row] = await database().query(`select * from "${table}" where id = $1`, [id]);
    return row ? JSON.stringify(row) : undefined;
  };
  /** Row counts, and the document numbers taken (a refused invoice must give its number back). */
  const state = async () => ({
    counts: await counts(database(), TABLES),
    sequences: await database().query('select kind, year, last_value from document_sequences order by kind, year'),
  });
  const auditIds = async () => new Set((await database().query<{ id: string }>('select id from audit_log')).map((r) => r.id));
  const auditSince = async (before: Set<string>): Promise<AuditRow[]> =>
    (await database().query<AuditRow>('select id, action, table_name, record_id, operation, after from audit_log order by at, id')).filter((r) => !before.has(r.id));
  const setVisibility = (mode: 'own' | 'all') => api(admin, 'PATCH', '/api/v1/settings', { record_visibility: mode }, 200);

  /** A raw POST to /mcp: the body exactly as given. */
  const post = (body: string, opts: { key?: string; at?: string; contentType?: string } = {}) =>
    fetch(`${opts.at ?? base}/mcp`, {
      method: 'POST',
      headers: { authorization: `Bearer ${opts.key ?? editor.key}`, 'content-type': opts.contentType ?? 'application/json', accept: 'application/json, text/event-stream' },
      body,
    });
  /** A tools/call as raw JSON-RPC text, with `args` spliced in as given (so `__proto__` survives). */
  const rawCall = (name: string, argsJson: string, id: number | string = 1) => `{"jsonrpc":"2.0","id":${JSON.stringify(id)},"method":"tools/call","params":{"name":${JSON.stringify(name)},"arguments":${argsJson}}}`;
  const rawResult = async (r: Response): Promise<Json> => {
    const text = await r.text();
    expect(r.status, text.slice(0, 2000)).toBe(200);
    const body = JSON.parse(text) as Json;
    expect(body.error, text.slice(0, 2000)).toBeUndefined();
    return body.result as Json;
  };

  beforeAll(async () => {
    app = createApp({ database: database(), identity: FAST_IDENTITY, log: (_msg, err) => internal.push(err) });
    ({ server, base } = await serveApp(app));
    servers.push(server);
    admin = await signIn(app, database(), 'admin');
    editor = await signIn(app, database(), 'editor');
    bob = await signIn(app, database(), 'editor');
    editorAgent = await connect(editor);
    bobAgent = await connect(bob);
  });

  afterAll(async () => {
    for (const client of clients) await client.close().catch(() => {});
    for (const s of servers) await stopServer(s);
  });

  describe('mass assignment', () => {
    let company: Json;
    const SYSTEM: Array<[string, unknown]> = [
      ['id', randomUUID()],
      ['version', 99],
      ['created_at', '2001-01-01T00:00:00.000Z'],
      ['updated_at', '2001-01-01T00:00:00.000Z'],
      ['archived_at', '2001-01-01T00:00:00.000Z'],
      ['owner_id', randomUUID()],
    ];

    beforeAll(async () => {
      company = (await ok(editorAgent, 'log_prospect', { company: { name: `Assigned Works ${uniq()}` } })).company;
    });

    for (const [field, value] of SYSTEM) {
      it(`update with ${field} in data is a VALIDATION error naming ${field}, and the row is unchanged`, async () => {
        const before = await dbRow('companies', company.id);
        const error = await fails(editorAgent, 'update', { table: 'companies', id: company.id, data: { name: 'Renamed By Agent', [field]: value } });
        expect(error.code).toBe('VALIDATION');
        expect(fieldsOf(error)).toEqual([field]);
        expect(await dbRow('companies', company.id)).toBe(before);
      });
    }

    it('update with every system field at once names each of them; owner_id points to reassign', async () => {
      const before = await dbRow('companies', company.id);
      const data = Object.fromEntries([...SYSTEM, ['notes', 'a legitimate change']]);
      const error = await fails(editorAgent, 'update', { table: 'companies', id: company.id, data, expected_version: company.version });
      expect(error.code).toBe('VALIDATION');
      expect(fieldsOf(error).sort()).toEqual(SYSTEM.map(([f]) => f).sort());
      expect(error.fields.find((f: Json) => f.field === 'owner_id').message).toContain('companies.reassign');
      expect(await dbRow('companies', company.id)).toBe(before);
    });

    it('act companies.update is held to the same rule', async () => {
      const before = await dbRow('companies', company.id);
      const error = await fails(editorAgent, 'act', { action: 'companies.update', input: { id: company.id, data: { owner_id: bob.user.id, version: 7 } } });
      expect([error.code, fieldsOf(error).sort()]).toEqual(['VALIDATION', ['owner_id', 'version']]);
      expect(await dbRow('companies', company.id)).toBe(before);
    });

    it('create and log_prospect with system fields are VALIDATION errors naming each, and nothing is written', async () => {
      const before = await state();
      const name = `Assigned New ${uniq()}`;
      const data = Object.fromEntries([...SYSTEM, ['name', name]]);
      const created = await fails(editorAgent, 'create', { table: 'companies', data });
      expect(created.code).toBe('VALIDATION');
      expect(fieldsOf(created).sort()).toEqual(SYSTEM.map(([f]) => f).sort());
      const logged = await fails(editorAgent, 'log_prospect', { company: data, contact: { name: 'Pat Planted', owner_id: bob.user.id, id: randomUUID() } });
      expect(logged.code).toBe('VALIDATION');
      expect(fieldsOf(logged)).toEqual(expect.arrayContaining([...SYSTEM.map(([f]) => `company.${f}`)]));
      expect(await state()).toEqual(before);
      expect(await database().query('select id from companies where name = $1', [name])).toEqual([]);
    });
  });

  describe('invalid values', () => {
    let company: Json;

    beforeAll(async () => {
      company = (await ok(editorAgent, 'log_prospect', { company: { name: `Valued Works ${uniq()}` } })).company;
    });

    /** The call is refused with VALIDATION naming `field`, and no table changed. */
    const refused = async (name: string, args: Json, field: string) => {
      const before = await state();
      const error = await fails(editorAgent, name, args);
      expect(error.code, JSON.stringify(error).slice(0, 500)).toBe('VALIDATION');
      expect(fieldsOf(error), JSON.stringify(error).slice(0, 500)).toContain(field);
      expect(await state()).toEqual(before);
      return error;
    };

    it('an unknown enum value, through create and log_prospect', async () => {
      await refused('create', { table: 'companies', data: { name: `Pigeon ${uniq()}`, source: 'carrier_pigeon' } }, 'source');
      await refused('log_prospect', { company: { name: `Pigeon ${uniq()}`, source: 'carrier_pigeon' } }, 'company.source');
      await refused('create', { table: 'invoices', data: { company_id: company.id, invoice_type: 'bribe', amount: '10.00' } }, 'invoice_type');
    });

    it('negative money is refused and gives back the invoice number it took', async () => {
      await refused('create', { table: 'engagements', data: { name: `Negative ${uniq()}`, company_id: company.id, monthly_fee: '-5.00' } }, 'monthly_fee');
      await refused('create', { table: 'engagements', data: { name: `Negative ${uniq()}`, company_id: company.id, monthly_fee: -5 } }, 'monthly_fee');
      await refused('create', { table: 'invoices', data: { company_id: company.id, invoice_type: 'monthly', amount: '-1.00', issue_date: '2026-03-01' } }, 'amount');
      // The next valid invoice takes the number the refused one would have had.
      const [seq] = await database().query<{ last_value: number }>("select last_value from document_sequences where kind = 'invoice' and year = 2026");
      const invoice = await ok(editorAgent, 'create', { table: 'invoices', data: { company_id: company.id, invoice_type: 'monthly', amount: '1.00', issue_date: '2026-03-01' } });
      expect(invoice.invoice_number).toBe(`INV-2026-${String((seq?.last_value ?? 0) + 1).padStart(3, '0')}`);
    });

    it("money that is not a decimal amount: 'lots', 'NaN', 'Infinity', '1e308', the number 1e308, three decimals", async () => {
      for (const amount of ['lots', 'NaN', 'Infinity', '1e308', 1e308, '12.345']) {
        await refused('create', { table: 'invoices', data: { company_id: company.id, invoice_type: 'monthly', amount } }, 'amount');
        await refused('create', { table: 'engagements', data: { name: `Fee ${uniq()}`, company_id: company.id, monthly_fee: amount } }, 'monthly_fee');
      }
    });

    it("'NaN' and 1e308 for a whole number, through create and log_prospect", async () => {
      await refused('create', { table: 'companies', data: { name: `Counted ${uniq()}`, employee_count: 1e308 } }, 'employee_count');
      await refused('create', { table: 'companies', data: { name: `Counted ${uniq()}`, employee_count: 'NaN' } }, 'employee_count');
      await refused('log_prospect', { company: { name: `Counted ${uniq()}`, employee_count: 1e308 } }, 'company.employee_count');
    });

    it('2026-02-31 as a date, through create, update and log_prospect', async () => {
      await refused('create', { table: 'companies', data: { name: `Leap ${uniq()}`, contract_start_date: '2026-02-31' } }, 'contract_start_date');
      await refused('log_prospect', { company: { name: `Leap ${uniq()}`, contract_start_date: '2026-02-31' } }, 'company.contract_start_date');
      const before = await dbRow('companies', company.id);
      await refused('update', { table: 'companies', id: company.id, data: { contract_start_date: '2026-02-31' } }, 'contract_start_date');
      expect(await dbRow('companies', company.id)).toBe(before);
    });

    it('a 2 MB string in a text field is a field error, and the audit row keeps only its size', async () => {
      const huge = 'x'.repeat(2 * 1024 * 1024);
      const audit = await auditIds();
      await refused('create', { table: 'companies', data: { name: `Huge ${uniq()}`, notes: huge } }, 'notes');
      await refused('log_prospect', { company: { name: `Huge ${uniq()}` }, contact: { name: 'Hugh', notes: huge } }, 'contact.notes');
      const before = await dbRow('companies', company.id);
      await refused('update', { table: 'companies', id: company.id, data: { notes: huge } }, 'notes');
      expect(await dbRow('companies', company.id)).toBe(before);
      const calls = await auditSince(audit);
      expect(calls.map((a) => [a.action, a.after?.outcome, a.after?.code])).toEqual([
        ['tool_call', 'error', 'VALIDATION'],
        ['tool_call', 'error', 'VALIDATION'],
        ['tool_call', 'error', 'VALIDATION'],
      ]);
      for (const a of calls) expect(JSON.stringify(a.after).length).toBeLessThan(10_000);
    });

    it('a __proto__ key nested in a JSON field (raw JSON-RPC) is a field error naming the field; nothing is written, no prototype polluted', async () => {
      const name = `Proto Event ${uniq()}`;
      const event = { name, event_type: 'webinar', event_date: '2026-05-01T10:00:00Z' };
      const cases: Array<[string, string]> = [
        ['create', `{"table":"events","data":${JSON.stringify(event).replace(/}$/, ',"target_industries":{"__proto__":{"polluted":true}}}')}}`],
        ['create', `{"table":"events","data":${JSON.stringify(event).replace(/}$/, ',"target_industries":[{"a":{"__proto__":{"polluted":true}}}]}')}}`],
      ];
      for (const [tool, args] of cases) {
        const before = await state();
        const error = toolError(await rawResult(await post(rawCall(tool, args))), tool);
        expect([error.code, fieldsOf(error)], JSON.stringify(error)).toEqual(['VALIDATION', ['target_industries']]);
        expect(error.fields[0].message).toContain('__proto__');
        expect(await state()).toEqual(before);
      }
      expect(await database().query('select id from events where name = $1', [name])).toEqual([]);
      expect(({} as Json).polluted).toBeUndefined();
    });

    it('a __proto__ key among the fields of a record (raw JSON-RPC) is refused naming it, through create, log_prospect and update; nothing is written', async () => {
      const name = `Proto Co ${uniq()}`;
      const cases: Array<[string, string, string]> = [
        ['create', `{"table":"companies","data":{"name":${JSON.stringify(name)},"__proto__":{"status":"won"}}}`, '__proto__'],
        ['log_prospect', `{"company":{"name":${JSON.stringify(name)},"__proto__":{"status":"won"}}}`, 'company.__proto__'],
        ['update', `{"table":"companies","id":${JSON.stringify(company.id)},"data":{"notes":"proto","__proto__":{"status":"won"}}}`, '__proto__'],
      ];
      for (const [tool, args, field] of cases) {
        const before = await state();
        const row = await dbRow('companies', company.id);
        const error = toolError(await rawResult(await post(rawCall(tool, args))), tool);
        expect([error.code, fieldsOf(error)], `${tool}: ${JSON.stringify(error)}`).toEqual(['VALIDATION', [field]]);
        expect(await state()).toEqual(before);
        expect(await dbRow('companies', company.id)).toBe(row);
      }
      expect(await database().query('select id from companies where name = $1', [name])).toEqual([]);
    });

    it('an update whose data is only a __proto__ key (raw JSON-RPC) changes nothing and pollutes no prototype', async () => {
      const before = await dbRow('companies', company.id);
      const args = `{"table":"companies","id":${JSON.stringify(company.id)},"data":{"__proto__":{"status":"won","owner_id":${JSON.stringify(bob.user.id)}}}}`;
      const error = toolError(await rawResult(await post(rawCall('update', args))), 'update');
      expect(error.code).toBe('VALIDATION');
      expect(await dbRow('companies', company.id)).toBe(before);
      expect(({} as Json).status).toBeUndefined();
      expect(({} as Json).owner_id).toBeUndefined();
    });

    it('no invalid value made the server fail internally', () => {
      expect(internal).toEqual([]);
    });
  });

  describe('raw protocol abuse', () => {
    it('a body that is not JSON, or JSON that is not JSON-RPC, is a 400 JSON-RPC parse error; nothing is written or audited', async () => {
      const before = await state();
      const audit = await auditIds();
      for (const body of ['{"jsonrpc":"2.0","id":1,"method":"tools/call",', 'DROP TABLE companies;', '', '42', '{"hello":"world"}', '[1,2,3]']) {
        const r = await post(body);
        const text = await r.text();
        expect(r.status, `${JSON.stringify(body)}: ${text}`).toBe(400);
        const reply = JSON.parse(text) as Json;
        expect(reply, body).toMatchObject({ jsonrpc: '2.0', error: { code: -32700 } });
      }
      const wrongType = await post(rawCall('log_prospect', `{"company":{"name":"Plain Text ${uniq()}"}}`), { contentType: 'text/plain' });
      expect(wrongType.status).toBe(415);
      await wrongType.body?.cancel();
      expect(await state()).toEqual(before);
      expect(await auditSince(audit)).toEqual([]);
      expect(internal).toEqual([]);
    });

    it('a batch of three tool calls in one POST is answered call by call, and each call is audited', async () => {
      const names = [`Batch One ${uniq()}`, `Batch Two ${uniq()}`];
      const audit = await auditIds();
      const batch = `[${rawCall('log_prospect', JSON.stringify({ company: { name: names[0] } }), 'a')},${rawCall('log_prospect', JSON.stringify({ company: { name: names[1] } }), 'b')},${rawCall('list', JSON.stringify({ table: 'companies', q: 'Batch', limit: 5 }), 'c')}]`;
      const r = await post(batch);
      const text = await r.text();
      expect(r.status, text.slice(0, 2000)).toBe(200);
      const replies = JSON.parse(text) as Json[];
      expect(Array.isArray(replies)).toBe(true);
      expect(replies.map((m) => m.id).sort()).toEqual(['a', 'b', 'c']);
      const byId = new Map(replies.map((m) => [m.id, m]));
      for (const [id, name] of [['a', names[0]], ['b', names[1]]] as const) {
        const result = byId.get(id)!.result as Json;
        expect(result.isError, JSON.stringify(result)).toBeFalsy();
        expect(result.structuredContent.company.name).toBe(name);
      }
      expect(byId.get('c')!.result.isError).toBeFalsy();
      expect((await database().query('select name from companies where name = any($1::text[]) order by name', [names])).map((c: Json) => c.name)).toEqual([...names].sort());
      const calls = (await auditSince(audit)).filter((a) => a.action === 'tool_call');
      expect(calls.map((a) => [a.operation, a.after?.outcome]).sort()).toEqual([
        ['mcp.tool.list', 'ok'],
        ['mcp.tool.log_prospect', 'ok'],
        ['mcp.tool.log_prospect', 'ok'],
      ]);
    });

    it('a batch counts every call against the key’s rate limit, not the request once', async () => {
      const limited = await serveApp(createApp({ database: database(), identity: FAST_IDENTITY, rateLimit: { perCredential: 2, perAddress: 0, windowSeconds: 3600 } }));
      servers.push(limited.server);
      const name = `Over Limit ${uniq()}`;
      const batch = `[${rawCall('describe_schema', '{"table":"companies"}', 1)},${rawCall('describe_schema', '{"table":"contacts"}', 2)},${rawCall('log_prospect', JSON.stringify({ company: { name } }), 3)}]`;
      const r = await post(batch, { at: limited.base });
      const text = await r.text();
      expect(r.status, text.slice(0, 2000)).toBe(200);
      const replies = new Map((JSON.parse(text) as Json[]).map((m) => [m.id, m.result as Json]));
      expect(replies.get(1)!.isError).toBeFalsy();
      expect(replies.get(2)!.isError).toBeFalsy();
      expect(toolError(replies.get(3)!, 'third call').code).toBe('RATE_LIMITED');
      expect(await database().query('select id from companies where name = $1', [name])).toEqual([]);
    });

    it('a body over the bulk limit is 413 before anything runs; the same call under the limit works', async () => {
      const small = await serveApp(createApp({ database: database(), identity: FAST_IDENTITY, bulkBodyLimitBytes: 64 * 1024 }));
      servers.push(small.server);
      const name = `Too Big ${uniq()}`;
      const before = await state();
      const audit = await auditIds();
      // 80 KB of notes is a valid value (the field takes 100,000 characters): only the body limit refuses it.
      const r = await post(rawCall('create', JSON.stringify({ table: 'companies', data: { name, notes: 'n'.repeat(80 * 1024) } })), { at: small.base });
      const text = await r.text();
      expect(r.status, text.slice(0, 500)).toBe(413);
      expect((JSON.parse(text) as Json).code).toBe('LIMIT_EXCEEDED');
      expect(await state()).toEqual(before);
      expect(await auditSince(audit)).toEqual([]);
      const fits = await rawResult(await post(rawCall('create', JSON.stringify({ table: 'companies', data: { name, notes: 'n'.repeat(40 * 1024) } })), { at: small.base }));
      expect(fits.isError, JSON.stringify(fits).slice(0, 500)).toBeFalsy();
      expect(await database().query('select id from companies where name = $1', [name])).toHaveLength(1);
    });

    it('a tools/call whose arguments is not an object is a JSON-RPC error naming arguments; nothing is written', async () => {
      const before = await state();
      for (const args of ['"companies"', '[{"table":"companies","data":{"name":"Arrayed"}}]', '42', 'true']) {
        const r = await post(rawCall('create', args));
        const text = await r.text();
        expect(r.status, `${args}: ${text}`).toBe(200);
        const reply = JSON.parse(text) as Json;
        expect(reply.result, `${args}: ${text}`).toBeUndefined();
        expect(reply.error, `${args}: ${text}`).toMatchObject({ code: expect.any(Number), message: expect.stringContaining('arguments') });
        expect(text).not.toMatch(/\bat [\w.<>]+ \(|node_modules|\.ts:\d+/);
      }
      expect(await state()).toEqual(before);
      expect(internal).toEqual([]);
    });
  });

  describe("another user's records under record visibility 'own'", () => {
    let theirs: Json;
    let theirContact: Json;
    let mine: Json;

    beforeAll(async () => {
      const logged = await ok(bobAgent, 'log_prospect', { company: { name: `Bob Private ${uniq()}` }, contact: { name: 'Bobby Tables' } });
      theirs = logged.company;
      theirContact = logged.contact;
      mine = (await ok(editorAgent, 'log_prospect', { company: { name: `Editor Own ${uniq()}` } })).company;
      await setVisibility('own');
    });

    afterAll(async () => {
      await setVisibility('all');
    });

    it('update, act archive/restore/reassign/mark_lost on their company are NOT_FOUND, and the row is unchanged', async () => {
      const before = await dbRow('companies', theirs.id);
      const contactBefore = await dbRow('contacts', theirContact.id);
      const attempts: Array<[string, Json]> = [
        ['update', { table: 'companies', id: theirs.id, data: { notes: 'taken over' } }],
        // A wrong version must not reveal that the record exists either.
        ['update', { table: 'companies', id: theirs.id, data: { notes: 'taken over' }, expected_version: 99 }],
        ['update', { table: 'contacts', id: theirContact.id, data: { email: 'exfil@evil.example' } }],
        ['act', { action: 'companies.archive', input: { id: theirs.id } }],
        ['act', { action: 'companies.restore', input: { id: theirs.id } }],
        ['act', { action: 'companies.reassign', input: { id: theirs.id, user_id: editor.user.id } }],
        ['act', { action: 'contacts.archive', input: { id: theirContact.id } }],
        ['act', { action: 'sales.mark_lost', input: { id: theirs.id, lost_reason: 'not mine to say' } }],
      ];
      for (const [tool, args] of attempts) {
        const error = await fails(editorAgent, tool, args);
        expect(error.code, `${tool} ${JSON.stringify(args)}: ${JSON.stringify(error)}`).toBe('NOT_FOUND');
        expect(JSON.stringify(error)).not.toContain(theirs.name);
      }
      expect(await dbRow('companies', theirs.id)).toBe(before);
      expect(await dbRow('contacts', theirContact.id)).toBe(contactBefore);
      // The owner still reaches it.
      expect((await ok(bobAgent, 'get', { table: 'companies', id: theirs.id })).id).toBe(theirs.id);
    });

    it('an id that is not a UUID, or a UUID of nothing, is NOT_FOUND through get, update and the generic acts, and changes nothing', async () => {
      const before = await state();
      const mineBefore = await dbRow('companies', mine.id);
      for (const id of ['not-a-uuid', "1' or '1'='1", `${mine.id}x`, randomUUID()]) {
        const attempts: Array<[string, Json]> = [
          ['get', { table: 'companies', id }],
          ['update', { table: 'companies', id, data: { notes: 'ghost' } }],
          ['update', { table: 'contacts', id, data: { notes: 'ghost' }, expected_version: 1 }],
          ['act', { action: 'companies.archive', input: { id } }],
          ['act', { action: 'companies.restore', input: { id } }],
          ['act', { action: 'companies.reassign', input: { id, user_id: editor.user.id } }],
        ];
        for (const [tool, args] of attempts) {
          const error = await fails(editorAgent, tool, args);
          expect(error.code, `${tool} ${JSON.stringify(args)}: ${JSON.stringify(error)}`).toBe('NOT_FOUND');
        }
      }
      expect((await fails(editorAgent, 'act', { action: 'sales.mark_lost', input: { id: randomUUID(), lost_reason: 'ghost' } })).code).toBe('NOT_FOUND');
      // A workflow operation takes its id as a UUID: anything else is a field error on id.
      const notUuid = await fails(editorAgent, 'act', { action: 'sales.mark_lost', input: { id: 'not-a-uuid', lost_reason: 'ghost' } });
      expect([notUuid.code, fieldsOf(notUuid)]).toEqual(['VALIDATION', ['id']]);
      expect(await state()).toEqual(before);
      expect(await dbRow('companies', mine.id)).toBe(mineBefore);
      expect(internal).toEqual([]);
    });
  });

  describe('write-then-refuse', () => {
    let engagement: Json;
    let ownContact: Json;
    let strangerContact: Json;

    beforeAll(async () => {
      const logged = await ok(editorAgent, 'log_prospect', { company: { name: `Trained Works ${uniq()}` }, contact: { name: 'Tina Trainee' } });
      ownContact = logged.contact;
      engagement = await ok(editorAgent, 'create', { table: 'engagements', data: { name: `Training engagement ${uniq()}`, company_id: logged.company.id } });
      strangerContact = (await ok(editorAgent, 'log_prospect', { company: { name: `Stranger Works ${uniq()}` }, contact: { name: 'Sam Stranger' } })).contact;
    });

    it('schedule_training with a contact of another company writes no session, no invitation and no audit row but its own error', async () => {
      const title = `Refused session ${uniq()}`;
      const session = { engagement_id: engagement.id, session_number: 1, title, scheduled_date: '2026-04-01T09:00:00Z', location: 'Site office' };
      const before = await state();
      const audit = await auditIds();
      const error = await fails(editorAgent, 'schedule_training', { session, contact_ids: [ownContact.id, strangerContact.id] });
      expect(error.code).toBe('VALIDATION');
      expect(error.fields).toEqual([{ field: 'contact_ids[1]', message: expect.stringContaining('another company') }]);
      expect(await state()).toEqual(before);
      expect(await database().query('select id from training_sessions where title = $1', [title])).toEqual([]);
      const added = await auditSince(audit);
      expect(added.map((a) => [a.action, a.operation, a.after?.outcome, a.after?.code])).toEqual([['tool_call', 'mcp.tool.schedule_training', 'error', 'VALIDATION']]);

      // The session itself was valid: without the stranger it is written, with its one invitation.
      const done = await ok(editorAgent, 'schedule_training', { session, contact_ids: [ownContact.id] });
      expect(done.invited).toEqual([ownContact.id]);
      const after = await counts(database(), ['training_sessions', 'training_attendance']);
      expect(after).toEqual({ training_sessions: before.counts.training_sessions! + 1, training_attendance: before.counts.training_attendance! + 1 });
    });

    it('accept_proposal refused by the database after moving the proposal and the company leaves both as they were, and no engagement', async () => {
      // A company taken to a sent proposal: meeting, audit, go decision, proposal.
      const logged = await ok(editorAgent, 'log_prospect', { company: { name: `Accepting Works ${uniq()}`, employee_count: 12 }, contact: { name: 'Dana Decider' } });
      const C = logged.company.id as string;
      const meeting = await ok(editorAgent, 'schedule_meeting', { company_id: C, contact_id: logged.contact.id, meeting: { scheduled_at: '2030-03-02T00:00:00Z', meeting_type: 'discovery' } });
      await ok(editorAgent, 'act', { action: 'sales.complete_meeting', input: { id: meeting.meeting.id, result: { summary: 'Wants the audit' } } });
      await ok(editorAgent, 'start_audit', { id: C });
      const decision = await ok(editorAgent, 'record_go_no_go', {
        id: C,
        decision: 'go',
        decision_rationale: 'Owner engaged',
        recommended_package: 'AI Foundations',
        employee_count: 12,
        novel_mcps: 1,
        novel_skills: 1,
        estimated_value: '7000.00',
        currency: 'AUD',
      });
      const P = (await ok(editorAgent, 'create_proposal', { go_no_go_id: decision.decision.id })).proposal.id as string;
      const proposalBefore = await dbRow('proposals', P);
      const companyBefore = await dbRow('companies', C);
      expect(JSON.parse(proposalBefore!).status).toBe('sent');
      expect(JSON.parse(companyBefore!).status).toBe('proposal_sent');
      const before = await state();
      const audit = await auditIds();

      // A negative fee passes the field's format and is refused by the database, after the proposal and the company were moved.
      const error = await fails(editorAgent, 'accept_proposal', { id: P, engagement: { name: 'Refused engagement', monthly_fee: '-1000.00' } });
      expect([error.code, fieldsOf(error)]).toEqual(['VALIDATION', ['monthly_fee']]);
      expect(await dbRow('proposals', P)).toBe(proposalBefore);
      expect(await dbRow('companies', C)).toBe(companyBefore);
      expect(await state()).toEqual(before);
      expect(await database().query('select id from engagements where proposal_id = $1', [P])).toEqual([]);
      const added = await auditSince(audit);
      expect(added.map((a) => [a.action, a.operation, a.after?.outcome, a.after?.code])).toEqual([['tool_call', 'mcp.tool.accept_proposal', 'error', 'VALIDATION']]);

      // Accepted with a valid fee, all of it happens.
      const accepted = await ok(editorAgent, 'accept_proposal', { id: P, engagement: { name: 'Accepted engagement', monthly_fee: '1000.00' } });
      expect(accepted.engagement).toMatchObject({ proposal_id: P, monthly_fee: '1000.00' });
      expect(JSON.parse((await dbRow('companies', C))!).status).toBe('onboarding');
    });
  });

  describe('two agents writing the same version', () => {
    it('exactly one update wins, the other is PRECONDITION_FAILED, and the version moves once', async () => {
      const company = (await ok(editorAgent, 'log_prospect', { company: { name: `Contended ${uniq()}` } })).company;
      for (let round = 0; round < 3; round++) {
        const [row] = await database().query<{ version: number }>('select version from companies where id = $1', [company.id]);
        const version = row!.version;
        const audit = await auditIds();
        const results = await Promise.all(
          [editorAgent, bobAgent].map((agent, i) =>
            callTool(agent, 'update', { table: 'companies', id: company.id, data: { notes: `round ${round} by agent ${i}` }, expected_version: version }),
          ),
        );
        const won = results.filter((r) => !r.isError);
        const lost = results.filter((r) => r.isError);
        expect(won, JSON.stringify(results.map((r) => r.structuredContent))).toHaveLength(1);
        expect(lost).toHaveLength(1);
        expect(toolError(lost[0]!, 'the second update').code).toBe('PRECONDITION_FAILED');
        const [after] = await database().query<{ version: number; notes: string }>('select version, notes from companies where id = $1', [company.id]);
        expect(after!.version).toBe(version + 1);
        expect(after!.notes).toBe((won[0]!.structuredContent as Json).notes);
        const updates = (await auditSince(audit)).filter((a) => a.action === 'update' && a.record_id === company.id);
        expect(updates).toHaveLength(1);
      }
    });
  });
});

// ---------------------------------------------------------------------------
// The stdio server against a running server's data directory, and the bridge with a bad key.

/** The environment of a child: this one's, with the given variables (and the embedded database). */
function childEnv(extra: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) out[k] = v;
  return { ...out, DATABASE_URL: '', THROUGHLINE_MCP_USER: '', THROUGHLINE_MCP_ROLE: '', NODE_NO_WARNINGS: '1', ...extra };
}


const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('the stdio MCP server and a running server', { timeout: 300_000 }, () => {
  let dir: string;
  let serving: { child: ChildProcess; url: string; output: () => string } | undefined;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'throughline-mcp-trust-'));
    serving = await startServe(dir, { THROUGHLINE_MCP_USER: '', THROUGHLINE_MCP_ROLE: '', NODE_NO_WARNINGS: '1' });
  }, 240_000);

  afterAll(async () => {
    if (serving && serving.child.exitCode === null && serving.child.signalCode === null) {
      serving.child.kill('SIGTERM');
      await exited(serving.child);
    }
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const mcp = (args: string[], env: Record<string, string>, timeout = 60_000) =>
    spawnSync(process.execPath, [BIN, 'mcp', ...args], { cwd: dir, env: childEnv(env), input: '', encoding: 'utf8', timeout });

  it('throughline mcp on the held data directory exits non-zero, names the holder and points at its /mcp with an API key', () => {
    const r = mcp(['--user', 'someone@example.com'], { THROUGHLINE_DATA_DIR: dir, THROUGHLINE_API_KEY: '', THROUGHLINE_URL: '' });
    expect(r.error, String(r.error)).toBeUndefined();
    expect(r.status, r.stderr).not.toBe(0);
    expect(r.status).not.toBeNull();
    expect(r.stderr).toContain(`in use by process ${serving!.child.pid}`);
    expect(r.stderr).toContain(`${serving!.url}/mcp`);
    expect(r.stderr).toMatch(/API key/);
    expect(r.stdout).toBe('');
    // The server is unaffected.
    expect(serving!.child.exitCode).toBeNull();
  });

  it('the server still answers after the refused opener', async () => {
    const health = await fetch(`${serving!.url}/healthz`);
    expect(await health.json()).toEqual({ status: 'ok', database: 'pglite' });
  });

  it('the bridge (THROUGHLINE_URL) with a key the server does not know fails to initialize with a 401', async () => {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [BIN, 'mcp'],
      env: childEnv({ THROUGHLINE_DATA_DIR: dir, THROUGHLINE_URL: serving!.url, THROUGHLINE_API_KEY: BAD_KEY }),
      cwd: dir,
      stderr: 'pipe',
    });
    const client = new Client({ name: 'mcp-trust-bridge', version: '1.0.0' });
    const failure = await client.connect(transport, { timeout: 120_000 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    const pid = transport.pid;
    await client.close().catch(() => {});
    for (let i = 0; pid && i < 1200 && alive(pid); i++) await new Promise((r) => setTimeout(r, 50));
    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).message).toMatch(/401/);
    expect((failure as Error).message).toMatch(/not valid/);
    expect(pid && alive(pid)).toBeFalsy();
  });

  it('the bridge with --user, or without a key, exits non-zero with a message saying why', () => {
    const withUser = mcp(['--user', 'someone@example.com'], { THROUGHLINE_DATA_DIR: dir, THROUGHLINE_URL: serving!.url, THROUGHLINE_API_KEY: BAD_KEY });
    expect(withUser.status, withUser.stderr).not.toBe(0);
    expect(withUser.status).not.toBeNull();
    expect(withUser.stderr).toMatch(/^usage: /m);
    expect(withUser.stderr).toContain('--user');
    expect(withUser.stdout).toBe('');
    const noKey = mcp([], { THROUGHLINE_DATA_DIR: dir, THROUGHLINE_URL: serving!.url, THROUGHLINE_API_KEY: '' });
    expect(noKey.status, noKey.stderr).not.toBe(0);
    expect(noKey.status).not.toBeNull();
    expect(noKey.stderr).toContain('THROUGHLINE_API_KEY is required');
    expect(noKey.stdout).toBe('');
  });

  it('the server stops cleanly on SIGTERM, and the data directory opens again', async () => {
    serving!.child.kill('SIGTERM');
    expect(await exited(serving!.child)).toBe(0);
    expect(fs.existsSync(path.join(dir, 'throughline.lock'))).toBe(false);
    // Now the stdio server opens the database itself: it gets as far as looking the user up.
    const r = mcp(['--user', 'someone@example.com'], { THROUGHLINE_DATA_DIR: dir, THROUGHLINE_API_KEY: '', THROUGHLINE_URL: '' }, 180_000);
    expect(r.status, r.stderr).not.toBe(0);
    expect(r.status).not.toBeNull();
    expect(r.stderr).toContain('No active Throughline user has the email someone@example.com');
    expect(r.stderr).not.toContain('in use by process');
  });
});
