import { CURRENT_TENANT_SQL } from '../../executor/tenant-isolated-executor.ts';
import type { Migration } from '../migration.ts';
import {
  tenantGrantStatements,
  tenantRoleStatements,
  tenantTableStatements,
} from '../tenant-tables.ts';

/**
 * Keys are their tenant's (issue 13): two tenants may both have a `customer-ada`, and
 * forgetting one must leave the other. The key table gets the tenant column and row-level
 * security of the event store's tables (migration 8 of that set); keys from before have
 * the tenant `''`.
 */
export const tenantKeysMigration: Migration = {
  version: 2,
  name: 'tenant-keys',
  statements: ({ schema: s }) => [
    ...tenantRoleStatements(),
    `ALTER TABLE ${s}.personal_data_keys ADD COLUMN tenant text NOT NULL DEFAULT ''`,
    `ALTER TABLE ${s}.personal_data_keys ALTER COLUMN tenant SET DEFAULT ${CURRENT_TENANT_SQL}`,
    `ALTER TABLE ${s}.personal_data_keys DROP CONSTRAINT personal_data_keys_pkey`,
    `ALTER TABLE ${s}.personal_data_keys ADD PRIMARY KEY (tenant, subject)`,
    ...tenantTableStatements(`${s}.personal_data_keys`),
    ...tenantGrantStatements(s),
  ],
};
