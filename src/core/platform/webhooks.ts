/**
 * Outbound webhooks: administrators subscribe a URL to event types; a business change emits
 * its event into webhook_deliveries in its own transaction (so a rolled-back change tells
 * nobody), and the worker (src/worker/webhook-drain.ts) sends each delivery signed per the
 * Standard Webhooks spec, with retries for about three days.
 *
 * - The URL is checked when saved and again before every send (outbound-address.ts).
 * - The signing secret (`whsec_…`) is shown once, when created or rotated; it is stored sealed
 *   (AES-256-GCM under the instance secret key, bound to the subscription's id) and never
 *   written to the audit log.
 * - The delivery log shows what we saw (status code, our own short error), never what the
 *   receiver answered.
 * - Agents may read the log and remove a subscription (with confirmation), but not create,
 *   change, rotate, replay or test one: those send data out of Throughline, which a person decides.
 */
import { randomUUID } from 'node:crypto';
import { and, desc, eq, getTableColumns, inArray, lt, or, sql } from 'drizzle-orm';
import { z } from 'zod';
import { webhook_deliveries, webhook_subscriptions } from '../../db/schema/comms.ts';
import { withTx, type Ctx } from '../context.ts';
import { AppError, invalid, notFound } from '../errors.ts';
import { randomToken, seal } from '../identity/crypto.ts';
import { actingUserId } from '../identity/roles.ts';
import type { Operation } from '../registry.ts';
import { diff, writeAudit } from './audit.ts';
import { checkOutboundUrl, MAX_URL_LENGTH, type OutboundPolicy } from './outbound-address.ts';

export const WEBHOOK_EVENT_TYPES = [
  'company.created',
  'company.status_changed',
  'lead.created',
  'deal.stage_changed',
  'proposal.accepted',
  'ticket.created',
  'ticket.resolved',
  'engagement.status_changed',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];
/** The ping `webhooks.test` sends; nobody subscribes to it. */
export const TEST_EVENT_TYPE = 'webhook.test';

// ---------------------------------------------------------------------------
// Emitting events

/**
 * Queues one delivery of the event for every enabled subscription to its type, inside the
 * caller's transaction. One statement that inserts nothing when nobody subscribes.
 */
export async function emitEvent(ctx: Ctx, type: WebhookEventType, data: Record<string, unknown>): Promise<void> {
  const now = ctx.now();
  const payload = JSON.stringify({ type, timestamp: now.toISOString(), data });
  const at = now.toISOString();
  await ctx.db.execute(sql`
    insert into webhook_deliveries (subscription_id, event_type, event_id, payload, status, next_attempt_at, created_at, updated_at)
    select s.id, ${type}, ${randomUUID()}::uuid, ${payload}::jsonb, 'pending', ${at}::timestamptz, ${at}::timestamptz, ${at}::timestamptz
    from webhook_subscriptions s
    where s.enabled and s.event_types @> array[${type}]::text[]`);
}

/** What an event tells of its record: the id and a few identifying fields, never the whole row. */
const EVENT_FIELDS = {
  'company.created': ['id', 'name', 'domain', 'website', 'status', 'industry', 'owner_id'],
  'lead.created': ['id', 'first_name', 'last_name', 'email', 'company_name', 'source', 'status', 'score', 'assigned_to', 'utm_source', 'utm_medium', 'utm_campaign'],
  'proposal.accepted': ['id', 'company_id', 'deal_id', 'package', 'value', 'currency', 'accepted_date', 'engagement_id'],
  'ticket.created': ['id', 'ticket_number', 'company_id', 'engagement_id', 'subject', 'category', 'priority', 'status', 'request_date'],
  'ticket.resolved': ['id', 'ticket_number', 'company_id', 'engagement_id', 'subject', 'priority', 'status', 'resolved_at'],
} as const satisfies Partial<Record<WebhookEventType, readonly string[]>>;

