/**
 * Feature flags (seed 001), read by the core. A flag is on for someone when all of these hold:
 *
 * 1. it exists, is not archived, and `enabled` is true;
 * 2. it is on for this instance's environment (`enabled_dev`, `enabled_staging` or
 *    `enabled_prod` for ctx.runtime.environment, production when none is given);
 * 3. the person is in one of its `user_groups`, or else falls in its rollout: the first 48 bits
 *    of sha256(`${key}:${userId}`) modulo 100 are below `rollout_percentage`. The same person
 *    gets the same answer for a flag every time, and a higher percentage only adds people.
 *
 * A user group is either a role (`admin`, `editor`, `viewer`: everyone with that role) or a
 * user id (that person). Any other entry (the seed's `beta_users`) matches nobody. Someone
 * with no user id (the local operator, the system) is in a rollout only at 100%.
 *
 * Flags are read fresh from the database on every evaluation, never cached: one indexed
 * lookup by key (or one small table scan for all flags), so a change is seen at once by every
 * process, with nothing to invalidate.
 */
import { and, asc, eq, isNull } from 'drizzle-orm';
import { z } from 'zod';
import { feature_flags } from '../../db/schema/comms.ts';
import type { Ctx } from '../context.ts';
import { sha256 } from '../identity/crypto.ts';
import { actingUserId } from '../identity/roles.ts';
import type { Operation } from '../registry.ts';

type FlagRow = Pick<
  typeof feature_flags.$inferSelect,
  'key' | 'enabled' | 'enabled_dev' | 'enabled_staging' | 'enabled_prod' | 'rollout_percentage' | 'user_groups'
>;

/** Who a flag is evaluated for: the user's id, and their groups (their role, usually). */
export type FlagSubject = { userId?: string | null; groups?: string[] };

const columns = {
  key: feature_flags.key,
  enabled: feature_flags.enabled,
  enabled_dev: feature_flags.enabled_dev,
  enabled_staging: feature_flags.enabled_staging,
  enabled_prod: feature_flags.enabled_prod,
  rollout_percentage: feature_flags.rollout_percentage,
  user_groups: feature_flags.user_groups,
};

/** 0..99, the same for a flag and a user forever. */
export function rolloutBucket(key: string, userId: string): number {
  return parseInt(sha256(`${key}:${userId}`).slice(0, 12), 16) % 100;
}

function onInEnvironment(ctx: Ctx, flag: FlagRow): boolean {
  switch (ctx.runtime?.environment ?? 'production') {
    case 'development':
      return flag.enabled_dev;
    case 'staging':
      return flag.enabled_staging;
    default:
      return flag.enabled_prod;
  }
}

/** The flag's groups; a stored value that is not a list of strings (the column takes any JSON) counts as none. */
function groupsOf(flag: FlagRow): string[] {
  const g: unknown = flag.user_groups;
  return Array.isArray(g) ? g.filter((x): x is string => typeof x === 'string') : [];
}

function evaluate(ctx: Ctx, flag: FlagRow, who: FlagSubject): boolean {
  if (!flag.enabled || !onInEnvironment(ctx, flag)) return false;
  const groups = groupsOf(flag);
  if (groups.length) {
    const mine = new Set(who.groups ?? []);
    if (who.userId) mine.add(who.userId);
    if (groups.some((g) => mine.has(g))) return true;
  }
  const pct = flag.rollout_percentage;
  if (pct >= 100) return true;
  if (pct <= 0 || !who.userId) return false;
  return rolloutBucket(flag.key, who.userId) < pct;
}

/** Whether the flag `key` is on for this person here; false for a flag that does not exist. */
export async function isEnabled(ctx: Ctx, key: string, who: FlagSubject): Promise<boolean> {
  const [flag] = await ctx.db
    .select(columns)
    .from(feature_flags)
    .where(and(eq(feature_flags.key, key), isNull(feature_flags.archived_at)));
  return flag ? evaluate(ctx, flag, who) : false;
}

/** Every flag (archived ones aside) as key → on or off for this person. */
export async function evaluateFlags(ctx: Ctx, who: FlagSubject): Promise<Record<string, boolean>> {
  const flags = await ctx.db.select(columns).from(feature_flags).where(isNull(feature_flags.archived_at)).orderBy(asc(feature_flags.key));
  const out: Record<string, boolean> = {};
  for (const f of flags) out[f.key] = evaluate(ctx, f, who);
  return out;
}

/** The caller as a flag subject: the person acting (or behind the key) and their role. */
export const subjectOf = (ctx: Ctx): FlagSubject => ({ userId: actingUserId(ctx.actor), groups: [ctx.actor.role] });

export const featureFlagOperations: Operation[] = [
  {
    name: 'feature_flags.mine',
    summary: 'Which feature flags are on for you',
    description:
      "Every feature flag as key → true or false for the caller in this instance's environment: on when enabled there and the caller is in one of its user_groups (a role or a user id) or in its rollout percentage (stable per user).",
    tag: 'feature_flags',
    scope: 'read',
    destructive: false,
    kind: 'action',
    input: z.strictObject({}),
    output: z.record(z.string(), z.boolean()),
    http: { method: 'get', path: '/api/v1/feature-flags/evaluate' },
    run: (ctx) => evaluateFlags(ctx, subjectOf(ctx)),
  },
];
