/**
 * Data minimisation (issue 11): a sign-in over HTTP keeps the client's address anonymised
 * (IPv4 a.b.c.0, IPv6 its /48, as the public forms keep it) and the user agent cut to 256
 * characters, in the session row and in every audit row the request writes: the successful
 * sign-in, a refused one, a refused request, and a change made with an API key. A forged
 * X-Forwarded-For is not taken for the client's address (the server trusts no proxy header),
 * and neither address is stored whole anywhere. The server's log shows a failed query without
 * its parameter values and no email address.
 */
import { randomBytes } from 'node:crypto';
import { beforeAll, expect, it } from 'vitest';
import { createApp } from '../src/api/app.ts';
import { makeCtx, LOCAL_OPERATOR } from '../src/core/context.ts';
import { createUser } from '../src/core/identity/users.ts';
import { MAX_USER_AGENT } from '../src/core/sales/public-limits.ts';
import { describeLoggedError, redactLogText } from '../src/logging.ts';
import { FAST_IDENTITY, signIn, type SignedIn } from './auth.ts';
import { dbSuite } from './db.ts';

type Json = Record<string, any>;
const ORIGIN = 'http://localhost';
const LONG_AGENT = `Mozilla/5.0 (minimisation test) ${'x'.repeat(600)}`;

