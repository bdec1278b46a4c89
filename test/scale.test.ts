/** The benchmark volume generator: exact counts, a consistent monthly rollup, and rows the schema accepts. */
import { expect, it } from 'vitest';
import { seedScale } from '../src/demo/scale.ts';
import type { Database } from '../src/db/client.ts';
import { counts, dbSuite } from './db.ts';

/** Index and constraint definitions of the loaded tables. */
const catalog = (db: Database) =>
  db.query(`
    select * from (
      select conrelid::regclass::text as tbl, conname as name, pg_get_constraintdef(oid) as def
        from pg_constraint where conrelid in ('contacts'::regclass, 'ai_usage'::regclass)
      union all
      select indrelid::regclass::text, indexrelid::regclass::text, pg_get_indexdef(indexrelid)
        from pg_index where indrelid in ('contacts'::regclass, 'ai_usage'::regclass)) x
     order by tbl, name, def`);

dbSuite('scale generator', ({ database }) => {
  it('generates the requested volumes, consistent with the schema and the monthly rollup', async () => {
    const db = database();
    const before = await catalog(db);
    expect(before.length).toBeGreaterThan(10);
    const messages: string[] = [];
    const result = await seedScale(db, {
      contacts: 2_000,
      usageRows: 20_000,
      engagements: 10,
      onProgress: (m) => messages.push(m),
    });
    // One company per 50 contacts; the inserts themselves prove every check, NOT NULL and FK holds.
    expect(result).toEqual({ companies: 40, contacts: 2_000, engagements: 10, ai_usage: 20_000 });
    expect(await counts(db, ['companies', 'contacts', 'engagements', 'ai_usage'])).toEqual({
      companies: 40,
      contacts: 2_000,
      engagements: 10,
      ai_usage: 20_000,
    });
    expect(messages.some((m) => m.startsWith('ai_usage: 20,000 / 20,000 rows'))).toBe(true);
    // The indexes and foreign keys dropped for the load are back, exactly as migrated.
    expect(await catalog(db)).toEqual(before);

    // Company statuses are keys of the company pipeline: 'supporting' exactly for those with engagements.
    const statuses = await db.query<{ status: string; n: number; engaged: number; known: boolean }>(`
      select c.status, count(*)::int as n,
             count(e.id)::int as engaged,
             bool_and(exists (select 1 from pipeline_stages p where p.pipeline = 'company' and p.key = c.status)) as known
        from companies c left join engagements e on e.company_id = c.id
       group by c.status order by c.status`);
    expect(statuses).toEqual([
      { status: 'lead', n: 30, engaged: 0, known: true },
      { status: 'supporting', n: 10, engaged: 10, known: true },
    ]);

    // Contacts spread evenly; the ones without email say so.
    const [contacts] = await db.query<{ per_min: number; per_max: number; no_email: number; mismatched: number }>(`
      select min(k)::int as per_min, max(k)::int as per_max,
             (select count(*)::int from contacts where email is null) as no_email,
             (select count(*)::int from contacts where has_email <> (email is not null)) as mismatched
        from (select count(*) as k from contacts group by company_id) x`);
    expect(contacts).toEqual({ per_min: 50, per_max: 50, no_email: 200, mismatched: 0 });

    // Usage: every engagement, its own company's contacts only, ~365 days ending today, unique keys.
    const [usage] = await db.query<Record<string, number | boolean>>(`
      select count(distinct a.engagement_id)::int as engagements,
             count(*) filter (where a.company_id <> e.company_id)::int as wrong_company,
             count(*) filter (where a.contact_id is not null and ct.company_id is distinct from a.company_id)::int
               as foreign_contact,
             count(*) filter (where a.contact_id is null)::int as unattributed,
             count(distinct a.idempotency_key)::int as keys,
             min(a.tokens_used) >= 0 as tokens_ok,
             (current_date - min(a.usage_date))::int as oldest,
             (current_date - max(a.usage_date))::int as newest
        from ai_usage a
        join engagements e on e.id = a.engagement_id
        left join contacts ct on ct.id = a.contact_id`);
    expect(usage).toMatchObject({
      engagements: 10,
      wrong_company: 0,
      foreign_contact: 0,
      keys: 20_000,
      tokens_ok: true,
      oldest: 364,
      newest: 0,
    });
    expect(usage!.unattributed).toBeGreaterThan(0);
    expect(usage!.unattributed).toBeLessThan(2_000);

    // The rollup matches ai_usage, in total and per engagement, contact and month.
    const [totals] = await db.query<{ usage_tokens: number; usage_rows: number; monthly_tokens: number; monthly_rows: number }>(`
      select (select sum(tokens_used)::bigint from ai_usage) as usage_tokens,
             (select count(*)::bigint from ai_usage) as usage_rows,
             (select sum(tokens_used)::bigint from ai_usage_monthly) as monthly_tokens,
             (select sum(records)::bigint from ai_usage_monthly) as monthly_rows`);
    expect(totals!.monthly_tokens).toBe(totals!.usage_tokens);
    expect(totals!.monthly_rows).toBe(20_000);
    expect(totals!.usage_rows).toBe(20_000);
    const [diff] = await db.query<{ n: number }>(`
      select count(*)::int as n from (
        (select engagement_id, company_id, contact_id, date_trunc('month', usage_date::timestamp)::date as month,
                sum(tokens_used)::bigint as tokens, count(*)::int as records
           from ai_usage group by 1, 2, 3, 4
         except
         select engagement_id, company_id, contact_id, month, tokens_used, records from ai_usage_monthly)
        union all
        (select engagement_id, company_id, contact_id, month, tokens_used, records from ai_usage_monthly
         except
         select engagement_id, company_id, contact_id, date_trunc('month', usage_date::timestamp)::date,
                sum(tokens_used)::bigint, count(*)::int
           from ai_usage group by 1, 2, 3, 4)) d`);
    expect(diff!.n).toBe(0);

    // A second run on the same database is refused before writing anything.
    await expect(seedScale(db, { contacts: 10, usageRows: 0, engagements: 1 })).rejects.toThrow(/already holds/);
    expect((await counts(db, ['contacts'])).contacts).toBe(2_000);
  });
});
