/**
 * Crash-safety machinery (issue 12), shared by test/fault.test.ts and bench/fault.ts.
 *
 * It starts the real `throughline serve` as a child process, on the embedded database (a
 * temporary data directory) or on a PostgreSQL database of its own, drives real business
 * operations through the HTTP API from concurrent writers, and records exactly which of them
 * were acknowledged (a 2xx status and the whole body received). It kills the server with
 * SIGKILL at a moment drawn from a seeded PRNG, starts it again on the same data, and checks:
 *
 * - the data opens: the restarted server says where it runs, answers /healthz and a list;
 * - nothing acknowledged is lost: every acknowledged operation's records are there, as answered;
 * - no business operation is half-done: every operation that left any trace (an audit row
 *   carries the request id we sent) left all of it, every audit row's record exists and every
 *   record has its audit row, each company and deal has exactly one open status_history row
 *   matching its status, a deal's version counts its audited changes, ticket numbers run
 *   1..last_value with no gap or duplicate, no idempotency key is left half-written;
 * - a client that never got its answer can retry with the same Idempotency-Key and gets one
 *   record, not two.
 *
 * Operations (each one transaction of several rows plus audit rows):
 * - prospect: sales.log_prospect with a contact and a first interaction: a company (lead, then
 *   contacted), a contact, an interaction, two status_history rows, four audit rows, the
 *   company's health, an idempotency key;
 * - deal: a deal at discovery for an acknowledged company: the deal, a status_history row, an audit row;
 * - move: sales.move_deal discovery → proposal on an acknowledged deal: the deal, two
 *   status_history rows (one closed, one opened), a status_change audit row;
 * - ticket: a support ticket, numbered from document_sequences in the same transaction, the
 *   company's health recomputed, an audit row.
 *
 * A failing run prints its seed; FAULT_SEED=<seed> replays the same kill moments and operation mix.
 */
import { randomBytes } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { openDatabase, type Database } from '../src/db/client.ts';
import type { Backend } from './db.ts';
import { mulberry32 } from '../src/demo/seed.ts';
import { BIN, exited } from './servers.ts';

// ---------------------------------------------------------------------------
// Seeds

/** The demo's seeded PRNG: the same seed gives the same kill moments. */
export const seededRandom = mulberry32;

/** FAULT_SEED when set (to replay a failing run), else a new random seed. */
export function faultSeed(): number {
  const given = process.env.FAULT_SEED;
  if (given !== undefined && given !== '') {
    const n = Number(given);
    if (!Number.isInteger(n) || n < 0) throw new Error(`FAULT_SEED must be a non-negative integer, not ${given}`);
    return n;
  }
  return randomBytes(4).readUInt32BE(0);
}

/** A whole number of milliseconds in [min, max), from the run's PRNG. */
export const between = (random: () => number, min: number, max: number) => Math.floor(min + random() * (max - min));

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------
// Where the server keeps its data

export type FaultTarget = {
  backend: Backend;
  /** The server's data directory (on PostgreSQL it only holds what the server writes beside the database). */
  dataDir: string;
  /** The PostgreSQL database of this target (absent on the embedded database). */
  databaseUrl?: string;
  /** What `throughline serve` needs beyond startServe's defaults. */
  env: Record<string, string>;
  /**
   * The database itself, opened in this process. On the embedded database only while no server
   * holds the directory (it is locked); on PostgreSQL at any time.
   */
  open(): Promise<Database>;
  /** Removes the data directory and drops the PostgreSQL database. */
  dispose(): Promise<void>;
};

/**
 * A server configuration for fault runs: no rate limits (the writers share one key and one
 * address), no automatic backups (a backup a minute after start would land in some cycles
 * and not others), logs at info (the test reads "running at" and the shutdown line).
 */
const SERVER_ENV = {
  THROUGHLINE_RATE_LIMIT: '0',
  THROUGHLINE_RATE_LIMIT_ADDRESS: '0',
  THROUGHLINE_BACKUP_INTERVAL_HOURS: '0',
  THROUGHLINE_LOG_LEVEL: 'info',
  THROUGHLINE_TIMEZONE: 'UTC',
};

