/**
 * Retention policies (issue 11): what Throughline stops keeping, and when. Each policy is one
 * entry of RETENTION_POLICIES with its period in the `retention` setting (days, or null to keep
 * forever), a plain description of what it removes and why, and ONE condition per table it
 * touches. The preview (what is due) and the run (purge it) both read that condition with the
 * same cutoff (ctx.now() minus the period), so for the same `now` the run removes exactly the
 * rows the preview listed (the first `next_run` of them, oldest first).
 *
 * Removing means one of three things: deleting rows nobody needs once they are old (analytics
 * events, finished webhook deliveries, ended sessions, archived notes), clearing the content of
 * a row whose existence is still worth knowing (a mail was sent: its subject and data go, the
 * row stays), or erasing a person through eraseSubject (erasure.ts), which removes their
 * personal data but keeps the row, so reports and totals still add up.
 *
 * Each run takes at most `per_run` rows of a policy, oldest first (erasures are heavier: 200
 * subjects; the others 5,000 rows); the background worker runs again at once while a policy
 * has more due, so a backlog drains in steps rather than in one long transaction. A run first
 * chooses every policy's rows in one snapshot (what the preview lists), then removes them: a
 * deletion in one transaction with its audit row, an erasure one subject per transaction (each
 * rewrites every table naming the person) followed by the audit row. One audit row per table a
 * policy removed from (action `purge`: the policy, period, cutoff, count and the ids when at
 * most 1,000), never personal data. An erasure also deletes or clears what else is about the
 * person (their notes, mail, events): a listed row that an erasure of the same run removed
 * counts as removed, and the deleting policies run first so that their own rows are theirs.
 *
 * Which policy owns what, so that no row is listed twice: an archived lead is the
 * archived_records policy's, whatever its status; unconverted_leads takes only leads not archived.
 */
import { sql, type SQL } from 'drizzle-orm';
import { messageWithoutData } from '../../db/errors.ts';
import { queryRows, withTx, type Ctx } from '../context.ts';
import { writeAudit } from '../platform/audit.ts';
import { readSettings, type RetentionKey } from '../platform/settings.ts';
import { uuidArray } from '../sql-arrays.ts';
import { ERASED_TEXT, eraseSubject } from './erasure.ts';
import type { SubjectKind } from './footprint.ts';

export const RETENTION_POLICY_KEYS = ['analytics_events', 'email_bodies', 'webhook_deliveries', 'sessions', 'unconverted_leads', 'archived_records'] as const;
export type RetentionPolicyKey = (typeof RETENTION_POLICY_KEYS)[number];

/** What a policy does to a due row. */
export type RetentionAction = 'delete' | 'clear' | 'erase';

/** The subject a cleared email keeps: with `data = '{}'`, it marks the row as already cleared (no column of its own). */
export const CLEARED_EMAIL_SUBJECT = 'Removed by the retention policy';
/** The most ids a preview lists, and an audit row records, per policy. */
export const MAX_LISTED_IDS = 1000;
/** Subjects erased per policy per run. */
export const ERASURES_PER_RUN = 200;
/** Rows deleted or cleared per policy per run. */
export const ROWS_PER_RUN = 5000;

const DAY_MS = 86_400_000;

/**
 * One table a policy removes from: `at` is the instant the period is counted from (an SQL
 * expression on the row, aliased `r`), `where` the rest of the condition. A row is due when
 * `where` holds and `at` is before the cutoff.
 */
type Source = {
  table: string;
  at: SQL;
  where: SQL;
  action: RetentionAction;
  /** True for a row that no longer holds what the policy removes (cleared, erased); a deleted row is simply gone. */
  removed: SQL;
  /** For erasure: the kind of subject a row of this table is. */
  kind?: SubjectKind;
};

export type RetentionPolicy = {
  key: RetentionPolicyKey;
  /** Its period in the `retention` setting. */
  setting: RetentionKey;
  /** What it removes and why, for whoever reads the preview. */
  description: string;
  action: RetentionAction;
  perRun: number;
  sources: Source[];
};

