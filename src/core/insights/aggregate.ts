/**
 * The aggregate query (issue 10), the assistant's tool for "how many hours did Smith save last
 * quarter?": one measure added up over a period, grouped by up to two dimensions.
 *
 * Every measure counts rows that are not archived, that the caller may see (the visibility rule
 * of the row's own resource) and whose day falls in the period (days in ctx.timeZone; months and
 * quarters are those of that day, weeks its Monday). Filters (company_id, contact_id,
 * engagement_id, owner_id) apply where the measure's rows carry that link; a filter a measure
 * cannot apply is refused naming it, as is a dimension it cannot be grouped by (MEASURE_DIMENSIONS).
 *
 * - hours_saved: per task and month exactly as the monthly report computes it (reports/monthly/
 *   savings.ts: the task's measurement series, occurrences measured, else stated, else by
 *   frequency), over the tasks of the engagements the caller may see that are not archived, for
 *   every whole month the period touches. A task-month counts once a measurement is in force
 *   (before it the report shows no saving). Summed exactly (minute-hundredths), rounded once.
 * - work_hours: Σ work_completed.hours by work_date; owner = user_id; company via the engagement.
 * - ai_tokens: Σ ai_usage_monthly.tokens_used of the whole months the period touches; company via
 *   the engagement (the rollup has no archived flag: an archived engagement's usage is left out).
 * - leads: leads created (created_at); owner = assigned_to.
 * - deals_won / deals_lost / won_value: deals in a won / lost stage of the deal pipeline now, whose
 *   close day = coalesce(actual_close_date, the day of the last status_history entry into that
 *   stage) is in the period; won_value = Σ value per currency.
 * - invoiced: Σ amount of invoices not draft or cancelled by issue_date; paid: Σ amount of paid
 *   invoices by paid_date; per currency.
 * - tickets_opened (request_date) / tickets_resolved (resolved_at); category = ticket category.
 * - interactions: by interaction_date; category = type; owner = created_by (who logged it).
 *
 * Rows are the largest values first (ties by keys), at most `limit`; totals cover every group.
 * Money is always grouped by currency too. Labels name the companies, contacts, engagements and
 * users among the keys; a record the caller may not see keeps its row (its figures belong to a
 * record the caller does see, e.g. a contact's hours saved on a visible engagement) but its label
 * is null.
 *
 * Grouping, ordering and the limit run in SQL (the group count can be large); only hours_saved,
 * whose per-month rule lives in savings.ts, is grouped here over the tasks read for it.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { Ctx } from '../context.ts';
import { invalid } from '../errors.ts';
import { visibilityScope, type VisibilityScope } from '../platform/visibility.ts';
import { readSources } from '../reports/monthly/db.ts';
import { hoursOf } from '../reports/monthly/exact.ts';
import { readTasks, taskMonths, taskSources } from '../reports/monthly/savings.ts';
import { monthEnd } from '../reports/rules.ts';
import { uuidArray } from '../sql-arrays.ts';
import { dayIn, dayOf, instantIn, monthsOf, resolvePeriod, seen, type InsightTable } from './common.ts';
import { dealCloseDay } from './sales.ts';
import {
  AGGREGATE_DIMENSIONS,
  AGGREGATE_MAX_ROWS,
  MEASURE_DIMENSIONS,
  type AggregateDimension,
  type AggregateInput,
  type AggregateMeasure,
  type AggregateResult,
  type Period,
} from './types.ts';

const DEFAULT_LIMIT = 50;
const FILTERS = ['company_id', 'contact_id', 'engagement_id', 'owner_id'] as const;
type Filter = (typeof FILTERS)[number];
type Unit = AggregateResult['unit'];
type Row = AggregateResult['rows'][number];
type Total = AggregateResult['totals'][number];
type Grouped = { rows: Row[]; totals: Total[]; truncated: boolean };

/** A measure read with one grouped SQL statement. */
type SqlMeasure = {
  unit: Unit;
  definition: string;
  from: SQL;
  where: SQL[];
  /** The SQL of each dimension's key (text). */
  dims: Partial<Record<AggregateDimension, SQL>>;
  /** The column each filter applies to. */
  filters: Partial<Record<Filter, SQL>>;
  /** The aggregate, numeric or bigint. */
  value: SQL;
  currency?: SQL;
};

