/**
 * Crash safety, proved (issue 12), on PGlite and on PostgreSQL, with the real server as a
 * child process (the machinery and what each check means are in test/fault.ts):
 *
 * - SIGKILL under concurrent writes, a handful of times: every restart opens the data and
 *   serves it, nothing acknowledged is lost, no business operation is half-done, and the checks
 *   do see a lost write and a half-done operation when there is one;
 * - SIGKILL while the first start migrates: the next start completes the migrations and the
 *   schema is the one a start without a crash builds;
 * - SIGKILL in the middle of a CSV import: committed chunks stay, the job is left running and
 *   resumable, and once resumed it completes with every row imported exactly once;
 * - SIGTERM under load: /readyz says 503, new requests are refused, requests in flight get
 *   their normal answer, the database is closed cleanly and the process exits 0.
 *
 * Kill moments come from a seeded PRNG; a failure names the seed (FAULT_SEED replays it).
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { IMPORT_CHUNK } from '../src/worker/import-drain.ts';
import { backends, type Backend } from './db.ts';
import {
  adminKey,
  between,
  checkDatabase,
  contactsCsv,
  crashRun,
  describeRun,
  drive,
  exitCode,
  faultSeed,
  faultTarget,
  importUnderway,
  killHard,
  migrationStarted,
  MIGRATED,
  newLedger,
  pgliteControlState,
  probe,
  readBack,
  schemaPrint,
  seededRandom,
  serveTarget,
  sleep,
  spawnServe,
  stopAllServed,
  stopGracefully,
  waitForImport,
  withDatabase,
  type FaultTarget,
  type Op,
} from './fault.ts';

const seed = faultSeed();
const random = seededRandom(seed);
/** The writers' operations draw from a stream of their own, so that the delays above replay exactly. */
const mix = seededRandom(seed ^ 0x5bd1e995);
/** Every assertion message carries the seed, so a failure can be replayed. */
const seeded = (what: string) => `${what} (seed ${seed}; replay with FAULT_SEED=${seed})`;

const targets: FaultTarget[] = [];
async function target(backend: Backend): Promise<FaultTarget> {
  const t = await faultTarget(backend);
  targets.push(t);
  return t;
}

afterEach(async () => {
  await stopAllServed();
});
afterAll(async () => {
  await stopAllServed();
  for (const t of targets) await t.dispose();
});

