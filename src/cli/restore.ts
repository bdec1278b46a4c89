/**
 * `throughline restore <file>`: puts a backup (src/db/backup.ts) in place of the database, then
 * brings it up to date: the migrations of this version, and the retention policies of today, so
 * that restoring an old backup never brings back rows that have since expired.
 */
import fs from 'node:fs';
import type { Config } from '../config.ts';
import { makeCtx, SYSTEM } from '../core/context.ts';
import { applyRetention } from '../core/privacy/retention.ts';
import { BackupError, detectFormat, restoreEmbedded, restorePostgres } from '../db/backup.ts';
import { openDatabase } from '../db/client.ts';
import { lockDataDir } from '../db/lock.ts';
import type { Logger } from '../logging.ts';
import { openAndMigrate } from '../server.ts';

function readHead(file: string): Uint8Array {
  const fd = fs.openSync(file, 'r');
  try {
    const head = Buffer.alloc(8);
    fs.readSync(fd, head, 0, 8, 0);
    return head;
  } finally {
    fs.closeSync(fd);
  }
}

export async function restoreBackup(config: Config, log: Logger, file: string, opts: { replace: boolean }): Promise<void> {
  if (!fs.existsSync(file)) throw new BackupError(`${file}: no such file`);
  const format = detectFormat(readHead(file));
  if (!format) throw new BackupError(`${file} is not a Throughline backup (neither an embedded database archive nor a pg_dump archive)`);
  if (config.databaseUrl) {
    if (format !== 'pg_dump') throw new BackupError(`${file} is a backup of an embedded database; it restores without DATABASE_URL (into THROUGHLINE_DATA_DIR)`);
    const probe = await openDatabase({ databaseUrl: config.databaseUrl, poolSize: 1 });
    let hasTables: boolean;
    try {
      const [row] = await probe.query<{ n: number }>(`select count(*)::int as n from pg_tables where schemaname = 'public'`);
      hasTables = Number(row?.n ?? 0) > 0;
    } finally {
      await probe.close();
    }
    await restorePostgres(config.databaseUrl, file, { replace: opts.replace, hasTables });
    console.log(`Restored ${file} into the PostgreSQL database.`);
  } else {
    if (format !== 'pglite') throw new BackupError(`${file} is a pg_dump archive; it restores into PostgreSQL (set DATABASE_URL)`);
    if (opts.replace) throw new BackupError('--replace is for PostgreSQL; the embedded database is always replaced (the current one is kept beside it)');
    // Refused while a server holds the directory: the message names it.
    const lock = lockDataDir(config.dataDir);
    try {
      const { previous } = await restoreEmbedded(new Uint8Array(fs.readFileSync(file)), config.dataDir, new Date());
      console.log(`Restored ${file} into ${config.dataDir}.${previous ? ` The database it replaced is kept in ${previous}; delete it when you no longer need it.` : ''}`);
    } finally {
      lock.release();
    }
  }
  const { database } = await openAndMigrate(config, log);
  try {
    const run = await applyRetention(makeCtx(database.db, { actor: SYSTEM, ...(config.timeZone ? { timeZone: config.timeZone } : {}) }), { operation: 'restore' });
    console.log(`Retention applied to the restored data: ${JSON.stringify(run)}`);
  } finally {
    await database.close();
  }
}
