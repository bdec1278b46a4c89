/**
 * Seed 001's calculators, stored in `roi_calculations`: the ROI calculator (`type: 'roi'`:
 * employees, salaries and inefficiency percentages → annual savings, ROI % and payback months)
 * and the project estimate (`type: 'project_estimate'`: project type, complexity, timeline and
 * services → cost breakdown, timeline and deliverables, priced from the services catalog).
 *
 * Money is exact: amounts are parsed from decimal strings into integer cents (BigInt) and
 * percentages into hundredths of a percent, every product is formed exactly, and each result
 * is rounded ONCE, half away from zero, to the cent (money) or to 0.01 (percent, months, hours).
 * Results travel as decimal strings ("12345.60"), never as floats.
 *
 * ROI calculator (every coefficient below is an input or a named constant):
 *   per team   annual_cost_of_inefficiency = employees × average_salary × inefficiency_percent / 100   (rounded to the cent)
 *              annual_savings              = employees × average_salary × inefficiency_percent / 100
 *                                            × recovery_percent / 100                                  (rounded to the cent)
 *              hours_recovered_per_year    = employees × hours_per_week × 52 × inefficiency_percent / 100
 *                                            × recovery_percent / 100                                  (rounded to 0.01 h)
 *   totals     the sums of the rounded team figures (so the breakdown adds up to the total)
 *              annual_payroll   = Σ employees × average_salary
 *              monthly_savings  = annual_savings / 12
 *              first_year_cost  = setup_cost + 12 × monthly_cost                          (must be > 0)
 *              net_first_year_benefit = annual_savings − first_year_cost
 *              roi_percent      = net_first_year_benefit / first_year_cost × 100          (may be negative)
 *              payback_months   = setup_cost / (annual_savings / 12 − monthly_cost)
 *                               = 12 × setup_cost / (annual_savings − 12 × monthly_cost);
 *                                 null ("never") when the monthly savings do not exceed the
 *                                 monthly cost, else 0 when there is no setup cost.
 *   recovery_percent (the share of the lost time the work wins back) defaults to
 *   DEFAULT_RECOVERY_PERCENT = 40; hours_per_week defaults to DEFAULT_HOURS_PER_WEEK = 38
 *   (the Australian full-time week); WEEKS_PER_YEAR = 52.
 *
 * Project estimate (PROJECT_ESTIMATE_RULES):
 *   fee point in each catalog range by complexity: low → the minimum, medium → the midpoint
 *   (rounded to the cent), high → the maximum; a range with one bound uses that bound.
 *   line setup = setup point × quantity; line monthly = monthly point × quantity.
 *   timeline: services run one after another in the order given; each phase lasts the service's
 *   typical_duration_weeks × the timeline's factor, rounded up to whole weeks (standard 1,
 *   accelerated 3/4, extended 3/2); a service without a duration adds no weeks (and says so).
 *   accelerated timelines add a rush surcharge of 25 % of the setup subtotal.
 *   setup_total = setup_subtotal + rush_surcharge; monthly_total = Σ line monthly;
 *   first_year_value = setup_total + 12 × monthly_total (stored as total_value).
 *   Every service must be active, priced (a setup or a monthly range) and in the estimate's currency.
 */
import { and, eq, inArray, isNull } from 'drizzle-orm';
import { z } from 'zod';
import { SERVICE_CATEGORIES, services } from '../../db/schema/catalog.ts';
import { CURRENCIES, type Currency } from '../../db/schema/columns.ts';
import { LEVELS } from '../../db/schema/sales.ts';
import { withTx, type Ctx } from '../context.ts';
import { invalid, parseInput, type FieldError } from '../errors.ts';
import { getRecord, insertRecord, type Row } from '../resource.ts';
import { resource } from '../resources.ts';

// ---------------------------------------------------------------------------
// Exact decimals

/** a / b rounded half away from zero (b > 0). */
export function divRound(a: bigint, b: bigint): bigint {
  if (b <= 0n) throw new RangeError('divisor must be positive');
  const neg = a < 0n;
  const abs = neg ? -a : a;
  const q = (2n * abs + b) / (2n * b);
  return neg ? -q : q;
}

