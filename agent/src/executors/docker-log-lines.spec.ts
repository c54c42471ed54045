import { PassThrough } from 'node:stream';
import type { LogLine } from '@chatops/protocol';
import { fitItems, LineSplitter, LogWindow, jsonBytes, pipeLogLines } from './docker-log-lines';

const frame = (stream: 1 | 2, text: string): Buffer => {
  const body = Buffer.from(text);
  const head = Buffer.alloc(8);
  head.writeUInt8(stream, 0);
  head.writeUInt32BE(body.length, 4);
  return Buffer.concat([head, body]);
};
// docker-modem's demuxStream, as the executor passes it
const Modem = require('docker-modem');
const demux = (src: NodeJS.ReadableStream, out: NodeJS.WritableStream, err: NodeJS.WritableStream) => new Modem({ socketPath: '/nonexistent' }).demuxStream(src, out, err);

describe('container log lines', () => {
  it('splits lines across chunks, keeps UTF-8 characters whole, drops CR of TTY lines, flushes the last partial line', () => {
    const lines: LogLine[] = [];
    const s = new LineSplitter('stdout', false, (l) => lines.push(l));
    const euro = Buffer.from('€'); // 3 bytes, split across chunks
    s.write(Buffer.concat([Buffer.from('a'), euro.subarray(0, 1)]));
    s.write(Buffer.concat([euro.subarray(1), Buffer.from('\nb\r\n\nc')]));
    s.end();
    expect(lines).toEqual([{ stream: 'stdout', text: 'a€' }, { stream: 'stdout', text: 'b' }, { stream: 'stdout', text: '' }, { stream: 'stdout', text: 'c' }]);
  });

  it('moves the engine timestamp into `timestamp`', () => {
    const lines: LogLine[] = [];
    const s = new LineSplitter('stderr', true, (l) => lines.push(l));
    s.write(Buffer.from('2026-05-01T10:00:00.123456789Z hello world\n2026-05-01T10:00:01Z \nno stamp here\n'));
    expect(lines).toEqual([
      { stream: 'stderr', text: 'hello world', timestamp: '2026-05-01T10:00:00.123456789Z' },
      { stream: 'stderr', text: '', timestamp: '2026-05-01T10:00:01Z' },
      { stream: 'stderr', text: 'no stamp here' },
    ]);
  });

  it('an endless line keeps its first characters and skips the rest up to its newline (bounded memory)', () => {
    const lines: LogLine[] = [];
    const s = new LineSplitter('stdout', false, (l) => lines.push(l), 10);
    for (let i = 0; i < 1000; i++) s.write(Buffer.from('x'.repeat(100)));
    s.write(Buffer.from('y\nnext\n'));
    expect(lines).toEqual([{ stream: 'stdout', text: 'x'.repeat(10) }, { stream: 'stdout', text: 'next' }]);
  });

  it('demultiplexes stdout and stderr in order; a TTY log (no headers) is all stdout', async () => {
    const lines: LogLine[] = [];
    const src = new PassThrough();
    const finish = pipeLogLines(src, demux, false, (l) => lines.push(l));
    const all = Buffer.concat([frame(1, 'out 1\nout'), frame(2, 'err 1\n'), frame(1, ' 2\n')]);
    src.write(all.subarray(0, 5)); // a header cut in two
    src.end(all.subarray(5));
    await new Promise((r) => src.on('end', r));
    finish();
    expect(lines).toEqual([{ stream: 'stdout', text: 'out 1' }, { stream: 'stderr', text: 'err 1' }, { stream: 'stdout', text: 'out 2' }]);

    const tty: LogLine[] = [];
    const raw = new PassThrough();
    const done = pipeLogLines(raw, null, false, (l) => tty.push(l));
    raw.end('hello tty\r\n');
    await new Promise((r) => raw.on('end', r));
    done();
    expect(tty).toEqual([{ stream: 'stdout', text: 'hello tty' }]);
  });

  it('LogWindow keeps the newest lines within the answer size, and says when it left some out', () => {
    const w = new LogWindow(2000);
    for (let i = 0; i < 500; i++) w.push({ stream: 'stdout', text: `line ${i}` });
    const r = w.result();
    expect(r.truncated).toBe(true);
    expect(jsonBytes(r)).toBeLessThanOrEqual(2000);
    expect(r.lines.at(-1)!.text).toBe('line 499');
    expect(r.lines.length).toBeGreaterThan(50);
    const small = new LogWindow(10_000, 3);
    for (let i = 0; i < 5; i++) small.push({ stream: 'stdout', text: String(i) });
    expect(small.result()).toEqual({ lines: [{ stream: 'stdout', text: '2' }, { stream: 'stdout', text: '3' }, { stream: 'stdout', text: '4' }] });
  });

  it('fitItems keeps the first items whose JSON fits the answer', () => {
    const items = Array.from({ length: 100 }, (_, i) => ({ id: `container-${i}` }));
    const kept = fitItems(items, 500);
    expect(jsonBytes(kept)).toBeLessThanOrEqual(500);
    expect(kept.length).toBeGreaterThan(10);
    expect(kept).toEqual(items.slice(0, kept.length));
    expect(fitItems(items)).toBe(items);
  });
});
