import { DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, DestroyRef, computed, effect, inject, input, signal, untracked } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { MatButtonModule } from '@angular/material/button';
import { MatButtonToggleModule } from '@angular/material/button-toggle';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { MatSelectModule } from '@angular/material/select';
import { MatTooltipModule } from '@angular/material/tooltip';
import { RouterLink } from '@angular/router';
import type { Alert, AlertSilence, AlertStatusFilter, MetricType, Server, Severity } from '@chatops/protocol';
import { METRIC_TYPES, SEVERITIES } from '@chatops/protocol/enums';
import { Subscription, interval } from 'rxjs';
import { can, deniedReason } from '../../core/access/access';
import { AlertsApi } from '../../core/api/alerts-api.service';
import { describeHttpError } from '../../core/api/error-message';
import { LiveSocketService } from '../../core/live/live-socket.service';
import { RelativeTimePipe } from '../../shared/format/format.pipes';
import { EmptyStateComponent } from '../../shared/ui/empty-state.component';
import { IconComponent } from '../../shared/ui/icon.component';
import { AlertActions } from './alert-actions.service';
import { AlertFilters, DEFAULT_FILTERS, activeSilencesFor, applyAlertEvent } from './alert-filter';
import { METRIC_LABELS, SEVERITY_META, formatMetricValue } from './alert-format';
import { AlertStatusComponent, SeverityBadgeComponent } from './severity-badge.component';

export const ALERT_PAGE_SIZE = 50;

const STATUS_TABS: { value: AlertStatusFilter; label: string }[] = [
  { value: 'open', label: 'Open' }, { value: 'active', label: 'Active' }, { value: 'acknowledged', label: 'Acknowledged' },
  { value: 'resolved', label: 'Resolved' }, { value: 'all', label: 'All' },
];

/**
 * A list of alerts: status tabs, filters (server, severity, metric), "Load more" paging, live
 * updates from `/live` `alert`, acknowledge and resolve. With `serverId` it shows that server's
 * alerts only (the server page's Alerts tab); without, the whole fleet (the Alerts page).
 */
@Component({
  selector: 'app-alert-list',
  imports: [MatButtonModule, MatButtonToggleModule, MatFormFieldModule, MatSelectModule, MatProgressBarModule, MatTooltipModule, RouterLink, EmptyStateComponent, IconComponent,
    SeverityBadgeComponent, AlertStatusComponent, RelativeTimePipe, DatePipe],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './alert-list.component.html',
  styleUrl: './alert-list.component.scss',
})
export class AlertListComponent {
  private readonly api = inject(AlertsApi);
  private readonly live = inject(LiveSocketService);
  private readonly actions = inject(AlertActions);
  /** Only this server's alerts (no server filter shown). */
  readonly serverId = input<string>('');
  /** The servers, for names and the server filter. */
  readonly servers = input<readonly Server[]>([]);

  protected readonly statusTabs = STATUS_TABS;
  protected readonly severities = SEVERITIES.map((s) => ({ value: s, label: SEVERITY_META[s].label }));
  protected readonly metrics = METRIC_TYPES.map((m) => ({ value: m, label: METRIC_LABELS[m] }));
  protected readonly filters = signal<AlertFilters>(DEFAULT_FILTERS);
  protected readonly items = signal<Alert[]>([]);
  protected readonly state = signal<'loading' | 'ready' | 'error'>('loading');
  protected readonly loadError = signal('');
  protected readonly nextCursor = signal<string | null>(null);
  protected readonly loadingMore = signal(false);
  protected readonly busy = signal<ReadonlySet<string>>(new Set());
  protected readonly silences = signal<AlertSilence[]>([]);
  protected readonly now = signal(Date.now());
  protected readonly serverNames = computed(() => new Map(this.servers().map((s) => [s.id, s.name])));
  private readonly serverById = computed(() => new Map(this.servers().map((s) => [s.id, s])));
  /** Why the caller may not acknowledge or resolve alerts of this server (`alerts.manage`); '' when they may. */
  protected readonly manageDenied = (a: Alert): string => deniedReason(this.serverById().get(a.serverId), 'alerts.manage');
  protected readonly mayManage = (a: Alert): boolean => can(this.serverById().get(a.serverId), 'alerts.manage');
  protected readonly activeSilences = computed(() => activeSilencesFor(this.silences(), this.serverId(), this.now()));
  protected readonly filtered = computed(() => {
    const f = this.filters();
    return (!this.serverId() && !!f.serverId) || !!f.severity || !!f.metricType;
  });
  protected readonly formatValue = formatMetricValue;
  protected readonly metricLabel = (m: MetricType) => METRIC_LABELS[m];

