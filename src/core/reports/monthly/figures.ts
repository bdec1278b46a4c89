/** Value, cost and ROI month by month, shared by the monthly report and the portfolio. */
import type { Month, RateSource } from '../rules.ts';
import { monthCost, type Converter, type CostSource, type MonthCost } from './costs.ts';
import { cents, money, roiPercent, valueCents } from './exact.ts';

export type RateChoice = { rate: string | null; cents: bigint | null; source: RateSource };

/** The value of an hour saved: the report's input, else the engagement's, else the setting; else none. */
export function chooseRate(input: string | undefined, engagement: string | null, setting: string | null): RateChoice {
  const pick = (v: string, source: RateSource): RateChoice => {
    const c = cents(v);
    return { rate: money(c), cents: c, source };
  };
  if (input !== undefined) return pick(input, 'input');
  if (engagement !== null) return pick(engagement, 'engagement');
  if (setting !== null) return pick(setting, 'setting');
  return { rate: null, cents: null, source: 'none' };
}

export type MonthFigure = {
  month: Month;
  /** The month's saving in minute-hundredths. */
  s: bigint;
  /** Cents; null without an hourly rate. */
  value: bigint | null;
  cost: MonthCost;
  roi_percent: string | null;
};

/** The figures of each month, given each month's saving (in the same order as the months). */
export function monthFigures(months: readonly Month[], savings: readonly bigint[], costs: readonly CostSource[], convert: Converter, rate: bigint | null): MonthFigure[] {
  return months.map((month, k) => {
    const s = savings[k] ?? 0n;
    const value = rate === null ? null : valueCents(s, rate);
    const cost = monthCost(costs, month, convert);
    return { month, s, value, cost, roi_percent: roiPercent(value, cost.total) };
  });
}

export type Cumulative = { value: bigint | null; cost: bigint; paid_back_month: Month | null };

/** Running totals of the months' (rounded) values and costs, and the first month they met. */
export function cumulative(figures: readonly MonthFigure[]): Cumulative {
  let value: bigint | null = 0n;
  let cost = 0n;
  let paidBack: Month | null = null;
  for (const f of figures) {
    value = value === null || f.value === null ? null : value + f.value;
    cost += f.cost.total;
    if (paidBack === null && value !== null && cost > 0n && value >= cost) paidBack = f.month;
  }
  return { value, cost, paid_back_month: paidBack };
}
