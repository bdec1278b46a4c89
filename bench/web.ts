/**
 * Benchmark 6: the web app.
 *
 * (a) First-load weight: the JavaScript and CSS a browser fetches before the app can draw
 *     anything, i.e. the built index.html's module script, its modulepreload links and its
 *     stylesheets, each gzipped with node:zlib (level 9, as a server's static compression
 *     would send them). Target: under 300 KB. The pipeline board's own lazy chunk is listed
 *     beside it (what opening the board adds).
 * (b) The companies board with many companies (5,000 by default) on a fresh in-memory
 *     PGlite, served with the API by one in-process server and opened in headless Chromium
 *     (playwright-core; Debian's chromium from the PATH), signed in as an editor:
 *     - render: from navigation start (the page's time origin) to every column's count shown
 *       and the first card of every non-empty column in the DOM, measured in the page;
 *     - scroll: the longest column scrolled to its end (each scroll loads the next page of
 *       200 cards from the list route) until its last card is rendered;
 *     - card nodes: .board-card elements in the DOM after the first render and at the end of
 *       the scroll, against the number of companies (the columns are windowed).
 *     Medians over BENCH_WEB_RUNS page loads (each a fresh page, same session).
 *
 * The app is built into a temporary directory (vite build) unless BENCH_WEB_DIR names a
 * build; the directory, the server and the browser are removed or stopped on the way out.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { serve } from '@hono/node-server';
import { chromium, type Browser } from 'playwright-core';
import { createApp } from '../src/api/app.ts';
import { LOCAL_OPERATOR, makeCtx } from '../src/core/context.ts';
import { createUser } from '../src/core/identity/users.ts';
import { openDatabase, type Database } from '../src/db/client.ts';
import { migrateDatabase } from '../src/db/migrate.ts';
import { ROOT, spawnTracked } from './procs.ts';

export type Asset = { file: string; kind: 'script' | 'modulepreload' | 'stylesheet' | 'lazy'; bytes: number; gzip: number };
export type WebRun = {
  assets: Asset[];
  firstLoad: { bytes: number; gzip: number };
  board: {
    companies: number;
    columns: number;
    longest: { key: string; count: number };
    runs: number;
    renderMs: number[];
    scrollMs: number[];
    cardsAfterRender: number[];
    cardsAfterScroll: number[];
    /** When (ms from navigation start) the app had its session and schema, the board's counts, and the last column's first page. */
    milestones: { signedIn: number[]; counts: number[]; cards: number[] };
  };
};

const CHEAP_HASH = { argon2: { memoryCost: 1024, timeCost: 1, parallelism: 1 } };

/** How the seeded companies spread over the company pipeline (weights; lead the long column). */
const SPREAD: Array<[string, number]> = [
  ['lead', 40], ['contacted', 16], ['meeting_scheduled', 8], ['meeting_complete', 6], ['auditing', 6], ['go', 3], ['no_go', 2],
  ['proposal_sent', 3], ['onboarding', 2], ['training', 2], ['supporting', 6], ['paused', 1], ['churned', 1], ['lost', 4],
];

function chromiumPath(): string {
  for (const name of ['chromium', 'chromium-browser']) {
    const found = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).stdout.trim();
    if (found) return found;
  }
  throw new Error('Chromium is not on the PATH: install the Debian package chromium');
}

