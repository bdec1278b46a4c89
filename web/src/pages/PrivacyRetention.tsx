/**
 * The retention policies at /privacy (administrators): what Throughline stops keeping and
 * when, read from privacy.retention_preview (each policy's description, its period or "kept
 * forever", the cutoff, how many rows are due and the first of their ids), and "Run now",
 * which applies them at once through privacy.retention_run (the background worker does the
 * same every 6 hours) after a confirmation, and shows what each policy removed.
 */
import { useState } from 'react';
import type { RetentionPreview, RetentionRunResult } from '../../../src/core/privacy/retention.ts';
import { api, messageOf } from '../api.ts';
import { humanise, useSchema } from '../schema.tsx';
import { Alert, Badge, Dialog, formatDateTime, formatNumber, Loaded, useAsync } from '../ui/ui.tsx';
import './privacy.css';

/** How many of a policy's due ids the page lists. */
const IDS_SHOWN = 5;
const ACTION_LABEL: Record<string, string> = { delete: 'Deletes', clear: 'Clears', erase: 'Erases' };

export function PrivacyRetentionPage() {
  const schema = useSchema();
  const mayPreview = Boolean(schema.operation('privacy.retention_preview'));
  const mayRun = Boolean(schema.operation('privacy.retention_run'));
  const preview = useAsync(() => (mayPreview ? api<RetentionPreview>('GET', '/api/v1/privacy/retention') : Promise.resolve(null)), [mayPreview]);
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [result, setResult] = useState<RetentionRunResult | null>(null);

  const run = async () => {
    setBusy(true);
    setError(null);
    try {
      setResult(await api<RetentionRunResult>('POST', '/api/v1/privacy/retention/run'));
      setConfirming(false);
      preview.reload();
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="pv-page">
      <div className="page-head">
        <div>
          <h1>Privacy: retention</h1>
          <p className="muted">What Throughline stops keeping, and when. The background worker applies these policies every 6 hours; the periods are the instance's retention setting. A person's own privacy page (consent, access request, erasure) is linked from their record.</p>
        </div>
        {mayRun && preview.data && (
          <div className="actions">
            <button type="button" className="danger" onClick={() => setConfirming(true)}>
              Run now
            </button>
          </div>
        )}
      </div>
      {!mayPreview ? (
        <p className="muted">The retention policies are for administrators.</p>
      ) : (
        <>
          {result && <RunResult result={result} />}
          <Loaded state={preview} what="the retention policies">
            {(p) =>
              p && (
                <>
                  <p className="muted">As of {formatDateTime(p.now)}.</p>
                  <ul className="pv-policies" aria-label="Retention policies">
                    {p.policies.map((policy) => (
                      <li key={policy.policy} className="card pv-policy" aria-labelledby={`pv-policy-${policy.policy}`} data-policy={policy.policy}>
                        <h2 id={`pv-policy-${policy.policy}`}>{humanise(policy.policy)}</h2>
                        <p className="small">{policy.description}</p>
                        <dl>
                          <dt>Period</dt>
                          <dd>{policy.days === null ? <Badge tone="plain">Kept forever</Badge> : `${formatNumber(policy.days)} days`}</dd>
                          <dt>Cutoff</dt>
                          <dd>{policy.cutoff ? formatDateTime(policy.cutoff) : '—'}</dd>
                          <dt>Due now</dt>
                          <dd>
                            <strong className="pv-due">{formatNumber(policy.due)}</strong> {policy.due === 1 ? 'row' : 'rows'}
                            {policy.due > 0 && Object.keys(policy.tables).length > 0 && (
                              <span className="muted">
                                {' '}
                                ({Object.entries(policy.tables)
                                  .map(([t, n]) => `${humanise(t)} ${formatNumber(n)}`)
                                  .join(', ')}
                                )
                              </span>
                            )}
                          </dd>
                          <dt>Next run</dt>
                          <dd>
                            {ACTION_LABEL[policy.action] ?? humanise(policy.action)} {formatNumber(policy.next_run)} (at most {formatNumber(policy.per_run)} a run)
                          </dd>
                        </dl>
                        {policy.ids.length > 0 && (
                          <>
                            <p className="small muted">First due, oldest first:</p>
                            <ul className="pv-ids" aria-label={`First due of ${humanise(policy.policy)}`}>
                              {policy.ids.slice(0, IDS_SHOWN).map((id) => (
                                <li key={id}>
                                  <code>{id}</code>
                                </li>
                              ))}
                            </ul>
                            {policy.due > IDS_SHOWN && <p className="small muted">and {formatNumber(policy.due - IDS_SHOWN)} more</p>}
                          </>
                        )}
                      </li>
                    ))}
                  </ul>
                </>
              )
            }
          </Loaded>
        </>
      )}
      <Dialog title="Apply the retention policies now?" open={confirming} onClose={() => setConfirming(false)}>
        <p>
          Every row listed as due is removed now, as the worker would: old analytics events, webhook deliveries and sessions deleted; old email content cleared; unconverted and long-archived people erased. This cannot be undone.
        </p>
        {preview.data && (
          <p>
            <strong>{formatNumber(preview.data.policies.reduce((a, p) => a + p.next_run, 0))}</strong> rows in this run.
          </p>
        )}
        <Alert>{error}</Alert>
        <div className="actions">
          <button type="button" className="danger" disabled={busy} onClick={() => void run()}>
            {busy ? 'Running…' : 'Run the policies'}
          </button>
          <button type="button" className="secondary" onClick={() => setConfirming(false)}>
            Cancel
          </button>
        </div>
      </Dialog>
    </section>
  );
}

function RunResult({ result }: { result: RetentionRunResult }) {
  return (
    <div className="pv-receipt" role="status">
      <p>
        <strong>Run at {formatDateTime(result.now)}</strong>: {formatNumber(result.purged)} {result.purged === 1 ? 'row' : 'rows'} removed.
      </p>
      <div className="table-wrap">
        <table aria-label="Retention run">
          <thead>
            <tr>
              <th scope="col">Policy</th>
              <th scope="col" className="num">
                Removed
              </th>
              <th scope="col" className="num">
                Still due
              </th>
            </tr>
          </thead>
          <tbody>
            {result.policies.map((p) => (
              <tr key={p.policy} data-policy={p.policy}>
                <th scope="row">{humanise(p.policy)}</th>
                <td className="num">{formatNumber(p.purged)}</td>
                <td className="num">{p.days === null ? 'kept forever' : formatNumber(p.remaining)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
