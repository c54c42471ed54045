import { Inject, Injectable, Logger } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, Repository } from 'typeorm';
import {
  COMMAND_DEFAULT_TIMEOUT_SEC, type CapabilityError, type CommandAccepted, type CommandPolicy, type CommandRecord,
  type CommandResponse, type CommandResult, type CommandStatus,
} from '@chatops/protocol';
import { AuthUser, RequestMeta } from '../../common/decorators';
import { APP_CONFIG, AppConfig } from '../../config/config';
import { DomainException } from '../../common/domain-exception';
import { OnChatopsEvent, type ChatopsEvents } from '../../events';
import { AgentErrorCode } from '../agents/agents.errors';
import { AgentManager } from '../agents/agent-manager.service';
import { InstancePresence } from '../agents/instance-presence.service';
import { aliveInstancesSql, PRESENCE_LOCK_CLASS, underUserSlotLock } from '../../database/instance-liveness';
import { AuditService } from '../audit/audit.service';
import { LiveService } from '../live/live.service';
import { AccessService } from '../access/access.service';
import { CommandHistoryEntity, toCommandRecord } from './command-history.entity';
import { CommandPolicyService } from './command-policy.service';
import { CommandErrorCode, CommandException } from './commands.errors';
import { CommandHistoryQueryDto, RunCommandDto } from './dto/command.dto';

/** The agent kills a command at `timeoutSec` (then SIGKILL after a grace): the backend waits this much longer. */
const AGENT_ANSWER_MARGIN_SEC = 15;
/** A `running` row older than its timeout plus this is left over from a stopped backend. */
const ORPHAN_AFTER_EXTRA_SEC = 60;
/** How often running commands of dead instances are looked for (as the servers of dead instances are). */
const DEAD_INSTANCE_SWEEP_MS = 5000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** PostgreSQL text cannot hold NUL: binary output keeps its length with U+FFFD in its place. */
const storable = (s: string) => (s.includes('\u0000') ? s.replace(/\u0000/g, '\uFFFD') : s);
const isRefusal = (r: CommandResult | CapabilityError): r is CapabilityError => (r as CapabilityError).ok === false;

interface Outcome {
  status: CommandStatus;
  exitCode: number | null;
  stdout: string;
  stderr: string;
  durationMs: number | null;
  truncated: boolean;
  timedOut: boolean;
  error: string | null;
  /** Thrown to the synchronous caller after the record is stored (refusals, no agent). */
  raise?: DomainException;
}

/**
 * Remote commands, the seed's "Command Execution" flow: ownership check, the server's policy, a
 * `command_history` row, the request to the agent through `AgentManager` (so an agent on another
 * instance answers too), output relayed live, the final record stored, broadcast and audited —
 * for every outcome, including refusals and a missing agent.
 */
const commandNotFound = () => new CommandException(CommandErrorCode.NotFound, 'Command not found');

@Injectable()
export class CommandsService {
  private readonly logger = new Logger(CommandsService.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectRepository(CommandHistoryEntity) private readonly history: Repository<CommandHistoryEntity>,
    @InjectDataSource() private readonly db: DataSource,
    private readonly access: AccessService,
    private readonly policies: CommandPolicyService,
    private readonly agents: AgentManager,
    private readonly audit: AuditService,
    private readonly live: LiveService,
    private readonly presence: InstancePresence,
  ) {}

  /** Runs a command; with `async` answers at once with the id and finishes in the background. */
  async run(user: AuthUser, serverId: string, dto: RunCommandDto, meta: RequestMeta, async: false): Promise<CommandResponse>;
  async run(user: AuthUser, serverId: string, dto: RunCommandDto, meta: RequestMeta, async: true): Promise<CommandAccepted>;
  async run(user: AuthUser, serverId: string, dto: RunCommandDto, meta: RequestMeta, async: boolean): Promise<CommandResponse | CommandAccepted> {
    const { row, done } = await this.launch(user, serverId, dto, meta, randomUUID());
    if (async) {
      done.catch((err) => this.logger.error({ err, commandId: row.id, serverId }, 'Could not finish a command'));
      return { commandId: row.id, command: row.command, status: 'running' };
    }
    const { record, raise } = await done;
    if (raise) throw raise;
    return toResponse(record);
  }

  /**
   * As `run` without `async`, under the caller's command id (chat streams join the output's room
   * before the command is sent): refusals throw at once, `done` settles when the command ended
   * (rejecting with the same errors the synchronous `run` throws then).
   */
  async start(user: AuthUser, serverId: string, dto: RunCommandDto, meta: RequestMeta, commandId: string): Promise<{ done: Promise<CommandResponse> }> {
    const { done } = await this.launch(user, serverId, dto, meta, commandId);
    return {
      done: done.then(({ record, raise }) => {
        if (raise) throw raise;
        return toResponse(record);
      }),
    };
  }

