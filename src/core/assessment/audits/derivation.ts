/**
 * The audit's derived values: its survey counters, team size, digital maturity and tools
 * summary, brought in line with its responses and org chart whenever a response changes.
 */
import { eq, sql } from 'drizzle-orm';
import { audits } from '../../../db/schema/assessment.ts';
import type { Ctx } from '../../context.ts';
import { diff, sameValue, writeAudit } from '../../platform/audit.ts';
import type { Row } from '../../resource.ts';
import { digitalMaturity, MATURITY_BANDS, respondentProfile, toolsSummary, type Answer } from './rules.ts';
import { pendingRefresh } from './shared.ts';
import { assertSurveyAllowed } from '../../privacy/consent.ts';

type AuditRow = typeof audits.$inferSelect;

export type Derivation = {
  surveys_sent: number;
  surveys_completed: number;
  team_size: { value: number | null; rule: string; org_chart: number; respondents: number };
  digital_maturity: { level: 'low' | 'medium' | 'high' | null; mean: string | null; respondents: number; bands: typeof MATURITY_BANDS };
  respondents: Array<{ contact_id: string; tools: string[]; used_ai: boolean; points: number }>;
  current_tools_summary: string | null;
};

/**
 * The rules, stated once:
 * - surveys_sent / surveys_completed: distinct contacts with an unarchived `audit` survey
 *   row of this audit marked sent (or completed) / completed.
 * - team_size: the people on the org chart (the company's unarchived, active contacts); with
 *   no org chart yet, the number of respondents; with neither, left as it is.
 * - digital_maturity: see digitalMaturity(); current_tools_summary: see toolsSummary().
 */
async function deriveAudit(ctx: Ctx, audit: AuditRow, excludeResponseId?: string): Promise<Derivation> {
  const exclude = excludeResponseId ? sql`and id <> ${excludeResponseId}::uuid` : sql``;
  const counters = (await ctx.db.execute(sql`
    select count(distinct contact_id) filter (where survey_sent or survey_completed)::int as sent,
           count(distinct contact_id) filter (where survey_completed)::int as completed
    from survey_responses
    where audit_id = ${audit.id}::uuid and survey_type = 'audit' and archived_at is null ${exclude}`)) as unknown as { rows: { sent: number; completed: number }[] };
  const chart = (await ctx.db.execute(sql`
    select count(*)::int as n from contacts
    where company_id = ${audit.company_id}::uuid and archived_at is null and is_active`)) as unknown as { rows: { n: number }[] };
  const answers = (await ctx.db.execute(sql`
    select contact_id, question, answer from survey_responses
    where audit_id = ${audit.id}::uuid and survey_type = 'audit' and archived_at is null and survey_completed ${exclude}
    order by contact_id, question`)) as unknown as { rows: { contact_id: string; question: string; answer: string | null }[] };
  const byContact = new Map<string, Answer[]>();
  for (const r of answers.rows) {
    const list = byContact.get(r.contact_id) ?? [];
    list.push({ question: r.question, answer: r.answer });
    byContact.set(r.contact_id, list);
  }
  const respondents = [...byContact.entries()].map(([contact_id, a]) => ({ contact_id, profile: respondentProfile(a) }));
  const maturity = digitalMaturity(respondents.map((r) => r.profile.points));
  const orgChart = chart.rows[0]?.n ?? 0;
  const completed = counters.rows[0]?.completed ?? 0;
  const teamSize = orgChart > 0 ? orgChart : respondents.length > 0 ? respondents.length : null;
  return {
    surveys_sent: counters.rows[0]?.sent ?? 0,
    surveys_completed: completed,
    team_size: {
      value: teamSize,
      rule: orgChart > 0 ? 'people on the org chart' : respondents.length > 0 ? 'respondents (no org chart yet)' : 'unchanged (no org chart and no respondents)',
      org_chart: orgChart,
      respondents: respondents.length,
    },
    digital_maturity: { level: maturity?.level ?? null, mean: maturity?.mean ?? null, respondents: respondents.length, bands: MATURITY_BANDS },
    respondents: respondents.map((r) => ({ contact_id: r.contact_id, tools: r.profile.tools, used_ai: r.profile.used_ai, points: r.profile.points })),
    current_tools_summary: toolsSummary(respondents.map((r) => r.profile)),
  };
}

export type Refreshed = { audit: Row; derivation: Derivation };

/**
 * Brings the audit's counters and derived values in line with its responses and org chart
 * (plus any `extra` changes), writing only what differs, with an audit-log row. Written
 * directly rather than through applyUpdate: it also runs from survey_responses' afterWrite,
 * for callers who may see a response but not its audit.
 */
export async function refreshAudit(ctx: Ctx, auditId: string, operation: string, opts: { extra?: Row; excludeResponseId?: string } = {}): Promise<Refreshed | undefined> {
  const [audit] = await ctx.db.select().from(audits).where(eq(audits.id, auditId)).for('update');
  if (!audit) return undefined;
  const d = await deriveAudit(ctx, audit, opts.excludeResponseId);
  const next: Row = {
    surveys_sent: d.surveys_sent,
    surveys_completed: d.surveys_completed,
    ...(d.team_size.value !== null ? { team_size: d.team_size.value } : {}),
    ...(d.digital_maturity.level ? { digital_maturity: d.digital_maturity.level } : {}),
    ...(d.current_tools_summary ? { current_tools_summary: d.current_tools_summary } : {}),
    ...opts.extra,
  };
  const changes = Object.fromEntries(Object.entries(next).filter(([k, v]) => !sameValue((audit as Row)[k], v)));
  if (Object.keys(changes).length === 0) return { audit: audit as Row, derivation: d };
  const [row] = (await ctx.db
    .update(audits)
    .set({ ...changes, updated_at: ctx.now(), version: sql`${audits.version} + 1` } as never)
    .where(eq(audits.id, auditId))
    .returning()) as Row[];
  const delta = diff(audit as Row, row!);
  await writeAudit(ctx, { action: 'update', table: 'audits', recordId: auditId, before: delta.before, after: delta.after, operation });
  return { audit: row!, derivation: d };
}

const auditIdsOf = (...rows: (Row | undefined)[]) =>
  [...new Set(rows.filter((r): r is Row => !!r && r.survey_type === 'audit' && typeof r.audit_id === 'string').map((r) => r.audit_id as string))];

/**
 * survey_responses' afterWrite: whatever path changed a response, its audit's counters follow.
 * A response created for (or moved to) a contact who withdrew survey consent is refused, and
 * the transaction with it (core/privacy/consent.ts).
 */
export async function surveyResponseWritten(ctx: Ctx, row: Row, before: Row | undefined): Promise<void> {
  if (typeof row.contact_id === 'string' && (!before || before.contact_id !== row.contact_id)) {
    await assertSurveyAllowed(ctx, [row.contact_id], () => 'contact_id');
  }
  const ids = auditIdsOf(row, before);
  const pending = pendingRefresh.get(ctx);
  for (const id of ids) {
    if (pending) pending.add(id);
    else await refreshAudit(ctx, id, 'survey_responses.counters');
  }
}

/** survey_responses' beforeRemove: a hard delete runs no afterWrite, so count without the row now. */
export async function surveyResponseRemoved(ctx: Ctx, row: Row, how: 'archive' | 'delete'): Promise<void> {
  if (how !== 'delete') return; // archiving runs afterWrite
  for (const id of auditIdsOf(row)) await refreshAudit(ctx, id, 'survey_responses.counters', { excludeResponseId: row.id as string });
}
