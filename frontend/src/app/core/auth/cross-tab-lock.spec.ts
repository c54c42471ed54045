import { Subject } from 'rxjs';
import { withCrossTabLock } from './cross-tab-lock';

/** Web Locks as the browser does them: one holder per name, the others wait in order. */
class FakeLockManager {
  private tail: Promise<unknown> = Promise.resolve();
  request(_name: string, callback: () => Promise<void> | undefined): Promise<void> {
    const run = this.tail.then(() => callback());
    this.tail = run.catch(() => undefined);
    return run.then(() => undefined);
  }
}

const flush = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

describe('withCrossTabLock', () => {
  afterEach(() => {
    Reflect.deleteProperty(navigator, 'locks');
  });

  it('runs the work directly where the browser has no Web Locks', () => {
    const started: string[] = [];
    withCrossTabLock('x', () => {
      started.push('a');
      return new Subject<number>();
    }).subscribe();
    expect(started).toEqual(['a']);
  });

  it('lets the second caller start only after the first finished (as two tabs refreshing at once)', async () => {
    Object.defineProperty(navigator, 'locks', { value: new FakeLockManager(), configurable: true });
    const first = new Subject<string>();
    const second = new Subject<string>();
    const started: string[] = [];
    const got: string[] = [];
    withCrossTabLock('refresh', () => (started.push('first'), first)).subscribe((v) => got.push(v));
    withCrossTabLock('refresh', () => (started.push('second'), second)).subscribe((v) => got.push(v));
    await flush();
    expect(started).toEqual(['first']);

    first.next('token-1');
    first.complete();
    await flush();
    expect(started).toEqual(['first', 'second']);
    second.next('token-2');
    second.complete();
    expect(got).toEqual(['token-1', 'token-2']);
  });

  it('releases the lock when the work fails or the caller unsubscribes', async () => {
    Object.defineProperty(navigator, 'locks', { value: new FakeLockManager(), configurable: true });
    const failing = new Subject<string>();
    const abandoned = new Subject<string>();
    const started: string[] = [];
    let error: unknown;
    withCrossTabLock('refresh', () => (started.push('failing'), failing)).subscribe({ error: (e) => (error = e) });
    const sub = withCrossTabLock('refresh', () => (started.push('abandoned'), abandoned)).subscribe();
    withCrossTabLock('refresh', () => (started.push('last'), new Subject<string>())).subscribe();
    await flush();
    failing.error(new Error('offline'));
    await flush();
    expect(error).toEqual(new Error('offline'));
    expect(started).toEqual(['failing', 'abandoned']);
    sub.unsubscribe();
    await flush();
    expect(started).toEqual(['failing', 'abandoned', 'last']);
  });
});
