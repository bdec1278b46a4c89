/**
 * Consent (issue 11): recording, withdrawing and reading what a person agreed to, on the API,
 * the CLI and MCP; the rules other modules enforce with it: campaign targeting (list, segment,
 * one by one) and campaigns.send_email need marketing consent in force, counted across a lead
 * and the contact it became; a withdrawal cancels queued marketing mail at once and the email
 * drain checks again before sending; the public forms' checkbox records a grant; survey
 * answers are refused and AI usage is stored without the person once they withdraw.
 */
import type http from 'node:http';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/api/app.ts';
import type { Runtime } from '../src/core/context.ts';
import { renderEmail } from '../src/core/platform/email-templates.ts';
import { MARKETING_CONSENT_WORDING } from '../src/core/sales/public-wording.ts';
import { createWorker, type WorkerLog } from '../src/worker/worker.ts';
import { emailDrain, type MailTransport } from '../src/worker/email-drain.ts';
import { expectStatus, FAST_IDENTITY, type Reply, sendAs, type SignedIn, signInCast } from './auth.ts';
import { counts, dbSuite } from './db.ts';
import { connectMcp, runCli, serveApp, stopServer } from './servers.ts';

type App = ReturnType<typeof createApp>;
type Json = Record<string, any>;

const RUNTIME: Runtime = { environment: 'development', publicUrl: 'https://crm.example.com', allowPrivateTargets: false };
const QUIET: WorkerLog = { info: () => {}, error: () => {} };
const WITHDRAWN = 'The recipient withdrew consent to marketing email';
const NO_CONSENT = 'has not agreed to marketing email (no consent in force)';

let seq = 0;
const tag = () => `${Date.now().toString(36)}${++seq}`;

