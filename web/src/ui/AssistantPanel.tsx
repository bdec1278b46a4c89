/**
 * The sales assistant on a contact's page (seed 003): research the prospect, draft outreach,
 * and take each draft through a person's approval to sent. What the model wrote is record
 * text like any other: shown as text (line breaks kept), never as markup. A model can take
 * many seconds; the page stays usable meanwhile, and a refusal (no model configured, a
 * provider error, a timeout) shows the server's own words.
 *
 * Also exports what the Assistant page shares: the status, cost formatting and a draft's badge.
 */
import type { AssistantStatus } from '../../../src/core/assistant/operations.ts';
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { api, ApiError, messageOf, query, type Page } from '../api.ts';
import { Link } from '../Link.tsx';
import { humanise, recordLabel, useSchema } from '../schema.tsx';
import { FieldRow, RecordPicker } from './fields.tsx';
import { useLabels } from './labels.ts';
import { RecordForm } from './RecordForm.tsx';
import { Alert, Badge, Dialog, fieldErrorsOf, formatDateTime, formatNumber, Loaded, useAsync } from './ui.tsx';

type Row = Record<string, unknown>;

export type { AssistantStatus };

export const SETTINGS = ['THROUGHLINE_LLM_PROVIDER', 'THROUGHLINE_LLM_MODEL', 'THROUGHLINE_LLM_API_KEY'] as const;

/** What to set for the assistant to work, naming the settings. */
export function SetupNote({ status }: { status: AssistantStatus }) {
  return (
    <div className="as-setup" role="note">
      <p style={{ margin: 0 }}>
        <strong>No language model is configured</strong>, so the assistant cannot research or draft. Whoever runs this instance sets{' '}
        {SETTINGS.map((s, i) => (
          <span key={s}>
            <code>{s}</code>
            {i < SETTINGS.length - 2 ? ', ' : i === SETTINGS.length - 2 ? ' and ' : ''}
          </span>
        ))}{' '}
        (and <code>THROUGHLINE_LLM_URL</code> for another endpoint), then restarts it.
      </p>
      {status.message && <p className="as-small muted" style={{ margin: '0.3rem 0 0' }}>{status.message}</p>}
    </div>
  );
}

export function useAssistantStatus() {
  return useAsync(() => api<AssistantStatus>('GET', '/api/v1/assistant/status'), []);
}

/** An LLM cost (numeric with up to 6 decimals) in its currency: small amounts keep their digits. */
export function formatCost(amount: string | number | null | undefined, currency: string | null | undefined): string {
  if (amount === null || amount === undefined || amount === '') return '';
  const n = Number(amount);
  if (!Number.isFinite(n)) return String(amount);
  try {
    return new Intl.NumberFormat(undefined, { style: 'currency', currency: currency || 'USD', minimumFractionDigits: 2, maximumFractionDigits: 6 }).format(n);
  } catch {
    return `${currency ?? ''} ${String(amount)}`.trim();
  }
}

const DRAFT_TONE: Record<string, 'good' | 'bad' | 'warn' | 'plain' | undefined> = { draft: 'warn', approved: undefined, sent: 'good', discarded: 'plain' };
export function DraftBadge({ status }: { status: unknown }) {
  const s = String(status ?? '');
  const tone = DRAFT_TONE[s];
  return <Badge {...(tone ? { tone } : {})}>{humanise(s || 'unknown')}</Badge>;
}

/** A refusal in words: the server's message and any field errors it names. */
export function describeError(e: unknown): string {
  if (!(e instanceof ApiError) || e.fields.length === 0) return messageOf(e);
  const fields = e.fields.map((f) => `${f.field.replace(/^(data|input)\./, '')} ${f.message}`).join('; ');
  return `${e.message} (${fields})`;
}

const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const text = (v: unknown): string => (typeof v === 'string' ? v : v === null || v === undefined ? '' : JSON.stringify(v));

type Cost = { cost: string; currency: string; status?: string; total_tokens?: number };

// ---------------------------------------------------------------------------
// The panel

