/**
 * Benchmark 8: the insights dashboard (issue 10) over the large demo dataset.
 *
 * Target (issue 10): with 1M contacts and 10M usage rows, every dashboard's queries together
 * answer in under 200 ms p95 on PostgreSQL. Measured here as a "dashboard load": the six
 * dashboard insights one after the other, as the web page asks for them
 * (GET /api/v1/insights/funnel, acquisition, sales, delivery, money, calibration with no query
 * parameters, i.e. the default period of the 90 days ending today), and the same six again with a
 * 365-day period; then three `insights.aggregate` questions. Every request goes through the real
 * server child over HTTP with an administrator's API key. The baseline, in the same rounds, is as
 * many requests to GET /api/v1/auth/me (authentication and the HTTP stack, next to no query).
 *
 * The data: seedScale() (companies, contacts, engagements, ai_usage and its monthly rollup), the
 * usage phase's delivery sections (deliverySql: tasks, measurements, tickets, sessions, work,
 * invoices, licences, tools), and here, set-based and deterministic from one anchor instant
 * (taken once, so every statement agrees on "now"):
 * - 6 users (owners), a capacity row each plus one without a user; work_completed.user_id set
 *   on 6 of 7 rows (from the work date and hours);
 * - 6 campaigns with weekly campaign_metrics (spend) over 2 years;
 * - L leads (default contacts ÷ 5: 200,000) created over the last 2 years, with sources,
 *   utm_campaign (names of the campaigns in varied case, one without a campaign, 40 ad-hoc ones,
 *   none on 6 of 16), scores 0–100, statuses of the lead pipeline (10% converted, half of those
 *   into a won company), owners, 1% archived;
 * - D deals (default contacts ÷ 50: 20,000) created over 2 years, older than 120 days mostly
 *   closed, with values in AUD/USD/TTD, stage probabilities, expected and actual close dates
 *   (5% of closed ones without, so the close day comes from status_history), loss reasons;
 * - status_history for every lead, deal and company: a path of stages per record, some passing
 *   a stage twice (qualifying, proposal/negotiation, contacted/meeting_scheduled), entered_at
 *   spread over time, exited_at the next entry; companies' status, lost_reason and owner follow
 *   their path (the first E companies, with engagements, reach `supporting`);
 * - go_no_go_decisions for the first min(C, max(E, 1000)) companies (a `go` for each engagement's company,
 *   linked through an accepted proposal to the engagement; others go/no_go/conditional);
 * - readiness_assessments (L ÷ 10) and audit survey_responses (2,000 companies × 10 contacts × 5
 *   questions).
 *
 * After the timed rounds, the SQL of every insight is captured by running the same requests
 * through the core in this process (`invoke` with the local operator) on a pg pool whose
 * `query` records each statement and its parameters; each captured SELECT is then run under
 * EXPLAIN (ANALYZE, BUFFERS) and the slowest of each insight is reported with its plan.
 */
import os from 'node:os';
import type { Database } from '../src/db/client.ts';
import { DEFAULT_TIME_ZONE, LOCAL_OPERATOR, makeCtx } from '../src/core/context.ts';
import { invoke, operationByName } from '../src/core/registry.ts';
import { seedScale } from '../src/demo/scale.ts';
import { deliverySql } from './usage.ts';

type Progress = (msg: string) => unknown;

// ---------------------------------------------------------------------------
// Seed

export type InsightsSeedOptions = { contacts: number; usageRows: number; engagements: number; leads: number; deals: number; setupSql?: string | undefined };
export type InsightsSeed = { seconds: Record<string, number>; rows: Record<string, number> };

/** The deterministic uuid of row `expr` of a kind (one hex digit; seedScale uses 1–4, deliverySql 5–6). */
const uid = (kind: string, expr: string) => `('5ca1e000-000${kind}-4000-8000-' || lpad(to_hex(${expr}), 12, '0'))::uuid`;
const USERS = 6;
const USER_NAMES = ['Ana Ortiz', 'Ben Clarke', 'Chloe Ng', 'Dev Patel', 'Ema Rossi', 'Finn Walsh'];
/** An owner for row `expr`: none on one row in 11, else one of the users. */
const owner = (expr: string) => `case when (${expr}) % 11 = 10 then null else ${uid('7', `(${expr}) % ${USERS} + 1`)} end`;
const CAMPAIGNS: [name: string, type: string, currency: string][] = [
  ['Spring Webinar', 'webinar', 'AUD'],
  ['LinkedIn Q1', 'linkedin', 'AUD'],
  ['Site Safety eBook', 'content', 'AUD'],
  ['Procore Users', 'email', 'USD'],
  ['Trade Show 2026', 'event', 'AUD'],
  ['Cold Email Wave', 'email', 'AUD'],
];
const arr = (xs: (string | null)[]) => `array[${xs.map((x) => (x === null ? 'null' : `'${x.replace(/'/g, "''")}'`)).join(',')}]::text[]`;
/** Seconds in two years: creation times are spread over them. */
const TWO_YEARS_S = 730 * 86400;

