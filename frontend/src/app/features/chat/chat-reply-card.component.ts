import { ChangeDetectionStrategy, Component, computed, input, output, signal } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import type { ChatAction, ChatReply } from '@chatops/protocol/chatops';
import { IconComponent } from '../../shared/ui/icon.component';
import { AnsiHtmlDirective } from '../server-commands/ansi-html.directive';
import { AnsiOutput } from '../server-commands/ansi-output';
import { ChatChartComponent } from './chat-chart.component';
import { confirmCountdown } from './confirm-countdown';

/**
 * One reply drawn from its structured card (docs/chatops.md, "Replies"): title, text (command
 * output through the ANSI renderer), fields, table, inline chart, action buttons, the confirm step
 * with its countdown, and errors with an icon and words. Buttons emit the command to send.
 */
@Component({
  selector: 'app-chat-reply-card',
  imports: [MatButtonModule, IconComponent, AnsiHtmlDirective, ChatChartComponent],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './chat-reply-card.component.html',
  styleUrl: './chat-reply-card.component.scss',
})
export class ChatReplyCardComponent {
  readonly reply = input.required<ChatReply>();
  /** The conversation already holds this reply's `confirm <token>` (a reloaded history). */
  readonly confirmed = input(false);
  readonly send = output<string>();

  protected readonly secondsLeft = confirmCountdown(() => this.reply().confirm?.expiresAt);
  /** What the user did with the confirm step in this session. */
  private readonly choice = signal<'confirmed' | 'cancelled' | null>(null);
  protected readonly decision = computed(() => this.choice() ?? (this.confirmed() ? 'confirmed' : null));
  protected readonly confirmOpen = computed(() => !!this.reply().confirm && !this.decision() && this.secondsLeft() > 0);
  /** The buttons, without the one sending `confirm <token>`: the confirm step draws its own. */
  protected readonly actions = computed(() => {
    const r = this.reply();
    return (r.actions ?? []).filter((a) => !r.confirm || a.command.trim() !== `confirm ${r.confirm.token}`);
  });

  protected readonly output = computed(() => {
    const r = this.reply();
    if (!r.monospace || !r.text) return null;
    return new AnsiOutput().append('stdout', r.text);
  });

  protected act(action: ChatAction): void {
    this.send.emit(action.command);
  }

  protected confirm(): void {
    const c = this.reply().confirm;
    if (!c || !this.confirmOpen()) return;
    this.choice.set('confirmed');
    this.send.emit(`confirm ${c.token}`);
  }

  protected cancel(): void {
    this.choice.set('cancelled');
  }
}
