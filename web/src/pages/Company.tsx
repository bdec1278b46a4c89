import { useEffect, useState } from 'react';
import { api, type Company } from '../api.ts';
import { Link } from '../Link.tsx';

type Timeline = { entries: { status: string; entered_at: string; exited_at: string | null; duration_days: number | null }[] };

/** One company: its details and its status history. */
export function CompanyPage({ id }: { id: string }) {
  const [company, setCompany] = useState<Company | null>(null);
  const [history, setHistory] = useState<Timeline['entries']>([]);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    setCompany(null);
    setError(null);
    Promise.all([api<Company>('GET', `/api/v1/companies/${id}`), api<Timeline>('GET', `/api/v1/status_history/company/${id}`)]).then(
      ([c, t]) => {
        setCompany(c);
        setHistory(t.entries);
      },
      (e: unknown) => setError(e instanceof Error ? e.message : String(e)),
    );
  }, [id]);

  if (error) {
    return (
      <section>
        <p className="error" role="alert">
          {error}
        </p>
        <Link to="/companies">All companies</Link>
      </section>
    );
  }
  if (!company) return <p>Loading…</p>;
  const website = company.website && /^https?:\/\//i.test(company.website) ? company.website : null;
  return (
    <section>
      <p>
        <Link to="/companies">Companies</Link> /
      </p>
      <h1>{company.name}</h1>
      <dl className="details">
        <dt>Status</dt>
        <dd>
          <span className="status">{company.status}</span>
        </dd>
        <dt>Location</dt>
        <dd>{company.location ?? '—'}</dd>
        <dt>Staff</dt>
        <dd>{company.employee_count ?? '—'}</dd>
        <dt>Source</dt>
        <dd>{company.source ?? '—'}</dd>
        <dt>Website</dt>
        <dd>{website ? <a href={website} rel="noopener noreferrer" target="_blank">{company.website}</a> : (company.website ?? '—')}</dd>
        <dt>Notes</dt>
        <dd className="notes">{company.notes ?? '—'}</dd>
      </dl>
      <h2>Status history</h2>
      <ol className="history">
        {history.map((h) => (
          <li key={`${h.status}-${h.entered_at}`}>
            <span className="status">{h.status}</span> from {new Date(h.entered_at).toLocaleDateString()}
            {h.duration_days !== null ? ` · ${h.duration_days} days` : ''}
          </li>
        ))}
      </ol>
    </section>
  );
}
