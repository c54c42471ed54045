import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import { MATERIAL_ANIMATIONS } from '@angular/material/core';
import type { NotificationChannel, NotificationDelivery } from '@chatops/protocol';
import { q, qa, text } from '../../../testing/dom';
import { NotifyService } from '../../core/notify/notify.service';
import { ChannelsComponent } from './channels.component';

const channel: NotificationChannel = {
  id: 'c1', name: 'Ops hook', type: 'webhook', enabled: true, urlPreview: 'https://hooks.example.com/…', emailTo: null, hasSecret: true,
  createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z',
};
const delivery = (id: string, partial: Partial<NotificationDelivery> = {}): NotificationDelivery => ({
  id, channelId: 'c1', channelName: 'Ops hook', channelType: 'webhook', kind: 'fired', status: 'sent', alertIds: ['a1'], detail: null,
  attempts: [{ at: '2026-01-01T10:00:00.000Z', ok: true, statusCode: 200, error: null, durationMs: 12 }], createdAt: '2026-01-01T10:00:00.000Z', sentAt: null,
  ...partial,
});

describe('ChannelsComponent', () => {
  let fixture: ComponentFixture<ChannelsComponent>;
  let http: HttpTestingController;

  beforeEach(async () => {
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(), provideHttpClientTesting(), { provide: MATERIAL_ANIMATIONS, useValue: { animationsDisabled: true } },
        { provide: NotifyService, useValue: { success: () => undefined, error: () => undefined } },
      ],
    });
    http = TestBed.inject(HttpTestingController);
    fixture = TestBed.createComponent(ChannelsComponent);
    await fixture.whenStable();
  });
  afterEach(() => http.verify());

  it('shows an empty state with no channel', async () => {
    http.expectOne('/api/v1/notifications/channels').flush([]);
    await fixture.whenStable();
    expect(text(fixture)).toContain('No notification channel yet');
  });

  it('sends a test and says how it went, never showing the secret URL; the delivery log lists status as icon and text', async () => {
    http.expectOne('/api/v1/notifications/channels').flush([channel]);
    await fixture.whenStable();
    expect(text(fixture)).toContain('https://hooks.example.com/…');
    q<HTMLButtonElement>(fixture, '[data-testid=channel-test]').click();
    await fixture.whenStable();
    expect(q(fixture, '[data-testid=channel-test]').textContent).toContain('Sending…');
    const test = http.expectOne('/api/v1/notifications/channels/c1/test');
    expect(test.request.method).toBe('POST');
    test.flush({ ok: false, statusCode: 500, error: 'Internal Server Error', durationMs: 40 });
    await fixture.whenStable();
    const result = q(fixture, '[data-testid=channel-test-result]');
    expect(result.textContent).toContain('Test failed (HTTP 500): Internal Server Error');
    expect(result.classList).toContain('error-text');

    q<HTMLButtonElement>(fixture, '[data-testid=channel-log]').click();
    http.expectOne('/api/v1/notifications/channels/c1/deliveries').flush([
      delivery('d2', { kind: 'test', status: 'failed', detail: 'HTTP 500', attempts: [{ at: '2026-01-01T10:01:00.000Z', ok: false, statusCode: 500, error: 'x', durationMs: 3 }] }),
      delivery('d1', { alertIds: ['a1', 'a2', 'a3'] }),
    ]);
    await fixture.whenStable();
    const rows = qa(fixture, '[data-testid=delivery-row]').map((r) => r.textContent?.replace(/\s+/g, ' ').trim());
    expect(rows[0]).toContain('test');
    expect(rows[0]).toContain('Failed');
    expect(rows[0]).toContain('HTTP 500');
    expect(rows[1]).toContain('fired (3 alerts)');
    expect(rows[1]).toContain('Sent');
  });
});