/** A brand-new, empty place for a server: a temporary data directory, and on PostgreSQL an empty database. */
export async function faultTarget(backend: Backend, adminUrl = process.env.TEST_DATABASE_URL): Promise<FaultTarget> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `throughline-fault-${backend}-`));
  if (backend === 'pglite') {
    return {
      backend,
      dataDir,
      env: { ...SERVER_ENV },
      open: () => openDatabase({ dataDir }),
      async dispose() {
        fs.rmSync(dataDir, { recursive: true, force: true });
      },
    };
  }
  if (!adminUrl) throw new Error('faultTarget(postgres) needs a PostgreSQL URL (TEST_DATABASE_URL)');
  const name = `throughline_fault_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = await openDatabase({ databaseUrl: adminUrl, poolSize: 1 });
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.close();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const databaseUrl = url.toString();
  return {
    backend,
    dataDir,
    databaseUrl,
    // Every server of one PostgreSQL database needs the same secret key.
    env: { ...SERVER_ENV, DATABASE_URL: databaseUrl, THROUGHLINE_SECRET_KEY: randomBytes(32).toString('base64') },
    open: () => openDatabase({ databaseUrl, poolSize: 2 }),
    async dispose() {
      fs.rmSync(dataDir, { recursive: true, force: true });
      const a = await openDatabase({ databaseUrl: adminUrl, poolSize: 1 });
      try {
        await a.query(`drop database if exists ${name} with (force)`);
      } finally {
        await a.close();
      }
    },
  };
}

// ---------------------------------------------------------------------------
// The server as a child process

export type Served = {
  child: ChildProcess;
  url: string;
  output(): string;
  /** From spawning the process to its first healthy /healthz. */
  startMs: number;
};

/** Every server this module started and has not seen exit: stopAllServed() kills them (cleanup, also after a failure). */
const live = new Set<ChildProcess>();

/**
 * `throughline serve` on the target, not waited for (to be killed while it starts, or waited
 * for by serveTarget), tracked for stopAllServed. The environment is startServe's
 * (test/servers.ts), which cannot be used here: it answers only once the server runs, and
 * leaves the child running when it gives up waiting.
 */
export function spawnServe(target: FaultTarget): { child: ChildProcess; output(): string } {
  const child = spawn(process.execPath, [BIN, 'serve'], {
    env: { ...process.env, THROUGHLINE_DATA_DIR: target.dataDir, PORT: '0', HOST: '127.0.0.1', THROUGHLINE_SEED_DEMO: 'never', THROUGHLINE_API_KEY: '', THROUGHLINE_URL: '', DATABASE_URL: '', ...target.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  child.once('exit', () => live.delete(child));
  let out = '';
  child.stdout!.on('data', (d) => (out += String(d)));
  child.stderr!.on('data', (d) => (out += String(d)));
  return { child, output: () => out };
}

/**
 * `throughline serve` on the target, once it answers /healthz and a list of companies with
 * this key (when given): the proof that its data opened. Rejects with the server's output if
 * it exits or never gets there (and then it is killed).
 */
export async function serveTarget(target: FaultTarget, key?: string, timeoutMs = 180_000): Promise<Served> {
  const began = Date.now();
  const starting = spawnServe(target);
  const { child, output } = starting;
  try {
    const url = await runningAt(starting, timeoutMs);
    const health = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(60_000) });
    const body = (await health.json()) as { status?: string };
    if (health.status !== 200 || body.status !== 'ok') throw new Error(`/healthz answered ${health.status} ${JSON.stringify(body)}`);
    const startMs = Date.now() - began;
    if (key) {
      const list = await fetch(`${url}/api/v1/companies?limit=5`, { headers: auth(key), signal: AbortSignal.timeout(60_000) });
      if (list.status !== 200) throw new Error(`a list of companies answered ${list.status}: ${await list.text()}`);
      await list.arrayBuffer();
    }
    return { child, url, output, startMs };
  } catch (e) {
    await killHard({ child });
    throw new Error(`the server did not serve its ${target.backend} data: ${(e as Error).message}\n${output()}`, { cause: e });
  }
}

/** The URL the starting server says it runs at (the line startServe in test/servers.ts waits for too). */
function runningAt(starting: { child: ChildProcess; output(): string }, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const m = /running at (http:\/\/[^\s]+)/.exec(starting.output());
      if (m) done(() => resolve(m[1]!));
    };
    const exit = (code: number | null, signal: string | null) => done(() => reject(new Error(`it exited (${signal ?? code})`)));
    const timer = setTimeout(() => done(() => reject(new Error(`it did not say where it runs within ${timeoutMs} ms`))), timeoutMs);
    const done = (settle: () => void) => {
      clearTimeout(timer);
      starting.child.stdout!.off('data', check);
      starting.child.off('exit', exit);
      settle();
    };
    starting.child.stdout!.on('data', check);
    starting.child.once('exit', exit);
    check();
  });
}

/** SIGKILL, by the child's own pid, and wait until it is gone. */
export async function killHard(served: { child: ChildProcess }): Promise<void> {
  const { child } = served;
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await new Promise<void>((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));
}

/** SIGTERM and the exit code (null if it had to be killed after `graceMs`). */
export async function stopGracefully(served: { child: ChildProcess }, graceMs = 30_000): Promise<number | null> {
  const { child } = served;
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
  child.kill('SIGTERM');
  return exitCode(served, graceMs);
}

/** The exit code once the child exits by itself; null if it is still running after `graceMs` and had to be killed. */
export async function exitCode(served: { child: ChildProcess }, graceMs: number): Promise<number | null> {
  const { child } = served;
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  try {
    return await exited(child);
  } finally {
    clearTimeout(timer);
  }
}

/** Kills every server this module started that is still running (for afterAll / finally). */
export async function stopAllServed(): Promise<void> {
  await Promise.all([...live].map((child) => killHard({ child })));
}

export const auth = (key: string) => ({ authorization: `Bearer ${key}` });

/**
 * An administrator's API key, as an operator gets one: the first start shows the password of
 * the administrator it made (once), we sign in with it and create a key. Works the same on
 * both databases (the embedded one also leaves an operator key in cli.key).
 */
export async function adminKey(served: Served): Promise<string> {
  const shown = /email: +admin@localhost\n +password: +(\S+)/.exec(served.output());
  if (!shown) throw new Error(`the first start showed no administrator password:\n${served.output()}`);
  const login = await fetch(`${served.url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'admin@localhost', password: shown[1] }),
  });
  const session = (await login.json()) as { token?: string };
  if (login.status !== 200 || !session.token) throw new Error(`sign-in answered ${login.status}: ${JSON.stringify(session)}`);
  const made = await fetch(`${served.url}/api/v1/api_keys`, {
    method: 'POST',
    headers: { ...auth(session.token), 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'fault writers', role: 'admin' }),
  });
  const body = (await made.json()) as { key?: string };
  if (made.status !== 201 || !body.key) throw new Error(`creating an API key answered ${made.status}: ${JSON.stringify(body)}`);
  return body.key;
}

// ---------------------------------------------------------------------------
// Writers

export type OpKind = 'prospect' | 'deal' | 'move' | 'ticket';

/**
 * One request a writer sent. `acked`: a 2xx and its whole body arrived; `refused`: the server
 * answered 503 UNAVAILABLE (it was stopping); `lost`: no answer (the connection broke or was
 * refused), so the client cannot know whether it happened; `rejected`: any other status.
 */
export type Op = {
  rid: string;
  kind: OpKind;
  cycle: number;
  /** Monotonic times (performance.now()) the request was sent and its outcome known. */
  sentAt: number;
  doneAt?: number;
  outcome: 'pending' | 'acked' | 'refused' | 'lost' | 'rejected';
  status?: number;
  error?: string;
  /** The response's `connection` header (SIGTERM: a refusal closes the connection). */
  connection?: string | null;
  /** Problem code of a non-2xx answer. */
  code?: string;
  method: string;
  path: string;
  body: unknown;
  /** For a move and a ticket: the deal / company it acted on. */
  companyId?: string;
  dealId?: string;
  /** What an acknowledged answer said was written. */
  result?: { companyId?: string; contactId?: string; interactionId?: string; dealId?: string; ticketId?: string; ticketNumber?: string; stage?: string };
  /** Sent again after a restart with the same Idempotency-Key. */
  retried?: boolean;
};

