/**
 * Backups (issue 12): `throughline backup` and `throughline restore` on both databases, as an
 * operator runs them. The embedded database is backed up by its running server (online) and
 * without one (offline), restored into another data directory, and compared table by table
 * (row counts and a checksum of every row); the server then boots on the restored data and
 * answers. PostgreSQL goes through pg_dump and pg_restore into a second database, the same
 * comparison, and a restore over a database that has tables needs --replace. Bad inputs: a file
 * that is no backup, a backup of the other kind, a restore while the server holds the directory.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { backupFileName, detectFormat, listBackups, rotateBackups } from '../src/db/backup.ts';
import { openDatabase, type Database } from '../src/db/client.ts';
import { exited, runCli, startServe } from './servers.ts';

const dirs: string[] = [];
const tmp = (name: string) => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), `backup-${name}-`));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

/** The environment of a CLI run against exactly this database, nothing else inherited from THROUGHLINE_* or DATABASE_URL. */
const cliEnv = (extra: Record<string, string>) => ({
  ...(Object.fromEntries(Object.entries(process.env).filter(([k, v]) => v !== undefined && k !== 'DATABASE_URL' && !k.startsWith('THROUGHLINE_'))) as Record<string, string>),
  NODE_NO_WARNINGS: '1',
  THROUGHLINE_LOG_LEVEL: 'error',
  ...extra,
});

/** Every table of ours: its row count and a checksum of all its rows. */
async function fingerprint(database: Database): Promise<Record<string, { rows: number; md5: string }>> {
  const tables = await database.query<{ t: string }>(`select tablename as t from pg_tables where schemaname = 'public' order by 1`);
  const out: Record<string, { rows: number; md5: string }> = {};
  for (const { t } of tables) {
    const [r] = await database.query<{ rows: number; md5: string }>(`select count(*)::int as rows, md5(coalesce(string_agg(x::text, '|' order by x::text), '')) as md5 from "${t}" x`);
    out[t] = r!;
  }
  return out;
}

async function fingerprintOf(open: () => Promise<Database>) {
  const database = await open();
  try {
    return await fingerprint(database);
  } finally {
    await database.close();
  }
}
const embedded = (dataDir: string) => fingerprintOf(() => openDatabase({ dataDir }));

describe('backup files', () => {
  it('are named by time, recognised by their first bytes, and rotated oldest first', () => {
    const dir = tmp('rotate');
    const at = (h: number) => new Date(Date.UTC(2026, 10, 22, h, 0, 0));
    for (const h of [1, 2, 3, 4, 5]) fs.writeFileSync(path.join(dir, backupFileName(at(h), 'pglite')), 'x');
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'not a backup');
    expect(backupFileName(at(1), 'pglite')).toBe('throughline-20261122T010000Z.tar.gz');
    expect(backupFileName(at(1), 'pg_dump')).toBe('throughline-20261122T010000Z.dump');
    expect(listBackups(dir).map((b) => b.at.getUTCHours())).toEqual([1, 2, 3, 4, 5]);
    expect(rotateBackups(dir, 2).map((f) => path.basename(f))).toEqual([1, 2, 3].map((h) => backupFileName(at(h), 'pglite')));
    expect(fs.readdirSync(dir).sort()).toEqual(['notes.txt', backupFileName(at(4), 'pglite'), backupFileName(at(5), 'pglite')]);
    expect(detectFormat(new Uint8Array([0x1f, 0x8b, 8, 0]))).toBe('pglite');
    expect(detectFormat(new Uint8Array(Buffer.from('PGDMP\x01')))).toBe('pg_dump');
    expect(detectFormat(new Uint8Array(Buffer.from('name,email')))).toBeUndefined();
  });
});

