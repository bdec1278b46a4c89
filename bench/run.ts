/**
 * `npm run bench`: the list page, bulk load and cold start benchmarks (see bench/README.md).
 * Servers under test run as child processes; the load comes from this process. Everything
 * it creates (a PostgreSQL database, a temporary PGlite directory, child processes) is
 * removed on the way out, also after a failure, Ctrl-C or the overall time limit.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { openDatabase, type Database } from '../src/db/client.ts';
import { migrateDatabase } from '../src/db/migrate.ts';
import { seedScale } from '../src/demo/scale.ts';
import { MAX_SEGMENT } from '../src/core/sales/campaigns.ts';
import { countContacts, copyRows, postBulk, resetContacts, type BulkRun } from './bulk.ts';
import { coldStartOnce } from './cold-start.ts';
import { bulkBodies, bulkCsvChunks, listSql, seedContactsSql } from './data.ts';
import { median, runList, type ListResult } from './list.ts';
import { ROOT, startServerChild, stopAll, type ServerChild } from './procs.ts';
import { mcpLatency, type McpRun } from './mcp.ts';
import { webBench, type WebRun } from './web.ts';
import { marketingBench, median as medianOf, type MarketingRun } from './marketing.ts';
import { privacyBench, type PrivacyRun } from './privacy.ts';
import { faultBench, type FaultRun } from './fault.ts';
import { CLASSES as LOAD_CLASSES, loadReport, loadRounds, loadSeedNote, loadSeedOptions, seedLoad, summariseLoad, type Klass, type LoadIds, type LoadRun } from './load.ts';
import { startFakeLlm, type FakeLlm } from '../test/fake-llm.ts';
import { copyUsage, ingestUsage, newUsageRows, reportLatency, seedDelivery, type IngestRun, type ReportRun } from './usage.ts';
import { dashboardLatency, explainInsights, seedInsights, type DashboardRun, type InsightPlan, type InsightsSeed, type Stats } from './insights.ts';

// ---------------------------------------------------------------------------
// Settings (environment)

const int = (name: string, dflt: number, min = 0) => {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return dflt;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be an integer ≥ ${min}, not ${raw}`);
  return n;
};

const insightsContacts = int('BENCH_INSIGHTS_CONTACTS', 1_000_000, 1_000);
const S = {
  databaseUrl: process.env.BENCH_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres',
  listRows: int('BENCH_LIST_ROWS', 100_000, 100),
  seconds: int('BENCH_DURATION', 10, 1),
  warmup: int('BENCH_WARMUP', 2, 0),
  connections: int('BENCH_CONNECTIONS', 20, 1),
  rounds: int('BENCH_ROUNDS', 2, 1),
  bulkRows: int('BENCH_BULK_ROWS', 200_000, 1),
  bulkBatch: int('BENCH_BULK_BATCH', 5_000, 1),
  bulkStreams: (process.env.BENCH_BULK_STREAMS || '1,2').split(',').map((s) => Number(s.trim())).filter((n) => Number.isInteger(n) && n > 0),
  coldRuns: int('BENCH_COLD_RUNS', 3, 1),
  only: new Set((process.env.BENCH_ONLY || 'list,bulk,cold,usage,mcp,web,marketing,insights,privacy,load,fault').split(',').map((s) => s.trim())),
  usageRows: int('BENCH_USAGE_ROWS', 10_000_000, 1_000),
  usageEngagements: int('BENCH_USAGE_ENGAGEMENTS', 200, 1),
  ingestRows: int('BENCH_INGEST_ROWS', 200_000, 1),
  ingestBatch: int('BENCH_INGEST_BATCH', 10_000, 1),
  reports: int('BENCH_REPORTS', 400, 10),
  mcpCalls: int('BENCH_MCP_CALLS', 400, 10),
  webCompanies: int('BENCH_WEB_COMPANIES', 5_000, 100),
  webRuns: int('BENCH_WEB_RUNS', 5, 1),
  webDir: process.env.BENCH_WEB_DIR ? path.resolve(process.env.BENCH_WEB_DIR) : undefined,
  marketingLeads: int('BENCH_MARKETING_LEADS', 50_000, 100),
  marketingRuns: int('BENCH_MARKETING_RUNS', 3, 1),
  marketingPerfCalls: int('BENCH_MARKETING_PERF_CALLS', 50, 5),
  marketingResearchCalls: int('BENCH_MARKETING_RESEARCH_CALLS', 30, 5),
  privacyContacts: int('BENCH_PRIVACY_CONTACTS', 100_000, 100),
  privacyUsage: int('BENCH_PRIVACY_USAGE', 1_000_000, 1_000),
  privacyRuns: int('BENCH_PRIVACY_RUNS', 5, 1),
  loadBackends: (process.env.BENCH_LOAD_BACKENDS || 'pglite,postgres').split(',').map((s) => s.trim()).filter(Boolean) as ('pglite' | 'postgres')[],
  loadConnections: (process.env.BENCH_LOAD_CONNECTIONS || '20,100').split(',').map((s) => Number(s.trim())),
  loadRounds: int('BENCH_LOAD_ROUNDS', 2, 1),
  loadSeconds: int('BENCH_LOAD_DURATION', 15, 1),
  loadWarmup: int('BENCH_LOAD_WARMUP', 3, 0),
  loadSeed: loadSeedOptions(int('BENCH_LOAD_CONTACTS', 500_000, 1_000), int('BENCH_LOAD_USAGE', 1_000_000, 1_000)),
  /** Classes left out of the load mix (list, get, write, follow_ups, report). */
  loadSkip: (process.env.BENCH_LOAD_SKIP || '').split(',').map((s) => s.trim()).filter(Boolean) as Klass[],
  loadDrainS: int('BENCH_LOAD_DRAIN_S', 60, 1),
  faultCycles: int('BENCH_FAULT_CYCLES', 100, 1),
  faultBackends: (process.env.BENCH_FAULT_BACKENDS || 'pglite,postgres').split(',').map((s) => s.trim()).filter(Boolean) as ('pglite' | 'postgres')[],
  insightsContacts,
  insightsUsage: int('BENCH_INSIGHTS_USAGE', 10_000_000, 1_000),
  /** Leads and deals default to contacts ÷ 5 and contacts ÷ 50 (200,000 and 20,000 at full size). */
  insightsLeads: int('BENCH_INSIGHTS_LEADS', Math.ceil(insightsContacts / 5), 10),
  insightsDeals: int('BENCH_INSIGHTS_DEALS', Math.ceil(insightsContacts / 50), 10),
  insightsRounds: int('BENCH_INSIGHTS_ROUNDS', 30, 3),
  insightsWarmup: int('BENCH_INSIGHTS_WARMUP', 3, 0),
  /** BENCH_USAGE_PGLITE=0 skips the PGlite half of the usage phase (its 10M-row seed takes minutes). */
  usagePglite: process.env.BENCH_USAGE_PGLITE !== '0',
  cpuProfDir: process.env.BENCH_CPU_PROF ? path.resolve(process.env.BENCH_CPU_PROF) : undefined,
  timeoutS: int('BENCH_TIMEOUT_S', 1200, 10),
  /** Extra SQL run on both bench databases after seeding, to try e.g. an index without touching src/. */
  setupSql: process.env.BENCH_SETUP_SQL || undefined,
};
if (S.bulkBatch > 10_000) throw new Error('BENCH_BULK_BATCH must be at most 10,000 (the API refuses larger batches)');

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]', '']);
const started = performance.now();
for (const k of S.loadSkip) if (!LOAD_CLASSES.includes(k)) throw new Error(`BENCH_LOAD_SKIP: unknown class ${k} (${LOAD_CLASSES.join(', ')})`);
for (const b of S.loadBackends) if (b !== 'pglite' && b !== 'postgres') throw new Error(`BENCH_LOAD_BACKENDS: unknown database ${b}`);
for (const b of S.faultBackends) if (b !== 'pglite' && b !== 'postgres') throw new Error(`BENCH_FAULT_BACKENDS: unknown database ${b}`);
for (const c of S.loadConnections) if (!Number.isInteger(c) || c < 1) throw new Error(`BENCH_LOAD_CONNECTIONS: ${c} is not a client count`);
const loadAtStart = os.loadavg()[0]!.toFixed(2);
let stopping = false;
const progress = (msg: string) => !stopping && console.log(`· [${((performance.now() - started) / 1000).toFixed(0).padStart(3)} s] ${msg}`);