export function AssistantPanel({ contact, onChanged }: { contact: Row; onChanged: () => void }) {
  const schema = useSchema();
  const contactId = String(contact.id);
  const status = useAssistantStatus();
  const [researchTick, setResearchTick] = useState(0);
  const [draftTick, setDraftTick] = useState(0);
  const configured = status.data?.configured === true;
  const archived = Boolean(contact.archived_at);
  const canResearch = Boolean(schema.operation('assistant.research')) && !archived;
  const canDraft = Boolean(schema.operation('assistant.draft')) && !archived;

  return (
    <section className="card as-panel" aria-labelledby="as-panel-title">
      <h2 id="as-panel-title">Sales assistant</h2>
      <Loaded state={status} what="the assistant's status">
        {(s) =>
          s.configured ? (
            <p className="as-small muted">
              Model {s.model} ({s.provider}) at {s.host}. Whatever it writes waits for a person's approval before anything is sent.
            </p>
          ) : (
            <SetupNote status={s} />
          )
        }
      </Loaded>
      {schema.table('prospect_research') && (
        <Research contactId={contactId} name={recordLabel(contact)} enabled={configured} allowed={canResearch} tick={researchTick} onDone={() => setResearchTick((t) => t + 1)} />
      )}
      {schema.table('outreach_drafts') && (
        <Drafts contact={contact} enabled={configured} allowed={canDraft} tick={draftTick} onChanged={() => setDraftTick((t) => t + 1)} onSent={onChanged} />
      )}
    </section>
  );
}

// ---------------------------------------------------------------------------
// Research

type ResearchResult = Row & { cost: string; currency: string; warnings: string[]; llm_usage_log_id: string };

function Research({ contactId, name, enabled, allowed, tick, onDone }: { contactId: string; name: string; enabled: boolean; allowed: boolean; tick: number; onDone: () => void }) {
  const schema = useSchema();
  const inputId = useId();
  const [instructions, setInstructions] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [fieldError, setFieldError] = useState<string | undefined>(undefined);
  const [warnings, setWarnings] = useState<string[]>([]);
  const [known, setKnown] = useState<Map<string, Cost>>(new Map());
  const live = useRef(true);
  useEffect(() => {
    live.current = true;
    return () => {
      live.current = false;
    };
  }, []);
  const canSeeLogs = Boolean(schema.table('llm_usage_logs'));
  const list = useAsync(async () => {
    const page = await api<Page<Row>>('GET', `/api/v1/prospect_research${query({ contact_id: contactId, sort: '-created_at', limit: 20 })}`);
    const ids = page.items.map((r) => r.llm_usage_log_id).filter((x): x is string => typeof x === 'string');
    const costs = new Map<string, Cost>();
    if (canSeeLogs && ids.length) {
      const logs = await api<Page<Row>>('GET', `/api/v1/llm_usage_logs?id[in]=${ids.map(encodeURIComponent).join(',')}&limit=100`).catch(() => ({ items: [] as Row[], next_cursor: null }));
      for (const l of logs.items) costs.set(String(l.id), { cost: String(l.cost ?? ''), currency: String(l.currency ?? 'USD'), status: String(l.status ?? ''), total_tokens: Number(l.total_tokens ?? 0) });
    }
    return { items: page.items, costs, more: Boolean(page.next_cursor) };
  }, [contactId, tick]);

  const run = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setProblem(null);
    setFieldError(undefined);
    setWarnings([]);
    try {
      const body = instructions.trim() ? { instructions: instructions.trim() } : {};
      const r = await api<ResearchResult>('POST', `/api/v1/contacts/${encodeURIComponent(contactId)}/research`, body);
      if (!live.current) return;
      setKnown((m) => new Map(m).set(String(r.llm_usage_log_id), { cost: r.cost, currency: r.currency }));
      setWarnings(Array.isArray(r.warnings) ? r.warnings : []);
      setInstructions('');
      onDone();
    } catch (err) {
      if (!live.current) return;
      const byField = fieldErrorsOf(err);
      setFieldError(byField.instructions);
      setProblem(byField.instructions ? 'The instructions need a change: see below them.' : describeError(err));
    } finally {
      if (live.current) setBusy(false);
    }
  };

  const costOf = (r: Row, costs: Map<string, Cost>): Cost | undefined => {
    const id = typeof r.llm_usage_log_id === 'string' ? r.llm_usage_log_id : '';
    return known.get(id) ?? costs.get(id);
  };

  return (
    <div className="as-section" aria-labelledby={`${inputId}-title`}>
      <div className="as-panel-head">
        <h3 id={`${inputId}-title`}>Research</h3>
      </div>
      {allowed && (
        <form className="as-research-form" onSubmit={run} noValidate aria-label="Research this contact">
          <FieldRow label="Research instructions (optional)" id={inputId} error={fieldError} hint="Tone or focus, e.g. “Focus on estimating”.">
            <textarea id={inputId} rows={2} maxLength={2000} value={instructions} onChange={(e) => setInstructions(e.target.value)} disabled={!enabled || busy} aria-invalid={fieldError ? true : undefined} />
          </FieldRow>
          <button type="submit" disabled={!enabled || busy}>
            {busy ? 'Researching…' : 'Research'}
          </button>
        </form>
      )}
      {busy && (
        <p className="as-busy" role="status" aria-live="polite">
          Researching {name}… a model can take a minute. You can keep working on this page.
        </p>
      )}
      <Alert>{problem}</Alert>
      {warnings.length > 0 && (
        <ul className="as-warn as-small" aria-label="Warnings">
          {warnings.map((w) => (
            <li key={w}>{w}</li>
          ))}
        </ul>
      )}
      <Loaded state={list} what="research">
        {({ items, costs, more }) =>
          items.length === 0 ? (
            <p className="empty">No research on {name} yet.</p>
          ) : (
            <>
              <ResearchView row={items[0]!} cost={costOf(items[0]!, costs)} latest />
              {items.length > 1 && (
                <details className="as-earlier">
                  <summary>Earlier research ({items.length - 1}{more ? '+' : ''})</summary>
                  {items.slice(1).map((r) => (
                    <ResearchView key={String(r.id)} row={r} cost={costOf(r, costs)} />
                  ))}
                </details>
              )}
            </>
          )
        }
      </Loaded>
    </div>
  );
}

