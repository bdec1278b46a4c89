/**
 * One event (seed 003) at /events/<id>: what, when and where, who it is for and what it
 * features; its attendance by company (events.attendance) with check-in (events.check_in),
 * each attendee's status and a way to add one; the interactions logged at the event and the
 * outreach drafts tied to it. Only the acts the person's role allows are offered.
 */
import { useState, type FormEvent } from 'react';
import { api, listAll, messageOf, type Page, query } from '../api.ts';
import { Link } from '../Link.tsx';
import { humanise, recordLabel, useSchema } from '../schema.tsx';
import { RecordPicker } from '../ui/fields.tsx';
import { useLabels } from '../ui/labels.ts';
import { RecordForm } from '../ui/RecordForm.tsx';
import { Alert, Badge, Dialog, fieldErrorsOf, formatDateTime, formatNumber, Loaded, Notice, Section, useAsync } from '../ui/ui.tsx';
import { DraftList } from './Campaign.tsx';
import './marketing.css';

type Row = Record<string, unknown>;
type Attendee = { id: string; contact_id: string; name: string; title: string | null; status: string; role: string | null };
type Attendance = {
  event: Row;
  totals: { attendees: number; companies: number; by_status: Record<string, number> };
  companies: Array<{ company_id: string | null; company_name: string | null; attendees: Attendee[]; counts: Record<string, number> }>;
  interactions: { total: number; latest: Row[] };
  outreach_drafts: { total: number; by_status: Record<string, number> };
};

const enc = encodeURIComponent;
const str = (v: unknown): string => (v === null || v === undefined ? '' : String(v));
const ATTENDEE_FALLBACK = ['invited', 'registered', 'attended', 'no_show', 'cancelled'];
type Tone = 'good' | 'bad' | 'warn' | 'plain';
const TONE: Record<string, Tone> = { attended: 'good', no_show: 'bad', cancelled: 'bad', invited: 'plain', open: 'good', completed: 'plain', planned: 'warn' };
const Status = ({ value }: { value: string }) => <Badge {...(TONE[value] ? { tone: TONE[value] } : {})}>{humanise(value)}</Badge>;


export function EventPage({ id }: { id: string }) {
  const [tick, setTick] = useState(0);
  const state = useAsync(async () => {
    const [attendance, rows] = await Promise.all([api<Attendance>('GET', `/api/v1/events/${enc(id)}/attendance`), listAll('event_attendees', { event_id: id })]);
    return { attendance, rows };
  }, [id, tick]);
  return (
    <Loaded state={state} what="the event">
      {({ attendance, rows }) => <EventView a={attendance} rows={rows} tick={tick} refresh={() => setTick((t) => t + 1)} />}
    </Loaded>
  );
}

function Chips({ label, values }: { label: string; values: unknown }) {
  const list = Array.isArray(values) ? values.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).filter(Boolean) : [];
  return (
    <div className="mk-chip-row">
      <span>{label}</span>
      {list.length === 0 ? (
        <span className="muted">None given</span>
      ) : (
        <ul className="chips mk-chips" aria-label={label}>
          {list.map((v, i) => (
            <li key={`${i}-${v}`}>{v}</li>
          ))}
        </ul>
      )}
    </div>
  );
}

