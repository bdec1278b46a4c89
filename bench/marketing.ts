/**
 * Benchmark 7: campaigns and the sales assistant, each through the core (in this process,
 * `invoke` with the local operator, an administrator) against a bare baseline doing the same
 * database or network work with the driver or fetch directly. Core and bare take turns run by
 * run, so noise on the shared machine falls on both alike; the ratios are the figures.
 *
 * - add_targets: L leads are seeded by SQL (statuses, sources and scores spread as in use, 1%
 *   archived). The segment is the open statuses (new, contacted, qualifying, qualified) with
 *   the lowest min_score that keeps it under campaigns.add_targets's cap (MAX_SEGMENT; a
 *   larger segment is refused), so it matches as many leads as one call may take. Each run
 *   adds it to a fresh campaign: core = campaigns.add_targets with that segment; bare = one
 *   transaction with `insert into campaign_targets … select … from leads where …` and the
 *   status_history rows, as one statement.
 * - performance: campaigns.performance on the first of those campaigns (its targets spread
 *   over the target statuses, 24 monthly metric periods), against the bare
 *   `select status, count(*) from campaign_targets … group by status`.
 * - research: assistant.research on one contact (a company with an industry and linked
 *   services, 20 interactions, 12 notes, 2 open deals) with the model at test/fake-llm.ts's
 *   fake OpenAI-compatible server, scripted to answer a valid research JSON at once; against
 *   fetch of the same request body to the same fake server. The difference is what the core
 *   costs per research call (gather, prompt, usage log, insert).
 */
import os from 'node:os';
import { MAX_SEGMENT } from '../src/core/sales/campaigns.ts';
import { LOCAL_OPERATOR, makeCtx, type Ctx, type LlmSettings } from '../src/core/context.ts';
import { invoke, operationByName } from '../src/core/registry.ts';
import { createRecord, insertRecord, type Row } from '../src/core/resource.ts';
import { resource } from '../src/core/resources.ts';
import type { Database } from '../src/db/client.ts';
import { inTransaction } from '../src/demo/scale.ts';
import type { FakeLlm } from '../test/fake-llm.ts';

export type Pair = { core: number[]; bare: number[] };
export type MarketingRun = {
  label: string;
  /** Load average (1 min) when this backend's part of the phase began. */
  load: string;
  leads: number;
  segment: { statuses: string[]; minScore: number; matched: number };
  addTargets: Pair;
  performance: Pair & { targets: number; periods: number };
  research: Pair & { promptBytes: number; callsMade: number; logsWritten: number; researchWritten: number };
};
export type MarketingOptions = { leads: number; runs: number; perfCalls: number; researchCalls: number };

const OPEN = ['new', 'contacted', 'qualifying', 'qualified'];
/** Margin under the cap, so the segment never brushes against it. */
const SEGMENT_MAX = Math.floor(MAX_SEGMENT * 0.95);
const MODEL = 'bench-model';
const API_KEY = 'sk-bench-0000';

export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

async function timed<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const t0 = performance.now();
  const out = await fn();
  return [performance.now() - t0, out];
}

