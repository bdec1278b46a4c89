/**
 * The `throughline` command. Besides serve/migrate/seed, every registry operation is a
 * subcommand (`throughline companies list`, `throughline sales log-prospect`), run against
 * the running server's API when one holds the data directory, or in-process otherwise.
 *
 * In process, the CLI is the local operator (an administrator): whoever can open the data
 * directory owns the data anyway. Over HTTP it needs a credential like any client:
 * THROUGHLINE_API_KEY, or, for the server it found through the data directory's lock file,
 * the local operator key that server keeps in <dataDir>/cli.key.
 */
import fs from 'node:fs';
import { Command, Option } from 'commander';
import type { z } from 'zod';
import { ConfigError, loadConfig, type Config } from '../config.ts';
import { makeCtx } from '../core/context.ts';
import { AppError } from '../core/errors.ts';
import { randomToken } from '../core/identity/crypto.ts';
import { invoke, operationByName, operations, type Operation } from '../core/registry.ts';
import { FILTER_OPS, type Filter } from '../core/resource.ts';
import { resourceByName, resources } from '../core/resources.ts';
import { isDownload, type Download } from '../core/reports/types.ts';
import { USER_ROLES, type UserRole } from '../db/schema/platform.ts';
import { DataDirLockedError, lockHolder } from '../db/lock.ts';
import { MigrationError } from '../db/migrate.ts';
import { BackupError } from '../db/backup.ts';
import { consoleLogger, serviceLogger, type Logger } from '../logging.ts';
import { backupNow, cliKeyFile, identityConfig, openAndMigrate, runtimeOf, startServer, startWorkerProcess } from '../server.ts';
import { columnsOf, pickColumns, renderRecord, renderTable, rowsToCsv } from './format.ts';
import { callRemote } from './remote.ts';

type Row = Record<string, unknown>;

const quiet: Logger = { info: () => {}, error: (m, e) => console.error(m, e) };

class UsageError extends Error {}

/** Field kinds by name across all tables, to type `--set key=value` values. */
const kindByField = new Map<string, string>();
for (const r of resources) for (const f of r.fields) if (!kindByField.has(f.name)) kindByField.set(f.name, f.kind);

function coerce(key: string, raw: string, kinds: Map<string, string>): unknown {
  if (raw === 'null') return null;
  const kind = kinds.get(key) ?? kindByField.get(key);
  switch (kind) {
    case 'integer':
    case 'bigint':
      return /^-?\d+$/.test(raw) ? Number(raw) : raw;
    case 'boolean':
      return raw === 'true' ? true : raw === 'false' ? false : raw;
    case 'json':
    case 'text_array':
      try {
        return JSON.parse(raw);
      } catch {
        return raw;
      }
    default:
      if (kind === undefined && (raw === 'true' || raw === 'false')) return raw === 'true';
      return raw;
  }
}

/** The type under optional/nullable/default wrappers, e.g. 'string', 'number', 'object'. */
function baseType(schema: z.ZodType): string {
  let def = (schema as unknown as { _zod: { def: { type: string; innerType?: z.ZodType; in?: z.ZodType } } })._zod.def;
  for (let i = 0; i < 5 && (def.type === 'optional' || def.type === 'nullable' || def.type === 'default' || def.type === 'pipe'); i++) {
    const inner = def.innerType ?? def.in;
    if (!inner) break;
    def = (inner as unknown as { _zod: { def: typeof def } })._zod.def;
  }
  return def.type === 'int' ? 'number' : def.type;
}

/** `--data '{…}'` plus `--set a.b=c` pairs, merged into one object. */
function payload(opts: { data?: string; set?: string[] }, kinds: Map<string, string>): Row {
  let out: Row = {};
  if (opts.data) {
    try {
      out = JSON.parse(opts.data) as Row;
    } catch {
      throw new UsageError('--data is not valid JSON');
    }
    if (!out || typeof out !== 'object' || Array.isArray(out)) throw new UsageError('--data must be a JSON object');
  }
  for (const pair of opts.set ?? []) {
    const eq = pair.indexOf('=');
    if (eq < 1) throw new UsageError(`--set ${pair}: use key=value`);
    const path = pair.slice(0, eq).split('.');
    let target = out;
    for (const part of path.slice(0, -1)) target = (target[part] ??= {}) as Row;
    const leaf = path[path.length - 1]!;
    target[leaf] = coerce(leaf, pair.slice(eq + 1), kinds);
  }
  return out;
}

