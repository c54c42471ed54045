import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';
import type { AlertStatus, Severity } from '@chatops/protocol';
import { IconComponent } from '../../shared/ui/icon.component';
import { SEVERITY_META, STATUS_LABELS } from './alert-format';

/** Severity as icon + text (never colour alone). */
@Component({
  selector: 'app-severity-badge',
  imports: [IconComponent],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `<span class="badge" [class]="'badge sev-' + severity()" data-testid="severity"><app-icon [name]="meta().icon" [size]="16" /><span>{{ meta().label }}</span></span>`,
  styles: `
    .badge { display: inline-flex; align-items: center; gap: 4px; padding: 1px 8px 1px 4px; border-radius: 999px; font: var(--mat-sys-label-medium);
      border: 1px solid currentColor; white-space: nowrap; }
    .sev-critical { color: light-dark(#a4161a, #ffb3b0); background: light-dark(#fde7e7, #410e0b); }
    .sev-warning { color: light-dark(#7a4a00, #ffd18a); background: light-dark(#fff2d6, #3a2800); }
    .sev-info { color: light-dark(#0b4f8a, #a8d1ff); background: light-dark(#e3f0fd, #0d2a47); }
  `,
})
export class SeverityBadgeComponent {
  readonly severity = input.required<Severity>();
  protected readonly meta = computed(() => SEVERITY_META[this.severity()] ?? SEVERITY_META.warning);
}

const STATUS_ICONS: Record<AlertStatus, string> = { active: 'bell', acknowledged: 'person', resolved: 'check' };

/** An alert's lifecycle state as icon + text. */
@Component({
  selector: 'app-alert-status',
  imports: [IconComponent],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `<span class="st" [class]="'st st-' + status()" data-testid="alert-status"><app-icon [name]="icon()" [size]="16" /><span>{{ label() }}</span></span>`,
  styles: `
    .st { display: inline-flex; align-items: center; gap: 4px; font: var(--mat-sys-label-medium); white-space: nowrap; }
    .st-active { color: var(--mat-sys-error); }
    .st-resolved { color: var(--mat-sys-on-surface-variant); }
  `,
})
export class AlertStatusComponent {
  readonly status = input.required<AlertStatus>();
  protected readonly icon = computed(() => STATUS_ICONS[this.status()]);
  protected readonly label = computed(() => STATUS_LABELS[this.status()]);
}