// ---------------------------------------------------------------------------
// Cleanup: children by pid, the bench database, the temporary directory

type BenchDb = 'list' | 'usage' | 'mcp' | 'marketing' | 'insights' | 'privacy' | 'load';
/** The PostgreSQL databases this run created, by phase, to drop on the way out. */
const benchDbNames: Partial<Record<BenchDb, string>> = {};
let tmpDir: string | undefined;
/** The marketing phase's fake language model server (in this process), closed on the way out. */
let fakeLlm: FakeLlm | undefined;
let cleaning: Promise<void> | undefined;

async function dropBenchDatabase(which: BenchDb = 'list'): Promise<void> {
  const name = benchDbNames[which];
  if (!name) return;
  const admin = new pg.Client({ connectionString: S.databaseUrl });
  try {
    await admin.connect();
    await admin.query(`drop database if exists ${name} with (force)`);
    delete benchDbNames[which];
  } catch (e) {
    console.error(`could not drop the bench database ${name}: ${(e as Error).message}; drop it by hand`);
  } finally {
    await admin.end().catch(() => {});
  }
}

function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    await stopAll();
    await fakeLlm?.close().catch(() => {});
    fakeLlm = undefined;
    for (const which of Object.keys(benchDbNames) as BenchDb[]) await dropBenchDatabase(which);
    if (tmpDir) fs.rmSync(tmpDir, { recursive: true, force: true });
  })();
  return cleaning;
}

for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    stopping = true;
    console.error(`\n${sig}: stopping the benchmark and cleaning up…`);
    void cleanup().finally(() => process.exit(130));
  });
}
const watchdog = setTimeout(() => {
  stopping = true;
  console.error(`The benchmark ran past BENCH_TIMEOUT_S=${S.timeoutS} s; stopping and cleaning up.`);
  void cleanup().finally(() => process.exit(1));
}, S.timeoutS * 1000);
watchdog.unref();

// ---------------------------------------------------------------------------
// Query plan notes: why a list page costs what it costs

type PlanNode = { 'Node Type': string; 'Index Name'?: string; 'Scan Direction'?: string; Plans?: PlanNode[] };

async function planOf(database: Database, sqlText: string): Promise<string> {
  let out = '';
  for (let i = 0; i < 3; i++) {
    const rows = await database.query<{ 'QUERY PLAN': unknown }>(`explain (analyze, format json) ${sqlText.replace('$1', '21')}`);
    const raw = rows[0]!['QUERY PLAN'];
    const doc = (typeof raw === 'string' ? JSON.parse(raw) : raw) as { Plan: PlanNode; 'Execution Time': number }[];
    const names: string[] = [];
    for (let n: PlanNode | undefined = doc[0]!.Plan; n; n = n.Plans?.[0]) {
      const dir = n['Scan Direction'] === 'Backward' ? ' Backward' : '';
      names.push(`${n['Node Type']}${dir}${n['Index Name'] ? ` (${n['Index Name']})` : ''}`);
    }
    out = `${names.join(' > ')}: ${doc[0]!['Execution Time'].toFixed(2)} ms`;
  }
  return out;
}

const plans: string[] = [];
async function notePlans(database: Database, label: string) {
  plans.push(`${`${label},`.padEnd(12)}the API's query: ${await planOf(database, listSql())}`);
}

let seedSource = '';

/**
 * Creates the contacts the list query pages through: the project's scale generator
 * (src/demo/scale.ts), or with BENCH_SEED=own the bench's own generate_series seed
 * (bench/data.ts), which spreads created_at over weeks and archives 2%.
 */
async function seed(database: Database, label: string) {
  const t0 = performance.now();
  if (process.env.BENCH_SEED !== 'own') {
    await seedScale(database, { contacts: S.listRows, usageRows: 0, engagements: 0 });
    seedSource = 'seedScale() from src/demo/scale.ts';
  } else {
    await database.query(seedContactsSql(S.listRows));
    seedSource = 'bench/data.ts (generate_series)';
  }
  if (S.setupSql) await database.query(S.setupSql);
  await database.query('analyze contacts');
  progress(
    `${label}: seeded ${S.listRows.toLocaleString('en')} contacts with ${seedSource} in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
}

// ---------------------------------------------------------------------------
// Phases

type Results = {
  pgVersion?: string;
  pgSkipped?: string;
  pgList?: ListResult;
  pgliteList?: ListResult;
  bulk?: { copy: BulkRun; api: BulkRun[]; bodyBytes: number };
  cold?: number[];
  usage?: { pgIngest?: { copy: IngestRun; api: IngestRun }; reports: ReportRun[]; seedS: Record<string, number> };
  mcp?: McpRun[];
  web?: WebRun;
  marketing?: MarketingRun[];
  privacy?: PrivacyRun[];
  load?: { runs: LoadRun[]; seeded: string[] };
  fault?: FaultRun[];
  insights?: { seed?: InsightsSeed; run?: DashboardRun; plans?: InsightPlan[]; leads: number; deals: number };
};
const R: Results = {};

async function preparePglite(): Promise<string> {
  tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'throughline-bench-'));
  const dataDir = path.join(tmpDir, 'data');
  const t0 = performance.now();
  const database = await openDatabase({ dataDir });
  try {
    await migrateDatabase(database);
    progress(`PGlite: migrated ${dataDir} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    await seed(database, 'PGlite');
    await notePlans(database, 'PGlite');
  } finally {
    await database.close();
  }
  return dataDir;
}

/**
 * Creates (dropping any leftover) and migrates throughline_bench[_usage]_<pid> on the
 * PostgreSQL server, then runs `fill` on it; undefined (with the reason noted) when
 * PostgreSQL is not there.
 */
