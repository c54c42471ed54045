import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import { MATERIAL_ANIMATIONS } from '@angular/material/core';
import { Router, provideRouter } from '@angular/router';
import { USER, authResponse } from '../../../testing/auth-fixtures';
import { q, text } from '../../../testing/dom';
import { nextRequest } from '../../../testing/http-helpers';
import { FakeLiveSocketService } from '../../../testing/fake-live-socket';
import { AuthService, REFRESH_HEADER } from '../../core/auth/auth.service';
import { LiveSocketService } from '../../core/live/live-socket.service';
import { ShellComponent } from './shell.component';

describe('ShellComponent', () => {
  let fixture: ComponentFixture<ShellComponent>;
  let http: HttpTestingController;
  let live: FakeLiveSocketService;

  beforeEach(async () => {
    localStorage.clear();
    TestBed.configureTestingModule({
      imports: [ShellComponent],
      providers: [
        provideRouter([]), provideHttpClient(), provideHttpClientTesting(),
        { provide: LiveSocketService, useClass: FakeLiveSocketService },
        { provide: MATERIAL_ANIMATIONS, useValue: { animationsDisabled: true } },
      ],
    });
    http = TestBed.inject(HttpTestingController);
    live = TestBed.inject(LiveSocketService) as unknown as FakeLiveSocketService;
    jest.spyOn(TestBed.inject(Router), 'navigateByUrl').mockResolvedValue(true);
    TestBed.inject(AuthService).login({ username: 'ada', password: 'pw' }).subscribe();
    http.expectOne('/api/v1/auth/login').flush(authResponse(1));
    fixture = TestBed.createComponent(ShellComponent);
    await fixture.whenStable();
  });

  it('has the navigation entries and announces the live connection status', async () => {
    expect(text(fixture)).toContain('Overview');
    expect(text(fixture)).toContain('Profile');
    // Ada is the admin: the Administration page is in her navigation.
    expect(q<HTMLAnchorElement>(fixture, '[data-testid=nav-admin]').getAttribute('href')).toBe('/admin');
    const status = q(fixture, '[data-testid=live-status]');
    expect(status.getAttribute('aria-live')).toBe('polite');
    expect(status.textContent).toContain('Live: connected');
    live.status.set('disconnected');
    await fixture.whenStable();
    expect(status.textContent).toContain('Live: disconnected');
  });

  it('shows Administration to admins only (a session renewed as a regular user loses it)', async () => {
    TestBed.inject(AuthService).login({ username: 'ada', password: 'pw' }).subscribe();
    http.expectOne('/api/v1/auth/login').flush(authResponse(2, { ...USER, role: 'user' }));
    await fixture.whenStable();
    expect(fixture.nativeElement.querySelector('[data-testid=nav-admin]')).toBeNull();
    expect(text(fixture)).not.toContain('Administration');
  });

  it('signs out from the user menu (revoking the session through the refresh cookie)', async () => {
    q<HTMLButtonElement>(fixture, '[aria-label="Account menu"]').click();
    await fixture.whenStable();
    (document.querySelector('[data-testid=logout]') as HTMLButtonElement).click();
    const req = http.expectOne('/api/v1/auth/logout');
    expect(req.request.headers.get(REFRESH_HEADER)).toBe('1');
    req.flush(null, { status: 204, statusText: 'No Content' });
    await fixture.whenStable();
    expect(TestBed.inject(AuthService).isAuthenticated()).toBe(false);
    expect(TestBed.inject(Router).navigateByUrl).toHaveBeenCalledWith('/login');
  });

  it('links Alerts and the Audit log, and shows the fleet\'s open alerts on the top-bar bell, in words for screen readers', async () => {
    expect(text(fixture)).toContain('Alerts');
    expect(text(fixture)).toContain('Audit log');
    const badge = q<HTMLAnchorElement>(fixture, '[data-testid=open-alerts-badge]');
    expect(badge.getAttribute('href')).toBe('/alerts');
    expect(badge.getAttribute('aria-label')).toBe('Alerts: 0 open');
    expect(live.fleetSubscriptions).toBe(1);
    const summary = (serverId: string, openAlerts: number) => ({
      serverId, status: 'online' as const, lastSeen: null, cpuPercent: 1, memoryPercent: 1, diskPercent: 1, openAlerts, timestamp: null,
      containersRunning: null, containersTotal: null, containersUnhealthy: null,
    });
    live.emit('fleet_summary', summary('s1', 2));
    live.emit('fleet_summary', summary('s2', 1));
    await fixture.whenStable();
    expect(badge.getAttribute('aria-label')).toBe('Alerts: 3 open');
    expect(badge.textContent).toContain('3');
    expect(badge.classList).toContain('has-open');
  });

  it('links the Chat page and opens the chat panel in a drawer from the top bar', async () => {
    expect(q(fixture, 'a[href="/chat"]').textContent).toContain('Chat');
    const toggle = q<HTMLButtonElement>(fixture, '[data-testid=chat-toggle]');
    expect(toggle.getAttribute('aria-expanded')).toBe('false');
    toggle.click();
    const settings = await nextRequest(http, '/api/v1/chatops/settings');
    settings.flush({ confirmDestructive: true });
    const history = await nextRequest(http, '/api/v1/chatops/history');
    expect(history.request.params.has('serverId')).toBe(false);
    history.flush({ items: [], nextCursor: null });
    await fixture.whenStable();
    expect(toggle.getAttribute('aria-expanded')).toBe('true');
    expect(q(fixture, '.chat-drawer [data-testid=chat-empty]').textContent).toContain('Try help or status');
    q<HTMLButtonElement>(fixture, '[data-testid=chat-close]').click();
    await fixture.whenStable();
    expect(toggle.getAttribute('aria-expanded')).toBe('false');
  });
});
