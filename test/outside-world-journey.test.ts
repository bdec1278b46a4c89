/**
 * Issue 8's journey, end to end over real servers: a visitor's quiz answer becomes a scored
 * lead given to the public forms' owner; the worker mails the visitor their result (a real
 * SMTP server receives it), delivers a signed `lead.created` webhook (a real receiver
 * verifies it), and puts the lead in its owner's daily digest (mailed too).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createApp } from '../src/api/app.ts';
import type { Runtime } from '../src/core/context.ts';
import { digestDrain } from '../src/worker/digest-drain.ts';
import { emailDrain } from '../src/worker/email-drain.ts';
import { webhookDrain } from '../src/worker/webhook-drain.ts';
import { createWorker } from '../src/worker/worker.ts';
import { callApi, FAST_IDENTITY, signIn, type SignedIn } from './auth.ts';
import { dbSuite } from './db.ts';

const RUNTIME: Runtime = { environment: 'production', publicUrl: 'https://crm.example.com', allowPrivateTargets: true };
const ANSWERS = { q1: 4, q2: 3, q3: 2, q4: 4, q5: 5, q6: 3, q7: 4, q8: 2, q9: 3, q10: 4 };
const quiet = { info: () => {}, error: () => {} };

/** A mail as it arrived: its envelope recipients and its raw text with soft line breaks undone. */
type Mail = { to: string[]; raw: string };

dbSuite('issue 8 journey: quiz to lead, mail, webhook and digest', ({ database }) => {
  const mails: Mail[] = [];
  const hooks: Array<{ verified: boolean; body: any }> = [];
  let smtp: SMTPServer;
  let smtpUrl = '';
  let receiver: http.Server;
  let receiverUrl = '';
  let secret = '';

  beforeAll(async () => {
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData(stream, session, callback) {
        let raw = '';
        stream.on('data', (c: Buffer) => (raw += c.toString('utf8')));
        stream.on('end', () => {
          mails.push({ to: session.envelope.rcptTo.map((r) => r.address), raw: raw.replace(/=\r\n/g, '') });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', () => resolve()));
    smtpUrl = `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`;
    receiver = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => {
        const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v ?? '')]));
        try {
          hooks.push({ verified: true, body: new Webhook(secret).verify(body, headers) });
        } catch {
          hooks.push({ verified: false, body });
        }
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', () => resolve()));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/throughline`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => smtp.close(() => resolve()));
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
  });

  it('turns a quiz answer into a scored lead, a mail in a real inbox, a verified webhook and a line in its owner\'s digest', async () => {
    const app = createApp({ database: database(), identity: FAST_IDENTITY, webDir: null, runtime: RUNTIME, timeZone: 'UTC' });
    const admin: SignedIn = await signIn(app, database(), 'admin');
    const owner: SignedIn = await signIn(app, database(), 'editor');
    await callApi(app, admin, 'PATCH', '/api/v1/settings', { public_lead_owner: owner.user.id });
    const subscribed = await callApi(app, admin, 'POST', '/api/v1/webhook_subscriptions', { url: receiverUrl, event_types: ['lead.created'], description: 'the website team' });
    secret = subscribed.secret;
    expect(secret).toMatch(/^whsec_/);

    // The visitor, anonymous, from the public quiz.
    const r = await app.request(
      '/api/v1/public/readiness',
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'journey-test' },
        body: JSON.stringify({ answers: ANSWERS, name: 'Ada Lovelace', email: 'ada@lovelace-builders.com.au', company: 'Lovelace Builders', utm_source: 'linkedin', elapsed_ms: 40_000, website: '' }),
      },
      { incoming: { socket: { remoteAddress: '203.0.113.9' } } },
    );
    const result = (await r.json()) as { score: number };
    expect(r.status).toBe(200);
    const [lead] = (await callApi(app, owner, 'GET', '/api/v1/leads?email=ada@lovelace-builders.com.au')).items;
    expect(lead).toMatchObject({ assigned_to: owner.user.id, source: 'website', utm_source: 'linkedin', status: 'new' });
    expect(lead.score).toBeGreaterThan(0);

    // The worker: the digest queues, the outbox sends, the webhook goes out.
    const worker = createWorker({
      database: database(),
      drains: [digestDrain({ hourLocal: 0, log: quiet }), emailDrain({ smtpUrl, from: 'Throughline <crm@example.com>', log: quiet }), webhookDrain()],
      log: quiet,
      identity: FAST_IDENTITY,
      timeZone: 'UTC',
      runtime: RUNTIME,
    });
    await worker.runOnce();

    const toVisitor = mails.find((m) => m.to.includes('ada@lovelace-builders.com.au'));
    expect(toVisitor, 'the visitor has their result').toBeDefined();
    expect(toVisitor!.raw).toContain(String(result.score));
    const digest = mails.find((m) => m.to.includes(owner.user.email));
    expect(digest, "the owner's digest").toBeDefined();
    expect(digest!.raw).toMatch(/New leads to contact/);
    expect(digest!.raw).toContain('Ada Lovelace (Lovelace Builders)');

    expect(hooks).toHaveLength(1);
    expect(hooks[0]!.verified).toBe(true);
    expect(hooks[0]!.body).toMatchObject({ type: 'lead.created', data: { id: lead.id } });

    // A second round the same day sends nothing again.
    await worker.runOnce();
    expect(mails.filter((m) => m.to.includes(owner.user.email))).toHaveLength(1);
    expect(hooks).toHaveLength(1);
  }, 120_000);

  it('refuses a public lead owner who cannot work leads', async () => {
    const app = createApp({ database: database(), identity: FAST_IDENTITY, webDir: null, runtime: RUNTIME });
    const admin = await signIn(app, database(), 'admin');
    const viewer = await signIn(app, database(), 'viewer');
    const refused = await callApi(app, admin, 'PATCH', '/api/v1/settings', { public_lead_owner: viewer.user.id }, 400);
    expect(refused.errors).toEqual([expect.objectContaining({ field: 'public_lead_owner' })]);
    const nobody = await callApi(app, admin, 'PATCH', '/api/v1/settings', { public_lead_owner: '00000000-0000-4000-8000-000000000000' }, 400);
    expect(nobody.errors[0].message).toMatch(/not an active user/);
  });
});
