/**
 * Signing in for HTTP tests: a user of a given role with an API key of that role in the
 * suite's database, and a client whose requests carry `Authorization: Bearer <key>`.
 */
import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import { LOCAL_OPERATOR, makeCtx } from '../src/core/context.ts';
import { userActor } from '../src/core/identity/actor.ts';
import { createApiKey } from '../src/core/identity/api-keys.ts';
import type { IdentityConfig } from '../src/core/identity/options.ts';
import type { PublicUser } from '../src/core/identity/user-record.ts';
import { createUser } from '../src/core/identity/users.ts';
import { accessCacheFor } from '../src/core/platform/cache.ts';
import type { Database } from '../src/db/client.ts';
import type { UserRole } from '../src/db/schema/platform.ts';
import type { ApiClient } from './factories.ts';

/** A test-only argon2 cost: production hashes take tens of milliseconds each. */
export const FAST_IDENTITY: IdentityConfig = { argon2: { memoryCost: 1024, timeCost: 1, parallelism: 1 }, secretKey: randomBytes(32) };

export type SignedIn = ApiClient & { user: PublicUser; key: string; password: string };

/** The same init with one more header (whatever form the headers were given in). */
export function withHeader(init: RequestInit | undefined, name: string, value: string): RequestInit {
  const headers = new Headers(init?.headers);
  headers.set(name, value);
  return { ...init, headers };
}

/** A client that sends every request with this API key. */
export function withKey(app: ApiClient, key: string): ApiClient {
  return { request: (path, init) => app.request(path, withHeader(init, 'authorization', `Bearer ${key}`)) };
}

/** Creates a user with this role (and a password) and an API key of the same role; requests through the result carry the key. */
export async function signIn(app: ApiClient, database: Database, role: UserRole = 'admin', identity: IdentityConfig = FAST_IDENTITY): Promise<SignedIn> {
  const ctx = makeCtx(database.db, { actor: LOCAL_OPERATOR, timeZone: 'UTC' });
  const tag = randomBytes(4).toString('hex');
  const password = `test passphrase ${randomBytes(6).toString('hex')}`;
  const user = await createUser(ctx, { email: `${role}-${tag}@example.com`, name: `Test ${role} ${tag}`, role, password }, identity);
  const { key } = await createApiKey({ ...ctx, actor: userActor(user) }, { name: `test ${role}`, role });
  return { ...withKey(app, key), user, key, password };
}

/** The cast most suites need: an administrator, two editors (alice and bob) and a viewer (vic). */
export async function signInCast(app: ApiClient, database: Database): Promise<{ admin: SignedIn; alice: SignedIn; bob: SignedIn; vic: SignedIn }> {
  return {
    admin: await signIn(app, database, 'admin'),
    alice: await signIn(app, database, 'editor'),
    bob: await signIn(app, database, 'editor'),
    vic: await signIn(app, database, 'viewer'),
  };
}

/**
 * After a change made with plain SQL (as another process would make it), waits until the
 * NOTIFY trigger has reached this process's credential cache: that arrives a moment after
 * the commit, on a connection of its own. Waits for an event; asserts no timing.
 */
export async function cacheDropped(database: Database): Promise<void> {
  const cache = accessCacheFor(database);
  for (let i = 0; i < 500 && cache.size > 0; i++) await new Promise((r) => setTimeout(r, 10));
  if (cache.size > 0) throw new Error('the credential cache never heard of the change');
}

/** Calls the API as `who` and expects `status` (201 for a POST, else 200, unless given); answers the JSON body. */
export async function callApi(app: ApiClient, who: { key: string }, method: string, url: string, body?: unknown, status?: number): Promise<Record<string, any>> {
  const init: RequestInit = { method, headers: { authorization: `Bearer ${who.key}`, 'content-type': 'application/json' } };
  if (body !== undefined) init.body = JSON.stringify(body);
  const r = await app.request(url, init);
  const text = await r.text();
  expect(r.status, `${method} ${url}: ${text}`).toBe(status ?? (method === 'POST' ? 201 : 200));
  return text ? (JSON.parse(text) as Record<string, any>) : {};
}

export type Reply = { status: number; body: any };

/** Sends a request as `who` (its API key) and answers the status and the parsed body, whatever the status. */
export async function sendAs(who: ApiClient, method: string, path: string, body?: unknown): Promise<Reply> {
  const init: RequestInit = { method };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers = { 'content-type': 'application/json' };
  }
  const r = await who.request(path, init);
  const text = await r.text();
  return { status: r.status, body: text ? JSON.parse(text) : undefined };
}

/** The body of a reply that must have `status`; the body is in the failure message otherwise. */
export async function expectStatus(p: Promise<Reply>, status = 200): Promise<any> {
  const r = await p;
  expect(r.status, JSON.stringify(r.body)).toBe(status);
  return r.body;
}
