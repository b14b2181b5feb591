import { checkTenant, currentTenantScope, TenantRequiredError, type TenantScope } from '@duet/core';
import type { SqlExecutor, SqlSession, SqlTransaction } from './sql-executor.ts';

/** The role tenant requests run as: it owns nothing, so row-level security always applies. */
export const TENANT_ROLE = 'duet_app';

/**
 * The tenant a statement runs for, as SQL: `''` when none is set (the system's rows). Row
 * policies compare with the setting itself, so a role without a tenant matches nothing.
 */
export const CURRENT_TENANT_SQL = `coalesce(current_setting('duet.tenant', true), '')`;

/** An executor that runs each statement in the caller's tenant scope (see `isolateTenants`). */
export interface TenantIsolatedExecutor extends SqlExecutor {
  /** The role tenant statements run as. */
  readonly tenantRole: string;
  /** The executor underneath, for the system's own statements. */
  readonly unscoped: SqlExecutor;
}

/**
 * Wraps an executor so that every statement runs in the caller's tenant scope (core's
 * `runInTenant` / `runAsSystem`), enforced by PostgreSQL: in a tenant's scope each
 * statement runs as the `duet_app` role (it owns no table, so row-level security with
 * FORCE applies) with `duet.tenant` set, so it sees and writes that tenant's rows only.
 * Where the executor keeps sessions (a pg executor on its own pool) the connection is
 * switched into the tenant's session once and keeps it until someone else takes it;
 * elsewhere each statement runs in a transaction that switches first. In the system scope statements run as the connecting
 * role, across tenants (processors, relays). Outside both it throws `TenantRequiredError`
 * and runs nothing. Run `migrate` on the executor underneath: migration 8 makes the role,
 * the tenant columns and the policies.
 *
 * @example
 * const executor = isolateTenants(createPgExecutor({ connectionString }));
 * const store = createPostgresEventStore({ executor, schema: 'orders' });
 * await runInTenant('acme', () => store.append('order-1', [OrderPlaced.create(data)]));
 */
export function isolateTenants(base: SqlExecutor): TenantIsolatedExecutor {
  const scoped = (operation: string): Extract<TenantScope, { kind: 'tenant' }> | null => {
    const scope = currentTenantScope();
    if (scope === undefined) throw new TenantRequiredError(operation);
    return scope.kind === 'system' ? null : scope;
  };
  const sessions = base.sessions;
  return {
    kind: base.kind,
    tenantRole: TENANT_ROLE,
    unscoped: base,
    query<Row>(sql: string, params?: readonly unknown[]) {
      const scope = scoped('a database statement');
      if (scope === null) return base.query<Row>(sql, params);
      if (sessions) return sessions.query<Row>(tenantSession(scope.tenant), sql, params);
      return base.transaction(async (tx) => {
        await switchTenant(tx, scope.tenant);
        return tx.query<Row>(sql, params);
      });
    },
    transaction<T>(fn: (tx: SqlTransaction) => Promise<T>) {
      const scope = scoped('a database transaction');
      if (scope === null) return base.transaction(fn);
      if (sessions) return sessions.transaction(tenantSession(scope.tenant), fn);
      return base.transaction(async (tx) => {
        await switchTenant(tx, scope.tenant);
        return fn(tx);
      });
    },
    // Notifications carry positions only; listeners read through the scoped executor.
    listen: (channel, onNotify) => base.listen(channel, onNotify),
    close: () => base.close(),
    [Symbol.asyncDispose]: () => base.close(),
  };
}

const sessionCache = new Map<string, SqlSession>();

/**
 * A tenant's settings kept on a pooled connection between its statements (pg executor on
 * its own pool): the statements of a tenant whose connection is already in its session
 * cost one round trip, not four (BEGIN, `set_config`, the statement, COMMIT; issue 14).
 * Tenant names are checked (letters, digits, '-' and '_'), so they are safe as literals.
 */
function tenantSession(tenant: string): SqlSession {
  let session = sessionCache.get(tenant);
  if (session === undefined) {
    checkTenant(tenant);
    session = {
      key: `duet.tenant:${tenant}`,
      enter: `SELECT set_config('role', '${TENANT_ROLE}', false), set_config('duet.tenant', '${tenant}', false)`,
      leave: `SELECT set_config('role', 'none', false), set_config('duet.tenant', '', false)`,
    };
    if (sessionCache.size < 10_000) sessionCache.set(tenant, session);
  }
  return session;
}

/**
 * Runs the rest of a system transaction as `tenant` (the projection runner applies each
 * tenant's events this way, so a read model's row policies check what it writes), or back
 * as the connecting role with `null`.
 */
export async function switchTenant(tx: SqlTransaction, tenant: string | null): Promise<void> {
  await (tenant === null
    ? tx.query(`SELECT set_config('role', 'none', true), set_config('duet.tenant', '', true)`)
    : tx.query(`SELECT set_config('role', $1, true), set_config('duet.tenant', $2, true)`, [
        TENANT_ROLE,
        tenant,
      ]));
}
