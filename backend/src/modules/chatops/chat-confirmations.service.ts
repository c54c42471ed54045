import { Injectable, Logger } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash, randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { CHAT_CONFIRM_TTL_SEC, type ChatChannel, type ChatConfirmation } from '@chatops/protocol';
import type { ParsedCommand } from './chat-commands';
import { ChatErrorCode, ChatException } from './chatops.errors';

const hash = (token: string) => createHash('sha256').update(token).digest('hex');
/** Used and expired tokens are kept this long (so a late `confirm` says "expired", not "unknown"), then deleted. */
const KEEP_AFTER_EXPIRY_SEC = 3600;

/**
 * One-time confirmation tokens for destructive commands: 128 random bits, stored hashed in
 * PostgreSQL (any instance can confirm what another issued), bound to the user, valid 60 s.
 * Taking one is a single conditional UPDATE, so a token confirms exactly once even when two
 * confirmations race.
 */
@Injectable()
export class ChatConfirmations {
  private readonly logger = new Logger(ChatConfirmations.name);

  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Stores the command (its servers already resolved to ids) and returns the token to show once. */
  async issue(userId: string, channel: ChatChannel, command: ParsedCommand, text: string): Promise<ChatConfirmation> {
    const token = randomBytes(16).toString('base64url');
    const [row] = (await this.db.query(
      `INSERT INTO chat_confirmations (token_hash, user_id, channel, command, text, expires_at)
       VALUES ($1, $2, $3, $4, $5, now() + make_interval(secs => $6)) RETURNING expires_at`,
      [hash(token), userId, channel, JSON.stringify(command), text.slice(0, 8192), CHAT_CONFIRM_TTL_SEC],
    )) as { expires_at: Date }[];
    return { token, command: text, expiresAt: row.expires_at.toISOString() };
  }

  /** The command the token confirms, once; a used, expired or unknown (or someone else's) token is refused. */
  async take(userId: string, token: string): Promise<{ command: ParsedCommand; text: string }> {
    const [rows] = (await this.db.query(
      `UPDATE chat_confirmations SET used_at = now()
        WHERE token_hash = $1 AND user_id = $2 AND used_at IS NULL AND expires_at > now()
        RETURNING command, text`,
      [hash(token), userId],
    )) as [{ command: ParsedCommand; text: string }[], number];
    if (rows[0]) return rows[0];
    const [why] = (await this.db.query(
      'SELECT used_at IS NOT NULL AS used FROM chat_confirmations WHERE token_hash = $1 AND user_id = $2',
      [hash(token), userId],
    )) as { used: boolean }[];
    if (!why) throw new ChatException(ChatErrorCode.ConfirmUnknown, 'No such confirmation: send the command again');
    if (why.used) throw new ChatException(ChatErrorCode.ConfirmUsed, 'That confirmation was already used: the command ran once');
    throw new ChatException(ChatErrorCode.ConfirmExpired, `That confirmation expired (${CHAT_CONFIRM_TTL_SEC} s): send the command again`);
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
