/**
 * The registry of what was built and where it runs (seed 000 steps 12–14): MCP servers and
 * Skills files (ai_assets), their deployments (ai_asset_deployments) and the tasks they
 * support (task_ai_assets).
 *
 * Rules:
 * - `delivery.built` answers in one query. An asset is listed when the caller may see it
 *   (through its engagement); within it, the names of companies, engagements, tasks and
 *   contacts the caller may not see are left out (their ids are visible on the rows anyway);
 * - the engagement and company filters match where an asset was built or where it is
 *   deployed;
 * - deploying makes one active deployment row per account; the same account twice is a
 *   conflict. account_ref defaults to the engagement's claude_workspace_id, the engagement to
 *   the asset's, the company to the engagement's. The asset becomes `deployed` (deployed =
 *   true). A deprecated or archived asset is not deployed (change its status first);
 * - retiring makes the asset `deprecated` (deployed = false) and marks each active deployment
 *   `removed` at that moment; the reason is appended to the asset's notes;
 * - a task is linked to an asset once: a second link is a conflict; unlinking archives the
 *   link, and linking again restores it.
 */
import { sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { AI_ASSET_KINDS, AI_ASSET_STATUSES } from '../../db/schema/delivery.ts';
import { localDate, withTx, type Ctx } from '../context.ts';
import { AppError, invalid, notFound } from '../errors.ts';
import { writeAudit } from '../platform/audit.ts';
import { visibilityScope, visibleCondition, type VisibilityScope } from '../platform/visibility.ts';
import { applyUpdate, fetchRow, insertRecord, readRows, type Row } from '../resource.ts';
import { resource } from '../resources.ts';

const assetsRes = () => resource('ai_assets');
const deploymentsRes = () => resource('ai_asset_deployments');
const linksRes = () => resource('task_ai_assets');
const tasksRes = () => resource('contact_tasks');

const pathId = (what: string) => z.string().max(200).describe(what);
const refId = z.uuid({ message: 'must be a UUID' });
const seen = (name: string, scope: VisibilityScope, alias: string): SQL => visibleCondition(resource(name), scope, alias) ?? sql`true`;

// ---------------------------------------------------------------------------
// Everything built, everything deployed, and where

export const BuiltInput = z.strictObject({
  engagement_id: refId.optional().describe('built for or deployed to this engagement'),
  company_id: refId.optional().describe('built for or deployed to this company'),
  kind: z.enum(AI_ASSET_KINDS, { message: `must be one of: ${AI_ASSET_KINDS.join(', ')}` }).optional(),
  status: z.enum(AI_ASSET_STATUSES, { message: `must be one of: ${AI_ASSET_STATUSES.join(', ')}` }).optional(),
});
export type BuiltInput = z.infer<typeof BuiltInput>;

type Json = Record<string, unknown>;
type DeploymentJson = Json & { status: string; deployed_at: unknown; removed_at: unknown };
type AssetRow = Json & { id: string; kind: string; name: string; status: string; deployments: unknown; tasks: unknown };
const parsed = <T>(v: unknown): T => (typeof v === 'string' ? (JSON.parse(v) as T) : (v as T));
const instant = (v: unknown) => (v === null || v === undefined ? null : new Date(String(v)));

export async function builtRegistry(ctx: Ctx, input: BuiltInput) {
  const scope = await visibilityScope(ctx);
  const where: SQL[] = [sql`a.archived_at is null`, seen('ai_assets', scope, 'a')];
  if (input.kind) where.push(sql`a.kind = ${input.kind}`);
  if (input.status) where.push(sql`a.status = ${input.status}`);
  if (input.engagement_id) {
    where.push(sql`(a.engagement_id = ${input.engagement_id}::uuid or exists (select 1 from ai_asset_deployments fd
      where fd.asset_id = a.id and fd.archived_at is null and fd.engagement_id = ${input.engagement_id}::uuid))`);
  }
  if (input.company_id) {
    where.push(sql`(e.company_id = ${input.company_id}::uuid or exists (select 1 from ai_asset_deployments fd
      left join engagements fe on fe.id = fd.engagement_id
      where fd.asset_id = a.id and fd.archived_at is null and ${input.company_id}::uuid in (fd.company_id, fe.company_id)))`);
  }
  const result = (await ctx.db.execute(sql`
    select a.id, a.kind, a.name, a.description, a.status, a.deployed, a.asset_version, a.built_date::text as built_date,
      a.repository_url, a.notes, a.built_by, u.name as built_by_name,
      a.engagement_id, case when ${seen('engagements', scope, 'e')} then e.name end as engagement_name,
      e.company_id, case when ${seen('companies', scope, 'co')} then co.name end as company_name,
      coalesce((
        select json_agg(json_build_object(
            'id', d.id, 'account_ref', d.account_ref, 'status', d.status,
            'deployed_at', d.deployed_at, 'removed_at', d.removed_at,
            'company_id', d.company_id, 'company_name', case when ${seen('companies', scope, 'dc')} then dc.name end,
            'engagement_id', d.engagement_id, 'engagement_name', case when ${seen('engagements', scope, 'de')} then de.name end
          ) order by d.deployed_at, d.id)
        from ai_asset_deployments d
        left join companies dc on dc.id = d.company_id
        left join engagements de on de.id = d.engagement_id
        where d.asset_id = a.id and d.archived_at is null), '[]'::json) as deployments,
      coalesce((
        select json_agg(json_build_object(
            'task_id', t.id, 'task_name', t.task_name, 'ai_adoption_status', t.ai_adoption_status,
            'contact_id', t.contact_id, 'contact_name', case when ${seen('contacts', scope, 'tc')} then tc.name end
          ) order by tc.name, t.task_name, t.id)
        from task_ai_assets l
        join contact_tasks t on t.id = l.task_id and t.archived_at is null
        left join contacts tc on tc.id = t.contact_id
        where l.asset_id = a.id and l.archived_at is null and ${seen('contact_tasks', scope, 't')}), '[]'::json) as tasks
    from ai_assets a
    left join engagements e on e.id = a.engagement_id
    left join companies co on co.id = e.company_id
    left join users u on u.id = a.built_by
    where ${sql.join(where, sql` and `)}
    order by a.kind, lower(a.name), a.id`)) as unknown as { rows: AssetRow[] };

  const items = result.rows.map((r) => {
    const deployments = parsed<DeploymentJson[]>(r.deployments).map((d) => ({ ...d, deployed_at: instant(d.deployed_at), removed_at: instant(d.removed_at) }));
    return { ...r, deployments, tasks: parsed<Json[]>(r.tasks) };
  });
  const count = (f: (a: (typeof items)[number]) => boolean) => items.filter(f).length;
  return {
    summary: {
      built: items.length,
      mcps: count((a) => a.kind === 'mcp'),
      skills: count((a) => a.kind === 'skill'),
      in_development: count((a) => a.status === 'in_development'),
      deployed: count((a) => a.status === 'deployed'),
      deprecated: count((a) => a.status === 'deprecated'),
      active_deployments: items.reduce((n, a) => n + a.deployments.filter((d) => d.status === 'active').length, 0),
    },
    items,
  };
}

// ---------------------------------------------------------------------------
// Linking tasks and assets

export const LinkAssetInput = z.strictObject({ task_id: pathId('the contact task'), asset_id: refId.describe('the MCP server or Skills file') });
export type LinkAssetInput = z.infer<typeof LinkAssetInput>;
export const UnlinkAssetInput = z.strictObject({ task_id: pathId('the contact task'), asset_id: pathId('the MCP server or Skills file') });
export type UnlinkAssetInput = z.infer<typeof UnlinkAssetInput>;

async function liveTask(ctx: Ctx, taskId: string): Promise<Row> {
  const task = await fetchRow(ctx, tasksRes(), taskId, true);
  if (!task) throw notFound('contact task', taskId);
  if (task.archived_at !== null) throw new AppError('CONFLICT', `contact task ${taskId} is archived; restore it first`);
  return task;
}

async function linkBetween(ctx: Ctx, taskId: string, assetId: string): Promise<Row | undefined> {
  const r = (await ctx.db.execute(
    sql`select id, archived_at from task_ai_assets where task_id = ${taskId}::uuid and asset_id = ${assetId}::uuid for update`,
  )) as unknown as { rows: Row[] };
  return r.rows[0];
}

/** Step 14: this asset supports this task (000 linked_skills / linked_mcp_connections). */
export async function linkAssetToTask(ctx: Ctx, input: LinkAssetInput) {
  return withTx(ctx, async (tx) => {
    const task = await liveTask(tx, input.task_id);
    const asset = await fetchRow(tx, assetsRes(), input.asset_id);
    if (!asset) throw invalid([{ field: 'asset_id', message: 'does not name an MCP server or Skills file that you can see' }]);
    if (asset.archived_at !== null) throw invalid([{ field: 'asset_id', message: 'names an archived asset' }]);
    const existing = await linkBetween(tx, input.task_id, input.asset_id);
    if (existing && existing.archived_at === null) {
      throw new AppError('CONFLICT', `asset ${String(asset.id)} is already linked to task ${String(task.id)} (task_ai_assets ${String(existing.id)}); nothing to do`, {
        details: { existing_id: existing.id, fields: [{ field: 'asset_id', message: 'is already linked to this task' }] },
      });
    }
    let link: Row;
    if (existing) {
      link = await restoreLink(tx, existing, 'delivery.link_asset_to_task');
    } else {
      link = await insertRecord(tx, linksRes(), { task_id: input.task_id, asset_id: input.asset_id }, 'delivery.link_asset_to_task');
    }
    return { link, task_id: task.id, task_name: task.task_name, asset: { id: asset.id, kind: asset.kind, name: asset.name } };
  });
}

async function setLinkArchived(ctx: Ctx, link: Row, archived: boolean, operation: string): Promise<Row> {
  const id = link.id as string;
  const now = ctx.now();
  const r = (await ctx.db.execute(sql`
    update task_ai_assets set archived_at = ${archived ? now.toISOString() : null}::timestamptz,
      updated_at = ${now.toISOString()}::timestamptz, version = version + 1
    where id = ${id}::uuid
    returning id, task_id, asset_id, created_at, updated_at, version, archived_at`)) as unknown as { rows: Row[] };
  const row = readRows(linksRes(), r.rows)[0]!;
  await writeAudit(ctx, {
    action: archived ? 'archive' : 'restore',
    table: 'task_ai_assets',
    recordId: id,
    operation,
    before: { archived_at: instant(link.archived_at) },
    after: { archived_at: row.archived_at },
  });
  return row;
}
const restoreLink = (ctx: Ctx, link: Row, operation: string) => setLinkArchived(ctx, link, false, operation);

/** The asset no longer supports the task: the link is archived (linking again restores it). */
export async function unlinkAssetFromTask(ctx: Ctx, input: UnlinkAssetInput) {
  return withTx(ctx, async (tx) => {
    const task = await liveTask(tx, input.task_id);
    const asset = await fetchRow(tx, assetsRes(), input.asset_id);
    if (!asset) throw notFound('ai asset', input.asset_id);
    const existing = await linkBetween(tx, input.task_id, input.asset_id);
    if (!existing || existing.archived_at !== null) {
      throw new AppError('CONFLICT', `asset ${String(asset.id)} is not linked to task ${String(task.id)}; nothing to unlink`);
    }
    const link = await setLinkArchived(tx, existing, true, 'delivery.unlink_asset_from_task');
    return { link, unlinked: true as const };
  });
}

// ---------------------------------------------------------------------------
// Deploying and retiring

export const DeployAssetInput = z.strictObject({
  id: pathId('the MCP server or Skills file'),
  account_ref: z.string().trim().min(1, 'must not be empty').max(1000, 'must be at most 1000 characters').optional().describe("the workspace or account (default: the engagement's claude_workspace_id)"),
  engagement_id: refId.optional().describe("the engagement it is deployed for (default: the asset's)"),
  company_id: refId.optional().describe("the company it is deployed to (default: the engagement's)"),
  deployed_at: z.iso
    .datetime({ offset: true, message: 'must be an ISO 8601 date-time with a time zone, e.g. 2026-03-01T09:30:00Z' })
    .optional()
    .describe('default now; not in the future'),
});
export type DeployAssetInput = z.infer<typeof DeployAssetInput>;

export async function deployAsset(ctx: Ctx, input: DeployAssetInput) {
  return withTx(ctx, async (tx) => {
    const asset = await fetchRow(tx, assetsRes(), input.id, true);
    if (!asset) throw notFound('ai asset', input.id);
    if (asset.archived_at !== null) throw new AppError('CONFLICT', `asset ${String(asset.id)} is archived; restore it before deploying it`);
    if (asset.status === 'deprecated') {
      throw new AppError('CONFLICT', `asset ${String(asset.id)} is deprecated; set its status back to in_development before deploying it again`, {
        details: { fields: [{ field: 'status', message: 'is deprecated' }] },
      });
    }
    const engagementId = input.engagement_id ?? (asset.engagement_id as string | null);
    let engagement: Row | undefined;
    if (engagementId) {
      engagement = await fetchRow(tx, resource('engagements'), engagementId);
      if (!engagement) {
        throw invalid([{ field: 'engagement_id', message: input.engagement_id ? 'does not name an engagement that you can see' : "the asset's engagement is not one you can see" }]);
      }
    }
    if (input.company_id && engagement && engagement.company_id !== input.company_id) {
      throw invalid([{ field: 'company_id', message: `is not the company of engagement ${String(engagement.id)}` }]);
    }
    const companyId = input.company_id ?? (engagement?.company_id as string | undefined) ?? null;
    const accountRef = input.account_ref ?? (engagement?.claude_workspace_id as string | null | undefined) ?? null;
    if (!accountRef) {
      throw invalid([{ field: 'account_ref', message: 'is required: the engagement has no claude_workspace_id to deploy to' }]);
    }
    const now = tx.now();
    const deployedAt = input.deployed_at ? new Date(input.deployed_at) : now;
    if (deployedAt.getTime() > now.getTime()) throw invalid([{ field: 'deployed_at', message: 'is in the future' }]);
    const active = (await tx.db.execute(sql`
      select id from ai_asset_deployments
      where asset_id = ${input.id}::uuid and account_ref = ${accountRef} and status = 'active' and archived_at is null`)) as unknown as { rows: { id: string }[] };
    if (active.rows[0]) {
      throw new AppError('CONFLICT', `asset ${String(asset.id)} is already deployed to that account (ai_asset_deployments ${active.rows[0].id})`, {
        details: { existing_id: active.rows[0].id, fields: [{ field: 'account_ref', message: 'already has this asset deployed' }] },
      });
    }
    const deployment = await insertRecord(
      tx,
      deploymentsRes(),
      { asset_id: input.id, engagement_id: engagementId, company_id: companyId, account_ref: accountRef, deployed_at: deployedAt, status: 'active' },
      'delivery.deploy_asset',
    );
    const changes: Row = {};
    if (asset.status !== 'deployed') changes.status = 'deployed';
    if (asset.deployed !== true) changes.deployed = true;
    const updated = Object.keys(changes).length
      ? await applyUpdate(tx, assetsRes(), input.id, changes, { operation: 'delivery.deploy_asset' })
      : asset;
    return { asset: updated, deployment };
  });
}

export const RetireAssetInput = z.strictObject({
  id: pathId('the MCP server or Skills file'),
  reason: z.string().trim().max(2000, 'must be at most 2000 characters').optional().describe("why; appended to the asset's notes"),
});
export type RetireAssetInput = z.infer<typeof RetireAssetInput>;

export async function retireAsset(ctx: Ctx, input: RetireAssetInput) {
  return withTx(ctx, async (tx) => {
    const asset = await fetchRow(tx, assetsRes(), input.id, true);
    if (!asset) throw notFound('ai asset', input.id);
    if (asset.status === 'deprecated') throw new AppError('CONFLICT', `asset ${String(asset.id)} is already deprecated`);
    const now = tx.now();
    const active = await tx.db.execute(sql`
      select id, deployed_at from ai_asset_deployments
      where asset_id = ${input.id}::uuid and status = 'active' and archived_at is null order by deployed_at, id`);
    const removed: Row[] = [];
    for (const d of readRows(deploymentsRes(), (active as unknown as { rows: Row[] }).rows)) {
      // A deployment dated later than now (entered by hand) ends when it starts, never before.
      const at = (d.deployed_at as Date).getTime() > now.getTime() ? (d.deployed_at as Date) : now;
      removed.push(await applyUpdate(tx, deploymentsRes(), d.id as string, { status: 'removed', removed_at: at }, { operation: 'delivery.retire_asset' }));
    }
    const line = `Retired ${localDate(tx)}${input.reason ? `: ${input.reason}` : ''}`;
    const notes = asset.notes ? `${String(asset.notes)}\n${line}` : line;
    const updated = await applyUpdate(tx, assetsRes(), input.id, { status: 'deprecated', deployed: false, notes }, { operation: 'delivery.retire_asset' });
    return { asset: updated, removed_deployments: removed };
  });
}