/** A decimal string with at most `scale` places → an integer in units of 10^-scale ("12.5", 2 → 1250n). */
export function toUnits(s: string, scale: number): bigint {
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(s);
  if (!m || (m[3] ?? '').length > scale) throw new RangeError(`${s} is not a decimal with at most ${scale} places`);
  const units = BigInt(m[2]! + (m[3] ?? '').padEnd(scale, '0'));
  return m[1] ? -units : units;
}

/** An integer in units of 10^-scale → its decimal string (1250n, 2 → "12.50"). */
export function fromUnits(v: bigint, scale: number): string {
  const neg = v < 0n;
  const digits = (neg ? -v : v).toString().padStart(scale + 1, '0');
  const int = digits.slice(0, digits.length - scale);
  const frac = digits.slice(digits.length - scale);
  return `${neg ? '-' : ''}${int}${scale ? `.${frac}` : ''}`;
}

const cents = (s: string) => toUnits(s, 2);
const money = (c: bigint) => fromUnits(c, 2);

/** A non-negative decimal (string or JSON number) with at most two places and `intDigits` before the point. */
function decimalInput(intDigits: number, what: string, max?: string) {
  const re = new RegExp(`^\\d{1,${intDigits}}(\\.\\d{1,2})?$`);
  return z.union([z.string(), z.number()]).transform((v, ctx) => {
    const s = typeof v === 'number' ? (Number.isFinite(v) ? String(v) : 'NaN') : v.trim();
    if (!re.test(s)) {
      ctx.addIssue({ code: 'custom', message: `must be ${what}: a non-negative decimal with at most ${intDigits} digits before the point and 2 after` });
      return z.NEVER;
    }
    if (max !== undefined && toUnits(s, 2) > toUnits(max, 2)) {
      ctx.addIssue({ code: 'custom', message: `must be at most ${max}` });
      return z.NEVER;
    }
    return fromUnits(toUnits(s, 2), 2);
  });
}

const moneyInput = (what: string) => decimalInput(10, what);
const percentInput = (what: string) => decimalInput(3, what, '100');

// ---------------------------------------------------------------------------
// ROI calculator

export const DEFAULT_RECOVERY_PERCENT = '40.00';
export const DEFAULT_HOURS_PER_WEEK = '38.00';
export const WEEKS_PER_YEAR = 52n;

/** Largest values the summary columns hold: numeric(14,2), numeric(10,2), numeric(8,2). */
const MAX_TOTAL = toUnits('999999999999.99', 2);
const MAX_ROI = toUnits('99999999.99', 2);
const MAX_PAYBACK = toUnits('999999.99', 2);

const TeamInput = z.strictObject({
  name: z.string().trim().min(1, 'must not be blank').max(200, 'must be at most 200 characters').optional().describe('the team or role, e.g. Estimators'),
  employees: z.int({ message: 'must be a whole number' }).min(1, 'must be at least 1').max(1_000_000, 'must be at most 1,000,000').describe('people in this team'),
  average_salary: moneyInput('an annual salary per employee').describe('average annual salary (or loaded cost) per employee, a decimal string'),
  inefficiency_percent: percentInput('a percentage from 0 to 100').describe('share of paid time lost to manual, repetitive or re-keyed work, 0–100'),
});

const currencyInput = z.enum(CURRENCIES, { message: `must be one of: ${CURRENCIES.join(', ')}` });

