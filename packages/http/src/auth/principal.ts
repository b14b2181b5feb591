import type { FastifyRequest } from 'fastify';

/**
 * Who sent a request, as an authenticator vouches for it. `id` becomes the command's
 * `actor`, `tenant` its tenant and `roles` what policies check; none of them ever comes
 * from a request body.
 *
 * @example
 * const principal: Principal = { id: 'user-7', tenant: 'acme', roles: ['customer'] };
 */
export interface Principal {
  readonly id: string;
  readonly tenant?: string;
  readonly roles: readonly string[];
}

/**
 * Finds the principal behind a request, or `null` when it carries no valid credentials.
 * `challenge` is the `WWW-Authenticate` value sent with a 401 (default `Bearer`);
 * `securityScheme`, an OpenAPI security scheme object, tells `/openapi.json` (and the docs
 * page's "Authorize" button) how to send credentials.
 *
 * @example
 * const authenticate: Authenticate = async (request) =>
 *   request.headers['x-user'] === 'admin' ? { id: 'admin', roles: ['admin'] } : null;
 */
export type Authenticate = ((request: FastifyRequest) => Promise<Principal | null>) & {
  readonly challenge?: string;
  readonly securityScheme?: Readonly<Record<string, unknown>>;
};

/** True for a well-formed principal; an authenticator that returns anything else is a bug. */
export function isPrincipal(value: unknown): value is Principal {
  if (typeof value !== 'object' || value === null) return false;
  const { id, tenant, roles } = value as Record<string, unknown>;
  return (
    typeof id === 'string' &&
    id.length > 0 &&
    (tenant === undefined || typeof tenant === 'string') &&
    Array.isArray(roles) &&
    roles.every((role) => typeof role === 'string')
  );
}
