/**
 * The access request (issue 11): one contact who appears in every table of the footprint,
 * and a second person who must appear nowhere in the first one's archive. The archive is
 * downloaded over HTTP as an administrator and unzipped: every table is there with exactly
 * the rows an independent SQL query finds, the CSVs hold the same rows as data.json with
 * formulas neutralised, and the manifest counts them. A lead and a company likewise; editors,
 * viewers and agents without confirmation are refused; the export is audited without the data.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { is } from 'drizzle-orm';
import { getTableConfig, PgTable } from 'drizzle-orm/pg-core';
import { strFromU8, unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXCLUDED, FOOTPRINT } from '../src/core/privacy/footprint.ts';
import { LOCAL_OPERATOR } from '../src/core/context.ts';
import * as schema from '../src/db/schema/index.ts';
import { expectStatus, sendAs, type SignedIn } from './auth.ts';
import { dbSuite } from './db.ts';
import { insertDirect } from './factories.ts';
import { expectedFor, FORMULA, populate, type FixtureEnv } from './privacy-fixture.ts';
import { runCli, serveAsRoles, type RolesServer } from './servers.ts';

type Json = Record<string, any>;
type Archive = { files: Record<string, string>; manifest: Json; data: Record<string, Json[]> };

const tag = () => randomBytes(4).toString('hex');

function unzip(bytes: Uint8Array): Archive {
  const raw = unzipSync(bytes);
  const files = Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, strFromU8(v)]));
  return { files, manifest: JSON.parse(files['manifest.json']!) as Json, data: JSON.parse(files['data.json']!) as Record<string, Json[]> };
}

/** A CSV as rows of cells (RFC 4180 quoting, CRLF), without the byte-order mark. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  const s = text.replace(/^\uFEFF/, '');
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if (quoted) {
      if (ch === '"' && s[i + 1] === '"') (cell += '"'), i++;
      else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') row.push(cell), (cell = '');
    else if (ch === '\r' && s[i + 1] === '\n') {
      row.push(cell), rows.push(row), (row = []), (cell = ''), i++;
    } else cell += ch;
  }
  if (cell !== '' || row.length) row.push(cell), rows.push(row);
  return rows;
}

/** The CLI as a client of the server at `base` with this API key, nothing else from THROUGHLINE_* or DATABASE_URL. */
function cli(base: string, key: string, args: string[]) {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k, v]) => v !== undefined && k !== 'DATABASE_URL' && !k.startsWith('THROUGHLINE_'))) as Record<string, string>;
  return runCli({ ...env, NODE_NO_WARNINGS: '1', THROUGHLINE_URL: base, THROUGHLINE_API_KEY: key }, args);
}

describe('the footprint map', () => {
  it('covers every table that refers to a contact or a lead, or says why not', () => {
    const covered = new Set([...FOOTPRINT.map((e) => e.table), ...Object.keys(EXCLUDED)]);
    const tables = (Object.values(schema) as unknown[]).filter((v): v is PgTable => is(v, PgTable));
    const referring: string[] = [];
    for (const table of tables) {
      const cfg = getTableConfig(table);
      if (cfg.foreignKeys.some((fk) => ['contacts', 'leads'].includes(getTableConfig(fk.reference().foreignTable).name))) referring.push(cfg.name);
    }
    expect(referring.length).toBeGreaterThan(10);
    expect(referring.filter((n) => !covered.has(n))).toEqual([]);
  });
});

