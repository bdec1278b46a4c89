/**
 * Queues each user's daily digest once per local day (the instance's time zone), from
 * `hourLocal` on. The email's idempotency key `digest:<user>:<day>` makes a second run, or a
 * second worker, queue nothing more that day; users with nothing to report get no mail.
 */
import { sql } from 'drizzle-orm';
import { email_queue } from '../db/schema/comms.ts';
import { localDate, type Ctx } from '../core/context.ts';
import { digestFor, digestRecipients } from '../core/platform/digest.ts';
import { enqueueEmail, formatAddress } from '../core/platform/email.ts';
import type { Drain, WorkerLog } from './worker.ts';

export type DigestDrainOptions = {
  /** The local hour (0–23) from which the day's digest is sent (default 7). */
  hourLocal?: number;
  everyMs?: number;
  log?: WorkerLog;
};

export const digestKey = (userId: string, day: string) => `digest:${userId}:${day}`;

function localHour(ctx: Ctx, at: Date): number {
  const h = new Intl.DateTimeFormat('en-GB', { timeZone: ctx.timeZone, hour: '2-digit', hourCycle: 'h23' }).format(at);
  return Number(h);
}

export function digestDrain(opts: DigestDrainOptions = {}): Drain {
  const hourLocal = opts.hourLocal ?? 7;
  if (!Number.isInteger(hourLocal) || hourLocal < 0 || hourLocal > 23) throw new Error('digestDrain: hourLocal must be an hour from 0 to 23');
  const log: WorkerLog = opts.log ?? { info: (m) => console.log(m), error: (m, e) => console.error(m, e) };
  // Users found with nothing to report, per day: looked at once a day, not on every round.
  const nothing = new Map<string, string>();

  return {
    name: 'digest',
    everyMs: opts.everyMs ?? 10 * 60_000,
    async run(ctx: Ctx) {
      const now = ctx.now();
      if (localHour(ctx, now) < hourLocal) return 0;
      const day = localDate(ctx, now);
      const sent = new Set(
        (
          await ctx.db
            .select({ key: email_queue.idempotency_key })
            .from(email_queue)
            .where(sql`${email_queue.idempotency_key} like ${`digest:%:${day}`}`)
        ).map((r) => r.key),
      );
      let queued = 0;
      for (const user of await digestRecipients(ctx)) {
        if (sent.has(digestKey(user.id, day)) || nothing.get(user.id) === day) continue;
        try {
          const digest = await digestFor(ctx, user.id);
          if (digest.total === 0) {
            nothing.set(user.id, day);
            continue;
          }
          const { user_id: _user, total: _total, ...items } = digest;
          const r = await enqueueEmail(ctx, {
            to: [formatAddress(user.name, user.email)],
            template: 'follow_up',
            data: { kind: 'digest', recipient_name: user.name?.trim().slice(0, 200) || null, ...items, date: day },
            idempotencyKey: digestKey(user.id, day),
          });
          if (r.queued) queued++;
        } catch (e) {
          // One user's digest (an address the outbox refuses, say) does not hold up the others'.
          log.error(`Digest: could not queue the digest of user ${user.id}`, e);
        }
      }
      return queued;
    },
  };
}
