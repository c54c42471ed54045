import { DatePipe } from '@angular/common';
import { HttpErrorResponse } from '@angular/common/http';
import { ChangeDetectionStrategy, Component, computed, effect, inject, input, signal, untracked } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { MatButtonModule } from '@angular/material/button';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { RouterLink } from '@angular/router';
import type { AlertDetail, MetricType, MetricsHistory, NotificationDelivery, Server } from '@chatops/protocol';
import type { EChartsCoreOption } from 'echarts/core';
import { NgxEchartsDirective } from 'ngx-echarts';
import { filter } from 'rxjs';
import { can, deniedReason } from '../../core/access/access';
import { AlertsApi } from '../../core/api/alerts-api.service';
import { describeHttpError } from '../../core/api/error-message';
import { MetricsApi } from '../../core/api/metrics-api.service';
import { ServersApi } from '../../core/api/servers-api.service';
import { LiveSocketService } from '../../core/live/live-socket.service';
import { ThemeService } from '../../core/theme/theme.service';
import { BpsPipe, BytesPipe, Percent1Pipe } from '../../shared/format/format.pipes';
import { EmptyStateComponent } from '../../shared/ui/empty-state.component';
import { IconComponent } from '../../shared/ui/icon.component';
import { NotFoundComponent } from '../../shared/ui/not-found.component';
import { lineOption } from '../server-detail/chart-options';
import { AlertActions } from './alert-actions.service';
import { COMPARISON_SYMBOLS, METRIC_LABELS, formatMetricValue } from './alert-format';
import { alertTimeline } from './alert-timeline';
import { historyValue, keptInHistory } from './rule-preview';
import { DeliveryLogComponent } from './delivery-log.component';
import { AlertStatusComponent, SeverityBadgeComponent } from './severity-badge.component';

const PERCENT: readonly MetricType[] = ['cpu', 'memory', 'disk', 'swap', 'container_cpu', 'container_memory'];

/** The triggering samples and the threshold as a line chart. */
export function snapshotChart(a: AlertDetail): EChartsCoreOption | null {
  const samples = a.snapshot?.samples ?? [];
  if (!samples.length) return null;
  const unit = PERCENT.includes(a.metricType) ? 'percent' : a.metricType.startsWith('network') ? 'bps' : 'plain';
  const option = lineOption(['Value', 'Threshold'], unit) as EChartsCoreOption & { series: Record<string, unknown>[] };
  const times = samples.map((p) => Date.parse(p.timestamp));
  option.series[0]['data'] = samples.map((p, i) => [times[i], p.value]);
  option.series[0]['showSymbol'] = true;
  // a window around the samples (one sample when durationSec is 0), so the point and the threshold line show
  const pad = Math.max(30_000, (Math.max(...times) - Math.min(...times)) * 0.1);
  const [from, to] = [Math.min(...times) - pad, Math.max(...times, Date.parse(a.createdAt)) + pad];
  option['xAxis'] = { type: 'time', min: from, max: to };
  option.series[1]['data'] = [[from, a.thresholdValue], [to, a.thresholdValue]];
  option.series[1]['lineStyle'] = { type: 'dashed' };
  option['dataZoom'] = [];
  option['grid'] = { left: 56, right: 16, top: 32, bottom: 24 };
  if (a.metricType === 'container_cpu') (option['yAxis'] as Record<string, unknown>)['max'] = undefined;
  return option;
}

/** Minutes of history shown either side of the fire time. */
export const AROUND_MIN = 30;

/** The metric's stored history around the fire time, the threshold, and the firing value as a point. */
export function aroundChart(a: AlertDetail, h: MetricsHistory): EChartsCoreOption | null {
  const data = h.points.map((p) => [Date.parse(p.timestamp), historyValue(a.metricType, p)] as [number, number | null]);
  if (!data.some(([, v]) => v != null)) return null;
  const unit = PERCENT.includes(a.metricType) ? 'percent' : a.metricType.startsWith('network') ? 'bps' : 'plain';
  const option = lineOption(['Value', 'Threshold', 'Fired'], unit) as EChartsCoreOption & { series: Record<string, unknown>[] };
  const [from, to] = [Date.parse(h.start), Date.parse(h.end)];
  option['xAxis'] = { type: 'time', min: from, max: to };
  option['dataZoom'] = [];
  option['grid'] = { left: 56, right: 16, top: 32, bottom: 24 };
  option.series[0]['data'] = data;
  option.series[1]['data'] = [[from, a.thresholdValue], [to, a.thresholdValue]];
  option.series[1]['lineStyle'] = { type: 'dashed' };
  option.series[1]['areaStyle'] = undefined;
  option.series[2]['data'] = a.currentValue == null ? [] : [[Date.parse(a.createdAt), a.currentValue]];
  option.series[2]['showSymbol'] = true;
  option.series[2]['symbolSize'] = 10;
  return option;
}

/**
 * `/alerts/:id`: one alert — what fired, its lifecycle, the snapshot taken when it fired (the
 * triggering samples as a chart, host figures, top processes, containers), the notifications sent,
 * and acknowledge / resolve. It follows `/live` for changes to this alert.
 */
