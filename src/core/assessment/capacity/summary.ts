/**
 * The capacity view and "can we take this on?".
 *
 * Free hours: after go decisions = team available − open go decision hours; after pipeline =
 * that − weighted deal hours. A new piece of work "fits" when its hours ≤ the free hours.
 */
import { z } from 'zod';
import { localDate, type Ctx } from '../../context.ts';
import { invalid } from '../../errors.ts';
import { fmt, maxOf, toUnits } from './arithmetic.ts';
import { effectiveCoefficients, type Coefficients, type CoefficientsOverride } from './coefficients.ts';
import { demand } from './demand.ts';
import { estimateHours, type HoursEstimate } from './estimate.ts';
import { teamCapacity } from './team.ts';

export const CapacitySummaryInput = z.strictObject({
  hours_per_week: z
    .string()
    .regex(/^\d{1,6}(\.\d{1,2})?$/, 'must be a decimal number of hours with at most 2 decimals')
    .optional()
    .describe('hours per week of the work to check; or give novel_mcps, novel_skills and employee_count'),
  novel_mcps: z.coerce.number().int('must be a whole number').min(0, 'must not be negative').max(1000).optional(),
  novel_skills: z.coerce.number().int('must be a whole number').min(0, 'must not be negative').max(1000).optional(),
  employee_count: z.coerce.number().int('must be a whole number').min(0, 'must not be negative').max(100000).optional(),
});
export type CapacitySummaryInput = z.infer<typeof CapacitySummaryInput> & { coefficients?: CoefficientsOverride | undefined };

export type FitCheck = {
  hours_per_week: string;
  estimate: HoursEstimate | null;
  fits_committed: boolean;
  fits_with_pipeline: boolean;
  /** Free hours left after taking it on (negative: the shortfall). */
  left_after_go_decisions: string;
  left_after_pipeline: string;
};

function fitCheck(hours: bigint, estimate: HoursEstimate | null, freeCommitted: bigint, freePipeline: bigint): FitCheck {
  return {
    hours_per_week: fmt(hours),
    estimate,
    fits_committed: hours <= freeCommitted,
    fits_with_pipeline: hours <= freePipeline,
    left_after_go_decisions: fmt(freeCommitted - hours),
    left_after_pipeline: fmt(freePipeline - hours),
  };
}

/** The capacity view: free hours against promised and likely work, and optionally whether a new job fits. */
export async function capacitySummary(ctx: Ctx, input: CapacitySummaryInput = {}) {
  const counts = [input.novel_mcps, input.novel_skills, input.employee_count];
  const someCounts = counts.some((v) => v !== undefined);
  if (someCounts && counts.some((v) => v === undefined)) {
    throw invalid(
      (['novel_mcps', 'novel_skills', 'employee_count'] as const)
        .filter((k) => input[k] === undefined)
        .map((field) => ({ field, message: 'is required with the other counts (novel_mcps, novel_skills, employee_count)' })),
    );
  }
  if (someCounts && input.hours_per_week !== undefined) {
    throw invalid([{ field: 'hours_per_week', message: 'give either hours_per_week or the counts, not both' }]);
  }
  const { coefficients, source } = await effectiveCoefficients(ctx, input.coefficients);
  const team = await teamCapacity(ctx);
  const need = await demand(ctx, coefficients);
  const freeCommitted = team.availableUnits - need.goUnits;
  const freePipeline = freeCommitted - need.dealUnits;
  let candidate: FitCheck | null = null;
  if (someCounts) {
    const estimate = estimateHours(
      { novel_mcps: input.novel_mcps!, novel_skills: input.novel_skills!, employee_count: input.employee_count! },
      coefficients,
    );
    candidate = fitCheck(toUnits(estimate.hours_per_week), estimate, freeCommitted, freePipeline);
  } else if (input.hours_per_week !== undefined) {
    candidate = fitCheck(toUnits(input.hours_per_week), null, freeCommitted, freePipeline);
  }
  const { availableUnits: _a, ...teamOut } = team;
  const { goUnits: _g, dealUnits: _d, ...demandOut } = need;
  return {
    as_of: localDate(ctx),
    coefficients,
    coefficients_source: source,
    team: teamOut,
    demand: demandOut,
    free_hours_per_week: {
      after_go_decisions: fmt(freeCommitted),
      after_pipeline: fmt(freePipeline),
      arithmetic: `${fmt(team.availableUnits)} available − ${fmt(need.goUnits)} open go decisions = ${fmt(freeCommitted)}; − ${fmt(need.dealUnits)} weighted deals = ${fmt(freePipeline)}`,
    },
    can_take_on: candidate,
  };
}

/**
 * The capacity comparison a go/no-go decision records: the team's available hours less what
 * other open go decisions need (floored at 0, as the column holds), and whether the estimate fits.
 * Weighted deals are reported but do not decide `sufficient`: they may never close.
 */
export async function capacityForDecision(ctx: Ctx, companyId: string, hours: bigint, c: Coefficients) {
  const team = await teamCapacity(ctx);
  const need = await demand(ctx, c, companyId);
  const freeCommitted = team.availableUnits - need.goUnits;
  const freePipeline = freeCommitted - need.dealUnits;
  const recorded = maxOf(freeCommitted, 0n);
  return {
    team_available_hours_per_week: fmt(team.availableUnits),
    open_go_decision_hours_per_week: fmt(need.goUnits),
    weighted_deal_hours_per_week: fmt(need.dealUnits),
    capacity_available_hours: fmt(recorded),
    estimated_hours_per_week: fmt(hours),
    sufficient: hours <= recorded,
    fits_with_pipeline: hours <= freePipeline,
    arithmetic: `${fmt(team.availableUnits)} team available − ${fmt(need.goUnits)} other open go decisions = ${fmt(freeCommitted)}${freeCommitted < 0n ? ' (recorded as 0.00)' : ''}; needed ${fmt(hours)} ${hours <= recorded ? '≤' : '>'} ${fmt(recorded)}`,
  };
}
