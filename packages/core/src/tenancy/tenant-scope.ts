import { AsyncLocalStorage } from 'node:async_hooks';
import { ValidationError } from '../errors/validation-error.ts';

/**
 * Whose data the code running now may touch: one tenant's, or every tenant's (`system`:
 * processors, relays, migrations, operators' tools). Outside both there is no scope, and
 * a tenant-isolated database refuses to run anything (`TenantRequiredError`).
 */
export type TenantScope =
  | { readonly kind: 'tenant'; readonly tenant: string }
  | { readonly kind: 'system' };

// Tenants travel in NATS subjects and PostgreSQL settings: letters, digits, '-' and '_'.
const tenantPattern = /^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/;

const scopes = new AsyncLocalStorage<TenantScope>();

/** Throws a `ValidationError` unless `tenant` is 1-63 letters, digits, `-` or `_`, not starting with `-` or `_`. */
export function checkTenant(tenant: unknown, subject = 'tenant'): string {
  if (typeof tenant !== 'string' || !tenantPattern.test(tenant)) {
    throw new ValidationError(subject, [
      {
        path: [],
        message: `expected 1 to 63 letters, digits, '-' or '_' (not first), got ${JSON.stringify(tenant)}`,
      },
    ]);
  }
  return tenant;
}

/**
 * Runs `fn` as `tenant`: on a tenant-isolated executor every statement it runs (also
 * through timers and promises it starts) sees and writes that tenant's rows only.
 *
 * @example
 * const orders = await runInTenant('acme', () => queries.ask(MyOrders, { customerId }));
 */
export function runInTenant<T>(tenant: string, fn: () => T): T {
  return scopes.run({ kind: 'tenant', tenant: checkTenant(tenant) }, fn);
}

/**
 * Runs `fn` across tenants: for processors, relays, migrations and operators' tools, which
 * read the whole log. Never for a request.
 */
export function runAsSystem<T>(fn: () => T): T {
  return scopes.run({ kind: 'system' }, fn);
}

/** The scope the caller runs in, or `undefined` outside `runInTenant` and `runAsSystem`. */
export function currentTenantScope(): TenantScope | undefined {
  return scopes.getStore();
}

/** The key of the current scope: `'system'`, `'tenant:<name>'`, or `''` when there is none. */
export function tenantScopeKey(scope = currentTenantScope()): string {
  if (scope === undefined) return '';
  return scope.kind === 'system' ? 'system' : `tenant:${scope.tenant}`;
}

/**
 * Runs `fn` as `tenant`, or in the caller's scope when there is none: for code that acts
 * for a context or principal whose tenant is optional (the buses, the HTTP routes).
 *
 * @example
 * const answer = await inTenant(context.tenant, () => handler.handle(query));
 */
export function inTenant<T>(tenant: string | undefined, fn: () => T): T {
  return tenant === undefined ? fn() : runInTenant(tenant, fn);
}

/**
 * Runs `fn` as the tenant an event or message belongs to (its `metadata.tenant`), or in
 * the caller's scope when it names none: for system code (relays, runners, consumers)
 * that touches one tenant's rows on behalf of one event, such as its data subject's key.
 */
export function inTenantOf<T>(
  item: { readonly metadata: { readonly tenant?: unknown } },
  fn: () => T,
): T {
  const { tenant } = item.metadata;
  return typeof tenant === 'string' && tenant !== '' ? runInTenant(tenant, fn) : fn();
}
