/** Jest stand-in for @xterm/xterm and @xterm/addon-fit: specs provide TERMINAL_VIEW_FACTORY instead. */
function unavailable(): never {
  throw new Error('xterm.js is not loaded in unit tests: provide TERMINAL_VIEW_FACTORY');
}
export class Terminal {
  constructor() {
    unavailable();
  }
}
export class FitAddon {
  constructor() {
    unavailable();
  }
}
