/**
 * Model-based test of the HTTP API (issue 12): fast-check drives random sequences of create,
 * update (with and without If-Match), archive, restore, get, list (every page), CSV import and
 * the sales workflow verbs (deal stage moves, won and lost, lead qualification and conversion)
 * through the real HTTP API, and checks every answer against a simple in-memory model
 * (test/model.ts), then the whole state of the run against it.
 *
 * Each run signs in an administrator of its own and scopes every list to the records that
 * person owns, so runs share the suite's database without seeing each other. The seed is
 * random unless given, and printed; a failure prints the seed, the path and the shrunk command
 * sequence, with the line that replays it:
 *   MODEL_SEED=<seed> MODEL_PATH=<path> MODEL_REPLAY=<replayPath> npx vitest run test/model.test.ts
 * MODEL_RUNS=<n> runs longer (default 100), MODEL_COMMANDS=<n> allows longer sequences (default
 * 60), MODEL_STATS=1 prints how often each route answered each status.
 */
import { randomBytes } from 'node:crypto';
import type http from 'node:http';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createApp } from '../src/api/app.ts';
import { importDrain } from '../src/worker/import-drain.ts';
import { createWorker, type Worker, type WorkerLog } from '../src/worker/worker.ts';
import { FAST_IDENTITY, signIn } from './auth.ts';
import { dbSuite } from './db.ts';
import { commandArbs, compareAll, emptyModel, type Model, type Reply, type RunReal } from './model.ts';
import { serveApp, stopServer } from './servers.ts';

const envInt = (name: string): number | undefined => {
  const v = process.env[name];
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n)) throw new Error(`${name} must be a whole number, not ${v}`);
  return n;
};

const RUNS = envInt('MODEL_RUNS') ?? 100;
const MAX_COMMANDS = envInt('MODEL_COMMANDS') ?? 60;
const SEED = envInt('MODEL_SEED') ?? (Date.now() ^ (Math.random() * 0x7fffffff)) | 0;
const PATH = process.env.MODEL_PATH || undefined;
/** Which generated commands a failing run executed: fast-check needs it, with the seed and path, to replay a shrunk sequence. */
const REPLAY = process.env.MODEL_REPLAY || undefined;
/** MODEL_STATS=1 prints how often each route answered each status: what the runs covered. */
const STATS = process.env.MODEL_STATS === '1';
// Room for the runs (well under a second each) and for shrinking a failure, which replays many.
const TIMEOUT_MS = 600_000 + RUNS * 20_000;

/** The assertion's message, and (which vitest abbreviates in it) what was expected and what came. */
function describeError(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const a = e as Error & { actual?: unknown; expected?: unknown };
  const both = 'actual' in a && 'expected' in a ? `\n  expected: ${JSON.stringify(a.expected)}\n  actual:   ${JSON.stringify(a.actual)}` : '';
  return `${e.message}${both}`;
}

dbSuite('model-based API', ({ database, backend }) => {
  const log: WorkerLog & { errors: string[] } = { errors: [], info: () => {}, error(m, e) { this.errors.push(`${m} ${String(e)}`); } };
  let app: ReturnType<typeof createApp>;
  let server: http.Server | undefined;
  let base: string;
  let worker: Worker | undefined;
  let runs = 0;
  const answers = new Map<string, number>();

  beforeAll(async () => {
    app = createApp({ database: database(), identity: FAST_IDENTITY, webDir: null, timeZone: 'UTC' });
    ({ server, base } = await serveApp(app));
    worker = createWorker({ database: database(), drains: [importDrain({ log })], log });
  });
  afterAll(async () => {
    await worker?.stop();
    await stopServer(server);
  });

  /** A run of its own: a new administrator (who owns everything the run makes) and a tag for its names. */
  async function newRun(): Promise<{ model: Model; real: RunReal }> {
    const admin = await signIn(app, database(), 'admin');
    const model = emptyModel(`m${++runs}${randomBytes(2).toString('hex')}`);
    const real: RunReal = {
      owner: admin.user.id,
      async call(method, path, opts = {}): Promise<Reply> {
        const headers: Record<string, string> = { authorization: `Bearer ${admin.key}`, ...opts.headers };
        if (opts.body !== undefined) headers['content-type'] = 'application/json';
        const res = await fetch(`${base}${path}`, { method, headers, ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}) });
        const text = await res.text();
        if (STATS) {
          const route = `${method} ${path.replace(/\?.*$/, '').replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, ':id')} ${res.status}`;
          answers.set(route, (answers.get(route) ?? 0) + 1);
        }
        return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
      },
      async drainImports() {
        for (let round = 0; round < 100; round++) {
          const done = await worker!.runOnce();
          expect(log.errors, 'the import worker failed').toEqual([]);
          if (!done.import) return;
        }
        throw new Error('the import worker never finished its jobs');
      },
    };
    return { model, real };
  }

  it(
    'random sequences of verbs agree with the in-memory model',
    async () => {
      const property = fc.asyncProperty(fc.commands(commandArbs, { maxCommands: MAX_COMMANDS, size: 'max', ...(REPLAY ? { replayPath: REPLAY } : {}) }), async (cmds) => {
        const setup = await newRun();
        await fc.asyncModelRun(() => setup, cmds);
        await compareAll(setup.model, setup.real);
      });
      console.log(`model-based API [${backend}]: seed ${SEED}, ${RUNS} runs of at most ${MAX_COMMANDS} commands${PATH ? `, path ${PATH}` : ''}`);
      const details = await fc.check(property, { seed: SEED, numRuns: RUNS, ...(PATH ? { path: PATH } : {}), verbose: 0 });
      if (STATS) console.log([...answers].sort(([a], [b]) => a.localeCompare(b)).map(([k, n]) => `${String(n).padStart(6)}  ${k}`).join('\n'));
      if (details.failed) {
        const report = fc.defaultReportMessage(details) ?? 'failed';
        const replayPath = /replayPath="([^"]*)"/.exec(report)?.[1];
        const replay = `replay with: MODEL_SEED=${details.seed} MODEL_PATH=${details.counterexamplePath ?? ''}${replayPath ? ` MODEL_REPLAY='${replayPath}'` : ''} npx vitest run test/model.test.ts`;
        const cause = describeError(details.errorInstance);
        throw new Error(`${replay}\n${report}\n\nThe shrunk sequence failed with:\n${cause}`);
      }
      expect(details.numRuns, 'every run was executed').toBe(PATH ? 1 : RUNS);
    },
    TIMEOUT_MS,
  );
});
