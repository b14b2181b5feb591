import { currentTenantScope, runInTenant } from '@duet/core';
import { isolateTenants, type SqlExecutor, type SqlTransaction } from '@duet/postgres';

/**
 * An executor that runs every statement as `tenant` (`isolateTenants` inside
 * `runInTenant`), so a store built on it sees and writes that tenant's rows only, enforced
 * by PostgreSQL's row policies. `--tenant` gives the reading commands one. A statement
 * whose caller chose a scope keeps it: library code that does the system's work on
 * purpose (`runAsSystem`, such as the key table's VACUUM after a forget) still can.
 *
 * @example
 * const store = createPostgresEventStore({ executor: scopeToTenant(db.executor, 'acme'), schema });
 */
export function scopeToTenant(base: SqlExecutor, tenant: string): SqlExecutor {
  const isolated = isolateTenants(base);
  const inTenant = <T>(run: () => T): T =>
    currentTenantScope() === undefined ? runInTenant(tenant, run) : run();
  return {
    kind: isolated.kind,
    tenantRole: isolated.tenantRole,
    query<Row>(sql: string, params?: readonly unknown[]) {
      return inTenant(() => isolated.query<Row>(sql, params));
    },
    transaction<T>(fn: (tx: SqlTransaction) => Promise<T>) {
      return inTenant(() => isolated.transaction(fn));
    },
    listen: (channel, onNotify) => isolated.listen(channel, onNotify),
    // The database that opened `base` closes it.
    close: async () => {},
    [Symbol.asyncDispose]: async () => {},
  };
}
