/**
 * Runs CSV imports (import_jobs). A job is claimed in a short transaction (`FOR UPDATE SKIP
 * LOCKED`, status `running`, a lease) and committed; its rows are then written in chunks of
 * about 200. Each chunk is ONE transaction that writes the chunk's records and advances the
 * job's cursor (processed_rows) and counts, so a crash mid-chunk rolls the whole chunk back
 * and the next worker to take the job (once the lease runs out) redoes exactly that chunk.
 * The natural-key matching makes a redo harmless besides. Records are written through the
 * resource layer as the person who started the import, so validation, visibility, the audit
 * and the after-write hooks (lead scoring, webhooks) apply as if they had typed them in.
 */
import { and, eq, inArray, isNotNull, isNull, lte, or, sql, type SQL } from 'drizzle-orm';
import { withTx, LOCAL_OPERATOR, type Actor, type Ctx } from '../core/context.ts';
import { messageWithoutData } from '../db/errors.ts';
import { userActor } from '../core/identity/actor.ts';
import { lowerRole, roleAtLeast } from '../core/identity/roles.ts';
import { importChunk, jobRows, MAX_LISTED_ROW_ERRORS } from '../core/platform/imports.ts';
import { import_jobs, type ImportRowError } from '../db/schema/imports.ts';
import { users } from '../db/schema/platform.ts';
import type { Drain, WorkerLog } from './worker.ts';

export const IMPORT_CHUNK = 200;
/** Long enough for several chunks; renewed with every chunk. */
export const IMPORT_LEASE_MS = 5 * 60_000;
/** Rounds in a row that end in a fault before the job is given up as failed. */
export const MAX_IMPORT_FAULTS = 5;

export type ImportDrainOptions = {
  log?: WorkerLog;
  everyMs?: number;
  chunkSize?: number;
  leaseMs?: number;
  /** How long one round keeps at a job before letting the other drains run (it resumes at once). */
  roundMs?: number;
  /** Wait after a fault before the job is taken again (grows with each fault in a row). */
  retryDelayMs?: number;
  /** Called before each row is written, inside its chunk's transaction (tests: a crash midway). */
  beforeRow?: (jobId: string, index: number) => void;
};

type Job = typeof import_jobs.$inferSelect;

