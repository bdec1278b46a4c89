/**
 * One engagement's delivery (seed 000 steps 11–21) at /engagements/<id>: what was agreed,
 * training progress, the tasks and the time they save, what was built and where it runs,
 * support tickets, hours against the estimate and AI usage, with the acts the person's role
 * allows (each through the real operation or table) and the way to this month's report.
 */
import { useState, type FormEvent, type ReactNode } from 'react';
import { api, ApiError, listAll, messageOf, query, runOperation } from '../api.ts';
import { Link } from '../Link.tsx';
import { humanise, recordLabel, useSchema, type OperationInfo } from '../schema.tsx';
import { monthlyReportPath } from '../../../src/core/web-paths.ts';
import { shortMonth } from '../../../src/core/reports/report-format.ts';
import { BarChart, PALETTE } from '../ui/charts.tsx';
import { FieldInput, fromInput, toInput } from '../ui/fields.tsx';
import { OperationForm } from '../ui/OperationForm.tsx';
import { RecordForm } from '../ui/RecordForm.tsx';
import { Related } from './Record.tsx';
import { Alert, Badge, Dialog, fieldErrorsOf, formatDate, formatDateTime, formatMoney, formatNumber, Kpi, Loaded, Notice, today, Section, useAsync } from '../ui/ui.tsx';
import './engagement.css';

type Row = Record<string, unknown>;

const enc = encodeURIComponent;
const str = (v: unknown): string => (v === null || v === undefined ? '' : String(v));
const orDash = (v: unknown): string => (v === null || v === undefined || v === '' ? '—' : String(v));
const hours = (v: unknown): string => (v === null || v === undefined || v === '' ? '—' : `${formatNumber(String(v), 2)} h`);

const MONTH_NAME = new Intl.DateTimeFormat(undefined, { month: 'long', year: 'numeric', timeZone: 'UTC' });
const monthName = (m: string) => MONTH_NAME.format(new Date(`${m}-01T00:00:00Z`));
function addMonths(month: string, n: number): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const total = y * 12 + (m - 1) + n;
  return `${Math.floor(total / 12)}-${String((total % 12) + 1).padStart(2, '0')}`;
}

/** Hours between two instants, for display (one decimal). */
function hoursBetween(from: unknown, to: unknown): number | null {
  if (!from || !to) return null;
  const ms = new Date(String(to)).getTime() - new Date(String(from)).getTime();
  return Number.isFinite(ms) ? ms / 3_600_000 : null;
}
const durationText = (h: number | null) => (h === null ? '—' : h >= 48 ? `${formatNumber(h / 24, 1)} days` : `${formatNumber(h, 1)} h`);
function median(xs: number[]): number | null {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}
/** Σ of decimal strings with two places, in hundredths (no float drift), back as text. */
const sumHours = (vals: unknown[]) => (vals.reduce<number>((n, v) => n + Math.round(Number(v ?? 0) * 100), 0) / 100).toFixed(2);

const OPEN_TICKET = ['open', 'in_progress', 'waiting'];

type Act =
  | { kind: 'edit' }
  | { kind: 'schedule' }
  | { kind: 'invite'; session: Row }
  | { kind: 'attendance'; session: Row }
  | { kind: 'complete'; session: Row }
  | { kind: 'measure'; task: Row }
  | { kind: 'deploy'; asset: Row }
  | { kind: 'ticket' }
  | { kind: 'resolve'; ticket: Row }
  | { kind: 'close'; ticket: Row }
  | { kind: 'reopen'; ticket: Row }
  | { kind: 'work' }
  | { kind: 'usage' };

type Ctx = {
  e: Row;
  tick: number;
  names: Map<string, string>;
  open: (a: Act) => void;
  op: (name: string) => OperationInfo | undefined;
  can: (table: string, verb: string) => boolean;
};

export function EngagementPage({ id }: { id: string }) {
  const [tick, setTick] = useState(0);
  const state = useAsync(() => api<Row>('GET', `/api/v1/engagements/${enc(id)}`), [id, tick]);
  return (
    <Loaded state={state} what="the engagement">
      {(e) => <Dashboard e={e} tick={tick} refresh={() => setTick((t) => t + 1)} />}
    </Loaded>
  );
}

