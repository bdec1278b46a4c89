/**
 * One campaign (seed 004) at /campaigns/<id>: what it is and where it stands in the campaign
 * pipeline, how it performs (campaigns.performance: spend against budget, cost per conversion,
 * ROI and the rates, worked out by the server from the totals), its metric periods, who it
 * targets (the funnel, the first targets with their own pipeline, campaigns.add_targets by
 * segment or by a picked list), its content with every saved version, the outreach drafts
 * tied to it and its status history. Every act goes through the real table or operation, and
 * only the acts the person's role allows are offered.
 */
import type { AddTargetsResult } from '../../../src/core/sales/campaigns.ts';
import { useState, type FormEvent } from 'react';
import { api, ApiError, messageOf, query, type Page } from '../api.ts';
import { Link } from '../Link.tsx';
import { humanise, recordLabel, useSchema } from '../schema.tsx';
import { BarChart, ColumnChart, LineChart, PALETTE } from '../ui/charts.tsx';
import { RecordPicker } from '../ui/fields.tsx';
import { useLabels } from '../ui/labels.ts';
import { useStages, type Stage } from '../ui/pipeline.ts';
import { formFields, RecordForm } from '../ui/RecordForm.tsx';
import { Alert, type Async, Badge, Dialog, formatDate, formatDateTime, formatMoney, formatNumber, Kpi, Loaded, Notice, safeHref, Section, useAsync } from '../ui/ui.tsx';
import { StatusHistory } from './Record.tsx';
import './engagement.css';
import './marketing.css';

type Row = Record<string, unknown>;

type Money = { currency: string; periods: number; conversions: number; spend: string | null; revenue: string | null; cost_per_conversion: string | null; roi: string | null };
export type Performance = {
  campaign: Row;
  totals: { periods: number; impressions: number; opens: number; clicks: number; conversions: number; by_currency: Money[] };
  rates: { currency: string | null; open_rate: string | null; click_rate: string | null; conversion_rate: string | null; cost_per_conversion: string | null; roi: string | null; budget_used: string | null };
  series: Array<Row & { period: string; impressions: number; opens: number; clicks: number; conversions: number; spend: string | null; revenue: string | null; currency: string; cost_per_conversion: string | null; roi: string | null }>;
  targets: { total: number; by_status: Record<string, number>; by_type: Record<string, number>; reached: number };
  outreach_drafts: { total: number; by_status: Record<string, number> };
};

const enc = encodeURIComponent;
const str = (v: unknown): string => (v === null || v === undefined ? '' : String(v));
const TARGET_TABLE: Record<string, 'leads' | 'contacts' | 'companies'> = { lead: 'leads', contact: 'contacts', company: 'companies' };
const TYPE_WORD: Record<string, [string, string]> = { lead: ['lead', 'leads'], contact: ['contact', 'contacts'], company: ['company', 'companies'] };
const plural = (n: number, type: string) => `${formatNumber(n)} ${(TYPE_WORD[type] ?? [type, `${type}s`])[n === 1 ? 0 : 1]}`;
const percent = (v: string | null) => (v === null ? '—' : `${v}%`);
const stageLabel = (stages: Stage[] | undefined, key: string) => stages?.find((s) => s.key === key)?.label ?? humanise(key);
const excerpt = (s: string, n = 220) => ([...s].length > n ? `${[...s].slice(0, n - 1).join('')}…` : s);

export function CampaignPage({ id }: { id: string }) {
  const [tick, setTick] = useState(0);
  const state = useAsync(() => api<Performance>('GET', `/api/v1/campaigns/${enc(id)}/performance`), [id, tick]);
  return (
    <Loaded state={state} what="the campaign">
      {(p) => <CampaignView p={p} tick={tick} refresh={() => setTick((t) => t + 1)} />}
    </Loaded>
  );
}

