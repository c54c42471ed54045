import { ComponentFixture, TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import { server } from '../../../testing/auth-fixtures';
import { q, qa } from '../../../testing/dom';
import { cardFromServer } from './fleet-state';
import { ServerCardComponent } from './server-card.component';

describe('ServerCardComponent open alerts', () => {
  let fixture: ComponentFixture<ServerCardComponent>;

  beforeEach(async () => {
    TestBed.configureTestingModule({ providers: [provideRouter([])] });
    fixture = TestBed.createComponent(ServerCardComponent);
    fixture.componentRef.setInput('card', { ...cardFromServer(server({ id: 's1', name: 'web-1' })), openAlerts: 3 });
    await fixture.whenStable();
  });

  it('links the open-alert count to the server\'s Alerts tab, with the severities in words once known', async () => {
    const link = q<HTMLAnchorElement>(fixture, '[data-testid=card-alerts]');
    expect(link.getAttribute('href')).toBe('/servers/s1/alerts');
    expect(link.textContent?.trim()).toBe('3 open alerts');
    fixture.componentRef.setInput('severities', { critical: 1, warning: 2, info: 0 });
    await fixture.whenStable();
    expect(link.textContent?.trim()).toBe('3 open alerts: 1 critical, 2 warning');
    fixture.componentRef.setInput('card', { ...cardFromServer(server({ id: 's1', name: 'web-1' })), openAlerts: 0 });
    await fixture.whenStable();
    expect(qa(fixture, '[data-testid=card-alerts]')).toHaveLength(0);
  });
});
