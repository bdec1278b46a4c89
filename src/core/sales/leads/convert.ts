/**
 * Conversion: a qualified lead into a company, a contact and optionally a deal, and the
 * `prepare` hook of leads that keeps `converted` reachable only this way.
 */
import { and, asc, eq, isNull, sql, type SQL } from 'drizzle-orm';
import { COMPANY_SOURCES, companies, contacts } from '../../../db/schema/sales.ts';
import { withTx, type Ctx } from '../../context.ts';
import { AppError, invalid } from '../../errors.ts';
import { stagesOf } from '../../platform/pipeline.ts';
import { visibilityScope, visibleCondition } from '../../platform/visibility.ts';
import { applyUpdate, fetchRow, insertRecord, validateCreate, type Row } from '../../resource.ts';
import { domainOf } from '../../resources.ts';
import { businessEmailDomain } from './score.ts';
import { blank, companiesRes, contactsRes, dealsRes, latestQualification, leadsRes, lockLead, nested, type LeadRow } from './shared.ts';

/**
 * The `prepare` hook of leads: `converted` is reached only through convertLead, which links
 * the company, contact and deal in the same write; a plain status change to it is refused.
 */
export function guardLeadConversion(values: Row): Row {
  if (values.status === 'converted' && !(values.converted_at instanceof Date)) {
    throw invalid([
      {
        field: 'status',
        message: 'a lead becomes converted through sales.convert_lead (POST /api/v1/leads/{id}/convert), which creates or links its company, contact and deal',
      },
    ]);
  }
  return values;
}

export type ConvertLeadInput = {
  id: string;
  company_id?: string | undefined;
  match_company?: boolean | undefined;
  company?: Record<string, unknown> | undefined;
  contact?: Record<string, unknown> | undefined;
  deal?: Record<string, unknown> | undefined;
  deal_id?: string | undefined;
  expected_version?: number | undefined;
};

export type CompanyMatch = 'company_id' | 'lead_company' | 'domain' | 'name';

/** Lead sources that are company sources keep their name; the rest (social, direct, outbound, marketing) are `other`. */
function companySource(source: string): (typeof COMPANY_SOURCES)[number] {
  return (COMPANY_SOURCES as readonly string[]).includes(source) ? (source as (typeof COMPANY_SOURCES)[number]) : 'other';
}

const personName = (lead: LeadRow) => [lead.first_name, lead.last_name].filter((s) => !blank(s)).map((s) => s!.trim()).join(' ');

/**
 * An existing company the lead belongs to, among those the caller may see (a company hidden
 * by record visibility is never matched, so it is neither linked nor revealed): the company
 * the lead already points at, else one whose website domain is the lead's website domain or
 * business email domain, else one with the same name ignoring case. Archived companies are
 * not matched; the oldest wins a tie.
 */
async function findCompany(ctx: Ctx, lead: LeadRow, name: string | null, website: unknown): Promise<{ row: Row; by: CompanyMatch } | undefined> {
  const scope = await visibilityScope(ctx);
  const visible = visibleCondition(companiesRes(), scope);
  const usable = (extra: SQL) => and(isNull(companies.archived_at), extra, visible ?? undefined);
  if (lead.company_id) {
    const [row] = await ctx.db.select().from(companies).where(usable(eq(companies.id, lead.company_id))).limit(1);
    if (row) return { row: row as Row, by: 'lead_company' };
  }
  const domains = [...new Set([domainOf(website), domainOf(lead.company_website), businessEmailDomain(lead.email)].filter((d): d is string => !!d))];
  if (domains.length) {
    const [row] = await ctx.db
      .select()
      .from(companies)
      .where(usable(sql`${companies.domain} in (${sql.join(domains.map((d) => sql`${d}`), sql`, `)})`))
      .orderBy(asc(companies.created_at), asc(companies.id))
      .limit(1);
    if (row) return { row: row as Row, by: 'domain' };
  }
  if (name) {
    const [row] = await ctx.db
      .select()
      .from(companies)
      .where(usable(sql`lower(${companies.name}) = lower(${name})`))
      .orderBy(asc(companies.created_at), asc(companies.id))
      .limit(1);
    if (row) return { row: row as Row, by: 'name' };
  }
  return undefined;
}