describe('backup and restore [pglite]', () => {
  const a = tmp('a');
  const b = tmp('b');
  const files = tmp('files');
  const online = path.join(files, 'online.tar.gz');
  const offline = path.join(files, 'offline.tar.gz');
  let source: Record<string, { rows: number; md5: string }>;

  it('backs up the running server online, and the stopped directory offline, to the same data', async () => {
    // No background work, so nothing but the backup's own audit row is written after the archive is taken.
    const server = await startServe(a, { THROUGHLINE_SEED_DEMO: 'auto', THROUGHLINE_BACKUP_INTERVAL_HOURS: '0', THROUGHLINE_WORKER: 'off' });
    try {
      const r = await runCli(cliEnv({ THROUGHLINE_DATA_DIR: a }), ['backup', '--out', online]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toContain(`Wrote ${online}`);
    } finally {
      server.child.kill('SIGTERM');
      await exited(server.child);
    }
    const r = await runCli(cliEnv({ THROUGHLINE_DATA_DIR: a }), ['backup', '--out', offline]);
    expect(r.code, r.stderr).toBe(0);
    for (const f of [online, offline]) expect(detectFormat(fs.readFileSync(f))).toBe('pglite');
    source = await embedded(a);
    expect(source.companies!.rows).toBeGreaterThan(3);
    expect(source.contacts!.rows).toBeGreaterThan(3);
  }, 300_000);

  it('restores into another directory with every row of every table, and the server boots on it', async () => {
    const r = await runCli(cliEnv({ THROUGHLINE_DATA_DIR: b }), ['restore', online]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`Restored ${online}`);
    const restored = await embedded(b);
    // Everything is equal but the audit log: the source also holds the audit rows of both backups, written after each archive was taken.
    const { audit_log: auditA, ...restA } = source;
    const { audit_log: auditB, ...restB } = restored;
    expect(restB).toEqual(restA);
    expect(auditB!.rows).toBe(auditA!.rows - 2);

    // Offline restore over it: the previous database is kept aside, and the data equals the source exactly.
    const again = await runCli(cliEnv({ THROUGHLINE_DATA_DIR: b }), ['restore', offline]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/kept in .*pglite\.before-restore-/);
    const { audit_log: auditC, ...restC } = await embedded(b);
    expect(restC).toEqual(restA);
    // The offline backup's own audit row was written after the archive was taken.
    expect(auditC!.rows).toBe(auditA!.rows - 1);

    const server = await startServe(b, { THROUGHLINE_BACKUP_INTERVAL_HOURS: '0' });
    try {
      const list = await runCli(cliEnv({ THROUGHLINE_DATA_DIR: b }), ['companies', 'list', '--json', '--limit', '200']);
      expect(list.code, list.stderr).toBe(0);
      expect((JSON.parse(list.stdout) as { items: unknown[] }).items.length).toBe(source.companies!.rows);
      // Refused while the server holds the directory.
      const busy = await runCli(cliEnv({ THROUGHLINE_DATA_DIR: b }), ['restore', offline]);
      expect(busy.code).toBe(1);
      expect(busy.stderr).toMatch(/in use|held|running/i);
    } finally {
      server.child.kill('SIGTERM');
      await exited(server.child);
    }
  }, 300_000);

  it('refuses a file that is no backup, and a pg_dump archive without DATABASE_URL, changing nothing', async () => {
    const before = await embedded(b);
    const junk = path.join(files, 'junk.csv');
    fs.writeFileSync(junk, 'name,email\nx,y\n');
    const r = await runCli(cliEnv({ THROUGHLINE_DATA_DIR: b }), ['restore', junk]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('is not a Throughline backup');
    const dump = path.join(files, 'x.dump');
    fs.writeFileSync(dump, 'PGDMP\x01\x0e\x00');
    const d = await runCli(cliEnv({ THROUGHLINE_DATA_DIR: b }), ['restore', dump]);
    expect(d.code).toBe(1);
    expect(d.stderr).toContain('restores into PostgreSQL');
    const missing = await runCli(cliEnv({ THROUGHLINE_DATA_DIR: b }), ['restore', path.join(files, 'nope.tar.gz')]);
    expect(missing.code).toBe(1);
    expect(await embedded(b)).toEqual(before);
  }, 120_000);
});

describe.runIf(process.env.TEST_DATABASE_URL)('backup and restore [postgres]', () => {
  const adminUrl = process.env.TEST_DATABASE_URL!;
  const names = [1, 2].map(() => `throughline_backup_${process.pid}_${randomBytes(4).toString('hex')}`);
  const urlOf = (name: string) => {
    const u = new URL(adminUrl);
    u.pathname = `/${name}`;
    return u.toString();
  };
  const files = tmp('pg');
  const dump = path.join(files, 'a.dump');
  const secret = randomBytes(32).toString('base64');
  const pgFingerprint = (url: string) => fingerprintOf(() => openDatabase({ databaseUrl: url, poolSize: 1 }));

  afterAll(async () => {
    const admin = await openDatabase({ databaseUrl: adminUrl, poolSize: 1 });
    for (const n of names) await admin.query(`drop database if exists ${n} with (force)`);
    await admin.close();
  });

  it('dumps one database and restores it into another with every row of every table; the server boots on it', async () => {
    const [A, B] = names.map(urlOf) as [string, string];
    const admin = await openDatabase({ databaseUrl: adminUrl, poolSize: 1 });
    for (const n of names) await admin.query(`create database ${n}`);
    await admin.close();
    const seeded = await runCli(cliEnv({ DATABASE_URL: A, THROUGHLINE_SECRET_KEY: secret }), ['seed']);
    expect(seeded.code, seeded.stderr).toBe(0);
    const backup = await runCli(cliEnv({ DATABASE_URL: A, THROUGHLINE_SECRET_KEY: secret }), ['backup', '--out', dump]);
    expect(backup.code, backup.stderr).toBe(0);
    expect(detectFormat(fs.readFileSync(dump))).toBe('pg_dump');
    const source = await pgFingerprint(A);

    const restore = await runCli(cliEnv({ DATABASE_URL: B, THROUGHLINE_SECRET_KEY: secret }), ['restore', dump]);
    expect(restore.code, restore.stderr).toBe(0);
    const { audit_log: auditA, ...restA } = source;
    const { audit_log: auditB, ...restB } = await pgFingerprint(B);
    expect(restB).toEqual(restA);
    // The source's last audit row is the backup's own, written after the dump was taken.
    expect(auditB!.rows).toBe(auditA!.rows - 1);

    // Over a database with tables: refused without --replace, nothing changed; with it, in one transaction.
    const refused = await runCli(cliEnv({ DATABASE_URL: B, THROUGHLINE_SECRET_KEY: secret }), ['restore', dump]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('--replace');
    const replaced = await runCli(cliEnv({ DATABASE_URL: B, THROUGHLINE_SECRET_KEY: secret }), ['restore', dump, '--replace']);
    expect(replaced.code, replaced.stderr).toBe(0);
    const { audit_log: _, ...restC } = await pgFingerprint(B);
    expect(restC).toEqual(restA);

    const server = await startServe(tmp('pgserve'), { DATABASE_URL: B, THROUGHLINE_SECRET_KEY: secret });
    try {
      const res = await fetch(`${server.url}/api/openapi.json`);
      expect(res.status).toBe(200);
    } finally {
      server.child.kill('SIGTERM');
      await exited(server.child);
    }

    // An embedded backup is refused by a PostgreSQL restore.
    const tarball = path.join(files, 'x.tar.gz');
    fs.writeFileSync(tarball, Buffer.from([0x1f, 0x8b, 8, 0, 0, 0]));
    const wrong = await runCli(cliEnv({ DATABASE_URL: B, THROUGHLINE_SECRET_KEY: secret }), ['restore', tarball]);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('embedded database');
  }, 300_000);
});
