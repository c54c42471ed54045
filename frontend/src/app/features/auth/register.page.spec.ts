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
    await fixture.whenStable();
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
