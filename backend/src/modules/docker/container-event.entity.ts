import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { ContainerEvent, ContainerEventAction } from '@chatops/protocol';

/** One container event an agent forwarded; the newest CONTAINER_EVENTS_KEPT per server are kept. */
@Entity('container_events')
export class ContainerEventEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id: string;
  @Column({ name: 'server_id', type: 'uuid' }) serverId: string;
  @Column({ name: 'container_id', type: 'varchar', length: 128 }) containerId: string;
  @Column({ type: 'varchar', length: 255 }) name: string;
  @Column({ type: 'varchar', length: 512, nullable: true }) image: string | null;
  @Column({ type: 'varchar', length: 32 }) action: ContainerEventAction;
  @Column({ name: 'exit_code', type: 'integer', nullable: true }) exitCode: number | null;
  @Column({ type: 'varchar', length: 32, nullable: true }) health: string | null;
  @Column({ type: 'timestamptz' }) time: Date;
  @Column({ name: 'received_at', type: 'timestamptz' }) receivedAt: Date;
}

export function toContainerEvent(e: ContainerEventEntity): ContainerEvent {
  return {
    containerId: e.containerId,
    name: e.name,
    image: e.image,
    action: e.action,
    exitCode: e.exitCode,
    health: e.health,
    time: e.time.toISOString(),
  };
}