/** The rows of one path of stages as status_history rows (`b` has id, path, start and gap). */
function historyFrom(entity: string, base: string): string {
  return `
    insert into status_history (entity_type, entity_id, status, from_status, entered_at, exited_at, duration_days)
    select '${entity}', b.id, p.status, b.path[p.k - 1], t.entered, t.exited,
           case when t.exited is not null then floor(extract(epoch from t.exited - t.entered) / 86400)::int end
      from (${base}) b
     cross join lateral unnest(b.path) with ordinality as p(status, k)
     cross join lateral (select b.start + (p.k - 1) * b.gap as entered,
                                case when p.k < cardinality(b.path) then b.start + p.k * b.gap end as exited) t`;
}

/** Leads 1..L: status, creation, conversion and the path of statuses that led there. */
function leadBase(L: number, A: string): string {
  const status = `(array['converted','converted','lost','lost','disqualified','qualified','qualified','qualifying','qualifying',
                          'contacted','contacted','contacted','contacted','new','new','new','new','new','new','new'])[n % 20 + 1]`;
  return `
    select n, ${uid('8', 'n')} as id, status, created_at, converted_at,
           case status
             when 'new' then array['new']
             when 'contacted' then array['new','contacted']
             when 'qualifying' then array['new','contacted','qualifying']
             when 'qualified' then case when n % 7 = 0 then array['new','contacted','qualifying','contacted','qualifying','qualified']
                                        else array['new','contacted','qualifying','qualified'] end
             when 'converted' then array['new','contacted','qualified','converted']
             when 'lost' then array['new','contacted','lost']
             else array['new','qualifying','disqualified'] end as path,
           created_at as start
      from (select n, status, created_at,
                   case when status = 'converted' then least(${A} - interval '1 minute', created_at + (1 + n % 45) * interval '1 day') end as converted_at
              from (select n, ${status} as status, ${A} - (n * ${TWO_YEARS_S}::bigint / ${L}) * interval '1 second' as created_at
                      from generate_series(1, ${L}::bigint) n) a) b`;
}

function leadSql(L: number, C: number, E: number, A: string): string[] {
  const utm = `case when n % 16 = 15 then 'google-ads-' || n % 40
                    else (${arr([null, null, null, null, null, null, 'spring webinar', 'Spring Webinar', 'linkedin q1', 'LinkedIn Q1', 'site safety ebook', 'Procore Users', 'trade show 2026', 'cold email wave', 'partner-newsletter'])})[n % 16 + 1] end`;
  const sources = arr(['website', 'website', 'website', 'referral', 'referral', 'linkedin', 'linkedin', 'inbound', 'event', 'marketing', 'outbound', 'social', 'direct', 'other']);
  return [
    `insert into leads (id, email, first_name, last_name, company_name, industry, source, score, status, utm_source, utm_medium, utm_campaign,
                        assigned_to, converted_at, converted_to_account_id, created_at, updated_at, archived_at)
     select id, 'lead' || n || '@example.com', 'Lead', n::text, 'prospect ' || n % 5000,
            (array['construction','engineering','architecture','property'])[n % 4 + 1],
            (${sources})[(n * 7) % 14 + 1], ((n * 37) % 101)::int, status,
            case when utm is not null then 'newsletter' end, case when utm is not null then 'email' end, utm,
            ${owner('n')}, converted_at,
            case when converted_at is null then null
                 when n % 40 = 0 then ${uid('1', `(n / 40) % ${E} + 1`)}
                 else ${uid('1', `(n / 20) % ${C} + 1`)} end,
            created_at, created_at, case when n % 100 = 99 then created_at + interval '2 days' end
       from (select b.*, ${utm} as utm from (${leadBase(L, A)}) b) x`,
    historyFrom(
      'lead',
      `select id, path, start,
              case when status = 'converted' then (converted_at - created_at) / (cardinality(path) - 1)
                   else least((1 + n % 10) * interval '1 day', (${A} - created_at) / cardinality(path)) end as gap
         from (${leadBase(L, A)}) l`,
    ),
  ];
}

