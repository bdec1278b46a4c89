/**
 * Small SVG charts: horizontal bars, vertical columns, lines and a timeline. The geometry is
 * the one the printed report draws with (src/core/reports/charts.ts, d3-scale and d3-shape),
 * so a chart on screen and the same chart in the PDF agree. Every chart has a title and a
 * description for screen readers and, unless the page prints the numbers itself, a table of
 * the same numbers beside it. Colours are presentation attributes, not styles (the CSP).
 */
import { scaleUtc } from 'd3-scale';
import { useCallback, useId, useRef, useState, type ReactNode } from 'react';
import { barChart, columnChart, lineChart, PALETTE, type BarDatum, type ColumnSeries, type LineSeries } from '../../../src/core/reports/charts.ts';
import type { ChartView } from '../../../src/core/reports/report-view.ts';

export { PALETTE };
export type { BarDatum, ColumnSeries, LineSeries };

const WIDTH = 560;
const MIN_WIDTH = 280;
const FONT = 11;
/** Room left of a bar chart's labels: the geometry sizes them at 6px a character, system fonts run wider. */
const PAD = 16;

/** The width the chart is given on the page, so it is drawn at that size (text stays 11px) rather than scaled. */
function useWidth(): [(el: HTMLDivElement | null) => void, number] {
  const [width, setWidth] = useState(0);
  const observer = useRef<ResizeObserver | null>(null);
  const ref = useCallback((el: HTMLDivElement | null) => {
    observer.current?.disconnect();
    observer.current = null;
    if (!el) return;
    setWidth(Math.floor(el.getBoundingClientRect().width));
    if (typeof ResizeObserver === 'undefined') return;
    const o = new ResizeObserver((entries) => {
      const w = entries[0]?.contentRect.width;
      if (w) setWidth(Math.floor(w));
    });
    o.observe(el);
    observer.current = o;
  }, []);
  return [ref, width > 0 ? Math.max(MIN_WIDTH, width) : WIDTH];
}

type DataTable = { columns: string[]; rows: string[][] };

/** The numbers of a chart in words: `Tokens per person: Ana 1,200; Ben 800.` */
export function describePairs(intro: string, pairs: [string, string][]): string {
  return pairs.length ? `${intro}: ${pairs.map(([k, v]) => `${k} ${v}`).join('; ')}.` : `${intro}: no data.`;
}

