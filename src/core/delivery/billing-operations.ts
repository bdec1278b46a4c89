/** Support tickets, invoices and seed 002's money views as registry operations. */
import { z } from 'zod';
import type { Operation } from '../registry.ts';
import { weightedPipeline } from '../sales/deals.ts';
import {
  activeClients,
  LIVE_ENGAGEMENT_STATUSES,
  monthlyRecurringRevenue,
  overdueInvoices,
  projectTimeline,
  ProjectTimelineInput,
  TIMELINE_LIMIT,
} from './billing-views.ts';
import { CancelInvoiceInput, cancelInvoice, PAYMENT_TERMS_DAYS, PayInvoiceInput, payInvoice, SendInvoiceInput, sendInvoice } from './invoices.ts';
import {
  CloseTicketInput,
  closeTicket,
  ReopenTicketInput,
  reopenTicket,
  ResolveTicketInput,
  resolveTicket,
  TICKET_METRICS_RULE,
  TicketMetricsInput,
  ticketMetrics,
} from './tickets.ts';

const TICKET_FLOW =
  'Ticket moves: open → in_progress | waiting | resolved | closed; in_progress → waiting | resolved | open; waiting → in_progress | resolved; resolved → closed | open | in_progress; closed is final. The generic PATCH obeys the same moves; a refused move is a 409 naming the allowed ones.';
const INVOICE_FLOW =
  'Invoice moves: draft → sent | cancelled; sent → paid | cancelled; paid and cancelled are final. `overdue` is derived (sent and due before today), never stored. Once sent, what was billed (company, engagement, type, amounts, currency, issue_date) is fixed. The generic PATCH obeys the same rules.';
const live = LIVE_ENGAGEMENT_STATUSES.join(', ');

const action = (op: Omit<Operation, 'destructive' | 'kind'> & { destructive?: boolean }): Operation => ({ destructive: false, kind: 'action', ...op });

