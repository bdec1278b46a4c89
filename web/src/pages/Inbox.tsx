/**
 * The follow-up inbox (seed 000 steps 1–4, issue 7): what is overdue, due today and due later
 * this week, from sales.follow_ups, each with one click to log the interaction and set the
 * next follow-up, or to book the meeting; the meetings booked and not yet written up; and
 * the way in for a new prospect or an interaction with any company.
 */
import { useState, type ReactNode } from 'react';
import { api, query, type Me, type Page } from '../api.ts';
import { Link } from '../Link.tsx';
import { navigate, setQuery, useQuery } from '../router.ts';
import { humanise, recordLabel, useSchema } from '../schema.tsx';
import { CompleteMeetingDialog, LogInteractionDialog, ScheduleMeetingDialog } from '../ui/LogInteraction.tsx';
import { Badge, formatDate, formatDateTime, Loaded, Notice, useAsync } from '../ui/ui.tsx';
import './inbox.css';

type Row = Record<string, unknown>;

type FollowUp = {
  interaction_id: string;
  follow_up_date: string;
  overdue: boolean;
  days_overdue: number;
  company: { id: string; name: string; status: string; owner_id: string | null } | null;
  contact: { id: string; name: string; email: string | null; phone: string | null } | null;
  lead_id: string | null;
  last_interaction: { id: string; type: string; interaction_date: string; subject: string | null; assigned_to: string | null; summary: string | null; outcome: string | null; next_step: string | null };
};

type FollowUps = { today: string; window: { from: string; to: string; include_overdue: boolean }; total: number; truncated: boolean; overdue: number; items: FollowUp[] };

type Inbox = {
  followUps: FollowUps;
  /** The companies of the meetings booked, by id. */
  companies: Map<string, Row>;
  /** People's names by user id. */
  users: Map<string, string>;
  /** Meetings booked and not yet completed, soonest first. */
  meetings: Row[];
};

const unique = (xs: Array<string | null | undefined>): string[] => [...new Set(xs.filter((x): x is string => typeof x === 'string' && x !== ''))];

/** The records of a table with these ids (100 to a request, as the `in` filter takes them). */
async function byIds(table: string, ids: string[]): Promise<Map<string, Row>> {
  const out = new Map<string, Row>();
  for (let i = 0; i < ids.length; i += 100) {
    const page = await api<Page<Row>>('GET', `/api/v1/${table}${query({ 'id[in]': ids.slice(i, i + 100).join(','), limit: 100 })}`);
    for (const r of page.items) out.set(String(r.id), r);
  }
  return out;
}

async function loadInbox(onlyMine: boolean, canSeeUsers: boolean): Promise<Inbox> {
  const ownerId = onlyMine ? ((await api<Me>('GET', '/api/v1/auth/me')).actor.id ?? undefined) : undefined;
  const [followUps, meetingPage] = await Promise.all([
    api<FollowUps>('GET', `/api/v1/sales/follow-ups${query({ owner_id: ownerId, limit: 500 })}`),
    api<Page<Row>>('GET', `/api/v1/interactions${query({ type: 'meeting', meeting_status: 'scheduled', ...(ownerId ? { assigned_to: ownerId } : {}), sort: 'scheduled_at', limit: 50 })}`),
  ]);
  const meetings = meetingPage.items;
  const companies = await byIds('companies', unique(meetings.map((m) => m.company_id as string | null)));
  const ownerIds = unique(followUps.items.map(ownerOf));
  const users = new Map<string, string>();
  if (canSeeUsers && ownerIds.length) for (const [id, u] of await byIds('users', ownerIds)) users.set(id, recordLabel(u));
  return { followUps, companies, users, meetings };
}

/** Whose follow-up it is: the interaction's assignee, else the company's owner. */
const ownerOf = (i: FollowUp): string | null => i.last_interaction.assigned_to ?? i.company?.owner_id ?? null;

