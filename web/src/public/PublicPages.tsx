/**
 * The pages website visitors use without signing in (seed 001): the AI-readiness quiz
 * (/quiz), the ROI calculator (/roi-calculator), the contact form (/contact) and the same
 * form without the page around it for an iframe on the consultancy's site (/embed/contact).
 *
 * They call the public operations only (/api/v1/public/…), send how long the form was on
 * screen (elapsed_ms) and the UTM parameters of the page's URL, and carry a honeypot field
 * people never see. Everything the server sends back is shown as text. Each form offers the
 * marketing-email checkbox, unticked, with the wording the server records as the evidence.
 */
import { useEffect, useId, useMemo, useRef, useState, type FormEvent, type ReactNode, type RefObject } from 'react';
import { api, ApiError } from '../api.ts';
import { match } from '../router.ts';
import { MARKETING_CONSENT_WORDING } from '../../../src/core/sales/public-wording.ts';
import { Alert, fieldErrorsOf, formatMoney, formatNumber, Kpi, Loaded, useAsync } from '../ui/ui.tsx';
import './public.css';

// ---------------------------------------------------------------------------
// What every public page sends

type Attribution = {
  utm_source?: string;
  utm_medium?: string;
  utm_campaign?: string;
  utm_term?: string;
  utm_content?: string;
  referrer?: string;
  landing_page?: string;
  session_id: string;
};

const UTM = ['utm_source', 'utm_medium', 'utm_campaign', 'utm_term', 'utm_content'] as const;

/** A random id for this browser tab's visit, kept for the tab's life so events tie together. */
function sessionId(): string {
  const KEY = 'throughline_public_session';
  try {
    const kept = sessionStorage.getItem(KEY);
    if (kept && /^[A-Za-z0-9_-]{1,100}$/.test(kept)) return kept;
  } catch {
    /* storage may be refused inside a third-party iframe */
  }
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  const id = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  try {
    sessionStorage.setItem(KEY, id);
  } catch {
    /* a new id per page is still an id */
  }
  return id;
}

/**
 * UTM parameters from the page's own URL, the referrer and the landing page, cut to what the
 * server takes. The first page of the visit that carried them keeps them for the tab's life,
 * so a visitor who lands on the quiz and then opens the contact form is still attributed.
 */
function readAttribution(): Attribution {
  const KEY = 'throughline_public_attribution';
  const q = new URLSearchParams(location.search);
  const here: Omit<Attribution, 'session_id'> = {};
  for (const k of UTM) {
    const v = q.get(k)?.trim();
    if (v) here[k] = v.slice(0, 200);
  }
  if (document.referrer && new URL(document.referrer, location.href).host !== location.host) here.referrer = document.referrer.slice(0, 2000);
  here.landing_page = location.href.slice(0, 2000);
  let kept: Omit<Attribution, 'session_id'> | null = null;
  try {
    kept = JSON.parse(sessionStorage.getItem(KEY) ?? 'null') as typeof kept;
    if (!kept || UTM.some((k) => here[k])) {
      kept = here;
      sessionStorage.setItem(KEY, JSON.stringify(here));
    }
  } catch {
    kept = here;
  }
  const out: Attribution = { session_id: sessionId() };
  for (const k of [...UTM, 'referrer', 'landing_page'] as const) {
    const v = kept[k];
    if (typeof v === 'string' && v !== '') out[k] = v.slice(0, k === 'referrer' || k === 'landing_page' ? 2000 : 200);
  }
  return out;
}

/** Records an analytics event; a visitor never waits for it nor hears of its failure. */
function track(attribution: Attribution, event: string, properties: Record<string, string | number | boolean | null> = {}): void {
  void api('POST', '/api/v1/public/events', {
    event,
    session_id: attribution.session_id,
    url: location.href.slice(0, 2000),
    ...(attribution.referrer ? { referrer: attribution.referrer } : {}),
    properties,
  }).catch(() => {});
}

/** The attribution of this page view, read once. */
function useAttribution(): Attribution {
  return useMemo(readAttribution, []);
}

/** Milliseconds since the form was first shown (the server's minimum fill time). */
function useShownAt(): () => number {
  const shown = useRef(Date.now());
  return () => Date.now() - shown.current;
}

