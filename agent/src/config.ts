/**
 * Command-line flags and environment, parsed and validated once. Flags win over env.
 * The API key is held in `config.apiKey` only; `describeConfig` is what may be printed.
 */
import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, isAbsolute, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_EXEC_CONCURRENCY } from './executors/command-executor';
import { execIdentity, type ExecIdentity } from './executors/exec-env';
import { AllowListError, loadAllowList, type AllowList } from './executors/exec-policy';
import { DEFAULT_TERMINAL_IDLE_TIMEOUT_SEC, DEFAULT_TERMINAL_MAX_SESSIONS } from './executors/pty-executor';
import { LOG_LEVELS, type LogLevel } from './log';

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export type DockerTarget =
  | { kind: 'socket'; socketPath: string }
  | { kind: 'tcp'; host: string; port: number; protocol: 'http' | 'https' };

export interface AgentConfig {
  /** The first of `urls`. */
  url: string;
  /** `--url a,b,c`: backend instances to fail over between, tried in turn (see AgentConnection). */
  urls: string[];
  apiKey: string;
  intervalSec: number;
  enableExec: boolean;
  /** Working directory of commands and terminals (validated at start). */
  execCwd: string;
  /** `--exec-allow`: the allow-list as loaded at start (null: every command allowed). */
  execAllow: AllowList | null;
  execConcurrency: number;
  enableTerminal: boolean;
  /** Shell of the web terminal (absolute path, validated at start when the terminal is on). */
  terminalShell: string;
  terminalMaxSessions: number;
  terminalIdleTimeoutSec: number;
  docker: DockerTarget;
  /** `--docker-read-only`: Docker list, inspect, logs, stats and images only; every change is refused. */
  dockerReadOnly: boolean;
  /** `--docker-show-env`: container inspect sends environment values (default: `KEY=***`). */
  dockerShowEnv: boolean;
  hostProc: string;
  hostRoot: string;
  stateDir: string;
  bufferSize: number;
  logLevel: LogLevel;
  once: boolean;
  json: boolean;
}

export type ParsedCommand =
  | { kind: 'help' }
  | { kind: 'version' }
  | { kind: 'run'; config: AgentConfig };

export const DEFAULT_INTERVAL_SEC = 5;
export const MIN_INTERVAL_SEC = 1;
export const MAX_INTERVAL_SEC = 3600;
/** 2 hours at the default interval; the issue asks for at least one hour. */
export const DEFAULT_BUFFER_SIZE = 1440;
export const MIN_BUFFER_SIZE = 10;
export const MAX_BUFFER_SIZE = 100_000;
export const MAX_EXEC_CONCURRENCY = 64;
export const MAX_TERMINAL_SESSIONS = 64;
export const MIN_TERMINAL_IDLE_TIMEOUT_SEC = 10;
export const MAX_TERMINAL_IDLE_TIMEOUT_SEC = 86_400;

