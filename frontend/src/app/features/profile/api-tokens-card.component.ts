import { DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { FormGroupDirective, NonNullableFormBuilder, ReactiveFormsModule, Validators } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatCardModule } from '@angular/material/card';
import { MatDialog } from '@angular/material/dialog';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatSelectModule } from '@angular/material/select';
import { PERSONAL_TOKEN_SCOPE_PERSONAL, TOKEN_SCOPES, type CreatedPersonalToken, type PersonalToken, type Team, type TokenScope } from '@chatops/protocol';
import { SignInApi } from '../../core/api/sign-in-api.service';
import { TeamsApi } from '../../core/api/teams-api.service';
import { NotifyService } from '../../core/notify/notify.service';
import { CopyBlockComponent } from '../../shared/ui/copy-block.component';
import { openConfirm } from '../../shared/ui/confirm-dialog.component';
import { IconComponent } from '../../shared/ui/icon.component';

/** Lifetimes offered for a new token, in days (the server allows up to 366). */
const LIFETIMES = [7, 30, 90, 366] as const;

/** Profile: personal API tokens for scripts (`Authorization: Bearer cop_…`), created, listed and revoked here. */
@Component({
  selector: 'app-api-tokens-card',
  imports: [DatePipe, ReactiveFormsModule, MatCardModule, MatButtonModule, MatFormFieldModule, MatInputModule, MatSelectModule, CopyBlockComponent, IconComponent],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <mat-card appearance="outlined">
      <mat-card-header><mat-card-title>API tokens</mat-card-title>
        <mat-card-subtitle>For scripts: send <code>Authorization: Bearer cop_…</code></mat-card-subtitle></mat-card-header>
      <mat-card-content>
        <form [formGroup]="form" #formDir="ngForm" (ngSubmit)="create(formDir)" class="form" aria-label="New API token">
          <mat-form-field>
            <mat-label>Token name</mat-label>
            <input matInput formControlName="name" maxlength="100" required />
            @if (form.controls.name.hasError('required')) { <mat-error>Name the token (what uses it)</mat-error> }
          </mat-form-field>
          <mat-form-field>
            <mat-label>Expires in</mat-label>
            <mat-select formControlName="days">
              @for (d of lifetimes; track d) { <mat-option [value]="d">{{ d === 366 ? '1 year' : d + ' days' }}</mat-option> }
            </mat-select>
          </mat-form-field>
          <mat-form-field subscriptSizing="dynamic">
            <mat-label>Scopes</mat-label>
            <mat-select formControlName="scopes" multiple>
              @for (s of scopes; track s) { <mat-option [value]="s">{{ s }}</mat-option> }
            </mat-select>
            <mat-hint>Capabilities the token may use. None: everything you may do. Only read capabilities: read-only.</mat-hint>
          </mat-form-field>
          <mat-form-field subscriptSizing="dynamic">
            <mat-label>Servers of</mat-label>
            <mat-select formControlName="teams" multiple>
              <mat-option [value]="personalScope">My personal servers</mat-option>
              @for (team of teams(); track team.id) { <mat-option [value]="team.id">Team {{ team.name }}</mat-option> }
            </mat-select>
            <mat-hint>Limit the token to these teams' servers (teams you are a member of). None: every server you may reach.</mat-hint>
          </mat-form-field>
          <div class="submit"><button mat-flat-button type="submit" [disabled]="busy()">Create token</button></div>
        </form>

        @if (created(); as c) {
          <div class="once" role="alert" data-testid="token-once">
            <p><app-icon name="warning" [size]="16" /> <strong>Copy the new token now:</strong> it is shown only once.</p>
            <!-- The card title is not a heading: under the page's h1 this is a level-2 heading. -->
            <app-copy-block title="New API token" [text]="c.token" [headingLevel]="2" />
            <button mat-button type="button" (click)="created.set(null)">I saved it</button>
          </div>
        }

        @if (tokens() === null) {
          <p role="status" class="muted">Loading…</p>
        } @else if (tokens()!.length === 0) {
          <p role="status" class="muted" data-testid="tokens-empty">No API tokens yet.</p>
        } @else {
          <ul class="tokens" aria-label="API tokens">
            @for (tk of tokens(); track tk.id) {
              <li data-testid="token-row">
                <div>
                  <strong>{{ tk.name }}</strong><code class="muted prefix">{{ tk.prefix }}…</code>
                  @if (isExpired(tk)) { <span class="badge">Expired</span> }
                  <div class="muted small">
                    {{ tk.scopes.length ? tk.scopes.join(', ') : 'all your permissions' }}
                    · <span data-testid="token-teams">{{ reach(tk) }}</span>
                    · expires {{ tk.expiresAt | date: 'mediumDate' }}
                    · last used {{ tk.lastUsedAt ? (tk.lastUsedAt | date: 'medium') : 'never' }}
                  </div>
                </div>
                <button mat-button type="button" class="danger" (click)="revoke(tk)" [attr.aria-label]="'Revoke token ' + tk.name">Revoke</button>
              </li>
            }
          </ul>
        }
      </mat-card-content>
    </mat-card>
  `,
  styles: `
    .form { display: grid; gap: 4px; padding-top: 8px; }
    .submit { margin-top: 12px; }
    .prefix { margin-left: 8px; }
    .once { padding: 12px; border-radius: 8px; background: var(--mat-sys-surface-container-high); margin: 12px 0; }
    .once p { margin: 0; }
    .tokens { list-style: none; padding: 0; margin: 12px 0 0; }
    .tokens li { display: flex; flex-wrap: wrap; align-items: center; justify-content: space-between; gap: 8px; padding: 10px 0; border-bottom: 1px solid var(--mat-sys-outline-variant); }
    .muted { color: var(--mat-sys-on-surface-variant); }
    .small { font: var(--mat-sys-body-small); }
    .badge { margin-left: 8px; font: var(--mat-sys-label-small); padding: 2px 8px; border-radius: 999px; border: 1px solid currentColor; color: var(--mat-sys-error); }
    .danger { color: var(--mat-sys-error); }
  `,
})
export class ApiTokensCardComponent {
  private readonly api = inject(SignInApi);
  private readonly teamsApi = inject(TeamsApi);
  private readonly dialog = inject(MatDialog);
  private readonly notify = inject(NotifyService);

  protected readonly lifetimes = LIFETIMES;
  protected readonly scopes = TOKEN_SCOPES;
  protected readonly personalScope = PERSONAL_TOKEN_SCOPE_PERSONAL;
  /** The teams the user is a member of (the instance admin also sees teams without a role: not offered). */
  protected readonly teams = signal<Team[]>([]);
  /** null while loading. */
  protected readonly tokens = signal<PersonalToken[] | null>(null);
  protected readonly created = signal<CreatedPersonalToken | null>(null);
  protected readonly busy = signal(false);
  protected readonly form = inject(NonNullableFormBuilder).group({
    name: ['', Validators.required],
    days: [30 as number],
    scopes: [[] as TokenScope[]],
    teams: [[] as string[]],
  });

  constructor() {
    this.api.listTokens().subscribe({ next: (list) => this.tokens.set(list), error: () => this.tokens.set([]) });
    this.teamsApi.list().subscribe({ next: (list) => this.teams.set(list.filter((t) => t.role !== null)), error: () => this.teams.set([]) });
  }

  /** Which servers a token reaches, for its row. */
  protected reach(t: PersonalToken): string {
    if (!t.teamScope) return 'all your servers';
    const parts = [...(t.teamScope.personal ? ['personal servers'] : []), ...t.teamScope.teams.map((x) => `team ${x.name}`)];
    return parts.length ? `only ${parts.join(', ')}` : 'no servers (its teams were deleted)';
  }

  protected isExpired(t: PersonalToken): boolean {
    return new Date(t.expiresAt).getTime() <= Date.now();
  }

  protected create(formDir: FormGroupDirective): void {
    if (this.form.invalid) return this.form.markAllAsTouched();
    const { name, days, scopes, teams } = this.form.getRawValue();
    this.busy.set(true);
    const expiresAt = new Date(Date.now() + days * 86_400_000).toISOString();
    this.api.createToken({ name: name.trim(), expiresAt, scopes, ...(teams.length ? { teams } : {}) }).subscribe({
      next: (token) => {
        this.busy.set(false);
        this.created.set(token);
        // Through the directive: a plain reset would leave the form "submitted" and show the empty name as an error.
        formDir.resetForm({ name: '', days: 30, scopes: [], teams: [] });
        const { token: _secret, ...stored } = token;
        this.tokens.update((list) => [stored, ...(list ?? [])]);
      },
      error: () => this.busy.set(false),
    });
  }

  protected revoke(t: PersonalToken): void {
    openConfirm(this.dialog, {
      title: 'Revoke API token?',
      message: `The token "${t.name}" (${t.prefix}…) stops working immediately. Scripts that use it will get 401.`,
      confirmText: 'Revoke token',
    }).subscribe((ok) => {
      if (!ok) return;
      this.api.revokeToken(t.id).subscribe(() => {
        this.tokens.update((list) => (list ?? []).filter((x) => x.id !== t.id));
        if (this.created()?.id === t.id) this.created.set(null);
        this.notify.success('Token revoked');
      });
    });
  }
}
