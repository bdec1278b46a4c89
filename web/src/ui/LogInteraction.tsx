/**
 * Logging a touchpoint from anywhere (seed 000 steps 2–4): the interaction dialog (type,
 * date, subject, summary, outcome, next step and the next follow-up, one call to
 * sales.log_interaction), the meeting dialogs (sales.schedule_meeting and
 * sales.complete_meeting), and the pieces they share: the follow-up date with its quick
 * choices and the choice of who was spoken to. The server's field errors show beside the
 * fields (`interaction.summary`, `contact.name`, `meeting.scheduled_at`…).
 */
import { useEffect, useId, useState, type FormEvent } from 'react';
import { ApiError, api, messageOf, query, runOperation, type Page } from '../api.ts';
import { recordLabel, useSchema, type FieldInfo } from '../schema.tsx';
import '../pages/inbox.css';
import { FieldInput, FieldRow, RecordPicker } from './fields.tsx';
import { Alert, Dialog, daysFromToday, fieldErrorsOf, formatDate, today } from './ui.tsx';

type Row = Record<string, unknown>;

/** The quick choices for the next follow-up: days from today and what the button says. */
export const FOLLOW_UP_CHOICES: ReadonlyArray<readonly [number, string]> = [
  [2, '+2 days'],
  [7, '+1 week'],
  [14, '+2 weeks'],
];

/** A field of a table as the schema describes it, or a plain text field when the schema does not know it. */
export function useField(table: string, name: string): FieldInfo {
  const schema = useSchema();
  return schema.table(table)?.fields.find((f) => f.name === name) ?? { name, kind: 'text' };
}

/** A local date and time (`2026-03-02T10:00` from a datetime-local input) as an ISO instant; the text itself when it is no time. */
export function localToIso(v: string): string {
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? v : d.toISOString();
}

/** A calendar day (`YYYY-MM-DD`) as the time of an interaction: now for today, else midday of that day in the reader's zone. */
export function dayToInstant(day: string): string | undefined {
  if (!day || day === today()) return undefined;
  return localToIso(`${day}T12:00`);
}

/** The next follow-up date: a date input with +2 days, +1 week and +2 weeks, and None to clear it. */
export function FollowUpInput({ value, onChange, error, label = 'Next follow-up', disabled }: { value: string; onChange: (v: string) => void; error?: string | undefined; label?: string; disabled?: boolean }) {
  const id = useId();
  return (
    <FieldRow label={label} id={id} error={error} hint={value ? `Due ${formatDate(value)}` : 'No follow-up'}>
      <div className="inbox-followup">
        <input id={id} type="date" value={value} onChange={(e) => onChange(e.target.value)} disabled={disabled} aria-invalid={error ? true : undefined} aria-describedby={error ? `${id}-error` : `${id}-hint`} />
        <div className="inbox-quick" role="group" aria-label={`${label}: quick choices`}>
          {FOLLOW_UP_CHOICES.map(([days, text]) => {
            const date = daysFromToday(days);
            return (
              <button key={days} type="button" className="secondary small" aria-pressed={value === date} onClick={() => onChange(date)} disabled={disabled}>
                {text}
              </button>
            );
          })}
          <button type="button" className="secondary small" aria-pressed={value === ''} onClick={() => onChange('')} disabled={disabled}>
            None
          </button>
        </div>
      </div>
    </FieldRow>
  );
}

/** The people at a company, by name; empty while there is no company. */
function useContacts(companyId: string | undefined): { contacts: Row[]; error: string | null } {
  const [contacts, setContacts] = useState<Row[]>([]);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    setContacts([]);
    setError(null);
    if (!companyId) return;
    let live = true;
    api<Page<Row>>('GET', `/api/v1/contacts${query({ company_id: companyId, limit: 200 })}`).then(
      (p) => live && setContacts([...p.items].sort((a, b) => recordLabel(a).localeCompare(recordLabel(b)))),
      (e: unknown) => live && setError(messageOf(e)),
    );
    return () => {
      live = false;
    };
  }, [companyId]);
  return { contacts, error };
}

const NEW = 'new';

