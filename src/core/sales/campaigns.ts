/**
 * Campaigns (seed 004): who a campaign targets, the versions of its content, and how it
 * performs.
 *
 * A target is polymorphic (`target_type` lead | contact | company + `target_id`, no foreign
 * key), so core checks that it names a record the caller can see, and removes the targets of
 * a record that is deleted (removeCampaignTargetsOf). Targets are added one by one through the
 * generic create or many at a time by campaigns.add_targets (a list or a segment), in one
 * set-based statement. Performance rates are worked out from the totals of the metric rows,
 * in exact decimals (never the mean of each period's rate).
 *
 * A lead or contact is targeted, and sent the campaign's email (campaigns.send_email), only
 * while their marketing consent is in force (core/privacy/consent.ts); companies are not
 * people and need none. The email drain checks consent again before anything leaves.
 */
import { sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import {
  CAMPAIGN_TARGET_STATUSES,
  CAMPAIGN_TARGET_TYPES,
  DRAFT_STATUSES,
  campaign_content_versions,
  type CampaignTargetType,
} from '../../db/schema/marketing.ts';
import { LEAD_SOURCES } from '../../db/schema/sales.ts';
import { divRound, fromUnits, toUnits } from '../assessment/roi.ts';
import { queryRows, withTx, type Ctx } from '../context.ts';
import { AppError, invalid, notFound, type FieldError } from '../errors.ts';
import { isUuid } from '../fields.ts';
import { actingUserId } from '../identity/roles.ts';
import { writeAudit } from '../platform/audit.ts';
import { enqueueEmail, formatAddress, parseAddress } from '../platform/email.ts';
import { stagesOf } from '../platform/pipeline.ts';
import { marketingConsentSql } from '../privacy/consent.ts';
import { visibilityScope, visibleCondition, type VisibilityScope } from '../platform/visibility.ts';
import { fetchRow, getRecord, type Row } from '../resource.ts';
import { resource } from '../resources.ts';
import { arrayLiteral, uuidArray } from '../sql-arrays.ts';

/** The table each kind of target names. */
export const TARGET_TABLE: Record<CampaignTargetType, 'leads' | 'contacts' | 'companies'> = {
  lead: 'leads',
  contact: 'contacts',
  company: 'companies',
};

export const MAX_TARGETS = 5_000;
/** A segment that matches more than this is refused: narrow it (or split it by status). */
export const MAX_SEGMENT = 10_000;
/** Ids per audit row, as a bulk create writes them. */
const AUDIT_CHUNK = 5_000;


// ---------------------------------------------------------------------------
// Hooks of the generic layer (resources.ts)

async function campaignState(ctx: Ctx, campaignId: string): Promise<{ status: string; archived_at: unknown } | undefined> {
  const [row] = await queryRows<{ status: string; archived_at: unknown }>(ctx, sql`select status, archived_at from campaigns where id = ${campaignId}::uuid`);
  return row;
}

/** A campaign that is finished or archived takes no new targets. */
function assertTakesTargets(campaign: { status: string; archived_at: unknown }, field: string): void {
  if (campaign.status === 'completed') {
    throw new AppError('CONFLICT', `${field}: the campaign is completed and takes no new targets`, {
      details: { fields: [{ field, message: 'names a completed campaign, which takes no new targets' }] },
    });
  }
  if (campaign.archived_at !== null && campaign.archived_at !== undefined) {
    throw new AppError('CONFLICT', `${field}: the campaign is archived; restore it before adding targets`, {
      details: { fields: [{ field, message: 'names an archived campaign; restore it first' }] },
    });
  }
}

/**
 * Before a target is created one by one: the campaign still takes targets, the target names
 * a lead, contact or company the caller can see and that is not archived, and it is not
 * already a target of the campaign (the unique index would say so less clearly).
 */
export async function campaignTargetBeforeInsert(ctx: Ctx, values: Row): Promise<Row> {
  const campaign = await campaignState(ctx, values.campaign_id as string);
  if (campaign) assertTakesTargets(campaign, 'campaign_id');
  const type = values.target_type as CampaignTargetType;
  const target = await fetchRow(ctx, resource(TARGET_TABLE[type]), values.target_id as string);
  if (!target) throw invalid([{ field: 'target_id', message: `does not name a ${type} that you can see` }]);
  if (target.archived_at !== null && target.archived_at !== undefined) {
    throw invalid([{ field: 'target_id', message: `names an archived ${type}; restore it first` }]);
  }
  if (type !== 'company' && !(await hasMarketingConsent(ctx, type, values.target_id as string))) {
    throw invalid([{ field: 'target_id', message: NO_CONSENT }]);
  }
  const [existing] = await queryRows<{ id: string }>(
    ctx,
    sql`select id from campaign_targets where campaign_id = ${values.campaign_id as string}::uuid and target_type = ${type} and target_id = ${values.target_id as string}::uuid`,
  );
  if (existing) {
    throw new AppError('CONFLICT', `target_id: this ${type} is already a target of the campaign (campaign target ${existing.id})`, {
      details: { fields: [{ field: 'target_id', message: `is already a target of this campaign (${existing.id})` }] },
    });
  }
  return values;
}

/** Why a lead or contact is not targeted or mailed. */
export const NO_CONSENT = 'has not agreed to marketing email (no consent in force)';

async function hasMarketingConsent(ctx: Ctx, type: 'lead' | 'contact', id: string): Promise<boolean> {
  const [row] = await queryRows<{ ok: boolean }>(ctx, sql`select ${marketingConsentSql(type, sql`${id}::uuid`)} as ok`);
  return row?.ok === true;
}

const TEXT_FIELDS = ['subject', 'body', 'asset_url'] as const;

/**
 * Every saved text of a piece of content is kept: on create, and whenever subject, body or
 * asset_url change, a campaign_content_versions row with the content's version after the write.
 */
export async function campaignContentAfterWrite(ctx: Ctx, row: Row, before: Row | undefined): Promise<void> {
  if (before && TEXT_FIELDS.every((f) => (before[f] ?? null) === (row[f] ?? null))) return;
  await ctx.db.insert(campaign_content_versions).values({
    content_id: row.id as string,
    campaign_id: row.campaign_id as string,
    content_version: row.version as number,
    subject: (row.subject as string | null) ?? null,
    body: (row.body as string | null) ?? null,
    asset_url: (row.asset_url as string | null) ?? null,
    created_by: actingUserId(ctx.actor),
    created_at: ctx.now(),
  });
}

/**
 * Removes the campaign targets (and their status history) of a lead, contact or company about
 * to be hard-deleted; a company's contacts go with it (contacts.company_id cascades), so their
 * targets go too. Meant for the `beforeRemove` hook of leads, contacts and companies.
 */
export async function removeCampaignTargetsOf(ctx: Ctx, type: CampaignTargetType, id: string): Promise<number> {
  const match =
    type === 'company'
      ? sql`(target_type = 'company' and target_id = ${id}::uuid) or (target_type = 'contact' and target_id in (select c.id from contacts c where c.company_id = ${id}::uuid))`
      : sql`target_type = ${type} and target_id = ${id}::uuid`;
  const removed = await queryRows<{ id: string }>(ctx, sql`delete from campaign_targets where ${match} returning id`);
  if (!removed.length) return 0;
  const ids = removed.map((r) => r.id);
  await queryRows(ctx, sql`delete from status_history where entity_type = 'campaign_target' and entity_id = any(${uuidArray(ids)})`);
  await writeAudit(ctx, { action: 'delete', table: 'campaign_targets', operation: `${TARGET_TABLE[type]}.delete`, before: { target_type: type, target_id: id, count: ids.length, ids } });
  return ids.length;
}

// ---------------------------------------------------------------------------
// campaigns.add_targets

const statusList = z.array(z.string().min(1).max(64)).min(1).max(50);
const uuid = z.uuid({ message: 'must be a UUID' });

export const AddTargetsInput = z.strictObject({
  campaign_id: z.string().max(200),
  targets: z
    .array(z.strictObject({ target_type: z.enum(CAMPAIGN_TARGET_TYPES), target_id: z.string().max(200) }))
    .min(1, 'must name at least one target')
    .max(MAX_TARGETS, `takes at most ${MAX_TARGETS} targets per call; split the list or use a segment`)
    .optional()
    .describe(`the records to target, each { target_type: lead | contact | company, target_id } (at most ${MAX_TARGETS})`),
  segment: z
    .strictObject({
      leads: z
        .strictObject({
          status: statusList.optional().describe('lead pipeline statuses'),
          source: z.array(z.enum(LEAD_SOURCES)).min(1).max(LEAD_SOURCES.length).optional(),
          utm_campaign: z.string().min(1).max(200).optional(),
          min_score: z.int().min(0).max(100).optional(),
        })
        .optional(),
      contacts: z
        .strictObject({
          company_status: statusList.optional().describe("statuses of the contact's company"),
          industry_id: uuid.optional().describe("the contact's company's industry"),
        })
        .optional(),
      companies: z.strictObject({ status: statusList.optional(), industry_id: uuid.optional() }).optional(),
    })
    .optional()
    .describe('targets every visible, unarchived record of each kind named that matches its filters (all of that kind with no filters)'),
});
export type AddTargetsInput = z.infer<typeof AddTargetsInput>;

export type AddTargetsResult = {
  campaign_id: string;
  added: number;
  already_targeted: number;
  refused: { index: number; field: string; message: string }[];
  /** For a segment: how many records it matched (those without consent included). */
  matched?: number;
  /** For a segment: leads and contacts it matched that were left out, having no marketing consent in force. */
  without_consent?: number;
};

type Segment = NonNullable<AddTargetsInput['segment']>;

const inList = (column: SQL, values: readonly string[]) => sql`${column} in (${sql.join(values.map((v) => sql`${v}`), sql`, `)})`;

/** Statuses a segment names must exist in the pipeline, or it would silently match nothing. */
async function assertStatuses(ctx: Ctx, pipeline: 'lead' | 'company', values: string[] | undefined, field: string, errors: FieldError[]) {
  if (!values) return;
  const keys = (await stagesOf(ctx, pipeline)).map((s) => s.key);
  const unknown = values.filter((v) => !keys.includes(v));
  if (unknown.length) errors.push({ field, message: `${unknown.join(', ')} ${unknown.length === 1 ? 'is not a' : 'are not'} ${pipeline} status${unknown.length === 1 ? '' : 'es'}; use: ${keys.join(', ')}` });
}

/** One `select target_type, target_id, consented` over the records of the segment the scope may see (companies need no consent). */
function segmentQuery(seg: Segment, scope: VisibilityScope): SQL {
  const parts: SQL[] = [];
  const where = (conds: (SQL | null)[]) => sql.join(conds.filter((c): c is SQL => c !== null), sql` and `);
  if (seg.leads) {
    const f = seg.leads;
    parts.push(sql`select 'lead'::text as target_type, leads.id as target_id, ${marketingConsentSql('lead', sql`leads.id`)} as consented from leads where ${where([
      sql`leads.archived_at is null`,
      visibleCondition(resource('leads'), scope),
      f.status ? inList(sql`leads.status`, f.status) : null,
      f.source ? inList(sql`leads.source`, f.source) : null,
      f.utm_campaign !== undefined ? sql`leads.utm_campaign = ${f.utm_campaign}` : null,
      f.min_score !== undefined ? sql`leads.score >= ${f.min_score}` : null,
    ])}`);
  }
  if (seg.contacts) {
    const f = seg.contacts;
    parts.push(sql`select 'contact'::text as target_type, contacts.id as target_id, ${marketingConsentSql('contact', sql`contacts.id`)} as consented from contacts left join companies co on co.id = contacts.company_id where ${where([
      sql`contacts.archived_at is null`,
      visibleCondition(resource('contacts'), scope),
      f.company_status ? inList(sql`co.status`, f.company_status) : null,
      f.industry_id !== undefined ? sql`co.industry_id = ${f.industry_id}::uuid` : null,
    ])}`);
  }
  if (seg.companies) {
    const f = seg.companies;
    parts.push(sql`select 'company'::text as target_type, companies.id as target_id, true as consented from companies where ${where([
      sql`companies.archived_at is null`,
      visibleCondition(resource('companies'), scope),
      f.status ? inList(sql`companies.status`, f.status) : null,
      f.industry_id !== undefined ? sql`companies.industry_id = ${f.industry_id}::uuid` : null,
    ])}`);
  }
  return sql.join(parts, sql` union all `);
}

/** The targets of a list that name visible, unarchived records (each once), and why the others are refused. */
async function checkList(ctx: Ctx, targets: NonNullable<AddTargetsInput['targets']>, scope: VisibilityScope) {
  const refused: AddTargetsResult['refused'] = [];
  const byType = new Map<CampaignTargetType, Set<string>>();
  targets.forEach((t, index) => {
    if (!isUuid(t.target_id)) refused.push({ index, field: `targets.${index}.target_id`, message: 'must be a UUID' });
    else byType.set(t.target_type, (byType.get(t.target_type) ?? new Set()).add(t.target_id.toLowerCase()));
  });
  const found = new Map<string, { archived: boolean; consented: boolean }>(); // `type:id` →
  for (const [type, ids] of byType) {
    const res = resource(TARGET_TABLE[type]);
    const visible = visibleCondition(res, scope);
    const table = sql.identifier(res.tableName);
    const consented = type === 'company' ? sql`true` : marketingConsentSql(type, sql`${table}.id`);
    const rows = await queryRows<{ id: string; archived: boolean; consented: boolean }>(
      ctx,
      sql`select id, archived_at is not null as archived, ${consented} as consented from ${table} where id = any(${uuidArray([...ids])})${visible ? sql` and ${visible}` : sql``}`,
    );
    for (const r of rows) found.set(`${type}:${r.id}`, { archived: r.archived, consented: r.consented });
  }
  const accepted: { type: CampaignTargetType; id: string }[] = [];
  const seen = new Set<string>();
  let repeats = 0;
  targets.forEach((t, index) => {
    if (!isUuid(t.target_id)) return;
    const key = `${t.target_type}:${t.target_id.toLowerCase()}`;
    const record = found.get(key);
    if (record === undefined) refused.push({ index, field: `targets.${index}.target_id`, message: `does not name a ${t.target_type} that you can see` });
    else if (record.archived) refused.push({ index, field: `targets.${index}.target_id`, message: `names an archived ${t.target_type}` });
    else if (!record.consented) refused.push({ index, field: `targets.${index}.target_id`, message: NO_CONSENT });
    else if (seen.has(key)) repeats++;
    else {
      seen.add(key);
      accepted.push({ type: t.target_type, id: t.target_id.toLowerCase() });
    }
  });
  refused.sort((a, b) => a.index - b.index);
  return { accepted, refused, repeats };
}

/**
 * Adds targets to a campaign, each once, status `pending` with its first status_history row,
 * all in one statement inside one transaction. Records already targeted are counted, not
 * added again, so a second call with the same list or segment adds nothing.
 */
export async function addTargets(ctx: Ctx, input: AddTargetsInput): Promise<AddTargetsResult> {
  if ((input.targets === undefined) === (input.segment === undefined)) {
    throw invalid([{ field: input.targets ? 'segment' : 'targets', message: input.targets ? 'give either targets or segment, not both' : 'give the targets (a list) or a segment' }]);
  }
  const seg = input.segment;
  if (seg && !seg.leads && !seg.contacts && !seg.companies) {
    throw invalid([{ field: 'segment', message: 'names no kind of record: give leads, contacts or companies (an empty object for all of them)' }]);
  }
  if (!isUuid(input.campaign_id)) throw notFound('campaign', input.campaign_id);
  return withTx(ctx, async (tx) => {
    // Locked: concurrent adds to one campaign queue up, and its status cannot change under us.
    const campaign = await fetchRow(tx, resource('campaigns'), input.campaign_id, true);
    if (!campaign) throw notFound('campaign', input.campaign_id);
    assertTakesTargets(campaign as { status: string; archived_at: unknown }, 'campaign_id');
    const scope = await visibilityScope(tx);

    let matched: SQL;
    let refused: AddTargetsResult['refused'] = [];
    let repeats = 0;
    if (input.targets) {
      const checked = await checkList(tx, input.targets, scope);
      refused = checked.refused;
      repeats = checked.repeats;
      matched = sql`select u.t as target_type, u.id as target_id, true as consented from unnest(${arrayLiteral(checked.accepted.map((a) => a.type))}::text[], ${uuidArray(checked.accepted.map((a) => a.id))}) as u(t, id)`;
    } else {
      const errors: FieldError[] = [];
      await assertStatuses(tx, 'lead', seg!.leads?.status, 'segment.leads.status', errors);
      await assertStatuses(tx, 'company', seg!.contacts?.company_status, 'segment.contacts.company_status', errors);
      await assertStatuses(tx, 'company', seg!.companies?.status, 'segment.companies.status', errors);
      if (errors.length) throw invalid(errors);
      matched = sql`${segmentQuery(seg!, scope)} limit ${MAX_SEGMENT + 1}`;
    }
    const now = tx.now().toISOString();
    const [result] = await queryRows<{ matched: number; without_consent: number; ids: string[] }>(
      tx,
      sql`with matched as (${matched}),
        ins as (
          insert into campaign_targets (campaign_id, target_type, target_id, status, created_at, updated_at)
          select ${campaign.id as string}::uuid, m.target_type, m.target_id, 'pending', ${now}::timestamptz, ${now}::timestamptz from matched m where m.consented
          on conflict (campaign_id, target_type, target_id) do nothing
          returning id),
        hist as (
          insert into status_history (entity_type, entity_id, status, from_status, entered_at, changed_by, created_at)
          select 'campaign_target', ins.id, 'pending', null, ${now}::timestamptz, ${actingUserId(tx.actor)}::uuid, ${now}::timestamptz from ins
          returning 1)
        select (select count(*) from matched)::int as matched, (select count(*) from matched where not consented)::int as without_consent,
          coalesce((select json_agg(id) from ins), '[]'::json) as ids`,
    );
    const count = Number(result!.matched);
    if (seg && count > MAX_SEGMENT) {
      throw new AppError('LIMIT_EXCEEDED', `segment: matches more than ${MAX_SEGMENT} records; narrow it (by status, source or industry) and add it in parts`, {
        details: { fields: [{ field: 'segment', message: `matches more than ${MAX_SEGMENT} records` }] },
      });
    }
    const ids = (typeof result!.ids === 'string' ? JSON.parse(result!.ids) : result!.ids) as string[];
    for (let i = 0; i < ids.length; i += AUDIT_CHUNK) {
      const chunk = ids.slice(i, i + AUDIT_CHUNK);
      await writeAudit(tx, { action: 'create', table: 'campaign_targets', operation: 'campaigns.add_targets', after: { campaign_id: campaign.id, count: chunk.length, ids: chunk } });
    }
    const withoutConsent = Number(result!.without_consent);
    return {
      campaign_id: campaign.id as string,
      added: ids.length,
      already_targeted: count - withoutConsent - ids.length + repeats,
      refused,
      ...(seg ? { matched: count, without_consent: withoutConsent } : {}),
    };
  });
}

// ---------------------------------------------------------------------------
// campaigns.send_email

export const SendCampaignEmailInput = z.strictObject({ id: z.string().max(200) });
export type SendCampaignEmailInput = z.infer<typeof SendCampaignEmailInput>;

export type SendCampaignEmailResult = {
  campaign_id: string;
  /** The email content sent (campaign_content), and its version. */
  content_id: string;
  content_version: number;
  queued: number;
  skipped_without_consent: number;
  skipped_without_address: number;
  /** Lead and contact targets already past pending (sent, opened, clicked, converted): not sent again. */
  already_sent: number;
};

/** Refuses a campaign that cannot send email now, naming what is wrong. */
function refuseSend(field: string, message: string): never {
  throw new AppError('CONFLICT', `${field}: ${message}`, { details: { fields: [{ field, message }] } });
}

const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
const MAX_BODY = 20_000;

type SendTarget = { id: string; target_type: 'lead' | 'contact'; status: string; email: string | null; has_email: boolean; name: string | null; consented: boolean };

/**
 * Queues the campaign's current email content (its newest unarchived `email` campaign_content)
 * to each pending lead and contact target who has an address and whose marketing consent is
 * in force: one `campaign` email each, marked as marketing mail, once per campaign and target
 * however often this runs. Those targets move to `sent` with their status history, in the
 * same transaction. Company targets are not people and are left alone; targets whose record is
 * archived stay pending and are not counted.
 */
export async function sendCampaignEmail(ctx: Ctx, input: SendCampaignEmailInput): Promise<SendCampaignEmailResult> {
  if (!isUuid(input.id)) throw notFound('campaign', input.id);
  return withTx(ctx, async (tx) => {
    const campaign = await fetchRow(tx, resource('campaigns'), input.id, true);
    if (!campaign) throw notFound('campaign', input.id);
    if (campaign.type !== 'email') refuseSend('type', `is ${String(campaign.type)}: only an email campaign sends email`);
    if (campaign.archived_at !== null && campaign.archived_at !== undefined) refuseSend('archived_at', 'the campaign is archived; restore it first');
    if (campaign.status !== 'active') refuseSend('status', `is ${String(campaign.status)}: only an active campaign sends email; make it active first`);
    const [content] = await queryRows<{ id: string; subject: string | null; body: string | null; version: number }>(
      tx,
      sql`select id, subject, body, version from campaign_content
          where campaign_id = ${campaign.id as string}::uuid and content_type = 'email' and archived_at is null
          order by updated_at desc, created_at desc, id limit 1`,
    );
    if (!content) refuseSend('content', 'the campaign has no email content: add campaign_content of type email with a subject and a body');
    const subject = (content.subject ?? '').trim();
    const body = (content.body ?? '').trim();
    if (!subject) refuseSend('content.subject', `is empty: give the email content (${content.id}) a subject`);
    if (CONTROL.test(subject) || subject.length > 200) refuseSend('content.subject', `must be one line of at most 200 characters (campaign_content ${content.id})`);
    if (!body) refuseSend('content.body', `is empty: give the email content (${content.id}) a body`);
    if (body.length > MAX_BODY) refuseSend('content.body', `must be at most 20,000 characters (campaign_content ${content.id})`);

    const targets = await queryRows<SendTarget>(
      tx,
      sql`select t.id, t.target_type, t.status,
            coalesce(c.email, l.email) as email, coalesce(c.has_email, true) as has_email,
            coalesce(c.name, nullif(btrim(concat_ws(' ', l.first_name, l.last_name)), '')) as name,
            case when t.target_type = 'contact' then ${marketingConsentSql('contact', sql`t.target_id`)} else ${marketingConsentSql('lead', sql`t.target_id`)} end as consented
          from campaign_targets t
          left join contacts c on t.target_type = 'contact' and c.id = t.target_id
          left join leads l on t.target_type = 'lead' and l.id = t.target_id
          where t.campaign_id = ${campaign.id as string}::uuid and t.archived_at is null and t.target_type in ('contact', 'lead')
            and coalesce(c.archived_at, l.archived_at) is null and (c.id is not null or l.id is not null)
          order by t.created_at, t.id
          for update of t`,
    );
    const result: SendCampaignEmailResult = {
      campaign_id: campaign.id as string,
      content_id: content.id,
      content_version: Number(content.version),
      queued: 0,
      skipped_without_consent: 0,
      skipped_without_address: 0,
      already_sent: 0,
    };
    const sent: string[] = [];
    const campaignName = String(campaign.name).trim().slice(0, 200) || 'Campaign';
    for (const t of targets) {
      if (t.status !== 'pending') {
        result.already_sent++;
        continue;
      }
      if (!t.consented) {
        result.skipped_without_consent++;
        continue;
      }
      const address = t.email && t.has_email ? parseAddress(t.email.trim()) : 'none';
      if (typeof address === 'string') {
        result.skipped_without_address++;
        continue;
      }
      const recipient = t.name && t.name.length <= 200 && !CONTROL.test(t.name) ? t.name : undefined;
      await enqueueEmail(tx, {
        to: [formatAddress(recipient, address.address)],
        template: 'campaign',
        subject,
        data: { campaign_id: campaign.id, campaign_name: campaignName, ...(recipient ? { recipient_name: recipient } : {}), subject, body },
        idempotencyKey: `campaign:${campaign.id as string}:${t.id}`,
        purpose: 'marketing_email',
      });
      result.queued++;
      sent.push(t.id);
    }
    if (sent.length) {
      const now = tx.now().toISOString();
      const by = actingUserId(tx.actor);
      await queryRows(
        tx,
        sql`with closed as (
              update status_history set exited_at = ${now}::timestamptz,
                duration_days = greatest(0, floor(extract(epoch from (${now}::timestamptz - entered_at)) / 86400))::int
              where entity_type = 'campaign_target' and entity_id = any(${uuidArray(sent)}) and exited_at is null
              returning 1),
            moved as (
              update campaign_targets set status = 'sent', version = version + 1, updated_at = ${now}::timestamptz
              where id = any(${uuidArray(sent)})
              returning id)
            insert into status_history (entity_type, entity_id, status, from_status, entered_at, changed_by, created_at)
            select 'campaign_target', moved.id, 'sent', 'pending', ${now}::timestamptz, ${by}::uuid, ${now}::timestamptz from moved`,
      );
      for (let i = 0; i < sent.length; i += AUDIT_CHUNK) {
        const chunk = sent.slice(i, i + AUDIT_CHUNK);
        await writeAudit(tx, { action: 'update', table: 'campaign_targets', operation: 'campaigns.send_email', before: { status: 'pending' }, after: { campaign_id: campaign.id, status: 'sent', count: chunk.length, ids: chunk } });
      }
    }
    return result;
  });
}

// ---------------------------------------------------------------------------
// campaigns.performance

/** a ÷ b × 100 to two places, rounded half up (away from zero); null without a divisor. */
function percent(a: bigint | null, b: bigint | null): string | null {
  if (a === null || b === null || b <= 0n) return null;
  return fromUnits(divRound(a * 10_000n, b), 2);
}

const cents = (v: string | null): bigint | null => (v === null ? null : toUnits(v, 2));
const big = (v: unknown): bigint => BigInt(String(v ?? 0));

type MoneyRow = { currency: string; periods: number; impressions: string; opens: string; clicks: string; conversions: string; spend: string | null; revenue: string | null };

function moneyFigures(conversions: bigint, spend: bigint | null, revenue: bigint | null) {
  return {
    cost_per_conversion: spend !== null && conversions > 0n ? fromUnits(divRound(spend, conversions), 2) : null,
    roi: revenue !== null && spend !== null ? percent(revenue - spend, spend) : null,
  };
}

export async function campaignPerformance(ctx: Ctx, input: { id: string }) {
  const campaign = await getRecord(ctx, resource('campaigns'), input.id);
  const id = campaign.id as string;
  const byCurrency = await queryRows<MoneyRow>(
    ctx,
    sql`select currency, count(*)::int as periods,
          sum(impressions)::text as impressions, sum(opens)::text as opens, sum(clicks)::text as clicks, sum(conversions)::text as conversions,
          sum(spend)::text as spend, sum(revenue)::text as revenue
        from campaign_metrics where campaign_id = ${id}::uuid and archived_at is null
        group by currency order by currency`,
  );
  let impressions = 0n;
  let opens = 0n;
  let clicks = 0n;
  let conversions = 0n;
  let periods = 0;
  const money = byCurrency.map((r) => {
    impressions += big(r.impressions);
    opens += big(r.opens);
    clicks += big(r.clicks);
    conversions += big(r.conversions);
    periods += Number(r.periods);
    const spend = cents(r.spend);
    const revenue = cents(r.revenue);
    return {
      currency: r.currency,
      periods: Number(r.periods),
      conversions: Number(r.conversions),
      spend: spend === null ? null : fromUnits(spend, 2),
      revenue: revenue === null ? null : fromUnits(revenue, 2),
      ...moneyFigures(big(r.conversions), spend, revenue),
    };
  });
  // Money adds up only within one currency: the campaign-wide cost and ROI exist when every period is in the same one.
  const single = money.length === 1 ? money[0]! : null;
  const spend = single ? cents(single.spend) : null;
  const budget = cents((campaign.budget as string | null) ?? null);
  const rates = {
    currency: single?.currency ?? null,
    open_rate: percent(opens, impressions),
    click_rate: percent(clicks, impressions),
    conversion_rate: percent(conversions, clicks),
    cost_per_conversion: single?.cost_per_conversion ?? null,
    roi: single?.roi ?? null,
    budget_used: single && single.currency === campaign.currency ? percent(spend, budget) : null,
  };

  const series = await queryRows<Row>(
    ctx,
    sql`select id, period::text as period, impressions, opens, clicks, conversions, spend::text as spend, revenue::text as revenue, currency,
          cost_per_conversion::text as cost_per_conversion, roi::text as roi
        from campaign_metrics where campaign_id = ${id}::uuid and archived_at is null order by period, id`,
  );

  const funnel = await queryRows<{ status: string; target_type: string; n: number }>(
    ctx,
    sql`select status, target_type, count(*)::int as n from campaign_targets
        where campaign_id = ${id}::uuid and archived_at is null group by status, target_type`,
  );
  const byStatus: Record<string, number> = Object.fromEntries(CAMPAIGN_TARGET_STATUSES.map((s) => [s, 0]));
  const byType: Record<string, number> = Object.fromEntries(CAMPAIGN_TARGET_TYPES.map((t) => [t, 0]));
  let total = 0;
  for (const r of funnel) {
    const n = Number(r.n);
    byStatus[r.status] = (byStatus[r.status] ?? 0) + n;
    byType[r.target_type] = (byType[r.target_type] ?? 0) + n;
    total += n;
  }

  const drafts = await queryRows<{ status: string; n: number }>(
    ctx,
    sql`select status, count(*)::int as n from outreach_drafts where campaign_id = ${id}::uuid and archived_at is null group by status`,
  );
  const draftsByStatus: Record<string, number> = Object.fromEntries(DRAFT_STATUSES.map((s) => [s, 0]));
  for (const d of drafts) draftsByStatus[d.status] = Number(d.n);

  return {
    campaign,
    totals: {
      periods,
      impressions: Number(impressions),
      opens: Number(opens),
      clicks: Number(clicks),
      conversions: Number(conversions),
      by_currency: money,
    },
    rates,
    series: series.map((r) => ({ ...r, impressions: Number(r.impressions), opens: Number(r.opens), clicks: Number(r.clicks), conversions: Number(r.conversions) })),
    targets: {
      total,
      by_status: byStatus,
      by_type: byType,
      // Sent or any later step of the target pipeline.
      reached: total - (byStatus.pending ?? 0),
    },
    outreach_drafts: { total: drafts.reduce((s, d) => s + Number(d.n), 0), by_status: draftsByStatus },
  };
}
