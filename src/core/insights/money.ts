/** PLACEHOLDER until implemented: see types.ts for the contract. */
import type { Ctx } from '../context.ts';
import { AppError } from '../errors.ts';
import type { InsightTable } from './common.ts';
import type { MoneyInput, MoneyInsight } from './types.ts';

export async function moneyInsight(_ctx: Ctx, _input: MoneyInput): Promise<MoneyInsight> {
  throw new AppError('UNAVAILABLE', 'not implemented yet');
}

/** The result as plain tables for the CLI's table and CSV output. */
export function moneyTables(_r: MoneyInsight): InsightTable[] {
  return [];
}
