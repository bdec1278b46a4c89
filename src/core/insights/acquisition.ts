/** PLACEHOLDER until implemented: see types.ts for the contract. */
import type { Ctx } from '../context.ts';
import { AppError } from '../errors.ts';
import type { InsightTable } from './common.ts';
import type { AcquisitionInput, AcquisitionInsight } from './types.ts';

export async function acquisitionInsight(_ctx: Ctx, _input: AcquisitionInput): Promise<AcquisitionInsight> {
  throw new AppError('UNAVAILABLE', 'not implemented yet');
}

/** The result as plain tables for the CLI's table and CSV output. */
export function acquisitionTables(_r: AcquisitionInsight): InsightTable[] {
  return [];
}
