/**
 * The privacy page of one person or company (issue 11), at /contacts/<id>/privacy,
 * /leads/<id>/privacy and /companies/<id>/privacy: what an administrator needs to answer a
 * data-protection request in minutes and show that it was answered. In order: who it is
 * (erased or not), what they agreed to (consent per purpose, with its history, and forms to
 * record a grant or a withdrawal), where their data is (rows per table), the access request
 * (the zip archive), the erasure (a reason and the label typed back before the button wakes)
 * and the evidence (every export, erasure and consent change, from the audit log).
 *
 * Everything comes from the same operations as the API and the CLI: privacy.summary_*,
 * privacy.export_*, privacy.erase_*, consents.status_* / record / withdraw. The summary, the
 * export and the erasure are for administrators: the schema lists them only to a role that may
 * run them, so an editor or a viewer sees the consent section and one sentence saying so.
 * Record text (labels, evidence, reasons) is always shown as text.
 */
import { useId, useState, type FormEvent, type MouseEvent, type ReactNode } from 'react';
import type { z } from 'zod';
import type { ConsentStatus } from '../../../src/core/privacy/consent.ts';
import type { ErasureReceiptSchema } from '../../../src/core/privacy/operations.ts';
import type { PrivacySummary } from '../../../src/core/privacy/summary.ts';
import { api, ApiError, messageOf } from '../api.ts';
import { Link } from '../Link.tsx';
import { humanise, recordLabel, useSchema } from '../schema.tsx';
import { FieldRow } from '../ui/fields.tsx';
import { Alert, Badge, fieldErrorsOf, formatDate, formatDateTime, formatNumber, Loaded, Notice, Section, today, useAsync, type Async } from '../ui/ui.tsx';
import './privacy.css';

export type SubjectKind = 'contact' | 'lead' | 'company';
type Row = Record<string, unknown>;

/** A server type as JSON carries it: every Date an ISO string, all the way down. */
export type Json<T> = T extends Date ? string : T extends (infer U)[] ? Json<U>[] : T extends object ? { [K in keyof T]: Json<T[K]> } : T;
type Status = Json<ConsentStatus>;
type PurposeStatus = Status['purposes'][number];
type Grant = PurposeStatus['history'][number];
type Receipt = z.infer<typeof ErasureReceiptSchema>;
type HistoryEntry = PrivacySummary['history'][number];

export const SUBJECT_TABLE: Record<SubjectKind, 'contacts' | 'leads' | 'companies'> = { contact: 'contacts', lead: 'leads', company: 'companies' };
const PURPOSES = ['marketing_email', 'survey', 'usage_tracking'] as const;
const METHODS = ['form', 'email', 'in_person', 'phone', 'import'] as const;
const PURPOSE_LABEL: Record<string, string> = { marketing_email: 'Marketing email', survey: 'Surveys', usage_tracking: 'AI usage tracking' };
const METHOD_LABEL: Record<string, string> = { form: 'Form', email: 'Email', in_person: 'In person', phone: 'Phone', import: 'Import' };
const purposeLabel = (p: string) => PURPOSE_LABEL[p] ?? humanise(p);
const methodLabel = (m: string | null | undefined) => (m ? (METHOD_LABEL[m] ?? humanise(m)) : '');
const enc = encodeURIComponent;
const sum = (counts: Record<string, number> | undefined) => Object.values(counts ?? {}).reduce((a, b) => a + (Number(b) || 0), 0);
const rows = (n: number) => `${formatNumber(n)} ${n === 1 ? 'row' : 'rows'}`;

/** What a lead is called, as the server's privacy label calls it: the name, else the email, else the company. */
function subjectLabel(kind: SubjectKind, row: Row): string {
  if (kind !== 'lead') return recordLabel(row);
  const name = [row.first_name, row.last_name].filter((v) => typeof v === 'string' && v).join(' ');
  return name || (typeof row.email === 'string' && row.email) || (typeof row.company_name === 'string' && row.company_name) || 'a lead';
}

