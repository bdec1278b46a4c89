/**
 * One proposal (seed 000 steps 8–10): its details, its status drawn as steps
 * (draft → sent → changes requested → sent again → accepted, rejected or expired), and the
 * moves allowed from where it stands, each through its own verb. A refusal shows the server's
 * reason; acceptance creates the engagement, linked from here.
 */
import { useState } from 'react';
import { api } from '../api.ts';
import { Link } from '../Link.tsx';
import { humanise, recordLabel, useSchema, type OperationInfo } from '../schema.tsx';
import { OperationForm } from '../ui/OperationForm.tsx';
import { Badge, formatDate, formatMoney, Loaded, Notice, today, useAsync } from '../ui/ui.tsx';
import { ActionButton, listRows, StatusBadge, type Row } from './Company.tsx';
import { PROPOSAL_MOVES, type ProposalStatus } from '../../../src/core/assessment/proposal-moves.ts';
import './assessment.css';


type Step = { key: string; label: string; state: 'done' | 'current' | 'todo' | 'skipped'; date?: string | null };

/** The proposal's path so far and what is left of it. */
export function proposalSteps(p: Row): Step[] {
  const status = String(p.status);
  const final = ['accepted', 'rejected', 'expired'].includes(status);
  const asked = Boolean(p.modifications_requested) || status === 'under_review';
  const steps: Step[] = [
    { key: 'draft', label: 'Draft', state: status === 'draft' ? 'current' : 'done', date: (p.created_at as string | null) ?? null },
    { key: 'sent', label: 'Sent', state: status === 'sent' ? 'current' : status === 'draft' ? 'todo' : 'done', date: (p.sent_date as string | null) ?? null },
    { key: 'under_review', label: 'Changes requested', state: status === 'under_review' ? 'current' : asked ? 'done' : final ? 'skipped' : 'todo' },
  ];
  if (final) steps.push({ key: status, label: humanise(status), state: 'current', date: (status === 'accepted' ? p.accepted_date : status === 'rejected' ? p.rejected_date : p.expires_date) as string | null });
  else steps.push({ key: 'outcome', label: 'Accepted, rejected or expired', state: 'todo' });
  return steps;
}

export function ProposalSteps({ proposal }: { proposal: Row }) {
  return (
    <ol className="as-steps" aria-label="Proposal status">
      {proposalSteps(proposal).map((s) => (
        <li key={s.key} className={`as-step as-step-${s.state} as-step-${s.key}`} aria-current={s.state === 'current' ? 'step' : undefined}>
          <span className="as-step-label">{s.label}</span>
          {s.state === 'skipped' && <span className="as-step-date">skipped</span>}
          {s.date && s.state !== 'todo' && s.state !== 'skipped' && <span className="as-step-date">{formatDate(s.date)}</span>}
        </li>
      ))}
    </ol>
  );
}

const ACTIONS: { to: string; op: string; label: string; hide?: string[] }[] = [
  { to: 'sent', op: 'assessment.send_proposal', label: 'Send' },
  { to: 'under_review', op: 'assessment.request_proposal_changes', label: 'Request changes' },
  { to: 'accepted', op: 'assessment.accept_proposal', label: 'Accept', hide: ['engagement'] },
  { to: 'rejected', op: 'assessment.reject_proposal', label: 'Reject' },
  { to: 'expired', op: 'assessment.expire_proposal', label: 'Expire' },
];

