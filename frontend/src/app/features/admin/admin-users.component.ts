import { DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, DestroyRef, computed, inject, signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { MatButtonModule } from '@angular/material/button';
import { MatCheckboxModule } from '@angular/material/checkbox';
import { MatDialog } from '@angular/material/dialog';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatMenuModule } from '@angular/material/menu';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { Router } from '@angular/router';
import type { UserRole } from '@chatops/protocol';
import type { AdminBulkAction, AdminUser } from '@chatops/protocol/admin';
import { Observable, Subject, debounceTime, distinctUntilChanged } from 'rxjs';
import { AdminApi } from '../../core/api/admin-api.service';
import { describeHttpError } from '../../core/api/error-message';
import { AuthService } from '../../core/auth/auth.service';
import { NotifyService } from '../../core/notify/notify.service';
import { relativeTime } from '../../shared/format/format';
import { openConfirm } from '../../shared/ui/confirm-dialog.component';
import { EmptyStateComponent } from '../../shared/ui/empty-state.component';
import { IconComponent } from '../../shared/ui/icon.component';
import { BULK_WORDS, BulkFailure, summarizeBulk } from './admin-users-bulk';
import { AdminUsersBulkBarComponent } from './admin-users-bulk-bar.component';
import { ResetLinkDialogComponent, ResetLinkDialogData } from './reset-link-dialog.component';
import { ResetPasswordChoice, ResetPasswordDialogComponent, ResetPasswordDialogData } from './reset-password-dialog.component';

export const ADMIN_USERS_PAGE_SIZE = 50;

