/**
 * Deals (seed 004): stage moves through the `deal` pipeline (pipeline_stages), won and lost,
 * line items from the services catalog, the weighted pipeline, and a deal's timeline.
 *
 * Rules kept here, whatever path writes a deal (these verbs, the generic PATCH, the demo):
 * - A deal enters a lost stage (`closed_lost`) only with a `loss_reason` (refused without);
 *   entering a won stage (`closed_won`) sets `actual_close_date` to today unless it is given.
 * - **Deal value rule**: while a deal has line items (deal_products not archived), its `value`
 *   is the exact sum of their `total_value` (quantity × unit_price, rounded to the cent half
 *   up, as PostgreSQL's numeric(14,2) does) and follows every change to them; a value written
 *   by hand that differs is refused. A deal without line items keeps the value it is given;
 *   archiving its last line item leaves the last sum in place.
 * - Line items are priced in the deal's currency; one in another currency is refused.
 * - Money is exact: decimal strings turned into integer cents (BigInt), never floats.
 */
import { and, asc, eq, inArray, isNull, ne, sql } from 'drizzle-orm';
import { deal_competitors, deal_products, deals } from '../../db/schema/sales.ts';
import { services } from '../../db/schema/catalog.ts';
import { localDate, withTx, type Ctx } from '../context.ts';
import { AppError, invalid, notFound, type FieldError } from '../errors.ts';
import { applyUpdate, archiveRecord, fetchRow, getRecord, insertRecord, validateCreate, type Row } from '../resource.ts';
import { writeAudit } from '../platform/audit.ts';
import { statusTimeline } from '../platform/history.ts';
import { assertStatus, assertTransition, stagesOf, type Stage } from '../platform/pipeline.ts';
import { visibilityScope, visibleCondition } from '../platform/visibility.ts';
import { resource } from '../resources.ts';

const dealsRes = () => resource('deals');
const lineItemsRes = () => resource('deal_products');
const competitorsRes = () => resource('deal_competitors');

// ---------------------------------------------------------------------------
// Exact decimals

const DECIMAL = /^(-?)(\d+)(?:\.(\d+))?$/;

/** A decimal string as an integer count of 10^-scale units; refuses more decimals than the scale. */
export function toUnits(value: string | number, scale: number): bigint {
  const s = String(value).trim();
  const m = DECIMAL.exec(s);
  if (!m) throw new Error(`not a decimal: ${s}`);
  const frac = m[3] ?? '';
  if (frac.length > scale && /[1-9]/.test(frac.slice(scale))) throw new Error(`more than ${scale} decimals: ${s}`);
  const units = BigInt(m[2]! + frac.slice(0, scale).padEnd(scale, '0'));
  return m[1] ? -units : units;
}

/** Integer units back to a decimal string with exactly `scale` decimals. */
export function fromUnits(units: bigint, scale: number): string {
  const neg = units < 0n;
  const digits = (neg ? -units : units).toString().padStart(scale + 1, '0');
  const out = scale ? `${digits.slice(0, -scale)}.${digits.slice(-scale)}` : digits;
  return neg ? `-${out}` : out;
}

/** Divides non-negative units by 10^drop, rounding half up (half away from zero, as PostgreSQL numeric). */
function roundDrop(units: bigint, drop: number): bigint {
  const d = 10n ** BigInt(drop);
  const neg = units < 0n;
  const abs = neg ? -units : units;
  const q = (abs + d / 2n) / d;
  return neg ? -q : q;
}

/** quantity × unit_price in cents, rounded to the cent (both have at most 2 decimals: the product has 4). */
export function lineTotal(quantity: string, unitPrice: string): string {
  return fromUnits(roundDrop(toUnits(quantity, 2) * toUnits(unitPrice, 2), 2), 2);
}

/** Exact sum of money strings (2 decimals). */
export function sumMoney(values: Array<string | null | undefined>): string {
  let total = 0n;
  for (const v of values) if (v !== null && v !== undefined) total += toUnits(v, 2);
  return fromUnits(total, 2);
}