function ResearchView({ row, cost, latest }: { row: Row; cost: Cost | undefined; latest?: boolean }) {
  const insights = asArray(row.key_insights).map(text).filter(Boolean);
  const recs = asArray(row.recommended_solutions).filter((x): x is Row => Boolean(x) && typeof x === 'object' && !Array.isArray(x));
  const confidence = row.confidence_score === null || row.confidence_score === undefined ? null : Number(row.confidence_score);
  return (
    <article className="as-research" aria-label={latest ? 'Latest research' : `Research of ${formatDateTime(String(row.created_at ?? ''))}`}>
      <p className="as-facts">
        <span>
          Researched <time dateTime={String(row.created_at ?? '')}>{formatDateTime(String(row.created_at ?? ''))}</time>
        </span>
        <span>Confidence: {confidence === null || !Number.isFinite(confidence) ? 'not given' : `${formatNumber(confidence, 2)} / 100`}</span>
        {typeof row.model === 'string' && row.model && <span>Model: {row.model}</span>}
        {cost && cost.cost !== '' && <span>Cost: {formatCost(cost.cost, cost.currency)}</span>}
      </p>
      <h4>Summary</h4>
      <p className="as-text">{text(row.research_summary)}</p>
      {insights.length > 0 && (
        <>
          <h4>Key insights</h4>
          <ul>
            {insights.map((s, i) => (
              <li key={i} className="as-text">
                {s}
              </li>
            ))}
          </ul>
        </>
      )}
      <h4>Recommended services</h4>
      {recs.length === 0 ? (
        <p className="empty as-small">None of the catalog's services was recommended.</p>
      ) : (
        <ul aria-label="Recommended services">
          {recs.map((r, i) => (
            <li key={`${text(r.service_id)}-${i}`}>
              {typeof r.service_id === 'string' && r.service_id ? <Link to={`/services/${encodeURIComponent(r.service_id)}`}>{text(r.name) || 'A service'}</Link> : <strong>{text(r.name) || 'A service'}</strong>}
              {r.reason ? <span className="as-text">: {text(r.reason)}</span> : null}
            </li>
          ))}
        </ul>
      )}
    </article>
  );
}

// ---------------------------------------------------------------------------
// Drafts

export const TYPE_LABEL: Record<string, string> = { email: 'Email', linkedin: 'LinkedIn message', call_script: 'Call script', other: 'Other message' };

