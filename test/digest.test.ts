/**
 * The daily digest: one mail per user and day, through the outbox, listing what waits on
 * them; nothing for those who turned it off or have nothing due; each user sets their own.
 */
import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { createApp } from '../src/api/app.ts';
import { localDate, LOCAL_OPERATOR, SYSTEM, type Runtime } from '../src/core/context.ts';
import { AppError } from '../src/core/errors.ts';
import { userActor } from '../src/core/identity/actor.ts';
import { createUser } from '../src/core/identity/users.ts';
import { digestFor } from '../src/core/platform/digest.ts';
import { renderEmail } from '../src/core/platform/email-templates.ts';
import { addDays } from '../src/core/dates.ts';
import { engagements, support_tickets, training_sessions } from '../src/db/schema/delivery.ts';
import { users } from '../src/db/schema/platform.ts';
import { companies, interactions } from '../src/db/schema/sales.ts';
import { digestDrain } from '../src/worker/digest-drain.ts';
import { createWorker, type WorkerLog } from '../src/worker/worker.ts';
import { callApi, FAST_IDENTITY, signIn } from './auth.ts';
import { dbSuite } from './db.ts';

const RUNTIME: Runtime = { environment: 'development', publicUrl: 'https://crm.example.com', allowPrivateTargets: false };
const tag = () => randomBytes(3).toString('hex');
const HOUR = 3_600_000;

