/**
 * Consent (issue 11): what a person agreed to, when and how, and its withdrawal, with the
 * rules other modules enforce through the SQL conditions exported here.
 *
 * - The person: a contact plus the leads converted into it, or a lead plus the contact it
 *   became (and so that contact's other converted leads: they are the same human). A consent
 *   recorded on any of those records counts for all of them, and a withdrawal ends every grant
 *   in force across them.
 * - `marketing_email` is opt-in: marketing mail and campaign targeting need a grant in force.
 *   `survey` and `usage_tracking` belong to the client engagement: allowed unless the person
 *   withdrew (a withdrawn row and no grant in force). Withdrawing one of those with no grant
 *   on record stores the withdrawal as a zero-length period (granted and withdrawn at the same
 *   instant, its evidence saying so), since a row needs both ends.
 * - Withdrawal takes effect at once, in its own transaction: for marketing email every queued
 *   marketing mail (pending or failed) to any of the person's addresses is cancelled; the email
 *   drain checks again just before it sends (hasMarketingConsentForAddresses).
 * - Every operation on one person locks one row (the contact, or the lead when it has no
 *   contact), so concurrent grants and withdrawals for a person queue up; the partial unique
 *   indexes keep one grant in force per record and purpose whatever happens.
 */
import { sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { CONSENT_METHODS, CONSENT_PURPOSES, consents, type ConsentMethod, type ConsentPurpose } from '../../db/schema/privacy.ts';
import { queryRows, withTx, type Ctx } from '../context.ts';
import { invalid, notFound, type FieldError } from '../errors.ts';
import { isUuid } from '../fields.ts';
import { actingUserId } from '../identity/roles.ts';
import { writeAudit } from '../platform/audit.ts';
import { parseAddress } from '../platform/email.ts';
import { fetchRow, getRecord, type Row } from '../resource.ts';
import { resource } from '../resources.ts';
import { uuidArray } from '../sql-arrays.ts';
import { resolveIdentity } from './access-export.ts';
import { queuedTo } from './footprint.ts';

export { CONSENT_METHODS, CONSENT_PURPOSES, type ConsentMethod, type ConsentPurpose };

export type SubjectKind = 'contact' | 'lead';

/** Purposes a person has unless they withdraw; the others (marketing email) need a grant. */
export const OPT_OUT_PURPOSES: readonly ConsentPurpose[] = ['survey', 'usage_tracking'];

export const MAX_EVIDENCE = 2000;
export const WITHDRAWN_EMAIL_ERROR = 'The recipient withdrew consent to marketing email';

// ---------------------------------------------------------------------------
// SQL conditions other modules use

/**
 * The contacts (`contact`) or leads (`lead`) whose person has a consents row matching `rows`
 * (a condition on the consents row `ck`): an uncorrelated subquery, worked out once per
 * statement however many records it is tested against.
 */
function personIds(kind: SubjectKind, rows: SQL): SQL {
  const contactIds = sql`select ck.contact_id from consents ck where ${rows} and ck.contact_id is not null
    union select cl.converted_contact_id from consents ck join leads cl on cl.id = ck.lead_id where ${rows} and cl.converted_contact_id is not null`;
  if (kind === 'contact') return contactIds;
  return sql`select ck.lead_id from consents ck where ${rows} and ck.lead_id is not null
    union select cl.id from leads cl where cl.converted_contact_id in (${contactIds})`;
}

const inForce = (purpose: ConsentPurpose) => sql`ck.purpose = ${purpose} and ck.withdrawn_at is null`;
const withdrawnRow = (purpose: ConsentPurpose) => sql`ck.purpose = ${purpose} and ck.withdrawn_at is not null`;

/** True for a contact or lead (its id in `idColumn`) whose person has a grant in force for `purpose`. */
export const consentInForceSql = (purpose: ConsentPurpose, kind: SubjectKind, idColumn: SQL): SQL =>
  sql`(${idColumn} in (${personIds(kind, inForce(purpose))}))`;

/** True for a contact or lead (its id in `idColumn`) whose person may be sent marketing email or targeted by a campaign. */
export const marketingConsentSql = (kind: SubjectKind, idColumn: SQL): SQL => consentInForceSql('marketing_email', kind, idColumn);

/** True for a contact or lead whose person withdrew `purpose` and has no grant of it in force (surveys, usage tracking). */
export const consentWithdrawnSql = (purpose: ConsentPurpose, kind: SubjectKind, idColumn: SQL): SQL =>
  sql`(${idColumn} in (${personIds(kind, withdrawnRow(purpose))}) and not ${consentInForceSql(purpose, kind, idColumn)})`;

/** Of the contacts given, those who withdrew `purpose` (and have no grant of it in force). */
export async function contactsWithdrawn(ctx: Ctx, purpose: ConsentPurpose, contactIds: string[]): Promise<Set<string>> {
  const ids = [...new Set(contactIds.filter(isUuid).map((i) => i.toLowerCase()))];
  if (!ids.length) return new Set();
  const rows = await queryRows<{ id: string }>(
    ctx,
    sql`select c.id from contacts c where c.id = any(${uuidArray(ids)}) and ${consentWithdrawnSql(purpose, 'contact', sql`c.id`)}`,
  );
  return new Set(rows.map((r) => r.id));
}

/** The bare address of a recipient as queued (`Name <a@b>` or `a@b`), lower-cased; null when it is not one. */
export function recipientAddress(raw: string): string | null {
  const a = parseAddress(raw);
  return typeof a === 'string' ? null : a.address.toLowerCase();
}

/** Of these recipients (as queued), the addresses of which no contact or lead has marketing consent in force. */
export async function addressesWithoutMarketingConsent(ctx: Ctx, recipients: readonly string[]): Promise<string[]> {
  const addresses = [...new Set(recipients.map((r) => recipientAddress(r) ?? String(r).toLowerCase()))];
  if (!addresses.length) return [];
  const rows = await queryRows<{ address: string }>(
    ctx,
    sql`select a.address from jsonb_array_elements_text(${JSON.stringify(addresses)}::jsonb) as a(address)
        where not exists (select 1 from contacts c where lower(c.email) = a.address and ${marketingConsentSql('contact', sql`c.id`)})
          and not exists (select 1 from leads l where lower(l.email) = a.address and ${marketingConsentSql('lead', sql`l.id`)})`,
  );
  return rows.map((r) => r.address);
}

/** Whether every recipient (as queued) is a contact or lead whose marketing consent is in force: the email drain's check. */
export async function hasMarketingConsentForAddresses(ctx: Ctx, recipients: readonly string[]): Promise<boolean> {
  if (!recipients.length) return false;
  return (await addressesWithoutMarketingConsent(ctx, recipients)).length === 0;
}

// ---------------------------------------------------------------------------
// The person

export type Person = {
  /** The contact of the person, when there is one. */
  contactId: string | null;
  leadIds: string[];
  /** Every email address of the person's records, lower-cased. */
  emails: string[];
};

/**
 * The person a visible contact or lead belongs to, as the access export and erasure see them
 * (resolveIdentity); with `lock`, the row that serialises every consent change of theirs is locked.
 */
async function personOf(ctx: Ctx, kind: SubjectKind, subject: Row, lock: boolean): Promise<Person> {
  if (lock) {
    const contactId = kind === 'contact' ? (subject.id as string) : ((subject.converted_contact_id as string | null) ?? null);
    if (contactId) await queryRows(ctx, sql`select id from contacts where id = ${contactId}::uuid for update`);
    else await queryRows(ctx, sql`select id from leads where id = ${subject.id as string}::uuid for update`);
  }
  const { identity } = await resolveIdentity(ctx, { kind, id: subject.id as string });
  return { contactId: identity.contactIds[0] ?? null, leadIds: identity.leadIds, emails: identity.emails };
}

/** The consents rows (alias `ck`) of a person. */
const ofPerson = (p: Person): SQL =>
  p.contactId
    ? sql`(ck.contact_id = ${p.contactId}::uuid or ck.lead_id = any(${uuidArray(p.leadIds)}))`
    : sql`ck.lead_id = any(${uuidArray(p.leadIds)})`;

const TABLE: Record<SubjectKind, 'contacts' | 'leads'> = { contact: 'contacts', lead: 'leads' };

/** The contact or lead a write names, among those the caller can see, or a field error naming it. */
async function subjectFor(ctx: Ctx, input: { contact_id?: string | undefined; lead_id?: string | undefined }, lock: boolean): Promise<{ kind: SubjectKind; row: Row; person: Person }> {
  const given = [input.contact_id !== undefined, input.lead_id !== undefined].filter(Boolean).length;
  if (given !== 1) {
    throw invalid([{ field: 'contact_id', message: given ? 'give either contact_id or lead_id, not both' : 'give the contact_id or the lead_id of the person' }]);
  }
  const kind: SubjectKind = input.contact_id !== undefined ? 'contact' : 'lead';
  const id = (input.contact_id ?? input.lead_id)!;
  const field = `${kind}_id`;
  if (!isUuid(id)) throw invalid([{ field, message: 'must be a UUID' }]);
  const row = await fetchRow(ctx, resource(TABLE[kind]), id);
  if (!row) throw invalid([{ field, message: `does not name a ${kind} that you can see` }]);
  return { kind, row, person: await personOf(ctx, kind, row, lock) };
}

// ---------------------------------------------------------------------------
// Inputs

const uuidText = z.string({ message: 'must be a UUID' }).max(200, 'must be a UUID');
const optionalText = (max: number) => z.string({ message: 'must be text' }).trim().max(max, `must be at most ${max} characters`).optional();
const purpose = z.enum(CONSENT_PURPOSES, { message: `must be one of: ${CONSENT_PURPOSES.join(', ')}` });
const method = z.enum(CONSENT_METHODS, { message: `must be one of: ${CONSENT_METHODS.join(', ')}` });

export const RecordConsentInput = z.strictObject({
  contact_id: uuidText.optional().describe('the contact who agreed (give this or lead_id)'),
  lead_id: uuidText.optional().describe('the lead who agreed (give this or contact_id)'),
  purpose: purpose.describe('what they agreed to: marketing_email, survey or usage_tracking'),
  method: method.describe('how they agreed: form, email, in_person, phone or import'),
  evidence: optionalText(MAX_EVIDENCE).describe(`what they agreed to and where: the checkbox wording, the email's subject, who witnessed it (at most ${MAX_EVIDENCE} characters)`),
  granted_at: z.iso
    .datetime({ offset: true, message: 'must be an ISO date-time such as 2026-03-31T09:30:00Z' })
    .optional()
    .describe('when they agreed (not in the future; default now)'),
});
export type RecordConsentInput = z.infer<typeof RecordConsentInput>;

export const WithdrawConsentInput = z.strictObject({
  contact_id: uuidText.optional().describe('the contact who withdrew (give this or lead_id)'),
  lead_id: uuidText.optional().describe('the lead who withdrew (give this or contact_id)'),
  purpose: purpose.describe('what they no longer agree to'),
  method: method.describe('how they said so: form, email, in_person, phone or import'),
  note: optionalText(MAX_EVIDENCE).describe(`what they said, or where (at most ${MAX_EVIDENCE} characters)`),
});
export type WithdrawConsentInput = z.infer<typeof WithdrawConsentInput>;

// ---------------------------------------------------------------------------
// Verbs

export type ConsentRow = typeof consents.$inferSelect;

async function inForceRow(ctx: Ctx, person: Person, p: ConsentPurpose): Promise<ConsentRow | undefined> {
  const [row] = await queryRows<ConsentRow>(
    ctx,
    sql`select ck.* from consents ck where ${ofPerson(person)} and ${inForce(p)} order by ck.granted_at desc, ck.id limit 1`,
  );
  return row;
}

/** Reads timestamps the way Drizzle's own selects give them (raw queries answer strings on some drivers). */
const asRow = (r: ConsentRow): ConsentRow => {
  const out = { ...r } as Record<string, unknown>;
  for (const k of ['granted_at', 'withdrawn_at', 'created_at', 'updated_at']) {
    const v = out[k];
    if (v !== null && v !== undefined && !(v instanceof Date)) out[k] = new Date(String(v));
  }
  return out as ConsentRow;
};

export type RecordConsentResult = { created: boolean; consent: ConsentRow };

/**
 * Records that a person agreed to a purpose. When a grant of it is already in force for the
 * person (on any of their records), that grant is the answer (`created: false`): recording
 * twice changes nothing.
 */
export async function recordConsent(ctx: Ctx, input: RecordConsentInput, operation = 'consents.record'): Promise<RecordConsentResult> {
  const now = ctx.now();
  let grantedAt = now;
  if (input.granted_at !== undefined) {
    grantedAt = new Date(input.granted_at);
    if (Number.isNaN(grantedAt.getTime())) throw invalid([{ field: 'granted_at', message: 'must be an ISO date-time such as 2026-03-31T09:30:00Z' }]);
    if (grantedAt.getTime() > now.getTime()) throw invalid([{ field: 'granted_at', message: 'must not be in the future' }]);
  }
  return withTx(ctx, async (tx) => {
    const { kind, row, person } = await subjectFor(tx, input, true);
    const existing = await inForceRow(tx, person, input.purpose);
    if (existing) return { created: false, consent: asRow(existing) };
    const created = await insertConsent(tx, kind, row.id as string, operation, {
      purpose: input.purpose,
      granted_at: grantedAt,
      method: input.method,
      evidence: input.evidence ? input.evidence : null,
    });
    return { created: true, consent: created };
  });
}

/** A new consent row of the contact or lead, recorded by the actor now, and its audit row. */
async function insertConsent(
  tx: Ctx,
  kind: SubjectKind,
  id: string,
  operation: string,
  values: Pick<typeof consents.$inferInsert, 'purpose' | 'granted_at' | 'method' | 'evidence' | 'withdrawn_at' | 'withdrawal_method' | 'withdrawal_note' | 'withdrawn_by'>,
): Promise<ConsentRow> {
  const at = tx.now();
  const [created] = await tx.db
    .insert(consents)
    .values({
      contact_id: kind === 'contact' ? id : null,
      lead_id: kind === 'lead' ? id : null,
      recorded_by: actingUserId(tx.actor),
      created_at: at,
      updated_at: at,
      ...values,
    })
    .returning();
  await writeAudit(tx, { action: 'create', table: 'consents', recordId: created!.id, operation, after: created as unknown as Record<string, unknown> });
  return created!;
}

export type WithdrawConsentResult = {
  purpose: ConsentPurpose;
  /** Grants ended by this withdrawal (across the person's records). */
  withdrawn: number;
  /** Nothing was in force: the person had already withdrawn (or, for marketing email, never agreed). */
  already_withdrawn: boolean;
  /** Queued marketing emails to the person's addresses that will not be sent. */
  cancelled_emails: number;
  consents: ConsentRow[];
};

/**
 * Withdraws a person's consent to a purpose at once: every grant of it in force across the
 * person's records is stamped, and for marketing email every queued marketing mail (pending or
 * failed) to any of their addresses is cancelled, in the same transaction.
 */
export async function withdrawConsent(ctx: Ctx, input: WithdrawConsentInput, operation = 'consents.withdraw'): Promise<WithdrawConsentResult> {
  return withTx(ctx, async (tx) => {
    const { kind, row, person } = await subjectFor(tx, input, true);
    const now = tx.now();
    const by = actingUserId(tx.actor);
    const note = input.note ? input.note : null;
    const ended = (
      await queryRows<ConsentRow>(
        tx,
        sql`update consents ck set withdrawn_at = ${now.toISOString()}::timestamptz, withdrawal_method = ${input.method}, withdrawal_note = ${note},
              withdrawn_by = ${by}::uuid, updated_at = ${now.toISOString()}::timestamptz
            where ${ofPerson(person)} and ${inForce(input.purpose)}
            returning ck.*`,
      )
    ).map(asRow);
    for (const c of ended) {
      await writeAudit(tx, {
        action: 'update',
        table: 'consents',
        recordId: c.id,
        operation,
        before: { withdrawn_at: null, withdrawal_method: null, withdrawal_note: null, withdrawn_by: null },
        // The purpose with it, so the evidence says what was withdrawn without looking the grant up.
        after: { purpose: c.purpose, withdrawn_at: c.withdrawn_at, withdrawal_method: c.withdrawal_method, withdrawal_note: c.withdrawal_note, withdrawn_by: c.withdrawn_by },
      });
    }
    const changed = [...ended];
    let already = ended.length === 0;
    if (!ended.length && OPT_OUT_PURPOSES.includes(input.purpose)) {
      const [before] = await queryRows<{ id: string }>(tx, sql`select ck.id from consents ck where ${ofPerson(person)} and ${withdrawnRow(input.purpose)} limit 1`);
      if (!before) {
        // Taking part was implied by the engagement; the withdrawal is kept as a period that ends as it starts.
        const created = await insertConsent(tx, kind, row.id as string, operation, {
          purpose: input.purpose,
          granted_at: now,
          method: input.method,
          evidence: 'No grant was recorded: taking part was part of the client engagement until this withdrawal',
          withdrawn_at: now,
          withdrawal_method: input.method,
          withdrawal_note: note,
          withdrawn_by: by,
        });
        changed.push(created);
        already = false;
      }
    }
    let cancelled = 0;
    if (input.purpose === 'marketing_email') cancelled = await cancelMarketingEmails(tx, person.emails, operation);
    return { purpose: input.purpose, withdrawn: changed.length, already_withdrawn: already, cancelled_emails: cancelled, consents: changed };
  });
}

/** Cancels every queued (pending or failed) marketing email to any of these addresses; answers how many. */
export async function cancelMarketingEmails(ctx: Ctx, emails: string[], operation: string): Promise<number> {
  if (!emails.length) return 0;
  const now = ctx.now().toISOString();
  const rows = await queryRows<{ id: string }>(
    ctx,
    sql`update email_queue set status = 'cancelled', error = ${WITHDRAWN_EMAIL_ERROR}, next_attempt_at = null, updated_at = ${now}::timestamptz
        where purpose = 'marketing_email' and status in ('pending', 'failed') and ${queuedTo(emails)}
        returning id`,
  );
  if (rows.length) {
    await writeAudit(ctx, {
      action: 'update',
      table: 'email_queue',
      operation,
      before: { status: 'pending or failed', count: rows.length },
      after: { status: 'cancelled', error: WITHDRAWN_EMAIL_ERROR, ids: rows.map((r) => r.id) },
    });
  }
  return rows.length;
}

export type PurposeStatus = {
  purpose: ConsentPurpose;
  /** A grant is in force. */
  in_force: boolean;
  /** What the rules allow now: marketing email only with a grant in force; surveys and usage tracking unless withdrawn. */
  allowed: boolean;
  /** The grant in force: since when, how, what was agreed. */
  since: Date | null;
  method: ConsentMethod | null;
  evidence: string | null;
  consent_id: string | null;
  /** The latest withdrawal, when nothing is in force. */
  withdrawn_at: Date | null;
  withdrawal_method: ConsentMethod | null;
  /** Every grant of the purpose across the person's records, newest first. */
  history: ConsentRow[];
};

export type ConsentStatus = {
  subject: { kind: SubjectKind; id: string };
  person: { contact_id: string | null; lead_ids: string[] };
  purposes: PurposeStatus[];
};

/** What a visible contact or lead (and the rest of their person) agreed to, per purpose, with the history. */
export async function consentStatus(ctx: Ctx, kind: SubjectKind, id: string): Promise<ConsentStatus> {
  if (!isUuid(id)) throw notFound(kind, id);
  const subject = await getRecord(ctx, resource(TABLE[kind]), id);
  const person = await personOf(ctx, kind, subject, false);
  const rows = (
    await queryRows<ConsentRow>(ctx, sql`select ck.* from consents ck where ${ofPerson(person)} order by ck.granted_at desc, ck.created_at desc, ck.id`)
  ).map(asRow);
  const purposes = CONSENT_PURPOSES.map((p): PurposeStatus => {
    const history = rows.filter((r) => r.purpose === p);
    const current = history.find((r) => r.withdrawn_at === null);
    const lastWithdrawal = current ? undefined : [...history].sort((a, b) => b.withdrawn_at!.getTime() - a.withdrawn_at!.getTime())[0];
    return {
      purpose: p,
      in_force: current !== undefined,
      allowed: current !== undefined || (OPT_OUT_PURPOSES.includes(p) && lastWithdrawal === undefined),
      since: current?.granted_at ?? null,
      method: current?.method ?? null,
      evidence: current?.evidence ?? null,
      consent_id: current?.id ?? null,
      withdrawn_at: lastWithdrawal?.withdrawn_at ?? null,
      withdrawal_method: lastWithdrawal?.withdrawal_method ?? null,
      history,
    };
  });
  return { subject: { kind, id: subject.id as string }, person: { contact_id: person.contactId, lead_ids: person.leadIds }, purposes };
}

/** Refuses survey answers for contacts who withdrew survey consent: the field errors, one per such contact (`field(i)` names it). */
export async function surveyRefusals(ctx: Ctx, contactIds: (string | null | undefined)[], field: (i: number) => string): Promise<FieldError[]> {
  const withdrawn = await contactsWithdrawn(ctx, 'survey', contactIds.filter((c): c is string => typeof c === 'string'));
  const out: FieldError[] = [];
  contactIds.forEach((c, i) => {
    if (typeof c === 'string' && withdrawn.has(c.toLowerCase())) out.push({ field: field(i), message: 'has withdrawn consent to surveys: no survey answers are recorded for them' });
  });
  return out;
}

/** Throws VALIDATION when any survey answer names a contact who withdrew survey consent. */
export async function assertSurveyAllowed(ctx: Ctx, contactIds: (string | null | undefined)[], field: (i: number) => string): Promise<void> {
  const refused = await surveyRefusals(ctx, contactIds, field);
  if (refused.length) throw invalid(refused);
}
