/** The real process: start, lock, serve, stop cleanly, reopen; migrations on empty databases. */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/db/client.ts';
import { DataDirLockedError, lockDataDir } from '../src/db/lock.ts';
import { migrateDatabase } from '../src/db/migrate.ts';
import { loadConfig } from '../src/config.ts';
import { BIN, exited, startServe } from './servers.ts';

const dirs: string[] = [];
const tmp = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'throughline-test-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

function cli(args: string[], env: Record<string, string>) {
  return spawnSync(process.execPath, [BIN, ...args], { env: { ...process.env, THROUGHLINE_API_KEY: '', ...env }, encoding: 'utf8', timeout: 60_000 });
}

const mode = (file: string) => fs.statSync(file).mode & 0o777;


describe('migrations', () => {
  it('build every table on an empty embedded database, and a second run changes nothing', async () => {
    const database = await openDatabase({ memory: true });
    try {
      await migrateDatabase(database);
      await migrateDatabase(database);
      const [tables] = await database.query<{ n: number }>(
        "select count(*)::int as n from information_schema.tables where table_schema = 'public'",
      );
      expect(tables!.n).toBe(77);
      const stages = await database.query<{ pipeline: string; n: number }>(
        'select pipeline, count(*)::int as n from pipeline_stages group by pipeline order by pipeline',
      );
      expect(stages).toEqual([
        { pipeline: 'campaign', n: 5 },
        { pipeline: 'campaign_target', n: 5 },
        { pipeline: 'company', n: 14 },
        { pipeline: 'deal', n: 5 },
        { pipeline: 'engagement', n: 6 },
        { pipeline: 'lead', n: 7 },
      ]);
    } finally {
      await database.close();
    }
  });

  it.runIf(process.env.TEST_DATABASE_URL)('build every table on an empty PostgreSQL database', async () => {
    const admin = await openDatabase({ databaseUrl: process.env.TEST_DATABASE_URL!, poolSize: 1 });
    const name = `throughline_migrate_${process.pid}`;
    await admin.query(`drop database if exists ${name}`);
    await admin.query(`create database ${name}`);
    const url = new URL(process.env.TEST_DATABASE_URL!);
    url.pathname = `/${name}`;
    const database = await openDatabase({ databaseUrl: url.toString(), poolSize: 3 });
    try {
      // Two processes starting together: the advisory lock lets one migrate at a time.
      await Promise.all([migrateDatabase(database), migrateDatabase(database)]);
      const [tables] = await database.query<{ n: number }>(
        "select count(*)::int as n from information_schema.tables where table_schema = 'public'",
      );
      expect(tables!.n).toBe(77);
      const [stages] = await database.query<{ n: number }>('select count(*)::int as n from pipeline_stages');
      expect(stages!.n).toBe(42);
    } finally {
      await database.close();
      await admin.query(`drop database if exists ${name} with (force)`);
      await admin.close();
    }
  });
});

