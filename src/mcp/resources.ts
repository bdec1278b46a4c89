/**
 * MCP resources: a company, an engagement and a monthly report, read with the agent's role
 * and visibility through the same registry operations as everything else.
 */
import type { Resource as McpResource, ResourceTemplate } from '@modelcontextprotocol/sdk/types.js';
import type { Ctx } from '../core/context.ts';
import { AppError } from '../core/errors.ts';
import { operationByName, type Operation } from '../core/registry.ts';
import type { Row } from '../core/resource.ts';
import { monthlyReportPath, recordPath } from '../core/web-paths.ts';
import { webUrl, type WebLinks } from './links.ts';

type Run = (op: Operation, input: unknown) => Promise<unknown>;
type Page = { items: Row[]; next_cursor: string | null };

const op = (name: string) => operationByName.get(name)!;

export const RESOURCE_TEMPLATES: ResourceTemplate[] = [
  { uriTemplate: 'throughline://companies/{id}', name: 'company', title: 'A company', description: 'A company with its contacts, engagements, deals and latest interactions', mimeType: 'application/json' },
  { uriTemplate: 'throughline://engagements/{id}', name: 'engagement', title: 'An engagement', description: 'An engagement with its hours against the estimate and what was built for it', mimeType: 'application/json' },
  {
    uriTemplate: 'throughline://reports/monthly/{engagement_id}/{month}',
    name: 'monthly_report',
    title: 'A monthly ROI report',
    description: 'The monthly ROI report of an engagement (month as YYYY-MM)',
    mimeType: 'application/json',
  },
];

const RECENT = 25;

/** The companies and engagements changed most recently, as resources to open. */
export async function listResources(run: Run): Promise<McpResource[]> {
  const recent = async (table: string) => (await run(op(`${table}.list`), { sort: '-updated_at', limit: RECENT })) as Page;
  const [companies, engagements] = [await recent('companies'), await recent('engagements')];
  return [
    // Names are data: each stands alone in its field, never worked into a sentence.
    ...companies.items.map((c) => ({ uri: `throughline://companies/${String(c.id)}`, name: String(c.name), description: 'company', mimeType: 'application/json' })),
    ...engagements.items.map((e) => ({ uri: `throughline://engagements/${String(e.id)}`, name: String(e.name ?? e.id), description: 'engagement', mimeType: 'application/json' })),
  ];
}

const URI = /^throughline:\/\/(?:(companies|engagements)\/([0-9a-f-]{36})|reports\/monthly\/([0-9a-f-]{36})\/(\d{4}-\d{2}))$/i;

export async function readResource(ctx: Ctx, uri: string, run: Run, links: WebLinks): Promise<Row> {
  const m = URI.exec(uri);
  if (!m) throw new AppError('NOT_FOUND', `No resource ${uri}; resources/templates/list shows the kinds there are`);
  const [, table, id, engagementId, month] = m;
  if (engagementId && month) {
    const report = (await run(op('report.monthly'), { engagement: engagementId, month })) as Row;
    return { ...report, web_url: webUrl(links, monthlyReportPath(engagementId, month)) };
  }
  if (table === 'companies') {
    const company = (await run(op('companies.get'), { id })) as Row;
    const byCompany = [{ field: 'company_id', op: 'eq', value: id }];
    const [contacts, engagements, deals, interactions] = [
      (await run(op('contacts.list'), { filters: byCompany, sort: 'name' })) as Page,
      (await run(op('engagements.list'), { filters: byCompany })) as Page,
      (await run(op('deals.list'), { filters: byCompany, sort: '-updated_at' })) as Page,
      (await run(op('interactions.list'), { filters: byCompany, sort: '-created_at', limit: 10 })) as Page,
    ];
    return {
      company: { ...company, web_url: webUrl(links, recordPath('companies', id!)) },
      contacts: contacts.items,
      engagements: engagements.items,
      deals: deals.items,
      latest_interactions: interactions.items,
    };
  }
  const engagement = (await run(op('engagements.get'), { id })) as Row;
  const hours = await run(op('delivery.hours'), { engagement_id: id });
  const built = await run(op('delivery.built'), { engagement_id: id });
  return { engagement: { ...engagement, web_url: webUrl(links, recordPath('engagements', id!)) }, hours, built };
}