  private async launch(user: AuthUser, serverId: string, dto: RunCommandDto, meta: RequestMeta, id: string): Promise<{ row: CommandHistoryEntity; done: Promise<{ record: CommandHistoryEntity; raise?: DomainException }> }> {
    const command = dto.command.trim();
    const server = await this.access.require(user, serverId, 'commands.run', meta);
    // Without commands.unrestricted (an operator) only commands on the server's allow-list may run;
    // the instance admin's break-glass is not restricted (the access check audited it).
    const allowListOnly = !server.access.capabilities.includes('commands.unrestricted') && !server.access.breakGlass;
    const refusal = await this.policies.check(serverId, command, allowListOnly);
    const row = this.history.create({
      id,
      serverId,
      userId: user.id,
      command,
      timeoutSec: dto.timeoutSec ?? COMMAND_DEFAULT_TIMEOUT_SEC,
      status: 'running',
      exitCode: null,
      stdout: '',
      stderr: '',
      truncated: false,
      timedOut: false,
      durationMs: null,
      error: null,
      ip: meta.ip?.slice(0, 64) ?? null,
      createdAt: new Date(),
      finishedAt: null,
    });

    // Recorded before it is sent: nothing runs on a server without its history row, and a refusal
    // (the policy, or the per-user cap) is kept and audited like any other outcome.
    if (refusal) {
      await this.history.insert({ ...row, status: 'refused' });
      await this.finish(row, server.name, meta, emptyOutcome('refused', refusal));
      throw new CommandException(CommandErrorCode.PolicyDenied, `The server's command policy refuses this command: ${refusal}`);
    }
    const max = this.config.limits.commandsPerUser;
    if (!(await this.insertWithinCap(row, user.id, max))) {
      await this.finish(row, server.name, meta, emptyOutcome('refused', `too many running: at most ${max} commands per user at once`));
      throw new CommandException(CommandErrorCode.TooManyRunning, `At most ${max} commands may run at once; wait for one to finish`);
    }
    const done = this.execute(row).then((outcome) => this.finish(row, server.name, meta, outcome));
    return { row, done };
  }

  async get(user: AuthUser, commandId: string): Promise<CommandRecord> {
    const row = await this.history.findOneBy({ id: commandId });
    // Not yours and does not exist get the same answer.
    if (!row) throw commandNotFound();
    await this.access.require(user, row.serverId, 'commands.run', undefined, commandNotFound);
    return toCommandRecord(row);
  }

  /** Newest first; output cut to a preview (the item has it all). */
  async list(user: AuthUser, serverId: string, q: CommandHistoryQueryDto): Promise<CommandRecord[]> {
    await this.access.require(user, serverId, 'commands.run');
    const qb = this.history.createQueryBuilder('c')
      .where('c.server_id = :serverId', { serverId })
      .orderBy('c.created_at', 'DESC')
      .addOrderBy('c.id', 'DESC')
      .limit(q.limit ?? 50);
    if (q.status) qb.andWhere('c.status = :status', { status: q.status });
    if (q.q) qb.andWhere(`c.command ILIKE :q ESCAPE '\\'`, { q: `%${q.q.replace(/[\\%_]/g, '\\$&')}%` });
    if (q.before) {
      const cursor = await this.cursor(serverId, q.before);
      if (cursor.id) qb.andWhere('(c.created_at, c.id) < (:at, :id)', cursor);
      else qb.andWhere('c.created_at < :at', cursor);
    }
    return (await qb.getMany()).map((r) => toCommandRecord(r, true));
  }

  getPolicy(user: AuthUser, serverId: string): Promise<CommandPolicy> {
    return this.access.require(user, serverId, 'server.read').then(() => this.policies.get(serverId));
  }

  async updatePolicy(user: AuthUser, serverId: string, change: { allow?: string[]; deny?: string[] }, meta: RequestMeta): Promise<CommandPolicy> {
    const server = await this.access.require(user, serverId, 'server.manage', meta);
    const policy = await this.policies.update(serverId, change, user.id);
    await this.audit.record({
      action: 'command.policy_update',
      description: `Command policy of server ${server.name} set to ${policy.allow.length} allow and ${policy.deny.length} deny patterns`,
      userId: user.id,
      serverId,
      meta,
    });
    return policy;
  }

  /** Streams output to the server's subscribers as the agent sends it. */
  @OnChatopsEvent('agent.command_output')
  relayOutput({ serverId, commandId, stream, data }: ChatopsEvents['agent.command_output']): void {
    this.live.emitToServer(serverId, 'command_output', { serverId, commandId, stream, data });
  }

