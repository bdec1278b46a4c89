import { inflateSync } from 'node:zlib';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { barChart, lineChart } from '../src/core/reports/charts.ts';
import { renderReport } from '../src/core/reports/render.ts';
import { escapeHtml } from '../src/core/reports/render-html.ts';
import { pdfSafeText } from '../src/core/reports/pdf-text.ts';
import type { MonthlyReport, TicketLine } from '../src/core/reports/types.ts';
import { monthlyReport, monthlyReportWithoutRate, portfolioReport } from './report-fixture.ts';

type CsvRow = { section: string; item: string; metric: string; value: string; unit: string };

const SECTION_TITLES = ['Headline figures', 'Value and cost', 'AI usage', 'Time saved', 'Support', 'Training', 'Work delivered', 'Trend', 'How the figures were worked out', 'Notes'];

async function html(report: Parameters<typeof renderReport>[0]): Promise<string> {
  const d = await renderReport(report, 'html');
  expect(typeof d.body).toBe('string');
  return d.body as string;
}

async function csv(report: Parameters<typeof renderReport>[0]): Promise<CsvRow[]> {
  const d = await renderReport(report, 'csv');
  return parse(d.body as string, { columns: true, bom: true }) as CsvRow[];
}

async function pdf(report: Parameters<typeof renderReport>[0]): Promise<Buffer> {
  const d = await renderReport(report, 'pdf');
  expect(d.body).toBeInstanceOf(Uint8Array);
  return Buffer.from(d.body as Uint8Array);
}

function find(rows: CsvRow[], section: string, item: string, metric: string): CsvRow {
  const row = rows.find((r) => r.section === section && r.item === item && r.metric === metric);
  if (!row) throw new Error(`no CSV row ${section},${item},${metric}`);
  return row;
}

/** The figure whose <figure id> is given: from its opening tag to its closing tag. */
function figure(page: string, id: string): string {
  const start = page.indexOf(`<figure id="${id}">`);
  expect(start, id).toBeGreaterThanOrEqual(0);
  return page.slice(start, page.indexOf('</figure>', start));
}

function allRules(r: MonthlyReport): string[] {
  const { occurrences, time_after_ai, value, cost, roi, payback, usage, support, training, work, periods } = r.rules;
  return [...Object.values(occurrences), time_after_ai, value, cost, roi, payback, usage, support, training, work, periods].filter((s): s is string => typeof s === 'string');
}

// WinAnsi bytes 0x80–0x9F; Node's TextDecoder treats windows-1252 as Latin-1 here.
const CP1252: Record<number, string> = { 0x80: '€', 0x85: '…', 0x91: '‘', 0x92: '’', 0x93: '“', 0x94: '”', 0x95: '•', 0x96: '–', 0x97: '—', 0x99: '™' };

type PdfLine = { y: number; text: string };

/** Text drawn on each page, line by line, read back from pdfkit's (deflated) content streams. */
function pdfPages(bytes: Buffer): PdfLine[][] {
  const src = bytes.toString('latin1');
  const pages: PdfLine[][] = [];
  for (const m of src.matchAll(/stream\n([\s\S]*?)\nendstream/g)) {
    const content = inflateSync(Buffer.from(m[1]!, 'latin1')).toString('latin1');
    const lines: PdfLine[] = [];
    for (const t of content.matchAll(/1 0 0 1 [\d.-]+ ([\d.-]+) Tm\n\/F\d+ [\d.]+ Tf\n\[(.*?)\] TJ/g)) {
      const text = [...t[2]!.matchAll(/<([0-9a-f]*)>/g)]
        .map((h) => [...Buffer.from(h[1]!, 'hex')].map((b) => CP1252[b] ?? String.fromCharCode(b)).join(''))
        .join('');
      lines.push({ y: Number(t[1]), text: text.replace(/\u00a0/g, ' ') });
    }
    pages.push(lines);
  }
  return pages;
}

