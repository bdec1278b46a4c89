/**
 * A contact: who they are and how to reach them (mail and phone links only), their details
 * and Edit, the record's own actions, the sales assistant (research, drafts, approval and
 * sending: ui/AssistantPanel.tsx), their recent interactions and notes, the events they
 * attend and the campaigns that target them, and for administrators the access request (a
 * zip of everything held about them). Record text is always shown as text.
 */
import { useState, type ReactNode } from 'react';
import { api, messageOf, query, type Page } from '../api.ts';
import { Link } from '../Link.tsx';
import { navigate } from '../router.ts';
import { humanise, recordLabel, useSchema, type OperationInfo } from '../schema.tsx';
import { AssistantPanel } from '../ui/AssistantPanel.tsx';
import { useLabels } from '../ui/labels.ts';
import { LogInteractionDialog } from '../ui/LogInteraction.tsx';
import { OperationForm } from '../ui/OperationForm.tsx';
import { recordOperations } from '../ui/RecordActions.tsx';
import { RecordForm } from '../ui/RecordForm.tsx';
import { Timeline } from '../ui/Timeline.tsx';
import { Badge, Dialog, formatDateTime, Loaded, Notice, safeHref, useAsync } from '../ui/ui.tsx';
import { Value } from '../ui/Value.tsx';
import './assistant.css';

type Row = Record<string, unknown>;
const empty = { items: [] as Row[], next_cursor: null };

/** Operations the assistant panel shows itself: not repeated among the record's actions. */
const PANEL_OPS = new Set(['assistant.research', 'assistant.draft']);

export function ContactPage({ id }: { id: string }) {
  const schema = useSchema();
  const [tick, setTick] = useState(0);
  const refresh = () => setTick((t) => t + 1);
  const state = useAsync(async () => {
    const contact = await api<Row>('GET', `/api/v1/contacts/${encodeURIComponent(id)}`);
    const company = typeof contact.company_id === 'string' && schema.table('companies') ? await api<Row>('GET', `/api/v1/companies/${contact.company_id}`).catch(() => null) : null;
    return { contact, company };
  }, [id, tick]);
  return (
    <section className="ct-page">
      <p className="ct-crumbs">
        <Link to="/contacts">Contacts</Link> /
      </p>
      <Loaded state={state} what="the contact">
        {({ contact, company }) => <ContactView contact={contact} company={company} tick={tick} refresh={refresh} />}
      </Loaded>
    </section>
  );
}

