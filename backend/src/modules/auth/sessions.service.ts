import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { UserSession } from '@chatops/protocol';
import { RequestMeta } from '../../common/decorators';
import { EventBus } from '../../events';
import { AuditService } from '../audit/audit.service';
import { AuthErrorCode, AuthException } from './auth.errors';

interface SessionRow { id: string; created_at: Date; last_used_at: Date; expires_at: Date; ip: string | null; user_agent: string | null }

/**
 * A user's sessions: refresh-token families, one per sign-in, renewed by each refresh. Ending one
 * revokes its refresh tokens (its access tokens fail on their next use, they are checked against
 * the family) and closes its /live sockets on every instance (`auth.sessions_revoked`).
 */
@Injectable()
export class SessionsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly events: EventBus,
    private readonly audit: AuditService,
  ) {}

  /** Sessions that can still be renewed, most recently used first. */
  async list(userId: string, currentSessionId: string | undefined): Promise<UserSession[]> {
    const rows: SessionRow[] = await this.db.query(
      `SELECT family_id AS id, min(created_at) AS created_at, max(created_at) AS last_used_at, max(expires_at) AS expires_at,
              (array_agg(ip ORDER BY created_at DESC))[1] AS ip, (array_agg(user_agent ORDER BY created_at DESC))[1] AS user_agent
         FROM refresh_tokens
        WHERE user_id = $1
          AND family_id IN (SELECT family_id FROM refresh_tokens
                             WHERE user_id = $1 AND revoked_at IS NULL AND used_at IS NULL AND expires_at > now())
        GROUP BY family_id
        ORDER BY last_used_at DESC, family_id`,
      [userId],
    );
    return rows.map((r) => ({
      id: r.id,
      current: r.id === currentSessionId,
      createdAt: r.created_at.toISOString(),
      lastUsedAt: r.last_used_at.toISOString(),
      expiresAt: r.expires_at.toISOString(),
      ip: r.ip,
      userAgent: r.user_agent,
    }));
  }

  /** Ends one of the user's sessions; 404 when it is not theirs or already over. */
  async revoke(userId: string, sessionId: string, meta: RequestMeta): Promise<void> {
    const [, count]: [unknown[], number] = await this.db.query(
      'UPDATE refresh_tokens SET revoked_at = now() WHERE user_id = $1 AND family_id = $2 AND revoked_at IS NULL',
      [userId, sessionId],
    );
    if (!count) throw new AuthException(AuthErrorCode.SessionNotFound, 'Session not found');
    this.events.emit('auth.sessions_revoked', { userId, sessionId });
    await this.audit.record({ action: 'auth.session_revoke', description: `Signed out session ${sessionId}`, userId, meta });
  }

  /** Ends every session of the user but the current one; answers how many ended. */
  async revokeOthers(userId: string, currentSessionId: string | undefined, meta: RequestMeta): Promise<number> {
    const ended = await this.revokeAll(userId, this.db.manager, currentSessionId);
    this.announce(userId, currentSessionId);
    await this.audit.record({ action: 'auth.session_revoke', description: `Signed out ${ended} other session(s)`, userId, meta });
    return ended;
  }

  /**
   * Revokes the user's sessions (but `exceptSessionId`) inside `tx` and answers how many families
   * ended. Their sockets are closed by `announce`, once the caller's transaction committed.
   */
  async revokeAll(userId: string, tx: EntityManager, exceptSessionId?: string): Promise<number> {
    // TypeORM answers an UPDATE with [rows, rowCount].
    const [rows]: [{ family_id: string }[], number] = await tx.query(
      `UPDATE refresh_tokens SET revoked_at = now()
        WHERE user_id = $1 AND revoked_at IS NULL AND ($2::uuid IS NULL OR family_id <> $2::uuid)
        RETURNING family_id`,
      [userId, exceptSessionId ?? null],
    );
    return new Set(rows.map((r) => r.family_id)).size;
  }

  /** Closes the user's /live sockets (all, or all but one session's) on every instance. */
  announce(userId: string, exceptSessionId?: string): void {
    this.events.emit('auth.sessions_revoked', exceptSessionId ? { userId, exceptSessionId } : { userId });
  }
}