export const RoiInputs = z.strictObject({
  currency: currencyInput.default('AUD').describe('currency of every amount (default AUD)'),
  teams: z.array(TeamInput).min(1, 'needs at least one team').max(100, 'at most 100 teams').describe('employees, salaries and inefficiency per team or role'),
  recovery_percent: percentInput('a percentage from 0 to 100')
    .default(DEFAULT_RECOVERY_PERCENT)
    .describe(`share of the lost time the work recovers, 0–100 (default ${DEFAULT_RECOVERY_PERCENT})`),
  setup_cost: moneyInput('an amount').describe('one-off cost of the implementation'),
  monthly_cost: moneyInput('an amount').default('0.00').describe('recurring monthly cost (licences, support retainer), default 0'),
  hours_per_week: decimalInput(3, 'hours', '168').default(DEFAULT_HOURS_PER_WEEK).describe(`paid hours per employee per week (default ${DEFAULT_HOURS_PER_WEEK})`),
});
export type RoiInputs = z.output<typeof RoiInputs>;

export type RoiTeamResult = {
  name: string | null;
  employees: number;
  average_salary: string;
  inefficiency_percent: string;
  annual_payroll: string;
  annual_cost_of_inefficiency: string;
  annual_savings: string;
  hours_recovered_per_year: string;
};

export type RoiResult = {
  currency: Currency;
  teams: RoiTeamResult[];
  employees: number;
  annual_payroll: string;
  annual_cost_of_inefficiency: string;
  annual_savings: string;
  monthly_savings: string;
  hours_recovered_per_year: string;
  setup_cost: string;
  monthly_cost: string;
  first_year_cost: string;
  net_first_year_benefit: string;
  roi_percent: string;
  /** Null when the monthly savings never exceed the monthly cost. */
  payback_months: string | null;
};

/** The ROI calculator, by the formulas in this file's header. Pure; refuses inputs without a cost or with out-of-range results. */
export function calculateRoiFigures(raw: z.input<typeof RoiInputs>): { inputs: RoiInputs; results: RoiResult } {
  const inputs = parseInput(RoiInputs, raw);
  const rec = toUnits(inputs.recovery_percent, 2); // hundredths of a percent: 40 % → 4000
  const hoursPerWeek = toUnits(inputs.hours_per_week, 2); // hundredths of an hour
  const PCT = 10_000n; // hundredths of a percent in one whole
  let payroll = 0n;
  let waste = 0n;
  let savings = 0n;
  let hours = 0n;
  let employees = 0;
  const teams = inputs.teams.map((t) => {
    const emp = BigInt(t.employees);
    const salary = cents(t.average_salary);
    const ineff = toUnits(t.inefficiency_percent, 2);
    const teamPayroll = emp * salary;
    const teamWaste = divRound(teamPayroll * ineff, PCT);
    const teamSavings = divRound(teamPayroll * ineff * rec, PCT * PCT);
    const teamHours = divRound(emp * hoursPerWeek * WEEKS_PER_YEAR * ineff * rec, PCT * PCT);
    payroll += teamPayroll;
    waste += teamWaste;
    savings += teamSavings;
    hours += teamHours;
    employees += t.employees;
    return {
      name: t.name ?? null,
      employees: t.employees,
      average_salary: t.average_salary,
      inefficiency_percent: t.inefficiency_percent,
      annual_payroll: money(teamPayroll),
      annual_cost_of_inefficiency: money(teamWaste),
      annual_savings: money(teamSavings),
      hours_recovered_per_year: fromUnits(teamHours, 2),
    };
  });
  const setup = cents(inputs.setup_cost);
  const monthly = cents(inputs.monthly_cost);
  const firstYearCost = setup + 12n * monthly;
  if (firstYearCost === 0n) {
    throw invalid([{ field: 'setup_cost', message: 'setup_cost and monthly_cost cannot both be zero: ROI compares savings with a cost' }]);
  }
  const net = savings - firstYearCost;
  const roi = divRound(net * 100n * 100n, firstYearCost); // hundredths of a percent
  const monthlyMargin = savings - 12n * monthly; // twelve times the monthly net saving
  const payback = monthlyMargin > 0n ? divRound(12n * setup * 100n, monthlyMargin) : null; // hundredths of a month
  const errors: FieldError[] = [];
  if (payroll > MAX_TOTAL) errors.push({ field: 'teams', message: 'the annual payroll exceeds 999,999,999,999.99; check employees and salaries' });
  if (roi > MAX_ROI) errors.push({ field: 'setup_cost', message: 'the ROI exceeds 99,999,999.99 %; check the cost' });
  if (payback !== null && payback > MAX_PAYBACK) errors.push({ field: 'setup_cost', message: 'the payback period exceeds 999,999.99 months; check the cost and the savings' });
  if (errors.length) throw invalid(errors);
  return {
    inputs,
    results: {
      currency: inputs.currency,
      teams,
      employees,
      annual_payroll: money(payroll),
      annual_cost_of_inefficiency: money(waste),
      annual_savings: money(savings),
      monthly_savings: money(divRound(savings, 12n)),
      hours_recovered_per_year: fromUnits(hours, 2),
      setup_cost: inputs.setup_cost,
      monthly_cost: inputs.monthly_cost,
      first_year_cost: money(firstYearCost),
      net_first_year_benefit: money(net),
      roi_percent: fromUnits(roi, 2),
      payback_months: payback === null ? null : fromUnits(payback, 2),
    },
  };
}

