/**
 * The sales assistant (seed 003) at a glance: whether a model is configured (and how to
 * configure one), the drafts waiting for a person's approval and those approved but not
 * sent yet, and what the assistant's calls cost: by month as a chart, and per workflow and
 * model with calls, errors, tokens and exact cost per currency, over a range of days.
 */
import type { LlmCostSummary } from '../../../src/core/measurement/llm.ts';
import { useId, useState } from 'react';
import { api, ApiError, query, type Page } from '../api.ts';
import { Link } from '../Link.tsx';
import { setQuery, useQuery } from '../router.ts';
import { humanise, recordLabel, useSchema } from '../schema.tsx';
import { describeError, DraftBadge, formatCost, SetupNote, TYPE_LABEL, useAssistantStatus } from '../ui/AssistantPanel.tsx';
import { ColumnChart, PALETTE } from '../ui/charts.tsx';
import { FieldRow } from '../ui/fields.tsx';
import { Alert, fieldErrorsOf, formatDateTime, formatNumber, Loaded, useAsync } from '../ui/ui.tsx';
import './assistant.css';
import './engagement.css';

type Row = Record<string, unknown>;
type Summary = LlmCostSummary;

export function AssistantPage() {
  const status = useAssistantStatus();
  const [tick, setTick] = useState(0);
  const changed = () => setTick((t) => t + 1);
  return (
    <section className="as-page">
      <div className="page-head">
        <h1>Assistant</h1>
      </div>
      <p className="muted">The sales assistant researches contacts and drafts outreach from their contact page; a person approves every draft before it is sent.</p>
      <section className="card as-status" aria-labelledby="as-status-title">
        <h2 id="as-status-title" style={{ marginTop: 0 }}>
          Status
        </h2>
        <Loaded state={status} what="the assistant's status">
          {(s) =>
            s.configured ? (
              <dl className="details">
                <dt>Configured</dt>
                <dd>Yes</dd>
                <dt>Provider</dt>
                <dd>{s.provider}</dd>
                <dt>Model</dt>
                <dd>{s.model}</dd>
                <dt>Host</dt>
                <dd>{s.host}</dd>
                {s.timeout_ms !== null && (
                  <>
                    <dt>Timeout</dt>
                    <dd>{formatNumber(s.timeout_ms / 1000, 1)} s</dd>
                  </>
                )}
                {s.max_tokens !== null && (
                  <>
                    <dt>Answer size</dt>
                    <dd>{formatNumber(s.max_tokens)} tokens at most</dd>
                  </>
                )}
              </dl>
            ) : (
              <SetupNote status={s} />
            )
          }
        </Loaded>
      </section>
      <div className="grid-2">
        <DraftQueue status="draft" title="Waiting for approval" empty="No draft is waiting for approval." tick={tick} onChanged={changed} />
        <DraftQueue status="approved" title="Approved, not sent yet" empty="No approved draft is waiting to be sent." tick={tick} onChanged={changed} />
      </div>
      <CostReport />
    </section>
  );
}

// ---------------------------------------------------------------------------
// Drafts by status

