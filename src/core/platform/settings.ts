/**
 * Instance settings an administrator changes at run time. Every key has a default, so a new
 * database needs no rows; reading is cached per process (AccessCache) and the cache is
 * dropped on every change (a trigger notifies every process).
 */
import { eq, inArray, sql } from 'drizzle-orm';
import { z } from 'zod';
import { CURRENCIES } from '../../db/schema/columns.ts';
import { settings, users } from '../../db/schema/platform.ts';
import { accessChanged, withTx, type Ctx } from '../context.ts';
import { invalid, parseInput } from '../errors.ts';
import { actingUserId } from '../identity/roles.ts';
import { diff, writeAudit } from './audit.ts';

export const RECORD_VISIBILITY = ['own', 'team', 'all'] as const;
export type RecordVisibility = (typeof RECORD_VISIBILITY)[number];

/**
 * How long each kind of data is kept, in days, before the retention policies
 * (core/privacy/retention.ts) remove it; null keeps it forever. The keys and what each policy
 * removes are the policies' own (RETENTION_POLICIES there); these are only their periods.
 */
export const RETENTION_DEFAULTS = {
  unconverted_leads_days: 730,
  analytics_events_days: 395,
  email_bodies_days: 90,
  webhook_deliveries_days: 30,
  sessions_days: 30,
  archived_records_days: 30,
} as const;
export type RetentionKey = keyof typeof RETENTION_DEFAULTS;
export type Retention = Record<RetentionKey, number | null>;
/** 100 years: a period beyond any record's life, and small enough that the cutoff is always a valid date. */
export const MAX_RETENTION_DAYS = 36_500;
const RETENTION_MESSAGE = `must be a whole number of days from 1 to ${MAX_RETENTION_DAYS}, or null to keep forever`;

const RETENTION_WHAT: Record<RetentionKey, string> = {
  unconverted_leads_days: 'Leads never converted, with no activity for this many days, are erased (their personal data removed; the row stays for reports)',
  analytics_events_days: 'Analytics events older than this many days are deleted',
  email_bodies_days: 'Sent, dead or cancelled emails older than this many days lose their subject and content (the record that a mail went stays)',
  webhook_deliveries_days: 'Finished webhook deliveries (succeeded or dead) older than this many days are deleted',
  sessions_days: 'Sign-in sessions expired or ended more than this many days ago are deleted',
  archived_records_days: 'Contacts, leads and companies archived more than this many days ago are erased, and archived notes deleted',
};

const retentionDays = (key: RetentionKey) =>
  z
    .int({ error: RETENTION_MESSAGE })
    .min(1, RETENTION_MESSAGE)
    .max(MAX_RETENTION_DAYS, RETENTION_MESSAGE)
    .nullable()
    .describe(`${RETENTION_WHAT[key]}; null: kept forever (default ${RETENTION_DEFAULTS[key]})`);

const RETENTION_KEYS = Object.keys(RETENTION_DEFAULTS) as RetentionKey[];

/** The stored value: a key missing (saved before the policy existed) takes its default. */
const RetentionSetting = z
  .object(Object.fromEntries(RETENTION_KEYS.map((k) => [k, retentionDays(k).default(RETENTION_DEFAULTS[k])])) as Record<RetentionKey, z.ZodDefault<z.ZodNullable<z.ZodInt>>>)
  .describe('How long data is kept before the retention policies remove it, in days per policy (null: forever); applied by the background worker every 6 hours, previewable at GET /api/v1/privacy/retention');

/** A change: only the policies named; the others keep their periods. */
const RetentionChanges = z
  .strictObject(Object.fromEntries(RETENTION_KEYS.map((k) => [k, retentionDays(k).optional()])) as Record<RetentionKey, z.ZodOptional<z.ZodNullable<z.ZodInt>>>)
  .describe('The retention periods to change, in days (null: keep forever); the periods not named keep their values');

const SettingsShape = {
  record_visibility: z
    .enum(RECORD_VISIBILITY)
    .describe('Which records editors and viewers see: own (only theirs), team (theirs and their companies\' teams), all'),
  default_hourly_rate: z
    .string()
    .regex(/^\d{1,10}(\.\d{1,2})?$/, 'must be an amount such as 85 or 85.50')
    .nullable()
    .describe("The value of one hour of a client's staff time, in the engagement's currency, for engagements that set no hourly_rate_value (monthly report ROI); null: none"),
  public_lead_owner: z
    .uuid({ message: 'must be the id of a user' })
    .nullable()
    .describe('Who is given the leads that arrive through the public quiz, calculator and contact form (they appear in that person\'s daily digest); null: nobody until someone takes them'),
  exchange_rates: z
    .partialRecord(z.enum(CURRENCIES), z.string().regex(/^\d{1,6}(\.\d{1,6})?$/, 'must be a rate such as 0.655'))
    .describe('What one unit of each currency is worth in USD (USD is 1), to add costs in another currency into an engagement\'s currency in reports; a cost in a currency with no rate is listed apart, not converted'),
  retention: RetentionSetting,
};

