/**
 * Seed 000 steps 8–10: the proposal made from a go decision, its life (sent, changes
 * requested, accepted, rejected, expired) and, on acceptance, the engagement.
 *
 * Statuses and the moves allowed between them (PROPOSAL_MOVES; the generic PATCH obeys them
 * too, through the proposals resource's `prepare`):
 *
 *   draft ──send──▶ sent ──request changes──▶ under_review ──send (revised)──▶ sent
 *                    │                              │
 *                    ├──accept / reject / expire────┴──▶ accepted | rejected | expired (final)
 *
 * A new proposal starts as `draft` or `sent`. Accepted, rejected and expired are final: a
 * new offer is a new proposal from the same go decision.
 *
 * Company moves (through the company pipeline, so history and refusals apply):
 * - sending a proposal moves the company `go → proposal_sent`;
 * - accepting moves it `proposal_sent → onboarding` and creates the engagement from the
 *   proposal (name, company, proposal, package, value, currency, scope as description, the
 *   go decision's employees / MCPs / Skills as staff_count / mcps_to_build / skills_to_build,
 *   status at the engagement pipeline's first stage), all in one transaction;
 * - rejecting or expiring the company's last open proposal moves it back to `go` (we would
 *   still take them on: a new proposal can follow), or to `lost` when a `lost_reason` is given.
 *
 * Expiry: a proposal is past expiry when it is sent or under review and `expires_date` is
 * before today (in the instance's time zone). `assessment.proposals_past_expiry` lists them;
 * `assessment.expire_proposal` and `assessment.expire_due_proposals` expire them.
 */
import { and, eq, inArray, isNull, ne, sql } from 'drizzle-orm';
import { z } from 'zod';
import { proposals } from '../../db/schema/assessment.ts';
import { CURRENCIES } from '../../db/schema/columns.ts';
import { localDate, withTx, type Ctx } from '../context.ts';
import { addDays } from '../dates.ts';
import { AppError, invalid, notFound } from '../errors.ts';
import { stagesOf } from '../platform/pipeline.ts';
import { emitRecordEvent } from '../platform/webhooks.ts';
import { visibilityScope, visibleCondition } from '../platform/visibility.ts';
import { objectInput } from '../fields.ts';
import { applyUpdate, fetchRow, getRecord, insertRecord, validateCreate, type Row } from '../resource.ts';
import { resource } from '../resources.ts';
import { moneyInput } from './decisions.ts';
import { PROPOSAL_MOVES, type ProposalStatus } from './proposal-moves.ts';

export type { ProposalStatus };

// Function declarations and values read only when called: resources.ts imports this module
// for prepareProposal, so it may run before this module has finished loading.

export { PROPOSAL_MOVES };

/** Statuses a proposal may be created in. */
export const PROPOSAL_START: readonly ProposalStatus[] = ['draft', 'sent'];
const OPEN: ProposalStatus[] = ['draft', 'sent', 'under_review'];

/** Days a sent proposal stays valid when no expires_date is given. */
export const PROPOSAL_VALIDITY_DAYS = 30;

/**
 * Refuses a move PROPOSAL_MOVES does not allow, listing the allowed ones. Staying in the same
 * status is no move for a generic update (`sameIsNoop`), but a verb that asks for it is refused.
 * (A function declaration: resources.ts uses it while this module may still be loading.)
 */
export function assertProposalMove(from: string, to: string, sameIsNoop = false): void {
  if (from === to && sameIsNoop) return;
  const allowed = PROPOSAL_MOVES[from as ProposalStatus] ?? [];
  if (allowed.includes(to as ProposalStatus)) return;
  const list = allowed.length ? allowed.join(', ') : 'none (it is final)';
  throw new AppError('CONFLICT', `status: a proposal cannot move from ${from} to ${to}; allowed next: ${list}`, {
    details: { fields: [{ field: 'status', message: `cannot move from ${from} to ${to}; allowed next: ${list}` }], from, to, allowed: [...allowed] },
  });
}

/** The proposals resource's `prepare`: status rules for every write path, the generic one included. */
export function prepareProposal(values: Row, existing?: Row): Row {
  const to = values.status;
  if (typeof to !== 'string') return values;
  if (existing) assertProposalMove(String(existing.status), to, true);
  else if (!PROPOSAL_START.includes(to as ProposalStatus)) {
    throw invalid([{ field: 'status', message: `a new proposal starts as ${PROPOSAL_START.join(' or ')}` }]);
  }
  return values;
}

