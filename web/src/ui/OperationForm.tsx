/**
 * The form of any operation, generated from its input JSON Schema (the same zod schema the
 * API validates with): text, numbers, dates, choices, yes/no, a record picker for an id of a
 * known table, lists, nested groups and repeatable rows. Values the page already knows (the
 * record's id) are fixed and not shown. The server's field errors appear beside the fields.
 */
import { useId, useMemo, useState, type FormEvent, type ReactNode } from 'react';
import { ApiError, messageOf, runOperation } from '../api.ts';
import { humanise, singular, useSchema, type FieldInfo, type OperationInfo, type SchemaIndex } from '../schema.tsx';
import { FieldInput, FieldRow, fromInput, RecordPicker, toInput } from './fields.tsx';
import { formFields } from './RecordForm.tsx';
import { useStages, type Stage } from './pipeline.ts';
import { Alert, fieldErrorsOf } from './ui.tsx';

type Json = {
  type?: string | string[];
  properties?: Record<string, Json>;
  required?: string[];
  items?: Json;
  enum?: unknown[];
  anyOf?: Json[];
  oneOf?: Json[];
  format?: string;
  description?: string;
  default?: unknown;
  maxLength?: number;
  const?: unknown;
  /** A nested record of this table (the core's recordFields): offered as the table's own fields. */
  'x-table'?: string;
  /** Set here: the input is this field of a table, shown and read as a record form shows it. */
  'x-field'?: FieldInfo;
};

/**
 * Replaces each nested record (`x-table`) with the fields its table's create takes, leaving
 * out what the form already fixes (the company a logged interaction belongs to).
 */
function expandRecords(s: Json, schema: SchemaIndex, omit: Set<string>): Json {
  const t = s['x-table'] ? schema.table(s['x-table']) : undefined;
  if (t) {
    const fields = formFields(t.fields, 'create').filter((f) => !omit.has(f.name));
    return { type: 'object', ...(s.description ? { description: s.description } : {}), properties: Object.fromEntries(fields.map((f) => [f.name, { 'x-field': f }])), required: fields.filter((f) => f.required).map((f) => f.name) };
  }
  const out: Json = { ...s };
  if (s.properties) out.properties = Object.fromEntries(Object.entries(s.properties).map(([k, v]) => [k, expandRecords(v, schema, omit)]));
  if (s.items) out.items = expandRecords(s.items, schema, omit);
  if (s.anyOf) out.anyOf = s.anyOf.map((v) => expandRecords(v, schema, omit));
  if (s.oneOf) out.oneOf = s.oneOf.map((v) => expandRecords(v, schema, omit));
  return out;
}
type Raw = string | boolean | Raw[] | { [k: string]: Raw };

/** The schema without its null branch, and whether null is allowed. */
function unwrap(s: Json): { s: Json; nullable: boolean } {
  const alts = s.anyOf ?? s.oneOf;
  if (alts) {
    const rest = alts.filter((a) => a.type !== 'null');
    const nullable = rest.length < alts.length;
    if (rest.length === 1) return { s: { ...rest[0]!, description: s.description ?? rest[0]!.description }, nullable };
    // string | number (decimals): typed as text
    if (rest.every((a) => a.type === 'string' || a.type === 'number')) return { s: { type: 'string', description: s.description, format: 'decimal' }, nullable };
    return { s: { description: s.description }, nullable };
  }
  return { s, nullable: false };
}

/** The table an id-holding property points at, when its name says so (`company_id` → companies). */
function tableForProperty(name: string, schema: SchemaIndex): string | undefined {
  // A person named by role (`public_lead_owner`, `owner_id`, `assigned_to`) is a user.
  if (/(^|_)owner$/.test(name)) return schema.table('users') ? 'users' : undefined;
  const base = name.replace(/_ids?$/, '');
  if (base === name) return undefined;
  if (/^(user|owner|assigned_to|decided_by|created_by)$/.test(base)) return schema.table('users') ? 'users' : undefined;
  for (const t of [`${base}s`, `${base.replace(/y$/, 'ie')}s`, `${base}es`, base]) if (schema.table(t)) return t;
  if (base === 'go_no_go') return 'go_no_go_decisions';
  if (base === 'task' || base === 'contact_task') return 'contact_tasks';
  return undefined;
}

