import { ComponentFixture, TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import { server } from '../../../testing/auth-fixtures';
import { q, qa } from '../../../testing/dom';
import { cardFromServer, type FleetCard } from './fleet-state';
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

describe('ServerCardComponent levels and staleness', () => {
  async function render(card: FleetCard, now = Date.now()): Promise<HTMLElement> {
    TestBed.configureTestingModule({ imports: [ServerCardComponent], providers: [provideRouter([])] });
    const fixture = TestBed.createComponent(ServerCardComponent);
    fixture.componentRef.setInput('card', card);
    fixture.componentRef.setInput('now', now);
    await fixture.whenStable();
    return fixture.nativeElement as HTMLElement;
  }
  const base = (status: 'online' | 'offline', lastSeen: string) => cardFromServer(server({ id: 'a', name: 'web-1', status, lastSeen }));

  it('marks values over the thresholds with a word, not colour alone', async () => {
    const el = await render({ ...base('online', new Date().toISOString()), status: 'online', cpuPercent: 97, memoryPercent: 85, diskPercent: 10 });
    expect(el.querySelector('[data-testid=cpu]')?.textContent).toBe('97% critical');
    expect(el.querySelector('[data-testid=cpu]')?.className).toContain('level-critical');
    expect(el.querySelector('[data-testid=mem]')?.textContent).toBe('85% warning');
    expect(el.querySelector('[data-testid=disk]')?.textContent).toBe('10%');
    expect(el.querySelector('[data-testid=card-stale]')).toBeNull();
  });

  it("greys an offline server's last values and says how old they are", async () => {
    const now = Date.now();
    const lastSeen = new Date(now - 3 * 60_000).toISOString();
    const el = await render({ ...base('offline', lastSeen), cpuPercent: 97, memoryPercent: 40, diskPercent: 10 }, now);
    expect(el.querySelector('.metrics')?.classList).toContain('stale');
    expect(el.querySelector('[data-testid=card-stale]')?.textContent).toBe('Last values, as of 3 min ago');
    expect(el.querySelector('[data-testid=cpu]')?.textContent).toBe('97%'); // not a current "critical"
  });
});