export function PrivacyPage({ kind, id }: { kind: SubjectKind; id: string }) {
  const schema = useSchema();
  const table = SUBJECT_TABLE[kind];
  const admin = Boolean(schema.operation(`privacy.summary_${kind}`));
  const [tick, setTick] = useState(0);
  const reload = () => setTick((t) => t + 1);
  const [receipt, setReceipt] = useState<Receipt | null>(null);
  const state = useAsync(async () => {
    const [record, summary] = await Promise.all([
      api<Row>('GET', `/api/v1/${table}/${enc(id)}`),
      admin ? api<PrivacySummary>('GET', `/api/v1/${table}/${enc(id)}/privacy`) : Promise.resolve(null),
    ]);
    return { record, summary };
  }, [table, id, admin, tick]);
  const consent = useAsync(() => (kind === 'company' ? Promise.resolve(null) : api<Status>('GET', `/api/v1/${table}/${enc(id)}/consent`)), [kind, table, id, tick]);

  return (
    <section className="pv-page">
      <p className="pv-crumbs">
        <Link to={`/${table}`}>{humanise(table)}</Link> /
      </p>
      <Loaded state={state} what={`the ${kind}`}>
        {({ record, summary }) => {
          const label = summary?.label ?? subjectLabel(kind, record);
          const erasedAt = summary?.erased_at ?? (typeof record.erased_at === 'string' ? record.erased_at : null);
          return (
            <>
              <div className="page-head pv-head">
                <div>
                  <h1>
                    {label}
                    {erasedAt && (
                      <>
                        {' '}
                        <Badge tone="bad">Erased on {formatDate(erasedAt)}</Badge>
                      </>
                    )}
                  </h1>
                  <p className="pv-meta">
                    <span>Privacy of a {kind}</span>
                    <Link to={`/${table}/${enc(id)}`}>Back to the {kind}</Link>
                  </p>
                </div>
              </div>
              {kind !== 'company' && <ConsentSection kind={kind} id={id} state={consent} erased={Boolean(erasedAt)} onChanged={reload} />}
              {!admin ? (
                <p className="pv-admin-only muted">Where their data is, the access request (the archive of everything held), the erasure and the evidence of what was done are for administrators.</p>
              ) : (
                summary && (
                  <>
                    <Footprint summary={summary} />
                    <AccessRequest kind={kind} id={id} erased={Boolean(erasedAt)} onDone={reload} />
                    <Erasure
                      kind={kind}
                      id={id}
                      label={label}
                      erasedAt={erasedAt}
                      receipt={receipt}
                      onErased={(r) => {
                        setReceipt(r);
                        reload();
                      }}
                    />
                    <Evidence history={summary.history} />
                  </>
                )
              )}
            </>
          );
        }}
      </Loaded>
    </section>
  );
}

// ---------------------------------------------------------------------------
// Consent

function ConsentSection({ kind, id, state, erased, onChanged }: { kind: 'contact' | 'lead'; id: string; state: Async<Status | null>; erased: boolean; onChanged: () => void }) {
  const schema = useSchema();
  const [notice, setNotice] = useState<{ kind: 'ok' | 'error'; text: ReactNode } | null>(null);
  const canRecord = Boolean(schema.operation('consents.record'));
  const canWithdraw = Boolean(schema.operation('consents.withdraw'));
  const done = (text: ReactNode) => {
    setNotice({ kind: 'ok', text });
    onChanged();
  };
  return (
    <Section
      id="pv-consent"
      title="Consent"
      note="A consent belongs to the person: the contact together with the leads converted into it. Marketing email needs a grant in force; surveys and AI usage tracking are allowed unless withdrawn."
    >
      {notice && !erased && <Notice kind={notice.kind}>{notice.text}</Notice>}
      <Loaded state={state} what="their consent">
        {(status) =>
          status &&
          (erased ? (
            <p>The person is erased: their consents were deleted with the rest of their data, and nothing more can be recorded for them.</p>
          ) : (
            <>
              <div className="table-wrap">
                <table className="pv-consent" aria-label="Consent per purpose">
                  <thead>
                    <tr>
                      <th scope="col">Purpose</th>
                      <th scope="col">State</th>
                      <th scope="col">Since</th>
                      <th scope="col">How</th>
                      <th scope="col">Evidence</th>
                    </tr>
                  </thead>
                  <tbody>
                    {status.purposes.map((p) => (
                      <PurposeRow key={p.purpose} p={p} />
                    ))}
                  </tbody>
                </table>
              </div>
              <ConsentHistory purposes={status.purposes} />
              {(canRecord || canWithdraw) && (
                <div className="pv-forms">
                  {canRecord && <RecordConsentForm kind={kind} id={id} onDone={done} />}
                  {canWithdraw && <WithdrawConsentForm kind={kind} id={id} onDone={done} />}
                </div>
              )}
            </>
          ))
        }
      </Loaded>
    </Section>
  );
}

