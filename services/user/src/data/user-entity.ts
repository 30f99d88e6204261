import {
  Column,
  CreateDateColumn,
  Entity,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
  VersionColumn,
} from 'typeorm';

export const userStatuses = ['active', 'suspended', 'deleted'] as const;
export type UserStatus = (typeof userStatuses)[number];

/**
 * The local half of a profile. Keycloak owns e-mail, first and last name; they are
 * read from Keycloak when a profile is returned and never stored here.
 */
@Entity({ name: 'users' })
export class User {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  /** The Keycloak subject (`sub`) this profile belongs to. */
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

  /** When the newest identity event applied to this row happened; older ones arrive too late to apply. */
  @Column({ name: 'identity_event_at', type: 'timestamptz', precision: 3, nullable: true })
  identityEventAt!: Date | null;

  /** Optimistic concurrency: the profile's ETag, compared with If-Match on PATCH. */
  @VersionColumn({ type: 'integer' })
  version!: number;
}