// ---------------------------------------------------------------------------
// Project estimate

export const COMPLEXITIES = ['low', 'medium', 'high'] as const satisfies readonly (typeof LEVELS)[number][];
export const TIMELINES = ['standard', 'accelerated', 'extended'] as const;
export type Complexity = (typeof COMPLEXITIES)[number];
export type Timeline = (typeof TIMELINES)[number];

/** The coefficients of the project estimate (see this file's header). */
export const PROJECT_ESTIMATE_RULES = {
  /** Where in a catalog fee range the fee falls, as a fraction num/den of the way from min to max. */
  feePoint: { low: [0n, 1n], medium: [1n, 2n], high: [1n, 1n] } as Record<Complexity, [bigint, bigint]>,
  /** Phase length factor num/den, rounded up to whole weeks. */
  weeksFactor: { standard: [1n, 1n], accelerated: [3n, 4n], extended: [3n, 2n] } as Record<Timeline, [bigint, bigint]>,
  /** Surcharge on the setup subtotal, in hundredths of a percent (2500 = 25 %). */
  rushSurcharge: { standard: 0n, accelerated: 2500n, extended: 0n } as Record<Timeline, bigint>,
} as const;

export const ProjectEstimateInputs = z.strictObject({
  currency: currencyInput.optional().describe('the currency of the estimate (default: the services’ currency)'),
  project_type: z.enum(SERVICE_CATEGORIES, { message: `must be one of: ${SERVICE_CATEGORIES.join(', ')}` }).describe('the kind of project; without `services`, every active catalog service of this category is estimated'),
  complexity: z.enum(COMPLEXITIES, { message: `must be one of: ${COMPLEXITIES.join(', ')}` }).describe('low: catalog minimum fees, medium: midpoint, high: maximum'),
  timeline: z.enum(TIMELINES, { message: `must be one of: ${TIMELINES.join(', ')}` }).default('standard').describe('standard; accelerated (3/4 of the weeks, +25 % on setup fees); extended (3/2 of the weeks)'),
  services: z
    .array(
      z.strictObject({
        service_id: z.uuid({ message: 'must be a UUID' }),
        quantity: z.int({ message: 'must be a whole number' }).min(1, 'must be at least 1').max(1000, 'must be at most 1000').default(1),
      }),
    )
    .min(1, 'needs at least one service')
    .max(50, 'at most 50 services')
    .optional()
    .describe('services from the catalog, in delivery order'),
});
export type ProjectEstimateInputs = z.output<typeof ProjectEstimateInputs>;

type ServiceRow = typeof services.$inferSelect;

export type ProjectEstimateResult = {
  currency: Currency;
  project_type: string;
  complexity: Complexity;
  timeline: Timeline;
  lines: Array<{
    service_id: string;
    name: string;
    service_category: string;
    pricing_model: string;
    quantity: number;
    unit_setup_fee: string;
    unit_monthly_fee: string;
    setup_fee: string;
    monthly_fee: string;
  }>;
  setup_subtotal: string;
  rush_surcharge_percent: string;
  rush_surcharge: string;
  setup_total: string;
  monthly_total: string;
  first_year_value: string;
  weeks: number;
  /** Week numbers from 1; a phase without a duration has null start and end weeks. */
  phases: Array<{ service_id: string; name: string; start_week: number | null; end_week: number | null; weeks: number }>;
  deliverables: Array<{ service_id: string; name: string; description: string | null; use_cases: string[] }>;
  assumptions: string[];
};

