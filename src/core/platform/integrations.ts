/**
 * Integrations (seed 001): system-wide connections to other services (n8n, slack, resend…),
 * one per name. Their secrets are sealed at rest with AES-256-GCM under the instance's
 * secret key (THROUGHLINE_SECRET_KEY), the row id bound as additional data so that a sealed
 * value copied onto another row does not open there:
 *
 * - `api_key` → `api_key_encrypted`, sealed alone;
 * - `config` (an object of settings, any of which may be a secret) → sealed as a whole and
 *   stored as `{"sealed": "v1.…"}` in the jsonb column; an empty config is stored as `{}`.
 *
 * No answer, error or audit row ever holds a secret: answers say `has_api_key` and
 * `config_keys` (the names of the settings), audit rows a redacted marker. Only the core reads
 * the values, through integrationSecret().
 */
import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import ipaddr from 'ipaddr.js';
import { z } from 'zod';
import { integrations } from '../../db/schema/comms.ts';
import { withTx, type Ctx } from '../context.ts';
import { AppError, invalid, notFound } from '../errors.ts';
import { isUuid, jsonProblem } from '../fields.ts';
import { seal, unseal } from '../identity/crypto.ts';
import type { Operation } from '../registry.ts';
import { writeAudit } from './audit.ts';
import { featureFlagOperations } from './feature-flags.ts';
import { nonPublicReason } from './outbound-address.ts';

type IntegrationRow = typeof integrations.$inferSelect;

/** What the API answers: the row without its secrets, and what secrets it holds by name only. */
export type IntegrationView = {
  id: string;
  name: string;
  enabled: boolean;
  webhook_url: string | null;
  has_api_key: boolean;
  config_keys: string[];
  last_sync: Date | null;
  created_at: Date;
  updated_at: Date;
  version: number;
};

/** What audit rows hold in place of a secret. */
export const REDACTED = '[redacted]';

const MAX_CONFIG_BYTES = 64 * 1024;
// Control characters in a key would end up in a request header of whoever uses it.
const CONTROL = /[\u0000-\u001f\u007f]/;

const Name = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'must be 1 to 63 letters, digits, - or _, such as n8n or slack')
  .refine((v) => !isUuid(v), 'must not look like a record id')
  .describe("the service's name, unique: n8n, plausible, resend, slack, crm…");

const ApiKey = z
  .string()
  .min(1, 'must not be empty; send null to remove the key')
  .max(4096, 'must be at most 4096 characters')
  .refine((v) => !CONTROL.test(v), 'must not contain control characters or line breaks')
  .nullable()
  .optional()
  .describe('sealed at rest and never shown again; omit to keep the current key, null to remove it');

// Checked on the raw input: zod's JSON parsing would silently drop a `__proto__` key.
const Config = z
  .unknown()
  .superRefine((v, ctx) => {
    if (v === null || v === undefined) return;
    if (typeof v !== 'object' || Array.isArray(v)) return void ctx.addIssue({ code: 'custom', message: 'must be an object of settings' });
    const problem = jsonProblem(v);
    if (problem) return void ctx.addIssue({ code: 'custom', message: problem });
    const keys = Object.keys(v);
    if (keys.length > 100) return void ctx.addIssue({ code: 'custom', message: 'may hold at most 100 settings' });
    const bad = keys.find((k) => k.length === 0 || k.length > 100 || CONTROL.test(k));
    if (bad !== undefined) return void ctx.addIssue({ code: 'custom', message: 'setting names must be 1 to 100 characters without control characters' });
    if (Buffer.byteLength(JSON.stringify(v), 'utf8') > MAX_CONFIG_BYTES) ctx.addIssue({ code: 'custom', message: `must be at most ${MAX_CONFIG_BYTES / 1024} KB as JSON` });
  })
  .pipe(z.union([z.record(z.string(), z.json()), z.null()]))
  .optional()
  .describe('settings of the service (some may be secrets), sealed at rest as a whole; only their names are ever shown. Omit to keep, null to empty');