/** The contact at the company with the lead's email (ignoring case), or without an email the same name; archived ones are not matched. */
async function findContact(ctx: Ctx, companyId: string, values: Row): Promise<Row | undefined> {
  const email = typeof values.email === 'string' && values.email !== '' ? values.email : undefined;
  const match = email ? sql`lower(${contacts.email}) = lower(${email})` : sql`lower(${contacts.name}) = lower(${String(values.name)})`;
  const [row] = await ctx.db
    .select()
    .from(contacts)
    .where(and(eq(contacts.company_id, companyId), isNull(contacts.archived_at), match))
    .orderBy(asc(contacts.created_at), asc(contacts.id))
    .limit(1);
  return row as Row | undefined;
}

const OP = 'sales.convert_lead';

/** An existing deal for the conversion: visible, not archived, of the company (or of none), from this lead (or from none). */
async function linkDeal(ctx: Ctx, dealId: string, companyId: string, leadId: string): Promise<Row> {
  const deal = await fetchRow(ctx, dealsRes(), dealId, true);
  if (!deal) throw invalid([{ field: 'deal_id', message: 'does not name a deal that you can see' }]);
  if (deal.archived_at) throw invalid([{ field: 'deal_id', message: 'names an archived deal; restore it first' }]);
  if (deal.company_id && deal.company_id !== companyId) throw invalid([{ field: 'deal_id', message: 'is a deal of another company' }]);
  if (deal.lead_id && deal.lead_id !== leadId) throw invalid([{ field: 'deal_id', message: 'came from another lead' }]);
  const changes = { ...(deal.company_id ? {} : { company_id: companyId }), ...(deal.lead_id ? {} : { lead_id: leadId }) };
  return Object.keys(changes).length ? applyUpdate(ctx, dealsRes(), dealId, changes, { operation: OP }) : deal;
}

/**
 * Converts a qualified lead, in one transaction: creates or links its company, creates or
 * links its contact, optionally creates a deal, and records on the lead where it went
 * (`converted_at`, `converted_to_account_id`, `converted_contact_id`, `converted_deal_id`,
 * and `company_id`) as it moves to `converted`. Only a `qualified` lead converts; any other is
 * refused with its allowed moves. Any failure (an invalid deal, a refused stage) undoes it all.
 *
 * - Company: `company_id` links that company (one the caller can see); otherwise a matching
 *   company is linked (see findCompany; `match_company: false` skips matching) and a new one
 *   is created from the lead only when none matches: name, website, industry, size and
 *   source from the lead, `company` fields over them, status `contacted` (a qualified lead
 *   has been spoken to), owned by the lead's assignee. A linked company is not changed.
 * - Contact: the person of the lead (first and last name, else the email's local part; email,
 *   phone, title; a decision maker when the latest qualification says so), `contact` fields
 *   over them; an existing contact of the company with the same email (else the same name)
 *   is linked instead. The contact of a newly created company is its primary contact.
 * - Deal (only when `deal` is given, `{}` for the defaults): at the company, from the lead,
 *   named after the company and the tier, its value and currency the qualified budget; or
 *   `deal_id` links an existing deal of that company (one the caller can see, from no other
 *   lead), which then records the lead it came from.
 */