function Dashboard({ e, tick, refresh }: { e: Row; tick: number; refresh: () => void }) {
  const schema = useSchema();
  const [act, setAct] = useState<Act | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const id = str(e.id);
  const companyId = str(e.company_id);
  const company = useAsync(() => api<Row>('GET', `/api/v1/companies/${enc(companyId)}`), [companyId]);
  const contacts = useAsync(() => listAll('contacts', { company_id: companyId }), [companyId, tick]);
  const names = new Map((contacts.data ?? []).map((c) => [str(c.id), recordLabel(c)]));
  const ctx: Ctx = { e, tick, names, open: (a) => (setDone(null), setAct(a)), op: (n) => schema.operation(n), can: (t, v) => schema.can(t, v) };
  const finish = (message: string) => {
    setAct(null);
    setDone(message);
    refresh();
  };
  const thisMonth = today().slice(0, 7);
  const lastMonth = addMonths(thisMonth, -1);
  const cur = str(e.currency) || 'USD';
  const title = str(e.name) || `${company.data ? recordLabel(company.data) : 'Engagement'}${e.package ? ` · ${str(e.package)}` : ''}`;

  return (
    <section className="eng">
      <p className="muted">
        <Link to="/engagements">Engagements</Link> /
      </p>
      <div className="page-head">
        <div>
          <h1>{title}</h1>
          <p className="eng-sub">
            <Link to={`/companies/${enc(companyId)}`}>{company.data ? recordLabel(company.data) : 'Company'}</Link> <Badge tone={e.status === 'completed' ? 'plain' : e.status === 'cancelled' ? 'bad' : 'good'}>{humanise(str(e.status))}</Badge>{' '}
            {e.priority !== 'medium' && e.priority ? <Badge tone={e.priority === 'urgent' || e.priority === 'high' ? 'warn' : 'plain'}>{`${humanise(str(e.priority))} priority`}</Badge> : null}
          </p>
        </div>
        {ctx.can('engagements', 'update') && (
          <button type="button" className="secondary" onClick={() => ctx.open({ kind: 'edit' })}>
            Edit engagement
          </button>
        )}
      </div>

      <div className="eng-reports card" role="region" aria-label="Monthly reports">
        <div>
          <strong>Monthly ROI report</strong>
          <p className="muted eng-nomargin">Hours saved, usage, support, training and ROI for a month, to download as PDF or CSV.</p>
        </div>
        <div className="eng-report-links">
          <Link className="eng-button" to={monthlyReportPath(id, thisMonth)}>{`This month's report (${monthName(thisMonth)})`}</Link>
          <Link className="eng-button secondary" to={monthlyReportPath(id, lastMonth)}>{`Last month's report (${monthName(lastMonth)})`}</Link>
        </div>
      </div>

      {done && <Notice kind="ok">{done}</Notice>}

      <dl className="details eng-terms">
        <dt>Package</dt>
        <dd>{orDash(e.package)}</dd>
        <dt>Dates</dt>
        <dd>
          {e.start_date ? formatDate(str(e.start_date)) : 'No start date'}
          {e.go_live_date ? ` · go-live ${formatDate(str(e.go_live_date))}` : ''}
          {` · ${e.end_date ? `ends ${formatDate(str(e.end_date))}` : 'no end date'}`}
        </dd>
        <dt>Hourly rate</dt>
        <dd>{e.hourly_rate_value ? `${formatMoney(str(e.hourly_rate_value), cur)} per hour of client staff time` : 'None set (the report uses the default setting)'}</dd>
        <dt>Fees</dt>
        <dd>
          {[
            e.value ? `contract ${formatMoney(str(e.value), cur)}` : null,
            e.setup_fee ? `setup ${formatMoney(str(e.setup_fee), cur)}` : null,
            e.monthly_fee ? `${formatMoney(str(e.monthly_fee), cur)} a month` : null,
            e.tool_costs ? `tools ${formatMoney(str(e.tool_costs), cur)}` : null,
          ]
            .filter(Boolean)
            .join(' · ') || '—'}
        </dd>
        <dt>Scope</dt>
        <dd>
          {[
            e.staff_count ? `${str(e.staff_count)} staff` : null,
            e.training_hours_per_staff ? `${hours(e.training_hours_per_staff)} training each` : null,
            e.mcps_to_build ? `${str(e.mcps_to_build)} MCP server${Number(e.mcps_to_build) === 1 ? '' : 's'}` : null,
            e.skills_to_build ? `${str(e.skills_to_build)} Skill${Number(e.skills_to_build) === 1 ? '' : 's'}` : null,
            e.num_licenses ? `${str(e.num_licenses)} licences` : null,
          ]
            .filter(Boolean)
            .join(' · ') || '—'}
        </dd>
        {e.claude_workspace_id ? (
          <>
            <dt>Workspace</dt>
            <dd>
              {str(e.claude_workspace_id)}
              {e.claude_plan_type ? ` (${str(e.claude_plan_type)})` : ''}
            </dd>
          </>
        ) : null}
      </dl>

      <nav className="eng-toc" aria-label="Sections">
        <a href="#eng-training">Training</a>
        <a href="#eng-tasks">Tasks and time saved</a>
        <a href="#eng-built">Builds and deployments</a>
        <a href="#eng-tickets">Tickets</a>
        <a href="#eng-hours">Hours</a>
        <a href="#eng-usage">AI usage</a>
        <a href="#eng-linked">Everything linked</a>
      </nav>

      <Training ctx={ctx} />
      <Tasks ctx={ctx} />
      <Built ctx={ctx} />
      <Tickets ctx={ctx} />
      <Hours ctx={ctx} />
      <Usage ctx={ctx} />
      <Linked id={id} />

      {act && <ActDialog act={act} e={e} contacts={contacts.data ?? []} names={names} onClose={() => setAct(null)} onDone={finish} />}
    </section>
  );
}

// ---------------------------------------------------------------------------
// Training

