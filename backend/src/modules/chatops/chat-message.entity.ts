import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';
import type { ChatChannel, ChatHistoryEntry, ChatReply } from '@chatops/protocol';

/** One message and its reply: the conversation, kept per user (and per server). */
@Entity('chat_messages')
export class ChatMessageEntity {
  @PrimaryColumn('uuid') id: string;
  @Column({ name: 'user_id', type: 'uuid' }) userId: string;
  @Column({ name: 'server_id', type: 'uuid', nullable: true }) serverId: string | null;
  @Column({ type: 'varchar' }) channel: ChatChannel;
  @Column({ type: 'varchar' }) text: string;
  @Column({ type: 'varchar', nullable: true }) command: string | null;
  @Column() ok: boolean;
  @Column({ type: 'jsonb' }) reply: ChatReply;
  /** The presence id of the instance that started a streamed reply (see ChatStreams); not read by the history. */
  @Column({ name: 'instance_id', type: 'integer', nullable: true, select: false }) instanceId: number | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}

export function toHistoryEntry(m: ChatMessageEntity, now = Date.now()): ChatHistoryEntry {
  return {
    id: m.id, channel: m.channel, text: m.text, command: m.command, serverId: m.serverId, ok: m.ok, reply: withConfirmState(m.reply, now),
    createdAt: m.createdAt.toISOString(),
  };
}

/** A confirmation nobody decided reads `expired` once its time has passed (nothing is written for that). */
export function withConfirmState(reply: ChatReply, now: number): ChatReply {
  const c = reply.confirm;
  if (!c) return reply;
  const state = c.state && c.state !== 'pending' ? c.state : Date.parse(c.expiresAt) <= now ? 'expired' : 'pending';
  return state === c.state ? reply : { ...reply, confirm: { ...c, state } };
}
