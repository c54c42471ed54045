import { appendToStreamView, emptyStreamView } from './chat-stream-buffer';

describe('the streamed output buffer', () => {
  it('merges chunks of one stream and keeps the order of streams', () => {
    let v = emptyStreamView();
    v = appendToStreamView(v, 'stdout', 'a\n');
    v = appendToStreamView(v, 'stdout', 'b\n');
    v = appendToStreamView(v, 'stderr', 'e\n');
    v = appendToStreamView(v, 'stdout', 'c\n');
    expect(v).toEqual({ pieces: [{ stream: 'stdout', text: 'a\nb\n' }, { stream: 'stderr', text: 'e\n' }, { stream: 'stdout', text: 'c\n' }], chars: 8, dropped: false });
  });

  it('keeps at most the bound, dropping the oldest output (at a line start when close by), and says so', () => {
    let v = emptyStreamView();
    for (let i = 0; i < 100; i++) v = appendToStreamView(v, i % 10 === 0 ? 'stderr' : 'stdout', `line ${String(i).padStart(3, '0')}\n`, 100);
    expect(v.chars).toBeLessThanOrEqual(100);
    expect(v.chars).toBe(v.pieces.reduce((n, p) => n + p.text.length, 0));
    expect(v.dropped).toBe(true);
    const all = v.pieces.map((p) => p.text).join('');
    expect(all.endsWith('line 099\n')).toBe(true);
    expect(all.startsWith('line ')).toBe(true);
  });

  it('does not change the view it was given', () => {
    const v = appendToStreamView(emptyStreamView(), 'stdout', 'a');
    const w = appendToStreamView(v, 'stdout', 'b');
    expect(v.pieces).toEqual([{ stream: 'stdout', text: 'a' }]);
    expect(w.pieces).toEqual([{ stream: 'stdout', text: 'ab' }]);
  });
});
