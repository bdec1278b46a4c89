/**
 * The load benchmark (bench/load.ts) on its own: `node bin/run-ts.js bench/load-run.ts`.
 *
 * For each database: a fresh one (PostgreSQL `throughline_load_<pid>` at BENCH_DATABASE_URL, or a
 * PGlite directory under the system's temporary directory), migrated and seeded here, then a
 * server child (bench/server.ts) on it, the mix checked once, and BENCH_LOAD_ROUNDS rounds, each
 * running every client count of BENCH_LOAD_CONNECTIONS in turn (a warm-up, then the timed run).
 * Prints the table and the targets. Everything it creates (the database, the directory, the
 * child) is removed on the way out, also after a failure, Ctrl-C or BENCH_TIMEOUT_S.
 *
 *   BENCH_LOAD_BACKENDS=pglite,postgres  BENCH_LOAD_CONNECTIONS=20,100  BENCH_LOAD_ROUNDS=2
 *   BENCH_LOAD_DURATION=15  BENCH_LOAD_WARMUP=3  BENCH_LOAD_CONTACTS=500000  BENCH_LOAD_USAGE=1000000
 *   BENCH_LOAD_SKIP=follow_ups (classes left out)  BENCH_LOAD_DRAIN_S=60
 *   BENCH_CPU_PROF=/tmp/prof (server children run with --cpu-prof)
 * A server that has not answered what was in flight BENCH_LOAD_DRAIN_S after a run is
 * overloaded: it is restarted before the next run, and the report says so.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { openDatabase, type Database } from '../src/db/client.ts';
import { migrateDatabase } from '../src/db/migrate.ts';
import { CLASSES, loadReport, loadRounds, loadSeedNote, loadSeedOptions, seedLoad, summariseLoad, type Klass, type LoadIds, type LoadRun } from './load.ts';
import { stopAll } from './procs.ts';

const int = (name: string, dflt: number, min = 0) => {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return dflt;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be an integer ≥ ${min}, not ${raw}`);
  return n;
};
const list = (name: string, dflt: string) => (process.env[name] || dflt).split(',').map((s) => s.trim()).filter(Boolean);

const S = {
  databaseUrl: process.env.BENCH_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres',
  backends: list('BENCH_LOAD_BACKENDS', 'pglite,postgres') as ('pglite' | 'postgres')[],
  connections: list('BENCH_LOAD_CONNECTIONS', '20,100').map(Number),
  rounds: int('BENCH_LOAD_ROUNDS', 2, 1),
  seconds: int('BENCH_LOAD_DURATION', 15, 1),
  warmup: int('BENCH_LOAD_WARMUP', 3, 0),
  seed: loadSeedOptions(int('BENCH_LOAD_CONTACTS', 500_000, 1_000), int('BENCH_LOAD_USAGE', 1_000_000, 1_000), int('BENCH_LOAD_ENGAGEMENTS', 200, 1)),
  /** Classes left out of the mix, e.g. follow_ups while its query is known to take seconds. */
  skip: list('BENCH_LOAD_SKIP', '') as Klass[],
  drainS: int('BENCH_LOAD_DRAIN_S', 60, 1),
  cpuProfDir: process.env.BENCH_CPU_PROF ? path.resolve(process.env.BENCH_CPU_PROF) : undefined,
  timeoutS: int('BENCH_TIMEOUT_S', 3600, 10),
};
for (const b of S.backends) if (b !== 'pglite' && b !== 'postgres') throw new Error(`BENCH_LOAD_BACKENDS: unknown database ${b}`);
for (const k of S.skip) if (!CLASSES.includes(k)) throw new Error(`BENCH_LOAD_SKIP: unknown class ${k} (${CLASSES.join(', ')})`);
for (const c of S.connections) if (!Number.isInteger(c) || c < 1) throw new Error(`BENCH_LOAD_CONNECTIONS: ${c} is not a client count`);

const started = performance.now();
const progress = (msg: string) => console.log(`· [${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s] ${msg}`);
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

// ---------------------------------------------------------------------------
// Cleanup: the child by pid (procs.ts), the database, the directory

let dbName: string | undefined;
let tmpDir: string | undefined;
let cleaning: Promise<void> | undefined;

async function dropDatabase(): Promise<void> {
  if (!dbName) return;
  const admin = new pg.Client({ connectionString: S.databaseUrl });
  try {
    await admin.connect();
    await admin.query(`drop database if exists ${dbName} with (force)`);
    dbName = undefined;
  } catch (e) {
    console.error(`could not drop ${dbName}: ${(e as Error).message}; drop it by hand`);
  } finally {
    await admin.end().catch(() => {});
  }
}

