/**
 * Company 360: one company with everything that hangs off it — details, contacts, a timeline
 * of interactions and notes, status history, deals, the assessment (audits, surveys, go/no-go,
 * proposals), delivery (engagements, tickets, invoices) and AI usage — and the actions the
 * signed-in person's role allows (the schema lists only operations they may run), with the
 * access request's download (the company and its people) for administrators.
 *
 * Also exports the small pieces the assessment screens share: a related-records table, a
 * button that opens an action in a dialog, status tones and value formatting.
 */
import type { SuggestedServices } from '../../../src/core/assistant/catalog-fit.ts';
import { useState, type FormEvent, type ReactNode } from 'react';
import { api, ApiError, messageOf, query, runOperation, type Page } from '../api.ts';
import { Link } from '../Link.tsx';
import { navigate, setQuery, useQuery } from '../router.ts';
import { humanise, recordLabel, singular, useSchema, type FieldInfo, type OperationInfo } from '../schema.tsx';
import { FieldInput, fromInput, toInput } from '../ui/fields.tsx';
import { OperationForm } from '../ui/OperationForm.tsx';
import { RecordForm } from '../ui/RecordForm.tsx';
import { Timeline } from '../ui/Timeline.tsx';
import { PrivacyCard } from './Contact.tsx';
import { Alert, Badge, Dialog, fieldErrorsOf, formatDate, formatDateTime, formatMoney, formatNumber, Loaded, Notice, safeHref, TabList, useAsync } from '../ui/ui.tsx';
import './company.css';

export type Row = Record<string, unknown>;
type Tone = 'good' | 'bad' | 'warn' | 'plain';

const GOOD = /^(go|accepted|won|completed|paid|resolved|closed_won|active|supporting|training|onboarding|delivered|high|strong|aligned|yes)$/;
const BAD = /^(no_go|lost|rejected|churned|cancelled|overdue|closed_lost|low|weak|none|unrealistic|no|void)$/;
const WARN = /^(conditional|under_review|paused|expired|auditing|proposal_sent|sent|tight|medium|moderate|open|pending|awaiting|in_progress)$/;

/** The colour a status or level reads as. */
export function toneOf(v: unknown): Tone | undefined {
  if (typeof v !== 'string') return undefined;
  if (GOOD.test(v)) return 'good';
  if (BAD.test(v)) return 'bad';
  if (WARN.test(v)) return 'warn';
  return undefined;
}

export function StatusBadge({ value }: { value: unknown }) {
  if (value === null || value === undefined || value === '') return <span className="muted">—</span>;
  const tone = toneOf(value);
  return <Badge {...(tone ? { tone } : {})}>{humanise(String(value))}</Badge>;
}