/** Every operation of a run, and what the writers may still build on. */
export type Ledger = {
  ops: Op[];
  /** Companies of acknowledged prospects. */
  companies: string[];
  /** Acknowledged deals still at discovery, free for a move. */
  openDeals: string[];
};

export const newLedger = (): Ledger => ({ ops: [], companies: [], openDeals: [] });

/** Writes the writers' requests carry in their request id, so an audit row says which operation wrote it. */
const RID = /^fault\.c(\d+)\.w(\d+)\.n(\d+)\.(prospect|deal|move|ticket)$/;
export const ridKind = (rid: string): OpKind | undefined => RID.exec(rid)?.[4] as OpKind | undefined;

function pickKind(ledger: Ledger, random: () => number): OpKind {
  const r = random();
  if (ledger.companies.length === 0 || r < 0.4) return 'prospect';
  if (r < 0.6) return 'deal';
  if (r < 0.8 && ledger.openDeals.length > 0) return 'move';
  return 'ticket';
}

function takeRandom<T>(list: T[], random: () => number, remove = false): T {
  const i = Math.floor(random() * list.length);
  const item = list[i]!;
  if (remove) list.splice(i, 1);
  return item;
}

function planOp(ledger: Ledger, rid: string, kind: OpKind, cycle: number, random: () => number): Op {
  const base = { rid, kind, cycle, sentAt: 0, outcome: 'pending' as const, method: 'POST' };
  switch (kind) {
    case 'prospect':
      return {
        ...base,
        path: '/api/v1/sales/prospects',
        body: {
          company: { name: `Fault ${rid}`, industry: 'Construction' },
          contact: { name: `Pat ${rid}`, email: `${rid}@fault.example` },
          interaction: { type: 'call', summary: `First call (${rid})`, outcome: 'interested', next_step: 'Send the audit offer' },
        },
      };
    case 'deal': {
      const companyId = takeRandom(ledger.companies, random);
      return { ...base, path: '/api/v1/deals', companyId, body: { company_id: companyId, name: `Deal ${rid}`, value: '12000.00', currency: 'AUD' } };
    }
    case 'move': {
      // Taken off the list: one move per deal, and an unanswered move leaves the deal's stage unknown.
      const dealId = takeRandom(ledger.openDeals, random, true);
      return { ...base, path: `/api/v1/deals/${dealId}/stage`, dealId, body: { stage: 'proposal', expected_version: 1 } };
    }
    case 'ticket': {
      const companyId = takeRandom(ledger.companies, random);
      return { ...base, path: '/api/v1/support_tickets', companyId, body: { company_id: companyId, subject: `Help ${rid}`, category: 'other', priority: 'medium' } };
    }
  }
}

/** What the answer of an acknowledged operation says was written; throws if it does not say. */
function resultOf(op: Op, body: any): NonNullable<Op['result']> {
  const need = (v: unknown, what: string): string => {
    if (typeof v !== 'string' || !v) throw new Error(`${op.kind} ${op.rid}: the answer has no ${what}: ${JSON.stringify(body).slice(0, 300)}`);
    return v;
  };
  switch (op.kind) {
    case 'prospect':
      return { companyId: need(body?.company?.id, 'company.id'), contactId: need(body?.contact?.id, 'contact.id'), interactionId: need(body?.interaction?.id, 'interaction.id') };
    case 'deal':
      return { dealId: need(body?.id, 'id'), companyId: need(body?.company_id, 'company_id'), stage: need(body?.stage, 'stage') };
    case 'move':
      return { dealId: need(body?.deal?.id, 'deal.id'), stage: need(body?.deal?.stage, 'deal.stage') };
    case 'ticket':
      return { ticketId: need(body?.id, 'id'), ticketNumber: need(body?.ticket_number, 'ticket_number'), companyId: need(body?.company_id, 'company_id') };
  }
}

/** Sends one operation and records its outcome on `op` (never throws for a broken connection). */
export async function send(base: string, key: string, op: Op): Promise<Op> {
  op.sentAt = performance.now();
  try {
    const res = await fetch(`${base}${op.path}`, {
      method: op.method,
      headers: {
        ...auth(key),
        'content-type': 'application/json',
        'x-request-id': op.rid,
        // A prospect may be sent again after a crash: the key makes the retry answer, not repeat.
        ...(op.kind === 'prospect' ? { 'idempotency-key': op.rid } : {}),
      },
      body: JSON.stringify(op.body),
      signal: AbortSignal.timeout(120_000),
    });
    op.status = res.status;
    op.connection = res.headers.get('connection');
    const text = await res.text();
    const body = text ? JSON.parse(text) : undefined;
    if (res.status >= 200 && res.status < 300) {
      op.result = resultOf(op, body);
      op.outcome = 'acked';
    } else {
      op.code = body?.code;
      op.error = text.slice(0, 500);
      op.outcome = res.status === 503 && body?.code === 'UNAVAILABLE' ? 'refused' : 'rejected';
    }
  } catch (e) {
    op.outcome = 'lost';
    const err = e as Error & { cause?: { code?: string; message?: string } };
    op.error = err.cause?.code ?? err.cause?.message ?? err.message;
  }
  op.doneAt = performance.now();
  return op;
}

/** Makes the acknowledged outcome available to later operations of the run. */
function remember(ledger: Ledger, op: Op) {
  if (op.outcome !== 'acked' || !op.result) return;
  if (op.kind === 'prospect' && op.result.companyId) ledger.companies.push(op.result.companyId);
  if (op.kind === 'deal' && op.result.dealId) ledger.openDeals.push(op.result.dealId);
}

export type DriveOptions = {
  base: string;
  key: string;
  ledger: Ledger;
  cycle: number;
  writers: number;
  random: () => number;
  /** The writers stop sending once this is true (each finishes the request it has open). */
  stop: () => boolean;
};

/**
 * Runs `writers` loops, each sending one operation after another, until `stop()` or until the
 * server no longer answers. Resolves when every writer has its last outcome.
 */
