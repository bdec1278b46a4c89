/**
 * The baseline: a bare `node:http` handler that runs the list query with the driver
 * directly (pg's pool, or the PGlite instance's `.query`) and writes the same JSON
 * shape as the API, `{ items, next_cursor }`. No framework, no query builder, no validation.
 */
import http from 'node:http';
import type { PGlite } from '@electric-sql/pglite';
import type pg from 'pg';
import { listSql } from './data.ts';

type Row = Record<string, unknown>;
export type RunQuery = (text: string, params: unknown[]) => Promise<Row[]>;

export const pgQuery =
  (pool: pg.Pool): RunQuery =>
  async (text, params) =>
    (await pool.query(text, params)).rows as Row[];

export const pgliteQuery =
  (pglite: PGlite): RunQuery =>
  async (text, params) =>
    (await pglite.query<Row>(text, params)).rows;

export function createBareServer(query: RunQuery): http.Server {
  const text = listSql();
  return http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method !== 'GET' || url.pathname !== '/api/v1/contacts') {
      res.writeHead(404).end();
      return;
    }
    const limit = Math.min(200, Math.max(1, Math.trunc(Number(url.searchParams.get('limit') ?? 50)) || 50));
    query(text, [limit + 1]).then(
      (rows) => {
        let next_cursor: string | null = null;
        if (rows.length > limit) {
          rows.pop();
          const last = rows[rows.length - 1]!;
          const v = last.created_at instanceof Date ? last.created_at.toISOString() : last.created_at;
          next_cursor = Buffer.from(JSON.stringify({ s: '-created_at', v, id: last.id })).toString('base64url');
        }
        const body = JSON.stringify({ items: rows, next_cursor });
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
        res.end(body);
      },
      (err: unknown) => {
        res.writeHead(500, { 'content-type': 'text/plain' }).end(String(err));
      },
    );
  });
}