function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    await stopAll();
    await dropDatabase();
    if (tmpDir) fs.rmSync(tmpDir, { recursive: true, force: true });
  })();
  return cleaning;
}
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    console.error(`\n${sig}: stopping and cleaning up…`);
    void cleanup().finally(() => process.exit(130));
  });
}
setTimeout(() => {
  console.error(`ran past BENCH_TIMEOUT_S=${S.timeoutS} s; stopping and cleaning up.`);
  void cleanup().finally(() => process.exit(1));
}, S.timeoutS * 1000).unref();

// ---------------------------------------------------------------------------

async function seedInto(database: Database, label: string): Promise<{ ids: LoadIds; seconds: number }> {
  const t0 = performance.now();
  await migrateDatabase(database);
  const { ids } = await seedLoad(database, S.seed, (m) => progress(`${label}: ${m}`));
  const seconds = (performance.now() - t0) / 1000;
  progress(`${label}: migrated and seeded in ${seconds.toFixed(1)} s`);
  return { ids, seconds };
}

/** A fresh database of the given kind, seeded; the server child's environment for it. */
async function prepare(backend: 'pglite' | 'postgres'): Promise<{ env: Record<string, string>; ids: LoadIds; seconds: number }> {
  if (backend === 'pglite') {
    tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'throughline-load-'));
    const dataDir = path.join(tmpDir, 'data');
    const database = await openDatabase({ dataDir });
    try {
      return { env: { BENCH_BACKEND: 'pglite', BENCH_PGLITE_DIR: dataDir }, ...(await seedInto(database, 'PGlite')) };
    } finally {
      await database.close();
    }
  }
  const admin = new URL(S.databaseUrl);
  if (!LOOPBACK.has(admin.hostname)) throw new Error(`BENCH_DATABASE_URL must point at this machine, not ${admin.hostname}`);
  const name = `throughline_load_${process.pid}`;
  const client = new pg.Client({ connectionString: S.databaseUrl, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    await client.query(`drop database if exists ${name} with (force)`);
    await client.query(`create database ${name}`);
    dbName = name;
  } finally {
    await client.end();
  }
  const url = new URL(S.databaseUrl);
  url.pathname = `/${name}`;
  const database = await openDatabase({ databaseUrl: url.toString(), poolSize: 2 });
  try {
    return { env: { BENCH_BACKEND: 'postgres', BENCH_DB_URL: url.toString() }, ...(await seedInto(database, 'PostgreSQL')) };
  } finally {
    await database.close();
  }
}

async function release(backend: 'pglite' | 'postgres') {
  if (backend === 'postgres') await dropDatabase();
  else if (tmpDir) {
    fs.rmSync(tmpDir, { recursive: true, force: true });
    tmpDir = undefined;
  }
}

async function runBackend(backend: 'pglite' | 'postgres', runs: LoadRun[], seeded: string[]) {
  const { env, ids, seconds } = await prepare(backend);
  seeded.push(`${backend === 'pglite' ? 'PGlite' : 'PostgreSQL'} ${seconds.toFixed(0)} s`);
  try {
    const plan = { connections: S.connections, rounds: S.rounds, seconds: S.seconds, warmupSeconds: S.warmup, skip: S.skip, drainS: S.drainS, cpuProfDir: S.cpuProfDir };
    runs.push(...(await loadRounds(backend, env, ids, plan, progress)));
  } finally {
    await release(backend);
  }
}

async function main() {
  progress(
    `settings: ${S.backends.join(', ')}; clients ${S.connections.join(', ')}; ${S.rounds} round(s) of ${S.warmup}+${S.seconds} s; ` +
      `seed ${JSON.stringify(S.seed)}; load average ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`,
  );
  if (S.cpuProfDir) fs.mkdirSync(S.cpuProfDir, { recursive: true });
  const runs: LoadRun[] = [];
  const seeded: string[] = [];
  for (const backend of S.backends) await runBackend(backend, runs, seeded);
  const settings = S.backends.flatMap((b) => S.connections.map((c) => summariseLoad(runs.filter((r) => r.backend === b && r.connections === c))));
  const { lines, targets } = loadReport(settings, { id: '10', seconds: S.seconds, warmup: S.warmup, seedNote: loadSeedNote(S.seed, seeded, S.skip) });
  console.log(['', ...lines, '', 'Targets', ...targets.map((t) => `  ${t.join('  ')}`)].join('\n'));
  if (S.cpuProfDir) console.log(`\nCPU profiles of the server children: ${S.cpuProfDir}`);
}

let exitCode = 0;
try {
  await main();
} catch (e) {
  console.error('\nThe load benchmark failed:', e instanceof Error ? (e.stack ?? e.message) : e);
  exitCode = 1;
} finally {
  await cleanup();
}
process.exit(exitCode);
