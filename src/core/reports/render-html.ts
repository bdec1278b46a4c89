/**
 * A report as one self-contained, printable HTML page: inline CSS and SVG, no scripts,
 * no external URLs, so it can be mailed, archived or printed to A4 and still say the same
 * thing. Every string from the data goes through `escapeHtml`, because names, ticket
 * subjects and notes are typed by users.
 */
import { barChart, columnChart, lineChart, PALETTE, type Tick } from './charts.ts';
import { monthlyView } from './monthly-view.ts';
import { portfolioView } from './portfolio-view.ts';
import type { Block, ChartView, Fact, ReportView, SectionView, ViewTable } from './report-view.ts';
import type { MonthlyReport, PortfolioReport } from './types.ts';

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}

const esc = escapeHtml;

/** Narrow enough to sit beside a small table on A4; wide charts get the full column. */
const SIDE_WIDTH = 400;
const FULL_WIDTH = 680;

const CSS = `
:root{color-scheme:light;--ink:${PALETTE.text};--muted:${PALETTE.axis};--rule:${PALETTE.grid}}
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;color:var(--ink);margin:0 auto;max-width:760px;padding:24px}
h1{font-size:24px;margin:0 0 12px}h2{font-size:18px;margin:28px 0 10px;padding-bottom:4px;border-bottom:2px solid var(--ink)}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px;margin:0}dl.facts dt{color:var(--muted)}dl.facts dd{margin:0}
dl.figures{display:grid;grid-template-columns:repeat(auto-fill,minmax(150px,1fr));gap:10px;margin:0 0 14px}
dl.figures div{border:1px solid var(--rule);border-radius:6px;padding:8px 10px}
dl.figures dt{font-size:12px;color:var(--muted)}dl.figures dd{margin:2px 0 0;font-size:18px;font-weight:600}
dl.figures small{display:block;font-size:11px;font-weight:400;color:var(--muted)}
table{border-collapse:collapse;width:100%;margin:0 0 16px;font-size:12px}
caption{text-align:left;font-weight:600;padding:0 0 4px}
th,td{padding:3px 6px;border-bottom:1px solid var(--rule);text-align:left;vertical-align:top}
thead th{border-bottom:1px solid var(--ink)}.r{text-align:right;font-variant-numeric:tabular-nums}
.pair{display:grid;grid-template-columns:minmax(0,3fr) minmax(0,2fr);gap:16px;align-items:start}
figure{margin:0 0 12px}svg{max-width:100%;height:auto;font:11px system-ui,Helvetica,Arial,sans-serif}
figcaption{font-weight:600;font-size:12px;margin-bottom:4px}
ul.notes{padding-left:20px}footer{margin-top:32px;font-size:11px;color:var(--muted)}
@media print{
@page{size:A4;margin:14mm}
body{max-width:none;padding:0;font-size:11pt}
section.page{break-before:page}
h2{break-after:avoid}figure,tr,dl.figures div,dl.facts{break-inside:avoid}
thead{display:table-header-group}
*{-webkit-print-color-adjust:exact;print-color-adjust:exact}
}`;

export function renderHtml(report: MonthlyReport | PortfolioReport): string {
  return renderViewHtml(report.kind === 'monthly_report' ? monthlyView(report) : portfolioView(report));
}

export function renderViewHtml(view: ReportView): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="Throughline">
<title>${esc(view.title)}</title>
<style>${CSS}</style>
</head>
<body>
<header>
<h1>${esc(view.heading)}</h1>
${facts(view.facts)}
</header>
<main>
${view.sections.map(section).join('\n')}
</main>
<footer>Produced by Throughline. Every figure above is stated with the rule used to compute it.</footer>
</body>
</html>
`;
}

/** The headline stays on the first page with the header; every later section starts a printed page. */
function section(s: SectionView, i: number): string {
  return `<section id="${esc(s.id)}" class="${i === 0 ? 'first' : 'page'}" aria-labelledby="${esc(s.id)}-h">
