/**
 * Sends webhook deliveries. A round claims what is due (pending, failed and due, or claimed by
 * a worker whose lease ran out) with FOR UPDATE SKIP LOCKED and commits the claim; the POSTs
 * happen outside any transaction; each outcome is recorded in a transaction of its own, and
 * only while the claim is still ours. Before each send the URL is checked again (what a name
 * resolves to can change). Redirects are never followed; of the receiver's answer only the
 * status counts, and at most a few KB of its body are read, to be thrown away.
 */
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { and, asc, eq, inArray, lte, sql } from 'drizzle-orm';
import { Webhook } from 'standardwebhooks';
import { withTx, type Ctx } from '../core/context.ts';
import { unseal } from '../core/identity/crypto.ts';
import { writeAudit } from '../core/platform/audit.ts';
import { checkOutboundUrl } from '../core/platform/outbound-address.ts';
import { outboundPolicy, sealingKey, secretContext, subscriptionsForSending } from '../core/platform/webhooks.ts';
import { webhook_deliveries, webhook_subscriptions } from '../db/schema/comms.ts';
import type { Drain } from './worker.ts';

const S = 1000;
const M = 60 * S;
const H = 60 * M;
/** The wait after the 1st, 2nd, … failed attempt: about 61 hours in all (with jitter, up to about three days). */
export const RETRY_SCHEDULE_MS = [5 * S, 5 * M, 30 * M, 2 * H, 5 * H, 10 * H, 10 * H, 14 * H, 20 * H] as const;
/** The first attempt and one after each wait; the last failure makes the delivery dead. */
export const MAX_ATTEMPTS = RETRY_SCHEDULE_MS.length + 1;
/** ±20%, so receivers coming back after an outage are not hit by every retry at once. */
export const withJitter = (ms: number, random: () => number = Math.random) => Math.round(ms * (0.8 + 0.4 * random()));

/** How much of a receiver's body is read (then discarded), so the connection can close cleanly. */
const MAX_BODY_BYTES = 4096;
/** A resolver that hangs is cut off by the address check itself (5 s); this leaves room for it and for recording. */
const LEASE_MARGIN_MS = 60 * S;

export type WebhookDrainOptions = {
  timeoutMs?: number;
  /** The resolver the send-time check uses (tests of DNS answers); the system's otherwise. The connection goes to exactly the addresses it answered. */
  lookup?: (host: string) => Promise<string[]>;
  /** The most deliveries one round claims (sent concurrently). */
  batch?: number;
};

type Outcome = { ok: boolean; statusCode: number | null; error: string | null };

type Claimed = { id: string; subscription_id: string; event_id: string; payload: unknown; attempts: number };

export function webhookDrain(opts: WebhookDrainOptions = {}): Drain {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const batch = opts.batch ?? 20;
  return {
    name: 'webhooks',
    everyMs: 5 * S,
    async run(ctx) {
      // Without the key nothing can be signed: fail the round (logged, tried again) and claim nothing.
      const key = sealingKey(ctx);
      const lease = new Date(ctx.now().getTime() + timeoutMs + LEASE_MARGIN_MS);
      const claimed = await claim(ctx, batch, lease);
      if (!claimed.length) return 0;
      const subs = await subscriptionsForSending(ctx, [...new Set(claimed.map((c) => c.subscription_id))]);
      await Promise.all(
        claimed.map(async (d) => {
          const sub = subs.get(d.subscription_id);
          // Deleted meanwhile: its deliveries went with it.
          if (!sub) return;
          let outcome: Outcome;
          try {
            outcome = await send(ctx, d, sub, key, timeoutMs, opts.lookup);
          } catch {
            outcome = { ok: false, statusCode: null, error: 'could not be sent' };
          }
          await record(ctx, d, lease, outcome);
        }),
      );
      return claimed.length;
    },
  };
}

async function claim(ctx: Ctx, batch: number, lease: Date): Promise<Claimed[]> {
  const d = webhook_deliveries;
  return withTx(ctx, async (tx) => {
    const now = tx.now();
    const due = await tx.db
      .select({ id: d.id })
      .from(d)
      .innerJoin(webhook_subscriptions, eq(webhook_subscriptions.id, d.subscription_id))
      .where(and(eq(webhook_subscriptions.enabled, true), inArray(d.status, ['pending', 'failed', 'delivering']), lte(d.next_attempt_at, now)))
      .orderBy(asc(d.next_attempt_at))
      .limit(batch)
      .for('update', { of: d, skipLocked: true });
    if (!due.length) return [];
    return tx.db
      .update(d)
      .set({ status: 'delivering', next_attempt_at: lease, updated_at: now })
      .where(inArray(d.id, due.map((r) => r.id)))
      .returning({ id: d.id, subscription_id: d.subscription_id, event_id: d.event_id, payload: d.payload, attempts: d.attempts });
  });
}

