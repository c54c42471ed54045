import { Clipboard } from '@angular/cdk/clipboard';
import { ChangeDetectionStrategy, Component, inject, input, signal } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { IconComponent } from './icon.component';

/** A titled code block with a copy button (cdk Clipboard) and an announced "Copied". */
@Component({
  selector: 'app-copy-block',
  imports: [MatButtonModule, IconComponent],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <div class="head">
      @switch (headingLevel()) {
        @case (2) { <h2>{{ title() }}</h2> }
        @case (4) { <h4>{{ title() }}</h4> }
        @default { <h3>{{ title() }}</h3> }
      }
      <button mat-stroked-button type="button" (click)="copy()" [attr.aria-label]="'Copy ' + title()">
        <app-icon name="copy" [size]="16" /> {{ copied() ? 'Copied' : 'Copy' }}
      </button>
    </div>
    <pre class="code" tabindex="0" [attr.aria-label]="title()"><code>{{ text() }}</code></pre>
    <span class="visually-hidden" aria-live="polite">{{ copied() ? title() + ' copied to the clipboard' : '' }}</span>
  `,
  styles: `
    :host { display: block; margin: 12px 0; }
    .head { display: flex; align-items: center; justify-content: space-between; gap: 8px; margin-bottom: 6px; }
    h2, h3, h4 { font: var(--mat-sys-title-small); margin: 0; }
  `,
})
export class CopyBlockComponent {
  private readonly clipboard = inject(Clipboard);
  readonly title = input.required<string>();
  /** The title's heading level in the page's outline (3 by default: under a section's h2). */
  readonly headingLevel = input<2 | 3 | 4>(3);
  readonly text = input.required<string>();
  protected readonly copied = signal(false);

  protected copy(): void {
    this.copied.set(this.clipboard.copy(this.text()));
    setTimeout(() => this.copied.set(false), 2500);
  }
}
