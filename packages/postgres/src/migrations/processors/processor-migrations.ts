import type { Migration } from '../migration.ts';
import { processorTablesMigration } from './001-processor-tables.sql.ts';
import { deadLettersMigration } from './002-dead-letters.sql.ts';
import { reactorInboxMigration } from './003-reactor-inbox.sql.ts';
import { pausesMigration } from './004-pauses.sql.ts';
import { processorTenantGrantsMigration } from './005-tenant-grants.sql.ts';

/**
 * Every migration of a processor runner's schema (checkpoints, leases' owners, status,
 * dead letters, reactor inboxes, rebuild requests, pauses), in the order they apply. A set of its
 * own, numbered apart from the store's: it goes in the read-model database, which may be
 * another database than the store's. `migrate(executor, { set: 'processors' })` runs it.
 */
export const PROCESSOR_MIGRATIONS: readonly Migration[] = [
  processorTablesMigration,
  deadLettersMigration,
  reactorInboxMigration,
  pausesMigration,
  processorTenantGrantsMigration,
];
