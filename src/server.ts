/** Starts Throughline: open the database, migrate, load demo data on first start, serve, stop cleanly. */
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { createApp } from './api/app.ts';
import type { Config } from './config.ts';
import { makeCtx } from './core/context.ts';
import { openDatabase, type Database } from './db/client.ts';
import { migrateDatabase } from './db/migrate.ts';

export type Logger = { info(msg: string): void; error(msg: string, err?: unknown): void };

export const consoleLogger = (level: Config['logLevel']): Logger => ({
  info: (msg) => {
    if (level === 'info' || level === 'debug') console.log(msg);
  },
  error: (msg, err) => {
    if (level !== 'silent') console.error(msg, err instanceof Error ? (err.stack ?? err.message) : (err ?? ''));
  },
});

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

export type RunningServer = { url: string; database: Database; close(): Promise<void> };

export async function startServer(config: Config, log: Logger): Promise<RunningServer> {
  const { database, fresh } = await openAndMigrate(config, log);
  try {
    if (fresh && database.kind === 'pglite' && config.seedDemo === 'auto') {
      log.info('First start: loading demo data…');
      const { seedDemo } = await import('./demo/seed.ts');
      const { counts } = await seedDemo(makeCtx(database.db, config.timeZone ? { timeZone: config.timeZone } : {}));
      log.info(`Demo data loaded: ${counts.companies ?? 0} companies, ${counts.contacts ?? 0} contacts, ${counts.interactions ?? 0} interactions.`);
    }
  } catch (e) {
    await database.close().catch(() => {});
    throw e;
  }
  const app = createApp({
    database,
    bodyLimitBytes: config.bodyLimitBytes,
    bulkBodyLimitBytes: config.bulkBodyLimitBytes,
    timeZone: config.timeZone,
    log: (msg, err) => log.error(msg, err),
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
  let closing: Promise<void> | undefined;
  return {
    url,
    database,
    close() {
      closing ??= (async () => {
        // Stop accepting, let in-flight requests finish, then checkpoint and close the database.
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          (server as { closeIdleConnections?: () => void }).closeIdleConnections?.();
        });
        await database.close();
      })();
      return closing;
    },
  };
}