/** A stored value as a reader reads it, by the field's kind (money with the row's currency). */
export function formatValue(field: FieldInfo | undefined, v: unknown, row: Row = {}): ReactNode {
  if (v === null || v === undefined || v === '') return <span className="muted">—</span>;
  const kind = field?.kind;
  if (kind === 'boolean' || typeof v === 'boolean') return v ? 'Yes' : 'No';
  if (kind === 'date') return formatDate(String(v));
  if (kind === 'timestamp') return formatDateTime(String(v));
  if (kind === 'numeric' && field && /(^|_)(value|amount|price|fee|revenue|cost|total)(_|$)/.test(field.name)) return formatMoney(String(v), (row.currency as string | null) ?? null);
  if (kind === 'numeric' || kind === 'integer' || kind === 'bigint') return formatNumber(v as string | number, 2);
  if (field?.name === 'status' || field?.name === 'stage' || field?.name === 'decision') return <StatusBadge value={v} />;
  if (kind === 'enum') return humanise(String(v));
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** A page of a table's records matching `filter` (limit 200 at most). */
export function listRows(table: string, filter: Record<string, string | number | undefined>, sort?: string, limit = 50): Promise<Page<Row>> {
  return api<Page<Row>>('GET', `/api/v1/${table}${query({ ...filter, ...(sort ? { sort } : {}), limit })}`);
}

/**
 * The records of a table that belong to something (a company's deals, an audit's decisions):
 * each row a link to its record, the columns formatted by kind, and a sentence when there are none.
 */
export function RelatedList({
  table,
  filter,
  columns,
  title,
  label,
  sort,
  reload = 0,
  headingLevel = 2,
}: {
  table: string;
  filter: Record<string, string>;
  columns: string[];
  title?: string;
  label?: (row: Row) => string;
  sort?: string;
  reload?: number;
  headingLevel?: 2 | 3;
}) {
  const schema = useSchema();
  const t = schema.table(table);
  const heading = title ?? humanise(table);
  const state = useAsync(() => (t ? listRows(table, filter, sort ?? t.default_sort) : Promise.resolve({ items: [], next_cursor: null })), [table, JSON.stringify(filter), sort, reload, Boolean(t)]);
  const H = headingLevel === 2 ? 'h2' : 'h3';
  if (!t) return null;
  const fields = columns.map((c) => t.fields.find((f) => f.name === c));
  return (
    <section className="co-related" aria-label={heading}>
      <H>{heading}</H>
      <Loaded state={state} what={heading.toLowerCase()}>
        {(page) =>
          page.items.length === 0 ? (
            <p className="empty">No {heading.toLowerCase()} yet.</p>
          ) : (
            <>
              <div className="table-wrap">
                <table>
                  <thead>
                    <tr>
                      <th scope="col">{humanise(singular(table))}</th>
                      {columns.map((c) => (
                        <th key={c} scope="col">
                          {humanise(c)}
                        </th>
                      ))}
                    </tr>
                  </thead>
                  <tbody>
                    {page.items.map((row) => (
                      <tr key={String(row.id)}>
                        <td>
                          <Link to={`/${table}/${String(row.id)}`}>{label ? label(row) : recordLabel(row)}</Link>
                        </td>
                        {columns.map((c, i) => (
                          <td key={c}>{formatValue(fields[i], row[c], row)}</td>
                        ))}
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              {page.next_cursor && (
                <p className="co-small muted">
                  Showing the first {page.items.length}. <Link to={`/${table}${query(filter)}`}>See them all</Link>
                </p>
              )}
            </>
          )
        }
      </Loaded>
    </section>
  );
}

/** A button that opens its form in a dialog; the form gets `close`. */
export function ActionButton({ label, title, children, className, ariaLabel }: { label: string; title?: string; className?: string; ariaLabel?: string; children: (close: () => void) => ReactNode }) {
  const [open, setOpen] = useState(false);
  const close = () => setOpen(false);
  return (
    <>
      <button type="button" className={className ?? 'secondary'} onClick={() => setOpen(true)} aria-label={ariaLabel}>
        {label}
      </button>
      <Dialog title={title ?? label} open={open} onClose={close}>
        {open && children(close)}
      </Dialog>
    </>
  );
}

/**
 * An operation whose input holds a record's fields as one object (`interaction`, `meeting`):
 * those fields are shown as the table's own inputs (the generic form cannot draw an object
 * without properties), with a choice among the company's contacts.
 */
export function NestedRecordForm({
  op,
  fixed,
  objectKey,
  table,
  fields,
  contacts,
  initial = {},
  submitLabel,
  onDone,
  onCancel,
}: {
  op: OperationInfo;
  fixed: Row;
  objectKey: string;
  table: string;
  fields: string[];
  contacts?: Row[];
  initial?: Row;
  submitLabel?: string;
  onDone: (result: unknown) => void;
  onCancel?: () => void;
}) {
  const schema = useSchema();
  const t = schema.table(table);
  const infos = fields.map((n) => t?.fields.find((f) => f.name === n)).filter((f): f is FieldInfo => Boolean(f));
  const [values, setValues] = useState<Record<string, string | boolean>>(() => Object.fromEntries(infos.map((f) => [f.name, toInput(f, initial[f.name])])));
  const [contactId, setContactId] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const obj: Row = {};
    const local: Record<string, string> = {};
    for (const f of infos) {
      try {
        const v = fromInput(f, values[f.name] ?? '');
        if (v === null || (f.kind === 'boolean' && v === false)) continue;
        obj[f.name] = v;
      } catch (err) {
        local[f.name] = messageOf(err);
      }
    }
    setErrors(local);
    if (Object.keys(local).length) return;
    setBusy(true);
    setProblem(null);
    try {
      onDone(await runOperation(op, { ...fixed, ...(contactId ? { contact_id: contactId } : {}), [objectKey]: obj }));
    } catch (err) {
      const byField: Record<string, string> = {};
      for (const [k, m] of Object.entries(fieldErrorsOf(err))) byField[k.startsWith(`${objectKey}.`) ? k.slice(objectKey.length + 1) : k] = m;
      setErrors(byField);
      const unshown = err instanceof ApiError ? Object.keys(byField).filter((k) => !infos.some((f) => f.name === k)) : [];
      setProblem(`${messageOf(err)}${unshown.length ? ` (${unshown.map((k) => `${k} ${byField[k]}`).join('; ')})` : ''}`);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="op-form" onSubmit={submit} noValidate aria-label={op.summary}>
      <Alert>{problem}</Alert>
      {contacts && (
        <div className="field">
          <label htmlFor={`${objectKey}-contact`}>Contact</label>
          <select id={`${objectKey}-contact`} value={contactId} onChange={(e) => setContactId(e.target.value)}>
            <option value="">— nobody in particular —</option>
            {contacts.map((c) => (
              <option key={String(c.id)} value={String(c.id)}>
                {recordLabel(c)}
                {c.role_title ? ` (${String(c.role_title)})` : ''}
              </option>
            ))}
          </select>
          {errors.contact_id && <small className="error">Contact {errors.contact_id}</small>}
        </div>
      )}
      <div className="form-grid">
        {infos.map((f) => (
          <FieldInput key={f.name} field={f} value={values[f.name] ?? ''} onChange={(v) => setValues((s) => ({ ...s, [f.name]: v }))} error={errors[f.name]} />
        ))}
      </div>
      <div className="actions">
        <button type="submit" disabled={busy}>
          {busy ? 'Working…' : (submitLabel ?? op.summary)}
        </button>
        {onCancel && (
          <button type="button" className="secondary" onClick={onCancel}>
            Cancel
          </button>
        )}
      </div>
    </form>
  );
}

/** The names of some companies by id (one request), for lists that show the company of each row. */
export async function companyNames(ids: unknown[]): Promise<Map<string, Row>> {
  const unique = [...new Set(ids.filter((x): x is string => typeof x === 'string' && x !== ''))];
  const out = new Map<string, Row>();
  for (let i = 0; i < unique.length; i += 100) {
    const page = await listRows('companies', { 'id[in]': unique.slice(i, i + 100).join(',') }, undefined, 200);
    for (const c of page.items) out.set(String(c.id), c);
  }
  return out;
}

// ---------------------------------------------------------------------------
// The page

type History = { entries: { status: string; from_status?: string | null; entered_at: string; exited_at: string | null; duration_days: number | null; current?: boolean; reason?: string | null }[] };

const TABS = [
  ['overview', 'Overview'],
  ['contacts', 'Contacts'],
  ['timeline', 'Timeline'],
  ['deals', 'Deals'],
  ['assessment', 'Assessment'],
  ['delivery', 'Delivery'],
  ['usage', 'AI usage'],
] as const;
type Tab = (typeof TABS)[number][0];

export function CompanyPage({ id }: { id: string }) {
  const schema = useSchema();
  const q = useQuery();
  const tab: Tab = (TABS.find(([k]) => k === q.get('tab'))?.[0] ?? 'overview') as Tab;
  const [tick, setTick] = useState(0);
  const [notice, setNotice] = useState<{ kind: 'ok' | 'error'; text: ReactNode } | null>(null);
  const refresh = () => setTick((t) => t + 1);
  const state = useAsync(async () => {
    const company = await api<Row>('GET', `/api/v1/companies/${encodeURIComponent(id)}`);
    const owner = company.owner_id && schema.table('users') ? await api<Row>('GET', `/api/v1/users/${String(company.owner_id)}`).catch(() => null) : null;
    const contacts = schema.table('contacts') ? (await listRows('contacts', { company_id: id }, 'name', 200)).items : [];
    return { company, owner, contacts };
  }, [id, tick]);

  return (
    <section className="co-page">
      <p className="co-crumbs">
        <Link to="/companies">Companies</Link> /
      </p>
      <Loaded state={state} what="the company">
        {({ company, owner, contacts }) => (
          <>
            <Header company={company} owner={owner} contacts={contacts} onChanged={refresh} setNotice={setNotice} />
            {notice && <Notice kind={notice.kind}>{notice.text}</Notice>}
            <Tabs current={tab} />
            <div role="tabpanel" id={`co-panel-${tab}`} aria-labelledby={`co-tab-${tab}`} tabIndex={0} className="co-panel">
              {tab === 'overview' && (
                <>
                  <Overview company={company} reload={tick} />
                  <SuggestedServices companyId={id} reload={tick} />
                  <PrivacyCard table="companies" id={id} what="this company and each of its contacts and leads" />
                </>
              )}
              {tab === 'contacts' && <Contacts company={company} contacts={contacts} onChanged={refresh} />}
              {tab === 'timeline' && (
                <Timeline
                  title="Timeline"
                  interactions={{ company_id: String(company.id) }}
                  notes={{ note_type: 'company', related_id: String(company.id) }}
                  newNote={{ note_type: 'company', related_id: String(company.id) }}
                  limit={100}
                  names={new Map(contacts.map((c) => [String(c.id), recordLabel(c)]))}
                  canNote
                  reload={tick}
                />
              )}
              {tab === 'deals' && <RelatedList table="deals" filter={{ company_id: id }} columns={['stage', 'value', 'probability', 'expected_close_date']} reload={tick} />}
              {tab === 'assessment' && <AssessmentLists companyId={id} reload={tick} />}
              {tab === 'delivery' && <DeliveryLists companyId={id} reload={tick} />}
              {tab === 'usage' && <Usage companyId={id} />}
            </div>
          </>
        )}
      </Loaded>
    </section>
  );
}

function Tabs({ current }: { current: Tab }) {
  return <TabList tabs={TABS} current={current} onSelect={(k) => setQuery(k === 'overview' ? {} : { tab: k })} idPrefix="co" label="Company sections" />;
}

function healthTone(score: number): Tone {
  return score >= 70 ? 'good' : score >= 40 ? 'warn' : 'bad';
}

function Header({ company, owner, contacts, onChanged, setNotice }: { company: Row; owner: Row | null; contacts: Row[]; onChanged: () => void; setNotice: (n: { kind: 'ok' | 'error'; text: ReactNode } | null) => void }) {
  const schema = useSchema();
  const id = String(company.id);
  const archived = company.archived_at !== null && company.archived_at !== undefined;
  const status = String(company.status ?? '');
  const health = typeof company.health_score === 'number' ? company.health_score : null;
  const logOp = schema.operation('sales.log_interaction');
  const meetOp = schema.operation('sales.schedule_meeting');
  const auditOp = schema.operation('assessment.start_audit');
  const lostOp = schema.operation('sales.mark_lost');
  const done = (text: ReactNode) => {
    setNotice({ kind: 'ok', text });
    onChanged();
  };
  const archive = async (verb: 'archive' | 'restore', close: () => void) => {
    try {
      await api('POST', `/api/v1/companies/${id}/${verb}`);
      close();
      done(verb === 'archive' ? 'The company is archived.' : 'The company is restored.');
    } catch (e) {
      close();
      setNotice({ kind: 'error', text: messageOf(e) });
    }
  };
  return (
    <div className="page-head co-head">
      <div>
        <h1>{String(company.name ?? '')}</h1>
        <p className="co-meta">
          <StatusBadge value={status} />
          {archived && <Badge tone="plain">Archived</Badge>}
          <span>
            Owner: {owner ? <Link to={`/users/${String(owner.id)}`}>{recordLabel(owner)}</Link> : <span className="muted">nobody</span>}
          </span>
          <span>
            Health:{' '}
            {health === null ? (
              <span className="muted">not scored yet</span>
            ) : (
              <>
                <Badge tone={healthTone(health)}>{health} / 100</Badge>
                {typeof company.health_calculated_at === 'string' && <span className="co-small muted"> as of {formatDate(company.health_calculated_at)}</span>}
              </>
            )}
          </span>
        </p>
      </div>
      <div className="actions co-actions">
        {!archived && schema.can('companies', 'update') && (
          <ActionButton label="Edit" title="Edit the company">
            {(close) => (
              <RecordForm
                table="companies"
                record={company}
                onSaved={() => {
                  close();
                  done('Saved.');
                }}
                onCancel={close}
              />
            )}
          </ActionButton>
        )}
        {!archived && logOp && (
          <ActionButton label="Log interaction" title="Log an interaction">
            {(close) => (
              <NestedRecordForm
                op={logOp}
                fixed={{ company_id: id }}
                objectKey="interaction"
                table="interactions"
                fields={['type', 'direction', 'interaction_date', 'subject', 'summary', 'sentiment', 'outcome', 'next_step', 'follow_up_date']}
                contacts={contacts}
                submitLabel="Log interaction"
                onDone={() => {
                  close();
                  done('The interaction is logged.');
                }}
                onCancel={close}
              />
            )}
          </ActionButton>
        )}
        {!archived && meetOp && (
          <ActionButton label="Schedule meeting" title="Schedule a meeting">
            {(close) => (
              <NestedRecordForm
                op={meetOp}
                fixed={{ company_id: id }}
                objectKey="meeting"
                table="interactions"
                fields={['meeting_type', 'scheduled_at', 'duration_minutes', 'subject', 'meeting_url', 'attendees', 'notes']}
                contacts={contacts}
                submitLabel="Schedule meeting"
                onDone={() => {
                  close();
                  done('The meeting is scheduled.');
                }}
                onCancel={close}
              />
            )}
          </ActionButton>
        )}
        {!archived && auditOp && status === 'meeting_complete' && (
          <ActionButton label="Start audit" title="Start the audit">
            {(close) => (
              <OperationForm
                op={auditOp}
                fixed={{ id }}
                submitLabel="Start audit"
                onDone={(r) => {
                  close();
                  const audit = (r as { audit?: Row }).audit;
                  if (audit?.id) navigate(`/audits/${String(audit.id)}`);
                  else done('The audit has started.');
                }}
                onCancel={close}
              />
            )}
          </ActionButton>
        )}
        {!archived && lostOp && status !== 'lost' && (
          <ActionButton label="Mark lost" title="Mark the company lost">
            {(close) => (
              <OperationForm
                op={lostOp}
                fixed={{ id, expected_version: company.version }}
                submitLabel="Mark lost"
                onDone={() => {
                  close();
                  done('The company is marked lost.');
                }}
                onCancel={close}
              />
            )}
          </ActionButton>
        )}
        {schema.can('companies', archived ? 'restore' : 'archive') && (
          <ActionButton label={archived ? 'Restore' : 'Archive'} title={archived ? 'Restore the company' : 'Archive the company'}>
            {(close) => (
              <div>
                <p>{archived ? 'Bring the company back into lists and the pipeline?' : 'Archive the company? It leaves lists and the pipeline; you can restore it later.'}</p>
                <div className="actions">
                  <button type="button" className={archived ? undefined : 'danger'} onClick={() => void archive(archived ? 'restore' : 'archive', close)}>
                    {archived ? 'Restore' : 'Archive'}
                  </button>
                  <button type="button" className="secondary" onClick={close}>
                    Cancel
                  </button>
                </div>
              </div>
            )}
          </ActionButton>
        )}
      </div>
    </div>
  );
}

const DETAIL_FIELDS = ['legal_name', 'industry', 'size', 'employee_count', 'location', 'city', 'country', 'address', 'source', 'tier', 'lost_reason', 'annual_revenue', 'total_revenue', 'monthly_recurring', 'contract_start_date', 'contract_end_date', 'founded_year', 'domain', 'description'];

function Overview({ company, reload }: { company: Row; reload: number }) {
  const schema = useSchema();
  const t = schema.table('companies');
  const field = (n: string) => t?.fields.find((f) => f.name === n);
  const website = safeHref(company.website);
  const history = useAsync(() => api<History>('GET', `/api/v1/status_history/company/${String(company.id)}`), [company.id, reload]);
  const shown = DETAIL_FIELDS.filter((n) => company[n] !== null && company[n] !== undefined && company[n] !== '');
  return (
    <div className="grid-2">
      <section aria-label="Details">
        <h2>Details</h2>
        <dl className="details">
          <dt>Status</dt>
          <dd>
            <StatusBadge value={company.status} />
          </dd>
          <dt>Location</dt>
          <dd>{company.location ? String(company.location) : '—'}</dd>
          {shown
            .filter((n) => n !== 'location')
            .map((n) => (
              <div key={n} className="co-pair">
                <dt>{n === 'employee_count' ? 'Staff' : humanise(n)}</dt>
                <dd>{formatValue(field(n), company[n], company)}</dd>
              </div>
            ))}
          <dt>Website</dt>
          <dd>
            {website ? (
              <a href={website} rel="noopener noreferrer" target="_blank">
                {String(company.website)}
              </a>
            ) : (
              String(company.website ?? '—')
            )}
          </dd>
          <dt>Notes</dt>
          <dd className="notes">{company.notes === null || company.notes === undefined ? '' : String(company.notes)}</dd>
        </dl>
      </section>
      <section aria-label="Status history">
        <h2>Status history</h2>
        <Loaded state={history} what="the status history">
          {(h) =>
            h.entries.length === 0 ? (
              <p className="empty">No status changes recorded yet.</p>
            ) : (
              <ol className="co-history">
                {[...h.entries].reverse().map((e) => (
                  <li key={`${e.status}-${e.entered_at}`}>
                    <StatusBadge value={e.status} /> <span>from {formatDateTime(e.entered_at)}</span>
                    {e.exited_at ? <span> to {formatDateTime(e.exited_at)}</span> : <span className="co-small muted"> (now)</span>}
                    {e.duration_days !== null && (
                      <span className="co-small muted">
                        {' '}
                        · {e.duration_days} {e.duration_days === 1 ? 'day' : 'days'}
                      </span>
                    )}
                    {e.reason && <div className="co-small muted">{e.reason}</div>}
                  </li>
                ))}
              </ol>
            )
          }
        </Loaded>
      </section>
    </div>
  );
}

type Suggested = SuggestedServices;

/** The catalog's services linked to the company's industry (services.suggest), or the server's word on why there are none. */
function SuggestedServices({ companyId, reload }: { companyId: string; reload: number }) {
  const schema = useSchema();
  const op = schema.operation('services.suggest');
  const state = useAsync(() => (op ? api<Suggested>('GET', `/api/v1/companies/${encodeURIComponent(companyId)}/suggested_services`) : Promise.resolve(null)), [companyId, reload, Boolean(op)]);
  if (!op) return null;
  return (
    <section aria-label="Suggested services" className="co-related">
      <h2>Suggested services</h2>
      <Loaded state={state} what="suggested services">
        {(s) =>
          !s ? null : (
            <>
              {s.industry && <p className="co-small muted">Services that fit the industry {s.industry.name}.</p>}
              {s.items.length === 0 ? (
                <p className="empty">{s.message ?? 'No service fits this company yet.'}</p>
              ) : (
                <ul>
                  {s.items.map((i) => (
                    <li key={i.service_id}>
                      <Link to={`/services/${i.service_id}`}>{i.name}</Link>
                      {i.service_category ? <span className="co-small muted"> · {humanise(i.service_category)}</span> : null}
                      {i.fit_notes ? <div className="co-entry-text co-small">{i.fit_notes}</div> : null}
                    </li>
                  ))}
                </ul>
              )}
            </>
          )
        }
      </Loaded>
    </section>
  );
}

function Contacts({ company, contacts, onChanged }: { company: Row; contacts: Row[]; onChanged: () => void }) {
  const schema = useSchema();
  const id = String(company.id);
  return (
    <section aria-label="Contacts">
      <div className="page-head">
        <h2>Contacts</h2>
        {schema.can('contacts', 'create') && (
          <ActionButton label="Add contact" title="Add a contact">
            {(close) => (
              <RecordForm
                table="contacts"
                fixed={{ company_id: id }}
                only={['name', 'role_title', 'department', 'email', 'phone', 'mobile', 'is_decision_maker', 'is_primary', 'relationship_type', 'notes']}
                submitLabel="Add contact"
                onSaved={() => {
                  close();
                  onChanged();
                }}
                onCancel={close}
              />
            )}
          </ActionButton>
        )}
      </div>
      {!schema.table('contacts') ? (
        <p className="empty">You may not see contacts.</p>
      ) : contacts.length === 0 ? (
        <p className="empty">No contacts yet.</p>
      ) : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Role</th>
                <th scope="col" className="hide-narrow">
                  Department
                </th>
                <th scope="col">Email</th>
                <th scope="col" className="hide-narrow">
                  Phone
                </th>
              </tr>
            </thead>
            <tbody>
              {contacts.map((c) => {
                const mail = typeof c.email === 'string' && c.email ? safeHref(`mailto:${c.email}`) : undefined;
                const phone = typeof c.phone === 'string' && c.phone ? safeHref(`tel:${c.phone.replace(/\s+/g, '')}`) : undefined;
                return (
                  <tr key={String(c.id)}>
                    <td>
                      <Link to={`/contacts/${String(c.id)}`}>{recordLabel(c)}</Link>
                      {c.is_decision_maker === true && (
                        <>
                          {' '}
                          <Badge tone="good">Decision maker</Badge>
                        </>
                      )}
                      {c.is_active === false && (
                        <>
                          {' '}
                          <Badge tone="plain">Inactive</Badge>
                        </>
                      )}
                    </td>
                    <td>{String(c.role_title ?? '')}</td>
                    <td className="hide-narrow">{String(c.department ?? '')}</td>
                    <td className="co-wrap">{mail ? <a href={mail}>{String(c.email)}</a> : <span className="muted">no email</span>}</td>
                    <td className="hide-narrow">{phone ? <a href={phone}>{String(c.phone)}</a> : ''}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}


/** Survey responses are one row per question: shown one line per person and survey. */
function SurveyList({ companyId, reload }: { companyId: string; reload: number }) {
  const schema = useSchema();
  const state = useAsync(async () => {
    if (!schema.table('survey_responses')) return null;
    const rows = (await listRows('survey_responses', { company_id: companyId }, '-updated_at', 200)).items;
    const byPerson = new Map<string, { first: Row; contact_id: string; type: string; sent: string | null; completed: string | null; sentAny: boolean; done: boolean; questions: number }>();
    for (const r of rows) {
      const key = `${String(r.contact_id)}|${String(r.survey_type)}`;
      const g = byPerson.get(key) ?? { first: r, contact_id: String(r.contact_id), type: String(r.survey_type), sent: null, completed: null, sentAny: false, done: false, questions: 0 };
      g.questions += 1;
      g.sentAny ||= r.survey_sent === true;
      g.done ||= r.survey_completed === true;
      g.sent ??= (r.survey_sent_date as string | null) ?? null;
      g.completed ??= (r.survey_completed_date as string | null) ?? null;
      byPerson.set(key, g);
    }
    const people = schema.table('contacts') && byPerson.size ? (await listRows('contacts', { 'id[in]': [...new Set([...byPerson.values()].map((g) => g.contact_id))].join(',') }, undefined, 200)).items : [];
    const names = new Map(people.map((p) => [String(p.id), recordLabel(p)]));
    return [...byPerson.values()].map((g) => ({ ...g, name: names.get(g.contact_id) ?? 'Someone you may not see' }));
  }, [companyId, reload]);
  if (!schema.table('survey_responses')) return null;
  return (
    <section aria-label="Survey responses">
      <h2>Survey responses</h2>
      <Loaded state={state} what="survey responses">
        {(list) =>
          !list || list.length === 0 ? (
            <p className="empty">No survey responses yet.</p>
          ) : (
            <div className="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Person</th>
                    <th scope="col">Survey</th>
                    <th scope="col">State</th>
                    <th scope="col">Questions</th>
                  </tr>
                </thead>
                <tbody>
                  {list.map((g) => (
                    <tr key={`${g.contact_id}-${g.type}`}>
                      <td>
                        <Link to={`/survey_responses/${String(g.first.id)}`}>{g.name}</Link>
                      </td>
                      <td>{humanise(g.type)}</td>
                      <td>
                        {g.done ? <Badge tone="good">Completed {formatDate(g.completed)}</Badge> : g.sentAny ? <Badge tone="warn">Sent {formatDate(g.sent)}</Badge> : <Badge tone="plain">Not sent</Badge>}
                      </td>
                      <td className="num">{g.questions}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )
        }
      </Loaded>
    </section>
  );
}

const auditLabel = (r: Row) => `Audit${r.audit_date ? ` of ${formatDate(String(r.audit_date))}` : ''}`;
const decisionLabel = (r: Row) => `${humanise(String(r.decision ?? 'decision'))}${r.decision_date ? `, ${formatDate(String(r.decision_date))}` : ''}`;
const proposalLabel = (r: Row) => String(r.package || `Proposal ${formatDate(String(r.created_at ?? ''))}`);

function AssessmentLists({ companyId, reload }: { companyId: string; reload: number }) {
  return (
    <>
      <RelatedList table="audits" filter={{ company_id: companyId }} sort="-created_at" label={auditLabel} columns={['surveys_sent', 'surveys_completed', 'team_size', 'digital_maturity']} reload={reload} />
      <SurveyList companyId={companyId} reload={reload} />
      <RelatedList table="go_no_go_decisions" title="Go/no-go decisions" filter={{ company_id: companyId }} sort="-created_at" label={decisionLabel} columns={['recommended_package', 'estimated_hours_per_week', 'capacity_sufficient']} reload={reload} />
      <RelatedList table="proposals" filter={{ company_id: companyId }} sort="-created_at" label={proposalLabel} columns={['status', 'value', 'sent_date', 'expires_date']} reload={reload} />
    </>
  );
}

function DeliveryLists({ companyId, reload }: { companyId: string; reload: number }) {
  return (
    <>
      <RelatedList table="engagements" filter={{ company_id: companyId }} sort="-created_at" columns={['status', 'package', 'value', 'start_date', 'end_date']} reload={reload} />
      <RelatedList table="support_tickets" filter={{ company_id: companyId }} sort="-created_at" label={(r) => `${String(r.ticket_number ?? '')} ${String(r.subject ?? '')}`.trim()} columns={['status', 'priority', 'request_date']} reload={reload} />
      <RelatedList table="invoices" filter={{ company_id: companyId }} sort="-created_at" columns={['status', 'amount', 'issue_date', 'due_date']} reload={reload} />
    </>
  );
}

type UsageSummary = { total: { tokens_used: number; records: number }; months: { month: string; tokens_used: number; records: number }[]; contacts: { contact_id: string | null; name: string | null; tokens_used: number }[] };

/** usage.summary filters by engagement: one summary per engagement of the company. */
function Usage({ companyId }: { companyId: string }) {
  const schema = useSchema();
  const op = schema.operation('usage.summary');
  const state = useAsync(async () => {
    if (!op || !schema.table('engagements')) return [];
    const engagements = (await listRows('engagements', { company_id: companyId }, '-created_at', 50)).items;
    return Promise.all(engagements.map(async (e) => ({ engagement: e, summary: await runOperation<UsageSummary>(op, { engagement_id: String(e.id) }) })));
  }, [companyId, Boolean(op)]);
  if (!op) return <p className="empty">You may not see AI usage.</p>;
  return (
    <section aria-label="AI usage">
      <h2>AI usage</h2>
      <Loaded state={state} what="AI usage">
        {(list) =>
          list.length === 0 ? (
            <p className="empty">No engagements yet, so no AI usage.</p>
          ) : (
            list.map(({ engagement, summary }) => (
              <div key={String(engagement.id)} className="card co-usage">
                <h3>
                  <Link to={`/engagements/${String(engagement.id)}`}>{recordLabel(engagement)}</Link>
                </h3>
                {summary.total.records === 0 ? (
                  <p className="empty">No AI usage recorded yet.</p>
                ) : (
                  <>
                    <p>
                      <strong>{formatNumber(summary.total.tokens_used)}</strong> tokens in {formatNumber(summary.total.records)} records
                    </p>
                    <div className="table-wrap">
                      <table>
                        <thead>
                          <tr>
                            <th scope="col">Month</th>
                            <th scope="col" className="num">
                              Tokens
                            </th>
                            <th scope="col" className="num">
                              Records
                            </th>
                          </tr>
                        </thead>
                        <tbody>
                          {summary.months.map((m) => (
                            <tr key={m.month}>
                              <td>{m.month}</td>
                              <td className="num">{formatNumber(m.tokens_used)}</td>
                              <td className="num">{formatNumber(m.records)}</td>
                            </tr>
                          ))}
                        </tbody>
                      </table>
                    </div>
                    <p className="co-small muted">
                      Top users:{' '}
                      {summary.contacts
                        .slice(0, 5)
                        .map((c) => `${c.name ?? (c.contact_id ? 'someone you may not see' : 'unattributed')} (${formatNumber(c.tokens_used)})`)
                        .join(', ')}
                    </p>
                  </>
                )}
              </div>
            ))
          )
        }
      </Loaded>
    </section>
  );
}
