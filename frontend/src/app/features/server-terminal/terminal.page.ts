import { ChangeDetectionStrategy, Component, DestroyRef, ElementRef, computed, inject, signal, viewChild } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { MatButtonModule } from '@angular/material/button';
import type { LiveTerminalExit, TerminalData, TerminalEndReason } from '@chatops/protocol';
import { LiveSocketService } from '../../core/live/live-socket.service';
import { CapabilityOffComponent } from '../../shared/ui/capability-off.component';
import { IconComponent } from '../../shared/ui/icon.component';
import { ServerContext } from '../server-detail/server-context';
import { endMessage, openErrorMessage, requestErrorMessage } from './terminal-messages';
import { ESCAPE_KEY_LABEL, TERMINAL_VIEW_FACTORY, TerminalView } from './xterm-view';

type Phase = 'idle' | 'opening' | 'open' | 'ended' | 'failed';

/** Output frames kept while `terminal_open` is answered (the shell's first prompt may come first). */
const EARLY_OUTPUT_FRAMES = 200;
/** Window resizes are followed once they pause this long (then the grid is refitted). */
export const RESIZE_DEBOUNCE_MS = 100;

/**
 * `/servers/:id/terminal`: a shell on the server's agent in xterm.js, over `/live`
 * (`terminal_open` → ack with the session id, then input/resize/output frames). Leaving the tab
 * closes the session. A dropped socket ends it (the server closes sessions with the socket), and
 * the page offers to reconnect, i.e. open a new session.
 */
@Component({
  selector: 'app-terminal-page',
  imports: [MatButtonModule, IconComponent, CapabilityOffComponent],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './terminal.page.html',
  styleUrl: './terminal.page.scss',
})
export class TerminalPage {
  protected readonly ctx = inject(ServerContext);
  protected readonly live = inject(LiveSocketService);
  private readonly createView = inject(TERMINAL_VIEW_FACTORY);
  private readonly host = viewChild<ElementRef<HTMLElement>>('host');
  private readonly action = viewChild('action', { read: ElementRef<HTMLElement> });

  protected readonly escapeKey = ESCAPE_KEY_LABEL;
  protected readonly phase = signal<Phase>('idle');
  protected readonly status = signal('Not connected.');
  protected readonly error = signal('');
  protected readonly sessionId = signal<string | null>(null);
  protected readonly enabled = computed(() => this.ctx.server()?.agent?.capabilities.terminal === true);
  protected readonly canConnect = computed(() => this.phase() !== 'opening' && this.phase() !== 'open' && this.live.status() === 'connected');

  private view: TerminalView | null = null;
  /** Incremented by every open and close: an answer to an older open is stale. */
  private attempt = 0;
  private early: TerminalData[] = [];

  constructor() {
    this.live.on('terminal_output').pipe(takeUntilDestroyed()).subscribe((e) => this.output(e));
    this.live.on('terminal_exit').pipe(takeUntilDestroyed()).subscribe((e) => this.exited(e));
    this.live.disconnects.pipe(takeUntilDestroyed()).subscribe(() => this.socketLost());
    // A plain listener: rxjs' fromEvent would be placed in the initial bundle (it is reached through the rxjs index).
    let resizeTimer: ReturnType<typeof setTimeout> | undefined;
    const onResize = () => {
      clearTimeout(resizeTimer);
      resizeTimer = setTimeout(() => this.view?.fit(), RESIZE_DEBOUNCE_MS);
    };
    window.addEventListener('resize', onResize);
    inject(DestroyRef).onDestroy(() => {
      window.removeEventListener('resize', onResize);
      clearTimeout(resizeTimer);
      this.closeSession();
      this.view?.dispose();
      this.view = null;
    });
  }

  protected async connect(): Promise<void> {
    if (!this.canConnect()) return;
    const attempt = ++this.attempt;
    this.error.set('');
    let view: TerminalView;
    try {
      view = this.ensureView();
    } catch {
      return this.fail('The terminal could not be started. Reload the page and try again.');
    }
    view.reset();
    view.fit();
    this.early = [];
    this.phase.set('opening');
    const name = this.ctx.server()?.name ?? 'the server';
    this.status.set(`Opening a shell on ${name}…`);
    let ack;
    try {
      ack = await this.live.request('terminal_open', { serverId: this.ctx.id(), cols: view.cols, rows: view.rows });
    } catch (err) {
      if (attempt === this.attempt) this.fail(requestErrorMessage(err));
      return;
    }
    if (attempt !== this.attempt) {
      // Closed or left while it was opening: do not leave a shell running.
      if (ack.ok) this.live.send('terminal_close', { sessionId: ack.sessionId });
      return;
    }
    if (!ack.ok) {
      this.fail(openErrorMessage(ack));
      if (ack.error === 'disabled') this.ctx.reload(); // the agent changed: the tab then says how to turn it on
      return;
    }
    this.sessionId.set(ack.sessionId);
    this.phase.set('open');
    this.status.set(`Connected to ${name} (${view.cols}×${view.rows}). ${ESCAPE_KEY_LABEL} moves focus out of the terminal.`);
    for (const e of this.early) if (e.sessionId === ack.sessionId) view.write(e.data);
    this.early = [];
    view.focus();
  }

  protected disconnect(): void {
    if (this.phase() !== 'open' && this.phase() !== 'opening') return;
    this.closeSession();
    this.end('user', null);
  }

  private ensureView(): TerminalView {
    if (this.view) return this.view;
    const host = this.host()?.nativeElement;
    if (!host) throw new Error('no terminal element');
    const view = this.createView(host, { onEscape: () => this.action()?.nativeElement.focus() });
    view.onData((data) => {
      const sessionId = this.sessionId();
      if (sessionId && this.phase() === 'open') this.live.send('terminal_input', { sessionId, data });
    });
    view.onResize(({ cols, rows }) => {
      const sessionId = this.sessionId();
      if (sessionId && this.phase() === 'open') this.live.send('terminal_resize', { sessionId, cols, rows });
    });
    this.view = view;
    return view;
  }

  private output(e: TerminalData): void {
    if (e.sessionId === this.sessionId()) this.view?.write(e.data);
    else if (this.phase() === 'opening' && this.early.length < EARLY_OUTPUT_FRAMES) this.early.push(e);
  }

  private exited(e: LiveTerminalExit): void {
    if (e.sessionId !== this.sessionId()) return;
    this.sessionId.set(null);
    this.end(e.reason, e.exitCode);
  }

  private socketLost(): void {
    if (this.phase() !== 'open') return; // an open in flight fails by itself ("disconnected")
    this.sessionId.set(null);
    this.attempt++;
    this.end('socket', null);
  }

  private closeSession(): void {
    this.attempt++;
    const sessionId = this.sessionId();
    if (!sessionId) return;
    this.live.send('terminal_close', { sessionId });
    this.sessionId.set(null);
  }

  private end(reason: TerminalEndReason | 'socket' | 'user', exitCode: number | null): void {
    const message = endMessage(reason, exitCode);
    this.phase.set('ended');
    this.status.set(`${message} Reconnect to start a new session.`);
    this.view?.write(`\r\n\x1b[2m[${message}]\x1b[0m\r\n`);
  }

  private fail(message: string): void {
    this.phase.set('failed');
    this.error.set(message);
    this.status.set('Not connected.');
  }
}
