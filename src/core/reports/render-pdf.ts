/**
 * A report as an A4 PDF drawn with pdfkit's built-in Helvetica (no font files, no
 * network). It draws the same view model as the HTML and the same chart geometry
 * (charts.ts), as vectors. Layout is explicit: every block measures itself and moves to
 * a new page before it would cross the bottom margin, and every text call passes a
 * height, which stops pdfkit from paginating behind our back.
 */
import PDFDocument from 'pdfkit';
import { barChart, barChartHeight, columnChart, lineChart, PALETTE } from './charts.ts';
import { monthlyView } from './monthly-view.ts';
import { pdfSafeText } from './pdf-text.ts';
import { portfolioView } from './portfolio-view.ts';
import type { Block, ChartView, Fact, ReportView, ViewTable } from './report-view.ts';
import type { MonthlyReport, PortfolioReport } from './types.ts';

const PAGE = { width: 595.28, height: 841.89 };
const MARGIN = { top: 48, bottom: 56, left: 48, right: 48 };
const CONTENT_WIDTH = PAGE.width - MARGIN.left - MARGIN.right;
const BOTTOM = PAGE.height - MARGIN.bottom;
const REGULAR = 'Helvetica';
const BOLD = 'Helvetica-Bold';

type Doc = PDFKit.PDFDocument;

export async function renderPdf(report: MonthlyReport | PortfolioReport): Promise<Uint8Array> {
  const view = report.kind === 'monthly_report' ? monthlyView(report) : portfolioView(report);
  return renderViewPdf(view, report.generated_at);
}

export async function renderViewPdf(view: ReportView, generatedAt: string): Promise<Uint8Array> {
  const created = new Date(generatedAt);
  // Fixed dates make the output a function of the report: the same report, the same bytes.
  const when = Number.isNaN(created.getTime()) ? new Date(0) : created;
  const doc = new PDFDocument({
    size: 'A4',
    margins: MARGIN,
    bufferPages: true,
    lang: 'en',
    displayTitle: true,
    info: { Title: pdfSafeText(view.title), Author: 'Throughline', Creator: 'Throughline', Producer: 'Throughline', CreationDate: when, ModDate: when },
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Uint8Array>((resolve, reject) => {
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(new Uint8Array(Buffer.concat(chunks))));
    doc.on('error', reject);
  });

  const pen = new Pen(doc);
  pen.title(view.heading);
  pen.facts(view.facts);
  for (const section of view.sections) {
    pen.heading(section.title);
    for (const b of section.blocks) pen.block(b);
  }
  footers(doc, view.title);
  doc.end();
  return done;
}

function footers(doc: Doc, title: string) {
  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    // The footer sits inside the bottom margin; pdfkit would otherwise treat it as overflow.
    const bottom = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    const y = PAGE.height - 34;
    doc.font(REGULAR).fontSize(8).fillColor(PALETTE.axis);
    doc.text(fit(doc, pdfSafeText(title), CONTENT_WIDTH - 90), MARGIN.left, y, { lineBreak: false });
    const label = `Page ${i - range.start + 1} of ${range.count}`;
    doc.text(label, PAGE.width - MARGIN.right - doc.widthOfString(label), y, { lineBreak: false });
    doc.page.margins.bottom = bottom;
  }
}

/** Cuts text to a width with an ellipsis, for single-line labels. */
function fit(doc: Doc, text: string, width: number): string {
  if (doc.widthOfString(text) <= width) return text;
  let s = text;
  while (s.length > 1 && doc.widthOfString(`${s}...`) > width) s = s.slice(0, -1);
  return `${s}...`;
}

class Pen {
  private y = MARGIN.top;
  constructor(private readonly doc: Doc) {}

  /** Moves to a new page unless `height` still fits; true when it moved. */
  private ensure(height: number): boolean {
    if (this.y + height <= BOTTOM) return false;
    this.newPage();
    return true;
  }

  private newPage() {
    this.doc.addPage();
    this.y = MARGIN.top;
  }

  private text(s: string, x: number, width: number, size: number, font = REGULAR, color: string = PALETTE.text, align: 'left' | 'right' = 'left'): number {
    const t = pdfSafeText(s);
    this.doc.font(font).fontSize(size).fillColor(color);
    const h = Math.min(this.doc.heightOfString(t, { width }), BOTTOM - this.y);
    this.doc.text(t, x, this.y, { width, height: Math.max(h, size + 1), align, ellipsis: true });
    return h;
  }

