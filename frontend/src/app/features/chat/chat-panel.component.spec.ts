import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import { MATERIAL_ANIMATIONS } from '@angular/material/core';
import { provideRouter } from '@angular/router';
import type { ChatHistoryEntry, ChatHistoryPage } from '@chatops/protocol/chatops';
import { button, q, qa, text } from '../../../testing/dom';
import { FakeLiveSocketService } from '../../../testing/fake-live-socket';
import { nextRequest } from '../../../testing/http-helpers';
import { LiveSocketService } from '../../core/live/live-socket.service';
import { ChatPanelComponent } from './chat-panel.component';

function entry(i: number, partial: Partial<ChatHistoryEntry> = {}): ChatHistoryEntry {
  return {
    id: `m${i}`, channel: 'dashboard', text: `status ${i}`, command: 'status', serverId: null, ok: true,
    reply: { title: `Reply ${i}` }, createdAt: new Date(Date.now() - i * 60_000).toISOString(), ...partial,
  };
}

describe('ChatPanelComponent', () => {
  let fixture: ComponentFixture<ChatPanelComponent>;
  let http: HttpTestingController;
  let live: FakeLiveSocketService;

  async function create(serverId: string | null = null): Promise<void> {
    fixture = TestBed.createComponent(ChatPanelComponent);
    fixture.componentRef.setInput('serverId', serverId);
    await fixture.whenStable();
    (await nextRequest(http, '/api/v1/chatops/settings')).flush({ confirmDestructive: true });
  }
  async function history(page: ChatHistoryPage): Promise<void> {
    (await nextRequest(http, '/api/v1/chatops/history')).flush(page);
    await fixture.whenStable();
  }
  const messages = () => qa(fixture, '[data-testid=chat-message]').map((m) => m.textContent);

  beforeEach(() => {
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(), provideHttpClientTesting(), provideRouter([]), { provide: MATERIAL_ANIMATIONS, useValue: { animationsDisabled: true } },
        { provide: LiveSocketService, useClass: FakeLiveSocketService },
      ],
    });
    http = TestBed.inject(HttpTestingController);
    live = TestBed.inject(LiveSocketService) as unknown as FakeLiveSocketService;
  });
  afterEach(() => http.verify());

  it('shows the history oldest first, and loads older pages with the cursor', async () => {
    await create();
    await history({ items: [entry(0), entry(1)], nextCursor: 'cur1' });
    expect(messages()).toEqual(['status 1', 'status 0']);
    expect(qa(fixture, '[data-testid=chat-reply] h3').map((h) => h.textContent?.trim())).toEqual(['Reply 1', 'Reply 0']);
    q<HTMLButtonElement>(fixture, '[data-testid=chat-older]').click();
    const older = await nextRequest(http, '/api/v1/chatops/history');
    expect(older.request.params.get('before')).toBe('cur1');
    older.flush({ items: [entry(2), entry(3)], nextCursor: null });
    await fixture.whenStable();
    expect(messages()).toEqual(['status 3', 'status 2', 'status 1', 'status 0']);
    expect(qa(fixture, '[data-testid=chat-older]')).toHaveLength(0);
  });

  it('invites `help` or `status` when empty, and sends it', async () => {
    await create();
    await history({ items: [], nextCursor: null });
    expect(q(fixture, '[data-testid=chat-empty]').textContent).toContain('No messages yet. Try help or status.');
    button(fixture, 'status').click();
    await fixture.whenStable();
    const post = await nextRequest(http, '/api/v1/chatops/messages');
    expect(post.request.body).toEqual({ text: 'status', stream: true });
    expect(text(fixture)).toContain('Working…');
    post.flush({ id: 'm9', reply: { title: 'Fleet: 0 servers' } });
    await fixture.whenStable();
    expect(messages()).toEqual(['status']);
    expect(q(fixture, '[data-testid=chat-reply] h3').textContent?.trim()).toBe('Fleet: 0 servers');
  });

  it('sends the server context with messages until its chip is cleared', async () => {
    await create('s1');
    (await nextRequest(http, '/api/v1/servers/s1')).flush({ id: 's1', name: 'web-1' });
    const first = await nextRequest(http, '/api/v1/chatops/history');
    expect(first.request.params.get('serverId')).toBe('s1');
    first.flush({ items: [], nextCursor: null });
    await fixture.whenStable();
    expect(q(fixture, '[data-testid=chat-context]').textContent).toContain('web-1');
    fixture.componentInstance.send('top');
    const post = await nextRequest(http, '/api/v1/chatops/messages');
    expect(post.request.body).toEqual({ text: 'top', serverId: 's1', stream: true });
    post.flush({ id: 'm1', reply: { title: 'web-1: top' } });
    await fixture.whenStable();

    q<HTMLButtonElement>(fixture, '[data-testid=chat-context] button').click();
    await fixture.whenStable();
    const all = await nextRequest(http, '/api/v1/chatops/history');
    expect(all.request.params.has('serverId')).toBe(false);
    all.flush({ items: [], nextCursor: null });
    await fixture.whenStable();
    expect(qa(fixture, '[data-testid=chat-context]')).toHaveLength(0);
    // Without the live connection nothing could stream: the reply waits for the command.
    live.status.set('connecting');
    fixture.componentInstance.send('status');
    expect((await nextRequest(http, '/api/v1/chatops/messages')).request.body).toEqual({ text: 'status' });
  });

  it('marks a message whose request failed, and sends it again', async () => {
    await create();
    await history({ items: [], nextCursor: null });
    fixture.componentInstance.send('status');
    (await nextRequest(http, '/api/v1/chatops/messages')).flush({ message: 'down' }, { status: 502, statusText: 'Bad Gateway' });
    await fixture.whenStable();
    expect(q(fixture, '[role=alert]').textContent).toContain('Not sent: the request failed.');
    button(fixture, 'Send again').click();
    (await nextRequest(http, '/api/v1/chatops/messages')).flush({ id: 'm1', reply: { title: 'Fleet' } });
    await fixture.whenStable();
    expect(messages()).toEqual(['status']);
    expect(qa(fixture, '[role=alert]')).toHaveLength(0);
  });

  it('searches the history (debounced) and toggles "confirm destructive actions"', async () => {
    await create();
    await history({ items: [entry(0)], nextCursor: null });
    const search = q<HTMLInputElement>(fixture, '[data-testid=chat-search]');
    search.value = 'uname';
    search.dispatchEvent(new Event('input'));
    await new Promise((r) => setTimeout(r, 350));
    await fixture.whenStable();
    const found = await nextRequest(http, '/api/v1/chatops/history');
    expect(found.request.params.get('q')).toBe('uname');
    found.flush({ items: [], nextCursor: null });
    await fixture.whenStable();
    expect(text(fixture)).toContain('No messages match “uname”.');

    q<HTMLButtonElement>(fixture, '[data-testid=chat-confirm-setting] button').click();
    const put = await nextRequest(http, '/api/v1/chatops/settings');
    expect(put.request.method).toBe('PUT');
    expect(put.request.body).toEqual({ confirmDestructive: false });
    put.flush({ confirmDestructive: false });
  });

  it('says when the conversation could not be loaded, and tries again', async () => {
    await create();
    (await nextRequest(http, '/api/v1/chatops/history')).flush({ message: 'down' }, { status: 503, statusText: 'Unavailable' });
    await fixture.whenStable();
    expect(q(fixture, '[data-testid=chat-load-failed]').textContent).toContain('The conversation could not be loaded.');
    expect(qa(fixture, '[data-testid=chat-empty]')).toHaveLength(0);
    button(fixture, 'Try again').click();
    await fixture.whenStable();
    await history({ items: [entry(0)], nextCursor: null });
    expect(qa(fixture, '[data-testid=chat-load-failed]')).toHaveLength(0);
    expect(messages()).toEqual(['status 0']);
  });

  it('keeps a message sent while the history loads', async () => {
    await create();
    fixture.componentInstance.send('status');
    const post = await nextRequest(http, '/api/v1/chatops/messages');
    await history({ items: [entry(1)], nextCursor: null });
    expect(messages()).toEqual(['status 1', 'status']);
    post.flush({ id: 'm2', reply: { title: 'Fleet' } });
    await fixture.whenStable();
    expect(qa(fixture, '[data-testid=chat-reply] h3').map((h) => h.textContent?.trim())).toEqual(['Reply 1', 'Fleet']);
  });

  describe('streamed replies', () => {
    const streamRef = (id: string, kind: 'run' | 'logs' = 'run') => ({ id, kind, serverId: 's1', state: 'running' as const, stoppable: kind === 'logs' });
    const output = () => qa(fixture, '[data-testid=chat-stream-output]').map((o) => o.textContent);

    it('draws output as it arrives, then replaces the card with the final one', async () => {
      await create();
      await history({ items: [], nextCursor: null });
      fixture.componentInstance.send('run web-1 -- ping -c 2 x');
      const post = await nextRequest(http, '/api/v1/chatops/messages');
      expect(post.request.body).toEqual({ text: 'run web-1 -- ping -c 2 x', stream: true });
      post.flush({ id: 'm1', reply: { title: 'ping -c 2 x on web-1: running', text: '', monospace: true, stream: streamRef('st1') } });
      await fixture.whenStable();
      expect(output()).toEqual(['']);
      live.emit('chat_stream', { streamId: 'st1', stream: 'stdout', chunk: 'PING x\n' });
      await fixture.whenStable();
      expect(output()).toEqual(['PING x\n']);
      // Another stream's output (another tab's action) is not drawn here.
      live.emit('chat_stream', { streamId: 'other', stream: 'stdout', chunk: 'nope\n' });
      live.emit('chat_stream', { streamId: 'st1', stream: 'stdout', chunk: '64 bytes\n' });
      await fixture.whenStable();
      expect(output()).toEqual(['PING x\n64 bytes\n']);
      live.emit('chat_stream_end', {
        streamId: 'st1', messageId: 'm1', reason: 'exited', exitCode: 0,
        reply: { title: 'ping -c 2 x on web-1: completed (exit 0)', text: 'PING x\n64 bytes\n', monospace: true, stream: { ...streamRef('st1'), state: 'ended' } },
      });
      await fixture.whenStable();
      expect(output()).toEqual([]);
      expect(q(fixture, '[data-testid=chat-reply] h3').textContent?.trim()).toBe('ping -c 2 x on web-1: completed (exit 0)');
      expect(q(fixture, '[data-testid=chat-output]').textContent).toBe('PING x\n64 bytes\n');
    });

    it('keeps output and the end that arrive before the reply naming their stream', async () => {
      await create();
      await history({ items: [], nextCursor: null });
      fixture.componentInstance.send('run web-1 -- true');
      const post = await nextRequest(http, '/api/v1/chatops/messages');
      live.emit('chat_stream', { streamId: 'st2', stream: 'stdout', chunk: 'early\n' });
      live.emit('chat_stream_end', { streamId: 'st2', messageId: 'm2', reason: 'exited', exitCode: 0, reply: { title: 'true on web-1: completed (exit 0)', text: 'early\n', monospace: true } });
      post.flush({ id: 'm2', reply: { title: 'true on web-1: running', text: '', monospace: true, stream: streamRef('st2') } });
      await fixture.whenStable();
      expect(output()).toEqual([]);
      expect(q(fixture, '[data-testid=chat-reply] h3').textContent?.trim()).toBe('true on web-1: completed (exit 0)');
    });

    it('stops a followed log through the live socket', async () => {
      await create();
      await history({ items: [entry(0, { text: 'logs api on web-1 follow', reply: { title: 'Following api on web-1', text: '', monospace: true, stream: streamRef('st3', 'logs') } })], nextCursor: null });
      live.emit('chat_stream', { streamId: 'st3', stream: 'stderr', chunk: 'warn\n' });
      await fixture.whenStable();
      expect(output()).toEqual(['warn\n']);
      q<HTMLButtonElement>(fixture, '[data-testid=chat-stream-stop]').click();
      expect(live.sent).toEqual([{ event: 'chat_stream_stop', payload: { streamId: 'st3' } }]);
    });
  });
});
