/** PLACEHOLDER until implemented: see types.ts for the contract. */
import type { Ctx } from '../context.ts';
import { AppError } from '../errors.ts';
import type { InsightTable } from './common.ts';
import type { AggregateInput, AggregateResult } from './types.ts';

export async function aggregateInsight(_ctx: Ctx, _input: AggregateInput): Promise<AggregateResult> {
  throw new AppError('UNAVAILABLE', 'not implemented yet');
}

/** The result as plain tables for the CLI's table and CSV output. */
export function aggregateTables(_r: AggregateResult): InsightTable[] {
  return [];
}
