/**
 * The in-memory model and the commands of the model-based test (test/model.test.ts).
 *
 * The model is what a client who read the documentation expects the API to hold: per
 * resource (companies, contacts, leads, deals) the records this run made, with the fields the
 * commands set, their version and whether they are archived. Each command is generated as an
 * abstract description (a record is named by a number taken modulo the records of its kind,
 * so a shrunk sequence still means something), predicts the API's answer from the model
 * alone, sends the request over HTTP, and checks the answer: the status, the problem's code
 * and the field it names, the record returned, and after any refusal that nothing changed.
 *
 * The rules the model encodes, and where they are written down:
 * - VALIDATION 400, NOT_FOUND 404, CONFLICT 409 (a refused status move, with `allowed`),
 *   PRECONDITION_FAILED 412 for a stale If-Match (src/api/docs.ts, docs/ARCHITECTURE "Errors",
 *   TRUST.md "two people edit the same record");
 * - generic verbs: create, partial update with If-Match / ETag, archive (soft delete: hidden
 *   from lists, restorable), restore, get (an archived record is still read by id), list with
 *   `archived=exclude|include|only` and keyset cursors (src/core/registry.ts, resource.ts);
 * - a POST retried with its Idempotency-Key answers the first response; a different body with
 *   the same key is a 409 (src/api/openapi.ts);
 * - the pipelines of migration 0001 (statuses and allowed moves), enforced on every path;
 * - deals: a lost stage needs a loss_reason, a won stage gets actual_close_date = today
 *   (src/core/sales/deals.ts); sales.move_deal / win_deal / lose_deal (deal-operations.ts);
 * - leads: `converted` only through sales.convert_lead; sales.qualify_lead's BANT rule
 *   (lead-operations.ts, sales/leads/qualify.ts, convert.ts);
 * - CSV import of companies and contacts: a company's natural key is its name ignoring case, a
 *   contact's its name ignoring case within its company, among records not archived and earlier
 *   rows of the file; a match fills blank fields (or is skipped with on_duplicate=skip); a
 *   contact's company is created when none matches; bad rows are reported by row and field and
 *   write nothing (src/core/platform/imports.ts).
 *
 * Every record a run makes is owned by the run's own administrator (the owner columns are
 * stamped with the caller), which is how lists are scoped to the run. Names carry the run's tag
 * so that name matching (imports, conversions) never reaches another run's records.
 */
import fc from 'fast-check';
import { expect } from 'vitest';

// ---------------------------------------------------------------------------
// The model

export type Kind = 'companies' | 'contacts' | 'leads' | 'deals';
export const KINDS: Kind[] = ['companies', 'contacts', 'leads', 'deals'];

/** The column that says who owns a record: every record a run makes is owned by the run's own administrator. */
export const OWNER_FIELD: Record<Kind, string> = { companies: 'owner_id', contacts: 'owner_id', leads: 'assigned_to', deals: 'owner_id' };

/** The fields the model keeps and compares; the rest (scores, defaults, timestamps) it leaves to other tests. */
export const TRACKED: Record<Kind, string[]> = {
  companies: ['name', 'location', 'tier', 'status'],
  contacts: ['name', 'role_title', 'company_id'],
  leads: ['first_name', 'last_name', 'company_name', 'status', 'lost_reason', 'company_id', 'converted_to_account_id', 'converted_contact_id'],
  deals: ['name', 'value', 'stage', 'probability', 'loss_reason', 'actual_close_date', 'company_id'],
};

const DEFAULTS: Record<Kind, Record<string, unknown>> = {
  companies: { location: null, tier: null, status: 'lead' },
  contacts: { role_title: null, company_id: null },
  leads: { last_name: null, company_name: null, status: 'new', lost_reason: null, company_id: null, converted_to_account_id: null, converted_contact_id: null },
  deals: { value: null, stage: 'discovery', probability: null, loss_reason: null, actual_close_date: null, company_id: null },
};

export type Fields = Record<string, unknown>;
export type Rec = { id: string; createdAt: string; version: number; archived: boolean; fields: Fields };

export type Model = {
  /** In every name this run writes, so imports and conversions never match another run's records. */
  tag: string;
  records: Record<Kind, Rec[]>;
  /** Numbers idempotency keys. */
  seq: number;
};

export const emptyModel = (tag: string): Model => ({ tag, records: { companies: [], contacts: [], leads: [], deals: [] }, seq: 0 });

/** The record a command names: its number modulo the records of that kind, so any number names one. */
const pick = (m: Readonly<Model>, kind: Kind, n: number): Rec => {
  const list = m.records[kind];
  return list[n % list.length]!;
};

// The pipelines of migration 0001: which statuses exist and where each may move.
type Stage = { next: string[]; probability?: number; won?: true; lost?: true };
export const DEAL_STAGES: Record<string, Stage> = {
  discovery: { next: ['proposal', 'closed_lost'], probability: 20 },
  proposal: { next: ['negotiation', 'discovery', 'closed_lost'], probability: 50 },
  negotiation: { next: ['closed_won', 'closed_lost', 'proposal'], probability: 75 },
  closed_won: { next: [], probability: 100, won: true },
  closed_lost: { next: ['discovery'], probability: 0, lost: true },
};
export const LEAD_STATUSES: Record<string, Stage> = {
  new: { next: ['contacted', 'qualifying', 'qualified', 'disqualified', 'lost'] },
  contacted: { next: ['qualifying', 'qualified', 'disqualified', 'lost'] },
  qualifying: { next: ['qualified', 'disqualified', 'lost'] },
  qualified: { next: ['converted', 'disqualified', 'lost'] },
  converted: { next: [] },
  disqualified: { next: ['contacted'] },
  lost: { next: ['contacted'] },
};
export const COMPANY_STATUSES: Record<string, Stage> = {
  lead: { next: ['contacted', 'meeting_scheduled', 'lost'] },
  contacted: { next: ['meeting_scheduled', 'lost'] },
  meeting_scheduled: { next: ['meeting_complete', 'contacted', 'lost'] },
  meeting_complete: { next: ['auditing', 'meeting_scheduled', 'lost'] },
  auditing: { next: ['go', 'no_go', 'lost'] },
  go: { next: ['proposal_sent', 'no_go', 'lost'] },
  no_go: { next: ['auditing', 'lost'] },
  proposal_sent: { next: ['onboarding', 'go', 'lost'] },
  onboarding: { next: ['training', 'paused', 'churned'] },
  training: { next: ['supporting', 'paused', 'churned'] },
  supporting: { next: ['training', 'paused', 'churned'] },
  paused: { next: ['onboarding', 'training', 'supporting', 'churned'] },
  churned: { next: ['contacted'] },
  lost: { next: ['lead', 'contacted'] },
};
const PIPELINE: Partial<Record<Kind, { field: string; stages: Record<string, Stage> }>> = {
  companies: { field: 'status', stages: COMPANY_STATUSES },
  leads: { field: 'status', stages: LEAD_STATUSES },
  deals: { field: 'stage', stages: DEAL_STAGES },
};

const blank = (v: unknown) => typeof v !== 'string' || v.trim() === '';
const lower = (v: unknown) => (typeof v === 'string' ? v.trim().toLowerCase() : '');

/** What the model expects of a request: success (and how the model changes), or a problem. */
type Problem = { ok: false; status: number; code: string; field?: string };
type Outcome = { ok: true } | Problem;
const refused = (status: number, code: string, field?: string): Problem => ({ ok: false, status, code, ...(field ? { field } : {}) });
const VALIDATION = (field: string) => refused(400, 'VALIDATION', field);
const CONFLICT = (field?: string) => refused(409, 'CONFLICT', field);
const STALE = refused(412, 'PRECONDITION_FAILED');

// ---------------------------------------------------------------------------
// The system under test

export type Reply = { status: number; headers: Headers; body: any };

export type Real = {
  /** Sends a request with the run's administrator's API key. */
  call(method: string, path: string, opts?: { body?: unknown; rawBody?: string; headers?: Record<string, string> }): Promise<Reply>;
  /** Runs the import worker's drain in this process until the queued jobs are done. */
  drainImports(): Promise<void>;
};

/** Today as the API counts days (the app runs in UTC). */
const today = () => new Date().toISOString().slice(0, 10);

// ---------------------------------------------------------------------------
// Checking answers

/** The fields the model keeps, from a record the API returned. */
export function apiView(kind: Kind, row: any): Fields {
  const out: Fields = { id: row?.id, version: row?.version, archived: row?.archived_at !== null && row?.archived_at !== undefined };
  for (const f of TRACKED[kind]) out[f] = row?.[f];
  return out;
}

export function modelView(kind: Kind, rec: Rec): Fields {
  const out: Fields = { id: rec.id, version: rec.version, archived: rec.archived };
  for (const f of TRACKED[kind]) out[f] = rec.fields[f];
  return out;
}

