import { ChangeDetectionStrategy, Component, inject, input, signal } from '@angular/core';
import { NonNullableFormBuilder, ReactiveFormsModule, Validators } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatProgressSpinnerModule } from '@angular/material/progress-spinner';
import { Router, RouterLink } from '@angular/router';
import { describeHttpError } from '../../core/api/error-message';
import { AuthService } from '../../core/auth/auth.service';
import { safeReturnUrl } from './login.page';

@Component({
  selector: 'app-register-page',
  imports: [ReactiveFormsModule, MatFormFieldModule, MatInputModule, MatButtonModule, MatProgressSpinnerModule, RouterLink],
  changeDetection: ChangeDetectionStrategy.OnPush,
  styleUrl: './auth-page.scss',
  template: `
    <main class="card" aria-labelledby="register-title">
      <h1 id="register-title">Create your account</h1>
      <p class="muted">The first account becomes the administrator.</p>
      <form [formGroup]="form" (ngSubmit)="submit()" novalidate>
        @if (error()) { <p class="error" role="alert">{{ error() }}</p> }
        <mat-form-field>
          <mat-label>Email</mat-label>
          <input matInput type="email" formControlName="email" autocomplete="email" required />
          @if (form.controls.email.hasError('required')) { <mat-error>Enter your email</mat-error> }
          @else if (form.controls.email.hasError('email')) { <mat-error>Enter a valid email address</mat-error> }
        </mat-form-field>
        <mat-form-field>
          <mat-label>Username</mat-label>
          <input matInput formControlName="username" autocomplete="username" required />
          @if (form.controls.username.hasError('required')) { <mat-error>Choose a username</mat-error> }
          @else if (form.controls.username.invalid) { <mat-error>3 to 64 characters</mat-error> }
        </mat-form-field>
        <mat-form-field>
          <mat-label>Password</mat-label>
          <input matInput type="password" formControlName="password" autocomplete="new-password" required />
          <mat-hint>At least 8 characters</mat-hint>
          @if (form.controls.password.hasError('required')) { <mat-error>Choose a password</mat-error> }
          @else if (form.controls.password.hasError('minlength')) { <mat-error>At least 8 characters</mat-error> }
        </mat-form-field>
        <mat-form-field>
          <mat-label>Full name (optional)</mat-label>
          <input matInput formControlName="fullName" autocomplete="name" />
        </mat-form-field>
        <div class="actions">
          <a routerLink="/login">I already have an account</a>
          <button mat-flat-button type="submit" [disabled]="loading()" [attr.aria-busy]="loading()">
            @if (loading()) { <mat-spinner diameter="18" aria-hidden="true" /> Creating… } @else { Create account }
          </button>
        </div>
      </form>
    </main>
  `,
})
export class RegisterPage {
  private readonly auth = inject(AuthService);
  private readonly router = inject(Router);
  readonly returnUrl = input<string>();

  protected readonly form = inject(NonNullableFormBuilder).group({
    email: ['', [Validators.required, Validators.email]],
    username: ['', [Validators.required, Validators.minLength(3), Validators.maxLength(64)]],
    password: ['', [Validators.required, Validators.minLength(8)]],
    fullName: [''],
  });
  protected readonly loading = signal(false);
  protected readonly error = signal<string | null>(null);

  protected submit(): void {
    if (this.form.invalid) {
      this.form.markAllAsTouched();
      return;
    }
    const { fullName, ...rest } = this.form.getRawValue();
    this.loading.set(true);
    this.error.set(null);
    this.auth.register(fullName.trim() ? { ...rest, fullName: fullName.trim() } : rest).subscribe({
      next: () => {
        this.loading.set(false);
        void this.router.navigateByUrl(safeReturnUrl(this.returnUrl()));
      },
      error: (err: unknown) => {
        this.loading.set(false);
        this.error.set(describeHttpError(err).message);
      },
    });
  }
}
