/**
 * The rules every write to an outreach draft obeys, whatever the path (the generic update,
 * an import, a verb): resources.ts runs this as the table's `prepare`. status, approved_by,
 * approved_at and sent_at are read-only there, so a draft written by hand starts as `draft`.
 * Imports only errors.ts, so resources.ts can load it without a cycle.
 */
import { AppError } from '../errors.ts';

type Row = Record<string, unknown>;

/** What an approval covers: the text, the kind, who it goes to and what it is tied to. */
export const APPROVED_FIELDS = ['subject', 'content', 'draft_type', 'contact_id', 'event_id', 'campaign_id'] as const;

const same = (a: unknown, b: unknown) => (a ?? null) === (b ?? null) || (a instanceof Date && b instanceof Date && a.getTime() === b.getTime());

/**
 * On a change: a sent or discarded draft is final (CONFLICT); a change to what an approved
 * draft says or to whom returns it to `draft` and clears the approval, so what is sent is
 * always what a person approved. Status moves made by the verbs (which name `status`) pass.
 */
export function prepareOutreachDraft(values: Row, existing: Row | undefined): Row {
  if (!existing) return values;
  const status = existing.status;
  if (status === 'sent' || status === 'discarded') {
    throw new AppError('CONFLICT', `This outreach draft was ${status}${status === 'sent' ? ': it is the record of what was sent' : ''}, so it can no longer be changed`, {
      details: { fields: [{ field: 'status', message: `is ${status}` }], allowed: [] },
    });
  }
  if (status === 'approved' && !('status' in values) && APPROVED_FIELDS.some((f) => f in values && !same(values[f], existing[f]))) {
    return { ...values, status: 'draft', approved_by: null, approved_at: null };
  }
  return values;
}