/** Exact value × percent / 100, as a decimal string with 2 to 4 decimals (no rounding needed). */
export function weighted(value: string, percent: number): string {
  return trimScale(fromUnits(toUnits(value, 2) * BigInt(percent), 4));
}

/** Drops trailing zeros after the second decimal: `2000.0000` → `2000.00`, `249.9750` → `249.975`. */
export function trimScale(s: string): string {
  const [int, frac = ''] = s.split('.');
  let f = frac;
  while (f.length > 2 && f.endsWith('0')) f = f.slice(0, -1);
  return f ? `${int}.${f}` : int!;
}

const sameMoney = (a: unknown, b: unknown) =>
  (a === null || a === undefined) === (b === null || b === undefined) &&
  (a === null || a === undefined || toUnits(String(a), 2) === toUnits(String(b), 2));

/** numeric(14,2): at most 12 digits before the point. */
const MAX_MONEY = toUnits('999999999999.99', 2);

// ---------------------------------------------------------------------------
// Rules on every write (ResourceConfig hooks in resources.ts)

async function activeLineItems(ctx: Ctx, dealId: string, excludeId?: string) {
  return ctx.db
    .select()
    .from(deal_products)
    .where(and(eq(deal_products.deal_id, dealId), isNull(deal_products.archived_at), excludeId ? ne(deal_products.id, excludeId) : undefined))
    .orderBy(asc(deal_products.created_at), asc(deal_products.id));
}

/**
 * deals.afterWrite: a lost stage needs a loss_reason, a won stage gets an actual_close_date; a
 * deal with line items keeps value = their sum and their currency. Throwing rolls the write back.
 */
export async function checkDealWrite(ctx: Ctx, row: Row, before: Row | undefined): Promise<void> {
  if (!before || before.stage !== row.stage) {
    const stage = (await stagesOf(ctx, 'deal')).find((s) => s.key === row.stage);
    if (stage?.is_lost && !(typeof row.loss_reason === 'string' && row.loss_reason.trim())) {
      throw invalid([{ field: 'loss_reason', message: `is required when a deal moves to ${stage.key}; POST /api/v1/deals/{id}/lost records it` }]);
    }
    if (stage?.is_won && !row.actual_close_date) {
      // Won through a path that did not say when (a generic PATCH, another verb): it closes today.
      // The row object is the one the write returns, so the caller sees the date too.
      const today = localDate(ctx);
      await ctx.db.update(deals).set({ actual_close_date: today }).where(eq(deals.id, String(row.id)));
      await writeAudit(ctx, { action: 'update', table: 'deals', recordId: String(row.id), operation: 'sales.deal_closed', before: { actual_close_date: null }, after: { actual_close_date: today } });
      row.actual_close_date = today;
    }
  }
  if (before && (!sameMoney(before.value, row.value) || before.currency !== row.currency)) {
    const items = await activeLineItems(ctx, row.id as string);
    if (items.length === 0) return;
    if (before.currency !== row.currency) {
      throw invalid([{ field: 'currency', message: `cannot change while the deal has line items priced in ${String(before.currency)}` }]);
    }
    const sum = sumMoney(items.map((i) => i.total_value));
    if (!sameMoney(row.value, sum)) {
      throw invalid([{ field: 'value', message: `is the sum of the deal's line items (${sum} ${String(row.currency)}); change the line items instead` }]);
    }
  }
}

/** deal_products.beforeInsert: a line item takes its deal's currency, and may not name another. */
export async function lineItemBeforeInsert(ctx: Ctx, values: Row): Promise<Row> {
  const [deal] = await ctx.db.select({ currency: deals.currency }).from(deals).where(eq(deals.id, String(values.deal_id)));
  if (!deal) return values; // the foreign key refuses it with a field error
  if (values.currency === undefined || values.currency === null) return { ...values, currency: deal.currency };
  if (values.currency !== deal.currency) {
    throw invalid([{ field: 'currency', message: `must be the deal's currency (${deal.currency})` }]);
  }
  return values;
}