export const HELP_TEXT = `Usage: chatops-agent [options]

Collects host metrics and streams them to a ChatOps backend over Socket.IO (/agents).
Remote commands and the web terminal are off unless switched on.

Options (flag / environment variable):
  --url <url>[,<url>...]         CHATOPS_URL                    Backend base URL, e.g. https://chatops.example.com (required);
                                                                several, comma-separated: failed over in turn
  --api-key <key>                CHATOPS_API_KEY                Agent API key (cok_...); prefer --api-key-file
  --api-key-file <path>          CHATOPS_API_KEY_FILE           File holding the API key (first line)
  --interval <sec>               CHATOPS_INTERVAL               Seconds between samples (default 5, min 1)
  --docker-socket <path>         DOCKER_HOST                    Docker Engine API socket (default /var/run/docker.sock)
  --docker-read-only             CHATOPS_DOCKER_READ_ONLY       Docker: list, inspect, logs, stats and images only; refuse start, stop,
                                                                restart, pause, unpause, kill and remove (default: all allowed)
  --docker-show-env              CHATOPS_DOCKER_SHOW_ENV        Docker inspect: send environment values (default: KEY=*** on the host)
  --host-proc <path>             CHATOPS_HOST_PROC              Read host /proc from here (default <host-root>/proc)
  --host-root <path>             CHATOPS_HOST_ROOT              Host root filesystem mount (sidecar: /host; default /)
  --state-dir <path>             CHATOPS_STATE_DIR              Where the unacknowledged-sample buffer is kept
  --buffer-size <n>              CHATOPS_BUFFER_SIZE            Max buffered samples while offline (default 1440)
  --log-level <level>            CHATOPS_LOG_LEVEL              debug | info | warn | error | silent (default info)

  --enable-exec                  CHATOPS_ENABLE_EXEC            Run remote commands (/bin/sh -c, as this user; default off)
  --exec-cwd <dir>               CHATOPS_EXEC_CWD               Working directory of commands and terminals (default: home, else /)
  --exec-allow <file>            CHATOPS_EXEC_ALLOW             Run only commands matching a pattern of this file (SIGHUP reloads it)
  --exec-concurrency <n>         CHATOPS_EXEC_CONCURRENCY       Commands running at once (default 4; up to 32 more wait)
  --enable-terminal              CHATOPS_ENABLE_TERMINAL        Web terminal (default off; needs --enable-exec, not with --exec-allow)
  --terminal-shell <path>        CHATOPS_TERMINAL_SHELL         Terminal shell (default: login shell, else /bin/bash, else /bin/sh)
  --terminal-max-sessions <n>    CHATOPS_TERMINAL_MAX_SESSIONS  Terminals open at once (default 4)
  --terminal-idle-timeout <sec>  CHATOPS_TERMINAL_IDLE_TIMEOUT  End a terminal after this long without input (default 900)

  --once                                                        Collect one sample, print it and exit
  --json                                                        With --once: print the sample as JSON
  --version                                                     Print the agent version
  --help                                                        Print this help
`;