/** What to tell a visitor when the server refuses: a rate limit in minutes, otherwise its message. */
function refusalText(e: unknown): string {
  if (e instanceof ApiError && e.status === 429) {
    const seconds = Number(e.details.retry_after_seconds ?? e.details.retry_after ?? 60);
    const minutes = Math.max(1, Math.ceil(seconds / 60));
    return `Too many submissions from your network just now. Please try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`;
  }
  if (e instanceof ApiError && e.status === 400) return 'Please check the fields marked below.';
  return e instanceof Error ? e.message : String(e);
}

// ---------------------------------------------------------------------------
// Form pieces

function Field({ label, error, hint, required, children }: { label: string; error?: string | undefined; hint?: string; required?: boolean; children: (props: { id: string; 'aria-invalid'?: true; 'aria-describedby'?: string; required?: boolean }) => ReactNode }) {
  const id = useId();
  const described = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return (
    <div className={error ? 'field invalid' : 'field'}>
      <label htmlFor={id}>
        {label}
        {required && <span className="required" aria-hidden="true"> *</span>}
      </label>
      {children({ id, ...(error ? { 'aria-invalid': true as const } : {}), ...(described ? { 'aria-describedby': described } : {}), ...(required ? { required: true } : {}) })}
      {hint && <small id={`${id}-hint`}>{hint}</small>}
      {error && (
        <small id={`${id}-error`} className="error">
          {error}
        </small>
      )}
    </div>
  );
}

/** The field bots fill in and people never see: off screen, out of the tab order, hidden from screen readers. */
function Honeypot({ value, onChange }: { value: string; onChange: (v: string) => void }) {
  return (
    <div className="public-hp" aria-hidden="true">
      <label>
        Website
        <input type="text" name="website" autoComplete="off" tabIndex={-1} value={value} onChange={(e) => onChange(e.target.value)} />
      </label>
    </div>
  );
}

/** The marketing-email checkbox: unticked until the visitor ticks it, its label the exact wording recorded with their agreement. */
function MarketingConsent({ checked, onChange, error }: { checked: boolean; onChange: (v: boolean) => void; error?: string | undefined }) {
  const id = useId();
  return (
    <div className={error ? 'field public-consent invalid' : 'field public-consent'}>
      <input id={id} type="checkbox" name="consent_marketing" checked={checked} onChange={(e) => onChange(e.target.checked)} {...(error ? { 'aria-invalid': true, 'aria-describedby': `${id}-error` } : {})} />
      <label htmlFor={id}>{MARKETING_CONSENT_WORDING}</label>
      {error && (
        <small id={`${id}-error`} className="error">
          {error}
        </small>
      )}
    </div>
  );
}

type Contact = { name: string; email: string; company: string; phone: string };
const NO_CONTACT: Contact = { name: '', email: '', company: '', phone: '' };

/** A field's error goes away as soon as the visitor changes the field. */
const without = (errors: Record<string, string>, field: string) => {
  if (!(field in errors)) return errors;
  const { [field]: _gone, ...rest } = errors;
  return rest;
};

function ContactFields({ value, onChange, errors, onEdit, required = true }: { value: Contact; onChange: (c: Contact) => void; errors: Record<string, string>; onEdit: (field: string) => void; required?: boolean }) {
  const set = (k: keyof Contact) => (e: { target: { value: string } }) => {
    onChange({ ...value, [k]: e.target.value });
    onEdit(k);
  };
  return (
    <div className="form-grid">
      <Field label="Your name" error={errors.name} required={required}>
        {(p) => <input {...p} type="text" autoComplete="name" maxLength={200} value={value.name} onChange={set('name')} />}
      </Field>
      <Field label="Work email" error={errors.email} required={required}>
        {(p) => <input {...p} type="email" autoComplete="email" maxLength={320} value={value.email} onChange={set('email')} />}
      </Field>
      <Field label="Company" error={errors.company}>
        {(p) => <input {...p} type="text" autoComplete="organization" maxLength={200} value={value.company} onChange={set('company')} />}
      </Field>
      <Field label="Phone" error={errors.phone}>
        {(p) => <input {...p} type="tel" autoComplete="tel" maxLength={40} value={value.phone} onChange={set('phone')} />}
      </Field>
    </div>
  );
}

