/**
 * The printed shape of a report: sections of figures, tables and charts as display
 * strings. HTML and PDF both draw this one model, so a figure cannot read one way on
 * screen and another on paper. Text here is raw (unescaped): each renderer escapes or
 * re-encodes it for its own format.
 */
import type { BarDatum, ColumnSeries, LineSeries } from './charts.ts';

export type Align = 'left' | 'right';
export type ViewColumn = { label: string; align?: Align };
export type ViewTable = { caption: string; columns: ViewColumn[]; rows: string[][]; empty: string };

type ChartBase = { id: string; title: string; /** The chart's numbers in words, for screen readers. */ desc: string };
export type ChartView =
  | (ChartBase & { kind: 'bars'; color: string; data: BarDatum[] })
  | (ChartBase & { kind: 'columns'; categories: string[]; series: ColumnSeries[] })
  | (ChartBase & { kind: 'lines'; series: LineSeries[] });

export type Fact = { label: string; value: string; hint?: string };

export type Block =
  | { kind: 'figures'; items: Fact[] }
  | { kind: 'facts'; items: Fact[] }
  | { kind: 'table'; table: ViewTable }
  /** Charts always travel with a table of the same numbers. */
  | { kind: 'charts'; charts: ChartView[]; table: ViewTable }
  | { kind: 'list'; items: string[]; empty: string };

export type SectionView = { id: string; title: string; blocks: Block[] };

export type ReportView = {
  /** The document title (HTML <title>, PDF Title). */
  title: string;
  heading: string;
  facts: Fact[];
  sections: SectionView[];
};

export function table(caption: string, columns: (string | ViewColumn)[], rows: string[][], empty = 'None this month.'): ViewTable {
  return { caption, columns: columns.map((c) => (typeof c === 'string' ? { label: c } : c)), rows, empty };
}

/** A right-aligned numeric column. */
export function num(label: string): ViewColumn {
  return { label, align: 'right' };
}

export function describe(intro: string, pairs: [string, string][]): string {
  if (pairs.length === 0) return `${intro}: no data.`;
  return `${intro}: ${pairs.map(([k, v]) => `${k} ${v}`).join('; ')}.`;
}
