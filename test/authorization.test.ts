/**
 * The role × operation matrix over the whole registry: every operation, every role, and
 * nobody signed in. A refused call is refused before anything is read or written. (The
 * same over HTTP, with keys and sessions: test/auth-http.test.ts.)
 */
import { expect, it } from 'vitest';
import { ANONYMOUS, type Actor } from '../src/core/context.ts';
import { AppError } from '../src/core/errors.ts';
import { invoke, operations, ROLE_FOR_SCOPE } from '../src/core/registry.ts';
import { dbSuite } from './db.ts';

const ROLES = ['viewer', 'editor', 'admin'] as const;
const RANK = { viewer: 0, editor: 1, admin: 2 };
const actor = (role: (typeof ROLES)[number]): Actor => ({ type: 'user', id: null, label: `a test ${role}`, role });

dbSuite('authorization', ({ database, ctx }) => {
  async function allRows(): Promise<string> {
    const tables = await database().query<{ t: string }>(
      "select table_name as t from information_schema.tables where table_schema = 'public' order by 1",
    );
    const rows = await database().query<{ t: string; n: number }>(
      tables.map(({ t }) => `select '${t}' as t, count(*)::int as n from "${t}"`).join(' union all '),
    );
    return JSON.stringify(rows);
  }

  it('declares for every operation the least role it needs, and the scopes mean what they say', () => {
    for (const op of operations) {
      expect(ROLE_FOR_SCOPE[op.scope], op.name).toBeDefined();
      if (op.kind === 'list' || op.kind === 'get') expect(['read', 'admin']).toContain(op.scope);
      if (op.kind === 'delete') expect(op.scope).toBe('admin');
    }
    for (const name of ['users.create', 'pipeline_stages.update', 'audit_log.list', 'sessions.list', 'api_keys.get', 'feature_flags.create']) {
      expect(operations.find((o) => o.name === name)?.scope, name).toBe('admin');
    }
    for (const name of ['companies.create', 'sales.log_prospect', 'interactions.update']) {
      expect(operations.find((o) => o.name === name)?.scope, name).toBe('write');
    }
  });

  it('refuses anyone not signed in every operation but sign-in and public capture (UNAUTHORIZED), before reading or writing anything', async () => {
    expect(operations.filter((op) => op.public).map((op) => op.name)).toEqual(['auth.login', 'public.questions', 'public.readiness', 'public.roi', 'public.contact', 'public.event']);
    const before = await allRows();
    for (const op of operations) {
      const err = await invoke(op, ctx({ actor: ANONYMOUS }), {}).then(
        () => undefined,
        (e: unknown) => e,
      );
      // The questionnaire needs no input and answers anyone; every other public operation needs some.
      if (op.name === 'public.questions') {
        expect(err, op.name).toBeUndefined();
        continue;
      }
      expect(err, op.name).toBeInstanceOf(AppError);
      if (op.public) expect((err as AppError).code, op.name).toBe('VALIDATION');
      else expect((err as AppError).code, op.name).toBe('UNAUTHORIZED');
    }
    expect(await allRows()).toBe(before);
  });

  for (const role of ROLES) {
    it(`refuses a ${role} every operation above the role, before reading or writing anything`, async () => {
      const before = await allRows();
      let refused = 0;
      for (const op of operations) {
        const allowed = RANK[role] >= RANK[ROLE_FOR_SCOPE[op.scope]];
        if (allowed) continue;
        const err = await invoke(op, ctx({ actor: actor(role) }), {}).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(err, op.name).toBeInstanceOf(AppError);
        expect((err as AppError).code, op.name).toBe('FORBIDDEN');
        refused++;
      }
      expect(await allRows()).toBe(before);
      if (role !== 'admin') expect(refused).toBeGreaterThan(0);
      else expect(refused).toBe(0);
    });

    it(`lets a ${role} past the role check on every operation the role allows`, async () => {
      for (const op of operations) {
        if (RANK[role] < RANK[ROLE_FOR_SCOPE[op.scope]]) continue;
        // An empty input fails validation or finds nothing; it must not be a refusal.
        const input = op.kind === 'create' || op.kind === 'bulk_create' || op.kind === 'update' ? { id: 'x', data: 'not an object', items: 'x' } : { id: 'x' };
        const err = await invoke(op, ctx({ actor: actor(role) }), input).then(
          () => undefined,
          (e: unknown) => e,
        );
        if (err !== undefined) {
          expect(err, op.name).toBeInstanceOf(AppError);
          expect((err as AppError).code, op.name).not.toBe('FORBIDDEN');
        }
      }
    });
  }
});
