/**
 * Starts Throughline: open the database, migrate, load demo data on first start, make sure
 * someone can sign in, serve, stop cleanly.
 */
import fs from 'node:fs';
import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { serve } from '@hono/node-server';
import { createApp } from './api/app.ts';
import { createMetrics } from './api/metrics.ts';
import { ConfigError, isLoopback, parseSecretKey, type Config } from './config.ts';
import { makeCtx, SYSTEM, type Runtime } from './core/context.ts';
import { ensureFirstAdmin, ensureOperatorKey, privateCredentialsExist } from './core/identity/bootstrap.ts';
import { randomToken } from './core/identity/crypto.ts';
import { pruneExpired } from './core/platform/maintenance.ts';
import { recomputeAllHealth } from './core/sales/health.ts';
import type { IdentityConfig } from './core/identity/options.ts';
import { DEMO_CREDENTIALS } from './demo/credentials.ts';
import { backupFileName, dumpEmbedded, dumpPostgres, scheduleBackups } from './db/backup.ts';
import { openDatabase, type Database } from './db/client.ts';
import { migrateDatabase } from './db/migrate.ts';
import { workerDrains } from './worker/drains.ts';
import type { Logger } from './logging.ts';
import { releaseOrphanedImports } from './worker/import-drain.ts';
import { startWorker } from './worker/worker.ts';

/** What the core needs of the configuration to reach outside the instance. */
export const runtimeOf = (config: Config): Runtime => ({
  environment: config.environment,
  publicUrl: config.publicUrl,
  allowPrivateTargets: config.webhookAllowPrivate,
  llm: config.llm,
});

/** A backup of this process's database, taken now (system.backup). */
export async function backupNow(config: Config, database: Database) {
  const now = new Date();
  if (database.kind === 'pglite') {
    return { kind: 'download' as const, content_type: 'application/gzip', filename: backupFileName(now, 'pglite'), body: await dumpEmbedded(database.pglite!) };
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'throughline-backup-'));
  try {
    const file = path.join(dir, backupFileName(now, 'pg_dump'));
    await dumpPostgres(config.databaseUrl!, file);
    return { kind: 'download' as const, content_type: 'application/octet-stream', filename: path.basename(file), body: new Uint8Array(fs.readFileSync(file)) };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Stops accepting connections and waits for the requests in flight. A kept-alive connection
 * is closed as soon as it is idle; one still busy after DRAIN_MS is cut.
 */
const DRAIN_MS = 10_000;
async function drainConnections(server: http.Server): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  const idle = setInterval(() => server.closeIdleConnections(), 100);
  const cut = setTimeout(() => server.closeAllConnections(), DRAIN_MS);
  server.closeIdleConnections();
  try {
    await closed;
  } finally {
    clearInterval(idle);
    clearTimeout(cut);
  }
}

/** True when no migration has ever run here: a brand-new database. */
async function isFresh(database: Database): Promise<boolean> {
  const rows = await database.query<{ exists: boolean }>(
    `select to_regclass('drizzle.__drizzle_migrations') is not null as exists`,
  );
  return !rows[0]?.exists;
}

export async function openAndMigrate(config: Config, log: Logger): Promise<{ database: Database; fresh: boolean }> {
  const database = await openDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    poolSize: config.poolSize,
  });
  try {
    const fresh = await isFresh(database);
    await migrateDatabase(database);
    log.info(`Database ready (${database.kind === 'pglite' ? `embedded, ${config.dataDir}` : 'PostgreSQL'})`);
    return { database, fresh };
  } catch (e) {
    await database.close().catch(() => {});
    throw e;
  }
}

/** Only the owner may read or write it. Written whole or not at all (a temporary file, then rename). */
function writePrivateFile(file: string, text: string) {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, text, { mode: 0o600 });
  fs.chmodSync(tmp, 0o600);
  fs.renameSync(tmp, file);
}

