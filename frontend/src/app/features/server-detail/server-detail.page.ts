import { HttpErrorResponse } from '@angular/common/http';
import { ChangeDetectionStrategy, Component, DestroyRef, computed, effect, inject, input, signal, untracked } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { MatButtonModule } from '@angular/material/button';
import { MatButtonToggleModule } from '@angular/material/button-toggle';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { RouterLink } from '@angular/router';
import type { DiskUsage, MetricsSample, Server } from '@chatops/protocol';
import { NgxEchartsDirective } from 'ngx-echarts';
import { Subscription, filter, interval } from 'rxjs';
import { describeHttpError } from '../../core/api/error-message';
import { MetricsApi } from '../../core/api/metrics-api.service';
import { ServersApi } from '../../core/api/servers-api.service';
import { LiveSocketService } from '../../core/live/live-socket.service';
import { ThemeService } from '../../core/theme/theme.service';
import { formatUptime } from '../../shared/format/format';
import { BpsPipe, BytesPipe, Percent1Pipe, RelativeTimePipe } from '../../shared/format/format.pipes';
import { EmptyStateComponent } from '../../shared/ui/empty-state.component';
import { IconComponent } from '../../shared/ui/icon.component';
import { NotFoundComponent } from '../../shared/ui/not-found.component';
import { SkeletonListComponent } from '../../shared/ui/skeleton-list.component';
import { StatusChipComponent } from '../../shared/ui/status-chip.component';
import { gaugeOption, lineOption } from './chart-options';
import { MetricSeries, RANGES, RangeKey, appendSample, emptySeries, seriesFromHistory, totalRxBps, totalTxBps } from './metrics-series';

const TOP_PROCESSES = 15;

@Component({
  selector: 'app-server-detail-page',
  imports: [RouterLink, MatButtonModule, MatButtonToggleModule, MatProgressBarModule, NgxEchartsDirective, StatusChipComponent, EmptyStateComponent, NotFoundComponent, SkeletonListComponent, IconComponent, BytesPipe, BpsPipe, Percent1Pipe, RelativeTimePipe],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './server-detail.page.html',
  styleUrl: './server-detail.page.scss',
})
export class ServerDetailPage {
  private readonly serversApi = inject(ServersApi);
  private readonly metricsApi = inject(MetricsApi);
  private readonly live = inject(LiveSocketService);
  private readonly destroyRef = inject(DestroyRef);
  protected readonly theme = inject(ThemeService);
  /** Route parameter :id (withComponentInputBinding). */
  readonly id = input.required<string>();

  protected readonly ranges = RANGES;
  protected readonly state = signal<'loading' | 'ready' | 'not-found' | 'error'>('loading');
  protected readonly loadError = signal('');
  protected readonly server = signal<Server | null>(null);
  /** Latest sample (REST seed, then live); null = no sample yet. */
  protected readonly latest = signal<MetricsSample | null>(null);
  protected readonly latestLoaded = signal(false);
  protected readonly range = signal<RangeKey>('1h');
  protected readonly historyLoading = signal(false);
  protected readonly series = signal<MetricSeries>(emptySeries());
  protected readonly now = signal(Date.now());

  protected readonly rangeMs = computed(() => RANGES.find((r) => r.key === this.range())!.ms);
  protected readonly chartTheme = computed(() => (this.theme.isDark() ? 'dark' : ''));
  protected readonly cpuChart = computed(() => lineOption([{ name: 'CPU', data: this.series().cpu }], 'percent'));
  protected readonly memChart = computed(() => lineOption([{ name: 'Memory', data: this.series().memory }], 'percent'));
  protected readonly loadChart = computed(() => lineOption([{ name: 'Load (1 min)', data: this.series().load1 }], 'plain'));
  protected readonly netChart = computed(() =>
    lineOption([{ name: 'Received', data: this.series().rx }, { name: 'Sent', data: this.series().tx }], 'bps'),
  );

