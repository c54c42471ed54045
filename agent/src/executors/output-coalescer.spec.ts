import { OutputCoalescer, splitFrames } from './output-coalescer';

describe('OutputCoalescer', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('sends the first write at once, gathers the following ones until the interval is over', () => {
    const frames: string[] = [];
    const c = new OutputCoalescer({ intervalMs: 50, maxChars: 1000, emit: (t) => frames.push(t) });
    c.push('a');
    expect(frames).toEqual(['a']); // leading edge: an echo is not delayed
    for (const ch of 'bcdef') c.push(ch);
    expect(frames).toEqual(['a']);
    jest.advanceTimersByTime(49);
    expect(frames).toEqual(['a']);
    jest.advanceTimersByTime(1);
    expect(frames).toEqual(['a', 'bcdef']);
    jest.advanceTimersByTime(100); // quiet again: the next write goes out at once
    c.push('g');
    expect(frames).toEqual(['a', 'bcdef', 'g']);
  });

  it('flushes at maxChars without waiting, in frames of at most maxChars', () => {
    const frames: string[] = [];
    const c = new OutputCoalescer({ intervalMs: 50, maxChars: 4, emit: (t) => frames.push(t) });
    c.push('x');
    c.push('0123456789');
    expect(frames).toEqual(['x', '0123', '4567', '89']);
    c.push('y');
    c.flush();
    expect(frames.at(-1)).toBe('y');
    c.push('z');
    c.dispose();
    jest.advanceTimersByTime(100);
    expect(frames.at(-1)).toBe('y');
  });

  it('a thousand one-byte writes become a handful of frames', () => {
    const frames: string[] = [];
    const c = new OutputCoalescer({ intervalMs: 5, maxChars: 16 * 1024, emit: (t) => frames.push(t) });
    for (let i = 0; i < 1000; i++) {
      c.push('.');
      if (i % 100 === 99) jest.advanceTimersByTime(1);
    }
    c.flush();
    expect(frames.join('')).toBe('.'.repeat(1000));
    expect(frames.length).toBeLessThanOrEqual(4);
  });

  it('splitFrames never cuts a surrogate pair', () => {
    const text = 'ab😀cd';
    const frames = splitFrames(text, 3);
    expect(frames.join('')).toBe(text);
    expect(frames).toEqual(['ab', '😀c', 'd']);
  });
});
