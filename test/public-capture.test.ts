/**
 * Public lead capture through the HTTP API, as an anonymous website visitor: the quiz becomes
 * a scored website lead with its UTM attribution, a completed assessment and an analytics
 * event; a repeat visitor updates their lead; bots get a normal answer and are dropped;
 * unknown fields are ignored, wrong types refused, markup stored as text; a burst from one
 * address gets 429s; addresses are kept anonymised; every other operation stays closed.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/api/app.ts';
import { scoreReadiness } from '../src/core/assessment/readiness.ts';
import { calculateRoiFigures } from '../src/core/assessment/roi.ts';
import { FAST_IDENTITY, signIn, callApi, type SignedIn } from './auth.ts';
import type { Database } from '../src/db/client.ts';
import { counts, dbSuite } from './db.ts';

type App = ReturnType<typeof createApp>;
type Reply = { status: number; headers: Headers; body: any };

const from = (ip: string) => ({ incoming: { socket: { remoteAddress: ip } } });

/** Sends as an anonymous visitor from `ip` (no credentials, no cookie). */
async function send(app: App, method: string, path: string, body: unknown, ip: string, headers: Record<string, string> = {}): Promise<Reply> {
  const init: RequestInit = { method, headers: { 'user-agent': 'public-capture-test', ...headers } };
  if (body !== undefined) {
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
    (init.headers as Record<string, string>)['content-type'] = 'application/json';
  }
  const r = await app.request(path, init, from(ip));
  const text = await r.text();
  return { status: r.status, headers: r.headers, body: text ? JSON.parse(text) : undefined };
}

const ANSWERS = { q1: 4, q2: 3, q3: 2, q4: 4, q5: 5, q6: 3, q7: 4, q8: 2, q9: 3, q10: 4 };
const HUMAN = { elapsed_ms: 45_000, website: '' };

const quiz = (over: Record<string, unknown> = {}) => ({
  answers: ANSWERS,
  name: 'Ada Lovelace',
  email: 'ada@lovelace-builders.com.au',
  company: 'Lovelace Builders',
  utm_source: 'linkedin',
  utm_medium: 'social',
  utm_campaign: 'spring-readiness',
  referrer: 'https://www.linkedin.com/',
  landing_page: 'https://example.com/quiz?utm_source=linkedin',
  session_id: 'sess_quiz_1',
  ...HUMAN,
  ...over,
});

const contact = (over: Record<string, unknown> = {}) => ({
  name: 'Grace Hopper',
  email: 'grace@hopper-eng.com',
  company: 'Hopper Engineering',
  message: 'We would like to talk about automating our estimating process this quarter.',
  ...HUMAN,
  ...over,
});

const ROI = {
  currency: 'AUD',
  teams: [{ name: 'Estimators', employees: 4, average_salary: '95000', inefficiency_percent: '20' }],
  setup_cost: '15000',
  monthly_cost: '500',
};

const TABLES = ['leads', 'lead_scores', 'readiness_assessments', 'roi_calculations', 'interactions', 'analytics_events', 'email_queue', 'audit_log'];

async function leadsByEmail(db: Database, email: string) {
  return (await db.query(`select * from leads where lower(email) = lower($1) order by created_at`, [email])) as any[];
}

