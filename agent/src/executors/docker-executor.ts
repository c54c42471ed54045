/**
 * Docker operations (`docker` requests) on the host's engine through dockerode: every request is
 * checked, answered exactly once (`{ok:true, data}` or `{ok:false, error, message?}` in the
 * vocabulary of DOCKER_AGENT_ERRORS) and never later than its deadline: `answerWithinMs` minus a
 * margin, so the backend hears `timeout` from the agent rather than timing out itself.
 *
 * Mutations inspect the container first (a uniform `not_found`, and its name for the audit); the
 * engine's 304 (already started / stopped) is a success. A `--docker-read-only` agent refuses every
 * mutation with `read_only`. Followed logs stream as coalesced `container_logs` chunks to the
 * connection that asked (its owner) until the engine ends them, `docker_logs_stop` arrives or that
 * connection goes away. Container events go to every attached connection as they happen.
 */
import type { Readable } from 'node:stream';
import type Dockerode from 'dockerode';
import {
  dispatchDocker,
  type ContainerEvent, type ContainerLogs, type ContainerStats, type DockerHandlers,
  type DockerMutationData, type DockerRequestOf, type DockerResult,
} from '@chatops/protocol/docker';
import type { DockerTarget } from '../config';
import type { Logger } from '../log';
import { ContainerEventWatcher, EventPacer, type OpenEvents } from './container-events';
import { isNotModified, toDockerFailure } from './docker-errors';
import { fitItems, LogWindow, pipeLogLines, type Demux } from './docker-log-lines';
import { fitInspect, toContainerInfo, toContainerInspect, toContainerStats, toImageInfo, ZERO_STATS } from './docker-mappers';
import { checkDockerRequest, isMutation } from './docker-request';
import { FollowedLogs, type DockerOwner, type FollowedLog } from './followed-logs';

export type { DockerOwner };
export type DockerAck = (res: DockerResult) => void;

export interface DockerExecutorOptions {
  /** dockerode for the engine, created on the first request (loading it costs ≈ 17 MB of RSS). */
  docker: () => Dockerode;
  /** Opens the engine's container event stream (the lean client: no dockerode for an idle agent). */
  openEvents?: OpenEvents;
  /** `--docker-read-only`: list, inspect, logs, stats and images only. */
  readOnly: boolean;
  /** `--docker-show-env`: inspect sends environment values instead of `***`. */
  showEnv: boolean;
  logger: Logger;
  maxStreams?: number;
  /** Between the two one-shot readings `stats` computes CPU% from. */
  statsGapMs?: number;
  /** Answer `timeout` this long before the backend stops waiting. */
  deadlineMarginMs?: number;
}

/** The backend's wait when a request does not say (older backends). */
export const DOCKER_DEFAULT_ANSWER_WITHIN_MS = 15_000;
export const DOCKER_DEADLINE_MARGIN_MS = 2_000;
export const DOCKER_STATS_GAP_MS = 500;
/** dockerode for the configured endpoint, loaded only when Docker is there (it costs memory). */
export function createDockerode(target: DockerTarget): Dockerode {
  // required here, not imported at the top: only an agent with Docker pays for loading it
  const Docker = require('dockerode') as typeof Dockerode;
  return target.kind === 'socket'
    ? new Docker({ socketPath: target.socketPath })
    : new Docker({ host: target.host, port: target.port, protocol: target.protocol });
}

export class DockerExecutor {
  private readonly followed: FollowedLogs;
  private readonly owners = new Set<DockerOwner>();
  private readonly events: ContainerEventWatcher | null;
  private readonly pacer = new EventPacer<ContainerEvent>((event) => {
    for (const owner of this.owners) owner.event(event);
  });
  private client: Dockerode | null = null;
  private stopped = false;

  constructor(private readonly o: DockerExecutorOptions) {
    this.followed = new FollowedLogs(o.logger, o.maxStreams);
    this.events = !o.openEvents ? null : new ContainerEventWatcher({
      open: o.openEvents,
      emit: (event) => this.pacer.push(event),
      logger: o.logger,
    });
  }

  private get docker(): Dockerode {
    this.client ??= this.o.docker();
    return this.client;
  }

  /** Starts following the engine's container events. */
  start(): void {
    this.events?.start();
  }

  /** Followed logs running now (tests, logs). */
  get streamCount(): number {
    return this.followed.size;
  }

