import { ChangeDetectionStrategy, Component, computed, inject, signal } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MAT_DIALOG_DATA, MatDialog, MatDialogModule } from '@angular/material/dialog';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { Observable } from 'rxjs';

export interface ConfirmDialogData {
  title: string;
  message: string;
  confirmText?: string;
  /** When set, the user must type exactly this text before the confirm button enables. */
  requireText?: string;
}

@Component({
  selector: 'app-confirm-dialog',
  imports: [MatDialogModule, MatButtonModule, MatFormFieldModule, MatInputModule],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <h2 mat-dialog-title>{{ data.title }}</h2>
    <mat-dialog-content>
      <p>{{ data.message }}</p>
      @if (data.requireText) {
        <mat-form-field class="full-width">
          <mat-label>Type "{{ data.requireText }}" to confirm</mat-label>
          <input matInput data-testid="confirm-input" autocomplete="off" [value]="typed()" (input)="typed.set($any($event.target).value)" />
        </mat-form-field>
      }
    </mat-dialog-content>
    <mat-dialog-actions align="end">
      <button mat-button type="button" [mat-dialog-close]="false">Cancel</button>
      <button mat-flat-button type="button" class="danger" data-testid="confirm-button" [disabled]="!canConfirm()" [mat-dialog-close]="true">
        {{ data.confirmText ?? 'Confirm' }}
      </button>
    </mat-dialog-actions>
  `,
  // Destructive: the error colour role through Material's filled-button tokens (its disabled look stays).
  styles: `.danger { --mat-button-filled-container-color: var(--mat-sys-error); --mat-button-filled-label-text-color: var(--mat-sys-on-error);
    --mat-button-filled-state-layer-color: var(--mat-sys-on-error); }`,
})
export class ConfirmDialogComponent {
  protected readonly data = inject<ConfirmDialogData>(MAT_DIALOG_DATA);
  protected readonly typed = signal('');
  protected readonly canConfirm = computed(() => !this.data.requireText || this.typed() === this.data.requireText);
}

/** Opens the confirm dialog; emits true only when the user confirmed. */
export function openConfirm(dialog: MatDialog, data: ConfirmDialogData): Observable<boolean | undefined> {
  return dialog.open<ConfirmDialogComponent, ConfirmDialogData, boolean>(ConfirmDialogComponent, { data, width: '440px', maxWidth: '95vw' }).afterClosed();
}