/**
 * Contexts of a verb that writes several line items and sets the deal's value once at the
 * end: the per-item hook leaves the value alone for them (one value change, one audit row).
 */
const valueSetByCaller = new WeakSet<Ctx>();

/** deal_products.afterWrite: keeps the currency rule on updates and the deal's value in step. */
export async function lineItemAfterWrite(ctx: Ctx, row: Row, _before: Row | undefined): Promise<void> {
  const [deal] = await ctx.db.select({ currency: deals.currency }).from(deals).where(eq(deals.id, String(row.deal_id)));
  if (!deal) return;
  if (row.currency !== deal.currency) {
    throw invalid([{ field: 'currency', message: `must be the deal's currency (${deal.currency})` }]);
  }
  if (!valueSetByCaller.has(ctx)) await syncDealValue(ctx, String(row.deal_id), 'sales.deal_value');
}

/** deal_products.beforeRemove: a hard delete sets the deal's value from the items that remain. */
export async function lineItemBeforeDelete(ctx: Ctx, row: Row, how: 'archive' | 'delete'): Promise<void> {
  if (how === 'delete') await syncDealValue(ctx, String(row.deal_id), 'sales.deal_value', String(row.id));
}

/** Sets the deal's value to the sum of its line items (when it has any); returns the deal. */
export async function syncDealValue(ctx: Ctx, dealId: string, operation: string, excludeId?: string): Promise<Row> {
  return withTx(ctx, async (tx) => {
    const [deal] = (await tx.db.select().from(deals).where(eq(deals.id, dealId)).for('update')) as Row[];
    if (!deal) throw notFound('deal', dealId);
    const items = await activeLineItems(tx, dealId, excludeId);
    if (items.length === 0) return deal;
    const sum = sumMoney(items.map((i) => i.total_value));
    if (sameMoney(deal.value, sum)) return deal;
    // The value follows from records the caller could write, so it is written whoever may see the deal.
    const [updated] = (await tx.db
      .update(deals)
      .set({ value: sum, updated_at: tx.now(), version: sql`${deals.version} + 1` })
      .where(eq(deals.id, dealId))
      .returning()) as Row[];
    await writeAudit(tx, { action: 'update', table: 'deals', recordId: dealId, operation, before: { value: deal.value }, after: { value: sum } });
    return updated!;
  });
}

// ---------------------------------------------------------------------------
// Stage moves

export type MoveDealInput = {
  id: string;
  stage: string;
  loss_reason?: string | undefined;
  actual_close_date?: string | undefined;
  expected_version?: number | undefined;
};

const stageView = (s: Stage) => ({ key: s.key, label: s.label, probability: s.probability, is_won: s.is_won, is_lost: s.is_lost });

async function lockedDeal(ctx: Ctx, id: string): Promise<Row> {
  const deal = await fetchRow(ctx, dealsRes(), id, true);
  if (!deal) throw notFound('deal', id);
  if (deal.archived_at) {
    throw new AppError('CONFLICT', `deal ${id} is archived; restore it before changing its stage`, { details: { allowed: [] } });
  }
  return deal;
}

/**
 * Moves a deal to another stage of the `deal` pipeline (only the moves pipeline_stages allows;
 * status_history records entered/exited/duration). A won stage sets actual_close_date (today
 * unless given) and clears loss_reason; a lost stage needs loss_reason and sets
 * actual_close_date; reopening a closed deal clears both. The deal's probability becomes the
 * stage's probability.
 */
