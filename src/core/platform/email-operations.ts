/**
 * Operations on outgoing email: an administrator sends a dead or failed email again and
 * previews a template; every user chooses whether they get the daily digest.
 */
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { EMAIL_TEMPLATES, email_queue, type EmailTemplate } from '../../db/schema/comms.ts';
import { withTx, type Ctx } from '../context.ts';
import { AppError, notFound } from '../errors.ts';
import { isUuid } from '../fields.ts';
import { actingUserId, requireRole } from '../identity/roles.ts';
import { loadUser, publicUser, type PublicUser } from '../identity/user-record.ts';
import { updateUserRow } from '../identity/users.ts';
import type { Operation } from '../registry.ts';
import { writeAudit } from './audit.ts';
import { renderEmail, type RenderedEmail } from './email-templates.ts';

export const RetryEmailInput = z.strictObject({ id: z.string().max(200) });
export type RetryEmailInput = z.infer<typeof RetryEmailInput>;

/** A dead or failed email goes back to pending, due now, with its attempts counted from zero. */
export async function retryEmail(ctx: Ctx, input: RetryEmailInput): Promise<typeof email_queue.$inferSelect> {
  requireRole(ctx, 'admin', 'Sending an email again');
  if (!isUuid(input.id)) throw notFound('email', input.id);
  return withTx(ctx, async (tx) => {
    const [row] = await tx.db.select().from(email_queue).where(eq(email_queue.id, input.id)).for('update');
    if (!row) throw notFound('email', input.id);
    if (row.status !== 'dead' && row.status !== 'failed') {
      throw new AppError('CONFLICT', `status: this email is ${row.status}; only a dead or failed email can be sent again`, {
        details: { fields: [{ field: 'status', message: `is ${row.status}` }], allowed: [] },
      });
    }
    const now = tx.now();
    const [updated] = await tx.db
      .update(email_queue)
      .set({ status: 'pending', attempts: 0, next_attempt_at: now, updated_at: now })
      .where(eq(email_queue.id, row.id))
      .returning();
    await writeAudit(tx, {
      action: 'update',
      table: 'email_queue',
      recordId: row.id,
      operation: 'email.retry',
      before: { status: row.status, attempts: row.attempts, error: row.error },
      after: { status: 'pending', attempts: 0 },
    });
    return updated!;
  });
}

export const PreviewEmailInput = z.strictObject({
  template: z.enum(EMAIL_TEMPLATES),
  data: z.record(z.string(), z.unknown()).default({}),
});
export type PreviewEmailInput = z.infer<typeof PreviewEmailInput>;

export function previewEmail(ctx: Ctx, input: PreviewEmailInput): RenderedEmail {
  return renderEmail(input.template as EmailTemplate, input.data, { publicUrl: ctx.runtime?.publicUrl, timeZone: ctx.timeZone });
}

export const SetDigestInput = z.strictObject({ user_id: z.string().max(200), enabled: z.boolean() });
export type SetDigestInput = z.infer<typeof SetDigestInput>;

/** Anyone turns their own digest on or off; an administrator anyone's. */
export async function setDigest(ctx: Ctx, input: SetDigestInput): Promise<PublicUser> {
  if (actingUserId(ctx.actor) !== input.user_id) requireRole(ctx, 'admin', "Changing another user's digest");
  return withTx(ctx, async (tx) => {
    const user = await loadUser(tx, input.user_id, true);
    if (user.digest_enabled === input.enabled) return publicUser(user);
    return publicUser(
      await updateUserRow(tx, user.id, { digest_enabled: input.enabled }, { operation: 'users.set_digest', before: { digest_enabled: user.digest_enabled }, after: { digest_enabled: input.enabled } }),
    );
  });
}

export const emailOperations: Operation[] = [
  {
    name: 'email.retry',
    summary: 'Send a dead or failed email again',
    description: 'Puts the email back in the outbox, due now, with its attempts counted from zero. Only a dead or failed email (see email_queue) can be sent again.',
    tag: 'email',
    scope: 'admin',
    destructive: false,
    kind: 'action',
    input: RetryEmailInput,
    http: { method: 'post', path: '/api/v1/email_queue/{id}/retry' },
    run: (ctx, input: RetryEmailInput) => retryEmail(ctx, input),
  },
  {
    name: 'email.preview',
    summary: 'Preview an email template',
    description: `Renders a template (${EMAIL_TEMPLATES.join(', ')}) with the data given, as subject, text and HTML, without queueing anything. Bad data is refused with the field named, as it would be when queued.`,
    tag: 'email',
    scope: 'admin',
    destructive: false,
    kind: 'action',
    input: PreviewEmailInput,
    http: { method: 'post', path: '/api/v1/email/preview' },
    run: async (ctx, input: PreviewEmailInput) => previewEmail(ctx, input),
  },
  {
    name: 'users.set_digest',
    summary: 'Turn the daily digest on or off',
    description: 'The daily email of follow-ups due, meetings and training sessions coming up and tickets waiting. Anyone sets their own; administrators anyone\'s.',
    tag: 'users',
    scope: 'read',
    destructive: false,
    kind: 'action',
    input: SetDigestInput,
    http: { method: 'post', path: '/api/v1/users/{user_id}/digest' },
    run: (ctx, input: SetDigestInput) => setDigest(ctx, input),
  },
];
