/** The engagements a report is about, read with the caller's record visibility. */
import { sql, type SQL } from 'drizzle-orm';
import type { Ctx } from '../../context.ts';
import { isUuid } from '../../fields.ts';
import { visibilityScope, visibleCondition } from '../../platform/visibility.ts';
import { resource } from '../../resources.ts';
import type { ReportEngagement } from '../types.ts';
import { monthEnd, monthStart, type Month } from '../rules.ts';
import { rowsOf, str, type Raw } from './db.ts';

export type EngagementRow = ReportEngagement & {
  hourly_rate_value: string | null;
  estimated_hours: string | null;
  /** The month of start_date, else of created_at (UTC). */
  start_month: Month;
};

const COLUMNS = sql.raw(`e.id, e.name, e.company_id, c.name as company_name, e.status, e.package, e.currency,
  e.start_date::text as start_date, e.go_live_date::text as go_live_date, e.end_date::text as end_date,
  e.hourly_rate_value::text as hourly_rate_value, e.estimated_hours::text as estimated_hours,
  to_char(coalesce(e.start_date, (e.created_at at time zone 'UTC')::date), 'YYYY-MM') as start_month`);

const read = (r: Raw): EngagementRow => ({
  id: String(r.id),
  name: str(r.name),
  company_id: String(r.company_id),
  company_name: String(r.company_name),
  status: String(r.status),
  package: str(r.package),
  currency: String(r.currency),
  start_date: str(r.start_date),
  go_live_date: str(r.go_live_date),
  end_date: str(r.end_date),
  hourly_rate_value: str(r.hourly_rate_value),
  estimated_hours: str(r.estimated_hours),
  start_month: String(r.start_month),
});

const visible = async (ctx: Ctx): Promise<SQL> => visibleCondition(resource('engagements'), await visibilityScope(ctx), 'e') ?? sql`true`;

/** The engagement if the caller may see it (archived ones included, as getRecord does); undefined otherwise. */
export async function loadEngagement(ctx: Ctx, id: string): Promise<EngagementRow | undefined> {
  if (!isUuid(id)) return undefined;
  const rows = await rowsOf(ctx, sql`select ${COLUMNS} from engagements e join companies c on c.id = e.company_id where e.id = ${id}::uuid and ${await visible(ctx)}`);
  return rows[0] ? read(rows[0]) : undefined;
}

/**
 * Engagements the caller may see that were live at some point of the month: started (start_date,
 * else created) on or before its last day, and not ended before its first day. Only a completed or
 * cancelled engagement (a won or lost status of the engagement pipeline) has ended: on its end_date
 * when set, else on the day it entered that status (status_history), else when it was last changed.
 * Archived engagements are left out.
 */
/**
 * When an engagement was live, for SQL over `engagements e` left-joined to its stage
 * `pipeline_stages ps` (pipeline 'engagement'): it began on its start date, else the day it was
 * created; an engagement in a won or lost status ended on its end date, else the day it entered
 * that status, else its last change; one still running has no end (null). Days are UTC.
 */
export const ENGAGEMENT_STARTED = sql`coalesce(e.start_date, (e.created_at at time zone 'UTC')::date)`;
export const ENGAGEMENT_ENDED = sql`case when coalesce(ps.is_won or ps.is_lost, false) then coalesce(
    e.end_date,
    (select (max(h.entered_at) at time zone 'UTC')::date from status_history h
      where h.entity_type = 'engagement' and h.entity_id = e.id and h.status = e.status),
    (e.updated_at at time zone 'UTC')::date) end`;

export async function listLiveEngagements(ctx: Ctx, month: Month): Promise<EngagementRow[]> {
  const rows = await rowsOf(
    ctx,
    sql`select ${COLUMNS}
        from engagements e
        join companies c on c.id = e.company_id
        left join pipeline_stages ps on ps.pipeline = 'engagement' and ps.key = e.status
        where e.archived_at is null
          and ${ENGAGEMENT_STARTED} <= ${monthEnd(month)}::date
          and (${ENGAGEMENT_ENDED} is null or ${ENGAGEMENT_ENDED} >= ${monthStart(month)}::date)
          and ${await visible(ctx)}
        order by lower(c.name), lower(coalesce(e.name, '')), e.id`,
  );
  return rows.map(read);
}
