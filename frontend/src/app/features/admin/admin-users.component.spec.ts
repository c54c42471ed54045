import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import { MATERIAL_ANIMATIONS } from '@angular/material/core';
import { Router, provideRouter } from '@angular/router';
import type { AdminUser, AdminUserPage } from '@chatops/protocol/admin';
import { USER, authResponse } from '../../../testing/auth-fixtures';
import { button, q, qa, text, type } from '../../../testing/dom';
import { AuthService } from '../../core/auth/auth.service';
import { NotifyService } from '../../core/notify/notify.service';
import { AdminUsersComponent } from './admin-users.component';
import { generatePassword } from './reset-password-dialog.component';

const ADA: AdminUser = {
  id: USER.id, email: USER.email, username: 'ada', fullName: 'Ada Lovelace', role: 'admin', createdAt: '2026-01-01T00:00:00.000Z',
  disabledAt: null, lastLoginAt: new Date().toISOString(), serverCount: 3, activeSessions: 1,
};
const BOB: AdminUser = {
  id: '22222222-2222-4222-8222-222222222222', email: 'bob@example.com', username: 'bob', fullName: null, role: 'user', createdAt: '2026-02-01T00:00:00.000Z',
  disabledAt: null, lastLoginAt: null, serverCount: 0, activeSessions: 0,
};
const page = (items: AdminUser[], total = items.length, offset = 0): AdminUserPage => ({ items, total, limit: 50, offset });

