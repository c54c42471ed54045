import { ChangeDetectionStrategy, Component, computed, inject, input } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { RouterLink } from '@angular/router';
import type { SeverityCounts } from '../../core/alerts/open-alerts.service';
import { Percent1Pipe, RelativeTimePipe } from '../../shared/format/format.pipes';
import { ThresholdsService } from '../../shared/thresholds/thresholds';
import { IconComponent } from '../../shared/ui/icon.component';
import { SparklineComponent } from '../../shared/ui/sparkline.component';
import { StatusChipComponent } from '../../shared/ui/status-chip.component';
import { cardLevels, containerFlags, isStale, type FleetCard } from './fleet-state';

@Component({
  selector: 'app-server-card',
  imports: [RouterLink, MatButtonModule, MatProgressBarModule, StatusChipComponent, SparklineComponent, IconComponent, Percent1Pipe, RelativeTimePipe],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    @let c = card();
    <article class="card" data-testid="server-card" [attr.aria-labelledby]="'srv-' + c.server.id">
      <header>
        <h2 [id]="'srv-' + c.server.id"><a [routerLink]="['/servers', c.server.id]">{{ c.server.name }}</a></h2>
        <app-status-chip [status]="c.status" />
      </header>
      <p class="muted host">{{ c.server.host || 'no host set' }} · last seen <time [attr.datetime]="c.lastSeen">{{ c.lastSeen | relativeTime: now() }}</time></p>
      @let lv = levels();
      <dl class="metrics" [class.stale]="stale()">
        <div><dt>CPU</dt><dd data-testid="cpu" [class]="'level-' + lv.cpu">{{ c.cpuPercent | percent1 }}@if (lv.cpu !== 'ok') {&ngsp;<span class="tag">{{ lv.cpu }}</span> }</dd></div>
        <div><dt>Memory</dt><dd data-testid="mem" [class]="'level-' + lv.memory">{{ c.memoryPercent | percent1 }}@if (lv.memory !== 'ok') {&ngsp;<span class="tag">{{ lv.memory }}</span> }</dd></div>
        <div><dt>Disk</dt><dd data-testid="disk" [class]="'level-' + lv.disk">{{ c.diskPercent | percent1 }}@if (lv.disk !== 'ok') {&ngsp;<span class="tag">{{ lv.disk }}</span> }</dd></div>
      </dl>
      @if (stale()) { <p class="stale-note" data-testid="card-stale">Last values, as of {{ c.lastSeen | relativeTime: now() }}</p> }
      <app-sparkline [values]="c.cpuTrend" label="CPU trend" [width]="220" />
      @if (c.containersTotal != null) {
        @let f = flags();
        <p class="containers" data-testid="containers">
          <a [routerLink]="['/servers', c.server.id, 'containers']" [attr.aria-label]="'Containers of ' + c.server.name + ': ' + c.containersRunning + ' of ' + c.containersTotal + ' running'">
            <app-icon name="container" [size]="16" /> <span data-testid="containers-count">{{ c.containersRunning }}/{{ c.containersTotal }}</span> containers running</a>
          @if (f.notRunning) { <span class="flag" data-testid="containers-stopped"><app-icon name="stop" [size]="14" /> {{ f.notRunning }} not running</span> }
          @if (f.unhealthy) { <span class="flag" data-testid="containers-unhealthy"><app-icon name="warning" [size]="14" /> {{ f.unhealthy }} unhealthy</span> }
        </p>
      }
      @if (c.openAlerts) { <a class="alerts" [routerLink]="['/servers', c.server.id, 'alerts']" data-testid="card-alerts"><app-icon name="warning" [size]="16" /> {{ c.openAlerts }} open alert{{ c.openAlerts === 1 ? '' : 's' }}{{ severityText() ? ': ' + severityText() : '' }}</a> }
      <footer>
        <a mat-button [routerLink]="['/servers', c.server.id]">Details</a>
        <a mat-button [routerLink]="['/servers', c.server.id, 'settings']" [attr.aria-label]="'Settings for ' + c.server.name">Settings</a>
      </footer>
    </article>
  `,
  styles: `
    .card { padding: 16px; border-radius: 12px; background: var(--mat-sys-surface-container); display: grid; gap: 8px; height: 100%; box-sizing: border-box; }
    header { display: flex; justify-content: space-between; align-items: center; gap: 8px; }
    h2 { font: var(--mat-sys-title-medium); margin: 0; overflow: hidden; text-overflow: ellipsis; }
    h2 a { color: inherit; }
    .host { margin: 0; font: var(--mat-sys-body-small); overflow-wrap: anywhere; }
    .metrics { display: grid; grid-template-columns: repeat(3, 1fr); margin: 0; gap: 8px; }
    dt { font: var(--mat-sys-label-small); color: var(--mat-sys-on-surface-variant); }
    dd { margin: 0; font: var(--mat-sys-title-medium); }
    app-sparkline { width: 100%; }
    .metrics.stale dd { color: var(--mat-sys-on-surface-variant); opacity: 0.7; }
    .stale-note { margin: 0; font: var(--mat-sys-label-small); color: var(--mat-sys-on-surface-variant); }
    .tag { margin-left: 4px; padding: 0 4px; border-radius: 4px; font: var(--mat-sys-label-small); border: 1px solid currentColor; vertical-align: middle; }
    .level-warning { color: light-dark(#8a5300, #ffc870); }
    .level-critical { color: var(--mat-sys-error); }
    .containers { margin: 0; display: flex; flex-wrap: wrap; align-items: center; gap: 4px 10px; font: var(--mat-sys-label-medium); }
    .containers a { color: inherit; display: inline-flex; align-items: center; gap: 4px; }
    .flag { display: inline-flex; align-items: center; gap: 3px; color: var(--mat-sys-error); }
    .alerts { margin: 0; color: var(--mat-sys-error); font: var(--mat-sys-label-medium); display: flex; align-items: center; gap: 4px; }
    footer { display: flex; justify-content: flex-end; gap: 4px; }
  `,
})
export class ServerCardComponent {
  readonly card = input.required<FleetCard>();
  readonly now = input(Date.now());
  private readonly thresholds = inject(ThresholdsService).thresholds;

  protected readonly stale = computed(() => isStale(this.card()));
  protected readonly levels = computed(() => cardLevels(this.card(), this.thresholds()));
  protected readonly flags = computed(() => containerFlags(this.card()));
  /** Open alerts of this server by severity (the fleet stream has the total only). */
  readonly severities = input<SeverityCounts | undefined>(undefined);
  protected readonly severityText = computed(() => {
    const s = this.severities();
    return s ? (['critical', 'warning', 'info'] as const).filter((k) => s[k]).map((k) => `${s[k]} ${k}`).join(', ') : '';
  });
}
