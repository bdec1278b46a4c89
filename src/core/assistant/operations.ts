/** The sales assistant's verbs (seed 003): prospect research and outreach drafts through a configured LLM. */
import { z } from 'zod';
import type { Ctx } from '../context.ts';
import type { Operation } from '../registry.ts';
import { servicesForCompany, SuggestServicesInput } from './catalog-fit.ts';
import { approveDraft, discardDraft, DiscardInput, DraftIdInput, DraftInput, draftOutreach, sendDraft } from './drafts.ts';
import { hostOf } from './llm-provider.ts';
import { researchContact, ResearchInput } from './research.ts';

export type AssistantStatus = {
  configured: boolean;
  provider: 'openai' | 'anthropic' | null;
  model: string | null;
  /** Where the model is: the host only, never the path, credentials or key. */
  host: string | null;
  timeout_ms: number | null;
  max_tokens: number | null;
  message?: string;
};

export function assistantStatus(ctx: Ctx): AssistantStatus {
  const s = ctx.runtime?.llm;
  if (!s) {
    return {
      configured: false,
      provider: null,
      model: null,
      host: null,
      timeout_ms: null,
      max_tokens: null,
      message: 'No language model is configured: set THROUGHLINE_LLM_PROVIDER (openai or anthropic), THROUGHLINE_LLM_MODEL and THROUGHLINE_LLM_API_KEY (and THROUGHLINE_LLM_URL for another endpoint).',
    };
  }
  return { configured: true, provider: s.provider, model: s.model, host: hostOf(s.baseUrl), timeout_ms: s.timeoutMs, max_tokens: s.maxTokens };
}

const MODEL_CALL =
  'The call goes to the language model the instance is configured with (THROUGHLINE_LLM_*; see assistant.status) and is logged in llm_usage_logs with its tokens, latency and cost (from llm_model_prices; with no price it is logged at cost 0 and the answer warns). Record text is sent to the model as data inside a fenced block, never as instructions. No model configured, a provider error, a timeout or an unusable answer: 503 UNAVAILABLE, the failed call logged, nothing else written. Runs outside a database transaction (the model is not kept waiting on a lock), so it takes no Idempotency-Key and an agent cannot try it as a dry run.';

export const assistantOperations: Operation[] = [
  {
    name: 'assistant.status',
    summary: 'Is a language model configured for the assistant?',
    description: 'Whether the assistant can research and draft: the provider (openai: any OpenAI-compatible chat completions API; anthropic: the Messages API), the model, the host it is reached at, its timeout and answer size. Never the API key.',
    tag: 'assistant',
    scope: 'read',
    destructive: false,
    kind: 'action',
    input: z.strictObject({}),
    http: { method: 'get', path: '/api/v1/assistant/status' },
    run: async (ctx) => assistantStatus(ctx),
  },
  {
    name: 'services.suggest',
    summary: 'Services that fit a company’s industry',
    description: 'The active services linked to the company’s industry (industry_services), with why each fits (fit_notes). A company without an industry, or an industry with no service linked, answers no items and a message saying what to set.',
    tag: 'assistant',
    scope: 'read',
    destructive: false,
    kind: 'action',
    input: SuggestServicesInput,
    http: { method: 'get', path: '/api/v1/companies/{company_id}/suggested_services' },
    run: (ctx, input: z.infer<typeof SuggestServicesInput>) => servicesForCompany(ctx, input.company_id),
  },
  {
    name: 'assistant.research',
    summary: 'Research a contact with the assistant',
    description: `Reads the contact, their company (industry, size, description, website), the last 20 interactions, the notes on them (private notes only if you wrote them), open deals and the catalog services that fit the industry (every active service when none is linked), asks the model for a summary, key insights, recommended services and a confidence (0–100), and stores it as a prospect_research row. Recommendations of services not in the list offered are left out. Answers the row with llm_usage_log_id, cost, currency and warnings. \`instructions\` (at most 2,000 characters) guides tone and focus. ${MODEL_CALL}`,
    tag: 'assistant',
    scope: 'write',
    destructive: false,
    kind: 'action',
    transactional: false,
    input: ResearchInput,
    http: { method: 'post', path: '/api/v1/contacts/{contact_id}/research', status: 201 },
    run: (ctx, input: ResearchInput) => researchContact(ctx, input),
  },
  {
    name: 'assistant.draft',
    summary: 'Draft outreach to a contact with the assistant',
    description: `Writes an outreach draft (draft_type: email, linkedin, call_script or other) from the contact, their company, the latest research and, when given, an event (event_id) and a campaign (campaign_id, with its content). Stored in outreach_drafts with status draft, whatever the model says: a person approves it (outreach_drafts.approve) before it can be sent. Answers the draft with llm_usage_log_id, cost, currency and warnings. ${MODEL_CALL}`,
    tag: 'assistant',
    scope: 'write',
    destructive: false,
    kind: 'action',
    transactional: false,
    input: DraftInput,
    http: { method: 'post', path: '/api/v1/contacts/{contact_id}/drafts', status: 201 },
    run: (ctx, input: DraftInput) => draftOutreach(ctx, input),
  },
  {
    name: 'outreach_drafts.approve',
    summary: 'Approve an outreach draft as it stands',
    description: 'A person (not an agent, not the system) approves a draft in status draft: it becomes approved, with approved_by and approved_at. An email draft needs a subject. Editing its text, kind, contact, event or campaign afterwards returns it to draft. Give `expected_version` to approve only the version you read.',
    tag: 'assistant',
    scope: 'write',
    destructive: false,
    kind: 'action',
    input: DraftIdInput,
    http: { method: 'post', path: '/api/v1/outreach_drafts/{id}/approve' },
    run: (ctx, input: DraftIdInput) => approveDraft(ctx, input),
  },
  {
    name: 'outreach_drafts.send',
    summary: 'Send an approved outreach draft',
    description: `Only an approved draft (409 otherwise). An email draft is queued to the contact (who must have an email address) with the outreach template, once whatever the retries; other kinds are recorded as sent by you. In one transaction: the draft becomes sent (sent_at), an outbound interaction is logged with the contact, company and event, and with a campaign the campaign target for the contact (else their company) moves from pending to sent (added as sent if there is none). Cannot be undone. Answers { draft, email, interaction, campaign_target }. An email body over 20,000 characters or a subject that is not one line of at most 200 is refused with the field named.`,
    tag: 'assistant',
    scope: 'write',
    destructive: true,
    kind: 'action',
    input: DraftIdInput,
    http: { method: 'post', path: '/api/v1/outreach_drafts/{id}/send' },
    run: (ctx, input: DraftIdInput) => sendDraft(ctx, input),
  },
  {
    name: 'outreach_drafts.discard',
    summary: 'Discard an outreach draft',
    description: 'A draft or approved draft that will not be sent becomes discarded, which is final; the reason, if given, is kept in the audit log.',
    tag: 'assistant',
    scope: 'write',
    destructive: false,
    kind: 'action',
    input: DiscardInput,
    http: { method: 'post', path: '/api/v1/outreach_drafts/{id}/discard' },
    run: (ctx, input: DiscardInput) => discardDraft(ctx, input),
  },
];
