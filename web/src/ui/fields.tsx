/**
 * One input per field kind, as the core's schemas take them: enumerations as choices, money
 * and other numerics as decimal text (never floats), calendar dates as dates, timestamps in
 * the reader's zone sent with their offset, and a record picker for a column that holds
 * another record's id. Each input has a label, and the server's message for it beside it.
 */
import { useEffect, useId, useState, type ReactNode } from 'react';
import { api, query, type Page } from '../api.ts';
import { humanise, recordLabel, singular, useSchema, type FieldInfo } from '../schema.tsx';
import type { Stage } from './pipeline.ts';

const LONG = /(^|_)(notes|description|summary|body|content|text|details|answer|answers|comment|comments|requirements|reason|scope|agenda|resolution|message)$/;

/** The form value of a stored value: what an input shows. */
export function toInput(f: Pick<FieldInfo, 'kind'>, v: unknown): string | boolean {
  if (v === null || v === undefined) return f.kind === 'boolean' ? false : '';
  switch (f.kind) {
    case 'boolean':
      return Boolean(v);
    case 'timestamp': {
      const d = new Date(String(v));
      if (Number.isNaN(d.getTime())) return '';
      const p = (n: number) => String(n).padStart(2, '0');
      return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
    }
    case 'json':
      return JSON.stringify(v, null, 2);
    case 'text_array':
      return Array.isArray(v) ? v.join('\n') : String(v);
    default:
      return String(v);
  }
}

/**
 * The value to send for what was typed: empty is null (or left out on create), numbers are
 * numbers, JSON is parsed. Throws a message when the text cannot be what the field holds.
 */
export function fromInput(f: Pick<FieldInfo, 'kind'>, v: string | boolean): unknown {
  if (typeof v === 'boolean') return v;
  const s = v.trim();
  if (s === '') return null;
  switch (f.kind) {
    case 'integer':
    case 'bigint':
      return /^-?\d+$/.test(s) ? Number(s) : s; // the server says what is wrong with anything else
    case 'timestamp': {
      const d = new Date(s);
      return Number.isNaN(d.getTime()) ? s : d.toISOString();
    }
    case 'json':
      try {
        return JSON.parse(s);
      } catch {
        throw new Error('is not valid JSON');
      }
    case 'text_array':
      return s
        .split('\n')
        .map((x) => x.trim())
        .filter(Boolean);
    default:
      return v;
  }
}

export function FieldRow({ label, id, error, hint, children, required }: { label: string; id: string; error?: string | undefined; hint?: string | undefined; children: ReactNode; required?: boolean | undefined }) {
  return (
    <div className={error ? 'field invalid' : 'field'}>
      <label htmlFor={id}>{label}</label>
      {required && (
        <span className="required" aria-hidden="true">
          {' '}
          *
        </span>
      )}
      {children}
      {hint && !error && <small id={`${id}-hint`}>{hint}</small>}
      {error && (
        <small id={`${id}-error`} className="error">
          {label} {error}
        </small>
      )}
    </div>
  );
}

type InputProps = {
  field: FieldInfo;
  /** The field is a pipeline's status or stage: choose among these. */
  stages?: Stage[] | undefined;
  value: string | boolean;
  onChange: (v: string | boolean) => void;
  error?: string | undefined;
  label?: string;
  disabled?: boolean;
};

