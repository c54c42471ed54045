import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { API_KEY_PREFIX } from '@chatops/protocol';
import { AuthUser, RequestMeta } from '../../common/decorators';
import { EventBus } from '../../events';
import { AuditService } from '../audit/audit.service';
import { randomSecret, sha256 } from '../auth/token.util';
import { AccessService } from '../access/access.service';
import { ApiKeyEntity, toApiKey } from './api-key.entity';
import { CreateApiKeyDto } from './dto/api-key.dto';
import { ApiKeyIdentityResponse, ApiKeyResponse, CreatedApiKeyResponse } from './dto/api-key.response';
import { ApiKeyErrorCode, ApiKeyException } from './api-keys.errors';

const LAST_USED_WRITE_INTERVAL_MS = 60_000;
const KEY_SHAPE = /^cok_[A-Za-z0-9_-]{43}$/;

export interface VerifiedKey { keyId: string; serverId: string; name: string | null; serverName: string }

@Injectable()
export class ApiKeysService {
  /** keyId → when lastUsedAt was last written, so a busy agent costs one UPDATE a minute at most. */
  private readonly lastUsedWrites = new Map<string, number>();

  constructor(
    @InjectRepository(ApiKeyEntity) private readonly keys: Repository<ApiKeyEntity>,
    private readonly access: AccessService,
    private readonly audit: AuditService,
    private readonly events: EventBus,
  ) {}

  async create(user: AuthUser, dto: CreateApiKeyDto, meta: RequestMeta): Promise<CreatedApiKeyResponse> {
    const server = await this.access.require(user, dto.serverId, 'keys.manage', meta);
    const expiresAt = dto.expiresAt ? new Date(dto.expiresAt) : null;
    if (expiresAt && expiresAt.getTime() <= Date.now()) {
      throw new ApiKeyException(ApiKeyErrorCode.ExpiryInPast, 'expiresAt must be in the future');
    }
    const key = API_KEY_PREFIX + randomSecret(32);
    const saved = await this.keys.save(this.keys.create({
      serverId: server.id,
      name: dto.name || null,
      keyHash: sha256(key),
      keyPrefix: key.slice(0, 12),
      isActive: true,
      expiresAt,
      createdBy: user.id,
    }));
    await this.audit.record({
      action: 'api_key.create',
      description: `Created API key "${saved.name ?? saved.keyPrefix}" for server "${server.name}"`,
      userId: user.id,
      serverId: server.id,
      meta,
    });
    return { ...toApiKey(saved), key };
  }

  async listForServer(user: AuthUser, serverId: string): Promise<ApiKeyResponse[]> {
    await this.access.require(user, serverId, 'keys.manage');
    const rows = await this.keys.find({ where: { serverId }, order: { createdAt: 'DESC' } });
    return rows.map(toApiKey);
  }

  async deactivate(user: AuthUser, id: string, meta: RequestMeta): Promise<ApiKeyResponse> {
    const key = await this.getAccessible(user, id, meta);
    if (key.isActive) {
      key.isActive = false;
      await this.keys.update({ id }, { isActive: false });
      this.events.emit('api-key.revoked', { serverId: key.serverId, keyId: id, reason: 'deactivated' });
    }
    await this.audit.record({ action: 'api_key.deactivate', description: `Deactivated API key "${key.name ?? key.keyPrefix}"`, userId: user.id, serverId: key.serverId, meta });
    return toApiKey(key);
  }

  async remove(user: AuthUser, id: string, meta: RequestMeta): Promise<void> {
    const key = await this.getAccessible(user, id, meta);
    await this.keys.delete({ id });
    this.events.emit('api-key.revoked', { serverId: key.serverId, keyId: id, reason: 'deleted' });
    await this.audit.record({ action: 'api_key.delete', description: `Deleted API key "${key.name ?? key.keyPrefix}"`, userId: user.id, serverId: key.serverId, meta });
  }

  /**
   * Authenticates an agent key: one indexed lookup by its SHA-256, then active and expiry checks.
   * Returns null for anything that is not a valid, active, unexpired key.
   */
  async verify(key: unknown): Promise<VerifiedKey | null> {
    if (typeof key !== 'string' || !KEY_SHAPE.test(key)) return null;
    // The key and its server's name in one round trip: agents connecting in bulk (a fleet after a
    // backend restart) wait for it in their handshake.
    const [row] = (await this.keys.query(
      `SELECT k.id, k.server_id, k.name, k.is_active, k.expires_at, s.name AS server_name
         FROM api_keys k JOIN servers s ON s.id = k.server_id WHERE k.key_hash = $1`,
      [sha256(key)],
    )) as Array<{ id: string; server_id: string; name: string | null; is_active: boolean; expires_at: Date | null; server_name: string }>;
    if (!row || !row.is_active) return null;
    if (row.expires_at && row.expires_at.getTime() <= Date.now()) return null;
    this.markUsed(row.id);
    return { keyId: row.id, serverId: row.server_id, name: row.name, serverName: row.server_name };
  }

  /** Which of these keys are still active and unexpired (used to drop agents whose key expired while connected). */
  async stillValid(keyIds: string[]): Promise<Set<string>> {
    const rows: { id: string }[] = await this.keys.query(
      'SELECT id FROM api_keys WHERE id = ANY($1::uuid[]) AND is_active AND (expires_at IS NULL OR expires_at > now())',
      [keyIds],
    );
    return new Set(rows.map((r) => r.id));
  }

  async identify(key: string | undefined): Promise<ApiKeyIdentityResponse> {
    const verified = await this.verify(key);
    if (!verified) throw new ApiKeyException(ApiKeyErrorCode.Invalid, 'Missing, invalid, inactive or expired API key');
    return { serverId: verified.serverId, keyId: verified.keyId, name: verified.name, isActive: true };
  }

  private markUsed(id: string): void {
    const now = Date.now();
    if (now - (this.lastUsedWrites.get(id) ?? 0) < LAST_USED_WRITE_INTERVAL_MS) return;
    this.lastUsedWrites.set(id, now);
    void this.keys.update({ id }, { lastUsedAt: new Date(now) }).catch(() => this.lastUsedWrites.delete(id));
  }

  /** The key if the caller may manage its server's keys; an unknown key and one on a server they cannot see answer alike. */
  private async getAccessible(user: AuthUser, id: string, meta: RequestMeta): Promise<ApiKeyEntity> {
    const notFound = () => new ApiKeyException(ApiKeyErrorCode.NotFound, 'API key not found');
    const key = await this.keys.findOneBy({ id });
    if (!key) throw notFound();
    await this.access.require(user, key.serverId, 'keys.manage', meta, notFound);
    return key;
  }
}
