/**
 * Benchmark: load (issue 12). Many clients at once on one server child, with the mix of
 * requests a CRM's users send, on PGlite and on PostgreSQL.
 *
 * Target (issue 12): no 5xx, and p95 under 100 ms for single-record reads and writes, at 20
 * concurrent clients on PGlite and at 100 on PostgreSQL.
 *
 * The mix. autocannon (in the bench's process) drives `connections` clients, each with one
 * keep-alive connection and one request in flight. Every client walks the same cycle of 20
 * requests (`CYCLE`), whose parameters are drawn at random each time:
 *   - 35% list pages: companies at a status sorted by name, the newest contacts (default sort),
 *     the contacts of a company, the open deals at a stage by value, a company's interactions;
 *   - 30% single-record reads: a company, a contact or a deal by id;
 *   - 15% writes: one new contact (POST), then two updates of that same contact (PATCH with
 *     If-Match of the version it last answered). Each client updates only the records it
 *     created, so a 409/412 is never expected; any is counted apart from errors all the same;
 *   - 10% the follow-up inbox, GET /api/v1/sales/follow-ups: everyone's this week (the default)
 *     or one owner's (owner_id);
 *   - 10% a report: an engagement's monthly ROI report (GET /api/v1/reports/monthly, JSON) for one of
 *     the last three months, or the sales insights dashboard (GET /api/v1/insights/sales).
 * autocannon's own histogram covers the whole run, so the latency of each response is taken
 * from its 'response' event and filed under the class and kind of the request it answers
 * (the request's `onResponse` runs just before that event, synchronously, on the same client,
 * and names it). The percentiles are exact, from every response, including non-2xx ones. The
 * first answer on each connection is set apart (`firstOnConnection`): every run opens all its
 * connections at once, and a server whose one thread is already saturated took up to 10 s to
 * read some new connections' first requests (PGlite, 100 clients), which is the ramp-up, not
 * the steady state the classes describe. During the timed run the CPU of the server child, of
 * the postgres processes and of the bench itself is read from /proc.
 *
 * The data: `seedInsights()` (bench/insights.ts: seedScale's companies, contacts, engagements
 * and usage, the report's delivery sections, leads, deals, status history, campaigns, users),
 * with 500,000 contacts (10,000 companies) by default, plus here 5 interactions per company over
 * the last two months, the newest of two companies in three with a follow-up date from two weeks
 * overdue to two weeks ahead, older ones answered by the next, so the inbox has thousands of
 * candidates to sort and check.
 */
import fs from 'node:fs';
import os from 'node:os';
import autocannon from 'autocannon';
import type { Database } from '../src/db/client.ts';
import { seedInsights, type InsightsSeed } from './insights.ts';
import { startServerChild, type ServerChild } from './procs.ts';

type Progress = (msg: string) => unknown;

// ---------------------------------------------------------------------------
// Seed

export type LoadSeedOptions = {
  contacts: number;
  usageRows: number;
  engagements: number;
  leads: number;
  deals: number;
  /** Interactions per company (the follow-up inbox reads them). */
  interactionsPerCompany: number;
};

/** Sizes of what was seeded: the requests draw their ids from them (see `idOf`). */
export type LoadIds = { companies: number; contacts: number; deals: number; engagements: number; owners: number };

/** The deterministic uuid of row `n` of a kind, as seedScale and bench/insights.ts make them (1 companies, 2 contacts, 3 engagements, 7 users, 9 deals). */
export const idOf = (kind: string, n: number) => `5ca1e000-000${kind}-4000-8000-${n.toString(16).padStart(12, '0')}`;
const uidSql = (kind: string, expr: string) => `('5ca1e000-000${kind}-4000-8000-' || lpad(to_hex(${expr}), 12, '0'))::uuid`;
/** bench/insights.ts makes 6 users, owners of companies, deals and engagements. */
const OWNERS = 6;
const INTERACTION_KIND = 'e';

/**
 * Interactions 1..C×K: K per company over the last two months, the newest (k = 0) first. The
 * newest of two companies in three carries a follow-up date from 14 days overdue to 14 days
 * ahead; half of the older ones carry one too, answered by the interaction after them.
 */