export async function moveDeal(ctx: Ctx, input: MoveDealInput, operation = 'sales.move_deal') {
  return withTx(ctx, async (tx) => {
    const deal = await lockedDeal(tx, input.id);
    const target = await assertStatus(tx, 'deal', input.stage, 'stage');
    const from = deal.stage as string;
    if (from === target.key) {
      throw new AppError('CONFLICT', `stage: the deal is already at ${from}`, {
        details: { fields: [{ field: 'stage', message: `is already ${from}` }], from, to: target.key },
      });
    }
    await assertTransition(tx, 'deal', from, target.key, 'stage');
    const current = (await stagesOf(tx, 'deal')).find((s) => s.key === from);
    const today = localDate(tx);
    const errors: FieldError[] = [];
    const changes: Row = { stage: target.key };
    const reason = input.loss_reason?.trim();
    if (input.actual_close_date !== undefined && input.actual_close_date > today) {
      errors.push({ field: 'actual_close_date', message: `cannot be after today (${today})` });
    }
    if (target.is_lost) {
      if (!reason) errors.push({ field: 'loss_reason', message: `is required to move a deal to ${target.key}` });
      changes.loss_reason = reason;
      changes.actual_close_date = input.actual_close_date ?? today;
    } else {
      if (reason) errors.push({ field: 'loss_reason', message: `is only given when a deal is lost, not when it moves to ${target.key}` });
      if (target.is_won) {
        changes.actual_close_date = input.actual_close_date ?? today;
        changes.loss_reason = null;
      } else {
        if (input.actual_close_date !== undefined) {
          errors.push({ field: 'actual_close_date', message: 'is set only when a deal is won or lost' });
        }
        if (current?.is_won || current?.is_lost) {
          changes.actual_close_date = null;
          changes.loss_reason = null;
        }
      }
    }
    if (errors.length) throw invalid(errors);
    if (target.probability !== null) changes.probability = target.probability;
    // applyUpdate refuses a move the pipeline does not allow (409 with the allowed next stages).
    const updated = await applyUpdate(tx, dealsRes(), input.id, changes, {
      operation,
      ...(input.expected_version !== undefined ? { expectedVersion: input.expected_version } : {}),
    });
    return { deal: updated, from, to: target.key, stage: stageView(target) };
  });
}

async function stageWhere(ctx: Ctx, pick: (s: Stage) => boolean, what: string): Promise<Stage> {
  const s = (await stagesOf(ctx, 'deal')).find(pick);
  if (!s) throw new AppError('PRECONDITION_FAILED', `the deal pipeline has no ${what} stage; an administrator can add one in pipeline_stages`);
  return s;
}

export type WinDealInput = { id: string; actual_close_date?: string | undefined; expected_version?: number | undefined };

/** Marks the deal won; competitors still `active` on it become `won_against`. One transaction. */
export async function winDeal(ctx: Ctx, input: WinDealInput) {
  return withTx(ctx, async (tx) => {
    const won = await stageWhere(tx, (s) => s.is_won, 'won');
    const moved = await moveDeal(tx, { id: input.id, stage: won.key, actual_close_date: input.actual_close_date, expected_version: input.expected_version }, 'sales.win_deal');
    const active = await tx.db
      .select({ id: deal_competitors.id })
      .from(deal_competitors)
      .where(and(eq(deal_competitors.deal_id, input.id), eq(deal_competitors.status, 'active'), isNull(deal_competitors.archived_at)));
    const competitors: Row[] = [];
    for (const c of active) {
      competitors.push(await applyUpdate(tx, competitorsRes(), c.id, { status: 'won_against' }, { operation: 'sales.win_deal' }));
    }
    return { ...moved, competitors };
  });
}

export type LoseDealInput = {
  id: string;
  loss_reason: string;
  lost_to_competitor_id?: string | undefined;
  actual_close_date?: string | undefined;
  expected_version?: number | undefined;
};

/** Marks the deal lost with its reason; the competitor it went to (if named) becomes `lost_to`. One transaction. */
export async function loseDeal(ctx: Ctx, input: LoseDealInput) {
  return withTx(ctx, async (tx) => {
    const lost = await stageWhere(tx, (s) => s.is_lost, 'lost');
    const moved = await moveDeal(
      tx,
      { id: input.id, stage: lost.key, loss_reason: input.loss_reason, actual_close_date: input.actual_close_date, expected_version: input.expected_version },
      'sales.lose_deal',
    );
    const competitors: Row[] = [];
    if (input.lost_to_competitor_id) {
      const c = await fetchRow(tx, competitorsRes(), input.lost_to_competitor_id);
      if (!c || c.deal_id !== input.id || c.archived_at) {
        throw invalid([{ field: 'lost_to_competitor_id', message: 'does not name a competitor on this deal' }]);
      }
      competitors.push(await applyUpdate(tx, competitorsRes(), c.id as string, { status: 'lost_to' }, { operation: 'sales.lose_deal' }));
    }
    return { ...moved, competitors };
  });
}

