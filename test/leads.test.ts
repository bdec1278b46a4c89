/**
 * Lead scoring (seed 001), BANT qualification (seed 004) and conversion into a company,
 * contact and deal: worked examples computed by hand, the edges of every band, refused
 * moves, all-or-nothing conversion, record visibility, permissions and audit.
 */
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/api/app.ts';
import { statusTimeline } from '../src/core/platform/history.ts';
import { applyUpdate, archiveRecord, createRecord, getRecord, updateRecord, type Row } from '../src/core/resource.ts';
import { resource } from '../src/core/resources.ts';
import {
  convertLead,
  explainLeadScore,
  headcountOf,
  industryPoints,
  isFreeMailDomain,
  qualifyLead,
  scoreLead,
  sizePoints,
  type LeadScoreFactors,
  type ScoreInput,
} from '../src/core/sales/leads.ts';
import { FAST_IDENTITY, type SignedIn, signInCast } from './auth.ts';
import { counts, dbSuite } from './db.ts';
import { refusal } from './refusal.ts';

const uniq = () => randomUUID().slice(0, 8);


const none: ScoreInput = { company_name: null, phone: null, email: null, message: null, tier: null, industry: null, company_size: null };

describe('the seed 001 lead score', () => {
  it('adds every bonus and caps at 100', () => {
    // 40 base + 15 company + 10 phone + 20 business email + 10 message (72 chars > 50)
    // + 5 tier + 15 construction + 10 (51–200 staff) = 125, capped at 100.
    const r = scoreLead({
      company_name: 'Stewart & Co Builders',
      phone: '02 9000 0000',
      email: 'hannah@stewartbuilders.com.au',
      message: 'Three estimators, eight supervisors, Procore and Xero. We want training.',
      tier: 'L3_CONSULTING',
      industry: 'Construction',
      company_size: '51-200',
    });
    expect([...'Three estimators, eight supervisors, Procore and Xero. We want training.'].length).toBe(72);
    expect(r.factors.subtotal).toBe(125);
    expect(r.score).toBe(100);
    expect(r.factors.components).toEqual({
      company: { points: 15, max: 15, basis: 'given' },
      phone: { points: 10, max: 10, basis: 'given' },
      business_email: { points: 20, max: 20, basis: 'business', domain: 'stewartbuilders.com.au' },
      message: { points: 10, max: 10, basis: 'over_50' },
      tier: { points: 5, max: 5, basis: 'L3_CONSULTING' },
      industry: { points: 15, max: 15, basis: 'core' },
      company_size: { points: 10, max: 10, basis: '51-200' },
    });
    expect(r.factors.bant_met).toBeNull();
  });

  it('gives the base alone to a free-mail address with nothing else', () => {
    // 40 base; gmail.com is free mail: 0.
    const r = scoreLead({ ...none, email: 'mick.doyle@gmail.com' });
    expect(r.score).toBe(40);
    expect(r.factors.components.business_email).toEqual({ points: 0, max: 20, basis: 'free_mail', domain: 'gmail.com' });
  });

  it('scores a mid lead below the cap', () => {
    // 40 base + 15 company + 0 phone + 20 business email + 0 message (exactly 50 characters
    // once trimmed) + 0 tier + 10 engineering (adjacent) + 7 (11–50 staff) = 92.
    const r = scoreLead({
      ...none,
      company_name: 'Patel Civil Engineering',
      email: 'raj@patel-eng.com.au',
      message: `  ${'a'.repeat(50)}  `,
      industry: 'Structural Engineering',
      company_size: '11-50',
    });
    expect(r.score).toBe(92);
    expect(r.factors.components.message).toEqual({ points: 0, max: 10, basis: '50_or_fewer' });
  });

  it('counts a message over 50 characters, not 50', () => {
    expect(scoreLead({ ...none, message: 'a'.repeat(50) }).factors.components.message.points).toBe(0);
    expect(scoreLead({ ...none, message: 'a'.repeat(51) }).factors.components.message.points).toBe(10);
    // Code points, not UTF-16 units: 26 emoji are 52 units but 26 characters.
    expect(scoreLead({ ...none, message: '🏗'.repeat(26) }).factors.components.message.points).toBe(0);
    expect(scoreLead({ ...none, message: '   ' }).factors.components.message.basis).toBe('missing');
  });

  it('treats blank company and phone as missing', () => {
    const r = scoreLead({ ...none, company_name: '   ', phone: '' });
    expect(r.factors.components.company.points).toBe(0);
    expect(r.factors.components.phone.points).toBe(0);
  });

  it('tells business domains from free-mail, ISP and disposable ones', () => {
    for (const d of ['gmail.com', 'yahoo.co.uk', 'hotmail.fr', 'outlook.com.au', 'gmx.de', 'bigpond.net.au', 'optusnet.com.au', 'icloud.com', 'mailinator.com', 'tstt.net.tt']) {
      expect(isFreeMailDomain(d), d).toBe(true);
    }
    for (const d of ['acme.com.au', 'mail.acme.com', 'live-events.com.au', 'gmail-builders.com', 'outlookconstruction.com']) {
      expect(isFreeMailDomain(d), d).toBe(false);
    }
    expect(scoreLead({ ...none, email: 'not-an-address' }).factors.components.business_email).toEqual({ points: 0, max: 20, basis: 'invalid', domain: null });
    expect(scoreLead({ ...none, email: 'Jo@ACME.com.AU' }).factors.components.business_email).toEqual({ points: 20, max: 20, basis: 'business', domain: 'acme.com.au' });
  });

  it('gives industry points by group: core 15, adjacent 10, other named 5, none 0', () => {
    expect(industryPoints('Commercial Construction')).toMatchObject({ points: 15, basis: 'core' });
    expect(industryPoints('Civil works')).toMatchObject({ points: 15, basis: 'core' });
    expect(industryPoints('Kitchens & Joinery')).toMatchObject({ points: 15, basis: 'core' });
    expect(industryPoints('Engineering')).toMatchObject({ points: 10, basis: 'adjacent' });
    expect(industryPoints('Manufacturing')).toMatchObject({ points: 10, basis: 'adjacent' });
    expect(industryPoints('Real Estate')).toMatchObject({ points: 10, basis: 'adjacent' });
    expect(industryPoints('Professional Services')).toMatchObject({ points: 5, basis: 'other' });
    expect(industryPoints('')).toMatchObject({ points: 0, basis: 'missing' });
    expect(industryPoints(null)).toMatchObject({ points: 0, basis: 'missing' });
  });

  it('reads company size text into bands, at the edges of each', () => {
    const cases: Array<[string | null, number | null, number, string]> = [
      ['1-10', 1, 3, '1-10'],
      ['10', 10, 3, '1-10'],
      ['11', 11, 7, '11-50'],
      ['11-50', 11, 7, '11-50'],
      ['50', 50, 7, '11-50'],
      ['50+', 51, 10, '51-200'],
      ['51-200', 51, 10, '51-200'],
      ['200 staff', 200, 10, '51-200'],
      ['201-500', 201, 6, '201-1000'],
      ['1000', 1000, 6, '201-1000'],
      ['1000+', 1001, 3, '1001+'],
      ['1,001–5,000', 1001, 3, '1001+'],
      ['2k', 2000, 3, '1001+'],
      ['small business', 11, 7, '11-50'],
      ['Medium', 51, 10, '51-200'],
      ['enterprise', 1001, 3, '1001+'],
      ['lots', null, 0, 'unknown'],
      ['0', null, 0, 'unknown'],
      [null, null, 0, 'missing'],
    ];
    for (const [text, n, points, basis] of cases) {
      expect(headcountOf(text), String(text)).toBe(n);
      expect(sizePoints(text), String(text)).toEqual({ points, max: 10, basis });
    }
  });

  it('records BANT from a qualification without changing the number', () => {
    const q = { id: randomUUID(), has_budget: true, budget_amount: '30000.00', currency: 'AUD' as const, decision_maker: false, need_identified: true, timeline: 'this quarter' };
    const r = scoreLead({ ...none, email: 'a@b.example' }, q);
    // 40 base + 20 business email = 60, whatever the BANT.
    expect(r.score).toBe(60);
    expect(r.factors).toMatchObject({
      qualification_id: q.id,
      budget: { met: true, has_budget: true, budget_amount: '30000.00', currency: 'AUD' },
      authority: { met: false, decision_maker: false },
      need: { met: true, need_identified: true },
      timeline: { met: true, timeline: 'this quarter' },
      bant_met: 3,
    });
  });
});