/** The drafts in one status, newest first, with their contact and company; `onChanged` after an approval (both lists reload). */
function DraftQueue({ status, title, empty, tick, onChanged }: { status: 'draft' | 'approved'; title: string; empty: string; tick: number; onChanged: () => void }) {
  const schema = useSchema();
  const headingId = useId();
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const canApprove = status === 'draft' && Boolean(schema.operation('outreach_drafts.approve'));
  const state = useAsync(async () => {
    if (!schema.table('outreach_drafts')) return null;
    const page = await api<Page<Row>>('GET', `/api/v1/outreach_drafts${query({ status, sort: '-created_at', limit: 50 })}`);
    const contactIds = [...new Set(page.items.map((d) => d.contact_id).filter((x): x is string => typeof x === 'string'))];
    const contacts = contactIds.length && schema.table('contacts') ? (await api<Page<Row>>('GET', `/api/v1/contacts?id[in]=${contactIds.join(',')}&limit=100&archived=include`)).items : [];
    const companyIds = [...new Set(contacts.map((c) => c.company_id).filter((x): x is string => typeof x === 'string'))];
    const companies = companyIds.length && schema.table('companies') ? (await api<Page<Row>>('GET', `/api/v1/companies?id[in]=${companyIds.join(',')}&limit=100&archived=include`)).items : [];
    return { items: page.items, more: Boolean(page.next_cursor), contacts: new Map(contacts.map((c) => [String(c.id), c])), companies: new Map(companies.map((c) => [String(c.id), c])) };
  }, [status, tick]);
  if (!schema.table('outreach_drafts')) return null;

  const approve = async (d: Row) => {
    setBusy(String(d.id));
    setProblem(null);
    try {
      await api('POST', `/api/v1/outreach_drafts/${encodeURIComponent(String(d.id))}/approve`, { expected_version: d.version });
      onChanged();
    } catch (e) {
      setProblem(describeError(e));
      onChanged();
    } finally {
      setBusy(null);
    }
  };

  return (
    <section aria-labelledby={headingId}>
      <h2 id={headingId}>
        {title} {state.data ? <span className="muted">({state.data.items.length}{state.data.more ? '+' : ''})</span> : null}
      </h2>
      <Alert>{problem}</Alert>
      <Loaded state={state} what={title.toLowerCase()}>
        {(data) =>
          !data || data.items.length === 0 ? (
            <p className="empty">{empty}</p>
          ) : (
            <ul className="as-queue" aria-label={title}>
              {data.items.map((d) => {
                const contact = data.contacts.get(String(d.contact_id));
                const company = contact && typeof contact.company_id === 'string' ? data.companies.get(contact.company_id) : undefined;
                const type = String(d.draft_type ?? '');
                const subject = typeof d.subject === 'string' && d.subject ? d.subject : `${TYPE_LABEL[type] ?? humanise(type)} draft`;
                const open = `/contacts/${String(d.contact_id)}#draft-${String(d.id)}`;
                return (
                  <li key={String(d.id)} aria-label={subject}>
                    <div className="as-draft-head">
                      <DraftBadge status={d.status} />
                      <span>{TYPE_LABEL[type] ?? humanise(type)}</span>
                      <time dateTime={String(d.created_at ?? '')}>{formatDateTime(String(d.created_at ?? ''))}</time>
                    </div>
                    <p className="as-subject">{subject}</p>
                    <p className="as-small" style={{ margin: 0 }}>
                      To <Link to={`/contacts/${String(d.contact_id)}`}>{contact ? recordLabel(contact) : 'a contact'}</Link>
                      {company && (
                        <>
                          {' '}
                          at <Link to={`/companies/${String(company.id)}`}>{recordLabel(company)}</Link>
                        </>
                      )}
                    </p>
                    <p className="as-preview">{String(d.content ?? '').slice(0, 400)}</p>
                    <div className="actions">
                      {canApprove && (
                        <button type="button" className="small" disabled={busy === String(d.id)} onClick={() => void approve(d)} aria-label={`Approve ${subject}`}>
                          {busy === String(d.id) ? 'Approving…' : 'Approve'}
                        </button>
                      )}
                      <Link to={open} className="button-link">
                        {status === 'approved' ? 'Open to send' : 'Open'}
                      </Link>
                    </div>
                  </li>
                );
              })}
            </ul>
          )
        }
      </Loaded>
    </section>
  );
}

// ---------------------------------------------------------------------------
// Cost report

