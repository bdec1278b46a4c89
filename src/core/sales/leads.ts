/**
 * Leads (seeds 001 and 004): the lead score with its history, BANT qualification, and
 * conversion into a company, a contact and optionally a deal.
 *
 * The score is derived data: `leads.score` is read-only to clients and is recomputed inside
 * the transaction of every write of a lead (the `afterWrite` hook of the `leads` resource, so
 * the generic create/update/archive/restore, reassign and every verb are covered) and of every
 * write of one of its qualifications. A `lead_scores` history row is written only when the
 * score or its factors changed, so the history reads as a list of real changes.
 *
 * The code lives in `./leads/`: `score.ts` (the pure rule and its tables), `rescore.ts` (the
 * history, the afterWrite hooks, explain), `qualify.ts` and `convert.ts`; `shared.ts` holds
 * their internal helpers and is not re-exported.
 */
export * from './leads/score.ts';
export * from './leads/rescore.ts';
export * from './leads/qualify.ts';
export * from './leads/convert.ts';
