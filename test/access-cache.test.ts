/**
 * The per-process cache of credentials and settings (src/core/platform/cache.ts): a change
 * made through this process counts at once, and a change made anywhere else (another process,
 * plain SQL) reaches the cache through the database's NOTIFY trigger.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/api/app.ts';
import { login } from '../src/core/identity/sessions.ts';
import { makeCtx } from '../src/core/context.ts';
import { AccessCache, accessCacheFor } from '../src/core/platform/cache.ts';
import { openDatabase, type Database } from '../src/db/client.ts';
import { cacheDropped, FAST_IDENTITY, signIn, type SignedIn } from './auth.ts';
import { dbSuite } from './db.ts';

type App = ReturnType<typeof createApp>;

const get = async (app: App, token: string, path = '/api/v1/auth/me') =>
  (await app.request(path, { headers: { authorization: `Bearer ${token}` } })).status;


describe('AccessCache', () => {
  it('keeps what it loaded, but not a load that a change overtook, nor anything before it listens', async () => {
    const cache = new AccessCache();
    let loads = 0;
    const load = async () => ++loads;
    expect(await cache.get('a', load)).toBe(1);
    expect(await cache.get('a', load)).toBe(2);
    cache.listening = true;
    expect(await cache.get('a', load)).toBe(3);
    expect(await cache.get('a', load)).toBe(3);
    const slow = cache.get('b', async () => {
      cache.invalidate();
      return 'stale';
    });
    expect(await slow).toBe('stale');
    expect(await cache.get('b', async () => 'fresh')).toBe('fresh');
    expect(await cache.get('a', load)).toBe(4);
    expect(await cache.get('none', async () => undefined)).toBeUndefined();
    expect(cache.size).toBe(2);
  });

  it('forgets entries after their time and holds at most its limit', async () => {
    const cache = new AccessCache(0, 2);
    cache.listening = true;
    let n = 0;
    await cache.get('a', async () => ++n);
    expect(await cache.get('a', async () => ++n)).toBe(2);
    const small = new AccessCache(60_000, 2);
    small.listening = true;
    for (const k of ['a', 'b', 'c']) await small.get(k, async () => k);
    expect(small.size).toBe(2);
  });
});

dbSuite('access cache', ({ database, backend }) => {
  let app: App;
  let admin: SignedIn;
  let cache: AccessCache;

  beforeAll(async () => {
    app = createApp({ database: database(), identity: FAST_IDENTITY });
    admin = await signIn(app, database(), 'admin');
    cache = accessCacheFor(database());
    for (let i = 0; i < 500 && !cache.listening; i++) await new Promise((r) => setTimeout(r, 10));
    expect(cache.listening).toBe(true);
  });

  const post = (who: SignedIn, path: string, body: unknown = {}) =>
    app.request(path, { method: 'POST', headers: { authorization: `Bearer ${who.key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });

  it('a key is looked up once, and revoking it is a 401 on the very next request', async () => {
    const editor = await signIn(app, database(), 'editor');
    expect(await get(app, editor.key)).toBe(200);
    expect(cache.size).toBeGreaterThan(0);
    // Gone from the database but still cached: the cache is what answers.
    const id = (await database().query<{ id: string }>('select id from api_keys where user_id = $1', [editor.user.id]))[0]!.id;
    expect((await post(editor, `/api/v1/api_keys/${id}/revoke`)).status).toBe(200);
    expect(await get(app, editor.key)).toBe(401);
  });

  it('disabling a user or lowering their role counts on the very next request', async () => {
    const editor = await signIn(app, database(), 'editor');
    expect((await post(editor, '/api/v1/industries', { name: `Cached ${editor.user.id}` })).status).toBe(201);
    expect((await post(admin, `/api/v1/users/${editor.user.id}/role`, { role: 'viewer' })).status).toBe(200);
    expect((await post(editor, '/api/v1/industries', { name: `Cached again ${editor.user.id}` })).status).toBe(403);
    expect(await get(app, editor.key)).toBe(200);
    expect((await post(admin, `/api/v1/users/${editor.user.id}/disable`)).status).toBe(200);
    expect(await get(app, editor.key)).toBe(401);
  });

  it('a session ends at once at logout', async () => {
    const editor = await signIn(app, database(), 'editor');
    const { token } = await login(makeCtx(database().db, { timeZone: 'UTC' }), { email: editor.user.email, password: editor.password, ip: '198.51.100.7' }, FAST_IDENTITY);
    expect(await get(app, token)).toBe(200);
    const out = await app.request('/api/v1/auth/logout', { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    expect(out.status).toBe(200);
    expect(await get(app, token)).toBe(401);
  });

  it('a change made with plain SQL, outside this process, reaches the cache by NOTIFY', async () => {
    const editor = await signIn(app, database(), 'editor');
    expect(await get(app, editor.key)).toBe(200);
    expect(cache.size).toBeGreaterThan(0);
    await database().query('update api_keys set revoked_at = now() where user_id = $1', [editor.user.id]);
    await cacheDropped(database());
    expect(await get(app, editor.key)).toBe(401);
  });

  // One embedded database has one process by construction (the data-dir lock); PostgreSQL may have many.
  if (backend === 'postgres') it('another process on the same PostgreSQL database hears of a revocation', async () => {
    const url = (database().pool!.options as { connectionString: string }).connectionString;
    const other: Database = await openDatabase({ databaseUrl: url, poolSize: 2 });
    try {
      const otherApp = createApp({ database: other, identity: FAST_IDENTITY });
      const otherCache = accessCacheFor(other);
      for (let i = 0; i < 500 && !otherCache.listening; i++) await new Promise((r) => setTimeout(r, 10));
      const editor = await signIn(app, database(), 'editor');
      expect(await get(otherApp, editor.key)).toBe(200);
      expect(otherCache.size).toBeGreaterThan(0);
      const id = (await database().query<{ id: string }>('select id from api_keys where user_id = $1', [editor.user.id]))[0]!.id;
      expect((await post(editor, `/api/v1/api_keys/${id}/revoke`)).status).toBe(200);
      await cacheDropped(other);
      expect(await get(otherApp, editor.key)).toBe(401);
    } finally {
      await other.close();
    }
  });
});