function ContactView({ contact, company, tick, refresh }: { contact: Row; company: Row | null; tick: number; refresh: () => void }) {
  const schema = useSchema();
  const id = String(contact.id);
  const archived = Boolean(contact.archived_at);
  const [notice, setNotice] = useState<{ kind: 'ok' | 'error'; text: ReactNode } | null>(null);
  const [dialog, setDialog] = useState<null | 'edit' | 'log' | 'archive' | OperationInfo>(null);
  const [timelineTick, setTimelineTick] = useState(0);
  const label = useLabels(typeof contact.owner_id === 'string' && schema.table('users') ? [['users', contact.owner_id]] : []);
  const email = typeof contact.email === 'string' && contact.email.trim() ? contact.email.trim() : '';
  const mail = email && /^[^\s@]+@[^\s@]+$/.test(email) ? safeHref(`mailto:${email}`) : undefined;
  const phones = (['phone', 'mobile'] as const).filter((k) => typeof contact[k] === 'string' && String(contact[k]).trim());
  const ops = recordOperations(
    // A file download (the access request) is a link in its own card, not a form.
    (schema.table('contacts')?.actions ?? []).filter((n) => !PANEL_OPS.has(n)).map((n) => schema.operation(n)).filter((o): o is OperationInfo => Boolean(o) && !o!.download),
    'contacts',
  );
  const canLog = !archived && Boolean(schema.operation('sales.log_interaction'));
  const done = (text: ReactNode) => {
    setDialog(null);
    setNotice({ kind: 'ok', text });
    refresh();
  };
  const archive = async (verb: 'archive' | 'restore') => {
    try {
      await api('POST', `/api/v1/contacts/${id}/${verb}`, undefined, contact.version !== undefined ? { 'if-match': `"${String(contact.version)}"` } : {});
      done(verb === 'archive' ? 'The contact is archived.' : 'The contact is restored.');
    } catch (e) {
      setDialog(null);
      setNotice({ kind: 'error', text: messageOf(e) });
    }
  };

  return (
    <>
      <div className="page-head ct-head">
        <div>
          <h1>
            {recordLabel(contact)}
            {archived && (
              <>
                {' '}
                <Badge tone="plain">Archived</Badge>
              </>
            )}
          </h1>
          <p className="ct-meta">
            {(contact.role_title || typeof contact.company_id === 'string') && (
              <span>
                {typeof contact.role_title === 'string' && contact.role_title}
                {typeof contact.company_id === 'string' && (
                  <>
                    {contact.role_title ? ' at ' : 'At '}
                    <Link to={`/companies/${contact.company_id}`}>{company ? recordLabel(company) : 'their company'}</Link>
                  </>
                )}
              </span>
            )}
            {contact.is_decision_maker === true && <Badge tone="good">Decision maker</Badge>}
            {contact.is_active === false && <Badge tone="plain">Inactive</Badge>}
          </p>
          <p className="ct-meta">
            {email ? mail ? <a href={mail}>{email}</a> : <span>{email}</span> : <span className="muted">No email address</span>}
            {phones.map((k) => {
              const v = String(contact[k]).trim();
              const href = safeHref(`tel:${v.replace(/[^\d+]/g, '')}`);
              return (
                <span key={k}>
                  {k === 'mobile' ? 'Mobile ' : 'Phone '}
                  {href && /\d/.test(v) ? <a href={href}>{v}</a> : v}
                </span>
              );
            })}
            <span>
              Owner:{' '}
              {typeof contact.owner_id === 'string' ? (
                schema.table('users') ? (
                  <Link to={`/users/${contact.owner_id}`}>{label('users', contact.owner_id) ?? 'a user'}</Link>
                ) : (
                  'a user'
                )
              ) : (
                <span className="muted">nobody</span>
              )}
            </span>
          </p>
        </div>
        <div className="actions ct-actions">
          {!archived && schema.can('contacts', 'update') && (
            <button type="button" onClick={() => setDialog('edit')}>
              Edit
            </button>
          )}
          {canLog && (
            <button type="button" className="secondary" onClick={() => setDialog('log')}>
              Log interaction
            </button>
          )}
          {ops.map(({ op }) => (
            <button key={op.name} type="button" className={op.destructive ? 'danger' : 'secondary'} onClick={() => setDialog(op)}>
              {op.summary}
            </button>
          ))}
          {schema.table('contacts')?.archivable !== false && schema.can('contacts', archived ? 'restore' : 'archive') && (
            <button type="button" className="secondary" onClick={() => setDialog('archive')}>
              {archived ? 'Restore' : 'Archive'}
            </button>
          )}
        </div>
      </div>
      {notice && <Notice kind={notice.kind}>{notice.text}</Notice>}

      <div className="ct-layout">
        <div className="ct-main">
          <AssistantPanel
            contact={contact}
            onChanged={() => {
              setTimelineTick((t) => t + 1);
            }}
          />
          <Timeline
            title="Recent interactions and notes"
            interactions={{ contact_id: id }}
            notes={{ related_id: id }}
            newNote={{ note_type: 'contact', related_id: id }}
            limit={30}
            canNote={!archived}
            folded
            reload={tick + timelineTick}
          />
        </div>
        <aside className="ct-side" aria-label="About the contact">
          <Details contact={contact} />
          <Events contactId={id} reload={tick} />
          <Campaigns contact={contact} reload={tick + timelineTick} />
          <PrivacyCard table="contacts" id={id} what="this contact and the leads converted into them" />
        </aside>
      </div>

      <Dialog title="Edit the contact" open={dialog === 'edit'} onClose={() => setDialog(null)}>
        <RecordForm table="contacts" record={contact} onSaved={() => done('Saved.')} onCancel={() => setDialog(null)} />
      </Dialog>
      {canLog && (
        <LogInteractionDialog
          companyId={typeof contact.company_id === 'string' ? contact.company_id : undefined}
          companyName={company ? recordLabel(company) : undefined}
          contactId={id}
          open={dialog === 'log'}
          onClose={() => setDialog(null)}
          onLogged={() => done('The interaction is logged.')}
        />
      )}
      <Dialog title={archived ? 'Restore the contact?' : 'Archive the contact?'} open={dialog === 'archive'} onClose={() => setDialog(null)}>
        <p>{archived ? 'Bring the contact back into lists?' : 'The contact leaves lists; you can restore them later.'}</p>
        <div className="actions">
          <button type="button" className={archived ? undefined : 'danger'} onClick={() => void archive(archived ? 'restore' : 'archive')}>
            {archived ? 'Restore' : 'Archive'}
          </button>
          <button type="button" className="secondary" onClick={() => setDialog(null)}>
            Cancel
          </button>
        </div>
      </Dialog>
      {dialog !== null && typeof dialog === 'object' && (
        <Dialog title={dialog.summary} open onClose={() => setDialog(null)}>
          {dialog.description && <p className="muted">{dialog.description}</p>}
          <OperationForm
            op={dialog}
            fixed={{ [recordOperations([dialog], 'contacts')[0]?.param ?? 'id']: id }}
            onDone={() => (dialog.method === 'delete' ? navigate('/contacts') : done(`${dialog.summary}: done.`))}
            onCancel={() => setDialog(null)}
          />
        </Dialog>
      )}
    </>
  );
}

