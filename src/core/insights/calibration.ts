/** PLACEHOLDER until implemented: see types.ts for the contract. */
import type { Ctx } from '../context.ts';
import { AppError } from '../errors.ts';
import type { InsightTable } from './common.ts';
import type { CalibrationInput, CalibrationInsight } from './types.ts';

export async function calibrationInsight(_ctx: Ctx, _input: CalibrationInput): Promise<CalibrationInsight> {
  throw new AppError('UNAVAILABLE', 'not implemented yet');
}

/** The result as plain tables for the CLI's table and CSV output. */
export function calibrationTables(_r: CalibrationInsight): InsightTable[] {
  return [];
}