const FINAL_EMAIL = sql`('sent', 'dead', 'cancelled')`;
/** An email whose content is gone: cleared by this policy, or by an erasure of its recipient. */
const EMAIL_CLEARED = sql`r.data = '{}'::jsonb and r.subject in (${CLEARED_EMAIL_SUBJECT}, ${ERASED_TEXT})`;
const ERASED = sql`r.erased_at is not null`;
const FINAL_DELIVERY = sql`('succeeded', 'dead')`;

export const RETENTION_POLICIES: readonly RetentionPolicy[] = [
  {
    key: 'analytics_events',
    setting: 'analytics_events_days',
    description:
      'Deletes analytics events (page views, form steps) older than the period: they tie a browser, its address and the pages it read together, and after a year or so they only feed reports whose totals have already been made.',
    action: 'delete',
    perRun: ROWS_PER_RUN,
    sources: [{ table: 'analytics_events', at: sql`r.created_at`, where: sql`true`, action: 'delete', removed: sql`false` }],
  },
  {
    key: 'email_bodies',
    setting: 'email_bodies_days',
    description: `Clears the subject and the content (the data the template was filled with) of emails that were sent, gave up (dead) or were cancelled longer ago than the period, counted from when they were sent (or last changed, if never sent). The row stays, with its recipients, template, status and dates, so the record that a mail went remains; the subject becomes "${CLEARED_EMAIL_SUBJECT}". Mail still waiting to go is never touched.`,
    action: 'clear',
    perRun: ROWS_PER_RUN,
    sources: [
      {
        table: 'email_queue',
        at: sql`coalesce(r.sent_at, r.updated_at)`,
        where: sql`r.status in ${FINAL_EMAIL} and not (${EMAIL_CLEARED})`,
        action: 'clear',
        removed: EMAIL_CLEARED,
      },
    ],
  },
  {
    key: 'webhook_deliveries',
    setting: 'webhook_deliveries_days',
    description:
      'Deletes webhook deliveries that are finished (succeeded, or dead after their last retry) longer ago than the period: each holds a copy of the event it sent, personal data included, and is only needed to look into a recent failure. Deliveries still pending or being retried are never touched.',
    action: 'delete',
    perRun: ROWS_PER_RUN,
    sources: [{ table: 'webhook_deliveries', at: sql`coalesce(r.delivered_at, r.updated_at)`, where: sql`r.status in ${FINAL_DELIVERY}`, action: 'delete', removed: sql`false` }],
  },
  {
    key: 'sessions',
    setting: 'sessions_days',
    description:
      'Deletes sign-in sessions that expired or were ended (signed out, revoked) longer ago than the period: they record when and from which (anonymised) address and browser a user signed in, which is only worth keeping while it may explain recent activity.',
    action: 'delete',
    perRun: ROWS_PER_RUN,
    // least() skips a null: a session never revoked ended when it expired.
    sources: [{ table: 'sessions', at: sql`least(r.revoked_at, r.expires)`, where: sql`true`, action: 'delete', removed: sql`false` }],
  },
  {
    key: 'unconverted_leads',
    setting: 'unconverted_leads_days',
    description:
      'Erases leads that never became a customer (not converted, not in a won status) and have seen no activity for the period: no change to the lead and no interaction with it. Erasure removes their personal data and keeps the row (status, source, dates), so funnel and acquisition reports still add up. Archived leads are left to the archived_records policy.',
    action: 'erase',
    perRun: ERASURES_PER_RUN,
    sources: [
      {
        table: 'leads',
        kind: 'lead',
        // An interaction counts from when it happened or was logged, whichever is later.
        at: sql`greatest(r.updated_at, (select max(greatest(i.interaction_date, i.created_at)) from interactions i where i.lead_id = r.id))`,
        where: sql`r.converted_contact_id is null and r.erased_at is null and r.archived_at is null
          and r.status not in (select s.key from pipeline_stages s where s.pipeline = 'lead' and s.is_won)`,
        action: 'erase',
        removed: ERASED,
      },
    ],
  },
  {
    key: 'archived_records',
    setting: 'archived_records_days',
    description:
      'Erases contacts, leads and companies archived (soft-deleted) longer ago than the period, and deletes archived notes: archiving is the grace period in which a record can be restored; after it, the people it names are erased (the rows stay for reports). Other archived records (deals, engagements, invoices) are business records and stay.',
    action: 'erase',
    perRun: ERASURES_PER_RUN,
    // Notes first: an erasure deletes the notes about its subject, and these are the policy's own.
    sources: [
      { table: 'notes', at: sql`r.archived_at`, where: sql`r.archived_at is not null`, action: 'delete', removed: sql`false` },
      { table: 'contacts', kind: 'contact', at: sql`r.archived_at`, where: sql`r.archived_at is not null and r.erased_at is null`, action: 'erase', removed: ERASED },
      { table: 'leads', kind: 'lead', at: sql`r.archived_at`, where: sql`r.archived_at is not null and r.erased_at is null`, action: 'erase', removed: ERASED },
      { table: 'companies', kind: 'company', at: sql`r.archived_at`, where: sql`r.archived_at is not null and r.erased_at is null`, action: 'erase', removed: ERASED },
    ],
  },
];

