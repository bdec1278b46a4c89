/**
 * A fake language model provider on 127.0.0.1 (a free port) that speaks both wire formats
 * the assistant uses: OpenAI's chat completions (`POST /v1/chat/completions`) and
 * Anthropic's Messages API (`POST /v1/messages`), with their real answer and error shapes.
 * Every request is recorded (headers and parsed body). Each test scripts what the next
 * requests get: a reply text with token counts, an error with the provider's own error JSON,
 * a raw body, or a hang (never answered, for timeouts). Unscripted requests get a 500.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type Recorded = { method: string; path: string; headers: Record<string, string>; body: any };

export type Script =
  | { reply: string; usage?: { prompt: number; completion: number }; stop?: 'end' | 'max_tokens' }
  | { error: number; type?: string; message?: string }
  | { raw: string; status?: number; contentType?: string }
  | { hang: true };

export type FakeLlm = {
  /** For THROUGHLINE_LLM_URL: `${url}/v1` for openai, `url` for anthropic. */
  url: string;
  requests: Recorded[];
  /** What the next requests get, in order. */
  script: (...s: Script[]) => void;
  /** Forgets recorded requests and unused scripts. */
  reset: () => void;
  close: () => Promise<void>;
};

/** OpenAI's error JSON: `{ error: { message, type, param, code } }`. */
function openaiError(status: number, type?: string, message?: string) {
  const defaults: Record<number, [string, string, string | null]> = {
    400: ['invalid_request_error', 'Invalid request.', null],
    401: ['invalid_request_error', 'Incorrect API key provided.', 'invalid_api_key'],
    404: ['invalid_request_error', 'The model does not exist or you do not have access to it.', 'model_not_found'],
    429: ['requests', 'Rate limit reached for requests. Please try again in 20s.', 'rate_limit_exceeded'],
    500: ['server_error', 'The server had an error while processing your request. Sorry about that!', null],
  };
  const [t, m, code] = defaults[status] ?? ['server_error', 'Error.', null];
  return { error: { message: message ?? m, type: type ?? t, param: null, code } };
}

/** Anthropic's error JSON: `{ type: 'error', error: { type, message } }`. */
function anthropicError(status: number, type?: string, message?: string) {
  const defaults: Record<number, [string, string]> = {
    400: ['invalid_request_error', 'Invalid request.'],
    401: ['authentication_error', 'invalid x-api-key'],
    404: ['not_found_error', 'Not found.'],
    429: ['rate_limit_error', 'Number of request tokens has exceeded your per-minute rate limit.'],
    500: ['api_error', 'Internal server error'],
    529: ['overloaded_error', 'Overloaded'],
  };
  const [t, m] = defaults[status] ?? ['api_error', 'Error.'];
  return { type: 'error', error: { type: type ?? t, message: message ?? m } };
}

let seq = 0;

export async function startFakeLlm(): Promise<FakeLlm> {
  const requests: Recorded[] = [];
  let queue: Script[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: unknown = raw;
      try {
        body = JSON.parse(raw);
      } catch {
        /* recorded as text */
      }
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      requests.push({ method: req.method ?? '', path, headers, body });
      const format = path === '/v1/chat/completions' ? 'openai' : path === '/v1/messages' ? 'anthropic' : null;
      const json = (status: number, value: unknown) => {
        const text = JSON.stringify(value);
        res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
        res.end(text);
      };
      if (req.method !== 'POST' || !format) return json(404, { error: { message: `fake: no route ${req.method} ${path}`, type: 'invalid_request_error' } });
      const s = queue.shift();
      if (!s) return json(500, format === 'openai' ? openaiError(500, 'server_error', 'fake: no scripted answer') : anthropicError(500, 'api_error', 'fake: no scripted answer'));
      if ('hang' in s) return; // never answered: the client's timeout ends it
      if ('raw' in s) {
        res.writeHead(s.status ?? 200, { 'content-type': s.contentType ?? 'application/json' });
        return res.end(s.raw);
      }
      if ('error' in s) return json(s.error, format === 'openai' ? openaiError(s.error, s.type, s.message) : anthropicError(s.error, s.type, s.message));
      const model = (body as { model?: string }).model ?? 'unknown';
      const u = s.usage ?? { prompt: 10, completion: 5 };
      seq++;
      if (format === 'openai') {
        return json(200, {
          id: `chatcmpl-fake${seq}`,
          object: 'chat.completion',
          created: 1_790_000_000,
          model: `${model}-2026-01-01`,
          choices: [{ index: 0, message: { role: 'assistant', content: s.reply, refusal: null }, logprobs: null, finish_reason: s.stop === 'max_tokens' ? 'length' : 'stop' }],
          usage: { prompt_tokens: u.prompt, completion_tokens: u.completion, total_tokens: u.prompt + u.completion },
          system_fingerprint: 'fp_fake',
        });
      }
      return json(200, {
        id: `msg_fake${seq}`,
        type: 'message',
        role: 'assistant',
        model,
        content: [{ type: 'text', text: s.reply }],
        stop_reason: s.stop === 'max_tokens' ? 'max_tokens' : 'end_turn',
        stop_sequence: null,
        usage: { input_tokens: u.prompt, output_tokens: u.completion },
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    requests,
    script: (...s) => queue.push(...s),
    reset: () => {
      requests.length = 0;
      queue = [];
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