/** Deals 1..D: stage (older than 120 days mostly closed), creation, close and path. */
function dealBase(D: number, A: string): string {
  return `
    select n, ${uid('9', 'n')} as id, stage, created_at, close_at,
           case stage
             when 'discovery' then array['discovery']
             when 'proposal' then array['discovery','proposal']
             when 'negotiation' then case when n % 7 = 0 then array['discovery','proposal','negotiation','proposal','negotiation']
                                          else array['discovery','proposal','negotiation'] end
             when 'closed_won' then case when n % 7 = 0 then array['discovery','proposal','negotiation','proposal','negotiation','closed_won']
                                         else array['discovery','proposal','negotiation','closed_won'] end
             else case when n % 2 = 0 then array['discovery','closed_lost'] else array['discovery','proposal','closed_lost'] end end as path,
           created_at as start
      from (select n, stage, created_at,
                   case when stage like 'closed_%' then least(${A} - interval '1 hour', created_at + (20 + n % 100) * interval '1 day') end as close_at
              from (select n, ${A} - (n * ${TWO_YEARS_S}::bigint / ${D}) * interval '1 second' as created_at,
                           case when n * 730 / ${D} > 120
                                then (array['closed_won','closed_won','closed_won','closed_lost','closed_lost','closed_lost','closed_lost','discovery','proposal','negotiation'])[n % 10 + 1]
                                else (array['discovery','discovery','discovery','proposal','proposal','negotiation','negotiation','closed_won','closed_lost','discovery'])[n % 10 + 1] end as stage
                      from generate_series(1, ${D}::bigint) n) a) b`;
}

function dealSql(D: number, C: number, A: string): string[] {
  return [
    `insert into deals (id, company_id, name, stage, deal_type, value, currency, probability, expected_close_date, actual_close_date,
                        loss_reason, owner_id, created_at, updated_at, archived_at)
     select id, ${uid('1', `(n - 1) % ${C} + 1`)}, 'deal ' || n, stage,
            (array['new_business','new_business','expansion','renewal'])[n % 4 + 1],
            5000 + (n * 7919) % 95000, (array['AUD','AUD','AUD','USD','TTD'])[n % 5 + 1],
            case stage when 'discovery' then 20 when 'proposal' then 50 when 'negotiation' then 75 when 'closed_won' then 100 else 0 end,
            (created_at + (30 + n % 90) * interval '1 day')::date,
            case when close_at is not null and n % 20 <> 7 then (close_at at time zone 'UTC')::date end,
            case when stage = 'closed_lost' then (${arr(['Price', 'Timing', 'Chose a competitor', 'No budget', 'Went quiet', null, ' Price ', ''])})[n % 8 + 1] end,
            ${owner('n')}, created_at, coalesce(close_at, created_at), case when n % 100 = 42 then created_at + interval '3 days' end
       from (${dealBase(D, A)}) b`,
    historyFrom(
      'deal',
      `select id, path, start,
              case when close_at is not null then (close_at - created_at) / (cardinality(path) - 1)
                   else least((3 + n % 20) * interval '1 day', (${A} - created_at) / cardinality(path)) end as gap
         from (${dealBase(D, A)}) d`,
    ),
  ];
}

/** Companies 1..C: the first E (with engagements) went all the way to supporting; the others stopped along the way. */
function companyBase(C: number, E: number, A: string): string {
  const full = arr(['lead', 'contacted', 'meeting_scheduled', 'meeting_complete', 'auditing', 'go', 'proposal_sent', 'onboarding', 'training', 'supporting']);
  const audit = `array['lead','contacted','meeting_scheduled','meeting_complete','auditing']`;
  return `
    select c, ${uid('1', 'c')} as id, path,
           case when c <= ${E} then ${A} - (420 + c % 200) * interval '1 day'
                else ${A} - ((c * 7919) % ${TWO_YEARS_S}) * interval '1 second' end as start,
           case when c <= ${E} then interval '30 days' end as fixed_gap
      from (select c, case when c <= ${E} then ${full}
                   else case c % 20
                     when 6 then array['lead','contacted'] when 7 then array['lead','contacted'] when 8 then array['lead','contacted']
                     when 9 then array['lead','contacted','meeting_scheduled'] when 10 then array['lead','contacted','meeting_scheduled']
                     when 11 then array['lead','contacted','meeting_scheduled','meeting_complete']
                     when 12 then array['lead','contacted','meeting_scheduled','contacted','meeting_scheduled','meeting_complete','auditing']
                     when 13 then ${audit} || array['go']
                     when 14 then ${audit} || array['no_go']
                     when 15 then ${audit} || array['go','proposal_sent']
                     when 16 then ${audit} || array['go','proposal_sent','onboarding']
                     when 17 then ${audit} || array['go','proposal_sent','onboarding','training']
                     when 18 then array['lead','contacted','lost']
                     when 19 then array['lead','contacted','meeting_scheduled','lost']
                     else array['lead'] end end as path
              from generate_series(1, ${C}::bigint) c) a`;
}

function companySql(C: number, E: number, A: string): string[] {
  const base = companyBase(C, E, A);
  return [
    `update companies co set status = b.path[cardinality(b.path)], owner_id = ${owner('b.c')}, created_at = b.start,
            lost_reason = case when b.path[cardinality(b.path)] = 'lost' then (${arr(['Price', 'Timing', 'No response', 'Chose a competitor', null])})[b.c % 5 + 1] end
       from (${base}) b where co.id = b.id`,
    historyFrom(
      'company',
      `select id, path, start, coalesce(fixed_gap, least((5 + c % 40) * interval '1 day', (${A} - start) / cardinality(path))) as gap from (${base}) b`,
    ),
  ];
}

