import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MAT_SNACK_BAR_DATA, MatSnackBarAction, MatSnackBarActions, MatSnackBarLabel, MatSnackBarRef } from '@angular/material/snack-bar';

export interface ErrorToastData { message: string; requestId: string | null }

/**
 * An error snackbar: the message a user reads, and the request id (for an operator) folded into a
 * "Details" expander instead of the sentence. Loaded with MatSnackBar, on the first toast.
 */
@Component({
  selector: 'app-error-toast',
  imports: [MatButtonModule, MatSnackBarLabel, MatSnackBarActions, MatSnackBarAction],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <div matSnackBarLabel>
      <span data-testid="toast-message">{{ data.message }}</span>
      @if (data.requestId) {
        <details class="details">
          <summary>Details</summary>
          Request id <code data-testid="toast-request-id">{{ data.requestId }}</code>
        </details>
      }
    </div>
    <div matSnackBarActions>
      <button mat-button matSnackBarAction type="button" (click)="ref.dismissWithAction()">Dismiss</button>
    </div>
  `,
  styles: `
    .details { margin-top: 4px; font: var(--mat-sys-body-small); }
    summary { cursor: pointer; }
    code { user-select: all; }
  `,
})
export class ErrorToastComponent {
  protected readonly data = inject<ErrorToastData>(MAT_SNACK_BAR_DATA);
  protected readonly ref = inject(MatSnackBarRef);
}
