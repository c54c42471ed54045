import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { AfterViewInit, Directive, OnChanges, input, output } from '@angular/core';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import { By } from '@angular/platform-browser';
import { provideRouter } from '@angular/router';
import type { MetricsSample } from '@chatops/protocol';
import { NgxEchartsDirective } from 'ngx-echarts';
import { server } from '../../../testing/auth-fixtures';
import { q, qa, text } from '../../../testing/dom';
import { FakeLiveSocketService } from '../../../testing/fake-live-socket';
import { LiveSocketService } from '../../core/live/live-socket.service';
import { MAX_POINTS, appendSample, emptySeries } from './metrics-series';
import { ServerContext } from './server-context';
import { ServerDetailPage } from './server-detail.page';

/**
 * Stands in for an ECharts instance: records setOption calls and keeps what the chart would show,
 * with ECharts' semantics for what the page uses (notMerge replaces everything; a merge merges
 * each series by index, and a series' `data` given in a merge replaces the old data).
 */
class FakeChart {
  readonly calls: { option: any; notMerge: boolean }[] = [];
  shown: any = {};
  private disposed = false;

  setOption(option: any, notMerge = false): void {
    this.calls.push({ option, notMerge });
    if (notMerge) this.shown = { ...option, series: (option.series ?? []).map((s: any) => ({ ...s })) };
    else {
      const series = [...(this.shown.series ?? [])];
      (option.series ?? []).forEach((s: any, i: number) => (series[i] = { ...series[i], ...s }));
      this.shown = { ...this.shown, ...option, series };
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
  function chartData(testId: string, series = 0): [number, number | null][] {
    return stub(testId).chart.shown.series[series].data;
  }
  function pointsLabel(testId: string): number {
    return Number(q(fixture, `[data-testid=${testId}]`).getAttribute('aria-label')?.match(/(\d+) points/)?.[1]);
  }

  /** As the layout does: the server is loaded first, then the tab is created. */
  async function open(latest: 'none' | MetricsSample): Promise<void> {
    TestBed.inject(ServerContext).load('s1');
    http.expectOne('/api/v1/servers/s1').flush(server({
      id: 's1', name: 'web-1', status: 'online', lastSeen: new Date().toISOString(),
      agent: { version: '1.2.3', hostname: 'web-1.local', os: 'linux', arch: 'x64', capabilities: { exec: true, docker: false, terminal: true } },
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
    const t0 = Date.now() - 120_000;
    hist.flush({ serverId: 's1', start: '', end: '', resolution: 12, points: [
      { timestamp: new Date(t0).toISOString(), cpuPercent: 10, memoryPercent: 20, diskPercent: 50, load1: 0.1, netRxBps: 1, netTxBps: 2 },
      { timestamp: new Date(t0 + 60_000).toISOString(), cpuPercent: null, memoryPercent: null, diskPercent: null, load1: null, netRxBps: null, netTxBps: null },
    ] });
    await fixture.whenStable();
    frames.runAll();
  }

  it('seeds the gauges, disks and processes (sorted by CPU) from the latest sample', async () => {
    await open(sample(new Date(Date.now() - 5_000).toISOString(), 12.5));
    expect(text(fixture)).toContain('Agent 1.2.3');
    expect(text(fixture)).toContain('exec on · docker off · terminal on');
    expect(q(fixture, '[data-testid=cpu-now]').textContent).toContain('CPU 13%');
    expect(q(fixture, '[data-testid=mem-now]').textContent).toContain('2.0 GiB of 8.0 GiB');
    expect(text(fixture)).toContain('50.0 GiB / 100.0 GiB');
    const procs = qa(fixture, '[data-testid=processes] tbody tr').map((r) => r.querySelector('td')?.textContent);
    expect(procs).toEqual(['node', 'postgres']);
    // History nulls stay gaps in the chart.
    expect(chartData('chart-cpu').map((p) => p[1])).toEqual([10, null]);
    expect(pointsLabel('chart-cpu')).toBe(2);
    // The gauges got their value (and its formatter) through a data update too.
    const gauges = stubs().filter((s) => s.options().series[0].type === 'gauge');
    expect(gauges).toHaveLength(3);
    const cpuGauge = gauges[0].chart.shown.series[0];
    expect(cpuGauge.data).toEqual([{ value: 12.5, name: 'CPU' }]);
    expect(cpuGauge.detail.formatter(12.5)).toBe('13%');
    expect(cpuGauge.type).toBe('gauge'); // merged into the static option, not replacing it
  });

  it('shows "waiting for the first sample" when there is none yet, then appends a live metrics event', async () => {
    await open('none');
    expect(q(fixture, '[data-testid=waiting-sample]').textContent).toContain('Waiting for the first sample');
    expect(live.subscribedServers).toEqual(['s1']);

    const now = new Date().toISOString();
    live.emit('metrics', { serverId: 'other', sample: sample(now, 99) });
    await fixture.whenStable();
    expect(qa(fixture, '[data-testid=waiting-sample]')).toHaveLength(1);

    live.emit('metrics', { serverId: 's1', sample: sample(now, 77) });
    await fixture.whenStable();
    expect(qa(fixture, '[data-testid=waiting-sample]')).toHaveLength(0);
    expect(q(fixture, '[data-testid=cpu-now]').textContent).toContain('CPU 77%');
    expect(pointsLabel('chart-cpu')).toBe(3);
    expect(chartData('chart-cpu')).toHaveLength(2); // drawn on a later animation frame
    frames.runAll();
    const cpu = chartData('chart-cpu');
    expect(cpu).toHaveLength(3);
    expect(cpu[2]).toEqual([Date.parse(now), 77]);
  });

  it('draws a burst of live samples with at most one chart update per frame, newest data only, keeping the options (and zoom)', async () => {
    await open(sample(new Date(Date.now() - 5_000).toISOString(), 12.5));
    const charts = stubs();
    expect(charts).toHaveLength(7);
    const options = charts.map((s) => s.options());
    charts.forEach((s) => s.chart.calls.splice(0));

    const base = Date.now();
    for (let i = 1; i <= 5; i++) {
      live.emit('metrics', { serverId: 's1', sample: sample(new Date(base + i * 1000).toISOString(), 20 + i) });
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
    expect(frameCount).toBe(7); // one frame per chart, not one per sample
    for (const s of charts) {
      expect(s.chart.calls).toHaveLength(1);
      expect(s.chart.calls[0].notMerge).toBe(false); // merged: zoom and the rest of the option stay
    }
    // Nothing rebuilt the static options (ngx-echarts would re-apply them with notMerge).
    charts.forEach((s, i) => expect(s.options()).toBe(options[i]));

    const cpu = chartData('chart-cpu');
    expect(cpu).toHaveLength(7);
    expect(cpu[6]).toEqual([base + 5000, 25]);
    const cpuShown = stub('chart-cpu').chart.shown; // the static parts survived the merges
    expect(cpuShown.dataZoom).toHaveLength(2);
    expect(cpuShown.dataZoom[1].showDataShadow).toBe(false);
    const cpuGauge = charts.find((s) => s.options().series[0].type === 'gauge')!.chart.shown.series[0];
    expect(cpuGauge.data).toEqual([{ value: 25, name: 'CPU' }]);
  });

  it('replaces the chart data when another range is picked', async () => {
    await open('none');
    const t = Date.now();
    live.emit('metrics', { serverId: 's1', sample: sample(new Date(t).toISOString(), 77) });
    await fixture.whenStable();
    frames.runAll();
    expect(chartData('chart-cpu')).toHaveLength(3);

    const toggle = qa(fixture, 'mat-button-toggle button').find((b) => b.textContent?.trim() === '24h')!;
    toggle.click();
    await fixture.whenStable();
    const hist = http.expectOne((r) => r.url === '/api/v1/metrics/s1/history');
    const span = Date.parse(hist.request.params.get('end')!) - Date.parse(hist.request.params.get('start')!);
    expect(span).toBe(24 * 3_600_000);
    const t0 = t - 6 * 3_600_000;
    hist.flush({ serverId: 's1', start: '', end: '', resolution: 300, points: [
      { timestamp: new Date(t0).toISOString(), cpuPercent: 55, memoryPercent: 60, diskPercent: 50, load1: 1.5, netRxBps: 10, netTxBps: 20 },
    ] });
    await fixture.whenStable();
    frames.runAll();

    expect(chartData('chart-cpu')).toEqual([[t0, 55]]);
    expect(chartData('chart-mem')).toEqual([[t0, 60]]);
    expect(pointsLabel('chart-cpu')).toBe(1);
    const net = stubs().at(-1)!;
    expect(net.chart.shown.series.map((s: any) => s.data)).toEqual([[[t0, 10]], [[t0, 20]]]);
    expect(net.chart.calls.every((c, i) => i === 0 || !c.notMerge)).toBe(true);
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

describe('metrics series buffer', () => {
  it('stays bounded and drops points that left the range', () => {
    let s = emptySeries();
    const base = Date.parse('2026-01-01T00:00:00Z');
    for (let i = 0; i < MAX_POINTS + 50; i++) {
      s = appendSample(s, sample(new Date(base + i * 1000).toISOString(), i % 100), 10 * 86_400_000, base + i * 1000);
    }
    expect(s.cpu).toHaveLength(MAX_POINTS);
    s = appendSample(s, sample(new Date(base + 3_600_000).toISOString(), 1), 60_000, base + 3_600_000);
    expect(s.cpu).toHaveLength(1);
    expect(s.rx[0][1]).toBe(2048);
  });
});
