import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import { MATERIAL_ANIMATIONS } from '@angular/material/core';
import { provideRouter } from '@angular/router';
import type { AuditEntry } from '@chatops/protocol';
import { server } from '../../../testing/auth-fixtures';
import { q, qa, text, type } from '../../../testing/dom';
import { AuditPage } from './audit.page';

const entry = (id: string, partial: Partial<AuditEntry> = {}): AuditEntry => ({
  id, userId: 'u1', serverId: 's1', action: 'alert.acknowledge', description: `entry ${id}`, ip: '10.0.0.1', userAgent: null, success: true,
  createdAt: '2026-01-01T10:00:00.000Z', ownerId: 'u1', actingAsAdmin: false, ...partial,
});

describe('AuditPage', () => {
  let fixture: ComponentFixture<AuditPage>;
  let http: HttpTestingController;

  beforeEach(async () => {
    TestBed.configureTestingModule({
      providers: [provideHttpClient(), provideHttpClientTesting(), provideRouter([]), { provide: MATERIAL_ANIMATIONS, useValue: { animationsDisabled: true } }],
    });
    http = TestBed.inject(HttpTestingController);
    fixture = TestBed.createComponent(AuditPage);
    await fixture.whenStable();
    http.expectOne('/api/v1/servers').flush([server({ id: 's1', name: 'web-1' })]);
  });
  afterEach(() => http.verify());
  const auditReq = () => http.expectOne((r) => r.url === '/api/v1/audit');

  it('lists entries newest first with the result in words, system entries marked, and pages with the cursor', async () => {
    auditReq().flush({ items: [entry('e1'), entry('e2', { action: 'alert.fire', userId: null, success: true }), entry('e3', { action: 'auth.login', success: false, serverId: null })], nextCursor: 'e3' });
    await fixture.whenStable();
    const rows = qa(fixture, '[data-testid=audit-row]');
    expect(rows.map((r) => r.getAttribute('data-action'))).toEqual(['alert.acknowledge', 'alert.fire', 'auth.login']);
    expect(rows[0].textContent).toContain('web-1');
    expect(rows[1].textContent).toContain('system');
    expect(rows[2].textContent).toContain('Failed');
    q<HTMLButtonElement>(fixture, '[data-testid=audit-more]').click();
    const more = auditReq();
    expect(more.request.params.get('before')).toBe('e3');
    more.flush({ items: [entry('e4')], nextCursor: null });
    await fixture.whenStable();
    expect(qa(fixture, '[data-testid=audit-row]')).toHaveLength(4);
    expect(qa(fixture, '[data-testid=audit-more]')).toHaveLength(0);
  });

  it('filters by an exact action name (checked as the API checks it), debounced', async () => {
    auditReq().flush({ items: [], nextCursor: null });
    await fixture.whenStable();
    expect(text(fixture)).toContain('Nothing recorded yet');
    type(q(fixture, '[data-testid=audit-action]'), 'Alert Fire!');
    await new Promise((r) => setTimeout(r, 350));
    await fixture.whenStable();
    http.expectNone((r) => r.url === '/api/v1/audit');
    expect(text(fixture)).toContain('Lower-case letters');
    type(q(fixture, '[data-testid=audit-action]'), 'alert.resolve');
    await new Promise((r) => setTimeout(r, 350));
    const filtered = auditReq();
    expect(filtered.request.params.get('action')).toBe('alert.resolve');
    filtered.flush({ items: [], nextCursor: null });
    await fixture.whenStable();
    expect(text(fixture)).toContain('No entry matches');
  });
});
