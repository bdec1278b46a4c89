/**
 * Seed 001's AI-readiness assessment and ROI calculator: the scoring rule with hand-computed
 * examples and every tier edge, the started → completed | abandoned lifecycle and its
 * refusals, the ROI and project-estimate formulas in exact money, all-or-nothing saves,
 * permissions, record visibility and audit, through the core and through HTTP.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createApp } from '../src/api/app.ts';
import {
  abandonReadiness,
  answerReadiness,
  completeReadiness,
  scoreReadiness,
  startReadiness,
  tierFor,
  READINESS_QUESTIONS,
} from '../src/core/assessment/readiness.ts';
import {
  calculateRoi,
  calculateRoiFigures,
  divRound,
  fromUnits,
  previewCalculation,
  saveProjectEstimate,
  toUnits,
} from '../src/core/assessment/roi.ts';
import type { Ctx } from '../src/core/context.ts';
import { AppError } from '../src/core/errors.ts';
import { operationByName, invoke } from '../src/core/registry.ts';
import { createRecord, createRecords, getRecord, type Row } from '../src/core/resource.ts';
import { resource } from '../src/core/resources.ts';
import { FAST_IDENTITY, signIn, type SignedIn } from './auth.ts';
import { counts, dbSuite } from './db.ts';

const uniq = () => randomUUID().slice(0, 8);

async function refusal(p: Promise<unknown> | (() => unknown)): Promise<AppError> {
  const e = await (typeof p === 'function' ? Promise.resolve().then(p) : p).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(AppError);
  return e as AppError;
}

/** Answers q1..q10 from a list of ten numbers: technology q1–q3, process q4–q6, team q7–q8, strategy q9–q10. */
const answers = (list: number[]) => Object.fromEntries(list.map((v, i) => [`q${i + 1}`, v]));
const fieldsOf = (e: AppError) => (e.details.fields ?? []).map((f) => f.field);

