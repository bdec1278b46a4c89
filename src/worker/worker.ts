/**
 * The background worker: runs in the server's process (or alone, for larger installs) and
 * works the durable queues the core writes in the same transaction as the business change
 * that causes them (the email outbox, webhook deliveries, digests, imports). Each queue is a
 * table with a status and a time of next attempt; a drain claims a batch with
 * `FOR UPDATE SKIP LOCKED`, so any number of workers share the work without taking an item
 * twice, on PostgreSQL and PGlite alike. A drain that fails is logged and runs again later;
 * nothing is lost, since the rows stay until they are done.
 */
import { makeCtx, SYSTEM, type Ctx, type Runtime } from '../core/context.ts';
import type { IdentityConfig } from '../core/identity/options.ts';
import type { Database } from '../db/client.ts';
import { withPriority } from '../db/priority.ts';

export type WorkerLog = { info(msg: string): void; error(msg: string, err?: unknown): void };

/** One queue's worker: `run` handles what is due and answers how many items it handled. */
export type Drain = {
  name: string;
  /** How often it looks for work when the last round found none. */
  everyMs: number;
  run: (ctx: Ctx) => Promise<number>;
};

export type WorkerOptions = {
  database: Database;
  drains: Drain[];
  log: WorkerLog;
  identity?: IdentityConfig;
  timeZone?: string | undefined;
  runtime?: Runtime | undefined;
  /** The shortest pause between rounds (default 1 s). */
  tickMs?: number;
  /** Told when a drain's round failed (the /metrics counter). */
  onDrainFailed?: (drain: string) => void;
};

export type Worker = {
  /** Runs every drain once now, in order, and answers what each handled (tests, the CLI). */
  runOnce(): Promise<Record<string, number>>;
  /** Asks for a round soon (after something was queued). */
  kick(): void;
  /** Finishes the round in progress and stops. */
  stop(): Promise<void>;
};

export function createWorker(opts: WorkerOptions): Worker {
  const tick = opts.tickMs ?? 1000;
  const due = new Map<string, number>(opts.drains.map((d) => [d.name, 0]));
  const ctx = () => makeCtx(opts.database.db, { actor: SYSTEM, ...(opts.identity ? { identity: opts.identity } : {}), ...(opts.timeZone ? { timeZone: opts.timeZone } : {}), runtime: opts.runtime });

  const runDrain = async (d: Drain): Promise<number> => {
    try {
      // Behind every request when the database is busy (db/priority.ts); never starved.
      return await withPriority('background', () => d.run(ctx()));
    } catch (e) {
      opts.log.error(`Worker: ${d.name} failed (it will run again)`, e);
      opts.onDrainFailed?.(d.name);
      return 0;
    }
  };

  let round: Promise<unknown> = Promise.resolve();
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;

  const schedule = (ms: number) => {
    if (stopped) return;
    clearTimeout(timer);
    timer = setTimeout(() => void loop(), ms);
    timer.unref();
  };

  let running = false;
  let again = false;
  const loop = async () => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    round = (async () => {
      for (const d of opts.drains) {
        if (stopped) return;
        if ((due.get(d.name) ?? 0) > Date.now()) continue;
        const handled = await runDrain(d);
        // A drain that found work looks again at the next tick; an idle one waits its interval.
        due.set(d.name, handled > 0 ? 0 : Date.now() + d.everyMs);
      }
    })();
    await round;
    running = false;
    if (again) {
      again = false;
      schedule(0);
    } else schedule(tick);
  };

  return {
    async runOnce() {
      await round;
      const out: Record<string, number> = {};
      for (const d of opts.drains) out[d.name] = await runDrain(d);
      return out;
    },
    kick() {
      for (const d of opts.drains) due.set(d.name, 0);
      schedule(0);
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await round;
    },
  };
}

/** Starts the worker's rounds (the first after `delayMs`, so it never competes with the start). */
export function startWorker(opts: WorkerOptions & { delayMs?: number }): Worker {
  const w = createWorker(opts);
  const first = setTimeout(() => w.kick(), opts.delayMs ?? 2000);
  first.unref();
  return {
    ...w,
    async stop() {
      clearTimeout(first);
      await w.stop();
    },
  };
}