const ID_DIMENSIONS: Partial<Record<AggregateDimension, 'companies' | 'contacts' | 'engagements' | 'users'>> = {
  company: 'companies',
  contact: 'contacts',
  engagement: 'engagements',
  owner: 'users',
};

export async function aggregateInsight(ctx: Ctx, input: AggregateInput): Promise<AggregateResult> {
  const measure = input.measure;
  const groupBy = parseGroupBy(measure, input.group_by);
  const period = resolvePeriod(ctx, input);
  const limit = parseLimit(input.limit);
  const filters = Object.fromEntries(FILTERS.flatMap((f) => (input[f] ? [[f, input[f].toLowerCase()]] : []))) as Partial<Record<Filter, string>>;
  const scope = await visibilityScope(ctx);

  let unit: Unit;
  let definition: string;
  let grouped: Grouped;
  if (measure === 'hours_saved') {
    checkFilters(measure, filters, HOURS_SAVED_FILTERS);
    unit = 'hours';
    definition = HOURS_SAVED_DEFINITION;
    grouped = await hoursSaved(ctx, scope, period, groupBy, filters, limit);
  } else {
    const m = sqlMeasure(ctx, scope, measure, period);
    checkFilters(measure, filters, Object.keys(m.filters) as Filter[]);
    unit = m.unit;
    definition = m.definition;
    grouped = await runSql(ctx, m, groupBy, filters, limit);
  }
  await addLabels(ctx, scope, groupBy, grouped.rows);
  return { measure, unit, definition, period, group_by: groupBy, filters, ...grouped };
}

// ---------------------------------------------------------------------------
// Input

/** group_by as a list or "month,contact": known, allowed for the measure, at most two, no repeats. */
function parseGroupBy(measure: AggregateMeasure, raw: AggregateInput['group_by']): AggregateDimension[] {
  const list = (raw === undefined ? [] : Array.isArray(raw) ? raw : raw.split(',')).map((d) => String(d).trim().toLowerCase()).filter((d) => d !== '');
  const allowed = MEASURE_DIMENSIONS[measure];
  const can = `${measure} can be grouped by ${allowed.join(', ')}`;
  const bad = list.filter((d) => !allowed.includes(d as AggregateDimension));
  if (bad.length) {
    const what = bad.map((d) => ((AGGREGATE_DIMENSIONS as readonly string[]).includes(d) ? d : `"${d}" (not a dimension)`)).join(', ');
    throw invalid([{ field: 'group_by', message: `cannot group by ${what}: ${can}` }]);
  }
  if (list.length > 2) throw invalid([{ field: 'group_by', message: `at most two dimensions (got ${list.length}): ${can}` }]);
  if (new Set(list).size !== list.length) throw invalid([{ field: 'group_by', message: `names ${list[0]} twice: ${can}` }]);
  return list as AggregateDimension[];
}

/** The registry has parsed it already (z.coerce); a direct caller gets the same rule. */
function parseLimit(raw: unknown): number {
  if (raw === undefined) return DEFAULT_LIMIT;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > AGGREGATE_MAX_ROWS) throw invalid([{ field: 'limit', message: `must be a whole number from 1 to ${AGGREGATE_MAX_ROWS}` }]);
  return n;
}

function checkFilters(measure: AggregateMeasure, given: Partial<Record<Filter, string>>, allowed: readonly Filter[]): void {
  const bad = (Object.keys(given) as Filter[]).filter((f) => !allowed.includes(f));
  if (!bad.length) return;
  const can = allowed.length ? `it can be filtered by ${allowed.join(', ')}` : 'it takes no filter';
  throw invalid(bad.map((f) => ({ field: f, message: `${measure} cannot be filtered by ${f}: ${can}` })));
}

// ---------------------------------------------------------------------------
// The SQL measures

const raw = (s: string) => sql.raw(s);

/** month, quarter and week keys of a day expression. */
function dayDims(day: SQL): Partial<Record<AggregateDimension, SQL>> {
  return {
    month: sql`to_char((${day})::timestamp, 'YYYY-MM')`,
    quarter: sql`to_char((${day})::timestamp, 'YYYY-"Q"Q')`,
    week: sql`date_trunc('week', (${day})::timestamp)::date::text`,
  };
}

/** The first day of the first month the period touches and the last day of its last month. */
function wholeMonths(p: Period): { first: string; last: string } {
  const months = monthsOf(p);
  return { first: `${months[0]!}-01`, last: monthEnd(months[months.length - 1]!) };
}