const OPTIONS = {
  url: { type: 'string' },
  'api-key': { type: 'string' },
  'api-key-file': { type: 'string' },
  interval: { type: 'string' },
  'enable-exec': { type: 'boolean' },
  'exec-cwd': { type: 'string' },
  'exec-allow': { type: 'string' },
  'exec-concurrency': { type: 'string' },
  'enable-terminal': { type: 'boolean' },
  'terminal-shell': { type: 'string' },
  'terminal-max-sessions': { type: 'string' },
  'terminal-idle-timeout': { type: 'string' },
  'docker-socket': { type: 'string' },
  'docker-read-only': { type: 'boolean' },
  'docker-show-env': { type: 'boolean' },
  'host-proc': { type: 'string' },
  'host-root': { type: 'string' },
  'state-dir': { type: 'string' },
  'buffer-size': { type: 'string' },
  'log-level': { type: 'string' },
  once: { type: 'boolean' },
  json: { type: 'boolean' },
  version: { type: 'boolean', short: 'v' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Env = Record<string, string | undefined>;

export function parseConfig(
  argv: string[], env: Env = process.env, isRoot = process.getuid?.() === 0, identity: () => ExecIdentity = execIdentity,
): ParsedCommand {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({ args: argv, options: OPTIONS, strict: true, allowPositionals: false }));
  } catch (err) {
    throw new ConfigError((err as Error).message);
  }
  if (values.help) return { kind: 'help' };
  if (values.version) return { kind: 'version' };

  const str = (flag: string, envName?: string): string | undefined => {
    const v = values[flag];
    if (typeof v === 'string') return v.trim();
    const e = envName ? env[envName] : undefined;
    return e !== undefined && e.trim() !== '' ? e.trim() : undefined;
  };

  const once = values.once === true;
  const json = values.json === true;
  if (json && !once) throw new ConfigError('--json is only valid together with --once');

  const url = str('url', 'CHATOPS_URL');
  if (!once) {
    if (!url) throw new ConfigError('missing backend URL: pass --url <url> or set CHATOPS_URL');
  }
  const urls = url ? url.split(',').map((u) => u.trim()).filter(Boolean) : [];
  if (url && !urls.length) throw new ConfigError('missing backend URL: pass --url <url> or set CHATOPS_URL');
  for (const u of urls) validateUrl(u);

  const apiKey = once ? readApiKey(str, true) : readApiKey(str, false);

  const intervalSec = parseNumber(str('interval', 'CHATOPS_INTERVAL'), DEFAULT_INTERVAL_SEC, '--interval', MIN_INTERVAL_SEC, MAX_INTERVAL_SEC, false);
  const bufferSize = parseNumber(str('buffer-size', 'CHATOPS_BUFFER_SIZE'), DEFAULT_BUFFER_SIZE, '--buffer-size', MIN_BUFFER_SIZE, MAX_BUFFER_SIZE, true);

  const logLevel = (str('log-level', 'CHATOPS_LOG_LEVEL') ?? 'info') as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError(`invalid --log-level "${logLevel}": use one of ${LOG_LEVELS.join(', ')}`);
  }

  const enableExec = values['enable-exec'] === true || parseBool(env.CHATOPS_ENABLE_EXEC, 'CHATOPS_ENABLE_EXEC');
  const enableTerminal = values['enable-terminal'] === true || parseBool(env.CHATOPS_ENABLE_TERMINAL, 'CHATOPS_ENABLE_TERMINAL');
  const exec = parseExec(str, enableExec, enableTerminal, identity);

  const hostRoot = resolve(str('host-root', 'CHATOPS_HOST_ROOT') ?? '/');
  const hostProc = resolve(str('host-proc', 'CHATOPS_HOST_PROC') ?? join(hostRoot, 'proc'));

  const docker = parseDockerTarget(str('docker-socket') ?? env.DOCKER_HOST?.trim() ?? '/var/run/docker.sock');
  const dockerReadOnly = values['docker-read-only'] === true || parseBool(env.CHATOPS_DOCKER_READ_ONLY, 'CHATOPS_DOCKER_READ_ONLY');
  const dockerShowEnv = values['docker-show-env'] === true || parseBool(env.CHATOPS_DOCKER_SHOW_ENV, 'CHATOPS_DOCKER_SHOW_ENV');

  const stateDir = resolve(str('state-dir', 'CHATOPS_STATE_DIR') ?? defaultStateDir(env, isRoot));

  return {
    kind: 'run',
    config: {
      url: urls.length ? urls[0].replace(/\/+$/, '') : '',
      urls: urls.map((u) => u.replace(/\/+$/, '')),
      apiKey,
      intervalSec,
      enableExec,
      ...exec,
      enableTerminal,
      docker,
      dockerReadOnly,
      dockerShowEnv,
      hostProc,
      hostRoot,
      stateDir,
      bufferSize,
      logLevel,
      once,
      json,
    },
  };
}

type ExecSettings = Pick<AgentConfig, 'execCwd' | 'execAllow' | 'execConcurrency' | 'terminalShell' | 'terminalMaxSessions' | 'terminalIdleTimeoutSec'>;

