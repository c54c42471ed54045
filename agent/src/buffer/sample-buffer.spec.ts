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
});
