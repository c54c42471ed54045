import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { FormControl, ReactiveFormsModule, Validators } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import type { Team } from '@chatops/protocol';
import { describeHttpError } from '../../core/api/error-message';
import { TeamsApi } from '../../core/api/teams-api.service';
import { AuthService } from '../../core/auth/auth.service';
import { NotifyService } from '../../core/notify/notify.service';
import { EmptyStateComponent } from '../../shared/ui/empty-state.component';
import { TeamInvitesComponent } from './team-invites.component';
import { TeamMembersComponent } from './team-members.component';

/** `/teams`: the teams you are in (create one, pick one to see and manage its members). docs/access.md */
@Component({
  selector: 'app-teams-page',
  imports: [ReactiveFormsModule, MatButtonModule, MatFormFieldModule, MatInputModule, MatProgressBarModule, EmptyStateComponent, TeamMembersComponent, TeamInvitesComponent],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <div class="page">
      <header class="page-header"><h1>Teams</h1></header>
      <form class="create" (submit)="$event.preventDefault(); create()" aria-label="Create a team">
        <mat-form-field subscriptSizing="dynamic">
          <mat-label>New team name</mat-label>
          <input matInput [formControl]="name" maxlength="100" autocomplete="off" data-testid="team-name" />
        </mat-form-field>
        <button mat-flat-button type="submit" [disabled]="name.invalid || creating()" data-testid="team-create">Create team</button>
      </form>
      @if (teams() === null) {
        <mat-progress-bar mode="indeterminate" aria-label="Loading teams" />
      } @else if (loadError()) {
        <app-empty-state icon="warning" title="Could not load your teams" [message]="loadError()">
          <button mat-stroked-button type="button" (click)="load()">Try again</button>
        </app-empty-state>
      } @else if (!teams()!.length) {
        <app-empty-state icon="group" title="No teams yet"
          message="Create a team to share servers: members see them with the role you give them (viewer, operator, admin)." />
      } @else {
        <div class="layout">
          <ul class="teams" role="listbox" aria-label="Your teams" data-testid="team-list">
            @for (t of teams(); track t.id) {
              <li role="option" tabindex="0" [attr.aria-selected]="t.id === selected()?.id" [class.selected]="t.id === selected()?.id"
                (click)="select(t)" (keydown.enter)="select(t)" (keydown.space)="select(t); $event.preventDefault()">
                <strong>{{ t.name }}</strong>
                <span class="muted small">{{ t.role ?? 'no role' }} · {{ t.memberCount }} member{{ t.memberCount === 1 ? '' : 's' }} · {{ t.serverCount }} server{{ t.serverCount === 1 ? '' : 's' }}</span>
              </li>
            }
          </ul>
          @if (selected(); as team) {
            <div>
              <app-team-members [team]="team" (changed)="load(team.id)" (gone)="load()" />
              @if (canInvite(team)) { <app-team-invites [team]="team" /> }
            </div>
          } @else {
            <p class="muted" role="status">Pick a team to see its members.</p>
          }
        </div>
      }
    </div>
  `,
  styles: `
    .create { display: flex; gap: 8px; align-items: center; flex-wrap: wrap; margin-bottom: 16px; }
    .layout { display: grid; grid-template-columns: minmax(200px, 280px) 1fr; gap: 16px; align-items: start; }
    @media (max-width: 720px) { .layout { grid-template-columns: 1fr; } }
    .teams { list-style: none; margin: 0; padding: 0; display: grid; gap: 4px; }
    .teams li { display: grid; gap: 2px; padding: 8px 12px; border-radius: 8px; cursor: pointer; border: 1px solid var(--mat-sys-outline-variant); }
    .teams li.selected { background: var(--mat-sys-secondary-container); color: var(--mat-sys-on-secondary-container); }
    .teams li:focus-visible { outline: 2px solid var(--mat-sys-primary); outline-offset: 2px; }
    .muted { color: var(--mat-sys-on-surface-variant); }
    .small { font: var(--mat-sys-body-small); }
  `,
})
export class TeamsPage {
  private readonly api = inject(TeamsApi);
  private readonly auth = inject(AuthService);
  private readonly notify = inject(NotifyService);

  /** null while loading. */
  protected readonly teams = signal<Team[] | null>(null);
  protected readonly selected = signal<Team | null>(null);
  protected readonly loadError = signal('');
  protected readonly creating = signal(false);
  protected readonly name = new FormControl('', { nonNullable: true, validators: [Validators.required, Validators.maxLength(100), Validators.pattern(/\S/)] });

  constructor() {
    this.load();
  }

  /** Reloads the list, keeping (or choosing) `keep` selected. */
  load(keep = this.selected()?.id): void {
    this.loadError.set('');
    this.api.list().subscribe({
      next: (list) => {
        this.teams.set(list);
        this.selected.set(list.find((t) => t.id === keep) ?? list[0] ?? null);
      },
      error: (err: unknown) => {
        this.teams.set([]);
        this.loadError.set(describeHttpError(err).message);
      },
    });
  }

  /** Invite links are managed by the team's admins (and the instance admin). */
  protected canInvite(team: Team): boolean {
    return team.role === 'admin' || this.auth.user()?.role === 'admin';
  }

  protected select(team: Team): void {
    this.selected.set(team);
  }

  protected create(): void {
    const name = this.name.value.trim();
    if (!name) return;
    this.creating.set(true);
    this.api.create(name).subscribe({
      next: (team) => {
        this.creating.set(false);
        this.name.reset();
        void this.notify.success(`Team "${team.name}" created; you are its admin`);
        this.load(team.id);
      },
      error: () => this.creating.set(false),
    });
  }
}
