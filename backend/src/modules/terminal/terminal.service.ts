import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, Repository } from 'typeorm';
import {
  TERMINAL_MAX_CHUNK, TERMINAL_MAX_COLS, TERMINAL_MAX_ROWS, TERMINAL_MIN_SIZE,
  type LiveTerminalAck, type LiveTerminalOpenAck, type TerminalEndReason,
} from '@chatops/protocol';
import type { Ack } from '../../common/socket-ack';
import { APP_CONFIG, AppConfig } from '../../config/config';
import { DomainException } from '../../common/domain-exception';
import { OnChatopsEvent, type ChatopsEvents } from '../../events';
import { AgentErrorCode } from '../agents/agents.errors';
import { AgentManager } from '../agents/agent-manager.service';
import { InstancePresence } from '../agents/instance-presence.service';
import { aliveInstancesSql, PRESENCE_LOCK_CLASS, underUserSlotLock } from '../../database/instance-liveness';
import { AuditService } from '../audit/audit.service';
import { LiveEvents } from '../live/live-events';
import type { LiveSocket } from '../live/live-socket';
import { terminalRoom } from '../live/live-socket';
import { LiveService } from '../live/live.service';
import { ServerEntity } from '../servers/server.entity';
import { AccessChange, AccessService } from '../access/access.service';
import type { AuthUser } from '../../common/decorators';
import { TerminalRecorder } from './terminal-recorder.service';
import { TerminalSessionEntity } from './terminal-session.entity';

const OPEN_TIMEOUT_MS = 10_000;
/** How long an ended (or unknown) session id is remembered, so late agent frames are dropped without a query. */
const FORGET_AFTER_MS = 60_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** How often sessions of dead instances are looked for (as the servers of dead instances are). */
const DEAD_INSTANCE_SWEEP_MS = 5000;

/** A session whose browser socket is on this instance. */
interface LocalSession { id: string; serverId: string; serverName: string; user: AuthUser; socketId: string; startedAtMs: number }
/** What the agent side needs to accept a frame: the session's server, its start, whether it ended. */
interface KnownSession { serverId: string; serverName: string; startedAtMs: number; ended: boolean }

const obj = (v: unknown): Record<string, unknown> | null => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null);
const size = (v: unknown, max: number): number | null => (Number.isInteger(v) && (v as number) >= TERMINAL_MIN_SIZE && (v as number) <= max ? (v as number) : null);
const sessionIdOf = (p: Record<string, unknown> | null): string | null => (typeof p?.sessionId === 'string' && UUID.test(p.sessionId) ? p.sessionId.toLowerCase() : null);

/**
 * The web terminal relay: a browser opens a session over `/live` (its token, the server's
 * ownership), the backend asks the server's agent for a PTY and relays keystrokes to it and output
 * back to that browser socket only. Every session is recorded (asciicast v2) and audited when it
 * opens and when it ends. Agent frames are accepted only for a session of that agent's server.
 */