const proposalsRes = () => resource('proposals');
const companiesRes = () => resource('companies');
const decisionsRes = () => resource('go_no_go_decisions');
const engagementsRes = () => resource('engagements');

type Move = { from: string; to: string } | null;

async function lockProposal(ctx: Ctx, id: string): Promise<Row> {
  const p = await fetchRow(ctx, proposalsRes(), id, true);
  if (!p || p.archived_at !== null) throw notFound('proposal', id);
  return p;
}

async function moveCompany(ctx: Ctx, companyId: string, changes: Row, operation: string): Promise<Move> {
  const company = await fetchRow(ctx, companiesRes(), companyId, true);
  if (!company) throw notFound('company', companyId);
  if (company.status === changes.status) return null;
  await applyUpdate(ctx, companiesRes(), companyId, changes, { operation });
  return { from: String(company.status), to: String(changes.status) };
}

// ---------------------------------------------------------------------------
// Create from a go decision

const money = moneyInput;
const isoDate = z.iso.date({ message: 'must be a real calendar date as YYYY-MM-DD' });
const id = z.uuid({ message: 'must be a UUID' });

export const CreateProposalInput = z.strictObject({
  go_no_go_id: id.describe('the go decision the proposal is made from'),
  package: z.string().trim().min(1, 'must not be empty').max(1000).optional().describe("default: the decision's recommended_package"),
  scope: z.string().trim().max(20_000).optional().describe("default: written from the decision's MCPs, Skills and employees"),
  value: money.optional().describe("default: the decision's estimated_value"),
  currency: z.enum(CURRENCIES, { message: `must be one of: ${CURRENCIES.join(', ')}` }).optional().describe("default: the decision's currency"),
  expires_date: isoDate.optional().describe(`default: ${PROPOSAL_VALIDITY_DAYS} days after it is sent`),
  deal_id: id.optional().describe('the deal this proposal belongs to (of the same company)'),
  notes: z.string().max(20_000).optional(),
  send: z.boolean().optional().describe('true (default): sent now and the company moves to proposal_sent; false: a draft'),
});
export type CreateProposalInput = z.infer<typeof CreateProposalInput>;

function scopeFrom(decision: Row, pkg: string): string {
  const n = (v: unknown, one: string, many: string) => `${Number(v ?? 0)} ${Number(v ?? 0) === 1 ? one : many}`;
  return `${pkg}: ${n(decision.novel_mcps, 'MCP server', 'MCP servers')}, ${n(decision.novel_skills, 'Skills file', 'Skills files')}, training and support for ${n(decision.employee_count, 'employee', 'employees')}.`;
}

/** Step 8: a proposal from a go decision, copying its package, scope and value; sent unless `send: false`. */
export async function createProposal(ctx: Ctx, input: CreateProposalInput) {
  return withTx(ctx, async (tx) => {
    const decision = await fetchRow(tx, decisionsRes(), input.go_no_go_id);
    if (!decision || decision.archived_at !== null) throw invalid([{ field: 'go_no_go_id', message: 'names no go/no-go decision' }]);
    if (decision.decision !== 'go') {
      throw new AppError('CONFLICT', `go_no_go_id: proposals are made from a go decision; this decision is ${String(decision.decision)}`, {
        details: { fields: [{ field: 'go_no_go_id', message: `is a ${String(decision.decision)} decision` }] },
      });
    }
    const companyId = String(decision.company_id);
    const company = await fetchRow(tx, companiesRes(), companyId, true);
    if (!company) throw notFound('company', companyId);
    if (company.status !== 'go') {
      throw new AppError('CONFLICT', `status: a proposal is made while the company is at go; company ${String(company.id)} is ${String(company.status)}`, {
        details: { fields: [{ field: 'status', message: `is ${String(company.status)}, not go` }], from: company.status },
      });
    }
    const [open] = await tx.db
      .select({ id: proposals.id, status: proposals.status })
      .from(proposals)
      .where(and(eq(proposals.go_no_go_id, input.go_no_go_id), inArray(proposals.status, OPEN), isNull(proposals.archived_at)))
      .limit(1);
    if (open) {
      throw new AppError('CONFLICT', `This decision already has an open proposal (${open.id}, ${open.status}); send, revise or close it first`, {
        details: { existing_id: open.id, fields: [{ field: 'go_no_go_id', message: 'already has an open proposal' }] },
      });
    }
    const pkg = input.package ?? (decision.recommended_package as string | null);
    const value = input.value ?? (decision.estimated_value as string | null);
    const missing = [
      ...(pkg ? [] : [{ field: 'package', message: 'is required: the decision recommends no package' }]),
      ...(value ? [] : [{ field: 'value', message: 'is required: the decision has no estimated_value' }]),
    ];
    if (missing.length) throw invalid(missing);
    if (input.deal_id) {
      const deal = await fetchRow(tx, resource('deals'), input.deal_id);
      if (!deal) throw invalid([{ field: 'deal_id', message: 'names no deal' }]);
      if (deal.company_id !== companyId) throw invalid([{ field: 'deal_id', message: 'belongs to another company' }]);
    }
    const send = input.send ?? true;
    const today = localDate(tx);
    const expires = input.expires_date ?? (send ? addDays(today, PROPOSAL_VALIDITY_DAYS) : null);
    if (send && expires !== null && expires < today) {
      throw invalid([{ field: 'expires_date', message: `must not be before the day it is sent (${today})` }]);
    }
    const proposal = await insertRecord(
      tx,
      proposalsRes(),
      {
        company_id: companyId,
        go_no_go_id: decision.id,
        deal_id: input.deal_id ?? null,
        package: pkg,
        scope: input.scope ?? scopeFrom(decision, pkg!),
        value,
        currency: input.currency ?? decision.currency,
        status: send ? 'sent' : 'draft',
        sent_date: send ? today : null,
        expires_date: expires,
        notes: input.notes ?? null,
      },
      'assessment.create_proposal',
    );
    const change = send ? await moveCompany(tx, companyId, { status: 'proposal_sent' }, 'assessment.create_proposal') : null;
    return { proposal, company_status_change: change };
  });
}