// Each test here starts real processes (a server that loads the demo, CLI commands): on a loaded
// two-core machine that takes minutes, not the default minute.
describe('the embedded data directory', { timeout: 300_000 }, () => {
  it('is locked against a second opener, naming the holder', () => {
    const dir = tmp();
    const lock = lockDataDir(dir, 'test holder');
    try {
      let err: unknown;
      try {
        lockDataDir(dir, 'second');
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(DataDirLockedError);
      expect((err as Error).message).toContain(`process ${process.pid}`);
      expect((err as Error).message).toContain('test holder');
    } finally {
      lock.release();
    }
    lockDataDir(dir).release();
  });

  it('takes over a lock left by a process that no longer exists', () => {
    const dir = tmp();
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    fs.writeFileSync(
      path.join(dir, 'throughline.lock'),
      JSON.stringify({ pid: Number(dead.stdout), host: os.hostname(), command: 'crashed', started_at: '2026-01-01T00:00:00Z' }),
    );
    lockDataDir(dir).release();
    expect(fs.existsSync(path.join(dir, 'throughline.lock'))).toBe(false);
  });

  it('serves, refuses a second process, lets the CLI use the running server, stops on SIGTERM and reopens with the data', async () => {
    const dir = tmp();
    const first = await startServe(dir);
    const health = await fetch(`${first.url}/healthz`);
    expect(await health.json()).toEqual({ status: 'ok', database: 'pglite' });

    // Nobody could sign in, so the first start made an administrator and showed its password once.
    const shown = /email: +admin@localhost\n +password: +(\S+)/.exec(first.output());
    expect(shown, first.output()).not.toBeNull();
    const login = await fetch(`${first.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'admin@localhost', password: shown![1] }),
    });
    expect(login.status).toBe(200);
    expect(login.headers.get('set-cookie')).toMatch(/^throughline_session=[^;]+;.*HttpOnly/i);
    expect((await fetch(`${first.url}/api/v1/companies`)).status).toBe(401);
    // The instance secret and the local operator's key are readable by the owner only.
    expect(mode(path.join(dir, 'secret.key'))).toBe(0o600);
    expect(mode(path.join(dir, 'cli.key'))).toBe(0o600);
    const operatorKey = fs.readFileSync(path.join(dir, 'cli.key'), 'utf8').trim();
    const me = await fetch(`${first.url}/api/v1/auth/me`, { headers: { authorization: `Bearer ${operatorKey}` } });
    expect(await me.json()).toMatchObject({ actor: { type: 'api_key', role: 'admin' }, user: { email: 'admin@localhost' } });

    const second = cli(['migrate'], { THROUGHLINE_DATA_DIR: dir });
    expect(second.status).toBe(1);
    expect(second.stderr).toContain(`in use by process ${first.child.pid}`);

    // The CLI finds the server through the lock and goes through its API.
    const created = cli(['sales', 'log-prospect', '--set', 'company.name=Lockstep Constructions', '--json'], { THROUGHLINE_DATA_DIR: dir });
    expect(created.stderr).toBe('');
    expect(created.status).toBe(0);
    const companyId = (JSON.parse(created.stdout) as { company: { id: string } }).company.id;

    first.child.kill('SIGTERM');
    expect(await exited(first.child)).toBe(0);
    expect(first.output()).toContain('closing the database');
    expect(fs.existsSync(path.join(dir, 'throughline.lock'))).toBe(false);

    // With no server running, the CLI opens the database itself.
    const listed = cli(['companies', 'get', companyId, '--json'], { THROUGHLINE_DATA_DIR: dir });
    expect(listed.status).toBe(0);
    expect(JSON.parse(listed.stdout)).toMatchObject({ id: companyId, name: 'Lockstep Constructions', status: 'lead' });

    const again = await startServe(dir);
    expect(again.output()).not.toContain('admin@localhost');
    expect(fs.readFileSync(path.join(dir, 'cli.key'), 'utf8').trim()).toBe(operatorKey);
    const res = await fetch(`${again.url}/api/v1/companies/${companyId}`, { headers: { authorization: `Bearer ${operatorKey}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).toBe('"1"');
    // A key that no longer works is revoked and replaced at the next start.
    fs.writeFileSync(path.join(dir, 'cli.key'), 'tl_0000000000_' + 'x'.repeat(43));
    again.child.kill('SIGINT');
    expect(await exited(again.child)).toBe(0);
    const third = await startServe(dir);
    const replaced = fs.readFileSync(path.join(dir, 'cli.key'), 'utf8').trim();
    expect(replaced).not.toBe(operatorKey);
    expect(replaced).toMatch(/^tl_[0-9a-f]{10}_/);
    const listed2 = cli(['companies', 'get', companyId, '--json'], { THROUGHLINE_DATA_DIR: dir });
    expect(listed2.stderr).toBe('');
    third.child.kill('SIGTERM');
    expect(await exited(third.child)).toBe(0);
  });

  it('refuses to listen beyond loopback until someone can sign in with a password of their own', () => {
    const dir = tmp();
    const env = { THROUGHLINE_DATA_DIR: dir, PORT: '0', HOST: '0.0.0.0', THROUGHLINE_SEED_DEMO: 'never' };
    const refused = cli(['serve'], env);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('HOST=0.0.0.0 refused');
    expect(refused.stderr).toContain('throughline user create');
    // The operator creates an administrator in process; a generated password is printed once.
    const made = cli(['user', 'create', '--email', 'owner@example.com', '--name', 'Owner', '--role', 'admin', '--json'], { THROUGHLINE_DATA_DIR: dir });
    expect(made.stderr).toBe('');
    const out = JSON.parse(made.stdout) as { user: { email: string; role: string }; password: string };
    expect(out.user).toMatchObject({ email: 'owner@example.com', role: 'admin' });
    expect(out.password.length).toBeGreaterThanOrEqual(20);
    const weak = cli(['user', 'create', '--email', 'weak@example.com', '--name', 'Weak', '--role', 'viewer', '--password', 'password1'], { THROUGHLINE_DATA_DIR: dir });
    expect(weak.status).toBe(1);
    expect(weak.stderr).toContain('password: is one of the most commonly used passwords');
  });

  it('CLI actions take their scalar inputs as flags', () => {
    const dir = tmp();
    const env = { THROUGHLINE_DATA_DIR: dir, THROUGHLINE_TIMEZONE: 'UTC' };
    const created = cli(['sales', 'log-prospect', '--set', 'company.name=Flag Builders', '--json'], env);
    expect(created.status).toBe(0);
    const id = (JSON.parse(created.stdout) as { company: { id: string } }).company.id;
    const lost = cli(['sales', 'mark-lost', id, '--lost-reason', 'Chose a competitor', '--expected-version', '1'], env);
    expect(lost.stderr).toBe('');
    expect(JSON.parse(lost.stdout)).toMatchObject({ id, status: 'lost', lost_reason: 'Chose a competitor', version: 2 });
    const due = cli(['sales', 'follow-ups', '--from', '2026-01-05', '--to', '2026-01-11', '--include-overdue', 'false'], env);
    expect(JSON.parse(due.stdout)).toMatchObject({ window: { from: '2026-01-05', to: '2026-01-11', include_overdue: false }, total: 0 });
  });

  it('the CLI alone takes a company from its first meeting to an engagement in onboarding', () => {
    const env = { THROUGHLINE_DATA_DIR: tmp(), THROUGHLINE_TIMEZONE: 'UTC' };
    const run = (args: string[]) => {
      const r = cli([...args, '--json'], env);
      expect(r.stderr, args.join(' ')).toBe('');
      expect(r.status, args.join(' ')).toBe(0);
      return JSON.parse(r.stdout) as Record<string, any>;
    };
    const prospect = run(['sales', 'log-prospect', '--set', 'company.name=Command Line Civil', '--set', 'contact.name=Dana Owner', '--set', 'contact.email=dana@cli.example']);
    const companyId = prospect.company.id as string;
    const meeting = run(['sales', 'schedule-meeting', '--set', `company_id=${companyId}`, '--set', 'meeting.scheduled_at=2030-03-02T00:00:00Z', '--set', 'meeting.meeting_type=discovery']);
    run(['sales', 'complete-meeting', meeting.meeting.id, '--set', 'result.summary=Wants the audit']);
    const audit = run(['assessment', 'start-audit', companyId]);
    const auditId = (audit.audit?.id ?? audit.id) as string;
    run(['assessment', 'import-org-chart', companyId, '--data', JSON.stringify({ people: [{ name: 'Dana Owner', email: 'dana@cli.example' }, { name: 'Lee Foreman', role: 'Site Supervisor' }] })]);
    const dana = prospect.contact.id as string;
    run(['assessment', 'record-surveys-sent', auditId, '--data', JSON.stringify({ survey_type: 'audit', contact_ids: [dana] })]);
    run(['assessment', 'record-surveys-completed', auditId, '--data', JSON.stringify({ survey_type: 'audit', responses: [{ contact_id: dana, tasks: [{ task_name: 'Progress claims', frequency: 'monthly', time_before_ai: 240 }] }] })]);
    const decision = run(['assessment', 'decide', companyId, '--data', JSON.stringify({ decision: 'go', decision_rationale: 'Owner engaged', recommended_package: 'AI Foundations', novel_mcps: 1, novel_skills: 2, estimated_value: '18000.00', currency: 'AUD' })]);
    const proposal = run(['assessment', 'create-proposal', '--go-no-go-id', (decision.decision?.id ?? decision.id) as string]);
    const accepted = run(['assessment', 'accept-proposal', (proposal.proposal?.id ?? proposal.id) as string]);
    expect(accepted.engagement.company_id).toBe(companyId);
    expect(run(['companies', 'get', companyId])).toMatchObject({ status: 'onboarding' });
  });

  it('CLI errors say code and message and exit non-zero', () => {
    const dir = tmp();
    const bad = cli(['companies', 'create', '--set', 'source=carrier_pigeon'], { THROUGHLINE_DATA_DIR: dir });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('VALIDATION');
    expect(bad.stderr).toContain('name: is required');
    expect(bad.stderr).toContain('source: must be one of');
    const usage = cli(['companies', 'list', '--where', 'name~x'], { THROUGHLINE_DATA_DIR: dir });
    expect(usage.status).toBe(2);
  });
});

describe('configuration', () => {
  it('defaults to 127.0.0.1:3000 and ./data; a non-loopback host is left for the server to check against its users', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ host: '127.0.0.1', port: 3000, dataDir: path.resolve('data'), requireAdminTotp: false, secretKey: undefined });
    expect(loadConfig({ HOST: '0.0.0.0' }).host).toBe('0.0.0.0');
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT/);
    expect(loadConfig({ PORT: '8080', HOST: 'localhost' })).toMatchObject({ port: 8080, host: 'localhost' });
  });

  it('takes a 32-byte base64 secret key and the admin second-factor rule, and refuses a bad key or API key', () => {
    const key = Buffer.alloc(32, 7);
    expect(loadConfig({ THROUGHLINE_SECRET_KEY: key.toString('base64') }).secretKey).toEqual(key);
    expect(loadConfig({ THROUGHLINE_SECRET_KEY: key.toString('base64url') }).secretKey).toEqual(key);
    expect(() => loadConfig({ THROUGHLINE_SECRET_KEY: Buffer.alloc(16).toString('base64') })).toThrow(/THROUGHLINE_SECRET_KEY: must be 32 random bytes/);
    expect(() => loadConfig({ THROUGHLINE_SECRET_KEY: 'not a key' })).toThrow(/THROUGHLINE_SECRET_KEY/);
    expect(loadConfig({ THROUGHLINE_REQUIRE_ADMIN_TOTP: 'true' }).requireAdminTotp).toBe(true);
    expect(() => loadConfig({ THROUGHLINE_API_KEY: 'secret' })).toThrow(/THROUGHLINE_API_KEY/);
  });

  it('takes the rate limits per credential and per address (per minute; 0 turns one off), and refuses a bad one', () => {
    expect(loadConfig({}).rateLimit).toEqual({ perCredential: 1200, perAddress: 2400 });
    expect(loadConfig({ THROUGHLINE_RATE_LIMIT: '60', THROUGHLINE_RATE_LIMIT_ADDRESS: '0' }).rateLimit).toEqual({ perCredential: 60, perAddress: 0 });
    expect(() => loadConfig({ THROUGHLINE_RATE_LIMIT: '-1' })).toThrow(/THROUGHLINE_RATE_LIMIT:/);
    expect(() => loadConfig({ THROUGHLINE_RATE_LIMIT_ADDRESS: 'lots' })).toThrow(/THROUGHLINE_RATE_LIMIT_ADDRESS/);
    expect(() => loadConfig({ THROUGHLINE_RATE_LIMIT: '1.5' })).toThrow(/THROUGHLINE_RATE_LIMIT/);
  });

  it("takes the assistant's model: none by default, the provider's own address unless another is given, and a clear refusal when half configured", () => {
    expect(loadConfig({}).llm).toBeUndefined();
    expect(loadConfig({ THROUGHLINE_LLM_PROVIDER: 'anthropic', THROUGHLINE_LLM_MODEL: 'claude-sonnet-4-5', THROUGHLINE_LLM_API_KEY: 'sk-ant-x' }).llm).toEqual({
      provider: 'anthropic',
      baseUrl: 'https://api.anthropic.com',
      apiKey: 'sk-ant-x',
      model: 'claude-sonnet-4-5',
      timeoutMs: 60_000,
      maxTokens: 2_000,
    });
    const local = loadConfig({ THROUGHLINE_LLM_PROVIDER: 'openai', THROUGHLINE_LLM_MODEL: 'llama3', THROUGHLINE_LLM_URL: 'http://127.0.0.1:11434/v1/', THROUGHLINE_LLM_TIMEOUT_MS: '5000' }).llm;
    expect(local).toMatchObject({ provider: 'openai', baseUrl: 'http://127.0.0.1:11434/v1', apiKey: undefined, timeoutMs: 5000 });
    expect(() => loadConfig({ THROUGHLINE_LLM_PROVIDER: 'openai' })).toThrow(/THROUGHLINE_LLM_MODEL: is required/);
    expect(() => loadConfig({ THROUGHLINE_LLM_MODEL: 'gpt-4o-mini' })).toThrow(/THROUGHLINE_LLM_PROVIDER: is required/);
    expect(() => loadConfig({ THROUGHLINE_LLM_PROVIDER: 'gemini', THROUGHLINE_LLM_MODEL: 'x' })).toThrow(/THROUGHLINE_LLM_PROVIDER: must be openai/);
    expect(() => loadConfig({ THROUGHLINE_LLM_PROVIDER: 'openai', THROUGHLINE_LLM_MODEL: 'x', THROUGHLINE_LLM_URL: 'ftp://x' })).toThrow(/THROUGHLINE_LLM_URL/);
    expect(() => loadConfig({ THROUGHLINE_LLM_PROVIDER: 'openai', THROUGHLINE_LLM_MODEL: 'x', THROUGHLINE_LLM_TIMEOUT_MS: '10' })).toThrow(/THROUGHLINE_LLM_TIMEOUT_MS/);
  });

  it('refuses to serve PostgreSQL without THROUGHLINE_SECRET_KEY, before touching the database', () => {
    const r = cli(['serve'], { DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none', THROUGHLINE_SECRET_KEY: '', PORT: '0' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('THROUGHLINE_SECRET_KEY is required with DATABASE_URL');
  });
});
