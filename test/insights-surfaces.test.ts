/**
 * The same numbers on every surface (issue 10): an insight and an aggregate read over the HTTP
 * API, with the CLI (`throughline insights …` as a child process against the server, as JSON,
 * as a text table and as CSV) and by an agent over MCP (the `aggregate` tool and `lookup`),
 * all equal; the MCP tool is read-only, offered to viewers, and capped at 50 rows whatever an
 * agent asks; the CLI's CSV neutralises a formula in stored text.
 */
import type http from 'node:http';
import { parse } from 'csv-parse/sync';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createApp } from '../src/api/app.ts';
import { expectStatus, FAST_IDENTITY, sendAs, signIn, type SignedIn } from './auth.ts';
import { dbSuite } from './db.ts';
import { connectMcp, runCli, serveApp, stopServer } from './servers.ts';

type Json = Record<string, any>;

/** The CLI as a client of the server at `base` with this API key, nothing else from THROUGHLINE_* or DATABASE_URL. */
function cli(base: string, key: string, args: string[]) {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k, v]) => v !== undefined && k !== 'DATABASE_URL' && !k.startsWith('THROUGHLINE_'))) as Record<string, string>;
  return runCli({ ...env, NODE_NO_WARNINGS: '1', THROUGHLINE_URL: base, THROUGHLINE_API_KEY: key }, args);
}

async function tool(client: Client, name: string, args: Json): Promise<Json> {
  const r = (await client.callTool({ name, arguments: args })) as { isError?: boolean; structuredContent?: Json; content: unknown };
  expect(r.isError ?? false, `${name}: ${JSON.stringify(r.content).slice(0, 1000)}`).toBe(false);
  return r.structuredContent!;
}

