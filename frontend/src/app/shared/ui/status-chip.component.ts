import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';
import type { ServerStatus } from '@chatops/protocol';
import { IconComponent } from './icon.component';

/** Server status as icon + text (never colour alone). */
@Component({
  selector: 'app-status-chip',
  imports: [IconComponent],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `<span class="chip" [class]="'chip status-' + status()" data-testid="status-chip">
    <app-icon [name]="status()" [size]="16" /><span>{{ label() }}</span>
  </span>`,
  styles: `
    .chip { display: inline-flex; align-items: center; gap: 4px; padding: 2px 10px 2px 6px; border-radius: 999px;
      font: var(--mat-sys-label-medium); border: 1px solid currentColor; white-space: nowrap; }
    .status-online { color: light-dark(#0b6b2f, #7fe0a0); background: light-dark(#e3f5e9, #11351f); }
    .status-offline { color: light-dark(#a4161a, #ffb3b0); background: light-dark(#fde7e7, #410e0b); }
    .status-unknown { color: var(--mat-sys-on-surface-variant); background: var(--mat-sys-surface-container-high); }
  `,
})
export class StatusChipComponent {
  readonly status = input.required<ServerStatus>();
  protected readonly label = computed(() => ({ online: 'Online', offline: 'Offline', unknown: 'Unknown' })[this.status()] ?? 'Unknown');
}
