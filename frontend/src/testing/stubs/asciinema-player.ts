/** Jest stand-in for asciinema-player (ESM with WebAssembly): specs provide RECORDING_PLAYER_FACTORY instead. */
export function create(): never {
  throw new Error('asciinema-player is not loaded in unit tests: provide RECORDING_PLAYER_FACTORY');
}
