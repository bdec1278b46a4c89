/** Status history of a company, lead, deal, engagement, campaign or campaign target, with time spent in each status. */
import { and, asc, eq } from 'drizzle-orm';
import { status_history } from '../../db/schema/platform.ts';
import type { Ctx } from '../context.ts';
import { getRecord } from '../resource.ts';
import { resource } from '../resources.ts';
import type { StatusEntity } from './pipeline.ts';

const TABLE: Record<StatusEntity, string> = {
  company: 'companies',
  lead: 'leads',
  deal: 'deals',
  engagement: 'engagements',
  campaign: 'campaigns',
  campaign_target: 'campaign_targets',
};

export async function statusTimeline(ctx: Ctx, input: { entity_type: StatusEntity; id: string }) {
  const record = await getRecord(ctx, resource(TABLE[input.entity_type]), input.id);
  const rows = await ctx.db
    .select()
    .from(status_history)
    .where(and(eq(status_history.entity_type, input.entity_type), eq(status_history.entity_id, input.id)))
    .orderBy(asc(status_history.entered_at), asc(status_history.created_at));
  const now = ctx.now().getTime();
  const entries = rows.map((r) => {
    const end = r.exited_at?.getTime() ?? now;
    const seconds = Math.max(0, Math.round((end - r.entered_at.getTime()) / 1000));
    return {
      status: r.status,
      from_status: r.from_status,
      entered_at: r.entered_at.toISOString(),
      exited_at: r.exited_at?.toISOString() ?? null,
      current: r.exited_at === null,
      duration_seconds: seconds,
      duration_days: Math.floor(seconds / 86_400),
      reason: r.reason,
      changed_by: r.changed_by,
    };
  });
  const totals = new Map<string, number>();
  for (const e of entries) totals.set(e.status, (totals.get(e.status) ?? 0) + e.duration_seconds);
  const pipelineField = input.entity_type === 'deal' ? 'stage' : 'status';
  return {
    entity_type: input.entity_type,
    id: input.id,
    current_status: record[pipelineField] as string,
    entries,
    time_in_status: [...totals].map(([status, seconds]) => ({
      status,
      seconds,
      days: Math.round((seconds / 86_400) * 10) / 10,
    })),
  };
}
