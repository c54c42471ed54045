/** Most commands kept for ↑/↓ recall. */
export const RECALL_LIMIT = 200;

/**
 * Shell-like ↑/↓ recall over earlier commands (newest first, no duplicates). ↑ walks back from
 * the draft being typed, ↓ walks forward and finally gives the draft back unchanged.
 */
export class CommandRecall {
  private items: string[] = [];
  /** -1: editing the draft; otherwise the index into `items` being shown. */
  private index = -1;
  private draft = '';

  constructor(initial: readonly string[] = []) {
    this.seed(initial);
  }

  get entries(): readonly string[] {
    return this.items;
  }

  /** Adds older commands (e.g. from the history API) behind those already known. */
  seed(older: readonly string[]): void {
    for (const c of older) {
      const cmd = c.trim();
      if (cmd && !this.items.includes(cmd)) this.items.push(cmd);
    }
    this.items.length = Math.min(this.items.length, RECALL_LIMIT);
  }

  /** A command just run: becomes the newest entry; recall starts again from the draft. */
  push(command: string): void {
    const cmd = command.trim();
    if (cmd) this.items = [cmd, ...this.items.filter((c) => c !== cmd)].slice(0, RECALL_LIMIT);
    this.reset();
  }

  /** The previous (older) command, or null when there is none; `current` is kept as the draft. */
  up(current: string): string | null {
    if (this.index + 1 >= this.items.length) return null;
    if (this.index === -1) this.draft = current;
    this.index++;
    return this.items[this.index];
  }

  /** The next (newer) command, the draft after the newest, or null when already on the draft. */
  down(): string | null {
    if (this.index === -1) return null;
    this.index--;
    return this.index === -1 ? this.draft : this.items[this.index];
  }

  /** Typing leaves recall: the next ↑ starts from the newest command again. */
  reset(): void {
    this.index = -1;
    this.draft = '';
  }
}
