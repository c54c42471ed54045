import { DatePipe } from '@angular/common';
import { HttpErrorResponse } from '@angular/common/http';
import { ChangeDetectionStrategy, Component, OnInit, inject, input, signal } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatCardModule } from '@angular/material/card';
import { MatProgressSpinnerModule } from '@angular/material/progress-spinner';
import { RouterLink } from '@angular/router';
import type { ChatLink, ChatLinkPreview, ChatProvider } from '@chatops/protocol/chatops';
import { ChatopsApi } from '../../core/api/chatops-api.service';
import { describeHttpError } from '../../core/api/error-message';
import { AuthService } from '../../core/auth/auth.service';

export const PROVIDER_NAMES: Record<ChatProvider, string> = { slack: 'Slack', mattermost: 'Mattermost' };

/** Why a link token cannot be used, from the backend's codes (docs/api.md, chat.link_*). */
type Refusal = 'unknown' | 'used' | 'expired';

type LinkState =
  | { kind: 'missing' }
  | { kind: 'loading' }
  | { kind: 'ready'; preview: ChatLinkPreview; busy: boolean }
  | { kind: 'linked'; link: ChatLink }
  | { kind: 'cancelled' }
  | { kind: 'refused'; why: Refusal }
  | { kind: 'error'; message: string; requestId: string | null };

const REFUSAL_BY_CODE: Record<string, Refusal> = { 'chat.link_unknown': 'unknown', 'chat.link_used': 'used', 'chat.link_expired': 'expired' };
const REFUSAL_BY_STATUS: Record<number, Refusal> = { 404: 'unknown', 409: 'used', 410: 'expired' };

function refusalOf(err: unknown): Refusal | null {
  if (!(err instanceof HttpErrorResponse)) return null;
  const code = (err.error as { code?: unknown } | null)?.code;
  return (typeof code === 'string' ? REFUSAL_BY_CODE[code] : undefined) ?? REFUSAL_BY_STATUS[err.status] ?? null;
}

/**
 * `/chat/link?token=…`: the page a Slack/Mattermost user opens after typing `link` (docs/chatops.md).
 * Shows who the token is for (preview does not use it), links on confirm.
 */
