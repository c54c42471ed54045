import { ApiProperty } from '@nestjs/swagger';
import {
  CONTAINER_EVENT_ACTIONS, CONTAINER_MUTATIONS,
  type ContainerActionResponse, type ContainerEvent, type ContainerEventAction, type ContainerHealth, type ContainerInfo,
  type ContainerInspect, type ContainerLogs, type ContainerMount, type ContainerMutation, type ContainerNetwork, type ContainerPort,
  type ContainerStateDetail, type ContainerStats, type ImageInfo, type LogLine,
} from '@chatops/protocol';

// Each class implements its protocol shape: a drift between the OpenAPI schema and the wire type fails to compile.

export class ContainerPortDto implements ContainerPort {
  privatePort: number;
  /** Only when published on the host. */
  publicPort?: number;
  @ApiProperty({ enum: ['tcp', 'udp', 'sctp'] }) type: 'tcp' | 'udp' | 'sctp';
  /** Host address it is published on. */
  ip?: string;
}

export class ContainerInfoDto implements ContainerInfo {
  /** Full id (64 hex digits). */
  id: string;
  /** Without Docker's leading `/`. */
  name: string;
  image: string;
  /** `created`, `running`, `paused`, `restarting`, `removing`, `exited` or `dead`. */
  state: string;
  /** Docker's human status, e.g. `Up 2 hours (unhealthy)`. */
  status: string;
  createdAt: string;
  ports: ContainerPortDto[];
}

export class ContainerHealthDto implements ContainerHealth {
  /** `starting`, `healthy` or `unhealthy`. */
  status: string;
  failingStreak: number;
}

export class ContainerStateDetailDto implements ContainerStateDetail {
  status: string;
  running: boolean;
  paused: boolean;
  restarting: boolean;
  oomKilled: boolean;
  dead: boolean;
  pid: number | null;
  exitCode: number | null;
  error: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  /** null when the container has no health check. */
  health: ContainerHealthDto | null;
}

export class ContainerMountDto implements ContainerMount {
  type: string;
  name?: string;
  source: string;
  destination: string;
  mode: string;
  rw: boolean;
}

export class ContainerNetworkDto implements ContainerNetwork {
  name: string;
  ipAddress: string | null;
  gateway: string | null;
  macAddress: string | null;
}

export class ContainerConfigDto {
  hostname: string;
  user: string;
  workingDir: string;
  entrypoint: string[] | null;
  cmd: string[] | null;
  /** `KEY=value` entries; values are `***` unless the agent runs with `--docker-show-env` (see `envRedacted`). */
  env: string[];
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' } }) labels: Record<string, string>;
  tty: boolean;
}

export class RestartPolicyDto {
  /** `no`, `always`, `unless-stopped`, `on-failure`. */
  name: string;
  maximumRetryCount: number;
}

export class ContainerResourcesDto {
  /** null: no limit. */
  memoryLimitBytes: number | null;
  /** CPU limit in 1e-9 CPUs; null: no limit. */
  nanoCpus: number | null;
  privileged: boolean;
  networkMode: string;
}

export class ContainerInspectDto implements ContainerInspect {
  id: string;
  name: string;
  image: string;
  imageId: string;
  createdAt: string;
  state: ContainerStateDetailDto;
  restartCount: number;
  command: string[];
  config: ContainerConfigDto;
  /** Environment values were replaced by `***`. */
  envRedacted: boolean;
  restartPolicy: RestartPolicyDto;
  ports: ContainerPortDto[];
  mounts: ContainerMountDto[];
  networks: ContainerNetworkDto[];
  resources: ContainerResourcesDto;
}

export class ContainerActionResponseDto implements ContainerActionResponse {
  @ApiProperty({ enum: [true] }) ok: true;
  @ApiProperty({ enum: CONTAINER_MUTATIONS }) action: ContainerMutation;
  /** As given in the path. */
  containerId: string;
  /** The container's name, when known. */
  name: string | null;
}

export class LogLineDto implements LogLine {
  @ApiProperty({ enum: ['stdout', 'stderr'] }) stream: 'stdout' | 'stderr';
  /** Without the trailing newline; at most 16,384 characters. */
  text: string;
  /** With `timestamps=true`: the engine's RFC 3339 time. */
  timestamp?: string;
}

export class ContainerLogsDto implements ContainerLogs {
  /** Oldest first. */
  lines: LogLineDto[];
  /** Older lines were left out to keep the answer within 768 KiB. */
  truncated?: boolean;
}

export class ContainerStatsDto implements ContainerStats {
  /** 100 = one full core, as `docker stats`. */
  cpuPercent: number;
  /** Usage minus the inactive page cache, as `docker stats`. */
  memBytes: number;
  memLimitBytes: number;
  netRxBytes: number;
  netTxBytes: number;
  pids: number;
}

export class ImageInfoDto implements ImageInfo {
  /** `sha256:…` */
  id: string;
  /** `repo:tag` names; empty for a dangling image. */
  tags: string[];
  sizeBytes: number;
  createdAt: string;
}

export class ContainerEventDto implements ContainerEvent {
  containerId: string;
  name: string;
  image: string | null;
  @ApiProperty({ enum: CONTAINER_EVENT_ACTIONS }) action: ContainerEventAction;
  /** `die`: the exit code. */
  exitCode: number | null;
  /** `health_status`: `healthy`, `unhealthy` or `starting`. */
  health: string | null;
  /** When it happened on the engine (the agent's clock). */
  time: string;
}
