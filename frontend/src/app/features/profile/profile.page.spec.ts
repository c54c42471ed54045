import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import { USER, authResponse } from '../../../testing/auth-fixtures';
import { button, q, qa, type } from '../../../testing/dom';
import { SKIP_ERROR_TOAST } from '../../core/api/api-config';
import { AuthService } from '../../core/auth/auth.service';
import { THEME_KEY } from '../../core/theme/theme.service';
import { ProfilePage } from './profile.page';

describe('ProfilePage', () => {
  let fixture: ComponentFixture<ProfilePage>;
  let http: HttpTestingController;

  beforeEach(async () => {
    localStorage.clear();
    TestBed.configureTestingModule({ imports: [ProfilePage], providers: [provideRouter([]), provideHttpClient(), provideHttpClientTesting()] });
    http = TestBed.inject(HttpTestingController);
    TestBed.inject(AuthService).login({ username: 'ada', password: 'pw' }).subscribe();
    http.expectOne('/api/v1/auth/login').flush(authResponse(1));
    fixture = TestBed.createComponent(ProfilePage);
    await fixture.whenStable();
    // The sessions and chat cards (their own specs cover them): no links; Ada is an admin, so the integrations too.
    http.expectOne('/api/v1/auth/sessions').flush([]);
    http.expectOne('/api/v1/chatops/links').flush([]);
    http.expectOne('/api/v1/auth/tokens').flush([]);
    http.expectOne('/api/v1/teams').flush([]);
    for (const provider of ['slack', 'mattermost']) {
      http.expectOne(`/api/v1/chatops/integrations/${provider}`).flush({ provider, configured: false, source: null, updatedAt: null });
    }
  });
  afterEach(() => http.verify());

  it('updates full name and email with PUT /auth/me', async () => {
    expect(q<HTMLInputElement>(fixture, 'input[formControlName=fullName]').value).toBe('Ada Lovelace');
    type(q(fixture, 'input[formControlName=email]'), 'ada@new.example');
    await fixture.whenStable();
    button(fixture, 'Save').click();
    const req = http.expectOne({ method: 'PUT', url: '/api/v1/auth/me' });
    expect(req.request.body).toEqual({ fullName: 'Ada Lovelace', email: 'ada@new.example' });
    req.flush({ ...USER, email: 'ada@new.example' });
    expect(TestBed.inject(AuthService).user()?.email).toBe('ada@new.example');
  });

  it('changes the password only when both new entries match', async () => {
    type(q(fixture, 'input[formControlName=currentPassword]'), 'old-password');
    type(q(fixture, 'input[formControlName=newPassword]'), 'brand-new-pw');
    type(q(fixture, 'input[formControlName=confirm]'), 'brand-new-px');
    button(fixture, 'Change password').click();
    await fixture.whenStable();
    expect(q(fixture, '[role=alert]').textContent).toContain('do not match');
    http.expectNone('/api/v1/auth/change-password');

    type(q(fixture, 'input[formControlName=confirm]'), 'brand-new-pw');
    button(fixture, 'Change password').click();
    const req = http.expectOne('/api/v1/auth/change-password');
    expect(req.request.body).toMatchObject({ currentPassword: 'old-password', newPassword: 'brand-new-pw' });
    req.flush(authResponse(7));
    expect(TestBed.inject(AuthService).accessToken()).toBe('access-7');
  });

  it('shows a refused password change once, in its form (no toast as well)', async () => {
    type(q(fixture, 'input[formControlName=currentPassword]'), 'not-my-password');
    type(q(fixture, 'input[formControlName=newPassword]'), 'brand-new-pw');
    type(q(fixture, 'input[formControlName=confirm]'), 'brand-new-pw');
    button(fixture, 'Change password').click();
    const req = http.expectOne('/api/v1/auth/change-password');
    expect(req.request.context.get(SKIP_ERROR_TOAST)).toBe(true);
    req.flush({ statusCode: 403, code: 'auth.wrong_password', message: 'Current password is incorrect', requestId: 'req-3' }, { status: 403, statusText: 'Forbidden' });
    await fixture.whenStable();
    const errors = qa(fixture, '[data-testid=form-error]');
    expect(errors).toHaveLength(1);
    expect(errors[0].closest('form')!.querySelector('input[formControlName=currentPassword]')).not.toBeNull();
    expect(q(fixture, '[data-testid=form-error-message]').textContent).toBe('Current password is incorrect');
    expect(q(fixture, '[data-testid=form-error] details code').textContent).toBe('req-3');
  });

  it('shows a refused profile save in the Account form, without a toast', async () => {
    type(q(fixture, 'input[formControlName=email]'), 'taken@example.test');
    await fixture.whenStable();
    button(fixture, 'Save').click();
    const req = http.expectOne({ method: 'PUT', url: '/api/v1/auth/me' });
    expect(req.request.context.get(SKIP_ERROR_TOAST)).toBe(true);
    req.flush({ statusCode: 409, message: 'This email is in use', requestId: 'req-4' }, { status: 409, statusText: 'Conflict' });
    await fixture.whenStable();
    const error = q(fixture, '[data-testid=form-error]');
    expect(error.closest('form')!.querySelector('input[formControlName=email]')).not.toBeNull();
    expect(error.textContent).toContain('This email is in use');
  });

  it('remembers the theme and applies it to <html>', async () => {
    const dark = Array.from(fixture.nativeElement.querySelectorAll('mat-button-toggle button') as NodeListOf<HTMLButtonElement>).find((b) => b.textContent?.trim() === 'Dark')!;
    dark.click();
    await fixture.whenStable();
    expect(localStorage.getItem(THEME_KEY)).toBe('dark');
    expect(document.documentElement.classList).toContain('theme-dark');
    expect(document.documentElement.style.colorScheme).toBe('dark');
  });
});

describe('ProfilePage for a non-admin', () => {
  it('shows the chat accounts card but not the chat integrations (admin settings)', async () => {
    TestBed.configureTestingModule({ imports: [ProfilePage], providers: [provideRouter([]), provideHttpClient(), provideHttpClientTesting()] });
    const http = TestBed.inject(HttpTestingController);
    TestBed.inject(AuthService).login({ username: 'bob', password: 'pw' }).subscribe();
    http.expectOne('/api/v1/auth/login').flush(authResponse(1, { ...USER, username: 'bob', role: 'user' }));
    const fixture = TestBed.createComponent(ProfilePage);
    await fixture.whenStable();
    http.expectOne('/api/v1/auth/sessions').flush([]);
    http.expectOne('/api/v1/chatops/links').flush([]);
    http.expectOne('/api/v1/auth/tokens').flush([]);
    http.expectOne('/api/v1/teams').flush([]);
    await fixture.whenStable();
    http.expectNone((r) => r.url.startsWith('/api/v1/chatops/integrations'));
    expect(fixture.nativeElement.textContent).toContain('Chat accounts');
    expect(fixture.nativeElement.textContent).not.toContain('Chat integrations');
    http.verify();
  });
});
