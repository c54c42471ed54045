import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import {
  CHAT_FOLLOW_MAX_SEC, type ChatReply, type ChatStreamEndReason, type ChatStreamKind, type CommandResponse, type LiveChatStreamStopAck,
  type LogLine,
} from '@chatops/protocol';
import type { Ack } from '../../common/socket-ack';
import { DomainException } from '../../common/domain-exception';
import { aliveInstancesSql, PRESENCE_LOCK_CLASS } from '../../database/instance-liveness';
import { OnChatopsEvent, type ChatopsEvents } from '../../events';
import { AccessService } from '../access/access.service';
import { AgentManager } from '../agents/agent-manager.service';
import { AuditService } from '../audit/audit.service';
import { CommandsService } from '../commands/commands.service';
import { DockerAgentClient } from '../docker/docker-agent.client';
import { LiveEvents } from '../live/live-events';
import { chatStreamRoom, type LiveSocket } from '../live/live-socket';
import { LiveService } from '../live/live.service';
import type { ChatContext } from './chat-executor.service';
import type { ServerRef } from './chat-targets.service';
import { ChatErrorCode } from './chatops.errors';

/** How often every instance looks for streams of dead instances (as the command and terminal sweeps). */
const DEAD_INSTANCE_SWEEP_MS = 5000;
/** Why such a stream ended, in its final card and its audit entry. */
const INSTANCE_STOPPED = 'the backend instance running it stopped';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** How a followed log's final card is drawn from its newest lines (null: they could not be read). */
export type LogsRender = (lines: LogLine[] | null, reason: ChatStreamEndReason) => ChatReply;

interface RunningRow { id: string; user_id: string; server_id: string; kind: ChatStreamKind; container: string | null; lines: number }

/**
 * Streamed chat actions (docs/chatops.md, "Streaming"): `run` and `logs … follow` asked from the
 * dashboard with `stream: true` answer at once with `reply.stream`, and their output goes to the
 * user's `/live` sockets as `chat_stream` chunks, then one `chat_stream_end` with the final card,
 * which also replaces the streamed reply in the history.
 *
 * Across instances: the user's sockets (wherever they are) join the stream's room before the
 * action reaches the agent; the agent's output is relayed into that room by the instance holding
 * the agent. A `run` is finished by the instance that asked for it (it has the result). A followed
 * log is finished by whichever instance sees its end first — the stop (`chat_stream_stop`, any
 * instance), the time limit (the starting instance), the agent's end or its disconnect (the
 * agent's instance) — through one conditional UPDATE of the entry (`state` running → ended), so it
 * ends once. The entry in PostgreSQL is the stream's shared record (its owner, server, container).
 */
