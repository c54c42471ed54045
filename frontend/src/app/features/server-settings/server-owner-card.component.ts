import { ChangeDetectionStrategy, Component, computed, inject, input, output, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatCardModule } from '@angular/material/card';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatSelectModule } from '@angular/material/select';
import { RouterLink } from '@angular/router';
import type { Server, Team } from '@chatops/protocol';
import { deniedReason, isBreakGlass } from '../../core/access/access';
import { TeamsApi } from '../../core/api/teams-api.service';
import { NotifyService } from '../../core/notify/notify.service';

/** Value of the "personal" choice in the owner select (team ids are UUIDs, so it cannot clash). */
const PERSONAL = 'personal';

/** Server settings: who holds the server (you personally, or a team) and moving it (docs/access.md). */
@Component({
  selector: 'app-server-owner-card',
  imports: [FormsModule, RouterLink, MatCardModule, MatButtonModule, MatFormFieldModule, MatSelectModule],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <mat-card appearance="outlined">
      <mat-card-header><mat-card-title>Ownership</mat-card-title>
        <mat-card-subtitle>{{ ownerText() }}</mat-card-subtitle></mat-card-header>
      <mat-card-content>
        @if (reason()) {
          <p class="muted" role="note" data-testid="owner-denied">{{ reason() }}.</p>
        } @else if (teams() === null) {
          <p class="muted" role="status">Loading your teams…</p>
        } @else {
          <form class="move" (ngSubmit)="move()" aria-label="Move the server">
            <mat-form-field subscriptSizing="dynamic">
              <mat-label>Move to</mat-label>
              <mat-select [(ngModel)]="target" name="target" data-testid="owner-target">
                <mat-option [value]="personal">Me personally</mat-option>
                @for (t of teams(); track t.id) { <mat-option [value]="t.id">Team {{ t.name }}</mat-option> }
              </mat-select>
              <mat-hint>Teams you are an admin of. <a routerLink="/teams">Manage teams</a></mat-hint>
            </mat-form-field>
            <button mat-stroked-button type="submit" [disabled]="busy() || target === current()" data-testid="owner-move">Move</button>
          </form>
          @if (breakGlass()) { <p class="warn" role="note">You hold no admin role in this server's team: moving it is break-glass, audited and visible to the team.</p> }
        }
      </mat-card-content>
    </mat-card>
  `,
  styles: `
    .move { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; }
    .muted { color: var(--mat-sys-on-surface-variant); }
    .warn { color: var(--mat-sys-error); font: var(--mat-sys-body-small); }
  `,
})
export class ServerOwnerCardComponent {
  private readonly api = inject(TeamsApi);
  private readonly notify = inject(NotifyService);

  readonly server = input.required<Server>();
  readonly moved = output<Server>();

  protected readonly personal = PERSONAL;
  protected readonly teams = signal<Team[] | null>(null);
  private readonly allTeams = signal<Team[]>([]);
  protected readonly busy = signal(false);
  protected target = PERSONAL;
  protected readonly current = computed(() => this.server().access?.teamId ?? PERSONAL);
  protected readonly reason = computed(() => deniedReason(this.server(), 'server.manage'));
  protected readonly breakGlass = computed(() => isBreakGlass(this.server(), 'server.manage'));
  protected readonly ownerText = computed(() => {
    const teamId = this.server().access?.teamId;
    if (!teamId) return this.server().access?.via === 'owner' ? 'A personal server of yours' : 'A personal server';
    const team = this.allTeams().find((t) => t.id === teamId);
    return `Held by team ${team?.name ?? teamId}`;
  });

  constructor() {
    this.api.list().subscribe({
      next: (list) => {
        this.allTeams.set(list);
        this.teams.set(list.filter((t) => t.role === 'admin'));
        this.target = this.current();
      },
      error: () => this.teams.set([]),
    });
  }

  protected move(): void {
    const teamId = this.target === PERSONAL ? null : this.target;
    this.busy.set(true);
    this.api.moveServer(this.server().id, teamId).subscribe({
      next: (s) => {
        this.busy.set(false);
        const team = this.allTeams().find((t) => t.id === teamId);
        void this.notify.success(team ? `Moved to team ${team.name}` : 'The server is now yours personally');
        this.moved.emit(s);
      },
      error: () => this.busy.set(false),
    });
  }
}
