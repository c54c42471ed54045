import { HttpClient, provideHttpClient, withInterceptors } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { Router, provideRouter } from '@angular/router';
import { authResponse } from '../../../testing/auth-fixtures';
import { authInterceptor } from './auth.interceptor';
import { AuthService } from './auth.service';

describe('authInterceptor', () => {
  let http: HttpTestingController;
  let client: HttpClient;
  let auth: AuthService;
  let router: Router;

  beforeEach(() => {
    localStorage.clear();
    TestBed.configureTestingModule({
      providers: [provideRouter([]), provideHttpClient(withInterceptors([authInterceptor])), provideHttpClientTesting()],
    });
    http = TestBed.inject(HttpTestingController);
    client = TestBed.inject(HttpClient);
    auth = TestBed.inject(AuthService);
    router = TestBed.inject(Router);
    jest.spyOn(router, 'navigate').mockResolvedValue(true);
    auth.login({ username: 'ada', password: 'pw' }).subscribe();
    http.expectOne('/api/v1/auth/login').flush(authResponse(1));
  });
  afterEach(() => http.verify());

  it('adds the bearer token to API calls but not to other origins or the auth body routes', () => {
    client.get('/api/v1/servers').subscribe();
    expect(http.expectOne('/api/v1/servers').request.headers.get('Authorization')).toBe('Bearer access-1');
    client.get('https://example.com/x').subscribe();
    expect(http.expectOne('https://example.com/x').request.headers.has('Authorization')).toBe(false);
    client.post('/api/v1/auth/refresh', {}).subscribe();
    expect(http.expectOne('/api/v1/auth/refresh').request.headers.has('Authorization')).toBe(false);
  });

  it('a 401 on the retried request logs out to /login with the return URL', () => {
    let failed = false;
    client.get('/api/v1/servers').subscribe({ error: () => (failed = true) });
    http.expectOne('/api/v1/servers').flush(null, { status: 401, statusText: 'Unauthorized' });
    http.expectOne('/api/v1/auth/refresh').flush(authResponse(2));
    http.expectOne('/api/v1/servers').flush(null, { status: 401, statusText: 'Unauthorized' });
    expect(failed).toBe(true);
    expect(auth.isAuthenticated()).toBe(false);
    expect(router.navigate).toHaveBeenCalledWith(['/login'], { queryParams: { returnUrl: '/' } });
  });

  it('a failed refresh logs out and the original request fails', () => {
    let status = 0;
    client.get('/api/v1/servers').subscribe({ error: (e) => (status = e.status) });
    http.expectOne('/api/v1/servers').flush(null, { status: 401, statusText: 'Unauthorized' });
    http.expectOne('/api/v1/auth/refresh').flush({ message: 'reused' }, { status: 401, statusText: 'Unauthorized' });
    expect(status).toBe(401);
    expect(auth.isAuthenticated()).toBe(false);
    expect(router.navigate).toHaveBeenCalledWith(['/login'], expect.anything());
  });

  it('a refresh that fails with 5xx or 429 keeps the session and does not navigate', () => {
    for (const [status, statusText] of [[503, 'Service Unavailable'], [429, 'Too Many Requests']] as const) {
      let failed = 0;
      client.get('/api/v1/servers').subscribe({ error: (e) => (failed = e.status) });
      http.expectOne('/api/v1/servers').flush(null, { status: 401, statusText: 'Unauthorized' });
      http.expectOne('/api/v1/auth/refresh').flush({ statusCode: status }, { status, statusText });
      expect(failed).toBe(status);
      expect(auth.isAuthenticated()).toBe(true);
    }
    expect(router.navigate).not.toHaveBeenCalled();
  });

  it('does not try to refresh when login itself answers 401 (wrong password)', () => {
    auth.login({ username: 'ada', password: 'wrong' }).subscribe({ error: () => undefined });
    http.expectOne('/api/v1/auth/login').flush({ message: 'Invalid credentials' }, { status: 401, statusText: 'Unauthorized' });
    http.expectNone('/api/v1/auth/refresh');
  });

  it('a 403 auth.password_change_required sends the user to the "choose a new password" page, without a refresh', () => {
    let failed = false;
    client.get('/api/v1/servers').subscribe({ error: () => (failed = true) });
    http.expectOne('/api/v1/servers').flush(
      { statusCode: 403, code: 'auth.password_change_required', message: 'Choose a new password first' },
      { status: 403, statusText: 'Forbidden' },
    );
    expect(failed).toBe(true);
    expect(router.navigate).toHaveBeenCalledWith(['/choose-password'], { queryParams: { returnUrl: '/' } });
    expect(auth.user()?.mustChangePassword).toBe(true);
    expect(auth.accessToken()).toBe('access-1'); // still signed in
  });

  it('does not send the bearer token with a reset link (it is the credential)', () => {
    client.post('/api/v1/auth/reset-password', { token: 't', newPassword: 'a new secret' }).subscribe({ error: () => undefined });
    const req = http.expectOne('/api/v1/auth/reset-password');
    expect(req.request.headers.has('Authorization')).toBe(false);
    req.flush({ statusCode: 400 }, { status: 400, statusText: 'Bad Request' });
  });
});
