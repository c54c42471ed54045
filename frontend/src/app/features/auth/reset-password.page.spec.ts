import { provideHttpClient, withInterceptors } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import { q, text, type } from '../../../testing/dom';
import { authInterceptor } from '../../core/auth/auth.interceptor';
import { errorInterceptor } from '../../core/notify/error.interceptor';
import { NotifyService } from '../../core/notify/notify.service';
import { ResetPasswordPage } from './reset-password.page';

describe('ResetPasswordPage', () => {
  let fixture: ComponentFixture<ResetPasswordPage>;
  let http: HttpTestingController;
  const notify = { error: jest.fn(), success: jest.fn() };

  beforeEach(async () => {
    notify.error.mockReset();
    TestBed.configureTestingModule({
      imports: [ResetPasswordPage],
      providers: [provideRouter([]), provideHttpClient(withInterceptors([errorInterceptor, authInterceptor])), provideHttpClientTesting(),
        { provide: NotifyService, useValue: notify }],
    });
    http = TestBed.inject(HttpTestingController);
    fixture = TestBed.createComponent(ResetPasswordPage);
    fixture.componentRef.setInput('token', 'tok_abc');
    await fixture.whenStable();
  });
  afterEach(() => http.verify());

  const fill = async (next: string, confirm = next) => {
    type(q(fixture, '[data-testid=new-password]'), next);
    type(q(fixture, '[data-testid=confirm-password]'), confirm);
    q<HTMLButtonElement>(fixture, '[data-testid=reset-submit]').click();
    await fixture.whenStable();
  };

  it('sets the new password with the link\'s token, signed out, then offers to sign in', async () => {
    await fill('a brand new secret');
    const req = http.expectOne('/api/v1/auth/reset-password');
    expect(req.request.body).toEqual({ token: 'tok_abc', newPassword: 'a brand new secret' });
    req.flush(null, { status: 204, statusText: 'No Content' });
    await fixture.whenStable();
    expect(q(fixture, '[data-testid=reset-done]').textContent).toContain('Your password was changed');
    expect(q(fixture, 'a[href="/login"]').textContent?.trim()).toBe('Sign in');
  });

  it('does not send a short password or two different ones', async () => {
    await fill('short');
    await fill('a brand new secret', 'another secret');
    expect(text(fixture)).toContain('The two passwords differ.');
    http.expectNone('/api/v1/auth/reset-password');
  });

  it('shows a used or expired link inline, once', async () => {
    await fill('a brand new secret');
    http.expectOne('/api/v1/auth/reset-password').flush(
      { statusCode: 400, code: 'auth.invalid_reset_token', message: 'This reset link is not valid (used, replaced or expired): ask an administrator for a new one' },
      { status: 400, statusText: 'Bad Request' },
    );
    await fixture.whenStable();
    expect(q(fixture, '[data-testid=reset-error]').textContent).toContain('ask an administrator for a new one');
    expect(notify.error).not.toHaveBeenCalled();
    expect(fixture.nativeElement.querySelector('[data-testid=reset-done]')).toBeNull();
  });
});
