/** Support tickets: the status flow and resolution stamps (filled in by the delivery work). */
import type { Ctx } from '../context.ts';
import type { Row } from '../resource.ts';

export function prepareTicket(values: Row, _existing: Row | undefined, _ctx: Ctx): Row {
  return values;
}
