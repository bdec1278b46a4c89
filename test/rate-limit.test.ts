/**
 * Rate limits on the HTTP API: per credential (API key or session) and per client address,
 * a 429 problem+json with Retry-After past either, the address counted before any credential
 * is looked at, nothing audited for a 429, /healthz and the docs never limited, 0 turns a
 * limit off. Each case builds its own app, so its counters start empty; windows are an hour
 * long so that no counter resets during a test (nothing here depends on timing).
 */
import { describe, expect, it } from 'vitest';
import { createApp } from '../src/api/app.ts';
import { addressKey, type RateLimitOptions } from '../src/api/rate-limit.ts';
import { FAST_IDENTITY, signIn, type SignedIn } from './auth.ts';
import { dbSuite } from './db.ts';

type App = ReturnType<typeof createApp>;
type Reply = { status: number; headers: Headers; body: any };

const HOUR = 3600;
const ORIGIN = 'http://localhost';
/** What the Node adapter hands Hono: the client's socket, whose address the limiter counts. */
const from = (ip: string) => ({ incoming: { socket: { remoteAddress: ip } } });
const GARBAGE_KEY = `tl_0123456789_${'x'.repeat(43)}`;

/** Sends from an address (none: the empty address of app.request without a socket), with a bearer token or not. */
async function send(app: App, path: string, opts: { ip?: string; token?: string; method?: string; body?: unknown } = {}): Promise<Reply> {
  const headers: Record<string, string> = { 'user-agent': 'rate-limit-test', origin: ORIGIN };
  if (opts.token !== undefined) headers.authorization = `Bearer ${opts.token}`;
  const init: RequestInit = { method: opts.method ?? 'GET', headers };
  if (opts.body !== undefined) {
    init.body = JSON.stringify(opts.body);
    headers['content-type'] = 'application/json';
  }
  const r = await app.request(path, init, opts.ip === undefined ? undefined : from(opts.ip));
  const text = await r.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    /* keep the text */
  }
  return { status: r.status, headers: r.headers, body };
}

