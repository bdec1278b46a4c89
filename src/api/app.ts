/**
 * The HTTP API, generated from the registry: one route per operation, the OpenAPI
 * document, a docs page and /healthz. Cross-cutting HTTP concerns (request ids, body
 * limits, rate limits, who is calling, CSRF, ETag/If-Match, Idempotency-Key,
 * problem+json) live here and only here.
 */
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { compress } from 'hono/compress';
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { bodyLimit } from 'hono/body-limit';
import { routePath } from 'hono/route';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { ANONYMOUS, makeCtx, withTx, type Actor, type Credential, type Ctx, type Runtime } from '../core/context.ts';
import { AppError, invalid } from '../core/errors.ts';
import { agentActor, apiKeyActor, userActor } from '../core/identity/actor.ts';
import { authenticateApiKey } from '../core/identity/api-keys.ts';
import type { IdentityConfig } from '../core/identity/options.ts';
import { authenticateSession, type LoginResult } from '../core/identity/sessions.ts';
import { writeAudit } from '../core/platform/audit.ts';
import { accessCacheFor } from '../core/platform/cache.ts';
import { invoke, isBulk, operations, priorityOf, type Operation } from '../core/registry.ts';
import { withPriority } from '../db/priority.ts';
import { isUuid } from '../core/fields.ts';
import type { Row } from '../core/resource.ts';
import type { Database } from '../db/client.ts';
import { idempotency_keys } from '../db/schema/platform.ts';
import { docsPage } from './docs.ts';
import { buildOpenApi } from './openapi.ts';
import { isDownload, type Download } from '../core/reports/types.ts';
import { problemResponse, toProblem } from './problem.ts';
import { listInputFromQuery } from '../core/list-query.ts';
import { DEFAULT_WEB_DIR, isEmbedPath, loadWebApp, serveAsset, servePage } from './web.ts';
import { createRateLimits, type RateLimitOptions } from './rate-limit.ts';
import { clientAddressResolver } from './client-address.ts';
import { createMetrics, type Metrics } from './metrics.ts';
import type { LogFields } from '../logging.ts';

export type AppOptions = {
  database: Database;
  bodyLimitBytes?: number;
  bulkBodyLimitBytes?: number;
  timeZone?: string | undefined;
  /** Password hashing cost, session length, the TOTP secret key, whether admins need TOTP. */
  identity?: IdentityConfig | undefined;
  /** Requests per credential and per client address (shared through PostgreSQL, else in this process's memory); none when absent. */
  rateLimit?: RateLimitOptions | undefined;
  /** Where failures are reported (with the request's id among the fields). */
  log?: (msg: string, err?: unknown, fields?: LogFields) => void;
  /** The built web app (dist/web by default); null serves none. */
  webDir?: string | null;
  /** The instance's environment, public address and outbound policy, handed to every operation. */
  runtime?: Runtime | undefined;
  /** One line per answered request: its id, method, route pattern, status and duration (never the query string or body). */
  accessLog?: (fields: LogFields) => void;
  /** Where /metrics reads from; the app makes its own (without Node's process metrics) when absent. */
  metrics?: Metrics;
  /** When set, /metrics needs `Authorization: Bearer <token>`. */
  metricsToken?: string | undefined;
  /** Proxies whose X-Forwarded-For names the client (src/api/client-address.ts). */
  trustedProxies?: readonly string[];
  /**
   * Set `draining` when the process is stopping: /readyz turns 503 (a load balancer stops
   * sending), and any new request is refused with 503 and the connection closed, while the
   * requests already in flight finish.
   */
  lifecycle?: { draining: boolean };
};

type Env = { Variables: { requestId: string } };

export const SESSION_COOKIE = 'throughline_session';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

type Caller = { actor: Actor; credential?: Credential; via: 'bearer' | 'cookie' | 'none' };

/** An AppError the adapter raised about the request itself (credentials, CSRF), always audited. */
class Refusal extends AppError {}

const isHttps = (c: Context) =>
  new URL(c.req.url).protocol === 'https:' || c.req.header('x-forwarded-proto')?.split(',')[0]?.trim().toLowerCase() === 'https';

