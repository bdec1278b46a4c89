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
// The modules, in dependency order (none imports this barrel):
//   capacity/arithmetic.ts    exact BigInt decimals (units of ten-thousandths)
//   capacity/coefficients.ts  defaults, the instance's stored coefficients, and their verbs
//   capacity/estimate.ts      hours per week of one engagement from the go/no-go inputs
//   capacity/rows.ts          raw SQL helpers for the two queries below (internal)
//   capacity/team.ts          team capacity from capacity rows and active engagements
//   capacity/demand.ts        open go decisions and weighted open deals
//   capacity/summary.ts       the capacity view and the go/no-go capacity comparison
export { divToCents, fmt, toUnits } from './capacity/arithmetic.ts';
export * from './capacity/coefficients.ts';
export * from './capacity/estimate.ts';
export * from './capacity/team.ts';
export * from './capacity/demand.ts';
export * from './capacity/summary.ts';
