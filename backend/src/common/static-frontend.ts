import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';

/** Build output named by content hash (Angular's `main-BFUSIXXE.js`, `chunk-2KNQA24X.js`, `styles-M6IQLCXS.css`). */
export const HASHED_ASSET = /-[A-Z0-9]{8}\.(?:js|mjs|css)$/;
export const IMMUTABLE = 'public, max-age=31536000, immutable';
/** Paths that are never the dashboard's: they keep their own handlers and 404s. */
const NOT_FRONTEND = /^\/(api|health|socket\.io)(\/|$)/;

interface Asset {
  path: string;
  /** Precompressed variants present beside it. */
  br: boolean;
  gzip: boolean;
  cacheControl: string;
}

/** Every file of the build by URL path (`/main-X.js`), read once: a build never changes under a running server. */
function scan(dir: string): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (!/\.(br|gz)$/.test(name)) {
        const url = '/' + relative(dir, path).split(sep).join('/');
        assets.set(url, { path, br: existsSync(`${path}.br`), gzip: existsSync(`${path}.gz`), cacheControl: HASHED_ASSET.test(name) ? IMMUTABLE : 'no-cache' });
      }
    }
  };
  walk(dir);
  return assets;
}

/** The encoding to send: Brotli, else gzip, when the client accepts it (q > 0) and the variant exists. */
export function pickEncoding(acceptEncoding: string | undefined, asset: Pick<Asset, 'br' | 'gzip'>): 'br' | 'gzip' | null {
  const accepted = new Set<string>();
  for (const part of (acceptEncoding ?? '').split(',')) {
    const [token, ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    if (token && !(q && Number(q.slice(2)) === 0)) accepted.add(token);
  }
  if (asset.br && (accepted.has('br') || accepted.has('*'))) return 'br';
  if (asset.gzip && (accepted.has('gzip') || accepted.has('*'))) return 'gzip';
  return null;
}

/**
 * Serves the built dashboard (GET and HEAD): its files as built, precompressed when the browser
 * takes Brotli or gzip (`scripts/precompress.js` writes the variants at build time, so no request
 * pays for compression), hashed files cached for a year as immutable, everything else (index.html,
 * favicon) revalidated on every use (`no-cache`); any other path that wants HTML gets index.html
 * (single-page app). Only files of the build are ever sent: the URL is looked up, not joined to a path.
 */
export function frontendHandler(dir: string): RequestHandler {
  const assets = scan(dir);
  const index = assets.get('/index.html');
  return (req: Request, res: Response, next: NextFunction) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || NOT_FRONTEND.test(req.path)) return next();
    const asset = assets.get(req.path) ?? (req.accepts('html') ? index : undefined);
    if (!asset) return next();
    const encoding = pickEncoding(req.headers['accept-encoding'], asset);
    res.setHeader('Cache-Control', asset.cacheControl);
    res.setHeader('Vary', 'Accept-Encoding');
    res.type(extname(asset.path)); // of the original file, not of its .br/.gz variant
    if (encoding) res.setHeader('Content-Encoding', encoding);
    const file = encoding === 'br' ? `${asset.path}.br` : encoding === 'gzip' ? `${asset.path}.gz` : asset.path;
    res.sendFile(file, { cacheControl: false }, (err) => {
      if (err && !res.headersSent) next(err);
    });
  };
}
