/** Tokens per month and per contact, read from the monthly rollup (never from the raw rows). */
import { sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import type { Ctx } from '../context.ts';
import { invalid, notFound, parseInput } from '../errors.ts';
import { visibilityScope, visibleCondition } from '../platform/visibility.ts';
import { fetchRow } from '../resource.ts';
import { resource } from '../resources.ts';

const month = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be a month as YYYY-MM');

export const UsageSummaryInput = z.strictObject({
  engagement_id: z.uuid({ message: 'must be a UUID' }).optional().describe('one engagement (default: every engagement you can see)'),
  from: month.optional().describe('first month, YYYY-MM (inclusive)'),
  to: month.optional().describe('last month, YYYY-MM (inclusive)'),
});

export type UsageTotals = { tokens_used: number; records: number };
/** contact_id null is the usage attributed to no one; `name` is null too for a contact you cannot see. */
export type ContactUsage = UsageTotals & { contact_id: string | null; name: string | null };
export type UsageSummary = {
  engagement_id: string | null;
  from: string | null;
  to: string | null;
  total: UsageTotals;
  months: Array<UsageTotals & { month: string; contacts: ContactUsage[] }>;
  contacts: ContactUsage[];
};

type Line = { month: string; contact_id: string | null; name: string | null; tokens_used: unknown; records: unknown };

export async function usageSummary(ctx: Ctx, input: unknown): Promise<UsageSummary> {
  const q = parseInput(UsageSummaryInput, input);
  if (q.from && q.to && q.from > q.to) throw invalid([{ field: 'to', message: 'must not be before from' }]);
  const engagementId = q.engagement_id?.toLowerCase() ?? null;
  if (engagementId && !(await fetchRow(ctx, resource('engagements'), engagementId))) throw notFound('engagement', engagementId);
  const scope = await visibilityScope(ctx);
  const where: SQL[] = [];
  const visible = visibleCondition(resource('ai_usage_monthly'), scope, 'm');
  if (visible) where.push(visible);
  if (engagementId) where.push(sql`m.engagement_id = ${engagementId}::uuid`);
  if (q.from) where.push(sql`m.month >= ${`${q.from}-01`}::date`);
  if (q.to) where.push(sql`m.month <= ${`${q.to}-01`}::date`);
  const contactVisible = visibleCondition(resource('contacts'), scope, 'c');
  const name = contactVisible ? sql`case when ${contactVisible} then c.name end` : sql`c.name`;
  const r = (await ctx.db.execute(sql`
    select to_char(m.month, 'YYYY-MM') as month, m.contact_id, ${name} as name,
      sum(m.tokens_used)::int8 as tokens_used, sum(m.records)::int8 as records
    from ai_usage_monthly m left join contacts c on c.id = m.contact_id
    ${where.length ? sql`where ${sql.join(where, sql` and `)}` : sql``}
    group by m.month, m.contact_id, c.id
    order by m.month, m.contact_id nulls first`)) as unknown as { rows: Line[] };

  const months = new Map<string, UsageSummary['months'][number]>();
  const contacts = new Map<string | null, ContactUsage>();
  const total: UsageTotals = { tokens_used: 0, records: 0 };
  for (const line of r.rows) {
    const tokens = Number(line.tokens_used);
    const records = Number(line.records);
    const m = months.get(line.month) ?? { month: line.month, tokens_used: 0, records: 0, contacts: [] };
    months.set(line.month, m);
    m.tokens_used += tokens;
    m.records += records;
    m.contacts.push({ contact_id: line.contact_id, name: line.name, tokens_used: tokens, records });
    const c = contacts.get(line.contact_id) ?? { contact_id: line.contact_id, name: line.name, tokens_used: 0, records: 0 };
    contacts.set(line.contact_id, c);
    c.tokens_used += tokens;
    c.records += records;
    total.tokens_used += tokens;
    total.records += records;
  }
  return {
    engagement_id: engagementId,
    from: q.from ?? null,
    to: q.to ?? null,
    total,
    months: [...months.values()],
    contacts: [...contacts.values()].sort((a, b) => b.tokens_used - a.tokens_used || String(a.contact_id).localeCompare(String(b.contact_id))),
  };
}
