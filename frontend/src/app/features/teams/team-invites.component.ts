import { DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, computed, effect, inject, input, signal } from '@angular/core';
import { FormControl, ReactiveFormsModule, Validators } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatCardModule } from '@angular/material/card';
import { MatDialog } from '@angular/material/dialog';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatSelectModule } from '@angular/material/select';
import {
  TEAM_INVITE_DEFAULT_DAYS, TEAM_INVITE_DEFAULT_USES, TEAM_INVITE_MAX_USES, TEAM_ROLES,
  type CreatedTeamInvite, type Team, type TeamInvite, type TeamRole,
} from '@chatops/protocol';
import { TeamsApi } from '../../core/api/teams-api.service';
import { NotifyService } from '../../core/notify/notify.service';
import { CopyBlockComponent } from '../../shared/ui/copy-block.component';
import { openConfirm } from '../../shared/ui/confirm-dialog.component';
import { ROLE_HINTS } from './team-members.component';

/** Lifetimes offered for an invite link, in days (the server allows 1–30). */
const LIFETIMES = [1, 7, 14, 30] as const;

/** The dashboard link a person opens to join: `/teams/join/<token>`. */
export const joinLink = (token: string) => `${globalThis.location?.origin ?? ''}/teams/join/${token}`;

/** A team's invite links, for its admins: make one (role, lifetime, uses), copy it once, list and revoke pending ones. */
@Component({
  selector: 'app-team-invites',
  imports: [DatePipe, ReactiveFormsModule, MatCardModule, MatButtonModule, MatFormFieldModule, MatInputModule, MatSelectModule, CopyBlockComponent],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <mat-card appearance="outlined" class="card">
      <mat-card-header>
        <mat-card-title>Invites</mat-card-title>
        <mat-card-subtitle>Links that let a signed-in user join {{ team().name }} with a role</mat-card-subtitle>
      </mat-card-header>
      <mat-card-content>
        <form class="create" (submit)="$event.preventDefault(); create()" aria-label="Create an invite link">
          <mat-form-field subscriptSizing="dynamic">
            <mat-label>Role</mat-label>
            <mat-select [formControl]="role" data-testid="invite-role">
              @for (r of roles; track r) { <mat-option [value]="r">{{ r }}</mat-option> }
            </mat-select>
            <mat-hint>{{ hints[role.value] }}</mat-hint>
          </mat-form-field>
          <mat-form-field subscriptSizing="dynamic">
            <mat-label>Expires in</mat-label>
            <mat-select [formControl]="days" data-testid="invite-days">
              @for (d of lifetimes; track d) { <mat-option [value]="d">{{ d === 1 ? '1 day' : d + ' days' }}</mat-option> }
            </mat-select>
          </mat-form-field>
          <mat-form-field subscriptSizing="dynamic" class="uses">
            <mat-label>Uses</mat-label>
            <input matInput type="number" min="1" [max]="maxUses" [formControl]="uses" data-testid="invite-uses" />
            @if (uses.invalid) { <mat-error>1 to {{ maxUses }}</mat-error> }
          </mat-form-field>
          <button mat-flat-button type="submit" [disabled]="uses.invalid || busy()" data-testid="invite-create">Create invite link</button>
        </form>

        @if (created(); as c) {
          <div class="once" role="alert" data-testid="invite-once">
            <p><strong>Copy the link now:</strong> it is shown only once. Anyone signed in who opens it joins as {{ c.role }}.</p>
            <app-copy-block title="Invite link" [text]="link(c)" />
            <button mat-button type="button" (click)="created.set(null)">Done</button>
          </div>
        }

        @if (invites() === null) {
          <p role="status" class="muted">Loading invites…</p>
        } @else if (invites()!.length === 0) {
          <p role="status" class="muted" data-testid="invites-empty">No pending invites. Create a link above to invite people.</p>
        } @else {
          <ul class="invites" aria-label="Pending invites">
            @for (i of invites(); track i.id) {
              <li data-testid="invite-row">
                <div>
                  <strong>{{ i.role }}</strong>
                  <span class="muted small"> · {{ i.uses }}/{{ i.maxUses }} used · expires {{ i.expiresAt | date: 'medium' }}@if (i.createdBy) { · by {{ i.createdBy }} }</span>
                </div>
                <button mat-button type="button" class="danger" (click)="revoke(i)" [attr.aria-label]="'Revoke the ' + i.role + ' invite'">Revoke</button>
              </li>
            }
          </ul>
        }
      </mat-card-content>
    </mat-card>
  `,
  styles: `
    .card { margin-top: 16px; }
    .create { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; padding-top: 8px; }
    .uses { width: 100px; }
    .once { padding: 12px; border-radius: 8px; background: var(--mat-sys-surface-container-high); margin: 12px 0; }
    .once p { margin: 0; }
    .invites { list-style: none; padding: 0; margin: 12px 0 0; }
    .invites li { display: flex; flex-wrap: wrap; align-items: center; justify-content: space-between; gap: 8px; padding: 8px 0; border-bottom: 1px solid var(--mat-sys-outline-variant); }
    .muted { color: var(--mat-sys-on-surface-variant); }
    .small { font: var(--mat-sys-body-small); }
    .danger { color: var(--mat-sys-error); }
  `,
})
export class TeamInvitesComponent {
  private readonly api = inject(TeamsApi);
  private readonly dialog = inject(MatDialog);
  private readonly notify = inject(NotifyService);

  readonly team = input.required<Team>();

  protected readonly roles = TEAM_ROLES;
  protected readonly hints = ROLE_HINTS;
  protected readonly lifetimes = LIFETIMES;
  protected readonly maxUses = TEAM_INVITE_MAX_USES;
  /** null while loading. */
  protected readonly invites = signal<TeamInvite[] | null>(null);
  protected readonly created = signal<CreatedTeamInvite | null>(null);
  protected readonly busy = signal(false);
  protected readonly role = new FormControl<TeamRole>('viewer', { nonNullable: true });
  protected readonly days = new FormControl<number>(TEAM_INVITE_DEFAULT_DAYS, { nonNullable: true });
  protected readonly uses = new FormControl<number>(TEAM_INVITE_DEFAULT_USES, {
    nonNullable: true, validators: [Validators.required, Validators.min(1), Validators.max(TEAM_INVITE_MAX_USES), Validators.pattern(/^\d+$/)],
  });

  private readonly teamId = computed(() => this.team().id);

  constructor() {
    effect(() => {
      const id = this.teamId();
      this.created.set(null);
      this.load(id);
    });
  }

  protected link(c: CreatedTeamInvite): string {
    return joinLink(c.token);
  }

  private load(id: string): void {
    this.invites.set(null);
    this.api.invites(id).subscribe({ next: (list) => this.invites.set(list), error: () => this.invites.set([]) });
  }

  protected create(): void {
    if (this.uses.invalid) return;
    this.busy.set(true);
    this.api.createInvite(this.team().id, { role: this.role.value, expiresInDays: this.days.value, maxUses: Number(this.uses.value) }).subscribe({
      next: (invite) => {
        this.busy.set(false);
        this.created.set(invite);
        const { token: _secret, ...pending } = invite;
        this.invites.update((list) => [pending, ...(list ?? [])]);
        void this.notify.success(`Invite link created (${invite.role})`);
      },
      error: () => this.busy.set(false),
    });
  }

  protected revoke(i: TeamInvite): void {
    openConfirm(this.dialog, { title: 'Revoke invite link?', message: `The ${i.role} link stops working at once; people who already joined stay members.`, confirmText: 'Revoke' })
      .subscribe((ok) => {
        if (!ok) return;
        this.api.revokeInvite(this.team().id, i.id).subscribe(() => {
          this.invites.update((list) => (list ?? []).filter((x) => x.id !== i.id));
          if (this.created()?.id === i.id) this.created.set(null);
          void this.notify.success('Invite link revoked');
        });
      });
  }
}
