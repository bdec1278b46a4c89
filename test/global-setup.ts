/**
 * Builds one migrated PGlite snapshot per run (initdb plus ~67 tables costs seconds);
 * every test file then loads it instead of migrating again.
 */
import fs from 'node:fs';
import path from 'node:path';
import { openDatabase } from '../src/db/client.ts';
import { migrateDatabase } from '../src/db/migrate.ts';
import { SNAPSHOT_DIR, snapshotPath } from './snapshot.ts';

export default async function setup() {
  const file = snapshotPath();
  if (fs.existsSync(file)) return;
  fs.mkdirSync(SNAPSHOT_DIR, { recursive: true });
  const database = await openDatabase({ memory: true });
  await migrateDatabase(database);
  const dump = await database.pglite!.dumpDataDir('gzip');
  const tmp = path.join(SNAPSHOT_DIR, `.${process.pid}.tmp`);
  fs.writeFileSync(tmp, Buffer.from(await dump.arrayBuffer()));
  fs.renameSync(tmp, file);
  await database.close();
}
