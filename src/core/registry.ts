/**
 * The one registry of operations. HTTP routes, CLI commands (and later MCP tools and
 * the web client) are generated from it: each operation names its input schema, the
 * permission it needs, whether it destroys data, how it binds to HTTP, and the verb it runs.
 */
import { z } from 'zod';
import type { Ctx } from './context.ts';
import type { UserRole } from '../db/schema/platform.ts';
import { withPriority, type Priority } from '../db/priority.ts';
import { AppError, parseInput } from './errors.ts';
import {
  archiveRecord,
  createRecord,
  createRecords,
  deleteRecord,
  FILTER_OPS,
  getRecord,
  listRecords,
  MAX_LIMIT,
  reassignRecord,
  restoreRecord,
  singular,
  updateRecord,
  type Resource,
} from './resource.ts';
import { identityOperations } from './identity/operations.ts';
import { platformOperations } from './platform/operations.ts';
import { auditOperations } from './assessment/audit-operations.ts';
import { decisionOperations } from './assessment/decision-operations.ts';
import { readinessOperations } from './assessment/readiness-operations.ts';
import { dealOperations } from './sales/deal-operations.ts';
import { leadOperations } from './sales/lead-operations.ts';
import { billingOperations } from './delivery/billing-operations.ts';
import { deliveryOperations } from './delivery/delivery-operations.ts';
import { usageOperations } from './measurement/usage-operations.ts';
import { reportOperations } from './reports/report-operations.ts';
import { resources } from './resources.ts';
import { schemaOperation } from './describe.ts';
import { savedViewOperations } from './platform/saved-views.ts';
import { webhookOperations } from './platform/webhooks.ts';
import { emailOperations } from './platform/email-operations.ts';
import { integrationAndFlagOperations } from './platform/integrations.ts';
import { salesOperations } from './sales/operations.ts';
import { publicCaptureOperations } from './sales/public-capture.ts';
import { exportOperations } from './platform/export.ts';
import { duplicateOperations } from './platform/duplicates.ts';
import { importOperations } from './platform/imports.ts';
import { assistantOperations } from './assistant/operations.ts';
import { marketingOperations } from './sales/marketing-operations.ts';
import { insightOperations } from './insights/operations.ts';
import { privacyOperations } from './privacy/operations.ts';
import { backupOperations } from './platform/backup-operation.ts';
import { retentionOperations } from './privacy/retention-operations.ts';
import { consentOperations } from './privacy/consent-operations.ts';
import type { InsightTable } from './insights/common.ts';

export type Scope = 'read' | 'write' | 'admin';
export type OperationKind = 'list' | 'get' | 'create' | 'bulk_create' | 'update' | 'archive' | 'restore' | 'delete' | 'action';
export type HttpMethod = 'get' | 'post' | 'patch' | 'delete';

