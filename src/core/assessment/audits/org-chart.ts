/** Seed 000 step 5: import the owner's org chart as the company's contacts. */
import { and, eq, isNull } from 'drizzle-orm';
import { contacts } from '../../../db/schema/sales.ts';
import { withTx, type Ctx } from '../../context.ts';
import { AppError, invalid, notFound, type FieldError } from '../../errors.ts';
import { sameValue } from '../../platform/audit.ts';
import { applyUpdate, fetchRow, insertRecord, validateCreate, type Row } from '../../resource.ts';
import { refreshAudit } from './derivation.ts';
import { companiesRes, contactsRes, throwIfAny } from './shared.ts';
import { openAudit } from './start.ts';

export type ImportOrgChartInput = { id: string; people: Record<string, unknown>[] };
export const MAX_ORG_CHART = 2000;

const IMPORT = 'assessment.import_org_chart';
const lower = (v: unknown) => (typeof v === 'string' ? v.trim().toLowerCase() : '');

type Planned = { index: number; values: Row; match?: Row };

/**
 * Imports the owner's org chart as the company's contacts in one transaction. Each person
 * is matched within the company by email (case-insensitive), else by name
 * (case-insensitive); a match is updated with the fields given (a blank email never erases
 * a known one; a name or email differing only in case is kept as stored), anything else is created. A person without an email gets has_email false.
 * Any field error (`people[3].email`) refuses the whole list.
 */
export async function importOrgChart(ctx: Ctx, input: ImportOrgChartInput) {
  if (input.people.length === 0) throw invalid([{ field: 'people', message: 'must list at least one person' }]);
  if (input.people.length > MAX_ORG_CHART) throw new AppError('LIMIT_EXCEEDED', `at most ${MAX_ORG_CHART} people per org chart; split the list`);
  const errors: FieldError[] = [];
  const planned: Planned[] = [];
  input.people.forEach((raw, i) => {
    const p: Row = { ...raw };
    const at = `people[${i}]`;
    for (const alias of ['role', 'title'] as const) {
      if (alias in p) {
        if ('role_title' in p) errors.push({ field: `${at}.${alias}`, message: 'give role_title or role, not both' });
        else p.role_title = p[alias];
        delete p[alias];
      }
    }
    if ('company_id' in p) {
      errors.push({ field: `${at}.company_id`, message: 'is this company; leave it out' });
      delete p.company_id;
    }
    if (p.email === null || (typeof p.email === 'string' && p.email.trim() === '')) delete p.email;
    try {
      planned.push({ index: i, values: validateCreate(contactsRes(), p) });
    } catch (e) {
      if (!(e instanceof AppError) || !e.details.fields) throw e;
      for (const f of e.details.fields) errors.push({ field: `${at}.${f.field === 'body' ? 'person' : f.field}`, message: f.message });
    }
  });
  // The same person twice in one list is a mistake in the list, not two people.
  const seenEmail = new Map<string, number>();
  const seenName = new Map<string, number>();
  for (const p of planned) {
    const email = lower(p.values.email);
    const name = lower(p.values.name);
    if (email) {
      const first = seenEmail.get(email);
      if (first !== undefined) errors.push({ field: `people[${p.index}].email`, message: `is also people[${first}].email` });
      else seenEmail.set(email, p.index);
    }
    const first = seenName.get(name);
    if (first !== undefined && !email) {
      errors.push({ field: `people[${p.index}].name`, message: `is also people[${first}].name; give an email to tell them apart` });
    }
    if (first === undefined) seenName.set(name, p.index);
  }
  throwIfAny(errors, 'org chart');

  return withTx(ctx, async (tx) => {
    const company = await fetchRow(tx, companiesRes(), input.id, true);
    if (!company || company.archived_at) throw notFound('company', input.id);
    const existing = (await tx.db
      .select()
      .from(contacts)
      .where(and(eq(contacts.company_id, company.id as string), isNull(contacts.archived_at)))) as Row[];
    const byEmail = new Map<string, Row>();
    const byName = new Map<string, Row[]>();
    for (const c of existing) {
      if (lower(c.email)) byEmail.set(lower(c.email), c);
      byName.set(lower(c.name), [...(byName.get(lower(c.name)) ?? []), c]);
    }
    const claimed = new Map<string, number>();
    for (const p of planned) {
      let match = lower(p.values.email) ? byEmail.get(lower(p.values.email)) : undefined;
      if (!match) {
        const named = byName.get(lower(p.values.name)) ?? [];
        if (named.length > 1) {
          errors.push({ field: `people[${p.index}].name`, message: `matches ${named.length} contacts of this company; give their email` });
          continue;
        }
        match = named[0];
      }
      if (!match) continue;
      const other = claimed.get(match.id as string);
      if (other !== undefined) {
        errors.push({ field: `people[${p.index}]`, message: `is the same contact as people[${other}]` });
        continue;
      }
      claimed.set(match.id as string, p.index);
      p.match = match;
    }
    throwIfAny(errors, 'org chart');

    const people: { index: number; id: string; name: string; action: 'created' | 'updated' | 'unchanged' }[] = [];
    for (const p of planned) {
      if (!p.match) {
        const created = await insertRecord(tx, contactsRes(), { ...p.values, has_email: p.values.has_email ?? Boolean(p.values.email), company_id: company.id }, IMPORT);
        people.push({ index: p.index, id: created.id as string, name: created.name as string, action: 'created' });
        continue;
      }
      const current = p.match;
      const changes: Row = {};
      for (const [k, v] of Object.entries(p.values)) {
        // Matching ignores case, so a name or email that differs only in case is the same one: the stored spelling stays.
        if ((k === 'email' || k === 'name') && lower(v) === lower(current[k])) continue;
        if (!sameValue(current[k], v)) changes[k] = v;
      }
      // The org chart says this person has no email, and we know of none either.
      if (!p.values.email && !lower(current.email) && p.values.has_email === undefined && current.has_email !== false) changes.has_email = false;
      if (Object.keys(changes).length === 0) {
        people.push({ index: p.index, id: current.id as string, name: current.name as string, action: 'unchanged' });
        continue;
      }
      const updated = await applyUpdate(tx, contactsRes(), current.id as string, changes, { operation: IMPORT });
      people.push({ index: p.index, id: updated.id as string, name: updated.name as string, action: 'updated' });
    }
    const open = await openAudit(tx, company.id as string);
    const refreshed = open ? await refreshAudit(tx, open.id as string, IMPORT, { extra: { org_chart_received: true } }) : undefined;
    const ids = (a: string) => people.filter((p) => p.action === a).map((p) => p.id);
    return {
      company_id: company.id as string,
      created: ids('created').length,
      updated: ids('updated').length,
      unchanged: ids('unchanged').length,
      ids: { created: ids('created'), updated: ids('updated'), unchanged: ids('unchanged') },
      people,
      audit: refreshed?.audit ?? null,
    };
  });
}