/** `@path` reads the value from a file (a CSV to ingest, a long description), as curl does; `@@…` is a literal `@…`. */
function fromFile(v: string): string {
  if (v.startsWith('@@')) return v.slice(1);
  if (!v.startsWith('@')) return v;
  try {
    return fs.readFileSync(v.slice(1), 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read ${v.slice(1)}: ${(e as Error).message}`);
  }
}

function parseWhere(list: string[] = []): Filter[] {
  return list.map((w) => {
    const m = /^([a-z][a-z0-9_]*)(?:\[([a-z_]+)\])?=(.*)$/s.exec(w);
    if (!m) throw new UsageError(`--where ${w}: use field=value or field[op]=value`);
    const op = (m[2] ?? 'eq') as Filter['op'];
    if (!FILTER_OPS.includes(op)) throw new UsageError(`--where ${w}: op must be one of ${FILTER_OPS.join(', ')}`);
    return { field: m[1]!, op, value: m[3]! };
  });
}

/** The operator key the server holding this data directory wrote for us, if we may read it. */
function localOperatorKey(dataDir: string): string | undefined {
  try {
    return fs.readFileSync(cliKeyFile(dataDir), 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

async function execute(config: Config, op: Operation, input: Row): Promise<unknown> {
  const local = config.serverUrl || config.databaseUrl ? undefined : lockHolder(config.dataDir)?.url;
  const remote = config.serverUrl ?? local;
  if (remote) return callRemote(remote, op, input, config.apiKey ?? (local ? localOperatorKey(config.dataDir) : undefined));
  const { database } = await openAndMigrate(config, quiet);
  try {
    const runtime = { ...runtimeOf(config), backup: () => backupNow(config, database) };
    const ctx = makeCtx(database.db, { identity: identityConfig(config, database), runtime, ...(config.timeZone ? { timeZone: config.timeZone } : {}) });
    return await invoke(op, ctx, input);
  } finally {
    await database.close();
  }
}


/** A report or other file: to --out, or to standard output unless that is a terminal and the file is binary. */
function writeFile(d: Download, out: string | undefined) {
  const bytes = typeof d.body === 'string' ? Buffer.from(d.body, 'utf8') : Buffer.from(d.body);
  if (out) {
    fs.writeFileSync(out, bytes);
    console.error(`Wrote ${out} (${d.content_type.split(';')[0]}, ${bytes.length.toLocaleString('en')} bytes)`);
    return;
  }
  if (process.stdout.isTTY && !d.content_type.startsWith('text/')) {
    throw new UsageError(`this is a ${d.content_type} file: give --out ${d.filename} (or redirect standard output)`);
  }
  process.stdout.write(bytes);
}

type PrintOptions = { json?: boolean; columns?: string; out?: string; format?: string; table?: string };

/** A result with tables (insights): text tables by default, one table as CSV, or the whole result as JSON. */
function printTables(op: Operation, result: unknown, opts: PrintOptions): boolean {
  if (!op.tables || opts.json || opts.format === 'json') return false;
  const tables = op.tables(result);
  if (opts.format === 'csv') {
    const table = opts.table ? tables.find((t) => t.name === opts.table) : tables[0];
    if (!table) throw new UsageError(`--table ${opts.table}: this result has the tables ${tables.map((t) => t.name).join(', ')}`);
    const csv = rowsToCsv(table.rows);
    if (opts.out) {
      fs.writeFileSync(opts.out, csv);
      console.error(`Wrote ${opts.out} (${table.name}, ${table.rows.length} rows)`);
    } else process.stdout.write(csv);
    if (!opts.table && tables.length > 1) console.error(`(${table.name}; the others: ${tables.slice(1).map((t) => `--table ${t.name}`).join(', ')})`);
    return true;
  }
  if (opts.out) return false;
  const shown = opts.table ? tables.filter((t) => t.name === opts.table) : tables;
  if (opts.table && !shown.length) throw new UsageError(`--table ${opts.table}: this result has the tables ${tables.map((t) => t.name).join(', ')}`);
  console.log(shown.map((t) => `${t.name}\n${t.rows.length ? renderTable(t.rows, columnsOf(t.rows), 32) : '(none)'}`).join('\n\n'));
  return true;
}

function print(op: Operation, result: unknown, opts: PrintOptions) {
  if (isDownload(result)) {
    writeFile(result, opts.out);
    return;
  }
  if (printTables(op, result, opts)) return;
  if (opts.out) {
    fs.writeFileSync(opts.out, JSON.stringify(result, null, 2) + '\n');
    console.error(`Wrote ${opts.out}`);
    return;
  }
  if (opts.json || op.kind === 'action' || op.kind === 'bulk_create' || op.kind === 'delete') {
    console.log(JSON.stringify(result, null, 2));
    return;
  }
  if (op.kind === 'list') {
    const { items, next_cursor } = result as { items: Row[]; next_cursor: string | null };
    if (items.length === 0) console.log('(no records)');
    else console.log(renderTable(items, pickColumns(items, opts.columns?.split(','))));
    if (next_cursor) console.log(`\nMore: --cursor ${next_cursor}`);
    return;
  }
  console.log(renderRecord(result as Row));
}

function addOperation(group: Command, op: Operation, config: () => Config) {
  const sub = op.name.split('.').slice(1).join('.').replace(/_/g, '-');
  const pathParams = [...op.http.path.matchAll(/\{([a-z_]+)\}/g)].map((m) => m[1]!);
  const cmd = group
    .command(sub)
    .summary(op.summary)
    .description(op.summary + (op.description ? `\n\n${op.description}` : ''));
  for (const p of pathParams) cmd.argument(`<${p}>`);
  // An action's scalar inputs become flags (--lost-reason …); nested ones go through --set.
  const flags: { key: string; attr: string; type: string }[] = [];
  if (op.kind === 'action') {
    const shape = (op.input as unknown as { shape?: Record<string, z.ZodType> }).shape ?? {};
    for (const [key, schema] of Object.entries(shape)) {
      const type = baseType(schema);
      if (pathParams.includes(key) || type === 'object' || type === 'record' || type === 'custom') continue;
      const flag = key.replace(/_/g, '-');
      cmd.option(`--${flag} <value>`, `${schema.description ?? `${key} (${type})`}${type === 'string' ? ' (@file reads it from a file)' : ''}`);
      flags.push({ key, attr: flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase()), type });
    }
  }
  cmd.option('--json', 'print JSON');
  if (op.tables) {
    cmd
      .addOption(new Option('--format <format>', 'table (default), csv (one table) or json (the whole result)').choices(['table', 'csv', 'json']))
      .option('--table <name>', 'only this table of the result (for csv: which one; default the first)')
      .option('-o, --out <file>', 'write the result to this file');
  }
  if (op.download) cmd.option('-o, --out <file>', 'write the result to this file');
  const kinds = new Map((op.resource?.fields ?? []).map((f) => [f.name, f.kind]));
  if (op.kind === 'list') {
    cmd
      .option('-w, --where <filter...>', `filter: field=value or field[op]=value (${FILTER_OPS.join(', ')})`)
      .option('--sort <field>', 'sort by a field; -field for descending')
      .option('--limit <n>', 'page size (at most 200)')
      .option('--cursor <cursor>', 'the next_cursor of the previous page')
      .option('-q, --q <text>', 'search')
      .addOption(new Option('--archived <mode>', 'archived records').choices(['exclude', 'include', 'only']))
      .option('--columns <list>', 'columns to show, comma-separated');
  }
  if (['create', 'update', 'action', 'bulk_create'].includes(op.kind)) {
    cmd.option('-d, --data <json>', op.kind === 'bulk_create' ? 'a JSON array of records' : 'the input as a JSON object');
    if (op.kind !== 'bulk_create') cmd.option('-s, --set <key=value...>', 'set one field (dots for nested: company.name=Acme)');
  }
  if (['update', 'archive', 'restore'].includes(op.kind)) cmd.option('--if-version <n>', 'refuse if the record is no longer at this version');
  cmd.action(async (...args: unknown[]) => {
    const opts = (args[pathParams.length] ?? {}) as Row;
    const params = Object.fromEntries(pathParams.map((p, i) => [p, args[i]]));
    let input: Row;
    switch (op.kind) {
      case 'list':
        input = {
          ...(opts.where ? { filters: parseWhere(opts.where as string[]) } : {}),
          ...Object.fromEntries(['sort', 'limit', 'cursor', 'q', 'archived'].filter((k) => opts[k] !== undefined).map((k) => [k, opts[k]])),
        };
        break;
      case 'create':
        input = { data: payload(opts, kinds) };
        break;
      case 'bulk_create': {
        let items: unknown;
        try {
          items = JSON.parse(String(opts.data ?? '[]'));
        } catch {
          throw new UsageError('--data is not valid JSON');
        }
        input = { items };
        break;
      }
      case 'update':
        input = { ...params, data: payload(opts, kinds) };
        break;
      case 'action': {
        input = { ...payload(opts, kinds), ...params };
        for (const f of flags) {
          const v = opts[f.attr];
          if (v === undefined) continue;
          input[f.key] = f.type === 'number' ? Number(v) : f.type === 'boolean' ? v === 'true' : f.type === 'string' ? fromFile(String(v)) : v;
        }
        break;
      }
      default:
        input = { ...params };
    }
    if (opts.ifVersion !== undefined) input.expected_version = Number(opts.ifVersion);
    const result = await execute(config(), op, input);
    print(op, result, opts as PrintOptions);
  });
}

/** On SIGINT or SIGTERM: close, then exit (0, or 1 on an error or after 15 s past the grace period). */
function stopOnSignals(log: Logger, what: string, close: () => Promise<void>, graceSeconds = 0): void {
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info(`${signal}: ${what}…`);
    const force = setTimeout(() => {
      log.error(`Shutdown took longer than ${15 + graceSeconds} s; exiting.`);
      process.exit(1);
    }, (15 + graceSeconds) * 1000);
    force.unref();
    close().then(
      () => process.exit(0),
      (e) => {
        log.error('Error while shutting down', e);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

export function buildProgram(): Command {
  let cached: Config | undefined;
  const config = () => (cached ??= loadConfig());
  const program = new Command('throughline')
    .description('Throughline: run an AI consultancy from first call to monthly ROI report.')
    .showHelpAfterError()
    .enablePositionalOptions();

  program
    .command('serve')
    .description('Serve the API (and later the web app) on HOST:PORT, default 127.0.0.1:3000')
    .action(async () => {
      const c = config();
      const log = serviceLogger(c.logLevel, c.logFormat);
      const server = await startServer(c, log);
      if (server.firstAdmin) {
        // Printed whatever the log level: it is the only way in, and it is shown this once.
        console.log(
          `\nNobody could sign in yet, so an administrator was created:\n\n  email:    ${server.firstAdmin.email}\n  password: ${server.firstAdmin.password}\n\n` +
            'This password is shown only this once. Sign in and change it (throughline users set-password), or create your own administrator with throughline user create.\n',
        );
      }
      log.info(`Throughline is running at ${server.url} (API docs: ${server.url}/api/docs)`);
      stopOnSignals(log, 'finishing requests and closing the database', () => server.close(), c.shutdownGraceSeconds);
    });

  program
    .command('worker')
    .description('Run the background work alone (email outbox, webhook deliveries, daily digests) beside servers started with THROUGHLINE_WORKER=off; PostgreSQL (DATABASE_URL) only')
    .action(async () => {
      const c = config();
      const log = serviceLogger(c.logLevel, c.logFormat);
      const worker = await startWorkerProcess(c, log);
      stopOnSignals(log, 'finishing the round in progress and closing the database', () => worker.stop());
    });

  program
    .command('mcp')
    .description(
      'Serve the MCP tools over standard input and output, for an MCP client that starts this command (Claude Desktop, Claude Code). ' +
        'It opens the database and acts for --user; with THROUGHLINE_URL it forwards to that server\'s /mcp with THROUGHLINE_API_KEY instead.',
    )
    .option('--user <email>', 'the user the agent acts for (default: THROUGHLINE_MCP_USER)')
    .addOption(new Option('--role <role>', 'act with at most this role (default: THROUGHLINE_MCP_ROLE, else the user\'s own)').choices([...USER_ROLES]))
    .action(async (opts: { user?: string; role?: UserRole }) => {
      const c = config();
      if (c.serverUrl) {
        if (opts.user || opts.role) throw new UsageError('--user and --role apply when the command opens the database; with THROUGHLINE_URL the API key decides who acts');
        const { bridgeStdioToHttp } = await import('../mcp/bridge.ts');
        await bridgeStdioToHttp(c);
        return;
      }
      const { serveStdio } = await import('../mcp/stdio.ts');
      await serveStdio(c, opts);
    });

  program
    .command('migrate')
    .description('Apply pending database migrations and exit')
    .action(async () => {
      const c = config();
      const { database } = await openAndMigrate(c, consoleLogger(c.logLevel));
      await database.close();
      console.log('Migrations applied.');
    });

  program
    .command('backup')
    .description(
      'Write a backup of the whole database to a file: the embedded data directory as a gzip tar (taken by the running server when there is one), or a pg_dump archive of DATABASE_URL. Restore it with throughline restore.',
    )
    .option('--out <file>', 'where to write it (default: throughline-<UTC time>.tar.gz or .dump in this directory)')
    .action(async (opts: { out?: string }) => {
      const file = (await execute(config(), operationByName.get('system.backup')!, {})) as Download;
      writeFile(file, opts.out ?? file.filename);
    });

  program
    .command('restore')
    .description(
      'Replace the database with a backup made by throughline backup, then apply the migrations and the retention policies (a backup never brings back what has since expired). ' +
        'Embedded: stop the server first; the current data directory is kept beside the restored one. PostgreSQL (DATABASE_URL): into an empty database, or with --replace, in one transaction.',
    )
    .argument('<file>', 'the backup file')
    .option('--replace', 'PostgreSQL: drop what the database holds first (in the same transaction as the restore)')
    .action(async (file: string, opts: { replace?: boolean }) => {
      const c = config();
      const log = consoleLogger(c.logLevel);
      const { restoreBackup } = await import('./restore.ts');
      await restoreBackup(c, log, file, { replace: opts.replace === true });
    });

  program
    .command('seed')
    .description('Load the demo data into an empty database, or generate large volumes with --scale')
    .option('--scale <contacts>', 'generate this many contacts (with companies and engagements) for benchmarks')
    .option('--usage <rows>', 'with --scale: ai_usage rows to generate', '0')
    .action(async (opts: { scale?: string; usage: string }) => {
      const c = config();
      const { database } = await openAndMigrate(c, consoleLogger(c.logLevel));
      try {
        if (opts.scale !== undefined) {
          const contacts = Number(opts.scale);
          const usageRows = Number(opts.usage);
          if (!Number.isInteger(contacts) || contacts < 1 || !Number.isInteger(usageRows) || usageRows < 0) {
            throw new UsageError('--scale and --usage take whole numbers');
          }
          const { seedScale } = await import('../demo/scale.ts');
          await seedScale(database, { contacts, usageRows, onProgress: (m) => console.log(m) });
        } else {
          const [row] = await database.query<{ n: number }>('select count(*)::int as n from companies');
          if ((row?.n ?? 0) > 0) throw new UsageError('The database already has companies; demo data is only loaded into an empty one.');
          const { seedDemo } = await import('../demo/seed.ts');
          // The demo passwords are published, so only the embedded database gets them.
          const { counts } = await seedDemo(makeCtx(database.db, c.timeZone ? { timeZone: c.timeZone } : {}), { demoPasswords: database.kind === 'pglite' });
          console.log(JSON.stringify(counts, null, 2));
        }
      } finally {
        await database.close();
      }
    });

  program
    .command('user')
    .description('Manage users (see also: throughline users)')
    .command('create')
    .description('Create a user with a password: the one given, or a new random one printed once')
    .requiredOption('--email <email>', 'their email address (they sign in with it)')
    .requiredOption('--name <name>', 'their name')
    .addOption(new Option('--role <role>', 'what they may do').choices([...USER_ROLES]).makeOptionMandatory())
    .option('--password <password>', 'their password (default: a random one, printed once)')
    .option('--json', 'print JSON')
    .action(async (opts: { email: string; name: string; role: string; password?: string; json?: boolean }) => {
      const password = opts.password ?? randomToken(18);
      const user = (await execute(config(), operationByName.get('users.create')!, {
        email: opts.email,
        name: opts.name,
        role: opts.role,
        password,
      })) as Row;
      if (opts.json) console.log(JSON.stringify({ user, ...(opts.password === undefined ? { password } : {}) }, null, 2));
      else {
        console.log(renderRecord(user));
        if (opts.password === undefined) console.log(`\npassword: ${password}\n(shown only this once)`);
      }
    });

  const groups = new Map<string, Command>();
  for (const op of operations) {
    const prefix = op.name.split('.')[0]!;
    let group = groups.get(prefix);
    if (!group) {
      const res = resourceByName.get(prefix);
      group = program.command(prefix).description(res ? res.summary : `${prefix.replace(/_/g, ' ')} operations`);
      groups.set(prefix, group);
    }
    addOperation(group, op, config);
  }
  groups
    .get('import')
    ?.command('run')
    .description('Import a CSV file from start to finish: check it (the dry run), then import it and show the progress. HubSpot and Pipedrive exports are recognised.')
    .argument('<file>', 'the CSV file')
    .requiredOption('--target <table>', 'companies, contacts, leads, interactions or ai_usage')
    .option('--format <format>', 'generic, hubspot or pipedrive (detected from the headers when left out)')
    .option('--on-duplicate <what>', 'fill_blanks (default) or skip')
    .option('--dry-run', 'only check the file: show the mapping and every row error, write nothing')
    .action(async (file: string, opts: { target: string; format?: string; onDuplicate?: string; dryRun?: boolean }) => {
      const c = config();
      const local = c.serverUrl || c.databaseUrl ? undefined : lockHolder(c.dataDir)?.url;
      const remote = c.serverUrl ?? local;
      const { runImport } = await import('./import-run.ts');
      const { result, ok } = await runImport(c, file, opts, remote, c.apiKey ?? (local ? localOperatorKey(c.dataDir) : undefined));
      console.log(JSON.stringify(result, null, 2));
      if (!ok) process.exitCode = 1;
    });
  return program;
}

function report(e: unknown): number {
  if (e instanceof AppError) {
    console.error(`${e.code}: ${e.message}`);
    for (const f of e.details.fields ?? []) console.error(`  ${f.field}: ${f.message}`);
    if (e.code === 'UNAUTHORIZED') console.error('  The server needs a credential: set THROUGHLINE_API_KEY to one of your API keys (POST /api/v1/api_keys while signed in).');
    return 1;
  }
  if (e instanceof UsageError) {
    console.error(`usage: ${e.message}`);
    return 2;
  }
  if (e instanceof ConfigError || e instanceof DataDirLockedError || e instanceof MigrationError || e instanceof BackupError) {
    console.error(e.message);
    return 1;
  }
  console.error(e instanceof Error ? (e.stack ?? e.message) : String(e));
  return 1;
}

try {
  await buildProgram().parseAsync(process.argv);
} catch (e) {
  process.exitCode = report(e);
}
