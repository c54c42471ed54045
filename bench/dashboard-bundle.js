#!/usr/bin/env node
'use strict';
/**
 * Initial-bundle size check of the production dashboard build.
 *
 *   node bench/dashboard-bundle.js [--dir dist/frontend/browser] [--budget-kb 350] [--json]
 *
 * Reads <dir>/index.html, takes the files it references (<script src>, <link rel=modulepreload>,
 * <link rel=stylesheet>), follows the *static* imports between those JS files (a static import is
 * loaded before the app starts even if the build forgot to preload it; dynamic `import()` is not
 * followed), and compresses each file with gzip level 9 and Brotli (quality 11). Every other .js
 * file in <dir> is a lazy chunk. It also says which chunk holds each large library that must stay
 * lazy (ECharts, xterm.js, asciinema-player, ansi_up), found by a string only that library's code
 * contains. Exit code 1 when the initial JS gzip total exceeds the budget (KB = 1000 bytes, like the
 * Angular CLI) or one of those libraries is in the initial bundle, 2 when the build is missing.
 */
const { readFileSync, readdirSync, existsSync } = require('node:fs');
const { join, resolve, extname } = require('node:path');
const zlib = require('node:zlib');

function parseArgs(argv) {
  const opts = { dir: resolve(__dirname, '..', 'dist/frontend/browser'), budgetKb: 350, json: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--dir') opts.dir = resolve(argv[++i]);
    else if (a === '--budget-kb') opts.budgetKb = Number(argv[++i]);
    else if (a === '--json') opts.json = true;
    else if (a === '-h' || a === '--help') {
      console.log('usage: node bench/dashboard-bundle.js [--dir dist/frontend/browser] [--budget-kb 350] [--json]');
      process.exit(0);
    } else throw new Error(`unknown argument ${a}`);
  }
  return opts;
}

/** Libraries that must only be in lazy chunks, each with a string found in its code and nowhere else. */
const LAZY_ONLY = [
  { name: 'ECharts', marker: 'registerPreprocessor' },
  { name: 'xterm.js', marker: 'xterm-helper-textarea' },
  { name: 'asciinema-player', marker: 'ap-player' },
  { name: 'ansi_up', marker: 'ansi_to_html' },
];

const gzip = (buf) => zlib.gzipSync(buf, { level: 9 }).length;
const brotli = (buf) =>
  zlib.brotliCompressSync(buf, {
    params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: buf.length },
  }).length;

