/**
 * `docker` requests checked by hand before anything reaches the engine (the agent does not load
 * zod): the action, the container reference (CONTAINER_REF_PATTERN, so it is safe in an Engine API
 * path) and each action's options. A malformed request is answered `bad_request` with what is wrong.
 */
import type { ContainerMutation, DockerAction } from '@chatops/protocol';
import {
  CONTAINER_REF_PATTERN, DOCKER_LOGS_MAX_TAIL, DOCKER_SIGNAL_PATTERN, DOCKER_STOP_MAX_TIMEOUT_SEC, type DockerRequest,
} from '@chatops/protocol/docker';
import { MAX_ID_LENGTH } from './limits';
import type { Checked } from './request-validation';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Every action and what it touches: the engine as a whole (no containerId), a container read, or a
 * container change (refused by a read-only agent). A Record over DockerAction, so a new action in
 * the protocol fails to compile here until it is classified (the enum itself lives in the protocol's
 * zod-free `enums`, which the package does not export on its own).
 */
const ACTION_KINDS: Record<DockerAction, 'engine' | 'read' | 'mutation'> = {
  list: 'engine', images: 'engine', inspect: 'read', logs: 'read', stats: 'read',
  start: 'mutation', stop: 'mutation', restart: 'mutation', pause: 'mutation', unpause: 'mutation', kill: 'mutation', remove: 'mutation',
};
const DOCKER_ACTIONS = Object.keys(ACTION_KINDS) as DockerAction[];

type Rec = Record<string, unknown>;
const isRecord = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);
const isBool = (v: unknown) => v === undefined || typeof v === 'boolean';
const isTime = (v: unknown) => v === undefined || (typeof v === 'number' && Number.isFinite(v) && v >= 0);
const isInt = (v: unknown, min: number, max: number) => v === undefined || (Number.isInteger(v) && (v as number) >= min && (v as number) <= max);

export const isMutation = (a: DockerAction): a is ContainerMutation => ACTION_KINDS[a] === 'mutation';

/** What is wrong with an action's options, or null. Unknown option keys are ignored (newer backends). */
function optionsProblem(action: DockerAction, o: Rec): string | null {
  switch (action) {
    case 'list':
      return isBool(o.all) ? null : 'all must be a boolean';
    case 'stop':
    case 'restart':
      return isInt(o.timeoutSec, 0, DOCKER_STOP_MAX_TIMEOUT_SEC) ? null : `timeoutSec must be an integer from 0 to ${DOCKER_STOP_MAX_TIMEOUT_SEC}`;
    case 'kill':
      return o.signal === undefined || (typeof o.signal === 'string' && DOCKER_SIGNAL_PATTERN.test(o.signal)) ? null : 'signal must be a signal name (SIGTERM, HUP) or a number from 1 to 64';
    case 'remove':
      return isBool(o.force) && isBool(o.volumes) ? null : 'force and volumes must be booleans';
    case 'logs':
      if (!isInt(o.tail, 0, DOCKER_LOGS_MAX_TAIL)) return `tail must be an integer from 0 to ${DOCKER_LOGS_MAX_TAIL}`;
      if (!isTime(o.since) || !isTime(o.until)) return 'since and until must be unix seconds';
      if (typeof o.since === 'number' && typeof o.until === 'number' && o.until < o.since) return 'until must not be before since';
      if (!isBool(o.timestamps) || !isBool(o.follow)) return 'timestamps and follow must be booleans';
      if (o.follow === true && !(typeof o.streamId === 'string' && UUID.test(o.streamId))) return 'follow needs a streamId (a UUID)';
      if (o.follow === true && o.until !== undefined) return 'until does not apply to a followed log';
      return null;
    default:
      return null;
  }
}

export function checkDockerRequest(raw: unknown): Checked<DockerRequest> {
  if (!isRecord(raw)) return { ok: false, message: 'the request is not an object' };
  const { requestId, action, containerId, options, answerWithinMs } = raw;
  if (typeof requestId !== 'string' || !requestId || requestId.length > MAX_ID_LENGTH) {
    return { ok: false, message: `requestId must be a string of 1 to ${MAX_ID_LENGTH} characters` };
  }
  if (typeof action !== 'string' || !(DOCKER_ACTIONS as readonly string[]).includes(action)) {
    return { ok: false, message: `unknown action "${String(action).slice(0, 32)}": one of ${DOCKER_ACTIONS.join(', ')}` };
  }
  const a = action as DockerAction;
  if (ACTION_KINDS[a] !== 'engine' && !(typeof containerId === 'string' && CONTAINER_REF_PATTERN.test(containerId))) {
    return { ok: false, message: 'containerId must be a container id or name' };
  }
  if (options !== undefined && !isRecord(options)) return { ok: false, message: 'options must be an object' };
  const problem = optionsProblem(a, options ?? {});
  if (problem) return { ok: false, message: problem };
  if (answerWithinMs !== undefined && !(typeof answerWithinMs === 'number' && Number.isFinite(answerWithinMs) && answerWithinMs > 0)) {
    return { ok: false, message: 'answerWithinMs must be a positive number' };
  }
  // Checked field by field above; TypeScript cannot follow the per-action correlation.
  return { ok: true, value: raw as unknown as DockerRequest };
}
