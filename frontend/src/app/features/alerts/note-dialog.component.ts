import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MAT_DIALOG_DATA, MatDialogModule, MatDialogRef } from '@angular/material/dialog';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';

export interface NoteDialogData { title: string; message: string; confirmText: string }
export interface NoteDialogResult { note: string }
export const MAX_NOTE_LENGTH = 2000;

/** Acknowledge / resolve: an optional note (≤ 2,000 characters, as the API allows). */
@Component({
  selector: 'app-note-dialog',
  imports: [MatDialogModule, MatButtonModule, MatFormFieldModule, MatInputModule],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <h2 mat-dialog-title>{{ data.title }}</h2>
    <form (submit)="$event.preventDefault(); confirm()">
      <mat-dialog-content>
        <p>{{ data.message }}</p>
        <mat-form-field class="full-width">
          <mat-label>Note (optional)</mat-label>
          <textarea matInput rows="3" data-testid="note-input" [attr.maxlength]="max" (input)="note.set($any($event.target).value)"></textarea>
          <mat-hint align="end">{{ note().length }} / {{ max }}</mat-hint>
        </mat-form-field>
      </mat-dialog-content>
      <mat-dialog-actions align="end">
        <button mat-button type="button" [mat-dialog-close]="undefined">Cancel</button>
        <button mat-flat-button type="submit" data-testid="note-confirm">{{ data.confirmText }}</button>
      </mat-dialog-actions>
    </form>
  `,
})
export class NoteDialogComponent {
  protected readonly data = inject<NoteDialogData>(MAT_DIALOG_DATA);
  protected readonly note = signal('');
  protected readonly max = MAX_NOTE_LENGTH;
  private readonly ref = inject<MatDialogRef<NoteDialogComponent, NoteDialogResult>>(MatDialogRef);

  /** Closes with the note as typed now (not as last rendered). */
  protected confirm(): void {
    this.ref.close({ note: this.note().trim() });
  }
}
