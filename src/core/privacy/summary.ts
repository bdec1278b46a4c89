/**
 * The privacy page's facts about one subject: who they are, how many rows of each table hold
 * something about them (the footprint, counted), and the evidence of what was done about their
 * data: every access export, erasure and consent change, from the audit log, newest first.
 * What an administrator needs to answer a data-protection request and show that it was.
 */
import { and, count, desc, eq, inArray, or, sql } from 'drizzle-orm';
import { z } from 'zod';
import { audit_log } from '../../db/schema/platform.ts';
import { consents } from '../../db/schema/privacy.ts';
import { companies, contacts, leads } from '../../db/schema/sales.ts';
import { withTx, type Ctx } from '../context.ts';
import type { Operation } from '../registry.ts';
import { resolveIdentity } from './access-export.ts';
import { ACCESS_EXPORT_AUDIT_TABLE, FOOTPRINT, matchesNothing, type Subject, type SubjectKind } from './footprint.ts';

/** Audit rows shown as the subject's privacy history, at most. */
export const HISTORY_LIMIT = 100;

export const PrivacySummary = z.object({
  subject: z.object({ kind: z.enum(['contact', 'lead', 'company']), id: z.string() }),
  label: z.string().describe("the subject's name as stored now ('Erased person' once erased)"),
  erased_at: z.string().nullable(),
  archived_at: z.string().nullable(),
  people: z.object({ contact_ids: z.array(z.string()), lead_ids: z.array(z.string()), company_ids: z.array(z.string()) }),
  tables: z.record(z.string(), z.number().int()).describe('rows about the subject in each table of the footprint (every table listed)'),
  total_rows: z.number().int(),
  history: z
    .array(
      z.object({
        at: z.string(),
        action: z.string().describe('export, erase, or create / update of a consent'),
        table: z.string(),
        record_id: z.string().nullable(),
        operation: z.string().nullable(),
        by: z.string().nullable().describe('who did it'),
        detail: z.record(z.string(), z.unknown()).nullable().describe('what the audit row holds (never the erased data)'),
      }),
    )
    .describe(`access exports, erasures and consent changes, newest first (at most ${HISTORY_LIMIT})`),
});
export type PrivacySummary = z.infer<typeof PrivacySummary>;

const OWN_TABLE = { contact: contacts, lead: leads, company: companies } as const;
const iso = (d: Date | null) => (d ? d.toISOString() : null);

export async function privacySummary(ctx: Ctx, subject: Subject): Promise<PrivacySummary> {
  return withTx(
    ctx,
    async (tx) => {
      const { identity, label } = await resolveIdentity(tx, subject);
      const own = OWN_TABLE[subject.kind];
      const [state] = await tx.db.select({ erased_at: own.erased_at, archived_at: own.archived_at }).from(own).where(eq(own.id, subject.id));
      const tables: Record<string, number> = {};
      for (const entry of FOOTPRINT) {
        const where = entry.rows(identity);
        tables[entry.table] = matchesNothing(where) ? 0 : Number((await tx.db.select({ n: count() }).from(entry.source).where(where))[0]?.n ?? 0);
      }
      const subjectIds = [...identity.companyIds, ...identity.contactIds, ...identity.leadIds];
      const consentIds = (
        await tx.db
          .select({ id: consents.id })
          .from(consents)
          .where(or(...(identity.contactIds.length ? [inArray(consents.contact_id, identity.contactIds)] : []), ...(identity.leadIds.length ? [inArray(consents.lead_id, identity.leadIds)] : []), sql`false`))
      ).map((r) => r.id);
      // An erasure deleted the consents it found; its audit row names them, so their history stays evidence.
      const erased = await tx.db
        .select({ after: audit_log.after })
        .from(audit_log)
        .where(and(eq(audit_log.action, 'erase'), inArray(audit_log.record_id, subjectIds)));
      for (const e of erased) {
        const ids = (e.after as { consent_ids?: unknown } | null)?.consent_ids;
        if (Array.isArray(ids)) consentIds.push(...ids.filter((x): x is string => typeof x === 'string'));
      }
      const history = await tx.db
        .select({ at: audit_log.at, action: audit_log.action, table: audit_log.table_name, record_id: audit_log.record_id, operation: audit_log.operation, by: audit_log.actor_label, detail: audit_log.after })
        .from(audit_log)
        .where(
          or(
            and(eq(audit_log.table_name, ACCESS_EXPORT_AUDIT_TABLE), inArray(audit_log.record_id, subjectIds)),
            and(eq(audit_log.action, 'erase'), inArray(audit_log.record_id, subjectIds)),
            ...(consentIds.length ? [and(eq(audit_log.table_name, 'consents'), inArray(audit_log.record_id, consentIds))] : []),
          ),
        )
        .orderBy(desc(audit_log.at), desc(audit_log.id))
        .limit(HISTORY_LIMIT);
      return {
        subject,
        label: state?.erased_at ? (subject.kind === 'company' ? 'Erased company' : 'Erased person') : label,
        erased_at: iso(state?.erased_at ?? null),
        archived_at: iso(state?.archived_at ?? null),
        people: { contact_ids: identity.contactIds, lead_ids: identity.leadIds, company_ids: identity.companyIds },
        tables,
        total_rows: Object.values(tables).reduce((a, b) => a + b, 0),
        history: history.map((h) => ({ ...h, at: h.at.toISOString(), detail: (h.detail as Record<string, unknown> | null) ?? null })),
      };
    },
    { isolationLevel: 'repeatable read' },
  );
}

const IdInput = z.strictObject({ id: z.string().max(200) });
const TABLE: Record<SubjectKind, string> = { contact: 'contacts', lead: 'leads', company: 'companies' };

export const summaryOperation = (kind: SubjectKind): Operation<z.infer<typeof IdInput>> => ({
  name: `privacy.summary_${kind}`,
  summary: `What is held about a ${kind}, and what was done about it`,
  description: `For the privacy page: how many rows of each table hold something about the ${kind}${kind === 'company' ? ' and its people' : ''} (the same tables the access export and the erasure cover), whether it was erased, and the evidence of every access export, erasure and consent change (who, when, what; from the audit log, newest first). Administrators only.`,
  tag: 'privacy',
  scope: 'admin',
  destructive: false,
  kind: 'action',
  input: IdInput,
  output: PrivacySummary,
  http: { method: 'get', path: `/api/v1/${TABLE[kind]}/{id}/privacy` },
  run: (ctx, input) => privacySummary(ctx, { kind, id: input.id }),
});