/** L leads in one statement per 100,000: statuses, sources and scores spread as a real pipeline's are; every 100th archived. */
export function leadsSql(from: number, to: number): string {
  return `
    insert into leads (email, first_name, last_name, contact_title, company_name, company_website, industry, company_size,
                       source, score, status, utm_source, utm_medium, utm_campaign, converted_at, lost_reason,
                       created_at, updated_at, archived_at)
    select 'lead' || n || '@prospect-' || (n % 9973) || '.example.com', 'Lead', n::text,
           (array['Director','Operations Manager','Owner','Estimator','Project Manager'])[n % 5 + 1],
           'Prospect ' || (n % 9973), 'https://prospect-' || (n % 9973) || '.example.com',
           (array['construction','engineering','architecture','trades','property'])[n % 5 + 1],
           (array['1-10','11-50','51-200','201-1000'])[n % 4 + 1],
           src,
           least(100, case st when 'new' then 5 when 'contacted' then 15 when 'qualifying' then 30 when 'qualified' then 50
                              when 'converted' then 60 else 0 end + h % 41),
           st,
           case when src in ('marketing','social','linkedin') then src end,
           case when src in ('marketing','social','linkedin') then 'cpc' end,
           case when src in ('marketing','social','linkedin') then 'spring-' || (n % 4) end,
           case when st = 'converted' then created + interval '20 days' end,
           case when st = 'lost' then 'no budget this year' end,
           created, created,
           case when n % 100 = 0 then now() - interval '3 days' end
      from (select n, h, created,
                   case when sb < 30 then 'new' when sb < 52 then 'contacted' when sb < 65 then 'qualifying'
                        when sb < 75 then 'qualified' when sb < 83 then 'converted' when sb < 92 then 'disqualified' else 'lost' end as st,
                   case when rb < 30 then 'website' when rb < 42 then 'referral' when rb < 57 then 'linkedin' when rb < 65 then 'social'
                        when rb < 72 then 'event' when rb < 82 then 'inbound' when rb < 88 then 'outbound' when rb < 95 then 'marketing'
                        when rb < 98 then 'direct' else 'other' end as src
              from (select n, (n * 7919) % 100 as sb, (n * 104729 + 17) % 100 as rb, (n * 2654435761) % 1000 as h,
                           now() - ((n * 7) % 730) * interval '1 day' - (n % 86400) * interval '1 second' as created
                      from generate_series(${from}::bigint, ${to}::bigint) as n) a) b`;
}

async function newCampaign(database: Database, name: string): Promise<string> {
  const [c] = await database.query<{ id: string }>(
    `insert into campaigns (name, type, status, budget, currency, start_date, description)
     values ($1, 'email', 'active', 50000, 'USD', current_date - 730, 'bench') returning id`,
    [name],
  );
  return c!.id;
}

/** The open-status segment with the lowest min_score that matches at most SEGMENT_MAX leads. */
async function chooseSegment(database: Database): Promise<MarketingRun['segment']> {
  const rows = await database.query<{ score: number; n: number }>(
    `select score, count(*)::int as n from leads where archived_at is null and status = any($1::text[]) group by score order by score desc`,
    [OPEN],
  );
  let total = 0;
  let minScore = -1;
  for (const r of rows) {
    if (total + Number(r.n) > SEGMENT_MAX) break;
    total += Number(r.n);
    minScore = Number(r.score);
  }
  if (minScore < 0) throw new Error(`marketing: even min_score 100 matches more than ${SEGMENT_MAX} leads; seed fewer (BENCH_MARKETING_LEADS)`);
  return { statuses: OPEN, minScore, matched: total };
}

