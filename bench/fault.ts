/**
 * The crash-safety benchmark (issue 12): many SIGKILL cycles of the real server under
 * concurrent writes, on PGlite or PostgreSQL, with the checks of test/fault.ts after each
 * restart and on the whole database at the end. What it reports must read "0 lost, 0 half-done,
 * 0 failed opens"; the timings (restart to healthy, writes per cycle) describe the recovery.
 */
import { crashRun, describeRun, faultSeed, faultTarget, median, stopAllServed } from '../test/fault.ts';

export type FaultRun = {
  backend: 'pglite' | 'postgres';
  seed: number;
  /** Cycles completed (kill, restart, read back). */
  cycles: number;
  /** Acknowledged operations checked against the database at the end. */
  acknowledgedChecked: number;
  /** Acknowledged operations missing or not as answered: must be 0. */
  writesLost: number;
  /** Operations found done in part, or counters that disagree with their rows: must be 0. */
  halfDone: number;
  /** Restarts that did not come up serving the data: must be 0. */
  failedOpens: number;
  /** Answers of a live server that were errors, and read-backs that did not match: must be 0. */
  problems: number;
  /** Unanswered prospects sent again after the restart with their Idempotency-Key. */
  retried: number;
  medianRestartMs: number;
  maxRestartMs: number;
  medianAckedPerCycle: number;
  /** The first findings, for the report (all of them are logged). */
  findings: string[];
};

export async function faultBench(opts: { backend: 'pglite' | 'postgres'; databaseUrl?: string; cycles: number; seed?: number; log: (line: string) => void }): Promise<FaultRun> {
  const seed = opts.seed ?? faultSeed();
  const target = await faultTarget(opts.backend, opts.databaseUrl);
  try {
    opts.log(`fault ${opts.backend}: ${opts.cycles} SIGKILL cycles, seed ${seed}`);
    const run = await crashRun({ target, cycles: opts.cycles, seed, log: (l) => opts.log(`fault ${opts.backend}: ${l}`) });
    const findings = [...run.failedOpens, ...run.lost, ...run.halfDone, ...run.problems];
    if (findings.length) opts.log(describeRun(run));
    return {
      backend: opts.backend,
      seed,
      cycles: run.cycles,
      acknowledgedChecked: run.acknowledged,
      writesLost: run.lost.length,
      halfDone: run.halfDone.length,
      failedOpens: run.failedOpens.length,
      problems: run.problems.length,
      retried: run.retried,
      medianRestartMs: median(run.restartMs),
      maxRestartMs: Math.max(0, ...run.restartMs),
      medianAckedPerCycle: median(run.ackedPerCycle),
      findings: findings.slice(0, 10).map((f) => f.slice(0, 300)),
    };
  } finally {
    await stopAllServed();
    await target.dispose();
  }
}