function Training({ ctx }: { ctx: Ctx }) {
  const id = str(ctx.e.id);
  const state = useAsync(async () => {
    const sessions = await listAll('training_sessions', { engagement_id: id });
    sessions.sort((a, b) => (Number(a.session_number ?? 1e9) - Number(b.session_number ?? 1e9)) || str(a.scheduled_date).localeCompare(str(b.scheduled_date)));
    const ids = sessions.map((s) => str(s.id));
    const attendance = ids.length ? await listAll('training_attendance', { 'session_id[in]': ids.join(',') }) : [];
    return { sessions, attendance };
  }, [id, ctx.tick]);
  const schedule = ctx.op('delivery.schedule_session');
  return (
    <Section
      id="eng-training"
      title="Training progress"
      actions={
        schedule && (
          <button type="button" onClick={() => ctx.open({ kind: 'schedule' })}>
            Schedule training
          </button>
        )
      }
    >
      <Loaded state={state} what="training">
        {({ sessions, attendance }) => {
          const live = sessions.filter((s) => s.status !== 'cancelled');
          const completed = sessions.filter((s) => s.status === 'completed');
          const of = (sid: unknown) => attendance.filter((a) => a.session_id === sid);
          const doneRows = completed.flatMap((s) => of(s.id));
          const attended = doneRows.filter((a) => a.attended === true).length;
          const rate = doneRows.length ? `${formatNumber((attended / doneRows.length) * 100, 1)}%` : '—';
          const people = new Map<string, { invited: number; attended: number }>();
          for (const a of attendance) {
            const p = people.get(str(a.contact_id)) ?? { invited: 0, attended: 0 };
            p.invited += 1;
            if (a.attended === true) p.attended += 1;
            people.set(str(a.contact_id), p);
          }
          return (
            <>
              <div className="cards">
                <Kpi label="Sessions" value={formatNumber(live.length)} hint={`${formatNumber(completed.length)} completed`} />
                <Kpi label="Completion" value={live.length ? `${formatNumber((completed.length / live.length) * 100, 0)}%` : '—'} hint="completed of scheduled" />
                <Kpi label="Attendance" value={rate} hint={doneRows.length ? `${attended} of ${doneRows.length} invited at completed sessions` : 'no completed session yet'} />
                <Kpi label="People trained" value={formatNumber([...people.values()].filter((p) => p.attended > 0).length)} hint={`${people.size} invited`} />
              </div>
              {sessions.length === 0 ? (
                <p className="empty">No training session yet.</p>
              ) : (
                <div className="table-wrap">
                  <table>
                    <caption className="visually-hidden">Training sessions</caption>
                    <thead>
                      <tr>
                        <th className="num">No.</th>
                        <th>Session</th>
                        <th>Scheduled</th>
                        <th>Status</th>
                        <th className="num">Invited</th>
                        <th className="num">Attended</th>
                        <th>Actions</th>
                      </tr>
                    </thead>
                    <tbody>
                      {sessions.map((s) => {
                        const rows = of(s.id);
                        const label = str(s.title) || `Session ${orDash(s.session_number)}`;
                        const closed = s.status === 'completed' || s.status === 'cancelled';
                        return (
                          <tr key={str(s.id)}>
                            <td className="num">{orDash(s.session_number)}</td>
                            <td>
                              <Link to={`/training_sessions/${enc(str(s.id))}`}>{label}</Link>
                              {rows.length > 0 && (
                                <div className="small muted">
                                  {rows.map((a) => `${ctx.names.get(str(a.contact_id)) ?? 'Someone'} ${a.attended === true ? '✓' : a.attended === false ? '✗' : '?'}`).join(' · ')}
                                </div>
                              )}
                            </td>
                            <td>{formatDateTime(str(s.scheduled_date)) || '—'}</td>
                            <td>
                              <Badge tone={s.status === 'completed' ? 'good' : s.status === 'cancelled' ? 'bad' : 'plain'}>{humanise(str(s.status))}</Badge>
                            </td>
                            <td className="num">{rows.length}</td>
                            <td className="num">{rows.filter((a) => a.attended === true).length}</td>
                            <td>
                              <div className="eng-row-actions">
                                {ctx.op('delivery.invite_to_session') && !closed && (
                                  <button type="button" className="secondary small" onClick={() => ctx.open({ kind: 'invite', session: s })} aria-label={`Invite people to ${label}`}>
                                    Invite
                                  </button>
                                )}
                                {ctx.op('delivery.record_attendance') && rows.length > 0 && s.status !== 'cancelled' && (
                                  <button type="button" className="secondary small" onClick={() => ctx.open({ kind: 'attendance', session: s })} aria-label={`Record attendance of ${label}`}>
                                    Record attendance
                                  </button>
                                )}
                                {ctx.op('delivery.complete_session') && !closed && (
                                  <button type="button" className="secondary small" onClick={() => ctx.open({ kind: 'complete', session: s })} aria-label={`Mark ${label} completed`}>
                                    Mark completed
                                  </button>
                                )}
                              </div>
                            </td>
                          </tr>
                        );
                      })}
                    </tbody>
                  </table>
                </div>
              )}
            </>
          );
        }}
      </Loaded>
    </Section>
  );
}

// ---------------------------------------------------------------------------
// Tasks and time saved

type SavingLine = { task_id: string; hours_saved: string; value: string | null; occurrences: string };
type MonthReport = { month: string; time_saved: { hours_saved: string; value: string | null; tasks: SavingLine[] }; engagement: { currency: string } };

function Tasks({ ctx }: { ctx: Ctx }) {
  const id = str(ctx.e.id);
  const month = today().slice(0, 7);
  const tasks = useAsync(() => listAll('contact_tasks', { engagement_id: id }), [id, ctx.tick]);
  const report = useAsync(() => api<MonthReport>('GET', `/api/v1/reports/monthly${query({ engagement: id, month })}`), [id, ctx.tick]);
  const [history, setHistory] = useState<string | null>(null);
  const saving = new Map((report.data?.time_saved.tasks ?? []).map((t) => [t.task_id, t]));
  const cur = report.data?.engagement.currency ?? str(ctx.e.currency);
  return (
    <Section id="eng-tasks" title="Tasks and time saved">
      <Loaded state={tasks} what="tasks">
        {(list) => {
          const sorted = [...list].sort((a, b) => (ctx.names.get(str(a.contact_id)) ?? '').localeCompare(ctx.names.get(str(b.contact_id)) ?? '') || str(a.task_name).localeCompare(str(b.task_name)));
          return (
            <>
              <div className="cards">
                <Kpi label="Tasks mapped" value={formatNumber(list.length)} hint={`${list.filter((t) => t.time_after_ai !== null && t.time_after_ai !== undefined).length} measured after AI`} />
                <Kpi label="Adopted" value={formatNumber(list.filter((t) => t.ai_adoption_status === 'adopted').length)} hint={`${list.filter((t) => t.ai_adoption_status === 'in_progress').length} in progress`} />
                <Kpi label={`Hours saved, ${monthName(month)}`} value={report.data ? hours(report.data.time_saved.hours_saved) : report.error ? '—' : '…'} hint={report.error ? report.error : 'from the monthly report'} />
                <Kpi label={`Value, ${monthName(month)}`} value={report.data ? (report.data.time_saved.value === null ? '—' : formatMoney(report.data.time_saved.value, cur)) : '—'} hint={report.data?.time_saved.value === null ? 'no hourly rate' : 'hours saved × hourly rate'} />
              </div>
              {list.length === 0 ? (
                <p className="empty">No task mapped to this engagement yet. Tasks come from the audit's survey or are added on a contact.</p>
              ) : (
                <div className="table-wrap">
                  <table>
                    <caption className="visually-hidden">Tasks, time before and after AI, and hours saved this month</caption>
                    <thead>
                      <tr>
                        <th>Person</th>
                        <th>Task</th>
                        <th>Frequency</th>
                        <th className="num">Before (min)</th>
                        <th className="num">After (min)</th>
                        <th className="num">Saved each (min)</th>
                        <th className="num">Hours saved this month</th>
                        <th>Adoption</th>
                        <th>Actions</th>
                      </tr>
                    </thead>
                    <tbody>
                      {sorted.map((t) => {
                        const tid = str(t.id);
                        const s = saving.get(tid);
                        const name = str(t.task_name);
                        return [
                          <tr key={tid}>
                            <td>{ctx.names.get(str(t.contact_id)) ?? '—'}</td>
                            <td>
                              <Link to={`/contact_tasks/${enc(tid)}`}>{name}</Link>
                              {t.software_used ? <div className="small muted">{str(t.software_used)}</div> : null}
                            </td>
                            <td>{t.frequency ? humanise(str(t.frequency)) : '—'}</td>
                            <td className="num">{orDash(t.time_before_ai)}</td>
                            <td className="num">{orDash(t.time_after_ai)}</td>
                            <td className="num">{orDash(t.time_saved_minutes)}</td>
                            <td className="num">{s ? hours(s.hours_saved) : '—'}</td>
                            <td>
                              <Badge tone={t.ai_adoption_status === 'adopted' ? 'good' : t.ai_adoption_status === 'abandoned' ? 'bad' : t.ai_adoption_status === 'in_progress' ? 'warn' : 'plain'}>{humanise(str(t.ai_adoption_status))}</Badge>
                            </td>
                            <td>
                              <div className="eng-row-actions">
                                {ctx.op('delivery.record_measurement') && (
                                  <button type="button" className="secondary small" onClick={() => ctx.open({ kind: 'measure', task: t })} aria-label={`Record a measurement of ${name}`}>
                                    Record measurement
                                  </button>
                                )}
                                {ctx.op('delivery.task_history') && (
                                  <button type="button" className="secondary small" aria-expanded={history === tid} onClick={() => setHistory(history === tid ? null : tid)} aria-label={`History of ${name}`}>
                                    History
                                  </button>
                                )}
                              </div>
                            </td>
                          </tr>,
                          history === tid ? (
                            <tr key={`${tid}-history`} className="eng-history-row">
                              <td colSpan={9}>
                                <TaskHistory taskId={tid} name={name} tick={ctx.tick} />
                              </td>
                            </tr>
                          ) : null,
                        ];
                      })}
                    </tbody>
                  </table>
                </div>
              )}
            </>
          );
        }}
      </Loaded>
    </Section>
  );
}

