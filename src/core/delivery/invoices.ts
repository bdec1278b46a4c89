/**
 * Invoices (seed 002): the status flow and the send / pay / cancel verbs. The rules live in
 * `prepareInvoice`, the invoices resource's `prepare`, so the generic create and PATCH obey
 * them as the verbs do.
 *
 *   draft ──▶ sent | cancelled
 *   sent ──▶ paid | cancelled
 *   paid, cancelled: final (a correction is a new invoice).
 *
 * - `overdue` is never stored: an invoice is overdue while it is `sent` and its due_date is
 *   before today (in the instance's time zone); `invoiceStanding` derives it.
 * - Becoming `sent` needs an issue_date (default today) and a due_date (default issue_date +
 *   PAYMENT_TERMS_DAYS = 14 days); a date already on the draft is kept. due_date ≥ issue_date.
 * - Becoming `paid` stamps paid_date (default today; not before issue_date). Only a paid
 *   invoice has a paid_date. A date after the server's today is accepted: the payer's calendar
 *   may already be a day ahead.
 * - Once an invoice has left `draft`, what was billed is fixed: company, engagement, type,
 *   amounts, currency and issue_date can no longer change (cancel it and issue a new one).
 *   The due date, payment method and notes stay editable.
 * - A new invoice may start in any status (imports); one created sent or paid gets the same
 *   defaults and checks.
 * - A refused move is a 409 with a field error on `status` naming the allowed moves.
 */
import { z } from 'zod';
import { INVOICE_STATUSES } from '../../db/schema/delivery.ts';
import { localDate, withTx, type Ctx } from '../context.ts';
import { addDays, daysBetween } from '../dates.ts';
import { invalid, notFound, type FieldError } from '../errors.ts';
import { toUnits } from '../assessment/roi.ts';
import { applyUpdate, fetchRow, type Row } from '../resource.ts';
import { resource } from '../resources.ts';
import { assertMove } from './tickets.ts';

export type InvoiceStatus = (typeof INVOICE_STATUSES)[number];

// Function declarations and values read only when called: resources.ts imports this module
// for prepareInvoice, so it may run before this module has finished loading.

/** Where an invoice may go from each status. */
export const INVOICE_MOVES: Record<InvoiceStatus, readonly InvoiceStatus[]> = {
  draft: ['sent', 'cancelled'],
  sent: ['paid', 'cancelled'],
  paid: [],
  cancelled: [],
};

/** Days from issue to due when a sent invoice names no due_date. */
export const PAYMENT_TERMS_DAYS = 14;

/** What was billed: fixed once the invoice has left draft. */
const BILLED = ['company_id', 'engagement_id', 'invoice_type', 'amount', 'amount_usd', 'currency', 'issue_date'] as const;
const MONEY = new Set(['amount', 'amount_usd']);

const given = (values: Row, key: string) => key in values && values[key] !== undefined;
const str = (v: unknown) => (v === null || v === undefined ? null : String(v));

function sameBilled(key: string, a: unknown, b: unknown): boolean {
  if (a === null || a === undefined || b === null || b === undefined) return (a ?? null) === (b ?? null);
  return MONEY.has(key) ? toUnits(String(a), 2) === toUnits(String(b), 2) : String(a) === String(b);
}

/** The invoices resource's `prepare`: the status flow and its dates on every write path. */
export function prepareInvoice(values: Row, existing: Row | undefined, ctx: Ctx): Row {
  const from = existing ? (existing.status as InvoiceStatus) : undefined;
  const to = ((values.status as InvoiceStatus | undefined) ?? from ?? 'draft') as InvoiceStatus;
  if (from && given(values, 'status')) assertMove('an invoice', INVOICE_MOVES, from, to, true);
  const errors: FieldError[] = [];
  if (existing && from !== 'draft') {
    for (const key of BILLED) {
      if (given(values, key) && !sameBilled(key, values[key], existing[key])) {
        errors.push({ field: key, message: `cannot change once the invoice is ${String(from)}; cancel it and issue a new one` });
      }
    }
  }
  const out: Row = { ...values };
  const today = localDate(ctx);
  const current = (key: string) => str(given(values, key) ? values[key] : existing?.[key]);
  let issue = current('issue_date');
  let due = current('due_date');
  if (to === 'sent' || to === 'paid') {
    if (issue === null) {
      if (given(values, 'issue_date')) errors.push({ field: 'issue_date', message: `is required on a ${to} invoice` });
      else out.issue_date = issue = today;
    }
    if (due === null && issue !== null) {
      if (given(values, 'due_date')) errors.push({ field: 'due_date', message: `is required on a ${to} invoice` });
      else out.due_date = due = addDays(issue, PAYMENT_TERMS_DAYS);
    }
  }
  if (issue !== null && due !== null && due < issue && (given(values, 'due_date') || given(values, 'issue_date') || to !== from)) {
    errors.push({ field: given(values, 'due_date') ? 'due_date' : 'issue_date', message: `due_date (${due}) must not be before issue_date (${issue})` });
  }
  if (to === 'paid') {
    const paid = current('paid_date') ?? today;
    if (given(values, 'paid_date') && values.paid_date === null) errors.push({ field: 'paid_date', message: 'is required on a paid invoice' });
    else {
      if (issue !== null && paid < issue) errors.push({ field: 'paid_date', message: `must not be before issue_date (${issue})` });
      if (!given(values, 'paid_date') && current('paid_date') === null) out.paid_date = paid;
    }
  } else if (given(values, 'paid_date') && values.paid_date !== null) {
    errors.push({ field: 'paid_date', message: `is set when the invoice is paid; this one is ${to}` });
  }
  if (errors.length) throw invalid(errors);
  return out;
}