function initialRaw(s0: Json, name: string): Raw {
  const { s } = unwrap(s0);
  if (s['x-field']) return toInput(s['x-field'], undefined);
  if (s.type === 'object' && s.properties) return Object.fromEntries(Object.entries(s.properties).map(([k, v]) => [k, initialRaw(v, k)]));
  if (s.type === 'array') return [];
  if (s.type === 'boolean') return s.default === true;
  if (s.default !== undefined && typeof s.default !== 'object') return String(s.default);
  void name;
  return '';
}

/** What an input shows for a value the form starts with. */
function rawOf(s0: Json, v: unknown): Raw {
  const { s } = unwrap(s0);
  if (v === null || v === undefined) return initialRaw(s0, '');
  if (typeof v === 'boolean') return v;
  if (s.type === 'object' && s.properties && typeof v === 'object') return Object.fromEntries(Object.entries(s.properties).map(([k, sub]) => [k, rawOf(sub, (v as Record<string, unknown>)[k])]));
  if (Array.isArray(v)) return v.map((x) => (typeof x === 'object' ? JSON.stringify(x) : String(x)));
  if (typeof v === 'object') return JSON.stringify(v, null, 2);
  return String(v);
}

/** The value to send for what was typed; undefined leaves it out. Throws a message for text that cannot be the value. */
function toValue(s0: Json, raw: Raw, required: boolean): unknown {
  const { s, nullable } = unwrap(s0);
  if (s['x-field']) {
    const f = s['x-field'];
    const v = fromInput(f, typeof raw === 'boolean' ? raw : typeof raw === 'string' ? raw : '');
    return v === null || (f.kind === 'boolean' && v === false && !f.required) ? undefined : v;
  }
  if (s.type === 'object' && s.properties && raw && typeof raw === 'object' && !Array.isArray(raw)) {
    const out: Record<string, unknown> = {};
    for (const [k, sub] of Object.entries(s.properties)) {
      const v = toValue(sub, raw[k] ?? '', (s.required ?? []).includes(k));
      if (v !== undefined) out[k] = v;
    }
    return Object.keys(out).length || required ? out : undefined;
  }
  if (s.type === 'array') {
    const items = Array.isArray(raw) ? raw : [];
    const vals = items.map((r) => toValue(s.items ?? {}, r, true)).filter((v) => v !== undefined);
    return vals.length || required ? vals : undefined;
  }
  if (typeof raw === 'boolean') return raw;
  if (typeof raw !== 'string') return undefined;
  const t = raw.trim();
  if (t === '') return nullable && !required ? undefined : required ? '' : undefined;
  if (s.type === 'integer' || s.type === 'number') {
    const n = Number(t);
    if (!Number.isFinite(n)) throw new Error('must be a number');
    return n;
  }
  if (s.format === 'date-time') {
    const d = new Date(t);
    return Number.isNaN(d.getTime()) ? t : d.toISOString();
  }
  if ((!s.type && !s.enum) || s.type === 'object') {
    try {
      return JSON.parse(t);
    } catch {
      throw new Error('is not valid JSON');
    }
  }
  return raw;
}

type InputArgs = { name: string; path: string; schema: Json; raw: Raw; set: (r: Raw) => void; required: boolean; errors: Record<string, string>; label?: string; stages?: { field: string; list: Stage[] } | undefined };

