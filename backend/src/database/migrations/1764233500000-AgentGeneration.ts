import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The agent connection generation of each server: every registration of an agent connection, on
 * any backend instance, takes the next number in the same UPDATE that marks the server online.
 * The newest generation is the server's one connection (older ones, wherever they are, give way),
 * and only the connection holding it may mark the server offline when it goes. `agent_instance`
 * is the presence id of the backend instance holding that connection (see InstancePresence):
 * when that instance dies, the others mark its servers offline.
 */
export class AgentGeneration1764233500000 implements MigrationInterface {
  name = 'AgentGeneration1764233500000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE servers ADD COLUMN agent_generation bigint NOT NULL DEFAULT 0, ADD COLUMN agent_instance integer');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE servers DROP COLUMN agent_generation, DROP COLUMN agent_instance');
  }
}
