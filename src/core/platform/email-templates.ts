/**
 * The outgoing emails: one data shape (checked at enqueue, so bad data is a VALIDATION error
 * then rather than a dead email later) and one rendering per template. Every value is escaped
 * in the HTML part; the subject is one line; links are built only from the instance's public
 * address and record ids (never from a URL someone typed), and are left out when the instance
 * has no public address.
 */
import { z } from 'zod';
import { EMAIL_TEMPLATES, type EmailTemplate } from '../../db/schema/comms.ts';
import { SERVICE_TIERS } from '../../db/schema/catalog.ts';
import { invalid, zodFieldErrors } from '../errors.ts';
import { monthlyReportPath, recordPath } from '../web-paths.ts';

export { EMAIL_TEMPLATES, type EmailTemplate };

export type RenderedEmail = { subject: string; text: string; html: string };
export type RenderOptions = { publicUrl?: string | undefined; timeZone?: string | undefined };

const uuid = z.uuid({ message: 'must be a UUID' });
const name = z.string().trim().min(1).max(200);
const line = (max = 500) => z.string().trim().max(max);
const day = z.iso.date({ message: 'must be a date such as 2026-03-31' });
const instant = z.iso.datetime({ offset: true, message: 'must be an ISO date-time such as 2026-03-31T09:30:00Z' });
const decimal = z.string().regex(/^-?\d{1,12}(\.\d{1,6})?$/, 'must be a decimal such as 12.5');

const WelcomeData = z.strictObject({
  recipient_name: name,
  /** A new Throughline user (with a sign-in link) or a client's contact starting an engagement (no link: clients do not sign in). */
  audience: z.enum(['user', 'client']).default('user'),
  company_name: name.optional(),
  consultant_name: name.optional(),
});

/** How a readiness band reads to a client: "L3 Consulting". */
const tierLabel = (tier: (typeof SERVICE_TIERS)[number]) => {
  const [level, word = ''] = tier.split('_');
  return `${level} ${word.charAt(0)}${word.slice(1).toLowerCase()}`;
};

const AssessmentResultsData = z.strictObject({
  recipient_name: name.optional(),
  company_name: name.optional(),
  score: z.number().min(0).max(100),
  band: z.enum(SERVICE_TIERS),
  strengths: z.array(line(200)).max(10).default([]),
  weaknesses: z.array(line(200)).max(10).default([]),
  consultant_name: name.optional(),
});

const RoiReportData = z.strictObject({
  recipient_name: name.optional(),
  engagement_id: uuid,
  engagement_name: name,
  month: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be a month such as 2026-03'),
  currency: z.string().regex(/^[A-Z]{3}$/, 'must be a currency code such as USD').optional(),
  hours_saved: decimal.optional(),
  value: decimal.nullable().optional(),
  roi_percent: decimal.nullable().optional(),
});

const FollowUpItem = z.strictObject({
  interaction_id: uuid.optional(),
  company_id: uuid.nullable().optional(),
  company_name: name.nullable().optional(),
  contact_name: name.nullable().optional(),
  follow_up_date: day,
  days_overdue: z.int().min(0).default(0),
  next_step: line().nullable().optional(),
  summary: line().nullable().optional(),
});

const SingleFollowUp = FollowUpItem.extend({ kind: z.literal('reminder').default('reminder'), recipient_name: name.optional() });

const DigestMeeting = z.strictObject({
  id: uuid,
  scheduled_at: instant,
  subject: line(200).nullable().optional(),
  meeting_type: line(50).nullable().optional(),
  company_id: uuid.nullable().optional(),
  company_name: name.nullable().optional(),
});
const DigestTraining = z.strictObject({
  id: uuid,
  scheduled_date: instant,
  title: line(200).nullable().optional(),
  engagement_id: uuid,
  engagement_name: name.nullable().optional(),
  company_name: name.nullable().optional(),
});
const DigestTicket = z.strictObject({
  id: uuid,
  ticket_number: line(50),
  subject: line(200).nullable().optional(),
  priority: line(20),
  status: line(20),
  company_name: name.nullable().optional(),
});

const DigestLead = z.strictObject({
  id: uuid,
  name: name.nullable().optional(),
  company_name: name.nullable().optional(),
  source: line(50),
  score: z.int().min(0).max(1000),
  created_at: instant,
});

