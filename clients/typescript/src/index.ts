/**
 * The typed client of the Throughline API: an openapi-fetch client over the generated `paths`
 * (every request's path, parameters and body, and every reply, checked by the compiler), the
 * named types of every record, body and result, and `unwrap`, which turns a reply into its data
 * or a thrown ThroughlineError carrying the RFC 9457 problem the server sent.
 *
 * schema.ts and models.ts are generated (`npm run client:generate`); this file is not.
 */
import createClient, { type Client } from 'openapi-fetch';
import type { Problem } from './models.ts';
import type { paths } from './schema.ts';

export type { components, operations, paths } from './schema.ts';
export type * from './models.ts';

export type ThroughlineClient = Client<paths>;

export type ClientOptions = {
  /** The server's address, e.g. `https://crm.example.com` (the paths start with /api/v1). */
  baseUrl: string;
  /** An API key (`tl_…`, from POST /api/v1/api_keys) or a session token; sent as `Authorization: Bearer <apiKey>`. */
  apiKey: string;
  /** The fetch to use (a test double, a proxy-aware fetch); the global fetch by default. */
  fetch?: (request: Request) => Promise<Response>;
};

export function createThroughlineClient(options: ClientOptions): ThroughlineClient {
  return createClient<paths>({
    baseUrl: options.baseUrl,
    headers: { Authorization: `Bearer ${options.apiKey}` },
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
}

export type ErrorCode = Problem['code'];
export type FieldError = NonNullable<Problem['errors']>[number];

const isProblem = (body: unknown): body is Problem =>
  typeof body === 'object' && body !== null && typeof (body as Problem).code === 'string' && typeof (body as Problem).detail === 'string';

/** A non-2xx reply. `code` is the problem's code, or UNKNOWN when the body was not a problem (a proxy's error page). */
export class ThroughlineError extends Error {
  override readonly name = 'ThroughlineError';
  readonly status: number;
  readonly code: ErrorCode | 'UNKNOWN';
  readonly detail: string;
  /** Per-field reasons of a VALIDATION error (400); empty otherwise. */
  readonly fieldErrors: FieldError[];
  readonly requestId: string | undefined;
  /** The whole problem document, with any extra members (`allowed`, `retry_after`); undefined when the body was not one. */
  readonly problem: Problem | undefined;

  constructor(status: number, body: unknown) {
    const problem = isProblem(body) ? body : undefined;
    const detail = problem?.detail ?? (typeof body === 'string' && body.trim() ? body.trim().slice(0, 500) : `HTTP ${status}`);
    super(`${problem?.code ?? 'UNKNOWN'} (${status}): ${detail}`);
    this.status = status;
    this.code = problem?.code ?? 'UNKNOWN';
    this.detail = detail;
    this.fieldErrors = problem?.errors ?? [];
    this.requestId = problem?.request_id;
    this.problem = problem;
  }
}

type Reply = { data?: unknown; error?: unknown; response: Response };

/**
 * The data of a 2xx reply, or a thrown ThroughlineError for any other:
 * `const company = await unwrap(client.GET('/api/v1/companies/{id}', { params: { path: { id } } }))`.
 */
export async function unwrap<R extends Reply>(reply: R | Promise<R>): Promise<Exclude<R['data'], undefined>> {
  const { data, error, response } = await reply;
  if (!response.ok || error !== undefined) throw new ThroughlineError(response.status, error);
  return data as Exclude<R['data'], undefined>;
}
