/**
 * The agent's `docker` request, typed per action (docs/docker.md "What the agent answers"): the
 * options and answer of each action, the error vocabulary, how long the backend waits, and the
 * follow-logs frames between backend and agent. Free of zod, like docker.ts.
 */
import type { DockerAction } from './enums';
import type { ContainerInfo, ContainerInspect, ContainerLogs, ContainerStats, ImageInfo, LogLine } from './docker';
import { DOCKER_REQUEST_TIMEOUT_SEC, DOCKER_STOP_ASSUMED_TIMEOUT_SEC } from './docker-limits';

// ---- agent socket: the `docker` request --------------------------------------------------
export interface DockerListOptions {
  /** Stopped containers too (default true). */
  all?: boolean;
}
export interface DockerStopOptions {
  /** Seconds Docker waits after SIGTERM before SIGKILL; absent: the container's StopTimeout. */
  timeoutSec?: number;
}
export interface DockerKillOptions {
  /** Absent: SIGKILL. */
  signal?: string;
}
export interface DockerRemoveOptions {
  force?: boolean;
  volumes?: boolean;
}
export interface DockerLogsOptions {
  /** The newest `tail` lines (0–10,000; default 100). */
  tail?: number;
  /** Unix seconds (may be fractional): only lines at or after / before. */
  since?: number;
  until?: number;
  /** Fill `timestamp` on each line. */
  timestamps?: boolean;
  /**
   * Follow: acknowledge `{ok:true, data:{lines:[]}}` once the engine's stream is open, then send
   * every line (the tail included) as `container_logs {streamId, …}` chunks, and
   * `container_logs_end` when the engine closes the stream. `docker_logs_stop {streamId}` stops it.
   */
  follow?: boolean;
  /** With `follow`: the backend's id of the stream (a UUID). */
  streamId?: string;
}
type NoOptions = Record<string, never>;

/** A mutation's answer: the container's full id and name (the agent inspects it first). */
export interface DockerMutationData {
  id: string;
  name: string | null;
}

/** Per action: the request's options and the answer's `data`. */
export interface DockerRequests {
  list: { options: DockerListOptions; data: ContainerInfo[] };
  inspect: { options: NoOptions; data: ContainerInspect };
  start: { options: NoOptions; data: DockerMutationData };
  stop: { options: DockerStopOptions; data: DockerMutationData };
  restart: { options: DockerStopOptions; data: DockerMutationData };
  pause: { options: NoOptions; data: DockerMutationData };
  unpause: { options: NoOptions; data: DockerMutationData };
  kill: { options: DockerKillOptions; data: DockerMutationData };
  remove: { options: DockerRemoveOptions; data: DockerMutationData };
  logs: { options: DockerLogsOptions; data: ContainerLogs };
  stats: { options: NoOptions; data: ContainerStats };
  images: { options: NoOptions; data: ImageInfo[] };
}
/** Compile-time check: the request map has exactly the actions of DOCKER_ACTIONS. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const requestMapCoversActions: Same<keyof DockerRequests, DockerAction> = true;
void requestMapCoversActions;

/** Actions about the engine as a whole: no `containerId`. */
export type DockerEngineAction = 'list' | 'images';
export type DockerData<A extends DockerAction = DockerAction> = DockerRequests[A]['data'];
export type DockerOptions<A extends DockerAction = DockerAction> = DockerRequests[A]['options'];

/** Backend → agent `docker` for one action. */
export type DockerRequestOf<A extends DockerAction> = {
  /** A UUID, for the agent's logs. */
  requestId: string;
  action: A;
  options?: DockerRequests[A]['options'];
  /**
   * How long the backend waits for the acknowledgement (ms; see `dockerAnswerWithinMs`). An agent
   * should give up on the engine a little earlier and answer `timeout`. Absent (older backends):
   * 15 s.
   */
  answerWithinMs?: number;
} & (A extends DockerEngineAction ? { containerId?: undefined } : { containerId: string });

/** Backend → agent `docker`: a discriminated union over `action`. */
export type DockerRequest = { [A in DockerAction]: DockerRequestOf<A> }[DockerAction];

