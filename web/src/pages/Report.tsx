/**
 * The monthly ROI report of an engagement (seed 000 steps 22–23) at
 * /reports/monthly?engagement=<id>&month=YYYY-MM: the same printed model the PDF and HTML
 * draw (src/core/reports/monthly-view.ts), so a figure reads the same on screen and on
 * paper. A month picker moves through months (the URL follows), and the PDF and CSV are
 * links to the same report with format=pdf or format=csv.
 */
import { api, query } from '../api.ts';
import { Link } from '../Link.tsx';
import { navigate, useQuery } from '../router.ts';
import { monthlyReportPath } from '../../../src/core/web-paths.ts';
import { monthlyView } from '../../../src/core/reports/monthly-view.ts';
import { PALETTE } from '../../../src/core/reports/charts.ts';
import { formatMonth, formatPercent, shortMonth, slugify, toNumber } from '../../../src/core/reports/report-format.ts';
import type { Block, SectionView, ViewTable } from '../../../src/core/reports/report-view.ts';
import type { MonthlyReport } from '../../../src/core/reports/types.ts';
import { LineChart, ViewChart } from '../ui/charts.tsx';
import { RecordPicker } from '../ui/fields.tsx';
import { Loaded, today, useAsync } from '../ui/ui.tsx';
import './engagement.css';

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

export const currentMonth = (): string => today().slice(0, 7);

/** `2026-10` moved by `n` months. */
export function addMonths(month: string, n: number): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const total = y * 12 + (m - 1) + n;
  return `${Math.floor(total / 12)}-${String((total % 12) + 1).padStart(2, '0')}`;
}

export const reportApiUrl = (engagement: string, month: string, format?: 'pdf' | 'csv' | 'html') => `/api/v1/reports/monthly${query({ engagement, month, format })}`;

/** Nothing recorded in the month: no usage, no time saved, no tickets, no training, no work. */
function isQuiet(r: MonthlyReport): boolean {
  return (
    r.usage.total_tokens === 0 &&
    r.usage.records === 0 &&
    Number(r.time_saved.hours_saved) === 0 &&
    r.support.opened === 0 &&
    r.support.resolved === 0 &&
    r.training.sessions.length === 0 &&
    Number(r.work.hours) === 0
  );
}

export function ReportPage() {
  const q = useQuery();
  const engagement = q.get('engagement') ?? '';
  const monthParam = q.get('month') ?? '';
  const month = MONTH.test(monthParam) ? monthParam : currentMonth();
  const go = (m: string) => {
    if (MONTH.test(m) && engagement) navigate(monthlyReportPath(engagement, m));
  };

  if (!engagement) {
    return (
      <section>
        <h1>Monthly report</h1>
        <p>Choose the engagement to report on.</p>
        <div className="field rep-choose">
          <label htmlFor="rep-engagement">Engagement</label>
          <RecordPicker table="engagements" value="" inputId="rep-engagement" onChange={(id) => id && navigate(monthlyReportPath(id, month))} />
        </div>
      </section>
    );
  }
  return <Report engagement={engagement} month={month} go={go} />;
}

function Report({ engagement, month, go }: { engagement: string; month: string; go: (m: string) => void }) {
  const state = useAsync(() => api<MonthlyReport>('GET', reportApiUrl(engagement, month)), [engagement, month]);
  const latest = currentMonth();
  const r = state.data && state.data.month === month && state.data.engagement.id === engagement ? state.data : undefined;
  const company = r?.engagement.company_name ?? state.data?.engagement.company_name;
  const stem = `report-${slugify(company ?? 'engagement', 'engagement')}-${month}`;

  return (
    <section className="rep">
      <p className="muted">
        <Link to={`/engagements/${encodeURIComponent(engagement)}`}>Engagement</Link> / Monthly report
      </p>
      <div className="page-head">
        <h1>{r ? `Monthly ROI report: ${r.engagement.company_name}, ${formatMonth(month)}` : `Monthly ROI report, ${formatMonth(month)}`}</h1>
      </div>

      <div className="toolbar rep-toolbar">
        <div className="rep-month" role="group" aria-label="Month">
          <button type="button" className="secondary" onClick={() => go(addMonths(month, -1))} aria-label={`Previous month (${formatMonth(addMonths(month, -1))})`}>
            ‹ Previous
          </button>
          <label className="rep-month-label">
            <span className="visually-hidden">Report month</span>
            <input type="month" value={month} max={latest} aria-label="Report month" onChange={(e) => go(e.target.value)} />
          </label>
          <button type="button" className="secondary" onClick={() => go(addMonths(month, 1))} disabled={month >= latest} aria-label={`Next month (${formatMonth(addMonths(month, 1))})`}>
            Next ›
          </button>
        </div>
        <div className="rep-downloads">
          <a className="rep-button" href={reportApiUrl(engagement, month, 'pdf')} download={`${stem}.pdf`}>
            Download PDF
          </a>
          <a className="rep-button secondary" href={reportApiUrl(engagement, month, 'csv')} download={`${stem}.csv`}>
            Download CSV
          </a>
          <a className="rep-link" href={reportApiUrl(engagement, month, 'html')} target="_blank" rel="noopener">
            Printable page
          </a>
        </div>
      </div>

      <Loaded state={{ ...state, data: r }} what="the report">
        {(report) => <ReportBody report={report} />}
      </Loaded>
    </section>
  );
}

