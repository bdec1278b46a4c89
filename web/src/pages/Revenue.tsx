/**
 * Revenue at /revenue: seed 002's five views (active clients, monthly recurring revenue,
 * pipeline value, overdue invoices, the project timeline). Money is shown with its currency
 * and only ever added within one currency, as the server adds it; each row links to its record.
 */
import { api } from '../api.ts';
import { Link } from '../Link.tsx';
import { humanise, useSchema } from '../schema.tsx';
import { Gantt, type GanttRow } from '../ui/charts.tsx';
import { Badge, formatDate, formatMoney, formatNumber, Kpi, Loaded, today, Section, useAsync } from '../ui/ui.tsx';
import './engagement.css';

type Money = { currency: string; amount: string; count?: number; engagements?: number };

type ActiveClients = {
  rule: string;
  today: string;
  clients: number;
  totals: { monthly_fees: Money[]; open_invoices: Money[]; overdue_invoices: Money[] };
  items: { company_id: string; company_name: string; company_status: string; live_engagements: number; monthly_fees: Money[]; open_invoices: Money[]; overdue_invoices: Money[]; last_invoice_date: string | null }[];
};
type Mrr = {
  rule: string;
  currencies: { currency: string; mrr: string; annualised: string; engagements: number; engagements_without_fee: number; items: { id: string; name: string | null; status: string; currency: string; monthly_fee: string | null; company_id: string; company_name: string | null }[] }[];
};
type Pipeline = {
  rule: string;
  currencies: { currency: string; deals: number; deals_without_value: number; value: string; weighted_value: string; stages: { stage: string; label: string; probability: number; deals: number; deals_without_value: number; value: string; weighted_value: string }[] }[];
};
type Overdue = {
  rule: string;
  today: string;
  totals: Money[];
  items: { id: string; invoice_number: string; company_id: string; company_name: string | null; engagement_id: string | null; invoice_type: string; amount: string; currency: string; issue_date: string | null; due_date: string; days_overdue: number }[];
};
type Timeline = {
  truncated: boolean;
  items: { id: string; name: string | null; status: string; priority: string; company_id: string; company_name: string | null; start_date: string | null; go_live_date: string | null; end_date: string | null; duration_days: number | null; milestones: { id: string; name: string; status: string; due_date: string | null; completed_date: string | null }[] }[];
};

const enc = encodeURIComponent;
const moneyList = (list: Money[]) => (list.length ? list.map((m) => formatMoney(m.amount, m.currency)).join(' · ') : '—');

export function RevenuePage() {
  const schema = useSchema();
  const has = (op: string) => Boolean(schema.operation(op));
  return (
    <section className="rev">
      <div className="page-head">
        <h1>Revenue</h1>
      </div>
      <nav className="eng-toc" aria-label="Views">
        <a href="#rev-clients">Active clients</a>
        <a href="#rev-mrr">Recurring revenue</a>
        <a href="#rev-pipeline">Pipeline</a>
        <a href="#rev-overdue">Overdue invoices</a>
        <a href="#rev-timeline">Project timeline</a>
      </nav>
      {has('billing.active_clients') && <ActiveClientsView />}
      {has('billing.monthly_recurring_revenue') && <MrrView />}
      {has('billing.pipeline_value') && <PipelineView />}
      {has('billing.overdue_invoices') && <OverdueView />}
      {has('billing.project_timeline') && <TimelineView />}
    </section>
  );
}

