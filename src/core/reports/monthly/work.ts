/** Work logged against the engagement: the month's hours by category and the hours to date. */
import { sql, type SQL } from 'drizzle-orm';
import type { WorkSection } from '../types.ts';
import { monthEnd, monthStart, type Month } from '../rules.ts';
import type { Raw } from './db.ts';
import { cents, decimal2 } from './exact.ts';

/** The month's hours and the hours to date per category, on (engagement_id, work_date). */
export function workSource(engagementId: string, month: Month): SQL {
  return sql`select category, coalesce(sum(hours) filter (where work_date >= ${monthStart(month)}::date), 0)::text as month_hours,
      sum(hours)::text as to_date
    from work_completed
    where engagement_id = ${engagementId}::uuid and work_date <= ${monthEnd(month)}::date and archived_at is null
    group by category`;
}

export function readWork(rows: Raw[], estimated: string | null): WorkSection {
  let hours = 0n;
  let toDate = 0n;
  const byCategory: { category: string; h: bigint }[] = [];
  for (const r of rows) {
    const h = cents(String(r.month_hours));
    hours += h;
    toDate += cents(String(r.to_date));
    if (h !== 0n) byCategory.push({ category: String(r.category), h });
  }
  byCategory.sort((a, b) => (a.h === b.h ? a.category.localeCompare(b.category) : a.h > b.h ? -1 : 1));
  return {
    hours: decimal2(hours),
    by_category: byCategory.map((c) => ({ category: c.category, hours: decimal2(c.h) })),
    estimated_hours: estimated,
    actual_hours_to_date: decimal2(toDate),
  };
}
