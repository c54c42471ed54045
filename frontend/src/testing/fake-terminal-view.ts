import type { TerminalView, TerminalViewOptions } from '../app/features/server-terminal/xterm-view';

/** Stand-in for the xterm.js view: records what the page writes, lets the test type and resize. */
export class FakeTerminalView implements TerminalView {
  cols = 80;
  rows = 24;
  written: string[] = [];
  fits = 0;
  focused = 0;
  resets = 0;
  disposed = false;
  private readonly dataListeners: ((data: string) => void)[] = [];
  private readonly resizeListeners: ((size: { cols: number; rows: number }) => void)[] = [];

  constructor(readonly host: HTMLElement, readonly options: TerminalViewOptions) {}

  /** Everything written since the last reset, as one string. */
  get screen(): string {
    return this.written.join('');
  }
  write(data: string): void {
    this.written.push(data);
  }
  onData(listener: (data: string) => void): void {
    this.dataListeners.push(listener);
  }
  onResize(listener: (size: { cols: number; rows: number }) => void): void {
    this.resizeListeners.push(listener);
  }
  fit(): void {
    this.fits++;
  }
  focus(): void {
    this.focused++;
  }
  reset(): void {
    this.written = [];
    this.resets++;
  }
  dispose(): void {
    this.disposed = true;
  }
  /** The user typed (or pasted) `data`. */
  type(data: string): void {
    this.dataListeners.forEach((l) => l(data));
  }
  /** The grid was refitted to a new size. */
  resizeTo(cols: number, rows: number): void {
    this.cols = cols;
    this.rows = rows;
    this.resizeListeners.forEach((l) => l({ cols, rows }));
  }
}
