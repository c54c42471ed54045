import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';
import { IconComponent } from '../../shared/ui/icon.component';
import { healthOf } from './container-rows';

const STATE: Record<string, { icon: string; label: string; tone: string }> = {
  running: { icon: 'play', label: 'Running', tone: 'ok' },
  paused: { icon: 'pause', label: 'Paused', tone: 'warn' },
  restarting: { icon: 'replay', label: 'Restarting', tone: 'warn' },
  created: { icon: 'add', label: 'Created', tone: 'neutral' },
  exited: { icon: 'stop', label: 'Exited', tone: 'bad' },
  dead: { icon: 'offline', label: 'Dead', tone: 'bad' },
  removing: { icon: 'delete', label: 'Removing', tone: 'neutral' },
};

/** A container's state as icon + text (never colour alone), plus its health when it has a check. */
@Component({
  selector: 'app-container-state',
  imports: [IconComponent],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `<span class="chip" [class]="'chip tone-' + view().tone" data-testid="container-state" [attr.data-state]="state()">
      <app-icon [name]="view().icon" [size]="14" /><span>{{ view().label }}</span>
    </span>
    @if (health() === 'unhealthy') { <span class="chip tone-bad" data-testid="container-health"><app-icon name="warning" [size]="14" /><span>Unhealthy</span></span> }
    @if (health() === 'starting') { <span class="chip tone-neutral" data-testid="container-health"><span>Health: starting</span></span> }`,
  styles: `
    :host { display: inline-flex; gap: 4px; flex-wrap: wrap; }
    .chip { display: inline-flex; align-items: center; gap: 4px; padding: 1px 8px 1px 5px; border-radius: 999px;
      font: var(--mat-sys-label-medium); border: 1px solid currentColor; white-space: nowrap; }
    .tone-ok { color: light-dark(#0b6b2f, #7fe0a0); background: light-dark(#e3f5e9, #11351f); }
    .tone-bad { color: light-dark(#a4161a, #ffb3b0); background: light-dark(#fde7e7, #410e0b); }
    .tone-warn { color: light-dark(#7a4b00, #ffd27f); background: light-dark(#fff3dc, #3a2a00); }
    .tone-neutral { color: var(--mat-sys-on-surface-variant); background: var(--mat-sys-surface-container-high); }
  `,
})
export class ContainerStateComponent {
  readonly state = input.required<string>();
  readonly status = input('');
  protected readonly view = computed(() => STATE[this.state()] ?? { icon: 'unknown', label: this.state() || 'Unknown', tone: 'neutral' });
  protected readonly health = computed(() => healthOf(this.status()));
}
