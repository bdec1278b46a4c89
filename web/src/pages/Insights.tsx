/**
 * The insights dashboard at /insights (issue 10): one tab per insight (funnel, acquisition,
 * sales, delivery, money, calibration), each read from GET /api/v1/insights/<name> with the
 * period and the segment pickers. The tab and every picker live in the URL query
 * (`?tab=sales&from=2026-01-01&to=2026-03-31&owner_id=…`), so a view can be shared and
 * reloaded; with no dates the server's default period (the 90 days ending today) applies and
 * the pickers show the period it answered for.
 *
 * Every figure is the server's: counts are formatted, decimal strings (hours, days, rates,
 * ratios, money) are shown as they came, money always with its currency and never added
 * across currencies, a null rate as "—". Numbers are turned into JS numbers only to place
 * ink in the charts. A refusal (a bad range, an insight not available yet) is shown beside
 * the pickers.
 */
import { useEffect, useId, useState, type FormEvent, type ReactNode } from 'react';
import type {
  AcquisitionInput,
  AcquisitionInsight,
  CalibrationInsight,
  DeliveryInsight,
  FunnelInput,
  FunnelInsight,
  Money,
  MoneyInsight,
  Period,
  SalesInput,
  SalesInsight,
} from '../../../src/core/insights/types.ts';
import { api, ApiError, listAll, messageOf, query } from '../api.ts';
import { Link } from '../Link.tsx';
import { setQuery, useQuery } from '../router.ts';
import { humanise, useSchema } from '../schema.tsx';
import { BarChart, ColumnChart, LineChart, PALETTE, type BarDatum, type ColumnSeries, type LineSeries } from '../ui/charts.tsx';
import { Alert, Badge, formatDate, formatMoney, formatNumber, Kpi, Loading, TabList, Section, useAsync } from '../ui/ui.tsx';
import './engagement.css';
import './insights.css';

const TABS = [
  ['funnel', 'Funnel'],
  ['acquisition', 'Acquisition'],
  ['sales', 'Sales'],
  ['delivery', 'Delivery'],
  ['money', 'Money'],
  ['calibration', 'Calibration'],
] as const;
type Tab = (typeof TABS)[number][0];
type Results = { funnel: FunnelInsight; acquisition: AcquisitionInsight; sales: SalesInsight; delivery: DeliveryInsight; money: MoneyInsight; calibration: CalibrationInsight };

/** The inputs of the insights that take more than the period. */
type SegmentInputs = { funnel: FunnelInput; acquisition: AcquisitionInput; sales: SalesInput; delivery: object; money: object; calibration: object };
/** The query parameters each insight takes besides the period (the rest would be refused as unknown); checked against core's inputs. */
const SEGMENT_KEYS: Record<Tab, readonly string[]> = {
  funnel: ['pipeline', 'source', 'industry', 'owner_id'],
  acquisition: ['interval', 'source', 'utm_campaign', 'owner_id'],
  sales: ['source', 'industry', 'owner_id'],
  delivery: [],
  money: [],
  calibration: [],
} satisfies { [K in Tab]: readonly Exclude<keyof SegmentInputs[K] & string, 'from' | 'to'>[] };
const PIPELINES: FunnelInsight['pipeline'][] = ['company', 'deal', 'lead'];
const INTERVALS: AcquisitionInsight['interval'][] = ['week', 'day'];
/** Colours for one series per source; the report palette has four, sources run to ten. */
const SERIES_COLORS = [PALETTE.hours, PALETTE.value, PALETTE.cost, PALETTE.tokens, '#0e7490', '#a16207', '#be185d', '#4d7c0f', '#1e3a8a', PALETTE.axis];

const enc = encodeURIComponent;
const isTab = (s: string | null): s is Tab => TABS.some(([k]) => k === s);
const plural = (n: number, one: string, many = `${one}s`) => `${formatNumber(n)} ${n === 1 ? one : many}`;
const pct = (v: string | null) => (v === null ? '—' : `${v}%`);
const dec = (v: string | null, unit = '') => (v === null ? '—' : `${v}${unit}`);
const ratio = (v: string | null) => (v === null ? '—' : `× ${v}`);
const money = (m: Money | null) => (m ? formatMoney(m.amount, m.currency) : '—');
const moneyList = (list: Money[]) => (list.length ? list.map(money).join(' · ') : '—');
/** A decimal string as a number, only to size a bar or place a point. */
const ink = (v: string | null): number | null => (v === null ? null : Number(v));

// ---------------------------------------------------------------------------
// The page

