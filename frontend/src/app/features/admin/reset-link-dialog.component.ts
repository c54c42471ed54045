import { DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MAT_DIALOG_DATA, MatDialogModule } from '@angular/material/dialog';
import type { PasswordResetLink } from '@chatops/protocol/admin';
import { CopyBlockComponent } from '../../shared/ui/copy-block.component';

export interface ResetLinkDialogData { username: string; link: PasswordResetLink }

/** Shows a new reset link once (the server keeps only its hash), to copy and hand to the user. */
@Component({
  selector: 'app-reset-link-dialog',
  imports: [DatePipe, MatDialogModule, MatButtonModule, CopyBlockComponent],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <h2 mat-dialog-title>Reset link for {{ data.username }}</h2>
    <mat-dialog-content>
      <p>Send this link to {{ data.username }} through a channel you trust. It is shown only now, works once and
        expires at {{ data.link.expiresAt | date: 'medium' }}. A new link replaces it.</p>
      <app-copy-block title="Reset link" [text]="url" data-testid="reset-link" />
    </mat-dialog-content>
    <mat-dialog-actions align="end">
      <button mat-flat-button type="button" mat-dialog-close cdkFocusInitial>Done</button>
    </mat-dialog-actions>
  `,
})
export class ResetLinkDialogComponent {
  protected readonly data = inject<ResetLinkDialogData>(MAT_DIALOG_DATA);
  /** The dashboard's own address in front of the path (the backend cannot know which one the admin uses). */
  protected readonly url = `${location.origin}${this.data.link.path}`;
}