export type RetentionPolicyPreview = {
  policy: RetentionPolicyKey;
  description: string;
  action: RetentionAction;
  /** The period in days; null: kept forever, nothing is ever due. */
  days: number | null;
  /** Rows whose time is before this instant are due; null when kept forever. */
  cutoff: string | null;
  /** How many rows are due in all. */
  due: number;
  /** Due rows per table. */
  tables: Record<string, number>;
  /** The most one run removes. */
  per_run: number;
  /** How many the next run removes: the first `next_run` of `ids`. */
  next_run: number;
  /** The due rows' ids, oldest first (at most 1,000). */
  ids: string[];
  /** True when more rows are due than `ids` lists. */
  truncated: boolean;
};

export type RetentionPreview = { now: string; policies: RetentionPolicyPreview[] };

export type RetentionPolicyResult = {
  policy: RetentionPolicyKey;
  days: number | null;
  cutoff: string | null;
  /** Rows removed (deleted, cleared or erased) by this run. */
  purged: number;
  tables: Record<string, number>;
  /** The ids removed, oldest first (listed only when at most 1,000). */
  ids?: string[];
  /** Still due after this run (more than one run's worth was due, or some failed); the next run continues. */
  remaining: number;
  /** Subjects whose erasure failed (each in its own transaction, so the others went ahead); they stay due. */
  failed: RetentionFailure[];
};

export type RetentionFailure = { table: string; id: string; error: string };

export type RetentionRunResult = { now: string; purged: number; policies: RetentionPolicyResult[] };

const cutoffFor = (now: Date, days: number | null): Date | null => (days === null ? null : new Date(now.getTime() - days * DAY_MS));

/** The due rows of a policy as one query: (table_name, id, at), unordered. */
function dueRows(policy: RetentionPolicy, cutoff: Date): SQL {
  return sql.join(
    policy.sources.map(
      (s) => sql`select ${s.table}::text as table_name, r.id, ${s.at} as at from ${sql.identifier(s.table)} r where ${s.where} and ${s.at} < ${cutoff.toISOString()}::timestamptz`,
    ),
    sql` union all `,
  );
}

type DueRow = { table_name: string; id: string };

/** The next run's rows of a policy: the oldest first, at most `limit`. */
async function takeDue(ctx: Ctx, policy: RetentionPolicy, cutoff: Date, limit: number): Promise<DueRow[]> {
  return queryRows<DueRow>(ctx, sql`select d.table_name, d.id::text as id from (${dueRows(policy, cutoff)}) d order by d.at asc, d.id asc limit ${limit}`);
}

async function previewPolicy(ctx: Ctx, policy: RetentionPolicy, now: Date, days: number | null): Promise<RetentionPolicyPreview> {
  const cutoff = cutoffFor(now, days);
  const base = { policy: policy.key, description: policy.description, action: policy.action, days, per_run: policy.perRun };
  if (!cutoff) return { ...base, cutoff: null, due: 0, tables: {}, next_run: 0, ids: [], truncated: false };
  const counts = await queryRows<{ table_name: string; n: number }>(ctx, sql`select d.table_name, count(*)::int as n from (${dueRows(policy, cutoff)}) d group by d.table_name`);
  const tables = Object.fromEntries(counts.filter((c) => c.n > 0).map((c) => [c.table_name, c.n]));
  const due = counts.reduce((a, c) => a + c.n, 0);
  const listed = due ? await takeDue(ctx, policy, cutoff, MAX_LISTED_IDS) : [];
  return { ...base, cutoff: cutoff.toISOString(), due, tables, next_run: Math.min(due, policy.perRun), ids: listed.map((r) => r.id), truncated: due > listed.length };
}

