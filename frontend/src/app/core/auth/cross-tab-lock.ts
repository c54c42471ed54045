import { Observable, finalize } from 'rxjs';

/**
 * Runs `work` while holding a Web Lock that every tab of this origin shares (plain `work` where
 * the browser has no Web Locks). Refresh tokens are single use and shared by all tabs through the
 * cookie: two tabs refreshing at once (a browser restoring several tabs) would present the same
 * token twice, which the server treats as theft and answers by ending the session. Under the
 * lock the second tab sends the cookie the first one just received.
 */
export function withCrossTabLock<T>(name: string, work: () => Observable<T>): Observable<T> {
  const locks = typeof navigator === 'undefined' ? undefined : navigator.locks;
  if (!locks) return work();
  return new Observable<T>((subscriber) => {
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    let unsubscribeInner: (() => void) | null = null;
    locks
      .request(name, () => {
        if (subscriber.closed) return undefined; // unsubscribed while waiting: give the lock back at once
        const inner = work().pipe(finalize(() => release())).subscribe(subscriber);
        unsubscribeInner = () => inner.unsubscribe();
        return held;
      })
      .catch((err: unknown) => subscriber.error(err));
    return () => {
      unsubscribeInner?.();
      release();
    };
  });
}
