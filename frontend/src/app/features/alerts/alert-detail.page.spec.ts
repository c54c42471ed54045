import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { Directive, input } from '@angular/core';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import { MATERIAL_ANIMATIONS } from '@angular/material/core';
import { provideRouter } from '@angular/router';
import { ROLE_CAPABILITIES, type AlertDetail, type MetricsHistory, type Server } from '@chatops/protocol';
import { NgxEchartsDirective } from 'ngx-echarts';
import { alert } from '../../../testing/alert-fixtures';
import { server } from '../../../testing/auth-fixtures';
import { q, qa, text } from '../../../testing/dom';
import { FakeLiveSocketService } from '../../../testing/fake-live-socket';
import { LiveSocketService } from '../../core/live/live-socket.service';
import { AlertDetailPage, aroundChart, snapshotChart } from './alert-detail.page';

/** No canvas in jsdom: the chart's options are checked through `snapshotChart()`. */
@Directive({ selector: '[echarts]' })
class EchartsStub {
  readonly options = input<unknown>();
  readonly theme = input<unknown>();
}

function detail(partial: Partial<AlertDetail> = {}): AlertDetail {
  return {
    ...alert({ id: 'a1', severity: 'critical', createdAt: '2026-01-01T10:00:00.000Z', startedAt: '2026-01-01T09:55:00.000Z' }),
    snapshot: {
      takenAt: '2026-01-01T10:00:00.000Z',
      samples: [{ timestamp: '2026-01-01T09:55:00.000Z', value: 93 }, { timestamp: '2026-01-01T10:00:00.000Z', value: 95 }],
      host: { timestamp: '2026-01-01T10:00:00.000Z', cpuPercent: 95, memoryPercent: 40, load: [3, 2, 1], disks: [{ mount: '/', percent: 50 }], network: [] },
      processes: [{ pid: 42, name: 'stress', user: 'root', cpuPercent: 90, memBytes: 1024 }],
      containers: [{ id: 'c1', name: 'web', image: 'nginx', state: 'running', status: 'Up 2 hours', cpuPercent: 3, memBytes: 2048, memLimitBytes: 4096 }],
    },
    ...partial,
  };
}

