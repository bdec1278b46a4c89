/**
 * Global search (Ctrl+K, ⌘K or /): companies, contacts, leads and deals matching what is
 * typed, as you type; arrows move, Enter opens, Escape closes. Only tables the person may
 * read are searched, each through its own list with `q`.
 */
import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { api, messageOf, query, type Page } from './api.ts';
import { navigate } from './router.ts';
import { humanise, recordLabel, singular, useSchema } from './schema.tsx';

const TABLES = ['companies', 'contacts', 'leads', 'deals'];
type Hit = { table: string; id: string; label: string; detail: string };

export function SearchPalette({ onClose }: { onClose: () => void }) {
  const schema = useSchema();
  const dialog = useRef<HTMLDialogElement>(null);
  const [q, setQ] = useState('');
  const [hits, setHits] = useState<Hit[]>([]);
  const [active, setActive] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const [searching, setSearching] = useState(false);

  useEffect(() => {
    const d = dialog.current;
    if (d && !d.open) d.showModal();
  }, []);

  useEffect(() => {
    const term = q.trim();
    if (!term) {
      setHits([]);
      return;
    }
    let stale = false;
    const timer = setTimeout(async () => {
      setSearching(true);
      try {
        const tables = TABLES.filter((t) => schema.table(t));
        const pages = await Promise.all(tables.map((t) => api<Page<Record<string, unknown>>>('GET', `/api/v1/${t}${query({ q: term, limit: 6 })}`)));
        if (stale) return;
        setHits(
          pages.flatMap((p, i) =>
            p.items.map((row) => ({
              table: tables[i]!,
              id: String(row.id),
              label: recordLabel(row),
              detail: [row.status, row.stage, row.email, row.job_title, row.location].filter((x) => typeof x === 'string' && x).join(' · '),
            })),
          ),
        );
        setActive(0);
        setError(null);
      } catch (e) {
        if (!stale) setError(messageOf(e));
      } finally {
        if (!stale) setSearching(false);
      }
    }, 150);
    return () => {
      stale = true;
      clearTimeout(timer);
    };
  }, [q, schema]);

  const open = (h: Hit) => {
    onClose();
    navigate(`/${h.table}/${h.id}`);
  };
  const onKey = (e: KeyboardEvent) => {
    if (e.key === 'ArrowDown') {
      e.preventDefault();
      setActive((a) => Math.min(a + 1, hits.length - 1));
    } else if (e.key === 'ArrowUp') {
      e.preventDefault();
      setActive((a) => Math.max(a - 1, 0));
    } else if (e.key === 'Enter' && hits[active]) {
      e.preventDefault();
      open(hits[active]);
    }
  };

  return (
    <dialog ref={dialog} className="dialog palette" aria-label="Search" onClose={onClose} onClick={(e) => e.target === dialog.current && onClose()}>
      <input
        type="search"
        autoFocus
        role="combobox"
        aria-expanded={hits.length > 0}
        aria-controls="search-results"
        aria-activedescendant={hits[active] ? `hit-${active}` : undefined}
        aria-label="Search companies, contacts, leads and deals"
        placeholder="Search companies, contacts, leads and deals…"
        value={q}
        onChange={(e) => setQ(e.target.value)}
        onKeyDown={onKey}
      />
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <ul id="search-results" role="listbox" aria-label="Results">
        {hits.map((h, i) => (
          <li key={`${h.table}-${h.id}`} id={`hit-${i}`} role="option" aria-selected={i === active} className={i === active ? 'active' : undefined} onMouseEnter={() => setActive(i)} onClick={() => open(h)}>
            <span className="hit-label">{h.label}</span> <span className="hit-table">{humanise(singular(h.table))}</span>
            {h.detail && <small>{h.detail}</small>}
          </li>
        ))}
      </ul>
      <p className="hint" aria-live="polite">
        {q.trim() === '' ? 'Type to search. ↑ ↓ to move, Enter to open, Esc to close.' : searching ? 'Searching…' : hits.length === 0 ? `Nothing matches “${q.trim()}”.` : `${hits.length} found`}
      </p>
    </dialog>
  );
}
