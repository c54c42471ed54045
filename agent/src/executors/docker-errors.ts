/**
 * What a Docker operation threw, as the agent's answer (`DOCKER_AGENT_ERRORS`): the engine's status
 * codes (docker-modem's `statusCode`, Docker's own `message` in `json.message`) and the socket's
 * errors become the codes the backend maps to REST statuses (docs/docker.md "What the agent answers").
 */
import type { DockerFailure } from '@chatops/protocol/docker';

/** Thrown by the executor's own checks and its deadline: answered as is. */
export class DockerRefusal extends Error {
  constructor(readonly code: DockerFailure['error'], message?: string) {
    super(message ?? code);
    this.name = 'DockerRefusal';
  }
}

/** Socket errors that mean "no engine there" (daemon stopped, socket gone or not ours, connection dropped). */
const UNAVAILABLE = new Set(['ECONNREFUSED', 'ENOENT', 'EACCES', 'EPERM', 'ECONNRESET', 'EPIPE', 'ENOTCONN', 'EHOSTUNREACH', 'ETIMEDOUT']);

interface EngineError { statusCode?: unknown; json?: unknown; reason?: unknown; code?: unknown; message?: unknown }

/** The engine's own words: `{"message": "..."}` of its answer, else docker-modem's message without its prefix. */
export function engineMessage(err: EngineError): string {
  const json = err.json;
  if (json && typeof json === 'object' && typeof (json as { message?: unknown }).message === 'string') return (json as { message: string }).message.trim();
  if (typeof json === 'string' && json.trim()) return json.trim();
  const m = typeof err.message === 'string' ? err.message : String(err);
  return m.replace(/^\(HTTP code \d+\) [^-]*- /, '').trim();
}

/**
 * 304 is not a failure (the container already is in the wanted state): callers check
 * `isNotModified` first. 404 → not_found, 409 and 500 with a message → conflict (Docker's refusal
 * in the container's state, e.g. "port is already allocated"), 400 → bad_request, socket errors →
 * docker_unavailable.
 */
export function toDockerFailure(err: unknown): DockerFailure {
  if (err instanceof DockerRefusal) return { ok: false, error: err.code, ...(err.message !== err.code ? { message: err.message } : {}) };
  const e = (err && typeof err === 'object' ? err : { message: String(err) }) as EngineError;
  const status = typeof e.statusCode === 'number' ? e.statusCode : null;
  const message = engineMessage(e).slice(0, 1000);
  if (status === 404) return { ok: false, error: 'not_found', message };
  if (status === 409) return { ok: false, error: 'conflict', message };
  if (status === 400) return { ok: false, error: 'bad_request', message };
  // podman answers 500 for a signal it does not know; Docker 400.
  if (status !== null && status >= 500 && /invalid signal/i.test(message)) return { ok: false, error: 'bad_request', message };
  if (status !== null && status >= 500 && message) return { ok: false, error: 'conflict', message };
  if (typeof e.code === 'string' && UNAVAILABLE.has(e.code)) return { ok: false, error: 'docker_unavailable', message: `${e.code}: ${message}` };
  if (status !== null) return { ok: false, error: 'conflict', message: message || `the engine answered HTTP ${status}` };
  return { ok: false, error: 'docker_unavailable', message: message || 'the engine connection failed' };
}

export function isNotModified(err: unknown): boolean {
  return !!err && typeof err === 'object' && (err as EngineError).statusCode === 304;
}
