import { Injectable, Injector, inject } from '@angular/core';
import type { MatSnackBarConfig } from '@angular/material/snack-bar';

/**
 * Snackbar messages. Errors carry the request id so a user can quote it to an operator.
 * MatSnackBar (and the CDK overlay it needs) is loaded on first use, which keeps ~60 kB raw
 * out of the initial bundle: the login page does not need it until something fails.
 */
@Injectable({ providedIn: 'root' })
export class NotifyService {
  private readonly injector = inject(Injector);

  error(message: string, requestId?: string | null): Promise<void> {
    const text = requestId ? `${message} (request ${requestId})` : message;
    return this.open(text, 'Dismiss', { duration: 10_000, politeness: 'assertive', panelClass: 'snack-error' });
  }

  success(message: string): Promise<void> {
    return this.open(message, 'OK', { duration: 4_000, politeness: 'polite' });
  }

  /** Something happened that may need the user (an alert fired): `onAction` runs when they click `action`. */
  attention(message: string, action: string, onAction: () => void): Promise<void> {
    return this.open(message, action, { duration: 8_000, politeness: 'assertive', panelClass: 'snack-attention' }, onAction);
  }

  private async open(text: string, action: string, config: MatSnackBarConfig, onAction?: () => void): Promise<void> {
    const { MatSnackBar } = await import('@angular/material/snack-bar');
    const ref = this.injector.get(MatSnackBar).open(text, action, config);
    if (onAction) ref.onAction().subscribe(onAction);
  }
}
