/**
 * Support tickets and invoices as workflows, and seed 002's money views: every allowed move
 * and the refused ones on the verbs and on the generic PATCH, resolution and payment stamps,
 * gap-free numbering under concurrency, overdue derived from the clock, hand-computed metrics
 * and views in two currencies, permissions, audit and record visibility.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/api/app.ts';
import { LOCAL_OPERATOR, type Actor, type Ctx } from '../src/core/context.ts';
import type { AppError } from '../src/core/errors.ts';
import { userActor } from '../src/core/identity/actor.ts';
import { createUser } from '../src/core/identity/users.ts';
import { INVOICE_MOVES, invoiceStanding, cancelInvoice, payInvoice, sendInvoice } from '../src/core/delivery/invoices.ts';
import { closeTicket, reopenTicket, resolveTicket, TICKET_MOVES, ticketMetrics } from '../src/core/delivery/tickets.ts';
import { invoke, operationByName } from '../src/core/registry.ts';
import { createRecord, insertRecord, updateRecord, type Row } from '../src/core/resource.ts';
import { resource } from '../src/core/resources.ts';
import type { Db } from '../src/db/client.ts';
import { FAST_IDENTITY, type SignedIn, signInCast } from './auth.ts';
import { dbSuite } from './db.ts';
import { refusal } from './refusal.ts';

const uniq = () => randomUUID().slice(0, 8);
/** Wednesday 18 November 2026, 09:00 UTC. */
const NOW = new Date('2026-11-18T09:00:00Z');
const TODAY = '2026-11-18';
/** NOW plus some minutes. */
const later = (minutes: number) => new Date(NOW.getTime() + minutes * 60_000);
const fieldsOf = (e: AppError) => (e.details.fields ?? []).map((f) => f.field);
const STATUSES = ['open', 'in_progress', 'waiting', 'resolved', 'closed'] as const;
const INVOICE_STATUSES = ['draft', 'sent', 'paid', 'cancelled'] as const;

describe('status tables', () => {
  it('tickets allow exactly the documented moves; closed is final', () => {
    expect(TICKET_MOVES).toEqual({
      open: ['in_progress', 'waiting', 'resolved', 'closed'],
      in_progress: ['waiting', 'resolved', 'open'],
      waiting: ['in_progress', 'resolved'],
      resolved: ['closed', 'open', 'in_progress'],
      closed: [],
    });
  });
  it('invoices allow exactly the documented moves', () => {
    expect(INVOICE_MOVES).toEqual({ draft: ['sent', 'cancelled'], sent: ['paid', 'cancelled'], paid: [], cancelled: [] });
  });
  it('overdue is derived: sent and due before today', () => {
    const inv = (status: string, due_date: string | null) => invoiceStanding({ status, due_date }, TODAY);
    expect(inv('sent', '2026-11-17')).toEqual({ display_status: 'overdue', overdue: true, days_overdue: 1 });
    expect(inv('sent', TODAY)).toEqual({ display_status: 'sent', overdue: false, days_overdue: null });
    expect(inv('paid', '2026-01-01').overdue).toBe(false);
    expect(inv('draft', '2026-01-01').overdue).toBe(false);
    expect(inv('sent', null).overdue).toBe(false);
  });
});

