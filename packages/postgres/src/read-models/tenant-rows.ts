import type { SqlTransaction } from '../executor/sql-executor.ts';
import { CURRENT_TENANT_SQL } from '../executor/tenant-isolated-executor.ts';
import { tenantTableStatements } from '../migrations/tenant-tables.ts';

/**
 * The column a read-model table of tenants' rows declares: filled with the tenant the
 * statement runs for, so a projection's INSERT need not name it. Put it in the primary
 * key (`PRIMARY KEY (tenant, order_id)`): two tenants may use the same ids.
 */
export const TENANT_COLUMN = `tenant text NOT NULL DEFAULT ${CURRENT_TENANT_SQL}`;

/**
 * Turns on row-level security by tenant for a table with a `TENANT_COLUMN` (forced, so
 * the owner goes through the policies too): requests on a tenant-isolated executor see
 * and write their tenant's rows only, and the runner applies each tenant's events as that
 * tenant, so a projection cannot write a row into another tenant. Call it in `setup`.
 *
 * @example
 * async setup(tx, tables) {
 *   await tx.query(`CREATE TABLE ${tables.name('orders')} (${TENANT_COLUMN}, order_id text, PRIMARY KEY (tenant, order_id))`);
 *   await isolateTenantRows(tx, tables.name('orders'));
 * }
 */
export async function isolateTenantRows(tx: SqlTransaction, table: string): Promise<void> {
  for (const statement of tenantTableStatements(table)) await tx.query(statement);
}
