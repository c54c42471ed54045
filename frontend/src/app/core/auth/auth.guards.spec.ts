import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { Component } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { Router, provideRouter } from '@angular/router';
import { RouterTestingHarness } from '@angular/router/testing';
import { authResponse } from '../../../testing/auth-fixtures';
import { nextRequest } from '../../../testing/http-helpers';
import { authGuard, guestGuard } from './auth.guards';
import { REFRESH_TOKEN_KEY } from './auth.service';

@Component({ template: 'secret dashboard' })
class DashboardStub {}
@Component({ template: 'login form' })
class LoginStub {}

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
          { path: '', canActivate: [authGuard], component: DashboardStub },
        ]),
      ],
    });
    http = TestBed.inject(HttpTestingController);
  });

  it('sends a signed-out visitor to /login with the returnUrl', async () => {
    const harness = await RouterTestingHarness.create();
    await harness.navigateByUrl('/servers/abc');
    expect(TestBed.inject(Router).url).toBe('/login?returnUrl=%2Fservers%2Fabc');
    expect(harness.routeNativeElement?.textContent).toContain('login form');
  });

  it('restores the session from the refresh token on reload and lets the user in', async () => {
    localStorage.setItem(REFRESH_TOKEN_KEY, 'refresh-1');
    const harness = await RouterTestingHarness.create();
    const nav = harness.navigateByUrl('/servers/abc');
    (await nextRequest(http, '/api/v1/auth/refresh')).flush(authResponse(2));
    await nav;
    expect(TestBed.inject(Router).url).toBe('/servers/abc');
    expect(harness.routeNativeElement?.textContent).toContain('secret dashboard');
  });

  it('guestGuard sends a signed-in user from /login to the overview', async () => {
    localStorage.setItem(REFRESH_TOKEN_KEY, 'refresh-1');
    const harness = await RouterTestingHarness.create();
    const nav = harness.navigateByUrl('/login');
    (await nextRequest(http, '/api/v1/auth/refresh')).flush(authResponse(2));
    await nav;
    expect(TestBed.inject(Router).url).toBe('/');
  });
});
