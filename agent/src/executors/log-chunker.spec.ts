import type { LogLine } from '@chatops/protocol';
import { LogChunker } from './log-chunker';

const line = (i: number): LogLine => ({ stream: 'stdout', text: `line ${i}` });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const notices = (chunks: LogLine[][]) => chunks.flat().filter((l) => l.text.startsWith('[chatops:'));
const droppedIn = (chunks: LogLine[][]) => notices(chunks).reduce((n, l) => n + Number(/(\d+) lines dropped/.exec(l.text)![1]), 0);

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

  it('full chunks go out one per gap, never over the limits (lines or bytes); a burst is absorbed whole', async () => {
    const chunks: LogLine[][] = [];
    const c = new LogChunker({ send: (l) => (chunks.push(l), true), flushMs: 1000, minGapMs: 5, maxLines: 5, maxChunks: 8 });
    for (let i = 0; i < 30; i++) c.push(line(i)); // 8 chunks of 4: 32 lines held at most
    await sleep(100);
    // The seven full chunks went out; the partial one waits for its flush interval.
    expect(chunks.map((ch) => ch.length)).toEqual([4, 4, 4, 4, 4, 4, 4]);
    expect(c.held).toBe(2);
    c.flush();
    expect(chunks.flat()).toEqual(Array.from({ length: 30 }, (_, i) => line(i)));
    const big = new LogChunker({ send: (l) => (chunks.push(l), true), flushMs: 1000, minGapMs: 0, maxLines: 500, maxBytes: 1000 });
    chunks.length = 0;
    for (let i = 0; i < 20; i++) big.push({ stream: 'stdout', text: 'x'.repeat(100) });
    big.flush();
    expect(chunks.length).toBeGreaterThan(1);
    for (const ch of chunks) expect(Buffer.byteLength(JSON.stringify(ch))).toBeLessThanOrEqual(1000);
    c.close();
    big.close();
  });

  it('a flood beyond what the gap lets through: held lines stay bounded, the drop is counted and reported in the stream', async () => {
    const chunks: LogLine[][] = [];
    const c = new LogChunker({ send: (l) => (chunks.push(l), true), flushMs: 30, minGapMs: () => 20, maxLines: 10, maxChunks: 3 });
    for (let i = 0; i < 1000; i++) {
      c.push(line(i));
      expect(c.held).toBeLessThanOrEqual(27);
    }
    await sleep(150);
    const all = chunks.flat();
    expect(all.length - notices(chunks).length + droppedIn(chunks)).toBe(1000);
    expect(notices(chunks)[0]).toEqual({ stream: 'stderr', text: expect.stringMatching(/^\[chatops: \d+ lines dropped\]$/) });
    for (const ch of chunks) expect(ch.length).toBeLessThanOrEqual(10);
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
    ok = false;
    c.push(line(4));
    c.flush(); // fails: no endless retry inside flush
    c.close();
    c.push(line(5));
    c.flush();
    await sleep(40);
    expect(chunks).toHaveLength(1);
  });
});
