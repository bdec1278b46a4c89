/**
 * The assessment at a glance (seed 000 steps 5–8): audits still in progress with their survey
 * progress, go decisions still waiting for a proposal, and proposals by status. Each row
 * opens its own screen.
 */
import { Link } from '../Link.tsx';
import { humanise, useSchema } from '../schema.tsx';
import { Badge, formatDate, formatMoney, formatNumber, Loaded, today, useAsync } from '../ui/ui.tsx';
import { companyNames, listRows, StatusBadge, type Row } from './Company.tsx';
import './assessment.css';

const PROPOSAL_ORDER = ['draft', 'sent', 'under_review', 'accepted', 'rejected', 'expired'];
const TAKEN = ['draft', 'sent', 'under_review', 'accepted'];

export function AssessmentPage() {
  const schema = useSchema();
  const state = useAsync(async () => {
    const read = (table: string, sort: string) => (schema.table(table) ? listRows(table, {}, sort, 200).then((p) => p.items) : Promise.resolve([] as Row[]));
    const [audits, decisions, proposals] = await Promise.all([read('audits', '-created_at'), read('go_no_go_decisions', '-created_at'), read('proposals', '-updated_at')]);
    const companies = await companyNames([...audits, ...decisions, ...proposals].map((r) => r.company_id));
    // An audit is closed by a go or no-go decision on it; a conditional one leaves it open.
    const closed = new Set(decisions.filter((d) => d.decision === 'go' || d.decision === 'no_go').map((d) => String(d.audit_id)));
    const openAudits = audits.filter((a) => !closed.has(String(a.id)));
    const proposed = new Set(proposals.filter((p) => TAKEN.includes(String(p.status))).map((p) => String(p.go_no_go_id)));
    const awaiting = decisions.filter((d) => d.decision === 'go' && !proposed.has(String(d.id)));
    return { openAudits, awaiting, proposals, companies };
  }, []);
  const name = (companies: Map<string, Row>, id: unknown) => {
    const c = companies.get(String(id));
    return c ? String(c.name) : 'A company you may not see';
  };

  return (
    <section className="as-page">
      <div className="page-head">
        <h1>Assessment</h1>
      </div>
      <p className="muted">From the audit and its surveys, through the go/no-go decision, to the proposal and the engagement it becomes.</p>
      <Loaded state={state} what="the assessment">
        {({ openAudits, awaiting, proposals, companies }) => (
          <>
            <div className="cards">
              <div className="kpi">
                <div className="label">Audits in progress</div>
                <div className="value">{formatNumber(openAudits.length)}</div>
              </div>
              <div className="kpi">
                <div className="label">Go decisions awaiting a proposal</div>
                <div className="value">{formatNumber(awaiting.length)}</div>
              </div>
              <div className="kpi">
                <div className="label">Proposals out (sent or under review)</div>
                <div className="value">{formatNumber(proposals.filter((p) => p.status === 'sent' || p.status === 'under_review').length)}</div>
              </div>
            </div>

            <section aria-label="Audits in progress">
              <h2>Audits in progress</h2>
              {openAudits.length === 0 ? (
                <p className="empty">No audits in progress.</p>
              ) : (
                <div className="table-wrap">
                  <table>
                    <thead>
                      <tr>
                        <th scope="col">Company</th>
                        <th scope="col">Began</th>
                        <th scope="col">Surveys</th>
                        <th scope="col" className="hide-narrow">
                          Team size
                        </th>
                      </tr>
                    </thead>
                    <tbody>
                      {openAudits.map((a) => {
                        const sent = Number(a.surveys_sent ?? 0);
                        const done = Number(a.surveys_completed ?? 0);
                        return (
                          <tr key={String(a.id)}>
                            <td>
                              <Link to={`/audits/${String(a.id)}`}>{name(companies, a.company_id)}</Link>
                            </td>
                            <td>{formatDate(a.audit_date as string | null) || '—'}</td>
                            <td>
                              <span className="as-inline-progress">
                                <progress max={Math.max(sent, 1)} value={done} aria-label={`${name(companies, a.company_id)}: ${done} of ${sent} surveys completed`} />
                                <span>
                                  {done} of {sent} completed
                                </span>
                              </span>
                            </td>
                            <td className="hide-narrow">{a.team_size === null || a.team_size === undefined ? '—' : String(a.team_size)}</td>
                          </tr>
                        );
                      })}
                    </tbody>
                  </table>
                </div>
              )}
            </section>

            <section aria-label="Go decisions awaiting a proposal">
              <h2>Go decisions awaiting a proposal</h2>
              {awaiting.length === 0 ? (
                <p className="empty">No go decision is waiting for a proposal.</p>
              ) : (
                <div className="table-wrap">
                  <table>
                    <thead>
                      <tr>
                        <th scope="col">Company</th>
                        <th scope="col">Decided</th>
                        <th scope="col">Package</th>
                        <th scope="col" className="hide-narrow">
                          Value
                        </th>
                        <th scope="col">Capacity</th>
                      </tr>
                    </thead>
                    <tbody>
                      {awaiting.map((d) => (
                        <tr key={String(d.id)}>
                          <td>
                            <Link to={`/go_no_go_decisions/${String(d.id)}`}>{name(companies, d.company_id)}</Link>
                          </td>
                          <td>{formatDate(d.decision_date as string | null) || '—'}</td>
                          <td>{String(d.recommended_package ?? '—')}</td>
                          <td className="hide-narrow">{formatMoney(d.estimated_value as string | null, d.currency as string | null) || '—'}</td>
                          <td>{d.capacity_sufficient === true ? <Badge tone="good">Sufficient</Badge> : d.capacity_sufficient === false ? <Badge tone="bad">Short</Badge> : <Badge tone="plain">Unknown</Badge>}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              )}
            </section>

            <section aria-label="Proposals by status">
              <h2>Proposals by status</h2>
              {proposals.length === 0 ? (
                <p className="empty">No proposals yet.</p>
              ) : (
                <div className="as-columns">
                  {PROPOSAL_ORDER.map((s) => {
                    const list = proposals.filter((p) => p.status === s);
                    return (
                      <section key={s} className="card as-column" aria-label={`${humanise(s)} proposals`}>
                        <h3>
                          <StatusBadge value={s} /> <span className="as-count">{list.length}</span>
                        </h3>
                        {list.length === 0 ? (
                          <p className="empty">None.</p>
                        ) : (
                          <ul className="as-list">
                            {list.map((p) => (
                              <li key={String(p.id)}>
                                <Link to={`/proposals/${String(p.id)}`}>{name(companies, p.company_id)}</Link>
                                <div className="as-note">
                                  {String(p.package ?? '')}
                                  {p.value ? ` · ${formatMoney(p.value as string, p.currency as string | null)}` : ''}
                                  {(s === 'sent' || s === 'under_review') && p.expires_date ? (
                                    <>
                                      {' '}
                                      · expires {formatDate(String(p.expires_date))} {String(p.expires_date) < today() && <Badge tone="bad">Past expiry</Badge>}
                                    </>
                                  ) : null}
                                </div>
                              </li>
                            ))}
                          </ul>
                        )}
                      </section>
                    );
                  })}
                </div>
              )}
            </section>
          </>
        )}
      </Loaded>
    </section>
  );
}