/** What every policy would remove now (ctx.now()), without removing anything: one consistent snapshot. */
export async function previewRetention(ctx: Ctx): Promise<RetentionPreview> {
  const now = ctx.now();
  const { retention } = await readSettings(ctx);
  return withTx(
    ctx,
    async (tx) => {
      const policies: RetentionPolicyPreview[] = [];
      for (const p of RETENTION_POLICIES) policies.push(await previewPolicy(tx, p, now, retention[p.setting]));
      return { now: now.toISOString(), policies };
    },
    { isolationLevel: 'repeatable read' },
  );
}

/**
 * Why an erasure failed, as the run answers and the worker logs it: the database's own message,
 * never a failed query's parameter values (drizzle puts them in its message; they are the
 * person's data).
 */
function failureMessage(e: unknown): string {
  return messageWithoutData(e).slice(0, 300);
}

/** The rows of `ids` (in `table`) that are no longer there, or no longer hold what the policy removes. */
async function removedOf(tx: Ctx, source: Source, ids: string[]): Promise<Set<string>> {
  if (!ids.length) return new Set();
  const present = await queryRows<{ id: string; removed: boolean }>(
    tx,
    sql`select r.id::text as id, (${source.removed}) as removed from ${sql.identifier(source.table)} r where r.id = any(${uuidArray(ids)})`,
  );
  const there = new Map(present.map((r) => [r.id, r.removed]));
  return new Set(ids.filter((id) => !there.has(id) || there.get(id) === true));
}

/**
 * Removes one table's share of a run and answers the ids of that share that are removed now.
 * Each row is removed only if its condition still holds (another worker or person may have
 * changed it since it was listed). Deletions and clearing are one statement; each erasure is a
 * transaction of its own (one erasure rewrites every table that names the person), so a long
 * run holds no lock for long and what it erased stays erased if it stops half-way. A row an
 * erasure of this run already removed (a company's erasure erases its people and deletes their
 * notes) counts as removed: it was due and is gone.
 */
async function purgeSource(
  ctx: Ctx,
  policy: RetentionPolicy,
  source: Source,
  ids: string[],
  cutoff: Date,
  days: number,
  operation: string,
  failed: RetentionFailure[],
): Promise<string[]> {
  if (!ids.length) return [];
  const table = sql.identifier(source.table);
  const still = (which: string[]) => sql`r.id = any(${uuidArray(which)}) and ${source.where} and ${source.at} < ${cutoff.toISOString()}::timestamptz`;
  if (source.action === 'delete') {
    await ctx.db.execute(sql`delete from ${table} r where ${still(ids)}`);
  } else if (source.action === 'clear') {
    await ctx.db.execute(sql`update ${table} r set data = '{}'::jsonb, subject = ${CLEARED_EMAIL_SUBJECT}, updated_at = ${ctx.now().toISOString()}::timestamptz where ${still(ids)}`);
  } else {
    const reason = `retention policy ${policy.key}: ${policy.key === 'unconverted_leads' ? `never converted and no activity for ${days} days` : `archived more than ${days} days ago`}`;
    for (const id of ids) {
      try {
        await withTx(ctx, async (tx) => {
          // Still due (not erased meanwhile, by this run's earlier erasures or anyone else): locked, then erased.
          const [due] = await queryRows<{ id: string }>(tx, sql`select r.id from ${table} r where ${still([id])} for update of r`);
          if (due) await eraseSubject(tx, { kind: source.kind!, id }, { reason, operation });
        });
      } catch (e) {
        // Inside a caller's transaction the failure has aborted it: nothing more can run.
        if (ctx.inTx) throw e;
        // One subject that cannot be erased does not hold up the others; it stays due and is tried again next run.
        failed.push({ table: source.table, id, error: failureMessage(e) });
      }
    }
  }
  const removed = await removedOf(ctx, source, ids);
  return ids.filter((id) => removed.has(id));
}

