import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import type { TerminalSession } from '@chatops/protocol';
import { button, q, qa, text } from '../../../testing/dom';
import { nextRequest } from '../../../testing/http-helpers';
import { FakeLiveSocketService } from '../../../testing/fake-live-socket';
import { loadServerContext, serverWithAgent, waitFor } from '../../../testing/server-context';
import { LiveSocketService } from '../../core/live/live-socket.service';
import { NotifyService } from '../../core/notify/notify.service';
import { ServerContext } from '../server-detail/server-context';
import { RECORDING_PLAYER_FACTORY, RecordingPlayer, RecordingPlayerOptions } from './recording-player';
import { SESSIONS_PAGE_SIZE, SessionsPage } from './sessions.page';

function session(i: number, partial: Partial<TerminalSession> = {}): TerminalSession {
  const start = Date.now() - (i + 1) * 3_600_000;
  return {
    id: `t${i}`, serverId: 's1', userId: 'u1', username: 'ada', cols: 80, rows: 24, startedAt: new Date(start).toISOString(),
    endedAt: new Date(start + 95_000).toISOString(), exitCode: 0, endReason: 'exit', bytesOut: 1500, bytesIn: 548, recordingTruncated: false,
    ...partial,
  };
}

/** Stands in for asciinema-player: records how it was created and what it was asked to do. */
class FakePlayer implements RecordingPlayer {
  calls: string[] = [];
  time = 0;
  disposed = false;
  private readonly handlers = new Map<string, (() => void)[]>();
  constructor(readonly cast: string, readonly host: HTMLElement, readonly options: RecordingPlayerOptions) {}
  play() { this.calls.push('play'); this.fire('play'); return Promise.resolve(); }
  pause() { this.calls.push('pause'); this.fire('pause'); return Promise.resolve(); }
  seek(t: number) { this.calls.push(`seek ${t}`); this.time = t; return Promise.resolve(); }
  getCurrentTime() { return this.time; }
  getDuration() { return 95; }
  addEventListener(event: 'play' | 'playing' | 'pause' | 'ended', handler: () => void) {
    this.handlers.set(event, [...(this.handlers.get(event) ?? []), handler]);
  }
  dispose() { this.disposed = true; }
  fire(event: string) { (this.handlers.get(event) ?? []).forEach((h) => h()); }
}

const CAST = '{"version":2,"width":80,"height":24}\n[0.1,"o","$ echo hi\\r\\n"]\n';

