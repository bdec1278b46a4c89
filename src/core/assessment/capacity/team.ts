/**
 * The team and what it has committed: allocated hours of each team member (a `capacity` row),
 * from the engagements in delivery:
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
 */
import { sql } from 'drizzle-orm';
import type { Ctx } from '../../context.ts';
import { divToCents, fmt, toUnits } from './arithmetic.ts';
import { rowsOf, str, visibleColumn, type Raw } from './rows.ts';

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