<h2 id="${esc(s.id)}-h">${esc(s.title)}</h2>
${s.blocks.map(block).join('\n')}
</section>`;
}

function block(b: Block): string {
  switch (b.kind) {
    case 'figures':
      return `<dl class="figures">${b.items.map((f) => `<div><dt>${esc(f.label)}</dt><dd>${esc(f.value)}${f.hint ? `<small>${esc(f.hint)}</small>` : ''}</dd></div>`).join('')}</dl>`;
    case 'facts':
      return facts(b.items);
    case 'table':
      return tableHtml(b.table);
    case 'list':
      return b.items.length === 0 ? `<p>${esc(b.empty)}</p>` : `<ul class="notes">${b.items.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>`;
    case 'charts': {
      const side = b.charts.length === 1 && b.table.columns.length <= 4;
      const charts = b.charts.map((c) => chart(c, side ? SIDE_WIDTH : FULL_WIDTH)).join('\n');
      return side ? `<div class="pair">${charts}${tableHtml(b.table)}</div>` : `${charts}\n${tableHtml(b.table)}`;
    }
  }
}

function facts(items: Fact[]): string {
  return `<dl class="facts">${items.map((f) => `<dt>${esc(f.label)}</dt><dd>${esc(f.value)}</dd>`).join('')}</dl>`;
}

function tableHtml(t: ViewTable): string {
  const cls = (i: number) => (t.columns[i]?.align === 'right' ? ' class="r"' : '');
  const head = t.columns.map((c, i) => `<th scope="col"${cls(i)}>${esc(c.label)}</th>`).join('');
  const body =
    t.rows.length === 0
      ? `<tr><td colspan="${t.columns.length}">${esc(t.empty)}</td></tr>`
      : t.rows.map((row) => `<tr>${row.map((cell, i) => (i === 0 ? `<th scope="row"${cls(i)}>${esc(cell)}</th>` : `<td${cls(i)}>${esc(cell)}</td>`)).join('')}</tr>`).join('\n');
  return `<table>
<caption>${esc(t.caption)}</caption>
<thead><tr>${head}</tr></thead>
<tbody>
${body}
</tbody>
</table>`;
}

function chart(c: ChartView, width: number): string {
  const id = esc(c.id);
  const inner = c.kind === 'bars' ? bars(c, width) : c.kind === 'columns' ? columns(c, width) : lines(c, width);
  return `<figure id="${id}">
<figcaption aria-hidden="true">${esc(c.title)}</figcaption>
<svg role="img" aria-labelledby="${id}-title ${id}-desc" viewBox="0 0 ${inner.width} ${inner.height}" width="${inner.width}" height="${inner.height}">
<title id="${id}-title">${esc(c.title)}</title>
<desc id="${id}-desc">${esc(c.desc)}</desc>
${inner.body}
</svg>
</figure>`;
}

type Drawn = { width: number; height: number; body: string };

function xGrid(ticks: Tick[], top: number, bottom: number): string {
  return ticks
    .map((t) => `<line x1="${t.position}" x2="${t.position}" y1="${top}" y2="${bottom}" stroke="${PALETTE.grid}"/><text x="${t.position}" y="${bottom + 14}" text-anchor="middle" fill="${PALETTE.axis}">${esc(t.label)}</text>`)
    .join('');
}

function yGrid(ticks: Tick[], left: number, right: number): string {
  return ticks
    .map((t) => `<line x1="${left}" x2="${right}" y1="${t.position}" y2="${t.position}" stroke="${PALETTE.grid}"/><text x="${left - 6}" y="${t.position + 4}" text-anchor="end" fill="${PALETTE.axis}">${esc(t.label)}</text>`)
    .join('');
}

function bars(c: Extract<ChartView, { kind: 'bars' }>, width: number): Drawn {
  const g = barChart(c.data, { width });
  const bottom = g.plot.y + g.plot.height;
  const rows = g.bars
    .map((b) => {
      const mid = b.y + b.height / 2 + 4;
      const rect = b.value === null ? '' : `<rect class="bar" x="${b.x}" y="${b.y}" width="${b.width}" height="${b.height}" fill="${b.color ?? c.color}"/>`;
      return `<g><title>${esc(`${b.label}: ${b.display}`)}</title><text x="${g.labelX}" y="${mid}" text-anchor="end">${esc(b.shortLabel)}</text>${rect}<text x="${b.x + b.width + 4}" y="${mid}">${esc(b.display)}</text></g>`;
    })
    .join('\n');
  const axis = `<line x1="${g.zero}" x2="${g.zero}" y1="${g.plot.y}" y2="${bottom}" stroke="${PALETTE.axis}"/>`;
  return { width: g.width, height: g.height, body: `${xGrid(g.ticks, g.plot.y, bottom)}${axis}\n${rows}` };
}

function legend(items: { name: string; color: string }[], x: number): string {
  return items.map((l, i) => `<rect x="${x + i * 90}" y="4" width="10" height="10" fill="${l.color}"/><text x="${x + i * 90 + 14}" y="13">${esc(l.name)}</text>`).join('');
}

function columns(c: Extract<ChartView, { kind: 'columns' }>, width: number): Drawn {
  const height = 240;
  const g = columnChart(c.categories, c.series, { width, height });
  const right = g.plot.x + g.plot.width;
  const bottom = g.plot.y + g.plot.height;
  const cols = g.columns
    .filter((k) => k.value !== null)
    .map((k) => `<rect class="column" x="${k.x}" y="${k.y}" width="${k.width}" height="${k.height}" fill="${k.color}"><title>${esc(`${k.label}: ${k.display}`)}</title></rect>`)
    .join('\n');
  const labels = g.categories.map((k) => `<text x="${k.position}" y="${bottom + 16}" text-anchor="middle">${esc(k.label)}</text>`).join('');
  const axis = `<line x1="${g.plot.x}" x2="${right}" y1="${g.zero}" y2="${g.zero}" stroke="${PALETTE.axis}"/>`;
  return { width, height, body: `${legend(g.legend, g.plot.x)}${yGrid(g.ticks, g.plot.x, right)}${axis}\n${cols}\n${labels}` };
}

function lines(c: Extract<ChartView, { kind: 'lines' }>, width: number): Drawn {
  const height = 200;
  const g = lineChart(c.series, { width, height });
  const right = g.plot.x + g.plot.width;
  const bottom = g.plot.y + g.plot.height;
  const paths = g.series
    .map(
      (s) =>
        (s.d ? `<path class="line" d="${s.d}" fill="none" stroke="${s.color}" stroke-width="2"/>` : '') +
        s.points.map((p) => `<circle cx="${p.x}" cy="${p.y}" r="3" fill="${s.color}"><title>${esc(`${s.name}, ${p.label}: ${p.display}`)}</title></circle>`).join(''),
    )
    .join('\n');
  const labels = g.xTicks.map((k) => `<text x="${k.position}" y="${bottom + 16}" text-anchor="middle">${esc(k.label)}</text>`).join('');
  return { width, height, body: `${yGrid(g.yTicks, g.plot.x, right)}<line x1="${g.plot.x}" x2="${right}" y1="${bottom}" y2="${bottom}" stroke="${PALETTE.axis}"/>\n${paths}\n${labels}` };
}