export function InsightsPage() {
  const q = useQuery();
  const tab: Tab = isTab(q.get('tab')) ? (q.get('tab') as Tab) : 'funnel';
  const params: Record<string, string> = {};
  for (const k of ['from', 'to', ...SEGMENT_KEYS[tab]]) {
    const v = q.get(k);
    if (v) params[k] = v;
  }
  const key = `${tab}${query(params)}`;
  const state = useAsync(() => load(tab, params, key), [key]);
  const current = state.data?.key === key && !state.loading ? state.data : undefined;

  /** Keeps the other pickers; an empty value drops the parameter (the server's default applies). */
  const set = (changes: Record<string, string | undefined>) => setQuery({ tab: tab === 'funnel' ? undefined : tab, ...params, ...changes });

  return (
    <section className="ins">
      <div className="page-head">
        <h1>Insights</h1>
      </div>
      <Tabs current={tab} params={params} />
      <div role="tabpanel" id={`ins-panel-${tab}`} aria-labelledby={`ins-tab-${tab}`} aria-busy={state.loading}>
        <div className="ins-pickers">
          <RangePicker params={params} period={current?.result.period} set={set} />
          <SegmentPickers tab={tab} params={params} set={set} />
        </div>
        {state.error ? (
          <Alert>{state.error}</Alert>
        ) : !current ? (
          <Loading what={`the ${tab} figures`} />
        ) : (
          <TabView tab={tab} result={current.result} />
        )}
      </div>
    </section>
  );
}

type LoadedInsight = { key: string; result: Results[Tab] };

/** The insight for the query; a refusal's field errors join its message, so "to: must not be before from" shows as said. */
async function load(tab: Tab, params: Record<string, string>, key: string): Promise<LoadedInsight> {
  try {
    const result = await api<Results[Tab]>('GET', `/api/v1/insights/${tab}${query(params)}`);
    return { key, result };
  } catch (e) {
    if (e instanceof ApiError && e.fields.length && !e.fields.every((f) => e.message.includes(f.message))) {
      throw new Error(`${e.message} (${e.fields.map((f) => `${f.field}: ${f.message}`).join('; ')})`);
    }
    throw new Error(messageOf(e));
  }
}

function TabView({ tab, result }: { tab: Tab; result: Results[Tab] }) {
  switch (tab) {
    case 'funnel':
      return <FunnelView r={result as FunnelInsight} />;
    case 'acquisition':
      return <AcquisitionView r={result as AcquisitionInsight} />;
    case 'sales':
      return <SalesView r={result as SalesInsight} />;
    case 'delivery':
      return <DeliveryView r={result as DeliveryInsight} />;
    case 'money':
      return <MoneyView r={result as MoneyInsight} />;
    case 'calibration':
      return <CalibrationView r={result as CalibrationInsight} />;
  }
}

function Tabs({ current, params }: { current: Tab; params: Record<string, string> }) {
  // The period carries over to the next tab; a segment only where it means the same (owner).
  const select = (k: Tab) =>
    setQuery({ tab: k === 'funnel' ? undefined : k, from: params.from, to: params.to, owner_id: SEGMENT_KEYS[k].includes('owner_id') ? params.owner_id : undefined });
  return <TabList tabs={TABS} current={current} onSelect={select} idPrefix="ins" label="Insights" />;
}

// ---------------------------------------------------------------------------
// Pickers

const pad = (n: number) => String(n).padStart(2, '0');
const iso = (y: number, m: number, d: number) => {
  const date = new Date(y, m, d);
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
};

/** The quick ranges, in the reader's calendar: "this" ranges run to today, "last" ones are whole. */
export function quickRanges(now = new Date()): { key: string; label: string; from: string; to: string }[] {
  const y = now.getFullYear();
  const m = now.getMonth();
  const d = now.getDate();
  const q = Math.floor(m / 3) * 3;
  const end = iso(y, m, d);
  return [
    { key: '30d', label: 'Last 30 days', from: iso(y, m, d - 29), to: end },
    { key: '90d', label: 'Last 90 days', from: iso(y, m, d - 89), to: end },
    { key: 'quarter', label: 'This quarter', from: iso(y, q, 1), to: end },
    { key: 'last-quarter', label: 'Last quarter', from: iso(y, q - 3, 1), to: iso(y, q, 0) },
    { key: 'year', label: 'This year', from: iso(y, 0, 1), to: end },
    { key: '12m', label: 'Last 12 months', from: iso(y, m - 11, 1), to: end },
  ];
}

function RangePicker({ params, period, set }: { params: Record<string, string>; period: Period | undefined; set: (c: Record<string, string | undefined>) => void }) {
  // With no dates in the URL the inputs show the period the server chose.
  const from = params.from ?? (params.to ? '' : (period?.from ?? ''));
  const to = params.to ?? (params.from ? '' : (period?.to ?? ''));
  const ranges = quickRanges();
  return (
    <fieldset className="ins-range">
      <legend className="visually-hidden">Period</legend>
      <Field label="From">{(id) => <input id={id} type="date" value={from} onChange={(e) => set({ from: e.target.value || undefined, to: params.to ?? (to || undefined) })} />}</Field>
      <Field label="To">{(id) => <input id={id} type="date" value={to} onChange={(e) => set({ to: e.target.value || undefined, from: params.from ?? (from || undefined) })} />}</Field>
      <div className="ins-quick" role="group" aria-label="Quick ranges">
        {ranges.map((r) => (
          <button key={r.key} type="button" className="secondary" aria-pressed={from === r.from && to === r.to} onClick={() => set({ from: r.from, to: r.to })}>
            {r.label}
          </button>
        ))}
      </div>
      {period && <p className="small muted ins-period">{`${formatDate(period.from)} to ${formatDate(period.to)} · ${plural(period.days, 'day')}`}</p>}
    </fieldset>
  );
}