describe('readiness scoring', () => {
  it('has ten questions in the four categories, split 3 + 3 + 2 + 2', () => {
    expect(READINESS_QUESTIONS.map((q) => q.id)).toEqual(['q1', 'q2', 'q3', 'q4', 'q5', 'q6', 'q7', 'q8', 'q9', 'q10']);
    expect(READINESS_QUESTIONS.map((q) => q.category)).toEqual([
      'technology', 'technology', 'technology', 'process', 'process', 'process', 'team', 'team', 'strategy', 'strategy',
    ]);
  });

  it('scores all 1s as 0 (L1) and all 5s as 100 (L5)', () => {
    const low = scoreReadiness(answers([1, 1, 1, 1, 1, 1, 1, 1, 1, 1]));
    expect(low).toMatchObject({ score: 0, tier: 'L1_ESSENTIALS', category_scores: { technology: 0, process: 0, team: 0, strategy: 0 } });
    expect(low.strengths).toEqual([]);
    expect(low.weaknesses).toHaveLength(4);
    // The tier step, then every category (all equal): heavier weight first, then technology, process, team, strategy.
    expect(low.recommendations).toHaveLength(5);
    expect(low.recommendations[0]).toMatch(/^Start with L1 Essentials/);
    expect(low.recommendations[1]).toMatch(/cloud software/);
    expect(low.recommendations[2]).toMatch(/Document the three/);
    expect(low.recommendations[3]).toMatch(/AI champion/);
    expect(low.recommendations[4]).toMatch(/measurable goals/);

    const high = scoreReadiness(answers([5, 5, 5, 5, 5, 5, 5, 5, 5, 5]));
    expect(high).toMatchObject({ score: 100, tier: 'L5_STRATEGIC', category_scores: { technology: 100, process: 100, team: 100, strategy: 100 } });
    expect(high.strengths).toHaveLength(4);
    expect(high.weaknesses).toEqual([]);
    expect(high.recommendations).toHaveLength(2);
    expect(high.recommendations[0]).toMatch(/^Start with L5 Strategic/);
    expect(high.recommendations[1]).toMatch(/^Every category is a strength/);
  });

  // score × 24 = 60 (Σtech − 3) + 50 (Σprocess − 3) + 75 (Σteam − 2) + 60 (Σstrategy − 2), rounded half up.
  const edges: Array<[number[], number, string, string]> = [
    // Σt 3, Σp 9, Σm 6, Σs 4: 0 + 50·6 + 75·4 + 60·2 = 300 + 300 + 120 = 720; 720/24 = 30
    [[1, 1, 1, 3, 3, 3, 3, 3, 1, 3], 30, 'L1_ESSENTIALS', '720/24 = 30'],
    // Σt 3, Σp 6, Σm 5, Σs 8: 0 + 50·3 + 75·3 + 60·6 = 150 + 225 + 360 = 735; 735/24 = 30.625 → 31
    [[1, 1, 1, 1, 1, 4, 1, 4, 4, 4], 31, 'L2_ADVANCED', '735/24 = 30.625'],
    // all 3s: 60·6 + 50·6 + 75·4 + 60·4 = 360 + 300 + 300 + 240 = 1200; 1200/24 = 50
    [[3, 3, 3, 3, 3, 3, 3, 3, 3, 3], 50, 'L2_ADVANCED', '1200/24 = 50'],
    // Σt 6, Σp 12, Σm 5, Σs 8: 60·3 + 50·9 + 75·3 + 60·6 = 180 + 450 + 225 + 360 = 1215; 1215/24 = 50.625 → 51
    [[1, 1, 4, 4, 4, 4, 1, 4, 4, 4], 51, 'L3_CONSULTING', '1215/24 = 50.625'],
    // Σt 3, Σp 15, Σm 10, Σs 10: 0 + 50·12 + 75·8 + 60·8 = 600 + 600 + 480 = 1680; 1680/24 = 70
    [[1, 1, 1, 5, 5, 5, 5, 5, 5, 5], 70, 'L3_CONSULTING', '1680/24 = 70'],
    // Σt 6, Σp 12, Σm 10, Σs 10: 180 + 450 + 600 + 480 = 1710; 1710/24 = 71.25 → 71
    [[2, 2, 2, 2, 5, 5, 5, 5, 5, 5], 71, 'L4_PLATFORMS', '1710/24 = 71.25'],
    // Σt 9, Σp 15, Σm 10, Σs 10: 360 + 600 + 600 + 480 = 2040; 2040/24 = 85
    [[3, 3, 3, 5, 5, 5, 5, 5, 5, 5], 85, 'L4_PLATFORMS', '2040/24 = 85'],
    // Σt 12, Σp 12, Σm 10, Σs 10: 540 + 450 + 600 + 480 = 2070; 2070/24 = 86.25 → 86
    [[2, 5, 5, 2, 5, 5, 5, 5, 5, 5], 86, 'L5_STRATEGIC', '2070/24 = 86.25'],
  ];
  for (const [list, score, tier, arithmetic] of edges) {
    it(`puts ${score} in ${tier} (${arithmetic})`, () => {
      expect(scoreReadiness(answers(list))).toMatchObject({ score, tier });
    });
  }

  it('bands whole scores L1 0–30, L2 31–50, L3 51–70, L4 71–85, L5 86–100 and refuses anything else', () => {
    const cases: Array<[number, string]> = [
      [0, 'L1_ESSENTIALS'], [30, 'L1_ESSENTIALS'], [31, 'L2_ADVANCED'], [50, 'L2_ADVANCED'], [51, 'L3_CONSULTING'],
      [70, 'L3_CONSULTING'], [71, 'L4_PLATFORMS'], [85, 'L4_PLATFORMS'], [86, 'L5_STRATEGIC'], [100, 'L5_STRATEGIC'],
    ];
    for (const [score, tier] of cases) expect(tierFor(score), String(score)).toBe(tier);
    for (const bad of [-1, 101, 50.5, Number.NaN]) expect(() => tierFor(bad)).toThrow(RangeError);
  });

  it('rounds once, half up, from the exact category scores', () => {
    // q1 = 2, the rest 1: Σt 4 → 60·1 = 60; 60/24 = 2.5 → 3 (half up). technology = 100·1/12 = 8.33 → 8.
    expect(scoreReadiness(answers([2, 1, 1, 1, 1, 1, 1, 1, 1, 1]))).toMatchObject({ score: 3, category_scores: { technology: 8 } });
    // q7 = 2, the rest 1: Σm 3 → 75·1 = 75; 75/24 = 3.125 → 3. team = 100·1/8 = 12.5 → 13.
    expect(scoreReadiness(answers([1, 1, 1, 1, 1, 1, 2, 1, 1, 1]))).toMatchObject({ score: 3, category_scores: { team: 13 } });
  });

  it('gives strengths, weaknesses and recommendations by the category thresholds (worked example)', () => {
    // technology 4,4,3: Σ 11 → 100·8/12 = 66.67 → 67 (≥ 60: strength)
    // process    2,3,2: Σ 7  → 100·4/12 = 33.33 → 33 (< 40: weakness)
    // team       4,5:   Σ 9  → 100·7/8  = 87.5  → 88 (strength)
    // strategy   3,2:   Σ 5  → 100·3/8  = 37.5  → 38 (weakness)
    // score = (60·8 + 50·4 + 75·7 + 60·3)/24 = (480 + 200 + 525 + 180)/24 = 1385/24 = 57.71 → 58 → L3
    const r = scoreReadiness(answers([4, 4, 3, 2, 3, 2, 4, 5, 3, 2]));
    expect(r.score).toBe(58);
    expect(r.tier).toBe('L3_CONSULTING');
    expect(r.category_scores).toEqual({ technology: 67, process: 33, team: 88, strategy: 38 });
    expect(r.strengths.map((s) => s.split(':')[0])).toEqual(['Technology', 'Team']);
    expect(r.weaknesses.map((s) => s.split(':')[0])).toEqual(['Process', 'Strategy']);
    // The tier step, then the categories under 60, lowest first: process (33.3), strategy (37.5).
    expect(r.recommendations).toHaveLength(3);
    expect(r.recommendations[0]).toMatch(/^Start with L3 Consulting/);
    expect(r.recommendations[1]).toMatch(/^Document the three/);
    expect(r.recommendations[2]).toMatch(/^Agree two or three measurable goals/);
  });

  it('applies the thresholds to the exact category score: ≥ 60 strength, < 40 weakness', () => {
    // (Exactly 40 or 60 cannot occur: categories move in steps of 100/12 or 100/8.)
    // strategy 3,4: Σ 7 → 100·5/8 = 62.5 (strength); team 2,4: Σ 6 → 100·4/8 = 50 (neither);
    // process 3,3,2 and technology 3,3,2: Σ 8 → 100·5/12 = 41.67 (neither: not under 40).
    const r = scoreReadiness(answers([3, 3, 2, 3, 3, 2, 2, 4, 3, 4]));
    expect(r.strengths.map((s) => s.split(':')[0])).toEqual(['Strategy']);
    expect(r.weaknesses).toEqual([]);
    // technology 4,4,3 → 66.67 and team 4,4 → 75 are strengths; process 3,3,4 → 100·7/12 = 58.33 rounds to 58 and is not.
    const s = scoreReadiness(answers([4, 4, 3, 3, 3, 4, 4, 4, 3, 3]));
    expect(s.strengths.map((x) => x.split(':')[0])).toEqual(['Technology', 'Team']);
    // technology 1,1,4 → 100·3/12 = 25 and strategy 2,3 → 100·3/8 = 37.5 are weaknesses; process 3,3,2 → 41.67 is not.
    const w = scoreReadiness(answers([1, 1, 4, 3, 3, 2, 3, 3, 2, 3]));
    expect(w.weaknesses.map((x) => x.split(':')[0])).toEqual(['Technology', 'Strategy']);
  });

  it('refuses incomplete or out-of-range answers, naming each', async () => {
    const e = await refusal(() => scoreReadiness({ ...answers([3, 3, 3, 3, 3, 3, 3, 3, 3]), q3: 6, q11: 2, q2: 2.5 }));
    expect(e.code).toBe('VALIDATION');
    expect(fieldsOf(e).sort()).toEqual(['answers.q10', 'answers.q11', 'answers.q2', 'answers.q3']);
  });
});

describe('exact money helpers', () => {
  it('parse, format and round half away from zero', () => {
    expect(toUnits('12.5', 2)).toBe(1250n);
    expect(toUnits('-0.07', 2)).toBe(-7n);
    expect(fromUnits(1250n, 2)).toBe('12.50');
    expect(fromUnits(-7n, 2)).toBe('-0.07');
    expect(fromUnits(5n, 2)).toBe('0.05');
    expect(divRound(5n, 2n)).toBe(3n);
    expect(divRound(-5n, 2n)).toBe(-3n);
    expect(divRound(7n, 3n)).toBe(2n);
    expect(() => toUnits('1.234', 2)).toThrow(RangeError);
  });
});

