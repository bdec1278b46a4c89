/**
 * The list of any table: search, filters, sort, chosen columns, archived records, saved
 * views and CSV export. The page's address holds the list's query in the API's own words
 * (`?status=prospect&value[gte]=1000&sort=-updated_at`), so a list can be bookmarked or
 * shared, and the same query goes to GET /api/v1/<table>.
 */
import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { api, messageOf, pathParams, query, type Page } from '../api.ts';
import { Link } from '../Link.tsx';
import { navigate, setQuery, useQuery } from '../router.ts';
import { humanise, singular, useSchema, type FieldInfo, type OperationInfo, type TableInfo } from '../schema.tsx';
import { OperationForm } from '../ui/OperationForm.tsx';
import { Answer, recordOperations } from '../ui/RecordActions.tsx';
import { useLabels } from '../ui/labels.ts';
import { useStages } from '../ui/pipeline.ts';
import { Alert, Dialog, Loading } from '../ui/ui.tsx';
import { listable, Value } from '../ui/Value.tsx';

type Row = Record<string, unknown>;
type Filter = { field: string; op: string; value: string };
type View = { filters: Filter[]; sort?: string; q?: string; columns?: string[]; archived?: 'exclude' | 'include' | 'only' };
type SavedView = { id: string; table: string; name: string; view: View };

const PAGE = 50;
const RESERVED = new Set(['q', 'sort', 'archived', 'cols', 'cursor', 'limit']);
const OPS: Record<string, string> = { eq: 'is', ne: 'is not', lt: 'before / less than', lte: 'at most', gt: 'after / more than', gte: 'at least', like: 'matches (% wildcard)', in: 'is one of (a,b,c)', is_null: 'is empty (true/false)' };
const FILTER_KEY = /^([a-z_][a-z0-9_]*)(?:\[([a-z_]+)\])?$/;

/** The list's state from the address. */
function viewFromQuery(params: URLSearchParams): View {
  const filters: Filter[] = [];
  for (const [k, value] of params) {
    if (RESERVED.has(k)) continue;
    const m = FILTER_KEY.exec(k);
    if (m) filters.push({ field: m[1]!, op: m[2] ?? 'eq', value });
  }
  const archived = params.get('archived');
  return {
    filters,
    ...(params.get('sort') ? { sort: params.get('sort')! } : {}),
    ...(params.get('q') ? { q: params.get('q')! } : {}),
    ...(params.get('cols') ? { columns: params.get('cols')!.split(',').filter(Boolean) } : {}),
    ...(archived === 'include' || archived === 'only' ? { archived } : {}),
  };
}

/** The address (and the API's query) for a list state. */
function queryOfView(v: View, withColumns = true): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const f of v.filters) out[f.op === 'eq' ? f.field : `${f.field}[${f.op}]`] = f.value;
  out.sort = v.sort;
  out.q = v.q;
  out.archived = v.archived;
  if (withColumns && v.columns?.length) out.cols = v.columns.join(',');
  return out;
}

/** What a list shows before anyone chooses: the record's name, then its state, whom it concerns, and its key figures and dates. */
const PREFERRED = ['name', 'title', 'first_name', 'last_name', 'invoice_number', 'ticket_number', 'proposal_number', 'subject', 'status', 'stage', 'company_id', 'engagement_id', 'contact_id', 'email', 'role_title', 'location', 'priority', 'value', 'amount', 'total', 'currency', 'due_date', 'start_date', 'scheduled_at', 'interaction_date'];

function defaultColumns(t: TableInfo): string[] {
  const fields = t.fields.filter(listable);
  const ranked = [...fields].sort((a, b) => rank(a.name) - rank(b.name));
  return ranked.slice(0, 6).map((f) => f.name).sort((a, b) => rank(a) - rank(b));
}
const rank = (name: string) => {
  const i = PREFERRED.indexOf(name);
  return i === -1 ? PREFERRED.length + (name === 'updated_at' ? 100 : 0) : i;
};

