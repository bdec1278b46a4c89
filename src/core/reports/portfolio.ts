/**
 * The portfolio view (seed 000 step 24): every engagement the caller may see that was live in
 * the month, one line each, with the same rules as the monthly report, and totals per currency
 * (amounts in different currencies are never added together). Two statements: the engagements,
 * then every source for all of them at once.
 */
import { z } from 'zod';
import type { Ctx } from '../context.ts';
import { parseInput } from '../errors.ts';
import { readSettings } from '../platform/settings.ts';
import { converter, costSources, readCosts } from './monthly/costs.ts';
import { byEngagement, readSources } from './monthly/db.ts';
import { listLiveEngagements } from './monthly/engagement.ts';
import { divRound, hoursOf, money, roiPercent } from './monthly/exact.ts';
import { chooseRate, monthFigures } from './monthly/figures.ts';
import { computeSavings, readTasks, taskSources } from './monthly/savings.ts';
import { readTickets, ticketCounts, ticketSource } from './monthly/support.ts';
import { readUsage, tokensIn, usageSource } from './monthly/usage.ts';
import { addMonths, parseReportMonth } from './rules.ts';
import type { PortfolioLine, PortfolioReport } from './types.ts';

export const PortfolioReportInput = z.strictObject({
  month: z.string().describe('The month reported, YYYY-MM: from 2000-01 up to the current month'),
});
export type PortfolioReportInput = z.infer<typeof PortfolioReportInput>;

type Total = { currency: string; engagements: number; s: bigint; value: bigint; valued: number; cost: bigint };

export async function buildPortfolioReport(ctx: Ctx, input: PortfolioReportInput): Promise<PortfolioReport> {
  const parsed = parseInput(PortfolioReportInput, input);
  const month = parseReportMonth(ctx, parsed.month);
  const before = addMonths(month, -1);
  const [engagements, settings] = await Promise.all([listLiveEngagements(ctx, month), readSettings(ctx)]);
  const ids = engagements.map((e) => e.id);
  const task = taskSources(ids, before, month, { names: false });
  const cost = costSources(ids, month, month, { names: false });
  const rows = ids.length
    ? await readSources(ctx, {
        tasks: task.tasks,
        measurements: task.measurements,
        usage: usageSource(ids, month, month, { people: false }),
        tickets: ticketSource(ids, month, month),
        fees: cost.fees,
        licences: cost.licences,
        tools: cost.tools,
      })
    : { tasks: [], measurements: [], usage: [], tickets: [], fees: [], licences: [], tools: [] };
  const tasks = readTasks(rows);
  const usage = readUsage(rows.usage);
  const tickets = readTickets(rows.tickets);
  const costs = readCosts(rows);
  const tasksOf = byEngagement(tasks);
  const usageOf = byEngagement(usage);
  const ticketsOf = byEngagement(tickets);
  const costsOf = byEngagement(costs);

  const lines: PortfolioLine[] = [];
  const totals = new Map<string, Total>();
  const unrated: string[] = [];
  const unconverted = new Set<string>();
  for (const e of engagements) {
    const rate = chooseRate(undefined, e.hourly_rate_value, settings.default_hourly_rate);
    const savings = computeSavings(tasksOf.get(e.id) ?? [], [before, month]);
    const [f] = monthFigures([month], [savings.totals[1]!], costsOf.get(e.id) ?? [], converter(settings.exchange_rates, e.currency), rate.cents);
    const fig = f!;
    if (rate.cents === null) unrated.push(e.name ?? e.company_name);
    for (const l of fig.cost.unconverted) unconverted.add(`${l.currency} → ${e.currency}`);

    // Direction of the hours as shown (to 0.01), so the arrow agrees with the figures.
    const now = divRound(savings.totals[1]!, 60n);
    const then = divRound(savings.totals[0]!, 60n);
    const trend: PortfolioLine['trend'] = e.start_month > before || (then === 0n && now !== 0n) ? 'new' : now > then ? 'up' : now < then ? 'down' : 'flat';

    lines.push({
      engagement_id: e.id,
      engagement_name: e.name,
      company_id: e.company_id,
      company_name: e.company_name,
      status: e.status,
      currency: e.currency,
      tokens: tokensIn(usageOf.get(e.id) ?? [], month),
      hours_saved: hoursOf(fig.s),
      value: fig.value === null ? null : money(fig.value),
      cost: money(fig.cost.total),
      roi_percent: fig.roi_percent,
      tickets_open: ticketCounts(ticketsOf.get(e.id) ?? [], month).open_at_month_end,
      trend,
    });
    const t = totals.get(e.currency) ?? { currency: e.currency, engagements: 0, s: 0n, value: 0n, valued: 0, cost: 0n };
    t.engagements++;
    t.s += fig.s;
    t.cost += fig.cost.total;
    if (fig.value !== null) {
      t.value += fig.value;
      t.valued++;
    }
    totals.set(e.currency, t);
  }

  const notes = [
    'Each line follows the monthly report\'s rules for the month. Totals are per currency: hours add the exact figures and are rounded at the end; value and cost add the lines; ROI % of a total is left out when an engagement in it has no hourly rate.',
    "Trend compares the month's hours saved with the month before: new when the engagement had not started then or saved nothing then.",
  ];
  if (unrated.length) {
    notes.push(`No hourly rate for ${unrated.join(', ')}: their value is not shown. Set the engagement's hourly_rate_value or default_hourly_rate in settings.`);
  }
  if (unconverted.size) {
    notes.push(`Some costs could not be converted (${[...unconverted].sort().join(', ')}) and are not added: set exchange_rates in settings.`);
  }
  return {
    kind: 'portfolio_report',
    month,
    generated_at: ctx.now().toISOString(),
    engagements: lines,
    totals: [...totals.values()]
      .sort((a, b) => a.currency.localeCompare(b.currency))
      .map((t) => ({
        currency: t.currency,
        engagements: t.engagements,
        hours_saved: hoursOf(t.s),
        value: t.valued ? money(t.value) : null,
        cost: money(t.cost),
        roi_percent: t.valued === t.engagements ? roiPercent(t.value, t.cost) : null,
      })),
    notes,
  };
}
