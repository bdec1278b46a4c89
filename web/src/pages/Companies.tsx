import { useEffect, useState, type FormEvent } from 'react';
import { api, query, type Company, type Page } from '../api.ts';
import { Link } from '../Link.tsx';

const PAGE = 50;

/** Companies, newest change first, with search and pages that follow the API's cursor. */
export function CompaniesPage() {
  const [q, setQ] = useState('');
  const [search, setSearch] = useState('');
  const [pages, setPages] = useState<Company[][]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);

  const load = async (more: string | null, term: string) => {
    setLoading(true);
    setError(null);
    try {
      const page = await api<Page<Company>>('GET', `/api/v1/companies${query({ sort: '-updated_at', limit: PAGE, q: term, cursor: more ?? undefined })}`);
      setPages((p) => (more ? [...p, page.items] : [page.items]));
      setCursor(page.next_cursor);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setLoading(false);
    }
  };
  useEffect(() => void load(null, search), [search]);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setSearch(q.trim());
  };
  const rows = pages.flat();
  return (
    <section>
      <h1>Companies</h1>
      <form role="search" onSubmit={submit} className="toolbar">
        <label>
          <span className="visually-hidden">Search companies</span>
          <input type="search" placeholder="Search by name, website, location" value={q} onChange={(e) => setQ(e.target.value)} />
        </label>
        <button type="submit">Search</button>
      </form>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <table>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Status</th>
            <th scope="col">Location</th>
            <th scope="col">Staff</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((c) => (
            <tr key={c.id}>
              <td>
                <Link to={`/companies/${c.id}`}>{c.name}</Link>
              </td>
              <td>
                <span className="status">{c.status}</span>
              </td>
              <td>{c.location ?? ''}</td>
              <td className="num">{c.employee_count ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {!loading && rows.length === 0 && !error && <p>{search ? `No company matches “${search}”.` : 'No companies yet.'}</p>}
      {cursor && (
        <button type="button" onClick={() => void load(cursor, search)} disabled={loading}>
          {loading ? 'Loading…' : 'More'}
        </button>
      )}
    </section>
  );
}
