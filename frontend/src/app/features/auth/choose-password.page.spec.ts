import { provideHttpClient, withInterceptors } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import { Router, provideRouter } from '@angular/router';
import { USER, authResponse } from '../../../testing/auth-fixtures';
import { q, text, type } from '../../../testing/dom';
import { authInterceptor } from '../../core/auth/auth.interceptor';
import { AuthService } from '../../core/auth/auth.service';
import { errorInterceptor } from '../../core/notify/error.interceptor';
import { NotifyService } from '../../core/notify/notify.service';
import { ChoosePasswordPage } from './choose-password.page';

describe('ChoosePasswordPage', () => {
  let fixture: ComponentFixture<ChoosePasswordPage>;
  let http: HttpTestingController;
  let router: Router;
  const notify = { error: jest.fn(), success: jest.fn() };

  beforeEach(async () => {
    localStorage.clear();
    notify.error.mockReset();
    TestBed.configureTestingModule({
      imports: [ChoosePasswordPage],
      providers: [provideRouter([]), provideHttpClient(withInterceptors([errorInterceptor, authInterceptor])), provideHttpClientTesting(),
        { provide: NotifyService, useValue: notify }],
    });
    http = TestBed.inject(HttpTestingController);
    router = TestBed.inject(Router);
    jest.spyOn(router, 'navigateByUrl').mockResolvedValue(true);
    TestBed.inject(AuthService).login({ username: 'ada', password: 'temporary' }).subscribe();
    http.expectOne('/api/v1/auth/login').flush(authResponse(1, { ...USER, mustChangePassword: true }));
    fixture = TestBed.createComponent(ChoosePasswordPage);
    fixture.componentRef.setInput('returnUrl', '/servers/42');
    await fixture.whenStable();
  });
  afterEach(() => http.verify());

  const fill = async (current: string, next: string, confirm = next) => {
    type(q(fixture, '[data-testid=current-password]'), current);
    type(q(fixture, '[data-testid=new-password]'), next);
    type(q(fixture, '[data-testid=confirm-password]'), confirm);
    q<HTMLButtonElement>(fixture, '[data-testid=choose-submit]').click();
    await fixture.whenStable();
  };

  it('changes the temporary password, then goes where the user was going without the flag', async () => {
    expect(text(fixture)).toContain('An administrator set a temporary password for ' + USER.username);
    await fill('temporary', 'my own secret');
    const req = http.expectOne('/api/v1/auth/change-password');
    expect(req.request.body).toEqual({ currentPassword: 'temporary', newPassword: 'my own secret' });
    req.flush(authResponse(2));
    await fixture.whenStable();
    expect(TestBed.inject(AuthService).user()?.mustChangePassword).toBeUndefined();
    expect(router.navigateByUrl).toHaveBeenCalledWith('/servers/42');
  });

  it('refuses two different passwords without asking the server', async () => {
    await fill('temporary', 'my own secret', 'my own secrex');
    expect(text(fixture)).toContain('The two passwords differ.');
    http.expectNone('/api/v1/auth/change-password');
  });

  it('shows the server\'s refusal inline, once (no toast), and stays', async () => {
    await fill('temporary', 'temporary');
    http.expectOne('/api/v1/auth/change-password').flush(
      { statusCode: 400, code: 'auth.password_unchanged', message: 'Choose a password other than the temporary one' },
      { status: 400, statusText: 'Bad Request' },
    );
    await fixture.whenStable();
    expect(q(fixture, '[data-testid=choose-error]').textContent).toContain('Choose a password other than the temporary one');
    expect(notify.error).not.toHaveBeenCalled();
    expect(router.navigateByUrl).not.toHaveBeenCalled();
  });
});
