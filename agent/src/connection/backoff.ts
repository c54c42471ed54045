/** Exponential backoff with jitter: min, 2·min, 4·min … capped at max, each scaled by a random 50–100 %. */
export class Backoff {
  private attempt = 0;

  constructor(private readonly minMs = 1000, private readonly maxMs = 30_000, private readonly random: () => number = Math.random) {}

  next(): number {
    const ceiling = Math.min(this.maxMs, this.minMs * 2 ** Math.min(this.attempt, 30));
    this.attempt++;
    return Math.max(this.minMs, Math.round(ceiling * (0.5 + this.random() * 0.5)));
  }

  reset(): void {
    this.attempt = 0;
  }
}
