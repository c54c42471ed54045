/** Container references, size limits and timings of Docker operations (shared by backend, agent and dashboard). */
import { CONTAINER_MUTATIONS, type ContainerMutation } from './enums';

// ---- identifiers and limits ------------------------------------------------------------
/**
 * A container reference: a Docker id (64 hex digits, or a prefix of at least 12) or a name
 * (`[a-zA-Z0-9][a-zA-Z0-9_.-]*`, at most 128 characters; no leading `/`). Ids are a subset of the
 * name syntax, so one pattern accepts both. Nothing else reaches the agent: no `/`, no `..`, no
 * spaces, so a reference is safe to put into an Engine API path as is.
 */
export const CONTAINER_REF_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$/;
/** A full or short (≥ 12 digits) container id, as opposed to a name. */
export const CONTAINER_ID_PATTERN = /^[0-9a-f]{12,64}$/;
export const isContainerRef = (s: unknown): s is string => typeof s === 'string' && CONTAINER_REF_PATTERN.test(s);

/** `logs`: default and largest `tail` (lines). */
export const DOCKER_LOGS_DEFAULT_TAIL = 100;
export const DOCKER_LOGS_MAX_TAIL = 10_000;
/** A log line's text is cut to this many characters (the agent cuts, the backend refuses longer). */
export const DOCKER_LOG_LINE_MAX_CHARS = 16 * 1024;
/**
 * Every acknowledgement is one frame, and the backend takes frames of at most 1 MiB
 * (AGENT_LIMITS.maxFrameBytes; a larger one closes the agent's connection). So an answer's `data`,
 * serialized as JSON (`Buffer.byteLength(JSON.stringify(data))`), stays under this: a `logs` answer
 * keeps the newest lines that fit and sets `truncated: true`.
 */
export const DOCKER_ANSWER_MAX_BYTES = 768 * 1024;
/** A follow-logs chunk (`container_logs`): at most this many lines, and this many bytes of JSON. */
export const DOCKER_LOGS_CHUNK_MAX_LINES = 500;
export const DOCKER_LOGS_CHUNK_MAX_BYTES = 64 * 1024;
/** The agent sends a followed stream's buffered lines at most this often (unless a chunk is full). */
export const DOCKER_LOGS_FLUSH_MS = 250;
/** `stop` / `restart`: the largest `timeoutSec` (seconds Docker waits before SIGKILL). */
export const DOCKER_STOP_MAX_TIMEOUT_SEC = 600;
/**
 * How long the backend waits for the agent's answer to any `docker` request, by default
 * (`DOCKER_REQUEST_TIMEOUT_SEC` on the backend). `stop` and `restart` wait their own timeout on top.
 */
export const DOCKER_REQUEST_TIMEOUT_SEC = 15;
/**
 * `stop` / `restart` without `timeoutSec` use the container's own StopTimeout (10 s unless the
 * container was created with another): the backend then waits as if it were this long.
 */
export const DOCKER_STOP_ASSUMED_TIMEOUT_SEC = 60;
/** Container events kept per server for `GET /docker/{serverId}/events` (older ones are pruned in batches). */
export const CONTAINER_EVENTS_KEPT = 500;

/** The query options (`ContainerActionQuery`) each mutation takes; any other option given to it is a 400. */
export const CONTAINER_MUTATION_OPTIONS: Readonly<Record<ContainerMutation, readonly ('timeout' | 'signal' | 'force' | 'volumes')[]>> = {
  start: [], stop: ['timeout'], restart: ['timeout'], pause: [], unpause: [], kill: ['signal'], remove: ['force', 'volumes'],
};
/** `kill`'s `signal`: a name with or without `SIG` (`SIGTERM`, `HUP`, `SIGRTMIN+3`) or a number 1–64. */
export const DOCKER_SIGNAL_PATTERN = /^(?:(?:SIG)?[A-Z][A-Z0-9+-]{0,15}|[1-9]|[1-5][0-9]|6[0-4])$/;
export const isContainerMutation = (s: unknown): s is ContainerMutation => (CONTAINER_MUTATIONS as readonly unknown[]).includes(s);
