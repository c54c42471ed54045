import type { LogLine } from '@chatops/protocol';
import { LogChunker } from './log-chunker';

const line = (i: number): LogLine => ({ stream: 'stdout', text: `line ${i}` });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('LogChunker', () => {
  it('gathers lines into one chunk per flush interval, not one frame per line', async () => {
    const chunks: LogLine[][] = [];
    const c = new LogChunker({ send: (l) => (chunks.push(l), true), flushMs: 40, minGapMs: 5 });
    for (let i = 0; i < 10; i++) c.push(line(i));
    expect(chunks).toHaveLength(0);
    await sleep(80);
    expect(chunks).toEqual([Array.from({ length: 10 }, (_, i) => line(i))]);
    c.close();
  });

  it('sends a full chunk at once (lines or bytes), never over the limits', () => {
    const chunks: LogLine[][] = [];
    const c = new LogChunker({ send: (l) => (chunks.push(l), true), flushMs: 1000, minGapMs: 0, maxLines: 5, maxBytes: 100_000 });
    for (let i = 0; i < 12; i++) c.push(line(i));
    expect(chunks.map((ch) => ch.length)).toEqual([4, 4, 4]);
    const big = new LogChunker({ send: (l) => (chunks.push(l), true), flushMs: 1000, minGapMs: 0, maxLines: 500, maxBytes: 1000 });
    chunks.length = 0;
    for (let i = 0; i < 20; i++) big.push({ stream: 'stdout', text: 'x'.repeat(100) });
    expect(chunks.length).toBeGreaterThan(1);
    for (const ch of chunks) expect(Buffer.byteLength(JSON.stringify(ch))).toBeLessThanOrEqual(1000);
    c.close();
    big.close();
  });

  it('a flood is cut to one chunk per gap: held lines stay bounded, the drop is counted and reported in the stream', async () => {
    const chunks: LogLine[][] = [];
    const c = new LogChunker({ send: (l) => (chunks.push(l), true), flushMs: 30, minGapMs: 20, maxLines: 10 });
    for (let i = 0; i < 1000; i++) {
      c.push(line(i));
      expect(c.held).toBeLessThan(10);
    }
    await sleep(100);
    const all = chunks.flat();
    const notices = all.filter((l) => l.text.startsWith('[chatops:'));
    const dropped = notices.reduce((n, l) => n + Number(/(\d+) lines dropped/.exec(l.text)![1]), 0);
    expect(all.length - notices.length + dropped).toBe(1000);
    expect(notices[0]).toEqual({ stream: 'stderr', text: expect.stringMatching(/^\[chatops: \d+ lines dropped\]$/) });
    c.close();
  });

  it('a backed-up connection (send answers false) counts the chunk as dropped; close stops everything', async () => {
    const chunks: LogLine[][] = [];
    let ok = false;
    const c = new LogChunker({ send: (l) => (ok ? (chunks.push(l), true) : false), flushMs: 20, minGapMs: 0 });
    c.push(line(1));
    c.push(line(2));
    await sleep(50);
    ok = true;
    c.push(line(3));
    await sleep(50);
    expect(chunks).toEqual([[line(3), { stream: 'stderr', text: '[chatops: 2 lines dropped]' }]]);
    c.close();
    c.push(line(4));
    c.flush();
    await sleep(40);
    expect(chunks).toHaveLength(1);
  });
});