/** The first day of the month `back` months before this one, as YYYY-MM-DD. */
function monthStart(back: number): string {
  const d = new Date();
  d.setDate(1);
  d.setMonth(d.getMonth() - back);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-01`;
}

const monthFmt = new Intl.DateTimeFormat(undefined, { month: 'short', year: 'numeric' });
/** `2026-11` → “Nov 2026”. */
export function monthLabel(ym: string): string {
  const [y, m] = ym.split('-').map(Number);
  return y && m ? monthFmt.format(new Date(y, m - 1, 1)) : ym;
}

function CostReport() {
  const schema = useSchema();
  const q = useQuery();
  const ids = { from: useId(), to: useId() };
  const fromParam = q.get('from');
  const from = fromParam === 'all' ? '' : (fromParam ?? monthStart(11));
  const to = q.get('to') ?? '';
  const op = schema.operation('llm.cost_summary');
  const state = useAsync(async () => {
    const range = { from: from || undefined, to: to || undefined };
    try {
      const [byMonth, byModel] = await Promise.all([api<Summary>('GET', `/api/v1/llm/summary${query({ ...range, by: 'month' })}`), api<Summary>('GET', `/api/v1/llm/summary${query(range)}`)]);
      return { ok: true as const, byMonth, byModel };
    } catch (e) {
      // A refused range (to before from, not a date) is shown beside its field.
      if (e instanceof ApiError && e.fields.length) return { ok: false as const, problem: e.message, fields: fieldErrorsOf(e) };
      throw e;
    }
  }, [from, to]);
  if (!op) return null;
  const set = (k: 'from' | 'to', v: string) => setQuery({ from: k === 'from' ? v || 'all' : (fromParam ?? undefined), to: k === 'to' ? v : to || undefined });
  const fields = state.data && !state.data.ok ? state.data.fields : {};

  return (
    <section aria-labelledby="as-cost-title">
      <h2 id="as-cost-title">What the assistant costs</h2>
      <p className="muted as-small">Every call to the model is logged with its tokens and exact cost (from the model's price list), failed calls included.</p>
      <form className="as-range" onSubmit={(e) => e.preventDefault()} aria-label="Date range">
        <FieldRow label="From" id={ids.from} error={fields.from} hint={from ? 'Inclusive' : 'From the first call'}>
          <input id={ids.from} type="date" value={from} onChange={(e) => set('from', e.target.value)} aria-invalid={fields.from ? true : undefined} />
        </FieldRow>
        <FieldRow label="To" id={ids.to} error={fields.to} hint={to ? 'Inclusive' : 'Up to today'}>
          <input id={ids.to} type="date" value={to} onChange={(e) => set('to', e.target.value)} aria-invalid={fields.to ? true : undefined} />
        </FieldRow>
        <div className="actions as-range-quick">
          <button type="button" className="secondary small" onClick={() => setQuery({})}>
            Last 12 months
          </button>
          <button type="button" className="secondary small" onClick={() => setQuery({ from: 'all' })}>
            All time
          </button>
        </div>
      </form>
      <Loaded state={state} what="the cost report">
        {(r) => {
          if (!r.ok) return <Alert>{r.problem}</Alert>;
          const { byMonth, byModel } = r;
          if (byModel.items.length === 0) return <p className="empty">No calls to a model in this range.</p>;
          const months = [...new Set(byMonth.items.map((i) => i.month ?? ''))].sort();
          const currencies = [...new Set(byMonth.items.map((i) => i.currency))].sort();
          const colors = [PALETTE.cost, PALETTE.tokens, PALETTE.hours, PALETTE.value];
          const series = currencies.map((cur, n) => {
            const values = months.map((m) => byMonth.items.filter((i) => i.month === m && i.currency === cur).reduce((s, i) => s + Number(i.cost), 0));
            return { name: `Cost (${cur})`, color: colors[n % colors.length]!, values, displays: values.map((v) => formatCost(v, cur)) };
          });
          const calls = months.map((m) => byMonth.items.filter((i) => i.month === m).reduce((s, i) => s + i.calls, 0));
          return (
            <>
              <ColumnChart title="Cost by month" categories={months.map(monthLabel)} series={series} />
              <p className="as-small muted">
                Calls by month: {months.map((m, i) => `${monthLabel(m)} ${formatNumber(calls[i])}`).join('; ')}.
              </p>
              <h3>By workflow and model</h3>
              <div className="table-wrap">
                <table className="as-cost-table">
                  <caption className="visually-hidden">Calls, tokens and cost by workflow and model</caption>
                  <thead>
                    <tr>
                      <th scope="col">Workflow and model</th>
                      <th scope="col" className="num">
                        Calls
                      </th>
                      <th scope="col" className="num">
                        Errors
                      </th>
                      <th scope="col" className="num hide-narrow">
                        Prompt tokens
                      </th>
                      <th scope="col" className="num hide-narrow">
                        Completion tokens
                      </th>
                      <th scope="col" className="num hide-narrow">
                        Tokens
                      </th>
                      <th scope="col" className="num">
                        Cost
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {byModel.items.map((i) => (
                      <tr key={`${i.workflow_name}|${i.model}|${i.currency}`}>
                        <td>
                          {humanise(i.workflow_name)}
                          <div className="as-small muted as-model">{i.model}</div>
                        </td>
                        <td className="num">{formatNumber(i.calls)}</td>
                        <td className="num">{formatNumber(i.errors)}</td>
                        <td className="num hide-narrow">{formatNumber(i.prompt_tokens)}</td>
                        <td className="num hide-narrow">{formatNumber(i.completion_tokens)}</td>
                        <td className="num hide-narrow">{formatNumber(i.total_tokens)}</td>
                        <td className="num">{formatCost(i.cost, i.currency)}</td>
                      </tr>
                    ))}
                  </tbody>
                  <tfoot>
                    {byModel.totals.map((t) => (
                      <tr key={t.currency}>
                        <th scope="row">
                          Total{byModel.totals.length > 1 ? ` (${t.currency})` : ''}
                        </th>
                        <td className="num">{formatNumber(t.calls)}</td>
                        <td className="num">{formatNumber(t.errors)}</td>
                        <td className="num hide-narrow">{formatNumber(t.prompt_tokens)}</td>
                        <td className="num hide-narrow">{formatNumber(t.completion_tokens)}</td>
                        <td className="num hide-narrow">{formatNumber(t.total_tokens)}</td>
                        <td className="num">{formatCost(t.cost, t.currency)}</td>
                      </tr>
                    ))}
                  </tfoot>
                </table>
              </div>
            </>
          );
        }}
      </Loaded>
    </section>
  );
}