export function ProposalPage({ id }: { id: string }) {
  const schema = useSchema();
  const [tick, setTick] = useState(0);
  const [notice, setNotice] = useState<{ text: string; engagement?: Row } | null>(null);
  const state = useAsync(async () => {
    const proposal = await api<Row>('GET', `/api/v1/proposals/${encodeURIComponent(id)}`);
    const [company, engagements] = await Promise.all([
      api<Row>('GET', `/api/v1/companies/${String(proposal.company_id)}`).catch(() => null),
      schema.table('engagements') ? listRows('engagements', { proposal_id: id }, '-created_at', 10).then((p) => p.items) : Promise.resolve([] as Row[]),
    ]);
    return { proposal, company, engagements };
  }, [id, tick]);

  return (
    <section className="as-page">
      <p className="as-crumbs">
        <Link to="/assessment">Assessment</Link> /
      </p>
      <Loaded state={state} what="the proposal">
        {({ proposal, company, engagements }) => {
          const status = String(proposal.status);
          const allowed: readonly string[] = PROPOSAL_MOVES[status as ProposalStatus] ?? [];
          const open = status === 'sent' || status === 'under_review';
          const past = open && typeof proposal.expires_date === 'string' && proposal.expires_date < today();
          const actions = ACTIONS.filter((a) => allowed.includes(a.to)).map((a) => ({ ...a, info: schema.operation(a.op) })).filter((a): a is typeof a & { info: OperationInfo } => Boolean(a.info));
          const engagement = notice?.engagement ?? engagements[0];
          return (
            <>
              <div className="page-head">
                <div>
                  <h1>Proposal: {String(proposal.package ?? 'untitled')}</h1>
                  <p className="as-meta">
                    <StatusBadge value={status} />
                    {company && (
                      <span>
                        for <Link to={`/companies/${String(company.id)}`}>{String(company.name)}</Link> <StatusBadge value={company.status} />
                      </span>
                    )}
                    {typeof proposal.go_no_go_id === 'string' && <Link to={`/go_no_go_decisions/${proposal.go_no_go_id}`}>The go decision</Link>}
                  </p>
                </div>
                {actions.length > 0 && (
                  <div className="actions">
                    {actions.map((a) => (
                      <ActionButton key={a.op} label={status === 'under_review' && a.to === 'sent' ? 'Send revision' : a.label} title={a.info.summary} className={a.to === 'accepted' ? '' : 'secondary'}>
                        {(close) => (
                          <>
                            {a.to === 'accepted' && <p className="as-note">The engagement is created from the proposal; add its dates and terms on the engagement afterwards.</p>}
                            {a.to === 'sent' && status === 'under_review' && proposal.modifications_requested ? <p className="as-note">They asked: {String(proposal.modifications_requested)}</p> : null}
                            <OperationForm
                              op={a.info}
                              fixed={{ id, expected_version: proposal.version }}
                              hide={a.hide ?? []}
                              labels={{ allow_expired: 'Accept although it has expired', lost_reason: 'Lost reason (the company walks away)', reason: 'Reason' }}
                              submitLabel={a.label}
                              onDone={(r) => {
                                close();
                                const e = (r as { engagement?: Row }).engagement;
                                setNotice(e ? { text: 'Accepted: the engagement is created.', engagement: e } : { text: `Done: the proposal is ${humanise(a.to).toLowerCase()}.` });
                                setTick((t) => t + 1);
                              }}
                              onCancel={close}
                            />
                          </>
                        )}
                      </ActionButton>
                    ))}
                  </div>
                )}
              </div>
              {notice && <Notice kind="ok">{notice.text}</Notice>}
              {engagement && (
                <p className="card as-engagement">
                  Engagement: <Link to={`/engagements/${String(engagement.id)}`}>{recordLabel(engagement)}</Link> <StatusBadge value={engagement.status} />
                </p>
              )}
              <ProposalSteps proposal={proposal} />
              {past && (
                <p className="notice error" role="status">
                  Past its expiry date ({formatDate(String(proposal.expires_date))}): expire it, send a revision, or accept it as expired.
                </p>
              )}
              <dl className="details">
                <dt>Package</dt>
                <dd>{String(proposal.package ?? '—')}</dd>
                <dt>Value</dt>
                <dd>{formatMoney(proposal.value as string | null, proposal.currency as string | null) || '—'}</dd>
                <dt>Status</dt>
                <dd>
                  <StatusBadge value={status} />
                </dd>
                <dt>Sent</dt>
                <dd>{formatDate(proposal.sent_date as string | null) || '—'}</dd>
                <dt>Expires</dt>
                <dd>
                  {formatDate(proposal.expires_date as string | null) || '—'} {past && <Badge tone="bad">Past expiry</Badge>}
                </dd>
                {proposal.accepted_date ? (
                  <>
                    <dt>Accepted</dt>
                    <dd>{formatDate(String(proposal.accepted_date))}</dd>
                  </>
                ) : null}
                {proposal.rejected_date ? (
                  <>
                    <dt>Rejected</dt>
                    <dd>{formatDate(String(proposal.rejected_date))}</dd>
                  </>
                ) : null}
                <dt>Changes requested</dt>
                <dd className="as-pre">{String(proposal.modifications_requested ?? '—')}</dd>
                <dt>Scope</dt>
                <dd className="as-pre">{String(proposal.scope ?? '—')}</dd>
                <dt>Notes</dt>
                <dd className="as-pre">{String(proposal.notes ?? '—')}</dd>
              </dl>
              {allowed.length === 0 && <p className="as-note">This proposal is {humanise(status).toLowerCase()}: that is final. A new offer is a new proposal from the same go decision.</p>}
            </>
          );
        }}
      </Loaded>
    </section>
  );
}
