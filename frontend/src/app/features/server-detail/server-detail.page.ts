import { ChangeDetectionStrategy, Component, DestroyRef, Signal, computed, effect, inject, signal, untracked } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatButtonToggleModule } from '@angular/material/button-toggle';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { RouterLink } from '@angular/router';
import type { AlertThreshold, DiskUsage, MetricsSample, ProcessSummary } from '@chatops/protocol';
import type { ECharts, EChartsCoreOption } from 'echarts/core';
import { NgxEchartsDirective } from 'ngx-echarts';
import { Subscription, filter } from 'rxjs';
import { AlertsApi } from '../../core/api/alerts-api.service';
import { MetricsApi } from '../../core/api/metrics-api.service';
import { LiveSocketService } from '../../core/live/live-socket.service';
import { ThemeService } from '../../core/theme/theme.service';
import { formatUptime } from '../../shared/format/format';
import { BpsPipe, BytesPipe, Percent1Pipe, RelativeTimePipe } from '../../shared/format/format.pipes';
import { Level, ThresholdsService, levelOf } from '../../shared/thresholds/thresholds';
import { EmptyStateComponent } from '../../shared/ui/empty-state.component';
import { SkeletonListComponent } from '../../shared/ui/skeleton-list.component';
import { ChartFrame, gaugeData, gaugeOption, historyLineOption, lineData, namedLinesData } from './chart-options';
import { DetailSeries, appendDetail, detailFromHistory, emptyDetail, mountLines, networkLines } from './detail-series';
import { echarts } from './echarts-setup';
import { FrameStagger } from './frame-stagger';
import { DEFAULT_INTERVAL_MS, MetricSeries, RANGES, RangeKey, appendSample, emptySeries, hasValues, seriesFromHistory, totalRxBps, totalTxBps } from './metrics-series';
import { ProcessTableComponent } from './process-table.component';
import { ServerContext } from './server-context';
import { thresholdLines } from './threshold-lines';
import { customRangeLabel, zoomRange } from './zoom-range';

const TOP_PROCESSES = 15;
/** How often ages ("as of 3 min ago") are brought up to date. */
const CLOCK_MS = 5_000;

type ChartKey = 'cpu' | 'mem' | 'load' | 'net' | 'swap' | 'netIf' | 'diskIo' | 'mounts' | 'cpuGauge' | 'memGauge' | 'diskGauge';
const LINE_CHARTS: ChartKey[] = ['cpu', 'mem', 'load', 'net', 'swap', 'netIf', 'diskIo', 'mounts'];
/** Charts whose lines come with the data (one per interface or mount): set with replaceMerge. */
const NAMED_LINE_CHARTS: ChartKey[] = ['netIf', 'mounts'];
/** Asked for with the page's one history request (the other charts need no second one). */
const DETAIL_SERIES = ['network', 'mounts', 'diskio'] as const;
let groupSeq = 0;

/**
 * The Overview tab of `/servers/:id`: agent, gauges, history charts (ECharts) with live points,
 * disks and processes. The server itself (header, not-found) comes from the layout's ServerContext.
 */
@Component({
  selector: 'app-server-detail-page',
  imports: [RouterLink, MatButtonModule, MatButtonToggleModule, MatProgressBarModule, NgxEchartsDirective, EmptyStateComponent, SkeletonListComponent, ProcessTableComponent, BytesPipe, BpsPipe, Percent1Pipe, RelativeTimePipe],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './server-detail.page.html',
  styleUrl: './server-detail.page.scss',
  providers: [FrameStagger],
})
export class ServerDetailPage {
  private readonly ctx = inject(ServerContext);
  private readonly metricsApi = inject(MetricsApi);
  private readonly alertsApi = inject(AlertsApi);
  private readonly live = inject(LiveSocketService);
  private readonly destroyRef = inject(DestroyRef);
  private readonly stagger = inject(FrameStagger);
  protected readonly theme = inject(ThemeService);
  private readonly id = this.ctx.id;

