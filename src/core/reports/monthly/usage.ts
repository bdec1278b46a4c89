/**
 * AI usage per person from the monthly rollup (ai_usage_monthly), never from ai_usage itself:
 * that table holds millions of rows, the rollup one per contact and month.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { UsagePerson, UsageSection } from '../types.ts';
import { monthEnd, monthStart, type Month } from '../rules.ts';
import { bool, contactNameOf, str, type Raw } from './db.ts';
import { uuidArray } from '../../sql-arrays.ts';

export const NOT_ATTRIBUTED = 'Not attributed';

/** A person's rollup row in the last month (`person`), or an engagement's total for a month. */
export type UsageRow = { engagement_id: string; month: Month; person: boolean; contact_id: string | null; name: string; tokens: number; records: number };

/**
 * The last month per person and every month's total, for the months from..to, on the rollup's
 * key. Totals are added up in SQL so only a handful of rows travel, and names are looked up for
 * the last month's people only (`people: false`: totals only, for the portfolio).
 */
export function usageSource(ids: readonly string[], from: Month, to: Month, opts: { people?: boolean } = {}): SQL {
  const list = uuidArray(ids);
  const people =
    opts.people === false
      ? sql``
      : sql`select u.engagement_id, ${to}::text as month, true as person, u.contact_id, ${contactNameOf('u.contact_id')} as name,
            u.tokens_used::text as tokens, u.records
          from ai_usage_monthly u
          where u.engagement_id = any(${list}) and u.month = ${monthStart(to)}::date
          union all `;
  return sql`${people}select u.engagement_id, to_char(u.month, 'YYYY-MM') as month, false as person, null::uuid as contact_id, null::text as name,
      sum(u.tokens_used)::text as tokens, sum(u.records)::int as records
    from ai_usage_monthly u
    where u.engagement_id = any(${list}) and u.month between ${monthStart(from)}::date and ${monthEnd(to)}::date
    group by u.engagement_id, u.month`;
}

export function readUsage(rows: Raw[]): UsageRow[] {
  return rows.map((r) => ({
    engagement_id: String(r.engagement_id),
    month: String(r.month),
    person: bool(r.person),
    contact_id: str(r.contact_id),
    name: str(r.name) ?? NOT_ATTRIBUTED,
    tokens: Number(r.tokens),
    records: Number(r.records),
  }));
}

export const tokensIn = (rows: readonly UsageRow[], month: Month): number =>
  rows.reduce((n, r) => (!r.person && r.month === month ? n + r.tokens : n), 0);

export function usageSection(rows: readonly UsageRow[], month: Month): UsageSection {
  const people: UsagePerson[] = [];
  let total = 0;
  let records = 0;
  for (const r of rows) {
    if (!r.person || r.month !== month) continue;
    // One rollup row per contact and month (the unique key), so no merging is needed.
    people.push({ contact_id: r.contact_id, name: r.contact_id === null ? NOT_ATTRIBUTED : r.name, tokens: r.tokens, records: r.records });
    total += r.tokens;
    records += r.records;
  }
  people.sort((a, b) => b.tokens - a.tokens || a.name.localeCompare(b.name) || (a.contact_id ?? '').localeCompare(b.contact_id ?? ''));
  return { total_tokens: total, records, people };
}
