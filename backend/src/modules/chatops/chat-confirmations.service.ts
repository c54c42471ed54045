import { Injectable, Logger } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash, randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { CHAT_CONFIRM_TTL_SEC, type ChatChannel, type ChatConfirmation } from '@chatops/protocol';
import type { AuthUser, RequestMeta } from '../../common/decorators';
import { AuditService } from '../audit/audit.service';
import type { ParsedCommand } from './chat-commands';
import { ChatErrorCode, ChatException } from './chatops.errors';

const hash = (token: string) => createHash('sha256').update(token).digest('hex');
/** Used and expired tokens are kept this long (so a late `confirm` says "expired", not "unknown"), then deleted. */
const KEEP_AFTER_EXPIRY_SEC = 3600;

/**
 * One-time confirmation tokens for destructive commands: 128 random bits, stored hashed in
 * PostgreSQL (any instance can confirm what another issued), bound to the user, valid 60 s.
 * Taking (or cancelling) one is a single conditional UPDATE, so a token confirms exactly once even
 * when two confirmations race, and never after a cancel.
 */
@Injectable()
export class ChatConfirmations {
  private readonly logger = new Logger(ChatConfirmations.name);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly audit: AuditService,
  ) {}

  /**
   * Stores the command (its servers already resolved to ids) and returns the token to show once.
   * `messageId`: the conversation entry whose reply carries it (marked when it is confirmed or cancelled).
   */
  async issue(userId: string, channel: ChatChannel, command: ParsedCommand, text: string, messageId: string): Promise<ChatConfirmation> {
    const token = randomBytes(16).toString('base64url');
    const [row] = (await this.db.query(
      `INSERT INTO chat_confirmations (token_hash, user_id, channel, command, text, expires_at, message_id)
       VALUES ($1, $2, $3, $4, $5, now() + make_interval(secs => $6), $7) RETURNING expires_at`,
      [hash(token), userId, channel, JSON.stringify(command), text.slice(0, 8192), CHAT_CONFIRM_TTL_SEC, messageId],
    )) as { expires_at: Date }[];
    return { token, command: text, expiresAt: row.expires_at.toISOString(), state: 'pending' };
  }

  /**
   * The command the token confirms, once; a used, cancelled, expired or unknown (or someone else's)
   * token is refused. The card that carried it is marked confirmed.
   */
  async take(user: AuthUser, token: string, via: ChatChannel): Promise<{ command: ParsedCommand; text: string }> {
    const row = await this.decide(user, token, 'used_at', 'confirmed', via);
    return { command: row.command, text: row.text };
  }

  /** Cancels a pending confirmation of yours (`cancel <token>`): nothing runs, the card is marked cancelled (audited). */
  async cancel(user: AuthUser, token: string, meta: RequestMeta): Promise<{ text: string }> {
    const { command, text } = await this.decide(user, token, 'cancelled_at', 'cancelled', meta.channel ?? 'dashboard');
    await this.audit.record({
      action: 'chatops.confirm_cancel',
      description: `Cancelled before it ran: ${text.slice(0, 200)}`,
      userId: user.id,
      // The stored command names its server by id (pinned when the confirmation was issued).
      serverId: 'server' in command && typeof command.server === 'string' ? command.server : null,
      meta,
    });
    return { text };
  }

  private async decide(user: AuthUser, token: string, column: 'used_at' | 'cancelled_at', state: 'confirmed' | 'cancelled', via: ChatChannel): Promise<{ command: ParsedCommand; text: string }> {
    // One conditional UPDATE: of a confirm and a cancel racing (or two confirms), exactly one wins.
    const [rows] = (await this.db.query(
      `UPDATE chat_confirmations SET ${column} = now()
        WHERE token_hash = $1 AND user_id = $2 AND used_at IS NULL AND cancelled_at IS NULL AND expires_at > now()
        RETURNING command, text, message_id, ${column} AS at`,
      [hash(token), user.id],
    )) as [{ command: ParsedCommand; text: string; message_id: string | null; at: Date }[], number];
    const row = rows[0];
    if (row) {
      if (row.message_id) await this.mark(user, row.message_id, { state, decidedBy: user.username, decidedVia: via, decidedAt: row.at.toISOString() });
      return row;
    }
    const [why] = (await this.db.query(
      'SELECT used_at IS NOT NULL AS used, cancelled_at IS NOT NULL AS cancelled FROM chat_confirmations WHERE token_hash = $1 AND user_id = $2',
      [hash(token), user.id],
    )) as { used: boolean; cancelled: boolean }[];
    if (!why) throw new ChatException(ChatErrorCode.ConfirmUnknown, 'No such confirmation: send the command again');
    if (why.used) throw new ChatException(ChatErrorCode.ConfirmUsed, 'That confirmation was already used: the command ran once');
    if (why.cancelled) throw new ChatException(ChatErrorCode.ConfirmCancelled, 'That confirmation was cancelled: nothing ran');
    throw new ChatException(ChatErrorCode.ConfirmExpired, `That confirmation expired (${CHAT_CONFIRM_TTL_SEC} s): send the command again`);
  }

  /** The card that carried the confirmation shows how it ended (history answers with it). */
  private async mark(user: AuthUser, messageId: string, decision: Required<Pick<ChatConfirmation, 'state' | 'decidedBy' | 'decidedVia' | 'decidedAt'>>): Promise<void> {
    try {
      await this.db.query(
        `UPDATE chat_messages SET reply = jsonb_set(reply, '{confirm}', (reply->'confirm') || $3::jsonb)
          WHERE id = $1 AND user_id = $2 AND reply ? 'confirm'`,
        [messageId, user.id, JSON.stringify(decision)],
      );
    } catch (err) {
      // The decision stands (the command runs or not); only the card's label is missing.
      this.logger.warn({ err: (err as Error).message, messageId }, 'Could not mark a confirmation card');
    }
  }

  @Interval(60_000)
  async prune(): Promise<void> {
    try {
      await this.db.query('DELETE FROM chat_confirmations WHERE expires_at < now() - make_interval(secs => $1)', [KEEP_AFTER_EXPIRY_SEC]);
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'Could not prune chat confirmations');
    }
  }
}
