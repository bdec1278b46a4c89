/**
 * The stored "answered" marker of follow-ups (migration 0017): after any sequence of inserts,
 * re-datings, archivals, restores, deletions, moves between threads and bulk writes, every
 * follow-up's marker equals the definition the inbox used to compute on every read (a later,
 * unarchived interaction in its thread: the company, else the lead, else the contact). On
 * PostgreSQL, two transactions writing one thread at the same moment still see each other.
 */
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { createApp } from '../src/api/app.ts';
import { followUpsDue } from '../src/core/sales/workflow.ts';
import { signIn } from './auth.ts';
import { dbSuite, type TestDatabase } from './db.ts';

/** The definition, written out here independently of the migration's function. */
const WRONG_MARKERS = `
  select i.id from interactions i
  where i.follow_up_date is not null
    and i.follow_up_answered is distinct from (
      case
        when i.company_id is not null then exists (select 1 from interactions j
          where j.company_id = i.company_id and j.interaction_date > i.interaction_date and j.archived_at is null and j.id <> i.id)
        when i.lead_id is not null then exists (select 1 from interactions j
          where j.lead_id = i.lead_id and j.interaction_date > i.interaction_date and j.archived_at is null and j.id <> i.id)
        when i.contact_id is not null then exists (select 1 from interactions j
          where j.contact_id = i.contact_id and j.interaction_date > i.interaction_date and j.archived_at is null and j.id <> i.id)
        else false
      end)`;

async function wrongMarkers(database: TestDatabase): Promise<string[]> {
  return (await database.query<{ id: string }>(WRONG_MARKERS)).map((r) => r.id);
}

async function makeThreads(database: TestDatabase, n: number) {
  const tag = Math.random().toString(36).slice(2, 8);
  const ids = async (sql: string) => (await database.query<{ id: string }>(sql)).map((r) => r.id);
  const companies = await ids(`insert into companies (name) select 'Marker Co ${tag} ' || g from generate_series(1, ${n}) g returning id`);
  const leads = await ids(`insert into leads (first_name) select 'Lead ${tag} ' || g from generate_series(1, ${n}) g returning id`);
  const contacts = await ids(`insert into contacts (name) select 'Contact ${tag} ' || g from generate_series(1, ${n}) g returning id`);
  return { companies, leads, contacts };
}

type Threads = Awaited<ReturnType<typeof makeThreads>>;

/** A new interaction's keys: any mix of a company, a lead and a contact (or none). */
const keysArb = fc.record({
  company: fc.option(fc.nat(2), { nil: undefined }),
  lead: fc.option(fc.nat(2), { nil: undefined }),
  contact: fc.option(fc.nat(2), { nil: undefined }),
});

const commandArb = fc.oneof(
  fc.record({ op: fc.constant('insert' as const), rows: fc.array(fc.record({ keys: keysArb, day: fc.nat(30), followUp: fc.boolean() }), { minLength: 1, maxLength: 3 }) }),
  fc.record({ op: fc.constant('redate' as const), pick: fc.nat(), day: fc.nat(30) }),
  fc.record({ op: fc.constant('archive' as const), pick: fc.nat(), archived: fc.boolean() }),
  fc.record({ op: fc.constant('delete' as const), pick: fc.nat() }),
  fc.record({ op: fc.constant('move' as const), pick: fc.nat(), keys: keysArb }),
  fc.record({ op: fc.constant('follow_up' as const), pick: fc.nat(), set: fc.boolean() }),
  fc.record({ op: fc.constant('noop_update' as const), pick: fc.nat() }),
);
type Command = typeof commandArb extends fc.Arbitrary<infer C> ? C : never;

const day = (n: number) => `2026-10-01T09:00:00Z'::timestamptz + interval '${n} days' + interval '${Math.floor(n * 37) % 60} minutes`;