async function send(
  ctx: Ctx,
  d: Claimed,
  sub: { id: string; url: string; secret_encrypted: string },
  key: Buffer,
  timeoutMs: number,
  lookup: WebhookDrainOptions['lookup'],
): Promise<Outcome> {
  let url: URL;
  let addresses: string[];
  try {
    ({ url, addresses } = await checkOutboundUrl(sub.url, { ...outboundPolicy(ctx), ...(lookup ? { lookup } : {}) }));
  } catch {
    return { ok: false, statusCode: null, error: 'address not allowed' };
  }
  let secret: string;
  try {
    secret = unseal(key, sub.secret_encrypted, secretContext(sub.id));
  } catch {
    return { ok: false, statusCode: null, error: 'the signing secret cannot be read (was the instance secret key changed?)' };
  }
  const body = JSON.stringify(d.payload);
  const at = ctx.now();
  const headers = {
    'content-type': 'application/json',
    'user-agent': 'Throughline-Webhooks/1',
    'webhook-id': d.event_id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': new Webhook(secret).sign(d.event_id, at, body),
  };
  let status: number;
  try {
    status = await postPinned(url, addresses, headers, body, timeoutMs);
  } catch (e) {
    return { ok: false, statusCode: null, error: e instanceof TimedOut ? `no answer within ${timeoutMs / 1000} s` : networkError(e) };
  }
  const statusCode = status >= 100 && status <= 599 ? status : null;
  if (status >= 200 && status < 300) return { ok: true, statusCode, error: null };
  if (status >= 300 && status < 400) return { ok: false, statusCode, error: `redirect not followed (HTTP ${status})` };
  return { ok: false, statusCode, error: `HTTP ${status}` };
}

class TimedOut extends Error {}

/**
 * POSTs to the URL connecting only to the addresses just checked: the connection's own
 * lookup answers with them, so a name that changes its answer between the check and the
 * connection (DNS rebinding) cannot lead the request to a private address. Redirects are
 * never followed (node's http client does not); at most a few KB of the answer are read,
 * then dropped: the status alone decides.
 */
function postPinned(url: URL, addresses: string[], headers: Record<string, string>, body: string, timeoutMs: number): Promise<number> {
  const pinned = addresses.map((address) => ({ address, family: net.isIPv6(address) ? 6 : 4 }));
  const lookup = ((_host: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    if (options?.all) callback(null, pinned);
    else callback(null, pinned[0]!.address, pinned[0]!.family);
  }) as unknown as net.LookupFunction;
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.request(url, { method: 'POST', headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) }, lookup, timeout: timeoutMs }, (res) => {
      let read = 0;
      res.on('data', (chunk: Buffer) => {
        read += chunk.length;
        if (read > MAX_BODY_BYTES) res.destroy();
      });
      res.on('close', () => resolve(res.statusCode ?? 0));
      res.on('error', () => resolve(res.statusCode ?? 0));
    });
    const timer = setTimeout(() => req.destroy(new TimedOut()), timeoutMs);
    req.on('timeout', () => req.destroy(new TimedOut()));
    req.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    req.on('close', () => clearTimeout(timer));
    req.end(body);
  });
}

/** Our own words for a failed connection: never the library's message, which may carry internals. */
function networkError(e: unknown): string {
  const code = (e as { cause?: { code?: unknown } })?.cause?.code;
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
      return 'connection closed by the receiver';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'host not found';
    case 'ETIMEDOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
      return 'connection timed out';
    default:
      if (typeof code === 'string' && /CERT|SSL|TLS/.test(code)) return 'TLS certificate not accepted';
      return 'connection failed';
  }
}

async function record(ctx: Ctx, d: Claimed, lease: Date, outcome: Outcome): Promise<void> {
  const D = webhook_deliveries;
  const Sub = webhook_subscriptions;
  await withTx(ctx, async (tx) => {
    const now = tx.now();
    const attempts = d.attempts + 1;
    // Only while the claim is still ours: a replay, or another worker after the lease ran out, may have taken the row.
    const ours = and(eq(D.id, d.id), eq(D.status, 'delivering'), eq(D.next_attempt_at, lease));
    if (outcome.ok) {
      const done = await tx.db
        .update(D)
        .set({ status: 'succeeded', attempts, last_status_code: outcome.statusCode, last_error: null, delivered_at: now, next_attempt_at: null, updated_at: now })
        .where(ours)
        .returning({ id: D.id });
      if (done.length) await tx.db.update(Sub).set({ failure_count: 0 }).where(and(eq(Sub.id, d.subscription_id), sql`${Sub.failure_count} > 0`));
      return;
    }
    const dead = attempts >= MAX_ATTEMPTS;
    const done = await tx.db
      .update(D)
      .set({
        status: dead ? 'dead' : 'failed',
        attempts,
        last_status_code: outcome.statusCode,
        last_error: outcome.error,
        next_attempt_at: dead ? null : new Date(now.getTime() + withJitter(RETRY_SCHEDULE_MS[attempts - 1]!)),
        updated_at: now,
      })
      .where(ours)
      .returning({ id: D.id });
    if (!done.length) return;
    if (!dead) {
      await tx.db.update(Sub).set({ failure_count: sql`${Sub.failure_count} + 1` }).where(eq(Sub.id, d.subscription_id));
      return;
    }
    const reason = `disabled automatically on ${now.toISOString()}: event ${d.event_id} failed ${attempts} times over about three days (last: ${outcome.error ?? 'failed'})`;
    const [disabled] = await tx.db
      .update(Sub)
      .set({ enabled: false, disabled_reason: reason, failure_count: sql`${Sub.failure_count} + 1`, updated_at: now, version: sql`${Sub.version} + 1` })
      .where(and(eq(Sub.id, d.subscription_id), eq(Sub.enabled, true)))
      .returning({ id: Sub.id });
    if (disabled) {
      await writeAudit(tx, {
        action: 'update',
        table: 'webhook_subscriptions',
        recordId: d.subscription_id,
        operation: 'webhooks.auto_disable',
        before: { enabled: true, disabled_reason: null },
        after: { enabled: false, disabled_reason: reason },
      });
    }
  });
}
