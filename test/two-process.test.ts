/**
 * Several stateless web processes over one PostgreSQL database, as docs/production.md runs
 * them: two `throughline serve` children started at the same moment on an empty database.
 * Nothing may depend on one process's memory: the migrations run once, one first
 * administrator is made, a session or key made on one works on the other and a revocation
 * reaches it, document numbers stay unique and gap-free, each queued mail is sent once
 * though both run a worker, and a rate limit counts the requests of both.
 *
 * The embedded database admits one process: its half checks that a second server on the
 * same data directory refuses to start and names the first.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCtx, SYSTEM } from '../src/core/context.ts';
import { enqueueEmail } from '../src/core/platform/email.ts';
import { openDatabase, type Database } from '../src/db/client.ts';
import { exited, startServe, startSmtpSink } from './servers.ts';

type Served = Awaited<ReturnType<typeof startServe>>;

async function stop(child: ChildProcess | undefined) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  await exited(child);
  clearTimeout(timer);
}

type Answer = { status: number; body: Record<string, unknown> };

async function call(base: string, method: string, url: string, auth?: string, body?: unknown): Promise<Answer> {
  const res = await fetch(`${base}${url}`, {
    method,
    headers: { ...(auth ? { authorization: `Bearer ${auth}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

async function ok(answer: Promise<Answer>, status = 200): Promise<Record<string, unknown>> {
  const a = await answer;
  expect(a.status, JSON.stringify(a.body)).toBe(status);
  return a.body;
}

describe('two servers on one embedded data directory', () => {
  it('the second refuses to start and names the first', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'throughline-two-'));
    let first: Served | undefined;
    try {
      first = await startServe(dataDir);
      const second = await startServe(dataDir).then(
        (s) => s,
        (e: Error) => e,
      );
      expect(second).toBeInstanceOf(Error);
      expect((second as Error).message).toMatch(new RegExp(`in use by process ${first.child.pid}`));
      expect((await call(first.url, 'GET', '/readyz')).status).toBe(200);
    } finally {
      await stop(first?.child);
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});

describe.runIf(process.env.TEST_DATABASE_URL)('two servers over one PostgreSQL database', () => {
  // Declared on every run, also without TEST_DATABASE_URL (when the suite is skipped): nothing here may need it.
  const adminUrl = process.env.TEST_DATABASE_URL ?? '';
  const name = `throughline_two_${process.pid}_${randomBytes(4).toString('hex')}`;
  const url = () => Object.assign(new URL(adminUrl), { pathname: `/${name}` }).toString();
  let dataDir = '';
  const perKey = 50;
  let smtp: Awaited<ReturnType<typeof startSmtpSink>>;
  let a: Served;
  let b: Served;
  let database: Database;
  let key = '';

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'throughline-two-'));
    const admin = await openDatabase({ databaseUrl: adminUrl, poolSize: 1 });
    await admin.query(`create database ${name}`);
    await admin.close();
    smtp = await startSmtpSink();
    const env = {
      DATABASE_URL: url(),
      THROUGHLINE_SECRET_KEY: randomBytes(32).toString('base64'),
      THROUGHLINE_RATE_LIMIT: String(perKey),
      THROUGHLINE_RATE_LIMIT_ADDRESS: '0',
      THROUGHLINE_SMTP_URL: smtp.url,
      THROUGHLINE_MAIL_FROM: 'Throughline <crm@example.com>',
      THROUGHLINE_LOG_FORMAT: 'json',
    };
    // At the same moment, on an empty database: both migrate, both look for an administrator.
    [a, b] = await Promise.all([startServe(dataDir, env), startServe(dataDir, env)]);
    database = await openDatabase({ databaseUrl: url(), poolSize: 2 });
  }, 240_000);

  afterAll(async () => {
    await Promise.all([stop(a?.child), stop(b?.child)]);
    await database?.close();
    await smtp?.close();
    const admin = await openDatabase({ databaseUrl: adminUrl, poolSize: 1 });
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.close();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  it('migrate once and make one first administrator, whose password works on both', async () => {
    const [migrations] = await database.query<{ n: number }>('select count(*)::int as n from drizzle.__drizzle_migrations');
    const journal = JSON.parse(fs.readFileSync(path.resolve(import.meta.dirname, '../src/db/migrations/meta/_journal.json'), 'utf8')) as { entries: unknown[] };
    expect(migrations!.n).toBe(journal.entries.length);
    const shown = [a, b].map((s) => /password: +(\S+)/.exec(s.output())?.[1]).filter((p): p is string => p !== undefined);
    expect(shown).toHaveLength(1);
    expect(await database.query(`select email, role from users`)).toEqual([{ email: 'admin@localhost', role: 'admin' }]);
    for (const s of [a, b]) {
      const login = await ok(call(s.url, 'POST', '/api/v1/auth/login', undefined, { email: 'admin@localhost', password: shown[0] }));
      expect(login.token).toEqual(expect.any(String));
    }
    // A session made on one server is honoured by the other, and so is a key it creates.
    const session = (await ok(call(a.url, 'POST', '/api/v1/auth/login', undefined, { email: 'admin@localhost', password: shown[0] }))).token as string;
    key = (await ok(call(b.url, 'POST', '/api/v1/api_keys', session, { name: 'two servers', role: 'admin' }), 201)).key as string;
    await ok(call(a.url, 'GET', '/api/v1/auth/me', key));
  });

  it('number documents made on both at once without a duplicate or a gap', async () => {
    const company = await ok(call(a.url, 'POST', '/api/v1/companies', key, { name: 'Two Servers Pty Ltd' }), 201);
    const engagement = await ok(call(b.url, 'POST', '/api/v1/engagements', key, { company_id: company.id, name: 'Rollout', monthly_fee: '1000.00', start_date: '2026-01-01' }), 201);
    const tickets = await Promise.all(
      Array.from({ length: 24 }, (_, i) =>
        ok(call((i % 2 ? a : b).url, 'POST', '/api/v1/support_tickets', key, { company_id: company.id, engagement_id: engagement.id, request_date: '2026-03-02T09:00:00Z', category: 'bug' }), 201),
      ),
    );
    const numbers = tickets.map((t) => t.ticket_number as string).sort();
    expect(numbers).toEqual(Array.from({ length: 24 }, (_, i) => `TKT-2026-${String(i + 1).padStart(3, '0')}`));
  });

  it('send each queued mail once, though both run a worker', async () => {
    const ctx = makeCtx(database.db, { actor: SYSTEM, timeZone: 'UTC' });
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) {
      const { id } = await enqueueEmail(ctx, { to: [`client${i}@example.com`], template: 'follow_up', data: { company_name: 'Two Servers Pty Ltd', follow_up_date: '2026-11-23', next_step: `Call ${i}` }, idempotencyKey: `two-servers-${name}-${i}` });
      ids.push(id);
    }
    await expect
      .poll(async () => (await database.query<{ n: number }>(`select count(*)::int as n from email_queue where id = any($1) and status = 'sent'`, [ids]))[0]!.n, { timeout: 60_000, interval: 250 })
      .toBe(ids.length);
    for (const id of ids) expect(smtp.received.filter((m) => m.includes(`<${id}@throughline>`))).toHaveLength(1);
  });

  it('count one rate limit across both servers', async () => {
    const session = (await ok(call(a.url, 'POST', '/api/v1/auth/login', undefined, { email: 'admin@localhost', password: /password: +(\S+)/.exec(a.output() + b.output())![1] }))).token as string;
    const fresh = (await ok(call(a.url, 'POST', '/api/v1/api_keys', session, { name: 'rate limited', role: 'viewer' }), 201)).key as string;
    const answers = await Promise.all(Array.from({ length: perKey + 20 }, (_, i) => call((i % 2 ? a : b).url, 'GET', '/api/v1/companies?limit=1', fresh)));
    const statuses = answers.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(perKey);
    expect(statuses.filter((s) => s === 429)).toHaveLength(20);
    // Each server saw 35 requests, under the limit of 50: a budget per process would have refused none.
    expect(perKey).toBeGreaterThan((perKey + 20) / 2);
    // Counters hold keyed hashes, never the credential or an address.
    const keys = (await database.query<{ key: string }>('select key from rate_limits')).map((r) => r.key);
    expect(keys.length).toBeGreaterThan(0);
    for (const k of keys) expect(k).toMatch(/^(address|credential):[A-Za-z0-9_-]{32}$/);
  });

  it('honour a revocation made on the other server', async () => {
    const session = (await ok(call(a.url, 'POST', '/api/v1/auth/login', undefined, { email: 'admin@localhost', password: /password: +(\S+)/.exec(a.output() + b.output())![1] }))).token as string;
    const made = await ok(call(a.url, 'POST', '/api/v1/api_keys', session, { name: 'to revoke', role: 'viewer' }), 201);
    const revocable = made.key as string;
    // B has seen (and cached) the key before it is revoked on A.
    await ok(call(b.url, 'GET', '/api/v1/auth/me', revocable));
    await ok(call(a.url, 'POST', `/api/v1/api_keys/${(made.api_key as { id: string }).id}/revoke`, session));
    // B hears of the change through PostgreSQL NOTIFY, a moment after the commit.
    await expect.poll(async () => (await call(b.url, 'GET', '/api/v1/auth/me', revocable)).status, { timeout: 10_000, interval: 100 }).toBe(401);
  });
});