/** Users, capacity, owners of work and engagements, campaigns and their weekly metrics. */
function teamAndCampaignSql(A: string): string[] {
  const weekly = `
    insert into campaign_metrics (campaign_id, period, impressions, clicks, opens, conversions, spend, revenue, currency)
    select ${uid('b', 'k')}, (${A})::date - 7 * w, 2000 + (k * 131 + w * 17) % 3000, 40 + (k * 7 + w * 3) % 120, 300 + (k * 11 + w) % 500,
           (k + w) % 9, 150 + (k * 37 + w * 13) % 400, 500 + (k * 53 + w * 29) % 2500, (${arr(CAMPAIGNS.map((c) => c[2]))})[k]
      from generate_series(1, ${CAMPAIGNS.length}) k, generate_series(0, 103) w`;
  const day = `extract(doy from work_date)::int + (hours * 2)::int`;
  return [
    `insert into users (id, email, name, role)
     select ${uid('7', 'u')}, 'owner' || u || '@bench.example.com', (${arr(USER_NAMES)})[u], 'editor' from generate_series(1, ${USERS}) u`,
    `insert into capacity (team_member, role, user_id, total_hours_per_week, allocated_hours_per_week)
     select (${arr(USER_NAMES)})[u], 'consultant', ${uid('7', 'u')}, 38, 20 + u * 2 from generate_series(1, ${USERS}) u
     union all select 'Contractor', 'contractor', null, 20, 10`,
    `update work_completed set user_id = case when (${day}) % 7 = 6 then null else ${uid('7', `(${day}) % 7 + 1`)} end`,
    `update engagements set owner_id = ${uid('7', `('x' || right(id::text, 8))::bit(32)::int % ${USERS} + 1`)}`,
    `insert into campaigns (id, name, type, status, start_date, budget, currency, owner_id)
     select ${uid('b', 'k')}, (${arr(CAMPAIGNS.map((c) => c[0]))})[k], (${arr(CAMPAIGNS.map((c) => c[1]))})[k], 'active',
            (${A})::date - 730, 50000, (${arr(CAMPAIGNS.map((c) => c[2]))})[k], ${uid('7', `k % ${USERS} + 1`)}
       from generate_series(1, ${CAMPAIGNS.length}) k`,
    weekly,
  ];
}

/** Go/no-go decisions for the first G companies, proposals for the go ones, and each engagement's proposal. */
function calibrationSql(C: number, E: number, A: string): string[] {
  const G = Math.min(C, Math.max(E, 1000));
  // Engagements' decisions 30–400 days ago (they started about 400 days ago); the others over 2 years.
  const decisionDate = `case when c <= ${E} then (${A})::date - 30 - (c * 370 / ${E})::int else (${A})::date - ((c - ${E}) * 730 / greatest(1, ${G - E}))::int end`;
  return [
    `insert into go_no_go_decisions (id, company_id, decision, decision_date, decision_maker_engagement, budget_confirmed, team_readiness,
                                     champion_strength, technical_feasibility, timeline_alignment, estimated_roi, estimated_roi_hours_per_month,
                                     recommended_package, novel_mcps, novel_skills, employee_count, estimated_hours_per_week,
                                     capacity_available_hours, capacity_sufficient, estimated_value, currency, decided_by)
     select ${uid('c', 'c')}, ${uid('1', 'c')},
            case when c <= ${E} then 'go' else (array['go','no_go','conditional'])[c % 3 + 1] end, ${decisionDate},
            (array['high','medium','low'])[c % 3 + 1], c % 4 <> 0, (array['high','medium','low'])[(c / 3) % 3 + 1],
            (array['strong','moderate','weak','none'])[c % 4 + 1], 'high', (array['aligned','tight','unrealistic'])[c % 3 + 1],
            (20 + c % 60) || ' hours a month', 20 + c % 60, 'standard', c % 4, c % 5, 10 + c % 200, 4 + c % 8, 30, true,
            20000 + (c * 131) % 40000, 'AUD', ${uid('7', `c % ${USERS} + 1`)}
       from generate_series(1, ${G}::bigint) c`,
    `insert into proposals (id, company_id, go_no_go_id, package, value, currency, status, sent_date, accepted_date, owner_id)
     select ${uid('d', 'g.c')}, g.company_id, g.id, 'standard', g.estimated_value, 'AUD',
            case when g.c <= ${E} then 'accepted' else 'sent' end, g.decision_date + 7,
            case when g.c <= ${E} then g.decision_date + 14 end, g.decided_by
       from (select ('x' || right(id::text, 12))::bit(48)::bigint as c, * from go_no_go_decisions where decision = 'go') g`,
    `update engagements set proposal_id = ${uid('d', `('x' || right(id::text, 12))::bit(48)::bigint`)}
      where id in (select ${uid('3', 'e')} from generate_series(1, ${E}) e)`,
  ];
}

