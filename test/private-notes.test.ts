/**
 * A private note (notes.is_private, seed 002) is its author's alone, in every record-visibility
 * mode: another editor or a viewer cannot list, get, search, export, change or archive it, and
 * neither can their agent over MCP; the author and administrators can. A public note on the same
 * record stays visible to everyone who sees the record.
 */
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type http from 'node:http';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { createApp } from '../src/api/app.ts';
import { expectStatus, FAST_IDENTITY, sendAs, type SignedIn, signInCast } from './auth.ts';
import { dbSuite } from './db.ts';
import { connectMcp, serveApp, stopServer } from './servers.ts';

type Json = Record<string, any>;

dbSuite('private notes', ({ database }) => {
  let server: http.Server | undefined;
  let admin: SignedIn;
  let alice: SignedIn;
  let bob: SignedIn;
  let vic: SignedIn;
  let bobAgent: Client;
  let company: Json;
  let secret: Json;
  let open: Json;

  const setVisibility = (mode: string) => expectStatus(sendAs(admin, 'PATCH', '/api/v1/settings', { record_visibility: mode }));
  const noteIds = async (who: SignedIn, query = '') => (await expectStatus(sendAs(who, 'GET', `/api/v1/notes?related_id=${company.id}${query}`))).items.map((n: Json) => n.id).sort();

  beforeAll(async () => {
    const app = createApp({ database: database(), identity: FAST_IDENTITY, webDir: null, timeZone: 'UTC' });
    let base: string;
    ({ server, base } = await serveApp(app));
    ({ admin, alice, bob, vic } = await signInCast(app, database()));
    company = await expectStatus(sendAs(alice, 'POST', '/api/v1/companies', { name: 'Harbour Civil Works' }), 201);
    secret = await expectStatus(sendAs(alice, 'POST', '/api/v1/notes', { note_type: 'company', related_id: company.id, note_text: 'Owner going through a divorce; keep pricing soft', is_private: true }), 201);
    open = await expectStatus(sendAs(alice, 'POST', '/api/v1/notes', { note_type: 'company', related_id: company.id, note_text: 'Prefers calls before 9am' }), 201);
    bobAgent = await connectMcp(base, bob.key, 'private-notes');
  });
  afterAll(async () => {
    await bobAgent?.close();
    await stopServer(server);
  });

  describe('with every record visible to everyone (the default)', () => {
    it('lists the private note to its author and administrators only', async () => {
      expect(await noteIds(alice)).toEqual([open.id, secret.id].sort());
      expect(await noteIds(admin)).toEqual([open.id, secret.id].sort());
      expect(await noteIds(bob)).toEqual([open.id]);
      expect(await noteIds(vic)).toEqual([open.id]);
    });

    it('does not exist for anyone else: get, search, change and archive answer not found', async () => {
      for (const who of [bob, vic]) expect((await sendAs(who, 'GET', `/api/v1/notes/${secret.id}`)).status).toBe(404);
      expect(await noteIds(bob, '&q=divorce')).toEqual([]);
      expect((await sendAs(bob, 'PATCH', `/api/v1/notes/${secret.id}`, { note_text: 'overwritten' })).status).toBe(404);
      expect((await sendAs(bob, 'POST', `/api/v1/notes/${secret.id}/archive`)).status).toBe(404);
      expect((await expectStatus(sendAs(alice, 'GET', `/api/v1/notes/${secret.id}`))).note_text).toBe('Owner going through a divorce; keep pricing soft');
    });

    it('is left out of another user’s export', async () => {
      const r = await bob.request(`/api/v1/export/notes?format=csv&related_id=${company.id}`, { headers: { authorization: `Bearer ${bob.key}` } });
      expect(r.status).toBe(200);
      const rows = parse(await r.text(), { columns: true, bom: true }) as Record<string, string>[];
      expect(rows.map((n) => n.id)).toEqual([open.id]);
    });

    it('is out of reach of another user’s agent', async () => {
      const listed = (await bobAgent.callTool({ name: 'list', arguments: { table: 'notes', filters: [{ field: 'related_id', op: 'eq', value: company.id }] } })) as { structuredContent: Json };
      expect(listed.structuredContent.items.map((n: Json) => n.id)).toEqual([open.id]);
      const got = (await bobAgent.callTool({ name: 'get', arguments: { table: 'notes', id: secret.id } })) as { isError?: boolean };
      expect(got.isError).toBe(true);
    });
  });

  it('stays its author’s under own and team visibility, where the public one follows the company', async () => {
    for (const mode of ['own', 'team']) {
      await setVisibility(mode);
      expect(await noteIds(alice), mode).toEqual([open.id, secret.id].sort());
      // Bob cannot see Alice's company, so neither note; the admin sees both.
      expect(await noteIds(bob), mode).toEqual([]);
      expect(await noteIds(admin), mode).toEqual([open.id, secret.id].sort());
    }
    await setVisibility('all');
  });
});
