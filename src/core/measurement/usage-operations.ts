/** Client AI usage (seed 000 ai_usage) and this system's LLM calls (seed 003 llm_usage_logs) as registry operations. */
import type { Operation } from '../registry.ts';
import { LlmCostSummaryInput, llmCostSummary, LogLlmCallInput, logLlmCall } from './llm.ts';
import { IngestUsageInput, ingestUsage, MAX_USAGE_ROWS, rebuildUsageRollup, RebuildRollupInput, recordUsage } from './usage.ts';
import { UsageRowInput } from './usage-rows.ts';
import { UsageSummaryInput, usageSummary } from './usage-summary.ts';

const ROW =
  'A row: engagement_id, contact_id (optional; none = usage attributed to no one, else a contact of the engagement’s company), usage_date (YYYY-MM-DD), tokens_used (a whole number ≥ 0), and optionally model, source, idempotency_key, notes. company_id is taken from the engagement; if given it must match. The engagement must be one you can see.';
const IDEMPOTENCY =
  'Idempotent: a row whose key is already stored (or repeats in the request) is skipped and counted as a duplicate, so sending the same rows again adds nothing. A row’s key is its idempotency_key, or, when it has none, `auto:` + the SHA-256 of engagement_id|contact_id|usage_date|model|source|tokens_used: two identical rows without a key are the same row (give each its own idempotency_key to count both). Keys starting with `auto:` are reserved. The monthly rollup (ai_usage_monthly) grows by the rows actually inserted, in the same transaction.';

export const usageOperations: Operation[] = [
  {
    name: 'usage.ingest',
    summary: 'Add a batch of AI usage rows (JSON or CSV)',
    description: `Adds many ai_usage rows in one transaction: give \`items\` (JSON objects) or \`csv\` (text with a header row of column names, one row per line), and optionally \`engagement_id\` for rows that name none. ${ROW} Every row is checked first; if any is wrong nothing is written and the errors name each field as \`items[i].field\` or \`line N: field\` (N counts the header as line 1; at most 100 errors are listed). At most ${MAX_USAGE_ROWS.toLocaleString('en')} rows per request: more is refused (413), split the batch. ${IDEMPOTENCY} Returns received, inserted and duplicates.`,
    tag: 'measurement',
    scope: 'write',
    destructive: false,
    kind: 'action',
    input: IngestUsageInput,
    bulk: true,
    http: { method: 'post', path: '/api/v1/ai_usage/ingest', status: 201 },
    run: (ctx, input) => ingestUsage(ctx, input),
  },
  {
    name: 'usage.record',
    summary: 'Add one AI usage row',
    description: `Adds one ai_usage row through the same path as usage.ingest. ${ROW} ${IDEMPOTENCY} Returns \`{ duplicate, record }\`: the stored row, or with \`duplicate: true\` the row already stored under the same key (409 if that row belongs to an engagement you cannot see).`,
    tag: 'measurement',
    scope: 'write',
    destructive: false,
    kind: 'action',
    input: UsageRowInput,
    http: { method: 'post', path: '/api/v1/ai_usage', status: 201 },
    run: (ctx, input) => recordUsage(ctx, input),
  },
  {
    name: 'usage.rebuild_rollup',
    summary: 'Recompute the monthly usage rollup',
    description:
      'Administrators: recomputes ai_usage_monthly (tokens and row count per engagement, contact and month) from ai_usage, for one engagement or every one: the repair after a manual change to ai_usage. Returns the rollup rows, totals, and how many groups were wrong, missing or left over. Recorded in the audit log.',
    tag: 'measurement',
    scope: 'admin',
    destructive: false,
    bulk: true,
    kind: 'action',
    input: RebuildRollupInput,
    http: { method: 'post', path: '/api/v1/ai_usage_monthly/rebuild' },
    run: (ctx, input) => rebuildUsageRollup(ctx, input),
  },
  {
    name: 'usage.summary',
    weight: 'report',
    summary: 'AI tokens per month and per contact',
    description:
      'From the monthly rollup, for one engagement (`engagement_id`) or every engagement you can see, over months `from`..`to` (YYYY-MM, inclusive; default all): the total, each month with its contacts, and each contact over the range. contact_id null is usage attributed to no one; a contact you cannot see has no name.',
    tag: 'measurement',
    scope: 'read',
    destructive: false,
    kind: 'action',
    input: UsageSummaryInput,
    http: { method: 'get', path: '/api/v1/usage/summary' },
    run: (ctx, input) => usageSummary(ctx, input),
  },
  {
    name: 'llm.log_call',
    summary: 'Log one LLM call and its cost',
    description:
      'Records a call this system made to an LLM: workflow_name, node_name, model, provider, prompt_tokens, completion_tokens, total_tokens (defaults to their sum and must equal it), latency_ms, status (success | error), error, and the record it was for (entity_type, entity_id). Without `cost`, the cost is computed exactly from llm_model_prices: the price of the model (from `provider` when given) with the latest effective_from on or before today; prompt_tokens × input_price_per_mtok / 1,000,000 + completion_tokens × output_price_per_mtok / 1,000,000, rounded half up to 6 decimals, in the price’s currency. With no such price, give the cost.',
    tag: 'measurement',
    scope: 'write',
    destructive: false,
    kind: 'action',
    input: LogLlmCallInput,
    http: { method: 'post', path: '/api/v1/llm_usage_logs/log', status: 201 },
    run: (ctx, input) => logLlmCall(ctx, input),
  },
  {
    name: 'llm.cost_summary',
    weight: 'report',
    summary: 'LLM cost and tokens per workflow and model (and month)',
    description:
      'Calls, errors, prompt, completion and total tokens and the exact cost of logged LLM calls, per workflow, model and currency, with totals per currency, over days `from`..`to` (YYYY-MM-DD, inclusive, in the instance time zone; default all). With `by=month`, one item per month (`month` as YYYY-MM in the instance time zone), workflow, model and currency, oldest month first; costs add up only within a currency.',
    tag: 'measurement',
    scope: 'read',
    destructive: false,
    kind: 'action',
    input: LlmCostSummaryInput,
    http: { method: 'get', path: '/api/v1/llm/summary' },
    run: (ctx, input) => llmCostSummary(ctx, input),
  },
];