function sqlMeasure(ctx: Ctx, scope: VisibilityScope, measure: Exclude<AggregateMeasure, 'hours_saved'>, p: Period): SqlMeasure {
  switch (measure) {
    case 'work_hours':
      return {
        unit: 'hours',
        definition: 'Σ hours of the time entries (work_completed) dated in the period (work_date); owner is the user who logged them, category the work category, company the engagement’s.',
        from: sql`work_completed w join engagements e on e.id = w.engagement_id`,
        where: [sql`w.archived_at is null`, dayIn('w.work_date', p), seen('work_completed', scope, 'w')],
        dims: { ...dayDims(raw('w.work_date')), company: raw('e.company_id::text'), engagement: raw('w.engagement_id::text'), owner: raw('w.user_id::text'), category: raw('w.category') },
        filters: { company_id: raw('e.company_id'), engagement_id: raw('w.engagement_id'), owner_id: raw('w.user_id') },
        value: sql`sum(w.hours)`,
      };
    case 'ai_tokens': {
      const { first, last } = wholeMonths(p);
      return {
        unit: 'tokens',
        definition: `Σ tokens_used of the monthly AI usage rollup (ai_usage_monthly) for every whole month the period touches (${first} to ${last}); company is the engagement’s; usage of archived engagements is left out.`,
        from: sql`ai_usage_monthly u join engagements e on e.id = u.engagement_id`,
        where: [sql`e.archived_at is null`, sql`u.month between ${first}::date and ${last}::date`, seen('ai_usage_monthly', scope, 'u')],
        dims: { ...dayDims(raw('u.month')), company: raw('e.company_id::text'), contact: raw('u.contact_id::text'), engagement: raw('u.engagement_id::text') },
        filters: { company_id: raw('e.company_id'), contact_id: raw('u.contact_id'), engagement_id: raw('u.engagement_id') },
        value: sql`sum(u.tokens_used)`,
      };
    }
    case 'leads':
      return {
        unit: 'count',
        definition: 'Leads created in the period (created_at); owner is the user the lead is assigned to.',
        from: sql`leads l`,
        where: [sql`l.archived_at is null`, instantIn(ctx, 'l.created_at', p), seen('leads', scope, 'l')],
        dims: { ...dayDims(dayOf(ctx, 'l.created_at')), source: raw('l.source'), owner: raw('l.assigned_to::text') },
        filters: { company_id: raw('l.company_id'), owner_id: raw('l.assigned_to') },
        value: sql`count(*)`,
      };
    case 'deals_won':
    case 'deals_lost':
    case 'won_value':
      return dealMeasure(ctx, scope, measure, p);
    case 'invoiced':
    case 'paid': {
      const paid = measure === 'paid';
      const day = paid ? 'i.paid_date' : 'i.issue_date';
      return {
        unit: 'money',
        definition: paid
          ? 'Σ amount of paid invoices by the day they were paid (paid_date), per currency.'
          : 'Σ amount of invoices issued in the period (issue_date) that are not draft or cancelled, per currency.',
        from: sql`invoices i`,
        where: [sql`i.archived_at is null`, paid ? sql`i.status = 'paid'` : sql`i.status not in ('draft', 'cancelled')`, dayIn(day, p), seen('invoices', scope, 'i')],
        dims: { ...dayDims(raw(day)), company: raw('i.company_id::text'), engagement: raw('i.engagement_id::text'), currency: raw('i.currency') },
        filters: { company_id: raw('i.company_id'), engagement_id: raw('i.engagement_id') },
        value: sql`sum(i.amount)`,
        currency: raw('i.currency'),
      };
    }
    case 'tickets_opened':
    case 'tickets_resolved': {
      const column = measure === 'tickets_opened' ? 't.request_date' : 't.resolved_at';
      return {
        unit: 'count',
        definition:
          measure === 'tickets_opened'
            ? 'Support tickets opened in the period (request_date); category is the ticket category.'
            : 'Support tickets resolved in the period (resolved_at); category is the ticket category.',
        from: sql`support_tickets t`,
        where: [sql`t.archived_at is null`, instantIn(ctx, column, p), seen('support_tickets', scope, 't')],
        dims: { ...dayDims(dayOf(ctx, column)), company: raw('t.company_id::text'), engagement: raw('t.engagement_id::text'), category: raw('t.category') },
        filters: { company_id: raw('t.company_id'), contact_id: raw('t.contact_id'), engagement_id: raw('t.engagement_id'), owner_id: raw('t.assigned_to') },
        value: sql`count(*)`,
      };
    }
    case 'interactions':
      return {
        unit: 'count',
        definition: 'Interactions (calls, emails, meetings, notes…) dated in the period (interaction_date); category is the interaction type, owner the user who logged it (created_by).',
        from: sql`interactions x`,
        where: [sql`x.archived_at is null`, instantIn(ctx, 'x.interaction_date', p), seen('interactions', scope, 'x')],
        dims: { ...dayDims(dayOf(ctx, 'x.interaction_date')), company: raw('x.company_id::text'), contact: raw('x.contact_id::text'), owner: raw('x.created_by::text'), category: raw('x.type') },
        filters: { company_id: raw('x.company_id'), contact_id: raw('x.contact_id'), owner_id: raw('x.created_by') },
        value: sql`count(*)`,
      };
  }
}

