/** What every insight shares: the period, days and weeks in the instance's time zone, and segments. */
import { sql, type SQL } from 'drizzle-orm';
import { localDate, type Ctx } from '../context.ts';
import { addDays, daysBetween } from '../dates.ts';
import { invalid } from '../errors.ts';
import { visibleCondition, type VisibilityScope } from '../platform/visibility.ts';
import { resource } from '../resources.ts';
import { DEFAULT_PERIOD_DAYS, MAX_PERIOD_DAYS, type Period } from './types.ts';

/** The period asked for, with the defaults filled in: refuses `to` before `from` and spans over MAX_PERIOD_DAYS. */
export function resolvePeriod(ctx: Ctx, input: { from?: string | undefined; to?: string | undefined }): Period {
  const to = input.to ?? (input.from ? maxDay(localDate(ctx), input.from) : localDate(ctx));
  const from = input.from ?? addDays(to, -(DEFAULT_PERIOD_DAYS - 1));
  if (to < from) throw invalid([{ field: 'to', message: 'must not be before from' }]);
  const days = daysBetween(from, to) + 1;
  if (days > MAX_PERIOD_DAYS) throw invalid([{ field: 'from', message: `the period may span at most ${MAX_PERIOD_DAYS} days; this one spans ${days}` }]);
  return { from, to, days };
}

const maxDay = (a: string, b: string) => (a > b ? a : b);

/** The calendar day of a timestamp column in the instance's time zone. */
export const dayOf = (ctx: Ctx, column: SQL | string): SQL =>
  sql`((${typeof column === 'string' ? sql.raw(column) : column}) at time zone ${ctx.timeZone})::date`;

/** `column` (a timestamp) falls on a day of the period: a range on the column, so its index applies. */
export function instantIn(ctx: Ctx, column: string, p: Period): SQL {
  const c = sql.raw(column);
  return sql`${c} >= (${p.from}::date::timestamp at time zone ${ctx.timeZone}) and ${c} < (${addDays(p.to, 1)}::date::timestamp at time zone ${ctx.timeZone})`;
}

/** `column` (a date) falls in the period. */
export const dayIn = (column: string, p: Period): SQL => sql`${sql.raw(column)} between ${p.from}::date and ${p.to}::date`;

/** The Monday of the week a day falls in. */
export function weekOf(day: string): string {
  const dow = new Date(`${day}T00:00:00Z`).getUTCDay();
  return addDays(day, -((dow + 6) % 7));
}

/** Every day of the period, oldest first. */
export function daysOf(p: Period): string[] {
  return Array.from({ length: p.days }, (_, i) => addDays(p.from, i));
}

/** The weeks the period touches (their Mondays) with how many of their days lie in the period. */
export function weeksOf(p: Period): { week: string; days: number }[] {
  const out = new Map<string, number>();
  for (const d of daysOf(p)) out.set(weekOf(d), (out.get(weekOf(d)) ?? 0) + 1);
  return [...out.entries()].map(([week, days]) => ({ week, days }));
}

/** The calendar months the period touches, "YYYY-MM", oldest first. */
export function monthsOf(p: Period): string[] {
  const out: string[] = [];
  for (let m = p.from.slice(0, 7); m <= p.to.slice(0, 7); ) {
    out.push(m);
    const [y, mo] = m.split('-').map(Number) as [number, number];
    m = mo === 12 ? `${y + 1}-01` : `${y}-${String(mo + 1).padStart(2, '0')}`;
  }
  return out;
}

/** `part ÷ whole × 100` rounded half up to 2 places, as a string; null when whole is 0. */
export function percent(part: number, whole: number): string | null {
  if (!whole) return null;
  // Integers only: scale to hundredths of a percent with exact bigint arithmetic, then round half up.
  const num = BigInt(part) * 10000n * 2n + BigInt(whole);
  const hundredths = num / (2n * BigInt(whole));
  return `${hundredths / 100n}.${String(hundredths % 100n).padStart(2, '0')}`;
}

/** One table of an insight's result, for the CLI's table and CSV output (first table is the main one). */
export type InsightTable = { name: string; rows: Record<string, unknown>[] };

/** The rows of a resource (under `alias`) the scope may see: its visibility condition, or `true`. */
export const seen = (name: string, scope: VisibilityScope, alias: string): SQL => visibleCondition(resource(name), scope, alias) ?? sql`true`;
