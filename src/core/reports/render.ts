/**
 * The one entry point from a computed report to a file: the API sends the result as a
 * response body, the CLI writes it to disk. Filenames are built from slugs only, so a
 * company called `"; rm -rf /` cannot reach a Content-Disposition header or a path.
 */
import { renderCsv } from './render-csv.ts';
import { renderHtml } from './render-html.ts';
import { renderPdf } from './render-pdf.ts';
import { slugify } from './report-format.ts';
import type { Download, MonthlyReport, PortfolioReport } from './types.ts';

export type RenderFormat = 'html' | 'csv' | 'pdf';

const CONTENT_TYPES: Record<RenderFormat, string> = {
  html: 'text/html; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
  pdf: 'application/pdf',
};

export function reportFilename(report: MonthlyReport | PortfolioReport, format: RenderFormat): string {
  const month = /^\d{4}-\d{2}$/.test(report.month) ? report.month : slugify(report.month, 'month');
  const stem = report.kind === 'monthly_report' ? `throughline-report-${slugify(report.engagement.company_name, 'company')}-${month}` : `throughline-portfolio-${month}`;
  return `${stem}.${format}`;
}

export async function renderReport(report: MonthlyReport | PortfolioReport, format: RenderFormat): Promise<Download> {
  const body = format === 'html' ? renderHtml(report) : format === 'csv' ? renderCsv(report) : await renderPdf(report);
  return { kind: 'download', content_type: CONTENT_TYPES[format], filename: reportFilename(report, format), body };
}
