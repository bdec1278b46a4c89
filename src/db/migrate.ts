/** Applies the committed SQL migrations, all pending ones in one transaction, on either database. */
import { fileURLToPath } from 'node:url';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import type { PgliteDatabase } from 'drizzle-orm/pglite';
import type { Database } from './client.ts';

export const MIGRATIONS_FOLDER = fileURLToPath(new URL('./migrations', import.meta.url));

/** Any constant works; it only has to be the same in every Throughline process. */
const MIGRATION_LOCK = 7_401_532_901;

export class MigrationError extends Error {
  constructor(cause: unknown) {
    const inner = cause instanceof Error ? (cause.cause instanceof Error ? cause.cause : cause) : undefined;
    super(`Database migration failed; nothing was applied. ${inner?.message ?? String(cause)}`, { cause });
    this.name = 'MigrationError';
  }
}

export async function migrateDatabase(database: Database): Promise<void> {
  try {
    if (database.kind === 'postgres' && database.pool) {
      // Several processes may start at once against one server: one migrates, the others wait.
      const client = await database.pool.connect();
      try {
        await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK]);
        await migratePg(drizzlePg({ client }), { migrationsFolder: MIGRATIONS_FOLDER });
      } finally {
        await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => {});
        client.release();
      }
    } else {
      await migratePglite(database.db as unknown as PgliteDatabase, { migrationsFolder: MIGRATIONS_FOLDER });
    }
  } catch (e) {
    throw new MigrationError(e);
  }
}
