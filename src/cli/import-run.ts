/**
 * `throughline import run <file> --target contacts`: the whole import from the command line,
 * with its progress. It checks the file first (the dry run) and stops on nothing to do; then
 * it starts the job and follows it to the end. Beside a running server (THROUGHLINE_URL, or
 * the server holding this data directory) the server's worker does the work and the command
 * follows its progress; with the database to itself, the command works the job itself, the
 * same way the worker would, in chunks that each commit with their progress.
 */
import fs from 'node:fs';
import type { Config } from '../config.ts';
import { makeCtx, type Ctx } from '../core/context.ts';
import { invoke, operationByName, type Operation } from '../core/registry.ts';
import type { ImportJob, PreviewResult } from '../core/platform/imports.ts';
import type { Logger } from '../logging.ts';
import { identityConfig, openAndMigrate } from '../server.ts';
import { importDrain } from '../worker/import-drain.ts';
import { callRemote } from './remote.ts';

export type ImportRunOptions = { target: string; format?: string; dryRun?: boolean; onDuplicate?: string };

type Preview = PreviewResult;

const quiet: Logger = { info: () => {}, error: () => {} };
const op = (name: string): Operation => operationByName.get(name)!;

/** Prints progress to standard error: one updating line on a terminal, else a line every tenth of the way. */
function progressPrinter() {
  const tty = process.stderr.isTTY;
  let lastTenth = -1;
  return {
    show(job: ImportJob) {
      const line = `${job.status}: ${job.processed_rows.toLocaleString('en')} of ${job.total_rows.toLocaleString('en')} rows (${job.percent}%) · ${job.created_count} created, ${job.updated_count} updated, ${job.skipped_count} skipped, ${job.error_count} with errors`;
      if (tty) process.stderr.write(`\r${line}\u001b[K`);
      else if (Math.floor(job.percent / 10) !== lastTenth || job.done) {
        lastTenth = Math.floor(job.percent / 10);
        process.stderr.write(`${line}\n`);
      }
    },
    end() {
      if (tty) process.stderr.write('\n');
    },
  };
}

function describePreview(p: Preview, file: string): void {
  const lines = [
    `${file}: ${p.format} export, mapping from ${p.mapping_source}`,
    ...p.mapping.map((c) => `  ${c.column} → ${c.field ?? '(ignored)'}${c.field && c.source ? ` (${c.source})` : ''}`),
    `${p.total_rows} rows: would create ${p.would_create}, update ${p.would_update}, skip ${p.would_skip}${p.companies_to_create ? `, and create ${p.companies_to_create} companies` : ''}; ${p.error_rows} rows with errors`,
    ...p.errors.slice(0, 20).map((e) => `  row ${e.row}${e.column ? `, ${e.column}` : ''}${e.field ? ` (${e.field})` : ''}: ${e.message}`),
    ...(p.errors_total > 20 ? [`  … and ${p.errors_total - 20} more`] : []),
  ];
  process.stderr.write(`${lines.join('\n')}\n`);
}

/** Runs the import; answers the finished job (or the preview, on a dry run). */
export async function runImport(config: Config, file: string, opts: ImportRunOptions, remoteUrl: string | undefined, apiKey: string | undefined): Promise<{ result: unknown; ok: boolean }> {
  let csv: string;
  try {
    csv = fs.readFileSync(file, 'utf8');
  } catch (e) {
    return { result: { error: `cannot read ${file}: ${(e as Error).message}` }, ok: false };
  }
  const input = {
    target: opts.target,
    csv,
    file_name: file.split(/[\\/]/).pop(),
    ...(opts.format ? { format: opts.format } : {}),
    ...(opts.onDuplicate ? { options: { on_duplicate: opts.onDuplicate } } : {}),
  };
  const printer = progressPrinter();
  if (remoteUrl) {
    const call = (name: string, body: Record<string, unknown>) => callRemote(remoteUrl, op(name), body, apiKey);
    const preview = (await call('import.preview', input)) as Preview;
    describePreview(preview, file);
    if (opts.dryRun) return { result: preview, ok: true };
    let job = (await call('import.start', input)) as ImportJob;
    while (!job.done) {
      printer.show(job);
      await new Promise((r) => setTimeout(r, 1000));
      job = (await call('import.status', { id: job.id })) as ImportJob;
    }
    printer.show(job);
    printer.end();
    return { result: job, ok: job.status === 'completed' };
  }
  const { database } = await openAndMigrate(config, quiet);
  try {
    const ctx: Ctx = makeCtx(database.db, { identity: identityConfig(config, database), ...(config.timeZone ? { timeZone: config.timeZone } : {}) });
    const preview = (await invoke(op('import.preview'), ctx, input)) as Preview;
    describePreview(preview, file);
    if (opts.dryRun) return { result: preview, ok: true };
    let job = (await invoke(op('import.start'), ctx, input)) as ImportJob;
    // The job is worked here, a second at a time, so the progress shows between rounds.
    const drain = importDrain({ log: quiet, roundMs: 1000 });
    while (!job.done) {
      printer.show(job);
      const handled = await drain.run(makeCtx(database.db, { actor: ctx.actor, identity: ctx.identity, timeZone: ctx.timeZone }));
      // Nothing handled: the job waits out a fault's retry delay; look again shortly.
      if (handled === 0) await new Promise((r) => setTimeout(r, 1000));
      job = (await invoke(op('import.status'), ctx, { id: job.id })) as ImportJob;
    }
    printer.show(job);
    printer.end();
    return { result: job, ok: job.status === 'completed' };
  } finally {
    await database.close();
  }
}