describe('AdminUsersComponent', () => {
  let fixture: ComponentFixture<AdminUsersComponent>;
  let http: HttpTestingController;
  let success: jest.SpyInstance;
  let failure: jest.SpyInstance;

  beforeEach(async () => {
    TestBed.configureTestingModule({
      imports: [AdminUsersComponent],
      providers: [provideRouter([]), provideHttpClient(), provideHttpClientTesting(), { provide: MATERIAL_ANIMATIONS, useValue: { animationsDisabled: true } }],
    });
    http = TestBed.inject(HttpTestingController);
    success = jest.spyOn(TestBed.inject(NotifyService), 'success').mockResolvedValue();
    failure = jest.spyOn(TestBed.inject(NotifyService), 'error').mockResolvedValue();
    TestBed.inject(AuthService).login({ username: 'ada', password: 'pw' }).subscribe();
    http.expectOne('/api/v1/auth/login').flush(authResponse(1));
    fixture = TestBed.createComponent(AdminUsersComponent);
    await fixture.whenStable();
  });
  afterEach(() => {
    document.querySelectorAll('.cdk-overlay-container').forEach((e) => (e.innerHTML = ''));
    http.verify();
  });

  const list = () => http.expectOne((r) => r.url === '/api/v1/admin/users');
  /** Each row's cells, their text tidied, joined by " | ". */
  const rows = () => qa(fixture, '[data-testid=user-row]').map((r) =>
    Array.from(r.querySelectorAll('td:not(.pick)')).map((td) => td.textContent?.replace(/\s+/g, ' ').trim()).join(' | '));
  const overlay = () => document.querySelector('.cdk-overlay-container') as HTMLElement;
  const openMenu = async (username: string) => {
    q<HTMLButtonElement>(fixture, `[aria-label="Actions for ${username}"]`).click();
    await fixture.whenStable();
  };
  const menuItem = (label: string) => {
    const item = Array.from(overlay().querySelectorAll<HTMLButtonElement>('[mat-menu-item]')).find((b) => b.textContent?.trim() === label);
    if (!item) throw new Error(`no menu item ${label}`);
    return item;
  };
  const settle = async () => {
    await fixture.whenStable();
    await new Promise((r) => setTimeout(r, 0));
    await fixture.whenStable();
  };

  it('loads a page of users with role, state, last sign-in and servers; marks you; your menu has no disable or reset', async () => {
    expect(q(fixture, 'mat-progress-bar')).toBeTruthy();
    const req = list();
    expect(req.request.params.get('limit')).toBe('50');
    expect(req.request.params.get('offset')).toBe('0');
    req.flush(page([ADA, { ...BOB, disabledAt: '2026-11-01T00:00:00.000Z' }]));
    await fixture.whenStable();
    expect(rows()[0]).toBe('Ada Lovelaceyouada · ada@example.com | Admin | Active | just now | 3 | Jan 1, 2026 | ');
    expect(rows()[1]).toBe('bobbob · bob@example.com | User | Disabled | never | 0 | Feb 1, 2026 | ');
    expect(text(fixture)).toContain('1–2 of 2 users');
    await openMenu('ada');
    const items = Array.from(overlay().querySelectorAll('[mat-menu-item]')).map((b) => b.textContent?.trim());
    expect(items).toEqual(['Make user']);
  });

  it('searches (debounced) from the first page', async () => {
    list().flush(page([ADA, BOB]));
    await fixture.whenStable();
    type(q(fixture, '[data-testid=user-search]'), 'bo');
    type(q(fixture, '[data-testid=user-search]'), 'bob');
    await new Promise((r) => setTimeout(r, 300));
    const req = list();
    expect(req.request.params.get('q')).toBe('bob');
    req.flush(page([]));
    await fixture.whenStable();
    expect(text(fixture)).toContain('No user matches');
  });

  it('disables a user after confirming, replacing the row and saying so', async () => {
    list().flush(page([ADA, BOB]));
    await fixture.whenStable();
    await openMenu('bob');
    menuItem('Disable…').click();
    await settle();
    const dialog = document.querySelector('app-confirm-dialog') as HTMLElement;
    expect(dialog.textContent).toContain('Disable bob?');
    expect(dialog.textContent).toContain('signed out everywhere at once');
    dialog.querySelector<HTMLButtonElement>('[data-testid=confirm-button]')!.click();
    await settle();
    http.expectOne({ method: 'POST', url: `/api/v1/admin/users/${BOB.id}/disable` }).flush({ ...BOB, disabledAt: '2026-11-29T08:00:00.000Z' });
    await fixture.whenStable();
    expect(rows()[1]).toContain('Disabled');
    expect(success).toHaveBeenCalledWith('bob disabled and signed out');
  });

  it('promotes a user after confirming', async () => {
    list().flush(page([ADA, BOB]));
    await fixture.whenStable();
    await openMenu('bob');
    menuItem('Make admin').click();
    await settle();
    (document.querySelector('app-confirm-dialog [data-testid=confirm-button]') as HTMLButtonElement).click();
    await settle();
    const req = http.expectOne({ method: 'PUT', url: `/api/v1/admin/users/${BOB.id}/role` });
    expect(req.request.body).toEqual({ role: 'admin' });
    req.flush({ ...BOB, role: 'admin' });
    await fixture.whenStable();
    expect(rows()[1]).toContain('Admin');
    expect(success).toHaveBeenCalledWith('bob is now an admin');
  });

  it('stepping down as admin renews the session and leaves the page', async () => {
    const navigate = jest.spyOn(TestBed.inject(Router), 'navigateByUrl').mockResolvedValue(true);
    list().flush(page([ADA, { ...BOB, role: 'admin' }]));
    await fixture.whenStable();
    await openMenu('ada');
    menuItem('Make user').click();
    await settle();
    expect(document.querySelector('app-confirm-dialog')!.textContent).toContain('You will lose access to this page');
    (document.querySelector('app-confirm-dialog [data-testid=confirm-button]') as HTMLButtonElement).click();
    await settle();
    http.expectOne({ method: 'PUT', url: `/api/v1/admin/users/${ADA.id}/role` }).flush({ ...ADA, role: 'user' });
    await fixture.whenStable();
    http.expectOne('/api/v1/auth/refresh').flush(authResponse(2, { ...USER, role: 'user' }));
    await settle();
    expect(TestBed.inject(AuthService).user()?.role).toBe('user');
    expect(navigate).toHaveBeenCalledWith('/');
  });

  it('resets a password to a generated temporary one the user must change', async () => {
    list().flush(page([ADA, BOB]));
    await fixture.whenStable();
    await openMenu('bob');
    menuItem('Reset password…').click();
    await settle();
    const dialog = document.querySelector('app-reset-password-dialog') as HTMLElement;
    dialog.querySelector<HTMLElement>('[data-testid=mode-password] input')!.click();
    await settle();
    expect(dialog.textContent).toContain("All of bob's sessions end at once; they must choose a new password");
    button(fixture, 'Generate', dialog).click();
    await settle();
    const input = dialog.querySelector<HTMLInputElement>('[data-testid=temp-password]')!;
    expect(input.type).toBe('text');
    expect(input.value).toMatch(/^[a-km-zA-HJ-NP-Z2-9]{16}$/);
    dialog.querySelector<HTMLButtonElement>('[data-testid=confirm-reset]')!.click();
    await settle();
    const req = http.expectOne({ method: 'POST', url: `/api/v1/admin/users/${BOB.id}/reset-password` });
    expect(req.request.body).toEqual({ password: input.value });
    req.flush({ ...BOB, mustChangePassword: true });
    await fixture.whenStable();
    expect(success).toHaveBeenCalledWith('Password of bob reset; they must choose a new one at their next sign-in');
    expect(rows()[1]).toContain('Must change password');
  });

  it('creates a one-time reset link (the default choice) and shows it once to copy', async () => {
    list().flush(page([ADA, BOB]));
    await fixture.whenStable();
    await openMenu('bob');
    menuItem('Reset password…').click();
    await settle();
    const dialog = document.querySelector('app-reset-password-dialog') as HTMLElement;
    expect(dialog.querySelector('[data-testid=temp-password]')).toBeNull();
    const confirm = dialog.querySelector<HTMLButtonElement>('[data-testid=confirm-reset]')!;
    expect(confirm.textContent?.trim()).toBe('Create link');
    confirm.click();
    await settle();
    const req = http.expectOne({ method: 'POST', url: `/api/v1/admin/users/${BOB.id}/reset-link` });
    req.flush({ token: 'tok_123', path: '/reset-password/tok_123', expiresAt: new Date(Date.now() + 3_600_000).toISOString() });
    await settle();
    const shown = document.querySelector('app-reset-link-dialog') as HTMLElement;
    expect(shown.querySelector('[data-testid=reset-link] code')?.textContent).toBe(`${location.origin}/reset-password/tok_123`);
    expect(shown.textContent).toContain('works once');
    expect(success).not.toHaveBeenCalled();
  });

  it('disables the selected users after one confirmation; a refused user stays selected with the reason', async () => {
    const carol: AdminUser = { ...BOB, id: '33333333-3333-4333-8333-333333333333', username: 'carol', email: 'carol@example.com' };
    list().flush(page([ADA, BOB, carol]));
    await fixture.whenStable();
    expect(qa(fixture, '[data-testid=users-bulk-bar]')).toHaveLength(0);
    q<HTMLInputElement>(fixture, '[data-testid=select-all] input').click();
    await settle();
    expect(q(fixture, '[data-testid=users-bulk-bar]').textContent).toContain('3 selected');
    q<HTMLButtonElement>(fixture, '[data-testid=bulk-disable]').click();
    await settle();
    const dialog = document.querySelector('app-confirm-dialog') as HTMLElement;
    expect(dialog.textContent).toContain('Disable 3 users?');
    expect(dialog.textContent).toContain('ada, bob, carol.');
    (dialog.querySelector('[data-testid=confirm-button]') as HTMLButtonElement).click();
    await settle();
    const req = http.expectOne({ method: 'POST', url: '/api/v1/admin/users/bulk' });
    expect(req.request.body).toEqual({ action: 'disable', userIds: [ADA.id, BOB.id, carol.id] });
    req.flush({ action: 'disable', results: [
      { userId: ADA.id, ok: false, code: 'admin.self_action', message: 'You cannot disable your own account' },
      { userId: BOB.id, ok: true, user: { ...BOB, disabledAt: '2026-03-01T00:00:00.000Z' } },
      { userId: carol.id, ok: true, user: { ...carol, disabledAt: '2026-03-01T00:00:00.000Z' } },
    ] });
    await settle();
    expect(rows()[1]).toContain('Disabled');
    expect(rows()[2]).toContain('Disabled');
    expect(rows()[0]).toContain('Active');
    expect(q(fixture, '[data-testid=bulk-failures]').textContent).toContain('ada: You cannot disable your own account');
    expect(q(fixture, '[data-testid=users-bulk-bar]').textContent).toContain('1 selected');
    expect(failure).toHaveBeenCalledWith('Disabled 2 users; 1 user refused (ada)');
    expect(success).not.toHaveBeenCalled();
  });

  it('signs out one selected user, and a cancelled confirmation sends nothing', async () => {
    list().flush(page([ADA, BOB]));
    await fixture.whenStable();
    qa<HTMLElement>(fixture, '[data-testid=select-user] input')[1].click();
    await settle();
    q<HTMLButtonElement>(fixture, '[data-testid=bulk-revoke]').click();
    await settle();
    (Array.from(document.querySelectorAll<HTMLButtonElement>('app-confirm-dialog button')).find((b) => b.textContent?.trim() === 'Cancel'))!.click();
    await settle();
    http.expectNone('/api/v1/admin/users/bulk');
    q<HTMLButtonElement>(fixture, '[data-testid=bulk-revoke]').click();
    await settle();
    expect(document.querySelector('app-confirm-dialog')?.textContent).toContain('Sign out 1 user?');
    (document.querySelector('app-confirm-dialog [data-testid=confirm-button]') as HTMLButtonElement).click();
    await settle();
    const req = http.expectOne({ method: 'POST', url: '/api/v1/admin/users/bulk' });
    expect(req.request.body).toEqual({ action: 'revoke_sessions', userIds: [BOB.id] });
    req.flush({ action: 'revoke_sessions', results: [{ userId: BOB.id, ok: true, user: { ...BOB, activeSessions: 0 } }] });
    await settle();
    expect(success).toHaveBeenCalledWith('Signed out 1 user');
    expect(qa(fixture, '[data-testid=users-bulk-bar]')).toHaveLength(0);
    expect(qa(fixture, '[data-testid=bulk-failures]')).toHaveLength(0);
  });

  it('pages through more users than fit', async () => {
    list().flush(page([ADA], 120));
    await fixture.whenStable();
    expect(text(fixture)).toContain('1–50 of 120 users');
    button(fixture, 'Next').click();
    const req = list();
    expect(req.request.params.get('offset')).toBe('50');
    req.flush(page([BOB], 120, 50));
    await fixture.whenStable();
    expect(text(fixture)).toContain('51–100 of 120 users');
  });

  it('shows a load failure with a retry', async () => {
    list().flush({ statusCode: 403, message: 'Only an administrator may do this', code: 'admin.required', requestId: 'r' }, { status: 403, statusText: 'Forbidden' });
    await fixture.whenStable();
    expect(text(fixture)).toContain('Could not load the users');
    expect(text(fixture)).toContain('Only an administrator may do this');
    button(fixture, 'Try again').click();
    list().flush(page([ADA]));
    await fixture.whenStable();
    expect(rows()).toHaveLength(1);
  });
});

describe('generatePassword', () => {
  it('makes 16 unambiguous characters, different every time', () => {
    const a = generatePassword();
    expect(a).toMatch(/^[a-km-zA-HJ-NP-Z2-9]{16}$/);
    expect(generatePassword()).not.toBe(a);
  });
});
