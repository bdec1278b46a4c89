/**
 * What a month cost the client, in the engagement's currency: fees invoiced in the month,
 * AI licences and the tool stack (both monthly, from when they started). A line in another
 * currency is converted through USD with the exchange_rates setting; without a rate it is
 * shown apart and not added.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { CostLine } from '../types.ts';
import { endInstant, monthEnd, monthOfDay, monthStart, type Month } from '../rules.ts';
import { contactNameOf, str, type Raw } from './db.ts';
import { uuidArray } from '../../sql-arrays.ts';
import { cents, divRound, money, toUnits } from './exact.ts';

export type CostSource = {
  engagement_id: string;
  source: CostLine['source'];
  label: string;
  currency: string;
  /** Cents, in `currency`. */
  amount: bigint;
  /** Fees: the month invoiced. Licences and tools: the first month they count (null: every month). */
  month: Month | null;
  recurring: boolean;
};

/**
 * Invoices issued in the months from..to, and the licences and tools running by the last month's
 * end. `names: false` labels licences without looking up whose they are (the portfolio shows no lines).
 */
export function costSources(ids: readonly string[], from: Month, to: Month, opts: { names?: boolean } = {}): { fees: SQL; licences: SQL; tools: SQL } {
  const list = uuidArray(ids);
  return {
    fees: sql`select engagement_id, invoice_number, invoice_type, amount::text as amount, currency, issue_date::text as issue_date
      from invoices
      where engagement_id = any(${list}) and issue_date between ${monthStart(from)}::date and ${monthEnd(to)}::date
        and archived_at is null and status in ('sent', 'paid') and invoice_type in ('setup', 'monthly', 'one_time')`,
    licences: sql`select l.id, l.engagement_id, l.provider, l.plan_type,
        ${opts.names === false ? sql`null` : sql`coalesce(${contactNameOf('l.contact_id')}, l.email)`} as who,
        coalesce(l.monthly_cost, 0)::text as amount, l.currency, (l.assigned_at at time zone 'UTC')::date::text as since
      from ai_licenses l
      where l.engagement_id = any(${list}) and l.license_status = 'active' and l.archived_at is null
        and (l.assigned_at is null or l.assigned_at < ${endInstant(to)}::timestamptz)`,
    tools: sql`select id, engagement_id, tool_name, coalesce(monthly_cost, 0)::text as amount, currency,
        (created_at at time zone 'UTC')::date::text as since
      from engagement_tools
      where engagement_id = any(${list}) and status = 'active' and archived_at is null and created_at < ${endInstant(to)}::timestamptz`,
  };
}

const byText = <T>(key: (r: T) => string) => (a: T, b: T) => {
  const x = key(a);
  const y = key(b);
  return x < y ? -1 : x > y ? 1 : 0;
};

/** Cost lines in a stable order: fees by date and number, licences by start, tools by name. */
export function readCosts(rows: { fees: Raw[]; licences: Raw[]; tools: Raw[] }): CostSource[] {
  const out: CostSource[] = [];
  for (const r of [...rows.fees].sort(byText((r) => `${String(r.issue_date)} ${String(r.invoice_number)}`))) {
    out.push({
      engagement_id: String(r.engagement_id),
      source: 'fees',
      label: `Invoice ${String(r.invoice_number)} (${String(r.invoice_type).replace('_', ' ')})`,
      currency: String(r.currency),
      amount: cents(String(r.amount)),
      month: monthOfDay(String(r.issue_date)),
      recurring: false,
    });
  }
  for (const r of [...rows.licences].sort(byText((r) => `${str(r.since) ?? ''} ${String(r.id)}`))) {
    const plan = str(r.plan_type);
    const who = str(r.who);
    out.push({
      engagement_id: String(r.engagement_id),
      source: 'licences',
      label: `${String(r.provider)} licence${plan ? ` (${plan})` : ''}${who ? `: ${who}` : ''}`,
      currency: String(r.currency),
      amount: cents(String(r.amount)),
      month: r.since === null ? null : monthOfDay(String(r.since)),
      recurring: true,
    });
  }
  for (const r of [...rows.tools].sort(byText((r) => `${String(r.tool_name).toLowerCase()} ${String(r.id)}`))) {
    out.push({
      engagement_id: String(r.engagement_id),
      source: 'tools',
      label: String(r.tool_name),
      currency: String(r.currency),
      amount: cents(String(r.amount)),
      month: monthOfDay(String(r.since)),
      recurring: true,
    });
  }
  return out;
}

/** What one unit of a currency is worth in USD, in millionths; null without a usable rate. USD is 1 unless set. */
export function rateOf(rates: Partial<Record<string, string>>, currency: string): bigint | null {
  const r = rates[currency] ?? (currency === 'USD' ? '1' : undefined);
  if (r === undefined) return null;
  const v = toUnits(r, 6);
  return v > 0n ? v : null;
}

/** Converts cents of one currency into another; null when either currency has no usable rate. */
export type Converter = (amount: bigint, from: string) => bigint | null;

export function converter(rates: Partial<Record<string, string>>, to: string): Converter {
  const target = rateOf(rates, to);
  return (amount, from) => {
    if (from === to) return amount;
    const f = rateOf(rates, from);
    return f === null || target === null ? null : divRound(amount * f, target);
  };
}

export type MonthCost = { fees: bigint; licences: bigint; tools: bigint; total: bigint; lines: CostLine[]; unconverted: CostLine[] };

const counts = (s: CostSource, month: Month) => (s.recurring ? s.month === null || s.month <= month : s.month === month);

/** The month's cost from the engagement's cost sources (already limited to that engagement). */
export function monthCost(sources: readonly CostSource[], month: Month, convert: Converter): MonthCost {
  const out: MonthCost = { fees: 0n, licences: 0n, tools: 0n, total: 0n, lines: [], unconverted: [] };
  for (const s of sources) {
    if (!counts(s, month)) continue;
    const converted = convert(s.amount, s.currency);
    const line: CostLine = { source: s.source, label: s.label, currency: s.currency, amount: money(s.amount), converted: converted === null ? null : money(converted) };
    if (converted === null) {
      out.unconverted.push(line);
      continue;
    }
    out.lines.push(line);
    out[s.source] += converted;
    out.total += converted;
  }
  return out;
}
