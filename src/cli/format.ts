/** Plain-text rendering of records for the terminal, and of results' tables as CSV. */
import { stringify } from 'csv-stringify/sync';
import { neutraliseFormula } from '../core/words.ts';

type Row = Record<string, unknown>;

const cell = (v: unknown): string => {
  if (v === null || v === undefined) return '';
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'object') return JSON.stringify(v);
  // Control characters from stored data must not drive the terminal.
  return String(v).replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ');
};

const PREFERRED = ['id', 'name', 'ticket_number', 'invoice_number', 'status', 'stage', 'email', 'type', 'company_id', 'follow_up_date', 'value', 'currency', 'created_at'];

export function pickColumns(rows: Row[], requested?: string[]): string[] {
  if (requested?.length) return requested;
  const keys = Object.keys(rows[0] ?? {});
  const chosen = PREFERRED.filter((k) => keys.includes(k));
  for (const k of keys) if (chosen.length < 6 && !chosen.includes(k) && !['version', 'updated_at', 'archived_at'].includes(k)) chosen.push(k);
  return chosen.slice(0, 7);
}

export function renderTable(rows: Row[], columns: string[], maxWidth = 40): string {
  const widths = columns.map((c) => Math.min(maxWidth, Math.max(c.length, ...rows.map((r) => cell(r[c]).length))));
  const clip = (s: string, w: number) => (s.length > w ? `${s.slice(0, w - 1)}…` : s.padEnd(w));
  const lines = [columns.map((c, i) => clip(c, widths[i]!)).join('  '), widths.map((w) => '-'.repeat(w)).join('  ')];
  for (const r of rows) lines.push(columns.map((c, i) => clip(cell(r[c]), widths[i]!)).join('  '));
  return lines.join('\n');
}

export function renderRecord(row: Row): string {
  const width = Math.max(...Object.keys(row).map((k) => k.length));
  return Object.entries(row)
    .map(([k, v]) => `${k.padEnd(width)}  ${cell(v)}`)
    .join('\n');
}

/** Every key of the rows, in the order they first appear. */
export function columnsOf(rows: Row[]): string[] {
  const seen = new Set<string>();
  for (const r of rows) for (const k of Object.keys(r)) seen.add(k);
  return [...seen];
}

const PLAIN_NUMBER = /^-?\d+(\.\d+)?$/;

/** Rows as CSV (RFC 4180, CRLF): text a spreadsheet would run as a formula gets its leading apostrophe; figures stay figures. */
export function rowsToCsv(rows: Row[]): string {
  const columns = columnsOf(rows);
  const csvCell = (v: unknown): string => {
    if (v === null || v === undefined) return '';
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    const s = typeof v === 'object' ? JSON.stringify(v) : String(v);
    return PLAIN_NUMBER.test(s) ? s : neutraliseFormula(s);
  };
  return stringify([columns, ...rows.map((r) => columns.map((c) => csvCell(r[c])))], { record_delimiter: 'windows' });
}
