import { DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, computed, inject, signal } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatCardModule } from '@angular/material/card';
import { MatDialog } from '@angular/material/dialog';
import type { UserSession } from '@chatops/protocol/admin';
import { describeHttpError } from '../../core/api/error-message';
import { SessionsApi } from '../../core/api/sessions-api.service';
import { NotifyService } from '../../core/notify/notify.service';
import { relativeTime } from '../../shared/format/format';
import { describeUserAgent } from '../../shared/format/user-agent';
import { openConfirm } from '../../shared/ui/confirm-dialog.component';

/** Profile: where the user is signed in (one row per sign-in), each revocable, or all others at once. */
@Component({
  selector: 'app-sessions-card',
  imports: [DatePipe, MatCardModule, MatButtonModule],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <mat-card appearance="outlined">
      <mat-card-header><mat-card-title>Sessions</mat-card-title>
        <mat-card-subtitle>Where you are signed in</mat-card-subtitle></mat-card-header>
      <mat-card-content>
        @if (sessions() === null) {
          @if (loadError()) {
            <p class="error-text" role="alert">Could not load your sessions: {{ loadError() }}</p>
            <button mat-stroked-button type="button" (click)="load()">Try again</button>
          } @else {
            <p role="status" class="muted">Loading…</p>
          }
        } @else {
          <ul class="sessions">
            @for (s of sessions(); track s.id) {
              <li data-testid="session">
                <div class="what">
                  <strong>{{ device(s) }}</strong>
                  @if (s.current) { <span class="this">This device</span> }
                  <div class="muted small">
                    {{ s.ip ?? 'unknown address' }} · signed in {{ s.createdAt | date: 'medium' }} ·
                    active <time [attr.datetime]="s.lastUsedAt" [title]="s.lastUsedAt | date: 'medium'">{{ ago(s.lastUsedAt) }}</time>
                  </div>
                </div>
                @if (!s.current) {
                  <button mat-button type="button" class="danger-text" (click)="revoke(s)" [disabled]="busy()"
                    [attr.aria-label]="'Sign out ' + device(s) + ' at ' + (s.ip ?? 'unknown address')">Sign out</button>
                }
              </li>
            }
          </ul>
          @if (others() > 0) {
            <button mat-stroked-button type="button" class="danger-text" (click)="revokeOthers()" [disabled]="busy()" data-testid="revoke-others">
              Sign out all other sessions
            </button>
          } @else {
            <p class="muted small" role="status">No other sessions.</p>
          }
        }
      </mat-card-content>
    </mat-card>
  `,
  styles: `
    .sessions { list-style: none; margin: 8px 0 12px; padding: 0; display: grid; gap: 10px; }
    li { display: flex; align-items: center; justify-content: space-between; gap: 8px; }
    .what { min-width: 0; overflow-wrap: anywhere; }
    .this { margin-left: 6px; padding: 0 8px; border-radius: 999px; font: var(--mat-sys-label-small);
      background: var(--mat-sys-secondary-container); color: var(--mat-sys-on-secondary-container); }
    .muted { color: var(--mat-sys-on-surface-variant); }
    .small { font: var(--mat-sys-body-small); }
    .danger-text:not([disabled]) { color: var(--mat-sys-error); }
  `,
})
export class SessionsCardComponent {
  private readonly api = inject(SessionsApi);
  private readonly dialog = inject(MatDialog);
  private readonly notify = inject(NotifyService);

  /** null while loading (or when loading failed: then `loadError`). */
  protected readonly sessions = signal<UserSession[] | null>(null);
  protected readonly loadError = signal('');
  protected readonly busy = signal(false);
  protected readonly others = computed(() => (this.sessions() ?? []).filter((s) => !s.current).length);

  constructor() {
    this.load();
  }

  protected load(): void {
    this.loadError.set('');
    this.api.list().subscribe({
      next: (s) => this.sessions.set(s),
      error: (err: unknown) => this.loadError.set(describeHttpError(err).message),
    });
  }

  protected device(s: UserSession): string {
    return describeUserAgent(s.userAgent);
  }

  protected ago(iso: string): string {
    return relativeTime(iso);
  }

  protected revoke(s: UserSession): void {
    openConfirm(this.dialog, {
      title: 'Sign out this session?',
      message: `${this.device(s)} (${s.ip ?? 'unknown address'}) will be signed out at once and must sign in again.`,
      confirmText: 'Sign out',
    }).subscribe((ok) => {
      if (!ok) return;
      this.busy.set(true);
      this.api.revoke(s.id).subscribe({
        next: () => {
          this.busy.set(false);
          this.sessions.update((list) => (list ?? []).filter((x) => x.id !== s.id));
          void this.notify.success(`${this.device(s)} signed out`);
        },
        error: () => {
          this.busy.set(false);
          this.load(); // it may have ended meanwhile (404): show what is left
        },
      });
    });
  }

  protected revokeOthers(): void {
    const n = this.others();
    openConfirm(this.dialog, {
      title: 'Sign out all other sessions?',
      message: `${n} other session${n === 1 ? '' : 's'} will be signed out at once. This one stays signed in.`,
      confirmText: 'Sign out others',
    }).subscribe((ok) => {
      if (!ok) return;
      this.busy.set(true);
      this.api.revokeOthers().subscribe({
        next: (res) => {
          this.busy.set(false);
          this.sessions.update((list) => (list ?? []).filter((x) => x.current));
          void this.notify.success(`${res.revoked} other session${res.revoked === 1 ? '' : 's'} signed out`);
        },
        error: () => this.busy.set(false),
      });
    });
  }
}
