import { performance } from 'node:perf_hooks';
import { readRow } from './src/core/measurement/usage-rows.ts';
import { randomUUID } from 'node:crypto';
const e = randomUUID(), c = randomUUID();
const items = JSON.parse(JSON.stringify(Array.from({ length: 10000 }, (_, i) => ({ engagement_id: e, contact_id: i % 3 ? c : null, usage_date: `2026-0${1 + (i % 9)}-1${i % 10}`, tokens_used: i, model: 'claude-sonnet-4', source: 'bench', idempotency_key: `k-${i}` }))));
for (let r = 0; r < 8; r++) {
  const t0 = performance.now();
  const errs: any[] = [];
  for (let i = 0; i < items.length; i++) readRow(items[i], `items[${i}]`, undefined, errs);
  console.log('validate 10k', (performance.now() - t0).toFixed(1), 'ms', errs.length);
}