const show = (r: Reply) => `${r.status} ${JSON.stringify(r.body)}`;

function expectStatus(r: Reply, status: number, what: string): void {
  expect(r.status, `${what}: expected ${status}, got ${show(r)}`).toBe(status);
}

/** The reply is the problem the model predicted: status, code and (when it names one) the field. */
function expectProblem(r: Reply, o: Problem, what: string): void {
  expectStatus(r, o.status, what);
  expect(r.body?.code, `${what}: ${show(r)}`).toBe(o.code);
  expect(r.headers.get('content-type'), what).toMatch(/^application\/problem\+json/);
  if (o.field) expect((r.body?.errors ?? []).map((e: { field: string }) => e.field), `${what}: ${show(r)}`).toContain(o.field);
}

function expectRecord(kind: Kind, row: any, rec: Rec, what: string): void {
  expect(apiView(kind, row), what).toEqual(modelView(kind, rec));
}

/** A generic verb's answer carries the record's version as its ETag. */
function expectEtag(r: Reply, rec: Rec, what: string): void {
  expect(r.headers.get('etag'), what).toBe(`"${rec.version}"`);
}

/** After a refusal: the record reads back exactly as the model has it (no write-then-refuse). */
async function expectUnchanged(r: Real, kind: Kind, rec: Rec, what: string): Promise<void> {
  const got = await r.call('GET', `/api/v1/${kind}/${rec.id}`);
  expectStatus(got, 200, `${what}, read back`);
  expectRecord(kind, got.body, rec, `${what}: the refused request changed the record`);
}

/** A date the API set to "today": it must be the day the request was sent or answered. */
function todayOf(value: unknown, before: string, after: string): string {
  return value === before || value === after ? (value as string) : before;
}

// ---------------------------------------------------------------------------
// Values

const WORDS = ['Acme', 'Birch', 'Cobalt', 'Delta'];
const FIRST = ['Ada', 'Bo', 'Cy'];
const LAST = ['Lee', 'Moss'];
const LOCATIONS = ['Sydney', 'Perth', 'Hobart'];
const TIERS = ['strategic', 'growth', 'standard'];
const REASONS = ['budget cut', '  went quiet  ', '   '];

/** A name of this run: a small pool, so records collide by name (import matching), in one of two cases. */
const runName = (m: Readonly<Model>, word: number, upper: boolean, suffix = '') => {
  const s = `${WORDS[word % WORDS.length]}${suffix} ${m.tag}`;
  return upper ? s.toUpperCase() : s;
};
const personName = (first: number, last: number | null, upper: boolean) => {
  const s = [FIRST[first % FIRST.length], last === null ? null : LAST[last % LAST.length]].filter(Boolean).join(' ');
  return upper ? s.toUpperCase() : s;
};

/** Money as the client sends it (a number or a decimal string) and as the API stores it (two decimals). */
type Money = { cents: number; asNumber: boolean; negative: boolean };
/** True about once in `n` draws. */
const rarely = (n: number) => fc.oneof({ arbitrary: fc.constant(false), weight: n - 1 }, { arbitrary: fc.constant(true), weight: 1 });
const moneyArb: fc.Arbitrary<Money> = fc.record({ cents: fc.nat(10_000_000), asNumber: fc.boolean(), negative: rarely(7) });
function moneyOut(v: Money): string | number {
  const n = v.cents / 100;
  const signed = v.negative && v.cents > 0 ? -n : n;
  return v.asNumber ? signed : String(signed);
}
const moneyStored = (v: Money) => `${Math.floor(v.cents / 100)}.${String(v.cents % 100).padStart(2, '0')}`;
const moneyNegative = (v: Money) => v.negative && v.cents > 0;

// ---------------------------------------------------------------------------
// Record specifications (create and update bodies)

/** A reference to another record of the run: a number modulo the records of that kind, or none. */
type Ref = number | null;
const refArb: fc.Arbitrary<Ref> = fc.option(fc.nat(50), { nil: null });
const resolveRef = (m: Readonly<Model>, kind: Kind, ref: Ref | undefined): string | null | undefined =>
  ref === undefined ? undefined : ref === null || m.records[kind].length === 0 ? null : pick(m, kind, ref).id;

/** A flaw a schema refuses before anything else is looked at, and the field the refusal names. */
type Flaw = 'missing_name' | 'unknown_field' | 'system_field' | 'owner_field' | 'bad_enum' | 'too_long' | 'not_object';
const FLAWS: Flaw[] = ['missing_name', 'unknown_field', 'system_field', 'owner_field', 'bad_enum', 'too_long', 'not_object'];
/** A flaw in one create or update of eight. */
const flawOf = (flaws: Flaw[]) => fc.oneof({ arbitrary: fc.constant(undefined), weight: 7 }, { arbitrary: fc.constantFrom(...flaws), weight: 1 });
const flawArb = flawOf(FLAWS);
const SYSTEM_FIELDS = ['id', 'version', 'archived_at', 'created_at'];

function applyFlaw(kind: Kind, body: Fields, flaw: Flaw, create: boolean): { body: unknown; field: string } | undefined {
  const nameField = kind === 'leads' ? 'first_name' : 'name';
  switch (flaw) {
    case 'missing_name': {
      // Leads need no field at all; an update never needs one.
      if (kind === 'leads' || !create) return undefined;
      const { name: _n, ...rest } = body;
      return { body: rest, field: 'name' };
    }
    case 'unknown_field':
      return { body: { ...body, colour: 'red' }, field: 'colour' };
    case 'system_field': {
      const f = SYSTEM_FIELDS[(Object.keys(body).length + (create ? 0 : 1)) % SYSTEM_FIELDS.length]!;
      const value = f === 'version' ? 7 : f === 'id' ? '00000000-0000-4000-8000-000000000000' : '2026-01-01T00:00:00Z';
      return { body: { ...body, [f]: value }, field: f };
    }
    case 'owner_field':
      return { body: { ...body, [OWNER_FIELD[kind]]: '00000000-0000-4000-8000-000000000000' }, field: OWNER_FIELD[kind] };
    case 'bad_enum': {
      const f = { companies: 'tier', contacts: 'status', leads: 'source', deals: 'deal_type' }[kind];
      return { body: { ...body, [f]: 'platinum' }, field: f };
    }
    case 'too_long':
      return { body: { ...body, [nameField]: 'x'.repeat(1001) }, field: nameField };
    case 'not_object':
      return { body: [body], field: 'body' };
  }
}

type CompanySpec = { word: number; upper: boolean; location?: string | null; tier?: string | null; status?: string };
type ContactSpec = { first: number; last: number | null; upper: boolean; role_title?: string | null; company?: Ref };
type LeadSpec = { first: number; last?: number | null; company?: { word: number; upper: boolean } | null; status?: string };
type DealSpec = { word: number; value?: Money | null; stage?: string; loss_reason?: string | null; company?: Ref };
type Spec = { kind: 'companies'; s: CompanySpec } | { kind: 'contacts'; s: ContactSpec } | { kind: 'leads'; s: LeadSpec } | { kind: 'deals'; s: DealSpec };

const opt = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });
/** Absent three times in four: for statuses and stages, whose invalid values would otherwise refuse most creates. */
const seldom = <T>(a: fc.Arbitrary<T>) => fc.oneof({ arbitrary: fc.constant(undefined), weight: 3 }, { arbitrary: a, weight: 1 });
const optNull = <T>(a: fc.Arbitrary<T>) => opt(fc.option(a, { nil: null }));

const companyStatusArb = fc.constantFrom('lead', 'contacted', 'meeting_scheduled', 'lost', 'churned', 'bogus');
const leadStatusArb = fc.constantFrom('new', 'contacted', 'qualifying', 'qualified', 'disqualified', 'lost', 'converted', 'bogus');
/** A new lead's status: mostly the default, often `qualified` (so conversions have leads to convert), now and then anything. */
const leadCreateStatusArb = fc.oneof({ arbitrary: fc.constant(undefined), weight: 5 }, { arbitrary: fc.constant('qualified'), weight: 3 }, { arbitrary: leadStatusArb, weight: 2 });
const dealStageArb = fc.constantFrom('discovery', 'proposal', 'negotiation', 'closed_won', 'closed_lost', 'bogus');

