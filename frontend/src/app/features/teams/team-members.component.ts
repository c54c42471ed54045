import { DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, computed, effect, inject, input, output, signal } from '@angular/core';
import { FormControl, ReactiveFormsModule, Validators } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatCardModule } from '@angular/material/card';
import { MatDialog } from '@angular/material/dialog';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatSelectModule } from '@angular/material/select';
import { TEAM_ROLES, type Team, type TeamMember, type TeamRole } from '@chatops/protocol';
import { AuthService } from '../../core/auth/auth.service';
import { TeamsApi } from '../../core/api/teams-api.service';
import { NotifyService } from '../../core/notify/notify.service';
import { openConfirm } from '../../shared/ui/confirm-dialog.component';

/** What each role may do, for the role picker (docs/access.md). */
export const ROLE_HINTS: Record<TeamRole, string> = {
  viewer: 'metrics, containers and alerts, read-only',
  operator: 'viewer + Docker actions, alerts, allow-listed commands',
  admin: 'everything: terminal, any command, keys, rules, members',
};

/** One team: its members with their roles; team admins add (by username or email), re-role and remove. */
@Component({
  selector: 'app-team-members',
  imports: [DatePipe, ReactiveFormsModule, MatCardModule, MatButtonModule, MatFormFieldModule, MatInputModule, MatSelectModule],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <mat-card appearance="outlined">
      <mat-card-header>
        <mat-card-title>{{ team().name }}</mat-card-title>
        <mat-card-subtitle>Your role: {{ team().role ?? 'none (instance admin)' }}</mat-card-subtitle>
      </mat-card-header>
      <mat-card-content>
        @if (members() === null) {
          <p role="status" class="muted">Loading members…</p>
        } @else {
          <table class="table" data-testid="team-members">
            <caption class="visually-hidden">Members of {{ team().name }}</caption>
            <thead><tr><th scope="col">Member</th><th scope="col">Role</th><th scope="col">Since</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
            <tbody>
              @for (m of members(); track m.userId) {
                <tr data-testid="team-member">
                  <td>
                    <strong>{{ m.username }}</strong>@if (m.fullName) { <span class="muted"> · {{ m.fullName }}</span> }
                    @if (m.source === 'oidc') {
                      <span class="muted" data-testid="member-sso" title="Granted by the sign-in provider's groups; changing the role here makes it a manual membership"> · via single sign-on</span>
                    }
                  </td>
                  <td>
                    @if (canManage()) {
                      <mat-form-field subscriptSizing="dynamic" class="role">
                        <mat-label>Role of {{ m.username }}</mat-label>
                        <mat-select [value]="m.role" (valueChange)="changeRole(m, $event)">
                          @for (r of roles; track r) { <mat-option [value]="r">{{ r }}</mat-option> }
                        </mat-select>
                      </mat-form-field>
                    } @else { {{ m.role }} }
                  </td>
                  <td class="muted">{{ m.addedAt | date: 'mediumDate' }}</td>
                  <td>
                    @if (canManage() && m.userId !== me()) {
                      <button mat-button type="button" (click)="remove(m)" [attr.aria-label]="'Remove ' + m.username + ' from the team'">Remove</button>
                    }
                  </td>
                </tr>
              }
            </tbody>
          </table>
        }
        @if (canManage()) {
          <form class="add" (submit)="$event.preventDefault(); add()" aria-label="Add a member">
            <mat-form-field subscriptSizing="dynamic">
              <mat-label>Username or email</mat-label>
              <input matInput [formControl]="user" autocomplete="off" spellcheck="false" maxlength="254" data-testid="member-user" />
            </mat-form-field>
            <mat-form-field subscriptSizing="dynamic">
              <mat-label>Role</mat-label>
              <mat-select [formControl]="role" data-testid="member-role">
                @for (r of roles; track r) { <mat-option [value]="r">{{ r }}</mat-option> }
              </mat-select>
              <mat-hint>{{ hints[role.value] }}</mat-hint>
            </mat-form-field>
            <button mat-flat-button type="submit" [disabled]="user.invalid || busy()" data-testid="member-add">Add member</button>
          </form>
        }
      </mat-card-content>
      <mat-card-actions align="end">
        @if (team().role) { <button mat-button type="button" (click)="leave()">Leave team</button> }
        @if (canManage()) {
          <button mat-button type="button" color="warn" (click)="deleteTeam()"
            [disabled]="team().serverCount > 0" [attr.title]="team().serverCount > 0 ? 'Move its servers out first' : null">Delete team</button>
        }
      </mat-card-actions>
    </mat-card>
  `,
  styles: `
    .table { width: 100%; border-collapse: collapse; }
    th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid var(--mat-sys-outline-variant); }
    .role { width: 150px; }
    .add { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; margin-top: 16px; }
    .muted { color: var(--mat-sys-on-surface-variant); }
    .visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
  `,
})
export class TeamMembersComponent {
  private readonly api = inject(TeamsApi);
  private readonly auth = inject(AuthService);
  private readonly dialog = inject(MatDialog);
  private readonly notify = inject(NotifyService);

  readonly team = input.required<Team>();
  /** Membership or the team changed: the page reloads its counts. */
  readonly changed = output<void>();
  /** The team is gone for you (left or deleted). */
  readonly gone = output<void>();

  protected readonly roles = TEAM_ROLES;
  protected readonly hints = ROLE_HINTS;
  protected readonly members = signal<TeamMember[] | null>(null);
  protected readonly busy = signal(false);
  protected readonly me = computed(() => this.auth.user()?.id ?? null);
  protected readonly canManage = computed(() => this.team().role === 'admin' || this.auth.user()?.role === 'admin');
  protected readonly user = new FormControl('', { nonNullable: true, validators: [Validators.required, Validators.pattern(/\S/)] });
  protected readonly role = new FormControl<TeamRole>('viewer', { nonNullable: true });

  /** The team's id: a refreshed team object (new counts) does not reload the members. */
  private readonly teamId = computed(() => this.team().id);

  constructor() {
    effect(() => this.loadMembers(this.teamId()));
  }

  private loadMembers(id: string): void {
    this.members.set(null);
    this.api.members(id).subscribe({ next: (m) => this.members.set(m), error: () => this.members.set([]) });
  }

  protected add(): void {
    const login = this.user.value.trim();
    if (!login) return;
    this.busy.set(true);
    this.api.addMember(this.team().id, login, this.role.value).subscribe({
      next: (m) => {
        this.busy.set(false);
        this.user.reset();
        void this.notify.success(`${m.username} added as ${m.role}`);
        this.loadMembers(this.team().id);
        this.changed.emit();
      },
      error: () => this.busy.set(false),
    });
  }

  protected changeRole(m: TeamMember, role: TeamRole): void {
    this.api.changeMember(this.team().id, m.userId, role).subscribe({
      next: () => {
        void this.notify.success(`${m.username} is now ${role}`);
        this.loadMembers(this.team().id);
        this.changed.emit();
      },
      // Refused (e.g. the last admin): the error toast says why; show the role as it still is.
      error: () => this.loadMembers(this.team().id),
    });
  }

  protected remove(m: TeamMember): void {
    openConfirm(this.dialog, { title: `Remove ${m.username}?`, message: `${m.username} loses access to the team's servers at once.`, confirmText: 'Remove' })
      .subscribe((ok) => {
        if (!ok) return;
        this.api.removeMember(this.team().id, m.userId).subscribe(() => {
          void this.notify.success(`${m.username} removed`);
          this.loadMembers(this.team().id);
          this.changed.emit();
        });
      });
  }

  protected leave(): void {
    openConfirm(this.dialog, { title: `Leave ${this.team().name}?`, message: 'You lose access to its servers at once.', confirmText: 'Leave' })
      .subscribe((ok) => {
        if (!ok) return;
        this.api.leave(this.team().id).subscribe(() => {
          void this.notify.success(`You left ${this.team().name}`);
          this.gone.emit();
        });
      });
  }

  protected deleteTeam(): void {
    openConfirm(this.dialog, { title: `Delete ${this.team().name}?`, message: 'The team and its memberships are deleted. Its audit entries are kept.', confirmText: 'Delete' })
      .subscribe((ok) => {
        if (!ok) return;
        this.api.remove(this.team().id).subscribe(() => {
          void this.notify.success(`Team ${this.team().name} deleted`);
          this.gone.emit();
        });
      });
  }
}