/**
 * Who is calling: `Authorization: Bearer` with an API key (`tl_…`) or a session token, else
 * the session cookie, else nobody. A credential that is given but not valid is a 401.
 */
async function resolveCaller(ctx: Ctx, c: Context): Promise<Caller> {
  const header = c.req.header('authorization');
  if (header !== undefined) {
    const token = bearerToken(header);
    if (!token) throw new Refusal('UNAUTHORIZED', 'Send Authorization: Bearer <API key or session token>', { details: { reason: 'bad_authorization_header' } });
    if (token.startsWith('tl_')) {
      const { user, key } = await apiKeyOf(ctx, token);
      return { actor: apiKeyActor(user, key), credential: { kind: 'api_key', id: key.id }, via: 'bearer' };
    }
    const { user, session } = await authenticateSession(ctx, token).catch((e: unknown) => rethrow(e, 'bad_session'));
    return { actor: userActor(user), credential: { kind: 'session', id: session.id, token }, via: 'bearer' };
  }
  const cookie = getCookie(c, SESSION_COOKIE);
  if (cookie !== undefined && cookie !== '') {
    const { user, session } = await authenticateSession(ctx, cookie).catch((e: unknown) => {
      deleteCookie(c, SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'Lax', secure: isHttps(c) });
      return rethrow(e, 'bad_session_cookie');
    });
    return { actor: userActor(user), credential: { kind: 'session', id: session.id, token: cookie }, via: 'cookie' };
  }
  return { actor: ANONYMOUS, via: 'none' };
}

/** The token of an `Authorization: Bearer <token>` header, or undefined when the header is not one. */
const bearerToken = (header: string) => /^Bearer[ ]+([\x21-\x7e]{1,300})[ ]*$/i.exec(header)?.[1];

/** The API key's owner and the key; a key that is not valid is a refusal naming its prefix. */
const apiKeyOf = (ctx: Ctx, token: string) => authenticateApiKey(ctx, token).catch((e: unknown) => rethrow(e, 'bad_api_key', { key_prefix: token.slice(0, 13) }));

function rethrow(e: unknown, reason: string, extra: Record<string, unknown> = {}): never {
  if (e instanceof AppError && e.code === 'UNAUTHORIZED') throw new Refusal('UNAUTHORIZED', e.message, { details: { ...e.details, reason, ...extra } });
  throw e;
}

/** True when the Origin (or else the Referer) names this host, false when it names another, undefined when neither is sent. */
function sameOrigin(c: Context): boolean | undefined {
  const claimed = c.req.header('origin') ?? c.req.header('referer');
  if (claimed === undefined || claimed === '') return undefined;
  try {
    return new URL(claimed).host === new URL(c.req.url).host;
  } catch {
    return false;
  }
}

const csrfRefusal = () =>
  new Refusal('FORBIDDEN', 'A change made with the session cookie must come from this site: the Origin (or Referer) header is missing or names another site', {
    details: { reason: 'csrf' },
  });

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,100}$/;


/** Whether an Authorization header carries this bearer token (compared in constant time). */
function tokenMatches(header: string | undefined, token: string): boolean {
  const given = Buffer.from(bearerToken(header ?? '') ?? '');
  const wanted = Buffer.from(token);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}

/** `"3"`, `W/"3"` or `3` → 3; `*` → undefined (any version). */
function parseIfMatch(header: string | undefined): number | undefined {
  if (!header || header.trim() === '*') return undefined;
  const m = /^\s*(?:W\/)?"?(\d{1,9})"?\s*$/.exec(header);
  if (!m) throw invalid([{ field: 'If-Match', message: 'must be an ETag returned by this API, e.g. "3"' }]);
  return Number(m[1]);
}

const etagOf = (body: unknown) =>
  body && typeof body === 'object' && typeof (body as Row).version === 'number' ? `"${(body as Row).version}"` : undefined;

