/**
 * Chart geometry shared by the HTML (SVG) and PDF (pdfkit vectors) renderers: pure
 * functions from numbers to rectangles, paths and ticks, so both formats draw the same
 * picture. Coordinates are in the caller's unit (CSS px for SVG, points for PDF), origin
 * top-left. Values are numbers here because they only position ink; the figures printed
 * beside a chart come from the exact decimal strings.
 */
import { scaleBand, scaleLinear, scalePoint } from 'd3-scale';
import { line } from 'd3-shape';

export const PALETTE = {
  hours: '#2563eb',
  value: '#15803d',
  cost: '#c2410c',
  tokens: '#7c3aed',
  axis: '#6b7280',
  grid: '#e5e7eb',
  text: '#111827',
} as const;

export type Plot = { x: number; y: number; width: number; height: number };
export type Tick = { value: number; position: number; label: string };
/** `display` is the exact figure as printed; `color` overrides the chart's colour for one bar. */
export type BarDatum = { label: string; value: number | null; display?: string; color?: string };

export type Bar = {
  index: number;
  label: string;
  /** The label cut to fit the space beside the axis; the full label stays in the table. */
  shortLabel: string;
  value: number | null;
  display: string;
  color?: string;
  x: number;
  y: number;
  width: number;
  height: number;
};

export type BarChart = { width: number; height: number; plot: Plot; bars: Bar[]; ticks: Tick[]; zero: number; labelX: number };

/** Roughly the width of one character of 11px sans-serif, for sizing label gutters. */
const CHAR_WIDTH = 6;
const ROW_HEIGHT = 22;

export function truncateLabel(label: string, maxChars: number): string {
  const chars = [...label];
  return chars.length <= maxChars ? label : `${chars.slice(0, Math.max(1, maxChars - 1)).join('')}…`;
}

function linearDomain(values: number[]): [number, number] {
  const lo = Math.min(0, ...values);
  const hi = Math.max(0, ...values);
  // A chart of all zeros still needs an axis; 1 keeps the ticks sensible for any unit.
  return lo === hi ? [0, 1] : [lo, hi];
}

