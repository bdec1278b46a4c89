/** Campaigns (seed 004) and events (seed 003) as registry operations. */
import { z } from 'zod';
import type { Operation } from '../registry.ts';
import { addTargets, AddTargetsInput, campaignPerformance, MAX_SEGMENT, MAX_TARGETS, NO_CONSENT, sendCampaignEmail, SendCampaignEmailInput } from './campaigns.ts';
import { AttendanceInput, checkIn, CheckInInput, eventAttendance } from './events.ts';

const AddTargetsResult = z.object({
  campaign_id: z.uuid(),
  added: z.int().describe('targets added now'),
  already_targeted: z.int().describe('records that were already targets of the campaign (or repeated in the list)'),
  refused: z.array(z.object({ index: z.int(), field: z.string(), message: z.string() })).describe('list entries not added, each with its index and why'),
  matched: z.int().optional().describe('for a segment: the records it matched, those without consent included'),
  without_consent: z.int().optional().describe('for a segment: leads and contacts it matched that were left out, having no marketing consent in force'),
});

const SendEmailResult = z.object({
  campaign_id: z.uuid(),
  content_id: z.uuid().describe('the campaign_content sent'),
  content_version: z.int(),
  queued: z.int().describe('emails queued now (their targets moved to sent)'),
  skipped_without_consent: z.int().describe('pending targets left pending: no marketing consent in force'),
  skipped_without_address: z.int().describe('pending targets left pending: no usable email address'),
  already_sent: z.int().describe('targets already past pending, not sent again'),
});

export const marketingOperations: Operation[] = [
  {
    name: 'campaigns.add_targets',
    summary: 'Add leads, contacts or companies to a campaign',
    description:
      `Give either \`targets\` (a list of { target_type: lead | contact | company, target_id }, at most ${MAX_TARGETS}) or a \`segment\`: ` +
      '`leads` { status[], source[], utm_campaign, min_score }, `contacts` { company_status[], industry_id } (of their company), `companies` { status[], industry_id }; ' +
      `each kind named adds every matching record (all of that kind when its filters are empty), at most ${MAX_SEGMENT}. ` +
      'Only records you can see that are not archived. Each record is added once, status `pending`, with its status history; records already targeted are counted under `already_targeted`, so calling again adds nothing. ' +
      'Leads and contacts are targeted only while their marketing consent is in force (consents.record); companies need none. A segment leaves the others out and counts them under `without_consent`. ' +
      `List entries that name no visible record, an archived one, or a lead or contact without consent (\`${NO_CONSENT}\`) are listed under \`refused\` with their index; the rest are added. A completed or archived campaign takes no new targets (409). One transaction.`,
    tag: 'campaigns',
    scope: 'write',
    destructive: false,
    kind: 'action',
    bulk: true,
    input: AddTargetsInput,
    output: AddTargetsResult,
    http: { method: 'post', path: '/api/v1/campaigns/{campaign_id}/targets' },
    run: (ctx, input: AddTargetsInput) => addTargets(ctx, input),
  },
  {
    name: 'campaigns.send_email',
    summary: "Send an email campaign's email to its pending targets who agreed to marketing email",
    description:
      "Sends email to people outside: queues the campaign's current email content (its newest `email` campaign_content: subject and body, with a line telling the reader how to withdraw) to each pending lead and contact target who has an email address and whose marketing consent is in force, one email each, marked as marketing mail; those targets move to `sent` with their status history. " +
      'Once per campaign and target, however often it is called: targets already sent are counted under `already_sent`. Targets without consent or without an address stay pending and are counted (`skipped_without_consent`, `skipped_without_address`); company targets and targets whose record is archived are left alone. ' +
      'A withdrawal before the email leaves cancels it, and the sender checks consent again before sending. Refused (409, field named) unless the campaign is of type email, active, and has email content with a subject and a body. One transaction. An agent must confirm it: it mails many people at once.',
    tag: 'campaigns',
    scope: 'write',
    destructive: false,
    bulk: true,
    kind: 'action',
    input: SendCampaignEmailInput,
    output: SendEmailResult,
    http: { method: 'post', path: '/api/v1/campaigns/{id}/send_email' },
    run: (ctx, input: SendCampaignEmailInput) => sendCampaignEmail(ctx, input),
  },
  {
    name: 'campaigns.performance',
    weight: 'report',
    summary: "A campaign's performance: totals, rates, series, target funnel",
    description:
      'Totals over the campaign\'s metric rows (impressions, opens, clicks, conversions; spend and revenue per currency) and rates worked out from those totals, never averaged per period, as exact decimal strings rounded half up to 2 places: ' +
      'open_rate = opens ÷ impressions × 100, click_rate = clicks ÷ impressions × 100, conversion_rate = conversions ÷ clicks × 100, cost_per_conversion = spend ÷ conversions, roi = (revenue − spend) ÷ spend × 100, budget_used = spend ÷ budget × 100. ' +
      'A rate is null when its divisor is 0 or missing; the money rates are null when the periods are in more than one currency (each currency has its own under totals.by_currency), and budget_used when they are not in the campaign\'s currency. ' +
      'Also: every period as stored (with its computed cost_per_conversion and roi), the targets by status and by type with `reached` (sent or beyond), and the outreach drafts of the campaign by status.',
    tag: 'campaigns',
    scope: 'read',
    destructive: false,
    kind: 'action',
    input: z.strictObject({ id: z.string().max(200) }),
    http: { method: 'get', path: '/api/v1/campaigns/{id}/performance' },
    run: (ctx, input: { id: string }) => campaignPerformance(ctx, input),
  },
  {
    name: 'events.attendance',
    weight: 'report',
    summary: "An event's attendance by company",
    description:
      'The event; its attendees grouped by the company they came from ({ company_id, company_name, attendees: [{ id, contact_id, name, title, status, role }], counts by status }, attendees without a company last); totals by status; ' +
      'the interactions logged at the event that you can see (their count and the latest 20) and the outreach drafts tied to it by status.',
    tag: 'events',
    scope: 'read',
    destructive: false,
    kind: 'action',
    input: AttendanceInput,
    http: { method: 'get', path: '/api/v1/events/{event_id}/attendance' },
    run: (ctx, input: z.infer<typeof AttendanceInput>) => eventAttendance(ctx, input),
  },
  {
    name: 'events.check_in',
    summary: 'Check a contact in at an event',
    description:
      "Marks the contact as attended (adding them as an attendee, with the contact's company, when they came unregistered) and logs an interaction at the event (type `event`, with event_id) for the contact and their company, as sales.log_interaction does (a `lead` company moves to `contacted`). " +
      'Checking in someone already attended changes nothing (`already_attended: true`). A cancelled event refuses check-ins (409). One transaction.',
    tag: 'events',
    scope: 'write',
    destructive: false,
    kind: 'action',
    input: CheckInInput,
    http: { method: 'post', path: '/api/v1/events/{event_id}/attendees/{contact_id}/attended' },
    run: (ctx, input: CheckInInput) => checkIn(ctx, input),
  },
];
