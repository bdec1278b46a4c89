/**
 * Consent on every surface: record a grant, withdraw it, and read a person's consent under the
 * contact's or lead's own path. Editors and administrators write for the records they can see;
 * anyone who can see the record reads its status. The rules live in consent.ts.
 */
import { z } from 'zod';
import type { Operation } from '../registry.ts';
import {
  consentStatus,
  CONSENT_METHODS,
  CONSENT_PURPOSES,
  MAX_EVIDENCE,
  recordConsent,
  RecordConsentInput,
  withdrawConsent,
  WithdrawConsentInput,
  type SubjectKind,
} from './consent.ts';

const PERSON =
  "A consent belongs to the person: a contact together with the leads converted into it, or a lead together with the contact it became; one recorded on any of those records counts for all of them.";
const RULES =
  'marketing_email is opt-in: marketing email (campaigns.send_email) and campaign targeting of a contact or lead need a grant in force. survey and usage_tracking are part of the client engagement: allowed unless withdrawn.';

const IdInput = z.strictObject({ id: z.string().max(200) });

const statusOperation = (kind: SubjectKind): Operation<z.infer<typeof IdInput>> => ({
  name: `consents.status_${kind}`,
  summary: `What a ${kind} agreed to (consent per purpose, with history)`,
  description: `For each purpose (${CONSENT_PURPOSES.join(', ')}): whether a grant is in force (in_force) and whether the rules allow it now (allowed), since when, how (method) and the evidence, the latest withdrawal when nothing is in force, and every grant and withdrawal newest first (history). ${PERSON} ${RULES}`,
  tag: 'consents',
  scope: 'read',
  destructive: false,
  kind: 'action',
  input: IdInput,
  http: { method: 'get', path: `/api/v1/${kind === 'contact' ? 'contacts' : 'leads'}/{id}/consent` },
  run: (ctx, input) => consentStatus(ctx, kind, input.id),
});

export const consentOperations: Operation[] = [
  {
    name: 'consents.record',
    summary: 'Record that a contact or lead agreed to marketing email, surveys or usage tracking',
    description:
      `Give exactly one of contact_id or lead_id (a record you can see), the purpose (${CONSENT_PURPOSES.join(', ')}), the method (${CONSENT_METHODS.join(', ')}), ` +
      `the evidence (the wording they agreed to, the email, who witnessed it; at most ${MAX_EVIDENCE} characters) and granted_at (not in the future; default now). ` +
      `When a grant of that purpose is already in force for the person, that grant is the answer with created: false, and nothing is written. ${PERSON} Audited.`,
    tag: 'consents',
    scope: 'write',
    destructive: false,
    kind: 'action',
    input: RecordConsentInput,
    http: { method: 'post', path: '/api/v1/consents' },
    run: (ctx, input: RecordConsentInput) => recordConsent(ctx, input),
  },
  {
    name: 'consents.withdraw',
    summary: 'Withdraw the consent of a contact or lead, at once',
    description:
      `Give exactly one of contact_id or lead_id, the purpose, how they withdrew (method) and a note (at most ${MAX_EVIDENCE} characters). Every grant of the purpose in force across the person's records ends now; ` +
      'for marketing_email every queued marketing email (pending or failed) to any of their addresses is cancelled in the same transaction, and the email sender checks again before sending. ' +
      'Withdrawing survey or usage_tracking with no grant on record stores the withdrawal. Nothing in force: already_withdrawn: true and nothing changes. Answers withdrawn, cancelled_emails and the rows changed. Audited.',
    tag: 'consents',
    scope: 'write',
    destructive: false,
    kind: 'action',
    input: WithdrawConsentInput,
    http: { method: 'post', path: '/api/v1/consents/withdraw' },
    run: (ctx, input: WithdrawConsentInput) => withdrawConsent(ctx, input),
  },
  statusOperation('contact'),
  statusOperation('lead'),
];
