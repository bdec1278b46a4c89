/**
 * What the signed-in person may see and do (GET /api/v1/schema): every table with its fields
 * and verbs, every other operation with its input schema. Loaded once per sign-in; lists,
 * forms and action dialogs are built from it, so a new column or verb in the core shows up
 * in the app without a change here.
 */
import { createContext, useContext, type ReactNode } from 'react';
import type { SchemaDescription } from '../../src/core/describe.ts';
export { singular } from '../../src/core/words.ts';

export type Schema = SchemaDescription;
export type TableInfo = Schema['tables'][number];
export type FieldInfo = TableInfo['fields'][number];
export type OperationInfo = Schema['operations'][number];

export type SchemaIndex = Schema & {
  table(name: string): TableInfo | undefined;
  operation(name: string): OperationInfo | undefined;
  /** Whether the person may run a table's generic verb (create, update, archive…). */
  can(table: string, verb: string): boolean;
};

export function indexSchema(s: Schema): SchemaIndex {
  const tables = new Map(s.tables.map((t) => [t.name, t]));
  const ops = new Map(s.operations.map((o) => [o.name, o]));
  return {
    ...s,
    table: (name) => tables.get(name),
    operation: (name) => ops.get(name),
    can: (table, verb) => tables.get(table)?.verbs.includes(verb) ?? false,
  };
}

const SchemaContext = createContext<SchemaIndex | null>(null);

export function SchemaProvider({ schema, children }: { schema: SchemaIndex; children: ReactNode }) {
  return <SchemaContext.Provider value={schema}>{children}</SchemaContext.Provider>;
}

export function useSchema(): SchemaIndex {
  const s = useContext(SchemaContext);
  if (!s) throw new Error('useSchema outside SchemaProvider');
  return s;
}

const ACRONYMS = /\b(ai|ai's|api|bant|csv|crm|id|mcp|mrr|roi|url|pdf|sla|llm|totp|utm|vat)\b/g;

/** `employee_count` → “Employee count”; `company_id` → “Company”; `ai_tools_used` → “AI tools used”. */
export function humanise(name: string): string {
  const s = name.replace(/_id$/, '').replace(/_/g, ' ').replace(ACRONYMS, (m) => m.toUpperCase());
  return s.charAt(0).toUpperCase() + s.slice(1);
}


/** The words a record is known by: its name, title, number or subject, else its id's start. */
export function recordLabel(row: Record<string, unknown>): string {
  for (const k of ['name', 'title', 'invoice_number', 'ticket_number', 'proposal_number', 'subject', 'company_name', 'email', 'key', 'label', 'tool_name', 'event']) {
    const v = row[k];
    if (typeof v === 'string' && v.trim()) return v;
  }
  const first = row.first_name, last = row.last_name;
  if (typeof first === 'string' || typeof last === 'string') return [first, last].filter(Boolean).join(' ');
  return `#${String(row.id ?? '').slice(0, 8)}`;
}