async function createPostgres(which: BenchDb, fill: (database: Database) => Promise<void>): Promise<string | undefined> {
  const adminUrl = new URL(S.databaseUrl);
  if (!LOOPBACK.has(adminUrl.hostname) && !adminUrl.searchParams.get('host')?.startsWith('/')) {
    throw new Error(`BENCH_DATABASE_URL must point at this machine (127.0.0.1, localhost or ::1), not ${adminUrl.hostname}`);
  }
  const admin = new pg.Client({ connectionString: S.databaseUrl, connectionTimeoutMillis: 5_000 });
  try {
    await admin.connect();
  } catch (e) {
    R.pgSkipped = `PostgreSQL at ${adminUrl.host} is not reachable (${(e as Error).message})`;
    progress(`${R.pgSkipped}: skipping the PostgreSQL benchmarks`);
    await admin.end().catch(() => {});
    return undefined;
  }
  const name = `throughline_bench_${which === 'list' ? '' : `${which}_`}${process.pid}`;
  try {
    R.pgVersion = (await admin.query<{ server_version: string }>('show server_version')).rows[0]!.server_version;
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.query(`create database ${name}`);
    benchDbNames[which] = name;
  } finally {
    await admin.end();
  }
  const url = new URL(S.databaseUrl);
  url.pathname = `/${name}`;
  const dbUrl = url.toString();
  const database = await openDatabase({ databaseUrl: dbUrl, poolSize: 2 });
  try {
    await migrateDatabase(database);
    progress(`PostgreSQL ${R.pgVersion}: created and migrated ${name}`);
    await fill(database);
  } finally {
    await database.close();
  }
  return dbUrl;
}

const preparePostgres = () =>
  createPostgres('list', async (database) => {
    await seed(database, 'PostgreSQL');
    await notePlans(database, 'PostgreSQL');
  });

const listOpts = (label: string, apiKey: string) => ({ rounds: S.rounds, seconds: S.seconds, warmup: S.warmup, connections: S.connections, label, apiKey });
const base = (port: number) => `http://127.0.0.1:${port}`;

