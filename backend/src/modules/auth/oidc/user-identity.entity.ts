import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** An account's identity at an OpenID Connect provider: one account per (issuer, subject). */
@Entity('user_identities')
export class UserIdentityEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'user_id', type: 'uuid' }) userId: string;
  @Column({ type: 'varchar' }) issuer: string;
  @Column({ type: 'varchar' }) subject: string;
  @Column({ type: 'varchar', nullable: true }) email: string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @Column({ name: 'last_login_at', type: 'timestamptz' }) lastLoginAt: Date;
}
