import { ValidationError } from '../errors/validation-error.ts';

// With tenants in subjects a contract subject `<service>.<Type>` travels as
// `<service>.<tenant>.<Type>`. The service stays the first token, so a service's stream,
// its credentials and a consumer's filter still start `<service>.`; the tenant is the
// second, so `orders.acme.>` is one tenant of one service and `orders.*.OrderPlaced` one
// contract of every tenant: both plain NATS wildcards, in permissions and stream filters.

/** The token of a message without a tenant: `_` (no tenant id may be `_`). */
export const noTenantToken = '_';

const tenantToken = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/**
 * The subject token for a tenant id: the id itself, or `_` without one. Throws
 * `ValidationError` for an id that cannot be one NATS token (a dot, a wildcard, a space).
 *
 * @example
 * tenantTokenOf('acme') // 'acme'
 * tenantTokenOf(undefined) // '_'
 */
export function tenantTokenOf(tenant: string | undefined): string {
  if (tenant === undefined || tenant === '') return noTenantToken;
  if (!tenantToken.test(tenant)) {
    throw new ValidationError(`tenant ${JSON.stringify(tenant)}`, [
      {
        path: ['Duet-Tenant'],
        message:
          'a tenant in a subject is letters, digits, _ and - (at most 64), starting with a letter or digit',
      },
    ]);
  }
  return tenant;
}

/**
 * The wire subject of a contract subject for a tenant: the tenant token after the service.
 *
 * @example
 * withTenant('orders.OrderPlaced', 'acme') // 'orders.acme.OrderPlaced'
 */
export function withTenant(subject: string, tenant: string | undefined): string {
  const dot = subject.indexOf('.');
  if (dot <= 0) {
    throw new ValidationError(`subject ${JSON.stringify(subject)}`, [
      { path: ['subject'], message: 'expected <service>.<type>' },
    ]);
  }
  return `${subject.slice(0, dot)}.${tenantTokenOf(tenant)}${subject.slice(dot)}`;
}

/**
 * A contract-level filter (stream subjects, a consumer's filter) widened to every tenant:
 * a `*` where the tenant goes.
 *
 * @example
 * tenantFilter('orders.>') // 'orders.*.>'
 * tenantFilter('orders.OrderPlaced') // 'orders.*.OrderPlaced'
 */
export function tenantFilter(filter: string, tenant = '*'): string {
  const dot = filter.indexOf('.');
  if (dot <= 0) return filter;
  return `${filter.slice(0, dot)}.${tenant}${filter.slice(dot)}`;
}

/**
 * Splits a wire subject into the contract subject and its tenant (`''` for `_`); `null`
 * when it has no tenant token (fewer than three tokens).
 *
 * @example
 * withoutTenant('orders.acme.OrderPlaced') // { subject: 'orders.OrderPlaced', tenant: 'acme' }
 */
export function withoutTenant(wire: string): { subject: string; tenant: string } | null {
  const first = wire.indexOf('.');
  const second = first < 0 ? -1 : wire.indexOf('.', first + 1);
  if (first <= 0 || second < 0) return null;
  const token = wire.slice(first + 1, second);
  return {
    subject: wire.slice(0, first) + wire.slice(second),
    tenant: token === noTenantToken ? '' : token,
  };
}
