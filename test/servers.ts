/**
 * Servers for tests: an app served in this process on a free port, and `throughline serve`
 * as a child process (started on a free port, stopped by the test).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { serve } from '@hono/node-server';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { createApp } from '../src/api/app.ts';
import type { Database } from '../src/db/client.ts';
import { FAST_IDENTITY, signIn, type SignedIn } from './auth.ts';

export const BIN = path.resolve(import.meta.dirname, '..', 'bin/throughline.js');

/** Serves the app on 127.0.0.1 at a free port. */
export async function serveApp(app: ReturnType<typeof createApp>): Promise<{ server: http.Server; base: string }> {
  const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }) as http.Server;
  await new Promise<void>((resolve) => (server.listening ? resolve() : server.once('listening', () => resolve())));
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

export async function stopServer(server: http.Server | undefined): Promise<void> {
  if (!server) return;
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

export type RolesServer = {
  app: ReturnType<typeof createApp>;
  base: string;
  admin: SignedIn;
  editor: SignedIn;
  viewer: SignedIn;
  /** An MCP client acting for this person, closed by close(). */
  agent(who: SignedIn): Promise<Client>;
  close(): Promise<void>;
};

/** The app served on a free port (UTC, no web app) with an administrator, an editor and a viewer signed in. */
export async function serveAsRoles(database: Database): Promise<RolesServer> {
  const app = createApp({ database, identity: FAST_IDENTITY, webDir: null, timeZone: 'UTC' });
  const { server, base } = await serveApp(app);
  const clients: Client[] = [];
  return {
    app,
    base,
    admin: await signIn(app, database, 'admin'),
    editor: await signIn(app, database, 'editor'),
    viewer: await signIn(app, database, 'viewer'),
    async agent(who) {
      const c = await connectMcp(base, who.key);
      clients.push(c);
      return c;
    },
    async close() {
      for (const c of clients) await c.close().catch(() => {});
      await stopServer(server);
    },
  };
}

/** An MCP client of the app's /mcp, with this API key. */
export async function connectMcp(base: string, key: string, name = 'throughline-test'): Promise<Client> {
  const client = new Client({ name, version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${base}/mcp`), { requestInit: { headers: { authorization: `Bearer ${key}` } } }));
  return client;
}

/** `throughline serve` on this data directory at a free port, once it says where it runs. */
export async function startServe(dataDir: string, env: Record<string, string> = {}): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  const child = spawn(process.execPath, [BIN, 'serve'], {
    env: { ...process.env, THROUGHLINE_DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', THROUGHLINE_SEED_DEMO: 'never', THROUGHLINE_API_KEY: '', THROUGHLINE_URL: '', DATABASE_URL: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += String(d)));
  child.stderr!.on('data', (d) => (out += String(d)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}`)), 180_000);
    child.stdout!.on('data', () => {
      const m = /running at (http:\/\/[^\s]+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.on('exit', () => reject(new Error(`server exited:\n${out}`)));
  });
  return { child, url, output: () => out };
}

export const exited = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.on('exit', (code) => resolve(code))));

export type CliRun = { code: number | null; stdout: string; stderr: string };

/** `throughline <args>` as a child process with exactly this environment, run to its end. */
export function runCli(env: Record<string, string>, args: string[]): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += String(d)));
    child.stderr.on('data', (d) => (stderr += String(d)));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/** An SMTP server on a free port that keeps every message it receives, raw; close() stops it. */
export async function startSmtpSink(): Promise<{ url: string; received: string[]; close(): Promise<void> }> {
  const { SMTPServer } = await import('smtp-server');
  const received: string[] = [];
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      let raw = '';
      stream.on('data', (c: Buffer) => (raw += c.toString('utf8')));
      stream.on('end', () => {
        received.push(raw);
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`,
    received,
    close: () => new Promise<void>((resolve) => smtp.close(() => resolve())),
  };
}
