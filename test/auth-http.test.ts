/**
 * Authentication and authorisation on the HTTP API: every non-public operation needs a
 * session or an API key (generated over the registry), keys and sessions stop working at
 * once, sessions rotate at sign-in, cookie writes need this site's Origin, roles and the
 * identity verbs hold over HTTP, refusals are audited, and first-run setup. Every refusal
 * is checked against the database, not only the status.
 */
import { randomUUID } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/api/app.ts';
import { makeCtx, SYSTEM } from '../src/core/context.ts';
import { userActor } from '../src/core/identity/actor.ts';
import { authenticateApiKey, createApiKey } from '../src/core/identity/api-keys.ts';
import { ensureFirstAdmin, ensureOperatorKey, FIRST_ADMIN_EMAIL, privateCredentialsExist } from '../src/core/identity/bootstrap.ts';
import { login } from '../src/core/identity/sessions.ts';
import { changeRole, createUser } from '../src/core/identity/users.ts';
import { operations, ROLE_FOR_SCOPE, type Operation } from '../src/core/registry.ts';
import { DEMO_CREDENTIALS } from '../src/demo/credentials.ts';
import { cacheDropped, FAST_IDENTITY, signIn, type SignedIn } from './auth.ts';
import { dbSuite } from './db.ts';
import { createCompany } from './factories.ts';

type Reply = { status: number; headers: Headers; body: any };
type App = ReturnType<typeof createApp>;

const ORIGIN = 'http://localhost';
/** What the Node adapter hands Hono: the client's address, for the audit log and sign-in throttling. */
const FROM = { incoming: { socket: { remoteAddress: '203.0.113.9' } } };

/** Sends as nobody (the bare app) or with someone's API key, always from FROM's address. */
async function rawSend(app: App, who: App | SignedIn, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> {
  const h: Record<string, string> = { 'user-agent': 'auth-http-test', ...headers };
  if ('key' in who) h.authorization = `Bearer ${who.key}`;
  const init: RequestInit = { method, headers: h };
  if (body !== undefined) {
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
    h['content-type'] = 'application/json';
  }
  const r = await app.request(path, init, FROM);
  const text = await r.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    /* keep the text */
  }
  return { status: r.status, headers: r.headers, body: parsed };
}

/** A request for an operation with made-up ids in its path and an empty JSON object as body. */
function requestFor(op: Operation): [string, string, unknown] {
  const path = op.http.path.replace(/\{([a-z_]+)\}/g, (_, name: string) => (name === 'entity_type' ? 'company' : randomUUID()));
  const method = op.http.method.toUpperCase();
  return [method, path, method === 'POST' || method === 'PATCH' ? {} : undefined];
}

const sessionCookie = (r: Reply) => /throughline_session=([^;]*)/.exec(r.headers.get('set-cookie') ?? '')?.[1];

const bearer2 = (signed: { body: Record<string, unknown> }) => ({ authorization: `Bearer ${signed.body.token as string}` });

