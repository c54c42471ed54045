import { provideHttpClient, withInterceptors } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { HttpClient } from '@angular/common/http';
import { TestBed } from '@angular/core/testing';
import { Router, provideRouter } from '@angular/router';
import { authResponse, USER } from '../../../testing/auth-fixtures';
import { SKIP_ERROR_TOAST } from '../api/api-config';
import { authInterceptor } from './auth.interceptor';
import { AuthService, LEGACY_REFRESH_TOKEN_KEY, LOGOUT_PENDING_KEY, REFRESH_HEADER, REFRESH_RETRY_MS } from './auth.service';

/** Everything scripts on the page could read: no token may be in there. */
const storageDump = () => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage });
const networkError = { status: 0, statusText: 'Unknown Error' };

describe('AuthService', () => {
  let http: HttpTestingController;
  let router: Router;

  function setUp(): AuthService {
    TestBed.configureTestingModule({
      providers: [provideRouter([]), provideHttpClient(withInterceptors([authInterceptor])), provideHttpClientTesting()],
    });
    http = TestBed.inject(HttpTestingController);
    router = TestBed.inject(Router);
    jest.spyOn(router, 'navigateByUrl').mockResolvedValue(true);
    jest.spyOn(router, 'navigate').mockResolvedValue(true);
    return TestBed.inject(AuthService);
  }

  function signIn(auth: AuthService, expiresIn = 1800): void {
    auth.login({ username: 'ada', password: 'x' }).subscribe();
    http.expectOne('/api/v1/auth/login').flush(authResponse(1, USER, expiresIn));
  }

  beforeEach(() => {
    localStorage.clear();
    sessionStorage.clear();
  });
  afterEach(() => {
    http.verify();
    jest.useRealTimers();
  });

  it('login asks for the refresh cookie and keeps the access token in memory only', () => {
    const auth = setUp();
    let user: unknown;
    auth.login({ username: 'ada', password: 'secret-pass' }).subscribe((u) => (user = u));
    const req = http.expectOne('/api/v1/auth/login');
    expect(req.request.method).toBe('POST');
    expect(req.request.body).toEqual({ username: 'ada', password: 'secret-pass' });
    expect(req.request.headers.get(REFRESH_HEADER)).toBe('1');
    expect(req.request.headers.has('Authorization')).toBe(false);
    req.flush(authResponse(1));

    expect(user).toEqual(USER);
    expect(auth.isAuthenticated()).toBe(true);
    expect(auth.accessToken()).toBe('access-1');
    expect(auth.user()?.username).toBe('ada');
    expect(storageDump()).not.toContain('access-1');
    expect(localStorage.length + sessionStorage.length).toBe(0);
  });

  it('restores a session after a reload with the cookie (header, no token in the body)', async () => {
    const auth = setUp();
    const restored = auth.ensureSession();
    const req = http.expectOne('/api/v1/auth/refresh');
    expect(req.request.method).toBe('POST');
    expect(req.request.body).toEqual({});
    expect(req.request.headers.get(REFRESH_HEADER)).toBe('1');
    req.flush(authResponse(2));
    expect(await restored).toBe(true);
    expect(auth.accessToken()).toBe('access-2');
    // signed in now: no further request
    expect(await auth.ensureSession()).toBe(true);
  });

  it('a refused refresh ends the session, and later checks do not ask the server again', async () => {
    const auth = setUp();
    const restored = auth.ensureSession();
    http.expectOne('/api/v1/auth/refresh').flush({ statusCode: 401, message: 'revoked' }, { status: 401, statusText: 'Unauthorized' });
    expect(await restored).toBe(false);
    expect(auth.isAuthenticated()).toBe(false);
    expect(await auth.ensureSession()).toBe(false);
    http.expectNone('/api/v1/auth/refresh');
  });

  it('moves a refresh token left in localStorage by an earlier version into the cookie, and removes it at once', async () => {
    localStorage.setItem(LEGACY_REFRESH_TOKEN_KEY, 'refresh-legacy');
    const auth = setUp();
    expect(localStorage.getItem(LEGACY_REFRESH_TOKEN_KEY)).toBeNull();
    const restored = auth.ensureSession();
    const req = http.expectOne('/api/v1/auth/refresh');
    expect(req.request.body).toEqual({ refreshToken: 'refresh-legacy' });
    expect(req.request.headers.get(REFRESH_HEADER)).toBe('1');
    req.flush(authResponse(2));
    expect(await restored).toBe(true);
    // from now on only the cookie
    auth.refresh().subscribe();
    expect(http.expectOne('/api/v1/auth/refresh').request.body).toEqual({});
    expect(storageDump()).not.toContain('refresh');
  });

  it('concurrent refresh callers share a single POST /auth/refresh', () => {
    const auth = setUp();
    const tokens: string[] = [];
    auth.refresh().subscribe((r) => tokens.push(r.accessToken));
    auth.refresh().subscribe((r) => tokens.push(r.accessToken));
    auth.refresh().subscribe((r) => tokens.push(r.accessToken));
    http.expectOne('/api/v1/auth/refresh').flush(authResponse(2));
    expect(tokens).toEqual(['access-2', 'access-2', 'access-2']);
    auth.refresh().subscribe();
    http.expectOne('/api/v1/auth/refresh').flush(authResponse(3));
    expect(auth.accessToken()).toBe('access-3');
  });

  it('concurrent 401s trigger one refresh, then every request is retried with the new token', () => {
    const auth = setUp();
    signIn(auth);
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
  });

  it('refreshes proactively about a minute before the access token expires', () => {
    jest.useFakeTimers();
    const auth = setUp();
    signIn(auth);
    jest.advanceTimersByTime(1800_000 - 61_000);
    http.expectNone('/api/v1/auth/refresh');
    jest.advanceTimersByTime(2_000);
    http.expectOne('/api/v1/auth/refresh').flush(authResponse(2));
    expect(auth.accessToken()).toBe('access-2');
  });

  it('keeps the session when the proactive refresh hits a network failure, and retries later', () => {
    jest.useFakeTimers();
    const auth = setUp();
    signIn(auth);
    jest.advanceTimersByTime(1800_000 - 59_000);
    http.expectOne('/api/v1/auth/refresh').flush(null, networkError);
    expect(auth.isAuthenticated()).toBe(true);
    expect(auth.accessToken()).toBe('access-1');
    expect(router.navigate).not.toHaveBeenCalled();
    expect(router.navigateByUrl).not.toHaveBeenCalled();

    // a 503 while the server recovers is transient too
    jest.advanceTimersByTime(REFRESH_RETRY_MS);
    http.expectOne('/api/v1/auth/refresh').flush({ statusCode: 503 }, { status: 503, statusText: 'Service Unavailable' });
    expect(auth.isAuthenticated()).toBe(true);

    jest.advanceTimersByTime(REFRESH_RETRY_MS);
    http.expectOne('/api/v1/auth/refresh').flush(authResponse(2));
    expect(auth.accessToken()).toBe('access-2');
  });

  it('keeps the session when the refresh after a 401 cannot reach the server; the request fails with the network error', () => {
    const auth = setUp();
    signIn(auth);
    let status: number | undefined;
    TestBed.inject(HttpClient).get('/api/v1/servers').subscribe({ error: (e) => (status = e.status) });
    http.expectOne('/api/v1/servers').flush(null, { status: 401, statusText: 'Unauthorized' });
    http.expectOne('/api/v1/auth/refresh').flush(null, networkError);
    expect(status).toBe(0);
    expect(auth.isAuthenticated()).toBe(true);
    expect(auth.user()).toEqual(USER);
    expect(router.navigate).not.toHaveBeenCalled();
  });

  it('a proactive refresh that is refused ends the session and goes to /login', () => {
    jest.useFakeTimers();
    const auth = setUp();
    signIn(auth);
    jest.advanceTimersByTime(1800_000 - 59_000);
    http.expectOne('/api/v1/auth/refresh').flush({ statusCode: 401 }, { status: 401, statusText: 'Unauthorized' });
    expect(auth.isAuthenticated()).toBe(false);
    expect(router.navigate).toHaveBeenCalledWith(['/login'], expect.anything());
  });

  it('logout revokes the session through the cookie and clears everything locally', async () => {
    const auth = setUp();
    signIn(auth);
    const done = auth.logout();
    const req = http.expectOne('/api/v1/auth/logout');
    expect(req.request.method).toBe('POST');
    expect(req.request.headers.get(REFRESH_HEADER)).toBe('1');
    expect(req.request.body).toEqual({});
    req.flush(null, { status: 204, statusText: 'No Content' });
    await done;
    expect(auth.isAuthenticated()).toBe(false);
    expect(auth.user()).toBeNull();
    expect(router.navigateByUrl).toHaveBeenCalledWith('/login');
    expect(localStorage.getItem(LOGOUT_PENDING_KEY)).toBeNull();
    // signed out on purpose: the guards do not restore the session
    expect(await auth.ensureSession()).toBe(false);
    http.expectNone('/api/v1/auth/refresh');
  });

  it('logout clears the session even when the server cannot be reached, and retries the logout on the next visit', async () => {
    jest.useFakeTimers();
    const auth = setUp();
    signIn(auth);
    const done = auth.logout();
    http.expectOne('/api/v1/auth/logout').flush(null, networkError);
    await done;
    expect(auth.isAuthenticated()).toBe(false);
    expect(auth.user()).toBeNull();
    expect(router.navigateByUrl).toHaveBeenCalledWith('/login');
    jest.advanceTimersByTime(3_600_000);
    http.expectNone('/api/v1/auth/refresh'); // no timer brings the session back
    expect(localStorage.getItem(LOGOUT_PENDING_KEY)).toBe('1');

    // Next visit (a new app instance): the logout is sent again instead of restoring the session.
    TestBed.resetTestingModule();
    const next = setUp();
    const check = next.ensureSession();
    http.expectNone('/api/v1/auth/refresh');
    const retry = http.expectOne('/api/v1/auth/logout');
    expect(retry.request.headers.get(REFRESH_HEADER)).toBe('1');
    retry.flush(null, { status: 204, statusText: 'No Content' });
    expect(await check).toBe(false);
    expect(localStorage.getItem(LOGOUT_PENDING_KEY)).toBeNull();
  });

  it('change password sends no refresh token and takes the fresh session the backend returns', () => {
    const auth = setUp();
    signIn(auth);
    auth.changePassword({ currentPassword: 'old-pass', newPassword: 'new-password' }).subscribe();
    const req = http.expectOne('/api/v1/auth/change-password');
    expect(req.request.body).toEqual({ currentPassword: 'old-pass', newPassword: 'new-password' });
    expect(req.request.headers.get('Authorization')).toBe('Bearer access-1');
    expect(req.request.headers.get(REFRESH_HEADER)).toBe('1');
    req.flush(authResponse(5));
    expect(auth.accessToken()).toBe('access-5');
  });

  it('leaves sign-in and registration failures to the page (one inline message, no toast)', () => {
    const auth = setUp();
    auth.login({ username: 'ada', password: 'x' }).subscribe({ error: () => undefined });
    const login = http.expectOne('/api/v1/auth/login');
    expect(login.request.context.get(SKIP_ERROR_TOAST)).toBe(true);
    login.flush({ statusCode: 403, message: 'This account is disabled; ask an administrator' }, { status: 403, statusText: 'Forbidden' });
    auth.register({ email: 'a@example.test', username: 'ada', password: 'long enough' }).subscribe({ error: () => undefined });
    const register = http.expectOne('/api/v1/auth/register');
    expect(register.request.context.get(SKIP_ERROR_TOAST)).toBe(true);
    register.flush({ statusCode: 409, message: 'That username is already registered' }, { status: 409, statusText: 'Conflict' });
    http.verify();
  });
});
