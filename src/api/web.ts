/**
 * The web app (web/, built into dist/web by `npm run build:web`, which `npm install` runs):
 * its hashed assets, and its index.html for every other GET outside the API, so that a link
 * such as /companies/<id> (src/core/web-paths.ts) opens the app on that record. Without a
 * build, / says how to make one.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Context } from 'hono';

export const DEFAULT_WEB_DIR = path.resolve(import.meta.dirname, '../../dist/web');

/** Scripts, styles and data only from this server; nothing framed, no plugins. React needs no inline script or style. */
export const WEB_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
};
const ASSET_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,200}$/;

export type WebApp = {
  /** The app's page, or undefined when it has not been built. */
  index: string | undefined;
  /** A built asset by its file name, or undefined. */
  asset(name: string): { body: Buffer; type: string } | undefined;
};

export function loadWebApp(dir: string | null): WebApp {
  const read = (file: string) => {
    try {
      return fs.readFileSync(file);
    } catch {
      return undefined;
    }
  };
  const index = dir ? read(path.join(dir, 'index.html'))?.toString('utf8') : undefined;
  return {
    index,
    asset(name) {
      if (!dir || !index || !ASSET_NAME.test(name)) return undefined;
      const type = TYPES[path.extname(name)];
      const body = type ? read(path.join(dir, 'assets', name)) : undefined;
      return body && type ? { body, type } : undefined;
    },
  };
}

/**
 * The public pages under /embed/ (the contact form without chrome) are meant for an iframe on
 * the consultancy's own website: any site may frame them; nothing else changes.
 */
export const EMBED_CSP = WEB_CSP.replace("frame-ancestors 'none'", 'frame-ancestors *');

export const isEmbedPath = (pathname: string) => pathname.startsWith('/embed/');

export function servePage(c: Context, html: string, opts: { embed?: boolean } = {}): Response {
  c.header('content-security-policy', opts.embed ? EMBED_CSP : WEB_CSP);
  c.header('cache-control', 'no-cache');
  return c.html(html);
}

export function serveAsset(c: Context, asset: { body: Buffer; type: string }): Response {
  // The file names carry a hash of their content: a new build gets new names.
  return c.newResponse(new Uint8Array(asset.body), 200, { 'content-type': asset.type, 'cache-control': 'public, max-age=31536000, immutable' });
}
