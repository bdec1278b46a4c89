/** Calls an operation over the HTTP API, the same way a third party would. */
import { AppError, ERROR_CODES, type ErrorCode } from '../core/errors.ts';
import type { Operation } from '../core/registry.ts';
import type { Filter } from '../core/resource.ts';

type Row = Record<string, unknown>;

export async function callRemote(baseUrl: string, op: Operation, input: Row, apiKey?: string): Promise<unknown> {
  const used = new Set<string>();
  const path = op.http.path.replace(/\{([a-z_]+)\}/g, (_, name: string) => {
    used.add(name);
    return encodeURIComponent(String(input[name] ?? ''));
  });
  const url = new URL(path, baseUrl);
  const headers: Record<string, string> = { accept: 'application/json' };
  if (apiKey) headers.authorization = `Bearer ${apiKey}`;
  let body: unknown;
  if (op.kind === 'list') {
    for (const f of (input.filters as Filter[] | undefined) ?? []) {
      url.searchParams.append(f.op === 'eq' ? f.field : `${f.field}[${f.op}]`, Array.isArray(f.value) ? f.value.join(',') : String(f.value));
    }
    for (const k of ['sort', 'cursor', 'limit', 'q', 'archived']) if (input[k] !== undefined) url.searchParams.set(k, String(input[k]));
  } else if (op.kind === 'create') body = input.data;
  else if (op.kind === 'update') body = input.data;
  else if (op.kind === 'bulk_create') body = { items: input.items };
  else if (op.kind === 'action') {
    const rest = Object.fromEntries(Object.entries(input).filter(([k]) => !used.has(k)));
    if (op.http.method === 'get') for (const [k, v] of Object.entries(rest)) url.searchParams.set(k, String(v));
    else body = rest;
  }
  if (input.expected_version !== undefined && op.kind !== 'action') headers['if-match'] = `"${String(input.expected_version)}"`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(url, {
    method: op.http.method.toUpperCase(),
    headers,
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const type = res.headers.get('content-type') ?? '';
  if (res.ok && !/^application\/(problem\+)?json/.test(type)) {
    const filename = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? 'download';
    return { kind: 'download', content_type: type, filename, body: new Uint8Array(await res.arrayBuffer()) };
  }
  const text = await res.text();
  const parsed = text ? (JSON.parse(text) as Row) : {};
  if (!res.ok) {
    const code = ERROR_CODES.includes(parsed.code as ErrorCode) ? (parsed.code as ErrorCode) : 'INTERNAL';
    throw new AppError(code, String(parsed.detail ?? res.statusText), {
      details: { ...(parsed.errors ? { fields: parsed.errors as { field: string; message: string }[] } : {}), ...(parsed.allowed ? { allowed: parsed.allowed as string[] } : {}) },
    });
  }
  return parsed;
}
