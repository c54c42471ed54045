import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';
import type { ContainerEvent } from '@chatops/protocol';
import { RelativeTimePipe } from '../../shared/format/format.pipes';

/** What an event says, in words: `die` with its exit code, `health_status` with the health. */
export function describeEvent(e: ContainerEvent): string {
  switch (e.action) {
    case 'die': return e.exitCode != null ? `exited with code ${e.exitCode}` : 'exited';
    case 'oom': return 'ran out of memory (OOM)';
    case 'health_status': return `health: ${e.health ?? 'unknown'}`;
    case 'destroy': return 'removed';
    case 'create': return 'created';
    case 'start': return 'started';
    case 'stop': return 'stopped';
    case 'restart': return 'restarted';
    case 'kill': return 'killed';
    case 'pause': return 'paused';
    case 'unpause': return 'unpaused';
    default: return e.action;
  }
}

/** Recent container events, newest first (REST, then live `container_event`s on top). */
@Component({
  selector: 'app-container-events',
  imports: [RelativeTimePipe],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    @if (!events().length) { <p class="muted empty" data-testid="events-empty">No container events yet.</p> }
    @else {
      <ol class="events" data-testid="container-events" aria-live="polite">
        @for (e of shown(); track e.time + e.containerId + e.action) {
          <li data-testid="container-event" [class.bad]="isBad(e)">
            <time [attr.datetime]="e.time" [title]="e.time">{{ e.time | relativeTime: now() }}</time>
            @if (showName()) { <strong>{{ e.name }}</strong> }
            <span>{{ describe(e) }}</span>
          </li>
        }
      </ol>
    }
  `,
  styles: `
    .events { list-style: none; margin: 0; padding: 0; display: grid; gap: 2px; }
    li { display: flex; gap: 8px; align-items: baseline; padding: 4px 8px; border-radius: 6px; font: var(--mat-sys-body-small); }
    li:nth-child(odd) { background: var(--mat-sys-surface-container-low); }
    li.bad span { color: var(--mat-sys-error); }
    time { min-width: 80px; color: var(--mat-sys-on-surface-variant); }
    .empty { font: var(--mat-sys-body-small); }
  `,
})
export class ContainerEventsComponent {
  readonly events = input.required<readonly ContainerEvent[]>();
  readonly showName = input(true);
  readonly limit = input(20);
  readonly now = input(Date.now());
  protected readonly shown = computed(() => this.events().slice(0, this.limit()));
  protected readonly describe = describeEvent;
  protected isBad(e: ContainerEvent): boolean {
    // A clean exit (code 0, e.g. after a stop) is not a problem; a crash, an OOM kill or a failing health check is.
    return e.action === 'oom' || (e.action === 'health_status' && e.health === 'unhealthy') || (e.action === 'die' && e.exitCode !== 0 && e.exitCode != null);
  }
}
