/**
 * Backups and restores, for both databases.
 *
 * - Embedded (PGlite): the data directory as one gzip tar, taken by PGlite itself
 *   (`dumpDataDir`) after a CHECKPOINT. PGlite runs one statement at a time, so the archive is
 *   taken between statements: a consistent copy of the directory, which starts up as after a
 *   clean shutdown. The server that holds the directory takes it (on a schedule, and when the
 *   CLI asks over the API); without a server the CLI opens the directory itself.
 * - PostgreSQL: `pg_dump --format=custom`, restored with `pg_restore --single-transaction`, so
 *   a restore that fails half-way leaves the target database as it was.
 *
 * A restore is followed by the migrations (a backup may be older than this version) and by the
 * retention policies: data restored from a backup follows today's retention, so a backup never
 * brings back what has since been purged for being too old. What it does bring back (people
 * erased after the backup was taken) is the operator's to handle; the production guide says so.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';

export type BackupFormat = 'pglite' | 'pg_dump';

/** Embedded backups are gzip files; pg_dump's custom format starts with PGDMP. */
export function detectFormat(head: Uint8Array): BackupFormat | undefined {
  if (head[0] === 0x1f && head[1] === 0x8b) return 'pglite';
  if (Buffer.from(head.subarray(0, 5)).toString('latin1') === 'PGDMP') return 'pg_dump';
  return undefined;
}

export class BackupError extends Error {}

/** The embedded database as a gzip tar of its data directory (a consistent copy). */
export async function dumpEmbedded(pglite: PGlite): Promise<Uint8Array> {
  await pglite.exec('CHECKPOINT');
  // Taken while holding PGlite's transaction lock, so no other transaction is half-way through:
  // the archive holds every committed change and nothing else.
  let blob: Blob | undefined;
  await pglite.transaction(async () => {
    blob = await pglite.dumpDataDir('gzip');
  });
  return new Uint8Array(await blob!.arrayBuffer());
}

export type BackupSchedule = { stop(): void };

/**
 * The embedded database's automatic backups: every `everyMs` (counted from the newest backup in
 * `dir`, so a restart does not take one at once), keeping the newest `keep`. Failures are logged
 * and tried again at the next turn.
 */
export function scheduleBackups(opts: {
  pglite: PGlite;
  dir: string;
  everyMs: number;
  keep: number;
  log: { info(msg: string): void; error(msg: string, err?: unknown): void };
  now?: () => Date;
}): BackupSchedule {
  const now = opts.now ?? (() => new Date());
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const next = () => {
    if (stopped) return;
    const newest = listBackups(opts.dir).at(-1)?.at.getTime() ?? 0;
    // At least a minute after start, so the first backup never competes with the start itself.
    const wait = Math.max(60_000, newest + opts.everyMs - now().getTime());
    timer = setTimeout(() => void take(), Math.min(wait, 2_147_000_000));
    timer.unref();
  };
  const take = async () => {
    try {
      const at = now();
      const file = path.join(opts.dir, backupFileName(at, 'pglite'));
      writeAtomically(file, await dumpEmbedded(opts.pglite));
      const gone = rotateBackups(opts.dir, opts.keep);
      opts.log.info(`Backup written: ${file}${gone.length ? ` (${gone.length} older removed, keeping ${opts.keep})` : ''}`);
    } catch (e) {
      opts.log.error('Automatic backup failed (it will be tried again)', e);
    }
    next();
  };
  next();
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}

/** Runs a PostgreSQL client tool; its stderr becomes the error (the URL's password never appears in it). */
function runTool(tool: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(tool, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => {
      if (err.length < 8000) err += d.toString();
    });
    child.on('error', (e: NodeJS.ErrnoException) =>
      reject(new BackupError(e.code === 'ENOENT' ? `${tool} was not found: install the PostgreSQL client tools (Debian: apt-get install postgresql-client) matching your server's version` : `${tool}: ${e.message}`)),
    );
    child.on('close', (code) => (code === 0 ? resolve() : reject(new BackupError(`${tool} failed (exit ${code}): ${err.trim().split('\n').slice(-5).join(' ')}`))));
  });
}