export async function drive(opts: DriveOptions): Promise<void> {
  const { ledger, cycle, random } = opts;
  const writer = async (w: number) => {
    for (let n = 0; !opts.stop(); n++) {
      const rid = `fault.c${cycle}.w${w}.n${n}.${pickKind(ledger, random)}`;
      const op = planOp(ledger, rid, ridKind(rid)!, cycle, random);
      ledger.ops.push(op);
      await send(opts.base, opts.key, op);
      remember(ledger, op);
      // No answer means no server: this writer is done (a refusal too, when it was stopping).
      if (op.outcome === 'lost' || op.outcome === 'refused') return;
    }
  };
  await Promise.all(Array.from({ length: opts.writers }, (_, w) => writer(w)));
}

// ---------------------------------------------------------------------------
// One crash cycle

export type CycleOptions = {
  target: FaultTarget;
  served: Served;
  key: string;
  ledger: Ledger;
  cycle: number;
  /** Draws the kill moment. */
  random: () => number;
  /**
   * Draws the writers' operations: a stream of its own, since concurrent writers draw in an
   * order that timing decides, and the kill moments must replay exactly.
   */
  mix: () => number;
  writers?: number;
  /** The SIGKILL lands this long after the writers start, drawn from [min, max) ms. */
  killAfterMs?: [number, number];
};

export type CycleResult = {
  served: Served;
  killAtMs: number;
  /** Acknowledged before the kill. */
  acked: number;
  /** Answered after the restart to a retry with the same Idempotency-Key. */
  retried: number;
  restartMs: number;
  /** Acknowledged operations of this cycle the restarted server does not serve as answered. */
  problems: string[];
};

/**
 * Writers run against `served`; at a random moment it is SIGKILLed; it is started again on the
 * same data (it must serve /healthz and a list); every operation of this cycle acknowledged
 * before the kill is read back through the API; unanswered prospects are retried with their
 * Idempotency-Key. Answers the restarted server.
 */
export async function killCycle(opts: CycleOptions): Promise<CycleResult> {
  const { target, key, ledger, cycle } = opts;
  const [min, max] = opts.killAfterMs ?? [200, 2_500];
  const killAtMs = between(opts.random, min, max);
  let killed = false;
  const writing = drive({ base: opts.served.url, key, ledger, cycle, writers: opts.writers ?? 8, random: opts.mix, stop: () => killed });
  await sleep(killAtMs);
  killed = true;
  await killHard(opts.served);
  await writing;
  const served = await serveTarget(target, key);
  const mine = ledger.ops.filter((o) => o.cycle === cycle);
  const acked = mine.filter((o) => o.outcome === 'acked').length;
  const retried = await retryUnanswered(served, key, ledger, mine);
  const problems = [...unexpectedOutcomes(mine), ...(await readBack(served.url, key, mine.filter((o) => o.outcome === 'acked')))];
  return { served, killAtMs, acked, retried, restartMs: served.startMs, problems };
}

/** A 4xx or 5xx from a live server is a bug of the writer or of the server, never a crash effect. */
export function unexpectedOutcomes(ops: Op[]): string[] {
  return ops.filter((o) => o.outcome === 'rejected').map((o) => `${o.rid}: answered ${o.status} ${o.error ?? ''}`);
}

/**
 * Sends each unanswered prospect again, with the same Idempotency-Key and body: the client's
 * retry after a crash. It must succeed (the first attempt either committed whole, and is
 * replayed, or not at all, and runs now); the retry then counts as acknowledged.
 */
async function retryUnanswered(served: Served, key: string, ledger: Ledger, ops: Op[]): Promise<number> {
  let n = 0;
  for (const op of ops) {
    if (op.kind !== 'prospect' || op.outcome !== 'lost') continue;
    const again: Op = { ...op, outcome: 'pending', retried: true };
    delete again.error;
    await send(served.url, key, again);
    Object.assign(op, again);
    remember(ledger, op);
    n++;
  }
  return n;
}

/** Reads every acknowledged operation back through the API; answers what does not match. */
export async function readBack(base: string, key: string, ops: Op[]): Promise<string[]> {
  const problems: string[] = [];
  const get = async (p: string) => {
    const r = await fetch(`${base}${p}`, { headers: auth(key), signal: AbortSignal.timeout(60_000) });
    return { status: r.status, body: (await r.json()) as any };
  };
  const check = async (op: Op) => {
    const r = op.result!;
    if (op.kind === 'prospect') {
      const c = await get(`/api/v1/companies/${r.companyId}`);
      if (c.status !== 200 || c.body.name !== `Fault ${op.rid}`) problems.push(`lost ${op.rid}: company ${r.companyId} answered ${c.status}`);
      const ct = await get(`/api/v1/contacts/${r.contactId}`);
      if (ct.status !== 200 || ct.body.company_id !== r.companyId) problems.push(`lost ${op.rid}: contact ${r.contactId} answered ${ct.status}`);
    } else if (op.kind === 'deal' || op.kind === 'move') {
      const d = await get(`/api/v1/deals/${r.dealId}`);
      if (d.status !== 200) problems.push(`lost ${op.rid}: deal ${r.dealId} answered ${d.status}`);
      else if (op.kind === 'move' && d.body.stage !== 'proposal') problems.push(`lost ${op.rid}: deal ${r.dealId} is at ${d.body.stage}, the move to proposal was acknowledged`);
    } else {
      const t = await get(`/api/v1/support_tickets/${r.ticketId}`);
      if (t.status !== 200 || t.body.ticket_number !== r.ticketNumber) problems.push(`lost ${op.rid}: ticket ${r.ticketId} answered ${t.status} ${t.body?.ticket_number ?? ''}`);
    }
  };
  // A few at a time: the point is the answers, not load.
  for (let i = 0; i < ops.length; i += 8) await Promise.all(ops.slice(i, i + 8).map(check));
  return problems;
}

// ---------------------------------------------------------------------------
// The checks on the database itself

export type Findings = {
  /** Acknowledged operations whose records are missing or not as answered. */
  lost: string[];
  /** Operations done in part, records without their audit row or the reverse, broken counters. */
  halfDone: string[];
  /** How many acknowledged operations were checked. */
  checked: number;
};

