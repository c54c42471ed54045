import { provideHttpClient, withInterceptors } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { HttpClient } from '@angular/common/http';
import { TestBed } from '@angular/core/testing';
import { Router, provideRouter } from '@angular/router';
import { authResponse, USER } from '../../../testing/auth-fixtures';
import { authInterceptor } from './auth.interceptor';
import { AuthService, REFRESH_TOKEN_KEY } from './auth.service';

describe('AuthService', () => {
  let auth: AuthService;
  let http: HttpTestingController;
  let router: Router;

  beforeEach(() => {
    localStorage.clear();
    TestBed.configureTestingModule({
      providers: [provideRouter([]), provideHttpClient(withInterceptors([authInterceptor])), provideHttpClientTesting()],
    });
    auth = TestBed.inject(AuthService);
    http = TestBed.inject(HttpTestingController);
    router = TestBed.inject(Router);
    jest.spyOn(router, 'navigateByUrl').mockResolvedValue(true);
    jest.spyOn(router, 'navigate').mockResolvedValue(true);
  });
  afterEach(() => {
    http.verify();
    jest.useRealTimers();
  });

  it('login keeps the access token in memory and the refresh token in localStorage', () => {
    let user: unknown;
    auth.login({ username: 'ada', password: 'secret-pass' }).subscribe((u) => (user = u));
    const req = http.expectOne('/api/v1/auth/login');
    expect(req.request.method).toBe('POST');
    expect(req.request.body).toEqual({ username: 'ada', password: 'secret-pass' });
    expect(req.request.headers.has('Authorization')).toBe(false);
    req.flush(authResponse(1));

    expect(user).toEqual(USER);
    expect(auth.isAuthenticated()).toBe(true);
    expect(auth.accessToken()).toBe('access-1');
    expect(auth.user()?.username).toBe('ada');
    expect(localStorage.getItem(REFRESH_TOKEN_KEY)).toBe('refresh-1');
    // The access token is never persisted.
    expect(JSON.stringify({ ...localStorage })).not.toContain('access-1');
  });

  it('restores a session after a reload from the stored refresh token and stores the rotated one', async () => {
    localStorage.setItem(REFRESH_TOKEN_KEY, 'refresh-old');
    const restored = auth.ensureSession();
    const req = http.expectOne('/api/v1/auth/refresh');
    expect(req.request.body).toEqual({ refreshToken: 'refresh-old' });
    req.flush(authResponse(2));
    expect(await restored).toBe(true);
    expect(auth.accessToken()).toBe('access-2');
    expect(localStorage.getItem(REFRESH_TOKEN_KEY)).toBe('refresh-2');
  });

  it('a rejected refresh token ends the session', async () => {
    localStorage.setItem(REFRESH_TOKEN_KEY, 'refresh-stolen');
    const restored = auth.ensureSession();
    http.expectOne('/api/v1/auth/refresh').flush({ statusCode: 401, message: 'revoked' }, { status: 401, statusText: 'Unauthorized' });
    expect(await restored).toBe(false);
    expect(localStorage.getItem(REFRESH_TOKEN_KEY)).toBeNull();
    expect(auth.isAuthenticated()).toBe(false);
  });

  it('concurrent refresh callers share a single POST /auth/refresh', () => {
    localStorage.setItem(REFRESH_TOKEN_KEY, 'refresh-1');
    const tokens: string[] = [];
    auth.refresh().subscribe((r) => tokens.push(r.accessToken));
    auth.refresh().subscribe((r) => tokens.push(r.accessToken));
    auth.refresh().subscribe((r) => tokens.push(r.accessToken));
    http.expectOne('/api/v1/auth/refresh').flush(authResponse(2));
    expect(tokens).toEqual(['access-2', 'access-2', 'access-2']);
    // The next refresh uses the rotated token.
    auth.refresh().subscribe();
    expect(http.expectOne('/api/v1/auth/refresh').request.body).toEqual({ refreshToken: 'refresh-2' });
  });

  it('concurrent 401s trigger one refresh, then every request is retried with the new token', () => {
    auth.login({ username: 'ada', password: 'x' }).subscribe();
    http.expectOne('/api/v1/auth/login').flush(authResponse(1));
    const client = TestBed.inject(HttpClient);
    const results: unknown[] = [];
    client.get('/api/v1/servers').subscribe((r) => results.push(r));
    client.get('/api/v1/auth/me').subscribe((r) => results.push(r));

    const first = http.match((r) => r.url === '/api/v1/servers' || r.url === '/api/v1/auth/me');
    expect(first).toHaveLength(2);
    first.forEach((r) => {
      expect(r.request.headers.get('Authorization')).toBe('Bearer access-1');
      r.flush({ statusCode: 401, message: 'expired' }, { status: 401, statusText: 'Unauthorized' });
    });

    http.expectOne('/api/v1/auth/refresh').flush(authResponse(2));
    const retried = http.match((r) => r.url === '/api/v1/servers' || r.url === '/api/v1/auth/me');
    expect(retried).toHaveLength(2);
    retried.forEach((r) => {
      expect(r.request.headers.get('Authorization')).toBe('Bearer access-2');
      r.flush(r.request.url === '/api/v1/servers' ? [] : USER);
    });
    expect(results).toHaveLength(2);
    expect(localStorage.getItem(REFRESH_TOKEN_KEY)).toBe('refresh-2');
  });

  it('refreshes proactively about a minute before the access token expires', () => {
    jest.useFakeTimers();
    auth.login({ username: 'ada', password: 'x' }).subscribe();
    http.expectOne('/api/v1/auth/login').flush(authResponse(1, USER, 1800));
    jest.advanceTimersByTime(1800_000 - 61_000);
    http.expectNone('/api/v1/auth/refresh');
    jest.advanceTimersByTime(2_000);
    http.expectOne('/api/v1/auth/refresh').flush(authResponse(2));
    expect(auth.accessToken()).toBe('access-2');
  });

  it('logout posts the refresh token (revokes it) and clears the session', async () => {
    auth.login({ username: 'ada', password: 'x' }).subscribe();
    http.expectOne('/api/v1/auth/login').flush(authResponse(1));
    const done = auth.logout();
    const req = http.expectOne('/api/v1/auth/logout');
    expect(req.request.method).toBe('POST');
    expect(req.request.body).toEqual({ refreshToken: 'refresh-1' });
    req.flush(null, { status: 204, statusText: 'No Content' });
    await done;
    expect(auth.isAuthenticated()).toBe(false);
    expect(auth.user()).toBeNull();
    expect(localStorage.getItem(REFRESH_TOKEN_KEY)).toBeNull();
    expect(router.navigateByUrl).toHaveBeenCalledWith('/login');
  });

  it('change password stores the fresh session the backend returns', () => {
    auth.login({ username: 'ada', password: 'x' }).subscribe();
    http.expectOne('/api/v1/auth/login').flush(authResponse(1));
    auth.changePassword({ currentPassword: 'old-pass', newPassword: 'new-password' }).subscribe();
    const req = http.expectOne('/api/v1/auth/change-password');
    expect(req.request.body).toMatchObject({ currentPassword: 'old-pass', newPassword: 'new-password' });
    expect(req.request.headers.get('Authorization')).toBe('Bearer access-1');
    req.flush(authResponse(5));
    expect(auth.accessToken()).toBe('access-5');
    expect(localStorage.getItem(REFRESH_TOKEN_KEY)).toBe('refresh-5');
  });
});
