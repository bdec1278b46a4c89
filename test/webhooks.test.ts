/**
 * Outbound webhooks end to end: a real HTTP receiver on 127.0.0.1 checks every signature with
 * the standardwebhooks package, the worker's drain sends, and the API subscribes, lists and
 * replays. Delivery tests allow private targets (the receiver is on loopback); the SSRF list
 * runs with them refused, at save and at send.
 */
import http from 'node:http';
import { sql } from 'drizzle-orm';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../src/api/app.ts';
import { withTx, type Runtime } from '../src/core/context.ts';
import { AppError } from '../src/core/errors.ts';
import { checkOutboundUrl } from '../src/core/platform/outbound-address.ts';
import { invoke, operationByName } from '../src/core/registry.ts';
import { applyUpdate } from '../src/core/resource.ts';
import { resource } from '../src/core/resources.ts';
import { MAX_ATTEMPTS, RETRY_SCHEDULE_MS, webhookDrain } from '../src/worker/webhook-drain.ts';
import { createWorker, type Worker } from '../src/worker/worker.ts';
import { callApi, FAST_IDENTITY, signIn, type SignedIn } from './auth.ts';
import { dbSuite } from './db.ts';
import type { ApiClient } from './factories.ts';

/** What the receiver puts in every answer: it must never come back through our API or logs. */
const MARKER = 'RECEIVER-BODY-MARKER-7f3a9c';

type Received = { path: string; headers: Record<string, string>; body: string; verified: boolean; payload: any };

/** A webhook receiver: verifies signatures with the secret registered for its path; can fail, redirect, or succeed. */
class Receiver {
  server!: http.Server;
  base = '';
  received: Received[] = [];
  secrets = new Map<string, string>();
  failures = new Map<string, number>();