/** The records each operation must have written, as audit rows (action, table) naming them. */
const REQUIRED_AUDIT: Record<OpKind, [string, string][]> = {
  prospect: [
    ['create', 'companies'],
    ['create', 'contacts'],
    ['create', 'interactions'],
    ['status_change', 'companies'],
  ],
  deal: [['create', 'deals']],
  move: [['status_change', 'deals']],
  ticket: [['create', 'support_tickets']],
};

/** Tables whose every row was made through the audited resource layer. */
const AUDITED_TABLES = ['companies', 'contacts', 'interactions', 'deals', 'support_tickets'];

type Q = <T = Record<string, unknown>>(text: string, params?: unknown[]) => Promise<T[]>;

/**
 * Every check of the crash cycles, run on the database itself once the runs are over.
 * `ledger` says what was acknowledged; the rest holds for every row, whatever was answered.
 */
export async function checkDatabase(database: Database, ledger: Ledger): Promise<Findings> {
  const q: Q = (text, params) => database.query(text, params);
  const acked = ledger.ops.filter((o) => o.outcome === 'acked');
  return {
    lost: await lostWrites(q, acked),
    halfDone: [...(await halfDoneOperations(q, ledger)), ...(await orphans(q)), ...(await counters(q))],
    checked: acked.length,
  };
}

/** Acknowledged operations whose records are not there as answered. */
async function lostWrites(q: Q, acked: Op[]): Promise<string[]> {
  const out: string[] = [];
  const ids = (kind: OpKind, f: (r: NonNullable<Op['result']>) => string | undefined) => acked.filter((o) => o.kind === kind).map((o) => f(o.result!)!);
  const byId = async (table: string, list: string[], cols: string) =>
    new Map((await q<{ id: string } & Record<string, unknown>>(`select id, ${cols} from ${table} where id = any($1::uuid[])`, [list])).map((r) => [r.id, r]));
  const companies = await byId('companies', ids('prospect', (r) => r.companyId), 'name, status');
  const contacts = await byId('contacts', ids('prospect', (r) => r.contactId), 'company_id');
  const interactions = await byId('interactions', ids('prospect', (r) => r.interactionId), 'company_id, contact_id');
  const deals = await byId('deals', [...ids('deal', (r) => r.dealId), ...ids('move', (r) => r.dealId)], 'company_id, stage');
  const tickets = await byId('support_tickets', ids('ticket', (r) => r.ticketId), 'company_id, ticket_number');
  const keys = new Set((await q<{ key: string }>(`select key from idempotency_keys where status_code = 201 and key = any($1::text[])`, [acked.map((o) => o.rid)])).map((r) => r.key));
  for (const op of acked) {
    const r = op.result!;
    const miss = (what: string) => out.push(`${op.rid} (cycle ${op.cycle}, acknowledged): ${what}`);
    if (op.kind === 'prospect') {
      const c = companies.get(r.companyId!);
      if (!c) miss(`company ${r.companyId} is missing`);
      else if (c.name !== `Fault ${op.rid}`) miss(`company ${r.companyId} is named ${String(c.name)}`);
      if (contacts.get(r.contactId!)?.company_id !== r.companyId) miss(`contact ${r.contactId} is missing or not at its company`);
      const i = interactions.get(r.interactionId!);
      if (!i || i.company_id !== r.companyId || i.contact_id !== r.contactId) miss(`interaction ${r.interactionId} is missing or not with its company and contact`);
      if (!keys.has(op.rid)) miss('its Idempotency-Key has no stored answer');
    } else if (op.kind === 'deal') {
      if (deals.get(r.dealId!)?.company_id !== r.companyId) miss(`deal ${r.dealId} is missing`);
    } else if (op.kind === 'move') {
      const d = deals.get(r.dealId!);
      if (d?.stage !== 'proposal') miss(`deal ${r.dealId} is at ${String(d?.stage)}, the move to proposal was acknowledged`);
    } else {
      const t = tickets.get(r.ticketId!);
      if (!t || t.ticket_number !== r.ticketNumber || t.company_id !== r.companyId) miss(`ticket ${r.ticketId} (${r.ticketNumber}) is missing or renumbered`);
    }
  }
  return out;
}

/**
 * Per operation, by the request id its audit rows carry: an operation that left any audit row
 * left all the rows it must write, each naming a record that exists; every acknowledged
 * operation left its rows; a prospect's Idempotency-Key holds its answer.
 */
async function halfDoneOperations(q: Q, ledger: Ledger): Promise<string[]> {
  const out: string[] = [];
  const rows = await q<{ request_id: string; action: string; table_name: string; record_id: string | null; present: boolean }>(
    `select a.request_id, a.action, a.table_name, a.record_id,
            case a.table_name
              when 'companies' then exists (select 1 from companies x where x.id = a.record_id)
              when 'contacts' then exists (select 1 from contacts x where x.id = a.record_id)
              when 'interactions' then exists (select 1 from interactions x where x.id = a.record_id)
              when 'deals' then exists (select 1 from deals x where x.id = a.record_id)
              when 'support_tickets' then exists (select 1 from support_tickets x where x.id = a.record_id)
              else true end as present
       from audit_log a where a.request_id like 'fault.%'`,
  );
  const byRid = new Map<string, typeof rows>();
  for (const r of rows) byRid.set(r.request_id, [...(byRid.get(r.request_id) ?? []), r]);
  const keys = new Map((await q<{ key: string; status_code: number }>(`select key, status_code from idempotency_keys where key like 'fault.%'`)).map((r) => [r.key, r.status_code]));
  for (const [rid, list] of byRid) {
    const kind = ridKind(rid);
    if (!kind) {
      out.push(`${rid}: an audit row with a request id no writer sent`);
      continue;
    }
    for (const [action, table] of REQUIRED_AUDIT[kind]) {
      if (!list.some((r) => r.action === action && r.table_name === table)) out.push(`${rid}: half-done ${kind}, no ${action} audit row for ${table} (it has ${list.map((r) => `${r.action} ${r.table_name}`).join(', ')})`);
    }
    for (const r of list) if (!r.present) out.push(`${rid}: audit row ${r.action} ${r.table_name} ${r.record_id} names a record that does not exist`);
    if (kind === 'prospect' && keys.get(rid) !== 201) out.push(`${rid}: the prospect was written but its Idempotency-Key holds ${keys.get(rid) ?? 'nothing'}`);
  }
  for (const [key, status] of keys) {
    if (status !== 201) out.push(`idempotency key ${key}: left at status ${status} (a request recorded without its answer)`);
    else if (!byRid.has(key)) out.push(`idempotency key ${key}: holds an answer, but the prospect left no audit row`);
  }
  for (const op of ledger.ops) {
    if (op.outcome === 'acked' && !byRid.has(op.rid)) out.push(`${op.rid} (acknowledged): no audit row carries its request id`);
  }
  return out;
}

