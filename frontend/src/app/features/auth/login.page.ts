import { ChangeDetectionStrategy, Component, inject, input, signal } from '@angular/core';
import { NonNullableFormBuilder, ReactiveFormsModule, Validators } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatProgressSpinnerModule } from '@angular/material/progress-spinner';
import { Router, RouterLink } from '@angular/router';
import { describeHttpError } from '../../core/api/error-message';
import { AuthService } from '../../core/auth/auth.service';

@Component({
  selector: 'app-login-page',
  imports: [ReactiveFormsModule, MatFormFieldModule, MatInputModule, MatButtonModule, MatProgressSpinnerModule, RouterLink],
  changeDetection: ChangeDetectionStrategy.OnPush,
  styleUrl: './auth-page.scss',
  template: `
    <main class="card" aria-labelledby="login-title">
      <h1 id="login-title">Sign in to ChatOps</h1>
      <p class="muted">Monitor and operate your servers.</p>
      <form [formGroup]="form" (ngSubmit)="submit()" novalidate>
        @if (error()) { <p class="error" role="alert" data-testid="login-error">{{ error() }}</p> }
        <mat-form-field>
          <mat-label>Username or email</mat-label>
          <input matInput formControlName="username" autocomplete="username" required />
          @if (form.controls.username.hasError('required')) { <mat-error>Enter your username or email</mat-error> }
        </mat-form-field>
        <mat-form-field>
          <mat-label>Password</mat-label>
          <input matInput type="password" formControlName="password" autocomplete="current-password" required />
          @if (form.controls.password.hasError('required')) { <mat-error>Enter your password</mat-error> }
        </mat-form-field>
        <div class="actions">
          <a routerLink="/register" [queryParams]="returnUrl() ? { returnUrl: returnUrl() } : {}">Create an account</a>
          <button mat-flat-button type="submit" [disabled]="loading()" [attr.aria-busy]="loading()">
            @if (loading()) { <mat-spinner diameter="18" aria-hidden="true" /> Signing in… } @else { Sign in }
          </button>
        </div>
      </form>
    </main>
  `,
})
export class LoginPage {
  private readonly auth = inject(AuthService);
  private readonly router = inject(Router);
  /** Bound from the query string (withComponentInputBinding). */
  readonly returnUrl = input<string>();

  protected readonly form = inject(NonNullableFormBuilder).group({
    username: ['', Validators.required],
    password: ['', Validators.required],
  });
  protected readonly loading = signal(false);
  protected readonly error = signal<string | null>(null);

  protected submit(): void {
    if (this.form.invalid) {
      this.form.markAllAsTouched();
      return;
    }
    this.loading.set(true);
    this.error.set(null);
    this.auth.login(this.form.getRawValue()).subscribe({
      next: () => {
        this.loading.set(false);
        void this.router.navigateByUrl(safeReturnUrl(this.returnUrl()));
      },
      error: (err: unknown) => {
        this.loading.set(false);
        const info = describeHttpError(err);
        this.error.set(info.status === 401 ? 'Wrong username/email or password.' : info.message);
      },
    });
  }
}

/** Only same-app paths: never redirect to another origin after sign-in. */
export function safeReturnUrl(url: string | undefined | null): string {
  return url && url.startsWith('/') && !url.startsWith('//') && !url.startsWith('/login') ? url : '/';
}
