/**
 * Fields an import column may feed that are not columns of the target but name a related
 * record by its natural key: a contact's company by name or website, an interaction's contact
 * by email. Free of imports but a type, so the web app's mapping screen shares it.
 */
import type { ImportTarget } from '../../db/schema/imports.ts';

export const RELATION_FIELDS: Record<ImportTarget, readonly string[]> = {
  companies: [],
  contacts: ['company_name', 'company_domain'],
  leads: [],
  interactions: ['company_name', 'company_domain', 'contact_email'],
  ai_usage: ['contact_email'],
};
