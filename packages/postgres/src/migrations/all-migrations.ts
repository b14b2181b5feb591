import { eventsMigration } from './001-events.sql.ts';
import { appendEventsMigration } from './002-append-events.sql.ts';
import { snapshotsMigration } from './003-snapshots.sql.ts';
import { checkpointsMigration } from './004-checkpoints.sql.ts';
import { inboxMigration } from './005-inbox.sql.ts';
import { idempotencyKeysMigration } from './006-idempotency-keys.sql.ts';
import { atomicIdempotencyKeysMigration } from './007-atomic-idempotency-keys.sql.ts';
import { tenantIsolationMigration } from './008-tenant-isolation.sql.ts';
import { notifyAfterCommitMigration } from './009-notify-after-commit.sql.ts';
import { appendAcrossTenantsMigration } from './010-append-across-tenants.sql.ts';
import type { Migration } from './migration.ts';

/** Every migration of an event store's schema, in the order they apply. */
export const ALL_MIGRATIONS: readonly Migration[] = [
  eventsMigration,
  appendEventsMigration,
  snapshotsMigration,
  checkpointsMigration,
  inboxMigration,
  idempotencyKeysMigration,
  atomicIdempotencyKeysMigration,
  tenantIsolationMigration,
  notifyAfterCommitMigration,
  appendAcrossTenantsMigration,
];
