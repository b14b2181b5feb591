import type { KeyObject } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import {
  type CryptoKey,
  createLocalJWKSet,
  createRemoteJWKSet,
  errors,
  type JSONWebKeySet,
  type JWTPayload,
  type JWTVerifyGetKey,
  jwtVerify,
} from 'jose';
import type { Authenticate, Principal } from './principal.ts';

/** Options of `jwtAuthentication`: exactly one of `secret`, `publicKey`, `jwks`, `jwksUrl`. */
export interface JwtAuthenticationOptions {
  /** A shared secret for HMAC tokens (HS256/384/512). */
  readonly secret?: string | Uint8Array;
  /** A public key (RS*, PS*, ES*, EdDSA) as a KeyObject or CryptoKey. */
  readonly publicKey?: KeyObject | CryptoKey;
  /** A JSON Web Key Set held locally. */
  readonly jwks?: JSONWebKeySet;
  /** Where to fetch the JSON Web Key Set (jose caches and refreshes it). */
  readonly jwksUrl?: string | URL;
  readonly issuer?: string | readonly string[];
  readonly audience?: string | readonly string[];
  /** Accepted algorithms (default: HS256 for a secret, RS256 and ES256 otherwise). */
  readonly algorithms?: readonly string[];
  /** Seconds of clock skew allowed on exp/nbf (default 5). */
  readonly clockToleranceSeconds?: number;
  /**
   * Maps the verified claims to a principal, or null to refuse the token. Default: `sub` is
   * the id, `tenant` (or `tid`) the tenant, `roles` (an array) or `scope` (space-separated)
   * the roles.
   */
  readonly principal?: (claims: JWTPayload) => Principal | null;
}

/**
 * Authenticates requests by a bearer JWT (`Authorization: Bearer <token>`), verified with
 * jose: signature, `exp`/`nbf`, and issuer and audience when given. Any failure answers
 * `null` (a 401 at the edge); the reason is not told to the client.
 *
 * @example
 * const authenticate = jwtAuthentication({ jwksUrl: 'https://id.example.com/.well-known/jwks.json',
 *   issuer: 'https://id.example.com/', audience: 'shop' });
 */
export function jwtAuthentication(options: JwtAuthenticationOptions): Authenticate {
  const { key, defaultAlgorithms } = keyOf(options);
  const algorithms = [...(options.algorithms ?? defaultAlgorithms)];
  const toPrincipal = options.principal ?? defaultPrincipal;
  const verifyOptions = {
    algorithms,
    clockTolerance: options.clockToleranceSeconds ?? 5,
    ...(options.issuer === undefined ? {} : { issuer: [options.issuer].flat() }),
    ...(options.audience === undefined ? {} : { audience: [options.audience].flat() }),
  };
  const authenticate = async (request: FastifyRequest): Promise<Principal | null> => {
    const header = request.headers.authorization;
    const match =
      typeof header === 'string' ? /^Bearer ([\w-]+\.[\w-]+\.[\w-]*)$/i.exec(header) : null;
    const token = match?.[1];
    if (token === undefined || token.length > 16_384) return null;
    try {
      const { payload } =
        typeof key === 'function'
          ? await jwtVerify(token, key, verifyOptions)
          : await jwtVerify(token, key, verifyOptions);
      return toPrincipal(payload);
    } catch (error) {
      if (error instanceof errors.JOSEError) {
        request.log.debug({ reason: error.code }, 'bearer token refused');
        return null;
      }
      throw error;
    }
  };
  return Object.assign(authenticate, {
    challenge: 'Bearer realm="duet"',
    securityScheme: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
  });
}

function keyOf(options: JwtAuthenticationOptions): {
  key: Uint8Array | KeyObject | CryptoKey | JWTVerifyGetKey;
  defaultAlgorithms: readonly string[];
} {
  const given = (['secret', 'publicKey', 'jwks', 'jwksUrl'] as const).filter(
    (name) => options[name] !== undefined,
  );
  if (given.length !== 1) {
    throw new TypeError(
      `jwtAuthentication needs exactly one of secret, publicKey, jwks, jwksUrl; got ${given.length === 0 ? 'none' : given.join(', ')}`,
    );
  }
  const asymmetric = ['RS256', 'ES256'];
  if (options.secret !== undefined) {
    const secret =
      typeof options.secret === 'string'
        ? new TextEncoder().encode(options.secret)
        : options.secret;
    // RFC 7518 §3.2: an HMAC key must be at least as long as the hash.
    if (secret.length < 32) throw new TypeError('jwtAuthentication: secret must be >= 32 bytes');
    return { key: secret, defaultAlgorithms: ['HS256'] };
  }
  if (options.publicKey !== undefined)
    return { key: options.publicKey, defaultAlgorithms: asymmetric };
  if (options.jwks !== undefined) {
    return { key: createLocalJWKSet(options.jwks), defaultAlgorithms: asymmetric };
  }
  return {
    key: createRemoteJWKSet(new URL(String(options.jwksUrl))),
    defaultAlgorithms: asymmetric,
  };
}

function defaultPrincipal(claims: JWTPayload): Principal | null {
  if (typeof claims.sub !== 'string' || claims.sub.length === 0) return null;
  const tenant = [claims.tenant, claims.tid].find((value) => typeof value === 'string');
  const roles = Array.isArray(claims.roles)
    ? claims.roles.filter((role): role is string => typeof role === 'string')
    : typeof claims.scope === 'string'
      ? claims.scope.split(' ').filter(Boolean)
      : [];
  return { id: claims.sub, roles, ...(typeof tenant === 'string' ? { tenant } : {}) };
}
