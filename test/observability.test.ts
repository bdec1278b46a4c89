/**
 * What an operator watches: JSON log lines with request ids and no personal data, Prometheus
 * metrics by route pattern (never by id) with the queues read from the database, /healthz
 * and /readyz, the refusal of new requests while the process drains, and the client address
 * taken from X-Forwarded-For only when the request comes from a trusted proxy.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/api/app.ts';
import { clientAddressResolver } from '../src/api/client-address.ts';
import { createMetrics } from '../src/api/metrics.ts';
import { loadConfig } from '../src/config.ts';
import { makeCtx, SYSTEM } from '../src/core/context.ts';
import { enqueueEmail } from '../src/core/platform/email.ts';
import { jsonLogger, type LogFields } from '../src/logging.ts';
import { FAST_IDENTITY, signIn, type SignedIn } from './auth.ts';
import { dbSuite } from './db.ts';

describe('client address behind a proxy', () => {
  const resolve = clientAddressResolver(['10.0.0.0/8', '::1', '::ffff:192.168.1.1']);

  it('takes the rightmost address that is not a trusted proxy, only when the peer is one', () => {
    expect(resolve('10.1.2.3', '203.0.113.9')).toBe('203.0.113.9');
    // The client wrote the leftmost entries itself: they prove nothing.
    expect(resolve('10.1.2.3', '198.51.100.1, 203.0.113.9, 10.9.9.9')).toBe('203.0.113.9');
    expect(resolve('::1', '2001:db8::5')).toBe('2001:db8::5');
    expect(resolve('::ffff:10.0.0.7', '203.0.113.9')).toBe('203.0.113.9');
    expect(resolve('192.168.1.1', '203.0.113.9')).toBe('203.0.113.9');
  });

  it('ignores the header from anyone else, and when it holds no address', () => {
    expect(resolve('203.0.113.50', '198.51.100.1')).toBe('203.0.113.50');
    expect(resolve('10.1.2.3', undefined)).toBe('10.1.2.3');
    expect(resolve('10.1.2.3', 'unknown')).toBe('10.1.2.3');
    expect(resolve('10.1.2.3', '10.2.2.2, 10.3.3.3')).toBe('10.1.2.3');
    expect(clientAddressResolver([])('10.1.2.3', '203.0.113.9')).toBe('10.1.2.3');
  });

  it('refuses a setting that is not a list of addresses and ranges, naming the entry', () => {
    expect(loadConfig({ THROUGHLINE_TRUSTED_PROXIES: '127.0.0.1, 10.0.0.0/8 , fd00::/8' }).trustedProxies).toEqual(['127.0.0.1', '10.0.0.0/8', 'fd00::/8']);
    expect(() => loadConfig({ THROUGHLINE_TRUSTED_PROXIES: '127.0.0.1,proxy.internal' })).toThrow(/THROUGHLINE_TRUSTED_PROXIES: proxy\.internal is not an IP address or CIDR range/);
    expect(() => loadConfig({ THROUGHLINE_TRUSTED_PROXIES: '10.0.0.0/33' })).toThrow(/10\.0\.0\.0\/33/);
    expect(() => loadConfig({ THROUGHLINE_METRICS_TOKEN: 'short' })).toThrow(/THROUGHLINE_METRICS_TOKEN/);
    expect(() => loadConfig({ THROUGHLINE_LOG_FORMAT: 'xml' })).toThrow(/THROUGHLINE_LOG_FORMAT: must be json/);
  });
});

describe('JSON logs', () => {
  const lines: string[] = [];
  const log = jsonLogger('info', { write: (l) => void lines.push(l) });

  it('write one object per line with the level, message and fields, addresses masked', () => {
    log.info('Mail to dana@client.example refused', { request_id: 'r-1', status: 550 });
    const entry = JSON.parse(lines.at(-1)!) as Record<string, unknown>;
    expect(entry).toMatchObject({ level: 'info', msg: 'Mail to [email] refused', request_id: 'r-1', status: 550 });
    expect(typeof entry.time).toBe('string');
  });

  it("show a failed query's statement but never its values", () => {
    const failed = Object.assign(new Error('Failed query: insert into contacts values ($1)\nparams: Dana Reyes,dana@client.example'), {
      query: 'insert into contacts values ($1)',
      params: ['Dana Reyes', 'dana@client.example'],
    });
    log.error('request r-2 failed', failed, { request_id: 'r-2' });
    const line = lines.at(-1)!;
    expect(JSON.parse(line)).toMatchObject({ level: 'error', request_id: 'r-2' });
    expect(line).toContain('insert into contacts');
    expect(line).not.toMatch(/Dana|dana@/);
  });
});

dbSuite('observability over HTTP', ({ database, backend }) => {
  const access: LogFields[] = [];
  const errors: string[] = [];
  const lifecycle = { draining: false };
  const token = 'metrics-token-0123456789';
  let app: ReturnType<typeof createApp>;
  let admin: SignedIn;

  beforeAll(async () => {
    app = createApp({
      database: database(),
      identity: FAST_IDENTITY,
      webDir: null,
      timeZone: 'UTC',
      lifecycle,
      metrics: createMetrics(database()),
      metricsToken: token,
      trustedProxies: ['10.0.0.0/8'],
      accessLog: (f) => void access.push(f),
      log: (msg) => void errors.push(msg),
    });
    admin = await signIn(app, database(), 'admin');
  });
  afterAll(() => {
    lifecycle.draining = false;
  });

  const metricsText = async () => {
    const res = await app.request('/metrics', { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    return res.text();
  };
  const sample = (text: string, name: string, labels: string) => {
    const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(labels));
    return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
  };

  it('logs each request once with its id, route pattern, status and duration, never its path or query', async () => {
    const res = await admin.request('/api/v1/companies', { method: 'POST', headers: { 'content-type': 'application/json', 'x-request-id': 'obs-create-1' }, body: JSON.stringify({ name: 'Observed Pty Ltd' }) });
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    const get = await admin.request(`/api/v1/companies/${id}?q=dana@client.example`);
    expect(get.status).toBe(200);
    const mine = access.filter((f) => f.request_id === 'obs-create-1' || f.request_id === get.headers.get('x-request-id'));
    expect(mine).toHaveLength(2);
    expect(mine[0]).toMatchObject({ method: 'POST', route: '/api/v1/companies', status: 201 });
    expect(mine[1]).toMatchObject({ method: 'GET', route: '/api/v1/companies/:id', status: 200 });
    for (const f of mine) expect(typeof f.ms).toBe('number');
    expect(JSON.stringify(access)).not.toContain(id);
    expect(JSON.stringify(access)).not.toContain('dana@');
  });

  it('counts requests and their latency by route pattern, never by id', async () => {
    const before = sample(await metricsText(), 'throughline_http_requests_total', 'route="/api/v1/companies/:id",status="404"') ?? 0;
    for (let i = 0; i < 3; i++) expect((await admin.request(`/api/v1/companies/${randomUUID()}`)).status).toBe(404);
    const text = await metricsText();
    expect(sample(text, 'throughline_http_requests_total', 'method="GET",route="/api/v1/companies/:id",status="404"')).toBe(before + 3);
    expect(sample(text, 'throughline_http_request_duration_seconds_count', 'method="GET",route="/api/v1/companies/:id"')).toBeGreaterThanOrEqual(before + 3);
    expect(text).toMatch(/^throughline_http_requests_in_flight \d+$/m);
    expect(text).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/);
  });

  it('reads queue depth from the database at each scrape', async () => {
    const pending = () => metricsText().then((t) => sample(t, 'throughline_queue_items', 'queue="email",status="pending"'));
    const start = (await pending())!;
    expect(start).toBeGreaterThanOrEqual(0);
    const ctx = makeCtx(database().db, { actor: SYSTEM, timeZone: 'UTC' });
    for (let i = 0; i < 2; i++) {
      await enqueueEmail(ctx, { to: ['client@example.com'], template: 'follow_up', data: { company_name: 'Queue Pty Ltd', follow_up_date: '2026-11-23', next_step: 'Call' }, idempotencyKey: `obs-${randomUUID()}` });
    }
    expect(await pending()).toBe(start + 2);
    const text = await metricsText();
    for (const [queue, status] of [['email', 'dead'], ['webhook', 'pending'], ['webhook', 'dead'], ['import', 'running']]) {
      expect(sample(text, 'throughline_queue_items', `queue="${queue}",status="${status}"`)).toBeGreaterThanOrEqual(0);
    }
    if (backend === 'postgres') expect(sample(text, 'throughline_db_pool_connections', 'state="total"')).toBeGreaterThanOrEqual(1);
    else expect(text).not.toContain('throughline_db_pool_connections');
    // The gate in front of the database: one slot on PGlite, a connection's worth each on PostgreSQL.
    expect(sample(text, 'throughline_db_slots', 'state="total"')).toBe(backend === 'postgres' ? database().gate.slots : 1);
    for (const priority of ['interactive', 'list', 'report', 'background']) {
      expect(sample(text, 'throughline_db_waiting', `priority="${priority}"`)).toBe(0);
    }
  });

  it('answers /metrics only with the token when one is configured', async () => {
    for (const authorization of [undefined, 'Bearer wrong-token-0123456789', `Bearer ${token}x`, token]) {
      const res = await app.request('/metrics', authorization ? { headers: { authorization } } : {});
      expect(res.status).toBe(401);
      expect(await res.text()).not.toContain('throughline_http');
    }
  });

  it('records the address a trusted proxy reports, and the peer otherwise', async () => {
    const as = (peer: string, xff: string) =>
      app.request('/api/v1/auth/login', { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': xff }, body: JSON.stringify({ email: admin.user.email, password: admin.password }) }, { incoming: { socket: { remoteAddress: peer } } });
    expect((await as('10.0.0.2', '198.51.100.7, 203.0.113.77')).status).toBe(200);
    expect((await as('192.0.2.10', '203.0.113.88')).status).toBe(200);
    const sources = await database().query<{ ip_address: string }>(`select ip_address from sessions where user_id = $1 order by created_at`, [admin.user.id]);
    // Stored anonymised (/24): the proxy's client, then the untrusted peer itself.
    expect(sources.map((s) => s.ip_address)).toEqual(['203.0.113.0', '192.0.2.0']);
  });

  it('is ready until it drains; then /readyz says so and new requests are refused with the connection closed', async () => {
    expect(await (await app.request('/readyz')).json()).toEqual({ status: 'ready', database: backend });
    lifecycle.draining = true;
    const ready = await app.request('/readyz');
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({ status: 'draining' });
    for (const path of ['/api/v1/companies', '/healthz', '/metrics']) {
      const res = await admin.request(path);
      expect(res.status).toBe(503);
      expect(res.headers.get('connection')).toBe('close');
      expect(await res.json()).toMatchObject({ code: 'UNAVAILABLE', request_id: res.headers.get('x-request-id') });
    }
    lifecycle.draining = false;
    expect((await admin.request('/api/v1/companies')).status).toBe(200);
    expect(errors).toEqual([]);
  });
});