  async start() {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const path = req.url ?? '/';
        const body = Buffer.concat(chunks).toString('utf8');
        const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : String(v ?? '')]));
        const secret = this.secrets.get(path);
        let verified = false;
        let payload: unknown;
        try {
          payload = secret ? new Webhook(secret).verify(body, headers) : undefined;
          verified = secret !== undefined;
        } catch {
          verified = false;
        }
        this.received.push({ path, headers, body, verified, payload });
        if (path.startsWith('/redirect')) {
          res.writeHead(302, { location: `${this.base}/target`, 'content-type': 'text/plain' });
          res.end(MARKER);
          return;
        }
        const failing = this.failures.get(path) ?? 0;
        if (failing > 0) {
          this.failures.set(path, failing - 1);
          res.writeHead(500, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: MARKER }));
          return;
        }
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end(`ok ${MARKER}`);
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  at(path: string) {
    return this.received.filter((r) => r.path === path);
  }

  async stop() {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

const PERMISSIVE: Runtime = { environment: 'development', allowPrivateTargets: true };
const STRICT: Runtime = { environment: 'production', allowPrivateTargets: false };

dbSuite('webhooks', ({ database, ctx }) => {
  const receiver = new Receiver();
  let app: ApiClient;
  let strictApp: ApiClient;
  let admin: SignedIn;
  let worker: Worker;
  let strictWorker: Worker;
  const workerErrors: unknown[] = [];
  const log = { info: () => undefined, error: (_m: string, e?: unknown) => workerErrors.push(e) };
  let path = 0;

  beforeAll(async () => {
    await receiver.start();
    app = createApp({ database: database(), identity: FAST_IDENTITY, webDir: null, runtime: PERMISSIVE });
    strictApp = createApp({ database: database(), identity: FAST_IDENTITY, webDir: null, runtime: STRICT });
    admin = await signIn(app, database(), 'admin');
    worker = createWorker({ database: database(), drains: [webhookDrain({ timeoutMs: 5_000 })], log, identity: FAST_IDENTITY, runtime: PERMISSIVE });
    strictWorker = createWorker({ database: database(), drains: [webhookDrain({ timeoutMs: 5_000 })], log, identity: FAST_IDENTITY, runtime: STRICT });
  });
  afterAll(async () => {
    await receiver.stop();
  });
  beforeEach(async () => {
    // Every test starts with nobody subscribed, so events of one test never reach another's receiver.
    await database().query('delete from webhook_subscriptions');
    expect(workerErrors).toEqual([]);
  });

  /** Subscribes a fresh receiver path; the receiver learns its secret to verify with. */
  async function subscribe(eventTypes: string[], at = `/hook/${++path}`) {
    const sub = await callApi(app, admin, 'POST', '/api/v1/webhook_subscriptions', { url: `${receiver.base}${at}`, event_types: eventTypes, description: 'test receiver' });
    receiver.secrets.set(at, sub.secret as string);
    return { sub, path: at };
  }

  async function newCompany(name = `Acme ${++path}`) {
    return callApi(app, admin, 'POST', '/api/v1/companies', { name });
  }

  async function deliveries(subscriptionId: string) {
    return database().query<Record<string, any>>('select * from webhook_deliveries where subscription_id = $1 order by created_at, id', [subscriptionId]);
  }

  const forceDue = (id: string) => database().query('update webhook_deliveries set next_attempt_at = now() where id = $1', [id]);

  it('answers the signing secret once, on subscribing; reading the subscription never shows it', async () => {
    const { sub } = await subscribe(['company.status_changed']);
    expect(sub.secret).toMatch(/^whsec_[A-Za-z0-9+/]+={0,2}$/);
    expect(Buffer.from((sub.secret as string).slice('whsec_'.length), 'base64').length).toBeGreaterThanOrEqual(24);
    expect(sub).toMatchObject({ enabled: true, event_types: ['company.status_changed'], failure_count: 0 });
    expect(sub).not.toHaveProperty('secret_encrypted');

    const one = await callApi(app, admin, 'GET', `/api/v1/webhook_subscriptions/${sub.id}`);
    const list = await callApi(app, admin, 'GET', '/api/v1/webhook_subscriptions');
    expect(one.id).toBe(sub.id);
    for (const text of [JSON.stringify(one), JSON.stringify(list)]) {
      expect(text).not.toContain(sub.secret);
      expect(text).not.toContain('secret');
    }
    // Stored sealed, and never in the audit log.
    const [row] = await database().query<{ secret_encrypted: string }>('select secret_encrypted from webhook_subscriptions where id = $1', [sub.id]);
    expect(row!.secret_encrypted).toMatch(/^v1\./);
    expect(row!.secret_encrypted).not.toContain((sub.secret as string).slice(6));
    const audit = await database().query('select * from audit_log where record_id = $1', [sub.id]);
    expect(audit.length).toBe(1);
    expect(JSON.stringify(audit)).not.toContain((sub.secret as string).slice(6));

    // Rotation answers a new secret once; it is not audited either.
    const rotated = await callApi(app, admin, 'POST', `/api/v1/webhook_subscriptions/${sub.id}/rotate_secret`, undefined, 200);
    expect(rotated.secret).toMatch(/^whsec_/);
    expect(rotated.secret).not.toBe(sub.secret);
    const audits = JSON.stringify(await database().query('select * from audit_log where record_id = $1', [sub.id]));
    expect(audits).toContain('webhooks.rotate_secret');
    expect(audits).not.toContain((rotated.secret as string).slice(6));
  });

  it('delivers a company status change once, signed, with the change in its data', async () => {
    const { sub, path: at } = await subscribe(['company.status_changed']);
    const company = await newCompany();
    await callApi(app, admin, 'PATCH', `/api/v1/companies/${company.id}`, { status: 'contacted' });
    // Only the subscribed type is queued: the company's creation is not.
    const queued = await deliveries(sub.id);
    expect(queued.map((d) => d.event_type)).toEqual(['company.status_changed']);

    expect(await worker.runOnce()).toEqual({ webhooks: 1 });
    const got = receiver.at(at);
    expect(got.length).toBe(1);
    expect(got[0]!.verified).toBe(true);
    expect(got[0]!.headers['webhook-id']).toBe(queued[0]!.event_id);
    expect(got[0]!.payload).toMatchObject({ type: 'company.status_changed', data: { id: company.id, from: 'lead', to: 'contacted' } });
    expect(Date.parse(got[0]!.payload.timestamp)).not.toBeNaN();

    // Nothing is sent twice.
    expect(await worker.runOnce()).toEqual({ webhooks: 0 });
    expect(receiver.at(at).length).toBe(1);
    const log = await callApi(app, admin, 'GET', `/api/v1/webhook_subscriptions/${sub.id}/deliveries`);
    expect(log.items).toEqual([expect.objectContaining({ status: 'succeeded', attempts: 1, last_status_code: 200, last_error: null, event_id: queued[0]!.event_id })]);
    expect(log.items[0].delivered_at).toEqual(expect.any(String));
  });

  it('emits nothing for a business change that rolls back', async () => {
    const { sub } = await subscribe(['company.status_changed', 'company.created']);
    const company = await newCompany();
    expect((await deliveries(sub.id)).map((d) => d.event_type)).toEqual(['company.created']);
    await expect(
      withTx(ctx(), async (tx) => {
        await applyUpdate(tx, resource('companies'), company.id as string, { status: 'contacted' });
        // The change was made and its event queued in this transaction…
        const queued = (await tx.db.execute(sql`select count(*)::int as n from webhook_deliveries where event_type = 'company.status_changed'`)) as unknown as { rows: { n: number }[] };
        expect(queued.rows[0]!.n).toBe(1);
        throw new Error('the business change fails after its event was queued');
      }),
    ).rejects.toThrow('fails after');
    // …and both are gone.
    expect((await deliveries(sub.id)).map((d) => d.event_type)).toEqual(['company.created']);
    const [row] = await database().query<{ status: string }>('select status from companies where id = $1', [company.id]);
    expect(row!.status).toBe('lead');
  });

  it('retries after a 500 with backoff and jitter, and succeeds on the second attempt', async () => {
    const { sub, path: at } = await subscribe(['company.status_changed']);
    receiver.failures.set(at, 1);
    const company = await newCompany();
    await callApi(app, admin, 'PATCH', `/api/v1/companies/${company.id}`, { status: 'contacted' });

    await worker.runOnce();
    let [d] = await deliveries(sub.id);
    expect(d).toMatchObject({ status: 'failed', attempts: 1, last_status_code: 500, last_error: 'HTTP 500' });
    const wait = new Date(d!.next_attempt_at).getTime() - new Date(d!.updated_at).getTime();
    expect(wait).toBeGreaterThanOrEqual(RETRY_SCHEDULE_MS[0] * 0.8 - 1);
    expect(wait).toBeLessThanOrEqual(RETRY_SCHEDULE_MS[0] * 1.2 + 1);
    // Not due yet: nothing is sent.
    expect(await worker.runOnce()).toEqual({ webhooks: 0 });

    await forceDue(d!.id);
    await worker.runOnce();
    [d] = await deliveries(sub.id);
    expect(d).toMatchObject({ status: 'succeeded', attempts: 2, last_status_code: 200, last_error: null });
    const got = receiver.at(at);
    expect(got.length).toBe(2);
    expect(got.every((r) => r.verified)).toBe(true);
    expect(got[1]!.headers['webhook-id']).toBe(got[0]!.headers['webhook-id']);
    const [s] = await database().query<{ failure_count: number }>('select failure_count from webhook_subscriptions where id = $1', [sub.id]);
    expect(s!.failure_count).toBe(0);
  });

  it('gives up after the last attempt: the delivery is dead, the subscription disabled, the rest kept for replay', async () => {
    const { sub, path: at } = await subscribe(['company.status_changed']);
    receiver.failures.set(at, 1_000);
    const company = await newCompany();
    await callApi(app, admin, 'PATCH', `/api/v1/companies/${company.id}`, { status: 'contacted' });
    const [first] = await deliveries(sub.id);
    for (let i = 1; i < MAX_ATTEMPTS; i++) {
      await forceDue(first!.id);
      await worker.runOnce();
    }
    expect((await deliveries(sub.id))[0]).toMatchObject({ status: 'failed', attempts: MAX_ATTEMPTS - 1 });
    // A second event waits for its turn while the first makes its last attempt.
    await callApi(app, admin, 'PATCH', `/api/v1/companies/${company.id}`, { status: 'meeting_scheduled' });
    const second = (await deliveries(sub.id)).find((d) => d.id !== first!.id)!;
    await database().query(`update webhook_deliveries set next_attempt_at = now() + interval '1 hour' where id = $1`, [second.id]);
    await forceDue(first!.id);
    await worker.runOnce();

    const [dead] = await database().query<Record<string, any>>('select * from webhook_deliveries where id = $1', [first!.id]);
    expect(dead).toMatchObject({ status: 'dead', attempts: MAX_ATTEMPTS, last_status_code: 500 });
    const s = await callApi(app, admin, 'GET', `/api/v1/webhook_subscriptions/${sub.id}`);
    expect(s.enabled).toBe(false);
    expect(s.disabled_reason).toMatch(/disabled automatically on .*failed 10 times/);
    expect(receiver.at(at).length).toBe(MAX_ATTEMPTS);
    const [audit] = await database().query<Record<string, any>>(`select * from audit_log where record_id = $1 and operation = 'webhooks.auto_disable'`, [sub.id]);
    expect(audit).toMatchObject({ actor_type: 'system', action: 'update' });

    // A disabled subscription sends nothing, even when its deliveries are due; they stay.
    await forceDue(second.id);
    expect(await worker.runOnce()).toEqual({ webhooks: 0 });
    expect(receiver.at(at).length).toBe(MAX_ATTEMPTS);
    expect((await deliveries(sub.id)).find((d) => d.id === second.id)).toMatchObject({ status: 'pending', attempts: 0 });
    // Replay waits for the subscription to be enabled again.
    await callApi(app, admin, 'POST', `/api/v1/webhook_deliveries/${first!.id}/replay`, undefined, 412);

    // Enabled again: the failure count is cleared, the waiting delivery goes out, and the dead one can be replayed.
    receiver.failures.set(at, 0);
    const enabled = await callApi(app, admin, 'POST', `/api/v1/webhook_subscriptions/${sub.id}/update`, { enabled: true }, 200);
    expect(enabled).toMatchObject({ enabled: true, failure_count: 0, disabled_reason: null });
    await worker.runOnce();
    expect((await deliveries(sub.id)).find((d) => d.id === second.id)).toMatchObject({ status: 'succeeded' });
    const replayed = await callApi(app, admin, 'POST', `/api/v1/webhook_deliveries/${first!.id}/replay`, undefined, 200);
    expect(replayed).toMatchObject({ status: 'pending', attempts: 0, event_id: first!.event_id });
    await worker.runOnce();
    const last = receiver.at(at).at(-1)!;
    expect(last.verified).toBe(true);
    expect(last.headers['webhook-id']).toBe(first!.event_id);
    expect((await deliveries(sub.id)).find((d) => d.id === first!.id)).toMatchObject({ status: 'succeeded', attempts: 1 });
  });

  it('takes back a claim whose lease ran out, never one still held, and two workers never send one delivery twice', async () => {
    const { sub, path: at } = await subscribe(['company.status_changed']);
    const company = await newCompany();
    await callApi(app, admin, 'PATCH', `/api/v1/companies/${company.id}`, { status: 'contacted' });
    const [d] = await deliveries(sub.id);
    // A worker claimed it and is still within its lease: nobody else sends it.
    await database().query(`update webhook_deliveries set status = 'delivering', next_attempt_at = now() + interval '1 minute' where id = $1`, [d!.id]);
    expect(await worker.runOnce()).toEqual({ webhooks: 0 });
    // That worker died: once its lease has run out the delivery is taken again.
    await database().query(`update webhook_deliveries set next_attempt_at = now() - interval '1 second' where id = $1`, [d!.id]);
    const other = createWorker({ database: database(), drains: [webhookDrain({ timeoutMs: 5_000 })], log, identity: FAST_IDENTITY, runtime: PERMISSIVE });
    const rounds = await Promise.all([worker.runOnce(), other.runOnce()]);
    expect(rounds.map((r) => r.webhooks).sort()).toEqual([0, 1]);
    expect(receiver.at(at).length).toBe(1);
    expect((await deliveries(sub.id))[0]).toMatchObject({ status: 'succeeded', attempts: 1 });
  });

  it('replays a delivered event with the same webhook-id', async () => {
    const { sub, path: at } = await subscribe(['company.status_changed']);
    const company = await newCompany();
    await callApi(app, admin, 'PATCH', `/api/v1/companies/${company.id}`, { status: 'contacted' });
    await worker.runOnce();
    const [d] = await deliveries(sub.id);
    expect(d!.status).toBe('succeeded');
    await callApi(app, admin, 'POST', `/api/v1/webhook_deliveries/${d!.id}/replay`, undefined, 200);
    await worker.runOnce();
    const got = receiver.at(at);
    expect(got.length).toBe(2);
    expect(got.map((r) => r.headers['webhook-id'])).toEqual([d!.event_id, d!.event_id]);
    expect(got.every((r) => r.verified)).toBe(true);
    expect(got[1]!.body).toBe(got[0]!.body);
    const audit = await database().query(`select * from audit_log where record_id = $1 and operation = 'webhooks.replay'`, [d!.id]);
    expect(audit.length).toBe(1);
  });

  it('sends a signed webhook.test ping on request', async () => {
    const { sub, path: at } = await subscribe(['ticket.created']);
    const ping = await callApi(app, admin, 'POST', `/api/v1/webhook_subscriptions/${sub.id}/test`);
    expect(ping).toMatchObject({ event_type: 'webhook.test', status: 'pending' });
    await worker.runOnce();
    const got = receiver.at(at);
    expect(got.length).toBe(1);
    expect(got[0]!.verified).toBe(true);
    expect(got[0]!.payload).toMatchObject({ type: 'webhook.test', data: { subscription_id: sub.id } });
  });

  it('does not follow a redirect: the target sees nothing and the delivery failed', async () => {
    const { sub, path: at } = await subscribe(['company.status_changed'], `/redirect/${++path}`);
    const company = await newCompany();
    await callApi(app, admin, 'PATCH', `/api/v1/companies/${company.id}`, { status: 'contacted' });
    await worker.runOnce();
    expect(receiver.at(at).length).toBe(1);
    expect(receiver.at('/target').length).toBe(0);
    const [d] = await deliveries(sub.id);
    expect(d).toMatchObject({ status: 'failed', attempts: 1, last_status_code: 302, last_error: 'redirect not followed (HTTP 302)' });
  });

  it('connects to exactly the addresses the send-time check approved (no second lookup a name could answer differently)', async () => {
    const { sub, path: at } = await subscribe(['company.status_changed']);
    // The stored address becomes a name no resolver knows; only the check's resolver answers it.
    const port = new URL(receiver.base).port;
    await database().query(`update webhook_subscriptions set url = 'http://receiver.invalid:${port}${at}' where id = '${sub.id}'`);
    const pinned = createWorker({ database: database(), drains: [webhookDrain({ timeoutMs: 5_000, lookup: async (host) => (host === 'receiver.invalid' ? ['127.0.0.1'] : []) })], log, identity: FAST_IDENTITY, runtime: PERMISSIVE });
    const company = await newCompany();
    await callApi(app, admin, 'PATCH', `/api/v1/companies/${company.id}`, { status: 'contacted' });
    await pinned.runOnce();
    expect(receiver.at(at).length).toBe(1);
    const [d] = await deliveries(sub.id);
    expect(d).toMatchObject({ status: 'succeeded' });
  });

  it("never shows the receiver's answer in the delivery log, the generic list or the audit log", async () => {
    const { sub, path: at } = await subscribe(['company.status_changed']);
    receiver.failures.set(at, 1);
    const company = await newCompany();
    await callApi(app, admin, 'PATCH', `/api/v1/companies/${company.id}`, { status: 'contacted' });
    await worker.runOnce();
    const [d] = await deliveries(sub.id);
    await forceDue(d!.id);
    await worker.runOnce();
    // The receiver did answer with the marker, twice (a 500 and a 200)…
    expect(receiver.at(at).length).toBe(2);
    // …and it is nowhere.
    const texts = [
      JSON.stringify(await callApi(app, admin, 'GET', `/api/v1/webhook_subscriptions/${sub.id}/deliveries`)),
      JSON.stringify(await callApi(app, admin, 'GET', `/api/v1/webhook_deliveries/${d!.id}`)),
      JSON.stringify(await callApi(app, admin, 'GET', '/api/v1/webhook_deliveries')),
      JSON.stringify(await callApi(app, admin, 'GET', '/api/v1/audit_log?limit=200')),
      JSON.stringify(await database().query('select * from audit_log')),
      JSON.stringify(await database().query('select * from webhook_deliveries')),
      JSON.stringify(await database().query('select * from webhook_subscriptions')),
    ];
    expect(texts[0]).toContain(d!.event_id);
    for (const t of texts) expect(t).not.toContain(MARKER);
  });

  describe('addresses that are not public', () => {
    const REFUSED = [
      'http://127.0.0.1',
      'https://localhost',
      'https://localhost./hook',
      'https://[::1]',
      'https://2130706433',
      'https://0x7f.0.0.1',
      'https://017700000001',
      'https://[::ffff:127.0.0.1]',
      'https://169.254.169.254/latest/meta-data',
      'https://10.0.0.1',
      'https://192.168.1.1',
      'https://172.16.0.1',
      'https://100.64.0.1',
      'https://0.0.0.0',
      'https://[fe80::1]',
      'https://[fd00::1]',
      'http://example.com',
      'https://user:pw@example.com',
      'ftp://example.com/hook',
      'not a url',
      `https://example.com/${'a'.repeat(2048)}`,
    ];

    it('are refused when saved, with a field error on url, and nothing is written', async () => {
      const [before] = await database().query<{ n: number }>('select count(*)::int as n from webhook_subscriptions');
      for (const url of REFUSED) {
        const r = await strictApp.request('/api/v1/webhook_subscriptions', {
          method: 'POST',
          headers: { authorization: `Bearer ${admin.key}`, 'content-type': 'application/json' },
          body: JSON.stringify({ url, event_types: ['company.created'] }),
        });
        const body = (await r.json()) as { code: string; errors?: { field: string; message: string }[] };
        expect(r.status, url).toBe(400);
        expect(body.code, url).toBe('VALIDATION');
        expect(body.errors?.map((e) => e.field), url).toEqual(['url']);
      }
      const [after] = await database().query<{ n: number }>('select count(*)::int as n from webhook_subscriptions');
      expect(after!.n).toBe(before!.n);
      // The reason is stated in our words.
      await expect(checkOutboundUrl('https://2130706433', { allowPrivate: false })).rejects.toMatchObject({
        details: { fields: [{ field: 'url', message: expect.stringContaining('resolves to a private address (loopback)') }] },
      });
      await expect(checkOutboundUrl('https://169.254.169.254/latest/meta-data', { allowPrivate: false })).rejects.toMatchObject({
        details: { fields: [{ field: 'url', message: expect.stringContaining('link-local') }] },
      });
    });

    it('refuses a name when any address it resolves to is not public, and passes a public one', async () => {
      const resolvesTo = (...addresses: string[]) => ({ allowPrivate: false, lookup: async () => addresses });
      await expect(checkOutboundUrl('https://hooks.example.com/x', resolvesTo('93.184.215.14', '10.1.2.3'))).rejects.toBeInstanceOf(AppError);
      await expect(checkOutboundUrl('https://hooks.example.com/x', resolvesTo('::ffff:192.168.0.1'))).rejects.toBeInstanceOf(AppError);
      await expect(checkOutboundUrl('https://hooks.example.com/x', resolvesTo('64:ff9b::7f00:1'))).rejects.toBeInstanceOf(AppError);
      await expect(
        checkOutboundUrl('https://hooks.example.com/x', { allowPrivate: false, lookup: async () => Promise.reject(new Error('getaddrinfo ENOTFOUND internal-dns-detail')) }),
      ).rejects.toMatchObject({ details: { fields: [{ field: 'url', message: 'names a host that does not resolve' }] } });
      const ok = await checkOutboundUrl('https://hooks.example.com/x', resolvesTo('93.184.215.14', '2606:2800:21f:cb07:6820:80da:af6b:8b2c'));
      expect(ok.url.href).toBe('https://hooks.example.com/x');
      // A public address literal is saved, with the app refusing private targets.
      const r = await callApi(strictApp, admin, 'POST', '/api/v1/webhook_subscriptions', { url: 'https://93.184.215.14/hook', event_types: ['company.created'] });
      expect(r.url).toBe('https://93.184.215.14/hook');
      await callApi(strictApp, admin, 'POST', `/api/v1/webhook_subscriptions/${r.id}/unsubscribe`, undefined, 200);
    });

    it('are refused again when sent: a subscription saved while allowed reaches nothing once they are not', async () => {
      const { sub, path: at } = await subscribe(['company.status_changed']);
      const company = await newCompany();
      await callApi(app, admin, 'PATCH', `/api/v1/companies/${company.id}`, { status: 'contacted' });
      expect(await strictWorker.runOnce()).toEqual({ webhooks: 1 });
      expect(receiver.at(at).length).toBe(0);
      const [d] = await deliveries(sub.id);
      expect(d).toMatchObject({ status: 'failed', attempts: 1, last_status_code: null, last_error: 'address not allowed' });
      // The same delivery goes out where private targets are allowed.
      await forceDue(d!.id);
      await worker.runOnce();
      expect(receiver.at(at).length).toBe(1);
    });

    it('re-checks a changed URL', async () => {
      const { sub } = await subscribe(['company.status_changed']);
      const r = await strictApp.request(`/api/v1/webhook_subscriptions/${sub.id}/update`, {
        method: 'POST',
        headers: { authorization: `Bearer ${admin.key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ url: 'https://169.254.169.254/' }),
      });
      expect(r.status).toBe(400);
      const [row] = await database().query<{ url: string }>('select url from webhook_subscriptions where id = $1', [sub.id]);
      expect(row!.url).toBe(sub.url);
    });
  });

  it('lets only administrators manage subscriptions, and no agent create one', async () => {
    const viewer = await signIn(app, database(), 'viewer');
    const editor = await signIn(app, database(), 'editor');
    const [before] = await database().query<{ n: number }>('select count(*)::int as n from webhook_subscriptions');
    for (const who of [viewer, editor]) {
      const r = await callApi(app, who, 'POST', '/api/v1/webhook_subscriptions', { url: `${receiver.base}/hook/x`, event_types: ['lead.created'] }, 403);
      expect(r.code).toBe('FORBIDDEN');
    }
    const agent = ctx({ actor: { type: 'agent', id: null, label: 'an agent', role: 'admin', onBehalfOf: null } });
    await expect(
      invoke(operationByName.get('webhooks.subscribe')!, { ...agent, identity: FAST_IDENTITY, runtime: PERMISSIVE }, { url: `${receiver.base}/hook/x`, event_types: ['lead.created'] }),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
    const [after] = await database().query<{ n: number }>('select count(*)::int as n from webhook_subscriptions');
    expect(after!.n).toBe(before!.n);
  });

  it('refuses clearly without the instance secret key', async () => {
    const { secretKey: _key, ...withoutKey } = FAST_IDENTITY;
    const keyless = createApp({ database: database(), identity: withoutKey, webDir: null, runtime: PERMISSIVE });
    const r = await callApi(keyless, admin, 'POST', '/api/v1/webhook_subscriptions', { url: `${receiver.base}/hook/x`, event_types: ['lead.created'] }, 412);
    expect(r.detail).toContain('THROUGHLINE_SECRET_KEY');
  });

  it('emits lead, company, deal and ticket events from their verbs, with identifying fields only', async () => {
    const { sub } = await subscribe(['lead.created', 'company.created', 'ticket.created', 'ticket.resolved', 'deal.stage_changed']);
    const lead = await callApi(app, admin, 'POST', '/api/v1/leads', { email: 'jo@site.example', first_name: 'Jo', company_name: 'Site Co' });
    const company = await newCompany('Harbour Civil');
    const ticket = await callApi(app, admin, 'POST', '/api/v1/support_tickets', { company_id: company.id, subject: 'MCP returns 401', category: 'bug' });
    await callApi(app, admin, 'POST', `/api/v1/support_tickets/${ticket.id}/resolve`, { resolution: 'rotated the key' }, 200);
    const deal = await callApi(app, admin, 'POST', '/api/v1/deals', { name: 'Harbour rollout', company_id: company.id });
    await callApi(app, admin, 'POST', `/api/v1/deals/${deal.id}/stage`, { stage: 'proposal' }, 200);
    const rows = await deliveries(sub.id);
    const byType = Object.fromEntries(rows.map((d) => [d.event_type, d.payload.data]));
    expect(Object.keys(byType).sort()).toEqual(['company.created', 'deal.stage_changed', 'lead.created', 'ticket.created', 'ticket.resolved']);
    expect(byType['deal.stage_changed']).toEqual({ id: deal.id, from: deal.stage, to: 'proposal' });
    expect(byType['lead.created']).toMatchObject({ id: lead.id, email: 'jo@site.example', first_name: 'Jo', company_name: 'Site Co' });
    expect(byType['lead.created']).not.toHaveProperty('ip_address');
    expect(byType['company.created']).toMatchObject({ id: company.id, name: 'Harbour Civil', status: 'lead' });
    expect(byType['ticket.created']).toMatchObject({ id: ticket.id, ticket_number: ticket.ticket_number, subject: 'MCP returns 401', status: 'open' });
    expect(byType['ticket.resolved']).toMatchObject({ id: ticket.id, status: 'resolved', resolved_at: expect.any(String) });
    // One event id per event.
    expect(new Set(rows.map((d) => d.event_id)).size).toBe(rows.length);
  });
});
