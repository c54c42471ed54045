import { DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { NonNullableFormBuilder, ReactiveFormsModule, Validators } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatButtonToggleModule } from '@angular/material/button-toggle';
import { MatCardModule } from '@angular/material/card';
import { MatDialog } from '@angular/material/dialog';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatSelectModule } from '@angular/material/select';
import type { UserRole } from '@chatops/protocol';
import type { CreatedInvite, Invite, RegistrationMode, RegistrationSettings } from '@chatops/protocol/admin';
import { AdminApi } from '../../core/api/admin-api.service';
import { describeHttpError } from '../../core/api/error-message';
import { NotifyService } from '../../core/notify/notify.service';
import { CopyBlockComponent } from '../../shared/ui/copy-block.component';
import { openConfirm } from '../../shared/ui/confirm-dialog.component';

/** The link to hand out, on the origin the admin is using (right behind a proxy too). */
export const inviteLink = (token: string, origin = location.origin) => `${origin}/register?invite=${encodeURIComponent(token)}`;

const STATUS_LABELS: Record<Invite['status'], string> = { pending: 'Pending', used: 'Used', revoked: 'Revoked', expired: 'Expired' };

/** Administration → Registration: open or invite-only, and the invite links. */
@Component({
  selector: 'app-admin-registration',
  imports: [DatePipe, ReactiveFormsModule, MatCardModule, MatButtonModule, MatButtonToggleModule, MatFormFieldModule, MatInputModule, MatSelectModule, CopyBlockComponent],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <div class="grid">
      <mat-card appearance="outlined">
        <mat-card-header><mat-card-title id="reg-mode-label">Who may create an account</mat-card-title></mat-card-header>
        <mat-card-content>
          @if (settings(); as s) {
            <mat-button-toggle-group aria-labelledby="reg-mode-label" [value]="s.mode" (change)="setMode($event.value)" [disabled]="saving()" data-testid="registration-mode">
              <mat-button-toggle value="open">Anyone</mat-button-toggle>
              <mat-button-toggle value="invite">Invited people only</mat-button-toggle>
            </mat-button-toggle-group>
            <p class="muted small">
              @if (s.mode === 'open') { Anybody who can reach this page may register. }
              @else { Only people with an invite link may register; the register page tells everybody else to ask for one. }
              @if (s.source === 'env') { Set by the REGISTRATION variable until changed here. }
            </p>
          } @else if (loadError()) {
            <p class="error-text" role="alert">Could not load the setting: {{ loadError() }}</p>
            <button mat-stroked-button type="button" (click)="load()">Try again</button>
          } @else {
            <p role="status" class="muted">Loading…</p>
          }
        </mat-card-content>
      </mat-card>

      <mat-card appearance="outlined">
        <mat-card-header><mat-card-title>Invite someone</mat-card-title>
          <mat-card-subtitle>A one-time link; works in either mode</mat-card-subtitle></mat-card-header>
        <mat-card-content>
          <form [formGroup]="form" (ngSubmit)="create()" class="form">
            <mat-form-field>
              <mat-label>Email (optional)</mat-label>
              <input matInput type="email" formControlName="email" autocomplete="off" />
              <mat-hint>When set, only this address may use the link</mat-hint>
              @if (form.controls.email.invalid) { <mat-error>Enter a valid email address</mat-error> }
            </mat-form-field>
            <div class="row">
              <mat-form-field>
                <mat-label>Role</mat-label>
                <mat-select formControlName="role">
                  <mat-option value="user">User</mat-option>
                  <mat-option value="admin">Admin</mat-option>
                </mat-select>
              </mat-form-field>
              <mat-form-field>
                <mat-label>Expires after</mat-label>
                <mat-select formControlName="expiresInHours">
                  <mat-option [value]="24">1 day</mat-option>
                  <mat-option [value]="72">3 days</mat-option>
                  <mat-option [value]="168">7 days</mat-option>
                  <mat-option [value]="720">30 days</mat-option>
                </mat-select>
              </mat-form-field>
            </div>
            @if (createError()) { <p class="error-text" role="alert">{{ createError() }}</p> }
            <div><button mat-flat-button type="submit" [disabled]="creating()">Create invite link</button></div>
          </form>
          @if (created(); as c) {
            <div data-testid="created-invite">
              <app-copy-block title="Invite link" [text]="link(c)" />
              <p class="muted small" role="status">Shown once. {{ c.email ? 'For ' + c.email + ', ' : '' }}role {{ c.role }}, valid until {{ c.expiresAt | date: 'medium' }}.</p>
            </div>
          }
        </mat-card-content>
      </mat-card>
    </div>

    <h2 class="section">Invites</h2>
    @if (invites() === null) {
      <p role="status" class="muted">Loading…</p>
    } @else if (!invites()!.length) {
      <p role="status" class="muted" data-testid="invites-empty">No invites yet.</p>
    } @else {
      <div class="table-wrap">
        <table class="table" data-testid="invites-table">
          <thead><tr><th scope="col">For</th><th scope="col">Role</th><th scope="col">Status</th><th scope="col">Expires</th><th scope="col">Created</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
          <tbody>
            @for (i of invites(); track i.id) {
              <tr data-testid="invite-row">
                <td class="who">{{ i.email ?? 'Anyone with the link' }}</td>
                <td>{{ i.role === 'admin' ? 'Admin' : 'User' }}</td>
                <td><span class="status" [class]="'status status-' + i.status">{{ statusLabel(i) }}</span></td>
                <td class="nowrap">{{ i.expiresAt | date: 'medium' }}</td>
                <td class="nowrap">{{ i.createdAt | date: 'mediumDate' }}</td>
                <td>
                  @if (i.status === 'pending') {
                    <button mat-button type="button" class="danger-text" (click)="revoke(i)" [attr.aria-label]="'Revoke invite for ' + (i.email ?? 'anyone')">Revoke</button>
                  }
                </td>
              </tr>
            }
          </tbody>
        </table>
      </div>
    }
  `,
  styles: `
    :host { display: block; padding-top: 16px; }
    .grid { display: grid; gap: 16px; grid-template-columns: repeat(auto-fit, minmax(300px, 1fr)); align-items: start; }
    .form { display: grid; gap: 4px; padding-top: 8px; }
    .row { display: flex; flex-wrap: wrap; gap: 8px; }
    .row mat-form-field { flex: 1 1 140px; }
    .muted { color: var(--mat-sys-on-surface-variant); }
    .small { font: var(--mat-sys-body-small); }
    .section { font: var(--mat-sys-title-medium); margin: 24px 0 8px; }
    .table-wrap { overflow-x: auto; }
    .table { width: 100%; border-collapse: collapse; font: var(--mat-sys-body-medium); }
    th { text-align: left; font: var(--mat-sys-label-medium); color: var(--mat-sys-on-surface-variant); }
    th, td { padding: 6px 8px; border-bottom: 1px solid var(--mat-sys-outline-variant); }
    .who { overflow-wrap: anywhere; }
    .nowrap { white-space: nowrap; }
    .status { padding: 0 8px; border-radius: 999px; border: 1px solid currentColor; font: var(--mat-sys-label-small); white-space: nowrap; }
    .status-pending { color: light-dark(#0b6b2f, #7fe0a0); }
    .status-used, .status-expired { color: var(--mat-sys-on-surface-variant); }
    .status-revoked { color: var(--mat-sys-error); }
    .danger-text { color: var(--mat-sys-error); }
    p { margin: 8px 0 0; }
  `,
})
export class AdminRegistrationComponent {
  private readonly api = inject(AdminApi);
  private readonly dialog = inject(MatDialog);
  private readonly notify = inject(NotifyService);

  protected readonly settings = signal<RegistrationSettings | null>(null);
  protected readonly loadError = signal('');
  protected readonly saving = signal(false);
  /** null while loading. */
  protected readonly invites = signal<Invite[] | null>(null);
  protected readonly created = signal<CreatedInvite | null>(null);
  protected readonly creating = signal(false);
  protected readonly createError = signal('');
  protected readonly form = inject(NonNullableFormBuilder).group({
    email: ['', [Validators.email, Validators.maxLength(254)]],
    role: ['user' as UserRole],
    expiresInHours: [72],
  });

  constructor() {
    this.load();
  }

  protected load(): void {
    this.loadError.set('');
    this.api.registration().subscribe({ next: (s) => this.settings.set(s), error: (err: unknown) => this.loadError.set(describeHttpError(err).message) });
    this.api.invites().subscribe({ next: (list) => this.invites.set(list), error: () => this.invites.set([]) });
  }

  protected statusLabel(i: Invite): string {
    return STATUS_LABELS[i.status];
  }

  protected link(c: CreatedInvite): string {
    return inviteLink(c.token);
  }

  protected setMode(mode: RegistrationMode): void {
    const previous = this.settings();
    this.saving.set(true);
    this.api.setRegistration(mode).subscribe({
      next: (s) => {
        this.saving.set(false);
        this.settings.set(s);
        void this.notify.success(mode === 'open' ? 'Anyone may register now' : 'Registration is by invitation only now');
      },
      error: () => {
        this.saving.set(false);
        // Back to what the server has: the toggle must not show a mode that was not saved.
        this.settings.set(previous ? { ...previous } : null);
      },
    });
  }

  protected create(): void {
    if (this.form.invalid) return this.form.markAllAsTouched();
    const { email, role, expiresInHours } = this.form.getRawValue();
    this.creating.set(true);
    this.createError.set('');
    this.api.createInvite({ ...(email.trim() ? { email: email.trim() } : {}), role, expiresInHours }).subscribe({
      next: (c) => {
        this.creating.set(false);
        this.created.set(c);
        this.form.reset({ email: '', role: 'user', expiresInHours: 72 });
        const { token: _token, url: _url, ...invite } = c;
        this.invites.update((list) => [invite, ...(list ?? [])]);
        void this.notify.success('Invite link created: copy it now, it is shown once');
      },
      error: (err: unknown) => {
        this.creating.set(false);
        this.createError.set(describeHttpError(err).message);
      },
    });
  }

  protected revoke(i: Invite): void {
    openConfirm(this.dialog, {
      title: 'Revoke this invite?',
      message: `The link ${i.email ? 'for ' + i.email + ' ' : ''}stops working at once. Accounts already created with it stay.`,
      confirmText: 'Revoke',
    }).subscribe((ok) => {
      if (!ok) return;
      this.api.revokeInvite(i.id).subscribe((updated) => {
        this.invites.update((list) => (list ?? []).map((x) => (x.id === updated.id ? updated : x)));
        if (this.created()?.id === i.id) this.created.set(null);
        void this.notify.success('Invite revoked');
      });
    });
  }
}
