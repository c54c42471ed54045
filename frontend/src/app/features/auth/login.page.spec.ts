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
    await fixture.whenStable();
  });
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

  it('never redirects to another origin after sign-in', () => {
    expect(safeReturnUrl('https://evil.example')).toBe('/');
    expect(safeReturnUrl('//evil.example')).toBe('/');
    expect(safeReturnUrl('/servers/1')).toBe('/servers/1');
  });
});