async function addTargetsBench(database: Database, ctx: Ctx, opts: MarketingOptions, label: string, progress: (m: string) => void) {
  const seg = await chooseSegment(database);
  progress(`${label} marketing: segment status ∈ {${seg.statuses.join(', ')}}, min_score ${seg.minScore}: ${seg.matched.toLocaleString('en')} leads (cap ${MAX_SEGMENT.toLocaleString('en')})`);
  const op = operationByName.get('campaigns.add_targets')!;
  let k = 0;
  const core = async () => {
    const id = await newCampaign(database, `bench core ${k++}`);
    const [ms, r] = await timed(() => invoke(op, ctx, { campaign_id: id, segment: { leads: { status: seg.statuses, min_score: seg.minScore } } }));
    const res = r as { added: number; matched?: number };
    if (res.added !== seg.matched || res.matched !== seg.matched) throw new Error(`add_targets added ${res.added} of ${seg.matched} (matched ${res.matched})`);
    return { ms, id };
  };
  const bare = async () => {
    const id = await newCampaign(database, `bench bare ${k++}`);
    const [ms, n] = await timed(() =>
      inTransaction(database, async (q) => {
        const [r] = await q<{ n: number }>(
          `with ins as (
             insert into campaign_targets (campaign_id, target_type, target_id, status, created_at, updated_at)
             select $1::uuid, 'lead', l.id, 'pending', now(), now() from leads l
              where l.archived_at is null and l.status = any($2::text[]) and l.score >= $3
             returning id),
           hist as (
             insert into status_history (entity_type, entity_id, status, from_status, entered_at, changed_by, created_at)
             select 'campaign_target', ins.id, 'pending', null, now(), null, now() from ins
             returning 1)
           select (select count(*) from hist)::int as n`,
          [id, seg.statuses, seg.minScore],
        );
        return Number(r!.n);
      }),
    );
    if (n !== seg.matched) throw new Error(`bare add wrote ${n} of ${seg.matched}`);
    return { ms, id };
  };
  // One untimed run of each, then core and bare take turns.
  const first = await core();
  await bare();
  const out: Pair = { core: [], bare: [] };
  for (let i = 0; i < opts.runs; i++) {
    out.core.push((await core()).ms);
    out.bare.push((await bare()).ms);
  }
  const [check] = await database.query<{ t: number; h: number }>(
    `select (select count(*) from campaign_targets where campaign_id = $1)::int as t,
            (select count(*) from status_history h where h.entity_type = 'campaign_target' and h.entity_id in (select id from campaign_targets where campaign_id = $1))::int as h`,
    [first.id],
  );
  if (check!.t !== seg.matched || check!.h !== seg.matched) throw new Error(`add_targets left ${check!.t} targets and ${check!.h} history rows, not ${seg.matched}`);
  progress(
    `${label} marketing: add_targets median ${median(out.core).toFixed(0)} ms, bare ${median(out.bare).toFixed(0)} ms (${opts.runs} runs each, ${seg.matched} targets per run)`,
  );
  return { seg, addTargets: out, campaignId: first.id };
}

async function performanceBench(database: Database, ctx: Ctx, campaignId: string, opts: MarketingOptions, label: string, progress: (m: string) => void) {
  // A funnel as a running campaign has one, and 24 monthly periods of metrics.
  await database.query(
    `update campaign_targets set status = case when h < 40 then 'pending' when h < 75 then 'sent' when h < 90 then 'opened' when h < 97 then 'clicked' else 'converted' end
       from (select id as tid, abs(hashtext(id::text)) % 100 as h from campaign_targets where campaign_id = $1) x
      where id = x.tid`,
    [campaignId],
  );
  await database.query(
    `insert into campaign_metrics (campaign_id, period, impressions, opens, clicks, conversions, spend, revenue, currency)
     select $1::uuid, (date_trunc('month', current_date) - (m || ' months')::interval)::date,
            20000 + m * 311, 6000 + m * 97, 900 + m * 13, 40 + m, 1500 + m * 25.5, 4000 + m * 110.25, 'USD'
       from generate_series(0, 23) m`,
    [campaignId],
  );
  await database.query('analyze campaign_targets, campaign_metrics, status_history');
  const op = operationByName.get('campaigns.performance')!;
  const core = async () => {
    const [ms, r] = await timed(() => invoke(op, ctx, { id: campaignId }));
    const res = r as { targets: { total: number }; totals: { periods: number } };
    return { ms, targets: res.targets.total, periods: res.totals.periods };
  };
  const bareSql = `select status, count(*)::int as n from campaign_targets where campaign_id = $1 and archived_at is null group by status`;
  const bare = async () => (await timed(() => database.query(bareSql, [campaignId])))[0];
  let last = { targets: 0, periods: 0 };
  for (let i = 0; i < 10; i++) {
    last = await core();
    await bare();
  }
  const out: Pair = { core: [], bare: [] };
  for (let i = 0; i < opts.perfCalls; i++) {
    const c = await core();
    out.core.push(c.ms);
    out.bare.push(await bare());
  }
  progress(`${label} marketing: performance median ${median(out.core).toFixed(1)} ms, bare ${median(out.bare).toFixed(1)} ms (${opts.perfCalls} calls each)`);
  return { ...out, targets: last.targets, periods: last.periods };
}