describe('ROI calculator', () => {
  const base = {
    teams: [
      { name: 'Estimators', employees: 3, average_salary: '95000.00', inefficiency_percent: '20' },
      { name: 'Site supervisors', employees: 8, average_salary: 110000, inefficiency_percent: '12.5' },
    ],
    setup_cost: '38000',
    monthly_cost: '1500.00',
  };

  it('computes savings, ROI and payback exactly (worked example)', () => {
    const { inputs, results } = calculateRoiFigures(base);
    // Defaults: recovery 40 %, 38 hours a week, AUD.
    expect(inputs).toMatchObject({ currency: 'AUD', recovery_percent: '40.00', hours_per_week: '38.00', setup_cost: '38000.00', monthly_cost: '1500.00' });
    // Estimators: 3 × 95,000 = 285,000; × 20 % = 57,000; × 40 % = 22,800; hours 3 × 38 × 52 × 0.2 × 0.4 = 474.24
    // Supervisors: 8 × 110,000 = 880,000; × 12.5 % = 110,000; × 40 % = 44,000; hours 8 × 38 × 52 × 0.125 × 0.4 = 790.40
    expect(results.teams).toEqual([
      { name: 'Estimators', employees: 3, average_salary: '95000.00', inefficiency_percent: '20.00', annual_payroll: '285000.00', annual_cost_of_inefficiency: '57000.00', annual_savings: '22800.00', hours_recovered_per_year: '474.24' },
      { name: 'Site supervisors', employees: 8, average_salary: '110000.00', inefficiency_percent: '12.50', annual_payroll: '880000.00', annual_cost_of_inefficiency: '110000.00', annual_savings: '44000.00', hours_recovered_per_year: '790.40' },
    ]);
    // savings 66,800; monthly 66,800 / 12 = 5,566.666… → 5,566.67; first-year cost 38,000 + 12 × 1,500 = 56,000;
    // net 10,800; ROI 10,800 / 56,000 = 19.2857 % → 19.29; payback 12 × 38,000 / (66,800 − 18,000) = 456,000 / 48,800 = 9.344 → 9.34
    expect(results).toMatchObject({
      employees: 11,
      annual_payroll: '1165000.00',
      annual_cost_of_inefficiency: '167000.00',
      annual_savings: '66800.00',
      monthly_savings: '5566.67',
      hours_recovered_per_year: '1264.64',
      first_year_cost: '56000.00',
      net_first_year_benefit: '10800.00',
      roi_percent: '19.29',
      payback_months: '9.34',
    });
  });

  it('gives a negative ROI and no payback when the monthly cost eats the savings', () => {
    // first-year cost 38,000 + 12 × 10,000 = 158,000; net 66,800 − 158,000 = −91,200; ROI −91,200 / 158,000 = −57.7215 % → −57.72;
    // monthly savings 5,566.67 < 10,000 a month: never pays back.
    const { results } = calculateRoiFigures({ ...base, monthly_cost: '10000' });
    expect(results).toMatchObject({ first_year_cost: '158000.00', net_first_year_benefit: '-91200.00', roi_percent: '-57.72', payback_months: null });
  });

  it('pays back at once without a setup cost, and rounds half a cent up', () => {
    // setup 0, monthly 1,500: first-year cost 18,000; ROI (66,800 − 18,000) / 18,000 = 271.111 % → 271.11; payback 0.
    expect(calculateRoiFigures({ ...base, setup_cost: 0 }).results).toMatchObject({ roi_percent: '271.11', payback_months: '0.00' });
    // 1 × 1.00 × 0.5 % = 0.005 → 0.01 (half up); × 100 % recovery = 0.01. ROI (0.01 − 1.00) / 1.00 = −99 %;
    // payback 12 × 1.00 / 0.01 = 1,200 months.
    const tiny = calculateRoiFigures({ teams: [{ employees: 1, average_salary: '1', inefficiency_percent: '0.5' }], recovery_percent: 100, setup_cost: '1' });
    expect(tiny.results).toMatchObject({ annual_cost_of_inefficiency: '0.01', annual_savings: '0.01', roi_percent: '-99.00', payback_months: '1200.00' });
  });

  it('refuses a calculation without a cost, and bad inputs by field', async () => {
    const none = await refusal(() => calculateRoiFigures({ ...base, setup_cost: '0', monthly_cost: '0' }));
    expect(none.code).toBe('VALIDATION');
    expect(fieldsOf(none)).toEqual(['setup_cost']);
    const bad = await refusal(() =>
      calculateRoiFigures({
        teams: [{ employees: 0, average_salary: '-5', inefficiency_percent: '101' }, { employees: 2.5, average_salary: '1e308', inefficiency_percent: 'NaN' }],
        setup_cost: '12.345',
        recovery_percent: '100.01',
      }),
    );
    expect(bad.code).toBe('VALIDATION');
    expect(fieldsOf(bad).sort()).toEqual([
      'recovery_percent', 'setup_cost',
      'teams.0.average_salary', 'teams.0.employees', 'teams.0.inefficiency_percent',
      'teams.1.average_salary', 'teams.1.employees', 'teams.1.inefficiency_percent',
    ]);
    expect(fieldsOf(await refusal(() => calculateRoiFigures({ teams: [], setup_cost: '1' })))).toEqual(['teams']);
  });
});