  protected readonly ranges = RANGES;
  protected readonly server = this.ctx.server;
  /** Latest sample (REST seed, then live); null = no sample yet. */
  protected readonly latest = signal<MetricsSample | null>(null);
  protected readonly latestLoaded = signal(false);
  protected readonly range = signal<RangeKey>('1h');
  /** A range picked by dragging across a chart; null = the preset `range` up to now. */
  protected readonly custom = signal<{ startMs: number; endMs: number } | null>(null);
  protected readonly customLabel = computed(() => (this.custom() ? customRangeLabel(this.custom()!) : ''));
  /** What the x axes span: the fetched range, moved along by live samples on a preset range. */
  private readonly window = signal({ startMs: Date.now() - 3_600_000, endMs: Date.now() });
  /** Width of a line chart in px (they share the grid's column width): how many time labels fit. */
  private readonly chartWidth = signal(420);
  /** The agent's sample interval: the narrowest bucket, and what counts as a gap. */
  private readonly intervalMs = computed(() => (this.server()?.agent?.intervalSec ?? DEFAULT_INTERVAL_MS / 1000) * 1000);
  protected readonly historyLoading = signal(false);
  protected readonly series = signal<MetricSeries>(emptySeries());
  /** Per-interface network, per-mount usage and disk I/O: the history's, then live. */
  protected readonly detail = signal<DetailSeries>(emptyDetail());

  protected readonly rangeMs = computed(() => RANGES.find((r) => r.key === this.range())!.ms);
  protected readonly chartTheme = computed(() => (this.theme.isDark() ? 'dark' : ''));

  /*
   * Charts: [options] holds only the static part of each chart and never changes, so ngx-echarts
   * sets it once, when it creates the chart. The data goes straight to the ECharts instance (see
   * drawChart) in merge mode, which keeps the user's zoom, one chart per animation frame.
   */
  protected readonly cpuChart = historyLineOption(['CPU']);
  protected readonly memChart = historyLineOption(['Memory']);
  protected readonly loadChart = historyLineOption(['Load (1 min)']);
  protected readonly netChart = historyLineOption(['Received', 'Sent']);
  protected readonly swapChart = historyLineOption(['Swap']);
  protected readonly netIfChart = historyLineOption([], true);
  protected readonly diskIoChart = historyLineOption(['Read', 'Write']);
  protected readonly mountsChart = historyLineOption([], true);
  /** Whether each line chart has anything to draw ("no data in this range yet" otherwise). */
  protected readonly hasData = computed(() => {
    const s = this.series();
    const d = this.detail();
    return {
      cpu: hasValues(s.cpu), mem: hasValues(s.memory), load: hasValues(s.load1), net: hasValues(s.rx) || hasValues(s.tx), swap: hasValues(s.swap),
      netIf: d.network.some((n) => hasValues(n.rx) || hasValues(n.tx)), diskIo: hasValues(d.read) || hasValues(d.write), mounts: d.mounts.some((m) => hasValues(m.percent)),
    };
  });
  private readonly frame = computed((): ChartFrame => ({ ...this.window(), widthPx: this.chartWidth() }));
  /** The line charts share one crosshair, tooltip and zoom (echarts.connect). */
  private readonly group = `server-detail-${++groupSeq}`;
  private readonly zoomArmed = new WeakSet<ECharts>();
  /** The alert rules that apply to this server: their thresholds are drawn on the charts. */
  private readonly rules = signal<AlertThreshold[]>([]);
  private readonly thresholdLines = computed(() => thresholdLines(this.rules()));
  private widthObserver: ResizeObserver | null = null;
  protected readonly cpuGauge = gaugeOption();
  protected readonly memGauge = gaugeOption();
  protected readonly diskGauge = gaugeOption();

  protected readonly rootDisk = computed((): DiskUsage | null => {
    const disks = this.latest()?.disks ?? [];
    return disks.find((d) => d.mount === '/') ?? [...disks].sort((a, b) => b.percent - a.percent)[0] ?? null;
  });
  /** The last process list the agent sent (every sixth sample), kept with its time until the next. */
  protected readonly processList = signal<{ list: ProcessSummary[]; at: string } | null>(null);
  protected readonly processes = computed(() =>
    [...(this.processList()?.list ?? [])].sort((a, b) => b.cpuPercent - a.cpuPercent).slice(0, TOP_PROCESSES),
  );
  /** A clock for the ages shown, ticking every few seconds. */
  protected readonly clock = signal(Date.now());
  /** The values shown are not live: the server is not online (they are its last ones). */
  protected readonly stale = computed(() => !!this.latest() && this.server()?.status !== 'online');
  protected readonly thresholds = inject(ThresholdsService).thresholds;
  protected readonly levels = computed(() => {
    const m = this.latest(), t = this.thresholds();
    return {
      cpu: levelOf(m?.cpu.percent, t.cpu),
      memory: levelOf(m?.memory.percent, t.memory),
      disk: levelOf(this.rootDisk()?.percent, t.disk),
    };
  });
  protected readonly swapPercent = computed(() => {
    const m = this.latest()?.memory;
    return m && m.swapTotalBytes ? (m.swapUsedBytes / m.swapTotalBytes) * 100 : null;
  });
  protected readonly rx = computed(() => (this.latest() ? totalRxBps(this.latest()!) : null));
  protected readonly tx = computed(() => (this.latest() ? totalTxBps(this.latest()!) : null));
  protected readonly uptime = computed(() => formatUptime(this.latest()?.uptimeSec));