/** Records without their audit row, audit rows without their record, children without their parts. */
async function orphans(q: Q): Promise<string[]> {
  const out: string[] = [];
  for (const t of AUDITED_TABLES) {
    for (const r of await q<{ id: string }>(`select x.id from ${t} x where not exists (select 1 from audit_log a where a.table_name = '${t}' and a.record_id = x.id and a.action = 'create')`)) {
      out.push(`${t} ${r.id}: a record without its create audit row`);
    }
    for (const r of await q<{ record_id: string }>(`select a.record_id from audit_log a where a.table_name = '${t}' and a.action = 'create' and not exists (select 1 from ${t} x where x.id = a.record_id)`)) {
      out.push(`${t} ${r.record_id}: a create audit row without its record`);
    }
  }
  // sales.log_prospect makes the company, its contact and its first interaction together, and moves it on.
  for (const r of await q<{ id: string; status: string; contacts: number; interactions: number }>(
    `select c.id, c.status,
            (select count(*)::int from contacts x where x.company_id = c.id) as contacts,
            (select count(*)::int from interactions x where x.company_id = c.id) as interactions
       from companies c
      where exists (select 1 from audit_log a where a.table_name = 'companies' and a.record_id = c.id and a.action = 'create' and a.operation = 'sales.log_prospect')`,
  )) {
    if (r.contacts !== 1 || r.interactions !== 1 || r.status !== 'contacted') out.push(`company ${r.id}: a half-done prospect (${r.contacts} contacts, ${r.interactions} interactions, status ${r.status})`);
  }
  for (const r of await q<{ id: string }>(`select i.id from interactions i where i.contact_id is not null and not exists (select 1 from contacts c where c.id = i.contact_id and c.company_id = i.company_id)`)) {
    out.push(`interaction ${r.id}: its contact is missing or at another company`);
  }
  return out;
}

/** Counters and histories that must agree with the rows they count. */
async function counters(q: Q): Promise<string[]> {
  const out: string[] = [];
  // Exactly one open status_history row per company and deal, at its current status.
  for (const [entity, table, field] of [['company', 'companies', 'status'], ['deal', 'deals', 'stage']] as const) {
    for (const r of await q<{ id: string; current: string; open: number; at: string | null }>(
      `select x.id, x.${field} as current, count(h.id)::int as open, max(h.status) as at
         from ${table} x left join status_history h on h.entity_type = '${entity}' and h.entity_id = x.id and h.exited_at is null
        group by x.id, x.${field}`,
    )) {
      if (r.open !== 1 || r.at !== r.current) out.push(`${entity} ${r.id}: ${r.open} open status_history rows (${r.at}) for status ${r.current}`);
    }
  }
  // A deal's version counts its audited changes (create, then one per update or move), and its
  // status_history one row per stage it entered.
  for (const r of await q<{ id: string; version: number; audits: number; entered: number; moves: number }>(
    `select d.id, d.version,
            (select count(*)::int from audit_log a where a.table_name = 'deals' and a.record_id = d.id and a.action in ('create', 'update', 'status_change')) as audits,
            (select count(*)::int from status_history h where h.entity_type = 'deal' and h.entity_id = d.id) as entered,
            (select count(*)::int from audit_log a where a.table_name = 'deals' and a.record_id = d.id and a.action = 'status_change') as moves
       from deals d`,
  )) {
    if (r.version !== r.audits || r.entered !== r.moves + 1) out.push(`deal ${r.id}: version ${r.version}, ${r.audits} audit rows, ${r.entered} stages entered for ${r.moves} moves`);
  }
  // Ticket numbers: 1..last_value for each year, none skipped, none twice.
  const seqs = await q<{ year: number; last_value: number }>(`select year, last_value from document_sequences where kind = 'ticket'`);
  const numbers = await q<{ ticket_number: string }>(`select ticket_number from support_tickets`);
  const byYear = new Map<number, number[]>();
  for (const { ticket_number } of numbers) {
    const m = /^TKT-(\d{4})-(\d+)$/.exec(ticket_number);
    if (!m) {
      out.push(`ticket number ${ticket_number} is malformed`);
      continue;
    }
    byYear.set(Number(m[1]), [...(byYear.get(Number(m[1])) ?? []), Number(m[2])]);
  }
  for (const year of new Set([...byYear.keys(), ...seqs.map((s) => s.year)])) {
    const last = seqs.find((s) => s.year === year)?.last_value ?? 0;
    const got = (byYear.get(year) ?? []).sort((a, b) => a - b);
    const expected = Array.from({ length: last }, (_, i) => i + 1);
    if (got.join(',') !== expected.join(',')) out.push(`tickets of ${year}: the counter is at ${last} but the numbers are ${summarise(got)}`);
  }
  return out;
}

const summarise = (ns: number[]) => (ns.length > 12 ? `${ns.slice(0, 6).join(',')}…${ns.slice(-6).join(',')} (${ns.length})` : ns.join(',') || 'none');

/** Runs `fn` on the target's database opened in this process, closing it after. */
export async function withDatabase<T>(target: FaultTarget, fn: (database: Database) => Promise<T>): Promise<T> {
  const database = await target.open();
  try {
    return await fn(database);
  } finally {
    await database.close();
  }
}

// ---------------------------------------------------------------------------
// A whole run of crash cycles

