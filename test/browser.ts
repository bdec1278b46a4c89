/**
 * What every browser journey shares: Debian's Chromium (found on the PATH; .ci/run installs
 * it) driven by playwright-core, the built web app served with the API by one in-process
 * server, and screenshots in test-artifacts/.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import type http from 'node:http';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createApp } from '../src/api/app.ts';
import type { Runtime } from '../src/core/context.ts';
import { DEFAULT_WEB_DIR } from '../src/api/web.ts';
import type { Database } from '../src/db/client.ts';
import { callApi, FAST_IDENTITY, signIn, type SignedIn } from './auth.ts';
import { serveApp, stopServer } from './servers.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
export const ARTIFACTS = path.join(ROOT, 'test-artifacts');

/** The browser on the PATH: Debian's chromium package. */
function chromiumPath(): string {
  for (const name of ['chromium', 'chromium-browser']) {
    const found = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).stdout.trim();
    if (found) return found;
  }
  throw new Error('Chromium is not on the PATH: install the Debian package chromium (.ci/run does)');
}

/** The build the journeys open: dist/web, or TEST_WEB_DIR (work in parallel builds and tests a copy of its own). */
const WEB_DIR = process.env.TEST_WEB_DIR ? path.resolve(process.env.TEST_WEB_DIR) : DEFAULT_WEB_DIR;

/** Builds the web app when no build is there (a checkout where `npm install` ran no scripts). */
function ensureBuilt(): void {
  if (fs.existsSync(path.join(WEB_DIR, 'index.html'))) return;
  const built = spawnSync(process.execPath, [path.join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn', '--outDir', WEB_DIR, '--emptyOutDir'], { cwd: ROOT, encoding: 'utf8' });
  if (built.status !== 0) throw new Error(`the web app did not build:\n${built.stderr}`);
}

export type BrowserRig = {
  browser: Browser;
  server: http.Server;
  base: string;
  editor: SignedIn;
  /** The API as the editor, over HTTP: to arrange records a journey starts from (expects 201 for a POST, else 200, unless told). */
  api: (method: string, url: string, body?: unknown, status?: number) => Promise<any>;
  close: () => Promise<void>;
};

/** `runtime`: how the server meets the outside world (e.g. the assistant's model, a fake one in tests). */
export async function startBrowserRig(db: Database, opts: { runtime?: Runtime } = {}): Promise<BrowserRig> {
  ensureBuilt();
  const app = createApp({ database: db, identity: FAST_IDENTITY, webDir: WEB_DIR, runtime: opts.runtime });
  const editor = await signIn(app, db, 'editor');
  const { server, base } = await serveApp(app);
  const browser = await chromium.launch({ executablePath: chromiumPath(), headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  return {
    browser,
    server,
    base,
    editor,
    api: (method, url, body, status) => callApi({ request: (p, i) => fetch(`${base}${p}`, i) }, editor, method, url, body, status),
    close: async () => {
      await browser.close();
      await stopServer(server);
    },
  };
}

/** A page signed in as the rig's editor, with any dialog recorded and dismissed (a journey expects none). */
export async function signedInPage(rig: BrowserRig, viewport = { width: 1280, height: 860 }): Promise<{ page: Page; dialogs: string[] }> {
  const page = await rig.browser.newPage({ viewport, acceptDownloads: true });
  const dialogs: string[] = [];
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  await page.goto(`${rig.base}/`);
  await page.getByLabel('Email').fill(rig.editor.user.email);
  await page.getByLabel('Password').fill(rig.editor.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
  return { page, dialogs };
}

/**
 * A full-page screenshot in test-artifacts/, named for the screen and the database: taken from
 * the top with nothing focused, so a focus ring or a scrolled header never differs between runs.
 */
export async function shot(page: Page, name: string, backend: string): Promise<void> {
  await page.evaluate(() => {
    (document.activeElement as HTMLElement | null)?.blur();
    scrollTo(0, 0);
  });
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}-${backend}.png`), fullPage: true });
}

/** The page's uncaught errors as they happen, for a journey to assert there were none. */
export function pageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`${page.url()}: ${String(e)}`));
  return errors;
}