dbSuite('consent', ({ database }) => {
  let app: App;
  let admin: SignedIn;
  let alice: SignedIn;
  let bob: SignedIn;
  let vic: SignedIn;

  const send = sendAs;
  const ok = expectStatus;
  const refused = async (p: Promise<Reply>, status: number, field?: string) => {
    const r = await p;
    expect(r.status, JSON.stringify(r.body)).toBe(status);
    if (field) expect(r.body.errors.map((e: { field: string }) => e.field), JSON.stringify(r.body)).toContain(field);
    return r.body;
  };
  const q = <T = Json>(text: string, params: unknown[] = []) => database().query<T>(text, params);
  const create = (who: SignedIn, table: string, data: Json) => ok(send(who, 'POST', `/api/v1/${table}`, data), 201);
  const newCompany = (who: SignedIn) => create(who, 'companies', { name: `Consent Co ${tag()}` });
  const newContact = async (who: SignedIn, extra: Json = {}) => create(who, 'contacts', { name: `Pat ${tag()}`, email: `pat.${tag()}@example.com`, ...extra });
  const newLead = (who: SignedIn, extra: Json = {}) => create(who, 'leads', { email: `lead.${tag()}@example.com`, first_name: 'Lee', company_name: `Lead Co ${tag()}`, ...extra });
  const record = (who: SignedIn, body: Json) => send(who, 'POST', '/api/v1/consents', body);
  const withdraw = (who: SignedIn, body: Json) => send(who, 'POST', '/api/v1/consents/withdraw', body);
  const grant = (who: SignedIn, kind: 'contact' | 'lead', id: string, purpose = 'marketing_email') =>
    ok(record(who, { [`${kind}_id`]: id, purpose, method: 'email', evidence: 'Replied yes to our email' }));
  const status = (who: SignedIn, kind: 'contacts' | 'leads', id: string) => ok(send(who, 'GET', `/api/v1/${kind}/${id}/consent`));
  const purposeOf = (s: Json, p: string) => s.purposes.find((x: Json) => x.purpose === p);
  const setMode = (mode: string) => ok(send(admin, 'PATCH', '/api/v1/settings', { record_visibility: mode }));
  const targetsOf = (campaignId: string) => q<{ target_type: string; target_id: string; status: string }>('select target_type, target_id, status from campaign_targets where campaign_id = $1', [campaignId]);

  /** An active email campaign with email content. */
  const emailCampaign = async (who: SignedIn, body = 'Site diaries in five minutes.\n\nReply to book a call.') => {
    const c = await create(who, 'campaigns', { name: `Campaign ${tag()}`, type: 'email' });
    await ok(send(who, 'PATCH', `/api/v1/campaigns/${c.id}`, { status: 'scheduled' }));
    await ok(send(who, 'PATCH', `/api/v1/campaigns/${c.id}`, { status: 'active' }));
    await create(who, 'campaign_content', { campaign_id: c.id, content_type: 'email', subject: 'Friday afternoons back', body });
    return c;
  };

  /** The email drain over a fake transport that keeps what it was asked to send. */
  const drainAll = async () => {
    const sent: Parameters<MailTransport['sendMail']>[0][] = [];
    const transport: MailTransport = { sendMail: async (m) => void sent.push(m) };
    const worker = createWorker({ database: database(), drains: [emailDrain({ transport, log: QUIET })], log: QUIET, runtime: RUNTIME, timeZone: 'UTC' });
    for (let i = 0; i < 20 && (await worker.runOnce()).email! > 0; i++);
    return sent;
  };
  const emailRow = async (id: string) => (await q('select * from email_queue where id = $1', [id]))[0]!;
  const marketingTo = (address: string) => q(`select * from email_queue where purpose = 'marketing_email' and "to"::text ilike $1`, [`%${address}%`]);

  beforeAll(async () => {
    app = createApp({ database: database(), identity: FAST_IDENTITY, webDir: null, timeZone: 'UTC' });
    ({ admin, alice, bob, vic } = await signInCast(app, database()));
  });

  describe('record, withdraw and status', () => {
    it('records a grant once, shows it, withdraws it at once, and keeps the history newest first, audited', async () => {
      const person = await newContact(alice);
      const first = await ok(record(alice, { contact_id: person.id, purpose: 'marketing_email', method: 'in_person', evidence: 'Asked at the expo stand', granted_at: '2026-01-10T09:00:00Z' }));
      expect(first.created).toBe(true);
      expect(first.consent).toMatchObject({ contact_id: person.id, lead_id: null, purpose: 'marketing_email', method: 'in_person', evidence: 'Asked at the expo stand', recorded_by: alice.user.id, withdrawn_at: null });
      expect(new Date(first.consent.granted_at).toISOString()).toBe('2026-01-10T09:00:00.000Z');

      // Recording again answers the grant in force, writes nothing.
      const before = await counts(database(), ['consents', 'audit_log']);
      const again = await ok(record(alice, { contact_id: person.id, purpose: 'marketing_email', method: 'form' }));
      expect(again).toMatchObject({ created: false, consent: { id: first.consent.id, method: 'in_person' } });
      expect(await counts(database(), ['consents', 'audit_log'])).toEqual(before);

      const s1 = await status(vic, 'contacts', person.id);
      expect(purposeOf(s1, 'marketing_email')).toMatchObject({ in_force: true, allowed: true, method: 'in_person', evidence: 'Asked at the expo stand', consent_id: first.consent.id });
      expect(purposeOf(s1, 'survey')).toMatchObject({ in_force: false, allowed: true, history: [] });

      const w = await ok(withdraw(alice, { contact_id: person.id, purpose: 'marketing_email', method: 'email', note: 'Unsubscribe please' }));
      expect(w).toMatchObject({ purpose: 'marketing_email', withdrawn: 1, already_withdrawn: false });
      const [row] = await q('select * from consents where id = $1', [first.consent.id]);
      expect(row).toMatchObject({ withdrawal_method: 'email', withdrawal_note: 'Unsubscribe please', withdrawn_by: alice.user.id });
      expect(row!.withdrawn_at).not.toBeNull();
      // Withdrawing again changes nothing.
      expect(await ok(withdraw(alice, { contact_id: person.id, purpose: 'marketing_email', method: 'email' }))).toMatchObject({ withdrawn: 0, already_withdrawn: true });

      const later = await ok(record(alice, { contact_id: person.id, purpose: 'marketing_email', method: 'form', evidence: 'Ticked the box again' }));
      expect(later.created).toBe(true);
      const s2 = await status(alice, 'contacts', person.id);
      const m = purposeOf(s2, 'marketing_email');
      expect(m).toMatchObject({ in_force: true, method: 'form', consent_id: later.consent.id });
      expect(m.history.map((h: Json) => h.id)).toEqual([later.consent.id, first.consent.id]);

      const audit = await q(`select action, operation, record_id from audit_log where table_name = 'consents' and record_id = any($1::uuid[]) order by at, id`, [[first.consent.id, later.consent.id]]);
      expect(audit.map((a) => [a.action, a.operation, a.record_id])).toEqual([
        ['create', 'consents.record', first.consent.id],
        ['update', 'consents.withdraw', first.consent.id],
        ['create', 'consents.record', later.consent.id],
      ]);
      // The generic read-only resource lists them.
      const listed = await ok(send(vic, 'GET', `/api/v1/consents?contact_id=${person.id}`));
      expect(listed.items.map((i: Json) => i.id).sort()).toEqual([first.consent.id, later.consent.id].sort());
      await refused(send(alice, 'POST', '/api/v1/consents/withdraw', { contact_id: person.id, purpose: 'survey', method: 'phone', note: 'x'.repeat(2001) }), 400, 'note');
    });

    it('refuses bad input field by field and writes nothing', async () => {
      const person = await newContact(alice);
      const lead = await newLead(alice);
      const before = await counts(database(), ['consents', 'audit_log']);
      const base = { contact_id: person.id, purpose: 'marketing_email', method: 'email' };
      await refused(record(alice, { ...base, lead_id: lead.id }), 400, 'contact_id');
      await refused(record(alice, { purpose: 'marketing_email', method: 'email' }), 400, 'contact_id');
      await refused(record(alice, { ...base, contact_id: 'not-a-uuid' }), 400, 'contact_id');
      await refused(record(alice, { ...base, contact_id: '7b0c8d52-5d0e-4c1b-9a51-2f3f0f6c9a11' }), 400, 'contact_id');
      await refused(record(alice, { ...base, contact_id: 42 }), 400, 'contact_id');
      await refused(record(alice, { ...base, purpose: 'newsletter' }), 400, 'purpose');
      await refused(record(alice, { ...base, method: 'telepathy' }), 400, 'method');
      await refused(record(alice, { ...base, evidence: 'x'.repeat(2001) }), 400, 'evidence');
      await refused(record(alice, { ...base, granted_at: '2999-01-01T00:00:00Z' }), 400, 'granted_at');
      await refused(record(alice, { ...base, granted_at: '2026-02-31T00:00:00Z' }), 400, 'granted_at');
      await refused(record(alice, { ...base, granted_at: 'yesterday' }), 400, 'granted_at');
      await refused(record(alice, { ...base, recorded_by: admin.user.id }), 400, 'recorded_by');
      await refused(record(alice, { ...base, withdrawn_at: '2026-01-01T00:00:00Z' }), 400, 'withdrawn_at');
      await refused(withdraw(alice, { contact_id: person.id, purpose: 'marketing_email' }), 400, 'method');
      await refused(withdraw(alice, { lead_id: lead.id, contact_id: person.id, purpose: 'survey', method: 'email' }), 400, 'contact_id');
      expect(await counts(database(), ['consents', 'audit_log'])).toEqual(before);
      await refused(send(alice, 'GET', '/api/v1/contacts/not-a-uuid/consent'), 404);
      await refused(send(alice, 'GET', '/api/v1/leads/7b0c8d52-5d0e-4c1b-9a51-2f3f0f6c9a11/consent'), 404);
    });

    it('lets viewers read but not write, and keeps another editor’s records out of reach under own visibility', async () => {
      const person = await newContact(alice);
      const before = await counts(database(), ['consents']);
      await refused(record(vic, { contact_id: person.id, purpose: 'marketing_email', method: 'email' }), 403);
      await refused(withdraw(vic, { contact_id: person.id, purpose: 'survey', method: 'email' }), 403);
      expect(await counts(database(), ['consents'])).toEqual(before);
      expect(purposeOf(await status(vic, 'contacts', person.id), 'marketing_email').in_force).toBe(false);

      const bobs = await newContact(bob);
      const bobsLead = await newLead(bob);
      await grant(bob, 'contact', bobs.id);
      await setMode('own');
      try {
        const snapshot = await q('select id, withdrawn_at from consents where contact_id = $1', [bobs.id]);
        await refused(record(alice, { contact_id: bobs.id, purpose: 'survey', method: 'email' }), 400, 'contact_id');
        await refused(record(alice, { lead_id: bobsLead.id, purpose: 'marketing_email', method: 'email' }), 400, 'lead_id');
        await refused(withdraw(alice, { contact_id: bobs.id, purpose: 'marketing_email', method: 'email' }), 400, 'contact_id');
        await refused(send(alice, 'GET', `/api/v1/contacts/${bobs.id}/consent`), 404);
        expect((await ok(send(alice, 'GET', `/api/v1/consents?contact_id=${bobs.id}`))).items).toEqual([]);
        expect(await q('select id, withdrawn_at from consents where contact_id = $1', [bobs.id])).toEqual(snapshot);
        expect(await q('select 1 from consents where lead_id = $1', [bobsLead.id])).toHaveLength(0);
        // Bob still can.
        expect(purposeOf(await status(bob, 'contacts', bobs.id), 'marketing_email').in_force).toBe(true);
      } finally {
        await setMode('all');
      }
    });

    it('records and reads through the CLI and an MCP agent, which must confirm a campaign send', async () => {
      let server: http.Server | undefined;
      let agent: Client | undefined;
      try {
        const served = await serveApp(app);
        server = served.server;
        const env = Object.fromEntries(Object.entries(process.env).filter(([k, v]) => v !== undefined && k !== 'DATABASE_URL' && !k.startsWith('THROUGHLINE_'))) as Record<string, string>;
        const cli = (args: string[]) => runCli({ ...env, NODE_NO_WARNINGS: '1', THROUGHLINE_URL: served.base, THROUGHLINE_API_KEY: alice.key }, args);
        const person = await newContact(alice);

        const recorded = await cli(['consents', 'record', '--contact-id', person.id, '--purpose', 'marketing_email', '--method', 'phone', '--evidence', 'Said yes on the call', '--json']);
        expect(recorded.code, recorded.stderr).toBe(0);
        expect(JSON.parse(recorded.stdout)).toMatchObject({ created: true, consent: { contact_id: person.id, method: 'phone' } });
        const shown = await cli(['consents', 'status-contact', person.id, '--json']);
        expect(shown.code, shown.stderr).toBe(0);
        expect(purposeOf(JSON.parse(shown.stdout), 'marketing_email')).toMatchObject({ in_force: true, method: 'phone', evidence: 'Said yes on the call' });
        const bad = await cli(['consents', 'record', '--contact-id', person.id, '--purpose', 'spam', '--method', 'phone']);
        expect(bad.code).not.toBe(0);
        expect(bad.stderr).toContain('purpose');

        agent = await connectMcp(served.base, alice.key, 'consent-test');
        const call = async (name: string, args: Json) => (await agent!.callTool({ name, arguments: args })) as { isError?: boolean; structuredContent?: Json };
        const w = await call('act', { action: 'consents.withdraw', input: { contact_id: person.id, purpose: 'marketing_email', method: 'email', note: 'Told the assistant' } });
        expect(w.isError ?? false, JSON.stringify(w.structuredContent)).toBe(false);
        expect(w.structuredContent).toMatchObject({ withdrawn: 1 });
        const s = await call('lookup', { action: 'consents.status_contact', input: { id: person.id } });
        expect(purposeOf(s.structuredContent!, 'marketing_email')).toMatchObject({ in_force: false, withdrawal_method: 'email' });

        const c = await emailCampaign(alice);
        const lead = await newLead(alice);
        await grant(alice, 'lead', lead.id);
        await ok(send(alice, 'POST', `/api/v1/campaigns/${c.id}/targets`, { targets: [{ target_type: 'lead', target_id: lead.id }] }));
        const unconfirmed = await call('act', { action: 'campaigns.send_email', input: { id: c.id } });
        expect(unconfirmed.isError).toBe(true);
        expect(unconfirmed.structuredContent!.error.code).toBe('PRECONDITION_FAILED');
        expect(await marketingTo(lead.email)).toHaveLength(0);
        const confirmed = await call('act', { action: 'campaigns.send_email', input: { id: c.id }, confirm: true });
        expect(confirmed.structuredContent).toMatchObject({ queued: 1 });
      } finally {
        await agent?.close();
        await stopServer(server);
      }
    }, 120_000);
  });

  describe('campaign targeting', () => {
    it('leaves people without consent out of a segment and counts them; companies need none', async () => {
      const c = await create(alice, 'campaigns', { name: `Segment ${tag()}`, type: 'email' });
      const utm = `consent-${tag()}`;
      const yes = [await newLead(alice, { utm_campaign: utm }), await newLead(alice, { utm_campaign: utm })];
      for (const l of yes) await grant(alice, 'lead', l.id);
      const no = await newLead(alice, { utm_campaign: utm });
      const gone = await newLead(alice, { utm_campaign: utm });
      await grant(alice, 'lead', gone.id);
      await ok(withdraw(alice, { lead_id: gone.id, purpose: 'marketing_email', method: 'email' }));
      const survey = await newLead(alice, { utm_campaign: utm });
      await grant(alice, 'lead', survey.id, 'survey'); // another purpose is not marketing consent

      const r = await ok(send(alice, 'POST', `/api/v1/campaigns/${c.id}/targets`, { segment: { leads: { utm_campaign: utm } } }));
      expect(r).toEqual({ campaign_id: c.id, added: 2, already_targeted: 0, refused: [], matched: 5, without_consent: 3 });
      expect(new Set((await targetsOf(c.id)).map((t) => t.target_id))).toEqual(new Set(yes.map((l) => l.id)));
      expect((await targetsOf(c.id)).map((t) => t.target_id)).not.toContain(no.id);
      expect(await ok(send(alice, 'POST', `/api/v1/campaigns/${c.id}/targets`, { segment: { leads: { utm_campaign: utm } } }))).toMatchObject({ added: 0, already_targeted: 2, without_consent: 3 });

      const company = await newCompany(alice);
      const staff = await newContact(alice, { company_id: company.id });
      const both = await ok(send(alice, 'POST', `/api/v1/campaigns/${c.id}/targets`, { segment: { contacts: { company_status: ['lead'] }, companies: { status: ['lead'] } } }));
      const ids = new Set((await targetsOf(c.id)).map((t) => `${t.target_type}:${t.target_id}`));
      expect(ids.has(`company:${company.id}`)).toBe(true);
      expect(ids.has(`contact:${staff.id}`)).toBe(false);
      expect(both.without_consent).toBeGreaterThanOrEqual(1);
    });

    it('refuses list entries and single targets without consent, naming them', async () => {
      const c = await create(alice, 'campaigns', { name: `List ${tag()}`, type: 'email' });
      const yes = await newContact(alice);
      await grant(alice, 'contact', yes.id);
      const no = await newContact(alice);
      const company = await newCompany(alice);
      const r = await ok(send(alice, 'POST', `/api/v1/campaigns/${c.id}/targets`, {
        targets: [
          { target_type: 'contact', target_id: no.id },
          { target_type: 'contact', target_id: yes.id },
          { target_type: 'company', target_id: company.id },
        ],
      }));
      expect(r).toMatchObject({ added: 2, refused: [{ index: 0, field: 'targets.0.target_id', message: NO_CONSENT }] });

      const before = await counts(database(), ['campaign_targets', 'status_history']);
      const body = await refused(send(alice, 'POST', '/api/v1/campaign_targets', { campaign_id: c.id, target_type: 'contact', target_id: no.id }), 400, 'target_id');
      expect(body.errors[0].message).toBe(NO_CONSENT);
      expect(await counts(database(), ['campaign_targets', 'status_history'])).toEqual(before);
      await grant(alice, 'contact', no.id);
      await create(alice, 'campaign_targets', { campaign_id: c.id, target_type: 'contact', target_id: no.id });
    });

    it("counts a lead's consent for the contact it became, and a withdrawal through the contact ends it", async () => {
      const lead = await newLead(alice, { company_name: `Convert Co ${tag()}` });
      await grant(alice, 'lead', lead.id);
      await ok(send(alice, 'POST', `/api/v1/leads/${lead.id}/qualify`, { status: 'qualified' }));
      const converted = await ok(send(alice, 'POST', `/api/v1/leads/${lead.id}/convert`, {}));
      const contactId = converted.contact.id as string;
      const s = await status(alice, 'contacts', contactId);
      expect(s.person).toMatchObject({ contact_id: contactId, lead_ids: [lead.id] });
      expect(purposeOf(s, 'marketing_email')).toMatchObject({ in_force: true, method: 'email' });
      // Recording for the contact answers the lead's grant.
      expect(await ok(record(alice, { contact_id: contactId, purpose: 'marketing_email', method: 'form' }))).toMatchObject({ created: false, consent: { lead_id: lead.id } });

      const c = await create(alice, 'campaigns', { name: `Converted ${tag()}`, type: 'email' });
      expect(await ok(send(alice, 'POST', `/api/v1/campaigns/${c.id}/targets`, { targets: [{ target_type: 'contact', target_id: contactId }] }))).toMatchObject({ added: 1, refused: [] });

      expect(await ok(withdraw(alice, { contact_id: contactId, purpose: 'marketing_email', method: 'phone' }))).toMatchObject({ withdrawn: 1 });
      expect((await q('select withdrawn_at from consents where lead_id = $1', [lead.id]))[0]!.withdrawn_at).not.toBeNull();
      expect(purposeOf(await status(alice, 'leads', lead.id), 'marketing_email').in_force).toBe(false);
      const c2 = await create(alice, 'campaigns', { name: `Converted again ${tag()}`, type: 'email' });
      expect((await ok(send(alice, 'POST', `/api/v1/campaigns/${c2.id}/targets`, { targets: [{ target_type: 'lead', target_id: lead.id }] }))).refused).toHaveLength(1);
    });
  });

  describe('marketing email', () => {
    it('queues the campaign email only to pending targets with consent and an address, once, moving them to sent', async () => {
      const c = await emailCampaign(alice, 'Hello <b>builders</b> & "friends"\n\nSecond paragraph.');
      const withConsent = await newLead(alice);
      const noAddress = await newContact(alice, { email: null, has_email: false });
      const laterWithdrew = await newContact(alice);
      const company = await newCompany(alice);
      for (const [kind, id] of [['lead', withConsent.id], ['contact', noAddress.id], ['contact', laterWithdrew.id]] as const) await grant(alice, kind, id);
      await ok(send(alice, 'POST', `/api/v1/campaigns/${c.id}/targets`, {
        targets: [
          { target_type: 'lead', target_id: withConsent.id },
          { target_type: 'contact', target_id: noAddress.id },
          { target_type: 'contact', target_id: laterWithdrew.id },
          { target_type: 'company', target_id: company.id },
        ],
      }));
      await ok(withdraw(alice, { contact_id: laterWithdrew.id, purpose: 'marketing_email', method: 'email' }));

      await refused(send(vic, 'POST', `/api/v1/campaigns/${c.id}/send_email`, {}), 403);
      const r = await ok(send(alice, 'POST', `/api/v1/campaigns/${c.id}/send_email`, {}));
      expect(r).toMatchObject({ campaign_id: c.id, queued: 1, skipped_without_consent: 1, skipped_without_address: 1, already_sent: 0 });
      const [mail] = await marketingTo(withConsent.email);
      expect(mail).toMatchObject({ template: 'campaign', purpose: 'marketing_email', status: 'pending', subject: 'Friday afternoons back' });
      expect(mail!.to).toEqual([`"Lee" <${withConsent.email}>`]);
      expect(await marketingTo(laterWithdrew.email)).toHaveLength(0);
      const targets = await targetsOf(c.id);
      const statusOf = (id: string) => targets.find((t) => t.target_id === id)!.status;
      expect([statusOf(withConsent.id), statusOf(noAddress.id), statusOf(laterWithdrew.id), statusOf(company.id)]).toEqual(['sent', 'pending', 'pending', 'pending']);
      const [target] = await q(`select id from campaign_targets where campaign_id = $1 and target_id = $2`, [c.id, withConsent.id]);
      const history = await q(`select from_status, status, exited_at from status_history where entity_type = 'campaign_target' and entity_id = $1 order by entered_at, created_at`, [target!.id]);
      expect(history.map((h) => [h.from_status, h.status])).toEqual([[null, 'pending'], ['pending', 'sent']]);
      expect(history[0]!.exited_at).not.toBeNull();

      // Once per target: a second call queues nothing more.
      expect(await ok(send(alice, 'POST', `/api/v1/campaigns/${c.id}/send_email`, {}))).toMatchObject({ queued: 0, already_sent: 1, skipped_without_consent: 1 });
      expect(await marketingTo(withConsent.email)).toHaveLength(1);

      // The email says how to withdraw and shows the body as text.
      const rendered = renderEmail('campaign', mail!.data);
      expect(rendered.text).toContain('Hello <b>builders</b>');
      expect(rendered.html).toContain('Hello &lt;b&gt;builders&lt;/b&gt; &amp; &quot;friends&quot;');
      expect(rendered.html).not.toContain('<b>builders');
      expect(rendered.text).toMatch(/reply to this email/i);
      expect(rendered.text).toMatch(/withdraw/i);
    });

    it('refuses a campaign that is not an active email campaign with email content, naming the field', async () => {
      const linkedin = await create(alice, 'campaigns', { name: `LinkedIn ${tag()}`, type: 'linkedin' });
      await refused(send(alice, 'POST', `/api/v1/campaigns/${linkedin.id}/send_email`, {}), 409, 'type');
      const draft = await create(alice, 'campaigns', { name: `Draft ${tag()}`, type: 'email' });
      await create(alice, 'campaign_content', { campaign_id: draft.id, content_type: 'email', subject: 'Hi', body: 'Body' });
      await refused(send(alice, 'POST', `/api/v1/campaigns/${draft.id}/send_email`, {}), 409, 'status');
      const empty = await create(alice, 'campaigns', { name: `Empty ${tag()}`, type: 'email' });
      await ok(send(alice, 'PATCH', `/api/v1/campaigns/${empty.id}`, { status: 'scheduled' }));
      await ok(send(alice, 'PATCH', `/api/v1/campaigns/${empty.id}`, { status: 'active' }));
      await refused(send(alice, 'POST', `/api/v1/campaigns/${empty.id}/send_email`, {}), 409, 'content');
      await refused(send(alice, 'POST', '/api/v1/campaigns/7b0c8d52-5d0e-4c1b-9a51-2f3f0f6c9a11/send_email', {}), 404);
      await refused(send(alice, 'POST', `/api/v1/campaigns/${empty.id}/send_email`, { extra: 1 }), 400, 'extra');
    });

    it('a withdrawn consent stops a queued marketing email', async () => {
      const c = await emailCampaign(alice);
      const stays = await newLead(alice);
      const leaves = await newLead(alice);
      for (const l of [stays, leaves]) await grant(alice, 'lead', l.id);
      await ok(send(alice, 'POST', `/api/v1/campaigns/${c.id}/targets`, { targets: [stays, leaves].map((l) => ({ target_type: 'lead', target_id: l.id })) }));
      expect(await ok(send(alice, 'POST', `/api/v1/campaigns/${c.id}/send_email`, {}))).toMatchObject({ queued: 2 });
      const [queued] = await marketingTo(leaves.email);
      expect(queued!.status).toBe('pending');

      const w = await ok(withdraw(alice, { lead_id: leaves.id, purpose: 'marketing_email', method: 'email', note: 'Stop' }));
      expect(w.cancelled_emails).toBe(1);
      expect(await emailRow(queued!.id)).toMatchObject({ status: 'cancelled', error: WITHDRAWN });

      const sent = await drainAll();
      const recipients = sent.flatMap((m) => m.to.map((a) => a.address));
      expect(recipients).not.toContain(leaves.email);
      expect(recipients).toContain(stays.email);
      expect(await emailRow(queued!.id)).toMatchObject({ status: 'cancelled', sent_at: null });
      expect((await marketingTo(stays.email))[0]).toMatchObject({ status: 'sent' });
    });

    it('the drain cancels a marketing email whose recipient lost consent behind the operation’s back', async () => {
      const c = await emailCampaign(alice);
      const lead = await newLead(alice);
      await grant(alice, 'lead', lead.id);
      await ok(send(alice, 'POST', `/api/v1/campaigns/${c.id}/targets`, { targets: [{ target_type: 'lead', target_id: lead.id }] }));
      await ok(send(alice, 'POST', `/api/v1/campaigns/${c.id}/send_email`, {}));
      const [queued] = await marketingTo(lead.email);
      // As a racing withdrawal (or another process) would leave it: the grant ended, the email still pending.
      await q(`update consents set withdrawn_at = now(), withdrawal_method = 'email' where lead_id = $1 and withdrawn_at is null`, [lead.id]);
      expect((await emailRow(queued!.id)).status).toBe('pending');
      const sent = await drainAll();
      expect(sent.flatMap((m) => m.to.map((a) => a.address))).not.toContain(lead.email);
      expect(await emailRow(queued!.id)).toMatchObject({ status: 'cancelled', error: WITHDRAWN, sent_at: null });
    });
  });

  describe('the public forms', () => {
    const visitor = (path: string, body: Json, ip: string) =>
      app.request(path, { method: 'POST', headers: { 'content-type': 'application/json', 'user-agent': 'consent-test' }, body: JSON.stringify(body) }, { incoming: { socket: { remoteAddress: ip } } });
    const HUMAN = { elapsed_ms: 45_000, website: '' };

    it('records a marketing grant, method form, with the wording shown, only when the box is ticked', async () => {
      const ticked = `ticked.${tag()}@builders.example`;
      const r = await visitor('/api/v1/public/leads', { name: 'Tick Person', email: ticked, consent_marketing: true, ...HUMAN }, '198.51.100.7');
      expect(r.status).toBe(201);
      const [lead] = await q('select id from leads where email = $1', [ticked]);
      const rows = await q('select * from consents where lead_id = $1', [lead!.id]);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ purpose: 'marketing_email', method: 'form', recorded_by: null, withdrawn_at: null });
      expect(rows[0]!.evidence).toContain(MARKETING_CONSENT_WORDING);
      expect(rows[0]!.evidence).toContain('contact form');
      // A repeat post keeps the one grant.
      expect((await visitor('/api/v1/public/leads', { name: 'Tick Person', email: ticked, consent_marketing: true, ...HUMAN }, '198.51.100.7')).status).toBe(201);
      expect(await q('select 1 from consents where lead_id = $1', [lead!.id])).toHaveLength(1);

      const quizEmail = `quiz.${tag()}@builders.example`;
      const answers = { q1: 4, q2: 3, q3: 2, q4: 4, q5: 5, q6: 3, q7: 4, q8: 2, q9: 3, q10: 4 };
      expect((await visitor('/api/v1/public/readiness', { answers, name: 'Quiz Person', email: quizEmail, consent_marketing: true, ...HUMAN }, '198.51.100.8')).status).toBe(200);
      const [quizConsent] = await q('select k.method, k.evidence from consents k join leads l on l.id = k.lead_id where l.email = $1', [quizEmail]);
      expect(quizConsent!.evidence).toContain('quiz');

      const unticked = `unticked.${tag()}@builders.example`;
      expect((await visitor('/api/v1/public/leads', { name: 'No Tick', email: unticked, ...HUMAN }, '198.51.100.9')).status).toBe(201);
      expect((await visitor('/api/v1/public/leads', { name: 'False Tick', email: `f${unticked}`, consent_marketing: false, ...HUMAN }, '198.51.100.9')).status).toBe(201);
      expect(await q('select 1 from consents k join leads l on l.id = k.lead_id where l.email in ($1, $2)', [unticked, `f${unticked}`])).toHaveLength(0);

      const before = await counts(database(), ['consents', 'leads']);
      const bad = await visitor('/api/v1/public/leads', { name: 'Bad Tick', email: `bad.${tag()}@builders.example`, consent_marketing: 'yes', ...HUMAN }, '198.51.100.10');
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as Json).errors.map((e: Json) => e.field)).toContain('consent_marketing');
      // A bot (honeypot filled) stores nothing, consent included.
      await visitor('/api/v1/public/leads', { name: 'Bot', email: `bot.${tag()}@spam.example`, consent_marketing: true, elapsed_ms: 45_000, website: 'x' }, '198.51.100.11');
      expect(await counts(database(), ['consents', 'leads'])).toEqual(before);
    });
  });

  describe('surveys and usage tracking', () => {
    it('refuses survey answers for a contact who withdrew survey consent', async () => {
      const company = await newCompany(alice);
      const out = await newContact(alice, { company_id: company.id });
      const stays = await newContact(alice, { company_id: company.id });
      expect(purposeOf(await status(alice, 'contacts', out.id), 'survey').allowed).toBe(true);
      const w = await ok(withdraw(alice, { contact_id: out.id, purpose: 'survey', method: 'email', note: 'No more surveys' }));
      expect(w).toMatchObject({ withdrawn: 1, already_withdrawn: false });
      expect(purposeOf(await status(alice, 'contacts', out.id), 'survey')).toMatchObject({ in_force: false, allowed: false, withdrawal_method: 'email' });

      const before = await counts(database(), ['survey_responses']);
      const body = await refused(send(alice, 'POST', '/api/v1/survey_responses', { contact_id: out.id, company_id: company.id, survey_type: 'audit', question: 'Which tools do you use?' }), 400, 'contact_id');
      expect(JSON.stringify(body)).toContain('withdrawn consent to surveys');
      expect(await counts(database(), ['survey_responses'])).toEqual(before);
      await create(alice, 'survey_responses', { contact_id: stays.id, company_id: company.id, survey_type: 'audit', question: 'Which tools do you use?' });
      // In bulk too: the whole batch is refused, naming the item, and nothing is written.
      const answer = (contact: unknown) => ({ contact_id: contact, company_id: company.id, survey_type: 'audit', question: 'How many hours a week go on reports?' });
      const bulk = await refused(send(alice, 'POST', '/api/v1/survey_responses/bulk', { items: [answer(stays.id), answer(out.id)] }), 400, 'items[1].contact_id');
      expect(JSON.stringify(bulk)).toContain('withdrawn consent to surveys');
      expect(await counts(database(), ['survey_responses'])).toEqual({ survey_responses: before.survey_responses! + 1 });

      // Agreeing again lifts it.
      await grant(alice, 'contact', out.id, 'survey');
      await create(alice, 'survey_responses', { contact_id: out.id, company_id: company.id, survey_type: 'audit', question: 'Which tools do you use?' });
    });

    it('stores AI usage of a contact who withdrew usage tracking without the person, so totals still add up', async () => {
      const company = await newCompany(alice);
      const engagement = await create(alice, 'engagements', { company_id: company.id, name: `Engagement ${tag()}` });
      const out = await newContact(alice, { company_id: company.id });
      const stays = await newContact(alice, { company_id: company.id });
      await ok(withdraw(alice, { contact_id: out.id, purpose: 'usage_tracking', method: 'in_person' }));

      const one = await ok(send(alice, 'POST', '/api/v1/ai_usage', { engagement_id: engagement.id, contact_id: out.id, usage_date: '2026-03-02', tokens_used: 1000 }), 201);
      expect(one.record).toMatchObject({ contact_id: null, company_id: company.id, tokens_used: 1000 });
      const batch = await ok(send(alice, 'POST', '/api/v1/ai_usage/ingest', {
        engagement_id: engagement.id,
        items: [
          { contact_id: out.id, usage_date: '2026-03-03', tokens_used: 500 },
          { contact_id: stays.id, usage_date: '2026-03-03', tokens_used: 250 },
        ],
      }), 201);
      expect(batch).toMatchObject({ received: 2, inserted: 2 });
      const rows = await q('select contact_id, tokens_used::int as t from ai_usage where engagement_id = $1 order by usage_date, tokens_used', [engagement.id]);
      expect(rows).toEqual([{ contact_id: null, t: 1000 }, { contact_id: stays.id, t: 250 }, { contact_id: null, t: 500 }]);
      expect(await q('select 1 from ai_usage where contact_id = $1', [out.id])).toHaveLength(0);
      const monthly = await q('select contact_id, tokens_used::int as t from ai_usage_monthly where engagement_id = $1 order by contact_id nulls first', [engagement.id]);
      expect(monthly).toEqual([{ contact_id: null, t: 1500 }, { contact_id: stays.id, t: 250 }]);
    });
  });
});
