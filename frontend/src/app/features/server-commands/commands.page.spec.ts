import { Clipboard } from '@angular/cdk/clipboard';
import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, TestRequest, provideHttpClientTesting } from '@angular/common/http/testing';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import { MATERIAL_ANIMATIONS } from '@angular/material/core';
import { provideRouter } from '@angular/router';
import type { CommandRecord } from '@chatops/protocol';
import { USER } from '../../../testing/auth-fixtures';
import { button, q, qa, text, type } from '../../../testing/dom';
import { FakeLiveSocketService } from '../../../testing/fake-live-socket';
import { loadServerContext, serverWithAgent } from '../../../testing/server-context';
import { AuthService } from '../../core/auth/auth.service';
import { LiveSocketService } from '../../core/live/live-socket.service';
import { ServerContext } from '../server-detail/server-context';
import { CommandsPage } from './commands.page';

function record(commandId: string, partial: Partial<CommandRecord> = {}): CommandRecord {
  return {
    commandId, command: 'uptime', status: 'completed', exitCode: 0, output: '', stderr: '', durationMs: 1520, truncated: false,
    serverId: 's1', userId: USER.id, error: null, timedOut: false, ip: null, createdAt: new Date().toISOString(), finishedAt: new Date().toISOString(),
    ...partial,
  };
}

