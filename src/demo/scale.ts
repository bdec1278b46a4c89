/**
 * Bulk volumes for benchmarks: companies, contacts, engagements and ai_usage generated
 * server-side (`insert … select … from generate_series`) in batches of BATCH rows, each its
 * own statement, so the client holds nothing and every batch reports progress. The same SQL
 * runs on PostgreSQL and PGlite.
 *
 * Deterministic: every id is derived from the row number (`5ca1e000-000K-4000-8000-<hex n>`,
 * K = 1 companies, 2 contacts, 3 engagements, 4 ai_usage), so rows reference each other by
 * arithmetic instead of joins, and ids arrive in index order. Only dates move with today.
 *
 * Layout, with C companies, N contacts, E engagements and U usage rows:
 * - company c (1..C): status 'supporting' when c <= E (it has engagement c), else 'lead';
 * - contact n (1..N) belongs to company ((n - 1) % C) + 1, so company c has contacts
 *   c, c + C, c + 2C, …; every tenth has no email (has_email false);
 * - engagement e (1..E) is on company e, status 'supporting';
 * - usage rows are split into E consecutive blocks, one per engagement; within a block the
 *   dates run over the 365 days ending today and the contacts cycle over the company's
 *   contacts (every twentieth row is attributed to no one).
 *
 * Speed: everything runs in one transaction (a failure leaves nothing behind). For the two
 * big tables (contacts, ai_usage) the secondary indexes and outgoing foreign keys are dropped
 * first and recreated from their catalog definitions after the load: one sort per index and
 * one anti-join per foreign key instead of millions of index insertions and per-row trigger
 * checks (which cost ~3x the insert itself). The definitions, names and checks end up as the
 * migrations made them; until commit the tables are locked against other sessions.
 */
import type { Database } from '../db/client.ts';

export type ScaleOptions = {
  contacts: number;
  usageRows: number;
  /** Engagements (default 200), one each on the first companies. */
  engagements?: number;
  onProgress?: (msg: string) => void;
};

export type ScaleCounts = { companies: number; contacts: number; engagements: number; ai_usage: number };

/** Rows per insert statement. */
const BATCH = 100_000;
const CONTACTS_PER_COMPANY = 50;

const KIND = { company: 1, contact: 2, engagement: 3, usage: 4 } as const;

export type Query = <T = Record<string, unknown>>(text: string, params?: unknown[]) => Promise<T[]>;

/** SQL for the deterministic uuid of row `expr` (a bigint expression) of one kind. */
const uid = (kind: number, expr: string) =>
  `('5ca1e000-000${kind}-4000-8000-' || lpad(to_hex(${expr}), 12, '0'))::uuid`;