/** The derived standing: `overdue` while sent and past due (never stored), with the days overdue. */
export function invoiceStanding(invoice: Row, today: string) {
  const due = str(invoice.due_date);
  const overdue = invoice.status === 'sent' && due !== null && due < today;
  return {
    display_status: overdue ? 'overdue' : String(invoice.status),
    overdue,
    days_overdue: overdue ? daysBetween(due!, today) : null,
  };
}

// ---------------------------------------------------------------------------
// Verbs

const invoicesRes = () => resource('invoices');
const id = z.uuid({ message: 'must be a UUID' });
const isoDate = z.iso.date({ message: 'must be a real calendar date as YYYY-MM-DD' });
const version = z.int().min(1).optional().describe('refuse (412) if the invoice changed since this version');

export const SendInvoiceInput = z.strictObject({
  id,
  issue_date: isoDate.optional().describe("default: the draft's issue_date, else today"),
  due_date: isoDate.optional().describe(`default: the draft's due_date, else issue_date + ${PAYMENT_TERMS_DAYS} days`),
  expected_version: version,
});
export const PayInvoiceInput = z.strictObject({
  id,
  paid_date: isoDate.optional().describe('default today; not before issue_date'),
  payment_method: z.string().trim().min(1, 'must not be empty').max(100).optional().describe('bank_transfer, credit_card, …'),
  expected_version: version,
});
export const CancelInvoiceInput = z.strictObject({
  id,
  reason: z.string().trim().min(1, 'is required: say why it is cancelled').max(5_000).describe('added to the notes'),
  expected_version: version,
});

async function lockInvoice(ctx: Ctx, invoiceId: string): Promise<Row> {
  const i = await fetchRow(ctx, invoicesRes(), invoiceId, true);
  if (!i || i.archived_at !== null) throw notFound('invoice', invoiceId);
  return i;
}

const opts = (operation: string, v: number | undefined) => ({ operation, ...(v !== undefined ? { expectedVersion: v } : {}) });

async function move(ctx: Ctx, invoiceId: string, to: InvoiceStatus, changes: (current: Row) => Row, operation: string, v: number | undefined) {
  return withTx(ctx, async (tx) => {
    const current = await lockInvoice(tx, invoiceId);
    assertMove('an invoice', INVOICE_MOVES, String(current.status), to);
    const invoice = await applyUpdate(tx, invoicesRes(), invoiceId, { ...changes(current), status: to }, opts(operation, v));
    return { invoice, ...invoiceStanding(invoice, localDate(tx)) };
  });
}

/** draft → sent, with its issue and due dates. */
export function sendInvoice(ctx: Ctx, input: z.infer<typeof SendInvoiceInput>) {
  const changes: Row = {};
  if (input.issue_date !== undefined) changes.issue_date = input.issue_date;
  if (input.due_date !== undefined) changes.due_date = input.due_date;
  return move(ctx, input.id, 'sent', () => changes, 'billing.send_invoice', input.expected_version);
}

/** sent → paid, on paid_date (default today). */
export function payInvoice(ctx: Ctx, input: z.infer<typeof PayInvoiceInput>) {
  const changes: Row = {};
  if (input.paid_date !== undefined) changes.paid_date = input.paid_date;
  if (input.payment_method !== undefined) changes.payment_method = input.payment_method;
  return move(ctx, input.id, 'paid', () => changes, 'billing.pay_invoice', input.expected_version);
}

/** draft or sent → cancelled; the reason goes to the notes. */
export function cancelInvoice(ctx: Ctx, input: z.infer<typeof CancelInvoiceInput>) {
  return move(
    ctx,
    input.id,
    'cancelled',
    (current) => {
      const line = `Cancelled ${localDate(ctx)}: ${input.reason}`;
      const notes = typeof current.notes === 'string' && current.notes.trim() !== '' ? `${current.notes}\n${line}` : line;
      return { notes };
    },
    'billing.cancel_invoice',
    input.expected_version,
  );
}