  /**
   * Rows still `running` long after their timeout belong to a backend that stopped mid-command:
   * they are closed as failed (and audited), whichever instance notices first.
   */
  @Interval(60_000)
  async closeOrphans(): Promise<void> {
    await this.closeRunning(
      'created_at < now() - make_interval(secs => timeout_sec + $1)',
      [AGENT_ANSWER_MARGIN_SEC + ORPHAN_AFTER_EXTRA_SEC],
      'the backend stopped while it ran',
      'Could not close interrupted commands',
    );
  }

  /**
   * Closes the running commands matching `where` (SQL over `command_history`, its placeholders
   * `$1…` bound to `params`) as failed with the error `interrupted: <reason>`, and audits each as
   * `command.run` (failure). One conditional `UPDATE … RETURNING`: a row is closed, and audited,
   * once, whichever instance runs it. Never throws (a failed round is logged as `failure`).
   */
  private async closeRunning(where: string, params: unknown[], reason: string, failure: string): Promise<void> {
    try {
      const [rows] = (await this.db.query(
        `UPDATE command_history SET status = 'failed', finished_at = now(), error = $${params.length + 1}
          WHERE status = 'running' AND (${where})
          RETURNING id, server_id, user_id, command`,
        [...params, `interrupted: ${reason}`],
      )) as [Array<{ id: string; server_id: string; user_id: string | null; command: string }>, number];
      for (const r of rows ?? []) {
        await this.audit.record({
          action: 'command.run',
          description: `Command "${r.command.slice(0, 200)}" interrupted: ${reason}`,
          userId: r.user_id,
          serverId: r.server_id,
          success: false,
        });
      }
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, failure);
    }
  }

  /**
   * Inserts the row as `running` if the user has fewer than `max` commands running on all
   * instances together, otherwise as `refused`; returns whether it runs. The count and the insert
   * happen under the user's advisory lock, so two requests racing on two instances cannot both
   * take the last slot. A slot is freed when the row leaves `running`: its outcome, or the sweep
   * below when the instance that held it died.
   */
  private async insertWithinCap(row: CommandHistoryEntity, userId: string, max: number): Promise<boolean> {
    return underUserSlotLock(this.db, 'commands', userId, async (tx) => {
      const [{ running }] = (await tx.query(
        `SELECT count(*)::int AS running FROM command_history WHERE user_id = $1 AND status = 'running' AND instance_id IS NOT NULL`,
        [userId],
      )) as [{ running: number }];
      const admitted = running < max;
      await tx.insert(CommandHistoryEntity, { ...row, status: admitted ? 'running' : 'refused', instanceId: admitted ? this.presence.id : null });
      return admitted;
    });
  }

  /**
   * Commands whose instance died while they ran (its presence lock is gone, see InstancePresence):
   * nobody will receive the agent's answer, so they are closed as failed and audited, which frees
   * their owners' slots within seconds. Every instance looks; the conditional UPDATE closes each
   * row once. A restarted single instance (a new presence id) closes its predecessor's rows too.
   */
  @Interval(DEAD_INSTANCE_SWEEP_MS)
  async closeDeadInstanceCommands(): Promise<void> {
    await this.closeRunning(
      `instance_id IS NOT NULL AND instance_id NOT IN (${aliveInstancesSql('$1')})`,
      [PRESENCE_LOCK_CLASS],
      'the backend instance running it stopped',
      'Could not close the commands of dead instances',
    );
  }

  /** Sends the command and turns every answer (or its absence) into an outcome; never throws. */
  private async execute(row: CommandHistoryEntity): Promise<Outcome> {
    const started = Date.now();
    let reply: CommandResult | CapabilityError;
    try {
      reply = await this.agents.request(row.serverId, 'command', { commandId: row.id, command: row.command, timeoutSec: row.timeoutSec },
        (row.timeoutSec + AGENT_ANSWER_MARGIN_SEC) * 1000);
    } catch (err) {
      if (!(err instanceof DomainException)) {
        this.logger.error({ err, commandId: row.id, serverId: row.serverId }, 'Command request failed');
        return emptyOutcome('failed', 'internal error while sending the command');
      }
      const elapsed = Date.now() - started;
      switch (err.code) {
        case AgentErrorCode.NotConnected:
          return { ...emptyOutcome('unreachable', 'the server\'s agent is not connected'), raise: err };
        case AgentErrorCode.Lost:
          return { ...emptyOutcome('failed', 'the agent disconnected while the command ran'), durationMs: elapsed };
        default:
          return { ...emptyOutcome('failed', `the agent did not answer within ${row.timeoutSec + AGENT_ANSWER_MARGIN_SEC} s`), durationMs: elapsed, raise: err };
      }
    }
    if (isRefusal(reply)) return refusalOutcome(reply);
    return {
      status: reply.timedOut ? 'timeout' : reply.exitCode === 0 ? 'completed' : 'failed',
      exitCode: reply.exitCode,
      stdout: storable(String(reply.stdout ?? '')),
      stderr: storable(String(reply.stderr ?? '')),
      durationMs: Number.isFinite(reply.durationMs) ? Math.max(0, Math.round(reply.durationMs)) : Date.now() - started,
      truncated: reply.truncated === true,
      timedOut: reply.timedOut === true,
      error: reply.timedOut ? `killed after ${row.timeoutSec} s` : null,
    };
  }

  /** Stores the outcome, tells the server's subscribers, audits. */
  private async finish(row: CommandHistoryEntity, serverName: string, meta: RequestMeta, outcome: Outcome): Promise<{ record: CommandHistoryEntity; raise?: DomainException }> {
    const { raise, ...fields } = outcome;
    Object.assign(row, fields, { finishedAt: new Date() });
    const detail = row.exitCode !== null ? ` (exit ${row.exitCode})` : row.error ? ` (${row.error})` : '';
    await Promise.all([
      this.history.update({ id: row.id }, { ...fields, finishedAt: row.finishedAt })
        .then(() => this.live.emitToServer(row.serverId, 'command_finished', { serverId: row.serverId, command: toCommandRecord(row, true) })),
      this.audit.record({
        action: 'command.run',
        description: `Command "${row.command.slice(0, 200)}" on server ${serverName}: ${row.status}${detail}`,
        userId: row.userId,
        serverId: row.serverId,
        meta,
        success: row.status === 'completed',
      }),
    ]);
    return { record: row, raise };
  }

  private async cursor(serverId: string, before: string): Promise<{ at: Date; id: string | null }> {
    if (UUID.test(before)) {
      const row = await this.history.findOne({ where: { id: before, serverId }, select: { id: true, createdAt: true } });
      if (!row) throw new CommandException(CommandErrorCode.BadCursor, 'before names no command of this server');
      return { at: row.createdAt, id: row.id };
    }
    const at = new Date(before);
    if (!/^\d{4}-\d{2}-\d{2}/.test(before) || Number.isNaN(at.getTime())) {
      throw new CommandException(CommandErrorCode.BadCursor, 'before must be a commandId or an ISO-8601 time');
    }
    return { at, id: null };
  }
}

