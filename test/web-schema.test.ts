/**
 * What the web app builds its screens from: the schema description (GET /api/v1/schema),
 * which shows each role only what it may use and never a hidden column; and saved views,
 * which are private to their owner and name only fields that exist.
 */
import { expect, it } from 'vitest';
import { createApp } from '../src/api/app.ts';
import { callApi, FAST_IDENTITY, signIn, type SignedIn } from './auth.ts';
import { dbSuite } from './db.ts';

type App = ReturnType<typeof createApp>;

dbSuite('web app schema and saved views', ({ database }) => {
  let app: App;
  let admin: SignedIn;
  let editor: SignedIn;
  let viewer: SignedIn;
  const call = (who: SignedIn, method: string, url: string, body?: unknown, status?: number) => callApi(app, who, method, url, body, status);

  it('sets up', async () => {
    app = createApp({ database: database(), identity: FAST_IDENTITY, webDir: null });
    admin = await signIn(app, database(), 'admin');
    editor = await signIn(app, database(), 'editor');
    viewer = await signIn(app, database(), 'viewer');
  });

  it('describes tables with their fields, references and verbs, as the role may use them', async () => {
    const ed = await call(editor, 'GET', '/api/v1/schema');
    expect(ed.role).toBe('editor');
    const deals = ed.tables.find((t: any) => t.name === 'deals');
    expect(deals.pipeline).toEqual({ field: 'stage', pipeline: 'deal' });
    expect(deals.verbs).toEqual(expect.arrayContaining(['list', 'get', 'create', 'update', 'archive', 'restore', 'reassign']));
    expect(deals.actions).toEqual(expect.arrayContaining(['sales.move_deal', 'sales.win_deal']));
    expect(deals.fields.find((f: any) => f.name === 'company_id')).toMatchObject({ kind: 'uuid', references: 'companies', nullable: true });
    expect(deals.fields.find((f: any) => f.name === 'name')).toMatchObject({ kind: 'text', required: true });
    expect(deals.fields.find((f: any) => f.name === 'currency')).toMatchObject({ kind: 'enum', values: expect.arrayContaining(['USD']) });
    expect(deals.fields.find((f: any) => f.name === 'owner_id')).toMatchObject({ read_only: true, references: 'users' });
    const prospect = ed.operations.find((o: any) => o.name === 'sales.log_prospect');
    expect(prospect).toMatchObject({ method: 'post', path: '/api/v1/sales/prospects', scope: 'write' });
    expect(prospect.input.type).toBe('object');
    // Generic verbs are described by their table, not repeated as operations.
    expect(ed.operations.some((o: any) => o.name === 'deals.create')).toBe(false);
    // Administrators' operations are not offered to an editor.
    expect(ed.operations.some((o: any) => o.name === 'settings.update' || o.name === 'users.create')).toBe(false);

    // A hidden column is never described, to anyone.
    const ad = await call(admin, 'GET', '/api/v1/schema');
    const users = ad.tables.find((t: any) => t.name === 'users');
    expect(users).toBeDefined();
    expect(JSON.stringify(users.fields)).not.toMatch(/password_hash|totp_secret/);
    expect(ad.operations.some((o: any) => o.name === 'settings.update')).toBe(true);
    // A secret shown once is marked, so the app shows the answer instead of closing the form.
    expect(ad.operations.find((o: any) => o.name === 'webhooks.subscribe')).toMatchObject({ reveals_secret: true });
    expect(ad.operations.find((o: any) => o.name === 'settings.update').reveals_secret).toBeUndefined();
  });

  it('offers a viewer reads only', async () => {
    const v = await call(viewer, 'GET', '/api/v1/schema');
    expect(v.role).toBe('viewer');
    for (const t of v.tables) expect(t.verbs.filter((x: string) => !['list', 'get'].includes(x)), t.name).toEqual([]);
    expect(v.operations.filter((o: any) => o.scope !== 'read')).toEqual([]);
  });

  it('answers compressed to a client that accepts it, and refuses an anonymous caller', async () => {
    const r = await app.request('/api/v1/schema', { headers: { authorization: `Bearer ${editor.key}`, 'accept-encoding': 'gzip' } });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-encoding')).toBe('gzip');
    const anonymous = await app.request('/api/v1/schema');
    expect(anonymous.status).toBe(401);
  });

  it('keeps saved views private, replaces one saved again under its name, and deletes only your own', async () => {
    const view = { filters: [{ field: 'status', op: 'eq', value: 'prospect' }], sort: '-updated_at', columns: ['name', 'status'] };
    const saved = await call(editor, 'POST', '/api/v1/saved-views', { table: 'companies', name: 'Prospects', view });
    expect(saved).toMatchObject({ table: 'companies', name: 'Prospects', view });
    const again = await call(editor, 'POST', '/api/v1/saved-views', { table: 'companies', name: 'prospects', view: { ...view, sort: 'name' } });
    expect(again.id).toBe(saved.id);
    expect(again.view.sort).toBe('name');
    await call(editor, 'POST', '/api/v1/saved-views', { table: 'deals', name: 'Mine', view: { filters: [] } });

    const mine = await call(editor, 'GET', '/api/v1/saved-views?table=companies');
    expect(mine.items.map((v: any) => v.name)).toEqual(['prospects']);
    expect((await call(editor, 'GET', '/api/v1/saved-views')).items).toHaveLength(2);
    // Nobody else sees them, an administrator included, nor can delete them.
    expect((await call(admin, 'GET', '/api/v1/saved-views')).items).toEqual([]);
    await call(admin, 'DELETE', `/api/v1/saved-views/${saved.id}`, undefined, 404);
    await call(editor, 'DELETE', '/api/v1/saved-views/not-an-id', undefined, 404);
    // A viewer keeps views too: they change nothing but the viewer's own screen.
    await call(viewer, 'POST', '/api/v1/saved-views', { table: 'companies', name: 'Everything', view: { filters: [] } });

    expect(await call(editor, 'DELETE', `/api/v1/saved-views/${saved.id}`)).toEqual({ id: saved.id, deleted: true });
    expect((await call(editor, 'GET', '/api/v1/saved-views?table=companies')).items).toEqual([]);
  });

  it('refuses a view naming what the table does not have, with the field at fault', async () => {
    const bad = await call(
      editor,
      'POST',
      '/api/v1/saved-views',
      { table: 'companies', name: 'Bad', view: { filters: [{ field: 'password_hash', op: 'eq', value: 'x' }], sort: '-nope', columns: ['name', 'ghost'] } },
      400,
    );
    expect(bad.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ field: 'view.filters[0].field' }),
        expect.objectContaining({ field: 'view.sort' }),
        expect.objectContaining({ field: 'view.columns[1]' }),
      ]),
    );
    const noTable = await call(editor, 'POST', '/api/v1/saved-views', { table: 'secrets', name: 'x', view: { filters: [] } }, 400);
    expect(noTable.errors).toEqual([expect.objectContaining({ field: 'table' })]);
    const noName = await call(editor, 'POST', '/api/v1/saved-views', { table: 'companies', name: '   ', view: { filters: [] } }, 400);
    expect(noName.errors).toEqual([expect.objectContaining({ field: 'name' })]);
    const badOp = await call(editor, 'POST', '/api/v1/saved-views', { table: 'companies', name: 'x', view: { filters: [{ field: 'name', op: 'drop', value: '' }] } }, 400);
    expect(JSON.stringify(badOp.errors)).toContain('filters');
  });

  it('caps the views one person keeps of a table', async () => {
    const who = await signIn(app, database(), 'editor');
    for (let i = 0; i < 50; i++) await call(who, 'POST', '/api/v1/saved-views', { table: 'contacts', name: `View ${i}`, view: { filters: [] } });
    const over = await call(who, 'POST', '/api/v1/saved-views', { table: 'contacts', name: 'One too many', view: { filters: [] } }, 400);
    expect(over.errors[0].message).toMatch(/at most 50/);
    expect((await call(who, 'GET', '/api/v1/saved-views?table=contacts')).items).toHaveLength(50);
  });
});