export function interactionsSql(C: number, N: number, K: number): string {
  const types = `(array['cold_call','cold_email','meeting','follow_up_call','follow_up_email','site_visit','call','email'])`;
  const outcomes = `(array['no_response','interested','meeting_booked','objection_raised','declined','next_step_agreed','proposal_requested'])`;
  const contact = `${uidSql('2', `c + k * ${C}`)}`;
  return `
    insert into interactions (id, company_id, contact_id, type, direction, interaction_date, subject, summary, outcome, next_step,
                              follow_up_date, assigned_to, created_at, updated_at)
    select ${uidSql(INTERACTION_KIND, `(c - 1) * ${K} + k + 1`)}, ${uidSql('1', 'c')},
           case when c + k * ${C} <= ${N} then ${contact} end,
           ${types}[(c + k) % 8 + 1], case when (c + k) % 3 = 0 then 'inbound' else 'outbound' end,
           at, 'touchpoint ' || k, 'spoke with company ' || c || ' about step ' || k, ${outcomes}[(c * 3 + k) % 7 + 1],
           'next step ' || k,
           case when k = 0 and c % 3 <> 0 then (now()::date + ((c * 7) % 29 - 14)::int)
                when k > 0 and (c + k) % 2 = 0 then (at + interval '5 days')::date end,
           case when c % 11 = 10 then null else ${uidSql('7', `c % ${OWNERS} + 1`)} end,
           at, at
      from (select c, k, now() - (k * 12 + c % 12) * interval '1 day' - (c % 600) * interval '1 minute' as at
              from generate_series(1, ${C}::bigint) c, generate_series(0, ${K - 1}) k) s`;
}

/** The seed's sizes from the number of contacts (companies = contacts ÷ 50, leads ÷ 10, deals ÷ 50, 5 interactions per company). */
export function loadSeedOptions(contacts: number, usageRows: number, engagements = 200): LoadSeedOptions {
  return { contacts, usageRows, engagements, leads: Math.ceil(contacts / 10), deals: Math.ceil(contacts / 50), interactionsPerCompany: 5 };
}

/** One sentence on the data, for the report. */
export function loadSeedNote(o: LoadSeedOptions, seeded: string[], skip: readonly Klass[] = []): string {
  const C = Math.max(o.engagements, Math.ceil(o.contacts / 50));
  const n = (x: number) => x.toLocaleString('en');
  return (
    `Seed: ${n(o.contacts)} contacts, ${n(C)} companies, ${n(o.deals)} deals, ${n(o.leads)} leads, ${n(C * o.interactionsPerCompany)} interactions, ` +
    `${n(o.usageRows)} ai_usage rows over ${o.engagements} engagements${seeded.length ? ` (seeded in ${seeded.join(', ')})` : ''}.` +
    (skip.length ? ` Left out of the mix: ${skip.join(', ')}.` : '')
  );
}

/** Seeds a migrated, empty database for the load benchmark; returns the sizes the requests draw from. */
export async function seedLoad(database: Database, o: LoadSeedOptions, progress: Progress): Promise<{ ids: LoadIds; seed: InsightsSeed }> {
  const seed = await seedInsights(database, o, progress);
  const C = Math.max(o.engagements, Math.ceil(o.contacts / 50));
  const t0 = performance.now();
  await database.query(interactionsSql(C, o.contacts, o.interactionsPerCompany));
  await database.query('analyze interactions');
  seed.seconds.interactions = (performance.now() - t0) / 1000;
  seed.rows.interactions = C * o.interactionsPerCompany;
  progress(`load seed: ${(C * o.interactionsPerCompany).toLocaleString('en')} interactions in ${seed.seconds.interactions.toFixed(1)} s`);
  return { ids: { companies: C, contacts: o.contacts, deals: o.deals, engagements: o.engagements, owners: OWNERS }, seed };
}

// ---------------------------------------------------------------------------
// The mix

export const CLASSES = ['list', 'get', 'write', 'follow_ups', 'report'] as const;
export type Klass = (typeof CLASSES)[number];
type Built = { kind: string; method: 'GET' | 'POST' | 'PATCH'; path: string; body?: string; headers?: Record<string, string> };
/** What one client remembers during one pass of the cycle (autocannon resets it at the end of each pass). */
type ClientState = { kind?: string; klass?: Klass; mine?: { id: string; version: number } };

/** A small deterministic generator, so that runs draw the same sequence of parameters. */
function rng(seed: number) {
  let s = seed >>> 0 || 1;
  return (n: number) => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s % n;
  };
}

const COMPANY_STATUSES = ['lead', 'contacted', 'meeting_scheduled', 'meeting_complete', 'auditing', 'supporting'];
const OPEN_DEAL_STAGES = ['discovery', 'proposal', 'negotiation'];

/** The last three whole months before the current one (a report is not asked for a month not yet begun). */
function recentMonths(): string[] {
  const now = new Date();
  return [1, 2, 3].map((back) => new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - back, 1)).toISOString().slice(0, 7));
}