/** Create specifications: every field optional but the name, values valid or not as the pools make them. */
function specArb(kind: Kind): fc.Arbitrary<Spec> {
  switch (kind) {
    case 'companies':
      return fc
        .record({ word: fc.nat(3), upper: fc.boolean(), location: optNull(fc.constantFrom(...LOCATIONS)), tier: optNull(fc.constantFrom(...TIERS)), status: seldom(companyStatusArb) }, { requiredKeys: ['word', 'upper'] })
        .map((s) => ({ kind, s }) as Spec);
    case 'contacts':
      return fc
        .record({ first: fc.nat(2), last: fc.option(fc.nat(1), { nil: null }), upper: fc.boolean(), role_title: optNull(fc.constantFrom('CFO', 'Ops')), company: opt(refArb) }, { requiredKeys: ['first', 'last', 'upper'] })
        .map((s) => ({ kind, s }) as Spec);
    case 'leads':
      return fc
        .record({ first: fc.nat(2), last: optNull(fc.nat(1)), company: opt(fc.option(fc.record({ word: fc.nat(3), upper: fc.boolean() }), { nil: null })), status: leadCreateStatusArb }, { requiredKeys: ['first'] })
        .map((s) => ({ kind, s }) as Spec);
    case 'deals':
      return fc
        .record({ word: fc.nat(3), value: optNull(moneyArb), stage: seldom(dealStageArb), loss_reason: optNull(fc.constantFrom(...REASONS)), company: opt(refArb) }, { requiredKeys: ['word'] })
        .map((s) => ({ kind, s }) as Spec);
  }
}

/** The request body of a spec (every key the spec names, in the API's words). */
function bodyOf(m: Readonly<Model>, spec: Spec): Fields {
  const b: Fields = {};
  const put = (k: string, v: unknown) => {
    if (v !== undefined) b[k] = v;
  };
  switch (spec.kind) {
    case 'companies': {
      const s = spec.s;
      put('name', runName(m, s.word, s.upper));
      put('location', s.location);
      put('tier', s.tier);
      put('status', s.status);
      break;
    }
    case 'contacts': {
      const s = spec.s;
      put('name', personName(s.first, s.last, s.upper));
      put('role_title', s.role_title);
      put('company_id', resolveRef(m, 'companies', s.company));
      break;
    }
    case 'leads': {
      const s = spec.s;
      put('first_name', FIRST[s.first % FIRST.length]);
      put('last_name', s.last === undefined ? undefined : s.last === null ? null : LAST[s.last % LAST.length]);
      put('company_name', s.company === undefined ? undefined : s.company === null ? null : runName(m, s.company.word, s.company.upper));
      put('status', s.status);
      break;
    }
    case 'deals': {
      const s = spec.s;
      put('name', runName(m, s.word, false, ' deal'));
      put('value', s.value === undefined ? undefined : s.value === null ? null : moneyOut(s.value));
      put('stage', s.stage);
      put('loss_reason', s.loss_reason);
      put('company_id', resolveRef(m, 'companies', s.company));
      break;
    }
  }
  return b;
}

/** The stored fields of a spec's values: money with two decimals, everything else as sent. */
function storedOf(spec: Spec, body: Fields): Fields {
  const out: Fields = {};
  for (const [k, v] of Object.entries(body)) out[k] = v;
  if (spec.kind === 'deals' && spec.s.value) out.value = moneyStored(spec.s.value);
  return out;
}

/**
 * What the API answers to a create or an update whose body passed its schema, in the order the
 * resource layer checks: a status that is no status of the pipeline, a lead made `converted` by
 * hand, a move the pipeline does not allow (updates), a negative amount (a database check),
 * then the deal rules run after the write (a lost stage without a reason).
 */
function predictWrite(kind: Kind, before: Rec | undefined, changes: Fields, negativeValue: boolean): Outcome {
  if (kind === 'leads' && changes.status === 'converted') return VALIDATION('status');
  const p = PIPELINE[kind];
  if (p && typeof changes[p.field] === 'string') {
    const to = changes[p.field] as string;
    if (!(to in p.stages)) return VALIDATION(p.field);
    const from = before?.fields[p.field] as string | undefined;
    if (from !== undefined && from !== to && !p.stages[from]!.next.includes(to)) return CONFLICT(p.field);
  }
  if (negativeValue) return VALIDATION('value');
  if (kind === 'deals') {
    const stage = (changes.stage ?? before?.fields.stage ?? 'discovery') as string;
    const entered = before ? before.fields.stage !== stage : true;
    const reason = 'loss_reason' in changes ? changes.loss_reason : before?.fields.loss_reason;
    if (entered && DEAL_STAGES[stage]?.lost && blank(reason)) return VALIDATION('loss_reason');
  }
  return { ok: true };
}

/** The deal rule after a write that entered the won stage: actual_close_date is today unless set. */
function settleDeal(rec: Rec, enteredStage: boolean, returned: unknown, before: string, after: string): void {
  if (enteredStage && DEAL_STAGES[rec.fields.stage as string]?.won && rec.fields.actual_close_date === null) {
    rec.fields.actual_close_date = todayOf(returned, before, after);
  }
}

// ---------------------------------------------------------------------------
// Commands

type Cmd = fc.AsyncCommand<Model, Real>;

/**
 * Creates a record (`flaw`: with one thing its schema refuses). `idem` retries the POST with the
 * same Idempotency-Key (the first answer again, no second record), or with another body (409),
 * or sends it twice at once (one record; one answer is the other's replay).
 */
class CreateCmd implements Cmd {
  constructor(
    readonly spec: Spec,
    readonly flaw: Flaw | undefined,
    readonly idem: 'none' | 'retry' | 'retry_other' | 'concurrent',
  ) {}
  check = () => true;
  toString() {
    return `create(${this.spec.kind}, ${JSON.stringify(this.spec.s)}${this.flaw ? `, flaw=${this.flaw}` : ''}${this.idem !== 'none' ? `, idempotency=${this.idem}` : ''})`;
  }
  async run(m: Model, r: Real) {
    const kind = this.spec.kind;
    const what = this.toString();
    const body = bodyOf(m, this.spec);
    const flawed = this.flaw ? applyFlaw(kind, body, this.flaw, true) : undefined;
    const sent = flawed ? flawed.body : body;
    const headers: Record<string, string> = {};
    if (this.idem !== 'none') headers['idempotency-key'] = `model-${m.tag}-${++m.seq}`;
    const before = today();
    const post = () => r.call('POST', `/api/v1/${kind}`, { body: sent, headers });
    // A client that timed out and retried at once: both requests with the same key in flight together.
    const replies = this.idem === 'concurrent' ? await Promise.all([post(), post()]) : [await post()];
    const reply = replies.find((x) => x.headers.get('idempotent-replayed') !== 'true') ?? replies[0]!;
    const after = today();
    const negative = this.spec.kind === 'deals' && !!this.spec.s.value && moneyNegative(this.spec.s.value);
    const outcome = flawed ? VALIDATION(flawed.field) : predictWrite(kind, undefined, body, negative);
    if (!outcome.ok) {
      // A refused attempt leaves no key behind: a concurrent twin is refused the same way.
      for (const x of replies) expectProblem(x, outcome, what);
      if (flawed && outcome.field === flawed.field) expect(reply.body.errors.map((e: { field: string }) => e.field), `${what}: only the flaw is named`).toEqual([flawed.field]);
      return;
    }
    expectStatus(reply, 201, what);
    if (this.idem === 'concurrent') {
      expect(replies.map((x) => x.status), `${what}: both answered`).toEqual([201, 201]);
      expect(replies.map((x) => x.headers.get('idempotent-replayed') === 'true').sort(), `${what}: exactly one is a replay`).toEqual([false, true]);
      expect(replies[0]!.body, `${what}: both answer the same record`).toEqual(replies[1]!.body);
    }
    const rec: Rec = { id: reply.body.id, createdAt: reply.body.created_at, version: 1, archived: false, fields: { ...DEFAULTS[kind], ...storedOf(this.spec, body) } };
    if (kind === 'deals') settleDeal(rec, true, reply.body.actual_close_date, before, after);
    expectRecord(kind, reply.body, rec, what);
    expectEtag(reply, rec, what);
    expect(reply.headers.get('location'), what).toBe(`/api/v1/${kind}/${rec.id}`);
    m.records[kind].push(rec);
    if (this.idem === 'retry') {
      const again = await r.call('POST', `/api/v1/${kind}`, { body: sent, headers });
      expectStatus(again, 201, `${what}, retried`);
      expect(again.headers.get('idempotent-replayed'), `${what}, retried`).toBe('true');
      expect(again.body, `${what}: a retry answers the first response`).toEqual(reply.body);
    } else if (this.idem === 'retry_other') {
      const other = { ...body, [kind === 'leads' ? 'first_name' : 'name']: `other ${m.tag}` };
      const again = await r.call('POST', `/api/v1/${kind}`, { body: other, headers });
      expectProblem(again, CONFLICT('Idempotency-Key'), `${what}, the key again with another body`);
    }
  }
}

