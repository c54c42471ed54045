import { ChangeDetectionStrategy, Component, input } from '@angular/core';
import { AbstractControl, FormControl, FormGroup, NonNullableFormBuilder, ReactiveFormsModule, ValidationErrors, Validators } from '@angular/forms';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';

export type NewPasswordGroup = FormGroup<{ newPassword: FormControl<string>; confirm: FormControl<string> }>;

/** The new password and its repetition agree. */
export function samePasswords(group: AbstractControl): ValidationErrors | null {
  const { newPassword, confirm } = group.value as { newPassword?: string; confirm?: string };
  return newPassword && confirm && newPassword !== confirm ? { mismatch: true } : null;
}

/** A new password (8–256 characters, as the API requires) and its repetition, which must agree. */
export function newPasswordGroup(fb: NonNullableFormBuilder): NewPasswordGroup {
  return fb.group(
    {
      newPassword: ['', [Validators.required, Validators.minLength(8), Validators.maxLength(256)]],
      confirm: ['', Validators.required],
    },
    { validators: samePasswords },
  );
}

/**
 * The "new password" and "repeat it" fields with their messages, for every page where a user picks
 * a password (after a temporary one, from a reset link).
 */
@Component({
  selector: 'app-new-password-fields',
  imports: [ReactiveFormsModule, MatFormFieldModule, MatInputModule],
  changeDetection: ChangeDetectionStrategy.OnPush,
  // contents: the fields are items of the page's form grid; the message looks like the page's others
  styles: `
    :host { display: contents; }
    .error { color: var(--mat-sys-on-error-container); background: var(--mat-sys-error-container); padding: 8px 12px; border-radius: 8px; margin: 0 0 8px; }
  `,
  template: `
    <ng-container [formGroup]="group()">
      <mat-form-field>
        <mat-label>New password</mat-label>
        <input matInput type="password" formControlName="newPassword" autocomplete="new-password" required data-testid="new-password" />
        <mat-hint>At least 8 characters</mat-hint>
        @if (group().controls.newPassword.invalid) { <mat-error>At least 8 characters</mat-error> }
      </mat-form-field>
      <mat-form-field>
        <mat-label>Repeat the new password</mat-label>
        <input matInput type="password" formControlName="confirm" autocomplete="new-password" required data-testid="confirm-password" />
      </mat-form-field>
      @if (group().hasError('mismatch') && group().controls.confirm.touched) { <p class="error" role="alert">The two passwords differ.</p> }
    </ng-container>
  `,
})
export class NewPasswordFieldsComponent {
  readonly group = input.required<NewPasswordGroup>();
}