  /** A connection that receives container events and its own followed logs. */
  attach(owner: DockerOwner): void {
    this.owners.add(owner);
  }

  /** The connection is gone: its followed logs stop, nothing more is sent to it. */
  detach(owner: DockerOwner): void {
    this.owners.delete(owner);
    this.followed.detach(owner);
  }

  /** `docker_logs_stop`: unknown (or another connection's) ids are ignored. */
  stopStream(owner: DockerOwner, raw: unknown): void {
    this.followed.stop(owner, raw);
  }

  async shutdown(): Promise<void> {
    this.stopped = true;
    this.events?.stop();
    this.pacer.stop();
    if (this.pacer.dropped) this.o.logger.warn('container events dropped in bursts', { dropped: this.pacer.dropped });
    this.followed.closeAll('the agent is stopping');
    this.owners.clear();
  }

  handle(owner: DockerOwner, raw: unknown, ack: DockerAck): void {
    const log = this.o.logger;
    const checked = checkDockerRequest(raw);
    if (!checked.ok) {
      log.warn('docker request refused: invalid', { reason: checked.message });
      return ack({ ok: false, error: 'bad_request', message: checked.message });
    }
    const req = checked.value;
    const fields = { requestId: req.requestId, action: req.action, ...(req.containerId ? { containerId: req.containerId } : {}) };
    if (this.stopped) return ack({ ok: false, error: 'docker_unavailable', message: 'the agent is stopping' });
    if (this.o.readOnly && isMutation(req.action)) {
      log.info('docker request refused', { ...fields, reason: 'read_only' });
      return ack({ ok: false, error: 'read_only' });
    }
    let follow: FollowedLog | null = null;
    if (req.action === 'logs' && req.options?.follow) {
      // Registered now: a docker_logs_stop arriving while the engine stream opens cancels it.
      const registered = this.followed.register(req.options.streamId!, req.containerId, owner);
      if ('ok' in registered) return ack(registered);
      follow = registered;
    }

    const started = performance.now();
    const within = (req.answerWithinMs ?? DOCKER_DEFAULT_ANSWER_WITHIN_MS) - (this.o.deadlineMarginMs ?? DOCKER_DEADLINE_MARGIN_MS);
    let answered = false;
    const answer = (res: DockerResult, outcome: string) => {
      if (answered) return;
      answered = true;
      clearTimeout(deadline);
      const durationMs = Math.round(performance.now() - started);
      if (isMutation(req.action) || !res.ok) log.info('docker request', { ...fields, outcome, durationMs });
      else log.debug('docker request', { ...fields, outcome, durationMs });
      ack(res);
    };
    const deadline = setTimeout(() => {
      // The engine may still do it; the backend hears now that it did not answer in time.
      if (follow) this.followed.close(follow, 'the engine did not open it in time');
      answer({ ok: false, error: 'timeout' }, 'timeout');
    }, Math.max(1000, within));

    dispatchDocker(this.handlers(follow), req).then(
      // Each handler returns its action's data (DockerHandlers); the union cannot carry the correlation.
      (data) => answer({ ok: true, data } as DockerResult, 'ok'),
      (err: unknown) => {
        if (follow) this.followed.close(follow, 'it failed to open');
        const failure = toDockerFailure(err);
        answer(failure, `${failure.error}${failure.message ? `: ${failure.message.slice(0, 200)}` : ''}`);
      },
    );
  }

  private handlers(follow: FollowedLog | null): DockerHandlers {
    const d = this.docker;
    const stopOptions = (r: DockerRequestOf<'stop'> | DockerRequestOf<'restart'>) => (r.options?.timeoutSec === undefined ? {} : { t: r.options.timeoutSec });
    return {
      list: async (r) => fitItems((await d.listContainers({ all: r.options?.all ?? true })).slice(0, 10_000).map((c) => toContainerInfo(c))),
      images: async () => fitItems((await d.listImages()).slice(0, 10_000).map((i) => toImageInfo(i))),
      inspect: async (r) => fitInspect(toContainerInspect(await d.getContainer(r.containerId).inspect(), this.o.showEnv)),
      start: (r) => this.mutate(r, (c) => c.start()),
      stop: (r) => this.mutate(r, (c) => c.stop(stopOptions(r))),
      restart: (r) => this.mutate(r, (c) => c.restart(stopOptions(r))),
      pause: (r) => this.mutate(r, (c) => c.pause()),
      unpause: (r) => this.mutate(r, (c) => c.unpause()),
      kill: (r) => this.mutate(r, (c) => c.kill({ signal: r.options?.signal ?? 'SIGKILL' })),
      remove: (r) => this.mutate(r, (c) => c.remove({ force: r.options?.force === true, v: r.options?.volumes === true })),
      logs: (r) => (follow ? this.follow(follow, r) : this.readLogs(r)),
      stats: (r) => this.stats(r),
    };
  }