async function readJson(c: Context): Promise<unknown> {
  const type = c.req.header('content-type') ?? '';
  if (!/^application\/(?:[a-z.+-]*\+)?json\b/i.test(type)) {
    throw invalid([{ field: 'body', message: 'send a JSON body with Content-Type: application/json' }]);
  }
  try {
    return await c.req.json();
  } catch (e) {
    if (e instanceof AppError) throw e;
    throw invalid([{ field: 'body', message: 'is not valid JSON' }]);
  }
}

/**
 * An action's If-Match, as the `expected_version` its input takes (a deal's stage move): a stale
 * ETag is refused (412) as on an update, never ignored. An action that takes no version refuses the header.
 */
function versionFromIfMatch(op: Operation, c: Context, body: Row): { expected_version?: number } {
  const header = c.req.header('if-match');
  if (header === undefined) return {};
  const takesVersion = op.input instanceof z.ZodObject && 'expected_version' in op.input.shape;
  if (!takesVersion) throw invalid([{ field: 'If-Match', message: `is not supported by ${op.name}, which changes no single versioned record` }]);
  const v = parseIfMatch(header);
  if (v === undefined) return {};
  if (body.expected_version !== undefined && body.expected_version !== v) {
    throw invalid([{ field: 'If-Match', message: `names version ${v} but expected_version in the body is ${String(body.expected_version)}` }]);
  }
  return { expected_version: v };
}

function honoPath(path: string) {
  return path.replace(/\{([a-z_]+)\}/g, ':$1');
}

/** Gathers an operation's input from the path, the query string or body, and headers. */
async function inputFor(op: Operation, c: Context): Promise<Row> {
  const params = c.req.param() as Record<string, string>;
  switch (op.kind) {
    case 'list':
      return listInputFromQuery(new URL(c.req.url).searchParams);
    case 'get':
    case 'delete':
      return { id: params.id };
    case 'create':
      return { data: await readJson(c) };
    case 'bulk_create': {
      const body = (await readJson(c)) as Row;
      if (!body || typeof body !== 'object' || Array.isArray(body)) {
        throw invalid([{ field: 'body', message: 'must be an object with an items array' }]);
      }
      return body;
    }
    case 'update': {
      const v = parseIfMatch(c.req.header('if-match'));
      return { id: params.id, data: await readJson(c), ...(v !== undefined ? { expected_version: v } : {}) };
    }
    case 'archive':
    case 'restore': {
      const v = parseIfMatch(c.req.header('if-match'));
      return { id: params.id, ...(v !== undefined ? { expected_version: v } : {}) };
    }
    case 'action': {
      if (op.http.method === 'get') {
        return { ...Object.fromEntries(new URL(c.req.url).searchParams), ...params };
      }
      // Actions whose input is all in the path may be posted without a body (with or without a Content-Type).
      const body = (await c.req.raw.clone().text()).trim() !== '' ? await readJson(c) : {};
      if (!body || typeof body !== 'object' || Array.isArray(body)) {
        throw invalid([{ field: 'body', message: 'must be a JSON object' }]);
      }
      for (const k of Object.keys(params)) {
        if (k in (body as Row)) throw invalid([{ field: k, message: 'is given in the path' }]);
      }
      return { ...(body as Row), ...params, ...versionFromIfMatch(op, c, body as Row) };
    }
  }
}

