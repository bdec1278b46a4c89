/**
 * `throughline import run`: a CSV from the command line, checked first and then imported with
 * its progress shown, on an embedded database the command has to itself (it works the job
 * itself, as the worker would). A dry run writes nothing; a missing file says so.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN } from './servers.ts';

const FIXTURE = path.resolve(import.meta.dirname, 'fixtures/hubspot-contacts.csv');

describe('throughline import run', () => {
  let dataDir: string;
  const run = (...args: string[]) =>
    spawnSync(process.execPath, [BIN, 'import', 'run', ...args], {
      env: { ...process.env, THROUGHLINE_DATA_DIR: dataDir, THROUGHLINE_SEED_DEMO: 'never', THROUGHLINE_URL: '', THROUGHLINE_API_KEY: '', DATABASE_URL: '' },
      encoding: 'utf8',
      timeout: 120_000,
    });

  beforeAll(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'throughline-cli-import-'));
  });
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('checks the file and writes nothing on a dry run, with the mapping and every row error', () => {
    const r = run(FIXTURE, '--target', 'contacts', '--dry-run');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/hubspot export, mapping from preset/);
    expect(r.stderr).toMatch(/row 5, Email \(email\): must be an email address/);
    expect(JSON.parse(r.stdout)).toMatchObject({ would_create: 6, would_update: 1, error_rows: 2 });
    // Nothing written: a second dry run would still create all six.
    expect(JSON.parse(run(FIXTURE, '--target', 'contacts', '--dry-run').stdout)).toMatchObject({ would_create: 6 });
  }, 180_000);

  it('imports it to the end with its progress, and a second run creates nothing again', () => {
    const r = run(FIXTURE, '--target', 'contacts');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/completed: 9 of 9 rows \(100%\) · 6 created, 1 updated, 0 skipped, 2 with errors/);
    expect(JSON.parse(r.stdout)).toMatchObject({ status: 'completed', created_count: 6, error_count: 2, done: true });
    const again = run(FIXTURE, '--target', 'contacts');
    expect(JSON.parse(again.stdout)).toMatchObject({ status: 'completed', created_count: 0 });
  }, 180_000);

  it('says so when the file cannot be read, and exits non-zero', () => {
    const r = run(path.join(dataDir, 'missing.csv'), '--target', 'contacts');
    expect(r.status).not.toBe(0);
    expect(r.stdout).toMatch(/cannot read .*missing\.csv/);
  }, 60_000);
});
