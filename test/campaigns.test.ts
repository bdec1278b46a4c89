/**
 * Campaigns (seed 004): metrics whose cost per conversion and ROI the database computes, a
 * performance view whose rates come from the totals (exact decimals, never the mean of the
 * periods), the campaign and target pipelines, targets that must name a record the caller can
 * see, campaigns.add_targets by list and by segment (counted, idempotent, refused entries named),
 * and every saved text of campaign content kept as a version.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/api/app.ts';
import { deleteRecord } from '../src/core/resource.ts';
import { resource } from '../src/core/resources.ts';
import { expectStatus, FAST_IDENTITY, type Reply, sendAs, type SignedIn, signInCast } from './auth.ts';
import { counts, dbSuite } from './db.ts';

type App = ReturnType<typeof createApp>;

dbSuite('campaigns', ({ database, ctx }) => {
  let app: App;
  let admin: SignedIn;
  let alice: SignedIn;
  let bob: SignedIn;
  let vic: SignedIn;
  const tag = () => randomBytes(4).toString('hex');

  const send = sendAs;
  const ok = expectStatus;
  const refused = async (p: Promise<Reply>, status: number, field?: string) => {
    const r = await p;
    expect(r.status, JSON.stringify(r.body)).toBe(status);
    if (field) expect(r.body.errors.map((e: { field: string }) => e.field), JSON.stringify(r.body)).toContain(field);
    return r.body;
  };
  const create = (who: SignedIn, table: string, data: Record<string, unknown>) => ok(send(who, 'POST', `/api/v1/${table}`, data), 201);
  const patch = (who: SignedIn, table: string, id: string, data: Record<string, unknown>) => send(who, 'PATCH', `/api/v1/${table}/${id}`, data);
  const q = <T = Record<string, any>>(text: string, params: unknown[] = []) => database().query<T>(text, params);
  const newCampaign = (who: SignedIn, extra: Record<string, unknown> = {}) => create(who, 'campaigns', { name: `Campaign ${tag()}`, type: 'email', ...extra });
  // Leads and contacts are targeted only with marketing consent in force: the people these tests target agreed to it.
  const agreed = async (who: SignedIn, kind: 'lead' | 'contact', row: any): Promise<any> => {
    await ok(send(who, 'POST', '/api/v1/consents', { [`${kind}_id`]: row.id, purpose: 'marketing_email', method: 'email', evidence: 'Replied yes to our email' }));
    return row;
  };
  const newLead = async (who: SignedIn, extra: Record<string, unknown> = {}) => agreed(who, 'lead', await create(who, 'leads', { email: `lead.${tag()}@example.com`, company_name: `Lead Co ${tag()}`, ...extra }));
  const newContact = async (who: SignedIn, data: Record<string, unknown>) => agreed(who, 'contact', await create(who, 'contacts', data));
  const addTargets = (who: SignedIn, campaignId: string, body: Record<string, unknown>) => send(who, 'POST', `/api/v1/campaigns/${campaignId}/targets`, body);
  const performance = (who: SignedIn, campaignId: string) => ok(send(who, 'GET', `/api/v1/campaigns/${campaignId}/performance`));
  const setVisibility = (mode: string) => ok(send(admin, 'PATCH', '/api/v1/settings', { record_visibility: mode }));
  const targetsOf = (campaignId: string) => q<{ target_type: string; target_id: string; status: string }>('select target_type, target_id, status from campaign_targets where campaign_id = $1 order by target_type, target_id', [campaignId]);

  beforeAll(async () => {
    app = createApp({ database: database(), identity: FAST_IDENTITY, webDir: null, timeZone: 'UTC' });
    ({ admin, alice, bob, vic } = await signInCast(app, database()));
  });

  describe('metrics and performance', () => {
    it('stores cost per conversion and ROI per period, and works the rates out from the totals', async () => {
      const c = await newCampaign(alice, { budget: '4500.00', currency: 'AUD' });
      const march = await create(alice, 'campaign_metrics', { campaign_id: c.id, period: '2026-03-01', impressions: 1200, opens: 420, clicks: 61, conversions: 2, spend: '1500.00', revenue: '900.00' });
      const april = await create(alice, 'campaign_metrics', { campaign_id: c.id, period: '2026-04-01', impressions: 1600, opens: 510, clicks: 83, conversions: 3, spend: '1500.00', revenue: '2550.00' });
      expect([march.cost_per_conversion, march.roi]).toEqual(['750.00', '-40.00']);
      expect([april.cost_per_conversion, april.roi]).toEqual(['500.00', '70.00']);

      const p = await performance(alice, c.id);
      expect(p.campaign.id).toBe(c.id);
      expect(p.totals).toEqual({
        periods: 2,
        impressions: 2800,
        opens: 930,
        clicks: 144,
        conversions: 5,
        by_currency: [{ currency: 'AUD', periods: 2, conversions: 5, spend: '3000.00', revenue: '3450.00', cost_per_conversion: '600.00', roi: '15.00' }],
      });
      expect(p.rates).toEqual({
        currency: 'AUD',
        open_rate: '33.21', // 930 ÷ 2800 × 100 = 33.214…
        click_rate: '5.14', // 144 ÷ 2800 × 100 = 5.142…
        conversion_rate: '3.47', // 5 ÷ 144 × 100 = 3.472…
        cost_per_conversion: '600.00', // 3000 ÷ 5, not the mean of 750 and 500 (625)
        roi: '15.00', // (3450 − 3000) ÷ 3000 × 100
        budget_used: '66.67', // 3000 ÷ 4500 × 100 = 66.666…
      });
      expect(p.series.map((s: any) => [s.period, s.spend, s.revenue, s.conversions, s.cost_per_conversion, s.roi])).toEqual([
        ['2026-03-01', '1500.00', '900.00', 2, '750.00', '-40.00'],
        ['2026-04-01', '1500.00', '2550.00', 3, '500.00', '70.00'],
      ]);
    });

    it('takes ROI from the totals when the periods spend unequally (not the mean of the period ROIs)', async () => {
      const c = await newCampaign(alice);
      await create(alice, 'campaign_metrics', { campaign_id: c.id, period: '2026-03-01', conversions: 1, spend: '1000.00', revenue: '500.00' });
      await create(alice, 'campaign_metrics', { campaign_id: c.id, period: '2026-04-01', conversions: 3, spend: '3000.00', revenue: '4500.00' });
      const p = await performance(alice, c.id);
      expect(p.series.map((s: any) => s.roi)).toEqual(['-50.00', '50.00']);
      // (5000 − 4000) ÷ 4000 × 100 = 25, where the mean of the periods would say 0.
      expect(p.rates.roi).toBe('25.00');
      expect(p.rates.cost_per_conversion).toBe('1000.00');
    });

    it('gives null where a divisor is zero or missing, and rounds half up', async () => {
      const c = await newCampaign(alice);
      const row = await create(alice, 'campaign_metrics', { campaign_id: c.id, period: '2026-05-01', impressions: 160, opens: 1, clicks: 0, conversions: 0, spend: '0.00', revenue: '100.00' });
      expect([row.cost_per_conversion, row.roi]).toEqual([null, null]);
      const p = await performance(alice, c.id);
      expect(p.rates).toEqual({ currency: 'AUD', open_rate: '0.63', click_rate: '0.00', conversion_rate: null, cost_per_conversion: null, roi: null, budget_used: null });

      const empty = await performance(alice, (await newCampaign(alice, { budget: '100.00' })).id);
      expect(empty.totals).toEqual({ periods: 0, impressions: 0, opens: 0, clicks: 0, conversions: 0, by_currency: [] });
      expect(empty.rates).toEqual({ currency: null, open_rate: null, click_rate: null, conversion_rate: null, cost_per_conversion: null, roi: null, budget_used: null });
      expect(empty.series).toEqual([]);
    });

    it('keeps money apart by currency: no campaign-wide cost or ROI across currencies', async () => {
      const c = await newCampaign(alice, { budget: '1000.00' });
      await create(alice, 'campaign_metrics', { campaign_id: c.id, period: '2026-03-01', conversions: 2, spend: '100.00', revenue: '300.00', currency: 'AUD' });
      await create(alice, 'campaign_metrics', { campaign_id: c.id, period: '2026-04-01', conversions: 1, spend: '50.00', revenue: '40.00', currency: 'USD' });
      const p = await performance(alice, c.id);
      expect(p.totals.by_currency).toEqual([
        { currency: 'AUD', periods: 1, conversions: 2, spend: '100.00', revenue: '300.00', cost_per_conversion: '50.00', roi: '200.00' },
        { currency: 'USD', periods: 1, conversions: 1, spend: '50.00', revenue: '40.00', cost_per_conversion: '50.00', roi: '-20.00' },
      ]);
      expect(p.rates).toMatchObject({ currency: null, cost_per_conversion: null, roi: null, budget_used: null });
    });

    it('refuses a client writing cost_per_conversion or roi, naming the field, and writes nothing', async () => {
      const c = await newCampaign(alice);
      const before = await counts(database(), ['campaign_metrics', 'audit_log']);
      await refused(send(alice, 'POST', '/api/v1/campaign_metrics', { campaign_id: c.id, period: '2026-03-01', spend: '10.00', cost_per_conversion: '5.00' }), 400, 'cost_per_conversion');
      await refused(send(alice, 'POST', '/api/v1/campaign_metrics', { campaign_id: c.id, period: '2026-03-01', roi: '12.00' }), 400, 'roi');
      expect(await counts(database(), ['campaign_metrics', 'audit_log'])).toEqual(before);
      const m = await create(alice, 'campaign_metrics', { campaign_id: c.id, period: '2026-03-01', conversions: 4, spend: '10.00' });
      const body = await refused(patch(alice, 'campaign_metrics', m.id, { roi: '99.00' }), 400, 'roi');
      expect(body.errors[0].message).toMatch(/set by the system/);
      expect((await q('select roi, cost_per_conversion::text as cpc from campaign_metrics where id = $1', [m.id]))[0]).toEqual({ roi: null, cpc: '2.50' });
    });

    it('counts the targets funnel and the outreach drafts of the campaign', async () => {
      const c = await newCampaign(alice);
      const leads = await Promise.all([0, 1, 2].map(() => newLead(alice)));
      const company = await create(alice, 'companies', { name: `Funnel Co ${tag()}` });
      const contact = await newContact(alice, { name: `Funnel Person ${tag()}`, company_id: company.id });
      const added = await ok(addTargets(alice, c.id, { targets: [...leads.map((l) => ({ target_type: 'lead', target_id: l.id })), { target_type: 'company', target_id: company.id }, { target_type: 'contact', target_id: contact.id }] }));
      expect(added.added).toBe(5);
      const rows = (await ok(send(alice, 'GET', `/api/v1/campaign_targets?campaign_id=${c.id}&sort=created_at&limit=10`))).items as any[];
      const byTarget = new Map(rows.map((r) => [r.target_id, r.id]));
      const move = async (targetId: string, path: string[]) => {
        for (const status of path) await ok(patch(alice, 'campaign_targets', byTarget.get(targetId)!, { status }));
      };
      await move(leads[0].id, ['sent', 'opened', 'clicked', 'converted']);
      await move(leads[1].id, ['sent', 'opened']);
      await move(contact.id, ['sent']);
      await create(alice, 'outreach_drafts', { contact_id: contact.id, campaign_id: c.id, draft_type: 'email', content: 'Hello' });
      const second = await create(alice, 'outreach_drafts', { contact_id: contact.id, campaign_id: c.id, draft_type: 'email', content: 'Hello again' });
      // Drafts are approved by the assistant's verbs; the count only needs one that is.
      await q(`update outreach_drafts set status = 'approved' where id = $1`, [second.id]);
      await create(alice, 'outreach_drafts', { contact_id: contact.id, draft_type: 'email', content: 'Not this campaign' });
      const p = await performance(alice, c.id);
      expect(p.targets).toEqual({
        total: 5,
        by_status: { pending: 2, sent: 1, opened: 1, clicked: 0, converted: 1 },
        by_type: { lead: 3, contact: 1, company: 1 },
        reached: 3,
      });
      expect(p.outreach_drafts).toEqual({ total: 2, by_status: { draft: 1, approved: 1, sent: 0, discarded: 0 } });
    });
  });

  describe('campaign status', () => {
    it('moves along the campaign pipeline, refuses a move back with the allowed ones, and ends at completed', async () => {
      const c = await newCampaign(alice);
      expect(c.status).toBe('draft');
      await ok(patch(alice, 'campaigns', c.id, { status: 'active' }));
      const back = await refused(patch(alice, 'campaigns', c.id, { status: 'draft' }), 409, 'status');
      expect(back.code).toBe('CONFLICT');
      expect(back.allowed).toEqual(['paused', 'completed']);
      expect(back.detail).toMatch(/cannot move from active to draft; allowed next: paused, completed/);
      await ok(patch(alice, 'campaigns', c.id, { status: 'completed' }));
      const final = await refused(patch(alice, 'campaigns', c.id, { status: 'active' }), 409, 'status');
      expect(final.allowed).toEqual([]);
      expect(final.detail).toMatch(/final/);
      const history = await q<{ status: string; from_status: string | null; open: boolean }>(
        `select status, from_status, exited_at is null as open from status_history where entity_type = 'campaign' and entity_id = $1 order by entered_at, created_at`,
        [c.id],
      );
      expect(history).toEqual([
        { status: 'draft', from_status: null, open: false },
        { status: 'active', from_status: 'draft', open: false },
        { status: 'completed', from_status: 'active', open: true },
      ]);
      // A completed campaign takes no new targets, one by one or in bulk.
      const lead = await newLead(alice);
      await refused(addTargets(alice, c.id, { targets: [{ target_type: 'lead', target_id: lead.id }] }), 409, 'campaign_id');
      await refused(send(alice, 'POST', '/api/v1/campaign_targets', { campaign_id: c.id, target_type: 'lead', target_id: lead.id }), 409, 'campaign_id');
      expect(await targetsOf(c.id)).toEqual([]);
    });
  });

  describe('targets', () => {
    it('moves a target pending → sent → opened → clicked → converted, refuses converted → pending, and keeps its history', async () => {
      const c = await newCampaign(alice);
      const lead = await newLead(alice);
      const t = await create(alice, 'campaign_targets', { campaign_id: c.id, target_type: 'lead', target_id: lead.id });
      expect(t.status).toBe('pending');
      for (const status of ['sent', 'opened', 'clicked', 'converted']) await ok(patch(alice, 'campaign_targets', t.id, { status }));
      const back = await refused(patch(alice, 'campaign_targets', t.id, { status: 'pending' }), 409, 'status');
      expect(back.allowed).toEqual([]);
      const history = await q<{ status: string; changed_by: string }>(`select status, changed_by from status_history where entity_type = 'campaign_target' and entity_id = $1 order by entered_at, created_at`, [t.id]);
      expect(history.map((h) => h.status)).toEqual(['pending', 'sent', 'opened', 'clicked', 'converted']);
      // Alice works with an API key: the history names her, not the key.
      expect(new Set(history.map((h) => h.changed_by))).toEqual(new Set([alice.user.id]));
      // Which record a target names never changes.
      const other = await newLead(alice);
      await refused(patch(alice, 'campaign_targets', t.id, { target_id: other.id }), 400, 'target_id');
    });

    it('refuses a target naming no record, an archived one, or one already targeted, and writes nothing', async () => {
      const c = await newCampaign(alice);
      const lead = await newLead(alice);
      const gone = await newLead(alice);
      await ok(send(alice, 'POST', `/api/v1/leads/${gone.id}/archive`));
      const before = await counts(database(), ['campaign_targets', 'status_history', 'audit_log']);
      const missing = await refused(send(alice, 'POST', '/api/v1/campaign_targets', { campaign_id: c.id, target_type: 'contact', target_id: randomUUID() }), 400, 'target_id');
      expect(missing.errors[0].message).toBe('does not name a contact that you can see');
      // A lead's id named as a company is no company.
      await refused(send(alice, 'POST', '/api/v1/campaign_targets', { campaign_id: c.id, target_type: 'company', target_id: lead.id }), 400, 'target_id');
      const archivedBody = await refused(send(alice, 'POST', '/api/v1/campaign_targets', { campaign_id: c.id, target_type: 'lead', target_id: gone.id }), 400, 'target_id');
      expect(archivedBody.errors[0].message).toMatch(/archived lead/);
      expect(await counts(database(), ['campaign_targets', 'status_history', 'audit_log'])).toEqual(before);

      await create(alice, 'campaign_targets', { campaign_id: c.id, target_type: 'lead', target_id: lead.id });
      const twice = await refused(send(alice, 'POST', '/api/v1/campaign_targets', { campaign_id: c.id, target_type: 'lead', target_id: lead.id }), 409, 'target_id');
      expect(twice.detail).toMatch(/already a target of the campaign/);
    });

    it('adds a list once each, counts the ones already there, reports refused entries by index, and is idempotent', async () => {
      const c = await newCampaign(alice);
      const [l1, l2, l3] = await Promise.all([0, 1, 2].map(() => newLead(alice)));
      const company = await create(alice, 'companies', { name: `Target Co ${tag()}` });
      const contact = await newContact(alice, { name: `Target Person ${tag()}`, company_id: company.id });
      const archived = await newLead(alice);
      await ok(send(alice, 'POST', `/api/v1/leads/${archived.id}/archive`));
      const targets = [
        { target_type: 'lead', target_id: l1!.id },
        { target_type: 'lead', target_id: randomUUID() },
        { target_type: 'lead', target_id: l2!.id },
        { target_type: 'company', target_id: company.id },
        { target_type: 'lead', target_id: l1!.id.toUpperCase() },
        { target_type: 'contact', target_id: contact.id },
        { target_type: 'lead', target_id: archived.id },
        { target_type: 'lead', target_id: 'not-an-id' },
        { target_type: 'lead', target_id: l3!.id },
      ];
      const first = await ok(addTargets(alice, c.id, { targets }));
      expect(first).toMatchObject({ campaign_id: c.id, added: 5, already_targeted: 1 });
      expect(first.refused).toEqual([
        { index: 1, field: 'targets.1.target_id', message: 'does not name a lead that you can see' },
        { index: 6, field: 'targets.6.target_id', message: 'names an archived lead' },
        { index: 7, field: 'targets.7.target_id', message: 'must be a UUID' },
      ]);
      const rows = await targetsOf(c.id);
      expect(rows).toHaveLength(5);
      expect(rows.every((r) => r.status === 'pending')).toBe(true);
      expect(new Set(rows.map((r) => r.target_id))).toEqual(new Set([l1!.id, l2!.id, l3!.id, company.id, contact.id]));
      const [hist] = await q<{ n: number }>(
        `select count(*)::int as n from status_history h join campaign_targets t on t.id = h.entity_id
         where h.entity_type = 'campaign_target' and t.campaign_id = $1 and h.status = 'pending' and h.exited_at is null`,
        [c.id],
      );
      expect(hist!.n).toBe(5);
      const [audit] = await q<{ after: any }>(`select after from audit_log where operation = 'campaigns.add_targets' and after->>'campaign_id' = $1`, [c.id]);
      expect(audit!.after.count).toBe(5);

      const again = await ok(addTargets(alice, c.id, { targets }));
      expect(again).toMatchObject({ added: 0, already_targeted: 6 });
      expect(again.refused).toHaveLength(3);
      expect(await targetsOf(c.id)).toHaveLength(5);
    });

    it('adds a segment of leads, contacts and companies the caller can see, once', async () => {
      const c = await newCampaign(alice);
      const utm = `spring-${tag()}`;
      const wanted = await Promise.all([0, 1, 2].map(() => newLead(alice, { utm_campaign: utm, source: 'linkedin' })));
      await newLead(alice, { utm_campaign: utm, source: 'referral' });
      const archived = await newLead(alice, { utm_campaign: utm, source: 'linkedin' });
      await ok(send(alice, 'POST', `/api/v1/leads/${archived.id}/archive`));
      await newLead(alice, { utm_campaign: `other-${tag()}`, source: 'linkedin' });
      const segment = { leads: { utm_campaign: utm, source: ['linkedin'], status: ['new'] } };
      const first = await ok(addTargets(alice, c.id, { segment }));
      expect(first).toEqual({ campaign_id: c.id, added: 3, already_targeted: 0, refused: [], matched: 3, without_consent: 0 });
      expect(new Set((await targetsOf(c.id)).map((t) => t.target_id))).toEqual(new Set(wanted.map((l) => l.id)));
      expect(await ok(addTargets(alice, c.id, { segment }))).toEqual({ campaign_id: c.id, added: 0, already_targeted: 3, refused: [], matched: 3, without_consent: 0 });

      const industry = await create(admin, 'industries', { name: `Industry ${tag()}` });
      const inIndustry = await create(alice, 'companies', { name: `In Industry ${tag()}`, industry_id: industry.id });
      const alsoIn = await create(alice, 'companies', { name: `Also In ${tag()}`, industry_id: industry.id });
      await create(alice, 'companies', { name: `Elsewhere ${tag()}` });
      const person = await newContact(alice, { name: `Industry Person ${tag()}`, company_id: inIndustry.id });
      const both = await ok(addTargets(alice, c.id, { segment: { companies: { industry_id: industry.id, status: ['lead'] }, contacts: { industry_id: industry.id } } }));
      expect(both).toMatchObject({ added: 3, already_targeted: 0, matched: 3 });
      const ids = new Set((await targetsOf(c.id)).map((t) => `${t.target_type}:${t.target_id}`));
      for (const k of [`company:${inIndustry.id}`, `company:${alsoIn.id}`, `contact:${person.id}`]) expect(ids.has(k)).toBe(true);
    });

    it('refuses a request with both or neither of targets and segment, an empty segment, an unknown status, or a viewer', async () => {
      const c = await newCampaign(alice);
      const lead = await newLead(alice);
      const one = [{ target_type: 'lead', target_id: lead.id }];
      await refused(addTargets(alice, c.id, { targets: one, segment: { leads: {} } }), 400, 'segment');
      await refused(addTargets(alice, c.id, {}), 400, 'targets');
      await refused(addTargets(alice, c.id, { segment: {} }), 400, 'segment');
      const status = await refused(addTargets(alice, c.id, { segment: { leads: { status: ['warm'] } } }), 400, 'segment.leads.status');
      expect(status.errors[0].message).toMatch(/warm is not a lead status/);
      await refused(addTargets(alice, c.id, { targets: [{ target_type: 'account', target_id: lead.id }] }), 400, 'targets.0.target_type');
      await refused(addTargets(alice, randomUUID(), { targets: one }), 404);
      const viewer = await refused(addTargets(vic, c.id, { targets: one }), 403);
      expect(viewer.code).toBe('FORBIDDEN');
      expect(await targetsOf(c.id)).toEqual([]);
    });

    it('under own visibility, an editor cannot target (or see the campaign of) records that are not theirs', async () => {
      await setVisibility('own');
      try {
        const c = await newCampaign(alice);
        const utm = `bob-${tag()}`;
        const bobs = await newLead(bob, { utm_campaign: utm });
        const hers = await newLead(alice, { utm_campaign: utm });
        const list = await ok(addTargets(alice, c.id, { targets: [{ target_type: 'lead', target_id: bobs.id }, { target_type: 'lead', target_id: hers.id }] }));
        expect(list).toMatchObject({ added: 1, already_targeted: 0, refused: [{ index: 0, field: 'targets.0.target_id', message: 'does not name a lead that you can see' }] });
        await refused(send(alice, 'POST', '/api/v1/campaign_targets', { campaign_id: c.id, target_type: 'lead', target_id: bobs.id }), 400, 'target_id');
        const seg = await ok(addTargets(alice, c.id, { segment: { leads: { utm_campaign: utm } } }));
        expect(seg).toMatchObject({ added: 0, already_targeted: 1, matched: 1 });
        expect((await targetsOf(c.id)).map((t) => t.target_id)).toEqual([hers.id]);
        // Bob cannot see Alice's campaign at all.
        await refused(addTargets(bob, c.id, { targets: [{ target_type: 'lead', target_id: bobs.id }] }), 404);
        await refused(send(bob, 'GET', `/api/v1/campaigns/${c.id}/performance`), 404);
      } finally {
        await setVisibility('all');
      }
    });

    it('removes the targets of a deleted lead, contact, and company with its contacts, with their status history', async () => {
      const c = await newCampaign(alice);
      const lead = await newLead(alice);
      const keep = await newLead(alice);
      const company = await create(alice, 'companies', { name: `Deleted Co ${tag()}` });
      const contact = await newContact(alice, { name: `Deleted Person ${tag()}`, company_id: company.id });
      const targets = [lead, keep].map((l) => ({ target_type: 'lead', target_id: l.id }));
      await ok(addTargets(alice, c.id, { targets: [...targets, { target_type: 'company', target_id: company.id }, { target_type: 'contact', target_id: contact.id }] }));
      const targetIds = async () => (await q<{ id: string }>('select id from campaign_targets where campaign_id = $1', [c.id])).map((r) => r.id);
      const all = await targetIds();
      expect(all).toHaveLength(4);

      const asAdmin = ctx();
      await deleteRecord(asAdmin, resource('leads'), lead.id);
      expect((await targetsOf(c.id)).map((t) => t.target_id).sort()).toEqual([keep.id, company.id, contact.id].sort());
      await deleteRecord(asAdmin, resource('companies'), company.id);
      expect((await targetsOf(c.id)).map((t) => t.target_id)).toEqual([keep.id]);
      const left = await targetIds();
      const [orphans] = await q<{ n: number }>(`select count(*)::int as n from status_history where entity_type = 'campaign_target' and entity_id = any($1::uuid[]) `, [all.filter((id) => !left.includes(id))]);
      expect(orphans!.n).toBe(0);
    });
  });

  describe('content versions', () => {
    it('keeps every saved text as a version, and only when the text changes', async () => {
      const c = await newCampaign(alice);
      const content = await create(alice, 'campaign_content', { campaign_id: c.id, content_type: 'email', subject: 'Hello', body: 'One' });
      await ok(patch(alice, 'campaign_content', content.id, { body: 'Two' }));
      const third = await ok(patch(alice, 'campaign_content', content.id, { body: 'Three' }));
      expect(third.version).toBe(3);
      const list = async () => (await ok(send(alice, 'GET', `/api/v1/campaign_content_versions?content_id=${content.id}&sort=content_version`))).items as any[];
      let versions = await list();
      expect(versions.map((v) => [v.content_version, v.subject, v.body])).toEqual([
        [1, 'Hello', 'One'],
        [2, 'Hello', 'Two'],
        [3, 'Hello', 'Three'],
      ]);
      expect(versions.every((v) => v.created_by === alice.user.id && v.campaign_id === c.id)).toBe(true);

      // Not the text: no version. Archiving and restoring: no version.
      const moved = await ok(patch(alice, 'campaign_content', content.id, { content_type: 'landing_page' }));
      expect(moved.version).toBe(4);
      await ok(send(alice, 'POST', `/api/v1/campaign_content/${content.id}/archive`));
      await ok(send(alice, 'POST', `/api/v1/campaign_content/${content.id}/restore`));
      expect(await list()).toHaveLength(3);
      await ok(patch(alice, 'campaign_content', content.id, { asset_url: 'https://example.com/guide.pdf' }));
      versions = await list();
      expect(versions.map((v) => [v.content_version, v.asset_url])).toEqual([
        [1, null],
        [2, null],
        [3, null],
        [7, 'https://example.com/guide.pdf'],
      ]);
      // Versions are written by the system only, and content stays with its campaign.
      expect((await send(alice, 'POST', '/api/v1/campaign_content_versions', { content_id: content.id })).status).toBeGreaterThanOrEqual(400);
      await refused(patch(alice, 'campaign_content', content.id, { campaign_id: (await newCampaign(alice)).id }), 400, 'campaign_id');
    });
  });
});