function expectRateLimited(r: Reply, reason: 'rate_limited_credential' | 'rate_limited_address') {
  expect(r.status, JSON.stringify(r.body)).toBe(429);
  expect(r.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  const retryAfter = r.headers.get('retry-after');
  expect(retryAfter).toMatch(/^[1-9][0-9]*$/);
  expect(Number(retryAfter)).toBeLessThanOrEqual(HOUR);
  expect(r.body).toMatchObject({
    status: 429,
    code: 'RATE_LIMITED',
    title: 'Too many requests',
    type: '/api/docs#problem-rate_limited',
    reason,
    retry_after_seconds: Number(retryAfter),
    retry_after: Number(retryAfter),
    window_seconds: HOUR,
  });
  expect(typeof r.body.request_id).toBe('string');
}

dbSuite('HTTP rate limits', ({ database }) => {
  const makeApp = (rateLimit: RateLimitOptions) => createApp({ database: database(), identity: FAST_IDENTITY, rateLimit });
  const refusals = async () => (await database().query<{ n: number }>(`select count(*)::int as n from audit_log where action = 'refused'`))[0]!.n;
  const loginFailures = async () => (await database().query<{ n: number }>(`select coalesce(sum(failures), 0)::int as n from login_attempts`))[0]!.n;

  describe('per credential', () => {
    it('the request past the limit with one API key is a 429 with Retry-After; another key from the same address is unaffected; nothing is audited', async () => {
      const app = makeApp({ perCredential: 3, perAddress: 100, windowSeconds: HOUR });
      const one = await signIn(app, database(), 'viewer');
      const two = await signIn(app, database(), 'viewer');
      for (let i = 0; i < 3; i++) expect((await send(app, '/api/v1/auth/me', { ip: '198.51.100.1', token: one.key })).status).toBe(200);
      const audited = await refusals();
      const refused = await send(app, '/api/v1/auth/me', { ip: '198.51.100.1', token: one.key });
      expectRateLimited(refused, 'rate_limited_credential');
      expect(refused.body.limit).toBe(3);
      expect(refused.body.detail).toMatch(/API key/);
      // From another address too: the limit follows the key.
      expectRateLimited(await send(app, '/api/v1/auth/me', { ip: '198.51.100.2', token: one.key }), 'rate_limited_credential');
      for (let i = 0; i < 3; i++) expect((await send(app, '/api/v1/auth/me', { ip: '198.51.100.1', token: two.key })).status).toBe(200);
      expectRateLimited(await send(app, '/api/v1/auth/me', { ip: '198.51.100.1', token: two.key }), 'rate_limited_credential');
      expect(await refusals()).toBe(audited);
    });

    it('a session is limited by itself, apart from its user’s API key', async () => {
      const app = makeApp({ perCredential: 3, perAddress: 100, windowSeconds: HOUR });
      const person: SignedIn = await signIn(app, database(), 'editor');
      const login = await send(app, '/api/v1/auth/login', { ip: '198.51.100.3', method: 'POST', body: { email: person.user.email, password: person.password } });
      expect(login.status, JSON.stringify(login.body)).toBe(200);
      const token = login.body.token as string;
      expect(typeof token).toBe('string');
      for (let i = 0; i < 3; i++) expect((await send(app, '/api/v1/auth/me', { ip: '198.51.100.3', token })).status).toBe(200);
      const refused = await send(app, '/api/v1/auth/me', { ip: '198.51.100.3', token });
      expectRateLimited(refused, 'rate_limited_credential');
      expect(refused.body.detail).toMatch(/session/);
      expect((await send(app, '/api/v1/auth/me', { ip: '198.51.100.3', token: person.key })).status).toBe(200);
    });
  });

  describe('per address', () => {
    it('counts every request from the address, unauthenticated, with a bad key and sign-in too, and refuses before looking at credentials', async () => {
      const app = makeApp({ perCredential: 1000, perAddress: 5, windowSeconds: HOUR });
      const person = await signIn(app, database(), 'viewer');
      const ip = '203.0.113.50';
      expect((await send(app, '/api/v1/auth/me', { ip })).status).toBe(401);
      expect((await send(app, '/api/v1/companies', { ip })).status).toBe(401);
      expect((await send(app, '/api/v1/auth/me', { ip, token: GARBAGE_KEY })).status).toBe(401);
      const wrong = await send(app, '/api/v1/auth/login', { ip, method: 'POST', body: { email: person.user.email, password: 'not the password' } });
      expect(wrong.status).toBe(401);
      expect((await send(app, '/api/v1/auth/me', { ip, token: person.key })).status).toBe(200);

      // The address is spent: a bad key is refused as 429 without being looked up (a looked-up
      // bad key is a 401 and an audited refusal), and sign-in is not attempted (no failure counted).
      const audited = await refusals();
      const failures = await loginFailures();
      expectRateLimited(await send(app, '/api/v1/auth/me', { ip, token: GARBAGE_KEY }), 'rate_limited_address');
      expectRateLimited(await send(app, '/api/v1/auth/me', { ip }), 'rate_limited_address');
      const login = await send(app, '/api/v1/auth/login', { ip, method: 'POST', body: { email: person.user.email, password: person.password } });
      expectRateLimited(login, 'rate_limited_address');
      expect(login.headers.get('set-cookie')).toBeNull();
      const valid = await send(app, '/api/v1/auth/me', { ip, token: person.key });
      expectRateLimited(valid, 'rate_limited_address');
      expect(valid.body.limit).toBe(5);
      expect(await refusals()).toBe(audited);
      expect(await loginFailures()).toBe(failures);

      // Another address is not affected, with the same key.
      expect((await send(app, '/api/v1/auth/me', { ip: '203.0.113.51', token: person.key })).status).toBe(200);
    });

    it('a request without a socket (the empty address) is still one address', async () => {
      const app = makeApp({ perCredential: 1000, perAddress: 2, windowSeconds: HOUR });
      expect((await send(app, '/api/v1/auth/me')).status).toBe(401);
      expect((await send(app, '/api/v1/auth/me', { token: GARBAGE_KEY })).status).toBe(401);
      expectRateLimited(await send(app, '/api/v1/auth/me'), 'rate_limited_address');
      expect((await send(app, '/api/v1/auth/me', { ip: '203.0.113.60' })).status).toBe(401);
    });

    it('addresses of one IPv6 /64 count together; IPv4-mapped addresses count as the IPv4 address', async () => {
      const app = makeApp({ perCredential: 1000, perAddress: 2, windowSeconds: HOUR });
      expect((await send(app, '/api/v1/auth/me', { ip: '2001:db8:1:2::1' })).status).toBe(401);
      expect((await send(app, '/api/v1/auth/me', { ip: '2001:db8:1:2:ffff::9' })).status).toBe(401);
      expectRateLimited(await send(app, '/api/v1/auth/me', { ip: '2001:0db8:0001:0002:0:0:0:42' }), 'rate_limited_address');
      expect((await send(app, '/api/v1/auth/me', { ip: '2001:db8:1:3::1' })).status).toBe(401);

      expect((await send(app, '/api/v1/auth/me', { ip: '192.0.2.7' })).status).toBe(401);
      expect((await send(app, '/api/v1/auth/me', { ip: '::ffff:192.0.2.7' })).status).toBe(401);
      expectRateLimited(await send(app, '/api/v1/auth/me', { ip: '192.0.2.7' }), 'rate_limited_address');
    });
  });

  it('/healthz, /, /api/docs and /api/openapi.json are never limited and use up nothing', async () => {
    const app = makeApp({ perCredential: 1, perAddress: 1, windowSeconds: HOUR });
    const person = await signIn(app, database(), 'viewer');
    const ip = '203.0.113.70';
    for (let i = 0; i < 5; i++) {
      for (const path of ['/healthz', '/', '/api/docs', '/api/openapi.json']) expect((await send(app, path, { ip, token: person.key })).status, path).toBe(200);
    }
    expect((await send(app, '/api/v1/auth/me', { ip, token: person.key })).status).toBe(200);
    expectRateLimited(await send(app, '/api/v1/auth/me', { ip, token: person.key }), 'rate_limited_address');
    expect((await send(app, '/healthz', { ip })).status).toBe(200);
  });

  describe('a limit of 0 turns that limit off', () => {
    it('both 0: nothing is limited', async () => {
      const app = makeApp({ perCredential: 0, perAddress: 0, windowSeconds: HOUR });
      const person = await signIn(app, database(), 'viewer');
      for (let i = 0; i < 20; i++) expect((await send(app, '/api/v1/auth/me', { ip: '203.0.113.80', token: person.key })).status).toBe(200);
    });

    it('per credential 0: only the address limit holds', async () => {
      const app = makeApp({ perCredential: 0, perAddress: 4, windowSeconds: HOUR });
      const person = await signIn(app, database(), 'viewer');
      for (let i = 0; i < 4; i++) expect((await send(app, '/api/v1/auth/me', { ip: '203.0.113.81', token: person.key })).status).toBe(200);
      expectRateLimited(await send(app, '/api/v1/auth/me', { ip: '203.0.113.81', token: person.key }), 'rate_limited_address');
      for (let i = 0; i < 4; i++) expect((await send(app, '/api/v1/auth/me', { ip: '203.0.113.82', token: person.key })).status).toBe(200);
    });

    it('per address 0: only the credential limit holds', async () => {
      const app = makeApp({ perCredential: 2, perAddress: 0, windowSeconds: HOUR });
      const person = await signIn(app, database(), 'viewer');
      for (let i = 0; i < 20; i++) expect((await send(app, '/api/v1/auth/me', { ip: '203.0.113.83' })).status).toBe(401);
      for (let i = 0; i < 2; i++) expect((await send(app, '/api/v1/auth/me', { ip: '203.0.113.83', token: person.key })).status).toBe(200);
      expectRateLimited(await send(app, '/api/v1/auth/me', { ip: '203.0.113.83', token: person.key }), 'rate_limited_credential');
    });

    it('without rateLimit, createApp limits nothing', async () => {
      const app = createApp({ database: database(), identity: FAST_IDENTITY });
      const person = await signIn(app, database(), 'viewer');
      for (let i = 0; i < 20; i++) expect((await send(app, '/api/v1/auth/me', { token: person.key })).status).toBe(200);
    });
  });

  it('the OpenAPI document gives every operation a 429 with Retry-After and knows RATE_LIMITED', async () => {
    const app = makeApp({ perCredential: 10, perAddress: 10 });
    const doc = (await send(app, '/api/openapi.json')).body;
    expect(doc.components.responses.RateLimited.headers['Retry-After']).toBeDefined();
    expect(doc.components.schemas.Problem.properties.code.enum).toContain('RATE_LIMITED');
    for (const [path, methods] of Object.entries(doc.paths as Record<string, Record<string, { responses: Record<string, unknown> }>>)) {
      for (const [method, op] of Object.entries(methods)) {
        expect(op.responses['429'], `${method} ${path}`).toEqual({ $ref: '#/components/responses/RateLimited' });
      }
    }
  });
});

describe('addressKey', () => {
  it('keeps IPv4 (also IPv4-mapped) whole, reduces IPv6 to its /64, and keeps anything else as given', () => {
    expect(addressKey('192.0.2.1')).toBe('192.0.2.1');
    expect(addressKey('::ffff:192.0.2.1')).toBe('192.0.2.1');
    expect(addressKey('::FFFF:192.0.2.1')).toBe('192.0.2.1');
    expect(addressKey('2001:db8:a:b:c:d:e:f')).toBe('2001:db8:a:b::/64');
    expect(addressKey('2001:0DB8:000a:000b::1')).toBe('2001:db8:a:b::/64');
    expect(addressKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(addressKey('::1')).toBe('0:0:0:0::/64');
    expect(addressKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(addressKey('64:ff9b::192.0.2.1')).toBe('64:ff9b:0:0::/64');
    expect(addressKey('')).toBe('');
    expect(addressKey('unix-socket')).toBe('unix-socket');
  });
});
