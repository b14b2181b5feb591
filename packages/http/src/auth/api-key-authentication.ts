import { hash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { Authenticate, Principal } from './principal.ts';

/** Options of `apiKeyAuthentication`. */
export interface ApiKeyAuthenticationOptions {
  /** Key → principal, or a function that looks a key up (in a database, a vault...). */
  readonly keys: Readonly<Record<string, Principal>> | ((key: string) => Promise<Principal | null>);
  /** The header that carries the key (default `x-api-key`). */
  readonly header?: string;
}

// One-shot `hash` (Node >= 20.12): no Hash object per request.
const digest = (text: string): Buffer => hash('sha256', text, 'buffer');

/**
 * Authenticates requests by an API key in a header. Keys given as a record are compared
 * by their SHA-256 digests in constant time, so neither timing nor a key like `__proto__`
 * can find a principal.
 *
 * @example
 * const authenticate = apiKeyAuthentication({ keys: { 's3cret': { id: 'ops', roles: ['admin'] } } });
 * await app.register(duetHttp, { ...buses, commands, queries, authenticate });
 */
export function apiKeyAuthentication(options: ApiKeyAuthenticationOptions): Authenticate {
  const header = (options.header ?? 'x-api-key').toLowerCase();
  const { keys } = options;
  const lookup =
    typeof keys === 'function'
      ? keys
      : recordLookup(Object.entries(keys).map(([key, principal]) => [digest(key), principal]));
  const authenticate = async (request: FastifyRequest): Promise<Principal | null> => {
    const value = request.headers[header];
    if (typeof value !== 'string' || value.length === 0 || value.length > 1024) return null;
    return lookup(value);
  };
  return Object.assign(authenticate, {
    challenge: `ApiKey header="${header}"`,
    securityScheme: { type: 'apiKey', in: 'header', name: header },
  });
}

function recordLookup(
  entries: readonly (readonly [Buffer, Principal])[],
): (key: string) => Promise<Principal | null> {
  return async (key) => {
    const candidate = digest(key);
    let found: Principal | null = null;
    // Every entry is compared, so the time taken does not say how many came before a match.
    for (const [known, principal] of entries) {
      if (timingSafeEqual(known, candidate)) found = principal;
    }
    return found;
  };
}
