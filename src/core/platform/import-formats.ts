/**
 * What a CSV's columns mean: the fields each import target takes, the header presets of
 * HubSpot and Pipedrive exports, format detection, header signatures, and turning a cell's
 * text into the value a field takes. No database here; imports.ts does the rest.
 */
import { createHash } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import type { ImportFormat, ImportTarget } from '../../db/schema/imports.ts';
import { invalid } from '../errors.ts';
import type { Field } from '../fields.ts';
import { resource } from '../resources.ts';
import { USAGE_COLUMNS } from '../measurement/usage-rows.ts';
import { RELATION_FIELDS } from './import-relations.ts';

/** Rows one import takes; a larger file is split by the person importing it. */
export const MAX_IMPORT_ROWS = 50_000;

/** The fields a column may map to: the target's writable fields and its relation fields. */
export function importFields(target: ImportTarget): string[] {
  const own = target === 'ai_usage' ? USAGE_COLUMNS.filter((c) => c !== 'company_id') : resource(target).writable.map((f) => f.name);
  return [...own, ...RELATION_FIELDS[target]];
}

/** The column's field description (its kind decides how a cell is read); relation fields are text. */
export function fieldOf(target: ImportTarget, name: string): Field | undefined {
  return resource(target).fieldByName.get(name);
}

/** `  Phone Number ` → `phone number`; `Person - Email - Work` → `person - email - work`. */
export const normaliseHeader = (h: string) => h.trim().toLowerCase().replace(/\s+/g, ' ');
/** For matching a header to a field name: `Job Title` → `job_title`. */
const asFieldName = (h: string) => normaliseHeader(h).replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '');

/** A hash of the normalised, sorted header names: files with the same columns share it, whatever their order. */
export function headerSignature(headers: readonly string[]): string {
  const names = headers.map(normaliseHeader).sort();
  return createHash('sha256').update(names.join('\n')).digest('hex');
}

type Preset = Partial<Record<ImportTarget, Record<string, string>>>;

/** HubSpot's export column names (contacts, companies; contacts as leads; activities as interactions). */
const HUBSPOT: Preset = {
  contacts: {
    'first name': 'first_name',
    'last name': 'last_name',
    email: 'email',
    'phone number': 'phone',
    'mobile phone number': 'mobile',
    'job title': 'role_title',
    'company name': 'company_name',
    'associated company': 'company_name',
    'website url': 'company_domain',
    'company domain name': 'company_domain',
    'linkedin url': 'linkedin_url',
    city: 'location',
    department: 'department',
  },
  companies: {
    'company name': 'name',
    name: 'name',
    'company domain name': 'website',
    'website url': 'website',
    industry: 'industry',
    'number of employees': 'employee_count',
    'annual revenue': 'annual_revenue',
    'year founded': 'founded_year',
    'street address': 'address',
    city: 'city',
    'country/region': 'country',
    country: 'country',
    description: 'description',
  },
  leads: {
    'first name': 'first_name',
    'last name': 'last_name',
    email: 'email',
    'phone number': 'phone',
    'job title': 'contact_title',
    'company name': 'company_name',
    'website url': 'company_website',
    'company domain name': 'company_website',
    industry: 'industry',
    message: 'message',
  },
  interactions: {
    'activity date': 'interaction_date',
    'activity type': 'type',
    subject: 'subject',
    'call title': 'subject',
    'call notes': 'notes',
    'email subject': 'subject',
    body: 'content',
    'company name': 'company_name',
    'company domain name': 'company_domain',
    email: 'contact_email',
  },
};

