/** Small pieces every screen uses: loading data, showing a refusal, formatting values. */
import { useCallback, useEffect, useId, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import { ApiError, messageOf } from '../api.ts';

export type Async<T> = { data: T | undefined; error: string | null; loading: boolean; reload: () => void };

/** Runs `load` now and whenever `deps` change; a late answer to an older request is dropped. */
export function useAsync<T>(load: () => Promise<T>, deps: unknown[]): Async<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  const seq = useRef(0);
  useEffect(() => {
    const mine = ++seq.current;
    setLoading(true);
    setError(null);
    load().then(
      (d) => {
        if (mine !== seq.current) return;
        setData(d);
        setLoading(false);
      },
      (e: unknown) => {
        if (mine !== seq.current) return;
        setError(messageOf(e));
        setLoading(false);
      },
    );
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data, error, loading, reload };
}

export function Alert({ children }: { children: ReactNode }) {
  if (children === null || children === undefined || children === false || children === '') return null;
  return (
    <p className="error" role="alert">
      {children}
    </p>
  );
}

/** What came back from the server: the refusal's own message, or a note that all went well. */
export function Notice({ kind, children }: { kind: 'ok' | 'error'; children: ReactNode }) {
  return (
    <p className={kind === 'ok' ? 'notice ok' : 'notice error'} role={kind === 'ok' ? 'status' : 'alert'}>
      {children}
    </p>
  );
}

export function Loading({ what }: { what?: string }) {
  return (
    <p className="loading" role="status" aria-live="polite">
      Loading{what ? ` ${what}` : ''}…
    </p>
  );
}

/** A page's data: loading, the refusal, or the page itself. */
export function Loaded<T>({ state, what, children }: { state: Async<T>; what?: string; children: (data: T) => ReactNode }) {
  if (state.error) return <Alert>{state.error}</Alert>;
  if (state.data === undefined) return <Loading {...(what ? { what } : {})} />;
  return <>{children(state.data)}</>;
}

const dateFmt = new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'short', day: 'numeric' });
const dateTimeFmt = new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });

/** A calendar date (`2026-03-01`) as the reader writes dates, without shifting it across time zones. */
export function formatDate(v: string | null | undefined): string {
  if (!v) return '';
  const [y, m, d] = v.slice(0, 10).split('-').map(Number);
  if (!y || !m || !d) return v;
  return dateFmt.format(new Date(y, m - 1, d));
}

export function formatDateTime(v: string | null | undefined): string {
  if (!v) return '';
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? v : dateTimeFmt.format(d);
}

/** Money as stored (a decimal string) with its currency; no float arithmetic on the way. */
export function formatMoney(amount: string | number | null | undefined, currency?: string | null): string {
  if (amount === null || amount === undefined || amount === '') return '';
  const n = Number(amount);
  if (!Number.isFinite(n)) return String(amount);
  try {
    return new Intl.NumberFormat(undefined, { style: 'currency', currency: currency || 'USD', maximumFractionDigits: 2 }).format(n);
  } catch {
    return `${currency ?? ''} ${n.toFixed(2)}`.trim();
  }
}

export function formatNumber(n: number | string | null | undefined, digits = 0): string {
  if (n === null || n === undefined || n === '') return '';
  const v = Number(n);
  return Number.isFinite(v) ? v.toLocaleString(undefined, { maximumFractionDigits: digits }) : String(n);
}

