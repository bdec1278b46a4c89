/**
 * The portfolio as printed sections. Money is never summed across currencies: totals are
 * one row per currency, exactly as computed; hours are currency-free, so one chart
 * compares every engagement.
 */
import { PALETTE } from './charts.ts';
import { formatHours, formatInt, formatMoney, formatMonth, formatPercent, formatTimestamp, humanize, toNumber } from './report-format.ts';
import { notes } from './monthly-view.ts';
import { describe, num, table, type ReportView } from './report-view.ts';
import type { PortfolioLine, PortfolioReport } from './types.ts';

const TREND: Record<PortfolioLine['trend'], string> = { up: 'up', down: 'down', flat: 'flat', new: 'new' };

export function portfolioLineLabel(l: PortfolioLine): string {
  return l.engagement_name ? `${l.company_name}: ${l.engagement_name}` : l.company_name;
}

export function portfolioView(p: PortfolioReport): ReportView {
  const title = `Portfolio report: ${formatMonth(p.month)}`;
  return {
    title,
    heading: title,
    facts: [
      { label: 'Month', value: formatMonth(p.month) },
      { label: 'Engagements', value: formatInt(p.engagements.length) },
      { label: 'Generated at', value: formatTimestamp(p.generated_at) },
    ],
    sections: [
      {
        id: 'totals',
        title: 'Totals per currency',
        blocks: [
          {
            kind: 'table',
            table: table(
              'Totals per currency',
              ['Currency', num('Engagements'), num('Hours saved'), num('Value'), num('Cost'), num('ROI')],
              p.totals.map((t) => [t.currency, formatInt(t.engagements), formatHours(t.hours_saved), formatMoney(t.value, t.currency), formatMoney(t.cost, t.currency), formatPercent(t.roi_percent)]),
              'No engagements this month.',
            ),
          },
        ],
      },
      {
        id: 'engagements',
        title: 'Engagements',
        blocks: [
          {
            kind: 'table',
            table: table(
              'Engagements this month',
              ['Company', 'Engagement', 'Status', num('Tokens'), num('Hours saved'), num('Value'), num('Cost'), num('ROI'), num('Open tickets'), 'Hours trend'],
              p.engagements.map((l) => [l.company_name, l.engagement_name ?? '—', humanize(l.status), formatInt(l.tokens), formatHours(l.hours_saved), formatMoney(l.value, l.currency), formatMoney(l.cost, l.currency), formatPercent(l.roi_percent), formatInt(l.tickets_open), TREND[l.trend]]),
              'No engagements this month.',
            ),
          },
        ],
      },
      {
        id: 'hours-saved',
        title: 'Hours saved per engagement',
        blocks: [
          {
            kind: 'charts',
            charts: [
              {
                kind: 'bars',
                id: 'chart-portfolio-hours',
                title: 'Hours saved per engagement',
                desc: describe('Hours saved per engagement', p.engagements.map((l) => [portfolioLineLabel(l), formatHours(l.hours_saved)])),
                color: PALETTE.hours,
                data: p.engagements.map((l) => ({ label: portfolioLineLabel(l), value: toNumber(l.hours_saved), display: formatHours(l.hours_saved) })),
              },
            ],
            table: table('Hours saved per engagement', ['Engagement', num('Hours saved')], p.engagements.map((l) => [portfolioLineLabel(l), formatHours(l.hours_saved)])),
          },
        ],
      },
      notes(p.notes),
    ],
  };
}
