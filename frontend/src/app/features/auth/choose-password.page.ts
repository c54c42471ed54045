import { ChangeDetectionStrategy, Component, inject, input, signal } from '@angular/core';
import { NonNullableFormBuilder, ReactiveFormsModule, Validators } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatProgressSpinnerModule } from '@angular/material/progress-spinner';
import { Router } from '@angular/router';
import { describeHttpError } from '../../core/api/error-message';
import { AuthService } from '../../core/auth/auth.service';
import { safeReturnUrl } from './login.page';
import { NewPasswordFieldsComponent, newPasswordGroup } from './new-password-fields.component';

/**
 * Shown after signing in with a temporary password an admin set: the API refuses everything else
 * (403 `auth.password_change_required`) until the user picks their own.
 */
@Component({
  selector: 'app-choose-password-page',
  imports: [ReactiveFormsModule, MatFormFieldModule, MatInputModule, MatButtonModule, MatProgressSpinnerModule, NewPasswordFieldsComponent],
  changeDetection: ChangeDetectionStrategy.OnPush,
  styleUrl: './auth-page.scss',
  template: `
    <main class="card" aria-labelledby="choose-title">
      <h1 id="choose-title">Choose a new password</h1>
      <p class="muted">An administrator set a temporary password for {{ auth.user()?.username }}. Choose your own to continue.</p>
      <form [formGroup]="form" (ngSubmit)="submit()" novalidate>
        @if (error()) { <p class="error" role="alert" data-testid="choose-error">{{ error() }}</p> }
        <mat-form-field>
          <mat-label>Temporary password</mat-label>
          <input matInput type="password" formControlName="currentPassword" autocomplete="current-password" required data-testid="current-password" />
          @if (form.controls.currentPassword.hasError('required')) { <mat-error>Enter the temporary password</mat-error> }
        </mat-form-field>
        <app-new-password-fields [group]="form.controls.passwords" />
        <div class="actions">
          <button mat-button type="button" (click)="signOut()">Sign out</button>
          <button mat-flat-button type="submit" [disabled]="saving()" [attr.aria-busy]="saving()" data-testid="choose-submit">
            @if (saving()) { <mat-spinner diameter="18" aria-hidden="true" /> Saving… } @else { Save and continue }
          </button>
        </div>
      </form>
    </main>
  `,
})
export class ChoosePasswordPage {
  protected readonly auth = inject(AuthService);
  private readonly router = inject(Router);
  /** Where the user was going (query string, withComponentInputBinding). */
  readonly returnUrl = input<string>();

  private readonly fb = inject(NonNullableFormBuilder);
  protected readonly form = this.fb.group({ currentPassword: ['', Validators.required], passwords: newPasswordGroup(this.fb) });
  protected readonly saving = signal(false);
  protected readonly error = signal<string | null>(null);

  protected submit(): void {
    if (this.form.invalid) return this.form.markAllAsTouched();
    const { currentPassword, passwords: { newPassword } } = this.form.getRawValue();
    this.saving.set(true);
    this.error.set(null);
    this.auth.changePassword({ currentPassword, newPassword }).subscribe({
      next: () => {
        this.saving.set(false);
        const target = safeReturnUrl(this.returnUrl());
        void this.router.navigateByUrl(target.startsWith('/choose-password') ? '/' : target);
      },
      error: (err: unknown) => {
        this.saving.set(false);
        const info = describeHttpError(err);
        this.error.set(info.status === 403 && /current password/i.test(info.message) ? 'The temporary password is not right.' : info.message);
      },
    });
  }

  protected signOut(): void {
    void this.auth.logout();
  }
}
