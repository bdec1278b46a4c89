/**
 * A server under test, run as a child process of bench/run.ts so that it never shares an
 * event loop with the load generator. It opens one database and serves it twice on
 * 127.0.0.1: the real API (createApp) and the bare node:http baseline, both on the same
 * pg pool or the same PGlite instance. The parent is told the ports over IPC and stops
 * the child with a 'stop' message (or by going away).
 *
 *   BENCH_BACKEND=postgres BENCH_DB_URL=postgres://…   or   BENCH_BACKEND=pglite BENCH_PGLITE_DIR=/tmp/…
 */
import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { createApp } from '../src/api/app.ts';
import { LOCAL_OPERATOR, makeCtx } from '../src/core/context.ts';
import { userActor } from '../src/core/identity/actor.ts';
import { createApiKey } from '../src/core/identity/api-keys.ts';
import { createUser } from '../src/core/identity/users.ts';
import { openDatabase, type Database } from '../src/db/client.ts';
import { createBareServer, pgliteQuery, pgQuery } from './bare.ts';

/** `key`: an administrator's API key for the API side (every API request needs one). */
export type ServerReady = { type: 'ready'; api: number; bare: number; pid: number; key: string };


const listen = (server: http.Server) =>
  new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });

async function main() {
  const backend = process.env.BENCH_BACKEND;
  let database: Database;
  if (backend === 'postgres') {
    database = await openDatabase({ databaseUrl: process.env.BENCH_DB_URL, poolSize: Number(process.env.BENCH_POOL_SIZE ?? 10) });
  } else if (backend === 'pglite') {
    const dataDir = process.env.BENCH_PGLITE_DIR;
    if (!dataDir) throw new Error('BENCH_PGLITE_DIR is not set');
    database = await openDatabase({ dataDir });
  } else {
    throw new Error(`BENCH_BACKEND must be postgres or pglite, not ${String(backend)}`);
  }

  const ctx = makeCtx(database.db, { actor: LOCAL_OPERATOR });
  const user = await createUser(ctx, { email: `bench-${process.pid}-${Date.now()}@example.com`, name: 'Bench', role: 'admin' });
  const { key } = await createApiKey({ ...ctx, actor: userActor(user) }, { name: 'bench', role: 'admin' });
  // The rate limiter is on, as in production, so that its cost is measured; the limits are
  // far above anything a run sends, so it never refuses.
  const app = createApp({ database, rateLimit: { perCredential: 100_000_000, perAddress: 100_000_000 }, log: (msg, err) => console.error(msg, err) });
  const api = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }) as http.Server;
  await new Promise<void>((resolve, reject) => {
    if (api.listening) resolve();
    api.once('listening', () => resolve());
    api.once('error', reject);
  });
  const apiPort = (api.address() as AddressInfo).port;
  const bare = createBareServer(database.kind === 'postgres' ? pgQuery(database.pool!) : pgliteQuery(database.pglite!));
  const barePort = await listen(bare);

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    for (const s of [api, bare]) {
      s.closeAllConnections();
      s.close();
    }
    try {
      await database.close();
    } finally {
      // A plain exit (not a signal) so that --cpu-prof writes its profile.
      process.exit(0);
    }
  };
  process.on('message', (m) => {
    if (m === 'stop') void stop();
  });
  process.on('disconnect', () => void stop());
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());

  const ready: ServerReady = { type: 'ready', api: apiPort, bare: barePort, pid: process.pid, key };
  process.send?.(ready);
}

main().catch((e: unknown) => {
  console.error('bench server failed:', e);
  process.exit(1);
});