/** The daily digest, sent as a `follow_up` (the queue's templates are fixed): everything waiting on one person today. */
export const DigestData = z.strictObject({
  kind: z.literal('digest'),
  recipient_name: name.nullable().optional(),
  date: day,
  follow_ups: z.array(FollowUpItem).max(200),
  meetings: z.array(DigestMeeting).max(200),
  trainings: z.array(DigestTraining).max(200),
  tickets: z.array(DigestTicket).max(200),
  /** New leads given to them and not contacted yet (the public quiz, calculator and form); absent in digests queued before it existed. */
  new_leads: z.array(DigestLead).max(200).default([]),
});
export type DigestData = z.infer<typeof DigestData>;

const MeetingReminderData = z.strictObject({
  recipient_name: name.optional(),
  meeting_id: uuid,
  scheduled_at: instant,
  company_name: name.optional(),
  subject: line(200).optional(),
  meeting_type: line(50).optional(),
  duration_minutes: z.int().min(1).max(24 * 60).optional(),
  location: line(300).optional(),
  /** Shown as text, never as a link: it was typed by someone. */
  meeting_url: line(2000).optional(),
});

/** An approved outreach draft (src/core/assistant): its text as a person approved it, paragraph by paragraph. */
const OutreachData = z.strictObject({
  draft_id: uuid,
  subject: line(200).min(1, 'must not be empty'),
  body: z.string().trim().min(1, 'must not be empty').max(20_000, 'must be at most 20,000 characters'),
});

/**
 * A campaign's marketing email (campaigns.send_email): the subject and body of the campaign's
 * email content as its team wrote them, to one person whose marketing consent is in force.
 */
const CampaignData = z.strictObject({
  campaign_id: uuid,
  campaign_name: name,
  recipient_name: name.optional(),
  subject: line(200).min(1, 'must not be empty'),
  body: z.string().trim().min(1, 'must not be empty').max(20_000, 'must be at most 20,000 characters'),
});

/** Checks a template's data; answers the data as it will be stored (defaults filled in). VALIDATION names the fields under `data.`. */
export function parseTemplateData(template: EmailTemplate, data: unknown): Record<string, unknown> {
  const schema = template === 'follow_up'
    ? (data && typeof data === 'object' && (data as { kind?: unknown }).kind === 'digest' ? DigestData : SingleFollowUp)
    : SCHEMAS[template];
  const r = (schema as z.ZodType<Record<string, unknown>>).safeParse(data ?? {}, { reportInput: true });
  if (r.success) return r.data;
  throw invalid(zodFieldErrors(r.error).map((f) => ({ field: f.field === 'input' ? 'data' : `data.${f.field}`, message: f.message })));
}

const SCHEMAS = {
  welcome: WelcomeData,
  assessment_results: AssessmentResultsData,
  roi_report: RoiReportData,
  follow_up: SingleFollowUp,
  meeting_reminder: MeetingReminderData,
  outreach: OutreachData,
  campaign: CampaignData,
} satisfies Record<EmailTemplate, z.ZodType>;

// --- rendering -------------------------------------------------------------------------

export const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** One line of at most 200 characters: control characters and line breaks become spaces. */
export const oneLine = (s: string) =>
  s.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 200);

/** An absolute link into the web app, or undefined when the instance has no (http) public address. */
function appLink(opts: RenderOptions, path: string): string | undefined {
  if (!opts.publicUrl) return undefined;
  let base: URL;
  try {
    base = new URL(opts.publicUrl);
  } catch {
    return undefined;
  }
  if (base.protocol !== 'https:' && base.protocol !== 'http:') return undefined;
  return `${base.origin}${base.pathname.replace(/\/+$/, '')}${path}`;
}

/** A piece of an email: written once, rendered as text and as escaped HTML. */
type Block =
  | { p: string }
  | { list: string[] }
  | { heading: string }
  | { facts: Array<[string, string]> }
  | { link: string; label: string };

function toText(blocks: Block[]): string {
  const out: string[] = [];
  for (const b of blocks) {
    if ('p' in b) out.push(b.p);
    else if ('heading' in b) out.push(b.heading.toUpperCase());
    else if ('list' in b) out.push(b.list.map((i) => `- ${i}`).join('\n'));
    else if ('facts' in b) out.push(b.facts.map(([k, v]) => `${k}: ${v}`).join('\n'));
    else out.push(`${b.label}: ${b.link}`);
  }
  return `${out.join('\n\n')}\n`;
}