export type CrashRun = {
  seed: number;
  cycles: number;
  /** Acknowledged operations checked on the database at the end. */
  acknowledged: number;
  lost: string[];
  halfDone: string[];
  /** Restarts that did not come up serving the data (the run stops at the first). */
  failedOpens: string[];
  /** 4xx/5xx answers of a live server, and read-backs through the API that did not match. */
  problems: string[];
  restartMs: number[];
  ackedPerCycle: number[];
  killAtMs: number[];
  retried: number;
  /** Every operation sent, with its outcome. */
  ledger: Ledger;
  /** The administrator key the writers used. */
  key: string;
};

export type CrashRunOptions = {
  target: FaultTarget;
  cycles: number;
  seed: number;
  writers?: number;
  killAfterMs?: [number, number];
  log?: (line: string) => void;
};

/**
 * The crash cycles on one target, from its first start: kill, restart, read back, `cycles`
 * times; then the server is stopped and the database checked as a whole. Throws nothing for
 * a finding: everything found is in the result (a failed restart ends the run early).
 */
export async function crashRun(opts: CrashRunOptions): Promise<CrashRun> {
  const { target, seed } = opts;
  const random = seededRandom(seed);
  const mix = seededRandom(seed ^ 0x5bd1e995);
  const log = opts.log ?? (() => {});
  const ledger = newLedger();
  const run: CrashRun = { seed, cycles: 0, acknowledged: 0, lost: [], halfDone: [], failedOpens: [], problems: [], restartMs: [], ackedPerCycle: [], killAtMs: [], retried: 0, ledger, key: '' };
  let served = await serveTarget(target);
  try {
    const key = (run.key = await adminKey(served));
    for (let cycle = 1; cycle <= opts.cycles; cycle++) {
      let r: CycleResult;
      try {
        r = await killCycle({ target, served, key, ledger, cycle, random, mix, ...(opts.writers ? { writers: opts.writers } : {}), ...(opts.killAfterMs ? { killAfterMs: opts.killAfterMs } : {}) });
      } catch (e) {
        run.failedOpens.push(`cycle ${cycle}: ${(e as Error).message}`);
        log(`cycle ${cycle}: the restart failed (seed ${seed}): ${(e as Error).message.slice(0, 2000)}`);
        break;
      }
      served = r.served;
      run.cycles = cycle;
      run.restartMs.push(r.restartMs);
      run.ackedPerCycle.push(r.acked);
      run.killAtMs.push(r.killAtMs);
      run.retried += r.retried;
      run.problems.push(...r.problems);
      log(`cycle ${cycle}: killed after ${r.killAtMs} ms, ${r.acked} acknowledged, ${r.retried} unanswered prospects retried, healthy again in ${r.restartMs} ms${r.problems.length ? `, ${r.problems.length} problems` : ''}`);
    }
  } finally {
    await stopGracefully(served);
  }
  if (run.failedOpens.length === 0) {
    const found = await withDatabase(target, (database) => checkDatabase(database, ledger));
    run.acknowledged = found.checked;
    run.lost = found.lost;
    run.halfDone = found.halfDone;
  }
  return run;
}

export const median = (ns: number[]) => {
  if (ns.length === 0) return 0;
  const s = [...ns].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : Math.round((s[m - 1]! + s[m]!) / 2);
};

/** One line per finding, headed by the seed that replays the run. */
export function describeRun(run: CrashRun): string {
  const lines = [
    `seed ${run.seed} (replay with FAULT_SEED=${run.seed}): ${run.cycles} cycles, ${run.acknowledged} acknowledged operations checked`,
    ...run.failedOpens.map((s) => `failed to open: ${s}`),
    ...run.lost.map((s) => `lost: ${s}`),
    ...run.halfDone.map((s) => `half-done: ${s}`),
    ...run.problems.map((s) => `problem: ${s}`),
  ];
  return lines.join('\n');
}

// ---------------------------------------------------------------------------
// A first start (migrations), killed

/** The server logs this once its migrations are applied. */
export const MIGRATED = /Database ready/;

/**
 * Waits until the starting server is migrating: on PostgreSQL it holds the migration's
 * advisory lock (src/db/migrate.ts); on PGlite initdb has finished (PG_VERSION is written at
 * its end) and the migrations come next. False if the server got past its migrations or
 * exited before that was seen.
 */
export async function migrationStarted(target: FaultTarget, starting: { child: ChildProcess; output(): string }): Promise<boolean> {
  const gone = () => starting.child.exitCode !== null || starting.child.signalCode !== null || MIGRATED.test(starting.output());
  if (target.backend === 'pglite') {
    const marker = path.join(target.dataDir, 'pglite', 'PG_VERSION');
    while (!fs.existsSync(marker)) {
      if (gone()) return false;
      await sleep(5);
    }
    return !gone();
  }
  const probe = await target.open();
  try {
    for (;;) {
      const [r] = await probe.query<{ held: boolean }>(
        `select exists (select 1 from pg_locks where locktype = 'advisory' and granted and database = (select oid from pg_database where datname = current_database())) as held`,
      );
      if (r!.held) return !gone();
      if (gone()) return false;
      await sleep(5);
    }
  } finally {
    await probe.close();
  }
}

/** What a migrated schema is made of, to compare a database with one migrated without a crash. */
export type SchemaPrint = {
  tables: string[];
  columns: string[];
  indexes: string[];
  constraints: string[];
  triggers: string[];
  /** Rows the migrations themselves insert (the default pipelines). */
  stages: string[];
  /** drizzle's record of the applied migrations. */
  migrations: string[];
};

