import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { ChatIntegrationStatus, ChatProvider } from '@chatops/protocol';
import { AuthUser, isAdmin, RequestMeta } from '../../../common/decorators';
import { APP_CONFIG, type AppConfig } from '../../../config/config';
import { AuditService } from '../../audit/audit.service';
import { SecretBox } from '../../notifications/secret-box';
import { requireTokenScope } from '../../personal-tokens/token-scopes';
import { ChatErrorCode, ChatException } from '../chatops.errors';

export const CHAT_SECRET_BOX = Symbol('CHAT_SECRET_BOX');

const SECRET_NAME: Record<ChatProvider, string> = { slack: 'signing secret', mattermost: 'slash command token' };

/**
 * The secret each chat door checks requests with: the Slack signing secret, the Mattermost slash
 * command token. An admin stores it through the API (sealed with AES-256-GCM, never returned);
 * without one stored, SLACK_SIGNING_SECRET / MATTERMOST_TOKEN are used. Read per request (one
 * primary-key lookup), so a change applies at once on every instance.
 */
@Injectable()
export class ChatIntegrations {
  private readonly logger = new Logger(ChatIntegrations.name);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CHAT_SECRET_BOX) private readonly box: SecretBox,
    private readonly audit: AuditService,
  ) {}

  /** The secret requests of `provider` are checked with; refused (503) when there is none. */
  async secret(provider: ChatProvider): Promise<string> {
    const row = await this.row(provider);
    const secret = row ? this.open(provider, row.secret) : this.fromEnv(provider);
    if (!secret) throw new ChatException(ChatErrorCode.NotConfigured, `The ${provider} integration is not configured`);
    return secret;
  }

  async status(user: AuthUser, provider: ChatProvider): Promise<ChatIntegrationStatus> {
    this.mustBeAdmin(user);
    const row = await this.row(provider);
    const env = Boolean(this.fromEnv(provider));
    return {
      provider,
      configured: Boolean(row) || env,
      source: row ? 'stored' : env ? 'env' : null,
      updatedAt: row?.updated_at.toISOString() ?? null,
    };
  }

  async store(user: AuthUser, provider: ChatProvider, secret: string, meta: RequestMeta): Promise<ChatIntegrationStatus> {
    this.mustBeAdmin(user);
    await this.db.query(
      `INSERT INTO chat_integrations (provider, secret, updated_by, updated_at) VALUES ($1, $2, $3, now())
       ON CONFLICT (provider) DO UPDATE SET secret = EXCLUDED.secret, updated_by = EXCLUDED.updated_by, updated_at = now()`,
      [provider, this.box.seal(secret), user.id],
    );
    await this.audit.record({ action: 'chatops.integration_update', description: `${provider} ${SECRET_NAME[provider]} set`, userId: user.id, meta });
    return this.status(user, provider);
  }

  async remove(user: AuthUser, provider: ChatProvider, meta: RequestMeta): Promise<ChatIntegrationStatus> {
    this.mustBeAdmin(user);
    const [, deleted] = (await this.db.query('DELETE FROM chat_integrations WHERE provider = $1', [provider])) as [unknown, number];
    if (deleted) {
      await this.audit.record({ action: 'chatops.integration_remove', description: `${provider} ${SECRET_NAME[provider]} removed`, userId: user.id, meta });
    }
    return this.status(user, provider);
  }

  private async row(provider: ChatProvider): Promise<{ secret: string; updated_at: Date } | undefined> {
    const [row] = (await this.db.query('SELECT secret, updated_at FROM chat_integrations WHERE provider = $1', [provider])) as { secret: string; updated_at: Date }[];
    return row;
  }

  /** A secret sealed under another key (NOTIFY_SECRET_KEY or JWT_SECRET changed) is as good as none. */
  private open(provider: ChatProvider, sealed: string): string | undefined {
    try {
      return this.box.open(sealed);
    } catch {
      this.logger.error(`The stored ${provider} ${SECRET_NAME[provider]} cannot be decrypted (NOTIFY_SECRET_KEY or JWT_SECRET changed?): store it again`);
      return undefined;
    }
  }

  private fromEnv(provider: ChatProvider): string | undefined {
    return provider === 'slack' ? this.config.chat.slackSigningSecret : this.config.chat.mattermostToken;
  }

  private mustBeAdmin(user: AuthUser): void {
    if (!isAdmin(user)) throw new ChatException(ChatErrorCode.AdminRequired, 'Only an admin can configure chat integrations');
    requireTokenScope(user, 'admin');
  }
}