@Injectable()
export class ChatStreams implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(ChatStreams.name);
  /** Time limits of the follows started here. */
  private readonly followTimers = new Map<string, NodeJS.Timeout>();

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly commands: CommandsService,
    private readonly docker: DockerAgentClient,
    private readonly agents: AgentManager,
    private readonly access: AccessService,
    private readonly live: LiveService,
    private readonly liveEvents: LiveEvents,
    private readonly audit: AuditService,
  ) {}

  onModuleInit(): void {
    this.liveEvents.handle('chat_stream_stop', (socket, payload, ack) => this.stopFromSocket(socket, payload, ack));
    this.liveEvents.onConnect((socket) => this.rejoin(socket));
  }

  /**
   * A socket that connects while streams of its user run (a reconnect, a reloaded page, a new tab)
   * joins them: it gets the rest of the output and the end. One query over the running entries.
   */
  private async rejoin(socket: LiveSocket): Promise<void> {
    const rows = (await this.db.query(
      `SELECT reply->'stream'->>'id' AS id, reply->'stream'->>'serverId' AS server_id FROM chat_messages
        WHERE reply->'stream'->>'state' = 'running' AND user_id = $1`,
      [socket.data.user.id],
    )) as { id: string; server_id: string }[];
    if (rows.length && socket.connected) await socket.join(rows.map((r) => chatStreamRoom(r.server_id, r.id)));
  }

  onApplicationShutdown(): void {
    for (const t of this.followTimers.values()) clearTimeout(t);
    this.followTimers.clear();
  }

  /**
   * Starts a command whose output streams to the user. Refusals (policy, exec disabled, the cap)
   * throw at once, like the synchronous run; the end is rendered by `render` (or the error).
   */
  async run(server: ServerRef, command: string, ctx: ChatContext, render: (r: CommandResponse) => ChatReply): Promise<ChatReply> {
    const id = randomUUID();
    const reply: ChatReply = {
      title: `${command.slice(0, 200)} on ${server.name}: running`,
      monospace: true,
      text: '',
      stream: { id, kind: 'run', serverId: server.id, state: 'running', stoppable: false },
    };
    // Stored before it starts: its end (on this instance) replaces exactly this entry.
    await ctx.store(reply);
    this.live.joinChatStream(ctx.user.id, server.id, id);
    let done: Promise<CommandResponse>;
    try {
      ({ done } = await this.commands.start(ctx.user, server.id, { command }, ctx.meta, id));
    } catch (err) {
      this.live.leaveChatStream(server.id, id);
      throw err;
    }
    void done.then(
      (r) => ({ reply: render(r), reason: 'exited' as const, exitCode: r.exitCode }),
      (err: unknown) => ({ reply: failureReply(`${command.slice(0, 200)} on ${server.name}`, err, this.logger), reason: 'failed' as const, exitCode: null }),
    ).then((end) => this.finish(ctx.messageId, ctx.user.id, server.id, id, 'run', end.reason, end.exitCode, end.reply));
    return reply;
  }

  /**
   * Follows a container's log for the user: the newest `lines` first, then new lines, until the
   * user stops it, CHAT_FOLLOW_MAX_SEC pass, the agent ends it or goes away.
   */
  async follow(server: ServerRef, containerId: string, lines: number, ctx: ChatContext): Promise<ChatReply> {
    const id = randomUUID();
    const reply: ChatReply = {
      title: `Following ${containerId} on ${server.name}`,
      text: '',
      monospace: true,
      fields: [{ label: 'Lines first', value: String(lines), short: true }, { label: 'Stops after', value: `${CHAT_FOLLOW_MAX_SEC / 60} min`, short: true }],
      stream: { id, kind: 'logs', serverId: server.id, state: 'running', stoppable: true, container: containerId, lines },
    };
    // Stored before the agent starts it: an end that comes at once (a stopped container) finds it.
    await ctx.store(reply);
    this.live.joinChatStream(ctx.user.id, server.id, id);
    try {
      await this.docker.ask(server.id, {
        requestId: randomUUID(), action: 'logs', containerId, options: { follow: true, streamId: id, tail: lines, timestamps: false },
      });
    } catch (err) {
      this.live.leaveChatStream(server.id, id);
      throw err;
    }
    const timer = setTimeout(() => {
      this.followTimers.delete(id);
      void this.endFollow(id, 'time_limit', true).catch((err) => this.logger.warn({ err: (err as Error).message, streamId: id }, 'Could not end a chat log stream'));
    }, CHAT_FOLLOW_MAX_SEC * 1000);
    timer.unref();
    this.followTimers.set(id, timer);
    return reply;
  }

  /** Relays command output into the room of the chat stream it may belong to (an empty room costs nothing). */
  @OnChatopsEvent('agent.command_output')
  onCommandOutput({ serverId, commandId, stream, data }: ChatopsEvents['agent.command_output']): void {
    this.live.emitToChatStream(serverId, commandId, 'chat_stream', { streamId: commandId, stream, chunk: data });
  }

  @OnChatopsEvent('agent.container_logs')
  onLogLines({ serverId, streamId, lines }: ChatopsEvents['agent.container_logs']): void {
    // One chunk per run of lines from the same stream (stdout/stderr), in order.
    let from = 0;
    for (let i = 1; i <= lines.length; i++) {
      if (i < lines.length && lines[i].stream === lines[from].stream) continue;
      const chunk = lines.slice(from, i).map((l) => `${l.text}\n`).join('');
      this.live.emitToChatStream(serverId, streamId, 'chat_stream', { streamId, stream: lines[from].stream, chunk });
      from = i;
    }
  }

  /** The agent ended a followed log (the container stopped, the engine failed): a chat follow ends with it. */
  @OnChatopsEvent('agent.container_logs_end')
  async onLogEnd({ streamId }: ChatopsEvents['agent.container_logs_end']): Promise<void> {
    await this.endFollow(streamId, 'ended', false).catch((err) => this.logger.warn({ err: (err as Error).message, streamId }, 'Could not end a chat log stream'));
  }

  /** The agent went away: its servers' chat follows end (their agent-side streams are gone too). */
  @OnChatopsEvent('agent.disconnected')
  async onAgentGone({ serverId }: ChatopsEvents['agent.disconnected']): Promise<void> {
    try {
      const rows = (await this.db.query(
        `SELECT reply->'stream'->>'id' AS id FROM chat_messages
          WHERE reply->'stream'->>'state' = 'running' AND reply->'stream'->>'kind' = 'logs' AND reply->'stream'->>'serverId' = $1`,
        [serverId],
      )) as { id: string }[];
      for (const r of rows) await this.endFollow(r.id, 'agent_disconnected', false);
    } catch (err) {
      this.logger.warn({ err: (err as Error).message, serverId }, 'Could not end the chat log streams of a disconnected agent');
    }
  }

  /**
   * Streams whose starting instance died (its presence lock is gone, see InstancePresence): nobody
   * holds their end any more (a `run`'s answer, a follow's time limit), so they end here —
   * `instance_stopped`, the final card stored, `chat_stream_end` to the user's sockets on the
   * surviving instances (they joined the room on their own instance), a follow stopped at the
   * agent, audited. Every instance looks; `finish`'s conditional UPDATE ends each stream once.
   */
  @Interval(DEAD_INSTANCE_SWEEP_MS)
  async endDeadInstanceStreams(): Promise<void> {
    try {
      const rows = (await this.db.query(
        `SELECT id, user_id, reply->>'title' AS title, reply->'stream'->>'id' AS stream_id, reply->'stream'->>'serverId' AS server_id,
                reply->'stream'->>'kind' AS kind, reply->'stream'->>'container' AS container
           FROM chat_messages
          WHERE reply->'stream'->>'state' = 'running' AND instance_id IS NOT NULL AND instance_id NOT IN (${aliveInstancesSql('$1')})`,
        [PRESENCE_LOCK_CLASS],
      )) as Array<{ id: string; user_id: string; title: string; stream_id: string; server_id: string; kind: ChatStreamKind; container: string | null }>;
      for (const r of rows) {
        const logs = r.kind === 'logs';
        const reply: ChatReply = logs
          ? renderFollowEnd(r.container ?? 'the container', null, 'instance_stopped')
          : { title: `${r.title.replace(/: running$/, '')}: interrupted`, error: { code: ChatErrorCode.StreamInterrupted, message: `Interrupted: ${INSTANCE_STOPPED}; the command's outcome is in the server's command history` } };
        if (!(await this.finish(r.id, r.user_id, r.server_id, r.stream_id, r.kind, 'instance_stopped', null, reply))) continue;
        // The agent would go on sending a followed log nobody ends.
        if (logs) this.agents.notify(r.server_id, 'docker_logs_stop', { streamId: r.stream_id });
        await this.audit.record({
          action: 'chatops.stream_end',
          description: `Chat stream "${r.title.replace(/: running$/, '').slice(0, 200)}" ended: ${INSTANCE_STOPPED}`,
          userId: r.user_id,
          serverId: r.server_id,
          success: false,
          meta: { ip: null, userAgent: null, channel: 'dashboard' },
        });
      }
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'Could not end the chat streams of dead instances');
    }
  }

  /**
   * Access changed (a server moved; team members or roles changed): followed logs whose user may no
   * longer read the server's containers stop at the agent and end (`access_revoked`). The streams
   * are rows in PostgreSQL, so the instance that made the change does it for every instance.
   */
  @OnChatopsEvent('server.owner_changed')
  async onOwnerChanged({ serverId, relayed }: ChatopsEvents['server.owner_changed']): Promise<void> {
    if (!relayed) await this.recheckFollows(`m.reply->'stream'->>'serverId' = $1`, [serverId]);
  }

  @OnChatopsEvent('team.members_changed')
  async onMembersChanged({ userIds, relayed }: ChatopsEvents['team.members_changed']): Promise<void> {
    if (relayed) return;
    await this.recheckFollows(userIds.length ? 'm.user_id = ANY($1::uuid[])' : 'TRUE', userIds.length ? [userIds] : []);
  }

  /** `where`: a condition on the entry `m` (a constant string; its values are in `params`). */
  private async recheckFollows(where: string, params: unknown[]): Promise<void> {
    try {
      const rows = (await this.db.query(
        `SELECT m.user_id, u.username, u.role, m.reply->'stream'->>'id' AS stream_id, m.reply->'stream'->>'serverId' AS server_id
           FROM chat_messages m JOIN users u ON u.id = m.user_id
          WHERE m.reply->'stream'->>'state' = 'running' AND m.reply->'stream'->>'kind' = 'logs' AND ${where}`,
        params,
      )) as { user_id: string; username: string; role: 'admin' | 'user'; stream_id: string; server_id: string }[];
      for (const r of rows) {
        if (await this.access.holds({ id: r.user_id, username: r.username, role: r.role }, r.server_id, 'containers.read')) continue;
        await this.endFollow(r.stream_id, 'access_revoked', true);
      }
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'Could not re-check the chat log streams after an access change');
    }
  }

  /** `chat_stream_stop {streamId}`: the user's own running follow only (anything else is `not_found`). */
  private async stopFromSocket(socket: LiveSocket, payload: unknown, ack: Ack<LiveChatStreamStopAck>): Promise<void> {
    const p = payload && typeof payload === 'object' && !Array.isArray(payload) ? (payload as Record<string, unknown>) : null;
    const streamId = typeof p?.streamId === 'string' && UUID.test(p.streamId) ? p.streamId.toLowerCase() : null;
    if (!streamId) return ack?.({ ok: false, error: 'invalid' });
    const row = await this.running(streamId);
    if (!row || row.user_id !== socket.data.user.id || row.kind !== 'logs') return ack?.({ ok: false, error: 'not_found' });
    const ended = await this.endFollow(streamId, 'stopped', true);
    ack?.(ended ? { ok: true } : { ok: false, error: 'not_found' });
  }

  /**
   * Ends a chat follow once (whichever instance gets here first): stops it on the agent when asked
   * (`stop`: our side ended it; the agent ends its own silently), reads the newest lines for the
   * final card, stores and announces it. False when it was not running (any more).
   */
  private async endFollow(streamId: string, reason: ChatStreamEndReason, stop: boolean): Promise<boolean> {
    const row = await this.running(streamId);
    if (!row || row.kind !== 'logs' || !row.container) return false;
    const timer = this.followTimers.get(streamId);
    if (timer) clearTimeout(timer);
    this.followTimers.delete(streamId);
    if (stop) this.agents.notify(row.server_id, 'docker_logs_stop', { streamId });
    const lines = reason === 'agent_disconnected' ? null : await this.newestLines(row);
    const reply = renderFollowEnd(row.container, lines, reason);
    return this.finish(row.id, row.user_id, row.server_id, streamId, 'logs', reason, null, reply);
  }

  /** The newest lines of a followed container, read again for its final card (while its owner may still read the server's containers). */
  private async newestLines(row: RunningRow): Promise<LogLine[] | null> {
    try {
      const [user] = (await this.db.query('SELECT id, username, role FROM users WHERE id = $1', [row.user_id])) as { id: string; username: string; role: 'admin' | 'user' }[];
      if (!user || typeof (await this.access.check(user, row.server_id, 'containers.read')) === 'string') return null;
      const r = await this.docker.ask(row.server_id, { requestId: randomUUID(), action: 'logs', containerId: row.container!, options: { tail: row.lines, timestamps: false } });
      return r.lines;
    } catch (err) {
      if (!(err instanceof DomainException)) this.logger.warn({ err: (err as Error).message, streamId: row.id }, 'Could not read the newest lines of a chat log stream');
      return null;
    }
  }

  private async running(streamId: string): Promise<RunningRow | null> {
    const [row] = (await this.db.query(
      `SELECT id, user_id, reply->'stream'->>'serverId' AS server_id, reply->'stream'->>'kind' AS kind,
              reply->'stream'->>'container' AS container, COALESCE((reply->'stream'->>'lines')::int, 50) AS lines
         FROM chat_messages WHERE reply->'stream'->>'id' = $1 AND reply->'stream'->>'state' = 'running'`,
      [streamId],
    )) as RunningRow[];
    return row ?? null;
  }

  /**
   * Stores the final card in place of the streamed one (once: only a running entry is replaced) and
   * tells the user's sockets. The final card keeps `stream` (ended), so the client knows which
   * streamed card it replaces.
   */
  private async finish(messageId: string, userId: string, serverId: string, streamId: string, kind: ChatStreamKind, reason: ChatStreamEndReason, exitCode: number | null, reply: ChatReply): Promise<boolean> {
    const final: ChatReply = { ...reply, stream: { id: streamId, kind, serverId, state: 'ended', stoppable: false } };
    let updated = false;
    try {
      const [, count] = (await this.db.query(
        `UPDATE chat_messages SET reply = $3, ok = $4
          WHERE id = $1 AND user_id = $2 AND reply->'stream'->>'id' = $5 AND reply->'stream'->>'state' = 'running'`,
        [messageId, userId, JSON.stringify(final), !final.error, streamId],
      )) as [unknown, number];
      updated = count > 0;
    } catch (err) {
      this.logger.error({ err: (err as Error).message, streamId }, 'Could not store the end of a chat stream');
      // The user still learns how it ended; the history keeps the streamed card.
      updated = kind === 'run';
    }
    if (updated) this.live.emitToChatStream(serverId, streamId, 'chat_stream_end', { streamId, messageId, reason, exitCode, reply: final });
    this.live.leaveChatStream(serverId, streamId);
    return updated;
  }
}

