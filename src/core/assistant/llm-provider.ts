/**
 * The one way the assistant reaches a language model: an OpenAI-compatible chat completions
 * API or the Anthropic Messages API, as the instance is configured (ctx.runtime.llm).
 *
 * Every call, answered or failed, is logged to llm_usage_logs in a transaction of its own
 * that commits before the caller writes anything, so a failed verb still leaves its cost
 * behind. The call itself never runs inside a database transaction: a slow model would hold
 * locks and a connection for as long as it thinks.
 */
import type { Ctx, LlmSettings } from '../context.ts';
import { AppError } from '../errors.ts';
import { llmCost, logLlmCall, priceForCall } from '../measurement/llm.ts';

export const NOT_CONFIGURED =
  'The assistant has no language model configured: set THROUGHLINE_LLM_PROVIDER and THROUGHLINE_LLM_MODEL (and THROUGHLINE_LLM_API_KEY)';

/** An answer larger than this is refused unread: a chat answer of a few thousand tokens is a few kilobytes. */
export const MAX_ANSWER_BYTES = 2 * 1024 * 1024;
const MAX_ERROR_TEXT = 500;
/** Anthropic's API version header: the Messages API as documented for this version. */
export const ANTHROPIC_VERSION = '2023-06-01';

export type ModelCall<T> = {
  /** llm_usage_logs.workflow_name and node_name. */
  workflow: string;
  node: string;
  system: string;
  user: string;
  /** The record the call is for (a table name and id), logged with it. */
  entity?: { type: string; id: string };
  /** Reads the answer's text; throwing means the answer is unusable (logged as an error, answered UNAVAILABLE). */
  parse: (text: string) => T;
};

export type ModelAnswer<T> = {
  value: T;
  text: string;
  /** The model configured (and priced), whatever version string the provider answers with. */
  model: string;
  provider: LlmSettings['provider'];
  promptTokens: number;
  completionTokens: number;
  latencyMs: number;
  logId: string;
  cost: string;
  currency: string;
  /** Things the person should know about this call (no price, no token counts). */
  warnings: string[];
};

/** The configured model, or UNAVAILABLE saying how to configure one. */
export function modelSettings(ctx: Ctx): LlmSettings {
  const s = ctx.runtime?.llm;
  if (!s) throw new AppError('UNAVAILABLE', NOT_CONFIGURED, { details: { reason: 'not_configured' } });
  return s;
}

/** Where the model is, without path, query or credentials: safe to show. */
export function hostOf(baseUrl: string): string {
  try {
    return new URL(baseUrl).host;
  } catch {
    return 'an invalid URL';
  }
}

type Usage = { prompt: number; completion: number; reported: boolean };
type Failure = { reason: 'provider_error' | 'timeout' | 'unreachable' | 'malformed' | 'too_large' | 'unusable'; message: string; status?: number; usage?: Usage };

class CallFailed extends Error {
  constructor(readonly failure: Failure) {
    super(failure.message);
  }
}

/** The request a provider expects: URL, headers and body. */
export function buildRequest(s: LlmSettings, system: string, user: string): { url: string; headers: Record<string, string>; body: Record<string, unknown> } {
  if (s.provider === 'anthropic') {
    return {
      url: `${s.baseUrl}/v1/messages`,
      headers: {
        'content-type': 'application/json',
        accept: 'application/json',
        'anthropic-version': ANTHROPIC_VERSION,
        ...(s.apiKey ? { 'x-api-key': s.apiKey } : {}),
      },
      body: { model: s.model, max_tokens: s.maxTokens, system, messages: [{ role: 'user', content: user }] },
    };
  }
  return {
    url: `${s.baseUrl}/chat/completions`,
    headers: {
      'content-type': 'application/json',
      accept: 'application/json',
      ...(s.apiKey ? { authorization: `Bearer ${s.apiKey}` } : {}),
    },
    body: {
      model: s.model,
      messages: [
        { role: 'system', content: system },
        { role: 'user', content: user },
      ],
      max_tokens: s.maxTokens,
      temperature: 0.2,
    },
  };
}