export type Operation<I = any, O = any> = {
  name: string;
  summary: string;
  description?: string;
  tag: string;
  scope: Scope;
  destructive: boolean;
  kind: OperationKind;
  /** Runs without a signed-in caller (only sign-in itself); every other operation needs a session or an API key. */
  public?: boolean;
  /**
   * False for verbs that must run outside any transaction, so no surface may wrap them in one
   * (an Idempotency-Key is refused for them): password checks count failures that must stay
   * counted, and a backup takes the embedded database's own transaction lock.
   */
  transactional?: false;
  /**
   * The answer holds a secret shown once (a new API key, a webhook signing secret, recovery
   * codes): no surface may keep a copy of it, so an Idempotency-Key, whose replay stores the
   * answer, is refused.
   */
  revealsSecret?: true;
  resource?: Resource;
  input: z.ZodType<I>;
  /** Documents the response (in OpenAPI, so the typed client has it); not checked at run time. */
  output?: z.ZodType;
  /**
   * The result as plain tables (the first is the main one): the CLI prints them as text tables
   * or CSV (`--format table|csv|json`) instead of JSON.
   */
  tables?: (result: O) => InsightTable[];
  /**
   * The operation may answer with a file (a `Download`) instead of JSON: the API sends it
   * with its own content type, the CLI writes it to --out or standard output.
   */
  download?: { formats: readonly string[] };
  /**
   * Acts on many records in one call (ingestion, imports, sweeps over every record): the API
   * takes a body as large as a bulk create's (THROUGHLINE_BULK_BODY_LIMIT), and an agent must
   * confirm it. Bulk creates are bulk without saying so.
   */
  bulk?: true;
  /**
   * Reveals everything stored about a person (an access request's archive): an agent must
   * confirm it, as it must a destructive or bulk change, though it changes nothing.
   */
  sensitive?: true;
  /**
   * `report`: reads across many records (a report, a dashboard, an export, an inbox), so while
   * the database is busy it waits behind single-record reads and writes and list pages
   * (db/priority.ts). Every other operation is ranked by its kind.
   */
  weight?: 'report';
  /** `session`: this operation starts (sign-in) or ends (sign-out) the caller's browser session. */
  http: { method: HttpMethod; path: string; status?: number; session?: 'start' | 'end' };
  run: (ctx: Ctx, input: I) => Promise<O>;
};

/** Changes many records at once: an agent must confirm it, as it must a destructive one. */
export const isBulk = (op: Operation) => op.kind === 'bulk_create' || op.bulk === true;

export function defineOperation<I, O>(op: Operation<I, O>): Operation<I, O> {
  return op;
}

/** A record id from the path: anything that is not one of ours is simply not found (404). */
const id = z.string().max(200);
const expectedVersion = z.int().min(1).optional();

export const FilterSchema = z.strictObject({
  field: z.string().max(64),
  op: z.enum(FILTER_OPS),
  value: z.unknown(),
});

export const ListInputSchema = z.strictObject({
  filters: z.array(FilterSchema).max(50).optional(),
  sort: z.string().max(70).optional(),
  cursor: z.string().max(2000).optional(),
  /** Clamped to 1..MAX_LIMIT by the list verb rather than refused. */
  limit: z.coerce.number().optional(),
  q: z.string().max(200).optional(),
  archived: z.enum(['exclude', 'include', 'only']).optional(),
});

