/**
 * Seed 000 step 7, the go/no-go decision: the structured scorecard, the estimated hours per
 * week (capacity.ts: the formula and its configurable coefficients), the comparison with our
 * capacity, and the company's move `auditing → go | no_go`, all in one transaction.
 *
 * Rules:
 * - a decision is recorded while the company is `auditing` and refers to one of its audits
 *   (the latest unless `audit_id` names another); any other status is refused with the
 *   pipeline's allowed next statuses;
 * - `go` moves the company to `go`; `no_go` moves it to `no_go` and keeps the rationale as its
 *   `lost_reason`; `conditional` records the scorecard and leaves the company `auditing`
 *   until a go or no-go decision follows;
 * - the rationale is required (the seed: "you write a decision rationale"); a go decision also
 *   names the recommended package, which the proposal copies;
 * - `employee_count` defaults to the audit's `team_size`;
 * - the capacity check never refuses a decision: it records `capacity_available_hours` and
 *   `capacity_sufficient`, and the result shows the arithmetic.
 */
import { and, desc, eq, isNull, sql } from 'drizzle-orm';
import { z } from 'zod';
import { audits, CHAMPION_STRENGTHS, GO_NO_GO_DECISIONS, TIMELINE_ALIGNMENTS } from '../../db/schema/assessment.ts';
import { CURRENCIES } from '../../db/schema/columns.ts';
import { LEVELS } from '../../db/schema/sales.ts';
import { localDate, withTx, type Ctx } from '../context.ts';
import { AppError, invalid, notFound } from '../errors.ts';
import { actingUserId } from '../identity/roles.ts';
import { stagesOf } from '../platform/pipeline.ts';
import { applyUpdate, fetchRow, getRecord, insertRecord, type Row } from '../resource.ts';
import { resource } from '../resources.ts';
import { capacityForDecision, CoefficientsInput, effectiveCoefficients, estimateHours, toUnits } from './capacity.ts';

const companiesRes = () => resource('companies');
const decisionsRes = () => resource('go_no_go_decisions');
const auditsRes = () => resource('audits');

const id = z.uuid({ message: 'must be a UUID' });
const text = (max: number) => z.string().trim().max(max, `must be at most ${max} characters`);
const count = (what: string) =>
  z.int({ message: 'must be a whole number' }).min(0, 'must not be negative').max(1000, 'is too large').describe(what);
/** An amount of money as given by a client: a non-negative decimal string (or number) with at most two decimals, kept as text. */
export const moneyInput = z
  .union([z.string(), z.number()])
  .transform((v, ctx) => {
    const s = typeof v === 'number' ? (Number.isFinite(v) ? String(v) : 'NaN') : v.trim();
    if (!/^\d{1,12}(\.\d{1,2})?$/.test(s)) {
      ctx.addIssue({ code: 'custom', message: 'must be a non-negative amount with at most 12 digits before the point and 2 after' });
      return z.NEVER;
    }
    return s;
  });

export const DecideInput = z.strictObject({
  id: id.describe('the company'),
  decision: z.enum(GO_NO_GO_DECISIONS, { message: `must be one of: ${GO_NO_GO_DECISIONS.join(', ')}` }),
  audit_id: id.optional().describe("the audit decided on (default: the company's latest audit)"),
  decision_date: z.iso.date({ message: 'must be a real calendar date as YYYY-MM-DD' }).optional().describe('default today'),
  decision_maker_engagement: z.enum(LEVELS, { message: `must be one of: ${LEVELS.join(', ')}` }).optional(),
  budget_confirmed: z.boolean({ message: 'must be true or false' }).optional(),
  team_readiness: z.enum(LEVELS, { message: `must be one of: ${LEVELS.join(', ')}` }).optional(),
  champion_strength: z.enum(CHAMPION_STRENGTHS, { message: `must be one of: ${CHAMPION_STRENGTHS.join(', ')}` }).optional(),
  technical_feasibility: z.enum(LEVELS, { message: `must be one of: ${LEVELS.join(', ')}` }).optional(),
  timeline_alignment: z.enum(TIMELINE_ALIGNMENTS, { message: `must be one of: ${TIMELINE_ALIGNMENTS.join(', ')}` }).optional(),
  estimated_roi: text(10_000).optional().describe('the written estimate of time savings'),
  estimated_roi_hours_per_month: z
    .string()
    .regex(/^\d{1,6}(\.\d{1,2})?$/, 'must be a decimal number of hours with at most 2 decimals')
    .optional(),
  risk_factors: text(10_000).optional(),
  decision_rationale: text(10_000).min(1, 'is required: write why'),
  recommended_package: text(1000).optional().describe('required for a go decision'),
  novel_mcps: count('novel MCP servers to build'),
  novel_skills: count('novel Skills files to build'),
  employee_count: z
    .int({ message: 'must be a whole number' })
    .min(0, 'must not be negative')
    .max(100_000, 'is too large')
    .optional()
    .describe("employees to train and support (default: the audit's team_size)"),
  estimated_value: moneyInput.optional().describe('estimated engagement value'),
  currency: z.enum(CURRENCIES, { message: `must be one of: ${CURRENCIES.join(', ')}` }).optional(),
  coefficients: CoefficientsInput.optional().describe("override the instance's coefficients for this decision"),
});
export type DecideInput = z.infer<typeof DecideInput>;

