import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { MIGRATIONS_FOLDER } from '../src/db/migrate.ts';

export const SNAPSHOT_DIR = path.resolve('.test-snapshots');

/** Named after the migrations' content, so a changed migration never loads a stale snapshot. */
export function snapshotPath(): string {
  const h = createHash('sha256');
  for (const f of fs.readdirSync(MIGRATIONS_FOLDER).filter((f) => f.endsWith('.sql')).sort()) {
    h.update(f).update(fs.readFileSync(path.join(MIGRATIONS_FOLDER, f)));
  }
  return path.join(SNAPSHOT_DIR, `pglite-${h.digest('hex').slice(0, 16)}.tar.gz`);
}