function readTrimmed(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8').trim() || undefined;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

export const secretKeyFile = (dataDir: string) => path.join(dataDir, 'secret.key');
/** The local operator's API key, for the CLI on this machine (see src/cli/main.ts). */
export const cliKeyFile = (dataDir: string) => path.join(dataDir, 'cli.key');

/**
 * The instance secret key: THROUGHLINE_SECRET_KEY, else (embedded database only) the one kept
 * in <dataDir>/secret.key, made on first start. Call with the data directory locked.
 */
export function instanceSecretKey(config: Config, database: Database): Buffer | undefined {
  if (config.secretKey) return config.secretKey;
  if (database.kind !== 'pglite') return undefined;
  const file = secretKeyFile(config.dataDir);
  const existing = readTrimmed(file);
  if (existing === undefined) {
    const key = randomToken(32);
    writePrivateFile(file, `${key}\n`);
    return parseSecretKey(key);
  }
  const key = parseSecretKey(existing);
  if (!key) throw new ConfigError(`${file} does not hold a valid secret key (32 bytes, base64). Restore it from a backup: without it, second factors cannot be checked.`);
  return key;
}

/** What sign-in needs from the configuration and the instance. */
export function identityConfig(config: Config, database: Database): IdentityConfig {
  const secretKey = instanceSecretKey(config, database);
  return { requireAdminTotp: config.requireAdminTotp, ...(secretKey ? { secretKey } : {}) };
}

/** How often expired sign-in counters, sessions and idempotency keys are removed, and every company's health is brought up to date. */
const HOUSEKEEPING_EVERY_MS = 6 * 3_600_000;

export type RunningServer = {
  url: string;
  database: Database;
  /** Set when this start made the first administrator: the password is shown this once. */
  firstAdmin?: { email: string; password: string };
  close(): Promise<void>;
};

export async function startServer(config: Config, log: Logger): Promise<RunningServer> {
  if (config.databaseUrl && !config.secretKey) {
    throw new ConfigError(
      'THROUGHLINE_SECRET_KEY is required with DATABASE_URL: it encrypts second-factor secrets and every server of this database needs the same one. Make one with: openssl rand -base64 32',
    );
  }
  const { database, fresh } = await openAndMigrate(config, log);
  let identity: IdentityConfig;
  let firstAdmin: { email: string; password: string } | null = null;
  try {
    identity = identityConfig(config, database);
    if (fresh && database.kind === 'pglite' && config.seedDemo === 'auto') {
      log.info('First start: loading demo data…');
      const { seedDemo } = await import('./demo/seed.ts');
      const { counts } = await seedDemo(makeCtx(database.db, config.timeZone ? { timeZone: config.timeZone } : {}), { demoPasswords: true });
      log.info(`Demo data loaded: ${counts.companies ?? 0} companies, ${counts.contacts ?? 0} contacts, ${counts.interactions ?? 0} interactions.`);
    }
    const ctx = makeCtx(database.db, { actor: SYSTEM, identity });
    // Beyond this machine, someone must be able to sign in with a password that is not published.
    if (!isLoopback(config.host) && !(await privateCredentialsExist(ctx, DEMO_CREDENTIALS))) {
      throw new ConfigError(
        `HOST=${config.host} refused: nobody can sign in with a password of their own yet, so Throughline only listens on loopback (127.0.0.1, localhost or ::1). ` +
          'Create an administrator first (throughline user create --email you@example.com --name "Your Name" --role admin), or give the demo users passwords of their own (throughline users set-password).',
      );
    }
    firstAdmin = await ensureFirstAdmin(ctx, identity);
    if (database.kind === 'pglite') {
      // This process holds the data directory: an import left running was a dead process's.
      const freed = await releaseOrphanedImports(ctx);
      if (freed > 0) log.info(`Resuming ${freed} import(s) interrupted by the last stop`);
      const file = cliKeyFile(config.dataDir);
      const current = readTrimmed(file);
      const operator = await ensureOperatorKey(ctx, current);
      if (operator?.created) writePrivateFile(file, `${operator.key}\n`);
      else if (!operator && current) fs.rmSync(file, { force: true });
    }
  } catch (e) {
    await database.close().catch(() => {});
    throw e;
  }
  const runtime: Runtime = { ...runtimeOf(config), backup: () => backupNow(config, database) };
  const metrics = createMetrics(database, { process: true });
  const lifecycle = { draining: false };
  const app = createApp({
    database,
    metrics,
    lifecycle,
    metricsToken: config.metricsToken,
    trustedProxies: config.trustedProxies,
    accessLog: (fields) => log.info('request', fields),
    bodyLimitBytes: config.bodyLimitBytes,
    bulkBodyLimitBytes: config.bulkBodyLimitBytes,
    timeZone: config.timeZone,
    identity,
    rateLimit: config.rateLimit,
    log: (msg, err, fields) => log.error(msg, err, fields),
    runtime,
  });
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, hostname: config.host, port: config.port }, () => resolve(s));
    s.once('error', reject);
  }).catch(async (e) => {
    await database.close().catch(() => {});
    throw e;
  });
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  const url = `http://${host}:${addr.port}`;
  database.announce?.(url);
  const backups =
    database.kind === 'pglite' && database.pglite && config.backup.everyHours > 0
      ? scheduleBackups({ pglite: database.pglite, dir: config.backup.dir, everyMs: config.backup.everyHours * 3_600_000, keep: config.backup.keep, log })
      : undefined;
  let housework: Promise<unknown> = Promise.resolve();
  const housekeeping = () =>
    (housework = (async () => {
      const ctx = makeCtx(database.db, { actor: SYSTEM, ...(config.timeZone ? { timeZone: config.timeZone } : {}) });
      await pruneExpired(ctx);
      // Health depends on time passing (days since the last touch, this month's usage), not only on writes.
      await recomputeAllHealth(ctx);
    })().catch((e: unknown) => log.error('Housekeeping failed (it will run again)', e)));
  // The first round waits a minute, so it never competes with the start itself.
  const first = setTimeout(() => void housekeeping(), 60_000);
  first.unref();
  const timer = setInterval(() => void housekeeping(), HOUSEKEEPING_EVERY_MS);
  timer.unref();
  // Outbox, webhooks, digests: worked in this process unless a separate worker does it (THROUGHLINE_WORKER=off).
  const worker = config.worker === 'on' ? startWorker({ database, drains: workerDrains(config, log), log, onDrainFailed: metrics.drainFailed, identity, timeZone: config.timeZone, runtime: { ...runtime, publicUrl: runtime.publicUrl ?? url } }) : undefined;
  let closing: Promise<void> | undefined;
  return {
    url,
    database,
    ...(firstAdmin ? { firstAdmin } : {}),
    close() {
      closing ??= (async () => {
        // Not ready from now on: /readyz and any new request answer 503 (connection closed) while
        // those in flight finish. Still listening for the grace period, so a load balancer's next
        // health check hears it and stops sending, rather than finding the port shut.
        lifecycle.draining = true;
        clearTimeout(first);
        clearInterval(timer);
        backups?.stop();
        await new Promise((resolve) => setTimeout(resolve, config.shutdownGraceSeconds * 1000));
        await drainConnections(server as unknown as http.Server);
        await worker?.stop();
        await housework;
        // Checkpoint (embedded) and close.
        await database.close();
      })();
      return closing;
    },
  };
}