/** The visitor's details as the API takes them: blank optional fields left out. */
function contactBody(c: Contact): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(c)) if (v.trim() !== '') out[k] = v.trim();
  return out;
}

/** Field errors a browser can find before sending: required fields and the email's shape. */
function missing(c: Contact, required: boolean): Record<string, string> {
  const errors: Record<string, string> = {};
  if (required && c.name.trim() === '') errors.name = 'Please enter your name';
  if (required && c.email.trim() === '') errors.email = 'Please enter your email address';
  else if (c.email.trim() !== '' && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(c.email.trim())) errors.email = 'Please enter an email address such as name@company.com';
  return errors;
}

/**
 * What every public form does on submit: show the errors the browser found and stop if there
 * are any; otherwise post the form's own fields with the attribution, the honeypot and the time
 * on screen added, and on a refusal show the server's field errors and why it refused.
 */
function usePublicSubmit(attribution: Attribution) {
  const [honeypot, setHoneypot] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const elapsed = useShownAt();
  const forget = (field: string) => setErrors((e) => without(e, field));

  const send = async <T,>(local: Record<string, string>, path: string, fields: () => Record<string, unknown>, done: (r: T) => void) => {
    setErrors(local);
    setError(null);
    if (Object.keys(local).length) return;
    setBusy(true);
    try {
      const r = await api<T>('POST', path, {
        ...fields(),
        ...attribution,
        website: honeypot,
        elapsed_ms: elapsed(),
      });
      done(r);
    } catch (err) {
      setErrors(fieldErrorsOf(err));
      setError(refusalText(err));
    } finally {
      setBusy(false);
    }
  };

  return { honeypot, setHoneypot, errors, setErrors, forget, error, busy, send };
}

// ---------------------------------------------------------------------------
// The quiz

type Question = { id: string; category: string; question: string; scale: { 1: string; 5: string } };
type Questionnaire = { questions: Question[]; categories: Array<{ category: string; questions: string[] }> };
type QuizResult = {
  score: number;
  band: string;
  band_label: string;
  summary: string;
  category_scores: Record<string, number>;
  strengths: string[];
  weaknesses: string[];
  recommendations: string[];
};

const CATEGORY_TITLE: Record<string, string> = { technology: 'Technology', process: 'Process', team: 'Team', strategy: 'Strategy' };
const title = (c: string) => CATEGORY_TITLE[c] ?? c.charAt(0).toUpperCase() + c.slice(1);

function QuizPage({ attribution }: { attribution: Attribution }) {
  const state = useAsync(() => api<Questionnaire>('GET', '/api/v1/public/readiness/questions'), []);
  return <Loaded state={state} what="the quiz">{(q) => <Quiz questionnaire={q} attribution={attribution} />}</Loaded>;
}

