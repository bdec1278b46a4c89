/**
 * The email outbox against a real SMTP server (smtp-server, on a free local port): queued in
 * the business change's transaction, sent by the worker's drain, retried with backoff on a
 * temporary refusal, dead on a permanent one, never sent twice by two workers, sent again
 * with the same Message-ID after a crash, and never a way to inject a header.
 */
import net, { type AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { SMTPServer, type SMTPServerSession } from 'smtp-server';
import nodemailer from 'nodemailer';
import { createApp } from '../src/api/app.ts';
import { SYSTEM, withTx, type Runtime } from '../src/core/context.ts';
import { AppError } from '../src/core/errors.ts';
import { enqueueEmail } from '../src/core/platform/email.ts';
import { companies } from '../src/db/schema/sales.ts';
import { createWorker, type WorkerLog } from '../src/worker/worker.ts';
import { describeSendError, emailDrain, type MailTransport } from '../src/worker/email-drain.ts';
import { callApi, FAST_IDENTITY, signIn } from './auth.ts';
import { dbSuite } from './db.ts';

// --- a real SMTP server --------------------------------------------------------------------

type Received = { envelopeTo: string[]; raw: string };
const received: Received[] = [];
/** What the server answers to the next messages, first to last; an empty list accepts. */
const verdicts: Array<{ code: number; message: string }> = [];
let smtp: SMTPServer;
let smtpUrl = '';

beforeAll(async () => {
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    closeTimeout: 1000,
    onData(stream, session: SMTPServerSession, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const verdict = verdicts.shift();
        if (verdict) {
          const err = Object.assign(new Error(verdict.message), { responseCode: verdict.code });
          return callback(err);
        }
        received.push({ envelopeTo: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString('utf8') });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', () => resolve()));
  smtpUrl = `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
});

// --- reading what arrived ---------------------------------------------------------------------

function decodeWords(v: string): string {
  // Whitespace between two encoded words is folding, not text (RFC 2047 §6.2).
  return v.replace(/(=\?[^?]+\?[BbQq]\?[^?]*\?=)\s+(?==\?)/g, '$1').replace(/=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g, (_m, _cs, enc: string, body: string) =>
    enc.toUpperCase() === 'B'
      ? Buffer.from(body, 'base64').toString('utf8')
      : Buffer.from(body.replace(/_/g, ' ').replace(/=([0-9A-F]{2})/gi, (_x, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8'),
  );
}

function splitEntity(raw: string): { headers: Map<string, string>; body: string } {
  const at = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, at).replace(/\r\n[ \t]+/g, ' ');
  const headers = new Map<string, string>();
  for (const l of head.split('\r\n')) {
    const i = l.indexOf(':');
    if (i > 0) headers.set(l.slice(0, i).trim().toLowerCase(), decodeWords(l.slice(i + 1).trim()));
  }
  return { headers, body: raw.slice(at + 4) };
}

function decodeBody(body: string, encoding: string | undefined): string {
  if (encoding?.toLowerCase() === 'base64') return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (encoding?.toLowerCase() === 'quoted-printable') {
    const bytes = body.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/gi, (_x, h: string) => String.fromCharCode(parseInt(h, 16)));
    return Buffer.from(bytes, 'latin1').toString('utf8');
  }
  return body;
}

type Mail = { headers: Map<string, string>; text: string; html: string; envelopeTo: string[] };

function parseMail(r: Received): Mail {
  const { headers, body } = splitEntity(r.raw);
  const boundary = /boundary="?([^";]+)"?/.exec(headers.get('content-type') ?? '')?.[1];
  const mail: Mail = { headers, text: '', html: '', envelopeTo: r.envelopeTo };
  if (!boundary) throw new Error(`expected a multipart message, got ${headers.get('content-type')}`);
  for (const part of body.split(`--${boundary}`).slice(1)) {
    if (part.startsWith('--')) break;
    const p = splitEntity(part.replace(/^\r\n/, ''));
    const decoded = decodeBody(p.body.replace(/\r\n$/, ''), p.headers.get('content-transfer-encoding'));
    if (p.headers.get('content-type')?.startsWith('text/plain')) mail.text = decoded;
    if (p.headers.get('content-type')?.startsWith('text/html')) mail.html = decoded;
  }
  return mail;
}

const byMessageId = (id: string) => received.map(parseMail).filter((m) => m.headers.get('message-id') === `<${id}@throughline>`);

async function until(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 1000; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const RUNTIME: Runtime = { environment: 'development', publicUrl: 'https://crm.example.com', allowPrivateTargets: false };
const quiet = (): WorkerLog & { lines: string[] } => {
  const lines: string[] = [];
  return { lines, info: (m) => lines.push(m), error: (m) => lines.push(m) };
};

const MEETING = (over: Record<string, unknown> = {}) => ({
  recipient_name: 'Dana Reyes',
  meeting_id: '7b0c8d52-5d0e-4c1b-9a51-2f3f0f6c9a11',
  scheduled_at: '2026-05-12T09:30:00Z',
  company_name: 'Harbour Logistics',
  meeting_type: 'discovery',
  duration_minutes: 45,
  ...over,
});

dbSuite('email outbox', ({ database, ctx, backend }) => {
  const workerFor = (opts: Parameters<typeof emailDrain>[0], log = quiet()) =>
    createWorker({ database: database(), drains: [emailDrain({ log, ...opts })], log, runtime: RUNTIME, timeZone: 'UTC' });
  const row = async (id: string) => {
    const [r] = await database().query<Record<string, any>>('select * from email_queue where id = $1', [id]);
    return r!;
  };
  const queue = (over: Partial<Parameters<typeof enqueueEmail>[1]> = {}) =>
    enqueueEmail(ctx({ actor: SYSTEM }), { to: ['"Dana Reyes" <dana@example.com>'], template: 'meeting_reminder', data: MEETING(), ...over });

  beforeEach(() => {
    received.length = 0;
    verdicts.length = 0;
  });
  // Each test leaves nothing due for the next one's drain.
  afterEach(async () => {
    await database().query(`update email_queue set status = 'dead', next_attempt_at = null where status in ('pending', 'failed', 'sending')`);
  });

  it('queues in the transaction of the business change: a rolled-back change leaves no email', async () => {
    const name = `Rollback Pty ${backend}`;
    await expect(
      withTx(ctx(), async (tx) => {
        await tx.db.insert(companies).values({ name });
        await enqueueEmail(tx, { to: ['owner@example.com'], template: 'welcome', data: { recipient_name: 'Sam', audience: 'client', company_name: name }, idempotencyKey: `welcome:${name}` });
        throw new Error('the business change failed');
      }),
    ).rejects.toThrow('the business change failed');
    expect(await database().query('select 1 from email_queue where idempotency_key = $1', [`welcome:${name}`])).toHaveLength(0);
    expect(await database().query('select 1 from companies where name = $1', [name])).toHaveLength(0);

    const committed = await withTx(ctx(), async (tx) => {
      await tx.db.insert(companies).values({ name });
      return enqueueEmail(tx, { to: ['owner@example.com'], template: 'welcome', data: { recipient_name: 'Sam', audience: 'client', company_name: name }, idempotencyKey: `welcome:${name}` });
    });
    expect(committed.queued).toBe(true);
    expect((await row(committed.id)).status).toBe('pending');
  });

  it('sends a queued email with its To, Subject, Message-ID, text and html', async () => {
    const { id } = await queue();
    const worker = workerFor({ smtpUrl, from: 'Throughline <crm@consultancy.example>' });
    expect((await worker.runOnce()).email).toBe(1);
    await until(() => byMessageId(id).length === 1, 'the mail');
    const mail = byMessageId(id)[0]!;
    const stored = await row(id);
    expect(stored).toMatchObject({ status: 'sent', attempts: 1, error: null });
    expect(stored.sent_at).not.toBeNull();
    expect(mail.envelopeTo).toEqual(['dana@example.com']);
    expect(mail.headers.get('to')).toBe('Dana Reyes <dana@example.com>');
    expect(mail.headers.get('from')).toBe('Throughline <crm@consultancy.example>');
    expect(mail.headers.get('subject')).toBe(stored.subject);
    expect(stored.subject).toMatch(/^Reminder: discovery meeting with Harbour Logistics, /);
    expect(mail.headers.get('x-throughline-email-id')).toBe(id);
    expect(mail.text).toContain('Hello Dana Reyes,');
    expect(mail.text).toContain('Duration: 45 minutes');
    expect(mail.html).toContain('<a href="https://crm.example.com/interactions/7b0c8d52-5d0e-4c1b-9a51-2f3f0f6c9a11"');
    expect(mail.html).toContain('Harbour Logistics');
    // Nothing is due any more: a second round sends nothing.
    expect((await worker.runOnce()).email).toBe(0);
    expect(byMessageId(id)).toHaveLength(1);
  });

  it('refuses a line break in an address, a display name or the subject (no header injection)', async () => {
    const before = await database().query<{ n: number }>('select count(*)::int as n from email_queue');
    const attempts: Array<[Partial<Parameters<typeof enqueueEmail>[1]>, string]> = [
      [{ to: ['Bob\r\nBcc: x@example.com <bob@example.com>'] }, 'to.0'],
      [{ to: ['"Bob\r\nBcc: x@example.com" <bob@example.com>'] }, 'to.0'],
      [{ to: ['ok@example.com', 'bob@example.com\r\nBcc: x@example.com'] }, 'to.1'],
      [{ to: ['bob@example.com'], subject: 'Hello\r\nBcc: x@example.com' }, 'subject'],
      [{ to: ['bob@example.com'], subject: 'Hello\nBcc: x@example.com' }, 'subject'],
      [{ to: ['Bob\u0000 <bob@example.com>'] }, 'to.0'],
    ];
    for (const [over, field] of attempts) {
      const err = await queue(over).catch((e: unknown) => e);
      expect(err, JSON.stringify(over)).toBeInstanceOf(AppError);
      expect((err as AppError).code).toBe('VALIDATION');
      expect((err as AppError).details.fields?.map((f) => f.field)).toContain(field);
    }
    expect(await database().query('select count(*)::int as n from email_queue')).toEqual(before);
  });

  it('refuses bad template data at enqueue, and more than 50 recipients', async () => {
    const bad = await queue({ data: MEETING({ scheduled_at: 'tomorrow' }) }).catch((e: unknown) => e);
    expect((bad as AppError).code).toBe('VALIDATION');
    expect((bad as AppError).details.fields).toEqual([expect.objectContaining({ field: 'data.scheduled_at' })]);
    const score = await queue({ template: 'assessment_results', data: { score: 140, band: 'L9' } }).catch((e: unknown) => e);
    expect((score as AppError).details.fields?.map((f) => f.field).sort()).toEqual(['data.band', 'data.score']);
    const many = await queue({ to: Array.from({ length: 51 }, (_, i) => `p${i}@example.com`) }).catch((e: unknown) => e);
    expect((many as AppError).details.fields).toEqual([expect.objectContaining({ field: 'to' })]);
  });

  it('sends an HTML payload escaped in html and as plain text in text', async () => {
    const xss = '"><img src=x onerror=alert(1)>';
    const { id } = await enqueueEmail(ctx(), {
      to: ['sales@example.com'],
      template: 'follow_up',
      data: { company_name: `Acme ${xss}`, company_id: '0d4b1f0e-8a4e-4a43-bb57-6f0bd1b1c001', follow_up_date: '2026-05-01', days_overdue: 3, next_step: `Send the quote <script>alert(2)</script>` },
    });
    await workerFor({ smtpUrl }).runOnce();
    await until(() => byMessageId(id).length === 1, 'the mail');
    const mail = byMessageId(id)[0]!;
    expect(mail.html).not.toContain('<img src=x');
    expect(mail.html).not.toContain('<script>');
    expect(mail.html).toContain('&quot;&gt;&lt;img src=x onerror=alert(1)&gt;');
    expect(mail.html).toContain('&lt;script&gt;alert(2)&lt;/script&gt;');
    expect(mail.text).toContain(`Acme ${xss}`);
    expect(mail.text).toContain('Send the quote <script>alert(2)</script>');
    expect(mail.headers.get('subject')).toBe(`Overdue follow-up: Acme ${xss}`);
    // The only link is built from the public address and the record id.
    expect([...mail.html.matchAll(/href="([^"]*)"/g)].map((m) => m[1])).toEqual(['https://crm.example.com/companies/0d4b1f0e-8a4e-4a43-bb57-6f0bd1b1c001']);
  });

  it('retries a temporary refusal (451) with backoff, then sends it', async () => {
    const { id } = await queue();
    const worker = workerFor({ smtpUrl });
    verdicts.push({ code: 451, message: 'Greylisted, try again later' });
    const t0 = Date.now();
    await worker.runOnce();
    let r = await row(id);
    expect(r).toMatchObject({ status: 'failed', attempts: 1 });
    expect(r.error).toContain('451');
    const wait = new Date(r.next_attempt_at).getTime() - t0;
    expect(wait).toBeGreaterThan(0.8 * 60_000 - 1000);
    expect(wait).toBeLessThan(1.2 * 60_000 + 5000);
    expect(received).toHaveLength(0);
    // Not due yet: another round leaves it alone.
    await worker.runOnce();
    expect((await row(id)).status).toBe('failed');
    expect(received).toHaveLength(0);

    await database().query('update email_queue set next_attempt_at = now() where id = $1', [id]);
    await worker.runOnce();
    r = await row(id);
    expect(r).toMatchObject({ status: 'sent', attempts: 2 });
    expect(byMessageId(id)).toHaveLength(1);
  });

  it('gives up after the last attempt: dead, with the error kept', async () => {
    const { id } = await queue();
    await database().query('update email_queue set attempts = 7 where id = $1', [id]);
    verdicts.push({ code: 421, message: 'Service not available, closing channel' });
    await workerFor({ smtpUrl }).runOnce();
    const r = await row(id);
    expect(r).toMatchObject({ status: 'dead', attempts: 8, next_attempt_at: null });
    expect(r.error).toContain('421');
  });

  it('puts a permanent refusal (550) straight to dead; an administrator sends it again', async () => {
    const { id } = await queue();
    const worker = workerFor({ smtpUrl });
    verdicts.push({ code: 550, message: 'Mailbox unavailable' });
    await worker.runOnce();
    let r = await row(id);
    expect(r).toMatchObject({ status: 'dead', attempts: 1 });
    expect(r.error).toContain('550');
    expect(received).toHaveLength(0);

    const app = createApp({ database: database(), identity: FAST_IDENTITY, webDir: null, runtime: RUNTIME });
    const admin = await signIn(app, database(), 'admin');
    const editor = await signIn(app, database(), 'editor');
    await callApi(app, editor, 'POST', `/api/v1/email_queue/${id}/retry`, {}, 403);
    expect((await row(id)).status).toBe('dead');
    await callApi(app, admin, 'POST', '/api/v1/email_queue/5d8f1c9e-1111-4a2b-9c3d-000000000000/retry', {}, 404);

    const body = await callApi(app, admin, 'POST', `/api/v1/email_queue/${id}/retry`, {}, 200);
    expect(body).toMatchObject({ id, status: 'pending', attempts: 0 });
    const audit = await database().query<Record<string, any>>(`select * from audit_log where operation = 'email.retry' and record_id = $1 order by at`, [id]);
    expect(audit.map((a) => a.action)).toEqual(['refused', 'update']);
    expect(audit[1]).toMatchObject({ on_behalf_of: admin.user.id, before: expect.objectContaining({ status: 'dead' }), after: { status: 'pending', attempts: 0 } });

    await worker.runOnce();
    r = await row(id);
    expect(r).toMatchObject({ status: 'sent', attempts: 1 });
    expect(byMessageId(id)).toHaveLength(1);
    // A sent email is not sent again by hand.
    await callApi(app, admin, 'POST', `/api/v1/email_queue/${id}/retry`, {}, 409);
  });

  it('previews a template without queueing it (administrators only)', async () => {
    const app = createApp({ database: database(), identity: FAST_IDENTITY, webDir: null, runtime: RUNTIME });
    const admin = await signIn(app, database(), 'admin');
    const editor = await signIn(app, database(), 'editor');
    const before = await database().query('select count(*)::int as n from email_queue');
    const data = { recipient_name: 'Lee', engagement_id: '3f9f6a1e-2b1c-4d3e-8f00-aa00bb11cc22', engagement_name: 'Harbour AI rollout', month: '2026-04', currency: 'AUD', hours_saved: '62.5', value: '5312.50', roi_percent: '148.2' };
    const preview = await callApi(app, admin, 'POST', '/api/v1/email/preview', { template: 'roi_report', data }, 200);
    expect(preview.subject).toBe('Harbour AI rollout: your April 2026 report is ready');
    expect(preview.text).toContain('Hours saved: 62.5');
    expect(preview.html).toContain('href="https://crm.example.com/reports/monthly?engagement=3f9f6a1e-2b1c-4d3e-8f00-aa00bb11cc22&amp;month=2026-04"');
    const bad = await callApi(app, admin, 'POST', '/api/v1/email/preview', { template: 'roi_report', data: { ...data, month: '2026-13' } }, 400);
    expect(JSON.stringify(bad)).toContain('data.month');
    await callApi(app, editor, 'POST', '/api/v1/email/preview', { template: 'roi_report', data }, 403);
    expect(await database().query('select count(*)::int as n from email_queue')).toEqual(before);
  });

  it('never sends one row twice when two workers run at once', async () => {
    const ids = await Promise.all(Array.from({ length: 8 }, (_, i) => queue({ to: [`person${i}@example.com`] }).then((r) => r.id)));
    const a = workerFor({ smtpUrl });
    const b = workerFor({ smtpUrl });
    for (let round = 0; round < 10; round++) {
      await Promise.all([a.runOnce(), b.runOnce()]);
      const left = await database().query(`select 1 from email_queue where id = any($1::uuid[]) and status <> 'sent'`, [ids]);
      if (!left.length) break;
    }
    for (const id of ids) {
      expect(byMessageId(id), id).toHaveLength(1);
      expect(await row(id)).toMatchObject({ status: 'sent', attempts: 1 });
    }
  });

  it('takes an expired sending lease again and sends it with the same Message-ID', async () => {
    const { id } = await queue();
    // A worker that hands the mail to the server and then dies before recording it.
    const real = nodemailer.createTransport(smtpUrl);
    const crashing: MailTransport = {
      async sendMail(message) {
        await real.sendMail(message);
        return new Promise(() => {});
      },
    };
    void workerFor({ transport: crashing }).runOnce();
    await until(() => byMessageId(id).length === 1, 'the first delivery');
    expect(await row(id)).toMatchObject({ status: 'sending', attempts: 1 });

    // While the lease runs, nobody else takes it.
    const other = workerFor({ smtpUrl });
    await other.runOnce();
    expect(byMessageId(id)).toHaveLength(1);

    await database().query(`update email_queue set next_attempt_at = now() - interval '1 second' where id = $1`, [id]);
    await other.runOnce();
    expect(await row(id)).toMatchObject({ status: 'sent', attempts: 2 });
    const both = byMessageId(id);
    expect(both).toHaveLength(2);
    expect(both.map((m) => m.headers.get('x-throughline-email-id'))).toEqual([id, id]);
  });

  it('de-duplicates by idempotency key', async () => {
    const key = `roi:${backend}:2026-04`;
    const first = await queue({ idempotencyKey: key });
    const again = await queue({ idempotencyKey: key });
    expect(first.queued).toBe(true);
    expect(again).toEqual({ id: first.id, queued: false });
    const racing = await Promise.all([queue({ idempotencyKey: `${key}:race` }), queue({ idempotencyKey: `${key}:race` })]);
    expect(new Set(racing.map((r) => r.id)).size).toBe(1);
    expect(racing.filter((r) => r.queued)).toHaveLength(1);
    expect(await database().query('select 1 from email_queue where idempotency_key like $1', [`${key}%`])).toHaveLength(2);
  });

  it('sends nothing without an SMTP server, and the emails wait', async () => {
    const { id } = await queue();
    const log = quiet();
    const worker = workerFor({}, log);
    expect(await worker.runOnce()).toEqual({ email: 0 });
    expect(await worker.runOnce()).toEqual({ email: 0 });
    expect(await row(id)).toMatchObject({ status: 'pending', attempts: 0 });
    expect(received).toHaveLength(0);
    expect(log.lines.filter((l) => l.includes('THROUGHLINE_SMTP_URL'))).toHaveLength(1);
  });

  it('retries an unreachable server and keeps no credentials in the error', async () => {
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', () => resolve()));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const url = `smtp://mailer%40consultancy.example:s3cr3t-Pa55@127.0.0.1:${port}`;
    const { id } = await queue();
    await workerFor({ smtpUrl: url }).runOnce();
    const r = await row(id);
    expect(r).toMatchObject({ status: 'failed', attempts: 1 });
    expect(r.error).toBeTruthy();
    expect(r.error).not.toContain('s3cr3t');
    expect(describeSendError(new Error(`cannot reach ${url} as mailer@consultancy.example with s3cr3t-Pa55`), url)).not.toMatch(/s3cr3t|mailer/);
  });
});