describe('SessionsPage', () => {
  let fixture: ComponentFixture<SessionsPage>;
  let http: HttpTestingController;
  let players: FakePlayer[];

  beforeEach(async () => {
    players = [];
    TestBed.configureTestingModule({
      providers: [
        provideRouter([]), provideHttpClient(), provideHttpClientTesting(), ServerContext,
        { provide: LiveSocketService, useClass: FakeLiveSocketService },
        { provide: RECORDING_PLAYER_FACTORY, useValue: (cast: string, host: HTMLElement, options: RecordingPlayerOptions) => {
          const p = new FakePlayer(cast, host, options);
          players.push(p);
          return p;
        } },
      ],
    });
    http = TestBed.inject(HttpTestingController);
    loadServerContext(http, serverWithAgent({ exec: true, terminal: true }));
    fixture = TestBed.createComponent(SessionsPage);
    await fixture.whenStable();
  });
  afterEach(() => http.verify());

  const listReq = () => http.expectOne((r) => r.url === '/api/v1/terminal/s1/sessions');
  const rows = () => qa(fixture, '[data-testid=session-row]');

  async function playFirst(): Promise<void> {
    listReq().flush([session(0), session(1)]);
    await fixture.whenStable();
    button(fixture, /Play/, rows()[0]).click();
    const rec = await nextRequest(http, '/api/v1/terminal/sessions/t0/recording', 500); // after the player chunk loaded
    expect(rec.request.responseType).toBe('text');
    rec.flush(CAST);
    await fixture.whenStable();
    await waitFor(() => players.length > 0, 'the player');
    await fixture.whenStable();
  }

  it('lists recordings: who, when, duration, size and how they ended', async () => {
    listReq().flush([session(0), session(1, { endedAt: null, exitCode: null, endReason: null, username: null }), session(2, { exitCode: null, endReason: 'agent_disconnected', recordingTruncated: true })]);
    await fixture.whenStable();
    const cells = rows().map((r) => Array.from(r.querySelectorAll('td')).slice(0, 5).map((td) => td.textContent?.trim()));
    expect(cells[0]).toEqual(['ada', '1 h ago', '1 min 35 s', '2.0 KiB', 'exited (exit 0)']);
    expect(cells[1][0]).toBe('unknown');
    expect(cells[1][2]).toBe('open');
    expect(cells[2][4]).toMatch(/^agent disconnected/);
    expect(rows()[2].textContent).toContain('recording truncated');
  });

  it('says when there is no session yet', async () => {
    listReq().flush([]);
    await fixture.whenStable();
    expect(text(fixture)).toContain('No terminal session yet');
  });

  it('pages with "Load more" while pages are full', async () => {
    listReq().flush(Array.from({ length: SESSIONS_PAGE_SIZE }, (_, i) => session(i)));
    await fixture.whenStable();
    q<HTMLButtonElement>(fixture, '[data-testid=sessions-more]').click();
    const more = listReq();
    expect(more.request.params.get('before')).toBe(`t${SESSIONS_PAGE_SIZE - 1}`);
    more.flush([session(99)]);
    await fixture.whenStable();
    expect(rows()).toHaveLength(SESSIONS_PAGE_SIZE + 1);
    expect(qa(fixture, '[data-testid=sessions-more]')).toHaveLength(0);
  });

  it('plays a recording in the page from the fetched text, with pause, restart and speed', async () => {
    await playFirst();
    const p = players[0];
    expect(p.cast).toBe(CAST);
    expect(p.options).toEqual({ speed: 1, startAt: 0, autoPlay: true });
    expect(q(fixture, '[data-testid=player]').contains(p.host) || q(fixture, '[data-testid=player]') === p.host).toBe(true);

    button(fixture, /Pause/).click();
    await fixture.whenStable();
    expect(p.calls).toEqual(['pause']);
    expect(button(fixture, /^\s*Play\s*$/, q(fixture, 'app-recording-player'))).toBeTruthy();

    p.time = 42;
    const twice = Array.from(document.querySelectorAll<HTMLElement>('[data-testid=player-speed] button')).find((b) => b.textContent?.includes('2×'))!;
    twice.click();
    await fixture.whenStable();
    expect(p.disposed).toBe(true); // the player takes its speed at creation: a new one, same place
    expect(players[1].options).toEqual({ speed: 2, startAt: 42, autoPlay: false });

    button(fixture, /From the start/).click();
    await waitFor(() => players[1].calls.includes('play'), 'play after the seek');
    expect(players[1].calls).toEqual(['seek 0', 'play']);
  });

  it('closes the player, and shows why a recording could not be fetched', async () => {
    await playFirst();
    button(fixture, 'Close player').click();
    await fixture.whenStable();
    expect(players[0].disposed).toBe(true);
    expect(qa(fixture, 'app-recording-player')).toHaveLength(0);

    button(fixture, /Play/, rows()[1]).click();
    const rec = await nextRequest(http, '/api/v1/terminal/sessions/t1/recording', 500);
    rec.flush({ statusCode: 404, message: 'No recording for this session' }, { status: 404, statusText: 'Not Found' });
    await fixture.whenStable();
    expect(q(fixture, '[data-testid=player-error]').textContent).toContain('No recording for this session');
  });

  it('says so when the player cannot compile its WebAssembly (a CSP without wasm-unsafe-eval)', async () => {
    await playFirst();
    const event = Object.assign(new Event('unhandledrejection'), { reason: new WebAssembly.CompileError('blocked by CSP') });
    window.dispatchEvent(event);
    await fixture.whenStable();
    expect(q(fixture, '[data-testid=player-error]').textContent).toContain("Content-Security-Policy needs 'wasm-unsafe-eval'");
  });

  it('downloads a recording through a blob URL named by the server', async () => {
    listReq().flush([session(0)]);
    await fixture.whenStable();
    const created: Blob[] = [];
    const urls = { createObjectURL: jest.fn((b: Blob) => (created.push(b), 'blob:chatops/1')), revokeObjectURL: jest.fn() };
    Object.assign(URL, urls);
    const clicks: { href: string; download: string }[] = [];
    jest.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      clicks.push({ href: this.href, download: this.download });
    });
    button(fixture, /Download/).click();
    const req = http.expectOne((r) => r.url === '/api/v1/terminal/sessions/t0/recording');
    expect(req.request.params.get('download')).toBe('1');
    req.flush(new Blob([CAST]), { headers: { 'Content-Disposition': 'attachment; filename="web-1-t0.cast"' } });
    await fixture.whenStable();
    expect(clicks).toEqual([{ href: 'blob:chatops/1', download: 'web-1-t0.cast' }]);
    expect(await created[0].text()).toBe(CAST);
    await waitFor(() => urls.revokeObjectURL.mock.calls.length === 1, 'the blob URL to be released');
  });

  it('reports a failed download', async () => {
    listReq().flush([session(0)]);
    await fixture.whenStable();
    const error = jest.spyOn(TestBed.inject(NotifyService), 'error').mockResolvedValue();
    button(fixture, /Download/).click();
    http.expectOne((r) => r.url === '/api/v1/terminal/sessions/t0/recording')
      .flush(new Blob([JSON.stringify({ message: 'Recording not found' })]), { status: 404, statusText: 'Not Found' });
    await waitFor(() => error.mock.calls.length > 0, 'the error message');
    expect(error).toHaveBeenCalledWith('The recording could not be downloaded: Recording not found');
  });
});