  /** Inspect (not_found, the name), then act; the engine's 304 (already in that state) is a success. */
  private async mutate(r: { containerId: string }, act: (c: Dockerode.Container) => Promise<unknown>): Promise<DockerMutationData> {
    const c = this.docker.getContainer(r.containerId);
    const info = await c.inspect();
    const data = { id: String(info.Id ?? r.containerId).slice(0, 128), name: typeof info.Name === 'string' ? info.Name.replace(/^\//, '').slice(0, 255) : null };
    try {
      await act(c);
    } catch (err) {
      if (!isNotModified(err)) throw err;
    }
    return data;
  }

  /** `GET /containers/{id}/logs` as a stream (also without follow: no buffering of the whole body). */
  private openLogs(ref: string, query: Record<string, unknown>): Promise<Readable> {
    return new Promise((resolve, reject) => {
      this.docker.modem.dial({
        path: `/containers/${encodeURIComponent(ref)}/logs?`,
        method: 'GET',
        options: { stdout: true, stderr: true, ...query },
        isStream: true,
        statusCodes: { 200: true, 400: 'bad parameter', 404: 'no such container', 500: 'server error' },
      }, (err, stream) => (err ? reject(err) : resolve(stream as Readable)));
    });
  }

  private demux(tty: boolean): Demux | null {
    // A TTY container's log has no frame headers: every byte is stdout.
    return tty ? null : (src: Readable, out: NodeJS.WritableStream, err: NodeJS.WritableStream) => this.docker.modem.demuxStream(src, out, err);
  }

  private async readLogs(r: DockerRequestOf<'logs'>): Promise<ContainerLogs> {
    const info = await this.docker.getContainer(r.containerId).inspect();
    const o = r.options ?? {};
    const timestamps = o.timestamps === true;
    const source = await this.openLogs(r.containerId, {
      follow: false, tail: o.tail ?? 100, timestamps, ...(o.since !== undefined ? { since: o.since } : {}), ...(o.until !== undefined ? { until: o.until } : {}),
    });
    const window = new LogWindow();
    const finish = pipeLogLines(source, this.demux(info.Config?.Tty === true), timestamps, (line) => window.push(line));
    await new Promise<void>((resolve, reject) => {
      source.once('end', resolve);
      source.once('close', resolve); // cut short: what arrived is answered
      source.once('error', reject);
    });
    finish();
    return window.result();
  }

  private async follow(s: FollowedLog, r: DockerRequestOf<'logs'>): Promise<ContainerLogs> {
    const info = await this.docker.getContainer(r.containerId).inspect();
    const o = r.options ?? {};
    const timestamps = o.timestamps === true;
    const source = await this.openLogs(r.containerId, {
      follow: true, tail: o.tail ?? 100, timestamps, ...(o.since !== undefined ? { since: o.since } : {}),
    });
    // Stopped meanwhile (the backend's stop, a disconnect, the deadline): acknowledged, nothing sent.
    this.followed.start(s, source, this.demux(info.Config?.Tty === true), timestamps);
    return { lines: [] };
  }

  /** Two one-shot readings `statsGapMs` apart (one-shot readings carry no previous CPU reading); zeros when not running. */
  private async stats(r: DockerRequestOf<'stats'>): Promise<ContainerStats> {
    const c = this.docker.getContainer(r.containerId);
    const info = await c.inspect();
    if (info.State?.Running !== true) return { ...ZERO_STATS };
    const read = () => c.stats({ stream: false, 'one-shot': true }) as Promise<unknown> as Promise<Record<string, never>>;
    const first = await read();
    await new Promise((res) => setTimeout(res, this.o.statsGapMs ?? DOCKER_STATS_GAP_MS));
    const second = await read();
    return toContainerStats(first, second);
  }
}
