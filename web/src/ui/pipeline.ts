/** The stages of a pipeline (companies' statuses, deals' stages…) in order, as configured in pipeline_stages; loaded once per session. */
import { useEffect, useState } from 'react';
import { api, type Page } from '../api.ts';

export type Stage = { id: string; key: string; label: string; position: number; probability: number | null; is_won: boolean; is_lost: boolean; next_statuses: string[]; description: string | null };

const cache = new Map<string, Promise<Stage[]>>();

export function loadStages(pipeline: string): Promise<Stage[]> {
  let p = cache.get(pipeline);
  if (!p) {
    p = api<Page<Stage>>('GET', `/api/v1/pipeline_stages?pipeline=${encodeURIComponent(pipeline)}&sort=position&limit=200`).then((r) => r.items);
    p.catch(() => cache.delete(pipeline));
    cache.set(pipeline, p);
  }
  return p;
}

/** The stages of a pipeline, or undefined while they load (or when there is no pipeline). */
export function useStages(pipeline: string | undefined): Stage[] | undefined {
  const [stages, setStages] = useState<Stage[] | undefined>(undefined);
  useEffect(() => {
    if (!pipeline) return;
    let live = true;
    loadStages(pipeline).then(
      (s) => live && setStages(s),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [pipeline]);
  return stages;
}