/** The readiness quiz and the audit surveys. */
function assessmentSql(N: number, C: number, L: number, A: string): string[] {
  const R = Math.max(1, Math.floor(L / 10));
  const S = Math.min(2000, C);
  const sent = `(${A})::date - (c * 730 / ${S})::int`;
  return [
    `insert into readiness_assessments (lead_id, email, status, answers, score, completed_at, created_at, updated_at)
     select case when n % 3 = 0 and n * 10 <= ${L} then ${uid('8', 'n * 10')} end, 'quiz' || n || '@example.com', status, '{}'::jsonb,
            case when status = 'completed' then ((n * 53) % 101)::int end,
            case when status = 'completed' then created_at + interval '10 minutes' end, created_at, created_at
       from (select n, case when n % 20 < 12 then 'completed' when n % 20 < 17 then 'abandoned' else 'started' end as status,
                    ${A} - (n * ${TWO_YEARS_S}::bigint / ${R}) * interval '1 second' as created_at
               from generate_series(1, ${R}::bigint) n) a`,
    `insert into survey_responses (contact_id, company_id, survey_type, survey_sent, survey_sent_date, survey_completed, survey_completed_date, question, answer)
     select ${uid('2', `c + k * ${C}`)}, ${uid('1', 'c')}, 'audit', true, ${sent}, (c + k) % 3 <> 0,
            case when (c + k) % 3 <> 0 then least((${A})::date, ${sent} + 3) end, 'q' || q, case when (c + k) % 3 <> 0 then 'answer ' || q end
       from generate_series(1, ${S}::bigint) c, generate_series(0, 9) k, generate_series(1, 5) q
      where c + k * ${C} <= ${N}`,
  ];
}

/**
 * Seeds one database for the insights phase (see the header), then ANALYZE. Returns the seconds
 * each part took and the row counts of the tables the insights read.
 */
export async function seedInsights(database: Database, o: InsightsSeedOptions, progress: Progress): Promise<InsightsSeed> {
  const seconds: Record<string, number> = {};
  const timed = async (label: string, fn: () => Promise<unknown>) => {
    const t0 = performance.now();
    await fn();
    seconds[label] = (performance.now() - t0) / 1000;
    progress(`insights seed: ${label} in ${seconds[label]!.toFixed(1)} s`);
  };
  const E = o.engagements;
  const C = Math.max(E, Math.ceil(o.contacts / 50));
  await timed('seedScale', () =>
    seedScale(database, { contacts: o.contacts, usageRows: o.usageRows, engagements: E, onProgress: (m) => /(done|rebuilt|monthly)/.test(m) && progress(`insights seed: ${m}`) }),
  );
  await timed('delivery sections', async () => {
    for (const s of deliverySql(E, C)) await database.query(s);
  });
  const [{ anchor }] = (await database.query<{ anchor: string }>(`select to_char(now() at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as anchor`)) as [{ anchor: string }];
  const A = `'${anchor}'::timestamptz`;
  const parts: [string, string[]][] = [
    ['users, capacity, campaigns', teamAndCampaignSql(A)],
    ['leads and their history', leadSql(o.leads, C, E, A)],
    ['deals and their history', dealSql(o.deals, C, A)],
    ['companies\' history', companySql(C, E, A)],
    ['decisions and proposals', calibrationSql(C, E, A)],
    ['quiz and surveys', assessmentSql(o.contacts, C, o.leads, A)],
  ];
  for (const [label, statements] of parts) {
    await timed(label, async () => {
      for (const s of statements) await database.query(s);
    });
  }
  if (o.setupSql) await timed('BENCH_SETUP_SQL', () => database.query(o.setupSql!));
  await timed('analyze', () => database.query('analyze'));
  const tables = ['contacts', 'companies', 'ai_usage', 'ai_usage_monthly', 'leads', 'deals', 'status_history', 'work_completed', 'support_tickets', 'invoices', 'task_measurements', 'go_no_go_decisions', 'readiness_assessments', 'survey_responses', 'campaign_metrics'];
  const rows: Record<string, number> = {};
  for (const t of tables) rows[t] = Number((await database.query<{ n: string }>(`select count(*) as n from ${t}`))[0]!.n);
  return { seconds, rows };
}

// ---------------------------------------------------------------------------
// The dashboard, timed through the server

export const DASHBOARD = ['funnel', 'acquisition', 'sales', 'delivery', 'money', 'calibration'] as const;

export type InsightRequest = { name: string; label: string; group: 'dash90' | 'dash365' | 'aggregate'; params: Record<string, string> };