function Quiz({ questionnaire, attribution }: { questionnaire: Questionnaire; attribution: Attribution }) {
  const groups = questionnaire.categories.map((c) => ({ category: c.category, questions: c.questions.map((id) => questionnaire.questions.find((q) => q.id === id)!).filter(Boolean) }));
  const [step, setStep] = useState(0);
  const [answers, setAnswers] = useState<Record<string, number>>({});
  const [contact, setContact] = useState<Contact>(NO_CONTACT);
  const [consent, setConsent] = useState(false);
  const { honeypot, setHoneypot, errors, setErrors, forget, error, busy, send } = usePublicSubmit(attribution);
  const [result, setResult] = useState<QuizResult | null>(null);
  const started = useRef(false);
  const heading = useRef<HTMLHeadingElement>(null);
  const total = groups.length + 1;

  // Each step's heading takes the focus, so a screen reader hears where the visitor is now.
  useEffect(() => heading.current?.focus(), [step, result]);

  const answer = (id: string, v: number) => {
    if (!started.current) {
      started.current = true;
      track(attribution, 'quiz_started');
    }
    setAnswers((a) => ({ ...a, [id]: v }));
    setErrors((e) => without(e, `answers.${id}`));
  };

  const next = () => {
    const group = groups[step]!;
    const unanswered = group.questions.filter((q) => answers[q.id] === undefined);
    if (unanswered.length) {
      setErrors(Object.fromEntries(unanswered.map((q) => [`answers.${q.id}`, 'Please choose an answer from 1 to 5'])));
      document.getElementById(`question-${unanswered[0]!.id}`)?.focus();
      return;
    }
    setErrors({});
    setStep(step + 1);
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    await send<QuizResult>(missing(contact, true), '/api/v1/public/readiness', () => ({ answers, ...contactBody(contact), consent_marketing: consent }), setResult);
  };

  if (result) return <QuizResultView result={result} headingRef={heading} />;

  const progress = (
    <p className="public-progress">
      Step {step + 1} of {total}
      <progress max={total} value={step + 1} aria-hidden="true" />
    </p>
  );

  if (step < groups.length) {
    const group = groups[step]!;
    return (
      <section aria-labelledby="quiz-step">
        {progress}
        <h1 id="quiz-step" ref={heading} tabIndex={-1}>
          {title(group.category)}
        </h1>
        <p className="muted">Answer from 1 (not at all) to 5 (fully). There are no wrong answers.</p>
        {group.questions.map((q) => (
          <ScaleQuestion key={q.id} question={q} value={answers[q.id]} error={errors[`answers.${q.id}`]} onChange={(v) => answer(q.id, v)} />
        ))}
        <div className="actions">
          {step > 0 && (
            <button type="button" className="secondary" onClick={() => setStep(step - 1)}>
              Back
            </button>
          )}
          <button type="button" onClick={next}>
            Next
          </button>
        </div>
      </section>
    );
  }

  return (
    <section aria-labelledby="quiz-step">
      {progress}
      <h1 id="quiz-step" ref={heading} tabIndex={-1}>
        Where should we send your results?
      </h1>
      <p className="muted">You will see your score straight away; we will also email it to you with what to do next.</p>
      <form onSubmit={submit} noValidate>
        <ContactFields value={contact} onChange={setContact} errors={errors} onEdit={forget} />
        <MarketingConsent checked={consent} onChange={setConsent} error={errors.consent_marketing} />
        <Honeypot value={honeypot} onChange={setHoneypot} />
        <Alert>{error}</Alert>
        <div className="actions">
          <button type="button" className="secondary" onClick={() => setStep(step - 1)}>
            Back
          </button>
          <button type="submit" disabled={busy}>
            {busy ? 'Scoring…' : 'See my score'}
          </button>
        </div>
      </form>
    </section>
  );
}

function ScaleQuestion({ question, value, error, onChange }: { question: Question; value: number | undefined; error: string | undefined; onChange: (v: number) => void }) {
  const errorId = `question-${question.id}-error`;
  return (
    <fieldset className={`group public-scale${error ? ' invalid' : ''}`} id={`question-${question.id}`} tabIndex={-1} {...(error ? { 'aria-describedby': errorId, 'aria-invalid': true } : {})}>
      <legend>{question.question}</legend>
      <div className="public-scale-options">
        {[1, 2, 3, 4, 5].map((n) => (
          <label key={n} className={value === n ? 'chosen' : undefined}>
            <input type="radio" name={question.id} value={n} checked={value === n} onChange={() => onChange(n)} />
            <span className="n">{n}</span>
            {n === 1 && <span className="hint">{question.scale[1]}</span>}
            {n === 5 && <span className="hint">{question.scale[5]}</span>}
          </label>
        ))}
      </div>
      {error && (
        <small id={errorId} className="error">
          {error}
        </small>
      )}
    </fieldset>
  );
}

