import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { NonNullableFormBuilder, ReactiveFormsModule, Validators } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MAT_DIALOG_DATA, MatDialogModule, MatDialogRef } from '@angular/material/dialog';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatRadioModule } from '@angular/material/radio';

export interface ResetPasswordDialogData { username: string }
/** What the admin chose: a temporary password to hand over, or a one-time link. */
export type ResetPasswordChoice = { mode: 'password'; password: string } | { mode: 'link' };

/** 16 characters from an alphabet without look-alikes (no 0/O, 1/l/I), from the browser's CSPRNG. */
export function generatePassword(length = 16): string {
  const alphabet = 'abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  const bytes = crypto.getRandomValues(new Uint8Array(length * 2));
  let out = '';
  // Rejection sampling keeps every character equally likely (256 is not a multiple of the alphabet).
  for (const b of bytes) {
    if (b < 256 - (256 % alphabet.length)) out += alphabet[b % alphabet.length];
    if (out.length === length) break;
  }
  return out.length === length ? out : generatePassword(length);
}

/**
 * Asks how to reset a user's password: a temporary password the user must change at the next
 * sign-in, or a one-time link (1 hour) where they choose one without signing in. Closes with the
 * choice (undefined when cancelled).
 */
@Component({
  selector: 'app-reset-password-dialog',
  imports: [ReactiveFormsModule, MatDialogModule, MatButtonModule, MatFormFieldModule, MatInputModule, MatRadioModule],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <h2 mat-dialog-title id="reset-dialog-title">Reset the password of {{ data.username }}?</h2>
    <form [formGroup]="form" (ngSubmit)="submit()">
      <mat-dialog-content>
        <mat-radio-group formControlName="mode" class="modes" aria-labelledby="reset-dialog-title">
          <mat-radio-button value="link" data-testid="mode-link">
            <strong>Create a one-time link</strong><br />
            <span class="muted">{{ data.username }} opens it and chooses a password without signing in. It works once, for one hour;
              their sessions end when it is used.</span>
          </mat-radio-button>
          <mat-radio-button value="password" data-testid="mode-password">
            <strong>Set a temporary password</strong><br />
            <span class="muted">All of {{ data.username }}'s sessions end at once; they must choose a new password when they next sign in.</span>
          </mat-radio-button>
        </mat-radio-group>
        @if (form.controls.mode.value === 'password') {
          <mat-form-field class="full-width">
            <mat-label>Temporary password</mat-label>
            <input matInput formControlName="password" [type]="shown() ? 'text' : 'password'" autocomplete="new-password" spellcheck="false" data-testid="temp-password" required />
            <mat-hint>At least 8 characters. Hand it over in person or through a channel you trust.</mat-hint>
            @if (form.controls.password.invalid) { <mat-error>At least 8 characters</mat-error> }
          </mat-form-field>
          <div class="row">
            <button mat-stroked-button type="button" (click)="generate()">Generate</button>
            <button mat-button type="button" (click)="shown.set(!shown())" [attr.aria-pressed]="shown()">{{ shown() ? 'Hide' : 'Show' }}</button>
          </div>
        }
      </mat-dialog-content>
      <mat-dialog-actions align="end">
        <button mat-button type="button" mat-dialog-close>Cancel</button>
        <button mat-flat-button type="submit" class="danger" data-testid="confirm-reset">
          {{ form.controls.mode.value === 'link' ? 'Create link' : 'Reset password' }}
        </button>
      </mat-dialog-actions>
    </form>
  `,
  styles: `
    .full-width { width: 100%; margin-top: 12px; }
    .modes { display: grid; gap: 12px; margin-bottom: 8px; }
    .row { display: flex; gap: 8px; flex-wrap: wrap; margin-top: 8px; }
    .danger { background: var(--mat-sys-error); color: var(--mat-sys-on-error); }
  `,
})
export class ResetPasswordDialogComponent {
  protected readonly data = inject<ResetPasswordDialogData>(MAT_DIALOG_DATA);
  private readonly ref = inject<MatDialogRef<ResetPasswordDialogComponent, ResetPasswordChoice>>(MatDialogRef);
  protected readonly shown = signal(false);
  protected readonly form = inject(NonNullableFormBuilder).group({
    mode: ['link' as 'link' | 'password'],
    password: ['', [Validators.required, Validators.minLength(8), Validators.maxLength(256)]],
  });

  protected generate(): void {
    this.form.controls.password.setValue(generatePassword());
    this.shown.set(true);
  }

  protected submit(): void {
    if (this.form.controls.mode.value === 'link') return this.ref.close({ mode: 'link' });
    if (this.form.controls.password.invalid) return this.form.markAllAsTouched();
    this.ref.close({ mode: 'password', password: this.form.controls.password.value });
  }
}