function genericOperations(res: Resource): Operation[] {
  const one = singular(res.name);
  const aOne = `${/^[aeio]/.test(one) ? 'an' : 'a'} ${one}`;
  const readScope: Scope = res.access?.read ?? 'read';
  const writeScope: Scope = res.access?.write ?? 'write';
  const base = `/api/v1/${res.name}`;
  const ops: Operation[] = [
    {
      name: `${res.name}.list`,
      summary: `List ${res.name}`,
      description: `${res.summary}. Filter with \`field=value\` or \`field[op]=value\` (ops: ${FILTER_OPS.join(', ')}), sort with \`sort=field\` or \`sort=-field\`, page with \`cursor\` and \`limit\` (at most ${MAX_LIMIT}), search with \`q\`.`,
      tag: res.name,
      scope: readScope,
      destructive: false,
      kind: 'list',
      resource: res,
      input: ListInputSchema,
      http: { method: 'get', path: base },
      run: (ctx, input) => listRecords(ctx, res, input),
    },
    {
      name: `${res.name}.get`,
      summary: `Get ${aOne}`,
      tag: res.name,
      scope: readScope,
      destructive: false,
      kind: 'get',
      resource: res,
      input: z.strictObject({ id }),
      http: { method: 'get', path: `${base}/{id}` },
      run: (ctx, input) => getRecord(ctx, res, input.id),
    },
  ];
  if (res.mode === 'readonly') return ops;
  if (res.create !== false) ops.push({
    name: `${res.name}.create`,
    summary: `Create ${aOne}`,
    tag: res.name,
    scope: writeScope,
    destructive: false,
    kind: 'create',
    resource: res,
    input: z.strictObject({ data: z.unknown() }),
    http: { method: 'post', path: base, status: 201 },
    run: (ctx, input) => createRecord(ctx, res, input.data),
  });
  if (res.create !== false && !res.pipeline && !res.beforeInsert) {
    ops.push({
      name: `${res.name}.bulk_create`,
      summary: `Create many ${res.name} at once`,
      description: 'All rows are validated first; if any is invalid nothing is written. At most 10,000 rows per request.',
      tag: res.name,
      scope: writeScope,
      destructive: false,
      kind: 'bulk_create',
      resource: res,
      input: z.strictObject({ items: z.array(z.unknown()) }),
      http: { method: 'post', path: `${base}/bulk`, status: 201 },
      run: (ctx, input) => createRecords(ctx, res, input.items),
    });
  }
  if (res.mode !== 'editable') return ops;
  ops.push(
    {
      name: `${res.name}.update`,
      summary: `Change ${aOne}`,
      description: 'Partial update. Send If-Match with the ETag (or `expected_version`) to refuse the write if someone changed the record since you read it.',
      tag: res.name,
      scope: writeScope,
      destructive: false,
      kind: 'update',
      resource: res,
      input: z.strictObject({ id, data: z.unknown(), expected_version: expectedVersion }),
      http: { method: 'patch', path: `${base}/{id}` },
      run: (ctx, input) =>
        updateRecord(ctx, res, input.id, input.data, input.expected_version !== undefined ? { expectedVersion: input.expected_version } : {}),
    },
    {
      name: `${res.name}.archive`,
      summary: `Archive ${aOne}`,
      description: 'Soft delete: hidden from lists, restorable.',
      tag: res.name,
      scope: writeScope,
      destructive: false,
      kind: 'archive',
      resource: res,
      input: z.strictObject({ id, expected_version: expectedVersion }),
      http: { method: 'post', path: `${base}/{id}/archive` },
      run: (ctx, input) => archiveRecord(ctx, res, input.id, input.expected_version !== undefined ? { expectedVersion: input.expected_version } : {}),
    },
    {
      name: `${res.name}.restore`,
      summary: `Restore an archived ${one}`,
      tag: res.name,
      scope: writeScope,
      destructive: false,
      kind: 'restore',
      resource: res,
      input: z.strictObject({ id, expected_version: expectedVersion }),
      http: { method: 'post', path: `${base}/{id}/restore` },
      run: (ctx, input) => restoreRecord(ctx, res, input.id, input.expected_version !== undefined ? { expectedVersion: input.expected_version } : {}),
    },
  );
  const owners = res.visibility?.owners ?? [];
  if (owners.length) {
    ops.push({
      name: `${res.name}.reassign`,
      summary: `Give ${aOne} to another user`,
      description: `Sets ${owners.join(' or ')} (the first by default), which no create or update may write. The new owner must be an active user; \`null\` leaves the ${one} with nobody. Under own or team record visibility the ${one} may leave your view.`,
      tag: res.name,
      scope: writeScope,
      destructive: false,
      kind: 'action',
      resource: res,
      input: z.strictObject({
        id,
        user_id: z.uuid({ message: 'must be a UUID' }).nullable().describe('the new owner, or null for nobody'),
        field: z.enum(owners as [string, ...string[]]).optional().describe(`which owner to change (default ${owners[0]})`),
        expected_version: expectedVersion,
      }),
      http: { method: 'post', path: `${base}/{id}/reassign` },
      run: (ctx, input) => reassignRecord(ctx, res, input),
    });
  }
  if (res.hardDelete !== false) {
    ops.push({
      name: `${res.name}.delete`,
      summary: `Delete ${aOne} permanently`,
      description: 'Administrators only. Prefer archive; a record still referenced elsewhere cannot be deleted.',
      tag: res.name,
      scope: 'admin',
      destructive: true,
      kind: 'delete',
      resource: res,
      input: z.strictObject({ id }),
      http: { method: 'delete', path: `${base}/{id}` },
      run: (ctx, input) => deleteRecord(ctx, res, input.id),
    });
  }
  return ops;
}

