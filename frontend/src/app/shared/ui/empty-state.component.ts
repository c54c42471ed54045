import { ChangeDetectionStrategy, Component, input } from '@angular/core';
import { IconComponent } from './icon.component';

@Component({
  selector: 'app-empty-state',
  imports: [IconComponent],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `<div class="empty" role="status">
    <app-icon [name]="icon()" [size]="48" />
    @if (headingLevel() === 1) { <h1>{{ title() }}</h1> } @else { <h2>{{ title() }}</h2> }
    @if (message()) { <p class="muted">{{ message() }}</p> }
    <ng-content />
  </div>`,
  styles: `
    .empty { display: flex; flex-direction: column; align-items: center; text-align: center; gap: 8px;
      padding: 48px 16px; color: var(--mat-sys-on-surface-variant); }
    h1, h2 { font: var(--mat-sys-title-large); margin: 8px 0 0; color: var(--mat-sys-on-surface); }
    p { margin: 0 0 8px; max-width: 480px; }
  `,
})
export class EmptyStateComponent {
  readonly icon = input('server');
  readonly title = input.required<string>();
  readonly message = input<string>('');
  /** 1 where the empty state is the whole page (not found): the page's one level-one heading. */
  readonly headingLevel = input<1 | 2>(2);
}