describe('AlertDetailPage', () => {
  let fixture: ComponentFixture<AlertDetailPage>;
  let http: HttpTestingController;
  let live: FakeLiveSocketService;

  beforeEach(async () => {
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(), provideHttpClientTesting(), provideRouter([]), { provide: LiveSocketService, useClass: FakeLiveSocketService },
        { provide: MATERIAL_ANIMATIONS, useValue: { animationsDisabled: true } },
      ],
    });
    TestBed.overrideComponent(AlertDetailPage, { remove: { imports: [NgxEchartsDirective] }, add: { imports: [EchartsStub] } });
    http = TestBed.inject(HttpTestingController);
    live = TestBed.inject(LiveSocketService) as unknown as FakeLiveSocketService;
    fixture = TestBed.createComponent(AlertDetailPage);
    fixture.componentRef.setInput('id', 'a1');
    await fixture.whenStable();
  });
  afterEach(() => http.verify());

  async function loaded(a: AlertDetail = detail(), srv: Server = server({ id: 's1', name: 'web-1' })) {
    http.expectOne('/api/v1/alerts/a1').flush(a);
    await fixture.whenStable();
    http.expectOne('/api/v1/servers/s1').flush(srv);
    http.expectOne('/api/v1/alerts/a1/deliveries').flush([]);
    const h = http.expectOne((r) => r.url === '/api/v1/metrics/s1/history');
    expect([h.request.params.get('start'), h.request.params.get('end')]).toEqual(['2026-01-01T09:30:00.000Z', '2026-01-01T10:30:00.000Z']);
    h.flush(history);
    await fixture.whenStable();
  }
  const point = (iso: string, cpu: number | null) => ({ timestamp: iso, cpuPercent: cpu, memoryPercent: null, diskPercent: null, swapPercent: null, load1: null,
    netRxBps: null, netTxBps: null, cpuPercentMax: null, memoryPercentMax: null, load1Max: null, netRxBpsMax: null, netTxBpsMax: null });
  const history: MetricsHistory = {
    serverId: 's1', start: '2026-01-01T09:30:00.000Z', end: '2026-01-01T10:30:00.000Z', resolution: '30s', source: 'raw',
    points: [point('2026-01-01T09:59:30.000Z', 60), point('2026-01-01T10:00:00.000Z', 95), point('2026-01-01T10:00:30.000Z', null)],
  };

  it('shows what fired, its timeline and the snapshot: chart, host, top processes, containers', async () => {
    await loaded();
    expect(text(fixture)).toContain('Critical');
    expect(text(fixture)).toContain('web-1');
    expect(q(fixture, '[data-testid=alert-timeline]').textContent).toMatch(/Condition began to hold.*Fired/s);
    expect(q(fixture, '[data-testid=snapshot-chart]').getAttribute('aria-label')).toBe('CPU chart, 2 samples');
    expect(q(fixture, '[data-testid=around-chart]').getAttribute('aria-label')).toBe('CPU around the fire time, 3 points');
    expect(q(fixture, '[data-testid=snapshot-processes]').textContent).toContain('stress');
    expect(q(fixture, '[data-testid=snapshot-containers]').textContent).toContain('Up 2 hours');
    expect(text(fixture)).toContain('No message sent yet');
    expect(live.fleetSubscriptions).toBe(1);
  });

  it('follows /live for this alert: acknowledged elsewhere, the page says so and keeps the snapshot', async () => {
    await loaded();
    live.emit('alert', { alert: alert({ id: 'a1', status: 'acknowledged', acknowledgedAt: '2026-01-01T10:02:00.000Z', acknowledgedBy: 'bob', acknowledgeNote: 'on it' }), change: 'acknowledged' });
    await fixture.whenStable();
    http.expectOne('/api/v1/alerts/a1/deliveries').flush([]);
    await fixture.whenStable();
    expect(q(fixture, '[data-testid=alert-detail]').getAttribute('data-status')).toBe('acknowledged');
    expect(q(fixture, '[data-testid=alert-timeline]').textContent).toContain('Acknowledged by bob');
    expect(q(fixture, '[data-testid=alert-timeline]').textContent).toContain('on it');
    expect(qa(fixture, '[data-testid=detail-ack]')).toHaveLength(0);
    expect(qa(fixture, '[data-testid=snapshot-processes]')).toHaveLength(1);
  });

  it('gives a team viewer no acknowledge or resolve, and says why (alerts.manage)', async () => {
    await loaded(detail(), server({ id: 's1', name: 'web-1', access: { via: 'viewer', teamId: 't1', capabilities: [...ROLE_CAPABILITIES.viewer], breakGlass: false } }));
    expect(qa(fixture, '[data-testid=detail-ack], [data-testid=detail-resolve]')).toHaveLength(0);
    expect(q(fixture, '[data-testid=detail-no-manage]').textContent).toContain('Your role (viewer) on this server does not allow this (alerts.manage)');
  });

  it('gives an operator acknowledge and resolve', async () => {
    await loaded(detail(), server({ id: 's1', name: 'web-1', access: { via: 'operator', teamId: 't1', capabilities: [...ROLE_CAPABILITIES.operator], breakGlass: false } }));
    expect(qa(fixture, '[data-testid=detail-ack], [data-testid=detail-resolve]')).toHaveLength(2);
    expect(qa(fixture, '[data-testid=detail-no-manage]')).toHaveLength(0);
  });

  it('says when the alert is not found (or not about one of your servers)', async () => {
    http.expectOne('/api/v1/alerts/a1').flush({ statusCode: 404, message: 'Alert not found' }, { status: 404, statusText: 'Not Found' });
    await fixture.whenStable();
    expect(text(fixture)).toContain('not about one of your servers');
  });

  it('charts one sample (durationSec 0) in a window around it, with the threshold across', () => {
    http.expectOne('/api/v1/alerts/a1'); // the page's own load is not needed here
    const one = detail({ snapshot: { ...detail().snapshot!, samples: [{ timestamp: '2026-01-01T10:00:00.000Z', value: 95 }] } });
    const opt = snapshotChart(one) as { xAxis: { min: number; max: number }; series: { data: [number, number][] }[] };
    const t = Date.parse('2026-01-01T10:00:00.000Z');
    expect(opt.xAxis.min).toBeLessThanOrEqual(t - 30_000);
    expect(opt.xAxis.max).toBeGreaterThanOrEqual(t + 30_000);
    expect(opt.series[0].data).toEqual([[t, 95]]);
    expect(opt.series[1].data).toEqual([[opt.xAxis.min, 90], [opt.xAxis.max, 90]]);
    expect(snapshotChart(detail({ snapshot: null }))).toBeNull();
  });

  it('charts the stored history around the fire time with the threshold and the firing value; nothing without data', () => {
    http.expectOne('/api/v1/alerts/a1');
    const opt = aroundChart(detail(), history) as { xAxis: { min: number; max: number }; series: { data: unknown[] }[] };
    expect(opt.xAxis).toMatchObject({ min: Date.parse(history.start), max: Date.parse(history.end) });
    expect(opt.series[0].data).toEqual([[Date.parse('2026-01-01T09:59:30.000Z'), 60], [Date.parse('2026-01-01T10:00:00.000Z'), 95], [Date.parse('2026-01-01T10:00:30.000Z'), null]]);
    expect(opt.series[2].data).toEqual([[Date.parse('2026-01-01T10:00:00.000Z'), 95]]);
    expect(aroundChart(detail(), { ...history, points: [point('2026-01-01T10:00:00.000Z', null)] })).toBeNull();
  });
});
