import { Directive, ElementRef, effect, inject, input } from '@angular/core';
import type { AnsiHtml } from '../server-commands/ansi-output';

/**
 * Writes a log line's escaped ANSI HTML (AnsiHtml: only ansi-output.ts makes one) into its element,
 * then wraps each case-insensitive match of `query` in `<mark>`, text node by text node, with DOM
 * calls: no markup is ever built from the log's text.
 */
@Directive({ selector: '[appLogLine]' })
export class LogLineDirective {
  readonly content = input.required<AnsiHtml>({ alias: 'appLogLine' });
  readonly query = input('');

  constructor() {
    const el = inject<ElementRef<HTMLElement>>(ElementRef).nativeElement;
    effect(() => {
      el.innerHTML = this.content().html;
      const q = this.query().trim().toLowerCase();
      if (q) highlight(el, q);
    });
  }
}

function highlight(root: HTMLElement, q: string): void {
  const doc = root.ownerDocument;
  const walker = doc.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const nodes: Text[] = [];
  for (let n = walker.nextNode(); n; n = walker.nextNode()) nodes.push(n as Text);
  for (const node of nodes) {
    const text = node.data;
    const lower = text.toLowerCase();
    let i = lower.indexOf(q);
    if (i < 0) continue;
    const frag = doc.createDocumentFragment();
    let at = 0;
    for (; i >= 0; i = lower.indexOf(q, at)) {
      if (i > at) frag.appendChild(doc.createTextNode(text.slice(at, i)));
      const mark = doc.createElement('mark');
      mark.textContent = text.slice(i, i + q.length);
      frag.appendChild(mark);
      at = i + q.length;
    }
    if (at < text.length) frag.appendChild(doc.createTextNode(text.slice(at)));
    node.replaceWith(frag);
  }
}
