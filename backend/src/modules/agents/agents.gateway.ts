import { Logger } from '@nestjs/common';
import { ackOf, floodGuard, handlerGuard, takeHandshakeCredential } from '../../common/socket-ack';
import { FRAME_TOO_DEEP_ERROR, FRAME_TOO_DEEP_EVENT } from '../../common/socket-frame-parser';
import { OnGatewayConnection, OnGatewayDisconnect, OnGatewayInit, WebSocketGateway } from '@nestjs/websockets';
import {
  AGENT_NAMESPACE, agentStreamSchemas, describeIssues, helloSchema, metricsBatchSchema, metricsSampleSchema,
  type AgentStreamEvent, type AgentStreamPayloads, type MetricsAck, type MetricsBatchAck, type MetricsSample,
} from '@chatops/protocol';
import { EventBus } from '../../events';
import { ApiKeysService } from '../api-keys/api-keys.service';
import { MetricsIngestService } from '../metrics/metrics-ingest.service';
import { AgentManager, AgentNamespace, AgentSocket } from './agent-manager.service';
import { compileFrameValidator } from './frame-validator';
import { MetricsErrorCode, MetricsException } from '../metrics/metrics.errors';

/** More events than this in one second from one agent is a flood: the agent is disconnected. */
const MAX_EVENTS_PER_SECOND = 200;

/** Sample timestamps outside this window are refused: a broken clock, or a value PostgreSQL cannot store. */
const OLDEST_TIMESTAMP_MS = Date.UTC(2000, 0, 1);
const MAX_CLOCK_AHEAD_MS = 7 * 86_400_000;

/** Checks what the schema cannot express; returns the reason a valid-shaped sample is refused. */
function sampleProblem(s: MetricsSample): string | null {
  const ts = Date.parse(s.timestamp);
  if (!(ts >= OLDEST_TIMESTAMP_MS && ts <= Date.now() + MAX_CLOCK_AHEAD_MS)) return 'timestamp out of range';
  return null;
}

/** The hot frame: compiled once (see frame-validator.ts). */
const checkSample = compileFrameValidator(metricsSampleSchema);

/** The database refused the values themselves (not an outage): resending would not help. */
const isRefused = (err: unknown) => err instanceof MetricsException && err.code === MetricsErrorCode.IngestInvalid;

const STREAM_EVENTS = Object.keys(agentStreamSchemas) as AgentStreamEvent[];
const KNOWN_EVENTS = new Set<string>(['hello', 'metrics', 'metricsBatch', ...STREAM_EVENTS]);

/**
 * The agents' Socket.IO namespace. Keys are checked in the handshake middleware (one indexed hash
 * lookup), so an unauthenticated socket never reaches a handler. Every frame is validated against
 * the protocol schema; a bad frame is answered `{ok:false}` and the connection stays up.
 */
@WebSocketGateway({ namespace: AGENT_NAMESPACE })
export class AgentsGateway implements OnGatewayInit, OnGatewayConnection, OnGatewayDisconnect {
  private readonly logger = new Logger(AgentsGateway.name);
  /** Frames rejected as invalid since start (exposed for operators and tests). */
  invalidFrames = 0;

  constructor(
    private readonly manager: AgentManager,
    private readonly keys: ApiKeysService,
    private readonly ingest: MetricsIngestService,
    private readonly events: EventBus,
  ) {}

  afterInit(namespace: AgentNamespace): void {
    this.manager.bind(namespace);
    namespace.use(async (socket, next) => {
      try {
        // One query: the key, and the name of its server (a deleted server takes its keys with it).
        const verified = await this.keys.verify(takeHandshakeCredential(socket, 'apiKey'));
        if (!verified) {
          await this.manager.recordAuthFailure(socket.handshake.address, 'invalid, inactive or expired api key');
          return next(new Error('unauthorized'));
        }
        const now = Date.now();
        Object.assign(socket.data, {
          serverId: verified.serverId,
          serverName: verified.serverName,
          keyId: verified.keyId,
          connectedAt: now,
          lastFrameAt: now,
          intervalSec: 0,
          bootId: null,
          generation: 0,
        });
        next();
      } catch (err) {
        this.logger.error({ err }, 'Agent handshake failed');
        next(new Error('unavailable'));
      }
    });
  }

  async handleConnection(socket: AgentSocket): Promise<void> {
    const { serverId, serverName } = socket.data;
    if (!serverId) return void socket.disconnect(true);
    this.attachHandlers(socket);
    try {
      await (this.manager.progressOf(socket).registered = this.manager.register(socket));
    } catch (err) {
      this.logger.error({ err, serverId }, 'Could not register agent');
      return void socket.disconnect(true);
    }
    this.logger.log({ serverId }, 'Agent connected');
    socket.emit('auth_success', { serverId, serverName });
  }

  async handleDisconnect(socket: AgentSocket): Promise<void> {
    await this.manager.unregister(socket, 'disconnected').catch((err) => this.logger.warn({ err }, 'unregister failed'));
  }