type User = { id: string; name: string | null; email: string };

function SegmentPickers({ tab, params, set }: { tab: Tab; params: Record<string, string>; set: (c: Record<string, string | undefined>) => void }) {
  const schema = useSchema();
  const keys = SEGMENT_KEYS[tab];
  const users = useAsync(() => (keys.includes('owner_id') ? listAll<User>('users', {}).catch(() => [] as User[]) : Promise.resolve([] as User[])), [keys.includes('owner_id')]);
  if (keys.length === 0) return null;
  const values = (table: string, field: string) => schema.table(table)?.fields.find((f) => f.name === field)?.values ?? [];
  const sources = tab === 'acquisition' ? values('leads', 'source') : values('companies', 'source');
  const owners = [...(users.data ?? [])].sort((a, b) => (a.name ?? a.email).localeCompare(b.name ?? b.email));
  return (
    <fieldset className="ins-segments">
      <legend className="visually-hidden">Segment</legend>
      {keys.includes('pipeline') && (
        <Choice label="Pipeline" value={params.pipeline ?? 'company'} onChange={(v) => set({ pipeline: v === 'company' ? undefined : v })} options={PIPELINES.map((p) => [p, humanise(p)])} />
      )}
      {keys.includes('interval') && (
        <Choice label="Interval" value={params.interval ?? 'week'} onChange={(v) => set({ interval: v === 'week' ? undefined : v })} options={INTERVALS.map((i) => [i, i === 'day' ? 'Per day' : 'Per week'])} />
      )}
      {keys.includes('source') && <Choice label="Source" value={params.source ?? ''} onChange={(v) => set({ source: v || undefined })} options={[['', 'Any source'], ...sources.map((s): [string, string] => [s, humanise(s)])]} />}
      {keys.includes('industry') && <TextPicker label="Industry" value={params.industry ?? ''} onCommit={(v) => set({ industry: v || undefined })} />}
      {keys.includes('utm_campaign') && <TextPicker label="UTM campaign" value={params.utm_campaign ?? ''} onCommit={(v) => set({ utm_campaign: v || undefined })} />}
      {keys.includes('owner_id') && (
        <Choice
          label="Owner"
          value={params.owner_id ?? ''}
          onChange={(v) => set({ owner_id: v || undefined })}
          options={[['', 'Anyone'], ...owners.map((u): [string, string] => [u.id, u.name ?? u.email]), ...(params.owner_id && !owners.some((u) => u.id === params.owner_id) ? [[params.owner_id, 'The owner in the link'] as [string, string]] : [])]}
        />
      )}
    </fieldset>
  );
}

