import {
  Column,
  CreateDateColumn,
  Entity,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
  VersionColumn,
} from 'typeorm';
import type { UserRecord, UserStatus } from '../domain/user-store.js';

@Entity({ name: 'users' })
export class User implements UserRecord {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'subject', type: 'text', unique: true })
  subject!: string;

  @Column({ type: 'text', nullable: true })
  username!: string | null;

  @Column({ name: 'display_name', type: 'text', nullable: true })
  displayName!: string | null;

  @Column({ name: 'avatar_url', type: 'text', nullable: true })
  avatarUrl!: string | null;

  @Column({ type: 'text', default: 'active' })
  status!: UserStatus;

  @Column({ type: 'jsonb', default: () => "'{}'::jsonb" })
  settings!: Record<string, unknown>;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz', precision: 3 })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz', precision: 3 })
  updatedAt!: Date;

  @Column({ name: 'identity_event_at', type: 'timestamptz', precision: 3, nullable: true })
  identityEventAt!: Date | null;

  @VersionColumn({ type: 'integer' })
  version!: number;
}