export function TablePage({ table }: { table: string }) {
  const schema = useSchema();
  const t = schema.table(table)!;
  const params = useQuery();
  const view = useMemo(() => viewFromQuery(params), [params.toString()]); // eslint-disable-line react-hooks/exhaustive-deps
  const apiQuery = query(queryOfView(view, false));
  const columns = (view.columns?.length ? view.columns : defaultColumns(t)).map((n) => t.fields.find((f) => f.name === n)).filter((f): f is FieldInfo => Boolean(f));

  const [rows, setRows] = useState<Row[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const [q, setQ] = useState(view.q ?? '');
  useEffect(() => setQ(view.q ?? ''), [view.q]);

  const load = async (after: string | null) => {
    setLoading(true);
    setError(null);
    try {
      const sep = apiQuery ? '&' : '?';
      const page = await api<Page<Row>>('GET', `/api/v1/${table}${apiQuery}${sep}${query({ limit: PAGE, cursor: after ?? undefined }).slice(1)}`);
      setRows((r) => (after ? [...r, ...page.items] : page.items));
      setCursor(page.next_cursor);
    } catch (e) {
      setError(messageOf(e));
      if (!after) setRows([]);
    } finally {
      setLoading(false);
    }
  };
  useEffect(() => void load(null), [table, apiQuery]); // eslint-disable-line react-hooks/exhaustive-deps

  const label = useLabels(rows.flatMap((r) => columns.filter((c) => c.references && typeof r[c.name] === 'string').map((c) => [c.references!, String(r[c.name])] as [string, string])));
  const stages = useStages(t.pipeline?.pipeline);
  const apply = (v: View) => setQuery(queryOfView(v));
  const sortBy = (f: FieldInfo) => apply({ ...view, sort: view.sort === f.name ? `-${f.name}` : f.name });
  const sortState = (f: FieldInfo) => (view.sort === f.name ? 'ascending' : view.sort === `-${f.name}` ? 'descending' : 'none');

  return (
    <section>
      <div className="page-head">
        <div>
          <h1>{humanise(table)}</h1>
          <p className="muted">{t.summary}</p>
        </div>
        <div className="actions">
          {t.verbs.includes('create') && (
            <button type="button" onClick={() => navigate(`/${table}/new`)}>
              New {singular(table).replace(/_/g, ' ')}
            </button>
          )}
          <ExportButton table={table} apiQuery={apiQuery} columns={t.fields.map((f) => f.name)} />
          <TableActions table={t} onChanged={() => void load(null)} />
        </div>
      </div>
      <form
        role="search"
        className="toolbar"
        onSubmit={(e: FormEvent) => {
          e.preventDefault();
          apply({ ...view, q: q.trim() || undefined } as View);
        }}
      >
        <label>
          <span className="visually-hidden">Search {humanise(table).toLowerCase()}</span>
          <input type="search" placeholder={t.searched.length ? `Search by ${t.searched.map((s) => humanise(s).toLowerCase()).join(', ')}` : 'This table has no searchable text'} value={q} onChange={(e) => setQ(e.target.value)} disabled={!t.searched.length} />
        </label>
        <button type="submit" disabled={!t.searched.length}>
          Search
        </button>
        {t.archivable && (
          <label className="inline">
            <span className="visually-hidden">Archived records</span>
            <select value={view.archived ?? 'exclude'} onChange={(e) => apply({ ...view, archived: e.target.value as View['archived'] })}>
              <option value="exclude">Active</option>
              <option value="include">Active and archived</option>
              <option value="only">Archived only</option>
            </select>
          </label>
        )}
      </form>
      <Filters table={t} view={view} apply={apply} />
      <div className="toolbar">
        <ColumnsChooser table={t} shown={columns.map((c) => c.name)} apply={(cols) => apply({ ...view, columns: cols })} />
        <SavedViews table={table} view={view} apply={apply} />
      </div>
      <Alert>{error}</Alert>
      <div className="table-wrap">
        <table>
          <caption className="visually-hidden">{humanise(table)}</caption>
          <thead>
            <tr>
              {columns.map((c) => (
                <th key={c.name} scope="col" aria-sort={sortState(c)} className={c.kind === 'numeric' || c.kind === 'integer' ? 'num' : undefined}>
                  {t.sortable.includes(c.name) ? (
                    <button type="button" className="sort" onClick={() => sortBy(c)}>
                      {humanise(c.name)} {sortState(c) === 'ascending' ? '▲' : sortState(c) === 'descending' ? '▼' : ''}
                    </button>
                  ) : (
                    humanise(c.name)
                  )}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={String(r.id)} className={r.archived_at ? 'archived' : undefined}>
                {columns.map((c, i) => (
                  <td key={c.name} className={c.kind === 'numeric' || c.kind === 'integer' ? 'num' : undefined}>
                    {i === 0 ? (
                      <Link to={`/${table}/${String(r.id)}`}>{r[c.name] === null || r[c.name] === undefined || r[c.name] === '' ? `#${String(r.id).slice(0, 8)}` : c.references ? (label(c.references, String(r[c.name])) ?? String(r[c.name])) : String(r[c.name])}</Link>
                    ) : (
                      <Value field={c} row={r} label={label} stages={c.name === t.pipeline?.field ? stages : undefined} />
                    )}
                    {i === 0 && r.archived_at ? <span className="badge plain"> archived</span> : null}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {loading && <Loading />}
      {!loading && !error && rows.length === 0 && <p className="empty">{view.filters.length || view.q ? 'Nothing matches these filters.' : `No ${humanise(table).toLowerCase()} yet.`}</p>}
      {cursor && !loading && (
        <button type="button" className="secondary" onClick={() => void load(cursor)}>
          More
        </button>
      )}
    </section>
  );
}

function Filters({ table, view, apply }: { table: TableInfo; view: View; apply: (v: View) => void }) {
  const filterable = table.fields.filter((f) => table.sortable.includes(f.name));
  const [field, setField] = useState(filterable[0]?.name ?? '');
  const [op, setOp] = useState('eq');
  const [value, setValue] = useState('');
  const f = filterable.find((x) => x.name === field);
  const stages = useStages(table.pipeline?.pipeline);
  const choices = field === table.pipeline?.field && stages ? stages.map((s) => [s.key, s.label] as const) : f?.values?.map((v) => [v, humanise(v)] as const);
  const add = (e: FormEvent) => {
    e.preventDefault();
    if (!field || (value === '' && op !== 'is_null')) return;
    apply({ ...view, filters: [...view.filters.filter((x) => !(x.field === field && x.op === op)), { field, op, value: op === 'is_null' ? value || 'true' : value }] });
    setValue('');
  };
  const valueInput =
    op === 'is_null' || f?.kind === 'boolean' ? (
      <select aria-label="Filter value" value={value} onChange={(e) => setValue(e.target.value)}>
        <option value="true">{op === 'is_null' ? 'empty' : 'yes'}</option>
        <option value="false">{op === 'is_null' ? 'not empty' : 'no'}</option>
      </select>
    ) : choices && (op === 'eq' || op === 'ne') ? (
      <select aria-label="Filter value" value={value} onChange={(e) => setValue(e.target.value)}>
        <option value="">—</option>
        {choices.map(([v, label]) => (
          <option key={v} value={v}>
            {label}
          </option>
        ))}
      </select>
    ) : (
      <input aria-label="Filter value" type={f?.kind === 'date' && op !== 'in' ? 'date' : 'text'} value={value} onChange={(e) => setValue(e.target.value)} />
    );
  return (
    <div className="filters">
      {view.filters.length > 0 && (
        <ul className="chips" aria-label="Filters">
          {view.filters.map((x) => (
            <li key={`${x.field}-${x.op}`}>
              {humanise(x.field)} {OPS[x.op] ?? x.op} <strong>{x.value}</strong>{' '}
              <button type="button" className="plain" aria-label={`Remove filter on ${humanise(x.field)}`} onClick={() => apply({ ...view, filters: view.filters.filter((y) => y !== x) })}>
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
      <details>
        <summary>Add a filter</summary>
        <form className="toolbar" onSubmit={add} aria-label="Add a filter">
          <select aria-label="Filter field" value={field} onChange={(e) => setField(e.target.value)}>
            {filterable.map((x) => (
              <option key={x.name} value={x.name}>
                {humanise(x.name)}
              </option>
            ))}
          </select>
          <select aria-label="Filter operator" value={op} onChange={(e) => setOp(e.target.value)}>
            {Object.entries(OPS)
              .filter(([k]) => k !== 'like' || f?.kind === 'text' || f?.kind === 'enum')
              .map(([k, v]) => (
                <option key={k} value={k}>
                  {v}
                </option>
              ))}
          </select>
          {valueInput}
          <button type="submit">Add filter</button>
        </form>
      </details>
    </div>
  );
}

function ColumnsChooser({ table, shown, apply }: { table: TableInfo; shown: string[]; apply: (cols: string[]) => void }) {
  const toggle = (name: string, on: boolean) => {
    const next = on ? [...shown, name] : shown.filter((n) => n !== name);
    if (next.length) apply(table.fields.map((f) => f.name).filter((n) => next.includes(n)));
  };
  return (
    <details className="columns">
      <summary>Columns</summary>
      <fieldset>
        <legend className="visually-hidden">Columns shown</legend>
        {table.fields.map((f) => (
          <label key={f.name} className="check">
            <input type="checkbox" checked={shown.includes(f.name)} onChange={(e) => toggle(f.name, e.target.checked)} /> {humanise(f.name)}
          </label>
        ))}
      </fieldset>
    </details>
  );
}

function SavedViews({ table, view, apply }: { table: string; view: View; apply: (v: View) => void }) {
  const [views, setViews] = useState<SavedView[]>([]);
  const [naming, setNaming] = useState(false);
  const [name, setName] = useState('');
  const [error, setError] = useState<string | null>(null);
  const reload = () => api<{ items: SavedView[] }>('GET', `/api/v1/saved-views${query({ table })}`).then((r) => setViews(r.items), (e: unknown) => setError(messageOf(e)));
  useEffect(() => void reload(), [table]); // eslint-disable-line react-hooks/exhaustive-deps
  const current = views.find((v) => JSON.stringify(queryOfView(v.view)) === JSON.stringify(queryOfView(view)));
  const save = async (e: FormEvent) => {
    e.preventDefault();
    try {
      await api('POST', '/api/v1/saved-views', { table, name: name.trim(), view: { filters: view.filters, ...(view.sort ? { sort: view.sort } : {}), ...(view.q ? { q: view.q } : {}), ...(view.columns ? { columns: view.columns } : {}), ...(view.archived ? { archived: view.archived } : {}) } });
      setNaming(false);
      setName('');
      setError(null);
      await reload();
    } catch (err) {
      setError(messageOf(err));
    }
  };
  const remove = async (v: SavedView) => {
    try {
      await api('DELETE', `/api/v1/saved-views/${v.id}`);
      await reload();
    } catch (err) {
      setError(messageOf(err));
    }
  };
  return (
    <div className="saved-views">
      <label className="inline">
        <span>View</span>
        <select
          value={current?.id ?? ''}
          onChange={(e) => {
            const v = views.find((x) => x.id === e.target.value);
            apply(v ? v.view : { filters: [] });
          }}
        >
          <option value="">{current ? 'All records' : 'Unsaved view'}</option>
          {views.map((v) => (
            <option key={v.id} value={v.id}>
              {v.name}
            </option>
          ))}
        </select>
      </label>
      <button type="button" className="secondary small" onClick={() => setNaming(true)}>
        Save view…
      </button>
      {current && (
        <button type="button" className="secondary small" onClick={() => void remove(current)}>
          Delete view
        </button>
      )}
      <Alert>{error}</Alert>
      <Dialog title="Save this view" open={naming} onClose={() => setNaming(false)}>
        <form onSubmit={save}>
          <div className="field">
            <label htmlFor="view-name">Name</label>
            <input id="view-name" value={name} onChange={(e) => setName(e.target.value)} required maxLength={80} />
            <small>Saving under a name you already used replaces that view.</small>
          </div>
          <div className="actions">
            <button type="submit" disabled={!name.trim()}>
              Save view
            </button>
          </div>
        </form>
      </Dialog>
    </div>
  );
}

/** Every record the list's query matches, page by page, as one CSV file; progress shown as it goes. */
/**
 * Export: the server writes the file (GET /api/v1/export/<table>, the list's own query), so
 * every row the list matches is in it, formulas neutralised. Buttons that navigate a hidden
 * download link: the server's content-disposition names the file.
 */
function ExportButton({ table, apiQuery }: { table: string; apiQuery: string; columns: string[] }) {
  const download = (format: 'csv' | 'json') => {
    const a = document.createElement('a');
    a.href = `/api/v1/export/${encodeURIComponent(table)}${apiQuery}${apiQuery ? '&' : '?'}format=${format}`;
    a.download = '';
    a.hidden = true;
    document.body.append(a);
    a.click();
    a.remove();
  };
  return (
    <>
      <button type="button" className="secondary" onClick={() => download('csv')}>
        Export CSV
      </button>
      <button type="button" className="secondary" onClick={() => download('json')}>
        Export JSON
      </button>
    </>
  );
}

/** The table's operations that act on no one record (schedule a session, ingest usage, the weighted pipeline): each from its generated form. */
function TableActions({ table, onChanged }: { table: TableInfo; onChanged: () => void }) {
  const schema = useSchema();
  const [open, setOpen] = useState<OperationInfo | null>(null);
  const [answer, setAnswer] = useState<unknown>(undefined);
  const ops = table.actions.map((n) => schema.operation(n)).filter((o): o is OperationInfo => Boolean(o));
  const onRecord = new Set(recordOperations(ops, table.name).map((r) => r.op.name));
  const free = ops.filter((o) => !onRecord.has(o.name) && pathParams(o.path).length === 0);
  if (!free.length) return null;
  return (
    <>
      {free.map((op) => (
        <button
          key={op.name}
          type="button"
          className="secondary"
          onClick={() => {
            setAnswer(undefined);
            setOpen(op);
          }}
        >
          {op.summary}
        </button>
      ))}
      <Dialog title={open?.summary ?? ''} open={open !== null} onClose={() => setOpen(null)}>
        {open &&
          (answer === undefined ? (
            <>
              {open.description && <p className="muted">{open.description}</p>}
              <OperationForm
                op={open}
                submitLabel={open.method === 'get' ? 'Show' : 'Go'}
                onDone={(result) => {
                  if (open.method === 'get' || open.reveals_secret) {
                    // A secret shown once stays on screen until the dialog is closed.
                    setAnswer(result);
                    if (open.reveals_secret) onChanged();
                  } else {
                    setOpen(null);
                    onChanged();
                  }
                }}
                onCancel={() => setOpen(null)}
              />
            </>
          ) : (
            <Answer value={answer} />
          ))}
      </Dialog>
    </>
  );
}
