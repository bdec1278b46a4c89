/**
 * Hours of one engagement, from the go/no-go inputs:
 *   base_hours_per_week + novel_mcps × hours_per_novel_mcp + novel_skills × hours_per_novel_skill
 *   + employee_count × hours_per_employee.
 */
import { fmt, fmtCoefficient, toUnits } from './arithmetic.ts';
import type { Coefficients } from './coefficients.ts';

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