describe('CommandsPage', () => {
  let fixture: ComponentFixture<CommandsPage>;
  let http: HttpTestingController;
  let live: FakeLiveSocketService;

  beforeEach(() => {
    TestBed.configureTestingModule({
      providers: [
        provideRouter([]), provideHttpClient(), provideHttpClientTesting(), ServerContext,
        { provide: LiveSocketService, useClass: FakeLiveSocketService },
        { provide: AuthService, useValue: { user: () => USER } },
        { provide: MATERIAL_ANIMATIONS, useValue: { animationsDisabled: true } },
      ],
    });
    http = TestBed.inject(HttpTestingController);
    live = TestBed.inject(LiveSocketService) as unknown as FakeLiveSocketService;
  });
  afterEach(() => {
    document.querySelectorAll('.cdk-overlay-container').forEach((e) => (e.innerHTML = ''));
    http.verify();
  });

  /** Opens the tab; the history's first page is answered with `history`. */
  async function open(history: CommandRecord[] = [], caps: Parameters<typeof serverWithAgent>[0] = { exec: true }): Promise<void> {
    loadServerContext(http, serverWithAgent(caps));
    fixture = TestBed.createComponent(CommandsPage);
    await fixture.whenStable();
    http.expectOne((r) => r.url === '/api/v1/commands/s1/history').flush(history);
    await fixture.whenStable();
  }
  const input = () => q<HTMLInputElement>(fixture, '[data-testid=command-input]');
  async function typeCommand(command: string): Promise<void> {
    type(input(), command);
    await fixture.whenStable();
  }
  /** Types a command and presses Enter; returns the POST it sent. */
  async function run(command: string): Promise<TestRequest> {
    await typeCommand(command);
    input().form!.requestSubmit();
    await fixture.whenStable();
    return http.expectOne((r) => r.method === 'POST' && r.url === '/api/v1/commands/s1');
  }
  async function key(k: 'ArrowUp' | 'ArrowDown'): Promise<void> {
    input().dispatchEvent(new KeyboardEvent('keydown', { key: k, bubbles: true, cancelable: true }));
    await fixture.whenStable();
  }
  const runOutput = () => q(fixture, '[data-testid=run] [data-testid=output]');
  const dialog = () => document.querySelector('app-confirm-dialog') as HTMLElement | null;

  it('runs a command and streams its output in arrival order, stderr marked apart, then exit code and duration', async () => {
    await open();
    const post = await run('  make build ');
    expect(post.request.body).toEqual({ command: 'make build' });
    expect(post.request.params.get('async')).toBe('true');
    expect(input().value).toBe('');
    // output may come before the 202 that names the command
    live.emit('command_output', { serverId: 's1', commandId: 'c1', stream: 'stdout', data: 'compiling\n' });
    post.flush({ commandId: 'c1', command: 'make build', status: 'running' }, { status: 202, statusText: 'Accepted' });
    await fixture.whenStable();
    expect(q(fixture, '[data-testid=run] [data-testid=command-status]').textContent).toContain('Running');
    expect(q(fixture, '[data-testid=command-announcement]').textContent).toContain('Running make build');

    live.emit('command_output', { serverId: 's1', commandId: 'c1', stream: 'stderr', data: 'warning: unused\n' });
    live.emit('command_output', { serverId: 's1', commandId: 'other', stream: 'stdout', data: 'not mine\n' });
    live.emit('command_output', { serverId: 's2', commandId: 'c1', stream: 'stdout', data: 'other server\n' });
    live.emit('command_output', { serverId: 's1', commandId: 'c1', stream: 'stdout', data: 'done\n' });
    await fixture.whenStable();
    const spans = Array.from(runOutput().children).map((s) => [s.className, s.textContent]);
    expect(spans).toEqual([['stdout', 'compiling\n'], ['stderr', 'warning: unused\n'], ['stdout', 'done\n']]);

    live.emit('command_finished', { serverId: 's1', command: record('c1', { command: 'make build', exitCode: 0, output: 'compiling\ndone\n', stderr: 'warning: unused\n' }) });
    await fixture.whenStable();
    const run1 = q(fixture, '[data-testid=run]');
    expect(run1.querySelector('[data-testid=command-status]')?.textContent).toContain('Completed');
    expect(run1.querySelector('[data-testid=exit-code]')?.textContent).toBe('exit 0');
    expect(run1.querySelector('[data-testid=duration]')?.textContent).toBe('1.5 s');
    expect(q(fixture, '[data-testid=command-announcement]').textContent).toContain('make build finished: completed, exit code 0');
    // the history shows it too
    expect(qa(fixture, '[data-testid=history-row]').map((r) => r.querySelector('code')?.textContent)).toEqual(['make build']);
  });

  it('renders ANSI colours and shows markup in the output as text, never as elements', async () => {
    await open();
    const post = await run('cat evil');
    post.flush({ commandId: 'c1', command: 'cat evil', status: 'running' }, { status: 202, statusText: 'Accepted' });
    live.emit('command_output', { serverId: 's1', commandId: 'c1', stream: 'stdout', data: '\x1b[32mOK\x1b[0m <script>alert(1)</script><img src=x onerror=alert(2)>' });
    await fixture.whenStable();
    const out = runOutput();
    expect(out.querySelector('script, img')).toBeNull();
    expect(out.textContent).toBe('OK <script>alert(1)</script><img src=x onerror=alert(2)>');
    expect(out.querySelector('.ansi-green-fg')?.textContent).toBe('OK');
  });

  it('recalls this user\'s earlier commands on this server with ↑/↓, newest first, then this visit\'s', async () => {
    await open([
      record('h1', { command: 'df -h' }),
      record('h2', { command: 'whoami', userId: 'someone-else' }),
      record('h3', { command: 'uptime' }),
    ]);
    await typeCommand('ls');
    await key('ArrowUp');
    expect(input().value).toBe('df -h');
    await key('ArrowUp');
    expect(input().value).toBe('uptime'); // whoami was another user's
    await key('ArrowUp');
    expect(input().value).toBe('uptime');
    await key('ArrowDown');
    await key('ArrowDown');
    expect(input().value).toBe('ls'); // the draft comes back

    const post = await run('free -m');
    post.flush({ commandId: 'c1', command: 'free -m', status: 'running' }, { status: 202, statusText: 'Accepted' });
    await key('ArrowUp');
    expect(input().value).toBe('free -m');
  });

  it('asks before running a dangerous-looking command, says why, and sends nothing when cancelled', async () => {
    await open();
    await typeCommand('rm -rf /var/lib/app');
    input().form!.requestSubmit();
    await fixture.whenStable();
    expect(dialog()?.textContent).toContain('removes files recursively or by force');
    expect(dialog()?.textContent).toContain('web-1');
    button(fixture, 'Cancel', dialog()!).click();
    await fixture.whenStable();
    await new Promise((r) => setTimeout(r, 0));
    http.expectNone((r) => r.method === 'POST');
    expect(qa(fixture, '[data-testid=run]')).toHaveLength(0);
    expect(input().value).toBe('rm -rf /var/lib/app'); // still there, to fix or confirm

    input().form!.requestSubmit();
    await fixture.whenStable();
    dialog()!.querySelector<HTMLButtonElement>('[data-testid=confirm-button]')!.click();
    await fixture.whenStable();
    await new Promise((r) => setTimeout(r, 0));
    http.expectOne((r) => r.method === 'POST').flush({ commandId: 'c1', command: 'rm -rf /var/lib/app', status: 'running' }, { status: 202, statusText: 'Accepted' });
  });

  it.each([
    [403, 'command.policy_denied', 'Refused by the policy: it matches the deny rule "rm *"', 'Refused'],
    [403, 'command.not_allowed', 'The agent refused: not in its allow-list', 'Refused'],
    [503, 'agent.not_connected', 'The agent of this server is not connected', 'Agent offline'],
    [429, 'command.too_many_running', 'Too many commands are running', 'Not run'],
  ])('shows a %d %s refusal next to the command', async (status, code, message, badge) => {
    await open();
    const post = await run('uptime');
    post.flush({ statusCode: status, error: 'x', code, message, requestId: 'req-1' }, { status, statusText: 'x' });
    await fixture.whenStable();
    const run1 = q(fixture, '[data-testid=run]');
    expect(run1.querySelector('[data-testid=command-status]')?.textContent).toContain(badge);
    expect(run1.querySelector('[data-testid=run-error]')?.textContent).toBe(`${message} (request req-1)`);
    expect(q(fixture, '[data-testid=command-announcement]').textContent).toContain('uptime was not run');
  });

  it('when the agent turns out to have exec off, says how to turn it on', async () => {
    await open();
    const post = await run('uptime');
    post.flush({ statusCode: 403, error: 'Forbidden', code: 'command.exec_disabled', message: 'Remote commands are disabled on this agent', requestId: 'r' }, { status: 403, statusText: 'Forbidden' });
    await fixture.whenStable();
    http.expectOne('/api/v1/servers/s1').flush(serverWithAgent({ exec: false }));
    await fixture.whenStable();
    expect(q(fixture, '[data-testid=capability-off]').textContent).toContain('--enable-exec');
  });

  it('says exec is off, with the exact flag to copy, and still lists the history', async () => {
    await open([record('h1', { command: 'uptime' })], { exec: false });
    const off = q(fixture, '[data-testid=capability-off]');
    expect(off.textContent).toContain("Remote commands are turned off on this server's agent");
    expect(q(fixture, '[data-testid=capability-flag] code').textContent).toMatch(/^npm run agent -- --url .* --enable-exec$/);
    expect(off.textContent).toContain('CHATOPS_ENABLE_EXEC: "true"');
    expect(qa(fixture, '[data-testid=command-input]')).toHaveLength(0);
    expect(qa(fixture, '[data-testid=history-row]')).toHaveLength(1);
  });

  it('checks the optional timeout and sends it', async () => {
    await open();
    const timeout = q<HTMLInputElement>(fixture, '[data-testid=command-timeout]');
    type(timeout, '700');
    await typeCommand('sleep 1');
    expect(q(fixture, '[data-testid=timeout-error]').textContent).toContain('Whole seconds from 1 to 600');
    expect(q<HTMLButtonElement>(fixture, '[data-testid=command-run]').disabled).toBe(true);
    type(timeout, '20');
    await fixture.whenStable();
    input().form!.requestSubmit();
    await fixture.whenStable();
    const post = http.expectOne((r) => r.method === 'POST');
    expect(post.request.body).toEqual({ command: 'sleep 1', timeoutSec: 20 });
    post.flush({ commandId: 'c1', command: 'sleep 1', status: 'running' }, { status: 202, statusText: 'Accepted' });
  });

  it('shows truncated and timeout badges, and copies the output as plain text', async () => {
    await open();
    const copy = jest.spyOn(TestBed.inject(Clipboard), 'copy').mockReturnValue(true);
    const post = await run('yes');
    post.flush({ commandId: 'c1', command: 'yes', status: 'running' }, { status: 202, statusText: 'Accepted' });
    live.emit('command_output', { serverId: 's1', commandId: 'c1', stream: 'stdout', data: '\x1b[1my\x1b[0m\ny\n' });
    live.emit('command_finished', { serverId: 's1', command: record('c1', { command: 'yes', status: 'timeout', exitCode: null, timedOut: true, truncated: true, output: 'y\ny\n' }) });
    await fixture.whenStable();
    const run1 = q(fixture, '[data-testid=run]');
    expect(run1.querySelector('[data-testid=command-status]')?.textContent).toContain('Timed out');
    expect(run1.querySelector('[data-testid=badge-truncated]')).toBeTruthy();
    expect(run1.querySelector('[data-testid=exit-code]')).toBeNull();
    button(fixture, /Copy/, run1).click();
    expect(copy).toHaveBeenCalledWith('y\ny\n');
  });

  it('reads the whole output when the live stream missed part of it and the event carried a preview', async () => {
    await open();
    const post = await run('seq 3');
    post.flush({ commandId: 'c1', command: 'seq 3', status: 'running' }, { status: 202, statusText: 'Accepted' });
    live.emit('command_output', { serverId: 's1', commandId: 'c1', stream: 'stdout', data: '1\n' });
    live.emit('command_finished', { serverId: 's1', command: record('c1', { command: 'seq 3', output: '1\n2\n', preview: true }) });
    await fixture.whenStable();
    expect(runOutput().textContent).toBe('1\n2\n');
    http.expectOne('/api/v1/commands/item/c1').flush(record('c1', { command: 'seq 3', output: '1\n2\n3\n' }));
    await fixture.whenStable();
    expect(runOutput().textContent).toBe('1\n2\n3\n');
  });

  it('re-runs a command from the history (through the same dangerous-command check)', async () => {
    await open([record('h1', { command: 'reboot' })]);
    button(fixture, /Re-run/).click();
    await fixture.whenStable();
    expect(dialog()?.textContent).toContain('stops or restarts the machine');
    button(fixture, 'Cancel', dialog()!).click();
    await fixture.whenStable();
    await new Promise((r) => setTimeout(r, 0));
    http.expectNone((r) => r.method === 'POST');
    expect(text(fixture)).toContain('reboot');
  });
});