function CampaignView({ p, tick, refresh }: { p: Performance; tick: number; refresh: () => void }) {
  const schema = useSchema();
  const c = p.campaign;
  const id = str(c.id);
  const stages = useStages('campaign');
  const [notice, setNotice] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  const [editing, setEditing] = useState(false);
  const ownerId = str(c.owner_id);
  const label = useLabels(ownerId ? [['users', ownerId]] : []);
  const archived = c.archived_at !== null && c.archived_at !== undefined;
  const mayUpdate = schema.can('campaigns', 'update') && !archived;
  const cur = str(c.currency) || null;
  const editFields = formFields(schema.table('campaigns')?.fields ?? [], 'edit')
    .map((f) => f.name)
    .filter((n) => n !== 'status');

  const done = (text: string) => {
    setNotice({ kind: 'ok', text });
    refresh();
  };

  return (
    <section className="mk">
      <p className="muted">
        <Link to="/campaigns">← Campaigns</Link>
      </p>
      <div className="page-head">
        <div>
          <h1>{str(c.name)}</h1>
          <p className="mk-sub">
            <Badge tone="plain">{humanise(str(c.type))}</Badge>
            <span>
              Status: <StatusPill stages={stages} value={str(c.status)} />
            </span>
            {archived && <Badge tone="plain">Archived</Badge>}
          </p>
        </div>
        {mayUpdate && (
          <button type="button" className="secondary" onClick={() => setEditing(true)}>
            Edit campaign
          </button>
        )}
      </div>
      {mayUpdate && <CampaignMoves key={str(c.version)} campaign={c} stages={stages} onMoved={(to) => done(`The campaign is now ${stageLabel(stages, to).toLowerCase()}.`)} />}
      {notice && <Notice kind={notice.kind}>{notice.text}</Notice>}

      <dl className="details mk-terms">
        <dt>Dates</dt>
        <dd>{c.start_date || c.end_date ? `${c.start_date ? formatDate(str(c.start_date)) : 'no start date'} to ${c.end_date ? formatDate(str(c.end_date)) : 'no end date'}` : <span className="muted">No dates set</span>}</dd>
        <dt>Budget</dt>
        <dd>{c.budget ? formatMoney(str(c.budget), cur) : <span className="muted">No budget set</span>}</dd>
        <dt>Owner</dt>
        <dd>{ownerId ? <Link to={`/users/${enc(ownerId)}`}>{label('users', ownerId) ?? 'Owner'}</Link> : <span className="muted">Nobody</span>}</dd>
        <dt>Audience</dt>
        <dd>{c.target_audience ? str(c.target_audience) : <span className="muted">Not described</span>}</dd>
        <dt>Description</dt>
        <dd className="notes">{c.description ? str(c.description) : <span className="muted">None</span>}</dd>
      </dl>

      <nav className="mk-toc" aria-label="Sections">
        <a href="#mk-performance">Performance</a>
        <a href="#mk-metrics">Metrics</a>
        <a href="#mk-targets">Targets</a>
        <a href="#mk-content">Content</a>
        <a href="#mk-drafts">Outreach drafts</a>
        <a href="#mk-history">Status history</a>
      </nav>

      <Kpis p={p} />
      <Metrics campaign={c} tick={tick} onChanged={done} />
      <Targets campaign={c} p={p} tick={tick} onChanged={refresh} />
      <Content campaignId={id} tick={tick} onChanged={done} />
      <Drafts campaignId={id} p={p} tick={tick} />
      <section className="page-section" id="mk-history">
        <StatusHistory key={str(c.version)} entity="campaign" id={id} />
      </section>

      <Dialog title="Edit campaign" open={editing} onClose={() => setEditing(false)}>
        <RecordForm
          table="campaigns"
          record={c}
          only={editFields}
          onSaved={() => {
            setEditing(false);
            done('Saved.');
          }}
          onCancel={() => setEditing(false)}
        />
      </Dialog>
    </section>
  );
}

function StatusPill({ stages, value }: { stages: Stage[] | undefined; value: string }) {
  const stage = stages?.find((s) => s.key === value);
  const tone = value === 'active' ? 'good' : value === 'paused' ? 'warn' : stage?.is_won ? 'good' : stage?.is_lost ? 'bad' : undefined;
  return <Badge {...(tone ? { tone } : {})}>{stage?.label ?? humanise(value)}</Badge>;
}

/**
 * The campaign's next statuses as buttons (from the pipeline's next_statuses), and a "Move
 * to…" choice of any status, the ones that are no next step marked as such: the server has
 * the last word, and a move it refuses shows its message (with the moves it allows).
 */
function CampaignMoves({ campaign, stages, onMoved }: { campaign: Row; stages: Stage[] | undefined; onMoved: (to: string) => void }) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const status = str(campaign.status);
  const here = stages?.find((s) => s.key === status);
  const others = (stages ?? []).filter((s) => s.key !== status);
  const next = others.filter((s) => here?.next_statuses.includes(s.key));
  const rest = others.filter((s) => !here?.next_statuses.includes(s.key));
  const [to, setTo] = useState('');
  const move = async (target: string) => {
    if (!target) return;
    setBusy(true);
    setError(null);
    try {
      await api('PATCH', `/api/v1/campaigns/${enc(str(campaign.id))}`, { status: target }, campaign.version !== undefined ? { 'if-match': `"${str(campaign.version)}"` } : {});
      setTo('');
      onMoved(target);
    } catch (e) {
      const allowed = e instanceof ApiError && Array.isArray(e.details.allowed) ? (e.details.allowed as string[]) : null;
      setError(`${messageOf(e)}${allowed && !messageOf(e).includes('allowed next') ? ` Allowed next: ${allowed.map((k) => stageLabel(stages, k)).join(', ') || 'none'}.` : ''}`);
    } finally {
      setBusy(false);
    }
  };
  if (!stages) return null;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void move(to);
  };
  return (
    <div className="mk-moves" role="group" aria-label="Campaign status">
      {next.length > 0 ? (
        <div className="actions mk-nomargin">
          {next.map((s) => (
            <button key={s.key} type="button" className="small" disabled={busy} onClick={() => void move(s.key)}>
              {`Move to ${s.label}`}
            </button>
          ))}
        </div>
      ) : (
        <span className="muted small">{here ? `${here.label} is the last status.` : ''}</span>
      )}
      <form className="mk-move-form" onSubmit={submit}>
        <label className="inline">
          <span>Move to…</span>
          <select value={to} onChange={(e) => setTo(e.target.value)} aria-label="Move the campaign to">
            <option value="">Choose a status</option>
            {next.length > 0 && (
              <optgroup label={`Next steps from ${here?.label ?? status}`}>
                {next.map((s) => (
                  <option key={s.key} value={s.key}>
                    {s.label}
                  </option>
                ))}
              </optgroup>
            )}
            {rest.length > 0 && (
              <optgroup label="Not a next step (the server may refuse)">
                {rest.map((s) => (
                  <option key={s.key} value={s.key}>
                    {s.label}
                  </option>
                ))}
              </optgroup>
            )}
          </select>
        </label>
        <button type="submit" className="secondary small" disabled={busy || !to}>
          Move
        </button>
      </form>
      <Alert>{error}</Alert>
    </div>
  );
}

// ---------------------------------------------------------------------------
// Performance