function toHtml(subject: string, blocks: Block[]): string {
  const body = blocks
    .map((b) => {
      if ('p' in b) return `<p>${escapeHtml(b.p).replace(/\n/g, '<br>')}</p>`;
      if ('heading' in b) return `<h3 style="margin:20px 0 6px;font-size:15px">${escapeHtml(b.heading)}</h3>`;
      if ('list' in b) return `<ul>${b.list.map((i) => `<li>${escapeHtml(i)}</li>`).join('')}</ul>`;
      if ('facts' in b) {
        return `<table role="presentation" style="border-collapse:collapse">${b.facts
          .map(([k, v]) => `<tr><td style="padding:2px 12px 2px 0;color:#555">${escapeHtml(k)}</td><td style="padding:2px 0"><strong>${escapeHtml(v)}</strong></td></tr>`)
          .join('')}</table>`;
      }
      return `<p><a href="${escapeHtml(b.link)}" style="color:#1f4fd1">${escapeHtml(b.label)}</a></p>`;
    })
    .join('\n');
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>
<body style="font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;font-size:14px;line-height:1.5;color:#1a1a1a;max-width:600px;margin:0 auto;padding:16px">
${body}
</body></html>
`;
}

const greeting = (n: string | null | undefined) => ({ p: n ? `Hello ${n},` : 'Hello,' });
const signOff = (consultant?: string | null) => ({ p: consultant ? `Best regards,\n${consultant}` : 'Best regards,\nThe Throughline team' });

function formatInstant(iso: string, timeZone: string | undefined): string {
  const at = new Date(iso);
  try {
    return new Intl.DateTimeFormat('en-GB', { timeZone: timeZone ?? 'UTC', weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', timeZoneName: 'short' }).format(at);
  } catch {
    return at.toISOString();
  }
}

const formatDay = (d: string) =>
  new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', weekday: 'short', day: 'numeric', month: 'short', year: 'numeric' }).format(new Date(`${d}T00:00:00Z`));

const formatMonth = (m: string) =>
  new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', month: 'long', year: 'numeric' }).format(new Date(`${m}-01T00:00:00Z`));

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

function followUpLine(f: z.infer<typeof FollowUpItem>): string {
  const who = [f.contact_name, f.company_name].filter(Boolean).join(', ') || 'a contact';
  const when = f.days_overdue > 0 ? `${plural(f.days_overdue, 'day')} overdue (due ${formatDay(f.follow_up_date)})` : `due ${formatDay(f.follow_up_date)}`;
  const what = f.next_step ?? f.summary;
  return `${who}: ${when}${what ? ` — ${what}` : ''}`;
}

type Parts = { subject: string; blocks: Block[] };

function welcome(d: z.infer<typeof WelcomeData>, o: RenderOptions): Parts {
  if (d.audience === 'client') {
    return {
      subject: `Welcome aboard${d.company_name ? `, ${d.company_name}` : ''}`,
      blocks: [
        greeting(d.recipient_name),
        { p: `Thank you for choosing to work with us. We are glad to have ${d.company_name ?? 'you'} on board, and look forward to putting AI to work where it saves your team real time.` },
        { p: 'Over the next days we will set up your workspace, agree the first training sessions and the tasks we will measure, so that every month you can see what the work has returned.' },
        { p: 'If anything is unclear, just reply to this email: it reaches us directly.' },
        signOff(d.consultant_name),
      ],
    };
  }
  const link = appLink(o, '/');
  return {
    subject: 'Your Throughline account is ready',
    blocks: [
      greeting(d.recipient_name),
      { p: 'An account has been created for you in Throughline, where we keep our pipeline, assessments, engagements and the results we deliver to clients.' },
      ...(link ? [{ link, label: 'Sign in to Throughline' }] : [{ p: 'Ask your administrator for the address of Throughline and your first password.' }]),
      { p: 'We recommend turning on two-factor authentication from your profile after your first sign-in.' },
      signOff(d.consultant_name),
    ],
  };
}

function assessmentResults(d: z.infer<typeof AssessmentResultsData>): Parts {
  const score = Math.round(d.score * 10) / 10;
  const tier = tierLabel(d.band);
  return {
    subject: `Your AI readiness results: ${score}/100`,
    blocks: [
      greeting(d.recipient_name),
      { p: `Thank you for taking our AI readiness assessment${d.company_name ? ` for ${d.company_name}` : ''}. Here is where you stand.` },
      { facts: [['Readiness score', `${score} / 100`], ['Recommended level', tier]] },
      ...(d.strengths.length ? [{ heading: 'Where you are strong' }, { list: d.strengths }] : []),
      ...(d.weaknesses.length ? [{ heading: 'Where to focus first' }, { list: d.weaknesses }] : []),
      { p: 'A score is a starting point, not a verdict. We would be happy to walk you through what it means for your team in a short call: reply to this email and suggest a time.' },
      signOff(d.consultant_name),
    ],
  };
}

function roiReport(d: z.infer<typeof RoiReportData>, o: RenderOptions): Parts {
  const month = formatMonth(d.month);
  const facts: Array<[string, string]> = [];
  if (d.hours_saved !== undefined) facts.push(['Hours saved', d.hours_saved]);
  if (d.value !== undefined && d.value !== null) facts.push(['Value of time saved', `${d.value}${d.currency ? ` ${d.currency}` : ''}`]);
  if (d.roi_percent !== undefined && d.roi_percent !== null) facts.push(['Return on investment', `${d.roi_percent}%`]);
  const link = appLink(o, monthlyReportPath(d.engagement_id, d.month));
  return {
    subject: `${d.engagement_name}: your ${month} report is ready`,
    blocks: [
      greeting(d.recipient_name),
      { p: `The monthly report for ${d.engagement_name} covering ${month} is ready: usage, time saved, support, training and what it all returned.` },
      ...(facts.length ? [{ facts }] : []),
      ...(link ? [{ link, label: `Open the ${month} report` }] : []),
      { p: 'Questions about a figure? Reply to this email and we will go through it with you.' },
      signOff(),
    ],
  };
}

function followUp(d: z.infer<typeof SingleFollowUp>, o: RenderOptions): Parts {
  const who = d.company_name ?? d.contact_name ?? 'a contact';
  const link = d.company_id ? appLink(o, recordPath('companies', d.company_id)) : d.interaction_id ? appLink(o, recordPath('interactions', d.interaction_id)) : undefined;
  return {
    subject: d.days_overdue > 0 ? `Overdue follow-up: ${who}` : `Follow-up due: ${who}`,
    blocks: [
      greeting(d.recipient_name),
      { p: d.days_overdue > 0 ? `A follow-up with ${who} is ${plural(d.days_overdue, 'day')} overdue.` : `A follow-up with ${who} is due ${formatDay(d.follow_up_date)}.` },
      { facts: [
        ...(d.contact_name ? [['Contact', d.contact_name] as [string, string]] : []),
        ...(d.company_name ? [['Company', d.company_name] as [string, string]] : []),
        ['Due', formatDay(d.follow_up_date)],
        ...(d.next_step ? [['Next step', d.next_step] as [string, string]] : []),
        ...(d.summary ? [['Last time', d.summary] as [string, string]] : []),
      ] },
      ...(link ? [{ link, label: `Open ${who} in Throughline` }] : []),
      signOff(),
    ],
  };
}

function digest(d: DigestData, o: RenderOptions): Parts {
  const counts = [
    d.follow_ups.length ? plural(d.follow_ups.length, 'follow-up') : '',
    d.meetings.length ? plural(d.meetings.length, 'meeting') : '',
    d.trainings.length ? plural(d.trainings.length, 'training session') : '',
    d.tickets.length ? plural(d.tickets.length, 'open ticket') : '',
    d.new_leads.length ? plural(d.new_leads.length, 'new lead') : '',
  ].filter(Boolean);
  const overdue = d.follow_ups.filter((f) => f.days_overdue > 0).length;
  const blocks: Block[] = [greeting(d.recipient_name), { p: `Here is what needs you on ${formatDay(d.date)}: ${counts.join(', ')}.` }];
  if (d.new_leads.length) {
    blocks.push({ heading: 'New leads to contact' }, {
      list: d.new_leads.map((l) => `${l.name ?? 'A visitor'}${l.company_name ? ` (${l.company_name})` : ''}: score ${l.score}, from ${l.source.replace(/_/g, ' ')}, arrived ${formatInstant(l.created_at, o.timeZone)}`),
    });
  }
  if (d.follow_ups.length) {
    blocks.push({ heading: `Follow-ups${overdue ? ` (${overdue} overdue)` : ''}` }, { list: d.follow_ups.map(followUpLine) });
  }
  if (d.meetings.length) {
    blocks.push({ heading: 'Meetings in the next two days' }, {
      list: d.meetings.map((m) => `${formatInstant(m.scheduled_at, o.timeZone)}: ${[m.subject ?? (m.meeting_type ? `${m.meeting_type} meeting` : 'meeting'), m.company_name].filter(Boolean).join(' with ')}`),
    });
  }
  if (d.trainings.length) {
    blocks.push({ heading: 'Training sessions in the next two days' }, {
      list: d.trainings.map((t) => `${formatInstant(t.scheduled_date, o.timeZone)}: ${t.title ?? 'training session'}${t.engagement_name || t.company_name ? ` (${[t.engagement_name, t.company_name].filter(Boolean).join(', ')})` : ''}`),
    });
  }
  if (d.tickets.length) {
    blocks.push({ heading: 'Support tickets waiting on you' }, {
      list: d.tickets.map((t) => `${t.ticket_number} [${t.priority}, ${t.status.replace(/_/g, ' ')}]: ${t.subject ?? 'no subject'}${t.company_name ? ` (${t.company_name})` : ''}`),
    });
  }
  const link = appLink(o, '/');
  if (link) blocks.push({ link, label: 'Open Throughline' });
  blocks.push({ p: 'You receive this digest because it is turned on for your account; you can turn it off at any time.' });
  return { subject: `Your day: ${counts.join(', ')}`, blocks };
}

function meetingReminder(d: z.infer<typeof MeetingReminderData>, o: RenderOptions): Parts {
  const when = formatInstant(d.scheduled_at, o.timeZone);
  const what = d.subject ?? (d.meeting_type ? `${d.meeting_type.replace(/_/g, ' ')} meeting` : 'Meeting');
  const link = appLink(o, recordPath('interactions', d.meeting_id));
  const facts: Array<[string, string]> = [['When', when]];
  if (d.duration_minutes) facts.push(['Duration', plural(d.duration_minutes, 'minute')]);
  if (d.company_name) facts.push(['With', d.company_name]);
  if (d.location) facts.push(['Where', d.location]);
  if (d.meeting_url) facts.push(['Video link', d.meeting_url]);
  return {
    subject: `Reminder: ${what}${d.company_name ? ` with ${d.company_name}` : ''}, ${when}`,
    blocks: [
      greeting(d.recipient_name),
      { p: `A reminder of our upcoming meeting${d.company_name ? ` with ${d.company_name}` : ''}.` },
      { facts },
      ...(link ? [{ link, label: 'Meeting details in Throughline' }] : []),
      { p: 'If the time no longer works, reply to this email and we will find another.' },
      signOff(),
    ],
  };
}

/** The approved text exactly, one paragraph per blank-line-separated block; no greeting or sign-off is added (the text has its own). */
function outreach(d: z.infer<typeof OutreachData>): Parts {
  return { subject: d.subject, blocks: d.body.split(/\n\s*\n/).map((p) => ({ p: p.trim() })).filter((b) => b.p !== '') };
}

/** The words to withdraw: marketing mail always tells its reader how to stop it. */
export const CAMPAIGN_UNSUBSCRIBE =
  'You receive this email because you agreed to hear from us. To stop, reply to this email and ask us to withdraw your consent: we will send you no more marketing email.';

/** The campaign's text exactly (paragraphs as the body separates them), after a greeting, and the way to withdraw. */
function campaign(d: z.infer<typeof CampaignData>): Parts {
  return {
    subject: d.subject,
    blocks: [
      ...(d.recipient_name ? [greeting(d.recipient_name)] : []),
      ...d.body.split(/\n\s*\n/).map((p) => ({ p: p.trim() })).filter((b) => b.p !== ''),
      { p: CAMPAIGN_UNSUBSCRIBE },
    ],
  };
}

/** Renders a template; the data is checked first (VALIDATION on bad data). */
export function renderEmail(template: EmailTemplate, data: unknown, opts: RenderOptions = {}): RenderedEmail {
  const d = parseTemplateData(template, data);
  let parts: Parts;
  switch (template) {
    case 'welcome':
      parts = welcome(d as z.infer<typeof WelcomeData>, opts);
      break;
    case 'assessment_results':
      parts = assessmentResults(d as z.infer<typeof AssessmentResultsData>);
      break;
    case 'roi_report':
      parts = roiReport(d as z.infer<typeof RoiReportData>, opts);
      break;
    case 'follow_up':
      parts = d.kind === 'digest' ? digest(d as DigestData, opts) : followUp(d as z.infer<typeof SingleFollowUp>, opts);
      break;
    case 'meeting_reminder':
      parts = meetingReminder(d as z.infer<typeof MeetingReminderData>, opts);
      break;
    case 'outreach':
      parts = outreach(d as z.infer<typeof OutreachData>);
      break;
    case 'campaign':
      parts = campaign(d as z.infer<typeof CampaignData>);
      break;
  }
  const subject = oneLine(parts.subject);
  return { subject, text: toText(parts.blocks), html: toHtml(subject, parts.blocks) };
}
