/** Invoices: the status flow draft → sent → paid, cancelled (filled in by the billing work). */
import type { Ctx } from '../context.ts';
import type { Row } from '../resource.ts';

export function prepareInvoice(values: Row, _existing: Row | undefined, _ctx: Ctx): Row {
  return values;
}
