import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import { button, q, qa, text } from '../../../testing/dom';
import { FakeLiveSocketService } from '../../../testing/fake-live-socket';
import { FakeTerminalView } from '../../../testing/fake-terminal-view';
import { loadServerContext, serverWithAgent, waitFor } from '../../../testing/server-context';
import { LiveSocketService } from '../../core/live/live-socket.service';
import { ServerContext } from '../server-detail/server-context';
import { TerminalPage } from './terminal.page';
import { TERMINAL_VIEW_FACTORY } from './xterm-view';

describe('TerminalPage', () => {
  let fixture: ComponentFixture<TerminalPage>;
  let http: HttpTestingController;
  let live: FakeLiveSocketService;
  let views: FakeTerminalView[];
  const view = () => views[0];

  beforeEach(() => {
    views = [];
    TestBed.configureTestingModule({
      providers: [
        provideRouter([]), provideHttpClient(), provideHttpClientTesting(), ServerContext,
        { provide: LiveSocketService, useClass: FakeLiveSocketService },
        { provide: TERMINAL_VIEW_FACTORY, useValue: (host: HTMLElement, options: ConstructorParameters<typeof FakeTerminalView>[1]) => {
          const v = new FakeTerminalView(host, options);
          views.push(v);
          return v;
        } },
      ],
    });
    http = TestBed.inject(HttpTestingController);
    live = TestBed.inject(LiveSocketService) as unknown as FakeLiveSocketService;
  });
  afterEach(() => http.verify());

  async function open(caps: Parameters<typeof serverWithAgent>[0] = { terminal: true }): Promise<void> {
    loadServerContext(http, serverWithAgent(caps));
    fixture = TestBed.createComponent(TerminalPage);
    await fixture.whenStable();
  }
  const status = () => q(fixture, '[data-testid=terminal-status]').textContent ?? '';
  /** After an answer to `terminal_open`: its continuation runs, then change detection. */
  async function settle(): Promise<void> {
    await new Promise((r) => setTimeout(r, 0));
    await fixture.whenStable();
  }

  /** Clicks Connect and answers `terminal_open` with a session id. */
  async function connect(sessionId = 't1'): Promise<void> {
    button(fixture, /Connect/).click();
    await fixture.whenStable();
    live.takeRequest('terminal_open').ack({ ok: true, sessionId });
    await settle();
  }

  it('says the terminal is off, with the flag to turn it on, and offers no Connect', async () => {
    await open({ terminal: false, exec: true });
    const off = q(fixture, '[data-testid=capability-off]');
    expect(off.textContent).toContain("The web terminal is turned off on this server's agent");
    expect(off.textContent).toContain('--enable-terminal');
    expect(q(fixture, '[data-testid=capability-flag] code').textContent).toMatch(/npm run agent -- .* --enable-exec --enable-terminal$/);
    expect(off.textContent).toContain('CHATOPS_ENABLE_EXEC=true CHATOPS_ENABLE_TERMINAL=true');
    expect(off.textContent).toContain('cannot be combined with --exec-allow');
    expect(qa(fixture, '[data-testid=terminal-connect]')).toHaveLength(0);
  });

  it('says so when no agent has connected yet', async () => {
    await open(null);
    expect(q(fixture, '[data-testid=capability-off]').textContent).toContain('No agent has connected to this server yet');
  });

  it('opens a session at the size of the view, shows its output in order (even output that beat the ack) and sends keys', async () => {
    await open();
    button(fixture, 'Connect').click();
    await fixture.whenStable();
    const req = live.takeRequest('terminal_open');
    expect(req.payload).toEqual({ serverId: 's1', cols: 80, rows: 24 });
    expect(status()).toContain('Opening a shell on web-1');
    live.emit('terminal_output', { sessionId: 't1', data: 'Welcome\r\n' }); // before the ack
    live.emit('terminal_output', { sessionId: 'someone-else', data: 'not mine' });
    req.ack({ ok: true, sessionId: 't1' });
    await settle();
    live.emit('terminal_output', { sessionId: 't1', data: '$ ' });
    expect(view().screen).toBe('Welcome\r\n$ ');
    expect(status()).toContain('Connected to web-1 (80×24)');
    expect(status()).toContain('Ctrl+] moves focus out of the terminal');
    expect(view().focused).toBe(1);

    view().type('echo hi\r');
    expect(live.sent).toEqual([{ event: 'terminal_input', payload: { sessionId: 't1', data: 'echo hi\r' } }]);
  });

  it('refits the grid when the window is resized and tells the server the new size', async () => {
    await open();
    await connect();
    const fits = view().fits;
    window.dispatchEvent(new Event('resize'));
    window.dispatchEvent(new Event('resize'));
    await waitFor(() => view().fits > fits, 'the debounced refit');
    expect(view().fits).toBe(fits + 1); // one refit for the burst
    view().resizeTo(132, 40);
    expect(live.sent.at(-1)).toEqual({ event: 'terminal_resize', payload: { sessionId: 't1', cols: 132, rows: 40 } });
  });

  it('shows why the session ended, with the exit code, and reconnects into a new session', async () => {
    await open();
    await connect('t1');
    live.emit('terminal_exit', { sessionId: 'other', exitCode: 1, reason: 'exit' });
    await fixture.whenStable();
    expect(status()).toContain('Connected');
    live.emit('terminal_exit', { sessionId: 't1', exitCode: 0, reason: 'exit' });
    await fixture.whenStable();
    expect(status()).toContain('The shell exited with code 0. Reconnect to start a new session.');
    expect(view().screen).toContain('[The shell exited with code 0.]');
    view().type('ls\r');
    expect(live.sent.filter((s) => s.event === 'terminal_input')).toEqual([]);

    button(fixture, /Reconnect/).click();
    await fixture.whenStable();
    expect(view().resets).toBe(2);
    live.takeRequest('terminal_open').ack({ ok: true, sessionId: 't2' });
    await settle();
    expect(status()).toContain('Connected');
    live.emit('terminal_output', { sessionId: 't2', data: 'again' });
    expect(view().screen).toBe('again');
  });

  it('says "Disconnected" when the live socket drops, and Reconnect waits for the socket', async () => {
    await open();
    await connect();
    live.drop();
    await fixture.whenStable();
    expect(status()).toContain('Disconnected from the live server: the session ended. Reconnect to start a new session.');
    expect(status()).toContain('Waiting for the live connection');
    expect(button(fixture, /Reconnect/).disabled).toBe(true);
    live.status.set('connected');
    await fixture.whenStable();
    expect(button(fixture, /Reconnect/).disabled).toBe(false);
  });

  it.each([
    [{ ok: false as const, error: 'disabled' }, "turned off on this server's agent (start it with --enable-exec --enable-terminal)"],
    [{ ok: false as const, error: 'agent_offline' }, 'The agent is offline'],
    [{ ok: false as const, error: 'too_many_sessions', message: 'At most 4 terminal sessions at once; close one first' }, 'At most 4 terminal sessions at once; close one first'],
    [{ ok: false as const, error: 'spawn_failed', message: 'no /bin/bash' }, 'The terminal could not be opened (spawn_failed): no /bin/bash'],
  ])('shows why the server refused to open a terminal: %j', async (ack, message) => {
    await open();
    button(fixture, 'Connect').click();
    await fixture.whenStable();
    live.takeRequest('terminal_open').ack(ack);
    await settle();
    expect(q(fixture, '[data-testid=terminal-error]').textContent).toContain(message);
    expect(button(fixture, /Reconnect/)).toBeTruthy();
    // "disabled" means the agent changed: the server is read again, to show how to turn it on
    if (ack.error === 'disabled') http.expectOne('/api/v1/servers/s1').flush(serverWithAgent({ terminal: false }));
    else http.expectNone('/api/v1/servers/s1');
    await fixture.whenStable();
    if (ack.error === 'disabled') expect(text(fixture)).toContain('--enable-terminal');
  });

  it('explains a request that got no answer', async () => {
    await open();
    button(fixture, 'Connect').click();
    await fixture.whenStable();
    live.takeRequest('terminal_open').fail('timeout');
    await settle();
    expect(q(fixture, '[data-testid=terminal-error]').textContent).toContain('The server did not answer in time');
  });

  it('Disconnect closes the session; closing while it opens closes the shell the server then starts', async () => {
    await open();
    await connect('t1');
    button(fixture, /Disconnect/).click();
    await fixture.whenStable();
    expect(live.sent.at(-1)).toEqual({ event: 'terminal_close', payload: { sessionId: 't1' } });
    expect(status()).toContain('You closed the session.');

    button(fixture, /Reconnect/).click();
    await fixture.whenStable();
    const req = live.takeRequest('terminal_open');
    button(fixture, /Disconnect/).click();
    await fixture.whenStable();
    req.ack({ ok: true, sessionId: 't2' });
    await settle();
    expect(live.sent.at(-1)).toEqual({ event: 'terminal_close', payload: { sessionId: 't2' } });
    expect(status()).toContain('You closed the session.');
  });

  it('leaving the tab closes the session and disposes the terminal', async () => {
    await open();
    await connect('t1');
    fixture.destroy();
    expect(live.sent.at(-1)).toEqual({ event: 'terminal_close', payload: { sessionId: 't1' } });
    expect(view().disposed).toBe(true);
  });

  it('Ctrl+] (the escape key of the terminal) moves focus out, to the Disconnect button', async () => {
    await open();
    await connect();
    view().options.onEscape();
    expect(document.activeElement).toBe(q(fixture, '[data-testid=terminal-disconnect]'));
    expect(q(fixture, '#terminal-help').textContent).toContain('to move focus out of it');
  });
});