type History = { time_before_ai: number | null; series: { id: string; measured_on: string; time_after_ai: number; minutes_saved: number | null; occurrences: number | null; notes: string | null; measured_by: string | null }[]; rule: string };

function TaskHistory({ taskId, name, tick }: { taskId: string; name: string; tick: number }) {
  const state = useAsync(() => api<History>('GET', `/api/v1/contact_tasks/${enc(taskId)}/history`), [taskId, tick]);
  return (
    <Loaded state={state} what="the measurements">
      {(h) =>
        h.series.length === 0 ? (
          <p className="empty">{name} has no measurement yet: it saves no time until one is recorded.</p>
        ) : (
          <div className="eng-history">
            <BarChart
              title={`Minutes saved per occurrence: ${name}`}
              color={PALETTE.hours}
              valueLabel="Saved (min)"
              data={h.series.map((m) => ({ label: formatDate(m.measured_on), value: m.minutes_saved, display: m.minutes_saved === null ? '—' : `${m.minutes_saved} min` }))}
              table={false}
            />
            <table>
              <caption>{`Measurements of ${name} (before AI: ${h.time_before_ai ?? '—'} min)`}</caption>
              <thead>
                <tr>
                  <th>Measured on</th>
                  <th className="num">After (min)</th>
                  <th className="num">Saved (min)</th>
                  <th className="num">Occurrences</th>
                  <th>By</th>
                  <th>Notes</th>
                </tr>
              </thead>
              <tbody>
                {h.series.map((m) => (
                  <tr key={m.id}>
                    <td>{formatDate(m.measured_on)}</td>
                    <td className="num">{m.time_after_ai}</td>
                    <td className="num">{orDash(m.minutes_saved)}</td>
                    <td className="num">{orDash(m.occurrences)}</td>
                    <td>{orDash(m.measured_by)}</td>
                    <td className="notes">{orDash(m.notes)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <p className="small muted">{h.rule}</p>
          </div>
        )
      }
    </Loaded>
  );
}

// ---------------------------------------------------------------------------
// Builds and deployments

type Deployment = { id: string; account_ref: string | null; status: string; deployed_at: string | null; removed_at: string | null; engagement_id: string | null };
type Asset = { id: string; kind: string; name: string; status: string; built_date: string | null; asset_version: string | null; repository_url: string | null; engagement_id: string | null; deployments: Deployment[]; tasks: { task_id: string; task_name: string; contact_name: string | null }[] };
type BuiltAnswer = { summary: { built: number; mcps: number; skills: number; in_development: number; deployed: number; deprecated: number; active_deployments: number }; items: Asset[] };

function Built({ ctx }: { ctx: Ctx }) {
  const id = str(ctx.e.id);
  const builtOp = ctx.op('delivery.built');
  const state = useAsync(() => (builtOp ? runOperation<BuiltAnswer>(builtOp, { engagement_id: id }) : Promise.reject(new Error('You may not see what was built.'))), [id, ctx.tick, builtOp?.path]);
  const planned = (n: unknown, what: string) => (n ? ` of ${str(n)} planned` : what);
  return (
    <Section id="eng-built" title="Builds and deployments">
      <Loaded state={state} what="what was built">
        {({ summary, items }) => (
          <>
            <div className="cards">
              <Kpi label="MCP servers" value={formatNumber(summary.mcps)} hint={planned(ctx.e.mcps_to_build, 'built')} />
              <Kpi label="Skills" value={formatNumber(summary.skills)} hint={planned(ctx.e.skills_to_build, 'built')} />
              <Kpi label="Deployed" value={formatNumber(summary.deployed)} hint={`${summary.in_development} in development, ${summary.deprecated} retired`} />
              <Kpi label="Active deployments" value={formatNumber(summary.active_deployments)} />
            </div>
            {items.length === 0 ? (
              <p className="empty">Nothing built for this engagement yet.</p>
            ) : (
              <div className="table-wrap">
                <table>
                  <caption className="visually-hidden">MCP servers and Skills built or deployed for this engagement</caption>
                  <thead>
                    <tr>
                      <th>Kind</th>
                      <th>Name</th>
                      <th>Status</th>
                      <th>Built</th>
                      <th>Deployed to</th>
                      <th>Supports</th>
                      <th>Actions</th>
                    </tr>
                  </thead>
                  <tbody>
                    {items.map((a) => (
                      <tr key={a.id}>
                        <td>{a.kind === 'mcp' ? 'MCP server' : 'Skill'}</td>
                        <td>
                          <Link to={`/ai_assets/${enc(a.id)}`}>{a.name}</Link>
                          {a.asset_version ? <span className="small muted"> v{a.asset_version}</span> : null}
                        </td>
                        <td>
                          <Badge tone={a.status === 'deployed' ? 'good' : a.status === 'deprecated' ? 'bad' : 'warn'}>{humanise(a.status)}</Badge>
                        </td>
                        <td>{a.built_date ? formatDate(a.built_date) : '—'}</td>
                        <td>
                          {a.deployments.length === 0
                            ? '—'
                            : a.deployments.map((d) => (
                                <div key={d.id}>
                                  {d.account_ref ?? 'account not named'} · {humanise(d.status)}
                                  {d.deployed_at ? ` since ${formatDate(d.deployed_at)}` : ''}
                                  {d.removed_at ? `, removed ${formatDate(d.removed_at)}` : ''}
                                </div>
                              ))}
                        </td>
                        <td>{a.tasks.length ? a.tasks.map((t) => `${t.task_name}${t.contact_name ? ` (${t.contact_name})` : ''}`).join('; ') : '—'}</td>
                        <td>
                          {ctx.op('delivery.deploy_asset') && a.status !== 'deprecated' && (
                            <button type="button" className="secondary small" onClick={() => ctx.open({ kind: 'deploy', asset: a })} aria-label={`Deploy ${a.name}`}>
                              Deploy
                            </button>
                          )}
                        </td>
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

// ---------------------------------------------------------------------------
// Tickets

function Tickets({ ctx }: { ctx: Ctx }) {
  const id = str(ctx.e.id);
  const state = useAsync(async () => (await listAll('support_tickets', { engagement_id: id })).sort((a, b) => str(b.request_date).localeCompare(str(a.request_date))), [id, ctx.tick]);
  return (
    <Section
      id="eng-tickets"
      title="Support tickets"
      actions={
        ctx.can('support_tickets', 'create') && (
          <button type="button" onClick={() => ctx.open({ kind: 'ticket' })}>
            Log a support ticket
          </button>
        )
      }
    >
      <Loaded state={state} what="tickets">
        {(list) => {
          const open = list.filter((t) => OPEN_TICKET.includes(str(t.status)));
          const resolved = list.filter((t) => t.resolved_at);
          const med = median(resolved.map((t) => hoursBetween(t.request_date, t.resolved_at)).filter((h): h is number => h !== null));
          return (
            <>
              <div className="cards">
                <Kpi label="Open" value={formatNumber(open.length)} hint={`${list.length} in all`} />
                <Kpi label="Resolved" value={formatNumber(resolved.length)} />
                <Kpi label="Median time to resolve" value={durationText(med)} />
                <Kpi label="Hours spent" value={hours(sumHours(list.map((t) => t.hours_spent)))} />
              </div>
              {list.length === 0 ? (
                <p className="empty">No support ticket for this engagement.</p>
              ) : (
                <div className="table-wrap">
                  <table>
                    <caption className="visually-hidden">Support tickets</caption>
                    <thead>
                      <tr>
                        <th>Ticket</th>
                        <th>Subject</th>
                        <th>Category</th>
                        <th>Priority</th>
                        <th>Status</th>
                        <th>Requested</th>
                        <th className="num">Time to resolve</th>
                        <th className="num">Hours spent</th>
                        <th>Actions</th>
                      </tr>
                    </thead>
                    <tbody>
                      {list.map((t) => {
                        const number = str(t.ticket_number);
                        const status = str(t.status);
                        return (
                          <tr key={str(t.id)}>
                            <td>
                              <Link to={`/support_tickets/${enc(str(t.id))}`}>{number}</Link>
                            </td>
                            <td>{orDash(t.subject)}</td>
                            <td>{humanise(str(t.category))}</td>
                            <td>
                              <Badge tone={t.priority === 'critical' ? 'bad' : t.priority === 'high' ? 'warn' : 'plain'}>{humanise(str(t.priority))}</Badge>
                            </td>
                            <td>
                              <Badge tone={OPEN_TICKET.includes(status) ? 'warn' : status === 'resolved' ? 'good' : 'plain'}>{humanise(status)}</Badge>
                            </td>
                            <td>{formatDateTime(str(t.request_date))}</td>
                            <td className="num">{t.resolved_at ? durationText(hoursBetween(t.request_date, t.resolved_at)) : '—'}</td>
                            <td className="num">{hours(t.hours_spent)}</td>
                            <td>
                              <div className="eng-row-actions">
                                {ctx.op('support.resolve_ticket') && OPEN_TICKET.includes(status) && (
                                  <button type="button" className="secondary small" onClick={() => ctx.open({ kind: 'resolve', ticket: t })} aria-label={`Resolve ${number}`}>
                                    Resolve
                                  </button>
                                )}
                                {ctx.op('support.close_ticket') && (status === 'resolved' || status === 'open') && (
                                  <button type="button" className="secondary small" onClick={() => ctx.open({ kind: 'close', ticket: t })} aria-label={`Close ${number}`}>
                                    Close
                                  </button>
                                )}
                                {ctx.op('support.reopen_ticket') && status === 'resolved' && (
                                  <button type="button" className="secondary small" onClick={() => ctx.open({ kind: 'reopen', ticket: t })} aria-label={`Reopen ${number}`}>
                                    Reopen
                                  </button>
                                )}
                              </div>
                            </td>
                          </tr>
                        );
                      })}
                    </tbody>
                  </table>
                </div>
              )}
            </>
          );
        }}
      </Loaded>
    </Section>
  );
}

// ---------------------------------------------------------------------------
// Hours against the estimate

type HoursAnswer = {
  estimated_hours: string | null;
  actual_hours: string;
  remaining_hours: string | null;
  percent_used: string | null;
  over_budget: boolean;
  summary: string;
  by_category: { category: string; hours: string; entries: number }[];
  by_person: { user_id: string | null; name: string | null; hours: string; entries: number }[];
  rule: string;
};

function Hours({ ctx }: { ctx: Ctx }) {
  const id = str(ctx.e.id);
  const hoursOp = ctx.op('delivery.hours');
  const state = useAsync(() => (hoursOp ? runOperation<HoursAnswer>(hoursOp, { engagement_id: id }) : Promise.reject(new Error('You may not see the hours.'))), [id, ctx.tick, hoursOp?.path]);
  const entries = useAsync(() => listAll('work_completed', { engagement_id: id, sort: '-work_date' }), [id, ctx.tick]);
  return (
    <Section
      id="eng-hours"
      title="Hours against the estimate"
      actions={
        ctx.can('work_completed', 'create') && (
          <button type="button" onClick={() => ctx.open({ kind: 'work' })}>
            Log work
          </button>
        )
      }
    >
      <Loaded state={state} what="hours">
        {(h) => {
          const pct = h.percent_used === null ? null : Number(h.percent_used);
          return (
            <>
              <div className="cards">
                <Kpi label="Estimated" value={hours(h.estimated_hours)} />
                <Kpi label="Logged" value={hours(h.actual_hours)} />
                <Kpi label={h.over_budget ? 'Over budget' : 'Remaining'} value={h.remaining_hours === null ? '—' : hours(h.over_budget ? String(-Number(h.remaining_hours)) : h.remaining_hours)} hint={h.over_budget ? <Badge tone="bad">over the estimate</Badge> : undefined} />
                <Kpi label="Used" value={pct === null ? '—' : `${formatNumber(pct, 2)}%`} />
              </div>
              {pct !== null && (
                <div className="eng-meter">
                  <label htmlFor={`meter-${id}`}>Estimate used</label>
                  <meter id={`meter-${id}`} min={0} max={100} low={80} high={100} optimum={50} value={Math.min(pct, 100)}>
                    {`${formatNumber(pct, 2)}%`}
                  </meter>
                  <span className="small muted">{h.summary}</span>
                </div>
              )}
              {pct === null && <p className="muted">{h.summary}</p>}
              {h.by_category.length > 0 && (
                <div className="grid-2">
                  <BarChart title="Hours by category" color={PALETTE.cost} valueLabel="Hours" data={h.by_category.map((c) => ({ label: humanise(c.category), value: Number(c.hours), display: `${c.hours} h` }))} />
                  <div className="table-wrap">
                    <table>
                      <caption className="rep-caption">Hours by person</caption>
                      <thead>
                        <tr>
                          <th>Person</th>
                          <th className="num">Hours</th>
                          <th className="num">Entries</th>
                        </tr>
                      </thead>
                      <tbody>
                        {h.by_person.map((p, i) => (
                          <tr key={`${p.user_id ?? p.name ?? ''}-${i}`}>
                            <td>{p.name ?? 'Not named'}</td>
                            <td className="num">{hours(p.hours)}</td>
                            <td className="num">{p.entries}</td>
                          </tr>
                        ))}
                      </tbody>
                    </table>
                  </div>
                </div>
              )}
              {entries.data && entries.data.length > 0 && (
                <details className="eng-details">
                  <summary>{`Work entries (${entries.data.length})`}</summary>
                  <div className="table-wrap">
                    <table>
                      <caption className="visually-hidden">Work entries</caption>
                      <thead>
                        <tr>
                          <th>Date</th>
                          <th>Category</th>
                          <th className="num">Hours</th>
                          <th>By</th>
                          <th>Description</th>
                        </tr>
                      </thead>
                      <tbody>
                        {entries.data.map((w) => (
                          <tr key={str(w.id)}>
                            <td>
                              <Link to={`/work_completed/${enc(str(w.id))}`}>{formatDate(str(w.work_date))}</Link>
                            </td>
                            <td>{humanise(str(w.category))}</td>
                            <td className="num">{hours(w.hours)}</td>
                            <td>{orDash(w.performed_by)}</td>
                            <td className="notes">{orDash(w.description)}</td>
                          </tr>
                        ))}
                      </tbody>
                    </table>
                  </div>
                </details>
              )}
              <p className="small muted">{h.rule}</p>
            </>
          );
        }}
      </Loaded>
    </Section>
  );
}

// ---------------------------------------------------------------------------
// AI usage

type UsageAnswer = {
  total: { tokens_used: number; records: number };
  months: { month: string; tokens_used: number; records: number }[];
  contacts: { contact_id: string | null; name: string | null; tokens_used: number; records: number }[];
};

function Usage({ ctx }: { ctx: Ctx }) {
  const id = str(ctx.e.id);
  const summaryOp = ctx.op('usage.summary');
  const state = useAsync(() => (summaryOp ? runOperation<UsageAnswer>(summaryOp, { engagement_id: id }) : Promise.reject(new Error('You may not see AI usage.'))), [id, ctx.tick, summaryOp?.path]);
  return (
    <Section
      id="eng-usage"
      title="AI usage"
      actions={
        ctx.op('usage.record') && (
          <button type="button" onClick={() => ctx.open({ kind: 'usage' })}>
            Record usage
          </button>
        )
      }
    >
      <Loaded state={state} what="usage">
        {(u) => {
          const last = u.months.slice(-6);
          return (
            <>
              <div className="cards">
                <Kpi label="Tokens to date" value={formatNumber(u.total.tokens_used)} hint={`${formatNumber(u.total.records)} usage records`} />
                <Kpi label="Latest month" value={last.length ? formatNumber(last.at(-1)!.tokens_used) : '—'} hint={last.length ? monthName(last.at(-1)!.month) : 'no usage yet'} />
                <Kpi label="People using AI" value={formatNumber(u.contacts.filter((c) => c.contact_id !== null && c.tokens_used > 0).length)} />
              </div>
              {u.months.length === 0 ? (
                <p className="empty">No AI usage recorded yet.</p>
              ) : (
                <div className="grid-2">
                  <BarChart title="Tokens per month" color={PALETTE.tokens} valueLabel="Tokens" data={last.map((m) => ({ label: shortMonth(m.month), value: m.tokens_used, display: formatNumber(m.tokens_used) }))} />
                  <BarChart
                    title="Tokens per person, to date"
                    color={PALETTE.tokens}
                    valueLabel="Tokens"
                    data={u.contacts.map((c) => ({ label: c.contact_id === null ? 'Not attributed' : (c.name ?? 'Someone you cannot see'), value: c.tokens_used, display: formatNumber(c.tokens_used) }))}
                  />
                </div>
              )}
            </>
          );
        }}
      </Loaded>
    </Section>
  );
}

// ---------------------------------------------------------------------------
// The acts, each in a dialog

function ActDialog({ act, e, contacts, names, onClose, onDone }: { act: Act; e: Row; contacts: Row[]; names: Map<string, string>; onClose: () => void; onDone: (message: string) => void }) {
  const schema = useSchema();
  const id = str(e.id);
  const companyId = str(e.company_id);
  const opForm = (name: string, fixed: Record<string, unknown>, message: (result: unknown) => string, extra: { hide?: string[]; submitLabel?: string; labels?: Record<string, string> } = {}) => {
    const op = schema.operation(name);
    if (!op) return <Alert>You may not do this.</Alert>;
    return <OperationForm op={op} fixed={fixed} onDone={(r) => onDone(message(r))} onCancel={onClose} {...extra} />;
  };
  let title = '';
  let body: ReactNode = null;
  switch (act.kind) {
    case 'edit':
      title = 'Edit engagement';
      body = <RecordForm table="engagements" record={e} onSaved={() => onDone('Engagement saved.')} onCancel={onClose} />;
      break;
    case 'schedule':
      title = 'Schedule training';
      body = <ScheduleForm engagementId={id} contacts={contacts} onDone={onDone} onCancel={onClose} />;
      break;
    case 'invite': {
      const label = str(act.session.title) || 'the session';
      title = `Invite people to ${label}`;
      body = opForm('delivery.invite_to_session', { id: str(act.session.id) }, (r) => `${(r as { invited?: unknown[] }).invited?.length ?? 0} invited to ${label}.`, { submitLabel: 'Invite', labels: { contact_ids: 'People to invite' } });
      break;
    }
    case 'attendance':
      title = `Attendance: ${str(act.session.title) || 'session'}`;
      body = <AttendanceForm session={act.session} names={names} onDone={onDone} onCancel={onClose} />;
      break;
    case 'complete':
      title = `Mark ${str(act.session.title) || 'the session'} completed`;
      body = opForm('delivery.complete_session', { id: str(act.session.id) }, () => 'Session marked completed.', { submitLabel: 'Mark completed' });
      break;
    case 'measure':
      title = `Measure ${str(act.task.task_name)}`;
      body = (
        <>
          <p className="muted">{`Before AI it took ${orDash(act.task.time_before_ai)} minutes. How long does it take now?`}</p>
          {opForm('delivery.record_measurement', { task_id: str(act.task.id) }, () => `Measurement of ${str(act.task.task_name)} recorded.`, { submitLabel: 'Record measurement', labels: { time_after_ai: 'Minutes it takes now' } })}
        </>
      );
      break;
    case 'deploy':
      title = `Deploy ${str(act.asset.name)}`;
      body = opForm('delivery.deploy_asset', { id: str(act.asset.id) }, () => `${str(act.asset.name)} deployed.`, { submitLabel: 'Deploy', hide: ['company_id'] });
      break;
    case 'ticket':
      title = 'Log a support ticket';
      body = (
        <RecordForm
          table="support_tickets"
          fixed={{ engagement_id: id, company_id: companyId }}
          only={['subject', 'description', 'contact_id', 'category', 'priority', 'request_date', 'handled_by']}
          submitLabel="Log ticket"
          onSaved={(t) => onDone(`Ticket ${str(t.ticket_number)} logged.`)}
          onCancel={onClose}
        />
      );
      break;
    case 'resolve':
      title = `Resolve ${str(act.ticket.ticket_number)}`;
      body = opForm('support.resolve_ticket', { id: str(act.ticket.id), expected_version: act.ticket.version }, () => `${str(act.ticket.ticket_number)} resolved.`, { submitLabel: 'Resolve ticket' });
      break;
    case 'close':
      title = `Close ${str(act.ticket.ticket_number)}`;
      body = (
        <>
          <p>{act.ticket.status === 'open' ? 'Close it without resolving it (a duplicate or spam)? A closed ticket is final.' : 'Close the resolved ticket? A closed ticket is final.'}</p>
          {opForm('support.close_ticket', { id: str(act.ticket.id), expected_version: act.ticket.version }, () => `${str(act.ticket.ticket_number)} closed.`, { submitLabel: 'Close ticket' })}
        </>
      );
      break;
    case 'reopen':
      title = `Reopen ${str(act.ticket.ticket_number)}`;
      body = opForm('support.reopen_ticket', { id: str(act.ticket.id), expected_version: act.ticket.version }, () => `${str(act.ticket.ticket_number)} reopened.`, { submitLabel: 'Reopen ticket' });
      break;
    case 'work':
      title = 'Log work';
      body = <RecordForm table="work_completed" fixed={{ engagement_id: id }} initial={{ work_date: today() }} submitLabel="Log work" onSaved={(w) => onDone(`${str(w.hours)} h of ${humanise(str(w.category)).toLowerCase()} logged.`)} onCancel={onClose} />;
      break;
    case 'usage':
      title = 'Record AI usage';
      body = opForm('usage.record', { engagement_id: id }, (r) => ((r as { duplicate?: boolean }).duplicate ? 'That usage row was already stored; nothing was added.' : 'Usage recorded.'), { submitLabel: 'Record usage', hide: ['company_id', 'idempotency_key'], labels: { contact_id: 'Person' } });
      break;
  }
  return (
    <Dialog title={title} open onClose={onClose}>
      {body}
    </Dialog>
  );
}

/** Step 16 in one act: the session's fields and who to invite (contacts of the engagement's company). */
function ScheduleForm({ engagementId, contacts, onDone, onCancel }: { engagementId: string; contacts: Row[]; onDone: (m: string) => void; onCancel: () => void }) {
  const schema = useSchema();
  const op = schema.operation('delivery.schedule_session');
  const fields = (schema.table('training_sessions')?.fields ?? []).filter((f) => ['session_number', 'title', 'scheduled_date', 'duration_minutes', 'location', 'delivered_by'].includes(f.name));
  const [values, setValues] = useState<Record<string, string | boolean>>(() => Object.fromEntries(fields.map((f) => [f.name, toInput(f, undefined)])));
  const [invite, setInvite] = useState<string[]>([]);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  if (!op) return <Alert>You may not schedule training.</Alert>;
  const submit = async (ev: FormEvent) => {
    ev.preventDefault();
    const session: Row = { engagement_id: engagementId };
    const local: Record<string, string> = {};
    for (const f of fields) {
      try {
        const v = fromInput(f, values[f.name] ?? '');
        if (v !== null) session[f.name] = v;
      } catch (err) {
        local[f.name] = messageOf(err);
      }
    }
    setErrors(local);
    if (Object.keys(local).length) return;
    setBusy(true);
    setProblem(null);
    try {
      const r = await runOperation<{ session: Row; invited: unknown[] }>(op, { session, ...(invite.length ? { contact_ids: invite } : {}) });
      onDone(`${str(r.session.title) || 'Session'} scheduled${r.invited.length ? `, ${r.invited.length} invited` : ''}.`);
    } catch (err) {
      const byField: Record<string, string> = {};
      for (const [k, m] of Object.entries(fieldErrorsOf(err))) byField[k.replace(/^session\./, '')] = m;
      setErrors(byField);
      const shown = Object.keys(byField).filter((k) => fields.some((f) => f.name === k));
      setProblem(err instanceof ApiError && shown.length === Object.keys(byField).length && shown.length ? 'Some fields need a change: see below.' : `${messageOf(err)}${err instanceof ApiError && err.fields.length ? ` (${err.fields.map((f) => `${f.field} ${f.message}`).join('; ')})` : ''}`);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form onSubmit={submit} noValidate aria-label="Schedule training">
      <Alert>{problem}</Alert>
      <div className="form-grid">
        {fields.map((f) => (
          <FieldInput key={f.name} field={f} value={values[f.name] ?? ''} onChange={(v) => setValues((s) => ({ ...s, [f.name]: v }))} error={errors[f.name]} />
        ))}
      </div>
      <fieldset className="group choices">
        <legend>Invite</legend>
        {contacts.length === 0 && <p className="empty">The company has no contacts yet.</p>}
        {contacts.map((c) => (
          <label key={str(c.id)} className="check">
            <input type="checkbox" checked={invite.includes(str(c.id))} onChange={(ev) => setInvite((xs) => (ev.target.checked ? [...xs, str(c.id)] : xs.filter((x) => x !== str(c.id))))} /> {recordLabel(c)}
          </label>
        ))}
        {errors.contact_ids && <small className="error">{errors.contact_ids}</small>}
      </fieldset>
      <div className="actions">
        <button type="submit" disabled={busy}>
          {busy ? 'Working…' : 'Schedule'}
        </button>
        <button type="button" className="secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

/** Step 17: for each person invited, attended or not, and how they are getting on. */
function AttendanceForm({ session, names, onDone, onCancel }: { session: Row; names: Map<string, string>; onDone: (m: string) => void; onCancel: () => void }) {
  const schema = useSchema();
  const op = schema.operation('delivery.record_attendance');
  const rows = useAsync(() => listAll('training_attendance', { session_id: str(session.id) }), [str(session.id)]);
  const [choice, setChoice] = useState<Record<string, { attended: string; progress: string; notes: string }>>({});
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  if (!op) return <Alert>You may not record attendance.</Alert>;
  const get = (a: Row) => choice[str(a.contact_id)] ?? { attended: a.attended === true ? 'yes' : a.attended === false ? 'no' : '', progress: str(a.progress), notes: str(a.session_notes) };
  const set = (a: Row, patch: Partial<{ attended: string; progress: string; notes: string }>) => setChoice((c) => ({ ...c, [str(a.contact_id)]: { ...get(a), ...patch } }));
  const submit = async (ev: FormEvent) => {
    ev.preventDefault();
    const attendance = (rows.data ?? [])
      .map((a) => ({ a, c: get(a) }))
      .filter(({ c }) => c.attended !== '')
      .map(({ a, c }) => ({ contact_id: str(a.contact_id), attended: c.attended === 'yes', ...(c.progress.trim() ? { progress: c.progress } : {}), ...(c.notes.trim() ? { session_notes: c.notes } : {}) }));
    if (!attendance.length) {
      setProblem('Say for at least one person whether they attended.');
      return;
    }
    setBusy(true);
    setProblem(null);
    try {
      await runOperation(op, { id: str(session.id), attendance });
      onDone(`Attendance recorded for ${attendance.length} ${attendance.length === 1 ? 'person' : 'people'}.`);
    } catch (err) {
      setProblem(`${messageOf(err)}${err instanceof ApiError && err.fields.length ? ` (${err.fields.map((f) => `${f.field} ${f.message}`).join('; ')})` : ''}`);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Loaded state={rows} what="who was invited">
      {(list) => (
        <form onSubmit={submit} noValidate aria-label="Record attendance">
          <Alert>{problem}</Alert>
          {list.length === 0 && <p className="empty">Nobody is invited to this session yet.</p>}
          {list.map((a) => {
            const who = names.get(str(a.contact_id)) ?? 'Someone';
            const c = get(a);
            return (
              <fieldset key={str(a.id)} className="group eng-attendee">
                <legend>{who}</legend>
                <div className="form-grid">
                  <div className="field">
                    <label htmlFor={`att-${str(a.id)}`}>Attended</label>
                    <select id={`att-${str(a.id)}`} value={c.attended} onChange={(ev) => set(a, { attended: ev.target.value })}>
                      <option value="">Not recorded</option>
                      <option value="yes">Attended</option>
                      <option value="no">Did not attend</option>
                    </select>
                  </div>
                  <div className="field">
                    <label htmlFor={`prog-${str(a.id)}`}>Progress</label>
                    <input id={`prog-${str(a.id)}`} value={c.progress} onChange={(ev) => set(a, { progress: ev.target.value })} />
                  </div>
                  <div className="field">
                    <label htmlFor={`notes-${str(a.id)}`}>Notes</label>
                    <input id={`notes-${str(a.id)}`} value={c.notes} onChange={(ev) => set(a, { notes: ev.target.value })} />
                  </div>
                </div>
              </fieldset>
            );
          })}
          <div className="actions">
            <button type="submit" disabled={busy || list.length === 0}>
              {busy ? 'Working…' : 'Record attendance'}
            </button>
            <button type="button" className="secondary" onClick={onCancel}>
              Cancel
            </button>
          </div>
        </form>
      )}
    </Loaded>
  );
}

/** Every other table that points at the engagement (licences, milestones, invoices…), each a short list with a way to add one: nothing recorded against an engagement is out of reach. */
function Linked({ id }: { id: string }) {
  const schema = useSchema();
  const children = schema.tables.flatMap((c) => c.fields.filter((f) => f.references === 'engagements').map((f) => ({ child: c, field: f.name })));
  return (
    <section id="eng-linked" className="eng-linked">
      <h2>Everything linked to this engagement</h2>
      {children.map(({ child, field }) => (
        <details key={`${child.name}.${field}`}>
          <summary>{humanise(child.name)}</summary>
          <Related child={child} field={field} parentId={id} />
        </details>
      ))}
    </section>
  );
}
