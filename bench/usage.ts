/**
 * Benchmark 4: usage ingestion and the monthly report over a large ai_usage table.
 *
 * The data is seedScale()'s (200 engagements, 50 contacts each, U ai_usage rows spread over
 * the last 365 days, and the monthly rollup), plus, here, what every other section of the
 * report reads, generated per engagement: 40 tasks with a measurement each month, 60
 * support tickets, 8 training sessions with 20 invited each, 200 work entries, a setup and
 * 12 monthly invoices, 20 licences and 3 tools.
 *
 * - Ingest (PostgreSQL): the same new rows once through `COPY ai_usage (…) FROM STDIN` on
 *   one connection, and once through `POST /api/v1/ai_usage/ingest` in batches, one request
 *   at a time, into the full table with every index. COPY maintains no rollup; the API does.
 * - Report: `GET /api/v1/reports/monthly?engagement=…&month=…` (JSON, every section),
 *   one request at a time over random engagements and the last 12 months, p50/p95.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import pgCopy from 'pg-copy-streams';
import type { Database } from '../src/db/client.ts';

const uid = (kind: number, expr: string) => `('5ca1e000-000${kind}-4000-8000-' || lpad(to_hex(${expr}), 12, '0'))::uuid`;
const ENG = (e: string) => uid(3, e);
const CO = (e: string) => uid(1, e);

/**
 * SQL that fills the report's other sections for engagements 1..E of a seedScale() database
 * with C companies (company e has contacts e, e + C, e + 2C, …).
 */
