/**
 * Qualification (seed 004 BANT): recording a qualification, moving the lead through the
 * pipeline, and the `beforeInsert` hook of lead_qualifications.
 */
import { withTx, type Ctx } from '../../context.ts';
import { invalid } from '../../errors.ts';
import { actingUserId } from '../../identity/roles.ts';
import { assertTransition } from '../../platform/pipeline.ts';
import { applyUpdate, fetchRow, insertRecord, validateCreate, type Row } from '../../resource.ts';
import { blank, latestScore, leadsRes, lockLead, qualificationsRes, type QualificationRow } from './shared.ts';

export const QUALIFY_OUTCOMES = ['qualifying', 'qualified', 'disqualified'] as const;
export type QualifyOutcome = (typeof QUALIFY_OUTCOMES)[number];

export type QualifyLeadInput = {
  id: string;
  has_budget?: boolean | null | undefined;
  budget_amount?: string | number | null | undefined;
  currency?: string | undefined;
  decision_maker?: boolean | null | undefined;
  need_identified?: boolean | null | undefined;
  timeline?: string | null | undefined;
  pain_points?: string | null | undefined;
  status?: QualifyOutcome | undefined;
  reason?: string | undefined;
  expected_version?: number | undefined;
};

/** BANT criteria met: budget (has_budget), authority (decision_maker), need (need_identified), timeline (given). */
export function bantMet(q: Pick<QualificationRow, 'has_budget' | 'decision_maker' | 'need_identified' | 'timeline'>): number {
  return [q.has_budget === true, q.decision_maker === true, q.need_identified === true, !blank(q.timeline)].filter(Boolean).length;
}

/**
 * The `beforeInsert` hook of lead_qualifications: who qualified the lead and when default to
 * the caller and now. (A hook of its own also keeps qualifications out of bulk create, which
 * would skip re-scoring.)
 */
export async function stampQualification(ctx: Ctx, values: Row): Promise<Row> {
  return {
    ...values,
    qualified_by: values.qualified_by === undefined ? actingUserId(ctx.actor) : values.qualified_by,
    qualified_at: values.qualified_at === undefined ? ctx.now() : values.qualified_at,
  };
}

/**
 * Records a BANT qualification of a lead (who qualified it and when are the caller and now),
 * moves the lead through the lead pipeline and re-scores it, in one transaction.
 *
 * Where the lead goes: `status` when given (`disqualified` needs a `reason`, kept as
 * lost_reason). Otherwise `qualified` when all four criteria are met (budget, a decision
 * maker, a need, a timeline) and `qualifying` when not; a lead already `qualified` stays
 * there (a partial re-qualification does not demote it: disqualify it explicitly). Every move
 * goes through the pipeline rules, so a converted, lost or disqualified lead is refused with
 * its allowed moves, and nothing is written.
 */
export async function qualifyLead(ctx: Ctx, input: QualifyLeadInput) {
  const { id, status, reason, expected_version: expectedVersion, ...bant } = input;
  const values = validateCreate(qualificationsRes(), { ...Object.fromEntries(Object.entries(bant).filter(([, v]) => v !== undefined)), lead_id: id });
  const why = reason?.trim();
  if (status === 'disqualified' && !why) throw invalid([{ field: 'reason', message: 'is required to disqualify a lead (it is kept as lost_reason)' }]);
  if (why && status !== 'disqualified') throw invalid([{ field: 'reason', message: 'is given only with status disqualified' }]);
  return withTx(ctx, async (tx) => {
    const lead = await lockLead(tx, id, expectedVersion);
    const met = bantMet(values as QualificationRow);
    const target: QualifyOutcome = status ?? (met === 4 ? 'qualified' : 'qualifying');
    const keep = status === undefined && lead.status === 'qualified' && target === 'qualifying';
    const move = !keep && target !== lead.status;
    // Checked before anything is written, so a refused move leaves no qualification behind.
    if (move) await assertTransition(tx, 'lead', lead.status, target, 'status');
    const qualification = await insertRecord(tx, qualificationsRes(), values, 'sales.qualify_lead');
    const updated = move
      ? await applyUpdate(tx, leadsRes(), id, { status: target, ...(target === 'disqualified' ? { lost_reason: why } : {}) }, { operation: 'sales.qualify_lead' })
      : ((await fetchRow(tx, leadsRes(), id)) as Row);
    const scored = await latestScore(tx, id);
    return {
      lead: updated,
      qualification,
      bant_met: met,
      status_change: move ? { from: lead.status, to: target } : null,
      score: { score: updated.score as number, factors: scored?.factors ?? null, calculated_at: scored?.calculated_at ?? null },
    };
  });
}