dbSuite('readiness assessments and ROI', ({ database, ctx }) => {
  const audit = (recordId: string) =>
    database().query<{ action: string; table_name: string; operation: string | null }>(
      'select action, table_name, operation from audit_log where record_id = $1 order by at, action',
      [recordId],
    );

  async function world(c: Ctx = ctx()) {
    const tag = uniq();
    const company = await createRecord(c, resource('companies'), { name: `Readiness Builders ${tag}` });
    const contact = await createRecord(c, resource('contacts'), { company_id: company.id, name: 'Ren Ready', email: `ren-${tag}@ready.example` });
    const lead = await createRecord(c, resource('leads'), { email: `lead-${tag}@ready.example`, company_name: company.name, first_name: 'Lee' });
    return { company, contact, lead };
  }

  /** Makes one generic step fail midway (after the first writes of a verb) and restores it. */
  async function withFailingInteractions<T>(fn: () => Promise<T>): Promise<T> {
    const res = resource('interactions');
    const original = res.afterWrite;
    res.afterWrite = async () => {
      throw new Error('injected failure while logging the interaction');
    };
    try {
      return await fn();
    } finally {
      if (original) res.afterWrite = original;
      else delete res.afterWrite;
    }
  }

  it('starts, answers and completes an assessment for a lead, company and contact, with audit and an interaction', async () => {
    const { company, contact, lead } = await world();
    const started = await startReadiness(ctx(), { lead_id: lead.id as string, contact_id: contact.id as string, answers: { q1: 4, q2: 4 } });
    // The company comes from the contact; the email from the lead.
    expect(started).toMatchObject({ status: 'started', lead_id: lead.id, company_id: company.id, contact_id: contact.id, email: lead.email, answers: { q1: 4, q2: 4 }, score: null, tier: null, completed_at: null });

    const answered = await answerReadiness(ctx(), { id: started.id as string, answers: { q2: 3, q3: 3, q4: 2, q5: 3, q6: 2, q7: 4 } });
    expect(answered.answered).toBe(7);
    expect(answered.unanswered).toEqual(['q8', 'q9', 'q10']);
    // A later answer replaces the earlier one: q2 is now 3.
    expect(answered.assessment.answers).toEqual({ q1: 4, q2: 3, q3: 3, q4: 2, q5: 3, q6: 2, q7: 4 });

    const when = new Date('2026-11-18T10:00:00Z');
    const done = await completeReadiness(ctx({ now: () => when }), { id: started.id as string, answers: { q2: 4, q8: 5, q9: 3, q10: 2 } });
    // Same answers as the worked example: 4,4,3 | 2,3,2 | 4,5 | 3,2 → 1385/24 = 57.71 → 58, L3.
    expect(done.assessment).toMatchObject({
      status: 'completed',
      score: 58,
      tier: 'L3_CONSULTING',
      category_scores: { technology: 67, process: 33, team: 88, strategy: 38 },
      completed_at: when,
    });
    expect(done.assessment.strengths).toHaveLength(2);
    expect(done.assessment.weaknesses).toHaveLength(2);
    expect(done.assessment.recommendations).toHaveLength(3);
    expect(done.result.score).toBe(58);
    const [stored] = await database().query<{ status: string; score: number; tier: string }>('select status, score, tier from readiness_assessments where id = $1', [started.id]);
    expect(stored).toEqual({ status: 'completed', score: 58, tier: 'L3_CONSULTING' });

    const interaction = await getRecord(ctx(), resource('interactions'), done.interaction_id!);
    expect(interaction).toMatchObject({ type: 'assessment_completed', lead_id: lead.id, company_id: company.id, contact_id: contact.id, summary: 'AI-readiness score 58/100, tier L3_CONSULTING' });
    expect(interaction.metadata).toMatchObject({ readiness_assessment_id: started.id, score: 58, tier: 'L3_CONSULTING' });

    const rows = (await audit(started.id as string)).map((a) => `${a.action} ${a.table_name} ${String(a.operation)}`).sort();
    expect(rows).toEqual([
      'create readiness_assessments assessment.start_readiness',
      'update readiness_assessments assessment.answer_readiness',
      'update readiness_assessments assessment.complete_readiness',
    ]);
    expect(await audit(done.interaction_id!)).toEqual([{ action: 'create', table_name: 'interactions', operation: 'assessment.complete_readiness' }]);
  });

  it('refuses to complete twice, to complete or answer an abandoned one, and to abandon a finished one, changing nothing', async () => {
    const { company } = await world();
    const a = await startReadiness(ctx(), { company_id: company.id as string, answers: answers([3, 3, 3, 3, 3, 3, 3, 3, 3, 3]) });
    await completeReadiness(ctx(), { id: a.id as string });
    const b = await startReadiness(ctx(), { company_id: company.id as string });
    const abandoned = await abandonReadiness(ctx(), { id: b.id as string });
    expect(abandoned).toMatchObject({ status: 'abandoned', score: null, completed_at: null });
    expect((await audit(b.id as string)).map((r) => r.operation).sort()).toEqual(['assessment.abandon_readiness', 'assessment.start_readiness']);

    const snapshot = async () => JSON.stringify(await database().query('select * from readiness_assessments where id in ($1, $2) order by id', [a.id, b.id]));
    const before = { rows: await snapshot(), counts: await counts(database(), ['audit_log', 'interactions']) };

    const twice = await refusal(completeReadiness(ctx(), { id: a.id as string }));
    expect(twice.code).toBe('CONFLICT');
    expect(twice.message).toMatch(/already completed on \d{4}-\d{2}-\d{2} with score 50 \(L2_ADVANCED\)/);
    expect(twice.details).toMatchObject({ assessment_status: 'completed', fields: [{ field: 'status', message: 'is completed' }] });
    const completeAbandoned = await refusal(completeReadiness(ctx(), { id: b.id as string, answers: answers([5, 5, 5, 5, 5, 5, 5, 5, 5, 5]) }));
    expect(completeAbandoned.code).toBe('CONFLICT');
    expect(completeAbandoned.message).toMatch(/it was abandoned.*start a new assessment/);
    const answerAbandoned = await refusal(answerReadiness(ctx(), { id: b.id as string, answers: { q1: 1 } }));
    expect(answerAbandoned.code).toBe('CONFLICT');
    const answerCompleted = await refusal(answerReadiness(ctx(), { id: a.id as string, answers: { q1: 1 } }));
    expect(answerCompleted.code).toBe('CONFLICT');
    for (const id of [a.id, b.id]) {
      const e = await refusal(abandonReadiness(ctx(), { id: id as string }));
      expect(e.code).toBe('CONFLICT');
    }
    const missing = await refusal(completeReadiness(ctx(), { id: randomUUID() }));
    expect(missing.code).toBe('NOT_FOUND');
    expect({ rows: await snapshot(), counts: await counts(database(), ['audit_log', 'interactions']) }).toEqual(before);
  });

  it('refuses to complete with unanswered questions, naming them, and writes nothing', async () => {
    const a = await startReadiness(ctx(), { email: `anon-${uniq()}@example.com`, answers: { q1: 2, q2: 2, q3: 2, q4: 2, q5: 2, q6: 2, q7: 2, q8: 2 } });
    const before = { row: JSON.stringify(await database().query('select * from readiness_assessments where id = $1', [a.id])), counts: await counts(database(), ['audit_log', 'interactions']) };
    const e = await refusal(completeReadiness(ctx(), { id: a.id as string, answers: { q9: 2 } }));
    expect(e.code).toBe('VALIDATION');
    expect(fieldsOf(e)).toEqual(['answers.q10']);
    const bad = await refusal(invoke(operationByName.get('assessment.complete_readiness')!, ctx(), { id: a.id, answers: { q9: 0, q10: 'five', q12: 3 } }));
    expect(bad.code).toBe('VALIDATION');
    expect(fieldsOf(bad).sort()).toEqual(['answers.q10', 'answers.q12', 'answers.q9']);
    expect({ row: JSON.stringify(await database().query('select * from readiness_assessments where id = $1', [a.id])), counts: await counts(database(), ['audit_log', 'interactions']) }).toEqual(before);
    // Anonymous (email only): completing logs no interaction.
    const done = await completeReadiness(ctx(), { id: a.id as string, answers: { q9: 2, q10: 2 } });
    // All 2s: every category 25 → score 25, L1.
    expect(done.assessment).toMatchObject({ status: 'completed', score: 25, tier: 'L1_ESSENTIALS' });
    expect(done.interaction_id).toBeNull();
  });

  it('checks the links it is started with', async () => {
    const one = await world();
    const other = await world();
    const before = await counts(database(), ['readiness_assessments', 'audit_log']);
    const e = await refusal(startReadiness(ctx(), { company_id: other.company.id as string, contact_id: one.contact.id as string }));
    expect(e.code).toBe('VALIDATION');
    expect(fieldsOf(e)).toEqual(['contact_id']);
    expect((await refusal(startReadiness(ctx(), { lead_id: randomUUID() }))).code).toBe('NOT_FOUND');
    expect((await refusal(startReadiness(ctx(), { company_id: randomUUID() }))).code).toBe('NOT_FOUND');
    const bad = await refusal(invoke(operationByName.get('assessment.start_readiness')!, ctx(), { email: 'nope', answers: { q1: 9 }, status: 'completed' }));
    expect(fieldsOf(bad).sort()).toEqual(['answers.q1', 'email', 'status']);
    expect(await counts(database(), ['readiness_assessments', 'audit_log'])).toEqual(before);
  });

  it('completes all or nothing: a failure while logging the interaction leaves the assessment started', async () => {
    const { company } = await world();
    const a = await startReadiness(ctx(), { company_id: company.id as string, answers: answers([4, 4, 4, 4, 4, 4, 4, 4, 4, 4]) });
    const before = { row: JSON.stringify(await database().query('select * from readiness_assessments where id = $1', [a.id])), counts: await counts(database(), ['audit_log', 'interactions']) };
    const failed = await withFailingInteractions(() => completeReadiness(ctx(), { id: a.id as string }).then(() => undefined, (e: unknown) => e));
    expect(String(failed)).toMatch(/injected failure/);
    expect({ row: JSON.stringify(await database().query('select * from readiness_assessments where id = $1', [a.id])), counts: await counts(database(), ['audit_log', 'interactions']) }).toEqual(before);
    // The same call succeeds once the step works: all 4s → every category 75 → 75, L4.
    expect((await completeReadiness(ctx(), { id: a.id as string })).assessment).toMatchObject({ status: 'completed', score: 75, tier: 'L4_PLATFORMS' });
  });

  it('gives an imported (generic create) completed assessment the rule’s score, and refuses computed fields on a started one', async () => {
    const { lead } = await world();
    const res = resource('readiness_assessments');
    const imported = await createRecord(ctx(), res, {
      lead_id: lead.id,
      status: 'completed',
      answers: answers([1, 1, 1, 3, 3, 3, 3, 3, 1, 3]),
      score: 99,
      tier: 'L5_STRATEGIC',
      completed_at: '2026-01-05T09:00:00Z',
    });
    // 720/24 = 30: the score sent is replaced by the rule's.
    expect(imported).toMatchObject({ status: 'completed', score: 30, tier: 'L1_ESSENTIALS' });
    expect(imported.recommendations).toEqual(expect.arrayContaining([expect.stringMatching(/^Start with L1/)]));
    const before = await counts(database(), ['readiness_assessments']);
    const computed = await refusal(createRecord(ctx(), res, { status: 'started', score: 40 }));
    expect(fieldsOf(computed)).toEqual(['score']);
    const incomplete = await refusal(createRecord(ctx(), res, { status: 'completed', answers: { q1: 3 }, completed_at: '2026-01-05T09:00:00Z' }));
    expect(fieldsOf(incomplete)).toContain('answers.q2');
    const undated = await refusal(createRecord(ctx(), res, { status: 'completed', answers: answers([3, 3, 3, 3, 3, 3, 3, 3, 3, 3]) }));
    expect(fieldsOf(undated)).toEqual(['completed_at']);
    const bulk = await refusal(createRecords(ctx(), res, [{}, { status: 'completed', answers: { q1: 1 }, completed_at: '2026-01-05T09:00:00Z' }]));
    expect(fieldsOf(bulk)).toContain('items[1].answers.q2');
    expect(await counts(database(), ['readiness_assessments'])).toEqual(before);
  });

  it('saves an ROI calculation for a lead with its summary fields and a calculation_performed interaction', async () => {
    const { lead } = await world();
    const saved = await calculateRoi(ctx(), {
      lead_id: lead.id as string,
      teams: [
        { name: 'Estimators', employees: 3, average_salary: '95000', inefficiency_percent: 20 },
        { name: 'Site supervisors', employees: 8, average_salary: '110000', inefficiency_percent: '12.5' },
      ],
      setup_cost: '38000',
      monthly_cost: '1500',
    });
    // The worked example above: savings 66,800.00, ROI 19.29 %, payback 9.34 months.
    expect(saved.calculation).toMatchObject({ type: 'roi', lead_id: lead.id, company_id: null, email: lead.email, total_value: '66800.00', currency: 'AUD', roi: '19.29', payback_months: '9.34' });
    expect(saved.calculation.inputs).toMatchObject({ recovery_percent: '40.00', setup_cost: '38000.00', teams: [{ average_salary: '95000.00', inefficiency_percent: '20.00' }, { inefficiency_percent: '12.50' }] });
    expect(saved.calculation.results).toMatchObject({ annual_savings: '66800.00', roi_percent: '19.29', payback_months: '9.34' });
    const [row] = await database().query<{ total_value: string; roi: string; payback_months: string }>('select total_value::text, roi::text, payback_months::text from roi_calculations where id = $1', [saved.calculation.id]);
    expect(row).toEqual({ total_value: '66800.00', roi: '19.29', payback_months: '9.34' });
    const interaction = await getRecord(ctx(), resource('interactions'), saved.interaction_id!);
    expect(interaction).toMatchObject({ type: 'calculation_performed', lead_id: lead.id, summary: 'Annual savings AUD 66800.00, ROI 19.29 %, payback 9.34 months' });
    expect(await audit(saved.calculation.id as string)).toEqual([{ action: 'create', table_name: 'roi_calculations', operation: 'assessment.calculate_roi' }]);
    expect(await audit(saved.interaction_id!)).toEqual([{ action: 'create', table_name: 'interactions', operation: 'assessment.calculate_roi' }]);

    // Never pays back: payback_months is stored as null.
    const never = await calculateRoi(ctx(), { teams: [{ employees: 1, average_salary: '50000', inefficiency_percent: '10' }], setup_cost: '1000', monthly_cost: '1000', email: `x-${uniq()}@example.com` });
    // savings 50,000 × 10 % × 40 % = 2,000 a year < 12,000 of monthly cost; ROI (2,000 − 13,000) / 13,000 = −84.615 % → −84.62
    expect(never.calculation).toMatchObject({ total_value: '2000.00', roi: '-84.62', payback_months: null, lead_id: null });
    expect(never.interaction_id).toBeNull();
  });

  it('saves all or nothing: a failure while logging the interaction leaves no calculation', async () => {
    const { company } = await world();
    const before = await counts(database(), ['roi_calculations', 'interactions', 'audit_log']);
    const failed = await withFailingInteractions(() =>
      calculateRoi(ctx(), { company_id: company.id as string, teams: [{ employees: 5, average_salary: '80000', inefficiency_percent: '15' }], setup_cost: '20000' }).then(
        () => undefined,
        (e: unknown) => e,
      ),
    );
    expect(String(failed)).toMatch(/injected failure/);
    expect(await counts(database(), ['roi_calculations', 'interactions', 'audit_log'])).toEqual(before);
  });

  describe('project estimates from the catalog', () => {
    let audit3: Row;
    let mcp: Row;
    let support: Row;
    const service = (values: Row) => createRecord(ctx(), resource('services'), values);

    it('prices services by complexity and timeline (worked examples)', async () => {
      const tag = uniq();
      audit3 = await service({ name: `Process audit ${tag}`, service_category: 'consulting', base_setup_fee_min: '2500', base_setup_fee_max: '4500', typical_duration_weeks: 3, description: 'Survey and task audit', use_cases: ['Find lost time'] });
      mcp = await service({ name: `MCP integration ${tag}`, service_category: 'integration', base_setup_fee_min: '10000', base_setup_fee_max: '15000.01', base_monthly_fee_min: '400', base_monthly_fee_max: '600', typical_duration_weeks: 6 });
      support = await service({ name: `Managed support ${tag}`, service_category: 'other', pricing_model: 'monthly', base_monthly_fee_min: '1000' });
      const lines = [{ service_id: audit3.id as string }, { service_id: mcp.id as string, quantity: 2 }, { service_id: support.id as string }];

      const medium = await saveProjectEstimate(ctx(), { project_type: 'integration', complexity: 'medium', services: lines });
      // Medium = midpoints: audit 2,500 + 2,000/2 = 3,500.00; MCP 10,000 + 5,000.01/2 = 12,500.005 → 12,500.01, × 2 = 25,000.02;
      // MCP monthly 500 × 2 = 1,000; support monthly 1,000 (one bound). Setup 28,500.02; monthly 2,000; first year 28,500.02 + 24,000 = 52,500.02.
      // Weeks 3 + 6 + 0 (support has none) = 9.
      expect(medium.results).toMatchObject({
        currency: 'AUD',
        setup_subtotal: '28500.02',
        rush_surcharge: '0.00',
        setup_total: '28500.02',
        monthly_total: '2000.00',
        first_year_value: '52500.02',
        weeks: 9,
      });
      expect(medium.results.lines.map((l) => [l.unit_setup_fee, l.setup_fee, l.monthly_fee])).toEqual([
        ['3500.00', '3500.00', '0.00'],
        ['12500.01', '25000.02', '1000.00'],
        ['0.00', '0.00', '1000.00'],
      ]);
      expect(medium.results.phases.map((p) => [p.start_week, p.end_week, p.weeks])).toEqual([[1, 3, 3], [4, 9, 6], [null, null, 0]]);
      expect(medium.results.deliverables[0]).toMatchObject({ name: audit3.name, description: 'Survey and task audit', use_cases: ['Find lost time'] });
      expect(medium.results.assumptions).toEqual([`${String(support.name)} has no typical duration in the catalog and adds no weeks to the timeline`]);
      expect(medium.calculation).toMatchObject({ type: 'project_estimate', total_value: '52500.02', roi: null, payback_months: null, currency: 'AUD' });
      expect(medium.calculation.inputs).toMatchObject({ timeline: 'standard', services: [{ quantity: 1 }, { quantity: 2 }, { quantity: 1 }] });
      expect(await audit(medium.calculation.id as string)).toEqual([{ action: 'create', table_name: 'roi_calculations', operation: 'assessment.estimate_project' }]);

      // Accelerated: weeks ⌈3 × 3/4⌉ = 3 and ⌈6 × 3/4⌉ = 5 → 8; surcharge 25 % of 28,500.02 = 7,125.005 → 7,125.01;
      // setup 35,625.03; first year 35,625.03 + 24,000 = 59,625.03.
      const rush = await previewCalculation(ctx(), { type: 'project_estimate', project_type: 'integration', complexity: 'medium', timeline: 'accelerated', services: lines });
      expect(rush.results).toMatchObject({ weeks: 8, rush_surcharge_percent: '25.00', rush_surcharge: '7125.01', setup_total: '35625.03', first_year_value: '59625.03' });

      // High and extended, one of each: setup 4,500 + 15,000.01 = 19,500.01; monthly 600 + 1,000 = 1,600;
      // first year 19,500.01 + 19,200 = 38,700.01; weeks ⌈4.5⌉ = 5 + ⌈9⌉ = 9 → 14.
      const high = await previewCalculation(ctx(), { type: 'project_estimate', project_type: 'integration', complexity: 'high', timeline: 'extended', services: lines.map((l) => ({ service_id: l.service_id })) });
      expect(high.results).toMatchObject({ setup_total: '19500.01', monthly_total: '1600.00', first_year_value: '38700.01', weeks: 14 });
      // Low: 2,500 + 10,000 = 12,500; monthly 400 + 1,000.
      const low = await previewCalculation(ctx(), { type: 'project_estimate', project_type: 'integration', complexity: 'low', services: lines.map((l) => ({ service_id: l.service_id })) });
      expect(low.results).toMatchObject({ setup_total: '12500.00', monthly_total: '1400.00' });
    });

    it('estimates every active service of the project type when none are named', async () => {
      const tag = uniq();
      await service({ name: `A training ${tag}`, service_category: 'training', base_setup_fee_min: '1000', base_setup_fee_max: '2000', typical_duration_weeks: 2 });
      await service({ name: `B training ${tag}`, service_category: 'training', base_setup_fee_min: '500', typical_duration_weeks: 1 });
      await service({ name: `C training ${tag}`, service_category: 'training', base_setup_fee_min: '99999', is_active: false });
      const r = await previewCalculation(ctx(), { type: 'project_estimate', project_type: 'training', complexity: 'medium' });
      if (r.type !== 'project_estimate') throw new Error('expected a project estimate');
      // 1,500.00 + 500.00 (one bound) = 2,000.00; the inactive one is left out; 2 + 1 weeks.
      expect(r.results.lines.map((l) => l.name)).toEqual([`A training ${tag}`, `B training ${tag}`]);
      expect(r.results).toMatchObject({ setup_total: '2000.00', weeks: 3 });
      const none = await refusal(previewCalculation(ctx(), { type: 'project_estimate', project_type: 'staffing', complexity: 'low' }));
      expect(fieldsOf(none)).toEqual(['services']);
    });

    it('refuses unknown, inactive, unpriced and other-currency services, naming each line, and saves nothing', async () => {
      const tag = uniq();
      const inactive = await service({ name: `Old ${tag}`, base_setup_fee_min: '1', is_active: false });
      const unpriced = await service({ name: `Custom ${tag}`, pricing_model: 'custom' });
      const usd = await service({ name: `US ${tag}`, currency: 'USD', base_setup_fee_min: '10' });
      const before = await counts(database(), ['roi_calculations', 'interactions', 'audit_log']);
      const e = await refusal(
        saveProjectEstimate(ctx(), {
          project_type: 'consulting',
          complexity: 'low',
          currency: 'AUD',
          services: [{ service_id: audit3.id as string }, { service_id: randomUUID() }, { service_id: inactive.id as string }, { service_id: unpriced.id as string }, { service_id: usd.id as string }],
        }),
      );
      expect(e.code).toBe('VALIDATION');
      expect(fieldsOf(e)).toEqual(['services[1].service_id', 'services[2].service_id', 'services[3].service_id', 'services[4].service_id']);
      expect(e.details.fields![3]!.message).toMatch(/priced in USD, not AUD/);
      expect(e.details.fields![2]!.message).toMatch(/no setup or monthly fee range/);
      expect(await counts(database(), ['roi_calculations', 'interactions', 'audit_log'])).toEqual(before);
    });
  });

  describe('over HTTP', () => {
    let app: ReturnType<typeof createApp>;
    let editor: SignedIn;
    let viewer: SignedIn;
    const send = async (who: SignedIn, method: string, path: string, body?: unknown) => {
      const init: RequestInit = { method, headers: { authorization: `Bearer ${who.key}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) } };
      if (body !== undefined) init.body = JSON.stringify(body);
      const r = await app.request(path, init);
      const text = await r.text();
      return { status: r.status, body: text ? JSON.parse(text) : undefined };
    };

    it('runs the assessment lifecycle and the calculators', async () => {
      app = createApp({ database: database(), identity: FAST_IDENTITY });
      editor = await signIn(app, database(), 'editor');
      viewer = await signIn(app, database(), 'viewer');
      const { company, contact } = await world();

      const q = await send(viewer, 'GET', '/api/v1/readiness/questions');
      expect(q.status).toBe(200);
      expect(q.body.questions).toHaveLength(10);
      expect(q.body.categories.map((c: { weight_percent: number }) => c.weight_percent)).toEqual([30, 25, 25, 20]);
      expect(q.body.tiers).toEqual([
        { tier: 'L1_ESSENTIALS', min: 0, max: 30 }, { tier: 'L2_ADVANCED', min: 31, max: 50 }, { tier: 'L3_CONSULTING', min: 51, max: 70 },
        { tier: 'L4_PLATFORMS', min: 71, max: 85 }, { tier: 'L5_STRATEGIC', min: 86, max: 100 },
      ]);

      const before = await counts(database(), ['readiness_assessments', 'roi_calculations']);
      const score = await send(viewer, 'POST', '/api/v1/readiness/score', { answers: answers([2, 5, 5, 2, 5, 5, 5, 5, 5, 5]) });
      expect(score.status).toBe(200);
      expect(score.body).toMatchObject({ score: 86, tier: 'L5_STRATEGIC' });
      const partial = await send(viewer, 'POST', '/api/v1/readiness/score', { answers: { q1: 3 } });
      expect(partial.status).toBe(400);
      expect(partial.body.errors.map((x: { field: string }) => x.field)).toContain('answers.q10');
      const preview = await send(viewer, 'POST', '/api/v1/roi/preview', { type: 'roi', teams: [{ employees: 10, average_salary: '60000', inefficiency_percent: '25' }], setup_cost: '15000' });
      // 10 × 60,000 × 25 % × 40 % = 60,000 savings; ROI (60,000 − 15,000) / 15,000 = 300 %; payback 12 × 15,000 / 60,000 = 3 months.
      expect(preview.status).toBe(200);
      expect(preview.body.results).toMatchObject({ annual_savings: '60000.00', roi_percent: '300.00', payback_months: '3.00' });
      expect(await counts(database(), ['readiness_assessments', 'roi_calculations'])).toEqual(before);

      const started = await send(editor, 'POST', '/api/v1/readiness_assessments/start', { company_id: company.id, contact_id: contact.id });
      expect(started.status, JSON.stringify(started.body)).toBe(201);
      expect(started.body).toMatchObject({ status: 'started', email: contact.email });
      const id = started.body.id as string;
      const ans = await send(editor, 'POST', `/api/v1/readiness_assessments/${id}/answers`, { answers: answers([1, 1, 4, 4, 4, 4, 1, 4, 4]) });
      expect(ans.status).toBe(200);
      expect(ans.body.unanswered).toEqual(['q10']);
      const done = await send(editor, 'POST', `/api/v1/readiness_assessments/${id}/complete`, { answers: { q10: 4 } });
      expect(done.status).toBe(200);
      // 1215/24 = 50.625 → 51: L3.
      expect(done.body.assessment).toMatchObject({ status: 'completed', score: 51, tier: 'L3_CONSULTING' });
      const again = await send(editor, 'POST', `/api/v1/readiness_assessments/${id}/complete`, {});
      expect(again.status, JSON.stringify(again.body)).toBe(409);
      expect(again.body.code).toBe('CONFLICT');
      const got = await send(viewer, 'GET', `/api/v1/readiness_assessments/${id}`);
      expect(got.body).toMatchObject({ score: 51, tier: 'L3_CONSULTING' });

      const other = await send(editor, 'POST', '/api/v1/readiness_assessments/start', {});
      const abandoned = await send(editor, 'POST', `/api/v1/readiness_assessments/${other.body.id as string}/abandon`);
      expect(abandoned.status).toBe(200);
      expect(abandoned.body.status).toBe('abandoned');

      const roi = await send(editor, 'POST', '/api/v1/roi/calculations', { company_id: company.id, teams: [{ employees: 10, average_salary: '60000', inefficiency_percent: '25' }], setup_cost: '15000' });
      expect(roi.status, JSON.stringify(roi.body)).toBe(201);
      expect(roi.body.calculation).toMatchObject({ type: 'roi', company_id: company.id, total_value: '60000.00', roi: '300.00', payback_months: '3.00' });
      const svc = await createRecord(ctx(), resource('services'), { name: `HTTP svc ${uniq()}`, service_category: 'automation', base_setup_fee_min: '1000', base_setup_fee_max: '3000', typical_duration_weeks: 4 });
      const est = await send(editor, 'POST', '/api/v1/roi/project-estimates', { company_id: company.id, project_type: 'automation', complexity: 'medium', services: [{ service_id: svc.id }] });
      expect(est.status, JSON.stringify(est.body)).toBe(201);
      expect(est.body.calculation).toMatchObject({ type: 'project_estimate', total_value: '2000.00' });
      const bad = await send(editor, 'POST', '/api/v1/roi/calculations', { teams: [{ employees: 1, average_salary: 'NaN', inefficiency_percent: '1e308' }], setup_cost: '1', id: randomUUID() });
      expect(bad.status).toBe(400);
      expect(bad.body.errors.map((x: { field: string }) => x.field).sort()).toEqual(['id', 'teams.0.average_salary', 'teams.0.inefficiency_percent']);

      const actors = await database().query<{ actor_type: string; on_behalf_of: string; operation: string }>(
        "select actor_type, on_behalf_of, operation from audit_log where record_id in ($1, $2, $3) and table_name in ('readiness_assessments', 'roi_calculations') order by operation",
        [id, roi.body.calculation.id, est.body.calculation.id],
      );
      expect(actors.map((a) => a.operation)).toEqual([
        'assessment.answer_readiness', 'assessment.calculate_roi', 'assessment.complete_readiness', 'assessment.estimate_project', 'assessment.start_readiness',
      ]);
      // Every change is the editor's, made with their API key.
      for (const a of actors) expect(a).toMatchObject({ actor_type: 'api_key', on_behalf_of: editor.user.id });
    });

    it('gives a viewer 403 on every write verb and changes nothing', async () => {
      const { company } = await world();
      const a = await startReadiness(ctx(), { company_id: company.id as string, answers: answers([3, 3, 3, 3, 3, 3, 3, 3, 3, 3]) });
      const row = JSON.stringify(await database().query('select * from readiness_assessments where id = $1', [a.id]));
      const before = await counts(database(), ['readiness_assessments', 'roi_calculations', 'interactions']);
      const writes: Array<[string, unknown]> = [
        ['/api/v1/readiness_assessments/start', { company_id: company.id }],
        [`/api/v1/readiness_assessments/${String(a.id)}/answers`, { answers: { q1: 1 } }],
        [`/api/v1/readiness_assessments/${String(a.id)}/complete`, {}],
        [`/api/v1/readiness_assessments/${String(a.id)}/abandon`, {}],
        ['/api/v1/roi/calculations', { teams: [{ employees: 1, average_salary: '1', inefficiency_percent: '1' }], setup_cost: '1' }],
        ['/api/v1/roi/project-estimates', { project_type: 'consulting', complexity: 'low' }],
      ];
      for (const [path, body] of writes) {
        const r = await send(viewer, 'POST', path, body);
        expect(r.status, path).toBe(403);
        expect(r.body.code).toBe('FORBIDDEN');
      }
      expect(await counts(database(), ['readiness_assessments', 'roi_calculations', 'interactions'])).toEqual(before);
      expect(JSON.stringify(await database().query('select * from readiness_assessments where id = $1', [a.id]))).toBe(row);
    });

    it('treats another owner’s assessment or lead as not found under own-record visibility, changing nothing', async () => {
      const admin = await signIn(app, database(), 'admin');
      const bob = await signIn(app, database(), 'editor');
      const mine = await send(editor, 'POST', '/api/v1/sales/prospects', { company: { name: `Editor Co ${uniq()}` } });
      expect(mine.status).toBe(201);
      const lead = await send(editor, 'POST', '/api/v1/leads', { email: `own-${uniq()}@example.com` });
      expect(lead.status).toBe(201);
      const started = await send(editor, 'POST', '/api/v1/readiness_assessments/start', { company_id: mine.body.company.id, answers: answers([3, 3, 3, 3, 3, 3, 3, 3, 3, 3]) });
      expect(started.status).toBe(201);
      const id = started.body.id as string;
      expect((await send(admin, 'PATCH', '/api/v1/settings', { record_visibility: 'own' })).status).toBe(200);
      try {
        const row = JSON.stringify(await database().query('select * from readiness_assessments where id = $1', [id]));
        const before = await counts(database(), ['readiness_assessments', 'roi_calculations', 'interactions', 'audit_log']);
        for (const verb of ['answers', 'complete', 'abandon']) {
          const r = await send(bob, 'POST', `/api/v1/readiness_assessments/${id}/${verb}`, verb === 'answers' ? { answers: { q1: 5 } } : {});
          expect(r.status, verb).toBe(404);
        }
        expect((await send(bob, 'GET', `/api/v1/readiness_assessments/${id}`)).status).toBe(404);
        expect((await send(bob, 'POST', '/api/v1/readiness_assessments/start', { company_id: mine.body.company.id })).status).toBe(404);
        const roi = await send(bob, 'POST', '/api/v1/roi/calculations', { lead_id: lead.body.id, teams: [{ employees: 1, average_salary: '1', inefficiency_percent: '1' }], setup_cost: '1' });
        expect(roi.status).toBe(404);
        expect(JSON.stringify(await database().query('select * from readiness_assessments where id = $1', [id]))).toBe(row);
        const after = await counts(database(), ['readiness_assessments', 'roi_calculations', 'interactions', 'audit_log']);
        // Refusals of this kind write no audit row (only 401/403 are audited).
        expect(after).toEqual(before);
        // The owner still completes it.
        const done = await send(editor, 'POST', `/api/v1/readiness_assessments/${id}/complete`, {});
        expect(done.status).toBe(200);
      } finally {
        expect((await send(admin, 'PATCH', '/api/v1/settings', { record_visibility: 'all' })).status).toBe(200);
      }
    });
  });
});
