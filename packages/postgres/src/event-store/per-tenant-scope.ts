import { currentTenantScope, runAsSystem, runInTenant, tenantScopeKey } from '@duet/core';

/** Runs `fn` back in a tenant scope. */
export type InScope = <T>(fn: () => Promise<T>) => Promise<T>;

/**
 * One value per tenant scope (the system's, none, and each tenant's), made on first use:
 * the group commits and the read batches. `make` gets a function that runs work back in
 * that scope, because a batch is flushed by whichever caller's timer or promise comes
 * first and must run as its own scope, not that caller's. With `byScope: false` (an
 * executor that does not isolate tenants, whose statements read the same whatever the
 * scope) there is one value for all.
 */
export function perTenantScope<T>(
  make: (inScope: InScope) => T,
  options: { readonly byScope: boolean } = { byScope: true },
): { current(): T; all(): T[] } {
  const values = new Map<string, T>();
  return {
    current() {
      const scope = options.byScope ? currentTenantScope() : undefined;
      const key = tenantScopeKey(scope);
      let value = values.get(key);
      if (value === undefined) {
        const inScope: InScope = (fn) =>
          scope === undefined
            ? fn()
            : scope.kind === 'system'
              ? runAsSystem(fn)
              : runInTenant(scope.tenant, fn);
        value = make(inScope);
        values.set(key, value);
      }
      return value;
    },
    all: () => [...values.values()],
  };
}
