/**
 * `system.backup`: a backup of the database taken by the server that holds it, so an operator
 * (or `throughline backup` while the server runs) gets one without stopping anything. The work
 * is the process's (Runtime.backup, src/db/backup.ts); this is its door on every surface.
 * Administrators only, and `sensitive`: the file is everything the instance holds, so an agent
 * must confirm it, and it is audited (who took it, when, how big), never its content.
 */
import { z } from 'zod';
import type { Ctx } from '../context.ts';
import { AppError } from '../errors.ts';
import type { Operation } from '../registry.ts';
import { writeAudit } from './audit.ts';

async function takeBackup(ctx: Ctx) {
  if (!ctx.runtime?.backup) throw new AppError('UNAVAILABLE', 'This process cannot take a backup: ask the server that holds the database, or run throughline backup beside it');
  const file = await ctx.runtime.backup();
  await writeAudit(ctx, { action: 'export', table: 'backups', operation: 'system.backup', after: { filename: file.filename, bytes: file.body.byteLength } });
  return file;
}

export const backupOperations: Operation[] = [
  {
    name: 'system.backup',
    weight: 'report',
    summary: 'Download a backup of the whole database',
    description:
      'A consistent backup taken now by the server: on the embedded database, its data directory as a gzip tar (restore with throughline restore <file>); on PostgreSQL, a pg_dump archive in custom format (the server needs pg_dump). It holds everything, personal data included: keep it as safe as the database. Administrators only; audited without the content.',
    tag: 'system',
    scope: 'admin',
    destructive: false,
    sensitive: true,
    transactional: false,
    kind: 'action',
    input: z.strictObject({}),
    download: { formats: ['tar.gz', 'dump'] },
    http: { method: 'get', path: '/api/v1/system/backup' },
    run: (ctx) => takeBackup(ctx),
  },
];