for (const backend of backends) {
  describe(`crash safety [${backend}]`, () => {
    it('survives SIGKILL under concurrent writes: every restart serves the data, nothing acknowledged is lost, nothing is half-done', async () => {
      const t = await target(backend);
      const run = await crashRun({ target: t, cycles: 5, seed, writers: 8, killAfterMs: [300, 2_500] });
      const report = describeRun(run);
      expect(run.failedOpens, seeded(report)).toEqual([]);
      expect(run.cycles).toBe(5);
      expect(run.lost, seeded(report)).toEqual([]);
      expect(run.halfDone, seeded(report)).toEqual([]);
      expect(run.problems, seeded(report)).toEqual([]);
      // The cycles wrote for real: business operations were acknowledged, and answered again after a crash.
      expect(run.acknowledged).toBeGreaterThan(20);

      // The checks have teeth: a lost write (an acknowledged prospect's interaction deleted), a
      // record without its audit row, an operation with only part of its audit rows and a
      // skipped ticket number are each found.
      const prospect = run.ledger.ops.find((o) => o.kind === 'prospect' && o.outcome === 'acked')!;
      const found = await withDatabase(t, async (database) => {
        await database.query(`delete from interactions where id = $1`, [prospect.result!.interactionId]);
        await database.query(`insert into contacts (name, company_id) values ('Unaudited Person', $1)`, [prospect.result!.companyId]);
        await database.query(
          `insert into audit_log (actor_type, action, table_name, record_id, request_id) values ('system', 'create', 'companies', $1, 'fault.c99.w0.n0.prospect')`,
          [prospect.result!.companyId],
        );
        await database.query(
          `insert into document_sequences (kind, year, last_value) values ('ticket', extract(year from now())::int, 1)
             on conflict (kind, year) do update set last_value = document_sequences.last_value + 1`,
        );
        return checkDatabase(database, run.ledger);
      });
      expect(found.lost).toEqual([expect.stringContaining(`interaction ${prospect.result!.interactionId} is missing`)]);
      expect(found.halfDone).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^fault\.c99\.w0\.n0\.prospect: half-done prospect, no create audit row for contacts/),
          expect.stringMatching(/^interactions .*: a create audit row without its record/),
          expect.stringMatching(/^contacts .*: a record without its create audit row/),
          expect.stringMatching(/^company .*: a half-done prospect \(2 contacts, 0 interactions/),
          expect.stringMatching(/^tickets of \d{4}: the counter is at/),
        ]),
      );
    }, 600_000);

    it('finishes migrating after a SIGKILL during the first start, to the schema a start without a crash builds', async () => {
      const reference = await target(backend);
      const normal = await serveTarget(reference);
      expect(await stopGracefully(normal)).toBe(0);
      const expected = await withDatabase(reference, schemaPrint);
      expect(expected.tables.length).toBeGreaterThan(50);
      expect(expected.migrations.length).toBe(journalEntries());

      let landedMidway = 0;
      for (let attempt = 0; attempt < 3; attempt++) {
        const t = await target(backend);
        const starting = spawnServe(t);
        expect(await migrationStarted(t, starting), seeded(`the first start never migrated:\n${starting.output()}`)).toBe(true);
        // Migrating takes about a second (longer on a busy machine); a kill within the first
        // half of that lands before the last statement.
        await sleep(between(random, 0, backend === 'pglite' ? 600 : 300));
        await killHard(starting);
        if (!MIGRATED.test(starting.output())) landedMidway++;
        if (backend === 'postgres') {
          // All pending migrations run in one transaction: nothing of it, or all of it.
          const partial = await withDatabase(t, schemaPrint);
          expect([0, expected.migrations.length], seeded('migrations applied when killed')).toContain(partial.migrations.length);
          expect(partial.tables, seeded('tables left by the killed migration')).toEqual(partial.migrations.length ? expected.tables : []);
        }
        // It starts again, migrates and serves (/healthz); then the schema is compared.
        const again = await serveTarget(t);
        expect(await stopGracefully(again)).toBe(0);
        expect(await withDatabase(t, schemaPrint), seeded('the schema after the restart')).toEqual(expected);
      }
      // At least one kill landed while the migrations ran (before "Database ready").
      expect(landedMidway, seeded('kills that landed during the migration')).toBeGreaterThan(0);
    }, 600_000);

    it('keeps committed chunks of an import killed midway, and resumes it without importing any row twice', async () => {
      const t = await target(backend);
      let served = await serveTarget(t);
      const key = await adminKey(served);
      const tag = randomBytes(3).toString('hex');
      // Large enough to be killed midway, small enough to finish soon after the restart.
      const rows = 12 * IMPORT_CHUNK;
      const started = await fetch(`${served.url}/api/v1/imports`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ target: 'contacts', csv: contactsCsv(tag, rows), file_name: 'fault.csv' }),
      });
      const job = (await started.json()) as { id: string; total_rows: number };
      expect(started.status, JSON.stringify(job)).toBe(201);
      expect(job.total_rows).toBe(rows);

      // Killed while the worker writes rows, at a random moment: once a chunk is seen committed,
      // or (when the busy server cannot say) a few chunks' time after the worker began. Killed
      // again if that came before the first chunk committed: what is proved is that committed
      // chunks stay.
      const mine = `person%.${tag}@import.example`;
      for (let kill = 1; ; kill++) {
        const underway = await importUnderway(t, served.url, key, job.id);
        await sleep(underway.committed ? between(random, 0, 1_500) : between(random, 1_000, 3_000));
        await killHard(served);
        const afterKill = await withDatabase(t, async (database) => {
          const [j] = await database.query<{ status: string; processed_rows: number; created_count: number }>(`select status, processed_rows, created_count from import_jobs where id = $1`, [job.id]);
          const [c] = await database.query<{ n: number; emails: number }>(`select count(*)::int as n, count(distinct lower(email))::int as emails from contacts where email like $1`, [mine]);
          const consistency = await checkDatabase(database, newLedger());
          // The job's lease belongs to the process that died. On PGlite the restarted server knows
          // it is the only worker and frees it; beside PostgreSQL another worker may hold it, so
          // it is waited out (IMPORT_LEASE_MS, five minutes): let it run out now.
          if (backend === 'postgres') await database.query(`update import_jobs set lease_until = now() where id = $1 and status = 'running'`, [job.id]);
          return { job: j!, contacts: c!, consistency };
        });
        // Left running (resumable), never finished or failed by the kill.
        expect(afterKill.job.status, seeded('the job after the kill')).toBe('running');
        expect(afterKill.job.processed_rows, seeded('killed after the import finished: use a larger file')).toBeLessThan(rows);
        // The cursor moved with whole chunks, each committed with its rows, and only with them.
        expect(afterKill.job.processed_rows % IMPORT_CHUNK).toBe(0);
        expect(afterKill.job.created_count).toBe(afterKill.job.processed_rows);
        expect(afterKill.contacts).toEqual({ n: afterKill.job.processed_rows, emails: afterKill.job.processed_rows });
        expect(afterKill.consistency.halfDone, seeded('after the kill')).toEqual([]);
        if (afterKill.job.processed_rows > 0) break;
        expect(kill, seeded('kills that all came before the first chunk committed')).toBeLessThan(3);
        served = await serveTarget(t, key);
      }

      served = await serveTarget(t, key);
      const done = await waitForImport(served.url, key, job.id, (j) => j.done, 240_000);
      // Completed, and the chunks committed before the kill were not done again (they would count as updated).
      expect(done).toMatchObject({ status: 'completed', total_rows: rows, processed_rows: rows, created_count: rows, updated_count: 0, skipped_count: 0, error_count: 0, failure: null });
      expect(await stopGracefully(served)).toBe(0);
      await withDatabase(t, async (database) => {
        const [c] = await database.query<{ n: number; emails: number }>(`select count(*)::int as n, count(distinct lower(email))::int as emails from contacts where email like $1`, [mine]);
        expect(c).toEqual({ n: rows, emails: rows });
        const [co] = await database.query<{ n: number; domains: number }>(`select count(*)::int as n, count(distinct domain)::int as domains from companies where domain like $1`, [`%-${tag}.example`]);
        expect(co).toEqual({ n: rows / 10, domains: rows / 10 });
        expect((await checkDatabase(database, newLedger())).halfDone, seeded('after the import resumed')).toEqual([]);
      });
    }, 600_000);

    it('on SIGTERM under load: /readyz says 503, new requests are refused, requests in flight finish, the database is closed, exit 0', async () => {
      const t = await target(backend);
      let served = await serveTarget(t);
      const key = await adminKey(served);
      const ready = await probe(`${served.url}/readyz`);
      expect(ready, 'GET /readyz before SIGTERM (the readiness endpoint of the SIGTERM contract)').toEqual({ status: 200 });

      const ledger = newLedger();
      // A few companies first, so every kind of operation is in the mix.
      await drive({ base: served.url, key, ledger, cycle: 0, writers: 4, random: mix, stop: () => ledger.companies.length >= 8 });
      const writing = drive({ base: served.url, key, ledger, cycle: 1, writers: 20, random: mix, stop: () => false });
      await sleep(between(random, 500, 1_500));
      // While it runs, the embedded database is open: pg_control says so (and must say otherwise once closed).
      if (backend === 'pglite') expect(pgliteControlState(t.dataDir)).toBe('in production');
      const signalAt = performance.now();
      served.child.kill('SIGTERM');
      // Readiness, asked on new connections until the process is gone.
      let notReadyAt: number | undefined;
      let refusedAt: number | undefined;
      const readiness: string[] = [];
      while (served.child.exitCode === null && served.child.signalCode === null) {
        const r = await probe(`${served.url}/readyz`);
        readiness.push(String(r.status ?? r.error));
        if (r.status === 503) notReadyAt ??= performance.now();
        if (r.error === 'ECONNREFUSED') {
          refusedAt ??= performance.now();
          break;
        }
        await sleep(10);
      }
      const code = await exitCode(served, 30_000);
      await writing;
      const output = served.output();
      expect(code, output).toBe(0);
      expect(output).toMatch(/SIGTERM: /);
      expect(notReadyAt, `/readyz after SIGTERM answered (on new connections, until the process exited): ${readiness.join(', ')}`).toBeDefined();

      const ops = ledger.ops.filter((o) => o.cycle === 1);
      const inFlight = ops.filter((o) => o.sentAt < signalAt && (o.doneAt ?? Infinity) > signalAt);
      // Real load: requests were in flight when the signal came, and they were answered normally.
      expect(inFlight.filter((o) => o.outcome === 'acked').length, describeOps(inFlight)).toBeGreaterThan(0);
      // Every answer that was not a 2xx is the refusal of the contract.
      const answered = ops.filter((o) => o.status !== undefined && (o.status < 200 || o.status >= 300));
      for (const o of answered) {
        expect({ rid: o.rid, status: o.status, code: o.code, connection: o.connection }).toEqual({ rid: o.rid, status: 503, code: 'UNAVAILABLE', connection: 'close' });
      }
      // Once the server was seen stopping (/readyz 503, a refusal, or its port closed), nothing new was taken on.
      const stoppingSeen = Math.min(notReadyAt ?? Infinity, refusedAt ?? Infinity, ...ops.filter((o) => o.outcome === 'refused').map((o) => o.doneAt!));
      const lateAccepted = ops.filter((o) => o.sentAt > stoppingSeen && o.outcome === 'acked');
      expect(lateAccepted.map((o) => o.rid), 'requests sent after the server was seen stopping, and still served').toEqual([]);

      if (backend === 'pglite') {
        // Closed cleanly: the lock released, and a shutdown checkpoint in pg_control.
        expect(fs.existsSync(path.join(t.dataDir, 'throughline.lock'))).toBe(false);
        expect(pgliteControlState(t.dataDir)).toBe('shut down');
      }
      const found = await withDatabase(t, (database) => checkDatabase(database, ledger));
      expect(found.lost, seeded('acknowledged before or during the drain')).toEqual([]);
      expect(found.halfDone).toEqual([]);
      // A request the server carried out was answered: no write happened behind a broken connection.
      const traced = await withDatabase(t, async (database) =>
        (await database.query<{ request_id: string }>(`select distinct request_id from audit_log where request_id = any($1::text[])`, [ops.filter((o) => o.outcome !== 'acked').map((o) => o.rid)])).map((r) => r.request_id),
      );
      expect(traced, 'written by the server, but the client got no answer').toEqual([]);

      served = await serveTarget(t, key);
      expect(await readBack(served.url, key, ledger.ops.filter((o) => o.outcome === 'acked'))).toEqual([]);
      expect(await stopGracefully(served)).toBe(0);
    }, 600_000);
  });
}

/** How many migrations the repository ships (drizzle's journal). */
function journalEntries(): number {
  const journal = JSON.parse(fs.readFileSync(path.resolve(import.meta.dirname, '../src/db/migrations/meta/_journal.json'), 'utf8')) as { entries: unknown[] };
  return journal.entries.length;
}

const describeOps = (ops: Op[]) => ops.map((o) => `${o.rid}: ${o.outcome} ${o.status ?? o.error ?? ''}`).join('\n');