type IfMatch = 'none' | 'current' | 'weak' | 'bare' | 'star' | 'stale' | 'garbage';
const ifMatchArb = fc.constantFrom<IfMatch>('none', 'current', 'current', 'weak', 'bare', 'star', 'stale', 'stale', 'garbage');

/** The If-Match header for the record's version as the model knows it, and whether it is stale or unreadable. */
function ifMatchHeader(rec: Rec, how: IfMatch): { headers: Record<string, string>; stale: boolean; garbage: boolean } {
  const v = rec.version;
  const staleVersion = v > 1 && v % 2 === 0 ? v - 1 : v + 1;
  const h = (value: string) => ({ 'if-match': value });
  switch (how) {
    case 'none':
      return { headers: {}, stale: false, garbage: false };
    case 'current':
      return { headers: h(`"${v}"`), stale: false, garbage: false };
    case 'weak':
      return { headers: h(`W/"${v}"`), stale: false, garbage: false };
    case 'bare':
      return { headers: h(String(v)), stale: false, garbage: false };
    case 'star':
      return { headers: h('*'), stale: false, garbage: false };
    case 'stale':
      return { headers: h(`"${staleVersion}"`), stale: true, garbage: false };
    case 'garbage':
      return { headers: h('"v1"'), stale: false, garbage: true };
  }
}

/** Update specifications: a few fields of the kind, any of them possibly absent (all absent: "names no field to change"). */
function changesArb(kind: Kind): fc.Arbitrary<Record<string, unknown>> {
  switch (kind) {
    case 'companies':
      return fc.record({ word: opt(fc.nat(3)), location: optNull(fc.constantFrom(...LOCATIONS)), tier: optNull(fc.constantFrom(...TIERS)), status: opt(companyStatusArb) }, { requiredKeys: [] });
    case 'contacts':
      return fc.record({ person: opt(fc.tuple(fc.nat(2), fc.option(fc.nat(1), { nil: null }))), role_title: optNull(fc.constantFrom('CFO', 'Ops', 'CEO')), company: opt(refArb) }, { requiredKeys: [] });
    case 'leads':
      return fc.record({ first: opt(fc.nat(2)), last: optNull(fc.nat(1)), status: opt(leadStatusArb) }, { requiredKeys: [] });
    case 'deals':
      return fc.record({ word: opt(fc.nat(3)), value: optNull(moneyArb), stage: opt(dealStageArb), loss_reason: optNull(fc.constantFrom(...REASONS)) }, { requiredKeys: [] });
  }
}

function updateBody(m: Readonly<Model>, kind: Kind, c: Record<string, any>): { body: Fields; stored: Fields; negative: boolean } {
  const body: Fields = {};
  const stored: Fields = {};
  const put = (k: string, v: unknown, s: unknown = v) => {
    if (v === undefined) return;
    body[k] = v;
    stored[k] = s;
  };
  let negative = false;
  switch (kind) {
    case 'companies':
      put('name', c.word === undefined ? undefined : runName(m, c.word, c.word % 2 === 1));
      put('location', c.location);
      put('tier', c.tier);
      put('status', c.status);
      break;
    case 'contacts':
      put('name', c.person === undefined ? undefined : personName(c.person[0], c.person[1], false));
      put('role_title', c.role_title);
      put('company_id', resolveRef(m, 'companies', c.company));
      break;
    case 'leads':
      put('first_name', c.first === undefined ? undefined : FIRST[c.first % FIRST.length]);
      put('last_name', c.last === undefined ? undefined : c.last === null ? null : LAST[c.last % LAST.length]);
      put('status', c.status);
      break;
    case 'deals':
      put('name', c.word === undefined ? undefined : runName(m, c.word, false, ' deal'));
      if (c.value !== undefined) put('value', c.value === null ? null : moneyOut(c.value), c.value === null ? null : moneyStored(c.value));
      negative = !!c.value && moneyNegative(c.value);
      put('stage', c.stage);
      put('loss_reason', c.loss_reason);
      break;
  }
  return { body, stored, negative };
}

/** A partial update (PATCH) with or without If-Match, valid or flawed. */
class UpdateCmd implements Cmd {
  constructor(
    readonly kind: Kind,
    readonly target: number,
    readonly changes: Record<string, unknown>,
    readonly ifMatch: IfMatch,
    readonly flaw: Flaw | undefined,
  ) {}
  check = (m: Readonly<Model>) => m.records[this.kind].length > 0;
  toString() {
    return `update(${this.kind}@${this.target}, ${JSON.stringify(this.changes)}, if-match=${this.ifMatch}${this.flaw ? `, flaw=${this.flaw}` : ''})`;
  }
  async run(m: Model, r: Real) {
    const { kind } = this;
    const rec = pick(m, kind, this.target);
    const what = `${this.toString()} on ${rec.id}`;
    const { body, stored, negative } = updateBody(m, kind, this.changes);
    const flawed = this.flaw ? applyFlaw(kind, body, this.flaw, false) : undefined;
    const im = ifMatchHeader(rec, this.ifMatch);
    const before = today();
    const reply = await r.call('PATCH', `/api/v1/${kind}/${rec.id}`, { body: flawed ? flawed.body : body, headers: im.headers });
    const after = today();
    let outcome: Outcome;
    if (im.garbage) outcome = VALIDATION('If-Match');
    else if (flawed) outcome = VALIDATION(flawed.field);
    else if (Object.keys(body).length === 0) outcome = VALIDATION('body');
    else if (im.stale) outcome = STALE;
    else outcome = predictWrite(kind, rec, body, negative);
    if (!outcome.ok) {
      expectProblem(reply, outcome, what);
      if (flawed && outcome.field === flawed.field) expect(reply.body.errors.map((e: { field: string }) => e.field), `${what}: only the flaw is named`).toEqual([flawed.field]);
      await expectUnchanged(r, kind, rec, what);
      return;
    }
    expectStatus(reply, 200, what);
    const entered = kind === 'deals' && typeof body.stage === 'string' && body.stage !== rec.fields.stage;
    Object.assign(rec.fields, stored);
    rec.version++;
    if (kind === 'deals') settleDeal(rec, entered, reply.body.actual_close_date, before, after);
    expectRecord(kind, reply.body, rec, what);
    expectEtag(reply, rec, what);
  }
}

/** One field per kind that any record may take at any time, for the race below. */
function raceChange(m: Readonly<Model>, kind: Kind, n: number): Fields {
  switch (kind) {
    case 'companies':
      return { location: LOCATIONS[n % LOCATIONS.length] };
    case 'contacts':
      return { role_title: ['CFO', 'Ops', 'CEO'][n % 3] };
    case 'leads':
      return { last_name: LAST[n % LAST.length] };
    case 'deals':
      return { name: runName(m, n, false, ' deal') };
  }
}

/**
 * Two people change the same record at the same moment (TRUST.md). Both sending the ETag they
 * read: exactly one write lands and the other gets 412. Neither sending one: both land, one
 * after the other (versions +1 and +2), and the record is the later write.
 */
class RaceUpdateCmd implements Cmd {
  constructor(
    readonly kind: Kind,
    readonly target: number,
    readonly a: number,
    readonly b: number,
    readonly guarded: boolean,
  ) {}
  check = (m: Readonly<Model>) => m.records[this.kind].length > 0;
  toString() {
    return `race_update(${this.kind}@${this.target}, ${this.a} vs ${this.b}, ${this.guarded ? 'both with If-Match' : 'no If-Match'})`;
  }
  async run(m: Model, r: Real) {
    const rec = pick(m, this.kind, this.target);
    const what = `${this.toString()} on ${rec.id}`;
    const changes = [raceChange(m, this.kind, this.a), raceChange(m, this.kind, this.b)];
    const headers: Record<string, string> = this.guarded ? { 'if-match': `"${rec.version}"` } : {};
    const replies = await Promise.all(changes.map((body) => r.call('PATCH', `/api/v1/${this.kind}/${rec.id}`, { body, headers })));
    const statuses = replies.map((x) => x.status);
    if (this.guarded) {
      expect([...statuses].sort(), `${what}: one write lands, the other is refused (${replies.map(show).join(' | ')})`).toEqual([200, 412]);
      const won = statuses.indexOf(200);
      expectProblem(replies[1 - won]!, STALE, `${what}, the loser`);
      Object.assign(rec.fields, changes[won]);
      rec.version++;
      expectRecord(this.kind, replies[won]!.body, rec, `${what}, the winner`);
    } else {
      expect(statuses, `${what}: both land (${replies.map(show).join(' | ')})`).toEqual([200, 200]);
      const versions = replies.map((x) => x.body.version);
      expect([...versions].sort(), `${what}: one after the other`).toEqual([rec.version + 1, rec.version + 2]);
      const later = versions.indexOf(rec.version + 2);
      Object.assign(rec.fields, changes[later]);
      rec.version += 2;
      expectRecord(this.kind, replies[later]!.body, rec, `${what}, the later write`);
    }
    await expectUnchanged(r, this.kind, rec, `${what}: read back`);
  }
}

