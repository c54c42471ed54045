import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { ChatSettings } from '@chatops/protocol';
import { AuthUser, RequestMeta } from '../../common/decorators';
import { AuditService } from '../audit/audit.service';

const DEFAULTS: ChatSettings = { confirmDestructive: true };

/** Per-user ChatOps settings (a user without a row has the defaults). */
@Injectable()
export class ChatSettingsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly audit: AuditService,
  ) {}

  async get(userId: string): Promise<ChatSettings> {
    const [row] = (await this.db.query('SELECT confirm_destructive FROM chat_settings WHERE user_id = $1', [userId])) as { confirm_destructive: boolean }[];
    return row ? { confirmDestructive: row.confirm_destructive } : { ...DEFAULTS };
  }

  async update(user: AuthUser, change: Partial<ChatSettings>, meta: RequestMeta): Promise<ChatSettings> {
    const current = await this.get(user.id);
    const next: ChatSettings = { confirmDestructive: change.confirmDestructive ?? current.confirmDestructive };
    await this.db.query(
      `INSERT INTO chat_settings (user_id, confirm_destructive, updated_at) VALUES ($1, $2, now())
       ON CONFLICT (user_id) DO UPDATE SET confirm_destructive = EXCLUDED.confirm_destructive, updated_at = now()`,
      [user.id, next.confirmDestructive],
    );
    if (next.confirmDestructive !== current.confirmDestructive) {
      await this.audit.record({
        action: 'chatops.settings_update',
        description: `ChatOps confirmation of destructive commands turned ${next.confirmDestructive ? 'on' : 'off'}`,
        userId: user.id,
        meta,
      });
    }
    return next;
  }
}