  private readonly chartData: Record<ChartKey, Signal<EChartsCoreOption>> = {
    cpu: computed(() => lineData('percent', this.frame(), [this.series().cpu], this.thresholdLines().cpu)),
    mem: computed(() => lineData('percent', this.frame(), [this.series().memory], this.thresholdLines().mem)),
    load: computed(() => lineData('plain', this.frame(), [this.series().load1], this.thresholdLines().load)),
    net: computed(() => lineData('bps', this.frame(), [this.series().rx, this.series().tx], this.thresholdLines().net)),
    swap: computed(() => lineData('percent', this.frame(), [this.series().swap], this.thresholdLines().swap)),
    netIf: computed(() => namedLinesData('bps', this.frame(), networkLines(this.detail()))),
    diskIo: computed(() => lineData('bps', this.frame(), [this.detail().read, this.detail().write])),
    mounts: computed(() => namedLinesData('percent', this.frame(), mountLines(this.detail()))),
    cpuGauge: computed(() => gaugeData('CPU', this.latest()?.cpu.percent ?? null, this.stale() ? 'stale' : this.levels().cpu)),
    memGauge: computed(() => gaugeData('Memory', this.latest()?.memory.percent ?? null, this.stale() ? 'stale' : this.levels().memory)),
    diskGauge: computed(() => gaugeData(`Disk ${this.rootDisk()?.mount ?? ''}`, this.rootDisk()?.percent ?? null, this.stale() ? 'stale' : this.levels().disk)),
  };
  /** The ECharts instances, from (chartInit); replaced when ngx-echarts recreates a chart (theme change). */
  private readonly charts = new Map<ChartKey, ECharts>();

  private liveSub: Subscription | null = null;
  private historySub: Subscription | null = null;

  constructor() {
    effect(() => {
      const id = this.id();
      untracked(() => this.load(id));
    });
    for (const key of Object.keys(this.chartData) as ChartKey[]) {
      effect(() => this.drawChart(key, this.chartData[key]()));
    }
    const clock = setInterval(() => this.clock.set(Date.now()), CLOCK_MS);
    this.destroyRef.onDestroy(() => {
      clearInterval(clock);
      this.liveSub?.unsubscribe();
      this.historySub?.unsubscribe();
      echarts.disconnect(this.group);
      this.widthObserver?.disconnect();
    });
  }

  protected chartReady(key: ChartKey, chart: ECharts): void {
    this.charts.set(key, chart);
    if (LINE_CHARTS.includes(key)) {
      chart.group = this.group;
      echarts.connect(this.group);
      chart.on('datazoom', (e) => this.zoomed(e));
    }
    // The charts share the grid's column width: the CPU chart's element tells how many time labels fit
    // (its element, not ECharts, which resizes later); a window resize or the sidenav changes it.
    if (key === 'cpu') {
      this.widthObserver?.disconnect();
      this.widthObserver = new ResizeObserver(() => this.measure(chart));
      this.widthObserver.observe(chart.getDom());
      this.measure(chart);
    }
    // Must not draw synchronously: ngx-echarts applies [options] (empty data) right after chartInit.
    this.drawChart(key, this.chartData[key]());
  }

  /** Queues the data of one chart; only its newest data is drawn, at most one chart per frame. */
  private drawChart(key: ChartKey, data: EChartsCoreOption): void {
    if (!this.charts.has(key)) return; // not created yet: chartReady draws the data then
    this.stagger.push(key, () => {
      const chart = this.charts.get(key);
      if (!chart || chart.isDisposed()) return;
      // merge: keeps the static option, replaces series data and axes (and the lines themselves where they come with the data)
      chart.setOption(data, NAMED_LINE_CHARTS.includes(key) ? { replaceMerge: ['series'] } : undefined);
      if (LINE_CHARTS.includes(key) && !this.zoomArmed.has(chart)) this.armZoom(chart);
    });
  }

  /**
   * Dragging across a chart selects a range (the toolbox's select zoom, always on). Only with a
   * mouse or pen: on a touch screen a swipe across a chart must scroll the page.
   */
  private armZoom(chart: ECharts): void {
    this.zoomArmed.add(chart);
    if (typeof matchMedia === 'function' && !matchMedia('(pointer: fine)').matches) return;
    chart.dispatchAction({ type: 'takeGlobalCursor', key: 'dataZoomSelect', dataZoomSelectActive: true });
  }