export const billingOperations: Operation[] = [
  action({
    name: 'support.resolve_ticket',
    summary: 'Resolve a support ticket',
    description: `open, in_progress or waiting → resolved with a resolution (required), optionally the hours spent and when (resolved_at: default now, not before request_date). ${TICKET_FLOW}`,
    tag: 'support_tickets',
    scope: 'write',
    input: ResolveTicketInput,
    http: { method: 'post', path: '/api/v1/support_tickets/{id}/resolve' },
    run: (ctx, input) => resolveTicket(ctx, input),
  }),
  action({
    name: 'support.close_ticket',
    summary: 'Close a support ticket',
    description: `resolved → closed (or open → closed to drop it unresolved). Closed is final: a problem that comes back is a new ticket. ${TICKET_FLOW}`,
    tag: 'support_tickets',
    scope: 'write',
    input: CloseTicketInput,
    http: { method: 'post', path: '/api/v1/support_tickets/{id}/close' },
    run: (ctx, input) => closeTicket(ctx, input),
  }),
  action({
    name: 'support.reopen_ticket',
    summary: 'Reopen a resolved support ticket',
    description: `resolved → open: resolved_at and resolution are cleared; the reason and the previous resolution are added to the notes. A closed ticket cannot be reopened. ${TICKET_FLOW}`,
    tag: 'support_tickets',
    scope: 'write',
    input: ReopenTicketInput,
    http: { method: 'post', path: '/api/v1/support_tickets/{id}/reopen' },
    run: (ctx, input) => reopenTicket(ctx, input),
  }),
  action({
    name: 'support.ticket_metrics',
    weight: 'report',
    summary: 'Support ticket figures for a period',
    description: `Opened, resolved and open now; opened tickets by status, category and priority; hours spent on the resolved ones; mean and median hours to resolve. ${TICKET_METRICS_RULE}`,
    tag: 'support_tickets',
    scope: 'read',
    input: TicketMetricsInput,
    http: { method: 'get', path: '/api/v1/support/metrics' },
    run: (ctx, input) => ticketMetrics(ctx, input),
  }),
  action({
    name: 'billing.send_invoice',
    summary: 'Send an invoice',
    description: `draft → sent. issue_date defaults to the draft's, else today; due_date to the draft's, else issue_date + ${PAYMENT_TERMS_DAYS} days; due_date must not be before issue_date. ${INVOICE_FLOW}`,
    tag: 'invoices',
    scope: 'write',
    input: SendInvoiceInput,
    http: { method: 'post', path: '/api/v1/invoices/{id}/send' },
    run: (ctx, input) => sendInvoice(ctx, input),
  }),
  action({
    name: 'billing.pay_invoice',
    summary: 'Record an invoice as paid',
    description: `sent → paid on paid_date (default today; not before issue_date), with the payment method. ${INVOICE_FLOW}`,
    tag: 'invoices',
    scope: 'write',
    input: PayInvoiceInput,
    http: { method: 'post', path: '/api/v1/invoices/{id}/pay' },
    run: (ctx, input) => payInvoice(ctx, input),
  }),
  action({
    name: 'billing.cancel_invoice',
    summary: 'Cancel an invoice',
    description: `draft or sent → cancelled, with a reason (added to the notes). Paid invoices cannot be cancelled. ${INVOICE_FLOW}`,
    tag: 'invoices',
    scope: 'write',
    input: CancelInvoiceInput,
    http: { method: 'post', path: '/api/v1/invoices/{id}/cancel' },
    run: (ctx, input) => cancelInvoice(ctx, input),
  }),
  action({
    name: 'billing.active_clients',
    weight: 'report',
    summary: 'Active clients overview',
    description: `Companies you can see with an engagement in ${live}: live engagement count, monthly fees, open (sent) and overdue invoice totals, last invoice date. Money exact and per currency, never added across currencies; totals per currency.`,
    tag: 'views',
    scope: 'read',
    input: z.strictObject({}),
    http: { method: 'get', path: '/api/v1/views/active-clients' },
    run: (ctx) => activeClients(ctx),
  }),
  action({
    name: 'billing.monthly_recurring_revenue',
    weight: 'report',
    summary: 'Monthly recurring revenue',
    description: `Σ monthly_fee of engagements in ${live} that you can see, per currency, with the engagements listed (largest fee first) and 12 × MRR. Exact; currencies never added together.`,
    tag: 'views',
    scope: 'read',
    input: z.strictObject({}),
    http: { method: 'get', path: '/api/v1/views/mrr' },
    run: (ctx) => monthlyRecurringRevenue(ctx),
  }),
  action({
    name: 'billing.pipeline_value',
    weight: 'report',
    summary: 'Pipeline value (seed 002 view)',
    description:
      'Open deals (stage neither won nor lost in the `deal` pipeline) you can see, per currency and per stage: count, Σ value and the probability-weighted value Σ value × stage probability ÷ 100, exact. The same figures as sales.pipeline_value.',
    tag: 'views',
    scope: 'read',
    input: z.strictObject({}),
    http: { method: 'get', path: '/api/v1/views/pipeline-value' },
    run: (ctx) => weightedPipeline(ctx, {}),
  }),
  action({
    name: 'billing.overdue_invoices',
    weight: 'report',
    summary: 'Overdue invoices',
    description: 'Sent invoices you can see whose due_date is before today (instance time zone), oldest due first, with company name, days overdue and totals per currency.',
    tag: 'views',
    scope: 'read',
    input: z.strictObject({}),
    http: { method: 'get', path: '/api/v1/views/overdue-invoices' },
    run: (ctx) => overdueInvoices(ctx),
  }),
  action({
    name: 'billing.project_timeline',
    weight: 'report',
    summary: 'Project timeline (Gantt-style)',
    description: `Engagements you can see with start_date, go_live_date, end_date, status and their milestones in order (position, then due date), earliest start first; filter by company_id and status. At most ${TIMELINE_LIMIT} engagements (truncated says when there are more).`,
    tag: 'views',
    scope: 'read',
    input: ProjectTimelineInput,
    http: { method: 'get', path: '/api/v1/views/project-timeline' },
    run: (ctx, input) => projectTimeline(ctx, input),
  }),
];
