/**
 * Keeping the score current: recomputing it with its `lead_scores` history, the `afterWrite`
 * hooks of leads and lead_qualifications that do so in every write's transaction, and the
 * explain verb.
 */
import { eq } from 'drizzle-orm';
import { lead_scores, leads } from '../../../db/schema/sales.ts';
import { withTx, type Ctx } from '../../context.ts';
import { notFound } from '../../errors.ts';
import { writeAudit } from '../../platform/audit.ts';
import { fetchRow, type Row } from '../../resource.ts';
import { INDUSTRY_POINTS, LEAD_SCORE_POINTS, MESSAGE_MIN_CHARS, OTHER_INDUSTRY_POINTS, scoreLead, SIZE_BANDS, type LeadScoreFactors } from './score.ts';
import { latestQualification, latestScore, leadsRes, type LeadRow } from './shared.ts';

/** What each factor of the score means, for the explain verb. */
const RULES: Record<keyof LeadScoreFactors['components'], string> = {
  company: `+${LEAD_SCORE_POINTS.company} when a company name is given`,
  phone: `+${LEAD_SCORE_POINTS.phone} when a phone number is given`,
  business_email: `+${LEAD_SCORE_POINTS.business_email} when the email is at a business domain (not a free-mail, ISP or disposable provider)`,
  message: `+${LEAD_SCORE_POINTS.message} when the message is over ${MESSAGE_MIN_CHARS} characters`,
  tier: `+${LEAD_SCORE_POINTS.tier} when a service tier is chosen`,
  industry: `up to +${LEAD_SCORE_POINTS.industry}: ${INDUSTRY_POINTS.map((g) => `${g.points} ${g.group} (${g.keywords.slice(0, 4).join(', ')}…)`).join(', ')}, ${OTHER_INDUSTRY_POINTS} any other industry named, 0 none`,
  company_size: `up to +${LEAD_SCORE_POINTS.company_size}: ${SIZE_BANDS.map((b) => `${b.band} staff ${b.points}`).join(', ')}, 0 unknown`,
};

/** JSON with object keys sorted at every level: jsonb reorders keys, so factors are compared in this form. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v && typeof v === 'object' && !(v instanceof Date)) {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v ?? null);
}

export type RescoreResult = { lead_id: string; score: number; factors: LeadScoreFactors; calculated_at: Date; changed: boolean };

/**
 * Recomputes a lead's score (system work, whoever triggered it: no visibility check) on the
 * locked lead row. Writes a history row, with its audit row, only when the score or the
 * factors differ from the latest one, and keeps `leads.score` equal to the latest. A history
 * row's time is strictly after the previous one's, so "latest" is never a tie, even when
 * several changes share one clock reading.
 */
export async function rescoreLead(ctx: Ctx, leadId: string): Promise<RescoreResult> {
  return withTx(ctx, async (tx) => {
    const [lead] = await tx.db.select().from(leads).where(eq(leads.id, leadId)).for('update');
    if (!lead) throw notFound('lead', leadId);
    const { score, factors } = scoreLead(lead, await latestQualification(tx, leadId));
    const last = await latestScore(tx, leadId);
    let calculatedAt = last?.calculated_at ?? tx.now();
    let changed = false;
    if (!last || last.score !== score || canonicalJson(last.factors) !== canonicalJson(factors)) {
      const now = tx.now();
      calculatedAt = last && last.calculated_at.getTime() >= now.getTime() ? new Date(last.calculated_at.getTime() + 1) : now;
      const [row] = await tx.db
        .insert(lead_scores)
        .values({ lead_id: leadId, score, factors, calculated_at: calculatedAt })
        .returning({ id: lead_scores.id });
      await writeAudit(tx, {
        action: 'create',
        table: 'lead_scores',
        recordId: row!.id,
        operation: 'sales.score_lead',
        after: { lead_id: leadId, score, previous_score: last?.score ?? null, bant_met: factors.bant_met },
      });
      changed = true;
    }
    if (lead.score !== score) await tx.db.update(leads).set({ score }).where(eq(leads.id, leadId));
    return { lead_id: leadId, score, factors, calculated_at: calculatedAt, changed };
  });
}

/**
 * The `afterWrite` hook of the leads resource: every create, update, status move, archive,
 * restore or reassign re-scores the lead in the same transaction; the row the write returns
 * is given the new score, so the response (and its ETag) show what is stored.
 */
export async function rescoreAfterLeadWrite(ctx: Ctx, row: Row): Promise<void> {
  const r = await rescoreLead(ctx, row.id as string);
  row.score = r.score;
}

/** The `afterWrite` hook of lead_qualifications: a new, changed or archived qualification changes the BANT factors. */
export async function rescoreAfterQualificationWrite(ctx: Ctx, row: Row, before: Row | undefined): Promise<void> {
  await rescoreLead(ctx, row.lead_id as string);
  if (before && before.lead_id !== row.lead_id && typeof before.lead_id === 'string') await rescoreLead(ctx, before.lead_id);
}

export type ExplainScoreInput = { id: string };

/** The factors of a lead's current score, each with its points, its maximum and the rule that gave them. */
export async function explainLeadScore(ctx: Ctx, input: ExplainScoreInput) {
  const lead = (await fetchRow(ctx, leadsRes(), input.id)) as LeadRow | undefined;
  if (!lead) throw notFound('lead', input.id);
  const live = scoreLead(lead, await latestQualification(ctx, lead.id));
  const last = await latestScore(ctx, lead.id);
  const recorded = !!last && last.score === lead.score && canonicalJson(last.factors) === canonicalJson(live.factors);
  const factors = live.factors;
  const breakdown = [
    { factor: 'base', points: factors.base, max: factors.base, basis: 'every lead', rule: `${factors.base} for every lead` },
    ...(Object.keys(factors.components) as (keyof LeadScoreFactors['components'])[]).map((k) => ({
      factor: k,
      ...factors.components[k],
      rule: RULES[k],
    })),
  ];
  return {
    lead_id: lead.id,
    score: live.score,
    stored_score: lead.score,
    /** False when the stored score predates the current rule (a record written outside this layer); the next change of the lead records it. */
    recorded,
    calculated_at: recorded ? last!.calculated_at : null,
    subtotal: factors.subtotal,
    cap: factors.cap,
    capped: factors.subtotal > factors.cap,
    breakdown,
    bant: {
      qualification_id: factors.qualification_id,
      met: factors.bant_met,
      budget: factors.budget,
      authority: factors.authority,
      need: factors.need,
      timeline: factors.timeline,
    },
    factors,
  };
}