/** The fee this complexity picks in a catalog range; null when the range has no bound at all. */
function feePoint(min: string | null, max: string | null, complexity: Complexity): bigint | null {
  if (min === null && max === null) return null;
  const lo = cents(min ?? max!);
  const hi = cents(max ?? min!);
  const [num, den] = PROJECT_ESTIMATE_RULES.feePoint[complexity];
  return lo + divRound((hi - lo) * num, den);
}

const ceilDiv = (a: bigint, b: bigint) => (a + b - 1n) / b;

/** The project estimate from catalog rows already loaded, by the rules in this file's header. Pure. */
export function estimateProjectFigures(inputs: ProjectEstimateInputs, catalog: ServiceRow[]): ProjectEstimateResult {
  const byId = new Map(catalog.map((s) => [s.id, s]));
  const chosen = inputs.services ?? catalog.filter((s) => s.is_active && s.archived_at === null && s.service_category === inputs.project_type).map((s) => ({ service_id: s.id, quantity: 1 }));
  if (chosen.length === 0) {
    throw invalid([{ field: 'services', message: `no active service of category ${inputs.project_type} in the catalog; name the services to estimate` }]);
  }
  const errors: FieldError[] = [];
  const currency = inputs.currency ?? byId.get(chosen[0]!.service_id)?.currency ?? 'AUD';
  const field = (i: number) => (inputs.services ? `services[${i}].service_id` : 'project_type');
  chosen.forEach((c, i) => {
    const s = byId.get(c.service_id);
    if (!s) return void errors.push({ field: field(i), message: 'names no service in the catalog' });
    if (!s.is_active || s.archived_at !== null) errors.push({ field: field(i), message: 'names a service that is not active' });
    else if (s.currency !== currency) errors.push({ field: field(i), message: `names a service priced in ${s.currency}, not ${currency}; estimate one currency at a time` });
    else if (s.base_setup_fee_min === null && s.base_setup_fee_max === null && s.base_monthly_fee_min === null && s.base_monthly_fee_max === null) {
      errors.push({ field: field(i), message: `names a service with no setup or monthly fee range in the catalog (pricing model ${s.pricing_model}); add its fees before estimating with it` });
    }
  });
  if (errors.length) throw invalid(errors);

  const [wn, wd] = PROJECT_ESTIMATE_RULES.weeksFactor[inputs.timeline];
  const assumptions: string[] = [];
  let setupSubtotal = 0n;
  let monthlyTotal = 0n;
  let week = 0;
  const lines: ProjectEstimateResult['lines'] = [];
  const phases: ProjectEstimateResult['phases'] = [];
  const deliverables: ProjectEstimateResult['deliverables'] = [];
  for (const c of chosen) {
    const s = byId.get(c.service_id)!;
    const unitSetup = feePoint(s.base_setup_fee_min, s.base_setup_fee_max, inputs.complexity) ?? 0n;
    const unitMonthly = feePoint(s.base_monthly_fee_min, s.base_monthly_fee_max, inputs.complexity) ?? 0n;
    const q = BigInt(c.quantity);
    setupSubtotal += unitSetup * q;
    monthlyTotal += unitMonthly * q;
    lines.push({
      service_id: s.id,
      name: s.name,
      service_category: s.service_category,
      pricing_model: s.pricing_model,
      quantity: c.quantity,
      unit_setup_fee: money(unitSetup),
      unit_monthly_fee: money(unitMonthly),
      setup_fee: money(unitSetup * q),
      monthly_fee: money(unitMonthly * q),
    });
    if (s.typical_duration_weeks === null) {
      assumptions.push(`${s.name} has no typical duration in the catalog and adds no weeks to the timeline`);
    }
    const weeks = s.typical_duration_weeks === null ? 0 : Number(ceilDiv(BigInt(s.typical_duration_weeks) * wn, wd));
    phases.push({ service_id: s.id, name: s.name, start_week: weeks ? week + 1 : null, end_week: weeks ? week + weeks : null, weeks });
    week += weeks;
    deliverables.push({ service_id: s.id, name: s.name, description: s.description, use_cases: s.use_cases ?? [] });
  }
  const surchargeRate = PROJECT_ESTIMATE_RULES.rushSurcharge[inputs.timeline];
  const surcharge = divRound(setupSubtotal * surchargeRate, 10_000n);
  const setupTotal = setupSubtotal + surcharge;
  const firstYear = setupTotal + 12n * monthlyTotal;
  if (firstYear > MAX_TOTAL) throw invalid([{ field: 'services', message: 'the first-year value exceeds 999,999,999,999.99; check the quantities' }]);
  return {
    currency: currency as Currency,
    project_type: inputs.project_type,
    complexity: inputs.complexity,
    timeline: inputs.timeline,
    lines,
    setup_subtotal: money(setupSubtotal),
    rush_surcharge_percent: fromUnits(surchargeRate, 2),
    rush_surcharge: money(surcharge),
    setup_total: money(setupTotal),
    monthly_total: money(monthlyTotal),
    first_year_value: money(firstYear),
    weeks: week,
    phases,
    deliverables,
    assumptions,
  };
}