const WebhookUrl = z
  .string()
  .trim()
  .max(2000, 'must be at most 2000 characters')
  .nullable()
  .optional()
  .describe('an http(s) address the service is reached at; stored, not called by this operation');

const SaveInput = z.strictObject({
  name: Name,
  enabled: z.boolean({ message: 'must be true or false' }).optional(),
  webhook_url: WebhookUrl,
  api_key: ApiKey,
  config: Config,
});
type SaveInput = z.infer<typeof SaveInput>;

const IdInput = z.strictObject({ id: z.string().max(200).describe("the integration's id or its name") });

/** The instance's secret key, or a refusal that says how to set one. */
function secretKeyOf(ctx: Ctx): Buffer {
  const key = ctx.identity?.secretKey;
  if (!key) {
    throw new AppError(
      'PRECONDITION_FAILED',
      'Integration secrets are encrypted at rest, and this instance has no secret key: set THROUGHLINE_SECRET_KEY to 32 random bytes in base64 (openssl rand -base64 32) and restart',
      { details: { reason: 'no_secret_key' } },
    );
  }
  return key;
}

/** A refusal to open a sealed value that never says anything about its content. */
const unreadable = (name: string, what: string) =>
  new AppError(
    'PRECONDITION_FAILED',
    `The ${what} of integration ${name} cannot be decrypted: it was sealed under another secret key or for another record. Save a new ${what === 'API key' ? 'api_key' : 'config'} to replace it`,
    { details: { reason: 'unsealable' } },
  );

function openApiKey(key: Buffer, row: IntegrationRow): string | undefined {
  if (row.api_key_encrypted === null) return undefined;
  try {
    return unseal(key, row.api_key_encrypted, row.id);
  } catch {
    throw unreadable(row.name, 'API key');
  }
}

const sealedConfig = (v: unknown): string | undefined =>
  v !== null && typeof v === 'object' && !Array.isArray(v) && typeof (v as { sealed?: unknown }).sealed === 'string' ? (v as { sealed: string }).sealed : undefined;

/** The settings of a row. A config stored in the clear (an empty one, or one written before sealing) is read as it is. */
function openConfig(ctx: Ctx, row: IntegrationRow): Record<string, unknown> {
  const sealed = sealedConfig(row.config);
  if (sealed === undefined) {
    return row.config !== null && typeof row.config === 'object' && !Array.isArray(row.config) ? (row.config as Record<string, unknown>) : {};
  }
  let plain: string;
  try {
    plain = unseal(secretKeyOf(ctx), sealed, row.id);
  } catch (e) {
    if (e instanceof AppError) throw e;
    throw unreadable(row.name, 'configuration');
  }
  const parsed: unknown = JSON.parse(plain);
  return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
}

/** The names of the settings for an audit row, or a marker when they cannot be read. */
function configKeysOrUnreadable(ctx: Ctx, row: IntegrationRow): string[] {
  try {
    return Object.keys(openConfig(ctx, row));
  } catch {
    return [`${REDACTED} (unreadable)`];
  }
}

function view(row: IntegrationRow, configKeys: string[]): IntegrationView {
  return {
    id: row.id,
    name: row.name,
    enabled: row.enabled,
    webhook_url: row.webhook_url,
    has_api_key: row.api_key_encrypted !== null,
    config_keys: configKeys,
    last_sync: row.last_sync,
    created_at: row.created_at,
    updated_at: row.updated_at,
    version: row.version,
  };
}

/** What an audit row keeps of an integration: no secret, only whether there is one. */
function audited(v: IntegrationView): Record<string, unknown> {
  return { name: v.name, enabled: v.enabled, webhook_url: v.webhook_url, api_key: v.has_api_key ? REDACTED : null, config_keys: v.config_keys };
}

