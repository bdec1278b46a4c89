/** PLACEHOLDER until implemented: see types.ts for the contract. */
import type { Ctx } from '../context.ts';
import { AppError } from '../errors.ts';
import type { InsightTable } from './common.ts';
import type { DeliveryInput, DeliveryInsight } from './types.ts';

export async function deliveryInsight(_ctx: Ctx, _input: DeliveryInput): Promise<DeliveryInsight> {
  throw new AppError('UNAVAILABLE', 'not implemented yet');
}

/** The result as plain tables for the CLI's table and CSV output. */
export function deliveryTables(_r: DeliveryInsight): InsightTable[] {
  return [];
}
