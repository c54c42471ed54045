/**
 * Wires collectors, buffer and connection together: one sample per interval, each with this
 * process's bootId and the next seq, pushed into the buffer and handed to the connection.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { HelloFrame, MetricsSample } from '@chatops/protocol';
import { SampleBuffer } from './buffer/sample-buffer';
import { ContainerCollector, createDockerClient } from './collectors/containers';
import type { DockerEngine } from './collectors/docker-engine';
import { HostCollector } from './collectors/host-collector';
import type { AgentConfig } from './config';
import { AgentConnection, type ConnectionOptions } from './connection/agent-connection';
import { NO_EXECUTORS, type Capabilities, type Executors } from './executors';
import { CommandExecutor, type CommandExecutorOptions } from './executors/command-executor';
import { createDockerode, DockerExecutor, type DockerExecutorOptions } from './executors/docker-executor';
import { execIdentity, minimalEnv } from './executors/exec-env';
import { ExecPolicy } from './executors/exec-policy';
import { PtyExecutor, loginShellArgs, type PtyExecutorOptions } from './executors/pty-executor';
import { loadPty, type PtyModule } from './executors/pty-loader';
import { gatherInventory, type Inventory } from './inventory';
import type { Logger } from './log';
import { AGENT_VERSION } from './version';

export const BUFFER_FILE = 'unacked-samples.jsonl';
/** stop() waits this long at most for a collection in progress. */
export const STOP_COLLECTION_WAIT_MS = 2000;

export interface AgentOptions {
  config: AgentConfig;
  logger: Logger;
  /** Overrides for tests. */
  collector?: HostCollector;
  inventory?: Inventory;
  connection?: Partial<ConnectionOptions>;
  flushDelayMs?: number;
  /** Executor tuning for tests (grace periods, coalescing). */
  commands?: Partial<CommandExecutorOptions>;
  terminals?: Partial<PtyExecutorOptions>;
  docker?: Partial<DockerExecutorOptions>;
  /** Loads the PTY library (tests: a stand-in that fails like musl would). */
  loadPty?: () => PtyModule;
}

export async function probeDocker(config: AgentConfig): Promise<ContainerCollector | null> {
  const containers = new ContainerCollector(createDockerClient(config.docker));
  return (await containers.reachable()) ? containers : null;
}

export class Agent {
  readonly bootId = randomUUID();
  private seq = 0;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private ticking: Promise<void> | null = null;
  private startedAt = 0;
  private tickNo = 0;
  readonly buffer: SampleBuffer;
  connection!: AgentConnection;
  private collector!: HostCollector;
  private dockerReachable = false;
  private containers: ContainerCollector | null = null;
  private eventsClient: DockerEngine | null = null;
  private inventory!: Inventory;
  private executors: Executors = NO_EXECUTORS;
  private policy: ExecPolicy | null = null;

  constructor(private readonly opts: AgentOptions) {
    const { config, logger } = opts;
    this.buffer = new SampleBuffer({
      file: join(config.stateDir, BUFFER_FILE),
      maxSamples: config.bufferSize,
      flushDelayMs: opts.flushDelayMs ?? 2000,
      logger,
    });
  }

  /** What this agent does, as `hello` tells the backend: exec and terminal only when switched on and set up. */
  capabilities(): Capabilities {
    return {
      exec: this.executors.commands !== null,
      docker: this.dockerReachable,
      terminal: this.executors.terminals !== null,
      dockerReadOnly: this.opts.config.dockerReadOnly,
    };
  }

  /** SIGHUP: re-read the --exec-allow file (the previous list stays when the new one is invalid). */
  reloadExecPolicy(): void {
    if (this.policy) this.policy.reload();
    else this.opts.logger.info('SIGHUP: remote commands are off, nothing to reload');
  }

  /** The command and terminal executors, when switched on. Throws PtyUnavailableError before anything starts. */
  private createExecutors(): Executors {
    const { config, logger } = this.opts;
    if (!config.enableExec) return NO_EXECUTORS;
    // First, so an unusable PTY stops the agent before it connects.
    const pty = config.enableTerminal ? (this.opts.loadPty ?? loadPty)() : null;
    const identity = execIdentity();
    this.policy = new ExecPolicy(config.execAllow, logger);
    const commands = new CommandExecutor({
      cwd: config.execCwd, env: minimalEnv(identity, 'command'), policy: this.policy, concurrency: config.execConcurrency, logger,
      ...this.opts.commands,
    });
    logger.info('remote commands enabled', {
      user: identity.user, cwd: config.execCwd, concurrency: config.execConcurrency,
      allowList: config.execAllow ? config.execAllow.file : null, patterns: config.execAllow?.patterns.length ?? null,
    });
    if (config.execAllow && config.execAllow.patterns.length === 0) {
      logger.warn('the --exec-allow file has no pattern: every command will be refused', { file: config.execAllow.file });
    }
    let terminals: PtyExecutor | null = null;
    if (pty) {
      const shell = config.terminalShell;
      terminals = new PtyExecutor({
        pty, shell, shellArgs: loginShellArgs(shell), cwd: config.execCwd, env: minimalEnv(identity, 'terminal', shell),
        maxSessions: config.terminalMaxSessions, idleTimeoutMs: config.terminalIdleTimeoutSec * 1000, logger,
        ...this.opts.terminals,
      });
      logger.info('web terminal enabled', { shell, maxSessions: config.terminalMaxSessions, idleTimeoutSec: config.terminalIdleTimeoutSec });
    }
    return { commands, terminals };
  }

