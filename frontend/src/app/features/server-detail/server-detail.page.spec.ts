import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { AfterViewInit, Directive, OnChanges, input, output } from '@angular/core';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import { By } from '@angular/platform-browser';
import { provideRouter } from '@angular/router';
import type { AlertThreshold, MetricsSample } from '@chatops/protocol';
import { NgxEchartsDirective } from 'ngx-echarts';
import { server } from '../../../testing/auth-fixtures';
import { q, qa, text } from '../../../testing/dom';
import { FakeLiveSocketService } from '../../../testing/fake-live-socket';
import { LiveSocketService } from '../../core/live/live-socket.service';
import { ServerContext } from './server-context';
import { ServerDetailPage } from './server-detail.page';

/**
 * Stands in for an ECharts instance: records setOption calls and keeps what the chart would show,
 * with ECharts' semantics for what the page uses (notMerge replaces everything; a merge merges
 * each series by index, and a series' `data` given in a merge replaces the old data).
 */
class FakeChart {
  readonly calls: { option: any; notMerge: boolean }[] = [];
  readonly actions: any[] = [];
  readonly handlers = new Map<string, (e: unknown) => void>();
  shown: any = {};
  group = '';
  private disposed = false;

  on(event: string, handler: (e: unknown) => void): void {
    this.handlers.set(event, handler);
  }
  dispatchAction(action: any): void {
    this.actions.push(action);
  }
  getWidth(): number {
    return 600;
  }
  getDom(): HTMLElement {
    return document.createElement('div'); // no layout in jsdom: clientWidth 0, so the page asks getWidth()
  }

  setOption(option: any, opts: boolean | { replaceMerge?: string[] } = false): void {
    const notMerge = opts === true;
    this.calls.push({ option, notMerge });
    if (typeof opts === 'object' && opts.replaceMerge?.includes('series')) this.shown = { ...this.shown, ...option, series: (option.series ?? []).map((s: any) => ({ ...s })) };
    else if (notMerge) this.shown = { ...option, series: (option.series ?? []).map((s: any) => ({ ...s })) };
    else {
      const series = [...(this.shown.series ?? [])];
      (option.series ?? []).forEach((s: any, i: number) => (series[i] = { ...series[i], ...s }));
      const merged: any = { ...this.shown, ...option, series };
      for (const k of ['xAxis', 'yAxis', 'tooltip']) if (option[k]) merged[k] = { ...this.shown[k], ...option[k] };
      this.shown = merged;
    }
  }
  isDisposed(): boolean {
    return this.disposed;
  }
  dispose(): void {
    this.disposed = true;
  }
}

/**
 * Stands in for ngx-echarts (no canvas in jsdom): like it, it emits (chartInit) with the instance
 * and then applies [options] with notMerge, and re-applies [options] whenever that input changes.
 */
@Directive({ selector: '[echarts]' })
class EchartsStub implements AfterViewInit, OnChanges {
  readonly options = input<any>();
  readonly theme = input<any>();
  readonly chartInit = output<FakeChart>();
  readonly chart = new FakeChart();
  private created = false;

  ngAfterViewInit(): void {
    this.created = true;
    this.chartInit.emit(this.chart);
    this.chart.setOption(this.options(), true);
  }
  ngOnChanges(): void {
    if (this.created) this.chart.setOption(this.options(), true);
  }
}

/** Animation frames under the test's control; Angular's own scheduler falls back to setTimeout. */
class Frames {
  private readonly pending = new Map<number, FrameRequestCallback>();
  private lastId = 0;

  install(): void {
    jest.spyOn(window, 'requestAnimationFrame').mockImplementation((cb) => {
      this.pending.set(++this.lastId, cb);
      return this.lastId;
    });
    jest.spyOn(window, 'cancelAnimationFrame').mockImplementation((id) => void this.pending.delete(id));
  }
  get count(): number {
    return this.pending.size;
  }
  /** Runs the callbacks due in the next frame (not those they request). */
  runOne(): void {
    const due = [...this.pending.values()];
    this.pending.clear();
    due.forEach((cb) => cb(performance.now()));
  }
  runAll(max = 50): void {
    for (let i = 0; this.pending.size; i++) {
      if (i === max) throw new Error(`animation frames still pending after ${max} frames`);
      this.runOne();
    }
  }
}