function QuizResultView({ result, headingRef }: { result: QuizResult; headingRef: RefObject<HTMLHeadingElement | null> }) {
  return (
    <section aria-labelledby="quiz-result" className="public-result">
      <h1 id="quiz-result" ref={headingRef} tabIndex={-1}>
        Your AI-readiness result
      </h1>
      <div className="public-score" role="status">
        <span className="value">{result.score}</span>
        <span className="of">out of 100</span>
        <span className="band">{result.band_label}</span>
      </div>
      <p>{result.summary}</p>
      <dl className="details">
        {Object.entries(result.category_scores).map(([c, v]) => (
          <div className="pair" key={c}>
            <dt>{title(c)}</dt>
            <dd>
              <meter min={0} max={100} value={v} aria-hidden="true" /> {v} / 100
            </dd>
          </div>
        ))}
      </dl>
      {result.strengths.length > 0 && (
        <>
          <h2>Strengths</h2>
          <ul>{result.strengths.map((s) => <li key={s}>{s}</li>)}</ul>
        </>
      )}
      {result.weaknesses.length > 0 && (
        <>
          <h2>Where to improve</h2>
          <ul>{result.weaknesses.map((s) => <li key={s}>{s}</li>)}</ul>
        </>
      )}
      <h2>What we recommend</h2>
      <ol>{result.recommendations.map((s) => <li key={s}>{s}</li>)}</ol>
      <p className="actions">
        <a className="button-link" href="/roi-calculator">
          Estimate your ROI
        </a>
        <a className="button-link" href="/contact">
          Talk to us
        </a>
      </p>
    </section>
  );
}

// ---------------------------------------------------------------------------
// The ROI calculator

type Team = { name: string; employees: string; average_salary: string; inefficiency_percent: string };
type RoiFigures = {
  currency: string;
  annual_cost_of_inefficiency: string;
  annual_savings: string;
  monthly_savings: string;
  hours_recovered_per_year: string;
  first_year_cost: string;
  net_first_year_benefit: string;
  roi_percent: string;
  payback_months: string | null;
};

const NEW_TEAM: Team = { name: '', employees: '', average_salary: '', inefficiency_percent: '20' };
const CURRENCIES = ['AUD', 'USD', 'TTD'];