async function buildWeb(outDir: string): Promise<void> {
  const child = spawnTracked([path.join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn', '--outDir', outDir, '--emptyOutDir'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`vite build failed (${code}):\n${err}`);
}

/** The first-load assets named by index.html, and the board's lazy chunk, with their gzipped sizes. */
export function firstLoadAssets(webDir: string): Asset[] {
  const html = fs.readFileSync(path.join(webDir, 'index.html'), 'utf8');
  const found: Array<{ file: string; kind: Asset['kind'] }> = [];
  for (const tag of html.match(/<(script|link)\b[^>]*>/gi) ?? []) {
    const attr = (name: string) => new RegExp(`\\b${name}\\s*=\\s*["']([^"']+)["']`, 'i').exec(tag)?.[1];
    if (/^<script/i.test(tag)) {
      const src = attr('src');
      if (src && attr('type') === 'module') found.push({ file: src, kind: 'script' });
    } else {
      const rel = attr('rel')?.toLowerCase();
      const href = attr('href');
      if (href && (rel === 'modulepreload' || rel === 'stylesheet')) found.push({ file: href, kind: rel });
    }
  }
  if (!found.some((f) => f.kind === 'script')) throw new Error(`no module script in ${webDir}/index.html`);
  const assetsDir = path.join(webDir, 'assets');
  for (const f of fs.readdirSync(assetsDir).filter((n) => /^Board-.*\.(js|css)$/.test(n))) found.push({ file: `/assets/${f}`, kind: 'lazy' });
  return found.map(({ file, kind }) => {
    const body = fs.readFileSync(path.join(webDir, file.replace(/^\//, '')));
    return { file, kind, bytes: body.length, gzip: zlib.gzipSync(body, { level: 9 }).length };
  });
}

/** Companies spread over the pipeline by SPREAD, in one statement; updated_at a minute apart so the column sort is real. */
async function seedCompanies(database: Database, total: number): Promise<Map<string, number>> {
  const weight = SPREAD.reduce((n, [, w]) => n + w, 0);
  const counts = new Map<string, number>();
  let given = 0;
  SPREAD.forEach(([key, w], i) => {
    const n = i === SPREAD.length - 1 ? total - given : Math.floor((total * w) / weight);
    counts.set(key, n);
    given += n;
  });
  let upTo = 0;
  const cases = [...counts].map(([key, n]) => `when n <= ${(upTo += n)} then '${key}'`).join(' ');
  await database.query(`
    insert into companies (name, status, location, employee_count, source, notes, created_at, updated_at)
    select 'Bench company ' || n, case ${cases} end, 'city ' || (n % 97), (n % 500)::int, 'cold_call', 'bench web',
           now() - (n || ' minutes')::interval, now() - (n || ' minutes')::interval
      from generate_series(1, ${total}) as n`);
  await database.query('analyze companies');
  return counts;
}

export async function webBench(opts: { companies: number; runs: number; webDir?: string | undefined }, progress: (m: string) => void): Promise<WebRun> {
  let tmp: string | undefined;
  let database: Database | undefined;
  let server: http.Server | undefined;
  let browser: Browser | undefined;
  try {
    let webDir = opts.webDir;
    if (!webDir) {
      tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'throughline-bench-web-'));
      webDir = path.join(tmp, 'web');
      const t0 = performance.now();
      await buildWeb(webDir);
      progress(`web: built the app into ${webDir} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    }
    const assets = firstLoadAssets(webDir);
    const first = assets.filter((a) => a.kind !== 'lazy');
    const firstLoad = { bytes: first.reduce((n, a) => n + a.bytes, 0), gzip: first.reduce((n, a) => n + a.gzip, 0) };
    progress(`web: first load ${(firstLoad.gzip / 1024).toFixed(1)} KiB gzipped over ${first.length} files`);

    database = await openDatabase({ memory: true });
    await migrateDatabase(database);
    const t0 = performance.now();
    const counts = await seedCompanies(database, opts.companies);
    const [longestKey, longestCount] = [...counts].sort((a, b) => b[1] - a[1])[0]!;
    progress(`web: seeded ${opts.companies.toLocaleString('en')} companies over ${counts.size} statuses on PGlite in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const ctx = makeCtx(database.db, { actor: LOCAL_OPERATOR, timeZone: 'UTC' });
    const password = 'bench web passphrase 1';
    const user = await createUser(ctx, { email: `bench-web-${process.pid}@example.com`, name: 'Bench web', role: 'editor', password }, CHEAP_HASH);

    const app = createApp({ database, identity: CHEAP_HASH, webDir });
    server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }) as http.Server;
    const srv = server;
    await new Promise<void>((resolve) => (srv.listening ? resolve() : srv.once('listening', () => resolve())));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    browser = await chromium.launch({ executablePath: chromiumPath(), headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const signIn = await context.newPage();
    await signIn.goto(`${base}/`);
    await signIn.getByLabel('Email').fill(user.email);
    await signIn.getByLabel('Password').fill(password);
    await signIn.getByRole('button', { name: 'Sign in' }).click();
    await signIn.getByRole('button', { name: 'Sign out' }).waitFor();
    await signIn.close();

    const columns = (await database.query<{ n: number }>("select count(*)::int as n from pipeline_stages where pipeline = 'company' and archived_at is null"))[0]!.n;
    const nonEmpty = [...counts.values()].filter((n) => n > 0).length;
    const board: WebRun['board'] = { companies: opts.companies, columns, longest: { key: longestKey, count: longestCount }, runs: 0, renderMs: [], scrollMs: [], cardsAfterRender: [], cardsAfterScroll: [], milestones: { signedIn: [], counts: [], cards: [] } };
    // One untimed load first: the server's and the browser's caches warm, as for a returning user.
    for (let run = 0; run <= opts.runs; run++) {
      const page = await context.newPage();
      try {
        await page.goto(`${base}/pipeline/companies`, { waitUntil: 'commit' });
        const rendered = await page.waitForFunction(
          ({ columns, nonEmpty }) => {
            const cols = [...document.querySelectorAll('.board-col')];
            if (cols.length !== columns) return false;
            if (cols.some((c) => !c.querySelector('.board-count-n'))) return false;
            const withCards = cols.filter((c) => c.querySelector('.board-card')).length;
            return withCards === nonEmpty ? performance.now() : false;
          },
          { columns, nonEmpty },
          { polling: 'raf', timeout: 60_000 },
        );
        const renderMs = (await rendered.jsonValue()) as number;
        // The counts shown are the database's.
        const shown = await page.$$eval('.board-col', (cols) => cols.map((c) => [c.getAttribute('data-key'), Number(c.querySelector('.board-count-n')!.textContent!.replace(/\D/g, ''))] as const));
        for (const [key, n] of shown) {
          if ((counts.get(key!) ?? 0) !== n) throw new Error(`the board shows ${n} in ${key}, the database has ${counts.get(key!) ?? 0}`);
        }
        const cardsAfterRender = await page.locator('.board-card').count();
        // (No named functions inside evaluate: the TypeScript loader would wrap them in a helper the page lacks.)
        const milestones = await page.evaluate(() => {
          const out = { signedIn: 0, counts: 0, cards: 0 };
          for (const e of performance.getEntriesByType('resource') as PerformanceResourceTiming[]) {
            const u = new URL(e.name);
            if (/^\/api\/v1\/(schema|auth\/me)$/.test(u.pathname)) out.signedIn = Math.max(out.signedIn, e.responseEnd);
            else if (u.pathname.endsWith('/board')) out.counts = Math.max(out.counts, e.responseEnd);
            else if (u.pathname === '/api/v1/companies' && u.searchParams.has('status')) out.cards = Math.max(out.cards, e.responseEnd);
          }
          return out;
        });
        const scroll = await page.evaluate(
          async ({ key, count }) => {
            const box = document.querySelector<HTMLElement>(`.board-col[data-key="${key}"] .board-scroll`)!;
            const t0 = performance.now();
            for (;;) {
              box.scrollTop = box.scrollHeight;
              await new Promise((r) => requestAnimationFrame(() => r(null)));
              const slots = box.querySelectorAll('li.board-slot');
              const last = slots[slots.length - 1];
              if (last && Number(last.getAttribute('aria-posinset')) === count && last.querySelector('.board-card')) break;
              if (performance.now() - t0 > 120_000) throw new Error(`the ${key} column never reached its end`);
            }
            return { ms: performance.now() - t0, cards: document.querySelectorAll('.board-card').length };
          },
          { key: longestKey, count: longestCount },
        );
        if (run === 0) {
          progress(`web: warm-up load: ${renderMs.toFixed(0)} ms to the board, ${scroll.ms.toFixed(0)} ms to scroll ${longestKey}`);
          continue;
        }
        board.renderMs.push(renderMs);
        board.scrollMs.push(scroll.ms);
        board.cardsAfterRender.push(cardsAfterRender);
        board.cardsAfterScroll.push(scroll.cards);
        for (const k of ['signedIn', 'counts', 'cards'] as const) board.milestones[k].push(milestones[k]);
        board.runs++;
        progress(`web: run ${run}: board in ${renderMs.toFixed(0)} ms (session and schema at ${milestones.signedIn.toFixed(0)}, counts at ${milestones.counts.toFixed(0)}, last first page at ${milestones.cards.toFixed(0)}; ${cardsAfterRender} card nodes), ${longestKey} (${longestCount.toLocaleString('en')}) scrolled to its end in ${scroll.ms.toFixed(0)} ms (${scroll.cards} card nodes)`);
      } finally {
        await page.close();
      }
    }
    return { assets, firstLoad, board };
  } finally {
    await browser?.close().catch(() => {});
    if (server) {
      const s = server;
      s.closeAllConnections();
      await new Promise<void>((resolve) => s.close(() => resolve()));
    }
    await database?.close().catch(() => {});
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  }
}