/** The request builders of each class; each returns null when it cannot be built (an update with nothing created yet). */
function builders(ids: LoadIds, seed: number, skip: readonly Klass[] = []) {
  const r = rng(seed);
  const months = recentMonths();
  const company = () => idOf('1', r(ids.companies) + 1);
  let created = 0;
  const json = { 'content-type': 'application/json' };
  const list: (() => Built)[] = [
    () => ({ kind: 'list companies by status, sort name', method: 'GET', path: `/api/v1/companies?status=${COMPANY_STATUSES[r(COMPANY_STATUSES.length)]}&sort=name&limit=20` }),
    () => ({ kind: 'list newest contacts', method: 'GET', path: '/api/v1/contacts?limit=20' }),
    () => ({ kind: "list a company's contacts", method: 'GET', path: `/api/v1/contacts?company_id=${company()}&limit=50` }),
    () => ({ kind: 'list open deals by stage, sort -value', method: 'GET', path: `/api/v1/deals?stage=${OPEN_DEAL_STAGES[r(OPEN_DEAL_STAGES.length)]}&sort=-value&limit=20` }),
    () => ({ kind: "list a company's interactions", method: 'GET', path: `/api/v1/interactions?company_id=${company()}&limit=20` }),
  ];
  const get: (() => Built)[] = [
    () => ({ kind: 'get a company', method: 'GET', path: `/api/v1/companies/${company()}` }),
    () => ({ kind: 'get a contact', method: 'GET', path: `/api/v1/contacts/${idOf('2', r(ids.contacts) + 1)}` }),
    () => ({ kind: 'get a deal', method: 'GET', path: `/api/v1/deals/${idOf('9', r(ids.deals) + 1)}` }),
  ];
  const followUps: (() => Built)[] = [
    () => ({ kind: 'follow-ups, everyone (this week)', method: 'GET', path: '/api/v1/sales/follow-ups' }),
    () => ({ kind: "follow-ups, one owner's", method: 'GET', path: `/api/v1/sales/follow-ups?owner_id=${idOf('7', r(ids.owners) + 1)}` }),
  ];
  const report: (() => Built)[] = [
    () => ({
      kind: 'monthly ROI report (JSON)',
      method: 'GET',
      path: `/api/v1/reports/monthly?engagement=${idOf('3', r(ids.engagements) + 1)}&month=${months[r(months.length)]}`,
    }),
    () => ({ kind: 'insights: sales dashboard (90 days)', method: 'GET', path: '/api/v1/insights/sales' }),
  ];
  const pick = (fs: (() => Built)[]) => fs[r(fs.length)]!();
  const createContact = (): Built => {
    const n = ++created;
    return {
      kind: 'create a contact',
      method: 'POST',
      path: '/api/v1/contacts',
      headers: json,
      body: JSON.stringify({ company_id: company(), name: `Load ${seed}-${n}`, email: `load-${seed}-${n}-${Date.now()}@example.com`, role_title: 'Estimator' }),
    };
  };
  const updateContact = (state: ClientState): Built | null =>
    state.mine
      ? {
          kind: 'update own contact (If-Match)',
          method: 'PATCH',
          path: `/api/v1/contacts/${state.mine.id}`,
          headers: { ...json, 'if-match': `"${state.mine.version}"` },
          body: JSON.stringify({ role_title: `Estimator ${r(1000)}`, phone: `+61 2 ${1000_0000 + r(9000_0000)}` }),
        }
      : null;
  return {
    list: () => pick(list),
    get: () => pick(get),
    follow_ups: () => pick(followUps),
    report: () => pick(report),
    create: createContact,
    update: updateContact,
    /** Every kind once, for the check before timing. */
    all: () =>
      [
        ...(skip.includes('list') ? [] : list),
        ...(skip.includes('get') ? [] : get),
        ...(skip.includes('follow_ups') ? [] : followUps),
        ...(skip.includes('report') ? [] : report),
      ].map((f) => f()),
  };
}

type Slot = { klass: Klass; build: (b: ReturnType<typeof builders>, s: ClientState) => Built | null };
const L: Slot = { klass: 'list', build: (b) => b.list() };
const G: Slot = { klass: 'get', build: (b) => b.get() };
const F: Slot = { klass: 'follow_ups', build: (b) => b.follow_ups() };
const R: Slot = { klass: 'report', build: (b) => b.report() };
const C: Slot = { klass: 'write', build: (b) => b.create() };
const U: Slot = { klass: 'write', build: (b, s) => b.update(s) };
/**
 * One pass of a client: 7 lists, 6 reads, 1 create and 2 updates of what it created, 2 inboxes,
 * 2 reports (35/30/15/10/10%), interleaved so that no class comes in a burst.
 */
export const CYCLE: Slot[] = [C, L, G, L, F, G, L, U, G, R, L, G, L, U, G, F, L, G, R, L];

// ---------------------------------------------------------------------------
// Figures

