import { AuthorizationError, type DecisionContext } from '@duet/core';

/** Staff run the catalog: add, rename, reprice and discontinue products, receive stock. */
export const STAFF_ROLE = 'staff';

/** The service itself, acting on another service's request (the placement saga's). */
export const SYSTEM_ROLE = 'system';

/**
 * The context the wiring passes when it acts on the orders service's stock requests: no
 * user sent them, so the service acts under its own name with the system role.
 *
 * @example
 * const plan = planStockRequest(request, states, SYSTEM_CONTEXT);
 * productDecider.decide(ReserveStock.create({ sku, orderId, quantity }), state, SYSTEM_CONTEXT);
 */
export const SYSTEM_CONTEXT: DecisionContext = { actor: 'catalog', roles: [SYSTEM_ROLE] };

/**
 * Throws an `AuthorizationError` (403 at the HTTP edge) unless the context has one of the
 * roles. Catalog changes are not secret, so a refusal may say what was refused.
 *
 * @example
 * requireRole(context, [STAFF_ROLE], 'ChangePrice');
 */
export function requireRole(
  context: DecisionContext,
  allowed: readonly string[],
  commandType: string,
): void {
  if (!allowed.some((role) => context.roles.includes(role))) {
    throw new AuthorizationError(
      commandType,
      `needs the role ${allowed.join(' or ')}`,
      context.actor,
    );
  }
}
