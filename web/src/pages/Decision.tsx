/**
 * One go/no-go decision (seed 000 step 7): the scorecard as recorded, the decision, the
 * capacity comparison made at decision time (estimated hours per week against the hours
 * available) beside today's capacity picture, and, for a go with no proposal yet, the
 * proposal made from it (step 8).
 */
import { api, runOperation } from '../api.ts';
import { Link } from '../Link.tsx';
import { navigate } from '../router.ts';
import { humanise, recordLabel, useSchema } from '../schema.tsx';
import { OperationForm } from '../ui/OperationForm.tsx';
import { Badge, formatDate, formatMoney, formatNumber, Loaded, useAsync } from '../ui/ui.tsx';
import { ActionButton, listRows, RelatedList, StatusBadge, type Row } from './Company.tsx';
import './assessment.css';

type CapacitySummary = {
  as_of: string;
  team: { total_hours_per_week: string; allocated_hours_per_week: string; available_hours_per_week: string; members: { id: string; team_member: string; available_hours_per_week: string; over_allocated: boolean }[] };
  demand: { open_go_decisions: { items: { id: string; company_name: string; hours_per_week: string }[]; hours_per_week: string }; weighted_deals: { hours_per_week: string } };
  free_hours_per_week: { after_go_decisions: string; after_pipeline: string; arithmetic: string };
};

const OPEN_OR_ACCEPTED = ['draft', 'sent', 'under_review', 'accepted'];

const SCORECARD: [string, string][] = [
  ['decision_maker_engagement', 'Decision-maker engagement'],
  ['budget_confirmed', 'Budget confirmed'],
  ['team_readiness', 'Team readiness'],
  ['champion_strength', 'Champion strength'],
  ['technical_feasibility', 'Technical feasibility'],
  ['timeline_alignment', 'Timeline alignment'],
];

const hours = (v: unknown) => (v === null || v === undefined || v === '' ? '—' : `${formatNumber(v as string, 2)} h/week`);

