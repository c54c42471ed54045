import { Injectable, inject } from '@angular/core';
import { MatDialog } from '@angular/material/dialog';
import type { Alert, AlertDetail } from '@chatops/protocol';
import { EMPTY, Observable, switchMap } from 'rxjs';
import { AlertsApi } from '../../core/api/alerts-api.service';
import { NotifyService } from '../../core/notify/notify.service';
import { NoteDialogComponent, NoteDialogData, NoteDialogResult } from './note-dialog.component';

/**
 * Acknowledge and resolve, each after a dialog asking for an optional note. Emits the updated
 * alert; a failure (409 already acknowledged/resolved...) is shown by the global error toast.
 */
@Injectable({ providedIn: 'root' })
export class AlertActions {
  private readonly api = inject(AlertsApi);
  private readonly dialog = inject(MatDialog);
  private readonly notify = inject(NotifyService);

  acknowledge(alert: Alert): Observable<AlertDetail> {
    return this.ask({ title: 'Acknowledge this alert?', message: alert.message, confirmText: 'Acknowledge' }).pipe(
      switchMap((r) => this.done(this.api.acknowledge(alert.id, r.note || undefined), 'Alert acknowledged')),
    );
  }

  resolve(alert: Alert): Observable<AlertDetail> {
    return this.ask({ title: 'Resolve this alert?', message: `${alert.message} It fires again only after the value clears and breaches again.`, confirmText: 'Resolve' }).pipe(
      switchMap((r) => this.done(this.api.resolve(alert.id, r.note || undefined), 'Alert resolved')),
    );
  }

  private ask(data: NoteDialogData): Observable<NoteDialogResult> {
    return this.dialog
      .open<NoteDialogComponent, NoteDialogData, NoteDialogResult>(NoteDialogComponent, { data, width: '480px', maxWidth: '95vw' })
      .afterClosed()
      .pipe(switchMap((r) => (r ? [r] : EMPTY)));
  }

  private done(call: Observable<AlertDetail>, message: string): Observable<AlertDetail> {
    return new Observable<AlertDetail>((sub) =>
      call.subscribe({
        next: (a) => {
          void this.notify.success(message);
          sub.next(a);
          sub.complete();
        },
        error: () => sub.complete(), // the error toast says why
      }),
    );
  }
}