  /** Docker operations and container events: only when the engine answered at start. */
  private createDockerExecutor(): DockerExecutor {
    const { config, logger } = this.opts;
    // The event stream has a client of its own (no per-request timeout, its own connection).
    const events = createDockerClient(config.docker);
    this.eventsClient = events;
    const docker = new DockerExecutor({
      docker: () => createDockerode(config.docker), openEvents: (since) => events.containerEvents(since),
      readOnly: config.dockerReadOnly, showEnv: config.dockerShowEnv, logger, ...this.opts.docker,
    });
    docker.start();
    logger.info('Docker operations enabled', { readOnly: config.dockerReadOnly, showEnv: config.dockerShowEnv });
    return docker;
  }

  hello(): HelloFrame {
    return {
      agentVersion: AGENT_VERSION,
      hostname: this.inventory.hostname,
      os: this.inventory.os,
      arch: this.inventory.arch,
      bootId: this.bootId,
      intervalSec: this.opts.config.intervalSec,
      capabilities: this.capabilities(),
    };
  }

  async start(): Promise<void> {
    const { config, logger } = this.opts;
    this.executors = this.createExecutors();
    const restored = this.buffer.load();
    if (restored) logger.info('restored unacknowledged samples from the state dir', { count: restored, stateDir: config.stateDir });

    if (this.opts.collector) {
      this.collector = this.opts.collector;
    } else {
      const containers = await probeDocker(config);
      this.containers = containers;
      this.dockerReachable = containers !== null;
      logger.info(containers ? 'Docker Engine API reachable: containers are collected' : 'Docker Engine API not reachable: container metrics off', {
        docker: config.docker.kind === 'socket' ? config.docker.socketPath : `${config.docker.host}:${config.docker.port}`,
      });
      this.collector = new HostCollector({ procRoot: config.hostProc, hostRoot: config.hostRoot, containers });
      if (containers) this.executors = { ...this.executors, docker: this.createDockerExecutor() };
    }
    this.inventory = this.opts.inventory ?? (await gatherInventory(config.hostRoot));

    this.connection = new AgentConnection({
      url: config.url,
      urls: config.urls,
      apiKey: config.apiKey,
      buffer: this.buffer,
      hello: () => this.hello(),
      capabilities: () => this.capabilities(),
      executors: this.executors,
      logger,
      ...this.opts.connection,
    });
    logger.info('agent started', { version: AGENT_VERSION, bootId: this.bootId, intervalSec: config.intervalSec, url: config.urls.join(',') });
    this.connection.start();
    this.startedAt = performance.now();
    this.scheduleNext();
    await this.tick();
  }

  /** Drift-free schedule: tick k fires at start + k·interval; a slow tick skips missed slots. */
  private scheduleNext(): void {
    if (this.stopped) return;
    const intervalMs = this.opts.config.intervalSec * 1000;
    const elapsed = performance.now() - this.startedAt;
    this.tickNo = Math.max(this.tickNo + 1, Math.ceil(elapsed / intervalMs));
    this.timer = setTimeout(() => {
      this.timer = null;
      this.scheduleNext();
      // The buffer file is kept up to date here, even when a collection is stuck (a hung network
      // mount): the buffer has no timers of its own, so the agent wakes up only for its ticks.
      this.buffer.tick();
      void this.tick();
    }, Math.max(0, this.startedAt + this.tickNo * intervalMs - performance.now()));
  }

  private async tick(): Promise<void> {
    if (this.stopped || this.ticking) return; // never two collections at once
    this.ticking = this.collectAndQueue().finally(() => {
      this.ticking = null;
    });
    await this.ticking;
  }

  private async collectAndQueue(): Promise<void> {
    const { logger } = this.opts;
    let sample: MetricsSample;
    try {
      // Collectors build contract-shaped values by construction (specs check them against
      // metricsSampleSchema); the backend validates every frame and a refusal is logged.
      // Not re-validating here keeps zod out of the agent's memory and per-tick CPU.
      sample = { seq: this.seq, bootId: this.bootId, ...(await this.collector.collect()) };
    } catch (err) {
      logger.error('metrics collection failed', { error: (err as Error).message });
      return;
    }
    this.seq++;
    if (this.stopped) return;
    this.buffer.push(sample);
    this.connection.notify();
  }

  /** Stop ticking, end every command and terminal, persist what is unacknowledged, close the socket. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    // Commands and shells end with the agent (SIGTERM/SIGHUP, SIGKILL after the grace period).
    const executorsDone = Promise.all([this.executors.commands?.shutdown(), this.executors.terminals?.shutdown(), this.executors.docker?.shutdown()]);
    if (this.ticking) {
      // Let a collection in progress add its sample, but never wait on a stuck one (a hung
      // network mount): shutdown must not hang.
      let timer: NodeJS.Timeout | undefined;
      const bound = new Promise<void>((r) => (timer = setTimeout(r, STOP_COLLECTION_WAIT_MS)));
      await Promise.race([this.ticking.catch(() => undefined), bound]);
      clearTimeout(timer);
    }
    this.buffer.flush();
    await this.connection?.stop();
    await executorsDone;
    this.containers?.close();
    this.eventsClient?.close();
    if (!this.opts.collector) this.collector?.close(); // ours: close its kept /proc descriptors
  }
}
