#!/usr/bin/env node
'use strict';
// Usage: node bench/heap-summary.js <inspect port> [top=40] [--save file.heapsnapshot]
// Start the backend with --inspect=<port> (bench:ingest: --node-args "--inspect=<port>").
// Takes a heap snapshot through the inspector (after a full GC, so only live objects count) and prints
// the live JS heap by constructor: count and self size. The snapshot is parsed as it streams in, so a
// heap of any size fits (a whole snapshot is larger than V8's longest string).
const WebSocket = require('ws');
const { createWriteStream } = require('node:fs');

const args = process.argv.slice(2);
const port = args[0];
const top = Number(args[1]) || 40;
const saveAt = args.indexOf('--save');
const save = saveAt >= 0 ? createWriteStream(args[saveAt + 1]) : null;
if (!port) { console.error('usage: node bench/heap-summary.js <inspect port> [top] [--save file]'); process.exit(2); }

/**
 * Incremental reader of the snapshot's JSON: keeps the `snapshot` meta, folds `nodes` as numbers arrive
 * (type, name and self size per node) and collects `strings`. Edges are skipped.
 */
class SnapshotReader {
  constructor() {
    this.buf = '';
    this.section = 'head';
    this.meta = null;
    this.nodeFields = 0;
    this.field = 0;
    this.cur = [];
    this.nodes = []; // [typeIdx, nameIdx, selfSize] flattened
    this.strings = [];
  }

  push(chunk) {
    this.buf += chunk;
    for (;;) {
      if (this.section === 'head') {
        const at = this.buf.indexOf('"nodes":[');
        if (at < 0) return;
        const head = this.buf.slice(0, at).replace(/,\s*$/, '') + '}';
        this.meta = JSON.parse(head).snapshot.meta;
        this.nodeFields = this.meta.node_fields.length;
        this.buf = this.buf.slice(at + '"nodes":['.length);
        this.section = 'nodes';
      } else if (this.section === 'nodes') {
        const end = this.buf.indexOf(']');
        const upto = end >= 0 ? end : this.buf.lastIndexOf(',');
        if (upto < 0) return;
        for (const tok of this.buf.slice(0, upto).split(',')) {
          const t = tok.trim();
          if (!t) continue;
          this.cur.push(Number(t));
          if (this.cur.length === this.nodeFields) { this.nodes.push(this.cur[0], this.cur[1], this.cur[3]); this.cur = []; }
        }
        this.buf = this.buf.slice(end >= 0 ? end + 1 : upto + 1);
        if (end >= 0) this.section = 'skip';
      } else if (this.section === 'skip') {
        const at = this.buf.indexOf('"strings":[');
        if (at < 0) { this.buf = this.buf.slice(-16); return; }
        this.buf = this.buf.slice(at + '"strings":['.length);
        this.section = 'strings';
      } else if (this.section === 'strings') {
        // One JSON string per element; take every complete one.
        let i = 0;
        for (;;) {
          while (i < this.buf.length && (this.buf[i] === ',' || this.buf[i] === '\n' || this.buf[i] === ' ')) i++;
          if (this.buf[i] === ']') { this.section = 'done'; break; }
          if (this.buf[i] !== '"') break;
          let j = i + 1;
          while (j < this.buf.length && this.buf[j] !== '"') j += this.buf[j] === '\\' ? 2 : 1;
          if (j >= this.buf.length) break;
          this.strings.push(JSON.parse(this.buf.slice(i, j + 1)));
          i = j + 1;
        }
        this.buf = this.buf.slice(i);
        return;
      } else return;
    }
  }

  summary() {
    const types = this.meta.node_types[0];
    const by = new Map();
    let total = 0;
    for (let i = 0; i < this.nodes.length; i += 3) {
      const type = types[this.nodes[i]];
      const size = this.nodes[i + 2];
      total += size;
      const name = type === 'object' || type === 'closure' || type === 'native' ? `${type} ${this.strings[this.nodes[i + 1]]}` : `(${type})`;
      const e = by.get(name) || { count: 0, size: 0 };
      e.count++; e.size += size;
      by.set(name, e);
    }
    return { total, count: this.nodes.length / 3, rows: [...by].sort((a, b) => b[1].size - a[1].size) };
  }
}

(async () => {
  const list = await (await fetch(`http://127.0.0.1:${port}/json/list`)).json();
  const ws = new WebSocket(list[0].webSocketDebuggerUrl, { maxPayload: 1 << 30 });
  await new Promise((r) => ws.once('open', r));
  const reader = new SnapshotReader();
  let id = 0; const pending = new Map(); let chunks = 0;
  ws.on('message', (m) => {
    const msg = JSON.parse(m);
    if (msg.method === 'HeapProfiler.addHeapSnapshotChunk') {
      reader.push(msg.params.chunk);
      if (save) save.write(msg.params.chunk);
      if (++chunks % 500 === 0) process.stderr.write(`\r[heap] ${chunks} chunks, ${(reader.nodes.length / 3 / 1e6).toFixed(1)} M nodes`);
    } else if (msg.id && pending.has(msg.id)) { pending.get(msg.id)(msg); pending.delete(msg.id); }
  });
  const send = (method, params = {}) => new Promise((r) => { const i = ++id; pending.set(i, r); ws.send(JSON.stringify({ id: i, method, params })); });
  await send('HeapProfiler.enable');
  const started = Date.now();
  process.stderr.write('[heap] taking a snapshot (the process pauses meanwhile)…\n');
  await send('HeapProfiler.takeHeapSnapshot', { reportProgress: false, captureNumericValue: false });
  process.stderr.write(`\n[heap] snapshot taken in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  if (save) await new Promise((r) => save.end(r));
  const { total, count, rows } = reader.summary();
  console.log(`live heap ${(total / 1048576).toFixed(1)} MB in ${count} objects`);
  console.log('    count       MB  constructor');
  for (const [name, e] of rows.slice(0, top)) console.log(`${String(e.count).padStart(9)} ${(e.size / 1048576).toFixed(2).padStart(8)}  ${name}`);
  process.exit(0);
})().catch((e) => { console.error(e); process.exit(1); });