/** Refuses when the company is not where a decision can be made, naming where it can go instead. */
async function assertAuditing(ctx: Ctx, company: Row): Promise<void> {
  if (company.status === 'auditing') return;
  const stages = await stagesOf(ctx, 'company');
  const allowed = stages.find((s) => s.key === company.status)?.next_statuses ?? [];
  const list = allowed.length ? allowed.join(', ') : 'none';
  throw new AppError(
    'CONFLICT',
    `status: a go/no-go decision is made while the company is auditing; company ${String(company.id)} is ${String(company.status)} (allowed next: ${list})`,
    { details: { fields: [{ field: 'status', message: `is ${String(company.status)}, not auditing` }], from: company.status, allowed } },
  );
}

async function auditFor(ctx: Ctx, companyId: string, auditId: string | undefined): Promise<Row> {
  if (auditId) {
    const audit = await fetchRow(ctx, auditsRes(), auditId);
    if (!audit || audit.archived_at !== null) throw invalid([{ field: 'audit_id', message: 'names no audit' }]);
    if (audit.company_id !== companyId) throw invalid([{ field: 'audit_id', message: 'belongs to another company' }]);
    return audit;
  }
  const [latest] = await ctx.db
    .select()
    .from(audits)
    .where(and(eq(audits.company_id, companyId), isNull(audits.archived_at)))
    .orderBy(sql`${audits.audit_date} desc nulls last`, desc(audits.created_at), desc(audits.id))
    .limit(1);
  if (!latest) {
    throw new AppError('PRECONDITION_FAILED', 'This company has no audit: start the audit (org chart and surveys) before deciding go or no-go', {
      details: { fields: [{ field: 'audit_id', message: 'the company has no audit' }] },
    });
  }
  return latest as Row;
}

/** Step 7: records the scorecard with the hours and capacity check; moves the company to go or no_go. */
export async function decideGoNoGo(ctx: Ctx, input: DecideInput) {
  if (input.decision === 'go' && !input.recommended_package) {
    throw invalid([{ field: 'recommended_package', message: 'is required for a go decision (the proposal copies it)' }]);
  }
  return withTx(ctx, async (tx) => {
    // The lock makes two decisions on one company run one after the other.
    const company = await fetchRow(tx, companiesRes(), input.id, true);
    if (!company) throw notFound('company', input.id);
    await assertAuditing(tx, company);
    const audit = await auditFor(tx, input.id, input.audit_id);
    const employees = input.employee_count ?? (audit.team_size as number | null);
    if (employees === null || employees === undefined) {
      throw invalid([{ field: 'employee_count', message: 'is required: the audit has no team_size yet' }]);
    }
    const { coefficients, source } = await effectiveCoefficients(tx, input.coefficients ?? {});
    const estimate = estimateHours({ novel_mcps: input.novel_mcps, novel_skills: input.novel_skills, employee_count: employees }, coefficients);
    const capacity = await capacityForDecision(tx, input.id, toUnits(estimate.hours_per_week), coefficients);
    const { id: companyId, coefficients: _c, audit_id: _a, employee_count: _e, ...scorecard } = input;
    const decision = await insertRecord(
      tx,
      decisionsRes(),
      {
        ...scorecard,
        company_id: companyId,
        audit_id: audit.id,
        decision_date: input.decision_date ?? localDate(tx),
        employee_count: employees,
        estimated_hours_per_week: estimate.hours_per_week,
        capacity_available_hours: capacity.capacity_available_hours,
        capacity_sufficient: capacity.sufficient,
        decided_by: actingUserId(tx.actor),
      },
      'assessment.decide',
    );
    let statusChange: { from: string; to: string } | null = null;
    if (input.decision !== 'conditional') {
      const to = input.decision;
      await applyUpdate(
        tx,
        companiesRes(),
        companyId,
        to === 'no_go' ? { status: to, lost_reason: `No-go: ${input.decision_rationale}` } : { status: to },
        { operation: 'assessment.decide' },
      );
      statusChange = { from: 'auditing', to };
    }
    return {
      decision,
      company_status_change: statusChange,
      estimate: { ...estimate, coefficients, coefficients_source: source },
      capacity,
    };
  });
}

/** The decision a proposal is made from, visible to the caller. */
export async function getDecision(ctx: Ctx, decisionId: string): Promise<Row> {
  return getRecord(ctx, decisionsRes(), decisionId);
}
