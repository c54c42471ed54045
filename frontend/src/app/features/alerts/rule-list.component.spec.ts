import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import { MATERIAL_ANIMATIONS } from '@angular/material/core';
import { MatTooltip } from '@angular/material/tooltip';
import { ROLE_CAPABILITIES, type TeamRole } from '@chatops/protocol';
import { rule } from '../../../testing/alert-fixtures';
import { server } from '../../../testing/auth-fixtures';
import { q, qa, text } from '../../../testing/dom';
import { NotifyService } from '../../core/notify/notify.service';
import { RuleListComponent } from './rule-list.component';

describe('RuleListComponent', () => {
  let fixture: ComponentFixture<RuleListComponent>;
  let http: HttpTestingController;
  let toasts: string[];

  beforeEach(async () => {
    toasts = [];
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(), provideHttpClientTesting(), { provide: MATERIAL_ANIMATIONS, useValue: { animationsDisabled: true } },
        { provide: NotifyService, useValue: { success: (m: string) => toasts.push(m), error: () => undefined } },
      ],
    });
    http = TestBed.inject(HttpTestingController);
    fixture = TestBed.createComponent(RuleListComponent);
    fixture.componentRef.setInput('serverId', 's1');
    fixture.componentRef.setInput('servers', [server({ id: 's1', name: 'web-1' })]);
    await fixture.whenStable();
    http.expectOne('/api/v1/notifications/channels').flush([]);
  });
  afterEach(() => http.verify());
  const rulesReq = () => http.expectOne((r) => r.url === '/api/v1/alerts/thresholds' && r.method === 'GET');

  it('lists the rules that apply to the server: its own and the all-servers ones, described in words', async () => {
    const req = rulesReq();
    expect(req.request.params.get('serverId')).toBe('s1');
    req.flush([
      rule({ id: 'r1', serverId: 's1', name: 'Hot CPU', clearValue: 80, createdBy: 'u2', createdByUsername: 'grace' }),
      rule({ id: 'r2', metricType: 'disk', target: '*', thresholdValue: 90, durationSec: 300, severity: 'critical' }),
    ]);
    await fixture.whenStable();
    const rows = qa(fixture, '[data-testid=rule-row]').map((r) => r.textContent?.replace(/\s+/g, ' '));
    expect(rows[0]).toContain('Hot CPU');
    // Who created it, also once their account is gone (the name is kept); a rule without a known creator says nothing.
    expect(rows[0]).toContain('by grace');
    expect(qa(fixture, '[data-testid=rule-creator]').map((e) => e.textContent?.trim())).toEqual(['by grace']);
    expect(rows[0]).toContain('web-1');
    expect(rows[0]).toContain('clears at 80');
    expect(rows[1]).toContain('Disk (each) > 90% for 5 min');
    expect(rows[1]).toContain('All my servers');
    expect(rows[1]).toContain('Critical');
  });

  it('disables a rule with its switch (saying its open alerts are resolved); a refusal reads the rules again', async () => {
    rulesReq().flush([rule({ id: 'r1', serverId: 's1' })]);
    await fixture.whenStable();
    q<HTMLButtonElement>(fixture, '[data-testid=rule-enabled] button').click();
    await fixture.whenStable();
    const put = http.expectOne('/api/v1/alerts/thresholds/r1');
    expect(put.request.body).toEqual({ enabled: false });
    put.flush(rule({ id: 'r1', serverId: 's1', enabled: false }));
    await fixture.whenStable();
    expect(toasts).toEqual(['Rule disabled: its open alerts are resolved']);
    expect(text(fixture)).toContain('disabled');

    q<HTMLButtonElement>(fixture, '[data-testid=rule-enabled] button').click();
    await fixture.whenStable();
    http.expectOne('/api/v1/alerts/thresholds/r1').flush({ statusCode: 404, message: 'Not found' }, { status: 404, statusText: 'Not Found' });
    await fixture.whenStable();
    rulesReq().flush([]);
    await fixture.whenStable();
    expect(text(fixture)).toContain('No alert rule yet');
  });

  describe('on a team server', () => {
    const as = async (role: TeamRole) => {
      fixture.componentRef.setInput('servers', [server({ id: 's1', name: 'web-1', access: { via: role, teamId: 't1', capabilities: [...ROLE_CAPABILITIES[role]], breakGlass: false } })]);
      rulesReq().flush([rule({ id: 'r1', serverId: 's1', name: 'Hot CPU' }), rule({ id: 'r2', name: 'Mine' })]);
      await fixture.whenStable();
    };
    const tooltipOf = (el: HTMLElement) => fixture.debugElement.query((d) => d.nativeElement === el).injector.get(MatTooltip).message;
    const inRow = (id: string, testid: string) => q(fixture, `[data-rule-id=${id}] [data-testid=${testid}]`);

    it('shows a viewer the team\'s rules without letting them change one, saying why (rules.manage); their own all-servers rule stays editable', async () => {
      await as('viewer');
      const reason = 'Your role (viewer) on this server does not allow this (rules.manage)';
      for (const id of ['rule-edit', 'rule-delete']) {
        expect(inRow('r1', id).getAttribute('aria-disabled')).toBe('true');
        expect(tooltipOf(inRow('r1', id))).toBe(reason);
        inRow('r1', id).click();
        expect(inRow('r2', id).getAttribute('aria-disabled')).not.toBe('true');
      }
      expect(q<HTMLButtonElement>(fixture, '[data-rule-id=r1] [data-testid=rule-enabled] button').disabled).toBe(true);
      expect(q<HTMLButtonElement>(fixture, '[data-rule-id=r2] [data-testid=rule-enabled] button').disabled).toBe(false);
      expect(q(fixture, '[data-testid=rule-new]').getAttribute('aria-disabled')).toBe('true');
      expect(tooltipOf(q(fixture, '[data-testid=rule-new]'))).toBe(reason);
      q(fixture, '[data-testid=rule-new]').click();
      await fixture.whenStable();
      expect(document.querySelector('mat-dialog-container')).toBeNull();
      http.expectNone((r) => r.method !== 'GET');
    });

    it('lets a team admin change them', async () => {
      await as('admin');
      expect(qa(fixture, '[aria-disabled=true]')).toHaveLength(0);
      expect(q<HTMLButtonElement>(fixture, '[data-rule-id=r1] [data-testid=rule-enabled] button').disabled).toBe(false);
    });
  });
});
