/** Deals and account health (seed 004) as registry operations. */
import { z } from 'zod';
import type { Operation } from '../registry.ts';
import { addLineItems, dealOverview, dealTimeline, loseDeal, moveDeal, weightedPipeline, winDeal } from './deals.ts';
import { companyHealth, recomputeAllHealth, recomputeHealth } from './health.ts';

const id = z.uuid({ message: 'must be a UUID' });
const isoDate = z.iso.date({ message: 'must be a real calendar date as YYYY-MM-DD' });
const expected_version = z.int().min(1).optional().describe('refuse if the deal is no longer at this version');
const decimal = (what: string) =>
  z
    .union([z.string().max(32), z.number()])
    .describe(`${what}, a decimal string such as "1500.00" (exact; never rounded by us)`);

const HEALTH_FORMULA_TEXT =
  'Formula health-v1, 0–100 = round(100 × earned ÷ possible) over the applicable factors: ' +
  'activity recency (30: ≤7 days since the last interaction 30, ≤14 25, ≤30 18, ≤60 10, ≤90 5, else 0); ' +
  'open support tickets (20: 20 − 5 per open/in-progress/waiting ticket − 5 more per high or critical one, min 0); ' +
  'overdue invoices (20: status sent, unpaid, due date before today; 20 − 10 per overdue invoice, 0 if any is over 60 days overdue); ' +
  'engagement status (20: best engagement; supporting/training 20, onboarding 15, completed 10, paused 5, cancelled 0; not applicable without engagements); ' +
  'AI usage trend (10: ai_usage tokens this month to date vs the same days last month; ≥ +10% 10, within ±10% 8, ≥ −50% 4, else 0; new usage 10; none in either with a live engagement 0, otherwise not applicable). ' +
  'Bands: healthy 70–100, watch 40–69, at risk 0–39.';

