/**
 * Clean up: companies and contacts that look like one (duplicates.find), each group with
 * why, and merging them (duplicates.merge): choose the record that stays and which others
 * go into it; what points at them moves to it, and they are archived.
 */
import { useId, useState, type KeyboardEvent } from 'react';
import { api, messageOf } from '../api.ts';
import { Link } from '../Link.tsx';
import { humanise, recordLabel } from '../schema.tsx';
import { useLabels } from '../ui/labels.ts';
import { Alert, Badge, Dialog, formatDateTime, formatNumber, Loaded, Notice, useAsync } from '../ui/ui.tsx';
import './imports.css';

type Table = 'companies' | 'contacts';
type Row = Record<string, unknown> & { id: string; version: number; created_at: string };
type Reason = { reason: 'domain' | 'name' | 'email' | 'name_at_company'; value: string };
type Group = { reasons: Reason[]; count: number; records: Row[]; suggested_survivor_id: string };
type Found = { table: Table; records_scanned: number; total_groups: number; returned: number; truncated: boolean; groups: Group[] };
type Kept = { table: string; column: string; unique: string; rows: number; outcome: 'kept_with_duplicate' | 'added_to_survivor' };
type Merged = { table: Table; survivor: Row; merged_ids: string[]; archived_ids: string[]; filled: string[]; moved: Record<string, number>; conflicts: Kept[] };

const TABS: Array<[Table, string]> = [
  ['companies', 'Companies'],
  ['contacts', 'Contacts'],
];
const REASON_LABEL: Record<Reason['reason'], string> = { domain: 'Same website domain', name: 'Same name', email: 'Same email', name_at_company: 'Same name at the same company' };
const ONE: Record<Table, [string, string]> = { companies: ['company', 'companies'], contacts: ['contact', 'contacts'] };
const count = (table: Table, n: number) => `${formatNumber(n)} ${ONE[table][n === 1 ? 0 : 1]}`;