export type ClassStats = {
  requests: number;
  rps: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  /** Mean latency: requests × mean is the time a class held the clients, its share of the work at 1 client. */
  mean: number;
  /** Responses by status code other than 2xx. */
  non2xx: Record<string, number>;
  s5xx: number;
  /** 409 and 412: a stale If-Match or a conflict, expected under contention, counted apart. */
  conflicts: number;
};
export type LoadRun = {
  backend: 'pglite' | 'postgres';
  connections: number;
  seconds: number;
  /** 1-minute load average just before the run (warm-up included). */
  load: number;
  classes: Record<Klass, ClassStats>;
  kinds: Record<string, ClassStats & { klass: Klass }>;
  /**
   * The first answer on each connection (whatever its class), left out of `classes` and `kinds`:
   * autocannon opens every connection at the start of the run, and a server already saturated by
   * the first clients may take seconds to read a new connection's first request.
   */
  firstOnConnection: ClassStats;
  /** Every answer, the first ones on each connection included. */
  overall: ClassStats & { errors: number; timeouts: number };
  /**
   * CPU used during the timed run, in cores (1 = one core busy all the time): the server child,
   * every `postgres` process on the machine, and the bench's own process (autocannon). From
   * /proc, so Linux only (undefined elsewhere or without the server's pid).
   */
  cpu?: { server: number; postgres: number; bench: number };
  /** False when the server was still working through its backlog long after the run (see loadBench). */
  drained: boolean;
};

const percentile = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]! : NaN);

class Samples {
  readonly ms: number[] = [];
  readonly statuses = new Map<number, number>();
  add(status: number, ms: number) {
    this.ms.push(ms);
    this.statuses.set(status, (this.statuses.get(status) ?? 0) + 1);
  }
  stats(seconds: number): ClassStats {
    const s = [...this.ms].sort((a, b) => a - b);
    const non2xx: Record<string, number> = {};
    let s5xx = 0;
    let conflicts = 0;
    for (const [status, n] of this.statuses) {
      if (status >= 200 && status < 300) continue;
      non2xx[String(status)] = n;
      if (status >= 500) s5xx += n;
      if (status === 409 || status === 412) conflicts += n;
    }
    return {
      requests: s.length,
      rps: s.length / seconds,
      p50: percentile(s, 50),
      p95: percentile(s, 95),
      p99: percentile(s, 99),
      max: s.at(-1) ?? NaN,
      mean: s.length ? s.reduce((a, x) => a + x, 0) / s.length : NaN,
      non2xx,
      s5xx,
      conflicts,
    };
  }
}

// ---------------------------------------------------------------------------
// CPU: where the 2 cores go during a run

/** Clock ticks per second of /proc's utime and stime (USER_HZ, 100 on Linux). */
const TICKS = 100;

/** utime + stime of a process in seconds, or undefined when it cannot be read. */
function cpuSeconds(pid: number | string): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS;
  } catch {
    return undefined;
  }
}

/** CPU seconds of each process whose name is `postgres` (the server and its backends), by pid. */
function postgresSeconds(): Map<string, number> {
  const out = new Map<string, number>();
  let entries: string[] = [];
  try {
    entries = fs.readdirSync('/proc').filter((e) => /^\d+$/.test(e));
  } catch {
    return out;
  }
  for (const pid of entries) {
    try {
      if (fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim() !== 'postgres') continue;
    } catch {
      continue;
    }
    const t = cpuSeconds(pid);
    if (t !== undefined) out.set(pid, t);
  }
  return out;
}

function cpuMark(serverPid: number | undefined) {
  const server = serverPid ? cpuSeconds(serverPid) : undefined;
  const u = process.cpuUsage();
  return { at: performance.now(), server, postgres: postgresSeconds(), bench: (u.user + u.system) / 1e6 };
}

/** What the processes alive at the end used since `start` (a backend that exited in between is missed). */
function cpuSince(start: ReturnType<typeof cpuMark>, serverPid: number | undefined): LoadRun['cpu'] {
  const end = cpuMark(serverPid);
  if (start.server === undefined || end.server === undefined) return undefined;
  const s = (end.at - start.at) / 1000;
  let pgSeconds = 0;
  for (const [pid, t] of end.postgres) pgSeconds += t - (start.postgres.get(pid) ?? 0);
  return { server: (end.server - start.server) / s, postgres: pgSeconds / s, bench: (end.bench - start.bench) / s };
}

// ---------------------------------------------------------------------------
// Running

export type LoadOptions = {
  backend: 'pglite' | 'postgres';
  apiUrl: string;
  key: string;
  connections: number;
  seconds: number;
  warmupSeconds: number;
  ids: LoadIds;
  /** Varies the random parameters between runs. */
  seed?: number;
  /** The server child's pid (ServerReady.pid), to measure its CPU. */
  serverPid?: number;
  /** Classes left out of the cycle (to measure the others while one is known to be broken). */
  skip?: readonly Klass[];
  /** How long to wait for the server to answer what was in flight at the end of a run (default 60 s). */
  drainMs?: number;
};