function dealMeasure(ctx: Ctx, scope: VisibilityScope, measure: 'deals_won' | 'deals_lost' | 'won_value', p: Period): SqlMeasure {
  const won = measure !== 'deals_lost';
  const closeDay = dealCloseDay(ctx);
  const rule = `close day = actual_close_date, else the day the deal last entered its stage (status_history)`;
  return {
    unit: measure === 'won_value' ? 'money' : 'count',
    definition:
      measure === 'won_value'
        ? `Σ value of the deals in a won stage closed in the period (${rule}), per currency.`
        : `Deals in a ${won ? 'won' : 'lost'} stage of the deal pipeline closed in the period (${rule}); owner is the deal’s owner.`,
    from: sql`deals d join pipeline_stages ps on ps.pipeline = 'deal' and ps.key = d.stage and ${won ? sql`ps.is_won` : sql`ps.is_lost`}`,
    where: [sql`d.archived_at is null`, sql`${closeDay} between ${p.from}::date and ${p.to}::date`, seen('deals', scope, 'd'), ...(measure === 'won_value' ? [sql`d.value is not null`] : [])],
    dims: { ...dayDims(closeDay), company: raw('d.company_id::text'), owner: raw('d.owner_id::text'), ...(measure === 'won_value' ? { currency: raw('d.currency') } : {}) },
    filters: { company_id: raw('d.company_id'), owner_id: raw('d.owner_id') },
    value: measure === 'won_value' ? sql`sum(d.value)` : sql`count(*)`,
    ...(measure === 'won_value' ? { currency: raw('d.currency') } : {}),
  };
}

/** The value as text: hours and money to 2 places, counts and tokens whole. */
const valueText = (unit: Unit, v: SQL): SQL => (unit === 'hours' || unit === 'money' ? sql`round(${v}, 2)::text` : sql`(${v})::text`);

type SqlLine = { kind: 'row' | 'total'; k0: string | null; k1: string | null; cur: string | null; v: string; n: number };

/**
 * One statement: the groups (g), the largest `limit` of them, and per currency the total over
 * every group with their count (so `truncated` needs no second pass).
 */
async function runSql(ctx: Ctx, m: SqlMeasure, dims: AggregateDimension[], filters: Partial<Record<Filter, string>>, limit: number): Promise<Grouped> {
  const where = [...m.where, ...(Object.entries(filters) as [Filter, string][]).map(([f, id]) => sql`${m.filters[f]!} = ${id}::uuid`)];
  const keys = [0, 1].map((i) => (dims[i] ? sql`(${m.dims[dims[i]!]!})` : sql`null::text`));
  const cur = m.currency ?? sql`null::text`;
  const positions = [...dims.map((_, i) => i + 1), ...(m.currency ? [3] : [])];
  const groupBy = positions.length ? sql` group by ${raw(positions.join(', '))}` : sql``;
  const lines = await rowsOf<SqlLine>(
    ctx,
    sql`with g as (
        select ${keys[0]} as k0, ${keys[1]} as k1, ${cur} as cur, ${m.value} as v
        from ${m.from}
        where ${sql.join(where, sql` and `)}${groupBy}
        having count(*) > 0)
      select 'row' as kind, k0, k1, cur, ${valueText(m.unit, sql`v`)} as v, 0 as n
      from (select * from g order by v desc, k0 collate "C" nulls last, k1 collate "C" nulls last, cur collate "C" limit ${limit}) top
      union all
      select 'total', null, null, cur, ${valueText(m.unit, sql`sum(v)`)}, count(*)::int from g group by cur`,
  );
  const rows = lines
    .filter((l) => l.kind === 'row')
    .sort(byValueThenKeys)
    .map((l) => ({ keys: keysOf(dims, l), labels: {}, value: l.v, currency: l.cur }));
  const totalLines = lines.filter((l) => l.kind === 'total').sort((a, b) => cmp(a.cur, b.cur));
  const groups = totalLines.reduce((n, l) => n + Number(l.n), 0);
  const totals = m.unit === 'money' ? totalLines.map((l) => ({ value: l.v, currency: l.cur })) : [{ value: totalLines[0]?.v ?? (m.unit === 'hours' ? '0.00' : '0'), currency: null }];
  return { rows, totals, truncated: groups > limit };
}

