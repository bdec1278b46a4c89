/** Insights (issue 10) as registry operations: one read each, on the API, the CLI and MCP alike. */
import type { Operation } from '../registry.ts';
import { acquisitionInsight, acquisitionTables } from './acquisition.ts';
import { aggregateInsight, aggregateTables } from './aggregate.ts';
import { calibrationInsight, calibrationTables } from './calibration.ts';
import { deliveryInsight, deliveryTables } from './delivery.ts';
import { funnelInsight, funnelTables } from './funnel.ts';
import { moneyInsight, moneyTables } from './money.ts';
import { salesInsight, salesTables } from './sales.ts';
import {
  AGGREGATE_DIMENSIONS,
  AGGREGATE_MAX_ROWS,
  AGGREGATE_MEASURES,
  AcquisitionInput,
  AcquisitionInsight,
  AggregateInput,
  AggregateResult,
  CalibrationInput,
  CalibrationInsight,
  DeliveryInput,
  DeliveryInsight,
  FunnelInput,
  FunnelInsight,
  MAX_PERIOD_DAYS,
  MoneyInput,
  MoneyInsight,
  SalesInput,
  SalesInsight,
} from './types.ts';

const PERIOD = `The period is \`from\`–\`to\` (calendar days in the instance's time zone, both included; default the 90 days ending today; at most ${MAX_PERIOD_DAYS} days).`;
const FIGURES = 'Counts are numbers; hours, days, rates (percentages) and ratios are exact decimal strings with 2 places, null when their divisor is 0; money is per currency, never added across currencies. Only records you may see count.';

const insight = <I, O>(op: Omit<Operation<I, O>, 'tag' | 'scope' | 'destructive' | 'kind'>): Operation<I, O> => ({
  ...op,
  tag: 'insights',
  scope: 'read',
  destructive: false,
  kind: 'action',
});

export const insightOperations: Operation[] = [
  insight({
    name: 'insights.funnel',
    weight: 'report',
    summary: 'Funnel: conversion between stages and time spent in each',
    description:
      'For the company pipeline (default), deals or leads, from status_history: per stage, the distinct records that entered it in the period, how many of them went on to a later stage of the main path (conversion), the mean and median length of the stays that began in the period and ended, and how many records are in it now. ' +
      `Segment by the company's source and industry and by owner. ${PERIOD} ${FIGURES}`,
    input: FunnelInput,
    output: FunnelInsight,
    tables: funnelTables,
    http: { method: 'get', path: '/api/v1/insights/funnel' },
    run: (ctx, input) => funnelInsight(ctx, input),
  }),
  insight({
    name: 'insights.acquisition',
    weight: 'report',
    summary: 'Acquisition: leads per day or week by source and campaign, scores, conversion, quiz and survey completion',
    description:
      'Leads created in the period per day or week (every one, empty ones with 0) and by source; per utm_campaign with the spend recorded for the campaign of that name and the cost per lead; lead scores in ten bands; lead-to-converted and lead-to-customer conversion; readiness quiz completion (started, completed, abandoned) and audit survey completion. ' +
      `${PERIOD} ${FIGURES}`,
    input: AcquisitionInput,
    output: AcquisitionInsight,
    tables: acquisitionTables,
    http: { method: 'get', path: '/api/v1/insights/acquisition' },
    run: (ctx, input) => acquisitionInsight(ctx, input),
  }),
  insight({
    name: 'insights.sales',
    weight: 'report',
    summary: 'Sales: win rate, sales cycle, weighted pipeline by close month, lost reasons',
    description:
      'Deals closed in the period (won, lost, win rate, won value), the sales cycle of the won ones (days from created to closed), open deals by expected close month with their weighted value, the reasons deals and companies were lost ranked, and the same per owner. ' +
      `${PERIOD} ${FIGURES}`,
    input: SalesInput,
    output: SalesInsight,
    tables: salesTables,
    http: { method: 'get', path: '/api/v1/insights/sales' },
    run: (ctx, input) => salesInsight(ctx, input),
  }),
  insight({
    name: 'insights.delivery',
    weight: 'report',
    summary: 'Delivery and capacity: utilisation per week, estimated against logged hours, tickets and time to resolve',
    description:
      "The team's capacity, hours logged per week against it (utilisation) in total and per member, each engagement's estimated hours beside the hours logged, and support tickets opened and resolved per week with the hours they took to resolve. " +
      `${PERIOD} ${FIGURES}`,
    input: DeliveryInput,
    output: DeliveryInsight,
    tables: deliveryTables,
    http: { method: 'get', path: '/api/v1/insights/delivery' },
    run: (ctx, input) => deliveryInsight(ctx, input),
  }),
  insight({
    name: 'insights.money',
    weight: 'report',
    summary: 'Money and proof: recurring revenue and revenue per month, overdue invoices, ROI per engagement, usage trend',
    description:
      "Per month of the period: monthly recurring revenue of the live engagements, invoiced and paid, per currency; the invoices overdue today by age; the portfolio's return per engagement in the period's last month (hours saved, value, cost, ROI); and the clients' AI usage per month. " +
      `${PERIOD} ${FIGURES}`,
    input: MoneyInput,
    output: MoneyInsight,
    tables: moneyTables,
    http: { method: 'get', path: '/api/v1/insights/money' },
    run: (ctx, input) => moneyInsight(ctx, input),
  }),
  insight({
    name: 'insights.calibration',
    weight: 'report',
    summary: 'Feedback into assessment: past go decisions, estimated against what happened',
    description:
      "Seed 000 step 24. For each go decision made in the period: the estimated hours per week of delivery beside the hours logged per week so far, the estimated hours saved per month beside those measured since go-live, and the estimated value beside what was invoiced; each with actual ÷ estimated. The ratios' mean and median, and advice for the next scorecard. " +
      `${PERIOD} ${FIGURES}`,
    input: CalibrationInput,
    output: CalibrationInsight,
    tables: calibrationTables,
    http: { method: 'get', path: '/api/v1/insights/calibration' },
    run: (ctx, input) => calibrationInsight(ctx, input),
  }),
  insight({
    name: 'insights.aggregate',
    weight: 'report',
    summary: 'Add up one measure over a period, grouped by up to two dimensions',
    description:
      `Measures: ${AGGREGATE_MEASURES.join(', ')}. Dimensions: ${AGGREGATE_DIMENSIONS.join(', ')} (each measure allows some; an unsupported one is refused naming those it allows). ` +
      `Filter by company_id, contact_id, engagement_id or owner_id. At most ${AGGREGATE_MAX_ROWS} rows, largest first; totals cover every row. ` +
      'Answers questions such as "how many hours did Smith save last quarter?" from the records: hours_saved is computed as the monthly report computes it. ' +
      `${PERIOD} ${FIGURES}`,
    input: AggregateInput,
    output: AggregateResult,
    tables: aggregateTables,
    http: { method: 'get', path: '/api/v1/insights/aggregate' },
    run: (ctx, input) => aggregateInsight(ctx, input),
  }),
];
