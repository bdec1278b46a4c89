/**
 * A list's input from a query string, in the API's own words: `sort`, `cursor`, `limit`,
 * `q` and `archived` as they are, and every other key a filter, `field=value` or
 * `field[op]=value`. The list route and the export read their queries alike.
 */
import { invalid } from './errors.ts';
import { FILTER_OPS, type Filter } from './resource.ts';

export const LIST_PARAMS = new Set(['sort', 'cursor', 'limit', 'q', 'archived']);
const FILTER_KEY = /^([a-z][a-z0-9_]{0,63})(?:\[([a-z_]{1,10})\])?$/;

export function listInputFromQuery(
  pairs: Iterable<[string, unknown]>,
  opts: {
    /** Keys that belong to the operation itself (an export's format), not to the list. */
    ignore?: ReadonlySet<string>;
    /** List parameters this use refuses, with why. */
    refuse?: Readonly<Record<string, string>>;
  } = {},
): Record<string, unknown> {
  const filters: Filter[] = [];
  const input: Record<string, unknown> = {};
  for (const [key, value] of pairs) {
    if (value === undefined || opts.ignore?.has(key)) continue;
    const refused = opts.refuse?.[key];
    if (refused) throw invalid([{ field: key, message: refused }]);
    if (LIST_PARAMS.has(key)) {
      input[key] = value;
      continue;
    }
    const m = FILTER_KEY.exec(key);
    if (!m) throw invalid([{ field: key, message: 'is not a known query parameter' }]);
    const op = (m[2] ?? 'eq') as Filter['op'];
    if (!FILTER_OPS.includes(op)) {
      throw invalid([{ field: m[1]!, message: `unknown operator ${op}; use one of: ${FILTER_OPS.join(', ')}` }]);
    }
    filters.push({ field: m[1]!, op, value });
  }
  if (filters.length) input.filters = filters;
  return input;
}