/** The local calendar day of an instant, as formatDate shows days. */
function dayOf(instant: string): string {
  const d = new Date(instant);
  if (Number.isNaN(d.getTime())) return instant;
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

type Action =
  | { kind: 'log'; companyId?: string; companyName?: string; contactId?: string | null }
  | { kind: 'meeting'; companyId: string; companyName: string; contactId: string | null }
  | { kind: 'complete'; meetingId: string; title: string };

export function InboxPage() {
  const schema = useSchema();
  const params = useQuery();
  const mine = params.get('mine') === '1';
  const canSeeUsers = Boolean(schema.table('users'));
  const state = useAsync(() => loadInbox(mine, canSeeUsers), [mine, canSeeUsers]);
  const [action, setAction] = useState<Action | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const canLog = Boolean(schema.operation('sales.log_interaction'));
  const canMeet = Boolean(schema.operation('sales.schedule_meeting'));
  const canComplete = Boolean(schema.operation('sales.complete_meeting'));
  const canProspect = Boolean(schema.operation('sales.log_prospect'));

  const finished = (message: string) => {
    setAction(null);
    setDone(message);
    state.reload();
  };

  return (
    <section className="inbox">
      <div className="page-head">
        <h1>Follow-ups</h1>
        <div className="actions">
          {canProspect && (
            <button type="button" onClick={() => navigate('/prospects/new')}>
              Log a prospect
            </button>
          )}
          {canLog && (
            <button type="button" className="secondary" onClick={() => setAction({ kind: 'log' })}>
              Log an interaction
            </button>
          )}
        </div>
      </div>
      <div className="toolbar">
        <label className="inbox-mine">
          <input type="checkbox" checked={mine} onChange={(e) => setQuery({ mine: e.target.checked ? '1' : undefined })} /> Only mine
        </label>
        <button type="button" className="secondary small" onClick={state.reload} disabled={state.loading}>
          Refresh
        </button>
      </div>
      {done && <Notice kind="ok">{done}</Notice>}
      <Loaded state={state} what="the follow-ups">
        {(inbox) => {
          const { followUps } = inbox;
          const overdue = followUps.items.filter((i) => i.overdue);
          const dueToday = followUps.items.filter((i) => !i.overdue && i.follow_up_date === followUps.today);
          const later = followUps.items.filter((i) => !i.overdue && i.follow_up_date !== followUps.today);
          const ownerName = (i: FollowUp): string | null => {
            const owner = ownerOf(i);
            return owner ? (inbox.users.get(owner) ?? 'Someone else') : null;
          };
          const item = (i: FollowUp) => (
            <FollowUpItem
              key={i.interaction_id}
              item={i}
              today={followUps.today}
              subject={i.last_interaction.subject}
              owner={ownerName(i)}
              onLog={canLog && i.company ? () => setAction({ kind: 'log', companyId: i.company!.id, companyName: i.company!.name, contactId: i.contact?.id ?? null }) : undefined}
              onMeet={canMeet && i.company ? () => setAction({ kind: 'meeting', companyId: i.company!.id, companyName: i.company!.name, contactId: i.contact?.id ?? null }) : undefined}
            />
          );
          return (
            <>
              <p className="muted inbox-window">
                Today is {formatDate(followUps.today)}; this week runs {formatDate(followUps.window.from)} to {formatDate(followUps.window.to)}.
                {followUps.truncated && ` Showing the first ${followUps.total}.`}
              </p>
              <Section id="inbox-overdue" title="Overdue" tone="bad" items={overdue} render={item} />
              <Section id="inbox-today" title="Today" tone="warn" items={dueToday} render={item} />
              <Section id="inbox-week" title="This week" tone="plain" items={later} render={item} />
              <section aria-labelledby="inbox-meetings" className="inbox-section">
                <h2 id="inbox-meetings">
                  Meetings booked <Badge tone="plain">{inbox.meetings.length}</Badge>
                </h2>
                {inbox.meetings.length === 0 ? (
                  <p className="empty">No meetings booked.</p>
                ) : (
                  <ul className="inbox-list">
                    {inbox.meetings.map((m) => {
                      const company = inbox.companies.get(String(m.company_id ?? ''));
                      const past = typeof m.scheduled_at === 'string' && new Date(m.scheduled_at).getTime() < Date.now();
                      const name = company ? recordLabel(company) : 'A company';
                      return (
                        <li key={String(m.id)} className="card inbox-item">
                          <div className="inbox-main">
                            <p className="inbox-who">
                              {company ? <Link to={`/companies/${String(company.id)}`}>{name}</Link> : <span>{name}</span>}
                              {typeof m.meeting_type === 'string' && <span className="muted"> · {humanise(m.meeting_type)}</span>}
                            </p>
                            {typeof m.subject === 'string' && m.subject && <p className="inbox-what">{m.subject}</p>}
                          </div>
                          <div className="inbox-meta">
                            <Badge tone={past ? 'warn' : 'plain'}>{formatDateTime(m.scheduled_at as string | null)}</Badge>
                          </div>
                          {canComplete && (
                            <div className="actions inbox-actions">
                              <button type="button" className="secondary" onClick={() => setAction({ kind: 'complete', meetingId: String(m.id), title: `How did the meeting with ${name} go?` })}>
                                Complete meeting
                              </button>
                            </div>
                          )}
                        </li>
                      );
                    })}
                  </ul>
                )}
              </section>
            </>
          );
        }}
      </Loaded>
      {action?.kind === 'log' && (
        <LogInteractionDialog
          key={action.companyId ?? 'any'}
          open
          companyId={action.companyId}
          companyName={action.companyName}
          contactId={action.contactId}
          onClose={() => setAction(null)}
          onLogged={(r) => {
            const next = typeof r.interaction.follow_up_date === 'string' ? r.interaction.follow_up_date : null;
            finished(`Logged the ${humanise(String(r.interaction.type)).toLowerCase()}${next ? `; next follow-up ${formatDate(next)}` : '; no follow-up set'}.`);
          }}
        />
      )}
      {action?.kind === 'meeting' && (
        <ScheduleMeetingDialog
          key={action.companyId}
          open
          companyId={action.companyId}
          companyName={action.companyName}
          contactId={action.contactId}
          onClose={() => setAction(null)}
          onScheduled={(r) => finished(`Meeting with ${action.companyName} booked for ${formatDateTime(r.meeting.scheduled_at as string)}.`)}
        />
      )}
      {action?.kind === 'complete' && (
        <CompleteMeetingDialog
          key={action.meetingId}
          open
          meetingId={action.meetingId}
          title={action.title}
          onClose={() => setAction(null)}
          onCompleted={(r) => {
            const next = typeof r.meeting.follow_up_date === 'string' ? r.meeting.follow_up_date : null;
            finished(`Meeting completed${next ? `; next follow-up ${formatDate(next)}` : ''}.`);
          }}
        />
      )}
    </section>
  );
}

function Section({ id, title, tone, items, render }: { id: string; title: string; tone: 'bad' | 'warn' | 'plain'; items: FollowUp[]; render: (i: FollowUp) => ReactNode }) {
  return (
    <section aria-labelledby={id} className="inbox-section">
      <h2 id={id}>
        {title} <Badge tone={items.length ? tone : 'plain'}>{items.length}</Badge>
      </h2>
      {items.length === 0 ? <p className="empty">Nothing due — nice.</p> : <ul className="inbox-list">{items.map(render)}</ul>}
    </section>
  );
}

function dueText(i: FollowUp, today: string): string {
  if (i.overdue) return `${plural(i.days_overdue, 'day')} overdue`;
  if (i.follow_up_date === today) return 'Due today';
  return `Due ${formatDate(i.follow_up_date)}`;
}

function FollowUpItem({ item, today, subject, owner, onLog, onMeet }: { item: FollowUp; today: string; subject: string | null | undefined; owner: string | null; onLog: (() => void) | undefined; onMeet: (() => void) | undefined }) {
  const last = item.last_interaction;
  const what = subject || last.next_step || last.summary || humanise(last.type);
  const nameId = `inbox-item-${item.interaction_id}`;
  return (
    <li className="card inbox-item">
      <div className="inbox-main">
        <p className="inbox-who" id={nameId}>
          {item.company ? (
            <Link to={`/companies/${item.company.id}`}>{item.company.name}</Link>
          ) : item.lead_id ? (
            <Link to={`/leads/${item.lead_id}`}>A lead</Link>
          ) : (
            <span>No company</span>
          )}
          {item.contact && (
            <span className="muted">
              {' · '}
              <Link to={`/contacts/${item.contact.id}`}>{item.contact.name}</Link>
            </span>
          )}
        </p>
        <p className="inbox-what">{what}</p>
        {last.next_step && what !== last.next_step && <p className="small muted">Next step: {last.next_step}</p>}
        <p className="small muted">
          Last: {humanise(last.type)} on {formatDate(dayOf(last.interaction_date))}
          {last.outcome && ` · ${humanise(last.outcome)}`}
        </p>
      </div>
      <div className="inbox-meta">
        <Badge tone={item.overdue ? 'bad' : item.follow_up_date === today ? 'warn' : 'plain'}>{dueText(item, today)}</Badge>
        <span className="small muted">Owner: {owner ?? 'nobody'}</span>
      </div>
      {(onLog || onMeet) && (
        <div className="actions inbox-actions">
          {onLog && (
            <button type="button" onClick={onLog} aria-describedby={nameId}>
              Log &amp; set next
            </button>
          )}
          {onMeet && (
            <button type="button" className="secondary" onClick={onMeet} aria-describedby={nameId}>
              Schedule meeting
            </button>
          )}
        </div>
      )}
    </li>
  );
}
