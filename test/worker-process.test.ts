/**
 * `throughline worker` as its own process: on the embedded database it refuses, saying why;
 * beside a PostgreSQL database it sends what the servers queued (a mail, to a real SMTP
 * server started here) and stops cleanly on SIGTERM.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { enqueueEmail } from '../src/core/platform/email.ts';
import { randomToken } from '../src/core/identity/crypto.ts';
import { dbSuite } from './db.ts';
import { BIN, exited, startSmtpSink } from './servers.ts';

function run(env: Record<string, string>) {
  const child = spawn(process.execPath, [BIN, 'worker'], {
    env: { ...process.env, THROUGHLINE_URL: '', THROUGHLINE_API_KEY: '', DATABASE_URL: '', THROUGHLINE_SECRET_KEY: '', THROUGHLINE_SMTP_URL: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += String(d)));
  child.stderr!.on('data', (d) => (out += String(d)));
  return { child, output: () => out };
}

dbSuite('the worker as its own process', ({ database, backend, ctx }) => {
  let smtp: Awaited<ReturnType<typeof startSmtpSink>>;

  beforeAll(async () => {
    smtp = await startSmtpSink();
  });
  afterAll(async () => {
    await smtp.close();
  });

  if (backend === 'pglite') {
    it('refuses the embedded database, whose server runs the worker itself', async () => {
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'throughline-worker-'));
      try {
        const w = run({ THROUGHLINE_DATA_DIR: dataDir });
        expect(await exited(w.child)).not.toBe(0);
        expect(w.output()).toMatch(/DATABASE_URL/);
        expect(w.output()).not.toMatch(/at \S+\.ts:\d+/);
      } finally {
        fs.rmSync(dataDir, { recursive: true, force: true });
      }
    }, 60_000);
    return;
  }

  it('sends the mail the servers queued, and stops on SIGTERM', async () => {
    const { id } = await enqueueEmail(ctx(), { to: ['client@example.com'], template: 'follow_up', data: { company_name: 'Worker Test Pty Ltd', follow_up_date: '2026-11-23', next_step: 'Call about the audit' }, idempotencyKey: `worker-process-${randomToken(6)}` });
    const w = run({ DATABASE_URL: database().url!, THROUGHLINE_SECRET_KEY: randomToken(32), THROUGHLINE_SMTP_URL: smtp.url, THROUGHLINE_MAIL_FROM: 'Throughline <crm@example.com>' });
    try {
      await expect.poll(() => smtp.received.some((m) => m.includes(`<${id}@throughline>`)), { timeout: 60_000, interval: 200 }).toBe(true);
      await expect.poll(async () => (await database().query<{ status: string }>(`select status from email_queue where id = '${id}'`))[0]?.status, { timeout: 30_000 }).toBe('sent');
      expect(w.output()).toMatch(/worker running/);
    } finally {
      w.child.kill('SIGTERM');
    }
    expect(await exited(w.child)).toBe(0);
  }, 120_000);
});