export const operations: Operation[] = [
  ...identityOperations,
  ...platformOperations,
  ...savedViewOperations,
  ...webhookOperations,
  ...emailOperations,
  ...integrationAndFlagOperations,
  ...salesOperations,
  ...leadOperations,
  ...publicCaptureOperations,
  ...dealOperations,
  ...auditOperations,
  ...readinessOperations,
  ...decisionOperations,
  ...deliveryOperations,
  ...billingOperations,
  ...usageOperations,
  ...reportOperations,
  ...exportOperations,
  ...duplicateOperations,
  ...importOperations,
  ...marketingOperations,
  ...assistantOperations,
  ...insightOperations,
  ...privacyOperations,
  ...backupOperations,
  ...retentionOperations,
  ...consentOperations,
  ...resources.flatMap(genericOperations),
  schemaOperation(() => operations, (op) => offeredToAgents(op)),
];
export const operationByName = new Map(operations.map((o) => [o.name, o]));

const RANK: Record<UserRole, number> = { viewer: 0, editor: 1, admin: 2 };
/** The least role each scope needs: viewers read, editors write business records, admins the rest. */
export const ROLE_FOR_SCOPE: Record<Scope, UserRole> = { read: 'viewer', write: 'editor', admin: 'admin' };

/** Identities and credentials, and the secrets that let Throughline act elsewhere (integrations' keys, webhook signing secrets). */
const IDENTITY_TAGS = new Set(['identity', 'users', 'api_keys', 'sessions', 'integrations', 'webhooks']);
const AGENT_READABLE_IDENTITY = new Set(['users.list', 'users.get', 'auth.me']);

/**
 * What an AI agent may run: everything but managing identities and credentials (users,
 * passwords, second factors, API keys, sessions, integrations' keys, webhook secrets, whose
 * arguments an agent's audited call would otherwise record) and who may see what (settings).
 * It may look people up, to assign work.
 */
export const offeredToAgents = (op: Operation): boolean =>
  !op.public && op.name !== 'settings.update' && (!IDENTITY_TAGS.has(op.tag) || AGENT_READABLE_IDENTITY.has(op.name));

/**
 * Refuses an operation the actor may not run, before anything is read or written: nobody
 * unauthenticated but for public operations, no role below what the scope needs, and no agent
 * outside what agents are offered.
 */
export function authorize(op: Operation, ctx: Ctx): void {
  if (ctx.actor.type === 'agent' && !offeredToAgents(op)) {
    throw new AppError('FORBIDDEN', `${op.name} is not for agents: identities, credentials and settings are changed by people`, { details: { reason: 'not_for_agents' } });
  }
  if (ctx.actor.type === 'anonymous' && !op.public) {
    throw new AppError('UNAUTHORIZED', `${op.name} needs a session or an API key: sign in, or send Authorization: Bearer <API key>`);
  }
  const needed = ROLE_FOR_SCOPE[op.scope];
  if (RANK[ctx.actor.role] < RANK[needed]) {
    throw new AppError('FORBIDDEN', `${op.name} needs the ${needed} role; ${ctx.actor.label} is ${ctx.actor.role}`, {
      details: { required_role: needed },
    });
  }
}

/** Where the operation's database work queues when the database is busy. */
export function priorityOf(op: Operation): Priority {
  // Bulk work (ingestion, imports, sweeps) holds the database as long as a report does.
  if (op.weight === 'report' || isBulk(op)) return 'report';
  return op.kind === 'list' ? 'list' : 'interactive';
}

/**
 * The one way every surface calls the core: checks the actor may run the operation,
 * validates the input against its schema, and runs it at the operation's priority.
 */
export async function invoke<O>(op: Operation<unknown, O>, ctx: Ctx, input: unknown): Promise<O> {
  authorize(op, ctx);
  return withPriority(priorityOf(op), () => op.run(ctx, parseInput(op.input, input)));
}
