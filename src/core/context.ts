/** The explicit context every verb receives: the database (or a transaction), who acts, and the clock. */
import type { Db } from '../db/client.ts';
import type { UserRole } from '../db/schema/platform.ts';

export type ActorType = 'user' | 'api_key' | 'agent' | 'system' | 'local';

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

export type Ctx = {
  db: Db;
  actor: Actor;
  now: () => Date;
  meta?: RequestMeta;
  /** True inside withTx, so nested verbs share one transaction instead of opening savepoints. */
  inTx?: boolean;
};

/** Until users exist, whoever runs the process locally is an administrator. */
export const LOCAL_OPERATOR: Actor = { type: 'local', id: null, label: 'local operator', role: 'admin' };
export const SYSTEM: Actor = { type: 'system', id: null, label: 'system', role: 'admin' };

export function makeCtx(db: Db, actor: Actor = LOCAL_OPERATOR, meta?: RequestMeta): Ctx {
  return { db, actor, now: () => new Date(), ...(meta ? { meta } : {}) };
}

/** Runs fn in one transaction; inside an existing one it simply joins it. */
export async function withTx<T>(ctx: Ctx, fn: (tx: Ctx) => Promise<T>): Promise<T> {
  if (ctx.inTx) return fn(ctx);
  return ctx.db.transaction(async (tx) => fn({ ...ctx, db: tx as unknown as Db, inTx: true }));
}
