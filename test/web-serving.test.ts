/**
 * The server serves the web app: its page at / and at every path the app routes itself
 * (/companies/<id>, as src/core/web-paths.ts builds links), its hashed assets, a strict CSP;
 * the API's unknown paths stay problem+json, and without a build / says how to make one.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createApp } from '../src/api/app.ts';
import { recordPath } from '../src/core/web-paths.ts';
import { FAST_IDENTITY } from './auth.ts';
import { dbSuite } from './db.ts';

const PAGE = '<!doctype html><html><head><script type="module" src="/assets/index-abc123.js"></script></head><body><div id="root"></div></body></html>';

dbSuite('web app serving', ({ database }) => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'throughline-web-'));
    fs.mkdirSync(path.join(dir, 'assets'));
    fs.writeFileSync(path.join(dir, 'index.html'), PAGE);
    fs.writeFileSync(path.join(dir, 'assets', 'index-abc123.js'), 'console.log("app")');
    fs.writeFileSync(path.join(dir, 'assets', 'index-abc123.css'), 'body{}');
    fs.writeFileSync(path.join(dir, 'secret.txt'), 'not an asset');
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const app = () => createApp({ database: database(), identity: FAST_IDENTITY, webDir: dir });

  it('serves the app page at / and at the paths it routes itself, with a CSP that allows only this server', async () => {
    for (const p of ['/', recordPath('companies', randomUUID()), '/reports/monthly?engagement=x&month=2026-10', '/companies']) {
      const r = await app().request(p);
      expect(r.status, p).toBe(200);
      expect(r.headers.get('content-type'), p).toMatch(/^text\/html/);
      expect(await r.text(), p).toBe(PAGE);
      const csp = r.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain('unsafe-inline');
      expect(r.headers.get('x-content-type-options')).toBe('nosniff');
    }
  });

  it('serves hashed assets with their type for a year, and nothing else from the build directory', async () => {
    const js = await app().request('/assets/index-abc123.js');
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(js.headers.get('cache-control')).toContain('immutable');
    expect(await js.text()).toBe('console.log("app")');
    expect((await app().request('/assets/index-abc123.css')).headers.get('content-type')).toMatch(/^text\/css/);
    for (const p of ['/assets/missing.js', '/assets/..%2Fsecret.txt', '/assets/%2e%2e%2fsecret.txt', '/assets/secret.txt', '/assets/.hidden.js']) {
      const r = await app().request(p);
      expect(r.status, p).toBe(404);
      expect(await r.text(), p).not.toContain('not an asset');
    }
  });

  it('keeps the API\'s unknown paths as problems, and the API, docs and health as they were', async () => {
    for (const p of ['/api/v1/no_such_thing', '/api', '/api/v1/companies/x/y/z']) {
      const r = await app().request(p);
      expect(r.status, p).toBe(404);
      expect(r.headers.get('content-type'), p).toBe('application/problem+json');
    }
    expect((await app().request('/api/v1/companies')).status).toBe(401);
    expect((await app().request('/healthz')).status).toBe(200);
    expect(await (await app().request('/api/docs')).text()).toContain('<');
  });

  it('without a build, / says how to make one and other paths are not found', async () => {
    const bare = createApp({ database: database(), identity: FAST_IDENTITY, webDir: path.join(dir, 'nothing-here') });
    const page = await bare.request('/');
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('npm run build:web');
    expect((await bare.request(recordPath('companies', randomUUID()))).status).toBe(404);
    expect((await bare.request('/assets/index-abc123.js')).status).toBe(404);
  });
});
