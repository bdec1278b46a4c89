/**
 * Sends the email outbox over SMTP. A batch of due rows is claimed in a short transaction
 * (`FOR UPDATE SKIP LOCKED`, status `sending` with a lease in next_attempt_at) and committed;
 * each mail is then sent outside any transaction and its outcome recorded. A worker that dies
 * mid-batch leaves its rows `sending` until the lease runs out, and then any worker takes them
 * again. Every message carries a Message-ID fixed by its queue row, so a mail sent again
 * after such a crash is the same message to the receiver, which can recognise it.
 *
 * Marketing mail (purpose `marketing_email`) leaves only while every recipient's marketing
 * consent is in force: it is checked just before sending (the latest moment), and the mail is
 * cancelled otherwise, so even a withdrawal racing the drain stops it.
 */
import { and, eq, inArray, lte, or, sql } from 'drizzle-orm';
import nodemailer from 'nodemailer';
import { email_queue } from '../db/schema/comms.ts';
import { withTx, type Ctx } from '../core/context.ts';
import { parseAddress, type MailAddress } from '../core/platform/email.ts';
import { hasMarketingConsentForAddresses, WITHDRAWN_EMAIL_ERROR } from '../core/privacy/consent.ts';
import { oneLine, renderEmail } from '../core/platform/email-templates.ts';
import type { Drain, WorkerLog } from './worker.ts';

/** What the drain needs of a mail transport (nodemailer's, or a test's). */
export type MailTransport = {
  sendMail(message: {
    from: string;
    to: MailAddress[];
    subject: string;
    text: string;
    html: string;
    messageId: string;
    headers: Record<string, string>;
  }): Promise<{ rejected?: unknown[] } | unknown>;
};

/** Waits after the 1st, 2nd, … failed attempt (before jitter); one more failure after the last is dead. */
export const EMAIL_BACKOFF_MS = [60_000, 300_000, 1_800_000, 7_200_000, 21_600_000, 43_200_000, 86_400_000] as const;
export const MAX_EMAIL_ATTEMPTS = EMAIL_BACKOFF_MS.length + 1;
const BATCH = 5;
/** Long enough for a whole batch at the transport's worst timeouts (20 s + 20 s + 60 s per mail). */
export const EMAIL_LEASE_MS = 10 * 60_000;
const ERROR_MAX = 500;

export type EmailDrainOptions = {
  smtpUrl?: string | undefined;
  from?: string | undefined;
  /** Replaces the SMTP transport (tests). */
  transport?: MailTransport;
  log?: WorkerLog;
  everyMs?: number;
};

export const emailMessageId = (rowId: string) => `<${rowId}@throughline>`;

/** The error as kept on the row: one line, at most 500 characters, without the SMTP URL's credentials. */
export function describeSendError(err: unknown, smtpUrl: string | undefined): string {
  let msg = err instanceof Error ? err.message : String(err);
  const secrets: string[] = [];
  if (smtpUrl) {
    secrets.push(smtpUrl);
    try {
      const u = new URL(smtpUrl);
      for (const s of [u.password, u.username]) {
        if (!s) continue;
        secrets.push(s);
        try {
          secrets.push(decodeURIComponent(s));
        } catch {
          // not percent-encoded
        }
      }
    } catch {
      // config validated it as a URL; nothing more to hide
    }
  }
  for (const s of secrets.filter((x) => x.length >= 3).sort((a, b) => b.length - a.length)) msg = msg.split(s).join('[redacted]');
  return msg.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ').replace(/\s+/g, ' ').trim().slice(0, ERROR_MAX);
}

/** 5xx is the receiver's final answer (except a refused login, which is this instance's configuration); 4xx and network faults pass. */
function isPermanent(err: unknown): boolean {
  const e = err as { responseCode?: unknown; code?: unknown };
  return typeof e.responseCode === 'number' && e.responseCode >= 500 && e.responseCode < 600 && e.code !== 'EAUTH';
}

/** The backoff after `attempts` failed attempts, with ±20 % jitter so retries of one outage do not arrive together. */
export function emailRetryDelay(attempts: number): number | null {
  const base = EMAIL_BACKOFF_MS[attempts - 1];
  if (base === undefined) return null;
  return Math.round(base * (0.8 + Math.random() * 0.4));
}

function defaultFrom(smtpUrl: string | undefined): string {
  try {
    const u = new URL(smtpUrl ?? '');
    const user = decodeURIComponent(u.username);
    if (user.includes('@')) return `Throughline <${user}>`;
    return `Throughline <throughline@${u.hostname}>`;
  } catch {
    return 'Throughline <throughline@localhost>';
  }
}