function RoiPage({ attribution }: { attribution: Attribution }) {
  const [currency, setCurrency] = useState('AUD');
  const [teams, setTeams] = useState<Team[]>([{ ...NEW_TEAM, name: 'Office and admin' }]);
  const [setup, setSetup] = useState('');
  const [monthly, setMonthly] = useState('0');
  const [contact, setContact] = useState<Contact>(NO_CONTACT);
  const [consent, setConsent] = useState(false);
  const { honeypot, setHoneypot, errors, forget, error, busy, send } = usePublicSubmit(attribution);
  const [figures, setFigures] = useState<RoiFigures | null>(null);
  const resultRef = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    if (figures) resultRef.current?.focus();
  }, [figures]);

  const setTeam = (i: number, k: keyof Team, v: string) => {
    setTeams((ts) => ts.map((t, j) => (j === i ? { ...t, [k]: v } : t)));
    forget(`teams[${i}].${k}`);
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const local: Record<string, string> = { ...missing(contact, false) };
    teams.forEach((t, i) => {
      if (!/^\d+$/.test(t.employees.trim()) || Number(t.employees) < 1) local[`teams[${i}].employees`] = 'Enter a whole number of people, at least 1';
      if (!/^\d+(\.\d{1,2})?$/.test(t.average_salary.trim())) local[`teams[${i}].average_salary`] = 'Enter an amount such as 85000';
      if (!/^\d+(\.\d{1,2})?$/.test(t.inefficiency_percent.trim()) || Number(t.inefficiency_percent) > 100) local[`teams[${i}].inefficiency_percent`] = 'Enter a percentage from 0 to 100';
    });
    if (!/^\d+(\.\d{1,2})?$/.test(setup.trim())) local.setup_cost = 'Enter an amount such as 15000';
    if (!/^\d+(\.\d{1,2})?$/.test(monthly.trim())) local.monthly_cost = 'Enter an amount such as 500, or 0';
    await send<RoiFigures>(local, '/api/v1/public/roi', () => ({
      currency,
      teams: teams.map((t) => ({ ...(t.name.trim() ? { name: t.name.trim() } : {}), employees: Number(t.employees), average_salary: t.average_salary.trim(), inefficiency_percent: t.inefficiency_percent.trim() })),
      setup_cost: setup.trim(),
      monthly_cost: monthly.trim(),
      ...contactBody(contact),
      consent_marketing: consent,
    }), setFigures);
  };

  return (
    <section aria-labelledby="roi-title">
      <h1 id="roi-title">ROI calculator</h1>
      <p className="muted">How much time do manual, repetitive tasks cost your business, and what would winning some of it back be worth?</p>
      <form onSubmit={submit} noValidate>
        <Field label="Currency">
          {(p) => (
            <select {...p} value={currency} onChange={(e) => setCurrency(e.target.value)}>
              {CURRENCIES.map((c) => (
                <option key={c}>{c}</option>
              ))}
            </select>
          )}
        </Field>
        {teams.map((t, i) => (
          <fieldset className="group" key={i}>
            <legend>Team {i + 1}</legend>
            <div className="form-grid">
              <Field label="Team or role" error={errors[`teams[${i}].name`]}>
                {(p) => <input {...p} type="text" maxLength={200} value={t.name} onChange={(e) => setTeam(i, 'name', e.target.value)} />}
              </Field>
              <Field label="People in this team" error={errors[`teams[${i}].employees`]} required>
                {(p) => <input {...p} type="number" inputMode="numeric" min={1} step={1} value={t.employees} onChange={(e) => setTeam(i, 'employees', e.target.value)} />}
              </Field>
              <Field label={`Average annual salary (${currency})`} error={errors[`teams[${i}].average_salary`]} required>
                {(p) => <input {...p} type="text" inputMode="decimal" maxLength={15} value={t.average_salary} onChange={(e) => setTeam(i, 'average_salary', e.target.value)} />}
              </Field>
              <Field label="Time lost to manual work (%)" error={errors[`teams[${i}].inefficiency_percent`]} hint="Re-keying, chasing paperwork, copying between systems" required>
                {(p) => <input {...p} type="text" inputMode="decimal" maxLength={6} value={t.inefficiency_percent} onChange={(e) => setTeam(i, 'inefficiency_percent', e.target.value)} />}
              </Field>
            </div>
            {teams.length > 1 && (
              <button type="button" className="secondary small" onClick={() => setTeams((ts) => ts.filter((_, j) => j !== i))}>
                Remove team {i + 1}
              </button>
            )}
          </fieldset>
        ))}
        {teams.length < 20 && (
          <p>
            <button type="button" className="secondary small" onClick={() => setTeams((ts) => [...ts, { ...NEW_TEAM }])}>
              Add a team
            </button>
          </p>
        )}
        <div className="form-grid">
          <Field label={`One-off setup cost (${currency})`} error={errors.setup_cost} required>
            {(p) => <input {...p} type="text" inputMode="decimal" maxLength={15} value={setup} onChange={(e) => {
              setSetup(e.target.value);
              forget('setup_cost');
            }} />}
          </Field>
          <Field label={`Monthly cost (${currency})`} error={errors.monthly_cost} hint="Licences and support; 0 if none">
            {(p) => <input {...p} type="text" inputMode="decimal" maxLength={15} value={monthly} onChange={(e) => {
              setMonthly(e.target.value);
              forget('monthly_cost');
            }} />}
          </Field>
        </div>
        <fieldset className="group">
          <legend>Want a copy and a chat about it? (optional)</legend>
          <ContactFields value={contact} onChange={setContact} errors={errors} onEdit={forget} required={false} />
          <MarketingConsent checked={consent} onChange={setConsent} error={errors.consent_marketing} />
        </fieldset>
        <Honeypot value={honeypot} onChange={setHoneypot} />
        <Alert>{error}</Alert>
        <div className="actions">
          <button type="submit" disabled={busy}>
            {busy ? 'Calculating…' : 'Calculate'}
          </button>
        </div>
      </form>
      {figures && (
        <section aria-labelledby="roi-result" className="public-result">
          <h2 id="roi-result" ref={resultRef} tabIndex={-1}>
            Your estimate
          </h2>
          <div className="cards" role="status">
            <Kpi label="Annual savings" value={formatMoney(figures.annual_savings, figures.currency)} />
            <Kpi label="Return in the first year" value={`${formatNumber(figures.roi_percent, 2)} %`} />
            <Kpi label="Pays for itself in" value={figures.payback_months === null ? 'never at this monthly cost' : `${formatNumber(figures.payback_months, 1)} months`} />
            <Kpi label="Hours won back a year" value={formatNumber(figures.hours_recovered_per_year)} />
          </div>
          <dl className="details">
            <dt>Yearly cost of the lost time</dt>
            <dd>{formatMoney(figures.annual_cost_of_inefficiency, figures.currency)}</dd>
            <dt>Monthly savings</dt>
            <dd>{formatMoney(figures.monthly_savings, figures.currency)}</dd>
            <dt>First-year cost</dt>
            <dd>{formatMoney(figures.first_year_cost, figures.currency)}</dd>
            <dt>Net benefit in the first year</dt>
            <dd>{formatMoney(figures.net_first_year_benefit, figures.currency)}</dd>
          </dl>
        </section>
      )}
    </section>
  );
}