export function createApp(opts: AppOptions) {
  const { database } = opts;
  const log = opts.log ?? ((msg, err) => console.error(msg, err));
  // PostgreSQL: counted in the database, so every server process shares each limit; without the instance key (tests) a key of this process's hashes them.
  const sharedCounters = database.pool ? { pool: database.pool, secret: opts.identity?.secretKey ?? randomBytes(32) } : undefined;
  const rateLimits = opts.rateLimit ? createRateLimits(opts.rateLimit, sharedCounters) : undefined;
  const metrics = opts.metrics ?? createMetrics(database);
  const lifecycle = opts.lifecycle ?? { draining: false };
  const addressOf = clientAddressResolver(opts.trustedProxies ?? []);
  const app = new Hono<Env>();
  let openapi: string | undefined;
  const cache = accessCacheFor(database);

  app.use('*', async (c, next) => {
    const incoming = c.req.header('x-request-id');
    const requestId = incoming && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    c.set('requestId', requestId);
    // Set before the handler runs: headers added after a response exists make Hono
    // rebuild it. Handlers that serve HTML replace the CSP with their own.
    c.header('x-request-id', requestId);
    c.header('x-content-type-options', 'nosniff');
    c.header('content-security-policy', "default-src 'none'; frame-ancestors 'none'");
    if (lifecycle.draining && c.req.path !== '/readyz') {
      c.header('connection', 'close');
      return problemResponse(c, toProblem(new AppError('UNAVAILABLE', 'This server is shutting down; send the request again (another server, or this one once it is back)'), requestId, log));
    }
    const started = performance.now();
    metrics.inFlight.inc();
    try {
      await next();
    } finally {
      metrics.inFlight.dec();
      const ms = performance.now() - started;
      // The pattern of the route that answered (/api/v1/companies/:id), so ids never become labels or log fields.
      const route = routePath(c) || 'unmatched';
      metrics.observeRequest(c.req.method, route, c.res.status, ms / 1000);
      opts.accessLog?.({ request_id: requestId, method: c.req.method, route, status: c.res.status, ms: Math.round(ms * 10) / 10 });
    }
  });

  app.onError((err, c) => problemResponse(c, toProblem(err, c.get('requestId') ?? randomUUID(), log)));
  app.notFound((c) =>
    problemResponse(
      c,
      toProblem(new AppError('NOT_FOUND', `No route for ${c.req.method} ${new URL(c.req.url).pathname}; see /api/docs`), c.get('requestId'), log),
    ),
  );

  const limitOf = (maxSize: number) =>
    bodyLimit({
      maxSize,
      onError: () => {
        throw new AppError('LIMIT_EXCEEDED', `The request body is larger than ${maxSize} bytes`);
      },
    });
  const limit = limitOf(opts.bodyLimitBytes ?? 1_048_576);
  const bulkBytes = opts.bulkBodyLimitBytes ?? 33_554_432;
  const bulkLimit = limitOf(bulkBytes);

  const ctxFor = (c: Context<Env>): Ctx =>
    makeCtx(database.db, {
      actor: ANONYMOUS,
      meta: {
        requestId: c.get('requestId'),
        ip: addressOf((c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming?.socket?.remoteAddress ?? '', c.req.header('x-forwarded-for')),
        userAgent: c.req.header('user-agent') ?? '',
      },
      ...(opts.timeZone ? { timeZone: opts.timeZone } : {}),
      identity: opts.identity,
      cache,
      runtime: opts.runtime,
    });

  /** Records a refused request (401/403) in the audit log, outside any transaction, never failing the request. */
  const auditRefusal = async (ctx: Ctx, target: { table: string; operation: string }, c: Context<Env>, e: AppError) => {
    const id = (c.req.param() as Record<string, string>).id ?? (c.req.param() as Record<string, string>).user_id;
    try {
      await writeAudit(
        { ...ctx, inTx: false },
        {
          action: 'refused',
          table: target.table,
          recordId: isUuid(id) ? id : null,
          operation: target.operation,
          after: {
            status: e.code === 'UNAUTHORIZED' ? 401 : 403,
            code: e.code,
            method: c.req.method,
            path: new URL(c.req.url).pathname,
            ...(typeof e.details.reason === 'string' ? { reason: e.details.reason } : {}),
            ...(typeof e.details.key_prefix === 'string' ? { key_prefix: e.details.key_prefix } : {}),
            ...(typeof e.details.required_role === 'string' ? { required_role: e.details.required_role } : {}),
          },
        },
      );
    } catch (err) {
      log(`request ${c.get('requestId')}: could not record a refusal in the audit log`, err);
    }
  };

  // The web app's scripts and its description of the schema are large and fetched by every browser: sent compressed.
  app.use('/assets/*', compress());
  app.use('/api/v1/schema', compress());

  // Liveness: the process answers and reaches its database.
  app.get('/healthz', async (c) => {
    await database.query('select 1');
    return c.json({ status: 'ok', database: database.kind });
  });
  // Readiness: whether a load balancer should send requests here; not while the process drains.
  app.get('/readyz', async (c) => {
    if (lifecycle.draining) return c.json({ status: 'draining' }, 503);
    try {
      await database.query('select 1');
    } catch (e) {
      log(`request ${c.get('requestId')}: readiness check could not reach the database`, e);
      return c.json({ status: 'unavailable', database: database.kind }, 503);
    }
    return c.json({ status: 'ready', database: database.kind });
  });
  app.get('/metrics', async (c) => {
    if (opts.metricsToken !== undefined && !tokenMatches(c.req.header('authorization'), opts.metricsToken)) {
      c.header('www-authenticate', 'Bearer realm="metrics"');
      throw new AppError('UNAUTHORIZED', 'Send Authorization: Bearer <THROUGHLINE_METRICS_TOKEN>');
    }
    // The queue counts are a scrape's own queries: they wait behind the requests of people.
    const text = await withPriority('report', () => metrics.registry.metrics());
    return c.newResponse(text, 200, { 'content-type': metrics.registry.contentType, 'cache-control': 'no-store' });
  });

  app.get('/api/openapi.json', (c) => {
    openapi ??= JSON.stringify(buildOpenApi(operations));
    return c.newResponse(openapi, 200, { 'content-type': 'application/json' });
  });
  app.get('/api/docs', (c) => {
    c.header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'");
    return c.html(docsPage(operations));
  });
  const web = loadWebApp(opts.webDir === undefined ? DEFAULT_WEB_DIR : opts.webDir);
  app.get('/assets/:name', (c) => {
    const asset = web.asset(c.req.param('name'));
    if (!asset) throw new AppError('NOT_FOUND', `No asset ${c.req.param('name')}`);
    return serveAsset(c, asset);
  });
  app.get('/', (c) => {
    if (web.index) return servePage(c, web.index);
    c.header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'");
    return c.html(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Throughline</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;color:#1f2933}a{color:#0b5cad}</style></head>
<body><h1>Throughline</h1><p>The server is running on the ${database.kind === 'pglite' ? 'embedded' : 'PostgreSQL'} database.</p>
<p>The web app is not built yet: run <code>npm run build:web</code> (<code>npm install</code> does it) and restart.</p>
<p>Every API call needs a session (<code>POST /api/v1/auth/login</code>) or an API key (<code>Authorization: Bearer tl_…</code>).</p>
<ul><li><a href="/api/docs">API documentation</a></li><li><a href="/api/openapi.json">OpenAPI document</a></li><li><a href="/api/v1/companies">Companies</a></li><li><a href="/api/v1/sales/follow-ups">Follow-ups due this week</a></li></ul></body></html>`);
  });

  // MCP over HTTP: an API key only (never the session cookie, so no browser can be made to call it).
  app.all('/mcp', bulkLimit, async (c) => {
    const ctx = ctxFor(c);
    await rateLimits?.address(ctx.meta?.ip ?? '');
    if (c.req.method !== 'POST') {
      // Stateless streamable HTTP: no event stream to GET and no session to DELETE (the MCP spec's 405).
      const problem = toProblem(new AppError('PRECONDITION_FAILED', 'The MCP endpoint takes POST requests only (streamable HTTP, stateless)'), c.get('requestId'), log);
      return c.newResponse(JSON.stringify({ ...problem, status: 405, title: 'Method not allowed' }), 405, { 'content-type': 'application/problem+json', allow: 'POST' });
    }
    let owner: Awaited<ReturnType<typeof apiKeyOf>>;
    try {
      if (sameOrigin(c) === false) throw new Refusal('FORBIDDEN', 'The MCP endpoint refuses requests from web pages of other sites', { details: { reason: 'origin' } });
      const token = bearerToken(c.req.header('authorization') ?? '');
      if (!token?.startsWith('tl_')) {
        c.header('www-authenticate', 'Bearer realm="throughline"');
        throw new Refusal('UNAUTHORIZED', 'The MCP endpoint needs an API key: Authorization: Bearer tl_… (create one with POST /api/v1/api_keys)', { details: { reason: 'no_api_key' } });
      }
      owner = await apiKeyOf(ctx, token);
    } catch (e) {
      if (e instanceof Refusal) await auditRefusal(ctx, { table: 'mcp', operation: 'mcp.http' }, c, e);
      throw e;
    }
    const { user, key } = owner;
    const credential: Credential = { kind: 'api_key', id: key.id };
    const actor = agentActor(user, { key });
    const origin = `${isHttps(c) ? 'https' : 'http'}://${new URL(c.req.url).host}`;
    // The MCP SDK loads on the first call, not at start (it would add to every cold start).
    const { handleMcpRequest } = await import('../mcp/http.ts');
    return handleMcpRequest(
      {
        ctx: { ...ctx, actor, credential },
        actor: async () => actor,
        // Every call counts against the key's budget, a batch of calls in one request included.
        ...(rateLimits ? { limit: () => rateLimits.credential(credential) } : {}),
        links: { base: origin },
        log,
      },
      c.req.raw,
      bulkBytes,
    );
  });

  for (const op of operations) {
    const path = honoPath(op.http.path);
    const priority = priorityOf(op);
    // Everything the request does in the database (the credential lookup and rate limits too)
    // queues at the operation's priority while the database is busy (ADR 0016).
    const handler = (c: Context<Env>) => withPriority(priority, () => handle(c));
    const handle = async (c: Context<Env>) => {
      let ctx = ctxFor(c);
      // Every request from the address counts (sign-in and bad credentials too), before any lookup.
      await rateLimits?.address(ctx.meta?.ip ?? '');
      const unsafe = !SAFE_METHODS.has(c.req.method);
      let status = op.http.status ?? 200;
      let body: unknown;
      try {
        if (op.public) {
          // Sign-in needs no credentials, but a browser posting it from another site is refused (login CSRF).
          if (unsafe && c.req.header('authorization') === undefined && sameOrigin(c) === false) throw csrfRefusal();
        } else {
          const caller = await resolveCaller(ctx, c);
          if (caller.via === 'none') {
            throw new AppError('UNAUTHORIZED', 'Sign in first (POST /api/v1/auth/login), or send Authorization: Bearer <API key>');
          }
          ctx = { ...ctx, actor: caller.actor, ...(caller.credential ? { credential: caller.credential } : {}) };
          if (caller.credential) await rateLimits?.credential(caller.credential);
          // Browsers attach cookies to cross-site requests; a bearer header they never add by themselves.
          if (unsafe && caller.via === 'cookie' && sameOrigin(c) !== true) throw csrfRefusal();
        }
        const input = await inputFor(op, c);
        const idemKey = op.http.method === 'post' ? c.req.header('idempotency-key') : undefined;
        if (idemKey !== undefined) {
          if (op.transactional === false) {
            throw invalid([{ field: 'Idempotency-Key', message: `is not supported by ${op.name}` }]);
          }
          if (op.revealsSecret) {
            throw invalid([{ field: 'Idempotency-Key', message: `is not supported by ${op.name}: its answer holds a secret shown once, which a replay would have to keep` }]);
          }
          const replay = await runIdempotent(ctx, op, input, idemKey, c.req.method, new URL(c.req.url).pathname, status);
          status = replay.status;
          body = replay.body;
          if (replay.replayed) c.header('idempotent-replayed', 'true');
        } else {
          body = await invoke(op, ctx, input);
        }
      } catch (e) {
        // Sign-in records its own refusals; everything else refused here or by the core is recorded now.
        if (e instanceof Refusal || (e instanceof AppError && !op.public && ctx.actor.type !== 'anonymous' && (e.code === 'FORBIDDEN' || e.code === 'UNAUTHORIZED'))) {
          await auditRefusal(ctx, { table: op.resource?.name ?? op.name.split('.')[0]!, operation: op.name }, c, e);
        }
        throw e;
      }
      if (op.http.session === 'start') {
        const { token, session } = body as LoginResult;
        setCookie(c, SESSION_COOKIE, token, { path: '/', httpOnly: true, sameSite: 'Lax', secure: isHttps(c), expires: new Date(session.expires) });
        c.header('cache-control', 'no-store');
      } else if (op.http.session === 'end') {
        deleteCookie(c, SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'Lax', secure: isHttps(c) });
      }
      if (isDownload(body)) return sendDownload(c, body, status);
      const etag = op.resource && op.kind !== 'list' ? etagOf(body) : undefined;
      if (etag) c.header('etag', etag);
      if (op.kind === 'create' && body && typeof body === 'object' && 'id' in body) {
        c.header('location', `${op.http.path}/${String((body as Row).id)}`);
      }
      return c.json(body as object, status as 200);
    };
    const method = op.http.method;
    if (method === 'get') app.get(path, handler);
    else if (method === 'delete') app.delete(path, handler);
    else if (method === 'patch') app.patch(path, limit, handler);
    else app.post(path, isBulk(op) ? bulkLimit : limit, handler);
  }

  // Any other page is the web app's, which routes it itself (/companies/<id>…); the API's own
  // unknown paths stay problems.
  app.get('*', (c) => {
    const p = new URL(c.req.url).pathname;
    if (!web.index || p.startsWith('/api/') || p === '/api' || p.startsWith('/mcp')) {
      throw new AppError('NOT_FOUND', `No route for GET ${p}; see /api/docs`);
    }
    return servePage(c, web.index, { embed: isEmbedPath(p) });
  });
  return app;
}

/**
 * A rendered report. The filename is built by core from safe characters only; the page may
 * carry client text, so an HTML one is locked down to its own inline styles and SVG.
 */
function sendDownload(c: Context<Env>, d: Download, status: number): Response {
  const headers: Record<string, string> = {
    'content-type': d.content_type,
    'content-disposition': `${d.content_type.startsWith('text/html') ? 'inline' : 'attachment'}; filename="${d.filename.replace(/[^A-Za-z0-9._-]/g, '_')}"`,
    'x-content-type-options': 'nosniff',
    'cache-control': 'private, no-store',
  };
  if (d.content_type.startsWith('text/html')) {
    headers['content-security-policy'] = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'";
  }
  const body = typeof d.body === 'string' ? d.body : new Uint8Array(d.body);
  return c.newResponse(body, status as 200, headers);
}

/**
 * A POST with an Idempotency-Key runs in one transaction with the key's record: a retry
 * gets the first response back, a concurrent duplicate waits on the key's unique index,
 * and a failed attempt leaves no key behind, so it can be retried.
 */
async function runIdempotent(
  ctx: Ctx,
  op: Operation,
  input: Row,
  key: string,
  method: string,
  path: string,
  okStatus: number,
): Promise<{ status: number; body: unknown; replayed: boolean }> {
  if (key.length < 1 || key.length > 200 || !/^[\x21-\x7e]+$/.test(key)) {
    throw invalid([{ field: 'Idempotency-Key', message: 'must be 1 to 200 visible ASCII characters' }]);
  }
  const actor = `${ctx.actor.type}:${ctx.actor.id ?? ''}`;
  const hash = createHash('sha256').update(`${method} ${path}\n${JSON.stringify(input)}`).digest('hex');
  return withTx(ctx, async (tx) => {
    const inserted = await tx.db
      .insert(idempotency_keys)
      .values({ key, actor, method, path, request_hash: hash, status_code: 0 })
      .onConflictDoNothing()
      .returning({ id: idempotency_keys.id });
    if (inserted.length === 0) {
      const [prior] = await tx.db
        .select()
        .from(idempotency_keys)
        .where(and(eq(idempotency_keys.actor, actor), eq(idempotency_keys.key, key)));
      if (!prior || prior.request_hash !== hash) {
        throw new AppError('CONFLICT', 'This Idempotency-Key was already used with a different request; use a new key', {
          details: { fields: [{ field: 'Idempotency-Key', message: 'was used with a different request' }] },
        });
      }
      return { status: prior.status_code, body: prior.response_body, replayed: true };
    }
    const body = await invoke(op, tx, input);
    // Store exactly what the client received (dates as ISO strings).
    const stored = JSON.parse(JSON.stringify(body)) as unknown;
    await tx.db
      .update(idempotency_keys)
      .set({ status_code: okStatus, response_body: stored })
      .where(eq(idempotency_keys.id, inserted[0]!.id));
    return { status: okStatus, body: stored, replayed: false };
  });
}