/** The input for one field of a table, labelled, with its error. */
export function FieldInput({ field, value, onChange, error, label, disabled, stages }: InputProps) {
  const id = useId();
  const name = label ?? humanise(field.name);
  const described = error ? `${id}-error` : undefined;
  const common = { id, disabled, 'aria-invalid': error ? true : undefined, 'aria-describedby': described, required: field.required } as const;
  let input: ReactNode;
  if (stages) {
    input = (
      <select {...common} value={String(value)} onChange={(e) => onChange(e.target.value)}>
        <option value="">{field.required ? '—' : 'The first stage'}</option>
        {stages.map((s) => (
          <option key={s.key} value={s.key}>
            {s.label}
          </option>
        ))}
      </select>
    );
  } else if (field.references) {
    input = <RecordPicker table={field.references} value={String(value)} onChange={onChange} inputId={id} invalid={Boolean(error)} disabled={disabled} />;
  } else if (field.kind === 'enum' && field.values) {
    input = (
      <select {...common} value={String(value)} onChange={(e) => onChange(e.target.value)}>
        {(field.nullable || !field.required) && <option value="">—</option>}
        {field.values.map((v) => (
          <option key={v} value={v}>
            {humanise(v)}
          </option>
        ))}
      </select>
    );
  } else if (field.kind === 'boolean') {
    return (
      <div className={error ? 'field check invalid' : 'field check'}>
        <input type="checkbox" {...common} required={false} checked={Boolean(value)} onChange={(e) => onChange(e.target.checked)} />
        <label htmlFor={id}>{name}</label>
        {error && (
          <small id={`${id}-error`} className="error">
            {name} {error}
          </small>
        )}
      </div>
    );
  } else if (field.kind === 'json' || field.kind === 'text_array' || (field.kind === 'text' && LONG.test(field.name))) {
    input = <textarea {...common} rows={field.kind === 'text' ? 4 : 5} value={String(value)} onChange={(e) => onChange(e.target.value)} />;
  } else {
    const type =
      field.kind === 'date' ? 'date' : field.kind === 'timestamp' ? 'datetime-local' : /email$/.test(field.name) ? 'email' : /(^|_)(website|url)$/.test(field.name) ? 'url' : /(phone|mobile)$/.test(field.name) ? 'tel' : 'text';
    const mode = field.kind === 'integer' || field.kind === 'bigint' ? 'numeric' : field.kind === 'numeric' ? 'decimal' : undefined;
    input = <input {...common} type={type} inputMode={mode} value={String(value)} onChange={(e) => onChange(e.target.value)} />;
  }
  const hint = field.kind === 'text_array' ? 'One per line' : field.kind === 'json' ? 'JSON' : undefined;
  return (
    <FieldRow label={name} id={id} error={error} hint={hint} required={field.required}>
      {input}
    </FieldRow>
  );
}

/** “a company”, “an engagement”. */
const article = (table: string) => {
  const one = singular(table).replace(/_/g, ' ');
  return `${/^[aeio]/i.test(one) ? 'an' : 'a'} ${one}`;
};

/**
 * Chooses a record of another table by typing part of its name: a native <select> of the
 * matches (keyboard and screen-reader friendly), the current choice kept in it.
 */
export function RecordPicker({ table, value, onChange, inputId, invalid, disabled }: { table: string; value: string; onChange: (id: string) => void; inputId?: string; invalid?: boolean; disabled?: boolean | undefined }) {
  const schema = useSchema();
  const t = schema.table(table);
  const [q, setQ] = useState('');
  const [options, setOptions] = useState<Record<string, unknown>[]>([]);
  const [current, setCurrent] = useState<Record<string, unknown> | null>(null);
  const [error, setError] = useState<string | null>(null);
  const readable = Boolean(t);
  useEffect(() => {
    if (!readable || !value || current?.id === value) return;
    api<Record<string, unknown>>('GET', `/api/v1/${table}/${encodeURIComponent(value)}`).then(setCurrent, () => setCurrent({ id: value }));
  }, [table, value, readable, current?.id]);
  useEffect(() => {
    if (!readable) return;
    const timer = setTimeout(() => {
      api<Page<Record<string, unknown>>>('GET', `/api/v1/${table}${query({ q: q.trim(), limit: 20, sort: t?.default_sort })}`).then(
        (p) => {
          setOptions(p.items);
          setError(null);
        },
        (e: unknown) => setError(e instanceof Error ? e.message : String(e)),
      );
    }, 200);
    return () => clearTimeout(timer);
  }, [table, q, readable, t?.default_sort]);
  if (!readable) {
    return <input id={inputId} value={value} onChange={(e) => onChange(e.target.value)} placeholder="id" disabled={disabled} aria-invalid={invalid || undefined} />;
  }
  const shown = current && !options.some((o) => o.id === current.id) ? [current, ...options] : options;
  return (
    <span className="picker">
      <input type="search" aria-label={`Find ${article(table)}`} placeholder={`Find ${article(table)}…`} value={q} onChange={(e) => setQ(e.target.value)} disabled={disabled} />
      <select id={inputId} value={value} onChange={(e) => onChange(e.target.value)} aria-invalid={invalid || undefined} disabled={disabled}>
        <option value="">—</option>
        {shown.map((o) => (
          <option key={String(o.id)} value={String(o.id)}>
            {recordLabel(o)}
          </option>
        ))}
      </select>
      {error && <small className="error">{error}</small>}
    </span>
  );
}
