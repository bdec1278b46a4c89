/**
 * The access request on every surface: one operation per kind of subject, under the record's
 * own path (GET /api/v1/contacts/{id}/access_export…), answering the zip archive. Admin-only,
 * and `sensitive`: it reveals everything about a person, so an agent must confirm it even
 * though it changes nothing.
 */
import { z } from 'zod';
import type { Operation } from '../registry.ts';
import { exportPerson } from './access-export.ts';
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
    kind: 'action',
    input: IdInput,
    download: { formats: ['zip'] },
    http: { method: 'get', path: `/api/v1/${WHAT[kind].table}/{id}/access_export` },
    run: (ctx, input) => exportPerson(ctx, { kind, id: input.id, operation: name }),
  };
};

export const privacyOperations: Operation[] = [exportOperation('contact'), exportOperation('lead'), exportOperation('company')];
