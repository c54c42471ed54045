import { Directive, ElementRef, effect, inject, input } from '@angular/core';
import type { AnsiHtml } from './ansi-output';

/**
 * Writes ansi_up's escaped HTML into its element. It takes an AnsiHtml, which only AnsiOutput
 * makes, so raw command output cannot be bound here by mistake. (Angular's [innerHTML] would
 * strip ansi_up's colour styles, or need bypassSecurityTrustHtml.)
 */
@Directive({ selector: '[appAnsiHtml]' })
export class AnsiHtmlDirective {
  readonly content = input.required<AnsiHtml>({ alias: 'appAnsiHtml' });

  constructor() {
    const el = inject<ElementRef<HTMLElement>>(ElementRef).nativeElement;
    effect(() => {
      el.innerHTML = this.content().html;
    });
  }
}
