import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fakeSample } from '../../test/sample-factory';
import { createLogger } from '../log';
import { SampleBuffer } from './sample-buffer';

describe('SampleBuffer', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'agent-buf-'));
    file = join(dir, 'state', 'unacked.jsonl');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('is bounded: overflow drops the oldest and logs how many', () => {
    const lines: string[] = [];
    const buf = new SampleBuffer({ file, maxSamples: 10, logger: createLogger({ json: true, write: (l) => lines.push(l) }) });
    for (let i = 0; i < 13; i++) buf.push(fakeSample(i));
    expect(buf.size).toBe(10);
    expect(buf.peek(100).map((s) => s.seq)).toEqual([3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(buf.droppedTotal).toBe(3);
    const logged = lines.map((l) => JSON.parse(l));
    expect(logged[0]).toMatchObject({ level: 'warn', msg: 'sample buffer full: dropped the oldest samples', dropped: 1, max: 10 });
    buf.close();
  });

  it('persists to a file and a new instance reloads it, keeping bootId and seq, oldest first', () => {
    const a = new SampleBuffer({ file, maxSamples: 100, flushDelayMs: 10_000 });
    a.push(fakeSample(0, 'boot-a'));
    a.push(fakeSample(1, 'boot-a'));
    a.push(fakeSample(2, 'boot-a'));
    a.remove([{ bootId: 'boot-a', seq: 1 }]);
    expect(existsSync(file)).toBe(false); // debounced: nothing written yet
    a.flush();
    const b = new SampleBuffer({ file, maxSamples: 100 });
    expect(b.load()).toBe(2);
    b.push(fakeSample(0, 'boot-b'));
    expect(b.peek(10).map((s) => `${s.bootId}/${s.seq}`)).toEqual(['boot-a/0', 'boot-a/2', 'boot-b/0']);
    expect(b.peek(10)[0]).toEqual(fakeSample(0, 'boot-a'));
    b.close();
  });

  it('reload respects the bound and skips corrupt lines (a torn or edited file never stops the agent)', () => {
    const lines = [JSON.stringify(fakeSample(0)), '{not json', JSON.stringify({ seq: -1 }), ...[1, 2, 3].map((i) => JSON.stringify(fakeSample(i)))];
    require('node:fs').mkdirSync(join(dir, 'state'));
    writeFileSync(file, lines.join('\n'));
    const b = new SampleBuffer({ file, maxSamples: 3 });
    expect(b.load()).toBe(4);
    expect(b.peek(10).map((s) => s.seq)).toEqual([1, 2, 3]);
    b.close();
  });

  /** Drives the buffer's clock: performance.now() as the agent's ticks would see it. */
  let now = 0;
  beforeEach(() => {
    now = 1_000_000;
    jest.spyOn(performance, 'now').mockImplementation(() => now);
  });
  afterEach(() => jest.restoreAllMocks());
  const seqsOnDisk = () => readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l).seq);

  it('writes atomically (tmp + rename, no tmp left behind) on a tick after the delay, and removes the file when empty', () => {
    const buf = new SampleBuffer({ file, maxSamples: 100, flushDelayMs: 2000 });
    buf.load(); // no file yet
    buf.push(fakeSample(0));
    buf.push(fakeSample(1));
    now += 1000;
    buf.tick();
    expect(existsSync(file)).toBe(false); // in flight for 1 s only
    now += 1000;
    buf.tick();
    expect(seqsOnDisk()).toEqual([0, 1]);
    expect(readdirSync(join(dir, 'state'))).toEqual(['unacked.jsonl']);
    buf.remove([fakeSample(0), fakeSample(1)]);
    expect(existsSync(file)).toBe(true); // written on ticks only
    now += 1000;
    buf.tick();
    expect(existsSync(file)).toBe(false);
    buf.close();
  });

  it('never touches the file while every sample is acknowledged before the next tick (the live path)', () => {
    const buf = new SampleBuffer({ file, maxSamples: 100, flushDelayMs: 2000 });
    buf.load(); // no file yet
    const writes = jest.spyOn(require('node:fs'), 'writeFileSync');
    const timers = jest.spyOn(globalThis, 'setTimeout');
    for (let i = 0; i < 50; i++) {
      buf.tick();
      buf.push(fakeSample(i));
      now += 20; // the ack
      buf.remove([fakeSample(i)]);
      now += 4980; // 5 s interval
    }
    buf.tick();
    expect(writes).not.toHaveBeenCalled();
    expect(timers).not.toHaveBeenCalled(); // nothing that could wake the process up
    expect(readdirSync(dir)).toEqual([]); // not even the state dir was created
    buf.close();
  });

  it('a sample left unacknowledged is on disk at the first tick after the delay and survives a restart', () => {
    const a = new SampleBuffer({ file, maxSamples: 100, flushDelayMs: 2000 });
    a.load();
    a.push(fakeSample(0)); // never acknowledged
    for (let i = 1; i <= 3; i++) {
      now += 1000; // 1 s interval
      a.tick();
      expect(existsSync(file)).toBe(i >= 2); // 2 s after the push
      a.push(fakeSample(i));
      a.remove([fakeSample(i)]); // acknowledged at once
    }
    expect(seqsOnDisk()).toEqual([0]);
    // "Restart" without flush(): a crash after that tick still keeps the sample.
    const b = new SampleBuffer({ file, maxSamples: 100 });
    expect(b.load()).toBe(1);
    expect(b.peek(10)).toEqual([fakeSample(0)]);
    b.close();
  });

  it('at a 5 s interval an unacknowledged sample is written by the next tick (a crash loses at most the last sample)', () => {
    const buf = new SampleBuffer({ file, maxSamples: 100, flushDelayMs: 2000 });
    buf.load();
    buf.push(fakeSample(0));
    now += 5000;
    buf.tick();
    buf.push(fakeSample(1));
    expect(seqsOnDisk()).toEqual([0]);
    now += 5000;
    buf.tick();
    buf.push(fakeSample(2));
    expect(seqsOnDisk()).toEqual([0, 1]);
    buf.flush(); // shutdown: everything
    expect(seqsOnDisk()).toEqual([0, 1, 2]);
  });

  it('a tick a little early against the delay still writes (timer jitter)', () => {
    const buf = new SampleBuffer({ file, maxSamples: 100, flushDelayMs: 2000 });
    buf.load();
    buf.push(fakeSample(0));
    now += 1999; // the tick two 1 s intervals later, read a millisecond early
    buf.tick();
    expect(seqsOnDisk()).toEqual([0]);
  });

  it('once a file exists it follows the buffer on every tick: rewritten after changes, deleted when everything is acknowledged', () => {
    const buf = new SampleBuffer({ file, maxSamples: 100, flushDelayMs: 2000 });
    buf.load();
    buf.push(fakeSample(0));
    now += 2000;
    buf.tick();
    expect(seqsOnDisk()).toEqual([0]);
    buf.push(fakeSample(1)); // young, but the file exists, so the next tick writes it
    buf.remove([fakeSample(0)]);
    now += 10;
    buf.tick();
    expect(seqsOnDisk()).toEqual([1]);
    const writes = jest.spyOn(require('node:fs'), 'writeFileSync');
    now += 10;
    buf.tick();
    expect(writes).not.toHaveBeenCalled(); // unchanged: not rewritten
    buf.remove([fakeSample(1)]);
    buf.tick();
    expect(existsSync(file)).toBe(false);
    buf.push(fakeSample(2));
    buf.remove([fakeSample(2)]);
    buf.tick();
    expect(existsSync(file)).toBe(false);
    expect(writes).not.toHaveBeenCalled();
  });

  it('overflow while the file exists marks it for rewriting (the dropped samples leave the file too)', () => {
    const buf = new SampleBuffer({ file, maxSamples: 3, flushDelayMs: 2000 });
    for (let i = 0; i < 3; i++) buf.push(fakeSample(i));
    buf.flush();
    expect(seqsOnDisk()).toEqual([0, 1, 2]);
    buf.push(fakeSample(3));
    buf.tick();
    expect(seqsOnDisk()).toEqual([1, 2, 3]);
    const b = new SampleBuffer({ file, maxSamples: 2 });
    expect(b.load()).toBe(3);
    expect(b.peek(10).map((s) => s.seq)).toEqual([2, 3]);
  });
});