function SchemaInput(a: InputArgs): ReactNode {
  const schemaIndex = useSchema();
  const id = useId();
  const { s } = unwrap(a.schema);
  const label = a.label ?? humanise(a.name);
  const error = a.errors[a.path];
  const hint = s.description;
  const common = { id, 'aria-invalid': error ? true : undefined, 'aria-describedby': error ? `${id}-error` : undefined } as const;
  if (s['x-field']) {
    return <FieldInput field={s['x-field']} value={typeof a.raw === 'boolean' || typeof a.raw === 'string' ? a.raw : ''} onChange={a.set} error={error} />;
  }
  if (s.type === 'object' && s.properties) {
    const raw = (a.raw && typeof a.raw === 'object' && !Array.isArray(a.raw) ? a.raw : {}) as Record<string, Raw>;
    return (
      <fieldset className="group">
        <legend>{label}</legend>
        {Object.entries(s.properties).map(([k, sub]) => (
          <SchemaInput key={k} name={k} path={a.path ? `${a.path}.${k}` : k} schema={sub} raw={raw[k] ?? initialRaw(sub, k)} set={(r) => a.set({ ...raw, [k]: r })} required={(s.required ?? []).includes(k)} errors={a.errors} />
        ))}
        {error && <small className="error">{error}</small>}
      </fieldset>
    );
  }
  if (s.type === 'array') {
    const items = Array.isArray(a.raw) ? a.raw : [];
    const item = unwrap(s.items ?? {}).s;
    if (item.enum) {
      return (
        <fieldset className="group choices">
          <legend>{label}</legend>
          {item.enum.map((v) => (
            <label key={String(v)} className="check">
              <input type="checkbox" checked={items.includes(String(v))} onChange={(e) => a.set(e.target.checked ? [...items, String(v)] : items.filter((x) => x !== String(v)))} /> {humanise(String(v))}
            </label>
          ))}
          {error && <small className="error">{error}</small>}
        </fieldset>
      );
    }
    const table = item.type === 'string' && item.format === 'uuid' ? tableForProperty(a.name, schemaIndex) : undefined;
    const isObject = item.type === 'object' && item.properties;
    if (!table && !isObject) {
      return (
        <FieldRow label={label} id={id} error={error} hint={hint ? `${hint} (one per line)` : 'One per line'} required={a.required}>
          <textarea {...common} rows={4} value={items.join('\n')} onChange={(e) => a.set(e.target.value.split('\n'))} />
        </FieldRow>
      );
    }
    return (
      <fieldset className="group rows">
        <legend>{label}</legend>
        {hint && <small>{hint}</small>}
        {items.map((r, i) => (
          <div key={i} className="row-item">
            {table ? (
              <RecordPicker table={table} value={String(r)} onChange={(v) => a.set(items.map((x, j) => (j === i ? v : x)))} />
            ) : (
              <SchemaInput name={`${singular(a.name)} ${i + 1}`} path={`${a.path}[${i}]`} schema={item} raw={r} set={(v) => a.set(items.map((x, j) => (j === i ? v : x)))} required errors={a.errors} />
            )}
            <button type="button" className="secondary small" onClick={() => a.set(items.filter((_, j) => j !== i))} aria-label={`Remove ${singular(a.name)} ${i + 1}`}>
              Remove
            </button>
          </div>
        ))}
        <button type="button" className="secondary small" onClick={() => a.set([...items, table ? '' : initialRaw(item, a.name)])}>
          Add {humanise(singular(a.name)).toLowerCase()}
        </button>
        {error && <small className="error">{error}</small>}
      </fieldset>
    );
  }
  if (s.type === 'boolean') {
    return (
      <div className={error ? 'field check invalid' : 'field check'}>
        <input type="checkbox" {...common} checked={a.raw === true} onChange={(e) => a.set(e.target.checked)} />
        <label htmlFor={id}>{label}</label>
        {error && (
          <small id={`${id}-error`} className="error">
            {label} {error}
          </small>
        )}
      </div>
    );
  }
  const value = typeof a.raw === 'string' ? a.raw : '';
  const set = (v: string) => a.set(v);
  let input: ReactNode;
  const table = s.format === 'uuid' || /_id$/.test(a.name) ? tableForProperty(a.name, schemaIndex) : undefined;
  if (a.stages && a.name === a.stages.field && s.type === 'string') {
    input = (
      <select {...common} value={value} onChange={(e) => set(e.target.value)}>
        <option value="">—</option>
        {a.stages.list.map((st) => (
          <option key={st.key} value={st.key}>
            {st.label}
          </option>
        ))}
      </select>
    );
  } else if (s.enum) {
    input = (
      <select {...common} value={value} onChange={(e) => set(e.target.value)}>
        <option value="">—</option>
        {s.enum.map((v) => (
          <option key={String(v)} value={String(v)}>
            {humanise(String(v))}
          </option>
        ))}
      </select>
    );
  } else if (table) {
    input = <RecordPicker table={table} value={value} onChange={set} inputId={id} invalid={Boolean(error)} />;
  } else if (!s.type || s.type === 'object') {
    input = <textarea {...common} rows={4} value={value} onChange={(e) => set(e.target.value)} placeholder="JSON" />;
  } else if (s.type === 'string' && (s.maxLength ?? 0) > 1000) {
    input = <textarea {...common} rows={4} value={value} onChange={(e) => set(e.target.value)} />;
  } else {
    const type = s.format === 'date' ? 'date' : s.format === 'date-time' ? 'datetime-local' : s.format === 'email' ? 'email' : 'text';
    const mode = s.type === 'integer' ? 'numeric' : s.type === 'number' || s.format === 'decimal' ? 'decimal' : undefined;
    input = <input {...common} type={type} inputMode={mode} value={value} onChange={(e) => set(e.target.value)} />;
  }
  return (
    <FieldRow label={label} id={id} error={error} hint={hint} required={a.required}>
      {input}
    </FieldRow>
  );
}