/** Administration → Users: search, page, per user promote/demote, disable/enable, reset password; selected users disable/enable/sign out at once. */
@Component({
  selector: 'app-admin-users',
  imports: [DatePipe, MatButtonModule, MatCheckboxModule, AdminUsersBulkBarComponent, MatFormFieldModule, MatInputModule, MatMenuModule, MatProgressBarModule, EmptyStateComponent, IconComponent],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <div class="toolbar">
      <mat-form-field subscriptSizing="dynamic" class="search">
        <mat-label>Search users</mat-label>
        <input matInput #box type="search" autocomplete="off" spellcheck="false" placeholder="Name or email" (input)="typed(box.value)" data-testid="user-search" />
      </mat-form-field>
      <span class="muted" role="status" aria-live="polite">{{ summary() }}</span>
    </div>
    @switch (state()) {
      @case ('loading') { <mat-progress-bar mode="indeterminate" aria-label="Loading users" /> }
      @case ('error') {
        <app-empty-state icon="warning" title="Could not load the users" [message]="loadError()">
          <button mat-stroked-button type="button" (click)="load()">Try again</button>
        </app-empty-state>
      }
      @default {
        @if (!users().length) {
          <app-empty-state icon="person" title="No user matches" message="Change or clear the search." />
        } @else {
          <app-admin-users-bulk-bar [count]="selected().size" [busy]="bulkBusy()" [failures]="bulkFailures()"
            (act)="bulkAct($event)" (clear)="selected.set(emptySelection)" (dismiss)="bulkFailures.set([])" />
          <div class="table-wrap">
            <table class="table" data-testid="users-table">
              <thead><tr>
                <th scope="col" class="pick">
                  <mat-checkbox [checked]="allSelected()" [indeterminate]="selected().size > 0 && !allSelected()" (change)="selectPage($event.checked)"
                    aria-label="Select every user on this page" data-testid="select-all" />
                </th>
                <th scope="col">User</th><th scope="col">Role</th><th scope="col">Status</th><th scope="col">Last sign-in</th>
                <th scope="col" class="num">Servers</th><th scope="col">Created</th><th scope="col"><span class="visually-hidden">Actions</span></th>
              </tr></thead>
              <tbody>
                @for (u of users(); track u.id) {
                  <tr data-testid="user-row" [attr.data-username]="u.username">
                    <td class="pick">
                      <mat-checkbox [checked]="selected().has(u.id)" (change)="toggle(u.id, $event.checked)"
                        [aria-label]="'Select ' + u.username" data-testid="select-user" />
                    </td>
                    <td class="who">
                      <strong>{{ u.fullName || u.username }}</strong>@if (u.id === me()) { <span class="tag">you</span> }
                      <div class="muted small">{{ u.username }} · {{ u.email }}</div>
                    </td>
                    <td>{{ u.role === 'admin' ? 'Admin' : 'User' }}</td>
                    <td class="nowrap">
                      @if (u.disabledAt) { <span class="state disabled"><app-icon name="offline" [size]="16" /> Disabled</span> }
                      @else { <span class="state active"><app-icon name="online" [size]="16" /> Active</span> }
                      @if (u.mustChangePassword) { <div class="muted small" data-testid="must-change">Must change password</div> }
                    </td>
                    <td class="nowrap">@if (u.lastLoginAt) { <time [attr.datetime]="u.lastLoginAt" [title]="u.lastLoginAt | date: 'medium'">{{ ago(u.lastLoginAt) }}</time> } @else { never }</td>
                    <td class="num">{{ u.serverCount }}</td>
                    <td class="nowrap">{{ u.createdAt | date: 'mediumDate' }}</td>
                    <td class="actions">
                      <button mat-icon-button type="button" [matMenuTriggerFor]="menu" [disabled]="busy() === u.id" [attr.aria-label]="'Actions for ' + u.username">
                        <app-icon name="more" />
                      </button>
                      <mat-menu #menu="matMenu" xPosition="before">
                        @if (u.role === 'admin') {
                          <button mat-menu-item type="button" (click)="setRole(u, 'user')">Make user</button>
                        } @else {
                          <button mat-menu-item type="button" (click)="setRole(u, 'admin')">Make admin</button>
                        }
                        @if (u.id !== me()) {
                          <button mat-menu-item type="button" (click)="resetPassword(u)">Reset password…</button>
                          @if (u.disabledAt) {
                            <button mat-menu-item type="button" (click)="enable(u)">Enable</button>
                          } @else {
                            <button mat-menu-item type="button" class="danger-text" (click)="disable(u)">Disable…</button>
                          }
                        }
                      </mat-menu>
                    </td>
                  </tr>
                }
              </tbody>
            </table>
          </div>
          @if (total() > pageSize) {
            <div class="pager">
              <button mat-stroked-button type="button" (click)="page(-1)" [disabled]="offset() === 0">Previous</button>
              <button mat-stroked-button type="button" (click)="page(1)" [disabled]="offset() + pageSize >= total()">Next</button>
            </div>
          }
        }
      }
    }
  `,
  styles: `
    .toolbar { display: flex; flex-wrap: wrap; align-items: center; gap: 12px; margin: 16px 0 8px; }
    .search { flex: 1 1 240px; max-width: 420px; }
    .table-wrap { overflow-x: auto; }
    .table { width: 100%; border-collapse: collapse; font: var(--mat-sys-body-medium); }
    th { text-align: left; font: var(--mat-sys-label-medium); color: var(--mat-sys-on-surface-variant); }
    th, td { padding: 6px 8px; border-bottom: 1px solid var(--mat-sys-outline-variant); vertical-align: middle; }
    .who { min-width: 180px; overflow-wrap: anywhere; }
    .num { text-align: right; }
    .nowrap { white-space: nowrap; }
    .actions { width: 48px; }
    .pick { width: 40px; padding-right: 0; }
    .muted { color: var(--mat-sys-on-surface-variant); }
    .small { font: var(--mat-sys-body-small); }
    .tag { margin-left: 6px; padding: 0 8px; border-radius: 999px; font: var(--mat-sys-label-small);
      background: var(--mat-sys-secondary-container); color: var(--mat-sys-on-secondary-container); }
    .state { display: inline-flex; align-items: center; gap: 4px; }
    .state.active { color: light-dark(#0b6b2f, #7fe0a0); }
    .state.disabled { color: var(--mat-sys-error); }
    .danger-text { color: var(--mat-sys-error); }
    .pager { display: flex; justify-content: center; gap: 8px; margin: 12px 0; }
  `,
})
export class AdminUsersComponent {
  private readonly api = inject(AdminApi);
  private readonly dialog = inject(MatDialog);
  private readonly notify = inject(NotifyService);
  private readonly destroyRef = inject(DestroyRef);
  private readonly auth = inject(AuthService);
  private readonly router = inject(Router);
  protected readonly me = computed(() => this.auth.user()?.id ?? null);
  protected readonly pageSize = ADMIN_USERS_PAGE_SIZE;

  protected readonly users = signal<AdminUser[]>([]);
  protected readonly total = signal(0);
  protected readonly offset = signal(0);
  protected readonly query = signal('');
  protected readonly state = signal<'loading' | 'ready' | 'error'>('loading');
  protected readonly loadError = signal('');
  /** The user an action is running for (its menu is disabled meanwhile). */
  protected readonly busy = signal<string | null>(null);
  protected readonly summary = computed(() => {
    if (this.state() !== 'ready' || !this.total()) return '';
    const from = this.offset() + 1;
    const to = Math.min(this.offset() + this.pageSize, this.total());
    return `${from}–${to} of ${this.total()} user${this.total() === 1 ? '' : 's'}`;
  });
  private readonly search$ = new Subject<string>();

  protected readonly emptySelection: ReadonlySet<string> = new Set();
  /** Selected users (ids) on the page shown; cleared by another page or search. */
  protected readonly selected = signal<ReadonlySet<string>>(this.emptySelection);
  protected readonly allSelected = computed(() => this.users().length > 0 && this.users().every((u) => this.selected().has(u.id)));
  protected readonly bulkBusy = signal(false);
  protected readonly bulkFailures = signal<BulkFailure[]>([]);

  constructor() {
    this.search$.pipe(debounceTime(250), distinctUntilChanged(), takeUntilDestroyed()).subscribe((q) => {
      this.query.set(q);
      this.offset.set(0);
      this.load();
    });
    this.load();
  }

  protected typed(value: string): void {
    this.search$.next(value.trim());
  }

  protected load(): void {
    this.state.set('loading');
    this.api.users({ q: this.query(), limit: this.pageSize, offset: this.offset() }).pipe(takeUntilDestroyed(this.destroyRef)).subscribe({
      next: (page) => {
        this.users.set(page.items);
        this.selected.set(new Set([...this.selected()].filter((id) => page.items.some((u) => u.id === id))));
        this.total.set(page.total);
        this.state.set('ready');
      },
      error: (err: unknown) => {
        this.loadError.set(describeHttpError(err).message);
        this.state.set('error');
      },
    });
  }

  protected page(direction: 1 | -1): void {
    this.offset.update((o) => Math.max(0, o + direction * this.pageSize));
    this.load();
  }

  protected ago(iso: string): string {
    return relativeTime(iso);
  }

  protected setRole(u: AdminUser, role: UserRole): void {
    const self = u.id === this.me();
    openConfirm(this.dialog, {
      title: role === 'admin' ? `Make ${u.username} an admin?` : `Make ${u.username} a regular user?`,
      message: role === 'admin'
        ? `${u.username} will see and act on every server, and manage users and registration.`
        : self
          ? 'You will lose access to this page and to servers you do not own, at once.'
          : `${u.username} will only see their own servers, and lose access to this page.`,
      confirmText: role === 'admin' ? 'Make admin' : 'Make user',
    }).subscribe((ok) => {
      if (!ok) return;
      this.run(u, this.api.setRole(u.id, role), `${u.username} is now ${role === 'admin' ? 'an admin' : 'a regular user'}`, () => {
        // Stepped down: renew the session (the new token carries the new role) and leave this page.
        if (self && role !== 'admin') this.auth.refresh().subscribe({ next: () => void this.router.navigateByUrl('/'), error: () => undefined });
      });
    });
  }

  protected disable(u: AdminUser): void {
    openConfirm(this.dialog, {
      title: `Disable ${u.username}?`,
      message: `${u.username} is signed out everywhere at once and cannot sign in until you enable the account again. Their servers keep running.`,
      confirmText: 'Disable',
    }).subscribe((ok) => {
      if (ok) this.run(u, this.api.disable(u.id), `${u.username} disabled and signed out`);
    });
  }

  protected enable(u: AdminUser): void {
    this.run(u, this.api.enable(u.id), `${u.username} enabled`);
  }

  protected resetPassword(u: AdminUser): void {
    this.dialog
      .open<ResetPasswordDialogComponent, ResetPasswordDialogData, ResetPasswordChoice>(ResetPasswordDialogComponent, { data: { username: u.username }, width: '520px', maxWidth: '95vw' })
      .afterClosed()
      .subscribe((choice) => {
        if (choice?.mode === 'password') {
          this.run(u, this.api.resetPassword(u.id, choice.password), `Password of ${u.username} reset; they must choose a new one at their next sign-in`);
        } else if (choice?.mode === 'link') {
          this.busy.set(u.id);
          this.api.createResetLink(u.id).subscribe({
            next: (link) => {
              this.busy.set(null);
              this.dialog.open<ResetLinkDialogComponent, ResetLinkDialogData>(ResetLinkDialogComponent, { data: { username: u.username, link }, width: '560px', maxWidth: '95vw' });
            },
            error: () => this.busy.set(null),
          });
        }
      });
  }

  protected toggle(id: string, on: boolean): void {
    const next = new Set(this.selected());
    if (on) next.add(id);
    else next.delete(id);
    this.selected.set(next);
  }

  protected selectPage(on: boolean): void {
    this.selected.set(on ? new Set(this.users().map((u) => u.id)) : this.emptySelection);
  }

  /**
   * One action on every selected user, after a confirmation: one request (POST /admin/users/bulk),
   * a result per user. Changed rows are replaced; refused users stay selected and are listed with
   * the reason (yourself, the last admin...); one toast says it all.
   */
  protected bulkAct(action: AdminBulkAction): void {
    const picked = this.users().filter((u) => this.selected().has(u.id));
    if (!picked.length) return;
    const words = BULK_WORDS[action];
    const n = picked.length;
    const names = picked.slice(0, 5).map((u) => u.username).join(', ') + (n > 5 ? ` and ${n - 5} more` : '');
    openConfirm(this.dialog, {
      title: `${words.verb} ${n} user${n === 1 ? '' : 's'}?`,
      message: `${names}. ${words.warning}`,
      confirmText: `${words.confirm} ${n} user${n === 1 ? '' : 's'}`,
    }).subscribe((ok) => {
      if (!ok) return;
      this.bulkBusy.set(true);
      this.bulkFailures.set([]);
      this.api.bulk(action, picked.map((u) => u.id)).pipe(takeUntilDestroyed(this.destroyRef)).subscribe({
        next: (res) => {
          this.bulkBusy.set(false);
          const nameOf = (id: string) => picked.find((u) => u.id === id)?.username ?? id;
          const summary = summarizeBulk(action, res.results, nameOf);
          const changed = new Map(summary.updated.map((u) => [u.id, u]));
          this.users.update((list) => list.map((u) => changed.get(u.id) ?? u));
          this.selected.set(new Set(summary.failures.map((f) => f.userId)));
          this.bulkFailures.set(summary.failures);
          void (summary.failures.length ? this.notify.error(summary.text) : this.notify.success(summary.text));
        },
        error: (err: unknown) => {
          this.bulkBusy.set(false);
          const info = describeHttpError(err);
          void this.notify.error(`${words.verb} failed for all ${n}: ${info.message}`, info.requestId);
        },
      });
    });
  }

  /** Runs one action; the row is replaced by the server's answer. Failures toast (error interceptor). */
  private run(u: AdminUser, action: Observable<AdminUser>, done: string, then?: () => void): void {
    this.busy.set(u.id);
    action.subscribe({
      next: (updated) => {
        this.busy.set(null);
        this.users.update((list) => list.map((x) => (x.id === updated.id ? updated : x)));
        void this.notify.success(done);
        then?.();
      },
      error: () => this.busy.set(null),
    });
  }
}
