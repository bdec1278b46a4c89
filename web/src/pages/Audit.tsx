/**
 * One audit (seed 000 steps 5–7): the org chart (the company's active contacts) against the
 * survey — who has no email, who was never sent the link, who is awaiting, who completed —
 * with the progress, and the work of the audit: import the org chart, record surveys sent and
 * completed (with answers and tasks), make the baseline tasks, and record the go/no-go decision.
 */
import { useState, type FormEvent } from 'react';
import { api, ApiError, messageOf, runOperation } from '../api.ts';
import { Link } from '../Link.tsx';
import { navigate } from '../router.ts';
import { humanise, useSchema, type OperationInfo } from '../schema.tsx';
import { OperationForm } from '../ui/OperationForm.tsx';
import { Alert, Badge, fieldErrorsOf, formatDate, formatNumber, Loaded, Notice, today, useAsync } from '../ui/ui.tsx';
import { ActionButton, listRows, RelatedList, StatusBadge, type Row } from './Company.tsx';
import './assessment.css';

type Person = { contact_id: string; name: string; role_title: string | null; department: string | null; email: string | null; has_email: boolean; sent_date?: string | null; completed_date?: string | null };
type Outstanding = {
  audit_id: string;
  company_id: string;
  survey_type: string;
  counts: { org_chart: number; completed: number; awaiting: number; not_sent: number; no_email: number; outstanding: number };
  no_email: Person[];
  not_sent: Person[];
  awaiting: Person[];
  completed: Person[];
};
type State = 'no_email' | 'not_sent' | 'awaiting' | 'completed';

const SURVEY_TYPES = ['audit', 'pre_training'] as const;
const FREQUENCIES = ['daily', 'weekly', 'monthly', 'per_project', 'ad_hoc'] as const;

export function AuditPage({ id }: { id: string }) {
  const schema = useSchema();
  const [tick, setTick] = useState(0);
  const [surveyType, setSurveyType] = useState<string>('audit');
  const [notice, setNotice] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  const outstandingOp = schema.operation('assessment.audit_outstanding');
  const state = useAsync(async () => {
    const audit = await api<Row>('GET', `/api/v1/audits/${encodeURIComponent(id)}`);
    const [company, outstanding] = await Promise.all([
      api<Row>('GET', `/api/v1/companies/${String(audit.company_id)}`).catch(() => null),
      outstandingOp ? runOperation<Outstanding>(outstandingOp, { id, survey_type: surveyType }) : Promise.resolve(null),
    ]);
    return { audit, company, outstanding };
  }, [id, tick, surveyType]);
  const refresh = (text?: string) => {
    if (text) setNotice({ kind: 'ok', text });
    setTick((t) => t + 1);
  };

  return (
    <section className="as-page">
      <p className="as-crumbs">
        <Link to="/assessment">Assessment</Link> /
      </p>
      <Loaded state={state} what="the audit">
        {({ audit, company, outstanding }) => (
          <>
            <div className="page-head">
              <div>
                <h1>Audit of {company ? String(company.name) : 'a company'}</h1>
                <p className="as-meta">
                  {company && (
                    <span>
                      <Link to={`/companies/${String(company.id)}`}>{String(company.name)}</Link> <StatusBadge value={company.status} />
                    </span>
                  )}
                  <span>Began {audit.audit_date ? formatDate(String(audit.audit_date)) : '—'}</span>
                  {audit.org_chart_received ? <Badge tone="good">Org chart received</Badge> : <Badge tone="warn">No org chart yet</Badge>}
                </p>
              </div>
              <AuditActions audit={audit} company={company} onDone={refresh} onError={(text) => setNotice({ kind: 'error', text })} />
            </div>
            {notice && <Notice kind={notice.kind}>{notice.text}</Notice>}
            <dl className="details as-derived">
              <dt>Team size</dt>
              <dd>{audit.team_size === null || audit.team_size === undefined ? '—' : String(audit.team_size)}</dd>
              <dt>Surveys sent</dt>
              <dd>{String(audit.surveys_sent ?? 0)}</dd>
              <dt>Surveys completed</dt>
              <dd>{String(audit.surveys_completed ?? 0)}</dd>
              <dt>Digital maturity</dt>
              <dd>{audit.digital_maturity ? <StatusBadge value={audit.digital_maturity} /> : '—'}</dd>
              <dt>Tools in use</dt>
              <dd className="as-pre">{String(audit.current_tools_summary ?? '—')}</dd>
              {audit.notes ? (
                <>
                  <dt>Notes</dt>
                  <dd className="as-pre">{String(audit.notes)}</dd>
                </>
              ) : null}
            </dl>
            <div className="field as-survey-type">
              <label htmlFor="as-survey-type">Survey</label>
              <select id="as-survey-type" value={surveyType} onChange={(e) => setSurveyType(e.target.value)}>
                {SURVEY_TYPES.map((t) => (
                  <option key={t} value={t}>
                    {humanise(t)}
                  </option>
                ))}
              </select>
            </div>
            {outstanding ? (
              <OrgChart audit={audit} outstanding={outstanding} surveyType={surveyType} onDone={refresh} />
            ) : (
              <p className="empty">You may not see the survey tracking.</p>
            )}
            <RelatedList
              table="go_no_go_decisions"
              title="Go/no-go decisions"
              filter={{ audit_id: id }}
              sort="-created_at"
              label={(r) => `${humanise(String(r.decision ?? ''))}${r.decision_date ? `, ${formatDate(String(r.decision_date))}` : ''}`}
              columns={['recommended_package', 'estimated_hours_per_week', 'capacity_sufficient']}
              reload={tick}
            />
          </>
        )}
      </Loaded>
    </section>
  );
}