type Plan = { policy: RetentionPolicy; days: number | null; cutoff: Date | null; batch: DueRow[] };

/** What each policy's next run takes (the oldest due rows, at most per_run), read in one snapshot before anything is removed. */
async function planRetention(ctx: Ctx, now: Date, policies: readonly RetentionPolicy[]): Promise<Plan[]> {
  const { retention } = await readSettings(ctx);
  return withTx(
    ctx,
    async (tx) => {
      const plans: Plan[] = [];
      for (const policy of policies) {
        const days = retention[policy.setting];
        const cutoff = cutoffFor(now, days);
        plans.push({ policy, days, cutoff, batch: cutoff ? await takeDue(tx, policy, cutoff, policy.perRun) : [] });
      }
      return plans;
    },
    { isolationLevel: 'repeatable read' },
  );
}

async function applyPlan(ctx: Ctx, plan: Plan, operation: string): Promise<RetentionPolicyResult> {
  const { policy, days, cutoff, batch } = plan;
  if (!cutoff || days === null) return { policy: policy.key, days, cutoff: null, purged: 0, tables: {}, ids: [], remaining: 0, failed: [] };
  const purged = new Set<string>();
  const tables: Record<string, number> = {};
  const failed: RetentionFailure[] = [];
  for (const source of policy.sources) {
    const ids = batch.filter((r) => r.table_name === source.table).map((r) => r.id);
    const purge = async (c: Ctx) => {
      const done = await purgeSource(c, policy, source, ids, cutoff, days, operation, failed);
      if (done.length) {
        await writeAudit(c, {
          action: 'purge',
          table: source.table,
          operation,
          after: { policy: policy.key, days, cutoff: cutoff.toISOString(), count: done.length, ...(done.length <= MAX_LISTED_IDS ? { ids: done } : {}) },
        });
      }
      return done;
    };
    // A deletion commits with its audit row; erasures commit one by one (purgeSource) and their audit row follows them.
    const done = source.action === 'erase' ? await purge(ctx) : await withTx(ctx, purge);
    if (!done.length) continue;
    for (const id of done) purged.add(id);
    tables[source.table] = done.length;
  }
  // In run order (oldest first), as the preview listed them.
  const ids = batch.map((r) => r.id).filter((id) => purged.has(id));
  const [left] = await queryRows<{ n: number }>(ctx, sql`select count(*)::int as n from (${dueRows(policy, cutoff)}) d`);
  return {
    policy: policy.key,
    days,
    cutoff: cutoff.toISOString(),
    purged: ids.length,
    tables,
    ...(ids.length <= MAX_LISTED_IDS ? { ids } : {}),
    remaining: left?.n ?? 0,
    failed,
  };
}

export type ApplyOptions = {
  /** The operation the audit rows name (default privacy.retention_run). */
  operation?: string;
  /** Given, a policy that fails is reported here and the others still run (the worker); absent, the failure ends the run. */
  onError?: (policy: RetentionPolicyKey, err: unknown) => void;
};

/**
 * Runs every policy now (ctx.now()), in order, each in its own transaction, and answers what
 * each removed. The rows each policy takes are chosen first, all in one snapshot, exactly as
 * the preview lists them; what earlier policies removed stays removed if a later one fails.
 */
export async function applyRetention(ctx: Ctx, opts: ApplyOptions = {}): Promise<RetentionRunResult> {
  const now = ctx.now();
  const operation = opts.operation ?? 'privacy.retention_run';
  const plans = await planRetention(ctx, now, RETENTION_POLICIES);
  const policies: RetentionPolicyResult[] = [];
  for (const plan of plans) {
    try {
      policies.push(await applyPlan(ctx, plan, operation));
    } catch (e) {
      if (!opts.onError) throw e;
      opts.onError(plan.policy.key, e);
    }
  }
  return { now: now.toISOString(), purged: policies.reduce((a, p) => a + p.purged, 0), policies };
}
