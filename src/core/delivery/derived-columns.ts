/**
 * Delivery columns that are derived from child rows, never typed in (src/core/platform/derived.ts
 * keeps them in step). Kept apart from the verbs so that resources.ts can use them while
 * loading: this module imports nothing that imports resources.ts.
 */
import { sql } from 'drizzle-orm';
import { derivedColumnHooks } from '../platform/derived.ts';

/** task_measurements' hooks: a task's time_after_ai (minutes) is its latest live measurement, null when none. */
export const timeAfterAiHooks = derivedColumnHooks({
  parent: 'contact_tasks',
  column: 'time_after_ai',
  child: 'task_measurements',
  parentKey: 'task_id',
  inputs: ['measured_on', 'time_after_ai'],
  value: (skip) => sql`(select c.time_after_ai from task_measurements c
    where c.task_id = p.id and c.archived_at is null ${skip} order by c.measured_on desc limit 1)`,
});

/** work_completed's hooks: an engagement's actual_hours is the sum of its live work rows (0 when none). */
export const actualHoursHooks = derivedColumnHooks({
  parent: 'engagements',
  column: 'actual_hours',
  child: 'work_completed',
  parentKey: 'engagement_id',
  inputs: ['hours'],
  value: (skip) => sql`(select coalesce(sum(c.hours), 0) from work_completed c
    where c.engagement_id = p.id and c.archived_at is null ${skip})`,
});