/** Archive or restore, with or without If-Match: the same state again is a no-op (same version). */
class ArchiveCmd implements Cmd {
  constructor(
    readonly kind: Kind,
    readonly target: number,
    readonly archive: boolean,
    readonly ifMatch: IfMatch,
  ) {}
  check = (m: Readonly<Model>) => m.records[this.kind].length > 0;
  toString() {
    return `${this.archive ? 'archive' : 'restore'}(${this.kind}@${this.target}, if-match=${this.ifMatch})`;
  }
  async run(m: Model, r: Real) {
    const rec = pick(m, this.kind, this.target);
    const what = `${this.toString()} on ${rec.id}`;
    const im = ifMatchHeader(rec, this.ifMatch);
    const reply = await r.call('POST', `/api/v1/${this.kind}/${rec.id}/${this.archive ? 'archive' : 'restore'}`, { headers: im.headers });
    const outcome: Outcome = im.garbage ? VALIDATION('If-Match') : im.stale ? STALE : { ok: true };
    if (!outcome.ok) {
      expectProblem(reply, outcome, what);
      await expectUnchanged(r, this.kind, rec, what);
      return;
    }
    expectStatus(reply, 200, what);
    if (rec.archived !== this.archive) {
      rec.archived = this.archive;
      rec.version++;
    }
    expectRecord(this.kind, reply.body, rec, what);
    expectEtag(reply, rec, what);
  }
}

/** Reads one record by id (archived ones too), or an id that names nothing (404). */
class GetCmd implements Cmd {
  constructor(
    readonly kind: Kind,
    readonly target: number | 'unknown',
  ) {}
  check = (m: Readonly<Model>) => this.target === 'unknown' || m.records[this.kind].length > 0;
  toString() {
    return `get(${this.kind}@${this.target})`;
  }
  async run(m: Model, r: Real) {
    if (this.target === 'unknown') {
      const reply = await r.call('GET', `/api/v1/${this.kind}/00000000-0000-4000-8000-${String(m.seq).padStart(12, '0')}`);
      expectProblem(reply, refused(404, 'NOT_FOUND'), this.toString());
      return;
    }
    const rec = pick(m, this.kind, this.target);
    const reply = await r.call('GET', `/api/v1/${this.kind}/${rec.id}`);
    expectStatus(reply, 200, this.toString());
    expectRecord(this.kind, reply.body, rec, `${this.toString()} on ${rec.id}`);
    expectEtag(reply, rec, this.toString());
  }
}

type ListSort = '-created_at' | 'created_at' | 'version' | '-version';
type Archived = 'exclude' | 'include' | 'only' | undefined;

/** The records a list should answer, in its order: the sort key, then the id, both ascending or both descending. */
function expectedList(m: Readonly<Model>, kind: Kind, archived: Archived, sort: ListSort | undefined): Rec[] {
  const mode = archived ?? 'exclude';
  const keep = m.records[kind].filter((x) => (mode === 'include' ? true : mode === 'only' ? x.archived : !x.archived));
  const spec = sort ?? '-created_at';
  const desc = spec.startsWith('-');
  const key = (x: Rec): string | number => (spec.endsWith('version') ? x.version : x.createdAt);
  return keep.sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    const c = ka < kb ? -1 : ka > kb ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
    return desc ? -c : c;
  });
}

/** Lists the run's records of a kind page by page, following next_cursor to the end. */
export async function listAll(r: Real, m: Readonly<Model>, kind: Kind, owner: string, opts: { archived?: Archived; sort?: ListSort | undefined; limit: number }, what: string): Promise<any[]> {
  const items: any[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 1000; page++) {
    const q = new URLSearchParams({ [OWNER_FIELD[kind]]: owner, limit: String(opts.limit) });
    if (opts.archived) q.set('archived', opts.archived);
    if (opts.sort) q.set('sort', opts.sort);
    if (cursor) q.set('cursor', cursor);
    const reply = await r.call('GET', `/api/v1/${kind}?${q}`);
    expectStatus(reply, 200, `${what}, page ${page + 1}`);
    const { items: got, next_cursor } = reply.body as { items: any[]; next_cursor: string | null };
    expect(got.length, `${what}: page ${page + 1} holds at most the limit`).toBeLessThanOrEqual(opts.limit);
    items.push(...got);
    if (next_cursor === null) return items;
    expect(got.length, `${what}: a page with a next cursor is full`).toBe(opts.limit);
    cursor = next_cursor;
  }
  throw new Error(`${what}: the cursor never ended`);
}

/** Lists with a small page and compares every record, in order, with the model. */
class ListCmd implements Cmd {
  constructor(
    readonly kind: Kind,
    readonly archived: Archived,
    readonly sort: ListSort | undefined,
    readonly limit: number,
  ) {}
  check = () => true;
  toString() {
    return `list(${this.kind}, archived=${this.archived ?? 'default'}, sort=${this.sort ?? 'default'}, limit=${this.limit})`;
  }
  async run(m: Model, r: Real) {
    const got = await listAll(r, m, this.kind, ownerOf(r), { archived: this.archived, sort: this.sort, limit: this.limit }, this.toString());
    const want = expectedList(m, this.kind, this.archived, this.sort);
    expect(got.map((x) => apiView(this.kind, x)), this.toString()).toEqual(want.map((x) => modelView(this.kind, x)));
  }
}

/** The run's administrator, whose id scopes every list to this run's records. */
export type RunReal = Real & { owner: string };
const ownerOf = (r: Real) => (r as RunReal).owner;

// ---------------------------------------------------------------------------
// Workflow verbs

/** `stage: 'next'` is an allowed next stage of the deal (the `next`-th, modulo how many there are). */
type DealMove = { via: 'stage'; stage: string; next?: number; reason?: string } | { via: 'won' } | { via: 'lost'; reason: string };

/** The stage a move asks for. */
function stageOf(move: DealMove, rec: Rec): string {
  if (move.via === 'won') return 'closed_won';
  if (move.via === 'lost') return 'closed_lost';
  if (move.stage !== 'next') return move.stage;
  const next = DEAL_STAGES[rec.fields.stage as string]!.next;
  return next.length ? next[(move.next ?? 0) % next.length]! : 'discovery';
}

/** The loss_reason a move sends: its own, or for a move to the next stage one exactly when that stage is lost. */
function reasonOf(move: DealMove, rec: Rec): string | undefined {
  if (move.via === 'won') return undefined;
  if (move.via === 'stage' && move.stage === 'next') return DEAL_STAGES[stageOf(move, rec)]?.lost ? 'budget cut' : undefined;
  return move.reason;
}
type VersionHow = 'none' | 'current' | 'stale';

const expectedVersionOf = (rec: Rec, how: VersionHow) => (how === 'none' ? {} : { expected_version: how === 'current' ? rec.version : rec.version + 1 });

/**
 * sales.move_deal, win_deal and lose_deal: only the pipeline's moves (409 with `allowed`), the
 * same stage again is a 409, an archived deal is a 409, a lost stage needs a reason and no other
 * takes one (400), a stale expected_version is a 412; a move takes the stage's probability, a
 * closed stage sets actual_close_date (today), reopening clears it and the reason.
 */
