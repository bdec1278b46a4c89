/**
 * Prometheus metrics at /metrics (prom-client). Per process: requests by route (the route's
 * pattern, never its path, so ids never become labels), their latency, requests in flight,
 * the worker's failed rounds, the PostgreSQL pool, work waiting for the database by priority, and Node's own (event loop lag, memory,
 * garbage collection). From the database, read at each scrape, so every process of a
 * deployment reports the same figures: each queue's waiting, in-progress, retrying and dead
 * items (dead: a job that failed for good).
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Database } from '../db/client.ts';
import { PRIORITIES } from '../db/priority.ts';

/** The queues and the statuses in which an item still needs attention (sent and delivered ones are history). */
const QUEUES = [
  { queue: 'email', table: 'email_queue', statuses: ['pending', 'sending', 'failed', 'dead'] },
  { queue: 'webhook', table: 'webhook_deliveries', statuses: ['pending', 'delivering', 'failed', 'dead'] },
  { queue: 'import', table: 'import_jobs', statuses: ['pending', 'running'] },
] as const;

export type Metrics = {
  registry: Registry;
  /** Records one answered request. */
  observeRequest(method: string, route: string, status: number, seconds: number): void;
  inFlight: Gauge;
  /** A worker round of this drain threw (it runs again later). */
  drainFailed(drain: string): void;
};

/** `process`: also Node's own metrics (one set per process: the server's, not every test app's). */
export function createMetrics(database: Database, opts: { process?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (opts.process) collectDefaultMetrics({ register: registry, prefix: 'throughline_' });
  const requests = new Counter({
    name: 'throughline_http_requests_total',
    help: 'HTTP requests answered, by method, route pattern and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'throughline_http_request_duration_seconds',
    help: 'Time from a request arriving to its response being ready, by method and route pattern',
    labelNames: ['method', 'route'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const inFlight = new Gauge({ name: 'throughline_http_requests_in_flight', help: 'Requests being handled now', registers: [registry] });
  const drainFailures = new Counter({
    name: 'throughline_worker_drain_failures_total',
    help: "Worker rounds that failed, by queue (the round's items stay queued and are tried again)",
    labelNames: ['drain'] as const,
    registers: [registry],
  });
  new Gauge({
    name: 'throughline_queue_items',
    help: 'Queued items by queue and status: pending and in progress (sending, delivering, running), failed (to be retried) and dead (failed for good)',
    labelNames: ['queue', 'status'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      // One statement; each count uses its table's (status, …) index.
      const parts = QUEUES.map(
        ({ queue, table, statuses }) =>
          `select '${queue}' as queue, status, count(*)::int as n from ${table} where status in (${statuses.map((s) => `'${s}'`).join(', ')}) group by status`,
      );
      const rows = await database.query<{ queue: string; status: string; n: number }>(parts.join(' union all '));
      for (const { queue, statuses } of QUEUES) for (const status of statuses) this.set({ queue, status }, 0);
      for (const r of rows) this.set({ queue: r.queue, status: r.status }, r.n);
    },
  });
  const pool = database.pool;
  if (pool) {
    new Gauge({
      name: 'throughline_db_pool_connections',
      help: "This process's PostgreSQL connections: total open and idle",
      labelNames: ['state'] as const,
      registers: [registry],
      collect() {
        this.set({ state: 'total' }, pool.totalCount);
        this.set({ state: 'idle' }, pool.idleCount);
      },
    });
  }
  const gate = database.gate;
  new Gauge({
    name: 'throughline_db_slots',
    help: "This process's ways into the database (its connections; one for the embedded database): in use and in all",
    labelNames: ['state'] as const,
    registers: [registry],
    collect() {
      this.set({ state: 'in_use' }, gate.inUse());
      this.set({ state: 'total' }, gate.slots);
    },
  });
  new Gauge({
    name: 'throughline_db_waiting',
    help: 'Work waiting for a way into the database, by priority (interactive, list, report, background)',
    labelNames: ['priority'] as const,
    registers: [registry],
    collect() {
      const waiting = gate.waiting();
      for (const p of PRIORITIES) this.set({ priority: p }, waiting[p]);
    },
  });
  return {
    registry,
    inFlight,
    observeRequest(method, route, status, seconds) {
      requests.inc({ method, route, status: String(status) });
      latency.observe({ method, route }, seconds);
    },
    drainFailed: (drain) => drainFailures.inc({ drain }),
  };
}