/**
 * `throughline worker`: the background work alone (outbox, webhooks, digests), beside servers
 * started with THROUGHLINE_WORKER=off. PostgreSQL only: the embedded database admits one
 * process, whose server runs the worker itself.
 */
export async function startWorkerProcess(config: Config, log: Logger): Promise<{ stop(): Promise<void> }> {
  if (!config.databaseUrl) {
    throw new ConfigError('throughline worker runs beside servers of a PostgreSQL database (set DATABASE_URL): the embedded database admits one process, and its server runs the worker itself.');
  }
  if (!config.secretKey) {
    throw new ConfigError('THROUGHLINE_SECRET_KEY is required with DATABASE_URL: the worker unseals webhook secrets with the same key as the servers. Make one with: openssl rand -base64 32');
  }
  const { database } = await openAndMigrate(config, log);
  const identity = identityConfig(config, database);
  const worker = startWorker({ database, drains: workerDrains(config, log), log, identity, timeZone: config.timeZone, runtime: runtimeOf(config), delayMs: 0 });
  log.info(`Throughline worker running: the email outbox${config.smtp.url ? '' : ' (no THROUGHLINE_SMTP_URL: mail waits)'}, webhook deliveries and daily digests`);
  return {
    async stop() {
      await worker.stop();
      await database.close();
    },
  };
}
