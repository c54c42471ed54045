import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import { provideRouter, Router } from '@angular/router';
import { button, q, text } from '../../../testing/dom';
import { NotifyService } from '../../core/notify/notify.service';
import { TeamJoinPage } from './team-join.page';

const TOKEN = 'J'.repeat(43);

describe('TeamJoinPage', () => {
  let fixture: ComponentFixture<TeamJoinPage>;
  let http: HttpTestingController;
  let success: jest.SpyInstance;
  let navigate: jest.SpyInstance;

  beforeEach(async () => {
    TestBed.configureTestingModule({ imports: [TeamJoinPage], providers: [provideHttpClient(), provideHttpClientTesting(), provideRouter([])] });
    http = TestBed.inject(HttpTestingController);
    success = jest.spyOn(TestBed.inject(NotifyService), 'success').mockResolvedValue();
    navigate = jest.spyOn(TestBed.inject(Router), 'navigateByUrl').mockResolvedValue(true);
    fixture = TestBed.createComponent(TeamJoinPage);
    fixture.componentRef.setInput('token', TOKEN);
    await fixture.whenStable();
  });
  afterEach(() => http.verify());

  const previewReq = () => http.expectOne({ method: 'GET', url: `/api/v1/team-invites/${TOKEN}` });

  it('shows the team and role, and joins on accept: toast, then the Teams page', async () => {
    expect(text(fixture)).toContain('Checking the invite link');
    previewReq().flush({ teamId: 't1', teamName: 'Platform', role: 'operator', expiresAt: '2026-12-06T10:00:00.000Z' });
    await fixture.whenStable();
    expect(q(fixture, '[data-testid=join-question]').textContent!.replace(/\s+/g, ' ')).toContain('Join the team Platform as operator?');
    button(fixture, 'Join team').click();
    await fixture.whenStable();
    expect(q<HTMLButtonElement>(fixture, '[data-testid=join-accept]').disabled).toBe(true);
    http.expectOne({ method: 'POST', url: `/api/v1/team-invites/${TOKEN}/accept` }).flush({ teamId: 't1', teamName: 'Platform', role: 'operator' });
    await fixture.whenStable();
    expect(success).toHaveBeenCalledWith('You joined Platform as operator');
    expect(navigate).toHaveBeenCalledWith('/teams');
  });

  it.each([
    [404, 'team.invite_not_found', 'does not exist'],
    [410, 'team.invite_expired', 'has expired'],
    [410, 'team.invite_revoked', 'was revoked'],
    [410, 'team.invite_used_up', 'already been used'],
  ])('explains a link that cannot be used (%i %s)', async (status, code, says) => {
    previewReq().flush({ statusCode: status, code, message: 'x' }, { status, statusText: 'x' });
    await fixture.whenStable();
    expect(q(fixture, '[data-testid=join-refused]').textContent).toContain(says);
    expect(fixture.nativeElement.querySelector('[data-testid=join-accept]')).toBeNull();
  });

  it('says so when you are already a member (409 on accept) and does not navigate', async () => {
    previewReq().flush({ teamId: 't1', teamName: 'Platform', role: 'viewer', expiresAt: '2026-12-06T10:00:00.000Z' });
    await fixture.whenStable();
    button(fixture, 'Join team').click();
    http.expectOne({ method: 'POST', url: `/api/v1/team-invites/${TOKEN}/accept` })
      .flush({ statusCode: 409, code: 'team.already_member', message: 'x' }, { status: 409, statusText: 'Conflict' });
    await fixture.whenStable();
    expect(q(fixture, '[data-testid=join-refused]').textContent).toContain('already a member');
    expect(navigate).not.toHaveBeenCalled();
  });

  it('offers a retry after an unexpected failure', async () => {
    previewReq().flush({ message: 'boom', requestId: 'r-1' }, { status: 500, statusText: 'Server Error' });
    await fixture.whenStable();
    expect(text(fixture)).toContain('Something went wrong: boom (request r-1)');
    button(fixture, 'Try again').click();
    await fixture.whenStable();
    previewReq().flush({ teamId: 't1', teamName: 'Platform', role: 'viewer', expiresAt: '2026-12-06T10:00:00.000Z' });
    await fixture.whenStable();
    expect(text(fixture)).toContain('Join the team');
  });
});
