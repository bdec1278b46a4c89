/**
 * The coefficients of the capacity rules: DECISION_COEFFICIENTS are the defaults, an
 * administrator overrides them for the instance (stored in the `settings` table under
 * `assessment_coefficients`), and a single calculation may override them again (what-if).
 */
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { settings } from '../../../db/schema/platform.ts';
import { withTx, type Ctx } from '../../context.ts';
import { invalid, parseInput } from '../../errors.ts';
import { actingUserId } from '../../identity/roles.ts';
import { diff, writeAudit } from '../../platform/audit.ts';
import { DECIMAL, fmtCoefficient, SCALE, toUnits } from './arithmetic.ts';

/**
 * Defaults, in hours per week (deal coefficient: hours per week per 1,000 of deal value).
 * An engagement costs us 1.50 h/week per novel MCP server to build and keep running,
 * 0.75 h/week per novel Skills file, 0.10 h/week per employee trained and supported, and no
 * fixed overhead; a typical AI Foundations engagement (12 staff, one MCP, two Skills, about
 * AUD 35,000 a year) comes to 1.50 + 1.50 + 1.20 = 4.20 h/week, i.e. about 0.12 h/week per
 * AUD 1,000 of value, which is what an open deal is assumed to need per 1,000 of its value.
 */
export const DECISION_COEFFICIENTS = {
  base_hours_per_week: '0.00',
  hours_per_novel_mcp: '1.50',
  hours_per_novel_skill: '0.75',
  hours_per_employee: '0.10',
  deal_hours_per_1000_value: '0.12',
} as const;

export type CoefficientKey = keyof typeof DECISION_COEFFICIENTS;
export type Coefficients = Record<CoefficientKey, string>;
export const COEFFICIENT_KEYS = Object.keys(DECISION_COEFFICIENTS) as CoefficientKey[];

/** The settings row that holds an instance's coefficients (only those it changed). */
export const COEFFICIENTS_SETTING = 'assessment_coefficients';

const coefficient = z
  .union([z.string(), z.number()])
  .transform((v, ctx) => {
    const s = typeof v === 'number' ? (Number.isFinite(v) ? String(v) : 'NaN') : v.trim();
    if (!DECIMAL.test(s) || toUnits(s) > 1000n * SCALE) {
      ctx.addIssue({ code: 'custom', message: 'must be a decimal number from 0 to 1000 with at most 4 decimals' });
      return z.NEVER;
    }
    return fmtCoefficient(toUnits(s));
  });

const COEFFICIENT_DESCRIPTIONS: Record<CoefficientKey, string> = {
  base_hours_per_week: 'fixed hours per week of any engagement (account management, reporting)',
  hours_per_novel_mcp: 'hours per week per novel MCP server to build',
  hours_per_novel_skill: 'hours per week per novel Skills file to build',
  hours_per_employee: 'hours per week per employee to train and support',
  deal_hours_per_1000_value: 'hours per week an open deal needs per 1,000 of its weighted value',
};

/** A partial set of coefficients (a what-if override, or the instance's stored choice). */
export const CoefficientsInput = z.strictObject(
  Object.fromEntries(COEFFICIENT_KEYS.map((k) => [k, coefficient.optional().describe(`${COEFFICIENT_DESCRIPTIONS[k]} (default ${DECISION_COEFFICIENTS[k]})`)])) as Record<
    CoefficientKey,
    z.ZodOptional<typeof coefficient>
  >,
);
export type CoefficientsOverride = Partial<Record<CoefficientKey, string | undefined>>;

async function storedCoefficients(ctx: Ctx): Promise<Partial<Coefficients>> {
  const [row] = await ctx.db.select().from(settings).where(eq(settings.key, COEFFICIENTS_SETTING));
  if (!row) return {};
  // A value that no longer parses (an older version wrote it) falls back to the defaults key by key.
  const out: Partial<Coefficients> = {};
  const value = row.value as Record<string, unknown>;
  for (const k of COEFFICIENT_KEYS) {
    const r = coefficient.safeParse(value?.[k]);
    if (r.success) out[k] = r.data;
  }
  return out;
}

export type EffectiveCoefficients = {
  coefficients: Coefficients;
  source: Record<CoefficientKey, 'default' | 'settings' | 'input'>;
};

/** Defaults, overridden by the instance's settings, overridden by this call's input. */
export async function effectiveCoefficients(ctx: Ctx, override: CoefficientsOverride = {}): Promise<EffectiveCoefficients> {
  const stored = await storedCoefficients(ctx);
  const coefficients = { ...DECISION_COEFFICIENTS } as Coefficients;
  const source = Object.fromEntries(COEFFICIENT_KEYS.map((k) => [k, 'default'])) as EffectiveCoefficients['source'];
  for (const k of COEFFICIENT_KEYS) {
    const s = stored[k];
    if (s !== undefined) {
      coefficients[k] = s;
      source[k] = 'settings';
    }
    const o = override[k];
    if (o !== undefined) {
      coefficients[k] = o;
      source[k] = 'input';
    }
  }
  return { coefficients, source };
}

/** The instance's coefficients, the defaults, and which applies. */
export async function readCoefficients(ctx: Ctx) {
  const { coefficients, source } = await effectiveCoefficients(ctx);
  return { coefficients, source, defaults: { ...DECISION_COEFFICIENTS }, descriptions: COEFFICIENT_DESCRIPTIONS };
}

export const SetCoefficientsInput = z.strictObject({
  coefficients: CoefficientsInput.describe('the coefficients to change; the others keep their values'),
  reset: z.boolean().optional().describe('drop every stored value first, back to the defaults'),
});

/** Administrators: changes the instance's coefficients (stored in settings), with an audit row. */
export async function setCoefficients(ctx: Ctx, input: z.input<typeof SetCoefficientsInput>) {
  const changes = parseInput(CoefficientsInput, input.coefficients) as CoefficientsOverride;
  const given = Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined)) as Partial<Coefficients>;
  if (!input.reset && Object.keys(given).length === 0) {
    throw invalid([{ field: 'coefficients', message: `names no coefficient to change; coefficients: ${COEFFICIENT_KEYS.join(', ')}` }]);
  }
  return withTx(ctx, async (tx) => {
    const before = await effectiveCoefficients(tx);
    const stored = input.reset ? {} : await storedCoefficients(tx);
    const value = { ...stored, ...given };
    const now = tx.now();
    const by = actingUserId(tx.actor);
    if (Object.keys(value).length === 0) {
      await tx.db.delete(settings).where(eq(settings.key, COEFFICIENTS_SETTING));
    } else {
      await tx.db
        .insert(settings)
        .values({ key: COEFFICIENTS_SETTING, value, updated_at: now, updated_by: by })
        .onConflictDoUpdate({ target: settings.key, set: { value, updated_at: now, updated_by: by } });
    }
    const after = await effectiveCoefficients(tx);
    const d = diff(before.coefficients, after.coefficients);
    if (Object.keys(d.after).length) {
      await writeAudit(tx, { action: 'update', table: 'settings', operation: 'assessment.set_coefficients', before: d.before, after: d.after });
    }
    return { coefficients: after.coefficients, source: after.source, defaults: { ...DECISION_COEFFICIENTS } };
  });
}