// ---------------------------------------------------------------------------
// The contact form

function ContactPage({ attribution, embedded }: { attribution: Attribution; embedded: boolean }) {
  const [contact, setContact] = useState<Contact>(NO_CONTACT);
  const [message, setMessage] = useState('');
  const [consent, setConsent] = useState(false);
  const { honeypot, setHoneypot, errors, forget, error, busy, send } = usePublicSubmit(attribution);
  const [thanks, setThanks] = useState<string | null>(null);

  useEffect(() => track(attribution, 'form_viewed', { form: embedded ? 'embed_contact' : 'contact' }), [attribution, embedded]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    await send<{ received: true; message: string }>(missing(contact, true), '/api/v1/public/leads', () => ({
      ...contactBody(contact),
      ...(message.trim() ? { message: message.trim() } : {}),
      consent_marketing: consent,
    }), (r) => setThanks(r.message));
  };

  if (thanks) {
    return (
      <p className="notice ok" role="status">
        {thanks}
      </p>
    );
  }
  return (
    <section aria-labelledby="contact-title">
      <h1 id="contact-title">{embedded ? 'Get in touch' : 'Talk to us about AI for your business'}</h1>
      <form onSubmit={submit} noValidate>
        <ContactFields value={contact} onChange={setContact} errors={errors} onEdit={forget} />
        <Field label="How can we help?" error={errors.message}>
          {(p) => <textarea {...p} rows={5} maxLength={4000} value={message} onChange={(e) => {
              setMessage(e.target.value);
              forget('message');
            }} />}
        </Field>
        <MarketingConsent checked={consent} onChange={setConsent} error={errors.consent_marketing} />
        <Honeypot value={honeypot} onChange={setHoneypot} />
        <Alert>{error}</Alert>
        <div className="actions">
          <button type="submit" disabled={busy}>
            {busy ? 'Sending…' : 'Send'}
          </button>
        </div>
      </form>
    </section>
  );
}

// ---------------------------------------------------------------------------
// The pages

const LINKS: Array<[string, string]> = [
  ['/quiz', 'AI-readiness quiz'],
  ['/roi-calculator', 'ROI calculator'],
  ['/contact', 'Contact'],
];

export function PublicPages({ path }: { path: string }) {
  const attribution = useAttribution();
  const embedded = match('/embed/contact', path) !== null;
  const here = path.split('?')[0]!;

  useEffect(() => {
    document.title = `${LINKS.find(([to]) => to === here)?.[1] ?? 'Contact'} · Throughline`;
    track(attribution, 'page_view', { page: here });
  }, [attribution, here]);

  let content: ReactNode;
  if (match('/quiz', path)) content = <QuizPage attribution={attribution} />;
  else if (match('/roi-calculator', path)) content = <RoiPage attribution={attribution} />;
  else content = <ContactPage attribution={attribution} embedded={embedded} />;

  if (embedded) return <main className="public public-embed">{content}</main>;
  return (
    <div className="public">
      <a href="#main" className="skip">
        Skip to content
      </a>
      <header className="public-head">
        <span className="brand">Throughline</span>
        <nav aria-label="Public pages">
          {LINKS.map(([to, label]) => (
            <a key={to} href={to} {...(to === here ? { 'aria-current': 'page' as const } : {})}>
              {label}
            </a>
          ))}
        </nav>
      </header>
      <main id="main" className="public-main" tabIndex={-1}>
        {content}
      </main>
    </div>
  );
}
