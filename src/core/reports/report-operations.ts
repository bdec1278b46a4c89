/** The monthly ROI report (seed 000 steps 22–24) as registry operations: JSON, or a file to download. */
import { z } from 'zod';
import type { Operation } from '../registry.ts';
import { buildMonthlyReport } from './monthly.ts';
import { buildPortfolioReport } from './portfolio.ts';
import type { MonthlyReport, PortfolioReport, ReportFormat } from './types.ts';

const FORMATS = ['json', 'html', 'csv', 'pdf'] as const;

/** JSON as is; a file rendered on demand (the PDF and chart libraries load on first use, not at start). */
async function deliver(report: MonthlyReport | PortfolioReport, format: ReportFormat | undefined) {
  if (!format || format === 'json') return report;
  const { renderReport } = await import('./render.ts');
  return renderReport(report, format);
}
const format = z.enum(FORMATS).optional().describe('json (default), html (printable, with charts), csv or pdf');
const month = z.string().describe('the month, YYYY-MM (not after the current month)');

export const MonthlyInput = z.strictObject({
  engagement: z.uuid({ message: 'must be an engagement id' }).describe('the engagement'),
  month,
  format,
  hourly_rate: z
    .string()
    .regex(/^\d{1,10}(\.\d{1,2})?$/, 'must be an amount such as 85 or 85.50')
    .optional()
    .describe("the value of one hour of the client's staff time for this report (default: the engagement's hourly_rate_value, then the default_hourly_rate setting)"),
});

const PortfolioInput = z.strictObject({ month, format });

export const reportOperations: Operation[] = [
  {
    name: 'report.monthly',
    weight: 'report',
    summary: 'The monthly ROI report of an engagement',
    description:
      'Is this worth what the client pays? For one engagement and month: tokens per person (from the monthly usage rollup), hours saved per person and per task, support tickets and hours, training progress and attendance, work logged against the estimate, the value of the time saved at the hourly rate against fees, licences and tools as ROI and payback, and the trend over up to six months. Every rule used is stated in the report (`rules`). `format=html|csv|pdf` answers with the file instead of JSON.',
    tag: 'reports',
    scope: 'read',
    destructive: false,
    kind: 'action',
    input: MonthlyInput,
    download: { formats: FORMATS },
    http: { method: 'get', path: '/api/v1/reports/monthly' },
    run: async (ctx, input) => {
      const report = await buildMonthlyReport(ctx, {
        engagement_id: input.engagement,
        month: input.month,
        ...(input.hourly_rate !== undefined ? { hourly_rate: input.hourly_rate } : {}),
      });
      return deliver(report, input.format);
    },
  },
  {
    name: 'report.portfolio',
    weight: 'report',
    summary: 'Every live engagement in one month',
    description:
      'One line per engagement you can see that ran in the month: tokens, hours saved, value, cost, ROI and open tickets, with the direction against the month before, and totals per currency (never added across currencies). `format=html|csv|pdf` answers with the file.',
    tag: 'reports',
    scope: 'read',
    destructive: false,
    kind: 'action',
    input: PortfolioInput,
    download: { formats: FORMATS },
    http: { method: 'get', path: '/api/v1/reports/portfolio' },
    run: async (ctx, input) => {
      return deliver(await buildPortfolioReport(ctx, { month: input.month }), input.format);
    },
  },
];
