/** The app's routes are plain paths (`/companies/<id>`, as src/core/web-paths.ts builds them); links change history, not the page. */
import { useEffect, useState } from 'react';

export function navigate(to: string, opts: { replace?: boolean } = {}): void {
  if (to === location.pathname + location.search) return;
  if (opts.replace) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  dispatchEvent(new PopStateEvent('popstate'));
}

export function usePath(): string {
  const [path, setPath] = useState(location.pathname + location.search);
  useEffect(() => {
    const on = () => setPath(location.pathname + location.search);
    addEventListener('popstate', on);
    return () => removeEventListener('popstate', on);
  }, []);
  return path;
}

/** The query parameters of the current path. */
export function useQuery(): URLSearchParams {
  return new URLSearchParams(usePath().split('?')[1] ?? '');
}

/** Replaces the current URL's query (a list's filters and sort), without adding history. */
export function setQuery(params: Record<string, string | undefined>): void {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v) q.set(k, v);
  const s = q.toString();
  navigate(`${location.pathname}${s ? `?${s}` : ''}`, { replace: true });
}

/** Matches `/companies/:id` against a path; the named parts, decoded, or null. */
export function match(pattern: string, path: string): Record<string, string> | null {
  const p = pattern.split('/');
  const a = path.split('?')[0]!.split('/');
  if (p.length !== a.length) return null;
  const out: Record<string, string> = {};
  for (let i = 0; i < p.length; i++) {
    const part = p[i]!;
    if (part.startsWith(':')) {
      if (!a[i]) return null;
      try {
        out[part.slice(1)] = decodeURIComponent(a[i]!);
      } catch {
        return null;
      }
    } else if (part !== a[i]) return null;
  }
  return out;
}