function EventView({ a, rows, tick, refresh }: { a: Attendance; rows: Row[]; tick: number; refresh: () => void }) {
  const schema = useSchema();
  const e = a.event;
  const id = str(e.id);
  const archived = e.archived_at !== null && e.archived_at !== undefined;
  const [editing, setEditing] = useState(false);
  const [adding, setAdding] = useState(false);
  const [notice, setNotice] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  const ownerId = str(e.owner_id);
  const label = useLabels(ownerId ? [['users', ownerId]] : []);
  const statuses = schema.table('event_attendees')?.fields.find((f) => f.name === 'status')?.values ?? ATTENDEE_FALLBACK;
  const mayAdd = schema.can('event_attendees', 'create') && !archived && e.status !== 'cancelled';
  const done = (text: string) => {
    setNotice({ kind: 'ok', text });
    refresh();
  };
  const failed = (text: string) => setNotice({ kind: 'error', text });
  const versions = new Map(rows.map((r) => [str(r.id), r]));
  const drafts = useAsync(() => api<Page<Row>>('GET', `/api/v1/outreach_drafts${query({ event_id: id, sort: '-created_at', limit: 50 })}`), [id, tick]);

  return (
    <section className="mk">
      <p className="muted">
        <Link to="/events">← Events</Link>
      </p>
      <div className="page-head">
        <div>
          <h1>{str(e.name)}</h1>
          <p className="mk-sub">
            <Badge tone="plain">{humanise(str(e.event_type))}</Badge>
            <span>
              Status: <Status value={str(e.status)} />
            </span>
            {archived && <Badge tone="plain">Archived</Badge>}
          </p>
        </div>
        {schema.can('events', 'update') && !archived && (
          <button type="button" className="secondary" onClick={() => setEditing(true)}>
            Edit event
          </button>
        )}
      </div>
      {notice && <Notice kind={notice.kind}>{notice.text}</Notice>}

      <dl className="details mk-terms">
        <dt>Date</dt>
        <dd>
          <time dateTime={str(e.event_date)}>{formatDateTime(str(e.event_date))}</time>
        </dd>
        <dt>Location</dt>
        <dd>{e.location ? str(e.location) : <span className="muted">Not given</span>}</dd>
        <dt>Owner</dt>
        <dd>{ownerId ? <Link to={`/users/${enc(ownerId)}`}>{label('users', ownerId) ?? 'Owner'}</Link> : <span className="muted">Nobody</span>}</dd>
        <dt>Description</dt>
        <dd className="notes">{e.description ? str(e.description) : <span className="muted">None</span>}</dd>
      </dl>
      <div className="card mk-terms">
        <Chips label="Target industries" values={e.target_industries} />
        <Chips label="Target roles" values={e.target_roles} />
        <Chips label="Solutions featured" values={e.solutions_featured} />
      </div>

      <Section
        id="mk-attendance"
        title="Attendance"
        actions={
          mayAdd && (
            <button type="button" onClick={() => setAdding(true)}>
              Add attendee
            </button>
          )
        }
      >
        <div className="cards mk-kpis mk-counts">
          <div className="kpi" role="group" aria-label="Attendees">
            <div className="label">Attendees</div>
            <div className="value">{formatNumber(a.totals.attendees)}</div>
            <div className="small muted">{`from ${formatNumber(a.totals.companies)} ${a.totals.companies === 1 ? 'company' : 'companies'}`}</div>
          </div>
          {Object.entries(a.totals.by_status).map(([k, n]) => (
            <div key={k} className="kpi" role="group" aria-label={humanise(k)}>
              <div className="label">{humanise(k)}</div>
              <div className="value">{formatNumber(n)}</div>
            </div>
          ))}
        </div>
        {a.companies.length === 0 ? (
          <p className="empty">Nobody is registered yet.</p>
        ) : (
          a.companies.map((g) => (
            <CompanyGroup key={g.company_id ?? 'none'} group={g} eventId={id} versions={versions} statuses={statuses} eventOpen={!archived && e.status !== 'cancelled'} onDone={done} onFail={failed} />
          ))
        )}
      </Section>

      <Interactions a={a} />

      <Section id="mk-drafts" title="Outreach drafts for the event">
        {a.outreach_drafts.total > 0 && (
          <p className="mk-nomargin">
            {Object.entries(a.outreach_drafts.by_status)
              .map(([k, n]) => `${humanise(k)} ${formatNumber(n)}`)
              .join(' · ')}
          </p>
        )}
        <DraftList state={drafts} linkAll={`/outreach_drafts${query({ event_id: id })}`} />
      </Section>

      <Dialog title="Edit event" open={editing} onClose={() => setEditing(false)}>
        <RecordForm
          table="events"
          record={e}
          onSaved={() => {
            setEditing(false);
            done('Saved.');
          }}
          onCancel={() => setEditing(false)}
        />
      </Dialog>
      {adding && (
        <AddAttendee
          eventId={id}
          statuses={statuses}
          onClose={() => setAdding(false)}
          onAdded={(name) => {
            setAdding(false);
            done(`${name} is added to the event.`);
          }}
        />
      )}
    </section>
  );
}