// ---------------------------------------------------------------------------
// Line items

export type LineItemInput = {
  service_id?: string | undefined;
  product_type?: string | undefined;
  description?: string | undefined;
  quantity?: string | number | undefined;
  unit_price?: string | number | undefined;
};

export type AddLineItemsInput = {
  id: string;
  items: LineItemInput[];
  /** Archive the deal's current line items first, so the list given becomes the deal's. */
  replace?: boolean | undefined;
};

/**
 * The unit price a catalog service suggests: the lower bound of its monthly fee for a
 * `monthly` pricing model, else the lower bound of its setup fee; the other fee when that
 * one is not set; none when the service names no fee (the caller must give one).
 */
export function defaultUnitPrice(service: typeof services.$inferSelect): string | null {
  const monthly = service.base_monthly_fee_min ?? service.base_monthly_fee_max;
  const setup = service.base_setup_fee_min ?? service.base_setup_fee_max;
  return service.pricing_model === 'monthly' ? (monthly ?? setup) : (setup ?? monthly);
}

/**
 * Adds line items to a deal (or replaces them), each from the services catalog or free:
 * unit_price defaults from the service (defaultUnitPrice), product_type from its category,
 * description from its name; quantity defaults to 1. total_value = quantity × unit_price
 * exactly (to the cent), and the deal's value becomes the sum of its line items. All
 * items are validated first (errors name `items[i].field`); nothing is written unless all are good.
 */
export async function addLineItems(ctx: Ctx, input: AddLineItemsInput) {
  if (!Array.isArray(input.items) || (input.items.length === 0 && !input.replace)) {
    throw invalid([{ field: 'items', message: 'must list at least one line item' }]);
  }
  return withTx(ctx, async (tx) => {
    const deal = await lockedDeal(tx, input.id);
    const currency = deal.currency as string;
    const serviceIds = [...new Set(input.items.map((i) => i.service_id).filter((s): s is string => typeof s === 'string'))];
    const catalog = new Map<string, typeof services.$inferSelect>();
    if (serviceIds.length) {
      const rows = await tx.db.select().from(services).where(inArray(services.id, serviceIds));
      for (const r of rows) catalog.set(r.id, r);
    }
    const errors: FieldError[] = [];
    const rows: Row[] = [];
    input.items.forEach((item, i) => {
      const at = (field: string, message: string) => errors.push({ field: `items[${i}].${field}`, message });
      const service = item.service_id ? catalog.get(item.service_id) : undefined;
      if (item.service_id && !service) return at('service_id', 'does not name a service in the catalog');
      if (service && !service.is_active && item.unit_price === undefined) {
        return at('service_id', 'names a service that is no longer offered; give unit_price to sell it anyway');
      }
      let unitPrice = item.unit_price;
      if (unitPrice === undefined && service) {
        const suggested = defaultUnitPrice(service);
        if (suggested === null) return at('unit_price', `is required: ${service.name} has no base fee in the catalog`);
        if (service.currency !== currency) {
          return at('unit_price', `is required: ${service.name} is priced in ${service.currency} and the deal in ${currency}`);
        }
        unitPrice = suggested;
      }
      if (unitPrice === undefined) return at('unit_price', 'is required for a line item without a service');
      try {
        const values = validateCreate(lineItemsRes(), {
          deal_id: deal.id,
          ...(item.service_id ? { service_id: item.service_id } : {}),
          product_type: item.product_type ?? service?.service_category ?? 'consulting',
          ...(item.description ?? service?.name ? { description: item.description ?? service?.name } : {}),
          quantity: item.quantity ?? '1',
          unit_price: unitPrice,
          currency,
        });
        if (toUnits(String(values.quantity), 2) <= 0n) return at('quantity', 'must be more than 0');
        if (toUnits(String(values.unit_price), 2) < 0n) return at('unit_price', 'must not be negative');
        const total = toUnits(lineTotal(String(values.quantity), String(values.unit_price)), 2);
        if (total > MAX_MONEY) return at('quantity', 'quantity × unit_price is more than 999999999999.99');
        rows.push(values);
      } catch (e) {
        if (e instanceof AppError && e.details.fields) {
          for (const f of e.details.fields) at(f.field, f.message);
          return;
        }
        throw e;
      }
    });
    if (errors.length) throw invalid(errors, `${errors.length} problem(s) in the line items; nothing was written`);
    const batch: Ctx = { ...tx };
    valueSetByCaller.add(batch);
    if (input.replace) {
      for (const old of await activeLineItems(tx, deal.id as string)) {
        await archiveRecord(batch, lineItemsRes(), old.id);
      }
    }
    const created: Row[] = [];
    for (const values of rows) created.push(await insertRecord(batch, lineItemsRes(), values, 'sales.add_line_items'));
    const after = await syncDealValue(tx, deal.id as string, 'sales.add_line_items');
    const items = await activeLineItems(tx, deal.id as string);
    return {
      deal: await getRecord(tx, dealsRes(), after.id as string),
      created: created.map((r) => r.id as string),
      line_items: items,
      value: items.length ? sumMoney(items.map((i) => i.total_value)) : (after.value as string | null),
      currency,
      value_rule: 'value = Σ quantity × unit_price over the deal\'s line items, exact to the cent',
    };
  });
}

