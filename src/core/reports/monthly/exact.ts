/**
 * Exact arithmetic of the report. Money is held in cents, occurrences in hundredths, and a
 * task's saving in "minute-hundredths" (minutes saved each time × occurrences in hundredths),
 * so hours = S ÷ 6000 and nothing is rounded until a figure is shown. Rounding is half away
 * from zero (half up for positive figures), once.
 */
import { divRound, fromUnits, toUnits } from '../../assessment/roi.ts';

export const cents = (s: string): bigint => toUnits(s, 2);
export const money = (c: bigint): string => fromUnits(c, 2);
export const hundredths = (s: string): bigint => toUnits(s, 2);
export const decimal2 = (v: bigint): string => fromUnits(v, 2);

/** Hours to 0.01 from a saving in minute-hundredths. */
export const hoursOf = (s: bigint): string => fromUnits(divRound(s, 60n), 2);

/** The value in cents of a saving in minute-hundredths at an hourly rate in cents: S ÷ 6000 h × rate. */
export const valueCents = (s: bigint, rateCents: bigint): bigint => divRound(s * rateCents, 6000n);

/** (value − cost) ÷ cost × 100 to 1 decimal; null without a value or a cost. */
export const roiPercent = (value: bigint | null, cost: bigint): string | null =>
  value === null || cost <= 0n ? null : fromUnits(divRound((value - cost) * 1000n, cost), 1);

/** part ÷ whole as a percent to 1 decimal; null when whole is 0. */
export const percent = (part: number, whole: number): string | null =>
  whole <= 0 ? null : fromUnits(divRound(BigInt(part) * 1000n, BigInt(whole)), 1);

/** a ÷ b to 1 decimal; null unless b is above zero. */
export const ratio1 = (a: bigint, b: bigint | null): string | null => (b === null || b <= 0n ? null : fromUnits(divRound(a * 10n, b), 1));

export { divRound, fromUnits, toUnits };