/** Reads a body up to `cap` bytes; more is refused without reading the rest. */
async function readCapped(res: Response, cap: number): Promise<string | null> {
  const declared = Number(res.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > cap) {
    await res.body?.cancel().catch(() => {});
    return null;
  }
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > cap) {
      await reader.cancel().catch(() => {});
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 1_000_000_000;

function usageOf(u: unknown, promptKey: string, completionKey: string): Usage {
  const o = (u && typeof u === 'object' ? u : {}) as Record<string, unknown>;
  const p = o[promptKey];
  const c = o[completionKey];
  return isCount(p) && isCount(c) ? { prompt: p, completion: c, reported: true } : { prompt: isCount(p) ? p : 0, completion: isCount(c) ? c : 0, reported: false };
}

/** Control characters out, the key out, at most MAX_ERROR_TEXT characters. */
function clean(text: string, s: LlmSettings): string {
  let t = text.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ').trim();
  if (s.apiKey && s.apiKey.length >= 4) t = t.split(s.apiKey).join('[redacted]');
  return t.length > MAX_ERROR_TEXT ? `${t.slice(0, MAX_ERROR_TEXT - 1)}…` : t;
}

/** What a provider's error body says: OpenAI `{error: {message, type, code}}`, Anthropic `{type: 'error', error: {type, message}}`. */
function errorDetail(body: string | null): string {
  if (!body) return '';
  try {
    const j = JSON.parse(body) as Record<string, unknown>;
    const e = j.error;
    if (e && typeof e === 'object') {
      const o = e as Record<string, unknown>;
      const type = typeof o.type === 'string' ? o.type : typeof o.code === 'string' ? o.code : '';
      const message = typeof o.message === 'string' ? o.message : '';
      return [type, message].filter(Boolean).join(': ');
    }
    if (typeof e === 'string') return e;
    if (typeof j.message === 'string') return j.message;
  } catch {
    /* not JSON: say nothing of it */
  }
  return '';
}

/** The answer's text and usage from a successful response, or why it is not one. */
function readAnswer(s: LlmSettings, body: string): { text: string; usage: Usage; truncated: boolean } {
  let j: Record<string, unknown>;
  try {
    j = JSON.parse(body) as Record<string, unknown>;
  } catch {
    throw new CallFailed({ reason: 'malformed', message: 'answered with something that is not JSON' });
  }
  if (!j || typeof j !== 'object') throw new CallFailed({ reason: 'malformed', message: 'answered with something that is not a JSON object' });
  if (s.provider === 'anthropic') {
    const usage = usageOf(j.usage, 'input_tokens', 'output_tokens');
    if (!Array.isArray(j.content)) throw new CallFailed({ reason: 'malformed', message: 'answered without a content list (not a Messages API answer)', usage });
    const text = (j.content as unknown[])
      .filter((b): b is { type: 'text'; text: string } => !!b && typeof b === 'object' && (b as { type?: unknown }).type === 'text' && typeof (b as { text?: unknown }).text === 'string')
      .map((b) => b.text)
      .join('');
    if (!text.trim()) throw new CallFailed({ reason: 'malformed', message: 'answered with no text', usage });
    return { text, usage, truncated: j.stop_reason === 'max_tokens' };
  }
  const usage = usageOf(j.usage, 'prompt_tokens', 'completion_tokens');
  const choice = Array.isArray(j.choices) ? (j.choices[0] as Record<string, unknown> | undefined) : undefined;
  const content = choice && typeof choice.message === 'object' && choice.message ? (choice.message as Record<string, unknown>).content : undefined;
  if (typeof content !== 'string' || !content.trim()) {
    throw new CallFailed({ reason: 'malformed', message: 'answered without text in choices[0].message.content (not a chat completion)', usage });
  }
  return { text: content, usage, truncated: choice?.finish_reason === 'length' };
}

/**
 * Calls the configured model once with a fixed system prompt and a user message, logs the
 * call, and answers what `parse` made of the text. UNAVAILABLE when no model is configured,
 * the provider answers an error, does not answer in time, or answers something unusable.
 */
export async function callModel<T>(ctx: Ctx, call: ModelCall<T>): Promise<ModelAnswer<T>> {
  const s = modelSettings(ctx);
  if (ctx.inTx) throw new AppError('INTERNAL', 'A language model call was started inside a database transaction; it must run outside one');
  const who = `The language model (${s.provider} at ${hostOf(s.baseUrl)})`;
  const req = buildRequest(s, call.system, call.user);
  const started = performance.now();
  let failure: Failure | undefined;
  let answer: { text: string; usage: Usage; truncated: boolean } | undefined;
  let value: T | undefined;
  const signal = AbortSignal.timeout(s.timeoutMs);
  try {
    const res = await fetch(req.url, { method: 'POST', headers: req.headers, body: JSON.stringify(req.body), signal, redirect: 'manual' });
    const body = await readCapped(res, MAX_ANSWER_BYTES);
    if (res.status < 200 || res.status > 299) {
      const detail = clean(errorDetail(body), s);
      throw new CallFailed({ reason: 'provider_error', status: res.status, message: `answered HTTP ${res.status}${detail ? `: ${detail}` : ''}` });
    }
    if (body === null) throw new CallFailed({ reason: 'too_large', message: `answered with more than ${MAX_ANSWER_BYTES / 1024 / 1024} MB` });
    answer = readAnswer(s, body);
    try {
      value = call.parse(answer.text);
    } catch (e) {
      const why = clean(e instanceof Error ? e.message : String(e), s);
      const cut = answer.truncated ? ' (the answer was cut off at THROUGHLINE_LLM_MAX_TOKENS; raise it)' : '';
      throw new CallFailed({ reason: 'unusable', usage: answer.usage, message: `answered, but not with the JSON asked for: ${why}${cut}` });
    }
  } catch (e) {
    if (e instanceof CallFailed) failure = e.failure;
    else if (signal.aborted) failure = { reason: 'timeout', message: `did not answer within ${s.timeoutMs} ms (THROUGHLINE_LLM_TIMEOUT_MS)` };
    else {
      const cause = (e as { cause?: { code?: unknown } })?.cause;
      const code = cause && typeof cause.code === 'string' ? cause.code : e instanceof Error ? e.message : 'unknown error';
      failure = { reason: 'unreachable', message: `could not be reached (${clean(code, s)})` };
    }
  }
  const latencyMs = Math.round(performance.now() - started);
  const usage = failure ? (failure.usage ?? { prompt: 0, completion: 0, reported: false }) : answer!.usage;
  const price = await priceForCall(ctx, s.model, s.provider);
  const cost = price ? llmCost(usage.prompt, usage.completion, price) : '0.000000';
  const log = await logLlmCall(ctx, {
    workflow_name: call.workflow,
    node_name: call.node,
    model: s.model,
    provider: price?.provider ?? s.provider,
    prompt_tokens: usage.prompt,
    completion_tokens: usage.completion,
    latency_ms: latencyMs,
    cost,
    currency: price?.currency ?? 'USD',
    status: failure ? 'error' : 'success',
    error: failure ? `${who} ${failure.message}` : null,
    ...(call.entity ? { entity_type: call.entity.type, entity_id: call.entity.id } : {}),
  });
  if (failure) {
    throw new AppError('UNAVAILABLE', `${who} ${failure.message}; nothing was written`, {
      details: { reason: failure.reason, provider: s.provider, ...(failure.status !== undefined ? { status: failure.status } : {}), llm_usage_log_id: log.id },
    });
  }
  const warnings: string[] = [];
  if (!price) {
    warnings.push(`No price of ${s.model} is in force today, so this call was logged with cost 0: add a price for the model in llm_model_prices (provider ${s.provider}) so its cost is counted.`);
  }
  if (!usage.reported) warnings.push(`${who} reported no token counts, so this call was logged with 0 tokens.`);
  return {
    value: value as T,
    text: answer!.text,
    model: s.model,
    provider: s.provider,
    promptTokens: usage.prompt,
    completionTokens: usage.completion,
    latencyMs,
    logId: String(log.id),
    cost: String(log.cost),
    currency: String(log.currency),
    warnings,
  };
}