const DETAILS = ['department', 'role_description', 'relationship_type', 'status', 'prospect_status', 'is_primary', 'location', 'linkedin_url', 'has_email', 'last_contacted_at', 'first_name', 'last_name', 'created_at', 'updated_at'];

function Details({ contact }: { contact: Row }) {
  const schema = useSchema();
  const fields = schema.table('contacts')?.fields ?? [];
  const shown = DETAILS.map((n) => fields.find((f) => f.name === n)).filter((f): f is NonNullable<typeof f> => Boolean(f) && contact[f!.name] !== null && contact[f!.name] !== undefined && contact[f!.name] !== '');
  return (
    <section aria-labelledby="ct-details">
      <h2 id="ct-details">Details</h2>
      <dl className="details">
        {shown.map((f) => (
          <div key={f.name} className="ct-pair">
            <dt>{humanise(f.name)}</dt>
            <dd>
              <Value field={f} row={contact} />
            </dd>
          </div>
        ))}
        <dt>Notes</dt>
        <dd className="notes">{typeof contact.notes === 'string' && contact.notes ? contact.notes : <span className="muted">—</span>}</dd>
      </dl>
    </section>
  );
}

function Events({ contactId, reload }: { contactId: string; reload: number }) {
  const schema = useSchema();
  const state = useAsync(async () => {
    if (!schema.table('event_attendees')) return null;
    const page = await api<Page<Row>>('GET', `/api/v1/event_attendees${query({ contact_id: contactId, sort: '-created_at', limit: 50 })}`);
    const ids = [...new Set(page.items.map((a) => a.event_id).filter((x): x is string => typeof x === 'string'))];
    const events = ids.length && schema.table('events') ? (await api<Page<Row>>('GET', `/api/v1/events?id[in]=${ids.join(',')}&limit=100&archived=include`)).items : [];
    const byId = new Map(events.map((e) => [String(e.id), e]));
    return page.items.map((a) => ({ attendee: a, event: byId.get(String(a.event_id)) ?? null })).sort((x, y) => String(y.event?.event_date ?? '').localeCompare(String(x.event?.event_date ?? '')));
  }, [contactId, reload]);
  if (!schema.table('event_attendees')) return null;
  return (
    <section aria-labelledby="ct-events">
      <h2 id="ct-events">Events</h2>
      <Loaded state={state} what="events">
        {(list) =>
          !list || list.length === 0 ? (
            <p className="empty">Not registered for any event.</p>
          ) : (
            <ul className="ct-list">
              {list.map(({ attendee, event }) => (
                <li key={String(attendee.id)}>
                  <Link to={`/events/${String(attendee.event_id)}`}>{event ? recordLabel(event) : 'An event'}</Link>
                  {event?.event_date ? <span className="as-small muted">{formatDateTime(String(event.event_date))}</span> : null}
                  <Badge tone={attendee.status === 'attended' ? 'good' : attendee.status === 'no_show' || attendee.status === 'cancelled' ? 'bad' : 'plain'}>{humanise(String(attendee.status ?? ''))}</Badge>
                </li>
              ))}
            </ul>
          )
        }
      </Loaded>
    </section>
  );
}

