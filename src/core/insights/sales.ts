/** PLACEHOLDER until implemented: see types.ts for the contract. */
import type { Ctx } from '../context.ts';
import { AppError } from '../errors.ts';
import type { InsightTable } from './common.ts';
import type { SalesInput, SalesInsight } from './types.ts';

export async function salesInsight(_ctx: Ctx, _input: SalesInput): Promise<SalesInsight> {
  throw new AppError('UNAVAILABLE', 'not implemented yet');
}

/** The result as plain tables for the CLI's table and CSV output. */
export function salesTables(_r: SalesInsight): InsightTable[] {
  return [];
}