// ---------------------------------------------------------------------------
// Reading

/** A deal with its stakeholders (and who they are), competitors, line items and stage. */
export async function dealOverview(ctx: Ctx, input: { id: string }) {
  const deal = await getRecord(ctx, dealsRes(), input.id);
  const stages = await stagesOf(ctx, 'deal');
  const stage = stages.find((s) => s.key === deal.stage);
  // Who a stakeholder is shows only if the caller may see that contact.
  const contactVisible = visibleCondition(resource('contacts'), await visibilityScope(ctx), 'c') ?? sql`true`;
  const stakeholders = (await ctx.db.execute(sql`
    select s.id, s.contact_id, s.role, s.influence_level, c.name as contact_name, c.role_title, c.email, c.company_id
    from deal_stakeholders s left join contacts c on c.id = s.contact_id and ${contactVisible}
    where s.deal_id = ${input.id}::uuid and s.archived_at is null
    order by case s.influence_level when 'high' then 0 when 'medium' then 1 when 'low' then 2 else 3 end, c.name, s.id`)) as unknown as { rows: Row[] };
  const competitors = await ctx.db
    .select()
    .from(deal_competitors)
    .where(and(eq(deal_competitors.deal_id, input.id), isNull(deal_competitors.archived_at)))
    .orderBy(asc(deal_competitors.created_at));
  const items = await activeLineItems(ctx, input.id);
  const open = stage !== undefined && !stage.is_won && !stage.is_lost;
  return {
    deal,
    stage: stage ? stageView(stage) : null,
    weighted_value: open && deal.value !== null ? weighted(String(deal.value), stage.probability ?? 0) : null,
    stakeholders: stakeholders.rows,
    competitors,
    line_items: items,
    line_items_total: items.length ? sumMoney(items.map((i) => i.total_value)) : null,
    next_stages: stage?.next_statuses ?? [],
  };
}

/** 004 deal_stages_history: every stage the deal has been in, with entered, exited and duration. */
export async function dealTimeline(ctx: Ctx, input: { id: string }) {
  const t = await statusTimeline(ctx, { entity_type: 'deal', id: input.id });
  const stages = new Map((await stagesOf(ctx, 'deal')).map((s) => [s.key, s]));
  return {
    id: t.id,
    current_stage: t.current_status,
    entries: t.entries.map((e) => ({
      stage: e.status,
      label: stages.get(e.status)?.label ?? e.status,
      probability: stages.get(e.status)?.probability ?? null,
      from_stage: e.from_status,
      entered_at: e.entered_at,
      exited_at: e.exited_at,
      current: e.current,
      duration_seconds: e.duration_seconds,
      duration_days: e.duration_days,
      reason: e.reason,
      changed_by: e.changed_by,
    })),
    time_in_stage: t.time_in_status.map((x) => ({ stage: x.status, seconds: x.seconds, days: x.days })),
  };
}

