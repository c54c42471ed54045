import { ChangeDetectionStrategy, Component, OnInit, computed, inject, input, signal } from '@angular/core';
import { NonNullableFormBuilder, ReactiveFormsModule, Validators } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatProgressSpinnerModule } from '@angular/material/progress-spinner';
import { Router, RouterLink } from '@angular/router';
import { toSignal } from '@angular/core/rxjs-interop';
import type { InviteCheck, RegistrationStatus } from '@chatops/protocol/admin';
import { describeHttpError } from '../../core/api/error-message';
import { RegistrationApi } from '../../core/api/registration-api.service';
import { SignInApi } from '../../core/api/sign-in-api.service';
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
      @switch (gate()) {
        @case ('sso') {
          <p class="muted" role="status" data-testid="registration-off">
            Accounts are created by signing in with single sign-on on this instance.
          </p>
          <div class="actions"><a routerLink="/login">Go to sign-in</a></div>
        }
        @case ('invited') {
          <p class="muted" data-testid="invite-note">You were invited{{ inviteInfo()!.role === 'admin' ? ' as an administrator' : '' }}.
            The invite works once{{ inviteInfo()!.email ? ', for ' + inviteInfo()!.email : '' }}.</p>
        }
        @case ('bad-invite') {
          <p class="error" role="alert" data-testid="invite-error">{{ inviteError() }}</p>
        }
        @case ('closed') {
          <p data-testid="invite-required">Registration on this ChatOps is by invitation only. Ask an administrator for an invite link,
            then open it to create your account.</p>
          <div class="actions"><a routerLink="/login">I already have an account</a></div>
        }
        @default { <p class="muted">The first account becomes the administrator.</p> }
      }
      @if (gate() === 'open' || gate() === 'invited') {
      <form [formGroup]="form" (ngSubmit)="submit()" novalidate>
        @if (error()) { <p class="error" role="alert">{{ error() }}</p> }
        <mat-form-field>
          <mat-label>Email</mat-label>
          <input matInput type="email" formControlName="email" autocomplete="email" required [readonly]="!!inviteInfo()?.email" />
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
      } @else if (gate() === 'bad-invite') {
        <div class="actions"><a routerLink="/login">I already have an account</a></div>
      }
    </main>
  `,
})
export class RegisterPage implements OnInit {
  private readonly auth = inject(AuthService);
  private readonly router = inject(Router);
  private readonly registration = inject(RegistrationApi);
  readonly returnUrl = input<string>();
  /** Password sign-in and single sign-on options; the form shows while they load. */
  protected readonly signIn = toSignal(inject(SignInApi).options());
  /** The token of an invite link (`/register?invite=…`). */
  readonly invite = input<string>();

  protected readonly status = signal<RegistrationStatus | null>(null);
  protected readonly inviteInfo = signal<InviteCheck | null>(null);
  protected readonly inviteError = signal<string | null>(null);
  /**
   * What the page offers: the form (`open`, also while the status loads: open is the default),
   * the form for an invite, why an invite link does not work, that an invite is needed, or that
   * accounts come from single sign-on (no password sign-in on this instance).
   */
  protected readonly gate = computed<'open' | 'invited' | 'bad-invite' | 'closed' | 'sso'>(() => {
    if (this.signIn()?.localLogin === false) return 'sso';
    if (this.inviteError()) return 'bad-invite';
    if (this.inviteInfo()) return 'invited';
    return this.status()?.inviteRequired && !this.invite() ? 'closed' : 'open';
  });

  protected readonly form = inject(NonNullableFormBuilder).group({
    email: ['', [Validators.required, Validators.email]],
    username: ['', [Validators.required, Validators.minLength(3), Validators.maxLength(64)]],
    password: ['', [Validators.required, Validators.minLength(8)]],
    fullName: [''],
  });
  protected readonly loading = signal(false);
  protected readonly error = signal<string | null>(null);

  ngOnInit(): void {
    // Without an answer the form stays: the server still refuses what it must, with a clear message.
    this.registration.status().subscribe({ next: (s) => this.status.set(s), error: () => undefined });
    const token = this.invite();
    if (!token) return;
    this.registration.checkInvite(token).subscribe({
      next: (info) => {
        this.inviteInfo.set(info);
        if (info.email) this.form.controls.email.setValue(info.email);
      },
      error: (err: unknown) => this.inviteError.set(describeHttpError(err).message),
    });
  }

  protected submit(): void {
    if (this.form.invalid) {
      this.form.markAllAsTouched();
      return;
    }
    const { fullName, ...rest } = this.form.getRawValue();
    this.loading.set(true);
    this.error.set(null);
    const token = this.invite();
    const body = { ...rest, ...(fullName.trim() ? { fullName: fullName.trim() } : {}), ...(token ? { inviteToken: token } : {}) };
    this.auth.register(body).subscribe({
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