/** One contact worth researching: company with an industry and two linked services, history, notes and open deals. */
async function seedResearchWorld(ctx: Ctx): Promise<{ contactId: string; serviceIds: string[] }> {
  const industry = String((await createRecord(ctx, resource('industries'), { name: `Construction bench ${process.pid}` })).id);
  const services: Row[] = [];
  for (const [name, category] of [['AI Readiness Audit', 'consulting'], ['AI Foundations', 'training'], ['Estimating Copilot', 'integration']] as const) {
    services.push(await createRecord(ctx, resource('services'), { name: `${name} ${process.pid}`, service_category: category, description: `${name}: what it does, for whom, in a few sentences.` }));
  }
  for (const s of services.slice(0, 2)) {
    await createRecord(ctx, resource('industry_services'), { industry_id: industry, service_id: s.id, fit_notes: 'Builders with 15–60 staff lose days to paperwork' });
  }
  const company = await createRecord(ctx, resource('companies'), {
    name: 'Kovac Builders',
    industry_id: industry,
    size: '25 staff',
    website: 'https://kovac.example',
    description: 'Residential builder in Parramatta: new homes, extensions and renovations, with two estimators and a site team of twenty.',
  });
  const contact = await createRecord(ctx, resource('contacts'), { name: 'Dana Kovac', email: 'dana@kovac.example', company_id: company.id, role_title: 'Director', is_decision_maker: true });
  const types = ['meeting', 'call', 'email', 'site_visit', 'follow_up_email'] as const;
  for (let i = 0; i < 20; i++) {
    await createRecord(ctx, resource('interactions'), {
      company_id: company.id,
      contact_id: i % 3 === 2 ? null : contact.id,
      type: types[i % types.length],
      direction: i % 2 ? 'inbound' : 'outbound',
      interaction_date: new Date(Date.now() - (i + 1) * 5 * 86_400_000).toISOString(),
      subject: `Touchpoint ${i + 1}: estimating and take-offs`,
      summary: 'Estimators lose a day a week to take-offs; the director wants fewer evenings on quotes and a clearer view of margins per job.',
      outcome: 'interested',
      sentiment: 'positive',
      next_step: 'Send the audit outline and book a site visit',
    });
  }
  for (let i = 0; i < 12; i++) {
    await createRecord(ctx, resource('notes'), {
      related_id: i < 8 ? contact.id : company.id,
      note_type: i < 8 ? 'contact' : 'company',
      note_text: `Note ${i + 1}: prefers email in the morning; uses spreadsheets for quotes; budget decisions in March; asked about training for estimators.`,
    });
  }
  for (const name of ['Kovac Foundations', 'Kovac Estimating Pilot']) await createRecord(ctx, resource('deals'), { name, company_id: company.id });
  await insertRecord(ctx, resource('llm_model_prices'), { provider: 'openai', model: MODEL, input_price_per_mtok: '3.000000', output_price_per_mtok: '15.000000', currency: 'USD', effective_from: '2020-01-01' });
  return { contactId: String(contact.id), serviceIds: services.slice(0, 2).map((s) => String(s.id)) };
}

