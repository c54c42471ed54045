import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { signal } from '@angular/core';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import { MATERIAL_ANIMATIONS } from '@angular/material/core';
import { MAT_DIALOG_DATA, MatDialogRef } from '@angular/material/dialog';
import type { NotificationChannel } from '@chatops/protocol';
import { rule } from '../../../testing/alert-fixtures';
import { server } from '../../../testing/auth-fixtures';
import { q, qa, text, type } from '../../../testing/dom';
import { RuleDialogComponent, RuleDialogData } from './rule-dialog.component';

describe('RuleDialogComponent', () => {
  let fixture: ComponentFixture<RuleDialogComponent>;
  let http: HttpTestingController;
  let closed: unknown[];

  async function open(data: Partial<RuleDialogData> = {}) {
    closed = [];
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(), provideHttpClientTesting(), { provide: MATERIAL_ANIMATIONS, useValue: { animationsDisabled: true } },
        { provide: MAT_DIALOG_DATA, useValue: { rule: null, servers: [server({ id: 's1', name: 'web-1' })], channels: signal([]), ...data } },
        { provide: MatDialogRef, useValue: { close: (v: unknown) => closed.push(v) } },
      ],
    });
    http = TestBed.inject(HttpTestingController);
    fixture = TestBed.createComponent(RuleDialogComponent);
    await fixture.whenStable();
  }
  afterEach(() => http.verify());
  const save = async () => {
    q<HTMLButtonElement>(fixture, '[data-testid=rule-save]').click();
    await fixture.whenStable();
  };

  it('creates a rule for the server it was opened on, and closes with it', async () => {
    await open({ serverId: 's1' });
    type(q(fixture, '[data-testid=rule-name]'), 'Busy CPU');
    type(q(fixture, '[data-testid=rule-threshold]'), '0');
    type(q(fixture, '[data-testid=rule-duration]'), '0');
    await save();
    const req = http.expectOne('/api/v1/alerts/thresholds');
    expect(req.request.method).toBe('POST');
    expect(req.request.body).toMatchObject({ serverId: 's1', metricType: 'cpu', comparison: 'gt', thresholdValue: 0, durationSec: 0, name: 'Busy CPU', clearValue: null });
    const saved = rule({ id: 'r1', serverId: 's1', thresholdValue: 0 });
    req.flush(saved, { status: 201, statusText: 'Created' });
    await fixture.whenStable();
    expect(closed).toEqual([saved]);
  });

  it('refuses what the backend would refuse before sending it', async () => {
    await open();
    type(q(fixture, '[data-testid=rule-threshold]'), '90');
    type(q(fixture, '[data-testid=rule-clear]'), '95');
    type(q(fixture, '[data-testid=rule-duration]'), '99999');
    await save();
    http.expectNone('/api/v1/alerts/thresholds');
    expect(q(fixture, '[data-testid=error-clearValue]').textContent).toContain('Must be at most the threshold');
    expect(q(fixture, '[data-testid=error-durationSec]').textContent).toContain('Whole seconds from 0 to 86400');
  });

  it('shows the backend\'s 400 details beside their fields, and the rest as one message', async () => {
    await open({ rule: rule({ id: 'r1', metricType: 'disk', target: '/data' }) });
    expect((q<HTMLInputElement>(fixture, '[data-testid=rule-target]')).value).toBe('/data');
    await save();
    const req = http.expectOne('/api/v1/alerts/thresholds/r1');
    expect(req.request.method).toBe('PUT');
    req.flush({
      statusCode: 400, error: 'Bad Request', message: 'Invalid rule', code: 'alert.invalid_rule', requestId: 'req-9',
      details: [{ field: 'target', errors: ['no such mount'] }, { field: 'channelIds', errors: ['c9 is not one of your channels'] }],
    }, { status: 400, statusText: 'Bad Request' });
    await fixture.whenStable();
    expect(q(fixture, '[data-testid=error-target]').textContent).toContain('no such mount');
    expect(q(fixture, '[data-testid=error-channelIds]').textContent).toContain('c9 is not one of your channels');
    expect(qa(fixture, '[data-testid=rule-error]')).toHaveLength(0);
    expect(closed).toEqual([]);
    expect(text(fixture)).not.toContain('Saving…');
  });

  it('hides threshold and hysteresis for event rules (offline is "eq 1")', async () => {
    await open({ rule: rule({ id: 'r2', metricType: 'offline', comparison: 'eq', thresholdValue: 1 }) });
    expect(qa(fixture, '[data-testid=rule-threshold]')).toHaveLength(0);
    expect(qa(fixture, '[data-testid=rule-clear]')).toHaveLength(0);
    await save();
    const req = http.expectOne('/api/v1/alerts/thresholds/r2');
    expect(req.request.body).toMatchObject({ metricType: 'offline', comparison: 'eq', thresholdValue: 1, clearValue: null });
    req.flush(rule({ id: 'r2', metricType: 'offline' }));
  });

  it('previews how often the rule would have fired over the server\'s last 24 h', async () => {
    await open({ serverId: 's1' });
    type(q(fixture, '[data-testid=rule-threshold]'), '80');
    type(q(fixture, '[data-testid=rule-duration]'), '0');
    await fixture.whenStable();
    q<HTMLButtonElement>(fixture, '[data-testid=rule-preview]').click();
    const req = http.expectOne((r) => r.url === '/api/v1/metrics/s1/history');
    expect(req.request.params.get('points')).toBe('288');
    const p = (i: number, v: number) => ({ timestamp: new Date(Date.UTC(2026, 0, 1, 0, i * 5)).toISOString(), cpuPercent: v, cpuPercentMax: v,
      memoryPercent: null, diskPercent: null, swapPercent: null, load1: null, netRxBps: null, netTxBps: null, memoryPercentMax: null, load1Max: null, netRxBpsMax: null, netTxBpsMax: null });
    req.flush({ serverId: 's1', start: '', end: '', resolution: '5m', source: '1m', points: [p(0, 50), p(1, 90), p(2, 40), p(3, 95)] });
    await fixture.whenStable();
    expect(q(fixture, '[data-testid=rule-preview-result]').textContent).toContain('Would have fired 2 times in the last 24 h');
    // all servers: nothing to preview against
    q(fixture, '[data-testid=rule-server] .mat-mdc-select-trigger').click();
    await fixture.whenStable();
    Array.from(document.querySelectorAll<HTMLElement>('mat-option')).find((o) => o.textContent?.includes('All my servers'))!.click();
    await fixture.whenStable();
    expect(qa(fixture, '[data-testid=rule-preview]')).toHaveLength(0);
  });

  it('channels that arrive after the dialog opened become choosable (the list was still loading)', async () => {
    const channels = signal<NotificationChannel[]>([]);
    await open({ serverId: 's1', channels });
    const select = () => q(fixture, '[data-testid=rule-channels]');
    expect(select().getAttribute('aria-disabled')).toBe('true');
    expect(text(fixture)).toContain('No notification channel yet');
    channels.set([{ id: 'c1', name: 'on-call hook', type: 'webhook', enabled: true, urlPreview: 'https://hooks.example.com/…', emailTo: null, hasSecret: false, createdAt: '2026-01-01T00:00:00Z', updatedAt: '2026-01-01T00:00:00Z' }]);
    await fixture.whenStable();
    expect(select().getAttribute('aria-disabled')).toBe('false');
    select().click();
    await fixture.whenStable();
    expect(Array.from(document.querySelectorAll('mat-option')).map((o) => o.textContent?.trim())).toEqual(['on-call hook (webhook)']);
  });
});
