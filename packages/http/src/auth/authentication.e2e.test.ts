import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type CartServer,
  postJson,
  problemType,
  startCartServer,
} from '../../test-support/cart-server.ts';
import type { DuetHttpOptions } from '../duet-http-options.ts';
import { apiKeyAuthentication } from './api-key-authentication.ts';
import { jwtAuthentication } from './jwt-authentication.ts';

const secret = 'a-test-secret-that-is-32-bytes-long!';
let server: CartServer | undefined;
afterEach(() => server?.close());

async function open(
  options: Partial<DuetHttpOptions>,
  token: string | null,
  header = 'authorization',
) {
  server = await startCartServer(options);
  return postJson(
    `${server.url}/commands/OpenCart`,
    { cartId: `c-${Math.random()}` },
    token === null ? {} : { [header]: token },
  );
}

const sign = (claims: Record<string, unknown>) =>
  new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuer('test')
    .setAudience('shop')
    .setExpirationTime('5m')
    .setSubject('user-9')
    .sign(new TextEncoder().encode(secret));

describe('authentication', () => {
  it('given API keys, when a request has a known key, then it runs as that principal; unknown or missing keys are 401 with a challenge', async () => {
    const authenticate = apiKeyAuthentication({
      keys: { good: { id: 'k-user', roles: ['shopper'] } },
    });
    expect((await open({ authenticate }, 'good', 'x-api-key')).status).toBe(200);
    await server?.close();
    for (const key of ['bad', '__proto__', 'constructor', null]) {
      const response = await open({ authenticate }, key, 'x-api-key');
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('ApiKey header="x-api-key"');
      expect(await problemType(response)).toBe('urn:duet:problem:unauthenticated');
      await server?.close();
    }
  });

  it('given HS256 JWTs, when verified, then sub and roles become the principal; wrong audience, expiry or signature are 401', async () => {
    const authenticate = jwtAuthentication({ secret, issuer: 'test', audience: 'shop' });
    // What /openapi.json declares, so the docs page's Authorize button asks for a token.
    expect(authenticate.securityScheme).toEqual({
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'JWT',
    });
    const good = await sign({ roles: ['shopper'], tenant: 'acme' });
    expect((await open({ authenticate }, `Bearer ${good}`)).status).toBe(200);
    const events = await server?.allEvents();
    expect(events?.[0]?.metadata).toMatchObject({ actor: 'user-9', tenant: 'acme' });
    await server?.close();
    const wrongAudience = await new SignJWT({ roles: ['shopper'] })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer('test')
      .setAudience('other')
      .setSubject('u')
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode(secret));
    const expired = await new SignJWT({ roles: ['shopper'] })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer('test')
      .setAudience('shop')
      .setSubject('u')
      .setExpirationTime(Math.floor(Date.now() / 1000) - 60)
      .sign(new TextEncoder().encode(secret));
    for (const token of [wrongAudience, expired, `${good.slice(0, -3)}abc`, 'not-a-jwt']) {
      const response = await open({ authenticate }, `Bearer ${token}`);
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer realm="duet"');
      await server?.close();
    }
  });

  it('given an RS256 key pair (as a key and as a local JWKS), when a signed token comes, then it is accepted; an HS256 token is not', async () => {
    const { publicKey, privateKey } = await generateKeyPair('RS256');
    const token = await new SignJWT({ scope: 'shopper admin' })
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setSubject('rs-user')
      .setExpirationTime('5m')
      .sign(privateKey);
    expect(
      (await open({ authenticate: jwtAuthentication({ publicKey }) }, `Bearer ${token}`)).status,
    ).toBe(200);
    await server?.close();
    const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256' }] };
    expect(
      (await open({ authenticate: jwtAuthentication({ jwks }) }, `Bearer ${token}`)).status,
    ).toBe(200);
    await server?.close();
    const hs = await sign({ roles: ['shopper'] });
    expect(
      (await open({ authenticate: jwtAuthentication({ publicKey }) }, `Bearer ${hs}`)).status,
    ).toBe(401);
  });

  it('given bad jwt options, when created, then it fails at start-up', () => {
    expect(() => jwtAuthentication({})).toThrow('exactly one of');
    expect(() => jwtAuthentication({ secret: 'short' })).toThrow('>= 32 bytes');
  });

  it('given a principal without the role a policy wants, when it sends, then 403 forbidden with the reason', async () => {
    const authenticate = apiKeyAuthentication({ keys: { viewer: { id: 'v', roles: ['viewer'] } } });
    const response = await open({ authenticate }, 'viewer', 'x-api-key');
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({
      type: 'urn:duet:problem:forbidden',
      detail: 'only shoppers change carts',
    });
  });
});
