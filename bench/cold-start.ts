/**
 * Benchmark 3: cold start. `node bin/throughline.js serve` on an existing (migrated,
 * populated) PGlite data directory, timed from spawn to the first 200 from /healthz.
 */
import path from 'node:path';
import { freePort, httpGet, ROOT, sleep, spawnTracked, waitExit } from './procs.ts';

export async function coldStartOnce(dataDir: string, timeoutMs = 60_000): Promise<number> {
  const port = await freePort();
  const env: Record<string, string | undefined> = { ...process.env };
  for (const k of ['DATABASE_URL', 'THROUGHLINE_URL', 'PORT', 'HOST', 'THROUGHLINE_DATA_DIR']) delete env[k];
  Object.assign(env, {
    PORT: String(port),
    HOST: '127.0.0.1',
    THROUGHLINE_DATA_DIR: dataDir,
    THROUGHLINE_LOG_LEVEL: 'error',
    THROUGHLINE_SEED_DEMO: 'never',
  });
  const t0 = performance.now();
  const child = spawnTracked([path.join(ROOT, 'bin/throughline.js'), 'serve'], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  let exited = false;
  child.once('exit', () => (exited = true));
  try {
    for (;;) {
      if (exited) throw new Error(`throughline serve exited (code ${child.exitCode}) before answering /healthz`);
      if (performance.now() - t0 > timeoutMs) throw new Error(`throughline serve did not answer /healthz within ${timeoutMs} ms`);
      try {
        const r = await httpGet(`http://127.0.0.1:${port}/healthz`, 2_000);
        if (r.status === 200) return performance.now() - t0;
      } catch {
        /* not listening yet */
      }
      await sleep(5);
    }
  } finally {
    if (!exited && child.pid) process.kill(child.pid, 'SIGTERM');
    await waitExit(child);
  }
}