@Component({
  selector: 'app-alert-detail',
  imports: [DatePipe, RouterLink, MatButtonModule, MatProgressBarModule, NgxEchartsDirective, EmptyStateComponent, NotFoundComponent, IconComponent,
    SeverityBadgeComponent, AlertStatusComponent, DeliveryLogComponent, BytesPipe, BpsPipe, Percent1Pipe],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './alert-detail.page.html',
  styleUrl: './alert-detail.page.scss',
})
export class AlertDetailPage {
  private readonly api = inject(AlertsApi);
  private readonly serversApi = inject(ServersApi);
  private readonly metricsApi = inject(MetricsApi);
  private readonly live = inject(LiveSocketService);
  private readonly actions = inject(AlertActions);
  private readonly theme = inject(ThemeService);
  /** Route parameter :id. */
  readonly id = input.required<string>();

  protected readonly state = signal<'loading' | 'ready' | 'not-found' | 'error'>('loading');
  protected readonly loadError = signal('');
  protected readonly alert = signal<AlertDetail | null>(null);
  protected readonly server = signal<Server | null>(null);
  /** Acknowledge and resolve need `alerts.manage` on the alert's server (known once it is read). */
  protected readonly mayManage = computed(() => can(this.server(), 'alerts.manage'));
  protected readonly manageDenied = computed(() => deniedReason(this.server(), 'alerts.manage'));
  protected readonly deliveries = signal<NotificationDelivery[] | null>(null);
  protected readonly busy = signal(false);
  protected readonly chart = computed(() => { const a = this.alert(); return a ? snapshotChart(a) : null; });
  protected readonly history = signal<MetricsHistory | null>(null);
  protected readonly around = computed(() => { const a = this.alert(), h = this.history(); return a && h ? aroundChart(a, h) : null; });
  protected readonly aroundMin = AROUND_MIN;
  protected readonly chartTheme = computed(() => (this.theme.isDark() ? 'dark' : ''));
  protected readonly timeline = computed(() => { const a = this.alert(); return a ? alertTimeline(a) : []; });
  protected readonly metricLabel = (m: MetricType) => METRIC_LABELS[m];
  protected readonly symbol = COMPARISON_SYMBOLS;
  protected readonly formatValue = formatMetricValue;

  constructor() {
    effect(() => {
      const id = this.id();
      untracked(() => this.load(id));
    });
    this.live.on('alert').pipe(filter((e) => e.alert.id === this.id()), takeUntilDestroyed()).subscribe((e) => {
      this.alert.update((a) => (a ? { ...e.alert, snapshot: a.snapshot } : a));
      this.loadDeliveries(e.alert.id);
    });
    // alert events reach the sockets subscribed to the alert's server or to the fleet
    this.live.subscribeFleet().pipe(takeUntilDestroyed()).subscribe();
  }

  protected retry(): void {
    this.load(this.id());
  }

  protected acknowledge(): void {
    const a = this.alert();
    if (a) this.act(this.actions.acknowledge(a));
  }
  protected resolve(): void {
    const a = this.alert();
    if (a) this.act(this.actions.resolve(a));
  }

  private act(call: ReturnType<AlertActions['acknowledge']>): void {
    this.busy.set(true);
    call.subscribe({
      next: (a) => {
        this.alert.set(a);
        this.loadDeliveries(a.id);
      },
      complete: () => this.busy.set(false),
      error: () => this.busy.set(false),
    });
  }

  private load(id: string): void {
    this.state.set('loading');
    this.api.get(id, true).subscribe({
      next: (a) => {
        if (this.id() !== id) return;
        this.alert.set(a);
        this.state.set('ready');
        this.serversApi.get(a.serverId, true).subscribe({ next: (s) => this.server.set(s), error: () => undefined });
        this.loadHistory(a);
        this.loadDeliveries(id);
      },
      error: (err: unknown) => {
        if (err instanceof HttpErrorResponse && (err.status === 404 || err.status === 400)) return this.state.set('not-found');
        const info = describeHttpError(err);
        this.loadError.set(info.requestId ? `${info.message} (request ${info.requestId})` : info.message);
        this.state.set('error');
      },
    });
  }

  /** Host metrics: the stored history ±30 min around the fire time (to now, when that is sooner). */
  private loadHistory(a: AlertDetail): void {
    this.history.set(null);
    if (!keptInHistory(a.metricType)) return;
    if (a.target && !(a.metricType === 'disk' && a.target === '/')) return; // history keeps `/` and the interface total only
    const fired = Date.parse(a.createdAt);
    const end = Math.min(Date.now(), fired + AROUND_MIN * 60_000);
    this.metricsApi.history(a.serverId, new Date(fired - AROUND_MIN * 60_000), new Date(end), 120, true).subscribe({
      next: (h) => this.history.set(h),
      error: () => undefined, // the snapshot is still shown
    });
  }

  private loadDeliveries(id: string): void {
    this.api.deliveries(id).subscribe({ next: (d) => this.deliveries.set(d), error: () => this.deliveries.set([]) });
  }
}
