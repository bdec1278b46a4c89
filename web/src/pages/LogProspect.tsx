/**
 * Seed 000 step 1, after a cold call or a walk-in: the company (sales.log_prospect, at
 * status lead), the person spoken to if any, and the first conversation with its next
 * follow-up (sales.log_interaction, which moves the company to contacted). The server's
 * field errors show beside the fields; a likely duplicate is named, with a link to it and
 * the choice to log this one anyway. Then the new company opens.
 */
import { useId, useState, type FormEvent } from 'react';
import { ApiError, messageOf, runOperation } from '../api.ts';
import { Link } from '../Link.tsx';
import { navigate } from '../router.ts';
import { humanise, useSchema } from '../schema.tsx';
import { FieldInput, FieldRow } from '../ui/fields.tsx';
import { dayToInstant, Fields, filled, FollowUpInput, unshown, useField, type Text } from '../ui/LogInteraction.tsx';
import { Alert, daysFromToday, fieldErrorsOf, today } from '../ui/ui.tsx';
import './inbox.css';

type Row = Record<string, unknown>;

const COMPANY = ['name', 'location', 'website', 'employee_count', 'size', 'source', 'notes'];
const CONTACT = ['name', 'role_title', 'email', 'phone'];
const CONVERSATION = ['subject', 'summary', 'outcome', 'next_step'];
/** The touchpoint a prospect's source suggests for the first conversation. */
const FIRST_TYPE: Record<string, string> = { cold_walk_in: 'cold_walk_in', cold_call: 'cold_call', cold_email: 'cold_email', linkedin: 'linkedin_message', referral: 'warm_intro' };

/** A whole number typed as text is sent as a number; anything else as typed, for the server to name. */
function withNumbers(values: Record<string, string>, names: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = { ...values };
  for (const n of names) if (typeof out[n] === 'string' && /^\d+$/.test(out[n])) out[n] = Number(out[n]);
  return out;
}