/** Who was spoken to: nobody in particular, a known contact of the company, or (when `allowNew`) someone new. */
function ContactChoice({ companyId, value, onChange, allowNew, error, label = 'Spoke with' }: { companyId: string | undefined; value: string; onChange: (v: string) => void; allowNew: boolean; error?: string | undefined; label?: string }) {
  const id = useId();
  const { contacts, error: loadError } = useContacts(companyId);
  return (
    <FieldRow label={label} id={id} error={error ?? loadError ?? undefined}>
      <select id={id} value={value} onChange={(e) => onChange(e.target.value)} disabled={!companyId} aria-invalid={error ? true : undefined} aria-describedby={error ? `${id}-error` : undefined}>
        <option value="">Nobody in particular</option>
        {contacts.map((c) => (
          <option key={String(c.id)} value={String(c.id)}>
            {recordLabel(c)}
            {typeof c.role_title === 'string' && c.role_title ? ` (${c.role_title})` : ''}
          </option>
        ))}
        {value && value !== NEW && !contacts.some((c) => c.id === value) && <option value={value}>The contact chosen</option>}
        {allowNew && <option value={NEW}>Someone new…</option>}
      </select>
    </FieldRow>
  );
}

/** Refusals that name no field shown here, so that none is lost. */
export function unshown(e: unknown, shown: string[]): string {
  if (!(e instanceof ApiError)) return messageOf(e);
  const rest = e.fields.filter((f) => !shown.includes(f.field.replace(/^(data|input)\./, '')));
  if (e.fields.length && !rest.length) return 'Some fields need a change: see below.';
  return `${e.message}${rest.length ? ` (${rest.map((f) => `${f.field} ${f.message}`).join('; ')})` : ''}`;
}

export type Text = Record<string, string>;

/** Text fields of a table, each with its input and the server's error for `<prefix>.<name>`. */
export function Fields({ table, names, values, set, errors, prefix, labels = {} }: { table: string; names: string[]; values: Text; set: (name: string, v: string) => void; errors: Record<string, string>; prefix: string; labels?: Record<string, string> }) {
  const schema = useSchema();
  const fields = schema.table(table)?.fields ?? [];
  return (
    <>
      {names.map((name) => {
        const f = fields.find((x) => x.name === name) ?? { name, kind: 'text' };
        return <FieldInput key={name} field={f} value={values[name] ?? ''} onChange={(v) => set(name, String(v))} error={errors[`${prefix}.${name}`]} {...(labels[name] ? { label: labels[name] } : {})} />;
      })}
    </>
  );
}

/** The non-empty values, trimmed, as an input object. */
export function filled(values: Text, names: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const n of names) {
    const v = (values[n] ?? '').trim();
    if (v) out[n] = v;
  }
  return out;
}

const CONTACT_FIELDS = ['name', 'role_title', 'email', 'phone'];
const INTERACTION_TEXT = ['subject', 'summary', 'outcome', 'next_step'];

export type LoggedInteraction = { interaction: Row; contact: Row | null; contact_created: boolean; company_status_change: { from: string; to: string } | null };

type LogProps = {
  /** The company spoken to; without it the dialog asks which. */
  companyId?: string | undefined;
  /** Its name, for the title. */
  companyName?: string | undefined;
  contactId?: string | null | undefined;
  /** The kind of touchpoint to start from (a follow-up call by default). */
  defaultType?: string;
  open: boolean;
  onClose: () => void;
  onLogged: (result: LoggedInteraction) => void;
};

/** The dialog that logs one interaction with a company and sets its next follow-up. */
export function LogInteractionDialog({ companyName, open, onClose, ...rest }: LogProps) {
  return (
    <Dialog title={companyName ? `Log an interaction with ${companyName}` : 'Log an interaction'} open={open} onClose={onClose}>
      <LogInteractionForm {...rest} onClose={onClose} />
    </Dialog>
  );
}