export async function convertLead(ctx: Ctx, input: ConvertLeadInput) {
  if (input.deal_id && input.deal) {
    throw invalid([{ field: 'deal', message: 'give either deal_id (link that deal) or deal (fields for a new one), not both' }]);
  }
  if (input.company_id && input.company) {
    throw invalid([{ field: 'company', message: 'give either company_id (link that company) or company (fields for a new one), not both' }]);
  }
  for (const [part, fields] of [['contact', ['company_id']], ['deal', ['company_id', 'lead_id']]] as const) {
    const given = input[part];
    for (const f of fields) {
      if (given && f in given) throw invalid([{ field: `${part}.${f}`, message: 'is set by the conversion' }]);
    }
  }
  return withTx(ctx, async (tx) => {
    const lead = await lockLead(tx, input.id, input.expected_version);
    if (lead.status !== 'qualified') {
      const stage = (await stagesOf(tx, 'lead')).find((s) => s.key === lead.status);
      const allowed = stage?.next_statuses ?? [];
      const list = allowed.length ? allowed.join(', ') : 'none (it is final)';
      const message = `only a qualified lead can be converted; this lead is ${lead.status}; allowed next: ${list}`;
      throw new AppError('CONFLICT', `status: ${message}`, {
        details: { fields: [{ field: 'status', message }], from: lead.status, to: 'converted', allowed },
      });
    }
    const qualification = await latestQualification(tx, lead.id);
    const owner = lead.assigned_to ? { owner_id: lead.assigned_to } : {};

    // Every payload is validated before anything is written.
    const companyName = typeof input.company?.name === 'string' ? input.company.name : lead.company_name;
    const companyValues = blank(companyName)
      ? undefined
      : await nested('company', () =>
          validateCreate(companiesRes(), {
            name: companyName!.trim(),
            ...(lead.company_website ? { website: lead.company_website } : {}),
            ...(lead.industry ? { industry: lead.industry } : {}),
            ...(lead.company_size ? { size: lead.company_size } : {}),
            source: companySource(lead.source),
            status: 'contacted',
            ...input.company,
          }),
        );
    const name = personName(lead) || (lead.email ? lead.email.split('@')[0]! : '');
    const contactValues = await nested('contact', () =>
      validateCreate(contactsRes(), {
        ...(name ? { name } : {}),
        ...(lead.first_name ? { first_name: lead.first_name } : {}),
        ...(lead.last_name ? { last_name: lead.last_name } : {}),
        ...(lead.email ? { email: lead.email } : {}),
        ...(lead.phone ? { phone: lead.phone } : {}),
        ...(lead.contact_title ? { role_title: lead.contact_title } : {}),
        ...(qualification?.decision_maker ? { is_decision_maker: true } : {}),
        ...input.contact,
      }),
    );
    const dealValues = input.deal
      ? await nested('deal', () =>
          validateCreate(dealsRes(), {
            name: 'placeholder',
            ...(qualification?.budget_amount ? { value: qualification.budget_amount, currency: qualification.currency } : {}),
            ...input.deal,
          }),
        )
      : undefined;

    // Company: the one named, else a match the caller can see, else a new one.
    let company: Row;
    let matchedBy: CompanyMatch | null = null;
    if (input.company_id) {
      const row = await fetchRow(tx, companiesRes(), input.company_id);
      if (!row) throw invalid([{ field: 'company_id', message: 'does not name a company that you can see' }]);
      if (row.archived_at) throw invalid([{ field: 'company_id', message: 'names an archived company; restore it first' }]);
      company = row;
      matchedBy = 'company_id';
    } else {
      const match = input.match_company === false ? undefined : await findCompany(tx, lead, companyName ?? null, companyValues?.website);
      if (match) {
        company = match.row;
        matchedBy = match.by;
      } else if (companyValues) {
        company = await nested('company', () => insertRecord(tx, companiesRes(), { ...companyValues, ...owner }, OP));
      } else {
        throw invalid([{ field: 'company.name', message: 'is required: the lead has no company_name and matches no company; give company.name or company_id' }]);
      }
    }
    const companyCreated = matchedBy === null;
    const companyId = company.id as string;

    // Contact: the company's contact with the lead's email (or name), else a new one.
    const existingContact = await findContact(tx, companyId, contactValues);
    const contact =
      existingContact ??
      (await nested('contact', () =>
        insertRecord(tx, contactsRes(), { ...contactValues, company_id: companyId, ...(companyCreated ? { is_primary: true } : {}), ...owner }, OP),
      ));
    if (companyCreated) {
      company = await applyUpdate(tx, companiesRes(), companyId, { primary_contact_id: contact.id }, { operation: OP });
    }

    // Deal, when asked for: an existing one of the company linked, or a new one.
    const deal = input.deal_id
      ? await linkDeal(tx, input.deal_id, companyId, lead.id)
      : dealValues
      ? await nested('deal', () =>
          insertRecord(
            tx,
            dealsRes(),
            {
              ...dealValues,
              name: input.deal && 'name' in input.deal ? dealValues.name : `${String(company.name)} — ${lead.tier ?? 'new business'}`,
              company_id: companyId,
              lead_id: lead.id,
              ...owner,
            },
            OP,
          ),
        )
      : null;

    const converted = await applyUpdate(
      tx,
      leadsRes(),
      lead.id,
      {
        status: 'converted',
        company_id: companyId,
        converted_at: tx.now(),
        converted_to_account_id: companyId,
        converted_contact_id: contact.id,
        converted_deal_id: deal?.id ?? null,
      },
      { operation: OP },
    );
    return {
      lead: converted,
      company,
      company_created: companyCreated,
      company_matched_by: matchedBy,
      contact,
      contact_created: !existingContact,
      deal,
    };
  });
}
