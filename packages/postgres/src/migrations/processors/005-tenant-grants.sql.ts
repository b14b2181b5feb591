import type { Migration } from '../migration.ts';
import { tenantGrantStatements, tenantRoleStatements } from '../tenant-tables.ts';

/**
 * Lets tenant requests (the `duet_app` role, see `isolateTenants`) wait for checkpoints,
 * read status and use reactor inboxes. These tables hold positions and names, no tenant's
 * rows, so they need no row policies.
 */
export const processorTenantGrantsMigration: Migration = {
  version: 5,
  name: 'tenant-grants',
  statements: ({ schema }) => [...tenantRoleStatements(), ...tenantGrantStatements(schema)],
};
