import { ChangeDetectionStrategy, Component, computed, input, output } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatTabsModule } from '@angular/material/tabs';
import type { ContainerEvent } from '@chatops/protocol';
import { BytesPipe, Percent1Pipe } from '../../shared/format/format.pipes';
import { IconComponent } from '../../shared/ui/icon.component';
import { SparklineComponent } from '../../shared/ui/sparkline.component';
import { ContainerEventsComponent } from './container-events.component';
import type { ContainerRow } from './container-rows';
import { ContainerStateComponent } from './container-state.component';
import { InspectPanelComponent } from './inspect-panel.component';
import { LogsViewerComponent } from './logs-viewer.component';

export type DrawerTab = 'logs' | 'inspect' | 'activity';
const TAB_INDEX: Record<DrawerTab, number> = { logs: 0, inspect: 1, activity: 2 };

/** One container in the side drawer: its logs, its inspect, and its CPU/memory trends with its events. */
@Component({
  selector: 'app-container-drawer',
  imports: [MatButtonModule, MatTabsModule, IconComponent, SparklineComponent, ContainerStateComponent, ContainerEventsComponent, LogsViewerComponent, InspectPanelComponent, BytesPipe, Percent1Pipe],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    @let r = row();
    <header>
      <div class="title">
        <h2 id="container-drawer-title">{{ r.name }}</h2>
        <app-container-state [state]="r.state" [status]="r.status" />
      </div>
      <button mat-icon-button type="button" aria-label="Close" data-testid="drawer-close" (click)="closed.emit()"><app-icon name="close" /></button>
    </header>
    <p class="muted sub">{{ r.image }} · {{ r.status }} · <code>{{ r.id.slice(0, 12) }}</code></p>
    <mat-tab-group [selectedIndex]="tabIndex()" animationDuration="0ms" mat-stretch-tabs="false">
      <mat-tab label="Logs">
        <ng-template matTabContent><app-logs-viewer [serverId]="serverId()" [containerId]="r.id" [containerName]="r.name" /></ng-template>
      </mat-tab>
      <mat-tab label="Inspect">
        <ng-template matTabContent><app-inspect-panel [serverId]="serverId()" [containerId]="r.id" /></ng-template>
      </mat-tab>
      <mat-tab label="Activity">
        <ng-template matTabContent>
          <div class="trends">
            <div>
              <h3>CPU <span class="muted">{{ r.cpuPercent | percent1 }}</span></h3>
              <app-sparkline [values]="r.cpuTrend" label="CPU" [width]="300" [height]="60" />
            </div>
            <div>
              <h3>Memory <span class="muted">{{ r.memBytes | bytes }}{{ r.memLimitBytes ? ' of ' : '' }}{{ r.memLimitBytes ? (r.memLimitBytes | bytes) : '' }}</span></h3>
              <app-sparkline [values]="r.memTrend" label="Memory" [width]="300" [height]="60" />
            </div>
          </div>
          <p class="muted hint">The last {{ r.cpuTrend.length }} live samples (the page keeps at most 30).</p>
          <h3>Events</h3>
          <app-container-events [events]="events()" [showName]="false" [now]="now()" />
        </ng-template>
      </mat-tab>
    </mat-tab-group>
  `,
  styles: `
    :host { display: block; padding: 16px; }
    header { display: flex; justify-content: space-between; align-items: flex-start; gap: 8px; }
    .title { display: flex; flex-wrap: wrap; align-items: center; gap: 8px; }
    h2 { font: var(--mat-sys-title-large); margin: 0; overflow-wrap: anywhere; }
    .sub { font: var(--mat-sys-body-small); margin: 4px 0 8px; overflow-wrap: anywhere; }
    .trends { display: grid; grid-template-columns: repeat(auto-fit, minmax(260px, 1fr)); gap: 16px; margin-top: 12px; }
    h3 { font: var(--mat-sys-title-small); margin: 12px 0 4px; }
    .hint { font: var(--mat-sys-body-small); }
    mat-tab-group { margin-top: 4px; }
  `,
})
export class ContainerDrawerComponent {
  readonly row = input.required<ContainerRow>();
  readonly serverId = input.required<string>();
  readonly tab = input<DrawerTab>('logs');
  readonly allEvents = input<readonly ContainerEvent[]>([]);
  readonly now = input(Date.now());
  readonly closed = output<void>();
  protected readonly tabIndex = computed(() => TAB_INDEX[this.tab()]);
  protected readonly events = computed(() => {
    const r = this.row();
    return this.allEvents().filter((e) => e.containerId === r.id || e.name === r.name);
  });
}