@Injectable()
export class TerminalService implements OnModuleInit {
  private readonly logger = new Logger(TerminalService.name);
  private readonly local = new Map<string, LocalSession>();
  private readonly bySocket = new Map<string, Set<string>>();
  /** Sessions this instance has seen frames for (or opened), looked up once each. */
  private readonly known = new Map<string, Promise<KnownSession | null>>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectRepository(TerminalSessionEntity) private readonly sessions: Repository<TerminalSessionEntity>,
    private readonly access: AccessService,
    private readonly agents: AgentManager,
    private readonly live: LiveService,
    private readonly liveEvents: LiveEvents,
    private readonly recorder: TerminalRecorder,
    private readonly audit: AuditService,
    private readonly presence: InstancePresence,
    @InjectDataSource() private readonly db: DataSource,
  ) {}

  onModuleInit(): void {
    this.liveEvents.handle('terminal_open', (socket, payload, ack) => this.open(socket, payload, ack));
    this.liveEvents.handle('terminal_input', (socket, payload, ack) => this.input(socket, payload, ack));
    this.liveEvents.handle('terminal_resize', (socket, payload, ack) => this.resize(socket, payload, ack));
    this.liveEvents.handle('terminal_close', (socket, payload, ack) => this.close(socket, payload, ack));
    this.liveEvents.onDisconnect((socket) => this.socketGone(socket));
  }

  /** Sessions currently relayed by this instance (operators, tests). */
  get openCount(): number {
    return this.local.size;
  }

  private async open(socket: LiveSocket, payload: unknown, ack: Ack<LiveTerminalOpenAck>): Promise<void> {
    const p = obj(payload);
    const serverId = typeof p?.serverId === 'string' && UUID.test(p.serverId) ? p.serverId.toLowerCase() : null;
    const cols = size(p?.cols, TERMINAL_MAX_COLS);
    const rows = size(p?.rows, TERMINAL_MAX_ROWS);
    if (!serverId || !cols || !rows) return ack?.({ ok: false, error: 'invalid', message: `serverId (uuid), cols (1–${TERMINAL_MAX_COLS}) and rows (1–${TERMINAL_MAX_ROWS}) are required` });
    const user = socket.data.user;
    // Not yours and does not exist get the same answer.
    const server = await this.access.check(user, serverId, 'terminal.open');
    if (server === 'not_found' || server === 'forbidden') return ack?.({ ok: false, error: server });
    if (server.agent && !server.agent.capabilities.terminal) {
      return ack?.({ ok: false, error: 'disabled', message: 'The terminal is disabled on this server\'s agent: start it with --enable-exec --enable-terminal' });
    }
    if (!socket.connected) return;

    const id = randomUUID();
    const startedAt = new Date();
    const max = this.config.limits.terminalSessionsPerUser;
    const admitted = await this.insertWithinCap(user.id, max, {
      id, serverId, userId: user.id, username: user.username.slice(0, 64), cols, rows, startedAt, endedAt: null, exitCode: null,
      endReason: null, bytesOut: '0', bytesIn: '0', recordingTruncated: false, ip: socket.handshake.address?.slice(0, 64) ?? null,
      instanceId: this.presence.id,
    });
    if (!admitted) return ack?.({ ok: false, error: 'too_many_sessions', message: `At most ${max} terminal sessions at once; close one first` });
    const session: LocalSession = { id, serverId, serverName: server.name, user, socketId: socket.id, startedAtMs: startedAt.getTime() };
    this.local.set(id, session);
    this.bySocket.set(socket.id, (this.bySocket.get(socket.id) ?? new Set()).add(id));
    this.known.set(id, Promise.resolve({ serverId, serverName: server.name, startedAtMs: session.startedAtMs, ended: false }));
    // Join first: output right after the agent opened the PTY must find the room.
    await socket.join(terminalRoom(id));

    let refused: Awaited<ReturnType<TerminalService['requestOpen']>>;
    try {
      refused = await this.requestOpen(server, id, cols, rows);
    } catch (err) {
      await this.end(id, 'error', null, 'the open request failed');
      throw err;
    }
    if (refused) {
      await this.end(id, 'error', null, refused.message ?? refused.error);
      return ack?.(refused);
    }
    await this.audit.record({
      action: 'terminal.open',
      description: `Terminal session ${id} opened on server ${server.name} (recording: /api/v1/terminal/sessions/${id}/recording)`,
      userId: user.id,
      serverId,
      meta: { ip: socket.handshake.address ?? null, userAgent: String(socket.handshake.headers['user-agent'] ?? '').slice(0, 512) || null },
    });
    // The browser went away while the agent opened the PTY: nobody is there to close it.
    if (!socket.connected) return void this.terminate(id, 'closed');
    ack?.({ ok: true, sessionId: id });
  }

  private async requestOpen(server: ServerEntity, sessionId: string, cols: number, rows: number): Promise<Extract<LiveTerminalOpenAck, { ok: false }> | null> {
    try {
      const reply = await this.agents.request(server.id, 'terminal_open', { sessionId, cols, rows }, OPEN_TIMEOUT_MS);
      if (reply.ok) return null;
      const message = reply.error === 'disabled'
        ? 'The terminal is disabled on this server\'s agent: start it with --enable-exec --enable-terminal'
        : reply.message ?? `The agent refused: ${reply.error}`;
      return { ok: false, error: reply.error, message };
    } catch (err) {
      if (err instanceof DomainException && (err.code === AgentErrorCode.NotConnected || err.code === AgentErrorCode.Lost)) {
        return { ok: false, error: 'agent_offline', message: 'The server\'s agent is not connected' };
      }
      if (err instanceof DomainException && err.code === AgentErrorCode.Timeout) {
        return { ok: false, error: 'unavailable', message: 'The agent did not answer in time' };
      }
      throw err;
    }
  }

  /**
   * Inserts the session if the user has fewer than `max` open on all instances together; returns
   * whether it did. Counted under the user's advisory lock, so two opens racing on two instances
   * cannot both take the last slot. A slot is freed when the row ends: the session's end, or the
   * sweep below when the instance relaying it died.
   */
  private insertWithinCap(userId: string, max: number, row: TerminalSessionEntity): Promise<boolean> {
    return underUserSlotLock(this.db, 'terminal', userId, async (tx) => {
      const [{ open }] = (await tx.query(
        'SELECT count(*)::int AS open FROM terminal_sessions WHERE user_id = $1 AND ended_at IS NULL AND instance_id IS NOT NULL',
        [userId],
      )) as [{ open: number }];
      if (open >= max) return false;
      await tx.insert(TerminalSessionEntity, row);
      return true;
    });
  }

  /**
   * Sessions whose relaying instance died (its presence lock is gone, see InstancePresence): their
   * browser lost its socket with it, so they are ended (`instance_died`), audited, and the agent's
   * PTY is closed, which frees their owners' slots within seconds. Every instance looks; the
   * conditional UPDATE ends each row once.
   */
  @Interval(DEAD_INSTANCE_SWEEP_MS)
  async endDeadInstanceSessions(): Promise<void> {
    try {
      const [rows] = (await this.db.query(
        `UPDATE terminal_sessions SET ended_at = now(), end_reason = 'instance_died'
          WHERE ended_at IS NULL AND instance_id IS NOT NULL AND instance_id NOT IN (${aliveInstancesSql('$1')})
          RETURNING id, server_id, user_id, started_at, ended_at`,
        [PRESENCE_LOCK_CLASS],
      )) as [Array<{ id: string; server_id: string; user_id: string | null; started_at: Date; ended_at: Date }>, number];
      for (const r of rows ?? []) {
        this.agents.notify(r.server_id, 'terminal_close', { sessionId: r.id });
        const seconds = Math.round((r.ended_at.getTime() - r.started_at.getTime()) / 1000);
        await this.audit.record({
          action: 'terminal.close',
          description: `Terminal session ${r.id} ended (instance_died: the backend instance relaying it stopped) after ${seconds} s`,
          userId: r.user_id,
          serverId: r.server_id,
        });
      }
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'Could not end the terminal sessions of dead instances');
    }
  }

  private input(socket: LiveSocket, payload: unknown, ack: Ack<LiveTerminalAck>): void {
    const p = obj(payload);
    const session = this.ownSession(socket, p);
    if (!session) return ack?.({ ok: false, error: 'not_found' });
    if (typeof p?.data !== 'string' || p.data.length > TERMINAL_MAX_CHUNK) return ack?.({ ok: false, error: 'invalid' });
    this.agents.notify(session.serverId, 'terminal_input', { sessionId: session.id, data: p.data });
    this.recorder.add(session.id, session.startedAtMs, 'i', p.data);
    ack?.({ ok: true });
  }

  private resize(socket: LiveSocket, payload: unknown, ack: Ack<LiveTerminalAck>): void {
    const p = obj(payload);
    const session = this.ownSession(socket, p);
    if (!session) return ack?.({ ok: false, error: 'not_found' });
    const cols = size(p?.cols, TERMINAL_MAX_COLS);
    const rows = size(p?.rows, TERMINAL_MAX_ROWS);
    if (!cols || !rows) return ack?.({ ok: false, error: 'invalid' });
    this.agents.notify(session.serverId, 'terminal_resize', { sessionId: session.id, cols, rows });
    this.recorder.add(session.id, session.startedAtMs, 'r', `${cols}x${rows}`);
    ack?.({ ok: true });
  }

  private async close(socket: LiveSocket, payload: unknown, ack: Ack<LiveTerminalAck>): Promise<void> {
    const session = this.ownSession(socket, obj(payload));
    if (!session) return ack?.({ ok: false, error: 'not_found' });
    await this.terminate(session.id, 'closed');
    ack?.({ ok: true });
  }

  /** The browser socket is gone (closed tab, expiry, revocation): its shells go too. */
  private socketGone(socket: LiveSocket): void {
    for (const id of this.bySocket.get(socket.id) ?? []) void this.terminate(id, 'closed');
    this.bySocket.delete(socket.id);
  }

  @OnChatopsEvent('agent.terminal_output')
  onOutput({ serverId, sessionId, data }: ChatopsEvents['agent.terminal_output']): void {
    // Lookups are chained per session, so chunks keep their order even while the first one waits.
    void this.lookup(sessionId).then((s) => {
      if (!s || s.serverId !== serverId || s.ended) return;
      this.live.emitToTerminal(sessionId, 'terminal_output', { sessionId, data });
      this.recorder.add(sessionId, s.startedAtMs, 'o', data);
    });
  }

  @OnChatopsEvent('agent.terminal_exit')
  onExit({ serverId, sessionId, exitCode, reason }: ChatopsEvents['agent.terminal_exit']): void {
    void this.lookup(sessionId).then((s) => {
      if (s && s.serverId === serverId && !s.ended) return this.end(sessionId, reason ?? 'exit', exitCode);
    });
  }

  @OnChatopsEvent('agent.disconnected')
  async onAgentGone({ serverId }: ChatopsEvents['agent.disconnected']): Promise<void> {
    const ids = new Set([...this.local.values()].filter((s) => s.serverId === serverId).map((s) => s.id));
    for (const [id, known] of this.known) if ((await known)?.serverId === serverId) ids.add(id);
    for (const id of ids) await this.end(id, 'agent_disconnected', null);
  }

  @OnChatopsEvent('server.deleted')
  async onServerDeleted({ serverId }: ChatopsEvents['server.deleted']): Promise<void> {
    for (const s of [...this.local.values()]) if (s.serverId === serverId) await this.end(s.id, 'closed', null);
  }

  /**
   * Access changed (a server moved; a team's members or roles changed, or the team went), here or
   * on another instance (AccessChangeRelay): the sessions this instance relays whose user no
   * longer holds `terminal.open` on the server end at once (`access_revoked`), audited.
   */
  @OnChatopsEvent('server.owner_changed')
  @OnChatopsEvent('team.members_changed')
  async onAccessChanged(change: AccessChange): Promise<void> {
    for (const s of await this.access.lostAfter(change, this.local.values(), 'terminal.open')) {
      await this.terminate(s.id, 'access_revoked').catch((err: Error) => this.logger.warn({ err: err.message, sessionId: s.id }, 'Could not end a terminal session after an access change'));
    }
  }

  /** Closes the agent's PTY and ends the session. */
  private async terminate(id: string, reason: TerminalEndReason): Promise<void> {
    const s = this.local.get(id);
    if (s) this.agents.notify(s.serverId, 'terminal_close', { sessionId: id });
    await this.end(id, reason, null);
  }

  /** Ends a session once (across instances: the row's `ended_at` decides), tells the browser, audits. */
  private async end(id: string, reason: TerminalEndReason, exitCode: number | null, detail?: string): Promise<void> {
    const s = await this.known.get(id);
    if (s?.ended) return;
    if (s) s.ended = true;
    else this.known.set(id, Promise.resolve({ serverId: '', serverName: '', startedAtMs: 0, ended: true }));
    setTimeout(() => this.known.delete(id), FORGET_AFTER_MS).unref();
    const local = this.local.get(id);
    this.local.delete(id);
    if (local) this.bySocket.get(local.socketId)?.delete(id);

    // A session whose open failed was never announced: the browser has its refusal, not an id.
    if (reason !== 'error') this.live.emitToTerminal(id, 'terminal_exit', { sessionId: id, exitCode, reason });
    this.live.leaveTerminal(id);
    try {
      await this.recorder.finish(id);
      const [rows] = (await this.sessions.query(
        `UPDATE terminal_sessions SET ended_at = now(), exit_code = $2, end_reason = $3
          WHERE id = $1 AND ended_at IS NULL
          RETURNING server_id, user_id, started_at, ended_at, bytes_out, bytes_in`,
        [id, exitCode, reason],
      )) as [Array<{ server_id: string; user_id: string | null; started_at: Date; ended_at: Date; bytes_out: string; bytes_in: string }>, number];
      const row = rows?.[0];
      if (!row) return;
      const serverName = s?.serverName || local?.serverName || row.server_id;
      if (reason === 'error') {
        await this.audit.record({
          action: 'terminal.open',
          description: `Terminal session ${id} on server ${serverName} could not open${detail ? `: ${detail}` : ''}`,
          userId: row.user_id,
          serverId: row.server_id,
          success: false,
        });
        return;
      }
      const seconds = Math.round((row.ended_at.getTime() - row.started_at.getTime()) / 1000);
      await this.audit.record({
        action: 'terminal.close',
        description: `Terminal session ${id} on server ${serverName} ended (${reason}${exitCode !== null ? `, exit ${exitCode}` : ''}${detail ? `: ${detail}` : ''}) after ${seconds} s, ${row.bytes_out} bytes out, ${row.bytes_in} bytes in`,
        userId: row.user_id,
        serverId: row.server_id,
      });
    } catch (err) {
      this.logger.warn({ err: (err as Error).message, sessionId: id }, 'Could not record the end of a terminal session');
    }
  }

  private ownSession(socket: LiveSocket, p: Record<string, unknown> | null): LocalSession | null {
    const id = sessionIdOf(p);
    const session = id ? this.local.get(id) : undefined;
    return session && session.socketId === socket.id ? session : null;
  }

  private lookup(sessionId: string): Promise<KnownSession | null> {
    let found = this.known.get(sessionId);
    if (!found) {
      found = UUID.test(sessionId)
        ? this.sessions.findOne({ where: { id: sessionId }, select: { serverId: true, startedAt: true, endedAt: true } })
          .then((r) => (r ? { serverId: r.serverId, serverName: '', startedAtMs: r.startedAt.getTime(), ended: r.endedAt !== null } : null))
          .catch(() => null)
        : Promise.resolve(null);
      this.known.set(sessionId, found);
      setTimeout(() => this.known.delete(sessionId), FORGET_AFTER_MS).unref();
    }
    return found;
  }
}
