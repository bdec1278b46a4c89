/**
 * The retention policies on every surface: a preview of what each policy would remove now,
 * and a run that removes it (the background worker runs the same every 6 hours). Both are for
 * administrators. The run is `destructive` (erasures and deletions cannot be undone) and
 * `sensitive`, so an agent must confirm it; the preview changes nothing and lists only ids.
 */
import { z } from 'zod';
import type { InsightTable } from '../insights/common.ts';
import type { Operation } from '../registry.ts';
import { applyRetention, previewRetention, RETENTION_POLICIES, type RetentionPreview, type RetentionRunResult } from './retention.ts';

const Empty = z.strictObject({});

const POLICIES = RETENTION_POLICIES.map((p) => `\`${p.key}\` (setting retention.${p.setting}): ${p.description}`).join(' ');

const previewTables = (r: RetentionPreview): InsightTable[] => [
  {
    name: 'policies',
    rows: r.policies.map((p) => ({ policy: p.policy, action: p.action, days: p.days, cutoff: p.cutoff, due: p.due, next_run: p.next_run, per_run: p.per_run })),
  },
];

const runTables = (r: RetentionRunResult): InsightTable[] => [
  { name: 'policies', rows: r.policies.map((p) => ({ policy: p.policy, days: p.days, cutoff: p.cutoff, purged: p.purged, remaining: p.remaining })) },
];

export const retentionOperations: Operation[] = [
  {
    name: 'privacy.retention_preview',
    weight: 'report',
    summary: 'Preview what the retention policies would remove now',
    description: `For each retention policy: its period in days (null: kept forever), the cutoff instant, how many rows are due, per table, and their ids, oldest first (at most 1,000, with truncated: true beyond). One run removes at most per_run rows of a policy (the first next_run ids); the worker runs again while more is due. A run at the same instant removes exactly these rows. Periods are the \`retention\` setting (settings.update). Policies, in the order they run: ${POLICIES}`,
    tag: 'privacy',
    scope: 'admin',
    destructive: false,
    kind: 'action',
    input: Empty,
    tables: previewTables,
    http: { method: 'get', path: '/api/v1/privacy/retention' },
    run: (ctx) => previewRetention(ctx),
  },
  {
    name: 'privacy.retention_run',
    summary: 'Apply the retention policies now',
    description:
      'Removes what privacy.retention_preview lists as due, as the background worker does every 6 hours: deletes old analytics events, finished webhook deliveries, ended sessions and archived notes; clears the subject and content of old sent emails; erases (removes the personal data of, keeping the rows for reports) leads never converted and inactive for the period, and contacts, leads and companies archived for longer than the period. At most per_run rows per policy per run, oldest first; `remaining` says what is still due. Each policy that removed something is audited (action purge: policy, period, cutoff, count, ids). Cannot be undone.',
    tag: 'privacy',
    scope: 'admin',
    destructive: true,
    sensitive: true,
    kind: 'action',
    input: Empty,
    tables: runTables,
    http: { method: 'post', path: '/api/v1/privacy/retention/run' },
    run: (ctx) => applyRetention(ctx, { operation: 'privacy.retention_run' }),
  },
];