dbSuite('HTTP authentication and authorisation', ({ database }) => {
  let app: App;
  let admin: SignedIn;
  let editor: SignedIn;
  let viewer: SignedIn;
  let tables: string[];
  const send = (who: App | SignedIn, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    rawSend(app, who, method, path, body, headers);

  beforeAll(async () => {
    app = createApp({ database: database(), identity: FAST_IDENTITY });
    admin = await signIn(app, database(), 'admin');
    editor = await signIn(app, database(), 'editor');
    viewer = await signIn(app, database(), 'viewer');
    tables = (await database().query<{ t: string }>(`select tablename as t from pg_tables where schemaname = 'public' order by 1`)).map((r) => r.t);
  });

  /** Row counts of every table, in one query. */
  async function countAll(except: string[] = []): Promise<Record<string, number>> {
    const sql = tables.filter((t) => !except.includes(t)).map((t) => `select '${t}' as t, count(*)::int as n from "${t}"`).join(' union all ');
    const rows = await database().query<{ t: string; n: number }>(sql);
    return Object.fromEntries(rows.map((r) => [r.t, r.n]));
  }
  async function dbRow(table: string, id: unknown): Promise<string | undefined> {
    const [row] = await database().query(`select * from "${table}" where id = $1`, [id]);
    return row ? JSON.stringify(row) : undefined;
  }
  async function refusals(operation: string): Promise<Record<string, any>[]> {
    return database().query(`select * from audit_log where action = 'refused' and operation = $1 order by at`, [operation]);
  }
  async function signInWith(email: string, password: string, extra: Record<string, unknown> = {}): Promise<Reply> {
    return send(app, 'POST', '/api/v1/auth/login', { email, password, ...extra }, { origin: ORIGIN });
  }
  function expectProblem(r: Reply, status: number, code?: string) {
    expect(r.status, JSON.stringify(r.body)).toBe(status);
    expect(r.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    if (code) expect(r.body.code).toBe(code);
  }

  describe('without credentials', () => {
    it('every non-public operation answers 401 problem+json, and nothing is written (generated over the registry)', async () => {
      const before = await countAll();
      const open: string[] = [];
      for (const op of operations) {
        const [method, path, body] = requestFor(op);
        const r = await send(app, method, path, body);
        if (op.public) {
          open.push(op.name);
          expect(r.status, op.name).not.toBe(401);
          continue;
        }
        expectProblem(r, 401, 'UNAUTHORIZED');
      }
      expect(open).toEqual(['auth.login', 'public.questions', 'public.readiness', 'public.roi', 'public.contact', 'public.event']);
      expect(await countAll()).toEqual(before);
    });

    it('a revoked key and an expired session get 401 on every non-public operation, and nothing but the refusals is written (generated over the registry)', async () => {
      const holder = await signIn(app, database(), 'admin');
      const keyId = (await database().query<{ id: string }>('select id from api_keys where user_id = $1', [holder.user.id]))[0]!.id;
      const signed = await signInWith(holder.user.email, holder.password);
      expect(signed.status).toBe(200);
      expect((await send(holder, 'GET', '/api/v1/auth/me')).status).toBe(200);
      expect((await send(holder, 'POST', `/api/v1/api_keys/${keyId}/revoke`)).status).toBe(200);
      await database().query(`update sessions set expires = now() - interval '1 minute' where id = $1`, [signed.body.session.id]);
      await cacheDropped(database());
      const session = { authorization: `Bearer ${signed.body.token as string}` };
      const before = await countAll(['audit_log']);
      const ops = operations.filter((op) => !op.public);
      for (const op of ops) {
        const [method, path, body] = requestFor(op);
        expectProblem(await send(holder, method, path, body), 401, 'UNAUTHORIZED');
        expectProblem(await send(app, method, path, body, session), 401, 'UNAUTHORIZED');
      }
      expect(await countAll(['audit_log'])).toEqual(before);
    });

    it('a malformed Authorization header, an unknown key and an unknown session are 401 and audited', async () => {
      const before = (await refusals('auth.me')).length;
      expectProblem(await send(app, 'GET', '/api/v1/auth/me', undefined, { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` }), 401);
      expectProblem(await send(app, 'GET', '/api/v1/auth/me', undefined, { authorization: `Bearer tl_0123456789_${'x'.repeat(43)}` }), 401);
      expectProblem(await send(app, 'GET', '/api/v1/auth/me', undefined, { authorization: `Bearer ${'y'.repeat(43)}` }), 401);
      const cookie = await send(app, 'GET', '/api/v1/auth/me', undefined, { cookie: `throughline_session=${'z'.repeat(43)}` });
      expectProblem(cookie, 401);
      expect(cookie.headers.get('set-cookie')).toMatch(/throughline_session=;.*Max-Age=0/i);
      const rows = (await refusals('auth.me')).slice(before);
      expect(rows.map((r) => r.after.reason)).toEqual(['bad_authorization_header', 'bad_api_key', 'bad_session', 'bad_session_cookie']);
      expect(rows[1]).toMatchObject({ actor_type: 'anonymous', table_name: 'auth', ip_address: '203.0.113.0', user_agent: 'auth-http-test', after: { status: 401, key_prefix: 'tl_0123456789' } });
    });

    it('/healthz, /, /api/docs and /api/openapi.json stay public', async () => {
      for (const path of ['/healthz', '/', '/api/docs', '/api/openapi.json']) expect((await send(app, 'GET', path)).status, path).toBe(200);
    });

    it('the OpenAPI document declares the bearer and cookie schemes, and sign-in as the one public operation', async () => {
      const doc = (await send(app, 'GET', '/api/openapi.json')).body;
      expect(Object.keys(doc.components.securitySchemes).sort()).toEqual(['bearerAuth', 'sessionCookie']);
      expect(doc.components.securitySchemes.sessionCookie).toMatchObject({ type: 'apiKey', in: 'cookie', name: 'throughline_session' });
      expect(doc.security).toEqual([{ bearerAuth: [] }, { sessionCookie: [] }]);
      const open = Object.values(doc.paths as Record<string, Record<string, { operationId: string; security?: unknown[] }>>)
        .flatMap((p) => Object.values(p))
        .filter((o) => o.security !== undefined);
      expect(open.map((o) => o.operationId).sort()).toEqual(['auth.login', 'public.questions', 'public.readiness', 'public.roi', 'public.contact', 'public.event'].sort());
      for (const o of open) expect(o.security, o.operationId).toEqual([]);
    });
  });

  describe('API keys', () => {
    it('work as Bearer, and a revoked key is refused at once (401) and the refusal audited', async () => {
      // Keys are made by a person signed in (here with the session token as Bearer), never by another key.
      const session = { authorization: `Bearer ${(await signInWith(admin.user.email, admin.password)).body.token as string}` };
      const made = await send(app, 'POST', '/api/v1/api_keys', { name: 'to revoke', role: 'viewer' }, session);
      expect(made.status, JSON.stringify(made.body)).toBe(201);
      expect(made.body.key).toMatch(/^tl_[0-9a-f]{10}_/);
      expect(made.body.api_key).not.toHaveProperty('key_hash');
      const auth = { authorization: `Bearer ${made.body.key as string}` };
      const me = await send(app, 'GET', '/api/v1/auth/me', undefined, auth);
      expect(me.body).toMatchObject({ actor: { type: 'api_key', role: 'viewer' }, user: { id: admin.user.id }, credential: { kind: 'api_key', id: made.body.api_key.id } });
      expect(me.body.user).not.toHaveProperty('password_hash');

      const revoked = await send(admin, 'POST', `/api/v1/api_keys/${made.body.api_key.id as string}/revoke`);
      expect(revoked.status, JSON.stringify(revoked.body)).toBe(200);
      expect(revoked.body.revoked_at).not.toBeNull();
      const before = (await refusals('companies.list')).length;
      expectProblem(await send(app, 'GET', '/api/v1/companies', undefined, auth), 401, 'UNAUTHORIZED');
      const [row] = (await refusals('companies.list')).slice(before);
      expect(row).toMatchObject({ actor_type: 'anonymous', after: { status: 401, reason: 'bad_api_key' } });
    });

    it("only the owner or an administrator revokes a key; to anyone else it does not exist", async () => {
      const { api_key } = await createApiKey(makeCtx(database().db, { actor: userActor(admin.user) }), { name: 'admin only' });
      const row = await dbRow('api_keys', api_key.id);
      expectProblem(await send(editor, 'POST', `/api/v1/api_keys/${api_key.id}/revoke`), 404);
      expect(await dbRow('api_keys', api_key.id)).toBe(row);
    });

    it('a user lists their own keys (never the secret, never anyone else\'s), and revoked ones only when asked', async () => {
      const owner = await signIn(app, database(), 'viewer');
      const ctx = makeCtx(database().db, { actor: userActor(owner.user) });
      const spare = await createApiKey(ctx, { name: 'spare' });
      await createApiKey(makeCtx(database().db, { actor: userActor(editor.user) }), { name: 'not yours' });
      expect((await send(owner, 'POST', `/api/v1/api_keys/${spare.api_key.id}/revoke`)).status).toBe(200);
      const live = await send(owner, 'GET', '/api/v1/auth/api-keys');
      expect(live.status).toBe(200);
      expect(live.body.items.map((k: { name: string }) => k.name)).toEqual(['test viewer']);
      const all = await send(owner, 'GET', '/api/v1/auth/api-keys?include_revoked=true');
      expect(all.body.items.map((k: { name: string }) => k.name).sort()).toEqual(['spare', 'test viewer']);
      expect(JSON.stringify(all.body)).not.toMatch(/key_hash|tl_[0-9a-f]{10}_/);
      expectProblem(await send(owner, 'GET', '/api/v1/api_keys'), 403);
    });
  });

  describe('sessions', () => {
    it('sign-in sets an HttpOnly SameSite=Lax cookie with a new session each time (no fixation), and returns the token once', async () => {
      const first = await signInWith(admin.user.email, admin.password);
      expect(first.status, JSON.stringify(first.body)).toBe(200);
      const cookie = first.headers.get('set-cookie')!;
      expect(cookie).toMatch(/HttpOnly/i);
      expect(cookie).toMatch(/SameSite=Lax/i);
      expect(cookie).toMatch(/Path=\//);
      expect(cookie).not.toMatch(/Secure/i);
      expect(sessionCookie(first)).toBe(first.body.token);
      expect(first.body.user).not.toHaveProperty('password_hash');
      expect(first.body.session).not.toHaveProperty('token_hash');

      // Signing in again, even while presenting the old cookie, makes another session and token.
      const second = await send(app, 'POST', '/api/v1/auth/login', { email: admin.user.email, password: admin.password }, { origin: ORIGIN, cookie: `throughline_session=${first.body.token as string}` });
      expect(second.status).toBe(200);
      expect(second.body.token).not.toBe(first.body.token);
      expect(second.body.session.id).not.toBe(first.body.session.id);
      const me = await send(app, 'GET', '/api/v1/auth/me', undefined, { cookie: `throughline_session=${second.body.token as string}` });
      expect(me.body).toMatchObject({ actor: { type: 'user', id: admin.user.id, role: 'admin' }, credential: { kind: 'session', id: second.body.session.id } });
      // Only digests are stored.
      const [stored] = await database().query<{ token_hash: string }>('select token_hash from sessions where id = $1', [second.body.session.id]);
      expect(stored!.token_hash).not.toContain(second.body.token);
    });

    it('marks the cookie Secure when the request is https', async () => {
      const r = await app.request('https://throughline.example/api/v1/auth/login', {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: 'https://throughline.example' },
        body: JSON.stringify({ email: admin.user.email, password: admin.password }),
      });
      expect(r.status).toBe(200);
      expect(r.headers.get('set-cookie')).toMatch(/; Secure/i);
    });

    it('a wrong password and an unknown email get the same 401, and both are audited by sign-in', async () => {
      const before = (await refusals('identity.login')).length;
      const wrong = await signInWith(viewer.user.email, 'not the password at all');
      const unknown = await signInWith(`nobody-${randomUUID()}@example.com`, 'not the password at all');
      expectProblem(wrong, 401);
      expectProblem(unknown, 401);
      expect(wrong.body.detail).toBe(unknown.body.detail);
      expect(wrong.headers.get('set-cookie')).toBeNull();
      const rows = (await refusals('identity.login')).slice(before);
      expect(rows).toHaveLength(2);
      expect(rows[0]).toMatchObject({ actor_type: 'anonymous', ip_address: '203.0.113.0', after: { reason: 'bad_credentials' } });
    });

    it('logout ends the session and clears the cookie; replaying the cookie or the token is 401', async () => {
      const signed = await signInWith(editor.user.email, editor.password);
      const cookie = { cookie: `throughline_session=${signed.body.token as string}` };
      const out = await send(app, 'POST', '/api/v1/auth/logout', undefined, { ...cookie, origin: ORIGIN });
      expect(out.status, JSON.stringify(out.body)).toBe(200);
      expect(out.body).toEqual({ revoked: true });
      expect(out.headers.get('set-cookie')).toMatch(/throughline_session=;.*Max-Age=0/i);
      expectProblem(await send(app, 'GET', '/api/v1/auth/me', undefined, cookie), 401);
      expectProblem(await send(app, 'POST', '/api/v1/auth/logout', undefined, { ...cookie, origin: ORIGIN }), 401);
      expectProblem(await send(app, 'GET', '/api/v1/auth/me', undefined, { authorization: `Bearer ${signed.body.token as string}` }), 401);
    });

    it('the session token also works as a Bearer token (clients that are not browsers), without an Origin', async () => {
      const signed = await signInWith(editor.user.email, editor.password);
      const bearer = { authorization: `Bearer ${signed.body.token as string}` };
      const made = await send(app, 'POST', '/api/v1/companies', { name: `Bearer Session ${randomUUID()}` }, bearer);
      expect(made.status, JSON.stringify(made.body)).toBe(201);
      expect((await send(app, 'POST', '/api/v1/auth/logout', undefined, bearer)).body).toEqual({ revoked: true });
      expectProblem(await send(app, 'GET', '/api/v1/auth/me', undefined, bearer), 401);
    });

    it('an expired session cookie is 401', async () => {
      const signed = await signInWith(viewer.user.email, viewer.password);
      const cookie = { cookie: `throughline_session=${signed.body.token as string}` };
      expect((await send(app, 'GET', '/api/v1/auth/me', undefined, cookie)).status).toBe(200);
      await database().query(`update sessions set expires = now() - interval '1 minute' where id = $1`, [signed.body.session.id]);
      await cacheDropped(database());
      expectProblem(await send(app, 'GET', '/api/v1/auth/me', undefined, cookie), 401);
    });
  });

  describe('CSRF: changes made with the session cookie need this site as Origin', () => {
    let cookie: string;
    beforeAll(async () => {
      cookie = `throughline_session=${(await signInWith(editor.user.email, editor.password)).body.token as string}`;
    });

    it('refuses a cookie POST with no Origin or Referer (403, nothing written) and audits it', async () => {
      const before = await countAll(['audit_log']);
      const audits = (await refusals('companies.create')).length;
      const r = await send(app, 'POST', '/api/v1/companies', { name: 'Forged' }, { cookie });
      expectProblem(r, 403, 'FORBIDDEN');
      expect(r.body.reason).toBe('csrf');
      expect(await countAll(['audit_log'])).toEqual(before);
      const [row] = (await refusals('companies.create')).slice(audits);
      expect(row).toMatchObject({ actor_type: 'user', actor_id: editor.user.id, after: { status: 403, reason: 'csrf' } });
    });

    it('refuses another site as Origin, on PATCH and DELETE too', async () => {
      const company = await createCompany({ ctx: makeCtx(database().db), app: admin });
      const row = await dbRow('companies', company.id);
      expectProblem(await send(app, 'POST', '/api/v1/companies', { name: 'Forged' }, { cookie, origin: 'https://evil.example' }), 403);
      expectProblem(await send(app, 'PATCH', `/api/v1/companies/${String(company.id)}`, { name: 'Forged' }, { cookie, origin: 'null' }), 403);
      expectProblem(await send(app, 'POST', `/api/v1/companies/${String(company.id)}/archive`, undefined, { cookie, referer: 'https://evil.example/page' }), 403);
      expect(await dbRow('companies', company.id)).toBe(row);
    });

    it('accepts this site as Origin (or Referer), reads without one, and exempts Bearer requests', async () => {
      expect((await send(app, 'POST', '/api/v1/companies', { name: `Same Origin ${randomUUID()}` }, { cookie, origin: ORIGIN })).status).toBe(201);
      expect((await send(app, 'POST', '/api/v1/companies', { name: `Same Referer ${randomUUID()}` }, { cookie, referer: `${ORIGIN}/companies/new` })).status).toBe(201);
      expect((await send(app, 'GET', '/api/v1/companies', undefined, { cookie })).status).toBe(200);
      expect((await send(editor, 'POST', '/api/v1/companies', { name: `Bearer ${randomUUID()}` })).status).toBe(201);
    });

    it('refuses a sign-in posted from another site', async () => {
      const r = await send(app, 'POST', '/api/v1/auth/login', { email: editor.user.email, password: editor.password }, { origin: 'https://evil.example' });
      expectProblem(r, 403);
      expect(r.headers.get('set-cookie')).toBeNull();
    });
  });

  describe('roles over HTTP', () => {
    it('a viewer key gets 403 on every operation above viewer, nothing changes but one audit row per refusal (generated over the registry)', async () => {
      const above = operations.filter((op) => ROLE_FOR_SCOPE[op.scope] !== 'viewer');
      expect(above.length).toBeGreaterThan(50);
      const before = await countAll(['audit_log']);
      const [{ n: audits }] = (await database().query<{ n: number }>(`select count(*)::int as n from audit_log where action = 'refused'`)) as [{ n: number }];
      for (const op of above) {
        const [method, path, body] = requestFor(op);
        expectProblem(await send(viewer, method, path, body), 403, 'FORBIDDEN');
      }
      expect(await countAll(['audit_log'])).toEqual(before);
      const [{ n: after }] = (await database().query<{ n: number }>(`select count(*)::int as n from audit_log where action = 'refused'`)) as [{ n: number }];
      expect(after - audits).toBe(above.length);
    });

    it('an editor key gets 403 on every administrator operation, and nothing changes but the refusals (generated over the registry)', async () => {
      const adminOnly = operations.filter((op) => op.scope === 'admin');
      expect(adminOnly.length).toBeGreaterThan(30);
      const before = await countAll(['audit_log']);
      for (const op of adminOnly) {
        const [method, path, body] = requestFor(op);
        expectProblem(await send(editor, method, path, body), 403, 'FORBIDDEN');
      }
      expect(await countAll(['audit_log'])).toEqual(before);
    });

    it('a viewer reads but cannot change a company: 403 and the row is unchanged', async () => {
      const company = await createCompany({ ctx: makeCtx(database().db), app: admin });
      const row = await dbRow('companies', company.id);
      expect((await send(viewer, 'GET', `/api/v1/companies/${String(company.id)}`)).status).toBe(200);
      const before = (await refusals('companies.update')).length;
      expectProblem(await send(viewer, 'PATCH', `/api/v1/companies/${String(company.id)}`, { name: 'Viewer was here' }), 403);
      expectProblem(await send(viewer, 'POST', `/api/v1/companies/${String(company.id)}/archive`), 403);
      expectProblem(await send(viewer, 'DELETE', `/api/v1/companies/${String(company.id)}`), 403);
      expect(await dbRow('companies', company.id)).toBe(row);
      const [audit] = (await refusals('companies.update')).slice(before);
      expect(audit).toMatchObject({
        actor_type: 'api_key',
        on_behalf_of: viewer.user.id,
        table_name: 'companies',
        record_id: company.id,
        ip_address: '203.0.113.0',
        user_agent: 'auth-http-test',
        after: { status: 403, code: 'FORBIDDEN', method: 'PATCH', required_role: 'editor' },
      });
    });

    it('an editor cannot mint an admin key, change their own role, or change another user\'s password or email (403, nothing changed)', async () => {
      const editorSession = `throughline_session=${(await signInWith(editor.user.email, editor.password)).body.token as string}`;
      const asSession = { cookie: editorSession, origin: ORIGIN };
      const before = await countAll(['audit_log', 'sessions']);
      const editorRow = await dbRow('users', editor.user.id);
      const adminRow = await dbRow('users', admin.user.id);

      const key = await send(app, 'POST', '/api/v1/api_keys', { name: 'escalate', role: 'admin' }, asSession);
      expectProblem(key, 403);
      expect(key.body.errors).toEqual([{ field: 'role', message: 'must be at most editor' }]);
      // A key cannot mint keys at all: keys are made by a signed-in person.
      expectProblem(await send(editor, 'POST', '/api/v1/api_keys', { name: 'from a key', role: 'viewer' }), 403);
      expectProblem(await send(app, 'POST', `/api/v1/users/${editor.user.id}/role`, { role: 'admin' }, asSession), 403);
      expectProblem(await send(editor, 'POST', `/api/v1/users/${editor.user.id}/role`, { role: 'admin' }), 403);
      expectProblem(await send(editor, 'POST', `/api/v1/users/${admin.user.id}/password`, { password: 'a brand new passphrase' }), 403);
      expectProblem(await send(editor, 'PATCH', `/api/v1/users/${admin.user.id}`, { email: 'attacker@example.com' }), 403);
      expectProblem(await send(editor, 'POST', '/api/v1/users', { email: 'sidekick@example.com', name: 'Sidekick', role: 'admin', password: 'a brand new passphrase' }), 403);
      expectProblem(await send(editor, 'POST', `/api/v1/users/${admin.user.id}/disable`), 403);

      expect(await countAll(['audit_log', 'sessions'])).toEqual(before);
      expect(await dbRow('users', editor.user.id)).toBe(editorRow);
      expect(await dbRow('users', admin.user.id)).toBe(adminRow);
      const refused = await database().query<{ operation: string }>(
        `select operation from audit_log where action = 'refused' and (actor_id = $1 or on_behalf_of = $1) order by at`,
        [editor.user.id],
      );
      for (const op of ['api_keys.create', 'users.change_role', 'users.set_password', 'users.update', 'users.create', 'users.disable']) {
        expect(refused.map((r) => r.operation)).toContain(op);
      }
    });

    it('PATCH on a user cannot set role, id, created_at, archived_at, version or the password hash: 400 naming the field, nothing written', async () => {
      const target = await createUser(makeCtx(database().db), { email: `target-${randomUUID()}@example.com`, name: 'Target', role: 'viewer' }, FAST_IDENTITY);
      for (const [field, value] of [
        ['role', 'admin'],
        ['id', randomUUID()],
        ['created_at', '2001-01-01T00:00:00.000Z'],
        ['archived_at', '2001-01-01T00:00:00.000Z'],
        ['version', 99],
        ['disabled_at', null],
        ['password_hash', 'x'],
      ] as const) {
        const row = await dbRow('users', target.id);
        const r = await send(admin, 'PATCH', `/api/v1/users/${target.id}`, { name: 'Renamed', [field]: value });
        expectProblem(r, 400, 'VALIDATION');
        expect(r.body.errors.map((e: { field: string }) => e.field), field).toEqual([field]);
        expect(await dbRow('users', target.id), field).toBe(row);
      }
      const renamed = await send(admin, 'PATCH', `/api/v1/users/${target.id}`, { name: 'Renamed' });
      expect(renamed.status).toBe(200);
      expect(renamed.body).not.toHaveProperty('password_hash');
    });
  });

  describe('the audit log', () => {
    it('shows an administrator who did what, through which key, from where, with before and after', async () => {
      const company = await send(editor, 'POST', '/api/v1/companies', { name: `Audited ${randomUUID()}` }, { 'user-agent': 'audit-check' });
      expect(company.status).toBe(201);
      expect((await send(editor, 'PATCH', `/api/v1/companies/${company.body.id as string}`, { description: 'Changed' })).status).toBe(200);
      const log = await send(admin, 'GET', `/api/v1/audit_log?record_id=${company.body.id as string}&sort=at`);
      expect(log.status).toBe(200);
      expect(log.body.items).toHaveLength(2);
      const [created, updated] = log.body.items;
      const keyId = (await database().query<{ id: string }>('select id from api_keys where user_id = $1', [editor.user.id]))[0]!.id;
      expect(created).toMatchObject({ action: 'create', table_name: 'companies', actor_type: 'api_key', actor_id: keyId, on_behalf_of: editor.user.id, ip_address: '203.0.113.0', user_agent: 'audit-check' });
      expect(updated).toMatchObject({ action: 'update', before: { description: null }, after: { description: 'Changed' } });
      expectProblem(await send(editor, 'GET', '/api/v1/audit_log'), 403);
    });

    it('cannot be changed or deleted by anyone: no operation offers it, and the database refuses it', async () => {
      expect(operations.filter((op) => op.name.startsWith('audit_log.')).map((op) => op.kind).sort()).toEqual(['get', 'list']);
      const [row] = await database().query<{ id: string }>('select id from audit_log limit 1');
      await expect(database().query(`update audit_log set actor_label = 'someone else' where id = $1`, [row!.id])).rejects.toThrow(/append-only/);
      await expect(database().query('delete from audit_log where id = $1', [row!.id])).rejects.toThrow(/append-only/);
      await expect(database().query('truncate audit_log')).rejects.toThrow(/append-only/);
      expect(await database().query('select id from audit_log where id = $1', [row!.id])).toHaveLength(1);
    });
  });

  describe('the identity verbs through the API', () => {
    it('an administrator creates a user who signs in, changes their own password (ending their sessions) and signs in again', async () => {
      const email = `new-${randomUUID()}@example.com`;
      const created = await send(admin, 'POST', '/api/v1/users', { email, name: 'New Person', role: 'editor', password: 'first passphrase here' });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      expect(created.body).toMatchObject({ email, role: 'editor' });
      expect(created.body).not.toHaveProperty('password_hash');
      expectProblem(await send(admin, 'POST', '/api/v1/users', { email: `weak-${randomUUID()}@example.com`, name: 'Weak', role: 'viewer', password: 'password1' }), 400);

      const signed = await signInWith(email, 'first passphrase here');
      expect(signed.status).toBe(200);
      const bearer = { authorization: `Bearer ${signed.body.token as string}` };
      const wrong = await send(app, 'POST', `/api/v1/users/${created.body.id as string}/password`, { password: 'second passphrase here', current_password: 'nope nope nope' }, bearer);
      expectProblem(wrong, 403);
      const changed = await send(app, 'POST', `/api/v1/users/${created.body.id as string}/password`, { password: 'second passphrase here', current_password: 'first passphrase here' }, bearer);
      expect(changed.status, JSON.stringify(changed.body)).toBe(200);
      expect(changed.body.sessions_revoked).toBeGreaterThanOrEqual(1);
      expectProblem(await send(app, 'GET', '/api/v1/auth/me', undefined, bearer), 401);
      expectProblem(await signInWith(email, 'first passphrase here'), 401);
      expect((await signInWith(email, 'second passphrase here')).status).toBe(200);
      // Password checks count failures outside any transaction, so they refuse an Idempotency-Key.
      expectProblem(await send(app, 'POST', '/api/v1/auth/login', { email, password: 'x' }, { origin: ORIGIN, 'idempotency-key': 'k1' }), 400);
      // A new key is shown once: a replay would have to keep it, so an Idempotency-Key is refused and no key is made.
      const keyed = await send(app, 'POST', '/api/v1/api_keys', { name: 'replayable?' }, { ...bearer2(await signInWith(email, 'second passphrase here')), 'idempotency-key': 'k2' });
      expectProblem(keyed, 400);
      expect(JSON.stringify(keyed.body)).toMatch(/secret shown once/);
      const idem = await database().query<{ n: number }>("select count(*)::int as n from idempotency_keys where key = 'k2'");
      expect(idem[0]!.n).toBe(0);
    });

    it('changing a role takes effect on the next request; disabling stops sessions and keys at once; enabling restores keys', async () => {
      const person = await signIn(app, database(), 'editor');
      const signed = await signInWith(person.user.email, person.password);
      const bearer = { authorization: `Bearer ${signed.body.token as string}` };
      const role = await send(admin, 'POST', `/api/v1/users/${person.user.id}/role`, { role: 'viewer' });
      expect(role.status, JSON.stringify(role.body)).toBe(200);
      expectProblem(await send(app, 'POST', '/api/v1/companies', { name: `Demoted ${randomUUID()}` }, bearer), 403);
      expectProblem(await send(person, 'POST', '/api/v1/companies', { name: `Demoted ${randomUUID()}` }), 403);

      const disabled = await send(admin, 'POST', `/api/v1/users/${person.user.id}/disable`);
      expect(disabled.status, JSON.stringify(disabled.body)).toBe(200);
      expectProblem(await send(app, 'GET', '/api/v1/auth/me', undefined, bearer), 401);
      expectProblem(await send(person, 'GET', '/api/v1/auth/me'), 401);
      expectProblem(await signInWith(person.user.email, person.password), 401);
      expect((await send(admin, 'POST', `/api/v1/users/${person.user.id}/enable`)).status).toBe(200);
      expect((await send(person, 'GET', '/api/v1/auth/me')).body).toMatchObject({ actor: { role: 'viewer' } });
    });

    it('TOTP: enrol with the password, confirm with a code, then sign-in needs a code; recovery codes work once; the block can be lifted', async () => {
      const person = await signIn(app, database(), 'viewer');
      const id = person.user.id;
      expectProblem(await send(person, 'POST', `/api/v1/users/${id}/totp/enrol`, {}), 400);
      const begun = await send(person, 'POST', `/api/v1/users/${id}/totp/enrol`, { password: person.password });
      expect(begun.status, JSON.stringify(begun.body)).toBe(200);
      expect(begun.body.uri).toMatch(/^otpauth:\/\/totp\//);
      const code = () => new TOTP({ secret: Secret.fromBase32(begun.body.secret), algorithm: 'SHA1', digits: 6, period: 30 }).generate();
      const confirmed = await send(person, 'POST', `/api/v1/users/${id}/totp/confirm`, { password: person.password, code: code() });
      expect(confirmed.status, JSON.stringify(confirmed.body)).toBe(200);
      expect(confirmed.body.recovery_codes).toHaveLength(10);
      expect((await send(person, 'GET', `/api/v1/users/${id}/totp`)).body).toEqual({ enabled: true, pending: false, recovery_codes_left: 10 });
      expectProblem(await send(viewer, 'GET', `/api/v1/users/${id}/totp`), 403);

      const noCode = await signInWith(person.user.email, person.password);
      expectProblem(noCode, 401);
      expect(noCode.body.second_factor).toBe('totp');
      const recovery = confirmed.body.recovery_codes[0] as string;
      expect((await signInWith(person.user.email, person.password, { totp: recovery })).status).toBe(200);
      expectProblem(await signInWith(person.user.email, person.password, { totp: recovery }), 401);
      const codes = await send(person, 'POST', `/api/v1/users/${id}/totp/recovery-codes`, { password: person.password });
      expect(codes.body.recovery_codes).toHaveLength(10);
      // An administrator turns it off for someone who lost their phone, without their password.
      expect((await send(admin, 'POST', `/api/v1/users/${id}/totp/disable`, {})).body).toEqual({ disabled: true });
      expect((await signInWith(person.user.email, person.password)).status).toBe(200);

      // Lifting a sign-in block: administrators only.
      await database().query(
        `insert into login_attempts (account_key, source, failures, blocked_at) values (encode(sha256(convert_to($1, 'UTF8')), 'hex'), '203.0.113.9', 100, now())`,
        [`login:${person.user.email.toLowerCase()}`],
      );
      expectProblem(await signInWith(person.user.email, person.password), 429);
      expectProblem(await send(editor, 'POST', '/api/v1/auth/lift-login-block', { email: person.user.email }), 403);
      const lifted = await send(admin, 'POST', '/api/v1/auth/lift-login-block', { email: person.user.email });
      expect(lifted.body).toEqual({ cleared: 1 });
      expect((await signInWith(person.user.email, person.password)).status).toBe(200);
    });
  });
});

dbSuite('first run', ({ database }) => {
  const system = () => makeCtx(database().db, { actor: SYSTEM, identity: FAST_IDENTITY });

  it('with nobody able to sign in, makes admin@localhost an administrator with a one-time password, once', async () => {
    expect(await privateCredentialsExist(system())).toBe(false);
    // A user without a password does not count.
    await createUser(system(), { email: `nopass-${randomUUID()}@example.com`, name: 'No Password', role: 'admin' });
    const made = await ensureFirstAdmin(system(), FAST_IDENTITY);
    expect(made).toMatchObject({ email: FIRST_ADMIN_EMAIL, password: expect.any(String) });
    expect(made!.password.length).toBeGreaterThanOrEqual(20);
    const signed = await login(makeCtx(database().db, { identity: FAST_IDENTITY }), { email: FIRST_ADMIN_EMAIL, password: made!.password, ip: '127.0.0.1' }, FAST_IDENTITY);
    expect(signed.user.role).toBe('admin');
    expect(await ensureFirstAdmin(system(), FAST_IDENTITY)).toBeNull();
    expect(await privateCredentialsExist(system())).toBe(true);
  });

  it('does not count the published demo passwords as a way in', async () => {
    const fresh = await database().query<{ n: number }>(`select count(*)::int as n from users where email like '%@promptai.com.au'`);
    expect(fresh[0]!.n).toBe(0);
    // Only demo accounts with their demo passwords (the first admin disabled for this check).
    await database().query(`update users set disabled_at = now() where email = $1`, [FIRST_ADMIN_EMAIL]);
    for (const d of DEMO_CREDENTIALS) await createUser(system(), { email: d.email, name: d.email.split('@')[0]!, role: d.role, password: d.password }, FAST_IDENTITY);
    expect(await privateCredentialsExist(system(), DEMO_CREDENTIALS)).toBe(false);
    expect(await privateCredentialsExist(system())).toBe(true);
    await database().query(`update users set disabled_at = null where email = $1`, [FIRST_ADMIN_EMAIL]);
    expect(await privateCredentialsExist(system(), DEMO_CREDENTIALS)).toBe(true);
  });

  it("keeps the local operator's key while it works as an administrator, and replaces (and revokes) it otherwise", async () => {
    const first = await ensureOperatorKey(system());
    expect(first).toMatchObject({ created: true });
    expect(await ensureOperatorKey(system(), first!.key)).toEqual({ key: first!.key, created: false });
    const owner = (await authenticateApiKey(system(), first!.key)).user;
    expect(owner.role).toBe('admin');

    const garbage = await ensureOperatorKey(system(), `tl_0123456789_${'q'.repeat(43)}`);
    expect(garbage!.created).toBe(true);

    // The owner is demoted: the key no longer acts as an administrator, so a new one replaces it.
    await createUser(system(), { email: `second-admin-${randomUUID()}@example.com`, name: 'Second Admin', role: 'admin' });
    await changeRole(system(), { user_id: owner.id, role: 'editor' });
    const replaced = await ensureOperatorKey(system(), garbage!.key);
    expect(replaced!.created).toBe(true);
    expect(replaced!.key).not.toBe(garbage!.key);
    const [old] = await database().query<{ revoked_at: Date | null }>(`select revoked_at from api_keys where key_hash = encode(sha256(convert_to($1, 'UTF8')), 'hex')`, [garbage!.key]);
    expect(old!.revoked_at).not.toBeNull();
    expect((await authenticateApiKey(system(), replaced!.key)).user.role).toBe('admin');
  });
});
