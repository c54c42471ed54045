import { DatePipe } from '@angular/common';
import { HttpErrorResponse } from '@angular/common/http';
import { ChangeDetectionStrategy, Component, effect, inject, input, signal } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatCardModule } from '@angular/material/card';
import { MatProgressSpinnerModule } from '@angular/material/progress-spinner';
import { Router, RouterLink } from '@angular/router';
import type { TeamInvitePreview } from '@chatops/protocol';
import { describeHttpError } from '../../core/api/error-message';
import { TeamsApi } from '../../core/api/teams-api.service';
import { NotifyService } from '../../core/notify/notify.service';
import { ROLE_HINTS } from './team-members.component';

/** Why an invite link cannot be used, from the backend's codes (docs/api.md, team.invite_*). */
const REFUSALS: Record<string, string> = {
  'team.invite_not_found': 'This invite link does not exist. Check that you copied all of it, or ask the team admin for a new one.',
  'team.invite_expired': 'This invite link has expired. Ask the team admin for a new one.',
  'team.invite_revoked': 'This invite link was revoked by a team admin.',
  'team.invite_used_up': 'This invite link has already been used as many times as it allows. Ask the team admin for a new one.',
  'team.already_member': 'You are already a member of this team.',
};

type JoinState =
  | { kind: 'loading' }
  | { kind: 'ready'; preview: TeamInvitePreview; busy: boolean }
  | { kind: 'refused'; message: string; code: string }
  | { kind: 'error'; message: string; requestId: string | null };

/** `/teams/join/<token>`: what team and role an invite link leads to, and joining it (docs/access.md). */
@Component({
  selector: 'app-team-join-page',
  imports: [DatePipe, RouterLink, MatCardModule, MatButtonModule, MatProgressSpinnerModule],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <div class="page">
      <mat-card appearance="outlined" class="card">
        <mat-card-header><h1 mat-card-title>Join a team</h1></mat-card-header>
        <mat-card-content>
          @switch (state().kind) {
            @case ('loading') {
              <p role="status" class="row"><mat-spinner diameter="20" aria-hidden="true" /> Checking the invite link…</p>
            }
            @case ('ready') {
              @if (ready(); as s) {
                <p data-testid="join-question">Join the team <strong>{{ s.preview.teamName }}</strong> as <strong>{{ s.preview.role }}</strong>?</p>
                <p class="muted">As {{ s.preview.role }}: {{ hints[s.preview.role] }}. This link expires {{ s.preview.expiresAt | date: 'medium' }}.</p>
                <div class="actions">
                  <a mat-button routerLink="/teams">Not now</a>
                  <button mat-flat-button type="button" (click)="accept()" [disabled]="s.busy" [attr.aria-busy]="s.busy" data-testid="join-accept">
                    @if (s.busy) { Joining… } @else { Join team }
                  </button>
                </div>
              }
            }
            @case ('refused') {
              @if (refused(); as s) {
                <p role="alert" data-testid="join-refused">{{ s.message }}</p>
                <div class="actions"><a mat-button routerLink="/teams">Your teams</a></div>
              }
            }
            @case ('error') {
              @if (failed(); as s) {
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
export class TeamJoinPage {
  private readonly api = inject(TeamsApi);
  private readonly router = inject(Router);
  private readonly notify = inject(NotifyService);

  /** Route parameter `token` (router component input binding). */
  readonly token = input.required<string>();

  protected readonly hints = ROLE_HINTS;
  protected readonly state = signal<JoinState>({ kind: 'loading' });

  constructor() {
    effect(() => this.load(this.token()));
  }

  protected ready() { const s = this.state(); return s.kind === 'ready' ? s : null; }
  protected refused() { const s = this.state(); return s.kind === 'refused' ? s : null; }
  protected failed() { const s = this.state(); return s.kind === 'error' ? s : null; }

  load(token = this.token()): void {
    this.state.set({ kind: 'loading' });
    this.api.previewInvite(token).subscribe({
      next: (preview) => this.state.set({ kind: 'ready', preview, busy: false }),
      error: (err) => this.fail(err),
    });
  }

  protected accept(): void {
    const s = this.ready();
    if (!s) return;
    this.state.set({ ...s, busy: true });
    this.api.acceptInvite(this.token()).subscribe({
      next: (joined) => {
        void this.notify.success(`You joined ${joined.teamName} as ${joined.role}`);
        void this.router.navigateByUrl('/teams');
      },
      error: (err) => this.fail(err),
    });
  }

  private fail(err: unknown): void {
    const code = err instanceof HttpErrorResponse ? (err.error as { code?: unknown } | null)?.code : undefined;
    if (typeof code === 'string' && REFUSALS[code]) return this.state.set({ kind: 'refused', message: REFUSALS[code], code });
    const { message, requestId } = describeHttpError(err);
    this.state.set({ kind: 'error', message, requestId });
  }
}
