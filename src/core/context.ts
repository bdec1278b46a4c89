/** The explicit context every verb receives: the database (or a transaction), who acts, and the clock. */
import type { Db } from '../db/client.ts';
import type { UserRole } from '../db/schema/platform.ts';
import type { IdentityConfig } from './identity/options.ts';

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
  /** True inside withTx, so nested verbs share one transaction instead of opening savepoints. */
  inTx?: boolean;
};

/** Until users exist, whoever runs the process locally is an administrator. */
export const LOCAL_OPERATOR: Actor = { type: 'local', id: null, label: 'local operator', role: 'admin' };
export const SYSTEM: Actor = { type: 'system', id: null, label: 'system', role: 'admin' };
/** A caller who has not proved who they are: may run public operations (sign-in) and nothing else. */
export const ANONYMOUS: Actor = { type: 'anonymous', id: null, label: 'anonymous', role: 'viewer' };

export const DEFAULT_TIME_ZONE = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

export function makeCtx(
  db: Db,
  opts: { actor?: Actor; meta?: RequestMeta; timeZone?: string; now?: () => Date; identity?: IdentityConfig | undefined } = {},
): Ctx {
  return {
    db,
    actor: opts.actor ?? LOCAL_OPERATOR,
    now: opts.now ?? (() => new Date()),
    timeZone: opts.timeZone ?? DEFAULT_TIME_ZONE,
    ...(opts.meta ? { meta: opts.meta } : {}),
    ...(opts.identity ? { identity: opts.identity } : {}),
  };
}

/** The calendar date (YYYY-MM-DD) of an instant in the context's time zone. */
export function localDate(ctx: Ctx, at: Date = ctx.now()): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: ctx.timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
}

/** Runs fn in one transaction; inside an existing one it simply joins it. */
export async function withTx<T>(ctx: Ctx, fn: (tx: Ctx) => Promise<T>): Promise<T> {
  if (ctx.inTx) return fn(ctx);
  return ctx.db.transaction(async (tx) => fn({ ...ctx, db: tx as unknown as Db, inTx: true }));
}
