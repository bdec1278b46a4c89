/** The explicit context every verb receives: the database (or a transaction), who acts, and the clock. */
import type { SQL } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import type { UserRole } from '../db/schema/platform.ts';
import type { IdentityConfig } from './identity/options.ts';
import type { AccessCache } from './platform/cache.ts';

export type ActorType = 'user' | 'api_key' | 'agent' | 'system' | 'local' | 'anonymous';

export type Actor = {
  type: ActorType;
  /** The user (or key) id; null for the local operator and the system. */
  id: string | null;
  label: string;
  role: UserRole;
  /** For an agent or key: the user it acts for. */
  onBehalfOf?: string | null;
};

export type RequestMeta = { requestId?: string; ip?: string; userAgent?: string };

/** How a request proved who it is: the session (and its token, so logout can end it) or the API key. */
export type Credential = { kind: 'session'; id: string; token: string } | { kind: 'api_key'; id: string };

export type Ctx = {
  db: Db;
  actor: Actor;
  now: () => Date;
  /** IANA time zone that decides what "today" and "this week" mean. */
  timeZone: string;
  meta?: RequestMeta;
  credential?: Credential;
  /** What this instance decides about sign-in (hashing cost, session length, TOTP key); defaults otherwise. */
  identity?: IdentityConfig;
  /** Credentials and settings kept between requests (src/core/platform/cache.ts); absent, everything is read fresh. */
  cache?: AccessCache;
  /** True inside withTx, so nested verbs share one transaction instead of opening savepoints. */
  inTx?: boolean;
  /** Inside withTx: what to run once the transaction has committed. */
  onCommit?: (() => void)[];
  /** How this instance meets the outside world; absent: production, no public address, public targets only. */
  runtime?: Runtime;
};

/** What the core needs to know of the instance to reach outside it (feature flags, links in emails, webhook targets). */
export type Runtime = {
  environment: 'development' | 'staging' | 'production';
  /** Where people reach this server, for links in emails and webhooks. */
  publicUrl?: string | undefined;
  /** Webhooks may reach loopback and private addresses: development and tests only. */
  allowPrivateTargets: boolean;
  /** The sales assistant's language model (src/core/assistant); absent, the assistant says it is not configured. */
  llm?: LlmSettings | undefined;
  /** Takes a backup of this process's database now (src/db/backup.ts); absent where the process cannot (tests without a server). */
  backup?: (() => Promise<{ kind: 'download'; content_type: string; filename: string; body: Uint8Array }>) | undefined;
};

/** Which model the assistant calls and how: an OpenAI-compatible chat completions API or the Anthropic Messages API. */
export type LlmSettings = {
  provider: 'openai' | 'anthropic';
  /** e.g. https://api.openai.com/v1 (…/chat/completions is appended) or https://api.anthropic.com (…/v1/messages). */
  baseUrl: string;
  apiKey: string | undefined;
  model: string;
  timeoutMs: number;
  maxTokens: number;
};

/** Until users exist, whoever runs the process locally is an administrator. */
export const LOCAL_OPERATOR: Actor = { type: 'local', id: null, label: 'local operator', role: 'admin' };
export const SYSTEM: Actor = { type: 'system', id: null, label: 'system', role: 'admin' };
/** A caller who has not proved who they are: may run public operations (sign-in) and nothing else. */
export const ANONYMOUS: Actor = { type: 'anonymous', id: null, label: 'anonymous', role: 'viewer' };

export const DEFAULT_TIME_ZONE = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

export function makeCtx(
  db: Db,
  opts: { actor?: Actor; meta?: RequestMeta; timeZone?: string; now?: () => Date; identity?: IdentityConfig | undefined; cache?: AccessCache | undefined; runtime?: Runtime | undefined } = {},
): Ctx {
  return {
    db,
    actor: opts.actor ?? LOCAL_OPERATOR,
    now: opts.now ?? (() => new Date()),
    timeZone: opts.timeZone ?? DEFAULT_TIME_ZONE,
    ...(opts.meta ? { meta: opts.meta } : {}),
    ...(opts.identity ? { identity: opts.identity } : {}),
    ...(opts.cache ? { cache: opts.cache } : {}),
    ...(opts.runtime ? { runtime: opts.runtime } : {}),
  };
}

/** One formatter per time zone: making one costs far more than formatting with it (1.4% of the server's time under load). */
const dayFormats = new Map<string, Intl.DateTimeFormat>();

/** The calendar date (YYYY-MM-DD) of an instant in the context's time zone. */
export function localDate(ctx: Ctx, at: Date = ctx.now()): string {
  let format = dayFormats.get(ctx.timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-CA', { timeZone: ctx.timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    dayFormats.set(ctx.timeZone, format);
  }
  return format.format(at);
}

/**
 * Runs fn in one transaction; inside an existing one it simply joins it (and its isolation
 * level, which cannot change once the transaction has run a statement).
 */
export async function withTx<T>(ctx: Ctx, fn: (tx: Ctx) => Promise<T>, opts: { isolationLevel?: 'repeatable read' | 'serializable' } = {}): Promise<T> {
  if (ctx.inTx) return fn(ctx);
  const onCommit: (() => void)[] = [];
  const result = await ctx.db.transaction(async (tx) => fn({ ...ctx, db: tx as unknown as Db, inTx: true, onCommit }), opts.isolationLevel ? { isolationLevel: opts.isolationLevel } : undefined);
  for (const f of onCommit) f();
  return result;
}

/** Runs fn once the current transaction commits (at once outside a transaction); never if it rolls back. */
export function afterCommit(ctx: Ctx, fn: () => void): void {
  if (ctx.inTx && ctx.onCommit) ctx.onCommit.push(fn);
  else fn();
}

/** Credentials or settings changed: this process forgets what it cached once the change commits (others hear of it by NOTIFY). */
export const accessChanged = (ctx: Ctx) => afterCommit(ctx, () => ctx.cache?.invalidate());

/** The rows of a raw SQL query, typed as the caller says they are. */
export async function queryRows<T>(ctx: Ctx, query: SQL): Promise<T[]> {
  return ((await ctx.db.execute(query)) as unknown as { rows: T[] }).rows;
}
