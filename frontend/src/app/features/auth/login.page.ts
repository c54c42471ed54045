import { ChangeDetectionStrategy, Component, computed, inject, input, signal } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import { NonNullableFormBuilder, ReactiveFormsModule, Validators } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatProgressSpinnerModule } from '@angular/material/progress-spinner';
import { Router, RouterLink } from '@angular/router';
import type { OidcSignInError } from '@chatops/protocol';
import { describeHttpError } from '../../core/api/error-message';
import { SignInApi } from '../../core/api/sign-in-api.service';
import { AuthService } from '../../core/auth/auth.service';

/** What a failed single sign-on (`/login?oidcError=<code>`) means to the person. */
const OIDC_ERRORS: Record<OidcSignInError, string> = {
  'oidc.disabled': 'Single sign-on is not configured on this instance.',
  'oidc.provider_unavailable': 'The sign-in provider is not reachable right now. Try again in a moment.',
  'oidc.state_invalid': 'That sign-in expired or was started elsewhere. Please sign in again.',
  'oidc.denied': 'The sign-in provider did not allow the sign-in.',
  'oidc.exchange_failed': 'The sign-in could not be completed. Please sign in again.',
  'oidc.email_in_use': 'An account with your email already exists here. Sign in with its password, or ask an administrator.',
  'oidc.account_disabled': 'This account is disabled; ask an administrator.',
  'oidc.registration_closed': 'Registration here is by invitation only: ask an administrator for an invite, then link your sign-in.',
};

@Component({
  selector: 'app-login-page',
  imports: [ReactiveFormsModule, MatFormFieldModule, MatInputModule, MatButtonModule, MatProgressSpinnerModule, RouterLink],
  changeDetection: ChangeDetectionStrategy.OnPush,
  styleUrl: './auth-page.scss',
  template: `
    <main class="card" aria-labelledby="login-title">
      <h1 id="login-title">Sign in to ChatOps</h1>
      <p class="muted">Monitor and operate your servers.</p>
      @if (oidcMessage(); as m) { <p class="error" role="alert" data-testid="oidc-error">{{ m }}</p> }
      @if (options(); as o) {
        @if (o.oidcEnabled) {
          <a mat-flat-button class="sso" [href]="oidcUrl()" data-testid="oidc-login">{{ o.oidcButtonLabel }}</a>
          @if (o.localLogin) { <p class="divider muted" aria-hidden="true">or with a password</p> }
        }
        @if (o.localLogin) {
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
        } @else if (!o.oidcEnabled) {
          <p class="muted">No sign-in method is available. Ask an administrator.</p>
        }
      } @else {
        <p class="loading muted" role="status"><mat-spinner diameter="18" aria-hidden="true" /> Loading sign-in options…</p>
      }
    </main>
  `,
  styles: `
    .sso { width: 100%; margin-top: 16px; }
    .divider { text-align: center; margin: 16px 0 0; font: var(--mat-sys-body-small); }
    .loading { display: flex; align-items: center; margin-top: 16px; }
  `,
})
export class LoginPage {
  private readonly auth = inject(AuthService);
  private readonly signIn = inject(SignInApi);
  private readonly router = inject(Router);
  /** Bound from the query string (withComponentInputBinding). */
  readonly returnUrl = input<string>();
  /** Set by the single sign-on callback when it failed. */
  readonly oidcError = input<string>();

  /** undefined while loading. */
  protected readonly options = toSignal(this.signIn.options());
  protected readonly oidcUrl = computed(() => this.signIn.oidcLoginUrl(safeReturnUrl(this.returnUrl())));
  protected readonly oidcMessage = computed(() => {
    const code = this.oidcError();
    if (!code) return null;
    return code in OIDC_ERRORS ? OIDC_ERRORS[code as OidcSignInError] : 'Single sign-on failed. Please try again.';
  });

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