  protected readonly rootDisk = computed((): DiskUsage | null => {
    const disks = this.latest()?.disks ?? [];
    return disks.find((d) => d.mount === '/') ?? [...disks].sort((a, b) => b.percent - a.percent)[0] ?? null;
  });
  protected readonly cpuGauge = computed(() => gaugeOption('CPU', this.latest()?.cpu.percent ?? null));
  protected readonly memGauge = computed(() => gaugeOption('Memory', this.latest()?.memory.percent ?? null));
  protected readonly diskGauge = computed(() => gaugeOption(`Disk ${this.rootDisk()?.mount ?? ''}`, this.rootDisk()?.percent ?? null));
  protected readonly processes = computed(() =>
    [...(this.latest()?.processes ?? [])].sort((a, b) => b.cpuPercent - a.cpuPercent).slice(0, TOP_PROCESSES),
  );
  protected readonly swapPercent = computed(() => {
    const m = this.latest()?.memory;
    return m && m.swapTotalBytes ? (m.swapUsedBytes / m.swapTotalBytes) * 100 : null;
  });
  protected readonly rx = computed(() => (this.latest() ? totalRxBps(this.latest()!) : null));
  protected readonly tx = computed(() => (this.latest() ? totalTxBps(this.latest()!) : null));
  protected readonly uptime = computed(() => formatUptime(this.latest()?.uptimeSec));

  private liveSub: Subscription | null = null;
  private historySub: Subscription | null = null;

  constructor() {
    effect(() => {
      const id = this.id();
      untracked(() => this.load(id));
    });
    interval(30_000).pipe(takeUntilDestroyed()).subscribe(() => this.now.set(Date.now()));
    this.destroyRef.onDestroy(() => {
      this.liveSub?.unsubscribe();
      this.historySub?.unsubscribe();
    });
  }

  protected setRange(key: RangeKey): void {
    this.range.set(key);
    this.loadHistory();
  }

  protected retry(): void {
    this.load(this.id());
  }

  private load(id: string): void {
    this.liveSub?.unsubscribe();
    this.state.set('loading');
    this.latest.set(null);
    this.latestLoaded.set(false);
    this.series.set(emptySeries());
    this.serversApi.get(id, true).subscribe({
      next: (s) => {
        this.server.set(s);
        this.state.set('ready');
        this.seedLatest(id);
        this.loadHistory();
        this.followLive(id);
      },
      error: (err: unknown) => {
        if (err instanceof HttpErrorResponse && (err.status === 404 || err.status === 400)) return this.state.set('not-found');
        const info = describeHttpError(err);
        this.loadError.set(info.requestId ? `${info.message} (request ${info.requestId})` : info.message);
        this.state.set('error');
      },
    });
  }

  private seedLatest(id: string): void {
    this.metricsApi.latest(id).subscribe({
      next: (res) => {
        // A live sample may already have arrived; keep whichever is newer.
        const current = this.latest();
        if (!current || Date.parse(current.timestamp) < Date.parse(res.sample.timestamp)) this.latest.set(res.sample);
        this.latestLoaded.set(true);
      },
      error: () => this.latestLoaded.set(true), // 404 = no sample yet: "waiting for the first sample"
    });
  }

  private loadHistory(): void {
    const id = this.id();
    const end = new Date();
    const start = new Date(end.getTime() - this.rangeMs());
    this.historySub?.unsubscribe();
    this.historyLoading.set(true);
    this.historySub = this.metricsApi.history(id, start, end, 300).subscribe({
      next: (h) => {
        this.series.set(seriesFromHistory(h.points ?? []));
        this.historyLoading.set(false);
      },
      error: () => this.historyLoading.set(false),
    });
  }

  private followLive(id: string): void {
    const sub = new Subscription();
    sub.add(this.live.subscribeServer(id).subscribe());
    sub.add(
      this.live
        .on('metrics')
        .pipe(filter((m) => m.serverId === id))
        .subscribe(({ sample }) => {
          this.latest.set(sample);
          this.latestLoaded.set(true);
          this.series.update((s) => appendSample(s, sample, this.rangeMs()));
          this.server.update((srv) => (srv ? { ...srv, status: 'online', lastSeen: sample.timestamp } : srv));
        }),
    );
    sub.add(
      this.live
        .on('server_status')
        .pipe(filter((e) => e.serverId === id))
        .subscribe((e) => this.server.update((srv) => (srv ? { ...srv, status: e.status, lastSeen: e.lastSeen ?? srv.lastSeen } : srv))),
    );
    this.liveSub = sub;
  }
}
