/**
 * Time saved (000 steps 18, 22–23): per task and month, minutes saved each time × how often
 * the task happened, from the task's measurement series (task_measurements), never from the
 * task's current time_after_ai, which only holds the latest value.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { PersonSaving, TaskSaving, TimeSavedSection } from '../types.ts';
import { monthEnd, monthOfDay, monthStart, weekdaysIn, type Month } from '../rules.ts';
import { contactNameOf, num, str, type Raw } from './db.ts';
import { uuidArray } from '../../sql-arrays.ts';
import { decimal2, hoursOf, hundredths, money, valueCents } from './exact.ts';

export type Measurement = { on: string; after: number; occurrences: number | null };

export type TaskRow = {
  id: string;
  engagement_id: string;
  contact_id: string;
  contact_name: string;
  task_name: string;
  frequency: string | null;
  adoption_status: string;
  /** occurrences_per_month in hundredths. */
  stated: bigint | null;
  time_before_ai: number | null;
  /** Oldest first: the latest one before the first month asked for, then every one in the months. */
  measurements: Measurement[];
};

export type OccurrenceSource = TaskSaving['occurrence_source'];

export type TaskMonth = {
  month: Month;
  /** Hundredths. */
  occurrences: bigint;
  source: OccurrenceSource;
  minutes_after: number | null;
  measured_on: string | null;
  saved_each: number | null;
  /** minutes saved each time × occurrences in hundredths (hours = s ÷ 6000). */
  s: bigint;
};

const TASK_FILTER = sql.raw(`t.archived_at is null and t.ai_adoption_status <> 'abandoned'`);

/**
 * The counted tasks of the engagements, and their measurements: per task, the one in force when
 * the first month begins and every one up to the last month's end (the index on (task_id,
 * measured_on) answers both). `names: false` leaves out the people's names (the portfolio shows none).
 */
export function taskSources(ids: readonly string[], from: Month, to: Month, opts: { names?: boolean } = {}): { tasks: SQL; measurements: SQL } {
  const list = uuidArray(ids);
  return {
    tasks: sql`select t.id, t.engagement_id, t.contact_id, ${opts.names === false ? sql`''` : contactNameOf('t.contact_id')} as contact_name,
        t.task_name, t.frequency, t.ai_adoption_status, t.occurrences_per_month::text as stated, t.time_before_ai
      from contact_tasks t
      where t.engagement_id = any(${list}) and ${TASK_FILTER}`,
    measurements: sql`select m.task_id, m.measured_on::text as measured_on, m.time_after_ai, m.occurrences
      from contact_tasks t
      cross join lateral (
        (select x.task_id, x.measured_on, x.time_after_ai, x.occurrences from task_measurements x
          where x.task_id = t.id and x.archived_at is null and x.measured_on < ${monthStart(from)}::date
          order by x.measured_on desc limit 1)
        union all
        (select x.task_id, x.measured_on, x.time_after_ai, x.occurrences from task_measurements x
          where x.task_id = t.id and x.archived_at is null
            and x.measured_on between ${monthStart(from)}::date and ${monthEnd(to)}::date)
      ) m
      where t.engagement_id = any(${list}) and ${TASK_FILTER}`,
  };
}

export function readTasks(rows: { tasks: Raw[]; measurements: Raw[] }): TaskRow[] {
  const byTask = new Map<string, Measurement[]>();
  for (const r of rows.measurements) {
    const id = String(r.task_id);
    const list = byTask.get(id) ?? [];
    list.push({ on: String(r.measured_on), after: Number(r.time_after_ai), occurrences: num(r.occurrences) });
    byTask.set(id, list);
  }
  for (const list of byTask.values()) list.sort((a, b) => (a.on < b.on ? -1 : a.on > b.on ? 1 : 0));
  return rows.tasks.map((r) => ({
    id: String(r.id),
    engagement_id: String(r.engagement_id),
    contact_id: String(r.contact_id),
    contact_name: String(r.contact_name),
    task_name: String(r.task_name),
    frequency: str(r.frequency),
    adoption_status: String(r.ai_adoption_status),
    stated: r.stated === null || r.stated === undefined ? null : hundredths(String(r.stated)),
    time_before_ai: num(r.time_before_ai),
    measurements: byTask.get(String(r.id)) ?? [],
  }));
}

function byFrequency(frequency: string | null, month: Month): { occurrences: bigint; source: OccurrenceSource } {
  const wd = BigInt(weekdaysIn(month));
  switch (frequency) {
    case 'daily':
      return { occurrences: wd * 100n, source: 'frequency' };
    case 'weekly':
      // weekdays ÷ 5 in hundredths: exact, since ÷ 5 leaves at most one decimal.
      return { occurrences: wd * 20n, source: 'frequency' };
    case 'monthly':
      return { occurrences: 100n, source: 'frequency' };
    default:
      return { occurrences: 0n, source: 'none' };
  }
}