/** Emits a record's event with the fields listed for its type. */
export async function emitRecordEvent(ctx: Ctx, type: keyof typeof EVENT_FIELDS, row: Record<string, unknown>): Promise<void> {
  const data: Record<string, unknown> = {};
  for (const f of EVENT_FIELDS[type]) data[f] = row[f] ?? null;
  await emitEvent(ctx, type, data);
}

const STATUS_EVENTS: Partial<Record<string, WebhookEventType>> = {
  company: 'company.status_changed',
  deal: 'deal.stage_changed',
  engagement: 'engagement.status_changed',
};

/** A status move of a pipeline record (status_history), for the entities that have an event. */
export async function emitStatusChange(ctx: Ctx, entity: string, id: string, from: string, to: string): Promise<void> {
  const type = STATUS_EVENTS[entity];
  if (type) await emitEvent(ctx, type, { id, from, to });
}

// ---------------------------------------------------------------------------
// Secrets and policy

/** The instance secret key that seals signing secrets; a clear refusal without one. */
export function sealingKey(ctx: Ctx): Buffer {
  const key = ctx.identity?.secretKey;
  if (!key) {
    throw new AppError(
      'PRECONDITION_FAILED',
      'Webhook signing secrets are stored encrypted with the instance secret key, and none is configured: set THROUGHLINE_SECRET_KEY (e.g. from: openssl rand -base64 32)',
    );
  }
  return key;
}

/** The additional data a subscription's sealed secret is bound to. */
export const secretContext = (subscriptionId: string) => `webhook_subscriptions:${subscriptionId}`;

/** Standard Webhooks secrets are `whsec_` and standard base64 of the key (here 32 random bytes). */
const newSecret = () => `whsec_${Buffer.from(randomToken(32), 'base64url').toString('base64')}`;

export const outboundPolicy = (ctx: Ctx): OutboundPolicy => ({ allowPrivate: ctx.runtime?.allowPrivateTargets ?? false });