@Component({
  selector: 'app-chat-link-page',
  imports: [DatePipe, RouterLink, MatCardModule, MatButtonModule, MatProgressSpinnerModule],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <div class="page">
      <mat-card appearance="outlined" class="card">
        <mat-card-header><mat-card-title>Link a chat account</mat-card-title></mat-card-header>
        <mat-card-content>
          @switch (state().kind) {
            @case ('missing') {
              <p role="alert" data-testid="link-missing">This link has no token. Type <code>link</code> to ChatOps in Slack or Mattermost and open the address it answers with.</p>
            }
            @case ('loading') {
              <p role="status" class="row"><mat-spinner diameter="20" aria-hidden="true" /> Checking the link…</p>
            }
            @case ('ready') {
              @if (readyState(); as s) {
                <p data-testid="link-question">
                  Link the {{ providerName(s.preview.provider) }} user <strong>{{ chatUser(s.preview) }}</strong>
                  (team {{ s.preview.teamId }}) to your ChatOps account <strong>{{ auth.user()?.username }}</strong>?
                </p>
                <p class="muted">They will act as you: everything they type to ChatOps runs with your permissions.
                  This link expires at {{ s.preview.expiresAt | date: 'shortTime' }}.</p>
                <div class="actions">
                  <button mat-button type="button" (click)="cancel()" [disabled]="s.busy">Cancel</button>
                  <button mat-flat-button type="button" (click)="confirm(s.preview)" [disabled]="s.busy" [attr.aria-busy]="s.busy">
                    @if (s.busy) { Linking… } @else { Link }
                  </button>
                </div>
              }
            }
            @case ('linked') {
              @if (linkedState(); as s) {
                <p role="status" data-testid="link-done">
                  Linked {{ providerName(s.link.provider) }} user <strong>{{ chatUser(s.link) }}</strong> to <strong>{{ auth.user()?.username }}</strong>.
                  You can now use <code>/chatops</code> in {{ providerName(s.link.provider) }}.
                </p>
                <div class="actions"><a mat-flat-button routerLink="/profile">Your chat accounts in Profile</a></div>
              }
            }
            @case ('cancelled') {
              <p role="status">Nothing was linked. The link stays usable until it expires.</p>
              <div class="actions"><a mat-button routerLink="/">Back to the overview</a></div>
            }
            @case ('refused') {
              <p role="alert" data-testid="link-refused">{{ refusalText() }}</p>
              <div class="actions"><a mat-button routerLink="/profile">Profile</a></div>
            }
            @case ('error') {
              @if (errorState(); as s) {
                <p role="alert">Something went wrong: {{ s.message }}@if (s.requestId) { (request {{ s.requestId }})}</p>
                <div class="actions"><button mat-button type="button" (click)="load()">Try again</button></div>
              }
            }
          }
        </mat-card-content>
      </mat-card>
    </div>
  `,
  styles: `
    .card { max-width: 560px; margin: 32px auto; }
    .row { display: flex; align-items: center; gap: 8px; }
    .actions { display: flex; justify-content: flex-end; gap: 8px; margin-top: 16px; }
    .muted { color: var(--mat-sys-on-surface-variant); }
  `,
})
export class ChatLinkPage implements OnInit {
  protected readonly auth = inject(AuthService);
  private readonly api = inject(ChatopsApi);
  /** Query parameter `token` (router component input binding). */
  readonly token = input<string | undefined>();

  protected readonly state = signal<LinkState>({ kind: 'loading' });

  ngOnInit(): void {
    this.load();
  }

  protected load(): void {
    const token = this.token()?.trim();
    if (!token) return this.state.set({ kind: 'missing' });
    this.state.set({ kind: 'loading' });
    this.api.previewLink(token).subscribe({
      next: (preview) => this.state.set({ kind: 'ready', preview, busy: false }),
      error: (err: unknown) => this.fail(err),
    });
  }

  protected confirm(preview: ChatLinkPreview): void {
    const token = this.token()?.trim();
    if (!token) return;
    this.state.set({ kind: 'ready', preview, busy: true });
    this.api.confirmLink(token).subscribe({
      next: (link) => this.state.set({ kind: 'linked', link }),
      error: (err: unknown) => this.fail(err),
    });
  }

  protected cancel(): void {
    this.state.set({ kind: 'cancelled' });
  }

  protected providerName(p: ChatProvider): string {
    return PROVIDER_NAMES[p] ?? p;
  }

  protected chatUser(x: { chatUserName: string | null; chatUserId: string }): string {
    return x.chatUserName ? `@${x.chatUserName}` : x.chatUserId;
  }

  protected refusalText(): string {
    const s = this.state();
    if (s.kind !== 'refused') return '';
    switch (s.why) {
      case 'unknown': return 'This link is not valid. Check that you copied the whole address, or type link to ChatOps again for a new one.';
      case 'used': return 'This link was already used. Each link works once: type link to ChatOps again if you need a new one.';
      case 'expired': return 'This link has expired (links last 10 minutes). Type link to ChatOps again for a new one.';
    }
  }

  protected readyState(): Extract<LinkState, { kind: 'ready' }> | null {
    const s = this.state();
    return s.kind === 'ready' ? s : null;
  }

  protected linkedState(): Extract<LinkState, { kind: 'linked' }> | null {
    const s = this.state();
    return s.kind === 'linked' ? s : null;
  }

  protected errorState(): Extract<LinkState, { kind: 'error' }> | null {
    const s = this.state();
    return s.kind === 'error' ? s : null;
  }

  private fail(err: unknown): void {
    const why = refusalOf(err);
    if (why) return this.state.set({ kind: 'refused', why });
    const info = describeHttpError(err);
    this.state.set({ kind: 'error', message: info.message, requestId: info.requestId });
  }
}
