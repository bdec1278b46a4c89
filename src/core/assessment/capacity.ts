/**
 * Our team's capacity (seed 000 `capacity`) against the work we have promised or may win:
 * the numbers behind the go/no-go capacity check (step 7) and "can we take this on?".
 *
 * Hours are exact decimals: every sum and product runs on integers (ten-thousandths of an
 * hour, BigInt) and is rounded once, half away from zero, to the two decimals the
 * `numeric(8,2)` hour columns hold. No float ever touches an hour or an amount.
 *
 * THE RULES (the seed fixes none of them; these are ours):
 *
 * Estimated hours per week of an engagement (go/no-go `estimated_hours_per_week`):
 *   base_hours_per_week + novel_mcps × hours_per_novel_mcp + novel_skills × hours_per_novel_skill
 *   + employee_count × hours_per_employee.
 *
 * Allocated hours of a team member (a `capacity` row), from the engagements in delivery:
 *   - an engagement is ACTIVE when its status is an engagement stage that is neither won nor lost
 *     (completed, cancelled) and is not `paused` (a paused engagement holds no hours);
 *   - an active engagement needs, per week: the `estimated_hours_per_week` of the go decision it
 *     came from (engagement → proposal → go_no_go_decisions); else its `estimated_hours` spread
 *     evenly over start_date..end_date (hours × 7 / days); else it has no estimate (0 h, listed);
 *   - its hours belong to the member whose capacity row names the engagement's `assigned_to`
 *     user (`capacity.user_id`); otherwise they are the team's unassigned hours;
 *   - a member with at least one such engagement is allocated the sum of their hours (source
 *     `engagements`); a member without one keeps the hand-entered `allocated_hours_per_week`
 *     (source `recorded`: commitments the system does not know as engagements).
 *   Available = total − allocated per member (negative when over-allocated); the team's
 *   available hours = Σ member available − unassigned engagement hours.
 *
 * Demand not yet in delivery:
 *   - an OPEN GO DECISION is a company's most recent `go` decision (by decision_date, then when
 *     it was recorded; an older go of a company decided again does not count twice), with the
 *     company at `go` or `proposal_sent` and no engagement created from a proposal of that
 *     decision; it needs its `estimated_hours_per_week`;
 *   - an OPEN DEAL is one whose stage is neither won nor lost; it needs
 *     value × probability % ÷ 1,000 × deal_hours_per_1000_value hours per week (probability:
 *     the deal's own, else its stage's). A deal of a company that has an open go decision is
 *     already counted through that decision and adds nothing. The coefficient applies to the
 *     deal's value in its own currency.
 *
 * Free hours: after go decisions = team available − open go decision hours; after pipeline =
 * that − weighted deal hours. A new piece of work "fits" when its hours ≤ the free hours.
 *
 * The coefficients are configuration: DECISION_COEFFICIENTS are the defaults, an administrator
 * overrides them for the instance (stored in the `settings` table under
 * `assessment_coefficients`), and a single calculation may override them again (what-if).
 */
import { eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import { settings } from '../../db/schema/platform.ts';
import { localDate, withTx, type Ctx } from '../context.ts';
import { invalid, parseInput } from '../errors.ts';
import { actingUserId } from '../identity/roles.ts';
import { diff, writeAudit } from '../platform/audit.ts';
import { visibilityScope, visibleCondition } from '../platform/visibility.ts';
import { resource } from '../resources.ts';

// ---------------------------------------------------------------------------
// Exact decimals: a value is a BigInt count of ten-thousandths.

const SCALE = 10_000n;
const DECIMAL = /^(\d{1,12})(?:\.(\d{1,4}))?$/;

/** `"12.5"` → 125000n. Only non-negative decimals with at most 4 places (hours, money, coefficients). */
export function toUnits(v: string | number | null | undefined): bigint {
  if (v === null || v === undefined) return 0n;
  const s = typeof v === 'number' ? String(v) : v.trim();
  const m = DECIMAL.exec(s);
  if (!m) throw new Error(`not a non-negative decimal: ${s}`);
  return BigInt(m[1]!) * SCALE + BigInt((m[2] ?? '').padEnd(4, '0'));
}

/** a ÷ b rounded half away from zero. */
function divRound(a: bigint, b: bigint): bigint {
  const neg = a < 0n !== b < 0n;
  const x = a < 0n ? -a : a;
  const y = b < 0n ? -b : b;
  const q = (x + y / 2n) / y;
  return neg ? -q : q;
}

/** n ÷ d rounded once, half away from zero, to two decimals (in units): no double rounding. */
export const divToCents = (n: bigint, d: bigint): bigint => divRound(n, d * 100n) * 100n;

/** Units → `"12.50"` (two decimals, rounded half away from zero). */
export function fmt(u: bigint): string {
  const cents = divRound(u, 100n);
  const neg = cents < 0n;
  const a = neg ? -cents : cents;
  return `${neg ? '-' : ''}${a / 100n}.${String(a % 100n).padStart(2, '0')}`;
}

/** Units of a coefficient as written (`"0.1"` → `"0.10"`, keeps up to 4 places). */
function fmtCoefficient(u: bigint): string {
  const whole = u / SCALE;
  let frac = String(u % SCALE).padStart(4, '0');
  while (frac.length > 2 && frac.endsWith('0')) frac = frac.slice(0, -1);
  return `${whole}.${frac}`;
}

const maxOf = (a: bigint, b: bigint) => (a > b ? a : b);

// ---------------------------------------------------------------------------
// Coefficients

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

// ---------------------------------------------------------------------------
// Hours of one engagement, from the go/no-go inputs

export type HoursInputs = { novel_mcps: number; novel_skills: number; employee_count: number };

export type HoursEstimate = {
  hours_per_week: string;
  /** The sum written out, e.g. `0.00 + 2 × 1.50 + 3 × 0.75 + 12 × 0.10 = 6.45`. */
  arithmetic: string;
  terms: { base: string; mcps: string; skills: string; employees: string };
  inputs: HoursInputs;
};

export function estimateHours(inputs: HoursInputs, c: Coefficients): HoursEstimate {
  const base = toUnits(c.base_hours_per_week);
  const mcps = BigInt(inputs.novel_mcps) * toUnits(c.hours_per_novel_mcp);
  const skills = BigInt(inputs.novel_skills) * toUnits(c.hours_per_novel_skill);
  const employees = BigInt(inputs.employee_count) * toUnits(c.hours_per_employee);
  const total = base + mcps + skills + employees;
  const f = (u: bigint) => fmtCoefficient(u);
  return {
    hours_per_week: fmt(total),
    arithmetic: `${f(base)} + ${inputs.novel_mcps} × ${f(toUnits(c.hours_per_novel_mcp))} + ${inputs.novel_skills} × ${f(toUnits(c.hours_per_novel_skill))} + ${inputs.employee_count} × ${f(toUnits(c.hours_per_employee))} = ${fmt(total)}`,
    terms: { base: fmt(base), mcps: fmt(mcps), skills: fmt(skills), employees: fmt(employees) },
    inputs,
  };
}

// ---------------------------------------------------------------------------
// The team and what it has committed

type Raw = Record<string, unknown>;
const rowsOf = async (ctx: Ctx, q: ReturnType<typeof sql>) => ((await ctx.db.execute(q)) as unknown as { rows: Raw[] }).rows;
const str = (v: unknown) => (v === null || v === undefined ? null : String(v));
const dayNumber = (iso: string) => Math.round(Date.parse(`${iso}T00:00:00Z`) / 86_400_000);

export type MemberCapacity = {
  id: string;
  team_member: string;
  role: string | null;
  user_id: string | null;
  total_hours_per_week: string;
  recorded_allocated_hours_per_week: string;
  engagement_hours_per_week: string;
  allocated_hours_per_week: string;
  allocation_source: 'engagements' | 'recorded';
  available_hours_per_week: string;
  over_allocated: boolean;
  engagements: number;
};

export type EngagementLoad = {
  id: string;
  name: string | null;
  company_id: string;
  status: string;
  assigned_to: string | null;
  member_id: string | null;
  hours_per_week: string | null;
  source: 'go_decision' | 'estimated_hours' | null;
  /** How the hours were found, written out. */
  basis: string;
};

export type TeamCapacity = {
  members: MemberCapacity[];
  total_hours_per_week: string;
  allocated_hours_per_week: string;
  unassigned_engagement_hours_per_week: string;
  available_hours_per_week: string;
  active_engagements: {
    items: EngagementLoad[];
    hours_per_week: string;
    without_estimate: number;
    not_visible: { count: number; hours_per_week: string };
  };
  /** Units, for further arithmetic. */
  availableUnits: bigint;
};

/** Whether `alias` (a row of `res`) is visible to the caller, as a boolean column. */
async function visibleColumn(ctx: Ctx, resourceName: string, alias: string) {
  const cond = visibleCondition(resource(resourceName), await visibilityScope(ctx), alias);
  return cond ?? sql`true`;
}

export async function teamCapacity(ctx: Ctx): Promise<TeamCapacity> {
  const members = await rowsOf(
    ctx,
    sql`select id, team_member, role, user_id, total_hours_per_week::text as total, allocated_hours_per_week::text as allocated
        from capacity where archived_at is null order by lower(team_member), id`,
  );
  const engagements = await rowsOf(
    ctx,
    sql`select e.id, e.name, e.company_id, e.status, e.assigned_to, e.estimated_hours::text as estimated_hours,
               e.start_date::text as start_date, e.end_date::text as end_date,
               d.id as decision_id, d.estimated_hours_per_week::text as decision_hours,
               ${await visibleColumn(ctx, 'engagements', 'e')} as visible
        from engagements e
        left join pipeline_stages ps on ps.pipeline = 'engagement' and ps.key = e.status and ps.archived_at is null
        left join proposals p on p.id = e.proposal_id
        left join go_no_go_decisions d on d.id = p.go_no_go_id
        where e.archived_at is null and e.status <> 'paused'
          and not coalesce(ps.is_won, false) and not coalesce(ps.is_lost, false)
        order by e.created_at, e.id`,
  );
  const memberByUser = new Map<string, Raw>();
  for (const m of members) if (m.user_id) memberByUser.set(String(m.user_id), m);

  const loads: (EngagementLoad & { units: bigint; visible: boolean })[] = engagements.map((e) => {
    let units: bigint | null = null;
    let source: EngagementLoad['source'] = null;
    let basis = 'no estimate: no go decision with estimated_hours_per_week, and no estimated_hours with start and end dates';
    if (e.decision_hours !== null && e.decision_hours !== undefined) {
      units = toUnits(String(e.decision_hours));
      source = 'go_decision';
      basis = `estimated_hours_per_week ${fmt(units)} of go decision ${String(e.decision_id)}`;
    } else if (e.estimated_hours && e.start_date && e.end_date) {
      const days = dayNumber(String(e.end_date)) - dayNumber(String(e.start_date));
      if (days > 0) {
        units = divToCents(toUnits(String(e.estimated_hours)) * 7n, BigInt(days));
        source = 'estimated_hours';
        basis = `${fmt(toUnits(String(e.estimated_hours)))} h × 7 ÷ ${days} days (${String(e.start_date)} to ${String(e.end_date)}) = ${fmt(units)}`;
      }
    }
    const member = e.assigned_to ? memberByUser.get(String(e.assigned_to)) : undefined;
    return {
      id: String(e.id),
      name: str(e.name),
      company_id: String(e.company_id),
      status: String(e.status),
      assigned_to: str(e.assigned_to),
      member_id: member ? String(member.id) : null,
      hours_per_week: units === null ? null : fmt(units),
      source,
      basis,
      units: units ?? 0n,
      visible: e.visible === true || e.visible === 't',
    };
  });

  let total = 0n;
  let allocated = 0n;
  let available = 0n;
  const out: MemberCapacity[] = members.map((m) => {
    const mine = loads.filter((l) => l.member_id === String(m.id) && l.source !== null);
    const engagementUnits = mine.reduce((s, l) => s + l.units, 0n);
    const recorded = toUnits(String(m.allocated));
    const fromEngagements = mine.length > 0;
    const alloc = fromEngagements ? engagementUnits : recorded;
    const t = toUnits(String(m.total));
    total += t;
    allocated += alloc;
    available += t - alloc;
    return {
      id: String(m.id),
      team_member: String(m.team_member),
      role: str(m.role),
      user_id: str(m.user_id),
      total_hours_per_week: fmt(t),
      recorded_allocated_hours_per_week: fmt(recorded),
      engagement_hours_per_week: fmt(engagementUnits),
      allocated_hours_per_week: fmt(alloc),
      allocation_source: fromEngagements ? 'engagements' : 'recorded',
      available_hours_per_week: fmt(t - alloc),
      over_allocated: alloc > t,
      engagements: mine.length,
    };
  });
  const unassigned = loads.filter((l) => l.member_id === null).reduce((s, l) => s + l.units, 0n);
  const teamAvailable = available - unassigned;
  const hidden = loads.filter((l) => !l.visible);
  return {
    members: out,
    total_hours_per_week: fmt(total),
    allocated_hours_per_week: fmt(allocated),
    unassigned_engagement_hours_per_week: fmt(unassigned),
    available_hours_per_week: fmt(teamAvailable),
    active_engagements: {
      items: loads.filter((l) => l.visible).map(({ units: _u, visible: _v, ...l }) => l),
      hours_per_week: fmt(loads.reduce((s, l) => s + l.units, 0n)),
      without_estimate: loads.filter((l) => l.source === null).length,
      not_visible: { count: hidden.length, hours_per_week: fmt(hidden.reduce((s, l) => s + l.units, 0n)) },
    },
    availableUnits: teamAvailable,
  };
}

// ---------------------------------------------------------------------------
// Demand: open go decisions and weighted open deals

export type OpenDecision = {
  id: string;
  company_id: string;
  company_name: string;
  company_status: string;
  decision_date: string | null;
  hours_per_week: string;
  has_estimate: boolean;
};

export type WeightedDeal = {
  id: string;
  name: string;
  company_id: string | null;
  stage: string;
  value: string | null;
  currency: string;
  probability: number;
  weighted_value: string;
  hours_per_week: string;
  /** True when the deal's company has an open go decision, whose hours already count. */
  counted_via_go_decision: boolean;
  arithmetic: string;
};

export type Demand = {
  open_go_decisions: { items: OpenDecision[]; hours_per_week: string; not_visible: { count: number; hours_per_week: string } };
  weighted_deals: { items: WeightedDeal[]; hours_per_week: string; not_visible: { count: number; hours_per_week: string } };
  total_hours_per_week: string;
  goUnits: bigint;
  dealUnits: bigint;
};

/** What open go decisions and open deals would need; a company named in `excludeCompany` is left out (the one being decided). */
export async function demand(ctx: Ctx, c: Coefficients, excludeCompany?: string): Promise<Demand> {
  const exclude = excludeCompany ? sql`and d.company_id <> ${excludeCompany}::uuid` : sql``;
  const decisions = await rowsOf(
    ctx,
    sql`select d.id, d.company_id, co.name as company_name, co.status as company_status,
               d.decision_date::text as decision_date, d.estimated_hours_per_week::text as hours,
               ${await visibleColumn(ctx, 'go_no_go_decisions', 'd')} as visible
        from go_no_go_decisions d
        join companies co on co.id = d.company_id
        where d.decision = 'go' and d.archived_at is null and co.archived_at is null
          and co.status in ('go', 'proposal_sent') ${exclude}
          and not exists (
            select 1 from go_no_go_decisions d2
            where d2.company_id = d.company_id and d2.archived_at is null and d2.decision = 'go'
              and (coalesce(d2.decision_date, '-infinity'::date), d2.created_at, d2.id)
                > (coalesce(d.decision_date, '-infinity'::date), d.created_at, d.id))
          and not exists (
            select 1 from engagements e join proposals p on p.id = e.proposal_id
            where p.go_no_go_id = d.id and e.archived_at is null)
        order by d.decision_date nulls last, d.created_at, d.id`,
  );
  const goCompanies = new Set(decisions.map((d) => String(d.company_id)));
  let goUnits = 0n;
  let goHidden = 0n;
  const goItems: OpenDecision[] = [];
  let goHiddenCount = 0;
  for (const d of decisions) {
    const u = d.hours === null || d.hours === undefined ? 0n : toUnits(String(d.hours));
    goUnits += u;
    if (d.visible === true || d.visible === 't') {
      goItems.push({
        id: String(d.id),
        company_id: String(d.company_id),
        company_name: String(d.company_name),
        company_status: String(d.company_status),
        decision_date: str(d.decision_date),
        hours_per_week: fmt(u),
        has_estimate: d.hours !== null && d.hours !== undefined,
      });
    } else {
      goHidden += u;
      goHiddenCount += 1;
    }
  }

  const deals = await rowsOf(
    ctx,
    sql`select dl.id, dl.name, dl.company_id, dl.stage, dl.value::text as value, dl.currency,
               coalesce(dl.probability, ps.probability, 0) as probability,
               ${await visibleColumn(ctx, 'deals', 'dl')} as visible
        from deals dl
        left join pipeline_stages ps on ps.pipeline = 'deal' and ps.key = dl.stage and ps.archived_at is null
        where dl.archived_at is null and not coalesce(ps.is_won, false) and not coalesce(ps.is_lost, false)
        order by dl.created_at, dl.id`,
  );
  const perThousand = toUnits(c.deal_hours_per_1000_value);
  let dealUnits = 0n;
  let dealHidden = 0n;
  let dealHiddenCount = 0;
  const dealItems: WeightedDeal[] = [];
  for (const d of deals) {
    const value = d.value === null || d.value === undefined ? 0n : toUnits(String(d.value));
    const p = BigInt(Number(d.probability));
    const weighted = divToCents(value * p, 100n);
    const counted = d.company_id !== null && goCompanies.has(String(d.company_id));
    // value × p/100 ÷ 1000 × coefficient, rounded once.
    const hours = counted ? 0n : divToCents(value * p * perThousand, 100n * 1000n * SCALE);
    dealUnits += hours;
    if (d.visible === true || d.visible === 't') {
      dealItems.push({
        id: String(d.id),
        name: String(d.name),
        company_id: str(d.company_id),
        stage: String(d.stage),
        value: d.value === null || d.value === undefined ? null : fmt(value),
        currency: String(d.currency),
        probability: Number(d.probability),
        weighted_value: fmt(weighted),
        hours_per_week: fmt(hours),
        counted_via_go_decision: counted,
        arithmetic: counted
          ? 'counted through the open go decision of its company'
          : `${fmt(value)} × ${Number(d.probability)}% = ${fmt(weighted)}; ${fmt(weighted)} ÷ 1000 × ${fmtCoefficient(perThousand)} = ${fmt(hours)}`,
      });
    } else {
      dealHidden += hours;
      dealHiddenCount += 1;
    }
  }
  return {
    open_go_decisions: { items: goItems, hours_per_week: fmt(goUnits), not_visible: { count: goHiddenCount, hours_per_week: fmt(goHidden) } },
    weighted_deals: { items: dealItems, hours_per_week: fmt(dealUnits), not_visible: { count: dealHiddenCount, hours_per_week: fmt(dealHidden) } },
    total_hours_per_week: fmt(goUnits + dealUnits),
    goUnits,
    dealUnits,
  };
}

// ---------------------------------------------------------------------------
// The capacity view and "can we take this on?"

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
