/**
 * Benchmark 2: loading contacts. The same generated rows go once through PostgreSQL's
 * `COPY contacts (…) FROM STDIN (FORMAT csv)` on one connection, and once through the
 * API's bulk path (POST /api/v1/contacts/bulk, `{ items }`, one request at a time, or
 * several at once). The contacts table is emptied before each run, so each starts alike.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import pgCopy from 'pg-copy-streams';
import { COPY_COLUMNS } from './data.ts';

export type BulkRun = { label: string; rows: number; ms: number; rowsPerSec: number; requests: number };

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Empties contacts (and anything referencing it; all empty in the bench database) and checkpoints. */
export async function resetContacts(url: string): Promise<void> {
  await withClient(url, async (c) => {
    await c.query('truncate contacts cascade');
    await c.query('checkpoint').catch(() => {
      /* needs superuser or pg_checkpoint; only evens out background writes */
    });
  });
}

export async function countContacts(url: string): Promise<number> {
  return withClient(url, async (c) => Number((await c.query<{ n: string }>('select count(*) as n from contacts')).rows[0]!.n));
}

export async function copyRows(url: string, csvChunks: string[], rows: number): Promise<BulkRun> {
  return withClient(url, async (c) => {
    const sql = `COPY contacts (${COPY_COLUMNS.join(', ')}) FROM STDIN WITH (FORMAT csv)`;
    const t0 = performance.now();
    await pipeline(Readable.from(csvChunks), c.query(pgCopy.from(sql)));
    const ms = performance.now() - t0;
    return { label: 'COPY FROM STDIN (1 connection)', rows, ms, rowsPerSec: (rows / ms) * 1000, requests: 1 };
  });
}

export async function postBulk(apiBase: string, apiKey: string, bodies: string[], rows: number, streams: number): Promise<BulkRun> {
  const url = `${apiBase}/api/v1/contacts/bulk`;
  let next = 0;
  let created = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: Math.max(1, streams) }, async () => {
      while (next < bodies.length) {
        const body = bodies[next++]!;
        const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` }, body });
        const text = await res.text();
        if (res.status !== 201) throw new Error(`bulk POST answered ${res.status}: ${text.slice(0, 500)}`);
        created += (JSON.parse(text) as { ids: string[] }).ids.length;
      }
    }),
  );
  const ms = performance.now() - t0;
  if (created !== rows) throw new Error(`bulk POSTs created ${created} rows, expected ${rows}`);
  const label = `API bulk, ${streams === 1 ? '1 request at a time' : `${streams} requests at a time`}`;
  return { label, rows, ms, rowsPerSec: (rows / ms) * 1000, requests: bodies.length };
}
