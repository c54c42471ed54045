import { ChangeDetectionStrategy, Component, effect, inject, signal } from '@angular/core';
import { AbstractControl, NonNullableFormBuilder, ReactiveFormsModule, ValidationErrors, Validators } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatButtonToggleModule } from '@angular/material/button-toggle';
import { MatCardModule } from '@angular/material/card';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { ApiErrorInfo, describeHttpError } from '../../core/api/error-message';
import { AuthService } from '../../core/auth/auth.service';
import { NotifyService } from '../../core/notify/notify.service';
import { ThemeMode, ThemeService } from '../../core/theme/theme.service';
import { ApiTokensCardComponent } from './api-tokens-card.component';
import { FormErrorComponent } from '../../shared/ui/form-error.component';
import { ChatIntegrationsCardComponent } from './chat-integrations-card.component';
import { ChatLinksCardComponent } from './chat-links-card.component';
import { SessionsCardComponent } from './sessions-card.component';
import { ThresholdsCardComponent } from './thresholds-card.component';

function passwordsMatch(group: AbstractControl): ValidationErrors | null {
  const v = group.value as { newPassword: string; confirm: string };
  return v.newPassword && v.confirm && v.newPassword !== v.confirm ? { mismatch: true } : null;
}

@Component({
  selector: 'app-profile-page',
  imports: [ReactiveFormsModule, MatCardModule, MatFormFieldModule, MatInputModule, MatButtonModule, MatButtonToggleModule, ThresholdsCardComponent, ChatLinksCardComponent, ChatIntegrationsCardComponent, SessionsCardComponent, ApiTokensCardComponent, FormErrorComponent],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <div class="page">
      <div class="page-header"><h1>Profile</h1></div>
      <div class="grid">
        <mat-card appearance="outlined">
          <mat-card-header><mat-card-title>Account</mat-card-title>
            <mat-card-subtitle>{{ auth.user()?.username }} · {{ auth.user()?.role }}</mat-card-subtitle></mat-card-header>
          <mat-card-content>
            <form [formGroup]="profile" (ngSubmit)="saveProfile()" class="form">
              <mat-form-field>
                <mat-label>Full name</mat-label>
                <input matInput formControlName="fullName" autocomplete="name" />
              </mat-form-field>
              <mat-form-field>
                <mat-label>Email</mat-label>
                <input matInput type="email" formControlName="email" autocomplete="email" required />
                @if (profile.controls.email.hasError('required')) { <mat-error>Email is required</mat-error> }
                @else if (profile.controls.email.hasError('email')) { <mat-error>Enter a valid email address</mat-error> }
              </mat-form-field>
              <app-form-error [error]="profileError()" />
              <div><button mat-flat-button type="submit" [disabled]="savingProfile() || profile.pristine">Save</button></div>
            </form>
          </mat-card-content>
        </mat-card>

        <mat-card appearance="outlined">
          <mat-card-header><mat-card-title>Change password</mat-card-title>
            <mat-card-subtitle>Signs out your other sessions</mat-card-subtitle></mat-card-header>
          <mat-card-content>
            <form [formGroup]="password" (ngSubmit)="changePassword()" class="form">
              <mat-form-field>
                <mat-label>Current password</mat-label>
                <input matInput type="password" formControlName="currentPassword" autocomplete="current-password" required />
                @if (password.controls.currentPassword.hasError('required')) { <mat-error>Enter your current password</mat-error> }
              </mat-form-field>
              <mat-form-field>
                <mat-label>New password</mat-label>
                <input matInput type="password" formControlName="newPassword" autocomplete="new-password" required />
                <mat-hint>At least 8 characters</mat-hint>
                @if (password.controls.newPassword.hasError('minlength') || password.controls.newPassword.hasError('required')) { <mat-error>At least 8 characters</mat-error> }
              </mat-form-field>
              <mat-form-field>
                <mat-label>Repeat new password</mat-label>
                <input matInput type="password" formControlName="confirm" autocomplete="new-password" required />
              </mat-form-field>
              @if (password.hasError('mismatch') && password.controls.confirm.touched) { <p class="error-text" role="alert">The new passwords do not match.</p> }
              <app-form-error [error]="passwordError()" />
              <div><button mat-flat-button type="submit" [disabled]="savingPassword()">Change password</button></div>
            </form>
          </mat-card-content>
        </mat-card>

        <mat-card appearance="outlined">
          <mat-card-header><mat-card-title id="theme-label">Theme</mat-card-title></mat-card-header>
          <mat-card-content>
            <mat-button-toggle-group aria-labelledby="theme-label" [value]="theme.mode()" (change)="setTheme($event.value)">
              <mat-button-toggle value="light">Light</mat-button-toggle>
              <mat-button-toggle value="dark">Dark</mat-button-toggle>
              <mat-button-toggle value="system">System</mat-button-toggle>
            </mat-button-toggle-group>
          </mat-card-content>
        </mat-card>

        <app-sessions-card />
        <app-api-tokens-card />
        <app-thresholds-card />
        <app-chat-links-card />
        @if (auth.user()?.role === 'admin') { <app-chat-integrations-card /> }
      </div>
    </div>
  `,
  styles: `
    .grid { display: grid; gap: 16px; grid-template-columns: repeat(auto-fit, minmax(300px, 1fr)); align-items: start; }
    .form { display: grid; gap: 4px; padding-top: 8px; }
  `,
})
export class ProfilePage {
  protected readonly auth = inject(AuthService);
  protected readonly theme = inject(ThemeService);
  private readonly notify = inject(NotifyService);
  private readonly fb = inject(NonNullableFormBuilder);

  protected readonly profile = this.fb.group({
    fullName: [''],
    email: ['', [Validators.required, Validators.email]],
  });
  protected readonly password = this.fb.group(
    {
      currentPassword: ['', Validators.required],
      newPassword: ['', [Validators.required, Validators.minLength(8)]],
      confirm: ['', Validators.required],
    },
    { validators: passwordsMatch },
  );
  protected readonly savingProfile = signal(false);
  protected readonly savingPassword = signal(false);
  /** Why the last save / password change failed, shown in its form (no toast). */
  protected readonly profileError = signal<ApiErrorInfo | null>(null);
  protected readonly passwordError = signal<ApiErrorInfo | null>(null);

  constructor() {
    effect(() => {
      const u = this.auth.user();
      if (u && this.profile.pristine) this.profile.reset({ fullName: u.fullName ?? '', email: u.email });
    });
  }

  protected saveProfile(): void {
    if (this.profile.invalid) return this.profile.markAllAsTouched();
    const { fullName, email } = this.profile.getRawValue();
    this.savingProfile.set(true);
    this.profileError.set(null);
    this.auth.updateProfile({ fullName: fullName.trim() || null, email }).subscribe({
      next: (u) => {
        this.savingProfile.set(false);
        this.profile.reset({ fullName: u.fullName ?? '', email: u.email });
        this.notify.success('Profile saved');
      },
      error: (err: unknown) => {
        this.profileError.set(describeHttpError(err));
        this.savingProfile.set(false);
      },
    });
  }

  protected changePassword(): void {
    if (this.password.invalid) return this.password.markAllAsTouched();
    const { currentPassword, newPassword } = this.password.getRawValue();
    this.savingPassword.set(true);
    this.passwordError.set(null);
    this.auth.changePassword({ currentPassword, newPassword }).subscribe({
      next: () => {
        this.savingPassword.set(false);
        this.password.reset();
        this.notify.success('Password changed; your other sessions were signed out');
      },
      error: (err: unknown) => {
        this.passwordError.set(describeHttpError(err));
        this.savingPassword.set(false);
      },
    });
  }

  protected setTheme(mode: ThemeMode): void {
    this.theme.set(mode);
  }
}