/** Loads the catalog rows an estimate needs (named services, or the active ones of the project type). */
async function catalogFor(ctx: Ctx, inputs: ProjectEstimateInputs): Promise<ServiceRow[]> {
  if (inputs.services) {
    const ids = [...new Set(inputs.services.map((s) => s.service_id))];
    return ctx.db.select().from(services).where(inArray(services.id, ids));
  }
  return ctx.db
    .select()
    .from(services)
    .where(and(isNull(services.archived_at), eq(services.service_category, inputs.project_type)))
    .orderBy(services.name, services.id);
}

export async function estimateProject(ctx: Ctx, raw: z.input<typeof ProjectEstimateInputs>): Promise<{ inputs: ProjectEstimateInputs; results: ProjectEstimateResult }> {
  const inputs = parseInput(ProjectEstimateInputs, raw);
  const results = estimateProjectFigures(inputs, await catalogFor(ctx, inputs));
  // What was estimated is kept with the estimate, so it can be reproduced after the catalog changes.
  return { inputs: { ...inputs, services: results.lines.map((l) => ({ service_id: l.service_id, quantity: l.quantity })) }, results };
}

// ---------------------------------------------------------------------------
// Verbs

const link = {
  lead_id: z.uuid({ message: 'must be a UUID' }).optional().describe('the lead this calculation is for'),
  company_id: z.uuid({ message: 'must be a UUID' }).optional().describe('the company this calculation is for'),
  email: z.string().trim().max(320, 'must be at most 320 characters').pipe(z.email({ message: 'must be an email address' })).optional().describe('who asked for it (defaults to the lead’s email)'),
};

export const SaveRoiInput = RoiInputs.extend(link);
export const SaveProjectEstimateInput = ProjectEstimateInputs.extend(link);

export const PreviewCalculationInput = z.discriminatedUnion('type', [
  RoiInputs.extend({ type: z.literal('roi') }),
  ProjectEstimateInputs.extend({ type: z.literal('project_estimate') }),
]);

type Links = { lead_id?: string | undefined; company_id?: string | undefined; email?: string | undefined };

function splitLinks<T extends Links>(input: T): { links: Links; rest: Omit<T, keyof Links> } {
  const { lead_id, company_id, email, ...rest } = input;
  return { links: { lead_id, company_id, email }, rest };
}

const fmt = (currency: string, amount: string) => `${currency} ${amount}`;

/**
 * Stores one calculation with its summary fields and, when it belongs to a lead or a company,
 * a `calculation_performed` interaction (001 LeadActivity), in one transaction.
 */
