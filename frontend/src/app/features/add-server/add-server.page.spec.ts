import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import type { CreatedApiKey } from '@chatops/protocol';
import { server } from '../../../testing/auth-fixtures';
import { button, q, qa, text, type } from '../../../testing/dom';
import { FakeLiveSocketService } from '../../../testing/fake-live-socket';
import { nextRequest } from '../../../testing/http-helpers';
import { SKIP_ERROR_TOAST } from '../../core/api/api-config';
import { LiveSocketService } from '../../core/live/live-socket.service';
import { AGENT_HELP_AFTER_MS, AGENT_POLL_MS, AddServerPage, agentUrlError, isLoopback } from './add-server.page';

const KEY: CreatedApiKey = {
  id: 'k1', serverId: 's1', name: 'default', key: 'cok_SECRETabc123', keyPrefix: 'cok_SECRETab', isActive: true,
  expiresAt: null, lastUsedAt: null, createdAt: '2026-01-01T00:00:00Z',
};

describe('AddServerPage (wizard)', () => {
  let fixture: ComponentFixture<AddServerPage>;
  let http: HttpTestingController;
  let live: FakeLiveSocketService;

  beforeEach(async () => {
    TestBed.configureTestingModule({
      imports: [AddServerPage],
      providers: [provideRouter([]), provideHttpClient(), provideHttpClientTesting(), { provide: LiveSocketService, useClass: FakeLiveSocketService }],
    });
    http = TestBed.inject(HttpTestingController);
    live = TestBed.inject(LiveSocketService) as unknown as FakeLiveSocketService;
    fixture = TestBed.createComponent(AddServerPage);
    await fixture.whenStable();
  });
  afterEach(() => {
    fixture.destroy();
    http.verify();
  });

  async function createServer(): Promise<void> {
    type(q(fixture, '[data-testid=server-name]'), '  web-9 ');
    type(q(fixture, '[data-testid=server-host]'), '10.1.2.3');
    q<HTMLButtonElement>(fixture, '[data-testid=create-server]').click();
    await fixture.whenStable();
    const created = http.expectOne('/api/v1/servers');
    expect(created.request.method).toBe('POST');
    expect(created.request.body).toEqual({ name: 'web-9', host: '10.1.2.3' });
    created.flush(server({ id: 's1', name: 'web-9', host: '10.1.2.3' }));
    const key = http.expectOne('/api/v1/api-keys');
    expect(key.request.body).toEqual({ serverId: 's1', name: 'default' });
    key.flush(KEY);
    await fixture.whenStable();
  }

  it('shows a refused create once, in the form (no toast as well), with the request id under Details', async () => {
    type(q(fixture, '[data-testid=server-name]'), 'web-9');
    q<HTMLButtonElement>(fixture, '[data-testid=create-server]').click();
    await fixture.whenStable();
    const created = http.expectOne('/api/v1/servers');
    expect(created.request.context.get(SKIP_ERROR_TOAST)).toBe(true);
    created.flush({ statusCode: 409, error: 'Conflict', message: 'A server named web-9 exists', requestId: 'req-7' }, { status: 409, statusText: 'Conflict' });
    await fixture.whenStable();
    expect(qa(fixture, '[data-testid=form-error]')).toHaveLength(1);
    expect(q(fixture, '[data-testid=form-error-message]').textContent).toBe('A server named web-9 exists');
    expect(q(fixture, '[data-testid=form-error] details code').textContent).toBe('req-7');
    expect(q(fixture, '[data-testid=create-server]').textContent).toContain('Create server');

    // A failed key (the server exists): said in the same place, and the button retries the key only.
    q<HTMLButtonElement>(fixture, '[data-testid=create-server]').click();
    await fixture.whenStable();
    http.expectOne('/api/v1/servers').flush(server({ id: 's1', name: 'web-9' }));
    const key = http.expectOne('/api/v1/api-keys');
    expect(key.request.context.get(SKIP_ERROR_TOAST)).toBe(true);
    key.flush({ statusCode: 429, message: 'Too many requests.', requestId: 'req-8' }, { status: 429, statusText: 'Too Many Requests' });
    await fixture.whenStable();
    expect(q(fixture, '[data-testid=form-error-message]').textContent).toBe('The server was created but its API key was not: Too many requests. Try again.');
    expect(q(fixture, '[data-testid=create-server]').textContent).toContain('Create the API key');
  });

  it('requires a name before creating anything', async () => {
    q<HTMLButtonElement>(fixture, '[data-testid=create-server]').click();
    await fixture.whenStable();
    expect(text(fixture)).toContain('Give the server a name');
    http.expectNone('/api/v1/servers');
  });

  it('creates the server, then its key, and shows the key once with the exact agent commands', async () => {
    await createServer();
    const origin = location.origin;
    expect(q(fixture, '[data-testid=api-key] pre').textContent).toBe('cok_SECRETabc123');
    expect(text(fixture)).toContain('shown only once');
    expect(q(fixture, '[data-testid=cmd-repo] pre').textContent).toBe(`npm run agent -- --url ${origin} --api-key cok_SECRETabc123`);

    button(fixture, 'Docker Compose').click();
    await fixture.whenStable();
    const compose = q(fixture, '[data-testid=cmd-compose] pre').textContent!;
    expect(compose).toContain('image: chatops-agent');
    expect(compose).toContain(`CHATOPS_URL: ${origin}`);
    expect(compose).toContain('CHATOPS_API_KEY: cok_SECRETabc123');
    expect(compose).toContain('/var/run/docker.sock:/var/run/docker.sock');
    expect(compose).toContain('/proc:/host/proc:ro');
    expect(compose).toContain('/:/host/root:ro');
    expect(compose).toContain('"--host-proc", "/host/proc", "--host-root", "/host/root"');

    button(fixture, 'systemd').click();
    await fixture.whenStable();
    const unit = q(fixture, '[data-testid=cmd-systemd] pre').textContent!;
    expect(unit).toContain(`Environment=CHATOPS_URL=${origin}`);
    expect(unit).toContain('--api-key-file /etc/chatops/agent.key');
    expect(unit).not.toContain('cok_SECRET'); // the key lives in the root-only file, not in the unit
  });

  it('lets the agent URL be edited (the browser origin may be unreachable from the target) and says when it is loopback', async () => {
    await createServer();
    expect(q<HTMLInputElement>(fixture, '[data-testid=agent-url]').value).toBe(location.origin);
    expect(qa(fixture, '[data-testid=agent-url-loopback]')).toHaveLength(location.hostname === 'localhost' ? 1 : 0);
    const input = q<HTMLInputElement>(fixture, '[data-testid=agent-url]');
    input.value = 'https://ops.example.com/';
    input.dispatchEvent(new Event('input'));
    await fixture.whenStable();
    expect(q(fixture, '[data-testid=cmd-repo] pre').textContent).toBe('npm run agent -- --url https://ops.example.com --api-key cok_SECRETabc123');
    expect(qa(fixture, '[data-testid=agent-url-loopback]')).toHaveLength(0);
    input.value = 'ops.example.com';
    input.dispatchEvent(new Event('input'));
    await fixture.whenStable();
    expect(text(fixture)).toContain('Enter a URL such as https://chatops.example.com');
    expect(qa(fixture, '[data-testid=cmd-repo]')).toHaveLength(0); // no command with a wrong URL
  });

  it('checks agent URLs', () => {
    expect(agentUrlError('https://ops.example.com:8443')).toBeNull();
    expect(agentUrlError('http://10.0.0.5:3000/chatops')).toBeNull();
    expect(agentUrlError('ftp://x')).toContain('http:// or https://');
    expect(agentUrlError('https://user:pw@x')).not.toBeNull();
    expect(['http://localhost:3000', 'http://127.0.0.1', 'http://[::1]:3000', 'https://ops.example.com'].map(isLoopback)).toEqual([true, true, true, false]);
  });

  it('shows what to check when no agent connected in time', async () => {
    fixture.destroy();
    TestBed.resetTestingModule();
    TestBed.configureTestingModule({
      imports: [AddServerPage],
      providers: [provideRouter([]), provideHttpClient(), provideHttpClientTesting(),
        { provide: LiveSocketService, useClass: FakeLiveSocketService }, { provide: AGENT_HELP_AFTER_MS, useValue: 5 }],
    });
    http = TestBed.inject(HttpTestingController);
    live = TestBed.inject(LiveSocketService) as unknown as FakeLiveSocketService;
    fixture = TestBed.createComponent(AddServerPage);
    await fixture.whenStable();
    await createServer();
    expect(qa(fixture, '[data-testid=agent-help]')).toHaveLength(0);
    await new Promise((r) => setTimeout(r, 20));
    await fixture.whenStable();
    expect(q(fixture, '[data-testid=agent-help]').textContent).toContain(`curl -sS ${location.origin}/health`);
    live.emit('server_status', { serverId: 's1', status: 'online', lastSeen: new Date().toISOString() });
    await fixture.whenStable();
    expect(qa(fixture, '[data-testid=agent-help]')).toHaveLength(0);
  });

  it('turns green when the agent reports online on the live socket', async () => {
    await createServer();
    expect(live.subscribedServers).toContain('s1');
    expect(q(fixture, '[data-testid=agent-state]').textContent).toContain('Waiting for the agent');
    live.emit('server_status', { serverId: 'other', status: 'online', lastSeen: null });
    await fixture.whenStable();
    expect(q(fixture, '[data-testid=agent-state]').textContent).toContain('Waiting for the agent');
    live.emit('server_status', { serverId: 's1', status: 'online', lastSeen: new Date().toISOString() });
    await fixture.whenStable();
    expect(q(fixture, '[data-testid=agent-state]').textContent).toContain('Agent connected');
    expect(q(fixture, '[data-testid=open-server]').getAttribute('href')).toBe('/servers/s1');
    expect(live.subscribedServers).not.toContain('s1'); // stops listening once connected
  });

  it('falls back to polling GET /servers/{id} every 5 s', async () => {
    expect(TestBed.inject(AGENT_POLL_MS)).toBe(5_000);
    fixture.destroy();
    TestBed.resetTestingModule();
    TestBed.configureTestingModule({
      imports: [AddServerPage],
      providers: [provideRouter([]), provideHttpClient(), provideHttpClientTesting(),
        { provide: LiveSocketService, useClass: FakeLiveSocketService }, { provide: AGENT_POLL_MS, useValue: 10 }],
    });
    http = TestBed.inject(HttpTestingController);
    fixture = TestBed.createComponent(AddServerPage);
    await fixture.whenStable();
    await createServer();
    (await nextRequest(http, '/api/v1/servers/s1')).flush(server({ id: 's1', name: 'web-9', status: 'unknown' }));
    await fixture.whenStable();
    expect(q(fixture, '[data-testid=agent-state]').textContent).toContain('Waiting for the agent');
    (await nextRequest(http, '/api/v1/servers/s1')).flush(server({ id: 's1', name: 'web-9', status: 'online' }));
    await fixture.whenStable();
    expect(q(fixture, '[data-testid=agent-state]').textContent).toContain('Agent connected');
    expect(qa(fixture, '[data-testid=open-server]')).toHaveLength(1);
  });
});
