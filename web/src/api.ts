/**
 * The web app's client of the public API: the same routes a third party calls, with the
 * session cookie (same origin). A refusal comes back as an ApiError with the problem's code,
 * message and field errors, to show beside the fields.
 */
import type { FieldError } from '../../src/core/errors.ts';
import type { UserRole } from '../../src/db/schema/platform.ts';
import type { companies } from '../../src/db/schema/sales.ts';

export type { FieldError };

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields: FieldError[] = [],
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export type Page<T> = { items: T[]; next_cursor: string | null };

export type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

export async function api<T>(method: Method, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
  const init: RequestInit = { method, credentials: 'same-origin', headers: { accept: 'application/json', ...headers } };
  if (body !== undefined) {
    init.headers = { ...init.headers, 'content-type': 'application/json' };
    init.body = JSON.stringify(body);
  }
  let r: Response;
  try {
    r = await fetch(path, init);
  } catch {
    throw new ApiError(0, 'NETWORK', 'The server could not be reached. Check your connection and try again.');
  }
  const text = await r.text();
  let json: Record<string, unknown> = {};
  try {
    if (text) json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new ApiError(r.status, 'INTERNAL', `The server answered ${r.status} with something other than JSON`);
  }
  if (!r.ok) {
    const { code, detail, errors, ...details } = json as { code?: string; detail?: string; errors?: FieldError[] };
    throw new ApiError(r.status, code ?? 'INTERNAL', detail ?? `The server answered ${r.status}`, errors ?? [], details);
  }
  return json as T;
}

/** Query string from the defined values. */
/** Every row of a list, following next_cursor (at most 2,000: pages of 200, ten of them). */
export async function listAll<T = Record<string, unknown>>(table: string, params: Record<string, string>): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | null = null;
  for (let i = 0; i < 10; i++) {
    const page: Page<T> = await api<Page<T>>('GET', `/api/v1/${table}${query({ ...params, limit: 200, cursor })}`);
    out.push(...page.items);
    cursor = page.next_cursor;
    if (!cursor) break;
  }
  return out;
}

export function query(params: Record<string, string | number | boolean | null | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** A row as the API sends it: the table's columns, with timestamps as ISO strings. */
/** A row as JSON carries it: dates as ISO strings. */
export type AsJson<T> = { [K in keyof T]: T[K] extends Date ? string : T[K] extends Date | null ? string | null : T[K] };

export type Me = { actor: { type: string; id: string | null; label: string; role: UserRole }; user: { id: string; email: string; name: string | null; digest_enabled: boolean } | null };
export type Company = AsJson<typeof companies.$inferSelect>;

/** A message for anything thrown: the API's own words, or the error's. */
export const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/**
 * Runs a described operation: `{name}` path parameters come out of the input, the rest goes
 * in the query of a GET or the JSON body of anything else (as the API reads it).
 */
export function runOperation<T = unknown>(op: { method: string; path: string }, input: Record<string, unknown>): Promise<T> {
  const rest: Record<string, unknown> = { ...input };
  const path = op.path.replace(/\{([a-z_]+)\}/g, (_, name: string) => {
    const v = rest[name];
    delete rest[name];
    return encodeURIComponent(String(v ?? ''));
  });
  const method = op.method.toUpperCase() as Method;
  if (method === 'GET') {
    const flat: Record<string, string> = {};
    for (const [k, v] of Object.entries(rest)) if (v !== undefined && v !== null && v !== '') flat[k] = typeof v === 'object' ? JSON.stringify(v) : String(v);
    return api<T>('GET', path + query(flat));
  }
  return api<T>(method, path, rest);
}

/** The path params of an operation's path (`/api/v1/proposals/{id}/send` → id). */
export const pathParams = (path: string): string[] => [...path.matchAll(/\{([a-z_]+)\}/g)].map((m) => m[1]!);
