/** CSV for a spreadsheet: RFC 4180 quoting, and no cell a spreadsheet would run as a formula. */
import { neutraliseFormula } from '../../../src/core/words.ts';

function cell(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'object' ? JSON.stringify(v) : String(v);
  // A figure (`-12.50`) stays a figure; any other text a spreadsheet would run gets an apostrophe.
  const safe = typeof v === 'number' || /^-?\d+(\.\d+)?$/.test(s) ? s : neutraliseFormula(s);
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function toCsv(columns: string[], rows: Array<Record<string, unknown>>): string {
  return [columns.map(cell).join(','), ...rows.map((r) => columns.map((c) => cell(r[c])).join(','))].join('\r\n') + '\r\n';
}

/** Offers text as a file download. */
export function downloadText(name: string, text: string, type = 'text/csv;charset=utf-8'): void {
  const url = URL.createObjectURL(new Blob(['\ufeff', text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
