/**
 * Docker operations through the agent (docs/docker.md): the REST shapes and the container events
 * the agent forwards here; limits in docker-limits.ts, the agent's `docker` request typed per
 * action in docker-agent.ts, follow-logs over `/live` in docker-live.ts (all re-exported below).
 * Free of zod (the validation schemas are in docker-schemas.ts), so the agent can import the
 * Docker wire alone: `@chatops/protocol/docker`.
 */
import type { ContainerMutation } from './enums';

// ---- REST shapes -----------------------------------------------------------------------
/** Engine states (Docker's spelling); podman's compatible API uses the same words. */
export const CONTAINER_STATES = ['created', 'running', 'paused', 'restarting', 'removing', 'exited', 'dead'] as const;
export type ContainerState = (typeof CONTAINER_STATES)[number];

/** A published or exposed port: `publicPort`/`ip` only when published on the host. */
export interface ContainerPort {
  privatePort: number;
  publicPort?: number;
  type: 'tcp' | 'udp' | 'sctp';
  /** Host address it is published on (`0.0.0.0`, `::`, ...). */
  ip?: string;
}

/** `GET /docker/{serverId}/containers` item. */
export interface ContainerInfo {
  /** Full id (64 hex digits). */
  id: string;
  /** Without Docker's leading `/`. */
  name: string;
  image: string;
  /** One of CONTAINER_STATES (an engine may report others; shown as is). */
  state: ContainerState | (string & {});
  /** Docker's human status, e.g. `Up 2 hours (unhealthy)`, `Exited (3) 5 minutes ago`. */
  status: string;
  createdAt: string;
  ports: ContainerPort[];
}

/** Health check state of an inspected container (null when it has no health check). */
export interface ContainerHealth {
  /** `starting`, `healthy` or `unhealthy`. */
  status: string;
  failingStreak: number;
}

export interface ContainerStateDetail {
  status: ContainerState | (string & {});
  running: boolean;
  paused: boolean;
  restarting: boolean;
  oomKilled: boolean;
  dead: boolean;
  /** null when not running. */
  pid: number | null;
  exitCode: number | null;
  /** The engine's error text (e.g. why it could not start); null when none. */
  error: string | null;
  /** null when never started / not finished (Docker's `0001-01-01T00:00:00Z`). */
  startedAt: string | null;
  finishedAt: string | null;
  health: ContainerHealth | null;
}

export interface ContainerMount {
  /** `bind`, `volume`, `tmpfs`, ... */
  type: string;
  /** Volume name, for volumes. */
  name?: string;
  source: string;
  destination: string;
  mode: string;
  rw: boolean;
}

export interface ContainerNetwork {
  name: string;
  ipAddress: string | null;
  gateway: string | null;
  macAddress: string | null;
}

/** What replaces every environment value unless the agent runs with `--docker-show-env`. */
export const ENV_REDACTED_VALUE = '***';
/** `KEY=value` → `KEY=***`; an entry without `=` (a name only) is kept as is. */
export const redactEnvEntry = (entry: string): string => {
  const eq = entry.indexOf('=');
  return eq < 0 ? entry : `${entry.slice(0, eq)}=${ENV_REDACTED_VALUE}`;
};

/**
 * `GET /docker/{serverId}/containers/{containerId}`: a curated view of the engine's inspect (the
 * agent maps Docker's document into it; nothing else is passed on).
 */
