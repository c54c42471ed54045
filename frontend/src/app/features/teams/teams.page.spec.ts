import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { signal } from '@angular/core';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import { MATERIAL_ANIMATIONS } from '@angular/material/core';
import type { Team, TeamMember, User } from '@chatops/protocol';
import { button, q, qa, text, type } from '../../../testing/dom';
import { AuthService } from '../../core/auth/auth.service';
import { NotifyService } from '../../core/notify/notify.service';
import { TeamsPage } from './teams.page';

const ME: User = { id: 'u1', email: 'ada@example.test', username: 'ada', fullName: null, role: 'user', createdAt: '2026-11-01T00:00:00.000Z' };
const team = (over: Partial<Team>): Team => ({
  id: 't1', name: 'Platform', role: 'admin', memberCount: 1, serverCount: 0, createdAt: '2026-11-01T00:00:00.000Z', updatedAt: '2026-11-01T00:00:00.000Z', ...over,
});
const member = (over: Partial<TeamMember>): TeamMember => ({ userId: 'u1', username: 'ada', fullName: null, role: 'admin', source: 'manual', addedAt: '2026-11-01T00:00:00.000Z', ...over });

describe('TeamsPage', () => {
  let fixture: ComponentFixture<TeamsPage>;
  let http: HttpTestingController;
  let success: jest.SpyInstance;

  beforeEach(async () => {
    TestBed.configureTestingModule({
      imports: [TeamsPage],
      providers: [
        provideHttpClient(), provideHttpClientTesting(),
        { provide: MATERIAL_ANIMATIONS, useValue: { animationsDisabled: true } },
        { provide: AuthService, useValue: { user: signal(ME).asReadonly() } },
      ],
    });
    http = TestBed.inject(HttpTestingController);
    success = jest.spyOn(TestBed.inject(NotifyService), 'success').mockResolvedValue();
    fixture = TestBed.createComponent(TeamsPage);
    await fixture.whenStable();
  });
  afterEach(() => http.verify());

  it('explains teams when there is none, and creates one (its creator is admin)', async () => {
    http.expectOne('/api/v1/teams').flush([]);
    await fixture.whenStable();
    expect(text(fixture)).toContain('No teams yet');
    expect(q<HTMLButtonElement>(fixture, '[data-testid=team-create]').disabled).toBe(true);

    type(q<HTMLInputElement>(fixture, '[data-testid=team-name]'), '  Platform ');
    await fixture.whenStable();
    q<HTMLButtonElement>(fixture, '[data-testid=team-create]').click();
    const req = http.expectOne({ method: 'POST', url: '/api/v1/teams' });
    expect(req.request.body).toEqual({ name: 'Platform' });
    req.flush(team({}));
    http.expectOne('/api/v1/teams').flush([team({})]);
    await fixture.whenStable();
    http.expectOne('/api/v1/teams/t1/members').flush([member({})]);
    http.expectOne('/api/v1/teams/t1/invites').flush([]);
    await fixture.whenStable();
    expect(success).toHaveBeenCalledWith('Team "Platform" created; you are its admin');
    expect(qa(fixture, '[data-testid=team-member]').map((r) => r.textContent)).toEqual([expect.stringContaining('ada')]);
  });

  it('lets a team admin add a member by username with a role', async () => {
    http.expectOne('/api/v1/teams').flush([team({})]);
    await fixture.whenStable();
    http.expectOne('/api/v1/teams/t1/members').flush([member({})]);
    http.expectOne('/api/v1/teams/t1/invites').flush([]);
    await fixture.whenStable();

    type(q<HTMLInputElement>(fixture, '[data-testid=member-user]'), 'bob');
    await fixture.whenStable();
    button(fixture, 'Add member').click();
    const req = http.expectOne({ method: 'POST', url: '/api/v1/teams/t1/members' });
    expect(req.request.body).toEqual({ user: 'bob', role: 'viewer' });
    req.flush(member({ userId: 'u2', username: 'bob', role: 'viewer' }));
    await fixture.whenStable();
    http.expectOne('/api/v1/teams/t1/members').flush([member({}), member({ userId: 'u2', username: 'bob', role: 'viewer' })]);
    http.expectOne('/api/v1/teams').flush([team({ memberCount: 2 })]);
    await fixture.whenStable();
    expect(success).toHaveBeenCalledWith('bob added as viewer');
    expect(qa(fixture, '[data-testid=team-member]')).toHaveLength(2);
  });

  it('shows a viewer the members read-only: no role pickers, no add form, no delete', async () => {
    http.expectOne('/api/v1/teams').flush([team({ role: 'viewer', memberCount: 2 })]);
    await fixture.whenStable();
    http.expectOne('/api/v1/teams/t1/members').flush([member({ userId: 'u9', username: 'grace' }), member({ role: 'viewer' })]);
    await fixture.whenStable();
    expect(qa(fixture, 'mat-select')).toHaveLength(0);
    expect(qa(fixture, '[data-testid=member-add]')).toHaveLength(0);
    expect(text(fixture)).not.toContain('Delete team');
    expect(text(fixture)).toContain('Leave team');
    expect(text(fixture)).toContain('Your role: viewer');
    expect(q(fixture, 'app-team-members')).toBeTruthy();
    expect(fixture.nativeElement.querySelector('app-team-invites')).toBeNull(); // invite links are for team admins
  });

  it('marks the memberships the single sign-on team mapping granted', async () => {
    http.expectOne('/api/v1/teams').flush([team({ role: 'viewer', memberCount: 2 })]);
    await fixture.whenStable();
    http.expectOne('/api/v1/teams/t1/members').flush([member({ userId: 'u9', username: 'grace', source: 'oidc' }), member({ role: 'viewer' })]);
    await fixture.whenStable();
    const rows = qa(fixture, '[data-testid=team-member]');
    expect(rows[0].textContent).toContain('grace');
    expect(rows[0].querySelector('[data-testid=member-sso]')?.textContent).toContain('via single sign-on');
    expect(rows[1].querySelector('[data-testid=member-sso]')).toBeNull();
  });
});