dbSuite('insights on every surface', ({ database }) => {
  let server: http.Server | undefined;
  let base: string;
  let admin: SignedIn;
  let viewer: SignedIn;
  let agent: Client;
  let viewerAgent: Client;

  // 2018 belongs to this file: nothing else writes leads or deals dated then.
  const PERIOD = { from: '2018-01-01', to: '2018-12-31' };

  beforeAll(async () => {
    const app = createApp({ database: database(), identity: FAST_IDENTITY, webDir: null, timeZone: 'UTC' });
    ({ server, base } = await serveApp(app));
    admin = await signIn(app, database(), 'admin');
    viewer = await signIn(app, database(), 'viewer');
    // 60 leads, one a week from Monday 2018-01-01 (the 53rd on Monday 2018-12-31), every third from linkedin.
    await database().query(
      `insert into leads (email, company_name, source, score, utm_campaign, created_at, updated_at)
       select 'lead' || n || '@surfaces.example', 'Co ' || n,
              case when n % 3 = 0 then 'linkedin' else 'website' end, 50,
              case when n % 3 = 0 then 'spring' end,
              timestamptz '2018-01-01 09:00:00+00' + (n - 1) * interval '7 days', now()
       from generate_series(1, 60) n`,
    );
    agent = await connectMcp(base, admin.key, 'insights-surfaces');
    viewerAgent = await connectMcp(base, viewer.key, 'insights-surfaces-viewer');
  }, 120_000);
  afterAll(async () => {
    await agent?.close();
    await viewerAgent?.close();
    await stopServer(server);
  });

  it('gives the acquisition insight the same on the API, the CLI and MCP', async () => {
    const query = `from=${PERIOD.from}&to=${PERIOD.to}&interval=week`;
    const api = await expectStatus(sendAs(admin, 'GET', `/api/v1/insights/acquisition?${query}`));
    // 2018 has 53 Mondays' weeks (Monday 2018-01-01 … Monday 2018-12-31); 52 of the 60 leads fall in it.
    expect(api.series).toHaveLength(53);
    expect(api.total).toBe(53);
    expect(api.by_source).toEqual([
      // n = 1..53: the multiples of 3 (3 … 51) are 17 of them.
      { source: 'website', leads: 36, converted: 0, conversion: '0.00' },
      { source: 'linkedin', leads: 17, converted: 0, conversion: '0.00' },
    ]);

    const json = await cli(base, admin.key, ['insights', 'acquisition', '--from', PERIOD.from, '--to', PERIOD.to, '--interval', 'week', '--format', 'json']);
    expect(json.code, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual(api);

    const table = await cli(base, admin.key, ['insights', 'acquisition', '--from', PERIOD.from, '--to', PERIOD.to, '--table', 'sources']);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/^sources\n/);
    expect(table.stdout).toMatch(/website\s+36\s+0\s+0\.00/);

    const mcp = await tool(agent, 'lookup', { action: 'insights.acquisition', input: { ...PERIOD, interval: 'week' } });
    expect(mcp).toMatchObject(api);
  });

  it('gives an aggregate the same on the API, the CLI (JSON and CSV) and the MCP tool', async () => {
    const api = await expectStatus(sendAs(admin, 'GET', `/api/v1/insights/aggregate?measure=leads&group_by=quarter,source&from=${PERIOD.from}&to=${PERIOD.to}`));
    // Weeks start 2018-01-01 + 7k: Q1 holds n = 1..13 (to 2018-03-26), Q2 14..26, Q3 27..39, Q4 40..53.
    // linkedin (multiples of 3): Q1 3,6,9,12 → 4; Q2 15..24 → 4; Q3 27..39 → 5; Q4 42..51 → 4.
    const expected = new Map([
      ['2018-Q1 website', 9], ['2018-Q1 linkedin', 4],
      ['2018-Q2 website', 9], ['2018-Q2 linkedin', 4],
      ['2018-Q3 website', 8], ['2018-Q3 linkedin', 5],
      ['2018-Q4 website', 10], ['2018-Q4 linkedin', 4],
    ]);
    expect(new Map(api.rows.map((r: Json) => [`${r.keys.quarter} ${r.keys.source}`, Number(r.value)]))).toEqual(expected);
    expect(api.totals).toEqual([{ value: '53', currency: null }]);

    const json = await cli(base, admin.key, ['insights', 'aggregate', '--measure', 'leads', '--group-by', 'quarter,source', '--from', PERIOD.from, '--to', PERIOD.to, '--json']);
    expect(json.code, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual(api);

    const csv = await cli(base, admin.key, ['insights', 'aggregate', '--measure', 'leads', '--group-by', 'quarter,source', '--from', PERIOD.from, '--to', PERIOD.to, '--format', 'csv']);
    expect(csv.code, csv.stderr).toBe(0);
    const rows = parse(csv.stdout, { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(8);
    expect(new Map(rows.map((r) => [`${r.quarter} ${r.source}`, Number(r.value)]))).toEqual(expected);

    const mcp = await tool(agent, 'aggregate', { measure: 'leads', group_by: ['quarter', 'source'], ...PERIOD });
    expect(mcp).toMatchObject(api);
    const asViewer = await tool(viewerAgent, 'aggregate', { measure: 'leads', group_by: ['quarter', 'source'], ...PERIOD });
    expect(asViewer.rows).toEqual(api.rows);
  });

  it('caps what an agent gets at 50 rows, while the API gives up to 200; totals cover every row', async () => {
    const api = await expectStatus(sendAs(admin, 'GET', `/api/v1/insights/aggregate?measure=leads&group_by=week&from=${PERIOD.from}&to=${PERIOD.to}&limit=200`));
    expect(api.rows).toHaveLength(53);
    expect(api.truncated).toBe(false);
    const mcp = await tool(agent, 'aggregate', { measure: 'leads', group_by: 'week', ...PERIOD, limit: 200 });
    expect(mcp.rows).toHaveLength(50);
    expect(mcp.truncated).toBe(true);
    expect(mcp.totals).toEqual([{ value: '53', currency: null }]);
  });

  it('offers the aggregate tool to viewers as a read, without dry_run or confirm', async () => {
    const listed = await viewerAgent.listTools();
    const aggregate = listed.tools.find((t) => t.name === 'aggregate');
    expect(aggregate).toBeDefined();
    expect(Object.keys(aggregate!.inputSchema.properties ?? {})).not.toContain('dry_run');
    expect(Object.keys(aggregate!.inputSchema.properties ?? {})).toEqual(expect.arrayContaining(['measure', 'group_by', 'from', 'to', 'limit']));
  });

  it('refuses a bad aggregate the same way everywhere, naming the field', async () => {
    const r = await sendAs(admin, 'GET', `/api/v1/insights/aggregate?measure=leads&group_by=category`);
    expect(r.status).toBe(400);
    expect(r.body.errors.map((e: Json) => e.field)).toContain('group_by');
    const c = await cli(base, admin.key, ['insights', 'aggregate', '--measure', 'leads', '--group-by', 'category']);
    expect(c.code).toBe(1);
    expect(c.stderr).toMatch(/group_by/);
    const m = (await agent.callTool({ name: 'aggregate', arguments: { measure: 'leads', group_by: ['category'] } })) as { isError?: boolean; structuredContent?: Json };
    expect(m.isError).toBe(true);
    expect(JSON.stringify(m.structuredContent)).toMatch(/group_by/);
  });

  it("neutralises a formula in stored text in the CLI's CSV", async () => {
    const company = await expectStatus(sendAs(admin, 'POST', '/api/v1/companies', { name: '=2+3 Holdings' }), 201);
    await expectStatus(sendAs(admin, 'POST', '/api/v1/interactions', { company_id: company.id, type: 'call', interaction_date: '2018-06-01T10:00:00Z', notes: 'first call' }), 201);
    const args = ['insights', 'aggregate', '--measure', 'interactions', '--group-by', 'company', '--from', PERIOD.from, '--to', PERIOD.to];
    const api = await expectStatus(sendAs(admin, 'GET', `/api/v1/insights/aggregate?measure=interactions&group_by=company&from=${PERIOD.from}&to=${PERIOD.to}`));
    expect(api.rows).toEqual([{ keys: { company: company.id }, labels: { company: '=2+3 Holdings' }, value: '1', currency: null }]);
    const csv = await cli(base, admin.key, [...args, '--format', 'csv']);
    expect(csv.code, csv.stderr).toBe(0);
    const cells = (parse(csv.stdout) as string[][]).flat();
    expect(cells).toContain("'=2+3 Holdings");
    expect(cells).not.toContain('=2+3 Holdings');
  });
});
