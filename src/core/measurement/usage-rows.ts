/**
 * Rows of client AI usage as they arrive (JSON items or CSV lines): the shape of one row,
 * CSV parsing, and the idempotency key. No database here; usage.ts checks the references.
 */
import { createHash } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import { z } from 'zod';
import { ai_usage } from '../../db/schema/measurement.ts';
import { AppError, invalid, zodFieldErrors, type FieldError } from '../errors.ts';
import { tableFields } from '../fields.ts';

export const MAX_USAGE_ROWS = 10_000;
/** Field errors listed in one refusal; the message still gives the total. */
export const MAX_LISTED_ERRORS = 100;
/** Keys this system derives from a row's content; a client's own key may not take this form. */
export const AUTO_KEY_PREFIX = 'auto:';

const column = new Map(tableFields(ai_usage).map((f) => [f.name, f.value]));
const col = (name: string) => column.get(name)!;

const NUL = /\u0000/;
/** Optional text: blank means not given (so a CSV's empty cell and a missing key agree), and PostgreSQL text cannot hold NUL. */
const optionalText = (name: string) =>
  z
    .union([col(name) as z.ZodType<string>, z.null()])
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === null || v === '') return null;
      if (NUL.test(v)) {
        ctx.addIssue({ code: 'custom', message: 'must not contain NUL characters' });
        return z.NEVER;
      }
      return v;
    });

/** One usage row as a client sends it; `company_id` is accepted only to be checked against the engagement. */
export const UsageRowInput = z.strictObject({
  engagement_id: col('engagement_id') as z.ZodType<string>,
  company_id: (col('company_id') as z.ZodType<string>).optional(),
  contact_id: (col('contact_id') as z.ZodType<string>).nullable().optional(),
  usage_date: col('usage_date') as z.ZodType<string>,
  tokens_used: z
    .int({ message: 'must be a whole number' })
    .min(0, 'must be 0 or more')
    .max(Number.MAX_SAFE_INTEGER, 'is too large'),
  model: optionalText('model'),
  source: optionalText('source'),
  idempotency_key: optionalText('idempotency_key').refine((k) => k === null || !k.startsWith(AUTO_KEY_PREFIX), {
    message: `must not start with "${AUTO_KEY_PREFIX}" (reserved for keys derived from a row's content)`,
  }),
  notes: optionalText('notes'),
});
export type UsageRowInput = z.input<typeof UsageRowInput>;

export const USAGE_COLUMNS = Object.keys(UsageRowInput.shape);

/** A validated row, ids in lower case, ready to insert once its references are checked. */
export type UsageRow = {
  engagement_id: string;
  company_id: string | null;
  contact_id: string | null;
  usage_date: string;
  tokens_used: number;
  model: string | null;
  source: string | null;
  idempotency_key: string;
  notes: string | null;
  /** Where the row came from, to name it in errors: `items[3]`, `line 5`, or '' for a single row. */
  at: string;
};

/** `auto:` + sha256 of what makes a row this row: two rows alike in all of these are one row. */
export function usageKey(r: Pick<UsageRow, 'engagement_id' | 'contact_id' | 'usage_date' | 'model' | 'source' | 'tokens_used'>): string {
  const content = `${r.engagement_id}|${r.contact_id ?? ''}|${r.usage_date}|${r.model ?? ''}|${r.source ?? ''}|${r.tokens_used}`;
  return AUTO_KEY_PREFIX + createHash('sha256').update(content).digest('hex');
}

/** Names a field of a row the way the client addressed it: `items[3].tokens_used` or `line 5: tokens_used`. */
export const fieldAt = (at: string, field: string) => (at === '' ? field : at.startsWith('line ') ? `${at}: ${field}` : `${at}.${field}`);

const UUID = z.regexes.uuid();
const DATE = z.regexes.date;
const maxLength = (name: string) => (col(name) as z.ZodString).maxLength ?? Number.POSITIVE_INFINITY;
const TEXT_MAX = { model: maxLength('model'), source: maxLength('source'), idempotency_key: maxLength('idempotency_key'), notes: maxLength('notes') };
const KNOWN = new Set(USAGE_COLUMNS);
const isId = (v: unknown): v is string => typeof v === 'string' && UUID.test(v);
const isText = (v: unknown, max: number) => v === undefined || v === null || (typeof v === 'string' && v.length <= max && !NUL.test(v));
const text = (v: unknown) => (typeof v === 'string' && v !== '' ? v : null);

/**
 * The common case without the schema: a row that is plainly valid, or undefined. It accepts
 * only what UsageRowInput accepts (test/usage.test.ts holds them to it); anything else goes
 * through the schema, which names the problem. A batch of 10,000 rows spends most of its
 * JavaScript time here, so this is what keeps ingestion near COPY speed.
 */
