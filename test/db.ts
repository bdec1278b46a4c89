/**
 * Test databases: every database-facing suite runs on PGlite (from the migrated snapshot)
 * and again on PostgreSQL when TEST_DATABASE_URL is set, each suite in its own fresh
 * database that is dropped afterwards. A set but unreachable server fails the suite.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { afterAll, beforeAll, describe } from 'vitest';
import { makeCtx, type Actor, type Ctx } from '../src/core/context.ts';
import { openDatabase, type Database } from '../src/db/client.ts';
import { migrateDatabase } from '../src/db/migrate.ts';
import { snapshotPath } from './snapshot.ts';

export type Backend = 'pglite' | 'postgres';

export const backends: Backend[] = process.env.TEST_DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];

/** `url` is set on PostgreSQL, for a child process (the CLI, a stdio MCP server) to open the same database. */
export type TestDatabase = Database & { drop(): Promise<void>; url?: string };

export async function freshDatabase(backend: Backend): Promise<TestDatabase> {
  if (backend === 'pglite') {
    const blob = new Blob([fs.readFileSync(snapshotPath())]);
    const database = await openDatabase({ memory: true, loadDataDir: blob });
    return { ...database, drop: () => database.close() };
  }
  const adminUrl = process.env.TEST_DATABASE_URL!;
  const name = `throughline_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = await openDatabase({ databaseUrl: adminUrl, poolSize: 1 });
  await admin.query(`create database ${name}`);
  await admin.close();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const database = await openDatabase({ databaseUrl: url.toString(), poolSize: 5 });
  await migrateDatabase(database);
  return {
    ...database,
    url: url.toString(),
    async drop() {
      await database.close();
      const a = await openDatabase({ databaseUrl: adminUrl, poolSize: 1 });
      await a.query(`drop database if exists ${name} with (force)`);
      await a.close();
    },
  };
}

export type Suite = {
  backend: Backend;
  database: () => TestDatabase;
  ctx: (opts?: { actor?: Actor; now?: () => Date; timeZone?: string }) => Ctx;
};

/** Declares the suite once per backend, each with its own fresh database. */
export function dbSuite(name: string, fn: (s: Suite) => void) {
  for (const backend of backends) {
    describe(`${name} [${backend}]`, () => {
      let database: TestDatabase | undefined;
      beforeAll(async () => {
        database = await freshDatabase(backend);
      });
      afterAll(async () => {
        await database?.drop();
      });
      fn({
        backend,
        database: () => database!,
        ctx: (opts = {}) => makeCtx(database!.db, { timeZone: 'UTC', ...opts }),
      });
    });
  }
}

/** Row counts of the given tables, to assert that a refused request wrote nothing. */
export async function counts(database: Database, tables: string[]): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of tables) {
    const [r] = await database.query<{ n: number }>(`select count(*)::int as n from "${t}"`);
    out[t] = r!.n;
  }
  return out;
}