function emptyOutcome(status: CommandStatus, error: string): Outcome {
  return { status, exitCode: null, stdout: '', stderr: '', durationMs: null, truncated: false, timedOut: false, error };
}

function refusalOutcome(reply: CapabilityError): Outcome {
  const why = typeof reply.message === 'string' && reply.message ? reply.message.slice(0, 500) : null;
  switch (reply.error) {
    case 'disabled':
      return { ...emptyOutcome('refused', 'exec is disabled on the agent'), raise: new CommandException(CommandErrorCode.ExecDisabled, 'Remote commands are disabled on this server\'s agent: start it with --enable-exec (CHATOPS_ENABLE_EXEC=true)') };
    case 'not_allowed':
      return { ...emptyOutcome('refused', why ?? 'refused by the agent\'s allow-list'), raise: new CommandException(CommandErrorCode.NotAllowed, `The agent's allow-list refuses this command${why ? `: ${why}` : ''}`) };
    case 'internal':
    case 'spawn_failed':
      return { ...emptyOutcome('failed', why ?? `the agent could not run the command (${reply.error})`), raise: new CommandException(CommandErrorCode.AgentError, `The agent could not run the command${why ? `: ${why}` : ''}`) };
    case 'queue_full':
      return { ...emptyOutcome('refused', 'the agent\'s command queue is full'), raise: new CommandException(CommandErrorCode.AgentBusy, 'The agent is running and queuing as many commands as it accepts; retry shortly') };
    default:
      return { ...emptyOutcome('refused', why ?? String(reply.error).slice(0, 200)), raise: new CommandException(CommandErrorCode.Rejected, `The agent refused the command: ${why ?? String(reply.error).slice(0, 200)}`) };
  }
}

function toResponse(r: CommandHistoryEntity): CommandResponse {
  return {
    commandId: r.id,
    command: r.command,
    status: r.status,
    exitCode: r.exitCode,
    output: r.stdout,
    stderr: r.stderr,
    durationMs: r.durationMs,
    truncated: r.truncated,
  };
}
