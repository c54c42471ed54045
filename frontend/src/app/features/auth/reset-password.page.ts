import { ChangeDetectionStrategy, Component, inject, input, signal } from '@angular/core';
import { NonNullableFormBuilder, ReactiveFormsModule } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatProgressSpinnerModule } from '@angular/material/progress-spinner';
import { RouterLink } from '@angular/router';
import { describeHttpError } from '../../core/api/error-message';
import { AuthService } from '../../core/auth/auth.service';
import { NewPasswordFieldsComponent, newPasswordGroup } from './new-password-fields.component';

/**
 * `/reset-password/<token>`: the one-time link an admin created. The user picks a new password
 * without signing in; every session of theirs ends, then they sign in with it.
 */
@Component({
  selector: 'app-reset-password-page',
  imports: [ReactiveFormsModule, MatButtonModule, MatProgressSpinnerModule, RouterLink, NewPasswordFieldsComponent],
  changeDetection: ChangeDetectionStrategy.OnPush,
  styleUrl: './auth-page.scss',
  template: `
    <main class="card" aria-labelledby="reset-title">
      <h1 id="reset-title">Reset your password</h1>
      @if (done()) {
        <p role="status" data-testid="reset-done">Your password was changed and every session of yours was signed out.</p>
        <div class="actions"><span></span><a mat-flat-button routerLink="/login">Sign in</a></div>
      } @else {
        <p class="muted">Choose a new password. This link works once.</p>
        <form [formGroup]="form" (ngSubmit)="submit()" novalidate>
          @if (error()) { <p class="error" role="alert" data-testid="reset-error">{{ error() }}</p> }
          <app-new-password-fields [group]="form" />
          <div class="actions">
            <a routerLink="/login">Back to sign-in</a>
            <button mat-flat-button type="submit" [disabled]="saving()" [attr.aria-busy]="saving()" data-testid="reset-submit">
              @if (saving()) { <mat-spinner diameter="18" aria-hidden="true" /> Saving… } @else { Set password }
            </button>
          </div>
        </form>
      }
    </main>
  `,
})
export class ResetPasswordPage {
  private readonly auth = inject(AuthService);
  /** The link's token (route parameter, withComponentInputBinding). */
  readonly token = input.required<string>();

  protected readonly form = newPasswordGroup(inject(NonNullableFormBuilder));
  protected readonly saving = signal(false);
  protected readonly done = signal(false);
  protected readonly error = signal<string | null>(null);

  protected submit(): void {
    if (this.form.invalid) return this.form.markAllAsTouched();
    this.saving.set(true);
    this.error.set(null);
    this.auth.completePasswordReset({ token: this.token(), newPassword: this.form.getRawValue().newPassword }).subscribe({
      next: () => {
        this.saving.set(false);
        this.done.set(true);
      },
      error: (err: unknown) => {
        this.saving.set(false);
        this.error.set(describeHttpError(err).message);
      },
    });
  }
}
