/** Enumerations shared by REST, sockets and storage. Values are the wire spelling. */
export const SERVER_STATUSES = ['online', 'offline', 'unknown'] as const;
export type ServerStatus = (typeof SERVER_STATUSES)[number];

export const USER_ROLES = ['admin', 'user'] as const;
export type UserRole = (typeof USER_ROLES)[number];

export const METRIC_TYPES = [
  'cpu', 'memory', 'disk', 'swap', 'load1', 'network_rx', 'network_tx',
  'offline', 'container_down', 'container_cpu', 'container_memory', 'container_unhealthy',
] as const;
export type MetricType = (typeof METRIC_TYPES)[number];

export const COMPARISONS = ['gt', 'gte', 'lt', 'lte', 'eq'] as const;
export type Comparison = (typeof COMPARISONS)[number];

export const SEVERITIES = ['info', 'warning', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const ALERT_STATUSES = ['active', 'acknowledged', 'resolved'] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];

/** Actions of the agent's `docker` request (`images` is an extension of the contract's list). */
export const DOCKER_ACTIONS = [
  'list', 'inspect', 'start', 'stop', 'restart', 'pause', 'unpause', 'kill', 'remove', 'logs', 'stats', 'images',
] as const;
export type DockerAction = (typeof DOCKER_ACTIONS)[number];

/** The actions that change a container (`POST /docker/{serverId}/containers/{id}/{action}`; audited; refused by a read-only agent). */
export const CONTAINER_MUTATIONS = ['start', 'stop', 'restart', 'pause', 'unpause', 'kill', 'remove'] as const;
export type ContainerMutation = (typeof CONTAINER_MUTATIONS)[number];

/** Prefix of every agent API key: `cok_` + 32 random bytes, base64url. */
export const API_KEY_PREFIX = 'cok_';
