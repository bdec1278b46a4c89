/** PLACEHOLDER until implemented: see types.ts for the contract. */
import type { Ctx } from '../context.ts';
import { AppError } from '../errors.ts';
import type { InsightTable } from './common.ts';
import type { FunnelInput, FunnelInsight } from './types.ts';

export async function funnelInsight(_ctx: Ctx, _input: FunnelInput): Promise<FunnelInsight> {
  throw new AppError('UNAVAILABLE', 'not implemented yet');
}

/** The result as plain tables for the CLI's table and CSV output. */
export function funnelTables(_r: FunnelInsight): InsightTable[] {
  return [];
}