  private attachHandlers(socket: AgentSocket): void {
    const allowed = floodGuard(MAX_EVENTS_PER_SECOND, () => {
      this.logger.warn({ serverId: socket.data.serverId }, 'Agent flooding; disconnecting');
      socket.emit('disconnect_reason', { reason: 'too many frames' });
      socket.disconnect(true);
    });
    socket.use((_packet, next) => {
      if (!allowed()) return;
      this.manager.touch(socket);
      next();
    });
    const progress = this.manager.progressOf(socket);
    const guard = handlerGuard(this.logger, () => ({ socketId: socket.id, serverId: socket.data.serverId }));

    socket.on('hello', guard('hello', (frame: unknown) => {
      const parsed = helloSchema.safeParse(frame);
      if (!parsed.success) {
        this.invalidFrames++;
        this.logger.warn({ serverId: socket.data.serverId, issues: describeIssues(parsed.error) }, 'Invalid hello frame');
        return;
      }
      progress.ready = progress.ready.then(() =>
        this.manager.recordHello(socket, parsed.data).catch((err) => this.logger.warn({ err }, 'Could not record hello')),
      );
    }));

    socket.on('metrics', guard('metrics', async (...args: unknown[]) => {
      const ack = ackOf<MetricsAck>(args);
      const checked = checkSample(args[0]);
      if (!checked.ok) {
        this.invalidFrames++;
        const seq = (args[0] as { seq?: unknown } | null)?.seq;
        return ack?.({ ok: false, error: `invalid frame: ${checked.error}`, ...(typeof seq === 'number' ? { seq } : {}) });
      }
      const sample = checked.value;
      const problem = sampleProblem(sample);
      if (problem) {
        this.invalidFrames++;
        return ack?.({ ok: false, error: `invalid frame: ${problem}`, seq: sample.seq });
      }
      await progress.ready;
      try {
        await this.ingest.ingest(socket.data.serverId, [sample]);
        ack?.({ ok: true, seq: sample.seq });
      } catch (err) {
        // Storage is unavailable: no acknowledgement at all, so the agent keeps the sample
        // buffered and sends it again (an {ok:false} would tell it to drop the sample).
        if (isRefused(err)) ack?.({ ok: false, error: `invalid frame: ${(err as Error).message}`, seq: sample.seq });
      }
    }));

    socket.on('metricsBatch', guard('metricsBatch', async (...args: unknown[]) => {
      const ack = ackOf<MetricsBatchAck>(args);
      const batch = metricsBatchSchema.safeParse(args[0]);
      if (!batch.success) {
        this.invalidFrames++;
        return ack?.({ ok: false, error: `invalid frame: ${describeIssues(batch.error)}` });
      }
      const valid: MetricsSample[] = [];
      let rejected = 0;
      for (const s of batch.data.samples) {
        const checked = checkSample(s);
        if (checked.ok && !sampleProblem(checked.value)) valid.push(checked.value);
        else rejected++;
      }
      this.invalidFrames += rejected;
      await progress.ready;
      try {
        const stored = await this.ingest.ingest(socket.data.serverId, valid);
        ack?.({ ok: true, stored, ...(rejected ? { rejected } : {}) });
      } catch (err) {
        // As above: unacknowledged samples stay in the agent's buffer.
        if (isRefused(err)) ack?.({ ok: false, error: `invalid frame: ${(err as Error).message}` });
      }
    }));

    // Stream events (command and terminal output, container events): validated here, then
    // republished on the internal bus for the feature modules; this gateway knows none of them.
    // Like samples they wait until the agent's hello is recorded (its info and capabilities are
    // what the feature modules see), in arrival order: every frame awaits the same chain.
    for (const event of STREAM_EVENTS) {
      socket.on(event, guard(event, async (payload: unknown) => {
        await progress.ready;
        this.republish(socket, event, payload);
      }));
    }

    // Events this version does not know are ignored; an ack, if asked for, says so.
    socket.onAny(guard('(any event)', (event: string, ...args: unknown[]) => {
      if (KNOWN_EVENTS.has(event)) return;
      this.invalidFrames++;
      ackOf<{ ok: false; error: string }>(args)?.({ ok: false, error: event === FRAME_TOO_DEEP_EVENT ? FRAME_TOO_DEEP_ERROR : 'unknown event' });
    }));
  }

  private republish<E extends AgentStreamEvent>(socket: AgentSocket, event: E, payload: unknown): void {
    const parsed = agentStreamSchemas[event].safeParse(payload);
    if (!parsed.success) {
      this.invalidFrames++;
      this.logger.warn({ serverId: socket.data.serverId, event, issues: describeIssues(parsed.error) }, 'Invalid agent stream frame');
      return;
    }
    this.events.emitAgentStream(event, { ...(parsed.data as AgentStreamPayloads[E]), serverId: socket.data.serverId });
  }
}
