/**
 * zod schemas of what an agent answers to `docker` requests: the backend checks every answer's
 * `data` with the schema of its action before anything reaches a browser (bounded, unknown keys
 * stripped). A compile-time check below keeps each schema equal to its wire type in docker.ts.
 */
import { z } from 'zod';
import type { DockerRequests } from './docker-agent';
import { DOCKER_LOG_LINE_MAX_CHARS, DOCKER_LOGS_MAX_TAIL } from './docker-limits';
import type { DockerAction } from './enums';

const text = (max: number) => z.string().max(max);
const MAX_BYTES = 2 ** 60;
const bytes = z.number().finite().min(0).max(MAX_BYTES);
const count = z.number().int().min(0).max(2 ** 31);
const time = z.iso.datetime({ offset: true });
const strings = (maxItems: number, maxLen: number) => z.array(text(maxLen)).max(maxItems);

export const containerPortSchema = z.object({
  privatePort: z.number().int().min(0).max(65535),
  publicPort: z.number().int().min(0).max(65535).optional(),
  type: z.enum(['tcp', 'udp', 'sctp']),
  ip: text(64).optional(),
});

export const containerInfoSchema = z.object({
  id: text(128).min(1),
  name: text(255),
  image: text(512),
  state: text(32),
  status: text(255),
  createdAt: time,
  ports: z.array(containerPortSchema).max(1024),
});

export const containerInspectSchema = z.object({
  id: text(128).min(1),
  name: text(255),
  image: text(512),
  imageId: text(256),
  createdAt: time,
  state: z.object({
    status: text(32),
    running: z.boolean(),
    paused: z.boolean(),
    restarting: z.boolean(),
    oomKilled: z.boolean(),
    dead: z.boolean(),
    pid: count.nullable(),
    exitCode: z.number().int().min(-1).max(1_000_000).nullable(),
    error: text(4096).nullable(),
    startedAt: time.nullable(),
    finishedAt: time.nullable(),
    health: z.object({ status: text(32), failingStreak: count }).nullable(),
  }),
  restartCount: count,
  command: strings(1024, 8192),
  config: z.object({
    hostname: text(255),
    user: text(255),
    workingDir: text(4096),
    entrypoint: strings(1024, 8192).nullable(),
    cmd: strings(1024, 8192).nullable(),
    env: strings(4096, 32 * 1024),
    labels: z.record(text(1024), text(8192)),
    tty: z.boolean(),
  }),
  envRedacted: z.boolean(),
  truncated: z.boolean().optional(),
  restartPolicy: z.object({ name: text(64), maximumRetryCount: count }),
  ports: z.array(containerPortSchema).max(1024),
  mounts: z.array(z.object({
    type: text(32),
    name: text(255).optional(),
    source: text(4096),
    destination: text(4096),
    mode: text(64),
    rw: z.boolean(),
  })).max(1024),
  networks: z.array(z.object({
    name: text(255),
    ipAddress: text(64).nullable(),
    gateway: text(64).nullable(),
    macAddress: text(64).nullable(),
  })).max(256),
  resources: z.object({
    memoryLimitBytes: bytes.nullable(),
    nanoCpus: z.number().int().min(0).max(MAX_BYTES).nullable(),
    privileged: z.boolean(),
    networkMode: text(255),
  }),
});

export const logLineSchema = z.object({
  stream: z.enum(['stdout', 'stderr']),
  text: text(DOCKER_LOG_LINE_MAX_CHARS),
  timestamp: text(64).optional(),
});

export const containerLogsSchema = z.object({
  lines: z.array(logLineSchema).max(DOCKER_LOGS_MAX_TAIL),
  truncated: z.boolean().optional(),
});

export const containerStatsSchema = z.object({
  cpuPercent: z.number().finite().min(0).max(100 * 4096),
  memBytes: bytes,
  memLimitBytes: bytes,
  netRxBytes: bytes,
  netTxBytes: bytes,
  pids: count,
});

export const imageInfoSchema = z.object({
  id: text(256).min(1),
  tags: strings(1024, 512),
  sizeBytes: bytes,
  createdAt: time,
});

export const dockerMutationDataSchema = z.object({ id: text(128).min(1), name: text(255).nullable() });

/** The schema of each action's `data`. */
export const dockerDataSchemas = {
  list: z.array(containerInfoSchema).max(10_000),
  inspect: containerInspectSchema,
  start: dockerMutationDataSchema,
  stop: dockerMutationDataSchema,
  restart: dockerMutationDataSchema,
  pause: dockerMutationDataSchema,
  unpause: dockerMutationDataSchema,
  kill: dockerMutationDataSchema,
  remove: dockerMutationDataSchema,
  logs: containerLogsSchema,
  stats: containerStatsSchema,
  images: z.array(imageInfoSchema).max(10_000),
} satisfies Record<DockerAction, z.ZodType>;

/** Compile-time check: every schema parses to exactly its action's wire type (docker-agent.ts). */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const schemasMatchTypes: { [A in DockerAction]: Same<z.infer<(typeof dockerDataSchemas)[A]>, DockerRequests[A]['data']> } = {
  list: true, inspect: true, start: true, stop: true, restart: true, pause: true, unpause: true, kill: true, remove: true,
  logs: true, stats: true, images: true,
};
void schemasMatchTypes;
