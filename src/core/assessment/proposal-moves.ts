/** Where a proposal may go from each status: the rule the verbs and the generic update obey, and the web app's proposal screen shows (so this module imports nothing it would have to load). */
import type { PROPOSAL_STATUSES } from '../../db/schema/assessment.ts';

export type ProposalStatus = (typeof PROPOSAL_STATUSES)[number];

export const PROPOSAL_MOVES: Record<ProposalStatus, readonly ProposalStatus[]> = {
  draft: ['sent'],
  sent: ['under_review', 'accepted', 'rejected', 'expired'],
  under_review: ['sent', 'accepted', 'rejected', 'expired'],
  accepted: [],
  rejected: [],
  expired: [],
};
