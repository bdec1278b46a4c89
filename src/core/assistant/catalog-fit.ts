/** Which services of the catalog fit a company: those linked to its industry (003 industry_solutions). */
import { and, asc, eq, isNull } from 'drizzle-orm';
import { z } from 'zod';
import { industry_services, services } from '../../db/schema/catalog.ts';
import { industries } from '../../db/schema/platform.ts';
import type { Ctx } from '../context.ts';
import { getRecord } from '../resource.ts';
import { resource } from '../resources.ts';

export type FittingService = {
  service_id: string;
  name: string;
  service_category: string;
  tier: string | null;
  fit_notes: string | null;
  description: string | null;
};

export type SuggestedServices = {
  company_id: string;
  industry: { id: string; name: string } | null;
  items: FittingService[];
  message?: string;
};

export const SuggestServicesInput = z.strictObject({ company_id: z.string().max(200) });

/** The company's industry, if it has one. */
export async function industryOf(ctx: Ctx, industryId: unknown): Promise<{ id: string; name: string } | null> {
  if (typeof industryId !== 'string') return null;
  const [row] = await ctx.db.select({ id: industries.id, name: industries.name }).from(industries).where(eq(industries.id, industryId));
  return row ?? null;
}

/** The active services linked to an industry, with why they fit. */
export async function servicesForIndustry(ctx: Ctx, industryId: string): Promise<FittingService[]> {
  return ctx.db
    .select({
      service_id: services.id,
      name: services.name,
      service_category: services.service_category,
      tier: services.tier,
      fit_notes: industry_services.fit_notes,
      description: services.description,
    })
    .from(industry_services)
    .innerJoin(services, eq(services.id, industry_services.service_id))
    .where(and(eq(industry_services.industry_id, industryId), isNull(industry_services.archived_at), eq(services.is_active, true), isNull(services.archived_at)))
    .orderBy(asc(services.name));
}

/** Every active service (when none is linked to the company's industry). */
export async function activeServices(ctx: Ctx, limit = 50): Promise<FittingService[]> {
  const rows = await ctx.db
    .select({ service_id: services.id, name: services.name, service_category: services.service_category, tier: services.tier, description: services.description })
    .from(services)
    .where(and(eq(services.is_active, true), isNull(services.archived_at)))
    .orderBy(asc(services.name))
    .limit(limit);
  return rows.map((r) => ({ ...r, fit_notes: null }));
}

/** The services that fit a company you can see (NOT_FOUND otherwise), with a message when there are none and why. */
export async function servicesForCompany(ctx: Ctx, companyId: string): Promise<SuggestedServices> {
  const company = await getRecord(ctx, resource('companies'), companyId);
  const industry = await industryOf(ctx, company.industry_id);
  if (!industry) {
    return {
      company_id: String(company.id),
      industry: null,
      items: [],
      message: 'This company has no industry (industry_id), so no service is linked to it: set its industry to see the services that fit.',
    };
  }
  const items = await servicesForIndustry(ctx, industry.id);
  return {
    company_id: String(company.id),
    industry,
    items,
    ...(items.length === 0
      ? { message: `No active service is linked to the industry ${industry.name} yet: link services to it in industry_services.` }
      : {}),
  };
}
