/**
 * Bring data in: a CSV file (ours, or a HubSpot or Pipedrive export) into companies,
 * contacts, leads, interactions or AI usage. The dry run (import.preview) shows the mapping
 * of columns to fields, which can be changed column by column, what would be created,
 * updated and skipped, and each row's problems; the import itself (import.start) runs in the
 * background worker, followed here with import.status until it is done.
 */
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import type { ImportRowError } from '../../../src/db/schema/imports.ts';
import type { ImportJob, MappingSource, PreviewResult } from '../../../src/core/platform/imports.ts';
import { RELATION_FIELDS } from '../../../src/core/platform/import-relations.ts';
import { api, messageOf, type AsJson } from '../api.ts';
import { Link } from '../Link.tsx';
import { humanise, useSchema } from '../schema.tsx';
import { Alert, Badge, formatDateTime, formatNumber, Loaded, Notice, useAsync } from '../ui/ui.tsx';
import './imports.css';

const TARGETS = ['companies', 'contacts', 'leads', 'interactions', 'ai_usage'] as const;
type Target = (typeof TARGETS)[number];
const FORMATS = ['generic', 'hubspot', 'pipedrive'] as const;
type Format = (typeof FORMATS)[number];
const FORMAT_LABEL: Record<Format, string> = { generic: 'a CSV file of our own (or anyone’s)', hubspot: 'a HubSpot export', pipedrive: 'a Pipedrive export' };

const RELATION_LABEL: Record<string, string> = {
  company_name: 'Company (matched by name)',
  company_domain: 'Company (matched by website domain)',
  contact_email: 'Contact (matched by email)',
};

/** A little under the server's 32 MB limit on the CSV text. */
const MAX_FILE_BYTES = 30 * 1024 * 1024;

const SOURCE_LABEL: Record<MappingSource, string> = {
  request: 'your choices',
  remembered: 'the mapping you last used for these columns',
  preset: 'the preset for this format',
  name: 'the column names',
};

type RowError = ImportRowError;
type Preview = PreviewResult;
type Job = AsJson<ImportJob>;

const STATUS_TONE: Record<Job['status'], 'good' | 'bad' | 'warn' | 'plain'> = { pending: 'plain', running: 'plain', completed: 'good', failed: 'bad', cancelled: 'warn' };
const rows = (n: number) => `${formatNumber(n)} ${n === 1 ? 'row' : 'rows'}`;

export function ImportsPage() {
  const [job, setJob] = useState<Job | null>(null);
  const mine = useAsync(() => api<{ items: Job[] }>('GET', '/api/v1/imports'), []);
  return (
    <section className="imp-page">
      <div className="page-head">
        <div>
          <h1>Import a CSV file</h1>
          <p className="muted">Companies, contacts, leads, interactions or AI usage, from a file of our own or a HubSpot or Pipedrive export. Nothing is written until you start the import.</p>
        </div>
        <div className="actions">
          <Link to="/duplicates" className="button-link">
            Find duplicates
          </Link>
        </div>
      </div>
      {job ? (
        <JobView
          job={job}
          onChange={(j) => {
            setJob(j);
            if (j.done) mine.reload();
          }}
          onClose={() => {
            setJob(null);
            mine.reload();
          }}
        />
      ) : (
        <Upload
          onStarted={(j) => {
            setJob(j);
            mine.reload();
          }}
        />
      )}
      <h2>Your imports</h2>
      <Loaded state={mine} what="your imports">
        {(data) => <MyImports jobs={data.items} current={job?.id} onShow={setJob} />}
      </Loaded>
    </section>
  );
}

