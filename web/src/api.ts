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

export async function api<T>(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<T> {
  const init: RequestInit = { method, credentials: 'same-origin', headers: { accept: 'application/json' } };
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
  const json = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  if (!r.ok) {
    const { code, detail, errors, ...details } = json as { code?: string; detail?: string; errors?: FieldError[] };
    throw new ApiError(r.status, code ?? 'INTERNAL', detail ?? `The server answered ${r.status}`, errors ?? [], details);
  }
  return json as T;
}

/** Query string from the defined values. */
export function query(params: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** A row as the API sends it: the table's columns, with timestamps as ISO strings. */
type AsJson<T> = { [K in keyof T]: T[K] extends Date ? string : T[K] extends Date | null ? string | null : T[K] };

export type Me = { actor: { type: string; id: string | null; label: string; role: UserRole } };
export type Company = AsJson<typeof companies.$inferSelect>;