// ---------------------------------------------------------------------------
// Send (a draft, or a revision after changes were requested)

export const SendProposalInput = z.strictObject({
  id,
  package: z.string().trim().min(1, 'must not be empty').max(1000).optional(),
  scope: z.string().trim().max(20_000).optional(),
  value: money.optional(),
  expires_date: isoDate.optional().describe(`default: kept if still in the future, else ${PROPOSAL_VALIDITY_DAYS} days from today`),
  notes: z.string().max(20_000).optional(),
  expected_version: z.int().min(1).optional(),
});

/** Sends a draft (company go → proposal_sent) or a revised proposal after changes were requested. */
export async function sendProposal(ctx: Ctx, input: z.infer<typeof SendProposalInput>) {
  return withTx(ctx, async (tx) => {
    const p = await lockProposal(tx, input.id);
    assertProposalMove(String(p.status), 'sent');
    const today = localDate(tx);
    const current = p.expires_date as string | null;
    const expires = input.expires_date ?? (current && current >= today ? current : addDays(today, PROPOSAL_VALIDITY_DAYS));
    if (expires < today) throw invalid([{ field: 'expires_date', message: `must not be before today (${today})` }]);
    const { id: _id, expected_version, ...changes } = input;
    const proposal = await applyUpdate(
      tx,
      proposalsRes(),
      input.id,
      { ...changes, status: 'sent', sent_date: today, expires_date: expires },
      { operation: 'assessment.send_proposal', ...(expected_version !== undefined ? { expectedVersion: expected_version } : {}) },
    );
    const change = await moveCompany(tx, String(p.company_id), { status: 'proposal_sent' }, 'assessment.send_proposal');
    return { proposal, company_status_change: change };
  });
}

// ---------------------------------------------------------------------------
// Request changes

export const RequestChangesInput = z.strictObject({
  id,
  modifications_requested: z.string().trim().min(1, 'is required: say what they asked to change').max(20_000),
  expected_version: z.int().min(1).optional(),
});

/** The prospect asked for changes: sent → under_review, with what they asked. The company stays at proposal_sent. */
export async function requestProposalChanges(ctx: Ctx, input: z.infer<typeof RequestChangesInput>) {
  return withTx(ctx, async (tx) => {
    const p = await lockProposal(tx, input.id);
    assertProposalMove(String(p.status), 'under_review');
    const proposal = await applyUpdate(
      tx,
      proposalsRes(),
      input.id,
      { status: 'under_review', modifications_requested: input.modifications_requested },
      { operation: 'assessment.request_proposal_changes', ...(input.expected_version !== undefined ? { expectedVersion: input.expected_version } : {}) },
    );
    return { proposal };
  });
}

// ---------------------------------------------------------------------------
// Accept: the engagement

/** Fields of the engagement that come from the proposal and cannot be given. */
const FROM_PROPOSAL = ['company_id', 'proposal_id', 'status', 'package', 'value', 'currency'] as const;