function PurposeRow({ p }: { p: PurposeStatus }) {
  const state = p.in_force ? (
    <Badge tone="good">In force</Badge>
  ) : p.withdrawn_at ? (
    <Badge tone="bad">Withdrawn</Badge>
  ) : (
    <Badge tone="plain">Not given</Badge>
  );
  return (
    <tr data-purpose={p.purpose}>
      <th scope="row">{purposeLabel(p.purpose)}</th>
      <td>
        {state}
        {!p.in_force && !p.withdrawn_at && p.allowed && <span className="pv-small muted"> allowed unless withdrawn</span>}
      </td>
      <td>{p.in_force ? formatDateTime(p.since) : p.withdrawn_at ? formatDateTime(p.withdrawn_at) : '—'}</td>
      <td>{p.in_force ? methodLabel(p.method) : p.withdrawn_at ? methodLabel(p.withdrawal_method) : '—'}</td>
      <td className="pv-text">{p.in_force ? (p.evidence ?? <span className="muted">none recorded</span>) : '—'}</td>
    </tr>
  );
}

/** Every grant and withdrawal, newest first, folded away under one summary. */
function ConsentHistory({ purposes }: { purposes: PurposeStatus[] }) {
  const all = purposes.flatMap((p) => p.history).sort((a, b) => b.granted_at.localeCompare(a.granted_at));
  if (!all.length) return <p className="empty">No consent has been recorded for them.</p>;
  return (
    <details className="pv-fold">
      <summary>Consent history ({formatNumber(all.length)} {all.length === 1 ? 'grant' : 'grants'})</summary>
      <ul className="pv-history" aria-label="Consent history">
        {all.map((g: Grant) => (
          <li key={g.id}>
            <strong>{purposeLabel(g.purpose)}</strong>: granted {formatDateTime(g.granted_at)} by {methodLabel(g.method).toLowerCase()}
            {g.evidence && <span className="pv-text"> ({g.evidence})</span>}
            {g.withdrawn_at ? (
              <>
                ; withdrawn {formatDateTime(g.withdrawn_at)} by {methodLabel(g.withdrawal_method).toLowerCase()}
                {g.withdrawal_note && <span className="pv-text"> ({g.withdrawal_note})</span>}
              </>
            ) : (
              <> — in force</>
            )}
          </li>
        ))}
      </ul>
    </details>
  );
}

/** A calendar day as the time of a grant: now for today (or none), else midday of that day in the reader's zone. */
function dayToInstant(day: string): string | undefined {
  if (!day || day === today()) return undefined;
  const d = new Date(`${day}T12:00`);
  return Number.isNaN(d.getTime()) ? day : d.toISOString();
}

function Select({ label, value, onChange, options, error }: { label: string; value: string; onChange: (v: string) => void; options: readonly (readonly [string, string])[]; error?: string | undefined }) {
  const id = useId();
  return (
    <FieldRow label={label} id={id} error={error} required>
      <select id={id} value={value} onChange={(e) => onChange(e.target.value)} aria-invalid={error ? true : undefined} aria-describedby={error ? `${id}-error` : undefined}>
        {options.map(([v, text]) => (
          <option key={v} value={v}>
            {text}
          </option>
        ))}
      </select>
    </FieldRow>
  );
}

