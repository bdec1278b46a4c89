/**
 * Where a record lives in the web app. Answers that point a person at a record (MCP tool
 * results, later emails and reminders) build their links here, and the web app's routes
 * follow the same scheme.
 */
export const recordPath = (table: string, id: string) => `/${encodeURIComponent(table)}/${encodeURIComponent(id)}`;

export const monthlyReportPath = (engagementId: string, month: string) =>
  `/reports/monthly?engagement=${encodeURIComponent(engagementId)}&month=${encodeURIComponent(month)}`;
