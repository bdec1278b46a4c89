/**
 * Browser journeys in Debian's Chromium (found on the PATH; .ci/run installs it), driven by
 * playwright-core, against the built web app served with the API by one in-process server:
 * sign in, the companies list and its search, a company's page, and stored text that
 * carries HTML rendered as text. Screenshots of each screen go to test-artifacts/.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import type http from 'node:http';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createApp } from '../src/api/app.ts';
import { DEFAULT_WEB_DIR } from '../src/api/web.ts';
import { callApi, FAST_IDENTITY, signIn, type SignedIn } from './auth.ts';
import { dbSuite } from './db.ts';
import { serveApp, stopServer } from './servers.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const ARTIFACTS = path.join(ROOT, 'test-artifacts');
const XSS = '"><img src=x onerror="window.__xss=1"><script>window.__xss=2</script>';

/** The browser on the PATH: Debian's chromium package. */
function chromiumPath(): string {
  for (const name of ['chromium', 'chromium-browser']) {
    const found = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).stdout.trim();
    if (found) return found;
  }
  throw new Error('Chromium is not on the PATH: install the Debian package chromium (.ci/run does)');
}

dbSuite('browser journeys', ({ database, backend }) => {
  let browser: Browser;
  let server: http.Server;
  let base: string;
  let editor: SignedIn;

  const shot = async (page: Page, name: string) => {
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, `${name}-${backend}.png`), fullPage: true });
  };

  beforeAll(async () => {
    if (!fs.existsSync(path.join(DEFAULT_WEB_DIR, 'index.html'))) {
      const built = spawnSync(process.execPath, [path.join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'], { cwd: ROOT, encoding: 'utf8' });
      if (built.status !== 0) throw new Error(`the web app did not build:\n${built.stderr}`);
    }
    const app = createApp({ database: database(), identity: FAST_IDENTITY });
    editor = await signIn(app, database(), 'editor');
    ({ server, base } = await serveApp(app));
    browser = await chromium.launch({ executablePath: chromiumPath(), headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await stopServer(server);
  });

  it('signs in, lists and searches companies, opens one, and renders stored HTML as text', async () => {
    const api = (method: string, url: string, body?: unknown) => callApi({ request: (p, i) => fetch(`${base}${p}`, i) }, editor, method, url, body);
    const smith = await api('POST', '/api/v1/companies', { name: 'Smith Building Group', location: 'Bondi Junction', employee_count: 12, source: 'cold_walk_in' });
    const evil = await api('POST', '/api/v1/companies', { name: `Evil ${XSS}`, notes: `Note ${XSS}`, website: 'javascript:alert(1)' });

    const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
    const dialogs: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await page.goto(`${base}/`);
    await page.getByLabel('Email').fill(editor.user.email);
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/not correct|password/i);
    await shot(page, 'sign-in-refused');
    await page.getByLabel('Password').fill(editor.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Companies' }).waitFor();
    await page.getByRole('link', { name: 'Smith Building Group' }).waitFor();
    await shot(page, 'companies');

    await page.getByLabel('Search companies').fill('Smith');
    await page.getByRole('button', { name: 'Search' }).click();
    await expect.poll(async () => page.getByRole('row').count()).toBe(2);
    await page.getByRole('link', { name: 'Smith Building Group' }).click();
    await page.getByRole('heading', { name: 'Smith Building Group' }).waitFor();
    expect(page.url()).toBe(`${base}/companies/${smith.id}`);
    await expect.poll(() => page.locator('.details').textContent()).toContain('Bondi Junction');
    await shot(page, 'company');

    // A link to a record opens the app on it; the stored HTML is text, and the javascript: website is no link.
    await page.goto(`${base}/companies/${evil.id}`);
    await page.getByRole('heading', { name: `Evil ${XSS}` }).waitFor();
    expect(await page.locator('.notes').textContent()).toBe(`Note ${XSS}`);
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.locator('a[href^="javascript:"]').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    expect(dialogs).toEqual([]);
    await shot(page, 'company-with-html-in-its-text');

    // Phone width: the list still reads.
    await page.setViewportSize({ width: 390, height: 800 });
    await page.goto(`${base}/companies`);
    await page.getByRole('link', { name: 'Smith Building Group' }).waitFor();
    await shot(page, 'companies-phone');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    await page.close();
  }, 120_000);
});