export function DecisionPage({ id }: { id: string }) {
  const schema = useSchema();
  const capacityOp = schema.operation('assessment.capacity_summary');
  const proposalOp = schema.operation('assessment.create_proposal');
  const state = useAsync(async () => {
    const decision = await api<Row>('GET', `/api/v1/go_no_go_decisions/${encodeURIComponent(id)}`);
    const [company, decidedBy, proposals, capacity] = await Promise.all([
      api<Row>('GET', `/api/v1/companies/${String(decision.company_id)}`).catch(() => null),
      decision.decided_by && schema.table('users') ? api<Row>('GET', `/api/v1/users/${String(decision.decided_by)}`).catch(() => null) : Promise.resolve(null),
      schema.table('proposals') ? listRows('proposals', { go_no_go_id: id }, '-created_at', 50).then((p) => p.items) : Promise.resolve([] as Row[]),
      capacityOp ? runOperation<CapacitySummary>(capacityOp, {}).catch(() => null) : Promise.resolve(null),
    ]);
    return { decision, company, decidedBy, proposals, capacity };
  }, [id]);

  return (
    <section className="as-page">
      <p className="as-crumbs">
        <Link to="/assessment">Assessment</Link> /
      </p>
      <Loaded state={state} what="the decision">
        {({ decision, company, decidedBy, proposals, capacity }) => {
          const canPropose = proposalOp && decision.decision === 'go' && company?.status === 'go' && !proposals.some((p) => OPEN_OR_ACCEPTED.includes(String(p.status)));
          const est = decision.estimated_hours_per_week as string | null;
          const avail = decision.capacity_available_hours as string | null;
          const sufficient = decision.capacity_sufficient as boolean | null;
          const counted = capacity?.demand.open_go_decisions.items.some((d) => d.id === id) ?? false;
          return (
            <>
              <div className="page-head">
                <div>
                  <h1>Go/no-go: {company ? String(company.name) : 'a company'}</h1>
                  <p className="as-meta">
                    <span className="as-decision">
                      Decision <StatusBadge value={decision.decision} />
                    </span>
                    <span>{decision.decision_date ? formatDate(String(decision.decision_date)) : ''}</span>
                    {decidedBy && <span>by {recordLabel(decidedBy)}</span>}
                    {company && (
                      <span>
                        <Link to={`/companies/${String(company.id)}`}>{String(company.name)}</Link> <StatusBadge value={company.status} />
                      </span>
                    )}
                    {typeof decision.audit_id === 'string' && <Link to={`/audits/${decision.audit_id}`}>The audit</Link>}
                  </p>
                </div>
                {canPropose && proposalOp && (
                  <div className="actions">
                    <ActionButton label="Create proposal" title="Create the proposal" className="">
                      {(close) => (
                        <OperationForm
                          op={proposalOp}
                          fixed={{ go_no_go_id: id }}
                          labels={{ send: 'Send it now (otherwise a draft)', package: `Package (default: ${String(decision.recommended_package ?? 'none')})`, value: `Value (default: ${formatMoney(decision.estimated_value as string | null, decision.currency as string | null) || 'none'})` }}
                          submitLabel="Create proposal"
                          onDone={(r) => {
                            close();
                            const p = (r as { proposal?: Row }).proposal;
                            if (p?.id) navigate(`/proposals/${String(p.id)}`);
                          }}
                          onCancel={close}
                        />
                      )}
                    </ActionButton>
                  </div>
                )}
              </div>

              <div className="grid-2">
                <section aria-label="Scorecard">
                  <h2>Scorecard</h2>
                  <div className="table-wrap">
                    <table className="as-scorecard">
                      <thead>
                        <tr>
                          <th scope="col">Criterion</th>
                          <th scope="col">Score</th>
                        </tr>
                      </thead>
                      <tbody>
                        {SCORECARD.map(([k, label]) => (
                          <tr key={k}>
                            <th scope="row">{label}</th>
                            <td>{decision[k] === null || decision[k] === undefined ? <span className="muted">not scored</span> : typeof decision[k] === 'boolean' ? <Badge tone={decision[k] ? 'good' : 'bad'}>{decision[k] ? 'Yes' : 'No'}</Badge> : <StatusBadge value={decision[k]} />}</td>
                          </tr>
                        ))}
                        <tr>
                          <th scope="row">Estimated ROI</th>
                          <td className="as-pre">{String(decision.estimated_roi ?? '—')}</td>
                        </tr>
                        <tr>
                          <th scope="row">ROI hours per month</th>
                          <td>{decision.estimated_roi_hours_per_month ? formatNumber(decision.estimated_roi_hours_per_month as string, 2) : '—'}</td>
                        </tr>
                        <tr>
                          <th scope="row">Recommended package</th>
                          <td>{String(decision.recommended_package ?? '—')}</td>
                        </tr>
                        <tr>
                          <th scope="row">Estimated value</th>
                          <td>{formatMoney(decision.estimated_value as string | null, decision.currency as string | null) || '—'}</td>
                        </tr>
                        <tr>
                          <th scope="row">Risk factors</th>
                          <td className="as-pre">{String(decision.risk_factors ?? '—')}</td>
                        </tr>
                        <tr>
                          <th scope="row">Rationale</th>
                          <td className="as-pre">{String(decision.decision_rationale ?? '—')}</td>
                        </tr>
                      </tbody>
                    </table>
                  </div>
                </section>

                <section aria-label="Capacity comparison">
                  <h2>Capacity comparison</h2>
                  <div className="card as-capacity">
                    <p className="as-capacity-verdict">
                      {sufficient === null || sufficient === undefined ? (
                        <Badge tone="plain">Not compared</Badge>
                      ) : sufficient ? (
                        <Badge tone="good">Capacity sufficient</Badge>
                      ) : (
                        <Badge tone="bad">Capacity insufficient</Badge>
                      )}
                    </p>
                    <dl className="as-pairs">
                      <dt>Estimated hours per week</dt>
                      <dd>{hours(est)}</dd>
                      <dt>Capacity available at decision time</dt>
                      <dd>{hours(avail)}</dd>
                      <dt>Left after taking it on</dt>
                      <dd>{est !== null && avail !== null ? hours((Number(avail) - Number(est)).toFixed(2)) : '—'}</dd>
                      <dt>From</dt>
                      <dd>
                        {formatNumber(decision.novel_mcps as number | null)} novel MCPs, {formatNumber(decision.novel_skills as number | null)} novel Skills, {formatNumber(decision.employee_count as number | null)} employees
                      </dd>
                    </dl>
                    {est !== null && avail !== null && (
                      <div className="as-meter">
                        <label htmlFor="as-need">
                          Needed {formatNumber(est, 2)} of {formatNumber(avail, 2)} available hours
                        </label>
                        <meter id="as-need" min={0} max={Math.max(Number(avail), Number(est), 0.01)} high={Number(avail) * 0.85} optimum={0} value={Number(est)} />
                      </div>
                    )}
                  </div>
                  {capacity && (
                    <div className="card as-capacity">
                      <h3>Today ({formatDate(capacity.as_of)})</h3>
                      <dl className="as-pairs">
                        <dt>Team available</dt>
                        <dd>{hours(capacity.team.available_hours_per_week)}</dd>
                        <dt>Open go decisions need</dt>
                        <dd>{hours(capacity.demand.open_go_decisions.hours_per_week)}</dd>
                        <dt>Free after go decisions</dt>
                        <dd>
                          {hours(capacity.free_hours_per_week.after_go_decisions)}{' '}
                          {Number(capacity.free_hours_per_week.after_go_decisions) < 0 ? <Badge tone="bad">Over-committed</Badge> : <Badge tone="good">Room left</Badge>}
                        </dd>
                        <dt>Free after weighted deals</dt>
                        <dd>{hours(capacity.free_hours_per_week.after_pipeline)}</dd>
                      </dl>
                      <p className="as-note">{capacity.free_hours_per_week.arithmetic}</p>
                      <p className="as-note">{counted ? 'This decision is among the open go decisions counted above.' : 'This decision is not counted above (it is not an open go decision: no-go, conditional, superseded, or its engagement exists).'}</p>
                    </div>
                  )}
                </section>
              </div>

              <RelatedList table="proposals" title="Proposals from this decision" filter={{ go_no_go_id: id }} sort="-created_at" label={(r) => String(r.package || 'Proposal')} columns={['status', 'value', 'sent_date', 'expires_date']} />
              {decision.decision === 'go' && !canPropose && proposalOp && company?.status !== 'go' && !proposals.some((p) => OPEN_OR_ACCEPTED.includes(String(p.status))) && (
                <p className="as-note">A proposal is made while the company is at {humanise('go')}; it is {humanise(String(company?.status ?? 'unknown')).toLowerCase()}.</p>
              )}
            </>
          );
        }}
      </Loaded>
    </section>
  );
}
