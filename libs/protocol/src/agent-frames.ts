/**
 * Frames the agent sends on the `/agents` namespace, as zod schemas. The backend validates
 * every frame with these; the agent and the dashboard use the inferred types.
 * Bounds are generous but finite, so a hostile frame cannot make the server allocate or
 * store unbounded data. Unknown keys are stripped (newer agents may send more).
 */
import { z } from 'zod';

const MAX_BYTES = 2 ** 60; // ~1 EiB: larger than any real device, finite and exact in a double
const bytes = z.number().finite().min(0).max(MAX_BYTES);
const rate = z.number().finite().min(0).max(MAX_BYTES);
const percent = z.number().finite().min(0).max(100);
/**
 * Text in a frame: no U+0000 (PostgreSQL cannot store it in text or jsonb, so one such string
 * would fail every write it is part of) and no lone UTF-16 surrogate (not Unicode). With the `u`
 * flag a surrogate pair is one code point, so only lone halves fall in the excluded range. The
 * pattern is also what the backend's compiled validator checks (JSON Schema `pattern`).
 */
export const WIRE_TEXT_PATTERN = /^[^\u0000\uD800-\uDFFF]*$/u;
const shortText = (max = 256) => z.string().max(max).regex(WIRE_TEXT_PATTERN, { message: 'must not contain NUL characters or lone UTF-16 surrogates' });

export const AGENT_LIMITS = {
  maxCores: 4096,
  maxDisks: 256,
  maxInterfaces: 256,
  maxContainers: 2000,
  maxProcesses: 100,
  maxBatch: 1000,
  /** Largest frame the server accepts on `/agents` (bytes). */
  maxFrameBytes: 1024 * 1024,
} as const;

export const capabilitiesSchema = z.object({
  exec: z.boolean(),
  docker: z.boolean(),
  terminal: z.boolean(),
  /** Started with `--docker-read-only`: Docker list, inspect, logs, stats and images only. Absent from older agents. */
  dockerReadOnly: z.boolean().optional(),
});

export const helloSchema = z.object({
  agentVersion: shortText(64),
  hostname: shortText(255),
  os: shortText(255),
  arch: shortText(64),
  bootId: shortText(128).min(1),
  intervalSec: z.number().finite().min(1).max(3600),
  capabilities: capabilitiesSchema,
});
export type HelloFrame = z.infer<typeof helloSchema>;

export const diskSchema = z.object({
  mount: shortText(1024),
  fs: shortText(1024),
  type: shortText(64),
  totalBytes: bytes,
  usedBytes: bytes,
  percent,
});
export const networkSchema = z.object({
  iface: shortText(64),
  rxBytes: bytes,
  txBytes: bytes,
  rxBps: rate,
  txBps: rate,
});
export const containerSchema = z.object({
  id: shortText(128),
  name: shortText(255),
  image: shortText(512),
  state: shortText(64),
  status: shortText(255),
  cpuPercent: z.number().finite().min(0).max(100 * 4096).optional(),
  memBytes: bytes.optional(),
  memLimitBytes: bytes.optional(),
});
export const processSchema = z.object({
  pid: z.number().int().min(0).max(2 ** 31),
  name: shortText(255),
  user: shortText(64),
  cpuPercent: z.number().finite().min(0).max(100 * 4096),
  memBytes: bytes,
  /** The command line, arguments separated by spaces (the agent cuts it at 512 characters); older agents omit it. */
  command: shortText(1024).optional(),
});

export const metricsSampleSchema = z.object({
  seq: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  bootId: shortText(128).min(1),
  timestamp: z.iso.datetime({ offset: true }),
  cpu: z.object({
    percent,
    perCore: z.array(percent).max(AGENT_LIMITS.maxCores),
    load: z.tuple([z.number().finite().min(0).max(1e6), z.number().finite().min(0).max(1e6), z.number().finite().min(0).max(1e6)]),
    cores: z.number().int().min(1).max(AGENT_LIMITS.maxCores),
  }),
  memory: z.object({
    totalBytes: bytes,
    usedBytes: bytes,
    availableBytes: bytes,
    percent,
    swapTotalBytes: bytes,
    swapUsedBytes: bytes,
  }),
  disks: z.array(diskSchema).max(AGENT_LIMITS.maxDisks),
  network: z.array(networkSchema).max(AGENT_LIMITS.maxInterfaces),
  diskIo: z.object({ readBps: rate, writeBps: rate }).optional(),
  uptimeSec: z.number().finite().min(0).max(1e10).optional(),
  containers: z.array(containerSchema).max(AGENT_LIMITS.maxContainers).optional(),
  processes: z.array(processSchema).max(AGENT_LIMITS.maxProcesses).optional(),
});
export type MetricsSample = z.infer<typeof metricsSampleSchema>;
export type DiskUsage = z.infer<typeof diskSchema>;
export type NetworkUsage = z.infer<typeof networkSchema>;
export type ContainerSummary = z.infer<typeof containerSchema>;
export type ProcessSummary = z.infer<typeof processSchema>;

export const metricsBatchSchema = z.object({
  samples: z.array(z.unknown()).min(1).max(AGENT_LIMITS.maxBatch),
});
export type MetricsBatchFrame = { samples: MetricsSample[] };

export type MetricsAck = { ok: true; seq: number } | { ok: false; error: string; seq?: number };
export type MetricsBatchAck = { ok: true; stored: number; rejected?: number } | { ok: false; error: string; stored?: number };

/** Summarise zod issues into one short line for an ack or a log (never echoes values). */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
    .join('; ');
}