export const AcceptProposalInput = z.strictObject({
  id,
  accepted_date: isoDate.optional().describe('default today'),
  engagement: objectInput(
    `more fields of the engagement, as creating an engagement takes them (describe the engagements table), e.g. start_date, end_date, name; not ${FROM_PROPOSAL.join(', ')}`,
  ).optional(),
  allow_expired: z.boolean().optional().describe('accept although expires_date has passed'),
  expected_version: z.int().min(1).optional(),
});
export type AcceptProposalInput = z.infer<typeof AcceptProposalInput>;

/** Steps 8–10: accepted; the company moves to onboarding and the engagement is created, all or nothing. */
export async function acceptProposal(ctx: Ctx, input: AcceptProposalInput) {
  const extra = input.engagement ?? {};
  const taken = FROM_PROPOSAL.filter((k) => k in extra);
  if (taken.length) throw invalid(taken.map((k) => ({ field: `engagement.${k}`, message: 'is taken from the proposal' })));
  return withTx(ctx, async (tx) => {
    const p = await lockProposal(tx, input.id);
    assertProposalMove(String(p.status), 'accepted');
    const today = localDate(tx);
    const expires = p.expires_date as string | null;
    if (expires && expires < today && !input.allow_expired) {
      throw new AppError('PRECONDITION_FAILED', `This proposal expired on ${expires}; send a revised proposal, or accept with allow_expired: true`, {
        details: { fields: [{ field: 'expires_date', message: `passed on ${expires}` }] },
      });
    }
    const companyId = String(p.company_id);
    const company = await fetchRow(tx, companiesRes(), companyId, true);
    if (!company) throw notFound('company', companyId);
    let values: Row;
    try {
      values = validateCreate(engagementsRes(), { company_id: companyId, ...extra });
    } catch (e) {
      if (e instanceof AppError && e.details.fields) throw invalid(e.details.fields.map((f) => ({ field: `engagement.${f.field}`, message: f.message })));
      throw e;
    }
    const decision = p.go_no_go_id ? await fetchRow(tx, decisionsRes(), String(p.go_no_go_id)) : undefined;
    const [first] = await stagesOf(tx, 'engagement');
    if (!first) throw new AppError('PRECONDITION_FAILED', 'The engagement pipeline has no stages; an administrator must configure pipeline_stages');

    const proposal = await applyUpdate(
      tx,
      proposalsRes(),
      input.id,
      { status: 'accepted', accepted_date: input.accepted_date ?? today },
      { operation: 'assessment.accept_proposal', ...(input.expected_version !== undefined ? { expectedVersion: input.expected_version } : {}) },
    );
    const change = await moveCompany(tx, companyId, { status: 'onboarding' }, 'assessment.accept_proposal');
    const engagement = await insertRecord(
      tx,
      engagementsRes(),
      {
        name: `${String(company.name)} — ${String(p.package ?? 'engagement')}`,
        description: p.scope ?? null,
        ...(decision
          ? { staff_count: decision.employee_count ?? null, mcps_to_build: decision.novel_mcps ?? null, skills_to_build: decision.novel_skills ?? null }
          : {}),
        ...values,
        company_id: companyId,
        proposal_id: p.id,
        package: p.package,
        value: p.value,
        currency: p.currency,
        status: first.key,
      },
      'assessment.accept_proposal',
    );
    await emitRecordEvent(tx, 'proposal.accepted', { ...proposal, engagement_id: engagement.id });
    return { proposal, company_status_change: change, engagement };
  });
}

// ---------------------------------------------------------------------------
// Reject and expire

/**
 * After a proposal closes without a deal: when the company has no other open proposal, it
 * goes back to `go` (a new proposal may follow) or, with a lost_reason, to `lost`.
 */
async function releaseCompany(ctx: Ctx, p: Row, lostReason: string | undefined, operation: string): Promise<Move> {
  const companyId = String(p.company_id);
  const company = await fetchRow(ctx, companiesRes(), companyId, true);
  if (!company || company.status !== 'proposal_sent') return null;
  const [other] = await ctx.db
    .select({ id: proposals.id })
    .from(proposals)
    .where(
      and(
        eq(proposals.company_id, companyId),
        ne(proposals.id, String(p.id)),
        inArray(proposals.status, ['sent', 'under_review']),
        isNull(proposals.archived_at),
      ),
    )
    .limit(1);
  if (other) return null;
  return moveCompany(ctx, companyId, lostReason ? { status: 'lost', lost_reason: lostReason } : { status: 'go' }, operation);
}

