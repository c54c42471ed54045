/** Docker operations through the agent: the agent request and the container events it forwards. */
import type { DockerAction } from './enums';

// ---- agent socket ----------------------------------------------------------------------
/** Backend → agent `docker`. */
export interface DockerRequest { requestId: string; action: DockerAction; containerId?: string; options?: Record<string, unknown> }
/** The agent's answer: `error` is `disabled` when Docker is switched off on the agent. */
export type DockerResult = { ok: true; data: unknown } | { ok: false; error: string; code?: string };

/** Engine event kinds the agent forwards as `container_event`. */
export const CONTAINER_EVENT_ACTIONS = [
  'create', 'start', 'stop', 'restart', 'die', 'kill', 'oom', 'pause', 'unpause', 'destroy', 'health_status',
] as const;
export type ContainerEventAction = (typeof CONTAINER_EVENT_ACTIONS)[number];

/** Agent → backend as it happens on the engine. */
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