export function DuplicatesPage() {
  const [table, setTable] = useState<Table>('companies');
  const [result, setResult] = useState<{ merged: Merged; survivor: string } | null>(null);
  const found = useAsync(() => api<Found>('GET', `/api/v1/duplicates/${table}`), [table]);
  const tabIds = useId();

  const onTabKey = (e: KeyboardEvent, i: number) => {
    if (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft') return;
    e.preventDefault();
    const next = TABS[(i + (e.key === 'ArrowRight' ? 1 : TABS.length - 1)) % TABS.length]!;
    setTable(next[0]);
    setResult(null);
    document.getElementById(`${tabIds}-${next[0]}`)?.focus();
  };

  return (
    <section className="dup-page">
      <div className="page-head">
        <div>
          <h1>Duplicates</h1>
          <p className="muted">Companies and contacts that look like one record. Choose the one to keep and merge the others into it: what points at them moves to it, its blank fields are filled from them, and they are archived.</p>
        </div>
        <div className="actions">
          <Link to="/imports" className="button-link">
            Import a CSV file
          </Link>
        </div>
      </div>
      <div className="tabs" role="tablist" aria-label="Which records">
        {TABS.map(([t, label], i) => (
          <button
            key={t}
            id={`${tabIds}-${t}`}
            type="button"
            role="tab"
            aria-selected={t === table}
            aria-controls={`${tabIds}-panel`}
            tabIndex={t === table ? 0 : -1}
            onKeyDown={(e) => onTabKey(e, i)}
            onClick={() => {
              setTable(t);
              setResult(null);
            }}
          >
            {label}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`${tabIds}-panel`} aria-labelledby={`${tabIds}-${table}`}>
        {result && <MergeNotice merged={result.merged} survivor={result.survivor} />}
        <Loaded state={found} what="duplicates">
          {(data) =>
            data.table !== table ? null : data.groups.length === 0 ? (
              <p className="empty">No likely duplicates among {count(table, data.records_scanned)}.</p>
            ) : (
              <>
                <p className="muted small">
                  {formatNumber(data.total_groups)} {data.total_groups === 1 ? 'group' : 'groups'} among {count(table, data.records_scanned)}
                  {data.truncated ? `; the ${formatNumber(data.returned)} largest are shown` : ''}.
                </p>
                <ol className="dup-groups">
                  {data.groups.map((g) => (
                    <GroupCard
                      key={g.records.map((r) => r.id).join(',')}
                      table={table}
                      group={g}
                      onMerged={(merged, survivor) => {
                        setResult({ merged, survivor });
                        found.reload();
                      }}
                    />
                  ))}
                </ol>
              </>
            )
          }
        </Loaded>
      </div>
    </section>
  );
}

function MergeNotice({ merged, survivor }: { merged: Merged; survivor: string }) {
  const moved = Object.entries(merged.moved);
  return (
    <div className="dup-result">
      <Notice kind="ok">
        Merged {count(merged.table, merged.merged_ids.length)} into <Link to={`/${merged.table}/${merged.survivor.id}`}>{survivor}</Link> and archived {merged.archived_ids.length === 1 ? 'it' : 'them'}.{' '}
        {moved.length ? `References moved: ${moved.map(([t, n]) => `${humanise(t).toLowerCase()} ${formatNumber(n)}`).join(', ')}.` : 'Nothing pointed at them.'}{' '}
        {merged.filled.length ? `Filled in: ${merged.filled.map((f) => humanise(f).toLowerCase()).join(', ')}.` : ''}
      </Notice>
      {merged.conflicts.length > 0 && (
        <Notice kind="error">
          Some rows could not move without clashing with the survivor’s own:{' '}
          {merged.conflicts.map((c) => `${humanise(c.table).toLowerCase()} ${formatNumber(c.rows)} ${c.outcome === 'added_to_survivor' ? 'added into the survivor’s' : 'kept with the archived duplicate'}`).join('; ')}.
        </Notice>
      )}
    </div>
  );
}

function GroupCard({ table, group, onMerged }: { table: Table; group: Group; onMerged: (merged: Merged, survivor: string) => void }) {
  const groupId = useId();
  const [survivor, setSurvivor] = useState(group.suggested_survivor_id);
  const [chosen, setChosen] = useState<Set<string>>(() => new Set(group.records.map((r) => r.id).filter((id) => id !== group.suggested_survivor_id)));
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const label = useLabels(table === 'contacts' ? group.records.filter((r) => typeof r.company_id === 'string').map((r) => ['companies', r.company_id as string] as [string, string]) : []);

  const byId = new Map(group.records.map((r) => [r.id, r]));
  const dups = group.records.filter((r) => r.id !== survivor && chosen.has(r.id));
  const name = (r: Row | undefined) => (r ? recordLabel(r) : '');
  const keep = byId.get(survivor);

  const pickSurvivor = (id: string) => {
    // The old survivor becomes one to merge; the new one cannot be merged into itself.
    setChosen((c) => new Set([...c, survivor].filter((x) => x !== id)));
    setSurvivor(id);
  };
  const toggle = (id: string, on: boolean) =>
    setChosen((c) => {
      const next = new Set(c);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });

  const merge = async () => {
    setBusy(true);
    setError(null);
    try {
      const ids = [survivor, ...dups.map((d) => d.id)];
      const merged = await api<Merged>('POST', `/api/v1/duplicates/${table}/merge`, {
        survivor_id: survivor,
        duplicate_ids: dups.map((d) => d.id),
        expected_versions: Object.fromEntries(ids.map((id) => [id, byId.get(id)!.version])),
      });
      setConfirming(false);
      onMerged(merged, name(keep));
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <li className="card dup-group" aria-labelledby={`${groupId}-title`}>
      <h2 id={`${groupId}-title`} className="dup-title">
        {group.records.map(name).join(' · ')}
      </h2>
      <ul className="dup-reasons" aria-label="Why they look alike">
        {group.reasons.map((r) => (
          <li key={`${r.reason}-${r.value}`}>
            <Badge tone="warn">{REASON_LABEL[r.reason]}</Badge> <span className="dup-value">{r.value}</span>
          </li>
        ))}
      </ul>
      {group.count > group.records.length && (
        <p className="small muted">
          {formatNumber(group.count)} records in this group; the {formatNumber(group.records.length)} oldest are shown (one merge takes at most {formatNumber(group.records.length - 1)}).
        </p>
      )}
      <fieldset className="dup-fieldset">
        <legend className="visually-hidden">Which to keep, and which to merge into it</legend>
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Keep</th>
                <th scope="col">Merge</th>
                <th scope="col">{table === 'companies' ? 'Company' : 'Contact'}</th>
                <th scope="col">{table === 'companies' ? 'Website' : 'Email'}</th>
                <th scope="col">{table === 'companies' ? 'Status' : 'Company'}</th>
                <th scope="col">Created</th>
              </tr>
            </thead>
            <tbody>
              {group.records.map((r) => (
                <tr key={r.id} className={r.id === survivor ? 'dup-survivor' : undefined}>
                  <td>
                    <label className="dup-check">
                      <input type="radio" name={`${groupId}-survivor`} value={r.id} checked={r.id === survivor} onChange={() => pickSurvivor(r.id)} />
                      <span className="visually-hidden">Keep {name(r)}</span>
                    </label>
                  </td>
                  <td>
                    <label className="dup-check">
                      <input type="checkbox" checked={r.id !== survivor && chosen.has(r.id)} disabled={r.id === survivor} onChange={(e) => toggle(r.id, e.target.checked)} />
                      <span className="visually-hidden">Merge {name(r)}</span>
                    </label>
                  </td>
                  <td>
                    <Link to={`/${table}/${r.id}`}>{name(r)}</Link>
                    {r.id === group.suggested_survivor_id && <span className="muted small"> (oldest)</span>}
                  </td>
                  <td className="dup-value">{table === 'companies' ? String(r.website ?? r.domain ?? '') : String(r.email ?? '')}</td>
                  <td>
                    {table === 'companies' ? (
                      r.status ? <Badge tone="plain">{String(r.status)}</Badge> : null
                    ) : typeof r.company_id === 'string' ? (
                      <Link to={`/companies/${r.company_id}`}>{label('companies', r.company_id) ?? `#${r.company_id.slice(0, 8)}`}</Link>
                    ) : (
                      '—'
                    )}
                  </td>
                  <td>{formatDateTime(r.created_at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </fieldset>
      <div className="actions">
        <button type="button" onClick={() => setConfirming(true)} disabled={!dups.length}>
          Merge {dups.length ? count(table, dups.length) : ''} into {name(keep)}
        </button>
      </div>
      <Dialog title={`Merge into ${name(keep)}?`} open={confirming} onClose={() => !busy && setConfirming(false)}>
        <p>
          {name(keep)} stays. {dups.length === 1 ? 'This' : `These ${formatNumber(dups.length)}`} {ONE[table][dups.length === 1 ? 0 : 1]} will be merged into it:
        </p>
        <ul>
          {dups.map((d) => (
            <li key={d.id}>{name(d)}</li>
          ))}
        </ul>
        <p>
          Everything that points at {dups.length === 1 ? 'it' : 'them'} ({table === 'companies' ? 'contacts, deals, interactions, engagements, notes and the rest' : 'interactions, notes and the rest'}) moves to {name(keep)}; its blank fields are filled from {dups.length === 1 ? 'it' : 'them'}; and {dups.length === 1 ? 'it is' : 'they are'} archived with a note saying where {dups.length === 1 ? 'it' : 'they'} went. The audit log keeps the history.
        </p>
        <Alert>{error}</Alert>
        <div className="actions">
          <button type="button" className="danger" onClick={() => void merge()} disabled={busy}>
            {busy ? 'Merging…' : 'Merge'}
          </button>
          <button type="button" className="secondary" onClick={() => setConfirming(false)} disabled={busy}>
            Cancel
          </button>
        </div>
      </Dialog>
    </li>
  );
}