function Upload({ onStarted }: { onStarted: (job: Job) => void }) {
  const schema = useSchema();
  const ids = { target: useId(), file: useId(), format: useId() };
  const [target, setTarget] = useState<Target>('contacts');
  const [format, setFormat] = useState<Format | ''>('');
  const [file, setFile] = useState<{ name: string; text: string } | null>(null);
  const [fileError, setFileError] = useState<string | null>(null);
  const [mapping, setMapping] = useState<Record<string, string | null> | undefined>(undefined);
  const [preview, setPreview] = useState<Preview | null>(null);
  const [busy, setBusy] = useState<'reading' | 'previewing' | 'starting' | null>(null);
  const [error, setError] = useState<string | null>(null);

  const targets = TARGETS.filter((t) => schema.table(t));
  const body = (m: Record<string, string | null> | undefined) => ({
    target,
    csv: file?.text ?? '',
    ...(format ? { format } : {}),
    ...(m ? { mapping: m } : {}),
    ...(file?.name ? { file_name: file.name.slice(0, 255) } : {}),
  });

  // Only the latest preview counts: a quick second change of mapping outruns the first.
  const seq = useRef(0);
  const runPreview = async (m: Record<string, string | null> | undefined) => {
    if (!file) return;
    const mine = ++seq.current;
    setBusy('previewing');
    setError(null);
    try {
      const p = await api<Preview>('POST', '/api/v1/imports/preview', body(m));
      if (mine === seq.current) setPreview(p);
    } catch (e) {
      if (mine !== seq.current) return;
      setError(messageOf(e));
      // A refused change of mapping leaves the last good preview to change again.
      if (!m) setPreview(null);
    } finally {
      if (mine === seq.current) setBusy(null);
    }
  };

  const reset = () => {
    seq.current++;
    setBusy((b) => (b === 'previewing' ? null : b));
    setPreview(null);
    setMapping(undefined);
    setError(null);
  };

  const choose = async (f: File | undefined) => {
    reset();
    setFile(null);
    setFileError(null);
    if (!f) return;
    if (f.size > MAX_FILE_BYTES) {
      setFileError(`${f.name} is ${(f.size / 1024 / 1024).toFixed(1)} MB; at most 30 MB can be imported at once. Split the file and import the parts one after another.`);
      return;
    }
    setBusy('reading');
    try {
      const text = await f.text();
      if (!text.trim()) setFileError(`${f.name} is empty.`);
      else setFile({ name: f.name, text });
    } catch (e) {
      setFileError(`${f.name} could not be read: ${messageOf(e)}`);
    } finally {
      setBusy(null);
    }
  };

  const remap = (column: string, field: string | null) => {
    if (!preview) return;
    const next = { ...Object.fromEntries(preview.mapping.map((c) => [c.column, c.field])), ...mapping, [column]: field };
    setMapping(next);
    void runPreview(next);
  };

  const start = async () => {
    setBusy('starting');
    setError(null);
    try {
      onStarted(await api<Job>('POST', '/api/v1/imports', body(mapping)));
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(null);
    }
  };

  // The fields a column may map to: the table's writable fields, its relations, and whatever the server chose.
  // AI usage rows are written by usage.record, whose input names their fields.
  const usageInput = schema.operation('usage.record')?.input.properties;
  const own =
    target === 'ai_usage'
      ? Object.keys(typeof usageInput === 'object' && usageInput !== null ? usageInput : {}).filter((f) => f !== 'company_id')
      : (schema.table(target)?.fields.filter((f) => !f.read_only).map((f) => f.name) ?? []);
  const fieldChoices = [...new Set([...own, ...RELATION_FIELDS[target], ...(preview?.mapping.map((c) => c.field).filter((f): f is string => Boolean(f)) ?? [])])];

  return (
    <div className="card imp-upload">
      <form
        className="imp-choose"
        onSubmit={(e: FormEvent) => {
          e.preventDefault();
          setMapping(undefined);
          void runPreview(undefined);
        }}
      >
        <div className="field">
          <label htmlFor={ids.target}>What the rows are</label>
          <select
            id={ids.target}
            value={target}
            onChange={(e) => {
              setTarget(e.target.value as Target);
              reset();
            }}
          >
            {targets.map((t) => (
              <option key={t} value={t}>
                {humanise(t)}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={ids.file}>CSV file</label>
          <input id={ids.file} type="file" accept=".csv,text/csv" onChange={(e) => void choose(e.target.files?.[0])} aria-describedby={`${ids.file}-hint`} />
          <small id={`${ids.file}-hint`}>A header row, then one record per row; at most 30 MB.</small>
        </div>
        <div className="field">
          <label htmlFor={ids.format}>Whose export</label>
          <select
            id={ids.format}
            value={format}
            onChange={(e) => {
              setFormat(e.target.value as Format | '');
              reset();
            }}
          >
            <option value="">Detect from the columns</option>
            {FORMATS.map((f) => (
              <option key={f} value={f}>
                {FORMAT_LABEL[f]}
              </option>
            ))}
          </select>
        </div>
        <div className="actions">
          <button type="submit" disabled={!file || busy !== null}>
            {busy === 'previewing' ? 'Checking…' : 'Preview'}
          </button>
        </div>
      </form>
      <Alert>{fileError}</Alert>
      {busy === 'reading' && (
        <p className="muted" role="status">
          Reading the file…
        </p>
      )}
      {file && !preview && !error && busy === null && (
        <p className="muted">
          {file.name}: ready. Preview it to see what the import would do; nothing is written yet.
        </p>
      )}
      <Alert>{error}</Alert>
      {preview && file && (
        <PreviewView
          preview={preview}
          fileName={file.name}
          fieldChoices={fieldChoices}
          busy={busy !== null}
          onRemap={remap}
          onStart={() => void start()}
          starting={busy === 'starting'}
        />
      )}
    </div>
  );
}

function PreviewView({ preview, fileName, fieldChoices, busy, starting, onRemap, onStart }: { preview: Preview; fileName: string; fieldChoices: string[]; busy: boolean; starting: boolean; onRemap: (column: string, field: string | null) => void; onStart: () => void }) {
  const fieldLabel = (f: string) => RELATION_LABEL[f] ?? humanise(f);
  return (
    <div className="imp-preview" aria-busy={busy}>
      <h2>Preview of {fileName}</h2>
      <p>
        Read as {FORMAT_LABEL[preview.format]}
        {preview.format !== preview.detected_format ? ` (the columns look like ${FORMAT_LABEL[preview.detected_format]})` : ' (detected from the columns)'}; columns mapped by {SOURCE_LABEL[preview.mapping_source]}.
      </p>
      <div className="cards" role="group" aria-label="What the import would do">
        <Kpi label="Rows" value={preview.total_rows} />
        <Kpi label="Would create" value={preview.would_create} />
        <Kpi label="Would update" value={preview.would_update} />
        <Kpi label="Would skip" value={preview.would_skip} />
        <Kpi label="Rows with errors" value={preview.error_rows} />
      </div>
      {preview.target === 'contacts' && preview.companies_to_create > 0 && (
        <p className="muted">
          {formatNumber(preview.companies_to_create)} {preview.companies_to_create === 1 ? 'company' : 'companies'} the contacts name would be created too.
        </p>
      )}

      <h3>Columns</h3>
      <p className="muted small">Each column feeds one field; change any that is wrong, and the preview runs again. The import remembers your choices for files with these columns.</p>
      <div className="table-wrap">
        <table className="imp-mapping">
          <caption className="visually-hidden">Column to field mapping</caption>
          <thead>
            <tr>
              <th scope="col">CSV column</th>
              <th scope="col">Field</th>
              <th scope="col">Chosen by</th>
            </tr>
          </thead>
          <tbody>
            {preview.mapping.map((c) => (
              <tr key={c.column}>
                <th scope="row" className="imp-column">
                  {c.column}
                </th>
                <td>
                  <select aria-label={`Field for ${c.column}`} value={c.field ?? ''} onChange={(e) => onRemap(c.column, e.target.value || null)}>
                      <option value="">— ignore this column —</option>
                      {fieldChoices.map((f) => (
                        <option key={f} value={f}>
                          {fieldLabel(f)}
                        </option>
                      ))}
                  </select>
                </td>
                <td className="muted small">{c.source ? SOURCE_LABEL[c.source] : c.field === null ? 'not mapped' : ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {preview.unmapped_columns.length > 0 && (
        <p className="muted small">
          Ignored: {preview.unmapped_columns.join(', ')}.
        </p>
      )}

      <h3>Row errors</h3>
      {preview.errors.length ? (
        <>
          <p className="small">
            {rows(preview.error_rows)} would not be imported; the others would. {preview.errors_total > preview.errors.length ? `The first ${formatNumber(preview.errors.length)} of ${formatNumber(preview.errors_total)} errors:` : ''}
          </p>
          <ErrorsTable errors={preview.errors} caption="Row errors in the preview" />
        </>
      ) : (
        <p className="empty">No errors: every row can be imported.</p>
      )}

      <div className="actions">
        <button type="button" onClick={onStart} disabled={busy || preview.total_rows === 0}>
          {starting ? 'Starting…' : `Import ${rows(preview.total_rows)}`}
        </button>
      </div>
    </div>
  );
}

function Kpi({ label, value }: { label: string; value: number }) {
  return (
    <div className="kpi">
      <div className="label">{label}</div>
      <div className="value">{formatNumber(value)}</div>
    </div>
  );
}

function ErrorsTable({ errors, caption }: { errors: RowError[]; caption: string }) {
  return (
    <div className="table-wrap">
      <table className="imp-errors">
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col" className="num">
              Row
            </th>
            <th scope="col">Column</th>
            <th scope="col">Field</th>
            <th scope="col">Problem</th>
          </tr>
        </thead>
        <tbody>
          {errors.map((e, i) => (
            <tr key={`${e.row}-${e.field}-${i}`}>
              <td className="num">{e.row}</td>
              <td>{e.column ?? '—'}</td>
              <td>{RELATION_LABEL[e.field] ?? humanise(e.field)}</td>
              <td>{e.message}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function JobView({ job, onChange, onClose }: { job: Job; onChange: (job: Job) => void; onClose: () => void }) {
  const progressId = useId();
  const [error, setError] = useState<string | null>(null);
  const [cancelling, setCancelling] = useState(false);

  // Follow the job until it is done: the worker writes it chunk by chunk.
  useEffect(() => {
    if (job.done) return;
    let live = true;
    const timer = setTimeout(() => {
      api<Job>('GET', `/api/v1/imports/${encodeURIComponent(job.id)}`).then(
        (j) => {
          if (!live) return;
          setError(null);
          onChange(j);
        },
        (e: unknown) => {
          if (!live) return;
          setError(`Could not read the import's progress (trying again): ${messageOf(e)}`);
          onChange({ ...job });
        },
      );
    }, 1000);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [job]); // eslint-disable-line react-hooks/exhaustive-deps

  const cancel = async () => {
    setCancelling(true);
    setError(null);
    try {
      onChange(await api<Job>('POST', `/api/v1/imports/${encodeURIComponent(job.id)}/cancel`));
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setCancelling(false);
    }
  };

  return (
    <div className="card imp-job">
      <h2>
        {job.done ? 'Import finished' : 'Importing'}: {job.file_name ?? humanise(job.target)}{' '}
        <Badge tone={STATUS_TONE[job.status]}>{job.status}</Badge>
      </h2>
      <div className="imp-progress">
        <label htmlFor={progressId}>
          Progress: {formatNumber(job.processed_rows)} of {rows(job.total_rows)} ({job.percent}%)
        </label>
        <progress id={progressId} max={100} value={job.percent}>
          {job.percent}%
        </progress>
      </div>
      <div className="cards" role="status" aria-live="polite" aria-label="Import counts">
        <Kpi label="Created" value={job.created_count} />
        <Kpi label="Updated" value={job.updated_count} />
        <Kpi label="Skipped" value={job.skipped_count} />
        <Kpi label="Errors" value={job.error_count} />
      </div>
      <Alert>{error}</Alert>
      {job.done && (
        <>
          {job.status === 'completed' && (
            <Notice kind="ok">
              Done: {formatNumber(job.created_count)} created, {formatNumber(job.updated_count)} updated, {formatNumber(job.skipped_count)} skipped
              {job.error_count ? `, ${rows(job.error_count)} with errors left out` : ''}.
            </Notice>
          )}
          {job.status === 'cancelled' && <Notice kind="error">Cancelled after {rows(job.processed_rows)}; the rows already imported stay.</Notice>}
          {job.status === 'failed' && <Notice kind="error">The import failed{job.failure ? `: ${job.failure}` : ''}. The rows already imported stay.</Notice>}
          {job.errors.length > 0 && (
            <>
              <h3>Rows not imported</h3>
              {job.errors_truncated && <p className="small">The first {formatNumber(job.errors.length)} errors are listed.</p>}
              <ErrorsTable errors={job.errors} caption="Rows not imported" />
            </>
          )}
          <p>
            <Link to={`/${job.target}`}>Open {humanise(job.target).toLowerCase()}</Link>
          </p>
        </>
      )}
      <div className="actions">
        {!job.done && (
          <button type="button" className="danger" onClick={() => void cancel()} disabled={cancelling}>
            {cancelling ? 'Cancelling…' : 'Cancel import'}
          </button>
        )}
        {job.done && (
          <button type="button" onClick={onClose}>
            Import another file
          </button>
        )}
      </div>
    </div>
  );
}

function MyImports({ jobs, current, onShow }: { jobs: Job[]; current: string | undefined; onShow: (job: Job) => void }) {
  if (!jobs.length) return <p className="empty">You have not imported anything yet.</p>;
  return (
    <div className="table-wrap">
      <table className="imp-mine">
        <caption className="visually-hidden">Your imports</caption>
        <thead>
          <tr>
            <th scope="col">File</th>
            <th scope="col">Into</th>
            <th scope="col">Status</th>
            <th scope="col" className="num">
              Rows
            </th>
            <th scope="col" className="num">
              Created
            </th>
            <th scope="col" className="num">
              Updated
            </th>
            <th scope="col" className="num">
              Skipped
            </th>
            <th scope="col" className="num">
              Errors
            </th>
            <th scope="col">Started</th>
            <th scope="col">Finished</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {jobs.map((j) => (
            <tr key={j.id}>
              <td className="imp-file">{j.file_name ?? '—'}</td>
              <td>{humanise(j.target)}</td>
              <td>
                <Badge tone={STATUS_TONE[j.status]}>{j.status}</Badge>
              </td>
              <td className="num">
                {formatNumber(j.processed_rows)} / {formatNumber(j.total_rows)}
              </td>
              <td className="num">{formatNumber(j.created_count)}</td>
              <td className="num">{formatNumber(j.updated_count)}</td>
              <td className="num">{formatNumber(j.skipped_count)}</td>
              <td className="num">{formatNumber(j.error_count)}</td>
              <td>{formatDateTime(j.started_at ?? j.created_at)}</td>
              <td>{formatDateTime(j.finished_at)}</td>
              <td>
                {j.id !== current && (
                  <button type="button" className="secondary small" onClick={() => onShow(j)} aria-label={`Show the import of ${j.file_name ?? humanise(j.target)} from ${formatDateTime(j.created_at)}`}>
                    Show
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
