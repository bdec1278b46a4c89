/**
 * Benchmark 9: erasure and retention at scale, each through the core (this process, the local
 * administrator) against a bare baseline doing the unavoidable part of the same work with the
 * driver directly. Core and bare take turns run by run, so noise falls on both alike.
 *
 * - erase: privacy.erase_contact on a different seeded contact each run (a person with usage
 *   rows and a company). The bare baseline is the search the text scrub cannot avoid: one
 *   `select count(*)` per table over every free-text and JSON column the scrub covers
 *   (SCRUB_TABLES), with the same pattern of that contact's identifiers, read-only. What the
 *   erasure adds on top is the footprint's updates and deletes, the scrub's writes, the audit.
 *   Both join a row's columns and test them with one regular expression.
 * - retention: privacy.retention_run with one run's worth (ROWS_PER_RUN) of analytics events
 *   past their period and nothing else due, against a bare `delete from analytics_events where
 *   created_at < cutoff`. Both start from the same rows (re-inserted before each run).
 */
import os from 'node:os';
import { LOCAL_OPERATOR, makeCtx } from '../src/core/context.ts';
import { identifierPattern, identifiers, SCRUB_TABLES } from '../src/core/privacy/erasure.ts';
import { ROWS_PER_RUN, type RetentionRunResult } from '../src/core/privacy/retention.ts';
import { invoke, operationByName } from '../src/core/registry.ts';
import type { Database } from '../src/db/client.ts';
import { seedScale } from '../src/demo/scale.ts';
import type { Pair } from './marketing.ts';

export type PrivacyRun = {
  label: string;
  load: string;
  contacts: number;
  usageRows: number;
  /** Text and JSON columns the scrub searches, and the tables they are in. */
  columns: number;
  tables: number;
  erase: Pair & { rowsErased: number[] };
  retention: Pair & { events: number; purged: number[] };
};
export type PrivacyOptions = { contacts: number; usageRows: number; runs: number };

const DAY = 86_400_000;

export async function privacyBench(database: Database, label: string, opts: PrivacyOptions, progress: (m: string) => void): Promise<PrivacyRun> {
  const load = os.loadavg()[0]!.toFixed(2);
  progress(`privacy (${label}): seeding ${opts.contacts.toLocaleString('en')} contacts and ${opts.usageRows.toLocaleString('en')} usage rows`);
  await seedScale(database, { contacts: opts.contacts, usageRows: opts.usageRows });
  await database.query('analyze');
  const ctx = () => makeCtx(database.db, { actor: LOCAL_OPERATOR, timeZone: 'UTC' });
  const erase = operationByName.get('privacy.erase_contact')!;
  const retention = operationByName.get('privacy.retention_run')!;

  // Contacts with an address, a name and usage: a person the erasure has work for.
  const people = await database.query<{ id: string; name: string; email: string; phone: string | null }>(
    `select c.id::text, c.name, c.email, c.phone from contacts c where c.email is not null and c.erased_at is null
       and exists (select 1 from ai_usage u where u.contact_id = c.id) order by c.id limit ${opts.runs * 2}`,
  );
  if (people.length < opts.runs) throw new Error(`privacy bench: only ${people.length} contacts with usage to erase`);
  const out: PrivacyRun = {
    label,
    load,
    contacts: opts.contacts,
    usageRows: opts.usageRows,
    columns: SCRUB_TABLES.reduce((n, s) => n + s.columns.length, 0),
    tables: SCRUB_TABLES.length,
    erase: { core: [], bare: [], rowsErased: [] },
    retention: { core: [], bare: [], events: ROWS_PER_RUN, purged: [] },
  };

  const bareSearch = async (p: { name: string; email: string; phone: string | null }) => {
    const pattern = identifierPattern(identifiers({ names: [p.name], companyNames: [], emails: [p.email], phones: p.phone ? [p.phone] : [], urls: [] }))!;
    const t0 = performance.now();
    for (const s of SCRUB_TABLES) {
      // The fastest plain search: every column of a row joined, one regular expression per row.
      const texts = s.columns.map((c) => (c.json ? `"${c.name}"::text` : `"${c.name}"`));
      const joined = texts.length === 1 ? texts[0] : `concat_ws(chr(1), ${texts.join(', ')})`;
      await database.query(`select count(*) from "${s.table}" where ${joined} ~* $1`, [pattern]);
    }
    return performance.now() - t0;
  };

  for (let i = 0; i < opts.runs; i++) {
    const person = people[i]!;
    const core = async () => {
      const t0 = performance.now();
      const receipt = (await invoke(erase, ctx(), { id: person.id, reason: 'benchmark' })) as { rows: Record<string, number>; scrubbed: Record<string, number> };
      out.erase.core.push(performance.now() - t0);
      out.erase.rowsErased.push(Object.values(receipt.rows).reduce((a, b) => a + b, 0));
    };
    // The bare search reads the same tables for the next person, so it never finds rows the erasure just changed.
    const bare = async () => out.erase.bare.push(await bareSearch(people[opts.runs + i] ?? person));
    if (i % 2 === 0) {
      await core();
      await bare();
    } else {
      await bare();
      await core();
    }
    progress(`privacy (${label}): erase run ${i + 1}/${opts.runs}: core ${out.erase.core.at(-1)!.toFixed(0)} ms, bare search ${out.erase.bare.at(-1)!.toFixed(0)} ms`);
  }

  // Retention: only analytics events are due (the other periods set to keep forever).
  await invoke(operationByName.get('settings.update')!, ctx(), {
    retention: { analytics_events_days: 30, unconverted_leads_days: null, email_bodies_days: null, webhook_deliveries_days: null, sessions_days: null, archived_records_days: null },
  });
  const old = new Date(Date.now() - 60 * DAY).toISOString();
  const refill = async () => {
    await database.query(`delete from analytics_events`);
    await database.query(
      `insert into analytics_events (event, properties, session_id, created_at) select 'page_view', jsonb_build_object('path', '/p/' || g), 's' || (g % 500), $1::timestamptz from generate_series(1, ${ROWS_PER_RUN}) g`,
      [old],
    );
  };
  for (let i = 0; i < opts.runs; i++) {
    const core = async () => {
      await refill();
      const t0 = performance.now();
      const run = (await invoke(retention, ctx(), {})) as RetentionRunResult;
      out.retention.core.push(performance.now() - t0);
      out.retention.purged.push(run.policies.find((p) => p.policy === 'analytics_events')?.purged ?? -1);
    };
    const bare = async () => {
      await refill();
      const t0 = performance.now();
      await database.query(`delete from analytics_events where created_at < now() - interval '30 days'`);
      out.retention.bare.push(performance.now() - t0);
    };
    if (i % 2 === 0) {
      await core();
      await bare();
    } else {
      await bare();
      await core();
    }
  }
  return out;
}