dbSuite('access request export', ({ database, ctx }) => {
  let rig: RolesServer;
  let base: string;
  let admin: SignedIn;
  let editor: SignedIn;
  let viewer: SignedIn;
  const q = <T = Json>(text: string, params: unknown[] = []) => database().query<T>(text, params);
  const sys = () => ctx({ actor: LOCAL_OPERATOR });
  const env = (): FixtureEnv => ({ q, sys, admin });

  /** The person who appears everywhere, and the one who must not appear in their archive. */
  const pat = { name: `Pat Everywhere ${tag()}`, email: `pat.${tag()}@everywhere.example` };
  const quinn = { name: `Quinn Elsewhere ${tag()}`, email: `quinn.${tag()}@elsewhere.example` };

  const download = async (who: SignedIn, url: string) => {
    const r = await who.request(url);
    return { status: r.status, type: r.headers.get('content-type'), disposition: r.headers.get('content-disposition'), bytes: new Uint8Array(await r.arrayBuffer()) };
  };

  let P: Json;
  let Q: Json;

  beforeAll(async () => {
    rig = await serveAsRoles(database());
    ({ base, admin, editor, viewer } = rig);
    P = await populate(env(), pat, `sess-${tag()}`);
    Q = await populate(env(), quinn, `sess-${tag()}`);
  });

  afterAll(async () => {
    await rig.close();
  });

  it("exports every table of a contact's footprint with exactly their rows, and nobody else's", async () => {
    // Worked out before the export, whose own audit row the archive does not hold yet.
    const expected = await expectedFor(env(), P.contacts.id);
    const r = await download(admin, `/api/v1/contacts/${P.contacts.id}/access_export`);
    expect(r.status).toBe(200);
    expect(r.type).toBe('application/zip');
    expect(r.disposition).toMatch(new RegExp(`attachment; filename="access-request-contact-${P.contacts.id}-\\d{4}-\\d{2}-\\d{2}\\.zip"`));
    const a = unzip(r.bytes);
    expect(Object.keys(a.data)).toEqual(FOOTPRINT.map((e) => e.table));
    for (const entry of FOOTPRINT) {
      const got = a.data[entry.table]!.map((row) => String(row.id)).sort();
      expect(got, entry.table).toEqual(expected[entry.table]);
    }
    // Every table a person can appear in has this person's rows; the company tables are a company's.
    const personTables = FOOTPRINT.map((e) => e.table).filter((t) => !['companies', 'company_addresses', 'company_team', 'company_preferences', 'company_metrics', 'contracts'].includes(t));
    for (const t of personTables) expect(a.data[t]!.length, t).toBeGreaterThan(0);
    // The rows we made ourselves are among them.
    for (const t of personTables) if (P[t]?.id) expect(expected[t], t).toContain(P[t].id);
    // The other person is nowhere in the archive.
    const everything = Object.values(a.files).join('\n').toLowerCase();
    expect(everything).toContain(pat.email.toLowerCase());
    expect(everything).not.toContain(quinn.email.toLowerCase());
    expect(everything).not.toContain(quinn.name.toLowerCase());
    for (const t of personTables) if (Q[t]?.id) expect(everything, t).not.toContain(String(Q[t].id));

    // Whole rows as stored, dates as ISO strings.
    const contact = a.data.contacts![0]!;
    expect(contact).toMatchObject({ id: P.contacts.id, name: pat.name, email: pat.email, notes: FORMULA });
    expect(contact.created_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);

    // The manifest counts each table; a CSV per table with rows, the same rows as data.json.
    expect(a.manifest).toMatchObject({ subject: { kind: 'contact', id: P.contacts.id, label: pat.name } });
    expect(a.manifest.generated_by).toContain(admin.user.email);
    expect(new Date(a.manifest.generated_at).toISOString()).toBe(a.manifest.generated_at);
    for (const [t, rows] of Object.entries(a.data)) {
      expect(a.manifest.tables[t], t).toBe(rows.length);
      const csv = a.files[`${t}.csv`];
      if (!rows.length) {
        expect(csv, t).toBeUndefined();
        continue;
      }
      const [header, ...body] = parseCsv(csv!);
      const idAt = header!.indexOf('id');
      expect(body.map((cells) => cells[idAt]).sort(), t).toEqual(rows.map((row) => String(row.id)).sort());
    }
    const [header, ...body] = parseCsv(a.files['contacts.csv']!);
    expect(body[0]![header!.indexOf('notes')]).toBe(`'${FORMULA}`);
    expect(body[0]![header!.indexOf('email')]).toBe(pat.email);
  });

  it('counts the same rows on the privacy page as the export holds, with the export in its history', async () => {
    const expected = await expectedFor(env(), P.contacts.id);
    const summary = await expectStatus(sendAs(admin, 'GET', `/api/v1/contacts/${P.contacts.id}/privacy`));
    expect(summary).toMatchObject({ subject: { kind: 'contact', id: P.contacts.id }, label: pat.name, erased_at: null });
    for (const entry of FOOTPRINT) expect(summary.tables[entry.table], entry.table).toBe(expected[entry.table]!.length);
    expect(summary.total_rows).toBe(Object.values(expected).reduce((a, b) => a + b.length, 0));
    expect(summary.history[0]).toMatchObject({ action: 'export', table: 'access_exports', record_id: P.contacts.id, operation: 'privacy.export_contact' });
    for (const who of [editor, viewer]) await expectStatus(sendAs(who, 'GET', `/api/v1/contacts/${P.contacts.id}/privacy`), 403);
    await expectStatus(sendAs(admin, 'GET', `/api/v1/leads/00000000-0000-4000-8000-000000000000/privacy`), 404);
  });

  it('audits the export (who exported whom, when) without the data', async () => {
    const rows = await q<Json>(`select * from audit_log where table_name = 'access_exports' and record_id = $1 order by at`, [P.contacts.id]);
    expect(rows.length).toBeGreaterThanOrEqual(1);
    const row = rows[rows.length - 1]!;
    expect(row).toMatchObject({ action: 'export', operation: 'privacy.export_contact' });
    expect([row.actor_id, row.on_behalf_of]).toContain(admin.user.id);
    expect(row.after).toMatchObject({ subject_kind: 'contact', subject_id: P.contacts.id, rows: expect.objectContaining({ contacts: 1 }) });
    const text = JSON.stringify(row).toLowerCase();
    expect(text).not.toContain(pat.email.toLowerCase());
    expect(text).not.toContain(pat.name.toLowerCase());
  });

  it('exports a lead with the contact it became, and a company with its people', async () => {
    const lead = await download(admin, `/api/v1/leads/${P.leads.id}/access_export`);
    expect(lead.status).toBe(200);
    const l = unzip(lead.bytes);
    expect(l.manifest.subject).toMatchObject({ kind: 'lead', id: P.leads.id });
    expect(l.data.leads!.map((r) => r.id)).toEqual([P.leads.id]);
    expect(l.data.contacts!.map((r) => r.id)).toEqual([P.contacts.id]);
    expect(l.data.lead_scores!.map((r) => r.id)).toContain(P.lead_scores.id);
    expect(l.data.analytics_events!.length).toBe(2);
    expect(Object.values(l.files).join('\n')).not.toContain(quinn.email);

    // An unconverted lead is only itself.
    const lone = await insertDirect(sys(), 'leads', { email: `lone.${tag()}@example.com`, first_name: 'Lone' });
    const lo = unzip((await download(admin, `/api/v1/leads/${lone.id}/access_export`)).bytes);
    expect(lo.data.leads!.map((r) => r.id)).toEqual([lone.id]);
    expect(lo.data.contacts).toEqual([]);

    const company = await download(admin, `/api/v1/companies/${P.companies.id}/access_export`);
    expect(company.status).toBe(200);
    const c = unzip(company.bytes);
    expect(c.manifest.subject).toMatchObject({ kind: 'company', id: P.companies.id });
    expect(c.data.companies!.map((r) => r.id)).toEqual([P.companies.id]);
    expect(c.data.contacts!.map((r) => r.id)).toContain(P.contacts.id);
    expect(c.data.survey_responses!.map((r) => r.id)).toContain(P.survey_responses.id);
    const text = Object.values(c.files).join('\n');
    expect(text).not.toContain(quinn.email);
    expect(text).not.toContain(String(Q.companies.id));
  });

  it('refuses editors and viewers (403) and answers 404 for an unknown or malformed id', async () => {
    for (const who of [editor, viewer]) {
      for (const url of [`/api/v1/contacts/${P.contacts.id}/access_export`, `/api/v1/leads/${P.leads.id}/access_export`, `/api/v1/companies/${P.companies.id}/access_export`]) {
        await expectStatus(sendAs(who, 'GET', url), 403);
      }
    }
    await expectStatus(sendAs(admin, 'GET', '/api/v1/contacts/00000000-0000-4000-8000-000000000000/access_export'), 404);
    await expectStatus(sendAs(admin, 'GET', '/api/v1/leads/not-an-id/access_export'), 404);
    await expectStatus(sendAs(admin, 'GET', '/api/v1/companies/00000000-0000-4000-8000-000000000000/access_export'), 404);
  });

  it("over MCP needs confirm from an administrator's agent, and is refused to an editor's", async () => {
    const adminAgent = await rig.agent(admin);
    const editorAgent = await rig.agent(editor);
    const call = async (client: Client, args: Json) => (await client.callTool({ name: 'act', arguments: args })) as CallToolResult;
    const args = { action: 'privacy.export_contact', input: { id: P.contacts.id } };

    const unconfirmed = await call(adminAgent, args);
    expect(unconfirmed.isError).toBe(true);
    expect((unconfirmed.structuredContent as Json).error.code).toBe('PRECONDITION_FAILED');

    const confirmed = await call(adminAgent, { ...args, confirm: true });
    expect(confirmed.isError ?? false).toBe(false);
    const block = confirmed.content[0]!;
    expect(block.type).toBe('resource');
    const resource = (block as { resource: { mimeType: string; blob: string } }).resource;
    expect(resource.mimeType).toBe('application/zip');
    const a = unzip(new Uint8Array(Buffer.from(resource.blob, 'base64')));
    expect(a.data.contacts!.map((r) => r.id)).toEqual([P.contacts.id]);

    const refused = await call(editorAgent, { ...args, confirm: true });
    expect(refused.isError).toBe(true);
    expect(['FORBIDDEN', 'NOT_FOUND']).toContain((refused.structuredContent as Json).error.code);
  });

  it('writes the archive with the CLI (--out)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'access-export-'));
    try {
      const out = path.join(dir, 'x.zip');
      const r = await cli(base, admin.key, ['privacy', 'export-contact', String(P.contacts.id), '--out', out]);
      expect(r.code, r.stderr).toBe(0);
      const a = unzip(new Uint8Array(fs.readFileSync(out)));
      expect(a.manifest.subject).toMatchObject({ kind: 'contact', id: P.contacts.id });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
