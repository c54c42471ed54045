import { DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatCardModule } from '@angular/material/card';
import { MatDialog } from '@angular/material/dialog';
import type { ChatLink } from '@chatops/protocol/chatops';
import { ChatopsApi } from '../../core/api/chatops-api.service';
import { NotifyService } from '../../core/notify/notify.service';
import { openConfirm } from '../../shared/ui/confirm-dialog.component';
import { PROVIDER_NAMES } from '../chat/chat-link.page';

/** Profile: the Slack/Mattermost users linked to this account (docs/chatops.md, linking), each revocable. */
@Component({
  selector: 'app-chat-links-card',
  imports: [DatePipe, MatCardModule, MatButtonModule],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <mat-card appearance="outlined">
      <mat-card-header><mat-card-title>Chat accounts</mat-card-title>
        <mat-card-subtitle>Slack and Mattermost users that act as you</mat-card-subtitle></mat-card-header>
      <mat-card-content>
        @if (links() === null) {
          <p role="status" class="muted">Loading…</p>
        } @else if (links()!.length === 0) {
          <p role="status" class="muted" data-testid="chat-links-empty">
            No chat accounts linked. Type <code>link</code> to ChatOps in Slack (<code>/chatops link</code>) or Mattermost,
            open the address it answers with, and confirm here.
          </p>
        } @else {
          <ul class="links">
            @for (l of links(); track l.id) {
              <li data-testid="chat-link">
                <div>
                  <strong>{{ providerName(l) }}</strong> · {{ l.chatUserName ? '@' + l.chatUserName : l.chatUserId }}
                  <div class="muted small">Team {{ l.teamId }} · since {{ l.createdAt | date: 'medium' }}</div>
                </div>
                <button mat-button type="button" (click)="unlink(l)" [attr.aria-label]="'Unlink ' + providerName(l) + ' user ' + (l.chatUserName ?? l.chatUserId)">Unlink</button>
              </li>
            }
          </ul>
        }
      </mat-card-content>
    </mat-card>
  `,
  styles: `
    .links { list-style: none; margin: 8px 0 0; padding: 0; display: grid; gap: 8px; }
    li { display: flex; align-items: center; justify-content: space-between; gap: 8px; }
    .muted { color: var(--mat-sys-on-surface-variant); }
    .small { font: var(--mat-sys-body-small); }
  `,
})
export class ChatLinksCardComponent {
  private readonly api = inject(ChatopsApi);
  private readonly dialog = inject(MatDialog);
  private readonly notify = inject(NotifyService);

  /** null while loading. */
  protected readonly links = signal<ChatLink[] | null>(null);

  constructor() {
    this.api.links().subscribe({ next: (l) => this.links.set(l), error: () => this.links.set([]) });
  }

  protected providerName(l: ChatLink): string {
    return PROVIDER_NAMES[l.provider] ?? l.provider;
  }

  protected unlink(l: ChatLink): void {
    const who = l.chatUserName ? `@${l.chatUserName}` : l.chatUserId;
    openConfirm(this.dialog, {
      title: `Unlink ${this.providerName(l)} user?`,
      message: `${who} (team ${l.teamId}) will no longer act as you; ChatOps will ask them to link again.`,
      confirmText: 'Unlink',
    }).subscribe((ok) => {
      if (!ok) return;
      this.api.unlink(l.id).subscribe(() => {
        this.links.update((list) => (list ?? []).filter((x) => x.id !== l.id));
        void this.notify.success(`${this.providerName(l)} user ${who} unlinked`);
      });
    });
  }
}