function plainRow(v: Record<string, unknown>): Omit<UsageRow, 'idempotency_key' | 'at'> & { key: string | null } | undefined {
  for (const k in v) if (!KNOWN.has(k)) return undefined;
  const { engagement_id: e, company_id: co, contact_id: ct, usage_date: d, tokens_used: t, model, source, idempotency_key: key, notes } = v;
  if (!isId(e) || (co !== undefined && !isId(co)) || (ct !== undefined && ct !== null && !isId(ct))) return undefined;
  if (typeof d !== 'string' || !DATE.test(d)) return undefined;
  const year = Number(d.slice(0, 4));
  if (year < 1900 || year > 2200) return undefined;
  if (typeof t !== 'number' || !Number.isSafeInteger(t) || t < 0) return undefined;
  if (!isText(model, TEXT_MAX.model) || !isText(source, TEXT_MAX.source) || !isText(notes, TEXT_MAX.notes) || !isText(key, TEXT_MAX.idempotency_key)) return undefined;
  if (typeof key === 'string' && key.startsWith(AUTO_KEY_PREFIX)) return undefined;
  return {
    engagement_id: e.toLowerCase(),
    company_id: co === undefined ? null : (co as string).toLowerCase(),
    contact_id: ct === undefined || ct === null ? null : (ct as string).toLowerCase(),
    usage_date: d,
    tokens_used: t,
    model: text(model),
    source: text(source),
    notes: text(notes),
    key: text(key),
  };
}

/** Validates one row's shape and fills the defaults; field errors go to `errors`. */
export function readRow(raw: unknown, at: string, defaultEngagement: string | undefined, errors: FieldError[]): UsageRow | undefined {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
    errors.push({ field: at || 'body', message: 'must be an object' });
    return undefined;
  }
  const given = raw as Record<string, unknown>;
  const input = given.engagement_id === undefined && defaultEngagement !== undefined ? { ...given, engagement_id: defaultEngagement } : given;
  const plain = plainRow(input);
  if (plain) {
    const { key, ...row } = plain;
    return { ...row, idempotency_key: key ?? usageKey(row), at };
  }
  const r = UsageRowInput.safeParse(input, { reportInput: true });
  if (!r.success) {
    const seen = new Set<string>();
    for (const f of zodFieldErrors(r.error)) {
      // One error per field: a bad date or number can fail several checks at once.
      if (seen.has(f.field)) continue;
      seen.add(f.field);
      const message = f.field === 'engagement_id' && f.message === 'is required' ? 'is required (on the row, or as the request’s engagement_id)' : f.message;
      errors.push({ field: fieldAt(at, f.field), message });
    }
    return undefined;
  }
  const v = r.data;
  const row = {
    engagement_id: v.engagement_id.toLowerCase(),
    company_id: v.company_id?.toLowerCase() ?? null,
    contact_id: v.contact_id?.toLowerCase() ?? null,
    usage_date: v.usage_date,
    tokens_used: v.tokens_used,
    model: v.model,
    source: v.source,
    notes: v.notes,
  };
  return { ...row, idempotency_key: v.idempotency_key ?? usageKey(row), at };
}

/**
 * A CSV with a header row of column names into raw rows, each tagged with the line it ends
 * on (the header is line 1). Cells stay text but for tokens_used, which becomes a number when
 * it is written as a whole number; empty cells are left out.
 */
export function parseUsageCsv(text: string): { rows: Record<string, unknown>[]; lines: number[] } {
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, { info: true, bom: true, skip_empty_lines: true, trim: true, relax_column_count: false }) as unknown as typeof records;
  } catch (e) {
    const err = e as { message?: string; lines?: number };
    const where = typeof err.lines === 'number' ? `line ${err.lines}` : 'csv';
    const reason = (err.message ?? 'cannot be read').replace(/\s+/g, ' ').slice(0, 300);
    throw invalid([{ field: where === 'csv' ? 'csv' : `${where}: csv`, message: `is not valid CSV: ${reason}` }], `The CSV cannot be read: ${reason}`);
  }
  const [head, ...body] = records;
  if (!head) throw invalid([{ field: 'csv', message: 'is empty; send a header row of column names, then one row per line' }]);
  const known = new Set(USAGE_COLUMNS);
  const header = head.record;
  const errors: FieldError[] = [];
  header.forEach((name, i) => {
    if (!known.has(name)) errors.push({ field: `line 1: ${name || `column ${i + 1}`}`, message: `is not a known column; columns: ${USAGE_COLUMNS.join(', ')}` });
    else if (header.indexOf(name) !== i) errors.push({ field: `line 1: ${name}`, message: 'appears twice in the header' });
  });
  if (errors.length) throw invalid(errors);
  if (body.length > MAX_USAGE_ROWS) throw tooMany(body.length);
  const rows = body.map(({ record }) => {
    const row: Record<string, unknown> = {};
    header.forEach((name, i) => {
      const cell = record[i]!;
      if (cell === '') return;
      row[name] = name === 'tokens_used' && /^-?\d{1,16}$/.test(cell) ? Number(cell) : cell;
    });
    return row;
  });
  return { rows, lines: body.map((r) => r.info.lines) };
}

export const tooMany = (n: number) =>
  new AppError('LIMIT_EXCEEDED', `${n} rows in one request; at most ${MAX_USAGE_ROWS} are accepted: split the batch into requests of ${MAX_USAGE_ROWS} rows or fewer`, {
    details: { max_rows: MAX_USAGE_ROWS, rows: n },
  });