function ReportBody({ report }: { report: MonthlyReport }) {
  const view = monthlyView(report);
  const quiet = isQuiet(report);
  const e = report.engagement;
  return (
    <div className="rep-body">
      <dl className="details rep-facts">
        <dt>Company</dt>
        <dd>
          <Link to={`/companies/${encodeURIComponent(e.company_id)}`}>{e.company_name}</Link>
        </dd>
        {view.facts
          .filter((f) => f.label !== 'Company')
          .map((f) => (
            <Fact key={f.label} label={f.label} value={f.value} />
          ))}
      </dl>
      {quiet && (
        <p className="notice rep-quiet" role="status">
          Nothing was recorded for this engagement in {formatMonth(report.month)}: no AI usage, no time saved, no support tickets, no training and no work logged. The costs below still count, and the notes say why a figure is missing.
        </p>
      )}
      <nav className="rep-toc" aria-label="Report sections">
        {view.sections.map((s) => (
          <a key={s.id} href={`#rep-${s.id}`}>
            {s.title}
          </a>
        ))}
      </nav>
      {view.sections.map((s) => (
        <Section key={s.id} section={s} report={report} />
      ))}
    </div>
  );
}

function Fact({ label, value }: { label: string; value: string }) {
  return (
    <>
      <dt>{label}</dt>
      <dd>{value}</dd>
    </>
  );
}

function Section({ section, report }: { section: SectionView; report: MonthlyReport }) {
  const headingId = `rep-${section.id}`;
  return (
    <section className="rep-section" aria-labelledby={`${headingId}-h`} id={headingId}>
      <h2 id={`${headingId}-h`} tabIndex={-1}>
        {section.title}
      </h2>
      {section.blocks.map((b, i) => (
        <BlockView key={i} block={b} />
      ))}
      {section.id === 'trend' && <RoiTrend report={report} />}
    </section>
  );
}

/** ROI per month: the figure clients ask about first, beside the printed trend charts. */
function RoiTrend({ report }: { report: MonthlyReport }) {
  if (report.trend.every((p) => p.roi_percent === null)) return null;
  return (
    <LineChart
      title="ROI per month (%)"
      series={[{ name: 'ROI', color: PALETTE.value, points: report.trend.map((p) => ({ x: shortMonth(p.month), y: toNumber(p.roi_percent), display: formatPercent(p.roi_percent) })) }]}
    />
  );
}

function BlockView({ block }: { block: Block }) {
  switch (block.kind) {
    case 'figures':
      return (
        <div className="cards rep-figures">
          {block.items.map((f) => (
            <div key={f.label} className="kpi">
              <div className="label">{f.label}</div>
              <div className="value">{f.value}</div>
              {f.hint && <div className="small muted">{f.hint}</div>}
            </div>
          ))}
        </div>
      );
    case 'facts':
      return (
        <dl className="details rep-rules">
          {block.items.map((f) => (
            <Fact key={f.label} label={f.label} value={f.value} />
          ))}
        </dl>
      );
    case 'table':
      return <TableView table={block.table} />;
    case 'charts':
      return (
        <div className="rep-charts">
          {block.charts.map((c) => (
            <ViewChart key={c.id} chart={c} />
          ))}
          <TableView table={block.table} />
        </div>
      );
    case 'list':
      return block.items.length ? (
        <ul className="rep-list">
          {block.items.map((t, i) => (
            <li key={i}>{t}</li>
          ))}
        </ul>
      ) : (
        <p className="empty">{block.empty}</p>
      );
  }
}

function TableView({ table }: { table: ViewTable }) {
  if (table.rows.length === 0) {
    return (
      <p className="empty">
        {table.caption}: {table.empty}
      </p>
    );
  }
  return (
    <div className="table-wrap rep-table">
      <table>
        <caption className="rep-caption">{table.caption}</caption>
        <thead>
          <tr>
            {table.columns.map((c, i) => (
              <th key={i} scope="col" className={c.align === 'right' ? 'num' : undefined}>
                {c.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {table.rows.map((row, i) => (
            <tr key={i}>
              {row.map((cell, j) => (
                <td key={j} className={table.columns[j]?.align === 'right' ? 'num' : undefined}>
                  {cell}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

