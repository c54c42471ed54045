import { ChangeDetectionStrategy, Component, ElementRef, Injector, afterNextRender, computed, effect, inject, input, output, signal, viewChild } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatTooltipModule } from '@angular/material/tooltip';
import type { Server } from '@chatops/protocol';
import type { ChatAction, ChatReply } from '@chatops/protocol/chatops';
import { deniedReason } from '../../core/access/access';
import { IconComponent } from '../../shared/ui/icon.component';
import { AnsiHtmlDirective } from '../server-commands/ansi-html.directive';
import { AnsiOutput } from '../server-commands/ansi-output';
import { ChatChartComponent } from './chat-chart.component';
import type { ChatStreamView } from './chat-stream-buffer';
import { confirmCountdown } from './confirm-countdown';

/** Scrolled this close to the bottom, streamed output keeps the newest line in view. */
const PINNED_PX = 24;

/**
 * One reply drawn from its structured card (docs/chatops.md, "Replies"): title, text (command
 * output through the ANSI renderer), fields, table, inline chart, action buttons, the confirm step
 * with its countdown, and errors with an icon and words. Buttons emit the command to send.
 */
@Component({
  selector: 'app-chat-reply-card',
  imports: [MatButtonModule, MatTooltipModule, IconComponent, AnsiHtmlDirective, ChatChartComponent],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './chat-reply-card.component.html',
  styleUrl: './chat-reply-card.component.scss',
})
export class ChatReplyCardComponent {
  readonly reply = input.required<ChatReply>();
  /** The conversation already holds this reply's `confirm <token>` (a reloaded history). */
  readonly confirmed = input(false);
  /** Output streamed so far, while `reply.stream` is running. */
  readonly live = input<ChatStreamView | null>(null);
  /** A server whose access is known (the conversation's): its actions that the role does not allow are disabled, with the reason. */
  readonly server = input<Server | null>(null);
  readonly send = output<string>();
  /** Stop a followed log (`reply.stream.stoppable`). */
  readonly stop = output<string>();

  private readonly injector = inject(Injector);
  private readonly liveOut = viewChild<ElementRef<HTMLElement>>('liveOut');

  protected readonly secondsLeft = confirmCountdown(() => this.reply().confirm?.expiresAt);
  /** What the user did with the confirm step in this session. */
  private readonly choice = signal<'confirmed' | 'cancelled' | null>(null);
  /** How the confirm step ended: decided here, recorded on the reply (history), or sent earlier. */
  protected readonly decision = computed(() => {
    const state = this.reply().confirm?.state;
    if (state === 'confirmed' || state === 'cancelled') return state;
    return this.choice() ?? (this.confirmed() ? 'confirmed' : state === 'expired' ? 'expired' : null);
  });
  protected readonly confirmOpen = computed(() => !!this.reply().confirm && !this.decision() && this.secondsLeft() > 0);
  /** The buttons, without the ones sending `confirm|cancel <token>`: the confirm step draws its own. */
  protected readonly actions = computed(() => {
    const r = this.reply();
    const own = r.confirm ? [`confirm ${r.confirm.token}`, `cancel ${r.confirm.token}`] : [];
    const server = this.server();
    return (r.actions ?? []).filter((a) => !own.includes(a.command.trim())).map((a) => ({
      ...a,
      denied: server && a.capability && a.serverId === server.id ? deniedReason(server, a.capability) : '',
    }));
  });
  protected readonly running = computed(() => this.reply().stream?.state === 'running');
  protected readonly stopping = signal(false);

  protected readonly output = computed(() => {
    const r = this.reply();
    if (!r.monospace || !r.text) return null;
    return new AnsiOutput().append('stdout', r.text);
  });

  /** The streamed output through the ANSI renderer (rebuilt from the bounded view: at most 64 K characters). */
  protected readonly liveChunks = computed(() => {
    const view = this.live();
    if (!view) return [];
    const out = new AnsiOutput();
    for (const p of view.pieces) out.append(p.stream, p.text);
    return out.chunks;
  });

  constructor() {
    // New output keeps the newest line in view unless the user scrolled up to read.
    effect(() => {
      this.liveChunks();
      const el = this.liveOut()?.nativeElement;
      if (!el) return;
      const pinned = el.scrollHeight - el.scrollTop - el.clientHeight < PINNED_PX;
      afterNextRender(() => { if (pinned) el.scrollTop = el.scrollHeight; }, { injector: this.injector });
    });
  }

  protected act(action: ChatAction & { denied: string }): void {
    if (!action.denied) this.send.emit(action.command);
  }

  protected confirm(): void {
    const c = this.reply().confirm;
    if (!c || !this.confirmOpen()) return;
    this.choice.set('confirmed');
    this.send.emit(`confirm ${c.token}`);
  }

  protected cancel(): void {
    const c = this.reply().confirm;
    if (!c || !this.confirmOpen()) return;
    this.choice.set('cancelled');
    this.send.emit(`cancel ${c.token}`);
  }

  protected stopStream(): void {
    const s = this.reply().stream;
    if (!s?.stoppable || this.stopping()) return;
    this.stopping.set(true);
    this.stop.emit(s.id);
  }
}