const iso = (d: Date) => d.toISOString().slice(0, 10);

/** Today in the server's time zone (the child runs with the same default as this process). */
function today(): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: DEFAULT_TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}

/** The requests of one round: the dashboard at 90 (default) and 365 days, then the aggregate questions. */
export function insightRequests(): InsightRequest[] {
  const to = today();
  const t = new Date(`${to}T00:00:00Z`);
  const yearFrom = iso(new Date(t.getTime() - 364 * 86400_000));
  const q = Math.floor(t.getUTCMonth() / 3) * 3;
  const lastQuarter = { from: iso(new Date(Date.UTC(t.getUTCFullYear(), q - 3, 1))), to: iso(new Date(Date.UTC(t.getUTCFullYear(), q, 0))) };
  return [
    ...DASHBOARD.map((name): InsightRequest => ({ name, label: `${name}, default 90 days`, group: 'dash90', params: {} })),
    ...DASHBOARD.map((name): InsightRequest => ({ name, label: `${name}, 365 days`, group: 'dash365', params: { from: yearFrom, to } })),
    { name: 'aggregate', label: 'aggregate hours_saved by contact, month (last quarter)', group: 'aggregate', params: { measure: 'hours_saved', group_by: 'contact,month', ...lastQuarter } },
    { name: 'aggregate', label: 'aggregate work_hours by owner, month (default 90 days)', group: 'aggregate', params: { measure: 'work_hours', group_by: 'owner,month' } },
    { name: 'aggregate', label: 'aggregate ai_tokens by month (365 days)', group: 'aggregate', params: { measure: 'ai_tokens', group_by: 'month', from: yearFrom, to } },
  ];
}

const urlOf = (apiBase: string, r: InsightRequest) => `${apiBase}/api/v1/insights/${r.name}${Object.keys(r.params).length ? `?${new URLSearchParams(r.params)}` : ''}`;

async function timedGet(url: string, key: string): Promise<{ ms: number; status: number; text: string }> {
  const t0 = performance.now();
  const res = await fetch(url, { headers: { authorization: `Bearer ${key}` } });
  const text = await res.text();
  return { ms: performance.now() - t0, status: res.status, text };
}

export type Stats = { n: number; p50: number; p95: number; max: number };
export type DashboardRun = {
  rounds: number;
  perQuery: { label: string; group: InsightRequest['group']; stats: Stats }[];
  /** Per round: the six dashboard requests one after the other, summed. */
  total90: Stats;
  total365: Stats;
  /** The same number of GET /api/v1/auth/me as the dashboard has requests, summed per round, and one request. */
  baselineTotal: Stats;
  baselineEach: Stats;
  failures: string[];
  /** A few figures from the 90-day answers, to show the periods hold data. */
  sanity: string[];
  load: string;
};

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
export function stats(xs: number[]): Stats {
  const s = [...xs].sort((a, b) => a - b);
  return { n: s.length, p50: percentile(s, 50), p95: percentile(s, 95), max: s.at(-1) ?? 0 };
}

/** A value inside a JSON answer by a dotted path, and the length of a list there. */
const at = (o: unknown, path: string): unknown =>
  path.split('.').reduce<unknown>((x, k) => (x !== null && typeof x === 'object' ? (x as Record<string, unknown>)[k] : undefined), o);
const len = (o: unknown, path: string) => {
  const v = at(o, path);
  return Array.isArray(v) ? v.length : '?';
};

function sanityOf(name: string, b: unknown): string {
  switch (name) {
    case 'funnel':
      return `funnel: ${at(b, 'records')} companies entered a stage`;
    case 'acquisition':
      return `acquisition: ${at(b, 'total')} leads, ${len(b, 'by_campaign')} campaigns`;
    case 'sales':
      return `sales: ${at(b, 'closed.won')} won / ${at(b, 'closed.lost')} lost, ${len(b, 'weighted_pipeline')} pipeline rows`;
    case 'delivery':
      return `delivery: ${len(b, 'engagements')} engagements, ${at(b, 'tickets.opened')} tickets opened, ${len(b, 'by_member')} members`;
    case 'money':
      return `money: ${len(b, 'revenue')} revenue rows, ${len(b, 'portfolio.engagements')} portfolio engagements`;
    case 'calibration':
      return `calibration: ${at(b, 'summary.go_decisions')} go decisions, ${at(b, 'summary.with_engagement')} with an engagement`;
    default:
      return `${name} ${at(b, 'measure')}: ${len(b, 'rows')} rows`;
  }
}

/**
 * `warmup` untimed rounds then `rounds` timed ones. A round: the six dashboard insights at the
 * default period, the six at 365 days, the aggregate questions, then as many GET /auth/me as the
 * dashboard has requests. A request answering other than 200 is reported and left out.
 */