/** The task's figures for each month (contiguous, oldest first; `ends` are their last days). */
export function taskMonths(task: TaskRow, months: readonly Month[], ends: readonly string[] = months.map(monthEnd)): TaskMonth[] {
  const out: TaskMonth[] = [];
  let i = 0;
  let latest: Measurement | undefined;
  for (const [k, month] of months.entries()) {
    const end = ends[k]!;
    let measured: bigint | null = null;
    for (; i < task.measurements.length && task.measurements[i]!.on <= end; i++) {
      const m = task.measurements[i]!;
      latest = m;
      if (monthOfDay(m.on) === month && m.occurrences !== null) measured = (measured ?? 0n) + BigInt(m.occurrences) * 100n;
    }
    const occ =
      measured !== null
        ? { occurrences: measured, source: 'measured' as const }
        : task.stated !== null
          ? { occurrences: task.stated, source: 'stated' as const }
          : byFrequency(task.frequency, month);
    const after = latest?.after ?? null;
    const savedEach = after === null || task.time_before_ai === null ? null : task.time_before_ai - after;
    out.push({
      month,
      ...occ,
      minutes_after: after,
      measured_on: latest?.on ?? null,
      saved_each: savedEach,
      s: savedEach === null ? 0n : BigInt(savedEach) * occ.occurrences,
    });
  }
  return out;
}

export type Savings = {
  /** Total saving (minute-hundredths) per month, in the order of the months given. */
  totals: bigint[];
  /** Each task's figures in the last month. */
  last: Map<string, TaskMonth>;
};

export function computeSavings(tasks: readonly TaskRow[], months: readonly Month[]): Savings {
  const totals = months.map(() => 0n);
  const ends = months.map(monthEnd);
  const last = new Map<string, TaskMonth>();
  for (const task of tasks) {
    const series = taskMonths(task, months, ends);
    series.forEach((tm, k) => (totals[k] = totals[k]! + tm.s));
    const l = series[series.length - 1];
    if (l) last.set(task.id, l);
  }
  return { totals, last };
}

const valueOf = (s: bigint, rate: bigint | null) => (rate === null ? null : money(valueCents(s, rate)));

/** The month's section: every counted task, and per person the sum of their tasks (exact, then rounded). */
export function timeSavedSection(tasks: readonly TaskRow[], last: Map<string, TaskMonth>, total: bigint, rate: bigint | null): TimeSavedSection {
  const people = new Map<string, { name: string; tasks: number; s: bigint }>();
  const lines: { s: bigint; line: TaskSaving }[] = [];
  for (const t of tasks) {
    const tm = last.get(t.id);
    if (!tm) continue;
    const p = people.get(t.contact_id) ?? { name: t.contact_name, tasks: 0, s: 0n };
    p.tasks++;
    p.s += tm.s;
    people.set(t.contact_id, p);
    lines.push({
      s: tm.s,
      line: {
        task_id: t.id,
        task_name: t.task_name,
        contact_id: t.contact_id,
        contact_name: t.contact_name,
        frequency: t.frequency,
        adoption_status: t.adoption_status,
        occurrences: decimal2(tm.occurrences),
        occurrence_source: tm.source,
        minutes_before: t.time_before_ai,
        minutes_after: tm.minutes_after,
        measured_on: tm.measured_on,
        minutes_saved_each: tm.saved_each,
        hours_saved: hoursOf(tm.s),
        value: valueOf(tm.s, rate),
      },
    });
  }
  const order = [...people.entries()].sort(([ia, a], [ib, b]) => (a.s === b.s ? a.name.localeCompare(b.name) || ia.localeCompare(ib) : a.s > b.s ? -1 : 1));
  const rank = new Map(order.map(([id], k) => [id, k]));
  lines.sort(
    (a, b) =>
      rank.get(a.line.contact_id)! - rank.get(b.line.contact_id)! ||
      (a.s === b.s ? a.line.task_name.localeCompare(b.line.task_name) || a.line.task_id.localeCompare(b.line.task_id) : a.s > b.s ? -1 : 1),
  );
  const personLines: PersonSaving[] = order.map(([id, p]) => ({ contact_id: id, name: p.name, tasks: p.tasks, hours_saved: hoursOf(p.s), value: valueOf(p.s, rate) }));
  return { hours_saved: hoursOf(total), value: valueOf(total, rate), people: personLines, tasks: lines.map((l) => l.line) };
}