export function deliverySql(E: number, C: number): string[] {
  const contact = (e: string, k: string) => uid(2, `${e} + (${k}) * ${C}`);
  return [
    `update engagements set currency = 'AUD', hourly_rate_value = 85, monthly_fee = 2500, setup_fee = 9000, estimated_hours = 160
      where id in (select ${ENG('e')} from generate_series(1, ${E}) e)`,
    `insert into settings (key, value) values ('exchange_rates', '{"USD":"1","AUD":"0.66"}'::jsonb)
      on conflict (key) do update set value = excluded.value`,
    `insert into contact_tasks (id, contact_id, engagement_id, company_id, task_name, frequency, occurrences_per_month,
                                time_before_ai, ai_adoption_status, software_used)
     select ${uid(5, '(e - 1) * 40 + t')}, ${contact('e', '(t - 1) % 20')}, ${ENG('e')}, ${CO('e')}, 'task ' || t,
            (array['daily','weekly','monthly','per_project','ad_hoc'])[t % 5 + 1],
            case when t % 5 >= 3 then 3 else null end, 30 + (t * 7) % 90, 'adopted', 'Procore'
       from generate_series(1, ${E}) e, generate_series(1, 40) t`,
    `insert into task_measurements (task_id, measured_on, time_after_ai, occurrences)
     select ${uid(5, '(e - 1) * 40 + t')}, (date_trunc('month', current_date) - (m || ' months')::interval)::date + 14,
            greatest(1, (30 + (t * 7) % 90) * (40 + m * 3) / 100), case when m % 2 = 0 then 10 + t % 7 else null end
       from generate_series(1, ${E}) e, generate_series(1, 40) t, generate_series(0, 11) m`,
    `update contact_tasks ct set time_after_ai = m.time_after_ai
       from (select distinct on (task_id) task_id, time_after_ai from task_measurements order by task_id, measured_on desc) m
      where m.task_id = ct.id`,
    `insert into support_tickets (ticket_number, engagement_id, company_id, contact_id, request_date, subject, category,
                                  priority, status, resolution, hours_spent, resolved_at)
     select 'BENCH-' || e || '-' || k, ${ENG('e')}, ${CO('e')}, ${contact('e', 'k % 20')},
            now() - ((k * 6) || ' days')::interval, 'ticket ' || k,
            (array['mcp_issue','skill_issue','question','bug'])[k % 4 + 1], 'medium',
            case when k < 3 then 'open' else 'resolved' end, case when k < 3 then null else 'fixed' end,
            case when k < 3 then null else 0.5 + (k % 4) * 0.5 end,
            case when k < 3 then null else now() - ((k * 6) || ' days')::interval + ((k % 5 + 1) || ' hours')::interval end
       from generate_series(1, ${E}) e, generate_series(0, 59) k`,
    `insert into training_sessions (id, engagement_id, session_number, title, scheduled_date, completed_date, status)
     select ${uid(6, '(e - 1) * 8 + s')}, ${ENG('e')}, s, 'session ' || s, now() - ((300 - s * 30) || ' days')::interval,
            now() - ((300 - s * 30) || ' days')::interval, 'completed'
       from generate_series(1, ${E}) e, generate_series(1, 8) s`,
    `insert into training_attendance (session_id, contact_id, attended)
     select ${uid(6, '(e - 1) * 8 + s')}, ${contact('e', 'k')}, (e + s + k) % 6 <> 0
       from generate_series(1, ${E}) e, generate_series(1, 8) s, generate_series(0, 19) k`,
    `insert into work_completed (engagement_id, category, hours, work_date, performed_by)
     select ${ENG('e')}, (array['mcp_build','skill_creation','training','support','reporting'])[w % 5 + 1],
            1 + (w % 8) * 0.5, current_date - (w * 365 / 200), 'Bench'
       from generate_series(1, ${E}) e, generate_series(1, 200) w`,
    `update engagements g set actual_hours = s.h
       from (select engagement_id, sum(hours) h from work_completed group by engagement_id) s where s.engagement_id = g.id`,
    `insert into invoices (invoice_number, company_id, engagement_id, invoice_type, amount, currency, status, issue_date, due_date, paid_date)
     select 'BENCH-INV-' || e || '-' || m, ${CO('e')}, ${ENG('e')}, case when m = 12 then 'setup' else 'monthly' end,
            case when m = 12 then 9000 else 2500 end, 'AUD', case when m = 0 then 'sent' else 'paid' end,
            (date_trunc('month', current_date) - (m || ' months')::interval)::date,
            (date_trunc('month', current_date) - (m || ' months')::interval)::date + 14,
            case when m = 0 then null else (date_trunc('month', current_date) - (m || ' months')::interval)::date + 10 end
       from generate_series(1, ${E}) e, generate_series(0, 12) m`,
    `insert into ai_licenses (engagement_id, contact_id, email, license_status, assigned_at, monthly_cost, currency)
     select ${ENG('e')}, ${contact('e', 'k')}, 'seat' || k || '@example.com', 'active', now() - interval '400 days', 30, 'USD'
       from generate_series(1, ${E}) e, generate_series(0, 19) k`,
    `insert into engagement_tools (engagement_id, tool_name, status, monthly_cost, currency, created_at)
     select ${ENG('e')}, (array['n8n Cloud','Procore','Xero'])[t], 'active', (array[50, 0, 35])[t], (array['USD','AUD','AUD'])[t], now() - interval '400 days'
       from generate_series(1, ${E}) e, generate_series(1, 3) t`,
    `analyze contact_tasks, task_measurements, support_tickets, training_sessions, training_attendance, work_completed, invoices, ai_licenses, engagement_tools`,
  ];
}

export async function seedDelivery(database: Database, engagements: number, companies: number): Promise<void> {
  for (const statement of deliverySql(engagements, companies)) await database.query(statement);
}

export type UsageRow = { engagement: number; contactK: number | null; date: string; tokens: number; key: string };