  private measure(s: string, width: number, size: number, font = REGULAR): number {
    return this.doc.font(font).fontSize(size).heightOfString(pdfSafeText(s), { width });
  }

  title(text: string) {
    this.y += this.text(text, MARGIN.left, CONTENT_WIDTH, 18, BOLD) + 8;
  }

  heading(text: string) {
    // Keep a heading with at least a few lines of what follows it.
    this.ensure(90);
    this.y += 10;
    this.y += this.text(text, MARGIN.left, CONTENT_WIDTH, 13, BOLD);
    this.doc.moveTo(MARGIN.left, this.y + 2).lineTo(MARGIN.left + CONTENT_WIDTH, this.y + 2).lineWidth(1).stroke(PALETTE.text);
    this.y += 10;
  }

  block(b: Block) {
    switch (b.kind) {
      case 'figures':
        return this.figures(b.items);
      case 'facts':
        return this.facts(b.items);
      case 'table':
        return this.table(b.table);
      case 'list':
        return this.list(b.items.length ? b.items : [b.empty], b.items.length > 0);
      case 'charts':
        for (const c of b.charts) this.chart(c);
        return this.table(b.table);
    }
  }

  figures(items: Fact[]) {
    const perRow = 3;
    const gap = 8;
    const w = (CONTENT_WIDTH - gap * (perRow - 1)) / perRow;
    for (let i = 0; i < items.length; i += perRow) {
      const row = items.slice(i, i + perRow);
      const inner = (f: Fact) => this.measure(f.label, w - 12, 8) + this.measure(f.value, w - 12, 13, BOLD) + (f.hint ? this.measure(f.hint, w - 12, 7) : 0);
      const h = Math.max(...row.map(inner)) + 12;
      this.ensure(h + gap);
      const top = this.y;
      row.forEach((f, j) => {
        const x = MARGIN.left + j * (w + gap);
        this.doc.roundedRect(x, top, w, h, 4).lineWidth(0.5).stroke(PALETTE.grid);
        this.y = top + 6;
        this.y += this.text(f.label, x + 6, w - 12, 8, REGULAR, PALETTE.axis);
        this.y += this.text(f.value, x + 6, w - 12, 13, BOLD);
        if (f.hint) this.text(f.hint, x + 6, w - 12, 7, REGULAR, PALETTE.axis);
      });
      this.y = top + h + gap;
    }
  }

  facts(items: Fact[]) {
    const labelWidth = 130;
    const valueWidth = CONTENT_WIDTH - labelWidth - 8;
    for (const f of items) {
      const h = Math.max(this.measure(f.label, labelWidth, 9, BOLD), this.measure(f.value, valueWidth, 9)) + 4;
      this.ensure(h);
      const top = this.y;
      this.text(f.label, MARGIN.left, labelWidth, 9, BOLD);
      this.text(f.value, MARGIN.left + labelWidth + 8, valueWidth, 9);
      this.y = top + h;
    }
    this.y += 6;
  }

  list(items: string[], bullets: boolean) {
    const width = CONTENT_WIDTH - 12;
    for (const item of items) {
      this.ensure(this.measure(item.split(' ').slice(0, 12).join(' '), width, 9) + 4);
      if (bullets) this.doc.circle(MARGIN.left + 3, this.y + 4.5, 1.5).fill(PALETTE.text);
      this.paragraph(item, MARGIN.left + 12, width, 9);
      this.y += 4;
    }
    this.y += 6;
  }

  /** Notes are never cut: a paragraph longer than the space left continues on the next page. */
  private paragraph(text: string, x: number, width: number, size: number) {
    let words = text.split(' ');
    while (words.length > 0) {
      const room = BOTTOM - this.y;
      let fits = 0;
      for (let lo = 1, hi = words.length; lo <= hi; ) {
        const mid = (lo + hi) >> 1;
        if (this.measure(words.slice(0, mid).join(' '), width, size) <= room) (fits = mid), (lo = mid + 1);
        else hi = mid - 1;
      }
      if (fits === 0 && this.y > MARGIN.top) {
        this.newPage();
        continue;
      }
      // A single word wider than a whole page still has to go somewhere: it is drawn cut.
      const n = Math.max(1, fits);
      this.y += this.text(words.slice(0, n).join(' '), x, width, size);
      words = words.slice(n);
      if (words.length > 0) this.newPage();
    }
  }

