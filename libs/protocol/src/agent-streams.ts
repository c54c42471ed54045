/**
 * Events an agent emits on its own, without an acknowledgement (command output, terminal output,
 * container events). The backend's agents gateway validates each with its schema here and
 * republishes it on the internal event bus as `agent.<event>` with the agent's `serverId`;
 * feature modules listen there. Adding a stream event is one entry in this table: the gateway
 * and the internal event map follow from it.
 */
import { z } from 'zod';
import type { CommandOutputChunk } from './commands';
import type { ContainerEvent, DockerLogsChunk, DockerLogsEnd } from './docker';
import { CONTAINER_EVENT_ACTIONS } from './docker';
import { logLineSchema } from './docker-schemas';
import { DOCKER_LOGS_CHUNK_MAX_LINES } from './docker-limits';
import type { TerminalData, TerminalExit } from './terminal';
import { TERMINAL_MAX_CHUNK } from './terminal';

const id = z.string().min(1).max(128);
/** Output chunks: generous, finite (the agent coalesces output into chunks well below this). */
const chunk = z.string().max(TERMINAL_MAX_CHUNK * 4);
const exitCode = z.number().int().min(-1).max(255).nullable();

export const agentStreamSchemas = {
  command_output: z.object({ commandId: id, stream: z.enum(['stdout', 'stderr']), data: chunk }),
  terminal_output: z.object({ sessionId: id, data: chunk }),
  terminal_exit: z.object({ sessionId: id, exitCode, reason: z.enum(['exit', 'closed', 'idle']).optional() }),
  container_event: z.object({
    containerId: z.string().min(1).max(128),
    name: z.string().max(255),
    image: z.string().max(512).nullable(),
    action: z.enum(CONTAINER_EVENT_ACTIONS),
    exitCode: z.number().int().min(-1).max(1_000_000).nullable(),
    health: z.string().max(32).nullable(),
    time: z.iso.datetime({ offset: true }),
  }),
  /** Lines of a followed container log (`docker` logs with `follow`); the agent coalesces them. */
  container_logs: z.object({
    streamId: id,
    containerId: z.string().min(1).max(128),
    lines: z.array(logLineSchema).min(1).max(DOCKER_LOGS_CHUNK_MAX_LINES),
  }),
  /** A followed log stream ended on the agent's side. */
  container_logs_end: z.object({
    streamId: id,
    containerId: z.string().min(1).max(128),
    reason: z.enum(['ended', 'error']),
    message: z.string().max(1024).optional(),
  }),
} satisfies Record<string, z.ZodType>;

export type AgentStreamEvent = keyof typeof agentStreamSchemas;
/** The payload of each stream event, as the agent sends it. */
export interface AgentStreamPayloads {
  command_output: CommandOutputChunk;
  terminal_output: TerminalData;
  terminal_exit: TerminalExit;
  container_event: ContainerEvent;
  container_logs: DockerLogsChunk;
  container_logs_end: DockerLogsEnd;
}

/** Compile-time check: every schema parses to exactly the interface the agent sends. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const schemasMatchPayloads: { [K in AgentStreamEvent]: Same<z.infer<(typeof agentStreamSchemas)[K]>, AgentStreamPayloads[K]> } = {
  command_output: true,
  terminal_output: true,
  terminal_exit: true,
  container_event: true,
  container_logs: true,
  container_logs_end: true,
};
void schemasMatchPayloads;
