/**
 * The email outbox (seed 001 EmailQueue). A verb that causes an email queues it with
 * `enqueueEmail` in its own transaction, so the mail exists exactly when the change does;
 * the worker's email drain sends it later (src/worker/email-drain.ts). Addresses, display
 * names and subjects carrying line breaks or other control characters are refused here,
 * so no header can be smuggled into a message.
 */
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { EMAIL_TEMPLATES, email_queue, type EmailTemplate } from '../../db/schema/comms.ts';
import { withTx, type Ctx } from '../context.ts';
import { invalid, type FieldError } from '../errors.ts';
import { parseTemplateData, renderEmail } from './email-templates.ts';

export { EMAIL_TEMPLATES, type EmailTemplate };

/** At most this many recipients per email. */
export const MAX_RECIPIENTS = 50;

export type EnqueueEmailInput = {
  to: string[];
  template: EmailTemplate;
  data: Record<string, unknown>;
  /** Replaces the template's subject. */
  subject?: string;
  /** The same key queues one email, however often it is given (e.g. `digest:<user>:<day>`). */
  idempotencyKey?: string;
  /** Marketing mail: the drain sends it only while every recipient's consent is in force (core/privacy/consent.ts). */
  purpose?: 'marketing_email';
};

/** Line breaks, NUL, DEL, C1 controls and the Unicode line and paragraph separators. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

const emailAddress = z.email();

export type MailAddress = { name?: string; address: string };

/**
 * A recipient as `address` or `Name <address>` (the name optionally in double quotes). Answers
 * the parts, or why it is refused. The name may not hold quotes or angle brackets; it is
 * encoded by the sender, never pasted into a header.
 */
export function parseAddress(raw: string): MailAddress | string {
  if (typeof raw !== 'string') return 'must be a string';
  if (CONTROL.test(raw)) return 'must not contain line breaks or other control characters';
  if (raw.length > 520) return 'is too long';
  const named = /^\s*(?:"([^"]*)"|([^"<>]*?))\s*<([^<>\s]+)>\s*$/.exec(raw);
  const name = named ? (named[1] ?? named[2] ?? '').trim() : '';
  const address = named ? named[3]! : raw.trim();
  if (!named && /[<>"\s]/.test(address)) return 'must be an email address, or a name and an address as Name <address>';
  if (name.length > 200) return 'has a name longer than 200 characters';
  if (address.length > 320 || !emailAddress.safeParse(address).success) return 'is not a valid email address';
  return name ? { name, address } : { address };
}

/** `Name <address>` for a user or contact, leaving out a name that could not be sent safely. */
export function formatAddress(name: string | null | undefined, address: string): string {
  const n = (name ?? '').trim();
  if (!n || n.length > 200 || CONTROL.test(n) || /[<>"]/.test(n)) return address;
  return `${n} <${address}>`;
}

const formatParsed = (a: MailAddress) => (a.name ? `"${a.name}" <${a.address}>` : a.address);

/**
 * Queues an email in the caller's transaction (or its own when there is none). Answers the
 * queue row's id, and `queued: false` with the first id when the idempotency key was used.
 * The template's data is checked now: bad data is a VALIDATION error naming the field.
 */
export async function enqueueEmail(ctx: Ctx, input: EnqueueEmailInput): Promise<{ id: string; queued: boolean }> {
  const fields: FieldError[] = [];
  if (!(EMAIL_TEMPLATES as readonly string[]).includes(input.template)) {
    fields.push({ field: 'template', message: `must be one of ${EMAIL_TEMPLATES.join(', ')}` });
  }
  const to: string[] = [];
  if (!Array.isArray(input.to) || input.to.length === 0) fields.push({ field: 'to', message: 'needs at least one address' });
  else if (input.to.length > MAX_RECIPIENTS) fields.push({ field: 'to', message: `has more than ${MAX_RECIPIENTS} addresses` });
  else {
    input.to.forEach((raw, i) => {
      const a = parseAddress(raw);
      if (typeof a === 'string') fields.push({ field: `to.${i}`, message: a });
      else to.push(formatParsed(a));
    });
  }
  if (input.subject !== undefined) {
    if (typeof input.subject !== 'string' || !input.subject.trim()) fields.push({ field: 'subject', message: 'must not be empty' });
    else if (CONTROL.test(input.subject)) fields.push({ field: 'subject', message: 'must be one line without control characters' });
    else if (input.subject.trim().length > 200) fields.push({ field: 'subject', message: 'must be at most 200 characters' });
  }
  const key = input.idempotencyKey;
  if (key !== undefined && (typeof key !== 'string' || key.length < 1 || key.length > 200 || CONTROL.test(key))) {
    fields.push({ field: 'idempotencyKey', message: 'must be 1 to 200 characters without control characters' });
  }
  if (fields.length) throw invalid(fields);
  const data = parseTemplateData(input.template, input.data);
  const subject = input.subject?.trim() ?? renderEmail(input.template, data, { publicUrl: ctx.runtime?.publicUrl, timeZone: ctx.timeZone }).subject;

  const insert = async (tx: Ctx) => {
    const [row] = await tx.db
      .insert(email_queue)
      .values({ to, subject, template: input.template, data, idempotency_key: key ?? null, purpose: input.purpose ?? null, status: 'pending', next_attempt_at: tx.now() })
      .onConflictDoNothing({ target: email_queue.idempotency_key })
      .returning({ id: email_queue.id });
    if (row) return { id: row.id, queued: true };
    // Only an idempotency key conflicts: the email was queued before (perhaps by a transaction that just committed).
    const [first] = await tx.db.select({ id: email_queue.id }).from(email_queue).where(eq(email_queue.idempotency_key, key!));
    if (!first) throw new Error('email_queue: an insert conflicted, but no row holds its idempotency key');
    return { id: first.id, queued: false };
  };
  return ctx.inTx ? insert(ctx) : withTx(ctx, insert);
}
