/**
 * Turns a stream of small writes into few frames: the first write after a quiet period goes out at
 * once (a keystroke's echo is not delayed), later ones are gathered until `intervalMs` after the
 * previous frame, or until `maxChars` are waiting. Frames are never longer than `maxChars` and
 * never split a UTF-16 surrogate pair. Never one frame per byte, whatever the writer does.
 */
export interface CoalescerOptions {
  intervalMs: number;
  maxChars: number;
  emit: (text: string) => void;
}

export class OutputCoalescer {
  private pending: string[] = [];
  private size = 0;
  private timer: NodeJS.Timeout | null = null;
  private lastFlush = -Infinity;

  constructor(private readonly o: CoalescerOptions) {}

  /** Characters waiting for the next frame. */
  get waiting(): number {
    return this.size;
  }

  push(text: string): void {
    if (!text) return;
    this.pending.push(text);
    this.size += text.length;
    if (this.size >= this.o.maxChars) {
      this.flush();
      return;
    }
    if (this.timer) return;
    const wait = this.lastFlush + this.o.intervalMs - performance.now();
    if (wait <= 0) this.flush();
    else this.timer = setTimeout(() => this.flush(), wait);
  }

  /** Emits everything waiting now (before an exit or an ack, so the order on the socket is right). */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.size === 0) return;
    const text = this.pending.length === 1 ? this.pending[0] : this.pending.join('');
    this.pending = [];
    this.size = 0;
    this.lastFlush = performance.now();
    for (const frame of splitFrames(text, this.o.maxChars)) this.o.emit(frame);
  }

  /** Drops what is waiting (the receiver is gone). */
  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.pending = [];
    this.size = 0;
  }
}

/** Splits text into pieces of at most `max` UTF-16 units without cutting a surrogate pair. */
export function splitFrames(text: string, max: number): string[] {
  if (text.length <= max) return [text];
  const frames: string[] = [];
  let start = 0;
  while (start < text.length) {
    let end = Math.min(start + max, text.length);
    if (end < text.length && end - start > 1) {
      const c = text.charCodeAt(end - 1);
      if (c >= 0xd800 && c <= 0xdbff) end--; // high surrogate: keep the pair together
    }
    frames.push(text.slice(start, end));
    start = end;
  }
  return frames;
}