/**
 * Sends every kind of request once, and a create and an update, one at a time, and throws unless
 * each answers 2xx with something to show (a list with items, an inbox with follow-ups, a report),
 * so a mix that is wrong fails before anything is timed.
 */
export async function checkMix(apiUrl: string, key: string, ids: LoadIds, skip: readonly Klass[] = []): Promise<string[]> {
  const b = builders(ids, 7, skip);
  const send = async (x: Built) => {
    const res = await fetch(apiUrl + x.path, { method: x.method, headers: { authorization: `Bearer ${key}`, ...x.headers }, ...(x.body ? { body: x.body } : {}) });
    const text = await res.text();
    if (res.status < 200 || res.status >= 300) throw new Error(`load mix check: ${x.kind} (${x.method} ${x.path}) answered ${res.status}: ${text.slice(0, 300)}`);
    return JSON.parse(text) as Record<string, unknown>;
  };
  const notes: string[] = [];
  for (const x of b.all()) {
    const body = await send(x);
    const items = body.items;
    if (Array.isArray(items)) {
      if (items.length === 0) throw new Error(`load mix check: ${x.kind} (${x.path}) answered an empty list: the seed does not cover it`);
      notes.push(`${x.kind}: ${items.length} items${body.truncated ? ' (more not shown)' : ''}${typeof body.total === 'number' ? `, total ${body.total}` : ''}`);
    }
  }
  const state: ClientState = {};
  const created = await send(b.create());
  state.mine = { id: String(created.id), version: Number(created.version) };
  const updated = await send(b.update(state)!);
  if (Number(updated.version) !== state.mine.version + 1) throw new Error(`load mix check: the update answered version ${String(updated.version)}, not ${state.mine.version + 1}`);
  return notes;
}

/** One autocannon run of the mix; per class and kind figures from every response. */
async function runMix(o: LoadOptions, seconds: number): Promise<LoadRun> {
  const b = builders(o.ids, o.seed ?? 1);
  const byKind = new Map<string, { klass: Klass; samples: Samples }>();
  const byClass = new Map<Klass, Samples>(CLASSES.map((k) => [k, new Samples()]));
  const all = new Samples();
  const first = new Samples();
  const connected = new WeakSet<object>();
  /** Set by a request's onResponse and read by the 'response' event autocannon emits right after it, on the same client, synchronously. */
  let answered: ClientState | undefined;

  const requests = CYCLE.filter((slot) => !o.skip?.includes(slot.klass)).map((slot) => ({
    method: 'GET' as const,
    path: '/',
    setupRequest: (req: autocannon.Request, context: ClientState) => {
      const built = slot.build(b, context);
      if (!built) return undefined as unknown as autocannon.Request;
      context.kind = built.kind;
      context.klass = slot.klass;
      return { ...req, method: built.method, path: built.path, body: built.body, headers: { ...req.headers, ...built.headers } } as autocannon.Request;
    },
    onResponse: (status: number, body: string, context: ClientState) => {
      answered = { ...context };
      if (status < 200 || status >= 300 || context.klass !== 'write') return;
      const rec = JSON.parse(body) as { id: string; version: number };
      context.mine = { id: rec.id, version: rec.version };
    },
  }));
  const url = new URL(o.apiUrl);
  const load = os.loadavg()[0]!;
  const cpuStart = cpuMark(o.serverPid);
  const instance = autocannon({
    url: url.origin,
    connections: o.connections,
    duration: seconds,
    pipelining: 1,
    timeout: 30,
    headers: { authorization: `Bearer ${o.key}` },
    requests: requests as unknown as autocannon.Request[],
  }) as unknown as autocannon.Instance & PromiseLike<autocannon.Result>;
  instance.on('response', (client: object, status: number, _bytes: number, ms: number) => {
    const a = answered;
    answered = undefined;
    if (!a?.kind || !a.klass) return;
    all.add(status, ms);
    // The first answer on each new connection measures the ramp-up (a server busy with the
    // clients already connected may take seconds to take a new one on), not the steady state.
    if (!connected.has(client)) {
      connected.add(client);
      first.add(status, ms);
      return;
    }
    let k = byKind.get(a.kind);
    if (!k) byKind.set(a.kind, (k = { klass: a.klass, samples: new Samples() }));
    k.samples.add(status, ms);
    byClass.get(a.klass)!.add(status, ms);
  });
  const result = await instance;
  const cpu = cpuSince(cpuStart, o.serverPid);
  const span = result.duration || seconds;
  const classes = Object.fromEntries(CLASSES.map((k) => [k, byClass.get(k)!.stats(span)])) as Record<Klass, ClassStats>;
  const kinds = Object.fromEntries([...byKind].map(([name, k]) => [name, { klass: k.klass, ...k.samples.stats(span) }]));
  return {
    backend: o.backend,
    connections: o.connections,
    seconds: span,
    load,
    classes,
    kinds,
    firstOnConnection: first.stats(span),
    overall: {
      ...all.stats(span),
      errors: result.errors,
      timeouts: result.timeouts,
    },
    drained: true,
    ...(cpu ? { cpu } : {}),
  };
}