function LogInteractionForm({ companyId: fixedCompany, contactId, defaultType = 'follow_up_call', onClose, onLogged }: Omit<LogProps, 'open' | 'companyName'>) {
  const schema = useSchema();
  const op = schema.operation('sales.log_interaction');
  const typeField = useField('interactions', 'type');
  const companyInput = useId();
  const dateInput = useId();
  const [companyId, setCompanyId] = useState(fixedCompany ?? '');
  const [contact, setContact] = useState(contactId ?? '');
  const [person, setPerson] = useState<Text>({});
  const [date, setDate] = useState(today());
  const [values, setValues] = useState<Text>({ type: typeField.values?.includes(defaultType) ? defaultType : (typeField.values?.[0] ?? '') });
  const [followUp, setFollowUp] = useState(daysFromToday(7));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  if (!op) return <Alert>You may not log interactions.</Alert>;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const interaction: Record<string, unknown> = filled(values, ['type', ...INTERACTION_TEXT]);
    const when = dayToInstant(date);
    if (when) interaction.interaction_date = when;
    if (followUp) interaction.follow_up_date = followUp;
    const input: Record<string, unknown> = { company_id: companyId, interaction };
    if (contact === NEW) input.contact = filled(person, CONTACT_FIELDS);
    else if (contact) input.contact_id = contact;
    setBusy(true);
    setProblem(null);
    try {
      const result = await runOperation<LoggedInteraction>(op, input);
      onLogged(result);
    } catch (err) {
      const byField = fieldErrorsOf(err);
      setErrors(byField);
      const shown = ['company_id', 'contact_id', 'contact', 'interaction.interaction_date', 'interaction.follow_up_date', ...['type', ...INTERACTION_TEXT].map((n) => `interaction.${n}`), ...CONTACT_FIELDS.map((n) => `contact.${n}`)];
      setProblem(unshown(err, shown));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={submit} noValidate aria-label="Log an interaction" className="inbox-form">
      <Alert>{problem}</Alert>
      {!fixedCompany && (
        <FieldRow label="Company" id={companyInput} error={errors.company_id} required>
          <RecordPicker table="companies" value={companyId} onChange={(v) => { setCompanyId(v); setContact(''); }} inputId={companyInput} invalid={Boolean(errors.company_id)} />
        </FieldRow>
      )}
      <div className="form-grid">
        <Fields table="interactions" names={['type']} values={values} set={(n, v) => setValues((s) => ({ ...s, [n]: v }))} errors={errors} prefix="interaction" />
        <FieldRow label="Date" id={dateInput} error={errors['interaction.interaction_date']}>
          <input id={dateInput} type="date" value={date} max={today()} onChange={(e) => setDate(e.target.value)} />
        </FieldRow>
      </div>
      <ContactChoice companyId={companyId || undefined} value={contact} onChange={setContact} allowNew error={errors.contact_id ?? errors.contact} />
      {contact === NEW && (
        <fieldset className="group">
          <legend>The person spoken to</legend>
          <div className="form-grid">
            <Fields table="contacts" names={CONTACT_FIELDS} values={person} set={(n, v) => setPerson((s) => ({ ...s, [n]: v }))} errors={errors} prefix="contact" labels={{ name: 'Their name', role_title: 'Their role', email: 'Their email', phone: 'Their phone' }} />
          </div>
        </fieldset>
      )}
      <Fields table="interactions" names={INTERACTION_TEXT} values={values} set={(n, v) => setValues((s) => ({ ...s, [n]: v }))} errors={errors} prefix="interaction" />
      <FollowUpInput value={followUp} onChange={setFollowUp} error={errors['interaction.follow_up_date']} />
      <div className="actions">
        <button type="submit" disabled={busy}>
          {busy ? 'Saving…' : 'Log it'}
        </button>
        <button type="button" className="secondary" onClick={onClose}>
          Cancel
        </button>
      </div>
    </form>
  );
}

/** Tomorrow at 10:00 in the reader's zone, as a datetime-local value. */
function tomorrowAtTen(): string {
  return `${daysFromToday(1)}T10:00`;
}

export type ScheduledMeeting = { meeting: Row; company_status_change: { from: string; to: string } | null };

/** The dialog that books a meeting with a company (sales.schedule_meeting). */
export function ScheduleMeetingDialog({ companyId, companyName, contactId, open, onClose, onScheduled }: { companyId: string; companyName?: string | undefined; contactId?: string | null | undefined; open: boolean; onClose: () => void; onScheduled: (r: ScheduledMeeting) => void }) {
  return (
    <Dialog title={companyName ? `Schedule a meeting with ${companyName}` : 'Schedule a meeting'} open={open} onClose={onClose}>
      <ScheduleMeetingForm companyId={companyId} contactId={contactId} onClose={onClose} onScheduled={onScheduled} />
    </Dialog>
  );
}

const MEETING_TEXT = ['meeting_type', 'duration_minutes', 'subject', 'meeting_url', 'attendees', 'notes'];

