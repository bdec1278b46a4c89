/**
 * Any record of any table: its fields, edit, its own operations, archive and restore, its
 * status history where it has a pipeline, and the records of other tables that point at it
 * (a deal's line items, a session's attendance), each with a way to add one.
 */
import { useState } from 'react';
import { api, query, type Page } from '../api.ts';
import { Link } from '../Link.tsx';
import { navigate } from '../router.ts';
import { humanise, recordLabel, singular, useSchema, type TableInfo } from '../schema.tsx';
import { useLabels } from '../ui/labels.ts';
import { useStages } from '../ui/pipeline.ts';
import { RecordActions } from '../ui/RecordActions.tsx';
import { RecordForm } from '../ui/RecordForm.tsx';
import { Badge, Dialog, formatDateTime, Loaded, useAsync } from '../ui/ui.tsx';
import { listable, Value } from '../ui/Value.tsx';

type Row = Record<string, unknown>;
const PIPELINE_ENTITY: Record<string, string> = { companies: 'company', leads: 'lead', deals: 'deal', engagements: 'engagement', campaigns: 'campaign', campaign_targets: 'campaign_target' };

export function RecordPage({ table, id }: { table: string; id: string }) {
  const state = useAsync(() => api<Row>('GET', `/api/v1/${table}/${encodeURIComponent(id)}`), [table, id]);
  return <Loaded state={state}>{(row) => <RecordView table={table} row={row} reload={state.reload} />}</Loaded>;
}

function RecordView({ table, row, reload }: { table: string; row: Row; reload: () => void }) {
  const schema = useSchema();
  const t = schema.table(table)!;
  const [editing, setEditing] = useState(false);
  const label = useLabels(t.fields.filter((f) => f.references && typeof row[f.name] === 'string').map((f) => [f.references!, String(row[f.name])] as [string, string]));
  const stages = useStages(t.pipeline?.pipeline);
  const children = schema.tables.flatMap((c) => c.fields.filter((f) => f.references === table).map((f) => ({ child: c, field: f.name })));
  return (
    <section>
      <p>
        <Link to={`/${table}`}>← {humanise(table)}</Link>
      </p>
      <div className="page-head">
        <h1>
          {recordLabel(row)} {row.archived_at ? <Badge tone="plain">archived</Badge> : null}
        </h1>
        {t.verbs.includes('update') && !row.archived_at && (
          <button type="button" onClick={() => setEditing(true)}>
            Edit
          </button>
        )}
      </div>
      <p className="muted">{humanise(singular(table))}</p>
      {table === 'leads' && (
        <p>
          <Link to={`/leads/${encodeURIComponent(String(row.id))}/privacy`}>Privacy: consent, access request, erasure</Link>
        </p>
      )}
      <RecordActions table={table} record={row} onChanged={(r) => (r === undefined && !t.verbs.includes('get') ? navigate(`/${table}`) : reload())} />
      <dl className="details">
        {t.fields
          .filter((f) => f.name !== 'id')
          .map((f) => (
            <div key={f.name} className="pair">
              <dt>{humanise(f.name)}</dt>
              <dd className={f.kind === 'text' && typeof row[f.name] === 'string' && String(row[f.name]).includes('\n') ? 'notes' : undefined}>
                <Value field={f} row={row} label={label} stages={f.name === t.pipeline?.field ? stages : undefined} />
              </dd>
            </div>
          ))}
      </dl>
      {PIPELINE_ENTITY[table] && <StatusHistory entity={PIPELINE_ENTITY[table]!} id={String(row.id)} />}
      {children.map(({ child, field }) => (
        <Related key={`${child.name}.${field}`} child={child} field={field} parentId={String(row.id)} />
      ))}
      <Dialog title={`Edit ${singular(table).replace(/_/g, ' ')}`} open={editing} onClose={() => setEditing(false)}>
        <RecordForm
          table={table}
          record={row}
          onSaved={() => {
            setEditing(false);
            reload();
          }}
          onCancel={() => setEditing(false)}
        />
      </Dialog>
    </section>
  );
}

type Timeline = { entries: { status: string; entered_at: string; exited_at: string | null; duration_days: number | null }[] };

export function StatusHistory({ entity, id }: { entity: string; id: string }) {
  const state = useAsync(() => api<Timeline>('GET', `/api/v1/status_history/${entity}/${id}`), [entity, id]);
  return (
    <>
      <h2>Status history</h2>
      <Loaded state={state}>
        {(t) =>
          t.entries.length === 0 ? (
            <p className="empty">No status changes yet.</p>
          ) : (
            <ol className="history">
              {t.entries.map((e) => (
                <li key={e.entered_at + e.status}>
                  <strong>{humanise(e.status)}</strong> from {formatDateTime(e.entered_at)}
                  {e.exited_at ? ` to ${formatDateTime(e.exited_at)}` : ' (now)'}
                  {e.duration_days !== null ? `, ${e.duration_days} days` : ''}
                </li>
              ))}
            </ol>
          )
        }
      </Loaded>
    </>
  );
}

/** The first records of another table that point at this one, with a link to all of them and a way to add one. */
export function Related({ child, field, parentId, title }: { child: TableInfo; field: string; parentId: string; title?: string }) {
  const state = useAsync(() => api<Page<Row>>('GET', `/api/v1/${child.name}${query({ [field]: parentId, limit: 10, sort: child.default_sort })}`), [child.name, field, parentId]);
  const columns = child.fields.filter(listable).filter((f) => f.name !== field).slice(0, 4);
  const label = useLabels((state.data?.items ?? []).flatMap((r) => columns.filter((c) => c.references && typeof r[c.name] === 'string').map((c) => [c.references!, String(r[c.name])] as [string, string])));
  const heading = title ?? (child.fields.filter((f) => f.references === child.fields.find((x) => x.name === field)?.references).length > 1 ? `${humanise(child.name)} (${humanise(field).toLowerCase()})` : humanise(child.name));
  return (
    <div className="related">
      <div className="page-head">
        <h2>{heading}</h2>
        <div className="actions">
          {child.verbs.includes('create') && (
            <Link to={`/${child.name}/new${query({ [field]: parentId })}`} className="button-link">
              Add {singular(child.name).replace(/_/g, ' ')}
            </Link>
          )}
          <Link to={`/${child.name}${query({ [field]: parentId })}`}>See all</Link>
        </div>
      </div>
      <Loaded state={state}>
        {(page) =>
          page.items.length === 0 ? (
            <p className="empty">None yet.</p>
          ) : (
            <div className="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th scope="col">{humanise(singular(child.name))}</th>
                    {columns.map((c) => (
                      <th key={c.name} scope="col" className="hide-narrow">
                        {humanise(c.name)}
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {page.items.map((r) => (
                    <tr key={String(r.id)}>
                      <td>
                        <Link to={`/${child.name}/${String(r.id)}`}>{recordLabel(r)}</Link>
                      </td>
                      {columns.map((c) => (
                        <td key={c.name} className="hide-narrow">
                          <Value field={c} row={r} label={label} />
                        </td>
                      ))}
                    </tr>
                  ))}
                </tbody>
              </table>
              {page.next_cursor && <p className="muted">Showing the first {page.items.length}.</p>}
            </div>
          )
        }
      </Loaded>
    </div>
  );
}