/** Pipedrive's export column names ("<Entity> - <Field>"). */
const PIPEDRIVE: Preset = {
  contacts: {
    'person - name': 'name',
    'person - first name': 'first_name',
    'person - last name': 'last_name',
    'person - email': 'email',
    'person - email - work': 'email',
    'person - email - home': 'email',
    'person - email - other': 'email',
    'person - phone': 'phone',
    'person - phone - work': 'phone',
    'person - phone - mobile': 'mobile',
    'person - job title': 'role_title',
    'person - organization': 'company_name',
    'organization - name': 'company_name',
    'organization - website': 'company_domain',
  },
  companies: {
    'organization - name': 'name',
    'organization - website': 'website',
    'organization - address': 'address',
    'organization - address - city/town/village/locality': 'city',
    'organization - address - city': 'city',
    'organization - address - country': 'country',
    'organization - industry': 'industry',
    'organization - number of employees': 'employee_count',
    'organization - annual revenue': 'annual_revenue',
  },
  leads: {
    'person - first name': 'first_name',
    'person - last name': 'last_name',
    'person - email': 'email',
    'person - email - work': 'email',
    'person - phone': 'phone',
    'person - phone - work': 'phone',
    'person - job title': 'contact_title',
    'organization - name': 'company_name',
    'organization - website': 'company_website',
    'lead - title': 'message',
  },
  interactions: {
    'activity - subject': 'subject',
    'activity - type': 'type',
    'activity - due date': 'interaction_date',
    'activity - note': 'notes',
    'organization - name': 'company_name',
    'person - email': 'contact_email',
  },
};

const PRESETS: Record<Exclude<ImportFormat, 'generic'>, Preset> = { hubspot: HUBSPOT, pipedrive: PIPEDRIVE };

/** Columns that only HubSpot's exports carry. */
const HUBSPOT_MARKERS = new Set([
  'record id',
  'lifecycle stage',
  'contact owner',
  'company owner',
  'create date',
  'company domain name',
  'associated company',
  'last activity date',
  'lead status',
  'original source',
  'hubspot score',
  'marketing contact status',
]);
const PIPEDRIVE_COLUMN = /^(person|organization|deal|lead|activity|product|note) - /;

/** HubSpot, Pipedrive or a file of our own (or anyone's): from its headers. */
export function detectFormat(headers: readonly string[]): ImportFormat {
  const names = headers.map(normaliseHeader);
  const pipedrive = names.filter((h) => PIPEDRIVE_COLUMN.test(h)).length;
  const hubspot = names.filter((h) => HUBSPOT_MARKERS.has(h)).length;
  if (pipedrive > 0 && pipedrive >= hubspot) return 'pipedrive';
  if (hubspot > 0) return 'hubspot';
  return 'generic';
}

/** The field a format's preset gives a header, if any. */
export function presetField(format: ImportFormat, target: ImportTarget, header: string): string | undefined {
  if (format === 'generic') return undefined;
  return PRESETS[format][target]?.[normaliseHeader(header)];
}

/** Common names for fields, beyond the field names themselves. */
const SYNONYMS: Record<ImportTarget, Record<string, string>> = {
  companies: { company: 'name', company_name: 'name', domain: 'website', url: 'website', employees: 'employee_count' },
  contacts: { company: 'company_name', organization: 'company_name', website: 'company_domain', domain: 'company_domain', title: 'role_title', job_title: 'role_title', full_name: 'name', phone_number: 'phone', mobile_phone: 'mobile' },
  leads: { company: 'company_name', website: 'company_website', title: 'contact_title', job_title: 'contact_title', phone_number: 'phone' },
  interactions: { date: 'interaction_date', company: 'company_name', contact: 'contact_email', email: 'contact_email' },
  ai_usage: { date: 'usage_date', tokens: 'tokens_used', email: 'contact_email' },
};

/** Matching by name: the header written as a field name, or a common name for one. */
export function autoField(target: ImportTarget, header: string, fields: ReadonlySet<string>): string | undefined {
  const name = asFieldName(header);
  if (fields.has(name)) return name;
  const syn = SYNONYMS[target][name];
  return syn && fields.has(syn) ? syn : undefined;
}

export type ParsedCsv = {
  headers: string[];
  /** The data rows' cells, in header order; a row shorter than the header has empty cells. */
  rows: string[][];
  /** Rows holding more cells than the header: their 0-based index and count. */
  overlong: Map<number, number>;
};

