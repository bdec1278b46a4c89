/** The Sales workflow (seed 000 steps 1–4) and status history, as registry operations. */
import { z } from 'zod';
import { STATUS_ENTITIES } from '../../db/schema/platform.ts';
import { statusTimeline } from '../platform/history.ts';
import type { Operation } from '../registry.ts';
import { recordFields } from '../resource.ts';
import { boardOperation } from './board.ts';
import {
  completeMeeting,
  followUpsDue,
  logInteraction,
  logProspect,
  markCompanyLost,
  scheduleMeeting,
} from './workflow.ts';

const id = z.uuid({ message: 'must be a UUID' });
const isoDate = z.iso.date({ message: 'must be a real calendar date as YYYY-MM-DD' });

export const salesOperations: Operation[] = [
  {
    name: 'sales.log_prospect',
    summary: 'Log a new prospect',
    description:
      'Steps 1–2: creates a company at status `lead`, with an optional first contact and an optional first conversation (logged as sales.log_interaction would, with the contact, so the company moves to `contacted`), all in one transaction. Refuses a company whose name or website domain matches an existing one unless `allow_duplicate` is true.',
    tag: 'sales workflow',
    scope: 'write',
    destructive: false,
    kind: 'action',
    input: z.strictObject({
      company: recordFields('companies'),
      contact: recordFields('contacts').optional(),
      interaction: recordFields('interactions').optional(),
      allow_duplicate: z.boolean().optional().describe('create it even if a company with this name or domain exists'),
    }),
    http: { method: 'post', path: '/api/v1/sales/prospects', status: 201 },
    run: (ctx, input) => logProspect(ctx, input),
  },
  {
    name: 'sales.log_interaction',
    summary: 'Log an interaction with a company',
    description:
      'Steps 2–3: records a touchpoint (type, summary, outcome, next step, follow-up date). Names a known contact with `contact_id`, or creates the person spoken to from `contact` (matched by email or name within the company first). A company at `lead` moves to `contacted`. Any later interaction with the company answers its open follow-ups.',
    tag: 'sales workflow',
    scope: 'write',
    destructive: false,
    kind: 'action',
    input: z.strictObject({
      company_id: id.describe('the company spoken to'),
      contact_id: id.optional().describe('a known contact at the company'),
      contact: recordFields('contacts').optional(),
      interaction: recordFields('interactions'),
    }),
    http: { method: 'post', path: '/api/v1/sales/interactions', status: 201 },
    run: (ctx, input) => logInteraction(ctx, input),
  },
  {
    name: 'sales.follow_ups',
    weight: 'report',
    summary: 'Follow-ups due',
    description:
      'Step 3: unanswered follow-ups due in a window (default: this week, Monday to Sunday, overdue ones included), with the company, contact, the last interaction and days overdue.',
    tag: 'sales workflow',
    scope: 'read',
    destructive: false,
    kind: 'action',
    input: z.strictObject({
      from: isoDate.optional().describe('first day of the window, YYYY-MM-DD (default: Monday of this week)'),
      to: isoDate.optional().describe('last day of the window, YYYY-MM-DD (default: Sunday of this week)'),
      include_overdue: z.stringbool().or(z.boolean()).optional().describe('include follow-ups due before the window (default true)'),
      owner_id: id.optional().describe("only this user's companies or assigned interactions"),
      limit: z.coerce.number().int().min(1).max(500).optional().describe('at most this many (default 100, at most 500)'),
    }),
    http: { method: 'get', path: '/api/v1/sales/follow-ups' },
    run: (ctx, input) => followUpsDue(ctx, input),
  },
  {
    name: 'sales.schedule_meeting',
    summary: 'Schedule a meeting',
    description:
      'Step 4: records a meeting (an interaction of type `meeting` with `scheduled_at`); a company before its first meeting moves to `meeting_scheduled`.',
    tag: 'sales workflow',
    scope: 'write',
    destructive: false,
    kind: 'action',
    input: z.strictObject({
      company_id: id.describe('the company to meet'),
      contact_id: id.optional().describe('who the meeting is with'),
      meeting: recordFields('interactions'),
    }),
    http: { method: 'post', path: '/api/v1/sales/meetings', status: 201 },
    run: (ctx, input) => scheduleMeeting(ctx, input),
  },
  {
    name: 'sales.complete_meeting',
    summary: 'Complete a meeting',
    description:
      'Step 4: records what was discussed, the outcome, next step and follow-up date; a company at `meeting_scheduled` moves to `meeting_complete`.',
    tag: 'sales workflow',
    scope: 'write',
    destructive: false,
    kind: 'action',
    input: z.strictObject({ id, result: recordFields('interactions') }),
    http: { method: 'post', path: '/api/v1/sales/meetings/{id}/complete' },
    run: (ctx, input) => completeMeeting(ctx, input),
  },
  {
    name: 'sales.mark_lost',
    summary: 'Mark a company lost',
    description: 'Step 3: moves the company to `lost` and keeps the reason in `lost_reason`.',
    tag: 'sales workflow',
    scope: 'write',
    destructive: false,
    kind: 'action',
    input: z.strictObject({
      id,
      lost_reason: z.string().trim().min(1, 'is required').max(2000).describe('why they dropped out of the pipeline'),
      expected_version: z.int().min(1).optional().describe('refuse if the company is no longer at this version'),
    }),
    http: { method: 'post', path: '/api/v1/sales/companies/{id}/lost' },
    run: (ctx, input) => markCompanyLost(ctx, input),
  },
  {
    name: 'status_history.timeline',
    summary: 'Status history with time in each status',
    description: 'Every status a company, lead, deal or engagement has been in, when it entered and left, and the total time spent in each.',
    tag: 'status_history',
    scope: 'read',
    destructive: false,
    kind: 'action',
    input: z.strictObject({ entity_type: z.enum(STATUS_ENTITIES), id }),
    http: { method: 'get', path: '/api/v1/status_history/{entity_type}/{id}' },
    run: (ctx, input) => statusTimeline(ctx, input),
  },
  boardOperation,
];
