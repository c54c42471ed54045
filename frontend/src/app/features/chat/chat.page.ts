import { ChangeDetectionStrategy, Component, input } from '@angular/core';
import { ChatPanelComponent } from './chat-panel.component';

/** `/chat` (optionally `?server=<id>` for a server's conversation): the chat panel as a page. */
@Component({
  selector: 'app-chat-page',
  imports: [ChatPanelComponent],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `<app-chat-panel class="panel" [serverId]="server() ?? null" />`,
  styles: `
    :host { display: block; height: calc(100dvh - 64px); }
    .panel { max-width: 1100px; margin: 0 auto; }
  `,
})
export class ChatPage {
  /** Query parameter `server` (router component input binding). */
  readonly server = input<string | undefined>();
}
