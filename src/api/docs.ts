/** A readable, self-contained API reference page (no scripts, no assets from elsewhere). */
import { singular } from '../core/resource.ts';
import type { Operation } from '../core/registry.ts';

const esc = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export function docsPage(operations: Operation[]): string {
  const byTag = new Map<string, Operation[]>();
  for (const op of operations) (byTag.get(op.tag) ?? byTag.set(op.tag, []).get(op.tag)!).push(op);
  const toc = [...byTag.keys()].map((t) => `<a href="#tag-${esc(t)}">${esc(t)}</a>`).join(' · ');
  const sections = [...byTag].map(([tag, ops]) => {
    const res = ops.find((o) => o.resource)?.resource;
    const fields = res
      ? `<details><summary>Fields of a ${esc(singular(res.name))}</summary><table><tr><th>field</th><th>type</th><th>notes</th></tr>${res.output
          .map(
            (f) =>
              `<tr><td><code>${esc(f.name)}</code></td><td>${esc(f.kind === 'enum' ? (f.enumValues ?? []).join(' | ') : f.kind)}</td><td>${[
                f.nullable ? 'optional' : f.hasDefault ? 'has a default' : 'required',
                res.readOnly.includes(f.name) || f.generated || ['id', 'created_at', 'updated_at', 'version', 'archived_at'].includes(f.name) ? 'read-only' : '',
                res.immutable.includes(f.name) ? 'set on create only' : '',
              ]
                .filter(Boolean)
                .join(', ')}</td></tr>`,
          )
          .join('')}</table></details>`
      : '';
    const rows = ops
      .map(
        (op) =>
          `<div class="op"><span class="m ${op.http.method}">${op.http.method.toUpperCase()}</span> <code>${esc(op.http.path)}</code> — <strong>${esc(op.summary)}</strong> <small>(${esc(op.name)}; ${op.public ? 'public' : `needs ${op.scope}`}${op.destructive ? '; destructive' : ''})</small>${op.description ? `<p>${esc(op.description)}</p>` : ''}</div>`,
      )
      .join('');
    return `<section id="tag-${esc(tag)}"><h2>${esc(tag)}</h2>${res ? `<p>${esc(res.summary)}</p>` : ''}${rows}${fields}</section>`;
  });
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>Throughline API</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:70rem;margin:2rem auto;padding:0 1rem;color:#1f2933}code{background:#f1f3f5;padding:0 .25rem;border-radius:3px}
.op{margin:.6rem 0}.op p{margin:.2rem 0 0 4.5rem;color:#52606d}.m{display:inline-block;width:4rem;font:600 12px monospace;text-align:center;border-radius:3px;padding:2px 0;color:#fff}
.get{background:#2f7d32}.post{background:#0b5cad}.patch{background:#a15c00}.delete{background:#b3261e}table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid #d9e2ec;padding:2px 8px;text-align:left}
nav{line-height:2}section{border-top:1px solid #d9e2ec;margin-top:1.5rem}</style></head><body>
<h1>Throughline API</h1>
<p>Every operation but sign-in needs credentials: an API key as <code>Authorization: Bearer tl_…</code>, or the session cookie set by <code>POST /api/v1/auth/login</code> (changes made with the cookie must carry this site's <code>Origin</code>). Without them the answer is 401; with a role too low for the operation, 403. Viewers read, editors change business records, administrators manage users, keys, configuration and permanent deletes.</p>
<p>JSON over HTTP. Errors are <code>application/problem+json</code> with a <code>code</code>, a <code>detail</code> and per-field <code>errors</code>. Lists return <code>{ items, next_cursor }</code>; pass <code>cursor</code> to get the next page. Filter with <code>field=value</code> or <code>field[op]=value</code> (eq, ne, lt, lte, gt, gte, in, like, is_null); sort with <code>sort=-created_at</code>; search with <code>q</code>. Reads return an <code>ETag</code>; send it back as <code>If-Match</code> on a change to refuse a stale write (412). A POST may carry an <code>Idempotency-Key</code>. Money is an exact decimal string beside a currency code. The machine-readable document is at <a href="/api/openapi.json">/api/openapi.json</a>.</p>
<h3 id="problem-codes">Error codes</h3><p id="problem-validation">VALIDATION 400 · <span id="problem-unauthorized">UNAUTHORIZED 401</span> · <span id="problem-forbidden">FORBIDDEN 403</span> · <span id="problem-not_found">NOT_FOUND 404</span> · <span id="problem-conflict">CONFLICT 409 (also a refused status move, with <code>allowed</code>)</span> · <span id="problem-precondition_failed">PRECONDITION_FAILED 412</span> · <span id="problem-limit_exceeded">LIMIT_EXCEEDED 413 (also 429 for repeated failed sign-ins)</span> · <span id="problem-rate_limited">RATE_LIMITED 429 (with <code>Retry-After</code>)</span> · <span id="problem-unavailable">UNAVAILABLE 503 (the assistant's language model is not configured, failed or timed out)</span> · <span id="problem-internal">INTERNAL 500</span></p>
<nav>${toc}</nav>${sections.join('')}</body></html>`;
}
