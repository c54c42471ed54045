import { InjectionToken } from '@angular/core';
import { FitAddon } from '@xterm/addon-fit';
import { Terminal } from '@xterm/xterm';
import xtermCss from '@xterm/xterm/css/xterm.css' with { loader: 'text' };
import { adoptStyles } from '../../shared/ui/lazy-styles';

/** What the Terminal tab needs of a terminal emulator (xterm.js in the app, a fake in unit tests). */
export interface TerminalView {
  readonly cols: number;
  readonly rows: number;
  write(data: string): void;
  /** Keys typed (and text pasted) by the user. */
  onData(listener: (data: string) => void): void;
  /** The grid changed size (after `fit()`). */
  onResize(listener: (size: { cols: number; rows: number }) => void): void;
  /** Sizes the grid to its element. */
  fit(): void;
  focus(): void;
  /** Clears the screen and the scrollback (before a new session). */
  reset(): void;
  dispose(): void;
}

export interface TerminalViewOptions {
  /** The user pressed the "leave the terminal" key (Ctrl+]): the page moves focus out. */
  onEscape: () => void;
}

export type TerminalViewFactory = (host: HTMLElement, options: TerminalViewOptions) => TerminalView;

/**
 * Creates the xterm.js view. xterm, its fit addon and its CSS are static imports of this file, so
 * they are in the Terminal tab's lazy chunk (never the initial bundle); unit tests provide a fake.
 */
export const TERMINAL_VIEW_FACTORY = new InjectionToken<TerminalViewFactory>('TERMINAL_VIEW_FACTORY', {
  providedIn: 'root',
  factory: () => createXtermView,
});

/** The key that moves focus out of the terminal (xterm otherwise keeps Tab and every other key). */
export const ESCAPE_KEY_LABEL = 'Ctrl+]';

function createXtermView(host: HTMLElement, options: TerminalViewOptions): TerminalView {
  adoptStyles(host.ownerDocument, 'xterm', xtermCss);
  const term = new Terminal({
    cursorBlink: true,
    fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace',
    fontSize: 13,
    scrollback: 5000,
    allowProposedApi: false,
    theme: { background: '#1e1e1e', foreground: '#e6e6e6' },
  });
  const fit = new FitAddon();
  term.loadAddon(fit);
  term.attachCustomKeyEventHandler((e) => {
    if (e.type === 'keydown' && e.ctrlKey && !e.altKey && !e.metaKey && (e.code === 'BracketRight' || e.key === ']')) {
      options.onEscape();
      return false;
    }
    return true;
  });
  term.open(host);
  fit.fit();
  return {
    get cols() {
      return term.cols;
    },
    get rows() {
      return term.rows;
    },
    write: (data) => term.write(data),
    onData: (listener) => void term.onData(listener),
    onResize: (listener) => void term.onResize(listener),
    fit: () => fit.fit(),
    focus: () => term.focus(),
    reset: () => term.reset(),
    dispose: () => term.dispose(),
  };
}
