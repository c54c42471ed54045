import { CappedOutput } from './capped-output';

describe('CappedOutput', () => {
  it('decodes a multi-byte character split across two chunks', () => {
    const out = new CappedOutput(1024);
    const bytes = Buffer.from('é€😀', 'utf8'); // 2 + 3 + 4 bytes
    const pieces = [bytes.subarray(0, 1), bytes.subarray(1, 4), bytes.subarray(4, 7), bytes.subarray(7)];
    const emitted = pieces.map((p) => out.write(p));
    expect(emitted.join('')).toBe('é€😀');
    expect(emitted.every((t) => !t.includes('\ufffd'))).toBe(true);
    expect(out.end()).toBe('');
    expect(out.text).toBe('é€😀');
    expect(out.truncated).toBe(false);
  });

  it('caps by bytes, drops a character cut by the cap, and discards everything after it', () => {
    const out = new CappedOutput(5);
    expect(out.write(Buffer.from('abcd€', 'utf8'))).toBe('abcd'); // € is 3 bytes: only 1 fits
    expect(out.truncated).toBe(true);
    expect(out.write(Buffer.from('more'))).toBe('');
    expect(out.end()).toBe('');
    expect(out.text).toBe('abcd');
  });

  it('exactly at the cap is not truncated; an incomplete character at the end becomes U+FFFD', () => {
    const exact = new CappedOutput(3);
    exact.write(Buffer.from('abc'));
    exact.end();
    expect(exact).toMatchObject({ truncated: false, text: 'abc' });
    const broken = new CappedOutput(10);
    broken.write(Buffer.from([0x61, 0xe2, 0x82]));
    expect(broken.end()).toBe('\ufffd');
    expect(broken.text).toBe('a\ufffd');
  });
});