function ActiveClientsView() {
  const state = useAsync(() => api<ActiveClients>('GET', '/api/v1/views/active-clients'), []);
  return (
    <Section id="rev-clients" title="Active clients" note={state.data?.rule}>
      <Loaded state={state} what="active clients">
        {(v) => (
          <>
            <div className="cards">
              <Kpi label="Active clients" value={formatNumber(v.clients)} />
              {v.totals.monthly_fees.map((m) => (
                <Kpi key={`fees-${m.currency}`} label={`Monthly fees (${m.currency})`} value={formatMoney(m.amount, m.currency)} hint={`${m.engagements ?? 0} live engagement${m.engagements === 1 ? '' : 's'}`} />
              ))}
              {v.totals.open_invoices.map((m) => (
                <Kpi key={`open-${m.currency}`} label={`Open invoices (${m.currency})`} value={formatMoney(m.amount, m.currency)} hint={`${m.count ?? 0} sent, unpaid`} />
              ))}
            </div>
            {v.items.length === 0 ? (
              <p className="empty">No company has a live engagement.</p>
            ) : (
              <div className="table-wrap">
                <table>
                  <caption className="visually-hidden">Active clients</caption>
                  <thead>
                    <tr>
                      <th>Company</th>
                      <th className="num">Live engagements</th>
                      <th className="num">Monthly fees</th>
                      <th className="num">Open invoices</th>
                      <th className="num">Overdue</th>
                      <th>Last invoice</th>
                    </tr>
                  </thead>
                  <tbody>
                    {v.items.map((c) => (
                      <tr key={c.company_id}>
                        <td>
                          <Link to={`/companies/${enc(c.company_id)}`}>{c.company_name}</Link>
                        </td>
                        <td className="num">{c.live_engagements}</td>
                        <td className="num">{moneyList(c.monthly_fees)}</td>
                        <td className="num">{moneyList(c.open_invoices)}</td>
                        <td className="num">{c.overdue_invoices.length ? <Badge tone="bad">{moneyList(c.overdue_invoices)}</Badge> : '—'}</td>
                        <td>{c.last_invoice_date ? formatDate(c.last_invoice_date) : '—'}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </>
        )}
      </Loaded>
    </Section>
  );
}

function MrrView() {
  const state = useAsync(() => api<Mrr>('GET', '/api/v1/views/mrr'), []);
  return (
    <Section id="rev-mrr" title="Monthly recurring revenue" note={state.data?.rule}>
      <Loaded state={state} what="recurring revenue">
        {(v) =>
          v.currencies.length === 0 ? (
            <p className="empty">No live engagement, so no recurring revenue.</p>
          ) : (
            <>
              <div className="cards">
                {v.currencies.map((c) => (
                  <Kpi key={c.currency} label={`MRR (${c.currency})`} value={formatMoney(c.mrr, c.currency)} hint={`${formatMoney(c.annualised, c.currency)} a year · ${c.engagements} engagement${c.engagements === 1 ? '' : 's'}${c.engagements_without_fee ? `, ${c.engagements_without_fee} without a fee` : ''}`} />
                ))}
              </div>
              <div className="table-wrap">
                <table>
                  <caption className="visually-hidden">Engagements behind the recurring revenue</caption>
                  <thead>
                    <tr>
                      <th>Engagement</th>
                      <th>Company</th>
                      <th>Status</th>
                      <th className="num">Monthly fee</th>
                    </tr>
                  </thead>
                  <tbody>
                    {v.currencies.flatMap((c) =>
                      c.items.map((e) => (
                        <tr key={e.id}>
                          <td>
                            <Link to={`/engagements/${enc(e.id)}`}>{e.name ?? 'Engagement'}</Link>
                          </td>
                          <td>{e.company_name ? <Link to={`/companies/${enc(e.company_id)}`}>{e.company_name}</Link> : '—'}</td>
                          <td>
                            <Badge>{humanise(e.status)}</Badge>
                          </td>
                          <td className="num">{e.monthly_fee === null ? 'No fee' : formatMoney(e.monthly_fee, e.currency)}</td>
                        </tr>
                      )),
                    )}
                  </tbody>
                </table>
              </div>
            </>
          )
        }
      </Loaded>
    </Section>
  );
}

function PipelineView() {
  const state = useAsync(() => api<Pipeline>('GET', '/api/v1/views/pipeline-value'), []);
  return (
    <Section id="rev-pipeline" title="Pipeline value" note={state.data?.rule}>
      <Loaded state={state} what="the pipeline">
        {(v) =>
          v.currencies.length === 0 ? (
            <p className="empty">No open deal.</p>
          ) : (
            <>
              <div className="cards">
                {v.currencies.map((c) => (
                  <Kpi key={c.currency} label={`Weighted pipeline (${c.currency})`} value={formatMoney(c.weighted_value, c.currency)} hint={`${formatMoney(c.value, c.currency)} in ${c.deals} open deal${c.deals === 1 ? '' : 's'}${c.deals_without_value ? `, ${c.deals_without_value} without a value` : ''}`} />
                ))}
              </div>
              {v.currencies.map((c) => (
                <div className="table-wrap rev-block" key={c.currency}>
                  <table>
                    <caption>{`Open deals by stage (${c.currency})`}</caption>
                    <thead>
                      <tr>
                        <th>Stage</th>
                        <th className="num">Probability</th>
                        <th className="num">Deals</th>
                        <th className="num">Value</th>
                        <th className="num">Weighted</th>
                      </tr>
                    </thead>
                    <tbody>
                      {c.stages.map((s) => (
                        <tr key={s.stage}>
                          <td>
                            <Link to={`/deals?stage=${enc(s.stage)}`}>{s.label}</Link>
                          </td>
                          <td className="num">{s.probability}%</td>
                          <td className="num">{s.deals}</td>
                          <td className="num">{formatMoney(s.value, c.currency)}</td>
                          <td className="num">{formatMoney(s.weighted_value, c.currency)}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              ))}
            </>
          )
        }
      </Loaded>
    </Section>
  );
}

function OverdueView() {
  const state = useAsync(() => api<Overdue>('GET', '/api/v1/views/overdue-invoices'), []);
  return (
    <Section id="rev-overdue" title="Overdue invoices" note={state.data?.rule}>
      <Loaded state={state} what="overdue invoices">
        {(v) =>
          v.items.length === 0 ? (
            <p className="empty">No invoice is overdue.</p>
          ) : (
            <>
              <div className="cards">
                {v.totals.map((t) => (
                  <Kpi key={t.currency} label={`Overdue (${t.currency})`} value={<span className="rev-bad">{formatMoney(t.amount, t.currency)}</span>} hint={`${t.count ?? 0} invoice${t.count === 1 ? '' : 's'}`} />
                ))}
              </div>
              <div className="table-wrap">
                <table>
                  <caption className="visually-hidden">Overdue invoices, oldest due first</caption>
                  <thead>
                    <tr>
                      <th>Invoice</th>
                      <th>Company</th>
                      <th>Type</th>
                      <th className="num">Amount</th>
                      <th>Due</th>
                      <th className="num">Days overdue</th>
                    </tr>
                  </thead>
                  <tbody>
                    {v.items.map((i) => (
                      <tr key={i.id}>
                        <td>
                          <Link to={`/invoices/${enc(i.id)}`}>{i.invoice_number}</Link>
                        </td>
                        <td>{i.company_name ? <Link to={`/companies/${enc(i.company_id)}`}>{i.company_name}</Link> : '—'}</td>
                        <td>{humanise(i.invoice_type)}</td>
                        <td className="num">{formatMoney(i.amount, i.currency)}</td>
                        <td>{formatDate(i.due_date)}</td>
                        <td className="num">
                          <Badge tone={i.days_overdue > 30 ? 'bad' : 'warn'}>{i.days_overdue}</Badge>
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </>
          )
        }
      </Loaded>
    </Section>
  );
}

const LIVE = ['onboarding', 'training', 'supporting'];

function TimelineView() {
  const state = useAsync(() => api<Timeline>('GET', '/api/v1/views/project-timeline'), []);
  const now = today();
  return (
    <Section id="rev-timeline" title="Project timeline">
      <Loaded state={state} what="the timeline">
        {(v) => {
          if (v.items.length === 0) return <p className="empty">No engagement yet.</p>;
          const label = (e: Timeline['items'][number]) => [e.company_name, e.name].filter(Boolean).join(': ') || 'Engagement';
          const rows: GanttRow[] = v.items.map((e) => ({
            id: e.id,
            label: label(e),
            start: e.start_date,
            end: e.end_date,
            tone: LIVE.includes(e.status) ? 'good' : e.status === 'cancelled' ? 'warn' : 'plain',
            marks: [
              ...(e.go_live_date ? [{ date: e.go_live_date, label: 'Go-live', done: e.go_live_date <= now }] : []),
              ...e.milestones.flatMap((m) => (m.due_date || m.completed_date ? [{ date: (m.completed_date ?? m.due_date)!, label: m.name, done: m.status === 'completed' || Boolean(m.completed_date) }] : [])),
            ],
          }));
          return (
            <>
              <Gantt title="Engagements by date, with go-live and milestones" rows={rows} today={now} />
              <p className="small muted">Bars run from start to end date (faded: no end date yet, drawn to today or the last milestone); diamonds are go-live and milestones, filled when done; the dashed line is today.</p>
              <div className="table-wrap">
                <table>
                  <caption className="visually-hidden">Engagements with their dates and milestones</caption>
                  <thead>
                    <tr>
                      <th>Engagement</th>
                      <th>Status</th>
                      <th>Start</th>
                      <th>Go-live</th>
                      <th>End</th>
                      <th className="num">Days</th>
                      <th>Milestones</th>
                    </tr>
                  </thead>
                  <tbody>
                    {v.items.map((e) => (
                      <tr key={e.id}>
                        <td>
                          <Link to={`/engagements/${enc(e.id)}`}>{label(e)}</Link>
                        </td>
                        <td>
                          <Badge tone={LIVE.includes(e.status) ? 'good' : 'plain'}>{humanise(e.status)}</Badge>
                        </td>
                        <td>{e.start_date ? formatDate(e.start_date) : '—'}</td>
                        <td>{e.go_live_date ? formatDate(e.go_live_date) : '—'}</td>
                        <td>{e.end_date ? formatDate(e.end_date) : '—'}</td>
                        <td className="num">{e.duration_days ?? '—'}</td>
                        <td>
                          {e.milestones.length === 0
                            ? '—'
                            : e.milestones.map((m) => (
                                <div key={m.id}>
                                  <Link to={`/engagement_milestones/${enc(m.id)}`}>{m.name}</Link> <span className="small muted">{`${humanise(m.status)}${m.due_date ? `, due ${formatDate(m.due_date)}` : ''}`}</span>
                                </div>
                              ))}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              {v.truncated && <p className="notice">Only the first 500 engagements are shown.</p>}
            </>
          );
        }}
      </Loaded>
    </Section>
  );
}