export function emailDrain(opts: EmailDrainOptions): Drain {
  const log: WorkerLog = opts.log ?? { info: (m) => console.log(m), error: (m, e) => console.error(m, e) };
  let transport = opts.transport;
  let warned = false;
  const from = opts.from ?? defaultFrom(opts.smtpUrl);

  const getTransport = (): MailTransport | undefined => {
    if (transport) return transport;
    if (!opts.smtpUrl) return undefined;
    transport = nodemailer.createTransport({
      url: opts.smtpUrl,
      connectionTimeout: 20_000,
      greetingTimeout: 20_000,
      socketTimeout: 60_000,
    } as Parameters<typeof nodemailer.createTransport>[0]) as unknown as MailTransport;
    return transport;
  };

  return {
    name: 'email',
    everyMs: opts.everyMs ?? 30_000,
    async run(ctx: Ctx) {
      const t = getTransport();
      if (!t) {
        if (!warned) {
          log.info('Email: no SMTP server is configured (THROUGHLINE_SMTP_URL); emails wait in the outbox until one is');
          warned = true;
        }
        return 0;
      }
      const claimed = await claimBatch(ctx);
      for (const row of claimed) await sendOne(ctx, t, row);
      return claimed.length;
    },
  };

  type Claimed = typeof email_queue.$inferSelect;

  async function sendOne(ctx: Ctx, t: MailTransport, row: Claimed): Promise<void> {
    const lease = row.next_attempt_at!;
    const ours = and(eq(email_queue.id, row.id), eq(email_queue.status, 'sending'), eq(email_queue.next_attempt_at, lease));
    const record = async (values: Partial<typeof email_queue.$inferInsert>) => {
      const done = await ctx.db
        .update(email_queue)
        .set({ ...values, updated_at: ctx.now() })
        .where(ours)
        .returning({ id: email_queue.id });
      if (!done.length) log.error(`Email ${row.id}: its lease ran out before the outcome was recorded; another worker has it`);
    };
    const dead = (error: string) => record({ status: 'dead', error, next_attempt_at: null });

    let message: Parameters<MailTransport['sendMail']>[0];
    try {
      const to = row.to.map((raw) => {
        const a = parseAddress(raw);
        if (typeof a === 'string') throw new Error(`recipient ${JSON.stringify(String(raw).slice(0, 100))} ${a}`);
        return a;
      });
      const rendered = renderEmail(row.template, row.data, { publicUrl: ctx.runtime?.publicUrl, timeZone: ctx.timeZone });
      message = {
        from,
        to,
        subject: oneLine(row.subject) || rendered.subject,
        text: rendered.text,
        html: rendered.html,
        messageId: emailMessageId(row.id),
        headers: { 'X-Throughline-Email-Id': row.id },
      };
    } catch (e) {
      // Queued data this version cannot render: no retry will help.
      await dead(`cannot be rendered: ${describeSendError(e, undefined)}`.slice(0, ERROR_MAX));
      return;
    }

    if (row.purpose === 'marketing_email' && !(await hasMarketingConsentForAddresses(ctx, row.to))) {
      await record({ status: 'cancelled', error: WITHDRAWN_EMAIL_ERROR, next_attempt_at: null });
      return;
    }

    let info: unknown;
    try {
      info = await t.sendMail(message);
    } catch (e) {
      const error = describeSendError(e, opts.smtpUrl);
      const delay = isPermanent(e) ? null : emailRetryDelay(row.attempts);
      if (delay === null) {
        // The row keeps the server's answer; the log keeps only which mail, and the reply code (the text can name the recipient).
        log.error(`Email ${row.id}: gave up after ${row.attempts} attempt(s) (SMTP ${String((e as { responseCode?: unknown }).responseCode ?? 'no reply')})`);
        await dead(error);
      } else {
        await record({ status: 'failed', error, next_attempt_at: new Date(ctx.now().getTime() + delay) });
      }
      return;
    }
    const rejected = (info as { rejected?: unknown[] } | undefined)?.rejected ?? [];
    await record({
      status: 'sent',
      sent_at: ctx.now(),
      next_attempt_at: null,
      // Some recipients refused while others accepted: sent, with who was refused kept in sight.
      error: rejected.length ? describeSendError(`refused by the receiving server for: ${rejected.map(String).join(', ')}`, undefined) : null,
    });
  }
}

/** Takes up to a batch of due rows (pending, failed and due, or sending with a lease run out) and commits the claim. */
async function claimBatch(ctx: Ctx): Promise<(typeof email_queue.$inferSelect)[]> {
  return withTx(ctx, async (tx) => {
    const now = tx.now();
    const due = await tx.db
      .select({ id: email_queue.id })
      .from(email_queue)
      .where(
        and(
          inArray(email_queue.status, ['pending', 'failed', 'sending']),
          or(lte(email_queue.next_attempt_at, now), sql`${email_queue.next_attempt_at} is null`),
        ),
      )
      .orderBy(sql`${email_queue.next_attempt_at} asc nulls first`, email_queue.id)
      .limit(BATCH)
      .for('update', { skipLocked: true });
    if (!due.length) return [];
    return tx.db
      .update(email_queue)
      .set({ status: 'sending', attempts: sql`${email_queue.attempts} + 1`, next_attempt_at: new Date(now.getTime() + EMAIL_LEASE_MS), updated_at: now })
      .where(inArray(email_queue.id, due.map((d) => d.id)))
      .returning();
  });
}
