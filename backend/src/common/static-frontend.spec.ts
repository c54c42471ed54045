import express from 'express';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { IMMUTABLE, frontendHandler, pickEncoding } from './static-frontend';

describe('frontendHandler (the built dashboard)', () => {
  let dir: string;
  let app: express.Express;
  const js = 'console.log("hello from the dashboard");'.repeat(50);

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'chatops-static-'));
    const file = (name: string, body: string, variants = true) => {
      writeFileSync(join(dir, name), body);
      if (variants) {
        writeFileSync(join(dir, `${name}.br`), brotliCompressSync(body));
        writeFileSync(join(dir, `${name}.gz`), gzipSync(body));
      }
    };
    file('index.html', '<!doctype html><title>ChatOps</title><app-root></app-root>');
    file('main-BFUSIXXE.js', js);
    file('favicon.svg', '<svg xmlns="http://www.w3.org/2000/svg"/>', false);
    mkdirSync(join(dir, 'media'));
    file('media/font-ABCDEFGH.css', 'body{}', false);
    writeFileSync(join(dir, '..', 'secret.txt'), 'not served');
    app = express();
    app.use(frontendHandler(dir));
    app.get('/api/v1/ping', (_req, res) => res.json({ ok: true }));
    app.use((_req, res) => res.status(404).send('not found'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('serves hashed files precompressed (Brotli first, then gzip) and immutable for a year', async () => {
    // supertest decodes the body; the length on the wire is the header's.
    const br = await request(app).get('/main-BFUSIXXE.js').set('Accept-Encoding', 'gzip, deflate, br');
    expect(br.status).toBe(200);
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers['content-type']).toMatch(/^text\/javascript/); // of the file, not of its .br
    expect(br.headers['cache-control']).toBe(IMMUTABLE);
    expect(br.headers['vary']).toBe('Accept-Encoding');
    expect(Number(br.headers['content-length'])).toBeLessThan(js.length / 5);
    expect(br.text).toBe(js);

    const gz = await request(app).get('/main-BFUSIXXE.js').set('Accept-Encoding', 'gzip');
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(Number(gz.headers['content-length'])).toBe(gzipSync(js).length);
    expect(gz.text).toBe(js);

    const plain = await request(app).get('/main-BFUSIXXE.js').set('Accept-Encoding', 'identity');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.text).toBe(js);
  });

  it('revalidates index.html and unhashed files on every use, and answers HEAD where GET works', async () => {
    for (const path of ['/', '/servers/1234', '/index.html']) {
      const res = await request(app).get(path).set('Accept', 'text/html').set('Accept-Encoding', 'identity');
      expect(res.status).toBe(200);
      expect(res.headers['cache-control']).toBe('no-cache');
      expect(res.text).toContain('<app-root>');
    }
    const head = await request(app).head('/').set('Accept-Encoding', 'br');
    expect(head.status).toBe(200);
    expect(head.headers['content-type']).toMatch(/^text\/html/);
    expect(head.headers['content-encoding']).toBe('br');
    const headJs = await request(app).head('/main-BFUSIXXE.js');
    expect(headJs.status).toBe(200);
    expect(headJs.headers['cache-control']).toBe(IMMUTABLE);
    const icon = await request(app).get('/favicon.svg').set('Accept-Encoding', 'br');
    expect(icon.headers['content-encoding']).toBeUndefined(); // no variant built
    expect(icon.headers['cache-control']).toBe('no-cache');
    expect((await request(app).get('/media/font-ABCDEFGH.css')).headers['cache-control']).toBe(IMMUTABLE);
  });

  it('leaves API paths, non-HTML misses and paths outside the build alone', async () => {
    expect((await request(app).get('/api/v1/ping')).body).toEqual({ ok: true });
    expect((await request(app).get('/api/v1/missing').set('Accept', 'text/html')).status).toBe(404);
    expect((await request(app).get('/logo.png').set('Accept', 'image/png')).status).toBe(404);
    expect((await request(app).post('/').set('Accept', 'text/html')).status).toBe(404);
    const outside = await request(app).get('/../secret.txt').set('Accept', 'text/plain');
    expect(outside.text).not.toContain('not served');
    expect((await request(app).get('/main-BFUSIXXE.js.br').set('Accept', '*/javascript')).status).toBe(404); // variants only by negotiation
  });

  it('negotiates Accept-Encoding with q-values', () => {
    const both = { br: true, gzip: true };
    expect(pickEncoding('gzip, br', both)).toBe('br');
    expect(pickEncoding('br;q=0, gzip', both)).toBe('gzip');
    expect(pickEncoding('*', both)).toBe('br');
    expect(pickEncoding('deflate', both)).toBeNull();
    expect(pickEncoding(undefined, both)).toBeNull();
    expect(pickEncoding('br', { br: false, gzip: true })).toBeNull();
  });
});