  table(t: ViewTable) {
    const cols = t.columns.length;
    const size = cols <= 4 ? 9 : cols <= 7 ? 8 : 7;
    const pad = 3;
    const widths = this.columnWidths(t, size, pad);
    const tableWidth = widths.reduce((a, b) => a + b, 0);
    const xs = widths.map((_, i) => MARGIN.left + widths.slice(0, i).reduce((a, b) => a + b, 0));
    const rowHeight = (cells: string[], font: string) => Math.max(...cells.map((c, i) => this.measure(c, widths[i]! - 2 * pad, size, font))) + 2 * pad;
    const labels = t.columns.map((c) => c.label);
    const headHeight = rowHeight(labels, BOLD);

    const drawRow = (cells: string[], font: string, h: number) => {
      const top = this.y;
      cells.forEach((c, i) => {
        this.y = top + pad;
        this.text(c, xs[i]! + pad, widths[i]! - 2 * pad, size, font, PALETTE.text, t.columns[i]?.align ?? 'left');
      });
      this.y = top + h;
      this.doc.moveTo(MARGIN.left, this.y).lineTo(MARGIN.left + tableWidth, this.y).lineWidth(font === BOLD ? 0.8 : 0.3).stroke(font === BOLD ? PALETTE.text : PALETTE.grid);
    };
    const header = (continued: boolean) => {
      this.y += this.text(continued ? `${t.caption} (continued)` : t.caption, MARGIN.left, CONTENT_WIDTH, 9, BOLD) + 2;
      drawRow(labels, BOLD, headHeight);
    };

    const first = t.rows[0] ? rowHeight(t.rows[0], REGULAR) : 14;
    this.ensure(14 + headHeight + first);
    header(false);
    if (t.rows.length === 0) {
      drawRow([t.empty, ...labels.slice(1).map(() => '')], REGULAR, 14);
    }
    // A row taller than a page is cut (with an ellipsis) rather than drawn past the margin.
    const maxRow = BOTTOM - MARGIN.top - 14 - headHeight;
    for (const row of t.rows) {
      const h = Math.min(rowHeight(row, REGULAR), maxRow);
      if (this.ensure(h)) header(true);
      drawRow(row, REGULAR, h);
    }
    this.y += 12;
  }

  /**
   * Auto table layout, as browsers do it: every column gets at least its longest word
   * (so words are not split mid-way), the rest of the width goes to the columns whose
   * text would otherwise wrap, and a narrow table is not stretched across the page.
   */
  private columnWidths(t: ViewTable, size: number, pad: number): number[] {
    const doc = this.doc;
    const cells = (i: number) => [t.columns[i]!.label, ...t.rows.map((r) => r[i] ?? '')].map(pdfSafeText);
    const natural: number[] = [];
    const minimum: number[] = [];
    t.columns.forEach((_, i) => {
      const texts = cells(i);
      doc.font(REGULAR).fontSize(size);
      const body = Math.max(0, ...texts.slice(1).map((c) => doc.widthOfString(c)));
      const words = Math.max(0, ...texts.slice(1).flatMap((c) => c.split(/[ \t]+/).map((w) => doc.widthOfString(w))));
      doc.font(BOLD);
      const head = doc.widthOfString(texts[0]!);
      const headWords = Math.max(0, ...texts[0]!.split(/[ \t]+/).map((w) => doc.widthOfString(w)));
      natural.push(Math.max(body, head) + 2 * pad + 1);
      minimum.push(Math.max(words, headWords) + 2 * pad + 1);
    });
    const sum = (a: number[]) => a.reduce((x, y) => x + y, 0);
    const target = Math.min(CONTENT_WIDTH, Math.max(sum(natural) + 24 * t.columns.length, CONTENT_WIDTH * 0.55));
    if (sum(natural) <= target) {
      const extra = (target - sum(natural)) / natural.length;
      return natural.map((w) => w + extra);
    }
    if (sum(minimum) >= target) return minimum.map((w) => (w * target) / sum(minimum));
    const slack = natural.map((w, i) => w - minimum[i]!);
    const share = (target - sum(minimum)) / sum(slack);
    return minimum.map((w, i) => w + slack[i]! * share);
  }

