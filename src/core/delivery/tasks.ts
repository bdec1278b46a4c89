/**
 * Contact tasks and their measurements (seed 000 steps 14 and 18).
 *
 * Rules:
 * - a task's `time_after_ai` (minutes) is always its latest measurement: the non-archived
 *   task_measurements row with the greatest measured_on (null when there is none). It is
 *   kept in step on every path that writes a measurement: create, bulk create, a change of
 *   time or date, a move to another task (both tasks), archive, restore and delete. The
 *   derived column is written directly (no audit row of its own: the measurement's own audit
 *   row says what changed); updated_at moves, the task's version does not, because nobody's
 *   edit of the task can conflict with a column clients cannot write;
 * - `time_saved_minutes` is a generated column (before − after), never written;
 * - one measurement per task per day: a second one is a conflict naming the existing one;
 * - a measurement is of something that happened: measured_on is not after today (in the
 *   context's time zone); minutes and occurrences are whole and not negative;
 * - recording a measurement moves the task's ai_adoption_status from not_started to
 *   in_progress (adopted and abandoned are a person's judgement, set by hand).
 */
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { localDate, withTx, type Ctx } from '../context.ts';
import { AppError, invalid, notFound } from '../errors.ts';
import { applyUpdate, fetchRow, getRecord, insertRecord } from '../resource.ts';
import { resource } from '../resources.ts';

const tasksRes = () => resource('contact_tasks');
const measurementsRes = () => resource('task_measurements');

// ---------------------------------------------------------------------------
// Verbs

const minutes = (what: string) =>
  z.int({ message: 'must be a whole number of minutes' }).min(0, 'must not be negative').max(1_000_000, 'is too large').describe(what);

export const RecordMeasurementInput = z.strictObject({
  task_id: z.string().max(200).describe('the contact task'),
  measured_on: z.iso.date({ message: 'must be a real calendar date as YYYY-MM-DD' }).describe('the day measured (not after today)'),
  time_after_ai: minutes('how long the task takes now, in minutes'),
  occurrences: z
    .int({ message: 'must be a whole number' })
    .min(0, 'must not be negative')
    .max(1_000_000, 'is too large')
    .optional()
    .describe('how many times the task was done in the period, when known'),
  notes: z.string().max(10_000, 'must be at most 10000 characters').optional(),
  measured_by: z.string().max(1000, 'must be at most 1000 characters').optional().describe('who measured (default: the caller)'),
});
export type RecordMeasurementInput = z.infer<typeof RecordMeasurementInput>;

/** Step 18: one measurement of a task; the task's time_after_ai follows and its adoption starts. */
export async function recordMeasurement(ctx: Ctx, input: RecordMeasurementInput) {
  return withTx(ctx, async (tx) => {
    // The lock queues two measurements of one task, so the same-day check below holds.
    const task = await fetchRow(tx, tasksRes(), input.task_id, true);
    if (!task) throw notFound('contact task', input.task_id);
    if (task.archived_at !== null) {
      throw new AppError('CONFLICT', `contact task ${input.task_id} is archived; restore it before measuring it`);
    }
    if (input.measured_on > localDate(tx)) {
      throw invalid([{ field: 'measured_on', message: `is after today (${localDate(tx)}); record a measurement once it is taken` }]);
    }
    const existing = (await tx.db.execute(
      sql`select id, archived_at from task_measurements where task_id = ${input.task_id}::uuid and measured_on = ${input.measured_on}::date`,
    )) as unknown as { rows: { id: string; archived_at: unknown }[] };
    const same = existing.rows[0];
    if (same) {
      const how = same.archived_at === null ? 'change that one' : 'restore and change that one (it is archived)';
      throw new AppError(
        'CONFLICT',
        `contact task ${input.task_id} already has a measurement on ${input.measured_on} (task_measurements ${same.id}); ${how} instead of adding a second`,
        { details: { existing_id: same.id, fields: [{ field: 'measured_on', message: `already measured (task_measurements ${same.id})` }] } },
      );
    }
    const measurement = await insertRecord(
      tx,
      measurementsRes(),
      {
        task_id: input.task_id,
        measured_on: input.measured_on,
        time_after_ai: input.time_after_ai,
        occurrences: input.occurrences ?? null,
        notes: input.notes ?? null,
        measured_by: input.measured_by ?? tx.actor.label,
      },
      'delivery.record_measurement',
    );
    let adoption: { from: string; to: string } | null = null;
    if (task.ai_adoption_status === 'not_started') {
      await applyUpdate(tx, tasksRes(), input.task_id, { ai_adoption_status: 'in_progress' }, { operation: 'delivery.record_measurement' });
      adoption = { from: 'not_started', to: 'in_progress' };
    }
    return { measurement, task: await getRecord(tx, tasksRes(), input.task_id), adoption_status_change: adoption };
  });
}

export const TaskHistoryInput = z.strictObject({ task_id: z.string().max(200).describe('the contact task') });
export type TaskHistoryInput = z.infer<typeof TaskHistoryInput>;

type SeriesRow = { id: string; measured_on: string; time_after_ai: number; occurrences: number | null; notes: string | null; measured_by: string | null };

/** A task and its measurements, oldest first, with the minutes saved each time (before − after). */
export async function taskHistory(ctx: Ctx, input: TaskHistoryInput) {
  const task = await getRecord(ctx, tasksRes(), input.task_id);
  const r = (await ctx.db.execute(sql`
    select id, measured_on::text as measured_on, time_after_ai, occurrences, notes, measured_by
    from task_measurements where task_id = ${input.task_id}::uuid and archived_at is null
    order by measured_on, id`)) as unknown as { rows: SeriesRow[] };
  const before = task.time_before_ai as number | null;
  const series = r.rows.map((m) => ({
    id: m.id,
    measured_on: m.measured_on,
    time_after_ai: m.time_after_ai,
    minutes_saved: before === null ? null : before - m.time_after_ai,
    occurrences: m.occurrences,
    notes: m.notes,
    measured_by: m.measured_by,
  }));
  return {
    task,
    time_before_ai: before,
    latest: series.at(-1) ?? null,
    series,
    rule: 'time_after_ai is the latest measurement (greatest measured_on); minutes_saved = time_before_ai − time_after_ai, per occurrence',
  };
}