async function apply(database: TestDatabase, threads: Threads, mine: string[], c: Command): Promise<void> {
  const keyValues = (k: { company?: number | undefined; lead?: number | undefined; contact?: number | undefined }) => [
    k.company === undefined ? null : threads.companies[k.company]!,
    k.lead === undefined ? null : threads.leads[k.lead]!,
    k.contact === undefined ? null : threads.contacts[k.contact]!,
  ];
  const picked = () => mine[(c as { pick: number }).pick % mine.length]!;
  switch (c.op) {
    case 'insert': {
      // One statement for all the rows, as an import chunk writes them.
      const values: unknown[] = [];
      const tuples = c.rows.map((r) => {
        values.push(...keyValues(r.keys));
        const n = values.length;
        return `($${n - 2}::uuid, $${n - 1}::uuid, $${n}::uuid, 'call', '${day(r.day)}', ${r.followUp ? `'2026-12-01'` : 'null'})`;
      });
      const rows = await database.query<{ id: string }>(
        `insert into interactions (company_id, lead_id, contact_id, type, interaction_date, follow_up_date) values ${tuples.join(', ')} returning id`,
        values,
      );
      mine.push(...rows.map((r) => r.id));
      return;
    }
    case 'redate':
      if (mine.length) await database.query(`update interactions set interaction_date = '${day(c.day)}' where id = $1`, [picked()]);
      return;
    case 'archive':
      if (mine.length) await database.query(`update interactions set archived_at = ${c.archived ? 'now()' : 'null'} where id = $1`, [picked()]);
      return;
    case 'delete':
      if (mine.length) {
        const id = picked();
        await database.query('delete from interactions where id = $1', [id]);
        mine.splice(mine.indexOf(id), 1);
      }
      return;
    case 'move':
      if (mine.length) await database.query('update interactions set company_id = $2, lead_id = $3, contact_id = $4 where id = $1', [picked(), ...keyValues(c.keys)]);
      return;
    case 'follow_up':
      if (mine.length) await database.query(`update interactions set follow_up_date = ${c.set ? `'2026-12-02'` : 'null'} where id = $1`, [picked()]);
      return;
    case 'noop_update':
      if (mine.length) await database.query(`update interactions set summary = 'edited' where id = $1`, [picked()]);
      return;
  }
}

