import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import { Router, provideRouter } from '@angular/router';
import { authResponse } from '../../../testing/auth-fixtures';
import { button, q, text, type } from '../../../testing/dom';
import { SKIP_ERROR_TOAST } from '../../core/api/api-config';
import { RegisterPage } from './register.page';

describe('RegisterPage', () => {
  let fixture: ComponentFixture<RegisterPage>;
  let http: HttpTestingController;

  beforeEach(async () => {
    localStorage.clear();
    TestBed.configureTestingModule({ imports: [RegisterPage], providers: [provideRouter([]), provideHttpClient(), provideHttpClientTesting()] });
    http = TestBed.inject(HttpTestingController);
    jest.spyOn(TestBed.inject(Router), 'navigateByUrl').mockResolvedValue(true);
    fixture = TestBed.createComponent(RegisterPage);
    http.expectOne('/api/v1/auth/oidc/config').flush({ oidcEnabled: false, oidcButtonLabel: '', localLogin: true });
    await fixture.whenStable();
    http.expectOne('/api/v1/auth/registration').flush({ mode: 'open', inviteRequired: false });
    await fixture.whenStable();
  });

  it('replaces the form with a pointer to single sign-on when password sign-in is off', async () => {
    const f = TestBed.createComponent(RegisterPage);
    http.expectOne('/api/v1/auth/oidc/config').flush({ oidcEnabled: true, oidcButtonLabel: 'SSO', localLogin: false });
    await f.whenStable();
    http.expectOne('/api/v1/auth/registration').flush({ mode: 'open', inviteRequired: false });
    await f.whenStable();
    expect(f.nativeElement.querySelector('form')).toBeNull();
    expect(q(f, '[data-testid=registration-off]').textContent).toContain('single sign-on');
  });
  afterEach(() => http.verify());

  it('rejects a short password and an invalid email', async () => {
    type(q(fixture, 'input[formControlName=email]'), 'not-an-email');
    type(q(fixture, 'input[formControlName=username]'), 'ada');
    type(q(fixture, 'input[formControlName=password]'), 'short');
    button(fixture, 'Create account').click();
    await fixture.whenStable();
    expect(text(fixture)).toContain('Enter a valid email address');
    expect(text(fixture)).toContain('At least 8 characters');
    http.expectNone('/api/v1/auth/register');
  });

  it('registers without the optional full name and shows a duplicate-user error', async () => {
    type(q(fixture, 'input[formControlName=email]'), 'ada@example.com');
    type(q(fixture, 'input[formControlName=username]'), 'ada');
    type(q(fixture, 'input[formControlName=password]'), 'long-enough-pw');
    button(fixture, 'Create account').click();
    const req = http.expectOne('/api/v1/auth/register');
    expect(req.request.body).toEqual({ email: 'ada@example.com', username: 'ada', password: 'long-enough-pw' });
    req.flush({ statusCode: 409, error: 'Conflict', message: 'Username already taken', requestId: 'x' }, { status: 409, statusText: 'Conflict' });
    await fixture.whenStable();
    expect(q(fixture, '[role=alert]').textContent).toContain('Username already taken');
    expect(req.request.context.get(SKIP_ERROR_TOAST)).toBe(true); // said once, in the form: no toast as well

    button(fixture, 'Create account').click();
    http.expectOne('/api/v1/auth/register').flush(authResponse(1));
    await fixture.whenStable();
    expect(TestBed.inject(Router).navigateByUrl).toHaveBeenCalledWith('/');
  });
});

describe('RegisterPage with invite-only registration', () => {
  let http: HttpTestingController;

  async function open(invite?: string): Promise<ComponentFixture<RegisterPage>> {
    TestBed.configureTestingModule({ imports: [RegisterPage], providers: [provideRouter([]), provideHttpClient(), provideHttpClientTesting()] });
    http = TestBed.inject(HttpTestingController);
    jest.spyOn(TestBed.inject(Router), 'navigateByUrl').mockResolvedValue(true);
    const fixture = TestBed.createComponent(RegisterPage);
    if (invite) fixture.componentRef.setInput('invite', invite);
    http.expectOne('/api/v1/auth/oidc/config').flush({ oidcEnabled: false, oidcButtonLabel: '', localLogin: true });
    await fixture.whenStable();
    http.expectOne('/api/v1/auth/registration').flush({ mode: 'invite', inviteRequired: true });
    await fixture.whenStable();
    return fixture;
  }
  afterEach(() => http.verify());

  it('explains that an invite is needed and offers no form', async () => {
    const fixture = await open();
    expect(q(fixture, '[data-testid=invite-required]').textContent).toContain('by invitation only. Ask an administrator for an invite link');
    expect(fixture.nativeElement.querySelector('form')).toBeNull();
  });

  it('takes the invite from the link: shows it, fixes its email and sends its token', async () => {
    const token = 'i'.repeat(43);
    const fixture = await open(token);
    const check = http.expectOne('/api/v1/auth/invites/check');
    expect(check.request.body).toEqual({ inviteToken: token });
    check.flush({ email: 'erin@example.test', role: 'admin', expiresAt: '2026-12-01T00:00:00.000Z' });
    await fixture.whenStable();
    expect(q(fixture, '[data-testid=invite-note]').textContent).toContain('You were invited as an administrator. The invite works once, for erin@example.test.');
    const email = q<HTMLInputElement>(fixture, 'input[formControlName=email]');
    expect(email.value).toBe('erin@example.test');
    expect(email.readOnly).toBe(true);
    type(q(fixture, 'input[formControlName=username]'), 'erin');
    type(q(fixture, 'input[formControlName=password]'), 'long-enough-pw');
    button(fixture, 'Create account').click();
    const req = http.expectOne('/api/v1/auth/register');
    expect(req.request.body).toEqual({ email: 'erin@example.test', username: 'erin', password: 'long-enough-pw', inviteToken: token });
    req.flush(authResponse(1));
    await fixture.whenStable();
    expect(TestBed.inject(Router).navigateByUrl).toHaveBeenCalledWith('/');
  });

  it('says why an invite link does not work', async () => {
    const fixture = await open('u'.repeat(43));
    http.expectOne('/api/v1/auth/invites/check').flush(
      { statusCode: 403, error: 'Forbidden', message: 'This invite link is not valid: it was used, revoked or has expired. Ask an administrator for a new one', code: 'registration.invite_invalid', requestId: 'r' },
      { status: 403, statusText: 'Forbidden' },
    );
    await fixture.whenStable();
    expect(q(fixture, '[data-testid=invite-error]').textContent).toContain('This invite link is not valid');
    expect(fixture.nativeElement.querySelector('form')).toBeNull();
    expect(text(fixture)).toContain('I already have an account');
  });
});