/** Remote commands and the terminal: every path is checked now, so a mistake stops the agent at start. */
function parseExec(
  str: (flag: string, envName?: string) => string | undefined, enableExec: boolean, enableTerminal: boolean, identity: () => ExecIdentity,
): ExecSettings {
  const allowFile = str('exec-allow', 'CHATOPS_EXEC_ALLOW');
  if (enableTerminal && !enableExec) {
    throw new ConfigError('--enable-terminal needs --enable-exec: a terminal is remote shell access, exec must be switched on too');
  }
  if (enableTerminal && allowFile) {
    throw new ConfigError('--enable-terminal cannot be combined with --exec-allow: the allow-list checks command lines, '
      + 'an interactive shell runs whatever is typed into it, so the terminal would bypass it');
  }
  const execConcurrency = parseNumber(str('exec-concurrency', 'CHATOPS_EXEC_CONCURRENCY'), DEFAULT_EXEC_CONCURRENCY, '--exec-concurrency', 1, MAX_EXEC_CONCURRENCY, true);
  const terminalMaxSessions = parseNumber(str('terminal-max-sessions', 'CHATOPS_TERMINAL_MAX_SESSIONS'), DEFAULT_TERMINAL_MAX_SESSIONS, '--terminal-max-sessions', 1, MAX_TERMINAL_SESSIONS, true);
  const terminalIdleTimeoutSec = parseNumber(str('terminal-idle-timeout', 'CHATOPS_TERMINAL_IDLE_TIMEOUT'), DEFAULT_TERMINAL_IDLE_TIMEOUT_SEC,
    '--terminal-idle-timeout', MIN_TERMINAL_IDLE_TIMEOUT_SEC, MAX_TERMINAL_IDLE_TIMEOUT_SEC, true);

  let execAllow: AllowList | null = null;
  if (allowFile) {
    try {
      execAllow = loadAllowList(resolve(allowFile));
    } catch (err) {
      if (err instanceof AllowListError) throw new ConfigError(`invalid --exec-allow ${allowFile}: ${err.message}`);
      throw err;
    }
  }

  const cwdFlag = str('exec-cwd', 'CHATOPS_EXEC_CWD');
  let execCwd = '/';
  if (cwdFlag !== undefined) {
    if (!isAbsolute(cwdFlag)) throw new ConfigError(`invalid --exec-cwd "${cwdFlag}": give an absolute path`);
    const problem = directoryProblem(cwdFlag);
    if (problem) throw new ConfigError(`invalid --exec-cwd ${cwdFlag}: ${problem}`);
    execCwd = resolve(cwdFlag);
  } else if (enableExec) {
    const home = identity().home;
    execCwd = isAbsolute(home) && !directoryProblem(home) ? home : '/';
  }

  let terminalShell = str('terminal-shell', 'CHATOPS_TERMINAL_SHELL') ?? '';
  if (terminalShell) {
    if (!isAbsolute(terminalShell)) throw new ConfigError(`invalid --terminal-shell "${terminalShell}": give an absolute path`);
    const problem = executableProblem(terminalShell);
    if (problem) throw new ConfigError(`invalid --terminal-shell ${terminalShell}: ${problem}`);
  } else if (enableTerminal) {
    terminalShell = defaultShell(identity().shell);
  }
  return { execCwd, execAllow, execConcurrency, terminalShell, terminalMaxSessions, terminalIdleTimeoutSec };
}

/** Login shells that mean "no interactive login" (service accounts). */
const NO_LOGIN = new Set(['nologin', 'false', 'sync', 'true']);

/** The user's login shell when it is a usable one, else /bin/bash if present, else /bin/sh. */
export function defaultShell(loginShell: string | null): string {
  if (loginShell && isAbsolute(loginShell) && !NO_LOGIN.has(basename(loginShell)) && !executableProblem(loginShell)) return loginShell;
  return executableProblem('/bin/bash') ? '/bin/sh' : '/bin/bash';
}

function directoryProblem(path: string): string | null {
  try {
    if (!statSync(path).isDirectory()) return 'not a directory';
    accessSync(path, constants.X_OK);
    return null;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code ?? (err as Error).message;
  }
}

function executableProblem(path: string): string | null {
  try {
    if (!statSync(path).isFile()) return 'not a file';
    accessSync(path, constants.X_OK);
    return null;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code ?? (err as Error).message;
  }
}