function Drafts({ contact, enabled, allowed, tick, onChanged, onSent }: { contact: Row; enabled: boolean; allowed: boolean; tick: number; onChanged: () => void; onSent: () => void }) {
  const contactId = String(contact.id);
  const [open, setOpen] = useState(false);
  const [fresh, setFresh] = useState<string | null>(null);
  const list = useAsync(() => api<Page<Row>>('GET', `/api/v1/outreach_drafts${query({ contact_id: contactId, sort: '-created_at', limit: 50 })}`), [contactId, tick]);
  const items = list.data?.items ?? [];
  const label = useLabels(
    items.flatMap((d) => [
      ...(typeof d.event_id === 'string' ? [['events', d.event_id] as [string, string]] : []),
      ...(typeof d.campaign_id === 'string' ? [['campaigns', d.campaign_id] as [string, string]] : []),
      ...(typeof d.approved_by === 'string' ? [['users', d.approved_by] as [string, string]] : []),
    ]),
  );
  return (
    <div className="as-section">
      <div className="as-panel-head">
        <h3>Outreach drafts</h3>
        {allowed && (
          <button type="button" onClick={() => setOpen(true)} disabled={!enabled}>
            Draft outreach
          </button>
        )}
      </div>
      <Loaded state={list} what="drafts">
        {(page) => {
          const active = page.items.filter((d) => d.status !== 'discarded');
          const discarded = page.items.filter((d) => d.status === 'discarded');
          return (
            <>
              {active.length === 0 ? (
                <p className="empty">No drafts for {recordLabel(contact)} yet.</p>
              ) : (
                <ul className="as-drafts" aria-label="Drafts, newest first">
                  {active.map((d) => (
                    <DraftItem key={String(d.id)} draft={d} contact={contact} label={label} fresh={fresh === d.id} onChanged={onChanged} onSent={onSent} />
                  ))}
                </ul>
              )}
              {discarded.length > 0 && (
                <details className="as-earlier">
                  <summary>Discarded ({discarded.length})</summary>
                  <ul className="as-drafts" aria-label="Discarded drafts">
                    {discarded.map((d) => (
                      <DraftItem key={String(d.id)} draft={d} contact={contact} label={label} fresh={false} onChanged={onChanged} onSent={onSent} />
                    ))}
                  </ul>
                </details>
              )}
            </>
          );
        }}
      </Loaded>
      <Dialog title={`Draft outreach to ${recordLabel(contact)}`} open={open} onClose={() => setOpen(false)}>
        <DraftForm
          contact={contact}
          onCancel={() => setOpen(false)}
          onCreated={(row) => {
            setOpen(false);
            setFresh(String(row.id));
            onChanged();
          }}
        />
      </Dialog>
    </div>
  );
}

