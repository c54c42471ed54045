/**
 * The agent's followed container logs (`logs` with `follow`): registered as soon as the request
 * arrives (a `docker_logs_stop` while the engine stream opens cancels it), bounded in number, each
 * belonging to the connection that asked (its owner). Once the engine's stream is open its lines
 * flow through a LogChunker to the owner until the engine ends it (`container_logs_end`), the
 * backend stops it, the owner's connection goes away or the agent stops (silently).
 */
import type { Readable } from 'node:stream';
import type { ContainerEvent, DockerFailure, DockerLogsChunk, DockerLogsEnd } from '@chatops/protocol/docker';
import type { Logger } from '../log';
import { pipeLogLines, type Demux } from './docker-log-lines';
import { LogChunker } from './log-chunker';

/** Where a connection's Docker streams go. `logs` answers false when the connection is backed up. */
export interface DockerOwner {
  logs(chunk: DockerLogsChunk): boolean;
  logsEnd(end: DockerLogsEnd): void;
  event(event: ContainerEvent): void;
}

export interface FollowedLog {
  readonly id: string;
  readonly containerId: string;
  readonly owner: DockerOwner;
  source: Readable | null;
  chunker: LogChunker | null;
  stopped: boolean;
}

/** Followed logs the agent runs at once (docs/docker.md suggests 8). */
export const DOCKER_MAX_LOG_STREAMS = 8;
/**
 * Log chunks a second the agent sends at most, shared by its followed logs (one stream may use all
 * of it; 100 chunks of up to 500 lines): the backend disconnects an agent over 200 frames a second,
 * and metrics, container events (EVENTS_PER_SEC) and command output need room too.
 */
export const DOCKER_LOG_FRAMES_PER_SEC = 100;

export class FollowedLogs {
  private readonly streams = new Map<string, FollowedLog>();

  constructor(private readonly logger: Logger, private readonly max = DOCKER_MAX_LOG_STREAMS) {}

  get size(): number {
    return this.streams.size;
  }

  /** A new stream, or why not: the id is taken, or the agent follows as many as it allows. */
  register(streamId: string, containerId: string, owner: DockerOwner): FollowedLog | DockerFailure {
    const id = streamId.toLowerCase();
    if (this.streams.has(id)) return { ok: false, error: 'bad_request', message: `stream ${id} is already followed` };
    if (this.streams.size >= this.max) {
      this.logger.warn('followed log refused', { streamId: id, containerId, reason: 'too_many_streams', streams: this.streams.size });
      return { ok: false, error: 'too_many_streams', message: `the agent follows ${this.streams.size} logs already` };
    }
    const s: FollowedLog = { id, containerId, owner, source: null, chunker: null, stopped: false };
    this.streams.set(id, s);
    return s;
  }

  /**
   * The engine's stream is open: its lines go to the owner in chunks from now on. False when the
   * stream was stopped meanwhile (the source is closed then).
   */
  start(s: FollowedLog, source: Readable, demux: Demux | null, timestamps: boolean): boolean {
    if (s.stopped) {
      source.destroy();
      return false;
    }
    s.source = source;
    const chunker = new LogChunker({
      send: (lines) => s.stopped || s.owner.logs({ streamId: s.id, containerId: s.containerId, lines }),
      minGapMs: () => (1000 * Math.max(1, this.streams.size)) / DOCKER_LOG_FRAMES_PER_SEC,
    });
    s.chunker = chunker;
    const finish = pipeLogLines(source, demux, timestamps, (line) => chunker.push(line));
    const ended = (reason: DockerLogsEnd['reason'], message?: string) => {
      if (s.stopped) return;
      finish();
      chunker.flush();
      this.close(s, reason === 'ended' ? 'the engine ended it' : `it failed: ${message}`);
      s.owner.logsEnd({ streamId: s.id, containerId: s.containerId, reason, ...(message ? { message: message.slice(0, 1024) } : {}) });
    };
    source.on('end', () => ended('ended'));
    source.on('close', () => ended('ended'));
    source.on('error', (err) => ended('error', err.message));
    this.logger.info('followed log started', { streamId: s.id, containerId: s.containerId });
    return true;
  }

  /** `docker_logs_stop`: unknown (or another connection's) ids are ignored. */
  stop(owner: DockerOwner, raw: unknown): void {
    const id = raw && typeof raw === 'object' ? (raw as { streamId?: unknown }).streamId : undefined;
    const s = typeof id === 'string' ? this.streams.get(id.toLowerCase()) : undefined;
    if (s && s.owner === owner) this.close(s, 'stopped by the backend');
  }

  /** The owner's connection is gone: its streams stop. */
  detach(owner: DockerOwner): void {
    for (const s of [...this.streams.values()]) if (s.owner === owner) this.close(s, 'the backend connection is gone');
  }

  closeAll(why: string): void {
    for (const s of [...this.streams.values()]) this.close(s, why);
  }

  /** Stops a stream: the engine stream is closed and nothing more is sent for it. */
  close(s: FollowedLog, why: string): void {
    if (this.streams.get(s.id) === s) this.streams.delete(s.id);
    if (s.stopped) return;
    s.stopped = true;
    s.chunker?.close();
    s.source?.destroy();
    if (s.source) this.logger.info('followed log stopped', { streamId: s.id, containerId: s.containerId, reason: why });
  }
}