function AuditActions({ audit, company, onDone, onError }: { audit: Row; company: Row | null; onDone: (text: string) => void; onError: (text: string) => void }) {
  const schema = useSchema();
  const importOp = schema.operation('assessment.import_org_chart');
  const baselineOp = schema.operation('assessment.build_baseline');
  const decideOp = schema.operation('assessment.decide');
  const [busy, setBusy] = useState(false);
  const baseline = async () => {
    if (!baselineOp) return;
    setBusy(true);
    try {
      const r = await runOperation<{ tasks_created: number; tasks_existing: number; respondents: unknown[] }>(baselineOp, { id: String(audit.id) });
      onDone(`Baseline built from ${r.respondents.length} ${r.respondents.length === 1 ? 'respondent' : 'respondents'}: ${r.tasks_created} tasks created, ${r.tasks_existing} already there.`);
    } catch (e) {
      onError(messageOf(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="actions">
      {importOp && company && (
        <ActionButton label="Import org chart" title="Import the org chart">
          {(close) => (
            <OrgChartImport
              op={importOp}
              companyId={String(company.id)}
              onDone={(text) => {
                close();
                onDone(text);
              }}
              onCancel={close}
            />
          )}
        </ActionButton>
      )}
      {baselineOp && (
        <button type="button" className="secondary" disabled={busy} onClick={() => void baseline()}>
          {busy ? 'Building…' : 'Build baseline'}
        </button>
      )}
      {decideOp && company && company.status === 'auditing' && (
        <ActionButton label="Record go/no-go decision" title="Record the go/no-go decision" className="">
          {(close) => (
            <OperationForm
              op={decideOp}
              fixed={{ id: String(company.id), audit_id: String(audit.id) }}
              hide={['coefficients']}
              labels={{ novel_mcps: 'Novel MCPs', novel_skills: 'Novel Skills', estimated_roi: 'Estimated ROI', estimated_roi_hours_per_month: 'Estimated ROI (hours per month)', employee_count: 'Employees to train' }}
              submitLabel="Record decision"
              onDone={(r) => {
                close();
                const d = (r as { decision?: Row }).decision;
                if (d?.id) navigate(`/go_no_go_decisions/${String(d.id)}`);
                else onDone('The decision is recorded.');
              }}
              onCancel={close}
            />
          )}
        </ActionButton>
      )}
    </div>
  );
}

const STATE_LABEL: Record<State, string> = { no_email: 'Not sent · no email', not_sent: 'Not sent', awaiting: 'Sent', completed: 'Completed' };
const STATE_TONE: Record<State, 'good' | 'warn' | 'plain' | 'bad'> = { no_email: 'bad', not_sent: 'plain', awaiting: 'warn', completed: 'good' };

function OrgChart({ audit, outstanding, surveyType, onDone }: { audit: Row; outstanding: Outstanding; surveyType: string; onDone: (text: string) => void }) {
  const schema = useSchema();
  const sentOp = schema.operation('assessment.record_surveys_sent');
  const completedOp = schema.operation('assessment.record_surveys_completed');
  const tasksOp = schema.operation('assessment.create_tasks_from_survey');
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [date, setDate] = useState(today());
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const people: (Person & { state: State })[] = [
    ...outstanding.no_email.map((p) => ({ ...p, state: 'no_email' as const })),
    ...outstanding.not_sent.map((p) => ({ ...p, state: 'not_sent' as const })),
    ...outstanding.awaiting.map((p) => ({ ...p, state: 'awaiting' as const })),
    ...outstanding.completed.map((p) => ({ ...p, state: 'completed' as const })),
  ].sort((a, b) => a.name.toLowerCase().localeCompare(b.name.toLowerCase()));
  const c = outstanding.counts;
  const sent = c.awaiting + c.completed;
  const toggle = (id: string, on: boolean) =>
    setSelected((s) => {
      const n = new Set(s);
      if (on) n.add(id);
      else n.delete(id);
      return n;
    });
  const ids = [...selected].filter((x) => people.some((p) => p.contact_id === x));

  const recordSent = async () => {
    if (!sentOp || ids.length === 0) return;
    setBusy(true);
    setProblem(null);
    try {
      const r = await runOperation<{ sent: number; already_sent: number }>(sentOp, { id: String(audit.id), survey_type: surveyType, sent_date: date, contact_ids: ids });
      onDone(`Survey link recorded as sent to ${r.sent} ${r.sent === 1 ? 'person' : 'people'}${r.already_sent ? ` (${r.already_sent} already had it)` : ''}.`);
      setSelected(new Set());
    } catch (e) {
      setProblem(messageOf(e));
    } finally {
      setBusy(false);
    }
  };

  const makeTasks = async (p: Person) => {
    if (!tasksOp) return;
    setProblem(null);
    try {
      const rows = await listRows('survey_responses', { contact_id: p.contact_id, survey_type: surveyType, survey_completed: 'true', ...(surveyType === 'audit' ? { audit_id: String(audit.id) } : {}) }, undefined, 1);
      const row = rows.items[0];
      if (!row) throw new Error(`No completed survey of ${p.name} was found.`);
      const r = await runOperation<{ created: number; existing: number }>(tasksOp, { id: String(row.id) });
      onDone(`${p.name}: ${r.created} ${r.created === 1 ? 'task' : 'tasks'} created, ${r.existing} already there.`);
    } catch (e) {
      setProblem(messageOf(e));
    }
  };

  return (
    <section aria-label="Survey tracking">
      <h2>Survey tracking against the org chart</h2>
      <div className="cards">
        <div className="kpi">
          <div className="label">On the org chart</div>
          <div className="value">{formatNumber(c.org_chart)}</div>
        </div>
        <div className="kpi">
          <div className="label">Sent</div>
          <div className="value" data-testid="as-sent">
            {formatNumber(sent)}
          </div>
        </div>
        <div className="kpi">
          <div className="label">Completed</div>
          <div className="value">{formatNumber(c.completed)}</div>
        </div>
        <div className="kpi">
          <div className="label">Outstanding</div>
          <div className="value">{formatNumber(c.outstanding)}</div>
          <div className="as-kpi-note">
            {c.no_email} no email · {c.not_sent} not sent · {c.awaiting} awaiting
          </div>
        </div>
      </div>
      <div className="as-progress">
        <label htmlFor="as-progress">
          Surveys completed: {c.completed} of {c.org_chart}
        </label>
        <progress id="as-progress" max={Math.max(c.org_chart, 1)} value={c.completed} />
        <p className="as-progress-text" role="status">
          {sent} of {c.org_chart} sent, {c.completed} of {c.org_chart} completed
        </p>
      </div>
      {people.length === 0 ? (
        <p className="empty">Nobody is on the org chart yet: import it, or add contacts to the company.</p>
      ) : (
        <>
          <div className="toolbar as-toolbar">
            <div className="field">
              <label htmlFor="as-date">Sent on</label>
              <input id="as-date" type="date" value={date} onChange={(e) => setDate(e.target.value)} />
            </div>
            <button type="button" className="secondary" onClick={() => setSelected(new Set(people.filter((p) => p.state === 'not_sent' || p.state === 'no_email').map((p) => p.contact_id)))}>
              Select not yet sent
            </button>
            {sentOp && (
              <button type="button" disabled={busy || ids.length === 0} onClick={() => void recordSent()}>
                Record surveys sent ({ids.length})
              </button>
            )}
          </div>
          <Alert>{problem}</Alert>
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">
                    <input
                      type="checkbox"
                      aria-label="Select everyone"
                      checked={ids.length === people.length}
                      onChange={(e) => setSelected(e.target.checked ? new Set(people.map((p) => p.contact_id)) : new Set())}
                    />
                  </th>
                  <th scope="col">Name</th>
                  <th scope="col">Role</th>
                  <th scope="col" className="hide-narrow">
                    Department
                  </th>
                  <th scope="col" className="hide-narrow">
                    Email
                  </th>
                  <th scope="col">Survey</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {people.map((p) => (
                  <tr key={p.contact_id}>
                    <td>
                      <input type="checkbox" aria-label={`Select ${p.name}`} checked={selected.has(p.contact_id)} onChange={(e) => toggle(p.contact_id, e.target.checked)} />
                    </td>
                    <td>
                      <Link to={`/contacts/${p.contact_id}`}>{p.name}</Link>
                    </td>
                    <td>{p.role_title ?? ''}</td>
                    <td className="hide-narrow">{p.department ?? ''}</td>
                    <td className="hide-narrow as-wrap">{p.email ?? <span className="muted">none</span>}</td>
                    <td>
                      <Badge tone={STATE_TONE[p.state]}>
                        {STATE_LABEL[p.state]}
                        {p.state === 'awaiting' && p.sent_date ? ` ${formatDate(p.sent_date)}` : ''}
                        {p.state === 'completed' && p.completed_date ? ` ${formatDate(p.completed_date)}` : ''}
                      </Badge>
                    </td>
                    <td className="as-row-actions">
                      {completedOp && (
                        <ActionButton label={p.state === 'completed' ? 'Answers' : 'Record completed'} ariaLabel={`Record the completed survey of ${p.name}`} title={`The completed survey of ${p.name}`} className="secondary small">
                          {(close) => (
                            <AnswersForm
                              op={completedOp}
                              audit={audit}
                              person={p}
                              surveyType={surveyType}
                              onDone={(text) => {
                                close();
                                onDone(text);
                              }}
                              onCancel={close}
                            />
                          )}
                        </ActionButton>
                      )}
                      {tasksOp && p.state === 'completed' && (
                        <button type="button" className="secondary small" onClick={() => void makeTasks(p)} aria-label={`Create tasks from the survey of ${p.name}`}>
                          Create tasks
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}

type PersonRow = { name: string; role_title: string; email: string; department: string };
const blankPerson = (): PersonRow => ({ name: '', role_title: '', email: '', department: '' });

/** The owner's org chart, one row per person; people already there (same email or name) are updated. */
function OrgChartImport({ op, companyId, onDone, onCancel }: { op: OperationInfo; companyId: string; onDone: (text: string) => void; onCancel: () => void }) {
  const [rows, setRows] = useState<PersonRow[]>([blankPerson(), blankPerson(), blankPerson()]);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const set = (i: number, k: keyof PersonRow, v: string) => setRows((rs) => rs.map((r, j) => (j === i ? { ...r, [k]: v } : r)));
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const filled = rows.map((r, i) => ({ r, i })).filter(({ r }) => Object.values(r).some((v) => v.trim()));
    if (filled.length === 0) {
      setProblem('Add at least one person.');
      return;
    }
    const people = filled.map(({ r }) => Object.fromEntries(Object.entries(r).filter(([, v]) => v.trim()).map(([k, v]) => [k, v.trim()])));
    setBusy(true);
    setProblem(null);
    setErrors({});
    try {
      const r = await runOperation<{ created: number; updated: number; unchanged: number }>(op, { id: companyId, people });
      onDone(`Org chart imported: ${r.created} added, ${r.updated} updated, ${r.unchanged} unchanged.`);
    } catch (err) {
      // people[n] of what was sent is row filled[n] of the form.
      const byField: Record<string, string> = {};
      for (const [k, m] of Object.entries(fieldErrorsOf(err))) {
        const hit = /^people(?:\[(\d+)\]|\.(\d+))\.?(.*)$/.exec(k);
        const row = hit ? filled[Number(hit[1] ?? hit[2])] : undefined;
        byField[row ? `${row.i}.${hit![3] || 'name'}` : k] = m;
      }
      setErrors(byField);
      setProblem(err instanceof ApiError && err.fields.length ? `${messageOf(err)} See the rows below.` : messageOf(err));
    } finally {
      setBusy(false);
    }
  };
  const cols: [keyof PersonRow, string, string][] = [
    ['name', 'Name', 'text'],
    ['role_title', 'Role', 'text'],
    ['email', 'Email', 'email'],
    ['department', 'Department', 'text'],
  ];
  return (
    <form onSubmit={submit} noValidate aria-label="Import the org chart">
      <p className="muted">One row per person. Someone already on file (same email, else same name) is updated, not duplicated. A blank email is kept as “no email”.</p>
      <Alert>{problem}</Alert>
      {rows.map((r, i) => (
        <fieldset key={i} className="group as-person">
          <legend>Person {i + 1}</legend>
          <div className="as-person-fields">
            {cols.map(([k, label, type]) => {
              const err = errors[`${i}.${k}`];
              const fid = `as-person-${i}-${k}`;
              return (
                <div key={k} className={err ? 'field invalid' : 'field'}>
                  <label htmlFor={fid}>
                    {label} {i + 1}
                  </label>
                  <input id={fid} type={type} value={r[k]} onChange={(e) => set(i, k, e.target.value)} aria-invalid={err ? true : undefined} />
                  {err && <small className="error">{err}</small>}
                </div>
              );
            })}
          </div>
          {rows.length > 1 && (
            <button type="button" className="secondary small" onClick={() => setRows((rs) => rs.filter((_, j) => j !== i))}>
              Remove person {i + 1}
            </button>
          )}
        </fieldset>
      ))}
      <div className="actions">
        <button type="button" className="secondary" onClick={() => setRows((rs) => [...rs, blankPerson()])}>
          Add person
        </button>
        <button type="submit" disabled={busy}>
          {busy ? 'Importing…' : 'Import'}
        </button>
        <button type="button" className="secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

type TaskRow = { task_name: string; software_used: string; frequency: string; time_before_ai: string };
const blankTask = (): TaskRow => ({ task_name: '', software_used: '', frequency: '', time_before_ai: '' });
const TASK_Q = /^Task \d+:/;

/** One person's completed survey: the answers to the questions they were sent, and their tasks. */
function AnswersForm({ op, audit, person, surveyType, onDone, onCancel }: { op: OperationInfo; audit: Row; person: Person; surveyType: string; onDone: (text: string) => void; onCancel: () => void }) {
  const rows = useAsync(
    () => listRows('survey_responses', { contact_id: person.contact_id, survey_type: surveyType, ...(surveyType === 'audit' ? { audit_id: String(audit.id) } : {}) }, 'created_at', 200),
    [person.contact_id, surveyType],
  );
  return (
    <Loaded state={rows} what="the survey">
      {(page) => <AnswersFields op={op} audit={audit} person={person} surveyType={surveyType} existing={page.items} onDone={onDone} onCancel={onCancel} />}
    </Loaded>
  );
}

function AnswersFields({ op, audit, person, surveyType, existing, onDone, onCancel }: { op: OperationInfo; audit: Row; person: Person; surveyType: string; existing: Row[]; onDone: (text: string) => void; onCancel: () => void }) {
  const questions = existing.filter((r) => !TASK_Q.test(String(r.question)));
  const [answers, setAnswers] = useState<Record<string, string>>(() => Object.fromEntries(questions.map((q) => [String(q.question), String(q.answer ?? '')])));
  const [tasks, setTasks] = useState<TaskRow[]>([blankTask()]);
  const [date, setDate] = useState(person.completed_date ?? today());
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const setTask = (i: number, k: keyof TaskRow, v: string) => setTasks((ts) => ts.map((t, j) => (j === i ? { ...t, [k]: v } : t)));
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const given = Object.entries(answers).filter(([, a]) => a.trim()).map(([question, answer]) => ({ question, answer }));
    const local: Record<string, string> = {};
    const filled = tasks.map((t, i) => ({ t, i })).filter(({ t }) => Object.values(t).some((v) => v.trim()));
    const taskList = filled.map(({ t, i }) => {
      const minutes = t.time_before_ai.trim();
      if (minutes && !/^\d+$/.test(minutes)) local[`tasks.${i}.time_before_ai`] = 'must be a whole number of minutes';
      return {
        task_name: t.task_name.trim(),
        ...(t.software_used.trim() ? { software_used: t.software_used.trim() } : {}),
        ...(t.frequency ? { frequency: t.frequency } : {}),
        ...(minutes && /^\d+$/.test(minutes) ? { time_before_ai: Number(minutes) } : {}),
      };
    });
    setErrors(local);
    if (Object.keys(local).length) return;
    setBusy(true);
    setProblem(null);
    try {
      await runOperation(op, {
        id: String(audit.id),
        survey_type: surveyType,
        responses: [{ contact_id: person.contact_id, ...(date ? { completed_date: date } : {}), ...(given.length ? { answers: given } : {}), ...(taskList.length ? { tasks: taskList } : {}) }],
      });
      onDone(`${person.name}'s survey is recorded as completed${taskList.length ? ` with ${taskList.length} ${taskList.length === 1 ? 'task' : 'tasks'}` : ''}.`);
    } catch (err) {
      const byField: Record<string, string> = {};
      for (const [k, m] of Object.entries(fieldErrorsOf(err))) {
        const hit = /^responses(?:\[0\]|\.0)\.tasks(?:\[(\d+)\]|\.(\d+))\.(.+)$/.exec(k);
        const row = hit ? filled[Number(hit[1] ?? hit[2])] : undefined;
        byField[row ? `tasks.${row.i}.${hit![3]}` : /^responses(?:\[0\]|\.0)\.completed_date$/.test(k) ? 'completed_date' : k] = m;
      }
      setErrors(byField);
      setProblem(messageOf(err));
    } finally {
      setBusy(false);
    }
  };
  const taskField = (i: number, k: keyof TaskRow, label: string) => {
    const fid = `as-task-${i}-${k}`;
    const err = errors[`tasks.${i}.${k}`];
    return (
      <div className={err ? 'field invalid' : 'field'}>
        <label htmlFor={fid}>
          {label} {i + 1}
        </label>
        {k === 'frequency' ? (
          <select id={fid} value={tasks[i]![k]} onChange={(e) => setTask(i, k, e.target.value)}>
            <option value="">—</option>
            {FREQUENCIES.map((f) => (
              <option key={f} value={f}>
                {humanise(f)}
              </option>
            ))}
          </select>
        ) : (
          <input id={fid} inputMode={k === 'time_before_ai' ? 'numeric' : undefined} value={tasks[i]![k]} onChange={(e) => setTask(i, k, e.target.value)} aria-invalid={err ? true : undefined} />
        )}
        {err && <small className="error">{err}</small>}
      </div>
    );
  };
  return (
    <form onSubmit={submit} noValidate aria-label={`Survey answers of ${person.name}`}>
      <Alert>{problem}</Alert>
      <div className={errors.completed_date ? 'field invalid' : 'field'}>
        <label htmlFor="as-answers-date">Completed on</label>
        <input id="as-answers-date" type="date" value={date} onChange={(e) => setDate(e.target.value)} aria-invalid={errors.completed_date ? true : undefined} />
        {errors.completed_date && <small className="error">Completed on {errors.completed_date}</small>}
      </div>
      {questions.length === 0 ? (
        <p className="muted">No questions were recorded as sent to {person.name}; record the tasks below, or send the survey first.</p>
      ) : (
        questions.map((q, i) => (
          <div className="field" key={String(q.id)}>
            <label htmlFor={`as-q-${i}`}>{String(q.question)}</label>
            <textarea id={`as-q-${i}`} rows={2} value={answers[String(q.question)] ?? ''} onChange={(e) => setAnswers((a) => ({ ...a, [String(q.question)]: e.target.value }))} />
          </div>
        ))
      )}
      <h3>Tasks</h3>
      {tasks.map((_, i) => (
        <fieldset key={i} className="group as-person">
          <legend>Task {i + 1}</legend>
          <div className="as-person-fields">
            {taskField(i, 'task_name', 'Task name')}
            {taskField(i, 'software_used', 'Software used')}
            {taskField(i, 'frequency', 'Frequency')}
            {taskField(i, 'time_before_ai', 'Minutes before AI')}
          </div>
        </fieldset>
      ))}
      <div className="actions">
        <button type="button" className="secondary" onClick={() => setTasks((ts) => [...ts, blankTask()])}>
          Add task
        </button>
        <button type="submit" disabled={busy}>
          {busy ? 'Saving…' : 'Record completed survey'}
        </button>
        <button type="button" className="secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