export type PipelineInput = { owner_id?: string | undefined; company_id?: string | undefined };

/**
 * The weighted pipeline: for open deals (stage neither won nor lost, not archived) that the
 * caller may see, per currency and per stage: the number of deals, Σ value and Σ value ×
 * the stage's probability / 100, exact (up to 4 decimals, never rounded), and the totals.
 * Deals without a value count but add nothing. Currencies are never added together.
 */
export async function weightedPipeline(ctx: Ctx, input: PipelineInput = {}) {
  const stages = (await stagesOf(ctx, 'deal')).filter((s) => !s.is_won && !s.is_lost);
  const visible = visibleCondition(dealsRes(), await visibilityScope(ctx), 'd') ?? sql`true`;
  const owner = input.owner_id ? sql`d.owner_id = ${input.owner_id}::uuid` : sql`true`;
  const company = input.company_id ? sql`d.company_id = ${input.company_id}::uuid` : sql`true`;
  type Agg = { stage: string; label: string; probability: number | null; currency: string; deals: number; valued: number; total: string };
  const result = (await ctx.db.execute(sql`
    select d.stage, ps.label, ps.probability, d.currency, count(*)::int as deals, count(d.value)::int as valued,
           coalesce(sum(d.value), 0)::text as total
    from deals d
    join pipeline_stages ps on ps.pipeline = 'deal' and ps.key = d.stage
    where d.archived_at is null and not ps.is_won and not ps.is_lost
      and ${owner} and ${company} and ${visible}
    group by d.stage, ps.label, ps.probability, d.currency`)) as unknown as { rows: Agg[] };
  const byCurrency = new Map<string, Agg[]>();
  for (const r of result.rows) byCurrency.set(r.currency, [...(byCurrency.get(r.currency) ?? []), r]);
  const allStages = stages.map((s) => ({ key: s.key, label: s.label, probability: s.probability ?? 0 }));
  // A deal left in a stage an administrator archived still counts, at that stage's probability.
  for (const r of result.rows) {
    if (!allStages.some((s) => s.key === r.stage)) allStages.push({ key: r.stage, label: r.label, probability: Number(r.probability ?? 0) });
  }
  const currencies = [...byCurrency.keys()].sort().map((currency) => {
    const rows = byCurrency.get(currency)!;
    let total = 0n;
    let weightedTotal = 0n;
    let count = 0;
    let unvalued = 0;
    const perStage = allStages.map((s) => {
      const r = rows.find((x) => x.stage === s.key);
      const value = toUnits(r?.total ?? '0', 2);
      const w = value * BigInt(s.probability);
      total += value;
      weightedTotal += w;
      count += r?.deals ?? 0;
      unvalued += (r?.deals ?? 0) - (r?.valued ?? 0);
      return {
        stage: s.key,
        label: s.label,
        probability: s.probability,
        deals: r?.deals ?? 0,
        deals_without_value: (r?.deals ?? 0) - (r?.valued ?? 0),
        value: fromUnits(value, 2),
        weighted_value: weighted(fromUnits(value, 2), s.probability),
      };
    });
    return {
      currency,
      deals: count,
      deals_without_value: unvalued,
      value: fromUnits(total, 2),
      weighted_value: trimScale(fromUnits(weightedTotal, 4)),
      stages: perStage,
    };
  });
  return {
    rule: 'weighted value = Σ value × probability of the deal\'s stage / 100, over open deals you can see; exact',
    filters: { owner_id: input.owner_id ?? null, company_id: input.company_id ?? null },
    currencies,
  };
}
