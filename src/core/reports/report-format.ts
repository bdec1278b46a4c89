/**
 * Display text for report figures, shared by the HTML and PDF renderers so both print the
 * same strings. Figures arrive as exact decimal strings: they are regrouped, never parsed
 * into floats, so what the reader sees is exactly what was computed.
 */

/** What a missing figure prints as (never "null", "NaN" or an empty cell). */
export const DASH = '—';

const DECIMAL = /^(-?)(\d+)(\.\d+)?$/;

/** Adds thousands separators to a decimal string without changing its precision. */
export function groupDecimal(value: string): string {
  const m = DECIMAL.exec(value.trim());
  if (!m) return value;
  const [, sign = '', int = '', frac = ''] = m;
  return sign + int.replace(/\B(?=(\d{3})+(?!\d))/g, ',') + frac;
}

export function formatInt(n: number | null): string {
  return n === null || !Number.isFinite(n) ? DASH : groupDecimal(String(Math.round(n)));
}

/** Joins a figure to its unit so no line or table cell ever breaks between them. */
export const NBSP = '\u00a0';

export function formatMoney(amount: string | null, currency: string): string {
  return amount === null ? DASH : `${groupDecimal(amount)}${NBSP}${currency}`;
}

export function formatHours(hours: string | null): string {
  return hours === null ? DASH : `${groupDecimal(hours)}${NBSP}h`;
}

export function formatPercent(p: string | null): string {
  return p === null ? DASH : `${groupDecimal(p)}%`;
}

export function formatDecimal(d: string | null): string {
  return d === null ? DASH : groupDecimal(d);
}

export function orDash(s: string | null | undefined): string {
  return s === null || s === undefined || s === '' ? DASH : s;
}

/** Enumeration values (per_project, in_progress) read as words. */
export function humanize(s: string | null): string {
  return s === null ? DASH : s.replace(/_/g, ' ');
}

/** `2026-10` → `October 2026`; anything else is shown as given. */
export function formatMonth(month: string): string {
  if (!/^\d{4}-\d{2}$/.test(month)) return month;
  const d = new Date(`${month}-01T00:00:00Z`);
  if (Number.isNaN(d.getTime())) return month;
  return new Intl.DateTimeFormat('en-GB', { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(d);
}

/** `2026-10` → `Oct 2026`, for chart axes where space is short. */
export function shortMonth(month: string): string {
  if (!/^\d{4}-\d{2}$/.test(month)) return month;
  const d = new Date(`${month}-01T00:00:00Z`);
  if (Number.isNaN(d.getTime())) return month;
  return new Intl.DateTimeFormat('en-US', { month: 'short', year: 'numeric', timeZone: 'UTC' }).format(d);
}

/** Timestamps are stored in UTC; the report says so rather than guessing the reader's zone. */
export function formatTimestamp(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** Numbers for drawing only: pixel positions tolerate float rounding, figures never do. */
export function toNumber(value: string | number | null): number | null {
  if (value === null) return null;
  const n = typeof value === 'number' ? value : Number(value);
  return Number.isFinite(n) ? n : null;
}

/**
 * A filename part from user text: ASCII letters, digits and single dashes only, so a
 * company name can never inject quotes, slashes or CRLF into a Content-Disposition header.
 */
export function slugify(text: string, fallback = 'report', maxLength = 60): string {
  const slug = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, maxLength)
    .replace(/-+$/g, '');
  return slug === '' ? fallback : slug;
}