function CompanyGroup({
  group,
  eventId,
  versions,
  statuses,
  eventOpen,
  onDone,
  onFail,
}: {
  group: Attendance['companies'][number];
  eventId: string;
  versions: Map<string, Row>;
  statuses: string[];
  eventOpen: boolean;
  onDone: (m: string) => void;
  onFail: (m: string) => void;
}) {
  const schema = useSchema();
  const checkIn = schema.operation('events.check_in');
  const mayUpdate = schema.can('event_attendees', 'update');
  const title = group.company_name ?? 'No company';
  const counts = Object.entries(group.counts).filter(([, n]) => n > 0);
  return (
    <section className="mk-company" aria-label={title}>
      <div className="mk-company-head">
        <h3>{group.company_id ? <Link to={`/companies/${enc(group.company_id)}`}>{title}</Link> : title}</h3>
        <span className="small muted">{counts.map(([k, n]) => `${humanise(k)} ${n}`).join(' · ')}</span>
      </div>
      <div className="table-wrap">
        <table>
          <caption className="visually-hidden">{`Attendees from ${title}`}</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col" className="hide-narrow">Title</th>
              <th scope="col">Status</th>
              <th scope="col" className="hide-narrow">Role</th>
              {(checkIn || mayUpdate) && <th scope="col">Actions</th>}
            </tr>
          </thead>
          <tbody>
            {group.attendees.map((p) => (
              <tr key={p.id}>
                <th scope="row">
                  <Link to={`/contacts/${enc(p.contact_id)}`}>{p.name}</Link>
                </th>
                <td className="hide-narrow">{p.title ?? <span className="muted">—</span>}</td>
                <td>
                  <Status value={p.status} />
                </td>
                <td className="hide-narrow">{p.role ?? <span className="muted">—</span>}</td>
                {(checkIn || mayUpdate) && (
                  <td>
                    <AttendeeActions key={`${p.id}:${p.status}:${str(versions.get(p.id)?.version)}`} person={p} row={versions.get(p.id)} eventId={eventId} statuses={statuses} mayCheckIn={Boolean(checkIn) && eventOpen} mayUpdate={mayUpdate} onDone={onDone} onFail={onFail} />
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function AttendeeActions({
  person,
  row,
  eventId,
  statuses,
  mayCheckIn,
  mayUpdate,
  onDone,
  onFail,
}: {
  person: Attendee;
  row: Row | undefined;
  eventId: string;
  statuses: string[];
  mayCheckIn: boolean;
  mayUpdate: boolean;
  onDone: (m: string) => void;
  onFail: (m: string) => void;
}) {
  const [to, setTo] = useState(person.status);
  const [busy, setBusy] = useState(false);
  const attended = person.status === 'attended';
  const checkIn = async () => {
    setBusy(true);
    try {
      const r = await api<{ already_attended: boolean; interaction: Row | null }>('POST', `/api/v1/events/${enc(eventId)}/attendees/${enc(person.contact_id)}/attended`, {});
      onDone(r.already_attended ? `${person.name} was already checked in.` : `${person.name} is checked in; the interaction at the event is logged.`);
    } catch (e) {
      onFail(messageOf(e));
    } finally {
      setBusy(false);
    }
  };
  const change = async (e: FormEvent) => {
    e.preventDefault();
    if (to === person.status) return;
    setBusy(true);
    try {
      await api('PATCH', `/api/v1/event_attendees/${enc(person.id)}`, { status: to }, row?.version !== undefined ? { 'if-match': `"${str(row.version)}"` } : {});
      onDone(`${person.name} is now ${humanise(to).toLowerCase()}.`);
    } catch (err) {
      onFail(messageOf(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="mk-row-actions">
      {mayCheckIn &&
        (attended ? (
          <button type="button" className="secondary small" disabled aria-label={`${person.name} is checked in`}>
            Checked in
          </button>
        ) : (
          <button type="button" className="small" disabled={busy} onClick={() => void checkIn()} aria-label={`Check in ${person.name}`}>
            Check in
          </button>
        ))}
      {mayUpdate && (
        <form className="mk-inline-form" onSubmit={(e) => void change(e)}>
          <select value={to} onChange={(e) => setTo(e.target.value)} aria-label={`Status of ${person.name}`}>
            {statuses.map((s) => (
              <option key={s} value={s}>
                {humanise(s)}
              </option>
            ))}
          </select>
          <button type="submit" className="secondary small" disabled={busy || to === person.status} aria-label={`Change the status of ${person.name}`}>
            Change
          </button>
        </form>
      )}
    </div>
  );
}

/** A contact picked by search, their status and role: an event_attendees row (a contact already there is refused with the server's message). */
function AddAttendee({ eventId, statuses, onClose, onAdded }: { eventId: string; statuses: string[]; onClose: () => void; onAdded: (name: string) => void }) {
  const [contactId, setContactId] = useState('');
  const [status, setStatus] = useState(statuses.includes('registered') ? 'registered' : (statuses[0] ?? ''));
  const [role, setRole] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setProblem(null);
    setErrors({});
    if (!contactId) {
      setErrors({ contact_id: 'is required: find and choose a contact' });
      return;
    }
    setBusy(true);
    try {
      const saved = await api<Row>('POST', '/api/v1/event_attendees', { event_id: eventId, contact_id: contactId, status, ...(role.trim() ? { role: role.trim() } : {}) });
      const contact = await api<Row>('GET', `/api/v1/contacts/${enc(str(saved.contact_id))}`).catch(() => null);
      onAdded(contact ? recordLabel(contact) : 'The contact');
    } catch (err) {
      setErrors(fieldErrorsOf(err));
      setProblem(messageOf(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog title="Add attendee" open onClose={onClose}>
      <form onSubmit={(e) => void submit(e)} noValidate aria-label="Add attendee">
        <Alert>{problem}</Alert>
        <div className="form-grid">
          <div className={errors.contact_id ? 'field invalid' : 'field'}>
            <label htmlFor="mk-att-contact">Contact</label>
            <RecordPicker table="contacts" inputId="mk-att-contact" value={contactId} onChange={setContactId} invalid={Boolean(errors.contact_id)} />
            {errors.contact_id && <small className="error">Contact {errors.contact_id}</small>}
          </div>
          <div className={errors.status ? 'field invalid' : 'field'}>
            <label htmlFor="mk-att-status">Status</label>
            <select id="mk-att-status" value={status} onChange={(e) => setStatus(e.target.value)}>
              {statuses.map((s) => (
                <option key={s} value={s}>
                  {humanise(s)}
                </option>
              ))}
            </select>
            {errors.status && <small className="error">Status {errors.status}</small>}
          </div>
          <div className={errors.role ? 'field invalid' : 'field'}>
            <label htmlFor="mk-att-role">Role at the event</label>
            <input id="mk-att-role" value={role} onChange={(e) => setRole(e.target.value)} placeholder="guest, speaker…" />
            {errors.role && <small className="error">Role {errors.role}</small>}
          </div>
        </div>
        <div className="actions">
          <button type="submit" disabled={busy}>
            {busy ? 'Adding…' : 'Add attendee'}
          </button>
          <button type="button" className="secondary" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}

function Interactions({ a }: { a: Attendance }) {
  const latest = a.interactions.latest;
  const label = useLabels(
    latest.flatMap((i) => [
      ...(i.contact_id ? [['contacts', str(i.contact_id)] as [string, string]] : []),
      ...(i.company_id ? [['companies', str(i.company_id)] as [string, string]] : []),
    ]),
  );
  return (
    <Section id="mk-interactions" title="Interactions at the event">
      {latest.length === 0 ? (
        <p className="empty">No interaction logged at the event yet.</p>
      ) : (
        <>
          <p className="muted mk-nomargin">{a.interactions.total > latest.length ? `The latest ${latest.length} of ${formatNumber(a.interactions.total)}.` : `${formatNumber(a.interactions.total)} logged.`}</p>
          <ul className="mk-interactions" aria-label="Interactions at the event">
            {latest.map((i) => (
              <li key={str(i.id)}>
                <Link to={`/interactions/${enc(str(i.id))}`}>{str(i.subject) || humanise(str(i.type))}</Link>{' '}
                <span className="small muted">
                  <time dateTime={str(i.interaction_date)}>{formatDateTime(str(i.interaction_date))}</time> · {humanise(str(i.type))}
                </span>
                <div className="small">
                  {i.contact_id ? <Link to={`/contacts/${enc(str(i.contact_id))}`}>{label('contacts', str(i.contact_id)) ?? 'Contact'}</Link> : null}
                  {i.contact_id && i.company_id ? ' · ' : null}
                  {i.company_id ? <Link to={`/companies/${enc(str(i.company_id))}`}>{label('companies', str(i.company_id)) ?? 'Company'}</Link> : null}
                </div>
                {i.summary ? <p className="notes mk-nomargin small">{str(i.summary)}</p> : null}
              </li>
            ))}
          </ul>
        </>
      )}
    </Section>
  );
}