export function OperationForm({
  op,
  fixed = {},
  labels = {},
  hide = [],
  initial = {},
  submitLabel,
  onDone,
  onCancel,
}: {
  op: OperationInfo;
  /** Inputs the page already knows (the record's id): sent, not shown. */
  fixed?: Record<string, unknown>;
  labels?: Record<string, string>;
  /** Inputs not asked for (left out unless fixed). */
  hide?: string[];
  /** Values the form starts with (the current settings when changing them). */
  initial?: Record<string, unknown>;
  submitLabel?: string;
  onDone: (result: unknown) => void;
  onCancel?: () => void;
}) {
  const schemaIndex = useSchema();
  const fixedKeys = Object.keys(fixed).join(',');
  const root = useMemo(() => expandRecords(op.input as Json, schemaIndex, new Set(fixedKeys.split(','))), [op.input, schemaIndex, fixedKeys]);
  const props = Object.entries(root.properties ?? {}).filter(([k]) => !(k in fixed) && !hide.includes(k));
  const [raw, setRaw] = useState<Record<string, Raw>>(() => Object.fromEntries(props.map(([k, v]) => [k, k in initial ? rawOf(v, initial[k]) : initialRaw(v, k)])));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const pipeline = schemaIndex.table(op.table ?? op.tag)?.pipeline;
  const stageList = useStages(pipeline?.pipeline);
  const stages = pipeline && stageList ? { field: pipeline.field, list: stageList } : undefined;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const input: Record<string, unknown> = { ...fixed };
    const local: Record<string, string> = {};
    for (const [k, sub] of props) {
      try {
        const v = toValue(sub, raw[k] ?? '', (root.required ?? []).includes(k));
        if (v !== undefined) input[k] = v;
      } catch (err) {
        local[k] = messageOf(err);
      }
    }
    setErrors(local);
    if (Object.keys(local).length) return;
    setBusy(true);
    setProblem(null);
    try {
      onDone(await runOperation(op, input));
    } catch (err) {
      const byField = fieldErrorsOf(err);
      setErrors(byField);
      const known = (f: string) => props.some(([k]) => f === k || f.startsWith(`${k}.`) || f.startsWith(`${k}[`));
      const unshown = err instanceof ApiError ? err.fields.filter((f) => !known(f.field.replace(/^(data|input)\./, ''))) : [];
      setProblem(err instanceof ApiError && err.fields.length && !unshown.length ? 'Some fields need a change: see below.' : `${messageOf(err)}${unshown.length ? ` (${unshown.map((f) => `${f.field} ${f.message}`).join('; ')})` : ''}`);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="op-form" onSubmit={submit} noValidate aria-label={op.summary}>
      <Alert>{problem}</Alert>
      {props.map(([k, sub]) => (
        <SchemaInput key={k} name={k} path={k} schema={sub} raw={raw[k] ?? ''} set={(r) => setRaw((s) => ({ ...s, [k]: r }))} required={(root.required ?? []).includes(k)} errors={errors} stages={stages} {...(labels[k] ? { label: labels[k] } : {})} />
      ))}
      <div className="actions">
        <button type="submit" disabled={busy} className={op.destructive ? 'danger' : undefined}>
          {busy ? 'Working…' : (submitLabel ?? op.summary)}
        </button>
        {onCancel && (
          <button type="button" className="secondary" onClick={onCancel}>
            Cancel
          </button>
        )}
      </div>
    </form>
  );
}
