/**
 * Bench data: the contacts that make the list query realistic (seeded in SQL with
 * generate_series, identical on PostgreSQL and PGlite) and the rows that the bulk
 * benchmark sends both through the API (JSON) and through COPY (CSV).
 */
import { resources } from '../src/core/resources.ts';

/** The columns the list operation returns for contacts: the resource's output fields, in order. */
export function contactListColumns(): string[] {
  const res = resources.find((r) => r.name === 'contacts');
  if (!res) throw new Error('bench: the contacts resource is missing from src/core/resources.ts');
  return res.output.map((f) => f.name);
}

/**
 * The SQL that `GET /api/v1/contacts?limit=N` runs (default sort -created_at, archived
 * excluded, one extra row to know whether there is a next page); the bare baselines run
 * exactly this. `run.ts` checks at start that both servers return the same ids in the same order.
 */
export function listSql(): string {
  const cols = contactListColumns()
    .map((c) => `"${c}"`)
    .join(', ');
  return (
    `select ${cols} from "contacts" where "contacts"."archived_at" is null ` +
    `order by "contacts"."created_at" desc, "contacts"."id" desc limit $1`
  );
}

const FIRST = ['Ava', 'Noah', 'Mia', 'Liam', 'Zoe', 'Kai', 'Isla', 'Ravi', 'Priya', 'Omar', 'Lena', 'Tom'];
const LAST = ['Nguyen', 'Smith', 'Ramkissoon', 'Chen', 'Patel', 'Williams', 'Brown', 'Singh', 'Jones', 'Ali', 'Garcia', 'Khan', 'Taylor'];
const ROLES = ['Operations Manager', 'Managing Director', 'Finance Lead', 'IT Manager', 'Office Manager', 'Head of Sales'];
const DEPTS = ['Operations', 'Executive', 'Finance', 'IT', 'Administration', 'Sales'];
const PLACES = ['Sydney', 'Melbourne', 'Brisbane', 'Port of Spain', 'San Fernando', 'Perth', 'Adelaide'];

const sqlArray = (xs: string[]) => `array[${xs.map((x) => `'${x.replace(/'/g, "''")}'`).join(', ')}]`;

/**
 * Seeds `count` contacts, newest first a few seconds apart over the last weeks, 2% archived
 * and 5% without an email, then ANALYZEs the table. Runs as one statement on either database.
 */
export function seedContactsSql(count: number): string {
  const n = Math.max(0, Math.trunc(count));
  return `insert into contacts (name, first_name, last_name, email, has_email, role_title, department, phone, location,
      status, is_decision_maker, created_at, updated_at, archived_at)
    select p.f || ' ' || p.l, p.f, p.l,
      case when g % 20 = 0 then null else lower(p.f) || '.' || lower(p.l) || g || '@example.com' end,
      g % 20 <> 0,
      (${sqlArray(ROLES)})[1 + g % ${ROLES.length}],
      (${sqlArray(DEPTS)})[1 + g % ${DEPTS.length}],
      '+61 2 5550 ' || lpad((g % 10000)::text, 4, '0'),
      (${sqlArray(PLACES)})[1 + g % ${PLACES.length}],
      case when g % 7 = 0 then 'inactive' else 'active' end,
      g % 9 = 0,
      now() - g * interval '13 seconds',
      now() - g * interval '13 seconds',
      case when g % 50 = 0 then now() - g * interval '11 seconds' else null end
    from generate_series(1, ${n}) as g,
      lateral (select (${sqlArray(FIRST)})[1 + g % ${FIRST.length}] as f,
                      (${sqlArray(LAST)})[1 + (g / ${FIRST.length}) % ${LAST.length}] as l) as p`;
}

/** One contact as a client would send it to contacts.bulk_create. */
export type BulkContact = {
  name: string;
  first_name: string;
  last_name: string;
  email: string;
  role_title: string;
  department: string;
  phone: string;
  location: string;
};

/** The columns COPY writes, in CSV order; has_email is what the API's prepare() derives from email. */
export const COPY_COLUMNS = ['name', 'first_name', 'last_name', 'email', 'has_email', 'role_title', 'department', 'phone', 'location'] as const;

export function bulkContact(i: number): BulkContact {
  const f = FIRST[i % FIRST.length]!;
  const l = LAST[Math.floor(i / FIRST.length) % LAST.length]!;
  return {
    name: `${f} ${l}`,
    first_name: f,
    last_name: l,
    email: `${f.toLowerCase()}.${l.toLowerCase()}.${i}@bulk.example.com`,
    role_title: ROLES[i % ROLES.length]!,
    department: DEPTS[i % DEPTS.length]!,
    phone: `+61 3 5550 ${String(i % 10000).padStart(4, '0')}`,
    location: PLACES[i % PLACES.length]!,
  };
}

function csvField(v: string | boolean): string {
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvLine(c: BulkContact): string {
  const row: Record<string, string | boolean> = { ...c, has_email: c.email !== '' };
  return `${COPY_COLUMNS.map((k) => csvField(row[k]!)).join(',')}\n`;
}

/** Rows [0, total) cut into request bodies of `batch` rows each, serialised ahead of timing. */
export function bulkBodies(total: number, batch: number): string[] {
  const bodies: string[] = [];
  for (let start = 0; start < total; start += batch) {
    const items: BulkContact[] = [];
    for (let i = start; i < Math.min(total, start + batch); i++) items.push(bulkContact(i));
    bodies.push(JSON.stringify({ items }));
  }
  return bodies;
}

/** The same rows as CSV, in chunks of `batch` rows. */
export function bulkCsvChunks(total: number, batch: number): string[] {
  const chunks: string[] = [];
  for (let start = 0; start < total; start += batch) {
    let s = '';
    for (let i = start; i < Math.min(total, start + batch); i++) s += csvLine(bulkContact(i));
    chunks.push(s);
  }
  return chunks;
}