function count(name: string, v: number): number {
  if (!Number.isSafeInteger(v) || v < 0) throw new Error(`seedScale: ${name} must be a non-negative integer`);
  return v;
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const secs = (t0: number) => ((performance.now() - t0) / 1000).toFixed(1);

/** Runs `fn` in one transaction on one connection of either backend, with the driver itself (no ORM). */
export async function inTransaction<T>(database: Database, fn: (query: Query) => Promise<T>): Promise<T> {
  if (database.pglite) {
    return database.pglite.transaction(async (tx) => fn(async <R>(text: string, params?: unknown[]) => (await tx.query<R>(text, params)).rows));
  }
  if (!database.pool) throw new Error('inTransaction: no connection pool');
  const client = await database.pool.connect();
  try {
    await client.query('begin');
    const out = await fn(async <R>(text: string, params?: unknown[]) => (await client.query(text, params)).rows as R[]);
    await client.query('commit');
    return out;
  } catch (e) {
    await client.query('rollback').catch(() => {});
    throw e;
  } finally {
    client.release();
  }
}

/**
 * Drops `table`'s secondary indexes (not those backing a constraint) and its foreign keys,
 * runs `load`, then recreates them exactly as the catalog described them.
 */
async function bulkLoad(query: Query, table: string, report: (msg: string) => void, load: () => Promise<void>) {
  const indexes = await query<{ drop: string; create: string }>(`
    select format('drop index %s', i.indexrelid::regclass) as drop, pg_get_indexdef(i.indexrelid) as create
      from pg_index i
     where i.indrelid = '${table}'::regclass
       and not exists (select 1 from pg_constraint c where c.conindid = i.indexrelid)
     order by i.indexrelid`);
  const fks = await query<{ drop: string; create: string }>(`
    select format('alter table %s drop constraint %I', conrelid::regclass, conname) as drop,
           format('alter table %s add constraint %I %s', conrelid::regclass, conname, pg_get_constraintdef(oid)) as create
      from pg_constraint
     where conrelid = '${table}'::regclass and contype = 'f'
     order by conname`);
  for (const s of [...fks, ...indexes]) await query(s.drop);
  await load();
  let t0 = performance.now();
  for (const s of indexes) await query(s.create);
  report(`${table}: ${indexes.length} indexes rebuilt (${secs(t0)} s)`);
  t0 = performance.now();
  for (const s of fks) await query(s.create);
  report(`${table}: ${fks.length} foreign keys checked (${secs(t0)} s)`);
}

export async function seedScale(database: Database, opts: ScaleOptions): Promise<ScaleCounts> {
  const N = count('contacts', opts.contacts);
  const U = count('usageRows', opts.usageRows);
  const E = count('engagements', opts.engagements ?? 200);
  if (U > 0 && E === 0) throw new Error('seedScale: usage rows need at least one engagement');
  // Keeps every bigint product in the generated SQL far from overflow.
  if (Math.max(N, U, E) > 1e9) throw new Error('seedScale: at most 1e9 rows of each kind');
  const C = Math.max(E, Math.ceil(N / CONTACTS_PER_COMPANY));
  const report = opts.onProgress ?? (() => {});
  const started = performance.now();

  return inTransaction(database, async (query) => {
    const [taken] = await query<{ n: number }>(
      `select count(*)::int as n from companies where id = ${uid(KIND.company, '1')}`,
    );
    if (C > 0 && taken!.n > 0) throw new Error('seedScale: this database already holds scale data');
    if (database.kind === 'postgres') {
      // Index builds and the rollup's aggregate in memory rather than in temporary files.
      await query(`set local maintenance_work_mem = '512MB'`);
      await query(`set local work_mem = '256MB'`);
    }

    /** Runs `sql(from, to)` for [from, to] slices of [1, total], reporting progress. */
    async function batches(table: string, total: number, sql: (from: number, to: number) => string) {
      const t0 = performance.now();
      for (let from = 1; from <= total; from += BATCH) {
        const to = Math.min(total, from + BATCH - 1);
        await query(sql(from, to));
        const s = (performance.now() - t0) / 1000;
        report(`${table}: ${fmt(to)} / ${fmt(total)} rows (${fmt(to / Math.max(s, 1e-3))} rows/s)`);
      }
    }

    await batches(
      'companies',
      C,
      (from, to) => `
        insert into companies (id, name, status, industry, size, employee_count, location, website, domain,
                               source, tier, country, currency, notes)
        select ${uid(KIND.company, 'n')},
               'company ' || n,
               case when n <= ${E} then 'supporting' else 'lead' end,
               'construction',
               (array['1-10','11-50','51-200','201-1000'])[n % 4 + 1],
               (n % 500)::int,
               'city ' || (n % 97),
               'https://company-' || n || '.example.com',
               'company-' || n || '.example.com',
               (array['referral','cold_walk_in','cold_call','cold_email','linkedin','inbound',
                      'networking_event','website','event','other'])[n % 10 + 1],
               (array['strategic','growth','standard'])[n % 3 + 1],
               (array['AU','TT','US'])[n % 3 + 1],
               (array['AUD','TTD','USD'])[n % 3 + 1],
               'scale'
          from generate_series(${from}::bigint, ${to}::bigint) as n`,
    );

    await bulkLoad(query, 'contacts', report, () =>
      batches(
        'contacts',
        N,
        (from, to) => `
          insert into contacts (id, company_id, name, first_name, last_name, role_title, email, has_email,
                                is_decision_maker, is_primary, relationship_type, status, is_active,
                                created_at, updated_at)
          select ${uid(KIND.contact, 'n')},
                 ${uid(KIND.company, `(n - 1) % ${C} + 1`)},
                 'contact ' || n,
                 'contact',
                 n::text,
                 (array['Director','Manager','Engineer','Estimator','Coordinator'])[n % 5 + 1],
                 case when n % 10 = 0 then null else 'c' || n || '@example.com' end,
                 n % 10 <> 0,
                 n % 7 = 0,
                 n <= ${C},
                 (array['employee','decision_maker','champion','billing','technical','other'])[n % 6 + 1],
                 'active',
                 true,
                 -- Spread creation over time (30 s apart, newest last) as real data is,
                 -- so lists sorted by created_at behave as they would in use.
                 now() - (${N} - n) * interval '30 seconds',
                 now() - (${N} - n) * interval '30 seconds'
            from generate_series(${from}::bigint, ${to}::bigint) as n`,
      ),
    );

    await batches(
      'engagements',
      E,
      (from, to) => `
        insert into engagements (id, company_id, name, status, package, priority, staff_count, num_licenses,
                                 start_date, go_live_date, claude_plan_setup, notes)
        select ${uid(KIND.engagement, 'n')},
               ${uid(KIND.company, 'n')},
               'engagement ' || n,
               'supporting',
               'standard',
               (array['low','medium','high','urgent'])[n % 4 + 1],
               (n % 50)::int,
               (n % 50)::int,
               current_date - 400,
               current_date - 365,
               true,
               'scale'
          from generate_series(${from}::bigint, ${to}::bigint) as n`,
    );

    // Row n (1-based) is in engagement e = floor((n - 1) * E / U) + 1, whose block starts at
    // s = ceil((e - 1) * U / E) (0-based) and holds len rows; j is the row's place in it.
    // Company e has cnt = floor((N - e) / C) + 1 contacts (none when e > N).
    await bulkLoad(query, 'ai_usage', report, () =>
      batches(
        'ai_usage',
        U,
        (from, to) => `
          insert into ai_usage (id, engagement_id, company_id, contact_id, usage_date, tokens_used, model, source,
                                idempotency_key)
          select ${uid(KIND.usage, 'n')},
                 ${uid(KIND.engagement, 'e')},
                 ${uid(KIND.company, 'e')},
                 case when cnt = 0 or j % 20 = 19 then null
                      else ${uid(KIND.contact, `e + (j % cnt) * ${C}`)} end,
                 current_date - 364 + (j * 365 / len)::int,
                 100 + (n * 2654435761) % 20000,
                 (array['claude-sonnet-4','claude-haiku-4','claude-opus-4'])[n % 3 + 1],
                 'scale',
                 'scale-' || n
            from (select n, e, j, len,
                         case when e <= ${N} then (${N} - e) / ${C} + 1 else 0 end as cnt
                    from (select n, e, n - 1 - s as j, (e * ${U} + ${E} - 1) / ${E} - s as len
                            from (select n, e, ((e - 1) * ${U} + ${E} - 1) / ${E} as s
                                    from (select n, (n - 1) * ${E} / ${U} + 1 as e
                                            from generate_series(${from}::bigint, ${to}::bigint) as n) a) b) c) d`,
      ),
    );

    if (E > 0) {
      const t0 = performance.now();
      const [m] = await query<{ n: number }>(`
        with inserted as (
          insert into ai_usage_monthly (engagement_id, company_id, contact_id, month, tokens_used, records)
          select engagement_id, company_id, contact_id, date_trunc('month', usage_date::timestamp)::date,
                 sum(tokens_used), count(*)
            from ai_usage
           where engagement_id between ${uid(KIND.engagement, '1')} and ${uid(KIND.engagement, String(E))}
           group by engagement_id, company_id, contact_id, date_trunc('month', usage_date::timestamp)
          returning 1)
        select count(*)::int as n from inserted`);
      report(`ai_usage_monthly: ${fmt(m!.n)} rows (${secs(t0)} s)`);
    }

    const t0 = performance.now();
    await query('analyze companies, contacts, engagements, ai_usage, ai_usage_monthly');
    report(`analyze (${secs(t0)} s)`);
    report(`scale seed done in ${secs(started)} s`);
    return { companies: C, contacts: N, engagements: E, ai_usage: U };
  });
}
