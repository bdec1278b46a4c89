/**
 * Feature flags as the core reads them: per environment, a stable rollout by user, groups
 * (roles and user ids) that override the rollout, and what a signed-in caller sees.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { beforeAll, expect, it } from 'vitest';
import { createApp } from '../src/api/app.ts';
import { makeCtx, SYSTEM, type Ctx, type Runtime } from '../src/core/context.ts';
import { isEnabled } from '../src/core/platform/feature-flags.ts';
import { callApi, FAST_IDENTITY, signIn, type SignedIn } from './auth.ts';
import { dbSuite } from './db.ts';

const ENVIRONMENTS = ['development', 'staging', 'production'] as const;
const users = (n: number) => Array.from({ length: n }, () => randomUUID());

dbSuite('feature flags', ({ database }) => {
  let app: ReturnType<typeof createApp>;
  let admin: SignedIn;
  let editor: SignedIn;
  const inEnv = (environment: Runtime['environment']): Ctx =>
    makeCtx(database().db, { actor: SYSTEM, timeZone: 'UTC', runtime: { environment, allowPrivateTargets: false } });
  const prod = () => inEnv('production');

  beforeAll(async () => {
    app = createApp({ database: database(), identity: FAST_IDENTITY, webDir: null, runtime: { environment: 'staging', allowPrivateTargets: false } });
    admin = await signIn(app, database(), 'admin');
    editor = await signIn(app, database(), 'editor');
  });

  /** A flag through the generic create, as an administrator makes one; everything on unless said otherwise. */
  async function flag(data: Record<string, unknown> = {}): Promise<{ id: string; key: string }> {
    const key = `FLAG_${randomBytes(4).toString('hex').toUpperCase()}`;
    const body = { key, name: key, enabled: true, enabled_dev: true, enabled_staging: true, enabled_prod: true, rollout_percentage: 100, ...data };
    return (await callApi(app, admin, 'POST', '/api/v1/feature_flags', body)) as { id: string; key: string };
  }

  it('is on only in the environments it is enabled for', async () => {
    const { key } = await flag({ enabled_dev: true, enabled_staging: false, enabled_prod: false });
    const who = { userId: randomUUID() };
    expect(await isEnabled(inEnv('development'), key, who)).toBe(true);
    expect(await isEnabled(inEnv('staging'), key, who)).toBe(false);
    expect(await isEnabled(inEnv('production'), key, who)).toBe(false);
    // No runtime given: production.
    expect(await isEnabled(makeCtx(database().db, { actor: SYSTEM }), key, who)).toBe(false);
  });

  it('gives a rollout of 0 to nobody and of 100 to everybody', async () => {
    const none = await flag({ rollout_percentage: 0 });
    const all = await flag({ rollout_percentage: 100 });
    for (const userId of users(200)) {
      expect(await isEnabled(prod(), none.key, { userId })).toBe(false);
      expect(await isEnabled(prod(), all.key, { userId })).toBe(true);
    }
    expect(await isEnabled(prod(), all.key, {})).toBe(true);
    expect(await isEnabled(prod(), none.key, {})).toBe(false);
  });

  it('rolls 30% out to about 30% of users, the same ones every time', async () => {
    const { key } = await flag({ rollout_percentage: 30 });
    const ids = users(1000);
    const first = await Promise.all(ids.map((userId) => isEnabled(prod(), key, { userId })));
    const on = first.filter(Boolean).length;
    expect(on).toBeGreaterThanOrEqual(200);
    expect(on).toBeLessThanOrEqual(400);
    const second = await Promise.all(ids.map((userId) => isEnabled(prod(), key, { userId })));
    expect(second).toEqual(first);
    // Someone with no user id is in no partial rollout.
    expect(await isEnabled(prod(), key, { groups: ['viewer'] })).toBe(false);
  });

  it('lets the groups (a role or a user id) override the rollout', async () => {
    const chosen = randomUUID();
    const { key } = await flag({ rollout_percentage: 0, user_groups: ['editor', chosen, 'beta_users'] });
    expect(await isEnabled(prod(), key, { userId: randomUUID(), groups: ['editor'] })).toBe(true);
    expect(await isEnabled(prod(), key, { userId: chosen, groups: ['viewer'] })).toBe(true);
    expect(await isEnabled(prod(), key, { userId: randomUUID(), groups: ['viewer'] })).toBe(false);
    expect(await isEnabled(prod(), key, { userId: randomUUID(), groups: ['admin'] })).toBe(false);
    // Groups do not open a flag that is off in this environment.
    await database().query('update feature_flags set enabled_prod = false where key = $1', [key]);
    expect(await isEnabled(prod(), key, { userId: chosen, groups: ['editor'] })).toBe(false);
  });

  it('answers false for a flag that does not exist or is archived', async () => {
    expect(await isEnabled(prod(), `NO_SUCH_FLAG_${randomBytes(4).toString('hex')}`, { userId: randomUUID(), groups: ['admin'] })).toBe(false);
    const { id, key } = await flag();
    expect(await isEnabled(prod(), key, { userId: randomUUID() })).toBe(true);
    await callApi(app, admin, 'POST', `/api/v1/feature_flags/${id}/archive`, undefined, 200);
    expect(await isEnabled(prod(), key, { userId: randomUUID() })).toBe(false);
  });

  it('answers false everywhere for a disabled flag, whoever asks', async () => {
    const chosen = randomUUID();
    const { key } = await flag({ enabled: false, rollout_percentage: 100, user_groups: ['admin', 'editor', 'viewer', chosen] });
    for (const env of ENVIRONMENTS) {
      expect(await isEnabled(inEnv(env), key, { userId: chosen, groups: ['admin'] })).toBe(false);
    }
  });

  it('sees a change at once: flags are read fresh', async () => {
    const { id, key } = await flag({ rollout_percentage: 0 });
    const userId = randomUUID();
    expect(await isEnabled(prod(), key, { userId })).toBe(false);
    await callApi(app, admin, 'PATCH', `/api/v1/feature_flags/${id}`, { rollout_percentage: 100 });
    expect(await isEnabled(prod(), key, { userId })).toBe(true);
  });

  it('evaluates every flag for a signed-in editor in the instance environment', async () => {
    const forEditors = await flag({ rollout_percentage: 0, user_groups: ['editor'] });
    const forAdmins = await flag({ rollout_percentage: 0, user_groups: ['admin'] });
    const forHim = await flag({ rollout_percentage: 0, user_groups: [editor.user.id] });
    const notInStaging = await flag({ enabled_staging: false });
    const answer = await callApi(app, editor, 'GET', '/api/v1/feature-flags/evaluate');
    expect(answer[forEditors.key]).toBe(true);
    expect(answer[forAdmins.key]).toBe(false);
    expect(answer[forHim.key]).toBe(true);
    expect(answer[notInStaging.key]).toBe(false);
    const all = await database().query<{ key: string }>('select key from feature_flags where archived_at is null');
    expect(Object.keys(answer).sort()).toEqual(all.map((r) => r.key).sort());
    expect(Object.values(answer).every((v) => typeof v === 'boolean')).toBe(true);
    // The same answer from the core for the same person.
    const ctx = { ...inEnv('staging') };
    expect(await isEnabled(ctx, forHim.key, { userId: editor.user.id, groups: ['editor'] })).toBe(true);
  });

  it('lets only administrators write flags, and refuses a rollout outside 0..100', async () => {
    const key = `FLAG_${randomBytes(4).toString('hex').toUpperCase()}`;
    await callApi(app, editor, 'POST', '/api/v1/feature_flags', { key, name: key }, 403);
    for (const pct of [101, -1]) {
      const answer = await callApi(app, admin, 'POST', '/api/v1/feature_flags', { key, name: key, rollout_percentage: pct }, 400);
      expect(answer.errors.map((e: { field: string }) => e.field)).toContain('rollout_percentage');
    }
    expect(await database().query('select id from feature_flags where key = $1', [key])).toEqual([]);
  });
});
