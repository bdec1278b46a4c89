/**
 * Seed 000 steps 5–6 as verbs: start the audit (the company moves meeting_complete →
 * auditing), import the owner's org chart as contacts, track each person's audit or
 * pre-training survey as sent and completed, show who is still outstanding against the
 * org chart, derive the audit's counters, team size, digital maturity and tools summary
 * from the responses, and build the baseline (contact_tasks) from completed responses.
 *
 * The code lives in `./audits/`: rules.ts (the pure rules), derivation.ts (the audit's
 * derived values), start.ts, org-chart.ts, surveys.ts, outstanding.ts, tasks.ts, and
 * shared.ts (internal helpers, not re-exported). This barrel keeps every import working.
 */
export * from './audits/rules.ts';
export * from './audits/derivation.ts';
export * from './audits/start.ts';
export * from './audits/org-chart.ts';
export * from './audits/surveys.ts';
export * from './audits/outstanding.ts';
export * from './audits/tasks.ts';
