import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { PERSONAL_TOKEN_SCOPE_PERSONAL, type PersonalToken, type TokenScope } from '@chatops/protocol';

/** A personal API token. Only the SHA-256 hash of the secret is stored; it is looked up by that hash. */
@Entity('personal_tokens')
export class PersonalTokenEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'user_id', type: 'uuid' }) userId: string;
  @Column({ type: 'varchar' }) name: string;
  @Column({ name: 'token_hash', type: 'char', length: 64 }) tokenHash: string;
  @Column({ name: 'token_prefix', type: 'varchar' }) tokenPrefix: string;
  @Column({ type: 'text', array: true }) scopes: TokenScope[];
  /** Team ids and/or `personal` the token is limited to; null: not limited to teams. */
  @Column({ name: 'team_scope', type: 'text', array: true, nullable: true }) teamScope: string[] | null;
  @Column({ name: 'expires_at', type: 'timestamptz' }) expiresAt: Date;
  @Column({ name: 'last_used_at', type: 'timestamptz', nullable: true }) lastUsedAt: Date | null;
  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true }) revokedAt: Date | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}

/** `teamNames`: team id → name for the teams named in token scopes (deleted teams are absent and left out). */
export function toPersonalToken(t: PersonalTokenEntity, teamNames: ReadonlyMap<string, string>): PersonalToken {
  return {
    id: t.id,
    name: t.name,
    prefix: t.tokenPrefix,
    scopes: t.scopes,
    teamScope: t.teamScope
      ? {
          personal: t.teamScope.includes(PERSONAL_TOKEN_SCOPE_PERSONAL),
          teams: t.teamScope.flatMap((id) => (teamNames.has(id) ? [{ id, name: teamNames.get(id)! }] : []))
            .sort((a, b) => a.name.localeCompare(b.name)),
        }
      : null,
    expiresAt: t.expiresAt.toISOString(),
    lastUsedAt: t.lastUsedAt ? t.lastUsedAt.toISOString() : null,
    createdAt: t.createdAt.toISOString(),
  };
}
