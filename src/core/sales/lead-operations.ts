/** Lead scoring, qualification and conversion (seeds 001, 004) as registry operations. */
import { z } from 'zod';
import { CURRENCIES } from '../../db/schema/columns.ts';
import type { Operation } from '../registry.ts';
import { recordFields } from '../resource.ts';
import { convertLead, explainLeadScore, MESSAGE_MIN_CHARS, qualifyLead, QUALIFY_OUTCOMES } from './leads.ts';

const id = z.uuid({ message: 'must be a UUID' });
const expectedVersion = z.int().min(1).optional().describe('refuse if the lead is no longer at this version');

export const leadOperations: Operation[] = [
  {
    name: 'sales.explain_lead_score',
    summary: "Explain a lead's score",
    description:
      `The factors of the lead's current score (seed 001): base 40, +15 company, +10 phone, +20 business email domain, +10 message over ${MESSAGE_MIN_CHARS} characters, +5 tier chosen, up to +15 industry, up to +10 company size, capped at 100; each with its points, its maximum, what it was judged on and the rule. Also the BANT factors (seed 004) of the latest qualification, recorded with every score. The score is recomputed on every change of the lead; its history is in /api/v1/lead_scores.`,
    tag: 'leads',
    scope: 'read',
    destructive: false,
    kind: 'action',
    input: z.strictObject({ id }),
    http: { method: 'get', path: '/api/v1/leads/{id}/score' },
    run: (ctx, input) => explainLeadScore(ctx, input),
  },
  {
    name: 'sales.qualify_lead',
    summary: 'Qualify a lead (BANT)',
    description:
      'Records a BANT qualification (budget, authority = decision maker, need, timeline; qualified by you, now), moves the lead through the lead pipeline and re-scores it, in one transaction. Without `status` the lead moves to `qualified` when all four are met and to `qualifying` otherwise (a qualified lead is not demoted). `disqualified` needs a `reason`. Illegal moves are refused (409) with the allowed ones, and nothing is written.',
    tag: 'leads',
    scope: 'write',
    destructive: false,
    kind: 'action',
    input: z.strictObject({
      id,
      has_budget: z.boolean().nullable().optional().describe('Budget: they have money set aside'),
      budget_amount: z.union([z.string(), z.number()]).nullable().optional().describe('the budget, an exact decimal such as "30000.00"'),
      currency: z.enum(CURRENCIES).optional().describe('currency of the budget (default AUD)'),
      decision_maker: z.boolean().nullable().optional().describe('Authority: we are talking to the decision maker'),
      need_identified: z.boolean().nullable().optional().describe('Need: a need we can meet is identified'),
      timeline: z.string().max(1000).nullable().optional().describe('Timeline: when they want it, e.g. "this quarter"'),
      pain_points: z.string().max(100_000).nullable().optional().describe('what hurts, in their words'),
      status: z.enum(QUALIFY_OUTCOMES).optional().describe('where the lead goes (default: qualified when all four BANT criteria are met, else qualifying)'),
      reason: z.string().max(2000).optional().describe('why, when disqualifying (kept as lost_reason)'),
      expected_version: expectedVersion,
    }),
    http: { method: 'post', path: '/api/v1/leads/{id}/qualify' },
    run: (ctx, input) => qualifyLead(ctx, input),
  },
  {
    name: 'sales.convert_lead',
    summary: 'Convert a qualified lead',
    description:
      'In one transaction: links the lead\'s company (`company_id`, else a company you can see with the lead\'s website or business-email domain, else the same name ignoring case) or creates it from the lead (`company` fields over the lead\'s); links the contact with the lead\'s email at that company or creates it (`contact` fields over the lead\'s); creates a deal when `deal` is given (`{}` for the defaults: named after the company, valued at the qualified budget) or links an existing deal of the company with `deal_id`; and moves the lead to `converted`, recording converted_at, converted_to_account_id, converted_contact_id and converted_deal_id. Only a `qualified` lead converts (409 otherwise, with the allowed moves). Any failure writes nothing.',
    tag: 'leads',
    scope: 'write',
    destructive: false,
    kind: 'action',
    input: z.strictObject({
      id,
      company_id: id.optional().describe('link this existing company instead of matching or creating one'),
      match_company: z.boolean().optional().describe('false: always create a new company (default true: link a matching one)'),
      company: recordFields('companies').optional(),
      contact: recordFields('contacts').optional(),
      deal: recordFields('deals').optional(),
      deal_id: id.optional().describe('link this existing deal of the company instead of creating one'),
      expected_version: expectedVersion,
    }),
    http: { method: 'post', path: '/api/v1/leads/{id}/convert' },
    run: (ctx, input) => convertLead(ctx, input),
  },
];
