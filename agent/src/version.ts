/** Agent version reported in `hello` and by `--version`. Kept equal to the root package.json (a spec checks it). */
export const AGENT_VERSION = '0.1.0';
