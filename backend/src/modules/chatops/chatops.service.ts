import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { Repository } from 'typeorm';
import { CHAT_CONFIRM_TTL_SEC, type Capability, type ChatChannel, type ChatCompletions, type ChatError, type ChatHistoryPage, type ChatMessageResponse, type ChatReply } from '@chatops/protocol';
import { AuthUser, RequestMeta } from '../../common/decorators';
import { DomainException } from '../../common/domain-exception';
import { LatestSamples } from '../metrics/latest-samples.service';
import { InstancePresence } from '../agents/instance-presence.service';
import { ServerErrorCode } from '../servers/servers.errors';
import { formatCommand, kindOf, ParsedCommand } from './chat-commands';
import { complete } from './chat-completion';
import { ChatConfirmations } from './chat-confirmations.service';
import { ChatContext, ChatExecutor } from './chat-executor.service';
import { ChatMessageEntity, toHistoryEntry } from './chat-message.entity';
import { parse } from './chat-parser';
import { ChatSettingsService } from './chat-settings.service';
import { ChatTargets, tagsOf } from './chat-targets.service';
import { ChatErrorCode, ChatException } from './chatops.errors';

export interface ChatRequest {
  text: string;
  /** The conversation's server, if any. */
  serverId?: string | null;
  channel: ChatChannel;
  /** Stream long actions over `/live` (the dashboard with a live socket): see ChatStreams. */
  stream?: boolean;
}

/** What confirming a destructive command needs on its server (the owning service checks it again when it runs). */
const CONFIRM_CAPABILITY: Partial<Record<ParsedCommand['name'], Capability>> = { run: 'commands.run', docker: 'docker.action' };

