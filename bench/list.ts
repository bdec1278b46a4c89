/**
 * Benchmark 1: a 20-row list page. autocannon (in the bench's own process) drives the API
 * and the bare baseline, each in its own server child process, alternately: for every
 * round, baseline then API, each after its own warm-up. Figures are medians over rounds.
 */
import autocannon from 'autocannon';
import { httpGet } from './procs.ts';

export type LoadResult = { rps: number; p50: number; p99: number; requests: number; errors: number; non2xx: number };
export type Side = 'bare' | 'api';
export type ListResult = Record<Side, LoadResult> & { runs: Record<Side, LoadResult[]>; identical: boolean };

export const LIST_PATH = '/api/v1/contacts?limit=20';

export async function load(url: string, seconds: number, connections: number, headers: Record<string, string> = {}): Promise<LoadResult> {
  const r = await autocannon({ url, connections, duration: seconds, pipelining: 1, timeout: 30, headers });
  return {
    rps: r.requests.total / (r.duration || seconds),
    p50: r.latency.p50,
    p99: r.latency.p99,
    requests: r.requests.total,
    errors: r.errors + r.timeouts,
    non2xx: r.non2xx,
  };
}

export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

function summarise(runs: LoadResult[]): LoadResult {
  return {
    rps: median(runs.map((r) => r.rps)),
    p50: median(runs.map((r) => r.p50)),
    p99: median(runs.map((r) => r.p99)),
    requests: runs.reduce((a, r) => a + r.requests, 0),
    errors: runs.reduce((a, r) => a + r.errors, 0),
    non2xx: runs.reduce((a, r) => a + r.non2xx, 0),
  };
}

/** Both servers must answer the page with the same rows in the same order before anything is timed. */
export async function checkSameAnswer(apiBase: string, bareBase: string, apiHeaders: Record<string, string> = {}): Promise<boolean> {
  const [a, b] = await Promise.all([httpGet(apiBase + LIST_PATH, 5_000, apiHeaders), httpGet(bareBase + LIST_PATH)]);
  if (a.status !== 200 || b.status !== 200) {
    throw new Error(`list page check: API answered ${a.status}, baseline ${b.status}: ${a.body.slice(0, 300)}`);
  }
  type Page = { items: { id: string }[]; next_cursor: string | null };
  const pa = JSON.parse(a.body) as Page;
  const pb = JSON.parse(b.body) as Page;
  const ids = (p: Page) => p.items.map((i) => i.id).join(',');
  if (pa.items.length !== 20 || ids(pa) !== ids(pb)) {
    throw new Error(`list page check: the API and the baseline return different rows (${pa.items.length} vs ${pb.items.length})`);
  }
  return a.body === b.body;
}

export async function runList(
  apiBase: string,
  bareBase: string,
  opts: { rounds: number; seconds: number; warmup: number; connections: number; label: string; apiKey: string },
  progress: (msg: string) => void,
): Promise<ListResult> {
  // The API side authenticates every request with an API key, as a real client does; the baseline has no auth.
  const apiHeaders = { authorization: `Bearer ${opts.apiKey}` };
  const identical = await checkSameAnswer(apiBase, bareBase, apiHeaders);
  const runs: Record<Side, LoadResult[]> = { bare: [], api: [] };
  for (let round = 1; round <= opts.rounds; round++) {
    for (const side of ['bare', 'api'] as const) {
      const url = (side === 'api' ? apiBase : bareBase) + LIST_PATH;
      const headers = side === 'api' ? apiHeaders : {};
      if (opts.warmup > 0) await load(url, opts.warmup, opts.connections, headers);
      const r = await load(url, opts.seconds, opts.connections, headers);
      runs[side].push(r);
      progress(
        `${opts.label} round ${round} ${side.padEnd(4)}: ${r.rps.toFixed(0)} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms` +
          (r.errors || r.non2xx ? `, ${r.errors} errors, ${r.non2xx} non-2xx` : ''),
      );
    }
  }
  return { bare: summarise(runs.bare), api: summarise(runs.api), runs, identical };
}