/**
 * The agent's error vocabulary (`{ok:false, error, message?}`), with what each means and what
 * the backend answers over REST:
 */
export const DOCKER_AGENT_ERRORS = {
  /** The agent has no Docker capability (no engine socket at start, or Docker switched off). → 403 */
  disabled: 'Docker is disabled on the agent',
  /** The agent runs with `--docker-read-only`: only list, inspect, logs, stats and images. → 403 */
  read_only: 'the agent allows read-only Docker operations only',
  /** No such container (or image). → 404 */
  not_found: 'no such container',
  /** The engine refused the change in this state (e.g. removing a running container without force); `message` is Docker's. → 409 */
  conflict: 'Docker refused the operation',
  /** Invalid options or action (the engine's 400, or the agent's own check); `message` says which. → 400 */
  bad_request: 'invalid request',
  /** The engine socket does not answer (daemon stopped, socket gone). → 503 */
  docker_unavailable: 'the Docker Engine does not answer',
  /** The engine did not answer within the request's `answerWithinMs` (minus the agent's margin). → 504 */
  timeout: 'the Docker Engine did not answer in time',
  /** Follow-logs: the agent already runs as many log streams as it allows. → 429 */
  too_many_streams: 'too many log streams',
} as const;
export type DockerAgentError = keyof typeof DOCKER_AGENT_ERRORS;
export const DOCKER_AGENT_ERROR_CODES = Object.keys(DOCKER_AGENT_ERRORS) as DockerAgentError[];

/** The agent's refusal or failure. Unknown codes (e.g. `not_implemented` of older agents) are allowed on the wire. */
export type DockerFailure = { ok: false; error: DockerAgentError | (string & {}); message?: string };
export type DockerResultOf<A extends DockerAction> = { ok: true; data: DockerRequests[A]['data'] } | DockerFailure;
/** The agent's acknowledgement of a `docker` request: `{ok:true, data}` or `{ok:false, error}`. */
export type DockerResult = { [A in DockerAction]: DockerResultOf<A> }[DockerAction];

/**
 * One handler per action, as the agent implements them: each returns its action's data or throws
 * (the agent maps what it throws to a DockerFailure). `dispatchDocker` calls the right one.
 */
export type DockerHandlers = { [A in DockerAction]: (req: DockerRequestOf<A>) => Promise<DockerRequests[A]['data']> };
export function dispatchDocker<A extends DockerAction>(handlers: DockerHandlers, req: DockerRequestOf<A>): Promise<DockerRequests[A]['data']> {
  // One cast for TypeScript's missing correlation between `handlers[req.action]` and `req`.
  return (handlers[req.action] as (r: DockerRequestOf<A>) => Promise<DockerRequests[A]['data']>)(req);
}

/**
 * How long the backend waits for the agent's answer: `baseSec` (DOCKER_REQUEST_TIMEOUT_SEC), and
 * for stop/restart the stop timeout on top of it (Docker itself waits that long before SIGKILL,
 * so a slow stop that succeeds is never reported as a failure).
 */
export function dockerAnswerWithinMs(req: { action: DockerAction; options?: object }, baseSec = DOCKER_REQUEST_TIMEOUT_SEC): number {
  if (req.action === 'stop' || req.action === 'restart') {
    const given = (req.options as DockerStopOptions | undefined)?.timeoutSec;
    const stopSec = typeof given === 'number' && Number.isFinite(given) ? Math.max(0, given) : DOCKER_STOP_ASSUMED_TIMEOUT_SEC;
    return (stopSec + baseSec) * 1000;
  }
  return baseSec * 1000;
}

// ---- agent socket: follow-logs stream events and notification ---------------------------
/** Agent → backend: lines of a followed log stream, in order, coalesced (never one frame per line). */
export interface DockerLogsChunk { streamId: string; containerId: string; lines: LogLine[] }
/** Agent → backend: the engine closed a followed stream (`ended`: the container stopped or was removed) or it failed (`error`). */
export interface DockerLogsEnd { streamId: string; containerId: string; reason: 'ended' | 'error'; message?: string }
/** Backend → agent: stop a followed stream (the browser left). Unknown ids are ignored. */
export interface DockerLogsStop { streamId: string }
