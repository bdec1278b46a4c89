/**
 * The create and edit form of any table, generated from its fields: what a client may write,
 * in the table's column order, required ones marked. The server's field errors appear beside
 * their fields; an edit sends only what changed, with the version it started from, so a
 * change someone made meanwhile is refused rather than overwritten.
 */
import { useState, type FormEvent } from 'react';
import { api, ApiError, messageOf } from '../api.ts';
import { useSchema, type FieldInfo } from '../schema.tsx';
import { FieldInput, fromInput, toInput } from './fields.tsx';
import { useStages } from './pipeline.ts';
import { Alert, fieldErrorsOf } from './ui.tsx';

type Row = Record<string, unknown>;

/** The fields a form shows: writable ones (and on edit, not those fixed at creation). */
export function formFields(fields: FieldInfo[], mode: 'create' | 'edit', only?: string[]): FieldInfo[] {
  const list = fields.filter((f) => !f.read_only && !(mode === 'edit' && f.immutable));
  return only ? only.map((n) => list.find((f) => f.name === n)).filter((f): f is FieldInfo => Boolean(f)) : list;
}

export function RecordForm({
  table,
  record,
  initial,
  only,
  fixed,
  submitLabel,
  onSaved,
  onCancel,
}: {
  table: string;
  /** The record being edited; absent to create one. */
  record?: Row;
  /** Values a new record starts with (a contact's company when added from the company). */
  initial?: Row;
  /** Show just these fields, in this order. */
  only?: string[];
  /** Values sent without being shown (the parent a record is created under). */
  fixed?: Row;
  submitLabel?: string;
  onSaved: (row: Row) => void;
  onCancel?: () => void;
}) {
  const schema = useSchema();
  const t = schema.table(table);
  const mode = record ? 'edit' : 'create';
  const fields = t ? formFields(t.fields, mode, only).filter((f) => !(fixed && f.name in fixed)) : [];
  const start = () => Object.fromEntries(fields.map((f) => [f.name, toInput(f, record ? record[f.name] : initial?.[f.name])]));
  const [values, setValues] = useState<Record<string, string | boolean>>(start);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [problem, setProblem] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const stages = useStages(t?.pipeline?.pipeline);
  if (!t) return <Alert>There is no table {table} you may see.</Alert>;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const data: Row = { ...fixed };
    const local: Record<string, string> = {};
    for (const f of fields) {
      const before = toInput(f, record ? record[f.name] : undefined);
      const now = values[f.name] ?? '';
      if (mode === 'edit' && now === before) continue;
      try {
        const v = fromInput(f, now);
        if (mode === 'create' && (v === null || (f.kind === 'boolean' && v === false && !f.required))) continue;
        data[f.name] = v;
      } catch (err) {
        local[f.name] = messageOf(err);
      }
    }
    setErrors(local);
    if (Object.keys(local).length) return;
    if (mode === 'edit' && Object.keys(data).length === 0) {
      setProblem('Nothing has changed.');
      return;
    }
    setSaving(true);
    setProblem(null);
    try {
      const saved = record
        ? await api<Row>('PATCH', `/api/v1/${table}/${String(record.id)}`, data, record.version !== undefined ? { 'if-match': `"${String(record.version)}"` } : {})
        : await api<Row>('POST', `/api/v1/${table}`, data);
      onSaved(saved);
    } catch (err) {
      const byField = fieldErrorsOf(err);
      setErrors(byField);
      const shown = Object.keys(byField).filter((k) => fields.some((f) => f.name === k));
      const unshown = err instanceof ApiError ? err.fields.filter((f) => !shown.includes(f.field.replace(/^(data|input)\./, ''))) : [];
      setProblem(unshown.length ? `${unshown.map((f) => `${f.field} ${f.message}`).join('; ')}` : shown.length ? 'Some fields need a change: see beside them.' : messageOf(err));
    } finally {
      setSaving(false);
    }
  };

  return (
    <form className="record-form" onSubmit={submit} noValidate>
      <Alert>{problem}</Alert>
      <div className="form-grid">
        {fields.map((f) => (
          <FieldInput key={f.name} field={f} stages={f.name === t.pipeline?.field ? stages : undefined} value={values[f.name] ?? ''} onChange={(v) => setValues((s) => ({ ...s, [f.name]: v }))} error={errors[f.name]} />
        ))}
      </div>
      <div className="actions">
        <button type="submit" disabled={saving}>
          {saving ? 'Saving…' : (submitLabel ?? (mode === 'edit' ? 'Save changes' : 'Create'))}
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
