import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { Component } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { Router, provideRouter } from '@angular/router';
import { RouterTestingHarness } from '@angular/router/testing';
import { USER, authResponse } from '../../../testing/auth-fixtures';
import { nextRequest } from '../../../testing/http-helpers';
import { adminGuard, authGuard, guestGuard, passwordChangeGuard } from './auth.guards';
import { LOGOUT_PENDING_KEY } from './auth.service';

@Component({ template: 'secret dashboard' })
class DashboardStub {}
@Component({ template: 'login form' })
class LoginStub {}
@Component({ template: 'admin page' })
class AdminStub {}
@Component({ template: 'choose a new password' })
class ChooseStub {}

describe('route guards', () => {
  let http: HttpTestingController;

  beforeEach(() => {
    localStorage.clear();
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(),
        provideHttpClientTesting(),
        provideRouter([
          { path: 'login', canActivate: [guestGuard], component: LoginStub },
          { path: 'servers/:id', canActivate: [authGuard], component: DashboardStub },
          { path: 'chat/link', canActivate: [authGuard], component: DashboardStub },
          { path: 'admin', canActivate: [adminGuard], component: AdminStub },
          { path: 'choose-password', canActivate: [passwordChangeGuard], component: ChooseStub },
          { path: '', canActivate: [authGuard], component: DashboardStub },
        ]),
      ],
    });
    http = TestBed.inject(HttpTestingController);
  });

  it('sends a signed-out visitor (no refresh cookie) to /login with the returnUrl, asking the server once', async () => {
    const harness = await RouterTestingHarness.create();
    const nav = harness.navigateByUrl('/servers/abc');
    (await nextRequest(http, '/api/v1/auth/refresh')).flush({ statusCode: 401 }, { status: 401, statusText: 'Unauthorized' });
    await nav;
    expect(TestBed.inject(Router).url).toBe('/login?returnUrl=%2Fservers%2Fabc');
    expect(harness.routeNativeElement?.textContent).toContain('login form');
    http.verify(); // guestGuard on /login did not ask again
  });

  it('keeps the query string in the returnUrl, so a chat link token survives signing in', async () => {
    const harness = await RouterTestingHarness.create();
    const nav = harness.navigateByUrl('/chat/link?token=Ab-9_xYz');
    (await nextRequest(http, '/api/v1/auth/refresh')).flush({ statusCode: 401 }, { status: 401, statusText: 'Unauthorized' });
    await nav;
    const router = TestBed.inject(Router);
    expect(router.url).toBe('/login?returnUrl=%2Fchat%2Flink%3Ftoken%3DAb-9_xYz');
    expect(router.parseUrl(router.url).queryParams['returnUrl']).toBe('/chat/link?token=Ab-9_xYz');
  });

  it('restores the session from the refresh cookie on reload and lets the user in', async () => {
    const harness = await RouterTestingHarness.create();
    const nav = harness.navigateByUrl('/servers/abc');
    (await nextRequest(http, '/api/v1/auth/refresh')).flush(authResponse(2));
    await nav;
    expect(TestBed.inject(Router).url).toBe('/servers/abc');
    expect(harness.routeNativeElement?.textContent).toContain('secret dashboard');
  });

  it('after a logout that did not reach the server, a reload stays signed out', async () => {
    localStorage.setItem(LOGOUT_PENDING_KEY, '1');
    const harness = await RouterTestingHarness.create();
    const nav = harness.navigateByUrl('/');
    (await nextRequest(http, '/api/v1/auth/logout')).flush(null, { status: 204, statusText: 'No Content' });
    await nav;
    expect(TestBed.inject(Router).url).toBe('/login?returnUrl=%2F');
    http.expectNone('/api/v1/auth/refresh');
  });

  it('guestGuard sends a signed-in user from /login to the overview', async () => {
    const harness = await RouterTestingHarness.create();
    const nav = harness.navigateByUrl('/login');
    (await nextRequest(http, '/api/v1/auth/refresh')).flush(authResponse(2));
    await nav;
    expect(TestBed.inject(Router).url).toBe('/');
  });

  it('adminGuard lets the admin in and sends a regular user to the overview', async () => {
    const harness = await RouterTestingHarness.create();
    const nav = harness.navigateByUrl('/admin');
    (await nextRequest(http, '/api/v1/auth/refresh')).flush(authResponse(2, { ...USER, role: 'user' }));
    await nav;
    expect(TestBed.inject(Router).url).toBe('/');
    expect(harness.routeNativeElement?.textContent).toContain('secret dashboard');
  });

  it('adminGuard opens the admin page for an admin', async () => {
    const harness = await RouterTestingHarness.create();
    const nav = harness.navigateByUrl('/admin');
    (await nextRequest(http, '/api/v1/auth/refresh')).flush(authResponse(2));
    await nav;
    expect(TestBed.inject(Router).url).toBe('/admin');
    expect(harness.routeNativeElement?.textContent).toContain('admin page');
  });

  it('sends a user with a temporary password to the "choose a new password" page, and only such a user', async () => {
    const harness = await RouterTestingHarness.create();
    const nav = harness.navigateByUrl('/servers/abc');
    (await nextRequest(http, '/api/v1/auth/refresh')).flush(authResponse(1, { ...USER, mustChangePassword: true }));
    await nav;
    expect(TestBed.inject(Router).url).toBe('/choose-password?returnUrl=%2Fservers%2Fabc');
    expect(harness.routeNativeElement?.textContent).toContain('choose a new password');
  });

  it('lets a user without a temporary password skip the "choose a new password" page', async () => {
    const harness = await RouterTestingHarness.create();
    const nav = harness.navigateByUrl('/choose-password');
    (await nextRequest(http, '/api/v1/auth/refresh')).flush(authResponse(1));
    await nav;
    expect(TestBed.inject(Router).url).toBe('/');
    expect(harness.routeNativeElement?.textContent).toContain('secret dashboard');
  });
});
