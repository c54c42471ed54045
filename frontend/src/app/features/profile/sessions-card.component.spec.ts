import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import { MATERIAL_ANIMATIONS } from '@angular/material/core';
import type { UserSession } from '@chatops/protocol/admin';
import { button, qa, text } from '../../../testing/dom';
import { NotifyService } from '../../core/notify/notify.service';
import { SessionsCardComponent } from './sessions-card.component';

const FIREFOX = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';
const IPHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';
const SESSIONS: UserSession[] = [
  { id: 's-this', current: true, createdAt: '2026-11-20T10:00:00.000Z', lastUsedAt: new Date().toISOString(), expiresAt: '2026-12-20T10:00:00.000Z', ip: '203.0.113.7', userAgent: FIREFOX },
  { id: 's-phone', current: false, createdAt: '2026-11-21T10:00:00.000Z', lastUsedAt: new Date(Date.now() - 3 * 3600_000).toISOString(), expiresAt: '2026-12-21T10:00:00.000Z', ip: '198.51.100.9', userAgent: IPHONE },
  { id: 's-curl', current: false, createdAt: '2026-11-22T10:00:00.000Z', lastUsedAt: '2026-11-22T10:00:00.000Z', expiresAt: '2026-12-22T10:00:00.000Z', ip: null, userAgent: 'curl/8.5.0' },
];

describe('SessionsCardComponent', () => {
  let fixture: ComponentFixture<SessionsCardComponent>;
  let http: HttpTestingController;
  let success: jest.SpyInstance;

  beforeEach(async () => {
    TestBed.configureTestingModule({ imports: [SessionsCardComponent], providers: [provideHttpClient(), provideHttpClientTesting(), { provide: MATERIAL_ANIMATIONS, useValue: { animationsDisabled: true } }] });
    http = TestBed.inject(HttpTestingController);
    success = jest.spyOn(TestBed.inject(NotifyService), 'success').mockResolvedValue();
    fixture = TestBed.createComponent(SessionsCardComponent);
    await fixture.whenStable();
  });
  afterEach(() => {
    document.querySelectorAll('.cdk-overlay-container').forEach((e) => (e.innerHTML = ''));
    http.verify();
  });

  const dialog = () => document.querySelector('app-confirm-dialog') as HTMLElement;
  const confirm = async () => {
    dialog().querySelector<HTMLButtonElement>('[data-testid=confirm-button]')!.click();
    await fixture.whenStable();
    await new Promise((r) => setTimeout(r, 0));
  };

  it('shows loading, then each session with device, address and last use; this device has no sign-out button', async () => {
    expect(text(fixture)).toContain('Loading…');
    http.expectOne('/api/v1/auth/sessions').flush(SESSIONS);
    await fixture.whenStable();
    const rows = qa(fixture, '[data-testid=session]').map((r) => r.textContent?.replace(/\s+/g, ' ').trim());
    expect(rows[0]).toMatch(/^Firefox on Linux ?This device 203\.0\.113\.7 · signed in Nov 20, 2026.* · active just now$/);
    expect(rows[1]).toMatch(/^Safari on iOS 198\.51\.100\.9 · signed in .* · active 3 h ago ?Sign out$/);
    expect(rows[2]).toContain('curl unknown address');
    expect(qa(fixture, '[data-testid=session]')[0].querySelector('button')).toBeNull();
  });

  it('signs out one session after confirming, and all others at once', async () => {
    http.expectOne('/api/v1/auth/sessions').flush(SESSIONS);
    await fixture.whenStable();
    button(fixture, 'Sign out', qa(fixture, '[data-testid=session]')[1]).click();
    await fixture.whenStable();
    expect(dialog().textContent).toContain('Safari on iOS (198.51.100.9) will be signed out at once');
    await confirm();
    http.expectOne({ method: 'DELETE', url: '/api/v1/auth/sessions/s-phone' }).flush(null, { status: 204, statusText: 'No Content' });
    await fixture.whenStable();
    expect(qa(fixture, '[data-testid=session]')).toHaveLength(2);
    expect(success).toHaveBeenCalledWith('Safari on iOS signed out');

    button(fixture, 'Sign out all other sessions').click();
    await fixture.whenStable();
    expect(dialog().textContent).toContain('1 other session will be signed out at once. This one stays signed in.');
    await confirm();
    http.expectOne({ method: 'POST', url: '/api/v1/auth/sessions/revoke-others' }).flush({ revoked: 1 });
    await fixture.whenStable();
    expect(qa(fixture, '[data-testid=session]')).toHaveLength(1);
    expect(text(fixture)).toContain('No other sessions.');
    expect(success).toHaveBeenCalledWith('1 other session signed out');
  });

  it('says so when the sessions cannot be loaded, and retries', async () => {
    http.expectOne('/api/v1/auth/sessions').flush({ statusCode: 503, message: 'Database unavailable', requestId: 'r1' }, { status: 503, statusText: 'Service Unavailable' });
    await fixture.whenStable();
    expect(text(fixture)).toContain('Could not load your sessions: Database unavailable');
    button(fixture, 'Try again').click();
    http.expectOne('/api/v1/auth/sessions').flush([SESSIONS[0]]);
    await fixture.whenStable();
    expect(text(fixture)).toContain('No other sessions.');
  });
});
