/**
 * What can be done to a record besides editing it: the table's own operations (send,
 * resolve, deploy…), each in a dialog with its generated form, the record's id filled in;
 * and archive, restore and delete as the person's role allows. A read-only operation (a
 * brief, a score explained) shows its answer.
 */
import { useState } from 'react';
import { api, messageOf, pathParams } from '../api.ts';
import { humanise, useSchema, type OperationInfo } from '../schema.tsx';
import { OperationForm } from './OperationForm.tsx';
import { Alert, Dialog } from './ui.tsx';

type Row = Record<string, unknown>;

/** Operations a page of their own offers, never the generic action buttons. */
const OWN_PAGE = /^(privacy|consents)\./;

/** The operations of a table that act on one record: their path names the record (`/api/v1/<table>/{id}/…`). */
export function recordOperations(ops: OperationInfo[], table: string): Array<{ op: OperationInfo; param: string }> {
  const out: Array<{ op: OperationInfo; param: string }> = [];
  for (const op of ops) {
    // Consent, the access export and erasure live on the record's privacy page (pages/Privacy.tsx), whose erasure asks for the name typed out.
    if (OWN_PAGE.test(op.name)) continue;
    const m = new RegExp(`^/api/v1/${table}/\\{([a-z_]+)\\}(/|$)`).exec(op.path);
    if (m && pathParams(op.path).length === 1) out.push({ op, param: m[1]! });
  }
  return out;
}

/** An answer shown as readable text (never as markup). */
export function Answer({ value }: { value: unknown }) {
  return <pre className="answer">{JSON.stringify(value, null, 2)}</pre>;
}

export function RecordActions({ table, record, onChanged }: { table: string; record: Row; onChanged: (row?: Row) => void }) {
  const schema = useSchema();
  const t = schema.table(table);
  const [open, setOpen] = useState<OperationInfo | null>(null);
  const [answer, setAnswer] = useState<unknown>(undefined);
  const [confirming, setConfirming] = useState<'delete' | null>(null);
  const [error, setError] = useState<string | null>(null);
  if (!t) return null;
  const id = String(record.id);
  const acts = recordOperations(
    t.actions.map((n) => schema.operation(n)).filter((o): o is OperationInfo => Boolean(o)),
    table,
  );
  const versioned = record.version !== undefined ? { 'if-match': `"${String(record.version)}"` } : undefined;
  const simple = async (verb: 'archive' | 'restore' | 'delete') => {
    setError(null);
    try {
      if (verb === 'delete') {
        await api('DELETE', `/api/v1/${table}/${id}`);
        setConfirming(null);
        onChanged(undefined);
      } else {
        onChanged(await api<Row>('POST', `/api/v1/${table}/${id}/${verb}`, undefined, versioned));
      }
    } catch (e) {
      setError(messageOf(e));
    }
  };
  const param = open ? recordOperations([open], table)[0]?.param : undefined;
  return (
    <div className="record-actions">
      <div className="actions">
        {acts.map(({ op, param: p }) =>
          // A file (an access-request archive) is downloaded by the browser, not answered in a form.
          op.download ? (
            <a key={op.name} className="button-link secondary small" href={op.path.replace(`{${p}}`, encodeURIComponent(id))} download>
              {op.summary}
            </a>
          ) : (
          <button
            key={op.name}
            type="button"
            className={op.destructive ? 'danger small' : 'secondary small'}
            onClick={() => {
              setAnswer(undefined);
              setOpen(op);
            }}
          >
            {op.summary}
          </button>
          ),
        )}
        {t.archivable && !record.archived_at && t.verbs.includes('archive') && (
          <button type="button" className="secondary small" onClick={() => void simple('archive')}>
            Archive
          </button>
        )}
        {t.archivable && Boolean(record.archived_at) && t.verbs.includes('restore') && (
          <button type="button" className="secondary small" onClick={() => void simple('restore')}>
            Restore
          </button>
        )}
        {t.verbs.includes('delete') && (
          <button type="button" className="danger small" onClick={() => setConfirming('delete')}>
            Delete
          </button>
        )}
      </div>
      <Alert>{error}</Alert>
      <Dialog title={open?.summary ?? ''} open={open !== null} onClose={() => setOpen(null)}>
        {open && param && (
          <>
            {open.description && <p className="muted">{open.description}</p>}
            {answer === undefined ? (
              <OperationForm
                op={open}
                fixed={{ [param]: id }}
                submitLabel={open.method === 'get' ? 'Show' : humanise(open.name.split('.')[1] ?? open.name)}
                onDone={(result) => {
                  if (open.method === 'get' || open.reveals_secret) {
                    // A secret shown once stays on screen until the dialog is closed.
                    setAnswer(result);
                    if (open.reveals_secret) onChanged();
                  } else {
                    setOpen(null);
                    onChanged();
                  }
                }}
                onCancel={() => setOpen(null)}
              />
            ) : (
              <Answer value={answer} />
            )}
          </>
        )}
      </Dialog>
      <Dialog title="Delete for good?" open={confirming === 'delete'} onClose={() => setConfirming(null)}>
        <p>This removes the record and cannot be undone. Archiving keeps it out of lists and can be undone.</p>
        <div className="actions">
          <button type="button" className="danger" onClick={() => void simple('delete')}>
            Delete for good
          </button>
          <button type="button" className="secondary" onClick={() => setConfirming(null)}>
            Cancel
          </button>
        </div>
        <Alert>{error}</Alert>
      </Dialog>
    </div>
  );
}
