import { provideHttpClient, withInterceptors } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import { Router, provideRouter } from '@angular/router';
import { authResponse } from '../../../testing/auth-fixtures';
import { button, q, text, type } from '../../../testing/dom';
import { authInterceptor } from '../../core/auth/auth.interceptor';
import { AuthService } from '../../core/auth/auth.service';
import { errorInterceptor } from '../../core/notify/error.interceptor';
import { NotifyService } from '../../core/notify/notify.service';
import { LoginPage, safeReturnUrl } from './login.page';

describe('LoginPage', () => {
  let fixture: ComponentFixture<LoginPage>;
  let http: HttpTestingController;
  let router: Router;
  const notify = { error: jest.fn(), success: jest.fn() };

  beforeEach(async () => {
    localStorage.clear();
    notify.error.mockReset();
    TestBed.configureTestingModule({
      imports: [LoginPage],
      // The app's order: the error interceptor (toasts) outside the auth one.
      providers: [provideRouter([]), provideHttpClient(withInterceptors([errorInterceptor, authInterceptor])), provideHttpClientTesting(),
        { provide: NotifyService, useValue: notify }],
    });
    http = TestBed.inject(HttpTestingController);
    router = TestBed.inject(Router);
    jest.spyOn(router, 'navigateByUrl').mockResolvedValue(true);
    fixture = TestBed.createComponent(LoginPage);
    fixture.componentRef.setInput('returnUrl', '/servers/42');
    http.expectOne('/api/v1/auth/oidc/config').flush({ oidcEnabled: false, oidcButtonLabel: '', localLogin: true });
    await fixture.whenStable();
  });

  /** A page for an instance with other sign-in options. */
  async function pageWith(options: { oidcEnabled: boolean; oidcButtonLabel: string; localLogin: boolean }, oidcError?: string) {
    const f = TestBed.createComponent(LoginPage);
    f.componentRef.setInput('returnUrl', '/servers/42');
    if (oidcError) f.componentRef.setInput('oidcError', oidcError);
    http.expectOne('/api/v1/auth/oidc/config').flush(options);
    await f.whenStable();
    return f;
  }
  afterEach(() => http.verify());

  async function submit(): Promise<void> {
    button(fixture, /Sign in/).click();
    await fixture.whenStable();
  }

  it('shows validation messages and sends nothing when the form is empty', async () => {
    await submit();
    expect(text(fixture)).toContain('Enter your username or email');
    expect(text(fixture)).toContain('Enter your password');
    http.expectNone('/api/v1/auth/login');
  });

  it('signs in, shows a loading button meanwhile, then goes to the return URL', async () => {
    type(q(fixture, 'input[formControlName=username]'), 'ada@example.com');
    type(q(fixture, 'input[formControlName=password]'), 'correct horse');
    await submit();

    const btn = q<HTMLButtonElement>(fixture, 'button[type=submit]');
    expect(btn.disabled).toBe(true);
    expect(btn.textContent).toContain('Signing in');

    const req = http.expectOne('/api/v1/auth/login');
    expect(req.request.body).toEqual({ username: 'ada@example.com', password: 'correct horse' });
    req.flush(authResponse(1));
    await fixture.whenStable();

    expect(TestBed.inject(AuthService).isAuthenticated()).toBe(true);
    expect(router.navigateByUrl).toHaveBeenCalledWith('/servers/42');
    expect(q<HTMLButtonElement>(fixture, 'button[type=submit]').disabled).toBe(false);
  });

  it('shows an error when the credentials are wrong and stays on the page', async () => {
    type(q(fixture, 'input[formControlName=username]'), 'ada');
    type(q(fixture, 'input[formControlName=password]'), 'nope-nope');
    await submit();
    http.expectOne('/api/v1/auth/login').flush(
      { statusCode: 401, error: 'Unauthorized', message: 'Invalid credentials', requestId: 'r' },
      { status: 401, statusText: 'Unauthorized' },
    );
    await fixture.whenStable();
    expect(q(fixture, '[data-testid=login-error]').textContent).toContain('Wrong username/email or password');
    expect(q(fixture, '[role=alert]')).toBeTruthy();
    expect(notify.error).not.toHaveBeenCalled(); // said once, in the form: no toast as well
    expect(router.navigateByUrl).not.toHaveBeenCalled();
  });

  it('offers no single sign-on button when the instance has none', () => {
    expect(fixture.nativeElement.querySelector('[data-testid=oidc-login]')).toBeNull();
  });

  it('offers the single sign-on button, with its label, going to the provider with the return URL', async () => {
    const f = await pageWith({ oidcEnabled: true, oidcButtonLabel: 'Sign in with Corp SSO', localLogin: true });
    const sso = q<HTMLAnchorElement>(f, '[data-testid=oidc-login]');
    expect(sso.textContent).toContain('Sign in with Corp SSO');
    expect(sso.getAttribute('href')).toBe('/api/v1/auth/oidc/login?returnTo=%2Fservers%2F42');
    expect(q(f, 'input[formControlName=password]')).toBeTruthy();
  });

  it('hides the password form and the registration link when local sign-in is off', async () => {
    const f = await pageWith({ oidcEnabled: true, oidcButtonLabel: 'Use SSO', localLogin: false });
    expect(f.nativeElement.querySelector('input[formControlName=password]')).toBeNull();
    expect(text(f)).not.toContain('Create an account');
    expect(q(f, '[data-testid=oidc-login]').textContent).toContain('Use SSO');
  });

  it('explains a failed single sign-on from the callback', async () => {
    const f = await pageWith({ oidcEnabled: true, oidcButtonLabel: 'SSO', localLogin: true }, 'oidc.email_in_use');
    expect(q(f, '[data-testid=oidc-error]').textContent).toContain('already exists');
    expect(q(f, '[data-testid=oidc-error]').getAttribute('role')).toBe('alert');
  });

  it('never redirects to another origin after sign-in', () => {
    expect(safeReturnUrl('https://evil.example')).toBe('/');
    expect(safeReturnUrl('//evil.example')).toBe('/');
    expect(safeReturnUrl('/servers/1')).toBe('/servers/1');
  });
});