function readApiKey(str: (flag: string, envName?: string) => string | undefined, optional: boolean): string {
  const direct = str('api-key', 'CHATOPS_API_KEY');
  const file = str('api-key-file', 'CHATOPS_API_KEY_FILE');
  if (direct && file) throw new ConfigError('give the API key once: --api-key/CHATOPS_API_KEY or --api-key-file, not both');
  if (file) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new ConfigError(`cannot read --api-key-file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    const key = text.split(/\r?\n/)[0].trim();
    if (!key) throw new ConfigError(`--api-key-file ${file} is empty`);
    return key;
  }
  if (direct) return direct;
  if (optional) return '';
  throw new ConfigError('missing API key: pass --api-key-file <path>, --api-key <key> or set CHATOPS_API_KEY');
}

function validateUrl(url: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigError(`invalid --url "${url}": expected e.g. https://chatops.example.com`);
  }
  if (!['http:', 'https:', 'ws:', 'wss:'].includes(parsed.protocol)) {
    throw new ConfigError(`invalid --url "${url}": the scheme must be http, https, ws or wss`);
  }
  if (parsed.pathname !== '/' && parsed.pathname !== '') {
    throw new ConfigError(`invalid --url "${url}": give the backend base URL without a path (the agent adds /agents)`);
  }
}

function parseNumber(raw: string | undefined, def: number, name: string, min: number, max: number, integer: boolean): number {
  if (raw === undefined) return def;
  const n = Number(raw);
  if (!Number.isFinite(n) || (integer && !Number.isInteger(n))) {
    throw new ConfigError(`invalid ${name} "${raw}": expected ${integer ? 'an integer' : 'a number'}`);
  }
  if (n < min) throw new ConfigError(`invalid ${name} ${raw}: the minimum is ${min}`);
  if (n > max) throw new ConfigError(`invalid ${name} ${raw}: the maximum is ${max}`);
  return n;
}

function parseBool(raw: string | undefined, name: string): boolean {
  if (raw === undefined || raw.trim() === '') return false;
  const v = raw.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (['0', 'false', 'no', 'off'].includes(v)) return false;
  throw new ConfigError(`invalid ${name} "${raw}": expected true or false`);
}

export function parseDockerTarget(raw: string): DockerTarget {
  if (raw.startsWith('unix://')) return { kind: 'socket', socketPath: raw.slice('unix://'.length) };
  if (/^(tcp|http|https):\/\//.test(raw)) {
    const u = new URL(raw.replace(/^tcp:/, 'http:'));
    return { kind: 'tcp', host: u.hostname, port: Number(u.port || 2375), protocol: u.protocol === 'https:' ? 'https' : 'http' };
  }
  if (raw.includes('://')) throw new ConfigError(`unsupported Docker endpoint "${raw}": use a socket path, unix://, tcp:// or https://`);
  return { kind: 'socket', socketPath: resolve(raw) };
}

export function defaultStateDir(env: Env, isRoot: boolean): string {
  if (isRoot) return '/var/lib/chatops-agent';
  const base = env.XDG_STATE_HOME?.trim() || join(env.HOME?.trim() || homedir(), '.local', 'state');
  return join(base, 'chatops-agent');
}

/** The config as it may be logged: the API key is never part of it. */
export function describeConfig(c: AgentConfig): Record<string, unknown> {
  return {
    url: c.urls.length > 1 ? c.urls.join(',') : c.url,
    apiKey: c.apiKey ? '(set)' : '(none)',
    intervalSec: c.intervalSec,
    enableExec: c.enableExec,
    execCwd: c.execCwd,
    execAllow: c.execAllow ? `${c.execAllow.file} (${c.execAllow.patterns.length} patterns)` : null,
    execConcurrency: c.execConcurrency,
    enableTerminal: c.enableTerminal,
    terminalShell: c.terminalShell || null,
    terminalMaxSessions: c.terminalMaxSessions,
    terminalIdleTimeoutSec: c.terminalIdleTimeoutSec,
    docker: c.docker.kind === 'socket' ? c.docker.socketPath : `${c.docker.protocol}://${c.docker.host}:${c.docker.port}`,
    dockerReadOnly: c.dockerReadOnly,
    dockerShowEnv: c.dockerShowEnv,
    hostProc: c.hostProc,
    hostRoot: c.hostRoot,
    stateDir: c.stateDir,
    bufferSize: c.bufferSize,
    logLevel: c.logLevel,
  };
}