class MoveDealCmd implements Cmd {
  constructor(
    readonly target: number,
    readonly move: DealMove,
    readonly version: VersionHow,
    /** Sent again with the same Idempotency-Key: the first answer again, not a second move (nor a 409 "already there"). */
    readonly retried: boolean,
  ) {}
  check = (m: Readonly<Model>) => m.records.deals.length > 0;
  toString() {
    return `move_deal(deals@${this.target}, ${JSON.stringify(this.move)}, expected_version=${this.version}${this.retried ? ', retried with its Idempotency-Key' : ''})`;
  }
  predict(rec: Rec): Outcome {
    const to = stageOf(this.move, rec);
    const reason = reasonOf(this.move, rec)?.trim() || undefined;
    if (rec.archived) return CONFLICT();
    const target = DEAL_STAGES[to];
    if (!target) return VALIDATION('stage');
    const from = rec.fields.stage as string;
    if (from === to) return CONFLICT('stage');
    if (!DEAL_STAGES[from]!.next.includes(to)) return CONFLICT('stage');
    if (target.lost ? !reason : reason) return VALIDATION('loss_reason');
    if (this.version === 'stale') return STALE;
    return { ok: true };
  }
  async run(m: Model, r: Real) {
    // Only a deal in negotiation can be won: `won` names the target-th of those, when there is one.
    const ready = m.records.deals.filter((d) => d.fields.stage === 'negotiation' && !d.archived);
    const rec = this.move.via === 'won' && ready.length ? ready[this.target % ready.length]! : pick(m, 'deals', this.target);
    const what = `${this.toString()} on ${rec.id}`;
    const path = this.move.via === 'stage' ? 'stage' : this.move.via;
    const body: Fields = { ...expectedVersionOf(rec, this.version) };
    const to = stageOf(this.move, rec);
    if (this.move.via === 'stage') body.stage = to;
    const reason = reasonOf(this.move, rec);
    if (reason !== undefined) body.loss_reason = reason;
    const headers: Record<string, string> = this.retried ? { 'idempotency-key': `model-${m.tag}-${++m.seq}` } : {};
    const send = () => r.call('POST', `/api/v1/deals/${rec.id}/${path}`, { body, headers });
    const before = today();
    const reply = await send();
    const after = today();
    const outcome = this.predict(rec);
    if (!outcome.ok) {
      expectProblem(reply, outcome, what);
      if (outcome.status === 409 && !rec.archived && reply.body.from !== reply.body.to) expect(reply.body.allowed, `${what}: the refusal lists the allowed moves`).toEqual(DEAL_STAGES[rec.fields.stage as string]!.next);
      // A refused attempt keeps no key: the retry runs again, and is refused again.
      if (this.retried) expectProblem(await send(), outcome, `${what}, retried`);
      await expectUnchanged(r, 'deals', rec, what);
      return;
    }
    if (this.retried) {
      const again = await send();
      expectStatus(again, 200, `${what}, retried`);
      expect(again.headers.get('idempotent-replayed'), `${what}, retried`).toBe('true');
      expect(again.body, `${what}: a retry answers the first response`).toEqual(reply.body);
    }
    expectStatus(reply, 200, what);
    const from = rec.fields.stage as string;
    const stage = DEAL_STAGES[to]!;
    const f = rec.fields;
    f.stage = to;
    f.probability = stage.probability;
    if (stage.lost) {
      f.loss_reason = reason!.trim();
      f.actual_close_date = todayOf(reply.body.deal?.actual_close_date, before, after);
    } else if (stage.won) {
      f.loss_reason = null;
      f.actual_close_date = todayOf(reply.body.deal?.actual_close_date, before, after);
    } else if (DEAL_STAGES[from]!.won || DEAL_STAGES[from]!.lost) {
      f.loss_reason = null;
      f.actual_close_date = null;
    }
    rec.version++;
    expect({ from: reply.body.from, to: reply.body.to }, what).toEqual({ from, to });
    expectRecord('deals', reply.body.deal, rec, what);
  }
}

type Bant = { has_budget?: boolean | null; decision_maker?: boolean | null; need_identified?: boolean | null; timeline?: string | null };

/**
 * sales.qualify_lead: without a status the lead goes to `qualified` when all four BANT criteria
 * are met and to `qualifying` otherwise, but a qualified lead is not demoted; `disqualified`
 * needs a reason, and a reason goes with nothing else; the move must be allowed (409).
 */
class QualifyLeadCmd implements Cmd {
  constructor(
    readonly target: number,
    readonly bant: Bant,
    readonly status: 'qualifying' | 'qualified' | 'disqualified' | undefined,
    readonly reason: string | undefined,
    readonly version: VersionHow,
  ) {}
  check = (m: Readonly<Model>) => m.records.leads.length > 0;
  toString() {
    return `qualify_lead(leads@${this.target}, ${JSON.stringify(this.bant)}, status=${this.status ?? 'default'}, reason=${JSON.stringify(this.reason)}, expected_version=${this.version})`;
  }
  met() {
    const b = this.bant;
    return [b.has_budget === true, b.decision_maker === true, b.need_identified === true, !blank(b.timeline)].filter(Boolean).length;
  }
  predict(rec: Rec): Outcome & { move?: string } {
    const why = this.reason?.trim();
    if (this.status === 'disqualified' && !why) return VALIDATION('reason');
    if (why && this.status !== 'disqualified') return VALIDATION('reason');
    if (this.version === 'stale') return STALE;
    if (rec.archived) return CONFLICT('archived_at');
    const from = rec.fields.status as string;
    const target = this.status ?? (this.met() === 4 ? 'qualified' : 'qualifying');
    const keep = this.status === undefined && from === 'qualified' && target === 'qualifying';
    if (keep || target === from) return { ok: true };
    if (!LEAD_STATUSES[from]!.next.includes(target)) return CONFLICT('status');
    return { ok: true, move: target };
  }
  async run(m: Model, r: Real) {
    const rec = pick(m, 'leads', this.target);
    const what = `${this.toString()} on ${rec.id}`;
    const body: Fields = { ...this.bant, ...expectedVersionOf(rec, this.version) };
    if (this.status) body.status = this.status;
    if (this.reason !== undefined) body.reason = this.reason;
    const reply = await r.call('POST', `/api/v1/leads/${rec.id}/qualify`, { body });
    const outcome = this.predict(rec);
    if (!outcome.ok) {
      expectProblem(reply, outcome, what);
      if (outcome.status === 409 && outcome.field === 'status') expect(reply.body.allowed, what).toEqual(LEAD_STATUSES[rec.fields.status as string]!.next);
      await expectUnchanged(r, 'leads', rec, what);
      return;
    }
    expectStatus(reply, 200, what);
    const from = rec.fields.status;
    if (outcome.move) {
      rec.fields.status = outcome.move;
      if (outcome.move === 'disqualified') rec.fields.lost_reason = this.reason!.trim();
      rec.version++;
    }
    expect(reply.body.bant_met, what).toBe(this.met());
    expect(reply.body.status_change, what).toEqual(outcome.move ? { from, to: outcome.move } : null);
    expectRecord('leads', reply.body.lead, rec, what);
  }
}

/**
 * sales.convert_lead of a qualified lead: to a company of the run (`company`), or to the
 * company its company_name names (ignoring case; the oldest not archived) or, with none, to a
 * new company (status contacted) whose primary contact is the lead's person. The contact is the
 * company's contact of the same name (ignoring case; the oldest not archived) or a new one.
 */
class ConvertLeadCmd implements Cmd {
  constructor(
    readonly target: number,
    readonly company: number | 'match',
    /** `qualified`: the target-th of the leads that can convert (qualified, not archived), when there is one. */
    readonly among: 'qualified' | 'any',
  ) {}
  check = (m: Readonly<Model>) => m.records.leads.length > 0 && (this.company === 'match' || m.records.companies.length > 0);
  toString() {
    return `convert_lead(leads@${this.target}${this.among === 'qualified' ? ' of the qualified' : ''}, company=${this.company === 'match' ? 'match' : `companies@${this.company}`})`;
  }
  async run(m: Model, r: Real) {
    const ready = m.records.leads.filter((l) => l.fields.status === 'qualified' && !l.archived);
    const lead = this.among === 'qualified' && ready.length ? ready[this.target % ready.length]! : pick(m, 'leads', this.target);
    const linked = this.company === 'match' ? undefined : pick(m, 'companies', this.company);
    const what = `${this.toString()} on ${lead.id}${linked ? ` to ${linked.id}` : ''}`;
    const reply = await r.call('POST', `/api/v1/leads/${lead.id}/convert`, { body: linked ? { company_id: linked.id } : {} });
    const oldest = (xs: Rec[]) => [...xs].sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id < b.id ? -1 : 1))[0];
    const companyName = lead.fields.company_name;
    const matched = linked ?? (blank(companyName) ? undefined : oldest(m.records.companies.filter((c) => !c.archived && lower(c.fields.name) === lower(companyName))));
    let outcome: Outcome;
    if (lead.archived) outcome = CONFLICT('archived_at');
    else if (lead.fields.status !== 'qualified') outcome = CONFLICT('status');
    else if (linked?.archived) outcome = VALIDATION('company_id');
    else if (!matched && blank(companyName)) outcome = VALIDATION('company.name');
    else outcome = { ok: true };
    if (!outcome.ok) {
      expectProblem(reply, outcome, what);
      await expectUnchanged(r, 'leads', lead, what);
      if (linked) await expectUnchanged(r, 'companies', linked, what);
      return;
    }
    expectStatus(reply, 200, what);
    const person = [lead.fields.first_name, lead.fields.last_name].filter((s) => !blank(s)).map((s) => (s as string).trim()).join(' ');
    let company = matched;
    if (!company) {
      company = { id: reply.body.company?.id, createdAt: reply.body.company?.created_at, version: 1, archived: false, fields: { ...DEFAULTS.companies, name: (companyName as string).trim(), status: 'contacted' } };
      m.records.companies.push(company);
    }
    expect({ created: reply.body.company_created, by: reply.body.company_matched_by }, what).toEqual({ created: !matched, by: linked ? 'company_id' : matched ? 'name' : null });
    const existing = oldest(m.records.contacts.filter((c) => !c.archived && c.fields.company_id === company!.id && lower(c.fields.name) === lower(person)));
    let contact = existing;
    if (!contact) {
      contact = { id: reply.body.contact?.id, createdAt: reply.body.contact?.created_at, version: 1, archived: false, fields: { ...DEFAULTS.contacts, name: person, company_id: company.id } };
      m.records.contacts.push(contact);
      // A new company's first contact becomes its primary contact: one more write of the company.
      if (!matched) company.version++;
    }
    expect(reply.body.contact_created, what).toBe(!existing);
    expectRecord('contacts', reply.body.contact, contact, `${what}: the contact`);
    expectRecord('companies', reply.body.company, company, `${what}: the company`);
    Object.assign(lead.fields, { status: 'converted', company_id: company.id, converted_to_account_id: company.id, converted_contact_id: contact.id });
    lead.version++;
    expectRecord('leads', reply.body.lead, lead, what);
    expect(reply.body.deal, what).toBeNull();
  }
}

