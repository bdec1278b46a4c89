/**
 * Child processes the bench starts (servers under test, `throughline serve`), tracked so
 * that every one of them is stopped by its own pid on the way out, even after a failure.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ServerReady } from './server.ts';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const live = new Set<ChildProcess>();
/** Set once the bench is stopping: no new child may start after that. */
let closed = false;

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export function track(child: ChildProcess): ChildProcess {
  live.add(child);
  child.once('exit', () => live.delete(child));
  return child;
}

export function spawnTracked(args: string[], opts: SpawnOptions): ChildProcess {
  if (closed) throw new Error('the benchmark is stopping');
  return track(spawn(process.execPath, args, { cwd: ROOT, ...opts }));
}

/** Waits for the child to exit; SIGKILLs it (by its pid) after `graceMs`. */
export function waitExit(child: ChildProcess, graceMs = 20_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      if (child.pid) {
        try {
          process.kill(child.pid, 'SIGKILL');
        } catch {
          /* already gone */
        }
      }
    }, graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** Stops every child still running (SIGTERM, then SIGKILL after a grace period); none may start after. */
export async function stopAll(): Promise<void> {
  closed = true;
  await Promise.all(
    [...live].map((child) => {
      if (child.pid && child.exitCode === null && child.signalCode === null) {
        try {
          process.kill(child.pid, 'SIGTERM');
        } catch {
          /* already gone */
        }
      }
      return waitExit(child, 10_000);
    }),
  );
}

export type ServerChild = { ready: ServerReady; stop(): Promise<void> };

/** Starts bench/server.ts in its own process and waits for its ports. */
export function startServerChild(env: Record<string, string>, cpuProfDir?: string): Promise<ServerChild> {
  const args = [
    ...(cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfDir}`] : []),
    path.join(ROOT, 'bin/run-ts.js'),
    path.join(ROOT, 'bench/server.ts'),
  ];
  const child = spawnTracked(args, { env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error('the bench server did not start within 120 s'));
      child.kill('SIGKILL');
    }, 120_000);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`the bench server exited before it was ready (code ${code}, signal ${signal})`));
    });
    child.on('message', (m) => {
      const msg = m as ServerReady;
      if (msg?.type !== 'ready') return;
      clearTimeout(timer);
      resolve({
        ready: msg,
        async stop() {
          if (child.connected) child.send('stop');
          else child.kill('SIGTERM');
          await waitExit(child);
        },
      });
    });
  });
}

/** A port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** One GET with node:http (no fetch warm-up cost): status and body, or an error. */
export function httpGet(url: string, timeoutMs = 5_000, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false, timeout: timeoutMs, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}