async function postgresPhases(dbUrl: string) {
  let server: ServerChild | undefined = await startServerChild({ BENCH_BACKEND: 'postgres', BENCH_DB_URL: dbUrl }, S.cpuProfDir);
  try {
    const api = base(server.ready.api);
    if (S.only.has('list')) {
      R.pgList = await runList(api, base(server.ready.bare), listOpts('PostgreSQL list', server.ready.key), progress);
    }
    if (S.only.has('bulk')) {
      const t0 = performance.now();
      const bodies = bulkBodies(S.bulkRows, S.bulkBatch);
      const csv = bulkCsvChunks(S.bulkRows, S.bulkBatch);
      const bodyBytes = Math.max(...bodies.map((b) => Buffer.byteLength(b)));
      progress(
        `bulk: generated ${S.bulkRows.toLocaleString('en')} rows (${bodies.length} bodies of ≤ ${(bodyBytes / 1024).toFixed(0)} KiB) in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
      );
      // One untimed batch each way first, so neither side is timed on a cold path.
      const warmRows = Math.min(S.bulkBatch, S.bulkRows);
      await resetContacts(dbUrl);
      await copyRows(dbUrl, [csv[0]!], warmRows);
      await resetContacts(dbUrl);
      await postBulk(api, server.ready.key, [bodies[0]!], warmRows, 1);

      await resetContacts(dbUrl);
      const copy = await copyRows(dbUrl, csv, S.bulkRows);
      if ((await countContacts(dbUrl)) !== S.bulkRows) throw new Error('COPY did not load every row');
      progress(`bulk: ${copy.label}: ${copy.rowsPerSec.toFixed(0)} rows/s (${(copy.ms / 1000).toFixed(2)} s)`);
      const apiRuns: BulkRun[] = [];
      for (const streams of S.bulkStreams) {
        await resetContacts(dbUrl);
        const run = await postBulk(api, server.ready.key, bodies, S.bulkRows, streams);
        if ((await countContacts(dbUrl)) !== S.bulkRows) throw new Error('the bulk API did not create every row');
        apiRuns.push(run);
        progress(`bulk: ${run.label}: ${run.rowsPerSec.toFixed(0)} rows/s (${(run.ms / 1000).toFixed(2)} s)`);
      }
      R.bulk = { copy, api: apiRuns, bodyBytes };
    }
    await server.stop();
    server = undefined;
  } finally {
    await server?.stop();
  }
  await dropBenchDatabase();
}

async function pglitePhases(dataDir: string) {
  if (S.only.has('list')) {
    const server = await startServerChild({ BENCH_BACKEND: 'pglite', BENCH_PGLITE_DIR: dataDir }, S.cpuProfDir);
    try {
      R.pgliteList = await runList(base(server.ready.api), base(server.ready.bare), listOpts('PGlite list', server.ready.key), progress);
    } finally {
      await server.stop();
    }
  }
  if (S.only.has('cold')) {
    const runs: number[] = [];
    for (let i = 0; i < S.coldRuns; i++) {
      const ms = await coldStartOnce(dataDir);
      runs.push(ms);
      progress(`cold start ${i + 1}: ${(ms / 1000).toFixed(2)} s to the first /healthz`);
    }
    R.cold = runs;
  }
}

// ---------------------------------------------------------------------------
// Usage ingestion and the monthly report (bench/usage.ts)

const USAGE_CONTACTS_PER_ENGAGEMENT = 50;

/** Seeds one database for the usage phase: seedScale's usage and rollup, then every other report section. */
async function seedUsage(database: Database, label: string): Promise<number> {
  const t0 = performance.now();
  const E = S.usageEngagements;
  await seedScale(database, {
    contacts: E * USAGE_CONTACTS_PER_ENGAGEMENT,
    usageRows: S.usageRows,
    engagements: E,
    onProgress: (m) => progress(`${label} usage seed: ${m}`),
  });
  await seedDelivery(database, E, E);
  const s = (performance.now() - t0) / 1000;
  progress(`${label}: ${fmt(S.usageRows)} ai_usage rows over ${E} engagements with every report section in ${fmt(s, 1)} s`);
  return s;
}

async function usagePostgres(): Promise<void> {
  const dbUrl = await createPostgres('usage', async (database) => {
    R.usage!.seedS.PostgreSQL = await seedUsage(database, 'PostgreSQL');
  });
  if (!dbUrl) return;
  let server: ServerChild | undefined = await startServerChild({ BENCH_BACKEND: 'postgres', BENCH_DB_URL: dbUrl }, S.cpuProfDir);
  try {
    const api = base(server.ready.api);
    R.usage!.reports.push(await reportLatency(api, server.ready.key, 'PostgreSQL', S.usageEngagements, S.reports));
    progress(`report: PostgreSQL p95 ${ms(R.usage!.reports.at(-1)!.p95)} ms`);
    const E = S.usageEngagements;
    // Warm both paths on rows of their own, then time each on the same number of fresh rows.
    await copyUsage(dbUrl, newUsageRows(Math.min(5_000, S.ingestRows), E, E, 'warm-copy').csv);
    await ingestUsage(api, server.ready.key, newUsageRows(Math.min(S.ingestBatch, S.ingestRows), E, E, 'warm-api').items, S.ingestBatch);
    const copy = await copyUsage(dbUrl, newUsageRows(S.ingestRows, E, E, 'copy').csv);
    progress(`ingest: ${copy.label}: ${fmt(copy.rowsPerSec)} rows/s`);
    const apiRun = await ingestUsage(api, server.ready.key, newUsageRows(S.ingestRows, E, E, 'api').items, S.ingestBatch);
    progress(`ingest: ${apiRun.label}: ${fmt(apiRun.rowsPerSec)} rows/s`);
    R.usage!.pgIngest = { copy, api: apiRun };
    await server.stop();
    server = undefined;
  } finally {
    await server?.stop();
  }
  await dropBenchDatabase('usage');
}

async function usagePglite(): Promise<void> {
  tmpDir ??= fs.mkdtempSync(path.join(os.tmpdir(), 'throughline-bench-'));
  const dataDir = path.join(tmpDir, 'usage');
  const database = await openDatabase({ dataDir });
  try {
    await migrateDatabase(database);
    R.usage!.seedS.PGlite = await seedUsage(database, 'PGlite');
  } finally {
    await database.close();
  }
  const server = await startServerChild({ BENCH_BACKEND: 'pglite', BENCH_PGLITE_DIR: dataDir }, S.cpuProfDir);
  try {
    R.usage!.reports.push(await reportLatency(base(server.ready.api), server.ready.key, 'PGlite', S.usageEngagements, S.reports));
    progress(`report: PGlite p95 ${ms(R.usage!.reports.at(-1)!.p95)} ms`);
  } finally {
    await server.stop();
  }
  fs.rmSync(dataDir, { recursive: true, force: true });
}

/** The MCP call against REST and the core, in this process, on PostgreSQL and on an in-memory PGlite. */
async function mcpPhase(): Promise<void> {
  R.mcp = [];
  let database: Database | undefined;
  const dbUrl = await createPostgres('mcp', async () => {});
  if (dbUrl) {
    database = await openDatabase({ databaseUrl: dbUrl, poolSize: 10 });
    try {
      R.mcp.push(await mcpLatency(database, 'PostgreSQL', S.mcpCalls, progress));
    } finally {
      await database.close();
      await dropBenchDatabase('mcp');
    }
  }
  database = await openDatabase({ memory: true });
  try {
    await migrateDatabase(database);
    R.mcp.push(await mcpLatency(database, 'PGlite', S.mcpCalls, progress));
  } finally {
    await database.close();
  }
}

/** Erasure and retention against bare baselines (bench/privacy.ts), on PostgreSQL and on-disk PGlite. */
async function privacyPhase(): Promise<void> {
  R.privacy = [];
  const opts = { contacts: S.privacyContacts, usageRows: S.privacyUsage, runs: S.privacyRuns };
  const dbUrl = await createPostgres('privacy', async () => {});
  if (dbUrl) {
    const database = await openDatabase({ databaseUrl: dbUrl, poolSize: 4 });
    try {
      R.privacy.push(await privacyBench(database, 'PostgreSQL', opts, progress));
    } finally {
      await database.close();
      await dropBenchDatabase('privacy');
    }
  }
  tmpDir ??= fs.mkdtempSync(path.join(os.tmpdir(), 'throughline-bench-'));
  const database = await openDatabase({ dataDir: path.join(tmpDir, 'privacy') });
  try {
    await migrateDatabase(database);
    R.privacy.push(await privacyBench(database, 'PGlite', opts, progress));
  } finally {
    await database.close();
  }
}

/** Campaign targets, campaign performance and assistant research against bare baselines (bench/marketing.ts), on PostgreSQL and on-disk PGlite. */
async function marketingPhase(): Promise<void> {
  R.marketing = [];
  const opts = { leads: S.marketingLeads, runs: S.marketingRuns, perfCalls: S.marketingPerfCalls, researchCalls: S.marketingResearchCalls };
  // A fake model server of its own for each database: PGlite's work blocks this event loop
  // for seconds, and a keep-alive connection left from the previous part can be closed by the
  // fake just as fetch reuses it (ECONNRESET, which the core reports as an unreachable model).
  const withFake = async (label: string, database: Database) => {
    fakeLlm = await startFakeLlm();
    try {
      R.marketing!.push(await marketingBench(database, label, opts, fakeLlm, progress));
    } finally {
      await fakeLlm?.close().catch(() => {});
      fakeLlm = undefined;
    }
  };
  const dbUrl = await createPostgres('marketing', async () => {});
  if (dbUrl) {
    const database = await openDatabase({ databaseUrl: dbUrl, poolSize: 4 });
    // Ctrl-C or the time limit drops this database (with force) while a query may be in flight:
    // the checked-out client's connection error must not end the process before the cleanup does.
    const guarded = new WeakSet<object>();
    database.pool?.on('acquire', (client) => {
      if (guarded.has(client)) return;
      guarded.add(client);
      client.on('error', () => {});
    });
    try {
      await withFake('PostgreSQL', database);
    } finally {
      await database.close();
      await dropBenchDatabase('marketing');
    }
  }
  tmpDir ??= fs.mkdtempSync(path.join(os.tmpdir(), 'throughline-bench-'));
  const dataDir = path.join(tmpDir, 'marketing');
  const database = await openDatabase({ dataDir });
  try {
    await migrateDatabase(database);
    await withFake('PGlite', database);
  } finally {
    await database.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * Ctrl-C or the time limit drops a database (with force) while a seed statement or an EXPLAIN may
 * be running on a checked-out client: its connection error must not end the process before the
 * cleanup does.
 */
function guardConnections(database: Database): void {
  const guarded = new WeakSet<object>();
  database.pool?.on('acquire', (client) => {
    if (guarded.has(client)) return;
    guarded.add(client);
    client.on('error', () => {});
  });
}

/**
 * The insights dashboard (bench/insights.ts) on a PostgreSQL database of its own
 * (throughline_bench_insights_<pid>): seed, time the dashboard through a server child, then
 * EXPLAIN the SQL each insight runs, captured in this process. The database is dropped at the end.
 */
async function insightsPhase(): Promise<void> {
  R.insights = { leads: S.insightsLeads, deals: S.insightsDeals };
  const seedOpts = {
    contacts: S.insightsContacts,
    usageRows: S.insightsUsage,
    engagements: S.usageEngagements,
    leads: S.insightsLeads,
    deals: S.insightsDeals,
    setupSql: S.setupSql,
  };
  const dbUrl = await createPostgres('insights', async (database) => {
    guardConnections(database);
    const t0 = performance.now();
    R.insights!.seed = await seedInsights(database, seedOpts, progress);
    progress(`insights: seeded in ${fmt((performance.now() - t0) / 1000, 1)} s`);
  });
  if (!dbUrl) return;
  let server: ServerChild | undefined = await startServerChild({ BENCH_BACKEND: 'postgres', BENCH_DB_URL: dbUrl }, S.cpuProfDir);
  try {
    R.insights.run = await dashboardLatency(base(server.ready.api), server.ready.key, { rounds: S.insightsRounds, warmup: S.insightsWarmup }, progress);
    progress(`insights: dashboard (90 days) p95 ${ms(R.insights.run.total90.p95)} ms, (365 days) p95 ${ms(R.insights.run.total365.p95)} ms`);
    await server.stop();
    server = undefined;
  } finally {
    await server?.stop();
  }
  const database = await openDatabase({ databaseUrl: dbUrl, poolSize: 4 });
  guardConnections(database);
  try {
    R.insights.plans = await explainInsights(database);
  } finally {
    await database.close();
    await dropBenchDatabase('insights');
  }
}

/** The load mix (bench/load.ts) at each client count, on a PGlite directory and a PostgreSQL database of its own. */
async function loadPhase(): Promise<void> {
  const L: NonNullable<Results['load']> = (R.load = { runs: [], seeded: [] });
  const plan = { connections: S.loadConnections, rounds: S.loadRounds, seconds: S.loadSeconds, warmupSeconds: S.loadWarmup, skip: S.loadSkip, drainS: S.loadDrainS, cpuProfDir: S.cpuProfDir };
  const seed = async (database: Database, label: string): Promise<LoadIds> => {
    const t0 = performance.now();
    await migrateDatabase(database);
    const { ids } = await seedLoad(database, S.loadSeed, (m) => /(done|interactions| in )/.test(m) && progress(`${label} load seed: ${m}`));
    L.seeded.push(`${label} ${fmt((performance.now() - t0) / 1000)} s`);
    return ids;
  };
  if (S.loadBackends.includes('pglite')) {
    tmpDir ??= fs.mkdtempSync(path.join(os.tmpdir(), 'throughline-bench-'));
    const dataDir = path.join(tmpDir, 'load');
    const database = await openDatabase({ dataDir });
    let ids: LoadIds;
    try {
      ids = await seed(database, 'PGlite');
    } finally {
      await database.close();
    }
    try {
      L.runs.push(...(await loadRounds('pglite', { BENCH_BACKEND: 'pglite', BENCH_PGLITE_DIR: dataDir }, ids, plan, progress)));
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }
  if (S.loadBackends.includes('postgres')) {
    const made: { ids?: LoadIds } = {};
    const dbUrl = await createPostgres('load', async (database) => {
      guardConnections(database);
      made.ids = await seed(database, 'PostgreSQL');
    });
    if (dbUrl && made.ids) {
      try {
        L.runs.push(...(await loadRounds('postgres', { BENCH_BACKEND: 'postgres', BENCH_DB_URL: dbUrl }, made.ids, plan, progress)));
      } finally {
        await dropBenchDatabase('load');
      }
    }
  }
}

/** SIGKILL cycles of the real server under writes (bench/fault.ts), on PGlite and on PostgreSQL. */
async function faultPhase(): Promise<void> {
  R.fault = [];
  for (const backend of S.faultBackends) {
    if (backend === 'postgres' && R.pgSkipped) continue;
    R.fault.push(await faultBench({ backend, databaseUrl: S.databaseUrl, cycles: S.faultCycles, log: progress }));
  }
}

// ---------------------------------------------------------------------------
// Report

const fmt = (n: number, digits = 0) => n.toLocaleString('en', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const ms = (n: number) => (n < 10 ? fmt(n, 1) : fmt(n));
const verdict = (ok: boolean) => (ok ? 'PASS' : 'MISS');

function table(rows: string[][], right: boolean[]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows
    .map((r) => r.map((c, i) => (right[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd())
    .join('\n');
}

const INSIGHTS_TARGET_MS = 200;

/** Section 8: per-query latencies, the dashboard's total per round against the target, and the baseline. */
function insightsReport(out: string[], targets: string[][]): void {
  const { run, seed } = R.insights!;
  if (!run) return;
  const st = (x: Stats) => [ms(x.p50), ms(x.p95), ms(x.max)];
  out.push('');
  out.push(
    `8. Insights dashboard on PostgreSQL: ${fmt(S.insightsContacts)} contacts, ${fmt(S.insightsUsage)} ai_usage rows, ${fmt(R.insights!.leads)} leads, ` +
      `${fmt(R.insights!.deals)} deals${seed ? `, ${fmt(seed.rows.status_history ?? 0)} status_history rows (seeded in ${fmt(Object.values(seed.seconds).reduce((a, b) => a + b, 0))} s)` : ''}; ` +
      `through the server child with an admin API key, 1 client, ${run.rounds} rounds after ${S.insightsWarmup} untimed; load average at the first timed round ${run.load}`,
  );
  const rows: string[][] = [['request', 'p50 ms', 'p95 ms', 'max ms']];
  for (const q of run.perQuery) rows.push([q.label, ...st(q.stats)]);
  rows.push(['GET /api/v1/auth/me (baseline, one request)', ...st(run.baselineEach)]);
  out.push(table(rows, [false, true, true, true]));
  const totals: string[][] = [['per round, sequential', 'p50 ms', 'p95 ms', 'max ms', 'p50 / baseline', `p95 < ${INSIGHTS_TARGET_MS} ms`]];
  const ratio = (x: Stats) => `${fmt(x.p50 / run.baselineTotal.p50, 1)}×`;
  totals.push(['the 6 dashboard insights, default 90 days', ...st(run.total90), ratio(run.total90), verdict(run.total90.p95 < INSIGHTS_TARGET_MS)]);
  totals.push(['the 6 dashboard insights, 365 days', ...st(run.total365), ratio(run.total365), verdict(run.total365.p95 < INSIGHTS_TARGET_MS)]);
  totals.push(['baseline: 6 × GET /api/v1/auth/me', ...st(run.baselineTotal), '1.0×', '']);
  out.push(table(totals, [false, true, true, true, true, false]));
  if (seed) {
    out.push(`   seed: ${Object.entries(seed.seconds).map(([k, v]) => `${k} ${fmt(v, 1)} s`).join(', ')}`);
    out.push(`   rows: ${Object.entries(seed.rows).map(([k, v]) => `${k} ${fmt(v)}`).join(', ')}`);
  }
  if (run.sanity.length) out.push(`   answers (90 days / aggregates): ${run.sanity.join('; ')}`);
  for (const f of run.failures) out.push(`   NOT MEASURED: ${f}`);
  const missing = run.failures.length ? ' (some insights not measured)' : '';
  targets.push(['8a', `insights: 6 dashboard queries (90 days) p95 < ${INSIGHTS_TARGET_MS} ms`, `${ms(run.total90.p95)} ms${missing}`, verdict(!missing && run.total90.p95 < INSIGHTS_TARGET_MS)]);
  targets.push(['8b', `insights: 6 dashboard queries (365 days) p95 < ${INSIGHTS_TARGET_MS} ms`, `${ms(run.total365.p95)} ms${missing}`, verdict(!missing && run.total365.p95 < INSIGHTS_TARGET_MS)]);
  // The other reading of the issue's target: each dashboard (a tab of /insights, one request) on its own.
  for (const [id, group, days] of [['8c', 'dash90', '90 days'], ['8d', 'dash365', '365 days']] as const) {
    const worst = run.perQuery.filter((q) => q.group === group).reduce<{ label: string; p95: number } | undefined>((w, q) => (!w || q.stats.p95 > w.p95 ? { label: q.label, p95: q.stats.p95 } : w), undefined);
    if (worst) targets.push([id, `insights: each dashboard alone (${days}) p95 < ${INSIGHTS_TARGET_MS} ms`, `${ms(worst.p95)} ms (slowest: ${worst.label.split(',')[0]})${missing}`, verdict(!missing && worst.p95 < INSIGHTS_TARGET_MS)]);
  }
}

function insightPlansReport(out: string[], plans: InsightPlan[]): void {
  out.push('', 'Insight query plans: the slowest statement of each insight, captured from the core in this process and run under EXPLAIN (ANALYZE, BUFFERS):');
  for (const p of plans) {
    out.push(
      '',
      `  ${p.insight} (${p.request}): ${fmt(p.slowestMs, 1)} ms of ${p.statements} statements (the request's statements together ${fmt(p.requestMs, 1)} ms)`,
      `    sql: ${p.sql.length > 400 ? `${p.sql.slice(0, 400)}…` : p.sql}`,
      `    JIT: ${p.jit ?? 'not used'}; seq scans ≥ 1,000 rows: ${p.seqScans.length ? p.seqScans.join('; ') : 'none'}`,
      `    most own time: ${p.heaviest.join('; ')}`,
      ...p.lines.map((l) => `    | ${l}`),
    );
  }
}

function report(): string {
  const out: string[] = [];
  const pgliteVersion = (JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules/@electric-sql/pglite/package.json'), 'utf8')) as { version: string }).version;
  out.push('== Throughline benchmarks ==');
  out.push(
    `${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ` +
      `PostgreSQL ${R.pgVersion ?? '(not run)'}, PGlite ${pgliteVersion}; ${new Date().toISOString().slice(0, 16)}Z`,
  );
  out.push(
    `load average (1 min) before the run: ${loadAtStart} (the bench itself adds 2-4 while it runs; ` +
      `a high figure before it means other work competed for the 2 cores and the figures are skewed)`,
  );

  const targets: string[][] = [['#', 'target', 'measured', 'result']];
  const errorsOf = (l: ListResult) => l.api.errors + l.api.non2xx + l.bare.errors + l.bare.non2xx;

  if (R.pgList || R.pgliteList) {
    out.push('');
    out.push(
      `1. List page: GET /api/v1/contacts?limit=20 (sort -created_at) over ${fmt(S.listRows)} seeded contacts, ` +
        `${S.connections} connections, ${S.rounds} alternating rounds of ${S.seconds} s after ${S.warmup} s warm-up; medians. Seed: ${seedSource}`,
    );
    const rows: string[][] = [['database', 'server', 'req/s', 'p50 ms', 'p99 ms', 'API/bare req/s', 'API/bare p99', 'errors']];
    for (const [label, l] of [['PostgreSQL', R.pgList], ['PGlite', R.pgliteList]] as const) {
      if (!l) continue;
      rows.push([label, 'bare', fmt(l.bare.rps), ms(l.bare.p50), ms(l.bare.p99), '', '', String(l.bare.errors + l.bare.non2xx)]);
      rows.push([
        '',
        'API',
        fmt(l.api.rps),
        ms(l.api.p50),
        ms(l.api.p99),
        `${fmt((l.api.rps / l.bare.rps) * 100)}%`,
        `${fmt(l.api.p99 / l.bare.p99, 2)}×`,
        String(l.api.errors + l.api.non2xx),
      ]);
    }
    out.push(table(rows, [false, false, true, true, true, true, true, true]));
    const perRun = (l: ListResult) =>
      (['bare', 'api'] as const).map((s) => `${s} ${l.runs[s].map((r) => `${fmt(r.rps)}/${ms(r.p99)}`).join(', ')}`).join('; ');
    if (R.pgList) out.push(`   PostgreSQL runs (req/s / p99 ms): ${perRun(R.pgList)}`);
    if (R.pgliteList) out.push(`   PGlite runs (req/s / p99 ms):     ${perRun(R.pgliteList)}`);
    for (const [label, l] of [['PostgreSQL', R.pgList], ['PGlite', R.pgliteList]] as const) {
      if (l && !l.identical) out.push(`   ${label}: same rows in the same order; the JSON bodies differ in formatting only`);
    }
    if (R.pgList) {
      const l = R.pgList;
      const e = errorsOf(l) > 0 ? ' (with errors)' : '';
      targets.push(['1a', 'PostgreSQL list: API req/s ≥ 75% of bare', `${fmt((l.api.rps / l.bare.rps) * 100)}%${e}`, verdict(!e && l.api.rps >= 0.75 * l.bare.rps)]);
      targets.push(['1b', 'PostgreSQL list: API p99 ≤ 1.5× bare p99', `${fmt(l.api.p99 / l.bare.p99, 2)}×${e}`, verdict(!e && l.api.p99 <= 1.5 * l.bare.p99)]);
    }
    if (R.pgliteList) {
      const l = R.pgliteList;
      const e = errorsOf(l) > 0 ? ' (with errors)' : '';
      targets.push(['1c', `PGlite list: API p99 < 100 ms at ${S.connections} clients`, `${ms(l.api.p99)} ms${e}`, verdict(!e && l.api.p99 < 100)]);
    }
  }

  if (R.bulk) {
    const b = R.bulk;
    out.push('');
    out.push(
      `2. Bulk create: ${fmt(S.bulkRows)} contacts on PostgreSQL, API requests of ${fmt(S.bulkBatch)} rows ` +
        `(≤ ${fmt(b.bodyBytes / 1024)} KiB each) vs COPY of the same rows as CSV; each run on an emptied table`,
    );
    const rows: string[][] = [['path', 'requests', 'seconds', 'rows/s', 'of COPY']];
    rows.push([b.copy.label, String(b.copy.requests), fmt(b.copy.ms / 1000, 2), fmt(b.copy.rowsPerSec), '100%']);
    for (const r of b.api) rows.push([r.label, String(r.requests), fmt(r.ms / 1000, 2), fmt(r.rowsPerSec), `${fmt((r.rowsPerSec / b.copy.rowsPerSec) * 100)}%`]);
    out.push(table(rows, [false, true, true, true, true]));
    const first = b.api[0];
    if (first) {
      targets.push([
        '2',
        `bulk: API rows/s ≥ 50% of COPY (${first.label.replace('API bulk, ', '')})`,
        `${fmt((first.rowsPerSec / b.copy.rowsPerSec) * 100)}%`,
        verdict(first.rowsPerSec >= 0.5 * b.copy.rowsPerSec),
      ]);
    }
  }

  if (R.cold) {
    const m = median(R.cold);
    out.push('');
    out.push(
      `3. Cold start: node bin/throughline.js serve on an existing PGlite directory (${fmt(S.listRows)} contacts) to its first /healthz: ` +
        `median ${fmt(m / 1000, 2)} s (runs: ${R.cold.map((x) => fmt(x / 1000, 2)).join(', ')} s)`,
    );
    targets.push(['3', `cold start < 2 s (median of ${R.cold.length})`, `${fmt(m / 1000, 2)} s`, verdict(m < 2000)]);
  }

  if (R.usage) {
    const u = R.usage;
    out.push('');
    out.push(
      `4. Usage and the monthly report: ${fmt(S.usageRows)} ai_usage rows over ${S.usageEngagements} engagements (seeded in ` +
        `${Object.entries(u.seedS).map(([k, v]) => `${k} ${fmt(v)} s`).join(', ')}), each engagement with 40 tasks measured monthly, 60 tickets, ` +
        '8 training sessions, 200 work entries, 13 invoices, 20 licences and 3 tools',
    );
    if (u.pgIngest) {
      const { copy, api } = u.pgIngest;
      const rows: string[][] = [['ingest (PostgreSQL, into the full table)', 'requests', 'seconds', 'rows/s', 'of COPY']];
      rows.push([copy.label, String(copy.requests), fmt(copy.ms / 1000, 2), fmt(copy.rowsPerSec), '100%']);
      rows.push([api.label, String(api.requests), fmt(api.ms / 1000, 2), fmt(api.rowsPerSec), `${fmt((api.rowsPerSec / copy.rowsPerSec) * 100)}%`]);
      out.push(table(rows, [false, true, true, true, true]));
      targets.push(['4a', 'ingest: API rows/s ≥ 50% of COPY', `${fmt((api.rowsPerSec / copy.rowsPerSec) * 100)}%`, verdict(api.rowsPerSec >= 0.5 * copy.rowsPerSec)]);
    }
    const rows: string[][] = [['monthly report (JSON, every section), 1 client', 'requests', 'p50 ms', 'p95 ms', 'p99 ms', 'mean ms']];
    for (const r of u.reports) rows.push([r.label, String(r.requests), ms(r.p50), ms(r.p95), ms(r.p99), ms(r.mean)]);
    out.push(table(rows, [false, true, true, true, true, true]));
    for (const r of u.reports) {
      const limit = r.label === 'PostgreSQL' ? 25 : 60;
      targets.push([r.label === 'PostgreSQL' ? '4b' : '4c', `${r.label} monthly report p95 < ${limit} ms`, `${ms(r.p95)} ms`, verdict(r.p95 < limit)]);
    }
  }

  if (R.mcp?.length) {
    out.push('');
    out.push(
      `5. MCP call overhead: the same operation through the core alone, the REST API and the MCP server (streamable HTTP, SDK client), ` +
        `${fmt(S.mcpCalls)} calls each, taking turns, 1 client, in this process; read = one company by id, write = one note`,
    );
    const rows: string[][] = [['database', 'path', 'read p50 ms', 'read p95 ms', 'write p50 ms', 'write p95 ms', 'p50 vs REST (read / write)']];
    for (const m of R.mcp) {
      for (const name of ['core', 'rest', 'mcp'] as const) {
        const p = m[name];
        rows.push([
          name === 'core' ? m.label : '',
          name === 'core' ? 'core (invoke)' : name === 'rest' ? 'REST' : 'MCP',
          ms(p.read.p50),
          ms(p.read.p95),
          ms(p.write.p50),
          ms(p.write.p95),
          `${fmt(p.read.p50 / m.rest.read.p50, 2)}× / ${fmt(p.write.p50 / m.rest.write.p50, 2)}×`,
        ]);
      }
    }
    out.push(table(rows, [false, false, true, true, true, true, true]));
  }

  if (R.web) {
    const w = R.web;
    const kb = (n: number) => fmt(n / 1024, 1);
    out.push('');
    out.push('6. Web app: first-load JavaScript and CSS (the built index.html\'s script, modulepreloads and stylesheets, gzip -9), and the pipeline board');
    const rows: string[][] = [['file', 'loaded', 'KiB', 'gzip KiB']];
    for (const a of w.assets) rows.push([a.file, a.kind === 'lazy' ? 'with the board' : `first (${a.kind})`, kb(a.bytes), kb(a.gzip)]);
    rows.push(['first load, total', '', kb(w.firstLoad.bytes), kb(w.firstLoad.gzip)]);
    out.push(table(rows, [false, false, true, true]));
    const b = w.board;
    out.push(
      `   Companies board, ${fmt(b.companies)} companies over ${b.columns} columns on in-memory PGlite, headless Chromium, medians of ${b.runs} loads: ` +
        `navigation to every count and every column's first cards ${ms(median(b.renderMs))} ms (runs ${b.renderMs.map(ms).join(', ')}; ` +
        `session and schema answered at ${ms(median(b.milestones.signedIn))} ms, the counts at ${ms(median(b.milestones.counts))} ms, the last column's first page at ${ms(median(b.milestones.cards))} ms); ` +
        `the longest column (${b.longest.key}, ${fmt(b.longest.count)}) scrolled to its end ${ms(median(b.scrollMs))} ms (runs ${b.scrollMs.map(ms).join(', ')}); ` +
        `card nodes in the DOM ${fmt(median(b.cardsAfterRender))} after the first render, ${fmt(median(b.cardsAfterScroll))} at the end of the scroll (of ${fmt(b.companies)})`,
    );
    targets.push(['6', 'web: first-load JS + CSS gzipped < 300 KB', `${kb(w.firstLoad.gzip)} KiB`, verdict(w.firstLoad.gzip < 300 * 1024)]);
  }

  if (R.marketing?.length) {
    out.push('');
    out.push(
      `7. Marketing: the core in this process (invoke, local administrator) against a bare baseline doing the same work with the driver or fetch, ` +
        `taking turns; ${fmt(S.marketingLeads)} seeded leads; medians; ratio = core / bare`,
    );
    const rows: string[][] = [['database', 'what (core)', 'baseline (bare)', 'runs', 'median ms', 'bare median ms', 'ratio', 'core − bare ms']];
    for (const m of R.marketing) {
      const line = (what: string, bare: string, p: { core: number[]; bare: number[] }, first: boolean) => {
        const c = medianOf(p.core);
        const b = medianOf(p.bare);
        rows.push([first ? `${m.label} (load ${m.load})` : '', what, bare, String(p.core.length), ms(c), ms(b), `${fmt(c / b, 2)}×`, ms(c - b)]);
      };
      line(`campaigns.add_targets, segment of ${fmt(m.segment.matched)} leads`, 'insert … select + status_history, 1 tx', m.addTargets, true);
      line(`campaigns.performance, ${fmt(m.performance.targets)} targets, ${m.performance.periods} periods`, 'group by status', m.performance, false);
      line(`assistant.research, fake model answering at once`, `fetch of the same ${fmt(m.research.promptBytes / 1024, 1)} KiB body`, m.research, false);
    }
    out.push(table(rows, [false, false, false, true, true, true, true, true]));
    for (const m of R.marketing) {
      const r = m.research;
      const same = r.logsWritten === r.callsMade && r.researchWritten === r.callsMade;
      out.push(
        `   ${m.label}: segment = leads in ${m.segment.statuses.join('/')} with score ≥ ${m.segment.minScore} (cap ${fmt(MAX_SEGMENT)}); ` +
          `add_targets runs ${m.addTargets.core.map((x) => fmt(x)).join(', ')} ms, bare ${m.addTargets.bare.map((x) => fmt(x)).join(', ')} ms; ` +
          `research: ${r.callsMade} calls wrote ${r.logsWritten} llm_usage_logs and ${r.researchWritten} prospect_research rows${same ? ' (one each per call)' : ' (NOT one each per call)'}`,
      );
    }
  }

  if (R.privacy?.length) {
    out.push('');
    out.push(
      `9. Privacy: the core in this process (invoke, local administrator) against a bare baseline doing the unavoidable part with the driver, ` +
        `taking turns; ${fmt(S.privacyContacts)} contacts, ${fmt(S.privacyUsage)} usage rows; medians; ratio = core / bare`,
    );
    const rows: string[][] = [['database', 'what (core)', 'baseline (bare)', 'runs', 'median ms', 'bare median ms', 'ratio']];
    for (const p of R.privacy) {
      const line = (what: string, bare: string, v: { core: number[]; bare: number[] }, first: boolean) => {
        const c = medianOf(v.core);
        const b = medianOf(v.bare);
        rows.push([first ? `${p.label} (load ${p.load})` : '', what, bare, String(v.core.length), ms(c), ms(b), `${fmt(c / b, 2)}×`]);
      };
      line(`privacy.erase_contact (${fmt(medianOf(p.erase.rowsErased))} rows erased, scrub of ${p.columns} columns in ${p.tables} tables)`, 'the scrub\'s search alone, read-only', p.erase, true);
      line(`privacy.retention_run, ${fmt(p.retention.events)} analytics events due`, 'delete … where created_at < cutoff', p.retention, false);
    }
    out.push(table(rows, [false, false, false, true, true, true, true]));
    for (const p of R.privacy) {
      out.push(`   ${p.label}: erase runs ${p.erase.core.map((x) => fmt(x)).join(', ')} ms, bare ${p.erase.bare.map((x) => fmt(x)).join(', ')} ms; retention purged ${p.retention.purged.join(', ')} per run`);
    }
  }

  if (R.insights?.run) insightsReport(out, targets);

  if (R.load?.runs.length) {
    const { runs, seeded } = R.load;
    const settings = S.loadBackends
      .flatMap((b) => S.loadConnections.map((c) => runs.filter((r) => r.backend === b && r.connections === c)))
      .filter((rs) => rs.length > 0)
      .map(summariseLoad);
    const section = loadReport(settings, { id: '10', seconds: S.loadSeconds, warmup: S.loadWarmup, seedNote: loadSeedNote(S.loadSeed, seeded, S.loadSkip) });
    out.push('', ...section.lines);
    targets.push(...section.targets);
  }

  if (R.fault?.length) {
    out.push('', `11. Crash safety: ${S.faultCycles} SIGKILL cycles of \`throughline serve\` under 8 concurrent writers, each restart read back, the whole database checked at the end (bench/fault.ts, test/fault.ts)`);
    const rows = [['database', 'seed', 'cycles', 'acknowledged checked', 'lost', 'half-done', 'failed opens', 'problems', 'restart to healthy p50 / max ms', 'acknowledged per cycle p50']];
    for (const f of R.fault) {
      rows.push([f.backend, String(f.seed), String(f.cycles), fmt(f.acknowledgedChecked), String(f.writesLost), String(f.halfDone), String(f.failedOpens), String(f.problems), `${fmt(f.medianRestartMs)} / ${fmt(f.maxRestartMs)}`, fmt(f.medianAckedPerCycle)]);
      targets.push([`11${f.backend === 'pglite' ? 'a' : 'b'}`, `crash safety, ${f.backend}: no acknowledged write lost, nothing half-done, every restart opens`, `${f.writesLost} lost, ${f.halfDone} half-done, ${f.failedOpens} failed opens`, verdict(f.writesLost + f.halfDone + f.failedOpens + f.problems === 0 && f.cycles === S.faultCycles)]);
      for (const finding of f.findings) out.push(`   ${f.backend}: ${finding}`);
    }
    out.push(table(rows, [false, true, true, true, true, true, true, true, true, true]));
  }

  if (S.setupSql) out.push('', `BENCH_SETUP_SQL was run on both databases after seeding: ${S.setupSql}`);
  if (R.pgSkipped) out.push('', `PostgreSQL benchmarks skipped: ${R.pgSkipped}`);
  out.push('', 'Targets', table(targets, [false, false, true, false]));
  if (plans.length) out.push('', 'List query plans (EXPLAIN ANALYZE after seeding):', ...plans.map((p) => `  ${p}`));
  if (R.insights?.plans?.length) insightPlansReport(out, R.insights.plans);
  if (S.cpuProfDir) out.push('', `CPU profiles of the server processes: ${S.cpuProfDir}`);
  out.push('', `total ${fmt((performance.now() - started) / 1000)} s`);
  return out.join('\n');
}

// ---------------------------------------------------------------------------

async function main() {
  progress(
    `settings: ${S.listRows.toLocaleString('en')} list rows, ${S.connections} connections, ${S.rounds}×(${S.warmup}+${S.seconds}) s per side, ` +
      `${S.bulkRows.toLocaleString('en')} bulk rows in batches of ${S.bulkBatch}, phases ${[...S.only].join(',')}`,
  );
  if (S.cpuProfDir) fs.mkdirSync(S.cpuProfDir, { recursive: true });
  const needPglite = S.only.has('list') || S.only.has('cold');
  const needPg = S.only.has('list') || S.only.has('bulk');
  const dataDir = needPglite ? await preparePglite() : undefined;
  const dbUrl = needPg ? await preparePostgres() : undefined;
  if (dbUrl) await postgresPhases(dbUrl);
  if (dataDir) await pglitePhases(dataDir);
  if (S.only.has('usage')) {
    R.usage = { reports: [], seedS: {} };
    await usagePostgres();
    if (S.usagePglite) await usagePglite();
  }
  if (S.only.has('mcp')) await mcpPhase();
  if (S.only.has('web')) R.web = await webBench({ companies: S.webCompanies, runs: S.webRuns, webDir: S.webDir }, progress);
  if (S.only.has('marketing')) await marketingPhase();
  if (S.only.has('privacy')) await privacyPhase();
  if (S.only.has('insights')) await insightsPhase();
  if (S.only.has('load')) await loadPhase();
  if (S.only.has('fault')) await faultPhase();
  console.log(`\n${report()}`);
}

let exitCode = 0;
try {
  await main();
} catch (e) {
  console.error('\nThe benchmark failed:', e instanceof Error ? (e.stack ?? e.message) : e);
  exitCode = 1;
} finally {
  await cleanup();
}
process.exit(exitCode);