function TextArea({ label, value, onChange, error, hint, required }: { label: string; value: string; onChange: (v: string) => void; error?: string | undefined; hint?: string; required?: boolean }) {
  const id = useId();
  return (
    <FieldRow label={label} id={id} error={error} hint={hint} required={required}>
      <textarea id={id} rows={3} maxLength={2000} value={value} onChange={(e) => onChange(e.target.value)} aria-invalid={error ? true : undefined} aria-describedby={error ? `${id}-error` : hint ? `${id}-hint` : undefined} aria-required={required || undefined} />
    </FieldRow>
  );
}

const PURPOSE_OPTIONS = PURPOSES.map((p) => [p, purposeLabel(p)] as const);
const METHOD_OPTIONS = METHODS.map((m) => [m, METHOD_LABEL[m]!] as const);

/** A refusal's field errors by field, with whatever names no field of the form as the form's own message. */
function refusal(e: unknown, fields: string[]): { byField: Record<string, string>; message: string | null } {
  const byField = fieldErrorsOf(e);
  const shown = fields.some((f) => byField[f]);
  const other = Object.entries(byField).filter(([f]) => !fields.includes(f));
  const message = !shown || other.length ? (other.length ? other.map(([f, m]) => `${humanise(f)} ${m}`).join('; ') : messageOf(e)) : null;
  return { byField, message };
}

