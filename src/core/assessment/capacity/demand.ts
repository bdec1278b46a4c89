/**
 * Demand not yet in delivery: open go decisions and weighted open deals.
 *   - an OPEN GO DECISION is a company's most recent `go` decision (by decision_date, then when
 *     it was recorded; an older go of a company decided again does not count twice), with the
 *     company at `go` or `proposal_sent` and no engagement created from a proposal of that
 *     decision; it needs its `estimated_hours_per_week`;
 *   - an OPEN DEAL is one whose stage is neither won nor lost; it needs
 *     value × probability % ÷ 1,000 × deal_hours_per_1000_value hours per week (probability:
 *     the deal's own, else its stage's). A deal of a company that has an open go decision is
 *     already counted through that decision and adds nothing. The coefficient applies to the
 *     deal's value in its own currency.
 */
import { sql } from 'drizzle-orm';
import type { Ctx } from '../../context.ts';
import { divToCents, fmt, fmtCoefficient, SCALE, toUnits } from './arithmetic.ts';
import type { Coefficients } from './coefficients.ts';
import { rowsOf, str, visibleColumn } from './rows.ts';

export type OpenDecision = {
  id: string;
  company_id: string;
  company_name: string;
  company_status: string;
  decision_date: string | null;
  hours_per_week: string;
  has_estimate: boolean;
};

export type WeightedDeal = {
  id: string;
  name: string;
  company_id: string | null;
  stage: string;
  value: string | null;
  currency: string;
  probability: number;
  weighted_value: string;
  hours_per_week: string;
  /** True when the deal's company has an open go decision, whose hours already count. */
  counted_via_go_decision: boolean;
  arithmetic: string;
};

export type Demand = {
  open_go_decisions: { items: OpenDecision[]; hours_per_week: string; not_visible: { count: number; hours_per_week: string } };
  weighted_deals: { items: WeightedDeal[]; hours_per_week: string; not_visible: { count: number; hours_per_week: string } };
  total_hours_per_week: string;
  goUnits: bigint;
  dealUnits: bigint;
};

/** What open go decisions and open deals would need; a company named in `excludeCompany` is left out (the one being decided). */
export async function demand(ctx: Ctx, c: Coefficients, excludeCompany?: string): Promise<Demand> {
  const exclude = excludeCompany ? sql`and d.company_id <> ${excludeCompany}::uuid` : sql``;
  const decisions = await rowsOf(
    ctx,
    sql`select d.id, d.company_id, co.name as company_name, co.status as company_status,
               d.decision_date::text as decision_date, d.estimated_hours_per_week::text as hours,
               ${await visibleColumn(ctx, 'go_no_go_decisions', 'd')} as visible
        from go_no_go_decisions d
        join companies co on co.id = d.company_id
        where d.decision = 'go' and d.archived_at is null and co.archived_at is null
          and co.status in ('go', 'proposal_sent') ${exclude}
          and not exists (
            select 1 from go_no_go_decisions d2
            where d2.company_id = d.company_id and d2.archived_at is null and d2.decision = 'go'
              and (coalesce(d2.decision_date, '-infinity'::date), d2.created_at, d2.id)
                > (coalesce(d.decision_date, '-infinity'::date), d.created_at, d.id))
          and not exists (
            select 1 from engagements e join proposals p on p.id = e.proposal_id
            where p.go_no_go_id = d.id and e.archived_at is null)
        order by d.decision_date nulls last, d.created_at, d.id`,
  );
  const goCompanies = new Set(decisions.map((d) => String(d.company_id)));
  let goUnits = 0n;
  let goHidden = 0n;
  const goItems: OpenDecision[] = [];
  let goHiddenCount = 0;
  for (const d of decisions) {
    const u = d.hours === null || d.hours === undefined ? 0n : toUnits(String(d.hours));
    goUnits += u;
    if (d.visible === true || d.visible === 't') {
      goItems.push({
        id: String(d.id),
        company_id: String(d.company_id),
        company_name: String(d.company_name),
        company_status: String(d.company_status),
        decision_date: str(d.decision_date),
        hours_per_week: fmt(u),
        has_estimate: d.hours !== null && d.hours !== undefined,
      });
    } else {
      goHidden += u;
      goHiddenCount += 1;
    }
  }

  const deals = await rowsOf(
    ctx,
    sql`select dl.id, dl.name, dl.company_id, dl.stage, dl.value::text as value, dl.currency,
               coalesce(dl.probability, ps.probability, 0) as probability,
               ${await visibleColumn(ctx, 'deals', 'dl')} as visible
        from deals dl
        left join pipeline_stages ps on ps.pipeline = 'deal' and ps.key = dl.stage and ps.archived_at is null
        where dl.archived_at is null and not coalesce(ps.is_won, false) and not coalesce(ps.is_lost, false)
        order by dl.created_at, dl.id`,
  );
  const perThousand = toUnits(c.deal_hours_per_1000_value);
  let dealUnits = 0n;
  let dealHidden = 0n;
  let dealHiddenCount = 0;
  const dealItems: WeightedDeal[] = [];
  for (const d of deals) {
    const value = d.value === null || d.value === undefined ? 0n : toUnits(String(d.value));
    const p = BigInt(Number(d.probability));
    const weighted = divToCents(value * p, 100n);
    const counted = d.company_id !== null && goCompanies.has(String(d.company_id));
    // value × p/100 ÷ 1000 × coefficient, rounded once.
    const hours = counted ? 0n : divToCents(value * p * perThousand, 100n * 1000n * SCALE);
    dealUnits += hours;
    if (d.visible === true || d.visible === 't') {
      dealItems.push({
        id: String(d.id),
        name: String(d.name),
        company_id: str(d.company_id),
        stage: String(d.stage),
        value: d.value === null || d.value === undefined ? null : fmt(value),
        currency: String(d.currency),
        probability: Number(d.probability),
        weighted_value: fmt(weighted),
        hours_per_week: fmt(hours),
        counted_via_go_decision: counted,
        arithmetic: counted
          ? 'counted through the open go decision of its company'
          : `${fmt(value)} × ${Number(d.probability)}% = ${fmt(weighted)}; ${fmt(weighted)} ÷ 1000 × ${fmtCoefficient(perThousand)} = ${fmt(hours)}`,
      });
    } else {
      dealHidden += hours;
      dealHiddenCount += 1;
    }
  }
  return {
    open_go_decisions: { items: goItems, hours_per_week: fmt(goUnits), not_visible: { count: goHiddenCount, hours_per_week: fmt(goHidden) } },
    weighted_deals: { items: dealItems, hours_per_week: fmt(dealUnits), not_visible: { count: dealHiddenCount, hours_per_week: fmt(dealHidden) } },
    total_hours_per_week: fmt(goUnits + dealUnits),
    goUnits,
    dealUnits,
  };
}