export const dealOperations: Operation[] = [
  {
    name: 'sales.move_deal',
    summary: "Move a deal to another stage",
    description:
      'Moves the deal along the `deal` pipeline (pipeline_stages): only the allowed moves (409 lists them); status_history records when each stage was entered and exited and how long it lasted. A won stage sets `actual_close_date` (today unless given); a lost stage needs `loss_reason`; reopening a closed deal clears both. The deal takes the new stage\'s probability.',
    tag: 'deals',
    scope: 'write',
    destructive: false,
    kind: 'action',
    input: z.strictObject({
      id,
      stage: z.string().min(1, 'is required').max(64).describe('a key of the deal pipeline: discovery, proposal, negotiation, closed_won, closed_lost by default'),
      loss_reason: z.string().max(2000).optional().describe('why it was lost (required for a lost stage)'),
      actual_close_date: isoDate.optional().describe('when it was won or lost, YYYY-MM-DD (default today)'),
      expected_version,
    }),
    http: { method: 'post', path: '/api/v1/deals/{id}/stage' },
    run: (ctx, input) => moveDeal(ctx, input),
  },
  {
    name: 'sales.win_deal',
    summary: 'Mark a deal won',
    description:
      'Moves the deal to the won stage (closed_won) and sets `actual_close_date` (today unless given); competitors still `active` on the deal become `won_against`. One transaction.',
    tag: 'deals',
    scope: 'write',
    destructive: false,
    kind: 'action',
    input: z.strictObject({
      id,
      actual_close_date: isoDate.optional().describe('when it was signed, YYYY-MM-DD (default today)'),
      expected_version,
    }),
    http: { method: 'post', path: '/api/v1/deals/{id}/won' },
    run: (ctx, input) => winDeal(ctx, input),
  },
  {
    name: 'sales.lose_deal',
    summary: 'Mark a deal lost',
    description:
      'Moves the deal to the lost stage (closed_lost) with its `loss_reason` (required) and `actual_close_date` (today unless given); the competitor named by `lost_to_competitor_id` becomes `lost_to`. One transaction.',
    tag: 'deals',
    scope: 'write',
    destructive: false,
    kind: 'action',
    input: z.strictObject({
      id,
      loss_reason: z.string().trim().min(1, 'is required').max(2000).describe('why the deal was lost'),
      lost_to_competitor_id: id.optional().describe('the deal_competitors record it was lost to'),
      actual_close_date: isoDate.optional().describe('when it was lost, YYYY-MM-DD (default today)'),
      expected_version,
    }),
    http: { method: 'post', path: '/api/v1/deals/{id}/lost' },
    run: (ctx, input) => loseDeal(ctx, input),
  },
  {
    name: 'sales.add_line_items',
    summary: 'Add line items to a deal',
    description:
      'Adds line items (deal_products), each from the services catalog or free. unit_price defaults from the service (the lower bound of its monthly fee for a monthly pricing model, else of its setup fee), product_type from its category, description from its name, quantity to 1. total_value = quantity × unit_price, exact to the cent. Value rule: while a deal has line items, its value is the exact sum of their totals (a hand-written value that differs is refused); items take the deal\'s currency. `replace: true` archives the current items first. All-or-nothing; errors name `items[i].field`.',
    tag: 'deals',
    scope: 'write',
    destructive: false,
    kind: 'action',
    input: z.strictObject({
      id,
      items: z
        .array(
          z.strictObject({
            service_id: id.optional().describe('a service from the catalog'),
            product_type: z.string().max(64).optional().describe('staffing, training, consulting, … (default: the service category)'),
            description: z.string().max(2000).optional(),
            quantity: decimal('how many (default 1)').optional(),
            unit_price: decimal('price of one, in the deal currency (default: from the service)').optional(),
          }),
        )
        .max(200, 'at most 200 line items at once'),
      replace: z.boolean().optional().describe('archive the deal\'s current line items first'),
    }),
    http: { method: 'post', path: '/api/v1/deals/{id}/line-items', status: 201 },
    run: (ctx, input) => addLineItems(ctx, input),
  },
  {
    name: 'sales.deal_overview',
    summary: 'A deal with its stakeholders, competitors and line items',
    description: 'The deal, its stage (probability, next stages), weighted value if open, stakeholders with role and influence (high first), competitors with status, and line items with their total.',
    tag: 'deals',
    scope: 'read',
    destructive: false,
    kind: 'action',
    input: z.strictObject({ id }),
    http: { method: 'get', path: '/api/v1/deals/{id}/overview' },
    run: (ctx, input) => dealOverview(ctx, input),
  },
  {
    name: 'sales.deal_timeline',
    summary: "A deal's stage history",
    description: 'Every stage the deal has been in (004 deal_stages_history): entered_at, exited_at, duration in days and seconds, who moved it and the reason, with the total time in each stage.',
    tag: 'deals',
    scope: 'read',
    destructive: false,
    kind: 'action',
    input: z.strictObject({ id }),
    http: { method: 'get', path: '/api/v1/deals/{id}/timeline' },
    run: (ctx, input) => dealTimeline(ctx, input),
  },
  {
    name: 'sales.pipeline_value',
    weight: 'report',
    summary: 'Weighted pipeline value',
    description:
      'Open deals (stage neither won nor lost) you can see, per currency and per stage: count, Σ value and the weighted value Σ value × stage probability ÷ 100, exact (up to 4 decimals), with totals. Currencies are never added together.',
    tag: 'deals',
    scope: 'read',
    destructive: false,
    kind: 'action',
    input: z.strictObject({
      owner_id: id.optional().describe("only this user's deals"),
      company_id: id.optional().describe("only this company's deals"),
    }),
    http: { method: 'get', path: '/api/v1/deals/pipeline' },
    run: (ctx, input) => weightedPipeline(ctx, input),
  },
  {
    name: 'sales.company_health',
    summary: "A company's health score, computed now",
    description: `Computes the account health from the live records without storing it, beside the stored score. ${HEALTH_FORMULA_TEXT}`,
    tag: 'deals',
    scope: 'read',
    destructive: false,
    kind: 'action',
    input: z.strictObject({ id }),
    http: { method: 'get', path: '/api/v1/companies/{id}/health' },
    run: (ctx, input) => companyHealth(ctx, input),
  },
  {
    name: 'sales.recompute_health',
    summary: "Recompute and store a company's health score",
    description: `Stores health_score, health_factors and health_calculated_at on the company (they also follow every change to its interactions, support tickets, invoices and engagements). ${HEALTH_FORMULA_TEXT}`,
    tag: 'deals',
    scope: 'write',
    destructive: false,
    kind: 'action',
    input: z.strictObject({ id }),
    http: { method: 'post', path: '/api/v1/companies/{id}/health/recompute' },
    run: (ctx, input) => recomputeHealth(ctx, input),
  },
  {
    name: 'sales.recompute_all_health',
    summary: 'Recompute every company\'s health score',
    description: `Administrators: recomputes and stores the health of every company not archived (picks up AI usage and the passing of days, which no write hook sees), in batches. ${HEALTH_FORMULA_TEXT}`,
    tag: 'deals',
    scope: 'admin',
    destructive: false,
    bulk: true,
    kind: 'action',
    input: z.strictObject({}),
    http: { method: 'post', path: '/api/v1/companies/health/recompute' },
    run: (ctx) => recomputeAllHealth(ctx),
  },
];