/**
 * The connection for pg_dump and pg_restore, with the password passed in PGPASSWORD rather
 * than on the command line (where `ps` would show it to every user of the machine).
 */
function toolConnection(databaseUrl: string): { args: string[]; env: NodeJS.ProcessEnv } {
  const url = new URL(databaseUrl);
  const env: NodeJS.ProcessEnv = { ...process.env };
  if (url.password) env.PGPASSWORD = decodeURIComponent(url.password);
  url.password = '';
  return { args: ['--dbname', url.toString()], env };
}

/** `pg_dump` of the whole database into `file` (custom format: compressed, restorable table by table). */
export async function dumpPostgres(databaseUrl: string, file: string): Promise<void> {
  const { args, env } = toolConnection(databaseUrl);
  await runTool('pg_dump', ['--format=custom', '--no-owner', '--no-privileges', '--file', file, ...args], env);
}

/**
 * Restores a pg_dump archive into the database, in one transaction. The database must be
 * empty (no tables of ours), unless `replace`: then what is there is dropped first, in the same
 * transaction.
 */
export async function restorePostgres(databaseUrl: string, file: string, opts: { replace: boolean; hasTables: boolean }): Promise<void> {
  if (opts.hasTables && !opts.replace) {
    throw new BackupError('The database already has Throughline tables. Restore into an empty database, or pass --replace to drop what is there first (in the same transaction as the restore).');
  }
  const { args, env } = toolConnection(databaseUrl);
  await runTool('pg_restore', ['--single-transaction', '--exit-on-error', '--no-owner', '--no-privileges', ...(opts.replace ? ['--clean', '--if-exists'] : []), ...args, file], env);
}

const stamp = (d: Date) => d.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');

/** A backup file's name: throughline-<UTC time>.<ext>, so names sort by time. */
export const backupFileName = (now: Date, format: BackupFormat) => `throughline-${stamp(now)}.${format === 'pglite' ? 'tar.gz' : 'dump'}`;
const BACKUP_FILE = /^throughline-\d{8}T\d{6}Z\.(tar\.gz|dump)$/;

/** Writes whole or not at all: a temporary file, then a rename. */
export function writeAtomically(file: string, bytes: Uint8Array): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, bytes, { mode: 0o600 });
  fs.renameSync(tmp, file);
}

/** The backups in a directory, oldest first. */
export function listBackups(dir: string): { file: string; at: Date }[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((n) => BACKUP_FILE.test(n))
    .sort()
    .map((n) => {
      const m = /^throughline-(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z/.exec(n)!;
      return { file: path.join(dir, n), at: new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z`) };
    });
}

/** Keeps the newest `keep` backups of the directory and deletes the rest; answers the files deleted. */
export function rotateBackups(dir: string, keep: number): string[] {
  const all = listBackups(dir);
  const gone = all.slice(0, Math.max(0, all.length - keep)).map((b) => b.file);
  for (const f of gone) fs.rmSync(f, { force: true });
  return gone;
}

/**
 * Replaces the embedded database under `dataDir` with the archive's. The archive is unpacked and
 * started in a directory of its own first; only when it opens is the current directory moved
 * aside (to pglite.before-restore-<time>, kept for the operator to delete) and the new one put
 * in its place. The caller holds the data directory's lock.
 */
export async function restoreEmbedded(archive: Uint8Array, dataDir: string, now: Date): Promise<{ previous: string | null }> {
  const live = path.join(dataDir, 'pglite');
  const staging = path.join(dataDir, `pglite.restoring-${stamp(now)}`);
  fs.rmSync(staging, { recursive: true, force: true });
  try {
    const db = await PGlite.create({ dataDir: staging, loadDataDir: new Blob([new Uint8Array(archive)]) });
    try {
      await db.query('select 1');
      await db.exec('CHECKPOINT');
    } finally {
      await db.close();
    }
  } catch (e) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw new BackupError(`The archive could not be opened as a Throughline database: ${e instanceof Error ? e.message : String(e)}`);
  }
  let previous: string | null = null;
  if (fs.existsSync(live)) {
    previous = path.join(dataDir, `pglite.before-restore-${stamp(now)}`);
    fs.renameSync(live, previous);
  }
  fs.renameSync(staging, live);
  return { previous };
}