export const SettingsSchema = z.object(SettingsShape);
export type Settings = z.infer<typeof SettingsSchema>;
export const DEFAULT_SETTINGS: Settings = { record_visibility: 'all', default_hourly_rate: null, public_lead_owner: null, exchange_rates: {}, retention: { ...RETENTION_DEFAULTS } };

type UpdateShape = { [K in Exclude<keyof typeof SettingsShape, 'retention'>]: z.ZodOptional<(typeof SettingsShape)[K]> } & { retention: z.ZodOptional<typeof RetentionChanges> };

export const UpdateSettingsInput = z.strictObject({
  ...(Object.fromEntries(Object.entries(SettingsShape).map(([k, v]) => [k, v.optional()])) as Omit<UpdateShape, 'retention'>),
  // A nested setting changes field by field: what is sent is merged into the current value.
  retention: RetentionChanges.optional(),
} as UpdateShape);
export type SettingsChanges = z.infer<typeof UpdateSettingsInput>;

const KEYS = Object.keys(SettingsShape) as (keyof Settings)[];

async function loadSettings(ctx: Ctx): Promise<Settings> {
  // The JSON text, parsed here: drizzle's jsonb reader would turn a stored "60.5" into 60.5.
  const rows = await ctx.db
    .select({ key: settings.key, json: sql<string>`${settings.value}::text` })
    .from(settings)
    .where(inArray(settings.key, KEYS));
  const out: Settings = { ...DEFAULT_SETTINGS };
  for (const row of rows) {
    // A value that no longer parses (an older version wrote it) falls back to the default.
    const parsed = SettingsShape[row.key as keyof Settings]?.safeParse(JSON.parse(row.json));
    if (parsed?.success) (out as Record<string, unknown>)[row.key] = parsed.data;
  }
  return out;
}

/** The current settings (defaults for keys never set). */
export async function readSettings(ctx: Ctx): Promise<Settings> {
  if (!ctx.cache) return loadSettings(ctx);
  // A transaction uses what is cached (a write verb asks for the visibility scope on every record
  // it touches) but never fills the cache: what it reads may not be committed.
  if (ctx.inTx) return ctx.cache.peek<Settings>('settings') ?? loadSettings(ctx);
  return (await ctx.cache.get('settings', () => loadSettings(ctx))) ?? { ...DEFAULT_SETTINGS };
}

/** Changes the settings given; the others keep their values. Administrators only (checked by the registry). */
export async function updateSettings(ctx: Ctx, input: unknown): Promise<Settings> {
  const changes = parseInput(UpdateSettingsInput, input);
  const keys = Object.keys(changes) as (keyof Settings)[];
  if (!keys.length) throw invalid([{ field: 'body', message: `names no setting to change; settings: ${KEYS.join(', ')}` }]);
  if (changes.public_lead_owner) {
    const [owner] = await ctx.db.select({ disabled_at: users.disabled_at, role: users.role }).from(users).where(eq(users.id, changes.public_lead_owner));
    if (!owner || owner.disabled_at) throw invalid([{ field: 'public_lead_owner', message: 'is not an active user' }]);
    if (owner.role === 'viewer') throw invalid([{ field: 'public_lead_owner', message: 'is a viewer, who cannot work leads; choose an editor or an administrator' }]);
  }
  return withTx(ctx, async (tx) => {
    const before = await loadSettings(tx);
    const now = tx.now();
    const { retention, ...plain } = changes;
    const after: Settings = { ...before, ...(plain as Partial<Settings>), ...(retention ? { retention: { ...before.retention, ...retention } } : {}) };
    for (const key of keys) {
      // Written as JSON text, so that a null setting is the JSON null, not a missing value.
      const value = sql`${JSON.stringify(after[key])}::jsonb`;
      await tx.db
        .insert(settings)
        .values({ key, value, updated_at: now, updated_by: actingUserId(tx.actor) })
        .onConflictDoUpdate({ target: settings.key, set: { value, updated_at: now, updated_by: actingUserId(tx.actor) } });
    }
    const d = diff(before, after);
    if (Object.keys(d.after).length) {
      await writeAudit(tx, { action: 'update', table: 'settings', operation: 'settings.update', before: d.before, after: d.after });
    }
    accessChanged(tx);
    return after;
  });
}