function Choice({ label, value, options, onChange }: { label: string; value: string; options: [string, string][]; onChange: (v: string) => void }) {
  return (
    <Field label={label}>
      {(id) => (
        <select id={id} value={value} onChange={(e) => onChange(e.target.value)}>
          {options.map(([v, l]) => (
            <option key={v} value={v}>
              {l}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}

/** A label above its control (beside it, not around it, so the control's name is the label alone). */
function Field({ label, children }: { label: string; children: (id: string) => ReactNode }) {
  const id = useId();
  return (
    <div className="ins-field">
      <label htmlFor={id}>{label}</label>
      {children(id)}
    </div>
  );
}

/** Free text applied when the reader presses Enter or leaves the field, not on every key. */
function TextPicker({ label, value, onCommit }: { label: string; value: string; onCommit: (v: string) => void }) {
  const [draft, setDraft] = useState(value);
  useEffect(() => setDraft(value), [value]);
  const commit = () => {
    if (draft.trim() !== value) onCommit(draft.trim());
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    commit();
  };
  return (
    <form className="ins-text" onSubmit={submit} role="search" aria-label={label}>
      <Field label={label}>{(id) => <input id={id} type="search" value={draft} placeholder="Any" onChange={(e) => setDraft(e.target.value)} onBlur={commit} />}</Field>
    </form>
  );
}

// ---------------------------------------------------------------------------
// Shared pieces

/** A plain table that scrolls sideways on a narrow screen. */
function Table({ caption, head, rows, numeric = [] }: { caption: string; head: string[]; rows: ReactNode[][]; numeric?: number[] }) {
  return (
    <div className="table-wrap ins-table">
      <table>
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            {head.map((h, i) => (
              <th key={i} scope="col" className={numeric.includes(i) ? 'num' : undefined}>
                {h}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((r, i) => (
            <tr key={i}>
              {r.map((c, j) => (
                <td key={j} className={numeric.includes(j) ? 'num' : undefined}>
                  {c}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Charts over many days or weeks get room for every label and scroll sideways instead of overlapping. */
function Wide({ count, children }: { count: number; children: ReactNode }) {
  if (count <= 6) return <>{children}</>;
  return (
    <div className="ins-wide">
      <div style={{ minWidth: `${count * 4.6}rem` }}>{children}</div>
    </div>
  );
}

const companyLink = (id: string | null, name: string | null) => (id ? <Link to={`/companies/${enc(id)}`}>{name ?? 'Company'}</Link> : (name ?? '—'));
const engagementLink = (id: string | null, name: string | null) => (id ? <Link to={`/engagements/${enc(id)}`}>{name ?? 'Engagement'}</Link> : '—');

// ---------------------------------------------------------------------------
// Funnel

function FunnelView({ r }: { r: FunnelInsight }) {
  const label = `${humanise(r.pipeline)} pipeline`;
  const bars: BarDatum[] = r.stages.map((s) => ({ label: s.label, value: s.entered, display: formatNumber(s.entered), ...(s.on_path ? {} : { color: PALETTE.axis }) }));
  return (
    <>
      <div className="cards">
        <Kpi label="Records" value={formatNumber(r.records)} hint={`${label}: entered any stage in the period`} />
        <Kpi label="Overall conversion" value={pct(r.overall_conversion)} hint="Reached the last stage ÷ entered the first" />
      </div>
      <Section id="ins-funnel-stages" title={`Stages of the ${label.toLowerCase()}`} note="Conversion: of the records that entered a stage in the period, the share that went on to a later stage of the main path. Days: stays that began in the period and have ended. Grey bars are off the main path.">
        {r.records === 0 ? <p className="empty">No record entered a stage in this period.</p> : <BarChart title="Entered per stage" data={bars} valueLabel="Entered" table={false} />}
        <Table
          caption="Funnel stages"
          head={['Stage', 'Entered', 'Advanced', 'Conversion', 'Stays', 'Average days', 'Median days', 'Now']}
          numeric={[1, 2, 3, 4, 5, 6, 7]}
          rows={r.stages.map((s) => [
            <>
              {s.label} {!s.on_path && <Badge tone="plain">off path</Badge>}
            </>,
            formatNumber(s.entered),
            s.advanced === null ? '—' : formatNumber(s.advanced),
            pct(s.conversion),
            formatNumber(s.stays),
            dec(s.avg_days),
            dec(s.median_days),
            formatNumber(s.current),
          ])}
        />
      </Section>
    </>
  );
}

// ---------------------------------------------------------------------------
// Acquisition

function AcquisitionView({ r }: { r: AcquisitionInsight }) {
  const sources = r.by_source.map((s) => s.source);
  const series: ColumnSeries[] = sources.map((s, i) => ({
    name: humanise(s),
    color: SERIES_COLORS[i % SERIES_COLORS.length]!,
    values: r.series.map((p) => p.by_source[s] ?? 0),
    displays: r.series.map((p) => formatNumber(p.by_source[s] ?? 0)),
  }));
  const per = r.interval === 'day' ? 'day' : 'week';
  return (
    <>
      <div className="cards">
        <Kpi label="Leads" value={formatNumber(r.total)} hint="Created in the period" />
        <Kpi label="Converted" value={formatNumber(r.conversion.converted)} hint={`${pct(r.conversion.lead_to_converted)} of the leads`} />
        <Kpi label="Customers" value={formatNumber(r.conversion.customers)} hint={`${pct(r.conversion.lead_to_customer)} of the leads`} />
        <Kpi label="Average score" value={dec(r.scores.average)} />
        <Kpi label="Quiz completion" value={pct(r.quiz.completion)} hint={`${plural(r.quiz.started, 'started', 'started')}: ${formatNumber(r.quiz.completed)} completed, ${formatNumber(r.quiz.abandoned)} abandoned, ${formatNumber(r.quiz.in_progress)} in progress`} />
        <Kpi label="Survey completion" value={pct(r.surveys.completion)} hint={`${plural(r.surveys.sent, 'sent', 'sent')}, ${formatNumber(r.surveys.completed)} completed`} />
      </div>
      <Section id="ins-acq-series" title={`Leads per ${per}`} note={r.interval === 'week' ? 'Weeks start on Monday; the first and last may be partial.' : undefined}>
        {r.total === 0 ? (
          <p className="empty">No leads in this period.</p>
        ) : (
          <Wide count={r.series.length}>
            <ColumnChart title={`Leads per ${per} by source`} categories={r.series.map((p) => p.start)} series={series} />
          </Wide>
        )}
      </Section>
      {r.total > 0 && (
        <>
          <Section id="ins-acq-sources" title="By source">
            <Table caption="Leads by source" head={['Source', 'Leads', 'Converted', 'Conversion']} numeric={[1, 2, 3]} rows={r.by_source.map((s) => [humanise(s.source), formatNumber(s.leads), formatNumber(s.converted), pct(s.conversion)])} />
          </Section>
          <Section id="ins-acq-scores" title="Lead scores">
            <BarChart title="Leads per score band" valueLabel="Leads" data={r.scores.bands.map((b) => ({ label: `${b.from}–${b.to}`, value: b.leads, display: formatNumber(b.leads) }))} color={PALETTE.tokens} />
          </Section>
          <Section id="ins-acq-campaigns" title="Campaigns" note="Spend is what the campaign of the same name recorded in the period; cost per lead is spend ÷ leads, per currency.">
            <Table
              caption="Leads by UTM campaign"
              head={['UTM campaign', 'Leads', 'Converted', 'Spend', 'Cost per lead']}
              numeric={[1, 2, 3, 4]}
              rows={r.by_campaign.map((c) => [
                c.utm_campaign === null ? <span className="muted">No campaign</span> : c.campaign_id ? <Link to={`/campaigns/${enc(c.campaign_id)}`}>{c.utm_campaign}</Link> : c.utm_campaign,
                formatNumber(c.leads),
                formatNumber(c.converted),
                moneyList(c.spend),
                moneyList(c.cost_per_lead),
              ])}
            />
          </Section>
        </>
      )}
    </>
  );
}

// ---------------------------------------------------------------------------
// Sales

function SalesView({ r }: { r: SalesInsight }) {
  const currencies = [...new Set(r.weighted_pipeline.map((p) => p.currency))];
  return (
    <>
      <div className="cards">
        <Kpi label="Won" value={formatNumber(r.closed.won)} hint="Deals closed won in the period" />
        <Kpi label="Lost" value={formatNumber(r.closed.lost)} hint="Deals closed lost in the period" />
        <Kpi label="Win rate" value={pct(r.closed.win_rate)} hint="Won ÷ (won + lost)" />
        <Kpi label="Won value" value={moneyList(r.closed.won_value)} />
        <Kpi label="Sales cycle" value={dec(r.cycle.avg_days, ' days')} hint={`Mean from created to won; median ${dec(r.cycle.median_days, ' days')} over ${plural(r.cycle.deals, 'deal')}`} />
      </div>
      <Section id="ins-sales-pipeline" title="Weighted pipeline by expected close" note="Open deals, whatever the period: value and value × probability, by the month they are expected to close.">
        {currencies.length === 0 ? (
          <p className="empty">No open deal.</p>
        ) : (
          currencies.map((cur) => {
            const rows = r.weighted_pipeline.filter((p) => p.currency === cur);
            return (
              <div key={cur} className="ins-currency">
                <Wide count={rows.length}>
                  <ColumnChart
                    title={`Open deals by close month (${cur})`}
                    categories={rows.map((p) => p.month ?? 'No date')}
                    table={false}
                    series={[
                      { name: 'Value', color: PALETTE.axis, values: rows.map((p) => ink(p.value)), displays: rows.map((p) => formatMoney(p.value, cur)) },
                      { name: 'Weighted', color: PALETTE.value, values: rows.map((p) => ink(p.weighted)), displays: rows.map((p) => formatMoney(p.weighted, cur)) },
                    ]}
                  />
                </Wide>
                <Table
                  caption={`Weighted pipeline by close month (${cur})`}
                  head={['Close month', 'Deals', 'Value', 'Weighted']}
                  numeric={[1, 2, 3]}
                  rows={rows.map((p) => [p.month ?? <span className="muted">No date</span>, formatNumber(p.deals), formatMoney(p.value, cur), formatMoney(p.weighted, cur)])}
                />
              </div>
            );
          })
        )}
      </Section>
      <Section id="ins-sales-lost" title="Why deals and companies were lost">
        {r.lost_reasons.length === 0 ? (
          <p className="empty">Nothing was lost in this period.</p>
        ) : (
          <>
            <BarChart title="Lost, by reason" valueLabel="Lost" table={false} color={PALETTE.cost} data={r.lost_reasons.map((l) => ({ label: l.reason ?? 'No reason given', value: l.total, display: formatNumber(l.total) }))} />
            <Table caption="Lost reasons" head={['Reason', 'Deals', 'Companies', 'Total']} numeric={[1, 2, 3]} rows={r.lost_reasons.map((l) => [l.reason ?? <span className="muted">No reason given</span>, formatNumber(l.deals), formatNumber(l.companies), formatNumber(l.total)])} />
          </>
        )}
      </Section>
      <Section id="ins-sales-owners" title="By owner">
        {r.by_owner.length === 0 ? (
          <p className="empty">No deal closed in this period.</p>
        ) : (
          <Table caption="Closed deals by owner" head={['Owner', 'Won', 'Lost', 'Win rate']} numeric={[1, 2, 3]} rows={r.by_owner.map((o) => [o.owner_id ? (o.name ?? 'Someone') : <span className="muted">Nobody</span>, formatNumber(o.won), formatNumber(o.lost), pct(o.win_rate)])} />
        )}
      </Section>
    </>
  );
}

// ---------------------------------------------------------------------------
// Delivery

function DeliveryView({ r }: { r: DeliveryInsight }) {
  const c = r.capacity;
  const t = r.tickets;
  const lines: LineSeries[] = [
    { name: 'Logged hours', color: PALETTE.hours, points: r.utilisation.map((u) => ({ x: u.week, y: ink(u.logged_hours), display: `${u.logged_hours} h` })) },
    { name: 'Capacity hours', color: PALETTE.axis, points: r.utilisation.map((u) => ({ x: u.week, y: ink(u.capacity_hours), display: `${u.capacity_hours} h` })) },
  ];
  return (
    <>
      <div className="cards">
        <Kpi label="Team capacity" value={`${c.total_hours_per_week} h/week`} hint={`${plural(c.members.length, 'member')}, as the capacity stands today`} />
        <Kpi label="Allocated" value={`${c.allocated_hours_per_week} h/week`} />
        <Kpi label="Tickets opened" value={formatNumber(t.opened)} />
        <Kpi label="Tickets resolved" value={formatNumber(t.resolved)} />
        <Kpi label="Open now" value={formatNumber(t.open_now)} hint="Open or in progress, whatever the period" />
        <Kpi label="Time to resolve" value={dec(t.avg_hours_to_resolve, ' h')} hint={`Mean of the tickets resolved in the period; median ${dec(t.median_hours_to_resolve, ' h')}`} />
      </div>
      <Section id="ins-del-util" title="Utilisation per week" note="Hours logged by team members against their capacity for the days of the week in the period (weeks start on Monday).">
        {c.members.length === 0 ? (
          <p className="empty">No capacity is recorded for the team.</p>
        ) : (
          <>
            <Wide count={r.utilisation.length}>
              <LineChart title="Hours logged and capacity per week" series={lines} table={false} />
            </Wide>
            <Table
              caption="Utilisation per week"
              head={['Week', 'Days', 'Logged hours', 'Capacity hours', 'Utilisation']}
              numeric={[1, 2, 3, 4]}
              rows={r.utilisation.map((u) => [u.week, formatNumber(u.days), u.logged_hours, u.capacity_hours, pct(u.utilisation)])}
            />
          </>
        )}
      </Section>
      {c.members.length > 0 && (
        <Section id="ins-del-members" title="Members">
          <Table
            caption="Members over the period"
            head={['Member', 'Hours per week', 'Allocated per week', 'Logged hours', 'Capacity hours', 'Utilisation']}
            numeric={[1, 2, 3, 4, 5]}
            rows={r.by_member.map((m) => {
              const cap = c.members.find((x) => x.capacity_id === m.capacity_id);
              return [m.team_member, cap?.total_hours_per_week ?? '—', cap?.allocated_hours_per_week ?? '—', m.logged_hours, m.capacity_hours, pct(m.utilisation)];
            })}
          />
        </Section>
      )}
      <Section id="ins-del-eng" title="Estimated and logged hours per engagement" note={`Hours logged to date against the estimate; the largest overrun first.${r.engagements_truncated ? ' Only the first 200 are shown.' : ''}`}>
        {r.engagements.length === 0 ? (
          <p className="empty">No engagement with an estimate or logged work in this period.</p>
        ) : (
          <>
            <BarChart title="Logged hours per engagement" valueLabel="Logged hours" table={false} data={r.engagements.slice(0, 20).map((e) => ({ label: e.name ?? e.company_name ?? 'Engagement', value: ink(e.logged_hours), display: `${e.logged_hours} h` }))} />
            <Table
              caption="Engagements: estimated and logged hours"
              head={['Engagement', 'Company', 'Status', 'Estimated hours', 'Logged hours', 'Variance hours', 'Variance']}
              numeric={[3, 4, 5, 6]}
              rows={r.engagements.map((e) => [engagementLink(e.engagement_id, e.name), companyLink(e.company_id, e.company_name), humanise(e.status), dec(e.estimated_hours), e.logged_hours, dec(e.variance_hours), pct(e.variance)])}
            />
          </>
        )}
      </Section>
      <Section id="ins-del-tickets" title="Support tickets per week">
        {t.opened === 0 && t.resolved === 0 ? (
          <p className="empty">No ticket opened or resolved in this period.</p>
        ) : (
          <>
            <Wide count={t.series.length}>
              <ColumnChart
                title="Tickets opened and resolved per week"
                categories={t.series.map((s) => s.week)}
                series={[
                  { name: 'Opened', color: PALETTE.cost, values: t.series.map((s) => s.opened), displays: t.series.map((s) => formatNumber(s.opened)) },
                  { name: 'Resolved', color: PALETTE.value, values: t.series.map((s) => s.resolved), displays: t.series.map((s) => formatNumber(s.resolved)) },
                ]}
              />
            </Wide>
            <Table caption="Tickets by priority" head={['Priority', 'Opened', 'Resolved', 'Median hours to resolve']} numeric={[1, 2, 3]} rows={t.by_priority.map((p) => [humanise(p.priority), formatNumber(p.opened), formatNumber(p.resolved), dec(p.median_hours_to_resolve)])} />
          </>
        )}
      </Section>
    </>
  );
}

// ---------------------------------------------------------------------------
// Money

function MoneyView({ r }: { r: MoneyInsight }) {
  const currencies = [...new Set(r.revenue.map((v) => v.currency))];
  const p = r.portfolio;
  return (
    <>
      <div className="cards">
        {currencies.map((cur) => {
          const last = r.revenue.filter((v) => v.currency === cur).at(-1);
          return last ? <Kpi key={`mrr-${cur}`} label={`Monthly recurring (${cur})`} value={formatMoney(last.monthly_recurring, cur)} hint={`${last.month}: ${plural(last.live_engagements, 'live engagement')}`} /> : null;
        })}
        <Kpi label="Overdue invoices" value={formatNumber(r.overdue.invoices)} hint="Sent and past due today" />
        {r.overdue.by_currency.map((o) => (
          <Kpi key={`over-${o.currency}`} label={`Overdue (${o.currency})`} value={<span className="ins-bad">{formatMoney(o.amount, o.currency)}</span>} hint={plural(o.count, 'invoice')} />
        ))}
        {p.totals.map((t) => (
          <Kpi key={`roi-${t.currency}`} label={`Portfolio ROI (${t.currency})`} value={pct(t.roi)} hint={`${p.month}: ${formatMoney(t.value, t.currency)} saved for ${formatMoney(t.cost, t.currency)}, ${t.hours_saved} h over ${plural(t.engagements, 'engagement')}`} />
        ))}
      </div>
      <Section id="ins-money-revenue" title="Revenue per month" note="Recurring: monthly fees of the engagements live in the month. Invoiced: issued in the month (not draft or cancelled). Paid: paid in the month.">
        {currencies.length === 0 ? (
          <p className="empty">No recurring revenue or invoice in this period.</p>
        ) : (
          currencies.map((cur) => {
            const rows = r.revenue.filter((v) => v.currency === cur);
            const fmt = (v: string) => formatMoney(v, cur);
            return (
              <div key={cur} className="ins-currency">
                <h3>{cur}</h3>
                <div className="ins-pair">
                  <Wide count={rows.length}>
                    <LineChart title={`Monthly recurring revenue (${cur})`} series={[{ name: 'Recurring', color: PALETTE.value, points: rows.map((v) => ({ x: v.month, y: ink(v.monthly_recurring), display: fmt(v.monthly_recurring) })) }]} />
                  </Wide>
                  <Wide count={rows.length}>
                    <ColumnChart
                      title={`Invoiced and paid per month (${cur})`}
                      categories={rows.map((v) => v.month)}
                      series={[
                        { name: 'Invoiced', color: PALETTE.hours, values: rows.map((v) => ink(v.invoiced)), displays: rows.map((v) => fmt(v.invoiced)) },
                        { name: 'Paid', color: PALETTE.value, values: rows.map((v) => ink(v.paid)), displays: rows.map((v) => fmt(v.paid)) },
                      ]}
                    />
                  </Wide>
                </div>
              </div>
            );
          })
        )}
      </Section>
      <Section id="ins-money-overdue" title="Overdue by age">
        {r.overdue.by_age.length === 0 ? (
          <p className="empty">No invoice is overdue.</p>
        ) : (
          <BarChart title="Overdue by days past due" valueLabel="Amount" color={PALETTE.cost} data={r.overdue.by_age.map((a) => ({ label: `${a.band} days (${a.currency})`, value: ink(a.amount), display: `${formatMoney(a.amount, a.currency)} · ${plural(a.count, 'invoice')}` }))} />
        )}
      </Section>
      <Section id="ins-money-portfolio" title={`Return per engagement, ${p.month}`} note="The portfolio report's figures: hours saved in the month, their value, what the month cost and the return on it.">
        {p.engagements.length === 0 ? (
          <p className="empty">No engagement to measure in {p.month}.</p>
        ) : (
          <Table
            caption="Portfolio return per engagement"
            head={['Engagement', 'Company', 'Hours saved', 'Value', 'Cost', 'ROI']}
            numeric={[2, 3, 4, 5]}
            rows={p.engagements.map((e) => [engagementLink(e.engagement_id, e.name), e.company_name ?? '—', e.hours_saved, e.value === null ? '—' : formatMoney(e.value, e.currency), e.cost === null ? '—' : formatMoney(e.cost, e.currency), pct(e.roi)])}
          />
        )}
      </Section>
      <Section id="ins-money-usage" title="AI use per month">
        {r.usage.every((u) => u.records === 0) ? (
          <p className="empty">No AI use recorded in this period.</p>
        ) : (
          <Wide count={r.usage.length}>
            <LineChart title="Tokens used per month" series={[{ name: 'Tokens', color: PALETTE.tokens, points: r.usage.map((u) => ({ x: u.month, y: u.tokens_used, display: formatNumber(u.tokens_used) })) }]} />
          </Wide>
        )}
      </Section>
    </>
  );
}

// ---------------------------------------------------------------------------
// Calibration

/** Each decision's three ratios side by side (1.00 is "as estimated"); decisions with none are left out. */
function CalibrationChart({ decisions }: { decisions: CalibrationInsight['decisions'] }) {
  const shown = decisions.filter((d) => d.hours_ratio !== null || d.saved_ratio !== null || d.value_ratio !== null).slice(0, 30);
  if (shown.length === 0) return <p className="empty">No decision has both an estimate and a result yet.</p>;
  const series = (name: string, color: string, pick: (d: CalibrationInsight['decisions'][number]) => string | null): ColumnSeries => ({
    name,
    color,
    values: shown.map((d) => (pick(d) === null ? null : Number(pick(d)))),
    displays: shown.map((d) => (pick(d) === null ? '—' : `${pick(d)}×`)),
  });
  return (
    <ColumnChart
      title="Actual ÷ estimated per go decision"
      categories={shown.map((d) => d.company_name ?? 'Hidden company')}
      series={[series('Delivery hours', PALETTE.hours, (d) => d.hours_ratio), series('Hours saved', PALETTE.value, (d) => d.saved_ratio), series('Value invoiced', PALETTE.tokens, (d) => d.value_ratio)]}
    />
  );
}

function CalibrationView({ r }: { r: CalibrationInsight }) {
  const s = r.summary;
  const summary = (label: string, x: CalibrationInsight['summary']['hours'], hint: string) => (
    <Kpi label={label} value={ratio(x.median)} hint={`Median over ${plural(x.decisions, 'decision')}; mean ${ratio(x.mean)}. ${hint}`} />
  );
  return (
    <>
      <div className="cards">
        <Kpi label="Go decisions" value={formatNumber(s.go_decisions)} hint="Made in the period" />
        <Kpi label="With an engagement" value={formatNumber(s.with_engagement)} />
        {summary('Delivery hours ratio', s.hours, 'Actual ÷ estimated hours per week.')}
        {summary('Hours saved ratio', s.saved, "Measured ÷ estimated hours saved per month.")}
        {summary('Value ratio', s.value, 'Invoiced ÷ expected value.')}
      </div>
      <Section id="ins-cal-advice" title="For the next scorecard">
        {r.advice.length === 0 ? (
          <p className="empty">Too little to go on yet.</p>
        ) : (
          <ul className="ins-advice">
            {r.advice.map((a, i) => (
              <li key={i}>{a}</li>
            ))}
          </ul>
        )}
      </Section>
      <Section id="ins-cal-chart" title="Actual against estimated, per decision">
        <CalibrationChart decisions={r.decisions} />
      </Section>
      <Section id="ins-cal-decisions" title="Decisions: estimated and actual" note={r.truncated ? 'Only the newest 200 decisions are shown.' : undefined}>
        {r.decisions.length === 0 ? (
          <p className="empty">No go decision in this period.</p>
        ) : (
          <Table
            caption="Go decisions: estimated against actual"
            head={['Decided', 'Company', 'Engagement', 'Hours/week est.', 'Hours/week actual', 'Ratio', 'Saved/month est.', 'Saved/month actual', 'Ratio', 'Value expected', 'Invoiced', 'Ratio']}
            numeric={[3, 4, 5, 6, 7, 8, 9, 10, 11]}
            rows={r.decisions.map((d) => [
              <Link to={`/go_no_go_decisions/${enc(d.decision_id)}`}>{d.decision_date ? formatDate(d.decision_date) : 'Undated'}</Link>,
              companyLink(d.company_id, d.company_name),
              d.engagement_id ? engagementLink(d.engagement_id, d.engagement_name) : <span className="muted">None yet</span>,
              dec(d.estimated_hours_per_week),
              dec(d.actual_hours_per_week),
              ratio(d.hours_ratio),
              dec(d.estimated_hours_saved_per_month),
              dec(d.actual_hours_saved_per_month),
              ratio(d.saved_ratio),
              money(d.estimated_value),
              money(d.invoiced_value),
              ratio(d.value_ratio),
            ])}
          />
        )}
      </Section>
    </>
  );
}