dbSuite('leads: score, qualification, conversion', ({ database, ctx }) => {
  const leads = () => resource('leads');
  const history = (leadId: string) =>
    database().query<{ score: number; factors: LeadScoreFactors }>('select score, factors from lead_scores where lead_id = $1 order by calculated_at', [leadId]);
  const dbRow = async (table: string, id: string) => JSON.stringify(await database().query(`select * from "${table}" where id = $1`, [id]));
  const TABLES = ['leads', 'lead_scores', 'lead_qualifications', 'companies', 'contacts', 'deals', 'status_history', 'audit_log'];

  async function newLead(values: Row = {}): Promise<Row> {
    const tag = uniq();
    return createRecord(ctx(), leads(), {
      first_name: 'Hannah',
      last_name: 'Stewart',
      email: `hannah@stewart${tag}.example`,
      company_name: `Stewart Builders ${tag}`,
      company_website: `https://www.stewart${tag}.example/`,
      ...values,
    });
  }
  /** A lead moved to qualified through the qualify verb (all four BANT criteria met). */
  async function qualifiedLead(values: Row = {}): Promise<Row> {
    const lead = await newLead(values);
    await qualifyLead(ctx(), { id: lead.id as string, has_budget: true, budget_amount: '30000.00', decision_maker: true, need_identified: true, timeline: 'this quarter' });
    return getRecord(ctx(), leads(), lead.id as string);
  }

  describe('scoring on every change', () => {
    it('scores a new lead, keeps leads.score equal to the latest history row, and audits it', async () => {
      // 40 + 15 company + 20 business email + 0 (no phone, message, tier, industry, size) = 75.
      const lead = await newLead();
      expect(lead.score).toBe(75);
      expect((await getRecord(ctx(), leads(), lead.id as string)).score).toBe(75);
      const h = await history(lead.id as string);
      expect(h.map((r) => r.score)).toEqual([75]);
      expect(h[0]!.factors.components.company.points).toBe(15);
      const audit = await database().query<{ operation: string; after: Row }>(
        "select operation, after from audit_log where table_name = 'lead_scores' and after->>'lead_id' = $1",
        [lead.id],
      );
      expect(audit).toEqual([{ operation: 'sales.score_lead', after: { lead_id: lead.id, score: 75, previous_score: null, bant_met: null } }]);
    });

    it('writes history only when the score or its factors change', async () => {
      const lead = await newLead({ industry: 'Engineering', company_size: '11-50', message: 'a'.repeat(50) });
      const id = lead.id as string;
      // 40 + 15 + 20 + 0 (50 chars) + 10 engineering + 7 (11–50) = 92.
      expect(lead.score).toBe(92);
      // A longer message: 92 + 10 = 102, capped at 100.
      expect((await updateRecord(ctx(), leads(), id, { message: 'a'.repeat(51) })).score).toBe(100);
      // A phone: still 100 (110 capped), but a factor changed, so a history row.
      expect((await updateRecord(ctx(), leads(), id, { phone: '0400 000 000' })).score).toBe(100);
      // Notes are not a factor: no history row.
      await updateRecord(ctx(), leads(), id, { notes: 'Called, left a message' });
      // The same value again, and archive/restore: nothing changes.
      await updateRecord(ctx(), leads(), id, { phone: '0400 000 000' });
      await archiveRecord(ctx(), leads(), id);
      const h = await history(id);
      expect(h.map((r) => [r.score, r.factors.subtotal])).toEqual([
        [92, 92],
        [100, 102],
        [100, 112],
      ]);
      // Back below the cap: 112 − 20 (free mail) − 15 (no company) = 77.
      const row = await updateRecord(ctx(), leads(), id, { email: 'h@gmail.com', company_name: null });
      expect(row.score).toBe(77);
      expect((await history(id)).map((r) => r.score)).toEqual([92, 100, 100, 77]);
    });

    it('re-scores when a qualification is recorded through the generic API, adding BANT factors', async () => {
      const lead = await newLead();
      const q = await createRecord(ctx(), resource('lead_qualifications'), { lead_id: lead.id, has_budget: false, decision_maker: true, need_identified: true });
      expect(q.qualified_at).toBeInstanceOf(Date);
      const h = await history(lead.id as string);
      expect(h.map((r) => r.score)).toEqual([75, 75]);
      expect(h[1]!.factors).toMatchObject({ qualification_id: q.id, bant_met: 2, authority: { met: true }, budget: { met: false } });
      // Archiving the qualification takes its BANT away again.
      await archiveRecord(ctx(), resource('lead_qualifications'), q.id as string);
      expect((await history(lead.id as string)).at(-1)!.factors.bant_met).toBeNull();
      // A qualification stays with its lead.
      const e = await refusal(updateRecord(ctx(), resource('lead_qualifications'), q.id as string, { lead_id: (await newLead()).id }));
      expect(e.details.fields).toEqual([{ field: 'lead_id', message: 'cannot be changed after creation' }]);
    });

    it('explains the current score factor by factor', async () => {
      const lead = await newLead({ phone: '02 9000 0000', tier: 'L2_ADVANCED', industry: 'Retail', company_size: '1000+' });
      // 40 + 15 + 10 + 20 + 0 + 5 + 5 (other industry) + 3 (over 1000) = 98.
      const e = await explainLeadScore(ctx(), { id: lead.id as string });
      expect(e.score).toBe(98);
      expect(e.recorded).toBe(true);
      expect(e.capped).toBe(false);
      expect(e.breakdown.map((b) => [b.factor, b.points])).toEqual([
        ['base', 40],
        ['company', 15],
        ['phone', 10],
        ['business_email', 20],
        ['message', 0],
        ['tier', 5],
        ['industry', 5],
        ['company_size', 3],
      ]);
      expect(e.breakdown.reduce((s, b) => s + b.points, 0)).toBe(98);
      expect(e.breakdown.every((b) => typeof b.rule === 'string' && b.rule.length > 0)).toBe(true);
      const missing = await refusal(explainLeadScore(ctx(), { id: randomUUID() }));
      expect(missing.code).toBe('NOT_FOUND');
    });

    it('refuses converted by a plain status change, and the conversion fields, writing nothing', async () => {
      const lead = await qualifiedLead();
      const id = lead.id as string;
      const before = await dbRow('leads', id);
      const e = await refusal(updateRecord(ctx(), leads(), id, { status: 'converted' }));
      expect(e.code).toBe('VALIDATION');
      expect(e.details.fields?.[0]?.field).toBe('status');
      const ro = await refusal(updateRecord(ctx(), leads(), id, { converted_to_account_id: randomUUID(), score: 5 }));
      expect(ro.details.fields?.map((f) => f.field).sort()).toEqual(['converted_to_account_id', 'score']);
      const created = await refusal(createRecord(ctx(), leads(), { email: 'x@y.example', status: 'converted' }));
      expect(created.details.fields?.[0]?.field).toBe('status');
      expect(await dbRow('leads', id)).toBe(before);
    });
  });

  describe('qualification (BANT)', () => {
    it('records the qualification, moves a lead meeting all four to qualified, re-scores, in history and audit', async () => {
      const lead = await newLead();
      const id = lead.id as string;
      const r = await qualifyLead(ctx(), {
        id,
        has_budget: true,
        budget_amount: 45000,
        currency: 'AUD',
        decision_maker: true,
        need_identified: true,
        timeline: 'next quarter',
        pain_points: 'Progress claims take two days a month',
      });
      expect(r.status_change).toEqual({ from: 'new', to: 'qualified' });
      expect(r.bant_met).toBe(4);
      expect(r.lead).toMatchObject({ status: 'qualified', score: 75 });
      expect(r.qualification).toMatchObject({ lead_id: id, budget_amount: '45000.00', currency: 'AUD', decision_maker: true, timeline: 'next quarter' });
      expect(r.qualification.qualified_at).toBeInstanceOf(Date);
      expect(r.score.factors).toMatchObject({ bant_met: 4, budget: { met: true, budget_amount: '45000.00', currency: 'AUD' }, timeline: { met: true } });
      const timeline = await statusTimeline(ctx(), { entity_type: 'lead', id });
      expect(timeline.entries.map((e) => e.status)).toEqual(['new', 'qualified']);
      const audit = await database().query<{ table_name: string; action: string; operation: string }>(
        "select table_name, action, operation from audit_log where operation in ('sales.qualify_lead', 'sales.score_lead') and (record_id::text = $1 or after->>'lead_id' = $1 or before->>'lead_id' = $1) order by at, table_name",
        [id],
      );
      expect(audit.filter((a) => a.operation === 'sales.qualify_lead').map((a) => `${a.table_name}:${a.action}`).sort()).toEqual([
        'lead_qualifications:create',
        'leads:status_change',
      ]);
      expect(audit.filter((a) => a.operation === 'sales.score_lead')).toHaveLength(2);
    });

    it('moves to qualifying when BANT is incomplete, and never demotes a qualified lead', async () => {
      const lead = await newLead();
      const id = lead.id as string;
      const partial = await qualifyLead(ctx(), { id, has_budget: false, decision_maker: true, need_identified: true });
      expect(partial.status_change).toEqual({ from: 'new', to: 'qualifying' });
      expect(partial.bant_met).toBe(2);
      const full = await qualifyLead(ctx(), { id, has_budget: true, decision_maker: true, need_identified: true, timeline: 'June' });
      expect(full.status_change).toEqual({ from: 'qualifying', to: 'qualified' });
      const again = await qualifyLead(ctx(), { id, has_budget: false, decision_maker: true, need_identified: true, timeline: 'June' });
      expect(again.status_change).toBeNull();
      expect(again.lead.status).toBe('qualified');
      expect(again.score.factors).toMatchObject({ bant_met: 3, qualification_id: again.qualification.id });
    });

    it('disqualifies with a reason kept as lost_reason; without a reason it is refused', async () => {
      const lead = await newLead();
      const id = lead.id as string;
      const before = await counts(database(), TABLES);
      const e = await refusal(qualifyLead(ctx(), { id, need_identified: false, status: 'disqualified' }));
      expect(e.details.fields).toEqual([{ field: 'reason', message: 'is required to disqualify a lead (it is kept as lost_reason)' }]);
      expect(await counts(database(), TABLES)).toEqual(before);
      const r = await qualifyLead(ctx(), { id, need_identified: false, status: 'disqualified', reason: 'Student research project' });
      expect(r.lead).toMatchObject({ status: 'disqualified', lost_reason: 'Student research project' });
    });

    it('refuses illegal moves with the allowed ones, writing nothing', async () => {
      const lead = await newLead();
      const id = lead.id as string;
      await qualifyLead(ctx(), { id, status: 'disqualified', reason: 'No budget' });
      const row = await dbRow('leads', id);
      const before = await counts(database(), TABLES);
      const back = await refusal(qualifyLead(ctx(), { id, has_budget: true, status: 'qualified' }));
      expect(back.code).toBe('CONFLICT');
      expect(back.details.allowed).toEqual(['contacted']);
      const converted = await qualifiedLead();
      await convertLead(ctx(), { id: converted.id as string });
      const convRow = await dbRow('leads', converted.id as string);
      const before2 = await counts(database(), TABLES);
      const final = await refusal(qualifyLead(ctx(), { id: converted.id as string, has_budget: true }));
      expect(final.code).toBe('CONFLICT');
      expect(final.details.allowed).toEqual([]);
      expect(await counts(database(), TABLES)).toEqual(before2);
      expect(await dbRow('leads', converted.id as string)).toBe(convRow);
      expect(await dbRow('leads', id)).toBe(row);
      // Only the qualification of the lead converted in between was added.
      expect((await counts(database(), ['lead_qualifications'])).lead_qualifications).toBe(before.lead_qualifications! + 1);
    });

    it('names bad fields and refuses a stale version or an archived lead, writing nothing', async () => {
      const lead = await newLead();
      const id = lead.id as string;
      const before = await counts(database(), TABLES);
      const bad = await refusal(qualifyLead(ctx(), { id, budget_amount: '12.345', reason: 'x' }));
      expect(bad.details.fields?.map((f) => f.field)).toEqual(['budget_amount']);
      const reasonOnly = await refusal(qualifyLead(ctx(), { id, reason: 'why' }));
      expect(reasonOnly.details.fields?.map((f) => f.field)).toEqual(['reason']);
      const stale = await refusal(qualifyLead(ctx(), { id, has_budget: true, expected_version: 7 }));
      expect(stale.code).toBe('PRECONDITION_FAILED');
      const missing = await refusal(qualifyLead(ctx(), { id: randomUUID(), has_budget: true }));
      expect(missing.code).toBe('NOT_FOUND');
      expect(await counts(database(), TABLES)).toEqual(before);
      await archiveRecord(ctx(), leads(), id);
      const archived = await refusal(qualifyLead(ctx(), { id, has_budget: true }));
      expect(archived.code).toBe('CONFLICT');
    });
  });

  describe('conversion', () => {
    it('creates the company, contact and deal from a qualified lead and records where it went', async () => {
      const tag = uniq();
      const lead = await qualifiedLead({
        email: `Grace.Tran@tran${tag}.example`,
        first_name: 'Grace',
        last_name: 'Tran',
        contact_title: 'General Manager',
        phone: '02 9111 2222',
        company_name: `Tran Constructions ${tag}`,
        company_website: `tran${tag}.example`,
        industry: 'Construction',
        company_size: '51-200',
        tier: 'L2_ADVANCED',
        source: 'social',
      });
      const id = lead.id as string;
      // A clock an hour ahead: the conversion is the last status of the lead.
      const at = new Date(Date.now() + 3_600_000);
      const r = await convertLead(ctx({ now: () => at }), { id, deal: { expected_close_date: '2026-12-31' } });
      expect(r.company_created).toBe(true);
      expect(r.company_matched_by).toBeNull();
      expect(r.company).toMatchObject({
        name: `Tran Constructions ${tag}`,
        website: `tran${tag}.example`,
        domain: `tran${tag}.example`,
        industry: 'Construction',
        size: '51-200',
        source: 'other',
        status: 'contacted',
        primary_contact_id: r.contact.id,
      });
      expect(r.contact_created).toBe(true);
      expect(r.contact).toMatchObject({
        company_id: r.company.id,
        name: 'Grace Tran',
        email: `Grace.Tran@tran${tag}.example`,
        has_email: true,
        phone: '02 9111 2222',
        role_title: 'General Manager',
        is_decision_maker: true,
        is_primary: true,
      });
      // The deal: at the company, from the lead, valued at the qualified budget.
      expect(r.deal).toMatchObject({
        company_id: r.company.id,
        lead_id: id,
        name: `Tran Constructions ${tag} — L2_ADVANCED`,
        stage: 'discovery',
        value: '30000.00',
        currency: 'AUD',
        expected_close_date: '2026-12-31',
      });
      expect(r.lead).toMatchObject({
        status: 'converted',
        company_id: r.company.id,
        converted_to_account_id: r.company.id,
        converted_contact_id: r.contact.id,
        converted_deal_id: r.deal!.id,
      });
      expect(r.lead.converted_at).toEqual(at);
      const timeline = await statusTimeline(ctx(), { entity_type: 'lead', id });
      expect(timeline.entries.map((e) => e.status)).toEqual(['new', 'qualified', 'converted']);
      const audit = await database().query<{ t: string }>(
        "select table_name || ':' || action as t from audit_log where operation = 'sales.convert_lead' and record_id = any($1::uuid[]) order by t",
        [`{${[id, r.company.id, r.contact.id, r.deal!.id].join(',')}}`],
      );
      expect(audit.map((a) => a.t)).toEqual(['companies:create', 'companies:update', 'contacts:create', 'deals:create', 'leads:status_change']);
    });

    it('links an existing company by website domain and its contact by email, duplicating neither', async () => {
      const tag = uniq();
      const company = await createRecord(ctx(), resource('companies'), { name: `Harbour Civil ${tag}`, website: `https://www.harbour${tag}.example/about` });
      const contact = await createRecord(ctx(), resource('contacts'), { company_id: company.id, name: 'Sam Lee', email: `sam@harbour${tag}.example` });
      const companyRow = await dbRow('companies', company.id as string);
      const lead = await qualifiedLead({ email: `SAM@harbour${tag}.example`, company_name: 'Harbour (trading name)', company_website: `harbour${tag}.example` });
      const before = await counts(database(), ['companies', 'contacts', 'deals']);
      const r = await convertLead(ctx(), { id: lead.id as string });
      expect(r).toMatchObject({ company_created: false, company_matched_by: 'domain', contact_created: false, deal: null });
      expect(r.company.id).toBe(company.id);
      expect(r.contact.id).toBe(contact.id);
      expect(r.lead).toMatchObject({ converted_to_account_id: company.id, converted_contact_id: contact.id, converted_deal_id: null });
      expect(await counts(database(), ['companies', 'contacts', 'deals'])).toEqual(before);
      expect(await dbRow('companies', company.id as string)).toBe(companyRow);
    });

    it('links an existing deal of the company with deal_id, and refuses one of another company or lead', async () => {
      const tag = uniq();
      const company = await createRecord(ctx(), resource('companies'), { name: `Fraser Facilities ${tag}` });
      const other = await createRecord(ctx(), resource('companies'), { name: `Other Co ${tag}` });
      const deal = await createRecord(ctx(), resource('deals'), { name: 'Work-order intake', company_id: company.id, value: '12000.00' });
      const foreign = await createRecord(ctx(), resource('deals'), { name: 'Elsewhere', company_id: other.id });
      const lead = await qualifiedLead({ company_name: `Fraser Facilities ${tag}`, company_website: null });
      const row = await dbRow('leads', lead.id as string);
      const before = await counts(database(), TABLES);
      const wrong = await refusal(convertLead(ctx(), { id: lead.id as string, deal_id: foreign.id as string }));
      expect(wrong.details.fields).toEqual([{ field: 'deal_id', message: 'is a deal of another company' }]);
      const both = await refusal(convertLead(ctx(), { id: lead.id as string, deal_id: deal.id as string, deal: {} }));
      expect(both.details.fields?.map((f) => f.field)).toEqual(['deal']);
      expect(await counts(database(), TABLES)).toEqual(before);
      expect(await dbRow('leads', lead.id as string)).toBe(row);

      const r = await convertLead(ctx(), { id: lead.id as string, deal_id: deal.id as string });
      expect(r.company_matched_by).toBe('name');
      expect(r.deal).toMatchObject({ id: deal.id, lead_id: lead.id, value: '12000.00' });
      expect(r.lead.converted_deal_id).toBe(deal.id);
      const second = await qualifiedLead({ company_name: `Fraser Facilities ${tag}`, company_website: null });
      const taken = await refusal(convertLead(ctx(), { id: second.id as string, deal_id: deal.id as string }));
      expect(taken.details.fields).toEqual([{ field: 'deal_id', message: 'came from another lead' }]);
    });

    it('matches by business email domain, then by name ignoring case; never by a free-mail domain', async () => {
      const tag = uniq();
      const byEmail = await createRecord(ctx(), resource('companies'), { name: `Kovac Joinery ${tag}`, website: `kovac${tag}.example` });
      const l1 = await qualifiedLead({ email: `ben@kovac${tag}.example`, company_name: 'Something else', company_website: null });
      const r1 = await convertLead(ctx(), { id: l1.id as string });
      expect([r1.company.id, r1.company_matched_by, r1.contact_created]).toEqual([byEmail.id, 'domain', true]);

      const byName = await createRecord(ctx(), resource('companies'), { name: `Doyle Bricklaying ${tag}` });
      const l2 = await qualifiedLead({ email: 'mick@gmail.com', company_name: `DOYLE bricklaying ${tag}`, company_website: null });
      const r2 = await convertLead(ctx(), { id: l2.id as string });
      expect([r2.company.id, r2.company_matched_by]).toEqual([byName.id, 'name']);

      // A company whose website happens to be gmail.com is not everyone's company.
      await createRecord(ctx(), resource('companies'), { name: `Google ${tag}`, website: 'gmail.com' });
      const l3 = await qualifiedLead({ email: 'someone@gmail.com', company_name: `Fresh Start ${tag}`, company_website: null });
      const r3 = await convertLead(ctx(), { id: l3.id as string });
      expect(r3.company_created).toBe(true);

      // match_company: false always creates; company_id links the one named.
      const l4 = await qualifiedLead({ email: `other@kovac${tag}.example`, company_website: null });
      const r4 = await convertLead(ctx(), { id: l4.id as string, match_company: false, company: { name: `Kovac Kitchens ${tag}` } });
      expect(r4.company_created).toBe(true);
      expect(r4.company.name).toBe(`Kovac Kitchens ${tag}`);
      const l5 = await qualifiedLead();
      const r5 = await convertLead(ctx(), { id: l5.id as string, company_id: byName.id as string });
      expect([r5.company.id, r5.company_matched_by]).toEqual([byName.id, 'company_id']);
    });

    it('refuses a lead that is not qualified with its allowed moves, and a converted one as final', async () => {
      const fresh = await newLead();
      const row = await dbRow('leads', fresh.id as string);
      const before = await counts(database(), TABLES);
      const e = await refusal(convertLead(ctx(), { id: fresh.id as string, deal: {} }));
      expect(e.code).toBe('CONFLICT');
      expect(e.details.allowed).toEqual(['contacted', 'qualifying', 'qualified', 'disqualified', 'lost']);
      expect(e.message).toContain('only a qualified lead can be converted; this lead is new');
      const qualifying = await newLead();
      await qualifyLead(ctx(), { id: qualifying.id as string, has_budget: false });
      const before2 = await counts(database(), TABLES);
      const q = await refusal(convertLead(ctx(), { id: qualifying.id as string }));
      expect(q.details.allowed).toEqual(['qualified', 'disqualified', 'lost']);
      expect(await counts(database(), TABLES)).toEqual(before2);
      expect(await dbRow('leads', fresh.id as string)).toBe(row);
      expect((await counts(database(), ['companies'])).companies).toBe(before.companies);

      const done = await qualifiedLead();
      await convertLead(ctx(), { id: done.id as string });
      const before3 = await counts(database(), TABLES);
      const again = await refusal(convertLead(ctx(), { id: done.id as string }));
      expect(again.code).toBe('CONFLICT');
      expect(again.details.allowed).toEqual([]);
      expect(await counts(database(), TABLES)).toEqual(before3);
    });

    it('is all-or-nothing: a deal refused after the company and contact were written leaves nothing', async () => {
      const lead = await qualifiedLead();
      const id = lead.id as string;
      const row = await dbRow('leads', id);
      const before = await counts(database(), TABLES);
      // The stage is checked against pipeline_stages inside the transaction, after the company
      // and contact rows were inserted.
      const stage = await refusal(convertLead(ctx(), { id, deal: { stage: 'signed_in_blood' } }));
      expect(stage.code).toBe('VALIDATION');
      expect(stage.details.fields?.[0]?.field).toBe('deal.stage');
      // A negative value passes the input schema and is refused by the database's check
      // constraint on the deal insert: the statement fails mid-transaction.
      const value = await refusal(convertLead(ctx(), { id, deal: { value: '-5.00' } }));
      expect(value.code).toBe('VALIDATION');
      expect(value.details.fields?.[0]?.field).toBe('deal.value');
      expect(await counts(database(), TABLES)).toEqual(before);
      expect(await dbRow('leads', id)).toBe(row);
      // Bad input is named under its part, before anything is tried.
      const fields = await refusal(convertLead(ctx(), { id, contact: { email: 'nope' }, deal: { company_id: randomUUID() } }));
      expect(fields.details.fields?.map((f) => f.field)).toEqual(['deal.company_id']);
      const contact = await refusal(convertLead(ctx(), { id, contact: { email: 'nope' } }));
      expect(contact.details.fields?.map((f) => f.field)).toEqual(['contact.email']);
      expect(await counts(database(), TABLES)).toEqual(before);
      // And the same lead then converts cleanly.
      const ok = await convertLead(ctx(), { id, deal: {} });
      expect(ok.lead.status).toBe('converted');
    });

    it('asks for a company name when the lead has none and matches nothing', async () => {
      const lead = await qualifiedLead({ company_name: null, company_website: null, email: `x@nowhere${uniq()}.example` });
      const e = await refusal(convertLead(ctx(), { id: lead.id as string }));
      expect(e.details.fields?.map((f) => f.field)).toEqual(['company.name']);
      const r = await convertLead(ctx(), { id: lead.id as string, company: { name: `Named Later ${uniq()}` } });
      expect(r.company_created).toBe(true);
    });
  });

  describe('over HTTP', () => {
    type App = ReturnType<typeof createApp>;
    let app: App;
    let admin: SignedIn;
    let alice: SignedIn;
    let bob: SignedIn;
    let vic: SignedIn;
    const send = async (who: SignedIn, method: string, path: string, body?: unknown) => {
      const init: RequestInit = { method, headers: body === undefined ? {} : { 'content-type': 'application/json' } };
      if (body !== undefined) init.body = JSON.stringify(body);
      const r = await who.request(path, init);
      const text = await r.text();
      return { status: r.status, body: text ? JSON.parse(text) : undefined };
    };

    beforeAll(async () => {
      app = createApp({ database: database(), identity: FAST_IDENTITY });
      ({ admin, alice, bob, vic } = await signInCast(app, database()));
    });

    it('scores on POST and PATCH (the response and GET agree), explains, qualifies and converts', async () => {
      const tag = uniq();
      const created = await send(alice, 'POST', '/api/v1/leads', { email: `jo@site${tag}.example`, company_name: `Site ${tag}`, tier: 'L1_ESSENTIALS' });
      expect(created.status).toBe(201);
      // 40 + 15 + 20 + 5 tier = 80.
      expect(created.body.score).toBe(80);
      const id = created.body.id as string;
      const patched = await send(alice, 'PATCH', `/api/v1/leads/${id}`, { phone: '0400 111 222' });
      expect(patched.body.score).toBe(90);
      expect((await send(alice, 'GET', `/api/v1/leads/${id}`)).body).toEqual(patched.body);

      const explained = await send(vic, 'GET', `/api/v1/leads/${id}/score`);
      expect(explained.status).toBe(200);
      expect(explained.body).toMatchObject({ lead_id: id, score: 90, recorded: true });
      expect(explained.body.breakdown.find((b: { factor: string }) => b.factor === 'phone')).toMatchObject({ points: 10, max: 10 });

      const q = await send(alice, 'POST', `/api/v1/leads/${id}/qualify`, { has_budget: true, budget_amount: '18000.50', decision_maker: true, need_identified: true, timeline: 'Q3' });
      expect(q.status, JSON.stringify(q.body)).toBe(200);
      expect(q.body.lead.status).toBe('qualified');
      expect(q.body.qualification.qualified_by).toBe(alice.user.id);

      const c = await send(alice, 'POST', `/api/v1/leads/${id}/convert`, { deal: { name: 'Site pilot' } });
      expect(c.status, JSON.stringify(c.body)).toBe(200);
      expect(c.body.deal).toMatchObject({ name: 'Site pilot', value: '18000.50', owner_id: alice.user.id });
      expect(c.body.company.owner_id).toBe(alice.user.id);
      const lead = (await send(alice, 'GET', `/api/v1/leads/${id}`)).body;
      expect(lead).toMatchObject({ status: 'converted', converted_deal_id: c.body.deal.id });

      const refused = await send(alice, 'POST', `/api/v1/leads/${id}/convert`, {});
      expect(refused.status).toBe(409);
      expect(refused.body.allowed).toEqual([]);
      const plain = await send(alice, 'PATCH', `/api/v1/leads/${created.body.id}`, { converted_deal_id: null });
      expect(plain.status).toBe(400);
    });

    it('refuses the write verbs to a viewer (403), changing nothing', async () => {
      const lead = await qualifiedLead();
      const id = lead.id as string;
      const row = await dbRow('leads', id);
      const refusedCount = async () =>
        (await database().query<{ n: number }>("select count(*)::int as n from audit_log where action = 'refused'"))[0]!.n;
      const refusedBefore = await refusedCount();
      const before = await counts(database(), TABLES);
      const q = await send(vic, 'POST', `/api/v1/leads/${id}/qualify`, { has_budget: true });
      expect(q.status).toBe(403);
      const c = await send(vic, 'POST', `/api/v1/leads/${id}/convert`, { deal: {} });
      expect(c.status).toBe(403);
      // The only audit rows are the two refusals themselves.
      expect(await counts(database(), TABLES)).toEqual({ ...before, audit_log: before.audit_log! + 2 });
      expect(await refusedCount()).toBe(refusedBefore + 2);
      expect(await dbRow('leads', id)).toBe(row);
    });

    it('never links or reveals a company the caller cannot see', async () => {
      expect((await send(admin, 'PATCH', '/api/v1/settings', { record_visibility: 'own' })).status).toBe(200);
      try {
        const tag = uniq();
        const hidden = await send(bob, 'POST', '/api/v1/companies', { name: `Hidden Harbour ${tag}`, website: `https://hiddenharbour${tag}.example` });
        expect(hidden.status).toBe(201);
        const hiddenId = hidden.body.id as string;
        await send(bob, 'POST', '/api/v1/contacts', { company_id: hiddenId, name: 'Bob Contact', email: `ceo@hiddenharbour${tag}.example` });
        const hiddenRow = await dbRow('companies', hiddenId);

        const lead = await send(alice, 'POST', '/api/v1/leads', {
          email: `ceo@hiddenharbour${tag}.example`,
          first_name: 'Cee',
          last_name: 'Oh',
          company_name: `Hidden Harbour ${tag}`,
          company_website: `hiddenharbour${tag}.example`,
        });
        const id = lead.body.id as string;
        expect((await send(alice, 'POST', `/api/v1/leads/${id}/qualify`, { status: 'qualified' })).status).toBe(200);

        // Naming Bob's company is refused like naming one that does not exist.
        const named = await send(alice, 'POST', `/api/v1/leads/${id}/convert`, { company_id: hiddenId });
        expect(named.status).toBe(400);
        expect(named.body.errors).toEqual([{ field: 'company_id', message: 'does not name a company that you can see' }]);
        const ghost = await send(alice, 'POST', `/api/v1/leads/${id}/convert`, { company_id: randomUUID() });
        expect(ghost.body.errors).toEqual(named.body.errors);

        // Same name and domain as Bob's company: Alice gets a company of her own.
        const c = await send(alice, 'POST', `/api/v1/leads/${id}/convert`, {});
        expect(c.status, JSON.stringify(c.body)).toBe(200);
        expect(c.body.company_created).toBe(true);
        expect(c.body.contact_created).toBe(true);
        expect(c.body.company.id).not.toBe(hiddenId);
        expect(c.body.company.owner_id).toBe(alice.user.id);
        expect(JSON.stringify(c.body)).not.toContain(hiddenId);
        expect(await dbRow('companies', hiddenId)).toBe(hiddenRow);
        expect((await send(alice, 'GET', `/api/v1/companies/${hiddenId}`)).status).toBe(404);
        // Another user's lead is not found for Alice's verbs.
        const bobLead = await send(bob, 'POST', '/api/v1/leads', { email: `b@b${tag}.example` });
        expect((await send(alice, 'GET', `/api/v1/leads/${bobLead.body.id}/score`)).status).toBe(404);
        expect((await send(alice, 'POST', `/api/v1/leads/${bobLead.body.id}/qualify`, { has_budget: true })).status).toBe(404);
      } finally {
        expect((await send(admin, 'PATCH', '/api/v1/settings', { record_visibility: 'all' })).status).toBe(200);
      }
    });
  });

  it('keeps a score written outside this layer honest: the next change records the rule', async () => {
    const lead = await newLead();
    const id = lead.id as string;
    // As the demo seed does today: a score written straight through applyUpdate.
    const r = await applyUpdate(ctx(), leads(), id, { score: 12 }, { operation: 'test.direct' });
    expect(r.score).toBe(75);
    expect((await getRecord(ctx(), leads(), id)).score).toBe(75);
  });
});
