import { Injectable } from '@nestjs/common';
import type { ChatAction, ChatReply, CommandResponse } from '@chatops/protocol';
import { AuthUser, RequestMeta } from '../../common/decorators';
import { AccessException } from '../access/access.errors';
import { AlertsService } from '../alerts/alerts.service';
import { CreateSilenceDto } from '../alerts/dto/silence.dto';
import { SilencesService } from '../alerts/silences.service';
import { CommandsService } from '../commands/commands.service';
import { DockerService } from '../docker/docker.service';
import { ContainerActionQueryDto, ContainerLogsQueryDto } from '../docker/dto/docker.dto';
import { CommandName, CommandOf, formatCommand, ParsedCommand, specOf, usage, visibleCommands } from './chat-commands';
import { FleetReplies } from './chat-fleet-replies.service';
import { ChatStreams } from './chat-streams.service';
import { ago, MAX_DOOR_TEXT, MAX_TEXT, short8, table, tail } from './chat-format';
import { ChatTargets, ServerRef } from './chat-targets.service';

export interface ChatContext {
  user: AuthUser;
  /** The request's origin, with the chat channel: every service audits with it. */
  meta: RequestMeta;
  /** The conversation's server (the panel on a server page), used when a command names none. */
  contextServerId: string | null;
  /** The server the reply is about, set as a command resolves one: kept on the conversation entry. */
  subject: string | null;
  /** The conversation entry this reply will be stored as. */
  messageId: string;
  /** Long actions answer at once and stream their output over `/live` (dashboard only). */
  stream: boolean;
  /**
   * Stores the entry now with this reply (a streamed action, before it starts, so its end finds
   * it); the final reply then replaces it only if it is an error.
   */
  store: (reply: ChatReply) => Promise<void>;
}

type Executors = { [N in Exclude<CommandName, 'confirm' | 'cancel'>]: (cmd: CommandOf<N>, ctx: ChatContext) => Promise<ChatReply> };

const DOCKER_DONE: Record<CommandOf<'docker'>['action'], string> = {
  start: 'started', stop: 'stopped', restart: 'restarted', pause: 'paused', unpause: 'unpaused', kill: 'killed',
};

/**
 * Runs parsed commands through the same services as REST (their ownership checks, policies and
 * audit), and turns their answers into replies. A service's refusal is thrown on as it is: the
 * chat service makes it the reply's error with the REST code and message.
 */
@Injectable()
export class ChatExecutor {
  constructor(
    private readonly targets: ChatTargets,
    private readonly fleet: FleetReplies,
    private readonly commands: CommandsService,
    private readonly docker: DockerService,
    private readonly alerts: AlertsService,
    private readonly silences: SilencesService,
    private readonly streams: ChatStreams,
  ) {}

  execute(cmd: Exclude<ParsedCommand, { name: 'confirm' | 'cancel' }>, ctx: ChatContext): Promise<ChatReply> {
    const run = this.executors[cmd.name] as (c: typeof cmd, x: ChatContext) => Promise<ChatReply>;
    return run(cmd, ctx);
  }

  /**
   * Before a confirmation: the command's server resolved now (an unknown or foreign server is
   * answered at once, not after the confirm) and pinned by id, so the confirmed command acts on
   * exactly the server that was shown.
   */
  async pin(cmd: Extract<ParsedCommand, { server: string | null }>, ctx: ChatContext): Promise<{ command: ParsedCommand; display: string }> {
    const server = await this.server(cmd, ctx);
    return { command: { ...cmd, server: server.id }, display: formatCommand({ ...cmd, server: server.name }) };
  }

  private async server(cmd: Extract<ParsedCommand, { server: string | null }>, ctx: ChatContext): Promise<ServerRef> {
    const server = await this.targets.server(ctx.user, cmd.server, ctx.contextServerId, usage(specOf(cmd.name)));
    ctx.subject = server.id;
    return server;
  }

  /**
   * A refusal of an alert the user may read (a viewer pressing Resolve) is about the alert's server:
   * the conversation entry and the audit of a refused button name it. Rethrows the refusal.
   */
  private refusedOn(ctx: ChatContext, alertId: string) {
    return async (err: unknown): Promise<never> => {
      if (err instanceof AccessException) ctx.subject = (await this.alerts.get(ctx.user, alertId).catch(() => null))?.serverId ?? ctx.subject;
      throw err;
    };
  }