// ---------------------------------------------------------------------------
// Import

type RowOutcome = 'created' | 'updated' | 'skipped' | 'error';

/** The oldest of these records (by created_at, then id); records the file creates come after every stored one. */
function oldest(recs: Rec[]): Rec | undefined {
  const key = (x: Rec) => (x.createdAt ? `0${x.createdAt}|${x.id}` : '1');
  return [...recs].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0))[0];
}

/** What the model expects of one import: each row's outcome, the row errors, and the records it will create or fill. */
class ImportPlan {
  outcomes: RowOutcome[] = [];
  errors: Array<[number, string]> = [];
  /** Records the file creates, in file order: no id yet. */
  created: Record<'companies' | 'contacts', Rec[]> = { companies: [], contacts: [] };
  filled: Record<'companies' | 'contacts', Set<Rec>> = { companies: new Set(), contacts: new Set() };
  /** A contact the file creates at a company the file creates: its company_id is known once that company's is. */
  companyOf = new Map<Rec, Rec>();

  /** The records of a kind a row may match: the run's, then those the file created so far. */
  known(m: Readonly<Model>, kind: 'companies' | 'contacts'): Rec[] {
    return [...m.records[kind], ...this.created[kind]].filter((x) => !x.archived);
  }
  /** A matched record: skipped, or its blank fields filled by the row's (one more write when anything is filled). */
  match(kind: 'companies' | 'contacts', rec: Rec, values: Fields, onDuplicate: string | undefined): void {
    if (onDuplicate === 'skip') return void this.outcomes.push('skipped');
    const fills = Object.fromEntries(Object.entries(values).filter(([k, v]) => v !== null && blank(rec.fields[k])));
    if (Object.keys(fills).length === 0) return void this.outcomes.push('skipped');
    Object.assign(rec.fields, fills);
    rec.version++;
    if (rec.id) this.filled[kind].add(rec);
    this.outcomes.push('updated');
  }
  create(kind: 'companies' | 'contacts', fields: Fields): Rec {
    const rec: Rec = { id: '', createdAt: '', version: 1, archived: false, fields: { ...DEFAULTS[kind], ...fields } };
    this.created[kind].push(rec);
    return rec;
  }
}

/** Starts an import of this CSV, lets the worker run it to its end, and answers the finished job. */
async function runImport(r: Real, what: string, target: string, csv: string, rows: number, onDuplicate: string | undefined): Promise<any> {
  const job = await r.call('POST', '/api/v1/imports', { body: { target, csv, ...(onDuplicate ? { options: { on_duplicate: onDuplicate } } : {}) } });
  expectStatus(job, 201, what);
  expect(job.body.total_rows, what).toBe(rows);
  await r.drainImports();
  const status = await r.call('GET', `/api/v1/imports/${job.body.id}`);
  expectStatus(status, 200, what);
  return status.body;
}

/** The job's counts and row errors are the plan's; the records it created and filled read back as the plan has them, and join the model. */
async function settleImport(m: Model, r: Real, what: string, job: any, plan: ImportPlan, rows: number): Promise<void> {
  const count = (o: RowOutcome) => plan.outcomes.filter((x) => x === o).length;
  expect(
    { status: job.status, processed: job.processed_rows, created: job.created_count, updated: job.updated_count, skipped: job.skipped_count, errors: job.error_count },
    `${what}: the job's counts`,
  ).toEqual({ status: 'completed', processed: rows, created: count('created'), updated: count('updated'), skipped: count('skipped'), errors: count('error') });
  expect((job.errors as Array<{ row: number; field: string }>).map((e) => [e.row, e.field]), `${what}: the rows reported`).toEqual(plan.errors);
  for (const kind of ['companies', 'contacts'] as const) {
    const before = new Set(m.records[kind].map((x) => x.id));
    const all = await listAll(r, m, kind, ownerOf(r), { archived: 'include', limit: 200 }, `${what}: the ${kind} after it`);
    const fresh = all.filter((x) => !before.has(x.id));
    // A created record is the one of its name (and company): no two records the file creates share both.
    const keyOf = (name: unknown, company: unknown) => `${lower(name)}|${String(company ?? '')}`;
    const plannedKey = (rec: Rec) => keyOf(rec.fields.name, kind === 'contacts' ? (plan.companyOf.get(rec)?.id ?? rec.fields.company_id) : '');
    const freshKey = (x: any) => keyOf(x.name, kind === 'contacts' ? x.company_id : '');
    expect(fresh.map(freshKey).sort(), `${what}: the ${kind} created`).toEqual(plan.created[kind].map(plannedKey).sort());
    for (const rec of plan.created[kind]) {
      const row = fresh.find((x) => freshKey(x) === plannedKey(rec))!;
      Object.assign(rec, { id: row.id, createdAt: row.created_at });
      const company = plan.companyOf.get(rec);
      if (company) rec.fields.company_id = company.id;
      expectRecord(kind, row, rec, `${what}: ${singularOf(kind)} ${String(rec.fields.name)}`);
      m.records[kind].push(rec);
    }
    for (const rec of plan.filled[kind]) {
      const row = all.find((x) => x.id === rec.id);
      expectRecord(kind, row, rec, `${what}: ${singularOf(kind)} ${String(rec.fields.name)}, filled`);
    }
  }
}
const singularOf = (kind: Kind) => kind.replace(/ies$/, 'y').replace(/s$/, '');

type CompanyRow = { word: number; upper: boolean; blankName: boolean; location: string | null; tier: 'none' | 'bad' | string };

/**
 * A CSV import of companies (name, location, tier), run to its end by the worker: each row
 * matches a company of the run not archived (or an earlier row) by name ignoring case and fills
 * its blank fields (or is skipped), else is created; a row without a name or with an unknown
 * tier is reported by row and field and writes nothing.
 */
class ImportCompaniesCmd implements Cmd {
  constructor(
    readonly rows: CompanyRow[],
    readonly onDuplicate: 'skip' | 'fill_blanks' | undefined,
  ) {}
  check = () => true;
  toString() {
    return `import_companies(${JSON.stringify(this.rows)}, on_duplicate=${this.onDuplicate ?? 'default'})`;
  }
  async run(m: Model, r: Real) {
    const what = this.toString();
    const cells = this.rows.map((row) => [row.blankName ? '' : runName(m, row.word, row.upper), row.location ?? '', row.tier === 'none' ? '' : row.tier === 'bad' ? 'Platinum' : row.tier]);
    const csv = ['name,location,tier', ...cells.map((c) => c.join(','))].join('\n') + '\n';
    const job = await runImport(r, what, 'companies', csv, this.rows.length, this.onDuplicate);
    const plan = new ImportPlan();
    this.rows.forEach((row, i) => {
      const name = cells[i]![0]!;
      // An enum cell is read ignoring case ("Growth" is growth).
      const tier = row.tier === 'none' ? null : row.tier === 'bad' ? undefined : row.tier.toLowerCase();
      const bad = [...(row.blankName ? ['name'] : []), ...(tier === undefined ? ['tier'] : [])];
      if (bad.length) {
        plan.outcomes.push('error');
        for (const f of bad) plan.errors.push([i + 1, f]);
        return;
      }
      const known = oldest(plan.known(m, 'companies').filter((c) => lower(c.fields.name) === lower(name)));
      if (known) return plan.match('companies', known, { location: row.location, tier }, this.onDuplicate);
      plan.create('companies', { name, location: row.location, tier });
      plan.outcomes.push('created');
    });
    await settleImport(m, r, what, job, plan, this.rows.length);
  }
}

type ContactRow = { first: number; last: number | null; upper: boolean; blankName: boolean; company: { word: number; upper: boolean }; role_title: string | null };

