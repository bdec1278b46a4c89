/** Opens the database: embedded PGlite under the data directory, or PostgreSQL when DATABASE_URL is set. */
import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import * as schema from './schema/index.ts';
import { lockDataDir, type DataDirLock } from './lock.ts';
import { PriorityGate } from './priority.ts';

export type Schema = typeof schema;
/** A database handle or a transaction: verbs accept either. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;

export type Database = {
  kind: 'pglite' | 'postgres';
  db: Db;
  /** Rows of a raw parameterised query, for the few hot paths that skip the query builder. */
  query<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
  /** Embedded only: tells other processes (the CLI) where this one serves the API. */
  announce?(url: string): void;
  /**
   * Calls onMessage for every NOTIFY on the channel (delivered when the notifying
   * transaction commits) and onState when notifications start or stop arriving; stops
   * with close(). PostgreSQL listens on a connection of its own and reconnects.
   */
  listen?(channel: string, handlers: ListenHandlers): Promise<void>;
  pool?: pg.Pool;
  pglite?: PGlite;
  /** The way in: as many slots as connections, handed out by priority (db/priority.ts). */
  gate: PriorityGate;
};

export type ListenHandlers = { onMessage(payload: string): void; onState(listening: boolean): void };

const CHANNEL = /^[a-z_][a-z0-9_]{0,62}$/;

/** LISTEN on a dedicated PostgreSQL connection, reconnecting (after a pause) until the database is closed. */
function pgListener(connectionString: string) {
  const clients = new Set<pg.Client>();
  let closed = false;
  const listen = async (channel: string, h: ListenHandlers): Promise<void> => {
    if (!CHANNEL.test(channel)) throw new Error(`not a channel name: ${channel}`);
    const client = new pg.Client({ connectionString });
    clients.add(client);
    let up = false;
    const retry = () => {
      clients.delete(client);
      if (up) h.onState(false);
      up = false;
      if (!closed) setTimeout(() => void listen(channel, h).catch(() => {}), 1000).unref();
    };
    client.on('notification', (m) => {
      if (m.channel === channel) h.onMessage(m.payload ?? '');
    });
    client.on('error', () => {
      /* followed by 'end' */
    });
    client.on('end', retry);
    try {
      await client.connect();
      await client.query(`LISTEN ${channel}`);
    } catch (e) {
      await client.end().catch(() => {});
      throw e;
    }
    up = true;
    h.onState(true);
  };
  const close = async () => {
    closed = true;
    await Promise.all([...clients].map((c) => c.end().catch(() => {})));
  };
  return { listen, close };
}

type Checkout = (cb?: (err: Error | undefined, client?: pg.PoolClient, done?: (err?: Error) => void) => void) => Promise<pg.PoolClient> | void;

/**
 * Every connection the pool hands out (to a query or a transaction) first takes a slot of the
 * gate, which has as many slots as the pool has connections: so nobody waits in the pool's own
 * first-come queue, and waiters are served by priority instead.
 */
function gatePool(pool: pg.Pool, gate: PriorityGate): void {
  const checkout = pool.connect.bind(pool) as () => Promise<pg.PoolClient>;
  const connect: Checkout = (cb) => {
    const got = (async () => {
      await gate.acquire();
      let client: pg.PoolClient;
      try {
        client = await checkout();
      } catch (e) {
        gate.release();
        throw e;
      }
      // The pool gives each checkout a release of its own; the slot goes back with it, once.
      const release = client.release;
      let held = true;
      client.release = (err?: Error | boolean) => {
        if (held) {
          held = false;
          gate.release();
        }
        return release(err);
      };
      return client;
    })();
    if (!cb) return got;
    // pg-pool's own query() checks out with a callback.
    got.then(
      (client) => cb(undefined, client, client.release),
      (e: Error) => cb(e, undefined, () => {}),
    );
  };
  (pool as unknown as { connect: Checkout }).connect = connect;
}

/** The embedded database runs one statement or transaction at a time: each takes the gate's one slot first. */
function gatePglite(pglite: PGlite, gate: PriorityGate): void {
  if (typeof pglite._runExclusiveTransaction !== 'function') throw new Error('This PGlite has no _runExclusiveTransaction to queue work by priority (ADR 0016)');
  const exclusive = pglite._runExclusiveTransaction.bind(pglite);
  pglite._runExclusiveTransaction = (fn) => gate.run(() => exclusive(fn));
}

// numeric stays a string (exact money); bigint counts fit in a JS number here.
pg.types.setTypeParser(20, (v) => Number(v));

export type OpenOptions = {
  databaseUrl?: string | undefined;
  dataDir?: string;
  poolSize?: number;
  /** A snapshot made by dumpDataDir, for fast test databases. */
  loadDataDir?: Blob;
  /** Skip the directory lock (an in-memory database has nothing to lock). */
  memory?: boolean;
};

export async function openDatabase(opts: OpenOptions): Promise<Database> {
  if (opts.databaseUrl) {
    // JIT off: our statements run in milliseconds, and PostgreSQL would compile one whose row
    // estimate is high (a dashboard over a year of leads) for longer than it runs (247 ms of
    // compiling for 60 ms of work in `npm run bench`'s insights phase).
    const max = opts.poolSize ?? 10;
    const pool = new pg.Pool({ connectionString: opts.databaseUrl, max, options: '-c jit=off' });
    const gate = new PriorityGate(max);
    gatePool(pool, gate);
    // Surface a bad URL or a down server at start, not at the first request.
    const client = await pool.connect();
    client.release();
    pool.on('error', () => {
      /* idle client errors are reported on the next query */
    });
    const listener = pgListener(opts.databaseUrl);
    return {
      kind: 'postgres',
      db: drizzlePg({ client: pool, schema }) as unknown as Db,
      pool,
      gate,
      async query(text, params) {
        return (await pool.query(text, params as unknown[])).rows;
      },
      listen: listener.listen,
      async close() {
        await listener.close();
        await pool.end();
      },
    };
  }
  let lock: DataDirLock | undefined;
  let dir: string | undefined;
  if (!opts.memory) {
    if (!opts.dataDir) throw new Error('openDatabase: dataDir is required for the embedded database');
    lock = lockDataDir(opts.dataDir);
    dir = path.join(opts.dataDir, 'pglite');
    fs.mkdirSync(dir, { recursive: true });
  }
  try {
    const pglite = await PGlite.create({
      ...(dir ? { dataDir: dir } : {}),
      ...(opts.loadDataDir ? { loadDataDir: opts.loadDataDir } : {}),
    });
    const gate = new PriorityGate(1);
    gatePglite(pglite, gate);
    return {
      kind: 'pglite',
      db: drizzlePglite({ client: pglite, schema }) as unknown as Db,
      pglite,
      gate,
      announce: (url) => lock?.announce(url),
      async listen(channel, h) {
        if (!CHANNEL.test(channel)) throw new Error(`not a channel name: ${channel}`);
        await pglite.listen(channel, (payload) => h.onMessage(payload));
        h.onState(true);
      },
      async query(text, params) {
        return (await pglite.query(text, params as unknown[])).rows as never[];
      },
      async close() {
        try {
          if (!pglite.closed) {
            await pglite.exec('CHECKPOINT');
            await pglite.close();
          }
        } finally {
          lock?.release();
        }
      },
    };
  } catch (e) {
    lock?.release();
    throw e;
  }
}