function ScheduleMeetingForm({ companyId, contactId, onClose, onScheduled }: { companyId: string; contactId?: string | null | undefined; onClose: () => void; onScheduled: (r: ScheduledMeeting) => void }) {
  const schema = useSchema();
  const op = schema.operation('sales.schedule_meeting');
  const whenInput = useId();
  const [contact, setContact] = useState(contactId ?? '');
  const [when, setWhen] = useState(tomorrowAtTen());
  const [values, setValues] = useState<Text>({ meeting_type: 'discovery', duration_minutes: '60' });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  if (!op) return <Alert>You may not schedule meetings.</Alert>;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const meeting: Record<string, unknown> = filled(values, MEETING_TEXT);
    if (typeof meeting.duration_minutes === 'string' && /^\d+$/.test(meeting.duration_minutes)) meeting.duration_minutes = Number(meeting.duration_minutes);
    if (when.trim()) meeting.scheduled_at = localToIso(when);
    const input: Record<string, unknown> = { company_id: companyId, meeting };
    if (contact) input.contact_id = contact;
    setBusy(true);
    setProblem(null);
    try {
      onScheduled(await runOperation<ScheduledMeeting>(op, input));
    } catch (err) {
      setErrors(fieldErrorsOf(err));
      setProblem(unshown(err, ['company_id', 'contact_id', 'meeting.scheduled_at', ...MEETING_TEXT.map((n) => `meeting.${n}`)]));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={submit} noValidate aria-label="Schedule a meeting" className="inbox-form">
      <Alert>{problem}</Alert>
      <div className="form-grid">
        <FieldRow label="When" id={whenInput} error={errors['meeting.scheduled_at']} required>
          <input id={whenInput} type="datetime-local" value={when} onChange={(e) => setWhen(e.target.value)} aria-invalid={errors['meeting.scheduled_at'] ? true : undefined} />
        </FieldRow>
        <ContactChoice companyId={companyId} value={contact} onChange={setContact} allowNew={false} error={errors.contact_id} label="With" />
      </div>
      <div className="form-grid">
        <Fields table="interactions" names={MEETING_TEXT} values={values} set={(n, v) => setValues((s) => ({ ...s, [n]: v }))} errors={errors} prefix="meeting" labels={{ meeting_url: 'Meeting link or place', notes: 'Agenda and notes', duration_minutes: 'Duration (minutes)' }} />
      </div>
      <div className="actions">
        <button type="submit" disabled={busy}>
          {busy ? 'Saving…' : 'Schedule it'}
        </button>
        <button type="button" className="secondary" onClick={onClose}>
          Cancel
        </button>
      </div>
    </form>
  );
}

export type CompletedMeeting = { meeting: Row; company_status_change: { from: string; to: string } | null };

/** The dialog that records how a scheduled meeting went (sales.complete_meeting), with the next follow-up. */
export function CompleteMeetingDialog({ meetingId, title = 'Complete the meeting', open, onClose, onCompleted }: { meetingId: string; title?: string; open: boolean; onClose: () => void; onCompleted: (r: CompletedMeeting) => void }) {
  return (
    <Dialog title={title} open={open} onClose={onClose}>
      <CompleteMeetingForm meetingId={meetingId} onClose={onClose} onCompleted={onCompleted} />
    </Dialog>
  );
}

const RESULT_TEXT = ['summary', 'outcome', 'sentiment', 'next_step'];

function CompleteMeetingForm({ meetingId, onClose, onCompleted }: { meetingId: string; onClose: () => void; onCompleted: (r: CompletedMeeting) => void }) {
  const schema = useSchema();
  const op = schema.operation('sales.complete_meeting');
  const [values, setValues] = useState<Text>({});
  const [followUp, setFollowUp] = useState(daysFromToday(7));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  if (!op) return <Alert>You may not complete meetings.</Alert>;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const result: Record<string, unknown> = filled(values, RESULT_TEXT);
    if (followUp) result.follow_up_date = followUp;
    setBusy(true);
    setProblem(null);
    try {
      onCompleted(await runOperation<CompletedMeeting>(op, { id: meetingId, result }));
    } catch (err) {
      setErrors(fieldErrorsOf(err));
      setProblem(unshown(err, ['result.follow_up_date', ...RESULT_TEXT.map((n) => `result.${n}`)]));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={submit} noValidate aria-label="Complete the meeting" className="inbox-form">
      <Alert>{problem}</Alert>
      <Fields table="interactions" names={RESULT_TEXT} values={values} set={(n, v) => setValues((s) => ({ ...s, [n]: v }))} errors={errors} prefix="result" labels={{ summary: 'What was discussed' }} />
      <FollowUpInput value={followUp} onChange={setFollowUp} error={errors['result.follow_up_date']} />
      <div className="actions">
        <button type="submit" disabled={busy}>
          {busy ? 'Saving…' : 'Complete the meeting'}
        </button>
        <button type="button" className="secondary" onClick={onClose}>
          Cancel
        </button>
      </div>
    </form>
  );
}
