import type { Migration } from '../migration.ts';
import { personalDataKeysMigration } from './001-personal-data-keys.sql.ts';
import { tenantKeysMigration } from './002-tenant-keys.sql.ts';

/**
 * Every migration of a personal data key schema, in order. A set of its own, numbered
 * apart from the store's: `migrate(executor, { schema: 'customers_keys', set: 'personal-data' })`.
 * Put it in the event store's database, so a forget deletes the key and records the
 * erasure in one transaction.
 */
export const PERSONAL_DATA_MIGRATIONS: readonly Migration[] = [
  personalDataKeysMigration,
  tenantKeysMigration,
];