async function researchBench(database: Database, fake: FakeLlm, opts: MarketingOptions, label: string, progress: (m: string) => void) {
  const llm: LlmSettings = { provider: 'openai', baseUrl: `${fake.url}/v1`, apiKey: API_KEY, model: MODEL, timeoutMs: 10_000, maxTokens: 800 };
  const ctx = makeCtx(database.db, { actor: LOCAL_OPERATOR, timeZone: 'UTC', runtime: { environment: 'development', allowPrivateTargets: true, llm } });
  const { contactId, serviceIds } = await seedResearchWorld(ctx);
  const answer = {
    reply: JSON.stringify({
      summary: 'Dana runs a 25-person residential builder; the estimators lose a day a week to take-offs and quotes run into the evenings.',
      key_insights: ['Take-offs are the bottleneck', 'Prefers email in the morning', 'Budget decisions in March', 'Two open deals'],
      recommended_solutions: serviceIds.map((id) => ({ service_id: id, reason: 'Fits a builder of this size' })),
      confidence: 72,
    }),
    usage: { prompt: 2400, completion: 180 },
  };
  const count = async () => {
    const [r] = await database.query<{ logs: number; research: number }>(
      `select (select count(*) from llm_usage_logs)::int as logs, (select count(*) from prospect_research)::int as research`,
    );
    return { logs: Number(r!.logs), research: Number(r!.research) };
  };
  const before = await count();
  const op = operationByName.get('assistant.research')!;
  let callsMade = 0;
  let body = '';
  const core = async () => {
    fake.script(answer);
    const [ms, r] = await timed(() => invoke(op, ctx, { contact_id: contactId }));
    callsMade++;
    const row = r as { warnings: string[]; recommended_solutions: unknown[] };
    if (row.warnings.length || row.recommended_solutions.length !== serviceIds.length) throw new Error(`research answered warnings ${JSON.stringify(row.warnings)}`);
    if (!body) body = JSON.stringify(fake.requests.at(-1)!.body);
    return ms;
  };
  const headers = { 'content-type': 'application/json', accept: 'application/json', authorization: `Bearer ${API_KEY}` };
  const bare = async () => {
    fake.script(answer);
    const [ms] = await timed(async () => {
      const res = await fetch(`${llm.baseUrl}/chat/completions`, { method: 'POST', headers, body });
      const j = JSON.parse(await res.text()) as { choices: { message: { content: string } }[] };
      if (res.status !== 200 || !j.choices[0]!.message.content) throw new Error(`fake answered ${res.status}`);
    });
    return ms;
  };
  for (let i = 0; i < 5; i++) {
    await core();
    await bare();
  }
  const out: Pair = { core: [], bare: [] };
  for (let i = 0; i < opts.researchCalls; i++) {
    out.core.push(await core());
    out.bare.push(await bare());
    fake.reset(); // the fake keeps every request; nothing scripted is pending here
  }
  const after = await count();
  const r = { ...out, promptBytes: Buffer.byteLength(body), callsMade, logsWritten: after.logs - before.logs, researchWritten: after.research - before.research };
  if (r.logsWritten !== callsMade || r.researchWritten !== callsMade) {
    progress(`${label} marketing: research wrote ${r.logsWritten} usage logs and ${r.researchWritten} research rows for ${callsMade} calls`);
  }
  progress(`${label} marketing: research median ${median(out.core).toFixed(1)} ms, bare round trip ${median(out.bare).toFixed(1)} ms (${opts.researchCalls} calls each)`);
  return r;
}

/** The whole phase on one migrated database (empty of leads), with the fake model server given. */
export async function marketingBench(database: Database, label: string, opts: MarketingOptions, fake: FakeLlm, progress: (m: string) => void): Promise<MarketingRun> {
  const load = os.loadavg()[0]!.toFixed(2);
  const t0 = performance.now();
  for (let from = 1; from <= opts.leads; from += 100_000) await database.query(leadsSql(from, Math.min(opts.leads, from + 99_999)));
  await database.query('analyze leads');
  progress(`${label} marketing: seeded ${opts.leads.toLocaleString('en')} leads in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const ctx = makeCtx(database.db, { actor: LOCAL_OPERATOR, timeZone: 'UTC' });
  const { seg, addTargets, campaignId } = await addTargetsBench(database, ctx, opts, label, progress);
  const perf = await performanceBench(database, ctx, campaignId, opts, label, progress);
  const research = await researchBench(database, fake, opts, label, progress);
  return { label, load, leads: opts.leads, segment: seg, addTargets, performance: perf, research };
}
