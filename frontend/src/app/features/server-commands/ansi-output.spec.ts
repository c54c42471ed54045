import { AnsiOutput } from './ansi-output';

/** Renders chunks as the output panel does (one span per chunk, its HTML inside). */
function render(out: AnsiOutput): HTMLElement {
  const pre = document.createElement('pre');
  for (const c of out.chunks) {
    const span = document.createElement('span');
    span.className = c.stream;
    span.innerHTML = c.html.html;
    pre.appendChild(span);
  }
  return pre;
}

describe('AnsiOutput', () => {
  it('escapes markup in the output: a <script> is text, never an element', () => {
    const out = new AnsiOutput();
    out.append('stdout', '<script>alert(1)</script><img src=x onerror="alert(2)"> & done');
    const pre = render(out);
    expect(pre.querySelector('script, img')).toBeNull();
    expect(pre.textContent).toBe('<script>alert(1)</script><img src=x onerror="alert(2)"> & done');
  });

  it('renders ANSI colours as classes, keeping the colour across chunks and a sequence split between them', () => {
    const out = new AnsiOutput();
    out.append('stdout', 'ok \x1b[31mred ');
    out.append('stdout', 'still red\x1b[');
    out.append('stdout', '0m plain');
    const pre = render(out);
    expect(pre.textContent).toBe('ok red still red plain');
    const red = Array.from(pre.querySelectorAll('.ansi-red-fg')).map((e) => e.textContent).join('');
    expect(red).toBe('red still red');
  });

  it('keeps stdout and stderr apart, in arrival order, merging consecutive data of one stream', () => {
    const out = new AnsiOutput();
    out.append('stdout', 'a');
    out.append('stdout', 'b');
    out.append('stderr', 'E');
    out.append('stdout', 'c');
    expect(out.chunks.map((c) => [c.id, c.stream, c.html.html])).toEqual([[0, 'stdout', 'ab'], [1, 'stderr', 'E'], [2, 'stdout', 'c']]);
  });
});
