/**
 * Applies the retention policies (core/privacy/retention.ts) in the background: a first time
 * shortly after start, then every 6 hours. A run removes at most one batch per policy; while a
 * run removed something it answers how many, so the worker runs it again at its next tick and
 * a backlog drains batch by batch; a run that found nothing waits for the next period. Each
 * policy that removed something is logged in one line with its counts (the audit log has the
 * ids), never personal data; a failing policy, or a subject that could not be erased, is logged by id and the
 * others still run.
 */
import type { Ctx } from '../core/context.ts';
import { applyRetention, RETENTION_POLICIES } from '../core/privacy/retention.ts';
import type { Drain, WorkerLog } from './worker.ts';

export type RetentionDrainOptions = {
  /** Time between runs once nothing is left to remove (default 6 hours). */
  intervalMs?: number;
  /** Delay before the first run after start, so it never competes with the start (default 1 minute). */
  firstAfterMs?: number;
  /** How often the worker asks whether a run is due (default 1 minute); each ask costs nothing until one is. */
  everyMs?: number;
  log?: WorkerLog;
};

export const RETENTION_INTERVAL_MS = 6 * 3_600_000;

const VERB = { delete: 'deleted', clear: 'cleared', erase: 'erased' } as const;

export function retentionDrain(opts: RetentionDrainOptions = {}): Drain {
  const interval = opts.intervalMs ?? RETENTION_INTERVAL_MS;
  const firstAfter = opts.firstAfterMs ?? 60_000;
  const log: WorkerLog = opts.log ?? { info: (m) => console.log(m), error: (m, e) => console.error(m, e) };
  let nextAt: number | undefined;

  return {
    name: 'retention',
    everyMs: opts.everyMs ?? 60_000,
    async run(ctx: Ctx) {
      const now = ctx.now().getTime();
      nextAt ??= now + firstAfter;
      if (now < nextAt) return 0;
      const result = await applyRetention(ctx, {
        operation: 'worker.retention',
        onError: (policy, err) => log.error(`Retention: policy ${policy} failed (it will run again)`, err),
      });
      for (const p of result.policies) {
        for (const f of p.failed) log.error(`Retention: ${p.policy} could not erase ${f.table} ${f.id} (it will be tried again)`, f.error);
        if (!p.purged) continue;
        const sources = RETENTION_POLICIES.find((x) => x.key === p.policy)?.sources ?? [];
        const what = Object.entries(p.tables)
          .map(([table, n]) => `${VERB[sources.find((s) => s.table === table)?.action ?? 'delete']} ${n} ${table}`)
          .join(', ');
        log.info(`Retention: ${p.policy} ${what} (older than ${p.days} days, cutoff ${p.cutoff}; ${p.remaining} still due)`);
      }
      // Nothing removed: the next run is a period away. Something removed: the worker runs this
      // again at its next tick, which removes the next batch or finds nothing and waits.
      if (!result.purged) nextAt = now + interval;
      return result.purged;
    },
  };
}