/** Today as `YYYY-MM-DD` in the reader's time zone. */
export function today(): string {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

/** A date `days` from today, as `YYYY-MM-DD`. */
export function daysFromToday(days: number): string {
  const d = new Date();
  d.setDate(d.getDate() + days);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

/** Only web and mail links are links; anything else stored in a URL field is shown as text. */
export function safeHref(v: unknown): string | undefined {
  if (typeof v !== 'string') return undefined;
  const s = v.trim();
  if (/^(https?:\/\/|mailto:|tel:)/i.test(s)) return s;
  if (/^[a-z0-9.-]+\.[a-z]{2,}(\/\S*)?$/i.test(s)) return `https://${s}`;
  return undefined;
}

/** Field errors of a refusal by field name (`data.name` and `name` alike). */
export function fieldErrorsOf(e: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (e instanceof ApiError) {
    for (const f of e.fields) {
      // `data.name` and `name` alike; `rows.0.hours` (schema checks) and `rows[0].hours` (the verbs' own) alike.
      const name = f.field.replace(/^(data|input)\./, '').replace(/\.(\d+)(?=\.|$)/g, '[$1]');
      out[name] = out[name] ? `${out[name]}; ${f.message}` : f.message;
    }
  }
  return out;
}

/** One figure with its label, and a hint where the figure needs one (why it is missing, what it covers). */
export function Kpi({ label, value, hint }: { label: string; value: ReactNode; hint?: ReactNode }) {
  return (
    <div className="kpi" role="group" aria-label={label}>
      <div className="label">{label}</div>
      <div className="value">{value}</div>
      {hint && <div className="small muted">{hint}</div>}
    </div>
  );
}

export function Badge({ children, tone }: { children: ReactNode; tone?: 'good' | 'bad' | 'warn' | 'plain' }) {
  return <span className={`badge ${tone ?? ''}`}>{children}</span>;
}

/** A modal dialog (the platform's <dialog>: focus trapped, Escape closes). */
export function Dialog({ title, open, onClose, children }: { title: string; open: boolean; onClose: () => void; children: ReactNode }) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);
  return (
    <dialog ref={ref} onClose={onClose} aria-labelledby={titleId} className="dialog">
      {open && (
        <>
          <header>
            <h2 id={titleId}>{title}</h2>
            <button type="button" className="plain" onClick={onClose} aria-label="Close">
              ×
            </button>
          </header>
          {children}
        </>
      )}
    </dialog>
  );
}

/**
 * A row of tabs (WAI-ARIA tabs): arrow keys, Home and End move between them and focus follows.
 * Each tab controls the panel with id `${idPrefix}-panel-${key}`; the page keeps which is chosen.
 */
export function TabList<K extends string>({ tabs, current, onSelect, idPrefix, label }: { tabs: readonly (readonly [K, string])[]; current: K; onSelect: (k: K) => void; idPrefix: string; label: string }) {
  const onKey = (e: KeyboardEvent<HTMLDivElement>) => {
    const i = tabs.findIndex(([k]) => k === current);
    let next = -1;
    if (e.key === 'ArrowRight') next = (i + 1) % tabs.length;
    else if (e.key === 'ArrowLeft') next = (i - 1 + tabs.length) % tabs.length;
    else if (e.key === 'Home') next = 0;
    else if (e.key === 'End') next = tabs.length - 1;
    if (next < 0) return;
    e.preventDefault();
    const k = tabs[next]![0];
    onSelect(k);
    requestAnimationFrame(() => document.getElementById(`${idPrefix}-tab-${k}`)?.focus());
  };
  return (
    <div className="tabs" role="tablist" aria-label={label} onKeyDown={onKey}>
      {tabs.map(([k, text]) => (
        <button key={k} type="button" role="tab" id={`${idPrefix}-tab-${k}`} aria-selected={k === current} aria-controls={`${idPrefix}-panel-${k}`} tabIndex={k === current ? 0 : -1} onClick={() => onSelect(k)}>
          {text}
        </button>
      ))}
    </div>
  );
}

/** A titled part of a page: its heading, optional actions beside it, its content and an optional note under it. */
export function Section({ id, title, actions, note, children }: { id: string; title: string; actions?: ReactNode; note?: ReactNode; children: ReactNode }) {
  return (
    <section className="page-section" aria-labelledby={`${id}-h`} id={id}>
      <div className="page-section-head">
        <h2 id={`${id}-h`}>{title}</h2>
        {actions && <div className="actions page-section-actions">{actions}</div>}
      </div>
      {children}
      {note && <p className="small muted page-section-note">{note}</p>}
    </section>
  );
}