export async function dashboardLatency(apiBase: string, key: string, opts: { rounds: number; warmup: number }, progress: Progress): Promise<DashboardRun> {
  const requests = insightRequests();
  const failures: string[] = [];
  const sanity: string[] = [];
  const ok = new Set<InsightRequest>();
  for (const r of requests) {
    const res = await timedGet(urlOf(apiBase, r), key);
    if (res.status !== 200) {
      failures.push(`${r.label}: ${res.status} ${res.text.slice(0, 200)}`);
      continue;
    }
    ok.add(r);
    if (r.group === 'dash90' || r.group === 'aggregate') sanity.push(sanityOf(r.name, JSON.parse(res.text) as unknown));
    progress(`insights: first ${r.label}: ${res.ms.toFixed(0)} ms`);
  }
  const me = `${apiBase}/api/v1/auth/me`;
  const samples = new Map<InsightRequest, number[]>(requests.map((r) => [r, []]));
  const total90: number[] = [];
  const total365: number[] = [];
  const baseTotal: number[] = [];
  const baseEach: number[] = [];
  let load = '';
  for (let round = 0; round < opts.warmup + opts.rounds; round++) {
    const timed = round >= opts.warmup;
    if (round === opts.warmup) load = os.loadavg().map((x) => x.toFixed(2)).join(' ');
    const sums = { dash90: 0, dash365: 0, aggregate: 0 };
    for (const r of requests) {
      if (!ok.has(r)) continue;
      const res = await timedGet(urlOf(apiBase, r), key);
      if (res.status !== 200) throw new Error(`${r.label} answered ${res.status}: ${res.text.slice(0, 300)}`);
      sums[r.group] += res.ms;
      if (timed) samples.get(r)!.push(res.ms);
    }
    let base = 0;
    for (let i = 0; i < DASHBOARD.length; i++) {
      const res = await timedGet(me, key);
      if (res.status !== 200) throw new Error(`GET /auth/me answered ${res.status}: ${res.text.slice(0, 300)}`);
      base += res.ms;
      if (timed) baseEach.push(res.ms);
    }
    if (!timed) continue;
    total90.push(sums.dash90);
    total365.push(sums.dash365);
    baseTotal.push(base);
    if ((round - opts.warmup + 1) % 10 === 0) progress(`insights: ${round - opts.warmup + 1} / ${opts.rounds} rounds`);
  }
  return {
    rounds: opts.rounds,
    perQuery: requests.filter((r) => ok.has(r)).map((r) => ({ label: r.label, group: r.group, stats: stats(samples.get(r)!) })),
    total90: stats(total90),
    total365: stats(total365),
    baselineTotal: stats(baseTotal),
    baselineEach: stats(baseEach),
    failures,
    sanity,
    load,
  };
}

// ---------------------------------------------------------------------------
// Plans: the SQL each insight runs, captured in this process, under EXPLAIN

type Captured = { text: string; values: unknown[] };
type PlanNode = {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Actual Rows'?: number;
  'Actual Loops'?: number;
  'Rows Removed by Filter'?: number;
  'Actual Total Time'?: number;
  Plans?: PlanNode[];
};
/** `requestMs`: the largest Σ of one request's statements' execution times (the server runs some of them in parallel). */
export type InsightPlan = {
  insight: string;
  request: string;
  statements: number;
  slowestMs: number;
  requestMs: number;
  /** The statement's JIT compilation, when its estimated cost passed jit_above_cost: it counts in slowestMs. */
  jit: string | null;
  sql: string;
  seqScans: string[];
  heaviest: string[];
  lines: string[];
};
type Explained = { Plan: PlanNode; 'Execution Time': number; JIT?: { Functions: number; Timing: { Total: number } } };

/** The nodes that cost the most by their own time (their total less their children's), most first. */
function heaviest(root: PlanNode, count: number): string[] {
  const all: { label: string; self: number }[] = [];
  const walk = (n: PlanNode) => {
    const total = (n['Actual Total Time'] ?? 0) * (n['Actual Loops'] ?? 1);
    const children = (n.Plans ?? []).reduce((t, c) => t + (c['Actual Total Time'] ?? 0) * (c['Actual Loops'] ?? 1), 0);
    const on = n['Relation Name'] ? ` on ${n['Relation Name']}` : '';
    const using = n['Index Name'] ? ` using ${n['Index Name']}` : '';
    all.push({ label: `${n['Node Type']}${on}${using} (${(n['Actual Rows'] ?? 0).toLocaleString('en')} rows × ${(n['Actual Loops'] ?? 1).toLocaleString('en')} loops)`, self: Math.max(0, total - children) });
    for (const c of n.Plans ?? []) walk(c);
  };
  walk(root);
  return all
    .sort((a, b) => b.self - a.self)
    .slice(0, count)
    .map((x) => `${x.label}: ${x.self.toFixed(1)} ms`);
}

