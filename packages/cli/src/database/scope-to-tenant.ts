import { runInTenant } from '@duet/core';
import { isolateTenants, type SqlExecutor, type SqlTransaction } from '@duet/postgres';

/**
 * An executor that runs every statement as `tenant` (`isolateTenants` inside
 * `runInTenant`), so a store built on it sees and writes that tenant's rows only, enforced
 * by PostgreSQL's row policies. `--tenant` gives the reading commands one.
 *
 * @example
 * const store = createPostgresEventStore({ executor: scopeToTenant(db.executor, 'acme'), schema });
 */
export function scopeToTenant(base: SqlExecutor, tenant: string): SqlExecutor {
  const isolated = isolateTenants(base);
  return {
    kind: isolated.kind,
    tenantRole: isolated.tenantRole,
    query<Row>(sql: string, params?: readonly unknown[]) {
      return runInTenant(tenant, () => isolated.query<Row>(sql, params));
    },
    transaction<T>(fn: (tx: SqlTransaction) => Promise<T>) {
      return runInTenant(tenant, () => isolated.transaction(fn));
    },
    listen: (channel, onNotify) => isolated.listen(channel, onNotify),
    // The database that opened `base` closes it.
    close: async () => {},
    [Symbol.asyncDispose]: async () => {},
  };
}