export interface ContainerInspect {
  id: string;
  name: string;
  /** The image as configured (`nginx:1.27`). */
  image: string;
  /** The image's id (`sha256:…`). */
  imageId: string;
  createdAt: string;
  state: ContainerStateDetail;
  restartCount: number;
  /** Path and arguments of the main process. */
  command: string[];
  config: {
    hostname: string;
    user: string;
    workingDir: string;
    entrypoint: string[] | null;
    cmd: string[] | null;
    /**
     * `KEY=value` entries. Redacted by the agent to `KEY=***` (see `redactEnvEntry`) unless it runs
     * with `--docker-show-env`; `envRedacted` says which.
     */
    env: string[];
    labels: Record<string, string>;
    tty: boolean;
  };
  envRedacted: boolean;
  /**
   * True when the command, networks, ports, mounts, environment or labels were cut to keep the
   * answer within DOCKER_ANSWER_MAX_BYTES (one frame); absent otherwise.
   */
  truncated?: boolean;
  restartPolicy: { name: string; maximumRetryCount: number };
  ports: ContainerPort[];
  mounts: ContainerMount[];
  networks: ContainerNetwork[];
  resources: {
    /** null: no limit. */
    memoryLimitBytes: number | null;
    /** CPU limit in units of 1e-9 CPUs; null: no limit. */
    nanoCpus: number | null;
    privileged: boolean;
    networkMode: string;
  };
}

/** One log line; `text` has no trailing newline. TTY containers have one stream: `stdout`. */
export interface LogLine {
  stream: 'stdout' | 'stderr';
  text: string;
  /** RFC 3339 with the engine's precision; only with `timestamps`. */
  timestamp?: string;
}

/** `GET …/logs` → at most `tail` lines, oldest first. */
export interface ContainerLogs {
  lines: LogLine[];
  /** True when older lines were left out to stay within DOCKER_ANSWER_MAX_BYTES. */
  truncated?: boolean;
}

/** `GET …/stats`: one reading. A container that is not running reads all zeros. */
export interface ContainerStats {
  /** 100 = one full core, as `docker stats` shows it. */
  cpuPercent: number;
  /** Memory in use: usage minus the inactive page cache, as `docker stats` shows it. */
  memBytes: number;
  memLimitBytes: number;
  /** Totals over all of the container's interfaces since it started. */
  netRxBytes: number;
  netTxBytes: number;
  pids: number;
}

/** `GET /docker/{serverId}/images` item. */
export interface ImageInfo {
  /** `sha256:…` */
  id: string;
  /** `repo:tag` names; empty for a dangling image (Docker's `<none>:<none>`). */
  tags: string[];
  sizeBytes: number;
  createdAt: string;
}

/** `POST …/containers/{containerId}/{action}` → 200. */
export interface ContainerActionResponse {
  ok: true;
  action: ContainerMutation;
  /** As given in the path. */
  containerId: string;
  /** The container's name, when known. */
  name: string | null;
}

/** `POST …/{action}` query: each option applies to the named actions only (anything else is a 400). */
export interface ContainerActionQuery {
  /** stop, restart: seconds before SIGKILL, 0–600 (default: the container's StopTimeout, usually 10). */
  timeout?: number;
  /** kill: the signal, `SIGKILL` (default), `KILL`, `SIGHUP`, `9`, ... */
  signal?: string;
  /** remove: also a running container (killed first). */
  force?: boolean;
  /** remove: also its anonymous volumes. */
  volumes?: boolean;
}

// ---- container events --------------------------------------------------------------------
/** Engine event kinds the agent forwards as `container_event`. */
export const CONTAINER_EVENT_ACTIONS = [
  'create', 'start', 'stop', 'restart', 'die', 'kill', 'oom', 'pause', 'unpause', 'destroy', 'health_status',
] as const;
export type ContainerEventAction = (typeof CONTAINER_EVENT_ACTIONS)[number];

/** Agent → backend as it happens on the engine; relayed on `/live` and kept (`GET /docker/{serverId}/events`). */
export interface ContainerEvent {
  containerId: string;
  name: string;
  image: string | null;
  action: ContainerEventAction;
  /** `die`: the exit code. */
  exitCode: number | null;
  /** `health_status`: healthy | unhealthy | starting. */
  health: string | null;
  time: string;
}

export * from './docker-limits';
export * from './docker-agent';
export * from './docker-live';
