/**
 * Integrations: secrets sealed at rest under the instance's key, bound to their row, never
 * answered, never audited; administrators only; a clear refusal without a secret key.
 */
import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/api/app.ts';
import { makeCtx, SYSTEM, type Ctx } from '../src/core/context.ts';
import { AppError } from '../src/core/errors.ts';
import { integrationSecret, REDACTED } from '../src/core/platform/integrations.ts';
import { callApi, FAST_IDENTITY, signIn, type SignedIn } from './auth.ts';
import { dbSuite } from './db.ts';

const RUNTIME = { environment: 'production', allowPrivateTargets: false } as const;
const secret = (label: string) => `${label}-${randomBytes(12).toString('hex')}`;

dbSuite('integrations', ({ database }) => {
  let app: ReturnType<typeof createApp>;
  let admin: SignedIn;
  let editor: SignedIn;
  const core = (): Ctx => makeCtx(database().db, { actor: SYSTEM, timeZone: 'UTC', identity: FAST_IDENTITY });
  const rowOf = async (id: string) => (await database().query<Record<string, unknown>>('select * from integrations where id = $1', [id]))[0]!;
  const auditOf = async (id: string) =>
    JSON.stringify(await database().query('select * from audit_log where record_id = $1 order by at', [id]));

  beforeAll(async () => {
    app = createApp({ database: database(), identity: FAST_IDENTITY, webDir: null, runtime: RUNTIME });
    admin = await signIn(app, database(), 'admin');
    editor = await signIn(app, database(), 'editor');
  });

  async function save(body: Record<string, unknown>, status = 200) {
    return callApi(app, admin, 'POST', '/api/v1/integrations', body, status);
  }

  describe('with a secret key', () => {
    const apiKey = secret('sk-live');
    const token = secret('token');
    const name = `slack-${randomBytes(3).toString('hex')}`;
    let id: string;

    beforeAll(async () => {
      const saved = await save({ name, api_key: apiKey, config: { token, channel: '#sales-wins' }, webhook_url: 'https://hooks.example.com/throughline' });
      id = saved.id;
    });

    it('keeps the API key and the settings sealed: the row holds no plaintext', async () => {
      const row = await rowOf(id);
      const text = JSON.stringify(row);
      expect(text).not.toContain(apiKey);
      expect(text).not.toContain(token);
      expect(text).not.toContain('sales-wins');
      expect(row.api_key_encrypted).toMatch(/^v1\./);
      expect(Object.keys(row.config as object)).toEqual(['sealed']);
      expect((row.config as { sealed: string }).sealed).toMatch(/^v1\./);
      expect(row.webhook_url).toBe('https://hooks.example.com/throughline');
    });

    it('answers has_api_key and the names of the settings, never a secret, on save, get and list', async () => {
      const saved = await save({ name, enabled: true });
      const byId = await callApi(app, admin, 'GET', `/api/v1/integrations/${id}/summary`);
      const byName = await callApi(app, admin, 'GET', `/api/v1/integrations/${name}/summary`);
      for (const answer of [saved, byId, byName]) {
        expect(answer).toMatchObject({ id, name, enabled: true, has_api_key: true, webhook_url: 'https://hooks.example.com/throughline' });
        expect([...answer.config_keys].sort()).toEqual(['channel', 'token']);
        expect(answer).not.toHaveProperty('api_key_encrypted');
        expect(answer).not.toHaveProperty('config');
      }
      const generic = await callApi(app, admin, 'GET', `/api/v1/integrations/${id}`);
      const list = await callApi(app, admin, 'GET', '/api/v1/integrations');
      expect(list.items.map((i: { id: string }) => i.id)).toContain(id);
      for (const answer of [saved, byId, byName, generic, list]) {
        const text = JSON.stringify(answer);
        expect(text).not.toContain(apiKey);
        expect(text).not.toContain(token);
        expect(text).not.toContain('v1.');
      }
    });

    it('unseals the key and the settings for the core', async () => {
      expect(await integrationSecret(core(), name)).toEqual({ apiKey, config: { token, channel: '#sales-wins' } });
      expect(await integrationSecret(core(), 'no-such-integration')).toBeUndefined();
    });

    it('refuses a sealed value copied onto another row: the row id is bound to it', async () => {
      const other = await save({ name: `${name}-copy`, api_key: secret('other') });
      const source = await rowOf(id);
      await database().query('update integrations set api_key_encrypted = $1 where id = $2', [source.api_key_encrypted, other.id]);
      const refused = await integrationSecret(core(), `${name}-copy`).then(() => null, (e: unknown) => e);
      expect(refused).toBeInstanceOf(AppError);
      expect((refused as AppError).code).toBe('PRECONDITION_FAILED');
      expect((refused as AppError).message).not.toContain(apiKey);

      await database().query('update integrations set api_key_encrypted = null, config = $1 where id = $2', [JSON.stringify(source.config), other.id]);
      const answer = await callApi(app, admin, 'GET', `/api/v1/integrations/${other.id}/summary`, undefined, 412);
      expect(answer.code).toBe('PRECONDITION_FAILED');
      expect(JSON.stringify(answer)).not.toContain(token);
      // Keeping settings that do not open is refused; replacing them is the way out.
      await save({ name: `${name}-copy`, enabled: false }, 412);
      expect(await save({ name: `${name}-copy`, config: { region: 'eu' } })).toMatchObject({ config_keys: ['region'], enabled: true });
      expect(await integrationSecret(core(), `${name}-copy`)).toEqual({ config: { region: 'eu' } });
      // The original still opens where it belongs.
      expect((await integrationSecret(core(), name))?.apiKey).toBe(apiKey);
    });

    it('keeps the key when api_key is omitted and removes it on null', async () => {
      const kept = await save({ name, enabled: false, webhook_url: 'https://hooks.example.com/v2' });
      expect(kept).toMatchObject({ enabled: false, has_api_key: true, webhook_url: 'https://hooks.example.com/v2' });
      expect((await integrationSecret(core(), name))?.apiKey).toBe(apiKey);
      expect([...kept.config_keys].sort()).toEqual(['channel', 'token']);

      const cleared = await save({ name, api_key: null, config: null });
      expect(cleared).toMatchObject({ has_api_key: false, config_keys: [] });
      expect((await rowOf(id)).api_key_encrypted).toBeNull();
      expect(await integrationSecret(core(), name)).toEqual({ config: {} });

      const again = await save({ name, api_key: apiKey, config: { token } });
      expect(again).toMatchObject({ has_api_key: true, config_keys: ['token'] });
      expect(await integrationSecret(core(), name)).toEqual({ apiKey, config: { token } });
    });

    it('audits every change with the secrets redacted', async () => {
      const audit = await auditOf(id);
      expect(audit).toContain('integrations.save');
      expect(audit).toContain(REDACTED);
      expect(audit).not.toContain(apiKey);
      expect(audit).not.toContain(token);
      expect(audit).not.toContain('sales-wins');
      expect(audit).not.toContain('v1.');
    });

    it('refuses an editor, and writes nothing', async () => {
      const before = await rowOf(id);
      for (const [method, url, body] of [
        ['POST', '/api/v1/integrations', { name, api_key: 'stolen' }],
        ['GET', `/api/v1/integrations/${id}/summary`, undefined],
        ['GET', '/api/v1/integrations', undefined],
        ['POST', `/api/v1/integrations/${id}/delete`, undefined],
      ] as const) {
        const answer = await callApi(app, editor, method, url, body, 403);
        expect(answer.code).toBe('FORBIDDEN');
      }
      expect(await rowOf(id)).toEqual(before);
    });

    it('refuses bad input by field and never echoes a secret', async () => {
      const bad = [
        [{ name, webhook_url: 'ftp://files.example.com/x' }, 'webhook_url'],
        [{ name, webhook_url: 'http://127.0.0.1:8080/hook' }, 'webhook_url'],
        [{ name, webhook_url: 'http://2130706433/hook' }, 'webhook_url'],
        [{ name, webhook_url: 'http://[::ffff:10.0.0.1]/hook' }, 'webhook_url'],
        [{ name, webhook_url: 'http://169.254.169.254/latest/meta-data' }, 'webhook_url'],
        [{ name, webhook_url: 'http://localhost/hook' }, 'webhook_url'],
        [{ name, webhook_url: 'https://admin:hunter2-pass@hooks.example.com/' }, 'webhook_url'],
        [{ name, api_key: 'sk-bad\r\nX-Injected: 1' }, 'api_key'],
        [{ name, config: ['not', 'an', 'object'] }, 'config'],
        [{ name, config: JSON.parse('{"__proto__": {"admin": true}}') }, 'config'],
        [{ name: 'Not A Name!' }, 'name'],
        [{ name, role: 'admin' }, 'role'],
      ] as const;
      const before = await rowOf(id);
      for (const [body, field] of bad) {
        const answer = await callApi(app, admin, 'POST', '/api/v1/integrations', body, 400);
        expect(answer.errors.map((e: { field: string }) => e.field), JSON.stringify(body)).toContain(field);
        expect(JSON.stringify(answer)).not.toContain('hunter2-pass');
        expect(JSON.stringify(answer)).not.toContain('X-Injected');
      }
      expect(await rowOf(id)).toEqual(before);
    });

    it('deletes an integration with its secrets, audited without them', async () => {
      const gone = await callApi(app, admin, 'POST', `/api/v1/integrations/${name}/delete`, undefined, 200);
      expect(gone).toEqual({ id, deleted: true });
      expect(await database().query('select id from integrations where id = $1', [id])).toEqual([]);
      expect(await integrationSecret(core(), name)).toBeUndefined();
      const audit = await auditOf(id);
      expect(audit).toContain('integrations.delete');
      expect(audit).not.toContain(apiKey);
      expect(audit).not.toContain(token);
      await callApi(app, admin, 'POST', `/api/v1/integrations/${id}/delete`, undefined, 404);
    });
  });

  describe('without a secret key', () => {
    const { secretKey: _, ...noKey } = FAST_IDENTITY;
    let keyless: ReturnType<typeof createApp>;
    let keylessAdmin: SignedIn;

    beforeAll(async () => {
      keyless = createApp({ database: database(), identity: noKey, webDir: null, runtime: RUNTIME });
      keylessAdmin = await signIn(keyless, database(), 'admin', noKey);
    });

    it('refuses to save a secret, says how to set the key, and writes nothing', async () => {
      const name = `n8n-${randomBytes(3).toString('hex')}`;
      const answer = await callApi(keyless, keylessAdmin, 'POST', '/api/v1/integrations', { name, api_key: secret('k') }, 412);
      expect(answer.code).toBe('PRECONDITION_FAILED');
      expect(answer.detail).toContain('THROUGHLINE_SECRET_KEY');
      expect(await database().query('select id from integrations where name = $1', [name])).toEqual([]);
    });

    it('refuses to unseal for the core, naming the setting', async () => {
      const name = `resend-${randomBytes(3).toString('hex')}`;
      await save({ name, api_key: secret('re') });
      const ctx = makeCtx(database().db, { actor: SYSTEM, timeZone: 'UTC', identity: noKey });
      await expect(integrationSecret(ctx, name)).rejects.toThrow(/THROUGHLINE_SECRET_KEY/);
    });
  });
});