/**
 * An http(s) address with no credentials in it, and, unless this instance may reach private
 * targets, not a literal loopback, private, link-local or otherwise non-public address (the
 * URL parser has already turned other spellings such as 2130706433 or 0x7f.1 into 127.0.0.1).
 * Names are not resolved here, since nothing is called: whoever calls it checks the resolved
 * address at send time with checkOutboundUrl (outbound-address.ts), as webhooks do.
 */
function checkWebhookUrl(ctx: Ctx, raw: string): string {
  const refuse = (message: string) => invalid([{ field: 'webhook_url', message }]);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw refuse('must be an http or https URL such as https://hooks.example.com/throughline');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw refuse('must be an http or https URL');
  if (url.username || url.password) throw refuse('must not hold a user name or password; put credentials in api_key or config');
  if (!ctx.runtime?.allowPrivateTargets) {
    const host = url.hostname.replace(/^\[|\]$/g, '').replace(/\.$/, '').toLowerCase();
    if (host === 'localhost' || host.endsWith('.localhost')) throw refuse('must not point at this machine');
    const why = ipaddr.isValid(host) ? nonPublicReason(host) : null;
    if (why) throw refuse(`must not point at a non-public address (${why})`);
  }
  return url.toString();
}

async function findRow(ctx: Ctx, idOrName: string, lock = false): Promise<IntegrationRow | undefined> {
  const name = idOrName.trim().toLowerCase();
  const where = isUuid(idOrName) ? eq(integrations.id, idOrName) : eq(integrations.name, name);
  const q = ctx.db.select().from(integrations).where(where);
  const [row] = lock ? await q.for('update') : await q;
  return row;
}

/** Public fields, `has_api_key` and the names of the settings; the configuration needs the secret key to be read. */
export async function getIntegration(ctx: Ctx, idOrName: string): Promise<IntegrationView> {
  const row = await findRow(ctx, idOrName);
  if (!row) throw notFound('integration', idOrName);
  return view(row, Object.keys(openConfig(ctx, row)));
}

/**
 * Creates the integration of this name, or changes it. What is omitted keeps its value (a new
 * integration takes the defaults: enabled, no address, no key, no settings); null clears it.
 */
export async function saveIntegration(ctx: Ctx, input: SaveInput): Promise<IntegrationView> {
  const key = secretKeyOf(ctx);
  // Omitted: kept; null or empty: removed.
  const webhookUrl = input.webhook_url === undefined ? undefined : input.webhook_url ? checkWebhookUrl(ctx, input.webhook_url) : null;
  return withTx(ctx, async (tx) => {
    const existing = await findRow(tx, input.name, true);
    const id = existing?.id ?? randomUUID();
    const values: Partial<typeof integrations.$inferInsert> = {};
    if (input.enabled !== undefined) values.enabled = input.enabled;
    if (webhookUrl !== undefined) values.webhook_url = webhookUrl;
    if (input.api_key !== undefined) values.api_key_encrypted = input.api_key === null ? null : seal(key, input.api_key, id);
    let configKeys: string[] | undefined;
    if (input.config !== undefined) {
      const config = input.config ?? {};
      configKeys = Object.keys(config);
      values.config = configKeys.length ? { sealed: seal(key, JSON.stringify(config), id) } : {};
    }
    const now = tx.now();
    let row: IntegrationRow;
    let before: IntegrationView | undefined;
    if (existing) {
      // Settings that no longer open (another key) may be replaced, but are never kept blindly.
      before = view(existing, input.config === undefined ? Object.keys(openConfig(tx, existing)) : configKeysOrUnreadable(tx, existing));
      [row] = (await tx.db
        .update(integrations)
        .set({ ...values, updated_at: now, version: existing.version + 1 })
        .where(eq(integrations.id, id))
        .returning()) as [IntegrationRow];
    } else {
      [row] = (await tx.db
        .insert(integrations)
        .values({ ...values, id, name: input.name, created_at: now, updated_at: now })
        .returning()) as [IntegrationRow];
    }
    const after = view(row, configKeys ?? before?.config_keys ?? []);
    // A secret that was given is recorded as changed (or removed), never as what it is.
    const auditAfter = audited(after);
    if (input.api_key !== undefined && input.api_key !== null) auditAfter.api_key = `${REDACTED} (${before?.has_api_key ? 'replaced' : 'set'})`;
    if (input.config !== undefined) auditAfter.config = REDACTED;
    await writeAudit(tx, {
      action: existing ? 'update' : 'create',
      table: 'integrations',
      recordId: id,
      operation: 'integrations.save',
      before: before ? audited(before) : null,
      after: auditAfter,
    });
    return after;
  });
}