export interface ChatHistoryQuery { serverId?: string; q?: string; before?: string; limit?: number }

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The chat door: a message is parsed, a destructive command waits for its confirmation, the
 * command runs through the owning services (their checks, policies and audit, with the channel),
 * and message and reply are kept in the user's conversation. What a command cannot do is a reply
 * with `error` (the service's code and message), never an HTTP error.
 */
@Injectable()
export class ChatopsService {
  private readonly logger = new Logger(ChatopsService.name);

  constructor(
    @InjectRepository(ChatMessageEntity) private readonly messages: Repository<ChatMessageEntity>,
    private readonly executor: ChatExecutor,
    private readonly confirmations: ChatConfirmations,
    private readonly settings: ChatSettingsService,
    private readonly targets: ChatTargets,
    private readonly latest: LatestSamples,
    private readonly presence: InstancePresence,
  ) {}

  async handle(user: AuthUser, req: ChatRequest, meta: RequestMeta): Promise<ChatMessageResponse> {
    return (await this.converse(user, req, meta)).response;
  }

  /** `handle`, also saying which server the command turned out to be about (null: none or unknown). */
  async converse(user: AuthUser, req: ChatRequest, meta: RequestMeta): Promise<{ response: ChatMessageResponse; serverId: string | null }> {
    const context = req.serverId ?? null;
    // The entry is about the conversation's server only if the user may see it (a command using it
    // is answered with the REST 404 otherwise).
    const subject = context && (await this.targets.accessible(user, context)) ? context : null;
    const id = randomUUID();
    const parsed = parse(req.text);
    const command: ParsedCommand | null = parsed.ok ? parsed.command : null;
    // A server deleted meanwhile leaves the entry without a server (as ON DELETE SET NULL would).
    // Stored once, by a streamed action before it starts or at the end; a second store replaces
    // the reply only with an error (the action failed to start), never a running stream's end.
    // A running stream records this instance: if it dies, the others end the stream.
    const store = (reply: ChatReply) => this.messages.query(
      `INSERT INTO chat_messages (id, user_id, server_id, channel, text, command, ok, reply, instance_id)
       VALUES ($1, $2, (SELECT id FROM servers WHERE id = $3::uuid), $4, $5, $6, $7, $8, $9)
       ON CONFLICT (id) DO UPDATE SET reply = EXCLUDED.reply, ok = EXCLUDED.ok WHERE NOT EXCLUDED.ok`,
      [id, user.id, ctx.subject, req.channel, req.text, command?.name ?? null, !reply.error, JSON.stringify(reply),
        reply.stream?.state === 'running' ? this.presence.id : null],
    ).then(() => undefined);
    const ctx: ChatContext = {
      user, meta: { ...meta, channel: req.channel }, contextServerId: context, subject, messageId: id,
      stream: req.stream === true && req.channel === 'dashboard', store,
    };
    let reply: ChatReply;
    if (!parsed.ok) {
      const { code, message, suggestions } = parsed.error;
      reply = { title: 'Not understood', error: { code, message, ...(suggestions?.length ? { suggestions } : {}) } };
    } else {
      reply = await this.reply(parsed.command, ctx).catch((err: unknown) => errorReply(parsed.command, err));
    }
    await store(reply);
    return { response: { id, reply }, serverId: ctx.subject };
  }

  private async reply(cmd: ParsedCommand, ctx: ChatContext): Promise<ChatReply> {
    if (cmd.name === 'confirm') {
      const { command } = await this.confirmations.take(ctx.user, cmd.token, ctx.meta.channel ?? 'dashboard');
      return this.run(command, ctx);
    }
    if (cmd.name === 'cancel') {
      const { text } = await this.confirmations.cancel(ctx.user, cmd.token, ctx.meta);
      return { title: `Cancelled: ${text}`, text: 'Nothing ran.' };
    }
    if (kindOf(cmd) === 'destructive' && 'server' in cmd && (await this.settings.get(ctx.user.id)).confirmDestructive) {
      const { command, display } = await this.executor.pin(cmd, ctx);
      // Only who may run it is asked to confirm it: a Confirm button the caller could not use is none.
      const capability = CONFIRM_CAPABILITY[cmd.name];
      if (capability && ctx.subject) await this.targets.requireCapability(ctx.user, ctx.subject, capability);
      const confirm = await this.confirmations.issue(ctx.user.id, ctx.meta.channel ?? 'dashboard', command, display, ctx.messageId);
      return {
        title: `Confirm: ${display}`,
        text: `This changes the server. Press Confirm or send \`confirm ${confirm.token}\` within ${CHAT_CONFIRM_TTL_SEC} s (\`cancel ${confirm.token}\` drops it); otherwise nothing happens.`,
        confirm,
        actions: [
          { label: 'Confirm', command: `confirm ${confirm.token}`, style: 'danger', ...(capability && ctx.subject ? { serverId: ctx.subject, capability } : {}) },
          { label: 'Cancel', command: `cancel ${confirm.token}`, style: 'default' },
        ],
      };
    }
    return this.run(cmd, ctx);
  }

  private run(cmd: ParsedCommand, ctx: ChatContext): Promise<ChatReply> {
    if (cmd.name === 'confirm' || cmd.name === 'cancel') throw new ChatException(ChatErrorCode.ConfirmUnknown, 'A confirmation cannot confirm another');
    return this.executor.execute(cmd, ctx);
  }

  /** Newest first, the user's own entries only; `q` searches the message text. */
  async history(user: AuthUser, q: ChatHistoryQuery): Promise<ChatHistoryPage> {
    const limit = q.limit ?? 50;
    const qb = this.messages.createQueryBuilder('m').where('m.user_id = :uid', { uid: user.id });
    if (q.serverId) qb.andWhere('m.server_id = :sid', { sid: q.serverId });
    if (q.q) qb.andWhere(`m.text ILIKE :q ESCAPE '\\'`, { q: `%${q.q.replace(/[\\%_]/g, '\\$&')}%` });
    if (q.before) {
      if (!UUID.test(q.before)) throw new ChatException(ChatErrorCode.BadCursor, 'before must be a nextCursor value');
      const cursor = await this.messages.findOne({ where: { id: q.before, userId: user.id }, select: { id: true, createdAt: true } });
      if (!cursor) throw new ChatException(ChatErrorCode.BadCursor, 'before names no entry of your conversation');
      qb.andWhere('(m.created_at, m.id) < (:at, :cid)', { at: cursor.createdAt, cid: cursor.id });
    }
    const rows = await qb.orderBy('m.created_at', 'DESC').addOrderBy('m.id', 'DESC').take(limit + 1).getMany();
    const page = rows.slice(0, limit);
    return { items: page.map((m) => toHistoryEntry(m)), nextCursor: rows.length > limit ? page[page.length - 1].id : null };
  }

  /**
   * Completion of the last word: commands, the user's server names and tags, and container names
   * from the newest sample of the conversation's server (or of the servers the text names).
   */
  async complete(user: AuthUser, text: string, serverId: string | undefined): Promise<ChatCompletions> {
    const servers = await this.targets.list(user);
    const words = new Set(text.toLowerCase().split(/\s+/));
    const about = servers.filter((s) => s.id === serverId || words.has(s.name.toLowerCase()));
    await this.latest.preload(about.map((s) => s.id));
    const containers = about.flatMap((s) => (this.latest.peek(s.id)?.sample.containers ?? []).map((c) => c.name.replace(/^\//, '')));
    const tags = [...new Set(servers.flatMap(tagsOf))];
    return { items: complete(text, { servers: servers.map((s) => s.name), containers, tags }) };
  }
}

/** A service's refusal as the reply's error: its code and message, the same words as REST. */
function errorReply(cmd: ParsedCommand, err: unknown): ChatReply {
  if (!(err instanceof DomainException)) throw err;
  const error: ChatError = { code: err.code, message: err.message };
  if (err.code === ServerErrorCode.NotFound && Array.isArray(err.details) && err.details.length && err.details.every((d) => typeof d === 'string')) {
    error.suggestions = err.details as string[];
  }
  return { title: `${cmd.name === 'confirm' || cmd.name === 'cancel' ? cmd.name : formatCommand(cmd)}: failed`, error };
}
