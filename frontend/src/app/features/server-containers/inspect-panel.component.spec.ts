import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import type { ContainerInspect } from '@chatops/protocol';
import { q, qa, text, type } from '../../../testing/dom';
import { InspectPanelComponent } from './inspect-panel.component';

const INSPECT = {
  id: 'a'.repeat(64), name: 'web', image: 'nginx:1.27', imageId: 'sha256:1', createdAt: '2026-11-28T00:00:00.000Z', restartCount: 0, command: ['nginx'],
  state: { status: 'running', running: true, paused: false, restarting: false, oomKilled: false, dead: false, pid: 42, exitCode: 0, error: null, startedAt: null, finishedAt: null, health: null },
  config: { hostname: 'web', user: '', workingDir: '/', entrypoint: null, cmd: ['nginx'], env: ['DB_PASSWORD=***', 'PATH=***'], labels: {}, tty: false },
  envRedacted: true, restartPolicy: { name: 'no', maximumRetryCount: 0 }, ports: [], mounts: [], networks: [],
  resources: { memoryLimitBytes: null, nanoCpus: null, privileged: false, networkMode: 'bridge' },
} satisfies ContainerInspect;

describe('InspectPanelComponent', () => {
  it('shows the inspect as JSON, says the environment is redacted, and searches it', async () => {
    TestBed.configureTestingModule({ providers: [provideHttpClient(), provideHttpClientTesting()] });
    const http = TestBed.inject(HttpTestingController);
    const fixture = TestBed.createComponent(InspectPanelComponent);
    fixture.componentRef.setInput('serverId', 's1');
    fixture.componentRef.setInput('containerId', 'web');
    await fixture.whenStable();
    http.expectOne('/api/v1/docker/s1/containers/web').flush(INSPECT);
    await fixture.whenStable();
    expect(q(fixture, '[data-testid=env-note]').textContent).toContain('redacted by the agent');
    expect(text(fixture)).toContain('"DB_PASSWORD=***"');
    type(q<HTMLInputElement>(fixture, '[data-testid=inspect-search]'), 'password');
    await fixture.whenStable();
    const lines = qa(fixture, '[data-testid=inspect-json] > div');
    expect(lines).toHaveLength(1);
    expect(lines[0].textContent).toContain('"DB_PASSWORD=***"');
    expect(lines[0].querySelector('mark')?.textContent).toBe('PASSWORD');
    expect(q(fixture, '[data-testid=inspect-count]').textContent).toMatch(/^1 of \d+ lines match$/);
  });

  it('says when the agent cut the answer to fit one frame', async () => {
    TestBed.configureTestingModule({ providers: [provideHttpClient(), provideHttpClientTesting()] });
    const http = TestBed.inject(HttpTestingController);
    const fixture = TestBed.createComponent(InspectPanelComponent);
    fixture.componentRef.setInput('serverId', 's1');
    fixture.componentRef.setInput('containerId', 'web');
    await fixture.whenStable();
    expect(fixture.nativeElement.querySelector('[data-testid=inspect-truncated]')).toBeNull();
    http.expectOne('/api/v1/docker/s1/containers/web').flush({ ...INSPECT, truncated: true });
    await fixture.whenStable();
    expect(q(fixture, '[data-testid=inspect-truncated]').textContent).toContain('left out');
  });
});