/** Deletes the integration and its sealed secrets for good. */
export async function deleteIntegration(ctx: Ctx, idOrName: string): Promise<{ id: string; deleted: true }> {
  return withTx(ctx, async (tx) => {
    const row = await findRow(tx, idOrName, true);
    if (!row) throw notFound('integration', idOrName);
    // A row whose settings cannot be read is deleted all the same.
    const before = audited(view(row, configKeysOrUnreadable(tx, row)));
    await tx.db.delete(integrations).where(eq(integrations.id, row.id));
    await writeAudit(tx, { action: 'delete', table: 'integrations', recordId: row.id, operation: 'integrations.delete', before, after: null });
    return { id: row.id, deleted: true };
  });
}

/**
 * The unsealed secrets of an integration, for the core (connectors) only; never hand them to a
 * surface. Undefined when no integration has this name; whether it is enabled is the caller's
 * to check. Refuses when the instance has no secret key or a value does not open (sealed under
 * another key, or copied from another row).
 */
export async function integrationSecret(ctx: Ctx, name: string): Promise<{ apiKey?: string; config: Record<string, unknown> } | undefined> {
  const [row] = await ctx.db.select().from(integrations).where(eq(integrations.name, name));
  if (!row) return undefined;
  const apiKey = row.api_key_encrypted === null ? undefined : openApiKey(secretKeyOf(ctx), row);
  const config = openConfig(ctx, row);
  return apiKey === undefined ? { config } : { apiKey, config };
}

export const integrationOperations: Operation[] = [
  {
    name: 'integrations.save',
    summary: 'Create or change an integration',
    description:
      'Upsert by name. The API key and the settings (config) are encrypted at rest and never shown again: answers say has_api_key and config_keys (the names of the settings). Omitted fields keep their values; null clears them. Needs THROUGHLINE_SECRET_KEY.',
    tag: 'integrations',
    scope: 'admin',
    destructive: false,
    kind: 'action',
    input: SaveInput,
    http: { method: 'post', path: '/api/v1/integrations' },
    run: (ctx, input) => saveIntegration(ctx, input),
  },
  {
    name: 'integrations.show',
    summary: 'An integration with what secrets it holds',
    description: 'The integration (by id or name) with has_api_key and config_keys, the names of its settings; never a secret value.',
    tag: 'integrations',
    scope: 'admin',
    destructive: false,
    kind: 'action',
    input: IdInput,
    http: { method: 'get', path: '/api/v1/integrations/{id}/summary' },
    run: (ctx, input) => getIntegration(ctx, input.id),
  },
  {
    name: 'integrations.delete',
    summary: 'Delete an integration and its secrets',
    description: 'By id or name. Its encrypted key and settings are gone for good.',
    tag: 'integrations',
    scope: 'admin',
    destructive: true,
    kind: 'action',
    input: IdInput,
    // Not DELETE on the record's path: that stays the generic layer's, which read-only tables do not route.
    http: { method: 'post', path: '/api/v1/integrations/{id}/delete' },
    run: (ctx, input) => deleteIntegration(ctx, input.id),
  },
];

/** Registered together: integrations and feature flags, the instance's switches and connections (seed 001). */
export const integrationAndFlagOperations: Operation[] = [...integrationOperations, ...featureFlagOperations];
