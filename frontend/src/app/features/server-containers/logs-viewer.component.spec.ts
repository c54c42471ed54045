import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import type { LogLine } from '@chatops/protocol';
import { q, qa, type } from '../../../testing/dom';
import { FakeLiveSocketService } from '../../../testing/fake-live-socket';
import { waitFor } from '../../../testing/server-context';
import { LiveSocketService } from '../../core/live/live-socket.service';
import { LOG_BUFFER_MAX_LINES, LogBuffer, filterLines, logText, splitMatches } from './log-buffer';
import { LogsViewerComponent } from './logs-viewer.component';

const LINES: LogLine[] = [
  { stream: 'stdout', text: 'server listening on :8080', timestamp: '2026-11-29T04:00:00.123456789Z' },
  { stream: 'stderr', text: '\x1b[31mERROR\x1b[0m cannot reach db', timestamp: '2026-11-29T04:00:01.000000000Z' },
  { stream: 'stdout', text: 'GET /health 200 <script>x</script>', timestamp: '2026-11-29T04:00:02.000000000Z' },
];

describe('LogsViewerComponent', () => {
  let fixture: ComponentFixture<LogsViewerComponent>;
  let http: HttpTestingController;
  let live: FakeLiveSocketService;

  beforeEach(async () => {
    TestBed.configureTestingModule({
      providers: [provideHttpClient(), provideHttpClientTesting(), { provide: LiveSocketService, useClass: FakeLiveSocketService }],
    });
    http = TestBed.inject(HttpTestingController);
    live = TestBed.inject(LiveSocketService) as unknown as FakeLiveSocketService;
    fixture = TestBed.createComponent(LogsViewerComponent);
    fixture.componentRef.setInput('serverId', 's1');
    fixture.componentRef.setInput('containerId', 'web');
    fixture.componentRef.setInput('containerName', 'web');
    await fixture.whenStable();
  });

  const shown = () => qa(fixture, '[data-testid=log-line]').map((l) => l.textContent);
  const logsReq = () => http.expectOne((r) => r.url === '/api/v1/docker/s1/containers/web/logs');

  async function loaded(lines = LINES): Promise<void> {
    const req = logsReq();
    expect(req.request.params.get('tail')).toBe('100');
    expect(req.request.params.get('timestamps')).toBe('true');
    req.flush({ lines });
    await fixture.whenStable();
  }

  it('shows the tail with ANSI colours rendered (escaped), stderr marked, timestamps on demand', async () => {
    await loaded();
    expect(shown()).toEqual(['server listening on :8080', 'ERROR cannot reach db', 'GET /health 200 <script>x</script>']);
    const err = qa(fixture, '[data-testid=log-line]')[1];
    expect(err.classList).toContain('stderr');
    expect(err.querySelector('.ansi-red-fg')?.textContent).toBe('ERROR');
    expect(q(fixture, '[data-testid=logs-output]').querySelector('script')).toBeNull();
    expect(q(fixture, '[data-testid=logs-status]').textContent).toContain('3 lines');

    fixture.componentInstance.timestamps.set(true);
    await fixture.whenStable();
    expect(shown()[0]).toBe('2026-11-29 04:00:00.123 server listening on :8080');
  });

  it('filters by stream and searches, marking every match (case-insensitive)', async () => {
    await loaded();
    fixture.componentInstance.stream.set('stderr');
    await fixture.whenStable();
    expect(shown()).toEqual(['ERROR cannot reach db']);

    fixture.componentInstance.stream.set('all');
    type(q<HTMLInputElement>(fixture, '[data-testid=logs-search]'), 'E');
    await fixture.whenStable();
    expect(shown()).toEqual(['server listening on :8080', 'ERROR cannot reach db', 'GET /health 200 <script>x</script>']);
    type(q<HTMLInputElement>(fixture, '[data-testid=logs-search]'), 'rEaCh');
    await fixture.whenStable();
    expect(shown()).toEqual(['ERROR cannot reach db']);
    expect(qa(fixture, '[data-testid=log-line] mark').map((m) => m.textContent)).toEqual(['reach']);
    // the colour survives the highlight
    expect(q(fixture, '[data-testid=log-line] .ansi-red-fg').textContent).toBe('ERROR');
    expect(q(fixture, '[data-testid=logs-status]').textContent).toContain('1 of 3 lines');
    type(q<HTMLInputElement>(fixture, '[data-testid=logs-search]'), 'script');
    await fixture.whenStable();
    expect(qa(fixture, '[data-testid=log-line] mark').map((m) => m.textContent)).toEqual(['script', 'script']);
    expect(q(fixture, '[data-testid=logs-output]').querySelector('script')).toBeNull();
  });

  it('downloads the shown lines as plain text (colours dropped), with timestamps when shown', async () => {
    await loaded();
    const blobs: Blob[] = [];
    const url = URL as unknown as { createObjectURL: (b: Blob) => string; revokeObjectURL: (u: string) => void };
    url.createObjectURL = (b: Blob) => (blobs.push(b), 'blob:x');
    url.revokeObjectURL = () => undefined;
    const click = jest.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(() => undefined);
    fixture.componentInstance.stream.set('stderr');
    fixture.componentInstance.timestamps.set(true);
    await fixture.whenStable();
    q<HTMLButtonElement>(fixture, '[data-testid=logs-download]').click();
    expect(click).toHaveBeenCalled();
    expect((click.mock.contexts[0] as HTMLAnchorElement).download).toMatch(/^web-.*\.log$/);
    await expect(blobs[0].text()).resolves.toBe('2026-11-29T04:00:01.000000000Z ERROR cannot reach db\n');
    click.mockRestore();
  });

  it('reads again with another tail size', async () => {
    await loaded();
    fixture.componentInstance.tail.set(1000);
    await fixture.whenStable();
    const req = logsReq();
    expect(req.request.params.get('tail')).toBe('1000');
    req.flush({ lines: LINES.slice(0, 1), truncated: true });
    await fixture.whenStable();
    expect(shown()).toHaveLength(1);
    expect(q(fixture, '[data-testid=logs-status]').textContent).toContain('older lines dropped');
  });

  it('follows over /live: the tail then new lines, stops on unsubscribe and says when the log ended', async () => {
    await loaded();
    fixture.componentInstance.follow.set(true);
    await fixture.whenStable();
    const sub = live.takeRequest('container_logs_subscribe');
    expect(sub.payload).toEqual({ serverId: 's1', containerId: 'web', tail: 100, timestamps: true });
    expect(shown()).toEqual([]);
    sub.ack({ ok: true, streamId: 'st-1' });
    await waitFor(() => q(fixture, '[data-testid=logs-status]').textContent!.includes('following'), 'following');
    live.emit('container_logs', { serverId: 's1', streamId: 'st-1', containerId: 'web', lines: LINES.slice(0, 2) });
    live.emit('container_logs', { serverId: 's1', streamId: 'other', containerId: 'web', lines: [{ stream: 'stdout', text: 'not mine' }] });
    live.emit('container_logs', { serverId: 's1', streamId: 'st-1', containerId: 'web', lines: [{ stream: 'stdout', text: 'a line printed after subscribing' }] });
    await fixture.whenStable();
    expect(shown()).toEqual(['server listening on :8080', 'ERROR cannot reach db', 'a line printed after subscribing']);

    live.emit('container_logs_end', { serverId: 's1', streamId: 'st-1', containerId: 'web', reason: 'ended' });
    await fixture.whenStable();
    expect(q(fixture, '[data-testid=logs-status]').textContent).toContain('The container stopped');
    expect(q(fixture, '[data-testid=logs-resume]')).toBeTruthy();

    // follow again, then off: the stream is unsubscribed and the tail read over REST
    q<HTMLButtonElement>(fixture, '[data-testid=logs-resume]').click();
    await fixture.whenStable();
    live.takeRequest('container_logs_subscribe').ack({ ok: true, streamId: 'st-2' });
    await waitFor(() => q(fixture, '[data-testid=logs-status]').textContent!.includes('following'), 'following again');
    fixture.componentInstance.follow.set(false);
    await fixture.whenStable();
    expect(live.sent).toEqual([{ event: 'container_logs_unsubscribe', payload: { streamId: 'st-2' } }]);
    logsReq().flush({ lines: [] });
  });

  it('shows why a follow was refused', async () => {
    await loaded();
    fixture.componentInstance.follow.set(true);
    await fixture.whenStable();
    live.takeRequest('container_logs_subscribe').ack({ ok: false, error: 'too_many_streams' });
    await waitFor(() => qa(fixture, '[data-testid=logs-error]').length > 0, 'the error');
    expect(q(fixture, '[data-testid=logs-error]').textContent).toContain('Too many logs are followed at once');
  });

  it('unsubscribes a followed log when it goes away', async () => {
    await loaded();
    fixture.componentInstance.follow.set(true);
    await fixture.whenStable();
    live.takeRequest('container_logs_subscribe').ack({ ok: true, streamId: 'st-9' });
    await new Promise((r) => setTimeout(r, 0));
    fixture.destroy();
    expect(live.sent).toEqual([{ event: 'container_logs_unsubscribe', payload: { streamId: 'st-9' } }]);
  });
});

describe('LogBuffer', () => {
  it('keeps at most its bound, dropping the oldest lines', () => {
    const buf = new LogBuffer(3);
    buf.append([{ stream: 'stdout', text: '1' }, { stream: 'stdout', text: '2' }]);
    const entries = buf.append([{ stream: 'stderr', text: '3' }, { stream: 'stdout', text: '4' }]);
    expect(entries.map((e) => e.text)).toEqual(['2', '3', '4']);
    expect(buf.dropped).toBe(1);
    expect(new LogBuffer().max).toBe(LOG_BUFFER_MAX_LINES);
  });

  it('filters, downloads as plain text and splits matches', () => {
    const entries = new LogBuffer().append(LINES);
    expect(filterLines(entries, 'stdout', 'HEALTH').map((e) => e.text)).toEqual(['GET /health 200 <script>x</script>']);
    expect(logText(entries.slice(0, 2), true)).toBe('2026-11-29T04:00:00.123456789Z server listening on :8080\n2026-11-29T04:00:01.000000000Z ERROR cannot reach db\n');
    expect(splitMatches('abcABC', 'bc')).toEqual([{ text: 'a', match: false }, { text: 'bc', match: true }, { text: 'A', match: false }, { text: 'BC', match: true }]);
  });
});