  /** A range was selected on a chart: it becomes the custom range, read again at the finer tier. */
  private zoomed(event: unknown): void {
    const picked = zoomRange(event);
    if (!picked) return; // a reset (percentages), not a selection
    const current = this.custom();
    if (current && Math.abs(current.startMs - picked.startMs) < 1000 && Math.abs(current.endMs - picked.endMs) < 1000) return; // the connected charts' echo
    this.custom.set(picked);
    this.loadHistory();
    // The data now spans just the selection: show all of it (connected: one dispatch resets all).
    this.charts.get('cpu')?.dispatchAction({ type: 'dataZoom', start: 0, end: 100 });
  }

  protected setRange(key: RangeKey): void {
    this.range.set(key);
    this.custom.set(null);
    this.loadHistory();
  }

  protected resetZoom(): void {
    this.custom.set(null);
    this.loadHistory();
  }

  private measure(chart: ECharts): void {
    const width = chart.getDom().clientWidth || chart.getWidth();
    if (width > 0 && width !== this.chartWidth()) this.chartWidth.set(width);
  }

  private load(id: string): void {
    this.liveSub?.unsubscribe();
    this.latest.set(null);
    this.processList.set(null);
    this.latestLoaded.set(false);
    this.custom.set(null);
    this.series.set(emptySeries(this.intervalMs()));
    this.detail.set(emptyDetail());
    this.seedLatest(id);
    this.loadHistory();
    this.rules.set([]);
    // Quiet: without the rules the charts are still right, only without threshold lines.
    this.alertsApi.rules(id, true).subscribe({ next: (r) => this.id() === id && this.rules.set(r), error: () => undefined });
    this.followLive(id);
  }

  private seedLatest(id: string): void {
    this.metricsApi.latest(id).subscribe({
      next: (res) => {
        // A live sample may already have arrived; keep whichever is newer.
        const current = this.latest();
        if (!current || Date.parse(current.timestamp) < Date.parse(res.sample.timestamp)) this.setLatest(res.sample);
        // The last process list the backend holds (the newest sample often has none): shown at once, with its age.
        const held = this.processList();
        if (res.processes && (!held || Date.parse(held.at) < Date.parse(res.processes.timestamp))) {
          this.processList.set({ list: res.processes.list, at: res.processes.timestamp });
        }
        this.latestLoaded.set(true);
      },
      error: () => this.latestLoaded.set(true), // 404 = no sample yet: "waiting for the first sample"
    });
  }

  protected diskLevel(percent: number): Level {
    return levelOf(percent, this.thresholds().disk);
  }

  private setLatest(sample: MetricsSample): void {
    this.latest.set(sample);
    if (sample.processes) this.processList.set({ list: sample.processes, at: sample.timestamp });
  }

  private loadHistory(): void {
    const id = this.id();
    const custom = this.custom();
    const end = new Date(custom?.endMs ?? Date.now());
    const start = new Date(custom?.startMs ?? end.getTime() - this.rangeMs());
    this.historySub?.unsubscribe();
    this.historyLoading.set(true);
    this.window.set({ startMs: start.getTime(), endMs: end.getTime() });
    this.historySub = this.metricsApi.history(id, start, end, 300, false, DETAIL_SERIES).subscribe({
      next: (h) => {
        this.series.set(seriesFromHistory(h.points ?? [], h.resolution, this.intervalMs()));
        this.detail.set(detailFromHistory(h, this.intervalMs()));
        this.historyLoading.set(false);
      },
      error: () => this.historyLoading.set(false),
    });
  }

  private followLive(id: string): void {
    // The layout's ServerContext holds the /live subscription to this server and its status.
    this.liveSub = this.live
      .on('metrics')
      .pipe(filter((m) => m.serverId === id))
      .subscribe(({ sample }) => {
        this.setLatest(sample);
        this.latestLoaded.set(true);
        this.ctx.markSeen(sample.timestamp);
        if (this.custom()) return; // a picked range stays as it is
        const before = this.series();
        this.series.set(appendSample(before, sample, this.rangeMs()));
        this.detail.set(appendDetail(this.detail(), before, sample, this.rangeMs()));
        const t = Date.parse(sample.timestamp);
        if (t > this.window().endMs) this.window.set({ startMs: t - this.rangeMs(), endMs: t });
      });
  }
}