  private pageSub: Subscription | null = null;

  constructor() {
    effect(() => {
      const id = this.serverId();
      untracked(() => {
        this.filters.update((f) => ({ ...f, serverId: id }));
        this.reload();
      });
    });
    // Alert events reach the sockets subscribed to the server (the server page holds that
    // subscription) or to the fleet stream: the fleet-wide list holds the latter while it is open.
    effect((onCleanup) => {
      if (this.serverId()) return;
      const sub = this.live.subscribeFleet().subscribe();
      onCleanup(() => sub.unsubscribe());
    });
    this.live.on('alert').pipe(takeUntilDestroyed()).subscribe((e) => {
      if (this.state() !== 'ready') return;
      this.now.set(Date.now());
      this.items.update((items) => applyAlertEvent(items, e, this.filters()));
    });
    this.api.silences().subscribe({ next: (s) => this.silences.set(s), error: () => undefined });
    interval(30_000).pipe(takeUntilDestroyed()).subscribe(() => this.now.set(Date.now()));
    inject(DestroyRef).onDestroy(() => this.pageSub?.unsubscribe());
  }

  protected setStatus(status: AlertStatusFilter): void {
    this.setFilter({ status });
  }
  protected setServer(serverId: string): void {
    this.setFilter({ serverId });
  }
  protected setSeverity(severity: Severity | ''): void {
    this.setFilter({ severity });
  }
  protected setMetric(metricType: MetricType | ''): void {
    this.setFilter({ metricType });
  }

  protected retry(): void {
    this.reload();
  }

  protected loadMore(): void {
    const before = this.nextCursor();
    if (!before || this.loadingMore()) return;
    this.loadingMore.set(true);
    this.pageSub = this.api.list({ ...this.query(), before }).subscribe({
      next: (page) => {
        const known = new Set(this.items().map((a) => a.id));
        this.items.update((items) => [...items, ...page.items.filter((a) => !known.has(a.id))]);
        this.nextCursor.set(page.nextCursor);
        this.loadingMore.set(false);
      },
      error: () => this.loadingMore.set(false),
    });
  }

  protected acknowledge(a: Alert): void {
    if (this.mayManage(a)) this.act(a, this.actions.acknowledge(a));
  }
  protected resolve(a: Alert): void {
    if (this.mayManage(a)) this.act(a, this.actions.resolve(a));
  }

  protected serverName(id: string): string {
    return this.serverNames().get(id) ?? 'a server';
  }

  private act(a: Alert, call: ReturnType<AlertActions['acknowledge']>): void {
    this.busy.update((b) => new Set(b).add(a.id));
    const done = () => this.busy.update((b) => { const n = new Set(b); n.delete(a.id); return n; });
    call.subscribe({
      next: (updated) => {
        const { snapshot: _snapshot, ...alert } = updated;
        this.items.update((items) => applyAlertEvent(items, { alert, change: alert.status === 'resolved' ? 'resolved' : 'acknowledged' }, this.filters()));
      },
      complete: done,
      error: done,
    });
  }

  private setFilter(patch: Partial<AlertFilters>): void {
    this.filters.update((f) => ({ ...f, ...patch }));
    this.reload();
  }

  private query() {
    const f = this.filters();
    return { status: f.status, serverId: f.serverId || undefined, severity: f.severity, metricType: f.metricType, limit: ALERT_PAGE_SIZE };
  }

  private reload(): void {
    this.pageSub?.unsubscribe();
    this.state.set('loading');
    this.loadingMore.set(false);
    this.now.set(Date.now());
    this.pageSub = this.api.list(this.query()).subscribe({
      next: (page) => {
        this.items.set(page.items);
        this.nextCursor.set(page.nextCursor);
        this.state.set('ready');
      },
      error: (err: unknown) => {
        const info = describeHttpError(err);
        this.loadError.set(info.requestId ? `${info.message} (request ${info.requestId})` : info.message);
        this.state.set('error');
      },
    });
  }
}