function Kpis({ p }: { p: Performance }) {
  const { totals, rates, campaign } = p;
  const money = totals.by_currency;
  const single = money.length === 1 ? money[0]! : null;
  const budget = campaign.budget ? str(campaign.budget) : null;
  const cur = str(campaign.currency) || null;
  const several = money.length > 1 ? `the periods are in ${money.length} currencies (${money.map((m) => m.currency).join(', ')}); each is below` : null;
  const spendValue = single ? (single.spend !== null ? formatMoney(single.spend, single.currency) : '—') : money.length ? money.map((m) => formatMoney(m.spend ?? '0', m.currency)).join(' + ') : formatMoney('0', cur);
  const spendHint = budget
    ? rates.budget_used !== null
      ? `of ${formatMoney(budget, cur)} budget · ${rates.budget_used}% used`
      : `of ${formatMoney(budget, cur)} budget · budget used unknown: ${money.length === 0 ? 'no spend recorded yet' : several ?? (single && single.currency !== cur ? `spend is in ${single.currency}, the budget in ${cur ?? 'another currency'}` : 'no spend recorded yet')}`
    : 'no budget set';
  const cpcHint =
    rates.cost_per_conversion !== null ? `${formatNumber(totals.conversions)} conversions from the spend` : totals.conversions === 0 ? 'no conversions yet' : several ?? 'no spend recorded yet';
  const roiHint = rates.roi !== null ? '(revenue − spend) ÷ spend' : several ?? (!single || single.spend === null || Number(single.spend) === 0 ? 'no spend recorded yet' : 'no revenue recorded yet');
  return (
    <Section id="mk-performance" title="Performance">
      <div className="cards mk-kpis">
        <Kpi label="Spend" value={spendValue} hint={spendHint} />
        <Kpi label="Conversions" value={formatNumber(totals.conversions)} hint={`over ${totals.periods} period${totals.periods === 1 ? '' : 's'}`} />
        <Kpi label="Cost per conversion" value={rates.cost_per_conversion !== null ? formatMoney(rates.cost_per_conversion, rates.currency) : '—'} hint={cpcHint} />
        <Kpi label="ROI" value={percent(rates.roi)} hint={roiHint} />
        <Kpi
          label="Revenue"
          value={single ? (single.revenue !== null ? formatMoney(single.revenue, single.currency) : '—') : money.length ? money.map((m) => formatMoney(m.revenue ?? '0', m.currency)).join(' + ') : '—'}
          hint={single ? (single.revenue !== null ? 'attributed to the campaign' : 'no revenue recorded yet') : money.length ? several : 'no periods recorded yet'}
        />
        <Kpi label="Open rate" value={percent(rates.open_rate)} hint={rates.open_rate !== null ? `${formatNumber(totals.opens)} opens of ${formatNumber(totals.impressions)} impressions` : 'no impressions yet'} />
        <Kpi label="Click rate" value={percent(rates.click_rate)} hint={rates.click_rate !== null ? `${formatNumber(totals.clicks)} clicks of ${formatNumber(totals.impressions)} impressions` : 'no impressions yet'} />
        <Kpi label="Conversion rate" value={percent(rates.conversion_rate)} hint={rates.conversion_rate !== null ? `${formatNumber(totals.conversions)} conversions of ${formatNumber(totals.clicks)} clicks` : 'no clicks yet'} />
      </div>
      {money.length > 1 && (
        <div className="table-wrap">
          <table>
            <caption className="mk-caption">By currency</caption>
            <thead>
              <tr>
                <th scope="col">Currency</th>
                <th scope="col" className="num">Spend</th>
                <th scope="col" className="num">Revenue</th>
                <th scope="col" className="num">Conversions</th>
                <th scope="col" className="num">Cost per conversion</th>
                <th scope="col" className="num">ROI</th>
              </tr>
            </thead>
            <tbody>
              {money.map((m) => (
                <tr key={m.currency}>
                  <th scope="row">{m.currency}</th>
                  <td className="num">{m.spend !== null ? formatMoney(m.spend, m.currency) : '—'}</td>
                  <td className="num">{m.revenue !== null ? formatMoney(m.revenue, m.currency) : '—'}</td>
                  <td className="num">{formatNumber(m.conversions)}</td>
                  <td className="num">{m.cost_per_conversion !== null ? formatMoney(m.cost_per_conversion, m.currency) : '—'}</td>
                  <td className="num">{percent(m.roi)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Charts p={p} />
    </Section>
  );
}

function Charts({ p }: { p: Performance }) {
  if (p.series.length === 0) return <p className="empty">No metric periods yet: the charts appear once a period is added.</p>;
  const periods = p.series.map((s) => formatDate(s.period));
  const num = (v: string | null) => (v === null ? null : Number(v));
  const oneCurrency = new Set(p.series.map((s) => s.currency)).size === 1;
  return (
    <div className="mk-charts">
      <LineChart
        title="Activity per period"
        table={false}
        series={[
          { name: 'Impressions', color: PALETTE.hours, points: p.series.map((s, i) => ({ x: periods[i]!, y: s.impressions, display: formatNumber(s.impressions) })) },
          { name: 'Opens', color: PALETTE.tokens, points: p.series.map((s, i) => ({ x: periods[i]!, y: s.opens, display: formatNumber(s.opens) })) },
          { name: 'Clicks', color: PALETTE.cost, points: p.series.map((s, i) => ({ x: periods[i]!, y: s.clicks, display: formatNumber(s.clicks) })) },
          { name: 'Conversions', color: PALETTE.value, points: p.series.map((s, i) => ({ x: periods[i]!, y: s.conversions, display: formatNumber(s.conversions) })) },
        ]}
      />
      {oneCurrency && (
        <ColumnChart
          title={`Spend and revenue per period (${p.series[0]!.currency})`}
          table={false}
          categories={periods}
          series={[
            { name: 'Spend', color: PALETTE.cost, values: p.series.map((s) => num(s.spend)), displays: p.series.map((s) => (s.spend === null ? '—' : formatMoney(s.spend, s.currency))) },
            { name: 'Revenue', color: PALETTE.value, values: p.series.map((s) => num(s.revenue)), displays: p.series.map((s) => (s.revenue === null ? '—' : formatMoney(s.revenue, s.currency))) },
          ]}
        />
      )}
    </div>
  );
}

// ---------------------------------------------------------------------------
// Metrics

function Metrics({ campaign, tick, onChanged }: { campaign: Row; tick: number; onChanged: (m: string) => void }) {
  const schema = useSchema();
  const id = str(campaign.id);
  const rows = useAsync(() => api<Page<Row>>('GET', `/api/v1/campaign_metrics${query({ campaign_id: id, sort: 'period', limit: 200 })}`), [id, tick]);
  const [open, setOpen] = useState<{ row?: Row } | null>(null);
  const mayCreate = schema.can('campaign_metrics', 'create');
  const mayUpdate = schema.can('campaign_metrics', 'update');
  const money = (r: Row, k: string) => (r[k] === null || r[k] === undefined ? '—' : formatMoney(str(r[k]), str(r.currency) || null));
  return (
    <Section
      id="mk-metrics"
      title="Metrics by period"
      actions={
        mayCreate && (
          <button type="button" onClick={() => setOpen({})}>
            Add period
          </button>
        )
      }
    >
      <Loaded state={rows} what="the metrics">
        {(page) =>
          page.items.length === 0 ? (
            <p className="empty">No period measured yet.</p>
          ) : (
            <div className="table-wrap">
              <table aria-label="Metrics by period">
                <thead>
                  <tr>
                    <th scope="col">Period</th>
                    <th scope="col" className="num hide-narrow">Impressions</th>
                    <th scope="col" className="num hide-narrow">Opens</th>
                    <th scope="col" className="num hide-narrow">Clicks</th>
                    <th scope="col" className="num">Conversions</th>
                    <th scope="col" className="num">Spend</th>
                    <th scope="col" className="num">Revenue</th>
                    <th scope="col" className="num">Cost per conversion</th>
                    <th scope="col" className="num">ROI</th>
                    {mayUpdate && <th scope="col"><span className="visually-hidden">Actions</span></th>}
                  </tr>
                </thead>
                <tbody>
                  {page.items.map((r) => (
                    <tr key={str(r.id)}>
                      <th scope="row">{formatDate(str(r.period))}</th>
                      <td className="num hide-narrow">{formatNumber(r.impressions as number)}</td>
                      <td className="num hide-narrow">{formatNumber(r.opens as number)}</td>
                      <td className="num hide-narrow">{formatNumber(r.clicks as number)}</td>
                      <td className="num">{formatNumber(r.conversions as number)}</td>
                      <td className="num">{money(r, 'spend')}</td>
                      <td className="num">{money(r, 'revenue')}</td>
                      <td className="num">{money(r, 'cost_per_conversion')}</td>
                      <td className="num">{r.roi === null || r.roi === undefined ? '—' : `${str(r.roi)}%`}</td>
                      {mayUpdate && (
                        <td>
                          <button type="button" className="secondary small" onClick={() => setOpen({ row: r })} aria-label={`Edit the period ${formatDate(str(r.period))}`}>
                            Edit
                          </button>
                        </td>
                      )}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )
        }
      </Loaded>
      <Dialog title={open?.row ? `Edit the period ${formatDate(str(open.row.period))}` : 'Add a metric period'} open={open !== null} onClose={() => setOpen(null)}>
        {open && (
          <>
            <p className="muted">Cost per conversion and ROI are worked out by the database from spend, conversions and revenue.</p>
            <RecordForm
              table="campaign_metrics"
              {...(open.row ? { record: open.row } : { fixed: { campaign_id: id }, initial: { currency: campaign.currency } })}
              submitLabel={open.row ? 'Save period' : 'Add period'}
              onSaved={(r) => {
                setOpen(null);
                onChanged(open.row ? `The period ${formatDate(str(r.period))} is saved.` : `The period ${formatDate(str(r.period))} is added.`);
              }}
              onCancel={() => setOpen(null)}
            />
          </>
        )}
      </Dialog>
    </Section>
  );
}

// ---------------------------------------------------------------------------
// Targets

function Targets({ campaign, p, tick, onChanged }: { campaign: Row; p: Performance; tick: number; onChanged: () => void }) {
  const schema = useSchema();
  const id = str(campaign.id);
  const stages = useStages('campaign_target');
  const list = useAsync(() => api<Page<Row>>('GET', `/api/v1/campaign_targets${query({ campaign_id: id, sort: '-created_at', limit: 50 })}`), [id, tick]);
  const label = useLabels((list.data?.items ?? []).map((t) => [TARGET_TABLE[str(t.target_type)] ?? 'leads', str(t.target_id)] as [string, string]));
  const [adding, setAdding] = useState(false);
  const [moveError, setMoveError] = useState<string | null>(null);
  const addOp = schema.operation('campaigns.add_targets');
  const mayMove = schema.can('campaign_targets', 'update');
  const t = p.targets;
  const takes = campaign.status !== 'completed' && !campaign.archived_at;
  const funnel = (stages?.map((s) => s.key) ?? Object.keys(t.by_status)).map((k) => ({ label: stageLabel(stages, k), value: t.by_status[k] ?? 0, display: formatNumber(t.by_status[k] ?? 0) }));

  const move = async (target: Row, to: string) => {
    setMoveError(null);
    try {
      await api('PATCH', `/api/v1/campaign_targets/${enc(str(target.id))}`, { status: to }, { 'if-match': `"${str(target.version)}"` });
      onChanged();
    } catch (e) {
      setMoveError(messageOf(e));
    }
  };

  return (
    <Section
      id="mk-targets"
      title="Targets"
      actions={
        addOp &&
        takes && (
          <button type="button" onClick={() => setAdding(true)}>
            Add targets
          </button>
        )
      }
    >
      <p className="mk-funnel-summary" aria-label="Targets summary">
        {`${formatNumber(t.total)} target${t.total === 1 ? '' : 's'}: ${['lead', 'contact', 'company'].map((k) => plural(t.by_type[k] ?? 0, k)).join(', ')}. `}
        <strong>{`${formatNumber(t.reached)} reached`}</strong>
        {t.total > 0 ? ` (${formatNumber((t.reached / t.total) * 100, 1)}%): sent or further.` : '.'}
      </p>
      {t.total > 0 && <BarChart title="Targets by status" data={funnel} valueLabel="Targets" color={PALETTE.hours} />}
      <Alert>{moveError}</Alert>
      <Loaded state={list} what="the targets">
        {(page) =>
          page.items.length === 0 ? (
            <p className="empty">Nobody is targeted yet.</p>
          ) : (
            <div className="table-wrap">
              <table aria-label="Targets">
                <thead>
                  <tr>
                    <th scope="col">Target</th>
                    <th scope="col">Type</th>
                    <th scope="col">Status</th>
                    {mayMove && <th scope="col">Move</th>}
                  </tr>
                </thead>
                <tbody>
                  {page.items.map((row) => {
                    const table = TARGET_TABLE[str(row.target_type)] ?? 'leads';
                    const name = label(table, str(row.target_id)) ?? `${humanise(str(row.target_type))} #${str(row.target_id).slice(0, 8)}`;
                    return (
                      <tr key={str(row.id)}>
                        <td>
                          <Link to={`/${table}/${enc(str(row.target_id))}`}>{name}</Link>
                        </td>
                        <td>{humanise(str(row.target_type))}</td>
                        <td>
                          <StatusPill stages={stages} value={str(row.status)} />
                        </td>
                        {mayMove && (
                          <td>
                            <TargetMove row={row} name={name} stages={stages} onMove={(to) => move(row, to)} />
                          </td>
                        )}
                      </tr>
                    );
                  })}
                </tbody>
              </table>
              {(page.next_cursor || t.total > page.items.length) && <p className="muted">Showing the latest {page.items.length} of {formatNumber(t.total)}.</p>}
            </div>
          )
        }
      </Loaded>
      <p>
        <Link to={`/campaign_targets${query({ campaign_id: id })}`}>See every target of the campaign</Link>
      </p>
      {adding && <AddTargetsDialog campaignId={id} onClose={() => setAdding(false)} onAdded={onChanged} />}
    </Section>
  );
}

function TargetMove({ row, name, stages, onMove }: { row: Row; name: string; stages: Stage[] | undefined; onMove: (to: string) => Promise<void> }) {
  const [to, setTo] = useState('');
  const [busy, setBusy] = useState(false);
  const next = stages?.find((s) => s.key === row.status)?.next_statuses ?? [];
  if (!stages) return null;
  if (next.length === 0) return <span className="muted small">Final</span>;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!to) return;
    setBusy(true);
    await onMove(to);
    setBusy(false);
    setTo('');
  };
  return (
    <form className="mk-inline-form" onSubmit={(e) => void submit(e)}>
      <select value={to} onChange={(e) => setTo(e.target.value)} aria-label={`Move ${name} to`}>
        <option value="">Move to…</option>
        {next.map((k) => (
          <option key={k} value={k}>
            {stageLabel(stages, k)}
          </option>
        ))}
      </select>
      <button type="submit" className="secondary small" disabled={!to || busy} aria-label={`Move ${name}`}>
        Move
      </button>
    </form>
  );
}

type Kind = 'leads' | 'contacts' | 'companies';
type SegmentState = {
  kinds: Record<Kind, boolean>;
  leadStatus: string[];
  leadSource: string[];
  utm: string;
  minScore: string;
  contactCompanyStatus: string[];
  contactIndustry: string;
  companyStatus: string[];
  companyIndustry: string;
};
const EMPTY_SEGMENT: SegmentState = {
  kinds: { leads: true, contacts: false, companies: false },
  leadStatus: [],
  leadSource: [],
  utm: '',
  minScore: '',
  contactCompanyStatus: [],
  contactIndustry: '',
  companyStatus: [],
  companyIndustry: '',
};

function Choices({ legend, options, chosen, onChange }: { legend: string; options: { key: string; label: string }[]; chosen: string[]; onChange: (v: string[]) => void }) {
  return (
    <fieldset className="group choices mk-choices">
      <legend>{legend}</legend>
      {options.map((o) => (
        <label key={o.key} className="check">
          <input type="checkbox" checked={chosen.includes(o.key)} onChange={(e) => onChange(e.target.checked ? [...chosen, o.key] : chosen.filter((x) => x !== o.key))} /> {o.label}
        </label>
      ))}
      <small className="muted">None ticked: any.</small>
    </fieldset>
  );
}

/** campaigns.add_targets: a segment (leads, contacts, companies with their filters) or a list picked by search; the answer shown as counts and reasons. */
function AddTargetsDialog({ campaignId, onClose, onAdded }: { campaignId: string; onClose: () => void; onAdded: () => void }) {
  const schema = useSchema();
  const leadStages = useStages('lead');
  const companyStages = useStages('company');
  const sources = schema.table('leads')?.fields.find((f) => f.name === 'source')?.values ?? [];
  const industries = Boolean(schema.table('industries'));
  const [mode, setMode] = useState<'segment' | 'list'>('segment');
  const [seg, setSeg] = useState<SegmentState>(EMPTY_SEGMENT);
  const [picked, setPicked] = useState<Array<{ target_type: string; target_id: string; label: string }>>([]);
  const [answer, setAnswer] = useState<{ result: AddTargetsResult; labels: string[] } | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const set = (patch: Partial<SegmentState>) => setSeg((s) => ({ ...s, ...patch }));

  const segmentBody = () => {
    const out: Record<string, Record<string, unknown>> = {};
    if (seg.kinds.leads) {
      const f: Record<string, unknown> = {};
      if (seg.leadStatus.length) f.status = seg.leadStatus;
      if (seg.leadSource.length) f.source = seg.leadSource;
      if (seg.utm.trim()) f.utm_campaign = seg.utm.trim();
      if (seg.minScore.trim()) f.min_score = /^\d+$/.test(seg.minScore.trim()) ? Number(seg.minScore.trim()) : seg.minScore.trim();
      out.leads = f;
    }
    if (seg.kinds.contacts) {
      const f: Record<string, unknown> = {};
      if (seg.contactCompanyStatus.length) f.company_status = seg.contactCompanyStatus;
      if (seg.contactIndustry) f.industry_id = seg.contactIndustry;
      out.contacts = f;
    }
    if (seg.kinds.companies) {
      const f: Record<string, unknown> = {};
      if (seg.companyStatus.length) f.status = seg.companyStatus;
      if (seg.companyIndustry) f.industry_id = seg.companyIndustry;
      out.companies = f;
    }
    return out;
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setProblem(null);
    let body: Record<string, unknown>;
    if (mode === 'segment') {
      const segment = segmentBody();
      if (Object.keys(segment).length === 0) {
        setProblem('Tick at least one kind of record: leads, contacts or companies.');
        return;
      }
      body = { segment };
    } else {
      if (picked.length === 0) {
        setProblem('Pick at least one record to target.');
        return;
      }
      body = { targets: picked.map(({ target_type, target_id }) => ({ target_type, target_id })) };
    }
    setBusy(true);
    try {
      const result = await api<AddTargetsResult>('POST', `/api/v1/campaigns/${enc(campaignId)}/targets`, body);
      setAnswer({ result, labels: mode === 'list' ? picked.map((x) => x.label) : [] });
      if (mode === 'list') setPicked([]);
      onAdded();
    } catch (err) {
      setProblem(`${messageOf(err)}${err instanceof ApiError && err.fields.length ? ` (${err.fields.map((f) => `${f.field.replace(/^(input|data)\./, '')} ${f.message}`).join('; ')})` : ''}`);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog title="Add targets" open onClose={onClose}>
      {answer && <TargetsAnswer answer={answer.result} labels={answer.labels} />}
      <form onSubmit={(e) => void submit(e)} noValidate aria-label="Add targets">
        <fieldset className="group mk-mode">
          <legend>Add by</legend>
          <label className="check">
            <input type="radio" name="mk-add-mode" checked={mode === 'segment'} onChange={() => setMode('segment')} /> A segment (every match)
          </label>
          <label className="check">
            <input type="radio" name="mk-add-mode" checked={mode === 'list'} onChange={() => setMode('list')} /> A list I pick
          </label>
        </fieldset>
        {mode === 'segment' ? (
          <>
            <fieldset className="group choices mk-choices">
              <legend>Target</legend>
              {(['leads', 'contacts', 'companies'] as Kind[]).map((k) => (
                <label key={k} className="check">
                  <input type="checkbox" checked={seg.kinds[k]} onChange={(e) => set({ kinds: { ...seg.kinds, [k]: e.target.checked } })} /> {humanise(k)}
                </label>
              ))}
            </fieldset>
            {seg.kinds.leads && (
              <fieldset className="group mk-kind">
                <legend>Leads matching</legend>
                <Choices legend="Lead status" options={(leadStages ?? []).map((s) => ({ key: s.key, label: s.label }))} chosen={seg.leadStatus} onChange={(v) => set({ leadStatus: v })} />
                <Choices legend="Source" options={sources.map((s) => ({ key: s, label: humanise(s) }))} chosen={seg.leadSource} onChange={(v) => set({ leadSource: v })} />
                <div className="form-grid">
                  <div className="field">
                    <label htmlFor="mk-utm">UTM campaign</label>
                    <input id="mk-utm" value={seg.utm} onChange={(e) => set({ utm: e.target.value })} />
                  </div>
                  <div className="field">
                    <label htmlFor="mk-score">Minimum score</label>
                    <input id="mk-score" inputMode="numeric" value={seg.minScore} onChange={(e) => set({ minScore: e.target.value })} />
                  </div>
                </div>
              </fieldset>
            )}
            {seg.kinds.contacts && (
              <fieldset className="group mk-kind">
                <legend>Contacts whose company matches</legend>
                <Choices legend="Company status" options={(companyStages ?? []).map((s) => ({ key: s.key, label: s.label }))} chosen={seg.contactCompanyStatus} onChange={(v) => set({ contactCompanyStatus: v })} />
                {industries && (
                  <div className="field">
                    <label htmlFor="mk-contact-industry">Company industry</label>
                    <RecordPicker table="industries" inputId="mk-contact-industry" value={seg.contactIndustry} onChange={(v) => set({ contactIndustry: v })} />
                  </div>
                )}
              </fieldset>
            )}
            {seg.kinds.companies && (
              <fieldset className="group mk-kind">
                <legend>Companies matching</legend>
                <Choices legend="Company status" options={(companyStages ?? []).map((s) => ({ key: s.key, label: s.label }))} chosen={seg.companyStatus} onChange={(v) => set({ companyStatus: v })} />
                {industries && (
                  <div className="field">
                    <label htmlFor="mk-company-industry">Industry</label>
                    <RecordPicker table="industries" inputId="mk-company-industry" value={seg.companyIndustry} onChange={(v) => set({ companyIndustry: v })} />
                  </div>
                )}
              </fieldset>
            )}
          </>
        ) : (
          <PickList picked={picked} onChange={setPicked} />
        )}
        <Alert>{problem}</Alert>
        <div className="actions">
          <button type="submit" disabled={busy}>
            {busy ? 'Adding…' : 'Add targets'}
          </button>
          <button type="button" className="secondary" onClick={onClose}>
            {answer ? 'Done' : 'Cancel'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

function TargetsAnswer({ answer, labels }: { answer: AddTargetsResult; labels: string[] }) {
  return (
    <div className="notice ok mk-answer" role="status">
      <p className="mk-nomargin">
        {answer.matched !== undefined ? `The segment matched ${formatNumber(answer.matched)}. ` : ''}
        <strong>{`Added ${formatNumber(answer.added)}`}</strong>
        {`, already targeted ${formatNumber(answer.already_targeted)}, refused ${formatNumber(answer.refused.length)}.`}
      </p>
      {answer.refused.length > 0 && (
        <ul className="mk-refused">
          {answer.refused.map((r) => (
            <li key={`${r.index}-${r.field}`}>{`${labels[r.index] ?? `Entry ${r.index + 1}`}: ${r.message}`}</li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** Records picked by typing part of a name, by kind; each picked once. */
function PickList({ picked, onChange }: { picked: Array<{ target_type: string; target_id: string; label: string }>; onChange: (v: Array<{ target_type: string; target_id: string; label: string }>) => void }) {
  const [type, setType] = useState<'lead' | 'contact' | 'company'>('lead');
  const [q, setQ] = useState('');
  const [term, setTerm] = useState('');
  const table = TARGET_TABLE[type]!;
  const found = useAsync(() => api<Page<Row>>('GET', `/api/v1/${table}${query({ q: term.trim(), limit: 20 })}`), [table, term]);
  const isPicked = (id: string) => picked.some((p) => p.target_type === type && p.target_id === id);
  const search = (e: FormEvent) => {
    e.preventDefault();
    setTerm(q);
  };
  return (
    <div className="mk-pick">
      <div className="toolbar">
        <label className="inline">
          <span>Kind</span>
          <select value={type} onChange={(e) => setType(e.target.value as 'lead' | 'contact' | 'company')}>
            <option value="lead">Leads</option>
            <option value="contact">Contacts</option>
            <option value="company">Companies</option>
          </select>
        </label>
        <input type="search" aria-label={`Find ${TYPE_WORD[type]![1]}`} placeholder={`Find ${TYPE_WORD[type]![1]}…`} value={q} onChange={(e) => setQ(e.target.value)} onKeyDown={(e) => (e.key === 'Enter' ? search(e) : undefined)} />
        <button type="button" className="secondary small" onClick={search}>
          Search
        </button>
      </div>
      <Loaded state={found} what="matches">
        {(page) =>
          page.items.length === 0 ? (
            <p className="empty">Nothing matches.</p>
          ) : (
            <fieldset className="group choices mk-choices">
              <legend>{`Matching ${TYPE_WORD[type]![1]}`}</legend>
              {page.items.map((r) => {
                const rid = str(r.id);
                const name = recordLabel(r);
                return (
                  <label key={rid} className="check">
                    <input
                      type="checkbox"
                      checked={isPicked(rid)}
                      onChange={(e) => onChange(e.target.checked ? [...picked, { target_type: type, target_id: rid, label: name }] : picked.filter((p) => !(p.target_type === type && p.target_id === rid)))}
                    />{' '}
                    {name}
                  </label>
                );
              })}
            </fieldset>
          )
        }
      </Loaded>
      {picked.length > 0 && (
        <>
          <p className="mk-nomargin">{`Picked: ${picked.length}`}</p>
          <ul className="chips" aria-label="Picked">
            {picked.map((p) => (
              <li key={`${p.target_type}:${p.target_id}`}>
                {`${p.label} (${p.target_type})`}{' '}
                <button type="button" className="plain small" aria-label={`Remove ${p.label}`} onClick={() => onChange(picked.filter((x) => x !== p))}>
                  ×
                </button>
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}

// ---------------------------------------------------------------------------
// Content

function Content({ campaignId, tick, onChanged }: { campaignId: string; tick: number; onChanged: (m: string) => void }) {
  const schema = useSchema();
  const pieces = useAsync(() => api<Page<Row>>('GET', `/api/v1/campaign_content${query({ campaign_id: campaignId, sort: 'created_at', limit: 100 })}`), [campaignId, tick]);
  const [open, setOpen] = useState<{ row?: Row } | null>(null);
  const mayCreate = schema.can('campaign_content', 'create');
  const mayUpdate = schema.can('campaign_content', 'update');
  return (
    <Section
      id="mk-content"
      title="Content"
      actions={
        mayCreate && (
          <button type="button" className="secondary" onClick={() => setOpen({})}>
            Add content
          </button>
        )
      }
    >
      <Loaded state={pieces} what="the content">
        {(page) =>
          page.items.length === 0 ? (
            <p className="empty">No content yet.</p>
          ) : (
            <div className="mk-content">
              {page.items.map((r) => {
                const href = safeHref(r.asset_url);
                const title = str(r.subject) || humanise(str(r.content_type));
                return (
                  <article key={str(r.id)} className="card mk-piece" aria-label={title}>
                    <div className="mk-piece-head">
                      <h3>{title}</h3>
                      <span>
                        <Badge tone="plain">{humanise(str(r.content_type))}</Badge> <span className="small muted">{`version ${str(r.version)}`}</span>
                      </span>
                    </div>
                    {r.body ? <p className="notes mk-body">{excerpt(str(r.body))}</p> : <p className="muted">No body.</p>}
                    {r.asset_url ? (
                      <p className="mk-nomargin small">
                        Asset:{' '}
                        {href ? (
                          <a href={href} target="_blank" rel="noopener noreferrer">
                            {str(r.asset_url)}
                          </a>
                        ) : (
                          str(r.asset_url)
                        )}
                      </p>
                    ) : null}
                    <div className="actions">
                      {mayUpdate && !r.archived_at && (
                        <button type="button" className="secondary small" onClick={() => setOpen({ row: r })} aria-label={`Edit ${title}`}>
                          Edit
                        </button>
                      )}
                      <Link to={`/campaign_content/${enc(str(r.id))}`}>Open</Link>
                    </div>
                    <Versions key={str(r.version)} contentId={str(r.id)} />
                  </article>
                );
              })}
            </div>
          )
        }
      </Loaded>
      <Dialog title={open?.row ? 'Edit content' : 'Add content'} open={open !== null} onClose={() => setOpen(null)}>
        {open && (
          <RecordForm
            table="campaign_content"
            {...(open.row ? { record: open.row } : { fixed: { campaign_id: campaignId } })}
            submitLabel={open.row ? 'Save content' : 'Add content'}
            onSaved={(r) => {
              setOpen(null);
              onChanged(open.row ? `The content is saved as version ${str(r.version)}.` : 'The content is added.');
            }}
            onCancel={() => setOpen(null)}
          />
        )}
      </Dialog>
    </Section>
  );
}

/** Every saved version of a piece of content, loaded when opened. */
function Versions({ contentId }: { contentId: string }) {
  const [open, setOpen] = useState(false);
  return (
    <details className="mk-versions" onToggle={(e) => setOpen((e.target as HTMLDetailsElement).open)}>
      <summary>Versions</summary>
      {open && <VersionList contentId={contentId} />}
    </details>
  );
}

function VersionList({ contentId }: { contentId: string }) {
  const state = useAsync(() => api<Page<Row>>('GET', `/api/v1/campaign_content_versions${query({ content_id: contentId, sort: '-content_version', limit: 200 })}`), [contentId]);
  return (
    <Loaded state={state} what="the versions">
      {(page) =>
        page.items.length === 0 ? (
          <p className="empty">No version saved.</p>
        ) : (
          <ol className="mk-version-list" aria-label="Versions">
            {page.items.map((v) => (
              <li key={str(v.id)}>
                <p className="mk-nomargin">
                  <strong>{`Version ${str(v.content_version)}`}</strong> <span className="muted small">{formatDateTime(str(v.created_at))}</span>
                </p>
                {v.subject ? <p className="mk-nomargin">{`Subject: ${str(v.subject)}`}</p> : null}
                {v.body ? <p className="notes mk-body">{str(v.body)}</p> : null}
                {v.asset_url ? <p className="mk-nomargin small">{`Asset: ${str(v.asset_url)}`}</p> : null}
              </li>
            ))}
          </ol>
        )
      }
    </Loaded>
  );
}

// ---------------------------------------------------------------------------
// Outreach drafts

function Drafts({ campaignId, p, tick }: { campaignId: string; p: Performance; tick: number }) {
  const state = useAsync(() => api<Page<Row>>('GET', `/api/v1/outreach_drafts${query({ campaign_id: campaignId, sort: '-created_at', limit: 50 })}`), [campaignId, tick]);
  return (
    <Section id="mk-drafts" title="Outreach drafts">
      {p.outreach_drafts.total > 0 && (
        <p className="mk-nomargin">
          {Object.entries(p.outreach_drafts.by_status)
            .map(([k, n]) => `${humanise(k)} ${formatNumber(n)}`)
            .join(' · ')}
        </p>
      )}
      <DraftList state={state} linkAll={`/outreach_drafts${query({ campaign_id: campaignId })}`} />
    </Section>
  );
}

/** Outreach drafts: status, contact and subject, each linked. */
export function DraftList({ state, linkAll }: { state: Async<Page<Row>>; linkAll: string }) {
  const label = useLabels((state.data?.items ?? []).map((d) => ['contacts', str(d.contact_id)] as [string, string]));
  return (
    <Loaded state={state} what="the drafts">
      {(page) =>
        page.items.length === 0 ? (
          <p className="empty">No outreach draft yet.</p>
        ) : (
          <div className="table-wrap">
            <table aria-label="Outreach drafts">
              <thead>
                <tr>
                  <th scope="col">Draft</th>
                  <th scope="col">Status</th>
                  <th scope="col">Contact</th>
                  <th scope="col" className="hide-narrow">Type</th>
                </tr>
              </thead>
              <tbody>
                {page.items.map((d) => (
                  <tr key={str(d.id)}>
                    <td>
                      <Link to={`/outreach_drafts/${enc(str(d.id))}`}>{str(d.subject) || `${humanise(str(d.draft_type))} draft`}</Link>
                    </td>
                    <td>
                      <Badge {...(d.status === 'sent' ? { tone: 'good' as const } : d.status === 'discarded' ? { tone: 'plain' as const } : d.status === 'approved' ? { tone: 'warn' as const } : {})}>{humanise(str(d.status))}</Badge>
                    </td>
                    <td>
                      <Link to={`/contacts/${enc(str(d.contact_id))}`}>{label('contacts', str(d.contact_id)) ?? 'Contact'}</Link>
                    </td>
                    <td className="hide-narrow">{humanise(str(d.draft_type))}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            {page.next_cursor && (
              <p className="muted">
                Showing the latest {page.items.length}. <Link to={linkAll}>See all</Link>
              </p>
            )}
          </div>
        )
      }
    </Loaded>
  );
}
