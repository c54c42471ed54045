import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import { MATERIAL_ANIMATIONS } from '@angular/material/core';
import type { CreatedInvite, Invite } from '@chatops/protocol/admin';
import { button, q, qa, text, type } from '../../../testing/dom';
import { NotifyService } from '../../core/notify/notify.service';
import { AdminRegistrationComponent, inviteLink } from './admin-registration.component';

const PENDING: Invite = {
  id: 'inv-1', email: 'erin@example.test', role: 'user', status: 'pending', expiresAt: '2026-12-01T10:00:00.000Z',
  createdAt: '2026-11-28T10:00:00.000Z', createdBy: 'u1', usedAt: null, usedBy: null, revokedAt: null,
};
const USED: Invite = { ...PENDING, id: 'inv-2', email: null, status: 'used', usedAt: '2026-11-28T12:00:00.000Z', usedBy: 'u9' };

describe('AdminRegistrationComponent', () => {
  let fixture: ComponentFixture<AdminRegistrationComponent>;
  let http: HttpTestingController;
  let success: jest.SpyInstance;

  beforeEach(async () => {
    TestBed.configureTestingModule({ imports: [AdminRegistrationComponent], providers: [provideHttpClient(), provideHttpClientTesting(), { provide: MATERIAL_ANIMATIONS, useValue: { animationsDisabled: true } }] });
    http = TestBed.inject(HttpTestingController);
    success = jest.spyOn(TestBed.inject(NotifyService), 'success').mockResolvedValue();
    fixture = TestBed.createComponent(AdminRegistrationComponent);
    await fixture.whenStable();
  });
  afterEach(() => {
    document.querySelectorAll('.cdk-overlay-container').forEach((e) => (e.innerHTML = ''));
    http.verify();
  });

  const loaded = async (invites: Invite[] = [PENDING, USED]) => {
    http.expectOne('/api/v1/admin/registration').flush({ mode: 'open', source: 'env', updatedAt: null });
    http.expectOne('/api/v1/admin/invites').flush(invites);
    await fixture.whenStable();
  };
  const settle = async () => {
    await fixture.whenStable();
    await new Promise((r) => setTimeout(r, 0));
    await fixture.whenStable();
  };

  it('shows the mode and where it comes from; switching to invite-only saves it', async () => {
    await loaded();
    expect(text(fixture)).toContain('Anybody who can reach this page may register. Set by the REGISTRATION variable until changed here.');
    button(fixture, 'Invited people only').click();
    const req = http.expectOne({ method: 'PUT', url: '/api/v1/admin/registration' });
    expect(req.request.body).toEqual({ mode: 'invite' });
    req.flush({ mode: 'invite', source: 'admin', updatedAt: '2026-11-29T08:00:00.000Z' });
    await fixture.whenStable();
    expect(text(fixture)).toContain('Only people with an invite link may register');
    expect(text(fixture)).not.toContain('REGISTRATION variable');
    expect(success).toHaveBeenCalledWith('Registration is by invitation only now');
  });

  it('lists invites with their status; only pending ones can be revoked, after confirming', async () => {
    await loaded();
    const rows = qa(fixture, '[data-testid=invite-row]');
    expect(rows[0].textContent).toContain('erin@example.test');
    expect(rows[0].textContent).toContain('Pending');
    expect(rows[1].textContent).toContain('Anyone with the link');
    expect(rows[1].textContent).toContain('Used');
    expect(rows[1].querySelector('button')).toBeNull();
    button(fixture, 'Revoke', rows[0]).click();
    await settle();
    const dialog = document.querySelector('app-confirm-dialog') as HTMLElement;
    expect(dialog.textContent).toContain('The link for erin@example.test stops working at once');
    dialog.querySelector<HTMLButtonElement>('[data-testid=confirm-button]')!.click();
    await settle();
    http.expectOne({ method: 'POST', url: '/api/v1/admin/invites/inv-1/revoke' }).flush({ ...PENDING, status: 'revoked', revokedAt: '2026-11-29T08:00:00.000Z' });
    await fixture.whenStable();
    expect(qa(fixture, '[data-testid=invite-row]')[0].textContent).toContain('Revoked');
    expect(success).toHaveBeenCalledWith('Invite revoked');
  });

  it('creates an invite and shows its link once, on this origin', async () => {
    await loaded([]);
    expect(q(fixture, '[data-testid=invites-empty]').textContent).toContain('No invites yet.');
    type(q(fixture, 'input[formControlName=email]'), 'frank@example.test');
    button(fixture, 'Create invite link').click();
    const req = http.expectOne({ method: 'POST', url: '/api/v1/admin/invites' });
    expect(req.request.body).toEqual({ email: 'frank@example.test', role: 'user', expiresInHours: 72 });
    const created: CreatedInvite = { ...PENDING, id: 'inv-3', email: 'frank@example.test', token: 'T'.repeat(43), url: 'http://wrong.example/register?invite=x' };
    req.flush(created);
    await fixture.whenStable();
    expect(q(fixture, '[data-testid=created-invite] pre').textContent).toBe(`${location.origin}/register?invite=${'T'.repeat(43)}`);
    expect(text(fixture)).toContain('Shown once. For frank@example.test, role user');
    expect(qa(fixture, '[data-testid=invite-row]')).toHaveLength(1);
    expect(qa(fixture, '[data-testid=invite-row]')[0].textContent).not.toContain('T'.repeat(43));
  });

  it('shows a failed creation inline where the form is', async () => {
    await loaded([]);
    button(fixture, 'Create invite link').click();
    http.expectOne('/api/v1/admin/invites').flush({ statusCode: 403, message: 'Only an administrator may do this', requestId: 'r' }, { status: 403, statusText: 'Forbidden' });
    await fixture.whenStable();
    expect(q(fixture, 'form [role=alert]').textContent).toContain('Only an administrator may do this');
  });
});

describe('inviteLink', () => {
  it('builds links that survive any token character', () => {
    expect(inviteLink('a+b/c', 'https://ops.example')).toBe('https://ops.example/register?invite=a%2Bb%2Fc');
  });
});
