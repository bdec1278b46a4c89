/**
 * Benchmark 5: what the MCP server costs per call, against the same operation through the
 * REST API and through the core alone, in one process, one call at a time.
 *
 * The three paths take turns call by call (core, REST, MCP, core, REST, MCP…), so whatever
 * else the machine does falls on all three alike. Over real HTTP on 127.0.0.1: REST with
 * fetch and an API key, MCP with the SDK's client over streamable HTTP with the same key.
 *
 * - read: one company by id (core: the registry's companies.get; REST: GET /api/v1/companies/{id};
 *   MCP: the get tool). An MCP call also writes its tool_call audit row, in the same transaction.
 * - write: one note (core: notes.create; REST: POST /api/v1/notes; MCP: the create tool).
 */
import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { createApp } from '../src/api/app.ts';
import { LOCAL_OPERATOR, makeCtx } from '../src/core/context.ts';
import { agentActor, userActor } from '../src/core/identity/actor.ts';
import { createApiKey } from '../src/core/identity/api-keys.ts';
import { createUser } from '../src/core/identity/users.ts';
import { invoke, operationByName } from '../src/core/registry.ts';
import type { Database } from '../src/db/client.ts';

export type Latencies = { p50: number; p95: number; mean: number };
export type McpPath = { read: Latencies; write: Latencies };
export type McpRun = { label: string; calls: number; core: McpPath; rest: McpPath; mcp: McpPath };

const CHEAP_HASH = { argon2: { memoryCost: 1024, timeCost: 1, parallelism: 1 } };

function latencies(xs: number[]): Latencies {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
  return { p50: at(0.5), p95: at(0.95), mean: s.reduce((a, b) => a + b, 0) / s.length };
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

export async function mcpLatency(database: Database, label: string, calls: number, progress: (m: string) => void): Promise<McpRun> {
  const ctx = makeCtx(database.db, { actor: LOCAL_OPERATOR, timeZone: 'UTC' });
  const user = await createUser(ctx, { email: `bench-mcp-${process.pid}@example.com`, name: 'Bench', role: 'editor', password: 'bench mcp passphrase 1' }, CHEAP_HASH);
  const { key, api_key } = await createApiKey({ ...ctx, actor: userActor(user) }, { name: 'bench mcp', role: 'editor' });
  const agent = { ...ctx, actor: agentActor(user, { key: api_key }) };
  const companyIds: string[] = [];
  for (let i = 0; i < 200; i++) {
    const c = (await invoke(operationByName.get('companies.create')!, agent, { data: { name: `Bench MCP ${process.pid}-${i}` } })) as { id: string };
    companyIds.push(c.id);
  }

  const app = createApp({ database, identity: CHEAP_HASH });
  const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }) as http.Server;
  await new Promise<void>((resolve) => (server.listening ? resolve() : server.once('listening', () => resolve())));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
  const client = new Client({ name: 'throughline-bench', version: '1' });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${base}/mcp`), { requestInit: { headers: { authorization: `Bearer ${key}` } } }));

  const ok = async (r: Response) => {
    if (!r.ok) throw new Error(`REST ${r.status}: ${await r.text()}`);
    await r.arrayBuffer();
  };
  const tool = async (name: string, args: Record<string, unknown>) => {
    const r = await client.callTool({ name, arguments: args });
    if (r.isError) throw new Error(`MCP ${name}: ${JSON.stringify(r.structuredContent)}`);
  };
  const paths = {
    core: {
      read: (id: string) => invoke(operationByName.get('companies.get')!, agent, { id }),
      write: (i: number) => invoke(operationByName.get('notes.create')!, agent, { data: { note_text: `core ${i}`, note_type: 'general' } }),
    },
    rest: {
      read: async (id: string) => ok(await fetch(`${base}/api/v1/companies/${id}`, { headers })),
      write: async (i: number) => ok(await fetch(`${base}/api/v1/notes`, { method: 'POST', headers, body: JSON.stringify({ note_text: `rest ${i}`, note_type: 'general' }) })),
    },
    mcp: {
      read: (id: string) => tool('get', { table: 'companies', id }),
      write: (i: number) => tool('create', { table: 'notes', data: { note_text: `mcp ${i}`, note_type: 'general' } }),
    },
  };
  const samples = { core: { read: [] as number[], write: [] as number[] }, rest: { read: [] as number[], write: [] as number[] }, mcp: { read: [] as number[], write: [] as number[] } };
  try {
    // Warm-up: compile, fill caches and pools on every path.
    for (let i = 0; i < 30; i++) for (const p of Object.values(paths)) await p.read(companyIds[i % companyIds.length]!);
    progress(`${label}: ${calls} calls per path and kind, taking turns`);
    for (let i = 0; i < calls; i++) {
      const id = companyIds[i % companyIds.length]!;
      for (const name of ['core', 'rest', 'mcp'] as const) {
        samples[name].read.push(await timed(() => paths[name].read(id)));
        samples[name].write.push(await timed(() => paths[name].write(i)));
      }
    }
  } finally {
    await client.close().catch(() => {});
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
  const of = (name: 'core' | 'rest' | 'mcp'): McpPath => ({ read: latencies(samples[name].read), write: latencies(samples[name].write) });
  return { label, calls, core: of('core'), rest: of('rest'), mcp: of('mcp') };
}
