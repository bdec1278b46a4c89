/**
 * The assistant from the command line: `throughline assistant research` and `assistant draft`
 * against the fake provider (test/fake-llm.ts), configured only through the THROUGHLINE_LLM_*
 * environment, for a contact targeted by a campaign (`throughline campaigns add-targets`); then
 * the draft approved and sent with `throughline outreach_drafts …`, the campaign's target seen
 * reached (`campaigns performance`), and the cost read back with `throughline llm cost-summary
 * --by month`. The commands run as child processes (asynchronously: the fake provider answers
 * from this process).
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, freshDatabase, type TestDatabase } from './db.ts';
import { startFakeLlm, type FakeLlm } from './fake-llm.ts';
import { runCli as run } from './servers.ts';

for (const backend of backends) {
  describe(`throughline assistant [${backend}]`, () => {
    let fake: FakeLlm;
    let dataDir: string;
    let database: TestDatabase | undefined;
    let base: Record<string, string>;

    beforeAll(async () => {
      fake = await startFakeLlm();
      dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'throughline-cli-assistant-'));
      const inherited = Object.fromEntries(Object.entries(process.env).filter(([k, v]) => v !== undefined && k !== 'DATABASE_URL' && !k.startsWith('THROUGHLINE_'))) as Record<string, string>;
      if (backend === 'postgres') database = await freshDatabase('postgres');
      base = {
        ...inherited,
        NODE_NO_WARNINGS: '1',
        THROUGHLINE_LOG_LEVEL: 'error',
        THROUGHLINE_URL: '',
        THROUGHLINE_API_KEY: '',
        ...(database ? { DATABASE_URL: database.url!, THROUGHLINE_SECRET_KEY: randomBytes(32).toString('base64') } : { THROUGHLINE_DATA_DIR: dataDir, THROUGHLINE_SEED_DEMO: 'never' }),
      };
    }, 180_000);
    afterAll(async () => {
      await fake?.close();
      await database?.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    });

    const withModel = () => ({ ...base, THROUGHLINE_LLM_PROVIDER: 'openai', THROUGHLINE_LLM_URL: `${fake.url}/v1`, THROUGHLINE_LLM_MODEL: 'cli-model', THROUGHLINE_LLM_API_KEY: 'sk-cli-test', THROUGHLINE_LLM_TIMEOUT_MS: '5000' });
    const ok = async (env: Record<string, string>, ...args: string[]) => {
      const r = await run(env, args);
      expect(r.code, `throughline ${args.join(' ')}:\n${r.stdout}\n${r.stderr}`).toBe(0);
      return JSON.parse(r.stdout) as Record<string, any>;
    };

    it('researches and drafts for a campaign through the configured model, then approves, sends, sees the target reached and reports the cost', async () => {
      const company = await ok(base, 'companies', 'create', '--set', 'name=Parramatta Precast', '--set', 'description=Precast panels for mid-rise', '--json');
      const contact = await ok(base, 'contacts', 'create', '--data', JSON.stringify({ name: 'Jo Tran', email: 'jo@precast.example', company_id: company.id }), '--json');

      // Without a model the command says what to set, and exits non-zero.
      const off = await run(base, ['assistant', 'research', contact.id]);
      expect(off.code).toBe(1);
      expect(off.stderr).toMatch(/UNAVAILABLE: The assistant has no language model configured: set THROUGHLINE_LLM_PROVIDER and THROUGHLINE_LLM_MODEL/);
      expect(fake.requests).toEqual([]);

      fake.script({ reply: JSON.stringify({ summary: 'Jo runs estimating at a precast maker.', key_insights: ['Quotes from drawings'], recommended_solutions: [], confidence: 61 }), usage: { prompt: 900, completion: 100 } });
      const research = await ok(withModel(), 'assistant', 'research', contact.id, '--instructions', 'Keep it short.');
      expect(research).toMatchObject({ contact_id: contact.id, company_id: company.id, research_summary: 'Jo runs estimating at a precast maker.', key_insights: ['Quotes from drawings'], confidence_score: '61.00', model: 'cli-model', cost: '0.000000' });
      expect(research.warnings).toEqual([expect.stringMatching(/No price of cli-model .* add a price for the model in llm_model_prices/)]);
      const req = fake.requests[0]!;
      expect([req.path, req.headers.authorization, req.body.model]).toEqual(['/v1/chat/completions', 'Bearer sk-cli-test', 'cli-model']);
      expect(String(req.body.messages[1].content)).toContain('<person_instructions>\n"Keep it short."\n</person_instructions>');

      // Tracked through a campaign: Jo agreed to marketing email, so Jo can be a target, pending until the draft for the campaign is sent.
      const consent = await ok(base, 'consents', 'record', '--contact-id', contact.id, '--purpose', 'marketing_email', '--method', 'phone', '--evidence', 'Said yes on the call of 3 March');
      expect(consent).toMatchObject({ created: true, consent: { contact_id: contact.id, purpose: 'marketing_email', method: 'phone' } });
      const campaign = await ok(base, 'campaigns', 'create', '--data', JSON.stringify({ name: 'Precast spring push', type: 'email', budget: '800.00' }), '--json');
      const added = await ok(base, 'campaigns', 'add-targets', campaign.id, '--data', JSON.stringify({ targets: [{ target_type: 'contact', target_id: contact.id }] }));
      expect(added).toMatchObject({ added: 1, already_targeted: 0, refused: [] });

      fake.script({ reply: JSON.stringify({ subject: 'Quoting from drawings', body: 'Hi Jo,\n\nCould we show you?' }), usage: { prompt: 700, completion: 80 } });
      const draft = await ok(withModel(), 'assistant', 'draft', contact.id, '--draft-type', 'email', '--campaign-id', campaign.id);
      expect(draft).toMatchObject({ contact_id: contact.id, campaign_id: campaign.id, draft_type: 'email', status: 'draft', subject: 'Quoting from drawings', content: 'Hi Jo,\n\nCould we show you?' });
      expect(String(fake.requests[1]!.body.messages[1].content)).toContain('Jo runs estimating at a precast maker.');

      // The local operator is a person: they approve, then send (one email queued to Jo).
      expect(await ok(base, 'outreach_drafts', 'approve', draft.id)).toMatchObject({ status: 'approved' });
      const sent = await ok(base, 'outreach_drafts', 'send', draft.id);
      expect(sent.draft).toMatchObject({ status: 'sent' });
      expect(sent.email).toMatchObject({ queued: true });
      expect(sent.interaction).toMatchObject({ type: 'email', direction: 'outbound', contact_id: contact.id });
      const performance = await ok(base, 'campaigns', 'performance', campaign.id);
      expect(performance.targets).toMatchObject({ total: 1, reached: 1, by_status: { sent: 1 } });
      expect(performance.outreach_drafts).toMatchObject({ total: 1, by_status: { sent: 1 } });

      const report = await ok(base, 'llm', 'cost-summary', '--by', 'month');
      expect(report.by).toBe('month');
      expect(report.items.map((i: Record<string, unknown>) => [i.workflow_name, i.model, i.calls, i.prompt_tokens, i.completion_tokens])).toEqual([
        ['outreach_draft', 'cli-model', 1, 700, 80],
        ['prospect_research', 'cli-model', 1, 900, 100],
      ]);
      expect(fake.requests).toHaveLength(2);
    }, 300_000);
  });
}
