import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { Directive, input } from '@angular/core';
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
import { ServerDetailPage } from './server-detail.page';

/** Stands in for ngx-echarts (no canvas in jsdom) and exposes the options the page hands it. */
@Directive({ selector: '[echarts]' })
class EchartsStub {
  readonly options = input<any>();
  readonly theme = input<any>();
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

  beforeEach(async () => {
    TestBed.configureTestingModule({
      imports: [ServerDetailPage],
      providers: [provideRouter([]), provideHttpClient(), provideHttpClientTesting(), { provide: LiveSocketService, useClass: FakeLiveSocketService }],
    });
    TestBed.overrideComponent(ServerDetailPage, { remove: { imports: [NgxEchartsDirective] }, add: { imports: [EchartsStub] } });
    http = TestBed.inject(HttpTestingController);
    live = TestBed.inject(LiveSocketService) as unknown as FakeLiveSocketService;
    fixture = TestBed.createComponent(ServerDetailPage);
    fixture.componentRef.setInput('id', 's1');
    await fixture.whenStable();
  });
  afterEach(() => http.verify());

  function chartData(testId: string): [number, number | null][] {
    const el = fixture.debugElement.query(By.css(`[data-testid=${testId}]`));
    return el.injector.get(EchartsStub).options().series[0].data;
  }

  async function open(latest: 'none' | MetricsSample): Promise<void> {
    http.expectOne('/api/v1/servers/s1').flush(server({
      id: 's1', name: 'web-1', status: 'online', lastSeen: new Date().toISOString(),
      agent: { version: '1.2.3', hostname: 'web-1.local', os: 'linux', arch: 'x64', capabilities: { exec: true, docker: false, terminal: true } },
    }));
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
  }

  it('seeds the gauges, disks and processes (sorted by CPU) from the latest sample', async () => {
    await open(sample(new Date(Date.now() - 5_000).toISOString(), 12.5));
    expect(text(fixture)).toContain('web-1');
    expect(text(fixture)).toContain('Agent 1.2.3');
    expect(q(fixture, '[data-testid=cpu-now]').textContent).toContain('CPU 13%');
    expect(q(fixture, '[data-testid=mem-now]').textContent).toContain('2.0 GiB of 8.0 GiB');
    expect(text(fixture)).toContain('50.0 GiB / 100.0 GiB');
    const procs = qa(fixture, '[data-testid=processes] tbody tr').map((r) => r.querySelector('td')?.textContent);
    expect(procs).toEqual(['node', 'postgres']);
    // History nulls stay gaps in the chart.
    expect(chartData('chart-cpu').map((p) => p[1])).toEqual([10, null]);
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
    const cpu = chartData('chart-cpu');
    expect(cpu).toHaveLength(3);
    expect(cpu[2]).toEqual([Date.parse(now), 77]);
  });

  it('reloads history when another range is picked', async () => {
    await open('none');
    const toggle = qa(fixture, 'mat-button-toggle button').find((b) => b.textContent?.trim() === '24h')!;
    toggle.click();
    await fixture.whenStable();
    const hist = http.expectOne((r) => r.url === '/api/v1/metrics/s1/history');
    const span = Date.parse(hist.request.params.get('end')!) - Date.parse(hist.request.params.get('start')!);
    expect(span).toBe(24 * 3_600_000);
    hist.flush({ serverId: 's1', start: '', end: '', resolution: 300, points: [] });
  });

  it('shows a not-found page for an unknown server', async () => {
    http.expectOne('/api/v1/servers/s1').flush({ statusCode: 404, message: 'not found' }, { status: 404, statusText: 'Not Found' });
    await fixture.whenStable();
    expect(q(fixture, '[data-testid=not-found]')).toBeTruthy();
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