dbSuite('follow-up answered marker', ({ backend, database, ctx }) => {
  it('equals the definition after any sequence of writes to a thread', async () => {
    const threads = await makeThreads(database(), 3);
    await fc.assert(
      fc.asyncProperty(fc.array(commandArb, { minLength: 1, maxLength: 25 }), async (commands) => {
        const mine: string[] = [];
        try {
          for (const c of commands) await apply(database(), threads, mine, c);
          expect(await wrongMarkers(database())).toEqual([]);
        } finally {
          if (mine.length) await database().query('delete from interactions where id = any($1::uuid[])', [mine]);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('keeps to the definition through deletions of a company or a contact (cascades and set null)', async () => {
    const { companies, contacts } = await makeThreads(database(), 2);
    const insert = (company: string | null, contact: string | null, d: number, followUp: boolean) =>
      database().query(
        `insert into interactions (company_id, contact_id, type, interaction_date, follow_up_date) values ($1, $2, 'call', '${day(d)}', ${followUp ? `'2026-12-01'` : 'null'})`,
        [company, contact],
      );
    await insert(companies[0]!, contacts[0]!, 1, true);
    await insert(companies[0]!, contacts[0]!, 2, false);
    await insert(null, contacts[1]!, 1, true);
    await insert(null, contacts[1]!, 2, false);
    const answered = async () =>
      (await database().query<{ n: number }>(
        'select count(*)::int as n from interactions where follow_up_answered and (company_id = any($1::uuid[]) or contact_id = any($2::uuid[]))',
        [companies, contacts],
      ))[0]!.n;
    expect(await answered()).toBe(2);
    // The contact's later interaction loses its contact (set null): the earlier one is open again.
    await database().query('update interactions set contact_id = null where contact_id = $1 and follow_up_date is null', [contacts[1]]);
    expect(await wrongMarkers(database())).toEqual([]);
    expect(await answered()).toBe(1);
    await database().query('delete from contacts where id = $1', [contacts[1]]);
    await database().query('delete from companies where id = $1', [companies[0]]);
    expect(await wrongMarkers(database())).toEqual([]);
  });

  it('marks a bulk insert spanning more threads than the per-thread locks allow', async () => {
    const { companies } = await makeThreads(database(), 100);
    // Every company: an older follow-up and a later answer, in one statement of 200 rows.
    await database().query(
      `insert into interactions (company_id, type, interaction_date, follow_up_date)
       select c, 'call', '2026-10-01'::timestamptz + k * interval '1 day', case when k = 0 then '2026-12-01'::date end
         from unnest($1::uuid[]) c, generate_series(0, 1) k`,
      [companies],
    );
    const [r] = await database().query<{ open: number; answered: number }>(
      `select count(*) filter (where not follow_up_answered)::int as open, count(*) filter (where follow_up_answered)::int as answered
         from interactions where company_id = any($1::uuid[]) and follow_up_date is not null`,
      [companies],
    );
    expect(r).toEqual({ open: 0, answered: 100 });
    // Archiving every answer in one statement reopens all hundred.
    await database().query(`update interactions set archived_at = now() where company_id = any($1::uuid[]) and follow_up_date is null`, [companies]);
    expect(await wrongMarkers(database())).toEqual([]);
    const [again] = await database().query<{ open: number }>(
      `select count(*)::int as open from interactions where company_id = any($1::uuid[]) and follow_up_date is not null and not follow_up_answered`,
      [companies],
    );
    expect(again!.open).toBe(100);
  });

  it('reopens a follow-up in the inbox when its answer is archived through the API, and closes it on restore', async () => {
    const c = ctx({ now: () => new Date('2026-11-18T09:00:00Z') });
    const app = await signIn(createApp({ database: database(), timeZone: 'UTC' }), database());
    const post = async (path: string, body: unknown) => {
      const r = await app.request(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      expect(r.status, await r.clone().text()).toBeLessThan(300);
      return (await r.json()) as Record<string, unknown>;
    };
    const company = await post('/api/v1/companies', { name: `Reopen Pty ${Math.random().toString(36).slice(2, 8)}` });
    const asked = await post('/api/v1/interactions', { company_id: company.id, type: 'call', interaction_date: '2026-11-10T01:00:00Z', follow_up_date: '2026-11-17' });
    const answer = await post('/api/v1/interactions', { company_id: company.id, type: 'call', interaction_date: '2026-11-12T01:00:00Z' });
    const inInbox = async () => (await followUpsDue(c, { limit: 500 })).items.some((i) => i.interaction_id === asked.id);
    expect(await inInbox()).toBe(false);
    await post(`/api/v1/interactions/${answer.id}/archive`, {});
    expect(await inInbox()).toBe(true);
    await post(`/api/v1/interactions/${answer.id}/restore`, {});
    expect(await inInbox()).toBe(false);
    // The marker is the database's: never in a record, never writable.
    const got = (await (await app.request(`/api/v1/interactions/${asked.id}`)).json()) as Record<string, unknown>;
    expect(got).not.toHaveProperty('follow_up_answered');
    const write = await app.request(`/api/v1/interactions/${asked.id}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json', 'if-match': String((await app.request(`/api/v1/interactions/${asked.id}`)).headers.get('etag')) },
      body: JSON.stringify({ follow_up_answered: true }),
    });
    expect(write.status).toBe(400);
  });

  if (backend === 'postgres') {
    it('gives two transactions writing one thread at once a consistent marker', async () => {
      const { companies } = await makeThreads(database(), 2);
      const pool = database().pool!;
      const answered = async () =>
        (await database().query<{ answered: boolean }>(
          'select follow_up_answered as answered from interactions where company_id = $1 and follow_up_date is not null',
          [companies[0]],
        ))[0]!.answered;
      const [a, b] = [await pool.connect(), await pool.connect()];
      /** `first` runs in a, then `second` in b while a is still open; a commits first. */
      const race = async (first: string, second: string) => {
        await a.query('begin');
        await a.query(first, [companies[0]]);
        await b.query('begin');
        const waiting = b.query(second, [companies[0]]);
        await new Promise((r) => setTimeout(r, 100));
        await a.query('commit');
        await waiting;
        await b.query('commit');
      };
      try {
        // The earlier interaction is written first and committed last; the later one waits for it.
        await race(
          `insert into interactions (company_id, type, interaction_date, follow_up_date) values ($1, 'call', '2026-10-01', '2026-12-01')`,
          `insert into interactions (company_id, type, interaction_date) values ($1, 'call', '2026-10-05')`,
        );
        expect(await answered()).toBe(true);
        // The answer archived in one transaction while another answer is logged in a second.
        await race(
          `update interactions set archived_at = now() where company_id = $1 and follow_up_date is null`,
          `insert into interactions (company_id, type, interaction_date) values ($1, 'call', '2026-10-07')`,
        );
        expect(await answered()).toBe(true);
      } finally {
        a.release();
        b.release();
      }
      expect(await wrongMarkers(database())).toEqual([]);
    });
  }
});
