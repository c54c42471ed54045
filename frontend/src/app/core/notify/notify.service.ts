import { Injectable, Injector, inject } from '@angular/core';
import type { MatSnackBarConfig, MatSnackBarRef } from '@angular/material/snack-bar';
import { NavigationStart, Router } from '@angular/router';
import { filter } from 'rxjs';

/**
 * Snackbar messages. A toast belongs to the page it was raised on: going to another page (another
 * path; a query-string change is the same page) dismisses it, and one still loading is not shown.
 * Errors keep the request id out of the sentence, in a "Details" expander (ErrorToastComponent).
 * A confirmation ("saved") never covers an error or an alert still on screen: it is dropped, since
 * the change it confirms is visible on the page anyway (an alert that fires while a save answers
 * would otherwise be replaced by "Rule created" before anyone read it).
 * MatSnackBar (and the CDK overlay it needs) is loaded on first use, which keeps ~60 kB raw
 * out of the initial bundle: the login page does not need it until something fails.
 */
@Injectable({ providedIn: 'root' })
export class NotifyService {
  private readonly injector = inject(Injector);
  private readonly router = inject(Router);
  private current: { ref: MatSnackBarRef<unknown>; urgent: boolean } | null = null;
  /** Bumped when the user goes to another page: a toast asked for before that is not opened after it. */
  private page = 0;

  constructor() {
    this.router.events.pipe(filter((e): e is NavigationStart => e instanceof NavigationStart)).subscribe((e) => {
      if (pathOf(this.router, e.url) === pathOf(this.router, this.router.url)) return;
      this.page++;
      this.current?.ref.dismiss();
      this.current = null;
    });
  }

  async error(message: string, requestId?: string | null): Promise<void> {
    const page = this.page;
    const [{ MatSnackBar }, { ErrorToastComponent }] = await Promise.all([import('@angular/material/snack-bar'), import('./error-toast.component')]);
    if (page !== this.page) return;
    this.track(this.injector.get(MatSnackBar).openFromComponent(ErrorToastComponent, {
      data: { message, requestId: requestId ?? null },
      duration: 10_000, politeness: 'assertive', panelClass: 'snack-error',
    }), true);
  }

  success(message: string): Promise<void> {
    return this.open(message, 'OK', { duration: 4_000, politeness: 'polite' });
  }

  /** Something happened that may need the user (an alert fired): `onAction` runs when they click `action`. */
  attention(message: string, action: string, onAction: () => void): Promise<void> {
    return this.open(message, action, { duration: 8_000, politeness: 'assertive', panelClass: 'snack-attention' }, onAction);
  }

  private async open(text: string, action: string, config: MatSnackBarConfig, onAction?: () => void): Promise<void> {
    const page = this.page;
    const { MatSnackBar } = await import('@angular/material/snack-bar');
    const urgent = config.politeness === 'assertive';
    if (page !== this.page || (!urgent && this.current?.urgent)) return;
    const ref = this.injector.get(MatSnackBar).open(text, action, config);
    if (onAction) ref.onAction().subscribe(onAction);
    this.track(ref, urgent);
  }

  private track(ref: MatSnackBarRef<unknown>, urgent: boolean): void {
    this.current = { ref, urgent };
    ref.afterDismissed().subscribe(() => {
      if (this.current?.ref === ref) this.current = null;
    });
  }
}

/** The path of a URL, without query string or fragment. */
function pathOf(router: Router, url: string): string {
  const tree = router.parseUrl(url);
  tree.queryParams = {};
  tree.fragment = null;
  return router.serializeUrl(tree);
}