  chart(c: ChartView) {
    const doc = this.doc;
    const width = CONTENT_WIDTH;
    const natural = c.kind === 'bars' ? barChartHeight(c.data.length) : 190;
    const height = Math.min(natural, BOTTOM - MARGIN.top - 40);
    this.ensure(height + 20);
    this.y += this.text(c.title, MARGIN.left, CONTENT_WIDTH, 9, BOLD) + 2;
    const top = this.y;
    doc.save();
    doc.translate(MARGIN.left, top);
    doc.font(REGULAR).fontSize(7);
    const label = (s: string, x: number, y: number, anchor: 'start' | 'middle' | 'end', color: string = PALETTE.text) => {
      const t = pdfSafeText(s);
      const w = doc.widthOfString(t);
      const left = anchor === 'start' ? x : anchor === 'middle' ? x - w / 2 : x - w;
      doc.fillColor(color).text(t, left, y - 5, { lineBreak: false, height: 10 });
    };
    if (c.kind === 'bars') {
      const g = barChart(c.data, { width, height });
      const bottom = g.plot.y + g.plot.height;
      for (const t of g.ticks) {
        doc.moveTo(t.position, g.plot.y).lineTo(t.position, bottom).lineWidth(0.4).stroke(PALETTE.grid);
        label(t.label, t.position, bottom + 10, 'middle', PALETTE.axis);
      }
      doc.moveTo(g.zero, g.plot.y).lineTo(g.zero, bottom).lineWidth(0.6).stroke(PALETTE.axis);
      for (const b of g.bars) {
        const mid = b.y + b.height / 2;
        label(fit(doc, pdfSafeText(b.shortLabel), g.labelX - 2), g.labelX, mid, 'end');
        if (b.value !== null && b.width > 0) doc.rect(b.x, b.y, b.width, b.height).fill(b.color ?? c.color);
        label(b.display, b.x + b.width + 3, mid, 'start');
      }
    } else if (c.kind === 'columns') {
      const g = columnChart(c.categories, c.series, { width, height });
      const right = g.plot.x + g.plot.width;
      for (const t of g.ticks) {
        doc.moveTo(g.plot.x, t.position).lineTo(right, t.position).lineWidth(0.4).stroke(PALETTE.grid);
        label(t.label, g.plot.x - 4, t.position, 'end', PALETTE.axis);
      }
      g.legend.forEach((l, i) => {
        doc.rect(g.plot.x + i * 80, 2, 8, 8).fill(l.color);
        label(l.name, g.plot.x + i * 80 + 11, 6, 'start');
      });
      for (const k of g.columns) if (k.value !== null && k.height > 0) doc.rect(k.x, k.y, k.width, k.height).fill(k.color);
      doc.moveTo(g.plot.x, g.zero).lineTo(right, g.zero).lineWidth(0.6).stroke(PALETTE.axis);
      for (const k of g.categories) label(k.label, k.position, g.plot.y + g.plot.height + 12, 'middle');
    } else {
      const g = lineChart(c.series, { width, height });
      const right = g.plot.x + g.plot.width;
      const bottom = g.plot.y + g.plot.height;
      for (const t of g.yTicks) {
        doc.moveTo(g.plot.x, t.position).lineTo(right, t.position).lineWidth(0.4).stroke(PALETTE.grid);
        label(t.label, g.plot.x - 4, t.position, 'end', PALETTE.axis);
      }
      doc.moveTo(g.plot.x, bottom).lineTo(right, bottom).lineWidth(0.6).stroke(PALETTE.axis);
      for (const s of g.series) {
        // The same SVG path string the HTML draws: pdfkit parses M/L commands itself.
        if (s.d) doc.path(s.d).lineWidth(1.5).stroke(s.color);
        for (const p of s.points) doc.circle(p.x, p.y, 2).fill(s.color);
      }
      for (const k of g.xTicks) label(k.label, k.position, bottom + 12, 'middle');
    }
    doc.restore();
    this.y = top + height + 8;
  }
}
