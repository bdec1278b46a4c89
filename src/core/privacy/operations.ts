/**
 * The access request and the erasure on every surface: one operation of each per kind of
 * subject, under the record's own path (GET /api/v1/contacts/{id}/access_export, POST
 * /api/v1/contacts/{id}/erase, …). Admin-only, and `sensitive`: an export reveals everything
 * about a person and an erasure cannot be undone, so an agent must confirm either.
 */
import { z } from 'zod';
import type { Operation } from '../registry.ts';
import { exportPerson } from './access-export.ts';
import { eraseSubject } from './erasure.ts';
import { summaryOperation } from './summary.ts';
import type { SubjectKind } from './footprint.ts';

const IdInput = z.strictObject({ id: z.string().max(200) });

const WHAT: Record<SubjectKind, { table: string; description: string }> = {
  contact: {
    table: 'contacts',
    description: 'and the leads converted into them: their interactions, notes, survey answers, readiness quizzes, tasks, training, tickets, licences, AI usage, campaigns, events, queued email, status history and audit trail',
  },
  lead: {
    table: 'leads',
    description: 'and the contact they became: their scores, qualifications, interactions, notes, quizzes and ROI calculations, deals, campaigns, queued email, analytics events, status history and audit trail',
  },
  company: {
    table: 'companies',
    description: 'with its addresses, team, preferences, metrics and contracts, and everything stored about each of its contacts and leads',
  },
};

const exportOperation = (kind: SubjectKind): Operation<z.infer<typeof IdInput>> => {
  const name = `privacy.export_${kind}`;
  return {
    name,
    summary: `Download everything held about a ${kind} (access request)`,
    description: `A data-protection access request: one zip archive of every row stored about the ${kind} ${WHAT[kind].description}. Inside: manifest.json (subject, when, by whom, rows per table), data.json (every row, whole) and one CSV per table. Reads every row whatever the record visibility, in one snapshot. Administrators only; each export is audited (who, whom, when; not the data).`,
    tag: 'privacy',
    scope: 'admin',
    destructive: false,
    sensitive: true,
    weight: 'report',
    kind: 'action',
    input: IdInput,
    download: { formats: ['zip'] },
    http: { method: 'get', path: `/api/v1/${WHAT[kind].table}/{id}/access_export` },
    run: (ctx, input) => exportPerson(ctx, { kind, id: input.id, operation: name }),
  };
};

const EraseInput = z.strictObject({
  id: z.string().max(200),
  reason: z
    .string({ message: 'must say why the record is erased, e.g. "erasure request by email of 3 May"' })
    .trim()
    .min(3, 'must say why the record is erased, e.g. "erasure request by email of 3 May"')
    .max(500, 'must be at most 500 characters'),
});

const Counts = z.record(z.string(), z.number().int());
export const ErasureReceiptSchema = z.object({
  subject: z.object({ kind: z.enum(['contact', 'lead', 'company']), id: z.string() }),
  erased_at: z.string().describe('When, ISO 8601'),
  erased_by: z.string(),
  rows: Counts.describe('Rows of each table deleted or made anonymous'),
  scrubbed: Counts.describe("Rows of each table where the person's name, address or phone was found in text and replaced by [erased]"),
  people: z.object({ contact_ids: z.array(z.string()), lead_ids: z.array(z.string()), company_ids: z.array(z.string()) }),
});

const ERASES: Record<SubjectKind, string> = {
  contact: 'the contact and the leads converted into them',
  lead: 'the lead, the contact they became and that contact\'s other leads',
  company: 'the company and every one of its contacts and leads',
};

const eraseOperation = (kind: SubjectKind): Operation<z.infer<typeof EraseInput>> => {
  const name = `privacy.erase_${kind}`;
  return {
    name,
    summary: `Erase a ${kind} and everything held about them (cannot be undone)`,
    description: `A data-protection erasure request, in one transaction: ${ERASES[kind]} lose every field that says who they were; rows only about them (notes, research, preferences, consents, analytics events) are deleted; rows that reports count (usage, hours saved, deals, stage history) stay, anonymous, so totals still add up; and their full name, email addresses, phone numbers and web addresses are replaced by [erased] wherever else they are written (other records' text, queued mail, webhook payloads, imports, the audit log). The records stay, marked erased_at, and can no longer be changed or restored. Answers how many rows of each table were erased. Administrators only; audited with the reason, never the data. Export the records first (access_export) if the person asked for a copy.`,
    tag: 'privacy',
    scope: 'admin',
    destructive: true,
    sensitive: true,
    kind: 'action',
    input: EraseInput,
    output: ErasureReceiptSchema,
    http: { method: 'post', path: `/api/v1/${WHAT[kind].table}/{id}/erase` },
    run: (ctx, input) => eraseSubject(ctx, { kind, id: input.id }, { reason: input.reason, operation: name }),
  };
};

export const privacyOperations: Operation[] = [
  exportOperation('contact'),
  exportOperation('lead'),
  exportOperation('company'),
  eraseOperation('contact'),
  eraseOperation('lead'),
  eraseOperation('company'),
  summaryOperation('contact'),
  summaryOperation('lead'),
  summaryOperation('company'),
];