/**
 * Waits until the server has answered what was in flight when autocannon stopped (it closes its
 * sockets, but the server still runs those requests): one request of its own, which queues
 * behind them (on PGlite's single connection, and mostly on the pool), so that one run's tail
 * neither falls into the next run nor meets a server being stopped. False when it did not answer
 * within `drainMs`: the server is still busy, and the caller should restart it.
 */
async function drain(o: LoadOptions): Promise<boolean> {
  await new Promise((r) => setTimeout(r, 300));
  try {
    const res = await fetch(`${o.apiUrl}/api/v1/auth/me`, { headers: { authorization: `Bearer ${o.key}` }, signal: AbortSignal.timeout(o.drainMs ?? 60_000) });
    await res.text();
    return true;
  } catch {
    return false;
  }
}

/**
 * A warm-up of the same mix (discarded), then the timed run. `drained` is false when the server
 * had not caught up with its backlog `drainMs` after the warm-up or the run: it is overloaded
 * (the run then began on a backlog, which is part of what it measures), and the caller should
 * restart it before the next run.
 */
export async function loadBench(o: LoadOptions): Promise<LoadRun> {
  let drained = true;
  if (o.warmupSeconds > 0) {
    await runMix({ ...o, seed: (o.seed ?? 1) + 1000 }, o.warmupSeconds);
    drained = await drain(o);
  }
  const run = await runMix(o, o.seconds);
  drained = (await drain(o)) && drained;
  return { ...run, drained };
}

export type LoadPlan = {
  connections: number[];
  rounds: number;
  seconds: number;
  warmupSeconds: number;
  skip?: readonly Klass[];
  /** Seconds to wait for a server's backlog after a run before restarting it. */
  drainS: number;
  cpuProfDir?: string | undefined;
};

/**
 * On one seeded database: a server child (bench/server.ts with `env`), the mix checked once, then
 * `plan.rounds` rounds, each running every client count in turn. A server still backlogged after
 * a run is restarted before the next one. Stops its server on the way out, also after a failure.
 */
export async function loadRounds(backend: 'pglite' | 'postgres', env: Record<string, string>, ids: LoadIds, plan: LoadPlan, progress: Progress): Promise<LoadRun[]> {
  const runs: LoadRun[] = [];
  let server: ServerChild | undefined = await startServerChild(env, plan.cpuProfDir);
  try {
    const t0 = performance.now();
    for (const note of await checkMix(`http://127.0.0.1:${server.ready.api}`, server.ready.key, ids, plan.skip)) progress(`load ${backend} check: ${note}`);
    progress(`load ${backend}: the mix checked in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    for (let round = 1; round <= plan.rounds; round++) {
      for (const connections of plan.connections) {
        server ??= await startServerChild(env, plan.cpuProfDir);
        const r = await loadBench({
          backend,
          apiUrl: `http://127.0.0.1:${server.ready.api}`,
          key: server.ready.key,
          connections,
          seconds: plan.seconds,
          warmupSeconds: plan.warmupSeconds,
          ids,
          seed: round * 100 + connections,
          serverPid: server.ready.pid,
          ...(plan.skip ? { skip: plan.skip } : {}),
          drainMs: plan.drainS * 1000,
        });
        runs.push(r);
        progress(
          `load ${backend} round ${round}, ${connections} clients (load ${r.load.toFixed(2)}): ${r.overall.rps.toFixed(0)} req/s; p95 get ${r.classes.get.p95.toFixed(1)}, ` +
            `write ${r.classes.write.p95.toFixed(1)}, list ${r.classes.list.p95.toFixed(1)}, follow-ups ${r.classes.follow_ups.p95.toFixed(1)}, ` +
            `report ${r.classes.report.p95.toFixed(1)} ms; ${r.overall.s5xx} 5xx, ${r.overall.errors} errors`,
        );
        if (!r.drained) {
          progress(`load ${backend}: the server had not caught up ${plan.drainS} s after the run; restarting it`);
          const stale = server;
          server = undefined;
          await stale.stop();
        }
      }
    }
  } finally {
    await server?.stop();
  }
  return runs;
}

// ---------------------------------------------------------------------------
// Rounds and the report