dbSuite('data minimisation', ({ database }) => {
  let app: ReturnType<typeof createApp>;
  let editor: SignedIn;
  const q = <T = Json>(text: string, params: unknown[] = []) => database().query<T>(text, params);
  const email = `minimal.${randomBytes(3).toString('hex')}@example.com`;
  const password = `minimal passphrase ${randomBytes(6).toString('hex')}`;
  let userId: string;

  /** A request as the Node adapter hands it to Hono: from this socket address, with this user agent and any forged forwarding header. */
  const send = (path: string, body: unknown, remoteAddress: string, headers: Record<string, string> = {}) =>
    app.request(
      path,
      { method: 'POST', headers: { 'content-type': 'application/json', origin: ORIGIN, 'user-agent': LONG_AGENT, 'x-forwarded-for': '198.51.100.77', 'x-real-ip': '198.51.100.78', ...headers }, body: JSON.stringify(body) },
      { incoming: { socket: { remoteAddress } } },
    );

  beforeAll(async () => {
    app = createApp({ database: database(), identity: FAST_IDENTITY });
    editor = await signIn(app, database(), 'editor');
    const user = await createUser(makeCtx(database().db, { actor: LOCAL_OPERATOR }), { email, name: 'Minimal Person', role: 'editor', password }, FAST_IDENTITY);
    userId = user.id;
  });

  const sessionsOf = () => q<{ id: string; ip_address: string | null; user_agent: string | null }>(`select id::text as id, ip_address, user_agent from sessions where user_id = $1 order by created_at`, [userId]);
  const auditOf = (sessionId: string) => q<{ ip_address: string | null; user_agent: string | null }>(`select ip_address, user_agent from audit_log where table_name = 'sessions' and record_id = $1`, [sessionId]);

  it('keeps an IPv4 client as a.b.c.0 and the user agent truncated, in the session and its audit row', async () => {
    const r = await send('/api/v1/auth/login', { email, password }, '203.0.113.9');
    expect(r.status, await r.clone().text()).toBe(200);
    const [session] = await sessionsOf();
    expect(session).toMatchObject({ ip_address: '203.0.113.0' });
    expect(session!.user_agent).toHaveLength(MAX_USER_AGENT);
    expect(LONG_AGENT.startsWith(session!.user_agent!)).toBe(true);
    const audit = await auditOf(session!.id);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toEqual({ ip_address: '203.0.113.0', user_agent: LONG_AGENT.slice(0, MAX_USER_AGENT) });
  });

  it('keeps an IPv6 client as its /48 and an IPv4-mapped one as IPv4', async () => {
    expect((await send('/api/v1/auth/login', { email, password }, '2001:db8:abcd:1234:5678:9abc:def0:1')).status).toBe(200);
    expect((await send('/api/v1/auth/login', { email, password }, '::ffff:192.0.2.77')).status).toBe(200);
    const [, v6, mapped] = await sessionsOf();
    expect(v6!.ip_address).toBe('2001:db8:abcd::');
    expect(mapped!.ip_address).toBe('192.0.2.0');
    expect((await auditOf(v6!.id))[0]!.ip_address).toBe('2001:db8:abcd::');
    expect((await auditOf(mapped!.id))[0]!.ip_address).toBe('192.0.2.0');
  });

  it('anonymises the refusal of a wrong password and of a forbidden request, and a change made with an API key', async () => {
    expect((await send('/api/v1/auth/login', { email, password: 'not the password at all' }, '203.0.113.44')).status).toBe(401);
    const [refusedLogin] = await q<Json>(`select ip_address, user_agent from audit_log where action = 'refused' and operation = 'identity.login' and after->>'user_id' = $1`, [userId]);
    expect(refusedLogin).toEqual({ ip_address: '203.0.113.0', user_agent: LONG_AGENT.slice(0, MAX_USER_AGENT) });

    const created = await send('/api/v1/companies', { name: `Minimal Co ${randomBytes(3).toString('hex')}` }, '203.0.113.45', { authorization: `Bearer ${editor.key}` });
    expect(created.status, await created.clone().text()).toBe(201);
    const company = (await created.json()) as Json;
    const [change] = await q<Json>(`select ip_address, user_agent from audit_log where table_name = 'companies' and record_id = $1 and action = 'create'`, [company.id]);
    expect(change).toEqual({ ip_address: '203.0.113.0', user_agent: LONG_AGENT.slice(0, MAX_USER_AGENT) });

    const refused = await send('/api/v1/users', { email: 'x@example.com', name: 'X', role: 'admin' }, '203.0.113.46', { authorization: `Bearer ${editor.key}` });
    expect(refused.status).toBe(403);
    const [denied] = await q<Json>(`select ip_address from audit_log where action = 'refused' and actor_id is not null order by at desc limit 1`);
    expect(denied).toEqual({ ip_address: '203.0.113.0' });
  });

  it('stores neither the real address nor the forged forwarded ones whole, anywhere in sessions or the audit log', async () => {
    const whole = await q<{ n: number }>(
      `select count(*)::int as n from (select ip_address from sessions union all select ip_address from audit_log) a
       where ip_address in ('203.0.113.9', '203.0.113.44', '203.0.113.45', '203.0.113.46', '192.0.2.77', '198.51.100.77', '198.51.100.78') or ip_address like '2001:db8:abcd:1234%' or ip_address like '198.51.100.%'`,
    );
    expect(whole[0]!.n).toBe(0);
    const longAgents = await q<{ n: number }>(`select count(*)::int as n from (select user_agent from sessions union all select user_agent from audit_log) a where length(user_agent) > ${MAX_USER_AGENT}`);
    expect(longAgents[0]!.n).toBe(0);
  });

  it('logs a failed query without its parameter values, and no email address', () => {
    const failed = Object.assign(new Error(`Failed query: insert into leads (email, first_name) values ($1, $2)\nparams: pat@example.com,Pat`), {
      query: 'insert into leads (email, first_name) values ($1, $2)',
      params: ['pat@example.com', 'Pat'],
      cause: new Error('duplicate key value violates unique constraint "leads_email_key"'),
    });
    const shown = describeLoggedError(failed);
    expect(shown).toContain('insert into leads (email, first_name) values ($1, $2)');
    expect(shown).toContain('2 parameter value(s), not logged');
    expect(shown).toContain('duplicate key value violates unique constraint');
    expect(shown).not.toContain('pat@example.com');
    expect(shown).not.toMatch(/params: /);
    expect(redactLogText('Email 5f1c: gave up after 8 attempt(s): 550 5.1.1 <dana.reyes@client.example>: mailbox unknown')).toBe(
      'Email 5f1c: gave up after 8 attempt(s): 550 5.1.1 <[email]>: mailbox unknown',
    );
  });
});