const rowsOf = async <T>(ctx: Ctx, q: SQL): Promise<T[]> => ((await ctx.db.execute(q)) as unknown as { rows: T[] }).rows;

const keysOf = (dims: AggregateDimension[], l: { k0: string | null; k1: string | null }): Record<string, string | null> =>
  Object.fromEntries(dims.map((d, i) => [d, i === 0 ? l.k0 : l.k1]));

/** Byte order, nulls last: the order SQL gives with collate "C". */
const cmp = (a: string | null, b: string | null): number => (a === b ? 0 : a === null ? 1 : b === null ? -1 : a < b ? -1 : 1);

/** UNION ALL keeps no order: the kept rows are sorted again, value first (as exact decimals). */
function byValueThenKeys(a: SqlLine, b: SqlLine): number {
  const d = decimalCmp(b.v, a.v);
  return d || cmp(a.k0, b.k0) || cmp(a.k1, b.k1) || cmp(a.cur, b.cur);
}

function decimalCmp(a: string, b: string): number {
  const [x, y] = [units(a), units(b)];
  return x === y ? 0 : x < y ? -1 : 1;
}
const units = (s: string): bigint => {
  const [int, frac = ''] = s.split('.');
  return BigInt(`${int}${frac.padEnd(2, '0')}`);
};

// ---------------------------------------------------------------------------
// hours_saved

const HOURS_SAVED_FILTERS: readonly Filter[] = ['company_id', 'contact_id', 'engagement_id'];
const HOURS_SAVED_DEFINITION =
  'Hours saved per task and month exactly as the monthly report computes them (minutes saved each time, from the measurement in force, × occurrences measured, else stated, else by frequency), over the tasks of the engagements you can see; whole calendar months: every month the period touches counts in full.';

type Bucket = { keys: Record<string, string | null>; s: bigint };

async function hoursSaved(ctx: Ctx, scope: VisibilityScope, p: Period, dims: AggregateDimension[], filters: Partial<Record<Filter, string>>, limit: number): Promise<Grouped> {
  const engagementWhere = [
    sql`e.archived_at is null`,
    seen('engagements', scope, 'e'),
    ...(filters.engagement_id ? [sql`e.id = ${filters.engagement_id}::uuid`] : []),
    ...(filters.company_id ? [sql`e.company_id = ${filters.company_id}::uuid`] : []),
  ];
  const engagements = await rowsOf<{ id: string; company_id: string }>(ctx, sql`select e.id, e.company_id from engagements e where ${sql.join(engagementWhere, sql` and `)}`);
  const months = monthsOf(p);
  const first = months[0]!;
  const last = months[months.length - 1]!;
  const companyOf = new Map(engagements.map((e) => [e.id, e.company_id]));
  const tasks = engagements.length ? await readSavingTasks(ctx, engagements.map((e) => e.id), first, last, filters.contact_id) : [];

  const buckets = new Map<string, Bucket>();
  let total = 0n;
  for (const task of tasks) {
    for (const tm of taskMonths(task, months)) {
      // Before any measurement the report shows no saving for the task: nothing to count.
      if (tm.saved_each === null) continue;
      const keys: Record<string, string | null> = {};
      for (const d of dims) keys[d] = savingKey(d, tm.month, task, companyOf);
      const id = JSON.stringify(dims.map((d) => keys[d]));
      const b = buckets.get(id) ?? { keys, s: 0n };
      b.s += tm.s;
      buckets.set(id, b);
      total += tm.s;
    }
  }
  const sorted = [...buckets.values()].sort(
    (a, b) => (a.s === b.s ? 0 : a.s > b.s ? -1 : 1) || dims.reduce((c, d) => c || cmp(a.keys[d] ?? null, b.keys[d] ?? null), 0),
  );
  return {
    rows: sorted.slice(0, limit).map((b) => ({ keys: b.keys, labels: {}, value: hoursOf(b.s), currency: null })),
    totals: [{ value: hoursOf(total), currency: null }],
    truncated: sorted.length > limit,
  };
}

