import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import { MATERIAL_ANIMATIONS } from '@angular/material/core';
import { MatTooltip } from '@angular/material/tooltip';
import { ROLE_CAPABILITIES } from '@chatops/protocol';
import type { ChatReply } from '@chatops/protocol/chatops';
import { server } from '../../../testing/auth-fixtures';
import { button, q, qa, text } from '../../../testing/dom';
import { ChatReplyCardComponent } from './chat-reply-card.component';

describe('ChatReplyCardComponent', () => {
  let fixture: ComponentFixture<ChatReplyCardComponent>;
  let http: HttpTestingController;
  let sent: string[];

  function render(reply: ChatReply, srv: Parameters<typeof server>[0] | null = null): void {
    fixture = TestBed.createComponent(ChatReplyCardComponent);
    fixture.componentRef.setInput('reply', reply);
    if (srv) fixture.componentRef.setInput('server', server(srv));
    sent = [];
    fixture.componentInstance.send.subscribe((c) => sent.push(c));
    fixture.detectChanges();
  }

  beforeEach(() => {
    TestBed.configureTestingModule({
      providers: [provideHttpClient(), provideHttpClientTesting(), { provide: MATERIAL_ANIMATIONS, useValue: { animationsDisabled: true } }],
    });
    http = TestBed.inject(HttpTestingController);
  });
  afterEach(() => {
    http.verify();
    jest.useRealTimers();
  });

  it('draws the title, text, fields as a definition list, a scrollable table and the omitted count', () => {
    render({
      title: 'Fleet: 2 servers',
      text: '1 online, 1 offline',
      fields: [{ label: 'Online', value: '1', short: true }, { label: 'Offline', value: '1', short: true }, { label: 'Open alerts', value: 'none' }],
      table: { columns: ['Server', 'Status', 'CPU'], rows: [['web-1', 'online', '12 %'], ['db-1', 'offline', '—']], omitted: 3 },
    });
    expect(q(fixture, 'h3').textContent?.trim()).toBe('Fleet: 2 servers');
    expect(text(fixture)).toContain('1 online, 1 offline');
    const terms = qa(fixture, 'dl dt').map((d) => d.textContent);
    const defs = qa(fixture, 'dl dd').map((d) => d.textContent);
    expect(terms).toEqual(['Online', 'Offline', 'Open alerts']);
    expect(defs).toEqual(['1', '1', 'none']);
    expect(qa(fixture, '[data-testid=chat-table] th').map((th) => th.textContent)).toEqual(['Server', 'Status', 'CPU']);
    expect(qa(fixture, '[data-testid=chat-table] tbody tr').map((tr) => Array.from(tr.children).map((td) => td.textContent))).toEqual([
      ['web-1', 'online', '12 %'], ['db-1', 'offline', '—'],
    ]);
    expect(q(fixture, '.table-wrap').getAttribute('role')).toBe('region');
    expect(text(fixture)).toContain('3 more not shown.');
  });

  it('sends an action button’s command', () => {
    render({ title: 'Alerts', actions: [{ label: 'Ack', command: 'ack 1234abcd', style: 'primary' }, { label: 'Resolve', command: 'resolve 1234abcd', style: 'default' }] });
    button(fixture, 'Resolve').click();
    button(fixture, 'Ack').click();
    expect(sent).toEqual(['resolve 1234abcd', 'ack 1234abcd']);
  });

  it('disables, with the reason, the actions a viewer of the conversation\'s server may not take; others stay', () => {
    const S1 = '11111111-1111-4111-8111-111111111111';
    const S2 = '22222222-2222-4222-8222-222222222222';
    render({
      title: 'Containers on web-1',
      actions: [
        { label: 'Restart web', command: 'docker restart web on web-1', style: 'danger', serverId: S1, capability: 'docker.action' },
        { label: 'Logs', command: 'logs web on web-1', style: 'default', serverId: S1, capability: 'containers.read' },
        { label: 'Ack 1234abcd', command: 'ack 1234abcd', style: 'primary', serverId: S2, capability: 'alerts.manage' },
      ],
    }, { id: S1, name: 'web-1', access: { via: 'viewer', teamId: 't1', capabilities: [...ROLE_CAPABILITIES.viewer], breakGlass: false } });
    const restart = button(fixture, 'Restart web');
    expect(restart.getAttribute('aria-disabled')).toBe('true');
    expect(fixture.debugElement.query((d) => d.nativeElement === restart).injector.get(MatTooltip).message)
      .toBe('Your role (viewer) on this server does not allow this (docker.action)');
    restart.click();
    expect(button(fixture, 'Logs').getAttribute('aria-disabled')).not.toBe('true');
    // Another server's access is not known here: the backend checks the command as typed.
    expect(button(fixture, 'Ack 1234abcd').getAttribute('aria-disabled')).not.toBe('true');
    button(fixture, 'Logs').click();
    button(fixture, 'Ack 1234abcd').click();
    expect(sent).toEqual(['logs web on web-1', 'ack 1234abcd']);
  });

  it('shows an error with an icon, words (not colour alone), its code and the suggestions', () => {
    render({ title: 'Unknown command', error: { code: 'chat.unknown_command', message: "Unknown command 'stauts'", suggestions: ['status', 'st'] } });
    const err = q(fixture, '[data-testid=chat-error]');
    expect(err.getAttribute('role')).toBe('alert');
    expect(err.textContent).toContain("Unknown command 'stauts'");
    expect(err.textContent).toContain('chat.unknown_command');
    expect(q(fixture, 'h3 app-icon')).toBeTruthy();
    expect(q(fixture, 'h3 .visually-hidden').textContent).toBe('Error:');
    expect(text(fixture)).toContain('Did you mean status, st?');
  });

  it('shows command output through the ANSI renderer, escaped', () => {
    render({ title: 'web-1: uname -a (exit 0)', text: '\u001b[32mLinux\u001b[0m <b>web-1</b>\n', monospace: true });
    const out = q(fixture, '[data-testid=chat-output]');
    expect(out.textContent).toBe('Linux <b>web-1</b>\n');
    expect(out.querySelector('b')).toBeNull();
    expect(out.querySelector('.ansi-green-fg')?.textContent).toBe('Linux');
  });

  it('fetches the chart reference’s range from the metrics history', () => {
    jest.useFakeTimers({ now: new Date('2026-01-01T12:00:00Z') });
    render({ title: 'web-1 over 6h', chart: { serverId: 's1', range: '6h' } });
    expect(text(fixture)).toContain('Loading chart…');
    const req = http.expectOne((r) => r.url === '/api/v1/metrics/s1/history');
    expect(req.request.params.get('end')).toBe('2026-01-01T12:00:00.000Z');
    expect(req.request.params.get('start')).toBe('2026-01-01T06:00:00.000Z');
    req.flush({ points: [] });
    fixture.detectChanges();
    expect(text(fixture)).toContain('No samples in this range.');
  });

  describe('a streamed reply', () => {
    const running = (kind: 'run' | 'logs'): ChatReply => ({
      title: kind === 'run' ? 'ping -c 3 x on web-1: running' : 'Following api on web-1', text: '', monospace: true,
      stream: { id: 'st-1', kind, serverId: 's1', state: 'running', stoppable: kind === 'logs' },
    });

    it('draws the output as it arrives, stderr marked, escaped, without a Stop button for a command', () => {
      render(running('run'));
      expect(q(fixture, '[data-testid=chat-stream-state]').textContent?.trim()).toBe('Running…');
      expect(q(fixture, '[data-testid=chat-stream-output]').textContent).toBe('');
      fixture.componentRef.setInput('live', { pieces: [{ stream: 'stdout', text: 'line 1\n' }], chars: 7, dropped: false });
      fixture.detectChanges();
      expect(q(fixture, '[data-testid=chat-stream-output]').textContent).toBe('line 1\n');
      fixture.componentRef.setInput('live', {
        pieces: [{ stream: 'stdout', text: 'line 1\n<b>2</b>\n' }, { stream: 'stderr', text: 'oops\n' }], chars: 22, dropped: false,
      });
      fixture.detectChanges();
      const out = q(fixture, '[data-testid=chat-stream-output]');
      expect(out.textContent).toBe('line 1\n<b>2</b>\noops\n');
      expect(out.querySelector('b')).toBeNull();
      expect(out.querySelector('.err')?.textContent).toBe('oops\n');
      expect(qa(fixture, '[data-testid=chat-stream-stop]')).toHaveLength(0);
      expect(qa(fixture, '[data-testid=chat-stream-dropped]')).toHaveLength(0);
    });

    it('says when older output was dropped, and keeps the newest line in view unless scrolled up', async () => {
      render(running('run'));
      const out = q<HTMLElement>(fixture, '[data-testid=chat-stream-output]');
      // jsdom has no layout: a 100 px box whose content is 5 px per character of output.
      Object.defineProperty(out, 'clientHeight', { configurable: true, value: 100 });
      Object.defineProperty(out, 'scrollHeight', { configurable: true, get: () => 100 + (out.textContent?.length ?? 0) * 5 });
      fixture.componentRef.setInput('live', { pieces: [{ stream: 'stdout', text: 'x\n'.repeat(40) }], chars: 80, dropped: true });
      await fixture.whenStable();
      expect(out.scrollTop).toBe(500);
      expect(q(fixture, '[data-testid=chat-stream-dropped]').textContent).toContain('Earlier output is not shown');
      out.scrollTop = 50; // the user scrolled up to read
      fixture.componentRef.setInput('live', { pieces: [{ stream: 'stdout', text: 'x\n'.repeat(80) }], chars: 160, dropped: true });
      await fixture.whenStable();
      expect(out.scrollTop).toBe(50);
    });

    it('stops a followed log once, then shows the final card that replaces it', () => {
      render(running('logs'));
      const stops: string[] = [];
      fixture.componentInstance.stop.subscribe((id) => stops.push(id));
      expect(q(fixture, '[data-testid=chat-stream-state]').textContent?.trim()).toBe('Following…');
      q<HTMLButtonElement>(fixture, '[data-testid=chat-stream-stop]').click();
      fixture.detectChanges();
      expect(q<HTMLButtonElement>(fixture, '[data-testid=chat-stream-stop]').disabled).toBe(true);
      q<HTMLButtonElement>(fixture, '[data-testid=chat-stream-stop]').click();
      expect(stops).toEqual(['st-1']);
      fixture.componentRef.setInput('reply', { title: 'Logs of api: stopped', text: 'a\nb', monospace: true, stream: { ...running('logs').stream!, state: 'ended', stoppable: false } });
      fixture.detectChanges();
      expect(qa(fixture, '[data-testid=chat-stream]')).toHaveLength(0);
      expect(q(fixture, '[data-testid=chat-output]').textContent).toBe('a\nb');
    });
  });

  describe('the confirm step', () => {
    const confirmReply = (): ChatReply => ({
      title: 'Run on web-1?',
      confirm: { token: 'tok_abcdefghijklmnopqrs', command: 'run web-1 -- uname -a', expiresAt: new Date(Date.now() + 60_000).toISOString() },
    });

    beforeEach(() => jest.useFakeTimers());

    it('counts down the 60 s and sends `confirm <token>` once', () => {
      render(confirmReply());
      expect(q(fixture, '[data-testid=chat-countdown]').textContent).toBe('60 s left');
      expect(text(fixture)).toContain('Runs run web-1 -- uname -a');
      jest.advanceTimersByTime(15_000);
      fixture.detectChanges();
      expect(q(fixture, '[data-testid=chat-countdown]').textContent).toBe('45 s left');
      q<HTMLButtonElement>(fixture, '[data-testid=chat-confirm-button]').click();
      fixture.detectChanges();
      expect(sent).toEqual(['confirm tok_abcdefghijklmnopqrs']);
      expect(qa(fixture, '[data-testid=chat-confirm-button]')).toHaveLength(0);
      expect(text(fixture)).toContain('Confirmed');
    });

    it('expires after 60 s: no button any more, nothing sent', () => {
      render(confirmReply());
      jest.advanceTimersByTime(60_000);
      fixture.detectChanges();
      expect(qa(fixture, '[data-testid=chat-confirm-button]')).toHaveLength(0);
      expect(text(fixture)).toContain('Expired — send the command again');
      expect(sent).toEqual([]);
    });

    it('draws the reply’s own Confirm action once (as the confirm step), keeping the other actions', () => {
      const reply = confirmReply();
      render({ ...reply, actions: [{ label: 'Confirm', command: `confirm ${reply.confirm!.token}`, style: 'danger' }, { label: 'History', command: 'history web-1', style: 'default' }] });
      expect(qa(fixture, 'button').map((b) => b.textContent?.trim())).toEqual(['Confirm', 'Cancel', 'History']);
    });

    it('shows a confirmation the conversation already sent as confirmed', () => {
      render(confirmReply());
      fixture.componentRef.setInput('confirmed', true);
      fixture.detectChanges();
      expect(qa(fixture, '[data-testid=chat-confirm-button]')).toHaveLength(0);
      expect(text(fixture)).toContain('Confirmed');
    });

    it('cancels with `cancel <token>`, once, and the buttons go', () => {
      const reply = confirmReply();
      render({ ...reply, actions: [{ label: 'Cancel', command: `cancel ${reply.confirm!.token}`, style: 'default' }] });
      expect(qa(fixture, 'button').map((b) => b.textContent?.trim())).toEqual(['Confirm', 'Cancel']);
      q<HTMLButtonElement>(fixture, '[data-testid=chat-cancel-button]').click();
      fixture.detectChanges();
      expect(sent).toEqual(['cancel tok_abcdefghijklmnopqrs']);
      expect(qa(fixture, 'button')).toHaveLength(0);
      expect(text(fixture)).toContain('Cancelled — nothing ran');
    });

    it('shows the final state the history recorded: who confirmed (and through which door), cancelled, expired', () => {
      const pending = confirmReply();
      render({ ...pending, confirm: { ...pending.confirm!, state: 'confirmed', decidedBy: 'alice', decidedVia: 'slack' } });
      expect(q(fixture, '[data-testid=chat-confirm-state]').textContent?.trim()).toBe('Confirmed by alice (via slack)');
      expect(qa(fixture, 'button')).toHaveLength(0);
      render({ ...pending, confirm: { ...pending.confirm!, state: 'cancelled', decidedBy: 'alice', decidedVia: 'dashboard' } });
      expect(q(fixture, '[data-testid=chat-confirm-state]').textContent?.trim()).toBe('Cancelled by alice — nothing ran');
      // Still within its time, but the backend said it expired (the clocks differ): no buttons.
      render({ ...pending, confirm: { ...pending.confirm!, state: 'expired' } });
      expect(q(fixture, '[data-testid=chat-confirm-state]').textContent?.trim()).toBe('Expired — send the command again');
      expect(qa(fixture, 'button')).toHaveLength(0);
    });

    it('shows a confirmation from the history that has already expired as expired', () => {
      render({ ...confirmReply(), confirm: { token: 't', command: 'run web-1 -- ls', expiresAt: new Date(Date.now() - 1000).toISOString() } });
      expect(text(fixture)).toContain('Expired');
    });
  });
});
