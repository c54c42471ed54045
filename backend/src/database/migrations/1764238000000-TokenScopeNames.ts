import { MigrationInterface, QueryRunner } from 'typeorm';

const LEGACY_SCOPES: Record<string, string> = {
  'servers.read': 'server.read',
  'servers.manage': 'server.manage',
  'docker.read': 'containers.read',
  'docker.act': 'docker.action',
  'commands.exec': 'commands.run',
  'audit.read': 'server.read',
};

/**
 * Personal token scopes become capability names (`TOKEN_SCOPES`): stored legacy names are
 * rewritten (`docker.act` → `docker.action`, …), duplicates dropped. `down` leaves them rewritten
 * (the old names are still accepted on creation and rewritten the same way).
 */
export class TokenScopeNames1764238000000 implements MigrationInterface {
  name = 'TokenScopeNames1764238000000';

  async up(q: QueryRunner): Promise<void> {
    const cases = Object.entries(LEGACY_SCOPES).map(([from, to]) => `WHEN '${from}' THEN '${to}'`).join(' ');
    const legacy = Object.keys(LEGACY_SCOPES).map((s) => `'${s}'`).join(', ');
    await q.query(`
      UPDATE personal_tokens
         SET scopes = ARRAY(SELECT DISTINCT CASE s ${cases} ELSE s END FROM unnest(scopes) AS s ORDER BY 1)
       WHERE scopes && ARRAY[${legacy}]::text[]
    `);
  }

  async down(): Promise<void> {
    // Nothing to undo: the capability names are accepted by every version that knows this migration.
  }
}