/** Ticks of the scale; for counts (every value whole) only whole ones, since a tick at 0.2 of a deal means nothing. */
function ticksOf(scale: ReturnType<typeof scaleLinear<number, number>>, count: number, values: readonly (number | null)[] = []): Tick[] {
  const format = scale.tickFormat(count, ',f');
  const whole = values.length > 0 && values.every((v) => v === null || Number.isInteger(v));
  return scale
    .ticks(count)
    .filter((value) => !whole || Number.isInteger(value))
    .map((value) => ({ value, position: round(scale(value)), label: format(value) }));
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

export function barChartHeight(rows: number): number {
  return 12 + Math.max(1, rows) * ROW_HEIGHT + 22;
}

/**
 * Horizontal bars, one row per datum, because the labels are names of people and
 * engagements that do not fit under vertical columns. Rows are keyed by position, so two
 * people with the same name still get two bars.
 */
export function barChart(data: BarDatum[], options: { width: number; height?: number }): BarChart {
  const { width } = options;
  const height = options.height ?? barChartHeight(data.length);
  const longest = Math.max(4, ...data.map((d) => [...d.label].length));
  const labelWidth = Math.min(Math.round(width * 0.34), longest * CHAR_WIDTH + 8);
  const valueWidth = Math.min(Math.round(width * 0.2), Math.max(40, ...data.map((d) => (d.display ?? '').length * CHAR_WIDTH + 8)));
  const plot: Plot = { x: labelWidth, y: 12, width: Math.max(10, width - labelWidth - valueWidth), height: height - 12 - 22 };
  const values = data.flatMap((d) => (d.value === null ? [] : [d.value]));
  const x = scaleLinear().domain(linearDomain(values)).nice().range([plot.x, plot.x + plot.width]);
  const y = scaleBand<number>()
    .domain(data.map((_, i) => i))
    .range([plot.y, plot.y + plot.height])
    .padding(0.25);
  const zero = x(0);
  const maxChars = Math.max(3, Math.floor((labelWidth - 8) / CHAR_WIDTH));
  const bars = data.map((d, i): Bar => {
    const end = d.value === null ? zero : x(d.value);
    return {
      index: i,
      label: d.label,
      shortLabel: truncateLabel(d.label, maxChars),
      value: d.value,
      display: d.display ?? (d.value === null ? '' : String(d.value)),
      ...(d.color ? { color: d.color } : {}),
      x: round(Math.min(zero, end)),
      y: round(y(i) ?? plot.y),
      width: round(Math.abs(end - zero)),
      height: round(y.bandwidth()),
    };
  });
  return { width, height, plot, bars, ticks: ticksOf(x, Math.max(2, Math.floor(plot.width / 70)), data.map((d) => d.value)), zero: round(zero), labelX: labelWidth - 6 };
}

export type ColumnSeries = { name: string; color: string; values: (number | null)[]; displays?: string[] };
export type Column = Bar & { series: number; color: string };
export type ColumnChart = {
  width: number;
  height: number;
  plot: Plot;
  columns: Column[];
  categories: { label: string; position: number }[];
  ticks: Tick[];
  zero: number;
  legend: { name: string; color: string }[];
};

/** Vertical columns grouped per category (a month), one column per series (cost, value). */
export function columnChart(categories: string[], series: ColumnSeries[], options: { width: number; height: number }): ColumnChart {
  const { width, height } = options;
  const plot: Plot = { x: 56, y: 22, width: Math.max(10, width - 56 - 8), height: height - 22 - 24 };
  const values = series.flatMap((s) => s.values.flatMap((v) => (v === null ? [] : [v])));
  const y = scaleLinear().domain(linearDomain(values)).nice().range([plot.y + plot.height, plot.y]);
  const x0 = scaleBand<number>()
    .domain(categories.map((_, i) => i))
    .range([plot.x, plot.x + plot.width])
    .padding(0.2);
  const x1 = scaleBand<number>()
    .domain(series.map((_, i) => i))
    .range([0, x0.bandwidth()])
    .padding(0.1);
  const zero = y(0);
  const columns = categories.flatMap((category, c) =>
    series.map((s, si): Column => {
      const v = s.values[c] ?? null;
      const top = v === null ? zero : y(v);
      return {
        index: c,
        series: si,
        color: s.color,
        label: `${s.name}, ${category}`,
        shortLabel: category,
        value: v,
        display: s.displays?.[c] ?? (v === null ? '' : String(v)),
        x: round((x0(c) ?? plot.x) + (x1(si) ?? 0)),
        y: round(Math.min(top, zero)),
        width: round(x1.bandwidth()),
        height: round(Math.abs(zero - top)),
      };
    }),
  );
  return {
    width,
    height,
    plot,
    columns,
    categories: categories.map((label, i) => ({ label, position: round((x0(i) ?? plot.x) + x0.bandwidth() / 2) })),
    ticks: ticksOf(y, 4, series.flatMap((s) => s.values)),
    zero: round(zero),
    legend: series.map((s) => ({ name: s.name, color: s.color })),
  };
}

export type LineSeries = { name: string; color: string; points: { x: string; y: number | null; display?: string }[] };
export type LinePoint = { label: string; value: number; display: string; x: number; y: number };
export type LineChart = {
  width: number;
  height: number;
  plot: Plot;
  /** `d` is an SVG path (M/L commands); a missing value breaks the line rather than dropping to zero. */
  series: { name: string; color: string; d: string; points: LinePoint[] }[];
  xTicks: { label: string; position: number }[];
  yTicks: Tick[];
};

export function lineChart(series: LineSeries[], options: { width: number; height: number }): LineChart {
  const { width, height } = options;
  const plot: Plot = { x: 56, y: 12, width: Math.max(10, width - 56 - 16), height: height - 12 - 24 };
  const labels = [...new Set(series.flatMap((s) => s.points.map((p) => p.x)))];
  const x = scalePoint<string>().domain(labels).range([plot.x, plot.x + plot.width]).padding(0.5);
  const values = series.flatMap((s) => s.points.flatMap((p) => (p.y === null ? [] : [p.y])));
  const y = scaleLinear().domain(linearDomain(values)).nice().range([plot.y + plot.height, plot.y]);
  type P = LineSeries['points'][number];
  const path = line<P>()
    .defined((p) => p.y !== null)
    .x((p) => x(p.x) ?? plot.x)
    .y((p) => y(p.y ?? 0))
    .digits(2);
  return {
    width,
    height,
    plot,
    series: series.map((s) => ({
      name: s.name,
      color: s.color,
      d: path(s.points) ?? '',
      points: s.points.flatMap((p) => (p.y === null ? [] : [{ label: p.x, value: p.y, display: p.display ?? String(p.y), x: round(x(p.x) ?? plot.x), y: round(y(p.y)) }])),
    })),
    xTicks: labels.map((label) => ({ label, position: round(x(label) ?? plot.x) })),
    yTicks: ticksOf(y, 4, series.flatMap((s) => s.points.map((p) => p.y))),
  };
}
