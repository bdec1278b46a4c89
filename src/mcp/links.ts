/**
 * Links from an agent's answers to the web app: a record of table T with id I is at
 * `<base>/T/I`, a monthly report at `<base>/reports/monthly?engagement=…&month=…`. The web
 * app's routes follow the same scheme (src/core/web-paths.ts).
 */
import { isUuid } from '../core/fields.ts';
import type { Operation } from '../core/registry.ts';
import { singular, type Row } from '../core/resource.ts';
import { resourceByName, resources } from '../core/resources.ts';
import { recordPath } from '../core/web-paths.ts';

export type WebLinks = { base: string };

export const webUrl = (links: WebLinks, path: string) => `${links.base.replace(/\/+$/, '')}${path}`;

/** Top-level keys of an action's result that name a record (company, contact, engagement…), by singular and plural. */
const tableForKey = new Map<string, string>();
for (const r of resources) {
  tableForKey.set(r.name, r.name);
  tableForKey.set(singular(r.name), r.name);
}
// The names verbs give the records they return, where they are not the table's own.
for (const [key, table] of [
  ['session', 'training_sessions'],
  ['decision', 'go_no_go_decisions'],
  ['audit', 'audits'],
  ['ticket', 'support_tickets'],
  ['meeting', 'interactions'],
  ['asset', 'ai_assets'],
  ['deployment', 'ai_asset_deployments'],
  ['link', 'task_ai_assets'],
  ['measurement', 'task_measurements'],
  ['task', 'contact_tasks'],
  ['attendance', 'training_attendance'],
] as const) {
  tableForKey.set(key, table);
}

const linked = (links: WebLinks, table: string, row: Row): Row => (isUuid(row.id) ? { ...row, web_url: webUrl(links, recordPath(table, row.id)) } : row);

const isRow = (v: unknown): v is Row => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The result with `web_url` beside every record id it can place: the record itself, each
 * item of a list, and the records an action names (`{ company, contact, interaction }`, or a
 * list of them: `{ attendance: […] }`).
 */
export function linkRecords(links: WebLinks, op: Operation, result: unknown): unknown {
  if (!isRow(result)) return result;
  const table = op.resource?.name;
  if (table && op.kind === 'list' && Array.isArray(result.items)) {
    const items = (result.items as unknown[]).map((i) => (isRow(i) ? linked(links, table, i) : i));
    return { ...result, items, returned: items.length, has_more: result.next_cursor !== null && result.next_cursor !== undefined };
  }
  if (table && op.kind !== 'action') return linked(links, table, result);
  const out: Row = { ...result };
  for (const [key, value] of Object.entries(result)) {
    const t = tableForKey.get(key);
    if (!t || !resourceByName.has(t)) continue;
    if (isRow(value)) out[key] = linked(links, t, value);
    else if (Array.isArray(value)) out[key] = value.map((v) => (isRow(v) ? linked(links, t, v) : v));
  }
  if (table && isUuid(result.id)) return linked(links, table, out);
  return out;
}
