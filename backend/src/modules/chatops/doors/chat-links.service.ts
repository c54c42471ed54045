import { Inject, Injectable, Logger } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash, randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import type { ChatLink, ChatLinkPreview, ChatProvider } from '@chatops/protocol';
import { AuthUser, RequestMeta } from '../../../common/decorators';
import { APP_CONFIG, type AppConfig } from '../../../config/config';
import { AuditService } from '../../audit/audit.service';
import { ChatErrorCode, ChatException } from '../chatops.errors';

/** Who sent a chat request: a user of a Slack workspace or a Mattermost team. */
export interface ChatIdentity {
  provider: ChatProvider;
  teamId: string;
  userId: string;
  userName: string | null;
}

export const LINK_TTL_SEC = 600;
const hash = (token: string) => createHash('sha256').update(token).digest('hex');

interface LinkRow { id: string; provider: ChatProvider; team_id: string; chat_user_id: string; chat_user_name: string | null; created_at: Date }
const toLink = (r: LinkRow): ChatLink => ({
  id: r.id, provider: r.provider, teamId: r.team_id, chatUserId: r.chat_user_id, chatUserName: r.chat_user_name, createdAt: r.created_at.toISOString(),
});

/**
 * Chat identities linked to ChatOps accounts. A chat user is nobody until linked: `link` in chat
 * gives a one-time URL (token of 256 random bits, stored hashed, 10 minutes), which the signed-in
 * dashboard user confirms; from then on the chat user acts as that account, with its rights only.
 */
@Injectable()
export class ChatLinks {
  private readonly logger = new Logger(ChatLinks.name);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly audit: AuditService,
  ) {}

  /** The account the identity is linked to, or null (also while an admin has the account disabled). */
  async userOf(who: ChatIdentity): Promise<AuthUser | null> {
    const [row] = (await this.db.query(
      `SELECT u.id, u.username, u.role FROM chat_links l JOIN users u ON u.id = l.user_id
        WHERE l.provider = $1 AND l.team_id = $2 AND l.chat_user_id = $3 AND u.disabled_at IS NULL`,
      [who.provider, who.teamId, who.userId],
    )) as AuthUser[];
    return row ?? null;
  }

  /** A one-time link URL for the identity (shown to that chat user only). */
  async request(who: ChatIdentity): Promise<{ url: string; absolute: boolean; expiresInSec: number }> {
    const token = randomBytes(32).toString('base64url');
    await this.db.query(
      `INSERT INTO chat_link_requests (token_hash, provider, team_id, chat_user_id, chat_user_name, expires_at)
       VALUES ($1, $2, $3, $4, $5, now() + make_interval(secs => $6))`,
      [hash(token), who.provider, who.teamId.slice(0, 64), who.userId.slice(0, 64), who.userName?.slice(0, 128) ?? null, LINK_TTL_SEC],
    );
    return { url: `${this.config.publicUrl ?? ''}/chat/link?token=${token}`, absolute: Boolean(this.config.publicUrl), expiresInSec: LINK_TTL_SEC };
  }

  /** Who a pending request is for, without using it (the confirmation page shows it first). */
  async preview(token: string): Promise<ChatLinkPreview> {
    const [r] = (await this.db.query(
      `SELECT provider, team_id, chat_user_id, chat_user_name, expires_at, used_at IS NOT NULL AS used, expires_at <= now() AS expired
         FROM chat_link_requests WHERE token_hash = $1`,
      [hash(token)],
    )) as (Omit<LinkRow, 'id' | 'created_at'> & { expires_at: Date; used: boolean; expired: boolean })[];
    if (!r) throw new ChatException(ChatErrorCode.LinkUnknown, 'No such link request: send `link` in chat again');
    if (r.used) throw new ChatException(ChatErrorCode.LinkUsed, 'That link request was already used');
    if (r.expired) throw new ChatException(ChatErrorCode.LinkExpired, `That link request expired (${LINK_TTL_SEC / 60} min): send \`link\` in chat again`);
    return { provider: r.provider, teamId: r.team_id, chatUserId: r.chat_user_id, chatUserName: r.chat_user_name, expiresAt: r.expires_at.toISOString() };
  }

  /** Links the token's chat identity to `user` (replacing an earlier link of that identity), once. */
  async confirm(user: AuthUser, token: string, meta: RequestMeta): Promise<ChatLink> {
    const [rows] = (await this.db.query(
      `UPDATE chat_link_requests SET used_at = now()
        WHERE token_hash = $1 AND used_at IS NULL AND expires_at > now()
        RETURNING provider, team_id, chat_user_id, chat_user_name`,
      [hash(token)],
    )) as [Omit<LinkRow, 'id' | 'created_at'>[], number];
    const req = rows[0];
    if (!req) {
      const [why] = (await this.db.query('SELECT used_at IS NOT NULL AS used FROM chat_link_requests WHERE token_hash = $1', [hash(token)])) as { used: boolean }[];
      if (!why) throw new ChatException(ChatErrorCode.LinkUnknown, 'No such link request: send `link` in chat again');
      if (why.used) throw new ChatException(ChatErrorCode.LinkUsed, 'That link request was already used');
      throw new ChatException(ChatErrorCode.LinkExpired, `That link request expired (${LINK_TTL_SEC / 60} min): send \`link\` in chat again`);
    }
    const [row] = (await this.db.query(
      `INSERT INTO chat_links (user_id, provider, team_id, chat_user_id, chat_user_name) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (provider, team_id, chat_user_id)
       DO UPDATE SET user_id = EXCLUDED.user_id, chat_user_name = EXCLUDED.chat_user_name, created_at = now()
       RETURNING id, provider, team_id, chat_user_id, chat_user_name, created_at`,
      [user.id, req.provider, req.team_id, req.chat_user_id, req.chat_user_name],
    )) as LinkRow[];
    await this.audit.record({
      action: 'chatops.link',
      description: `${req.provider} user ${req.chat_user_name ?? req.chat_user_id} (${req.team_id}/${req.chat_user_id}) linked to the account`,
      userId: user.id,
      meta,
    });
    return toLink(row);
  }

  async list(user: AuthUser): Promise<ChatLink[]> {
    const rows = (await this.db.query(
      'SELECT id, provider, team_id, chat_user_id, chat_user_name, created_at FROM chat_links WHERE user_id = $1 ORDER BY created_at, id',
      [user.id],
    )) as LinkRow[];
    return rows.map(toLink);
  }

  /** Unlinks one of the user's own links (someone else's is "not found"). */
  async revoke(user: AuthUser, id: string, meta: RequestMeta): Promise<void> {
    const [rows] = (await this.db.query(
      'DELETE FROM chat_links WHERE id = $1 AND user_id = $2 RETURNING provider, team_id, chat_user_id, chat_user_name',
      [id, user.id],
    )) as [LinkRow[], number];
    const r = rows[0];
    if (!r) throw new ChatException(ChatErrorCode.LinkNotFound, 'Chat link not found');
    await this.audit.record({
      action: 'chatops.unlink',
      description: `${r.provider} user ${r.chat_user_name ?? r.chat_user_id} (${r.team_id}/${r.chat_user_id}) unlinked`,
      userId: user.id,
      meta,
    });
  }

  @Interval(60_000)
  async prune(): Promise<void> {
    try {
      await this.db.query(`DELETE FROM chat_link_requests WHERE expires_at < now() - interval '1 hour'`);
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'Could not prune chat link requests');
    }
  }
}