const closeInput = {
  id,
  reason: z.string().trim().max(20_000).optional().describe('why, kept in the notes'),
  lost_reason: z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(20_000)
    .optional()
    .describe('the company walks away: it moves to lost with this reason (else back to go)'),
  expected_version: z.int().min(1).optional(),
};

export const RejectProposalInput = z.strictObject({ ...closeInput, rejected_date: isoDate.optional().describe('default today') });
export const ExpireProposalInput = z.strictObject(closeInput);

const withNote = (notes: unknown, line: string | undefined) =>
  line ? (typeof notes === 'string' && notes.trim() ? `${notes}\n${line}` : line) : (notes as string | null);

export async function rejectProposal(ctx: Ctx, input: z.infer<typeof RejectProposalInput>) {
  return withTx(ctx, async (tx) => {
    const p = await lockProposal(tx, input.id);
    assertProposalMove(String(p.status), 'rejected');
    const proposal = await applyUpdate(
      tx,
      proposalsRes(),
      input.id,
      { status: 'rejected', rejected_date: input.rejected_date ?? localDate(tx), notes: withNote(p.notes, input.reason && `Rejected: ${input.reason}`) },
      { operation: 'assessment.reject_proposal', ...(input.expected_version !== undefined ? { expectedVersion: input.expected_version } : {}) },
    );
    const change = await releaseCompany(tx, p, input.lost_reason, 'assessment.reject_proposal');
    return { proposal, company_status_change: change };
  });
}

async function expireOne(ctx: Ctx, p: Row, today: string, input: { reason?: string | undefined; lost_reason?: string | undefined; expected_version?: number | undefined }, operation: string) {
  assertProposalMove(String(p.status), 'expired');
  const expires = p.expires_date as string | null;
  if (expires && expires >= today) {
    throw new AppError('PRECONDITION_FAILED', `This proposal is valid until ${expires}; reject it or wait until it has passed`, {
      details: { fields: [{ field: 'expires_date', message: `is ${expires}, not before today (${today})` }] },
    });
  }
  const proposal = await applyUpdate(
    ctx,
    proposalsRes(),
    String(p.id),
    { status: 'expired', notes: withNote(p.notes, input.reason && `Expired: ${input.reason}`) },
    { operation, ...(input.expected_version !== undefined ? { expectedVersion: input.expected_version } : {}) },
  );
  const change = await releaseCompany(ctx, p, input.lost_reason, operation);
  return { proposal, company_status_change: change };
}

/** Expires one proposal whose expires_date has passed (or that has none). */
export async function expireProposal(ctx: Ctx, input: z.infer<typeof ExpireProposalInput>) {
  return withTx(ctx, async (tx) => expireOne(tx, await lockProposal(tx, input.id), localDate(tx), input, 'assessment.expire_proposal'));
}

async function pastExpiry(ctx: Ctx, lock: boolean): Promise<Row[]> {
  const today = localDate(ctx);
  const visible = visibleCondition(proposalsRes(), await visibilityScope(ctx));
  const q = ctx.db
    .select()
    .from(proposals)
    .where(
      and(
        inArray(proposals.status, ['sent', 'under_review']),
        isNull(proposals.archived_at),
        sql`${proposals.expires_date} < ${today}::date`,
        ...(visible ? [visible] : []),
      ),
    )
    .orderBy(proposals.expires_date, proposals.id)
    .limit(1000);
  return (await (lock ? q.for('update') : q)) as Row[];
}

/** Sent or under-review proposals whose expires_date is before today: the derived expiry check. */
export async function proposalsPastExpiry(ctx: Ctx) {
  const today = localDate(ctx);
  const rows = await pastExpiry(ctx, false);
  return {
    today,
    total: rows.length,
    items: rows.map((p) => ({
      id: p.id,
      company_id: p.company_id,
      package: p.package,
      value: p.value,
      currency: p.currency,
      status: p.status,
      sent_date: p.sent_date,
      expires_date: p.expires_date,
    })),
  };
}

/** Expires every visible proposal past its expires_date, in one transaction. */
export async function expireDueProposals(ctx: Ctx) {
  return withTx(ctx, async (tx) => {
    const today = localDate(tx);
    const rows = await pastExpiry(tx, true);
    const expired = [];
    for (const p of rows) expired.push(await expireOne(tx, p, today, {}, 'assessment.expire_due_proposals'));
    return { today, expired: expired.length, items: expired };
  });
}

/** A proposal visible to the caller. */
export const getProposal = (ctx: Ctx, proposalId: string) => getRecord(ctx, proposalsRes(), proposalId);
