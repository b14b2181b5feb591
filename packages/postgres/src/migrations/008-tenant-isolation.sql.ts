import { CURRENT_TENANT_SQL } from '../executor/tenant-isolated-executor.ts';
import { appendEventsFunction } from './002-append-events.sql.ts';
import type { Migration } from './migration.ts';
import {
  tenantGrantStatements,
  tenantRoleStatements,
  tenantTableStatements,
} from './tenant-tables.ts';

/**
 * Tenant isolation enforced by PostgreSQL (issue 13): every row of the event store's
 * tables names its tenant, and row-level security (forced, so the owner goes through the
 * policies too) lets the `duet_app` role see and write only the rows of the tenant in
 * `duet.tenant`, and nothing when none is set. The role that migrates keeps every row
 * (processors, relays and tools read the whole log). A stream, a snapshot and an
 * idempotency key are each their tenant's: two tenants may both have `stock-sku-1`.
 * Rows from before have the tenant `''` (no tenant). `isolateTenants` runs requests as
 * `duet_app`; stores on a plain executor behave as before, all in tenant `''`.
 */
export const tenantIsolationMigration: Migration = {
  version: 8,
  name: 'tenant-isolation',
  statements: (target) => {
    const s = target.schema;
    return [
      ...tenantRoleStatements(),
      // A constant default first (no rewrite of a large table), then the real one.
      ...['streams', 'events', 'snapshots', 'idempotency_keys'].flatMap((table) => [
        `ALTER TABLE ${s}.${table} ADD COLUMN tenant text NOT NULL DEFAULT ''`,
        `ALTER TABLE ${s}.${table} ALTER COLUMN tenant SET DEFAULT ${CURRENT_TENANT_SQL}`,
      ]),
      `ALTER TABLE ${s}.streams DROP CONSTRAINT streams_pkey`,
      `ALTER TABLE ${s}.streams ADD PRIMARY KEY (tenant, stream)`,
      `ALTER TABLE ${s}.events DROP CONSTRAINT events_stream_stream_version_key`,
      `ALTER TABLE ${s}.events ADD CONSTRAINT events_tenant_stream_version_key UNIQUE (tenant, stream, stream_version)`,
      `ALTER TABLE ${s}.snapshots DROP CONSTRAINT snapshots_pkey`,
      `ALTER TABLE ${s}.snapshots ADD PRIMARY KEY (tenant, stream, decider_version)`,
      `ALTER TABLE ${s}.idempotency_keys DROP CONSTRAINT idempotency_keys_pkey`,
      `ALTER TABLE ${s}.idempotency_keys ADD PRIMARY KEY (tenant, scope, key)`,
      ...['streams', 'events', 'snapshots', 'idempotency_keys'].flatMap((table) =>
        tenantTableStatements(`${s}.${table}`),
      ),
      ...tenantGrantStatements(s),
      appendEventsFunction(target, { idempotencyKeys: true, tenants: true, notify: true }),
    ];
  },
};