export async function schemaPrint(database: Database): Promise<SchemaPrint> {
  const list = async (sql: string) => (await database.query<{ v: string }>(sql)).map((r) => r.v);
  const [has] = await database.query<{ migrations: boolean; stages: boolean }>(
    `select to_regclass('drizzle.__drizzle_migrations') is not null as migrations, to_regclass('public.pipeline_stages') is not null as stages`,
  );
  return {
    tables: await list(`select table_name::text as v from information_schema.tables where table_schema = 'public' order by 1`),
    columns: await list(`select table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable || ' ' || coalesce(column_default, '') as v from information_schema.columns where table_schema = 'public' order by 1`),
    indexes: await list(`select indexname::text as v from pg_indexes where schemaname = 'public' order by 1`),
    constraints: await list(`select c.conrelid::regclass::text || '.' || c.conname as v from pg_constraint c join pg_namespace n on n.oid = c.connamespace where n.nspname = 'public' order by 1`),
    triggers: await list(`select t.tgrelid::regclass::text || '.' || t.tgname as v from pg_trigger t join pg_class c on c.oid = t.tgrelid join pg_namespace n on n.oid = c.relnamespace where n.nspname = 'public' and not t.tgisinternal order by 1`),
    stages: has!.stages ? await list(`select pipeline || '.' || key as v from pipeline_stages order by 1`) : [],
    migrations: has!.migrations ? await list(`select hash as v from drizzle.__drizzle_migrations order by id`) : [],
  };
}

// ---------------------------------------------------------------------------
// Imports

/**
 * A contacts CSV of `rows` new people, ten to a company (which the import creates by its
 * domain): each row writes a contact, every tenth a company too, each with audit rows.
 */
export function contactsCsv(tag: string, rows: number): string {
  const lines = ['name,email,company_name,company_domain'];
  for (let i = 0; i < rows; i++) {
    const co = Math.floor(i / 10);
    lines.push(`Person ${i} ${tag},person${i}.${tag}@import.example,Import Co ${co} ${tag},co${co}-${tag}.example`);
  }
  return lines.join('\n');
}

export type ImportJobView = {
  id: string;
  status: string;
  total_rows: number;
  processed_rows: number;
  created_count: number;
  updated_count: number;
  skipped_count: number;
  error_count: number;
  failure: string | null;
  done: boolean;
};

/**
 * The job as GET /api/v1/imports/{id} shows it, on a connection of its own: a kept-alive one
 * can be closed by the server at the moment a request is sent on it (the server's keep-alive
 * timer runs late after its event loop was busy), which would fail the poll, not the import.
 */
export async function importJob(base: string, key: string, id: string, timeoutMs = 120_000): Promise<ImportJobView> {
  const r = await getJson(`${base}/api/v1/imports/${id}`, key, timeoutMs);
  if (r.status !== 200) throw new Error(`import ${id} answered ${r.status}: ${JSON.stringify(r.body)}`);
  return r.body as ImportJobView;
}

/** A GET with this key on a new connection: status and parsed body; rejects when nothing answered in time. */
export function getJson(url: string, key: string, timeoutMs: number): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false, timeout: timeoutMs, headers: auth(key) }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error(`no answer from ${url} in ${timeoutMs} ms`), { code: 'TIMEOUT' })));
    req.on('error', reject);
  });
}

/** Polls the job until `until` holds (or `timeoutMs` passes, then throws with the last view). */
export async function waitForImport(base: string, key: string, id: string, until: (j: ImportJobView) => boolean, timeoutMs: number): Promise<ImportJobView> {
  const end = Date.now() + timeoutMs;
  let job = await importJob(base, key, id);
  while (!until(job)) {
    if (Date.now() > end) throw new Error(`import ${id} did not get there in ${timeoutMs} ms: ${JSON.stringify(job)}`);
    await sleep(50);
    job = await importJob(base, key, id);
  }
  return job;
}

/**
 * Waits until the worker is writing the job's rows. On PostgreSQL the job row says so
 * (`committed`: a chunk has committed). On PGlite the database cannot be opened beside the
 * server, and the job's status often cannot be had either: a round of chunks keeps the
 * server's event loop busy (PGlite answers within microtasks and the round never yields), so
 * no request is answered until the round ends. A status request left unanswered for `busyMs`
 * is then the sign that the round has begun (`committed` false: no chunk may have committed yet).
 */
export async function importUnderway(target: FaultTarget, base: string, key: string, id: string, timeoutMs = 120_000, busyMs = 1_000): Promise<{ committed: boolean }> {
  const end = Date.now() + timeoutMs;
  const database = target.backend === 'postgres' ? await target.open() : undefined;
  try {
    while (Date.now() < end) {
      let job: Pick<ImportJobView, 'processed_rows' | 'total_rows' | 'status'>;
      if (database) {
        [job] = (await database.query<ImportJobView>(`select processed_rows, total_rows, status from import_jobs where id = $1`, [id])) as [ImportJobView];
      } else {
        try {
          job = await importJob(base, key, id, busyMs);
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code === 'TIMEOUT') return { committed: false };
          throw e;
        }
      }
      if (job.processed_rows >= job.total_rows || job.status !== 'pending' && job.status !== 'running') {
        throw new Error(`import ${id} finished before it could be interrupted: use a larger file (${JSON.stringify(job)})`);
      }
      if (job.processed_rows > 0) return { committed: true };
      await sleep(20);
    }
  } finally {
    await database?.close();
  }
  throw new Error(`import ${id} did not start in ${timeoutMs} ms`);
}

// ---------------------------------------------------------------------------
// SIGTERM

/** One GET on a connection of its own: the status, or the error code when nothing answered. */
export function probe(url: string): Promise<{ status?: number; error?: string }> {
  return new Promise((resolve) => {
    const req = http.get(url, { agent: false, timeout: 10_000 }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0 }));
      res.on('error', (e: NodeJS.ErrnoException) => resolve({ error: e.code ?? e.message }));
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
    req.on('error', (e: NodeJS.ErrnoException) => resolve({ error: e.code ?? e.message }));
  });
}

/**
 * The state pg_control records for the embedded database: 'shut down' after a clean close (a
 * shutdown checkpoint was written), 'in production' when the process died with it open. The
 * state is the int after the system identifier (8 bytes) and two version words (4 + 4).
 */
export function pgliteControlState(dataDir: string): string {
  const control = fs.readFileSync(path.join(dataDir, 'pglite', 'global', 'pg_control'));
  const states = ['starting up', 'shut down', 'shut down in recovery', 'shutting down', 'in crash recovery', 'in archive recovery', 'in production'];
  const n = control.readInt32LE(16);
  return states[n] ?? `unknown (${n})`;
}