function Campaigns({ contact, reload }: { contact: Row; reload: number }) {
  const schema = useSchema();
  const id = String(contact.id);
  const companyId = typeof contact.company_id === 'string' ? contact.company_id : null;
  const state = useAsync(async () => {
    if (!schema.table('campaign_targets')) return null;
    const [mine, theirs] = await Promise.all([
      api<Page<Row>>('GET', `/api/v1/campaign_targets${query({ target_type: 'contact', target_id: id, limit: 50 })}`),
      companyId ? api<Page<Row>>('GET', `/api/v1/campaign_targets${query({ target_type: 'company', target_id: companyId, limit: 50 })}`) : Promise.resolve(empty),
    ]);
    const targets = [...mine.items.map((t) => ({ t, via: 'contact' as const })), ...theirs.items.map((t) => ({ t, via: 'company' as const }))];
    const ids = [...new Set(targets.map(({ t }) => t.campaign_id).filter((x): x is string => typeof x === 'string'))];
    const campaigns = ids.length && schema.table('campaigns') ? (await api<Page<Row>>('GET', `/api/v1/campaigns?id[in]=${ids.join(',')}&limit=100&archived=include`)).items : [];
    const byId = new Map(campaigns.map((c) => [String(c.id), c]));
    return targets.map(({ t, via }) => ({ target: t, via, campaign: byId.get(String(t.campaign_id)) ?? null }));
  }, [id, companyId, reload]);
  if (!schema.table('campaign_targets')) return null;
  return (
    <section aria-labelledby="ct-campaigns">
      <h2 id="ct-campaigns">Campaigns</h2>
      <Loaded state={state} what="campaigns">
        {(list) =>
          !list || list.length === 0 ? (
            <p className="empty">No campaign targets them.</p>
          ) : (
            <ul className="ct-list" aria-label="Campaigns targeting them">
              {list.map(({ target, via, campaign }) => (
                <li key={String(target.id)}>
                  <Link to={`/campaigns/${String(target.campaign_id)}`}>{campaign ? recordLabel(campaign) : 'A campaign'}</Link>
                  <Badge tone={target.status === 'pending' ? 'warn' : target.status === 'converted' ? 'good' : target.status === 'bounced' || target.status === 'unsubscribed' ? 'bad' : undefined}>{humanise(String(target.status ?? ''))}</Badge>
                  {via === 'company' && <span className="as-small muted">through their company</span>}
                </li>
              ))}
            </ul>
          )
        }
      </Loaded>
    </section>
  );
}


/**
 * The way to the record's privacy page (consent, access request, erasure): for a contact or a
 * lead, anyone who may read their consent; for a company, administrators only (all the page
 * holds for a company is theirs). Administrators also get the archive as a direct link: the
 * schema lists the export operation only to a role that may run it.
 */
export function PrivacyCard({ table, id, what }: { table: 'contacts' | 'leads' | 'companies'; id: string; what: string }) {
  const schema = useSchema();
  const kind = table === 'contacts' ? 'contact' : table === 'leads' ? 'lead' : 'company';
  const admin = Boolean(schema.operation(`privacy.summary_${kind}`));
  if (!admin && !schema.operation(`consents.status_${kind}`)) return null;
  const path = `/api/v1/${table}/${encodeURIComponent(id)}/access_export`;
  return (
    <section aria-labelledby={`privacy-${table}`}>
      <h2 id={`privacy-${table}`}>Privacy</h2>
      <p>
        <Link to={`/${table}/${encodeURIComponent(id)}/privacy`}>Privacy: consent, access request, erasure</Link>
      </p>
      {schema.operation(`privacy.export_${kind}`) && (
        <p className="muted">
          Or <a href={path} download>download everything we hold</a> about {what} at once: a zip, recorded in the audit log.
        </p>
      )}
    </section>
  );
}
