import { describe, expect, it } from 'vitest';
import { createApp } from '../src/api/app.ts';
import { getRecord, updateRecord } from '../src/core/resource.ts';
import { resource } from '../src/core/resources.ts';
import { statusTimeline } from '../src/core/platform/history.ts';
import {
  completeMeeting,
  followUpsDue,
  logInteraction,
  logProspect,
  markCompanyLost,
  scheduleMeeting,
  weekOf,
} from '../src/core/sales/workflow.ts';
import { signIn } from './auth.ts';
import { counts, dbSuite } from './db.ts';
import { refusal } from './refusal.ts';

const uniq = () => Math.random().toString(36).slice(2, 8);
/** Wednesday 18 November 2026, 09:00 UTC: the week runs Monday 16 to Sunday 22. */
const WEDNESDAY = new Date('2026-11-18T09:00:00Z');


describe('weekOf', () => {
  it('runs Monday to Sunday', () => {
    expect(weekOf('2026-11-18')).toEqual({ from: '2026-11-16', to: '2026-11-22' });
    expect(weekOf('2026-11-16')).toEqual({ from: '2026-11-16', to: '2026-11-22' });
    expect(weekOf('2026-11-22')).toEqual({ from: '2026-11-16', to: '2026-11-22' });
  });
});

dbSuite('sales workflow', ({ database, ctx }) => {
  it('logs a prospect with its first contact at status lead, with history and audit', async () => {
    const name = `Smith Building Group ${uniq()}`;
    const r = await logProspect(ctx(), {
      company: { name, size: '12 staff', location: 'Bondi Junction', source: 'cold_walk_in' },
      contact: { name: 'Jo Smith', role_title: 'Director', is_decision_maker: true },
    });
    expect(r.company).toMatchObject({ name, status: 'lead', industry: 'construction', source: 'cold_walk_in' });
    expect(r.contact).toMatchObject({ company_id: r.company.id, name: 'Jo Smith', has_email: false });
    const history = await statusTimeline(ctx(), { entity_type: 'company', id: r.company.id as string });
    expect(history.entries.map((e) => e.status)).toEqual(['lead']);
    const audit = await database().query<{ action: string; table_name: string; operation: string }>(
      'select action, table_name, operation from audit_log where record_id = $1',
      [r.company.id],
    );
    expect(audit).toEqual([{ action: 'create', table_name: 'companies', operation: 'sales.log_prospect' }]);
  });

  it('logs a prospect with its first conversation in one transaction, or nothing at all', async () => {
    const name = `Walk-in Joinery ${uniq()}`;
    const r = await logProspect(ctx(), {
      company: { name },
      contact: { name: 'Ari Walker' },
      interaction: { type: 'cold_walk_in', summary: 'Met the owner at the counter', follow_up_date: '2030-01-15' },
    });
    expect(r.company).toMatchObject({ name, status: 'contacted' });
    expect(r.interaction).toMatchObject({ company_id: r.company.id, contact_id: r.contact!.id, follow_up_date: '2030-01-15' });
    // A conversation the interactions table refuses leaves no company behind.
    const refusedName = `Half Saved Pty Ltd ${uniq()}`;
    const before = await counts(database(), ['companies', 'contacts', 'interactions']);
    await expect(logProspect(ctx(), { company: { name: refusedName }, interaction: { type: 'carrier_pigeon' } })).rejects.toMatchObject({ code: 'VALIDATION' });
    expect(await counts(database(), ['companies', 'contacts', 'interactions'])).toEqual(before);
  });

  it('refuses a duplicate prospect by name or website domain unless asked, writing nothing', async () => {
    const name = `Harbour Civil ${uniq()}`;
    const domain = `${uniq()}.com.au`;
    await logProspect(ctx(), { company: { name, website: `https://www.${domain}/` } });
    const before = await counts(database(), ['companies', 'contacts', 'audit_log']);
    const byName = await refusal(logProspect(ctx(), { company: { name: name.toUpperCase() }, contact: { name: 'X' } }));
    expect(byName.code).toBe('CONFLICT');
    const byDomain = await refusal(logProspect(ctx(), { company: { name: 'Other name', website: domain } }));
    expect(byDomain.code).toBe('CONFLICT');
    expect(await counts(database(), ['companies', 'contacts', 'audit_log'])).toEqual(before);
    const dup = await logProspect(ctx(), { company: { name }, allow_duplicate: true });
    expect(dup.company.name).toBe(name);
  });

  it('names the nested field on bad prospect input and writes nothing', async () => {
    const before = await counts(database(), ['companies', 'contacts']);
    const e = await refusal(
      logProspect(ctx(), { company: { name: 'Bad Co', source: 'carrier_pigeon' }, contact: { name: 'A', email: 'not-an-email' } }),
    );
    expect(e.code).toBe('VALIDATION');
    expect(e.details.fields?.map((f) => f.field)).toEqual(['company.source']);
    const e2 = await refusal(logProspect(ctx(), { company: { name: 'Bad Co' }, contact: { name: 'A', email: 'not-an-email' } }));
    expect(e2.details.fields?.map((f) => f.field)).toEqual(['contact.email']);
    expect(await counts(database(), ['companies', 'contacts'])).toEqual(before);
  });

  it('logs an interaction: creates the contact once, moves lead to contacted, records the follow-up', async () => {
    const { company } = await logProspect(ctx(), { company: { name: `Coastal Builders ${uniq()}` } });
    const first = await logInteraction(ctx(), {
      company_id: company.id as string,
      contact: { name: 'Sam Lee', role_title: 'Senior Estimator', email: 'sam@coastal.example' },
      interaction: { type: 'cold_call', summary: 'Spoke to Sam', outcome: 'interested', next_step: 'Send case study', follow_up_date: '2026-11-20' },
    });
    expect(first.contact_created).toBe(true);
    expect(first.company_status_change).toEqual({ from: 'lead', to: 'contacted' });
    expect(first.interaction).toMatchObject({ outcome: 'interested', follow_up_date: '2026-11-20', contact_id: first.contact!.id });
    const again = await logInteraction(ctx(), {
      company_id: company.id as string,
      contact: { name: 'Sam Lee', email: 'SAM@coastal.example' },
      interaction: { type: 'follow_up_email', summary: 'Sent case study' },
    });
    expect(again.contact_created).toBe(false);
    expect(again.contact!.id).toBe(first.contact!.id);
    expect(again.company_status_change).toBeNull();
    expect((await getRecord(ctx(), resource('companies'), company.id as string)).status).toBe('contacted');
  });

  it("keeps a contact's last contact at the latest conversation when an earlier one is logged afterwards", async () => {
    const { company } = await logProspect(ctx(), { company: { name: `Late Notes Pty ${uniq()}` } });
    const contact = { name: 'Pat Doe', email: `pat-${uniq()}@late.example` };
    const recent = await logInteraction(ctx(), { company_id: company.id as string, contact, interaction: { type: 'call', interaction_date: '2026-11-10T09:00:00.000Z' } });
    const lastContacted = async () => (await database().query<{ t: string }>('select last_contacted_at as t from contacts where id = $1', [recent.contact!.id]))[0]!.t;
    expect(new Date(await lastContacted()).toISOString()).toBe('2026-11-10T09:00:00.000Z');
    await logInteraction(ctx(), { company_id: company.id as string, contact, interaction: { type: 'email', interaction_date: '2026-10-01T09:00:00.000Z' } });
    expect(new Date(await lastContacted()).toISOString()).toBe('2026-11-10T09:00:00.000Z');
    await logInteraction(ctx(), { company_id: company.id as string, contact, interaction: { type: 'meeting', interaction_date: '2026-11-12T09:00:00.000Z' } });
    expect(new Date(await lastContacted()).toISOString()).toBe('2026-11-12T09:00:00.000Z');
  });

  it('lists follow-ups due this week with overdue ones, and a later interaction answers them', async () => {
    const c = ctx({ now: () => WEDNESDAY });
    const tag = uniq();
    const mk = async (name: string, follow_up_date: string | null, at: string) => {
      const { company } = await logProspect(c, { company: { name: `${name} ${tag}` } });
      await logInteraction(c, {
        company_id: company.id as string,
        contact: { name: `${name} contact`, phone: '0400 000 000' },
        interaction: { type: 'cold_call', interaction_date: at, summary: `${name} call`, follow_up_date },
      });
      return company;
    };
    const overdue = await mk('Overdue Pty', '2026-11-10', '2026-11-03T01:00:00Z');
    const today = await mk('Today Pty', '2026-11-18', '2026-11-11T01:00:00Z');
    const sunday = await mk('Sunday Pty', '2026-11-22', '2026-11-12T01:00:00Z');
    await mk('Next Week Pty', '2026-11-23', '2026-11-12T01:00:00Z');
    const answered = await mk('Answered Pty', '2026-11-17', '2026-11-10T01:00:00Z');
    await logInteraction(c, {
      company_id: answered.id as string,
      interaction: { type: 'follow_up_call', interaction_date: '2026-11-16T01:00:00Z', summary: 'Called back' },
    });
    const lost = await mk('Lost Pty', '2026-11-17', '2026-11-10T01:00:00Z');
    await markCompanyLost(c, { id: lost.id as string, lost_reason: 'No response after three attempts' });

    const due = await followUpsDue(c);
    const mine = due.items.filter((i) => i.company && String(i.company.name).endsWith(tag));
    expect(due.window).toEqual({ from: '2026-11-16', to: '2026-11-22', include_overdue: true });
    expect(mine.map((i) => i.company!.id)).toEqual([overdue.id, today.id, sunday.id]);
    expect(mine[0]).toMatchObject({ overdue: true, days_overdue: 8, follow_up_date: '2026-11-10' });
    expect(mine[0]!.contact).toMatchObject({ name: 'Overdue Pty contact', phone: '0400 000 000' });
    expect(mine[0]!.last_interaction).toMatchObject({ type: 'cold_call', summary: 'Overdue Pty call' });
    expect(mine[1]).toMatchObject({ overdue: false, days_overdue: 0 });

    const withoutOverdue = await followUpsDue(c, { include_overdue: false });
    expect(withoutOverdue.items.filter((i) => i.company && String(i.company.name).endsWith(tag)).map((i) => i.company!.id)).toEqual([today.id, sunday.id]);
    const nextWeek = await followUpsDue(c, { from: '2026-11-23', to: '2026-11-29', include_overdue: false });
    expect(nextWeek.items.filter((i) => i.company && String(i.company.name).endsWith(tag))).toHaveLength(1);
  });

  it('schedules and completes a meeting, moving the company through the pipeline', async () => {
    const { company, contact } = await logProspect(ctx(), {
      company: { name: `Meeting Co ${uniq()}` },
      contact: { name: 'Pat Owner', is_decision_maker: true },
    });
    await logInteraction(ctx(), { company_id: company.id as string, contact_id: contact!.id as string, interaction: { type: 'cold_walk_in', outcome: 'meeting_booked' } });
    const { meeting, company_status_change } = await scheduleMeeting(ctx(), {
      company_id: company.id as string,
      contact_id: contact!.id as string,
      meeting: { scheduled_at: '2026-11-25T23:00:00Z', duration_minutes: 45, meeting_type: 'discovery', subject: 'First meeting' },
    });
    expect(company_status_change).toEqual({ from: 'contacted', to: 'meeting_scheduled' });
    expect(meeting).toMatchObject({ type: 'meeting', meeting_status: 'scheduled', outcome: 'meeting_booked' });
    const done = await completeMeeting(ctx(), {
      id: meeting.id as string,
      result: { summary: 'Keen on estimating automation; worried about site staff adoption', outcome: 'next_step_agreed', next_step: 'Propose an audit', follow_up_date: '2026-11-27' },
    });
    expect(done.meeting).toMatchObject({ meeting_status: 'completed', next_step: 'Propose an audit' });
    expect(done.company_status_change).toEqual({ from: 'meeting_scheduled', to: 'meeting_complete' });
    const again = await refusal(completeMeeting(ctx(), { id: meeting.id as string, result: { summary: 'twice' } }));
    expect(again.code).toBe('CONFLICT');
    const history = await statusTimeline(ctx(), { entity_type: 'company', id: company.id as string });
    expect(history.entries.map((e) => e.status)).toEqual(['lead', 'contacted', 'meeting_scheduled', 'meeting_complete']);
    expect(history.entries.filter((e) => e.current)).toHaveLength(1);
    expect(history.time_in_status.map((t) => t.status)).toEqual(['lead', 'contacted', 'meeting_scheduled', 'meeting_complete']);
  });

  it('refuses an illegal status move, lists the allowed ones and changes nothing', async () => {
    const { company } = await logProspect(ctx(), { company: { name: `Skipper ${uniq()}` } });
    const before = await getRecord(ctx(), resource('companies'), company.id as string);
    const e = await refusal(updateRecord(ctx(), resource('companies'), company.id as string, { status: 'go' }));
    expect(e.code).toBe('CONFLICT');
    expect(e.details.allowed).toEqual(['contacted', 'meeting_scheduled', 'lost']);
    expect(e.message).toContain('allowed next: contacted, meeting_scheduled, lost');
    expect(await getRecord(ctx(), resource('companies'), company.id as string)).toEqual(before);
    const unknown = await refusal(updateRecord(ctx(), resource('companies'), company.id as string, { status: 'bananas' }));
    expect(unknown.code).toBe('VALIDATION');
    expect(unknown.details.fields?.[0]?.field).toBe('status');
  });

  it('marks a company lost with its reason and shows time spent in each status', async () => {
    let clock = new Date('2026-11-01T00:00:00Z');
    const c = ctx({ now: () => clock });
    const { company } = await logProspect(c, { company: { name: `Gone Quiet ${uniq()}` } });
    clock = new Date('2026-11-04T00:00:00Z');
    await logInteraction(c, { company_id: company.id as string, interaction: { type: 'cold_email', outcome: 'no_response' } });
    clock = new Date('2026-11-14T12:00:00Z');
    const lost = await markCompanyLost(c, { id: company.id as string, lost_reason: 'No response after three attempts' });
    expect(lost).toMatchObject({ status: 'lost', lost_reason: 'No response after three attempts' });
    clock = new Date('2026-11-15T12:00:00Z');
    const h = await statusTimeline(c, { entity_type: 'company', id: company.id as string });
    expect(h.entries.map((e) => [e.status, e.duration_days])).toEqual([
      ['lead', 3],
      ['contacted', 10],
      ['lost', 1],
    ]);
    expect(h.entries[2]!.reason).toBe('No response after three attempts');
    const blank = await refusal(markCompanyLost(c, { id: company.id as string, lost_reason: '  ' }));
    expect(blank.code).toBe('VALIDATION');
  });

  it('runs the sales steps through the HTTP API', async () => {
    const app = await signIn(createApp({ database: database(), timeZone: 'UTC' }), database(), 'editor');
    const post = (path: string, body: unknown) =>
      app.request(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const name = `API Builders ${uniq()}`;
    const p = await post('/api/v1/sales/prospects', { company: { name, location: 'Parramatta', source: 'referral' } });
    expect(p.status).toBe(201);
    const { company } = (await p.json()) as { company: { id: string } };
    const i = await post('/api/v1/sales/interactions', {
      company_id: company.id,
      contact: { name: 'Alex Site', role_title: 'Site Supervisor' },
      interaction: { type: 'site_visit', outcome: 'meeting_booked', follow_up_date: '2026-11-19' },
    });
    expect(i.status).toBe(201);
    const m = await post('/api/v1/sales/meetings', { company_id: company.id, meeting: { scheduled_at: '2026-11-26T00:00:00Z' } });
    expect(m.status).toBe(201);
    const { meeting } = (await m.json()) as { meeting: { id: string } };
    const done = await post(`/api/v1/sales/meetings/${meeting.id}/complete`, { result: { summary: 'Went well', follow_up_date: '2026-11-28' } });
    expect(done.status).toBe(200);
    const f = await app.request('/api/v1/sales/follow-ups?from=2026-11-23&to=2026-11-29&include_overdue=false');
    const due = (await f.json()) as { items: { company: { id: string } }[] };
    expect(due.items.some((x) => x.company.id === company.id)).toBe(true);
    const bad = await app.request(`/api/v1/companies/${company.id}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ status: 'supporting' }),
    });
    expect(bad.status).toBe(409);
    const problem = (await bad.json()) as { allowed: string[]; code: string };
    expect(problem.code).toBe('CONFLICT');
    expect(problem.allowed).toEqual(['auditing', 'meeting_scheduled', 'lost']);
    const lost = await post(`/api/v1/sales/companies/${company.id}/lost`, { lost_reason: 'Went with a competitor' });
    expect(lost.status).toBe(200);
    const h = await app.request(`/api/v1/status_history/company/${company.id}`);
    const timeline = (await h.json()) as { entries: { status: string }[] };
    expect(timeline.entries.map((e) => e.status)).toEqual(['lead', 'contacted', 'meeting_scheduled', 'meeting_complete', 'lost']);
  });
});