function DraftForm({ contact, onCreated, onCancel }: { contact: Row; onCreated: (row: Row) => void; onCancel: () => void }) {
  const schema = useSchema();
  const ids = { type: useId(), event: useId(), campaign: useId(), instructions: useId() };
  const hasEmail = typeof contact.email === 'string' && contact.email.trim() !== '';
  const [type, setType] = useState(hasEmail ? 'email' : 'linkedin');
  const [eventId, setEventId] = useState('');
  const [campaignId, setCampaignId] = useState('');
  const [instructions, setInstructions] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const types = schema.table('outreach_drafts')?.fields.find((f) => f.name === 'draft_type')?.values ?? ['email', 'linkedin', 'call_script', 'other'];

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setProblem(null);
    setErrors({});
    try {
      const body: Row = { draft_type: type };
      if (eventId) body.event_id = eventId;
      if (campaignId) body.campaign_id = campaignId;
      if (instructions.trim()) body.instructions = instructions.trim();
      const row = await api<Row>('POST', `/api/v1/contacts/${encodeURIComponent(String(contact.id))}/drafts`, body);
      onCreated(row);
    } catch (err) {
      const byField = fieldErrorsOf(err);
      setErrors(byField);
      const shown = ['draft_type', 'event_id', 'campaign_id', 'instructions'];
      const rest = err instanceof ApiError ? err.fields.filter((f) => !shown.includes(f.field.replace(/^(data|input)\./, ''))) : [];
      setProblem(err instanceof ApiError && err.fields.length && !rest.length ? 'Some fields need a change: see below.' : describeError(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={submit} noValidate aria-label="Draft outreach">
      <Alert>{problem}</Alert>
      <div className="form-grid">
        <FieldRow label="Kind" id={ids.type} error={errors.draft_type} required hint={type === 'email' && !hasEmail ? 'This contact has no email address: an email draft cannot be sent until one is added.' : undefined}>
          <select id={ids.type} value={type} onChange={(e) => setType(e.target.value)} disabled={busy}>
            {types.map((t) => (
              <option key={t} value={t}>
                {TYPE_LABEL[t] ?? humanise(t)}
              </option>
            ))}
          </select>
        </FieldRow>
        {schema.table('events') && (
          <FieldRow label="Event (optional)" id={ids.event} error={errors.event_id}>
            <RecordPicker table="events" value={eventId} onChange={setEventId} inputId={ids.event} invalid={Boolean(errors.event_id)} disabled={busy} />
          </FieldRow>
        )}
        {schema.table('campaigns') && (
          <FieldRow label="Campaign (optional)" id={ids.campaign} error={errors.campaign_id}>
            <RecordPicker table="campaigns" value={campaignId} onChange={setCampaignId} inputId={ids.campaign} invalid={Boolean(errors.campaign_id)} disabled={busy} />
          </FieldRow>
        )}
      </div>
      <FieldRow label="Instructions (optional)" id={ids.instructions} error={errors.instructions} hint="Tone, focus or length; the draft waits for your approval either way.">
        <textarea id={ids.instructions} rows={3} maxLength={2000} value={instructions} onChange={(e) => setInstructions(e.target.value)} disabled={busy} />
      </FieldRow>
      {busy && (
        <p className="as-busy" role="status" aria-live="polite">
          Drafting… a model can take a minute. You may close this; the draft appears when it is written.
        </p>
      )}
      <div className="actions">
        <button type="submit" disabled={busy}>
          {busy ? 'Drafting…' : 'Write the draft'}
        </button>
        <button type="button" className="secondary" onClick={onCancel}>
          {busy ? 'Close' : 'Cancel'}
        </button>
      </div>
    </form>
  );
}

type Pending = null | 'edit' | 'send' | 'discard';

function DraftItem({ draft, contact, label, fresh, onChanged, onSent }: { draft: Row; contact: Row; label: (table: string, id: string) => string | undefined; fresh: boolean; onChanged: () => void; onSent: () => void }) {
  const schema = useSchema();
  const id = String(draft.id);
  const status = String(draft.status ?? '');
  const type = String(draft.draft_type ?? '');
  const [pending, setPending] = useState<Pending>(null);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [reason, setReason] = useState('');
  const reasonId = useId();
  const ref = useRef<HTMLLIElement>(null);
  useEffect(() => {
    // A new draft, or the one a link points at (`#draft-<id>` from the Assistant page), is brought into view.
    if (fresh) ref.current?.scrollIntoView({ block: 'nearest' });
    else if (location.hash === `#draft-${id}`) ref.current?.scrollIntoView({ block: 'start' });
  }, [fresh, id]);
  const open = status === 'draft' || status === 'approved';
  const archived = Boolean(draft.archived_at);
  const canEdit = open && !archived && schema.can('outreach_drafts', 'update');
  const canApprove = status === 'draft' && !archived && Boolean(schema.operation('outreach_drafts.approve'));
  const canSend = status === 'approved' && !archived && Boolean(schema.operation('outreach_drafts.send'));
  const canDiscard = open && !archived && Boolean(schema.operation('outreach_drafts.discard'));
  const email = typeof contact.email === 'string' ? contact.email.trim() : '';
  const title = text(draft.subject) || `${TYPE_LABEL[type] ?? humanise(type)} draft`;

  const act = async (verb: 'approve' | 'send' | 'discard') => {
    setBusy(true);
    setProblem(null);
    try {
      const body: Row = verb === 'discard' ? (reason.trim() ? { reason: reason.trim() } : {}) : { expected_version: draft.version };
      await api('POST', `/api/v1/outreach_drafts/${encodeURIComponent(id)}/${verb}`, body);
      setPending(null);
      setReason('');
      onChanged();
      if (verb === 'send') onSent();
    } catch (e) {
      setProblem(describeError(e));
      if (e instanceof ApiError && (e.status === 409 || e.status === 412)) onChanged();
    } finally {
      setBusy(false);
    }
  };

  return (
    <li ref={ref} id={`draft-${id}`} className={`as-draft as-draft-${status}`} aria-label={`${TYPE_LABEL[type] ?? humanise(type)}: ${title}`}>
      <div className="as-draft-head">
        <DraftBadge status={status} />
        <span>{TYPE_LABEL[type] ?? humanise(type)}</span>
        <span>
          written <time dateTime={String(draft.created_at ?? '')}>{formatDateTime(String(draft.created_at ?? ''))}</time>
        </span>
        {typeof draft.event_id === 'string' && (
          <span>
            event <Link to={`/events/${draft.event_id}`}>{label('events', draft.event_id) ?? 'an event'}</Link>
          </span>
        )}
        {typeof draft.campaign_id === 'string' && (
          <span>
            campaign <Link to={`/campaigns/${draft.campaign_id}`}>{label('campaigns', draft.campaign_id) ?? 'a campaign'}</Link>
          </span>
        )}
      </div>
      {draft.subject ? <p className="as-subject">Subject: {text(draft.subject)}</p> : type === 'email' ? <p className="as-subject error">No subject yet: an email needs one before it is approved.</p> : null}
      <div className="as-body">{text(draft.content)}</div>
      <p className="as-small muted" style={{ margin: 0 }}>
        {status === 'approved' && (
          <>
            Approved{typeof draft.approved_by === 'string' ? ` by ${label('users', draft.approved_by) ?? 'a person'}` : ''} {formatDateTime(String(draft.approved_at ?? ''))}: ready to send.
          </>
        )}
        {status === 'draft' && 'Waiting for a person to approve it.'}
        {status === 'sent' && <>Sent {formatDateTime(String(draft.sent_at ?? ''))}.</>}
        {status === 'discarded' && 'Discarded: it will not be sent.'}
      </p>
      {(canEdit || canApprove || canSend || canDiscard) && (
        <div className="actions">
          {canApprove && (
            <button type="button" className="small" onClick={() => void act('approve')} disabled={busy} aria-label={`Approve ${title}`}>
              Approve
            </button>
          )}
          {canSend && (
            <button type="button" className="small" onClick={() => setPending('send')} disabled={busy} aria-label={`Send ${title}`}>
              Send…
            </button>
          )}
          {canEdit && (
            <button type="button" className="secondary small" onClick={() => setPending('edit')} disabled={busy} aria-label={`Edit ${title}`}>
              Edit
            </button>
          )}
          {canDiscard && (
            <button type="button" className="secondary small" onClick={() => setPending('discard')} disabled={busy} aria-label={`Discard ${title}`}>
              Discard…
            </button>
          )}
        </div>
      )}
      {pending === null && <Alert>{problem}</Alert>}

      <Dialog title="Edit the draft" open={pending === 'edit'} onClose={() => setPending(null)}>
        {status === 'approved' && <p className="as-warn">This draft is approved. Saving a change returns it to draft: it must be approved again before it is sent.</p>}
        <RecordForm
          table="outreach_drafts"
          record={draft}
          only={['subject', 'content']}
          onSaved={() => {
            setPending(null);
            onChanged();
          }}
          onCancel={() => setPending(null)}
        />
      </Dialog>

      <Dialog title={type === 'email' ? 'Send this email?' : 'Mark this draft sent?'} open={pending === 'send'} onClose={() => setPending(null)}>
        {type === 'email' ? (
          email ? (
            <p>
              The email “{title}” is queued now to <strong>{recordLabel(contact)}</strong> at <strong>{email}</strong>, and logged as an outbound interaction. This cannot be undone.
            </p>
          ) : (
            <p className="as-warn">{recordLabel(contact)} has no email address, so the email cannot be sent: add one to the contact, or draft another kind of message.</p>
          )
        ) : (
          <p>
            This marks it sent; you send it yourself ({type === 'linkedin' ? 'on LinkedIn' : type === 'call_script' ? 'on the call' : 'however you reach them'}). It is logged as an outbound interaction with {recordLabel(contact)}. This cannot be undone.
          </p>
        )}
        {typeof draft.campaign_id === 'string' && <p className="as-small muted">Their target in the campaign {label('campaigns', draft.campaign_id) ?? ''} moves to sent.</p>}
        <Alert>{problem}</Alert>
        <div className="actions">
          <button type="button" onClick={() => void act('send')} disabled={busy}>
            {busy ? 'Sending…' : type === 'email' ? 'Send email' : 'Mark as sent'}
          </button>
          <button type="button" className="secondary" onClick={() => setPending(null)}>
            Cancel
          </button>
        </div>
      </Dialog>

      <Dialog title="Discard the draft?" open={pending === 'discard'} onClose={() => setPending(null)}>
        <p>A discarded draft is never sent, and cannot be brought back.</p>
        <FieldRow label="Reason (optional)" id={reasonId} hint="Kept in the audit log.">
          <textarea id={reasonId} rows={2} maxLength={1000} value={reason} onChange={(e) => setReason(e.target.value)} />
        </FieldRow>
        <Alert>{problem}</Alert>
        <div className="actions">
          <button type="button" className="danger" onClick={() => void act('discard')} disabled={busy}>
            {busy ? 'Discarding…' : 'Discard draft'}
          </button>
          <button type="button" className="secondary" onClick={() => setPending(null)}>
            Cancel
          </button>
        </div>
      </Dialog>
    </li>
  );
}
