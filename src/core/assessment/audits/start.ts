/** Seed 000 step 5: start the audit, and the audit still open for a company. */
import { sql } from 'drizzle-orm';
import { localDate, withTx, type Ctx } from '../../context.ts';
import { notFound, type FieldError } from '../../errors.ts';
import { applyUpdate, fetchRow, insertRecord, type Row } from '../../resource.ts';
import { assertNotFuture, auditsRes, companiesRes, conflict, throwIfAny } from './shared.ts';

/**
 * The audit that is still open for a company: unarchived, and no (unarchived) go or no_go
 * decision made on it yet (a `conditional` decision leaves it open).
 */
export async function openAudit(ctx: Ctx, companyId: string): Promise<Row | undefined> {
  const r = (await ctx.db.execute(sql`
    select a.id, a.audit_date::text as audit_date from audits a
    where a.company_id = ${companyId}::uuid and a.archived_at is null
      and not exists (select 1 from go_no_go_decisions g where g.audit_id = a.id and g.archived_at is null and g.decision in ('go', 'no_go'))
    order by a.created_at desc, a.id desc limit 1`)) as unknown as { rows: Row[] };
  return r.rows[0];
}

async function orgChartSize(ctx: Ctx, companyId: string): Promise<number> {
  const r = (await ctx.db.execute(sql`
    select count(*)::int as n from contacts where company_id = ${companyId}::uuid and archived_at is null and is_active`)) as unknown as { rows: { n: number }[] };
  return r.rows[0]?.n ?? 0;
}

export type StartAuditInput = { id: string; audit_date?: string | undefined; org_chart_received?: boolean | undefined; notes?: string | undefined };

const START = 'assessment.start_audit';

/**
 * Creates the company's audit and moves the company meeting_complete → auditing, in one
 * transaction. Refuses a company that is not at meeting_complete or that has an open audit.
 */
export async function startAudit(ctx: Ctx, input: StartAuditInput) {
  const errors: FieldError[] = [];
  assertNotFuture(ctx, 'audit_date', input.audit_date, errors);
  throwIfAny(errors, 'audit');
  return withTx(ctx, async (tx) => {
    // Locked first, so two starts for one company cannot both pass the checks.
    const company = await fetchRow(tx, companiesRes(), input.id, true);
    if (!company || company.archived_at) throw notFound('company', input.id);
    if (company.status !== 'meeting_complete') {
      throw conflict(`status: company ${String(company.id)} is at ${String(company.status)}; an audit starts once the first meeting is complete (meeting_complete)`, {
        fields: [{ field: 'status', message: `is ${String(company.status)}, not meeting_complete` }],
        company_status: company.status,
        required: 'meeting_complete',
      });
    }
    const open = await openAudit(tx, company.id as string);
    if (open) {
      throw conflict(`company ${String(company.id)} already has an open audit (${String(open.id)}, started ${String(open.audit_date ?? 'undated')}); decide go or no-go on it, or archive it, first`, {
        open_audit_id: open.id,
      });
    }
    const chart = await orgChartSize(tx, company.id as string);
    const audit = await insertRecord(tx, auditsRes(), {
      company_id: company.id,
      audit_date: input.audit_date ?? localDate(tx),
      org_chart_received: input.org_chart_received ?? false,
      // team_size follows the rule of refreshAudit from the start: the org chart, if there is one yet.
      ...(chart > 0 ? { team_size: chart } : {}),
      ...(input.notes !== undefined ? { notes: input.notes } : {}),
    }, START);
    await applyUpdate(tx, companiesRes(), company.id as string, { status: 'auditing' }, { operation: START });
    return { audit, company_status_change: { from: 'meeting_complete', to: 'auditing' } };
  });
}
