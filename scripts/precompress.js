/**
 * Precompresses the built dashboard: next to every text asset (.js, .css, .html, .svg, .json,
 * .txt, .map) a `.br` (Brotli, quality 11) and a `.gz` (gzip -9), each kept only when smaller than
 * the file. The backend serves them to browsers that accept them (backend/src/common/static-frontend.ts),
 * so no request pays for compression. `node scripts/precompress.js [dir]` (build.js runs it after
 * the frontend build).
 */
const { readdirSync, readFileSync, statSync, writeFileSync, unlinkSync, existsSync } = require('node:fs');
const { join } = require('node:path');
const zlib = require('node:zlib');

const TEXT = /\.(?:js|mjs|css|html|svg|json|txt|map)$/;

function precompressDir(dir) {
  let raw = 0, br = 0, gz = 0, files = 0;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const st = statSync(path);
    if (st.isDirectory()) {
      const sub = precompressDir(path);
      raw += sub.raw; br += sub.br; gz += sub.gz; files += sub.files;
      continue;
    }
    if (!TEXT.test(name)) continue;
    const body = readFileSync(path);
    const variants = {
      '.br': zlib.brotliCompressSync(body, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: body.length } }),
      '.gz': zlib.gzipSync(body, { level: 9 }),
    };
    for (const [ext, out] of Object.entries(variants)) {
      if (out.length < body.length) writeFileSync(path + ext, out);
      else if (existsSync(path + ext)) unlinkSync(path + ext); // a stale variant of an earlier build
    }
    files++;
    raw += body.length;
    br += Math.min(variants['.br'].length, body.length);
    gz += Math.min(variants['.gz'].length, body.length);
  }
  return { files, raw, br, gz };
}

module.exports = { precompressDir };

if (require.main === module) {
  const dir = process.argv[2] ?? join(__dirname, '..', 'dist', 'frontend', 'browser');
  const r = precompressDir(dir);
  const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
  process.stdout.write(`[precompress] ${r.files} files: ${kb(r.raw)} raw, ${kb(r.gz)} gzip, ${kb(r.br)} brotli\n`);
}
