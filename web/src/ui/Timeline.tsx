/**
 * A record's interactions and notes, newest first, with a form to add a note: the same on a
 * company's page and a contact's, each saying which interactions and notes are its own.
 */
import { useState } from 'react';
import { api, query, type Page } from '../api.ts';
import { Link } from '../Link.tsx';
import { humanise, useSchema } from '../schema.tsx';
import { RecordForm } from './RecordForm.tsx';
import { Badge, formatDate, formatDateTime, Loaded, useAsync } from './ui.tsx';
import './timeline.css';

type Row = Record<string, unknown>;
type Entry = { key: string; at: string; kind: 'interaction' | 'note'; row: Row };
const none: Page<Row> = { items: [], next_cursor: null };

export function Timeline({
  title,
  interactions,
  notes,
  newNote,
  limit,
  names,
  canNote,
  folded = false,
  reload,
}: {
  title: string;
  /** The filter of the record's interactions (`{ company_id }`, `{ contact_id }`). */
  interactions: Record<string, string>;
  /** The filter of its notes. */
  notes: Record<string, string>;
  /** What a new note is fixed to (`note_type`, `related_id`). */
  newNote: Record<string, string>;
  /** How many of each to show. */
  limit: number;
  /** Names of the people an interaction may be with, by contact id ("with Sam"). */
  names?: Map<string, string>;
  /** Whether the record takes notes (not archived) — the role is checked here too. */
  canNote: boolean;
  /** The note form folded away behind "Add a note" (where the timeline shares the page). */
  folded?: boolean;
  reload: number;
}) {
  const schema = useSchema();
  const [mine, setMine] = useState(0);
  const [formKey, setFormKey] = useState(0);
  const noting = canNote && schema.can('notes', 'create');
  const list = (table: string, filter: Record<string, string>, sort: string) =>
    schema.table(table) ? api<Page<Row>>('GET', `/api/v1/${table}${query({ ...filter, sort, limit })}`) : Promise.resolve(none);
  const key = JSON.stringify([interactions, notes]);
  const state = useAsync(async () => {
    const [i, n] = await Promise.all([list('interactions', interactions, '-interaction_date'), list('notes', notes, '-created_at')]);
    const entries: Entry[] = [
      ...i.items.map((r) => ({ key: `i-${String(r.id)}`, at: String(r.interaction_date ?? r.created_at ?? ''), kind: 'interaction' as const, row: r })),
      ...n.items.map((r) => ({ key: `n-${String(r.id)}`, at: String(r.created_at ?? ''), kind: 'note' as const, row: r })),
    ];
    entries.sort((a, b) => Date.parse(b.at) - Date.parse(a.at) || b.key.localeCompare(a.key));
    return { entries, more: Boolean(i.next_cursor || n.next_cursor) };
  }, [key, reload, mine, limit]);
  const form = (
    <RecordForm
      key={formKey}
      table="notes"
      fixed={newNote}
      only={['note_text', 'is_private']}
      submitLabel="Add note"
      onSaved={() => {
        setFormKey((k) => k + 1);
        setMine((m) => m + 1);
      }}
    />
  );
  return (
    <section aria-label={title}>
      <h2>{title}</h2>
      {noting &&
        (folded ? (
          <details className="card tl-note-form">
            <summary>Add a note</summary>
            {form}
          </details>
        ) : (
          <div className="card tl-note-form">
            <h3>Add note</h3>
            {form}
          </div>
        ))}
      <Loaded state={state} what="the timeline">
        {({ entries, more }) =>
          entries.length === 0 ? (
            <p className="empty">No interactions or notes yet.</p>
          ) : (
            <>
              <ol className="tl-list" aria-label="Interactions and notes, newest first">
                {entries.map((e) => (
                  <li key={e.key} className={`tl-entry tl-entry-${e.kind}`}>
                    <div className="tl-entry-head">
                      <time dateTime={e.at}>{formatDateTime(e.at)}</time>
                      {e.kind === 'note' ? <Badge tone="plain">Note{e.row.is_private === true ? ' (private)' : ''}</Badge> : <Badge>{humanise(String(e.row.type ?? 'interaction'))}</Badge>}
                      {e.kind === 'interaction' && typeof e.row.direction === 'string' && <span>{humanise(e.row.direction)}</span>}
                      {e.kind === 'interaction' && typeof e.row.contact_id === 'string' && names?.has(e.row.contact_id) && <span className="tl-small">with {names.get(e.row.contact_id)}</span>}
                      {e.kind === 'interaction' && typeof e.row.outcome === 'string' && <Badge tone="plain">{humanise(e.row.outcome)}</Badge>}
                    </div>
                    {e.kind === 'interaction' ? (
                      <div>
                        <Link to={`/interactions/${String(e.row.id)}`}>{String(e.row.subject || e.row.summary || humanise(String(e.row.type ?? 'interaction')))}</Link>
                        {e.row.subject && e.row.summary ? <p className="tl-text">{String(e.row.summary)}</p> : null}
                        {e.row.next_step ? <p className="tl-small">Next step: {String(e.row.next_step)}</p> : null}
                        {e.row.follow_up_date ? <p className="tl-small">Follow up {formatDate(String(e.row.follow_up_date))}</p> : null}
                      </div>
                    ) : (
                      <div>
                        <p className="tl-text">{String(e.row.note_text ?? '')}</p>
                        <Link to={`/notes/${String(e.row.id)}`} className="tl-small">
                          Open note
                        </Link>
                      </div>
                    )}
                  </li>
                ))}
              </ol>
              {more && <p className="tl-small muted">Showing the latest {limit} of each.</p>}
            </>
          )
        }
      </Loaded>
    </section>
  );
}
