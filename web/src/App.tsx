import { useCallback, useEffect, useState } from 'react';
import { api, ApiError, type Me } from './api.ts';
import { CompaniesPage } from './pages/Companies.tsx';
import { CompanyPage } from './pages/Company.tsx';
import { SignIn } from './pages/SignIn.tsx';
import { Link } from './Link.tsx';
import { usePath } from './router.ts';

type Session = { state: 'loading' } | { state: 'signed-out' } | { state: 'signed-in'; me: Me } | { state: 'error'; message: string };

export function App() {
  const [session, setSession] = useState<Session>({ state: 'loading' });
  const path = usePath();

  const load = useCallback(async () => {
    try {
      setSession({ state: 'signed-in', me: await api<Me>('GET', '/api/v1/auth/me') });
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) setSession({ state: 'signed-out' });
      else setSession({ state: 'error', message: e instanceof Error ? e.message : String(e) });
    }
  }, []);
  useEffect(() => void load(), [load]);

  if (session.state === 'loading') return <p className="page">Loading…</p>;
  if (session.state === 'error') return <p className="page error" role="alert">{session.message}</p>;
  if (session.state === 'signed-out') return <SignIn onSignedIn={load} />;

  const signOut = async () => {
    await api('POST', '/api/v1/auth/logout').catch(() => {});
    setSession({ state: 'signed-out' });
  };
  const company = /^\/companies\/([0-9a-f-]{36})$/i.exec(path.split('?')[0]!);
  return (
    <div className="shell">
      <header className="topbar">
        <Link to="/companies" className="brand">Throughline</Link>
        <nav aria-label="Main">
          <Link to="/companies">Companies</Link>
        </nav>
        <span className="who">
          {session.me.actor.label} · {session.me.actor.role}
        </span>
        <button type="button" onClick={signOut}>
          Sign out
        </button>
      </header>
      <main className="page">{company ? <CompanyPage id={company[1]!} /> : <CompaniesPage />}</main>
    </div>
  );
}