/** A CSV with a header row; empty lines and rows of empty cells are left out. */
export function parseImportCsv(text: string): ParsedCsv {
  let records: string[][];
  try {
    records = parse(text, { bom: true, skip_empty_lines: true, relax_column_count: true, relax_quotes: false }) as string[][];
  } catch (e) {
    const err = e as { message?: string; lines?: number };
    const reason = (err.message ?? 'cannot be read').replace(/\s+/g, ' ').slice(0, 300);
    throw invalid([{ field: 'csv', message: `is not valid CSV: ${reason}` }], `The CSV cannot be read: ${reason}`);
  }
  const [head, ...body] = records;
  if (!head || head.every((h) => h.trim() === '')) throw invalid([{ field: 'csv', message: 'is empty; send a header row of column names, then one row per line' }]);
  const headers = head.map((h, i) => h.trim() || `Column ${i + 1}`);
  const seen = new Map<string, number>();
  const dup = headers.find((h) => {
    const n = normaliseHeader(h);
    if (seen.has(n)) return true;
    seen.set(n, 1);
    return false;
  });
  if (dup) throw invalid([{ field: 'csv', message: `has the column "${dup.slice(0, 100)}" twice; name each column once` }]);
  const rows: string[][] = [];
  const overlong = new Map<number, number>();
  for (const r of body) {
    if (r.every((c) => c.trim() === '')) continue;
    if (r.length > headers.length) overlong.set(rows.length, r.length);
    rows.push(headers.map((_, i) => r[i] ?? ''));
  }
  if (rows.length === 0) throw invalid([{ field: 'csv', message: 'holds no rows under its header' }]);
  if (rows.length > MAX_IMPORT_ROWS) {
    throw invalid([{ field: 'csv', message: `holds ${rows.length} rows; at most ${MAX_IMPORT_ROWS} are taken in one import: split the file` }]);
  }
  return { headers, rows, overlong };
}

/**
 * Undoes what our own CSV export does to text a spreadsheet would run as a formula (see
 * neutraliseFormula in words.ts): an apostrophe before =, +, -, @, tab or CR is dropped.
 * Nothing else is touched: other text, formula-like or not, is stored as given.
 */
export function restoreNeutralised(cell: string): string {
  return /^'[=+\-@\t\r]/.test(cell) ? cell.slice(1) : cell;
}

const THOUSANDS = /^-?\d{1,3}(,\d{3})+(\.\d+)?$/;

/**
 * A cell's text as the value its field takes. What cannot be read is passed on as text, so
 * the field's own schema names the problem ("must be a whole number").
 */
export function cellValue(field: Field | undefined, raw: string): unknown {
  const text = restoreNeutralised(raw);
  if (!field) return text;
  const t = text.trim();
  switch (field.kind) {
    case 'text':
      return text;
    case 'enum': {
      const values = field.enumValues ?? [];
      if (values.includes(t)) return t;
      const norm = t.toLowerCase().replace(/[\s-]+/g, '_');
      return values.find((v) => v === norm) ?? t;
    }
    case 'integer':
    case 'bigint': {
      const s = THOUSANDS.test(t) ? t.replace(/,/g, '') : t;
      if (/^-?\d{1,16}(\.0+)?$/.test(s)) return Number(s.replace(/\.0+$/, ''));
      return t;
    }
    case 'numeric':
      return THOUSANDS.test(t) ? t.replace(/,/g, '') : t;
    case 'boolean':
      if (/^(true|yes|y|1)$/i.test(t)) return true;
      if (/^(false|no|n|0)$/i.test(t)) return false;
      return t;
    case 'timestamp':
      // Exports without a zone (HubSpot's "2024-03-15 10:22") are read as UTC.
      if (/^\d{4}-\d{2}-\d{2}$/.test(t)) return `${t}T00:00:00Z`;
      if (/^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?$/.test(t)) return `${t.replace(' ', 'T')}${t.length === 16 ? ':00' : ''}Z`;
      return t;
    case 'date':
      if (/^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}/.test(t)) return t.slice(0, 10);
      return t;
    case 'uuid':
      return t.toLowerCase();
    case 'json':
      if (/^[[{]/.test(t)) {
        try {
          return JSON.parse(t) as unknown;
        } catch {
          return text;
        }
      }
      return text;
    case 'text_array':
      return text.split(';').map((s) => s.trim()).filter((s) => s !== '');
    default:
      return text;
  }
}