function pdfPlainText(bytes: Buffer): string {
  return pdfPages(bytes)
    .flat()
    .map((l) => l.text)
    .join(' ')
    .replace(/\s+/g, ' ');
}

function hostile(): MonthlyReport {
  const r = monthlyReport();
  r.engagement.company_name = '"><svg onload=alert(1)>';
  r.usage.people[0]!.name = '<script>alert(1)</script>';
  r.time_saved.people[0]!.name = '<script>alert(1)</script>';
  r.time_saved.tasks[0]!.task_name = '<img src=x onerror=alert(1)>';
  r.support.tickets[0]!.subject = '</table><iframe src="//evil.example">';
  r.notes.push('</style><script>document.cookie</script>');
  return r;
}

describe('HTML report', () => {
  it('is one self-contained, printable, accessible page', async () => {
    const d = await renderReport(monthlyReport(), 'html');
    expect(d.content_type).toBe('text/html; charset=utf-8');
    expect(d.filename).toBe('throughline-report-harbour-finch-architects-2026-10.html');
    const page = d.body as string;
    expect(page.startsWith('<!doctype html>')).toBe(true);
    expect(page).toContain('<html lang="en">');
    expect(page).toContain('<title>Monthly ROI report: Harbour &amp; Finch Architects, October 2026</title>');
    expect(page).toMatch(/@media print\{[^]*@page\{size:A4/);
    expect(page).toContain('break-before:page');
    expect(page).not.toMatch(/<script|<link|<img|<iframe|\s(src|href)=|url\(/i);
  });

  it('keeps headings in order and gives every section its heading', async () => {
    const page = await html(monthlyReport());
    const levels = [...page.matchAll(/<h([1-6])[\s>]/g)].map((m) => Number(m[1]));
    expect(levels[0]).toBe(1);
    expect(levels.filter((l) => l === 1)).toHaveLength(1);
    for (let i = 1; i < levels.length; i++) expect(levels[i]! - levels[i - 1]!).toBeLessThanOrEqual(1);
    const h2 = [...page.matchAll(/<h2 [^>]*>([^<]*)<\/h2>/g)].map((m) => m[1]);
    expect(h2).toEqual(SECTION_TITLES);
  });

  it('gives every table a caption and column headers with scope', async () => {
    const page = await html(monthlyReport());
    const tables = page.split('<table>').slice(1);
    expect(tables).toHaveLength(12);
    for (const t of tables) {
      expect(t).toMatch(/^\s*<caption>[^<]+<\/caption>/);
      expect(t).toContain('<th scope="col"');
    }
  });

  it('draws each chart as an accessible SVG with the same numbers in a table', async () => {
    const r = monthlyReport();
    const page = await html(r);
    const svgs = [...page.matchAll(/<svg role="img" aria-labelledby="([^ "]+) ([^"]+)"/g)];
    expect(svgs).toHaveLength(8);
    for (const [, title, desc] of svgs) {
      expect(page).toContain(`<title id="${title}">`);
      expect(page).toContain(`<desc id="${desc}">`);
    }

    const usage = figure(page, 'chart-usage');
    expect(usage.match(/<rect class="bar"/g)).toHaveLength(r.usage.people.length);
    for (const p of r.usage.people) expect(usage).toContain(escapeHtml(p.name.slice(0, 10)));
    expect(usage).toContain('Alice Ng 612,000');

    const people = figure(page, 'chart-time-saved-people');
    expect(people.match(/<rect class="bar"/g)).toHaveLength(r.time_saved.people.length);

    const trend = figure(page, 'chart-trend-hours');
    const d = /<path class="line" d="([^"]+)"/.exec(trend)![1]!;
    expect(d.match(/[ML]/g)).toHaveLength(r.trend.length);
    expect(trend.match(/<circle /g)).toHaveLength(r.trend.length);
    const costValue = figure(page, 'chart-trend-cost-value');
    expect(costValue.match(/<rect class="column"/g)).toHaveLength(r.trend.length * 2);

    // The table beside the usage chart and the trend table repeat the charted numbers.
    expect(page).toMatch(/<th scope="row">Alice Ng<\/th><td class="r">612,000<\/td>/);
    expect(page).toMatch(/<th scope="row">Aug 2026<\/th><td class="r">780,300<\/td><td class="r">14.75\u00a0h<\/td><td class="r">1,253.75\u00a0EUR<\/td>/);
  });

  it('prints every rule sentence, every note and the headline figures', async () => {
    const r = monthlyReport();
    const page = await html(r);
    for (const rule of allRules(r)) expect(page).toContain(escapeHtml(rule));
    for (const note of r.notes) expect(page).toContain(escapeHtml(note));
    expect(page).toContain('85.00\u00a0EUR per hour, from the engagement');
    for (const figure of ['28.50\u00a0h', '2,422.50\u00a0EUR', '1,888.00\u00a0EUR', '28.3%', '3.7 months']) expect(page).toContain(figure);
    expect(page).toContain('Drawing takeoffs</td><td>weekly</td><td>adopted</td><td class="r">5.00</td><td>measured</td>');
    expect(page).toContain('Zapier Professional');
  });

  it('escapes every string from the data: a script in a name comes out as text', async () => {
    const page = await html(hostile());
    expect(page).not.toMatch(/<script|<img|<iframe|<svg onload|<\/table><iframe/i);
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(page).toContain('&quot;&gt;&lt;svg onload=alert(1)&gt;');
    expect(page).toContain('&lt;/style&gt;&lt;script&gt;document.cookie&lt;/script&gt;');
    // The only <style> is ours and it is closed once.
    expect(page.match(/<\/style>/g)).toHaveLength(1);
  });
});

describe('CSV report', () => {
  it('is one tidy table whose values match the report, section by section', async () => {
    const d = await renderReport(monthlyReport(), 'csv');
    expect(d.content_type).toBe('text/csv; charset=utf-8');
    expect(d.filename).toBe('throughline-report-harbour-finch-architects-2026-10.csv');
    expect((d.body as string).split('\r\n')[0]).toBe('\ufeffsection,item,metric,value,unit');
    const rows = await csv(monthlyReport());
    const samples: [string, string, string, string, string][] = [
      ['roi', '2026-10', 'value', '2422.50', 'EUR'],
      ['roi', '2026-10', 'roi_percent', '28.3', 'percent'],
      ['roi', '2026-10', 'payback_months', '3.7', 'months'],
      ['cost', 'ChatGPT Team (9 seats)', 'amount', '270.00', 'USD'],
      ['cost', 'ChatGPT Team (9 seats)', 'converted', '248.40', 'EUR'],
      ['cost_unconverted', 'Zapier Professional', 'amount', '39.00', 'GBP'],
      ['usage_total', 'total', 'tokens', '1284500', 'tokens'],
      ['usage', 'Alice Ng', 'tokens', '612000', 'tokens'],
      ['time_saved_total', 'total', 'hours_saved', '28.50', 'hours'],
      ['time_saved_person', 'Chloé Martin', 'value', '255.00', 'EUR'],
      ['time_saved', 'Alice Ng / Drawing takeoffs', 'hours_saved', '12.50', 'hours'],
      ['time_saved', 'Alice Ng / Meeting minutes', 'occurrence_source', 'stated', ''],
      ['support_total', 'total', 'median_hours_to_resolve', '18.25', 'hours'],
      ['support_category', 'change_request', 'opened', '1', 'count'],
      ['support', 'TL-0110', 'subject', 'Add planning portal links to summaries', ''],
      ['training_total', 'total', 'attendance_rate', '87.5', 'percent'],
      ['training', 'Prompting for specifications', 'attended', '7', 'count'],
      ['training_person', 'Chloé Martin', 'attended', '0', 'count'],
      ['work_total', 'total', 'estimated_hours', '120.00', 'hours'],
      ['work', 'development', 'hours', '14.00', 'hours'],
      ['trend', '2026-08', 'value', '1253.75', 'EUR'],
      ['trend', '2026-06', 'roi_percent', '-100.0', 'percent'],
      ['rules', 'hourly_rate', 'hourly_rate', '85.00', 'EUR'],
    ];
    for (const [section, item, metric, value, unit] of samples) expect(find(rows, section, item, metric), `${section},${item},${metric}`).toMatchObject({ value, unit });
    expect(rows.filter((r) => r.section === 'trend' && r.metric === 'hours_saved').map((r) => r.item)).toEqual(monthlyReport().trend.map((p) => p.month));
  });

  it('carries every rule and note as a row', async () => {
    const r = monthlyReport();
    const rows = await csv(r);
    expect(rows.filter((x) => x.metric === 'rule').map((x) => x.value).sort()).toEqual(allRules(r).sort());
    expect(rows.filter((x) => x.metric === 'note').map((x) => x.value)).toEqual(r.notes);
    expect(find(rows, 'rules', 'occurrences_per_project', 'rule').value).toBe(r.rules.occurrences.per_project);
    expect(allRules(r)).toHaveLength(15);
  });

  it('neutralises formula-like user text but leaves negative figures as numbers', async () => {
    const r = monthlyReport();
    r.time_saved.tasks[0]!.task_name = '=HYPERLINK("http://evil.example","open")';
    r.time_saved.people[1]!.name = '+SUM(A1:A9)';
    r.usage.people[1]!.name = '@cmd';
    const ticket = r.support.tickets[0] as TicketLine;
    ticket.ticket_number = '-2+3';
    ticket.subject = '\t=1+1';
    r.notes.push('\r=cmd|"/c calc"!A0');
    const rows = await csv(r);
    expect(find(rows, 'time_saved', 'Alice Ng / =HYPERLINK("http://evil.example","open")', 'task').value).toBe('\'=HYPERLINK("http://evil.example","open")');
    expect(find(rows, 'time_saved_person', "'+SUM(A1:A9)", 'hours_saved').value).toBe('6.00');
    expect(find(rows, 'usage', "'@cmd", 'tokens').value).toBe('398500');
    expect(find(rows, 'support', "'-2+3", 'subject').value).toBe("'\t=1+1");
    expect(rows.find((x) => x.metric === 'note' && x.value.includes('calc'))!.value).toBe('\'\r=cmd|"/c calc"!A0');
    expect(find(rows, 'trend', '2026-07', 'roi_percent').value).toBe('-62.9');
    const risky = rows.flatMap((x) => [x.item, x.value]).filter((v) => /^[=+@\t\r]/.test(v) || (/^-/.test(v) && !/^-\d+(\.\d+)?$/.test(v)));
    expect(risky).toEqual([]);
  });
});

describe('PDF report', () => {
  it('is an A4 PDF with its title, author and date in the info dictionary', async () => {
    const d = await renderReport(monthlyReport(), 'pdf');
    expect(d.content_type).toBe('application/pdf');
    expect(d.filename).toBe('throughline-report-harbour-finch-architects-2026-10.pdf');
    const bytes = Buffer.from(d.body as Uint8Array);
    const src = bytes.toString('latin1');
    expect(src.startsWith('%PDF-')).toBe(true);
    const pages = src.match(/\/Type \/Page\b(?!s)/g) ?? [];
    expect(pages.length).toBeGreaterThanOrEqual(2);
    expect(src).toContain('/MediaBox [0 0 595.28 841.89]');
    expect(src).toContain('(Monthly ROI report: Harbour & Finch Architects, October 2026)');
    expect(src).toContain('(Throughline)');
    expect(src).toContain('(D:20261102081500Z)');
  });

  it('draws the same sections, numbered pages, and every rule and note', async () => {
    const r = monthlyReport();
    const bytes = await pdf(r);
    const pages = pdfPages(bytes);
    const text = pdfPlainText(bytes);
    pages.forEach((lines, i) => expect(lines.map((l) => l.text)).toContain(`Page ${i + 1} of ${pages.length}`));
    for (const title of SECTION_TITLES) expect(text).toContain(title);
    for (const sentence of [...allRules(r), ...r.notes]) expect(text).toContain(pdfSafeText(sentence));
    // Helvetica cannot show U+2212; the sentence is printed with an ASCII minus instead.
    expect(text).toContain('ROI % = (value - cost) ÷ cost × 100');
    for (const figure of ['2,422.50 EUR', '612,000', '12.50 h', 'TL-0110', 'Prompting for specifications', '1,253.75 EUR']) expect(text).toContain(figure);
  });

  it('draws the usage bars and the trend line as vectors', async () => {
    const r = monthlyReport();
    const bytes = await pdf(r);
    const streams = [...bytes.toString('latin1').matchAll(/stream\n([\s\S]*?)\nendstream/g)].map((m) => inflateSync(Buffer.from(m[1]!, 'latin1')).toString('latin1'));
    const all = streams.join('\n');
    // Bars are filled rectangles in the chart's purple (#7c3aed); the trend line is a stroked path in blue (#2563eb).
    expect(all).toMatch(/0\.486\d* 0\.227\d* 0\.929\d* scn/);
    expect(all.match(/ re\n/g)!.length).toBeGreaterThan(r.usage.people.length);
    const line = new RegExp(`[\\d.]+ [\\d.]+ m\\n(?:[\\d.]+ [\\d.]+ l\\n){${r.trend.length - 1}}1\\.5 w\\n/DeviceRGB CS\\n0\\.145\\d* 0\\.388\\d* 0\\.921\\d* SCN\\nS`);
    expect(all).toMatch(line);
  });

  it('continues long tables on new pages without drawing below the bottom margin', async () => {
    const r = monthlyReport();
    const base = r.support.tickets[0]!;
    r.support.tickets = Array.from({ length: 150 }, (_, i) => ({ ...base, id: `k${i}`, ticket_number: `TL-${1000 + i}`, subject: i % 7 === 0 ? 'A long subject that wraps over several lines in the narrow subject column of the printed table, on purpose' : base.subject }));
    const bytes = await pdf(r);
    const pages = pdfPages(bytes);
    expect(pages.length).toBeGreaterThan(8);
    const text = pdfPlainText(bytes);
    expect(text).toContain('Tickets opened or resolved this month (continued)');
    for (const i of [0, 75, 149]) expect(text).toContain(`TL-${1000 + i}`);
    for (const lines of pages) {
      // Baselines below 50 pt from the page foot belong to the footer (title and page number) only.
      const low = lines.filter((l) => l.y < 50);
      expect(low.map((l) => l.text).filter((t) => !/^Page \d+ of \d+$/.test(t))).toHaveLength(1);
      expect(Math.min(...lines.map((l) => l.y))).toBeGreaterThan(20);
    }
  });

  it('is the same bytes for the same report', async () => {
    expect((await pdf(monthlyReport())).equals(await pdf(monthlyReport()))).toBe(true);
  });
});

describe('a report with no hourly rate', () => {
  it('renders in every format with dashes and the note, never null, undefined or NaN', async () => {
    const r = monthlyReportWithoutRate();
    const page = await html(r);
    expect(page).not.toMatch(/\bnull\b|undefined|NaN/);
    expect(page).toContain('No hourly rate: see notes');
    expect(page).toContain('<dt>Value</dt><dd>—<small>');
    expect(page).toContain(escapeHtml(r.notes.at(-1)!));
    expect(page).toContain('None (none set)');
    // No value line is drawn at all; hours still draw one point per month.
    expect(page).not.toContain('chart-trend-value');
    expect(figure(page, 'chart-trend-hours').match(/<circle /g)).toHaveLength(r.trend.length);

    const body = (await renderReport(r, 'csv')).body as string;
    expect(body).not.toMatch(/\bnull\b|undefined|NaN/);
    const rows = await csv(r);
    expect(find(rows, 'roi', '2026-10', 'value')).toMatchObject({ value: '', unit: 'EUR' });
    expect(find(rows, 'time_saved', 'Alice Ng / Drawing takeoffs', 'value').value).toBe('');
    expect(find(rows, 'time_saved', 'Alice Ng / Drawing takeoffs', 'hours_saved').value).toBe('12.50');
    expect(find(rows, 'rules', 'hourly_rate', 'hourly_rate_source').value).toBe('none');

    const text = pdfPlainText(await pdf(r));
    expect(text).not.toMatch(/\bnull\b|undefined|NaN/);
    expect(text).toContain(r.rules.value);
  });
});

describe('edge cases', () => {
  it('renders an empty first month and absurdly long user text in every format', async () => {
    const r = monthlyReport();
    r.usage = { total_tokens: 0, records: 0, people: [] };
    r.time_saved = { hours_saved: '0.00', value: '0.00', people: [], tasks: [] };
    r.support.tickets = [{ ...monthlyReport().support.tickets[0]!, subject: `${'x'.repeat(400)} ${'word '.repeat(3000)}` }];
    r.training.sessions = [];
    r.work.by_category = [];
    r.trend = [];
    r.notes = [];
    const page = await html(r);
    expect(page).toContain('No notes this month.');
    r.notes = [`A note that goes on ${'and on '.repeat(2500)}until THE-END.`];
    expect(page).not.toMatch(/\bnull\b|undefined|NaN/);
    expect((await csv(r)).some((x) => x.section === 'support' && x.metric === 'subject')).toBe(true);
    const bytes = await pdf(r);
    for (const lines of pdfPages(bytes)) expect(Math.min(...lines.map((l) => l.y))).toBeGreaterThan(20);
    const text = pdfPlainText(bytes);
    expect(text).toContain('No earlier months.');
    // A note longer than a page continues on the next one rather than being cut.
    expect(text).toContain('and on until THE-END.');
    expect(text.match(/and on/g)).toHaveLength(2500);
  });
});

describe('portfolio report', () => {
  it('renders a table, per-currency totals and an hours chart in every format', async () => {
    const p = portfolioReport();
    const page = await html(p);
    expect(page).toContain('<title>Portfolio report: October 2026</title>');
    expect(page).not.toMatch(/\bnull\b|undefined|NaN|<script/);
    expect(page).toContain('<th scope="row">Harbour &amp; Finch Architects</th><td>AI drafting assistant</td>');
    expect(page).toMatch(/<th scope="row">GBP<\/th><td class="r">1<\/td><td class="r">41.00\u00a0h<\/td><td class="r">2,665.00\u00a0GBP<\/td>/);
    expect(figure(page, 'chart-portfolio-hours').match(/<rect class="bar"/g)).toHaveLength(3);
    expect(page).toContain(escapeHtml(p.notes[0]!));

    const d = await renderReport(p, 'csv');
    expect(d.filename).toBe('throughline-portfolio-2026-10.csv');
    const rows = parse(d.body as string, { columns: true, bom: true }) as CsvRow[];
    expect(find(rows, 'portfolio_total', 'EUR', 'cost').value).toBe('2838.00');
    expect(find(rows, 'portfolio_total', 'EUR', 'roi_percent').value).toBe('-14.6');
    expect(find(rows, 'portfolio', 'Northwind Logistics: Dispatch copilot', 'value')).toMatchObject({ value: '2665.00', unit: 'GBP' });
    expect(find(rows, 'portfolio', 'Kestrel Dental', 'value').value).toBe('');
    expect(find(rows, 'notes', '1', 'note').value).toBe(p.notes[0]);

    const pd = await renderReport(p, 'pdf');
    expect(pd.filename).toBe('throughline-portfolio-2026-10.pdf');
    const bytes = Buffer.from(pd.body as Uint8Array);
    expect(bytes.subarray(0, 5).toString()).toBe('%PDF-');
    const text = pdfPlainText(bytes);
    for (const s of ['Totals per currency', 'Engagements', 'Hours saved per engagement', 'Kestrel Dental', '2,838.00 EUR', p.notes[0]!]) expect(text).toContain(s);
  });
});

describe('filenames', () => {
  it('are built from safe slugs only, whatever the company is called', async () => {
    const r = monthlyReport();
    r.engagement.company_name = '../../etc/passwd"\r\nSet-Cookie: x=1; Ünïcödé Ærø';
    for (const format of ['html', 'csv', 'pdf'] as const) {
      const { filename } = await renderReport(r, format);
      expect(filename).toBe(`throughline-report-etc-passwd-set-cookie-x-1-unicode-r-2026-10.${format}`);
      expect(filename).toMatch(/^[a-z0-9.-]+$/);
    }
    r.engagement.company_name = '東京 株式会社';
    expect((await renderReport(r, 'csv')).filename).toBe('throughline-report-company-2026-10.csv');
    const p = portfolioReport();
    p.month = '2026-10"; x';
    expect((await renderReport(p, 'html')).filename).toMatch(/^throughline-portfolio-[a-z0-9-]+\.html$/);
  });
});

describe('PDF text', () => {
  it('keeps what Helvetica can show and replaces the rest visibly', () => {
    expect(pdfSafeText('Chloé — 12 € ÷ 3 × 2')).toBe('Chloé — 12 € ÷ 3 × 2');
    expect(pdfSafeText('a − b → c ≥ d')).toBe('a - b -> c >= d');
    expect(pdfSafeText('Dvořák, Łukasz, 東京, 🚀')).toBe('Dvorák, ?ukasz, ??, ?');
    expect(pdfSafeText('line\nbreak\ttab')).toBe('line break tab');
  });
});

describe('chart geometry', () => {
  it('scales bars from zero, keeps same-named rows apart and leaves a missing value barless', () => {
    const g = barChart(
      [
        { label: 'Sam', value: 10 },
        { label: 'Sam', value: 5 },
        { label: 'Nobody', value: null },
      ],
      { width: 400 },
    );
    expect(g.bars).toHaveLength(3);
    expect(g.bars[0]!.width).toBeCloseTo(g.bars[1]!.width * 2, 1);
    expect(g.bars[0]!.y).toBeLessThan(g.bars[1]!.y);
    expect(g.bars[2]!.width).toBe(0);
    expect(g.ticks[0]!.label).toBe('0');
  });

  it('draws negative bars to the left of zero', () => {
    const g = barChart([{ label: 'a', value: -5 }, { label: 'b', value: 5 }], { width: 300 });
    expect(g.bars[0]!.x + g.bars[0]!.width).toBeCloseTo(g.zero, 1);
    expect(g.bars[1]!.x).toBeCloseTo(g.zero, 1);
  });

  it('breaks a line at a missing month instead of drawing it at zero', () => {
    const g = lineChart([{ name: 'v', color: '#000', points: [{ x: 'a', y: 1 }, { x: 'b', y: null }, { x: 'c', y: 3 }, { x: 'd', y: 4 }] }], { width: 300, height: 150 });
    const s = g.series[0]!;
    expect(s.points).toHaveLength(3);
    expect(s.d.match(/M/g)).toHaveLength(2);
    expect(g.xTicks.map((t) => t.label)).toEqual(['a', 'b', 'c', 'd']);
  });
});