/** Seq scans anywhere in a plan, with the rows they read, largest first. */
function seqScans(node: PlanNode, out: { rel: string; read: number; rows: number; ms: number }[] = []) {
  if (node['Node Type'] === 'Seq Scan' && node['Relation Name']) {
    const loops = node['Actual Loops'] ?? 1;
    out.push({ rel: node['Relation Name'], read: ((node['Actual Rows'] ?? 0) + (node['Rows Removed by Filter'] ?? 0)) * loops, rows: (node['Actual Rows'] ?? 0) * loops, ms: (node['Actual Total Time'] ?? 0) * loops });
  }
  for (const p of node.Plans ?? []) seqScans(p, out);
  return out;
}

/**
 * Runs each request once through the core with a pool that records every statement, then
 * EXPLAIN (ANALYZE, BUFFERS) of each captured SELECT; per insight, the slowest statement's
 * plan (first `planLines` lines) and every seq scan in it.
 */
export async function explainInsights(database: Database, planLines = 12): Promise<InsightPlan[]> {
  const pool = database.pool;
  if (!pool) throw new Error('explainInsights needs a PostgreSQL pool');
  let sink: Captured[] | undefined;
  const original = pool.query.bind(pool) as (...args: unknown[]) => Promise<unknown>;
  (pool as unknown as { query: (...args: unknown[]) => Promise<unknown> }).query = (config: unknown, values?: unknown, ...rest: unknown[]) => {
    const text = typeof config === 'string' ? config : (config as { text?: string }).text;
    if (sink && text) sink.push({ text, values: Array.isArray(values) ? values : ((config as { values?: unknown[] }).values ?? []) });
    return original(config, values, ...rest);
  };
  const ctx = makeCtx(database.db, { actor: LOCAL_OPERATOR, timeZone: DEFAULT_TIME_ZONE });
  const byInsight = new Map<string, { request: string; captured: Captured }[]>();
  try {
    for (const r of insightRequests()) {
      const op = operationByName.get(`insights.${r.name}`);
      if (!op) continue;
      sink = [];
      try {
        await invoke(op, ctx, r.params);
      } catch {
        sink = undefined;
        continue;
      }
      const list = byInsight.get(r.name) ?? [];
      for (const c of sink) list.push({ request: r.label, captured: c });
      byInsight.set(r.name, list);
      sink = undefined;
    }
  } finally {
    (pool as unknown as { query: unknown }).query = original;
  }
  const out: InsightPlan[] = [];
  for (const [insight, list] of byInsight) {
    let best: { request: string; captured: Captured; ms: number; doc: Explained } | undefined;
    const perRequest = new Map<string, number>();
    let explained = 0;
    for (const { request, captured } of list) {
      if (!/^\s*(select|with)\b/i.test(captured.text)) continue;
      const rows = await database.query<{ 'QUERY PLAN': unknown }>(`explain (analyze, buffers, format json) ${captured.text}`, captured.values);
      const raw = rows[0]!['QUERY PLAN'];
      const doc = (typeof raw === 'string' ? JSON.parse(raw) : raw) as Explained[];
      const ms = doc[0]!['Execution Time'];
      explained++;
      perRequest.set(request, (perRequest.get(request) ?? 0) + ms);
      if (!best || ms > best.ms) best = { request, captured, ms, doc: doc[0]! };
    }
    if (!best) continue;
    const text = await database.query<{ 'QUERY PLAN': string }>(`explain (analyze, buffers) ${best.captured.text}`, best.captured.values);
    // Literal uuid arrays in filters run to thousands of characters: the start of a line says enough.
    const lines = text.map((r) => (r['QUERY PLAN'].length > 240 ? `${r['QUERY PLAN'].slice(0, 240)}…` : r['QUERY PLAN']));
    out.push({
      insight,
      request: best.request,
      statements: explained,
      slowestMs: best.ms,
      requestMs: Math.max(...perRequest.values()),
      jit: best.doc.JIT ? `${best.doc.JIT.Functions} functions compiled in ${best.doc.JIT.Timing.Total.toFixed(1)} ms` : null,
      sql: best.captured.text.replace(/\s+/g, ' ').trim(),
      seqScans: seqScans(best.doc.Plan)
        .filter((s) => s.read >= 1000)
        .sort((a, b) => b.read - a.read)
        .map((s) => `${s.rel} (${s.read.toLocaleString('en')} rows read, ${s.rows.toLocaleString('en')} kept, ${s.ms.toFixed(1)} ms)`),
      heaviest: heaviest(best.doc.Plan, 5),
      lines: [...lines.slice(0, planLines), ...(lines.length > planLines ? [`… (${lines.length - planLines} more lines)`, ...lines.filter((l) => /^(Planning|Execution) Time/.test(l))] : [])],
    });
  }
  return out;
}