function refuseAgents(ctx: Ctx, what: string) {
  if (ctx.actor.type === 'agent') {
    throw new AppError('FORBIDDEN', `${what} sends data out of Throughline: a person does that, not an agent`, { details: { reason: 'not_for_agents' } });
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** An id that is not a UUID is simply not one of ours. */
function assertId(what: string, id: string) {
  if (!UUID.test(id)) throw notFound(what, id);
}

// ---------------------------------------------------------------------------
// Reading

const { secret_encrypted: _sealed, ...subscriptionColumns } = getTableColumns(webhook_subscriptions);
const { payload: _payload, ...deliveryColumns } = getTableColumns(webhook_deliveries);

export type WebhookSubscription = Omit<typeof webhook_subscriptions.$inferSelect, 'secret_encrypted'>;

async function lockSubscription(ctx: Ctx, id: string): Promise<WebhookSubscription> {
  assertId('webhook subscription', id);
  const [row] = await ctx.db.select(subscriptionColumns).from(webhook_subscriptions).where(eq(webhook_subscriptions.id, id)).for('update');
  if (!row) throw notFound('webhook subscription', id);
  return row;
}

const id = z.string().max(200);
const EventTypes = z
  .array(z.enum(WEBHOOK_EVENT_TYPES, { message: `must be one of: ${WEBHOOK_EVENT_TYPES.join(', ')}` }))
  .min(1, 'must name at least one event type')
  .max(50)
  .transform((types) => [...new Set(types)]);
const Url = z.string().max(MAX_URL_LENGTH, `must be at most ${MAX_URL_LENGTH} characters`).describe('https URL that receives the events; must resolve to public addresses only');
const Description = z.string().trim().max(1000).nullable();

export const SubscribeInput = z.strictObject({
  url: Url,
  event_types: EventTypes.describe(`the events to receive: ${WEBHOOK_EVENT_TYPES.join(', ')}`),
  description: Description.optional(),
});

export const UpdateSubscriptionInput = z.strictObject({
  id,
  url: Url.optional(),
  event_types: EventTypes.optional(),
  description: Description.optional(),
  enabled: z.boolean().optional().describe('false stops sending (pending deliveries wait); true starts again and clears the failure count'),
  expected_version: z.int().min(1).optional(),
});

export const DeliveriesInput = z.strictObject({
  id,
  status: z.enum(['pending', 'delivering', 'succeeded', 'failed', 'dead']).optional(),
  limit: z.coerce.number().int().min(1).max(200).optional(),
  cursor: z.string().max(500).optional(),
});

// ---------------------------------------------------------------------------
// Verbs

/** Creates a subscription; answers it with its signing secret, which is never shown again. */
export async function subscribeWebhook(ctx: Ctx, input: z.infer<typeof SubscribeInput>) {
  refuseAgents(ctx, 'A webhook subscription');
  const key = sealingKey(ctx);
  // The address is resolved before the transaction: no lock waits on DNS.
  const { url } = await checkOutboundUrl(input.url, outboundPolicy(ctx));
  const subscriptionId = randomUUID();
  const secret = newSecret();
  return withTx(ctx, async (tx) => {
    const now = tx.now();
    const [row] = await tx.db
      .insert(webhook_subscriptions)
      .values({
        id: subscriptionId,
        url: url.href,
        event_types: input.event_types,
        secret_encrypted: seal(key, secret, secretContext(subscriptionId)),
        description: input.description ?? null,
        created_by: actingUserId(tx.actor),
        created_at: now,
        updated_at: now,
      })
      .returning(subscriptionColumns);
    await writeAudit(tx, { action: 'create', table: 'webhook_subscriptions', recordId: subscriptionId, operation: 'webhooks.subscribe', after: row! });
    return { ...row!, secret };
  });
}

/** Changes the URL (checked again), event types, description, or whether it is enabled. */
export async function updateSubscription(ctx: Ctx, input: z.infer<typeof UpdateSubscriptionInput>) {
  refuseAgents(ctx, 'A webhook subscription');
  assertId('webhook subscription', input.id);
  const { id: subscriptionId, expected_version, ...changes } = input;
  if (!Object.values(changes).some((v) => v !== undefined)) {
    throw invalid([{ field: 'body', message: 'names nothing to change; send url, event_types, description or enabled' }]);
  }
  const checked = changes.url !== undefined ? (await checkOutboundUrl(changes.url, outboundPolicy(ctx))).url.href : undefined;
  return withTx(ctx, async (tx) => {
    const current = await lockSubscription(tx, subscriptionId);
    if (expected_version !== undefined && current.version !== expected_version) {
      throw new AppError('PRECONDITION_FAILED', `webhook subscription ${subscriptionId} has changed since version ${expected_version}; it is now at version ${current.version}`, {
        details: { current_version: current.version },
      });
    }
    const now = tx.now();
    const set: Partial<typeof webhook_subscriptions.$inferInsert> = { updated_at: now };
    if (checked !== undefined) set.url = checked;
    if (changes.event_types !== undefined) set.event_types = changes.event_types;
    if (changes.description !== undefined) set.description = changes.description;
    if (changes.enabled === true && !current.enabled) Object.assign(set, { enabled: true, failure_count: 0, disabled_reason: null });
    if (changes.enabled === false && current.enabled) Object.assign(set, { enabled: false, disabled_reason: `disabled by ${tx.actor.label} on ${now.toISOString()}` });
    const [row] = await tx.db
      .update(webhook_subscriptions)
      .set({ ...set, version: sql`${webhook_subscriptions.version} + 1` })
      .where(eq(webhook_subscriptions.id, subscriptionId))
      .returning(subscriptionColumns);
    const d = diff(current, row!);
    await writeAudit(tx, { action: 'update', table: 'webhook_subscriptions', recordId: subscriptionId, operation: 'webhooks.update', before: d.before, after: d.after });
    return row!;
  });
}

/** Replaces the signing secret; answers the new one, shown this once. Deliveries not yet sent are signed with it. */
export async function rotateSecret(ctx: Ctx, input: { id: string }) {
  refuseAgents(ctx, 'A webhook signing secret');
  const key = sealingKey(ctx);
  return withTx(ctx, async (tx) => {
    const current = await lockSubscription(tx, input.id);
    const secret = newSecret();
    const [row] = await tx.db
      .update(webhook_subscriptions)
      .set({ secret_encrypted: seal(key, secret, secretContext(current.id)), updated_at: tx.now(), version: sql`${webhook_subscriptions.version} + 1` })
      .where(eq(webhook_subscriptions.id, current.id))
      .returning(subscriptionColumns);
    // The audit says that it changed, never what to.
    await writeAudit(tx, {
      action: 'update',
      table: 'webhook_subscriptions',
      recordId: current.id,
      operation: 'webhooks.rotate_secret',
      before: { version: current.version },
      after: { version: row!.version, signing_secret: 'rotated' },
    });
    return { ...row!, secret };
  });
}

/** Deletes the subscription and its delivery log. */
export async function unsubscribe(ctx: Ctx, input: { id: string }) {
  return withTx(ctx, async (tx) => {
    const current = await lockSubscription(tx, input.id);
    await tx.db.delete(webhook_subscriptions).where(eq(webhook_subscriptions.id, current.id));
    await writeAudit(tx, { action: 'delete', table: 'webhook_subscriptions', recordId: current.id, operation: 'webhooks.unsubscribe', before: current });
    return { id: current.id, deleted: true as const };
  });
}

type DeliveryCursor = { c: string; id: string };

/** A subscription's deliveries, newest first: what we sent and saw, never what the receiver answered. */
export async function listDeliveries(ctx: Ctx, input: z.infer<typeof DeliveriesInput>) {
  assertId('webhook subscription', input.id);
  const [sub] = await ctx.db.select({ id: webhook_subscriptions.id }).from(webhook_subscriptions).where(eq(webhook_subscriptions.id, input.id));
  if (!sub) throw notFound('webhook subscription', input.id);
  const limit = input.limit ?? 50;
  const d = webhook_deliveries;
  const where = [eq(d.subscription_id, input.id)];
  if (input.status) where.push(eq(d.status, input.status));
  if (input.cursor !== undefined) {
    let c: DeliveryCursor;
    try {
      c = JSON.parse(Buffer.from(input.cursor, 'base64url').toString('utf8')) as DeliveryCursor;
      if (typeof c.c !== 'string' || Number.isNaN(Date.parse(c.c)) || typeof c.id !== 'string' || !UUID.test(c.id)) throw new Error('bad cursor');
    } catch {
      throw invalid([{ field: 'cursor', message: 'is not a cursor this list gave out' }]);
    }
    const at = new Date(c.c);
    where.push(or(lt(d.created_at, at), and(eq(d.created_at, at), lt(d.id, c.id)))!);
  }
  const rows = await ctx.db
    .select(deliveryColumns)
    .from(d)
    .where(and(...where))
    .orderBy(desc(d.created_at), desc(d.id))
    .limit(limit + 1);
  let next_cursor: string | null = null;
  if (rows.length > limit) {
    rows.pop();
    const last = rows[rows.length - 1]!;
    next_cursor = Buffer.from(JSON.stringify({ c: last.created_at.toISOString(), id: last.id } satisfies DeliveryCursor)).toString('base64url');
  }
  return { items: rows, next_cursor };
}

/** Queues a delivery again, now, with the same event id (receivers de-duplicate on it); a dead one too. */
export async function replayDelivery(ctx: Ctx, input: { id: string }) {
  refuseAgents(ctx, 'Replaying a webhook');
  assertId('webhook delivery', input.id);
  return withTx(ctx, async (tx) => {
    const [current] = await tx.db
      .select({ ...deliveryColumns, enabled: webhook_subscriptions.enabled })
      .from(webhook_deliveries)
      .innerJoin(webhook_subscriptions, eq(webhook_subscriptions.id, webhook_deliveries.subscription_id))
      .where(eq(webhook_deliveries.id, input.id))
      .for('update', { of: webhook_deliveries });
    if (!current) throw notFound('webhook delivery', input.id);
    if (!current.enabled) {
      throw new AppError('PRECONDITION_FAILED', 'The subscription is disabled: enable it first (webhooks.update with enabled: true), then replay', {
        details: { reason: 'subscription_disabled' },
      });
    }
    const now = tx.now();
    if (current.status === 'delivering' && current.next_attempt_at && current.next_attempt_at > now) {
      throw new AppError('CONFLICT', 'This delivery is being sent right now; look at the log again in a minute');
    }
    const [row] = await tx.db
      .update(webhook_deliveries)
      .set({ status: 'pending', attempts: 0, next_attempt_at: now, delivered_at: null, updated_at: now })
      .where(eq(webhook_deliveries.id, input.id))
      .returning(deliveryColumns);
    await writeAudit(tx, {
      action: 'update',
      table: 'webhook_deliveries',
      recordId: input.id,
      operation: 'webhooks.replay',
      before: { status: current.status, attempts: current.attempts },
      after: { status: row!.status, attempts: row!.attempts },
    });
    return row!;
  });
}

/** Queues a `webhook.test` ping to the subscription (sent by the worker like any delivery). */
export async function testSubscription(ctx: Ctx, input: { id: string }) {
  refuseAgents(ctx, 'A webhook test');
  return withTx(ctx, async (tx) => {
    const sub = await lockSubscription(tx, input.id);
    if (!sub.enabled) {
      throw new AppError('PRECONDITION_FAILED', 'The subscription is disabled: enable it first (webhooks.update with enabled: true)', {
        details: { reason: 'subscription_disabled' },
      });
    }
    const now = tx.now();
    const [row] = await tx.db
      .insert(webhook_deliveries)
      .values({
        subscription_id: sub.id,
        event_type: TEST_EVENT_TYPE,
        event_id: randomUUID(),
        payload: { type: TEST_EVENT_TYPE, timestamp: now.toISOString(), data: { subscription_id: sub.id, message: 'A test event from Throughline' } },
        status: 'pending',
        next_attempt_at: now,
        created_at: now,
        updated_at: now,
      })
      .returning(deliveryColumns);
    await writeAudit(tx, { action: 'create', table: 'webhook_deliveries', recordId: row!.id, operation: 'webhooks.test', after: { subscription_id: sub.id, event_type: TEST_EVENT_TYPE, event_id: row!.event_id } });
    return row!;
  });
}

// ---------------------------------------------------------------------------
// Operations

const TAG = 'webhooks';
const BASE = '/api/v1/webhook_subscriptions';

export const webhookOperations: Operation[] = [
  {
    name: 'webhooks.subscribe',
    revealsSecret: true,
    summary: 'Subscribe a URL to events',
    description: `Administrators only. Events: ${WEBHOOK_EVENT_TYPES.join(', ')}. The URL must be https and resolve to public addresses only (checked now and before every send; redirects are never followed). Each delivery is a JSON POST of {type, timestamp, data}, signed per the Standard Webhooks spec (webhook-id, webhook-timestamp, webhook-signature) with the \`secret\` in this answer, which is shown only once. Failed deliveries are retried with jitter for about three days; after that the subscription is disabled.`,
    tag: TAG,
    scope: 'admin',
    destructive: false,
    kind: 'action',
    input: SubscribeInput,
    http: { method: 'post', path: BASE, status: 201 },
    run: (ctx, input: z.infer<typeof SubscribeInput>) => subscribeWebhook(ctx, input),
  },
  {
    name: 'webhooks.update',
    summary: 'Change a webhook subscription',
    description: 'A new URL is checked as when subscribing. `enabled: true` on a disabled subscription starts sending again (its pending deliveries go out) and clears its failure count. Send `expected_version` to refuse the change if someone changed it since you read it.',
    tag: TAG,
    scope: 'admin',
    destructive: false,
    kind: 'action',
    input: UpdateSubscriptionInput,
    http: { method: 'post', path: `${BASE}/{id}/update` },
    run: (ctx, input: z.infer<typeof UpdateSubscriptionInput>) => updateSubscription(ctx, input),
  },
  {
    name: 'webhooks.rotate_secret',
    revealsSecret: true,
    summary: "Replace a webhook subscription's signing secret",
    description: 'Answers the new `secret`, shown only this once; every delivery sent from now on is signed with it.',
    tag: TAG,
    scope: 'admin',
    destructive: false,
    kind: 'action',
    input: z.strictObject({ id }),
    http: { method: 'post', path: `${BASE}/{id}/rotate_secret` },
    run: (ctx, input: { id: string }) => rotateSecret(ctx, input),
  },
  {
    name: 'webhooks.unsubscribe',
    summary: 'Delete a webhook subscription',
    description: 'Deletes the subscription and its delivery log; deliveries not yet sent are dropped.',
    tag: TAG,
    scope: 'admin',
    destructive: true,
    kind: 'action',
    input: z.strictObject({ id }),
    http: { method: 'post', path: `${BASE}/{id}/unsubscribe` },
    run: (ctx, input: { id: string }) => unsubscribe(ctx, input),
  },
  {
    name: 'webhooks.deliveries',
    summary: "List a webhook subscription's deliveries",
    description: "Newest first, with status, attempts, the last HTTP status code, a short error of Throughline's own wording and the times; never the receiver's answer. Page with `cursor` and `limit` (at most 200); filter with `status`.",
    tag: TAG,
    scope: 'admin',
    destructive: false,
    kind: 'action',
    input: DeliveriesInput,
    http: { method: 'get', path: `${BASE}/{id}/deliveries` },
    run: (ctx, input: z.infer<typeof DeliveriesInput>) => listDeliveries(ctx, input),
  },
  {
    name: 'webhooks.replay',
    summary: 'Send a webhook delivery again',
    description: 'Queues the delivery again now with the same webhook-id (receivers de-duplicate on it) and a fresh round of retries; a dead delivery too. The subscription must be enabled.',
    tag: TAG,
    scope: 'admin',
    destructive: false,
    kind: 'action',
    input: z.strictObject({ id }),
    http: { method: 'post', path: '/api/v1/webhook_deliveries/{id}/replay' },
    run: (ctx, input: { id: string }) => replayDelivery(ctx, input),
  },
  {
    name: 'webhooks.test',
    summary: 'Send a test event to a webhook subscription',
    description: `Queues a \`${TEST_EVENT_TYPE}\` delivery, sent and signed like any other; follow it in the delivery log.`,
    tag: TAG,
    scope: 'admin',
    destructive: false,
    kind: 'action',
    input: z.strictObject({ id }),
    http: { method: 'post', path: `${BASE}/{id}/test`, status: 201 },
    run: (ctx, input: { id: string }) => testSubscription(ctx, input),
  },
];

/** For the drain: a subscription's URL and sealed secret. */
export async function subscriptionsForSending(ctx: Ctx, ids: string[]) {
  if (!ids.length) return new Map<string, { id: string; url: string; secret_encrypted: string }>();
  const rows = await ctx.db
    .select({ id: webhook_subscriptions.id, url: webhook_subscriptions.url, secret_encrypted: webhook_subscriptions.secret_encrypted })
    .from(webhook_subscriptions)
    .where(inArray(webhook_subscriptions.id, ids));
  return new Map(rows.map((r) => [r.id, r]));
}
