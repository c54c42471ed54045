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

  it('writes atomically (tmp + rename, no tmp left behind) after the debounce, and removes the file when empty', async () => {
    const buf = new SampleBuffer({ file, maxSamples: 100, flushDelayMs: 30 });
    buf.push(fakeSample(0));
    buf.push(fakeSample(1));
    await new Promise((r) => setTimeout(r, 100));
    expect(readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l).seq)).toEqual([0, 1]);
    expect(readdirSync(join(dir, 'state'))).toEqual(['unacked.jsonl']);
    buf.remove([fakeSample(0), fakeSample(1)]);
    await new Promise((r) => setTimeout(r, 100));
    expect(existsSync(file)).toBe(false);
    buf.close();
  });

  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  it('never touches the file while every sample is acknowledged within the debounce delay', async () => {
    // Generous delay: a loaded CI machine may stall a sleep(15) for tens of ms.
    const buf = new SampleBuffer({ file, maxSamples: 100, flushDelayMs: 150 });
    buf.load(); // no file yet
    const writes = jest.spyOn(require('node:fs'), 'writeFileSync');
    try {
      // One sample always in flight (acked 15 ms after the next one is pushed), for many delays:
      // the debounce timer keeps finding a young unacked sample and must not write it.
      for (let i = 0; i < 40; i++) { // ≥ 600 ms: the timer fires (and re-arms) several times
        buf.push(fakeSample(i));
        await sleep(15);
        if (i > 0) buf.remove([fakeSample(i - 1)]);
        expect(existsSync(file)).toBe(false);
      }
      buf.remove([fakeSample(39)]);
      await sleep(200);
      expect(existsSync(file)).toBe(false);
      expect(writes).not.toHaveBeenCalled();
      expect(readdirSync(dir)).toEqual([]); // not even the state dir was created
    } finally {
      writes.mockRestore();
      buf.close();
    }
  });

  it('the live path (push, then its ack empties the buffer, no file) leaves no debounce timer to wake up for', () => {
    jest.useFakeTimers();
    try {
      const buf = new SampleBuffer({ file, maxSamples: 100, flushDelayMs: 2000 });
      buf.load(); // no file yet
      for (let i = 0; i < 3; i++) {
        buf.push(fakeSample(i));
        expect(jest.getTimerCount()).toBe(1); // armed while the sample is in flight
        buf.remove([fakeSample(i)]);
        expect(jest.getTimerCount()).toBe(0); // acked: nothing left that could need writing
      }
      // Two in flight, one acked: the timer stays for the other.
      buf.push(fakeSample(3));
      buf.push(fakeSample(4));
      buf.remove([fakeSample(3)]);
      expect(jest.getTimerCount()).toBe(1);
      jest.advanceTimersByTime(2100);
      expect(existsSync(file)).toBe(true); // sample 4 unacked for the whole delay: written
      buf.remove([fakeSample(4)]);
      jest.advanceTimersByTime(2100);
      expect(existsSync(file)).toBe(false); // the file follows the buffer once it exists
      buf.close();
    } finally {
      jest.useRealTimers();
    }
  });

  it('cancelling the live path timer re-arms the loop for the next tick only when it was due before it', () => {
    jest.useFakeTimers();
    try {
      let nextWake = 0;
      const buf = new SampleBuffer({ file, maxSamples: 100, flushDelayMs: 2000, nextWakeAt: () => nextWake });
      buf.load(); // no file yet
      // 5 s interval: the debounce (now + 2 s) was due before the next tick (now + 5 s). A 0 ms
      // timer makes Node re-arm libuv's timer now instead of waking up, cold, 2 s later.
      nextWake = performance.now() + 5000;
      buf.push(fakeSample(0));
      const clear = jest.spyOn(globalThis, 'clearTimeout');
      buf.remove([fakeSample(0)]);
      expect(clear).toHaveBeenCalledTimes(1);
      clear.mockRestore();
      expect(jest.getTimerCount()).toBe(1);
      jest.advanceTimersByTime(1);
      expect(jest.getTimerCount()).toBe(0);
      // 1 s interval: the tick comes first and re-arms libuv anyway: nothing extra.
      nextWake = performance.now() + 1000;
      buf.push(fakeSample(1));
      buf.remove([fakeSample(1)]);
      expect(jest.getTimerCount()).toBe(0);
      // Not the last ack (another sample in flight): the debounce timer stays, no re-arm.
      nextWake = performance.now() + 5000;
      buf.push(fakeSample(2));
      buf.push(fakeSample(3));
      buf.remove([fakeSample(2)]);
      expect(jest.getTimerCount()).toBe(1);
      jest.advanceTimersByTime(2100);
      expect(existsSync(file)).toBe(true); // sample 3 unacked for the whole delay: written
      buf.close();
    } finally {
      jest.useRealTimers();
    }
  });

  it('a cancelled debounce timer due before the next tick leaves no timer list behind (ref() before clearTimeout)', () => {
    // Node keeps the empty list of a cleared *unref'd* timeout queued until its expiry, which
    // wakes the process up for nothing; a ref'd one is dropped at once. The buffer's timer is
    // unref'd (it must not keep the process alive), so it is ref'd just before being cleared.
    let nextWake = performance.now() + 5000; // a 5 s tick: the debounce (2 s) was due first
    const buf = new SampleBuffer({ file, maxSamples: 100, flushDelayMs: 2000, nextWakeAt: () => nextWake });
    buf.load();
    buf.push(fakeSample(0));
    const timer = (buf as unknown as { timer: NodeJS.Timeout }).timer;
    expect(timer.hasRef()).toBe(false);
    const calls: string[] = [];
    const realRef = timer.ref.bind(timer);
    jest.spyOn(timer, 'ref').mockImplementation(() => {
      calls.push('ref');
      return realRef();
    });
    const clear = jest.spyOn(globalThis, 'clearTimeout').mockImplementation((t) => {
      calls.push(`clear:${(t as NodeJS.Timeout).hasRef()}`);
      clear.mockRestore();
      clearTimeout(t);
    });
    buf.remove([fakeSample(0)]);
    expect(calls).toEqual(['ref', 'clear:true']);
    // 1 s tick: the tick re-arms libuv anyway; the timer is cleared as it is (stays unref'd).
    nextWake = performance.now() + 1000;
    buf.push(fakeSample(1));
    const second = (buf as unknown as { timer: NodeJS.Timeout }).timer;
    const ref2 = jest.spyOn(second, 'ref');
    buf.remove([fakeSample(1)]);
    expect(ref2).not.toHaveBeenCalled();
    expect(second.hasRef()).toBe(false);
    buf.close();
  });

  it('a sample left unacknowledged is on disk within the debounce delay and survives a restart', async () => {
    const delay = 60;
    const a = new SampleBuffer({ file, maxSamples: 100, flushDelayMs: delay });
    a.load();
    a.push(fakeSample(0)); // never acknowledged
    const pushedAt = performance.now();
    for (let i = 1; i <= 3; i++) {
      await sleep(10);
      a.push(fakeSample(i));
      a.remove([fakeSample(i)]); // acknowledged at once
    }
    await waitFor(() => existsSync(file), 1000);
    const writtenAfter = performance.now() - pushedAt;
    expect(writtenAfter).toBeGreaterThanOrEqual(delay - 2);
    expect(writtenAfter).toBeLessThan(delay + 250); // the delay plus a (loaded machine's) timer lateness
    expect(readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l).seq)).toEqual([0]);
    // "Restart" without flush(): a crash after the debounce still keeps the sample.
    const b = new SampleBuffer({ file, maxSamples: 100, flushDelayMs: delay });
    expect(b.load()).toBe(1);
    expect(b.peek(10)).toEqual([fakeSample(0)]);
    b.close();
    a.close();
  });

  it('once a file exists it follows the buffer: rewritten after changes, deleted when everything is acknowledged', async () => {
    const buf = new SampleBuffer({ file, maxSamples: 100, flushDelayMs: 30 });
    buf.load();
    buf.push(fakeSample(0));
    await waitFor(() => existsSync(file), 1000);
    buf.push(fakeSample(1)); // young, but the file exists, so it is written with the next change
    buf.remove([fakeSample(0)]);
    await waitFor(() => readFileSync(file, 'utf8').trim() === JSON.stringify(fakeSample(1)), 1000);
    buf.remove([fakeSample(1)]);
    await waitFor(() => !existsSync(file), 1000);
    buf.close();
  });
});

async function waitFor(cond: () => boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 2));
  }
}