dbSuite('daily digest', ({ database, ctx }) => {
  const log: WorkerLog & { errors: string[] } = { errors: [], info: () => {}, error(m) { this.errors.push(m); } };
  const newUser = (name: string) =>
    createUser(ctx({ actor: LOCAL_OPERATOR }), { email: `${name.toLowerCase().replace(/\W+/g, '.')}.${tag()}@consultancy.example`, name, role: 'editor' });
  const digestRows = () =>
    database().query<Record<string, any>>(`select * from email_queue where idempotency_key like 'digest:%' order by created_at`);

  it('mails one digest listing the overdue follow-up, the meeting tomorrow, the training and the open ticket; once a day', async () => {
    const db = database().db;
    const now = new Date();
    const today = localDate(ctx());
    const alex = await newUser('Alex Morgan');
    const quiet = await newUser('Quinn Idle');
    const off = await newUser('Olive Off');
    const other = await newUser('Otto Other');
    await db.update(users).set({ digest_enabled: false }).where(eq(users.id, off.id));

    const [harbour] = await db.insert(companies).values({ name: `Harbour Logistics ${tag()}`, owner_id: alex.id }).returning();
    const [bondi] = await db.insert(companies).values({ name: `Bondi Builders ${tag()}`, owner_id: alex.id }).returning();
    const [elsewhere] = await db.insert(companies).values({ name: `Elsewhere Co ${tag()}`, owner_id: off.id }).returning();
    await db.insert(interactions).values({
      company_id: harbour!.id, type: 'call', interaction_date: new Date(now.getTime() - 5 * 24 * HOUR), follow_up_date: addDays(today, -3),
      next_step: 'Send the revised proposal', assigned_to: alex.id,
    });
    await db.insert(interactions).values({
      company_id: bondi!.id, type: 'meeting', meeting_type: 'discovery', meeting_status: 'scheduled', subject: 'Discovery workshop',
      scheduled_at: new Date(now.getTime() + 24 * HOUR), interaction_date: new Date(now.getTime() - 24 * HOUR), assigned_to: alex.id,
    });
    // Olive's meeting, and one of Alex's a week away: neither is listed.
    await db.insert(interactions).values({ company_id: elsewhere!.id, type: 'meeting', meeting_status: 'scheduled', scheduled_at: new Date(now.getTime() + 20 * HOUR), assigned_to: off.id });
    await db.insert(interactions).values({ company_id: bondi!.id, type: 'meeting', meeting_status: 'scheduled', scheduled_at: new Date(now.getTime() + 7 * 24 * HOUR), interaction_date: new Date(now.getTime() - 48 * HOUR), assigned_to: alex.id });
    const [engagement] = await db.insert(engagements).values({ company_id: harbour!.id, name: 'Harbour AI rollout', owner_id: alex.id }).returning();
    await db.insert(training_sessions).values({ engagement_id: engagement!.id, session_number: 2, title: 'Prompting for dispatch staff', scheduled_date: new Date(now.getTime() + 30 * HOUR) });
    await db.insert(training_sessions).values({ engagement_id: engagement!.id, session_number: 3, title: 'Later session', scheduled_date: new Date(now.getTime() + 5 * 24 * HOUR) });
    await db.insert(support_tickets).values({ ticket_number: `TKT-T-${tag()}`, company_id: harbour!.id, subject: 'MCP server times out', priority: 'high', status: 'open', assigned_to: alex.id });
    await db.insert(support_tickets).values({ ticket_number: `TKT-T-${tag()}`, company_id: harbour!.id, subject: 'Already fixed', status: 'resolved', request_date: new Date(now.getTime() - 48 * HOUR), resolved_at: new Date(now.getTime() - 24 * HOUR), assigned_to: alex.id });
    // Olive has work waiting, but turned the digest off.
    await db.insert(support_tickets).values({ ticket_number: `TKT-T-${tag()}`, company_id: harbour!.id, subject: 'For Olive', status: 'open', assigned_to: off.id });

    // Before the hour, nothing is sent.
    const early = new Date(`${today}T05:00:00Z`);
    expect(await digestDrain({ hourLocal: 6, log }).run(ctx({ actor: SYSTEM, now: () => early }))).toBe(0);
    expect(await digestRows()).toHaveLength(0);

    const worker = createWorker({ database: database(), drains: [digestDrain({ hourLocal: 0, log })], log, runtime: RUNTIME, timeZone: 'UTC' });
    expect(await worker.runOnce()).toEqual({ digest: 1 });
    const rows = await digestRows();
    expect(rows).toHaveLength(1);
    const mail = rows[0]!;
    expect(mail).toMatchObject({ idempotency_key: `digest:${alex.id}:${today}`, template: 'follow_up', status: 'pending', to: [`"Alex Morgan" <${alex.email}>`] });
    expect(mail.data.follow_ups).toEqual([expect.objectContaining({ company_name: harbour!.name, days_overdue: 3, next_step: 'Send the revised proposal' })]);
    expect(mail.data.meetings).toEqual([expect.objectContaining({ subject: 'Discovery workshop', company_name: bondi!.name })]);
    expect(mail.data.trainings).toEqual([expect.objectContaining({ title: 'Prompting for dispatch staff', engagement_name: 'Harbour AI rollout' })]);
    expect(mail.data.tickets).toEqual([expect.objectContaining({ subject: 'MCP server times out', priority: 'high', status: 'open' })]);
    expect(mail.subject).toBe('Your day: 1 follow-up, 1 meeting, 1 training session, 1 open ticket');

    const rendered = renderEmail('follow_up', mail.data, { publicUrl: RUNTIME.publicUrl, timeZone: 'UTC' });
    expect(rendered.text).toContain(`${harbour!.name}: 3 days overdue`);
    expect(rendered.text).toContain('Discovery workshop with Bondi Builders');
    expect(rendered.text).toContain('MCP server times out');
    expect(rendered.text).not.toContain('Later session');
    expect(rendered.text).not.toContain('Already fixed');

    // The same day again: nothing more.
    expect(await worker.runOnce()).toEqual({ digest: 0 });
    expect(await digestRows()).toHaveLength(1);
    expect(log.errors).toEqual([]);
    // Nobody else got one: not Olive (turned off), not Quinn or Otto (nothing due).
    expect(rows.map((r) => r.idempotency_key)).not.toContain(`digest:${quiet.id}:${today}`);
    expect((await digestFor(ctx({ actor: SYSTEM }), off.id)).total).toBe(2);

    // The same items for the web app: your own, and not someone else's.
    const own = await digestFor(ctx({ actor: userActor(alex) }), alex.id);
    expect(own.total).toBe(4);
    const err = await digestFor(ctx({ actor: userActor(other) }), alex.id).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('FORBIDDEN');
  });

  it('lets each user turn their own digest off; another editor may not; an administrator may', async () => {
    const app = createApp({ database: database(), identity: FAST_IDENTITY, webDir: null, runtime: RUNTIME });
    const me = await signIn(app, database(), 'editor');
    const colleague = await signIn(app, database(), 'editor');
    const admin = await signIn(app, database(), 'admin');
    const enabled = async () => (await database().query<{ d: boolean }>('select digest_enabled as d from users where id = $1', [me.user.id]))[0]!.d;
    expect(await enabled()).toBe(true);

    const body = await callApi(app, me, 'POST', `/api/v1/users/${me.user.id}/digest`, { enabled: false }, 200);
    expect(body).toMatchObject({ id: me.user.id, digest_enabled: false });
    expect(body).not.toHaveProperty('password_hash');
    expect(await enabled()).toBe(false);
    const audit = await database().query<Record<string, any>>(`select * from audit_log where operation = 'users.set_digest' and record_id = $1 order by at`, [me.user.id]);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ action: 'update', on_behalf_of: me.user.id, before: { digest_enabled: true }, after: { digest_enabled: false } });

    const refused = await callApi(app, colleague, 'POST', `/api/v1/users/${me.user.id}/digest`, { enabled: true }, 403);
    expect(refused.code).toBe('FORBIDDEN');
    expect(await enabled()).toBe(false);

    await callApi(app, admin, 'POST', `/api/v1/users/${me.user.id}/digest`, { enabled: true }, 200);
    expect(await enabled()).toBe(true);
    await callApi(app, me, 'POST', `/api/v1/users/${me.user.id}/digest`, { enabled: 'no' }, 400);
    await callApi(app, admin, 'POST', '/api/v1/users/5d8f1c9e-1111-4a2b-9c3d-000000000000/digest', { enabled: false }, 404);
  });
});