async function saveCalculation(
  ctx: Ctx,
  type: 'roi' | 'project_estimate',
  links: Links,
  inputs: Record<string, unknown>,
  results: Record<string, unknown>,
  summary: { total_value: string; currency: string; roi: string | null; payback_months: string | null; text: string },
  operation: string,
) {
  return withTx(ctx, async (tx) => {
    const lead = links.lead_id ? await getRecord(tx, resource('leads'), links.lead_id) : null;
    if (links.company_id) await getRecord(tx, resource('companies'), links.company_id);
    const calculation = await insertRecord(
      tx,
      resource('roi_calculations'),
      {
        type,
        lead_id: lead?.id ?? null,
        company_id: links.company_id ?? null,
        email: links.email ?? (lead?.email as string | null | undefined) ?? null,
        inputs,
        results,
        total_value: summary.total_value,
        currency: summary.currency,
        roi: summary.roi,
        payback_months: summary.payback_months,
      },
      operation,
    );
    let interaction: Row | null = null;
    if (calculation.lead_id || calculation.company_id) {
      interaction = await insertRecord(
        tx,
        resource('interactions'),
        {
          type: 'calculation_performed',
          lead_id: calculation.lead_id ?? null,
          company_id: calculation.company_id ?? null,
          interaction_date: tx.now(),
          subject: type === 'roi' ? 'ROI calculation' : 'Project estimate',
          summary: summary.text,
          metadata: { roi_calculation_id: calculation.id, type },
        },
        operation,
      );
    }
    return { calculation, interaction_id: (interaction?.id as string | undefined) ?? null };
  });
}

/** Runs the ROI calculator and stores inputs, results and the summary fields (total_value = annual savings). */
export async function calculateRoi(ctx: Ctx, raw: z.input<typeof SaveRoiInput>) {
  const { links, rest } = splitLinks(parseInput(SaveRoiInput, raw));
  const { inputs, results } = calculateRoiFigures(rest);
  const text = `Annual savings ${fmt(results.currency, results.annual_savings)}, ROI ${results.roi_percent} %, payback ${results.payback_months === null ? 'never (monthly cost exceeds monthly savings)' : `${results.payback_months} months`}`;
  const saved = await saveCalculation(
    ctx,
    'roi',
    links,
    inputs,
    results,
    { total_value: results.annual_savings, currency: results.currency, roi: results.roi_percent, payback_months: results.payback_months, text },
    'assessment.calculate_roi',
  );
  return { ...saved, results };
}

/** Prices a project from the catalog and stores it (total_value = first-year value; no ROI or payback). */
export async function saveProjectEstimate(ctx: Ctx, raw: z.input<typeof SaveProjectEstimateInput>) {
  const { links, rest } = splitLinks(parseInput(SaveProjectEstimateInput, raw));
  const { inputs, results } = await estimateProject(ctx, rest);
  const text = `Project estimate (${results.project_type}, ${results.complexity}, ${results.timeline}): setup ${fmt(results.currency, results.setup_total)}, monthly ${fmt(results.currency, results.monthly_total)}, first year ${fmt(results.currency, results.first_year_value)}, ${results.weeks} weeks`;
  const saved = await saveCalculation(
    ctx,
    'project_estimate',
    links,
    inputs,
    results,
    { total_value: results.first_year_value, currency: results.currency, roi: null, payback_months: null, text },
    'assessment.estimate_project',
  );
  return { ...saved, results };
}

/** Either calculator without storing anything. */
export async function previewCalculation(ctx: Ctx, raw: z.input<typeof PreviewCalculationInput>) {
  const input = parseInput(PreviewCalculationInput, raw);
  if (input.type === 'roi') {
    const { type: _type, ...rest } = input;
    return { type: 'roi' as const, ...calculateRoiFigures(rest) };
  }
  const { type: _type, ...rest } = input;
  return { type: 'project_estimate' as const, ...(await estimateProject(ctx, rest)) };
}