export function importDrain(opts: ImportDrainOptions = {}): Drain {
  const log: WorkerLog = opts.log ?? { info: (m) => console.log(m), error: (m, e) => console.error(m, e) };
  const chunkSize = Math.max(1, opts.chunkSize ?? IMPORT_CHUNK);
  const leaseMs = opts.leaseMs ?? IMPORT_LEASE_MS;
  const roundMs = opts.roundMs ?? 20_000;
  const retryDelayMs = opts.retryDelayMs ?? 30_000;

  return {
    name: 'import',
    everyMs: opts.everyMs ?? 5_000,
    async run(ctx: Ctx) {
      const job = await claim(ctx, leaseMs);
      if (!job) return 0;
      try {
        return await work(ctx, job);
      } catch (e) {
        await fault(ctx, job, e);
        throw e;
      }
    },
  };

  /** Processes chunks until the job is done, the round's time is up, or the job is no longer ours. */
  async function work(ctx: Ctx, claimed: Job): Promise<number> {
    const actor = await actorOf(ctx, claimed);
    if (typeof actor === 'string') {
      await finish(ctx, claimed, { status: 'failed', failure: actor });
      return 1;
    }
    let parsed: ReturnType<typeof jobRows>;
    try {
      parsed = jobRows(claimed);
    } catch (e) {
      await finish(ctx, claimed, { status: 'failed', failure: `the stored CSV cannot be read: ${e instanceof Error ? e.message : String(e)}`.slice(0, 500) });
      return 1;
    }
    const began = Date.now();
    let lease = claimed.lease_until!;
    let handled = 0;
    const as: Ctx = { ...ctx, actor };
    for (;;) {
      const next = await withTx(as, async (tx) => {
        // The job row stays locked for the chunk: a claim skips it, a cancel waits for the chunk.
        const [job] = await tx.db
          .select()
          .from(import_jobs)
          .where(and(eq(import_jobs.id, claimed.id), eq(import_jobs.status, 'running'), eq(import_jobs.lease_until, lease)))
          .for('update');
        if (!job) return null;
        const start = job.processed_rows;
        const end = Math.min(start + chunkSize, job.total_rows);
        const r = await importChunk(tx, job, parsed, start, end, opts.beforeRow ? (i) => opts.beforeRow!(job.id, i) : undefined);
        const now = tx.now();
        const done = end >= job.total_rows;
        const errors: ImportRowError[] = [...job.errors, ...r.errors].slice(0, MAX_LISTED_ROW_ERRORS);
        const newLease = new Date(now.getTime() + leaseMs);
        await tx.db
          .update(import_jobs)
          .set({
            processed_rows: end,
            created_count: job.created_count + r.created,
            updated_count: job.updated_count + r.updated,
            skipped_count: job.skipped_count + r.skipped,
            error_count: job.error_count + r.errorRows,
            errors,
            faults: 0,
            failure: null,
            updated_at: now,
            ...(done ? { status: 'completed' as const, finished_at: now, lease_until: null } : { lease_until: newLease }),
          })
          .where(eq(import_jobs.id, job.id));
        return { rows: end - start, done, lease: newLease };
      });
      if (!next) break;
      handled += next.rows;
      lease = next.lease;
      if (next.done) break;
      if (Date.now() - began > roundMs) {
        // The round is over: the other drains run, then this or another worker takes the job again
        // at once. Kept, the lease would hold it back until it ran out (five minutes).
        await freeLeases(ctx, and(eq(import_jobs.id, claimed.id), eq(import_jobs.status, 'running'), eq(import_jobs.lease_until, lease)));
        break;
      }
      // Between chunks, whatever waits on the event loop (and on PGlite's one connection) goes first:
      // requests stay answered while a long import runs.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    return Math.max(handled, 1);
  }

  /** The job's user as the actor, with the lower of the role it was started with and their role now; or why it cannot run. */
  async function actorOf(ctx: Ctx, job: Job): Promise<Actor | string> {
    if (job.created_by === null) return LOCAL_OPERATOR;
    const [u] = await ctx.db.select().from(users).where(eq(users.id, job.created_by));
    if (!u || u.disabled_at !== null || u.archived_at !== null) return 'the person who started the import is no longer an active user';
    const role = lowerRole(job.created_role, u.role);
    if (!roleAtLeast(role, 'editor')) return 'the person who started the import may no longer write records';
    return userActor({ ...u, role });
  }

  async function finish(ctx: Ctx, job: Job, values: { status: 'failed'; failure: string }): Promise<void> {
    const now = ctx.now();
    await ctx.db
      .update(import_jobs)
      .set({ ...values, lease_until: null, finished_at: now, updated_at: now })
      .where(and(eq(import_jobs.id, job.id), eq(import_jobs.status, 'running')));
    log.error(`Import ${job.id} failed: ${values.failure}`);
  }

  /** A round ended in a fault: the chunk rolled back; the job is taken again after a pause, or fails after too many. */
  async function fault(ctx: Ctx, job: Job, e: unknown): Promise<void> {
    // The database's message, never drizzle's (which lists the imported row's values).
    const message = messageWithoutData(e).replace(/\s+/g, ' ').slice(0, 500);
    const now = ctx.now();
    const faults = job.faults + 1;
    if (faults >= MAX_IMPORT_FAULTS) {
      await ctx.db
        .update(import_jobs)
        .set({ status: 'failed', faults, failure: `stopped after ${faults} faults in a row: ${message}`, lease_until: null, finished_at: now, updated_at: now })
        .where(and(eq(import_jobs.id, job.id), eq(import_jobs.status, 'running')));
      return;
    }
    await ctx.db
      .update(import_jobs)
      .set({ faults: sql`${import_jobs.faults} + 1`, failure: message, lease_until: new Date(now.getTime() + retryDelayMs * faults), updated_at: now })
      .where(and(eq(import_jobs.id, job.id), eq(import_jobs.status, 'running')));
  }
}

/**
 * Frees the jobs left `running` by a worker that is gone, so they resume now rather than when
 * their lease runs out. Only for a process that knows it is the only worker: the embedded
 * database's server, which holds the data directory's lock.
 */
export async function releaseOrphanedImports(ctx: Ctx): Promise<number> {
  return (await freeLeases(ctx, and(eq(import_jobs.status, 'running'), isNotNull(import_jobs.lease_until)))).length;
}

/** Lets the running jobs that match be claimed again at once (by this worker or another); returns their ids. */
function freeLeases(ctx: Ctx, where: SQL | undefined) {
  return ctx.db.update(import_jobs).set({ lease_until: null, updated_at: ctx.now() }).where(where).returning({ id: import_jobs.id });
}

/** Takes the oldest job that is pending, or running with its lease run out (its worker died), and commits the claim. */
async function claim(ctx: Ctx, leaseMs: number): Promise<Job | undefined> {
  return withTx(ctx, async (tx) => {
    const now = tx.now();
    const [due] = await tx.db
      .select({ id: import_jobs.id })
      .from(import_jobs)
      .where(
        and(
          inArray(import_jobs.status, ['pending', 'running']),
          or(isNull(import_jobs.lease_until), lte(import_jobs.lease_until, now)),
        ),
      )
      .orderBy(import_jobs.created_at, import_jobs.id)
      .limit(1)
      .for('update', { skipLocked: true });
    if (!due) return undefined;
    const [job] = await tx.db
      .update(import_jobs)
      .set({ status: 'running', lease_until: new Date(now.getTime() + leaseMs), started_at: sql`coalesce(${import_jobs.started_at}, ${now.toISOString()}::timestamptz)`, updated_at: now })
      .where(eq(import_jobs.id, due.id))
      .returning();
    return job;
  });
}