export function LogProspectPage() {
  const schema = useSchema();
  const prospectOp = schema.operation('sales.log_prospect');
  const interactionOp = schema.operation('sales.log_interaction');
  const typeField = useField('interactions', 'type');
  const typeId = useId();
  const dateId = useId();
  const [company, setCompany] = useState<Text>({ source: 'cold_walk_in' });
  const [contact, setContact] = useState<Text>({});
  const [decisionMaker, setDecisionMaker] = useState(false);
  const [type, setType] = useState('cold_walk_in');
  const [date, setDate] = useState(today());
  const [talk, setTalk] = useState<Text>({});
  const [followUp, setFollowUp] = useState(daysFromToday(7));
  const [allowDuplicate, setAllowDuplicate] = useState(false);
  const [duplicate, setDuplicate] = useState<{ id: string; name: string } | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  if (!prospectOp) {
    return (
      <section>
        <h1>Log a prospect</h1>
        <Alert>You may not log prospects: ask an administrator for the editor role.</Alert>
      </section>
    );
  }

  const setSource = (v: string) => {
    // The first conversation follows the source while it is still the one the source suggested.
    if (type === FIRST_TYPE[company.source ?? '']) {
      const next = FIRST_TYPE[v];
      if (next && typeField.values?.includes(next)) setType(next);
    }
    setCompany((s) => ({ ...s, source: v }));
  };

  const talked = type !== '';
  const shownFields = [
    'company',
    'contact',
    ...COMPANY.map((n) => `company.${n}`),
    ...CONTACT.map((n) => `contact.${n}`),
    'contact.is_decision_maker',
    'interaction.type',
    'interaction.interaction_date',
    'interaction.follow_up_date',
    ...CONVERSATION.map((n) => `interaction.${n}`),
  ];

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setProblem(null);
    setErrors({});
    try {
      const person = filled(contact, CONTACT);
      const withPerson = Object.keys(person).length > 0 || decisionMaker;
      const input: Record<string, unknown> = { company: withNumbers(filled(company, COMPANY), ['employee_count']) };
      if (withPerson) input.contact = { ...person, ...(decisionMaker ? { is_decision_maker: true } : {}) };
      if (allowDuplicate) input.allow_duplicate = true;
      // The company, the person and the first conversation are one act: saved together or not at all.
      if (talked) {
        const interaction: Record<string, unknown> = { type, ...filled(talk, CONVERSATION) };
        const when = dayToInstant(date);
        if (when) interaction.interaction_date = when;
        if (followUp) interaction.follow_up_date = followUp;
        input.interaction = interaction;
      }
      const done = await runOperation<{ company: Row; contact: Row | null }>(prospectOp, input);
      setDuplicate(null);
      navigate(`/companies/${String(done.company.id)}`);
    } catch (err) {
      setErrors(fieldErrorsOf(err));
      if (err instanceof ApiError && err.code === 'CONFLICT' && typeof err.details.existing_id === 'string') {
        const existing = err.details.existing as { name?: string } | undefined;
        setDuplicate({ id: err.details.existing_id, name: existing?.name ?? 'the existing company' });
      }
      const message = err instanceof ApiError && err.code === 'CONFLICT' ? messageOf(err) : unshown(err, shownFields);
      setProblem(message);
    } finally {
      setBusy(false);
    }
  };

  const setIn = (set: (f: (s: Text) => Text) => void) => (n: string, v: string) => set((s) => ({ ...s, [n]: v }));

  return (
    <section>
      <p>
        <Link to="/inbox">Follow-ups</Link> /
      </p>
      <h1>Log a prospect</h1>
      <form className="prospect-form" onSubmit={submit} noValidate aria-label="Log a prospect">
        <Alert>{problem}</Alert>
        {duplicate && (
          <div className="prospect-duplicate notice error">
            <p>
              This looks like <Link to={`/companies/${duplicate.id}`}>{duplicate.name}</Link>, which is already in the pipeline.
            </p>
            <label className="check">
              <input type="checkbox" checked={allowDuplicate} onChange={(e) => setAllowDuplicate(e.target.checked)} /> It is a different company: log it anyway
            </label>
          </div>
        )}
        <fieldset className="group">
          <legend>Company</legend>
          <div className="form-grid">
            <Fields
              table="companies"
              names={COMPANY.filter((n) => n !== 'source' && n !== 'notes')}
              values={company}
              set={setIn(setCompany)}
              errors={errors}
              prefix="company"
              labels={{ name: 'Company name', employee_count: 'Employees', size: 'Size (in words)' }}
            />
            <Fields table="companies" names={['source']} values={company} set={(_, v) => setSource(v)} errors={errors} prefix="company" labels={{ source: 'How we found them' }} />
          </div>
          <Fields table="companies" names={['notes']} values={company} set={setIn(setCompany)} errors={errors} prefix="company" />
        </fieldset>
        <fieldset className="group">
          <legend>Contact (optional)</legend>
          <p className="prospect-hint">The person you spoke to, if you got a name.</p>
          <div className="form-grid">
            <Fields table="contacts" names={CONTACT} values={contact} set={setIn(setContact)} errors={errors} prefix="contact" labels={{ name: 'Contact name', role_title: 'Role', email: 'Contact email', phone: 'Contact phone' }} />
          </div>
          <FieldInput field={{ name: 'is_decision_maker', kind: 'boolean' }} label="Signs off on purchases" value={decisionMaker} onChange={(v) => setDecisionMaker(v === true)} error={errors['contact.is_decision_maker']} />
        </fieldset>
        {interactionOp && (
          <fieldset className="group">
            <legend>First conversation</legend>
            <div className="form-grid">
              <FieldRow label="How you spoke" id={typeId} error={errors['interaction.type']}>
                <select id={typeId} value={type} onChange={(e) => setType(e.target.value)} aria-invalid={errors['interaction.type'] ? true : undefined}>
                  <option value="">Not spoken to yet</option>
                  {(typeField.values ?? []).map((v) => (
                    <option key={v} value={v}>
                      {humanise(v)}
                    </option>
                  ))}
                </select>
              </FieldRow>
              {talked && (
                <FieldRow label="Date" id={dateId} error={errors['interaction.interaction_date']}>
                  <input id={dateId} type="date" value={date} max={today()} onChange={(e) => setDate(e.target.value)} />
                </FieldRow>
              )}
            </div>
            {talked && <Fields table="interactions" names={CONVERSATION} values={talk} set={setIn(setTalk)} errors={errors} prefix="interaction" labels={{ summary: 'What was said' }} />}
          </fieldset>
        )}
        {interactionOp && talked && (
          <fieldset className="group">
            <legend>Next follow-up</legend>
            <FollowUpInput value={followUp} onChange={setFollowUp} error={errors['interaction.follow_up_date']} label="Follow up on" />
          </fieldset>
        )}
        <div className="actions">
          <button type="submit" disabled={busy}>
            {busy ? 'Saving…' : 'Save prospect'}
          </button>
          <button type="button" className="secondary" onClick={() => navigate('/inbox')}>
            Cancel
          </button>
        </div>
      </form>
    </section>
  );
}