/** Local file names referenced by index.html, by kind. */
function referencedByIndex(html) {
  const attr = (tag, name) => new RegExp(`\\b${name}\\s*=\\s*("([^"]*)"|'([^']*)'|([^\\s>]+))`, 'i').exec(tag)?.slice(2).find((v) => v !== undefined);
  const local = (u) => u && !/^([a-z]+:)?\/\//i.test(u) && !u.startsWith('data:');
  const clean = (u) => u.replace(/^\.?\//, '').split(/[?#]/)[0];
  const out = { scripts: [], preloads: [], styles: [] };
  for (const [tag] of html.matchAll(/<script\b[^>]*>/gi)) {
    const src = attr(tag, 'src');
    if (local(src)) out.scripts.push(clean(src));
  }
  for (const [tag] of html.matchAll(/<link\b[^>]*>/gi)) {
    const rel = (attr(tag, 'rel') || '').toLowerCase();
    const href = attr(tag, 'href');
    if (!local(href)) continue;
    if (rel === 'modulepreload') out.preloads.push(clean(href));
    else if (rel === 'stylesheet') out.styles.push(clean(href));
    // rel=preload as=style|script would be initial too; Angular does not emit it today
    else if (rel === 'preload' && /\.(m?js|css)$/.test(clean(href))) (href.endsWith('.css') ? out.styles : out.preloads).push(clean(href));
  }
  return out;
}

/** Static imports of an ES module bundle (import x from "./a.js", import "./a.js", export * from "./a.js"). */
function staticImports(code) {
  const found = new Set();
  // minified esbuild output: `import{a as b}from"./chunk-X.js";` and `import"./chunk-X.js";`
  const re = /(?:^|[;\s}])(?:import|export)\s*(?:[\w*${}\s,]+?\s*from\s*)?["'](\.{1,2}\/[^"']+)["']/g;
  for (const m of code.matchAll(re)) found.add(m[1].replace(/^\.\//, ''));
  return [...found];
}

function main() {
  const opts = parseArgs(process.argv.slice(2));
  const indexPath = join(opts.dir, 'index.html');
  if (!existsSync(indexPath)) {
    console.error(`${indexPath} is missing: build first (node scripts/build.js protocol frontend, or npx ng build frontend)`);
    process.exit(2);
  }
  const refs = referencedByIndex(readFileSync(indexPath, 'utf8'));

  // initial JS = entry scripts + modulepreloads + the closure of their static imports
  const initialJs = new Map(); // name -> how it was found
  const queue = [];
  for (const f of refs.scripts) { initialJs.set(f, 'script'); queue.push(f); }
  for (const f of refs.preloads) if (!initialJs.has(f)) { initialJs.set(f, 'modulepreload'); queue.push(f); }
  while (queue.length) {
    const f = queue.shift();
    const p = join(opts.dir, f);
    if (!existsSync(p)) throw new Error(`index.html references ${f}, which is not in ${opts.dir}`);
    for (const dep of staticImports(readFileSync(p, 'utf8'))) {
      if (!initialJs.has(dep) && existsSync(join(opts.dir, dep))) { initialJs.set(dep, 'static import (not preloaded)'); queue.push(dep); }
    }
  }

  const measure = (name, kind, how) => {
    const buf = readFileSync(join(opts.dir, name));
    return { name, kind, how, raw: buf.length, gzip: gzip(buf), brotli: brotli(buf) };
  };
  const initial = [
    ...[...initialJs].map(([f, how]) => measure(f, 'js', how)),
    ...refs.styles.map((f) => measure(f, 'css', 'stylesheet')),
  ];
  const lazy = readdirSync(opts.dir)
    .filter((f) => ['.js', '.mjs'].includes(extname(f)) && !initialJs.has(f))
    .map((f) => measure(f, 'js', 'lazy'))
    .sort((a, b) => b.gzip - a.gzip);

  const sum = (rows, k) => rows.reduce((s, r) => s + r[k], 0);
  const js = initial.filter((r) => r.kind === 'js');
  const css = initial.filter((r) => r.kind === 'css');
  const totals = {
    initialJs: { files: js.length, raw: sum(js, 'raw'), gzip: sum(js, 'gzip'), brotli: sum(js, 'brotli') },
    initialCss: { files: css.length, raw: sum(css, 'raw'), gzip: sum(css, 'gzip'), brotli: sum(css, 'brotli') },
    initialAll: { files: initial.length, raw: sum(initial, 'raw'), gzip: sum(initial, 'gzip'), brotli: sum(initial, 'brotli') },
    lazyJs: { files: lazy.length, raw: sum(lazy, 'raw'), gzip: sum(lazy, 'gzip'), brotli: sum(lazy, 'brotli') },
  };
  const budgetBytes = opts.budgetKb * 1000;
  const code = (name) => readFileSync(join(opts.dir, name), 'utf8');
  const libraries = LAZY_ONLY.map(({ name, marker }) => {
    const inInitial = initial.filter((r) => r.kind === 'js' && code(r.name).includes(marker)).map((r) => r.name);
    const inLazy = lazy.filter((r) => code(r.name).includes(marker)).map((r) => ({ name: r.name, gzip: r.gzip }));
    return { name, initial: inInitial, lazy: inLazy };
  });
  const lazyOnly = libraries.every((l) => l.initial.length === 0);
  const pass = totals.initialJs.gzip <= budgetBytes && lazyOnly;

  if (opts.json) {
    console.log(JSON.stringify({ dir: opts.dir, budgetKb: opts.budgetKb, pass, totals, libraries, initial, lazy }, null, 2));
  } else {
    const kb = (n) => `${(n / 1000).toFixed(1)} kB`;
    const pad = (s, n, right) => (right ? String(s).padStart(n) : String(s).padEnd(n));
    const line = (name, how, r) => `${pad(name, 26)} ${pad(how, 30)} ${pad(kb(r.raw), 10, true)} ${pad(kb(r.gzip), 10, true)} ${pad(kb(r.brotli), 10, true)}`;
    console.log(`Dashboard bundle: ${opts.dir}`);
    console.log(`${pad('file', 26)} ${pad('loaded as', 30)} ${pad('raw', 10, true)} ${pad('gzip -9', 10, true)} ${pad('brotli 11', 10, true)}`);
    console.log('-'.repeat(90));
    for (const r of initial) console.log(line(r.name, r.how, r));
    console.log('-'.repeat(90));
    console.log(line(`initial JS (${js.length})`, '', totals.initialJs));
    console.log(line(`initial CSS (${css.length})`, '', totals.initialCss));
    console.log(line(`initial total (${initial.length})`, '', totals.initialAll));
    console.log(line(`lazy JS chunks (${lazy.length})`, '', totals.lazyJs));
    const top = lazy.slice(0, 5).map((r) => `${r.name} ${kb(r.gzip)}`).join(', ');
    if (top) console.log(`largest lazy chunks (gzip): ${top}`);
    for (const l of libraries) {
      const where = l.initial.length ? `INITIAL (${l.initial.join(', ')})` : l.lazy.length ? `lazy: ${l.lazy.map((c) => `${c.name} ${kb(c.gzip)} gzip`).join(', ')}` : 'not in the build';
      console.log(`${pad(l.name, 18)} ${where}`);
    }
    console.log(`\nInitial JS gzip ${kb(totals.initialJs.gzip)} vs budget ${opts.budgetKb} kB: ${totals.initialJs.gzip <= budgetBytes ? 'PASS' : 'FAIL'} ` +
      `(${((totals.initialJs.gzip / budgetBytes) * 100).toFixed(0)} % of the budget)`);
    const unpreloaded = js.filter((r) => r.how.startsWith('static import'));
    if (unpreloaded.length) console.log(`note: ${unpreloaded.length} statically imported chunk(s) are not modulepreloaded: ${unpreloaded.map((r) => r.name).join(', ')}`);
    console.log(`Large libraries only in lazy chunks: ${lazyOnly ? 'PASS' : 'FAIL'}`);
  }
  process.exit(pass ? 0 : 1);
}

try {
  main();
} catch (e) {
  console.error(e instanceof Error ? e.message : e);
  process.exit(2);
}