export const median = (xs: number[]) => {
  const s = xs.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  if (!s.length) return NaN;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

function mergeStats(xs: ClassStats[]): ClassStats {
  const non2xx: Record<string, number> = {};
  for (const x of xs) for (const [s, n] of Object.entries(x.non2xx)) non2xx[s] = (non2xx[s] ?? 0) + n;
  const sum = (f: (x: ClassStats) => number) => xs.reduce((a, x) => a + f(x), 0);
  return {
    requests: sum((x) => x.requests),
    rps: median(xs.map((x) => x.rps)),
    p50: median(xs.map((x) => x.p50)),
    p95: median(xs.map((x) => x.p95)),
    p99: median(xs.map((x) => x.p99)),
    max: Math.max(...xs.map((x) => x.max)),
    mean: median(xs.map((x) => x.mean)),
    non2xx,
    s5xx: sum((x) => x.s5xx),
    conflicts: sum((x) => x.conflicts),
  };
}

/** One setting (database × clients) over its rounds: medians of rates and percentiles, sums of counts. */
export type LoadSetting = {
  backend: 'pglite' | 'postgres';
  connections: number;
  runs: LoadRun[];
  classes: Record<Klass, ClassStats>;
  kinds: Record<string, ClassStats & { klass: Klass }>;
  firstOnConnection: ClassStats;
  overall: ClassStats & { errors: number; timeouts: number };
};

export function summariseLoad(runs: LoadRun[]): LoadSetting {
  const first = runs[0]!;
  const kindNames = [...new Set(runs.flatMap((r) => Object.keys(r.kinds)))];
  return {
    backend: first.backend,
    connections: first.connections,
    runs,
    classes: Object.fromEntries(CLASSES.map((k) => [k, mergeStats(runs.map((r) => r.classes[k]))])) as Record<Klass, ClassStats>,
    kinds: Object.fromEntries(
      kindNames.map((n) => [n, { klass: runs.find((r) => r.kinds[n])!.kinds[n]!.klass, ...mergeStats(runs.flatMap((r) => (r.kinds[n] ? [r.kinds[n]] : []))) }]),
    ),
    firstOnConnection: mergeStats(runs.map((r) => r.firstOnConnection)),
    overall: {
      ...mergeStats(runs.map((r) => r.overall)),
      errors: runs.reduce((a, r) => a + r.overall.errors, 0),
      timeouts: runs.reduce((a, r) => a + r.overall.timeouts, 0),
    },
  };
}

/** Single-record reads and writes must stay under this p95 (issue 12). */
export const LOAD_TARGET_MS = 100;
/** The client count each database's target is judged at. */
export const TARGET_CLIENTS = { pglite: 20, postgres: 100 } as const;
const LABEL = { pglite: 'PGlite', postgres: 'PostgreSQL' } as const;

const fmt = (n: number, digits = 0) => (Number.isNaN(n) ? '–' : n.toLocaleString('en', { minimumFractionDigits: digits, maximumFractionDigits: digits }));
const ms = (n: number) => (n < 10 ? fmt(n, 1) : fmt(n));
const verdict = (ok: boolean) => (ok ? 'PASS' : 'MISS');
const statuses = (x: Record<string, number>) =>
  Object.entries(x)
    .sort()
    .map(([s, n]) => `${s}×${fmt(n)}`)
    .join(' ') || '0';

function table(rows: string[][], right: boolean[]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => (right[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd()).join('\n');
}

/**
 * The report's section and its target rows (`id` numbers them, e.g. '10'): per setting and class
 * the medians over rounds, the per-kind detail, the per-run p95s, and the targets.
 */
export function loadReport(settings: LoadSetting[], o: { id: string; seconds: number; warmup: number; seedNote: string }): { lines: string[]; targets: string[][] } {
  const lines: string[] = [];
  const targets: string[][] = [];
  const rounds = Math.max(...settings.map((s) => s.runs.length));
  lines.push(
    `${o.id}. Load: the mix (35% lists, 30% single-record reads, 15% writes, 10% follow-up inbox, 10% reports) through the server child ` +
      `with an admin API key, one request in flight per client; ${rounds} round(s) of ${o.seconds} s after ${o.warmup} s warm-up; medians. ${o.seedNote}`,
  );
  const rows: string[][] = [['database', 'clients', 'class', 'requests', 'req/s', 'p50 ms', 'p95 ms', 'p99 ms', 'non-2xx', '5xx', 'errors']];
  for (const s of settings) {
    const loads = s.runs.map((r) => fmt(r.load, 2)).join('/');
    CLASSES.forEach((k, i) => {
      const c = s.classes[k];
      rows.push([i === 0 ? `${LABEL[s.backend]} (load ${loads})` : '', i === 0 ? String(s.connections) : '', k, fmt(c.requests), fmt(c.rps), ms(c.p50), ms(c.p95), ms(c.p99), statuses(c.non2xx), fmt(c.s5xx), '']);
    });
    const f = s.firstOnConnection;
    rows.push(['', '', '1st on a connection', fmt(f.requests), '', ms(f.p50), ms(f.p95), ms(f.p99), statuses(f.non2xx), fmt(f.s5xx), '']);
    const a = s.overall;
    rows.push(['', '', 'all', fmt(a.requests), fmt(a.rps), ms(a.p50), ms(a.p95), ms(a.p99), statuses(a.non2xx), fmt(a.s5xx), `${fmt(a.errors)} (${fmt(a.timeouts)} timeouts)`]);
  }
  lines.push(table(rows, [false, true, false, true, true, true, true, true, false, true, false]));
  lines.push('   by kind (medians over rounds; p50 / p95 / p99 ms, share of requests):');
  for (const s of settings) {
    const total = Object.values(s.kinds).reduce((x, k) => x + k.requests, 0);
    const detail = Object.entries(s.kinds)
      .sort((x, y) => CLASSES.indexOf(x[1].klass) - CLASSES.indexOf(y[1].klass) || x[0].localeCompare(y[0]))
      .map(([n, k]) => `${n} ${ms(k.p50)} / ${ms(k.p95)} / ${ms(k.p99)} (${fmt((k.requests / total) * 100)}%)`);
    lines.push(`   ${LABEL[s.backend]}, ${s.connections} clients: ${detail.join('; ')}`);
    lines.push(
      `     per run, p95 get / write / all ms: ${s.runs.map((r) => `${ms(r.classes.get.p95)} / ${ms(r.classes.write.p95)} / ${ms(r.overall.p95)}${r.drained ? '' : ' (server still backlogged after the run: restarted)'}`).join(', ')}`,
    );
    if (s.connections === 1) {
      // One client waits for each answer: the time per class is the server's work per class.
      const time = CLASSES.map((k) => [k, s.classes[k].requests * (Number.isNaN(s.classes[k].mean) ? 0 : s.classes[k].mean)] as const);
      const sum = time.reduce((a, [, t]) => a + t, 0);
      lines.push(`     share of the time by class (1 client: the server's work): ${time.map(([k, t]) => `${k} ${fmt((t / sum) * 100)}%`).join(', ')}`);
    }
    const cpu = s.runs.flatMap((r) => (r.cpu ? [r.cpu] : []));
    if (cpu.length) {
      const c = (f: (x: NonNullable<LoadRun['cpu']>) => number) => cpu.map((x) => fmt(f(x), 2)).join('/');
      lines.push(`     CPU in cores per run (of ${os.cpus().length}): server child ${c((x) => x.server)}, postgres processes ${c((x) => x.postgres)}, bench (autocannon) ${c((x) => x.bench)}`);
    }
  }
  for (const backend of ['pglite', 'postgres'] as const) {
    const mine = settings.filter((s) => s.backend === backend);
    if (!mine.length) continue;
    const bad = mine.reduce((a, s) => a + s.overall.s5xx + s.overall.errors, 0);
    // A server still working through a backlog long after a run left requests unanswered: no 5xx then proves nothing.
    const runs = mine.flatMap((s) => s.runs);
    const backlogged = runs.filter((r) => !r.drained).length;
    targets.push([
      `${o.id}${backend === 'pglite' ? 'a' : 'b'}`,
      `load, ${LABEL[backend]}: no 5xx, no errors, no backlog (${mine.map((s) => s.connections).join(' and ')} clients)`,
      `${fmt(mine.reduce((a, s) => a + s.overall.s5xx, 0))} 5xx, ${fmt(mine.reduce((a, s) => a + s.overall.errors, 0))} errors` +
        (backlogged ? `; backlogged after ${backlogged} of ${runs.length} runs` : ''),
      verdict(bad === 0 && backlogged === 0),
    ]);
    const at = mine.find((s) => s.connections === TARGET_CLIENTS[backend]);
    if (!at) continue;
    const clean = at.overall.s5xx + at.overall.errors === 0 && at.runs.every((r) => r.drained);
    const e = clean ? '' : ' (with 5xx, errors or a backlog)';
    const letter = backend === 'pglite' ? ['c', 'd'] : ['e', 'f'];
    for (const [i, k, what] of [[0, 'get', 'single-record reads'], [1, 'write', 'writes']] as const) {
      const p95 = at.classes[k].p95;
      targets.push([`${o.id}${letter[i]}`, `load, ${LABEL[backend]} at ${at.connections} clients: ${what} p95 < ${LOAD_TARGET_MS} ms`, `${ms(p95)} ms${e}`, verdict(clean && p95 < LOAD_TARGET_MS)]);
    }
  }
  return { lines, targets };
}