function Figure({ title, desc, table, children, caption = true }: { title: string; desc: string; table?: DataTable | undefined; children: (ids: { title: string; desc: string }, width: number) => ReactNode; caption?: boolean }) {
  const id = useId();
  const ids = { title: `${id}-title`, desc: `${id}-desc` };
  const [ref, width] = useWidth();
  return (
    <figure className="ch-figure">
      {caption && <figcaption className="ch-caption">{title}</figcaption>}
      <div className="ch-body">
        <div className="ch-plot" ref={ref}>
          {children(ids, width)}
        </div>
        {table && (
          <div className="ch-table table-wrap">
            <table>
              <caption className="visually-hidden">{title}</caption>
              <thead>
                <tr>
                  {table.columns.map((c, i) => (
                    <th key={i} scope="col" className={i > 0 ? 'num' : undefined}>
                      {c}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {table.rows.map((r, i) => (
                  <tr key={i}>
                    {r.map((cell, j) =>
                      j === 0 ? (
                        <th key={j} scope="row">
                          {cell}
                        </th>
                      ) : (
                        <td key={j} className="num">
                          {cell}
                        </td>
                      ),
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </div>
    </figure>
  );
}

function Svg({ width, height, ids, title, desc, children }: { width: number; height: number; ids: { title: string; desc: string }; title: string; desc: string; children: ReactNode }) {
  return (
    <svg className="ch-svg" width={width} height={height} viewBox={`0 0 ${width} ${height}`} role="img" aria-labelledby={`${ids.title} ${ids.desc}`} fontSize={FONT} fontFamily="system-ui, sans-serif">
      <title id={ids.title}>{title}</title>
      <desc id={ids.desc}>{desc}</desc>
      {children}
    </svg>
  );
}

/** Horizontal bars, one row per item (people and tasks have names too long for columns). */
export function BarChart({ title, data, color = PALETTE.hours, valueLabel = 'Value', desc, table = true, caption = true }: { title: string; data: BarDatum[]; color?: string; valueLabel?: string; desc?: string; table?: boolean; caption?: boolean }) {
  const words = desc ?? describePairs(title, data.map((d) => [d.label, d.display ?? String(d.value ?? '—')]));
  const rows = data.map((d) => [d.label, d.display ?? (d.value === null ? '—' : String(d.value))]);
  if (data.length === 0) return <p className="empty">{title}: nothing to show.</p>;
  return (
    <Figure title={title} desc={words} table={table ? { columns: ['', valueLabel], rows } : undefined} caption={caption}>
      {(ids, width) => {
        const g = barChart(data, { width: width - PAD });
        return (
          <Svg width={width} height={g.height} ids={ids} title={title} desc={words}>
            <g transform={`translate(${PAD}, 0)`}>
            {g.ticks.map((t) => (
              <g key={t.value}>
                <line x1={t.position} x2={t.position} y1={g.plot.y} y2={g.plot.y + g.plot.height} stroke={PALETTE.grid} />
                <text x={t.position} y={g.plot.y + g.plot.height + 14} textAnchor="middle" fill={PALETTE.axis}>
                  {t.label}
                </text>
              </g>
            ))}
            <line x1={g.zero} x2={g.zero} y1={g.plot.y} y2={g.plot.y + g.plot.height} stroke={PALETTE.axis} />
            {g.bars.map((b) => (
              <g key={b.index}>
                <text x={g.labelX} y={b.y + b.height / 2} dy="0.35em" textAnchor="end" fill={PALETTE.text}>
                  {b.shortLabel}
                </text>
                <rect x={b.x} y={b.y} width={Math.max(b.width, b.value === null ? 0 : 1)} height={b.height} fill={b.color ?? color} rx={2} />
                <text x={Math.max(b.x + b.width, g.zero) + 4} y={b.y + b.height / 2} dy="0.35em" fill={PALETTE.text}>
                  {b.display}
                </text>
              </g>
            ))}
            </g>
          </Svg>
        );
      }}
    </Figure>
  );
}

/** Columns grouped per category (a month), one per series (cost and value). */
export function ColumnChart({ title, categories, series, desc, table = true, caption = true }: { title: string; categories: string[]; series: ColumnSeries[]; desc?: string; table?: boolean; caption?: boolean }) {
  const words = desc ?? describePairs(title, categories.map((c, i) => [c, series.map((s) => `${s.name} ${s.displays?.[i] ?? String(s.values[i] ?? '—')}`).join(', ')]));
  const rows = categories.map((c, i) => [c, ...series.map((s) => s.displays?.[i] ?? String(s.values[i] ?? '—'))]);
  if (categories.length === 0) return <p className="empty">{title}: nothing to show.</p>;
  return (
    <Figure title={title} desc={words} table={table ? { columns: ['', ...series.map((s) => s.name)], rows } : undefined} caption={caption}>
      {(ids, width) => {
        const g = columnChart(categories, series, { width, height: 240 });
        return (
          <Svg width={g.width} height={g.height} ids={ids} title={title} desc={words}>
            {g.legend.map((l, i) => (
              <g key={l.name} transform={`translate(${g.plot.x + i * 90}, 4)`}>
                <rect width={10} height={10} fill={l.color} rx={2} />
                <text x={14} y={9} fill={PALETTE.text}>
                  {l.name}
                </text>
              </g>
            ))}
            {g.ticks.map((t) => (
              <g key={t.value}>
                <line x1={g.plot.x} x2={g.plot.x + g.plot.width} y1={t.position} y2={t.position} stroke={PALETTE.grid} />
                <text x={g.plot.x - 6} y={t.position} dy="0.35em" textAnchor="end" fill={PALETTE.axis}>
                  {t.label}
                </text>
              </g>
            ))}
            <line x1={g.plot.x} x2={g.plot.x + g.plot.width} y1={g.zero} y2={g.zero} stroke={PALETTE.axis} />
            {g.columns.map((c) => (
              <rect key={`${c.series}-${c.index}`} x={c.x} y={c.y} width={c.width} height={c.height} fill={c.color} rx={2}>
                <title>{`${c.label}: ${c.display || '—'}`}</title>
              </rect>
            ))}
            {g.categories.map((c) => (
              <text key={c.label} x={c.position} y={g.plot.y + g.plot.height + 16} textAnchor="middle" fill={PALETTE.axis}>
                {c.label}
              </text>
            ))}
          </Svg>
        );
      }}
    </Figure>
  );
}

/** One line per series over shared x labels (months); a missing value breaks the line. */
export function LineChart({ title, series, desc, table = true, caption = true }: { title: string; series: LineSeries[]; desc?: string; table?: boolean; caption?: boolean }) {
  const labels = [...new Set(series.flatMap((s) => s.points.map((p) => p.x)))];
  const cell = (s: LineSeries, x: string) => {
    const p = s.points.find((q) => q.x === x);
    return p ? (p.display ?? (p.y === null ? '—' : String(p.y))) : '—';
  };
  const words = desc ?? describePairs(title, labels.map((x) => [x, series.map((s) => (series.length > 1 ? `${s.name} ${cell(s, x)}` : cell(s, x))).join(', ')]));
  if (labels.length === 0) return <p className="empty">{title}: nothing to show.</p>;
  return (
    <Figure title={title} desc={words} table={table ? { columns: ['', ...series.map((s) => s.name)], rows: labels.map((x) => [x, ...series.map((s) => cell(s, x))]) } : undefined} caption={caption}>
      {(ids, width) => {
        const g = lineChart(series, { width, height: 220 });
        return (
          <Svg width={g.width} height={g.height} ids={ids} title={title} desc={words}>
            {g.yTicks.map((t) => (
              <g key={t.value}>
                <line x1={g.plot.x} x2={g.plot.x + g.plot.width} y1={t.position} y2={t.position} stroke={PALETTE.grid} />
                <text x={g.plot.x - 6} y={t.position} dy="0.35em" textAnchor="end" fill={PALETTE.axis}>
                  {t.label}
                </text>
              </g>
            ))}
            {g.xTicks.map((t) => (
              <text key={t.label} x={t.position} y={g.plot.y + g.plot.height + 16} textAnchor="middle" fill={PALETTE.axis}>
                {t.label}
              </text>
            ))}
            {g.series.map((s) => (
              <g key={s.name}>
                <path d={s.d} fill="none" stroke={s.color} strokeWidth={2} />
                {s.points.map((p) => (
                  <circle key={p.label} cx={p.x} cy={p.y} r={3.5} fill={s.color}>
                    <title>{`${s.name}, ${p.label}: ${p.display}`}</title>
                  </circle>
                ))}
              </g>
            ))}
          </Svg>
        );
      }}
    </Figure>
  );
}

/** A chart of the printed report's model (the same title, numbers and description as the PDF). */
export function ViewChart({ chart }: { chart: ChartView }) {
  switch (chart.kind) {
    case 'bars':
      return <BarChart title={chart.title} data={chart.data} color={chart.color} desc={chart.desc} table={false} />;
    case 'columns':
      return <ColumnChart title={chart.title} categories={chart.categories} series={chart.series} desc={chart.desc} table={false} />;
    case 'lines':
      return <LineChart title={chart.title} series={chart.series} desc={chart.desc} table={false} />;
  }
}

export type GanttRow = {
  id: string;
  label: string;
  /** Calendar dates, YYYY-MM-DD. */
  start: string | null;
  end: string | null;
  marks: { date: string; label: string; done: boolean }[];
  tone?: 'good' | 'warn' | 'plain';
};

const day = (s: string) => new Date(`${s.slice(0, 10)}T00:00:00Z`);

/**
 * Horizontal bars by date, one row per project, milestones as diamonds, today as a line.
 * A row with a start and no end runs to its last milestone or today; one with no dates
 * has no bar (the table beside it says so).
 */
export function Gantt({ title, rows, today }: { title: string; rows: GanttRow[]; today: string }) {
  const gutter = 170;
  const rowH = 26;
  const top = 24;
  const dated = rows.flatMap((r) => [r.start, r.end, ...r.marks.map((m) => m.date)]).filter((d): d is string => Boolean(d));
  if (dated.length === 0) return <p className="empty">{title}: no project has dates yet.</p>;
  const sorted = [...dated, today].sort();
  const height = top + rows.length * rowH + 8;
  const words = describePairs(
    title,
    rows.map((r) => [r.label, r.start ? `${r.start} to ${r.end ?? 'open'}${r.marks.length ? `, ${r.marks.length} milestone${r.marks.length === 1 ? '' : 's'}` : ''}` : 'no dates']),
  );
  const cut = (s: string) => ([...s].length > 26 ? `${[...s].slice(0, 25).join('')}…` : s);
  const fill = { good: PALETTE.value, warn: PALETTE.cost, plain: PALETTE.axis };
  return (
    <Figure title={title} desc={words} caption={false}>
      {(ids, measured) => {
        const width = Math.max(600, measured);
        const x = scaleUtc()
          .domain([day(sorted[0]!), day(sorted.at(-1)!)])
          .nice()
          .range([gutter, width - 28]);
        const count = Math.max(2, Math.floor((width - gutter) / 150));
        const ticks = x.ticks(count);
        const format = x.tickFormat(count);
        return (
        <div className="ch-scroll">
          <Svg width={width} height={height} ids={ids} title={title} desc={words}>
            {ticks.map((t) => (
              <g key={t.getTime()}>
                <line x1={x(t)} x2={x(t)} y1={top - 4} y2={height - 8} stroke={PALETTE.grid} />
                <text x={x(t)} y={top - 10} textAnchor="middle" fill={PALETTE.axis}>
                  {format(t)}
                </text>
              </g>
            ))}
            {rows.map((r, i) => {
              const y = top + i * rowH;
              const lastMark = r.marks.map((m) => m.date).sort().at(-1);
              const endDate = r.end ?? (lastMark && lastMark > today ? lastMark : today);
              const x0 = r.start ? x(day(r.start)) : null;
              const x1 = r.start ? Math.max(x(day(endDate)), (x0 ?? 0) + 2) : null;
              return (
                <g key={r.id}>
                  <text x={gutter - 8} y={y + rowH / 2} dy="0.35em" textAnchor="end" fill={PALETTE.text}>
                    {cut(r.label)}
                  </text>
                  {x0 !== null && x1 !== null && (
                    <rect x={x0} y={y + 6} width={x1 - x0} height={rowH - 12} rx={3} fill={fill[r.tone ?? 'plain']} opacity={r.end ? 0.85 : 0.55}>
                      <title>{`${r.label}: ${r.start} to ${r.end ?? 'no end date'}`}</title>
                    </rect>
                  )}
                  {r.marks.map((m, j) => {
                    const cx = x(day(m.date));
                    const cy = y + rowH / 2;
                    return (
                      <path key={j} d={`M${cx},${cy - 6}L${cx + 6},${cy}L${cx},${cy + 6}L${cx - 6},${cy}Z`} fill={m.done ? PALETTE.value : '#fff'} stroke={PALETTE.text}>
                        <title>{`${m.label}: ${m.date}${m.done ? ' (done)' : ''}`}</title>
                      </path>
                    );
                  })}
                </g>
              );
            })}
            <line x1={x(day(today))} x2={x(day(today))} y1={top - 4} y2={height - 8} stroke={PALETTE.cost} strokeDasharray="4 3" />
          </Svg>
        </div>
        );
      }}
    </Figure>
  );
}
