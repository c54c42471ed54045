import { DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatCardModule } from '@angular/material/card';
import { MatDialog } from '@angular/material/dialog';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { CHAT_PROVIDERS, type ChatIntegrationStatus, type ChatProvider } from '@chatops/protocol/chatops';
import { ChatopsApi } from '../../core/api/chatops-api.service';
import { NotifyService } from '../../core/notify/notify.service';
import { openConfirm } from '../../shared/ui/confirm-dialog.component';
import { PROVIDER_NAMES } from '../chat/chat-link.page';

const SECRET_LABEL: Record<ChatProvider, string> = { slack: 'Signing secret', mattermost: 'Slash command token' };
/** docs/api.md: 8–256 characters, no spaces. */
const SECRET_PATTERN = /^\S{8,256}$/;

/**
 * Profile, admins only: the Slack signing secret and the Mattermost command token. The API never
 * returns a secret, only whether one is set and where from; the field is write-only.
 */
@Component({
  selector: 'app-chat-integrations-card',
  imports: [FormsModule, MatCardModule, MatButtonModule, MatFormFieldModule, MatInputModule],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <mat-card appearance="outlined">
      <mat-card-header><h2 mat-card-title>Chat integrations</h2>
        <mat-card-subtitle>Admin · secrets are stored encrypted and never shown</mat-card-subtitle></mat-card-header>
      <mat-card-content>
        @for (p of providers; track p) {
          <section class="provider" [attr.data-testid]="'integration-' + p">
            <h3>{{ name(p) }}</h3>
            <p class="muted small" role="status">{{ statusText(p) }}</p>
            <form class="row" (ngSubmit)="save(p)">
              <mat-form-field subscriptSizing="dynamic">
                <mat-label>{{ secretLabel[p] }}</mat-label>
                <input matInput type="password" autocomplete="new-password" [name]="p + '-secret'"
                  [ngModel]="drafts()[p]" (ngModelChange)="setDraft(p, $event)" />
              </mat-form-field>
              <button mat-flat-button type="submit" [disabled]="!valid(p) || busy() === p">Save</button>
              @if (status()[p]?.source === 'stored') {
                <button mat-button type="button" (click)="remove(p)" [disabled]="busy() === p">Remove</button>
              }
            </form>
            @if (drafts()[p] && !valid(p)) { <p class="error-text small" role="alert">8 to 256 characters, no spaces.</p> }
          </section>
        }
      </mat-card-content>
    </mat-card>
  `,
  styles: `
    .provider + .provider { margin-top: 16px; }
    h3 { font: var(--mat-sys-title-small); margin: 8px 0 0; }
    .row { display: flex; align-items: center; gap: 8px; flex-wrap: wrap; }
    .muted { color: var(--mat-sys-on-surface-variant); }
    .small { font: var(--mat-sys-body-small); margin: 2px 0 8px; }
  `,
})
export class ChatIntegrationsCardComponent {
  private readonly api = inject(ChatopsApi);
  private readonly dialog = inject(MatDialog);
  private readonly notify = inject(NotifyService);
  private readonly date = new DatePipe('en-US');

  protected readonly providers = CHAT_PROVIDERS;
  protected readonly secretLabel = SECRET_LABEL;
  protected readonly status = signal<Partial<Record<ChatProvider, ChatIntegrationStatus>>>({});
  protected readonly drafts = signal<Record<ChatProvider, string>>({ slack: '', mattermost: '' });
  protected readonly busy = signal<ChatProvider | null>(null);

  constructor() {
    for (const p of CHAT_PROVIDERS) this.api.integration(p).subscribe((s) => this.setStatus(s));
  }

  protected name(p: ChatProvider): string {
    return PROVIDER_NAMES[p];
  }

  protected statusText(p: ChatProvider): string {
    const s = this.status()[p];
    if (!s) return 'Loading…';
    if (!s.configured) return `Not configured: the ${this.name(p)} door answers 503.`;
    if (s.source === 'env') return `Configured from the environment (${p === 'slack' ? 'SLACK_SIGNING_SECRET' : 'MATTERMOST_TOKEN'}); saving here overrides it.`;
    return `Configured here${s.updatedAt ? `, updated ${this.date.transform(s.updatedAt, 'medium')}` : ''}.`;
  }

  protected setDraft(p: ChatProvider, value: string): void {
    this.drafts.update((d) => ({ ...d, [p]: value }));
  }

  protected valid(p: ChatProvider): boolean {
    return SECRET_PATTERN.test(this.drafts()[p]);
  }

  protected save(p: ChatProvider): void {
    if (!this.valid(p)) return;
    const secret = this.drafts()[p];
    this.busy.set(p);
    const req = p === 'slack' ? this.api.setIntegration('slack', { signingSecret: secret }) : this.api.setIntegration('mattermost', { token: secret });
    req.subscribe({
      next: (s) => {
        this.setStatus(s);
        this.setDraft(p, '');
        this.busy.set(null);
        void this.notify.success(`${this.name(p)} ${SECRET_LABEL[p].toLowerCase()} saved`);
      },
      error: () => this.busy.set(null),
    });
  }

  protected remove(p: ChatProvider): void {
    openConfirm(this.dialog, {
      title: `Remove the ${this.name(p)} ${SECRET_LABEL[p].toLowerCase()}?`,
      message: `Requests from ${this.name(p)} will be refused unless the environment sets one.`,
      confirmText: 'Remove',
    }).subscribe((ok) => {
      if (!ok) return;
      this.busy.set(p);
      this.api.removeIntegration(p).subscribe({
        next: (s) => {
          this.setStatus(s);
          this.busy.set(null);
          void this.notify.success(`${this.name(p)} ${SECRET_LABEL[p].toLowerCase()} removed`);
        },
        error: () => this.busy.set(null),
      });
    });
  }

  private setStatus(s: ChatIntegrationStatus): void {
    this.status.update((all) => ({ ...all, [s.provider]: s }));
  }
}
