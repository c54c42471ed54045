import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';
import { IconComponent } from '../../shared/ui/icon.component';
import type { RunState } from './command-run';

const BADGES: Record<RunState, { label: string; icon: string; tone: 'ok' | 'bad' | 'warn' | 'busy' }> = {
  starting: { label: 'Starting', icon: 'play', tone: 'busy' },
  running: { label: 'Running', icon: 'play', tone: 'busy' },
  completed: { label: 'Completed', icon: 'check', tone: 'ok' },
  failed: { label: 'Failed', icon: 'offline', tone: 'bad' },
  timeout: { label: 'Timed out', icon: 'warning', tone: 'warn' },
  refused: { label: 'Refused', icon: 'warning', tone: 'bad' },
  unreachable: { label: 'Agent offline', icon: 'offline', tone: 'warn' },
  rejected: { label: 'Not run', icon: 'warning', tone: 'bad' },
};

/** A command's state as icon + text (never colour alone). */
@Component({
  selector: 'app-command-status',
  imports: [IconComponent],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `<span class="badge" [class]="'badge tone-' + badge().tone" [attr.data-status]="state()" data-testid="command-status">
    <app-icon [name]="badge().icon" [size]="14" /><span>{{ badge().label }}</span></span>`,
  styles: `
    .badge { display: inline-flex; align-items: center; gap: 4px; padding: 1px 8px 1px 5px; border-radius: 999px;
      font: var(--mat-sys-label-medium); border: 1px solid currentColor; white-space: nowrap; }
    .tone-ok { color: light-dark(#0b6b2f, #7fe0a0); }
    .tone-bad { color: var(--mat-sys-error); }
    .tone-warn { color: light-dark(#8a5300, #ffcf8a); }
    .tone-busy { color: var(--mat-sys-primary); }
  `,
})
export class CommandStatusComponent {
  readonly state = input.required<RunState>();
  protected readonly badge = computed(() => BADGES[this.state()] ?? BADGES.failed);
}