/** New usage rows (not in the seeded table): spread over the engagements, dated this month. */
export function newUsageRows(rows: number, engagements: number, companies: number, tag: string): { items: Record<string, unknown>[]; csv: string[] } {
  const today = new Date();
  const y = today.getUTCFullYear();
  const m = today.getUTCMonth();
  const items: Record<string, unknown>[] = [];
  const csv: string[] = [];
  const hex = (kind: number, n: number) => `5ca1e000-000${kind}-4000-8000-${n.toString(16).padStart(12, '0')}`;
  for (let n = 0; n < rows; n++) {
    const e = (n % engagements) + 1;
    const k = Math.floor(n / engagements) % 50;
    const contact = k % 20 === 19 ? null : hex(2, e + k * companies);
    const day = (Math.floor(n / (engagements * 50)) % Math.max(1, today.getUTCDate())) + 1;
    const date = new Date(Date.UTC(y, m, day)).toISOString().slice(0, 10);
    const tokens = 100 + ((n * 2654435761) % 20000);
    const key = `${tag}-${n}`;
    const engagementId = hex(3, e);
    items.push({ engagement_id: engagementId, contact_id: contact, usage_date: date, tokens_used: tokens, model: 'claude-sonnet-4', source: 'bench', idempotency_key: key });
    csv.push(`${engagementId},${hex(1, e)},${contact ?? ''},${date},${tokens},claude-sonnet-4,bench,${key}\n`);
  }
  return { items, csv };
}

export type IngestRun = { label: string; rows: number; ms: number; rowsPerSec: number; requests: number };

export async function copyUsage(url: string, lines: string[]): Promise<IngestRun> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const sql = 'COPY ai_usage (engagement_id, company_id, contact_id, usage_date, tokens_used, model, source, idempotency_key) FROM STDIN WITH (FORMAT csv)';
    const chunks: string[] = [];
    for (let i = 0; i < lines.length; i += 5_000) chunks.push(lines.slice(i, i + 5_000).join(''));
    const t0 = performance.now();
    await pipeline(Readable.from(chunks), client.query(pgCopy.from(sql)));
    const ms = performance.now() - t0;
    return { label: 'COPY FROM STDIN (1 connection, no rollup)', rows: lines.length, ms, rowsPerSec: (lines.length / ms) * 1000, requests: 1 };
  } finally {
    await client.end();
  }
}

export async function ingestUsage(apiBase: string, key: string, items: Record<string, unknown>[], batch: number): Promise<IngestRun> {
  const bodies: string[] = [];
  for (let i = 0; i < items.length; i += batch) bodies.push(JSON.stringify({ items: items.slice(i, i + batch) }));
  const t0 = performance.now();
  let inserted = 0;
  for (const body of bodies) {
    const res = await fetch(`${apiBase}/api/v1/ai_usage/ingest`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, body });
    const text = await res.text();
    if (res.status !== 201) throw new Error(`ingest answered ${res.status}: ${text.slice(0, 500)}`);
    inserted += (JSON.parse(text) as { inserted: number }).inserted;
  }
  const ms = performance.now() - t0;
  if (inserted !== items.length) throw new Error(`ingest inserted ${inserted} of ${items.length} rows`);
  return { label: `API POST /ai_usage/ingest, ${batch} rows per request (with rollup)`, rows: items.length, ms, rowsPerSec: (items.length / ms) * 1000, requests: bodies.length };
}

export type ReportRun = { label: string; requests: number; p50: number; p95: number; p99: number; mean: number };

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

/** Whole monthly reports, one request at a time: random engagement, one of the last 12 months. */
export async function reportLatency(apiBase: string, key: string, label: string, engagements: number, requests: number, warmup = 30): Promise<ReportRun> {
  const hex = (n: number) => `5ca1e000-0003-4000-8000-${n.toString(16).padStart(12, '0')}`;
  const now = new Date();
  let seed = 12345;
  const rand = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  const times: number[] = [];
  for (let i = 0; i < warmup + requests; i++) {
    const back = rand(12);
    const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - back, 1));
    const month = d.toISOString().slice(0, 7);
    const url = `${apiBase}/api/v1/reports/monthly?engagement=${hex(rand(engagements) + 1)}&month=${month}`;
    const t0 = performance.now();
    const res = await fetch(url, { headers: { authorization: `Bearer ${key}` } });
    const text = await res.text();
    const ms = performance.now() - t0;
    if (res.status !== 200) throw new Error(`report answered ${res.status}: ${text.slice(0, 500)}`);
    if (i >= warmup) times.push(ms);
  }
  times.sort((a, b) => a - b);
  return { label, requests, p50: percentile(times, 50), p95: percentile(times, 95), p99: percentile(times, 99), mean: times.reduce((a, b) => a + b, 0) / times.length };
}
