/**
 * Sends webhook deliveries. A round claims what is due (pending, failed and due, or claimed by
 * a worker whose lease ran out) with FOR UPDATE SKIP LOCKED and commits the claim; the POSTs
 * happen outside any transaction; each outcome is recorded in a transaction of its own, and
 * only while the claim is still ours. Before each send the URL is checked again (what a name
 * resolves to can change). Redirects are never followed; of the receiver's answer only the
 * status counts, and at most a few KB of its body are read, to be thrown away.
 */
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
  fetch?: typeof fetch;
  timeoutMs?: number;
  /** The most deliveries one round claims (sent concurrently). */
  batch?: number;
};

type Outcome = { ok: boolean; statusCode: number | null; error: string | null };

type Claimed = { id: string; subscription_id: string; event_id: string; payload: unknown; attempts: number };

export function webhookDrain(opts: WebhookDrainOptions = {}): Drain {
  const doFetch = opts.fetch ?? fetch;
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
            outcome = await send(ctx, d, sub, key, doFetch, timeoutMs);
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
  doFetch: typeof fetch,
  timeoutMs: number,
): Promise<Outcome> {
  let url: URL;
  try {
    ({ url } = await checkOutboundUrl(sub.url, outboundPolicy(ctx)));
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
  const signal = AbortSignal.timeout(timeoutMs);
  let res: Response;
  try {
    res = await doFetch(url, { method: 'POST', headers, body, redirect: 'manual', signal });
  } catch (e) {
    return { ok: false, statusCode: null, error: signal.aborted ? `no answer within ${timeoutMs / 1000} s` : networkError(e) };
  }
  await discardBody(res);
  const statusCode = res.status >= 100 && res.status <= 599 ? res.status : null;
  if (res.status >= 200 && res.status < 300) return { ok: true, statusCode, error: null };
  if (res.status >= 300 && res.status < 400) return { ok: false, statusCode, error: `redirect not followed (HTTP ${res.status})` };
  return { ok: false, statusCode, error: `HTTP ${res.status}` };
}

/** Reads at most a few KB of the answer and drops them; the status alone decides. */
async function discardBody(res: Response): Promise<void> {
  const reader = res.body?.getReader();
  if (!reader) return;
  let read = 0;
  try {
    while (read < MAX_BODY_BYTES) {
      const { done, value } = await reader.read();
      if (done) return;
      read += value.byteLength;
    }
  } catch {
    // A body cut off (or timed out) changes nothing: the status has been received.
  } finally {
    await reader.cancel().catch(() => undefined);
  }
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