dbSuite('public lead capture', ({ database }) => {
  let app: App;
  let admin: SignedIn;
  beforeAll(async () => {
    app = createApp({ database: database(), identity: FAST_IDENTITY, webDir: null, runtime: { environment: 'development', allowPrivateTargets: false } });
    admin = await signIn(app, database(), 'admin');
  });

  it('turns a completed quiz into a scored website lead with its UTM fields, an assessment and a quiz_completed event', async () => {
    const r = await send(app, 'POST', '/api/v1/public/readiness', quiz(), '203.0.113.7');
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const expected = scoreReadiness(ANSWERS);
    expect(r.body).toMatchObject({
      score: expected.score,
      band: expected.tier,
      category_scores: expected.category_scores,
      strengths: expected.strengths,
      weaknesses: expected.weaknesses,
      recommendations: expected.recommendations,
    });
    expect(r.body.summary).toContain(`${expected.score} out of 100`);
    // Nothing internal goes back to an anonymous visitor.
    expect(JSON.stringify(r.body)).not.toMatch(/lead_id|"id"/);

    const [lead, ...more] = await leadsByEmail(database(), 'ada@lovelace-builders.com.au');
    expect(more).toHaveLength(0);
    expect(lead).toMatchObject({
      first_name: 'Ada',
      last_name: 'Lovelace',
      company_name: 'Lovelace Builders',
      source: 'website',
      status: 'new',
      utm_source: 'linkedin',
      utm_medium: 'social',
      utm_campaign: 'spring-readiness',
      ip_address: '203.0.113.0',
      user_agent: 'public-capture-test',
      assigned_to: null,
    });
    // Scored on arrival by seed 001's rule: 40 base + 15 company + 20 business email.
    expect(lead.score).toBe(75);
    const scores = await database().query<{ score: number }>('select score from lead_scores where lead_id = $1', [lead.id]);
    expect(scores).toEqual([{ score: 75 }]);

    const assessments = await database().query<any>('select * from readiness_assessments where lead_id = $1', [lead.id]);
    expect(assessments).toHaveLength(1);
    expect(assessments[0]).toMatchObject({ status: 'completed', email: 'ada@lovelace-builders.com.au', score: expected.score, tier: expected.tier, answers: ANSWERS });
    const interactions = await database().query<any>('select type from interactions where lead_id = $1', [lead.id]);
    expect(interactions.map((i) => i.type)).toEqual(['assessment_completed']);

    const events = await database().query<any>(`select * from analytics_events where event = 'quiz_completed' and properties->>'lead_id' = $1`, [lead.id]);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ session_id: 'sess_quiz_1', url: 'https://example.com/quiz?utm_source=linkedin', referrer: 'https://www.linkedin.com/', ip_address: '203.0.113.0', user_id: null });
    expect(events[0].properties).toMatchObject({ score: expected.score, tier: expected.tier, utm_source: 'linkedin', utm_campaign: 'spring-readiness', readiness_assessment_id: assessments[0].id, new_lead: true });

    // The results are queued for the visitor in the same transaction, once per assessment.
    const mails = await database().query<any>(`select "to", template, data, idempotency_key, status from email_queue where idempotency_key = $1`, [`assessment_results:${assessments[0].id}`]);
    expect(mails).toHaveLength(1);
    expect(mails[0]).toMatchObject({ to: ['"Ada Lovelace" <ada@lovelace-builders.com.au>'], template: 'assessment_results', status: 'pending' });
    expect(mails[0].data).toMatchObject({ recipient_name: 'Ada', company_name: 'Lovelace Builders', score: expected.score, band: expected.tier });

    // Audited as the public form, with the address anonymised there too.
    const audit = await database().query<any>(`select actor_type, actor_label, operation, ip_address from audit_log where table_name = 'leads' and record_id = $1`, [lead.id]);
    expect(audit).toEqual([{ actor_type: 'system', actor_label: 'public form', operation: 'public.readiness', ip_address: '203.0.113.0' }]);

    // The sales team sees the lead and its score through the API.
    const seen = await callApi(app, admin, 'GET', `/api/v1/leads/${lead.id}`);
    expect(seen).toMatchObject({ score: 75, source: 'website', utm_campaign: 'spring-readiness' });
  });

  it('updates the lead of a repeat visitor (email in any case) instead of adding another', async () => {
    const first = await send(app, 'POST', '/api/v1/public/readiness', quiz({ email: 'Grace@Hopper-Eng.COM', name: 'Grace Hopper', company: 'Hopper Eng', utm_source: 'google', utm_medium: 'cpc', utm_campaign: 'first-touch' }), '203.0.113.20');
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    const second = await send(
      app,
      'POST',
      '/api/v1/public/readiness',
      quiz({ email: 'grace@hopper-eng.com', name: 'G. Hopper', company: 'Another Name', phone: '+61 400 000 000', utm_source: 'newsletter', utm_medium: 'email', utm_campaign: 'second-touch', answers: { ...ANSWERS, q1: 5, q2: 5 } }),
      '203.0.113.20',
    );
    expect(second.status, JSON.stringify(second.body)).toBe(200);
    expect(second.body.score).toBe(scoreReadiness({ ...ANSWERS, q1: 5, q2: 5 }).score);

    const rows = await leadsByEmail(database(), 'grace@hopper-eng.com');
    expect(rows).toHaveLength(1);
    const lead = rows[0];
    // Blank fields are filled; what was there (name, company, first-touch attribution) is kept.
    expect(lead).toMatchObject({ first_name: 'Grace', last_name: 'Hopper', company_name: 'Hopper Eng', phone: '+61 400 000 000', utm_source: 'google', utm_campaign: 'first-touch', version: 2 });
    // The phone added 10 points, recorded as a second score row.
    expect(lead.score).toBe(85);
    const scores = await database().query<{ score: number }>('select score from lead_scores where lead_id = $1 order by calculated_at', [lead.id]);
    expect(scores.map((s) => s.score)).toEqual([75, 85]);
    const assessments = await database().query<any>('select score from readiness_assessments where lead_id = $1 order by created_at', [lead.id]);
    expect(assessments.map((a) => a.score)).toEqual([scoreReadiness(ANSWERS).score, second.body.score]);
    const events = await database().query<any>(`select properties from analytics_events where event = 'quiz_completed' and properties->>'lead_id' = $1 order by created_at`, [lead.id]);
    expect(events.map((e) => e.properties.new_lead)).toEqual([true, false]);
  });

  it('makes one lead of simultaneous posts for one email', async () => {
    const email = 'Same.Time@Builders.example';
    const replies = await Promise.all(
      ['203.0.113.121', '203.0.113.122', '203.0.113.123'].map((ip, i) => send(app, 'POST', '/api/v1/public/leads', contact({ email: i ? email.toLowerCase() : email, message: `Message number ${i}` }), ip)),
    );
    expect(replies.map((r) => r.status)).toEqual([201, 201, 201]);
    const rows = await leadsByEmail(database(), email);
    expect(rows).toHaveLength(1);
    const messages = await database().query<any>('select content from interactions where lead_id = $1 order by content', [rows[0].id]);
    expect(messages.map((m) => m.content)).toEqual(['Message number 0', 'Message number 1', 'Message number 2']);
  });

  it('answers a bot (honeypot filled, or sent in 500 ms) like a person and stores nothing', async () => {
    const real = await send(app, 'POST', '/api/v1/public/readiness', quiz({ email: 'real-person@builders.example' }), '203.0.113.30');
    expect(real.status).toBe(200);
    const before = await counts(database(), TABLES);

    const honeypot = await send(app, 'POST', '/api/v1/public/readiness', quiz({ email: 'bot1@spam.example', website: 'http://buy-now.example' }), '203.0.113.31');
    const tooFast = await send(app, 'POST', '/api/v1/public/readiness', quiz({ email: 'bot2@spam.example', elapsed_ms: 500, answers: { ...ANSWERS, q10: 1 } }), '203.0.113.31');
    for (const r of [honeypot, tooFast]) {
      expect(r.status, JSON.stringify(r.body)).toBe(real.status);
      expect(Object.keys(r.body).sort()).toEqual(Object.keys(real.body).sort());
    }
    // Figures computed from the bot's own answers, as a person would get them.
    expect(honeypot.body).toEqual(real.body);
    expect(tooFast.body.score).toBe(scoreReadiness({ ...ANSWERS, q10: 1 }).score);

    const realContact = await send(app, 'POST', '/api/v1/public/leads', contact({ email: 'real-contact@builders.example' }), '203.0.113.32');
    expect(realContact.status).toBe(201);
    const afterReal = await counts(database(), TABLES);
    const botContact = await send(app, 'POST', '/api/v1/public/leads', contact({ email: 'bot3@spam.example', website: 'x' }), '203.0.113.31');
    expect(botContact.status).toBe(201);
    expect(botContact.body).toEqual(realContact.body);
    const botRoi = await send(app, 'POST', '/api/v1/public/roi', { ...ROI, email: 'bot4@spam.example', name: 'Bot', elapsed_ms: 500 }, '203.0.113.31');
    expect(botRoi.status).toBe(200);
    expect(botRoi.body).toEqual(calculateRoiFigures(ROI as never).results);

    expect(afterReal.leads).toBe(before.leads! + 1);
    expect(await counts(database(), TABLES)).toEqual(afterReal);
    for (const e of ['bot1@spam.example', 'bot2@spam.example', 'bot3@spam.example', 'bot4@spam.example']) expect(await leadsByEmail(database(), e)).toEqual([]);
  });

  it('ignores unknown fields and never lets a visitor set what the system decides', async () => {
    const r = await send(
      app,
      'POST',
      '/api/v1/public/leads',
      contact({ email: 'extra-fields@builders.example', score: 100, status: 'converted', source: 'referral', assigned_to: admin.user.id, id: '00000000-0000-4000-8000-000000000001', role: 'admin', favourite_colour: 'green' }),
      '203.0.113.40',
    );
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body).toEqual({ received: true, message: expect.any(String) });
    const [lead] = await leadsByEmail(database(), 'extra-fields@builders.example');
    expect(lead).toMatchObject({ status: 'new', source: 'website', assigned_to: null, score: 85 });
    expect(lead.id).not.toBe('00000000-0000-4000-8000-000000000001');
    const interactions = await database().query<any>('select type, direction, content from interactions where lead_id = $1', [lead.id]);
    expect(interactions).toEqual([{ type: 'other', direction: 'inbound', content: contact().message }]);
  });

  it('refuses wrong types and oversized input with 400 naming the field, and writes nothing', async () => {
    const before = await counts(database(), TABLES);
    const cases: Array<[string, unknown, string]> = [
      ['/api/v1/public/leads', contact({ name: 12345 }), 'name'],
      ['/api/v1/public/leads', contact({ email: ['a@b.example'] }), 'email'],
      ['/api/v1/public/leads', contact({ elapsed_ms: '45000' }), 'elapsed_ms'],
      ['/api/v1/public/leads', contact({ message: 'x'.repeat(40_000) }), 'message'],
      ['/api/v1/public/leads', contact({ utm_source: 'u'.repeat(201) }), 'utm_source'],
      ['/api/v1/public/readiness', quiz({ answers: { ...ANSWERS, q1: '5' } }), 'answers.q1'],
      ['/api/v1/public/readiness', quiz({ answers: { ...ANSWERS, q11: 3 } }), 'answers.q11'],
      ['/api/v1/public/readiness', quiz({ answers: { ...ANSWERS, q2: 6 } }), 'answers.q2'],
      ['/api/v1/public/roi', { ...ROI, teams: Array.from({ length: 21 }, () => ROI.teams[0]) }, 'teams'],
      ['/api/v1/public/events', { event: 'purchase_made' }, 'event'],
      ['/api/v1/public/events', { event: 'page_view', properties: { 'not a name!': 1 } }, 'properties.not a name!'],
      ['/api/v1/public/events', { event: 'page_view', properties: { page: 'p'.repeat(201) } }, 'properties.page'],
    ];
    for (const [path, body, field] of cases) {
      const r = await send(app, 'POST', path, body, '203.0.113.50');
      expect(r.status, `${path} ${field}: ${JSON.stringify(r.body)}`).toBe(400);
      expect(r.body.code).toBe('VALIDATION');
      expect(r.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    }
    // A body over the app's 1 MB limit is refused before it is parsed.
    const huge = await send(app, 'POST', '/api/v1/public/leads', JSON.stringify(contact({ message: 'x'.repeat(1_100_000) })), '203.0.113.50');
    expect(huge.status).toBe(413);
    expect(await counts(database(), TABLES)).toEqual(before);
  });

  it('stores markup in a name and a message as plain text', async () => {
    const name = '"><img src=x onerror=alert(1)> <script>alert(2)</script>';
    const message = '[x](javascript:alert(1)) <b onmouseover=alert(3)>hover</b> and some more words to pass fifty characters';
    const r = await send(app, 'POST', '/api/v1/public/leads', contact({ email: 'xss@builders.example', name, message }), '203.0.113.60');
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    const [lead] = await leadsByEmail(database(), 'xss@builders.example');
    expect(`${lead.first_name} ${lead.last_name}`).toBe(name);
    expect(lead.message).toBe(message);
    const seen = await callApi(app, admin, 'GET', `/api/v1/leads/${lead.id}`);
    expect(seen.first_name).toBe('"><img');
    expect(seen.message).toBe(message);
  });

  it('answers a burst from one address with 429 and Retry-After, while another address still passes', async () => {
    const burst = '198.51.100.77';
    for (let i = 0; i < 10; i++) {
      const r = await send(app, 'POST', '/api/v1/public/leads', contact({ email: `burst-${i}@builders.example` }), burst);
      expect(r.status, `post ${i}: ${JSON.stringify(r.body)}`).toBe(201);
    }
    const refused = await send(app, 'POST', '/api/v1/public/leads', contact({ email: 'burst-10@builders.example' }), burst);
    expect(refused.status, JSON.stringify(refused.body)).toBe(429);
    expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(600);
    expect(refused.body).toMatchObject({ code: 'RATE_LIMITED', retry_after_seconds: retryAfter, limit: 10, window_seconds: 600 });
    expect(await leadsByEmail(database(), 'burst-10@builders.example')).toEqual([]);
    // The quiz shares the budget; a bot's post counts as well.
    expect((await send(app, 'POST', '/api/v1/public/readiness', quiz({ website: 'spam' }), burst)).status).toBe(429);
    // The same client stepping through its IPv4-mapped form is the same address.
    expect((await send(app, 'POST', '/api/v1/public/leads', contact({ email: 'burst-11@builders.example' }), `::ffff:${burst}`)).status).toBe(429);

    const other = await send(app, 'POST', '/api/v1/public/leads', contact({ email: 'other-address@builders.example' }), '198.51.100.78');
    expect(other.status, JSON.stringify(other.body)).toBe(201);
    expect(await leadsByEmail(database(), 'other-address@builders.example')).toHaveLength(1);
  });

  it('keeps the analytics event address anonymised and the user agent truncated', async () => {
    const cases: Array<[string, string]> = [
      ['203.0.113.77', '203.0.113.0'],
      ['::ffff:198.51.100.23', '198.51.100.0'],
      ['2001:db8:abcd:1234:5678::1', '2001:db8:abcd::'],
    ];
    for (const [ip, kept] of cases) {
      const session = `sess_anon_${kept.replace(/[^0-9a-f]/g, '')}`;
      const r = await send(app, 'POST', '/api/v1/public/events', { event: 'page_view', session_id: session, url: 'https://example.com/quiz', properties: { page: 'quiz', step: 1, ad: null } }, ip, { 'user-agent': `Mozilla/5.0 ${'x'.repeat(1000)}` });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      const [event] = await database().query<any>('select * from analytics_events where session_id = $1', [session]);
      expect(event).toMatchObject({ event: 'page_view', ip_address: kept, url: 'https://example.com/quiz', properties: { page: 'quiz', step: 1, ad: null } });
      expect(event.user_agent).toHaveLength(256);
      expect(event.user_agent.startsWith('Mozilla/5.0 x')).toBe(true);
    }
    // A `__proto__` property is dropped, never stored and never merged into anything.
    const proto = await send(app, 'POST', '/api/v1/public/events', '{"event": "form_viewed", "session_id": "sess_proto", "properties": {"__proto__": {"polluted": true}, "form": "contact"}}', '203.0.113.78');
    expect(proto.status, JSON.stringify(proto.body)).toBe(201);
    const [protoEvent] = await database().query<any>(`select properties::text as p from analytics_events where session_id = 'sess_proto'`);
    expect(JSON.parse(protoEvent.p)).toEqual({ form: 'contact' });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const raw = await database().query<any>(`select count(*)::int as n from analytics_events where ip_address in ('203.0.113.77', '198.51.100.23') or ip_address like '2001:db8:abcd:1234%'`);
    expect(raw[0].n).toBe(0);
  });

  it('runs the ROI calculator for a visitor, and with an email captures the lead and the calculation', async () => {
    const before = await counts(database(), TABLES);
    const anon = await send(app, 'POST', '/api/v1/public/roi', { ...ROI, ...HUMAN }, '203.0.113.90');
    expect(anon.status, JSON.stringify(anon.body)).toBe(200);
    expect(anon.body).toEqual(calculateRoiFigures(ROI as never).results);
    expect(await counts(database(), TABLES)).toEqual(before);

    const withEmail = await send(app, 'POST', '/api/v1/public/roi', { ...ROI, ...HUMAN, name: 'Roi Visitor', email: 'roi@builders.example', company: 'ROI Builders', utm_source: 'google', session_id: 'sess_roi' }, '203.0.113.90');
    expect(withEmail.status, JSON.stringify(withEmail.body)).toBe(200);
    expect(withEmail.body).toEqual(anon.body);
    const [lead] = await leadsByEmail(database(), 'roi@builders.example');
    expect(lead).toMatchObject({ source: 'website', utm_source: 'google', company_name: 'ROI Builders', score: 75 });
    const calcs = await database().query<any>('select type, total_value, roi from roi_calculations where lead_id = $1', [lead.id]);
    expect(calcs).toEqual([{ type: 'roi', total_value: anon.body.annual_savings, roi: anon.body.roi_percent }]);
    const events = await database().query<any>(`select properties from analytics_events where event = 'roi_calculated' and session_id = 'sess_roi'`);
    expect(events).toHaveLength(1);
    expect(events[0].properties).toMatchObject({ lead_id: lead.id, annual_savings: anon.body.annual_savings });
  });

  it('serves the questionnaire to anyone and keeps every signed-in operation closed to anonymous callers', async () => {
    const q = await send(app, 'GET', '/api/v1/public/readiness/questions', undefined, '203.0.113.100');
    expect(q.status).toBe(200);
    expect(q.body.questions).toHaveLength(10);
    expect(q.body.questions[0]).toMatchObject({ id: 'q1', category: 'technology', scale: { 1: expect.any(String), 5: expect.any(String) } });

    const closed: Array<[string, string, unknown?]> = [
      ['GET', '/api/v1/leads'],
      ['POST', '/api/v1/leads', { data: { email: 'x@y.example' } }],
      ['GET', '/api/v1/analytics_events'],
      ['GET', '/api/v1/readiness/questions'],
      ['POST', '/api/v1/readiness_assessments/start', { answers: {} }],
      ['POST', '/api/v1/roi/calculations', ROI],
      ['POST', '/api/v1/roi/preview', { type: 'roi', ...ROI }],
      ['GET', '/api/v1/schema'],
    ];
    for (const [method, path, body] of closed) {
      const r = await send(app, method, path, body, '203.0.113.100');
      expect(r.status, `${method} ${path}`).toBe(401);
    }
    // A browser on another site cannot post the form (the CSRF check public operations keep).
    const csrf = await send(app, 'POST', '/api/v1/public/leads', contact({ email: 'csrf@builders.example' }), '203.0.113.100', { origin: 'https://evil.example' });
    expect(csrf.status).toBe(403);
    expect(await leadsByEmail(database(), 'csrf@builders.example')).toEqual([]);
  });
});

describe('public operations in the registry', () => {
  it('are public, need no more than read, and are not offered to agents', async () => {
    const { operations, offeredToAgents } = await import('../src/core/registry.ts');
    const mine = operations.filter((x) => x.name.startsWith('public.'));
    expect(mine.map((o) => o.name).sort()).toEqual(['public.contact', 'public.event', 'public.questions', 'public.readiness', 'public.roi']);
    for (const o of mine) {
      expect(o.public).toBe(true);
      expect(o.scope).toBe('read');
      expect(offeredToAgents(o)).toBe(false);
    }
  });
});