  private readonly executors: Executors = {
    help: async (cmd) => {
      if (!cmd.topic) {
        return {
          title: 'Commands',
          text: 'Servers by name or id; `help <command>` explains one. Destructive commands (run, docker stop/restart/kill) ask for a confirmation.',
          table: table(['Command', 'What it does'], visibleCommands().map((s) => [usage(s), s.description])),
        };
      }
      const spec = specOf(cmd.topic as CommandName);
      const kind = typeof spec.kind === 'function' ? 'depends on the action: destructive ones ask for a confirmation' : spec.kind;
      return {
        title: `help ${spec.name}`,
        text: spec.description,
        fields: [
          { label: 'Usage', value: usage(spec) },
          { label: 'Kind', value: kind, short: true },
          ...(spec.aliases.length ? [{ label: 'Aliases', value: spec.aliases.join(', '), short: true }] : []),
          { label: 'Examples', value: spec.examples.join('\n') },
        ],
      };
    },

    status: (cmd, ctx) => this.fleet.status(cmd.target, ctx),
    top: async (cmd, ctx) => this.fleet.top(await this.server(cmd, ctx)),
    metrics: async (cmd, ctx) => this.fleet.metrics(await this.server(cmd, ctx), cmd.range),

    run: async (cmd, ctx) => {
      const server = await this.server(cmd, ctx);
      if (ctx.stream) return this.streams.run(server, cmd.command, ctx, (r) => runReply(server, r));
      // A chat door posts a long result as several messages: it may carry more of the output.
      const door = ctx.meta.channel === 'slack' || ctx.meta.channel === 'mattermost';
      return runReply(server, await this.commands.run(ctx.user, server.id, { command: cmd.command }, ctx.meta, false), door ? MAX_DOOR_TEXT : MAX_TEXT);
    },

    containers: async (cmd, ctx) => {
      const server = await this.server(cmd, ctx);
      const list = await this.docker.list(ctx.user, server.id, true);
      const actions: ChatAction[] = list.slice(0, 5).map((c) => c.state === 'running'
        ? { label: `Restart ${c.name}`, command: `docker restart ${c.name} on ${server.name}`, style: 'danger', serverId: server.id, capability: 'docker.action' }
        : { label: `Start ${c.name}`, command: `docker start ${c.name} on ${server.name}`, style: 'primary', serverId: server.id, capability: 'docker.action' });
      return {
        title: `Containers on ${server.name}`,
        fields: [
          { label: 'Running', value: String(list.filter((c) => c.state === 'running').length), short: true },
          { label: 'Total', value: String(list.length), short: true },
        ],
        table: table(['Name', 'Image', 'State', 'Status'], list.map((c) => [c.name, c.image, c.state, c.status])),
        actions,
      };
    },

    docker: async (cmd, ctx) => {
      const server = await this.server(cmd, ctx);
      const r = await this.docker.act(ctx.user, server.id, cmd.container, cmd.action, new ContainerActionQueryDto(), ctx.meta);
      const name = r.name ?? cmd.container;
      return {
        title: `Container ${name} ${DOCKER_DONE[cmd.action]} on ${server.name}`,
        actions: [
          { label: 'Logs', command: `logs ${name} on ${server.name}`, style: 'default', serverId: server.id, capability: 'containers.read' },
          { label: 'Containers', command: `containers ${server.name}`, style: 'default', serverId: server.id, capability: 'containers.read' },
        ],
      };
    },

    logs: async (cmd, ctx) => {
      const server = await this.server(cmd, ctx);
      // The server was resolved among the user's own (ownership checked) above.
      if (cmd.follow && ctx.stream) return this.streams.follow(server, cmd.container, cmd.lines, ctx);
      const q = Object.assign(new ContainerLogsQueryDto(), { tail: cmd.lines });
      const { lines } = await this.docker.logs(ctx.user, server.id, cmd.container, q);
      const text = lines.map((l) => (l.stream === 'stderr' ? `! ${l.text}` : l.text)).join('\n');
      return {
        title: `Logs of ${cmd.container} on ${server.name} (last ${lines.length} lines)`,
        text: text ? tail(text) : '(empty)',
        monospace: true,
        ...(cmd.follow ? { fields: [{ label: 'Follow', value: 'streams in the dashboard\'s chat only: these are the newest lines' }] } : {}),
      };
    },

    alerts: async (cmd, ctx) => {
      const [page, servers] = await Promise.all([
        this.alerts.list(ctx.user, { status: cmd.filter, limit: 50 }),
        this.targets.list(ctx.user),
      ]);
      const names = new Map(servers.map((s) => [s.id, s.name]));
      const actions: ChatAction[] = [];
      for (const a of page.items) {
        if (actions.length >= 6) break;
        const on = { serverId: a.serverId, capability: 'alerts.manage' as const };
        if (a.status === 'active') actions.push({ label: `Ack ${short8(a.id)}`, command: `ack ${a.id}`, style: 'primary', ...on });
        if (a.status !== 'resolved') actions.push({ label: `Resolve ${short8(a.id)}`, command: `resolve ${a.id}`, style: 'default', ...on });
      }
      return {
        title: page.items.length ? `${page.items.length}${page.nextCursor ? '+' : ''} ${cmd.filter === 'all' ? '' : `${cmd.filter} `}alerts` : `No ${cmd.filter === 'all' ? '' : `${cmd.filter} `}alerts`,
        table: page.items.length
          ? table(['Id', 'Server', 'Severity', 'Status', 'Message', 'Since'],
            page.items.map((a) => [short8(a.id), names.get(a.serverId) ?? a.serverId, a.severity, a.status + (a.silenced ? ' (silenced)' : ''), a.message, ago(a.startedAt)]))
          : undefined,
        actions,
      };
    },

    ack: async (cmd, ctx) => {
      const id = await this.targets.alert(ctx.user, cmd.alert);
      const a = await this.alerts.acknowledge(ctx.user, id, cmd.note ?? undefined, ctx.meta).catch(this.refusedOn(ctx, id));
      ctx.subject = a.serverId;
      return {
        title: `Alert acknowledged: ${a.message}`,
        fields: [
          { label: 'Severity', value: a.severity, short: true },
          { label: 'By', value: a.acknowledgedBy ?? ctx.user.username, short: true },
          ...(a.acknowledgeNote ? [{ label: 'Note', value: a.acknowledgeNote }] : []),
        ],
        actions: [{ label: 'Resolve', command: `resolve ${a.id}`, style: 'primary', serverId: a.serverId, capability: 'alerts.manage' }],
      };
    },

    resolve: async (cmd, ctx) => {
      const id = await this.targets.alert(ctx.user, cmd.alert);
      const a = await this.alerts.resolve(ctx.user, id, cmd.note ?? undefined, ctx.meta).catch(this.refusedOn(ctx, id));
      ctx.subject = a.serverId;
      return {
        title: `Alert resolved: ${a.message}`,
        fields: [{ label: 'By', value: a.resolvedBy ?? ctx.user.username, short: true }, ...(a.resolveNote ? [{ label: 'Note', value: a.resolveNote }] : [])],
      };
    },

    silence: async (cmd, ctx) => {
      const server = cmd.target.toLowerCase() === 'all' ? null : await this.targets.server(ctx.user, cmd.target, null, '');
      ctx.subject = server?.id ?? null;
      const dto = Object.assign(new CreateSilenceDto(), { serverId: server?.id ?? null, endsAt: new Date(Date.now() + cmd.durationMs).toISOString(), reason: cmd.reason });
      const s = await this.silences.create(ctx.user, dto, ctx.meta);
      return {
        title: `Alerts on ${server ? server.name : 'all your servers'} silenced for ${cmd.duration}`,
        text: 'Alerts are still recorded (marked silenced); nobody is notified until the silence ends.',
        fields: [{ label: 'Until', value: s.endsAt, short: true }, { label: 'Reason', value: s.reason, short: true }],
      };
    },

    history: async (cmd, ctx) => {
      const server = await this.server(cmd, ctx);
      const rows = await this.commands.list(ctx.user, server.id, { limit: 15 });
      return {
        title: rows.length ? `Commands on ${server.name} (newest first)` : `No commands on ${server.name} yet`,
        table: rows.length
          ? table(['When', 'Command', 'Status', 'Exit', 'Duration'],
            rows.map((r) => [ago(r.createdAt), r.command.slice(0, 200), r.status, r.exitCode === null ? '—' : String(r.exitCode), r.durationMs === null ? '—' : `${r.durationMs} ms`]))
          : undefined,
      };
    },
  };
}

/** The card of a finished `run` (waited for, or the end of a streamed one). */
function runReply(server: ServerRef, r: CommandResponse, maxText = MAX_TEXT): ChatReply {
  const output = [r.output, r.stderr ? `[stderr]\n${r.stderr}` : ''].filter(Boolean).join('\n');
  return {
    title: `${r.command} on ${server.name}: ${r.status}${r.exitCode !== null ? ` (exit ${r.exitCode})` : ''}`,
    text: output ? tail(output, maxText) : '(no output)',
    monospace: true,
    fields: [
      { label: 'Status', value: r.status, short: true },
      { label: 'Exit code', value: r.exitCode === null ? '—' : String(r.exitCode), short: true },
      { label: 'Duration', value: r.durationMs === null ? '—' : `${r.durationMs} ms`, short: true },
      ...(r.truncated || output.length > maxText ? [{ label: 'Output', value: 'cut: the whole output is in the command history', short: true }] : []),
    ],
    actions: [{ label: 'History', command: `history ${server.name}`, style: 'default', serverId: server.id, capability: 'commands.run' }],
  };
}
