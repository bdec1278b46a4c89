/**
 * The names of records other records point at (a deal's company): fetched in batches of
 * ids through the table's own list (`id[in]=…`), so the person's visibility applies, and
 * kept for the session. An id the person may not see stays an id.
 */
import { useEffect, useState } from 'react';
import { api, type Page } from '../api.ts';
import { recordLabel } from '../schema.tsx';

const known = new Map<string, string>();
const key = (table: string, id: string) => `${table}:${id}`;

export function labelOf(table: string, id: string): string | undefined {
  return known.get(key(table, id));
}

/** Loads the labels of these ids (by table) that are not known yet; re-renders when they arrive. */
export function useLabels(wanted: Array<[table: string, id: string]>): (table: string, id: string) => string | undefined {
  const [, setVersion] = useState(0);
  const missing = wanted.filter(([t, id]) => id && !known.has(key(t, id)));
  const signature = missing.map(([t, id]) => key(t, id)).sort().join(',');
  useEffect(() => {
    if (!signature) return;
    let live = true;
    const byTable = new Map<string, string[]>();
    for (const [t, id] of missing) byTable.set(t, [...new Set([...(byTable.get(t) ?? []), id])]);
    const loads: Promise<void>[] = [];
    for (const [t, ids] of byTable) {
      for (let i = 0; i < ids.length; i += 100) {
        const batch = ids.slice(i, i + 100);
        loads.push(
          api<Page<Record<string, unknown>>>('GET', `/api/v1/${t}?id[in]=${batch.map(encodeURIComponent).join(',')}&limit=100&archived=include`).then(
            (p) => {
              for (const row of p.items) known.set(key(t, String(row.id)), recordLabel(row));
            },
            () => undefined,
          ),
        );
      }
    }
    void Promise.all(loads).then(() => live && setVersion((v) => v + 1));
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [signature]);
  return labelOf;
}
