/**
 * Privacy (issue 11): what each person agreed to, and when they took it back.
 *
 * One row per grant. A withdrawal stamps `withdrawn_at` on the grant it ends, so the history
 * of a purpose reads as a list of periods; a later grant is a new row. At most one grant per
 * person and purpose is in force at a time (the partial unique indexes). A consent belongs to a
 * contact or to a lead, never both; a lead's consents count for the contact it is converted
 * into (core/privacy/consent.ts).
 */
import { sql } from 'drizzle-orm';
import { check, index, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { constraints, createdAt, notBefore, pk, tstz } from './columns.ts';
import { users } from './platform.ts';
import { contacts, leads } from './sales.ts';

/** What a person can agree to: marketing email (campaign mail), taking part in surveys, and per-person AI usage tracking. */
export const CONSENT_PURPOSES = ['marketing_email', 'survey', 'usage_tracking'] as const;
export type ConsentPurpose = (typeof CONSENT_PURPOSES)[number];
/** How the agreement (or its withdrawal) was given. */
export const CONSENT_METHODS = ['form', 'email', 'in_person', 'phone', 'import'] as const;
export type ConsentMethod = (typeof CONSENT_METHODS)[number];

export const consents = pgTable(
  'consents',
  {
    id: pk(),
    contact_id: uuid().references(() => contacts.id, { onDelete: 'cascade' }),
    lead_id: uuid().references(() => leads.id, { onDelete: 'cascade' }),
    purpose: text({ enum: CONSENT_PURPOSES }).notNull(),
    granted_at: tstz().notNull(),
    method: text({ enum: CONSENT_METHODS }).notNull(),
    /** What the person agreed to and where: the wording of the checkbox, the email's subject, who witnessed it. */
    evidence: text(),
    recorded_by: uuid().references(() => users.id, { onDelete: 'set null' }),
    withdrawn_at: tstz(),
    withdrawal_method: text({ enum: CONSENT_METHODS }),
    withdrawal_note: text(),
    withdrawn_by: uuid().references(() => users.id, { onDelete: 'set null' }),
    created_at: createdAt(),
    updated_at: tstz().notNull().defaultNow(),
  },
  (t) => [
    index('consents_contact_idx').on(t.contact_id, t.purpose),
    index('consents_lead_idx').on(t.lead_id, t.purpose),
    uniqueIndex('consents_contact_active_key').on(t.contact_id, t.purpose).where(sql`${t.withdrawn_at} is null and ${t.contact_id} is not null`),
    uniqueIndex('consents_lead_active_key').on(t.lead_id, t.purpose).where(sql`${t.withdrawn_at} is null and ${t.lead_id} is not null`),
    check('consents_subject_check', sql`num_nonnulls(${t.contact_id}, ${t.lead_id}) = 1`),
    check('consents_withdrawal_check', sql`(${t.withdrawn_at} is null) = (${t.withdrawal_method} is null)`),
    ...constraints('consents', t, { withdrawn_at: notBefore(t.granted_at) }),
  ],
);
