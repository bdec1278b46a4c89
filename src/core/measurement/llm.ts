/**
 * This system's own LLM calls (seed 003 llm_usage_logs): each call logged with its tokens
 * and an exact cost, computed from llm_model_prices when the caller does not give one.
 */
import { sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { CURRENCIES } from '../../db/schema/columns.ts';
import { LLM_CALL_STATUSES } from '../../db/schema/measurement.ts';
import { localDate, withTx, type Ctx } from '../context.ts';
import { invalid, parseInput, type FieldError } from '../errors.ts';
import { divRound, fromUnits, toUnits } from '../assessment/roi.ts';
import { fetchRow, insertRecord, type Row } from '../resource.ts';
import { resourceByName } from '../resources.ts';

/** Costs and prices are numeric(12,6): micro-units of the currency. */
const SCALE = 6;
const PER_MTOK = 1_000_000n;
const MAX_COST = toUnits('999999.999999', SCALE);

const name = z.string().trim().min(1, 'must not be blank').max(200, 'must be at most 200 characters');
const count = z.int({ message: 'must be a whole number' }).min(0, 'must be 0 or more').max(2_147_483_647, 'is too large');
const costInput = z.union([z.string(), z.number()]).transform((v, ctx) => {
  const s = typeof v === 'number' ? (Number.isFinite(v) ? String(v) : 'NaN') : v.trim();
  if (!/^\d{1,6}(\.\d{1,6})?$/.test(s)) {
    ctx.addIssue({ code: 'custom', message: 'must be a non-negative decimal with at most 6 digits before the point and 6 after' });
    return z.NEVER;
  }
  return fromUnits(toUnits(s, SCALE), SCALE);
});

export const LogLlmCallInput = z.strictObject({
  workflow_name: name,
  node_name: name,
  model: name,
  provider: name.optional().describe('picks the price when several providers sell the model; filled from the price otherwise'),
  prompt_tokens: count,
  completion_tokens: count,
  total_tokens: count.optional().describe('prompt_tokens + completion_tokens (the default; when given it must equal that sum)'),
  latency_ms: count,
  cost: costInput.optional().describe('exact decimal; computed from llm_model_prices when left out'),
  currency: z.enum(CURRENCIES, { message: `must be one of: ${CURRENCIES.join(', ')}` }).optional(),
  status: z.enum(LLM_CALL_STATUSES, { message: `must be one of: ${LLM_CALL_STATUSES.join(', ')}` }).default('success'),
  error: z.string().max(10_000, 'must be at most 10,000 characters').nullable().optional(),
  entity_type: z.string().max(64).optional().describe('the table the call was made for, e.g. leads'),
  entity_id: z.uuid({ message: 'must be a UUID' }).optional(),
});
export type LogLlmCallInput = z.input<typeof LogLlmCallInput>;

export type ModelPrice = { provider: string; input_price_per_mtok: string; output_price_per_mtok: string; currency: string; effective_from: string };

/** prompt × input price / 1e6 + completion × output price / 1e6, rounded once, half up, to 6 decimals. */
export function llmCost(promptTokens: number, completionTokens: number, price: Pick<ModelPrice, 'input_price_per_mtok' | 'output_price_per_mtok'>): string {
  const micro = BigInt(promptTokens) * toUnits(price.input_price_per_mtok, SCALE) + BigInt(completionTokens) * toUnits(price.output_price_per_mtok, SCALE);
  return fromUnits(divRound(micro, PER_MTOK), SCALE);
}

/**
 * The price in force on `day` for the model: per provider, the row with the latest
 * effective_from on or before it. Several providers and none named is ambiguous.
 */
async function priceFor(ctx: Ctx, model: string, provider: string | undefined, day: string): Promise<ModelPrice | FieldError> {
  const r = (await ctx.db.execute(sql`
    select distinct on (provider) provider, input_price_per_mtok::text, output_price_per_mtok::text, currency, effective_from::text
    from llm_model_prices
    where model = ${model} and effective_from <= ${day}::date and archived_at is null${provider !== undefined ? sql` and provider = ${provider}` : sql``}
    order by provider, effective_from desc`)) as unknown as { rows: ModelPrice[] };
  if (r.rows.length === 0) {
    return { field: 'cost', message: `is required: no price of ${model}${provider ? ` from ${provider}` : ''} is in force on ${day}; give the cost or add a price for the model (llm_model_prices)` };
  }
  if (r.rows.length > 1) {
    return { field: 'provider', message: `is required: ${model} is priced by ${r.rows.map((p) => p.provider).join(', ')}` };
  }
  return r.rows[0]!;
}

/**
 * The price in force today for a call to `model` made through `provider` (the wire format:
 * openai, anthropic), or else the model's one price from whoever sells it (an
 * OpenAI-compatible gateway priced under its own name); undefined when there is none, or
 * several and none from `provider`.
 */
export async function priceForCall(ctx: Ctx, model: string, provider: string): Promise<ModelPrice | undefined> {
  const day = localDate(ctx);
  const own = await priceFor(ctx, model, provider, day);
  if (!('field' in own)) return own;
  const any = await priceFor(ctx, model, undefined, day);
  return 'field' in any ? undefined : any;
}

/** Logs one LLM call; its cost is computed from the price list unless given. */
export async function logLlmCall(ctx: Ctx, input: unknown): Promise<Row> {
  const v = parseInput(LogLlmCallInput, input);
  const sum = v.prompt_tokens + v.completion_tokens;
  const errors: FieldError[] = [];
  if (v.total_tokens !== undefined && v.total_tokens !== sum) {
    errors.push({ field: 'total_tokens', message: `must equal prompt_tokens + completion_tokens (${sum}); it may be left out` });
  }
  if (sum > 2_147_483_647) errors.push({ field: 'total_tokens', message: 'is too large' });
  if (v.entity_id !== undefined && v.entity_type === undefined) errors.push({ field: 'entity_type', message: 'is required with entity_id' });
  const entityRes = v.entity_type !== undefined ? resourceByName.get(v.entity_type) : undefined;
  if (v.entity_type !== undefined && !entityRes) errors.push({ field: 'entity_type', message: 'does not name a kind of record (a table such as leads)' });
  if (errors.length) throw invalid(errors);

  return withTx(ctx, async (tx) => {
    if (entityRes && v.entity_id !== undefined && !(await fetchRow(tx, entityRes, v.entity_id))) {
      throw invalid([{ field: 'entity_id', message: `does not name a record of ${entityRes.name} that you can see` }]);
    }
    let cost = v.cost;
    let currency: string = v.currency ?? 'USD';
    let provider = v.provider ?? null;
    if (cost === undefined) {
      const day = localDate(tx);
      const price = await priceFor(tx, v.model, v.provider, day);
      if ('field' in price) throw invalid([price]);
      if (v.currency !== undefined && v.currency !== price.currency) {
        throw invalid([{ field: 'currency', message: `must be ${price.currency}, the currency of the price of ${v.model}; or give the cost` }]);
      }
      cost = llmCost(v.prompt_tokens, v.completion_tokens, price);
      if (toUnits(cost, SCALE) > MAX_COST) throw invalid([{ field: 'cost', message: `would be ${cost}, more than one call may cost (999999.999999)` }]);
      currency = price.currency;
      provider = price.provider;
    }
    return insertRecord(
      tx,
      resourceByName.get('llm_usage_logs')!,
      {
        workflow_name: v.workflow_name,
        node_name: v.node_name,
        model: v.model,
        provider,
        prompt_tokens: v.prompt_tokens,
        completion_tokens: v.completion_tokens,
        total_tokens: sum,
        latency_ms: v.latency_ms,
        cost,
        currency,
        status: v.status,
        error: v.error ?? null,
        entity_type: v.entity_type ?? null,
        entity_id: v.entity_id?.toLowerCase() ?? null,
      },
      'llm.log_call',
    );
  });
}

export const LLM_SUMMARY_GROUPINGS = ['workflow_model', 'month'] as const;

export const LlmCostSummaryInput = z.strictObject({
  from: z.iso.date({ message: 'must be a real calendar date as YYYY-MM-DD' }).optional().describe('first day (inclusive), in the instance time zone'),
  to: z.iso.date({ message: 'must be a real calendar date as YYYY-MM-DD' }).optional().describe('last day (inclusive), in the instance time zone'),
  by: z
    .enum(LLM_SUMMARY_GROUPINGS, { message: `must be one of: ${LLM_SUMMARY_GROUPINGS.join(', ')}` })
    .optional()
    .describe('workflow_model (the default): one item per workflow, model and currency; month: one per month (YYYY-MM in the instance time zone), workflow, model and currency'),
});

type Totals = { calls: number; errors: number; prompt_tokens: number; completion_tokens: number; total_tokens: number; cost: string };
export type LlmCostSummary = {
  from: string | null;
  to: string | null;
  by: (typeof LLM_SUMMARY_GROUPINGS)[number];
  /** Costs add up only within a currency. */
  totals: Array<Totals & { currency: string }>;
  /** With `by: month`, each item also has its `month` (YYYY-MM). */
  items: Array<Totals & { workflow_name: string; model: string; currency: string; month?: string }>;
};

/** Calls, tokens and exact cost per workflow and model (and currency, and with `by: month` per month) over a range of days. */
export async function llmCostSummary(ctx: Ctx, input: unknown): Promise<LlmCostSummary> {
  const q = parseInput(LlmCostSummaryInput, input);
  if (q.from && q.to && q.from > q.to) throw invalid([{ field: 'to', message: 'must not be before from' }]);
  const by = q.by ?? 'workflow_model';
  const where: SQL[] = [];
  // Day bounds as instants, so the created_at index serves the range.
  if (q.from) where.push(sql`created_at >= (${q.from}::date::timestamp at time zone ${ctx.timeZone})`);
  if (q.to) where.push(sql`created_at < ((${q.to}::date + 1)::timestamp at time zone ${ctx.timeZone})`);
  const month = sql`to_char(created_at at time zone ${ctx.timeZone}, 'YYYY-MM')`;
  const r = (await ctx.db.execute(sql`
    select ${by === 'month' ? sql`${month} as month, ` : sql``}workflow_name, model, currency, count(*)::int as calls, count(*) filter (where status = 'error')::int as errors,
      sum(prompt_tokens)::int8 as prompt_tokens, sum(completion_tokens)::int8 as completion_tokens, sum(total_tokens)::int8 as total_tokens,
      sum(cost)::numeric(20, 6)::text as cost
    from llm_usage_logs ${where.length ? sql`where ${sql.join(where, sql` and `)}` : sql``}
    group by ${by === 'month' ? sql`1, ` : sql``}workflow_name, model, currency
    order by ${by === 'month' ? sql`1, workflow_name, model, currency` : sql`sum(cost) desc, workflow_name, model, currency`}`)) as unknown as { rows: Row[] };
  const items = r.rows.map((x) => ({
    ...(by === 'month' ? { month: String(x.month) } : {}),
    workflow_name: String(x.workflow_name),
    model: String(x.model),
    currency: String(x.currency),
    calls: Number(x.calls),
    errors: Number(x.errors),
    prompt_tokens: Number(x.prompt_tokens),
    completion_tokens: Number(x.completion_tokens),
    total_tokens: Number(x.total_tokens),
    cost: String(x.cost),
  }));
  const totals = new Map<string, Totals & { currency: string; micro: bigint }>();
  for (const i of items) {
    const t = totals.get(i.currency) ?? { currency: i.currency, calls: 0, errors: 0, prompt_tokens: 0, completion_tokens: 0, total_tokens: 0, cost: '', micro: 0n };
    totals.set(i.currency, t);
    t.calls += i.calls;
    t.errors += i.errors;
    t.prompt_tokens += i.prompt_tokens;
    t.completion_tokens += i.completion_tokens;
    t.total_tokens += i.total_tokens;
    t.micro += toUnits(i.cost, SCALE);
  }
  return {
    from: q.from ?? null,
    to: q.to ?? null,
    by,
    totals: [...totals.values()].map(({ micro, ...t }) => ({ ...t, cost: fromUnits(micro, SCALE) })),
    items,
  };
}