function savingKey(d: AggregateDimension, month: string, task: { engagement_id: string; contact_id: string }, companyOf: Map<string, string>): string | null {
  switch (d) {
    case 'month':
      return month;
    case 'quarter':
      return `${month.slice(0, 4)}-Q${Math.ceil(Number(month.slice(5, 7)) / 3)}`;
    case 'contact':
      return task.contact_id;
    case 'engagement':
      return task.engagement_id;
    case 'company':
      return companyOf.get(task.engagement_id) ?? null;
    default:
      return null;
  }
}

/**
 * The report's task sources (savings.ts) for these engagements, narrowed to the tasks that have
 * a measurement by the last month's end (the others save nothing in any month asked for) and,
 * when asked, to one contact's tasks.
 */
async function readSavingTasks(ctx: Ctx, ids: string[], first: string, last: string, contactId: string | undefined) {
  const src = taskSources(ids, first, last, { names: false });
  const contact = contactId ? sql` and q.contact_id = ${contactId}::uuid` : sql``;
  const rows = await readSources(ctx, {
    tasks: sql`select q.* from (${src.tasks}) q
      where exists (select 1 from task_measurements x where x.task_id = q.id and x.archived_at is null and x.measured_on <= ${monthEnd(last)}::date)${contact}`,
    measurements: contactId
      ? sql`select q.* from (${src.measurements}) q where q.task_id in (select t.id from contact_tasks t where t.contact_id = ${contactId}::uuid)`
      : src.measurements,
  });
  return readTasks(rows);
}

// ---------------------------------------------------------------------------
// Labels

/** Names for the id keys: null for a record the caller may not see (or a key that is null). */
async function addLabels(ctx: Ctx, scope: VisibilityScope, dims: AggregateDimension[], rows: Row[]): Promise<void> {
  for (const d of dims) {
    const table = ID_DIMENSIONS[d];
    if (!table) continue;
    const ids = [...new Set(rows.map((r) => r.keys[d]).filter((k): k is string => typeof k === 'string'))];
    const names = ids.length ? await namesOf(ctx, scope, table, ids) : new Map<string, string | null>();
    for (const r of rows) {
      const id = r.keys[d];
      r.labels[d] = id ? (names.get(id) ?? null) : null;
    }
  }
}

async function namesOf(ctx: Ctx, scope: VisibilityScope, table: 'companies' | 'contacts' | 'engagements' | 'users', ids: string[]): Promise<Map<string, string | null>> {
  const list = uuidArray(ids);
  const q =
    table === 'users'
      ? // Users carry no visibility rule: everyone signed in may see who their colleagues are.
        sql`select r.id::text as id, r.name from users r where r.id = any(${list})`
      : table === 'contacts'
        ? sql`select r.id::text as id, coalesce(nullif(trim(concat_ws(' ', r.first_name, r.last_name)), ''), r.name) as name
            from contacts r where r.id = any(${list}) and ${seen('contacts', scope, 'r')}`
        : sql`select r.id::text as id, r.name from ${raw(table)} r where r.id = any(${list}) and ${seen(table, scope, 'r')}`;
  const rows = await rowsOf<{ id: string; name: string | null }>(ctx, q);
  return new Map(rows.map((r) => [r.id, r.name]));
}

// ---------------------------------------------------------------------------
// Tables

/** 'rows': one line per group (keys, their labels, value, currency); 'totals': per currency. */
export function aggregateTables(r: AggregateResult): InsightTable[] {
  const rows = r.rows.map((row) => {
    const line: Record<string, unknown> = {};
    for (const d of r.group_by) {
      line[d] = row.keys[d] ?? null;
      if (ID_DIMENSIONS[d]) line[`${d}_name`] = row.labels[d] ?? null;
    }
    return { ...line, value: row.value, currency: row.currency, unit: r.unit };
  });
  return [
    { name: 'rows', rows },
    { name: 'totals', rows: r.totals.map((t) => ({ measure: r.measure, value: t.value, currency: t.currency, unit: r.unit, truncated: r.truncated })) },
  ];
}
