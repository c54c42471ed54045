import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { NonNullableFormBuilder, ReactiveFormsModule, Validators } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MAT_DIALOG_DATA, MatDialogModule, MatDialogRef } from '@angular/material/dialog';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';

export interface ResetPasswordDialogData { username: string }

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

/** Asks for the temporary password an admin sets for a user; closes with it (or undefined when cancelled). */
@Component({
  selector: 'app-reset-password-dialog',
  imports: [ReactiveFormsModule, MatDialogModule, MatButtonModule, MatFormFieldModule, MatInputModule],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <h2 mat-dialog-title>Reset the password of {{ data.username }}?</h2>
    <form [formGroup]="form" (ngSubmit)="submit()">
      <mat-dialog-content>
        <p>All of {{ data.username }}'s sessions end at once. Hand the temporary password over in person or through a
          channel you trust, and ask them to change it in Profile.</p>
        <mat-form-field class="full-width">
          <mat-label>Temporary password</mat-label>
          <input matInput formControlName="password" [type]="shown() ? 'text' : 'password'" autocomplete="new-password" spellcheck="false" data-testid="temp-password" required />
          <mat-hint>At least 8 characters</mat-hint>
          @if (form.controls.password.invalid) { <mat-error>At least 8 characters</mat-error> }
        </mat-form-field>
        <div class="row">
          <button mat-stroked-button type="button" (click)="generate()">Generate</button>
          <button mat-button type="button" (click)="shown.set(!shown())" [attr.aria-pressed]="shown()">{{ shown() ? 'Hide' : 'Show' }}</button>
        </div>
      </mat-dialog-content>
      <mat-dialog-actions align="end">
        <button mat-button type="button" mat-dialog-close>Cancel</button>
        <button mat-flat-button type="submit" class="danger" data-testid="confirm-reset">Reset password</button>
      </mat-dialog-actions>
    </form>
  `,
  styles: `
    .full-width { width: 100%; }
    .row { display: flex; gap: 8px; flex-wrap: wrap; }
    .danger { background: var(--mat-sys-error); color: var(--mat-sys-on-error); }
  `,
})
export class ResetPasswordDialogComponent {
  protected readonly data = inject<ResetPasswordDialogData>(MAT_DIALOG_DATA);
  private readonly ref = inject<MatDialogRef<ResetPasswordDialogComponent, string>>(MatDialogRef);
  protected readonly shown = signal(false);
  protected readonly form = inject(NonNullableFormBuilder).group({ password: ['', [Validators.required, Validators.minLength(8), Validators.maxLength(256)]] });

  protected generate(): void {
    this.form.controls.password.setValue(generatePassword());
    this.shown.set(true);
  }

  protected submit(): void {
    if (this.form.invalid) return this.form.markAllAsTouched();
    this.ref.close(this.form.controls.password.value);
  }
}