const END_WORDS: Record<ChatStreamEndReason, string> = {
  exited: 'exited', stopped: 'stopped', ended: 'ended', agent_disconnected: 'stopped: the agent disconnected', failed: 'failed',
  time_limit: `stopped after ${CHAT_FOLLOW_MAX_SEC / 60} min`, instance_stopped: `stopped: ${INSTANCE_STOPPED}`,
  access_revoked: 'stopped: you may no longer read this server\'s containers',
};

/** A followed log's final card: the newest lines when they could be read. */
export function renderFollowEnd(container: string, lines: LogLine[] | null, reason: ChatStreamEndReason): ChatReply {
  const text = lines?.map((l) => (l.stream === 'stderr' ? `! ${l.text}` : l.text)).join('\n') ?? '';
  return {
    title: `Logs of ${container}: ${END_WORDS[reason]}`,
    text: text || (lines ? '(empty)' : '(the newest lines could not be read)'),
    monospace: true,
  };
}

/** A streamed action that failed after it was accepted (no agent, a timeout): the service's code and words. */
function failureReply(title: string, err: unknown, logger: Logger): ChatReply {
  if (err instanceof DomainException) return { title: `${title}: failed`, error: { code: err.code, message: err.message } };
  logger.error({ err }, 'A streamed chat action failed');
  return { title: `${title}: failed`, error: { code: 'internal', message: 'Internal error' } };
}
