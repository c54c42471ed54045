import { Injectable, OnDestroy } from '@angular/core';

/**
 * Spreads work over animation frames: runs at most one queued job per frame, in the order the keys
 * were first queued. Queuing a key whose job has not run yet replaces that job and keeps its place,
 * so only the newest job per key runs (e.g. only the newest data of a chart is drawn).
 *
 * Provide it on the component that uses it: pending frames are cancelled when that component is
 * destroyed.
 */
@Injectable()
export class FrameStagger implements OnDestroy {
  private readonly jobs = new Map<string, () => void>();
  private frame: number | null = null;

  push(key: string, job: () => void): void {
    this.jobs.set(key, job);
    this.schedule();
  }

  ngOnDestroy(): void {
    if (this.frame != null) cancelAnimationFrame(this.frame);
    this.frame = null;
    this.jobs.clear();
  }

  private schedule(): void {
    if (this.frame == null && this.jobs.size) this.frame = requestAnimationFrame(this.runNext);
  }

  private readonly runNext = (): void => {
    this.frame = null;
    const [next] = this.jobs;
    if (!next) return;
    const [key, job] = next;
    this.jobs.delete(key);
    try {
      job();
    } finally {
      this.schedule();
    }
  };
}
