/** A stored value shown as its field's kind says: dates as dates, ids as links to their record, web addresses as safe links, everything else as text. */
import { Link } from '../Link.tsx';
import { humanise, type FieldInfo } from '../schema.tsx';
import type { Stage } from './pipeline.ts';
import { formatDate, formatDateTime, formatMoney, formatNumber, safeHref } from './ui.tsx';

export function Value({ field, row, label, stages }: { field: FieldInfo; row: Record<string, unknown>; label?: (table: string, id: string) => string | undefined; stages?: Stage[] | undefined }) {
  const v = row[field.name];
  if (v === null || v === undefined || v === '') return <span className="muted">—</span>;
  if (stages) {
    const stage = stages.find((s) => s.key === v);
    return <span className={`badge ${stage?.is_won ? 'good' : stage?.is_lost ? 'bad' : ''}`}>{stage?.label ?? String(v)}</span>;
  }
  if (field.references && typeof v === 'string') {
    return <Link to={`/${field.references}/${v}`}>{label?.(field.references, v) ?? `#${v.slice(0, 8)}`}</Link>;
  }
  switch (field.kind) {
    case 'enum':
      return <span className="badge plain">{humanise(String(v))}</span>;
    case 'boolean':
      return <>{v ? 'Yes' : 'No'}</>;
    case 'date':
      return <>{formatDate(String(v))}</>;
    case 'timestamp':
      return <time dateTime={String(v)}>{formatDateTime(String(v))}</time>;
    case 'numeric':
      return <>{typeof row.currency === 'string' && /(value|amount|price|fee|cost|total|revenue|budget|rate)/.test(field.name) ? formatMoney(String(v), row.currency) : formatNumber(String(v), field.scale ?? 2)}</>;
    case 'integer':
    case 'bigint':
      return <>{formatNumber(Number(v))}</>;
    case 'json':
      return <code className="json">{JSON.stringify(v)}</code>;
    case 'text_array':
      return <>{Array.isArray(v) ? v.join(', ') : String(v)}</>;
    default: {
      const s = String(v);
      if (/(^|_)(website|url)$/.test(field.name)) {
        const href = safeHref(s);
        return href ? (
          <a href={href} target="_blank" rel="noopener noreferrer">
            {s}
          </a>
        ) : (
          <>{s}</>
        );
      }
      if (/email$/.test(field.name) && /^[^\s@]+@[^\s@]+$/.test(s)) return <a href={`mailto:${s}`}>{s}</a>;
      return <>{s}</>;
    }
  }
}

/** Whether a field is worth a column in a list by default. */
export const listable = (f: FieldInfo) => !['id', 'version', 'archived_at', 'created_at'].includes(f.name) && f.kind !== 'json' && f.kind !== 'text_array' && !/(notes|description|summary|body|content|text|answers|factors)$/.test(f.name);