/**
 * A CSV import of contacts (name, company_name, role_title): each row's company is the run's
 * company of that name ignoring case (not archived; the oldest), or one the file created, or is
 * created; the contact is that company's contact of the same name ignoring case (filled or
 * skipped), or is created. A row without a name is reported and creates nothing, not even its company.
 */
class ImportContactsCmd implements Cmd {
  constructor(
    readonly rows: ContactRow[],
    readonly onDuplicate: 'skip' | 'fill_blanks' | undefined,
  ) {}
  check = () => true;
  toString() {
    return `import_contacts(${JSON.stringify(this.rows)}, on_duplicate=${this.onDuplicate ?? 'default'})`;
  }
  async run(m: Model, r: Real) {
    const what = this.toString();
    const cells = this.rows.map((row) => [row.blankName ? '' : personName(row.first, row.last, row.upper), runName(m, row.company.word, row.company.upper), row.role_title ?? '']);
    const csv = ['name,company_name,role_title', ...cells.map((c) => c.join(','))].join('\n') + '\n';
    const job = await runImport(r, what, 'contacts', csv, this.rows.length, this.onDuplicate);
    const plan = new ImportPlan();
    this.rows.forEach((row, i) => {
      const [name, companyName] = cells[i]! as [string, string];
      if (row.blankName) {
        plan.outcomes.push('error');
        plan.errors.push([i + 1, 'name']);
        return;
      }
      const company = oldest(plan.known(m, 'companies').filter((c) => lower(c.fields.name) === lower(companyName))) ?? plan.create('companies', { name: companyName });
      const sameCompany = (c: Rec) => (company.id ? c.fields.company_id === company.id : plan.companyOf.get(c) === company);
      const known = oldest(plan.known(m, 'contacts').filter((c) => sameCompany(c) && lower(c.fields.name) === lower(name)));
      if (known) return plan.match('contacts', known, { role_title: row.role_title }, this.onDuplicate);
      const contact = plan.create('contacts', { name, role_title: row.role_title, company_id: company.id || null });
      if (!company.id) plan.companyOf.set(contact, company);
      plan.outcomes.push('created');
    });
    await settleImport(m, r, what, job, plan, this.rows.length);
  }
}

// ---------------------------------------------------------------------------
// The whole state

/** Every record of the run, archived or not, read through the API and compared with the model. */
export async function compareAll(m: Readonly<Model>, r: Real): Promise<void> {
  for (const kind of KINDS) {
    const got = await listAll(r, m, kind, ownerOf(r), { archived: 'include', limit: 200 }, `all ${kind}`);
    const byId = (a: Fields, b: Fields) => (String(a.id) < String(b.id) ? -1 : 1);
    expect(got.map((x) => apiView(kind, x)).sort(byId), `the ${kind} of the run, at the end`).toEqual(m.records[kind].map((x) => modelView(kind, x)).sort(byId));
  }
}

// ---------------------------------------------------------------------------
// The command arbitraries

const kindArb = fc.constantFrom<Kind>(...KINDS);
const targetArb = fc.nat(50);

const createArb = kindArb.chain((kind) =>
  fc.tuple(specArb(kind), flawArb, fc.constantFrom<'none' | 'retry' | 'retry_other' | 'concurrent'>('none', 'none', 'none', 'none', 'retry', 'retry_other', 'concurrent')).map(([spec, flaw, idem]) => new CreateCmd(spec, flaw, flaw ? 'none' : idem) as Cmd),
);
const updateArb = kindArb.chain((kind) =>
  fc.tuple(targetArb, changesArb(kind), ifMatchArb, flawOf(FLAWS.filter((f) => f !== 'missing_name'))).map(
    ([t, c, im, flaw]) => new UpdateCmd(kind, t, c, im, flaw) as Cmd,
  ),
);
const raceArb = fc.tuple(kindArb, targetArb, fc.nat(5), fc.nat(5), fc.boolean()).map(([k, t, a, b, g]) => new RaceUpdateCmd(k, t, a, b, g) as Cmd);
const archiveArb = fc.tuple(kindArb, targetArb, fc.boolean(), ifMatchArb).map(([k, t, a, im]) => new ArchiveCmd(k, t, a, im) as Cmd);
const getArb = fc.tuple(kindArb, fc.oneof({ arbitrary: targetArb, weight: 4 }, { arbitrary: fc.constant<'unknown'>('unknown'), weight: 1 })).map(([k, t]) => new GetCmd(k, t) as Cmd);
const listArb = fc
  .tuple(kindArb, fc.constantFrom<Archived>(undefined, 'exclude', 'include', 'only'), fc.constantFrom<ListSort | undefined>(undefined, '-created_at', 'created_at', 'version', '-version'), fc.integer({ min: 1, max: 4 }))
  .map(([k, a, s, l]) => new ListCmd(k, a, s, l) as Cmd);
const versionArb = fc.constantFrom<VersionHow>('none', 'none', 'current', 'stale');
const moveArb = fc
  .tuple(
    targetArb,
    fc.oneof(
      { arbitrary: fc.record({ via: fc.constant<'stage'>('stage'), stage: dealStageArb, reason: seldom(fc.constantFrom(...REASONS)) }, { requiredKeys: ['via', 'stage'] }) as fc.Arbitrary<DealMove>, weight: 2 },
      { arbitrary: fc.record({ via: fc.constant<'stage'>('stage'), stage: fc.constant('next'), next: fc.nat(2) }) as fc.Arbitrary<DealMove>, weight: 3 },
      { arbitrary: fc.constant<DealMove>({ via: 'won' }), weight: 1 },
      { arbitrary: fc.record({ via: fc.constant<'lost'>('lost'), reason: fc.constantFrom('budget cut', 'went with a rival') }) as fc.Arbitrary<DealMove>, weight: 1 },
    ),
    versionArb,
    rarely(4),
  )
  .map(([t, mv, v, retried]) => new MoveDealCmd(t, mv, v, retried) as Cmd);
const boolOpt = optNull(fc.boolean());
const qualifyArb = fc
  .tuple(
    targetArb,
    fc.record({ has_budget: boolOpt, decision_maker: boolOpt, need_identified: boolOpt, timeline: optNull(fc.constantFrom('this quarter', ' ')) }, { requiredKeys: [] }),
    fc.constantFrom<'qualifying' | 'qualified' | 'disqualified' | undefined>(undefined, undefined, 'qualified', 'qualified', 'qualifying', 'disqualified'),
    seldom(fc.constantFrom('no budget', ' ')),
    versionArb,
  )
  .map(([t, b, s, reason, v]) => new QualifyLeadCmd(t, b as Bant, s, reason, v) as Cmd);
const convertArb = fc
  .tuple(targetArb, fc.oneof(targetArb, fc.constant<'match'>('match')), fc.constantFrom<'qualified' | 'any'>('qualified', 'qualified', 'any'))
  .map(([t, c, among]) => new ConvertLeadCmd(t, c, among) as Cmd);
const onDuplicateArb = fc.constantFrom<'skip' | 'fill_blanks' | undefined>(undefined, 'fill_blanks', 'skip');
const companyRowArb: fc.Arbitrary<CompanyRow> = fc
  .record({
    word: fc.nat(3),
    upper: fc.boolean(),
    blankName: rarely(8),
    location: fc.option(fc.constantFrom(...LOCATIONS), { nil: null }),
    tier: fc.constantFrom('none', 'none', 'bad', 'strategic', 'Growth', 'standard'),
  })
  // A row of empty cells is no row at all: a row without a name says where it is.
  .map((row) => (row.blankName && row.location === null ? { ...row, location: 'Perth' } : row));
const contactRowArb: fc.Arbitrary<ContactRow> = fc.record({
  first: fc.nat(2),
  last: fc.option(fc.nat(1), { nil: null }),
  upper: fc.boolean(),
  blankName: rarely(8),
  company: fc.record({ word: fc.nat(3), upper: fc.boolean() }),
  role_title: fc.option(fc.constantFrom('CFO', 'Ops'), { nil: null }),
});
const importArb = fc.oneof(
  fc.tuple(fc.array(companyRowArb, { minLength: 1, maxLength: 6 }), onDuplicateArb).map(([rows, d]) => new ImportCompaniesCmd(rows, d) as Cmd),
  fc.tuple(fc.array(contactRowArb, { minLength: 1, maxLength: 6 }), onDuplicateArb).map(([rows, d]) => new ImportContactsCmd(rows, d) as Cmd),
);

/** Every command, weighted so that records exist before most verbs name them. */
export const commandArbs: fc.Arbitrary<Cmd>[] = [
  createArb,
  createArb,
  createArb,
  createArb,
  updateArb,
  updateArb,
  raceArb,
  archiveArb,
  archiveArb,
  getArb,
  listArb,
  moveArb,
  qualifyArb,
  convertArb,
  importArb,
];