function sample(t: string, cpu: number, extra: Partial<MetricsSample> = {}): MetricsSample {
  return {
    seq: 1, bootId: 'b', timestamp: t,
    cpu: { percent: cpu, perCore: [cpu], load: [0.5, 0.4, 0.3], cores: 4 },
    memory: { totalBytes: 8 * 1024 ** 3, usedBytes: 2 * 1024 ** 3, availableBytes: 6 * 1024 ** 3, percent: 25, swapTotalBytes: 0, swapUsedBytes: 0 },
    disks: [{ mount: '/', fs: '/dev/sda1', type: 'ext4', totalBytes: 100 * 1024 ** 3, usedBytes: 50 * 1024 ** 3, percent: 50 }],
    network: [{ iface: 'eth0', rxBytes: 1, txBytes: 1, rxBps: 2048, txBps: 1024 }],
    processes: [
      { pid: 10, name: 'postgres', user: 'postgres', cpuPercent: 3, memBytes: 1024 ** 2 },
      { pid: 11, name: 'node', user: 'app', cpuPercent: 40, memBytes: 300 * 1024 ** 2 },
    ],
    ...extra,
  };
}

describe('ServerDetailPage', () => {
  let fixture: ComponentFixture<ServerDetailPage>;
  let http: HttpTestingController;
  let live: FakeLiveSocketService;
  const frames = new Frames();

  beforeEach(async () => {
    frames.install();
    TestBed.configureTestingModule({
      imports: [ServerDetailPage],
      // The layout provides ServerContext to its tabs; here the test module does.
      providers: [provideRouter([]), provideHttpClient(), provideHttpClientTesting(), { provide: LiveSocketService, useClass: FakeLiveSocketService }, ServerContext],
    });
    TestBed.overrideComponent(ServerDetailPage, { remove: { imports: [NgxEchartsDirective] }, add: { imports: [EchartsStub] } });
    http = TestBed.inject(HttpTestingController);
    live = TestBed.inject(LiveSocketService) as unknown as FakeLiveSocketService;
  });
  afterEach(() => {
    http.verify();
    jest.restoreAllMocks();
  });

  function stubs(): EchartsStub[] {
    return fixture.debugElement.queryAll(By.directive(EchartsStub)).map((d) => d.injector.get(EchartsStub));
  }
  function stub(testId: string): EchartsStub {
    return fixture.debugElement.query(By.css(`[data-testid=${testId}]`)).injector.get(EchartsStub);
  }
  /** The points the user sees in a line chart: what its ECharts instance holds after the frames ran. */
  function chartData(testId: string, series = 0): any[] {
    return stub(testId).chart.shown.series[series].data;
  }
  /** The same, as [time, value] pairs (isolated points are objects carrying their symbol). */
  function chartPoints(testId: string, series = 0): [number, number | null][] {
    return chartData(testId, series).map((p) => (Array.isArray(p) ? p : p.value));
  }
  function pointsLabel(testId: string): number {
    return Number(q(fixture, `[data-testid=${testId}]`).getAttribute('aria-label')?.match(/(\d+) points/)?.[1]);
  }
  const nulls: Record<string, number | null> = { cpuPercent: null, memoryPercent: null, diskPercent: null, swapPercent: null, load1: null, netRxBps: null, netTxBps: null };
  /** The `series=` columns of the history `open` answers with (aligned with its three points). */
  const detailColumns = {
    network: [
      { iface: 'eth0', rxBps: [2 * 1024 ** 2, 3 * 1024 ** 2, null], txBps: [1024, 2048, null], rxBpsMax: [0, 0, null], txBpsMax: [0, 0, null] },
      { iface: 'ens5', rxBps: [10, 20, null], txBps: [30, 40, null], rxBpsMax: [0, 0, null], txBpsMax: [0, 0, null] },
    ],
    mounts: [{ mount: '/', percent: [41, 42, null], percentMax: [41, 42, null] }, { mount: '/data', percent: [80, 80, null], percentMax: [80, 80, null] }],
    diskIo: { readBps: [100, 200, null], writeBps: [300, 400, null], readBpsMax: [100, 200, null], writeBpsMax: [300, 400, null] },
  };

  /**
   * As the layout does: the server is loaded first, then the tab is created. The 1 h history has
   * 12 s buckets from t0 (two minutes ago): values in the first two, then nothing. Returns t0.
   */
  async function open(latest: 'none' | MetricsSample, rules: AlertThreshold[] = []): Promise<number> {
    TestBed.inject(ServerContext).load('s1');
    http.expectOne('/api/v1/servers/s1').flush(server({
      id: 's1', name: 'web-1', status: 'online', lastSeen: new Date().toISOString(),
      agent: { version: '1.2.3', hostname: 'web-1.local', os: 'linux', arch: 'x64', capabilities: { exec: true, docker: false, terminal: true }, intervalSec: 5 },
    }));
    fixture = TestBed.createComponent(ServerDetailPage);
    await fixture.whenStable();
    const latestReq = http.expectOne('/api/v1/metrics/s1');
    if (latest === 'none') latestReq.flush({ statusCode: 404, message: 'No metrics yet' }, { status: 404, statusText: 'Not Found' });
    else latestReq.flush({ serverId: 's1', timestamp: latest.timestamp, sample: latest });
    const hist = http.expectOne((r) => r.url === '/api/v1/metrics/s1/history');
    expect(hist.request.params.get('points')).toBe('300');
    const start = Date.parse(hist.request.params.get('start')!), end = Date.parse(hist.request.params.get('end')!);
    expect(end - start).toBe(3_600_000); // default range 1h
    // the per-interface, per-mount and disk I/O series come with the same request
    expect(hist.request.params.get('series')).toBe('network,mounts,diskio');
    const t0 = Date.now() - 120_000;
    hist.flush({ serverId: 's1', start: '', end: '', resolution: '12s', source: 'raw', points: [
      { timestamp: new Date(t0).toISOString(), cpuPercent: 10, memoryPercent: 20, diskPercent: 50, swapPercent: 5, load1: 0.1, netRxBps: 1, netTxBps: 2 },
      { timestamp: new Date(t0 + 12_000).toISOString(), cpuPercent: 11, memoryPercent: 21, diskPercent: 50, swapPercent: 6, load1: 0.2, netRxBps: 3, netTxBps: 4 },
      { timestamp: new Date(t0 + 24_000).toISOString(), ...nulls },
    ], series: detailColumns });
    const rulesReq = http.expectOne((r) => r.url === '/api/v1/alerts/thresholds');
    expect(rulesReq.request.params.get('serverId')).toBe('s1');
    rulesReq.flush(rules);
    await fixture.whenStable();
    frames.runAll();
    return t0;
  }

  it('seeds the gauges, disks and processes (sorted by CPU) from the latest sample', async () => {
    const t0 = await open(sample(new Date(Date.now() - 5_000).toISOString(), 12.5));
    expect(text(fixture)).toContain('Agent 1.2.3');
    expect(text(fixture)).toContain('exec on · docker off · terminal on');
    expect(q(fixture, '[data-testid=cpu-now]').textContent).toContain('CPU 13%');
    expect(q(fixture, '[data-testid=mem-now]').textContent).toContain('2.0 GiB of 8.0 GiB');
    expect(text(fixture)).toContain('50.0 GiB / 100.0 GiB');
    const procs = qa(fixture, '[data-testid=processes] tbody tr').map((r) => r.querySelector('td')?.textContent);
    expect(procs).toEqual(['node', 'postgres']);
    // The empty bucket at the end is not a point; the two values are one line.
    expect(chartData('chart-cpu')).toEqual([[t0, 10], [t0 + 12_000, 11]]);
    expect(pointsLabel('chart-cpu')).toBe(2);
    expect(qa(fixture, '.no-data')).toHaveLength(0);
    // The gauges got their value (and its formatter) through a data update too.
    const gauges = stubs().filter((s) => s.options().series[0]?.type === 'gauge');
    expect(gauges).toHaveLength(3);
    const cpuGauge = gauges[0].chart.shown.series[0];
    expect(cpuGauge.data).toEqual([{ value: 12.5, name: 'CPU' }]);
    expect(cpuGauge.detail.formatter(12.5)).toBe('13%');
    expect(cpuGauge.type).toBe('gauge'); // merged into the static option, not replacing it
  });

  it('spans the x axis over the whole range and labels the y axis in one unit', async () => {
    await open(sample(new Date(Date.now() - 5_000).toISOString(), 12.5));
    const cpu = stub('chart-cpu').chart.shown;
    expect(cpu.xAxis.max - cpu.xAxis.min).toBe(3_600_000);
    // 600 px wide: at most 8 labels of 60 px beside the y labels, on round times: 10 min apart here.
    const ticks: number[] = cpu.xAxis.axisLabel.customValues;
    expect(ticks.length).toBeLessThanOrEqual(7);
    expect(ticks.length).toBeGreaterThanOrEqual(5);
    expect(new Set(ticks.slice(1).map((t, i) => t - ticks[i]))).toEqual(new Set([600_000]));
    expect(cpu.xAxis.axisTick.customValues).toBe(ticks);
    expect(cpu.yAxis).toMatchObject({ min: 0, max: 100, interval: 25 });
    const net = stub('chart-net').chart.shown;
    expect([0, 1, 2, 3, 4].map((v) => net.yAxis.axisLabel.formatter(v))).toEqual(['0 B/s', '1 B/s', '2 B/s', '3 B/s', '4 B/s']);
    // Received and sent are told apart by more than colour, the second drawn on top.
    expect(net.series.map((s: any) => s.lineStyle.type)).toEqual(['solid', 'dashed']);
  });

  it('draws network by interface (received solid, sent dashed, one colour each), disk I/O, swap and usage by mount', async () => {
    const t0 = await open(sample(new Date(Date.now() - 5_000).toISOString(), 12.5));
    const netIf = stub('chart-net-if').chart.shown;
    expect(netIf.series.map((s: any) => s.name)).toEqual(['eth0 received', 'eth0 sent', 'ens5 received', 'ens5 sent']);
    expect(netIf.series.map((s: any) => s.lineStyle.type)).toEqual(['solid', 'dashed', 'solid', 'dashed']);
    expect(netIf.series[0].lineStyle.color).toBe(netIf.series[1].lineStyle.color);
    expect(netIf.series[0].lineStyle.color).not.toBe(netIf.series[2].lineStyle.color);
    expect(netIf.legend.data).toEqual(['eth0 received', 'eth0 sent', 'ens5 received', 'ens5 sent']);
    expect(netIf.series[0].data).toEqual([[t0, 2 * 1024 ** 2], [t0 + 12_000, 3 * 1024 ** 2]]);
    // one unit on the axis for every interface: ens5's 10 B/s is written in MiB/s too
    expect(netIf.yAxis.axisLabel.formatter(netIf.yAxis.interval)).toMatch(/MiB\/s$/);
    expect(netIf.tooltip.valueFormatter(10)).toMatch(/MiB\/s$/);
    expect(chartPoints('chart-disk-io', 1)).toEqual([[t0, 300], [t0 + 12_000, 400]]);
    expect(chartPoints('chart-swap')).toEqual([[t0, 5], [t0 + 12_000, 6]]);
    const mounts = stub('chart-mounts').chart.shown;
    expect(mounts.series.map((s: any) => s.name)).toEqual(['/', '/data']);
    expect(mounts.yAxis).toMatchObject({ min: 0, max: 100 });
    expect(q(fixture, '[data-testid=chart-net-if]').getAttribute('aria-label')).toContain('2 interfaces');
    expect(qa(fixture, '.no-data')).toHaveLength(0);

    // A live sample extends them: eth0 gets its point, ens5 (not in the sample) a null, so its line stops there.
    const now = Date.now();
    live.emit('metrics', { serverId: 's1', sample: sample(new Date(now).toISOString(), 5, { diskIo: { readBps: 1, writeBps: 2 } }) });
    await fixture.whenStable();
    frames.runAll();
    const liveNet = stub('chart-net-if').chart.shown.series;
    expect(liveNet[0].data.at(-1)).toEqual({ value: [now, 2048], symbol: 'circle', symbolSize: 6 }); // after a break: a lone point
    expect(liveNet[2].data.at(-1)[1]).toBeNull();
    expect(chartPoints('chart-disk-io', 1).at(-1)).toEqual([now, 2]);

    // A range with none of them (an agent without disk I/O, a host without swap): the lines of the
    // previous data go, and each chart says so.
    qa<HTMLElement>(fixture, 'mat-button-toggle button').find((b) => b.textContent?.trim() === '6h')!.click();
    await fixture.whenStable();
    http.expectOne((r) => r.url === '/api/v1/metrics/s1/history').flush({ serverId: 's1', start: '', end: '', resolution: '1m', source: '1m',
      points: [{ timestamp: new Date(t0).toISOString(), ...nulls, cpuPercent: 3 }], series: { network: [], mounts: [], diskIo: { readBps: [null], writeBps: [null], readBpsMax: [null], writeBpsMax: [null] } } });
    await fixture.whenStable();
    frames.runAll();
    expect(stub('chart-net-if').chart.shown.series).toEqual([]);
    for (const id of ['net-if', 'disk-io', 'swap', 'mounts']) expect(qa(fixture, `[data-testid=no-data-${id}]`)).toHaveLength(1);
  });

  it('shows "waiting for the first sample" when there is none yet, then appends a live metrics event after a break', async () => {
    const t0 = await open('none');
    expect(q(fixture, '[data-testid=waiting-sample]').textContent).toContain('Waiting for the first sample');
    expect(live.subscribedServers).toEqual(['s1']);

    const now = new Date(t0 + 120_000).toISOString();
    live.emit('metrics', { serverId: 'other', sample: sample(now, 99) });
    await fixture.whenStable();
    expect(qa(fixture, '[data-testid=waiting-sample]')).toHaveLength(1);

    live.emit('metrics', { serverId: 's1', sample: sample(now, 77) });
    await fixture.whenStable();
    expect(qa(fixture, '[data-testid=waiting-sample]')).toHaveLength(0);
    expect(q(fixture, '[data-testid=cpu-now]').textContent).toContain('CPU 77%');
    expect(pointsLabel('chart-cpu')).toBe(4);
    expect(chartData('chart-cpu')).toHaveLength(2); // drawn on a later animation frame
    frames.runAll();
    // 96 s without a sample is a gap: the line breaks, and the lone new point gets a symbol.
    expect(chartData('chart-cpu')).toEqual([[t0, 10], [t0 + 12_000, 11], [t0 + 24_000, null], { value: [t0 + 120_000, 77], symbol: 'circle', symbolSize: 6 }]);
  });

  it('draws a burst of live samples with at most one chart update per frame, newest data only, keeping the options', async () => {
    const t0 = await open(sample(new Date(Date.now() - 5_000).toISOString(), 12.5));
    const charts = stubs();
    expect(charts).toHaveLength(11); // 8 line charts, 3 gauges
    const options = charts.map((s) => s.options());
    charts.forEach((s) => s.chart.calls.splice(0));

    const base = t0 + 12_000; // the newest bucket with data
    for (let i = 1; i <= 5; i++) {
      live.emit('metrics', { serverId: 's1', sample: sample(new Date(base + i * 12_000).toISOString(), 20 + i) });
      await fixture.whenStable();
    }
    expect(pointsLabel('chart-cpu')).toBe(7);
    expect(pointsLabel('chart-mem')).toBe(7);

    const callsSoFar = () => charts.reduce((n, s) => n + s.chart.calls.length, 0);
    let frameCount = 0;
    while (frames.count) {
      const before = callsSoFar();
      frames.runOne();
      frameCount++;
      expect(callsSoFar() - before).toBeLessThanOrEqual(1);
    }
    expect(frameCount).toBe(11); // one frame per chart, not one per sample
    for (const s of charts) {
      expect(s.chart.calls).toHaveLength(1);
      expect(s.chart.calls[0].notMerge).toBe(false); // merged: the rest of the option stays
    }
    // Nothing rebuilt the static options (ngx-echarts would re-apply them with notMerge).
    charts.forEach((s, i) => expect(s.options()).toBe(options[i]));

    const cpu = chartPoints('chart-cpu');
    expect(cpu).toHaveLength(7);
    expect(cpu[6]).toEqual([base + 60_000, 25]);
    expect(stub('chart-cpu').chart.shown.toolbox.feature.dataZoom).toBeDefined(); // the static parts survived the merges
    const cpuGauge = charts.find((s) => s.options().series[0]?.type === 'gauge')!.chart.shown.series[0];
    expect(cpuGauge.data).toEqual([{ value: 25, name: 'CPU' }]);
  });

  it('replaces the chart data when another range is picked, and shows a lone bucket with a symbol', async () => {
    await open('none');
    const toggle = qa(fixture, 'mat-button-toggle button').find((b) => b.textContent?.trim() === '7d')!;
    toggle.click();
    await fixture.whenStable();
    const hist = http.expectOne((r) => r.url === '/api/v1/metrics/s1/history');
    const span = Date.parse(hist.request.params.get('end')!) - Date.parse(hist.request.params.get('start')!);
    expect(span).toBe(7 * 24 * 3_600_000);
    // Under an hour of history at 7 d: one hourly bucket among 167 empty ones.
    const first = Math.floor((Date.now() - span) / 3_600_000) * 3_600_000;
    const points: Record<string, unknown>[] = Array.from({ length: 168 }, (_, i) => ({ timestamp: new Date(first + i * 3_600_000).toISOString(), ...nulls }));
    const t = first + 167 * 3_600_000;
    points[167] = { timestamp: new Date(t).toISOString(), cpuPercent: 55, memoryPercent: 60, diskPercent: 50, load1: 1.5, netRxBps: 10, netTxBps: 20 };
    hist.flush({ serverId: 's1', start: '', end: '', resolution: '1h', source: '1h', points });
    await fixture.whenStable();
    frames.runAll();

    const dot = (v: number) => [{ value: [t, v], symbol: 'circle', symbolSize: 6 }];
    expect(chartData('chart-cpu')).toEqual(dot(55));
    expect(chartData('chart-mem')).toEqual(dot(60));
    expect(pointsLabel('chart-cpu')).toBe(1);
    const net = stub('chart-net');
    expect(net.chart.shown.series.map((s: any) => s.data)).toEqual([dot(10), dot(20)]);
    expect(net.chart.calls.every((c, i) => i === 0 || !c.notMerge)).toBe(true);
    expect(net.chart.shown.xAxis.axisLabel.formatter(new Date(2026, 10, 2, 0, 0).getTime())).toBe('Nov 2');
  });

  it('says "No data in this range yet" for a range without samples, until one arrives', async () => {
    await open('none');
    qa(fixture, 'mat-button-toggle button').find((b) => b.textContent?.trim() === '15m')!.click();
    await fixture.whenStable();
    const hist = http.expectOne((r) => r.url === '/api/v1/metrics/s1/history');
    const start = Date.parse(hist.request.params.get('start')!);
    hist.flush({ serverId: 's1', start: '', end: '', resolution: '5s', source: 'raw', points: Array.from({ length: 180 }, (_, i) => ({ timestamp: new Date(start + i * 5000).toISOString(), ...nulls })) });
    await fixture.whenStable();
    expect(qa(fixture, '.no-data').map((e) => e.textContent?.trim())).toEqual(Array(8).fill('No data in this range yet'));
    live.emit('metrics', { serverId: 's1', sample: sample(new Date().toISOString(), 5) });
    await fixture.whenStable();
    // The sample has an interface and a mount, but no disk I/O and no swap: those charts still say so.
    expect(qa(fixture, '.no-data').map((e) => e.getAttribute('data-testid'))).toEqual(['no-data-disk-io', 'no-data-swap']);
  });

  it('connects the line charts (one crosshair and tooltip) and refetches a range dragged on a chart', async () => {
    await open(sample(new Date(Date.now() - 5_000).toISOString(), 12.5));
    const lines = ['chart-cpu', 'chart-mem', 'chart-load', 'chart-net', 'chart-net-if', 'chart-disk-io', 'chart-swap', 'chart-mounts'].map(stub);
    expect(new Set(lines.map((s) => s.chart.group)).size).toBe(1);
    expect(lines[0].chart.group).toMatch(/^server-detail-/);

    const from = Date.now() - 20 * 60_000, to = Date.now() - 10 * 60_000;
    lines[1].chart.handlers.get('datazoom')!({ type: 'datazoom', batch: [{ startValue: from, endValue: to }] });
    lines[0].chart.handlers.get('datazoom')!({ type: 'datazoom', batch: [{ startValue: from, endValue: to }] }); // the connected echo
    await fixture.whenStable();
    const hist = http.expectOne((r) => r.url === '/api/v1/metrics/s1/history');
    expect([hist.request.params.get('start'), hist.request.params.get('end')]).toEqual([new Date(from).toISOString(), new Date(to).toISOString()]);
    expect(q(fixture, '[data-testid=custom-range]').textContent).toContain('Selected range');
    expect(lines[0].chart.actions).toContainEqual({ type: 'dataZoom', start: 0, end: 100 });
    hist.flush({ serverId: 's1', start: '', end: '', resolution: '5s', source: 'raw', points: [
      { timestamp: new Date(from).toISOString(), cpuPercent: 30, memoryPercent: 20, diskPercent: 50, load1: 0.1, netRxBps: 1, netTxBps: 2 },
      { timestamp: new Date(from + 5000).toISOString(), cpuPercent: 31, memoryPercent: 20, diskPercent: 50, load1: 0.1, netRxBps: 1, netTxBps: 2 },
    ] });
    await fixture.whenStable();
    // A picked range stays put: live samples do not move it.
    live.emit('metrics', { serverId: 's1', sample: sample(new Date().toISOString(), 90) });
    await fixture.whenStable();
    frames.runAll();
    expect(chartPoints('chart-cpu')).toEqual([[from, 30], [from + 5000, 31]]);
    expect(lines[0].chart.shown.xAxis).toMatchObject({ min: from, max: to });

    qa(fixture, '[data-testid=custom-range] button')[0].click();
    await fixture.whenStable();
    const back = http.expectOne((r) => r.url === '/api/v1/metrics/s1/history');
    expect(Date.parse(back.request.params.get('end')!) - Date.parse(back.request.params.get('start')!)).toBe(3_600_000);
    back.flush({ serverId: 's1', start: '', end: '', resolution: '12s', source: 'raw', points: [] });
    await fixture.whenStable();
    expect(qa(fixture, '[data-testid=custom-range]')).toHaveLength(0);
  });

  it('keeps the last process list (with its age) while samples without one arrive, and marks high values with a word', async () => {
    await open(sample(new Date(Date.now() - 5_000).toISOString(), 12.5));
    const procNames = () => qa(fixture, '[data-testid=processes] tbody tr').map((r) => r.querySelector('td')?.textContent?.trim());
    live.emit('metrics', { serverId: 's1', sample: sample(new Date().toISOString(), 97, { processes: undefined }) });
    await fixture.whenStable();
    expect(procNames()).toEqual(['node', 'postgres']);
    expect(q(fixture, '[data-testid=processes-age]').textContent).toContain('As of');
    // CPU 97 % is over the default critical threshold (95 %): said in words, and the gauge turns red.
    expect(q(fixture, '[data-testid=cpu-now]').textContent).toContain('critical');
    expect(q(fixture, '[data-testid=mem-now]').textContent).not.toMatch(/warning|critical/);
    frames.runAll();
    const cpuGauge = stubs().find((s) => s.options().series[0]?.type === 'gauge')!.chart.shown.series[0];
    expect(cpuGauge.progress.itemStyle.color).toBe('#d93025');
  });

  it('shows the process list the backend holds when the newest sample has none', async () => {
    const at = new Date(Date.now() - 20_000).toISOString();
    TestBed.inject(ServerContext).load('s1');
    http.expectOne('/api/v1/servers/s1').flush(server({ id: 's1', name: 'web-1', status: 'online', lastSeen: new Date().toISOString() }));
    fixture = TestBed.createComponent(ServerDetailPage);
    await fixture.whenStable();
    const latest = sample(new Date().toISOString(), 10, { processes: undefined });
    http.expectOne('/api/v1/metrics/s1').flush({ serverId: 's1', timestamp: latest.timestamp, sample: latest,
      processes: { timestamp: at, list: [{ pid: 7, name: 'redis-server', user: 'redis', cpuPercent: 2, memBytes: 1024 }] } });
    http.expectOne((r) => r.url === '/api/v1/metrics/s1/history').flush({ serverId: 's1', start: '', end: '', resolution: '12s', source: 'raw', points: [] });
    http.expectOne((r) => r.url === '/api/v1/alerts/thresholds').flush([]);
    await fixture.whenStable();
    expect(qa(fixture, '[data-testid=processes] tbody tr').map((r) => r.querySelector('td')?.textContent?.trim())).toEqual(['redis-server']);
    expect(q(fixture, '[data-testid=processes-age]').textContent).toContain('As of 20 s ago');
  });

  it("greys an offline server's last values and says how old they are", async () => {
    await open(sample(new Date(Date.now() - 3 * 60_000).toISOString(), 97));
    expect(qa(fixture, '[data-testid=stale-note]')).toHaveLength(0);
    live.emit('server_status', { serverId: 's1', status: 'offline', lastSeen: new Date(Date.now() - 3 * 60_000).toISOString() });
    await fixture.whenStable();
    expect(q(fixture, '[data-testid=stale-note]').textContent).toMatch(/Offline\s+Last values, as of 3 min ago/);
    expect(q(fixture, '.gauges').classList).toContain('stale');
    expect(q(fixture, '[data-testid=cpu-now]').textContent).not.toContain('critical'); // not a current state
    frames.runAll();
    const cpuGauge = stubs().find((s) => s.options().series[0]?.type === 'gauge')!.chart.shown.series[0];
    expect(cpuGauge.progress.itemStyle.color).toBe('#9e9e9e');
  });

  it("draws the thresholds of the server's alert rules on their charts, in words", async () => {
    const rule = (over: Partial<AlertThreshold>): AlertThreshold => ({
      id: 'r', serverId: 's1', metricType: 'cpu', comparison: 'gt', thresholdValue: 90, enabled: true, severity: 'critical', durationSec: 60,
      clearValue: null, target: null, channelIds: [], name: null, description: null, createdBy: null, createdByUsername: null, createdAt: '', updatedAt: '', ...over,
    });
    await open(sample(new Date(Date.now() - 5_000).toISOString(), 12.5), [
      rule({}),
      rule({ metricType: 'network_tx', comparison: 'gte', thresholdValue: 3 * 1024, severity: 'warning' }),
      rule({ metricType: 'memory', enabled: false }),
      rule({ metricType: 'network_rx', target: 'eth0' }), // one interface: not the total the chart shows
    ]);
    const marks = (testId: string) => stub(testId).chart.shown.series[0].markLine.data;
    expect(marks('chart-cpu')).toEqual([expect.objectContaining({ yAxis: 90, name: 'critical > 90%' })]);
    expect(marks('chart-mem')).toEqual([]);
    expect(marks('chart-net')).toEqual([expect.objectContaining({ yAxis: 3072, name: 'warning ≥ 3.0 KiB/s sent' })]);
    // The network axis reaches the threshold (the data is a few B/s).
    expect(stub('chart-net').chart.shown.yAxis.max).toBeGreaterThanOrEqual(3072);
  });

  it('reads the server again once when samples arrive but its agent info is missing (read before the hello)', async () => {
    TestBed.inject(ServerContext).load('s1');
    http.expectOne('/api/v1/servers/s1').flush(server({ id: 's1', name: 'web-1', status: 'online', lastSeen: new Date().toISOString(), agent: null }));
    fixture = TestBed.createComponent(ServerDetailPage);
    await fixture.whenStable();
    http.expectOne('/api/v1/metrics/s1').flush({ statusCode: 404, message: 'No metrics yet' }, { status: 404, statusText: 'Not Found' });
    http.expectOne((r) => r.url === '/api/v1/metrics/s1/history').flush({ serverId: 's1', start: '', end: '', resolution: '12s', source: 'raw', points: [] });
    http.expectOne((r) => r.url === '/api/v1/alerts/thresholds').flush([]);
    await fixture.whenStable();
    expect(text(fixture)).toContain('No agent has connected yet');
    live.emit('metrics', { serverId: 's1', sample: sample(new Date().toISOString(), 5) });
    live.emit('metrics', { serverId: 's1', sample: sample(new Date(Date.now() + 1000).toISOString(), 6) });
    await fixture.whenStable();
    http.expectOne('/api/v1/servers/s1').flush(server({ id: 's1', name: 'web-1', status: 'online', lastSeen: new Date().toISOString(),
      agent: { version: '1.2.3', hostname: 'web-1.local', os: 'linux', arch: 'x64', capabilities: { exec: true, docker: false, terminal: true }, intervalSec: 1 } }));
    await fixture.whenStable();
    expect(text(fixture)).toContain('Agent 1.2.3');
  });

  it('stops drawing when the page is destroyed', async () => {
    await open(sample(new Date(Date.now() - 5_000).toISOString(), 12.5));
    live.emit('metrics', { serverId: 's1', sample: sample(new Date().toISOString(), 30) });
    await fixture.whenStable();
    const charts = stubs();
    const calls = charts.map((s) => s.chart.calls.length);
    fixture.destroy();
    frames.runAll();
    expect(charts.map((s) => s.chart.calls.length)).toEqual(calls);
  });
});