dbSuite('support tickets, invoices and billing views', ({ database, ctx }) => {
  const c = (over: { actor?: Actor; now?: Date; timeZone?: string } = {}) =>
    ctx({ now: () => over.now ?? NOW, ...(over.actor ? { actor: over.actor } : {}), ...(over.timeZone ? { timeZone: over.timeZone } : {}) });
  let editor: Actor;
  let viewer: Actor;
  let companyId: string;

  beforeAll(async () => {
    const mk = async (role: 'editor' | 'viewer') =>
      userActor(await createUser(ctx({ actor: LOCAL_OPERATOR }), { email: `${role}-${uniq()}@example.com`, name: `${role} ${uniq()}`, role, password: `pass phrase ${uniq()} ${uniq()}` }, FAST_IDENTITY));
    editor = await mk('editor');
    viewer = await mk('viewer');
    companyId = (await company(c())).id as string;
  });

  const company = (x: Ctx, name = `Client ${uniq()}`) => insertRecord(x, resource('companies'), { name });
  const engagement = (x: Ctx, values: Row) => insertRecord(x, resource('engagements'), { name: `Engagement ${uniq()}`, ...values });
  /** A ticket through the generic create, as a client would post it. */
  const ticket = (values: Row = {}, x: Ctx = c()) =>
    createRecord(x, resource('support_tickets'), { company_id: companyId, subject: `Help ${uniq()}`, request_date: '2026-11-16T09:00:00.000Z', ...values });
  const invoice = (values: Row = {}, x: Ctx = c()) =>
    createRecord(x, resource('invoices'), { company_id: companyId, invoice_type: 'setup', amount: '1000.00', ...values });
  const patch = (table: string, id: unknown, data: Row, x: Ctx = c()) => updateRecord(x, resource(table), String(id), data);
  const row = async (table: string, id: unknown) => JSON.stringify(await database().query(`select * from "${table}" where id = $1`, [id]));
  const auditOf = (id: unknown) =>
    database().query<{ action: string; operation: string | null; before: Row | null; after: Row | null }>(
      'select action, operation, before, after from audit_log where record_id = $1 order by at, id',
      [id],
    );

  /** A ticket in any status, created the way an import would. */
  const ticketIn = (status: string) =>
    ticket({ status, ...(status === 'resolved' ? { resolution: 'Fixed the connector', resolved_at: '2026-11-17T09:00:00.000Z' } : {}) });

  // -------------------------------------------------------------------------
  // Ticket moves

  describe('ticket moves', () => {
    it('the generic PATCH allows every documented move and refuses every other, writing nothing', async () => {
      for (const from of STATUSES) {
        for (const to of STATUSES) {
          if (to === from) continue;
          const t = await ticketIn(from);
          const data: Row = { status: to, ...(to === 'resolved' ? { resolution: 'Done' } : {}) };
          if ((TICKET_MOVES[from] as readonly string[]).includes(to)) {
            const after = await patch('support_tickets', t.id, data);
            expect(after.status, `${from} → ${to}`).toBe(to);
          } else {
            const before = await row('support_tickets', t.id);
            const e = await refusal(patch('support_tickets', t.id, data));
            expect([e.code, fieldsOf(e)], `${from} → ${to}`).toEqual(['CONFLICT', ['status']]);
            expect(e.details.allowed).toEqual([...TICKET_MOVES[from]]);
            expect(await row('support_tickets', t.id)).toBe(before);
          }
        }
      }
    });

    it('the verbs move only where the table allows and name the allowed moves', async () => {
      const t = await ticketIn('in_progress');
      const e = await refusal(closeTicket(c(), { id: t.id as string }));
      expect([e.code, fieldsOf(e), e.details.allowed]).toEqual(['CONFLICT', ['status'], ['waiting', 'resolved', 'open']]);
      expect(e.message).toMatch(/allowed next: waiting, resolved, open/);
      await resolveTicket(c(), { id: t.id as string, resolution: 'Reset the token' });
      expect((await refusal(resolveTicket(c(), { id: t.id as string, resolution: 'again' }))).code).toBe('CONFLICT');
      const closed = await closeTicket(c(), { id: t.id as string });
      expect(closed.ticket.status).toBe('closed');
      for (const verb of [() => reopenTicket(c(), { id: t.id as string }), () => resolveTicket(c(), { id: t.id as string, resolution: 'x' })]) {
        const r = await refusal(verb());
        expect([r.code, fieldsOf(r)]).toEqual(['CONFLICT', ['status']]);
        expect(r.message).toMatch(/final/);
      }
      // open → closed drops a ticket without resolving it.
      const dropped = await closeTicket(c(), { id: (await ticketIn('open')).id as string });
      expect([dropped.ticket.status, dropped.ticket.resolved_at, dropped.ticket.resolution]).toEqual(['closed', null, null]);
      for (const status of ['open', 'in_progress', 'waiting']) {
        const r = await refusal(reopenTicket(c(), { id: (await ticketIn(status)).id as string }));
        expect([r.code, fieldsOf(r)], status).toEqual(['CONFLICT', ['status']]);
        expect(r.message).toMatch(/only a resolved ticket is reopened/);
      }
    });

    it('resolving stamps resolved_at (now unless given) and needs a resolution', async () => {
      const t = await ticket({ request_date: '2026-11-16T09:00:00.000Z', status: 'in_progress' });
      const r = await resolveTicket(c(), { id: t.id as string, resolution: 'Rebuilt the Skill', hours_spent: '2.5' });
      expect(r.ticket.resolved_at).toEqual(NOW);
      expect(r.ticket.resolved_date).toBe(TODAY);
      expect([r.ticket.hours_spent, r.hours_to_resolve]).toEqual(['2.50', '48.00']);

      const given = await ticket({ request_date: '2026-11-16T09:00:00.000Z' });
      const g = await resolveTicket(c(), { id: given.id as string, resolution: 'Answered', resolved_at: new Date('2026-11-16T10:15:00Z') });
      expect([g.ticket.resolved_at, g.hours_to_resolve]).toEqual([new Date('2026-11-16T10:15:00Z'), '1.25']);

      const other = await ticket({ request_date: '2026-11-16T09:00:00.000Z' });
      const before = await row('support_tickets', other.id);
      const early = await refusal(resolveTicket(c(), { id: other.id as string, resolution: 'x', resolved_at: new Date('2026-11-16T08:59:59Z') }));
      expect([early.code, fieldsOf(early)]).toEqual(['VALIDATION', ['resolved_at']]);
      const noResolution = await refusal(patch('support_tickets', other.id, { status: 'resolved' }));
      expect([noResolution.code, fieldsOf(noResolution)]).toEqual(['VALIDATION', ['resolution']]);
      expect(noResolution.message).toMatch(/required/);
      const blank = await refusal(invoke(operationByName.get('support.resolve_ticket')!, c(), { id: other.id, resolution: '   ' }));
      expect(fieldsOf(blank)).toEqual(['resolution']);
      const badHours = await refusal(invoke(operationByName.get('support.resolve_ticket')!, c(), { id: other.id, resolution: 'x', hours_spent: '-1' }));
      expect(fieldsOf(badHours)).toEqual(['hours_spent']);
      expect(await row('support_tickets', other.id)).toBe(before);

      // Through the PATCH: the same stamp, and the resolution stays required while resolved.
      const p = await patch('support_tickets', other.id, { status: 'resolved', resolution: 'Patched' });
      expect(p.resolved_at).toEqual(NOW);
      expect(fieldsOf(await refusal(patch('support_tickets', other.id, { resolution: null })))).toEqual(['resolution']);
      expect(fieldsOf(await refusal(patch('support_tickets', other.id, { resolved_at: null })))).toEqual(['resolved_at']);
      expect(fieldsOf(await refusal(patch('support_tickets', other.id, { request_date: '2026-11-18T09:30:00.000Z' })))).toEqual(['request_date']);
      const moved = await patch('support_tickets', other.id, { resolved_at: '2026-11-17T09:00:00.000Z' });
      expect(moved.resolved_at).toEqual(new Date('2026-11-17T09:00:00Z'));
    });

    it('leaving resolved for open or in_progress clears resolved_at and resolution; an open ticket has no resolved_at', async () => {
      const a = await ticketIn('resolved');
      const back = await patch('support_tickets', a.id, { status: 'in_progress' });
      expect([back.status, back.resolved_at, back.resolved_date, back.resolution]).toEqual(['in_progress', null, null, null]);
      const e = await refusal(patch('support_tickets', a.id, { resolved_at: '2026-11-17T09:00:00.000Z' }));
      expect([e.code, fieldsOf(e)]).toEqual(['VALIDATION', ['resolved_at']]);
      expect(fieldsOf(await refusal(ticket({ resolved_at: '2026-11-17T09:00:00.000Z' })))).toEqual(['resolved_at']);

      const b = await ticketIn('resolved');
      const r = await reopenTicket(c(), { id: b.id as string, reason: 'Still fails on Mondays' });
      expect([r.ticket.status, r.ticket.resolved_at, r.ticket.resolution]).toEqual(['open', null, null]);
      expect(r.ticket.notes).toBe(`Reopened ${TODAY}: Still fails on Mondays (previous resolution: Fixed the connector)`);
      const again = await resolveTicket(c(), { id: b.id as string, resolution: 'Fixed for good' });
      expect(again.ticket.resolved_at).toEqual(NOW);
      const r2 = await reopenTicket(c(), { id: b.id as string });
      expect(r2.ticket.notes).toBe(`Reopened ${TODAY}: Still fails on Mondays (previous resolution: Fixed the connector)\nReopened ${TODAY} (previous resolution: Fixed for good)`);
    });

    it('a ticket created resolved (an import) gets resolved_at now unless given', async () => {
      const stamped = await ticket({ status: 'resolved', resolution: 'Imported' });
      expect(stamped.resolved_at).toEqual(NOW);
      const given = await ticketIn('resolved');
      expect(given.resolved_at).toEqual(new Date('2026-11-17T09:00:00Z'));
      // Older records often lack the resolution text: an import may leave it out, but not blank it.
      const bare = await ticket({ status: 'resolved' });
      expect([bare.resolution, bare.resolved_at]).toEqual([null, NOW]);
      expect((await patch('support_tickets', bare.id, { notes: 'From the old tracker' })).notes).toBe('From the old tracker');
      expect(fieldsOf(await refusal(patch('support_tickets', bare.id, { resolution: '' })))).toEqual(['resolution']);
      const [n] = await database().query<{ n: number }>('select count(*)::int as n from support_tickets');
      expect(fieldsOf(await refusal(ticket({ status: 'resolved', resolution: ' ' })))).toEqual(['resolution']);
      expect(fieldsOf(await refusal(ticket({ status: 'resolved', resolution: 'x', resolved_at: '2026-11-15T09:00:00.000Z' })))).toEqual(['resolved_at']);
      expect(fieldsOf(await refusal(ticket({ status: 'escalated' })))).toEqual(['status']);
      const [m] = await database().query<{ n: number }>('select count(*)::int as n from support_tickets');
      expect(m!.n).toBe(n!.n);
    });

    it('audits each verb with its operation and the change', async () => {
      const t = await ticketIn('open');
      // One minute apart, so the audit trail sorts by time.
      await resolveTicket(c({ actor: editor, now: later(1) }), { id: t.id as string, resolution: 'Done' });
      await reopenTicket(c({ actor: editor, now: later(2) }), { id: t.id as string, reason: 'Back' });
      await resolveTicket(c({ actor: editor, now: later(3) }), { id: t.id as string, resolution: 'Done again' });
      await closeTicket(c({ actor: editor, now: later(4) }), { id: t.id as string });
      const audit = await auditOf(t.id);
      expect(audit.map((a) => [a.action, a.operation])).toEqual([
        ['create', null],
        ['update', 'support.resolve_ticket'],
        ['update', 'support.reopen_ticket'],
        ['update', 'support.resolve_ticket'],
        ['update', 'support.close_ticket'],
      ]);
      expect(audit[1]!.before).toMatchObject({ status: 'open', resolution: null });
      expect(audit[1]!.after).toMatchObject({ status: 'resolved', resolution: 'Done' });
      expect(audit[2]!.after).toMatchObject({ status: 'open', resolution: null, resolved_at: null });
      const [who] = await database().query<{ actor_id: string }>("select actor_id from audit_log where record_id = $1 and operation = 'support.close_ticket'", [t.id]);
      expect(who!.actor_id).toBe(editor.id);
    });

    it('a viewer is refused every write verb and nothing changes', async () => {
      const t = await ticketIn('resolved');
      const before = await row('support_tickets', t.id);
      for (const [name, input] of [
        ['support.resolve_ticket', { id: t.id, resolution: 'x' }],
        ['support.close_ticket', { id: t.id }],
        ['support.reopen_ticket', { id: t.id }],
      ] as const) {
        const e = await refusal(invoke(operationByName.get(name)!, c({ actor: viewer }), input));
        expect(e.code, name).toBe('FORBIDDEN');
      }
      expect(await row('support_tickets', t.id)).toBe(before);
      expect((await refusal(resolveTicket(c(), { id: randomUUID(), resolution: 'x' }))).code).toBe('NOT_FOUND');
    });
  });

  // -------------------------------------------------------------------------
  // Invoice moves

  describe('invoice moves', () => {
    const invoiceIn = (status: string) =>
      invoice({ status, ...(status !== 'draft' ? { issue_date: '2026-11-02', due_date: '2026-11-16' } : {}), ...(status === 'paid' ? { paid_date: '2026-11-10' } : {}) });

    it('the generic PATCH allows every documented move and refuses every other, writing nothing', async () => {
      for (const from of INVOICE_STATUSES) {
        for (const to of [...INVOICE_STATUSES, 'overdue']) {
          if (to === from) continue;
          const i = await invoiceIn(from);
          const before = await row('invoices', i.id);
          if ((INVOICE_MOVES[from] as readonly string[]).includes(to)) {
            expect((await patch('invoices', i.id, { status: to })).status, `${from} → ${to}`).toBe(to);
          } else {
            const e = await refusal(patch('invoices', i.id, { status: to }));
            expect(fieldsOf(e), `${from} → ${to}`).toEqual(['status']);
            expect(e.code).toBe(to === 'overdue' ? 'VALIDATION' : 'CONFLICT');
            expect(await row('invoices', i.id)).toBe(before);
          }
        }
      }
    });

    it('sending fills issue_date (today) and due_date (issue + 14 days), or takes the dates given', async () => {
      const a = await invoice();
      expect([a.status, a.issue_date, a.due_date]).toEqual(['draft', null, null]);
      const sent = await sendInvoice(c(), { id: a.id as string });
      expect([sent.invoice.status, sent.invoice.issue_date, sent.invoice.due_date, sent.overdue]).toEqual(['sent', TODAY, '2026-12-02', false]);

      const b = await invoice({ issue_date: '2026-11-10' });
      expect((await sendInvoice(c(), { id: b.id as string })).invoice.due_date).toBe('2026-11-24');
      const d = await invoice();
      const given = await sendInvoice(c(), { id: d.id as string, issue_date: '2026-11-01', due_date: '2026-11-30' });
      expect([given.invoice.issue_date, given.invoice.due_date]).toEqual(['2026-11-01', '2026-11-30']);

      const e = await invoice();
      const before = await row('invoices', e.id);
      const bad = await refusal(sendInvoice(c(), { id: e.id as string, issue_date: '2026-11-10', due_date: '2026-11-09' }));
      expect([bad.code, fieldsOf(bad)]).toEqual(['VALIDATION', ['due_date']]);
      const badDate = await refusal(invoke(operationByName.get('billing.send_invoice')!, c(), { id: e.id, issue_date: '2026-02-31' }));
      expect(fieldsOf(badDate)).toEqual(['issue_date']);
      expect(await row('invoices', e.id)).toBe(before);
      // The PATCH path gets the same defaults.
      const viaPatch = await patch('invoices', e.id, { status: 'sent' });
      expect([viaPatch.issue_date, viaPatch.due_date]).toEqual([TODAY, '2026-12-02']);
      expect((await refusal(sendInvoice(c(), { id: e.id as string }))).code).toBe('CONFLICT');
    });

    it('paying stamps paid_date (today unless given; not before issue_date)', async () => {
      const i = await invoiceIn('sent');
      const before = await row('invoices', i.id);
      expect(fieldsOf(await refusal(payInvoice(c(), { id: i.id as string, paid_date: '2026-11-01' })))).toEqual(['paid_date']);
      expect(await row('invoices', i.id)).toBe(before);
      const paid = await payInvoice(c(), { id: i.id as string, payment_method: 'bank_transfer' });
      expect([paid.invoice.status, paid.invoice.paid_date, paid.invoice.payment_method, paid.display_status]).toEqual(['paid', TODAY, 'bank_transfer', 'paid']);
      const j = await invoiceIn('sent');
      expect((await payInvoice(c(), { id: j.id as string, paid_date: '2026-11-02' })).invoice.paid_date).toBe('2026-11-02');
      // Only a paid invoice has a paid_date; a draft cannot be paid.
      const draft = await invoice();
      expect(fieldsOf(await refusal(patch('invoices', draft.id, { paid_date: '2026-11-10' })))).toEqual(['paid_date']);
      expect((await refusal(payInvoice(c(), { id: draft.id as string }))).code).toBe('CONFLICT');
      const imported = await invoice({ status: 'paid', issue_date: '2026-10-01' });
      expect([imported.due_date, imported.paid_date]).toEqual(['2026-10-15', TODAY]);
    });

    it('cancelling needs a reason (added to the notes); paid and cancelled are final', async () => {
      const i = await invoice({ notes: 'Setup fee' });
      expect(fieldsOf(await refusal(invoke(operationByName.get('billing.cancel_invoice')!, c(), { id: i.id })))).toEqual(['reason']);
      const r = await cancelInvoice(c(), { id: i.id as string, reason: 'Scope changed' });
      expect([r.invoice.status, r.invoice.notes]).toEqual(['cancelled', `Setup fee\nCancelled ${TODAY}: Scope changed`]);
      const s = await invoiceIn('sent');
      expect((await cancelInvoice(c(), { id: s.id as string, reason: 'Duplicate' })).invoice.notes).toBe(`Cancelled ${TODAY}: Duplicate`);
      const p = await invoiceIn('paid');
      for (const verb of [
        () => cancelInvoice(c(), { id: p.id as string, reason: 'x' }),
        () => sendInvoice(c(), { id: i.id as string }),
        () => payInvoice(c(), { id: i.id as string }),
      ]) {
        const e = await refusal(verb());
        expect([e.code, fieldsOf(e), e.details.allowed]).toEqual(['CONFLICT', ['status'], []]);
        expect(e.message).toMatch(/none \(it is final\)/);
      }
    });

    it('what was billed is fixed once sent; the due date stays editable', async () => {
      const i = await invoiceIn('sent');
      const before = await row('invoices', i.id);
      for (const change of [{ amount: '999.00' }, { currency: 'USD' }, { issue_date: '2026-11-03' }, { company_id: (await company(c())).id }]) {
        const e = await refusal(patch('invoices', i.id, change));
        expect([e.code, fieldsOf(e)]).toEqual(['VALIDATION', Object.keys(change)]);
      }
      expect(await row('invoices', i.id)).toBe(before);
      // The same value written again is no change.
      expect((await patch('invoices', i.id, { amount: '1000', due_date: '2026-11-30' })).due_date).toBe('2026-11-30');
      expect(fieldsOf(await refusal(patch('invoices', i.id, { due_date: '2026-11-01' })))).toEqual(['due_date']);
      const draft = await invoice();
      expect((await patch('invoices', draft.id, { amount: '1250.50', currency: 'TTD' })).amount).toBe('1250.50');
    });

    it('overdue follows the clock: a sent invoice is overdue once its due date has passed', async () => {
      const i = await invoice();
      const sent = await sendInvoice(c(), { id: i.id as string });
      expect(sent.invoice.due_date).toBe('2026-12-02');
      const ids = async (at: Date) => (await invoke(operationByName.get('billing.overdue_invoices')!, c({ now: at }), {})).items.map((x: Row) => x.id);
      expect(await ids(new Date('2026-12-02T12:00:00Z'))).not.toContain(i.id);
      const later = await invoke(operationByName.get('billing.overdue_invoices')!, c({ now: new Date('2026-12-05T12:00:00Z') }), {});
      expect(later.items.find((x: Row) => x.id === i.id)).toMatchObject({ due_date: '2026-12-02', days_overdue: 3, amount: '1000.00' });
      // The day boundary is the instance's: 2026-12-02T14:00Z is already 3 December in Sydney.
      const sydney = await invoke(operationByName.get('billing.overdue_invoices')!, c({ now: new Date('2026-12-02T14:00:00Z'), timeZone: 'Australia/Sydney' }), {});
      expect(sydney.items.map((x: Row) => x.id)).toContain(i.id);
      const paid = await payInvoice(c({ now: new Date('2026-12-05T12:00:00Z') }), { id: i.id as string });
      expect([paid.overdue, paid.display_status]).toEqual([false, 'paid']);
      expect(await ids(new Date('2026-12-05T12:00:00Z'))).not.toContain(i.id);
      const [stored] = await database().query<{ status: string }>('select status from invoices where id = $1', [i.id]);
      expect(stored!.status).toBe('paid');
    });

    it('audits each verb; a viewer is refused them and nothing changes', async () => {
      const i = await invoice();
      await sendInvoice(c({ actor: editor, now: later(1) }), { id: i.id as string });
      await payInvoice(c({ actor: editor, now: later(2) }), { id: i.id as string });
      const j = await invoice();
      await cancelInvoice(c({ actor: editor, now: later(1) }), { id: j.id as string, reason: 'Wrong client' });
      expect((await auditOf(i.id)).map((a) => [a.action, a.operation])).toEqual([
        ['create', null],
        ['update', 'billing.send_invoice'],
        ['update', 'billing.pay_invoice'],
      ]);
      const audit = await auditOf(j.id);
      expect(audit.map((a) => a.operation)).toEqual([null, 'billing.cancel_invoice']);
      expect(audit[1]!.after).toMatchObject({ status: 'cancelled' });

      const k = await invoiceIn('sent');
      const d = await invoice();
      const before = [await row('invoices', k.id), await row('invoices', d.id)];
      for (const [name, input] of [
        ['billing.send_invoice', { id: d.id }],
        ['billing.pay_invoice', { id: k.id }],
        ['billing.cancel_invoice', { id: k.id, reason: 'x' }],
      ] as const) {
        expect((await refusal(invoke(operationByName.get(name)!, c({ actor: viewer }), input))).code, name).toBe('FORBIDDEN');
      }
      expect([await row('invoices', k.id), await row('invoices', d.id)]).toEqual(before);
    });
  });

  // -------------------------------------------------------------------------
  // Numbering

  describe('gap-free numbering', () => {
    const numbers = (rows: Row[], key: string) => rows.map((r) => r[key] as string).sort();
    const expected = (prefix: string, year: number, n: number) => Array.from({ length: n }, (_, i) => `${prefix}-${year}-${String(i + 1).padStart(3, '0')}`);

    it('20 tickets created at once get TKT-2031-001 … 020, no gap, no duplicate', async () => {
      const made = await Promise.all(
        Array.from({ length: 20 }, () => createRecord(ctx({ now: () => NOW }), resource('support_tickets'), { company_id: companyId, request_date: '2031-03-01T09:00:00.000Z' })),
      );
      expect(numbers(made, 'ticket_number')).toEqual(expected('TKT', 2031, 20));
    });

    it('20 invoices created at once get INV-2031-001 … 020, no gap, no duplicate', async () => {
      const made = await Promise.all(
        Array.from({ length: 20 }, () => createRecord(ctx({ now: () => NOW }), resource('invoices'), { company_id: companyId, invoice_type: 'monthly', amount: '10.00', issue_date: '2031-03-01' })),
      );
      expect(numbers(made, 'invoice_number')).toEqual(expected('INV', 2031, 20));
    });

    it('a create that fails after taking its number gives it back', async () => {
      const t1 = await ticket({ request_date: '2032-01-05T09:00:00.000Z' });
      // The missing company fails the insert itself, after the number was taken.
      const failed = await refusal(ticket({ request_date: '2032-01-06T09:00:00.000Z', company_id: randomUUID() }));
      expect(fieldsOf(failed)).toEqual(['company_id']);
      const t2 = await ticket({ request_date: '2032-01-07T09:00:00.000Z' });
      expect([t1.ticket_number, t2.ticket_number]).toEqual(['TKT-2032-001', 'TKT-2032-002']);

      const i1 = await invoice({ issue_date: '2032-01-05' });
      expect(fieldsOf(await refusal(invoice({ issue_date: '2032-01-06', engagement_id: randomUUID() })))).toEqual(['engagement_id']);
      const i2 = await invoice({ issue_date: '2032-01-07' });
      expect([i1.invoice_number, i2.invoice_number]).toEqual(['INV-2032-001', 'INV-2032-002']);
      // Concurrent creates mixed with failures still leave no gap.
      const mixed = await Promise.allSettled(
        Array.from({ length: 10 }, (_, k) =>
          createRecord(ctx({ now: () => NOW }), resource('support_tickets'), { company_id: k % 3 === 0 ? randomUUID() : companyId, request_date: '2033-01-01T09:00:00.000Z' }),
        ),
      );
      const ok = mixed.filter((m): m is PromiseFulfilledResult<Row> => m.status === 'fulfilled').map((m) => m.value);
      expect(ok).toHaveLength(6);
      expect(numbers(ok, 'ticket_number')).toEqual(expected('TKT', 2033, 6));
    });
  });

  // -------------------------------------------------------------------------
  // Ticket metrics

  describe('ticket metrics', () => {
    let m: string;
    let e: string;
    beforeAll(async () => {
      m = (await company(c(), 'Metrics Co')).id as string;
      e = (await engagement(c(), { company_id: m })).id as string;
      const t = (values: Row) => ticket({ company_id: m, ...values });
      const resolved = async (values: Row, resolution_at: string) => {
        const x = await t(values);
        await resolveTicket(c(), { id: x.id as string, resolution: 'Done', resolved_at: new Date(resolution_at) });
        return x;
      };
      // T1 6 h, T2 48 h (then closed), T3 1.5 h: on engagement e.
      await resolved({ engagement_id: e, request_date: '2026-11-02T09:00:00.000Z', category: 'bug', priority: 'high', hours_spent: '1.50' }, '2026-11-02T15:00:00Z');
      const t2 = await resolved({ engagement_id: e, request_date: '2026-11-03T09:00:00.000Z', category: 'question', priority: 'medium', hours_spent: '2.25' }, '2026-11-05T09:00:00Z');
      await closeTicket(c(), { id: t2.id as string });
      await resolved({ engagement_id: e, request_date: '2026-11-04T09:00:00.000Z', category: 'mcp_issue', priority: 'low', hours_spent: '0.25' }, '2026-11-04T10:30:00Z');
      // T4 open, T5 in progress; T6 opened in October, resolved in November after 17 days (408 h).
      await t({ request_date: '2026-11-10T09:00:00.000Z', category: 'bug', priority: 'critical' });
      await t({ request_date: '2026-11-11T09:00:00.000Z', category: 'question', priority: 'medium', status: 'in_progress', hours_spent: '1.00' });
      await resolved({ request_date: '2026-10-20T09:00:00.000Z', category: 'other', priority: 'low', hours_spent: '3.00' }, '2026-11-06T09:00:00Z');
      // T7 waiting: 31 October in UTC, 1 November in Sydney.
      await t({ request_date: '2026-10-31T14:00:00.000Z', category: 'bug', priority: 'high', status: 'waiting' });
      // Archived tickets never count.
      const gone = await t({ request_date: '2026-11-12T09:00:00.000Z' });
      await database().query('update support_tickets set archived_at = now() where id = $1', [gone.id]);
    });

    it('counts a month by hand (Sydney time)', async () => {
      const r = await ticketMetrics(c({ timeZone: 'Australia/Sydney' }), { company_id: m, from: '2026-11-01', to: '2026-11-30' });
      // Opened T1 T2 T3 T4 T5 T7; resolved T1 T2 T3 T6; open now T4 T5 T7.
      expect([r.opened, r.resolved, r.open_now]).toEqual([6, 4, 3]);
      expect(r.by_status).toEqual({ open: 1, in_progress: 1, waiting: 1, resolved: 2, closed: 1 });
      expect(r.by_category).toMatchObject({ bug: 3, question: 2, mcp_issue: 1, other: 0, skill_issue: 0 });
      expect(r.by_priority).toEqual({ low: 1, medium: 2, high: 2, critical: 1 });
      // Hours spent on the resolved ones: 1.50 + 2.25 + 0.25 + 3.00
      expect(r.hours_spent).toBe('7.00');
      // (6 + 48 + 1.5 + 408) / 4 = 115.875 → 115.88; median of 1.5, 6, 48, 408 = (6 + 48) / 2 = 27.
      expect([r.mean_hours_to_resolve, r.median_hours_to_resolve]).toEqual(['115.88', '27.00']);
    });

    it('takes the day boundaries from the time zone and narrows by engagement', async () => {
      const utc = await ticketMetrics(c(), { company_id: m, from: '2026-11-01', to: '2026-11-30' });
      expect(utc.opened).toBe(5); // T7 is still October in UTC
      const early = await ticketMetrics(c({ timeZone: 'Australia/Sydney' }), { company_id: m, from: '2026-11-01', to: '2026-11-04' });
      // Opened T7 T1 T2 T3 (T3: 4 November, 20:00 in Sydney); resolved T1 (3 Nov) and T3 (4 Nov): 6 h and 1.5 h.
      expect([early.opened, early.resolved, early.mean_hours_to_resolve, early.median_hours_to_resolve]).toEqual([4, 2, '3.75', '3.75']);
      const eng = await ticketMetrics(c(), { engagement_id: e });
      // 6, 48, 1.5: mean 18.50, median 6.
      expect([eng.opened, eng.resolved, eng.open_now, eng.mean_hours_to_resolve, eng.median_hours_to_resolve, eng.hours_spent]).toEqual([3, 3, 0, '18.50', '6.00', '4.00']);
      const none = await ticketMetrics(c(), { company_id: m, from: '2030-01-01' });
      expect([none.opened, none.resolved, none.mean_hours_to_resolve, none.median_hours_to_resolve, none.open_now]).toEqual([0, 0, null, null, 3]);
    });

    it('refuses a reversed range, bad dates and records it cannot find', async () => {
      const op = operationByName.get('support.ticket_metrics')!;
      expect(fieldsOf(await refusal(invoke(op, c(), { from: '2026-11-30', to: '2026-11-01' })))).toEqual(['to']);
      expect(fieldsOf(await refusal(invoke(op, c(), { from: '2026-02-31' })))).toEqual(['from']);
      expect(fieldsOf(await refusal(invoke(op, c(), { company_id: 'x; drop table support_tickets' })))).toEqual(['company_id']);
      expect((await refusal(invoke(op, c(), { engagement_id: randomUUID() }))).code).toBe('NOT_FOUND');
      expect((await invoke(op, c({ actor: viewer }), { company_id: m })).opened).toBe(7);
    });
  });

  // -------------------------------------------------------------------------
  // Views

  describe('views', () => {
    class Rollback extends Error {}
    /** Runs fn in a transaction that first archives every company, engagement, invoice and deal, and is rolled back. */
    async function isolated(fn: (tx: Ctx) => Promise<void>) {
      try {
        await database().db.transaction(async (t) => {
          const tx: Ctx = { ...c(), db: t as unknown as Db, inTx: true, onCommit: [] };
          for (const table of ['companies', 'engagements', 'invoices', 'deals']) {
            await tx.db.execute(sql`update ${sql.identifier(table)} set archived_at = now() where archived_at is null`);
          }
          await fn(tx);
          throw new Rollback();
        });
      } catch (err) {
        if (!(err instanceof Rollback)) throw err;
      }
    }
    const view = (x: Ctx, name: string, input: Row = {}) => invoke(operationByName.get(name)!, x, input);

    /** Alpha (AUD and USD) and Beta (TTD) are active clients; Gamma only has a completed engagement. */
    async function world(x: Ctx) {
      const alpha = (await company(x, 'Alpha Pty')).id as string;
      const beta = (await company(x, 'Beta Ltd')).id as string;
      const gamma = (await company(x, 'Gamma Co')).id as string;
      const eng = (company_id: string, name: string, status: string, values: Row = {}) => engagement(x, { company_id, name, status, ...values });
      const ea1 = await eng(alpha, 'A1 build', 'onboarding', { monthly_fee: '1500.00', start_date: '2026-10-01', go_live_date: '2026-11-01', end_date: '2027-03-31' });
      const ea2 = await eng(alpha, 'A2 support', 'supporting', { monthly_fee: '250.50', start_date: '2026-06-01', end_date: '2026-12-31' });
      const ea3 = await eng(alpha, 'A3 old', 'completed', { monthly_fee: '999.00' });
      const ea4 = await eng(alpha, 'A4 US arm', 'training', { monthly_fee: '100.00', currency: 'USD' });
      const ea5 = await eng(alpha, 'A5 no fee', 'onboarding');
      const eb1 = await eng(beta, 'B1', 'training', { monthly_fee: '3000.00', currency: 'TTD' });
      await eng(beta, 'B2 paused', 'paused', { monthly_fee: '500.00', currency: 'TTD' });
      await eng(gamma, 'G1 done', 'completed', { monthly_fee: '80.00' });
      const inv = (company_id: string, values: Row) => createRecord(x, resource('invoices'), { company_id, invoice_type: 'monthly', ...values });
      await inv(alpha, { status: 'sent', amount: '1000.00', issue_date: '2026-10-01', due_date: '2026-10-15' }); // overdue 34 days
      await inv(alpha, { status: 'sent', amount: '500.25', issue_date: '2026-11-10', due_date: '2026-11-24' }); // open, not yet due
      await inv(alpha, { status: 'paid', amount: '2000.00', issue_date: '2026-11-12', paid_date: '2026-11-14' });
      await inv(alpha, { status: 'draft', amount: '700.00', issue_date: '2026-11-15' });
      await inv(alpha, { status: 'sent', amount: '80.00', currency: 'USD', issue_date: '2026-09-01', due_date: '2026-09-30' }); // overdue 49 days
      await inv(beta, { status: 'sent', amount: '1200.00', currency: 'TTD', issue_date: '2026-11-01', due_date: '2026-11-17' }); // overdue 1 day
      await inv(beta, { status: 'cancelled', amount: '99.00', currency: 'TTD', issue_date: '2026-11-16' });
      await inv(gamma, { status: 'sent', amount: '300.00', issue_date: '2026-10-20', due_date: '2026-11-01' }); // overdue 17 days
      await inv(gamma, { status: 'sent', amount: '45.00', issue_date: '2026-11-04', due_date: TODAY }); // due today: not overdue
      return { alpha, beta, gamma, ea1, ea2, ea3, ea4, ea5, eb1 };
    }

    it('active clients: counts and money per currency, by hand', async () => {
      await isolated(async (x) => {
        const w = await world(x);
        const r = await view(x, 'billing.active_clients');
        expect(r.clients).toBe(2);
        expect(r.items).toEqual([
          {
            company_id: w.alpha,
            company_name: 'Alpha Pty',
            company_status: 'lead',
            live_engagements: 4,
            monthly_fees: [
              { currency: 'AUD', amount: '1750.50', engagements: 3 },
              { currency: 'USD', amount: '100.00', engagements: 1 },
            ],
            open_invoices: [
              { currency: 'AUD', amount: '1500.25', count: 2 },
              { currency: 'USD', amount: '80.00', count: 1 },
            ],
            overdue_invoices: [
              { currency: 'AUD', amount: '1000.00', count: 1 },
              { currency: 'USD', amount: '80.00', count: 1 },
            ],
            last_invoice_date: '2026-11-12',
          },
          {
            company_id: w.beta,
            company_name: 'Beta Ltd',
            company_status: 'lead',
            live_engagements: 1,
            monthly_fees: [{ currency: 'TTD', amount: '3000.00', engagements: 1 }],
            open_invoices: [{ currency: 'TTD', amount: '1200.00', count: 1 }],
            overdue_invoices: [{ currency: 'TTD', amount: '1200.00', count: 1 }],
            last_invoice_date: '2026-11-01',
          },
        ]);
        expect(r.totals).toEqual({
          monthly_fees: [
            { currency: 'AUD', amount: '1750.50', engagements: 3 },
            { currency: 'TTD', amount: '3000.00', engagements: 1 },
            { currency: 'USD', amount: '100.00', engagements: 1 },
          ],
          open_invoices: [
            { currency: 'AUD', amount: '1500.25', count: 2 },
            { currency: 'TTD', amount: '1200.00', count: 1 },
            { currency: 'USD', amount: '80.00', count: 1 },
          ],
          overdue_invoices: [
            { currency: 'AUD', amount: '1000.00', count: 1 },
            { currency: 'TTD', amount: '1200.00', count: 1 },
            { currency: 'USD', amount: '80.00', count: 1 },
          ],
        });
      });
    });

    it('monthly recurring revenue per currency with its engagements', async () => {
      await isolated(async (x) => {
        const w = await world(x);
        const r = await view(x, 'billing.monthly_recurring_revenue');
        expect(r.currencies.map((cur: Row) => [cur.currency, cur.mrr, cur.annualised, cur.engagements, cur.engagements_without_fee])).toEqual([
          ['AUD', '1750.50', '21006.00', 3, 1],
          ['TTD', '3000.00', '36000.00', 1, 0],
          ['USD', '100.00', '1200.00', 1, 0],
        ]);
        expect(r.currencies[0].items.map((i: Row) => [i.id, i.monthly_fee, i.company_name])).toEqual([
          [w.ea1.id, '1500.00', 'Alpha Pty'],
          [w.ea2.id, '250.50', 'Alpha Pty'],
          [w.ea5.id, null, 'Alpha Pty'],
        ]);
      });
    });

    it('overdue invoices, oldest first, with days overdue and totals per currency', async () => {
      await isolated(async (x) => {
        await world(x);
        const r = await view(x, 'billing.overdue_invoices');
        expect(r.items.map((i: Row) => [i.company_name, i.amount, i.currency, i.due_date, i.days_overdue])).toEqual([
          ['Alpha Pty', '80.00', 'USD', '2026-09-30', 49],
          ['Alpha Pty', '1000.00', 'AUD', '2026-10-15', 34],
          ['Gamma Co', '300.00', 'AUD', '2026-11-01', 17],
          ['Beta Ltd', '1200.00', 'TTD', '2026-11-17', 1],
        ]);
        expect(r.items[0].invoice_number).toMatch(/^INV-2026-\d{3}$/);
        expect(r.totals).toEqual([
          { currency: 'AUD', amount: '1300.00', count: 2 },
          { currency: 'TTD', amount: '1200.00', count: 1 },
          { currency: 'USD', amount: '80.00', count: 1 },
        ]);
        // A week later the two that were not yet due are overdue too.
        const later = await view({ ...x, now: () => new Date('2026-11-25T09:00:00Z') }, 'billing.overdue_invoices');
        expect(later.items.map((i: Row) => [i.amount, i.days_overdue])).toEqual([
          ['80.00', 56],
          ['1000.00', 41],
          ['300.00', 24],
          ['1200.00', 8],
          ['45.00', 7],
          ['500.25', 1],
        ]);
      });
    });

    it('pipeline value: open deals per stage and currency, weighted by stage probability', async () => {
      await isolated(async (x) => {
        const deal = (values: Row) => insertRecord(x, resource('deals'), { name: `Deal ${uniq()}`, ...values });
        await deal({ stage: 'discovery', value: '10000.00' }); // 20 % → 2000
        await deal({ stage: 'negotiation', value: '5000.50' }); // 75 % → 3750.375
        await deal({ stage: 'proposal', value: '8000.00', currency: 'TTD' }); // 50 % → 4000
        await deal({ stage: 'closed_won', value: '99999.00', actual_close_date: '2026-11-01' });
        await deal({ stage: 'closed_lost', value: '99999.00', loss_reason: 'price' });
        const r = await view(x, 'billing.pipeline_value');
        expect(r.currencies.map((cur: Row) => [cur.currency, cur.deals, cur.value, cur.weighted_value])).toEqual([
          ['AUD', 2, '15000.50', '5750.375'],
          ['TTD', 1, '8000.00', '4000.00'],
        ]);
        const aud = r.currencies[0].stages.map((s: Row) => [s.stage, s.deals, s.value, s.weighted_value]);
        expect(aud).toEqual([
          ['discovery', 1, '10000.00', '2000.00'],
          ['proposal', 0, '0.00', '0.00'],
          ['negotiation', 1, '5000.50', '3750.375'],
        ]);
      });
    });

    it('project timeline: engagements by start date with milestones in order, filtered', async () => {
      await isolated(async (x) => {
        const w = await world(x);
        const ms = (values: Row) => insertRecord(x, resource('engagement_milestones'), { engagement_id: w.ea1.id, ...values });
        await ms({ name: 'Go live', position: 1, due_date: '2026-11-01' });
        await ms({ name: 'Kick-off', position: 0, due_date: '2026-10-01', status: 'met', completed_date: '2026-10-02' });
        const old = await ms({ name: 'Dropped', position: 2 });
        await x.db.execute(sql`update engagement_milestones set archived_at = now() where id = ${old.id}::uuid`);
        const r = await view(x, 'billing.project_timeline', { company_id: w.alpha });
        expect(r.items.map((e: Row) => e.name)).toEqual(['A2 support', 'A1 build', 'A3 old', 'A4 US arm', 'A5 no fee']);
        const a1 = r.items[1];
        expect(a1).toMatchObject({ status: 'onboarding', company_name: 'Alpha Pty', start_date: '2026-10-01', go_live_date: '2026-11-01', end_date: '2027-03-31', duration_days: 181 });
        expect(a1.milestones.map((m: Row) => [m.name, m.position, m.status, m.due_date, m.completed_date])).toEqual([
          ['Kick-off', 0, 'met', '2026-10-01', '2026-10-02'],
          ['Go live', 1, 'planned', '2026-11-01', null],
        ]);
        expect((await view(x, 'billing.project_timeline', { status: 'onboarding' })).items.map((e: Row) => e.name)).toEqual(['A1 build', 'A5 no fee']);
        expect((await view(x, 'billing.project_timeline')).items).toHaveLength(8);
        expect(fieldsOf(await refusal(view(x, 'billing.project_timeline', { status: 'nope' })))).toEqual(['status']);
        expect((await refusal(view(x, 'billing.project_timeline', { company_id: randomUUID() }))).code).toBe('NOT_FOUND');
      });
    });
  });

  // -------------------------------------------------------------------------
  // HTTP and record visibility

  describe('over HTTP', () => {
    type Reply = { status: number; body: any };
    let app: ReturnType<typeof createApp>;
    let admin: SignedIn;
    let alice: SignedIn;
    let bob: SignedIn;
    let vic: SignedIn;
    const as = async (who: SignedIn, method: string, path: string, body?: unknown): Promise<Reply> => {
      const init: RequestInit = { method, headers: { authorization: `Bearer ${who.key}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) } };
      if (body !== undefined) init.body = JSON.stringify(body);
      const r = await app.request(path, init);
      const text = await r.text();
      return { status: r.status, body: text ? JSON.parse(text) : undefined };
    };
    const ok = async (p: Promise<Reply>, status = 200) => {
      const r = await p;
      expect(r.status, JSON.stringify(r.body)).toBe(status);
      return r.body;
    };
    type World = { company: string; engagement: string; ticket: string; invoice: string };
    async function world(who: SignedIn, name: string, fee: string): Promise<World> {
      const co = await ok(as(who, 'POST', '/api/v1/companies', { name }), 201);
      const en = await ok(as(who, 'POST', '/api/v1/engagements', { company_id: co.id, name: `${name} rollout`, monthly_fee: fee, start_date: '2024-01-01' }), 201);
      const tk = await ok(as(who, 'POST', '/api/v1/support_tickets', { company_id: co.id, engagement_id: en.id, request_date: '2024-01-02T09:00:00Z', category: 'bug' }), 201);
      const inv = await ok(as(who, 'POST', '/api/v1/invoices', { company_id: co.id, engagement_id: en.id, invoice_type: 'setup', amount: fee, status: 'sent', issue_date: '2024-01-01', due_date: '2024-01-15' }), 201);
      return { company: co.id, engagement: en.id, ticket: tk.id, invoice: inv.id };
    }

    beforeAll(async () => {
      app = createApp({ database: database(), timeZone: 'UTC', identity: FAST_IDENTITY });
      ({ admin, alice, bob, vic } = await signInCast(app, database()));
    });

    it('runs the verbs and views through their routes; a viewer reads but cannot write', async () => {
      const w = await world(alice, `Http Co ${uniq()}`, '10.00');
      const resolved = await ok(as(alice, 'POST', `/api/v1/support_tickets/${w.ticket}/resolve`, { resolution: 'Restarted the server', hours_spent: 1.5 }));
      expect([resolved.ticket.status, resolved.ticket.hours_spent]).toEqual(['resolved', '1.50']);
      const refused = await as(alice, 'PATCH', `/api/v1/support_tickets/${w.ticket}`, { status: 'waiting' });
      expect([refused.status, refused.body.errors.map((e: Row) => e.field)]).toEqual([409, ['status']]);
      await ok(as(alice, 'POST', `/api/v1/support_tickets/${w.ticket}/reopen`, { reason: 'Came back' }));
      const draft = await ok(as(alice, 'POST', '/api/v1/invoices', { company_id: w.company, invoice_type: 'one_time', amount: '5.00' }), 201);
      const skip = await as(alice, 'PATCH', `/api/v1/invoices/${draft.id}`, { status: 'paid' });
      expect([skip.status, skip.body.errors[0].field]).toEqual([409, 'status']);
      expect((await as(alice, 'PATCH', `/api/v1/invoices/${draft.id}`, { status: 'overdue' })).status).toBe(400);
      await ok(as(alice, 'POST', `/api/v1/invoices/${draft.id}/send`, { due_date: '2099-01-01' }));

      const before = JSON.stringify(await database().query('select * from invoices where id = $1', [w.invoice]));
      for (const [path, body] of [
        [`/api/v1/invoices/${w.invoice}/pay`, {}],
        [`/api/v1/invoices/${w.invoice}/cancel`, { reason: 'x' }],
        [`/api/v1/invoices/${draft.id}/send`, {}],
        [`/api/v1/support_tickets/${w.ticket}/close`, undefined],
      ] as const) {
        expect((await as(vic, 'POST', path, body)).status, path).toBe(403);
      }
      expect(JSON.stringify(await database().query('select * from invoices where id = $1', [w.invoice]))).toBe(before);
      const overdue = await ok(as(vic, 'GET', '/api/v1/views/overdue-invoices'));
      expect(overdue.items.find((i: Row) => i.id === w.invoice)).toMatchObject({ due_date: '2024-01-15', amount: '10.00' });
      const metrics = await ok(as(vic, 'GET', `/api/v1/support/metrics?company_id=${w.company}&from=2024-01-01&to=2024-01-31`));
      expect([metrics.opened, metrics.open_now, metrics.by_category.bug]).toEqual([1, 1, 1]);
      expect((await as(vic, 'GET', '/api/v1/support/metrics?from=2024-13-01')).status).toBe(400);
      expect((await as(vic, 'GET', '/api/v1/support/metrics?sort=name;drop')).status).toBe(400);
      for (const path of ['/api/v1/views/active-clients', '/api/v1/views/mrr', '/api/v1/views/pipeline-value', `/api/v1/views/project-timeline?company_id=${w.company}`]) {
        await ok(as(vic, 'GET', path));
      }
      const paid = await ok(as(alice, 'POST', `/api/v1/invoices/${w.invoice}/pay`, { payment_method: 'card' }));
      expect(paid.invoice.status).toBe('paid');
    });

    it('under own visibility an editor sees and moves only their own records', async () => {
      const a = await world(alice, `Alice Clinic ${uniq()}`, '100.00');
      const b = await world(bob, `Bob Builders ${uniq()}`, '200.00');
      await ok(as(admin, 'PATCH', '/api/v1/settings', { record_visibility: 'own' }));
      try {
        const clients = await ok(as(alice, 'GET', '/api/v1/views/active-clients'));
        expect(clients.items.map((i: Row) => i.company_id)).toContain(a.company);
        expect(clients.items.map((i: Row) => i.company_id)).not.toContain(b.company);
        const mrr = await ok(as(alice, 'GET', '/api/v1/views/mrr'));
        const ids = mrr.currencies.flatMap((cur: Row) => (cur.items as Row[]).map((i) => i.id));
        expect(ids).toContain(a.engagement);
        expect(ids).not.toContain(b.engagement);
        const overdue = await ok(as(alice, 'GET', '/api/v1/views/overdue-invoices'));
        expect(overdue.items.map((i: Row) => i.id)).toContain(a.invoice);
        expect(overdue.items.map((i: Row) => i.id)).not.toContain(b.invoice);
        const timeline = await ok(as(alice, 'GET', '/api/v1/views/project-timeline'));
        expect(timeline.items.map((i: Row) => i.id)).toContain(a.engagement);
        expect(timeline.items.map((i: Row) => i.id)).not.toContain(b.engagement);
        expect((await as(alice, 'GET', `/api/v1/views/project-timeline?company_id=${b.company}`)).status).toBe(404);
        expect((await as(alice, 'GET', `/api/v1/support/metrics?company_id=${b.company}`)).status).toBe(404);
        const mine = await ok(as(alice, 'GET', '/api/v1/support/metrics?from=2024-01-01&to=2024-01-31'));
        expect(mine.opened).toBeGreaterThanOrEqual(1);
        const bobs = await ok(as(bob, 'GET', '/api/v1/support/metrics?from=2024-01-01&to=2024-01-31'));
        const all = await ok(as(admin, 'GET', '/api/v1/support/metrics?from=2024-01-01&to=2024-01-31'));
        expect(mine.opened + bobs.opened).toBe(all.opened);

        const rows = async () => JSON.stringify([
          await database().query('select * from support_tickets where id = $1', [b.ticket]),
          await database().query('select * from invoices where id = $1', [b.invoice]),
        ]);
        const before = await rows();
        for (const [path, body] of [
          [`/api/v1/support_tickets/${b.ticket}/resolve`, { resolution: 'x' }],
          [`/api/v1/support_tickets/${b.ticket}/close`, {}],
          [`/api/v1/invoices/${b.invoice}/pay`, {}],
          [`/api/v1/invoices/${b.invoice}/cancel`, { reason: 'x' }],
        ] as const) {
          expect((await as(alice, 'POST', path, body)).status, path).toBe(404);
        }
        expect(await rows()).toBe(before);
        await ok(as(bob, 'POST', `/api/v1/support_tickets/${b.ticket}/resolve`, { resolution: 'Bob fixed it' }));
      } finally {
        await ok(as(admin, 'PATCH', '/api/v1/settings', { record_visibility: 'all' }));
      }
    });
  });

});