function RecordConsentForm({ kind, id, onDone }: { kind: 'contact' | 'lead'; id: string; onDone: (text: ReactNode) => void }) {
  const [purpose, setPurpose] = useState<string>('marketing_email');
  const [method, setMethod] = useState<string>('form');
  const [evidence, setEvidence] = useState('');
  const [day, setDay] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const dayId = useId();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setErrors({});
    setError(null);
    try {
      const granted = dayToInstant(day);
      const r = await api<{ created: boolean }>('POST', '/api/v1/consents', { [`${kind}_id`]: id, purpose, method, ...(evidence.trim() ? { evidence } : {}), ...(granted ? { granted_at: granted } : {}) });
      setEvidence('');
      setDay('');
      onDone(r.created ? `${purposeLabel(purpose)}: consent recorded.` : `${purposeLabel(purpose)}: a grant was already in force; nothing changed.`);
    } catch (err) {
      const { byField, message } = refusal(err, ['purpose', 'method', 'evidence', 'granted_at']);
      setErrors(byField);
      setError(message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="card pv-form" onSubmit={submit} noValidate aria-labelledby={`${dayId}-h`}>
      <h3 id={`${dayId}-h`}>Record a grant</h3>
      <Select label="Purpose" value={purpose} onChange={setPurpose} options={PURPOSE_OPTIONS} error={errors.purpose} />
      <Select label="How they agreed" value={method} onChange={setMethod} options={METHOD_OPTIONS} error={errors.method} />
      <TextArea label="Evidence" value={evidence} onChange={setEvidence} error={errors.evidence} hint="The wording they agreed to and where: the checkbox, the email's subject, who witnessed it" />
      <FieldRow label="When they agreed" id={dayId} error={errors.granted_at} hint={day ? `On ${formatDate(day)}` : 'Now'}>
        <input id={dayId} type="date" value={day} onChange={(e) => setDay(e.target.value)} aria-invalid={errors.granted_at ? true : undefined} aria-describedby={errors.granted_at ? `${dayId}-error` : `${dayId}-hint`} />
      </FieldRow>
      <Alert>{error}</Alert>
      <div className="actions">
        <button type="submit" disabled={busy}>
          Record consent
        </button>
      </div>
    </form>
  );
}

function WithdrawConsentForm({ kind, id, onDone }: { kind: 'contact' | 'lead'; id: string; onDone: (text: ReactNode) => void }) {
  const [purpose, setPurpose] = useState<string>('marketing_email');
  const [method, setMethod] = useState<string>('email');
  const [note, setNote] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const headId = useId();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setErrors({});
    setError(null);
    try {
      const r = await api<{ withdrawn: number; already_withdrawn: boolean; cancelled_emails: number }>('POST', '/api/v1/consents/withdraw', { [`${kind}_id`]: id, purpose, method, ...(note.trim() ? { note } : {}) });
      setNote('');
      onDone(
        r.already_withdrawn
          ? `${purposeLabel(purpose)}: nothing was in force; nothing changed.`
          : `${purposeLabel(purpose)}: withdrawn.${r.cancelled_emails ? ` ${formatNumber(r.cancelled_emails)} queued marketing ${r.cancelled_emails === 1 ? 'email' : 'emails'} will not be sent.` : ''}`,
      );
    } catch (err) {
      const { byField, message } = refusal(err, ['purpose', 'method', 'note']);
      setErrors(byField);
      setError(message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="card pv-form" onSubmit={submit} noValidate aria-labelledby={headId}>
      <h3 id={headId}>Withdraw</h3>
      <Select label="Purpose to withdraw" value={purpose} onChange={setPurpose} options={PURPOSE_OPTIONS} error={errors.purpose} />
      <Select label="How they withdrew" value={method} onChange={setMethod} options={METHOD_OPTIONS} error={errors.method} />
      <TextArea label="Note" value={note} onChange={setNote} error={errors.note} hint="What they said, or where" />
      <Alert>{error}</Alert>
      <div className="actions">
        <button type="submit" className="danger" disabled={busy}>
          Withdraw consent
        </button>
      </div>
    </form>
  );
}

// ---------------------------------------------------------------------------
// Where their data is

function Footprint({ summary }: { summary: PrivacySummary }) {
  const entries = Object.entries(summary.tables);
  const held = entries.filter(([, n]) => n > 0).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const empty = entries.filter(([, n]) => n === 0).map(([t]) => t).sort();
  return (
    <Section id="pv-footprint" title="Where their data is" note="The same tables the access export holds and the erasure covers.">
      <p>
        <strong>{rows(summary.total_rows)}</strong> in {formatNumber(held.length)} of {formatNumber(entries.length)} tables hold something about them.
      </p>
      {held.length > 0 && (
        <div className="table-wrap pv-narrow">
          <table aria-label="Rows per table">
            <thead>
              <tr>
                <th scope="col">Table</th>
                <th scope="col" className="num">
                  Rows
                </th>
              </tr>
            </thead>
            <tbody>
              {held.map(([t, n]) => (
                <tr key={t} data-table={t}>
                  <th scope="row">{humanise(t)}</th>
                  <td className="num">{formatNumber(n)}</td>
                </tr>
              ))}
            </tbody>
            <tfoot>
              <tr>
                <th scope="row">Total</th>
                <td className="num">{formatNumber(summary.total_rows)}</td>
              </tr>
            </tfoot>
          </table>
        </div>
      )}
      {empty.length > 0 && (
        <details className="pv-fold">
          <summary>{formatNumber(empty.length)} tables hold nothing about them</summary>
          <p className="pv-small muted">{empty.map(humanise).join(', ')}</p>
        </details>
      )}
    </Section>
  );
}

// ---------------------------------------------------------------------------
// Access request

/** The file name a download's Content-Disposition gives, if any. */
function fileNameOf(header: string | null): string | null {
  const m = header ? /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(header) : null;
  return m ? decodeURIComponent(m[1]!) : null;
}

function AccessRequest({ kind, id, erased, onDone }: { kind: SubjectKind; id: string; erased: boolean; onDone: () => void }) {
  const schema = useSchema();
  const op = schema.operation(`privacy.export_${kind}`);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  if (!op) return null;
  const href = `/api/v1/${SUBJECT_TABLE[kind]}/${enc(id)}/access_export`;
  // Fetched by script so the evidence below shows the export as soon as it is made; a plain link without script.
  const download = async (e: MouseEvent<HTMLAnchorElement>) => {
    if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const r = await fetch(href, { credentials: 'same-origin' });
      if (!r.ok) {
        const body = (await r.json().catch(() => ({}))) as { detail?: string };
        throw new ApiError(r.status, 'DOWNLOAD', body.detail ?? `The server answered ${r.status}`);
      }
      const blob = await r.blob();
      const url = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = url;
      a.download = fileNameOf(r.headers.get('content-disposition')) ?? `access-export-${kind}-${id}.zip`;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
      onDone();
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Section id="pv-access" title="Access request">
      <p>
        <a className="button-link" href={href} download onClick={(e) => void download(e)} aria-disabled={busy || undefined}>
          {busy ? 'Preparing the archive…' : 'Download the archive (zip)'}
        </a>
      </p>
      <Alert>{error}</Alert>
      <p className="muted">
        One zip of every row stored about the {kind}
        {kind === 'company' ? ' and each of its contacts and leads' : kind === 'contact' ? ' and the leads converted into them' : ' and the contact they became'}: manifest.json (who, when, by whom, rows per table), data.json (every row, whole) and one CSV per table.
        {erased ? ' They are erased: the archive holds what is left, without the personal data.' : ''} Each download is recorded below as evidence.
      </p>
    </Section>
  );
}

// ---------------------------------------------------------------------------
// Erasure

/** The erasure's description, cut to what it does (the sentences about who may run it and how it answers are left out). */
function whatErasureDoes(description: string | undefined): string {
  if (!description) return '';
  const sentences = description.match(/[^.]+(?:\.(?=\s|$)|$)/g) ?? [description];
  return sentences
    .map((s) => s.trim())
    .filter((s) => s && !/^(Answers|Administrators only|Export the records first)/.test(s))
    .join(' ');
}

function Erasure({ kind, id, label, erasedAt, receipt, onErased }: { kind: SubjectKind; id: string; label: string; erasedAt: string | null; receipt: Receipt | null; onErased: (r: Receipt) => void }) {
  const schema = useSchema();
  const op = schema.operation(`privacy.erase_${kind}`);
  const [reason, setReason] = useState('');
  const [typed, setTyped] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const confirmId = useId();
  if (!op) return null;
  const matches = typed === label;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!matches) return;
    setBusy(true);
    setErrors({});
    setError(null);
    try {
      const r = await api<Receipt>('POST', `/api/v1/${SUBJECT_TABLE[kind]}/${enc(id)}/erase`, { reason });
      setReason('');
      setTyped('');
      onErased(r);
    } catch (err) {
      const { byField, message } = refusal(err, ['reason']);
      setErrors(byField);
      setError(message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Section id="pv-erasure" title="Erasure">
      {receipt && <ErasureReceipt receipt={receipt} />}
      {erasedAt ? (
        !receipt && <p>The {kind} was erased on {formatDateTime(erasedAt)}. The record stays, marked erased, and can no longer be changed or restored; the evidence below says who erased it and why.</p>
      ) : (
        <>
          <p className="pv-text">{whatErasureDoes(op.description)}</p>
          <p className="muted">It cannot be undone. If they asked for a copy, download the archive first.</p>
          <form className="card pv-form pv-erase" onSubmit={submit} noValidate>
            <TextArea label="Reason" value={reason} onChange={setReason} error={errors.reason} hint='Why it is erased, e.g. "erasure request by email of 3 May"' required />
            <FieldRow label={`Type “${label}” to confirm`} id={confirmId} error={undefined}>
              <input id={confirmId} value={typed} onChange={(e) => setTyped(e.target.value)} autoComplete="off" spellCheck={false} />
            </FieldRow>
            <Alert>{error}</Alert>
            <div className="actions">
              <button type="submit" className="danger" disabled={!matches || busy}>
                Erase {label}
              </button>
            </div>
          </form>
        </>
      )}
    </Section>
  );
}

function ErasureReceipt({ receipt }: { receipt: Receipt }) {
  const tables = [...new Set([...Object.keys(receipt.rows), ...Object.keys(receipt.scrubbed)])]
    .filter((t) => (receipt.rows[t] ?? 0) > 0 || (receipt.scrubbed[t] ?? 0) > 0)
    .sort((a, b) => (receipt.rows[b] ?? 0) - (receipt.rows[a] ?? 0) || a.localeCompare(b));
  const people = receipt.people.contact_ids.length + receipt.people.lead_ids.length;
  return (
    <div className="pv-receipt" role="status">
      <p>
        <strong>Erased</strong> on {formatDateTime(receipt.erased_at)} by {receipt.erased_by}: {rows(sum(receipt.rows))} erased and {rows(sum(receipt.scrubbed))} scrubbed of their name, address or phone
        {people ? `, across ${formatNumber(people)} ${people === 1 ? 'record of the person' : 'records of people'}` : ''}.
      </p>
      <div className="table-wrap pv-narrow">
        <table aria-label="Erasure receipt">
          <thead>
            <tr>
              <th scope="col">Table</th>
              <th scope="col" className="num">
                Erased
              </th>
              <th scope="col" className="num">
                Scrubbed
              </th>
            </tr>
          </thead>
          <tbody>
            {tables.map((t) => (
              <tr key={t} data-table={t}>
                <th scope="row">{humanise(t)}</th>
                <td className="num">{formatNumber(receipt.rows[t] ?? 0)}</td>
                <td className="num">{formatNumber(receipt.scrubbed[t] ?? 0)}</td>
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr>
              <th scope="row">Total</th>
              <td className="num">{formatNumber(sum(receipt.rows))}</td>
              <td className="num">{formatNumber(sum(receipt.scrubbed))}</td>
            </tr>
          </tfoot>
        </table>
      </div>
    </div>
  );
}

// ---------------------------------------------------------------------------
// Evidence

const ACTION_LABEL: Record<string, string> = { export: 'Access export', erase: 'Erasure' };

/** What one audit row of the history says, in a line. */
function describe(h: HistoryEntry): { what: string; detail: string } {
  const d = (h.detail ?? {}) as Row;
  const str = (v: unknown) => (typeof v === 'string' ? v : '');
  if (h.action === 'export') {
    const counts = (d.rows ?? {}) as Record<string, number>;
    return { what: ACTION_LABEL.export!, detail: [str(d.filename), rows(sum(counts))].filter(Boolean).join(' · ') };
  }
  if (h.action === 'erase') {
    const counts = (d.rows ?? {}) as Record<string, number>;
    return { what: ACTION_LABEL.erase!, detail: [str(d.reason) && `“${str(d.reason)}”`, rows(sum(counts))].filter(Boolean).join(' · ') };
  }
  if (h.table === 'consents') {
    // Every consent audit row names its purpose (until an erasure blanks it).
    const p = str(d.purpose) ? purposeLabel(str(d.purpose)) : 'Consent';
    if (h.action === 'create' && !d.withdrawn_at) return { what: 'Consent recorded', detail: [p, methodLabel(str(d.method))].filter(Boolean).join(' · ') };
    if (h.action === 'create') return { what: 'Withdrawal recorded', detail: [p, methodLabel(str(d.withdrawal_method))].filter(Boolean).join(' · ') };
    if (d.withdrawn_at) return { what: 'Consent withdrawn', detail: [p, methodLabel(str(d.withdrawal_method)), str(d.withdrawal_note)].filter(Boolean).join(' · ') };
    return { what: 'Consent changed', detail: p };
  }
  return { what: humanise(h.action), detail: humanise(h.table) };
}

function Evidence({ history }: { history: HistoryEntry[] }) {
  return (
    <Section id="pv-evidence" title="Evidence" note="From the audit log, newest first: every access export, erasure and consent change, with who did it. The erased data itself is never kept here.">
      {history.length === 0 ? (
        <p className="empty">Nothing has been exported, erased or consented yet.</p>
      ) : (
        <div className="table-wrap">
          <table aria-label="Evidence">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">What</th>
                <th scope="col">By</th>
                <th scope="col">Detail</th>
              </tr>
            </thead>
            <tbody>
              {history.map((h, i) => {
                const { what, detail } = describe(h);
                return (
                  <tr key={`${h.at}-${i}`}>
                    <td className="pv-when">{formatDateTime(h.at)}</td>
                    <td>{what}</td>
                    <td className="pv-text">{h.by ?? <span className="muted">unknown</span>}</td>
                    <td className="pv-text">{detail}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </Section>
  );
}
